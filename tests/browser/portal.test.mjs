/*
 * The portal and the placeholder pages on a 375×667 phone: the four doors
 * are there, in Chinese, large enough to tap, and nothing scrolls sideways.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	assertNoHorizontalScroll, launch, phone, requireEnv, screenshot, url,
	watchConsole,
} from './lib.mjs';

let browser;

before(async () => {
	requireEnv();
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

test('portal shows the four services in Chinese, phone-sized', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await page.goto(url('/'));

	assert.equal(await page.title(), '常州经开区总工会 · 农民工服务 (送温暖)');
	assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');

	const doors = [
		['招聘会报名', '/fair/'],
		['欠薪求助', '/help/'],
		['志愿者', '/field/'],
		['工作人员', '/admin/'],
	];
	const links = page.locator('nav a');
	assert.equal(await links.count(), 4, 'exactly four links in the portal');
	for (const [i, [name, href]] of doors.entries()) {
		const link = links.nth(i);
		assert.ok(await link.isVisible(), `${name} is visible`);
		assert.match(await link.innerText(), new RegExp(name));
		assert.equal(await link.getAttribute('href'), href);
		const box = await link.boundingBox();
		assert.ok(box.height >= 48, `${name} is at least 48 px tall (${box.height})`);
		assert.ok(box.x >= 0 && box.x + box.width <= 375,
		    `${name} fits the screen width`);
	}
	/* Accessible names come from the visible text. */
	for (const [name] of doors)
		assert.ok(await page.getByRole('link', { name: new RegExp(name) }).isVisible());

	assert.ok(await page.getByText('江苏常州经济开发区总工会').first().isVisible());
	const fontSize = await page.evaluate(() =>
	    parseFloat(getComputedStyle(document.body).fontSize));
	assert.ok(fontSize >= 16, `body text is ${fontSize}px`);
	await assertNoHorizontalScroll(page, 'portal');
	await screenshot(page, 'portal');
	assert.deepEqual(csp, [], 'no CSP violations or script errors');

	/* Each door opens a page of its own. */
	await links.nth(1).click();
	await page.waitForURL(url('/help/'));
	assert.ok(await page.getByRole('button', { name: '提交求助' }).isVisible());
	await context.close();
});

test('the volunteers\' page and the sign-in page fit a phone', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await page.goto(url('/field/'));
	for (const name of ['平安返乡', '走访慰问', '招聘会签到'])
		assert.ok(await page.getByRole('link', { name: new RegExp(name) }).isVisible(), name);
	assert.ok(await page.getByRole('link', { name: '返回首页' }).first().isVisible());
	await assertNoHorizontalScroll(page, '/field/');
	await page.goto(url('/login/'));
	assert.ok(await page.getByLabel('用户名').isVisible());
	assert.ok(await page.getByLabel('密码', { exact: true }).isVisible());
	await assertNoHorizontalScroll(page, '/login/');
	await screenshot(page, 'login');
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});
