/*
 * /fair/fair.html on a 375×667 phone: a sign-up reached the server but
 * its answer was lost (connection reset). Online, the waiting card says it
 * was sent and is waiting for the answer, as the outbox's notice does,
 * not "已保存，联网后自动报名"; offline it says that.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, eventually, launch, phone, requireEnv, textOf,
	url, watchConsole,
} from './lib.mjs';

let browser;
let fair;

const day = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);

before(async () => {
	requireEnv();
	browser = await launch();
	const admin = await apiLogin('admin', ADMIN_PASSWORD);
	const units = (await apiCall(null, 'GET', '/api/v1/units')).data.items;
	const r = await apiCall(admin, 'POST', '/api/v1/job-fairs', {
		title: '回复丢失测试招聘会', kind: 'general', venue: '区职工服务中心',
		starts_at: `${day(0)}T00:00`, ends_at: `${day(1)}T23:00`, seeker_capacity: 20,
		unit_id: units.find((u) => u.parent_id === null).id,
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

test('sent, answer lost, online: the waiting card says it was sent, not "联网后"', async () => {
	const context = await phone(browser, { serviceWorkers: 'block' });
	const page = await context.newPage();
	const problems = watchConsole(page);
	let release;
	const gate = new Promise((r) => { release = r; });
	let posts = 0;
	await page.route('**/api/v1/job-fairs/*/registrations', async (route) => {
		if (route.request().method() !== 'POST')
			return route.continue();
		posts += 1;
		if (posts === 1) {
			const res = await route.fetch();    /* the server has it ... */
			assert.equal(res.status(), 201);
			return route.abort('connectionreset');  /* ... the phone never hears */
		}
		await gate;
		return route.continue();
	});
	await page.goto(url(`/fair/fair.html?id=${fair.id}`));
	await page.locator('#signup').waitFor({ state: 'visible' });
	await page.getByLabel('姓名').fill('回复丢失');
	await page.getByLabel('手机号').fill(`139${String(Date.now()).slice(-8)}`);
	await page.getByLabel('农民工').check();
	await page.getByRole('button', { name: /提交报名/ }).click();
	await page.locator('#queued').waitFor({ state: 'visible' });
	assert.equal(await textOf(page.locator('#queued-title')), '已发出，正在等待服务器的回复');

	const title = (text) => eventually(async () =>
	    (await textOf(page.locator('#queued-title'))) === text, { message: `heading: ${text}` });
	await context.setOffline(true);
	await title('已保存，联网后自动报名');
	await context.setOffline(false);
	await title('已发出，正在等待服务器的回复');

	release();
	await page.locator('[data-result]').waitFor();
	await page.locator('#queued').waitFor({ state: 'hidden' });
	assert.deepEqual(problems, []);
	await context.close();
});
