// The access matrix (issue 13): every route of fcgi/route.c, asked by every
// role -- anonymous, a volunteer and staff of town A, staff of town B, staff
// of the district, admin -- about records of town A and of town B, answers
// the status of one table, ROWS below.  A route without a row fails the
// first test, so a new route cannot slip past it.
//
// Beside the statuses:
//  - a record the caller may not see answers exactly like a record that
//    does not exist (same status, same body): no 403-versus-404 tells;
//  - no ID number or phone is unmasked where API.md says masked: lists
//    always mask; a single record is unmasked only for admin and staff of
//    the owning subtree (and the public never sees an employer's contact);
//  - no refusal names anything of the record it refused;
//  - tracking answers its four fields and nothing else; drill-downs
//    (/stats/records) and exports show no ID number or phone and nothing
//    of another town; lists hold only what the caller may see.
//
// The matrix changes as little as it can: a change (PATCH, a transition,
// DELETE, an approval) is sent with a stale If-Match, so "allowed" shows
// as 412 and nothing moves; creations create.  Everything lives in two
// fresh towns, so the file runs beside the others.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  adminToken, api, createUnit, createUser, login, seededUnits, show, sleep, uniq,
} from './lib.mjs';
import { freshIdNumber, freshPhone } from './db_lib.mjs';
import { caseBody, maskId, maskPhone, todayShanghai } from './wage_lib.mjs';
import { employerBody, fairBody, freshCredit, shanghaiDay, signupBody } from './job_fairs_lib.mjs';
import { batchBody, recordBody } from './safe_returns_lib.mjs';

const ROLES = ['anon', 'vol', 'staffA', 'staffB', 'staffD', 'admin'];
const STALE = { 'If-Match': '"999999"' };
const NONE_ID = 999999999999;
const NONE_CODE = 'ZZZZ2222'; // a code's alphabet, that no record holds
const CAMP_FROM = '2015-12-01';
const DAY = '2015-12-10'; // the records' day, in the test's campaign
const today = todayShanghai();

/*
 * Record families: which records fill a row's placeholders, in the order
 * of the tokens of its expectations.
 *   case, visit, sr  a: town A's, by the volunteer of A; a2: town A's, by
 *                    staff of A; b: town B's, by staff of B
 *   unit             A, B (a unit as a parameter or a body's unit_id)
 *   user             a user of A, a user of B
 *   fair             draft of A, published of A, draft of B, published of B
 *                    (each with an employer: {eid})
 *   reg, regc        the fairs again, with a registration ({key}) at the
 *                    published ones and a code no one holds at the drafts;
 *                    regc's are cancelled by the matrix
 *   sub              town A's and town B's submission for the campaign
 *   camp, one        the test's campaign; one fixed record
 */
const FAMILIES = {
  case: ['a', 'a2', 'b'], visit: ['a', 'a2', 'b'], sr: ['a', 'a2', 'b'], unit: ['A', 'B'],
  user: ['A', 'B'], fair: ['dA', 'pA', 'dB', 'pB'], reg: ['dA', 'pA', 'dB', 'pB'], regc: ['dA', 'pA', 'dB', 'pB'],
  sub: ['A', 'B'], camp: ['c'], one: ['x'],
};

/*
 * The table.  Each row: the route (method and pattern as in route.c), the
 * request (path with placeholders {id} {eid} {key} {unit} {camp} {ref}
 * {track}, body, headers), ok (the statuses that mean "allowed": the
 * success, or the conflict or precondition an allowed caller meets), and
 * per role the expected answer for each record of the family (a token per
 * record, or one for all): "ok"; 404 for a record hidden from the caller,
 * which must answer exactly as no record at all; "absent" for a 404 of
 * another kind (a code that a fair the caller sees does not hold); or
 * another status: 401, 403, 409, and 400 for a unit outside the caller's
 * subtree named in a body, which must answer exactly as a unit that does
 * not exist.
 */
const ROWS = [
  // ---- Core ---------------------------------------------------------------
  { m: 'GET', p: '/api/v1/health', fam: 'one', ok: [200], all: 'ok' },
  { m: 'GET', p: '/api/v1/messages', fam: 'one', ok: [200], all: 'ok' },
  { m: 'POST', p: '/api/v1/auth/login', fam: 'one', ok: [200],
    body: () => ({ username: uniq('nobody'), password: 'not-the-password' }), all: 401 },
  { m: 'POST', p: '/api/v1/auth/logout', fam: 'one', ok: [204], throwaway: true,
    exp: { anon: 401, vol: 'ok', staffA: 'ok', staffB: 'ok', staffD: 'ok', admin: 'ok' } },
  { m: 'GET', p: '/api/v1/me', fam: 'one', ok: [200], signedIn: 'ok' },
  { m: 'GET', p: '/api/v1/units', fam: 'one', ok: [200], all: 'ok' },
  { m: 'POST', p: '/api/v1/units', fam: 'unit', ok: [201], adminOnly: true,
    body: (r) => ({ code: uniq('m'), name: '矩阵新单位', kind: 'direct', parent_id: r.unit }) },
  { m: 'GET', p: '/api/v1/units/{id}', fam: 'unit', ok: [200], all: 'ok' },
  { m: 'GET', p: '/api/v1/users', fam: 'one', ok: [200], adminOnly: true },
  { m: 'POST', p: '/api/v1/users', fam: 'unit', ok: [201], adminOnly: true,
    body: (r) => ({ username: uniq('mx'), password: 'matrix-password-1', display_name: '矩阵用户',
      role: 'volunteer', unit_id: r.unit }) },
  { m: 'GET', p: '/api/v1/users/{id}', fam: 'user', ok: [200], adminOnly: true },
  { m: 'PATCH', p: '/api/v1/users/{id}', fam: 'user', ok: [412], adminOnly: true,
    body: () => ({ display_name: '改名' }), headers: STALE },

  // ---- Wage cases -----------------------------------------------------------
  // Anyone may file, within what they may file for.
  { m: 'POST', p: '/api/v1/wage-cases', fam: 'unit', ok: [201],
    body: (r) => caseBody({ unit_id: r.unit, employer_name: '矩阵新案件单位' }),
    exp: { anon: 'ok', vol: 'ok 403', staffA: 'ok 403', staffB: '403 ok', staffD: 'ok', admin: 'ok' } },
  { m: 'GET', p: '/api/v1/wage-cases', fam: 'one', ok: [200], signedIn: 'ok' },
  { m: 'GET', p: '/api/v1/wage-cases/track', fam: 'one', ok: [200], all: 'ok',
    path: '/api/v1/wage-cases/track?reference={ref}&code={track}' },
  { m: 'GET', p: '/api/v1/wage-cases/{id}', fam: 'case', ok: [200], exp: SEES_OWN() },
  { m: 'PATCH', p: '/api/v1/wage-cases/{id}', fam: 'case', ok: [412], headers: STALE,
    body: () => ({ project_name: '改' }), exp: STAFF_CHANGE() },
  { m: 'POST', p: '/api/v1/wage-cases/{id}/transitions', fam: 'case', ok: [412], headers: STALE,
    body: () => ({ to: 'accepted' }), exp: STAFF_CHANGE() },
  // A case just received takes no recovery: 409 is as far as an allowed
  // caller gets.
  { m: 'POST', p: '/api/v1/wage-cases/{id}/recoveries', fam: 'case', ok: [409],
    body: (r) => ({ worker_id: r.wid, amount: '1.00', recovered_on: today }), exp: STAFF_CHANGE() },

  // ---- Campaigns ------------------------------------------------------------
  { m: 'GET', p: '/api/v1/campaigns', fam: 'one', ok: [200], signedIn: 'ok' },
  { m: 'POST', p: '/api/v1/campaigns', fam: 'one', ok: [201], adminOnly: true,
    body: () => ({ title: `矩阵活动${uniq('c')}`, from: '2014-01-01', to: '2014-01-31', report_due: '2014-02-05' }) },
  { m: 'GET', p: '/api/v1/campaigns/{id}', fam: 'camp', ok: [200], signedIn: 'ok' },
  { m: 'PATCH', p: '/api/v1/campaigns/{id}', fam: 'camp', ok: [412], adminOnly: true,
    body: () => ({ title: '改' }), headers: STALE },

  // ---- Statistics -----------------------------------------------------------
  // A unit outside the caller's subtree is 404, like a unit that does not
  // exist (stats_scope).
  { m: 'GET', p: '/api/v1/stats', fam: 'unit', ok: [200], exp: STATS_READ(),
    path: '/api/v1/stats?unit_id={unit}&campaign_id={camp}' },
  { m: 'GET', p: '/api/v1/stats/by-unit', fam: 'unit', ok: [200], exp: STATS_READ(),
    path: '/api/v1/stats/by-unit?parent_id={unit}&campaign_id={camp}' },
  { m: 'GET', p: '/api/v1/stats/export', fam: 'unit', ok: [200], exp: STATS_READ(),
    path: '/api/v1/stats/export?format=csv&unit_id={unit}&campaign_id={camp}' },
  { m: 'GET', p: '/api/v1/stats/records', fam: 'unit', ok: [200], exp: STATS_READ(),
    path: '/api/v1/stats/records?row=C7&unit_id={unit}&campaign_id={camp}' },
  { m: 'GET', p: '/api/v1/stats/form', fam: 'one', ok: [200], signedIn: 'ok' },
  { m: 'GET', p: '/api/v1/stats/entries', fam: 'unit', ok: [200], exp: STATS_READ(),
    path: '/api/v1/stats/entries?unit_id={unit}&campaign_id={camp}' },
  // Entries and reports are made by the unit's own staff (or an admin):
  // staff of an ancestor may read them, not make them (403); another
  // town is an unknown unit_id (400, as for a unit that does not exist).
  { m: 'PUT', p: '/api/v1/stats/entries', fam: 'unit', ok: [412], headers: STALE,
    body: (r) => ({ unit_id: r.unit, campaign_id: r.camp, values: { E1: 1 } }), exp: OWN_UNIT() },
  { m: 'GET', p: '/api/v1/stats/validation', fam: 'unit', ok: [200], exp: STATS_READ(),
    path: '/api/v1/stats/validation?unit_id={unit}&campaign_id={camp}' },
  { m: 'GET', p: '/api/v1/stats/submissions', fam: 'unit', ok: [200], exp: STATS_READ(),
    path: '/api/v1/stats/submissions?unit_id={unit}&campaign_id={camp}' },
  // Each town submitted already (before()): an allowed caller meets 409.
  { m: 'POST', p: '/api/v1/stats/submissions', fam: 'unit', ok: [201, 409],
    body: (r) => ({ unit_id: r.unit, campaign_id: r.camp }), exp: OWN_UNIT() },
  { m: 'GET', p: '/api/v1/stats/submissions/{id}', fam: 'sub', ok: [200], exp: STATS_READ() },
  // Decided by an ancestor's staff or an admin, never by the unit's own.
  { m: 'POST', p: '/api/v1/stats/submissions/{id}/approve', fam: 'sub', ok: [412], headers: STALE,
    body: () => ({}), exp: DECIDE() },
  { m: 'POST', p: '/api/v1/stats/submissions/{id}/return', fam: 'sub', ok: [412], headers: STALE,
    body: () => ({ note: '请核对' }), exp: DECIDE() },
  // Only an approved submission reopens: 409 for an allowed caller.
  { m: 'POST', p: '/api/v1/stats/submissions/{id}/reopen', fam: 'sub', ok: [409, 412], adminOnly: true,
    headers: STALE, body: () => ({}) },
  { m: 'GET', p: '/api/v1/stats/reporting', fam: 'unit', ok: [200], exp: STATS_READ(),
    path: '/api/v1/stats/reporting?parent_id={unit}&campaign_id={camp}' },

  // ---- Visits ---------------------------------------------------------------
  { m: 'GET', p: '/api/v1/visits/categories', fam: 'one', ok: [200], all: 'ok' },
  { m: 'POST', p: '/api/v1/visits', fam: 'unit', ok: [201], exp: CREATE_IN(),
    body: (r) => ({ unit_id: r.unit, visited_on: DAY, kind: 'worker', category: 'C7', people_count: 1 }) },
  { m: 'GET', p: '/api/v1/visits', fam: 'one', ok: [200], signedIn: 'ok' },
  { m: 'GET', p: '/api/v1/visits/{id}', fam: 'visit', ok: [200], exp: SEES_OWN() },
  { m: 'PATCH', p: '/api/v1/visits/{id}', fam: 'visit', ok: [412], headers: STALE,
    body: () => ({ note: '改' }), exp: SEES_OWN() },
  { m: 'DELETE', p: '/api/v1/visits/{id}', fam: 'visit', ok: [412], headers: STALE, exp: STAFF_CHANGE() },

  // ---- Safe returns ---------------------------------------------------------
  { m: 'POST', p: '/api/v1/safe-returns', fam: 'unit', ok: [201], exp: CREATE_IN(),
    body: (r) => recordBody({ unit_id: r.unit }) },
  { m: 'GET', p: '/api/v1/safe-returns', fam: 'one', ok: [200], signedIn: 'ok' },
  { m: 'POST', p: '/api/v1/safe-returns/batch', fam: 'unit', ok: [201], exp: CREATE_IN(),
    body: (r) => batchBody(1, { unit_id: r.unit }) },
  { m: 'POST', p: '/api/v1/safe-returns/arrivals', fam: 'one', ok: [200], all: 404,
    body: () => ({ code: NONE_CODE }) },
  { m: 'GET', p: '/api/v1/safe-returns/provinces', fam: 'one', ok: [200], all: 'ok' },
  { m: 'GET', p: '/api/v1/safe-returns/{id}', fam: 'sr', ok: [200], exp: SEES_OWN() },
  { m: 'PATCH', p: '/api/v1/safe-returns/{id}', fam: 'sr', ok: [412], headers: STALE,
    body: () => ({ note: '改' }), exp: SEES_OWN() },
  { m: 'POST', p: '/api/v1/safe-returns/{id}/transitions', fam: 'sr', ok: [412], headers: STALE,
    body: () => ({ to: 'departed' }), exp: SEES_OWN() },

  // ---- Job fairs ------------------------------------------------------------
  // Published fairs are public; a draft is seen by the signed-in of its
  // subtree only, and is 404 -- like no fair -- for everyone else,
  // whatever they ask of it.  Managing is for staff of the subtree (403
  // on a published fair of another town, which anyone sees).
  { m: 'GET', p: '/api/v1/job-fairs', fam: 'one', ok: [200], all: 'ok' },
  { m: 'POST', p: '/api/v1/job-fairs', fam: 'unit', ok: [201],
    body: (r) => fairBody({ unit_id: r.unit, title: '矩阵招聘会' }),
    // A unit outside the subtree is a field error (unit_id "unknown").
    exp: { anon: 401, vol: 403, staffA: 'ok 400', staffB: '400 ok', staffD: 'ok', admin: 'ok' } },
  { m: 'GET', p: '/api/v1/job-fairs/{id}', fam: 'fair', ok: [200], exp: FAIR_READ() },
  { m: 'PATCH', p: '/api/v1/job-fairs/{id}', fam: 'fair', ok: [412], headers: STALE,
    body: () => ({ venue: '改' }), exp: FAIR_MANAGE() },
  { m: 'GET', p: '/api/v1/job-fairs/{id}/employers', fam: 'fair', ok: [200], exp: FAIR_READ() },
  // Employers sign up to published fairs; staff of the subtree add them
  // to drafts too.  A volunteer who sees a draft is told it is not open.
  { m: 'POST', p: '/api/v1/job-fairs/{id}/employers', fam: 'fair', ok: [201],
    body: () => employerBody({ name: '矩阵新用人单位' }),
    exp: { anon: '404 ok 404 ok', vol: '409 ok 404 ok', staffA: 'ok ok 404 ok', staffB: '404 ok ok ok',
      staffD: 'ok', admin: 'ok' } },
  { m: 'GET', p: '/api/v1/job-fairs/{id}/employers/{id}', fam: 'fair', ok: [200], exp: FAIR_READ(),
    path: '/api/v1/job-fairs/{id}/employers/{eid}' },
  { m: 'GET', p: '/api/v1/job-fairs/{id}/registrations', fam: 'fair', ok: [200], exp: FAIR_MANAGE() },
  // Sign-ups: published fairs only (a draft one sees is not open: 409).
  { m: 'POST', p: '/api/v1/job-fairs/{id}/registrations', fam: 'fair', ok: [201],
    body: () => signupBody({ name: '矩阵求职者' }),
    exp: { anon: '404 ok 404 ok', vol: '409 ok 404 ok', staffA: '409 ok 404 ok', staffB: '404 ok 409 ok',
      staffD: '409 ok 409 ok', admin: '409 ok 409 ok' } },
  // By code, for anyone holding it; a draft holds none.
  { m: 'GET', p: '/api/v1/job-fairs/{id}/registrations/{key}', fam: 'reg', ok: [200], exp: BY_CODE() },
  { m: 'GET', p: '/api/v1/job-fairs/{id}/registrations/{key}/qr.svg', fam: 'reg', ok: [200], exp: BY_CODE() },
  { m: 'POST', p: '/api/v1/job-fairs/{id}/registrations/{key}/cancel', fam: 'regc', ok: [200], exp: BY_CODE() },
  // Check-ins: anyone signed in of the fair's subtree, at a published fair.
  { m: 'POST', p: '/api/v1/job-fairs/{id}/check-ins', fam: 'reg', ok: [200],
    body: (r) => ({ code: r.key }),
    exp: { anon: 401, vol: '409 ok 404 403', staffA: '409 ok 404 403', staffB: '404 403 409 ok',
      staffD: '409 ok 409 ok', admin: '409 ok 409 ok' } },
  { m: 'GET', p: '/api/v1/job-fairs/{id}/placements', fam: 'fair', ok: [200], exp: FAIR_MANAGE() },
  { m: 'POST', p: '/api/v1/job-fairs/{id}/placements', fam: 'reg', ok: [201, 409],
    // At a draft no one is registered: registration_id is unknown (400).
    body: (r) => ({ registration_id: r.regId, employer_id: r.eid, position_id: r.posId, placed_on: shanghaiDay(0) }),
    exp: { anon: 401, vol: 403, staffA: '400 ok 404 403', staffB: '404 403 400 ok', staffD: '400 ok 400 ok',
      admin: '400 ok 400 ok' } },
];

/* Shapes the table repeats. */
function SEES_OWN() { // volunteers their own, staff their subtree
  return { anon: 401, vol: 'ok 404 404', staffA: 'ok ok 404', staffB: '404 404 ok', staffD: 'ok', admin: 'ok' };
}
function STAFF_CHANGE() { // staff of the subtree
  return { anon: 401, vol: 403, staffA: 'ok ok 404', staffB: '404 404 ok', staffD: 'ok', admin: 'ok' };
}
function STATS_READ() {
  return { anon: 401, vol: 403, staffA: 'ok 404', staffB: '404 ok', staffD: 'ok', admin: 'ok' };
}
function DECIDE() {
  return { anon: 401, vol: 403, staffA: '403 404', staffB: '404 403', staffD: 'ok', admin: 'ok' };
}
function CREATE_IN() { // for their own unit and its subtree
  return { anon: 401, vol: 'ok 403', staffA: 'ok 403', staffB: '403 ok', staffD: 'ok', admin: 'ok' };
}
function FAIR_READ() {
  return { anon: '404 ok 404 ok', vol: 'ok ok 404 ok', staffA: 'ok ok 404 ok', staffB: '404 ok ok ok',
    staffD: 'ok', admin: 'ok' };
}
function BY_CODE() {
  return { anon: '404 ok 404 ok', vol: 'absent ok 404 ok', staffA: 'absent ok 404 ok',
    staffB: '404 ok absent ok', staffD: 'absent ok absent ok', admin: 'absent ok absent ok' };
}
function OWN_UNIT() {
  return { anon: 401, vol: 403, staffA: 'ok 400', staffB: '400 ok', staffD: 403, admin: 'ok' };
}
function FAIR_MANAGE() {
  return { anon: 401, vol: 403, staffA: 'ok ok 404 403', staffB: '404 403 ok ok', staffD: 'ok', admin: 'ok' };
}

/* A row's expectation for a role, one token per record of its family. */
function expected(row, role) {
  let e;
  if (row.all !== undefined) e = row.all;
  else if (row.signedIn !== undefined) e = role === 'anon' ? 401 : row.signedIn;
  else if (row.adminOnly) e = { anon: 401, admin: 'ok' }[role] ?? 403;
  else e = row.exp[role];
  const n = FAMILIES[row.fam].length;
  const toks = String(e).split(' ');
  assert.ok(toks.length === 1 || toks.length === n, `${row.m} ${row.p} ${role}: ${n} tokens`);
  return Array.from({ length: n }, (_, i) => toks[toks.length === 1 ? 0 : i]);
}

// ---- Fixtures ---------------------------------------------------------------

const tokens = {};
const throwaway = {};
const users = {};
const recs = {}; // family -> [record per token]
let none; // the placeholders of records that do not exist
const secrets = []; // every ID number and phone of the fixtures, in clear
const markers = []; // names only the fixtures carry
let A;
let B;
let camp;
let shared; // the ID number of a worker named in a case of A and of B

async function asAdmin(method, path, body, headers) {
  const res = await api(method, path, { token: tokens.admin, body, headers });
  assert.ok(res.status < 300, `${method} ${path}: ${show(res)}`);
  return res;
}
async function as(role, method, path, body, headers) {
  const res = await api(method, path, { token: tokens[role], body, headers });
  assert.ok(res.status < 300, `${role} ${method} ${path}: ${show(res)}`);
  return res.json;
}
const idn = () => {
  const v = freshIdNumber();
  secrets.push(v);
  return v;
};
const ph = () => {
  const v = freshPhone();
  secrets.push(v);
  return v;
};
const mark = (s) => {
  const v = `${s}${uniq('m').slice(-6)}`;
  markers.push(v);
  return v;
};

before(async () => {
  tokens.admin = await adminToken();
  tokens.anon = null;
  const { district } = await seededUnits();
  A = await createUnit({ kind: 'town', name: '矩阵甲镇', parent_id: district.id });
  B = await createUnit({ kind: 'town', name: '矩阵乙镇', parent_id: district.id });
  const roleUser = { vol: ['volunteer', A], staffA: ['staff', A], staffB: ['staff', B], staffD: ['staff', district] };
  for (const [role, [r, unit]] of Object.entries(roleUser)) {
    const u = await createUser({ role: r, unit_id: unit.id }, { signIn: true });
    users[role] = u;
    tokens[role] = u.token;
    throwaway[role] = await login(u.username, u.password);
  }
  throwaway.admin = await login('admin', process.env.ADMIN_PASSWORD);
  const uA = await createUser({ role: 'volunteer', unit_id: A.id });
  const uB = await createUser({ role: 'volunteer', unit_id: B.id });
  recs.user = [{ id: uA.user.id }, { id: uB.user.id }];

  camp = (await asAdmin('POST', '/campaigns', {
    title: `矩阵测试活动${uniq('c')}`, from: CAMP_FROM, to: '2015-12-31', report_due: '2016-01-10',
  })).json;
  recs.camp = [{ id: camp.id }];
  recs.unit = [A, B].map((u) => ({ id: u.id, unit: u.id, camp: camp.id }));
  recs.one = [{ camp: camp.id }];

  // Wage cases: a by the volunteer, a2 by staff of A, b by staff of B;
  // a2 and b name the same worker (ID number), as other_cases finds.
  const wage = async (role, unit, idNumber = idn()) => {
    const body = caseBody({
      unit_id: unit.id, employer_name: mark('矩阵欠薪单位'), reporter: { name: mark('报告人'), phone: ph() },
      workers: [{ name: mark('工人'), id_number: idNumber, phone: ph(), amount_owed: '800.00' }],
    });
    const c = await as(role, 'POST', '/wage-cases', body);
    const full = await as('admin', 'GET', `/wage-cases/${c.id}`);
    return { id: c.id, wid: full.workers[0].id, ref: c.reference, track: c.tracking_code, body };
  };
  shared = idn();
  recs.case = [await wage('vol', A), await wage('staffA', A, shared), await wage('staffB', B, shared)];

  const visit = async (role, unit) => {
    const v = await as(role, 'POST', '/visits', {
      unit_id: unit.id, visited_on: DAY, kind: 'worker', category: 'C7', people_count: 2,
      cash_amount: '100.00', note: mark('矩阵走访'),
    });
    return { id: v.id };
  };
  recs.visit = [await visit('vol', A), await visit('staffA', A), await visit('staffB', B)];

  const sr = async (role, unit) => {
    const body = recordBody({
      unit_id: unit.id, traveler: { name: mark('返乡人'), phone: ph(), id_number: idn() },
    });
    const s = await as(role, 'POST', '/safe-returns', body);
    return { id: s.id, body };
  };
  recs.sr = [await sr('vol', A), await sr('staffA', A), await sr('staffB', B)];

  // Fairs: a draft and a published one in each town, each with an
  // employer; the published ones with sign-ups.
  const fair = async (role, unit, publish) => {
    let f = await as(role, 'POST', '/job-fairs', fairBody({
      unit_id: unit.id, title: mark('矩阵招聘会'),
    }));
    if (publish) {
      f = await as(role, 'PATCH', `/job-fairs/${f.id}`, { status: 'published' }, { 'If-Match': `"${f.version}"` });
    }
    const e = await as(role, 'POST', `/job-fairs/${f.id}/employers`, employerBody({
      name: mark('矩阵用人单位'), credit_code: freshCredit(), contact_name: mark('联系人'), contact_phone: ph(),
      positions: [{ title: '岗位', kind: 'regular', headcount: 50 }],
    }));
    return { id: f.id, eid: e.id, posId: e.positions[0].id, unit };
  };
  recs.fair = [await fair('staffA', A, false), await fair('staffA', A, true),
    await fair('staffB', B, false), await fair('staffB', B, true)];
  const signup = async (f) => {
    const g = await api('POST', `/job-fairs/${f.id}/registrations`, {
      body: signupBody({ name: mark('矩阵求职'), phone: ph(), id_number: idn() }),
    });
    assert.equal(g.status, 201, show(g));
    return { id: f.id, key: g.json.code, regId: g.json.id, eid: f.eid, posId: f.posId };
  };
  const noSignup = (f) => ({ id: f.id, key: NONE_CODE, regId: NONE_ID, eid: f.eid, posId: f.posId });
  const regs = async () => [noSignup(recs.fair[0]), await signup(recs.fair[1]),
    noSignup(recs.fair[2]), await signup(recs.fair[3])];
  recs.reg = await regs();
  recs.regc = await regs();

  // Each town's report for the campaign, submitted by its own staff.
  const sub = async (role, unit) => {
    await as(role, 'PUT', '/stats/entries', {
      unit_id: unit.id, campaign_id: camp.id,
      values: Object.fromEntries(['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'E1', 'E2', 'E3', 'E4', 'E5', 'F1', 'F2', 'F3']
        .map((k) => [k, 0])),
    });
    return (await as(role, 'POST', '/stats/submissions', { unit_id: unit.id, campaign_id: camp.id })).id;
  };
  recs.sub = [{ id: await sub('staffA', A) }, { id: await sub('staffB', B) }];

  // What stands in for a record that does not exist.
  none = {
    id: NONE_ID, eid: NONE_ID, wid: NONE_ID, key: NONE_CODE, regId: NONE_ID, posId: NONE_ID,
    unit: NONE_ID, camp: camp.id, ref: 'QX2099-999999', track: NONE_CODE,
  };
});

/* Fills a row's placeholders from a record. */
function fill(s, r) {
  return s.replace(/\{(id|eid|key|unit|camp|ref|track)\}/g, (_, k) => {
    const v = { ref: recs.case[0].ref, track: recs.case[0].track, camp: camp.id, ...r }[k];
    assert.ok(v !== undefined, `placeholder {${k}} in ${s}`);
    return encodeURIComponent(String(v));
  });
}

/* One request of a row; rate-limited answers (shared limits with the
 * other files) are waited out and repeated. */
async function ask(row, role, r) {
  const path = fill(row.path || row.p, r);
  const token = row.throwaway ? throwaway[role] : tokens[role];
  const body = row.body ? row.body(r, role) : undefined;
  for (let i = 0; ; i++) {
    const res = await api(row.m, path, { token: token || undefined, body, headers: row.headers });
    if (res.status !== 429 || i > 60) return { ...res, path };
    await sleep(1000 * Math.min(Number(res.headers.get('retry-after')) || 1, 3));
  }
}

/* Every answer of the matrix, for the checks after it. */
const answers = [];

// ---- The table covers the routes ------------------------------------------

test('every route of fcgi/route.c has a row in the table, and every row a route', () => {
  const src = readFileSync(fileURLToPath(new URL('../../fcgi/route.c', import.meta.url)), 'utf8');
  const routes = [...src.matchAll(/\{M_(GET|POST|PATCH|PUT|DELETE),\s*"([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.ok(routes.length > 50, `routes read from route.c: ${routes.length}`);
  const rows = ROWS.map((r) => `${r.m} ${r.p}`);
  const missing = routes.filter((r) => !rows.includes(r));
  const stale = rows.filter((r) => !routes.includes(r));
  assert.deepEqual(missing, [], 'routes without a row in the access table');
  assert.deepEqual(stale, [], 'rows of the access table for no route');
  assert.equal(new Set(rows).size, rows.length, 'one row per route');
});

// ---- The matrix ---------------------------------------------------------------

test('every route × every role × records of town A and town B answers as the table says',
  { timeout: 600_000 }, async () => {
    const wrong = [];
    for (const row of ROWS) {
      for (const role of ROLES) {
        const exp = expected(row, role);
        const family = recs[row.fam];
        for (let i = 0; i < family.length; i++) {
          const res = await ask(row, role, family[i]);
          const want = exp[i];
          const okay = want === 'ok' ? row.ok.includes(res.status)
            : res.status === (want === 'absent' ? 404 : Number(want));
          answers.push({ row, role, rec: family[i], res, want });
          if (!okay) {
            wrong.push(`${role} ${row.m} ${res.path} [${FAMILIES[row.fam][i]}]: want ${want === 'ok'
              ? `ok ${row.ok}` : want}, got ${res.status} ${res.text.slice(0, 160)}`);
            continue;
          }
          // A record hidden from the caller answers as one that does not
          // exist: same status, same body.  So does a unit outside the
          // caller's subtree.
          if ((want === '404' && family !== recs.one) || (want === '400' && family === recs.unit)) {
            const ghost = await ask(row, role, none);
            if (ghost.status !== res.status || ghost.text !== res.text) {
              wrong.push(`${role} ${row.m} ${res.path}: hidden record answers ${res.status} ${res.text}` +
                ` but no record ${ghost.status} ${ghost.text}`);
            }
          }
        }
      }
    }
    assert.deepEqual(wrong, [], `${wrong.length} answers differ from the table`);
  });

// ---- What the answers show ----------------------------------------------------

test('no refusal names anything of the record it refused', () => {
  const bad = [];
  for (const { row, role, res } of answers) {
    if (![401, 403, 404, 409].includes(res.status)) continue;
    for (const s of [...secrets, ...markers]) {
      if (res.text.includes(s)) bad.push(`${role} ${row.m} ${res.path} ${res.status} holds ${s}`);
    }
    assert.match(res.headers.get('content-type') || '', /^application\/problem\+json/,
      `${role} ${row.m} ${res.path}: a problem document`);
  }
  assert.deepEqual(bad, []);
});

test('lists, drill-downs and exports never show an ID number or a phone in clear', async () => {
  const listy = (row) => row.m === 'GET' && !/\{id\}$|\{key\}$|\{key\}\/qr\.svg$/.test(row.p);
  const bad = [];
  for (const { row, role, res } of answers) {
    if (!listy(row) || res.status !== 200) continue;
    for (const s of secrets) if (res.text.includes(s)) bad.push(`${role} ${row.m} ${res.path} holds ${s}`);
  }
  assert.deepEqual(bad, []);
  // The drill-down of town A lists town A's visits, and none of town B's
  // (those of the fixtures and those the matrix logged).
  const visitsOf = (unit) => [
    ...recs.visit.filter((_, i) => (i < 2 ? A.id : B.id) === unit).map((v) => v.id),
    ...answers.filter((a) => a.row.p === '/api/v1/visits' && a.row.m === 'POST' && a.res.status === 201 &&
      a.rec.unit === unit).map((a) => a.res.json.id),
  ];
  for (const role of ['staffA', 'staffD', 'admin']) {
    const drill = await api('GET', `/stats/records?row=C7&unit_id=${A.id}&campaign_id=${camp.id}&limit=200`,
      { token: tokens[role] });
    assert.equal(drill.status, 200, show(drill));
    const got = drill.json.items.map((x) => x.id).sort((x, y) => x - y);
    assert.deepEqual(got, visitsOf(A.id).sort((x, y) => x - y), `${role}: the C7 visits of town A`);
  }
});

test('single records: ID numbers and phones in clear only for admin and staff of the owning subtree', async () => {
  const bad = [];
  const unmaskers = (unit) => (unit === A.id ? ['staffA', 'staffD', 'admin'] : ['staffB', 'staffD', 'admin']);
  const check = (role, what, text, clear, values) => {
    for (const v of values) {
      const inClear = text.includes(v);
      if (inClear !== clear) bad.push(`${role} ${what}: ${v} ${clear ? 'masked' : 'in clear'}`);
      if (!clear && !text.includes(v.length === 18 ? maskId(v) : maskPhone(v))) {
        bad.push(`${role} ${what}: ${v} neither shown masked`);
      }
    }
  };
  const units = [A.id, A.id, B.id];
  for (const role of ROLES.slice(1)) {
    for (const [i, c] of recs.case.entries()) {
      const res = await api('GET', `/wage-cases/${c.id}`, { token: tokens[role] });
      if (res.status !== 200) continue;
      check(role, `wage case ${i}`, res.text, unmaskers(units[i]).includes(role),
        [c.body.reporter.phone, c.body.workers[0].phone, c.body.workers[0].id_number]);
    }
    for (const [i, s] of recs.sr.entries()) {
      const res = await api('GET', `/safe-returns/${s.id}`, { token: tokens[role] });
      if (res.status !== 200) continue;
      check(role, `safe return ${i}`, res.text, unmaskers(units[i]).includes(role),
        [s.body.traveler.phone, s.body.traveler.id_number]);
    }
  }
  // Employers: the public never sees a contact; staff of the fair's
  // subtree and admins see the phone in full, other staff masked.
  for (const role of ROLES) {
    for (const [i, f] of recs.fair.entries()) {
      const res = await api('GET', `/job-fairs/${f.id}/employers/${f.eid}`, { token: tokens[role] || undefined });
      if (res.status !== 200) continue;
      const phone = res.json.contact_phone;
      const mine = unmaskers(f.unit.id).includes(role);
      if (role === 'anon' || role === 'vol') {
        if (phone !== undefined && phone !== null) bad.push(`${role} employer ${i}: contact ${phone}`);
      } else if (mine !== secrets.includes(phone)) {
        bad.push(`${role} employer ${i}: contact ${phone}`);
      }
    }
  }
  // A registration by its code, and a check-in: masked for everyone.
  for (const role of ROLES) {
    for (const g of recs.reg) {
      const res = await api('GET', `/job-fairs/${g.id}/registrations/${g.key}`, { token: tokens[role] || undefined });
      for (const s of secrets) if (res.text.includes(s)) bad.push(`${role} registration by code: ${s}`);
    }
  }
  for (const { row, role, res } of answers) {
    if (row.p.endsWith('/check-ins') || row.p.endsWith('/cancel')) {
      for (const s of secrets) if (res.text.includes(s)) bad.push(`${role} ${row.p}: ${s}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('other_cases and a search by ID number show only cases the caller may see', async () => {
  const [, a2, b] = recs.case;
  const others = async (role, c) => {
    const res = await api('GET', `/wage-cases/${c.id}`, { token: tokens[role] });
    assert.equal(res.status, 200, show(res));
    return res.json.workers[0].other_cases.map((o) => o.id);
  };
  assert.deepEqual(await others('staffA', a2), [], 'town A does not learn of the case in town B');
  assert.deepEqual(await others('staffB', b), [], 'nor town B of the case in town A');
  assert.deepEqual(await others('staffD', a2), [b.id], 'the district sees both');
  assert.deepEqual(await others('admin', b), [a2.id]);
  const search = async (role) => {
    const res = await api('GET', `/wage-cases?id_number=${shared}&limit=200`, { token: tokens[role] });
    assert.equal(res.status, 200, show(res));
    assert.ok(!res.text.includes(shared), `${role}: the number searched for is not shown in clear`);
    return res.json.items.map((c) => c.id).sort((x, y) => x - y);
  };
  assert.deepEqual(await search('staffA'), [a2.id]);
  assert.deepEqual(await search('staffB'), [b.id]);
  assert.deepEqual(await search('staffD'), [a2.id, b.id].sort((x, y) => x - y));
});

test('tracking answers reference, status, status_label and updated_at, and nothing else', async () => {
  const c = recs.case[0];
  const res = await api('GET', `/wage-cases/track?reference=${c.ref}&code=${c.track}`);
  assert.equal(res.status, 200, show(res));
  assert.deepEqual(Object.keys(res.json).sort(), ['reference', 'status', 'status_label', 'updated_at']);
  // A wrong code and an unknown reference: one answer.
  const wrongCode = await api('GET', `/wage-cases/track?reference=${c.ref}&code=${NONE_CODE}`);
  const noCase = await api('GET', `/wage-cases/track?reference=QX2099-999999&code=${c.track}`);
  assert.equal(wrongCode.status, 404);
  assert.equal(wrongCode.text, noCase.text);
  assert.equal(wrongCode.status, noCase.status);
});

test('lists hold only what the caller may see', async () => {
  const ids = (fam, idx) => idx.map((i) => recs[fam][i].id);
  // [role, path, the family's records it must list, those it must not]
  const cases = [
    ['vol', '/wage-cases?limit=200', 'case', [0], [1, 2]],
    ['staffA', '/wage-cases?limit=200', 'case', [0, 1], [2]],
    ['staffB', '/wage-cases?limit=200', 'case', [2], [0, 1]],
    ['staffD', `/wage-cases?unit_id=${A.id}&limit=200`, 'case', [0, 1], [2]],
    ['vol', '/visits?limit=200', 'visit', [0], [1, 2]],
    ['staffA', '/visits?limit=200', 'visit', [0, 1], [2]],
    ['staffB', '/visits?limit=200', 'visit', [2], [0, 1]],
    ['vol', '/safe-returns?limit=200', 'sr', [0], [1, 2]],
    ['staffA', '/safe-returns?limit=200', 'sr', [0, 1], [2]],
    ['staffB', '/safe-returns?limit=200', 'sr', [2], [0, 1]],
    ['anon', `/job-fairs?unit_id=${A.id}&limit=200`, 'fair', [1], [0, 2, 3]],
    ['staffA', `/job-fairs?limit=200&from=${shanghaiDay(0)}&to=${shanghaiDay(0)}`, 'fair', [0, 1, 3], [2]],
    ['staffB', `/job-fairs?limit=200&from=${shanghaiDay(0)}&to=${shanghaiDay(0)}`, 'fair', [1, 2, 3], [0]],
  ];
  const bad = [];
  for (const [role, path, fam, yes, no] of cases) {
    const res = await api('GET', path, { token: tokens[role] || undefined });
    assert.equal(res.status, 200, `${role} ${path}: ${show(res)}`);
    const got = new Set(res.json.items.map((x) => x.id));
    for (const id of ids(fam, yes)) if (!got.has(id)) bad.push(`${role} ${path} lacks ${fam} ${id}`);
    for (const id of ids(fam, no)) if (got.has(id)) bad.push(`${role} ${path} shows ${fam} ${id}`);
    for (const s of secrets) if (res.text.includes(s)) bad.push(`${role} ${path} holds ${s}`);
  }
  // Another town as a filter shows nothing of it.
  for (const path of ['/wage-cases', '/visits', '/safe-returns']) {
    const res = await api('GET', `${path}?unit_id=${B.id}`, { token: tokens.staffA });
    if (res.status === 200) {
      if (res.json.items.length) bad.push(`staffA ${path}?unit_id=B lists ${res.json.items.length}`);
    } else if (res.status !== 404 && res.status !== 400) bad.push(`staffA ${path}?unit_id=B: ${show(res)}`);
  }
  assert.deepEqual(bad, []);
});
