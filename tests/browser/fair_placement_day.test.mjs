/*
 * 录用登记 on /admin/fair.html?id=N, 375×667: the placement's day starts
 * at the fair's day when the fair is still to come (the API refuses a day
 * before it: 400 "录用日期不能早于招聘会当天"), at today otherwise; a day
 * out of range is told under the field, in the server's words, before
 * anything is sent.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, launch, phone, requireEnv, signIn,
	textOf, url, watchConsole,
} from './lib.mjs';
import { errorsUnder } from './help_lib.mjs';

let browser;
let admin;

const day = (offset) => new Date(Date.now() + 8 * 3600e3 + offset * 86400e3)
    .toISOString().slice(0, 10);

before(async () => {
	requireEnv();
	browser = await launch();
	admin = await apiLogin('admin', ADMIN_PASSWORD);
});

after(async () => {
	await browser?.close();
});

async function fairOn(offset) {
	const units = (await apiCall(null, 'GET', '/api/v1/units')).data.items;
	const r = await apiCall(admin, 'POST', '/api/v1/job-fairs', {
		unit_id: units.find((u) => u.parent_id === null).id, title: '录用日期测试招聘会',
		kind: 'general', venue: '区职工服务中心', seeker_capacity: 20,
		starts_at: `${day(offset)}T09:00`, ends_at: `${day(offset)}T12:00`,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	return r.data;
}

async function open(fair) {
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, 'admin', ADMIN_PASSWORD);
	const page = await context.newPage();
	const problems = watchConsole(page);
	const sent = [];
	page.on('request', (r) => {
		if (r.method() === 'POST' && r.url().includes('/placements'))
			sent.push(r.url());
	});
	await page.goto(url(`/admin/fair.html?id=${fair.id}`));
	await page.locator('#places').waitFor({ state: 'visible' });
	return { context, page, problems, sent };
}

test('a fair still to come: its day by default; a day before it is told before sending', async () => {
	const fair = await fairOn(3);
	const { context, page, problems, sent } = await open(fair);
	const on = page.locator('#p-on');
	assert.equal(await on.inputValue(), day(3), 'the fair\'s day, which the server accepts from');
	const [, m, d] = day(3).split('-').map(Number);
	assert.match(await textOf(page.locator('#p-on-hint')), new RegExp(`${m}月${d}日`));

	await on.fill(day(0));
	await page.getByRole('button', { name: '登记录用' }).click();
	assert.equal(await textOf(errorsUnder(page, 'placed_on')), '录用日期不能早于招聘会当天');
	assert.deepEqual(sent, [], 'nothing is sent');
	assert.deepEqual(problems, []);
	await context.close();
});

test('a fair that has begun: today by default; a day after today is told before sending', async () => {
	const fair = await fairOn(-2);
	const { context, page, problems, sent } = await open(fair);
	const on = page.locator('#p-on');
	assert.equal(await on.inputValue(), day(0));
	await on.fill(day(1));
	await page.getByRole('button', { name: '登记录用' }).click();
	assert.equal(await textOf(errorsUnder(page, 'placed_on')), '录用日期不能晚于今天');
	await on.fill(day(-3));
	await page.getByRole('button', { name: '登记录用' }).click();
	assert.equal(await textOf(errorsUnder(page, 'placed_on')), '录用日期不能早于招聘会当天');
	assert.deepEqual(sent, []);
	assert.deepEqual(problems, []);
	await context.close();
});
