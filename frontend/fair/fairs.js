/*
 * fairs.js: the vocabulary of recruitment fairs (专场招聘会) shared by the
 * public pages (/fair/), the volunteers' check-in (/field/checkin.html)
 * and the staff pages (/admin/fairs.html, /admin/fair.html): kinds and
 * statuses in Chinese, times and wages as people read them (through
 * api.js's formatTime and formatYuan), and small storage helpers for
 * drafts.
 */
import { formatTime, formatYuan, toFen } from '/assets/api.js';

export const FAIR_KIND = {
	catering: '餐饮服务专场',
	garment: '纺织服装专场',
	key_enterprise: '重点企业专场',
	general: '综合招聘会',
	work_study: '寒假勤工俭学专场',
};

export const FAIR_STATUS = { draft: '未发布', published: '报名中', closed: '已结束' };

export const POSITION_KIND = {
	regular: '普通岗位',
	work_study: '寒假勤工俭学',
	social_practice: '社会实践',
};

export const SEEKER_KIND = { migrant_worker: '农民工', student: '学生', other: '其他求职者' };

export const REG_STATUS = { registered: '已报名', waitlisted: '候补中', cancelled: '已取消' };

/* A fair's time, in Asia/Shanghai: "2031年1月25日 09:00–15:30", or with
 * the end's day when it ends on another. */
export function fairTime(f) {
	const sameDay = formatTime(f.starts_at, 'date') === formatTime(f.ends_at, 'date');
	return `${formatTime(f.starts_at, 'day')} ${formatTime(f.starts_at, 'time')}–` +
	    `${sameDay ? formatTime(f.ends_at, 'time') : formatTime(f.ends_at, 'short')}`;
}

/* An API time as <input type="datetime-local"> wants it: "2031-01-25T09:00". */
export function toLocalInput(ts) {
	return ts ? `${formatTime(ts, 'date')}T${formatTime(ts, 'time')}` : '';
}

/* "4000.00" → "4,000", "5500.50" → "5,500.50": wages as people read them. */
function yuan(s) {
	return formatYuan(toFen(s)).replace(/\.00$/, '');
}

/* A position's wage range in yuan a month, or 面议 (to be agreed). */
export function wage(p) {
	if (p.wage_min && p.wage_max)
		return p.wage_min === p.wage_max ? `${yuan(p.wage_min)} 元/月` :
		    `${yuan(p.wage_min)}–${yuan(p.wage_max)} 元/月`;
	if (p.wage_min)
		return `${yuan(p.wage_min)} 元/月起`;
	if (p.wage_max)
		return `最高 ${yuan(p.wage_max)} 元/月`;
	return '工资面议';
}

/* Places as a job seeker needs to know them. */
export function placesText(f) {
	if (f.status !== 'published')
		return FAIR_STATUS[f.status] || f.status;
	if (f.places_left > 0)
		return `剩余名额 ${f.places_left} 个（共 ${f.seeker_capacity} 个）`;
	return `名额已满，现在报名将进入候补（已有 ${f.waitlisted_count} 人候补）`;
}

/* A code as people type it: upper case, without spaces and hyphens. */
export function tidyCode(s) {
	return String(s || '').toUpperCase().replace(/[\s-]/g, '');
}

/* Drafts and the chosen fair on the phone: api.js keeps them. */
export { loadLocal as load, saveLocal as store } from '/assets/api.js';

/* The fair id of the page's address (?id=N), or null. */
export function idParam(name = 'id') {
	const v = new URLSearchParams(location.search).get(name);
	return /^[1-9]\d{0,17}$/.test(v || '') ? v : null;
}
