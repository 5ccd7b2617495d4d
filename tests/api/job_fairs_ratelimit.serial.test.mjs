// A fair hall shares one address (docs/conventions.md "Rate limits"):
// anonymous sign-ups to a fair are limited per fair and address, 6 a
// second with a burst of 120, instead of the general 10 r/s burst 40 on
// anonymous POSTs.  Both sides: 300 people signing up from one address
// within a minute all get through, each loading its QR code as the page
// does; a script flooding the endpoint is cut after the burst, at no cost
// to other fairs or other forms.  Lookups by code (a registration, its QR,
// a cancel) are limited per address, 10 a second with a burst of 200:
// guessing codes is slowed down.
// Serial: the flood must not meet the other files' requests.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, createUser, seededUnits, sleep, uniq } from './lib.mjs';
import { createFair, getFair, signUp } from './job_fairs_lib.mjs';

const RATE = 6; // per second, nginx-conf/nginx.conf.in (fair_signup)
const BURST = 120;

let staff;

before(async () => {
  const { children } = await seededUnits();
  staff = await createUser({ role: 'staff', unit_id: children['横山桥镇'].id }, { signIn: true });
});

test('300 sign-ups from one address within a minute all pass', { timeout: 180_000 }, async (t) => {
  const fair = await createFair(staff.token, { seeker_capacity: 400 });
  // As a hall fills: 60 right after the announcement, then 5 a second
  // for 48 seconds.  Requests go out on schedule, not one after another.
  const t0 = Date.now();
  const pending = [];
  // Each phone then loads its QR code, as the success page does.
  const send = () => pending.push(signUp(fair.id, {}, { noRetry: true }).then(async (r) => {
    if (r.status !== 201) return r;
    const qr = await api('GET', `/job-fairs/${fair.id}/registrations/${r.json.code}/qr.svg`);
    return qr.status === 200 ? r : qr;
  }));
  for (let i = 0; i < 60; i++) send();
  for (let s = 1; s <= 48; s++) {
    await sleep(Math.max(0, t0 + s * 1000 - Date.now()));
    for (let i = 0; i < 5; i++) send();
  }
  const answers = await Promise.all(pending);
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(answers.length, 300);
  const refused = answers.filter((a) => a.status !== 201);
  assert.deepEqual(refused.map((a) => `${a.status} ${a.text.slice(0, 80)}`), [], 'every sign-up and QR passed');
  assert.ok(seconds < 60, `sent and answered within a minute (${seconds} s)`);
  t.diagnostic(`300 of 300 sign-ups and QR codes passed in ${seconds.toFixed(1)} s`);
  const f = await getFair(fair.id);
  assert.equal(f.registered_count, 300);
});

test('a flood of sign-ups from one address is cut after the burst; other fairs and forms are untouched', { timeout: 180_000 }, async (t) => {
  const fair = await createFair(staff.token, { seeker_capacity: 1000 });
  const other = await createFair(staff.token, { seeker_capacity: 10 });
  const t0 = Date.now();
  const answers = await Promise.all(Array.from({ length: 600 }, () => signUp(fair.id, {}, { noRetry: true })));
  const seconds = (Date.now() - t0) / 1000;
  const passed = answers.filter((a) => a.status === 201).length;
  const limited = answers.filter((a) => a.status === 429);
  t.diagnostic(`flood: ${passed} of 600 passed, ${limited.length} refused in ${seconds.toFixed(2)} s`);
  for (const a of answers) assert.ok(a.status === 201 || a.status === 429, `${a.status} ${a.text.slice(0, 80)}`);
  for (const a of limited) {
    assertProblem(a, 429, 'rate_limited');
    assert.match(a.headers.get('retry-after') || '', /^\d+$/);
  }
  // The burst, and then no more than the rate for as long as it lasted.
  assert.ok(passed >= BURST, `the burst passed (${passed})`);
  assert.ok(passed <= BURST + 1 + Math.ceil(RATE * seconds),
    `${passed} passed in ${seconds} s: no more than ${BURST} + ${RATE}/s`);
  assert.ok(limited.length >= 600 - BURST - 1 - Math.ceil(RATE * seconds), 'the rest were refused');
  const stored = (await getFair(fair.id)).registered_count;
  assert.equal(stored, passed, 'only what passed was stored');

  // A made-up token does not lift the limit (the worker would take it for
  // no token at all).
  const forged = await Promise.all(Array.from({ length: 50 }, () =>
    signUp(fair.id, {}, { noRetry: true, token: 'made-up-token' })));
  assert.ok(forged.filter((a) => a.status === 429).length >= 40,
    `a made-up token is limited too: ${forged.map((a) => a.status).join(' ')}`);

  // The same address at another fair, and another anonymous form, pass.
  assert.equal((await signUp(other.id, {}, { noRetry: true })).status, 201);
  const login = await api('POST', '/auth/login', { body: { username: uniq('nobody'), password: 'wrong-password' }, noRetry: true });
  assertProblem(login, 401);

  // The flooded fair takes sign-ups again as the bucket drains.
  const end = Date.now() + 30_000;
  let res;
  do {
    await sleep(500);
    res = await signUp(fair.id, {}, { noRetry: true });
  } while (res.status === 429 && Date.now() < end);
  assert.equal(res.status, 201);
});

test('guessing codes is slowed down per address: 429 after a burst', { timeout: 120_000 }, async (t) => {
  const fair = await createFair(staff.token);
  const guess = (i) => `GUESS${String(i).padStart(3, '2').replace(/[01]/g, '9')}`;
  // Guesses at the QR code, the registration and its cancel, all at once.
  const at = (i) => `/job-fairs/${fair.id}/registrations/${guess(i)}`;
  const answers = await Promise.all(Array.from({ length: 400 }, (_, i) => (
    i % 4 === 0 ? api('POST', `${at(i)}/cancel`, { noRetry: true })
      : api('GET', i % 4 === 1 ? at(i) : `${at(i)}/qr.svg`))));
  const limited = answers.filter((a) => a.status === 429);
  t.diagnostic(`guessing: ${answers.length - limited.length} of 400 answered, ${limited.length} refused`);
  for (const a of answers) assert.ok(a.status === 404 || a.status === 429, `${a.status} ${a.text.slice(0, 80)}`);
  assert.ok(limited.length >= 100, `the guesses were cut (${limited.length} refused)`);
  for (const a of limited) assertProblem(a, 429, 'rate_limited');
  assert.ok(answers.some((a, i) => i % 4 === 0 && a.status === 429), 'cancels count as guesses');
  // And the limit passes.
  const end = Date.now() + 40_000;
  let res;
  do {
    await sleep(1000);
    res = await api('GET', `/job-fairs/${fair.id}/registrations/ABCD2345`);
  } while (res.status === 429 && Date.now() < end);
  assertProblem(res, 404, 'not_found');
});
