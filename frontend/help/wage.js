/*
 * wage.js: the vocabulary of wage-arrears cases (欠薪求助) shared by the
 * public pages (/help/) and the staff pages (/admin/cases.html,
 * /admin/case.html): status, industry and source names, and what the
 * buttons of the workflow say.
 */
import { formatTime } from '/assets/api.js';

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

/* What each move's button says while the move is on its way. */
export const BUSY = {
	accepted: '正在受理…',
	rejected: '正在登记不予受理…',
	referred: '正在转交…',
	mediating: '正在开始调解…',
	resolved: '正在标记已解决…',
	closed: '正在结案…',
};

/*
 * Money, times and checks are the same on every page: they live in
 * api.js. These names stay for the wage pages.
 */
export {
	digitsOnly, formatMoney as money, formatYuan as yuan, normalizeAmount,
	todayShanghai, toFen,
} from '/assets/api.js';

/* '2026-11-29T09:58:23+08:00' → '2026-11-29 09:58' (Asia/Shanghai) */
export function when(ts) {
	return formatTime(ts, 'datetime');
}

/* '2026-11-29…' → '2026年11月29日' */
export function day(ts) {
	return formatTime(ts, 'day');
}
