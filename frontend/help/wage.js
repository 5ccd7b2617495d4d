/*
 * wage.js: the vocabulary of wage-arrears cases (欠薪求助) shared by the
 * public pages (/help/) and the staff pages (/admin/cases.html,
 * /admin/case.html): status, industry and source names, money in yuan
 * and fen, dates as the API writes them, and the checks a phone can make
 * by itself while it has no network.
 */

export const STATUS = {
	received: '已提交，待受理',
	accepted: '已受理',
	rejected: '不予受理',
	referred: '已转交劳动监察部门',
	mediating: '调解中',
	resolved: '已解决',
	closed: '已结案',
};

/* The workflow of API.md: from each status, where it may go. */
export const NEXT = {
	received: ['accepted', 'rejected'],
	accepted: ['referred', 'mediating', 'resolved', 'closed'],
	referred: ['mediating', 'resolved', 'closed'],
	mediating: ['referred', 'resolved', 'closed'],
	resolved: ['closed'],
	rejected: [],
	closed: [],
};

/* What the button that moves a case into a status says. */
export const ACTION = {
	accepted: '受理',
	rejected: '不予受理',
	referred: '转交劳动监察',
	mediating: '开始调解',
	resolved: '标记已解决',
	closed: '结案',
};

/* Money may be recorded while a case is being worked on. */
export const RECOVERING = ['accepted', 'referred', 'mediating', 'resolved'];

export const INDUSTRY = {
	construction: '建筑工程',
	manufacturing: '加工制造',
	services: '服务业',
	other: '其他',
};

export const SOURCE = {
	self: '本人在线求助',
	volunteer: '志愿者代为登记',
	hotline: '热线电话',
	platform: '平台转来',
	referral: '其他部门转来',
};

/* ---- Money: strings of yuan with at most 2 decimals, integers of fen ---- */

const MONEY_MAX_FEN = 10000000000;      /* 100000000.00 yuan */

/*
 * What people type for an amount, as the API wants it: full-width digits
 * and the Chinese full stop (a Chinese keyboard gives those), thousands
 * separators, spaces and a trailing 元 or leading ¥ are forgiven.
 */
export function normalizeAmount(raw) {
	return String(raw ?? '')
	    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
	    .replace(/[．。]/g, '.')
	    .replace(/[\s,，]/g, '')
	    .replace(/^[¥￥]/, '')
	    .replace(/元$/, '');
}

/* '1234.5' → 123450; null when it is not an amount. */
export function toFen(raw) {
	const s = normalizeAmount(raw);
	const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s);
	if (!m)
		return null;
	const fen = Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
	return fen <= MONEY_MAX_FEN ? fen : null;
}

/* 123450 → '1,234.50' */
export function yuan(fen) {
	const neg = fen < 0;
	const a = Math.abs(Math.round(fen));
	const int = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+$)/g, ',');
	return `${neg ? '-' : ''}${int}.${String(a % 100).padStart(2, '0')}`;
}

/* The API's '1234.50' → '1,234.50 元' */
export function money(s) {
	const fen = toFen(s);
	return fen === null ? `${s} 元` : `${yuan(fen)} 元`;
}

/* ---- Dates: the API's own wall-clock strings, never reinterpreted ---- */

/* '2026-11-29T09:58:23+08:00' → '2026-11-29 09:58' */
export function when(ts) {
	if (!ts)
		return '—';
	const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(ts);
	return m ? `${m[1]} ${m[2]}` : ts;
}

/* '2026-11-29…' → '2026年11月29日' */
export function day(ts) {
	const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(ts || '');
	return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : (ts || '—');
}

/* Today in Asia/Shanghai (UTC+8 all year), as YYYY-MM-DD. */
export function todayShanghai() {
	return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}

/* ---- Checks made on the phone while offline (the server decides) ---- */

const ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/* null when s is a valid resident ID number, else {code, message}. */
export function idNumberProblem(s) {
	s = String(s).toUpperCase();
	if (!/^\d{17}[\dX]$/.test(s))
		return { code: 'format', message: '身份证号应为 18 位' };
	const y = Number(s.slice(6, 10));
	const mo = Number(s.slice(10, 12));
	const d = Number(s.slice(12, 14));
	const date = new Date(Date.UTC(y, mo - 1, d));
	if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 ||
	    date.getUTCDate() !== d || date.getTime() > Date.now())
		return { code: 'birth_date', message: '身份证号中的出生日期不正确' };
	let sum = 0;
	for (let i = 0; i < 17; i++)
		sum += Number(s[i]) * ID_W[i];
	if ('10X98765432'[sum % 11] !== s[17])
		return { code: 'checksum', message: '身份证号校验位错误' };
	return null;
}

export function phoneOk(s) {
	return /^1[3-9]\d{9}$/.test(String(s));
}

/* Strip what people put into numbers to make them readable. */
export function digitsOnly(s) {
	return String(s ?? '')
	    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
	    .replace(/[\s-]/g, '');
}
