/*
 * 欠薪求助: the public intake form (anonymous POST /api/v1/wage-cases).
 *
 * - Workers are rows whose inputs are named workers[i].name, .id_number,
 *   .phone, .amount_owed, renumbered when a row goes, so that an error of
 *   the server's problem document (field "workers[1].id_number") lands
 *   under that person's input.
 * - What is typed is kept as a draft in localStorage and put back after a
 *   reload; the draft goes once the server has the case or the outbox
 *   holds it.
 * - The form is sent through the outbox (api.js submit()). When it has to
 *   wait for a network, this page remembers the outbox entry (its key and
 *   body) under PENDING_KEY and shows the answer when the outbox delivers
 *   it (the outbox:sent event). Should it be delivered while this page is
 *   not open, the answer is asked for again with the same Idempotency-Key:
 *   the server replays its first answer, tracking code included.
 * - The reference and tracking code stay on screen (and in RESULTS_KEY)
 *   until the person says they have written them down: the code is shown
 *   only once.
 */
import {
	api, cachedGet, clearProblem, dropFailed, fillForm, flush, outboxState,
	readForm, showProblem, submit, say, el
} from '/assets/api.js';
import {
	digitsOnly, idNumberProblem, normalizeAmount, phoneOk, toFen, yuan,
} from '/help/wage.js';

const PATH = '/api/v1/wage-cases';
const DRAFT_KEY = 'swn.help.draft.v1';
const PENDING_KEY = 'swn.help.pending.v1';
const RESULTS_KEY = 'swn.help.results.v1';
const WORKER_FIELDS = ['name', 'id_number', 'phone', 'amount_owed'];
const MAX_WORKERS = 500;

const $ = (id) => document.getElementById(id);
const form = $('help-form');
const rows = $('workers');
const submitBtn = $('submit');
const pageMsg = $('page-msg');



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

/* ---- Worker rows ---- */

let rowSeq = 0;

function workerRows() {
	return [...rows.children];
}

/* Names, ids and titles follow the rows' order on screen. */
function renumber() {
	const list = workerRows();
	list.forEach((li, i) => {
		li.dataset.index = String(i);
		li.querySelector('.worker-title').textContent = `第 ${i + 1} 人`;
		for (const f of WORKER_FIELDS) {
			const input = li.querySelector(`[data-name="${f}"]`);
			input.name = `workers[${i}].${f}`;
		}
		const rm = li.querySelector('[data-remove]');
		rm.hidden = list.length === 1;
		rm.setAttribute('aria-label', `删除第 ${i + 1} 人`);
	});
	$('add-worker').disabled = list.length >= MAX_WORKERS;
	updateTotal();
}

function addRow() {
	const li = $('worker-row').content.firstElementChild.cloneNode(true);
	const n = ++rowSeq;
	for (const f of WORKER_FIELDS) {
		const input = li.querySelector(`[data-name="${f}"]`);
		const label = li.querySelector(`[data-for="${f}"]`);
		input.id = `w${n}-${f}`;
		label.htmlFor = input.id;
	}
	li.querySelector('[data-remove]').addEventListener('click', () => {
		if (workerRows().length <= 1)
			return;
		const next = li.nextElementSibling || li.previousElementSibling;
		li.remove();
		renumber();
		saveDraft();
		next?.querySelector('input')?.focus();
	});
	rows.append(li);
	renumber();
	return li;
}

function setRowCount(n) {
	n = Math.max(1, Math.min(MAX_WORKERS, n | 0));
	while (workerRows().length < n)
		addRow();
	while (workerRows().length > n)
		rows.lastElementChild.remove();
	renumber();
}

/* Rows nobody typed into are left out (one row always stays). */
function dropEmptyRows() {
	for (const li of workerRows()) {
		if (workerRows().length <= 1)
			break;
		const empty = [...li.querySelectorAll('input')].every((i) => !i.value.trim());
		if (empty)
			li.remove();
	}
	renumber();
}

$('add-worker').addEventListener('click', () => {
	const li = addRow();
	saveDraft();
	li.querySelector('input').focus();
});

function updateTotal() {
	let fen = 0;
	let bad = false;
	const list = workerRows();
	for (const li of list) {
		const raw = li.querySelector('[data-name="amount_owed"]').value.trim();
		if (!raw)
			continue;
		const f = toFen(raw);
		if (f === null)
			bad = true;
		else
			fen += f;
	}
	$('total-amount').textContent = yuan(fen);
	$('total-count').textContent = String(list.length);
	$('total-note').hidden = !bad;
}

/* ---- Draft ---- */

function draftValues() {
	const values = {};
	for (const c of form.elements)
		if (c.name && c.value !== '')
			values[c.name] = c.value;
	return values;
}

function saveDraft() {
	const values = draftValues();
	if (!Object.keys(values).length) {
		store(DRAFT_KEY, null);
		return;
	}
	store(DRAFT_KEY, { workers: workerRows().length, values,
	    savedAt: new Date().toISOString() });
}

let unitWanted = '';            /* a unit_id restored before the list came */

function restoreValues(values) {
	for (const [name, value] of Object.entries(values)) {
		const c = form.querySelector(`[name="${CSS.escape(name)}"]`);
		if (!c)
			continue;
		c.value = value;
		if (name === 'unit_id' && c.value !== value)
			unitWanted = value;
	}
	updateTotal();
}

function restoreDraft() {
	const d = load(DRAFT_KEY, null);
	if (!d || !d.values)
		return false;
	setRowCount(d.workers || 1);
	restoreValues(d.values);
	return true;
}

form.addEventListener('input', (e) => {
	if (e.target.dataset.name === 'amount_owed')
		updateTotal();
	saveDraft();
});
form.addEventListener('change', saveDraft);

/* ---- Units ---- */

async function loadUnits() {
	const sel = $('h-unit');
	let items = [];
	try {
		const r = await cachedGet('/api/v1/units');
		items = (r.data && r.data.items) || [];
	} catch (err) {
		say(pageMsg, err.network ? '没有网络，无法加载工会列表。请联网后刷新页面。' :
		    `无法加载工会列表：${err.message}`, 'error');
		return;
	}
	/* Tree order, children indented under their parent. */
	const ids = new Set(items.map((u) => u.id));
	const kids = new Map();
	for (const u of items) {
		const p = ids.has(u.parent_id) ? u.parent_id : null;
		if (!kids.has(p))
			kids.set(p, []);
		kids.get(p).push(u);
	}
	const keep = sel.value || unitWanted;
	while (sel.options.length > 1)
		sel.remove(1);
	const seen = new Set();
	const walk = (parent, depth) => {
		for (const u of (kids.get(parent) || []).sort((a, b) => a.id - b.id)) {
			if (seen.has(u.id))
				continue;
			seen.add(u.id);
			sel.append(new Option('　'.repeat(depth) + u.name, String(u.id)));
			walk(u.id, depth + 1);
		}
	};
	walk(null, 0);
	sel.value = keep;
	if (sel.value === keep)
		unitWanted = '';
}

/* ---- The body, as the API wants it ---- */

function buildBody() {
	const body = readForm(form);
	if (body.employer_credit_code)
		body.employer_credit_code = body.employer_credit_code.toUpperCase();
	if (body.reporter && body.reporter.phone)
		body.reporter.phone = digitsOnly(body.reporter.phone);
	for (const w of body.workers || []) {
		if (!w)
			continue;
		if (w.id_number)
			w.id_number = w.id_number.replace(/\s/g, '').toUpperCase();
		if (w.phone)
			w.phone = digitsOnly(w.phone);
		if (w.amount_owed !== undefined)
			w.amount_owed = normalizeAmount(w.amount_owed);
	}
	return body;
}

/*
 * Without a network the server cannot look at the form now: check here
 * what can be checked, so the person fixes it while still at hand. With a
 * network the server's answer is the only judge.
 */
function localProblems(body) {
	const errors = [];
	const need = (field, message) => errors.push({ field, code: 'required', message });
	if (!body.unit_id)
		need('unit_id', '请选择所属工会');
	if (!body.employer_name)
		need('employer_name', '请填写欠薪单位');
	if (!body.industry)
		need('industry', '请选择行业');
	if (!body.reporter || !body.reporter.name)
		need('reporter.name', '请填写联系人姓名');
	if (!body.reporter || !body.reporter.phone)
		need('reporter.phone', '请填写联系人手机号');
	else if (!phoneOk(body.reporter.phone))
		errors.push({ field: 'reporter.phone', code: 'format', message: '手机号格式不正确' });
	workerRows().forEach((li, i) => {
		const w = (body.workers || [])[i] || {};
		const at = (f) => `workers[${i}].${f}`;
		if (!w.name)
			need(at('name'), '请填写姓名');
		if (w.id_number) {
			const p = idNumberProblem(w.id_number);
			if (p)
				errors.push({ field: at('id_number'), ...p });
		}
		if (w.phone && !phoneOk(w.phone))
			errors.push({ field: at('phone'), code: 'format', message: '手机号格式不正确' });
		if (!w.amount_owed)
			need(at('amount_owed'), '请填写被欠金额');
		else if (!toFen(w.amount_owed))
			errors.push({ field: at('amount_owed'), code: 'format',
			    message: '金额应为数字，最多两位小数，例如 3500 或 3500.50' });
	});
	return errors;
}

/* ---- Results, pending submissions, the form ---- */

function pendingList() {
	return load(PENDING_KEY, []);
}

function resultList() {
	return load(RESULTS_KEY, []);
}

function addResult(data, body) {
	const list = resultList().filter((r) => r.reference !== data.reference);
	list.push({ reference: data.reference, tracking_code: data.tracking_code,
	    status_label: data.status_label, employer_name: body?.employer_name || '',
	    at: new Date().toISOString() });
	store(RESULTS_KEY, list);
}

function removePending(id) {
	store(PENDING_KEY, pendingList().filter((p) => p.id !== id));
}

function resultCard(r) {
	const track = `/help/track.html?reference=${encodeURIComponent(r.reference)}`;
	const done = el('button', { type: 'button', class: 'btn secondary block' },
	    '我已记下');
	done.addEventListener('click', () => {
		store(RESULTS_KEY, resultList().filter((x) => x.reference !== r.reference));
		render();
	});
	return el('section', { class: 'card result', 'data-result': r.reference,
	    'aria-label': '提交结果' },
	    el('h2', { class: 'result-title', text: '✓ 求助已提交' }),
	    r.employer_name ? el('p', { class: 'muted', text: `欠薪单位：${r.employer_name}` }) : null,
	    el('p', { class: 'code-label', text: '案件编号' }),
	    el('p', { class: 'code-big', 'data-reference': '', text: r.reference }),
	    el('p', { class: 'code-label', text: '查询码' }),
	    el('p', { class: 'code-big', 'data-tracking-code': '', text: r.tracking_code }),
	    el('p', { class: 'msg warn keep-note', text: '请截图或抄下，查询进度需要这两项' }),
	    el('p', {}, el('a', { class: 'btn block', href: track }, '查询办理进度')),
	    done);
}

let formOpen = false;            /* "填写新的求助" was pressed */

function render() {
	const results = resultList();
	const pending = pendingList();
	const box = $('results');
	box.textContent = '';
	for (const r of results)
		box.append(resultCard(r));

	$('queued').hidden = pending.length === 0;
	const ql = $('queued-list');
	ql.textContent = '';
	for (const p of pending) {
		ql.append(el('li', {},
		    el('div', { class: 'name', text: p.body?.employer_name || '欠薪求助' }),
		    el('div', { class: 'muted',
		        text: `${(p.body?.workers || []).length} 人 · 保存于 ${p.createdAt.slice(0, 16).replace('T', ' ')}` })));
	}

	const busy = results.length > 0 || pending.length > 0;
	$('form-box').hidden = busy && !formOpen;
	$('new-box').hidden = !busy || formOpen;
}

$('new-form').addEventListener('click', () => {
	formOpen = true;
	render();
	$('h-unit').focus();
});

function resetForm() {
	form.reset();
	setRowCount(1);
	clearProblem(form);
	store(DRAFT_KEY, null);
	updateTotal();
}

/* A submission the server refused after it had waited: back into the
 * form, with the server's messages under the fields. */
function restoreRefused(p, problem) {
	removePending(p.id);
	dropFailed(p.id);
	resetForm();
	setRowCount((p.body.workers || []).length || 1);
	fillForm(form, p.body);
	updateTotal();
	saveDraft();
	formOpen = true;
	render();
	say(pageMsg, '之前保存的求助没有被接受，请按红字提示修改后重新提交。', 'error');
	showProblem(form, problem);
}

/* outbox:restored (the badge's "放回表单修改"): as many rows as the body. */
window.addEventListener('outbox:restored', (e) => {
	const { entry } = e.detail;
	if (entry.path !== PATH)
		return;
	removePending(entry.id);
	setRowCount((entry.body.workers || []).length || 1);
	fillForm(form, entry.body);
	showProblem(form, entry);
	updateTotal();
	saveDraft();
	formOpen = true;
	render();
});

window.addEventListener('outbox:sent', (e) => {
	const { entry, data } = e.detail;
	const p = pendingList().find((x) => x.id === entry.id);
	if (!p || !data || !data.reference)
		return;
	addResult(data, p.body);
	removePending(p.id);
	formOpen = false;
	render();
	say(pageMsg, '之前保存的求助已经提交成功。', 'ok');
	document.querySelector(`[data-result="${CSS.escape(data.reference)}"]`)
	    ?.scrollIntoView({ block: 'start' });
});

window.addEventListener('outbox:failed', (e) => {
	const { entry, error } = e.detail;
	const p = pendingList().find((x) => x.id === entry.id);
	if (p)
		restoreRefused(p, error);
});

/*
 * A pending submission that is no longer in the outbox was delivered
 * while this page was closed (or refused): ask again with the same key.
 */
const asking = new Set();

async function reconcile() {
	const box = outboxState();
	for (const p of pendingList()) {
		if (box.pending.some((e) => e.id === p.id) || asking.has(p.id))
			continue;
		const failed = box.failed.find((e) => e.id === p.id);
		if (failed) {
			restoreRefused(p, failed);
			continue;
		}
		asking.add(p.id);
		try {
			const r = await api('POST', p.path, p.body,
			    { idempotencyKey: p.key, full: true });
			if (r.data && r.data.reference) {
				addResult(r.data, p.body);
				removePending(p.id);
				formOpen = false;
				render();
			}
		} catch (err) {
			const transient = err.network || err.status === 429 ||
			    err.status >= 500 || err.status === 409;
			if (!transient)
				restoreRefused(p, err);
		} finally {
			asking.delete(p.id);
		}
	}
	render();
}

window.addEventListener('online', () => reconcile());
window.addEventListener('storage', (e) => {
	if (e.key === 'swn.outbox.v1' || e.key === PENDING_KEY || e.key === RESULTS_KEY)
		reconcile();
});
setInterval(() => {
	if (pendingList().length)
		reconcile();
}, 30000);

/* ---- Submit ---- */

form.addEventListener('submit', async (e) => {
	e.preventDefault();
	if (submitBtn.disabled)
		return;
	clearProblem(form);
	say(pageMsg, '');
	dropEmptyRows();
	saveDraft();
	const body = buildBody();

	if (navigator.onLine === false) {
		const errors = localProblems(body);
		if (errors.length) {
			showProblem(form, { detail: `有 ${errors.length} 处需要修改`, errors });
			return;
		}
	}

	submitBtn.disabled = true;
	submitBtn.textContent = '正在提交…';
	try {
		const r = await submit(PATH, body,
		    { label: `欠薪求助 ${body.employer_name || ''}`.trim() });
		if (r.queued) {
			const list = pendingList();
			list.push({ id: r.entry.id, key: r.entry.idempotencyKey,
			    path: r.entry.path, body, createdAt: r.entry.createdAt });
			store(PENDING_KEY, list);
			resetForm();
			formOpen = false;
			render();
			if (r.reason === 'server')
				say(pageMsg, '系统繁忙，求助已保存在本机，稍后会自动重试提交。', 'warn');
		} else {
			addResult(r.data, body);
			resetForm();
			formOpen = false;
			render();
		}
		window.scrollTo(0, 0);
	} catch (err) {
		/* Signed in as a volunteer, a unit outside their own is refused. */
		showProblem(form, err, { codeFields: { forbidden: 'unit_id' } });
	} finally {
		submitBtn.disabled = false;
		submitBtn.textContent = '提交求助';
	}
});

/* ---- Start ---- */

if (!restoreDraft())
	setRowCount(1);
render();
loadUnits();
reconcile();
/* The outbox already tries at start-up; once more after our listeners. */
if (pendingList().length)
	flush();
