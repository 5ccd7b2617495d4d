/*
 * 取消报名: by fair and code (POST /api/v1/job-fairs/{id}/registrations/
 * {code}/cancel).  There is deliberately no way to find a code from a
 * phone number: a phone alone must never reveal one.
 */
import {
	api, busy, checkForm, confirmStep, el, keptList, loadOptions, say,
	showProblem, toast,
} from '/assets/api.js';
import { fairTime, idParam, tidyCode } from '/fair/fairs.js';

const RESULTS_KEY = 'swn.fair.results.v1';
const $ = (id) => document.getElementById(id);
const form = $('cancel-form');
const sel = $('c-fair');
const btn = $('cancel-submit');
const pageMsg = $('page-msg');
const wanted = idParam();

/* The fairs that take sign-ups (and cancels) now; the one of the address
 * (?id=N) chosen when it comes. */
function fairs() {
	if (wanted) {
		sel.dataset.wanted = wanted;
		$('back').href = `/fair/fair.html?id=${wanted}`;
	}
	loadOptions(sel, {
		path: '/api/v1/job-fairs?status=published&limit=200',
		what: '招聘会列表',
		options: (d) => (d.items || []).map((f) => [f.id, `${f.title}（${fairTime(f)}）`]),
	});
}

form.addEventListener('submit', async (e) => {
	e.preventDefault();
	say(pageMsg, '');
	if (!checkForm(form))
		return;
	const fair = sel.value;
	const code = tidyCode($('c-code').value);
	const title = sel.selectedOptions[0]?.textContent || '';
	if (!(await confirmStep({
		title: `确定取消报名码 ${code} 的报名吗？`,
		consequence: [title, '取消后名额会按顺序让给候补的人，不能恢复；如需参加，请重新报名。'],
		yes: '确定取消报名',
	})))
		return;
	const done = busy(btn);
	try {
		const r = await api('POST', `/api/v1/job-fairs/${fair}/registrations/${encodeURIComponent(code)}/cancel`);
		keptList(RESULTS_KEY).remove((x) => x.code === code);
		$('done').append(el('section', { class: 'card result', 'aria-label': '取消结果' },
		    el('h2', { class: 'result-title', text: '✓ 已取消报名' }),
		    el('p', { text: `报名码 ${code}（${r.name}）已取消。感谢您把名额让给其他人。` }),
		    el('p', {}, el('a', { class: 'btn block', href: '/fair/' }, '查看其他招聘会'))));
		form.hidden = true;
		toast('已取消报名', 'ok');
	} catch (err) {
		if (err.network)
			toast('没有网络，请联网后再试', 'error');
		else
			showProblem(form, err);
	} finally {
		done();
	}
});

fairs();
