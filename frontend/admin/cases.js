/*
 * 欠薪案件 list for staff: GET /api/v1/wage-cases with the filters
 * status, industry, unit_id, q, from, to, and 加载更多 through
 * next_cursor. The filters live in the address, so going back from a case
 * returns to the same list. Each row opens /admin/case.html?id=N.
 */
import { api, cachedGet, loginUrl, showProblem, clearProblem, say, el } from '/assets/api.js';
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
		const v = form.elements[name].value.trim();
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

async function load(append = false) {
	const mine = ++seq;
	const q = filters();
	q.set('limit', String(PAGE));
	if (append && cursor)
		q.set('cursor', cursor);
	more.disabled = true;
	if (!append)
		say(listMsg, '正在加载…');
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
			say(listMsg, err.network ? '没有网络，无法加载案件列表，联网后请点“查询”。' :
			    `无法加载案件列表：${err.message}`, err.network ? 'warn' : 'error');
		}
	} finally {
		more.disabled = false;
	}
}

form.addEventListener('submit', (e) => {
	e.preventDefault();
	const q = filters();
	history.replaceState(null, '', `${location.pathname}${q.toString() ? `?${q}` : ''}`);
	load();
});

$('filter-clear').addEventListener('click', () => {
	form.reset();
	history.replaceState(null, '', location.pathname);
	load();
});

more.addEventListener('click', () => load(true));

async function fillUnits() {
	const sel = form.elements.unit_id;
	try {
		const r = await cachedGet('/api/v1/units');
		const items = r.data.items || [];
		const ids = new Set(items.map((u) => u.id));
		const kids = new Map();
		for (const u of items) {
			const p = ids.has(u.parent_id) ? u.parent_id : null;
			if (!kids.has(p))
				kids.set(p, []);
			kids.get(p).push(u);
		}
		const walk = (parent, depth) => {
			for (const u of (kids.get(parent) || []).sort((a, b) => a.id - b.id)) {
				sel.append(new Option('　'.repeat(depth) + u.name, String(u.id)));
				walk(u.id, depth + 1);
			}
		};
		walk(null, 0);
	} catch (e) { /* the filter just offers fewer choices */ }
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
	await fillUnits();
	const q = new URLSearchParams(location.search);
	for (const name of FILTERS)
		if (q.get(name))
			form.elements[name].value = q.get(name);
	if (['industry', 'unit_id', 'from', 'to'].some((n) => q.get(n)))
		$('more-filters').open = true;
	$('cases').hidden = false;
	await load();
}

main();
