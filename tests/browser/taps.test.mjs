/*
 * Every tappable thing on every page is at least 44×44 px on a 375×667
 * phone (app.css), measured: links, buttons, inputs, selects, summaries,
 * a checkbox by the label around it; in the states people see: forms with
 * errors, a shown-once code, a confirmation, the outbox badge, a toast,
 * and the staff pages of a case with its actions.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
	ADMIN_PASSWORD, apiCall, apiLogin, launch, phone, requireEnv, signIn,
	units, url,
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
	await context.close();
	console.log(`measured: ${seen.join(', ')}`);
});
