/*
 * Helpers for the safe-return tests (safe_returns*.test.mjs): record and
 * busload bodies, and the calls every test repeats.
 */
import assert from 'node:assert/strict';
import { api, show } from './lib.mjs';
import { etagVersion, todayShanghai } from './wage_lib.mjs';
import { freshPhone } from './db_lib.mjs';

/* What GET /safe-returns/provinces must serve: GB/T 2260's 34 divisions. */
export const PROVINCES = [
  '北京市', '天津市', '河北省', '山西省', '内蒙古自治区', '辽宁省', '吉林省', '黑龙江省',
  '上海市', '江苏省', '浙江省', '安徽省', '福建省', '江西省', '山东省', '河南省',
  '湖北省', '湖南省', '广东省', '广西壮族自治区', '海南省', '重庆市', '四川省', '贵州省',
  '云南省', '西藏自治区', '陕西省', '甘肃省', '青海省', '宁夏回族自治区', '新疆维吾尔自治区',
  '台湾省', '香港特别行政区', '澳门特别行政区',
];

/* Arrival codes: 8 characters of the alphabet without 0/O/1/I/L. */
export const ARRIVAL_CODE = /^[A-HJKMNP-Z2-9]{8}$/;

/* A valid POST /safe-returns body; over replaces top-level fields. */
export function recordBody(over = {}) {
  return {
    traveler: { name: '王建国', phone: freshPhone() },
    hometown: { province: '河南省', city: '信阳市' },
    depart_on: todayShanghai(),
    transport: 'rail',
    assistance: ['ticket'],
    ...over,
  };
}

/* A busload body with n travellers; over replaces top-level fields. */
export function batchBody(n = 3, over = {}) {
  return {
    depart_on: todayShanghai(),
    transport: 'charter_bus',
    assistance: ['charter_bus', 'gift'],
    bus_label: '苏D·春运01',
    travellers: Array.from({ length: n }, (_, i) => ({
      name: `乘客${i + 1}`,
      phone: freshPhone(),
      hometown: { province: PROVINCES[(i * 7) % PROVINCES.length] },
    })),
    ...over,
  };
}

/* POST /safe-returns and insist on 201; returns the record. */
export async function register(token, over = {}, opts = {}) {
  const res = await api('POST', '/safe-returns', { token, body: recordBody(over), ...opts });
  assert.equal(res.status, 201, `register: ${show(res)}`);
  return res.json;
}

/* POST /safe-returns/batch and insist on 201; returns the answer. */
export async function registerBatch(token, body, opts = {}) {
  const res = await api('POST', '/safe-returns/batch', { token, body, ...opts });
  assert.equal(res.status, 201, `batch: ${show(res)}`);
  return res.json;
}

/* GET /safe-returns/{id} and insist on 200. */
export async function getRecord(token, id) {
  const res = await api('GET', `/safe-returns/${id}`, { token });
  assert.equal(res.status, 200, `GET record ${id}: ${show(res)}`);
  assert.equal(etagVersion(res), res.json.version);
  return res.json;
}

/* A transition with the record's current version; insists on 200. */
export async function moveTo(token, id, to) {
  const cur = await getRecord(token, id);
  const res = await api('POST', `/safe-returns/${id}/transitions`, {
    token, body: { to }, headers: { 'If-Match': `"${cur.version}"` },
  });
  assert.equal(res.status, 200, `transition ${id} → ${to}: ${show(res)}`);
  assert.equal(res.json.status, to);
  return res.json;
}

/* POST /safe-returns/arrivals anonymously (retried past nginx's limit). */
export function arrive(code, opts = {}) {
  return api('POST', '/safe-returns/arrivals', { body: { code }, ...opts });
}
