/*
 * The day a volunteer's form starts with is today's (Asia/Shanghai) every
 * time the page opens, also when a draft from an earlier day is put back.
 * On /field/returns.html a day the volunteer picked stays; on
 * /field/visits.html only for the rest of the day it was picked on, and
 * a day other than today says so beside the field. The phone's clock is
 * moved between visits (Playwright's clock): 走访日期 on
 * /field/visits.html, 出发日期 of one traveller and of a busload on
 * /field/returns.html.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, launch, phone, requireEnv, signIn,
	textOf, uniqueName, url, watchConsole,
} from './lib.mjs';

let browser;
let admin;
let town;

const DAY1 = '2030-03-10';
const DAY2 = '2030-03-11';
const DAY3 = '2030-03-12';
const at = (day, hm = '08:30') => new Date(`${day}T${hm}:00+08:00`);

before(async () => {
	requireEnv();
	browser = await launch();
	admin = await apiLogin('admin', ADMIN_PASSWORD);
	const units = (await apiCall(null, 'GET', '/api/v1/units')).data.items;
	const r = await apiCall(admin, 'POST', '/api/v1/units', {
		code: uniqueName('dd'), name: '默认日期测试镇', kind: 'town',
		parent_id: units.find((u) => u.parent_id === null).id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	town = r.data;
});

after(async () => {
	await browser?.close();
});

async function volunteer() {
	const username = uniqueName('dd.');
	const password = 'dates-pass-123';
	const r = await apiCall(admin, 'POST', '/api/v1/users', {
		username, password, display_name: '日期志愿者', role: 'volunteer', unit_id: town.id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	return { username, password };
}

/* The page opened afresh on the phone, its clock at when. */
async function openAt(context, when, path, ready) {
	await context.clock.setFixedTime(when);
	const page = await context.newPage();
	const problems = watchConsole(page);
	await page.goto(url(path));
	await page.locator(ready).waitFor({ state: 'attached' });
	return { page, problems };
}

test('visits: the day follows today when the page opens; a day chosen stays that day only, and says so', async () => {
	const vol = await volunteer();
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, vol.username, vol.password);
	const ready = '#v-category option:nth-child(2)';

	/* Day 1: today by default; the volunteer starts a visit and leaves. */
	let { page, problems } = await openAt(context, at(DAY1), '/field/visits.html', ready);
	assert.equal(await page.getByLabel('走访日期').inputValue(), DAY1);
	await page.getByRole('radio', { name: '慰问职工' }).click();
	await page.getByLabel('慰问人次').fill('2');
	assert.deepEqual(problems, []);
	await page.close();

	/* Day 2: the draft is back, with today's day, not yesterday's. */
	({ page, problems } = await openAt(context, at(DAY2, '07:05'), '/field/visits.html', ready));
	assert.equal(await page.getByLabel('走访日期').inputValue(), DAY2,
	    'a draft from yesterday does not log today\'s visits under yesterday');
	assert.equal(await page.locator('#v-kind').inputValue(), 'worker', 'the rest of the draft is kept');
	assert.equal(await page.getByLabel('慰问人次').inputValue(), '2');
	assert.equal(await textOf(page.locator('#t-day')), DAY2);
	assert.equal(await page.getByLabel('走访日期').getAttribute('max'), DAY2);

	const note = () => page.locator('#v-day-note');
	assert.equal(await note().isVisible(), false, 'today says nothing');

	/* The volunteer logs last week's visits: the day they pick stays for
	 * the rest of that day, and says it is not today. */
	await page.getByLabel('走访日期').fill('2030-03-05');
	await note().waitFor({ state: 'visible' });
	assert.equal(await textOf(note()), '不是今天（今天是 3月11日）');
	await page.close();
	({ page, problems } = await openAt(context, at(DAY2, '16:00'), '/field/visits.html', ready));
	assert.equal(await page.getByLabel('走访日期').inputValue(), '2030-03-05', 'a day chosen today stays');
	assert.equal(await textOf(note()), '不是今天（今天是 3月11日）');
	assert.ok(await note().isVisible());

	/* The next morning the visits are today's again. */
	await page.close();
	({ page, problems } = await openAt(context, at(DAY3), '/field/visits.html', ready));
	assert.equal(await page.getByLabel('走访日期').inputValue(), DAY3,
	    'a day chosen yesterday does not log today\'s visits under it');
	assert.equal(await note().isVisible(), false);
	assert.equal(await textOf(page.locator('#t-day')), DAY3);
	assert.deepEqual(problems, []);
	await context.close();
});

test('safe returns: both departure days follow today when the page opens; a chosen one stays', async () => {
	const vol = await volunteer();
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, vol.username, vol.password);
	const ready = '#s-province option:nth-child(2)';

	let { page, problems } = await openAt(context, at(DAY1), '/field/returns.html', ready);
	assert.equal(await page.locator('#s-depart').inputValue(), DAY1);
	assert.equal(await page.locator('#b-depart').inputValue(), DAY1);
	/* Something typed in each form: a draft of both is kept. */
	await page.locator('#single-form').getByLabel('姓名').fill('日期甲');
	await page.getByRole('tab', { name: '整车登记' }).click();
	await page.locator('#b-bus').fill('苏D·日期01');
	await page.close();

	({ page, problems } = await openAt(context, at(DAY2, '06:40'), '/field/returns.html', ready));
	assert.equal(await page.locator('#s-depart').inputValue(), DAY2, 'one traveller: today');
	assert.equal(await page.locator('#b-depart').inputValue(), DAY2, 'a busload: today');
	assert.equal(await page.locator('#s-name').inputValue(), '日期甲', 'the draft is back');
	assert.equal(await page.locator('#b-bus').inputValue(), '苏D·日期01');
	assert.equal(await textOf(page.locator('#today-date')), DAY2);

	/* The bus leaves on a day the volunteer picks: it stays, the other
	 * form's day still follows the clock. */
	await page.getByRole('tab', { name: '整车登记' }).click();
	await page.locator('#b-depart').fill('2030-03-20');
	await page.close();
	({ page, problems } = await openAt(context, at(DAY3), '/field/returns.html', ready));
	assert.equal(await page.locator('#b-depart').inputValue(), '2030-03-20', 'a chosen day stays');
	assert.equal(await page.locator('#s-depart').inputValue(), DAY3);
	assert.deepEqual(problems, []);
	await context.close();
});
