/*
 * 平安返乡 for staff: GET /api/v1/safe-returns over their subtree with the
 * filters q, status, unit_id, from/to (depart_on), 加载更多 through
 * next_cursor (admin/list.js); ?id=N shows one record in full with its
 * history (GET /api/v1/safe-returns/{id}, unmasked for staff of the
 * subtree, and audited). The filters live in the address, so going back
 * from a record returns to the same list. Loading shows, a failure offers
 * 重试, and every time is Asia/Shanghai's (docs/pages.md).
 */
import {
	api, cachedGet, el, formatMoney, formatTime, loginUrl, say,
} from '/assets/api.js';
import { staffList } from '/admin/list.js';

const STATUS = {
	registered: '已登记', departed: '已出发', arrived: '已到家',
	cancelled: '已取消',
};
const TRANSPORT = {
	rail: '火车', coach: '长途客车', charter_bus: '包车', air: '飞机',
	self_drive: '自驾', other: '其他',
};
const ASSIST = {
	ticket: '购票', charter_bus: '包车', subsidy: '补贴', gift: '礼包',
	escort: '护送', other: '其他',
};

const $ = (id) => document.getElementById(id);
const pageMsg = $('page-msg');

const home = (h) => [h.province, h.city].filter(Boolean).join(' ');

function row(r, filters) {
	const back = filters.toString();
	const href = `/admin/returns.html?id=${r.id}${back ? `&${back}` : ''}`;
	return el('li', { 'data-id': String(r.id), 'data-name': r.traveler.name },
	    el('a', { class: 'case-item', href },
		el('span', { class: 'case-top' },
		    el('span', { class: 'case-employer', text: r.traveler.name }),
		    el('span', { class: `status s-${r.status}`, 'data-status': r.status,
		        text: r.status_label })),
		el('span', { class: 'case-meta',
		    text: `${r.party_size} 人 · ${home(r.hometown)} · ${r.depart_on} 出发` +
			`${r.bus_label ? ` · ${r.bus_label}` : ''}` }),
		el('span', { class: 'case-meta muted',
		    text: `${r.traveler.phone} · ${r.unit_name} · ${r.created_by_name || ''}登记` })));
}

const records = staffList({
	form: $('filter-form'), names: ['q', 'status', 'unit_id', 'from', 'to'],
	details: $('more-filters'), list: $('sr-list'), more: $('more'),
	msg: $('list-msg'), path: '/api/v1/safe-returns', what: '返乡登记', row,
});

/* A failed load says why, with a button that tries again. */
function failed(text, kind, retry) {
	say(pageMsg, text, kind);
	pageMsg.append(' ', el('button', { type: 'button', class: 'btn small secondary',
	    'data-retry': '', text: '重试', onclick: retry }));
}

/* ---- One record ---- */

function phoneNode(p) {
	return /^\d{11}$/.test(p || '') ? el('a', { href: `tel:${p}`, text: p }) : p || '—';
}

function showRecord(r) {
	$('detail-title').textContent = r.traveler.name;
	$('detail-status').replaceChildren(el('span',
	    { class: `status big s-${r.status}`, 'data-status': r.status, text: r.status_label }));
	const kv = $('detail-kv');
	kv.textContent = '';
	const pairs = [
		['手机号', phoneNode(r.traveler.phone)],
		['身份证号', r.traveler.id_number || '—'],
		['同行人数', `${r.party_size} 人`],
		['家乡', home(r.hometown)],
		['出发日期', r.depart_on],
		['交通方式', TRANSPORT[r.transport] || r.transport],
		['车次或车辆', r.bus_label || '—'],
		['帮扶方式', r.assistance.map((a) => ASSIST[a] || a).join('、')],
		['补贴金额', formatMoney(r.subsidy_amount)],
		['所属工会', r.unit_name],
		['登记人', r.created_by_name || '—'],
		['登记时间', formatTime(r.created_at)],
		['出发时间', formatTime(r.departed_at)],
		['到家时间', formatTime(r.arrived_at)],
		['备注', r.note || '—'],
	];
	for (const [k, v] of pairs)
		kv.append(el('dt', { text: k }), el('dd', { class: 'pre' }, v));
	const ev = $('detail-events');
	ev.textContent = '';
	for (const e of r.events) {
		const what = e.from === null ? '登记' :
		    e.from === e.to ? '修改' : `${STATUS[e.from] || e.from} → ${STATUS[e.to] || e.to}`;
		ev.append(el('li', {},
		    el('span', { class: 'name', 'data-event-at': '',
		        text: `${formatTime(e.at)} ${e.user || '返乡人员本人'}` }),
		    el('p', { text: what }),
		    e.note ? el('p', { class: 'muted pre', text: e.note }) : null));
	}
	$('detail-view').hidden = false;
}

async function openRecord(id) {
	const q = new URLSearchParams(location.search);
	q.delete('id');
	$('back-to-list').href = `/admin/returns.html${q.toString() ? `?${q}` : ''}`;
	say(pageMsg, '正在加载返乡登记…', 'loading');
	try {
		const r = await api('GET', `/api/v1/safe-returns/${encodeURIComponent(id)}`);
		say(pageMsg, '');
		showRecord(r);
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		if (err.status === 404) {
			say(pageMsg, '没有这条返乡登记，或不在本单位管辖范围内。', 'error');
			pageMsg.append(' ', el('a', { href: $('back-to-list').href, text: '返回列表' }));
		} else {
			failed(err.network ? '没有网络，返乡登记没有加载成功。' :
			    `返乡登记没有加载成功：${err.message}`, err.network ? 'warn' : 'error',
			    () => openRecord(id));
		}
	}
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
		failed(err.network ? '当前没有网络，无法打开返乡登记。' :
		    `无法加载：${err.message}`, 'error', () => location.reload());
		return;
	}
	say(pageMsg, me.role === 'volunteer' ? '这里列出您登记的返乡人员。' : '');
	const q = new URLSearchParams(location.search);
	if (q.get('id')) {
		await openRecord(q.get('id'));
		return;
	}
	$('list-view').hidden = false;
	await records.start();
}

main();
