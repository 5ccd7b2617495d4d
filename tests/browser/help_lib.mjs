/*
 * Shared by the browser tests of 欠薪求助 (/help/): ID numbers, filling in
 * the intake form, and finding what the server stored.
 */
import assert from 'node:assert/strict';
import { apiCall, url } from './lib.mjs';

/* GB 11643 check character. */
const ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export function idNumber(s17) {
	let sum = 0;
	for (let i = 0; i < 17; i++)
		sum += Number(s17[i]) * ID_W[i];
	return s17 + '10X98765432'[sum % 11];
}

export const BAD_ID = '110105194912310021';        /* wrong check digit */
export const GOOD_ID = '11010519491231002X';

/* An ASCII tag that makes a name unique and searchable (q=). */
export function tag() {
	return `T${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 1000)}`;
}

export async function openHelp(page, unitId) {
	await page.goto(url('/help/'));
	await page.locator(`#h-unit option[value="${unitId}"]`).waitFor({ state: 'attached' });
}

/* Until the service worker controls the page (it opens offline then). */
export async function controlled(page) {
	await page.waitForFunction(() => navigator.serviceWorker &&
	    navigator.serviceWorker.controller !== null, null, { timeout: 20000 });
}

/* The messages under the control named `name`. */
export function errorsUnder(page, name) {
	return page.locator('.field').filter({ has: page.locator(`[name="${name}"]`) })
	    .locator('.field-error');
}

export async function fillCase(page, unitId, employer) {
	await page.getByLabel('所属工会').selectOption(String(unitId));
	await page.getByLabel('欠薪单位').fill(employer);
	await page.getByLabel('行业').selectOption('construction');
	await page.getByLabel('项目名称').fill('经开区某小区二期');
	await page.getByLabel('工地或单位地址').fill('横林镇某路 8 号');
	await page.getByLabel('情况说明').fill('2026 年 9 月至 11 月工资未发');
	await page.getByLabel('联系人姓名').fill('王建国');
	await page.getByLabel('联系人手机号').fill('13912345678');
}

export async function fillWorker(page, i, { name, id, phone: tel, amount }) {
	await page.locator(`[name="workers[${i}].name"]`).fill(name);
	if (id !== undefined)
		await page.locator(`[name="workers[${i}].id_number"]`).fill(id);
	if (tel !== undefined)
		await page.locator(`[name="workers[${i}].phone"]`).fill(tel);
	await page.locator(`[name="workers[${i}].amount_owed"]`).fill(amount);
}

export function postCase(page) {
	return page.waitForResponse((r) => r.request().method() === 'POST' &&
	    r.url().endsWith('/api/v1/wage-cases'));
}

/*
 * The cases filed for employer, searched by the ASCII tag at the end of
 * the name: a Chinese q gets 500 from this build of the worker (collation
 * mix in the list query).
 */
export async function casesByEmployer(token, employer) {
	const key = /[A-Za-z0-9]+$/.exec(employer)[0];
	const r = await apiCall(token, 'GET',
	    `/api/v1/wage-cases?q=${encodeURIComponent(key)}`);
	assert.equal(r.status, 200);
	return r.data.items.filter((c) => c.employer_name === employer);
}
