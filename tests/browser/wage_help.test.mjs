/*
 * 欠薪求助 as a migrant worker uses it on a 375×667 phone: the intake form
 * with several workers, the server's error under the right person's
 * input, the reference and tracking code, the progress page; a draft
 * that survives a reload; and a submission made without a network that
 * is delivered later, with the tracking code still reaching the person.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, assertNoHorizontalScroll, eventually,
	discardCodes, launch, phone, requireEnv, screenshot, textOf, units, url,
	watchConsole,
} from './lib.mjs';
import {
	BAD_ID, GOOD_ID, casesByEmployer as casesFor, errorsUnder, fillCase as fillCaseAt,
	fillWorker, idNumber, openHelp as openHelpAt, postCase, tag,
} from './help_lib.mjs';

let browser;
let adminToken;
let unitId;

before(async () => {
	requireEnv();
	browser = await launch();
	adminToken = await apiLogin('admin', ADMIN_PASSWORD);
	unitId = (await units()).find((u) => u.name === '横林镇').id;
});

after(async () => {
	await browser?.close();
});

const openHelp = (page) => openHelpAt(page, unitId);
const fillCase = (page, employer) => fillCaseAt(page, unitId, employer);
const casesByEmployer = (employer) => casesFor(adminToken, employer);

async function findCase(reference) {
	const r = await apiCall(adminToken, 'GET',
	    `/api/v1/wage-cases?q=${encodeURIComponent(reference)}`);
	assert.equal(r.status, 200);
	const item = r.data.items.find((c) => c.reference === reference);
	if (!item)
		return null;
	const full = await apiCall(adminToken, 'GET', `/api/v1/wage-cases/${item.id}`);
	assert.equal(full.status, 200);
	return full.data;
}

test('two workers, a bad ID under that worker, fixed, then tracked', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await openHelp(page);
	await assertNoHorizontalScroll(page, '/help/');
	await screenshot(page, 'help-empty');

	const employer = `测试建筑劳务公司${tag()}`;
	await fillCase(page, employer);
	await fillWorker(page, 0, { name: '张三', id: idNumber('32040219850312001'),
	    phone: '13800001111', amount: '3500' });
	await page.getByRole('button', { name: '添加一人' }).click();
	await fillWorker(page, 1, { name: '李四', id: BAD_ID, amount: '2800.5' });
	assert.equal(await textOf(page.locator('#total-amount')), '6,300.50');
	assert.equal(await textOf(page.locator('#total-count')), '2');

	/* The phone catches the check digit itself, in the server's words:
	 * the same body sent straight to the API gets the same message. */
	const posts = [];
	page.on('request', (r) => {
		if (r.method() === 'POST' && r.url().endsWith('/api/v1/wage-cases'))
			posts.push(r);
	});
	await page.getByRole('button', { name: '提交求助' }).click();
	const direct = await apiCall(null, 'POST', '/api/v1/wage-cases', {
		unit_id: unitId, employer_name: employer, industry: 'construction',
		reporter: { name: '王建国', phone: '13912345678' },
		workers: [{ name: '李四', id_number: BAD_ID, amount_owed: '2800.5' }],
	});
	assert.equal(direct.status, 400);
	const err = direct.data.errors.find((e) => e.field === 'workers[0].id_number');
	assert.ok(err, `the server names the ID number: ${JSON.stringify(direct.data)}`);
	assert.equal(err.message, '身份证号最后一位不对，请核对（最后一位可能是 X）');

	const shown = errorsUnder(page, 'workers[1].id_number');
	await eventually(async () => (await textOf(shown)) === err.message,
	    { message: `"${err.message}" under 李四's 身份证号` });
	assert.equal(posts.length, 0, 'nothing was sent: the page knew');
	assert.ok(await shown.first().isVisible());
	assert.equal(await page.locator('[name="workers[1].id_number"]')
	    .getAttribute('aria-invalid'), 'true');
	assert.equal(await errorsUnder(page, 'workers[0].id_number').count(), 0,
	    'nothing under 张三\'s 身份证号');
	assert.equal(await page.locator('[aria-invalid="true"]').count(), 1);
	/* The focus is on the field to fix. */
	assert.equal(await page.evaluate(() => document.activeElement.name),
	    'workers[1].id_number');
	/* Nothing was lost: the form still holds what was typed. */
	assert.equal(await page.locator('[name="workers[1].name"]').inputValue(), '李四');
	assert.ok(await page.locator('[data-outbox]').isHidden(), 'nothing waits in the outbox');
	await assertNoHorizontalScroll(page, '/help/ with an error');
	await screenshot(page, 'help-bad-id');

	await page.locator('[name="workers[1].id_number"]').fill(GOOD_ID);
	const res2 = postCase(page);
	await page.getByRole('button', { name: '提交求助' }).click();
	const created = await res2;
	assert.equal(created.status(), 201);
	const data = await created.json();

	const reference = page.locator('[data-reference]');
	await reference.waitFor({ state: 'visible' });
	assert.equal(await textOf(reference), data.reference);
	assert.match(data.reference, /^QX\d{4}-\d{6}$/);
	assert.equal(await textOf(page.locator('[data-tracking-code]')), data.tracking_code);
	assert.ok(await page.getByText('请截图或抄下，查询进度需要这两项').isVisible());
	const big = await page.locator('[data-tracking-code]').evaluate((n) =>
	    parseFloat(getComputedStyle(n).fontSize));
	assert.ok(big >= 28, `the code is large (${big}px)`);
	assert.ok(await page.locator('#help-form').isHidden(), 'the form makes way for the answer');
	await assertNoHorizontalScroll(page, '/help/ answer');
	await screenshot(page, 'help-created');

	/* What the server stored: both workers, amounts in yuan, X upper case. */
	const stored = await findCase(data.reference);
	assert.ok(stored, 'the case is in the list');
	assert.equal(stored.employer_name, employer);
	assert.equal(stored.unit_id, unitId);
	assert.equal(stored.source, 'self');
	assert.equal(stored.industry, 'construction');
	assert.equal(stored.reporter.phone, '13912345678');
	assert.deepEqual(stored.workers.map((w) => [w.name, w.id_number, w.amount_owed]), [
		['张三', idNumber('32040219850312001'), '3500.00'],
		['李四', GOOD_ID, '2800.50'],
	]);
	assert.equal(stored.amount_owed, '6300.50');

	/* The draft is gone with the success. */
	assert.equal(await page.evaluate(() => localStorage.getItem('swn.help.draft.v1')), null);

	/* The progress page, with the reference filled in by the link. */
	await page.getByRole('link', { name: '查询办理进度' }).click();
	await page.waitForURL(/\/help\/track\.html\?reference=/);
	assert.equal(await page.getByLabel('案件编号').inputValue(), data.reference);
	await page.getByLabel('查询码').fill('WRONG234');
	await page.getByRole('button', { name: '查询' }).click();
	await eventually(async () => (await textOf(page.locator('[data-form-error]')))
	    .includes('案件编号或查询码不正确'), { message: 'a wrong code is refused' });
	assert.ok(await page.locator('#track-result').isHidden());

	await page.getByLabel('查询码').fill(data.tracking_code.toLowerCase());
	await page.getByRole('button', { name: '查询' }).click();
	const status = page.locator('[data-status-label]');
	await status.waitFor({ state: 'visible' });
	assert.equal(await textOf(status), '已提交，待受理');
	assert.match(await textOf(page.locator('[data-updated-at]')), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
	assert.equal(await textOf(page.locator('[data-form-error]')), '');
	await assertNoHorizontalScroll(page, 'track');
	await screenshot(page, 'help-track');

	/* Typed by hand on a fresh phone, it works just the same. */
	const other = await (await phone(browser)).newPage();
	await other.goto(url('/help/track.html'));
	await other.getByLabel('案件编号').fill(data.reference.toLowerCase());
	await other.getByLabel('查询码').fill(data.tracking_code);
	await other.getByRole('button', { name: '查询' }).click();
	await other.locator('[data-status-label]').waitFor({ state: 'visible' });
	assert.equal(await textOf(other.locator('[data-status-label]')), '已提交，待受理');
	await other.context().close();

	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});

test('rows are renumbered when one is removed, and a draft survives a reload', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await openHelp(page);

	const employer = `草稿测试公司${tag()}`;
	await page.getByLabel('所属工会').selectOption(String(unitId));
	await page.getByLabel('欠薪单位').fill(employer);
	await fillWorker(page, 0, { name: '甲', amount: '100' });
	await page.getByRole('button', { name: '添加一人' }).click();
	await fillWorker(page, 1, { name: '乙', amount: '200' });
	await page.getByRole('button', { name: '添加一人' }).click();
	await fillWorker(page, 2, { name: '丙', amount: '300.25' });
	assert.equal(await textOf(page.locator('#total-amount')), '600.25');

	/* Remove 乙: 丙 becomes workers[1]. */
	await page.getByRole('button', { name: '删除第 2 人' }).click();
	assert.equal(await page.locator('.worker').count(), 2);
	assert.equal(await page.locator('[name="workers[1].name"]').inputValue(), '丙');
	assert.equal(await page.locator('[name="workers[2].name"]').count(), 0);
	assert.equal(await textOf(page.locator('.worker').nth(1).locator('.worker-title')), '第 2 人');
	assert.equal(await textOf(page.locator('#total-amount')), '400.25');
	/* Each label still names its own input. */
	const labelled = await page.locator('[name="workers[1].amount_owed"]').evaluate((n) =>
	    n.labels[0].textContent);
	assert.match(labelled, /被欠金额/);

	await page.reload();
	await page.locator(`#h-unit option[value="${unitId}"]`).waitFor({ state: 'attached' });
	await eventually(async () => (await page.getByLabel('所属工会').inputValue()) === String(unitId),
	    { message: 'the unit comes back once the list has loaded' });
	assert.equal(await page.getByLabel('欠薪单位').inputValue(), employer);
	assert.equal(await page.locator('.worker').count(), 2);
	assert.equal(await page.locator('[name="workers[0].name"]').inputValue(), '甲');
	assert.equal(await page.locator('[name="workers[1].name"]').inputValue(), '丙');
	assert.equal(await page.locator('[name="workers[1].amount_owed"]').inputValue(), '300.25');
	assert.equal(await textOf(page.locator('#total-amount')), '400.25');

	/* A single row cannot be removed. */
	await page.getByRole('button', { name: '删除第 2 人' }).click();
	assert.equal(await page.locator('.worker').count(), 1);
	assert.ok(await page.locator('.worker [data-remove]').isHidden());
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});

test('offline: kept on the phone, delivered when the network returns', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await openHelp(page);
	await page.waitForFunction(() => navigator.serviceWorker &&
	    navigator.serviceWorker.controller !== null, null, { timeout: 20000 });

	await context.setOffline(true);
	const employer = `离线测试公司${tag()}`;
	await fillCase(page, employer);
	await fillWorker(page, 0, { name: '赵六', amount: '１２００' });   /* full-width digits */

	/* Offline, the phone itself catches what it can. */
	await page.locator('[name="workers[0].phone"]').fill('12345');
	await page.getByRole('button', { name: '提交求助' }).click();
	await eventually(async () => (await textOf(errorsUnder(page, 'workers[0].phone'))) !== '',
	    { message: 'a bad phone is caught offline' });
	await page.locator('[name="workers[0].phone"]').fill('');

	await page.getByRole('button', { name: '提交求助' }).click();
	const queued = page.locator('#queued');
	await queued.waitFor({ state: 'visible' });
	assert.ok(await page.getByRole('heading', { name: '已保存，联网后自动提交' }).isVisible());
	assert.match(await textOf(page.locator('#queued-list')), new RegExp(employer));
	await assertNoHorizontalScroll(page, '/help/ queued');
	await screenshot(page, 'help-queued');

	/* Still offline after a reload: the page opens, the record waits. */
	await page.reload();
	await queued.waitFor({ state: 'visible' });
	assert.equal((await casesByEmployer(employer)).length, 0, 'nothing reached the server yet');

	await context.setOffline(false);
	const reference = page.locator('[data-reference]');
	await reference.waitFor({ state: 'visible', timeout: 45000 });
	assert.ok(await queued.isHidden());
	const ref = await textOf(reference);
	const code = await textOf(page.locator('[data-tracking-code]'));
	const list = await casesByEmployer(employer);
	assert.equal(list.length, 1, 'exactly one case');
	assert.equal(list[0].reference, ref);
	assert.equal(list[0].amount_owed, '1200.00');
	await screenshot(page, 'help-delivered');

	const t = await apiCall(null, 'GET',
	    `/api/v1/wage-cases/track?reference=${ref}&code=${code}`);
	assert.equal(t.status, 200, 'the code shown is the right one');

	/* The answer stays until the person says, twice, it is written down. */
	await page.reload();
	await reference.waitFor({ state: 'visible' });
	await discardCodes(page);
	await page.locator('#help-form').waitFor({ state: 'visible' });
	assert.equal(await page.locator('[data-reference]').count(), 0);
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});

test('delivered while another page was open: the code is still shown', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	await openHelp(page);
	await page.waitForFunction(() => navigator.serviceWorker &&
	    navigator.serviceWorker.controller !== null, null, { timeout: 20000 });

	await context.setOffline(true);
	const employer = `转交页面测试公司${tag()}`;
	await fillCase(page, employer);
	await fillWorker(page, 0, { name: '钱七', amount: '880' });
	await page.getByRole('button', { name: '提交求助' }).click();
	await page.locator('#queued').waitFor({ state: 'visible' });

	/* Back online on the home page: its outbox sends the record, and
	 * nobody there shows the answer. */
	await page.goto(url('/'));
	await context.setOffline(false);
	await page.evaluate(() => window.dispatchEvent(new Event('online')));
	await eventually(async () => (await casesByEmployer(employer)).length === 1,
	    { timeout: 45000, message: 'the home page delivers the record' });

	/* The help page asks again with the same key and gets the same answer. */
	await openHelp(page);
	const reference = page.locator('[data-reference]');
	await reference.waitFor({ state: 'visible' });
	const [stored] = await casesByEmployer(employer);
	assert.equal(await textOf(reference), stored.reference);
	const code = await textOf(page.locator('[data-tracking-code]'));
	const t = await apiCall(null, 'GET',
	    `/api/v1/wage-cases/track?reference=${stored.reference}&code=${code}`);
	assert.equal(t.status, 200, 'the replayed code is the right one');
	assert.equal((await casesByEmployer(employer)).length, 1, 'still exactly one case');
	await context.close();
});

test('refused after waiting offline: back in the form, the error under its row', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await openHelp(page);
	await page.waitForFunction(() => navigator.serviceWorker &&
	    navigator.serviceWorker.controller !== null, null, { timeout: 20000 });

	await context.setOffline(true);
	const employer = `重复身份证测试公司${tag()}`;
	const id = idNumber('32040219900101123');
	await fillCase(page, employer);
	await fillWorker(page, 0, { name: '孙一', id, amount: '100' });
	await page.getByRole('button', { name: '添加一人' }).click();
	/* The same ID twice: only the server notices. */
	await fillWorker(page, 1, { name: '孙二', id, amount: '200' });
	await page.getByRole('button', { name: '提交求助' }).click();
	await page.locator('#queued').waitFor({ state: 'visible' });

	await context.setOffline(false);
	const shown = errorsUnder(page, 'workers[1].id_number');
	await shown.first().waitFor({ state: 'visible', timeout: 45000 });
	assert.match(await textOf(shown), /重复/);
	assert.equal(await errorsUnder(page, 'workers[0].id_number').count(), 0);
	assert.ok(await page.locator('#queued').isHidden());
	assert.match(await textOf(page.locator('#page-msg')), /没有被接受/);
	/* Everything typed is back, and the badge has nothing left to show. */
	assert.equal(await page.getByLabel('欠薪单位').inputValue(), employer);
	assert.equal(await page.locator('[name="workers[1].name"]').inputValue(), '孙二');
	await page.locator('[data-outbox]').waitFor({ state: 'hidden' });
	await screenshot(page, 'help-refused-later');

	await page.locator('[name="workers[1].id_number"]').fill('');
	const res = postCase(page);
	await page.getByRole('button', { name: '提交求助' }).click();
	assert.equal((await res).status(), 201);
	await page.locator('[data-reference]').waitFor({ state: 'visible' });
	assert.equal((await casesByEmployer(employer)).length, 1);
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});
