/*
 * Helpers for the wage-arrears tests (wage_cases.test.mjs,
 * wage_stats.test.mjs): valid resident ID numbers and credit codes, the
 * masked forms, Asia/Shanghai dates, a case body, and the worker binary's
 * `stats UNIT FROM TO` command.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, show, SWN_ROOT, SWN_VAR } from './lib.mjs';

/* GB 11643 check character of the first 17 digits. */
const ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export function idCheck(s17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s17[i]) * ID_W[i];
  return '10X98765432'[sum % 11];
}

/* A valid 18-character ID: area, birth date YYYYMMDD, 3-digit sequence. */
export function idNumber(birth = '19850312', seq = 0, area = '320402') {
  const s17 = area + birth + String(seq % 1000).padStart(3, '0');
  return s17 + idCheck(s17);
}

/* A valid ID whose check character is X (so that 'x' can be tried). */
export function idNumberX(birth = '19790508', area = '320402') {
  for (let s = 0; s < 1000; s++) {
    const id = idNumber(birth, s, area);
    if (id.endsWith('X')) return id;
  }
  throw new Error('no X check digit');
}

/* The same ID with a wrong check character. */
export function badChecksum(id) {
  const good = id[17];
  const wrong = good === '0' ? '1' : '0';
  return id.slice(0, 17) + wrong;
}

/* GB 32100 unified social credit code from 17 characters. */
const CC_SET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
export function creditCode(s17 = '91320400MA1MB7R3X') {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CC_SET.indexOf(s17[i]);
    if (v < 0) throw new Error(`not a credit code character: ${s17[i]}`);
    sum += v * CC_W[i];
  }
  const c = 31 - (sum % 31);
  return s17 + CC_SET[c === 31 ? 0 : c];
}

export const maskId = (s) => `${s.slice(0, 6)}********${s.slice(-4)}`;
export const maskPhone = (s) => `${s.slice(0, 3)}****${s.slice(-4)}`;

/* Dates in Asia/Shanghai (UTC+8, no DST). */
export function todayShanghai(offsetDays = 0) {
  return new Date(Date.now() + 8 * 3600e3 + offsetDays * 86400e3).toISOString().slice(0, 10);
}
export function addDays(date, n) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

let phoneSeq = Math.floor(Math.random() * 1e6);
/* A distinct mainland mobile number. */
export function phone(prefix = '139') {
  phoneSeq = (phoneSeq + 7919) % 1e8;
  return prefix + String(phoneSeq).padStart(8, '0');
}

export const REFERENCE = /^QX\d{4}-\d{6}$/;
export const TRACKING = /^[A-HJ-KM-NP-Z2-9]{8}$/;
export const RFC3339_CST = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$/;

/*
 * The version in an ETag header.  The exact form `"<version>"` is pinned by
 * the ETag test of wage_cases.test.mjs; the other checks compare only the
 * number, so that a weakened tag (W/) fails one test, not every test.
 */
export function etagVersion(res) {
  const t = res.headers.get('etag');
  assert.ok(t, 'an ETag header');
  const m = /^(?:W\/)?"(\d+)"$/.exec(t);
  assert.ok(m, `ETag form: ${t}`);
  return Number(m[1]);
}

/* The case id in a 201's Location (anonymous answers need not carry id). */
export function locationId(res) {
  const m = /^\/api\/v1\/wage-cases\/(\d+)$/.exec(res.headers.get('location') || '');
  assert.ok(m, `Location: ${res.headers.get('location')}`);
  return Number(m[1]);
}

/* A valid intake body; over replaces top-level fields. */
export function caseBody(over = {}) {
  return {
    employer_name: '常州某建筑劳务有限公司',
    industry: 'construction',
    reporter: { name: '张三', phone: '13812345678' },
    workers: [{ name: '李四', amount_owed: '1000.00' }],
    ...over,
  };
}

/* POST /wage-cases and insist on 201; returns {res, body}. */
export async function fileCase(token, over = {}, opts = {}) {
  const res = await api('POST', '/wage-cases', { token, body: caseBody(over), ...opts });
  assert.equal(res.status, 201, `intake: ${show(res)}`);
  return { res, body: res.json };
}

/* GET /wage-cases/{id} and insist on 200. */
export async function getCase(token, id) {
  const res = await api('GET', `/wage-cases/${id}`, { token });
  assert.equal(res.status, 200, `GET case ${id}: ${show(res)}`);
  return res.json;
}

/* POST a transition with the current version; insists on 200. */
export async function move(token, id, to, note) {
  const cur = await getCase(token, id);
  const body = note === undefined ? { to } : { to, note };
  const res = await api('POST', `/wage-cases/${id}/transitions`, {
    token, body, headers: { 'If-Match': `"${cur.version}"` },
  });
  assert.equal(res.status, 200, `transition ${id} → ${to}: ${show(res)}`);
  return res.json;
}

/* POST a recovery; insists on 201. */
export async function recover(token, id, workerId, amount, recoveredOn) {
  const res = await api('POST', `/wage-cases/${id}/recoveries`, {
    token, body: { worker_id: workerId, amount, recovered_on: recoveredOn },
  });
  assert.equal(res.status, 201, `recovery on ${id}: ${show(res)}`);
  return res.json;
}

/*
 * Runs the real worker binary's `stats UNIT FROM TO` against the instance's
 * database and returns its parsed JSON.
 */
export function runStats(unitId, from, to) {
  assert.ok(SWN_VAR && SWN_ROOT, 'SWN_VAR and SWN_ROOT name the instance');
  const script = '. "$SWN_ROOT/scripts/env.sh"; ' +
    'SWN_DB_SOCKET=$DB_SOCK SWN_DB_PASSWORD_FILE=$SECRETS/db_password ' +
    '"$WORKER_BIN" stats "$1" "$2" "$3"';
  const out = execFileSync('bash', ['-c', script, 'stats', String(unitId), from, to], {
    env: { ...process.env, VAR: SWN_VAR, SWN_ROOT },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out);
}

/* The H and I rows of a stats answer. */
export function rowsHI(stats) {
  const h = stats.rows.find((r) => r.code === 'H');
  const i = stats.rows.find((r) => r.code === 'I');
  assert.ok(h && i, `rows H and I in ${JSON.stringify(stats)}`);
  return { h, i };
}
