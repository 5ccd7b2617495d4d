/*
 * 欠薪案件 list for staff: GET /api/v1/wage-cases with the filters
 * status, industry, unit_id, q, from, to, and 加载更多 through
 * next_cursor. The filters live in the address, so going back from a case
 * returns to the same list. Each row opens /admin/case.html?id=N.
 */
import {
	api, busy, cachedGet, checkForm, clearProblem, el, loadOptions, loginUrl, say,
	showProblem,
} from '/assets/api.js';
import { INDUSTRY, money, when } from '/help/wage.js';

const FILTERS = ['q', 'status', 'industry', 'unit_id', 'from', 'to'];
const PAGE = 30;

const $ = (id) => document.getElementById(id);
const form = $('filter-form');
const list = $('case-list');
const more = $('more');
const pageMsg = $('page-msg');
const listMsg = $('list-msg');

let cursor = null;
let seq = 0;                    /* answers to an older query are dropped */

function filters() {
	const q = new URLSearchParams();
	for (const name of FILTERS) {
		const c = form.elements[name];
		const v = (c.value || c.dataset.wanted || '').trim();
		if (v)
			q.set(name, v);
	}
	return q;
}

function row(c) {
	const owed = money(c.amount_owed);
	const rec = money(c.amount_recovered);
	return el('li', { 'data-case-id': String(c.id), 'data-reference': c.reference },
	    el('a', { class: 'case-item', href: `/admin/case.html?id=${c.id}` },
		el('span', { class: 'case-top' },
		    el('span', { class: 'case-ref', text: c.reference }),
		    el('span', { class: `status s-${c.status}`, 'data-status': c.status,
		        text: c.status_label })),
		el('span', { class: 'case-employer', text: c.employer_name }),
		el('span', { class: 'case-meta',
		    text: `${c.worker_count} 人 · 被欠 ${owed} · 已追回 ${rec}` }),
		el('span', { class: 'case-meta muted',
		    text: `${when(c.created_at).slice(0, 10)} 登记 · ${c.unit_name || ''}` +
			` · ${INDUSTRY[c.industry] || c.industry}` })));
}

/* A failed load says why, with a button that tries again. */
function failed(text, kind, append) {
	say(listMsg, text, kind);
	listMsg.append(' ', el('button', { type: 'button', class: 'btn small secondary',
	    'data-retry': '', text: '重试', onclick: () => load(append) }));
}

async function load(append = false, button = null) {
	const mine = ++seq;
	const q = filters();
	q.set('limit', String(PAGE));
	if (append && cursor)
		q.set('cursor', cursor);
	const done = busy(button || (append ? more : null),
	    append ? '正在加载…' : '正在查询…');
	if (!append) {
		say(listMsg, '正在加载案件…', 'loading');
		listMsg.setAttribute('aria-busy', 'true');
	}
	clearProblem(form);
	try {
		const r = await api('GET', `/api/v1/wage-cases?${q}`);
		if (mine !== seq)
			return;
		if (!append)
			list.textContent = '';
		for (const c of r.items || [])
			list.append(row(c));
		cursor = r.next_cursor || null;
		more.hidden = !cursor;
		say(listMsg, list.children.length ? '' :
		    (filters().toString() ? '没有符合条件的案件' : '暂无案件'));
	} catch (err) {
		if (mine !== seq)
			return;
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		say(listMsg, '');
		if (err.status === 400) {
			$('more-filters').open = true;
			showProblem(form, err);
		} else {
			failed(err.network ? '没有网络，案件列表没有加载成功。' :
			    `案件列表没有加载成功：${err.message}`, err.network ? 'warn' : 'error',
			    append);
		}
	} finally {
		listMsg.removeAttribute('aria-busy');
		done();
	}
}

form.addEventListener('submit', (e) => {
	e.preventDefault();
	if (!checkForm(form))
		return;
	const q = filters();
	history.replaceState(null, '', `${location.pathname}${q.toString() ? `?${q}` : ''}`);
	load(false, e.submitter || form.querySelector('button[type="submit"]'));
});

$('filter-clear').addEventListener('click', () => {
	form.reset();
	delete form.elements.unit_id.dataset.wanted;
	history.replaceState(null, '', location.pathname);
	load();
});

more.addEventListener('click', () => load(true));

/* The units in tree order, children indented under their parent. */
function unitOptions(data) {
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
	const walk = (parent, depth) => {
		for (const u of (kids.get(parent) || []).sort((a, b) => a.id - b.id)) {
			out.push([u.id, '　'.repeat(depth) + u.name]);
			walk(u.id, depth + 1);
		}
	};
	walk(null, 0);
	return out;
}

function fillUnits() {
	return loadOptions(form.elements.unit_id, { path: '/api/v1/units',
	    what: '工会列表', options: unitOptions });
}

async function main() {
	let me;
	try {
		me = (await cachedGet('/api/v1/me')).data;
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		say(pageMsg, err.network ? '当前没有网络，无法打开案件列表。请联网后刷新。' :
		    `无法加载：${err.message}`, 'error');
		return;
	}
	say(pageMsg, me.role === 'volunteer' ? '这里列出您登记的案件。' : '');
	const q = new URLSearchParams(location.search);
	/* The unit may come before its list: loadOptions() picks it then. */
	if (q.get('unit_id'))
		form.elements.unit_id.dataset.wanted = q.get('unit_id');
	fillUnits();
	for (const name of FILTERS)
		if (q.get(name))
			form.elements[name].value = q.get(name);
	if (['industry', 'unit_id', 'from', 'to'].some((n) => q.get(n)))
		$('more-filters').open = true;
	$('cases').hidden = false;
	await load();
}

main();
