/*
 * api.js: the one module every page loads.
 *
 * - api(): fetch JSON from /api/v1 the way docs/conventions.md asks
 *   (cookie credentials, the X-Requested-With CSRF header, an
 *   Idempotency-Key on every POST) and turn problem documents into
 *   ApiError values.
 * - showProblem() / readForm() / fillForm(): move data between forms and
 *   the API, putting each field error next to its input.
 * - The outbox: submit() stores a POST in localStorage before it is sent
 *   and keeps it there until the server has answered, so that nothing a
 *   volunteer typed is lost to a dead network. A retry always carries the
 *   entry's original Idempotency-Key, so the server never records it twice.
 *   Any element with a data-outbox attribute becomes the badge that shows
 *   what is still waiting and what needs a person's attention.
 * - Registers the service worker (sw.js) so that the pages open offline.
 */

const API_BASE = '/api/v1';
const OUTBOX_KEY = 'swn.outbox.v1';
const CACHE_PREFIX = 'swn.cache.v1:';
const FLUSH_EVERY_MS = 30000;
const TIMEOUT_MS = 30000;

/* Fallback wording by status, for answers that are not problem documents
 * (an nginx error page, a proxy in between). */
const STATUS_TEXT = {
	400: '提交的内容有误，请检查后再试',
	401: '请先登录',
	403: '没有权限进行此操作',
	404: '找不到要访问的记录',
	405: '不支持此操作',
	409: '与已有记录冲突',
	412: '记录已被他人修改，请刷新后再试',
	413: '提交的内容太大',
	415: '提交的格式不正确',
	422: '重复提交的内容与第一次不同',
	428: '缺少版本信息，请刷新后再试',
	429: '操作太频繁，请稍后再试',
	502: '服务器暂时无法访问，请稍后再试',
	503: '系统暂时无法处理，请稍后再试',
	504: '服务器响应超时，请稍后再试',
};

const NETWORK_TEXT = '网络不可用，请检查网络后再试';

/*
 * An error answer from the API, or a failure to reach it at all
 * (network: true, status 0). Carries the problem document's fields:
 * code (stable English word), detail (Chinese, for people) and errors
 * [{field, code, message}].
 */
export class ApiError extends Error {
	constructor({ status = 0, code = '', title = '', detail = '',
	    errors = [], retryAfter = null, network = false, body = null }) {
		super(detail || title || STATUS_TEXT[status] ||
		    (network ? NETWORK_TEXT : `请求失败（${status}）`));
		this.name = 'ApiError';
		this.status = status;
		this.code = code || (network ? 'network' : `http_${status}`);
		this.title = title;
		this.detail = detail || this.message;
		this.errors = Array.isArray(errors) ? errors : [];
		this.retryAfter = retryAfter;
		this.network = network;
		this.body = body;
	}
}

/* A fresh key for Idempotency-Key: a UUID where the browser can make one
 * (crypto.randomUUID needs a secure context), else 128 random bits. */
export function newIdempotencyKey() {
	if (globalThis.crypto && typeof crypto.randomUUID === 'function')
		return crypto.randomUUID();
	const b = new Uint8Array(16);
	if (globalThis.crypto && typeof crypto.getRandomValues === 'function') {
		crypto.getRandomValues(b);
	} else {
		for (let i = 0; i < b.length; i++)
			b[i] = Math.floor(Math.random() * 256);
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-` +
	    `${h.slice(16, 20)}-${h.slice(20)}`;
}

function apiUrl(path) {
	if (path.startsWith('/'))
		return path;
	return `${API_BASE}/${path}`;
}

function parseRetryAfter(v) {
	if (!v)
		return null;
	if (/^\d+$/.test(v.trim()))
		return Number(v.trim());
	const t = Date.parse(v);
	return Number.isNaN(t) ? null :
	    Math.max(0, Math.round((t - Date.now()) / 1000));
}

/*
 * api(method, path, body?, opts?) → the parsed JSON body (null for 204).
 * path is absolute ('/api/v1/users') or relative to /api/v1 ('users').
 * opts: headers, idempotencyKey (POST), signal, timeout (ms), full (resolve
 * to {status, headers, data} instead of data).
 * Throws ApiError: network: true when no answer arrived at all.
 */
export async function api(method, path, body, opts = {}) {
	method = method.toUpperCase();
	const headers = {
		Accept: 'application/json, application/problem+json',
		'X-Requested-With': 'fetch',
		...(opts.headers || {}),
	};
	const init = {
		method,
		headers,
		credentials: 'same-origin',
		cache: 'no-store',
	};
	if (body !== undefined && body !== null) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	if (method === 'POST')
		headers['Idempotency-Key'] = opts.idempotencyKey || newIdempotencyKey();

	/* A request on a bad network may hang for minutes; give up after a
	 * while and treat it as lost. The Idempotency-Key makes that safe. */
	const ctl = new AbortController();
	const timer = setTimeout(() => ctl.abort(), opts.timeout || TIMEOUT_MS);
	if (opts.signal) {
		if (opts.signal.aborted)
			ctl.abort();
		else
			opts.signal.addEventListener('abort', () => ctl.abort());
	}
	init.signal = ctl.signal;

	let res;
	try {
		res = await fetch(apiUrl(path), init);
	} catch (e) {
		clearTimeout(timer);
		throw new ApiError({ network: true, detail: NETWORK_TEXT });
	}

	let data = null;
	try {
		const ct = res.headers.get('Content-Type') || '';
		if (res.status !== 204 && /json/i.test(ct))
			data = await res.json();
		else if (res.status !== 204)
			data = await res.text();
	} catch (e) {
		/* A cut-off body: the answer is unknown, as if it never came. */
		clearTimeout(timer);
		if (res.ok)
			throw new ApiError({ network: true, detail: NETWORK_TEXT });
		data = null;
	}
	clearTimeout(timer);

	if (!res.ok) {
		const p = (data && typeof data === 'object') ? data : {};
		throw new ApiError({
			status: res.status,
			code: p.code,
			title: p.title,
			detail: p.detail || STATUS_TEXT[res.status] ||
			    STATUS_TEXT[Math.floor(res.status / 100) * 100],
			errors: p.errors,
			retryAfter: parseRetryAfter(res.headers.get('Retry-After')),
			body: data,
		});
	}
	if (opts.full)
		return { status: res.status, headers: res.headers, data };
	return data;
}

/*
 * GET that remembers its last good answer in localStorage, for data a page
 * needs to open offline (who am I, the list of units). On a network error
 * it resolves to the remembered answer with stale: true; any HTTP error is
 * thrown as usual. Resolves to {data, stale}.
 */
export async function cachedGet(path) {
	const key = CACHE_PREFIX + path;
	try {
		const data = await api('GET', path);
		try {
			localStorage.setItem(key, JSON.stringify(data));
		} catch (e) { /* storage full or off: just no offline copy */ }
		return { data, stale: false };
	} catch (e) {
		if (!e.network)
			throw e;
		let saved = null;
		try {
			saved = JSON.parse(localStorage.getItem(key));
		} catch (e2) { /* nothing usable */ }
		if (saved === null)
			throw e;
		return { data: saved, stale: true };
	}
}

/* Forget remembered answers (on sign-out). */
export function clearCache() {
	try {
		for (let i = localStorage.length - 1; i >= 0; i--) {
			const k = localStorage.key(i);
			if (k && k.startsWith(CACHE_PREFIX))
				localStorage.removeItem(k);
		}
	} catch (e) { /* storage off */ }
}

/* The sign-in page, coming back here afterwards. */
export function loginUrl(next = location.pathname + location.search) {
	return `/login/?next=${encodeURIComponent(next)}`;
}

/* ---------------------------------------------------------------------
 * Forms
 */

/* 'workers[2].phone' → ['workers', 2, 'phone'] */
function splitPath(name) {
	const parts = [];
	for (const m of name.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
		parts.push(m[2] !== undefined ? Number(m[2]) : m[1]);
	return parts;
}

function setPath(obj, parts, value) {
	let o = obj;
	for (let i = 0; i < parts.length - 1; i++) {
		const k = parts[i];
		if (o[k] === undefined || o[k] === null)
			o[k] = typeof parts[i + 1] === 'number' ? [] : {};
		o = o[k];
	}
	o[parts[parts.length - 1]] = value;
}

function convert(el, raw) {
	switch (el.dataset.type) {
	case 'int':
		return /^-?\d+$/.test(raw) ? Number(raw) : raw;
	case 'number': {
		const n = Number(raw);
		return raw !== '' && Number.isFinite(n) ? n : raw;
	}
	case 'bool':
		return raw === 'true' ? true : raw === 'false' ? false : raw;
	default:
		return raw;
	}
}

/*
 * The form's named controls as a JSON object. Names may be paths
 * ('reporter.phone', 'workers[0].name'). Text is trimmed (passwords are
 * not); empty controls are left out, so the server reports a missing
 * required field itself. data-type="int|number|bool" converts the value;
 * a checkbox gives true/false, or with data-type="list" adds its value to
 * an array.
 */
export function readForm(form) {
	const out = {};
	for (const el of form.elements) {
		if (!el.name || el.disabled)
			continue;
		const type = (el.type || '').toLowerCase();
		if (['submit', 'button', 'reset', 'file', 'image'].includes(type))
			continue;
		const parts = splitPath(el.name);
		if (type === 'checkbox') {
			if (el.dataset.type === 'list') {
				if (!el.checked)
					continue;
				const list = parts.reduce((o, k) => o && o[k], out) || [];
				list.push(el.value);
				setPath(out, parts, list);
			} else {
				setPath(out, parts, el.checked);
			}
			continue;
		}
		if (type === 'radio' && !el.checked)
			continue;
		const raw = type === 'password' ? el.value : el.value.trim();
		if (raw === '')
			continue;
		setPath(out, parts, convert(el, raw));
	}
	return out;
}

function flatten(value, prefix, out) {
	if (Array.isArray(value)) {
		value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
	} else if (value !== null && typeof value === 'object') {
		for (const [k, v] of Object.entries(value))
			flatten(v, prefix ? `${prefix}.${k}` : k, out);
	} else {
		out.push([prefix, value]);
	}
	return out;
}

/* Put a JSON object (as readForm makes) back into a form's controls. */
export function fillForm(form, data) {
	for (const [name, value] of flatten(data, '', [])) {
		const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
		if (!el)
			continue;
		if (el.type === 'checkbox')
			el.checked = value === true;
		else
			el.value = value === null || value === undefined ? '' : String(value);
	}
}

function formErrorArea(form) {
	let area = form.querySelector('[data-form-error]');
	if (!area) {
		area = document.createElement('div');
		area.setAttribute('data-form-error', '');
		area.className = 'form-error';
		area.setAttribute('role', 'alert');
		form.prepend(area);
	}
	return area;
}

/* Remove the messages showProblem() put into the form. */
export function clearProblem(form) {
	for (const p of form.querySelectorAll('.field-error'))
		p.remove();
	for (const el of form.querySelectorAll('[aria-invalid]')) {
		el.removeAttribute('aria-invalid');
		const kept = (el.getAttribute('aria-describedby') || '').split(/\s+/)
		    .filter((id) => id && !id.startsWith('err-'));
		if (kept.length)
			el.setAttribute('aria-describedby', kept.join(' '));
		else
			el.removeAttribute('aria-describedby');
	}
	const area = form.querySelector('[data-form-error]');
	if (area)
		area.textContent = '';
}

let errSeq = 0;

/*
 * Show an ApiError (or any problem-like object) in a form: each field
 * error's Chinese message goes under the control whose name is the
 * field's path, which is marked aria-invalid; what has no control goes to
 * the form's [data-form-error] area (created when missing).
 * opts.codeFields maps a top-level problem code to a field name, for
 * conflicts such as {username_taken: 'username'}.
 */
export function showProblem(form, problem, opts = {}) {
	clearProblem(form);
	const errors = Array.isArray(problem.errors) ? [...problem.errors] : [];
	const codeField = opts.codeFields && opts.codeFields[problem.code];
	if (!errors.length && codeField) {
		errors.push({ field: codeField, code: problem.code,
		    message: problem.detail || problem.message });
	}
	const unplaced = [];
	let first = null;

	for (const e of errors) {
		const el = e.field ?
		    form.querySelector(`[name="${CSS.escape(e.field)}"]`) : null;
		const text = e.message || e.code || '有误';
		if (!el) {
			unplaced.push(text);
			continue;
		}
		const p = document.createElement('p');
		p.className = 'field-error';
		p.id = `err-${++errSeq}`;
		p.textContent = text;
		const box = el.closest('.field') || el.parentElement;
		box.append(p);
		el.setAttribute('aria-invalid', 'true');
		const ids = (el.getAttribute('aria-describedby') || '').split(/\s+/)
		    .filter(Boolean);
		ids.push(p.id);
		el.setAttribute('aria-describedby', ids.join(' '));
		first = first || el;
	}

	if (unplaced.length || !first) {
		const area = formErrorArea(form);
		const head = document.createElement('p');
		head.textContent = problem.detail || problem.message || '提交失败';
		area.append(head);
		if (unplaced.length && errors.length) {
			const ul = document.createElement('ul');
			for (const t of unplaced) {
				const li = document.createElement('li');
				li.textContent = t;
				ul.append(li);
			}
			area.append(ul);
		}
	}
	if (first) {
		first.focus();
	} else {
		const area = formErrorArea(form);
		area.setAttribute('tabindex', '-1');
		area.focus();
	}
}

/* ---------------------------------------------------------------------
 * Outbox
 *
 * localStorage[OUTBOX_KEY] = {pending: [entry], failed: [entry],
 * authNeeded: bool}; an entry is {id, path, body, idempotencyKey, label,
 * createdAt, attempts, lastError?, headers?, after?, meta?}, a failed one
 * also {status, code, message, errors, failedAt}. Entries are sent in the
 * order they were made; the first one that cannot be delivered stops the
 * round, so a later record never overtakes an earlier one it may depend on.
 *
 * An entry may need what an earlier one creates (a change to a record
 * registered offline): its `after` names that entry, and each {a.b} in its
 * path and header values is filled from that entry's answer the moment it
 * is delivered ('/api/v1/x/{items.1.id}/transitions', If-Match
 * '"{version}"'). Should the earlier entry be refused, this one is refused
 * too when its turn comes, without being sent.
 */

const results = new Map();      /* entry id → outcome, for submit() */
let lastStop = null;            /* why the last round stopped early */
const awaited = new Set();      /* ids whose submit() waits for the answer */

function note(id, outcome) {
	if (awaited.has(id))
		results.set(id, outcome);
}

function emptyBox() {
	return { pending: [], failed: [], authNeeded: false };
}

function loadBox() {
	try {
		const b = JSON.parse(localStorage.getItem(OUTBOX_KEY));
		if (b && Array.isArray(b.pending) && Array.isArray(b.failed))
			return b;
	} catch (e) { /* unreadable: start afresh */ }
	return emptyBox();
}

function saveBox(box) {
	let ok = true;
	try {
		localStorage.setItem(OUTBOX_KEY, JSON.stringify(box));
	} catch (e) {
		ok = false;
	}
	renderBadges();
	return ok;
}

/* What the outbox holds now: {pending, failed, authNeeded}. */
export function outboxState() {
	return loadBox();
}

function emit(name, detail) {
	window.dispatchEvent(new CustomEvent(name, { detail }));
}

/* Answers after which an entry stays queued: nobody looked at it yet. */
function keepQueued(err) {
	return err.network || err.status === 401 || err.status === 408 ||
	    err.status === 429 || err.status >= 500 ||
	    (err.status === 409 && err.code === 'idempotency_in_flight');
}

function problemText(err) {
	const parts = [err.detail || err.message];
	for (const e of err.errors || [])
		if (e.message && !parts.includes(e.message))
			parts.push(e.message);
	return parts.filter(Boolean).join('；');
}

/* '{items.1.id}' → that value of data; unknown paths stay as they are. */
function fillIn(text, data) {
	return text.replace(/\{([\w.]+)\}/g, (all, path) => {
		const v = path.split('.').reduce((o, k) =>
		    (o === null || o === undefined ? undefined : o[k]), data);
		return v === undefined || v === null ? all : String(v);
	});
}

/* The entries waiting for entry id get what its answer says. */
function resolveAfter(box, id, data) {
	for (const e of box.pending) {
		if (e.after !== id)
			continue;
		e.path = fillIn(e.path, data);
		for (const k of Object.keys(e.headers || {}))
			e.headers[k] = fillIn(e.headers[k], data);
		delete e.after;
	}
}

/* One round: send the pending entries in order until one can't go. */
async function flushRound() {
	lastStop = null;
	for (;;) {
		let box = loadBox();
		const entry = box.pending[0];
		if (!entry)
			return;
		let data;
		let err = null;
		let status = 0;
		if (entry.after) {
			/* What it needed was refused or put aside: never sent. */
			err = new ApiError({ status: 409, code: 'dependency_failed',
			    detail: '它所依赖的前一条记录没有被服务器接受，这条操作没有发送' });
		} else {
			try {
				const r = await api('POST', entry.path, entry.body,
				    { idempotencyKey: entry.idempotencyKey,
				    headers: entry.headers || {}, full: true });
				data = r.data;
				status = r.status;
			} catch (e) {
				if (!(e instanceof ApiError))
					throw e;
				err = e;
			}
		}

		/* Another tab may have changed the box while we waited. */
		box = loadBox();
		const i = box.pending.findIndex((e) => e.id === entry.id);
		const cur = i >= 0 ? box.pending[i] : entry;
		cur.attempts = (cur.attempts || 0) + 1;

		if (!err) {
			if (i >= 0)
				box.pending.splice(i, 1);
			resolveAfter(box, entry.id, data);
			box.authNeeded = false;
			saveBox(box);
			note(entry.id, { ok: true, data, status });
			if (!awaited.has(entry.id))
				emit('outbox:sent', { entry: cur, data, status });
			continue;
		}
		if (keepQueued(err)) {
			lastStop = err;
			cur.lastError = err.message;
			if (err.status === 401)
				box.authNeeded = true;
			saveBox(box);
			note(entry.id, { queued: true, error: err });
			return;
		}
		/* A definite refusal (400, 403, 404, 409, 413, 422 ...): out
		 * of the queue, but kept where a person will see it, unless the
		 * form it came from is still waiting to show it. */
		if (i >= 0)
			box.pending.splice(i, 1);
		box.authNeeded = false;
		note(entry.id, { ok: false, error: err });
		if (awaited.has(entry.id)) {
			saveBox(box);
			continue;
		}
		const failed = { ...cur, status: err.status, code: err.code,
		    message: problemText(err), errors: err.errors,
		    detail: err.detail, failedAt: new Date().toISOString() };
		box.failed.push(failed);
		saveBox(box);
		emit('outbox:failed', { entry: failed, error: err });
	}
}

let flushing = null;
let again = false;

/*
 * Send what is waiting. Rounds never overlap within a tab, nor across
 * tabs where the browser has Web Locks; a retry sent twice at once would
 * anyway get 409 idempotency_in_flight, which leaves the entry queued.
 */
export function flush() {
	if (flushing) {
		again = true;
		return flushing;
	}
	flushing = (async () => {
		do {
			again = false;
			if (!loadBox().pending.length)
				break;
			if (navigator.locks && navigator.locks.request)
				await navigator.locks.request('swn-outbox', flushRound);
			else
				await flushRound();
		} while (again && loadBox().pending.length &&
		    navigator.onLine !== false);
	})().catch(() => {}).finally(() => {
		flushing = null;
		renderBadges();
	});
	renderBadges();
	return flushing;
}

/*
 * POST through the outbox. The entry is stored before it is sent.
 * Resolves to {queued: false, data, status} once the server has taken it,
 * or {queued: true, reason} when it waits in the outbox ('offline',
 * 'network', 'auth': signed out, 'server': try later). A refusal (4xx)
 * is thrown as ApiError and not kept, since the form is still on screen.
 * opts: label (what the badge calls it), headers (sent with every try,
 * e.g. If-Match), after (the id of an earlier entry whose answer fills
 * {placeholders} in path and headers, see above), meta (kept with the
 * entry for the page that shows what waits).
 */
export async function submit(path, body,
    { label = '', headers = null, after = null, meta = null } = {}) {
	const entry = {
		id: newIdempotencyKey(),
		path: apiUrl(path),
		body,
		idempotencyKey: newIdempotencyKey(),
		label,
		createdAt: new Date().toISOString(),
		attempts: 0,
	};
	if (headers)
		entry.headers = { ...headers };
	if (after) {
		/* Decided on what the page saw a moment ago: it must still
		 * wait, or there is nothing to fill the placeholders from. */
		if (!loadBox().pending.some((e) => e.id === after)) {
			throw new ApiError({ status: 409, code: 'dependency_gone',
			    detail: '前一条记录的状态刚刚变了，请再操作一次' });
		}
		entry.after = after;
	}
	if (meta)
		entry.meta = meta;
	const box = loadBox();
	box.pending.push(entry);
	if (!saveBox(box)) {
		/* No storage (private mode, full): send without a safety net. */
		const r = await api('POST', entry.path, body,
		    { idempotencyKey: entry.idempotencyKey, full: true });
		return { queued: false, data: r.data, status: r.status };
	}
	if (navigator.onLine === false)
		return { queued: true, reason: 'offline', entry };

	awaited.add(entry.id);
	try {
		await flush();
	} finally {
		awaited.delete(entry.id);
		renderBadges();
	}
	const r = results.get(entry.id);
	results.delete(entry.id);
	if (r && r.ok)
		return { queued: false, data: r.data, status: r.status };
	if (r && r.ok === false)
		throw r.error;          /* the form on screen shows it */
	const err = (r && r.error) || lastStop;
	const reason = !err || err.network ? 'network' :
	    err.status === 401 ? 'auth' : 'server';
	return { queued: true, reason, entry, error: err };
}

/* Forget a failed entry. */
export function dropFailed(id) {
	const box = loadBox();
	box.failed = box.failed.filter((e) => e.id !== id);
	saveBox(box);
}

/* ---------------------------------------------------------------------
 * Badge: <div data-outbox></div> anywhere on a page.
 */

/* Shows a message in a status line: kind '', 'ok' or 'error'. */
export function say(node, text, kind = '') {
	node.className = `msg ${kind}`.trim();
	node.textContent = text;
}

/* Builds an element: el('li', {class, text, onclick, ...attributes}, ...kids). */
export function el(tag, attrs = {}, ...kids) {
	const n = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (k === 'class')
			n.className = v;
		else if (k === 'text')
			n.textContent = v;
		else if (k.startsWith('on'))
			n.addEventListener(k.slice(2), v);
		else
			n.setAttribute(k, v);
	}
	for (const k of kids)
		if (k !== null && k !== undefined)
			n.append(k);
	return n;
}

function when(iso) {
	const d = new Date(iso);
	if (Number.isNaN(d.getTime()))
		return '';
	const p = (x) => String(x).padStart(2, '0');
	return `${d.getMonth() + 1}月${d.getDate()}日 ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/* The form on this page that makes such records, if any. */
function formFor(path) {
	return document.querySelector(`form[data-submit-path="${CSS.escape(path)}"]`);
}

function labelFor(form, name) {
	if (!form)
		return name;
	const c = form.querySelector(`[name="${CSS.escape(name)}"]`);
	const l = c && c.id && form.querySelector(`label[for="${CSS.escape(c.id)}"]`);
	return l ? l.textContent.trim() : name;
}

function describeBody(entry, form) {
	const dl = el('dl');
	for (const [name, value] of flatten(entry.body, '', [])) {
		const shown = /password/i.test(name) ? '••••••' :
		    form ? optionText(form, name, value) : String(value);
		dl.append(el('dt', { text: labelFor(form, name) }),
		    el('dd', { text: shown }));
	}
	return dl;
}

function optionText(form, name, value) {
	const c = form.querySelector(`select[name="${CSS.escape(name)}"]`);
	if (c)
		for (const o of c.options)
			if (o.value === String(value))
				return o.textContent.trim();
	return String(value);
}

function failedItem(entry) {
	const form = formFor(entry.path);
	const restore = form ? el('button', {
		type: 'button', class: 'btn small', text: '放回表单修改',
		onclick: () => {
			dropFailed(entry.id);
			for (const m of form.querySelectorAll('.msg'))
				m.textContent = '';
			fillForm(form, entry.body);
			showProblem(form, entry);
			form.scrollIntoView({ block: 'start' });
			emit('outbox:restored', { entry, form });
		},
	}) : null;
	const remove = el('button', {
		type: 'button', class: 'btn small secondary', text: '删除',
		onclick: () => {
			if (confirm('删除后这条记录无法找回，确定删除吗？'))
				dropFailed(entry.id);
		},
	});
	return el('li', {},
	    el('div', { class: 'name', text: entry.label || entry.path }),
	    el('div', { class: 'muted', text: `填写于 ${when(entry.createdAt)}` }),
	    el('p', { class: 'field-error', text: entry.message || '服务器拒绝了这条记录' }),
	    describeBody(entry, form),
	    el('div', { class: 'actions' }, restore, remove));
}

function renderBadge(node, box) {
	/* A record whose form still waits for its answer is not news yet. */
	const n = box.pending.filter((e) => !awaited.has(e.id)).length;
	const m = box.failed.length;
	node.textContent = '';
	node.hidden = n === 0 && m === 0;
	if (node.hidden)
		return;
	node.classList.add('outbox');

	if (n > 0) {
		const send = el('button', {
			type: 'button', class: 'btn small secondary',
			text: flushing ? '正在发送…' : '立即发送',
			onclick: () => flush(),
		});
		if (flushing)
			send.disabled = true;
		node.append(el('div', { class: 'outbox-row' },
		    el('span', { class: 'outbox-count', 'data-outbox-count': '',
		        text: `待发送 ${n} 条` }), send));
		let note;
		if (box.authNeeded) {
			note = el('p', { class: 'outbox-note' }, '登录已过期，请',
			    el('a', { href: loginUrl(), text: '重新登录' }),
			    '，登录后会自动发送。');
		} else if (navigator.onLine === false) {
			note = el('p', { class: 'outbox-note',
			    text: '当前没有网络，记录已保存在本机，联网后会自动发送。' });
		} else {
			note = el('p', { class: 'outbox-note',
			    text: '记录已保存在本机，会自动重试发送。' });
		}
		node.append(note);
	}
	if (m > 0) {
		const list = el('ul', { class: 'outbox-failed-list' });
		for (const e of box.failed)
			list.append(failedItem(e));
		node.append(el('details', { class: 'failed', 'data-outbox-failed': '' },
		    el('summary', { text: `需要处理 ${m} 条（服务器未接受）` }), list));
	}
}

function renderBadges() {
	if (typeof document === 'undefined')
		return;
	const nodes = document.querySelectorAll('[data-outbox]');
	if (!nodes.length)
		return;
	const box = loadBox();
	for (const node of nodes) {
		/* Keep an open "需要处理" list open across redraws. */
		const open = node.querySelector('details[open]') !== null;
		renderBadge(node, box);
		if (open) {
			const d = node.querySelector('details');
			if (d)
				d.open = true;
		}
	}
}

function initBadges() {
	for (const node of document.querySelectorAll('[data-outbox]')) {
		node.setAttribute('role', 'status');
		node.setAttribute('aria-live', 'polite');
	}
	renderBadges();
}

/* ---------------------------------------------------------------------
 * Start-up: every page that loads this module gets the badge, the flush
 * triggers and the service worker.
 */

if (typeof window !== 'undefined' && !window.__swnApi) {
	window.__swnApi = true;
	initBadges();
	window.addEventListener('online', () => flush());
	window.addEventListener('offline', renderBadges);
	window.addEventListener('storage', (e) => {
		if (e.key === OUTBOX_KEY)
			renderBadges();
	});
	document.addEventListener('visibilitychange', () => {
		if (document.visibilityState === 'visible')
			flush();
	});
	setInterval(() => flush(), FLUSH_EVERY_MS);
	flush();

	if ('serviceWorker' in navigator) {
		navigator.serviceWorker.register('/sw.js', { scope: '/' })
		    .catch(() => { /* no offline pages here; all else works */ });
	}
}
