/*
 * 统计报表 as a town and the district use it, on a 375×667 phone and on a
 * desktop: the town's staff open the table (their unit and the campaign
 * picked), fill in B/E/F in the table and see B, E, F add up as they
 * type, save, see a rule's warning beside the row it names, fix it, and
 * submit; the district's staff find the town in the reporting table and
 * approve it; after that the town's staff can no longer record a wage
 * recovery dated in the period (409 period_locked, shown on the case
 * page). On the phone also the drill-down of a figure (and a row without
 * one, answered 400); on the desktop the printed form.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, PHONE, apiCall, apiLogin, assertNoHorizontalScroll,
	eventually, launch, phone, requireEnv, screenshot, signIn, textOf,
	uniqueName, url, watchConsole,
} from './lib.mjs';

const PASSWORD = 'stats-test-pw-123';
const DESKTOP = { width: 1280, height: 800 };

let browser;
let adminToken;
let camp;       /* around today: a transition or recovery today falls in it */
let prevCamp;   /* an earlier one, whose B4 makes the range rule fire */

function dayShanghai(offset = 0) {
	return new Date(Date.now() + 8 * 3600e3 + offset * 86400e3).toISOString().slice(0, 10);
}

function tag() {
	return `${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 1000)}`;
}

async function ok(res, status, what) {
	assert.equal(res.status, status, `${what}: ${JSON.stringify(res.data)}`);
	return res.data;
}

async function user(unitId, displayName) {
	const username = uniqueName('st.');
	await ok(await apiCall(adminToken, 'POST', '/api/v1/users', {
		username, password: PASSWORD, display_name: displayName, role: 'staff', unit_id: unitId,
	}), 201, 'create user');
	return username;
}

/* A town of its own, its staff, the district's staff, last campaign's
 * B4, and a case accepted today with one worker. */
async function scene(name) {
	const town = await ok(await apiCall(adminToken, 'POST', '/api/v1/units', {
		code: uniqueName('t'), name: `${name}${tag()}`, kind: 'town', parent_id: 1,
	}), 201, 'create town');
	const townStaff = await user(town.id, '镇统计员');
	const districtStaff = await user(1, '区审核员');
	await ok(await apiCall(adminToken, 'PUT', '/api/v1/stats/entries', {
		unit_id: town.id, campaign_id: prevCamp.id, values: { B4: '100.00', E1: 1, F1: 1 },
	}), 201, 'last campaign');
	const c = await ok(await apiCall(adminToken, 'POST', '/api/v1/wage-cases', {
		unit_id: town.id, employer_name: `统计页测试厂${tag()}`, industry: 'services',
		reporter: { name: '周师傅', phone: '13700002222' },
		workers: [{ name: '张三', amount_owed: '1000' }],
	}), 201, 'case');
	const res = await fetch(url(`/api/v1/wage-cases/${c.id}/transitions`), {
		method: 'POST',
		headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json',
		    'If-Match': `"${c.version}"` },
		body: JSON.stringify({ to: 'accepted' }),
	});
	assert.equal(res.status, 200, await res.text());
	return { town, townStaff, districtStaff, kase: c };
}

before(async () => {
	requireEnv();
	browser = await launch();
	adminToken = await apiLogin('admin', ADMIN_PASSWORD);
	prevCamp = await ok(await apiCall(adminToken, 'POST', '/api/v1/campaigns', {
		title: `统计页上期活动${tag()}`, from: '2018-01-01', to: '2018-02-10', report_due: '2018-02-08',
	}), 201, 'previous campaign');
	camp = await ok(await apiCall(adminToken, 'POST', '/api/v1/campaigns', {
		title: `统计页测试活动${tag()}`, from: dayShanghai(-10), to: dayShanghai(5), report_due: dayShanghai(5),
	}), 201, 'campaign');
});

after(async () => {
	await browser?.close();
});

function context(viewport) {
	return viewport === PHONE ? phone(browser) :
	    browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
}

const entry = (page, code) => page.locator(`input[data-entry="${code}"]`);
const sum = (page, code) => textOf(page.locator(`output[data-sum="${code}"]`));

async function save(page, status) {
	const answer = page.waitForResponse((r) => r.request().method() === 'PUT' &&
	    r.url().endsWith('/api/v1/stats/entries'));
	await page.getByRole('button', { name: '保存填报数字' }).click();
	const res = await answer;
	assert.equal(res.status(), status, await res.text());
	assert.equal(res.request().headers()['if-match'] === undefined, status === 201,
	    'If-Match is sent once entries exist');
}

async function flow(name, viewport) {
	const { town, townStaff, districtStaff, kase } = await scene(name);
	const small = viewport === PHONE;

	/* ---- The town fills in B, E, F ---- */
	const tc = await context(viewport);
	await signIn(tc, townStaff, PASSWORD);
	const page = await tc.newPage();
	const problems = watchConsole(page);
	await page.goto(url('/admin/'));
	await page.getByRole('link', { name: /统计报表/ }).click();
	await page.waitForURL(/\/admin\/stats\//);
	await page.locator('#sheet-card').waitFor({ state: 'visible' });
	assert.equal(await page.getByLabel('填报单位', { exact: true }).inputValue(), String(town.id), 'the own unit by default');
	await page.getByLabel('活动', { exact: true }).selectOption(String(camp.id));
	await eventually(async () => (await textOf(page.locator('#h-period'))).includes(camp.title),
	    { message: 'the campaign picked is shown' });
	assert.equal(await textOf(page.locator('#h-unit')), town.name);
	/* Nothing entered: an error that blocks submission. */
	await page.locator('#rules-list li[data-rule="entries_missing"]').waitFor();
	await page.locator('tr.violation[data-rule="entries_missing"]').waitFor();

	await page.getByLabel('B1 中央财政（元）').fill('1000');
	await page.getByLabel('B4 社会捐助（元）').fill('1500.50');
	assert.equal(await sum(page, 'B'), '0.25', 'B adds up while typing: 2500.50 元');
	await page.getByLabel('E1 落实民生政策（人次）').fill('3');
	await page.getByLabel('E2 提供生活救助（人次）').fill('4');
	await page.getByLabel('F1 提供心理健康服务（人次）').fill('2');
	assert.equal(await sum(page, 'E'), '7');
	assert.equal(await sum(page, 'F'), '2');
	assert.match(await textOf(page.locator('#draft-note')), /未保存/);
	if (small)
		await assertNoHorizontalScroll(page, 'stats page while typing');
	await screenshot(page, `stats-${name}-typing`);
	await save(page, 201);

	/* 1500.50 is more than 10 times last campaign's 100.00: a warning
	 * beside B4, and in the list. */
	const warn = page.locator('tr.violation[data-rule="range_B4"]');
	await warn.waitFor();
	assert.match(await textOf(warn), /B4 社会捐助为 0\.15 万元.*超过上次活动/);
	assert.ok(await page.locator('tr[data-code="B4"].flag-warning').count() === 1);
	assert.equal(await page.locator('tr.violation[data-rule="entries_missing"]').count(), 0);
	await page.locator('#rules-list li[data-rule="range_B4"]').waitFor();
	await screenshot(page, `stats-${name}-warning`);

	await entry(page, 'B4').fill('150');
	assert.equal(await sum(page, 'B'), '0.12');
	await save(page, 200);
	await eventually(async () => (await page.locator('tr.violation').count()) === 0 &&
	    (await textOf(page.locator('#rules-sum'))).includes('全部通过'),
	{ message: 'the warning goes once fixed' });

	/* A figure opens its records (phone); a row without a drill-down says so. */
	if (small) {
		await page.locator('button.fig[data-row="H"]').click();
		await page.locator('#drill-list li').first().waitFor();
		assert.match(await textOf(page.locator('#drill-list li')), /张三/);
		await page.locator('#drill-close').click();
		/* A row whose records have no drill-down yet answers 400: the
		 * page says so (the answer is made up here, since every row the
		 * records fill has one by now). */
		await page.route('**/api/v1/stats/records?row=A&**', (route) => route.fulfill({
			status: 400, contentType: 'application/problem+json; charset=utf-8',
			body: JSON.stringify({ type: '/api/v1/problems/validation', title: '请求有误',
			    status: 400, code: 'validation', detail: '1 处输入有误',
			    errors: [{ field: 'row', code: 'enum', message: '请选择一行' }] }),
		}));
		await page.locator('button.fig[data-row="A"]').click();
		await eventually(async () => /暂时不能查看明细/.test(await textOf(page.locator('#drill-msg'))),
		    { message: 'a row without a drill-down says so' });
		assert.equal(await page.locator('#drill-list li').count(), 0);
		await page.unroute('**/api/v1/stats/records?row=A&**');
		await page.locator('#drill-close').click();
	}

	/* Submit. */
	await page.getByRole('button', { name: '上报报表' }).click();
	const answer = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/api/v1/stats/submissions'));
	await page.getByRole('dialog').getByRole('button', { name: '确定上报' }).click();
	assert.equal((await answer).status(), 201);
	await eventually(async () => (await textOf(page.locator('#s-state'))) === '已上报，待审核',
	    { message: 'the state shows submitted' });
	assert.equal(await entry(page, 'B1').count(), 0, 'no more typing once submitted');
	assert.equal(await page.locator('#approve').count(), 0, 'a town does not approve itself');

	/* ---- The district approves ---- */
	const dc = await context(viewport);
	await signIn(dc, districtStaff, PASSWORD);
	const dpage = await dc.newPage();
	const dproblems = watchConsole(dpage);
	await dpage.goto(url(`/admin/stats/?campaign_id=${camp.id}`));
	const line = dpage.locator(`#reporting tr[data-unit-id="${town.id}"]`);
	await line.waitFor();
	assert.equal(await line.getAttribute('data-state'), 'submitted');
	assert.match(await textOf(dpage.locator('#report-counts')), /上报率/);
	await line.getByRole('link', { name: town.name }).click();
	await dpage.locator('#approve').waitFor();
	assert.equal(await textOf(dpage.locator('#h-unit')), town.name);
	await dpage.locator('#approve').click();
	const approved = dpage.waitForResponse((r) => r.url().endsWith('/approve'));
	await dpage.getByRole('dialog').getByRole('button', { name: '审核通过' }).click();
	assert.equal((await approved).status(), 200);
	await eventually(async () => (await textOf(dpage.locator('#s-state'))) === '已审核通过',
	    { message: 'the state shows approved' });
	await screenshot(dpage, `stats-${name}-approved`);
	if (!small) {
		/* Printed: the form alone, with its title and header lines. */
		await dpage.emulateMedia({ media: 'print' });
		assert.equal(await dpage.locator('#pick-card').isVisible(), false);
		assert.equal(await dpage.locator('#status-card').isVisible(), false);
		assert.ok(await dpage.locator('#h-filler').isVisible());
		assert.equal(await textOf(dpage.locator('#h-filler')), '镇统计员', '填报人 is who submitted');
		assert.match(await textOf(dpage.locator('#sheet-title')), /年工会送温暖活动统计表$/);
		await dpage.emulateMedia({ media: 'screen' });
	}

	/* ---- The town can no longer change a record of the period ---- */
	await page.reload();
	await page.locator('#sheet-card').waitFor({ state: 'visible' });
	await eventually(async () => (await textOf(page.locator('#s-state'))) === '已审核通过',
	    { message: 'the town sees the approval' });
	assert.match(await textOf(page.locator('#s-msg')), /已锁定/);
	await page.goto(url(`/admin/case.html?id=${kase.id}`));
	await page.locator('#recovery').waitFor({ state: 'visible' });
	await page.getByLabel('金额（元）').fill('10');
	const refused = page.waitForResponse((r) => r.url().endsWith('/recoveries'));
	await page.getByRole('button', { name: '登记追回' }).click();
	assert.equal((await refused).status(), 409);
	await eventually(async () => /已锁定/.test(await textOf(page.locator('#recovery-form [data-form-error]'))),
	    { message: 'the lock is shown on the case page' });
	await screenshot(page, `stats-${name}-locked`);
	assert.deepEqual(problems, []);
	assert.deepEqual(dproblems, []);
	await tc.close();
	await dc.close();
}

test('on a phone: a town fills B/E/F, fixes a rule, submits; the district approves; the period is locked', async () => {
	await flow('手机', PHONE);
});

test('on a desktop: the same, and the printed form', async () => {
	await flow('桌面', DESKTOP);
});

test('a table whose figures moved after it was reported offers 退回 only, and says why', async () => {
	const { town, townStaff, districtStaff } = await scene('变动');
	await ok(await apiCall(adminToken, 'PUT', '/api/v1/stats/entries', {
		unit_id: town.id, campaign_id: camp.id, values: { B1: '1000', E1: 3, F1: 1 },
	}), 201, 'entries');
	const townToken = await apiLogin(townStaff, PASSWORD);
	await ok(await apiCall(townToken, 'POST', '/api/v1/stats/submissions',
	    { unit_id: town.id, campaign_id: camp.id }), 201, 'submit');
	/* A visit logged afterwards moves C7, C, D7 and D. */
	await ok(await apiCall(adminToken, 'POST', '/api/v1/visits', {
		unit_id: town.id, kind: 'worker', category: 'C7', visited_on: dayShanghai(),
		people_count: 2, cash_amount: '300',
	}), 201, 'visit');

	const dc = await context(PHONE);
	await signIn(dc, districtStaff, PASSWORD);
	const page = await dc.newPage();
	const problems = watchConsole(page);
	await page.goto(url(`/admin/stats/?unit_id=${town.id}&campaign_id=${camp.id}`));
	await page.locator('#status-card').waitFor({ state: 'visible' });
	await page.locator('#s-actions #return').waitFor();
	assert.equal(await page.locator('#approve').count(), 0, '审核通过 would fail: not offered');
	assert.match(await textOf(page.locator('#s-msg')), /上报后数字有变动：.*C7（上报 0，现在 2）.*不能审核通过/);
	/* What is offered works. */
	await page.locator('#return').click();
	await page.getByLabel('退回意见').fill('上报后新增了走访，请核对后重新上报。');
	const answer = page.waitForResponse((r) => r.url().endsWith('/return'));
	await page.getByRole('button', { name: '确认退回' }).click();
	assert.equal((await answer).status(), 200);
	await eventually(async () => (await textOf(page.locator('#s-state'))) === '已退回',
	    { message: 'returned' });
	assert.deepEqual(problems, []);
	await dc.close();
});
