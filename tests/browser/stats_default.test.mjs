/*
 * 统计报表 opens on the campaign running today (Asia/Shanghai), not on the
 * newest created: next year's campaign is set up in advance, and its
 * table is empty until then. Else the latest that has started, else the
 * earliest to come; a campaign named in the address still wins. The
 * phone's clock is moved (Playwright's clock); campaigns are in a year of
 * their own, far from today's.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, launch, phone, requireEnv, signIn,
	textOf, url, watchConsole,
} from './lib.mjs';

let browser;
let admin;
let thisYear;   /* running on Y-01-20 */
let nextYear;   /* created after it, starting Y+1-01-01 */
const Y = 2040 + Math.floor(Math.random() * 55);

before(async () => {
	requireEnv();
	browser = await launch();
	admin = await apiLogin('admin', ADMIN_PASSWORD);
	const make = async (title, year) => {
		const r = await apiCall(admin, 'POST', '/api/v1/campaigns', {
			title, from: `${year}-01-01`, to: `${year}-02-10`, report_due: `${year}-02-08`,
		});
		assert.equal(r.status, 201, JSON.stringify(r.data));
		return r.data;
	};
	thisYear = await make(`${Y}年默认活动测试`, Y);
	nextYear = await make(`${Y + 1}年提前建立的活动`, Y + 1);
});

after(async () => {
	await browser?.close();
});

/* The statistics page as the admin opens it on day, with its campaign
 * picker's choice and the heading shown. */
async function openOn(day, query = '') {
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, 'admin', ADMIN_PASSWORD);
	await context.clock.setFixedTime(new Date(`${day}T09:00:00+08:00`));
	const page = await context.newPage();
	const problems = watchConsole(page);
	await page.goto(url(`/admin/stats/${query}`));
	await page.locator('#sheet-card').waitFor({ state: 'visible' });
	const chosen = await page.getByLabel('活动', { exact: true }).inputValue();
	const heading = await textOf(page.locator('#h-period'));
	assert.deepEqual(problems, []);
	await context.close();
	return { chosen: Number(chosen), heading };
}

test('the campaign whose period holds today, though a later one was created after it', async () => {
	const { chosen, heading } = await openOn(`${Y}-01-20`);
	assert.equal(chosen, thisYear.id, `on ${Y}-01-20 the page opens ${chosen}, not ${thisYear.id}`);
	assert.ok(heading.includes(thisYear.title), heading);
});

test('between campaigns: the latest that has started; one in the address wins', async () => {
	assert.equal((await openOn(`${Y}-06-01`)).chosen, thisYear.id,
	    'after its period, until the next starts, the last campaign stays');
	assert.equal((await openOn(`${Y}-06-01`, `?campaign_id=${nextYear.id}`)).chosen, nextYear.id);
	assert.equal((await openOn(`${Y + 1}-01-02`)).chosen, nextYear.id, 'once it starts');
});

test('before every campaign: the earliest one to come', async () => {
	const all = (await apiCall(admin, 'GET', '/api/v1/campaigns?limit=200')).data.items;
	const first = [...all].sort((a, b) => a.from.localeCompare(b.from) || a.id - b.id)[0];
	assert.equal((await openOn('1990-06-01')).chosen, first.id);
});
