// /users: admin only; creation rules, pagination, PATCH with If-Match,
// disabling (API.md Auth, users, units; Conventions: lists, concurrency).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminToken, api, assertFieldErrors, assertJson, assertProblem, createUser, login, loginRes,
  seededUnits, show, uniq,
} from './lib.mjs';

let token;
let town;
before(async () => {
  token = await adminToken();
  const s = await seededUnits();
  town = s.children['横林镇'];
});

const RFC3339_CST = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$/;

function newUser(over = {}) {
  return {
    username: uniq('usr'),
    password: 'a-long-password',
    display_name: '新用户',
    role: 'staff',
    unit_id: town.id,
    ...over,
  };
}

test('only admins manage users: volunteer and staff 403, anonymous 401', async () => {
  const vol = await createUser({ role: 'volunteer' }, { signIn: true });
  const staff = await createUser({ role: 'staff' }, { signIn: true });
  for (const t of [vol.token, staff.token]) {
    assertProblem(await api('GET', '/users', { token: t }), 403, 'forbidden');
    assertProblem(await api('GET', `/users/${vol.user.id}`, { token: t }), 403, 'forbidden');
    const body = newUser();
    assertProblem(await api('POST', '/users', { token: t, body }), 403, 'forbidden');
    assertProblem(await api('PATCH', `/users/${staff.user.id}`, {
      token: t, body: { role: 'admin' }, headers: { 'If-Match': '"1"' },
    }), 403, 'forbidden');
    assertProblem(await loginRes(body.username, body.password), 401);
  }
  assertProblem(await api('GET', '/users'), 401, 'unauthenticated');
  assertProblem(await api('GET', `/users/${vol.user.id}`), 401, 'unauthenticated');
  assertProblem(await api('POST', '/users', { body: newUser() }), 401, 'unauthenticated');
  assertProblem(await api('PATCH', `/users/${vol.user.id}`, { body: { disabled: true } }), 401, 'unauthenticated');
  // The staff member was not promoted.
  const me = await api('GET', '/me', { token: staff.token });
  assert.equal(me.json.role, 'staff');
});

test('POST /users: 201 with Location and ETag; the record reads back', async () => {
  const body = newUser({ display_name: '王小明', role: 'volunteer' });
  const res = await api('POST', '/users', { token, body });
  const u = assertJson(res, 201);
  assert.equal(typeof u.id, 'number');
  assert.equal(res.headers.get('location'), `/api/v1/users/${u.id}`);
  assert.equal(res.headers.get('etag'), `"${u.version}"`);
  assert.equal(u.version, 1);
  assert.equal(u.username, body.username);
  assert.equal(u.display_name, '王小明');
  assert.equal(u.role, 'volunteer');
  assert.equal(u.unit_id, town.id);
  assert.equal(u.disabled, false);
  assert.match(u.created_at, RFC3339_CST);
  assert.ok(Math.abs(Date.parse(u.created_at) - Date.now()) < 5 * 60 * 1000,
    `created_at ${u.created_at} is now (in +08:00)`);
  assert.ok(!('password' in u) && !('password_hash' in u), 'no password in the answer');

  const got = await api('GET', res.headers.get('location'), { token });
  assert.deepEqual(assertJson(got, 200), u);
  assert.equal(got.headers.get('etag'), '"1"');

  // The new user can sign in, and is who the admin said.
  const t = await login(body.username, body.password);
  const me = await api('GET', '/me', { token: t });
  assert.deepEqual(me.json, {
    id: u.id, username: body.username, display_name: '王小明', role: 'volunteer', unit_id: town.id,
  });
});

test('username rules: ^[a-z0-9_.-]{3,32}$', async () => {
  const bad = [
    ['AB', undefined],
    ['ab', 'too_short'],
    ['a b', 'format'],
    ['Abc', 'format'],
    ['abc!', 'format'],
    ['张三丰', 'format'],
    ['a'.repeat(33), 'too_long'],
  ];
  for (const [username, code] of bad) {
    const res = await api('POST', '/users', { token, body: newUser({ username }) });
    assertFieldErrors(res, [['username', code]], { exact: true });
  }
  for (const username of [uniq('ok').slice(0, 32), `${uniq('x')}_.-`.slice(-32), 'a'.repeat(32 - 8) + uniq('').slice(-8)]) {
    const res = await api('POST', '/users', { token, body: newUser({ username }) });
    assert.equal(res.status, 201, `${username}: ${show(res)}`);
    assert.equal(res.json.username, username);
  }
});

test('password of fewer than 10 characters: 400 field password', async () => {
  const res = await api('POST', '/users', { token, body: newUser({ password: '123456789' }) });
  assertFieldErrors(res, [['password', 'too_short']], { exact: true });
  // Ten characters are enough, counted as characters.
  const ok = await api('POST', '/users', { token, body: newUser({ password: '密码密码密码密码密码' }) });
  assert.equal(ok.status, 201, show(ok));
  await login(ok.json.username, '密码密码密码密码密码');
});

test('unknown unit_id: 400 field unit_id code unknown', async () => {
  const res = await api('POST', '/users', { token, body: newUser({ unit_id: 999999999 }) });
  assertFieldErrors(res, [['unit_id', 'unknown']], { exact: true });
});

test('required fields and role enum', async () => {
  const res = await api('POST', '/users', { token, body: {} });
  assertFieldErrors(res, [['username', 'required'], ['password', 'required'], ['display_name', 'required'],
    ['role', 'required'], ['unit_id', 'required']], { exact: true });
  const res2 = await api('POST', '/users', { token, body: newUser({ role: 'superuser' }) });
  assertFieldErrors(res2, [['role', 'enum']], { exact: true });
});

test('duplicate username: 409 username_taken', async () => {
  const body = newUser();
  assert.equal((await api('POST', '/users', { token, body })).status, 201);
  const again = await api('POST', '/users', { token, body: { ...body, display_name: '另一个人', password: 'another-password' } });
  assertProblem(again, 409, 'username_taken');
  // The first one is unchanged: the first password still works.
  await login(body.username, body.password);
});

test('GET /users: keyset pages, newest first, no duplicates', async () => {
  const mine = [];
  for (let i = 0; i < 3; i++) mine.push((await createUser({ display_name: `翻页${i}` })).user);

  const first = await api('GET', '/users?limit=1', { token });
  const page = assertJson(first, 200);
  assert.equal(page.items.length, 1);
  assert.equal(typeof page.next_cursor, 'string');
  assert.ok(page.next_cursor.length > 0);

  // Walk page by page until all three of ours were seen; other files insert
  // users meanwhile, which only ever land in front of the walk.
  const seen = [];
  let cursor = null;
  for (let i = 0; i < 2000; i++) {
    const q = `/users?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await api('GET', q, { token });
    assert.equal(res.status, 200, show(res));
    assert.ok(res.json.items.length <= 1);
    seen.push(...res.json.items);
    if (mine.every((m) => seen.some((s) => s.id === m.id))) break;
    cursor = res.json.next_cursor;
    assert.ok(cursor, 'our users come before the end of the list');
  }
  const ids = seen.map((u) => u.id);
  assert.equal(new Set(ids).size, ids.length, 'no duplicates across pages');
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i] < ids[i - 1], `newest first: ${ids}`);
  const order = seen.filter((s) => mine.some((m) => m.id === s.id)).map((s) => s.id);
  assert.deepEqual(order, mine.map((m) => m.id).reverse(), 'newest first');
  const item = seen.find((s) => s.id === mine[1].id);
  assert.equal(item.display_name, '翻页1');
  assert.equal(item.role, 'volunteer');

  // The last page says so.
  const all = [];
  cursor = null;
  for (let i = 0; i < 1000; i++) {
    const res = await api('GET', `/users?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    assert.equal(res.status, 200, show(res));
    assert.ok(res.json.items.length <= 200);
    all.push(...res.json.items);
    cursor = res.json.next_cursor;
    if (cursor === null) break;
  }
  assert.equal(cursor, null);
  assert.equal(new Set(all.map((u) => u.id)).size, all.length);
  assert.ok(all.some((u) => u.username === 'admin'), 'admin is on the last pages');
  for (const m of mine) assert.ok(all.some((u) => u.id === m.id));
});

test('GET /users: default limit 50', async () => {
  const res = await api('GET', '/users', { token });
  const page = assertJson(res, 200);
  assert.ok(page.items.length <= 50);
  if (page.next_cursor !== null) assert.equal(page.items.length, 50);
});

test('GET /users: bad limit or cursor → 400 naming the parameter', async () => {
  for (const limit of ['0', '201', '-1', 'abc', '']) {
    const res = await api('GET', `/users?limit=${limit}`, { token });
    assertFieldErrors(res, [['limit']], { exact: true });
  }
  assert.equal((await api('GET', '/users?limit=200', { token })).status, 200);
  const res = await api('GET', '/users?cursor=not-a-cursor!', { token });
  assertFieldErrors(res, [['cursor']], { exact: true });
});

test('PATCH /users/{id}: If-Match required (428), stale (412), right (200, ETag+1)', async () => {
  const u = await createUser({ role: 'volunteer', display_name: '改前' });
  const id = u.user.id;
  assert.equal(u.etag, '"1"');

  const none = await api('PATCH', `/users/${id}`, { token, body: { display_name: '无条件' } });
  assertProblem(none, 428, 'precondition_required');

  const ok = await api('PATCH', `/users/${id}`, {
    token, body: { display_name: '改后', role: 'staff', unit_id: town.id }, headers: { 'If-Match': '"1"' },
  });
  const after = assertJson(ok, 200);
  assert.equal(ok.headers.get('etag'), '"2"');
  assert.equal(after.version, 2);
  assert.equal(after.display_name, '改后');
  assert.equal(after.role, 'staff');
  assert.equal(after.unit_id, town.id);
  assert.equal(after.username, u.username);

  const stale = await api('PATCH', `/users/${id}`, { token, body: { display_name: '过期' }, headers: { 'If-Match': '"1"' } });
  assertProblem(stale, 412, 'precondition_failed');

  const got = await api('GET', `/users/${id}`, { token });
  assert.equal(got.headers.get('etag'), '"2"');
  assert.equal(got.json.display_name, '改后', 'the refused PATCHes changed nothing');
  assert.equal(got.json.role, 'staff');

  const ok2 = await api('PATCH', `/users/${id}`, { token, body: { display_name: '再改' }, headers: { 'If-Match': '"2"' } });
  assert.equal(ok2.status, 200, show(ok2));
  assert.equal(ok2.headers.get('etag'), '"3"');
  assert.equal(ok2.json.version, 3);
  assert.equal(ok2.json.role, 'staff', 'fields not sent keep their value');

  // The user's own view follows.
  const t = await login(u.username, u.password);
  const me = await api('GET', '/me', { token: t });
  assert.equal(me.json.display_name, '再改');
  assert.equal(me.json.role, 'staff');
});

test('PATCH: a malformed If-Match is 400 invalid_header', async () => {
  const u = await createUser();
  for (const bad of ['abc', '"x1"', '1,2']) {
    const res = await api('PATCH', `/users/${u.user.id}`, { token, body: { display_name: '坏' }, headers: { 'If-Match': bad } });
    assertProblem(res, 400, 'invalid_header');
  }
  const got = await api('GET', `/users/${u.user.id}`, { token });
  assert.equal(got.json.version, 1);
  assert.notEqual(got.json.display_name, '坏');
});

test('PATCH: of concurrent updates with one If-Match exactly one wins', async () => {
  const u = await createUser({ display_name: '并发' });
  const answers = await Promise.all(Array.from({ length: 6 }, (_, i) =>
    api('PATCH', `/users/${u.user.id}`, { token, body: { display_name: `并发${i}` }, headers: { 'If-Match': '"1"' } })));
  const won = answers.filter((a) => a.status === 200);
  assert.equal(won.length, 1, answers.map((a) => a.status).join(' '));
  for (const a of answers) if (a.status !== 200) assertProblem(a, 412, 'precondition_failed');
  const got = await api('GET', `/users/${u.user.id}`, { token });
  assert.equal(got.json.version, 2);
  assert.equal(got.json.display_name, won[0].json.display_name);
  assert.equal(got.headers.get('etag'), '"2"');
});

test('PATCH validation: unknown unit, bad role, username is fixed, empty change', async () => {
  const u = await createUser();
  const id = u.user.id;
  const h = { 'If-Match': '"1"' };
  assertFieldErrors(await api('PATCH', `/users/${id}`, { token, body: { unit_id: 999999999 }, headers: h }),
    [['unit_id', 'unknown']], { exact: true });
  assertFieldErrors(await api('PATCH', `/users/${id}`, { token, body: { role: 'root' }, headers: h }),
    [['role', 'enum']], { exact: true });
  assertFieldErrors(await api('PATCH', `/users/${id}`, { token, body: { username: uniq('ren') }, headers: h }),
    [['username', 'unknown_field']], { exact: true });
  assertFieldErrors(await api('PATCH', `/users/${id}`, { token, body: { password: 'short' }, headers: h }),
    [['password', 'too_short']], { exact: true });
  assertFieldErrors(await api('PATCH', `/users/${id}`, { token, body: { disabled: 'yes' }, headers: h }),
    [['disabled', 'type']], { exact: true });
  const empty = await api('PATCH', `/users/${id}`, { token, body: {}, headers: h });
  assertProblem(empty, 400);
  const got = await api('GET', `/users/${id}`, { token });
  assert.equal(got.json.version, 1, 'nothing changed');
  assertProblem(await api('PATCH', '/users/999999999', { token, body: { display_name: 'x' }, headers: h }),
    404, 'not_found');
});

test('PATCH password: the new one signs in, the old one does not', async () => {
  const u = await createUser();
  const res = await api('PATCH', `/users/${u.user.id}`, {
    token, body: { password: 'brand-new-password' }, headers: { 'If-Match': '"1"' },
  });
  assert.equal(res.status, 200, show(res));
  assert.ok(!('password' in res.json));
  assertProblem(await loginRes(u.username, u.password), 401);
  await login(u.username, 'brand-new-password');
});

test('disabling a user ends their sessions and refuses their login', async () => {
  const u = await createUser({ role: 'staff' });
  const t = await login(u.username, u.password);
  assert.equal((await api('GET', '/me', { token: t })).status, 200);

  const res = await api('PATCH', `/users/${u.user.id}`, {
    token, body: { disabled: true }, headers: { 'If-Match': u.etag },
  });
  assert.equal(res.status, 200, show(res));
  assert.equal(res.json.disabled, true);

  assertProblem(await api('GET', '/me', { token: t }), 401, 'unauthenticated');
  assertProblem(await api('GET', '/me', { cookie: t }), 401, 'unauthenticated');
  const denied = await loginRes(u.username, u.password);
  const wrong = await loginRes(uniq('nobody'), u.password);
  assertProblem(denied, 401);
  assert.equal(denied.text, wrong.text, 'the same 401 as a wrong password');

  // Enabled again: the user can sign in again.
  const back = await api('PATCH', `/users/${u.user.id}`, {
    token, body: { disabled: false }, headers: { 'If-Match': res.headers.get('etag') },
  });
  assert.equal(back.status, 200, show(back));
  assert.equal(back.json.disabled, false);
  await login(u.username, u.password);
});

test('an admin cannot disable themselves: 409', async () => {
  // A second admin of our own, so a misbehaving server cannot lock out the
  // `admin` every other file uses.
  const a = await createUser({ role: 'admin' }, { signIn: true });
  const res = await api('PATCH', `/users/${a.user.id}`, {
    token: a.token, body: { disabled: true }, headers: { 'If-Match': a.etag },
  });
  assertProblem(res, 409);
  const demote = await api('PATCH', `/users/${a.user.id}`, {
    token: a.token, body: { role: 'staff' }, headers: { 'If-Match': a.etag },
  });
  assertProblem(demote, 409);
  const me = await api('GET', '/me', { token: a.token });
  assert.equal(me.status, 200, 'still signed in');
  assert.equal(me.json.role, 'admin');
  const got = await api('GET', `/users/${a.user.id}`, { token: a.token });
  assert.equal(got.json.disabled, false);
  assert.equal(got.json.version, 1);
  // Another admin may disable them.
  const other = await api('PATCH', `/users/${a.user.id}`, {
    token, body: { disabled: true }, headers: { 'If-Match': a.etag },
  });
  assert.equal(other.status, 200, show(other));
  assertProblem(await api('GET', '/me', { token: a.token }), 401, 'unauthenticated');
});

test('role changes take effect at once', async () => {
  const u = await createUser({ role: 'staff' }, { signIn: true });
  assertProblem(await api('GET', '/users?limit=1', { token: u.token }), 403, 'forbidden');
  const res = await api('PATCH', `/users/${u.user.id}`, {
    token, body: { role: 'admin' }, headers: { 'If-Match': u.etag },
  });
  assert.equal(res.status, 200, show(res));
  assert.equal((await api('GET', '/users?limit=1', { token: u.token })).status, 200);
  assert.equal((await api('GET', '/me', { token: u.token })).json.role, 'admin');
});
