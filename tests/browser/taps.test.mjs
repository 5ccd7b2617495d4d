/*
 * Every tappable thing on every page is at least 44×44 px on a 375×667
 * phone (app.css), measured: links, buttons, inputs, selects, summaries,
 * a checkbox by the label around it; in the states people see: forms with
 * errors, a shown-once code, a confirmation, the outbox badge, a toast,
 * the staff pages of a case with its actions, the statistics table, the
 * safe-return, arrival and visit pages with their dialogs and lists, the
 * campaigns page, the volunteers' headers with 退出, and a shared phone's
 * badge and sign-in page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, launch, phone, requireEnv, signIn,
	uniqueName, units, url,
} from './lib.mjs';
import { fillCase, fillWorker, openHelp, tag } from './help_lib.mjs';

const MIN = 44;

let browser;
let adminToken;
let unitId;

before(async () => {
	requireEnv();
	browser = await launch();
	adminToken = await apiLogin('admin', ADMIN_PASSWORD);
	unitId = (await units()).find((u) => u.name === '丁堰街道').id;
});

after(async () => {
	await browser?.close();
});

/* The rendered tappable elements smaller than MIN in either direction. */
function small(page) {
	return page.evaluate((min) => {
		const sel = 'a[href], button, input:not([type="hidden"]), select, textarea, ' +
		    'summary, [role="button"], [tabindex]:not([tabindex="-1"])';
		const out = [];
		let n = 0;
		for (const node of document.querySelectorAll(sel)) {
			if (!node.getClientRects().length)
				continue;       /* not rendered: hidden, closed <details> */
			const st = getComputedStyle(node);
			if (st.visibility === 'hidden')
				continue;
			/* A checkbox is tapped through the label it sits in. */
			const target = ['checkbox', 'radio'].includes(node.type) &&
			    node.closest('label') ? node.closest('label') : node;
			const r = target.getBoundingClientRect();
			n++;
			if (r.width < min || r.height < min) {
				out.push(`${node.tagName.toLowerCase()}` +
				    `${node.id ? `#${node.id}` : ''} "${(node.textContent ||
				    node.name || '').trim().slice(0, 20)}" ` +
				    `${Math.round(r.width)}×${Math.round(r.height)}`);
			}
		}
		return { n, out };
	}, MIN);
}

async function measure(page, what, seen) {
	const { n, out } = await small(page);
	assert.ok(n > 0, `${what}: something to tap`);
	assert.deepEqual(out, [], `${what}: tap targets under ${MIN}×${MIN} px`);
	seen.push(`${what} (${n})`);
}

test('no tap target under 44×44 px on the public pages', async () => {
	const seen = [];
	const context = await phone(browser);
	const page = await context.newPage();
	for (const p of ['/', '/fair/', '/field/', '/login/', '/help/track.html']) {
		await page.goto(url(p));
		await page.waitForLoadState('load');
		await measure(page, p, seen);
	}

	/* The intake form, empty, then with every message showing. */
	await openHelp(page, unitId);
	await measure(page, '/help/', seen);
	await page.getByRole('button', { name: '添加一人' }).click();
	await page.getByRole('button', { name: '提交求助' }).click();
	await page.locator('.field-error').first().waitFor();
	await measure(page, '/help/ with errors', seen);

	/* A shown-once code, its confirmation and its picture. */
	await fillCase(page, unitId, `触控测试${tag()}`);
	await fillWorker(page, 0, { name: '张三', amount: '100' });
	await page.getByRole('button', { name: '提交求助' }).click();
	await page.locator('[data-result]').waitFor();
	await measure(page, '/help/ answer', seen);
	await page.getByRole('button', { name: '我已记下' }).click();
	await page.getByRole('dialog').waitFor();
	await measure(page, '/help/ confirmation', seen);
	await page.getByRole('dialog').getByRole('button', { name: '返回' }).click();
	await page.locator('dialog[data-confirm]').waitFor({ state: 'detached' });
	await page.getByRole('button', { name: '保存为图片' }).click();
	await page.locator('dialog[data-picture] img').waitFor();
	await measure(page, '/help/ picture', seen);
	await page.getByRole('button', { name: '关闭' }).click();

	/* The progress page with an answer; a toast. */
	await page.getByRole('button', { name: '复制' }).click();
	await page.locator('[data-toast]').first().waitFor();
	await measure(page, '/help/ toast', seen);
	await page.getByRole('link', { name: '查询办理进度' }).click();
	await page.waitForURL(/track\.html/);
	await page.getByLabel('查询码').fill('WRONG234');
	await page.getByRole('button', { name: '查询' }).click();
	await page.locator('[data-form-error] p').waitFor();
	await measure(page, '/help/track.html refused', seen);
	await context.close();

	/* The outbox badge while a record waits and after it was refused. */
	const off = await phone(browser, { serviceWorkers: 'block' });
	const p2 = await off.newPage();
	await openHelp(p2, unitId);
	await off.setOffline(true);
	await fillCase(p2, unitId, `触控离线测试${tag()}`);
	await fillWorker(p2, 0, { name: '张三', amount: '100' });
	await p2.getByRole('button', { name: '提交求助' }).click();
	await p2.locator('[data-outbox-count]').waitFor();
	await measure(p2, '/help/ queued with badge', seen);
	await off.close();
	console.log(`measured: ${seen.join(', ')}`);
});

test('no tap target under 44×44 px on the staff pages', async () => {
	const seen = [];
	const filed = await apiCall(null, 'POST', '/api/v1/wage-cases', {
		unit_id: unitId, employer_name: `触控案件${tag()}`, industry: 'services',
		reporter: { name: '周师傅', phone: '13700002222' },
		workers: [{ name: '张三', amount_owed: '100', phone: '13600003333' }],
	});
	assert.equal(filed.status, 201);
	const list = await apiCall(adminToken, 'GET',
	    `/api/v1/wage-cases?q=${encodeURIComponent(filed.data.reference)}`);
	const id = list.data.items[0].id;

	const context = await phone(browser);
	await signIn(context, 'admin', ADMIN_PASSWORD);
	const page = await context.newPage();
	await page.goto(url('/admin/'));
	await page.locator('#user-list li').first().waitFor();
	await measure(page, '/admin/', seen);
	await page.getByRole('button', { name: '创建用户' }).click();
	await page.locator('#user-form .field-error').first().waitFor();
	await measure(page, '/admin/ with errors', seen);

	await page.goto(url('/admin/cases.html'));
	await page.locator('#case-list li').first().waitFor();
	await page.locator('#more-filters summary').click();
	await measure(page, '/admin/cases.html', seen);

	await page.goto(url(`/admin/case.html?id=${id}`));
	await page.locator('#case').waitFor({ state: 'visible' });
	await page.locator('#c-fields a[href^="tel:"]').waitFor();
	await measure(page, '/admin/case.html received', seen);
	await page.locator('#action-buttons').getByRole('button', { name: '受理', exact: true }).click();
	await page.locator('#recovery').waitFor({ state: 'visible' });
	await page.locator('[data-toast]').first().waitFor();
	await measure(page, '/admin/case.html accepted, with a toast', seen);
	await page.locator('#action-buttons').getByRole('button', { name: '结案', exact: true }).click();
	await page.getByRole('dialog').waitFor();
	await measure(page, '/admin/case.html confirmation', seen);
	await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();

	/* The statistics table: figures, entry fields, the units below. */
	await page.goto(url('/admin/stats/'));
	await page.locator('#sheet-card').waitFor({ state: 'visible' });
	await page.locator('#report-card').waitFor({ state: 'visible' });
	await measure(page, '/admin/stats/', seen);
	await context.close();
	console.log(`measured: ${seen.join(', ')}`);
});

/* A fresh town with a volunteer and a member of staff in it. */
async function townWithUsers() {
	const all = await units();
	const district = all.find((u) => u.parent_id === null);
	const r = await apiCall(adminToken, 'POST', '/api/v1/units', {
		code: uniqueName('tap'), name: '触控测试镇', kind: 'town', parent_id: district.id,
	});
	assert.equal(r.status, 201, JSON.stringify(r.data));
	const users = {};
	for (const role of ['volunteer', 'staff']) {
		const username = uniqueName(`tap.${role.slice(0, 3)}.`);
		const password = `pw-${Math.random().toString(36).slice(2)}-long`;
		const u = await apiCall(adminToken, 'POST', '/api/v1/users', {
			username, password, display_name: `触控${role}`, role, unit_id: r.data.id,
		});
		assert.equal(u.status, 201, JSON.stringify(u.data));
		users[role] = { username, password, token: await apiLogin(username, password) };
	}
	return { town: r.data, ...users };
}

/* Both questions of an onceCard's 我已记下, measured, then 返回. */
async function measureOnceCard(page, what, seen) {
	await page.getByRole('button', { name: '我已记下' }).first().click();
	await page.getByRole('dialog').waitFor();
	await measure(page, `${what} confirmation`, seen);
	await page.getByRole('dialog').getByRole('button', { name: '已记下' }).click();
	await page.getByRole('dialog').getByRole('button', { name: '确定删除' }).waitFor();
	await measure(page, `${what} second confirmation`, seen);
	await page.getByRole('dialog').getByRole('button', { name: '返回' }).click();
	await page.locator('dialog[data-confirm]').waitFor({ state: 'detached' });
	await page.getByRole('button', { name: '保存为图片' }).first().click();
	await page.locator('dialog[data-picture] img').waitFor();
	await measure(page, `${what} picture`, seen);
	await page.locator('dialog[data-picture]').getByRole('button', { name: '关闭' }).click();
	await page.locator('dialog[data-picture]').waitFor({ state: 'detached' });
}

test('no tap target under 44×44 px on the safe-return, arrival and visit pages', async () => {
	const seen = [];
	const { town, volunteer, staff } = await townWithUsers();
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, volunteer.username, volunteer.password);
	const page = await context.newPage();

	/* 平安返乡: one traveller, empty and with every message. */
	await page.goto(url('/field/returns.html'));
	await page.locator('#s-province option:nth-child(2)').waitFor({ state: 'attached' });
	await measure(page, '/field/returns.html', seen);
	await page.getByRole('button', { name: '登记', exact: true }).click();
	await page.locator('#single-form .field-error').first().waitFor();
	await measure(page, '/field/returns.html with errors', seen);

	/* Registered: the arrival code's card, its questions, its picture, a toast. */
	const sf = page.locator('#single-form');
	await sf.getByLabel('姓名').fill('触控甲');
	await sf.getByLabel('手机号').fill('13955550001');
	await sf.getByLabel('家乡省份').selectOption('安徽省');
	await page.getByRole('button', { name: '登记', exact: true }).click();
	await page.locator('[data-code-for="触控甲"] [data-arrival-code]').waitFor();
	await page.locator('[data-toast]').first().waitFor();
	await measure(page, '/field/returns.html code card and toast', seen);
	await measureOnceCard(page, '/field/returns.html code', seen);

	/* A busload with two rows and every message. */
	await page.getByRole('tab', { name: '整车登记' }).click();
	await page.getByRole('button', { name: '＋ 添加乘客' }).click();
	await page.locator('[name="travellers[1].name"]').fill('触控乙');
	await page.getByRole('button', { name: /^整车登记（/ }).click();
	await page.locator('#batch-form .field-error').first().waitFor();
	await measure(page, '/field/returns.html busload with errors', seen);

	/* My travellers, and the question before a cancellation. */
	await page.getByRole('tab', { name: /我的返乡人员/ }).click();
	await page.locator('#mine li[data-name="触控甲"] [data-move]').first().waitFor();
	await measure(page, '/field/returns.html my travellers', seen);
	await page.locator('#mine li[data-name="触控甲"]').getByRole('button', { name: '取消' }).click();
	await page.getByRole('dialog').waitFor();
	await measure(page, '/field/returns.html cancel confirmation', seen);
	await page.getByRole('dialog').getByRole('button', { name: '返回' }).click();

	/* Waiting in the outbox, with the badge. */
	await context.setOffline(true);
	await page.getByRole('tab', { name: '登记一人' }).click();
	await sf.getByLabel('姓名').fill('触控丙');
	await sf.getByLabel('手机号').fill('13955550003');
	await sf.getByLabel('家乡省份').selectOption('河南省');
	await page.getByRole('button', { name: '登记', exact: true }).click();
	await page.locator('[data-outbox-count]').waitFor();
	await measure(page, '/field/returns.html queued with badge', seen);
	await context.setOffline(false);

	/* The visit log: empty, with messages, with a visit in the list. */
	await page.goto(url('/field/visits.html'));
	await page.locator('#v-category option:nth-child(2)').waitFor({ state: 'attached' });
	await measure(page, '/field/visits.html', seen);
	await page.getByRole('button', { name: '保存走访记录' }).click();
	await page.locator('#visit-form .field-error').first().waitFor();
	await measure(page, '/field/visits.html with errors', seen);
	await page.getByRole('radio', { name: '慰问职工' }).click();
	await page.getByLabel('慰问对象类别').selectOption('C7');
	await page.getByLabel('慰问人次').fill('2');
	await page.getByRole('button', { name: '保存走访记录' }).click();
	await page.locator('#visit-list li button').first().waitFor();
	await measure(page, '/field/visits.html with a visit', seen);

	/* The traveller's page: the form, a refused code, the answer. */
	const arrive = await apiCall(volunteer.token, 'POST', '/api/v1/safe-returns', {
		traveler: { name: '触控丁', phone: '13955550004' }, hometown: { province: '湖北省' },
		depart_on: new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10),
		transport: 'coach', assistance: ['gift'],
	});
	assert.equal(arrive.status, 201, JSON.stringify(arrive.data));
	await page.goto(url('/arrive/'));
	await page.getByLabel('到家码').waitFor();
	await measure(page, '/arrive/', seen);
	await page.getByLabel('到家码').fill('ABCDEFGH');
	await page.getByRole('button', { name: '我已平安到家' }).click();
	await page.locator('#arrive-form .field-error').waitFor();
	await measure(page, '/arrive/ refused', seen);
	await page.getByLabel('到家码').fill(arrive.data.arrival_code);
	await page.getByRole('button', { name: '我已平安到家' }).click();
	await page.locator('#done').waitFor({ state: 'visible' });
	await measure(page, '/arrive/ done', seen);
	await context.close();

	/* Staff: the list with every filter, a record with its phone link, a
	 * visit of their own with 修改 and 删除, and the question before 删除. */
	const visit = await apiCall(staff.token, 'POST', '/api/v1/visits', {
		kind: 'enterprise', enterprise_name: '触控测试企业',
		visited_on: new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10),
	});
	assert.equal(visit.status, 201, JSON.stringify(visit.data));
	const sc = await phone(browser, { serviceWorkers: 'block' });
	await signIn(sc, staff.username, staff.password);
	const sp = await sc.newPage();
	await sp.goto(url('/admin/returns.html'));
	await sp.locator('#sr-list li').first().waitFor();
	await sp.locator('#more-filters summary').click();
	await sp.locator(`#f-unit option[value="${town.id}"]`).waitFor({ state: 'attached' });
	await measure(sp, '/admin/returns.html', seen);
	await sp.locator('#sr-list li a').first().click();
	await sp.locator('#detail-kv a[href^="tel:"]').waitFor();
	await measure(sp, '/admin/returns.html record', seen);
	await sp.goto(url('/field/visits.html'));
	await sp.locator(`#visit-list li[data-visit="${visit.data.id}"] button`).first().waitFor();
	await measure(sp, '/field/visits.html staff', seen);
	await sp.locator(`#visit-list li[data-visit="${visit.data.id}"]`)
	    .getByRole('button', { name: /删除/ }).click();
	await sp.getByRole('dialog').waitFor();
	await measure(sp, '/field/visits.html delete confirmation', seen);
	await sp.getByRole('dialog').getByRole('button', { name: '取消' }).click();
	await sc.close();
	console.log(`measured: ${seen.join(', ')}`);
});

test('no tap target under 44×44 px on the campaigns page, the volunteers\' headers and a shared phone', async () => {
	const seen = [];
	const context = await phone(browser, { serviceWorkers: 'block' });
	await signIn(context, 'admin', ADMIN_PASSWORD);
	const page = await context.newPage();
	await page.goto(url('/admin/campaigns.html'));
	await page.locator('#campaign-list li').first().waitFor();
	await measure(page, '/admin/campaigns.html', seen);
	await page.getByRole('button', { name: '新建活动' }).click();
	await page.locator('#campaign-form .field-error').first().waitFor();
	await measure(page, '/admin/campaigns.html with errors', seen);
	await page.locator('#campaign-list li').first().getByRole('button', { name: '修改' }).click();
	await page.locator('#edit').waitFor({ state: 'visible' });
	await measure(page, '/admin/campaigns.html changing one', seen);
	await context.close();

	/* A volunteer's pages with who is signed in and 退出; a record left
	 * waiting; then another user on the same phone, told it waits. */
	const { volunteer, staff } = await townWithUsers();
	const shared = await phone(browser, { serviceWorkers: 'block' });
	await signIn(shared, volunteer.username, volunteer.password);
	const p = await shared.newPage();
	await p.goto(url('/field/'));
	await p.locator('#user-box').waitFor({ state: 'visible' });
	await measure(p, '/field/ signed in', seen);
	await p.goto(url('/field/checkin.html'));
	await p.locator('#user-box').waitFor({ state: 'visible' });
	await measure(p, '/field/checkin.html signed in', seen);
	await p.goto(url('/field/visits.html'));
	await p.locator('#v-category option:nth-child(2)').waitFor({ state: 'attached' });
	await shared.setOffline(true);
	await p.getByRole('radio', { name: '走访企业' }).click();
	await p.getByLabel('企业名称').fill('触控共用测试企业');
	await p.getByRole('button', { name: '保存走访记录' }).click();
	await p.locator('[data-outbox-count]').waitFor();
	/* The next user signs in the way people do, on the sign-in page
	 * (which forgets who was signed in before it signs anyone in). */
	await shared.clearCookies();
	await shared.setOffline(false);
	await p.goto(url('/login/'));
	await p.getByLabel('用户名').fill(staff.username);
	await p.getByLabel('密码', { exact: true }).fill(staff.password);
	await p.getByRole('button', { name: '登录' }).click();
	await p.waitForURL((u) => !u.pathname.startsWith('/login/'));
	await p.goto(url('/field/visits.html'));
	await p.locator('[data-outbox-others]').waitFor();
	await measure(p, '/field/visits.html with another user\'s records waiting', seen);
	await p.evaluate(() => localStorage.setItem('swn.resume.v1',
	    JSON.stringify({ path: '/admin/', what: '受理', user: null, at: Date.now() })));
	await p.goto(url('/login/?next=%2Fadmin%2F'));
	await p.locator('#page-msg:not(:empty)').waitFor();
	await measure(p, '/login/ after a session ended', seen);
	await shared.close();
	console.log(`measured: ${seen.join(', ')}`);
});
