/*
 * The outbox on a phone that loses its network: a form filled in offline
 * is kept on the phone, survives a reload (the service worker serves the
 * page), and reaches the server exactly once when the network is back,
 * even when the server's first answer is lost on the way.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, allUsers, apiLogin, eventually, launch, phone,
	requireEnv, screenshot, signIn, textOf, uniqueName, url, watchConsole,
} from './lib.mjs';

let browser;
let adminToken;

before(async () => {
	requireEnv();
	browser = await launch();
	adminToken = await apiLogin('admin', ADMIN_PASSWORD);
});

after(async () => {
	await browser?.close();
});

async function openAdmin(page) {
	await page.goto(url('/admin/'));
	await page.locator('#user-form').waitFor({ state: 'visible' });
	/* The unit list has arrived when the select has more than its prompt. */
	await page.locator('#u-unit option:nth-child(2)').waitFor({ state: 'attached' });
}

async function fillUser(page, username) {
	await page.getByLabel('用户名').fill(username);
	await page.getByLabel('姓名').fill('离线志愿者');
	await page.getByLabel('初始密码').fill('offline-pass-123');
	await page.getByLabel('角色').selectOption('volunteer');
	const unit = page.getByLabel('所属单位');
	const value = await unit.locator('option:nth-child(2)').getAttribute('value');
	await unit.selectOption(value);
}

async function countUsers(username) {
	return (await allUsers(adminToken)).filter((u) => u.username === username).length;
}

const badgeCount = (page) => textOf(page.locator('[data-outbox] [data-outbox-count]'));

test('a user created offline is sent once when the network returns', async () => {
	const context = await phone(browser);
	await signIn(context, 'admin', ADMIN_PASSWORD);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await openAdmin(page);
	await page.waitForFunction(() => navigator.serviceWorker &&
	    navigator.serviceWorker.controller !== null, null, { timeout: 20000 });

	await context.setOffline(true);
	const username = uniqueName('fe.off.');
	await fillUser(page, username);
	await page.getByRole('button', { name: '创建用户' }).click();

	await eventually(async () => (await badgeCount(page)) === '待发送 1 条',
	    { message: 'the badge counts one pending record' });
	assert.ok(await page.locator('[data-outbox]').isVisible());
	assert.match(await textOf(page.locator('#user-form-ok')), /保存在本机/);
	await screenshot(page, 'outbox-offline');

	/* Still offline: the service worker serves the page, the outbox stays. */
	await page.reload();
	await page.locator('#user-form').waitFor({ state: 'visible' });
	await eventually(async () => (await badgeCount(page)) === '待发送 1 条',
	    { message: 'the badge still counts one after a reload' });
	assert.equal(await countUsers(username), 0, 'nothing reached the server yet');
	await screenshot(page, 'outbox-offline-reloaded');

	await context.setOffline(false);
	await page.locator('[data-outbox]').waitFor({ state: 'hidden', timeout: 45000 });
	assert.equal(await countUsers(username), 1, 'exactly one user with that name');
	/* The page learns of it and lists the new user. */
	await page.locator(`#user-list li[data-username="${username}"]`)
	    .waitFor({ state: 'visible', timeout: 10000 });
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});

test('a lost answer is said to be one, and retried with the same key, once', async () => {
	/* Without the service worker, so that page.route sees every request. */
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, 'admin', ADMIN_PASSWORD);
	const page = await context.newPage();
	await openAdmin(page);

	/* The retry waits until the test has seen what the page says. */
	let release;
	const gate = new Promise((r) => { release = r; });
	const posts = [];
	await page.route('**/api/v1/users', async (route) => {
		const req = route.request();
		if (req.method() !== 'POST')
			return route.continue();
		posts.push(req.headers()['idempotency-key']);
		if (posts.length === 1) {
			/* The server does the work, the phone never hears back. */
			const res = await route.fetch();
			assert.equal(res.status(), 201, 'the first try was taken');
			return route.abort('connectionreset');
		}
		await gate;
		return route.continue();
	});

	const username = uniqueName('fe.lost.');
	await fillUser(page, username);
	const lost = page.waitForEvent('requestfailed');
	await page.getByRole('button', { name: '创建用户' }).click();
	await lost;
	await eventually(async () => (await badgeCount(page)) === '待发送 1 条',
	    { message: 'the unanswered record waits in the outbox' });
	/* Online all along: not "no network", but "sent, waiting for the answer". */
	const note = page.locator('[data-outbox] [data-outbox-state]');
	assert.equal(await note.getAttribute('data-outbox-state'), 'unanswered');
	assert.match(await textOf(note), /已发出/);
	assert.doesNotMatch(await textOf(page.locator('[data-outbox]')), /没有网络/);
	assert.match(await textOf(page.locator('#user-form-ok')), /没有收到服务器的回复/);
	assert.equal(await countUsers(username), 1, 'the server has it already');
	await screenshot(page, 'outbox-unanswered');

	/* It checks again by itself, with the same key. */
	const replay = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/api/v1/users'), { timeout: 45000 });
	release();
	const res = await replay;
	assert.ok(res.status() === 201, `the retry is answered 201 (got ${res.status()})`);
	assert.equal(res.headers()['idempotent-replayed'], 'true',
	    'the server replays the first answer');
	await eventually(async () => /已发送/.test(await textOf(page.locator('[data-outbox]'))),
	    { message: 'the badge reports the delivery' });
	await page.locator('[data-outbox]').waitFor({ state: 'hidden' });

	assert.equal(posts.length, 2);
	assert.ok(posts[0], 'the POST carries an Idempotency-Key');
	assert.equal(posts[1], posts[0], 'the retry carries the same key');
	assert.equal(await countUsers(username), 1, 'still exactly one user');
	await context.close();
});

test('a record refused after reconnecting is kept for a person to fix', async () => {
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, 'admin', ADMIN_PASSWORD);
	const page = await context.newPage();
	await openAdmin(page);

	/* A name already taken: only the server can know. */
	await context.setOffline(true);
	await fillUser(page, 'admin');
	await page.getByRole('button', { name: '创建用户' }).click();
	await eventually(async () => (await badgeCount(page)) === '待发送 1 条');

	const answer = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/api/v1/users'));
	await context.setOffline(false);
	const res = await answer;
	assert.equal(res.status(), 409);
	const message = (await res.json()).detail;

	/* Out of the queue, but still on screen with what was typed. */
	const failed = page.locator('[data-outbox-failed]');
	await failed.waitFor({ state: 'visible' });
	assert.match(await textOf(failed.locator('summary')), /需要处理 1 条/);
	assert.equal(await page.locator('[data-outbox-count]').count(), 0, 'nothing pending');
	await failed.locator('summary').click();
	const item = failed.locator('li').first();
	assert.match(await item.innerText(), /admin/);
	assert.match(await item.innerText(), new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
	assert.doesNotMatch(await item.innerText(), /offline-pass-123/, 'the password is not shown');
	await screenshot(page, 'outbox-needs-attention');

	/* Put back into the form, with the server's message under the field. */
	await item.getByRole('button', { name: '放回表单修改' }).click();
	assert.equal(await page.getByLabel('用户名').inputValue(), 'admin');
	assert.equal(await page.getByLabel('初始密码').inputValue(), 'offline-pass-123');
	assert.equal(await page.getByLabel('用户名').getAttribute('aria-invalid'), 'true');
	assert.equal(await textOf(page.locator('.field').filter({ has: page.getByLabel('用户名') })
	    .locator('.field-error')), message);
	await page.locator('[data-outbox]').waitFor({ state: 'hidden' });
	await context.close();
});

test('a record sent after the session ended waits for the next sign-in', async () => {
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, 'admin', ADMIN_PASSWORD);
	const page = await context.newPage();
	await openAdmin(page);

	await context.setOffline(true);
	const username = uniqueName('fe.auth.');
	await fillUser(page, username);
	await page.getByRole('button', { name: '创建用户' }).click();
	await eventually(async () => (await badgeCount(page)) === '待发送 1 条');

	/* The session is gone (expired, or signed out elsewhere). */
	await context.clearCookies();
	const refused = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/api/v1/users'));
	await context.setOffline(false);
	assert.equal((await refused).status(), 401);

	const badge = page.locator('[data-outbox]');
	await eventually(async () => /登录已过期/.test(await textOf(badge)),
	    { message: 'the badge asks to sign in again' });
	assert.equal(await badgeCount(page), '待发送 1 条', 'still queued');
	assert.equal(await countUsers(username), 0);
	await screenshot(page, 'outbox-signed-out');

	await badge.getByRole('link', { name: '重新登录' }).click();
	await page.waitForURL((u) => u.pathname === '/login/');
	await page.getByLabel('用户名').fill('admin');
	await page.getByLabel('密码', { exact: true }).fill(ADMIN_PASSWORD);
	await page.getByRole('button', { name: '登录' }).click();
	await page.waitForURL(url('/admin/'));
	await badge.waitFor({ state: 'hidden', timeout: 15000 });
	assert.equal(await countUsers(username), 1, 'sent exactly once after signing in');
	await context.close();
});
