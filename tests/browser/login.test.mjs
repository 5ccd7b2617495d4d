/*
 * Signing in as a person would: the staff page sends a stranger to the
 * sign-in page, a wrong password is refused in plain Chinese, the right
 * one leads back with the user's name on screen; volunteers land on their
 * own page; repeated failures lock the account with a wait to show.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, assertNoHorizontalScroll, eventually,
	launch, phone, requireEnv, screenshot, textOf, uniqueName, units, url,
	watchConsole,
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

async function createUser(role) {
	const list = await units();
	const user = {
		username: uniqueName('fe.login.'),
		password: 'login-test-pw-1',
		display_name: `登录测试${role === 'volunteer' ? '志愿者' : '人员'}`,
		role,
		unit_id: list.find((u) => u.parent_id !== null)?.id ?? list[0].id,
	};
	const r = await apiCall(adminToken, 'POST', '/api/v1/users', user);
	assert.equal(r.status, 201, JSON.stringify(r.data));
	return user;
}

test('wrong password is refused, the right one opens the staff page', async () => {
	const me = await apiCall(adminToken, 'GET', '/api/v1/me');
	assert.equal(me.status, 200);

	const context = await phone(browser);
	const page = await context.newPage();
	const csp = watchConsole(page);

	/* Not signed in: the staff page sends us to sign in, and back after. */
	await page.goto(url('/admin/'));
	await page.waitForURL((u) => u.pathname === '/login/');
	assert.equal(new URL(page.url()).searchParams.get('next'), '/admin/');

	await page.getByLabel('用户名').fill('admin');
	await page.getByLabel('密码', { exact: true }).fill(`${ADMIN_PASSWORD}-wrong`);
	await page.getByRole('button', { name: '登录' }).click();
	const error = page.locator('[data-form-error]');
	await eventually(async () => (await textOf(error)) === '用户名或密码错误',
	    { message: 'the wrong password is reported as 用户名或密码错误' });
	assert.ok(await error.isVisible());
	assert.equal(page.url().includes('/login/'), true, 'still on the sign-in page');
	await assertNoHorizontalScroll(page, 'login error');
	await screenshot(page, 'login-wrong-password');

	await page.getByLabel('密码', { exact: true }).fill(ADMIN_PASSWORD);
	await page.getByRole('button', { name: '登录' }).click();
	await page.waitForURL(url('/admin/'));
	const name = page.locator('header [data-me-name]');
	await eventually(async () => (await textOf(name)) === me.data.display_name,
	    { message: `the header shows ${me.data.display_name}` });
	assert.ok(await name.isVisible());
	assert.ok(await page.getByRole('button', { name: '退出' }).isVisible());
	await assertNoHorizontalScroll(page, 'admin home');
	await screenshot(page, 'admin-home');

	/* 退出 ends the session: the staff page asks to sign in again. */
	await page.getByRole('button', { name: '退出' }).click();
	await page.waitForURL((u) => u.pathname === '/login/');
	await page.goto(url('/admin/'));
	await page.waitForURL((u) => u.pathname === '/login/');
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});

test('a volunteer lands on the volunteer page', async () => {
	const user = await createUser('volunteer');
	const context = await phone(browser);
	const page = await context.newPage();
	await page.goto(url('/login/'));
	await page.getByLabel('用户名').fill(user.username);
	await page.getByLabel('密码', { exact: true }).fill(user.password);
	await page.getByRole('button', { name: '登录' }).click();
	await page.waitForURL(url('/field/'));
	await context.close();
});

test('five failures lock the account and the page says how long', async () => {
	const user = await createUser('staff');
	const context = await phone(browser);
	const page = await context.newPage();
	await page.goto(url('/login/'));
	const error = page.locator('[data-form-error]');
	for (let i = 1; i <= 5; i++) {
		await page.getByLabel('用户名').fill(user.username);
		await page.getByLabel('密码', { exact: true }).fill(`wrong-password-${i}`);
		const answer = page.waitForResponse((r) =>
		    r.url().endsWith('/api/v1/auth/login'));
		await page.getByRole('button', { name: '登录' }).click();
		assert.equal((await answer).status(), 401, `failure ${i} is a 401`);
		await eventually(async () => (await textOf(error)) === '用户名或密码错误');
	}
	/* Now even the right password is turned away for a while. */
	await page.getByLabel('用户名').fill(user.username);
	await page.getByLabel('密码', { exact: true }).fill(user.password);
	const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
	await page.getByRole('button', { name: '登录' }).click();
	const res = await answer;
	assert.equal(res.status(), 429);
	const text = await eventually(async () => {
		const t = await textOf(error);
		return t.includes('锁定') && t;
	}, { message: 'the lockout is explained' });
	assert.match(text, /请 \d+ 分钟后再试/, 'the wait is shown in minutes');
	assert.ok(page.url().includes('/login/'));
	await screenshot(page, 'login-locked');
	await context.close();
});
