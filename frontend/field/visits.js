/*
 * 走访慰问: the volunteers' visit log (POST/GET/PATCH/DELETE /api/v1/visits).
 * The shared page behaviour of docs/pages.md comes from api.js.
 *
 * - One form, filled with one thumb: the kind as three big buttons (a
 *   hidden input "kind" holds the choice, so readForm(), fillForm() and
 *   showProblem() of api.js treat it like any field), today (Asia/Shanghai)
 *   and the volunteer's own unit by default, the official categories from
 *   GET /visits/categories (loadOptions(): kept for the next visit, loading
 *   shown, 重试), money in yuan. Fields that do not apply to the kind are
 *   hidden and disabled, so readForm() and checkForm() leave them out; the
 *   controls say their rules as attributes, and checkForm() shows every
 *   problem at once in the server's words, with or without a network.
 * - Location only when the person taps "记录位置" and the browser has
 *   asked for consent; "清除位置" forgets it.
 * - Everything typed is kept as a draft in localStorage at every keystroke
 *   and put back after a reload, for the volunteer who typed it (a phone
 *   may be shared; 退出 in the header signs out). The day is today's
 *   when the page opens, unless the volunteer chose one earlier the same
 *   day: a draft or a choice left yesterday does not log today's visits
 *   under yesterday. A day other than today says so beside the field
 *   (notTodayNote()). New visits go
 *   through the outbox
 *   (api.js submit()): stored before they are sent, sent once with their
 *   Idempotency-Key when there is a network; a delivery redraws the list,
 *   never the form.
 * - "我的走访": the caller's visits (created_by=me) with today's totals of
 *   visits, people and money, the outbox's waiting visits included and
 *   marked with the time they were saved. A visit can be changed within
 *   the API's window (7 days for its creator; staff and admins at any
 *   time); a change needs a network (PATCH with If-Match) and stays in the
 *   draft until it is saved. Staff and admins may delete one, after a
 *   question naming what that takes out of the figures.
 */
import {
	api, busy, cachedCopy, cachedGet, checkForm, clearProblem, confirmStep, el,
	formatTime, formatYuan, listStatus, loadLocal, loadOptions,
	loadUnitOptions, loginUrl, message, outboxState, queuedText, readForm,
	refreshCounters, saveLocal, say, showProblem, showSignedIn, submit, toFen,
	toast, todayShanghai, notTodayNote,
} from '/assets/api.js';

const PATH = '/api/v1/visits';
const DRAFT_KEY = 'swn.visits.draft.v1';
const KIND = {
	enterprise: '走访企业',
	worker: '慰问职工',
	medical_frontline: '慰问一线医务人员',
};
/* What a new visit keeps from the one before: a volunteer logs a round of
 * visits of one kind, for one unit (and on the day they chose, if any). */
const KEPT = ['kind', 'unit_id'];
const OFFLINE_NOTE = '当前没有网络。新登记的走访会保存在本机，联网后自动发送。';

const $ = (id) => document.getElementById(id);
const form = $('visit-form');
const pageMsg = $('page-msg');
const dayNote = notTodayNote($('v-day'), $('v-day-note'));
const submitBtn = $('submit');

let me = null;
let categories = [];            /* [{code, label}] */
let editing = null;             /* {id, version} while changing a visit */
let mine = [];                  /* the caller's visits from the server */
let todays = [];                /* of those, the ones visited today */
let stale = false;
/* The day the volunteer picked for new visits, and the day they picked
 * it on; null: today, whichever day that is while the page is open. A
 * choice holds for the rest of the day it was made on only: the next
 * morning's visits are today's again (a day picked once must not log a
 * week of visits under it). */
let chosenDay = null;
let chosenOn = null;

/* A choice made on an earlier day is forgotten. */
function forgetOldChoice() {
	if (chosenDay && chosenOn !== todayShanghai()) {
		chosenDay = null;
		chosenOn = null;
	}
}

/* ---- The kind and what it shows ---- */

function kind() {
	return $('v-kind').value;
}

function setKind(k) {
	$('v-kind').value = KIND[k] ? k : '';
	for (const b of form.querySelectorAll('[data-visit-kind]'))
		b.setAttribute('aria-checked', String(b.dataset.visitKind === kind()));
	for (const box of form.querySelectorAll('[data-for-kind]')) {
		const on = box.dataset.forKind === kind();
		box.hidden = !on;
		for (const c of box.querySelectorAll('input, select, textarea'))
			c.disabled = !on;
	}
	/* Nobody need be counted when an enterprise was visited; before a
	 * kind is chosen, the kind is what is missing (as the server says). */
	const ent = kind() === 'enterprise';
	$('v-people-text').textContent = ent ? '慰问职工人次（可不填）' : '慰问人次';
	$('v-people-req').hidden = ent;
	$('v-people').required = kind() !== '' && !ent;
	$('v-people').dataset.min = ent ? '0' : '1';
}

/* A choice is an edit of the field "kind": its error goes (api.js), the
 * draft keeps it. */
function chooseKind(k) {
	setKind(k);
	$('v-kind').dispatchEvent(new Event('change', { bubbles: true }));
}

for (const b of form.querySelectorAll('[data-visit-kind]'))
	b.addEventListener('click', () => chooseKind(b.dataset.visitKind));

/* Arrow keys move the choice, as in any radio group. */
form.querySelector('.kinds').addEventListener('keydown', (e) => {
	const keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
	if (!keys[e.key])
		return;
	const list = [...form.querySelectorAll('[data-visit-kind]')];
	const i = Math.max(0, list.findIndex((b) => b.dataset.visitKind === kind()));
	const next = list[(i + keys[e.key] + list.length) % list.length];
	chooseKind(next.dataset.visitKind);
	next.focus();
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

/* Each user's own draft: the next volunteer on this phone starts afresh. */
const draftKey = () => (me ? `${DRAFT_KEY}:${me.id}` : DRAFT_KEY);

function saveDraft() {
	saveLocal(draftKey(), { values: formValues(), editing, chosenDay, chosenOn,
	    savedAt: new Date().toISOString() });
}

/* The draft of this user; one kept before drafts had owners is taken over
 * by whoever opens the page first. */
function loadDraft() {
	const own = loadLocal(draftKey());
	if (own || !me)
		return own;
	const old = loadLocal(DRAFT_KEY);
	saveLocal(DRAFT_KEY, null);
	return old;
}

function setValues(values) {
	for (const c of form.elements) {
		if (!c.name || c.type === 'button' || c.type === 'submit')
			continue;
		const v = String(values[c.name] ?? '');
		c.value = v;
		/* A list not come yet picks it when it comes (loadOptions()). */
		if (c.tagName === 'SELECT' && c.value !== v && v)
			c.dataset.wanted = v;
		else
			delete c.dataset.wanted;
	}
	setKind(values.kind || '');
	showLocation();
	refreshCounters(form);
	dayNote();
}

/* A day the person picks stays for the visits that follow (not a change
 * of a visit already logged); emptied, the day follows today again. */
function dayPicked() {
	if (!editing) {
		chosenDay = $('v-day').value || null;
		chosenOn = chosenDay ? todayShanghai() : null;
	}
}
$('v-day').addEventListener('input', dayPicked);
$('v-day').addEventListener('change', dayPicked);
form.addEventListener('input', saveDraft);
form.addEventListener('change', saveDraft);

/* The fields a new visit starts with: the kept ones, the chosen day or
 * today, own unit. */
function freshValues(from = {}) {
	const v = {};
	for (const k of KEPT)
		if (from[k])
			v[k] = from[k];
	forgetOldChoice();
	v.visited_on = chosenDay || todayShanghai();
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

/* The caller's unit first and chosen, then the units below it. */
function loadUnits() {
	return loadUnitOptions($('v-unit'), { root: me.unit_id });
}

function loadCategories() {
	return loadOptions($('v-category'), { path: `${PATH}/categories`,
	    what: '慰问对象类别', options: (data) => {
		categories = (data && data.items) || [];
		return categories.map((c) => [c.code, c.label]);
	} });
}

function categoryLabel(code) {
	const c = categories.find((x) => x.code === code);
	return c ? c.label : code;
}

/* ---- The body, as the API wants it, and the rules no attribute says ---- */

/* readForm() trims, and normalises by data-kind: the count as a number,
 * amounts without 元 or commas, the credit code in capitals. */
function buildBody() {
	return readForm(form);
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
 * What checkForm() cannot see from attributes (API.md "Winter visits"):
 * a kind must be chosen, and no visit lies in the future (the server's
 * own words for that rule). The server stays the judge.
 */
function ruleProblems() {
	const errors = [];
	if (!kind()) {
		errors.push({ field: 'kind', code: 'required',
		    message: message('required', { kind: 'choice', label: '走访类型' }) });
	}
	const day = $('v-day').value;
	if (day && day > todayShanghai())
		errors.push({ field: 'visited_on', code: 'out_of_range', message: '走访日期不能晚于今天' });
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

/* A visit in the list: v a record of the server's, or with entry the
 * body of one still waiting in the outbox. */
function visitItem(v, entry = null) {
	const money = fen(v.cash_amount) + fen(v.goods_value);
	const edit = !entry && canEdit(v) ? el('button', {
		type: 'button', class: 'btn small secondary', text: '修改',
		'aria-label': `修改 ${v.visited_on} 的走访`,
	}) : null;
	edit?.addEventListener('click', () => startEdit(v.id, edit));
	const del = !entry && me && me.role !== 'volunteer' ? el('button', {
		type: 'button', class: 'btn small secondary', text: '删除',
		'aria-label': `删除 ${v.visited_on} 的走访`,
	}) : null;
	del?.addEventListener('click', () => remove(v, del));
	return el('li', { 'data-visit': entry ? 'pending' : String(v.id) },
	    el('div', { class: 'name' }, KIND[v.kind] || v.kind,
	        entry ? el('span', { class: 'tag pending', text: '待发送' }) : null),
	    describe(v) ? el('div', { class: 'cat', text: describe(v) }) : null,
	    el('div', { class: 'meta',
	        text: `${v.visited_on} · ${v.people_count ?? 0} 人次 · 款物 ${formatYuan(money)} 元` }),
	    entry ? el('div', { class: 'meta', 'data-saved-at': '',
		text: `保存于 ${formatTime(entry.createdAt, 'short')}，等待发送` }) : null,
	    edit || del ? el('div', { class: 'actions' }, edit, del) : null);
}

function render() {
	const today = todayShanghai();
	const pending = pendingVisits();
	const list = $('visit-list');
	list.textContent = '';
	for (const e of [...pending].reverse())
		list.append(visitItem(e.body, e));
	for (const v of mine)
		list.append(visitItem(v));
	$('list-empty').hidden = list.children.length > 0 ||
	    list.nextElementSibling?.matches('[data-list-status]');

	const waiting = pending.map((e) => e.body).filter((b) => b.visited_on === today);
	const all = [...todays, ...waiting];
	$('t-day').textContent = today;
	$('t-count').textContent = String(all.length);
	$('t-people').textContent = String(all.reduce((s, v) => s + (Number(v.people_count) || 0), 0));
	$('t-money').textContent = formatYuan(all.reduce((s, v) => s + fen(v.cash_amount) + fen(v.goods_value), 0));
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

const recentPath = () => `${PATH}?created_by=me&limit=30`;

/* The caller's visits and today's, from the server (the kept copies
 * without a network); loading shows under the list when nothing is kept
 * yet, and a failure offers 重试. */
async function loadMine() {
	const seq = ++loadSeq;
	const today = todayShanghai();
	const list = $('visit-list');
	if (!mine.length && !cachedCopy(recentPath()))
		listStatus(list, '正在加载我的走访…', 'loading');
	try {
		const [recent, day] = await Promise.all([
			cachedGet(recentPath()),
			pages(`${PATH}?created_by=me&from=${today}&to=${today}&limit=200`),
		]);
		if (seq !== loadSeq)
			return;
		mine = recent.data.items || [];
		todays = day.items;
		stale = recent.stale || day.stale;
		listStatus(list, '');
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
		if (!mine.length) {
			listStatus(list, err.network ? '没有网络，我的走访没有加载成功' :
			    `我的走访没有加载成功（${err.message}）`, 'error', () => loadMine());
		}
	}
	render();
}

let reloadTimer = null;

function reloadSoon() {
	clearTimeout(reloadTimer);
	reloadTimer = setTimeout(loadMine, 300);
}

$('refresh').addEventListener('click', async () => {
	const done = busy($('refresh'));
	try {
		await loadMine();
	} finally {
		done();
	}
});

/* ---- Deleting a visit (staff, admin) ---- */

async function remove(v, button) {
	const what = describe(v) ? `（${describe(v)}）` : '';
	if (!(await confirmStep({
		title: `删除 ${v.visited_on} 的${KIND[v.kind] || '走访'}记录？`,
		consequence: [
			`这次走访${what}的 ${v.people_count ?? 0} 人次和款物 ` +
			    `${formatYuan(fen(v.cash_amount) + fen(v.goods_value))} 元将不再计入统计表。`,
			'删除后列表中不再显示，也不能再修改；审计记录中仍保留原样。',
		],
		yes: '确定删除',
	})))
		return;
	const done = busy(button, '正在删除…');
	try {
		await api('DELETE', `${PATH}/${v.id}`, undefined,
		    { headers: { 'If-Match': `"${v.version}"` } });
		toast(`已删除 ${v.visited_on} 的走访记录`, 'ok');
		await loadMine();
	} catch (err) {
		done();
		if (err.status === 412) {
			toast('这条记录刚被别人修改过，请看一下新内容再决定。', 'error');
			loadMine();
			return;
		}
		toast(err.network ? '没有网络，没有删除。请联网后再试。' : err.message, 'error');
	}
}

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

async function startEdit(id, button = null) {
	const done = busy(button, '正在打开…');
	let v;
	try {
		v = await api('GET', `${PATH}/${id}`);
	} catch (err) {
		toast(err.network ? '修改需要联网，请联网后再试。' : err.message, 'error');
		return;
	} finally {
		done();
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
	try {
		await api('PATCH', `${PATH}/${editing.id}`, body,
		    { headers: { 'If-Match': `"${editing.version}"` } });
	} catch (err) {
		if (err.network) {
			toast('没有网络，修改没有保存。填写的内容留在本机，联网后再点“保存修改”。', 'warn');
			return;
		}
		if (err.status === 412) {
			toast('这条记录刚被别人修改过。请看一下表单里的新内容，再决定是否修改。', 'error');
			await startEdit(editing.id);
			return;
		}
		if (err.status === 403 || err.status === 404) {
			toast(err.message, 'error');
			return;
		}
		showProblem(form, err, { codeFields: { forbidden: 'unit_id' } });
		return;
	}
	newVisit(formValues());
	toast('修改已保存。', 'ok');
	loadMine();
}

/* ---- Saving a new visit ---- */

form.addEventListener('submit', async (e) => {
	e.preventDefault();
	if (submitBtn.disabled)
		return;
	saveDraft();
	/* Every problem the phone can see, all at once, network or not. */
	if (!checkForm(form, ruleProblems()))
		return;
	const done = busy(submitBtn, editing ? '正在保存修改…' : null);
	try {
		if (editing) {
			await saveEdit();
			return;
		}
		const body = buildBody();
		const r = await submit(PATH, body,
		    { label: `${KIND[body.kind] || '走访'} ${body.visited_on || ''}`.trim() });
		newVisit(body);
		if (r.queued) {
			toast(`${queuedText(r.reason)}（待发送 ${pendingVisits().length} 条）`, 'warn');
			render();
		} else {
			toast('走访记录已保存。', 'ok');
			loadMine();
		}
		window.scrollTo(0, 0);
	} catch (err) {
		/* Refused by the server: the form keeps what was typed. */
		showProblem(form, err, { codeFields: { forbidden: 'unit_id' } });
	} finally {
		done();
		setEditing(editing);    /* the button's words follow the form's state */
	}
});

/* ---- The outbox's news ---- */

window.addEventListener('outbox:sent', (e) => {
	if (e.detail.entry.path === PATH)
		reloadSoon();
});
window.addEventListener('outbox:failed', (e) => {
	if (e.detail.entry.path !== PATH)
		return;
	toast(`“${e.detail.entry.label}”没有被服务器接受，请看页面顶部“需要处理”。`, 'error');
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
/* The outbox changed (here or in another tab): redrawn only when the
 * waiting visits did, so a retry does not rebuild the list under a tap. */
let shownPending = null;
window.addEventListener('outbox:change', () => {
	const key = JSON.stringify(pendingVisits().map((e) => [e.id, e.body]));
	if (key === shownPending)
		return;
	shownPending = key;
	render();
});

/* ---- Start ---- */

async function start() {
	me = await loadMe();
	if (!me)
		return;
	showSignedIn(me);
	$('v-day').max = todayShanghai();
	loadUnits();
	loadCategories();
	const d = loadDraft();
	if (d && d.values) {
		/* A change of a logged visit keeps its day; a new one has the day
		 * chosen for it, else today's (a draft may be days old). */
		chosenDay = d.chosenDay || null;
		chosenOn = d.chosenOn || null;
		forgetOldChoice();
		const values = { ...freshValues(), ...d.values };
		if (!d.editing)
			values.visited_on = chosenDay || todayShanghai();
		setEditing(d.editing || null);
		setValues(values);
		saveDraft();
	} else {
		newVisit({});
	}
	if (stale)
		say(pageMsg, OFFLINE_NOTE, 'warn');
	mine = (cachedCopy(recentPath()) || {}).items || [];
	render();
	await loadMine();
}

/* A page left open overnight: a day nobody chose follows the clock. */
document.addEventListener('visibilitychange', () => {
	if (document.visibilityState !== 'visible' || !me)
		return;
	$('v-day').max = todayShanghai();
	forgetOldChoice();
	if (!editing && !chosenDay && $('v-day').value !== todayShanghai()) {
		$('v-day').value = todayShanghai();
		dayNote();
		saveDraft();
	}
	render();
});

setKind('');
start();
