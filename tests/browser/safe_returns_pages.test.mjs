/*
 * The safe-return pages hold the shared page behaviour of docs/pages.md on
 * a 375×667 phone: every problem of a busload at once in the server's own
 * words; a note's counter at its limit with nothing cut; an arrival code
 * kept until confirmed twice; a cancellation that names what it ends; a
 * delivery that leaves the form being typed alone; loading states with
 * 重试, and provinces without a network on a first visit; the arrival page telling "no network" from "sent, no answer yet";
 * and every time in Asia/Shanghai on a phone set to New York.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, eventually, launch, phone, requireEnv,
	signIn, textOf, uniqueName, url, watchConsole,
} from './lib.mjs';
import { errorsUnder } from './help_lib.mjs';

let browser;
let adminToken;
let town;
let vol;
let staff;

async function createUser(role) {
	const username = uniqueName(`srp.${role.slice(0, 3)}.`);
	const password = `pw-${Math.random().toString(36).slice(2)}-long`;
	const r = await apiCall(adminToken, 'POST', '/api/v1/users', {
		username, password, display_name: `返乡页${role}`, role, unit_id: town.id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	return { username, password, token: await apiLogin(username, password) };
}

before(async () => {
	requireEnv();
	browser = await launch();
	adminToken = await apiLogin('admin', ADMIN_PASSWORD);
	const units = (await apiCall(null, 'GET', '/api/v1/units')).data.items;
	const district = units.find((u) => u.parent_id === null);
	const r = await apiCall(adminToken, 'POST', '/api/v1/units', {
		code: uniqueName('srp'), name: '返乡共用行为测试镇', kind: 'town', parent_id: district.id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	town = r.data;
	vol = await createUser('volunteer');
	staff = await createUser('staff');
});

after(async () => {
	await browser?.close();
});

/* Asia/Shanghai is UTC+8 all year: what the pages must show, from here. */
const shanghai = (ms) => new Date(ms + 8 * 3600e3).toISOString();
const todayShanghai = () => shanghai(Date.now()).slice(0, 10);
/* '2026-11-29T15:33…' → '11月29日 15:33' (formatTime's 'short'). */
const short = (iso) => `${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日 ${iso.slice(11, 16)}`;

async function openReturns(page) {
	await page.goto(url('/field/returns.html'));
	await page.locator('#s-province option:nth-child(2)').waitFor({ state: 'attached' });
}

async function volunteerPage(opts = {}) {
	const context = await phone(browser, { serviceWorkers: 'block', ...opts });
	await signIn(context, vol.username, vol.password);
	const page = await context.newPage();
	return { context, page, problems: watchConsole(page) };
}

const lastToast = (page) => textOf(page.locator('[data-toast]').last());

async function fillTraveller(page, name, phoneNo, province = '安徽省') {
	const sf = page.locator('#single-form');
	await sf.getByLabel('姓名').fill(name);
	await sf.getByLabel('手机号').fill(phoneNo);
	await sf.getByLabel('家乡省份').selectOption(province);
}

test('a busload shows every missing field at once, in the server\'s own words, and sends nothing', async () => {
	const { context, page, problems } = await volunteerPage();
	await openReturns(page);
	const posts = [];
	page.on('request', (r) => {
		if (r.method() === 'POST' && r.url().includes('/api/v1/safe-returns'))
			posts.push(r.url());
	});
	await page.getByRole('tab', { name: '整车登记' }).click();
	const bf = page.locator('#batch-form');
	await bf.getByLabel('出发日期').fill('');
	await bf.getByLabel('包车').uncheck();
	await page.getByRole('button', { name: '＋ 添加乘客' }).click();
	/* Two rows somebody began: a city each, nothing else. */
	await page.locator('[name="travellers[0].hometown.city"]').fill('阜阳市');
	await page.locator('[name="travellers[1].hometown.city"]').fill('达州市');
	await page.getByRole('button', { name: '整车登记（2 位）' }).click();
	await bf.locator('.field-error').first().waitFor();

	/* What the server says of the same busload, field by field. */
	const server = await apiCall(vol.token, 'POST', '/api/v1/safe-returns/batch', {
		transport: 'charter_bus', assistance: [],
		travellers: [{ hometown: { city: '阜阳市' } }, { hometown: { city: '达州市' } }],
	});
	assert.equal(server.status, 400, JSON.stringify(server.data));
	const fields = server.data.errors.map((e) => e.field).sort();
	assert.deepEqual(fields, ['assistance', 'depart_on',
		'travellers[0].hometown.province', 'travellers[0].name', 'travellers[0].phone',
		'travellers[1].hometown.province', 'travellers[1].name', 'travellers[1].phone'].sort());
	for (const e of server.data.errors) {
		assert.equal(await textOf(errorsUnder(page, e.field)), e.message,
		    `${e.field}: the page says what the server says`);
	}
	assert.equal(await bf.locator('.field-error').count(), server.data.errors.length,
	    'every problem at once, nothing more');
	assert.equal(await page.evaluate(() => document.activeElement.name), 'depart_on',
	    'the first field in error has the focus');
	assert.deepEqual(posts, [], 'nothing sent');

	/* An error goes as soon as its field is edited. */
	await page.locator('[name="travellers[1].name"]').fill('车上戊');
	assert.equal(await textOf(errorsUnder(page, 'travellers[1].name')), '');
	await bf.getByLabel('包车').check();
	assert.equal(await textOf(errorsUnder(page, 'assistance')), '');
	assert.notEqual(await textOf(errorsUnder(page, 'travellers[1].phone')), '', 'the others stay');
	assert.deepEqual(problems, []);
	await context.close();
});

test('a note at its limit: a live counter, a message saying how much, nothing cut', async () => {
	const { context, page, problems } = await volunteerPage();
	await openReturns(page);
	const note = page.locator('#s-note');
	const counter = page.locator('#single-form .field').filter({ has: page.locator('#s-note') })
	    .locator('.counter');
	await note.fill('路'.repeat(1990));
	assert.equal(await textOf(counter), '1990/2000');
	await note.fill(`${'路'.repeat(1990)}${'远'.repeat(15)}`);   /* pasted, 2005 */
	assert.equal(await textOf(counter), '2005/2000');
	assert.match(await counter.getAttribute('class'), /\bover\b/);
	assert.match(await textOf(errorsUnder(page, 'note')), /备注最多 2000 个字.*删减 5 个字/);
	assert.equal((await note.inputValue()).length, 2005, 'nothing cut off');

	/* Sending is refused by the page, the text stays whole. */
	await fillTraveller(page, '备注甲', '13966660001');
	const posts = [];
	page.on('request', (r) => {
		if (r.method() === 'POST')
			posts.push(r.url());
	});
	await page.getByRole('button', { name: '登记', exact: true }).click();
	await eventually(async () => /删减|最多/.test(await textOf(errorsUnder(page, 'note'))));
	assert.equal((await note.inputValue()).length, 2005);
	assert.deepEqual(posts, []);

	/* Five characters fewer: the message goes, the counter says 2000/2000. */
	await note.fill('路'.repeat(2000));
	assert.equal(await textOf(counter), '2000/2000');
	assert.equal(await textOf(errorsUnder(page, 'note')), '');

	/* A one-line field shows its counter only near its limit (80 %). */
	const name = page.locator('#s-name');
	const nameCounter = page.locator('#single-form .field').filter({ has: page.locator('#s-name') })
	    .locator('.counter');
	assert.ok(await nameCounter.isHidden(), 'no counter for a short name');
	await name.fill('名'.repeat(41));
	assert.equal(await textOf(nameCounter), '41/50');
	assert.ok(await nameCounter.isVisible());
	assert.deepEqual(problems, []);
	await context.close();
});

test('an arrival code stays until confirmed twice, through reloads; copy and picture', async () => {
	const { context, page, problems } = await volunteerPage();
	await openReturns(page);
	await fillTraveller(page, '码甲', '13966660002', '四川省');
	await page.getByRole('button', { name: '登记', exact: true }).click();
	const card = page.locator('[data-code-for="码甲"]');
	await card.locator('[data-arrival-code]').waitFor();
	const code = await textOf(card.locator('[data-arrival-code]'));
	assert.match(code, /^[A-HJKMNP-Z2-9]{8}$/);
	assert.match(await lastToast(page), /登记成功/);
	assert.match(await textOf(card.locator('.sr-sms')), new RegExp(`/arrive/#${code}`));

	/* 复制短信 and 保存为图片. */
	await card.getByRole('button', { name: '复制短信' }).click();
	await eventually(async () => /短信/.test(await lastToast(page)));
	await card.getByRole('button', { name: '保存为图片' }).click();
	const img = page.locator('dialog[data-picture] img');
	await img.waitFor();
	assert.match(await img.getAttribute('src'), /^data:image\/png;base64,/);
	await page.locator('dialog[data-picture]').getByRole('button', { name: '关闭' }).click();

	/* The first question, answered 返回: nothing goes. */
	await card.getByRole('button', { name: '我已记下' }).click();
	const dialog = page.getByRole('dialog');
	assert.match(await textOf(dialog), new RegExp(code), 'the question shows the code to check');
	assert.equal(await page.evaluate(() => document.activeElement.textContent), '返回',
	    'a stray tap on the focused button keeps the code');
	await dialog.getByRole('button', { name: '返回' }).click();
	await page.locator('dialog[data-confirm]').waitFor({ state: 'detached' });
	assert.equal(await card.count(), 1);

	/* The second question, answered 返回: nothing goes either. */
	await card.getByRole('button', { name: '我已记下' }).click();
	await dialog.getByRole('button', { name: '已记下' }).click();
	await dialog.getByRole('button', { name: '确定删除' }).waitFor();
	await dialog.getByRole('button', { name: '返回' }).click();
	await page.locator('dialog[data-confirm]').waitFor({ state: 'detached' });
	assert.equal(await card.count(), 1);

	await page.reload();
	await card.locator('[data-arrival-code]').waitFor();
	assert.equal(await textOf(card.locator('[data-arrival-code]')), code, 'kept on the phone');

	/* Both answered: gone, and still gone after a reload. */
	await card.getByRole('button', { name: '我已记下' }).click();
	await dialog.getByRole('button', { name: '已记下' }).click();
	await dialog.getByRole('button', { name: '确定删除' }).click();
	await card.waitFor({ state: 'detached' });
	await page.reload();
	await page.locator('#s-province option:nth-child(2)').waitFor({ state: 'attached' });
	assert.equal(await page.locator('[data-arrival-code]').count(), 0);
	assert.deepEqual(problems, []);
	await context.close();
});

test('cancelling asks first, names what it ends, and the focused answer keeps it', async () => {
	const r = await apiCall(vol.token, 'POST', '/api/v1/safe-returns', {
		traveler: { name: '取消甲', phone: '13966660003' }, party_size: 3,
		hometown: { province: '河南省' }, depart_on: todayShanghai(), transport: 'rail',
		assistance: ['ticket'],
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	const { context, page, problems } = await volunteerPage();
	await openReturns(page);
	await page.getByRole('tab', { name: /我的返乡人员/ }).click();
	const row = page.locator('#mine li[data-name="取消甲"]');
	await row.getByRole('button', { name: '取消' }).click();
	const dialog = page.getByRole('dialog');
	await dialog.waitFor();
	assert.match(await textOf(dialog), /取消甲（3 人）不再计入返乡人数/);
	assert.match(await textOf(dialog), /到家码随之作废/);
	assert.equal(await page.evaluate(() => document.activeElement.textContent), '返回');
	await page.keyboard.press('Enter');
	await page.locator('dialog[data-confirm]').waitFor({ state: 'detached' });
	assert.equal(await row.getAttribute('data-status'), 'registered');
	assert.equal((await apiCall(vol.token, 'GET', `/api/v1/safe-returns/${r.data.id}`)).data.status,
	    'registered', 'nothing changed');

	await row.getByRole('button', { name: '取消' }).click();
	const moved = page.waitForResponse((x) => x.request().method() === 'POST' &&
	    x.url().endsWith(`/safe-returns/${r.data.id}/transitions`));
	await dialog.getByRole('button', { name: '确定取消登记' }).click();
	assert.equal((await moved).status(), 200);
	await eventually(async () => await row.getAttribute('data-status') === 'cancelled');
	assert.match(await lastToast(page), /取消甲 已取消/);
	assert.equal((await apiCall(vol.token, 'GET', `/api/v1/safe-returns/${r.data.id}`)).data.status,
	    'cancelled');
	assert.deepEqual(problems, []);
	await context.close();
});

test('cancelling a traveller takes their arrival code off the cards at once, online or not', async () => {
	const { context, page, problems } = await volunteerPage();
	await openReturns(page);
	for (const [name, no] of [['作废甲', '13966660011'], ['作废乙', '13966660012'], ['作废丙', '13966660013']]) {
		await fillTraveller(page, name, no);
		await page.getByRole('button', { name: '登记', exact: true }).click();
		await page.locator(`[data-code-for="${name}"] [data-arrival-code]`).waitFor();
	}
	const cardOf = (name) => page.locator(`[data-code-for="${name}"]`);
	const code = await textOf(cardOf('作废甲').locator('[data-arrival-code]'));
	await page.getByRole('tab', { name: /我的返乡人员/ }).click();

	/* Online: the card and its SMS go as soon as the cancellation is sent. */
	await page.locator('#mine li[data-name="作废甲"]').getByRole('button', { name: '取消' }).click();
	await page.getByRole('dialog').getByRole('button', { name: '确定取消登记' }).click();
	await cardOf('作废甲').waitFor({ state: 'detached' });
	assert.ok(!(await textOf(page.locator('#codes'))).includes(code), 'no SMS with the void code');
	assert.equal(await cardOf('作废乙').count(), 1, 'the others stay');

	/* Offline: waiting in the outbox is enough, and it stays gone. */
	await context.setOffline(true);
	await page.locator('#mine li[data-name="作废乙"]').getByRole('button', { name: '取消' }).click();
	await page.getByRole('dialog').getByRole('button', { name: '确定取消登记' }).click();
	await cardOf('作废乙').waitFor({ state: 'detached' });
	assert.equal(await cardOf('作废丙').count(), 1);
	await context.setOffline(false);
	await page.locator('[data-outbox]').waitFor({ state: 'hidden', timeout: 20000 });
	await page.reload();
	await cardOf('作废丙').locator('[data-arrival-code]').waitFor();
	assert.equal(await cardOf('作废甲').count() + await cardOf('作废乙').count(), 0);
	assert.deepEqual(problems, []);
	await context.close();
});

test('a delivery from the outbox leaves the traveller being typed, and the focus, alone', async () => {
	const { context, page, problems } = await volunteerPage();
	await openReturns(page);
	await context.setOffline(true);
	await fillTraveller(page, '离线甲', '13966660004', '贵州省');
	await page.getByRole('button', { name: '登记', exact: true }).click();
	await eventually(async () => /没有网络/.test(await lastToast(page)));

	/* The next traveller, half typed, the cursor in the phone field. */
	const sf = page.locator('#single-form');
	await sf.getByLabel('姓名').fill('在场乙');
	await sf.getByLabel('手机号').fill('1396666');
	await sf.getByLabel('手机号').focus();

	await context.setOffline(false);
	await page.locator('[data-code-for="离线甲"] [data-arrival-code]').waitFor({ timeout: 30000 });
	await page.locator('[data-toast]', { hasText: '之前保存的登记已经发送' }).waitFor();
	assert.equal(await sf.getByLabel('姓名').inputValue(), '在场乙');
	assert.equal(await sf.getByLabel('手机号').inputValue(), '1396666');
	assert.equal(await page.evaluate(() => document.activeElement.id), 's-phone',
	    'the focus stays where it was');
	assert.ok(await sf.isVisible());
	assert.deepEqual(problems, []);
	await context.close();
});

/* The 34 provincial divisions the server accepts (GET /safe-returns/provinces). */
async function serverProvinces() {
	const r = await apiCall(null, 'GET', '/api/v1/safe-returns/provinces');
	assert.equal(r.status, 200);
	assert.equal(r.data.items.length, 34);
	return r.data.items.map((p) => p.name);
}

const optionsOf = (select) => select.evaluate((s) =>
    [...s.options].slice(1).map((o) => o.value));

test('provinces are there at once on a new phone, slow or failed network alike; never an empty select', async () => {
	const names = await serverProvinces();
	const { context, page, problems } = await volunteerPage();
	/* A slow network: the list is held until the test lets it go; the
	 * page's own list (the server's names) serves meanwhile. */
	let release;
	const held = new Promise((resolve) => {
		release = resolve;
	});
	await page.route('**/api/v1/safe-returns/provinces', async (route) => {
		await held;
		await route.continue();
	});
	await page.goto(url('/field/returns.html'));
	const province = page.locator('#s-province');
	await page.locator('#s-province option:nth-child(2)').waitFor({ state: 'attached' });
	assert.deepEqual(await optionsOf(province), names, 'the same names the server accepts');
	assert.equal(await province.getAttribute('aria-busy'), null);
	assert.equal(await page.locator('#single-form [data-list-status]').count(), 0);
	release();
	await page.waitForResponse('**/api/v1/safe-returns/provinces');
	assert.deepEqual(await optionsOf(province), names);
	await page.unroute('**/api/v1/safe-returns/provinces');

	/* No network and no copy on a new phone: the page's list, in the
	 * passenger rows too. */
	const fresh = await volunteerPage();
	const p2 = fresh.page;
	await p2.route('**/api/v1/safe-returns/provinces', (route) => route.abort('failed'));
	await p2.goto(url('/field/returns.html'));
	await p2.locator('#s-province option:nth-child(2)').waitFor({ state: 'attached' });
	await p2.getByRole('tab', { name: '整车登记' }).click();
	const row = p2.locator('[name="travellers[0].hometown.province"]');
	await row.locator('option:nth-child(2)').waitFor({ state: 'attached' });
	assert.deepEqual(await optionsOf(row), names);
	assert.equal(await p2.locator('[data-list-status]').count(), 0);
	assert.deepEqual([...problems, ...fresh.problems], []);
	await fresh.context.close();
	await context.close();
});

test('the first visit after signing in, without a network: a traveller can be registered', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	const problems = watchConsole(page);
	await page.goto(url('/login/'));
	await page.getByLabel('用户名').fill(vol.username);
	await page.getByLabel('密码', { exact: true }).fill(vol.password);
	await page.getByRole('button', { name: '登录' }).click();
	await page.waitForURL(url('/field/'));
	/* The volunteers' home has shown who is signed in (so the phone
	 * keeps GET /me's answer), and the service worker holds the pages:
	 * only then is the network gone. */
	await page.locator('#user-box').waitFor({ state: 'visible' });
	await page.waitForFunction(() => navigator.serviceWorker &&
	    navigator.serviceWorker.controller !== null, null, { timeout: 20000 });
	await context.setOffline(true);
	await page.goto(url('/field/returns.html'));
	const province = page.locator('#s-province');
	await page.locator('#s-province option:nth-child(2)').waitFor({ state: 'attached' });
	assert.equal((await optionsOf(province)).length, 34);
	assert.equal(await province.getAttribute('aria-busy'), null, 'not left busy');
	await fillTraveller(page, '离线首访', '13911113434', '四川省');
	await page.locator('#single-form').getByLabel('城市').fill('离线首访市');
	await page.locator('#single-submit').click();
	await eventually(async () => /没有网络/.test(await lastToast(page)),
	    { message: 'the traveller waits on the phone' });
	await context.setOffline(false);
	const kept = await eventually(async () => {
		const r = await apiCall(vol.token, 'GET', `/api/v1/safe-returns?unit_id=${town.id}&limit=200`);
		return r.status === 200 && r.data.items.find((t) => t.hometown.city === '离线首访市');
	}, { timeout: 20000, message: 'the traveller reaches the server once online' });
	assert.equal(kept.hometown.province, '四川省');
	assert.deepEqual(problems, []);
	await context.close();
});

test('the arrival page tells "no network" from "sent, no answer yet", and records once', async () => {
	const mk = async (name, phoneNo) => {
		const r = await apiCall(vol.token, 'POST', '/api/v1/safe-returns', {
			traveler: { name, phone: phoneNo }, hometown: { province: '湖北省' },
			depart_on: todayShanghai(), transport: 'coach', assistance: ['gift'],
		});
		assert.equal(r.status, 201, JSON.stringify(r.data));
		return r.data;
	};
	const a = await mk('到家甲', '13966660005');
	const b = await mk('到家乙', '13966660006');

	/* Offline: nothing left the phone, and it says so. */
	const context = await phone(browser, { serviceWorkers: 'block' });
	const page = await context.newPage();
	const problems = watchConsole(page);
	await page.goto(url('/arrive/'));
	await context.setOffline(true);
	await page.getByLabel('到家码').fill(a.arrival_code);
	await page.getByRole('button', { name: '我已平安到家' }).click();
	await page.locator('#queued').waitFor({ state: 'visible' });
	assert.match(await textOf(page.locator('#queued-text')), /没有网络/);
	await context.setOffline(false);
	await page.locator('#done').waitFor({ state: 'visible', timeout: 30000 });
	assert.equal((await apiCall(vol.token, 'GET', `/api/v1/safe-returns/${a.id}`)).data.status, 'arrived');

	/* The answer lost on its way back: sent, and said to be awaited. */
	const p2 = await context.newPage();
	let lost = 0;
	await p2.route('**/api/v1/safe-returns/arrivals', async (route) => {
		if (lost++ === 0) {
			await route.fetch();             /* the server has it ... */
			await route.abort('failed');     /* ... the phone never hears */
			return;
		}
		await route.continue();
	});
	await p2.goto(url('/arrive/'));
	await p2.getByLabel('到家码').fill(b.arrival_code);
	await p2.getByRole('button', { name: '我已平安到家' }).click();
	await p2.locator('#queued').waitFor({ state: 'visible' });
	const said = await textOf(p2.locator('#queued-text'));
	assert.match(said, /已发出，但没有收到服务器的回复/);
	assert.doesNotMatch(said, /没有网络/);
	/* Asked again by itself with the same key: the answer comes. */
	await p2.locator('#done').waitFor({ state: 'visible', timeout: 30000 });
	assert.ok(lost >= 2, 'asked again');
	const rec = (await apiCall(vol.token, 'GET', `/api/v1/safe-returns/${b.id}`)).data;
	assert.equal(rec.status, 'arrived');
	assert.equal(rec.events.filter((e) => e.to === 'arrived').length, 1, 'recorded once');
	assert.deepEqual(problems, []);
	await context.close();
});

test('on a phone set to New York every date and time is Asia/Shanghai\'s', async () => {
	const ny = { timezoneId: 'America/New_York' };
	const { context, page, problems } = await volunteerPage(ny);
	assert.notEqual(await page.evaluate(() => new Date().getTimezoneOffset()), -480,
	    'the phone is not on Shanghai time');
	await openReturns(page);
	assert.equal(await page.locator('#single-form').getByLabel('出发日期').inputValue(),
	    todayShanghai(), 'today is Shanghai\'s today');
	assert.equal(await textOf(page.locator('#today-date')), todayShanghai());

	/* Saved without a network: the waiting row says when, in Shanghai. */
	await context.setOffline(true);
	const before = Date.now();
	await fillTraveller(page, '纽约甲', '13966660007', '山东省');
	await page.getByRole('button', { name: '登记', exact: true }).click();
	await page.getByRole('tab', { name: /我的返乡人员/ }).click();
	const saved = page.locator('#mine li[data-name="纽约甲"] [data-saved-at]');
	await saved.waitFor();
	const after = Date.now();
	const allowed = new Set([short(shanghai(before)), short(shanghai(after))]);
	const shown = (await textOf(saved)).match(/保存于 (.+?)，/)[1];
	assert.ok(allowed.has(shown), `保存于 ${shown}, want one of ${[...allowed]}`);

	/* Delivered: the code card says when it was registered, in Shanghai. */
	await context.setOffline(false);
	const card = page.locator('[data-code-for="纽约甲"]');
	await card.locator('[data-arrival-code]').waitFor({ timeout: 30000 });
	const list = await apiCall(vol.token, 'GET', '/api/v1/safe-returns?q=纽约甲');
	const rec = list.data.items.find((x) => x.traveler.name === '纽约甲');
	assert.match(rec.created_at, /\+08:00$/);
	assert.equal(await textOf(card.locator('[data-registered-at]')),
	    `${todayShanghai()} 出发 · 登记于 ${short(rec.created_at)}`);
	assert.deepEqual(problems, []);
	await context.close();

	/* Staff in New York read the record's times as Shanghai's. */
	const sc = await phone(browser, { serviceWorkers: 'block', ...ny });
	await signIn(sc, staff.username, staff.password);
	const sp = await sc.newPage();
	await sp.goto(url(`/admin/returns.html?id=${rec.id}`));
	await sp.locator('#detail-view').waitFor({ state: 'visible' });
	const kv = await sp.locator('#detail-kv').innerText();
	assert.match(kv, new RegExp(`登记时间\\s+${rec.created_at.slice(0, 16).replace('T', ' ')}`));
	const full = (await apiCall(staff.token, 'GET', `/api/v1/safe-returns/${rec.id}`)).data;
	assert.match(await textOf(sp.locator('#detail-events [data-event-at]')),
	    new RegExp(`^${full.events[0].at.slice(0, 16).replace('T', ' ')} `));
	await sc.close();
});

test('the staff list shows it is loading and offers 重试 when it failed', async () => {
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, staff.username, staff.password);
	const page = await context.newPage();
	const problems = watchConsole(page);
	let fail = true;
	await page.route((u) => u.pathname === '/api/v1/safe-returns', (route) => (fail ?
	    route.abort('failed') : route.continue()));
	await page.goto(url('/admin/returns.html'));
	const msg = page.locator('#list-msg');
	await eventually(async () => /没有加载成功/.test(await textOf(msg)));
	fail = false;
	await msg.getByRole('button', { name: '重试' }).click();
	await page.locator('#sr-list li').first().waitFor();
	assert.equal(await textOf(msg), '');

	/* A search longer than the server takes is said under the field. */
	await page.getByLabel('搜索').fill('长'.repeat(51));
	await page.getByRole('button', { name: '查询' }).click();
	assert.match(await textOf(errorsUnder(page, 'q')), /搜索最多 50 个字/);
	assert.deepEqual(problems, []);
	await context.close();
});
