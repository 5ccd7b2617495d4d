/*
 * One fair for the public: its time and place, the employers and their
 * positions (wages in yuan), and the job seeker's sign-up
 * (POST /api/v1/job-fairs/{id}/registrations).
 *
 * - The answer's code is shown large with its QR code (onceCard), and
 *   stays on this phone (keptList RESULTS_KEY) until the person has
 *   confirmed twice that it is saved: the server shows a code only once,
 *   and a phone number alone never brings it back.
 * - What is typed is kept as a draft until the server has the sign-up.
 * - The form goes through the outbox (api.js submit()): without a network,
 *   or while the server asks to wait (429), it is kept and sent later;
 *   the answer is picked up when it comes (outbox:sent), or asked for
 *   again with the same Idempotency-Key, which replays it.
 */
import {
	api, busy, checkForm, dropFailed, el, fillForm, flush, keptList, message,
	onceCard, outboxState, queuedText, readForm, refreshCounters, say,
	showProblem, submit, toast,
} from '/assets/api.js';
import {
	FAIR_KIND, POSITION_KIND, REG_STATUS, fairTime, idParam, load, placesText,
	store, wage,
} from '/fair/fairs.js';

const DRAFT_KEY = 'swn.fair.signup.draft.v1';
const PENDING_KEY = 'swn.fair.signup.pending.v1';
const RESULTS_KEY = 'swn.fair.results.v1';

const $ = (id) => document.getElementById(id);
const form = $('signup-form');
const submitBtn = $('signup-submit');
const pageMsg = $('page-msg');
const fairId = idParam();
const PATH = `/api/v1/job-fairs/${fairId}/registrations`;
form.dataset.submitPath = PATH;

let fair = null;
let empCursor = null;

/* ---- The fair and its employers ---- */

function showFair(f) {
	fair = f;
	document.title = `${f.title} · 常州经开区总工会`;
	$('fair-kind').textContent = f.kind_label || FAIR_KIND[f.kind] || f.kind;
	$('fair-title').textContent = f.title;
	$('fair-time').textContent = fairTime(f);
	$('fair-venue').textContent = f.venue;
	$('fair-unit').textContent = f.unit_name || '';
	$('fair-places').textContent = placesText(f);
	$('go-employer').href = `/fair/employer.html?id=${f.id}`;
	$('go-cancel').href = `/fair/cancel.html?id=${f.id}`;
	const open = f.status === 'published';
	$('go-signup').hidden = !open;
	$('go-employer').hidden = !open;
	$('fair').hidden = false;
	$('employers').hidden = false;
	$('cancel-box').hidden = !open;
	$('signup').hidden = !open;
	if (!submitBtn.disabled)
		submitBtn.textContent = f.places_left > 0 ? '提交报名' : '提交报名（进入候补）';
	if (!open)
		say(pageMsg, f.status === 'closed' ? '本场招聘会已结束，不再接受报名。' :
		    '本场招聘会尚未开始报名。', 'warn');
}

function employerItem(e) {
	return el('li', { class: 'employer', 'data-employer-id': String(e.id) },
	    el('div', { class: 'employer-head' },
		el('span', { class: 'employer-name', text: e.name }),
		e.caring ? el('span', { class: 'tag ok', text: '爱心企业' }) : null),
	    el('ul', { class: 'positions' }, ...e.positions.map((p) =>
		el('li', { class: 'position' },
		    el('span', { class: 'position-title', text: p.title }),
		    el('span', { class: 'position-meta',
		        text: `${POSITION_KIND[p.kind] || p.kind} · 招 ${p.headcount} 人` }),
		    el('span', { class: 'wage', text: wage(p) })))));
}

async function loadEmployers() {
	const more = $('employers-more');
	more.disabled = true;
	try {
		const q = new URLSearchParams({ limit: '50' });
		if (empCursor)
			q.set('cursor', empCursor);
		const r = await api('GET', `/api/v1/job-fairs/${fairId}/employers?${q}`);
		for (const e of r.items || [])
			$('employer-list').append(employerItem(e));
		empCursor = r.next_cursor || null;
		more.hidden = !empCursor;
		say($('employers-msg'), $('employer-list').children.length ? '' :
		    '参会单位正在报名中，请稍后再来看。');
	} catch (err) {
		say($('employers-msg'), err.network ? '没有网络，无法加载参会单位。' :
		    `无法加载参会单位：${err.message}`, 'warn');
	} finally {
		more.disabled = false;
	}
}

$('employers-more').addEventListener('click', loadEmployers);

async function loadFair() {
	try {
		showFair(await api('GET', `/api/v1/job-fairs/${fairId}`));
		say(pageMsg, fair.status === 'published' ? '' : pageMsg.textContent,
		    fair.status === 'published' ? '' : 'warn');
		await loadEmployers();
	} catch (err) {
		say(pageMsg, err.status === 404 ? '没有找到这场招聘会，可能已经取消。' :
		    err.network ? '没有网络，无法加载招聘会。请联网后刷新页面。' :
		    `无法加载招聘会：${err.message}`, 'error');
	}
}

/* ---- Draft ---- */

function kindChanged() {
	const student = form.elements.kind.value === 'student';
	$('s-hardship-box').hidden = !student;
	$('s-hardship').disabled = !student;
}

function saveDraft() {
	const values = {};
	for (const c of form.elements) {
		if (!c.name || c.type === 'submit')
			continue;
		if (c.type === 'radio') {
			if (c.checked)
				values[c.name] = c.value;
		} else if (c.type === 'checkbox') {
			if (c.checked)
				values[c.name] = true;
		} else if (c.value !== '') {
			values[c.name] = c.value;
		}
	}
	store(DRAFT_KEY, Object.keys(values).length ? { fair: fairId, values } : null);
}

function restoreDraft() {
	const d = load(DRAFT_KEY, null);
	if (!d || !d.values)
		return;
	for (const [name, v] of Object.entries(d.values)) {
		if (name === 'kind' && !v)
			continue;
		for (const c of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
			if (c.type === 'radio')
				c.checked = c.value === v;
			else if (c.type === 'checkbox')
				c.checked = v === true;
			else
				c.value = v;
		}
	}
	kindChanged();
	refreshCounters(form);
}

form.addEventListener('input', saveDraft);
form.addEventListener('change', (e) => {
	if (e.target.name === 'kind')
		kindChanged();
	saveDraft();
});

/* ---- Results: the code and its QR, kept until saved ---- */

const results = keptList(RESULTS_KEY);
const pendingList = () => load(PENDING_KEY, []);

function addResult(data, title) {
	results.add({ fair_id: data.fair_id, fair_title: title || '', code: data.code,
	    status: data.status, waitlist_position: data.waitlist_position,
	    at: new Date().toISOString() }, (r) => r.code === data.code);
}

function statusLine(r) {
	if (r.status === 'registered')
		return '您已获得入场名额，请按时到场。';
	if (r.status === 'waitlisted')
		return `名额已满，您在候补第 ${r.waitlist_position} 位。有人取消时按顺序递补，可点“查看最新状态”。`;
	return REG_STATUS[r.status] || r.status;
}

/* The registration as the server has it now (a waitlisted person moves up). */
async function refresh(r, button) {
	const done = busy(button, '正在查询…');
	try {
		const g = await api('GET', `/api/v1/job-fairs/${r.fair_id}/registrations/${r.code}`);
		results.add({ ...r, status: g.status, waitlist_position: g.waitlist_position },
		    (x) => x.code === r.code);
		render();
		toast(g.status === 'registered' ? '您已获得入场名额' :
		    g.status === 'waitlisted' ? `仍在候补，第 ${g.waitlist_position} 位` :
		    REG_STATUS[g.status], g.status === 'cancelled' ? 'warn' : 'ok');
	} catch (err) {
		toast(err.network ? '没有网络，稍后再试' : err.message, 'warn');
	} finally {
		done();
	}
}

function resultCard(r) {
	const waiting = r.status === 'waitlisted';
	const check = waiting ? el('button', { type: 'button', class: 'btn block',
	    text: '查看最新状态' }) : null;
	check?.addEventListener('click', () => refresh(r, check));
	const card = onceCard({
		title: waiting ? '已报名，正在候补' : '✓ 报名成功',
		intro: [
			r.fair_title ? el('p', { class: 'muted', text: r.fair_title }) : null,
			el('p', { class: 'status-line', 'data-status': r.status, text: statusLine(r) }),
			el('img', { class: 'qr', alt: `报名码二维码：${r.code}`, width: '280', height: '280',
			    src: `/api/v1/job-fairs/${r.fair_id}/registrations/${r.code}/qr.svg` }),
		].filter(Boolean),
		items: [{ label: '报名码', value: r.code, attr: 'data-code' }],
		note: '请现在截屏保存本页。入场时出示二维码，或报出报名码。报名码只显示这一次。',
		fileName: `招聘会报名码-${r.code}.png`,
		extra: check ? [check] : [],
		onDiscard: () => {
			results.remove((x) => x.code === r.code);
			render();
		},
	});
	card.dataset.result = r.code;
	if (waiting)
		card.classList.add('waiting');
	return card;
}

let shownResults = null;          /* what the result cards show now */

/* The cards are redrawn only when what they show changes (as help/ and
 * field/returns do): going on or off line, or a reconcile, leaves the
 * card, its QR and the focus on 复制/我已记下 alone. */
function render() {
	const list = results.list();
	const key = JSON.stringify(list.map((r) =>
	    [r.code, r.status, r.waitlist_position, r.fair_title]));
	if (key !== shownResults) {
		const box = $('results');
		box.textContent = '';
		for (const r of list)
			box.append(resultCard(r));
		shownResults = key;
	}
	$('queued').hidden = !pendingList().some((p) => p.fair_id === fairId);
	/* Online, a sign-up waiting has been sent (its answer was lost, or
	 * it is on its way): the heading says so, as the outbox's notice
	 * does, not "联网后". */
	const online = navigator.onLine;
	$('queued-title').textContent = online ? '已发出，正在等待服务器的回复' :
	    '已保存，联网后自动报名';
	$('queued-text').textContent = online ?
	    '您的报名已经发出，正在等待服务器确认，不会重复报名；' :
	    '您的报名已经保存在这部手机上。有网络时会自动提交，';
}
window.addEventListener('offline', () => render());
window.addEventListener('online', () => render());

/* ---- Pending: kept by the outbox, answered later ---- */

function removePending(id) {
	store(PENDING_KEY, pendingList().filter((p) => p.id !== id));
}

/* An answer the outbox brought later: shown above the form, which is
 * left as the person is typing it. */
function delivered(p, data) {
	addResult(data, p.fair_title);
	removePending(p.id);
	render();
	/* Places left and the waiting list moved with it. */
	if (p.fair_id === fairId)
		api('GET', `/api/v1/job-fairs/${fairId}`).then(showFair).catch(() => {});
	toast('之前保存的报名已经提交成功，报名码见页面上方', 'ok');
}

function refused(p, problem) {
	removePending(p.id);
	dropFailed(p.id);
	if (p.fair_id === fairId) {
		fillForm(form, p.body);
		kindChanged();
		saveDraft();
		showProblem(form, problem);
	}
	render();
	say(pageMsg, '之前保存的报名没有被接受，请按提示修改后重新提交。', 'error');
}

window.addEventListener('outbox:sent', (e) => {
	const p = pendingList().find((x) => x.id === e.detail.entry.id);
	if (p && e.detail.data && e.detail.data.code)
		delivered(p, e.detail.data);
});

window.addEventListener('outbox:failed', (e) => {
	const p = pendingList().find((x) => x.id === e.detail.entry.id);
	if (p)
		refused(p, e.detail.error);
});

const asking = new Set();

/* A pending sign-up the outbox no longer holds was delivered while this
 * page was closed: ask again with the same key, the server replays. */
async function reconcile() {
	const box = outboxState();
	for (const p of pendingList()) {
		if (box.pending.some((e) => e.id === p.id) || asking.has(p.id))
			continue;
		const failed = box.failed.find((e) => e.id === p.id);
		if (failed) {
			refused(p, failed);
			continue;
		}
		asking.add(p.id);
		try {
			const r = await api('POST', p.path, p.body, { idempotencyKey: p.key });
			if (r && r.code)
				delivered(p, r);
		} catch (err) {
			if (!(err.network || err.status === 429 || err.status >= 500 ||
			    err.code === 'idempotency_in_flight'))
				refused(p, err);
		} finally {
			asking.delete(p.id);
		}
	}
	render();
}

window.addEventListener('online', reconcile);
setInterval(() => {
	if (pendingList().length)
		reconcile();
}, 30000);

/* ---- Submit ---- */

function buildBody() {
	const body = readForm(form);
	if (body.hardship_family === false)
		delete body.hardship_family;
	return body;
}

/* Every problem the page sees by itself, the choice of kind included
 * (checkForm() knows no radio buttons). */
function check() {
	return checkForm(form, form.elements.kind.value ? [] : [{ field: 'kind',
	    code: 'required', message: message('required', { kind: 'choice', label: '身份' }) }]);
}

form.addEventListener('submit', async (e) => {
	e.preventDefault();
	if (submitBtn.disabled || !check())
		return;
	say(pageMsg, '');
	const body = buildBody();
	const done = busy(submitBtn);
	try {
		const r = await submit(PATH, body, { label: `招聘会报名 ${fair ? fair.title : ''}`.trim() });
		if (r.queued) {
			const list = pendingList();
			list.push({ id: r.entry.id, key: r.entry.idempotencyKey, path: r.entry.path,
			    body, fair_id: fairId, fair_title: fair ? fair.title : '',
			    createdAt: r.entry.createdAt });
			store(PENDING_KEY, list);
			toast(queuedText(r.reason), 'warn');
		} else {
			addResult(r.data, fair ? fair.title : '');
		}
		form.reset();
		kindChanged();
		refreshCounters(form);
		store(DRAFT_KEY, null);
		render();
		window.scrollTo(0, 0);
		if (!r.queued && fair)
			api('GET', `/api/v1/job-fairs/${fairId}`).then(showFair).catch(() => {});
	} catch (err) {
		showProblem(form, err, { codeFields: { phone_registered: 'phone' } });
		if (err.code === 'fair_not_open')
			say(pageMsg, err.detail, 'error');
	} finally {
		done();
	}
});

/* ---- Start ---- */

if (!fairId) {
	say(pageMsg, '没有指定招聘会。', 'error');
	$('results').after(el('p', {}, el('a', { class: 'btn block', href: '/fair/' }, '查看全部招聘会')));
} else {
	restoreDraft();
	kindChanged();
	render();
	loadFair();
	reconcile();
	if (pendingList().length)
		flush();
}
