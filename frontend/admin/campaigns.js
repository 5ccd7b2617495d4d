/*
 * 送温暖活动 (/admin/campaigns.html): the campaigns every statistics
 * table is drawn up for (API.md v1.1 "Campaigns"), newest first, and for
 * admins a form for a new one (POST /campaigns through the outbox, so one
 * typed without a network is not lost) and a change of one (PATCH
 * /campaigns/{id} with If-Match; a change needs the network, and a
 * campaign changed by someone else meanwhile is loaded afresh, 412).
 * Staff see the list only. Both forms follow docs/pages.md: every
 * problem at once in the server's words, including the server's rules on
 * the dates (campaigns.c check_dates), and what they hold is kept on the
 * phone as it is typed, through a reload or a sign-in (keepForm()).
 */
import {
	api, busy, cachedGet, checkForm, clearProblem, el, keepForm, loginUrl,
	queuedText, readForm, refreshCounters, resumeDone, resumeNote, say, showProblem,
	signInAgain, submit, toast,
} from '/assets/api.js';

const PATH = '/api/v1/campaigns';
const $ = (id) => document.getElementById(id);
const pageMsg = $('page-msg');
const createForm = $('campaign-form');
const editForm = $('edit-form');
const list = $('campaign-list');

let me = null;
let campaigns = [];
let cursor = null;
let editing = null;             /* the campaign being changed */
let listSeq = 0;

/* The change form keeps which campaign it changes in a disabled input
 * (kept with the rest, never sent). */
const keptNew = keepForm(createForm, 'campaign.new');
const keptEdit = keepForm(editForm, 'campaign.edit');

/*
 * The dates' rules the server checks too (campaigns.c check_dates), in
 * its words: the period ends on or after its start, and the table is not
 * due before the period starts.
 */
function dateProblems(form) {
	const from = form.elements.from.value;
	const to = form.elements.to.value;
	const due = form.elements.report_due.value;
	const out = [];
	/* The server's rules and words (fcgi/campaigns.c): no year before
	 * the records' first, no end or deadline before the start. */
	const early = [['from', from, '统计期间开始'], ['to', to, '统计期间结束'],
	    ['report_due', due, '报送截止日期']]
	    .filter(([, v]) => v && v < '2000-01-01');
	for (const [field, , label] of early)
		out.push({ field, code: 'out_of_range', message: `${label}不能早于 2000 年，请核对年份` });
	const bad = new Set(early.map(([field]) => field));
	if (from && to && to < from && !bad.has('from') && !bad.has('to'))
		out.push({ field: 'to', code: 'out_of_range', message: '统计期间结束不能早于统计期间开始' });
	if (from && due && due < from && !bad.has('from') && !bad.has('report_due'))
		out.push({ field: 'report_due', code: 'out_of_range', message: '报送截止日期不能早于统计期间开始' });
	return out;
}

/* ---- The list ---- */

function item(c) {
	const edit = me.role === 'admin' ? el('button', {
		type: 'button', class: 'btn small secondary', text: '修改',
		'aria-label': `修改“${c.title}”`, onclick: () => startEdit(c),
	}) : null;
	return el('li', { 'data-campaign-id': String(c.id) },
	    el('div', { class: 'name', text: c.title }),
	    el('div', { class: 'muted', text: `统计期间 ${c.from} 至 ${c.to}，报送截止 ${c.report_due}` }),
	    el('div', { class: 'actions' },
		el('a', { class: 'btn small secondary',
		    href: `/admin/stats/?unit_id=${me.unit_id}&campaign_id=${c.id}`, text: '统计表' }),
		edit));
}

function renderList() {
	list.textContent = '';
	for (const c of campaigns)
		list.append(item(c));
	if (!campaigns.length)
		say($('list-msg'), '还没有活动。');
}

async function loadList(more = false, button = null) {
	const mine = ++listSeq;
	const q = `${PATH}?limit=50${more && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
	const done = busy(button);
	if (!more && !campaigns.length)
		say($('list-msg'), '正在加载活动…', 'loading');
	try {
		const r = await api('GET', q);
		if (mine !== listSeq)
			return;
		campaigns = more ? campaigns.concat(r.items) : r.items;
		cursor = r.next_cursor || null;
		$('more').hidden = !cursor;
		say($('list-msg'), '');
		renderList();
	} catch (err) {
		if (mine !== listSeq)
			return;
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		say($('list-msg'), err.network ? '没有网络，活动列表没有加载成功。' :
		    `活动列表没有加载成功：${err.message}`, err.network ? 'warn' : 'error');
		$('list-msg').append(' ', el('button', { type: 'button', class: 'btn small secondary',
		    'data-retry': '', text: '重试', onclick: () => loadList() }));
	} finally {
		done();
	}
}

$('reload').addEventListener('click', (e) => loadList(false, e.currentTarget));
$('more').addEventListener('click', (e) => loadList(true, e.currentTarget));

/* ---- A new campaign ---- */

createForm.addEventListener('submit', async (e) => {
	e.preventDefault();
	const btn = $('create-submit');
	if (btn.disabled || !checkForm(createForm, dateProblems(createForm)))
		return;
	const body = readForm(createForm);
	const done = busy(btn);
	try {
		const r = await submit(PATH, body, { label: `新建活动 ${body.title}` });
		createForm.reset();
		keptNew.clear();
		refreshCounters(createForm);
		if (r.queued) {
			toast(`${queuedText(r.reason)}（见页面顶部“待发送”）`, 'warn');
		} else {
			toast(`已新建活动“${r.data.title}”`, 'ok');
			await loadList();
		}
	} catch (err) {
		showProblem(createForm, err);
	} finally {
		done();
	}
});

/* ---- Changing one ---- */

function fillEdit(c) {
	editForm.elements.title.value = c.title;
	editForm.elements.from.value = c.from;
	editForm.elements.to.value = c.to;
	editForm.elements.report_due.value = c.report_due;
	refreshCounters(editForm);
}

function startEdit(c, { focus = true } = {}) {
	editing = c;
	clearProblem(editForm);
	fillEdit(c);
	editForm.elements.id.value = String(c.id);
	$('edit-title').textContent = `修改“${c.title}”`;
	$('edit').hidden = false;
	if (focus) {
		$('edit').scrollIntoView({ block: 'start' });
		editForm.elements.title.focus();
	}
}

function stopEdit() {
	keptEdit.clear();
	editing = null;
	$('edit').hidden = true;
}

$('edit-cancel').addEventListener('click', () => {
	stopEdit();
	say(pageMsg, '');
});

editForm.addEventListener('submit', async (e) => {
	e.preventDefault();
	const btn = $('edit-submit');
	if (!editing || btn.disabled || !checkForm(editForm, dateProblems(editForm)))
		return;
	const done = busy(btn);
	try {
		const c = await api('PATCH', `${PATH}/${editing.id}`, readForm(editForm),
		    { headers: { 'If-Match': `"${editing.version}"` } });
		stopEdit();
		resumeDone('保存修改');
		toast(`已保存“${c.title}”的修改`, 'ok');
		await loadList();
	} catch (err) {
		if (err.status === 401) {
			signInAgain('保存修改');
			return;
		}
		if (err.network) {
			toast('没有网络，修改没有保存；填写的内容还在，联网后再点“保存修改”。', 'warn');
		} else if (err.status === 412 || err.status === 428) {
			/* What is there now, and what was typed, side by side. */
			const typed = readForm(editForm);
			try {
				editing = await api('GET', `${PATH}/${editing.id}`);
			} catch (e2) { /* the version stays; the next try says 412 again */ }
			toast('这个活动刚被别人修改过。请看一下下面列表中的新内容，再决定是否保存。', 'error');
			await loadList();
			for (const [k, v] of Object.entries(typed))
				editForm.elements[k].value = v;
			keptEdit.save();
		} else if (err.status === 404) {
			stopEdit();
			toast(err.message, 'error');
			await loadList();
		} else {
			showProblem(editForm, err);
		}
	} finally {
		done();
	}
});

/* A campaign created offline reached the server. */
window.addEventListener('outbox:sent', (e) => {
	if (e.detail.entry.path === PATH)
		loadList();
});

/* ---- Start ---- */

async function main() {
	try {
		me = (await cachedGet('/api/v1/me')).data;
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		say(pageMsg, err.network ? '没有网络，请联网后刷新。' : `无法加载：${err.message}`, 'error');
		return;
	}
	if (me.role === 'volunteer') {
		say(pageMsg, '送温暖活动由工会工作人员查看，管理员建立和修改。', 'warn');
		return;
	}
	const note = resumeNote();
	say(pageMsg, me.role === 'admin' ? '' : '活动由区总工会管理员建立和修改；这里可以查看。');
	$('list-box').hidden = false;
	if (me.role === 'admin') {
		$('create').hidden = false;
		if (keptNew.restore())
			say(pageMsg, '“新建活动”中是上次填写、还没有提交的内容。', 'warn');
	}
	await loadList();
	/* A change left half done (a reload, a sign-in) comes back. */
	const kept = me.role === 'admin' ? keptEdit.restore() : null;
	const c = kept && campaigns.find((x) => String(x.id) === kept.values.id);
	if (c) {
		startEdit(c, { focus: false });
		keptEdit.restore();
		say(pageMsg, '“修改活动”中是上次填写、还没有保存的内容。', 'warn');
	} else {
		editForm.reset();
	}
	if (note) {
		say(pageMsg, note, 'warn');
		toast(note, 'warn');
	}
}

main();
