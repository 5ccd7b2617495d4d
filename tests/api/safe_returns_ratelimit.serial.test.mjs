// POST /safe-returns/arrivals is public and answers to a guessed code, so
// nginx limits it per client address (docs/safe-returns.md: ten tries at
// once, then one every two seconds).  A traveller who mistypes the code a
// couple of times is not cut off; someone guessing is, after about ten
// tries, while a traveller at another address and signed-in volunteers
// carry on.  Serial: the guessing would throttle the other files.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  BASE_URL, api, assertJson, assertProblem, createUser, show, sleep,
} from './lib.mjs';
import { moveTo, recordBody, register } from './safe_returns_lib.mjs';

let vol;
let first; // the traveller who mistypes first
let second; // a traveller at another address during the guessing
let third;

/* POST /safe-returns/arrivals from another loopback address (the whole of
 * 127.0.0.0/8 is this machine), as a phone on another network would. */
function arriveFrom(localAddress, code) {
  const u = new URL(`${BASE_URL}/api/v1/safe-returns/arrivals`);
  const body = JSON.stringify({ code });
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/* Waits until the arrivals limit of this address has passed: a rejected
 * request does not count against it, so asking every half second is
 * harmless. */
async function untilServed(code, ms = 30_000) {
  const end = Date.now() + ms;
  let res;
  do {
    res = await api('POST', '/safe-returns/arrivals', { body: { code }, noRetry: true });
    if (res.status !== 429) return res;
    await sleep(500);
  } while (Date.now() < end);
  return res;
}

before(async () => {
  vol = await createUser({ role: 'volunteer' }, { signIn: true });
  first = await register(vol.token);
  second = await register(vol.token);
  third = await register(vol.token);
});

test('a traveller who mistypes the code twice is not cut off', { timeout: 120_000 }, async () => {
  // Whatever the suites before left in this address's bucket has passed.
  const wrong1 = await untilServed('ABCDEFGH');
  assertProblem(wrong1, 404, 'not_found');
  const c = first.arrival_code;
  const wrong2 = await api('POST', '/safe-returns/arrivals', { body: { code: `${c.slice(0, 7)}` }, noRetry: true });
  assertProblem(wrong2, 404, 'not_found');
  const right = await api('POST', '/safe-returns/arrivals', { body: { code: c.toLowerCase() }, noRetry: true });
  assert.deepEqual(assertJson(right, 200), { status: 'arrived', status_label: '已到家' });
});

test('guessing codes is cut off after about ten tries; others carry on; it passes', { timeout: 120_000 }, async () => {
  // One guess after another, as fast as answers come: the first ones are
  // answered (404), then nginx refuses.
  const answers = [];
  const start = Date.now();
  for (let i = 0; i < 25; i++) {
    answers.push(await api('POST', '/safe-returns/arrivals', {
      body: { code: `GUESS${String(100 + i).replace(/[01]/g, '9')}` }, noRetry: true,
    }));
  }
  const seconds = (Date.now() - start) / 1000;
  const statuses = answers.map((a) => a.status);
  const served = statuses.filter((s) => s === 404).length;
  // Ten at once plus the first, and one more for every two seconds the
  // guessing took (a loaded machine answers slowly).
  assert.ok(statuses.slice(0, 8).every((s) => s === 404), `the first tries answered: ${statuses.join(' ')}`);
  assert.ok(served <= 12 + Math.ceil(seconds / 2), `then refused (${seconds} s): ${statuses.join(' ')}`);
  assert.ok(statuses.slice(-5).filter((s) => s === 429).length >= 4,
    `still refused at the end: ${statuses.join(' ')}`);
  for (const a of answers) {
    if (a.status === 429) {
      assertProblem(a, 429, 'rate_limited');
      assert.match(a.headers.get('retry-after') || '', /^\d+$/);
    } else {
      assertProblem(a, 404, 'not_found');
    }
  }
  // Signed-in guessing is limited all the same: the limit is per address.
  const signed = await api('POST', '/safe-returns/arrivals', {
    token: vol.token, body: { code: 'GUESSAAA' }, noRetry: true,
  });
  assertProblem(signed, 429, 'rate_limited');

  // Meanwhile a traveller elsewhere confirms, and volunteers work on.
  const other = await arriveFrom('127.0.0.2', second.arrival_code);
  assert.equal(other.status, 200, other.text);
  assert.deepEqual(JSON.parse(other.text), { status: 'arrived', status_label: '已到家' });
  const created = await api('POST', '/safe-returns', { token: vol.token, body: recordBody() });
  assert.equal(created.status, 201, show(created));
  await moveTo(vol.token, third.id, 'departed');
  assert.equal((await api('GET', '/safe-returns/provinces')).status, 200);

  // The limit passes once the guessing stops.
  const back = await untilServed(third.arrival_code);
  assert.deepEqual(assertJson(back, 200), { status: 'arrived', status_label: '已到家' });
});
