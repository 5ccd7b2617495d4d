// nginx limits anonymous POSTs per address (docs/conventions.md Rate
// limits: 10 r/s, burst 40); signed-in callers are held only by the
// generous limit on every write (limits.serial.test.mjs), reads not at all.
// Serial: the flood would throttle the other files' logins.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_PASSWORD, api, assertProblem, login, seededUnits, show, sleep, uniq,
} from './lib.mjs';

let token;
let district;
before(async () => {
  // Signed in before the flood (a login is an anonymous POST itself).
  token = await login('admin', ADMIN_PASSWORD);
  district = (await seededUnits()).district;
});

test('a flood of anonymous logins gets 429 rate_limited', { timeout: 120_000 }, async () => {
  // A different unknown username each time, so no answer is a lockout.
  const answers = await Promise.all(Array.from({ length: 150 }, () =>
    api('POST', '/auth/login', { body: { username: uniq('flood'), password: 'wrong-password' }, noRetry: true })));
  const limited = answers.filter((a) => a.status === 429);
  assert.ok(limited.length >= 1, `some were limited: ${answers.map((a) => a.status).join(' ')}`);
  for (const a of limited) {
    assertProblem(a, 429, 'rate_limited');
    assert.match(a.headers.get('retry-after') || '', /^\d+$/, 'Retry-After');
  }
  for (const a of answers) {
    assert.ok(a.status === 401 || a.status === 429, show(a));
    if (a.status === 401) assertProblem(a, 401);
  }
  assert.ok(answers.some((a) => a.status === 401), 'the first ones passed (burst)');

  // The limit passes: an anonymous POST is served again a little later.
  const end = Date.now() + 15_000;
  let res;
  do {
    await sleep(500);
    res = await api('POST', '/auth/login', { body: { username: uniq('after'), password: 'x' }, noRetry: true });
  } while (res.status === 429 && Date.now() < end);
  assertProblem(res, 401);
});

test('guessing tracking codes is slowed down: 429 after a burst', { timeout: 120_000 }, async () => {
  const answers = await Promise.all(Array.from({ length: 150 }, (_, i) =>
    api('GET', `/wage-cases/track?reference=QX2021-000001&code=GUESS${String(i).padStart(3, '2')}`,
      { noRetry: true })));
  const limited = answers.filter((a) => a.status === 429);
  assert.ok(limited.length >= 1, `some were limited: ${answers.map((a) => a.status).join(' ')}`);
  for (const a of limited) assertProblem(a, 429, 'rate_limited');
  for (const a of answers) assert.ok(a.status === 404 || a.status === 429, show(a));
  await sleep(1500);
});

test('a bearer burst is not limited (GET and POST)', { timeout: 120_000 }, async () => {
  const gets = await Promise.all(Array.from({ length: 150 }, () => api('GET', '/me', { token })));
  for (const r of gets) assert.equal(r.status, 200, show(r));
  // Authenticated POSTs (answered 400 at once, so nothing is created).
  const posts = await Promise.all(Array.from({ length: 100 }, () =>
    api('POST', '/units', { token, body: { parent_id: district.id }, noRetry: true })));
  for (const r of posts) assert.equal(r.status, 400, show(r));
});

test('anonymous reads are not limited', { timeout: 120_000 }, async () => {
  const gets = await Promise.all(Array.from({ length: 150 }, () => api('GET', '/units')));
  for (const r of gets) assert.equal(r.status, 200, show(r));
});
