/*
 * 走访慰问: the volunteers' visit log (POST/GET/PATCH /api/v1/visits).
 *
 * - One form, filled with one thumb: the kind as three big buttons (a
 *   hidden input "kind" holds the choice, so readForm(), fillForm() and
 *   showProblem() of api.js treat it like any field), today and the
 *   volunteer's own unit by default, the official categories from
 *   GET /visits/categories, money in yuan. Fields that do not apply to the
 *   kind are hidden and disabled, so readForm() leaves them out.
 * - Location only when the person taps "记录位置" and the browser has
 *   asked for consent; "清除位置" forgets it.
 * - Everything typed is kept as a draft in localStorage at every keystroke
 *   and put back after a reload. New visits go through the outbox
 *   (api.js submit()): stored before they are sent, sent once with their
 *   Idempotency-Key when there is a network.
 * - "我的走访": the caller's visits (created_by=me) with today's totals of
 *   visits, people and money, the outbox's waiting visits included and
 *   marked. A visit can be changed within the API's window (7 days for
 *   its creator; staff and admins at any time); a change needs a network
 *   (PATCH with If-Match) and stays in the draft until it is saved.
 */
import {
	api, cachedGet, clearProblem, el, loginUrl, outboxState, readForm, say,
	showProblem, submit,
} from '/assets/api.js';
import { normalizeAmount, toFen, todayShanghai, yuan } from '/help/wage.js';

const PATH = '/api/v1/visits';
const DRAFT_KEY = 'swn.visits.draft.v1';
const KIND = {
	enterprise: '走访企业',
	worker: '慰问职工',
	medical_frontline: '慰问一线医务人员',
};
/* What a new visit keeps from the one before: a volunteer logs a round of
 * visits of one kind, on one day, for one unit. */
const KEPT = ['kind', 'visited_on', 'unit_id'];
const OFFLINE_NOTE = '当前没有网络。新登记的走访会保存在本机，联网后自动发送。';

const $ = (id) => document.getElementById(id);
const form = $('visit-form');
const pageMsg = $('page-msg');
const submitBtn = $('submit');

let me = null;
let categories = [];            /* [{code, label}] */
let editing = null;             /* {id, version} while changing a visit */
let mine = [];                  /* the caller's visits from the server */
let todays = [];                /* of those, the ones visited today */
let stale = false;

function load(key, fallback) {
	try {
		const v = JSON.parse(localStorage.getItem(key));
		return v === null ? fallback : v;
	} catch (e) {
		return fallback;
	}
}

function store(key, value) {
	try {
		if (value === null)
			localStorage.removeItem(key);
		else
			localStorage.setItem(key, JSON.stringify(value));
	} catch (e) { /* storage off or full: the page still works */ }
}

/* ---- The kind and what it shows ---- */

function kind() {
	return $('v-kind').value;
}

function setKind(k) {
	$('v-kind').value = KIND[k] ? k : '';
	for (const b of form.querySelectorAll('[data-kind]'))
		b.setAttribute('aria-checked', String(b.dataset.kind === kind()));
	for (const box of form.querySelectorAll('[data-for-kind]')) {
		const on = box.dataset.forKind === kind();
		box.hidden = !on;
		for (const c of box.querySelectorAll('input, select, textarea'))
			c.disabled = !on;
	}
	const ent = kind() === 'enterprise';
	$('v-people-text').textContent = ent ? '慰问职工人次（可不填）' : '慰问人次';
	$('v-people-req').hidden = ent;
}

for (const b of form.querySelectorAll('[data-kind]')) {
	b.addEventListener('click', () => {
		setKind(b.dataset.kind);
		saveDraft();
	});
}

/* Arrow keys move the choice, as in any radio group. */
form.querySelector('.kinds').addEventListener('keydown', (e) => {
	const keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
	if (!keys[e.key])
		return;
	const list = [...form.querySelectorAll('[data-kind]')];
	const i = Math.max(0, list.findIndex((b) => b.dataset.kind === kind()));
	const next = list[(i + keys[e.key] + list.length) % list.length];
	setKind(next.dataset.kind);
	next.focus();
	saveDraft();
	e.preventDefault();
});

/* ---- Location, only on request ---- */

function showLocation() {
	const lat = $('v-lat').value;
	const lng = $('v-lng').value;
	const set = lat !== '' && lng !== '';
	const where = $('v-where');
	where.textContent = set ? `已记录位置：纬度 ${lat}，经度 ${lng}` : '未记录位置';
	where.classList.toggle('set', set);
	$('unlocate').hidden = !set;
}

$('locate').addEventListener('click', () => {
	const where = $('v-where');
	if (!navigator.geolocation) {
		where.textContent = '这部手机的浏览器不能定位，可以不记录位置。';
		return;
	}
	$('locate').disabled = true;
	where.textContent = '正在定位…';
	navigator.geolocation.getCurrentPosition((pos) => {
		$('v-lat').value = pos.coords.latitude.toFixed(6);
		$('v-lng').value = pos.coords.longitude.toFixed(6);
		$('locate').disabled = false;
		showLocation();
		saveDraft();
	}, (err) => {
		$('locate').disabled = false;
		showLocation();
		where.textContent = err.code === err.PERMISSION_DENIED ?
		    '没有定位权限，未记录位置（可以不记录）。' :
		    '暂时无法定位，未记录位置。可以稍后再试，或不记录。';
	}, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
});

$('unlocate').addEventListener('click', () => {
	$('v-lat').value = '';
	$('v-lng').value = '';
	showLocation();
	saveDraft();
});

/* ---- Draft: every keystroke, put back after a reload ---- */

function formValues() {
	const values = {};
	for (const c of form.elements)
		if (c.name && c.value !== '')
			values[c.name] = c.value;
	return values;
}

function saveDraft() {
	store(DRAFT_KEY, { values: formValues(), editing,
	    savedAt: new Date().toISOString() });
}

function setValues(values) {
	for (const c of form.elements) {
		if (!c.name || c.type === 'button' || c.type === 'submit')
			continue;
		c.value = values[c.name] ?? '';
	}
	setKind(values.kind || '');
	showLocation();
}

form.addEventListener('input', saveDraft);
form.addEventListener('change', saveDraft);

/* The fields a new visit starts with: the kept ones, today, own unit. */
function freshValues(from = {}) {
	const v = {};
	for (const k of KEPT)
		if (from[k])
			v[k] = from[k];
	v.visited_on = v.visited_on || todayShanghai();
	if (!v.unit_id && me)
		v.unit_id = String(me.unit_id);
	return v;
}

function setEditing(e) {
	editing = e;
	$('form-title').textContent = e ? '修改走访记录' : '登记走访';
	$('cancel-edit').hidden = !e;
	submitBtn.textContent = e ? '保存修改' : '保存走访记录';
}

function newVisit(from) {
	setEditing(null);
	clearProblem(form);
	setValues(freshValues(from));
	saveDraft();
}

$('cancel-edit').addEventListener('click', () => {
	newVisit(formValues());
	say(pageMsg, '');
});

/* ---- What the page needs from the server ---- */

async function loadMe() {
	try {
		const r = await cachedGet('/api/v1/me');
		stale = stale || r.stale;
		return r.data;
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return null;
		}
		say(pageMsg, err.network ? '当前没有网络，请联网后打开本页一次，之后没有网络也能登记。' :
		    `无法加载：${err.message}`, 'error');
		return null;
	}
}

/* The caller's unit and the units below it, in tree order. */
async function loadUnits() {
	const sel = $('v-unit');
	let items = [];
	try {
		items = (await cachedGet('/api/v1/units')).data.items || [];
	} catch (e) { /* offline on a first visit: the own unit only */ }
	const kids = new Map();
	for (const u of items) {
		if (!kids.has(u.parent_id))
			kids.set(u.parent_id, []);
		kids.get(u.parent_id).push(u);
	}
	const keep = sel.value || String(me.unit_id);
	sel.textContent = '';
	const own = items.find((u) => u.id === me.unit_id);
	const walk = (u, depth) => {
		sel.append(new Option('　'.repeat(depth) + u.name, String(u.id)));
		for (const k of (kids.get(u.id) || []).sort((a, b) => a.id - b.id))
			walk(k, depth + 1);
	};
	if (own)
		walk(own, 0);
	else
		sel.append(new Option('本单位', String(me.unit_id)));
	sel.value = keep;
	if (sel.value !== keep)
		sel.value = String(me.unit_id);
}

async function loadCategories() {
	const sel = $('v-category');
	try {
		categories = (await cachedGet('/api/v1/visits/categories')).data.items || [];
	} catch (e) {
		say(pageMsg, '没有网络，慰问对象类别暂时无法加载，请联网后刷新。', 'warn');
		return;
	}
	const keep = sel.value;
	while (sel.options.length > 1)
		sel.remove(1);
	for (const c of categories)
		sel.append(new Option(c.label, c.code));
	sel.value = keep;
}

function categoryLabel(code) {
	const c = categories.find((x) => x.code === code);
	return c ? c.label : code;
}

/* ---- The body, as the API wants it ---- */

function digits(s) {
	return String(s ?? '').replace(/[０-９]/g,
	    (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\s/g, '');
}

function buildBody() {
	const body = readForm(form);
	if (body.people_count !== undefined) {
		const d = digits(body.people_count);
		body.people_count = /^\d+$/.test(d) ? Number(d) : d;
	}
	for (const f of ['cash_amount', 'goods_value'])
		if (body[f] !== undefined)
			body[f] = normalizeAmount(body[f]);
	if (body.enterprise_credit_code)
		body.enterprise_credit_code = body.enterprise_credit_code.toUpperCase();
	return body;
}

/* A change names every field the form shows: an emptied optional field
 * is cleared (null), emptied amounts are 0. */
function buildPatch() {
	const body = buildBody();
	const k = kind();
	if (k !== 'worker')
		body.category = null;
	if (k === 'enterprise') {
		body.enterprise_name = body.enterprise_name ?? null;
		body.enterprise_credit_code = body.enterprise_credit_code ?? null;
		body.people_count = body.people_count ?? 0;
	}
	body.cash_amount = body.cash_amount ?? '0';
	body.goods_value = body.goods_value ?? '0';
	body.location = body.location ?? null;
	body.note = body.note ?? null;
	return body;
}

/*
 * What the phone can check by itself, for a visit saved without a network
 * (and for a change, which is sent whole): the server stays the judge.
 */
function localProblems(body) {
	const errors = [];
	const err = (field, code, message) => errors.push({ field, code, message });
	if (!body.kind)
		err('kind', 'required', '请选择走访类型');
	if (!body.visited_on)
		err('visited_on', 'required', '请填写走访日期');
	else if (body.visited_on > todayShanghai())
		err('visited_on', 'out_of_range', '走访日期不能晚于今天');
	if (body.kind === 'worker' && !body.category)
		err('category', 'required', '慰问职工须选择慰问对象类别');
	if (body.kind === 'enterprise' && !body.enterprise_name)
		err('enterprise_name', 'required', '走访企业须填写企业名称');
	const p = body.people_count;
	if (body.kind && body.kind !== 'enterprise' && p === undefined)
		err('people_count', 'required', '请填写慰问人次');
	else if (p !== undefined && (typeof p !== 'number' || p > 10000 ||
	    (p < 1 && body.kind !== 'enterprise')))
		err('people_count', 'out_of_range', '慰问人次应为 1 到 10000 的整数');
	for (const f of ['cash_amount', 'goods_value'])
		if (body[f] !== undefined && toFen(body[f]) === null)
			err(f, 'format', '金额应为数字，最多两位小数，例如 500 或 120.50');
	return errors;
}

/* ---- My visits and today's totals ---- */

function pendingVisits() {
	return outboxState().pending.filter((e) => e.path === PATH);
}

function fen(s) {
	return toFen(s ?? 0) ?? 0;
}

function canEdit(v) {
	if (!me)
		return false;
	if (me.role !== 'volunteer')
		return true;
	return v.created_by === me.id && Date.parse(v.editable_until) > Date.now();
}

function describe(v) {
	if (v.kind === 'enterprise')
		return v.enterprise_name || KIND.enterprise;
	if (v.kind === 'worker')
		return v.category ? `${v.category} ${categoryLabel(v.category)}` : KIND.worker;
	return null;
}

function visitItem(v, pending) {
	const money = fen(v.cash_amount) + fen(v.goods_value);
	const edit = !pending && canEdit(v) ? el('button', {
		type: 'button', class: 'btn small secondary', text: '修改',
		'aria-label': `修改 ${v.visited_on} 的走访`,
		onclick: () => startEdit(v.id),
	}) : null;
	return el('li', { 'data-visit': pending ? 'pending' : String(v.id) },
	    el('div', { class: 'name' }, KIND[v.kind] || v.kind,
	        pending ? el('span', { class: 'tag pending', text: '待发送' }) : null),
	    describe(v) ? el('div', { class: 'cat', text: describe(v) }) : null,
	    el('div', { class: 'meta',
	        text: `${v.visited_on} · ${v.people_count ?? 0} 人次 · 款物 ${yuan(money)} 元` }),
	    edit ? el('div', { class: 'actions' }, edit) : null);
}

function render() {
	const today = todayShanghai();
	const pending = pendingVisits();
	const list = $('visit-list');
	list.textContent = '';
	for (const e of [...pending].reverse())
		list.append(visitItem(e.body, true));
	for (const v of mine)
		list.append(visitItem(v, false));
	$('list-empty').hidden = list.children.length > 0;

	const waiting = pending.map((e) => e.body).filter((b) => b.visited_on === today);
	const all = [...todays, ...waiting];
	$('t-day').textContent = today;
	$('t-count').textContent = String(all.length);
	$('t-people').textContent = String(all.reduce((s, v) => s + (Number(v.people_count) || 0), 0));
	$('t-money').textContent = yuan(all.reduce((s, v) => s + fen(v.cash_amount) + fen(v.goods_value), 0));
	$('t-pending').hidden = waiting.length === 0;
	$('t-pending').textContent = `其中 ${waiting.length} 次还在本机等待发送。`;
	$('t-stale').hidden = !stale;
}

let loadSeq = 0;

/* Every page of a list (today's visits are few; the cap is a guard). */
async function pages(path) {
	const first = await cachedGet(path);
	let items = first.data.items || [];
	let cursor = first.data.next_cursor;
	for (let i = 0; cursor && i < 20; i++) {
		const r = await api('GET', `${path}&cursor=${encodeURIComponent(cursor)}`);
		items = items.concat(r.items);
		cursor = r.next_cursor;
	}
	return { items, stale: first.stale };
}

async function loadMine() {
	const seq = ++loadSeq;
	const today = todayShanghai();
	try {
		const [recent, day] = await Promise.all([
			cachedGet(`${PATH}?created_by=me&limit=30`),
			pages(`${PATH}?created_by=me&from=${today}&to=${today}&limit=200`),
		]);
		if (seq !== loadSeq)
			return;
		mine = recent.data.items || [];
		todays = day.items;
		stale = recent.stale || day.stale;
		/* Back online: the note about the network is old news. */
		if (!stale && pageMsg.textContent === OFFLINE_NOTE)
			say(pageMsg, '');
	} catch (err) {
		if (seq !== loadSeq)
			return;
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		stale = true;
	}
	render();
}

let reloadTimer = null;

function reloadSoon() {
	clearTimeout(reloadTimer);
	reloadTimer = setTimeout(loadMine, 300);
}

$('refresh').addEventListener('click', () => loadMine());

/* ---- Changing a visit ---- */

function valuesOf(v) {
	const values = {
		kind: v.kind, visited_on: v.visited_on, unit_id: String(v.unit_id),
		category: v.category || '', enterprise_name: v.enterprise_name || '',
		enterprise_credit_code: v.enterprise_credit_code || '',
		people_count: String(v.people_count), cash_amount: v.cash_amount,
		goods_value: v.goods_value, note: v.note || '',
	};
	if (v.location) {
		values['location.lat'] = String(v.location.lat);
		values['location.lng'] = String(v.location.lng);
	}
	return values;
}

async function startEdit(id) {
	say(pageMsg, '');
	let v;
	try {
		v = await api('GET', `${PATH}/${id}`);
	} catch (err) {
		say(pageMsg, err.network ? '修改需要联网，请联网后再试。' : err.message, 'error');
		return;
	}
	clearProblem(form);
	setEditing({ id: v.id, version: v.version });
	setValues(valuesOf(v));
	saveDraft();
	form.scrollIntoView({ block: 'start' });
	form.querySelector('[aria-checked="true"]')?.focus();
}

async function saveEdit() {
	const body = buildPatch();
	const errors = localProblems(body);
	if (errors.length) {
		showProblem(form, { detail: `有 ${errors.length} 处需要修改`, errors });
		return;
	}
	try {
		await api('PATCH', `${PATH}/${editing.id}`, body,
		    { headers: { 'If-Match': `"${editing.version}"` } });
	} catch (err) {
		if (err.network) {
			say(pageMsg, '没有网络，修改没有保存。填写的内容留在本机，联网后再点“保存修改”。', 'warn');
			return;
		}
		if (err.status === 412) {
			say(pageMsg, '这条记录刚被别人修改过。请看一下下面的新内容，再决定是否修改。', 'error');
			await startEdit(editing.id);
			return;
		}
		if (err.status === 403 || err.status === 404) {
			say(pageMsg, err.message, 'error');
			return;
		}
		showProblem(form, err, { codeFields: { forbidden: 'unit_id' } });
		return;
	}
	newVisit(formValues());
	say(pageMsg, '修改已保存。', 'ok');
	loadMine();
}

/* ---- Saving a new visit ---- */

form.addEventListener('submit', async (e) => {
	e.preventDefault();
	if (submitBtn.disabled)
		return;
	clearProblem(form);
	say(pageMsg, '');
	saveDraft();
	submitBtn.disabled = true;
	try {
		if (editing) {
			await saveEdit();
			return;
		}
		const body = buildBody();
		if (navigator.onLine === false) {
			const errors = localProblems(body);
			if (errors.length) {
				showProblem(form, { detail: `有 ${errors.length} 处需要修改`, errors });
				return;
			}
		}
		const r = await submit(PATH, body,
		    { label: `${KIND[body.kind] || '走访'} ${body.visited_on || ''}`.trim() });
		newVisit(body);
		if (r.queued) {
			say(pageMsg, `已保存在本机，联网后自动发送（待发送 ${pendingVisits().length} 条）。`, 'warn');
			render();
		} else {
			say(pageMsg, '走访记录已保存。', 'ok');
			loadMine();
		}
		window.scrollTo(0, 0);
	} catch (err) {
		/* Refused by the server: the form keeps what was typed. */
		showProblem(form, err, { codeFields: { forbidden: 'unit_id' } });
	} finally {
		submitBtn.disabled = false;
	}
});

/* ---- The outbox's news ---- */

window.addEventListener('outbox:sent', (e) => {
	if (e.detail.entry.path === PATH)
		reloadSoon();
});
window.addEventListener('outbox:failed', (e) => {
	if (e.detail.entry.path === PATH)
		render();
});
/* "放回表单修改" filled the form through the names; the buttons follow. */
window.addEventListener('outbox:restored', (e) => {
	if (e.detail.entry.path !== PATH)
		return;
	setEditing(null);
	setKind(kind());
	showLocation();
	saveDraft();
	render();
});
window.addEventListener('online', () => reloadSoon());
window.addEventListener('storage', (e) => {
	if (e.key === 'swn.outbox.v1')
		render();
});

/* ---- Start ---- */

async function start() {
	me = await loadMe();
	if (!me)
		return;
	for (const n of document.querySelectorAll('[data-me-name]'))
		n.textContent = me.display_name || me.username;
	$('user-box').hidden = false;
	$('v-day').max = todayShanghai();
	await Promise.all([loadUnits(), loadCategories()]);
	const d = load(DRAFT_KEY, null);
	if (d && d.values) {
		setValues({ ...freshValues(), ...d.values });
		setEditing(d.editing || null);
	} else {
		newVisit({});
	}
	if (stale)
		say(pageMsg, OFFLINE_NOTE, 'warn');
	render();
	await loadMine();
}

setKind('');
start();
