/*
 * api.js: the one module every page loads, and the behaviour every page
 * shares. docs/pages.md tells a page author how to get each of these.
 *
 * - api(): fetch JSON from /api/v1 the way docs/conventions.md asks
 *   (cookie credentials, the X-Requested-With CSRF header, an
 *   Idempotency-Key on every POST) and turn problem documents into
 *   ApiError values.
 * - Times and money: formatTime() shows every time in Asia/Shanghai,
 *   whatever the phone's zone; formatYuan() writes every amount the same
 *   way ("16,000.50").
 * - Messages: the server's dictionary of field error messages
 *   (GET /api/v1/messages), kept on the phone, so that a check made here
 *   says the same words as the server.
 * - Forms: every form gets novalidate and the page's own messages, all at
 *   once (checkForm()); a field's error goes as soon as the field changes;
 *   a length limit shows a live counter and never cuts what was typed
 *   (data-maxlength); readForm()/fillForm()/showProblem() move data and
 *   errors between forms and the API.
 * - Feedback: busy() buttons that say what they are doing, toast() for a
 *   result where the person is looking, confirmStep() for a step that ends
 *   something, onceCard() for a code shown only once, loadOptions() for a
 *   list a form needs (loading state, retry, a copy for the next visit).
 * - The outbox: submit() stores a POST in localStorage before it is sent
 *   and keeps it there until the server has answered, so that nothing a
 *   volunteer typed is lost to a dead network. A retry always carries the
 *   entry's original Idempotency-Key, so the server never records it twice.
 *   It tells "waiting for the network" from "sent, waiting for the answer".
 *   Any element with a data-outbox attribute becomes the badge that shows
 *   what is still waiting, what was delivered and what needs a person.
 *   Each entry belongs to the user who filled it in: on a phone shared by
 *   a team it is sent only in its owner's session and shown only to them.
 * - Who is signed in (currentUser()), signing out (signOut(), a user box
 *   with 退出: showSignedIn()), and what a staff form holds kept across a
 *   lapsed session and the trip to the sign-in page (keepForm(),
 *   signInAgain(), resumeNote()).
 * - Registers the service worker (sw.js) so that the pages open offline.
 */

const API_BASE = '/api/v1';
const OUTBOX_KEY = 'swn.outbox.v1';
const CACHE_PREFIX = 'swn.cache.v1:';
const MESSAGES_PATH = '/api/v1/messages';
const MESSAGES_KEY = 'swn.messages.v1';
const USER_KEY = 'swn.user.v1';
const KEEP_PREFIX = 'swn.keep.v1:';
const RESUME_KEY = 'swn.resume.v1';
const ME_PATH = '/api/v1/me';
const FLUSH_EVERY_MS = 30000;
const TIMEOUT_MS = 30000;
/* After a send without an answer: check again after these delays. */
const RECHECK_MS = [3000, 10000, 30000];
/* How long the badge says "已发送" after a delivery. */
const DELIVERED_MS = 8000;

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
 * [{field, code, message}]. A network failure says whether the phone knew
 * it was offline (offline: true: nothing left the phone) or not (the
 * request may have reached the server and only its answer was lost).
 */
export class ApiError extends Error {
	constructor({ status = 0, code = '', title = '', detail = '',
	    errors = [], retryAfter = null, network = false, offline = false,
	    body = null }) {
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
		this.offline = network && offline;
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

const isOffline = () => typeof navigator !== 'undefined' &&
    navigator.onLine === false;

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
		throw new ApiError({ network: true, offline: isOffline(),
		    detail: NETWORK_TEXT });
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

function readJson(key) {
	try {
		return JSON.parse(localStorage.getItem(key));
	} catch (e) {
		return null;
	}
}

function writeJson(key, value) {
	try {
		if (value === null || value === undefined)
			localStorage.removeItem(key);
		else
			localStorage.setItem(key, JSON.stringify(value));
		return true;
	} catch (e) {
		return false;       /* storage full or off: no copy, no harm */
	}
}

/*
 * What a page keeps on the phone (drafts, records waiting for an answer,
 * the tab last open): loadLocal(key, fallback) gives what localStorage
 * holds under key, parsed, or fallback when nothing readable is there;
 * saveLocal(key, value) keeps value as JSON (null removes it) and says
 * whether the phone took it (false: storage full or off, and the page
 * goes on without the copy).
 */
export function loadLocal(key, fallback = null) {
	const v = readJson(key);
	return v === null ? fallback : v;
}

export const saveLocal = writeJson;

/* The answer cachedGet() last remembered for path, or null. */
export function cachedCopy(path) {
	return readJson(CACHE_PREFIX + path);
}

/*
 * GET that remembers its last good answer in localStorage, for data a page
 * needs to open offline (who am I, the list of units). On a network error
 * it resolves to the remembered answer with stale: true; any HTTP error is
 * thrown as usual. Resolves to {data, stale}.
 */
export async function cachedGet(path, opts = {}) {
	const key = CACHE_PREFIX + path;
	try {
		const data = await api('GET', path, undefined, opts);
		writeJson(key, data);
		if (apiUrl(path) === ME_PATH)
			rememberUser(data);
		return { data, stale: false };
	} catch (e) {
		if (!e.network)
			throw e;
		const saved = readJson(key);
		if (saved === null)
			throw e;
		return { data: saved, stale: true };
	}
}

/* Forget remembered answers and who was signed in (on sign-out, and
 * before a new sign-in). What users typed stays: drafts, kept forms and
 * the outbox belong to their owners. */
export function clearCache() {
	try {
		for (let i = localStorage.length - 1; i >= 0; i--) {
			const k = localStorage.key(i);
			if (k && k.startsWith(CACHE_PREFIX))
				localStorage.removeItem(k);
		}
		localStorage.removeItem(USER_KEY);
	} catch (e) { /* storage off */ }
}

/* ---------------------------------------------------------------------
 * Who is signed in on this phone
 */

/*
 * The user GET /me last named on this phone, {id, username,
 * display_name, role, unit_id}, or null once signed out. It stays after
 * the session merely lapsed: what that user queued is still theirs.
 */
export function currentUser() {
	const u = readJson(USER_KEY);
	return u && u.id !== undefined && u.id !== null ? u : null;
}

function rememberUser(u) {
	if (!u || u.id === undefined || u.id === null)
		return;
	const before = currentUser();
	writeJson(USER_KEY, { id: u.id, username: u.username,
	    display_name: u.display_name, role: u.role, unit_id: u.unit_id });
	if (before && before.id === u.id)
		return;
	/* Another person: the last one's lapsed session is not theirs to
	 * mend, and what they queued may go now. */
	const box = loadBox();
	if (box.authNeeded) {
		box.authNeeded = false;
		saveBox(box);
	}
	if (typeof window !== 'undefined')
		flush();
}

/* After POST /auth/login: user is the answer's user. Forgets the previous
 * user's remembered answers and sends what this user has waiting. */
export function signedIn(user) {
	clearCache();
	rememberUser(user);
}

/* The sign-in page, coming back here afterwards. */
export function loginUrl(next = location.pathname + location.search) {
	return `/login/?next=${encodeURIComponent(next)}`;
}

/* ---------------------------------------------------------------------
 * Times: Asia/Shanghai on every phone
 *
 * China has kept UTC+8 all year since 1991, so a fixed offset is exact for
 * every date this system records, and needs no time-zone data on the phone.
 */

const SHANGHAI_MS = 8 * 3600e3;

/* Date, ms or an ISO string → the Date, or null. A bare 'YYYY-MM-DD' is a
 * day in Shanghai, not midnight UTC. */
function toDate(v) {
	if (v instanceof Date)
		return Number.isNaN(v.getTime()) ? null : v;
	if (typeof v === 'number')
		return new Date(v);
	if (typeof v !== 'string' || !v)
		return null;
	if (/^\d{4}-\d{2}-\d{2}$/.test(v))
		v += 'T00:00:00+08:00';
	const t = Date.parse(v);
	return Number.isNaN(t) ? null : new Date(t);
}

/*
 * Every time a page shows, in Asia/Shanghai whatever the phone's zone.
 * value: a Date, ms since the epoch, or an ISO 8601 / RFC 3339 string (the
 * API's '…+08:00', the outbox's '…Z'). style:
 *   'datetime' 2026-11-29 15:33 (default)   'date' 2026-11-29
 *   'time'     15:33                        'short' 11月29日 15:33
 *   'day'      2026年11月29日
 * '—' for no value or one that is not a time.
 */
export function formatTime(value, style = 'datetime') {
	const d = toDate(value);
	if (!d)
		return '—';
	const s = new Date(d.getTime() + SHANGHAI_MS).toISOString();
	const [date, hm] = [s.slice(0, 10), s.slice(11, 16)];
	const [y, m, day] = date.split('-').map(Number);
	switch (style) {
	case 'date':
		return date;
	case 'time':
		return hm;
	case 'short':
		return `${m}月${day}日 ${hm}`;
	case 'day':
		return `${y}年${m}月${day}日`;
	default:
		return `${date} ${hm}`;
	}
}

/* Today in Asia/Shanghai, as YYYY-MM-DD. */
export function todayShanghai() {
	return formatTime(new Date(), 'date');
}

/*
 * A day field that does not hold today says so beside it: note (a
 * `<p class="hint not-today" hidden>` after the field, named by its
 * aria-describedby) reads "不是今天（今天是 12月2日）" whenever the field
 * holds another day, and is hidden otherwise. It follows what the person
 * types and the clock (the page shown again on a later day); after a
 * script sets the value, call the function returned.
 */
export function notTodayNote(input, note) {
	const update = () => {
		const today = todayShanghai();
		const other = Boolean(input.value) && input.value !== today;
		if (other) {
			const [, m, d] = today.split('-').map(Number);
			note.textContent = `不是今天（今天是 ${m}月${d}日）`;
		}
		note.hidden = !other;
	};
	input.addEventListener('input', update);
	input.addEventListener('change', update);
	document.addEventListener('visibilitychange', update);
	update();
	return update;
}

/* ---------------------------------------------------------------------
 * Money: strings of yuan with at most 2 decimals, integers of fen
 */

const MONEY_MAX_FEN = 10000000000;      /* 100000000.00 yuan, API.md */

/* Full-width digits (a Chinese keyboard's) as ASCII ones. */
function halfWidth(s) {
	return String(s ?? '').replace(/[０-９]/g,
	    (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/*
 * What people type for an amount, as the API wants it: full-width digits
 * and the Chinese full stop (a Chinese keyboard gives those), thousands
 * separators, spaces and a trailing 元 or leading ¥ are forgiven.
 */
export function normalizeAmount(raw) {
	return halfWidth(raw)
	    .replace(/[．。]/g, '.')
	    .replace(/[\s,，]/g, '')
	    .replace(/^[¥￥]/, '')
	    .replace(/元$/, '');
}

/* The check the server makes (valid.c valid_money_str): null, or the
 * error code 'format', 'decimals' or 'out_of_range'; fen set when valid. */
function moneyProblem(raw, out = {}) {
	const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(normalizeAmount(raw));
	if (!m)
		return 'format';
	if (m[3] && m[3].length > 2 && /[1-9]/.test(m[3].slice(2)))
		return 'decimals';
	const digits = m[2].replace(/^0+(?=\d)/, '');
	if (digits.length > 9)
		return 'out_of_range';
	const fen = Number(digits) * 100 + Number((m[3] || '').slice(0, 2).padEnd(2, '0'));
	if ((m[1] && fen !== 0) || fen > MONEY_MAX_FEN)
		return 'out_of_range';
	out.fen = fen;
	return null;
}

/* '1234.5' → 123450; null when it is not an amount. */
export function toFen(raw) {
	const out = {};
	return moneyProblem(raw, out) === null ? out.fen : null;
}

/* 123450 → '1,234.50': how every page writes an amount. */
export function formatYuan(fen) {
	const neg = fen < 0;
	const a = Math.abs(Math.round(fen));
	const int = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+$)/g, ',');
	return `${neg ? '-' : ''}${int}.${String(a % 100).padStart(2, '0')}`;
}

/* The API's '1234.50' (or fen) → '1,234.50 元' */
export function formatMoney(v) {
	const fen = typeof v === 'number' ? v : toFen(v);
	return fen === null ? `${v} 元` : `${formatYuan(fen)} 元`;
}

/* ---------------------------------------------------------------------
 * The message dictionary (GET /api/v1/messages, fcgi/messages.c)
 */

/*
 * Words for the codes of checks the page makes that the server's
 * dictionary has no entry of its own for yet; a dictionary entry of the
 * same code takes their place. 'invisible': a text holds a character
 * valid.c valid_text_bad() refuses (the server answers 'format').
 */
const PAGE_WORDS = {
	invisible: '{label}含有看不见的特殊字符（常见于复制粘贴），请删除后重新输入',
};

let dictionary = readJson(MESSAGES_KEY);

function loadMessages() {
	return api('GET', MESSAGES_PATH).then((d) => {
		if (d && d.messages && d.kinds) {
			dictionary = d;
			writeJson(MESSAGES_KEY, d);
		}
		return dictionary;
	}).catch(() => dictionary);
}

/* Resolves once the dictionary is fresh from the server (or the copy on
 * this phone is all there is). */
export const messagesReady = typeof window === 'undefined' ?
    Promise.resolve(null) : loadMessages();

/*
 * The message for a field error code, in the server's words.
 * opts: kind (the field's data-kind: text, money, phone, id_number, ...),
 * label (the field's Chinese name), min and max (characters, items, or fen
 * for money). Before the dictionary ever reached this phone: '{label}有误'.
 */
export function message(code, { kind = '', label = '', min = 0, max = 0 } = {}) {
	const d = dictionary || { messages: {}, kinds: {} };
	const t = (d.kinds[kind] && d.kinds[kind][code]) || d.messages[code] ||
	    PAGE_WORDS[code] || '{label}有误';
	const num = (v) => kind === 'money' ? formatYuan(v) : String(v);
	return t.replace(/\{(label|min|max)\}/g, (all, k) =>
	    k === 'label' ? label : num(k === 'min' ? min : max));
}

/* ---------------------------------------------------------------------
 * Checks a phone makes by itself (the same rules as fcgi/valid.c)
 */

const ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

function realDate(y, m, d) {
	const t = new Date(Date.UTC(y, m - 1, d));
	return y >= 1900 && y <= 2100 && t.getUTCFullYear() === y &&
	    t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/* GB 11643 resident ID: null, or 'format', 'birth_date', 'checksum'. */
function idNumberCode(s) {
	s = String(s).toUpperCase();
	if (!/^\d{17}[\dX]$/.test(s))
		return 'format';
	const y = Number(s.slice(6, 10));
	const m = Number(s.slice(10, 12));
	const d = Number(s.slice(12, 14));
	if (!realDate(y, m, d) || s.slice(6, 14) > todayShanghai().replace(/-/g, ''))
		return 'birth_date';
	let sum = 0;
	for (let i = 0; i < 17; i++)
		sum += Number(s[i]) * ID_W[i];
	return '10X98765432'[sum % 11] === s[17] ? null : 'checksum';
}

/* GB 32100 unified social credit code: null, 'format' or 'checksum'. */
const CC_SET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function creditCode(s) {
	s = String(s).toUpperCase();
	if (s.length !== 18 || [...s].some((c) => !CC_SET.includes(c)))
		return 'format';
	let sum = 0;
	for (let i = 0; i < 17; i++)
		sum += CC_SET.indexOf(s[i]) * CC_W[i];
	const c = 31 - (sum % 31);
	return CC_SET[c === 31 ? 0 : c] === s[17] ? null : 'checksum';
}

/* Strip what people put into numbers to make them readable (spaces,
 * dashes, and the zero-width characters a copied number may carry). */
export function digitsOnly(s) {
	return halfWidth(s).replace(/[\s\u200b-\u200d\ufeff-]/g, '');
}

/*
 * A mobile number as the API wants it: digitsOnly(), and the country
 * code a pasted number may carry in front of its 11 digits ('+86 139…',
 * '0086139…', '86-139…', full-width '＋') goes.
 */
export function normalizePhone(s) {
	return digitsOnly(String(s ?? '').replace(/＋/g, '+'))
	    .replace(/^(?:\+86|0086|86)(?=1[3-9]\d{9}$)/, '');
}

/* Blanks around a value, as the server trims them, and the zero-width
 * characters (U+200B–U+200D, U+2060, U+FEFF) a copy-paste leaves there. */
const EDGES = /^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$/g;

export function tidy(s) {
	return String(s ?? '').replace(EDGES, '');
}

/*
 * Characters valid.c valid_text_bad() refuses in text (API.md v1.1
 * "Everywhere"): C0 and C1 controls, DEL, the bidirectional embeddings,
 * overrides (U+202A–U+202E) and isolates (U+2066–U+2069), and the format
 * characters that show as nothing (U+00AD, U+061C, U+180E, U+200B–U+200F,
 * U+2060–U+2064, U+FEFF). A multi-line field may hold newlines (CRLF too)
 * and tabs.
 */
const BAD_LINE =
    /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u00ad\u061c\u180e\u200b-\u200f\u2060-\u2064\ufeff]/;
const BAD_MULTI =
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u00ad\u061c\u180e\u200b-\u200f\u2060-\u2064\ufeff]|\r(?!\n)/;
/* A zero-width joiner between two emoji (👷‍♂️) is part of the picture
 * they make, and valid.c keeps it: an emoji or U+FE0F before it, an emoji
 * (U+2600–U+27BF, or beyond U+FFFF) after it. */
const EMOJI_JOINER =
    /(?<=[\u2600-\u27bf\ufe0f\u{10000}-\u{10ffff}])\u200d(?=[\u2600-\u27bf\u{10000}-\u{10ffff}])/gu;

/* A value typed into a field of kind, as the API wants it. */
export function normalize(kind, value) {
	switch (kind) {
	case 'phone':
		return normalizePhone(value);
	case 'id_number':
	case 'credit_code':
		return digitsOnly(value).toUpperCase();
	case 'money':
		return normalizeAmount(value);
	case 'int':
		return halfWidth(value).replace(/\s/g, '');
	default:
		return value;
	}
}

/*
 * The error code the server would give value (already normalized) in a
 * field of kind, or null. limits: min and max (fen for money, else the
 * number itself); multi: a text of several lines (a note). A text
 * holding a character the server refuses gives 'invisible' (the server's
 * code is 'format'; the page's words say what is wrong).
 */
export function checkValue(kind, value, { min = null, max = null, multi = false } = {}) {
	switch (kind) {
	case 'phone':
		return /^1[3-9]\d{9}$/.test(value) ? null : 'format';
	case 'id_number':
		return idNumberCode(value);
	case 'credit_code':
		return creditCode(value);
	case 'date': {
		const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
		return m && realDate(+m[1], +m[2], +m[3]) ? null : 'date';
	}
	case 'money': {
		const out = {};
		const code = moneyProblem(value, out);
		if (code)
			return code;
		if ((min !== null && out.fen < min) || (max !== null && out.fen > max))
			return 'out_of_range';
		return null;
	}
	case 'int':
		if (!/^-?\d+$/.test(value))
			return 'type';
		if ((min !== null && Number(value) < min) ||
		    (max !== null && Number(value) > max))
			return 'out_of_range';
		return null;
	case 'text':
		return (multi ? BAD_MULTI : BAD_LINE).test(String(value).replace(EMOJI_JOINER, '')) ?
		    'invisible' : null;
	default:
		return null;
	}
}

/* ---------------------------------------------------------------------
 * Forms
 *
 * A control says what it holds with attributes, and everything else
 * follows from them (docs/pages.md):
 *   required                the field must be filled in (or chosen)
 *   data-kind="…"           phone, id_number, credit_code, money, date, int,
 *                           text (default), choice (default for select)
 *   data-maxlength="2000"   at most so many characters: live counter, a
 *                           message when passed, nothing cut off
 *   data-minlength="3"
 *   data-pattern="[a-z0-9_.-]+"  the whole value must match (a rule the
 *                           server checks too: a 'format' error otherwise)
 *   data-min, data-max      limits of a money (yuan) or int field
 *   data-label="被欠金额"    the name messages use (default: the label's
 *                           text without its "*" and a trailing "（…）")
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

/* The kind of value a control holds, as the message dictionary names it. */
function kindOf(c) {
	if (c.dataset.kind)
		return c.dataset.kind;
	if (c.tagName === 'SELECT')
		return 'choice';
	if (c.type === 'date')
		return 'date';
	if (c.dataset.type === 'int')
		return 'int';
	return 'text';
}

/* The Chinese name of a control, for messages. */
export function labelOf(c) {
	if (c.dataset.label)
		return c.dataset.label;
	const l = c.labels && c.labels[0];
	if (!l)
		return c.getAttribute('aria-label') || c.name;
	const copy = l.cloneNode(true);
	for (const n of copy.querySelectorAll('.req, .sr-only, .counter'))
		n.remove();
	return copy.textContent.replace(/\s+/g, ' ').trim()
	    .replace(/\s*[（(][^）)]*[）)]$/, '');
}

/* Characters as the server counts them (code points, not UTF-16 units). */
const chars = (s) => Array.from(s).length;

function limits(c, kind) {
	const num = (v) => {
		if (v === undefined || v === '')
			return null;
		return kind === 'money' ? toFen(v) : Number(v);
	};
	return { min: num(c.dataset.min), max: num(c.dataset.max) };
}

/*
 * The form's named controls as a JSON object. Names may be paths
 * ('reporter.phone', 'workers[0].name'). Text is trimmed of blanks and
 * zero-width characters (passwords are not) and normalized by its data-kind (a phone's spaces and dashes go,
 * an ID number is upper-cased, an amount loses its 元 and commas); empty
 * controls are left out, so the server reports a missing required field
 * itself. data-type="int|number|bool" converts the value; a checkbox gives
 * true/false, or with data-type="list" adds its value to an array.
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
		const raw = type === 'password' ? el.value :
		    normalize(kindOf(el), tidy(el.value));
		if (raw === '')
			continue;
		setPath(out, parts, convert(el, raw));
	}
	return out;
}

/* [[path, value], ...] of a JSON value; the arrays whose path whole(path)
 * names stay whole. */
function flatten(value, prefix, out, whole = () => false) {
	if (Array.isArray(value) && whole(prefix)) {
		out.push([prefix, value]);
	} else if (Array.isArray(value)) {
		value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out, whole));
	} else if (value !== null && typeof value === 'object') {
		for (const [k, v] of Object.entries(value))
			flatten(v, prefix ? `${prefix}.${k}` : k, out, whole);
	} else {
		out.push([prefix, value]);
	}
	return out;
}

/* Put a JSON object (as readForm makes) back into a form's controls; a
 * list of checkboxes (data-type="list") gets its array ticked. A select
 * whose option has not come yet keeps the value in dataset.wanted, for
 * loadOptions(). */
export function fillForm(form, data) {
	const named = (name) => form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
	const isList = (name) => [...named(name)].some((c) =>
	    c.type === 'checkbox' && c.dataset.type === 'list');
	for (const [name, value] of flatten(data, '', [], isList)) {
		const el = named(name)[0];
		if (!el)
			continue;
		if (Array.isArray(value)) {
			for (const c of named(name))
				c.checked = value.map(String).includes(c.value);
		} else if (el.type === 'checkbox') {
			el.checked = value === true;
		} else {
			el.value = value === null || value === undefined ? '' : String(value);
			if (el.tagName === 'SELECT' && el.value !== String(value ?? ''))
				el.dataset.wanted = String(value);
		}
		updateCounter(el);
	}
}

/*
 * The messages of one control: <p class="field-error"> in its .field, named
 * by its aria-describedby, the control marked aria-invalid.
 */
let errSeq = 0;

function errorNodes(c) {
	return (c.getAttribute('aria-describedby') || '').split(/\s+/)
	    .filter((id) => id.startsWith('err-'))
	    .map((id) => document.getElementById(id)).filter(Boolean);
}

function setFieldError(c, text, code) {
	let p = errorNodes(c)[0];
	if (!p) {
		p = document.createElement('p');
		p.className = 'field-error';
		p.id = `err-${++errSeq}`;
		(c.closest('.field') || c.parentElement).append(p);
		const ids = (c.getAttribute('aria-describedby') || '').split(/\s+/)
		    .filter(Boolean);
		ids.push(p.id);
		c.setAttribute('aria-describedby', ids.join(' '));
	}
	p.textContent = text;
	p.dataset.code = code || '';
	c.setAttribute('aria-invalid', 'true');
}

function clearFieldError(c) {
	for (const p of errorNodes(c))
		p.remove();
	c.removeAttribute('aria-invalid');
	const kept = (c.getAttribute('aria-describedby') || '').split(/\s+/)
	    .filter((id) => id && !id.startsWith('err-'));
	if (kept.length)
		c.setAttribute('aria-describedby', kept.join(' '));
	else
		c.removeAttribute('aria-describedby');
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
	for (const c of form.querySelectorAll('[aria-invalid]'))
		clearFieldError(c);
	for (const p of form.querySelectorAll('.field-error'))
		p.remove();
	const area = form.querySelector('[data-form-error]');
	if (area) {
		area.textContent = '';
		delete area.dataset.lasting;
	}
}

/*
 * Show an ApiError (or any problem-like object) in a form: each field
 * error's Chinese message goes under the control whose name is the
 * field's path, which is marked aria-invalid; what has no control goes to
 * the form's [data-form-error] area (created when missing). The first
 * control in error gets the focus.
 * opts.codeFields maps a top-level problem code to a field name, for
 * conflicts such as {username_taken: 'username'}; the form's
 * data-code-fields="username_taken:username conflict:username" does the
 * same wherever the problem is shown (also from the outbox badge).
 */
export function showProblem(form, problem, opts = {}) {
	clearProblem(form);
	const errors = Array.isArray(problem.errors) ? [...problem.errors] : [];
	const fromForm = Object.fromEntries((form.dataset.codeFields || '')
	    .split(/\s+/).filter(Boolean).map((p) => p.split(':')));
	const codeFields = { ...fromForm, ...(opts.codeFields || {}) };
	const codeField = codeFields[problem.code];
	if (!errors.length && codeField) {
		errors.push({ field: codeField, code: problem.code,
		    message: problem.detail || problem.message });
	}
	const unplaced = [];
	let first = null;

	for (const e of errors) {
		const c = e.field ?
		    form.querySelector(`[name="${CSS.escape(e.field)}"]`) : null;
		const text = e.message || e.code || '有误';
		if (!c) {
			unplaced.push(text);
			continue;
		}
		const had = errorNodes(c)[0];
		setFieldError(c, had ? `${had.textContent}；${text}` : text, e.code);
		first = first || c;
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
			/* Errors no control stands for stay until the next try. */
			area.dataset.lasting = '1';
		}
	}
	if (first) {
		/* A choice held by a hidden input is made with what is beside it. */
		const target = first.type === 'hidden' ? (first.closest('.field') ||
		    form).querySelector('button, input:not([type="hidden"]), select, textarea') :
		    first;
		(target || first).focus();
	} else {
		const area = formErrorArea(form);
		area.setAttribute('tabindex', '-1');
		area.focus();
	}
}

/* The problems a control has now, by its attributes: {code, message}. */
function controlProblem(c) {
	const type = (c.type || '').toLowerCase();
	if (!c.name || c.disabled || c.closest('[hidden]') ||
	    ['submit', 'button', 'reset', 'hidden', 'checkbox', 'radio'].includes(type))
		return null;
	const kind = kindOf(c);
	const label = labelOf(c);
	const value = type === 'password' ? c.value : normalize(kind, tidy(c.value));
	const problem = (code, lim = {}) => ({ code, message: message(code,
	    { kind, label, ...lim }) });
	/* A number field holding what is no number shows as empty. */
	if (value === '' && c.validity && c.validity.badInput)
		return problem('type');
	if (value === '')
		return c.required ? problem('required') : null;
	const max = Number(c.dataset.maxlength) || 0;
	const min = Number(c.dataset.minlength) || 0;
	if (max && chars(value) > max)
		return problem('too_long', { max });
	if (min && chars(value) < min)
		return problem('too_short', { min });
	if (c.dataset.pattern &&
	    !new RegExp(`^(?:${c.dataset.pattern})$`, 'u').test(value))
		return problem('format');
	const lim = limits(c, kind);
	const code = type === 'password' ? null :
	    checkValue(kind, value, { ...lim, multi: c.tagName === 'TEXTAREA' });
	if (!code)
		return null;
	const dflt = kind === 'money' ? { min: 0, max: MONEY_MAX_FEN } : { min: 0, max: 0 };
	return problem(code, { min: lim.min ?? dflt.min, max: lim.max ?? dflt.max });
}

/*
 * Every problem the page can see in the form by itself, in the order of
 * the controls: [{field, code, message}], in the server's words.
 */
export function formProblems(form) {
	const out = [];
	for (const c of form.elements) {
		const p = controlProblem(c);
		if (p)
			out.push({ field: c.name, ...p });
	}
	return out;
}

/*
 * The check before a form is sent: true when the page sees nothing wrong;
 * otherwise every problem is shown at once under its field (never the
 * browser's one-at-a-time bubbles) and the first field gets the focus.
 * more: problems of the page's own rules that no attribute states (a
 * group of boxes of which one must be ticked, fields that depend on each
 * other), [{field, code, message}] with message from message() where the
 * dictionary has the words; they join the others in the form's order.
 */
export function checkForm(form, more = []) {
	const errors = [...formProblems(form), ...more];
	const at = (e) => (e.field ?
	    form.querySelector(`[name="${CSS.escape(e.field)}"]`) : null);
	errors.sort((a, b) => {
		const x = at(a);
		const y = at(b);
		if (!x || !y || x === y)
			return (x ? 0 : 1) - (y ? 0 : 1);
		return x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING ?
		    -1 : 1;
	});
	if (!errors.length) {
		clearProblem(form);
		return true;
	}
	showProblem(form, { detail: `有 ${errors.length} 处需要修改`, errors });
	return false;
}

/* ---- Length limits: counters, and nothing cut off ---- */

function updateCounter(c) {
	const max = Number(c.dataset.maxlength) || 0;
	if (!max || !c.dataset.counter)
		return;
	const node = document.getElementById(c.dataset.counter);
	if (!node)
		return;
	const n = chars(c.value);
	node.textContent = `${n}/${max}`;
	node.classList.toggle('over', n > max);
	/* A one-line field shows its counter once it nears the limit. */
	node.hidden = c.tagName !== 'TEXTAREA' && n < max * 0.8;
	if (n > max) {
		setFieldError(c, `${message('too_long', { kind: kindOf(c),
		    label: labelOf(c), max })}，现在 ${n} 个字，请删减 ${n - max} 个字`,
		    'too_long');
	} else if (errorNodes(c).some((p) => p.dataset.code === 'too_long')) {
		clearFieldError(c);
	}
}

let counterSeq = 0;

/* A maxlength attribute would cut pasted text silently: it becomes
 * data-maxlength, with a counter under the control. */
function enhanceControl(c) {
	if (c.hasAttribute('maxlength') && ['TEXTAREA', 'INPUT'].includes(c.tagName)) {
		if (!c.dataset.maxlength)
			c.dataset.maxlength = c.getAttribute('maxlength');
		c.removeAttribute('maxlength');
	}
	if (!c.dataset.maxlength || c.dataset.counter)
		return;
	const node = document.createElement('p');
	node.className = 'counter';
	node.id = `cnt-${++counterSeq}`;
	c.dataset.counter = node.id;
	c.after(node);
	followValue(c);
	updateCounter(c);
}

/*
 * A value set by a script (a note emptied after its action succeeded, a
 * draft put back) moves the counter too: no edit event says so, and a
 * counter left at "6/2000" under an empty box misleads. The control's
 * own value property wraps the standard one.
 */
function followValue(c) {
	const std = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(c), 'value');
	if (!std || !std.set || Object.prototype.hasOwnProperty.call(c, 'value'))
		return;
	Object.defineProperty(c, 'value', {
		configurable: true,
		enumerable: true,
		get() {
			return std.get.call(this);
		},
		set(v) {
			std.set.call(this, v);
			updateCounter(this);
		},
	});
}

/* form.reset() empties the controls after its reset event: the counters
 * follow once it has. */
document.addEventListener('reset', (e) => {
	const form = e.target;
	setTimeout(() => {
		if (form && form.querySelectorAll)
			refreshCounters(form);
	}, 0);
});

/* Gives every form and control under root the shared behaviour. Runs by
 * itself for the page and for whatever is added to it later. */
export function enhance(root = document) {
	const forms = root.tagName === 'FORM' ? [root] :
	    [...root.querySelectorAll('form')];
	if (root.closest && root.closest('form'))
		forms.push(root.closest('form'));
	for (const f of forms)
		f.noValidate = true;
	const controls = root.matches && root.matches('input, textarea') ? [root] :
	    root.querySelectorAll('input, textarea');
	for (const c of controls)
		enhanceControl(c);
}

/* An edit: the control's own error goes at once (a length error stays
 * while the text is still too long), and so does a summary above the form. */
function onEdit(e) {
	const c = e.target;
	if (!c || !c.form || !c.name)
		return;
	/* A group of boxes is one field: its message sits on the first. */
	const field = ['checkbox', 'radio'].includes(c.type) ?
	    c.form.querySelectorAll(`[name="${CSS.escape(c.name)}"]`) : [c];
	for (const x of field)
		if (x.getAttribute('aria-invalid'))
			clearFieldError(x);
	updateCounter(c);
	const area = c.form.querySelector('[data-form-error]');
	if (area && !area.dataset.lasting)
		area.textContent = '';
}

/* Counters again after values were set by a script (a restored draft). */
export function refreshCounters(root = document) {
	for (const c of root.querySelectorAll('[data-counter]'))
		updateCounter(c);
}

/* ---------------------------------------------------------------------
 * Feedback: status lines, busy buttons, toasts, confirmations
 */

/* Shows a message in a status line: kind '', 'ok', 'warn' or 'error'. */
export function say(node, text, kind = '') {
	node.className = `msg ${kind}`.trim();
	node.textContent = text;
}

/* Builds an element: el('li', {class, text, onclick, ...attributes}, ...kids). */
export function el(tag, attrs = {}, ...kids) {
	const n = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k === 'class')
			n.className = v;
		else if (k === 'text')
			n.textContent = v;
		else if (k.startsWith('on'))
			n.addEventListener(k.slice(2), v);
		else
			n.setAttribute(k, v === true ? '' : v);
	}
	for (const k of kids)
		if (k !== null && k !== undefined)
			n.append(k);
	return n;
}

/* Is node on screen now? */
function inView(node) {
	const r = node.getBoundingClientRect();
	return r.bottom > 0 && r.top < window.innerHeight && r.height > 0;
}

/* say(), then scrolls the line into view if it is not: a result appears
 * where the person is looking. */
export function sayHere(node, text, kind = '') {
	say(node, text, kind);
	if (text && !inView(node))
		node.scrollIntoView({ block: 'nearest' });
}

/*
 * A button while its action runs: disabled, aria-busy, and saying what it
 * is doing (text, else its data-busy attribute, else "正在处理…").
 * Returns the function that puts it back.
 */
export function busy(button, text) {
	if (!button)
		return () => {};
	const before = button.textContent;
	button.disabled = true;
	button.setAttribute('aria-busy', 'true');
	button.classList.add('busy');
	button.textContent = text || button.dataset.busy || '正在处理…';
	return () => {
		button.textContent = before;
		button.disabled = false;
		button.removeAttribute('aria-busy');
		button.classList.remove('busy');
	};
}

let toastArea = null;

/*
 * The result of an action, shown at the bottom of the screen whatever the
 * page's scroll position: kind 'ok', 'warn' or 'error'. It goes after
 * timeout ms (errors stay until closed) or when tapped, or when another
 * of its kind comes. Returns the node.
 */
export function toast(text, kind = 'ok', { timeout = 8000 } = {}) {
	if (!toastArea || !toastArea.isConnected) {
		toastArea = el('div', { class: 'toasts', 'data-toasts': '',
		    role: 'status', 'aria-live': 'polite' });
		document.body.append(toastArea);
	}
	const close = el('button', { type: 'button', class: 'toast-close',
	    'aria-label': '关闭提示', text: '✕' });
	const node = el('div', { class: `toast ${kind}`, 'data-toast': kind },
	    el('p', { text }), close);
	const remove = () => node.remove();
	close.addEventListener('click', remove);
	/* A message of the same kind replaces the one before: they never
	 * pile up over the page. */
	for (const old of [...toastArea.children])
		if (old.dataset.toast === kind)
			old.remove();
	toastArea.append(node);
	while (toastArea.children.length > 3)
		toastArea.firstElementChild.remove();
	if (kind !== 'error')
		setTimeout(remove, timeout);
	return node;
}

/*
 * Asks before a step that ends something, naming what it ends:
 * confirmStep({title: '仍有 16,000.50 元未追回，确定结案？',
 *   consequence: '结案后不能再登记追回金额。', yes: '确定结案'}).
 * consequence may be a string or a list of lines. Resolves true for yes,
 * false for no (or Esc). The no button has the focus: a stray tap is safe.
 */
export function confirmStep({ title, consequence = '', yes = '确定', no = '取消',
    danger = true }) {
	const lines = Array.isArray(consequence) ? consequence : [consequence];
	if (typeof HTMLDialogElement === 'undefined') {
		return Promise.resolve(window.confirm([title, ...lines]
		    .filter(Boolean).join('\n')));
	}
	return new Promise((resolve) => {
		const id = `dlg-${++errSeq}`;
		const yesBtn = el('button', { type: 'button',
		    class: `btn${danger ? ' danger' : ''}`, 'data-yes': '', text: yes });
		const noBtn = el('button', { type: 'button', class: 'btn secondary',
		    'data-no': '', text: no });
		const dlg = el('dialog', { class: 'sheet', 'data-confirm': '',
		    'aria-labelledby': `${id}-t`, 'aria-describedby': `${id}-c` },
		    el('h2', { id: `${id}-t`, text: title }),
		    el('div', { id: `${id}-c` },
			...lines.filter(Boolean).map((t) => el('p', { text: t }))),
		    el('div', { class: 'actions' }, yesBtn, noBtn));
		let answer = false;
		yesBtn.addEventListener('click', () => {
			answer = true;
			dlg.close();
		});
		noBtn.addEventListener('click', () => dlg.close());
		dlg.addEventListener('close', () => {
			dlg.remove();
			resolve(answer);
		});
		document.body.append(dlg);
		dlg.showModal();
		noBtn.focus();
	});
}

/* ---- Codes shown only once ---- */

/*
 * A list of records kept on this phone under key until the person says
 * they no longer need them (codes the server shows only once).
 * → {list(), add(record), remove(match)}; match(record) picks what goes.
 */
export function keptList(key) {
	const list = () => {
		const v = readJson(key);
		return Array.isArray(v) ? v : [];
	};
	return {
		list,
		add(record, same = () => false) {
			writeJson(key, [...list().filter((r) => !same(r)), record]);
		},
		remove(match) {
			writeJson(key, list().filter((r) => !match(r)));
		},
	};
}

/* Puts text on the clipboard; resolves false where the phone would not
 * (then the page says how to copy it by hand). */
export async function copyText(text) {
	try {
		await navigator.clipboard.writeText(text);
		return true;
	} catch (e) {
		/* No clipboard API here (old browser, plain http): select and copy. */
		const ta = el('textarea', { class: 'sr-only', readonly: true });
		ta.value = text;
		document.body.append(ta);
		ta.select();
		let ok = false;
		try {
			ok = document.execCommand('copy');
		} catch (e2) { /* nothing more to try */ }
		ta.remove();
		return ok;
	}
}

/* The codes drawn as a PNG (a data: URL), to keep in the photo album. */
function codePicture(title, items) {
	const scale = 2;
	const w = 360;
	const h = 96 + items.length * 84 + 48;
	const cv = document.createElement('canvas');
	cv.width = w * scale;
	cv.height = h * scale;
	const g = cv.getContext('2d');
	g.scale(scale, scale);
	g.fillStyle = '#fff';
	g.fillRect(0, 0, w, h);
	g.fillStyle = '#b3121f';
	g.fillRect(0, 0, w, 8);
	const font = '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
	g.fillStyle = '#1d1d1f';
	g.font = `bold 22px ${font}`;
	g.fillText(title, 20, 48);
	let y = 96;
	for (const it of items) {
		g.fillStyle = '#555';
		g.font = `16px ${font}`;
		g.fillText(it.label, 20, y);
		g.fillStyle = '#1d1d1f';
		g.font = 'bold 30px ui-monospace, "DejaVu Sans Mono", monospace';
		g.fillText(it.value, 20, y + 38);
		y += 84;
	}
	g.fillStyle = '#555';
	g.font = `14px ${font}`;
	g.fillText(`江苏常州经济开发区总工会 · ${formatTime(new Date())}`, 20, h - 20);
	return cv.toDataURL('image/png');
}

function showPicture(url, fileName) {
	const dlg = el('dialog', { class: 'sheet picture', 'data-picture': '',
	    'aria-label': '保存为图片' },
	    el('img', { src: url, alt: '记有编号和查询码的图片' }),
	    el('p', { class: 'hint', text: '长按图片可保存到手机相册；也可以点“下载图片”。' }),
	    el('div', { class: 'actions' },
		el('a', { class: 'btn', href: url, download: fileName, text: '下载图片' }),
		el('button', { type: 'button', class: 'btn secondary', text: '关闭',
		    onclick: () => dlg.close() })));
	dlg.addEventListener('close', () => dlg.remove());
	document.body.append(dlg);
	if (dlg.showModal)
		dlg.showModal();
}

/*
 * A card for codes the server shows only once (a tracking code, an
 * arrival code, a password): large, with 复制 and 保存为图片, and a
 * "我已记下" that asks twice before onDiscard() may forget them.
 * opts: title, items [{label, value, attr}] (attr: a data- attribute set
 * on the value), note, fileName (of the picture), intro (nodes under the
 * title), extra (nodes under the buttons, e.g. a link), onDiscard.
 */
export function onceCard({ title, items, note = '请截图或抄下，以后需要用到',
    fileName = '编号和查询码.png', intro = [], extra = [], onDiscard }) {
	const text = items.map((i) => `${i.label}：${i.value}`).join('\n');
	const copy = el('button', { type: 'button', class: 'btn secondary',
	    'data-copy': '', text: '复制' });
	copy.addEventListener('click', async () => {
		const ok = await copyText(`${title}\n${text}`);
		toast(ok ? '已复制，可以粘贴到微信、短信或备忘录里保存' :
		    '这部手机不能自动复制，请长按编号手动复制，或截图保存', ok ? 'ok' : 'warn');
	});
	const picture = el('button', { type: 'button', class: 'btn secondary',
	    'data-picture-button': '', text: '保存为图片' });
	picture.addEventListener('click', () =>
	    showPicture(codePicture(title, items), fileName));
	const done = el('button', { type: 'button', class: 'btn secondary block',
	    'data-done': '', text: '我已记下' });
	done.addEventListener('click', async () => {
		const codes = items.map((i) => i.value).join('、');
		const first = await confirmStep({
			title: '确定已经记下了吗？',
			consequence: ['这些编号只显示这一次，删除后在这部手机上再也看不到，网上也查不到。',
			    `请核对：${codes}`],
			yes: '已记下', no: '返回', danger: false,
		});
		if (!first)
			return;
		const second = await confirmStep({
			title: '再确认一次：删除后无法找回',
			consequence: '如果还没有截图或抄下，请点“返回”，再用“复制”或“保存为图片”留一份。',
			yes: '确定删除', no: '返回',
		});
		if (second && onDiscard)
			onDiscard();
	});
	return el('section', { class: 'card result once', 'aria-label': title },
	    el('h2', { class: 'result-title', text: title }),
	    ...intro,
	    ...items.flatMap((i) => [
		el('p', { class: 'code-label', text: i.label }),
		el('p', { class: 'code-big', [i.attr || 'data-code']: '', text: i.value }),
	    ]),
	    el('p', { class: 'msg warn keep-note', text: note }),
	    el('div', { class: 'actions once-actions' }, copy, picture),
	    ...extra,
	    done);
}

/* ---------------------------------------------------------------------
 * Lists a form needs (units, and later fairs, villages ...)
 */

/*
 * Where a list stands, in a status line after anchor (a select, or a
 * list that is not one): text with kind 'loading', 'warn' or 'error',
 * and a 重试 button when retry (a function) is given; no text removes
 * the line.
 */
export function listStatus(anchor, text, kind = '', retry = null) {
	const box = anchor.closest('.field') || anchor.parentElement;
	let node = box.querySelector('[data-list-status]');
	if (!text) {
		node?.remove();
		return;
	}
	if (!node) {
		node = el('div', { class: 'list-status', 'data-list-status': '',
		    role: 'status', 'aria-live': 'polite' });
		anchor.after(node);
	}
	node.className = `list-status ${kind}`;
	node.textContent = '';
	node.append(el('span', { text }));
	if (retry) {
		node.append(el('button', { type: 'button', class: 'btn small secondary',
		    'data-retry': '', text: '重试', onclick: retry }));
	}
}

const choosing = new WeakSet();   /* selects whose wanted a pick replaces */

/*
 * Fills a select from a GET list: the copy kept from the last visit at
 * once, then the fresh one; without a copy, "正在加载…" until it comes,
 * and "没有加载成功" with a 重试 button when it does not. The value a
 * restored draft asked for (select.dataset.wanted, until the person picks
 * another), else the one the select had, is kept. opts: path, what (the
 * list's name, '工会列表'), options(data) → [[value, text], ...], and
 * fallback: data in the API's shape the page carries itself (a list fixed
 * by a standard), used at once when there is no kept copy, so a first
 * visit without a network still has the list; the server's replaces it.
 * Resolves true once options are in.
 */
export function loadOptions(select, { path, what = '列表', options, fallback = null }) {
	if (!choosing.has(select)) {
		choosing.add(select);
		select.addEventListener('change', () => delete select.dataset.wanted);
	}
	const fill = (data) => {
		const keep = select.dataset.wanted || select.value || '';
		while (select.options.length > 1)
			select.remove(1);
		for (const [value, text] of options(data))
			select.append(new Option(text, String(value)));
		select.value = keep;
		if (select.value === keep)
			delete select.dataset.wanted;
		else if (keep)
			select.dataset.wanted = keep;
		select.removeAttribute('aria-busy');
	};
	const saved = cachedCopy(path) || fallback;
	if (saved)
		fill(saved);
	const run = async () => {
		if (!saved) {
			select.setAttribute('aria-busy', 'true');
			listStatus(select, `正在加载${what}…`, 'loading');
		}
		try {
			const r = await cachedGet(path);
			fill(r.data);
			listStatus(select, r.stale && !saved ?
			    `没有网络，显示的是上次保存的${what}` : '', 'warn');
			return true;
		} catch (err) {
			if (saved)
				return true;        /* the kept copy serves */
			select.removeAttribute('aria-busy');  /* said in words */
			listStatus(select, err.network ?
			    `没有网络，${what}没有加载成功` :
			    `${what}没有加载成功（${err.message}）`, 'error', () => run());
			return false;
		}
	};
	return run();
}

/*
 * GET /units' answer as options in tree order, each unit under its
 * parent, indented: [[id, '　name'], ...]. root: only that unit and the
 * units below it (root first); without it every unit, a unit whose
 * parent is not in the list standing at the top.
 */
export function unitOptions(data, root = null) {
	const items = (data && data.items) || [];
	const ids = new Set(items.map((u) => u.id));
	const kids = new Map();
	for (const u of items) {
		const p = ids.has(u.parent_id) ? u.parent_id : null;
		if (!kids.has(p))
			kids.set(p, []);
		kids.get(p).push(u);
	}
	const out = [];
	const seen = new Set();
	const walk = (list, depth) => {
		for (const u of [...list].sort((a, b) => a.id - b.id)) {
			if (seen.has(u.id))
				continue;
			seen.add(u.id);
			out.push([u.id, '　'.repeat(depth) + u.name]);
			walk(kids.get(u.id) || [], depth + 1);
		}
	};
	if (root === null)
		walk(kids.get(null) || [], 0);
	else
		walk(items.filter((u) => u.id === root), 0);
	return out;
}

/*
 * A select of units through loadOptions(). Without root, every unit below
 * the select's first option (its prompt, "全部"). With root (the caller's
 * unit_id): that unit first and chosen, then the units below it, so the
 * form says which unit a record goes to before anything is picked.
 */
export function loadUnitOptions(select, { root = null } = {}) {
	const path = '/api/v1/units';
	if (root === null) {
		return loadOptions(select, { path, what: '工会列表',
		    options: (data) => unitOptions(data) });
	}
	if (!select.options.length || select.options[0].value !== String(root)) {
		select.prepend(new Option('本单位', String(root)));
		select.value = select.value || String(root);
	}
	return loadOptions(select, { path, what: '工会列表', options: (data) => {
		const [own, ...below] = unitOptions(data, root);
		if (own)
			select.options[0].text = own[1];
		return below;
	} });
}

/* ---------------------------------------------------------------------
 * Outbox
 *
 * localStorage[OUTBOX_KEY] = {pending: [entry], failed: [entry],
 * authNeeded: bool}; an entry is {id, path, body, idempotencyKey, label,
 * createdAt, attempts, state, user, userName, lastError?, triedAt?,
 * headers?, after?, meta?, view?}, a failed one also {status, code,
 * message, detail, errors, failedAt}. Entries are sent in the order
 * they were made; the first one that cannot be delivered stops the round,
 * so a later record never overtakes an earlier one it may depend on.
 *
 * user is the id of who was signed in when it was queued (null: nobody,
 * a public form). An entry is sent only while its user is the one signed
 * in on this phone, never under another person's session, and only its
 * user sees it: the others learn that records of someone else wait, not
 * what they hold. view is what the form showed when it was sent (labels
 * and values as people read them), for the "需要处理" panel.
 *
 * state says where a pending entry stands, and what the pages tell people:
 *   'new'        not tried yet
 *   'offline'    the phone has no network: nothing has left it
 *   'unanswered' sent, but no answer came (it may well have arrived): it is
 *                asked again soon with the same key, which cannot
 *                record it twice
 *   'busy'       the server answered "later" (5xx, 429, in flight)
 *   'auth'       the session ended; it goes after the next sign-in
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
let delivered = [];             /* {id, label, at}: shown by the badge a while */

function note(id, outcome) {
	if (awaited.has(id))
		results.set(id, outcome);
}

function emptyBox() {
	return { pending: [], failed: [], authNeeded: false };
}

function loadBox() {
	const b = readJson(OUTBOX_KEY);
	if (b && Array.isArray(b.pending) && Array.isArray(b.failed))
		return b;
	return emptyBox();
}

function emit(name, detail) {
	window.dispatchEvent(new CustomEvent(name, { detail }));
}

function saveBox(box) {
	const ok = writeJson(OUTBOX_KEY, box);
	renderBadges();
	emit('outbox:change', { box });
	return ok;
}

/* Is entry the signed-in user's (or nobody's in particular)? */
function isMine(entry, me = currentUser()) {
	const owner = entry.user ?? null;
	return owner === null || (me !== null && owner === me.id);
}

/* The other users with entries here: [{user, name, pending, failed}]. */
function othersIn(box, me = currentUser()) {
	const by = new Map();
	const count = (e, what) => {
		if (isMine(e, me))
			return;
		if (!by.has(e.user))
			by.set(e.user, { user: e.user, name: e.userName || '', pending: 0, failed: 0 });
		by.get(e.user)[what]++;
	};
	for (const e of box.pending)
		count(e, 'pending');
	for (const e of box.failed)
		count(e, 'failed');
	return [...by.values()];
}

/*
 * What the outbox holds now for the signed-in user: {pending, failed,
 * authNeeded, others}; others counts what other users of this phone
 * left ([{user, name, pending, failed}]), without their content.
 */
export function outboxState() {
	const box = loadBox();
	const me = currentUser();
	return {
		pending: box.pending.filter((e) => isMine(e, me)),
		failed: box.failed.filter((e) => isMine(e, me)),
		authNeeded: box.authNeeded,
		others: othersIn(box, me),
	};
}

/* Answers after which an entry stays queued: nobody looked at it yet. */
function keepQueued(err) {
	return err.network || err.status === 401 || err.status === 408 ||
	    err.status === 429 || err.status >= 500 ||
	    (err.status === 409 && err.code === 'idempotency_in_flight');
}

/* The state an entry is left in after err. */
function stateAfter(err) {
	if (err.network)
		return err.offline || isOffline() ? 'offline' : 'unanswered';
	return err.status === 401 ? 'auth' : 'busy';
}

/*
 * What to tell a person about a record left in the outbox, by the reason
 * submit() gave (or an entry's state): 'offline', 'unanswered', 'auth',
 * 'server' / 'busy'.
 */
export function queuedText(reason) {
	switch (reason) {
	case 'offline':
	case 'new':
		return '当前没有网络，已保存在本机，联网后会自动发送。';
	case 'unanswered':
		return '已发出，但没有收到服务器的回复（可能已经提交成功）。' +
		    '稍后会自动再确认，不会重复提交。';
	case 'auth':
		return '登录已过期，内容已保存在本机，重新登录后会自动发送。';
	default:
		return '系统繁忙，已保存在本机，稍后会自动重试。';
	}
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
		/* Only the signed-in user's: another's would go in their name. */
		const entry = box.pending.find((e) => isMine(e));
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
		cur.triedAt = new Date().toISOString();

		if (!err) {
			if (i >= 0)
				box.pending.splice(i, 1);
			resolveAfter(box, entry.id, data);
			box.authNeeded = false;
			if (!awaited.has(entry.id))
				delivered.push({ id: entry.id, label: cur.label, at: Date.now() });
			saveBox(box);
			note(entry.id, { ok: true, data, status });
			if (!awaited.has(entry.id))
				emit('outbox:sent', { entry: cur, data, status });
			continue;
		}
		if (keepQueued(err)) {
			lastStop = err;
			cur.lastError = err.message;
			cur.state = stateAfter(err);
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
let recheck = null;             /* timer of the next try after a stop */
let recheckStep = 0;

/*
 * After a round that stopped with the network up (no answer, or the
 * server said "later"), try again soon, then less often; without a
 * network the 'online' event starts the next round, after a lost session
 * the next sign-in does.
 */
function planRecheck() {
	clearTimeout(recheck);
	recheck = null;
	const err = lastStop;
	if (!err) {
		recheckStep = 0;
		return;
	}
	if (err.offline || isOffline() || err.status === 401)
		return;
	const wait = err.retryAfter ? err.retryAfter * 1000 :
	    RECHECK_MS[Math.min(recheckStep, RECHECK_MS.length - 1)];
	recheckStep++;
	recheck = setTimeout(() => {
		recheck = null;
		flush();
	}, wait);
}

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
			if (!loadBox().pending.some((e) => isMine(e))) {
				lastStop = null;
				break;
			}
			if (navigator.locks && navigator.locks.request)
				await navigator.locks.request('swn-outbox', flushRound);
			else
				await flushRound();
		} while (again && loadBox().pending.some((e) => isMine(e)) && !isOffline());
	})().catch(() => {}).finally(() => {
		flushing = null;
		planRecheck();
		renderBadges();
	});
	renderBadges();
	return flushing;
}

/*
 * POST through the outbox. The entry is stored before it is sent.
 * Resolves to {queued: false, data, status} once the server has taken it,
 * or {queued: true, reason, entry} when it waits in the outbox: reason
 * 'offline' (nothing left the phone), 'unanswered' (sent, no answer yet;
 * it is asked again with the same key), 'auth' (signed out), 'server'
 * (the server said later). queuedText(reason) says it in Chinese. A
 * refusal (4xx) is thrown as ApiError and not kept, since the form is
 * still on screen.
 * opts: label (what the badge calls it), headers (sent with every try,
 * e.g. If-Match), after (the id of an earlier entry whose answer fills
 * {placeholders} in path and headers, see above), meta (kept with the
 * entry for the page that shows what waits).
 */
export async function submit(path, body,
    { label = '', headers = null, after = null, meta = null } = {}) {
	const me = currentUser();
	const entry = {
		id: newIdempotencyKey(),
		path: apiUrl(path),
		body,
		idempotencyKey: newIdempotencyKey(),
		label,
		createdAt: new Date().toISOString(),
		attempts: 0,
		state: isOffline() ? 'offline' : 'new',
		user: me ? me.id : null,
		userName: me ? me.display_name || me.username || '' : '',
	};
	/* The form as it reads now, while its lists and rows are there. */
	const form = formFor(entry.path);
	if (form)
		entry.view = formView(form, body);
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
	if (isOffline())
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
	const state = err ? stateAfter(err) : 'busy';
	return { queued: true, reason: state === 'busy' ? 'server' : state,
	    entry, error: err };
}

/* Forget a failed entry. */
export function dropFailed(id) {
	const box = loadBox();
	box.failed = box.failed.filter((e) => e.id !== id);
	saveBox(box);
}

/* ---------------------------------------------------------------------
 * Badge: <div data-outbox></div> anywhere on a page. It reports what the
 * outbox does, and never touches the rest of the page: the form being
 * typed keeps its content and its focus.
 */

/* The form on this page that makes such records, if any. */
function formFor(path) {
	return document.querySelector(`form[data-submit-path="${CSS.escape(path)}"]`);
}

/* A node's text as people read it: without what is only decoration. */
function visibleText(node) {
	const copy = node.cloneNode(true);
	for (const n of copy.querySelectorAll('[aria-hidden="true"], .req, .sr-only, .counter'))
		n.remove();
	return copy.textContent.replace(/\s+/g, ' ').trim();
}

/*
 * The words a person reads for a control: its label ("手机号"), for a
 * group of boxes the group's (data-label, else its legend); in a list of
 * rows (an element with data-item-label around it) with the row's number:
 * travellers[2].phone → "第 3 位乘客的手机号".
 */
function fieldName(c) {
	let label;
	if (['checkbox', 'radio'].includes(c.type) && c.closest('fieldset')) {
		const fs = c.closest('fieldset');
		const legend = fs.querySelector('legend');
		label = fs.dataset.label || (legend ? visibleText(legend) : labelOf(c));
	} else {
		label = labelOf(c);
	}
	const m = /\[(\d+)\][^[]*$/.exec(c.name);
	if (!m)
		return label;
	const list = c.closest('[data-item-label]');
	const n = Number(m[1]) + 1;
	return list ? `第 ${n} ${list.dataset.itemUnit || '位'}${list.dataset.itemLabel}的${label}` :
	    `第 ${n} 项的${label}`;
}

/* A value of the body as the control that held it shows it: an option's
 * text, the boxes' labels, an amount in yuan; null when the form cannot
 * say (no such control, an option that is not there). */
function shownValue(form, name, value) {
	const cs = [...form.querySelectorAll(`[name="${CSS.escape(name)}"]`)];
	const c = cs[0];
	if (!c)
		return null;
	if (c.type === 'password')
		return '••••••';
	if (Array.isArray(value)) {
		return value.map((v) => cs.find((x) => x.value === String(v)))
		    .map((x) => (x ? (x.closest('label') ? visibleText(x.closest('label')) :
			labelOf(x)) : null)).filter(Boolean).join('、') || null;
	}
	if (value === null || value === undefined || value === '')
		return null;
	if (c.tagName === 'SELECT') {
		const o = [...c.options].find((x) => x.value === String(value));
		return o ? o.textContent.trim() : null;
	}
	if (c.type === 'checkbox')
		return value === true ? '是' : '否';
	if (c.type === 'hidden') {
		/* A choice made with buttons: the button that stands for it. */
		const b = (c.closest('.field') || form)
		    .querySelector(`[data-value="${CSS.escape(String(value))}"]`);
		return b ? visibleText(b) : null;
	}
	if (kindOf(c) === 'money')
		return formatMoney(String(value));
	return String(value);
}

/*
 * What a record sent from form reads like: {rows: [[name, value], ...]}
 * in people's words, and names: {path: name} of every control, for the
 * server's errors about fields the body left out.
 */
function formView(form, body) {
	const isList = (name) => [...form.querySelectorAll(`[name="${CSS.escape(name)}"]`)]
	    .some((c) => c.type === 'checkbox' && c.dataset.type === 'list');
	const names = {};
	for (const c of form.elements)
		if (c.name && !names[c.name])
			names[c.name] = fieldName(c);
	const rows = [];
	for (const [name, value] of flatten(body, '', [], isList)) {
		const shown = names[name] ? shownValue(form, name, value) : null;
		if (shown !== null)
			rows.push([names[name], shown]);
	}
	return { rows, names };
}

function failedItem(entry) {
	const form = formFor(entry.path);
	const view = entry.view || (form ? formView(form, entry.body) : null);
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
		onclick: async () => {
			if (await confirmStep({
				title: `删除“${entry.label || '这条记录'}”？`,
				consequence: '它没有被服务器接受，删除后这部手机上也不再保存，无法找回。',
				yes: '确定删除',
			}))
				dropFailed(entry.id);
		},
	});
	/* Each of the server's field errors under the name people read. */
	const errs = (entry.errors || []).filter((e) => e.message).map((e) => {
		const name = e.field && view && view.names[e.field];
		return name && !e.message.startsWith(name) ? `${name}：${e.message}` : e.message;
	});
	const head = entry.detail ||
	    (errs.length ? '' : entry.message || '服务器拒绝了这条记录');
	const dl = el('dl');
	for (const [name, value] of view ? view.rows : [])
		dl.append(el('dt', { text: name }), el('dd', { text: value }));
	return el('li', {},
	    el('div', { class: 'name', text: entry.label || '记录' }),
	    el('div', { class: 'muted', text: `填写于 ${formatTime(entry.createdAt, 'short')}` }),
	    head ? el('p', { class: 'field-error', text: head }) : null,
	    errs.length ? el('ul', { class: 'field-error outbox-errors' },
		...errs.map((t) => el('li', { text: t }))) : null,
	    dl.children.length ? dl : null,
	    el('div', { class: 'actions' }, restore, remove));
}

/* What other users of this phone left here, without what it holds. */
function othersNote(others) {
	const lines = others.map((o) => {
		const who = o.name ? `另一位用户（${o.name}）` : '另一位用户';
		const parts = [];
		if (o.pending)
			parts.push(`${o.pending} 条记录等待发送`);
		if (o.failed)
			parts.push(`${o.failed} 条记录未被服务器接受`);
		return `${who}有 ${parts.join('、')}，要等本人登录后才会发送或处理；内容不在这里显示。`;
	});
	return el('p', { class: 'outbox-note', 'data-outbox-others': '' }, lines.join(' '));
}

/* The one sentence about the pending records, by their states. */
function pendingNote(box, list) {
	if (box.authNeeded) {
		return el('p', { class: 'outbox-note' }, '登录已过期，请',
		    el('a', { href: loginUrl(), text: '重新登录' }),
		    '，登录后会自动发送。');
	}
	let state = 'busy';
	if (isOffline() || list.every((e) => e.state === 'offline'))
		state = 'offline';
	else if (list.some((e) => e.state === 'unanswered'))
		state = 'unanswered';
	else if (list.every((e) => !e.state || e.state === 'new'))
		state = 'new';
	const text = {
		offline: '当前没有网络，记录已保存在本机，联网后会自动发送。',
		unanswered: '已发出，正在等待服务器的回复；会自动再确认，不会重复提交。',
		busy: '服务器暂时繁忙，记录已保存在本机，会自动重试。',
		new: '记录已保存在本机，正在发送。',
	}[state];
	return el('p', { class: 'outbox-note', 'data-outbox-state': state, text });
}

function renderBadge(node, box) {
	const me = currentUser();
	/* A record whose form still waits for its answer is not news yet;
	 * another user's is not this user's business. */
	const list = box.pending.filter((e) => isMine(e, me) && !awaited.has(e.id));
	const failed = box.failed.filter((e) => isMine(e, me));
	const others = othersIn(box, me);
	const n = list.length;
	const m = failed.length;
	const d = delivered.length;
	node.textContent = '';
	node.hidden = n === 0 && m === 0 && d === 0 && others.length === 0;
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
		node.append(pendingNote(box, list));
	}
	if (d > 0) {
		node.append(el('p', { class: 'outbox-sent', 'data-outbox-sent': '',
		    text: `✓ 已发送：${delivered.map((x) => x.label || '记录').join('、')}` }));
	}
	if (m > 0) {
		const items = el('ul', { class: 'outbox-failed-list' });
		for (const e of failed)
			items.append(failedItem(e));
		node.append(el('details', { class: 'failed', 'data-outbox-failed': '' },
		    el('summary', { text: `需要处理 ${m} 条（服务器未接受）` }), items));
	}
	if (others.length)
		node.append(othersNote(others));
}

let deliveredTimer = null;

function renderBadges() {
	if (typeof document === 'undefined')
		return;
	const nodes = document.querySelectorAll('[data-outbox]');
	/* "已发送" stays a few seconds, then the badge forgets it. */
	const now = Date.now();
	delivered = delivered.filter((x) => now - x.at < DELIVERED_MS);
	if (delivered.length && !deliveredTimer) {
		deliveredTimer = setTimeout(() => {
			deliveredTimer = null;
			renderBadges();
		}, DELIVERED_MS - (now - delivered[0].at) + 50);
	}
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
 * Signing out, and a session that ended while a form was being filled in
 */

/*
 * 退出: POST /auth/logout (the sid cookie goes), then the remembered
 * answers and who was signed in are forgotten and the sign-in page opens.
 * Asks first when this user's records still wait (they stay, and go at
 * their next sign-in). Without a network nothing changes: the cookie
 * would stay and the next person would act in this one's name. Resolves
 * false when nothing was done.
 */
export async function signOut() {
	const n = outboxState().pending.length;
	if (n && !(await confirmStep({
		title: `还有 ${n} 条记录没有发送，确定退出？`,
		consequence: '它们会留在这部手机上，下次您登录后再发送；退出期间不会发送，别人登录也看不到。',
		yes: '确定退出',
	})))
		return false;
	try {
		await api('POST', '/api/v1/auth/logout');
	} catch (err) {
		if (err.network) {
			toast('网络不可用，暂时无法退出登录。请联网后再点“退出”。', 'error');
			return false;
		}
		/* 401: already signed out, which is what was asked. */
	}
	clearCache();
	writeJson(RESUME_KEY, null);
	location.assign('/login/');
	return true;
}

/*
 * Who is signed in, in the header: the [data-me-name] elements get the
 * name, #user-box shows, and its [data-logout] button signs out.
 */
export function showSignedIn(me) {
	for (const n of document.querySelectorAll('[data-me-name]'))
		n.textContent = me.display_name || me.username;
	const box = document.getElementById('user-box');
	if (box)
		box.hidden = false;
	for (const b of document.querySelectorAll('[data-logout]')) {
		if (b.dataset.wired)
			continue;
		b.dataset.wired = '1';
		b.addEventListener('click', async () => {
			const done = busy(b, '正在退出…');
			if (!(await signOut()))
				done();
		});
	}
}

/* The values of a form's named controls (passwords never). */
function keptValues(form) {
	const v = {};
	for (const c of form.elements) {
		const type = (c.type || '').toLowerCase();
		if (!c.name || ['password', 'button', 'submit', 'reset', 'file'].includes(type))
			continue;
		if (type === 'checkbox' || type === 'radio') {
			v[c.name] = v[c.name] || [];
			if (c.checked)
				v[c.name].push(c.value);
		} else {
			v[c.name] = c.value;
		}
	}
	return v;
}

/*
 * What a staff form holds, kept on this phone as it is typed, as the
 * volunteers' pages keep their drafts: a session that ends (12 h idle)
 * sends the person to sign in, and what they typed is there when they
 * come back. keepForm(form, key) → {restore(), save(), clear()}:
 * key may be a function, for a form that serves several records.
 * restore() puts the kept values back (only for the user who typed
 * them) and returns {values, at}, or null when nothing was kept; clear()
 * once the server has it. Kept only after an edit, so a form filled from
 * the server is not kept until someone changes it.
 */
export function keepForm(form, key) {
	const at = () => KEEP_PREFIX + (typeof key === 'function' ? key() : key);
	const save = () => {
		const k = at();
		const me = currentUser();
		writeJson(k, { user: me ? me.id : null, values: keptValues(form),
		    at: new Date().toISOString() });
	};
	form.addEventListener('input', save);
	form.addEventListener('change', save);
	return {
		save,
		clear: () => writeJson(at(), null),
		restore() {
			const d = readJson(at());
			const me = currentUser();
			if (!d || !d.values || (d.user !== null && d.user !== undefined &&
			    (!me || me.id !== d.user)))
				return null;
			for (const c of form.elements) {
				if (!c.name || !(c.name in d.values) || c.type === 'password')
					continue;
				const v = d.values[c.name];
				if (c.type === 'checkbox' || c.type === 'radio') {
					c.checked = Array.isArray(v) && v.includes(c.value);
				} else {
					c.value = v;
					if (c.tagName === 'SELECT' && c.value !== v && v)
						c.dataset.wanted = v;
				}
			}
			refreshCounters(form);
			return d;
		},
	};
}

/*
 * The session ended while the person did what: it was not done. Goes to
 * the sign-in page and back here afterwards, where resumeNote() says so;
 * what the forms held is kept by keepForm() (or the page's own draft).
 */
export function signInAgain(what = '') {
	const me = currentUser();
	writeJson(RESUME_KEY, { path: location.pathname + location.search, what,
	    user: me ? me.id : null, at: Date.now() });
	location.assign(loginUrl());
}

/* The sign-in page's view of it: {path, what, at}, or null; nothing is
 * taken away. */
export function pendingResume() {
	const r = readJson(RESUME_KEY);
	return r && Date.now() - r.at < 24 * 3600e3 ? r : null;
}

/* Signed in to go elsewhere: the page left undone will not say it. */
export function dropResume() {
	writeJson(RESUME_KEY, null);
}

/*
 * On a page that signInAgain() left: the sentence saying what was not
 * done and that what was typed is kept, once; null anywhere else (or for
 * another user, who finds nothing of the first one's).
 */
export function resumeNote() {
	const r = pendingResume();
	if (!r || r.path !== location.pathname + location.search)
		return null;
	writeJson(RESUME_KEY, null);
	const me = currentUser();
	if (r.user !== null && r.user !== undefined && (!me || me.id !== r.user))
		return null;
	const text = r.what ? `登录过期，“${r.what}”没有完成。已重新登录，填写的内容都已保留：` +
	    '请看一下现在的情况，再决定是否重新操作。' :
	    '登录过期后已重新登录，填写的内容都已保留。';
	resumeShown = { what: r.what || '', text };
	return text;
}

let resumeShown = null;         /* the note resumeNote() gave, while shown */

/*
 * The action resumeNote() said was not done has now been done (what: the
 * name given to signInAgain(); none: whatever it was): its note goes from
 * every status line and toast showing it, instead of warning on beside
 * the success.
 */
export function resumeDone(what = '') {
	if (!resumeShown || (what && resumeShown.what && what !== resumeShown.what))
		return;
	const { text } = resumeShown;
	resumeShown = null;
	for (const n of document.querySelectorAll('.msg'))
		if (n.textContent.includes(text))
			say(n, '');
	for (const n of document.querySelectorAll('[data-toast]'))
		if (n.textContent.includes(text))
			n.remove();
}

/* ---------------------------------------------------------------------
 * Start-up: every page that loads this module gets the shared form
 * behaviour, the badge, the flush triggers and the service worker.
 */

if (typeof window !== 'undefined' && !window.__swnApi) {
	window.__swnApi = true;
	enhance(document);
	new MutationObserver((changes) => {
		for (const ch of changes)
			for (const n of ch.addedNodes)
				if (n.nodeType === 1)
					enhance(n);
	}).observe(document.documentElement, { childList: true, subtree: true });
	document.addEventListener('input', onEdit, true);
	document.addEventListener('change', onEdit, true);

	initBadges();
	window.addEventListener('online', () => flush());
	window.addEventListener('offline', renderBadges);
	window.addEventListener('storage', (e) => {
		if (e.key === OUTBOX_KEY) {
			renderBadges();
			emit('outbox:change', { box: loadBox() });
		}
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
