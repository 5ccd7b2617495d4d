/*
 * 招聘会管理 for staff: the fairs of their subtree (drafts included) and
 * published ones elsewhere, and a form for a new fair (a draft; it is
 * published from its own page, /admin/fair.html?id=N).  The form goes
 * through the outbox and keeps a draft of what is typed.
 */
import {
	api, busy, cachedGet, checkForm, el, loadUnitOptions, loginUrl, queuedText,
	readForm, refreshCounters, say, showProblem, submit, toast,
} from '/assets/api.js';
import { FAIR_KIND, FAIR_STATUS, fairTime, load, store } from '/fair/fairs.js';

const DRAFT_KEY = 'swn.admin.fair.draft.v1';
const $ = (id) => document.getElementById(id);
const form = $('fair-form');
const list = $('fair-list');
const pageMsg = $('page-msg');
let me = null;
let cursor = null;
let seq = 0;

function item(f) {
	return el('li', { 'data-fair-id': String(f.id) },
	    el('a', { class: 'fair-item', href: `/admin/fair.html?id=${f.id}` },
		el('span', { class: 'case-top' },
		    el('span', { class: 'fair-kind', text: f.kind_label || FAIR_KIND[f.kind] }),
		    el('span', { class: `status s-${f.status}`, text: FAIR_STATUS[f.status] })),
		el('span', { class: 'fair-title', text: f.title }),
		el('span', { class: 'fair-meta', text: `${fairTime(f)} · ${f.venue}` }),
		el('span', { class: 'fair-meta muted', text: `${f.unit_name} · 报名 ${f.registered_count}/${f.seeker_capacity}` +
		    `${f.waitlisted_count ? ` · 候补 ${f.waitlisted_count}` : ''} · 签到 ${f.checked_in_count}` })));
}

async function loadList(append = false) {
	const mine = ++seq;
	const q = new URLSearchParams({ limit: '30', unit_id: String(me.unit_id) });
	if ($('f-status').value)
		q.set('status', $('f-status').value);
	if (append && cursor)
		q.set('cursor', cursor);
	$('more').disabled = true;
	try {
		const r = await api('GET', `/api/v1/job-fairs?${q}`);
		if (mine !== seq)
			return;
		if (!append)
			list.textContent = '';
		for (const f of r.items || [])
			list.append(item(f));
		cursor = r.next_cursor || null;
		$('more').hidden = !cursor;
		say($('list-msg'), list.children.length ? '' : '还没有招聘会');
	} catch (err) {
		say($('list-msg'), err.network ? '没有网络，无法加载。' : err.message, 'error');
	} finally {
		$('more').disabled = false;
	}
}

$('f-status').addEventListener('change', () => loadList());
$('more').addEventListener('click', () => loadList(true));

/* ---- New fair ---- */

function saveDraft() {
	const values = {};
	for (const c of form.elements)
		if (c.name && c.value !== '')
			values[c.name] = c.value;
	store(DRAFT_KEY, Object.keys(values).length ? values : null);
}

form.addEventListener('input', saveDraft);
form.addEventListener('change', saveDraft);

form.addEventListener('submit', async (e) => {
	e.preventDefault();
	const btn = $('fair-submit');
	if (btn.disabled || !checkForm(form))
		return;
	const body = readForm(form);
	const done = busy(btn);
	try {
		const r = await submit('/api/v1/job-fairs', body, { label: `新建招聘会 ${body.title || ''}`.trim() });
		form.reset();
		refreshCounters(form);
		store(DRAFT_KEY, null);
		if (r.queued)
			toast(queuedText(r.reason), 'warn');
		else
			location.href = `/admin/fair.html?id=${r.data.id}`;
	} catch (err) {
		showProblem(form, err);
	} finally {
		done();
	}
});

/* The caller's unit (the default) and the units below it, indented:
 * api.js builds that tree for every page. */
function units() {
	loadUnitOptions($('f-unit'), { root: me.unit_id });
}

async function main() {
	try {
		me = (await cachedGet('/api/v1/me')).data;
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		say(pageMsg, err.network ? '没有网络，请联网后刷新。' : err.message, 'error');
		return;
	}
	if (me.role === 'volunteer') {
		say(pageMsg, '招聘会管理供工会工作人员使用。志愿者请使用“招聘会签到”。', 'warn');
		pageMsg.append(' ', el('a', { href: '/field/checkin.html', text: '前往签到' }));
		return;
	}
	say(pageMsg, '');
	const d = load(DRAFT_KEY, null);
	if (d) {
		for (const [k, v] of Object.entries(d))
			if (form.elements[k])
				form.elements[k].value = v;
		if (d.unit_id)
			$('f-unit').dataset.wanted = d.unit_id;
		refreshCounters(form);
		$('create-box').open = true;
	}
	units();
	$('create').hidden = false;
	$('list-box').hidden = false;
	await loadList();
	if (!list.children.length)
		$('create-box').open = true;
}

main();
