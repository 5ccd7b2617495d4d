/*
 * 取消报名: by fair and code (POST /api/v1/job-fairs/{id}/registrations/
 * {code}/cancel).  There is deliberately no way to find a code from a
 * phone number: a phone alone must never reveal one.
 */
import { api, clearProblem, el, say, showProblem } from '/assets/api.js';
import { fairTime, idParam, load, store, tidyCode } from '/fair/fairs.js';

const RESULTS_KEY = 'swn.fair.results.v1';
const $ = (id) => document.getElementById(id);
const form = $('cancel-form');
const sel = $('c-fair');
const btn = $('cancel-submit');
const pageMsg = $('page-msg');
const wanted = idParam();

async function fairs() {
	try {
		const r = await api('GET', '/api/v1/job-fairs?status=published&limit=200');
		for (const f of r.items || [])
			sel.append(new Option(`${f.title}（${fairTime(f)}）`, String(f.id)));
	} catch (err) {
		say(pageMsg, err.network ? '没有网络，请联网后再取消报名。' : err.message, 'error');
	}
	if (wanted) {
		if (![...sel.options].some((o) => o.value === wanted))
			sel.append(new Option(`招聘会 ${wanted}`, wanted));
		sel.value = wanted;
		$('back').href = `/fair/fair.html?id=${wanted}`;
	}
}

form.addEventListener('submit', async (e) => {
	e.preventDefault();
	clearProblem(form);
	say(pageMsg, '');
	const fair = sel.value;
	const code = tidyCode($('c-code').value);
	const errors = [];
	if (!fair)
		errors.push({ field: 'fair', code: 'required', message: '请选择招聘会' });
	if (!/^[A-Za-z0-9]{8}$/.test(code))
		errors.push({ field: 'code', code: 'format', message: '报名码是 8 位字母或数字' });
	if (errors.length) {
		showProblem(form, { detail: '请检查后再提交', errors });
		return;
	}
	if (!confirm('确定取消这次报名吗？取消后名额会让给候补的人，不能恢复。'))
		return;
	btn.disabled = true;
	btn.textContent = '正在取消…';
	try {
		const r = await api('POST', `/api/v1/job-fairs/${fair}/registrations/${encodeURIComponent(code)}/cancel`);
		store(RESULTS_KEY, load(RESULTS_KEY, []).filter((x) => x.code !== code));
		$('done').append(el('section', { class: 'card result', 'aria-label': '取消结果' },
		    el('h2', { class: 'result-title', text: '✓ 已取消报名' }),
		    el('p', { text: `报名码 ${code}（${r.name}）已取消。感谢您把名额让给其他人。` }),
		    el('p', {}, el('a', { class: 'btn block', href: '/fair/' }, '查看其他招聘会'))));
		form.hidden = true;
	} catch (err) {
		if (err.network)
			say(pageMsg, '没有网络，请联网后再试。', 'error');
		else
			showProblem(form, err, { codeFields: { not_found: 'code', checked_in: 'code',
			    placed: 'code', fair_not_open: 'fair' } });
	} finally {
		btn.disabled = false;
		btn.textContent = '取消报名';
	}
});

fairs();
