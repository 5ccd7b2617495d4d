/*
 * 平安到家: a traveller confirms arrival with the code a volunteer gave
 * them (POST /api/v1/safe-returns/arrivals, public; docs/safe-returns.md).
 * The code may come in the link's fragment (/arrive/#K7MQ2WXA), which
 * never reaches a server or a log. Sent through the outbox, so a phone
 * without a network tells the union once it has one; the card says
 * whether nothing has left the phone yet or the answer is awaited
 * (queuedText()). A code the server does not know comes back under the
 * field (the form's data-code-fields), also when it was sent later.
 */
import {
	busy, checkForm, dropFailed, outboxState, queuedText, readForm, showProblem, submit,
} from '/assets/api.js';

const PATH = '/api/v1/safe-returns/arrivals';
const $ = (id) => document.getElementById(id);
const form = $('arrive-form');
const input = $('a-code');

function fromLink() {
	const code = decodeURIComponent(location.hash.slice(1)).trim();
	if (/^[A-Za-z0-9 -]{8,12}$/.test(code))
		input.value = code.toUpperCase();
}

function arrived() {
	$('done').hidden = false;
	$('queued').hidden = true;
	form.hidden = true;
	$('done').scrollIntoView({ block: 'start' });
}

/* The arrival waiting in the outbox, said as it stands now. */
function showQueued(reason) {
	$('queued').hidden = false;
	$('queued-text').textContent = queuedText(reason);
	form.hidden = true;
}

form.addEventListener('submit', async (e) => {
	e.preventDefault();
	if (!checkForm(form))
		return;
	const done = busy(e.submitter || $('arrive-submit'));
	try {
		const r = await submit(PATH, readForm(form), { label: '平安到家' });
		if (r.queued)
			showQueued(r.reason);
		else
			arrived();
	} catch (err) {
		showProblem(form, err);
	} finally {
		done();
	}
});

window.addEventListener('outbox:sent', (e) => {
	if (e.detail.entry.path === PATH)
		arrived();
});

/* Sent later and refused (a mistyped code): back to the form, the
 * server's words under the field. */
window.addEventListener('outbox:failed', (e) => {
	if (e.detail.entry.path !== PATH)
		return;
	dropFailed(e.detail.entry.id);
	$('queued').hidden = true;
	form.hidden = false;
	showProblem(form, e.detail.error);
});

window.addEventListener('outbox:change', () => {
	if ($('queued').hidden)
		return;
	const entry = outboxState().pending.find((x) => x.path === PATH);
	if (entry && entry.state !== 'new')
		showQueued(navigator.onLine === false ? 'offline' : entry.state);
});

fromLink();
