/*
 * 招聘会签到 for volunteers (POST /api/v1/job-fairs/{id}/check-ins).
 *
 * Type the code, or scan the person's QR code with the phone's camera
 * where the browser has BarcodeDetector.  The answer is a big green ✓
 * with the masked name, a blue ✓ "已签到过" with the first time for a
 * repeat, or a red ✗ with the reason.  A check-in needs the server's word
 * there and then, so it is not queued in the outbox: without a network
 * the code stays in the field and the volunteer tries again. The header
 * says who is signed in, with 退出 for handing the phone on.
 */
import {
	api, busy, cachedGet, clearProblem, formatTime, loginUrl, say,
	showSignedIn,
} from '/assets/api.js';
import { fairTime, idParam, load, store, tidyCode } from '/fair/fairs.js';

const FAIR_KEY = 'swn.checkin.fair.v1';
const $ = (id) => document.getElementById(id);
const form = $('checkin-form');
const input = $('code');
const sel = $('fair');
const pageMsg = $('page-msg');

let running = false;
let stream = null;
let detector = null;
let lastScan = { code: '', at: 0 };

function fairId() {
	return sel.value;
}

/* ---- The verdict ---- */

function verdict(kind, mark, title, name = '', detail = '') {
	const box = $('result');
	box.className = `verdict ${kind}`;
	box.dataset.verdict = kind;
	$('verdict-mark').textContent = mark;
	$('verdict-title').textContent = title;
	$('verdict-name').textContent = name;
	$('verdict-detail').textContent = detail;
	box.hidden = false;
	if (navigator.vibrate)
		navigator.vibrate(kind === 'bad' ? [80, 60, 80] : 60);
}

/* The fairs of the list, by id (as the select has it): their counts
 * came with the list. */
const fairs = new Map();

function showCounts(f) {
	$('counts').textContent = `已签到 ${f.checked_in_count} 人 · 已报名 ${f.registered_count} 人` +
	    (f.waitlisted_count ? ` · 候补 ${f.waitlisted_count} 人` : '');
}

/* The chosen fair's counts as last known (the list, or the last round),
 * without asking the server again. */
function knownCounts() {
	const f = fairs.get(fairId());
	if (f)
		showCounts(f);
}

/* The counts as the server has them now: after a check-in, and every
 * round. An answer for a fair no longer chosen is kept, not shown. */
async function counts() {
	const id = fairId();
	if (!id)
		return;
	try {
		const f = await api('GET', `/api/v1/job-fairs/${id}`);
		if (fairs.has(id))
			Object.assign(fairs.get(id), {
				checked_in_count: f.checked_in_count,
				registered_count: f.registered_count,
				waitlisted_count: f.waitlisted_count,
			});
		if (fairId() === id)
			showCounts(f);
	} catch (e) { /* the counts wait for the next round */ }
}

async function checkIn(raw) {
	const code = tidyCode(raw);
	if (running || !fairId())
		return;
	clearProblem(form);
	if (!code) {
		verdict('bad', '✗', '请输入报名码');
		input.focus();
		return;
	}
	running = true;
	const done = busy($('go'), '正在签到…');
	try {
		const r = await api('POST', `/api/v1/job-fairs/${fairId()}/check-ins`, { code });
		const who = r.registration;
		if (r.already)
			verdict('again', '✓', '已签到过', who.name,
			    `首次签到 ${formatTime(r.checked_in_at, 'time')} · ${who.phone || ''}`);
		else
			verdict('ok', '✓', '签到成功', who.name,
			    `${formatTime(r.checked_in_at, 'time')} · ${who.phone || ''}`);
		input.value = '';
		counts();
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		if (err.network) {
			verdict('bad', '✗', '没有网络，未签到', '', '报名码已保留，联网后再按“签到”');
		} else {
			const msg = err.status === 400 ? '报名码应为 8 位字母或数字' : err.detail;
			verdict('bad', '✗', err.code === 'waitlisted' ? '候补中，不能入场' :
			    err.code === 'cancelled' ? '报名已取消' : '签到失败', '', msg);
			input.select();
		}
	} finally {
		running = false;
		done();
	}
}

form.addEventListener('submit', async (e) => {
	e.preventDefault();
	await checkIn(input.value);
	/* The keyboard goes, so the verdict and the name are in full view;
	 * a tap on the field brings it back for the next person. */
	input.blur();
	window.scrollTo(0, 0);
});

/* ---- The camera ---- */

async function stopScan() {
	if (stream)
		for (const t of stream.getTracks())
			t.stop();
	stream = null;
	$('scanner').hidden = true;
	$('scan').textContent = '扫码';
}

async function scanLoop() {
	const video = $('video');
	while (stream) {
		try {
			const found = await detector.detect(video);
			const code = found.length ? tidyCode(found[0].rawValue) : '';
			const now = Date.now();
			/* The same code held up for a while is one check-in. */
			if (code && (code !== lastScan.code || now - lastScan.at > 4000)) {
				lastScan = { code, at: now };
				input.value = code;
				await checkIn(code);
			}
		} catch (e) { /* a frame that could not be read */ }
		await new Promise((r) => setTimeout(r, 250));
	}
}

async function startScan() {
	try {
		detector = detector || new BarcodeDetector({ formats: ['qr_code'] });
		stream = await navigator.mediaDevices.getUserMedia(
		    { video: { facingMode: 'environment' }, audio: false });
	} catch (err) {
		stream = null;
		say(pageMsg, '无法打开摄像头，请直接输入报名码。', 'warn');
		return;
	}
	const video = $('video');
	video.srcObject = stream;
	$('scanner').hidden = false;
	$('scan').textContent = '停止扫码';
	await video.play().catch(() => {});
	scanLoop();
}

$('scan').addEventListener('click', () => (stream ? stopScan() : startScan()));

async function offerScan() {
	if (!('BarcodeDetector' in window) || !navigator.mediaDevices)
		return;
	try {
		const formats = await BarcodeDetector.getSupportedFormats();
		$('scan').hidden = !formats.includes('qr_code');
	} catch (e) { /* no camera scanning here: typing works */ }
}

/* ---- Start ---- */

async function main() {
	let me;
	try {
		me = (await cachedGet('/api/v1/me')).data;
	} catch (err) {
		if (err.status === 401) {
			location.replace(loginUrl());
			return;
		}
		say(pageMsg, err.network ? '没有网络，无法签到。请联网后刷新页面。' :
		    `无法加载：${err.message}`, 'error');
		return;
	}
	showSignedIn(me);
	let items = [];
	try {
		const r = await api('GET', `/api/v1/job-fairs?unit_id=${me.unit_id}&limit=200`);
		items = (r.items || []).filter((f) => f.status !== 'draft');
	} catch (err) {
		say(pageMsg, err.network ? '没有网络，无法加载招聘会。' : err.message, 'error');
		return;
	}
	if (!items.length) {
		say(pageMsg, '本单位目前没有可以签到的招聘会。');
		return;
	}
	for (const f of items) {
		sel.append(new Option(`${f.title}（${fairTime(f)}）`, String(f.id)));
		fairs.set(String(f.id), f);
	}
	const want = idParam('fair') || load(FAIR_KEY, '');
	if (want && items.some((f) => String(f.id) === String(want)))
		sel.value = String(want);
	sel.addEventListener('change', () => {
		store(FAIR_KEY, sel.value);
		$('result').hidden = true;
		knownCounts();
	});
	store(FAIR_KEY, sel.value);
	say(pageMsg, '');
	$('fair-box').hidden = false;
	form.hidden = false;
	await offerScan();
	knownCounts();
	setInterval(() => {
		if (document.visibilityState === 'visible')
			counts();
	}, 15000);
	input.focus();
}

main();
