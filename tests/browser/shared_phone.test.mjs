/*
 * One phone, a team of volunteers (375×667). Every volunteers' page says
 * who is signed in and has 退出, which ends the session (POST
 * /auth/logout) and forgets the remembered answers. What a volunteer left
 * in the outbox is theirs: after another one signs in it is neither sent
 * in that one's name nor shown to them (only that records of someone
 * else wait), and it goes when its owner signs in again. The "需要处理"
 * panel shows a refused record as people read it: 火车 not rail, the
 * unit's name, 第 3 位乘客的手机号 not travellers[2].phone.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, eventually, launch, phone, requireEnv,
	signIn, textOf, uniqueName, url, watchConsole,
} from './lib.mjs';

let browser;
let admin;
let townA;
let townB;

async function town(name) {
	const units = (await apiCall(null, 'GET', '/api/v1/units')).data.items;
	const r = await apiCall(admin, 'POST', '/api/v1/units', {
		code: uniqueName('sp'), name: `${name}${Date.now().toString(36).slice(-4)}`, kind: 'town',
		parent_id: units.find((u) => u.parent_id === null).id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	return r.data;
}

async function volunteer(unit, displayName) {
	const username = uniqueName('sp.');
	const password = 'shared-phone-123';
	const r = await apiCall(admin, 'POST', '/api/v1/users', {
		username, password, display_name: displayName, role: 'volunteer', unit_id: unit.id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	return { username, password, displayName, token: await apiLogin(username, password) };
}

before(async () => {
	requireEnv();
	browser = await launch();
	admin = await apiLogin('admin', ADMIN_PASSWORD);
	townA = await town('共用手机甲镇');
	townB = await town('共用手机乙镇');
});

after(async () => {
	await browser?.close();
});

/* Sign in through the page, as a person does. */
async function logIn(page, who) {
	await page.goto(url('/login/'));
	await page.getByLabel('用户名').fill(who.username);
	await page.getByLabel('密码', { exact: true }).fill(who.password);
	await page.getByRole('button', { name: '登录' }).click();
	await page.waitForURL((u) => !u.pathname.startsWith('/login/'));
}

async function openReturns(page) {
	await page.goto(url('/field/returns.html'));
	await page.locator('#s-province option:nth-child(2)').waitFor({ state: 'attached' });
}

/* The traveller records a volunteer made, by name. */
async function recordsNamed(token, name) {
	const r = await apiCall(token, 'GET', '/api/v1/safe-returns?limit=200');
	assert.equal(r.status, 200, JSON.stringify(r.data));
	return r.data.items.filter((x) => x.traveler.name === name);
}

test('every volunteers\' page names who is signed in and signs out with 退出', async () => {
	const vol = await volunteer(townA, '退出测试员');
	const context = await phone(browser, { serviceWorkers: 'block' });
	const page = await context.newPage();
	const problems = watchConsole(page);
	await logIn(page, vol);
	assert.equal(new URL(page.url()).pathname, '/field/');
	for (const p of ['/field/', '/field/returns.html', '/field/visits.html', '/field/checkin.html']) {
		await page.goto(url(p));
		const box = page.locator('#user-box');
		await box.waitFor({ state: 'visible' });
		assert.equal(await textOf(box.locator('[data-me-name]')), '退出测试员', `${p}: who is signed in`);
		assert.ok(await box.getByRole('button', { name: '退出' }).isVisible(), `${p}: 退出`);
	}

	await page.goto(url('/field/returns.html'));
	await page.locator('#user-box').waitFor({ state: 'visible' });
	const out = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
	await page.getByRole('button', { name: '退出' }).click();
	assert.equal((await out).status(), 204);
	await page.waitForURL(/\/login\/$/);
	/* The session is over, and the phone forgot the answers it kept. */
	const me = await page.request.get(url('/api/v1/me'));
	assert.equal(me.status(), 401);
	const kept = await page.evaluate(() => Object.keys(localStorage)
	    .filter((k) => k.startsWith('swn.cache.v1:') || k === 'swn.user.v1'));
	assert.deepEqual(kept, []);
	/* The home page without a session offers to sign in instead. */
	await page.goto(url('/field/'));
	await page.getByRole('link', { name: '登录' }).waitFor();
	assert.equal(await page.locator('#user-box').isVisible(), false);
	assert.deepEqual(problems, []);
	await context.close();
});

test('records a volunteer left on the phone wait for them: never sent or shown under the next one', async () => {
	const a = await volunteer(townA, '志愿者甲');
	const b = await volunteer(townB, '志愿者乙');
	const name = `共用${Date.now().toString(36).slice(-5)}`;
	const context = await phone(browser, { serviceWorkers: 'block' });
	const page = await context.newPage();
	const problems = watchConsole(page);
	/* Registrations sent in somebody's name (with a session cookie). */
	const posts = [];
	context.on('request', async (r) => {
		if (r.method() === 'POST' && r.url().includes('/api/v1/safe-returns') &&
		    /\bsid=/.test((await r.allHeaders()).cookie || ''))
			posts.push(r.url());
	});

	/* A registers a traveller without a network; then A's session ends. */
	await logIn(page, a);
	await openReturns(page);
	await context.setOffline(true);
	const sf = page.locator('#single-form');
	await sf.getByLabel('姓名').fill(name);
	await sf.getByLabel('手机号').fill('13900001111');
	await sf.getByLabel('家乡省份').selectOption('江西省');
	await page.getByRole('button', { name: '登记', exact: true }).click();
	await eventually(async () => (await textOf(page.locator('[data-outbox-count]'))) === '待发送 1 条',
	    { message: 'A\'s record waits' });
	await context.clearCookies();
	await context.setOffline(false);
	/* Tried again without a session: it waits for a sign-in. */
	await eventually(async () => /登录已过期/.test(await textOf(page.locator('[data-outbox]'))),
	    { message: 'the badge asks to sign in again' });
	assert.deepEqual(posts, [], 'nothing went in anybody\'s name yet');

	/* B picks up the phone and signs in. */
	await logIn(page, b);
	await page.locator('[data-outbox-others]').waitFor();
	const badge = await textOf(page.locator('[data-outbox]'));
	assert.match(badge, /另一位用户（志愿者甲）有 1 条记录等待发送/);
	assert.ok(!badge.includes(name), 'the badge does not show what A typed');
	assert.equal(await page.locator('[data-outbox-count]').count(), 0, 'nothing of B\'s waits');
	await openReturns(page);
	await page.getByRole('tab', { name: /我的返乡人员/ }).click();
	await page.locator('[data-outbox-others]').waitFor();
	assert.equal(await page.locator(`#mine li[data-name="${name}"]`).count(), 0,
	    'A\'s traveller is not in B\'s list');
	/* Rounds of the outbox go by (the interval, a visibility change):
	 * nothing is sent in B's name. */
	await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
	await page.waitForTimeout(1500);
	assert.deepEqual(posts, [], 'nothing was sent under B');
	assert.deepEqual(await recordsNamed(b.token, name), []);

	/* B signs out; A signs in again: A's record goes, in A's name. */
	await page.getByRole('button', { name: '退出' }).click();
	await page.waitForURL(/\/login\/$/);
	await logIn(page, a);
	await eventually(async () => (await recordsNamed(a.token, name)).length === 1,
	    { timeout: 20000, message: 'A\'s record reaches the server after A signs in' });
	await openReturns(page);
	await page.locator('[data-code-for] [data-arrival-code]').first().waitFor();
	assert.equal(await page.locator('[data-outbox-others]').count(), 0);
	assert.deepEqual(await recordsNamed(b.token, name), []);
	assert.deepEqual(problems, []);
	await context.close();
});

test('the 需要处理 panel shows a refused busload as people read it, and only to its owner', async () => {
	const a = await volunteer(townA, '志愿者丙');
	const b = await volunteer(townB, '志愿者丁');
	const context = await phone(browser, { serviceWorkers: 'block' });
	const page = await context.newPage();
	const problems = watchConsole(page);
	await logIn(page, a);
	await openReturns(page);

	/* A busload of three, typed offline. */
	await context.setOffline(true);
	await page.getByRole('tab', { name: '整车登记' }).click();
	const bf = page.locator('#batch-form');
	await bf.getByLabel('交通方式').selectOption('rail');
	await bf.getByLabel('补贴', { exact: true }).check();
	await bf.getByLabel('每户补贴（元）').fill('200');
	for (let i = 0; i < 3; i++) {
		if (i > 0)
			await page.getByRole('button', { name: '＋ 添加乘客' }).click();
		await page.locator(`[name="travellers[${i}].name"]`).fill(`乘客${i + 1}`);
		await page.locator(`[name="travellers[${i}].phone"]`).fill(`1390000222${i}`);
		await page.locator(`[name="travellers[${i}].hometown.province"]`).selectOption('四川省');
	}
	await page.getByRole('button', { name: '整车登记（3 位）' }).click();
	await eventually(async () => (await textOf(page.locator('[data-outbox-count]'))) === '待发送 1 条',
	    { message: 'the busload waits' });

	/* Back online, the server refuses it, naming the third passenger's
	 * phone (a refusal the page cannot foresee). */
	await page.route('**/api/v1/safe-returns/batch', (route) => route.fulfill({
		status: 400, contentType: 'application/problem+json; charset=utf-8',
		body: JSON.stringify({ type: '/api/v1/problems/validation', title: '请求有误', status: 400,
		    code: 'validation', detail: '1 处输入有误', errors: [{ field: 'travellers[2].phone',
			code: 'format', message: '手机号应为 11 位数字，以 1 开头，例如 13912345678' }] }),
	}));
	await context.setOffline(false);
	const panel = page.locator('[data-outbox-failed]');
	await panel.waitFor();
	await panel.locator('summary').click();
	const text = await textOf(panel);
	for (const words of ['交通方式火车', '帮扶方式包车、补贴', '补贴金额200.00 元', `所属工会${townA.name}`,
	    '第 3 位乘客的手机号：手机号应为 11 位数字', '第 2 位乘客的姓名乘客2', '第 1 位乘客的省份四川省'])
		assert.ok(text.includes(words), `the panel says "${words}": ${text}`);
	for (const raw of ['rail', 'charter_bus', 'subsidy', 'travellers[', 'assistance[', `所属工会${townA.id}`])
		assert.ok(!text.includes(raw), `no raw API value "${raw}" in the panel: ${text}`);
	await page.unroute('**/api/v1/safe-returns/batch');

	/* B, on the same phone, learns only that something of A's waits. */
	await page.goto(url('/field/'));
	await page.getByRole('button', { name: '退出' }).click();
	await page.waitForURL(/\/login\/$/);
	await logIn(page, b);
	await page.locator('[data-outbox-others]').waitFor();
	assert.match(await textOf(page.locator('[data-outbox-others]')),
	    /另一位用户（志愿者丙）有 1 条记录未被服务器接受/);
	assert.equal(await page.locator('[data-outbox-failed]').count(), 0, 'no panel for B');
	assert.ok(!(await textOf(page.locator('[data-outbox]'))).includes('乘客'));
	assert.deepEqual(problems, []);
	await context.close();
});
