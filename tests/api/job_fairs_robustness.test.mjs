// Nothing a client can send to the fair routes makes the worker answer
// 5xx or die (as robustness.test.mjs does for the core routes): hostile
// ids, codes in paths, query strings, bodies and field values, against a
// real published fair so that the handlers get past their first checks.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SWN_VAR, adminToken, api, show } from './lib.mjs';
import { from } from './net_lib.mjs';
import { createFair, employerBody, signUpOk } from './job_fairs_lib.mjs';

let token;
let fair;
let reg;
let emp;
let signupFairs; // sign-ups are limited per fair and address: spread them

before(async () => {
  token = await adminToken();
  fair = await createFair(token, { seeker_capacity: 3 });
  signupFairs = await Promise.all(Array.from({ length: 8 }, () => createFair(token, { seeker_capacity: 3 })));
  reg = await signUpOk(fair.id);
  emp = (await api('POST', `/job-fairs/${fair.id}/employers`, { token, body: employerBody() })).json;
});

const routes = () => [
  ['GET', '/job-fairs'], ['POST', '/job-fairs'], ['GET', '/job-fairs/{id}'], ['PATCH', '/job-fairs/{id}'],
  ['GET', '/job-fairs/{id}/employers'], ['POST', '/job-fairs/{id}/employers'],
  ['GET', `/job-fairs/{id}/employers/${emp.id}`],
  ['GET', '/job-fairs/{id}/registrations'], ['POST', '/job-fairs/{id}/registrations'],
  ['GET', '/job-fairs/{id}/registrations/{code}'], ['GET', '/job-fairs/{id}/registrations/{code}/qr.svg'],
  ['POST', '/job-fairs/{id}/registrations/{code}/cancel'], ['POST', '/job-fairs/{id}/check-ins'],
  ['GET', '/job-fairs/{id}/placements'], ['POST', '/job-fairs/{id}/placements'],
];
const ids = ['0', '-1', '01', 'abc', '999999999999999999', '9999999999999999999999', '%00', '1;DROP'];
const codes = ['ABCD2345', 'abcd-2345', '--------', 'O0O0O0O0', 'x'.repeat(64), '_', '%20', '%00', 'ABCD 2345'];
const weird = [null, true, false, 0, -1, 1.5, 1e308, 9007199254740993, '', ' ', 'x'.repeat(3000),
  '😀'.repeat(60), "'; DROP TABLE job_fairs; --", [], [null], {}, { a: [] }, '2021-02-30',
  '2021-01-01T24:00', '2021-01-01T09:60', '2021-01-01T09:00+08:00x', '9999-12-31T23:59:59+08:00',
  '0001-01-01T00:00', '0001-01-01', '13800000000', '11010519491231002X', '100000000.01', '1e3',
  [{ title: 1, kind: [], headcount: '3' }], Array.from({ length: 60 }, () => ({}))];
const fields = ['title', 'kind', 'venue', 'starts_at', 'ends_at', 'seeker_capacity', 'status', 'unit_id',
  'name', 'credit_code', 'contact_name', 'contact_phone', 'caring', 'positions', 'phone', 'id_number',
  'hardship_family', 'wanted', 'code', 'registration_id', 'employer_id', 'position_id', 'placed_on'];
const queries = ['limit=0', 'limit=abc', 'cursor=!!!', 'cursor=MA', 'status=nope', 'kind=x', 'unit_id=abc',
  'unit_id=99999999999999999999', 'from=2021-02-30', 'from=2021-02-01&to=2021-01-01', 'q=%25',
  `q=${encodeURIComponent('张'.repeat(200))}`, '%zz=1&&&='];
const rawBodies = ['', 'null', '[]', '{', '{"a":1,"a":2}', '{"positions":[' + '{},'.repeat(600) + '{}]}'];

/* A valid body for each route, so that one odd field is all that is odd. */
function baseFor(path) {
  if (path.endsWith('/employers')) return employerBody();
  if (path.endsWith('/registrations')) return { name: '张三', phone: '13800000000', kind: 'student' };
  if (path.endsWith('/check-ins')) return { code: reg.code };
  if (path.endsWith('/placements')) {
    return { registration_id: reg.id, employer_id: emp.id, position_id: emp.positions[0].id, placed_on: '2031-02-20' };
  }
  return { title: '招聘会', kind: 'general', venue: '大厅', starts_at: '2031-02-20T09:00', ends_at: '2031-02-20T10:00', seeker_capacity: 3 };
}

/* Every 32 requests come from another loopback address, so that nginx's
 * limits per address let each hostile input reach the worker. */
function address(n) {
  const k = n >> 5;
  return `127.2.${(k >> 8) & 255}.${1 + (k & 127)}`;
}

async function expectNo5xx(method, path, opts, seen) {
  const res = await from(address(seen.n), method, path, { token, ...opts });
  seen.n++;
  if (res.status === 429) seen.limited++;
  assert.ok(res.status < 500, `${method} ${path} ${JSON.stringify(opts.body ?? opts.raw ?? '').slice(0, 120)} → ${show(res)}`);
  if (res.status >= 400 && res.status !== 429) {
    assert.match(res.headers.get('content-type') || '', /application\/problem\+json/, `${method} ${path}`);
  }
  return res;
}

test('hostile input to the fair routes never gets a 5xx and never stops the worker', { timeout: 600_000 }, async () => {
  const pidFile = join(SWN_VAR, 'run', 'worker.pid');
  const pid = readFileSync(pidFile, 'utf8').trim();
  const seen = { n: 0, limited: 0 };
  const at = (path, id = String(fair.id), code = reg.code) => path.replace('{id}', id).replace('{code}', code);
  for (const [method, path] of routes()) {
    for (const id of ids) await expectNo5xx(method, at(path, id), { headers: { 'If-Match': '"1"' } }, seen);
    if (path.includes('{code}')) {
      for (const c of codes) await expectNo5xx(method, at(path, String(fair.id), c), {}, seen);
    }
    for (const q of queries) await expectNo5xx(method, `${at(path)}?${q}`, {}, seen);
    if (method === 'GET') continue;
    for (const raw of rawBodies) await expectNo5xx(method, at(path), { raw, headers: { 'If-Match': '"1"' } }, seen);
    // A cancel reads no body; lookups by code are limited per address,
    // and other files running beside this one look codes up too.
    if (path.endsWith('/cancel')) continue;
    const signups = path.endsWith('/registrations');
    for (const f of fields) {
      for (const [i, v] of weird.entries()) {
        const id = signups ? String(signupFairs[i % signupFairs.length].id) : String(fair.id);
        await expectNo5xx(method, at(path, id), {
          body: { ...baseFor(path), [f]: v },
          headers: { 'If-Match': 'W/"1"', 'Idempotency-Key': `jf-rb-${seen.n}` },
        }, seen);
      }
    }
  }
  assert.ok(seen.n > 1500, `sent ${seen.n} requests`);
  assert.ok(seen.limited < seen.n / 20, `${seen.limited} of ${seen.n} were refused by a rate limit`);
  assert.equal(readFileSync(pidFile, 'utf8').trim(), pid, 'the same worker still runs');
  assert.equal((await api('GET', '/health')).status, 200);
  // Whatever was accepted, the fair never holds more than its places.
  for (const g of [fair, ...signupFairs]) {
    const f = (await api('GET', `/job-fairs/${g.id}`)).json;
    assert.ok(f.registered_count <= f.seeker_capacity, JSON.stringify(f));
  }
});
