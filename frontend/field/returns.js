/*
 * 平安返乡 for volunteers (API.md "Safe return home"; docs/safe-returns.md).
 * The shared page behaviour of docs/pages.md comes from api.js.
 *
 * - 登记一人 (POST /api/v1/safe-returns) and 整车登记 (POST
 *   /api/v1/safe-returns/batch, passengers as rows named travellers[i].x,
 *   renumbered when a row goes, so an error at travellers[12].phone lands
 *   under that passenger). The controls say their rules as attributes, and
 *   checkForm() shows every problem at once in the server's words, with or
 *   without a network. Both go through the outbox (api.js submit()); what
 *   is typed is kept as a draft until the server or the outbox has it.
 * - Arrival codes are in the server's answer only: each stays on this
 *   phone (keptList CODES_KEY) in an onceCard, until the volunteer has
 *   confirmed twice that the traveller has it. A registration delivered
 *   while this page was closed is asked for again with the same
 *   Idempotency-Key, and the server replays its answer.
 * - 我的返乡人员: this volunteer's records (GET, a copy kept for offline
 *   use) with what still waits in the outbox laid over them, and one tap
 *   for 已出发 / 已到家 / 取消 (取消 asks first, naming what it ends): a
 *   transition with If-Match through the outbox. A change to a record
 *   that itself still waits in the outbox waits for it (api.js `after`),
 *   taking its id and version from the answer.
 * - 今天出发: people (Σ party_size) leaving today in Asia/Shanghai, by
 *   status.
 * - A phone may be shared: drafts, kept codes and replays belong to the
 *   volunteer who made them (others' are kept, never shown or sent), and
 *   退出 in the header signs out. A departure day nobody chose is today's
 *   whenever the page opens; a day the volunteer picked stays. Cancelling
 *   a traveller takes their arrival code off the cards at once.
 */
import {
	ApiError, api, busy, cachedCopy, cachedGet, checkForm, clearProblem,
	confirmStep, copyText, el, fillForm, formatTime, keptList, listStatus, loadLocal,
	loadOptions, loadUnitOptions, loginUrl, message, onceCard, outboxState,
	queuedText, readForm, refreshCounters, saveLocal, say, showProblem,
	showSignedIn, submit, toast, todayShanghai,
} from '/assets/api.js';

const SINGLE = '/api/v1/safe-returns';
const BATCH = '/api/v1/safe-returns/batch';
const LIST = '/api/v1/safe-returns?limit=200';
const DRAFT_KEY = 'swn.returns.draft.v1';
const PENDING_KEY = 'swn.returns.pending.v1';
const CODES_KEY = 'swn.returns.codes.v1';
const TAB_KEY = 'swn.returns.tab.v1';
const PROVINCES = '/api/v1/safe-returns/provinces';
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
let provinces = [];
let items = [];                 /* the server's list, newest first */

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

/* A select's value, or the one a draft asked for before its list came. */
function choose(sel, value) {
	sel.value = value;
	if (sel.value !== value && value)
		sel.dataset.wanted = value;
	else
		delete sel.dataset.wanted;
}

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
	for (const input of root.querySelectorAll('input[data-today]')) {
		if (!input.value)
			input.value = todayShanghai();
		if (!input.dataset.watched) {
			input.dataset.watched = '1';
			const pick = () => {
				if (input.value)
					input.dataset.chosen = '1';
				else
					delete input.dataset.chosen;
			};
			input.addEventListener('input', pick);
			input.addEventListener('change', pick);
		}
	}
	fillProvinces(root);
}

/* The days nobody chose follow today (a draft may be days old). */
function followToday() {
	for (const input of document.querySelectorAll('input[data-today]'))
		if (!input.dataset.chosen)
			input.value = todayShanghai();
}

/*
 * The passengers' province selects, from the list loadProvinces() brought
 * into the first one (#s-province); while it has not come, they say so.
 */
function fillProvinces(root) {
	for (const sel of root.querySelectorAll('select[data-provinces]:not(#s-province)')) {
		if (!provinces.length) {
			if (provincesFailed)
				listStatus(sel, '省份列表没有加载成功', 'error', loadProvinces);
			else
				listStatus(sel, '正在加载省份列表…', 'loading');
			continue;
		}
		const keep = sel.dataset.wanted || sel.value;
		while (sel.options.length > 1)
			sel.remove(1);
		for (const p of provinces)
			sel.append(new Option(p.name, p.name));
		choose(sel, keep);
		listStatus(sel, '');
	}
}

/*
 * The 34 provincial divisions in GB/T 2260's order and names, exactly as
 * the server accepts them for hometown.province (fcgi/safe_returns.c,
 * which serves them at GET /safe-returns/provinces): a first visit
 * without a network can still register travellers.
 */
const BUILT_IN_PROVINCES = { items: [
	'北京市', '天津市', '河北省', '山西省',
	'内蒙古自治区', '辽宁省', '吉林省', '黑龙江省',
	'上海市', '江苏省', '浙江省', '安徽省',
	'福建省', '江西省', '山东省', '河南省',
	'湖北省', '湖南省', '广东省', '广西壮族自治区',
	'海南省', '重庆市', '四川省', '贵州省',
	'云南省', '西藏自治区', '陕西省', '甘肃省',
	'青海省', '宁夏回族自治区', '新疆维吾尔自治区', '台湾省',
	'香港特别行政区', '澳门特别行政区',
].map((name) => ({ name })) };

/* The provinces: the copy kept from the last visit, else the built-in
 * list, at once; then the server's. (Should neither be there, a failure
 * offers 重试 under every province select.) */
let provincesFailed = false;

function loadProvinces() {
	provincesFailed = false;
	fillProvinces(rows);
	return loadOptions($('s-province'), { path: PROVINCES, what: '省份列表',
	    fallback: BUILT_IN_PROVINCES, options: (data) => {
		provinces = (data && data.items) || [];
		fillProvinces(rows);
		return provinces.map((p) => [p.name, p.name]);
	} }).then((ok) => {
		provincesFailed = !ok;
		fillProvinces(rows);
		return ok;
	});
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
		else if (c.tagName === 'SELECT')
			choose(c, v[c.name]);
		else
			c.value = v[c.name];
	}
	refreshCounters(form);
}

/* Each volunteer's own draft: the next one on this phone starts afresh. */
const draftKey = () => (me ? `${DRAFT_KEY}:${me.id}` : DRAFT_KEY);

/* The ids of the day fields the volunteer picked a day in. */
const chosenDays = () => [...document.querySelectorAll('input[data-today][data-chosen]')]
    .map((i) => i.id);

function saveDraft() {
	saveLocal(draftKey(), {
		single: formValues(single),
		batch: { rows: passengerRows().length, values: formValues(batch) },
		chosen: chosenDays(),
		savedAt: new Date().toISOString(),
	});
}

function restoreDraft() {
	let d = loadLocal(draftKey());
	if (!d) {
		/* Kept before drafts had owners: whoever opens the page first. */
		d = loadLocal(DRAFT_KEY);
		saveLocal(DRAFT_KEY, null);
	}
	if (d) {
		if (d.single)
			setValues(single, d.single);
		if (d.batch) {
			setRowCount(d.batch.rows || 1);
			setValues(batch, d.batch.values || {});
		}
		for (const input of document.querySelectorAll('input[data-today]')) {
			if ((d.chosen || []).includes(input.id) && input.value)
				input.dataset.chosen = '1';
			else
				delete input.dataset.chosen;
		}
	}
	followToday();
	saveDraft();
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
	for (const input of form.querySelectorAll('input[data-today]')) {
		input.value = todayShanghai();
		delete input.dataset.chosen;
	}
	for (const sel of form.querySelectorAll('select[data-units], select[data-provinces]'))
		delete sel.dataset.wanted;
	for (const sel of form.querySelectorAll('select[data-units]'))
		sel.value = String(me.unit_id);
	refreshCounters(form);
	saveDraft();
}

for (const form of [single, batch]) {
	form.addEventListener('input', saveDraft);
	form.addEventListener('change', saveDraft);
}

/* ---- Bodies as the API wants them, and the checks no attribute says ---- */

function buildBody(form) {
	const b = readForm(form);
	/* Empty objects rather than none, so that the server names the
	 * field inside them (hometown.province) that has an input here. */
	if (form === single) {
		b.traveler = b.traveler || {};
		b.hometown = b.hometown || {};
	} else {
		b.travellers = passengerRows().map((li, i) =>
		    (b.travellers && b.travellers[i]) || {});
		for (const p of b.travellers)
			p.hometown = p.hometown || {};
	}
	return b;
}

/* At least one kind of help must be ticked (checkForm() sees no groups). */
function assistanceProblems(form) {
	if (form.querySelector('[name="assistance"]:checked'))
		return [];
	const label = form.querySelector('[data-assistance]').closest('fieldset')
	    .dataset.label;
	return [{ field: 'assistance', code: 'required',
	    message: message('required', { kind: 'choice', label }) }];
}

/* ---- Arrival codes: shown once, kept until the traveller has theirs ---- */

const codes = keptList(CODES_KEY);

/* Codes are the volunteer's who registered the traveller (older ones,
 * kept before codes had owners, anyone's). */
const ownCode = (c) => c.user === undefined || c.user === null || (me && c.user === me.id);

function addCodes(data) {
	const records = data.items ? data.items : [data];
	for (const r of records) {
		if (!r || !r.arrival_code || codes.list().some((c) => c.id === r.id))
			continue;
		codes.add({ id: r.id, name: r.traveler.name, code: r.arrival_code,
		    depart_on: r.depart_on, at: r.created_at || new Date().toISOString(),
		    user: me ? me.id : null });
	}
}

/* The server says these are cancelled: their codes are void. */
function dropCancelledCodes(records) {
	const gone = new Set(records.filter((r) => r && r.status === 'cancelled')
	    .map((r) => r.id));
	if (gone.size && codes.list().some((c) => gone.has(c.id)))
		codes.remove((c) => gone.has(c.id));
}

/* The records a cancellation waits in the outbox for, or already has in
 * the list: their codes are not to be handed out. */
function cancelledIds() {
	const ids = new Set(items.filter((r) => r.status === 'cancelled').map((r) => r.id));
	for (const e of outboxState().pending) {
		const m = /\/safe-returns\/(\d+)\/transitions$/.exec(e.path);
		if (m && e.meta && e.meta.to === 'cancelled')
			ids.add(Number(m[1]));
		else if (e.meta && e.meta.to === 'cancelled' && e.meta.ref && e.meta.ref.record)
			ids.add(e.meta.ref.record);
	}
	return ids;
}

function smsText(c) {
	return `${c.name}您好，到家后请打开 ${location.origin}/arrive/#${c.code} ，` +
	    `点“我已平安到家”告诉工会。到家码：${c.code}`;
}

function codeCard(c) {
	const sms = smsText(c);
	const copySms = el('button', { type: 'button', class: 'btn secondary block',
	    'data-copy-sms': '', text: '复制短信' });
	copySms.addEventListener('click', async () => {
		const ok = await copyText(sms);
		toast(ok ? `给${c.name}的短信已复制，可以粘贴到短信或微信里发给本人` :
		    '这部手机不能自动复制，请长按上面的短信手动复制', ok ? 'ok' : 'warn');
	});
	const card = onceCard({
		title: `${c.name} 的到家码`,
		intro: [el('p', { class: 'muted', 'data-registered-at': '',
		    text: `${c.depart_on} 出发 · 登记于 ${formatTime(c.at, 'short')}` })],
		items: [{ label: '到家码', value: c.code, attr: 'data-arrival-code' }],
		note: '到家码只显示这一次。请告诉本人，或把下面的短信发给他；' +
		    '到家后输入到家码，工会就知道已平安到家。',
		fileName: `到家码-${c.name}.png`,
		extra: [el('p', { class: 'pre muted sr-sms', text: sms }), copySms],
		onDiscard: () => {
			codes.remove((x) => x.id === c.id);
			renderCodes();
			const next = $('codes').querySelector('[data-done]') ||
			    document.querySelector('[role="tab"][aria-selected="true"]');
			next?.focus();
		},
	});
	card.dataset.codeFor = c.name;
	return card;
}

let shownCodes = null;          /* the ids the cards show now */

/* The cards, redrawn only when the kept codes change: a redraw while a
 * volunteer copies a code would be a surprise. */
function renderCodes() {
	const gone = cancelledIds();
	const list = codes.list().filter((c) => ownCode(c) && !gone.has(c.id));
	const key = list.map((c) => c.id).join(',');
	if (key === shownCodes)
		return;
	shownCodes = key;
	const box = $('codes');
	box.textContent = '';
	if (list.length > 1) {
		box.append(el('p', { class: 'msg ok',
		    text: `请把到家码分别告诉这 ${list.length} 位返乡人员。` }));
	}
	for (const c of list)
		box.append(codeCard(c));
}

/* ---- Registrations waiting in the outbox (their answers hold codes) ---- */

const pendingList = () => loadLocal(PENDING_KEY, []);

function removePending(id) {
	saveLocal(PENDING_KEY, pendingList().filter((p) => p.id !== id));
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
		saveLocal(PENDING_KEY, list);
}

const asking = new Set();

async function reconcile() {
	markSeen();
	const box = outboxState();
	for (const p of pendingList()) {
		/* Another volunteer's: asked again only in their own session,
		 * since a replay is matched to the user who sent it. */
		if (p.user !== undefined && p.user !== null && (!me || p.user !== me.id))
			continue;
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

async function send(form, button) {
	say(pageMsg, '');
	if (form === batch) {
		dropEmptyRows();
		saveDraft();
	}
	/* Every problem the phone can see, all at once, in the server's words,
	 * network or not: the traveller is still there to be asked. */
	if (!checkForm(form, assistanceProblems(form)))
		return;
	const b = buildBody(form);
	const done = busy(button);
	try {
		const r = await submit(form === single ? SINGLE : BATCH, b,
		    { label: label(form, b), meta: { sr: 'create' } });
		if (r.queued) {
			const list = pendingList();
			list.push({ id: r.entry.id, key: r.entry.idempotencyKey,
			    path: r.entry.path, body: b, seen: Date.now(),
			    user: me ? me.id : null });
			saveLocal(PENDING_KEY, list);
			toast(`${queuedText(r.reason)}发送成功后，页面上方会显示到家码。`, 'warn');
		} else {
			addCodes(r.data);
			toast(form === single ? '登记成功，请把到家码告诉本人。' :
			    `整车 ${r.data.items.length} 位登记成功，请把到家码告诉每一位乘客。`, 'ok');
		}
		resetForm(form);
		renderCodes();
		render();
		if (!r.queued)
			refresh();
		window.scrollTo(0, 0);
	} catch (err) {
		/* Refused by the server: the form keeps what was typed. */
		showProblem(form, err);
	} finally {
		done();
		if (form === batch)
			renumber();
	}
}

single.addEventListener('submit', (e) => {
	e.preventDefault();
	send(single, $('single-submit'));
});

batch.addEventListener('submit', (e) => {
	e.preventDefault();
	send(batch, $('batch-submit'));
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
		    waiting: false, lastMove: null, bus: r.bus_label, savedAt: null };
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
			    bus: e.body.bus_label || null, savedAt: e.createdAt };
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
		row.savedAt = e.createdAt;
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

/* The same person in the list as it is now (a delivery may have come
 * while a question was on screen). */
function current(row) {
	const same = (a, b) => a.record === b.record && a.entry === b.entry &&
	    a.index === b.index;
	return model().find((r) => same(r.ref, row.ref)) || row;
}

async function tap(row, to, btn) {
	if (to === 'cancelled') {
		if (!(await confirmStep({
			title: `取消 ${row.name} 的返乡登记？`,
			consequence: [
				`取消后 ${row.name}（${row.party} 人）不再计入返乡人数，` +
				    '也不能再标记出发或到家。',
				'本人的到家码随之作废。',
			],
			yes: '确定取消登记', no: '返回',
		})))
			return;
		row = current(row);
	}
	const p = move(row, to);
	btn.disabled = true;
	render();
	try {
		const r = await p;
		if (r.queued) {
			toast(`${row.name} ${STATUS[to]}：${queuedText(r.reason)}`, 'warn');
		} else {
			const i = items.findIndex((x) => x.id === r.data.id);
			if (i >= 0)
				items[i] = r.data;
			dropCancelledCodes([r.data]);
			toast(`${row.name} ${STATUS[to]}`, 'ok');
			refresh();
		}
	} catch (err) {
		if (!(err instanceof ApiError))
			throw err;
		toast(`${row.name}：${err.message}`, 'error');
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
	    row.savedAt ? el('div', { class: 'case-meta muted', 'data-saved-at': '',
		text: `保存于 ${formatTime(row.savedAt, 'short')}，等待发送` }) : null,
	    actions.children.length ? actions : null);
}

const EMPTY = '还没有登记返乡人员。';
let shown = '';

function render() {
	renderCodes();
	const rowsNow = model();
	const now = JSON.stringify([rowsNow, todayShanghai()]);
	if (now === shown)
		return;
	shown = now;
	const list = $('mine');
	list.textContent = '';
	for (const row of rowsNow)
		list.append(rowItem(row));
	const msg = $('mine-msg');
	if (!rowsNow.length && !msg.textContent)
		say(msg, EMPTY);
	else if (rowsNow.length && msg.textContent === EMPTY)
		say(msg, '');
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

let listSeq = 0;                /* an older answer is dropped */

/*
 * The server's list again (a copy stays for offline use): loading and a
 * failure with 重试 under the list, a note when the copy is all there is.
 * Asked for again while a request is on its way, only the later answer
 * counts: the earlier may predate what was just delivered.
 */
async function refresh() {
	const mine = ++listSeq;
	const list = $('mine');
	const msg = $('mine-msg');
	if (!items.length && !cachedCopy(LIST))
		listStatus(list, '正在加载我的返乡人员…', 'loading');
	try {
		const r = await cachedGet(LIST);
		if (mine !== listSeq)
			return;
		items = r.data.items || [];
		dropCancelledCodes(items);
		listStatus(list, '');
		if (r.stale)
			say(msg, '当前没有网络，显示的是上次保存的列表。', 'warn');
		else if (msg.classList.contains('warn'))
			say(msg, '');
	} catch (err) {
		if (mine !== listSeq)
			return;
		if (err.status === 401) {
			location.assign(loginUrl());
			return;
		}
		listStatus(list, err.network ? '没有网络，列表没有加载成功' :
		    `列表没有加载成功（${err.message}）`, 'error', () => refresh());
	}
	render();
}

/* ---- What the outbox delivers while this page is open ---- */

/* Beside the form, never in it: a form being typed stays as it is. */
window.addEventListener('outbox:sent', (e) => {
	const { entry, data } = e.detail;
	if (entry.meta && entry.meta.sr === 'create') {
		addCodes(data);
		removePending(entry.id);
		renderCodes();
		toast('之前保存的登记已经发送，到家码见页面上方。', 'ok');
	}
	if (entry.meta && entry.meta.sr === 'move')
		dropCancelledCodes([data]);
	if (entry.meta && entry.meta.sr)
		refresh();
});

window.addEventListener('outbox:failed', (e) => {
	if (e.detail.entry.meta && e.detail.entry.meta.sr) {
		removePending(e.detail.entry.id);
		toast(`“${e.detail.entry.label}”没有被服务器接受，请看页面顶部“需要处理”。`,
		    'error');
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
	fillForm(form, entry.body);
	/* The day of the refused record is that record's, not today's. */
	for (const input of form.querySelectorAll('input[data-today]'))
		input.dataset.chosen = '1';
	showProblem(form, entry);
	removePending(entry.id);
	saveDraft();
});

window.addEventListener('online', () => {
	reconcile();
	refresh();
});
/* The outbox changed, here or in another tab (api.js says so). */
window.addEventListener('outbox:change', () => {
	markSeen();
	render();
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
	say(pageMsg, '');
	showSignedIn(me);
	fillChoices(document);
	for (const sel of document.querySelectorAll('select[data-units]'))
		loadUnitOptions(sel, { root: me.unit_id });
	loadProvinces();
	setRowCount(1);
	restoreDraft();
	let tab = 'single';
	try {
		tab = sessionStorage.getItem(TAB_KEY) || tab;
	} catch (e) { /* the first tab */ }
	showTab(TABS.includes(tab) ? tab : 'single');
	renderCodes();
	items = (cachedCopy(LIST) || {}).items || [];
	render();
	await refresh();
	reconcile();
	/* Changes of the outbox arrive as 'outbox:change'. Only time needs a
	 * clock: a registration still waiting must stay marked as seen, or a
	 * long wait would make its answer look too old to ask for again. */
	setInterval(markSeen, 60e3);
	/* A page left open overnight: a day nobody chose follows the clock. */
	document.addEventListener('visibilitychange', () => {
		if (document.visibilityState !== 'visible')
			return;
		followToday();
		saveDraft();
		render();
	});
}

main();
