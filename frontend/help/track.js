/*
 * 查询办理进度: reference + tracking code → GET
 * /api/v1/wage-cases/track, which answers the status and when it last
 * changed, and nothing else. ?reference= fills in the reference (the link
 * on the intake page's answer). The code never goes into the address.
 */
import { api, busy, checkForm, showProblem } from '/assets/api.js';
import { when } from '/help/wage.js';

const $ = (id) => document.getElementById(id);
const form = $('track-form');
const button = form.querySelector('button[type="submit"]');

const EXPLAIN = {
	received: '工会已收到您的求助，工作人员核实后会联系您。请保持电话畅通。',
	accepted: '工会已受理，正在帮您追讨。',
	rejected: '您的求助不符合受理条件。如有疑问，请联系所在镇、街道工会。',
	referred: '工会已把案件转交劳动监察部门处理，并会继续跟进。',
	mediating: '工会正在组织调解。',
	resolved: '欠薪问题已经解决。',
	closed: '案件已办结。',
};

function show(data) {
	$('track-ref').textContent = data.reference;
	$('track-status').textContent = data.status_label;
	$('track-status').dataset.status = data.status;
	$('track-updated').textContent = when(data.updated_at);
	$('track-explain').textContent = EXPLAIN[data.status] || '';
	const box = $('track-result');
	box.hidden = false;
	box.focus();
}

form.addEventListener('submit', async (e) => {
	e.preventDefault();
	$('track-result').hidden = true;
	const reference = form.elements.reference.value.trim().toUpperCase();
	const code = form.elements.code.value.replace(/[\s-]/g, '').toUpperCase();
	form.elements.reference.value = reference;
	if (!checkForm(form))
		return;
	const done = busy(button);
	try {
		const q = new URLSearchParams({ reference, code });
		show(await api('GET', `/api/v1/wage-cases/track?${q}`));
	} catch (err) {
		if (err.status === 404)
			showProblem(form, { detail: '案件编号或查询码不正确', errors: [] });
		else if (err.network)
			showProblem(form, { detail: '网络不可用，请联网后再查询', errors: [] });
		else
			showProblem(form, err);
	} finally {
		done();
	}
});

const ref = new URLSearchParams(location.search).get('reference');
if (ref) {
	form.elements.reference.value = ref;
	form.elements.code.focus();
}
