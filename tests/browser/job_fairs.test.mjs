/*
 * Recruitment fairs on a 375×667 phone: a job seeker finds a fair, sees
 * its employers and wages, signs up and gets the code and a QR code large
 * enough to scan off the screen; a volunteer at the door types the code
 * and gets a big green ✓ with the masked name, then, for the same code, a
 * ✓ saying it was already checked in, and a red ✗ for a wrong one.  An
 * employer signs up with two positions; staff see the counts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, PHONE, apiCall, apiLogin, assertNoHorizontalScroll,
	eventually, launch, phone, requireEnv, screenshot, signIn, textOf,
	uniqueName, units, url, watchConsole,
} from './lib.mjs';

/* YYYY-MM-DD in Asia/Shanghai, days from today: the fair is on now. */
function day(n) {
	return new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
}

let browser;
let adminToken;
let fair;
let volunteer;
const TITLE = `浏览器测试招聘会${Date.now().toString(36)}`;

/* GB 32100 check character of a credit code. */
const CC_SET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function creditCode() {
	let s = '913204';
	for (let i = 0; i < 11; i++)
		s += CC_SET[Math.floor(Math.random() * CC_SET.length)];
	let sum = 0;
	for (let i = 0; i < 17; i++)
		sum += CC_SET.indexOf(s[i]) * CC_W[i];
	const c = 31 - (sum % 31);
	return s + CC_SET[c === 31 ? 0 : c];
}

function freshPhone() {
	return `13${Math.floor(Math.random() * 1e9).toString().padStart(9, '0')}`;
}

before(async () => {
	requireEnv();
	browser = await launch();
	adminToken = await apiLogin('admin', ADMIN_PASSWORD);
	const district = (await units()).find((u) => u.parent_id === null);
	let r = await apiCall(adminToken, 'POST', '/api/v1/job-fairs', {
		title: TITLE, kind: 'work_study', venue: '经开区职工服务中心二楼',
		starts_at: `${day(0)}T00:00`, ends_at: `${day(1)}T23:00`,
		seeker_capacity: 50, unit_id: district.id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	/* Published with the ETag it was created with (If-Match). */
	const pub = await fetch(url(`/api/v1/job-fairs/${r.data.id}`), {
		method: 'PATCH',
		headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json',
		    'If-Match': `"${r.data.version}"` },
		body: JSON.stringify({ status: 'published' }),
	});
	assert.equal(pub.status, 200);
	fair = await pub.json();
	r = await apiCall(null, 'POST', `/api/v1/job-fairs/${fair.id}/employers`, {
		name: '常州爱心食品有限公司', credit_code: creditCode(), contact_name: '周经理',
		contact_phone: freshPhone(), caring: true,
		positions: [{ title: '寒假理货员', kind: 'work_study', headcount: 5, wage_min: '2000', wage_max: '2800.50' }],
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	volunteer = { username: uniqueName('vol'), password: `pw-${Date.now()}-long` };
	r = await apiCall(adminToken, 'POST', '/api/v1/users', {
		...volunteer, display_name: '门口志愿者', role: 'volunteer', unit_id: district.id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
});

after(async () => {
	await browser?.close();
});

let code = null;

test('a job seeker finds the fair, signs up, and gets the code with a scannable QR', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await page.goto(url('/fair/'));
	const card = page.locator('.fair-item', { hasText: TITLE });
	await card.waitFor();
	assert.match(await card.innerText(), /剩余名额 50 个/);
	await assertNoHorizontalScroll(page, '/fair/');
	await card.click();
	await page.waitForURL(/\/fair\/fair\.html\?id=\d+/);

	const employer = page.locator('.employer', { hasText: '常州爱心食品有限公司' });
	await employer.waitFor();
	assert.match(await employer.innerText(), /寒假理货员/);
	assert.match(await employer.innerText(), /2,000–2,800\.50 元\/月/);
	assert.match(await employer.innerText(), /爱心企业/);
	assert.ok(!(await page.content()).includes('周经理'), 'no contact on the public page');

	// Sent empty: every problem at once, under its field, in Chinese.
	await page.getByRole('button', { name: /提交报名/ }).click();
	for (const name of ['name', 'phone', 'kind']) {
		const err = page.locator('.field').filter({ has: page.locator(`[name="${name}"]`) })
		    .locator('.field-error').first();
		await err.waitFor();
		assert.ok((await err.innerText()).length > 0, `an error under ${name}`);
	}
	await page.getByLabel('手机号').fill('1234');
	await page.getByRole('button', { name: /提交报名/ }).click();
	await page.locator('.field').filter({ has: page.locator('[name="phone"]') })
	    .locator('.field-error').first().waitFor();

	await page.getByLabel('姓名').fill('张三丰');
	await page.getByLabel('手机号').fill(freshPhone());
	assert.ok(!(await page.getByLabel('来自困难职工家庭').isVisible()), 'asked of students only');
	await page.getByLabel(/学生/).check();
	await page.getByLabel('来自困难职工家庭').check();
	await page.getByLabel('想找的工作').fill('理货');
	await page.getByRole('button', { name: /提交报名/ }).click();

	const result = page.locator('[data-result]');
	await result.waitFor();
	code = (await textOf(result.locator('[data-code]')));
	assert.match(code, /^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{8}$/);
	assert.match(await result.innerText(), /报名成功/);
	assert.match(await result.innerText(), /截屏/);
	await page.waitForFunction(() => {
		const i = document.querySelector('img.qr');
		return i && i.complete && i.naturalWidth > 0;
	});
	const box = await result.locator('img.qr').boundingBox();
	assert.ok(box.width >= 240 && box.height >= 240, `the QR is ${box.width}×${box.height} px`);
	assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, 'the QR fits the screen');
	const codeSize = await result.locator('[data-code]').evaluate((n) =>
	    parseFloat(getComputedStyle(n).fontSize));
	assert.ok(codeSize >= 32, `the code is ${codeSize} px`);
	await assertNoHorizontalScroll(page, 'fair page');
	await screenshot(page, 'fair-signed-up');

	// The code stays on the phone until the person says it is saved.
	await page.reload();
	await page.locator(`[data-result="${code}"]`).waitFor();
	assert.deepEqual(csp, [], 'no CSP violations or script errors');

	const regs = await apiCall(adminToken, 'GET', `/api/v1/job-fairs/${fair.id}/registrations`);
	assert.equal(regs.data.items.length, 1);
	assert.equal(regs.data.items[0].name, '张三丰');
	assert.equal(regs.data.items[0].hardship_family, true);
	await context.close();
});

test('a volunteer checks the code in: ✓, then "already checked in", then ✗ for a wrong code', async () => {
	assert.ok(code, 'the sign-up gave a code');
	const context = await phone(browser);
	await signIn(context, volunteer.username, volunteer.password);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await page.goto(url(`/field/checkin.html?fair=${fair.id}`));
	const input = page.getByLabel('报名码');
	await input.waitFor();
	assert.equal(await page.locator('#fair').inputValue(), String(fair.id));

	const go = page.getByRole('button', { name: '签到' });
	const b = await go.boundingBox();
	assert.ok(b.height >= 44 && b.width >= 44, `签到 is ${b.width}×${b.height}`);
	assert.ok(b.y + b.height <= PHONE.height, '签到 is on the first screen, under the thumb');

	await input.fill(`${code.slice(0, 4).toLowerCase()} ${code.slice(4)}`);
	await go.click();
	const verdict = page.locator('#result');
	await eventually(async () => (await verdict.getAttribute('data-verdict')) === 'ok',
	    { message: 'a green ✓' });
	assert.match(await verdict.innerText(), /✓/);
	assert.match(await verdict.innerText(), /签到成功/);
	assert.match(await verdict.innerText(), /张\*丰/);
	const bg = await verdict.evaluate((n) => getComputedStyle(n).backgroundColor);
	assert.equal(bg, 'rgb(17, 102, 58)', 'green');
	const mark = await page.locator('#verdict-mark').evaluate((n) => parseFloat(getComputedStyle(n).fontSize));
	assert.ok(mark >= 64, `the ✓ is ${mark} px`);
	await eventually(async () => /已签到 1 人/.test(await textOf(page.locator('#counts'))),
	    { message: 'the count moves' });
	await screenshot(page, 'checkin-ok');

	await input.fill(code);
	await go.click();
	await eventually(async () => (await verdict.getAttribute('data-verdict')) === 'again',
	    { message: 'already checked in' });
	assert.match(await verdict.innerText(), /已签到过/);
	assert.match(await verdict.innerText(), /首次签到 \d\d:\d\d/);
	await screenshot(page, 'checkin-again');

	await input.fill('ABCD2345');
	await go.click();
	await eventually(async () => (await verdict.getAttribute('data-verdict')) === 'bad',
	    { message: 'a red ✗' });
	assert.match(await verdict.innerText(), /✗/);
	assert.match(await verdict.innerText(), /报名码不正确/);
	await assertNoHorizontalScroll(page, 'check-in');
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});

test('a job seeker cancels by code after a confirmation naming what follows', async () => {
	const r = await apiCall(null, 'POST', `/api/v1/job-fairs/${fair.id}/registrations`,
	    { name: '取消测试', phone: freshPhone(), kind: 'other' });
	assert.equal(r.status, 201);
	const context = await phone(browser);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await page.goto(url(`/fair/cancel.html?id=${fair.id}`));
	await page.locator(`#c-fair option[value="${fair.id}"]`).waitFor({ state: 'attached' });
	await eventually(async () => (await page.locator('#c-fair').inputValue()) === String(fair.id),
	    { message: 'the fair of the address is chosen' });
	await page.getByLabel('报名码').fill(r.data.code.toLowerCase());
	await page.getByRole('button', { name: '取消报名' }).click();
	const sheet = page.locator('dialog[data-confirm]');
	await sheet.waitFor();
	assert.match(await sheet.innerText(), /候补/);
	await sheet.getByRole('button', { name: '确定取消报名' }).click();
	await page.locator('.result', { hasText: '已取消报名' }).waitFor();
	const g = await apiCall(null, 'GET', `/api/v1/job-fairs/${fair.id}/registrations/${r.data.code}`);
	assert.equal(g.data.status, 'cancelled');
	await assertNoHorizontalScroll(page, 'cancel');
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});

test('an employer signs up with two positions; the form names a bad field', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await page.goto(url(`/fair/employer.html?id=${fair.id}`));
	await page.getByLabel('单位名称').fill('常州某纺织有限公司');
	await page.getByLabel('统一社会信用代码').fill('91320400MA1MB7R3X0');
	await page.getByLabel(/^联系人/).fill('李主任');
	await page.getByLabel('联系电话').fill(freshPhone());
	await page.locator('[name="positions[0].title"]').fill('缝纫工');
	await page.locator('[name="positions[0].headcount"]').fill('10');
	await page.locator('[name="positions[0].wage_min"]').fill('4500');
	await page.getByRole('button', { name: '＋ 再加一个岗位' }).click();
	await page.locator('[name="positions[1].title"]').fill('寒假帮工');
	await page.locator('[name="positions[1].kind"]').selectOption('work_study');
	await page.locator('[name="positions[1].headcount"]').fill('3');
	await page.getByRole('button', { name: '提交报名' }).click();
	const err = page.locator('.field').filter({ has: page.locator('[name="credit_code"]') })
	    .locator('.field-error');
	await err.waitFor();
	assert.match(await err.innerText(), /统一社会信用代码/);
	await screenshot(page, 'employer-form');

	await page.getByLabel('统一社会信用代码').fill(creditCode());
	await page.getByRole('button', { name: '提交报名' }).click();
	const done = page.locator('.result');
	await done.waitFor();
	assert.match(await done.innerText(), /共 2 个岗位/);
	assert.match(await done.innerText(), /4,500 元\/月起/);
	await assertNoHorizontalScroll(page, 'employer form');
	await screenshot(page, 'employer-done');
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});

test('staff see the fair with live counts and masked registrations', async () => {
	const context = await phone(browser);
	await signIn(context, 'admin', ADMIN_PASSWORD);
	const page = await context.newPage();
	const csp = watchConsole(page);
	await page.goto(url(`/admin/fair.html?id=${fair.id}`));
	await eventually(async () => (await textOf(page.locator('#c-checked'))) === '1',
	    { message: 'one checked in' });
	assert.equal(await textOf(page.locator('#c-registered')), '1');
	const reg = page.locator('#reg-list li', { hasText: '张三丰' });
	await reg.waitFor();
	assert.match(await reg.innerText(), /张三丰/);
	assert.match(await reg.innerText(), /1\d\d\*\*\*\*\d{4}/, 'the phone masked');
	assert.match(await reg.innerText(), /签到 \d\d:\d\d/);
	await assertNoHorizontalScroll(page, 'admin fair');
	await screenshot(page, 'admin-fair');
	assert.deepEqual(csp, [], 'no CSP violations or script errors');
	await context.close();
});

/* The rendered tappable elements smaller than 44 px (as taps.test.mjs
 * measures them: a checkbox or radio by the label around it). */
function smallTargets(page) {
	return page.evaluate(() => {
		const sel = 'a[href], button, input:not([type="hidden"]), select, textarea, ' +
		    'summary, [role="button"], [tabindex]:not([tabindex="-1"])';
		const out = [];
		for (const node of document.querySelectorAll(sel)) {
			if (!node.getClientRects().length || getComputedStyle(node).visibility === 'hidden')
				continue;
			const target = ['checkbox', 'radio'].includes(node.type) &&
			    node.closest('label') ? node.closest('label') : node;
			const r = target.getBoundingClientRect();
			if (r.width < 44 || r.height < 44)
				out.push(`${node.tagName.toLowerCase()}${node.id ? `#${node.id}` : ''} ` +
				    `"${(node.textContent || node.name || '').trim().slice(0, 20)}" ` +
				    `${Math.round(r.width)}×${Math.round(r.height)}`);
		}
		return out;
	});
}

test('every tap target on the fair pages is at least 44×44 px', async () => {
	const context = await phone(browser);
	await signIn(context, 'admin', ADMIN_PASSWORD);
	const page = await context.newPage();
	const pages = [
		['/fair/', '.fair-item'],
		[`/fair/fair.html?id=${fair.id}`, '.employer'],
		[`/fair/employer.html?id=${fair.id}`, '#employer-form:not([hidden])'],
		[`/fair/cancel.html?id=${fair.id}`, '#cancel-form'],
		[`/field/checkin.html?fair=${fair.id}`, '#checkin-form:not([hidden])'],
		['/admin/fairs.html', '.fair-item'],
		[`/admin/fair.html?id=${fair.id}`, '#reg-list li'],
	];
	for (const [p, ready] of pages) {
		await page.goto(url(p));
		await page.locator(ready).first().waitFor();
		assert.deepEqual(await smallTargets(page), [], `${p}: tap targets under 44×44 px`);
		await assertNoHorizontalScroll(page, p);
	}
	await context.close();
});
