/*
 * The shared page behaviour as union staff meet it on a case
 * (/admin/case.html) on a 375×667 phone: a button that says what it is
 * doing while the server works, the result of an action on screen wherever
 * the page was scrolled to, a closing confirmation that names the money
 * still owed, and a refused recovery whose message goes as soon as the
 * amount is changed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, PHONE, apiCall, apiLogin, eventually, launch, phone,
	requireEnv, screenshot, signIn, textOf, uniqueName, units, url, watchConsole,
} from './lib.mjs';

const STAFF_PASSWORD = 'staff-forms-pw-123';

let browser;
let adminToken;
let context;
let page;
let csp;
let unitId;

before(async () => {
	requireEnv();
	browser = await launch();
	adminToken = await apiLogin('admin', ADMIN_PASSWORD);
	unitId = (await units()).find((u) => u.name === '潞城街道').id;
	const username = uniqueName('fe.forms.');
	const r = await apiCall(adminToken, 'POST', '/api/v1/users', {
		username, password: STAFF_PASSWORD, display_name: '表单测试员',
		role: 'staff', unit_id: 1,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	context = await phone(browser);
	await signIn(context, username, STAFF_PASSWORD);
	page = await context.newPage();
	csp = watchConsole(page);
});

after(async () => {
	await context?.close();
	await browser?.close();
});

async function newCase() {
	const r = await apiCall(null, 'POST', '/api/v1/wage-cases', {
		unit_id: unitId,
		employer_name: `表单测试厂${Date.now().toString(36)}`,
		industry: 'manufacturing',
		reporter: { name: '周师傅', phone: '13700002222' },
		workers: [
			{ name: '张三', amount_owed: '12000' },
			{ name: '李四', amount_owed: '5000.50' },
		],
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	return r.data;
}

async function openCase(id) {
	await page.goto(url(`/admin/case.html?id=${id}`));
	await page.locator('#case').waitFor({ state: 'visible' });
}

/* Holds the next POST to path until the function it returns is called. */
async function holdNext(path) {
	let release;
	let sent;
	const gate = new Promise((r) => { release = r; });
	const passed = new Promise((r) => { sent = r; });
	let held = false;
	const handler = async (route) => {
		if (route.request().method() !== 'POST' || held)
			return route.continue();
		held = true;
		await gate;
		await route.continue();
		sent();
	};
	await page.route(`**${path}`, handler);
	return async () => {
		release();
		await passed;
		await page.unroute(`**${path}`, handler);
	};
}

/* Is all of the node inside the 375×667 screen? */
async function onScreen(locator) {
	const b = await locator.boundingBox();
	return b !== null && b.y >= 0 && b.y + b.height <= PHONE.height &&
	    b.x >= 0 && b.x + b.width <= PHONE.width;
}

const actionButton = (name) =>
	page.locator('#action-buttons').getByRole('button', { name, exact: true });

test('a move says what it is doing, and its result appears on screen', async () => {
	const c = await newCase();
	await openCase(c.id);
	/* Scrolled so that the top of the page, where messages used to go,
	 * is out of sight. */
	await actionButton('受理').scrollIntoViewIfNeeded();
	await page.evaluate(() => window.scrollBy(0, 200));

	const release = await holdNext(`/api/v1/wage-cases/${c.id}/transitions`);
	await actionButton('受理').click();
	const busyButton = page.locator('#action-buttons button[aria-busy="true"]');
	await busyButton.waitFor();
	assert.equal(await textOf(busyButton), '正在受理…');
	assert.ok(await busyButton.isDisabled());
	await screenshot(page, 'case-busy');
	await release();

	const toast = page.locator('[data-toast="ok"]').filter({ hasText: '受理成功' });
	await toast.waitFor();
	assert.ok(await onScreen(toast), 'the result is on screen');
	assert.match(await textOf(toast), /已受理/);
	assert.equal(await textOf(page.locator('#c-status')), '已受理');
	await screenshot(page, 'case-accepted-toast');
	/* It can be dismissed, and its close button is big enough to hit. */
	const close = toast.getByRole('button', { name: '关闭提示' });
	const box = await close.boundingBox();
	assert.ok(box.width >= 44 && box.height >= 44, `close is ${box.width}×${box.height}`);
	await close.click();
	await toast.waitFor({ state: 'detached' });
});

test('closing with money still owed names it; the result of closing is on screen', async () => {
	const c = await newCase();
	let kase = (await apiCall(adminToken, 'GET', `/api/v1/wage-cases/${c.id}`)).data;
	const r = await fetch(url(`/api/v1/wage-cases/${c.id}/transitions`), {
		method: 'POST',
		headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json',
		    'If-Match': `"${kase.version}"` },
		body: JSON.stringify({ to: 'accepted' }),
	});
	assert.equal(r.status, 200);
	kase = (await apiCall(adminToken, 'GET', `/api/v1/wage-cases/${c.id}`)).data;
	const rec = await apiCall(adminToken, 'POST', `/api/v1/wage-cases/${c.id}/recoveries`, {
		worker_id: kase.workers[1].id, amount: '1000', recovered_on: kase.accepted_on,
	});
	assert.equal(rec.status, 201, JSON.stringify(rec.data));

	await openCase(c.id);
	await actionButton('结案').scrollIntoViewIfNeeded();
	await actionButton('结案').click();
	const dialog = page.getByRole('dialog');
	await dialog.waitFor();
	/* 12000 + 5000.50 owed, 1000 recovered. */
	assert.equal(await textOf(dialog.locator('h2')), '仍有 16,000.50 元未追回，确定结案？');
	assert.match(await dialog.innerText(), /结案后.*不能再登记追回金额/);
	assert.ok(await onScreen(dialog), 'the question is on screen');
	/* A stray tap lands on 取消. */
	assert.equal(await page.evaluate(() => document.activeElement.textContent), '取消');
	await screenshot(page, 'case-close-confirm');
	await dialog.getByRole('button', { name: '取消' }).click();
	await page.locator('dialog[data-confirm]').waitFor({ state: 'detached' });
	assert.equal(await textOf(page.locator('#c-status')), '已受理', 'nothing happened');

	const release = await holdNext(`/api/v1/wage-cases/${c.id}/transitions`);
	await actionButton('结案').click();
	await dialog.getByRole('button', { name: '确定结案' }).click();
	const busyButton = page.locator('#action-buttons button[aria-busy="true"]');
	await busyButton.waitFor();
	assert.equal(await textOf(busyButton), '正在结案…');
	await release();

	/* The action card goes with the move; the result is where the person looks. */
	const toast = page.locator('[data-toast="ok"]').filter({ hasText: '结案成功' });
	await toast.waitFor();
	assert.ok(await onScreen(toast), 'the result of closing is on screen');
	assert.ok(await page.locator('#actions').isHidden());
	assert.equal(await textOf(page.locator('#c-status')), '已结案');
	await screenshot(page, 'case-closed-toast');

	/* Rejecting asks too, and says what it ends. */
	const other = await newCase();
	await openCase(other.id);
	await actionButton('不予受理').click();
	await dialog.waitFor();
	assert.equal(await textOf(dialog.locator('h2')), '确定不予受理？');
	assert.match(await dialog.innerText(), /案件将就此结束/);
	await dialog.getByRole('button', { name: '取消' }).click();
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
});

test('a refused recovery\'s message goes as soon as the amount changes', async () => {
	const c = await newCase();
	await openCase(c.id);
	await actionButton('受理').click();
	await eventually(async () => (await textOf(page.locator('#c-status'))) === '已受理',
	    { message: 'accepted' });
	const kase = (await apiCall(adminToken, 'GET', `/api/v1/wage-cases/${c.id}`)).data;

	await page.getByLabel('农民工', { exact: true }).selectOption(String(kase.workers[1].id));
	await page.getByLabel('金额（元）').fill('6000');
	const answer = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/recoveries'));
	await page.getByRole('button', { name: '登记追回' }).click();
	const res = await answer;
	assert.equal(res.status(), 409);
	const amountErr = page.locator('.field').filter({ has: page.locator('[name="amount"]') })
	    .locator('.field-error');
	await eventually(async () => (await textOf(amountErr)) === (await res.json()).detail,
	    { message: 'the refusal is under the amount' });

	await page.getByLabel('金额（元）').fill('500');
	assert.equal(await amountErr.count(), 0, 'gone with the new amount');
	assert.equal(await page.getByLabel('金额（元）').getAttribute('aria-invalid'), null);

	/* A bad amount is caught on the phone in the server's words. */
	await page.getByLabel('金额（元）').fill('五百');
	await page.getByRole('button', { name: '登记追回' }).click();
	await eventually(async () => (await textOf(amountErr)) ===
	    '金额应为数字，最多两位小数，例如 3500 或 3500.50',
	    { message: 'the format is explained' });

	/* And a good one is recorded, the button saying so meanwhile. */
	await page.getByLabel('金额（元）').fill('500');
	const release = await holdNext(`/api/v1/wage-cases/${c.id}/recoveries`);
	await page.getByRole('button', { name: '登记追回' }).click();
	const busyButton = page.locator('#recovery-form button[aria-busy="true"]');
	await busyButton.waitFor();
	assert.equal(await textOf(busyButton), '正在登记…');
	await release();
	const toast = page.locator('[data-toast="ok"]').filter({ hasText: '已登记' });
	await toast.waitFor();
	assert.ok(await onScreen(toast));
	assert.equal(await textOf(page.locator('#c-recovered')), '500.00 元');
});

test('a note emptied after its action succeeded: the counter says 0, and so after a form reset', async () => {
	const c = await newCase();
	await openCase(c.id);
	const note = page.locator('#t-note');
	const counter = page.locator('#t-note ~ .counter');
	await note.fill('请尽快调解');
	assert.equal(await textOf(counter), '5/2000');
	await actionButton('受理').click();
	await page.locator('[data-toast="ok"]').filter({ hasText: '受理成功' }).last().waitFor();
	assert.equal(await note.inputValue(), '');
	assert.equal(await textOf(counter), '0/2000', 'the counter follows the emptied box');

	/* form.reset() (the pages' other way of emptying a form). */
	await note.fill('再写一句');
	assert.equal(await textOf(counter), '4/2000');
	await page.evaluate(() => document.getElementById('t-note').form.reset());
	await eventually(async () => (await textOf(counter)) === '0/2000',
	    { message: 'the counter follows a reset' });
});
