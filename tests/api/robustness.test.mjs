// Nothing a client can send makes the worker answer 5xx or die: every
// route gets hostile bodies, ids, headers and query strings, and must
// answer each with a 2xx or a 4xx problem document.  Afterwards the same
// worker process still serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SWN_VAR, api, adminToken, show } from './lib.mjs';
import { from } from './net_lib.mjs';

// Logout last: it ends the session every other route is called with.
const routes = [
  ['POST', '/auth/login'], ['GET', '/me'],
  ['GET', '/units'], ['POST', '/units'], ['GET', '/units/{id}'],
  ['GET', '/users'], ['POST', '/users'], ['GET', '/users/{id}'], ['PATCH', '/users/{id}'],
  ['POST', '/wage-cases'], ['GET', '/wage-cases'], ['GET', '/wage-cases/track'],
  ['GET', '/wage-cases/{id}'], ['PATCH', '/wage-cases/{id}'],
  ['POST', '/wage-cases/{id}/transitions'], ['POST', '/wage-cases/{id}/recoveries'],
  ['POST', '/auth/logout'],
];
const ids = ['1', '0', '-1', '01', 'abc', '999999999999999999', '9999999999999999999999', '%00', '1;DROP'];
const weird = [null, true, false, 0, -1, 1.5, 1e308, -0, 9007199254740993, '', ' ', '　', 'x'.repeat(3000),
  '😀'.repeat(60), "'; DROP TABLE users; --", '%', '\\', [], [null], {}, { a: { b: [] } }, '2021-02-30',
  '13800000000', '11010519491231002X', '100000000.01', '1e3'];
const fields = ['username', 'password', 'display_name', 'role', 'unit_id', 'disabled', 'code', 'name', 'kind',
  'parent_id', 'employer_name', 'employer_credit_code', 'industry', 'reporter', 'workers', 'to', 'note',
  'worker_id', 'amount', 'recovered_on', 'source', 'project_name', 'description', 'site_address'];
const base = {
  employer_name: '某公司', industry: 'other', unit_id: 1,
  reporter: { name: '甲', phone: '13800000000' },
  workers: [{ name: '乙', amount_owed: '1.00' }],
};
const rawBodies = ['', 'null', '[]', '"x"', '{', '{"a":1}}', '{"a":1,"a":2}', '[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]',
  '['.repeat(5000) + ']'.repeat(5000), '{"a":"\\u0000"}', '{"a":"\\ud800"}', '\xff\xfe', '{"workers":[' + '{},'.repeat(600) + '{}]}',
  JSON.stringify({ workers: Array.from({ length: 3 }, () => ({ name: 1, id_number: [], phone: {}, amount_owed: null })) })];
const queries = ['limit=0', 'limit=abc', 'limit=99999999999999999999', 'cursor=!!!', 'cursor=', 'cursor=MA',
  'unit_id=abc', 'unit_id=99999999999999999999', 'from=2021-02-30', 'to=x', 'from=2021-02-01&to=2021-01-01',
  'q=%25', 'q=' + encodeURIComponent('张'.repeat(200)), 'status=nope', 'industry=', 'reference=QX&code=',
  'reference=' + encodeURIComponent('张三') + '&code=abc', '%zz=1&&&=', 'q=%'];

function expand(path, id) {
  return path.replace('{id}', id);
}

/*
 * Every 32 requests come from another loopback address (127.0.0.0/8 is
 * this machine), so that nginx's limits per address (nginx-conf, "Limits
 * per address") let each hostile input reach the worker, as they would
 * from many phones.
 */
function address(n) {
  const k = n >> 5;
  return `127.1.${(k >> 8) & 255}.${1 + (k & 127)}`;
}

async function expectNo5xx(token, method, path, opts, seen) {
  const res = await from(address(seen.n), method, path, { token, ...opts });
  seen.n++;
  assert.ok(res.status < 500 || (res.status === 503 && res.json?.code === 'rate_limited') || res.status === 429,
    `${method} ${path} ${JSON.stringify(opts.body ?? opts.raw ?? '').slice(0, 120)} → ${show(res)}`);
  if (res.status >= 400 && res.status !== 429) {
    assert.match(res.headers.get('content-type') || '', /application\/problem\+json/, `${method} ${path}`);
  }
}

test('hostile input never gets a 5xx and never stops the worker', { timeout: 600_000 }, async () => {
  const token = await adminToken();
  const pidFile = join(SWN_VAR, 'run', 'worker.pid');
  const pid = readFileSync(pidFile, 'utf8').trim();
  const seen = { n: 0 };
  for (const [method, path] of routes) {
    for (const id of ids) {
      await expectNo5xx(token, method, expand(path, id), { headers: { 'If-Match': '"1"' } }, seen);
    }
    for (const q of queries) {
      await expectNo5xx(token, method, `${expand(path, '1')}?${q}`, {}, seen);
    }
    if (method === 'GET') continue;
    for (const raw of rawBodies) {
      await expectNo5xx(token, method, expand(path, '1'), { raw, headers: { 'If-Match': '"1"' } }, seen);
    }
    for (const f of fields) {
      for (const v of weird) {
        await expectNo5xx(token, method, expand(path, '1'),
          { body: { ...base, [f]: v }, headers: { 'If-Match': 'W/"1"', 'Idempotency-Key': `rb-${seen.n}` } }, seen);
      }
    }
  }
  for (const h of [{ 'If-Match': '"' }, { 'If-Match': 'W/' }, { 'Idempotency-Key': 'a b' },
    { 'Idempotency-Key': 'x'.repeat(256) }, { Authorization: 'Bearer ' + 'x'.repeat(5000) },
    { Authorization: 'Basic Zm9vOmJhcg==' }, { Cookie: 'sid=' }, { Cookie: 'sid=%00; sid=x' },
    { 'Content-Type': 'application/jsonx' }]) {
    await expectNo5xx(undefined, 'PATCH', '/users/1', { raw: '{}', headers: h }, seen);
  }
  assert.ok(seen.n > 2000, `sent ${seen.n} requests`);
  assert.equal(readFileSync(pidFile, 'utf8').trim(), pid, 'the same worker still runs');
  const health = await api('GET', '/health');
  assert.equal(health.status, 200);
});
