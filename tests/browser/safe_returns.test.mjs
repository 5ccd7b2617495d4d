/*
 * 平安返乡 on a 375×667 phone: a volunteer at the bus station without a
 * network registers a busload and one traveller and marks one departed;
 * after a reload and back online the server holds exactly those records
 * in those states, row G moved by the departed party, and the arrival
 * codes reach the volunteer. Then a traveller confirms arrival with the
 * code, and staff read the record and its history.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, assertNoHorizontalScroll, discardCodes,
	eventually, launch, phone, requireEnv, screenshot, signIn, textOf,
	uniqueName, url, watchConsole,
} from './lib.mjs';
import { GOOD_ID } from './help_lib.mjs';
import { runStats, todayShanghai } from '../api/wage_lib.mjs';

let browser;
let adminToken;
let town;
let vol;
let staff;
const today = todayShanghai();

async function createUser(role, unitId) {
	const username = uniqueName(`sr.${role.slice(0, 3)}.`);
	const password = `pw-${Math.random().toString(36).slice(2)}-long`;
	const r = await apiCall(adminToken, 'POST', '/api/v1/users', {
		username, password, display_name: role === 'staff' ? '返乡干事' : '返乡志愿者',
		role, unit_id: unitId,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	return { username, password, id: r.data.id, token: await apiLogin(username, password) };
}

before(async () => {
	requireEnv();
	browser = await launch();
	adminToken = await apiLogin('admin', ADMIN_PASSWORD);
	const units = await apiCall(null, 'GET', '/api/v1/units');
	const district = units.data.items.find((u) => u.parent_id === null);
	const r = await apiCall(adminToken, 'POST', '/api/v1/units', {
		code: uniqueName('srb'), name: '返乡页面测试镇', kind: 'town', parent_id: district.id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	town = r.data;
	vol = await createUser('volunteer', town.id);
	staff = await createUser('staff', town.id);
});

after(async () => {
	await browser?.close();
});

function rowG() {
	const s = runStats(town.id, today, today);
	return s.rows.find((x) => x.code === 'G').value;
}

async function serverRecords(token) {
	const r = await apiCall(token, 'GET', '/api/v1/safe-returns?limit=200');
	assert.equal(r.status, 200, JSON.stringify(r.data));
	return r.data.items;
}

const badgeCount = (page) => textOf(page.locator('[data-outbox] [data-outbox-count]'));

async function openReturns(page) {
	await page.goto(url('/field/returns.html'));
	await page.locator('#single-form').waitFor({ state: 'visible' });
	/* The provinces have arrived when the select has more than its prompt. */
	await page.locator('#s-province option:nth-child(2)').waitFor({ state: 'attached' });
}

/* The messages under the control named `name`. */
function errorsUnder(page, name) {
	return page.locator('.field').filter({ has: page.locator(`[name="${name}"]`) })
	    .locator('.field-error');
}

const PASSENGERS = [
	{ name: '车上甲', phone: '13911110001', party: '1', province: '安徽省' },
	{ name: '车上乙', phone: '13911110002', party: '2', province: '四川省' },
	{ name: '车上丙', phone: '13911110003', party: '3', province: '河南省' },
];

test('offline at the bus station: a busload, one traveller, one departed; delivered once online', async () => {
	const context = await phone(browser);
	await signIn(context, vol.username, vol.password);
	const page = await context.newPage();
	const problems = watchConsole(page);
	await openReturns(page);
	await page.waitForFunction(() => navigator.serviceWorker &&
	    navigator.serviceWorker.controller !== null, null, { timeout: 20000 });
	const g0 = rowG();
	assert.equal(g0, 0, 'a fresh town');

	await context.setOffline(true);

	/* The busload: three passengers in rows. */
	await page.getByRole('tab', { name: '整车登记' }).click();
	const bf = page.locator('#batch-form');
	await bf.getByLabel('车次或车辆').fill('苏D·春运08');
	assert.equal(await bf.getByLabel('出发日期').inputValue(), today, 'today by default');
	assert.equal(await bf.getByLabel('所属工会').inputValue(), String(town.id), 'the volunteer\'s unit by default');
	await page.getByRole('button', { name: '＋ 添加乘客' }).click();
	await page.getByRole('button', { name: '＋ 添加乘客' }).click();
	for (const [i, p] of PASSENGERS.entries()) {
		await page.locator(`[name="travellers[${i}].name"]`).fill(p.name);
		await page.locator(`[name="travellers[${i}].phone"]`).fill(p.phone);
		await page.locator(`[name="travellers[${i}].party_size"]`).fill(p.party);
		await page.locator(`[name="travellers[${i}].hometown.province"]`).selectOption(p.province);
	}
	await assertNoHorizontalScroll(page, 'busload form');
	await page.getByRole('button', { name: '整车登记（3 位）' }).click();
	await eventually(async () => (await badgeCount(page)) === '待发送 1 条',
	    { message: 'the busload waits in the outbox' });
	assert.match(await textOf(page.locator('[data-toast]').last()), /没有网络.*保存在本机/,
	    'the toast says nothing left the phone');
	assert.equal(await page.locator('[name="travellers[0].name"]').inputValue(), '', 'the form is ready for the next bus');

	/* One traveller. */
	await page.getByRole('tab', { name: '登记一人' }).click();
	const sf = page.locator('#single-form');
	await sf.getByLabel('姓名').fill('单独丁');
	await sf.getByLabel('手机号').fill('13911110004');
	await sf.getByLabel('同行人数').fill('2');
	await sf.getByLabel('家乡省份').selectOption('贵州省');
	await sf.getByLabel('城市').fill('毕节市');
	await sf.getByLabel('交通方式').selectOption('rail');
	await page.getByRole('button', { name: '登记', exact: true }).click();
	await eventually(async () => (await badgeCount(page)) === '待发送 2 条',
	    { message: 'the traveller waits too' });

	/* 车上乙 (a party of 2) gets on the bus. */
	await page.getByRole('tab', { name: /我的返乡人员/ }).click();
	const mine = page.locator('#mine');
	await eventually(async () => (await mine.locator('li').count()) === 4,
	    { message: 'four travellers listed' });
	await mine.locator('li[data-name="车上乙"]').getByRole('button', { name: '已出发' }).click();
	await eventually(async () => (await badgeCount(page)) === '待发送 3 条',
	    { message: 'the change waits behind the busload' });
	await eventually(async () => await mine.locator('li[data-name="车上乙"]').getAttribute('data-status') === 'departed');
	const counts = async () => ({
		registered: await textOf(page.locator('[data-count="registered"]')),
		departed: await textOf(page.locator('[data-count="departed"]')),
	});
	assert.deepEqual(await counts(), { registered: String(1 + 3 + 2), departed: '2' });
	await assertNoHorizontalScroll(page, 'my travellers');
	await screenshot(page, 'returns-offline');

	/* Reload, still offline: everything is still there. */
	await page.reload();
	await page.locator('#single-form, #mine').first().waitFor({ state: 'attached' });
	await eventually(async () => (await badgeCount(page)) === '待发送 3 条',
	    { message: 'three waiting after a reload' });
	await page.getByRole('tab', { name: /我的返乡人员/ }).click();
	await eventually(async () => (await mine.locator('li[data-waiting]').count()) === 4);
	assert.equal(await mine.locator('li[data-name="车上乙"]').getAttribute('data-status'), 'departed');
	assert.deepEqual(await counts(), { registered: '6', departed: '2' });
	assert.equal((await serverRecords(vol.token)).length, 0, 'nothing reached the server yet');

	/* Back online: delivered in order, exactly once. */
	await context.setOffline(false);
	await page.locator('[data-outbox]').waitFor({ state: 'hidden', timeout: 60000 });
	const records = await serverRecords(vol.token);
	assert.equal(records.length, 4, JSON.stringify(records.map((r) => r.traveler.name)));
	const byName = Object.fromEntries(records.map((r) => [r.traveler.name, r]));
	assert.deepEqual(Object.keys(byName).sort(), ['单独丁', '车上丙', '车上乙', '车上甲'].sort());
	assert.equal(byName['车上乙'].status, 'departed');
	for (const n of ['车上甲', '车上丙', '单独丁'])
		assert.equal(byName[n].status, 'registered', n);
	assert.equal(byName['车上乙'].party_size, 2);
	assert.equal(byName['车上丙'].party_size, 3);
	assert.equal(byName['车上甲'].batch_id, byName['车上乙'].batch_id);
	assert.equal(byName['车上甲'].bus_label, '苏D·春运08');
	assert.equal(byName['单独丁'].batch_id, null);
	assert.deepEqual(byName['单独丁'].hometown, { province: '贵州省', city: '毕节市' });
	assert.equal(byName['单独丁'].party_size, 2);
	assert.equal(byName['车上乙'].version, 2);
	assert.equal(rowG(), g0 + 2, 'G moved by the departed party of two');

	/* The four arrival codes reach the volunteer, and the list is the server's. */
	await eventually(async () => (await page.locator('[data-arrival-code]').count()) === 4,
	    { timeout: 20000, message: 'four arrival codes shown' });
	await eventually(async () => (await mine.locator('li[data-waiting]').count()) === 0 &&
	    (await mine.locator('li').count()) === 4, { message: 'the list is the server\'s' });
	assert.deepEqual(await counts(), { registered: '6', departed: '2' });
	await screenshot(page, 'returns-delivered');
	assert.deepEqual(problems, [], 'no CSP violations or script errors');
	await context.close();
});

test('online: errors land under the passenger; a tap marks arrival; codes stay until told', async () => {
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, vol.username, vol.password);
	const page = await context.newPage();
	const problems = watchConsole(page);
	await openReturns(page);
	/* What is typed survives a reload (a draft on the phone). */
	await page.locator('#single-form').getByLabel('姓名').fill('草稿己');
	await page.locator('#single-form').getByLabel('家乡省份').selectOption('山东省');
	await page.reload();
	await page.locator('#s-province option:nth-child(2)').waitFor({ state: 'attached' });
	assert.equal(await page.locator('#single-form').getByLabel('姓名').inputValue(), '草稿己');
	assert.equal(await page.locator('#single-form').getByLabel('家乡省份').inputValue(), '山东省');

	await page.getByRole('tab', { name: '整车登记' }).click();
	await page.getByRole('button', { name: '＋ 添加乘客' }).click();
	await page.locator('[name="travellers[0].name"]').fill('在线甲');
	await page.locator('[name="travellers[0].phone"]').fill('13922220001');
	await page.locator('[name="travellers[0].hometown.province"]').selectOption('江西省');
	await page.locator('[name="travellers[1].name"]').fill('在线乙');
	await page.locator('[name="travellers[1].phone"]').fill('1392222');
	const before = (await serverRecords(vol.token)).length;
	/* What the phone can see is said at once, without asking the server. */
	const posts = [];
	page.on('request', (r) => {
		if (r.method() === 'POST' && r.url().endsWith('/api/v1/safe-returns/batch'))
			posts.push(r);
	});
	await page.getByRole('button', { name: '整车登记（2 位）' }).click();
	await eventually(async () => (await textOf(errorsUnder(page, 'travellers[1].phone'))) !== '');
	assert.match(await textOf(errorsUnder(page, 'travellers[1].phone')), /11 位/);
	assert.match(await textOf(errorsUnder(page, 'travellers[1].hometown.province')), /请选择/);
	assert.equal(await textOf(errorsUnder(page, 'travellers[0].phone')), '');
	assert.equal(posts.length, 0, 'nothing sent while the phone sees a mistake');

	/* Only the server knows one person twice: its answer lands under the
	 * second passenger's ID number. */
	await page.locator('[name="travellers[1].phone"]').fill('13922220002');
	assert.equal(await textOf(errorsUnder(page, 'travellers[1].phone')), '', 'gone once edited');
	await page.locator('[name="travellers[1].hometown.province"]').selectOption('湖南省');
	await page.locator('[name="travellers[0].id_number"]').fill(GOOD_ID);
	await page.locator('[name="travellers[1].id_number"]').fill(GOOD_ID);
	const refused = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/api/v1/safe-returns/batch'));
	await page.getByRole('button', { name: '整车登记（2 位）' }).click();
	assert.equal((await refused).status(), 400);
	await eventually(async () => /第 1 位/.test(await textOf(errorsUnder(page, 'travellers[1].id_number'))),
	    { message: 'the duplicate under the second passenger' });
	assert.equal((await serverRecords(vol.token)).length, before, 'nothing stored');

	/* Fixed, sent: the codes appear and stay after a reload. */
	await page.locator('[name="travellers[1].id_number"]').fill('');
	const ok = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/api/v1/safe-returns/batch'));
	await page.getByRole('button', { name: '整车登记（2 位）' }).click();
	assert.equal((await ok).status(), 201);
	await page.locator('[data-code-for="在线乙"] [data-arrival-code]').waitFor();
	const code = await textOf(page.locator('[data-code-for="在线乙"] [data-arrival-code]'));
	assert.match(code, /^[A-HJKMNP-Z2-9]{8}$/);
	await page.reload();
	await page.locator('[data-code-for="在线乙"] [data-arrival-code]').waitFor();

	/* 已到家 with one tap. */
	await page.getByRole('tab', { name: /我的返乡人员/ }).click();
	const row = page.locator('#mine li[data-name="在线甲"]');
	const moved = page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/transitions'));
	await row.getByRole('button', { name: '已到家' }).click();
	assert.equal((await moved).status(), 200);
	await eventually(async () => await row.getAttribute('data-status') === 'arrived');
	assert.equal(await row.getByRole('button').count(), 0, 'nothing left to do');
	const rec = (await serverRecords(vol.token)).find((r) => r.traveler.name === '在线甲');
	assert.equal(rec.status, 'arrived');

	/* The code goes only once the volunteer has confirmed twice. */
	await discardCodes(page, page.locator('[data-code-for="在线乙"]'));
	await page.locator('[data-code-for="在线乙"]').waitFor({ state: 'detached' });
	assert.deepEqual(problems, []);
	await context.close();
});

test('the traveller confirms arrival with the code and sees 平安到家，已告知工会', async () => {
	const r = await apiCall(vol.token, 'POST', '/api/v1/safe-returns', {
		traveler: { name: '到家戊', phone: '13933330001' }, hometown: { province: '湖北省' },
		depart_on: today, transport: 'coach', assistance: ['gift'],
	});
	assert.equal(r.status, 201);
	const context = await phone(browser, { serviceWorkers: 'block' });
	const page = await context.newPage();
	const problems = watchConsole(page);

	/* A wrong code first: said under the field, nothing changes. */
	await page.goto(url('/arrive/'));
	await page.getByLabel('到家码').fill('ABCD-EFGH');
	await page.getByRole('button', { name: '我已平安到家' }).click();
	await eventually(async () => /到家码不正确/.test(await textOf(errorsUnder(page, 'code'))));

	/* The link from the SMS carries the code in its fragment. */
	await page.goto(url(`/arrive/#${r.data.arrival_code.toLowerCase()}`));
	await page.reload();
	assert.equal(await page.getByLabel('到家码').inputValue(), r.data.arrival_code);
	await page.getByRole('button', { name: '我已平安到家' }).click();
	await page.getByText('平安到家，已告知工会').waitFor();
	await assertNoHorizontalScroll(page, 'arrival page');
	await screenshot(page, 'arrive-done');
	const rec = await apiCall(vol.token, 'GET', `/api/v1/safe-returns/${r.data.id}`);
	assert.equal(rec.data.status, 'arrived');
	assert.equal(rec.data.events.at(-1).user, null, 'confirmed by the traveller');
	assert.deepEqual(problems, []);
	await context.close();
});

test('staff list their town\'s records with filters and read one with its history', async () => {
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, staff.username, staff.password);
	const page = await context.newPage();
	const problems = watchConsole(page);
	await page.goto(url('/admin/returns.html'));
	await page.locator('#sr-list li').first().waitFor();
	await page.getByLabel('状态').selectOption('departed');
	await page.getByRole('button', { name: '查询' }).click();
	await eventually(async () => {
		const names = await page.locator('#sr-list li').evaluateAll((ls) => ls.map((l) => l.dataset.name));
		return names.length === 1 && names[0] === '车上乙';
	}, { message: 'only the departed traveller' });
	assert.match(await textOf(page.locator('#sr-list li')), /139\*\*\*\*0002/, 'masked in the list');
	await page.locator('#sr-list li a').click();
	await page.locator('#detail-view').waitFor({ state: 'visible' });
	assert.equal(await textOf(page.locator('#detail-title')), '车上乙');
	assert.match(await textOf(page.locator('#detail-kv')), /13911110002/, 'in full for staff of the town');
	const history = await textOf(page.locator('#detail-events'));
	assert.match(history, /登记/);
	assert.match(history, /已登记 → 已出发/);
	await assertNoHorizontalScroll(page, 'staff record');
	await screenshot(page, 'returns-admin-record');
	/* Back to the same filtered list. */
	await page.getByRole('link', { name: '‹ 返回列表' }).click();
	await page.locator('#sr-list li').first().waitFor();
	assert.equal(await page.getByLabel('状态').inputValue(), 'departed');
	assert.deepEqual(problems, []);
	await context.close();
});
