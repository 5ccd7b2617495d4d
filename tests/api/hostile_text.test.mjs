// Hostile text in every resource (API.md v1.1 "Everywhere";
// docs/conventions.md "Text"), from one table: a one-line field (a name,
// a title, an employer, an address, a code) refuses the C0 and C1
// controls, DEL, the bidirectional embeddings, overrides and isolates,
// and the format characters that show as nothing (zero-width space, soft
// hyphen, direction marks) with 400 "format" -- every such field of a
// body at once, each named by its JSON path; a multi-line field
// (description, note) takes newline, tab and CRLF and stores them as
// sent, and refuses the rest.
//
// tests/unit/test_tables.c checks the same rule over every field table
// at every depth; this checks what a client sees, route by route.  Job
// fairs (fcgi/job_fairs.c, fair_signups.c) add their rows when they land.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminToken, api, assertFieldErrors, createUnit, createUser, seededUnits, show, uniq,
} from './lib.mjs';
import { caseBody, fileCase, getCase } from './wage_lib.mjs';
import { enterpriseVisit, logVisit } from './visits_lib.mjs';
import { batchBody, getRecord, recordBody, register } from './safe_returns_lib.mjs';

/* What no one-line field takes. */
const ONE_LINE_BAD = ['\u0001', '\u0007', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f',
  '\u202a', '\u202e', '\u2066', '\u2069',
  // and what shows as nothing: soft hyphen, zero-width space, a direction mark
  '\u00ad', '\u200b', '\u200f'];
/* What a multi-line field takes, and what it still refuses. */
const MULTI_OK = '第一行\n\t第二行\r\n\n第三行';
const MULTI_BAD = ['\u0007', '\r', '\u000b', '\u000c', '\u007f', '\u0085', '\u202e', '\u2067', '\u200b'];

/* ASCII around the character, so that only the character is wrong: the
 * usernames and unit codes have rules of their own about letters. */
const wrap = (c) => `abcde${c}fghij`;

/* Sets a JSON path like "travellers[0].hometown.city" in obj. */
function setPath(obj, path, value) {
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k];
  o[keys.at(-1)] = value;
  return obj;
}

let admin;
let town;
let staff;
let vol;
before(async () => {
  admin = await adminToken();
  const { district } = await seededUnits();
  town = await createUnit({ kind: 'town', name: '文本测试镇', parent_id: district.id }, { token: admin });
  [staff, vol] = await Promise.all([
    createUser({ role: 'staff', unit_id: town.id }, { signIn: true }),
    createUser({ role: 'volunteer', unit_id: town.id }, { signIn: true }),
  ]);
});

/*
 * One row per route that takes text.  setup() makes what the route needs
 * and returns {path, token, body, version?, read?}: version (a function)
 * gives If-Match, read(answer) the stored multi-line text after success.
 */
const ROUTES = [
  { name: 'POST /auth/login', one: ['username', 'password'],
    setup: async () => ({ path: '/auth/login', body: { username: uniq('x'), password: 'a-long-password' } }) },
  { name: 'POST /users', one: ['username', 'password', 'display_name'],
    setup: async () => ({ path: '/users', token: admin,
      body: { username: uniq('t'), password: 'a-long-password', display_name: '甲', role: 'volunteer', unit_id: town.id } }) },
  { name: 'PATCH /users/{id}', method: 'PATCH', one: ['password', 'display_name'],
    setup: async () => {
      const u = await createUser({ unit_id: town.id });
      return { path: `/users/${u.user.id}`, token: admin, body: { display_name: '乙' },
        version: async () => (await api('GET', `/users/${u.user.id}`, { token: admin })).json.version };
    } },
  { name: 'POST /units', one: ['code', 'name'],
    setup: async () => ({ path: '/units', token: admin,
      body: { code: uniq('c'), name: '丙', kind: 'street', parent_id: town.id } }) },
  { name: 'POST /campaigns', one: ['title'],
    setup: async () => ({ path: '/campaigns', token: admin,
      body: { title: '丁', from: '2021-01-01', to: '2021-01-31', report_due: '2021-02-10' } }) },
  { name: 'PATCH /campaigns/{id}', method: 'PATCH', one: ['title'],
    setup: async () => {
      const c = await api('POST', '/campaigns', { token: admin,
        body: { title: `戊${uniq('c')}`, from: '2021-01-01', to: '2021-01-31', report_due: '2021-02-10' } });
      assert.equal(c.status, 201, show(c));
      return { path: `/campaigns/${c.json.id}`, token: admin, body: { title: '己' },
        version: async () => (await api('GET', `/campaigns/${c.json.id}`, { token: admin })).json.version };
    } },
  { name: 'POST /wage-cases', one: ['employer_name', 'project_name', 'site_address', 'reporter.name', 'workers[0].name'],
    multi: ['description'],
    setup: async () => ({ path: '/wage-cases', token: staff.token, body: caseBody({ unit_id: town.id }),
      read: async (a) => (await getCase(staff.token, a.id)).description }) },
  { name: 'PATCH /wage-cases/{id}', method: 'PATCH',
    one: ['employer_name', 'project_name', 'site_address', 'reporter.name'], multi: ['description'],
    setup: async () => {
      const c = (await fileCase(staff.token, { unit_id: town.id })).body;
      return { path: `/wage-cases/${c.id}`, token: staff.token,
        body: { employer_name: '庚', reporter: { name: '辛', phone: '13812345678' } },
        version: async () => (await getCase(staff.token, c.id)).version,
        read: async () => (await getCase(staff.token, c.id)).description };
    } },
  { name: 'POST /wage-cases/{id}/transitions', one: [], multi: ['note'],
    setup: async () => {
      const c = (await fileCase(staff.token, { unit_id: town.id })).body;
      return { path: `/wage-cases/${c.id}/transitions`, token: staff.token, body: { to: 'accepted' },
        version: async () => (await getCase(staff.token, c.id)).version };
    } },
  { name: 'POST /visits', one: ['enterprise_name'], multi: ['note'],
    setup: async () => ({ path: '/visits', token: vol.token, body: enterpriseVisit(),
      read: async (a) => (await api('GET', `/visits/${a.id}`, { token: vol.token })).json.note }) },
  { name: 'PATCH /visits/{id}', method: 'PATCH', one: ['enterprise_name'], multi: ['note'],
    setup: async () => {
      const v = await logVisit(vol.token, enterpriseVisit());
      const get = () => api('GET', `/visits/${v.id}`, { token: vol.token });
      return { path: `/visits/${v.id}`, token: vol.token, body: { enterprise_name: '壬' },
        version: async () => (await get()).json.version, read: async () => (await get()).json.note };
    } },
  { name: 'POST /safe-returns', one: ['traveler.name', 'hometown.city', 'bus_label'], multi: ['note'],
    setup: async () => ({ path: '/safe-returns', token: vol.token, body: recordBody({ bus_label: '癸' }),
      read: async (a) => (await getRecord(vol.token, a.id)).note }) },
  { name: 'PATCH /safe-returns/{id}', method: 'PATCH', one: ['traveler.name', 'hometown.city', 'bus_label'],
    multi: ['note'],
    setup: async () => {
      const r = await register(vol.token);
      return { path: `/safe-returns/${r.id}`, token: vol.token,
        body: { traveler: { name: '子' }, hometown: { province: '河南省', city: '信阳市' }, bus_label: '丑' },
        version: async () => (await getRecord(vol.token, r.id)).version,
        read: async () => (await getRecord(vol.token, r.id)).note };
    } },
  { name: 'POST /safe-returns/batch',
    one: ['bus_label', 'travellers[0].name', 'travellers[0].hometown.city'], multi: ['note'],
    setup: async () => {
      const body = batchBody(2);
      body.travellers[0].hometown.city = '寅';
      return { path: '/safe-returns/batch', token: vol.token, body };
    } },
  { name: 'POST /safe-returns/{id}/transitions', one: [], multi: ['note'],
    setup: async () => {
      const r = await register(vol.token);
      return { path: `/safe-returns/${r.id}/transitions`, token: vol.token, body: { to: 'departed' },
        version: async () => (await getRecord(vol.token, r.id)).version };
    } },
  { name: 'POST /safe-returns/arrivals', one: ['code'],
    setup: async () => ({ path: '/safe-returns/arrivals', body: { code: 'ABCDEFGH' } }) },
];

async function send(row, s, body) {
  const headers = s.version ? { 'If-Match': `"${await s.version()}"` } : {};
  return api(row.method || 'POST', s.path, { token: s.token, body, headers });
}

for (const row of ROUTES) {
  if (row.one.length) test(`${row.name}: one-line text refuses controls and bidi with format, every field at once`, async () => {
    const s = await row.setup();
    for (const c of ONE_LINE_BAD) {
      const body = structuredClone(s.body);
      for (const f of row.one) setPath(body, f, wrap(c));
      const res = await send(row, s, body);
      assertFieldErrors(res, row.one.map((f) => [f, 'format']), { exact: true });
    }
  });

  if (!row.multi) continue;
  test(`${row.name}: ${row.multi.join(', ')} take newline, tab and CRLF, and refuse other controls`, async () => {
    const s = await row.setup();
    for (const c of MULTI_BAD) {
      const body = structuredClone(s.body);
      for (const f of row.multi) setPath(body, f, wrap(c));
      assertFieldErrors(await send(row, s, body), row.multi.map((f) => [f, 'format']), { exact: true });
    }
    const body = structuredClone(s.body);
    for (const f of row.multi) setPath(body, f, MULTI_OK);
    const res = await send(row, s, body);
    assert.ok(res.status === 200 || res.status === 201, `${row.name}: ${show(res)}`);
    if (s.read) assert.equal(await s.read(res.json), MULTI_OK, 'stored as sent');
  });
}
