/*
 * 用人单位报名: an employer signs up for a fair with its positions
 * (POST /api/v1/job-fairs/{id}/employers).  Positions are rows whose
 * inputs are named positions[i].title, .kind, .headcount, .wage_min,
 * .wage_max, renumbered when a row goes, so each error of the server's
 * answer lands under its input.  The draft is kept until the server has
 * the sign-up; the form goes through the outbox.
 */
import {
	api, busy, checkForm, el, queuedText, readForm, refreshCounters, say,
	showProblem, submit, toast,
} from '/assets/api.js';
import { FAIR_KIND, POSITION_KIND, fairTime, idParam, load, store, wage } from '/fair/fairs.js';

const FIELDS = ['title', 'kind', 'headcount', 'wage_min', 'wage_max'];
const MAX = 50;
const DRAFT_KEY = 'swn.fair.employer.draft.v1';

const $ = (id) => document.getElementById(id);
const form = $('employer-form');
const rows = $('positions');
const pageMsg = $('page-msg');
const submitBtn = $('employer-submit');
const fairId = idParam();
const PATH = `/api/v1/job-fairs/${fairId}/employers`;
form.dataset.submitPath = PATH;
let seq = 0;
let fair = null;

function renumber() {
	const list = [...rows.children];
	list.forEach((li, i) => {
		li.querySelector('.worker-title').textContent = `岗位 ${i + 1}`;
		for (const f of FIELDS)
			li.querySelector(`[data-name="${f}"]`).name = `positions[${i}].${f}`;
		const rm = li.querySelector('[data-remove]');
		rm.hidden = list.length === 1;
		rm.setAttribute('aria-label', `删除岗位 ${i + 1}`);
	});
	$('add-position').disabled = list.length >= MAX;
}

function addRow() {
	const li = $('position-row').content.firstElementChild.cloneNode(true);
	const n = ++seq;
	for (const f of FIELDS) {
		const input = li.querySelector(`[data-name="${f}"]`);
		input.id = `p${n}-${f}`;
		li.querySelector(`[data-for="${f}"]`).htmlFor = input.id;
	}
	li.querySelector('[data-remove]').addEventListener('click', () => {
		if (rows.children.length <= 1)
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

function setRows(n) {
	n = Math.max(1, Math.min(MAX, n | 0));
	while (rows.children.length < n)
		addRow();
	while (rows.children.length > n)
		rows.lastElementChild.remove();
	renumber();
}

$('add-position').addEventListener('click', () => {
	addRow().querySelector('input').focus();
	saveDraft();
});

/* ---- Draft ---- */

function saveDraft() {
	const values = {};
	for (const c of form.elements) {
		if (!c.name || c.type === 'submit' || c.type === 'hidden')
			continue;
		if (c.type === 'checkbox') {
			if (c.checked)
				values[c.name] = true;
		} else if (c.value !== '' && !(c.tagName === 'SELECT' && c.value === 'regular')) {
			values[c.name] = c.value;
		}
	}
	store(DRAFT_KEY, Object.keys(values).length ?
	    { rows: rows.children.length, values } : null);
}

function restoreDraft() {
	const d = load(DRAFT_KEY, null);
	setRows(d ? d.rows : 1);
	if (!d)
		return;
	for (const [name, v] of Object.entries(d.values || {})) {
		const c = form.querySelector(`[name="${CSS.escape(name)}"]`);
		if (!c)
			continue;
		if (c.type === 'checkbox')
			c.checked = v === true;
		else
			c.value = v;
	}
	refreshCounters(form);
}

form.addEventListener('input', saveDraft);
form.addEventListener('change', saveDraft);

/* ---- Submit ---- */

function buildBody() {
	const body = readForm(form);
	body.positions = (body.positions || []).map((p) => p || {});
	/* Rows nobody typed into are left out, one row always stays. */
	const kept = body.positions.filter((p) => p.title || p.headcount || p.wage_min || p.wage_max);
	if (kept.length && kept.length !== body.positions.length) {
		body.positions = kept;
		setRows(kept.length);
		kept.forEach((p, i) => {
			for (const f of FIELDS) {
				const c = form.querySelector(`[name="positions[${i}].${f}"]`);
				c.value = p[f] === undefined ? (f === 'kind' ? 'regular' : '') : String(p[f]);
			}
		});
	}
	return body;
}

function doneCard(e) {
	return el('section', { class: 'card result', 'aria-label': '报名结果' },
	    el('h2', { class: 'result-title', text: '✓ 报名成功' }),
	    el('p', { text: `${e.name}已报名${fair ? `「${fair.title}」` : '本场招聘会'}，共 ${e.positions.length} 个岗位：` }),
	    el('ul', { class: 'positions' }, ...e.positions.map((p) => el('li', { class: 'position' },
		el('span', { class: 'position-title', text: p.title }),
		el('span', { class: 'position-meta', text: `${POSITION_KIND[p.kind]} · 招 ${p.headcount} 人` }),
		el('span', { class: 'wage', text: wage(p) })))),
	    el('p', { class: 'muted', text: '工会工作人员会通过联系电话与您确认参会事宜。' }),
	    el('p', {}, el('a', { class: 'btn block', href: `/fair/fair.html?id=${fairId}` }, '查看本场招聘会')));
}

form.addEventListener('submit', async (ev) => {
	ev.preventDefault();
	if (submitBtn.disabled)
		return;
	say(pageMsg, '');
	const body = buildBody();
	saveDraft();
	if (!checkForm(form))
		return;
	const done = busy(submitBtn);
	try {
		const r = await submit(PATH, body, { label: `用人单位报名 ${body.name || ''}`.trim() });
		if (r.queued) {
			toast(queuedText(r.reason), 'warn');
		} else {
			$('done').append(doneCard(r.data));
			form.hidden = true;
			toast('报名成功', 'ok');
		}
		form.reset();
		setRows(1);
		refreshCounters(form);
		store(DRAFT_KEY, null);
		window.scrollTo(0, 0);
	} catch (err) {
		showProblem(form, err);
		if (err.code === 'fair_not_open')
			say(pageMsg, err.detail, 'error');
	} finally {
		done();
	}
});

/* ---- Start ---- */

async function main() {
	if (!fairId) {
		say(pageMsg, '没有指定招聘会，请从招聘会页面进入。', 'error');
		return;
	}
	$('back').href = `/fair/fair.html?id=${fairId}`;
	restoreDraft();
	try {
		fair = await api('GET', `/api/v1/job-fairs/${fairId}`);
		$('fair-kind').textContent = fair.kind_label || FAIR_KIND[fair.kind];
		$('fair-title').textContent = fair.title;
		$('fair-time').textContent = `${fairTime(fair)} · ${fair.venue}`;
		$('fair-box').hidden = false;
		if (fair.status !== 'published') {
			say(pageMsg, fair.status === 'closed' ? '本场招聘会已结束，不再接受报名。' :
			    '本场招聘会尚未开始报名。', 'warn');
			return;
		}
		say(pageMsg, '');
	} catch (err) {
		if (err.status === 404) {
			say(pageMsg, '没有找到这场招聘会。', 'error');
			return;
		}
		say(pageMsg, '没有网络也可以先填写，联网后会自动提交。', 'warn');
	}
	form.hidden = false;
}

main();
