/*
 * A staff member's session ends (12 h idle) while they fill in a form on
 * a 375×667 phone. What the form holds survives the trip to the sign-in
 * page and back, and the action is not lost silently: the sign-in page
 * says the typing is kept, and the page they come back to says what was
 * not done, shows the record as it is now and what they typed. The case
 * page's note (受理), the fair page's change form (保存修改), and the
 * statistics table's figures (保存填报数字). Once the action is done after
 * all, the warning that it was not goes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, eventually, launch, phone, requireEnv,
	textOf, uniqueName, url, watchConsole,
} from './lib.mjs';

let browser;
let admin;
let town;
let staff;

function dayShanghai(offset = 0) {
	return new Date(Date.now() + 8 * 3600e3 + offset * 86400e3).toISOString().slice(0, 10);
}

before(async () => {
	requireEnv();
	browser = await launch();
	admin = await apiLogin('admin', ADMIN_PASSWORD);
	const units = (await apiCall(null, 'GET', '/api/v1/units')).data.items;
	const r = await apiCall(admin, 'POST', '/api/v1/units', {
		code: uniqueName('ss'), name: `会话测试镇${Date.now().toString(36).slice(-4)}`, kind: 'town',
		parent_id: units.find((u) => u.parent_id === null).id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	town = r.data;
	const username = uniqueName('ss.');
	const u = await apiCall(admin, 'POST', '/api/v1/users', {
		username, password: 'session-pass-123', display_name: '会话测试员', role: 'staff', unit_id: town.id,
	});
	assert.equal(u.status, 201, JSON.stringify(u.data));
	staff = { username, password: 'session-pass-123', token: await apiLogin(username, 'session-pass-123') };
});

after(async () => {
	await browser?.close();
});

async function logIn(page) {
	await page.getByLabel('用户名').fill(staff.username);
	await page.getByLabel('密码', { exact: true }).fill(staff.password);
	await page.getByRole('button', { name: '登录' }).click();
	await page.waitForURL((u) => !u.pathname.startsWith('/login/'));
}

/* A phone with the staff member signed in through the page. */
async function staffPage() {
	const context = await phone(browser, { serviceWorkers: 'block' });
	const page = await context.newPage();
	await page.goto(url('/login/'));
	await logIn(page);
	return { context, page, problems: watchConsole(page) };
}

/* The session ends; the action goes to the sign-in page, which says the
 * typing is kept; signing in brings the person back to path. */
async function sessionEndsOn(page, context, act, path) {
	await context.clearCookies();
	await act();
	await page.waitForURL(/\/login\/\?next=/);
	assert.match(await textOf(page.locator('#page-msg')), /登录已过期.*内容都还在/);
	await logIn(page);
	assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, path);
}

test('case page: a note typed before 受理 comes back after signing in, with the case as it is', async () => {
	const filed = await apiCall(null, 'POST', '/api/v1/wage-cases', {
		unit_id: town.id, employer_name: `会话测试厂${Date.now()}`, industry: 'services',
		reporter: { name: '周师傅', phone: '13700002222' },
		workers: [{ name: '张三', amount_owed: '1000' }],
	});
	assert.equal(filed.status, 201, JSON.stringify(filed.data));
	const list = await apiCall(staff.token, 'GET',
	    `/api/v1/wage-cases?q=${encodeURIComponent(filed.data.reference)}`);
	const id = list.data.items[0].id;
	const path = `/admin/case.html?id=${id}`;
	const note = '已与老板电话沟通，承诺月底前付清，工人同意等待。';

	const { context, page, problems } = await staffPage();
	await page.goto(url(path));
	await page.locator('#action-buttons button').first().waitFor();
	await page.getByLabel('备注（可不填）').fill(note);
	await sessionEndsOn(page, context, () => page.locator('#action-buttons')
	    .getByRole('button', { name: '受理', exact: true }).click(), path);

	await page.locator('#case').waitFor({ state: 'visible' });
	assert.equal(await page.getByLabel('备注（可不填）').inputValue(), note, 'the note is back');
	assert.equal(await page.locator('#c-status').getAttribute('data-status'), 'received',
	    'the case as it is: not accepted');
	assert.match(await textOf(page.locator('#action-msg')), /“受理”没有完成/);
	assert.match(await lastToastText(page), /“受理”没有完成/);

	/* Now it is done, with the note; the kept note goes. */
	await page.locator('#action-buttons').getByRole('button', { name: '受理', exact: true }).click();
	await eventually(async () => (await page.locator('#c-status').getAttribute('data-status')) === 'accepted',
	    { message: 'accepted' });
	/* Done now: the warning that it was not goes, and messages do not
	 * pile up over the case. */
	await page.locator('[data-toast="ok"]').filter({ hasText: '受理成功' }).waitFor();
	assert.equal(await page.locator('.msg, [data-toast]').filter({ hasText: '没有完成' }).count(), 0,
	    'no "没有完成" left once it is done');
	assert.equal(await page.locator('[data-toast]').count(), 1, 'one message, the result');
	const c = await apiCall(staff.token, 'GET', `/api/v1/wage-cases/${id}`);
	assert.equal(c.data.events.at(-1).note, note);
	await page.reload();
	await page.locator('#case').waitFor({ state: 'visible' });
	assert.equal(await page.getByLabel('备注（可不填）').inputValue(), '');
	assert.deepEqual(problems, []);
	await context.close();
});

const lastToastText = (page) => textOf(page.locator('[data-toast]').last());

test('fair page: a change typed before 保存修改 comes back after signing in; the fair is unchanged until saved', async () => {
	const starts = `${dayShanghai(20)}T09:00:00+08:00`;
	const fair = await apiCall(admin, 'POST', '/api/v1/job-fairs', {
		unit_id: town.id, title: '会话测试招聘会', kind: 'general', venue: '镇文化中心',
		starts_at: starts, ends_at: `${dayShanghai(20)}T12:00:00+08:00`, seeker_capacity: 50,
	});
	assert.equal(fair.status, 201, JSON.stringify(fair.data));
	const path = `/admin/fair.html?id=${fair.data.id}`;

	const { context, page, problems } = await staffPage();
	await page.goto(url(path));
	await page.locator('#edit').waitFor({ state: 'visible' });
	await page.locator('#edit-box summary').click();
	await page.getByLabel('招聘会名称').fill('会话测试招聘会（改期）');
	await page.getByLabel('求职者名额').fill('80');
	await sessionEndsOn(page, context, () => page.getByRole('button', { name: '保存修改' }).click(), path);

	await page.locator('#edit').waitFor({ state: 'visible' });
	assert.ok(await page.locator('#edit-box').evaluate((d) => d.open), 'the change form is open');
	assert.equal(await page.getByLabel('招聘会名称').inputValue(), '会话测试招聘会（改期）');
	assert.equal(await page.getByLabel('求职者名额').inputValue(), '80');
	assert.match(await textOf(page.locator('#page-msg')), /“保存修改”没有完成/);
	assert.equal(await textOf(page.locator('#fair-title')), '会话测试招聘会', 'the fair as it is');

	await page.getByRole('button', { name: '保存修改' }).click();
	await eventually(async () => (await textOf(page.locator('#fair-title'))) === '会话测试招聘会（改期）',
	    { message: 'saved' });
	assert.equal(await page.locator('.msg, [data-toast]').filter({ hasText: '没有完成' }).count(), 0,
	    'no "没有完成" left once it is saved');
	const f = await apiCall(staff.token, 'GET', `/api/v1/job-fairs/${fair.data.id}`);
	assert.equal(f.data.seeker_capacity, 80);
	assert.deepEqual(problems, []);
	await context.close();
});

test('statistics: figures typed before 保存填报数字 come back after signing in', async () => {
	const camp = await apiCall(admin, 'POST', '/api/v1/campaigns', {
		title: `会话测试活动${Date.now().toString(36)}`, from: dayShanghai(-5), to: dayShanghai(5),
		report_due: dayShanghai(5),
	});
	assert.equal(camp.status, 201, JSON.stringify(camp.data));
	const path = `/admin/stats/?unit_id=${town.id}&campaign_id=${camp.data.id}`;

	const { context, page, problems } = await staffPage();
	await page.goto(url(path));
	await page.locator('#sheet-card').waitFor({ state: 'visible' });
	await page.getByLabel('B1 中央财政（元）').fill('2600');
	await page.getByLabel('E1 落实民生政策（人次）').fill('7');
	await sessionEndsOn(page, context, () => page.getByRole('button', { name: '保存填报数字' }).click(), path);

	await page.locator('#sheet-card').waitFor({ state: 'visible' });
	assert.equal(await page.getByLabel('B1 中央财政（元）').inputValue(), '2600');
	assert.equal(await page.getByLabel('E1 落实民生政策（人次）').inputValue(), '7');
	assert.match(await textOf(page.locator('#s-msg')), /“保存填报数字”没有完成/);
	const saved = page.waitForResponse((r) => r.request().method() === 'PUT');
	await page.getByRole('button', { name: '保存填报数字' }).click();
	assert.equal((await saved).status(), 201);
	await page.locator('[data-toast="ok"]').filter({ hasText: '填报数字已保存' }).waitFor();
	assert.equal(await page.locator('.msg, [data-toast]').filter({ hasText: '没有完成' }).count(), 0,
	    'no "没有完成" left once it is saved');
	const e = await apiCall(staff.token, 'GET',
	    `/api/v1/stats/entries?unit_id=${town.id}&campaign_id=${camp.data.id}`);
	assert.equal(e.data.values.E1, 7);
	assert.deepEqual(problems, []);
	await context.close();
});
