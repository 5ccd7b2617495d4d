/*
 * Staff home. Who is signed in (GET /me; 401 → the sign-in page), sign-out
 * (api.js signOut()), and for admins the door to the campaigns, the users
 * and the unit tree, with forms that create them through the outbox so a
 * form filled in without a network is not lost.
 */
import {
	api, busy, cachedGet, checkForm, loginUrl, queuedText, readForm,
	refreshCounters, say, showProblem, showSignedIn, submit, toast,
} from '/assets/api.js';

const ROLE = { admin: '管理员', staff: '工作人员', volunteer: '志愿者' };
const KIND = {
	district: '区总工会', town: '镇', street: '街道', direct: '直属单位',
};

const $ = (id) => document.getElementById(id);
const pageMsg = $('page-msg');

let me = null;
let units = [];
let usersCursor = null;


function li(...kids) {
	const n = document.createElement('li');
	n.append(...kids);
	return n;
}

function span(text, cls) {
	const n = document.createElement('span');
	n.textContent = text;
	if (cls)
		n.className = cls;
	return n;
}

function unitName(id) {
	const u = units.find((x) => x.id === id);
	return u ? u.name : (id === null || id === undefined ? '—' : `单位 ${id}`);
}

/* The units in tree order with their depth: parents before children. */
function unitTree() {
	const ids = new Set(units.map((u) => u.id));
	const kids = new Map();
	for (const u of units) {
		const p = ids.has(u.parent_id) ? u.parent_id : null;
		if (!kids.has(p))
			kids.set(p, []);
		kids.get(p).push(u);
	}
	for (const list of kids.values())
		list.sort((a, b) => a.id - b.id);
	const out = [];
	const seen = new Set();
	const walk = (parent, depth) => {
		for (const u of kids.get(parent) || []) {
			if (seen.has(u.id))
				continue;
			seen.add(u.id);
			out.push({ unit: u, depth });
			walk(u.id, depth + 1);
		}
	};
	walk(null, 0);
	return out;
}

/* ---- Who am I ---- */

async function loadMe() {
	try {
		const r = await cachedGet('/api/v1/me');
		if (r.stale)
			say(pageMsg, '当前没有网络，页面显示的是上次保存的信息。新填写的内容会先保存在本机。', 'warn');
		else
			say(pageMsg, '');
		return r.data;
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return null;
		}
		say(pageMsg, err.network ?
		    '当前没有网络，无法打开工作人员页面。请联网后刷新。' :
		    `无法加载：${err.message}`, 'error');
		return null;
	}
}

function showMe() {
	showSignedIn(me);
	$('me-role').textContent = `（${ROLE[me.role] || me.role}）`;
}

/* ---- Units ---- */

function fillUnitSelects() {
	const tree = unitTree();
	for (const sel of document.querySelectorAll('select[data-unit-select]')) {
		const keep = sel.value;
		while (sel.options.length > 1)
			sel.remove(1);
		for (const { unit, depth } of tree) {
			const o = document.createElement('option');
			o.value = String(unit.id);
			o.textContent = '　'.repeat(depth) + unit.name;
			sel.append(o);
		}
		sel.value = keep;
	}
	/* A new unit's parent is most often the district union itself. */
	const parent = $('n-parent');
	if (!parent.value && tree.length)
		parent.value = String(tree[0].unit.id);
}

function renderUnits() {
	const root = $('unit-tree');
	root.textContent = '';
	const stack = [root];           /* stack[d]: the list for depth d */
	let prev = null;
	for (const { unit, depth } of unitTree()) {
		if (depth >= stack.length) {
			const ul = document.createElement('ul');
			prev.append(ul);
			stack.push(ul);
		}
		stack.length = depth + 1;
		const item = li(span(unit.name, 'name'), ' ',
		    span(KIND[unit.kind] || unit.kind, 'tag'), ' ',
		    span(unit.code, 'code'));
		item.dataset.unitId = unit.id;
		stack[depth].append(item);
		prev = item;
	}
	if (!units.length)
		root.append(li(span('暂无单位', 'muted')));
}

async function loadUnits() {
	const msg = $('units-msg');
	try {
		const r = await cachedGet('/api/v1/units');
		units = r.data.items || [];
		say(msg, r.stale ? '没有网络，显示的是上次保存的单位列表。' : '',
		    r.stale ? 'warn' : '');
	} catch (err) {
		say(msg, err.network ? '没有网络，无法加载单位列表。' :
		    `无法加载单位列表：${err.message}`, 'error');
	}
	renderUnits();
	fillUnitSelects();
	if (me && me.unit_id !== undefined)
		$('me-unit').textContent = unitName(me.unit_id);
}

/* ---- Users ---- */

function userItem(u) {
	const item = li(span(u.display_name, 'name'), ' ',
	    span(u.username, 'muted'), ' ',
	    span(ROLE[u.role] || u.role, 'tag'));
	if (u.disabled)
		item.append(' ', span('已停用', 'tag off'));
	const unit = document.createElement('div');
	unit.className = 'muted';
	unit.textContent = unitName(u.unit_id);
	item.append(unit);
	item.dataset.username = u.username;
	return item;
}

async function loadUsers(more = false) {
	const list = $('user-list');
	const msg = $('users-msg');
	const btn = $('users-more');
	const path = '/api/v1/users?limit=50' +
	    (more && usersCursor ? `&cursor=${encodeURIComponent(usersCursor)}` : '');
	try {
		const r = await api('GET', path);
		if (!more)
			list.textContent = '';
		for (const u of r.items || [])
			list.append(userItem(u));
		usersCursor = r.next_cursor || null;
		btn.hidden = !usersCursor;
		say(msg, list.children.length ? '' : '暂无用户');
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		say(msg, err.network ? '没有网络，无法加载用户列表，联网后请点“刷新”。' :
		    `无法加载用户列表：${err.message}`, err.network ? 'warn' : 'error');
	}
}

/* ---- Forms through the outbox ---- */

/*
 * Wire a create form: submit() its fields; on success say so and reload
 * the list, when queued say it is kept on this phone, and show a refusal
 * next to the fields.
 */
function wireForm(form, okNode, { label, done, codeFields, keepOnReset = [] }) {
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		say(okNode, '', 'ok');
		if (!checkForm(form))
			return;
		const body = readForm(form);
		const restore = busy(form.querySelector('button[type="submit"]'));
		try {
			const r = await submit(form.dataset.submitPath, body,
			    { label: label(body) });
			const kept = keepOnReset.map((n) => [n, form.elements[n].value]);
			form.reset();
			for (const [n, v] of kept)
				form.elements[n].value = v;
			refreshCounters(form);
			if (r.queued) {
				const text = `${queuedText(r.reason)}（见页面顶部“待发送”）`;
				say(okNode, text, 'warn');
				toast(text, 'warn');
			} else {
				say(okNode, `已${label(body)}`, 'ok');
				toast(`已${label(body)}`, 'ok');
				done(r.data);
			}
		} catch (err) {
			showProblem(form, err, { codeFields });
		} finally {
			restore();
		}
	});
}

function wireForms() {
	wireForm($('user-form'), $('user-form-ok'), {
		label: (b) => `新建用户 ${b.username || ''}`.trim(),
		done: () => loadUsers(),
		codeFields: { username_taken: 'username', conflict: 'username' },
		keepOnReset: ['unit_id', 'role'],
	});
	wireForm($('unit-form'), $('unit-form-ok'), {
		label: (b) => `新建单位 ${b.name || ''}`.trim(),
		done: () => loadUnits(),
		codeFields: { unit_code_taken: 'code', conflict: 'code' },
		keepOnReset: ['parent_id'],
	});

	/* Records queued earlier, perhaps on another page, reach the server. */
	window.addEventListener('outbox:sent', (e) => {
		const { entry } = e.detail;
		say(pageMsg, `之前保存在本机的“${entry.label || '记录'}”已发送成功。`, 'ok');
		if (entry.path === '/api/v1/users')
			loadUsers();
		if (entry.path === '/api/v1/units')
			loadUnits();
	});
	window.addEventListener('outbox:restored', () => say(pageMsg, ''));
	window.addEventListener('outbox:failed', (e) => {
		const { entry } = e.detail;
		say(pageMsg, `“${entry.label || '记录'}”未被服务器接受，请在页面顶部“需要处理”中查看。`, 'error');
	});
}

$('users-reload').addEventListener('click', () => loadUsers());
$('users-more').addEventListener('click', () => loadUsers(true));
$('units-reload').addEventListener('click', () => loadUnits());

async function main() {
	me = await loadMe();
	if (!me)
		return;
	showMe();
	if (me.role === 'volunteer') {
		$('not-staff').hidden = false;
		return;
	}
	$('home').hidden = false;
	$('units').hidden = false;
	if (me.role === 'admin') {
		$('door-campaigns').hidden = false;
		$('users').hidden = false;
		$('unit-form-box').hidden = false;
		wireForms();
	}
	await loadUnits();
	if (me.role === 'admin')
		await loadUsers();
}

main();
