/*
 * Shared by the browser tests: a phone-sized Chromium in Chinese, and a
 * few direct API calls (Bearer token) to check what the pages did.
 *
 * Environment: BASE_URL (http://127.0.0.1:PORT of a running instance),
 * ADMIN_PASSWORD (password of user admin), optionally SWN_CHROMIUM or
 * CHROMIUM (browser binary, default /usr/bin/chromium) and SCREENSHOT_DIR
 * (where to save screenshots for a person to look at; none without it).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
export const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD || '';

export const PHONE = { width: 375, height: 667 };

export function requireEnv() {
	assert.ok(BASE_URL, 'BASE_URL must name the instance under test');
	assert.ok(ADMIN_PASSWORD, 'ADMIN_PASSWORD must be the password of admin');
}

export function url(p) {
	return BASE_URL + p;
}

export function launch() {
	return chromium.launch({
		executablePath: process.env.SWN_CHROMIUM || process.env.CHROMIUM ||
		    '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu',
		    '--disable-background-networking', '--disable-quic',
		    '--no-first-run', '--disable-component-update', '--disable-sync'],
	});
}

/* A fresh phone: its own cookies, storage and service workers. */
export function phone(browser, opts = {}) {
	return browser.newContext({
		viewport: PHONE,
		locale: 'zh-CN',
		timezoneId: 'Asia/Shanghai',
		isMobile: true,
		hasTouch: true,
		...opts,
	});
}

/*
 * Collect what the console reports: a page that breaks the CSP (an inline
 * style or script) or throws shows up here.
 */
export function watchConsole(page) {
	const problems = [];
	page.on('console', (m) => {
		if (m.type() === 'error' &&
		    /Content.Security.Policy|Refused to/i.test(m.text()))
			problems.push(m.text());
	});
	page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
	return problems;
}

export async function screenshot(page, name) {
	if (!process.env.SCREENSHOT_DIR)
		return;
	await page.screenshot({
		path: path.join(process.env.SCREENSHOT_DIR, `${name}.png`),
		fullPage: true,
	});
}

/* No sideways scrolling on a 375 px phone. */
export async function assertNoHorizontalScroll(page, what) {
	const w = await page.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(w <= PHONE.width, `${what}: page is ${w} px wide, more than ${PHONE.width}`);
}

/* A username nobody has used yet: ^[a-z0-9_.-]{3,32}$ */
export function uniqueName(prefix) {
	const t = Date.now().toString(36);
	const r = Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0');
	return `${prefix}${t}${r}`.slice(0, 32);
}

/* ---- Direct API calls, as a script of the union would make them ---- */

export async function apiCall(token, method, p, body) {
	const headers = { Accept: 'application/json' };
	if (token)
		headers.Authorization = `Bearer ${token}`;
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	const res = await fetch(url(p), {
		method, headers,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	let data = null;
	try {
		data = text ? JSON.parse(text) : null;
	} catch (e) {
		data = text;
	}
	return { status: res.status, headers: res.headers, data };
}

export async function apiLogin(username, password) {
	const r = await apiCall(null, 'POST', '/api/v1/auth/login',
	    { username, password });
	assert.equal(r.status, 200, `login of ${username}: ${JSON.stringify(r.data)}`);
	assert.ok(r.data.token, 'login answer carries a token');
	return r.data.token;
}

/* Every user, following next_cursor. */
export async function allUsers(token) {
	const out = [];
	let cursor = null;
	for (let i = 0; i < 1000; i++) {
		const q = `/api/v1/users?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
		const r = await apiCall(token, 'GET', q);
		assert.equal(r.status, 200, `GET ${q}: ${JSON.stringify(r.data)}`);
		out.push(...r.data.items);
		cursor = r.data.next_cursor;
		if (!cursor)
			return out;
	}
	throw new Error('users list does not end');
}

export async function units() {
	const r = await apiCall(null, 'GET', '/api/v1/units');
	assert.equal(r.status, 200);
	return r.data.items;
}

/* Sign a browser context in as a user (sets the sid cookie). */
export async function signIn(context, username, password) {
	const r = await context.request.post(url('/api/v1/auth/login'),
	    { data: { username, password } });
	assert.equal(r.status(), 200, `sign-in of ${username}`);
	return r.json();
}

/* Wait until fn() gives something truthy; fail with message after timeout. */
export async function eventually(fn, { timeout = 10000, interval = 100,
    message = 'condition not met' } = {}) {
	const end = Date.now() + timeout;
	let last = null;
	for (;;) {
		try {
			const v = await fn();
			if (v)
				return v;
		} catch (e) {
			last = e;
		}
		if (Date.now() > end)
			throw new Error(`${message}${last ? ` (${last.message})` : ''}`);
		await new Promise((r) => setTimeout(r, interval));
	}
}

/* The trimmed text of the first element a locator finds ('' if none). */
export async function textOf(locator) {
	if (await locator.count() === 0)
		return '';
	return ((await locator.first().textContent()) || '').trim();
}

/*
 * "我已记下" on a shown-once card, confirmed both times it asks (api.js
 * onceCard): the codes are gone from the phone afterwards.
 */
export async function discardCodes(page, card = page) {
	await card.getByRole('button', { name: '我已记下' }).click();
	await page.getByRole('dialog').getByRole('button', { name: '已记下' }).click();
	await page.getByRole('dialog').getByRole('button', { name: '确定删除' }).click();
	/* Gone from the page, not only closed: the card goes right after. */
	await page.locator('dialog[data-confirm]').waitFor({ state: 'detached' });
}
