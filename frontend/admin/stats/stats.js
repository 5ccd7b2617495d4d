/*
 * 统计报表: the official table of a unit for a campaign, as the staff of
 * the union read it, fill it in, report it and approve it (API.md
 * "Statistics", docs/statistics.md).
 *
 * - Pickers for the unit (the caller's subtree) and the campaign; the
 *   caller's unit and the campaign running today (Asia/Shanghai) by
 *   default (see runningCampaign()); both in the address.
 * - The table in the form's own layout (GET /stats/form draws it, GET
 *   /stats fills it), printable on A4 (stats.css). Every figure computed
 *   from records opens the records behind it (GET /stats/records); a row
 *   without a drill-down yet says so.
 * - Rows B1–B6, E1–E5, F1–F3 are typed into the table itself by the unit's
 *   own staff (PUT /stats/entries with If-Match); B, E and F add up while
 *   typing. What is typed is kept in localStorage until it is saved.
 * - The rules (GET /stats/validation) beside the rows they name, and in a
 *   list; the reporting state with the buttons the caller may use:
 *   上报 (the unit), 审核通过 / 退回 (staff above it, admins), 重新开放
 *   (admins).
 * - Only what can succeed is offered: once a figure moved after the
 *   table was reported, the API refuses 审核通过 (409 figures_changed),
 *   so only 退回 is offered, with the reason.
 * - For a unit with units below it: who has reported (GET
 *   /stats/reporting) with the reporting rate, and each unit's figures
 *   with the total (GET /stats/by-unit).
 * - Admins reach the campaigns (/admin/campaigns.html) from the picker.
 * - A session that ended sends the person to sign in and back
 *   (signInAgain()); the typed figures (the draft) and a return note
 *   (keepForm()) are there when they come back.
 */
import {
	api, busy, cachedGet, checkForm, clearProblem, confirmStep, el,
	formatMoney, formatTime, keepForm, loginUrl, readForm, refreshCounters,
	resumeDone, resumeNote, say, showProblem, signInAgain, toFen, toast, todayShanghai,
	unitOptions,
} from '/assets/api.js';

const API = '/api/v1';
const DRAFT_PREFIX = 'swn.stats.draft.v1:';
const COUNT_MAX = 10000000;

const $ = (id) => document.getElementById(id);
const pageMsg = $('page-msg');
const pick = $('pick');
const unitSel = $('p-unit');
const campSel = $('p-campaign');
const entryForm = $('entry-form');
const body = $('sheet-body');

let me = null;
let units = [];                 /* GET /units */
let campaigns = [];
let formRows = [];              /* GET /stats/form */
let view = null;                /* what is shown: see load() */
let seq = 0;                    /* answers to an older choice are dropped */
let drill = null;               /* {code, cursor} */
let resumed = null;             /* what signInAgain() left undone, said once */

/* A return note being typed, for the unit and campaign shown. */
const keptReturn = keepForm($('return-form'), () => (view ?
    `stats.return:${view.unit.id}:${view.campaign.id}` : 'stats.return'));

/* ---- Units ---- */

const unitOf = (id) => units.find((u) => u.id === id);

/* Is a a strict ancestor of b? */
function above(a, b) {
	let u = unitOf(b);
	const seen = new Set();
	while (u && u.parent_id !== null && !seen.has(u.id)) {
		seen.add(u.id);
		if (u.parent_id === a)
			return true;
		u = unitOf(u.parent_id);
	}
	return false;
}

const childrenOf = (id) => units.filter((u) => u.parent_id === id);

/* ---- Figures ---- */

/* Fen → 万元 with 2 decimals, half up, as the API rounds. */
function wan(fen) {
	const h = Math.floor((fen + 5000) / 10000);
	return `${Math.floor(h / 100)}.${String(h % 100).padStart(2, '0')}`;
}

const isMoney = (def) => def.unit === '万元';

/* A row of /stats as a number: fen for 万元 rows, else the count. */
function amount(row) {
	if (!row)
		return null;
	return row.yuan !== undefined ? toFen(row.yuan) : row.value;
}

function shown(def, row) {
	if (!row)
		return '';
	return isMoney(def) ? row.value : String(row.value);
}

/* ---- Drafts of what is typed ---- */

const draftKey = () => `${DRAFT_PREFIX}${view.unit.id}:${view.campaign.id}`;

function readDraft() {
	try {
		return JSON.parse(localStorage.getItem(draftKey()));
	} catch (e) {
		return null;
	}
}

function writeDraft() {
	const values = {};
	for (const i of entryForm.querySelectorAll('input[data-entry]'))
		values[i.dataset.entry] = i.value;
	try {
		localStorage.setItem(draftKey(), JSON.stringify({
		    version: view.entries.version, values, at: new Date().toISOString() }));
	} catch (e) { /* storage off: the inputs still hold it */ }
}

function dropDraft() {
	try {
		localStorage.removeItem(draftKey());
	} catch (e) { /* nothing kept */ }
}

/* ---- Loading ---- */

function problemText(err, what) {
	if (err.network)
		return `没有网络，${what}没有加载成功。`;
	return `${what}没有加载成功：${err.message}`;
}

async function get(path) {
	return api('GET', `${API}${path}`);
}

/*
 * Everything about one unit and campaign: the table, the unit's own
 * entries with its submission and lock, the rules, and for a unit with
 * units below it the reporting table and the per-unit figures.
 */
async function load() {
	const mine = ++seq;
	const unit = unitOf(Number(unitSel.value));
	const campaign = campaigns.find((c) => c.id === Number(campSel.value));
	if (!unit || !campaign)
		return;
	const q = `unit_id=${unit.id}&campaign_id=${campaign.id}`;
	history.replaceState(null, '', `${location.pathname}?${q}`);
	$('p-period').textContent =
	    `统计期间 ${campaign.from} 至 ${campaign.to}，报送截止 ${campaign.report_due}`;
	say(pageMsg, '正在加载统计表…', 'loading');
	const parent = childrenOf(unit.id).length > 0;
	try {
		const [stats, entries, rules, byUnit, reporting] = await Promise.all([
			get(`/stats?${q}`),
			get(`/stats/entries?${q}`),
			get(`/stats/validation?${q}`),
			parent ? get(`/stats/by-unit?parent_id=${unit.id}&campaign_id=${campaign.id}`) : null,
			parent ? get(`/stats/reporting?parent_id=${unit.id}&campaign_id=${campaign.id}`) : null,
		]);
		const submission = entries.submission ?
		    await get(`/stats/submissions/${entries.submission.id}`) : null;
		if (mine !== seq)
			return;
		view = { unit, campaign, stats, entries, rules, byUnit, reporting, submission,
		    table: new Map(stats.rows.map((r) => [r.code, r])) };
		say(pageMsg, '');
		render();
		if (resumed) {
			say($('s-msg'), resumed, 'warn');
			toast(resumed, 'warn');
			resumed = null;
		}
	} catch (err) {
		if (mine !== seq)
			return;
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		say(pageMsg, problemText(err, '统计表'), err.network ? 'warn' : 'error');
		pageMsg.append(' ', el('button', { type: 'button', class: 'btn small secondary',
		    text: '重试', onclick: () => load() }));
	}
}

/* ---- Who may do what ---- */

const state = () => (view.submission ? view.submission.state : null);
const standing = () => ['submitted', 'approved'].includes(state());
const ownUnit = () => me.role === 'admin' || me.unit_id === view.unit.id;
const canEdit = () => ownUnit() && !view.entries.lock && !standing();
const canSubmit = () => ownUnit() && !view.entries.lock && !standing();
const canDecide = () => state() === 'submitted' &&
    (me.role === 'admin' || above(me.unit_id, view.unit.id));
/* 审核通过 succeeds only while the figures are the ones reported. */
const canApprove = () => canDecide() && moved().length === 0;
const canReopen = () => state() === 'approved' && me.role === 'admin';

/* ---- The table ---- */

function valueCell(def) {
	const row = view.table.get(def.code);
	const td = el('td', { class: 'c-val' });
	if (def.source === 'entered' && canEdit())
		return entryCell(def, td);
	if (def.source === 'sum') {
		const out = el('output', { 'data-sum': def.code, text: shown(def, row) });
		td.append(out);
		if (isMoney(def) && row)
			td.append(el('span', { class: 'yuan', 'data-yuan': def.code,
			    text: `${row.yuan} 元` }));
		return td;
	}
	if (!row) {
		td.append(el('span', { class: 'none', text: '' }));
		return td;
	}
	if (def.source === 'records') {
		const b = el('button', { type: 'button', class: 'fig', 'data-row': def.code,
		    'aria-label': `${def.code} ${def.label}：${shown(def, row)}${def.unit}，查看明细`,
		    text: shown(def, row), onclick: () => openDrill(def.code) });
		td.append(b);
	} else {
		td.append(el('span', { class: 'fig-plain', 'data-value': def.code,
		    text: shown(def, row) }));
	}
	if (isMoney(def))
		td.append(el('span', { class: 'yuan', text: `${row.yuan} 元` }));
	return td;
}

/* An input for one entered row: yuan for B1–B6, 人次 for E and F. */
function entryCell(def, td) {
	const money = isMoney(def);
	const own = view.entries.values[def.code];
	const id = `e-${def.code}`;
	const name = def.label.replace(/^其中：/, '');
	const input = el('input', {
		id, name: `values.${def.code}`, type: 'text',
		inputmode: money ? 'decimal' : 'numeric', autocomplete: 'off',
		class: 'entry', 'data-entry': def.code,
		'data-kind': money ? 'money' : 'int', 'data-min': '0',
		'data-max': money ? '100000000' : String(COUNT_MAX),
		'data-label': `${def.code} ${name}`,
		'aria-describedby': `${id}-unit`,
	});
	if (!money)
		input.dataset.type = 'int';
	input.value = own === null || own === undefined ? '' : String(own);
	const field = el('div', { class: 'field entry-field' },
	    el('label', { for: id, class: 'sr-only', text: `${def.code} ${name}（${money ? '元' : '人次'}）` }),
	    el('span', { class: 'entry-box' }, input,
		el('span', { class: 'suffix', id: `${id}-unit`, text: money ? '元' : '人次' })),
	    el('span', { class: 'print-value', 'data-print': def.code }));
	if (money)
		field.append(el('span', { class: 'yuan', 'data-conv': def.code }));
	if (childrenOf(view.unit.id).length)
		field.append(el('span', { class: 'rollup', 'data-rollup': def.code }));
	td.append(field);
	return td;
}

/* Codes of the rows each group of the form spans, for the 编号 cells. */
function groupSizes() {
	const n = new Map();
	for (const d of formRows)
		n.set(d.number, (n.get(d.number) || 0) + 1);
	return n;
}

function renderSheet() {
	const sizes = groupSizes();
	body.textContent = '';
	let last = null;
	for (const def of formRows) {
		const tr = el('tr', { 'data-code': def.code, class: `src-${def.source}` });
		if (def.number !== last) {
			tr.append(el('td', { class: 'c-no', rowspan: String(sizes.get(def.number)),
			    text: String(def.number) }));
			last = def.number;
		}
		tr.append(el('th', { scope: 'row', class: 'c-code', text: def.code }));
		if (def.indicator === null) {
			tr.append(el('td', { class: 'c-item', colspan: '2', text: def.item }));
		} else {
			if (def.item !== null)
				tr.append(el('td', { class: 'c-item', rowspan: String(def.item_rows),
				    text: def.item }));
			tr.append(el('td', { class: 'c-ind', text: def.indicator }));
		}
		tr.append(valueCell(def));
		body.append(tr);
	}
	const editing = canEdit();
	$('entry-actions').hidden = !editing;
	$('entry-hint').hidden = !editing;
	if (editing) {
		const d = readDraft();
		if (d && d.values) {
			for (const [code, v] of Object.entries(d.values)) {
				const i = entryForm.querySelector(`input[data-entry="${code}"]`);
				if (i)
					i.value = v;
			}
			$('draft-note').textContent = d.version === view.entries.version ?
			    `已恢复 ${formatTime(d.at, 'short')} 未保存的填写，请保存。` :
			    '已恢复未保存的填写；服务器上的数字在此期间被修改过，请核对后保存。';
		} else {
			$('draft-note').textContent = '';
		}
		refreshCounters(entryForm);
	} else {
		$('draft-note').textContent = '';
	}
	updateSums();
	renderViolationsInSheet();
}

/*
 * B, E, F while typing: each entered row is the others' part (the table's
 * figure less the unit's own saved entry) plus what is typed now.
 */
function updateSums() {
	const live = new Map();
	for (const def of formRows) {
		if (def.source !== 'entered')
			continue;
		const row = view.table.get(def.code);
		const money = isMoney(def);
		const saved = view.entries.values[def.code];
		const savedN = saved === null || saved === undefined ? 0 :
		    money ? toFen(saved) : saved;
		const others = (amount(row) ?? 0) - savedN;
		const input = entryForm.querySelector(`input[data-entry="${def.code}"]`);
		let own = savedN;
		if (input) {
			const raw = input.value.trim();
			own = raw === '' ? 0 : money ? (toFen(raw) ?? 0) :
			    (/^\d+$/.test(raw) ? Number(raw) : 0);
			const conv = entryForm.querySelector(`[data-conv="${def.code}"]`);
			if (conv)
				conv.textContent = raw === '' ? '' : `= ${wan(own)} 万元`;
			const p = entryForm.querySelector(`[data-print="${def.code}"]`);
			if (p)
				p.textContent = row || raw !== '' ?
				    (money ? wan(others + own) : String(others + own)) : '';
			const roll = entryForm.querySelector(`[data-rollup="${def.code}"]`);
			if (roll)
				roll.textContent = `含下级共 ${money ? formatMoney(others + own) :
				    `${others + own} 人次`}`;
		}
		live.set(def.code, others + own);
	}
	for (const sum of ['B', 'E', 'F']) {
		const parts = formRows.filter((d) => d.source === 'entered' &&
		    d.code.startsWith(sum));
		const any = view.table.has(sum) ||
		    parts.some((d) => {
			    const i = entryForm.querySelector(`input[data-entry="${d.code}"]`);
			    return i && i.value.trim() !== '';
		    });
		const total = parts.reduce((s, d) => s + (live.get(d.code) || 0), 0);
		const out = body.querySelector(`output[data-sum="${sum}"]`);
		if (!out)
			continue;
		out.textContent = !any ? '' : sum === 'B' ? wan(total) : String(total);
		const y = body.querySelector(`[data-yuan="${sum}"]`);
		if (sum === 'B') {
			const node = y || el('span', { class: 'yuan', 'data-yuan': 'B' });
			node.textContent = any ? `${formatMoney(total)}` : '';
			if (!y)
				out.after(node);
		}
	}
}

entryForm.addEventListener('input', (e) => {
	if (!e.target.matches('input[data-entry]'))
		return;
	updateSums();
	writeDraft();
	$('draft-note').textContent = '有未保存的填写（已保存在本机）。';
});

/* ---- Rules ---- */

const LEVEL = { error: '错误', warning: '提示' };

function renderViolationsInSheet() {
	for (const tr of body.querySelectorAll('tr.violation'))
		tr.remove();
	for (const tr of body.querySelectorAll('tr.flag-error, tr.flag-warning'))
		tr.classList.remove('flag-error', 'flag-warning');
	for (const v of view.rules.items) {
		let last = null;
		for (const code of v.rows) {
			const tr = body.querySelector(`tr[data-code="${code}"]`);
			if (!tr)
				continue;
			tr.classList.add(`flag-${v.level}`);
			last = tr;
		}
		if (!last)
			continue;
		/* The message goes below the pair or group the rule names. */
		let at = last;
		while (at.nextElementSibling && at.nextElementSibling.classList.contains('violation'))
			at = at.nextElementSibling;
		at.after(el('tr', { class: `violation ${v.level}`, 'data-rule': v.rule },
		    el('td', { colspan: '5' },
			el('span', { class: 'level', text: LEVEL[v.level] || v.level }), ' ',
			v.message)));
	}
}

function renderRules() {
	const list = $('rules-list');
	list.textContent = '';
	const { errors, warnings, items } = view.rules;
	$('rules-sum').textContent = items.length === 0 ? '全部通过，可以上报。' :
	    `${errors} 项错误（须改正才能上报），${warnings} 项提示（请核实）。按已保存的数字检查。`;
	for (const v of items) {
		list.append(el('li', { class: `rule ${v.level}`, 'data-rule': v.rule },
		    el('span', { class: 'level', text: LEVEL[v.level] || v.level }), ' ',
		    el('span', { text: v.message })));
	}
	$('rules-card').hidden = false;
	const pr = $('print-rules');
	pr.textContent = items.length ? `审核规则检查：${items.map((v) =>
	    `${LEVEL[v.level]}：${v.message}`).join('；')}` : '审核规则检查：全部通过。';
}

/* ---- Reporting state and its buttons ---- */

function fact(dl, name, value) {
	if (value)
		dl.append(el('dt', { text: name }), el('dd', { text: value }));
}

/* The rows whose live figure is no longer the one reported. */
function moved() {
	if (!standing() || !view.submission.snapshot)
		return [];
	const snap = new Map(view.submission.snapshot.rows.map((r) => [r.code, r]));
	const out = [];
	for (const def of formRows) {
		const a = snap.get(def.code);
		const b = view.table.get(def.code);
		if (JSON.stringify(a ? [a.value, a.yuan] : null) !==
		    JSON.stringify(b ? [b.value, b.yuan] : null))
			out.push(`${def.code}（上报 ${a ? a.value : '—'}，现在 ${b ? b.value : '—'}）`);
	}
	return out;
}

function renderStatus() {
	const s = view.submission;
	const lock = view.entries.lock;
	const badge = $('s-state');
	const label = s ? s.state_label : '未上报';
	badge.textContent = label;
	badge.dataset.state = s ? s.state : 'none';
	badge.className = `status big st-${s ? s.state : 'none'}`;
	const dl = $('s-facts');
	dl.textContent = '';
	fact(dl, '报送截止', view.campaign.report_due);
	if (s) {
		fact(dl, '上报时间', formatTime(s.submitted_at));
		fact(dl, '上报人', s.submitted_by);
		fact(dl, s.reopened_at ? '重新开放' : '审核时间',
		    s.reopened_at ? `${formatTime(s.reopened_at)} ${s.reopened_by || ''}` :
		    s.decided_at ? `${formatTime(s.decided_at)} ${s.decided_by || ''}` : '');
		fact(dl, s.state === 'returned' ? '退回意见' : '意见', s.note);
	}
	const msg = $('s-msg');
	const changed = moved();
	if (lock && (!s || s.state !== 'approved' || lock.unit_id !== view.unit.id)) {
		say(msg, `${lock.unit_name}的《${lock.campaign_title}》报表已由${lock.approved_by || '上级'}` +
		    `审核通过，本期数字已锁定。`, 'warn');
	} else if (s && s.state === 'approved') {
		say(msg, '报表已审核通过：本单位及下级单位本期的记录已锁定，不能新增、修改或删除。', 'ok');
	} else if (changed.length && canDecide()) {
		say(msg, `上报后数字有变动：${changed.join('、')}。数字与上报时不一致，不能审核通过：` +
		    '请点“退回”并写明原因，由填报单位核对后重新上报。', 'warn');
	} else if (changed.length) {
		say(msg, `上报后数字有变动：${changed.join('、')}。审核通过前须退回，由本单位核对后重新上报。`,
		    'warn');
	} else if (s && s.state === 'returned') {
		say(msg, '报表已退回：请按意见核对、修改后重新上报。', 'warn');
	} else {
		say(msg, '');
	}
	const acts = $('s-actions');
	acts.textContent = '';
	if (canSubmit())
		acts.append(el('button', { type: 'button', class: 'btn', id: 'submit-report',
		    'data-busy': '正在上报…', text: s ? '重新上报' : '上报报表', onclick: (e) => doSubmit(e.currentTarget) }));
	if (canApprove()) {
		acts.append(el('button', { type: 'button', class: 'btn', id: 'approve',
		    'data-busy': '正在审核…', text: '审核通过', onclick: (e) => doApprove(e.currentTarget) }));
	}
	if (canDecide()) {
		acts.append(el('button', { type: 'button', class: `btn${canApprove() ? ' secondary' : ''}`,
		    id: 'return', text: '退回', onclick: () => openReturn() }));
	}
	if (canReopen())
		acts.append(el('button', { type: 'button', class: 'btn secondary', id: 'reopen',
		    'data-busy': '正在重新开放…', text: '重新开放', onclick: (e) => doReopen(e.currentTarget) }));
	$('return-form').hidden = true;
	clearProblem($('return-form'));
	$('return-form').elements.note.value = '';
	/* A return note typed before a reload or a sign-in comes back. */
	if (canDecide() && keptReturn.restore() && $('return-form').elements.note.value.trim())
		$('return-form').hidden = false;
	$('status-card').hidden = false;
}

/* An answer to an action: 401 signs in again, the rest is said. */
function failedAction(err, what) {
	if (err.status === 401) {
		signInAgain(what);
		return;
	}
	const text = err.network ? `没有网络，${what}没有完成，请联网后再试。` :
	    err.status === 412 || err.status === 428 ?
		'报表已被他人处理，已重新加载，请确认后再操作。' :
		`${what}没有完成：${err.detail || err.message}`;
	say($('s-msg'), text, 'error');
	toast(text, 'error');
}

function dirty() {
	if (!canEdit())
		return false;
	for (const i of entryForm.querySelectorAll('input[data-entry]')) {
		const saved = view.entries.values[i.dataset.entry];
		const a = i.value.trim();
		const b = saved === null || saved === undefined ? '' : String(saved);
		if (a !== b && !(a !== '' && b !== '' && toFen(a) === toFen(b)))
			return true;
	}
	return false;
}

async function doSubmit(button) {
	if (dirty()) {
		toast('表中有未保存的填写，请先点“保存填报数字”。', 'warn');
		$('save').focus();
		return;
	}
	const w = view.rules.warnings;
	const ok = await confirmStep({
		title: `确定上报${view.unit.name}的报表？`,
		consequence: ['上报后本单位本期填报的数字不能再修改，除非上级退回。',
		    w ? `有 ${w} 项提示，会随报表一并记录。` : ''],
		yes: '确定上报', danger: false,
	});
	if (!ok)
		return;
	const done = busy(button);
	try {
		await api('POST', `${API}/stats/submissions`,
		    { unit_id: view.unit.id, campaign_id: view.campaign.id });
		resumeDone('上报');
		toast('报表已上报，等待上级审核。', 'ok');
		await load();
	} catch (err) {
		if (err.code === 'validation_rules' && err.body && err.body.violations) {
			view.rules = { items: err.body.violations, errors: err.body.errors,
			    warnings: err.body.warnings };
			renderRules();
			renderViolationsInSheet();
		}
		failedAction(err, '上报');
	} finally {
		if (button.isConnected)
			done();
	}
}

async function decide(action, bodyIn, button, what) {
	const done = busy(button);
	try {
		await api('POST', `${API}/stats/submissions/${view.submission.id}/${action}`, bodyIn,
		    { headers: { 'If-Match': `"${view.submission.version}"` } });
		if (action === 'return')
			keptReturn.clear();
		resumeDone(what);
		toast(`${what}成功。`, 'ok');
		await load();
		return true;
	} catch (err) {
		if (err.status === 400)
			throw err;
		failedAction(err, what);
		if (err.status === 409 || err.status === 412 || err.status === 428)
			await load();
		return false;
	} finally {
		if (button.isConnected)
			done();
	}
}

async function doApprove(button) {
	const ok = await confirmStep({
		title: `审核通过${view.unit.name}的报表？`,
		consequence: ['审核通过后，该单位及其下级单位本期的记录将被锁定，不能再新增、修改或删除。',
		    '如需更正，只能由管理员重新开放。'],
		yes: '审核通过', danger: false,
	});
	if (ok)
		await decide('approve', {}, button, '审核');
}

function openReturn() {
	const f = $('return-form');
	f.hidden = false;
	clearProblem(f);
	f.elements.note.focus();
}

$('return-cancel').addEventListener('click', () => {
	$('return-form').hidden = true;
});

$('return-form').addEventListener('submit', async (e) => {
	e.preventDefault();
	const f = $('return-form');
	if (!checkForm(f))
		return;
	try {
		if (await decide('return', readForm(f), e.submitter || $('return-go'), '退回'))
			f.reset();
	} catch (err) {
		showProblem(f, err);
	}
});

async function doReopen(button) {
	const ok = await confirmStep({
		title: `重新开放${view.unit.name}的报表？`,
		consequence: ['重新开放后本期记录解除锁定，报表退回该单位，需重新上报和审核。'],
		yes: '重新开放',
	});
	if (ok)
		await decide('reopen', {}, button, '重新开放');
}

/* ---- Saving the entries ---- */

entryForm.addEventListener('submit', async (e) => {
	e.preventDefault();
	if (!canEdit() || !checkForm(entryForm))
		return;
	const typed = readForm(entryForm);
	const bodyOut = { unit_id: view.unit.id, campaign_id: view.campaign.id,
	    values: typed.values || {} };
	if (view.entries.notes && Object.keys(view.entries.notes).length)
		bodyOut.notes = view.entries.notes;       /* kept as they were */
	const headers = view.entries.version ?
	    { 'If-Match': `"${view.entries.version}"` } : {};
	const done = busy(e.submitter || $('save'));
	try {
		await api('PUT', `${API}/stats/entries`, bodyOut, { headers });
		dropDraft();
		resumeDone('保存填报数字');
		toast('填报数字已保存，审核规则已重新检查。', 'ok');
		await load();
	} catch (err) {
		if (err.status === 401) {
			writeDraft();
			signInAgain('保存填报数字');
		} else if (err.status === 400) {
			showProblem(entryForm, err);
		} else if (err.status === 412 || err.status === 428) {
			writeDraft();
			toast('数字已被他人修改，已重新加载；你的填写仍在表中，请核对后再保存。', 'warn');
			await load();
		} else {
			const text = err.network ? '没有网络，数字没有保存（填写已保存在本机），请联网后再试。' :
			    `没有保存：${err.detail || err.message}`;
			say($('sheet-msg'), text, 'error');
			toast(text, 'error');
			if (err.status === 409)
				await load();
		}
	} finally {
		done();
	}
});

/* ---- Drill-down ---- */

const KIND = {
	wage_case_worker: '欠薪案件农民工',
	wage_recovery: '追回工资',
	visit: '走访记录',
	safe_return: '平安返乡',
};

function drillItem(it) {
	const parts = [];
	for (const k of ['reference', 'enterprise_name', 'name'])
		if (it[k])
			parts.push(it[k]);
	const days = ['accepted_on', 'recovered_on', 'visited_on', 'depart_on', 'placed_on']
	    .filter((k) => it[k]).map((k) => it[k]);
	const what = it.amount !== undefined ? formatMoney(it.amount) :
	    it.count !== undefined ? `${it.count} 人次` : '';
	const line = el('li', { 'data-record': String(it.id) },
	    el('div', { class: 'name', text: parts.join(' · ') || `#${it.id}` }),
	    el('div', { class: 'muted', text: [KIND[it.kind] || it.kind, ...days, what]
		.filter(Boolean).join(' · ') }));
	if (it.case_id)
		line.append(el('a', { href: `/admin/case.html?id=${it.case_id}`, text: '查看案件' }));
	return line;
}

async function openDrill(code, more = false) {
	const card = $('drill-card');
	const list = $('drill-list');
	const msg = $('drill-msg');
	const def = formRows.find((d) => d.code === code);
	if (!more) {
		drill = { code, cursor: null };
		list.textContent = '';
		$('drill-title').textContent = `${code} ${def ? def.label : ''}`;
		$('drill-more').hidden = true;
		card.hidden = false;
		card.focus();
		card.scrollIntoView({ block: 'start' });
	}
	say(msg, '正在加载明细…', 'loading');
	const q = new URLSearchParams({ row: code, unit_id: view.unit.id,
	    campaign_id: view.campaign.id, limit: '50' });
	if (more && drill.cursor)
		q.set('cursor', drill.cursor);
	const done = busy(more ? $('drill-more') : null, '正在加载…');
	try {
		const r = await get(`/stats/records?${q}`);
		if (!drill || drill.code !== code)
			return;
		for (const it of r.items)
			list.append(drillItem(it));
		drill.cursor = r.next_cursor;
		$('drill-more').hidden = !r.next_cursor;
		say(msg, list.children.length ?
		    `共计 ${def && isMoney(def) ? `${r.value} 万元（${r.yuan} 元）` : `${r.value} ${def ? def.unit : ''}`}，由以下记录构成：` :
		    '这一项没有记录。');
	} catch (err) {
		if (err.status === 400)
			say(msg, '这一项暂时不能查看明细：它的记录类型还没有提供明细查询。', 'warn');
		else
			say(msg, problemText(err, '明细'), err.network ? 'warn' : 'error');
	} finally {
		done();
	}
}

$('drill-more').addEventListener('click', () => drill && openDrill(drill.code, true));
$('drill-close').addEventListener('click', () => {
	$('drill-card').hidden = true;
	drill = null;
	const b = body.querySelector('button.fig');
	if (b)
		b.focus();
});

/* ---- Units below: reporting and figures ---- */

const REPORT_STATE = {
	not_started: '未填报', draft: '已填写未上报', submitted: '已上报，待审核',
	approved: '已审核通过', returned: '已退回',
};

function renderReporting() {
	const card = $('report-card');
	const r = view.reporting;
	if (!r || !r.items.length) {
		card.hidden = true;
		return;
	}
	const c = r.counts;
	const rate = c.total ? Math.round((c.reported / c.total) * 1000) / 10 : 0;
	$('report-counts').textContent = `应报 ${c.total} 个单位，已上报 ${c.reported} 个` +
	    `（上报率 ${rate}%），其中已审核 ${c.approved} 个、待审核 ${c.submitted} 个；` +
	    `退回 ${c.returned} 个，已填写未上报 ${c.draft} 个，未填报 ${c.not_started} 个；` +
	    `逾期 ${c.late} 个。报送截止 ${r.campaign.report_due}。`;
	const tb = $('reporting').tBodies[0];
	tb.textContent = '';
	for (const it of r.items) {
		tb.append(el('tr', { 'data-unit-id': String(it.unit_id), 'data-state': it.state },
		    el('th', { scope: 'row' }, el('a', {
			href: `?unit_id=${it.unit_id}&campaign_id=${view.campaign.id}`,
			text: it.unit_name })),
		    el('td', {}, el('span', { class: `status st-${it.state}`,
			text: REPORT_STATE[it.state] || it.state })),
		    el('td', { text: it.submitted_at ? formatTime(it.submitted_at) : '—' }),
		    el('td', { class: it.late ? 'late' : '', text: it.late ? '逾期' : '—' })));
	}
	card.hidden = false;
}

function renderMatrix() {
	const card = $('matrix-card');
	const b = view.byUnit;
	if (!b) {
		card.hidden = true;
		return;
	}
	const codes = b.total.rows.map((r) => r.code);
	const table = $('matrix');
	const head = table.tHead;
	head.textContent = '';
	head.append(el('tr', {}, el('th', { scope: 'col', text: '单位' }),
	    ...codes.map((c) => el('th', { scope: 'col', text: c }))));
	const tb = table.tBodies[0];
	tb.textContent = '';
	const line = (name, rows, cls) => {
		const m = new Map(rows.map((r) => [r.code, r]));
		return el('tr', { class: cls || '' }, el('th', { scope: 'row', text: name }),
		    ...codes.map((c) => el('td', { text: m.has(c) ? String(m.get(c).value) : '' })));
	};
	for (const it of b.items)
		tb.append(line(it.unit_name, it.rows));
	tb.append(line('合计', b.total.rows, 'total'));
	card.hidden = false;
}

/* ---- The whole view ---- */

function render() {
	$('sheet-title').textContent = `${view.campaign.from.slice(0, 4)}年工会送温暖活动统计表`;
	$('h-unit').textContent = view.unit.name;
	$('h-date').textContent = formatTime(new Date(), 'day');
	$('h-filler').textContent = standing() && view.submission.submitted_by ?
	    view.submission.submitted_by : (me.display_name || me.username);
	$('h-period').textContent = `统计期间：${view.campaign.from} 至 ${view.campaign.to}` +
	    `（${view.campaign.title}）${view.submission ? `　上报状态：${view.submission.state_label}` : ''}`;
	const q = `unit_id=${view.unit.id}&campaign_id=${view.campaign.id}`;
	$('x-xlsx').href = `${API}/stats/export?format=xlsx&${q}`;
	$('x-csv').href = `${API}/stats/export?format=csv&${q}`;
	say($('sheet-msg'), '');
	renderSheet();
	renderRules();
	renderStatus();
	renderReporting();
	renderMatrix();
	$('sheet-card').hidden = false;
	if (drill)
		$('drill-card').hidden = true;
	drill = null;
}

$('print').addEventListener('click', () => window.print());

pick.addEventListener('change', () => load());
pick.addEventListener('submit', (e) => {
	e.preventDefault();
	load();
});

/* ---- Start ---- */

function fillPickers(params) {
	/* The units the caller may look at, in tree order, indented: an
	 * admin's from the top, anyone else's from their own unit down. */
	const root = me.role === 'admin' ? null : me.unit_id;
	for (const [id, text] of unitOptions({ items: units }, root))
		unitSel.append(new Option(text, String(id)));
	const sorted = [...campaigns].sort((a, b) =>
	    (b.from.localeCompare(a.from)) || (b.id - a.id));
	for (const c of sorted)
		campSel.append(new Option(`${c.title}（${c.from} 至 ${c.to}）`, String(c.id)));
	const wantU = params.get('unit_id') || String(me.unit_id);
	unitSel.value = wantU;
	if (unitSel.value !== wantU)
		unitSel.value = String(me.unit_id);
	const wantC = params.get('campaign_id');
	const running = runningCampaign(sorted, todayShanghai());
	campSel.value = wantC && sorted.some((c) => String(c.id) === wantC) ? wantC :
	    (running ? String(running.id) : '');
}

/*
 * The campaign to open when none is asked for: the one whose period holds
 * today; else the latest that has already started; else the earliest
 * still to come. Not the newest created: next year's campaign is often
 * set up in advance, and its table is empty until then. sorted: latest
 * `from` first (ties: the newer id first), as the picker lists them.
 */
function runningCampaign(sorted, today) {
	return sorted.find((c) => c.from <= today && today <= c.to) ||
	    sorted.find((c) => c.from <= today) ||
	    sorted[sorted.length - 1] || null;
}

async function main() {
	try {
		me = (await cachedGet(`${API}/me`)).data;
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		say(pageMsg, problemText(err, '页面'), 'error');
		return;
	}
	if (me.role === 'volunteer') {
		say(pageMsg, '统计报表供工会工作人员使用。', 'warn');
		return;
	}
	try {
		const [u, c, f] = await Promise.all([
			cachedGet(`${API}/units`),
			api('GET', `${API}/campaigns?limit=200`),
			cachedGet(`${API}/stats/form`),
		]);
		units = u.data.items;
		campaigns = c.items;
		formRows = f.data.rows;
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		say(pageMsg, problemText(err, '单位和活动列表'), err.network ? 'warn' : 'error');
		return;
	}
	fillPickers(new URLSearchParams(location.search));
	resumed = resumeNote();
	$('campaigns-link').hidden = me.role !== 'admin';
	$('pick-card').hidden = false;
	if (!campaigns.length) {
		say(pageMsg, '还没有活动：请管理员先建立本年度的送温暖活动。', 'warn');
		return;
	}
	await load();
}

main();
