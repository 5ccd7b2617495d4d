// Idempotency-Key on POST (API.md Conventions; docs/conventions.md
// Idempotency), with POST /units and POST /users as the effect.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  adminToken, api, assertJson, assertProblem, createUser, seededUnits, show, uniq,
} from './lib.mjs';

let token;
let district;
before(async () => {
  token = await adminToken();
  district = (await seededUnits()).district;
});

const unitBody = (over = {}) => ({
  code: uniq('i'), name: '幂等测试', kind: 'direct', parent_id: district.id, ...over,
});
const key = () => `test-${randomUUID()}`;

async function unitsWithCode(code) {
  const res = await api('GET', '/units');
  assert.equal(res.status, 200, show(res));
  return res.json.items.filter((u) => u.code === code);
}

test('same key and body: the same answer byte for byte, replayed, one record', async () => {
  const k = key();
  const body = unitBody();
  const first = await api('POST', '/units', { token, body, headers: { 'Idempotency-Key': k } });
  assertJson(first, 201);
  assert.equal(first.headers.get('idempotent-replayed'), null, 'the first answer is not a replay');

  const second = await api('POST', '/units', { token, body, headers: { 'Idempotency-Key': k } });
  assert.equal(second.status, 201, show(second));
  assert.equal(second.text, first.text, 'identical body bytes');
  assert.equal(second.headers.get('idempotent-replayed'), 'true');
  assert.equal(second.headers.get('content-type'), first.headers.get('content-type'));
  assert.equal(second.headers.get('location'), first.headers.get('location'));

  const third = await api('POST', '/units', { token, body, headers: { 'Idempotency-Key': k } });
  assert.equal(third.status, 201);
  assert.equal(third.text, first.text);
  assert.equal(third.headers.get('idempotent-replayed'), 'true');

  assert.equal((await unitsWithCode(body.code)).length, 1, 'exactly one record');
});

test('replay of POST /users keeps Location and ETag; one user', async () => {
  const k = key();
  const body = { username: uniq('idu'), password: 'a-long-password', display_name: '幂等用户', role: 'staff', unit_id: district.id };
  const first = await api('POST', '/users', { token, body, headers: { 'Idempotency-Key': k } });
  assert.equal(first.status, 201, show(first));
  const second = await api('POST', '/users', { token, body, headers: { 'Idempotency-Key': k } });
  assert.equal(second.status, 201, show(second));
  assert.equal(second.text, first.text);
  assert.equal(second.headers.get('idempotent-replayed'), 'true');
  assert.equal(second.headers.get('location'), first.headers.get('location'));
  assert.equal(second.headers.get('etag'), first.headers.get('etag'));
  // Without the key the same body is a second attempt: the name is taken.
  assertProblem(await api('POST', '/users', { token, body }), 409, 'username_taken');
});

test('same key, another body: 422 idempotency_mismatch', async () => {
  const k = key();
  const body = unitBody();
  assert.equal((await api('POST', '/units', { token, body, headers: { 'Idempotency-Key': k } })).status, 201);
  const other = unitBody();
  const res = await api('POST', '/units', { token, body: other, headers: { 'Idempotency-Key': k } });
  assertProblem(res, 422, 'idempotency_mismatch');
  assert.equal((await unitsWithCode(other.code)).length, 0, 'the other body created nothing');
  // Another path with the same key is another request too.
  const res2 = await api('POST', '/users', {
    token, headers: { 'Idempotency-Key': k },
    body: { username: uniq('idm'), password: 'a-long-password', display_name: '甲', role: 'staff', unit_id: district.id },
  });
  assertProblem(res2, 422, 'idempotency_mismatch');
});

test('10 concurrent requests with one key: one record, one answer', async () => {
  const k = key();
  const body = unitBody();
  const answers = await Promise.all(Array.from({ length: 10 }, () =>
    api('POST', '/units', { token, body, headers: { 'Idempotency-Key': k } })));
  const created = answers.filter((a) => a.status === 201);
  assert.ok(created.length >= 1, `someone succeeded: ${answers.map((a) => a.status)}`);
  const fresh = created.filter((a) => a.headers.get('idempotent-replayed') !== 'true');
  assert.equal(fresh.length, 1, 'exactly one answer is not a replay');
  for (const a of answers) {
    if (a.status === 201) {
      assert.equal(a.text, fresh[0].text, 'every 201 is the same answer');
    } else {
      assertProblem(a, 409, 'idempotency_in_flight');
    }
  }
  const units = await unitsWithCode(body.code);
  assert.equal(units.length, 1, 'exactly one record');
  assert.equal(units[0].id, fresh[0].json.id);
  // Afterwards the answer is replayed.
  const later = await api('POST', '/units', { token, body, headers: { 'Idempotency-Key': k } });
  assert.equal(later.status, 201);
  assert.equal(later.text, fresh[0].text);
  assert.equal(later.headers.get('idempotent-replayed'), 'true');
});

test('Idempotency-Key: 1–255 printable ASCII, else 400 invalid_header', async () => {
  const long = 'k'.repeat(256);
  const body = unitBody();
  const res = await api('POST', '/units', { token, body, headers: { 'Idempotency-Key': long } });
  assertProblem(res, 400, 'invalid_header');
  for (const bad of ['a b', 'tab\there', 'caf\u00e9']) {
    const r = await api('POST', '/units', {
      token, body, headers: { 'Idempotency-Key': bad },
    });
    assertProblem(r, 400, 'invalid_header');
  }
  assert.equal((await unitsWithCode(body.code)).length, 0, 'nothing was created');

  const max = `${'m'.repeat(255 - 36)}${randomUUID()}`;
  assert.equal(max.length, 255);
  const ok = await api('POST', '/units', { token, body, headers: { 'Idempotency-Key': max } });
  assert.equal(ok.status, 201, show(ok));
  const again = await api('POST', '/units', { token, body, headers: { 'Idempotency-Key': max } });
  assert.equal(again.status, 201, show(again));
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  const one = await api('POST', '/units', {
    token, body: unitBody(), headers: { 'Idempotency-Key': `!${randomUUID().slice(0, 8)}~` },
  });
  assert.equal(one.status, 201, show(one));
});

test('keys are scoped per caller: two admins, one key, two records', async () => {
  const second = await createUser({ role: 'admin' }, { signIn: true });
  const k = key();
  const a = unitBody({ name: '管理员甲的单位' });
  const b = unitBody({ name: '管理员乙的单位' });
  const ra = await api('POST', '/units', { token, body: a, headers: { 'Idempotency-Key': k } });
  assert.equal(ra.status, 201, show(ra));
  const rb = await api('POST', '/units', { token: second.token, body: b, headers: { 'Idempotency-Key': k } });
  assert.equal(rb.status, 201, show(rb));
  assert.equal(rb.headers.get('idempotent-replayed'), null, 'not a replay of the other admin\'s answer');
  assert.notEqual(rb.json.id, ra.json.id);
  assert.equal((await unitsWithCode(a.code)).length, 1);
  assert.equal((await unitsWithCode(b.code)).length, 1);
  // And each admin's replay is their own.
  const rb2 = await api('POST', '/units', { token: second.token, body: b, headers: { 'Idempotency-Key': k } });
  assert.equal(rb2.text, rb.text);
  assert.equal(rb2.headers.get('idempotent-replayed'), 'true');
  const ra2 = await api('POST', '/units', { token, body: a, headers: { 'Idempotency-Key': k } });
  assert.equal(ra2.text, ra.text);
});

test('a failed request is not stored: the same key runs again', async () => {
  const k = key();
  const bad = unitBody({ parent_id: 999999999 });
  const r1 = await api('POST', '/units', { token, body: bad, headers: { 'Idempotency-Key': k } });
  assertProblem(r1, 400, 'validation');
  const r2 = await api('POST', '/units', { token, body: bad, headers: { 'Idempotency-Key': k } });
  assertProblem(r2, 400, 'validation');
  assert.equal(r2.headers.get('idempotent-replayed'), null);
  // Corrected, with the same key: created (not 422).
  const good = unitBody();
  const r3 = await api('POST', '/units', { token, body: good, headers: { 'Idempotency-Key': k } });
  assert.equal(r3.status, 201, show(r3));
  assert.equal((await unitsWithCode(good.code)).length, 1);
});

test('no replay to a caller whose role changed since: 409, and still one record', async () => {
  const admin = await adminToken();
  const { district } = await seededUnits();
  const u = await createUser({ role: 'staff', unit_id: district.id }, { signIn: true });
  const key = `rights-${Date.now()}`;
  const body = {
    employer_name: '权限变更测试企业', industry: 'services',
    reporter: { name: '张三', phone: '13812345678' },
    workers: [{ name: '李四', id_number: '320402198001010119', amount_owed: 10 }],
  };
  const first = await api('POST', '/wage-cases', { token: u.token, body, headers: { 'Idempotency-Key': key } });
  assert.equal(first.status, 201, show(first));
  assert.equal(first.json.workers[0].id_number, '320402198001010119', 'staff saw it in full');
  const again = await api('POST', '/wage-cases', { token: u.token, body, headers: { 'Idempotency-Key': key } });
  assert.equal(again.text, first.text, 'replayed while nothing changed');
  const patched = await api('PATCH', `/users/${u.user.id}`, {
    token: admin, body: { role: 'volunteer' }, headers: { 'If-Match': u.etag },
  });
  assert.equal(patched.status, 200, show(patched));
  const after = await api('POST', '/wage-cases', { token: u.token, body, headers: { 'Idempotency-Key': key } });
  assertProblem(after, 409, 'idempotency_rights_changed');
  assert.ok(!after.text.includes('320402198001010119'), 'nothing of the stored answer');
  const list = await api('GET', `/wage-cases?q=${encodeURIComponent('权限变更测试企业')}`, { token: admin });
  assert.deepEqual(list.json.items.map((c) => c.id).filter((id) => id >= first.json.id), [first.json.id],
    'one record');
});
