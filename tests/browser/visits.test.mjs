/*
 * The volunteers' visit log on a 375×667 phone: three visits logged with
 * no network are kept on the phone through a reload and reach the server
 * exactly once when the network is back, and the page's totals for today
 * are the server's; a half-typed visit survives the reload; location is
 * taken only on request; a refused visit keeps what was typed; a visit is
 * changed within the creator's window; every problem shows at once in
 * the server's words, online or not; times are Asia/Shanghai's on a phone
 * set to New York; staff delete only after a question naming what leaves
 * the figures.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, assertNoHorizontalScroll, eventually,
	launch, phone, requireEnv, screenshot, signIn, textOf, uniqueName, url,
	watchConsole,
} from './lib.mjs';

const C7 = '春节期间坚守在生产一线和交通运输、电力、环卫以及直接面向群众服务的基层岗位干部职工';
const C10 = '生产一线涌现出来的先进模范人物';
const HERE = { latitude: 31.781234, longitude: 119.954321 };

let browser;
let admin;
let town;

before(async () => {
	requireEnv();
	browser = await launch();
	admin = await apiLogin('admin', ADMIN_PASSWORD);
	const units = (await apiCall(null, 'GET', '/api/v1/units')).data.items;
	const district = units.find((u) => u.parent_id === null);
	const r = await apiCall(admin, 'POST', '/api/v1/units', {
		code: uniqueName('vt'), name: '走访页面测试镇', kind: 'town', parent_id: district.id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	town = r.data;
});

after(async () => {
	await browser?.close();
});

async function volunteer() {
	const username = uniqueName('vv.');
	const password = 'visit-pass-123';
	const r = await apiCall(admin, 'POST', '/api/v1/users', {
		username, password, display_name: '走访志愿者', role: 'volunteer', unit_id: town.id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	return { username, password, token: await apiLogin(username, password) };
}

/* The caller's visits on the server, oldest first. */
async function serverVisits(token) {
	const r = await apiCall(token, 'GET', '/api/v1/visits?created_by=me&limit=200');
	assert.equal(r.status, 200, JSON.stringify(r.data));
	return r.data.items.reverse();
}

function today() {
	return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}

async function open(page) {
	await page.goto(url('/field/visits.html'));
	await page.locator('#visit-form').waitFor({ state: 'visible' });
	/* The categories have arrived when the select has more than its prompt. */
	await page.locator('#v-category option:nth-child(2)').waitFor({ state: 'attached' });
	await page.locator('#v-unit option').first().waitFor({ state: 'attached' });
}

const badgeCount = (page) => textOf(page.locator('[data-outbox] [data-outbox-count]'));
const lastToast = (page) => textOf(page.locator('[data-toast]').last());
const totals = async (page) => ({
	count: await textOf(page.locator('#t-count')),
	people: await textOf(page.locator('#t-people')),
	money: await textOf(page.locator('#t-money')),
});

async function save(page) {
	await page.getByRole('button', { name: '保存走访记录' }).click();
}

test('offline: three visits kept through a reload, sent once online; totals match the server', async () => {
	const vol = await volunteer();
	const context = await phone(browser, { geolocation: HERE, permissions: ['geolocation'] });
	await signIn(context, vol.username, vol.password);
	const page = await context.newPage();
	const problems = watchConsole(page);
	await open(page);
	await page.waitForFunction(() => navigator.serviceWorker &&
	    navigator.serviceWorker.controller !== null, null, { timeout: 20000 });

	/* Today and the volunteer's own unit without touching anything. */
	assert.equal(await page.getByLabel('走访日期').inputValue(), today());
	assert.equal(await page.getByLabel('所属工会').inputValue(), String(town.id));
	/* Three big kind buttons, each a thumb's target. */
	const kinds = page.getByRole('radio');
	assert.equal(await kinds.count(), 3);
	for (let i = 0; i < 3; i++) {
		const box = await kinds.nth(i).boundingBox();
		assert.ok(box.width >= 44 && box.height >= 44, `kind button ${i} is ${box.width}×${box.height}`);
	}
	await assertNoHorizontalScroll(page, 'the visit form');

	await context.setOffline(true);

	/* 1: workers on duty, category C7 in the official wording. */
	await page.getByRole('radio', { name: '慰问职工' }).click();
	await page.getByLabel('慰问对象类别').selectOption({ label: C7 });
	await page.getByLabel('慰问人次').fill('3');
	await page.getByLabel('慰问金（元）').fill('500');
	await page.getByLabel('物品折价（元）').fill('120.5');
	await save(page);
	await eventually(async () => (await badgeCount(page)) === '待发送 1 条',
	    { message: 'the badge counts one waiting visit' });

	/* 2: an enterprise: no category, nobody counted, no money. */
	await page.getByRole('radio', { name: '走访企业' }).click();
	assert.ok(await page.getByLabel('慰问对象类别').isHidden(), 'no category for an enterprise');
	await page.getByLabel('企业名称').fill('常州某机械有限公司');
	await save(page);
	await eventually(async () => (await badgeCount(page)) === '待发送 2 条');

	/* 3: front-line medical staff, with the location asked for. */
	await page.getByRole('radio', { name: '慰问一线医务人员' }).click();
	await page.getByLabel('慰问人次').fill('6');
	await page.getByLabel('物品折价（元）').fill('1,000');
	assert.equal(await textOf(page.locator('#v-where')), '未记录位置');
	await page.getByRole('button', { name: '记录位置' }).click();
	await eventually(async () => /已记录位置/.test(await textOf(page.locator('#v-where'))),
	    { message: 'the location is taken after the tap' });
	await save(page);
	await eventually(async () => (await badgeCount(page)) === '待发送 3 条');
	assert.match(await lastToast(page), /没有网络.*保存在本机/, 'the toast says nothing left the phone');
	assert.equal(await textOf(page.locator('#v-where')), '未记录位置', 'the next visit starts without a location');

	/* Today's totals already count what waits on the phone. */
	const want = { count: '3', people: '9', money: '1,620.50' };
	await eventually(async () => JSON.stringify(await totals(page)) === JSON.stringify(want),
	    { message: 'totals of the three waiting visits' });
	assert.match(await textOf(page.locator('#t-pending')), /3 次还在本机/);

	/* A fourth visit half typed when the phone is put away. */
	await page.getByRole('radio', { name: '慰问职工' }).click();
	await page.getByLabel('备注').fill('还没填完的第四次');
	await screenshot(page, 'visits-offline');

	await page.reload();
	await page.locator('#visit-form').waitFor({ state: 'visible' });
	await eventually(async () => (await badgeCount(page)) === '待发送 3 条',
	    { message: 'still three waiting after the reload' });
	assert.equal(await page.getByLabel('备注').inputValue(), '还没填完的第四次', 'the draft is back');
	assert.equal(await page.getByRole('radio', { name: '慰问职工' }).getAttribute('aria-checked'), 'true');
	await eventually(async () => JSON.stringify(await totals(page)) === JSON.stringify(want));
	assert.deepEqual(await serverVisits(vol.token), [], 'nothing reached the server yet');

	await context.setOffline(false);
	await page.locator('[data-outbox]').waitFor({ state: 'hidden', timeout: 45000 });

	const got = await serverVisits(vol.token);
	assert.equal(got.length, 3, 'exactly three visits on the server');
	assert.deepEqual(got.map((v) => [v.kind, v.category, v.enterprise_name, v.people_count,
	    v.cash_amount, v.goods_value, v.visited_on, v.unit_id]), [
		['worker', 'C7', null, 3, '500.00', '120.50', today(), town.id],
		['enterprise', null, '常州某机械有限公司', 0, '0.00', '0.00', today(), town.id],
		['medical_frontline', null, null, 6, '0.00', '1000.00', today(), town.id],
	]);
	assert.deepEqual(got.map((v) => v.location),
	    [null, null, { lat: HERE.latitude, lng: HERE.longitude }], 'a location only where it was asked for');

	/* The page shows the server's visits, and its totals are theirs. */
	const fen = (s) => Math.round(Number(s) * 100);
	const people = got.reduce((s, v) => s + v.people_count, 0);
	const money = got.reduce((s, v) => s + fen(v.cash_amount) + fen(v.goods_value), 0);
	assert.equal(people, 9);
	assert.equal(money, 162050);
	await eventually(async () => {
		const ids = await page.locator('#visit-list li').evaluateAll(
		    (lis) => lis.map((li) => li.dataset.visit));
		return JSON.stringify(ids) === JSON.stringify(got.map((v) => String(v.id)).reverse());
	}, { timeout: 20000, message: 'the list shows the three visits from the server' });
	await eventually(async () => JSON.stringify(await totals(page)) === JSON.stringify(want),
	    { message: 'the totals are the server\'s' });
	assert.ok(await page.locator('#t-pending').isHidden(), 'nothing waits any more');
	await eventually(async () => !/没有网络/.test(await textOf(page.locator('#page-msg'))),
	    { message: 'the note about the network goes when it is back' });
	assert.ok(await page.locator('#t-stale').isHidden());
	assert.equal(await page.getByLabel('备注').inputValue(), '还没填完的第四次', 'the draft is still there');
	await screenshot(page, 'visits-online');
	assert.deepEqual(problems, [], 'no CSP violations or script errors');
	await context.close();
});

test('online: a refused visit keeps what was typed; the creator changes a visit', async () => {
	const vol = await volunteer();
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, vol.username, vol.password);
	const page = await context.newPage();
	const problems = watchConsole(page);
	await open(page);

	/* A worker visit without its category: the server's message under the field. */
	await page.getByRole('radio', { name: '慰问职工' }).click();
	await page.getByLabel('慰问人次').fill('2');
	await page.getByLabel('慰问金（元）').fill('300');
	await save(page);
	const category = page.getByLabel('慰问对象类别');
	await eventually(async () => (await category.getAttribute('aria-invalid')) === 'true',
	    { message: 'the category is marked' });
	assert.match(await textOf(page.locator('.field').filter({ has: category }).locator('.field-error')),
	    /慰问对象类别/);
	assert.equal(await page.getByLabel('慰问人次').inputValue(), '2', 'what was typed stays');
	assert.deepEqual(await serverVisits(vol.token), []);

	await category.selectOption({ label: C10 });
	await save(page);
	await eventually(async () => /走访记录已保存/.test(await lastToast(page)));
	await eventually(async () => (await textOf(page.locator('#t-count'))) === '1');
	const [v] = await serverVisits(vol.token);
	assert.deepEqual([v.category, v.people_count, v.cash_amount], ['C10', 2, '300.00']);

	/* Change it: three people, not two. */
	const item = page.locator(`#visit-list li[data-visit="${v.id}"]`);
	await item.getByRole('button', { name: /修改/ }).click();
	await eventually(async () => (await page.getByLabel('慰问人次').inputValue()) === '2');
	assert.equal(await textOf(page.locator('#form-title')), '修改走访记录');
	await page.getByLabel('慰问人次').fill('3');
	await page.getByRole('button', { name: '保存修改' }).click();
	await eventually(async () => /修改已保存/.test(await lastToast(page)));
	const [changed] = await serverVisits(vol.token);
	assert.equal(changed.id, v.id);
	assert.equal(changed.version, 2);
	assert.equal(changed.people_count, 3);
	assert.equal(changed.cash_amount, '300.00');
	await eventually(async () => (await textOf(page.locator('#t-people'))) === '3');
	assert.equal(await textOf(page.locator('#form-title')), '登记走访');
	assert.deepEqual(problems, [], 'no CSP violations or script errors');
	await context.close();
});

/* The messages under the control named `name`. */
function errorsUnder(page, name) {
	return page.locator('.field').filter({ has: page.locator(`[name="${name}"]`) })
	    .locator('.field-error');
}

test('every problem at once, in the server\'s words, with or without a network; a note\'s counter', async () => {
	const vol = await volunteer();
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, vol.username, vol.password);
	const page = await context.newPage();
	const problems = watchConsole(page);
	await open(page);
	const posts = [];
	page.on('request', (r) => {
		if (r.method() === 'POST')
			posts.push(r.url());
	});
	const words = async (body) => {
		const r = await apiCall(vol.token, 'POST', '/api/v1/visits', body);
		assert.equal(r.status, 400, JSON.stringify(r.data));
		return Object.fromEntries(r.data.errors.map((e) => [e.field, e.message]));
	};

	/* Nothing chosen, no day: the kind and the day, as the server says them. */
	await page.getByLabel('走访日期').fill('');
	await save(page);
	await page.locator('#visit-form .field-error').first().waitFor();
	const none = await words({});
	assert.deepEqual(Object.keys(none).sort(), ['kind', 'visited_on']);
	for (const [field, text] of Object.entries(none))
		assert.equal(await textOf(errorsUnder(page, field)), text, field);
	assert.equal(await page.locator('#visit-form .field-error').count(), 2);
	assert.equal(await page.evaluate(() => document.activeElement.dataset.visitKind), 'enterprise',
	    'the focus on the first kind button');

	/* Without a network the same checks: choosing a kind clears its
	 * message, and a worker visit needs more. */
	await context.setOffline(true);
	await page.getByRole('radio', { name: '慰问职工' }).click();
	assert.equal(await textOf(errorsUnder(page, 'kind')), '');
	await save(page);
	await eventually(async () => (await textOf(errorsUnder(page, 'people_count'))) !== '');
	const worker = await words({ kind: 'worker' });
	assert.equal(await textOf(errorsUnder(page, 'visited_on')), worker.visited_on);
	assert.equal(await textOf(errorsUnder(page, 'people_count')), worker.people_count);
	assert.equal(await textOf(errorsUnder(page, 'category')), '请选择慰问对象类别');
	assert.equal(await page.locator('#visit-form .field-error').count(), 3, 'all three at once');

	/* Out of range and money in the dictionary's words too. */
	await page.getByLabel('慰问人次').fill('0');
	await page.getByLabel('慰问金（元）').fill('三千五');
	await save(page);
	await eventually(async () => /1 到 10000/.test(await textOf(errorsUnder(page, 'people_count'))));
	const range = await words({ kind: 'worker', visited_on: today(), category: 'C7',
	    people_count: 0, cash_amount: '三千五' });
	assert.equal(await textOf(errorsUnder(page, 'people_count')), range.people_count);
	assert.equal(await textOf(errorsUnder(page, 'cash_amount')), range.cash_amount);
	assert.deepEqual(posts, [], 'the page sent nothing');

	/* The note counts, and keeps what was pasted past its limit. */
	const note = page.locator('#v-note');
	await note.fill('访'.repeat(2003));
	const counter = page.locator('#visit-form .field').filter({ has: page.locator('#v-note') })
	    .locator('.counter');
	assert.equal(await textOf(counter), '2003/2000');
	assert.match(await textOf(errorsUnder(page, 'note')), /删减 3 个字/);
	assert.equal((await note.inputValue()).length, 2003);
	assert.deepEqual(problems, []);
	await context.close();
});

test('on a phone set to New York, today and the saved time are Asia/Shanghai\'s', async () => {
	const vol = await volunteer();
	const context = await phone(browser, { serviceWorkers: 'block', timezoneId: 'America/New_York' });
	await signIn(context, vol.username, vol.password);
	const page = await context.newPage();
	const problems = watchConsole(page);
	await open(page);
	assert.notEqual(await page.evaluate(() => new Date().getTimezoneOffset()), -480);
	assert.equal(await page.getByLabel('走访日期').inputValue(), today());
	assert.equal(await textOf(page.locator('#t-day')), today());

	await context.setOffline(true);
	const before = Date.now();
	await page.getByRole('radio', { name: '慰问一线医务人员' }).click();
	await page.getByLabel('慰问人次').fill('4');
	await save(page);
	const saved = page.locator('#visit-list li[data-visit="pending"] [data-saved-at]');
	await saved.waitFor();
	const after = Date.now();
	const short = (ms) => {
		const iso = new Date(ms + 8 * 3600e3).toISOString();
		return `${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日 ${iso.slice(11, 16)}`;
	};
	const shown = (await textOf(saved)).match(/保存于 (.+?)，/)[1];
	assert.ok([short(before), short(after)].includes(shown), `保存于 ${shown}`);
	assert.equal(await textOf(page.locator('#t-count')), '1', 'counted for Shanghai\'s today');
	await context.setOffline(false);
	await page.locator('[data-outbox]').waitFor({ state: 'hidden', timeout: 45000 });
	const [v] = await serverVisits(vol.token);
	assert.equal(v.visited_on, today());
	assert.deepEqual(problems, []);
	await context.close();
});

test('staff delete a visit only after a question naming what leaves the figures; the list retries', async () => {
	const username = uniqueName('vs.');
	const password = 'visit-staff-123';
	const u = await apiCall(admin, 'POST', '/api/v1/users', {
		username, password, display_name: '走访干事', role: 'staff', unit_id: town.id,
	});
	assert.equal(u.status, 201, JSON.stringify(u.data));
	const token = await apiLogin(username, password);
	const made = await apiCall(token, 'POST', '/api/v1/visits', {
		kind: 'worker', category: 'C10', people_count: 5, cash_amount: '1000',
		goods_value: '250.5', visited_on: today(),
	});
	assert.equal(made.status, 201, JSON.stringify(made.data));

	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, username, password);
	const page = await context.newPage();
	const problems = watchConsole(page);
	/* The first load fails: said under the list, with 重试. */
	let fail = true;
	await page.route((x) => x.pathname === '/api/v1/visits', (route) => (fail ?
	    route.abort('failed') : route.continue()));
	await open(page);
	const status = page.locator('#visit-list + [data-list-status]');
	await eventually(async () => /没有加载成功/.test(await textOf(status)));
	fail = false;
	await status.getByRole('button', { name: '重试' }).click();
	const item = page.locator(`#visit-list li[data-visit="${made.data.id}"]`);
	await item.waitFor();
	assert.equal(await textOf(page.locator('#t-people')), '5');

	await item.getByRole('button', { name: /删除/ }).click();
	const dialog = page.getByRole('dialog');
	await dialog.waitFor();
	assert.match(await textOf(dialog), /5 人次和款物 1,250\.50 元将不再计入统计表/);
	await dialog.getByRole('button', { name: '取消' }).click();
	await page.locator('dialog[data-confirm]').waitFor({ state: 'detached' });
	assert.equal((await apiCall(token, 'GET', `/api/v1/visits/${made.data.id}`)).status, 200,
	    'nothing deleted');

	await item.getByRole('button', { name: /删除/ }).click();
	const gone = page.waitForResponse((r) => r.request().method() === 'DELETE');
	await dialog.getByRole('button', { name: '确定删除' }).click();
	assert.equal((await gone).status(), 204);
	await item.waitFor({ state: 'detached' });
	assert.match(await textOf(page.locator('[data-toast]').last()), /已删除/);
	assert.equal(await textOf(page.locator('#t-people')), '0');
	assert.equal((await apiCall(token, 'GET', `/api/v1/visits/${made.data.id}`)).status, 404);
	assert.deepEqual(problems, []);
	await context.close();
});
