/*
 * 招聘会报名: the fairs that take sign-ups now (GET /api/v1/job-fairs,
 * published only for the public), newest first, each opening
 * /fair/fair.html?id=N.
 */
import { api, el, say } from '/assets/api.js';
import { FAIR_KIND, fairTime, placesText } from '/fair/fairs.js';

const $ = (id) => document.getElementById(id);
const list = $('fair-list');
const more = $('more');
const pageMsg = $('page-msg');
let cursor = null;

function item(f) {
	return el('li', { 'data-fair-id': String(f.id) },
	    el('a', { class: 'fair-item', href: `/fair/fair.html?id=${f.id}` },
		el('span', { class: 'fair-kind', text: f.kind_label || FAIR_KIND[f.kind] || f.kind }),
		el('span', { class: 'fair-title', text: f.title }),
		el('span', { class: 'fair-meta', text: `时间：${fairTime(f)}` }),
		el('span', { class: 'fair-meta', text: `地点：${f.venue}` }),
		el('span', { class: f.places_left > 0 ? 'fair-places' : 'fair-places full',
		    text: placesText(f) })));
}

async function load() {
	more.disabled = true;
	try {
		const q = new URLSearchParams({ status: 'published', limit: '20' });
		if (cursor)
			q.set('cursor', cursor);
		const r = await api('GET', `/api/v1/job-fairs?${q}`);
		for (const f of r.items || [])
			list.append(item(f));
		cursor = r.next_cursor || null;
		more.hidden = !cursor;
		say(pageMsg, list.children.length ? '' : '目前没有正在报名的招聘会，请过几天再来看看。');
	} catch (err) {
		say(pageMsg, err.network ? '没有网络，无法加载招聘会。请联网后刷新页面。' :
		    `无法加载招聘会：${err.message}`, 'error');
	} finally {
		more.disabled = false;
	}
}

more.addEventListener('click', load);
load();
