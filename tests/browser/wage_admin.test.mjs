/*
 * 欠薪案件 as union staff run them on a 375×667 phone: sign in through the
 * login page, find the case in the list, take it from received to closed
 * with the buttons (only the moves the workflow allows are offered),
 * record recoveries on the way, and see a stale page (412) reload
 * itself. The list's filters and 加载更多 too.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, assertNoHorizontalScroll, eventually,
	launch, phone, requireEnv, screenshot, textOf, uniqueName, units, url,
	watchConsole,
} from './lib.mjs';

const STAFF_PASSWORD = 'staff-test-pw-123';

let browser;
let adminToken;
let staff;
let context;
let page;
let csp;
let unitId;

function todayShanghai() {
	return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}

function tag() {
	return `T${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 1000)}`;
}

/* A case as the public form would file it (anonymous), or as admin. */
async function newCase(employer, token = null) {
	const r = await apiCall(token, 'POST', '/api/v1/wage-cases', {
		unit_id: unitId,
		employer_name: employer,
		industry: 'manufacturing',
		project_name: '测试项目',
		reporter: { name: '周师傅', phone: '13700002222' },
		workers: [
			{ name: '张三', amount_owed: '3000' },
			{ name: '李四', amount_owed: '2000.50', phone: '13600003333' },
		],
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	return r.data;
}

async function getCase(id) {
	const r = await apiCall(adminToken, 'GET', `/api/v1/wage-cases/${id}`);
	assert.equal(r.status, 200);
	return r.data;
}

before(async () => {
	requireEnv();
	browser = await launch();
	adminToken = await apiLogin('admin', ADMIN_PASSWORD);
	unitId = (await units()).find((u) => u.name === '遥观镇').id;

	/* A staff member of the district union (unit 1), made by the admin. */
	const username = uniqueName('fe.staff.');
	const r = await apiCall(adminToken, 'POST', '/api/v1/users', {
		username, password: STAFF_PASSWORD, display_name: '案件测试员',
		role: 'staff', unit_id: 1,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	staff = r.data;

	context = await phone(browser);
	page = await context.newPage();
	csp = watchConsole(page);

	/* Through the login page, as a person would. */
	await page.goto(url('/login/'));
	await page.getByLabel('用户名').fill(username);
	await page.getByLabel('密码', { exact: true }).fill(STAFF_PASSWORD);
	await page.getByRole('button', { name: '登录' }).click();
	await page.waitForURL(url('/admin/'));
});

after(async () => {
	await context?.close();
	await browser?.close();
});

const statusLabel = () => textOf(page.locator('#c-status'));

async function actionButtons() {
	const box = page.locator('#action-buttons');
	if (!(await page.locator('#actions').isVisible()) || !(await box.isVisible()))
		return [];
	return (await box.locator('button').allTextContents()).map((s) => s.trim());
}

/* Click a move and wait until the case shows its new status. */
async function move(label, expectStatus, note) {
	if (note)
		await page.getByLabel('备注（可不填）').fill(note);
	const answer = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/transitions'));
	await page.locator('#action-buttons').getByRole('button', { name: label, exact: true }).click();
	if (label === '结案' || label === '不予受理') {
		/* Final moves are asked about once more. */
		await page.getByRole('dialog').getByRole('button', { name: `确定${label}` }).click();
	}
	const res = await answer;
	assert.equal(res.status(), 200, `${label}: ${await res.text()}`);
	assert.match(res.request().headers()['if-match'] || '', /^"\d+"$/, 'If-Match is sent');
	await eventually(async () => (await statusLabel()) === expectStatus,
	    { message: `status becomes ${expectStatus}` });
}

async function recover(workerId, amount) {
	await page.getByLabel('农民工', { exact: true }).selectOption(String(workerId));
	await page.getByLabel('金额（元）').fill(amount);
	assert.equal(await page.getByLabel('日期').inputValue(), todayShanghai(),
	    'the date defaults to today');
	const answer = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/recoveries'));
	await page.getByRole('button', { name: '登记追回' }).click();
	return answer;
}

test('the admin home links to the cases; a case goes from received to closed', async () => {
	await page.getByRole('link', { name: /案件管理/ }).waitFor({ state: 'visible' });
	await assertNoHorizontalScroll(page, 'admin home');
	await screenshot(page, 'admin-home-staff');
	const created = await newCase(`测试电子厂${tag()}`);
	await page.getByRole('link', { name: /案件管理/ }).click();
	await page.waitForURL(url('/admin/cases.html'));

	await page.getByLabel('搜索').fill(created.reference);
	await page.getByRole('button', { name: '查询', exact: true }).click();
	const item = page.locator(`#case-list li[data-reference="${created.reference}"]`);
	await item.waitFor();
	assert.equal(await page.locator('#case-list li').count(), 1);
	const text = await item.innerText();
	for (const part of [created.reference, '测试电子厂', '已提交，待受理', '2 人',
	    '5,000.50 元', '已追回 0.00 元', todayShanghai()])
		assert.ok(text.includes(part), `the row shows ${part}: ${text}`);
	await assertNoHorizontalScroll(page, 'cases');
	await screenshot(page, 'admin-cases');

	await item.getByRole('link').click();
	await page.waitForURL(url(`/admin/case.html?id=${created.id}`));
	await page.locator('#case').waitFor({ state: 'visible' });
	assert.equal(await statusLabel(), '已提交，待受理');
	assert.deepEqual(await actionButtons(), ['受理', '不予受理']);
	assert.ok(await page.locator('#recovery').isHidden(), 'no recoveries before it is accepted');
	/* Staff of the owning subtree see the phone numbers in full. */
	assert.match(await page.locator('#c-workers').innerText(), /13600003333/);
	assert.match(await page.locator('#c-fields').innerText(), /13700002222/);
	await assertNoHorizontalScroll(page, 'case received');
	await screenshot(page, 'admin-case-received');

	await move('受理', '已受理', '已电话联系周师傅，核实情况属实');
	assert.deepEqual(await actionButtons(), ['转交劳动监察', '开始调解', '标记已解决', '结案']);
	assert.ok(await page.locator('#recovery').isVisible());
	assert.match(await page.locator('#c-events').innerText(), /已电话联系周师傅/);

	const c = await getCase(created.id);
	const [zhang, li] = c.workers;

	/* More than is owed: the server's refusal under the amount. */
	const over = await recover(li.id, '2500');
	assert.equal(over.status(), 409);
	const problem = await over.json();
	assert.equal(problem.code, 'exceeds_owed');
	const err = page.locator('.field').filter({ has: page.locator('[name="amount"]') })
	    .locator('.field-error');
	await eventually(async () => (await textOf(err)) === problem.detail,
	    { message: 'the server\'s detail under the amount' });
	await screenshot(page, 'admin-case-exceeds');

	const ok1 = await recover(zhang.id, '1000');
	assert.equal(ok1.status(), 201);
	await eventually(async () => (await textOf(page.locator('#c-recovered'))) === '1,000.00 元',
	    { message: 'the recovered total grows' });
	assert.equal(await err.count(), 0, 'the old error is gone');

	await move('转交劳动监察', '已转交劳动监察部门');
	assert.deepEqual(await actionButtons(), ['开始调解', '标记已解决', '结案']);

	/* A second instalment while referred. */
	const ok2 = await recover(li.id, '500.25');
	assert.equal(ok2.status(), 201);
	await eventually(async () => (await textOf(page.locator('#c-recovered'))) === '1,500.25 元',
	    { message: 'the second instalment adds up' });
	assert.equal(await page.locator('#c-recoveries li').count(), 2);

	await move('标记已解决', '已解决');
	assert.deepEqual(await actionButtons(), ['结案']);
	assert.ok(await page.locator('#recovery').isVisible(), 'still open for money while resolved');

	/* 结案 asks first, naming what is still owed; 取消 keeps the case. */
	await page.locator('#action-buttons').getByRole('button', { name: '结案', exact: true }).click();
	const dialog = page.getByRole('dialog');
	await dialog.waitFor();
	assert.match(await dialog.innerText(), /仍有 3,500\.25 元未追回，确定结案？/);
	await screenshot(page, 'admin-case-confirm');
	await dialog.getByRole('button', { name: '取消' }).click();
	await dialog.waitFor({ state: 'detached' });
	assert.deepEqual(await actionButtons(), ['结案']);
	assert.equal(await statusLabel(), '已解决');

	await move('结案', '已结案', '工资已全部结清');
	assert.deepEqual(await actionButtons(), []);
	assert.ok(await page.locator('#actions').isHidden());
	assert.ok(await page.locator('#recovery').isHidden());
	const events = (await page.locator('#c-events li').allInnerTexts()).join('\n');
	for (const s of ['已提交，待受理', '已受理', '已转交劳动监察部门', '已解决', '已结案'])
		assert.ok(events.includes(s), `history shows ${s}`);
	await assertNoHorizontalScroll(page, 'case closed');
	await screenshot(page, 'admin-case-closed');

	const done = await getCase(created.id);
	assert.equal(done.status, 'closed');
	assert.equal(done.closed_on, todayShanghai());
	assert.equal(done.accepted_on, todayShanghai());
	assert.equal(done.amount_recovered, '1500.25');
	assert.deepEqual(done.workers.map((w) => w.amount_recovered), ['1000.00', '500.25']);
	assert.deepEqual(done.recoveries.map((r) => r.amount).sort(), ['1000.00', '500.25']);
	assert.deepEqual(done.events.map((e) => e.to),
	    ['received', 'accepted', 'referred', 'resolved', 'closed']);
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
});

test('a page left open while someone else moved the case reloads (412)', async () => {
	const created = await newCase(`并发测试公司${tag()}`);
	await page.goto(url(`/admin/case.html?id=${created.id}`));
	await page.locator('#case').waitFor({ state: 'visible' });
	assert.deepEqual(await actionButtons(), ['受理', '不予受理']);

	/* Meanwhile, a colleague accepts it. */
	const before = await getCase(created.id);
	const r = await fetch(url(`/api/v1/wage-cases/${created.id}/transitions`), {
		method: 'POST',
		headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json',
		    'If-Match': `"${before.version}"` },
		body: JSON.stringify({ to: 'accepted' }),
	});
	assert.equal(r.status, 200);

	const answer = page.waitForResponse((x) => x.url().endsWith('/transitions'));
	await page.locator('#action-buttons').getByRole('button', { name: '受理', exact: true }).click();
	assert.equal((await answer).status(), 412);
	await eventually(async () => (await textOf(page.locator('#action-msg'))).includes('案件已被他人修改'),
	    { message: 'the page says someone else changed the case' });
	await eventually(async () => (await statusLabel()) === '已受理',
	    { message: 'the page shows the case as it now is' });
	assert.deepEqual(await actionButtons(), ['转交劳动监察', '开始调解', '标记已解决', '结案']);
	await screenshot(page, 'admin-case-412');
	assert.equal((await getCase(created.id)).events.length, 2, 'nothing was recorded twice');
});

test('the list filters and loads more', async () => {
	const t = tag();
	const made = [];
	for (let i = 0; i < 31; i++)
		made.push(await newCase(`翻页测试厂${t}`, adminToken));
	/* Accept the newest so that a status filter has something to find. */
	const newest = made[made.length - 1];
	const v = (await getCase(newest.id)).version;
	const r = await fetch(url(`/api/v1/wage-cases/${newest.id}/transitions`), {
		method: 'POST',
		headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json',
		    'If-Match': `"${v}"` },
		body: JSON.stringify({ to: 'accepted' }),
	});
	assert.equal(r.status, 200);

	await page.goto(url(`/admin/cases.html?q=${t}`));
	const rows = page.locator('#case-list li');
	await eventually(async () => (await rows.count()) === 30, { message: '30 on the first page' });
	assert.equal(await page.getByLabel('搜索').inputValue(), t, 'the filter comes from the address');
	const more = page.getByRole('button', { name: '加载更多' });
	assert.ok(await more.isVisible());
	await more.click();
	await eventually(async () => (await rows.count()) === 31, { message: 'the 31st after 加载更多' });
	assert.ok(await more.isHidden(), 'nothing more to load');
	const ids = await rows.evaluateAll((ls) => ls.map((l) => Number(l.dataset.caseId)));
	assert.deepEqual(ids, made.map((c) => c.id).reverse(), 'newest first, none twice');

	await page.getByLabel('状态').selectOption('accepted');
	await page.getByRole('button', { name: '查询', exact: true }).click();
	await eventually(async () => (await rows.count()) === 1, { message: 'one accepted case' });
	assert.equal(await rows.first().getAttribute('data-case-id'), String(newest.id));
	assert.match(page.url(), /status=accepted/);

	/* Dates: a range that ends before today finds nothing. */
	await page.locator('#more-filters summary').click();
	await page.getByLabel('登记日期从').fill('2020-01-01');
	await page.getByLabel('登记日期到').fill('2020-01-31');
	await page.getByRole('button', { name: '查询', exact: true }).click();
	await eventually(async () => (await textOf(page.locator('#list-msg'))) === '没有符合条件的案件',
	    { message: 'an empty result says so' });
	await assertNoHorizontalScroll(page, 'cases filtered');
	await screenshot(page, 'admin-cases-filters');

	await page.getByRole('button', { name: '清除条件' }).click();
	await eventually(async () => (await rows.count()) === 30 && await more.isVisible(),
	    { message: 'all cases again, a page of them' });
	assert.equal(await page.getByLabel('搜索').inputValue(), '');
	assert.ok(!page.url().includes('?'), 'the address forgets the filters');
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
});
