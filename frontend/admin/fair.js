/*
 * One fair for staff (/admin/fair.html?id=N): its state and live counts
 * (refreshed every 10 s while the page is shown), publishing and closing
 * and other changes (PATCH with If-Match), the registrations (phones and
 * ID numbers masked), the employers with their contacts, and placements.
 *
 * Only what the caller may do is offered, by the API's rule (job_fairs.c
 * fair_in_scope): admins, and staff of a unit the fair's unit belongs to
 * (itself or below it), manage it; staff of another town see the fair
 * as the public does, and are told why. The edit and placement forms are
 * kept on the phone as they are typed (api.js keepForm()); a session
 * that ended takes the person to sign in and back (signInAgain()).
 */
import {
	api, busy, cachedGet, checkForm, confirmStep, el, formatTime, keepForm,
	loginUrl, queuedText, readForm, refreshCounters, resumeDone, resumeNote, say,
	showProblem, signInAgain, submit, todayShanghai, toast,
} from '/assets/api.js';
import {
	FAIR_KIND, FAIR_STATUS, POSITION_KIND, REG_STATUS, SEEKER_KIND, fairTime,
	idParam, toLocalInput, wage,
} from '/fair/fairs.js';

const $ = (id) => document.getElementById(id);
const pageMsg = $('page-msg');
const fairId = idParam();
const BASE = `/api/v1/job-fairs/${fairId}`;
let fair = null;
let regCursor = null;
let regSeq = 0;
let employers = [];
let me = null;
let units = null;               /* GET /units; null when it did not come */

const keptEdit = keepForm($('edit-form'), `fair.edit:${fairId}`);
const keptPlace = keepForm($('place-form'), `fair.place:${fairId}`);
$('place-form').dataset.submitPath = `${BASE}/placements`;

/* Is unit id the unit root or one below it? */
function within(root, id) {
	const seen = new Set();
	let u = units.find((x) => x.id === id);
	while (u && !seen.has(u.id)) {
		if (u.id === root)
			return true;
		seen.add(u.id);
		u = units.find((x) => x.id === u.parent_id);
	}
	return false;
}

/* May the caller manage the fair? The API's rule; without the list of
 * units the buttons show, and the API judges. */
function manages(f) {
	if (!me || me.role === 'volunteer')
		return false;
	if (me.role === 'admin' || !units)
		return true;
	return within(me.unit_id, f.unit_id);
}

/* ---- The fair ---- */

function show(f) {
	fair = f;
	document.title = `${f.title} · 招聘会管理`;
	$('fair-kind').textContent = f.kind_label || FAIR_KIND[f.kind];
	$('fair-status').className = `status big s-${f.status}`;
	$('fair-status').textContent = FAIR_STATUS[f.status];
	$('fair-title').textContent = f.title;
	$('fair-time').textContent = fairTime(f);
	$('fair-venue').textContent = f.venue;
	$('fair-unit').textContent = f.unit_name;
	$('c-registered').textContent = String(f.registered_count);
	$('c-capacity').textContent = String(f.seeker_capacity);
	$('c-waitlisted').textContent = String(f.waitlisted_count);
	$('c-checked').textContent = String(f.checked_in_count);
	const mine = manages(f);
	$('publish').hidden = !mine || f.status !== 'draft';
	$('close').hidden = !mine || f.status !== 'published';
	$('public-link').href = `/fair/fair.html?id=${f.id}`;
	$('checkin-link').href = `/field/checkin.html?fair=${f.id}`;
	$('checkin-link').hidden = !mine;
	$('add-employer').href = `/fair/employer.html?id=${f.id}`;
	$('add-employer').hidden = !mine || f.status === 'closed';
	$('edit').hidden = !mine || f.status === 'closed';
	$('summary').hidden = false;
}

function fillEdit(f) {
	const form = $('edit-form');
	form.elements.title.value = f.title;
	form.elements.kind.value = f.kind;
	form.elements.venue.value = f.venue;
	form.elements.starts_at.value = toLocalInput(f.starts_at);
	form.elements.ends_at.value = toLocalInput(f.ends_at);
	form.elements.seeker_capacity.value = String(f.seeker_capacity);
	refreshCounters(form);
}

async function reload() {
	const f = await api('GET', BASE);
	show(f);
	return f;
}

async function patch(body) {
	return api('PATCH', BASE, body, { headers: { 'If-Match': `"${fair.version}"` } });
}

/* Publishing and closing end something: each names what follows. */
const STEP = {
	published: {
		title: '发布这场招聘会？',
		consequence: ['发布后公众即可看到并在线报名、用人单位可以报名参会。', '发布后不能退回草稿。'],
		yes: '确定发布', done: '已发布，公众可以报名了',
	},
	closed: {
		title: '结束报名？',
		consequence: ['结束后不再接受求职者和用人单位报名，也不能再修改招聘会信息；现场签到和录用登记照常。',
		    '结束后不能重新开放报名。'],
		yes: '确定结束报名', done: '已结束报名',
	},
};

async function move(to, button) {
	const step = STEP[to];
	if (!(await confirmStep(step)))
		return;
	const done = busy(button);
	try {
		show(await patch({ status: to }));
		fillEdit(fair);
		resumeDone(step.yes.replace(/^确定/, ''));
		toast(step.done, 'ok');
	} catch (err) {
		if (err.status === 401) {
			signInAgain(step.yes.replace(/^确定/, ''));
			return;
		}
		if (err.status === 412) {
			await reload();
			fillEdit(fair);
			toast('招聘会已被他人修改，已刷新，请再试一次', 'warn');
		} else {
			toast(err.message, 'error');
		}
	} finally {
		done();
	}
}

$('publish').addEventListener('click', (e) => move('published', e.currentTarget));
$('close').addEventListener('click', (e) => move('closed', e.currentTarget));

$('edit-form').addEventListener('submit', async (e) => {
	e.preventDefault();
	const form = $('edit-form');
	if (!checkForm(form))
		return;
	const body = readForm(form);
	const done = busy($('edit-submit'));
	try {
		show(await patch(body));
		keptEdit.clear();
		fillEdit(fair);
		resumeDone('保存修改');
		toast('已保存', 'ok');
		loadRegs();
	} catch (err) {
		if (err.status === 401) {
			signInAgain('保存修改');
			return;
		}
		if (err.status === 412) {
			await reload();
			fillEdit(fair);
		}
		showProblem(form, err);
	} finally {
		done();
	}
});

/* ---- Registrations ---- */

function regItem(g) {
	const who = [SEEKER_KIND[g.kind] || g.kind];
	if (g.hardship_family)
		who.push('困难职工家庭');
	if (g.wanted)
		who.push(`想找：${g.wanted}`);
	return el('li', { 'data-reg-id': String(g.id) },
	    el('div', { class: 'reg-top' },
		el('span', { text: `${g.name}　${g.phone || ''}` }),
		el('span', { class: `status s-${g.status}`,
		    text: g.status === 'waitlisted' ? `候补第 ${g.waitlist_position} 位` : REG_STATUS[g.status] })),
	    el('div', { class: 'muted', text: who.join(' · ') }),
	    el('div', { class: 'muted', text: (g.id_number ? `身份证 ${g.id_number} · ` : '') +
		`报名 ${formatTime(g.created_at, 'short')}` +
		(g.checked_in_at ? ` · 签到 ${formatTime(g.checked_in_at, 'time')}` : '') }));
}

async function loadRegs(append = false) {
	const mine = ++regSeq;
	const q = new URLSearchParams({ limit: '50' });
	const st = $('r-status').value;
	const name = $('r-q').value.trim();
	if (st)
		q.set('status', st);
	if (name)
		q.set('q', name);
	if (append && regCursor)
		q.set('cursor', regCursor);
	try {
		const r = await api('GET', `${BASE}/registrations?${q}`);
		if (mine !== regSeq)
			return;
		if (!append)
			$('reg-list').textContent = '';
		for (const g of r.items || [])
			$('reg-list').append(regItem(g));
		regCursor = r.next_cursor || null;
		$('regs-more').hidden = !regCursor;
		say($('regs-msg'), $('reg-list').children.length ? '' : '还没有报名');
	} catch (err) {
		say($('regs-msg'), err.network ? '没有网络，无法加载报名。' : err.message, 'error');
	}
}

$('reg-filter').addEventListener('submit', (e) => {
	e.preventDefault();
	loadRegs();
});
$('reg-filter').addEventListener('change', () => loadRegs());
$('regs-more').addEventListener('click', () => loadRegs(true));

/* ---- Employers ---- */

function empItem(e) {
	return el('li', { class: 'employer' },
	    el('div', { class: 'employer-head' },
		el('span', { class: 'employer-name', text: e.name }),
		e.caring ? el('span', { class: 'tag ok', text: '爱心企业' }) : null),
	    el('div', { class: 'muted',
	        text: `${e.contact_name || ''} ${e.contact_phone || ''} · ${e.credit_code || ''}` }),
	    el('ul', { class: 'positions' }, ...e.positions.map((p) => el('li', { class: 'position' },
		el('span', { class: 'position-title', text: p.title }),
		el('span', { class: 'position-meta',
		    text: `${POSITION_KIND[p.kind]} · 招 ${p.headcount} 人 · 已录用 ${p.placed} 人` }),
		el('span', { class: 'wage', text: wage(p) })))));
}

async function loadEmployers() {
	try {
		const r = await api('GET', `${BASE}/employers?limit=200`);
		employers = r.items || [];
		$('emp-list').textContent = '';
		for (const e of employers)
			$('emp-list').append(empItem(e));
		say($('emps-msg'), employers.length ? '' : '还没有用人单位报名');
		const sel = $('p-emp');
		const keep = sel.value;
		while (sel.options.length > 1)
			sel.remove(1);
		for (const e of employers)
			sel.append(new Option(e.name, String(e.id)));
		sel.value = keep;
		positions();
	} catch (err) {
		say($('emps-msg'), err.network ? '没有网络，无法加载用人单位。' : err.message, 'error');
	}
}

/* ---- Placements ---- */

function positions() {
	const sel = $('p-pos');
	const keep = sel.dataset.wanted || sel.value;
	while (sel.options.length)
		sel.remove(0);
	const e = employers.find((x) => String(x.id) === $('p-emp').value);
	sel.append(new Option(e ? '请选择岗位' : '请先选择用人单位', ''));
	for (const p of e ? e.positions : [])
		sel.append(new Option(`${p.title}（${POSITION_KIND[p.kind]}，已录用 ${p.placed}/${p.headcount}）`, String(p.id)));
	sel.value = keep;
	if (sel.value === keep)
		delete sel.dataset.wanted;
}

$('p-emp').addEventListener('change', positions);

async function registeredPeople() {
	try {
		const r = await api('GET', `${BASE}/registrations?status=registered&limit=200`);
		const sel = $('p-reg');
		const keep = sel.value;
		while (sel.options.length > 1)
			sel.remove(1);
		for (const g of (r.items || []).slice().reverse())
			sel.append(new Option(`${g.name}　${g.phone || ''}（${SEEKER_KIND[g.kind]}${g.hardship_family ? '，困难家庭' : ''}）`, String(g.id)));
		sel.value = keep;
	} catch (e) { /* the list waits for the next load */ }
}

async function loadPlacements() {
	try {
		const r = await api('GET', `${BASE}/placements?limit=200`);
		$('place-list').textContent = '';
		for (const p of r.items || [])
			$('place-list').append(el('li', {},
			    el('div', { class: 'reg-top' },
				el('span', { text: p.name }),
				el('span', { class: 'muted', text: p.placed_on })),
			    el('div', { class: 'muted',
			        text: `${p.employer_name} · ${p.position_title}（${POSITION_KIND[p.position_kind]}）` })));
		say($('places-msg'), (r.items || []).length ? '' : '还没有录用登记');
	} catch (err) {
		say($('places-msg'), err.network ? '没有网络，无法加载。' : err.message, 'error');
	}
}

/* ---- Placements ---- */

/* The fair's day in Asia/Shanghai: no one is placed before it. */
const fairDay = () => formatTime(fair.starts_at, 'date');

/* A placement's day lies from the fair's day to today (the API refuses
 * others, job_fairs.c): before the fair, its day. */
function placedOnDefault() {
	const today = todayShanghai();
	return today < fairDay() ? fairDay() : today;
}

function showPlacedOnHint() {
	const day = fairDay();
	const [, m, d] = day.split('-').map(Number);
	$('p-on').min = day;
	$('p-on-hint').textContent = todayShanghai() < day ?
	    `招聘会在 ${m}月${d}日 举行，录用从那天起才能登记` :
	    `从招聘会当天（${m}月${d}日）到今天`;
}

/* The rules of the day the server checks too, in its words. */
function placedOnProblems() {
	const day = $('p-on').value;
	if (!day)
		return [];
	if (day < fairDay())
		return [{ field: 'placed_on', code: 'out_of_range', message: '录用日期不能早于招聘会当天' }];
	if (day > todayShanghai())
		return [{ field: 'placed_on', code: 'out_of_range', message: '录用日期不能晚于今天' }];
	return [];
}

$('place-form').addEventListener('submit', async (e) => {
	e.preventDefault();
	const form = $('place-form');
	if (!checkForm(form, placedOnProblems()))
		return;
	const done = busy($('place-submit'));
	try {
		const r = await submit(`${BASE}/placements`, readForm(form), { label: '录用登记' });
		keptPlace.clear();
		if (r.queued) {
			toast(queuedText(r.reason), 'warn');
		} else {
			toast(`已登记：${r.data.name} 被 ${r.data.employer_name} 录用为${r.data.position_title}`, 'ok');
			form.elements.registration_id.value = '';
			await Promise.all([loadPlacements(), loadEmployers()]);
		}
	} catch (err) {
		showProblem(form, err);
	} finally {
		done();
	}
});

/* ---- Start ---- */

async function main() {
	if (!fairId) {
		say(pageMsg, '没有指定招聘会。', 'error');
		return;
	}
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
	try {
		units = (await cachedGet('/api/v1/units')).data.items || [];
	} catch (err) {
		units = null;
	}
	try {
		fillEdit(await reload());
	} catch (err) {
		say(pageMsg, err.status === 404 ? '没有找到这场招聘会。' :
		    err.network ? '没有网络，请联网后刷新。' : err.message, 'error');
		return;
	}
	say(pageMsg, me.role === 'volunteer' ? '招聘会管理供工会工作人员使用。' : '');
	if (me.role === 'volunteer')
		return;
	if (!manages(fair)) {
		/* What the public sees, and why nothing more. */
		say(pageMsg, `这场招聘会由${fair.unit_name}主办，只有${fair.unit_name}及其上级工会的` +
		    '工作人员可以管理（发布、结束报名、修改、查看报名和录用登记）；这里只能查看。', 'warn');
		$('emps').hidden = false;
		await loadEmployers();
		return;
	}
	$('p-on').value = placedOnDefault();
	showPlacedOnHint();
	for (const id of ['regs', 'emps', 'places'])
		$(id).hidden = false;
	const note = resumeNote();
	await Promise.all([loadRegs(), loadEmployers(), loadPlacements(), registeredPeople()]);
	/* What was typed before a reload or a sign-in. */
	if (!$('edit').hidden && keptEdit.restore()) {
		$('edit-box').open = true;
		say(pageMsg, '“修改招聘会信息”中是上次填写、还没有保存的内容。', 'warn');
	}
	if (keptPlace.restore())
		positions();
	if (note) {
		say(pageMsg, note, 'warn');
		toast(note, 'warn');
	}
	setInterval(async () => {
		if (document.visibilityState !== 'visible')
			return;
		try {
			await reload();
		} catch (e) { /* shown again next round */ }
	}, 10000);
}

main();
