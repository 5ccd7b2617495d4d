/*
 * 平安返乡 for volunteers (API.md "Safe return home"; docs/safe-returns.md).
 *
 * - 登记一人 (POST /api/v1/safe-returns) and 整车登记 (POST
 *   /api/v1/safe-returns/batch, passengers as rows named travellers[i].x,
 *   renumbered when a row goes, so an error at travellers[12].phone lands
 *   under that passenger). Both go through the outbox (api.js submit());
 *   what is typed is kept as a draft in localStorage until the server or
 *   the outbox has it.
 * - Arrival codes are in the server's answer only: they stay on this phone
 *   (CODES_KEY) until the volunteer says the traveller has theirs. A
 *   registration delivered while this page was closed is asked for again
 *   with the same Idempotency-Key, and the server replays its answer.
 * - 我的返乡人员: this volunteer's records (GET, a copy kept for offline
 *   use) with what still waits in the outbox laid over them, and one tap
 *   for 已出发 / 已到家 / 取消: a transition with If-Match through the
 *   outbox. A change to a record that itself still waits in the outbox
 *   waits for it (api.js `after`), taking its id and version from the
 *   answer.
 * - 今天出发: people (Σ party_size) leaving today, by status.
 */
import {
	ApiError, api, cachedGet, checkValue, clearProblem, el, loginUrl, message,
	outboxState, readForm, say, showProblem, submit,
} from '/assets/api.js';
import {
	digitsOnly, normalizeAmount, toFen, todayShanghai,
} from '/help/wage.js';

const SINGLE = '/api/v1/safe-returns';
const BATCH = '/api/v1/safe-returns/batch';
const LIST = '/api/v1/safe-returns?limit=200';
const DRAFT_KEY = 'swn.returns.draft.v1';
const PENDING_KEY = 'swn.returns.pending.v1';
const CODES_KEY = 'swn.returns.codes.v1';
const TAB_KEY = 'swn.returns.tab.v1';
const MAX_PASSENGERS = 60;
/* Stored answers are kept at least 24 h: ask again only well within. */
const REPLAY_MS = 20 * 3600e3;

const TRANSPORT = {
	rail: '火车', coach: '长途客车', charter_bus: '包车', air: '飞机',
	self_drive: '自驾', other: '其他',
};
const ASSIST = {
	ticket: '购票', charter_bus: '包车', subsidy: '补贴', gift: '礼包',
	escort: '护送', other: '其他',
};
const STATUS = {
	registered: '已登记', departed: '已出发', arrived: '已到家',
	cancelled: '已取消',
};
const NEXT = { registered: ['departed', 'arrived', 'cancelled'],
    departed: ['arrived'] };
const MOVE_TEXT = { departed: '已出发', arrived: '已到家', cancelled: '取消' };
const PASSENGER_FIELDS = ['name', 'phone', 'id_number', 'party_size',
    'hometown.province', 'hometown.city'];

const $ = (id) => document.getElementById(id);
const single = $('single-form');
const batch = $('batch-form');
const rows = $('passengers');
const pageMsg = $('page-msg');

let me = null;
let units = [];
let provinces = [];
let items = [];                 /* the server's list, newest first */

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

/* ---- Tabs ---- */

const TABS = ['single', 'batch', 'mine'];

function showTab(name) {
	for (const t of TABS) {
		$(`tab-${t}`).setAttribute('aria-selected', String(t === name));
		$(`panel-${t}`).hidden = t !== name;
	}
	try {
		sessionStorage.setItem(TAB_KEY, name);
	} catch (e) { /* no storage: the first tab next time */ }
}

for (const t of TABS)
	$(`tab-${t}`).addEventListener('click', () => showTab(t));

/* ---- Choices: transport, assistance, provinces, units, today ---- */

function fillChoices(root) {
	for (const sel of root.querySelectorAll('select[data-transports]')) {
		if (sel.options.length)
			continue;
		for (const [k, v] of Object.entries(TRANSPORT))
			sel.append(new Option(v, k, false, k === sel.dataset.default));
	}
	for (const box of root.querySelectorAll('[data-assistance]')) {
		if (box.children.length)
			continue;
		const form = box.closest('form');
		for (const [k, v] of Object.entries(ASSIST)) {
			const input = el('input', { type: 'checkbox', name: 'assistance',
			    value: k, 'data-type': 'list', id: `${form.id}-as-${k}` });
			input.checked = k === box.dataset.default;
			box.append(el('label', { class: 'check', for: input.id }, input, v));
		}
	}
	for (const sel of root.querySelectorAll('select[data-provinces]')) {
		const keep = sel.value;
		while (sel.options.length > 1)
			sel.remove(1);
		for (const p of provinces)
			sel.append(new Option(p.name, p.name));
		sel.value = keep;
	}
	for (const input of root.querySelectorAll('input[data-today]'))
		if (!input.value)
			input.value = todayShanghai();
}

/* The caller's unit and the units under it, in tree order. */
function myUnits() {
	const kids = new Map();
	for (const u of units) {
		if (!kids.has(u.parent_id))
			kids.set(u.parent_id, []);
		kids.get(u.parent_id).push(u);
	}
	const out = [];
	const walk = (u, depth) => {
		out.push({ unit: u, depth });
		for (const k of (kids.get(u.id) || []).sort((a, b) => a.id - b.id))
			walk(k, depth + 1);
	};
	const mine = units.find((u) => u.id === me.unit_id);
	if (mine)
		walk(mine, 0);
	return out;
}

function fillUnits() {
	for (const sel of document.querySelectorAll('select[data-units]')) {
		const keep = sel.value;
		sel.textContent = '';
		const list = myUnits();
		if (!list.length)
			sel.append(new Option('本单位', String(me.unit_id)));
		for (const { unit, depth } of list)
			sel.append(new Option('　'.repeat(depth) + unit.name, String(unit.id)));
		sel.value = keep || String(me.unit_id);
		if (!sel.value)
			sel.value = String(me.unit_id);
	}
}

/* ---- Passenger rows ---- */

let rowSeq = 0;

const passengerRows = () => [...rows.children];

function renumber() {
	const list = passengerRows();
	list.forEach((li, i) => {
		li.querySelector('.worker-title').textContent = `第 ${i + 1} 位`;
		for (const f of PASSENGER_FIELDS)
			li.querySelector(`[data-name="${f}"]`).name = `travellers[${i}].${f}`;
		const rm = li.querySelector('[data-remove]');
		rm.hidden = list.length === 1;
		rm.setAttribute('aria-label', `删除第 ${i + 1} 位乘客`);
	});
	$('add-passenger').disabled = list.length >= MAX_PASSENGERS;
	$('batch-submit').textContent = `整车登记（${list.length} 位）`;
}

function addRow() {
	const li = $('passenger-row').content.firstElementChild.cloneNode(true);
	const n = ++rowSeq;
	for (const f of PASSENGER_FIELDS) {
		const input = li.querySelector(`[data-name="${f}"]`);
		input.id = `p${n}-${f.replace('.', '-')}`;
		li.querySelector(`[data-for="${f}"]`).htmlFor = input.id;
	}
	li.querySelector('[data-remove]').addEventListener('click', () => {
		if (passengerRows().length <= 1)
			return;
		const next = li.nextElementSibling || li.previousElementSibling;
		li.remove();
		renumber();
		saveDraft();
		next?.querySelector('input')?.focus();
	});
	rows.append(li);
	fillChoices(li);
	renumber();
	return li;
}

function setRowCount(n) {
	n = Math.max(1, Math.min(MAX_PASSENGERS, n | 0));
	while (passengerRows().length < n)
		addRow();
	while (passengerRows().length > n)
		rows.lastElementChild.remove();
	renumber();
}

/* Rows nobody typed into are left out (one row always stays). */
function dropEmptyRows() {
	for (const li of passengerRows()) {
		if (passengerRows().length <= 1)
			break;
		const typed = [...li.querySelectorAll('input[type="text"], input[type="tel"], select')]
		    .some((c) => c.value.trim());
		if (!typed)
			li.remove();
	}
	renumber();
}

$('add-passenger').addEventListener('click', () => {
	const li = addRow();
	saveDraft();
	li.querySelector('input').focus();
});

/* ---- Drafts: every control of both forms, kept until sent ---- */

function formValues(form) {
	const v = {};
	for (const c of form.elements) {
		if (!c.name)
			continue;
		if (c.type === 'checkbox') {
			v[c.name] = v[c.name] || [];
			if (c.checked)
				v[c.name].push(c.value);
		} else {
			v[c.name] = c.value;
		}
	}
	return v;
}

function setValues(form, v) {
	for (const c of form.elements) {
		if (!c.name || !(c.name in v))
			continue;
		if (c.type === 'checkbox')
			c.checked = v[c.name].includes(c.value);
		else
			c.value = v[c.name];
	}
}

function saveDraft() {
	store(DRAFT_KEY, {
		single: formValues(single),
		batch: { rows: passengerRows().length, values: formValues(batch) },
		savedAt: new Date().toISOString(),
	});
}

function restoreDraft() {
	const d = load(DRAFT_KEY, null);
	if (!d)
		return;
	if (d.single)
		setValues(single, d.single);
	if (d.batch) {
		setRowCount(d.batch.rows || 1);
		setValues(batch, d.batch.values || {});
	}
}

/* A form back to its defaults once the server or the outbox has it. */
function resetForm(form) {
	form.reset();
	clearProblem(form);
	if (form === batch)
		setRowCount(1);
	for (const box of form.querySelectorAll('[data-assistance]'))
		for (const c of box.querySelectorAll('input'))
			c.checked = c.value === box.dataset.default;
	for (const sel of form.querySelectorAll('select[data-transports]'))
		sel.value = sel.dataset.default;
	for (const input of form.querySelectorAll('input[data-today]'))
		input.value = todayShanghai();
	for (const sel of form.querySelectorAll('select[data-units]'))
		sel.value = String(me.unit_id);
	saveDraft();
}

for (const form of [single, batch]) {
	form.addEventListener('input', saveDraft);
	form.addEventListener('change', saveDraft);
}

/* ---- Bodies as the API wants them, and what a phone can check ---- */

function cleanPerson(p) {
	if (!p)
		return;
	if (p.phone)
		p.phone = digitsOnly(p.phone);
	if (p.id_number)
		p.id_number = digitsOnly(p.id_number).toUpperCase();
}

function buildBody(form) {
	const b = readForm(form);
	if (b.subsidy_amount !== undefined)
		b.subsidy_amount = normalizeAmount(b.subsidy_amount);
	/* Empty objects rather than none, so that the server names the
	 * field inside them (hometown.province) that has an input here. */
	if (form === single) {
		b.traveler = b.traveler || {};
		b.hometown = b.hometown || {};
		cleanPerson(b.traveler);
	} else {
		b.travellers = passengerRows().map((li, i) =>
		    (b.travellers && b.travellers[i]) || {});
		for (const p of b.travellers) {
			p.hometown = p.hometown || {};
			cleanPerson(p);
		}
	}
	return b;
}

/* Without a network nobody judges the form now: check here what can be
 * checked, so the volunteer fixes it while the traveller is still there. */
function localProblems(form, b) {
	const errors = [];
	const add = (field, code, message) => errors.push({ field, code, message });
	const person = (p, at) => {
		if (!p.name)
			add(at('name'), 'required', '请填写姓名');
		/* In the dictionary's words, as the server would say it. */
		const check = (field, kind, label) => {
			const code = checkValue(kind, p[field]);
			if (code)
				add(at(field), code, message(code, { kind, label }));
		};
		if (!p.phone)
			add(at('phone'), 'required', message('required', { kind: 'phone', label: '手机号' }));
		else
			check('phone', 'phone', '手机号');
		if (p.id_number)
			check('id_number', 'id_number', '身份证号');
	};
	const party = (v, field) => {
		if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= 60))
			add(field, 'out_of_range', '同行人数应在 1 到 60 之间');
	};
	if (!b.depart_on)
		add('depart_on', 'required', '请填写出发日期');
	if (!b.assistance || !b.assistance.length)
		add('', 'required', '请至少选择一种帮扶方式');
	if (b.subsidy_amount && toFen(b.subsidy_amount) === null)
		add('subsidy_amount', 'format', '金额应为数字，最多两位小数，例如 200 或 200.50');
	if (form === single) {
		person(b.traveler || {}, (f) => `traveler.${f}`);
		party(b.party_size, 'party_size');
		if (!b.hometown || !b.hometown.province)
			add('hometown.province', 'required', '请选择家乡省份');
	} else {
		b.travellers.forEach((p, i) => {
			const at = (f) => `travellers[${i}].${f}`;
			person(p, at);
			party(p.party_size, at('party_size'));
			if (!p.hometown || !p.hometown.province)
				add(at('hometown.province'), 'required', '请选择家乡省份');
		});
	}
	return errors;
}

/* ---- Arrival codes: shown once, kept until the traveller has theirs ---- */

const codeList = () => load(CODES_KEY, []);

function addCodes(data) {
	const list = codeList();
	const records = data.items ? data.items : [data];
	for (const r of records) {
		if (!r || !r.arrival_code || list.some((c) => c.id === r.id))
			continue;
		list.push({ id: r.id, name: r.traveler.name, code: r.arrival_code,
		    depart_on: r.depart_on, at: new Date().toISOString() });
	}
	store(CODES_KEY, list);
}

function smsText(c) {
	return `${c.name}您好，到家后请打开 ${location.origin}/arrive/#${c.code} ，` +
	    `点“我已平安到家”告诉工会。到家码：${c.code}`;
}

async function copy(text, btn) {
	try {
		await navigator.clipboard.writeText(text);
		btn.textContent = '已复制';
	} catch (e) {
		btn.textContent = '请长按上面的短信复制';
	}
}

function renderCodes() {
	const box = $('codes');
	box.textContent = '';
	const list = codeList();
	if (!list.length)
		return;
	const ul = el('ul', { class: 'list' });
	for (const c of list) {
		const sms = smsText(c);
		const copyBtn = el('button', { type: 'button', class: 'btn small secondary',
		    text: '复制短信' });
		copyBtn.addEventListener('click', () => copy(sms, copyBtn));
		const told = el('button', { type: 'button', class: 'btn small',
		    text: '已告知本人' });
		told.addEventListener('click', () => {
			if (!confirm(`到家码只显示这一次。确认 ${c.name} 已经收到到家码 ${c.code}？`))
				return;
			store(CODES_KEY, codeList().filter((x) => x.id !== c.id));
			renderCodes();
		});
		ul.append(el('li', { 'data-code-for': c.name },
		    el('div', { class: 'name', text: c.name }),
		    el('p', { class: 'code-big', 'data-arrival-code': '', text: c.code }),
		    el('p', { class: 'pre muted sr-sms', text: sms }),
		    el('div', { class: 'actions' }, copyBtn, told)));
	}
	box.append(el('section', { class: 'card result', 'aria-label': '到家码' },
	    el('h2', { class: 'result-title', text: `✓ 已登记，请把到家码告诉本人（${list.length} 人）` }),
	    el('p', { class: 'keep-note', text: '到家码只显示这一次。到家后输入到家码，工会就知道已平安到家。' }),
	    ul));
}

/* ---- Registrations waiting in the outbox (their answers hold codes) ---- */

const pendingList = () => load(PENDING_KEY, []);

function removePending(id) {
	store(PENDING_KEY, pendingList().filter((p) => p.id !== id));
}

/* Remember when each was last seen waiting: it was delivered after that,
 * so a replay is safe while that is recent. */
function markSeen() {
	const box = outboxState();
	const now = Date.now();
	const list = pendingList();
	let changed = false;
	for (const p of list) {
		if (box.pending.some((e) => e.id === p.id)) {
			p.seen = now;
			changed = true;
		}
	}
	if (changed)
		store(PENDING_KEY, list);
}

const asking = new Set();

async function reconcile() {
	markSeen();
	const box = outboxState();
	for (const p of pendingList()) {
		if (box.pending.some((e) => e.id === p.id) || asking.has(p.id))
			continue;
		if (box.failed.some((e) => e.id === p.id) || Date.now() - p.seen > REPLAY_MS) {
			/* Refused (the badge shows it) or too old to ask again. */
			removePending(p.id);
			continue;
		}
		asking.add(p.id);
		try {
			const r = await api('POST', p.path, p.body,
			    { idempotencyKey: p.key, full: true });
			addCodes(r.data);
			removePending(p.id);
		} catch (err) {
			const transient = err.network || err.status === 429 ||
			    err.status >= 500 || err.status === 409;
			if (!transient)
				removePending(p.id);
		} finally {
			asking.delete(p.id);
		}
	}
	renderCodes();
}

/* ---- Submitting ---- */

function label(form, b) {
	if (form === single)
		return `返乡登记 ${b.traveler?.name || ''}`.trim();
	return `整车登记 ${b.bus_label || ''} ${b.travellers.length} 位`.replace(/\s+/g, ' ');
}

async function send(form, button, idle) {
	clearProblem(form);
	say(pageMsg, '');
	if (form === batch) {
		dropEmptyRows();
		saveDraft();
	}
	const b = buildBody(form);
	if (navigator.onLine === false) {
		const errors = localProblems(form, b);
		if (errors.length) {
			showProblem(form, { detail: `有 ${errors.length} 处需要修改`, errors });
			return;
		}
	}
	button.disabled = true;
	button.textContent = '正在登记…';
	try {
		const r = await submit(form === single ? SINGLE : BATCH, b,
		    { label: label(form, b), meta: { sr: 'create' } });
		if (r.queued) {
			const list = pendingList();
			list.push({ id: r.entry.id, key: r.entry.idempotencyKey,
			    path: r.entry.path, body: b, seen: Date.now() });
			store(PENDING_KEY, list);
			say(pageMsg, r.reason === 'offline' ?
			    '当前没有网络，登记已保存在本机，联网后自动发送；发送后这里会显示到家码。' :
			    '登记已保存在本机，会自动重试发送；发送后这里会显示到家码。', 'warn');
		} else {
			addCodes(r.data);
			say(pageMsg, form === single ? '登记成功。' :
			    `整车 ${r.data.items.length} 位登记成功。`, 'ok');
		}
		resetForm(form);
		renderCodes();
		render();
		if (!r.queued)
			refresh();
		window.scrollTo(0, 0);
	} catch (err) {
		if (err.status === 401) {
			location.assign(loginUrl());
			return;
		}
		showProblem(form, err);
	} finally {
		button.disabled = false;
		button.textContent = idle();
	}
}

single.addEventListener('submit', (e) => {
	e.preventDefault();
	send(single, $('single-submit'), () => '登记');
});

batch.addEventListener('submit', (e) => {
	e.preventDefault();
	send(batch, $('batch-submit'), () => `整车登记（${passengerRows().length} 位）`);
});

/* ---- 我的返乡人员: the server's list with the outbox laid over it ---- */

/*
 * Rows to show: {ref, name, party, province, depart_on, status, version,
 * waiting, lastMove}. ref is {record: id} for a record the server has,
 * {entry, index} for one still in the outbox (index into a busload, null
 * for one traveller). lastMove is the id of the newest change of this
 * record still waiting, which a further change must wait for.
 */
function model() {
	const box = outboxState();
	const out = [];
	const byRecord = new Map();
	for (const r of items) {
		const row = { ref: { record: r.id }, name: r.traveler.name,
		    party: r.party_size, province: r.hometown.province,
		    depart_on: r.depart_on, status: r.status, version: r.version,
		    waiting: false, lastMove: null, bus: r.bus_label };
		byRecord.set(r.id, row);
		out.push(row);
	}
	const byEntry = new Map();
	for (const e of box.pending) {
		if (!e.meta || e.meta.sr !== 'create')
			continue;
		const people = e.path.endsWith('/batch') ?
		    (e.body.travellers || []).map((t, i) => ({ t, i })) :
		    [{ t: { ...e.body.traveler, party_size: e.body.party_size,
		        hometown: e.body.hometown }, i: null }];
		for (const { t, i } of people) {
			const row = { ref: { entry: e.id, index: i }, name: t.name || '',
			    party: t.party_size || 1, province: t.hometown?.province || '',
			    depart_on: e.body.depart_on, status: 'registered',
			    version: 1, waiting: true, lastMove: null,
			    bus: e.body.bus_label || null };
			byEntry.set(`${e.id}/${i}`, row);
			out.unshift(row);
		}
	}
	for (const e of box.pending) {
		if (!e.meta || e.meta.sr !== 'move')
			continue;
		const m = /\/safe-returns\/(\d+)\/transitions$/.exec(e.path);
		const ref = e.meta.ref;
		const row = m ? byRecord.get(Number(m[1])) :
		    ref.record ? byRecord.get(ref.record) :
		    byEntry.get(`${ref.entry}/${ref.index}`);
		if (!row)
			continue;
		row.status = e.meta.to;
		row.waiting = true;
		row.lastMove = e.id;
	}
	return out;
}

/* A change to one record, through the outbox. Decides what to wait for
 * and submits at once, so the outbox cannot move on in between. */
function move(row, to) {
	const headers = {};
	let path;
	let after = null;
	if (row.lastMove) {
		after = row.lastMove;
		path = '/api/v1/safe-returns/{id}/transitions';
		headers['If-Match'] = '"{version}"';
	} else if (row.ref.entry) {
		after = row.ref.entry;
		const at = row.ref.index === null ? '' : `items.${row.ref.index}.`;
		path = `/api/v1/safe-returns/{${at}id}/transitions`;
		headers['If-Match'] = `"{${at}version}"`;
	} else {
		path = `/api/v1/safe-returns/${row.ref.record}/transitions`;
		headers['If-Match'] = `"${row.version}"`;
	}
	return submit(path, { to }, { label: `${row.name}：${STATUS[to]}`,
	    headers, after, meta: { sr: 'move', to, ref: row.ref } });
}

async function tap(row, to, btn) {
	if (to === 'cancelled' && !confirm(`取消后 ${row.name}（${row.party} 人）不再计入返乡人数，` +
	    '也不能再标记出发或到家。确定取消吗？'))
		return;
	let p;
	try {
		p = move(row, to);
	} catch (err) {
		say($('mine-msg'), err.message, 'error');
		render();
		return;
	}
	btn.disabled = true;
	render();
	try {
		const r = await p;
		if (r.queued) {
			say($('mine-msg'), `${row.name} ${STATUS[to]}，已保存在本机，联网后自动发送。`, 'warn');
		} else {
			const i = items.findIndex((x) => x.id === r.data.id);
			if (i >= 0)
				items[i] = r.data;
			say($('mine-msg'), `${row.name} ${STATUS[to]}。`, 'ok');
			refresh();
		}
	} catch (err) {
		if (!(err instanceof ApiError))
			throw err;
		if (err.status === 401) {
			location.assign(loginUrl());
			return;
		}
		say($('mine-msg'), `${row.name}：${err.message}`, 'error');
		refresh();
	}
	render();
}

function rowItem(row) {
	const actions = el('div', { class: 'actions sr-moves' });
	for (const to of NEXT[row.status] || []) {
		const btn = el('button', { type: 'button',
		    class: `btn small${to === 'cancelled' ? ' secondary' : ''}`,
		    text: MOVE_TEXT[to], 'data-move': to });
		btn.addEventListener('click', () => tap(row, to, btn));
		actions.append(btn);
	}
	const meta = [`${row.party} 人`, row.province, `${row.depart_on} 出发`];
	if (row.bus)
		meta.push(row.bus);
	return el('li', { class: 'sr-item', 'data-name': row.name,
	    'data-status': row.status, ...(row.waiting ? { 'data-waiting': '' } : {}) },
	    el('div', { class: 'case-top' },
		el('span', { class: 'name', text: row.name }),
		el('span', {},
		    row.waiting ? el('span', { class: 'tag', text: '待发送' }) : null,
		    el('span', { class: `status s-${row.status}`, text: STATUS[row.status] }))),
	    el('div', { class: 'case-meta', text: meta.filter(Boolean).join(' · ') }),
	    actions.children.length ? actions : null);
}

let shown = '';

function render() {
	const rowsNow = model();
	const now = JSON.stringify([rowsNow, todayShanghai()]);
	if (now === shown)
		return;
	shown = now;
	const list = $('mine');
	list.textContent = '';
	for (const row of rowsNow)
		list.append(rowItem(row));
	if (!rowsNow.length)
		say($('mine-msg'), $('mine-msg').textContent || '还没有登记返乡人员。');
	$('tab-mine').textContent = `我的返乡人员（${rowsNow.length}）`;

	const today = todayShanghai();
	$('today-date').textContent = today;
	const sums = { registered: 0, departed: 0, arrived: 0, cancelled: 0 };
	for (const row of rowsNow)
		if (row.depart_on === today)
			sums[row.status] += row.party;
	for (const [k, v] of Object.entries(sums))
		document.querySelector(`[data-count="${k}"]`).textContent = String(v);
}

let refreshing = null;
let again = false;

/* The server's list again (a copy stays for offline use). Asked for while
 * a request is on its way, it asks once more after it: that answer may
 * predate what was just delivered. */
function refresh() {
	if (refreshing) {
		again = true;
		return refreshing;
	}
	refreshing = (async () => {
		do {
			again = false;
			try {
				const r = await cachedGet(LIST);
				items = r.data.items || [];
				if (r.stale)
					say($('mine-msg'), '当前没有网络，显示的是上次保存的列表。', 'warn');
				else if ($('mine-msg').classList.contains('warn'))
					say($('mine-msg'), '');
			} catch (err) {
				if (err.status === 401)
					location.assign(loginUrl());
				else
					say($('mine-msg'), `无法加载列表：${err.message}`, 'error');
			}
		} while (again);
		refreshing = null;
		render();
	})();
	return refreshing;
}

/* ---- What the outbox delivers while this page is open ---- */

window.addEventListener('outbox:sent', (e) => {
	const { entry, data } = e.detail;
	if (entry.meta && entry.meta.sr === 'create') {
		addCodes(data);
		removePending(entry.id);
		renderCodes();
	}
	if (entry.meta && entry.meta.sr)
		refresh();
});

window.addEventListener('outbox:failed', (e) => {
	if (e.detail.entry.meta && e.detail.entry.meta.sr) {
		removePending(e.detail.entry.id);
		say(pageMsg, '有登记或状态没有被服务器接受，请看页面顶部“需要处理”。', 'error');
		refresh();
	}
});

/* The badge's "放回表单修改": the busload needs as many rows first. */
window.addEventListener('outbox:restored', (e) => {
	const { entry } = e.detail;
	const form = entry.path === SINGLE ? single :
	    entry.path === BATCH ? batch : null;
	if (!form)
		return;
	showTab(form === single ? 'single' : 'batch');
	if (form === batch)
		setRowCount((entry.body.travellers || []).length || 1);
	const v = {};
	readBack(entry.body, '', v);
	setValues(form, v);
	showProblem(form, entry);
	removePending(entry.id);
	saveDraft();
});

/* A body back into form values: {'travellers[0].name': ...}. */
function readBack(value, prefix, out) {
	if (Array.isArray(value) && prefix === 'assistance') {
		out[prefix] = value;
	} else if (Array.isArray(value)) {
		value.forEach((x, i) => readBack(x, `${prefix}[${i}]`, out));
	} else if (value !== null && typeof value === 'object') {
		for (const [k, x] of Object.entries(value))
			readBack(x, prefix ? `${prefix}.${k}` : k, out);
	} else {
		out[prefix] = String(value);
	}
}

window.addEventListener('online', () => {
	reconcile();
	refresh();
});
window.addEventListener('storage', (e) => {
	if (e.key === 'swn.outbox.v1') {
		markSeen();
		render();
	}
});

/* ---- Start ---- */

async function main() {
	try {
		me = (await cachedGet('/api/v1/me')).data;
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		say(pageMsg, err.network ? '当前没有网络，无法打开本页。请联网后刷新。' :
		    `无法加载：${err.message}`, 'error');
		return;
	}
	const [u, p] = await Promise.allSettled([
		cachedGet('/api/v1/units'),
		cachedGet('/api/v1/safe-returns/provinces'),
	]);
	units = u.status === 'fulfilled' ? u.value.data.items || [] : [];
	provinces = p.status === 'fulfilled' ? p.value.data.items || [] : [];
	if (!provinces.length) {
		say(pageMsg, '没有网络，无法加载省份列表。请联网后刷新页面。', 'error');
	} else {
		say(pageMsg, '');
	}
	fillChoices(document);
	fillUnits();
	setRowCount(1);
	restoreDraft();
	let tab = 'single';
	try {
		tab = sessionStorage.getItem(TAB_KEY) || tab;
	} catch (e) { /* the first tab */ }
	showTab(TABS.includes(tab) ? tab : 'single');
	renderCodes();
	render();
	await refresh();
	reconcile();
	/* The outbox changes under this page too (deliveries, other tabs). */
	setInterval(() => {
		markSeen();
		render();
	}, 5000);
}

main();
