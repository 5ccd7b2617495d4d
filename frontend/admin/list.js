/*
 * list.js: a staff list of records read page by page from one GET with
 * filters (/admin/cases.html, /admin/returns.html). The filters live in
 * the address, so going back from a record returns to the same list;
 * loading shows, 加载更多 follows next_cursor, a failure offers 重试, a
 * filter the page or the server refuses is said under it, and the 查询
 * button says what it is doing (docs/pages.md).
 */
import {
	api, busy, checkForm, clearProblem, el, loadUnitOptions, loginUrl, say,
	showProblem,
} from '/assets/api.js';

const PAGE = 30;

/*
 * opts: form (the filters, each control named as its query parameter,
 * unit_id a select of units under a "全部" prompt), names (the filters'
 * names), details (the <details> of the further filters), list (<ul>),
 * more (the 加载更多 button), msg (the list's status line), path (the
 * GET, '/api/v1/wage-cases'), what (the records' name: '案件'), row(item,
 * filters) → the <li> of one record (filters: the query, for a link back).
 * Returns {filters() → URLSearchParams, load(append?, button?), start()};
 * start() puts the address's filters into the form and loads page one.
 */
export function staffList({ form, names, details, list, more, msg, path, what, row }) {
	let cursor = null;
	let seq = 0;            /* answers to an older query are dropped */

	const filters = () => {
		const q = new URLSearchParams();
		for (const name of names) {
			const c = form.elements[name];
			const v = (c.value || c.dataset.wanted || '').trim();
			if (v)
				q.set(name, v);
		}
		return q;
	};

	/* A failed load says why, with a button that tries again. */
	const failed = (text, kind, append) => {
		say(msg, text, kind);
		msg.append(' ', el('button', { type: 'button', class: 'btn small secondary',
		    'data-retry': '', text: '重试', onclick: () => load(append) }));
	};

	async function load(append = false, button = null) {
		const mine = ++seq;
		const q = filters();
		q.set('limit', String(PAGE));
		if (append && cursor)
			q.set('cursor', cursor);
		const done = busy(button || (append ? more : null),
		    append ? '正在加载…' : '正在查询…');
		if (!append) {
			say(msg, `正在加载${what}…`, 'loading');
			msg.setAttribute('aria-busy', 'true');
		}
		clearProblem(form);
		try {
			const r = await api('GET', `${path}?${q}`);
			if (mine !== seq)
				return;
			if (!append)
				list.textContent = '';
			const now = filters();
			for (const x of r.items || [])
				list.append(row(x, now));
			cursor = r.next_cursor || null;
			more.hidden = !cursor;
			say(msg, list.children.length ? '' :
			    (now.toString() ? `没有符合条件的${what}` : `暂无${what}`));
		} catch (err) {
			if (mine !== seq)
				return;
			if (err.status === 401) {
				location.replace(loginUrl());
				return;
			}
			say(msg, '');
			if (err.status === 400) {
				details.open = true;
				showProblem(form, err);
			} else {
				failed(err.network ? `没有网络，${what}没有加载成功。` :
				    `${what}没有加载成功：${err.message}`, err.network ? 'warn' : 'error',
				    append);
			}
		} finally {
			msg.removeAttribute('aria-busy');
			done();
		}
	}

	form.addEventListener('submit', (e) => {
		e.preventDefault();
		if (!checkForm(form))
			return;
		const q = filters();
		history.replaceState(null, '', `${location.pathname}${q.toString() ? `?${q}` : ''}`);
		load(false, e.submitter || form.querySelector('button[type="submit"]'));
	});

	form.querySelector('[data-clear]').addEventListener('click', () => {
		form.reset();
		delete form.elements.unit_id.dataset.wanted;
		history.replaceState(null, '', location.pathname);
		load();
	});

	more.addEventListener('click', () => load(true));

	function start() {
		const q = new URLSearchParams(location.search);
		/* The unit may come before its list: loadOptions() picks it then. */
		if (q.get('unit_id'))
			form.elements.unit_id.dataset.wanted = q.get('unit_id');
		loadUnitOptions(form.elements.unit_id);
		for (const name of names)
			if (q.get(name) && name !== 'unit_id')
				form.elements[name].value = q.get(name);
		if ([...details.querySelectorAll('[name]')].some((c) => q.get(c.name)))
			details.open = true;
		return load();
	}

	return { filters, load, start };
}
