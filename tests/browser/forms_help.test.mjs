/*
 * The shared page behaviour (api.js, app.css, docs/pages.md) as a worker
 * meets it on the 欠薪求助 pages, on a 375×667 phone with a slow and
 * dropping network: a shown-once code kept until confirmed twice, with
 * copy and save-as-picture; length limits that count and never cut; every
 * required field's message at once and no browser bubbles; errors that go
 * when the field changes; the server's words offline too; a second form
 * left alone while the outbox delivers the first; times in Asia/Shanghai
 * on a phone set to New York; a lost answer told apart from no network and
 * resolved without a duplicate; a unit list that says it is loading,
 * offers a retry, and is kept for the next visit; text holding characters
 * the server refuses (controls, bidirectional overrides) refused before
 * sending in plain words, zero-width characters at the edges and a +86
 * before a phone number dropped.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, BASE_URL, PHONE, apiCall, apiLogin, discardCodes, eventually,
	launch, phone, requireEnv, screenshot, textOf, units, url, watchConsole,
} from './lib.mjs';
import {
	BAD_ID, casesByEmployer, controlled, errorsUnder, fillCase, fillWorker,
	idNumber, openHelp, postCase, tag,
} from './help_lib.mjs';

let browser;
let adminToken;
let unitId;
let dict;

before(async () => {
	requireEnv();
	browser = await launch();
	adminToken = await apiLogin('admin', ADMIN_PASSWORD);
	unitId = (await units()).find((u) => u.name === '遥观镇').id;
	const d = await apiCall(null, 'GET', '/api/v1/messages');
	assert.equal(d.status, 200);
	dict = d.data;
});

after(async () => {
	await browser?.close();
});

/* The dictionary's text for code on a field of kind, filled in. */
function words(code, kind, vars = {}) {
	const t = (dict.kinds[kind] && dict.kinds[kind][code]) || dict.messages[code];
	return t.replace(/\{(label|min|max)\}/g, (m, k) => String(vars[k] ?? m));
}

/* Fills in a whole valid case with one worker. */
async function fillValid(page, employer, amount = '3500') {
	await fillCase(page, unitId, employer);
	await fillWorker(page, 0, { name: '张三', amount });
}

/* POSTs to /wage-cases the page makes from now on. */
function watchPosts(page) {
	const posts = [];
	page.on('request', (r) => {
		if (r.method() === 'POST' && r.url().endsWith('/api/v1/wage-cases'))
			posts.push(r);
	});
	return posts;
}

/* The box of a node relative to the viewport: is all of it on screen? */
async function onScreen(locator) {
	const b = await locator.boundingBox();
	return b !== null && b.y >= 0 && b.y + b.height <= PHONE.height &&
	    b.x >= 0 && b.x + b.width <= PHONE.width;
}

test('a shown-once code stays until confirmed twice; it can be copied and saved as a picture', async () => {
	const context = await phone(browser);
	await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
	const page = await context.newPage();
	const csp = watchConsole(page);
	await openHelp(page, unitId);
	const employer = `查询码保管测试${tag()}`;
	await fillValid(page, employer);
	await page.getByRole('button', { name: '提交求助' }).click();
	const card = page.locator('[data-result]');
	await card.waitFor();
	const reference = await textOf(card.locator('[data-reference]'));
	const code = await textOf(card.locator('[data-tracking-code]'));
	assert.match(reference, /^QX\d{4}-\d{6}$/);

	/* 复制: both codes on the clipboard, and the page says so. */
	await card.getByRole('button', { name: '复制' }).click();
	const toast = page.locator('[data-toast]').filter({ hasText: '已复制' });
	await toast.waitFor();
	assert.ok(await onScreen(toast), 'the toast is on screen');
	const copied = await page.evaluate(() => navigator.clipboard.readText());
	assert.ok(copied.includes(reference) && copied.includes(code), copied);

	/* 保存为图片: a picture to keep, and a PNG to download. */
	await card.getByRole('button', { name: '保存为图片' }).click();
	const picture = page.locator('dialog[data-picture]');
	const img = picture.locator('img');
	await img.waitFor();
	await eventually(() => img.evaluate((i) => i.complete && i.naturalWidth > 0),
	    { message: 'the picture is drawn' });
	assert.ok(await onScreen(img), 'the picture fits the screen');
	await screenshot(page, 'help-code-picture');
	const download = page.waitForEvent('download');
	await picture.getByRole('link', { name: '下载图片' }).click();
	const file = await download;
	assert.match(file.suggestedFilename(), new RegExp(`${reference}\\.png$`));
	const png = await readFile(await file.path());
	assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	await picture.getByRole('button', { name: '关闭' }).click();
	await picture.waitFor({ state: 'detached' });

	/* 我已记下 asks; 返回 at the first question keeps everything. */
	const dialog = page.getByRole('dialog');
	await card.getByRole('button', { name: '我已记下' }).click();
	await dialog.waitFor();
	assert.match(await dialog.innerText(), new RegExp(code), 'the codes are named once more');
	await screenshot(page, 'help-code-confirm-1');
	await dialog.getByRole('button', { name: '返回' }).click();
	await dialog.waitFor({ state: 'detached' });
	assert.equal(await card.count(), 1);

	/* ... and 返回 at the second question too. */
	await card.getByRole('button', { name: '我已记下' }).click();
	await dialog.getByRole('button', { name: '已记下' }).click();
	await eventually(async () => /删除后无法找回/.test(await dialog.innerText()),
	    { message: 'a second question' });
	await screenshot(page, 'help-code-confirm-2');
	await dialog.getByRole('button', { name: '返回' }).click();
	await dialog.waitFor({ state: 'detached' });
	assert.equal(await card.count(), 1, 'still shown after one confirmation');

	/* Kept on the phone: a reload shows it again. */
	await page.reload();
	await card.waitFor();
	assert.equal(await textOf(card.locator('[data-tracking-code]')), code);

	/* Twice yes: gone from the screen and from the phone. */
	await discardCodes(page, card);
	assert.equal(await card.count(), 0);
	assert.equal(await page.evaluate(() => localStorage.getItem('swn.help.results.v1')), '[]');
	await page.locator('#help-form').waitFor({ state: 'visible' });
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});

test('a length limit counts as the person types and never cuts what was pasted', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	await openHelp(page, unitId);
	const posts = watchPosts(page);
	/* No control can cut text silently. */
	assert.equal(await page.locator('[maxlength]').count(), 0);

	await fillValid(page, `超长测试${tag()}`);
	const box = page.getByLabel('情况说明');
	await box.fill('');
	const counter = page.locator('.field').filter({ has: box }).locator('.counter');
	assert.equal(await textOf(counter), '0/2000', 'a long text shows its counter from the start');
	const long = '工资'.repeat(1102) + '欠';         /* 2205 characters */
	await box.fill(long);
	assert.equal((await box.inputValue()).length, 2205, 'nothing was dropped');
	assert.equal(await textOf(counter), '2205/2000');
	assert.ok(await counter.evaluate((n) => n.classList.contains('over')));
	const err = errorsUnder(page, 'description');
	await err.waitFor();
	assert.equal(await textOf(err),
	    `${words('too_long', 'text', { label: '情况说明', max: 2000 })}，现在 2205 个字，请删减 205 个字`);
	assert.equal(await box.getAttribute('aria-invalid'), 'true');
	await box.scrollIntoViewIfNeeded();
	await screenshot(page, 'help-too-long');

	/* Sending is refused by the page, in the server's words, text intact. */
	await page.getByRole('button', { name: '提交求助' }).click();
	await eventually(async () => (await textOf(err)) ===
	    words('too_long', 'text', { label: '情况说明', max: 2000 }),
	    { message: 'the limit is named on submit' });
	assert.equal((await box.inputValue()).length, 2205);
	assert.equal(posts.length, 0);

	/* Back under the limit: the message goes at once. */
	await box.fill(long.slice(0, 2000));
	assert.equal(await textOf(counter), '2000/2000');
	assert.equal(await err.count(), 0);
	assert.equal(await box.getAttribute('aria-invalid'), null);

	/* A one-line field shows its counter once it nears the limit. */
	const employer = page.getByLabel('欠薪单位');
	const c2 = page.locator('.field').filter({ has: employer }).locator('.counter');
	assert.ok(await c2.isHidden());
	await employer.fill('公'.repeat(85));
	assert.ok(await c2.isVisible());
	assert.equal(await textOf(c2), '85/100');
	await context.close();
});

test('every required field says so at once, in the page\'s own words', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await openHelp(page, unitId);
	const posts = watchPosts(page);
	assert.ok(await page.evaluate(() => [...document.forms].every((f) => f.noValidate)),
	    'no form leaves checks to the browser');

	await page.getByRole('button', { name: '提交求助' }).click();
	const expected = {
		unit_id: words('required', 'choice', { label: '所属工会' }),
		employer_name: words('required', 'text', { label: '欠薪单位' }),
		industry: words('required', 'choice', { label: '行业' }),
		'workers[0].name': words('required', 'text', { label: '姓名' }),
		'workers[0].amount_owed': words('required', 'money', { label: '被欠金额' }),
		'reporter.name': words('required', 'text', { label: '联系人姓名' }),
		'reporter.phone': words('required', 'phone', { label: '联系人手机号' }),
	};
	await eventually(async () => (await page.locator('.field-error').count()) ===
	    Object.keys(expected).length, { message: 'one message per required field' });
	for (const [name, text] of Object.entries(expected)) {
		assert.equal(await textOf(errorsUnder(page, name)), text, name);
		assert.equal(await page.locator(`[name="${name}"]`).getAttribute('aria-invalid'), 'true');
	}
	assert.equal(expected.unit_id, '请选择所属工会');
	assert.equal(expected['workers[0].amount_owed'], '请填写被欠金额');
	/* The first field to fix has the focus; nothing was sent. */
	assert.equal(await page.evaluate(() => document.activeElement.name), 'unit_id');
	assert.equal(posts.length, 0);
	await screenshot(page, 'help-all-required');

	/* The progress page too. */
	await page.goto(url('/help/track.html'));
	await page.getByRole('button', { name: '查询' }).click();
	assert.equal(await textOf(errorsUnder(page, 'reference')), '请填写案件编号');
	assert.equal(await textOf(errorsUnder(page, 'code')), '请填写查询码');
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});

test('an error goes as soon as its field changes, the others stay', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	await openHelp(page, unitId);
	const employer = `改错测试${tag()}`;
	await fillValid(page, employer);
	await page.getByLabel('联系人手机号').fill('1391234');
	await page.getByLabel('联系人姓名').fill('');
	await page.getByRole('button', { name: '提交求助' }).click();
	const phoneErr = errorsUnder(page, 'reporter.phone');
	await phoneErr.waitFor();
	assert.equal(await textOf(phoneErr), words('format', 'phone'));
	assert.equal(await textOf(errorsUnder(page, 'reporter.name')), '请填写联系人姓名');

	/* Fixing the phone clears its message before any new submit. */
	await page.getByLabel('联系人手机号').fill('13912345678');
	assert.equal(await phoneErr.count(), 0);
	assert.equal(await page.getByLabel('联系人手机号').getAttribute('aria-invalid'), null);
	assert.equal(await errorsUnder(page, 'reporter.name').count(), 1, 'the other stays');
	await page.getByLabel('联系人姓名').pressSequentially('王');
	assert.equal(await errorsUnder(page, 'reporter.name').count(), 0);

	/* The same for what only the server can see: an ID number twice. */
	const id = idNumber('32040219880808123');
	await fillWorker(page, 0, { name: '张三', id, amount: '100' });
	await page.getByRole('button', { name: '添加一人' }).click();
	await fillWorker(page, 1, { name: '李四', id, amount: '200' });
	const answer = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/api/v1/wage-cases'));
	await page.getByRole('button', { name: '提交求助' }).click();
	assert.equal((await answer).status(), 400);
	const dup = errorsUnder(page, 'workers[1].id_number');
	await dup.waitFor();
	assert.match(await textOf(dup), /重复/);
	await page.locator('[name="workers[1].id_number"]').fill(idNumber('32040219880808124'));
	assert.equal(await dup.count(), 0, 'the server\'s error goes with the edit too');
	await context.close();
});

test('the page says what the server says, with and without a network', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	await openHelp(page, unitId);
	await controlled(page);
	const employer = `同一措辞测试${tag()}`;

	/* What the server answers for 三千五 and a wrong check digit. */
	const direct = await apiCall(null, 'POST', '/api/v1/wage-cases', {
		unit_id: unitId, employer_name: employer, industry: 'construction',
		reporter: { name: '王建国', phone: '13912345678' },
		workers: [{ name: '张三', id_number: BAD_ID, amount_owed: '三千五' }],
	});
	assert.equal(direct.status, 400);
	const server = Object.fromEntries(direct.data.errors.map((e) => [e.field, e.message]));
	assert.equal(server['workers[0].amount_owed'], '金额应为数字，最多两位小数，例如 3500 或 3500.50');
	assert.equal(server['workers[0].id_number'], '身份证号最后一位不对，请核对（最后一位可能是 X）');

	async function check(what) {
		await fillCase(page, unitId, employer);
		await fillWorker(page, 0, { name: '张三', id: BAD_ID, amount: '三千五' });
		await page.getByRole('button', { name: '提交求助' }).click();
		for (const field of ['workers[0].amount_owed', 'workers[0].id_number']) {
			await eventually(async () => (await textOf(errorsUnder(page, field))) === server[field],
			    { message: `${what}: "${server[field]}" under ${field}` });
		}
	}
	await check('online');

	/* Offline, after a reload: the kept dictionary says the same. */
	await context.setOffline(true);
	await page.reload();
	await page.locator(`#h-unit option[value="${unitId}"]`).waitFor({ state: 'attached' });
	await check('offline');
	assert.equal((await casesByEmployer(adminToken, employer)).length, 0);
	await screenshot(page, 'help-offline-words');
	await context.close();
});

test('a form being typed keeps its content and focus while the outbox delivers', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await openHelp(page, unitId);
	await controlled(page);

	await context.setOffline(true);
	const first = `先存后发测试${tag()}`;
	await fillValid(page, first, '1200');
	await page.getByRole('button', { name: '提交求助' }).click();
	await page.locator('#queued').waitFor({ state: 'visible' });

	/* A second case, typed while the first waits. */
	await page.getByRole('button', { name: '填写新的求助' }).click();
	const second = page.getByLabel('欠薪单位');
	await second.click();
	await page.keyboard.type('第二家');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'h-employer');

	await context.setOffline(false);
	await page.locator('[data-outbox-sent]').waitFor({ timeout: 45000 });
	assert.match(await textOf(page.locator('[data-outbox]')), new RegExp(`已发送.*${first}`),
	    'the badge reports the delivery');
	await page.locator('[data-result]').waitFor();
	assert.equal((await casesByEmployer(adminToken, first)).length, 1);

	/* The form is where it was, with what was typed, and still focused. */
	assert.ok(await page.locator('#help-form').isVisible());
	assert.equal(await page.evaluate(() => document.activeElement.id), 'h-employer');
	assert.equal(await second.inputValue(), '第二家');
	assert.ok(await onScreen(second), 'the field being typed is still on screen');
	await page.keyboard.type('公司');
	assert.equal(await second.inputValue(), '第二家公司');
	await screenshot(page, 'help-typing-while-delivered');
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});

test('a queued item shows its time in Asia/Shanghai on a phone set to New York', async () => {
	const context = await phone(browser, { timezoneId: 'America/New_York' });
	const page = await context.newPage();
	await openHelp(page, unitId);
	await controlled(page);
	const offset = await page.evaluate(() => new Date().getTimezoneOffset());
	assert.ok(offset === 300 || offset === 240, `the browser runs in New York (${offset})`);

	await context.setOffline(true);
	await fillValid(page, `时区测试${tag()}`);
	await page.getByRole('button', { name: '提交求助' }).click();
	const line = page.locator('#queued-list [data-saved-at]');
	await line.waitFor();
	const createdAt = await page.evaluate(() =>
	    JSON.parse(localStorage.getItem('swn.help.pending.v1'))[0].createdAt);
	const sh = new Date(Date.parse(createdAt) + 8 * 3600e3);
	const expected = `${sh.getUTCMonth() + 1}月${sh.getUTCDate()}日 ` +
	    `${String(sh.getUTCHours()).padStart(2, '0')}:${String(sh.getUTCMinutes()).padStart(2, '0')}`;
	assert.match(await textOf(line), new RegExp(`保存于 ${expected}`));
	const ny = await page.evaluate((t) => new Date(t).getHours(), createdAt);
	assert.notEqual(ny, sh.getUTCHours(), 'New York\'s hour is another');
	await screenshot(page, 'help-queued-new-york');
	await context.setOffline(false);

	/* The progress page writes the API's time as Shanghai's too. */
	const filed = await apiCall(null, 'POST', '/api/v1/wage-cases', {
		unit_id: unitId, employer_name: `时区查询测试${tag()}`, industry: 'services',
		reporter: { name: '王建国', phone: '13912345678' },
		workers: [{ name: '张三', amount_owed: '100' }],
	});
	assert.equal(filed.status, 201);
	const tracked = await apiCall(null, 'GET', `/api/v1/wage-cases/track?reference=` +
	    `${filed.data.reference}&code=${filed.data.tracking_code}`);
	await page.goto(url(`/help/track.html?reference=${filed.data.reference}`));
	await page.getByLabel('查询码').fill(filed.data.tracking_code);
	await page.getByRole('button', { name: '查询' }).click();
	await page.locator('[data-updated-at]').waitFor({ state: 'visible' });
	assert.equal(await textOf(page.locator('[data-updated-at]')),
	    tracked.data.updated_at.slice(0, 16).replace('T', ' '));
	await context.close();
});

test('an answer lost on the way is told apart from no network, and no case is filed twice', async () => {
	/* Without the service worker, so that page.route sees every request. */
	const context = await phone(browser, { serviceWorkers: 'block' });
	const page = await context.newPage();
	await openHelp(page, unitId);

	let release;
	const gate = new Promise((r) => { release = r; });
	const keys = [];
	await page.route('**/api/v1/wage-cases', async (route) => {
		const req = route.request();
		if (req.method() !== 'POST')
			return route.continue();
		keys.push(req.headers()['idempotency-key']);
		if (keys.length === 1) {
			/* The case is filed; its answer never reaches the phone. */
			const res = await route.fetch();
			assert.equal(res.status(), 201);
			return route.abort('connectionreset');
		}
		await gate;
		return route.continue();
	});

	const employer = `回复丢失测试${tag()}`;
	await fillValid(page, employer);
	await page.getByRole('button', { name: '提交求助' }).click();
	const queued = page.locator('#queued');
	await queued.waitFor({ state: 'visible' });
	await eventually(async () => (await textOf(page.locator('#queued-title'))) ===
	    '已发出，正在确认是否提交成功', { message: 'the page says it was sent' });
	const text = await queued.innerText();
	assert.match(text, /没有收到服务器的回复/);
	assert.doesNotMatch(text, /联网后|没有网络/, 'not "offline": the phone is online');
	assert.equal(await page.locator('#queued-list li').getAttribute('data-state'), 'unanswered');
	assert.equal((await casesByEmployer(adminToken, employer)).length, 1, 'filed already');
	await screenshot(page, 'help-unanswered');

	/* It asks again by itself, with the same key, and gets the answer. */
	release();
	const card = page.locator('[data-result]');
	await card.waitFor({ timeout: 45000 });
	assert.ok(await queued.isHidden());
	const list = await casesByEmployer(adminToken, employer);
	assert.equal(list.length, 1, 'exactly one case');
	assert.equal(await textOf(card.locator('[data-reference]')), list[0].reference);
	assert.equal(keys.length, 2);
	assert.equal(keys[1], keys[0], 'the same Idempotency-Key');
	const code = await textOf(card.locator('[data-tracking-code]'));
	const t = await apiCall(null, 'GET',
	    `/api/v1/wage-cases/track?reference=${list[0].reference}&code=${code}`);
	assert.equal(t.status, 200, 'the code shown is the right one');
	await context.close();
});

test('the unit list says it is loading, offers a retry, and is kept for the next visit', async () => {
	const context = await phone(browser, { serviceWorkers: 'block' });
	const page = await context.newPage();
	const status = page.locator('[data-list-status]');
	const option = page.locator(`#h-unit option[value="${unitId}"]`);

	/* A slow network: 3 s for every request. */
	const cdp = await context.newCDPSession(page);
	await cdp.send('Network.enable');
	await cdp.send('Network.emulateNetworkConditions', {
		offline: false, latency: 3000, downloadThroughput: -1, uploadThroughput: -1,
	});
	await page.goto(url('/help/'), { timeout: 90000 });
	await status.waitFor({ timeout: 60000 });
	assert.match(await textOf(status), /正在加载工会列表/);
	assert.ok(await page.evaluate(() => {
		const s = document.getElementById('h-unit');
		return s.options.length > 1 || s.getAttribute('aria-busy') === 'true';
	}), 'the select is marked busy until its options come');
	await screenshot(page, 'help-units-loading');
	await option.waitFor({ state: 'attached', timeout: 60000 });
	await status.waitFor({ state: 'detached' });
	await cdp.send('Network.emulateNetworkConditions', {
		offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
	});

	/* The next visit has the list at once, before any answer. */
	let release;
	const gate = new Promise((r) => { release = r; });
	await page.route('**/api/v1/units', async (route) => {
		await gate;
		return route.continue();
	});
	await page.reload();
	await option.waitFor({ state: 'attached' });
	assert.equal(await status.count(), 0, 'no loading state with a kept list');
	const fresh1 = page.waitForResponse((r) => r.url().endsWith('/api/v1/units'));
	release();
	await fresh1;
	await page.unroute('**/api/v1/units');

	/* A phone that never had the list, and a failed load: 重试. */
	const fresh = await phone(browser, { serviceWorkers: 'block' });
	const p2 = await fresh.newPage();
	await p2.route('**/api/v1/units', (route) => route.abort('connectionfailed'));
	await p2.goto(url('/help/'));
	const st2 = p2.locator('[data-list-status]');
	await eventually(async () => /没有加载成功/.test(await textOf(st2)),
	    { message: 'the failure is said' });
	await screenshot(p2, 'help-units-failed');
	await p2.unroute('**/api/v1/units');
	await st2.getByRole('button', { name: '重试' }).click();
	await p2.locator(`#h-unit option[value="${unitId}"]`).waitFor({ state: 'attached' });
	await st2.waitFor({ state: 'detached' });
	await fresh.close();
	await context.close();
});

test('invisible characters are refused before sending, in plain words; zero-width edges and +86 go', async () => {
	const context = await phone(browser, { serviceWorkers: 'block' });
	const page = await context.newPage();
	const problems = watchConsole(page);
	const posts = watchPosts(page);
	await openHelp(page, unitId);
	const employer = `隐形字符测试${tag()}`;
	const hidden = /含有看不见的特殊字符（常见于复制粘贴），请删除后重新输入$/;

	/* Pasted: a right-to-left override, a tab in a name, a name that is
	 * nothing but a zero-width space, a bell in the description. */
	await fillCase(page, unitId, `某公司\u202e司公某${tag()}`);
	await page.getByLabel('情况说明').fill('九月工资未发\u0007，十月也没有\u202e');
	await page.getByLabel('联系人姓名').fill('\u200b');
	await fillWorker(page, 0, { name: '张\t三', amount: '3500' });
	await page.getByRole('button', { name: '提交求助' }).click();
	await errorsUnder(page, 'employer_name').waitFor();
	assert.match(await textOf(errorsUnder(page, 'employer_name')), /^欠薪单位含有看不见的特殊字符/);
	assert.match(await textOf(errorsUnder(page, 'workers[0].name')), hidden);
	assert.match(await textOf(errorsUnder(page, 'description')), hidden);
	assert.equal(await textOf(errorsUnder(page, 'reporter.name')), words('required', 'text', { label: '联系人姓名' }));
	assert.equal(posts.length, 0, 'nothing was sent');

	/* What the server refuses, the page refused: same fields. */
	const direct = await apiCall(null, 'POST', '/api/v1/wage-cases', {
		unit_id: unitId, employer_name: '某公司\u202e司公某', industry: 'construction',
		description: '九月工资未发\u0007', reporter: { name: '王建国', phone: '13912345678' },
		workers: [{ name: '张\t三', amount_owed: '3500' }],
	});
	assert.equal(direct.status, 400);
	assert.deepEqual(direct.data.errors.map((e) => e.field).sort(),
	    ['description', 'employer_name', 'workers[0].name']);

	/* Cleaned: zero-width characters at the edges go like spaces, a
	 * tab and newline stay in the description, +86 goes from the phone. */
	await page.getByLabel('欠薪单位').fill(`\u200b${employer}\ufeff`);
	await page.getByLabel('情况说明').fill('九月工资未发，\n\t十月也没有');
	await page.getByLabel('联系人姓名').fill('王建国\u200b');
	await page.getByLabel('联系人手机号').fill('+86 139 1234 5678');
	await page.locator('[name="workers[0].name"]').fill('张三');
	await page.locator('[name="workers[0].phone"]').fill('0086-13600003333');
	const answer = postCase(page);
	await page.getByRole('button', { name: '提交求助' }).click();
	const res = await answer;
	assert.equal(res.status(), 201, await res.text());
	const sent = JSON.parse(res.request().postData());
	assert.equal(sent.employer_name, employer);
	assert.equal(sent.reporter.name, '王建国');
	assert.equal(sent.reporter.phone, '13912345678');
	assert.equal(sent.workers[0].phone, '13600003333');
	assert.equal(sent.description, '九月工资未发，\n\t十月也没有');
	assert.equal((await casesByEmployer(adminToken, employer)).length, 1);
	assert.deepEqual(problems, []);
	await context.close();
});
