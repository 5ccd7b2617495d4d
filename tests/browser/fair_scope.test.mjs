/*
 * A fair's staff page offers only what the caller may do, by the API's
 * rule (staff of the fair's unit or a unit above it, admins): staff of
 * another town see the fair as the public does, told why, with no
 * 结束报名, 修改招聘会信息, 报名 or 录用登记 that would end in 403; the
 * town's own staff and the district's see them all (375×667).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, launch, phone, requireEnv, signIn,
	textOf, uniqueName, url, watchConsole,
} from './lib.mjs';

let browser;
let admin;
let district;
let townA;
let townB;
let fair;

async function town(name) {
	const r = await apiCall(admin, 'POST', '/api/v1/units', {
		code: uniqueName('fs'), name: `${name}${Date.now().toString(36).slice(-4)}`, kind: 'town',
		parent_id: district.id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	return r.data;
}

async function staffOf(unit) {
	const username = uniqueName('fs.');
	const password = 'fair-scope-123';
	const r = await apiCall(admin, 'POST', '/api/v1/users', {
		username, password, display_name: '招聘会工作人员', role: 'staff', unit_id: unit.id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	return { username, password };
}

before(async () => {
	requireEnv();
	browser = await launch();
	admin = await apiLogin('admin', ADMIN_PASSWORD);
	district = (await apiCall(null, 'GET', '/api/v1/units')).data.items
	    .find((u) => u.parent_id === null);
	townA = await town('主办镇');
	townB = await town('邻镇');
	const r = await apiCall(admin, 'POST', '/api/v1/job-fairs', {
		unit_id: townA.id, title: '主办镇春风行动招聘会', kind: 'general', venue: '主办镇人力资源市场',
		starts_at: '2031-02-05T09:00', ends_at: '2031-02-05T12:00', seeker_capacity: 30,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	const pub = await fetch(url(`/api/v1/job-fairs/${r.data.id}`), {
		method: 'PATCH',
		headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json',
		    'If-Match': `"${r.data.version}"` },
		body: JSON.stringify({ status: 'published' }),
	});
	assert.equal(pub.status, 200);
	fair = await pub.json();
});

after(async () => {
	await browser?.close();
});

/* The fair's page as who sees it, and every 403 it met. */
async function open(who) {
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, who.username, who.password);
	const page = await context.newPage();
	const problems = watchConsole(page);
	const refused = [];
	page.on('response', (r) => {
		if (r.status() === 403)
			refused.push(`${r.request().method()} ${r.url()}`);
	});
	await page.goto(url(`/admin/fair.html?id=${fair.id}`));
	await page.locator('#summary').waitFor({ state: 'visible' });
	await page.locator('#emps').waitFor({ state: 'visible' });
	return { context, page, problems, refused };
}

const shown = (page, sel) => page.locator(sel).isVisible();

test('staff of another town see the fair, told why, without a button that would fail', async () => {
	const { context, page, problems, refused } = await open(await staffOf(townB));
	for (const sel of ['#close', '#publish', '#edit', '#regs', '#places', '#checkin-link', '#add-employer'])
		assert.equal(await shown(page, sel), false, `${sel} is not offered`);
	assert.ok(await shown(page, '#public-link'), 'the public page is');
	assert.match(await textOf(page.locator('#page-msg')),
	    new RegExp(`由${townA.name}主办，只有${townA.name}及其上级工会的工作人员可以管理`));
	assert.deepEqual(refused, [], 'nothing the page asked for was refused');
	assert.deepEqual(problems, []);
	await context.close();
});

test('the town\'s own staff and the district\'s manage it', async () => {
	for (const unit of [townA, district]) {
		const { context, page, problems, refused } = await open(await staffOf(unit));
		await page.locator('#regs').waitFor({ state: 'visible' });
		for (const sel of ['#close', '#edit', '#regs', '#places', '#checkin-link', '#add-employer'])
			assert.ok(await shown(page, sel), `${unit.name}: ${sel} is offered`);
		assert.equal(await textOf(page.locator('#page-msg')), '');
		assert.deepEqual(refused, []);
		assert.deepEqual(problems, []);
		await context.close();
	}
});
