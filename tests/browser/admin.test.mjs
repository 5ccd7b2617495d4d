/*
 * The staff page as an admin uses it: create a user and a unit, and see
 * the server's refusals written under the field they concern.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, allUsers, apiCall, apiLogin, assertNoHorizontalScroll, eventually,
	launch, phone, requireEnv, screenshot, signIn, textOf, uniqueName, units,
	url, watchConsole,
} from './lib.mjs';

let browser;
let adminToken;
let context;
let page;
let csp;

before(async () => {
	requireEnv();
	browser = await launch();
	adminToken = await apiLogin('admin', ADMIN_PASSWORD);
	context = await phone(browser);
	await signIn(context, 'admin', ADMIN_PASSWORD);
	page = await context.newPage();
	csp = watchConsole(page);
	await page.goto(url('/admin/'));
	await page.locator('#user-form').waitFor({ state: 'visible' });
	await page.locator('#u-unit option:nth-child(2)').waitFor({ state: 'attached' });
});

after(async () => {
	await context?.close();
	await browser?.close();
});

/* The messages under the control labelled `label`. */
function fieldErrors(label) {
	return page.locator('.field').filter({ has: page.getByLabel(label, { exact: true }) })
	    .locator('.field-error');
}

async function fillUser(username, password = 'admin-test-pw-1') {
	await page.getByLabel('用户名').fill(username);
	await page.getByLabel('姓名').fill('测试工作人员');
	await page.getByLabel('初始密码').fill(password);
	await page.getByLabel('角色').selectOption('staff');
	await page.getByLabel('所属单位').selectOption({ index: 1 });
}

async function postUsers(click) {
	const answer = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/api/v1/users'));
	await click();
	return answer;
}

test('the page lists users and units and fits a phone', async () => {
	/* Newest first: other tests may have created many users, so the
	 * first page need not reach admin; its first entry must be recent. */
	const first = page.locator('#user-list li[data-username]').first();
	await first.waitFor({ state: 'visible' });
	const recent = (await allUsers(adminToken)).slice(0, 100).map((u) => u.username);
	assert.ok(recent.includes(await first.getAttribute('data-username')),
	    'the list starts with the newest users');
	for (const u of await units())
		assert.ok(await page.locator(`#unit-tree li[data-unit-id="${u.id}"]`).count() === 1,
		    `unit ${u.name} is in the tree`);
	assert.ok(await page.getByText('江苏常州经济开发区总工会').first().isVisible());
	await assertNoHorizontalScroll(page, 'admin');
	await screenshot(page, 'admin-admin');
});

/* What the server says about a user body, straight from the API. */
async function serverErrors(body) {
	const r = await apiCall(adminToken, 'POST', '/api/v1/users', {
		display_name: '测试工作人员', role: 'staff', unit_id: 1, ...body,
	});
	assert.equal(r.status, 400, JSON.stringify(r.data));
	return Object.fromEntries(r.data.errors.map((e) => [e.field, e.message]));
}

/* Counts the POSTs to /users the page makes from now on. */
function watchPosts() {
	const posts = [];
	page.on('request', (r) => {
		if (r.method() === 'POST' && r.url().endsWith('/api/v1/users'))
			posts.push(r);
	});
	return posts;
}

test('a bad username is caught on the phone, in the server\'s words', async () => {
	const posts = watchPosts();
	await fillUser('A B');
	await page.getByRole('button', { name: '创建用户' }).click();
	const server = await serverErrors({ username: 'A B', password: 'admin-test-pw-1' });
	assert.ok(server.username, 'the server names the username field');

	const shown = fieldErrors('用户名');
	await eventually(async () => (await textOf(shown)) === server.username,
	    { message: `"${server.username}" under the username` });
	assert.ok(await shown.first().isVisible());
	assert.equal(await page.getByLabel('用户名').getAttribute('aria-invalid'), 'true');
	/* Nothing else is flagged, nothing was sent, nothing is in the outbox. */
	assert.equal(await page.locator('[aria-invalid="true"]').count(), 1);
	assert.equal(posts.length, 0);
	assert.ok(await page.locator('[data-outbox]').isHidden());
	await assertNoHorizontalScroll(page, 'admin with errors');
	await screenshot(page, 'admin-bad-username');
	assert.equal((await allUsers(adminToken)).filter((u) => u.username === 'A B').length, 0);
});

test('several bad fields are all shown at once', async () => {
	const posts = watchPosts();
	await fillUser('Bad Name', 'short');
	await page.getByRole('button', { name: '创建用户' }).click();
	const server = await serverErrors({ username: 'Bad Name', password: 'short' });
	assert.deepEqual(Object.keys(server).sort(), ['password', 'username'],
	    'the server lists both fields');
	await eventually(async () => (await page.locator('[aria-invalid="true"]').count()) === 2,
	    { message: 'both fields are flagged' });
	for (const field of ['username', 'password']) {
		const control = page.locator(`[name="${field}"]`);
		assert.equal(await control.getAttribute('aria-invalid'), 'true', field);
	}
	assert.equal(await textOf(fieldErrors('初始密码')), server.password);
	assert.equal(await textOf(fieldErrors('用户名')), server.username);
	assert.equal(posts.length, 0);
	await screenshot(page, 'admin-two-errors');
});

test('a new user appears in the list; the same name again is refused', async () => {
	const username = uniqueName('fe.new.');
	await fillUser(username);
	const res = await postUsers(() => page.getByRole('button', { name: '创建用户' }).click());
	assert.equal(res.status(), 201);
	await page.locator(`#user-list li[data-username="${username}"]`).waitFor();
	assert.match(await textOf(page.locator('#user-form-ok')), new RegExp(username));
	assert.equal(await page.getByLabel('用户名').inputValue(), '', 'the form is cleared');

	await fillUser(username);
	const again = await postUsers(() => page.getByRole('button', { name: '创建用户' }).click());
	assert.equal(again.status(), 409);
	const problem = await again.json();
	await eventually(async () => (await textOf(fieldErrors('用户名'))).length > 0,
	    { message: 'the conflict is shown under the username' });
	const shown = await textOf(fieldErrors('用户名'));
	const expected = (problem.errors || []).find((e) => e.field === 'username')?.message ??
	    problem.detail;
	assert.equal(shown, expected);
	assert.equal((await allUsers(adminToken)).filter((u) => u.username === username).length, 1);
});

test('a new unit appears in the tree under its parent', async () => {
	const code = uniqueName('fe').replace(/[.]/g, '');
	const name = `测试工会${code.slice(-6)}`;
	await page.getByLabel('单位名称').fill(name);
	await page.getByLabel('单位代码').fill(code);
	await page.getByLabel('类型').selectOption('direct');
	const parent = (await units()).find((u) => u.parent_id === null);
	await page.getByLabel('上级单位').selectOption(String(parent.id));
	const answer = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/api/v1/units'));
	await page.getByRole('button', { name: '创建单位' }).click();
	const res = await answer;
	assert.equal(res.status(), 201, JSON.stringify(await res.json().catch(() => null)));
	const created = await res.json();
	const item = page.locator(`#unit-tree li[data-unit-id="${parent.id}"] > ul > li[data-unit-id="${created.id}"]`);
	await item.waitFor();
	assert.match(await item.innerText(), new RegExp(name));
	const stored = (await units()).find((u) => u.code === code);
	assert.equal(stored?.name, name);
	assert.equal(stored?.parent_id, parent.id);

	/* The same code again: the conflict is shown under the code. */
	await page.getByLabel('单位名称').fill(`${name}二`);
	await page.getByLabel('单位代码').fill(code);
	await page.getByLabel('类型').selectOption('direct');
	const again = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/api/v1/units'));
	await page.getByRole('button', { name: '创建单位' }).click();
	const conflict = await again;
	assert.equal(conflict.status(), 409);
	const problem = await conflict.json();
	const expected = (problem.errors || []).find((e) => e.field === 'code')?.message ??
	    problem.detail;
	await eventually(async () => (await textOf(fieldErrors('单位代码'))) === expected,
	    { message: `"${expected}" under the unit code` });
	assert.equal((await units()).filter((u) => u.code === code).length, 1);
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
});
