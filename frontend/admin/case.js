/*
 * One wage-arrears case for staff (/admin/case.html?id=N): every field,
 * the workers with what is owed and recovered, the recoveries, the
 * history, and the moves the workflow allows from the current status as
 * buttons. A move is POST /wage-cases/{id}/transitions with
 * If-Match: "<version>"; when someone else changed the case meanwhile
 * (412) the page says so and loads the case afresh. Recoveries go through
 * the outbox like every record typed in (POST /wage-cases/{id}/recoveries).
 * A move that ends the case asks first and names what it ends (money still
 * owed); the button says what it is doing meanwhile, and the result is
 * shown where the person is looking (a toast).
 *
 * What the two forms hold (the note of a move, a recovery being typed)
 * is kept on the phone as it is typed (api.js keepForm()): when the
 * session has ended, a move goes to the sign-in page (signInAgain()) and
 * back here, where the page says the move was not made, shows the case
 * as it is now and the note as it was typed.
 */
import {
	api, busy, cachedGet, checkForm, clearProblem, confirmStep, el, keepForm,
	loginUrl, queuedText, readForm, resumeDone, resumeNote, say, showProblem, signInAgain,
	submit, toast,
} from '/assets/api.js';
import {
	ACTION, BUSY, INDUSTRY, NEXT, RECOVERING, SOURCE, STATUS, money,
	todayShanghai, toFen, when, yuan,
} from '/help/wage.js';

const $ = (id) => document.getElementById(id);
const pageMsg = $('page-msg');
const actionMsg = $('action-msg');
const tForm = $('transition-form');
const rForm = $('recovery-form');

const id = Number(new URLSearchParams(location.search).get('id'));
const PATH = `/api/v1/wage-cases/${id}`;

let me = null;
let kase = null;
let moving = false;

const keptNote = keepForm(tForm, `case.note:${id}`);
const keptRecovery = keepForm(rForm, `case.recovery:${id}`);

const canAct = () => me && (me.role === 'staff' || me.role === 'admin');

/* ---- Rendering ---- */

function phoneNode(p) {
	if (!p)
		return '—';
	return /^\d{11}$/.test(p) ? el('a', { href: `tel:${p}`, text: p }) : p;
}

function renderFields(c) {
	const dl = $('c-fields');
	dl.textContent = '';
	const rows = [
		['所属工会', c.unit_name],
		['行业', INDUSTRY[c.industry] || c.industry],
		['项目名称', c.project_name],
		['工地或单位地址', c.site_address],
		['统一社会信用代码', c.employer_credit_code],
		['联系人', c.reporter ? el('span', {}, `${c.reporter.name} `,
		    phoneNode(c.reporter.phone)) : null],
		['来源', SOURCE[c.source] || c.source],
		['情况说明', c.description],
		['登记时间', when(c.created_at)],
		['受理日期', c.accepted_on],
		['结案日期', c.closed_on],
		['最近更新', when(c.updated_at)],
	];
	for (const [k, v] of rows) {
		const dd = el('dd', {});
		if (v === null || v === undefined || v === '')
			dd.append(el('span', { class: 'muted', text: '—' }));
		else
			dd.append(v);
		if (k === '情况说明')
			dd.className = 'pre';
		dl.append(el('dt', { text: k }), dd);
	}
}

function workerName(wid) {
	const w = (kase.workers || []).find((x) => x.id === wid);
	return w ? w.name : `#${wid}`;
}

function renderWorkers(c) {
	const ul = $('c-workers');
	ul.textContent = '';
	$('workers-title').textContent = `农民工名单（${(c.workers || []).length} 人）`;
	for (const w of c.workers || []) {
		const full = toFen(w.amount_recovered) >= toFen(w.amount_owed);
		ul.append(el('li', { 'data-worker-id': String(w.id) },
		    el('div', { class: 'name' }, w.name,
			full ? el('span', { class: 'tag ok', text: '已全部追回' }) : null),
		    el('div', { class: 'muted',
		        text: `身份证号 ${w.id_number || '—'} · 手机 ${w.phone || '—'}` }),
		    el('div', { class: 'worker-money' },
			el('span', { text: `被欠 ${money(w.amount_owed)}` }),
			el('span', { 'data-recovered': '', text: `已追回 ${money(w.amount_recovered)}` }))));
	}
}

function renderRecoveries(c) {
	const ul = $('c-recoveries');
	ul.textContent = '';
	for (const r of c.recoveries || []) {
		ul.append(el('li', {},
		    el('div', { class: 'name', text: `${workerName(r.worker_id)} ${money(r.amount)}` }),
		    el('div', { class: 'muted',
		        text: `${r.recovered_on} 追回 · ${r.user || '—'} 登记于 ${when(r.created_at)}` })));
	}
	if (!(c.recoveries || []).length)
		ul.append(el('li', { class: 'muted', text: '暂无追回记录' }));
}

function renderEvents(c) {
	const ol = $('c-events');
	ol.textContent = '';
	for (const e of c.events || []) {
		const what = e.from ? `${STATUS[e.from] || e.from} → ${STATUS[e.to] || e.to}` :
		    (STATUS[e.to] || e.to);
		ol.append(el('li', {},
		    el('div', { class: 'name', text: what }),
		    el('div', { class: 'muted', text: `${when(e.at)} · ${e.user || '求助人'}` }),
		    e.note ? el('p', { class: 'pre', text: e.note }) : null));
	}
}

function renderActions(c) {
	const next = canAct() ? NEXT[c.status] || [] : [];
	$('actions').hidden = next.length === 0;
	const box = $('action-buttons');
	box.textContent = '';
	next.forEach((to, i) => {
		box.append(el('button', {
			type: 'button',
			class: `btn${i === 0 ? '' : ' secondary'}`,
			'data-to': to,
			text: ACTION[to],
			onclick: (e) => ask(to, e.currentTarget),
		}));
	});
}

function renderRecoveryForm(c) {
	const open = canAct() && RECOVERING.includes(c.status);
	$('recovery').hidden = !open;
	if (!open)
		return;
	const sel = $('r-worker');
	const keep = sel.value;
	while (sel.options.length > 1)
		sel.remove(1);
	let left = 0;
	for (const w of c.workers || []) {
		const rest = toFen(w.amount_owed) - toFen(w.amount_recovered);
		const o = new Option(rest > 0 ?
		    `${w.name}（还差 ${yuan(rest)} 元）` : `${w.name}（已全部追回）`, String(w.id));
		o.disabled = rest <= 0;
		o.dataset.rest = String(rest);
		if (rest > 0)
			left++;
		sel.append(o);
	}
	sel.value = keep;
	if (!sel.value && left === 1)
		sel.value = [...sel.options].find((o) => o.value && !o.disabled).value;
	if (!$('r-date').value)
		$('r-date').value = todayShanghai();
	$('r-date').max = todayShanghai();
	updateAmountHint();
}

function updateAmountHint() {
	const o = $('r-worker').selectedOptions[0];
	const rest = o && o.dataset.rest ? Number(o.dataset.rest) : null;
	$('r-amount-hint').textContent = rest !== null && rest > 0 ?
	    `该农民工最多还可登记 ${yuan(rest)} 元；分期支付的分次登记` :
	    '每次追回登记一笔，分期支付的分次登记';
}
$('r-worker').addEventListener('change', updateAmountHint);

function render(c) {
	kase = c;
	document.title = `${c.reference} · 欠薪案件`;
	$('h-ref').textContent = c.reference;
	const st = $('c-status');
	st.textContent = c.status_label;
	st.className = `status big s-${c.status}`;
	st.dataset.status = c.status;
	$('c-employer').textContent = c.employer_name;
	$('c-owed').textContent = money(c.amount_owed);
	$('c-recovered').textContent = money(c.amount_recovered);
	renderFields(c);
	renderActions(c);
	renderRecoveryForm(c);
	renderWorkers(c);
	renderRecoveries(c);
	renderEvents(c);
	rForm.dataset.submitPath = `${PATH}/recoveries`;
	$('case').hidden = false;
}

/* ---- Loading ---- */

async function loadCase() {
	try {
		const c = await api('GET', PATH);
		render(c);
		say(pageMsg, '');
		return true;
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return false;
		}
		say(pageMsg, err.status === 404 ? '没有这个案件，或者您无权查看。' :
		    err.network ? '没有网络，无法加载案件。请联网后刷新。' :
		    `无法加载案件：${err.message}`, err.network ? 'warn' : 'error');
		return false;
	}
}

/* ---- Moves ---- */

/* What is still owed on the case, in fen. */
function unpaid(c) {
	return Math.max(0, (toFen(c.amount_owed) || 0) - (toFen(c.amount_recovered) || 0));
}

/*
 * The question before a move that ends the case, naming what it ends; null
 * for moves that need none.
 */
function question(to, c) {
	if (to === 'closed') {
		const left = unpaid(c);
		return {
			title: left > 0 ? `仍有 ${yuan(left)} 元未追回，确定结案？` : '确定结案？',
			consequence: [
			    left > 0 ? `被欠 ${money(c.amount_owed)}，已追回 ${money(c.amount_recovered)}。` :
				'被欠工资已全部追回。',
			    '结案后案件不能再修改，也不能再登记追回金额。',
			],
			yes: '确定结案',
		};
	}
	if (to === 'rejected') {
		return {
			title: '确定不予受理？',
			consequence: ['案件将就此结束，不能再办理。',
			    '求助人查询进度时会看到“不予受理”。'],
			yes: '确定不予受理',
		};
	}
	return null;
}

async function ask(to, button) {
	if (moving || !kase)
		return;
	say(actionMsg, '');
	const q = question(to, kase);
	if (q && !(await confirmStep(q)))
		return;
	move(to, button);
}

function setMoving(on) {
	moving = on;
	for (const b of $('actions').querySelectorAll('button'))
		b.disabled = on;
}

async function move(to, button) {
	if (moving || !kase)
		return;
	clearProblem(tForm);
	const body = { to };
	const note = tForm.elements.note.value.trim();
	if (note)
		body.note = note;
	if (!checkForm(tForm))
		return;
	setMoving(true);
	const done = busy(button, BUSY[to]);
	try {
		const c = await api('POST', `${PATH}/transitions`, body,
		    { headers: { 'If-Match': `"${kase.version}"` } });
		tForm.elements.note.value = '';
		keptNote.clear();
		resumeDone(ACTION[to]);
		render(c);
		const text = `${ACTION[to]}成功：案件状态已更新为“${c.status_label}”`;
		toast(text, 'ok');
		say($('actions').hidden ? pageMsg : actionMsg, text, 'ok');
	} catch (err) {
		if (err.status === 401) {
			signInAgain(ACTION[to]);
			return;
		}
		let text = null;
		if (err.status === 412 || err.status === 428) {
			await loadCase();
			text = '案件已被他人修改，已重新加载最新内容，请确认后再操作。';
		} else if (err.status === 409 || err.status === 404) {
			await loadCase();
			text = err.detail || err.message;
		} else if (err.network) {
			text = '网络不可用，操作没有完成，请联网后再试。';
		} else {
			showProblem(tForm, err);
		}
		if (text) {
			say(actionMsg, text, 'error');
			toast(text, 'error');
		}
	} finally {
		if (button.isConnected)
			done();
		setMoving(false);
	}
}

/* ---- Recoveries ---- */

rForm.addEventListener('submit', async (e) => {
	e.preventDefault();
	say($('recovery-ok'), '', 'ok');
	if (!checkForm(rForm))
		return;
	const body = readForm(rForm);
	const done = busy(rForm.querySelector('button[type="submit"]'));
	try {
		const r = await submit(rForm.dataset.submitPath, body,
		    { label: `${kase.reference} 追回 ${workerName(body.worker_id)} ${body.amount || ''} 元` });
		keptRecovery.clear();
		if (r.queued) {
			const text = `${queuedText(r.reason)}（见页面顶部“待发送”）`;
			say($('recovery-ok'), text, 'warn');
			toast(text, 'warn');
		} else {
			render(r.data);
			resumeDone('登记追回');
			const text = `已登记：${workerName(body.worker_id)} 追回 ${money(body.amount)}`;
			say($('recovery-ok'), text, 'ok');
			toast(text, 'ok');
		}
		rForm.elements.amount.value = '';
	} catch (err) {
		if (err.status === 401) {
			signInAgain('登记追回');
			return;
		}
		showProblem(rForm, err, { codeFields: { exceeds_owed: 'amount' } });
		if (err.code === 'case_not_open')
			await loadCase();
	} finally {
		done();
	}
});

/* A recovery queued earlier reached the server: show the case as it is. */
window.addEventListener('outbox:sent', (e) => {
	if (e.detail.entry.path.startsWith(`${PATH}/`))
		loadCase();
});

/* ---- Start ---- */

async function main() {
	if (!Number.isInteger(id) || id < 1) {
		say(pageMsg, '缺少案件编号。', 'error');
		return;
	}
	try {
		me = (await cachedGet('/api/v1/me')).data;
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		if (!err.network) {
			say(pageMsg, `无法加载：${err.message}`, 'error');
			return;
		}
	}
	const note = resumeNote();
	if (!(await loadCase()))
		return;
	/* What was typed before a reload or a sign-in, over the case as it
	 * is now. */
	const typedNote = keptNote.restore();
	const typedRecovery = !$('recovery').hidden && keptRecovery.restore();
	if (typedRecovery)
		updateAmountHint();
	if (note) {
		/* No move is possible any more: the note is shown where it can
		 * be read and copied. */
		const lost = $('actions').hidden && typedNote && typedNote.values.note;
		say($('actions').hidden ? pageMsg : actionMsg,
		    lost ? `${note}案件现在不能再办理；您填写的备注：${typedNote.values.note}` : note, 'warn');
		toast(note, 'warn');
	} else if (typedNote && typedNote.values.note && !$('actions').hidden) {
		say(actionMsg, '备注中是上次填写、还没有提交的内容。', 'warn');
	}
}

main();
