/*
 * 欠薪案件 list for staff: GET /api/v1/wage-cases with the filters
 * status, industry, unit_id, q, from, to, and 加载更多 through
 * next_cursor (admin/list.js). The filters live in the address, so going
 * back from a case returns to the same list. Each row opens
 * /admin/case.html?id=N.
 */
import { cachedGet, el, loginUrl, say } from '/assets/api.js';
import { staffList } from '/admin/list.js';
import { INDUSTRY, money, when } from '/help/wage.js';

const $ = (id) => document.getElementById(id);
const pageMsg = $('page-msg');

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

const cases = staffList({
	form: $('filter-form'), names: ['q', 'status', 'industry', 'unit_id', 'from', 'to'],
	details: $('more-filters'), list: $('case-list'), more: $('more'),
	msg: $('list-msg'), path: '/api/v1/wage-cases', what: '案件', row,
});

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
	$('cases').hidden = false;
	await cases.start();
}

main();
