// Request bodies: media type, size, strict JSON, validation problems
// (API.md Conventions; docs/conventions.md Problem documents).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_PASSWORD, adminToken, api, assertFieldErrors, assertProblem, login, seededUnits, show, uniq, url,
} from './lib.mjs';

let token;
let district;
before(async () => {
  token = await adminToken();
  district = (await seededUnits()).district;
});

const unitBody = () => ({ code: uniq('b'), name: '请求体测试', kind: 'direct', parent_id: district.id });

async function unitsWithCode(code) {
  const res = await api('GET', '/units');
  assert.equal(res.status, 200, show(res));
  return res.json.items.filter((u) => u.code === code);
}

test('415 for a body that is not application/json', async () => {
  const body = unitBody();
  for (const ct of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded',
    'application/jsonx']) {
    const res = await api('POST', '/units', {
      token, raw: JSON.stringify(body), headers: { 'Content-Type': ct },
    });
    assertProblem(res, 415, 'unsupported_media_type');
  }
  assert.equal((await unitsWithCode(body.code)).length, 0, 'nothing was created');
  // Anonymous too (login).
  const res = await api('POST', '/auth/login', {
    raw: JSON.stringify({ username: uniq('x'), password: 'whatever-123' }),
    headers: { 'Content-Type': 'text/plain' },
  });
  assertProblem(res, 415, 'unsupported_media_type');
});

test('application/json with a charset parameter is accepted', async () => {
  const body = unitBody();
  const res = await api('POST', '/units', {
    token, raw: JSON.stringify(body), headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
  assert.equal(res.status, 201, show(res));
});

test('a POST without a body needs no Content-Type (logout)', async () => {
  const t = await login('admin', ADMIN_PASSWORD);
  const res = await fetch(url('/auth/logout'), { method: 'POST', headers: { Authorization: `Bearer ${t}` } });
  assert.equal(res.status, 204, await res.text());
  assert.equal((await api('GET', '/me', { token: t })).status, 401);
});

test('413 for a body over 256 KiB (problem document payload_too_large)', async () => {
  const body = { ...unitBody(), name: 'x'.repeat(300 * 1024) };
  const res = await api('POST', '/units', { token, body });
  assertProblem(res, 413, 'payload_too_large');
  // Just over the limit.
  const raw = JSON.stringify({ ...unitBody(), name: '' });
  const pad = 256 * 1024 + 1 - raw.length;
  const over = JSON.stringify({ ...unitBody(), name: 'y'.repeat(pad) });
  assert.ok(Buffer.byteLength(over) > 256 * 1024);
  assertProblem(await api('POST', '/units', { token, raw: over }), 413, 'payload_too_large');
});

test('a chunked body (no Content-Length) is read; over 256 KiB it is 413', async () => {
  async function chunked(str) {
    const bytes = new TextEncoder().encode(str);
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < bytes.length; i += 16 * 1024) c.enqueue(bytes.slice(i, i + 16 * 1024));
        c.close();
      },
    });
    const res = await fetch(url('/units'), {
      method: 'POST', body: stream, duplex: 'half',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : null };
  }
  const body = unitBody();
  const ok = await chunked(JSON.stringify(body));
  assert.equal(ok.status, 201, show(ok));
  assert.equal(ok.json.code, body.code);
  const big = await chunked(JSON.stringify({ ...unitBody(), name: 'x'.repeat(300 * 1024) }));
  assertProblem(big, 413, 'payload_too_large');
});

test('a body of exactly 256 KiB is read (validation, not 413)', async () => {
  const base = { ...unitBody(), name: '' };
  const pad = 256 * 1024 - JSON.stringify(base).length;
  const raw = JSON.stringify({ ...base, name: 'z'.repeat(pad) });
  assert.equal(Buffer.byteLength(raw), 256 * 1024);
  const res = await api('POST', '/units', { token, raw });
  assertFieldErrors(res, [['name', 'too_long']]);
});

test('invalid JSON: 400 invalid_json', async () => {
  for (const raw of ['{"code":', '{code: "x"}', "{'code':'x'}", '   ', 'null x', '{"a":1,}', '{"a":01}']) {
    const res = await api('POST', '/units', { token, raw });
    assertProblem(res, 400, 'invalid_json');
  }
});

test('trailing data after the object: 400 invalid_json', async () => {
  const body = unitBody();
  const res = await api('POST', '/units', { token, raw: `${JSON.stringify(body)} x` });
  assertProblem(res, 400, 'invalid_json');
  const res2 = await api('POST', '/units', { token, raw: '{"a":1} x' });
  assertProblem(res2, 400, 'invalid_json');
  const res3 = await api('POST', '/units', { token, raw: `${JSON.stringify(body)}{}` });
  assertProblem(res3, 400, 'invalid_json');
  assert.equal((await unitsWithCode(body.code)).length, 0, 'nothing was created');
});

test('duplicate keys: 400 duplicate_key', async () => {
  const b = unitBody();
  const raw = `{"code":"${b.code}","name":"甲","name":"乙","kind":"direct","parent_id":${district.id}}`;
  assertProblem(await api('POST', '/units', { token, raw }), 400, 'duplicate_key');
  assert.equal((await unitsWithCode(b.code)).length, 0, 'nothing was created');
  const login = await api('POST', '/auth/login', {
    raw: '{"username":"admin","username":"admin","password":"x"}',
  });
  assertProblem(login, 400, 'duplicate_key');
});

// docs/conventions.md: invalid_json = "body is not one well-formed JSON
// object, or has trailing data".
test('a JSON scalar as the body: 400 invalid_json', async () => {
  for (const raw of ['"text"', '42', 'true', 'null']) {
    const res = await api('POST', '/units', { token, raw });
    assertProblem(res, 400, 'invalid_json');
  }
});

test('a top-level array: 400 invalid_json', async () => {
  const body = unitBody();
  for (const raw of ['[]', `[${JSON.stringify(body)}]`]) {
    const res = await api('POST', '/units', { token, raw });
    assertProblem(res, 400, 'invalid_json');
  }
  assert.equal((await unitsWithCode(body.code)).length, 0, 'nothing was created');
});

test('wrong types: 400 validation with the field path and code type', async () => {
  const res = await api('POST', '/users', {
    token,
    body: { username: uniq('ty'), password: 'long-enough-pw', display_name: '类型', role: 5, unit_id: district.id },
  });
  assertFieldErrors(res, [['role', 'type']], { exact: true });

  const res2 = await api('POST', '/units', {
    token, body: { code: 12, name: ['x'], kind: 'direct', parent_id: String(district.id) },
  });
  assertFieldErrors(res2, [['code', 'type'], ['name', 'type'], ['parent_id', 'type']], { exact: true });

  const res3 = await api('POST', '/users', {
    token,
    body: { username: uniq('ty'), password: 'long-enough-pw', display_name: '类型', role: 'staff', unit_id: 1.5 },
  });
  assertFieldErrors(res3, [['unit_id', 'type']], { exact: true });
});

test('unknown field: 400 unknown_field with its path', async () => {
  const b = { ...unitBody(), colour: 'red' };
  const res = await api('POST', '/units', { token, body: b });
  assertFieldErrors(res, [['colour', 'unknown_field']], { exact: true });
  assert.equal((await unitsWithCode(b.code)).length, 0, 'nothing was created');

  // A typo of a real field must not pass silently.
  const res2 = await api('POST', '/users', {
    token,
    body: { username: uniq('uf'), password: 'long-enough-pw', displayname: '拼错', display_name: '对', role: 'staff', unit_id: district.id },
  });
  assertFieldErrors(res2, [['displayname', 'unknown_field']], { exact: true });

  const res3 = await api('POST', '/auth/login', { body: { username: 'admin', password: 'x', remember: true } });
  assertFieldErrors(res3, [['remember', 'unknown_field']], { exact: true });
});

test('every invalid field is listed at once', async () => {
  const res = await api('POST', '/users', {
    token,
    body: {
      username: 'A B',
      password: 'short',
      display_name: '   ',
      role: 'king',
      unit_id: 'one',
      extra: 1,
    },
  });
  const errors = assertFieldErrors(res, [
    ['username', 'format'],
    ['password', 'too_short'],
    ['display_name', 'required'],
    ['role', 'enum'],
    ['unit_id', 'type'],
    ['extra', 'unknown_field'],
  ], { exact: true });
  assert.equal(errors.length, 6);
  // Messages are Chinese, for people.
  for (const e of errors) assert.match(e.message, /[\u4e00-\u9fff]/, e.message);
});

test('a missing body reports every required field by name', async () => {
  const res = await api('POST', '/units', { token });
  assertFieldErrors(res, [['code', 'required'], ['name', 'required'], ['kind', 'required'],
    ['parent_id', 'required']], { exact: true });
  const res2 = await api('POST', '/units', { token, body: {} });
  assertFieldErrors(res2, [['code', 'required'], ['name', 'required'], ['kind', 'required'],
    ['parent_id', 'required']], { exact: true });
});

test('null counts as missing', async () => {
  const res = await api('POST', '/units', { token, body: { ...unitBody(), name: null } });
  assertFieldErrors(res, [['name', 'required']], { exact: true });
});

test('bad input never yields 5xx', async () => {
  const bodies = [
    '{"code":"\\ud800","name":"x","kind":"direct","parent_id":1}',
    '{"code":"ok-code","name":"\\u0000","kind":"direct","parent_id":1}',
    `{"code":"${'c'.repeat(5000)}","name":"x","kind":"direct","parent_id":1}`,
    '{"code":"ok","name":"x","kind":"direct","parent_id":99999999999999999999999}',
    '{"code":"ok","name":"x","kind":"direct","parent_id":-1}',
    '{"code":"ok","name":"x","kind":"direct","parent_id":1e400}',
    '{"a":'.repeat(3000),
    Buffer.from([0xff, 0xfe]),
    Buffer.concat([Buffer.from('{"code":"ab'), Buffer.from([0xc3, 0x28]), Buffer.from('","name":"x","kind":"direct","parent_id":1}')]),
  ];
  for (const raw of bodies) {
    const res = await api('POST', '/units', { token, raw });
    assert.ok(res.status >= 400 && res.status < 500, `${String(raw).slice(0, 60)} → ${show(res)}`);
    assertProblem(res, res.status);
  }
});
