/*
 * Helpers for the recruitment-fair tests (job_fairs*.test.mjs): bodies of
 * a fair, an employer and a sign-up, and the calls the tests repeat.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { api, show } from './lib.mjs';
import { creditCode } from './wage_lib.mjs';
import { freshPhone } from './db_lib.mjs';

/* YYYY-MM-DD in Asia/Shanghai, days from today. */
export function shanghaiDay(days = 0) {
  return new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}

/* A fair that is on now: it began this morning and ends tomorrow night, so
 * people can sign up (not after its end) and be checked in (from its day). */
export function fairBody(over = {}) {
  return {
    title: '春风行动农民工专场招聘会',
    kind: 'catering',
    venue: '经开区人力资源市场一楼大厅',
    starts_at: `${shanghaiDay(0)}T00:00`,
    ends_at: `${shanghaiDay(1)}T23:00`,
    seeker_capacity: 10,
    ...over,
  };
}

/* Creates a fair (a draft) and, unless publish is false, publishes it. */
export async function createFair(token, over = {}, { publish = true } = {}) {
  const res = await api('POST', '/job-fairs', { token, body: fairBody(over) });
  assert.equal(res.status, 201, show(res));
  if (!publish) return res.json;
  return patchFair(token, res.json, { status: 'published' });
}

/* PATCH with the fair's current version; returns the new fair. */
export async function patchFair(token, fair, body) {
  const res = await api('PATCH', `/job-fairs/${fair.id}`, {
    token, body, headers: { 'If-Match': `"${fair.version}"` },
  });
  assert.equal(res.status, 200, show(res));
  return res.json;
}

export async function getFair(id, token) {
  const res = await api('GET', `/job-fairs/${id}`, { token });
  assert.equal(res.status, 200, show(res));
  return res.json;
}

/* A valid credit code nobody else in this run uses (31^11 draws). */
export function freshCredit() {
  const set = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let tail = '';
  for (let i = 0; i < 11; i++) tail += set[randomInt(set.length)];
  return creditCode(`913204${tail}`);
}

export function employerBody(over = {}) {
  return {
    name: '常州市某某餐饮管理有限公司',
    credit_code: freshCredit(),
    contact_name: '王经理',
    contact_phone: freshPhone(),
    caring: false,
    positions: [
      { title: '服务员', kind: 'regular', headcount: 5, wage_min: '4000', wage_max: '5500.50' },
    ],
    ...over,
  };
}

export function signupBody(over = {}) {
  return { name: '李春生', phone: freshPhone(), kind: 'migrant_worker', ...over };
}

/* An anonymous sign-up; returns the whole answer. */
export function signUp(fairId, over = {}, opts = {}) {
  return api('POST', `/job-fairs/${fairId}/registrations`, { body: signupBody(over), ...opts });
}

/* An anonymous sign-up that must succeed; returns its answer's body. */
export async function signUpOk(fairId, over = {}, opts = {}) {
  const res = await signUp(fairId, over, opts);
  assert.equal(res.status, 201, show(res));
  return res.json;
}

/* The registration as its code's holder sees it. */
export async function byCode(fairId, code) {
  const res = await api('GET', `/job-fairs/${fairId}/registrations/${code}`);
  assert.equal(res.status, 200, show(res));
  return res.json;
}

export function cancel(fairId, code) {
  return api('POST', `/job-fairs/${fairId}/registrations/${code}/cancel`);
}

export function checkIn(token, fairId, code) {
  return api('POST', `/job-fairs/${fairId}/check-ins`, { token, body: { code } });
}

/* Every registration of a fair (staff list), oldest first. */
export async function registrations(token, fairId) {
  const res = await api('GET', `/job-fairs/${fairId}/registrations?limit=200`, { token });
  assert.equal(res.status, 200, show(res));
  assert.equal(res.json.next_cursor, null);
  return res.json.items.slice().reverse();
}
