/*
 * 送温暖活动 (/admin/campaigns.html) on a 375×667 phone: an admin finds it
 * from the staff home and from the statistics page's campaign picker,
 * gets every problem at once (the server's rules on the dates included)
 * before anything is sent, creates a campaign (also without a network,
 * through the outbox), and changes one with If-Match, told when someone
 * else changed it first while what they typed stays. Staff see the list
 * only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, assertNoHorizontalScroll, eventually,
	launch, phone, requireEnv, signIn, textOf, uniqueName, url, watchConsole,
} from './lib.mjs';
import { errorsUnder } from './help_lib.mjs';

let browser;
let admin;

before(async () => {
	requireEnv();
	browser = await launch();
	admin = await apiLogin('admin', ADMIN_PASSWORD);
});

after(async () => {
	await browser?.close();
});

const tag = () => Date.now().toString(36).slice(-6);

async function campaignNamed(title) {
	const r = await apiCall(admin, 'GET', '/api/v1/campaigns?limit=200');
	assert.equal(r.status, 200, JSON.stringify(r.data));
	return r.data.items.filter((c) => c.title === title);
}

test('an admin creates a campaign: found from home and stats, every problem at once, offline too', async () => {
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, 'admin', ADMIN_PASSWORD);
	const page = await context.newPage();
	const problems = watchConsole(page);
	const posts = [];
	page.on('request', (r) => {
		if (r.method() === 'POST' && r.url().endsWith('/api/v1/campaigns'))
			posts.push(r.url());
	});

	await page.goto(url('/admin/stats/'));
	await page.locator('#pick-card').waitFor({ state: 'visible' });
	await page.getByRole('link', { name: /管理活动/ }).click();
	await page.waitForURL(/\/admin\/campaigns\.html$/);
	await page.goto(url('/admin/'));
	await page.locator('#link-campaigns').click();
	await page.waitForURL(/\/admin\/campaigns\.html$/);
	await page.locator('#campaign-list li').first().waitFor();
	await assertNoHorizontalScroll(page, 'the campaigns page');

	/* Nothing filled in: all four at once. */
	const form = page.locator('#campaign-form');
	await page.getByRole('button', { name: '新建活动' }).click();
	await form.locator('.field-error').first().waitFor();
	assert.equal(await textOf(errorsUnder(page, 'title')), '请填写活动名称');
	assert.equal(await textOf(errorsUnder(page, 'from')), '请填写统计期间开始');
	assert.equal(await textOf(errorsUnder(page, 'to')), '请填写统计期间结束');
	assert.equal(await textOf(errorsUnder(page, 'report_due')), '请填写报送截止日期');

	/* Dates out of order: the server's two rules, at once, nothing sent. */
	const title = `2032年送温暖活动${tag()}`;
	await form.getByLabel('活动名称').fill(title);
	await form.getByLabel('统计期间开始').fill('2032-01-10');
	await form.getByLabel('统计期间结束').fill('2032-01-01');
	await form.getByLabel('报送截止日期').fill('2031-12-31');
	await page.getByRole('button', { name: '新建活动' }).click();
	await errorsUnder(page, 'to').waitFor();
	assert.equal(await textOf(errorsUnder(page, 'to')), '统计期间结束不能早于统计期间开始');
	assert.equal(await textOf(errorsUnder(page, 'report_due')), '报送截止日期不能早于统计期间开始');
	assert.deepEqual(posts, []);

	/* A year before the records' first: the server's words, nothing sent. */
	await form.getByLabel('统计期间开始').fill('1999-12-31');
	await page.getByRole('button', { name: '新建活动' }).click();
	await eventually(async () => (await textOf(errorsUnder(page, 'from'))) ===
	    '统计期间开始不能早于 2000 年，请核对年份', { message: 'the page refuses 1999' });
	assert.deepEqual(posts, []);
	await form.getByLabel('统计期间开始').fill('2032-01-10');

	await form.getByLabel('统计期间结束').fill('2032-02-12');
	await form.getByLabel('报送截止日期').fill('2032-02-08');
	await page.getByRole('button', { name: '新建活动' }).click();
	await page.locator(`#campaign-list li:has-text("${title}")`).waitFor();
	const [made] = await campaignNamed(title);
	assert.deepEqual([made.from, made.to, made.report_due], ['2032-01-10', '2032-02-12', '2032-02-08']);
	assert.equal(await form.getByLabel('活动名称').inputValue(), '', 'the form is ready for the next');

	/* Without a network it waits in the outbox and goes once. */
	const later = `2033年送温暖活动${tag()}`;
	await context.setOffline(true);
	await form.getByLabel('活动名称').fill(later);
	await form.getByLabel('统计期间开始').fill('2033-01-01');
	await form.getByLabel('统计期间结束').fill('2033-02-01');
	await form.getByLabel('报送截止日期').fill('2033-01-28');
	await page.getByRole('button', { name: '新建活动' }).click();
	await eventually(async () => (await textOf(page.locator('[data-outbox-count]'))) === '待发送 1 条',
	    { message: 'the campaign waits' });
	await context.setOffline(false);
	await page.locator(`#campaign-list li:has-text("${later}")`).waitFor({ timeout: 20000 });
	assert.equal((await campaignNamed(later)).length, 1);
	assert.deepEqual(problems, []);
	await context.close();
});

test('an admin changes a campaign; a change made meanwhile by someone else is shown, the typing kept', async () => {
	const title = `修改测试活动${tag()}`;
	const c = await apiCall(admin, 'POST', '/api/v1/campaigns',
	    { title, from: '2034-01-01', to: '2034-02-10', report_due: '2034-02-05' });
	assert.equal(c.status, 201, JSON.stringify(c.data));
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, 'admin', ADMIN_PASSWORD);
	const page = await context.newPage();
	const problems = watchConsole(page);
	await page.goto(url('/admin/campaigns.html'));
	const item = page.locator(`#campaign-list li[data-campaign-id="${c.data.id}"]`);
	await item.getByRole('button', { name: '修改' }).click();
	const form = page.locator('#edit-form');
	await form.waitFor({ state: 'visible' });
	assert.equal(await form.getByLabel('统计期间结束').inputValue(), '2034-02-10');

	/* Someone else moves the deadline first. */
	const other = await fetch(url(`/api/v1/campaigns/${c.data.id}`), {
		method: 'PATCH',
		headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json',
		    'If-Match': `"${c.data.version}"` },
		body: JSON.stringify({ report_due: '2034-02-06' }),
	});
	assert.equal(other.status, 200);
	await form.getByLabel('报送截止日期').fill('2034-02-08');
	const first = page.waitForResponse((r) => r.request().method() === 'PATCH');
	await page.getByRole('button', { name: '保存修改' }).click();
	assert.equal((await first).status(), 412);
	await eventually(async () => /刚被别人修改过/.test(await textOf(page.locator('[data-toast]').last())));
	await eventually(async () => /报送截止 2034-02-06/.test(await textOf(item)),
	    { message: 'the list shows the other change' });
	assert.equal(await form.getByLabel('报送截止日期').inputValue(), '2034-02-08', 'the typing stays');

	const second = page.waitForResponse((r) => r.request().method() === 'PATCH');
	await page.getByRole('button', { name: '保存修改' }).click();
	assert.equal((await second).status(), 200);
	await eventually(async () => /报送截止 2034-02-08/.test(await textOf(item)));
	assert.equal(await page.locator('#edit').isVisible(), false);
	const [now] = await campaignNamed(title);
	assert.equal(now.report_due, '2034-02-08');
	assert.equal(now.version, 3);
	assert.deepEqual(problems, []);
	await context.close();
});

test('staff see the campaigns but no form, and no link from the statistics page', async () => {
	const username = uniqueName('cp.');
	const r = await apiCall(admin, 'POST', '/api/v1/users', {
		username, password: 'campaign-pass-123', display_name: '活动查看员', role: 'staff', unit_id: 1,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, username, 'campaign-pass-123');
	const page = await context.newPage();
	await page.goto(url('/admin/stats/'));
	await page.locator('#pick-card').waitFor({ state: 'visible' });
	assert.equal(await page.locator('#campaigns-link').isVisible(), false);
	await page.goto(url('/admin/'));
	await page.locator('#home').waitFor({ state: 'visible' });
	assert.equal(await page.locator('#link-campaigns').isVisible(), false);
	await page.goto(url('/admin/campaigns.html'));
	await page.locator('#campaign-list li').first().waitFor();
	assert.equal(await page.locator('#create').isVisible(), false);
	assert.equal(await page.getByRole('button', { name: '修改' }).count(), 0);
	assert.match(await textOf(page.locator('#page-msg')), /管理员建立和修改/);
	await context.close();
});
