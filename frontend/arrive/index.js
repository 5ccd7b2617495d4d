/*
 * 平安到家: a traveller confirms arrival with the code a volunteer gave
 * them (POST /api/v1/safe-returns/arrivals, public; docs/safe-returns.md).
 * The code may come in the link's fragment (/arrive/#K7MQ2WXA), which
 * never reaches a server or a log. Sent through the outbox, so a phone
 * without a network tells the union once it has one.
 */
import { clearProblem, showProblem, submit } from '/assets/api.js';

const PATH = '/api/v1/safe-returns/arrivals';
const $ = (id) => document.getElementById(id);
const form = $('arrive-form');
const input = $('a-code');
const button = $('arrive-submit');

function fromLink() {
	const code = decodeURIComponent(location.hash.slice(1)).trim();
	if (/^[A-Za-z0-9 -]{8,12}$/.test(code))
		input.value = code.toUpperCase();
}

function done() {
	$('done').hidden = false;
	$('queued').hidden = true;
	form.hidden = true;
	$('done').scrollIntoView({ block: 'start' });
}

form.addEventListener('submit', async (e) => {
	e.preventDefault();
	clearProblem(form);
	const code = input.value.trim();
	if (!code) {
		showProblem(form, { detail: '请输入到家码',
		    errors: [{ field: 'code', code: 'required', message: '请输入到家码' }] });
		return;
	}
	button.disabled = true;
	button.textContent = '正在告知工会…';
	try {
		const r = await submit(PATH, { code }, { label: '平安到家' });
		if (r.queued) {
			$('queued').hidden = false;
			$('queued-text').textContent = r.reason === 'offline' ?
			    '当前没有网络。有网络时会自动告知工会，不用再输入一次。' :
			    '暂时没有连上工会的系统，稍后会自动再试，不用再输入一次。';
			form.hidden = true;
		} else {
			done();
		}
	} catch (err) {
		showProblem(form, { detail: err.message, errors: [{ field: 'code',
		    code: err.code, message: err.message }] });
	} finally {
		button.disabled = false;
		button.textContent = '我已平安到家';
	}
});

window.addEventListener('outbox:sent', (e) => {
	if (e.detail.entry.path === PATH)
		done();
});

input.addEventListener('input', () => clearProblem(form));
fromLink();
