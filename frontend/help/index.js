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
 *   until the person has confirmed twice that they have them (onceCard):
 *   the server shows the code only once.
 * - A delivery from the outbox never disturbs a second form being typed:
 *   the answer appears above it and the badge reports it; the form, its
 *   content and the focus stay as they are.
 */
import {
	api, busy, checkForm, clearProblem, dropFailed, el, fillForm, flush,
	formatTime, keptList, loadUnitOptions, onceCard, outboxState, queuedText,
	readForm, refreshCounters, say, showProblem, submit,
} from '/assets/api.js';
import { toFen, yuan } from '/help/wage.js';

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
const results = keptList(RESULTS_KEY);

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

/* A unit restored before the list came is chosen once it comes. */
function restoreValues(values) {
	for (const [name, value] of Object.entries(values)) {
		const c = form.querySelector(`[name="${CSS.escape(name)}"]`);
		if (!c)
			continue;
		c.value = value;
		if (c.tagName === 'SELECT' && c.value !== value)
			c.dataset.wanted = value;
	}
	refreshCounters(form);
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

function loadUnits() {
	return loadUnitOptions($('h-unit'));
}

/* ---- Results, pending submissions, the form ---- */

function pendingList() {
	return load(PENDING_KEY, []);
}

function addResult(data, body) {
	results.add({ reference: data.reference, tracking_code: data.tracking_code,
	    status_label: data.status_label, employer_name: body?.employer_name || '',
	    at: new Date().toISOString() }, (r) => r.reference === data.reference);
}

function removePending(id) {
	store(PENDING_KEY, pendingList().filter((p) => p.id !== id));
}

function resultCard(r) {
	const track = `/help/track.html?reference=${encodeURIComponent(r.reference)}`;
	const card = onceCard({
		title: '✓ 求助已提交',
		intro: r.employer_name ?
		    [el('p', { class: 'muted', text: `欠薪单位：${r.employer_name}` })] : [],
		items: [
			{ label: '案件编号', value: r.reference, attr: 'data-reference' },
			{ label: '查询码', value: r.tracking_code, attr: 'data-tracking-code' },
		],
		note: '请截图或抄下，查询进度需要这两项',
		fileName: `欠薪求助-${r.reference}.png`,
		extra: [el('p', {}, el('a', { class: 'btn block', href: track }, '查询办理进度'))],
		onDiscard: () => {
			results.remove((x) => x.reference === r.reference);
			render();
			$('new-form').focus();
		},
	});
	card.dataset.result = r.reference;
	return card;
}

/* Where a waiting submission stands, from its outbox entry. */
function stateOf(p, box) {
	const e = box.pending.find((x) => x.id === p.id);
	if (navigator.onLine === false)
		return 'offline';
	return (e && e.state) || 'new';
}

const STATE_WORD = {
	offline: '等待网络',
	unanswered: '已发出，等待回复',
	busy: '稍后自动重试',
	auth: '等待登录',
	new: '正在提交',
};

function renderQueued(pending) {
	$('queued').hidden = pending.length === 0;
	if (!pending.length)
		return;
	const box = outboxState();
	const states = pending.map((p) => stateOf(p, box));
	const title = $('queued-title');
	const text = $('queued-text');
	if (states.includes('unanswered')) {
		title.textContent = '已发出，正在确认是否提交成功';
		text.textContent = `${queuedText('unanswered')}确认后这里会显示案件编号和查询码。`;
	} else if (states.every((s) => s === 'offline')) {
		title.textContent = '已保存，联网后自动提交';
		text.textContent = '您的求助已经保存在这部手机上。有网络时会自动提交，' +
		    '提交成功后这里会显示案件编号和查询码。';
	} else {
		title.textContent = '已保存，正在提交';
		text.textContent = states.includes('busy') ? queuedText('server') :
		    '您的求助已经保存在这部手机上，正在提交，成功后这里会显示案件编号和查询码。';
	}
	const ql = $('queued-list');
	ql.textContent = '';
	pending.forEach((p, i) => {
		ql.append(el('li', { 'data-state': states[i] },
		    el('div', { class: 'name', text: p.body?.employer_name || '欠薪求助' }),
		    el('div', { class: 'muted', 'data-saved-at': '',
		        text: `${(p.body?.workers || []).length} 人 · 保存于 ` +
			    `${formatTime(p.createdAt, 'short')} · ${STATE_WORD[states[i]]}` })));
	});
}

let formOpen = false;            /* "填写新的求助" was pressed */

let shownResults = null;          /* what the results box shows now */

/*
 * Draws the answers and the waiting submissions. The form itself is only
 * hidden or shown by what the person does (submitting, "填写新的求助"),
 * never by a delivery: a redraw leaves it, its content and the focus alone.
 */
function render() {
	const list = results.list();
	const pending = pendingList();
	const key = list.map((r) => r.reference).join(',');
	if (key !== shownResults) {
		const box = $('results');
		box.textContent = '';
		for (const r of list)
			box.append(resultCard(r));
		shownResults = key;
	}
	renderQueued(pending);
	const waiting = list.length > 0 || pending.length > 0;
	$('form-box').hidden = waiting && !formOpen;
	$('new-box').hidden = !waiting || formOpen;
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
	refreshCounters(form);
	updateTotal();
}

/* Does the form hold another case, being typed or kept as a draft? */
function formInUse() {
	return form.contains(document.activeElement) ||
	    Object.keys(draftValues()).length > 0;
}

/* A submission the server refused after it had waited: back into the
 * form, with the server's messages under the fields; or, while another
 * case is being typed, left in the badge's "需要处理" for later. */
function restoreRefused(p, problem) {
	removePending(p.id);
	if (formInUse()) {
		render();
		say(pageMsg, '之前保存的一份求助没有被接受，请在页面顶部“需要处理”中查看。',
		    'error');
		return;
	}
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
	render();
	say(pageMsg, '之前保存的求助已经提交成功，案件编号和查询码见下方。', 'ok');
});

/* The outbox tried again, or the network came or went: say where the
 * waiting submissions stand. */
window.addEventListener('outbox:change', () => renderQueued(pendingList()));
window.addEventListener('offline', () => renderQueued(pendingList()));

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
	if (e.key === PENDING_KEY || e.key === RESULTS_KEY)
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
	say(pageMsg, '');
	dropEmptyRows();
	saveDraft();
	/* Every problem the phone can see, all at once, in the server's words. */
	if (!checkForm(form))
		return;
	const body = readForm(form);
	const done = busy(submitBtn);
	try {
		const r = await submit(PATH, body,
		    { label: `欠薪求助 ${body.employer_name || ''}`.trim() });
		if (r.queued) {
			const list = pendingList();
			list.push({ id: r.entry.id, key: r.entry.idempotencyKey,
			    path: r.entry.path, body, createdAt: r.entry.createdAt });
			store(PENDING_KEY, list);
		} else {
			addResult(r.data, body);
		}
		resetForm();
		formOpen = false;
		render();
		window.scrollTo(0, 0);
	} catch (err) {
		/* Signed in as a volunteer, a unit outside their own is refused. */
		showProblem(form, err, { codeFields: { forbidden: 'unit_id' } });
	} finally {
		done();
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
