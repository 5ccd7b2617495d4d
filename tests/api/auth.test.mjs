// Sign-in, sessions, CSRF and lockout (API.md Auth; docs/conventions.md
// Authentication details).  Never fails a login for `admin`: five failures
// would lock the account every other file signs in with.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_PASSWORD, adminToken, api, assertJson, assertProblem, createUser, login, loginRes,
  seededUnits, show, uniq,
} from './lib.mjs';

let district;
before(async () => {
  await adminToken();
  district = (await seededUnits()).district;
});

const RFC3339_CST = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$/;

test('login: 200 {token, expires_at, user} and the sid cookie', async () => {
  const u = await createUser({ role: 'staff', display_name: '登录测试' });
  const t0 = Date.now();
  const res = await loginRes(u.username, u.password);
  const body = assertJson(res, 200);
  assert.deepEqual(Object.keys(body).sort(), ['expires_at', 'token', 'user']);
  assert.match(body.token, /^[A-Za-z0-9_-]{43,}$/, 'a base64url token of at least 256 bits');
  assert.match(body.expires_at, RFC3339_CST);
  const exp = Date.parse(body.expires_at);
  const twelveH = 12 * 3600 * 1000;
  assert.ok(Math.abs(exp - (t0 + twelveH)) < 5 * 60 * 1000,
    `expires_at ${body.expires_at} is about 12 h from now`);
  assert.deepEqual(body.user, {
    id: u.user.id, username: u.username, display_name: '登录测试', role: 'staff', unit_id: district.id,
  });

  const cookie = res.headers.get('set-cookie') || '';
  assert.ok(cookie.startsWith(`sid=${body.token};`) || cookie === `sid=${body.token}`,
    `Set-Cookie carries the token: ${cookie}`);
  const attrs = cookie.split(';').map((s) => s.trim().toLowerCase());
  assert.ok(attrs.includes('httponly'), cookie);
  assert.ok(attrs.includes('samesite=strict'), cookie);
  assert.ok(attrs.includes('path=/'), cookie);
});

test('admin signs in with ADMIN_PASSWORD', async () => {
  const res = await loginRes('admin', ADMIN_PASSWORD);
  const body = assertJson(res, 200);
  assert.equal(body.user.username, 'admin');
  assert.equal(body.user.role, 'admin');
  assert.equal(body.user.unit_id, district.id);
});

test('wrong password and unknown user: the same 401', async () => {
  const u = await createUser();
  const wrong = await loginRes(u.username, 'not-the-password');
  const unknown = await loginRes(uniq('nobody'), 'not-the-password');
  const p = assertProblem(wrong, 401);
  assertProblem(unknown, 401);
  assert.equal(p.code, unknown.json.code);
  assert.equal(wrong.text, unknown.text, 'identical bodies');
  assert.equal(wrong.headers.get('content-type'), unknown.headers.get('content-type'));
  assert.equal(wrong.headers.get('set-cookie'), null, 'no cookie on failure');
  assert.equal(unknown.headers.get('set-cookie'), null, 'no cookie on failure');
  assert.ok(!('token' in wrong.json));
  // The right password still works (one failure locks nothing).
  await login(u.username, u.password);
});

test('login validation: both fields required', async () => {
  const res = await api('POST', '/auth/login', { body: {} });
  const p = assertProblem(res, 400, 'validation');
  const fields = p.errors.map((e) => `${e.field}/${e.code}`).sort();
  assert.deepEqual(fields, ['password/required', 'username/required']);
});

test('GET /me with the bearer token and with the cookie', async () => {
  const u = await createUser({ role: 'volunteer', display_name: '我是谁' });
  const token = await login(u.username, u.password);
  const expected = {
    id: u.user.id, username: u.username, display_name: '我是谁', role: 'volunteer', unit_id: district.id,
  };
  const byBearer = await api('GET', '/me', { token });
  assert.deepEqual(assertJson(byBearer, 200), expected);
  const byCookie = await api('GET', '/me', { cookie: token });
  assert.deepEqual(assertJson(byCookie, 200), expected);
});

test('GET /me without a session, or with a bad one: 401 unauthenticated', async () => {
  assertProblem(await api('GET', '/me'), 401, 'unauthenticated');
  assertProblem(await api('GET', '/me', { token: 'x'.repeat(43) }), 401, 'unauthenticated');
  assertProblem(await api('GET', '/me', { cookie: 'y'.repeat(43) }), 401, 'unauthenticated');
  assertProblem(await api('GET', '/me', { headers: { Authorization: 'Basic YWRtaW46YWRtaW4=' } }),
    401, 'unauthenticated');
});

test('logout: 204, then the token no longer works', async () => {
  const u = await createUser();
  const token = await login(u.username, u.password);
  const other = await login(u.username, u.password);
  assert.equal((await api('GET', '/me', { token })).status, 200);
  const res = await api('POST', '/auth/logout', { token });
  assert.equal(res.status, 204, show(res));
  assert.equal(res.text, '');
  const gone = await api('GET', '/me', { token });
  assertProblem(gone, 401, 'unauthenticated');
  assertProblem(await api('GET', '/me', { cookie: token }), 401, 'unauthenticated');
  // Only that session ended.
  assert.equal((await api('GET', '/me', { token: other })).status, 200);
  // Logging out again is not signed in.
  assertProblem(await api('POST', '/auth/logout', { token }), 401, 'unauthenticated');
});

test('logout by cookie clears the cookie', async () => {
  const u = await createUser();
  const token = await login(u.username, u.password);
  const res = await api('POST', '/auth/logout', { cookie: token, headers: { 'X-Requested-With': 'fetch' } });
  assert.equal(res.status, 204, show(res));
  const cookie = res.headers.get('set-cookie') || '';
  assert.match(cookie, /^sid=;|^sid=(;|$)/i, `the sid cookie is cleared: ${cookie}`);
  assert.match(cookie, /max-age=0|expires=/i, cookie);
  assertProblem(await api('GET', '/me', { cookie: token }), 401, 'unauthenticated');
});

test('CSRF: a cookie-authenticated write needs X-Requested-With', async () => {
  const token = await adminToken();
  const code = uniq('csrf');
  const body = { code, name: 'CSRF 测试', kind: 'direct', parent_id: district.id };

  const denied = await api('POST', '/units', { cookie: token, body });
  assertProblem(denied, 403, 'csrf');
  const empty = await api('POST', '/units', { cookie: token, body, headers: { 'X-Requested-With': '' } });
  assertProblem(empty, 403, 'csrf');
  let units = (await api('GET', '/units')).json.items.filter((x) => x.code === code);
  assert.equal(units.length, 0, 'the refused request created nothing');

  // A cookie-authenticated GET needs no header.
  assert.equal((await api('GET', '/users?limit=1', { cookie: token })).status, 200);

  const ok = await api('POST', '/units', { cookie: token, body, headers: { 'X-Requested-With': 'fetch' } });
  assert.equal(ok.status, 201, show(ok));
  units = (await api('GET', '/units')).json.items.filter((x) => x.code === code);
  assert.equal(units.length, 1);

  // PATCH and logout follow the same rule.
  const u = await createUser();
  const patch = await api('PATCH', `/users/${u.user.id}`, {
    cookie: token, body: { display_name: '改名' }, headers: { 'If-Match': u.etag },
  });
  assertProblem(patch, 403, 'csrf');
  const s = await login(u.username, u.password);
  assertProblem(await api('POST', '/auth/logout', { cookie: s }), 403, 'csrf');
  assert.equal((await api('GET', '/me', { token: s })).status, 200, 'the session survived');
});

test('CSRF: a bearer-authenticated write needs no such header', async () => {
  const token = await adminToken();
  const res = await api('POST', '/units', {
    token, body: { code: uniq('bear'), name: '持令牌', kind: 'direct', parent_id: district.id },
  });
  assert.equal(res.status, 201, show(res));
});

test('lockout: 5 failures lock the username, even for the right password', async () => {
  const victim = await createUser({ role: 'staff' });
  const bystander = await createUser({ role: 'staff' });
  for (let i = 0; i < 5; i++) {
    const res = await loginRes(victim.username, `wrong-password-${i}`);
    assertProblem(res, 401);
  }
  const locked = await loginRes(victim.username, victim.password);
  assertProblem(locked, 429, 'locked');
  assert.equal(locked.headers.get('set-cookie'), null);
  const ra = locked.headers.get('retry-after');
  assert.match(ra || '', /^\d+$/, `Retry-After in seconds: ${ra}`);
  assert.ok(Number(ra) >= 1 && Number(ra) <= 15 * 60, `Retry-After ${ra} is at most 15 minutes`);
  // Still locked on the next attempt.
  assertProblem(await loginRes(victim.username, victim.password), 429, 'locked');

  // Another username is not locked.
  const res = await loginRes(bystander.username, bystander.password);
  assert.equal(res.status, 200, show(res));
  // An unknown username is locked the same way: the answers tell nobody
  // whether a username exists.
  const ghost = uniq('ghost');
  for (let i = 0; i < 5; i++) assertProblem(await loginRes(ghost, 'wrong-password'), 401);
  assertProblem(await loginRes(ghost, 'wrong-password'), 429, 'locked');
});

test('lockout: a successful login clears the failures', async () => {
  const u = await createUser();
  for (let i = 0; i < 4; i++) assertProblem(await loginRes(u.username, 'wrong-password'), 401);
  await login(u.username, u.password);
  for (let i = 0; i < 4; i++) assertProblem(await loginRes(u.username, 'wrong-password'), 401);
  // 8 failures in 15 minutes, but only 4 since the success.
  await login(u.username, u.password);
});

test('lockout under concurrency: of 12 simultaneous wrong passwords, at most 5 are checked', async () => {
  const u = await createUser({ role: 'staff' });
  const answers = await Promise.all(Array.from({ length: 12 },
    () => loginRes(u.username, 'wrong-password-123')));
  const by = (s) => answers.filter((a) => a.status === s).length;
  assert.equal(by(401), 5, `answers: ${answers.map((a) => a.status)}`);
  assert.equal(by(429), 7);
  for (const a of answers.filter((x) => x.status === 429)) assert.equal(a.json.code, 'locked');
  // And the right password is refused too while locked.
  assertProblem(await loginRes(u.username, u.password), 429, 'locked');
});
