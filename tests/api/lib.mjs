/*
 * Shared by the API tests: plain fetch against a running instance.
 *
 * Environment (set by scripts/test.sh):
 *   BASE_URL        http://127.0.0.1:PORT of the instance under test
 *   ADMIN_PASSWORD  password of user `admin`
 *   SWN_VAR, SWN_PORT, SWN_ROOT  the instance's VAR, PORT and the checkout
 *                   (only the serial tests that kill processes need them)
 *
 * Test files run in parallel against one database, so every file makes its
 * own users and units with uniq() names and never counts global rows.
 */
import assert from 'node:assert/strict';

export const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
export const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD || '';
export const SWN_VAR = process.env.SWN_VAR || '';
export const SWN_PORT = process.env.SWN_PORT || '';
export const SWN_ROOT = process.env.SWN_ROOT || '';

if (!BASE_URL) throw new Error('BASE_URL must name the instance under test');

/* Seeded by sql/002_units_seed.sql. */
export const DISTRICT_NAME = '江苏常州经济开发区总工会';
export const SEEDED_CHILDREN = ['横林镇', '遥观镇', '横山桥镇', '潞城街道', '戚墅堰街道', '丁堰街道'];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let counter = 0;
const run = (Date.now().toString(36) + process.pid.toString(36)).slice(-9);

/*
 * A name nobody else uses: lowercase letters, digits and '-', at most 32
 * characters, so it is a valid username ([a-z0-9_.-]{3,32}) and unit code.
 */
export function uniq(prefix = 't') {
  counter += 1;
  const rnd = Math.random().toString(36).slice(2, 6);
  const name = `${prefix}-${run}${counter.toString(36)}${rnd}`.toLowerCase();
  assert.ok(name.length <= 32, `uniq(${prefix}) too long: ${name}`);
  return name;
}

export function url(path) {
  if (/^https?:/.test(path)) return path;
  if (path.startsWith('/api/')) return BASE_URL + path;
  return BASE_URL + '/api/v1' + path;
}

/*
 * api(method, path, {token, cookie, body, raw, headers, noRetry})
 *   path    '/units' (under /api/v1) or a full '/api/...' path
 *   token   sent as Authorization: Bearer
 *   cookie  a token sent as the sid cookie instead
 *   body    a value sent as JSON (Content-Type: application/json)
 *   raw     a string or Buffer sent as is (Content-Type application/json
 *           unless headers say otherwise)
 * → {status, headers, json, text}; json is null unless the answer is JSON.
 *
 * nginx limits anonymous POSTs per address (burst 40) and every write
 * (burst 300), and the parallel files share one address: a write answered
 * 429 rate_limited is retried after Retry-After, unless noRetry (the
 * rate-limit tests themselves).  Reads are never retried.
 */
export async function api(method, path, opts = {}) {
  const { token, cookie, body, raw, headers = {}, noRetry = false } = opts;
  const h = {};
  if (token) h.Authorization = `Bearer ${token}`;
  if (cookie) h.Cookie = `sid=${cookie}`;
  let payload;
  if (raw !== undefined) {
    payload = raw;
    h['Content-Type'] = 'application/json';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['Content-Type'] = 'application/json';
  }
  Object.assign(h, headers);
  for (const k of Object.keys(h)) if (h[k] === undefined || h[k] === null) delete h[k];
  const write = method !== 'GET' && method !== 'HEAD';
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url(path), { method, headers: h, body: payload, redirect: 'manual' });
    const text = await res.text();
    const ct = res.headers.get('content-type') || '';
    let json = null;
    if (/json/.test(ct) && text !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined; // declared JSON but is not: tests notice
      }
    }
    const out = { status: res.status, headers: res.headers, json, text };
    if (write && !noRetry && res.status === 429 && json && json.code === 'rate_limited' &&
        attempt < 30) {
      await sleep(1000 * Math.min(Number(res.headers.get('retry-after')) || 1, 5));
      continue;
    }
    return out;
  }
}

/* Shorthand for a human-readable failure message. */
export function show(res) {
  return `${res.status} ${res.headers.get('content-type')} ${res.text.slice(0, 600)}`;
}

/* POST /auth/login; returns the whole answer. */
export function loginRes(username, password, opts = {}) {
  return api('POST', '/auth/login', { body: { username, password }, ...opts });
}

/* Signs in and returns the token; fails the test otherwise. */
export async function login(username, password) {
  const res = await loginRes(username, password);
  assert.equal(res.status, 200, `login ${username}: ${show(res)}`);
  assert.equal(typeof res.json.token, 'string');
  return res.json.token;
}

let adminTokenP = null;
/* One admin session per test file (never a failed admin login: lockout). */
export function adminToken() {
  if (!ADMIN_PASSWORD) throw new Error('ADMIN_PASSWORD must be the password of admin');
  if (!adminTokenP) adminTokenP = login('admin', ADMIN_PASSWORD);
  return adminTokenP;
}

/* The seeded district unit and its children, from GET /units. */
export async function seededUnits() {
  const res = await api('GET', '/units');
  assert.equal(res.status, 200, show(res));
  const district = res.json.items.find((u) => u.name === DISTRICT_NAME);
  assert.ok(district, 'the district unit is seeded');
  const children = Object.fromEntries(
    SEEDED_CHILDREN.map((n) => [n, res.json.items.find((u) => u.name === n)]));
  return { district, children, items: res.json.items };
}

/*
 * Creates a user through POST /users as admin.  Returns
 * {user, password, username, token?} (token when signIn).
 */
export async function createUser(fields = {}, { signIn = false, token } = {}) {
  const adm = token || (await adminToken());
  let unitId = fields.unit_id;
  if (unitId === undefined) unitId = (await seededUnits()).district.id;
  const password = fields.password || `pw-${Math.random().toString(36).slice(2)}-long`;
  const body = {
    username: fields.username || uniq(fields.role ? fields.role.slice(0, 3) : 'u'),
    password,
    display_name: fields.display_name || '测试用户',
    role: fields.role || 'volunteer',
    unit_id: unitId,
  };
  const res = await api('POST', '/users', { token: adm, body });
  assert.equal(res.status, 201, `create user ${body.username}: ${show(res)}`);
  const out = { user: res.json, password, username: body.username, etag: res.headers.get('etag') };
  if (signIn) out.token = await login(body.username, password);
  return out;
}

/* Creates a unit under parentId (default: the district) as admin. */
export async function createUnit(fields = {}, { token } = {}) {
  const adm = token || (await adminToken());
  let parentId = fields.parent_id;
  if (parentId === undefined) parentId = (await seededUnits()).district.id;
  const body = {
    code: fields.code || uniq('c'),
    name: fields.name || '测试单位',
    kind: fields.kind || 'direct',
    parent_id: parentId,
  };
  const res = await api('POST', '/units', { token: adm, body });
  assert.equal(res.status, 201, `create unit ${body.code}: ${show(res)}`);
  return res.json;
}

/* JSON answers carry charset=utf-8. */
export function assertJson(res, status) {
  if (status !== undefined) assert.equal(res.status, status, show(res));
  const ct = res.headers.get('content-type') || '';
  assert.match(ct, /^application\/json\b/i, `content-type: ${ct}`);
  assert.match(ct, /charset=utf-8/i, `content-type without charset: ${ct}`);
  assert.ok(res.json && typeof res.json === 'object', `a JSON body: ${res.text.slice(0, 200)}`);
  return res.json;
}

/*
 * An RFC 9457 problem document with the project's fields:
 * {type, title, status, code, detail[, errors]}.
 */
export function assertProblem(res, status, code) {
  assert.equal(res.status, status, show(res));
  const ct = res.headers.get('content-type') || '';
  assert.match(ct, /^application\/problem\+json\b/i, `content-type: ${ct} (${res.text.slice(0, 200)})`);
  assert.match(ct, /charset=utf-8/i, `content-type without charset: ${ct}`);
  const p = res.json;
  assert.ok(p && typeof p === 'object', `a problem body: ${res.text.slice(0, 200)}`);
  assert.equal(typeof p.type, 'string');
  assert.ok(p.type.length > 0, 'type is set');
  assert.equal(typeof p.title, 'string');
  assert.ok(p.title.length > 0, 'title is set');
  assert.equal(p.status, status, 'status in the body matches');
  assert.equal(typeof p.detail, 'string');
  assert.ok(p.detail.length > 0, 'detail is set');
  if (code !== undefined) assert.equal(p.code, code, `problem code: ${res.text.slice(0, 300)}`);
  return p;
}

/*
 * A 400 validation problem whose errors name exactly these fields (at
 * least), each as [field, code] (code may be omitted: [field]).
 */
export function assertFieldErrors(res, expected, { exact = false } = {}) {
  const p = assertProblem(res, 400, 'validation');
  assert.ok(Array.isArray(p.errors), `errors is a list: ${res.text}`);
  for (const e of p.errors) {
    assert.equal(typeof e.field, 'string');
    assert.equal(typeof e.code, 'string');
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 0, 'every error has a message');
  }
  for (const [field, code] of expected) {
    const hit = p.errors.find((e) => e.field === field && (code === undefined || e.code === code));
    assert.ok(hit, `expected error ${field}${code ? '/' + code : ''} in ${JSON.stringify(p.errors)}`);
  }
  if (exact) {
    assert.equal(p.errors.length, expected.length, `exactly these errors: ${JSON.stringify(p.errors)}`);
  }
  return p.errors;
}

/* Every page of a keyset list, following next_cursor. */
export async function allPages(path, { token, limit = 200, max = 1000 } = {}) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < max; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const q = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await api('GET', q, { token });
    assert.equal(res.status, 200, show(res));
    items.push(...res.json.items);
    cursor = res.json.next_cursor;
    if (cursor === null) return items;
  }
  throw new Error(`more than ${max} pages at ${path}`);
}
