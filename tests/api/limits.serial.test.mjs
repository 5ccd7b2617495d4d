// nginx's limits per client address and on slow clients
// (nginx-conf/nginx.conf.in "Limits per address"; docs/conventions.md
// "Rate limits"), each from the security review of issue 13 and provoked
// here:
//  - a made-up Authorization header or sid cookie does not lift the
//    anonymous limit, nor the one on signing in (an argon2id hash each);
//  - a valid session is not held by the anonymous limit, but every write
//    of one address is limited, generously;
//  - hundreds of connections held by one address (silent, half a header,
//    a body trickling in) do not starve /health for another, and at
//    most 256 of its writes are in progress at once;
//  - a body that stops for client_body_timeout is cut off, a header
//    trickled byte by byte is cut off after client_header_timeout in all,
//    and slow bodies hold no worker thread.
// Each test speaks from loopback addresses of its own (127.0.0.0/8 is this
// machine), so the limits of one do not reach into the next.  Serial:
// floods and held connections.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminToken, assertProblem, createUser, seededUnits, uniq,
} from './lib.mjs';
import { connection, from, tally, within } from './net_lib.mjs';

const WORKERS = Number(process.env.WORKERS || 4);
let staff; // signed in
let admin; // signed in, may POST /units (answered 400 for an empty body)
let district;

before(async () => {
  staff = await createUser({ role: 'staff' }, { signIn: true });
  admin = await adminToken();
  district = (await seededUnits()).district;
});

/* n requests at once from addr; their answers. */
function flood(addr, n, method, path, opts) {
  return Promise.all(Array.from({ length: n }, (_, i) =>
    from(addr, method, path, typeof opts === 'function' ? opts(i) : opts)));
}

function assertLimited(answers, label) {
  const t = tally(answers);
  assert.ok(t[429] >= 1, `${label}: some refused: ${JSON.stringify(t)}`);
  for (const a of answers.filter((x) => x.status === 429)) {
    assertProblem(a, 429, 'rate_limited');
    assert.match(a.headers.get('retry-after') || '', /^\d+$/);
  }
  return t;
}

/* A wrong password for a name nobody has (no lockout can answer it). */
const wrongLogin = () => ({ body: { username: uniq('nobody'), password: 'wrong-password' } });

test('a made-up Authorization header or sid cookie does not lift the anonymous limit', { timeout: 120_000 }, async () => {
  const fakes = [
    ['127.0.0.21', { Authorization: 'Bearer made-up-token-made-up-token-made-up-tok' }],
    ['127.0.0.22', { Cookie: 'sid=made-up' }],
    ['127.0.0.23', { Authorization: 'Basic YWRtaW46YWRtaW4=', Cookie: 'sid=x; other=y' }],
  ];
  for (const [addr, headers] of fakes) {
    // Signing in: 100 at once, 40 let through at once (burst).
    const logins = await flood(addr, 100, 'POST', '/auth/login', (i) => ({ ...wrongLogin(i), headers }));
    const t = assertLimited(logins, `login from ${addr}`);
    assert.ok(t[429] >= 40, `most refused: ${JSON.stringify(t)}`);
    for (const a of logins.filter((x) => x.status !== 429)) assertProblem(a, 401);
  }
  // Filing a wage case, the other public write (an empty body: answered
  // 400 when let through, so nothing is made).
  const [addr, headers] = fakes[0];
  const cases = await flood(addr.replace(/\d+$/, '24'), 100, 'POST', '/wage-cases', { headers, body: {} });
  const t = assertLimited(cases, 'wage-case intake');
  assert.ok(t[429] >= 40, `most refused: ${JSON.stringify(t)}`);
  for (const a of cases.filter((x) => x.status !== 429)) assertProblem(a, 400, 'validation');
});

test('a valid session is not held by the anonymous limit; signing in is limited whatever it carries', { timeout: 120_000 }, async () => {
  // 100 writes at once, signed in, more than twice the anonymous burst:
  // each answered by the worker (400: the body names no unit).
  const writes = await flood('127.0.0.25', 100, 'POST', '/units', { token: admin, body: {} });
  assert.deepEqual(tally(writes), { 400: 100 });
  // But a login is limited like an anonymous one, valid session or not.
  const logins = await flood('127.0.0.26', 100, 'POST', '/auth/login',
    (i) => ({ ...wrongLogin(i), token: staff.token }));
  const t = assertLimited(logins, 'login with a session');
  assert.ok(t[429] >= 40, JSON.stringify(t));
});

test('every write of one address is limited, generously; other addresses carry on', { timeout: 120_000 }, async () => {
  // 800 signed-in writes in rounds of 100 (fewer at once than the
  // connection limit): the burst of 300 passes, then 30 a second.
  const answers = [];
  const start = Date.now();
  for (let round = 0; round < 8; round++) {
    answers.push(...await flood('127.0.0.27', 100, 'POST', '/units', { token: admin, body: {} }));
  }
  const seconds = (Date.now() - start) / 1000;
  const t = assertLimited(answers, 'signed-in writes');
  assert.ok(t[400] >= 250, `a hall's worth passed: ${JSON.stringify(t)}`);
  assert.ok(t[400] <= 301 + 30 * Math.ceil(seconds) + 30, `then 30 a second (${seconds} s): ${JSON.stringify(t)}`);
  // Meanwhile another address is served, and reads are not limited.
  const other = await from('127.0.0.28', 'POST', '/units', { token: admin, body: {} });
  assertProblem(other, 400, 'validation');
  assert.equal((await from('127.0.0.27', 'GET', '/me', { token: staff.token })).status, 200);
});

/* A signed-in POST whose body never comes: headers and its first byte. */
function trickling(addr, length = 100) {
  return connection(addr, 'POST /api/v1/units HTTP/1.1\r\nHost: swn\r\n' +
    `Authorization: Bearer ${admin}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${length}\r\n\r\n{`);
}

test('hundreds of idle connections from one address do not starve /health for another', { timeout: 180_000 }, async () => {
  const held = [];
  try {
    // 150 silent, 150 with half a request header.
    for (let i = 0; i < 150; i++) held.push(await connection('127.0.0.31'));
    for (let i = 0; i < 150; i++) {
      held.push(await connection('127.0.0.31', 'GET /api/v1/health HTTP/1.1\r\nHost: swn\r\n'));
    }
    // 300 bodies trickling in: 256 writes in progress per address, the
    // rest refused at once with a problem document.
    const bodies = [];
    for (let i = 0; i < 300; i++) bodies.push(await trickling('127.0.0.31'));
    held.push(...bodies);
    const refused = () => bodies.filter((s) => s.data.startsWith('HTTP/1.1 429'));
    const end = Date.now() + 10_000;
    while (refused().length < 44 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    assert.ok(refused().length >= 44, `over 256 in progress refused: ${refused().length}`);
    assert.match(refused()[0].data, /application\/problem\+json[\s\S]*"code":"rate_limited"/);

    // Another address is served at once: health, a page, a signed-in read.
    const t0 = Date.now();
    const health = await from('127.0.0.2', 'GET', '/health');
    assert.equal(health.status, 200, health.text);
    assert.equal(health.json.status, 'ok');
    assert.ok(Date.now() - t0 < 5000, `health answered in ${Date.now() - t0} ms`);
    assert.equal((await from('127.0.0.2', 'GET', '/me', { token: staff.token })).status, 200);
    // Reads are not counted: the address itself still reads (a hall of
    // phones behind one NAT loads pages by the hundred).
    assert.equal((await from('127.0.0.31', 'GET', '/health')).status, 200);
    assert.equal((await from('127.0.0.31', 'GET', '/me', { token: staff.token })).status, 200);
  } finally {
    for (const s of held) s.destroy();
  }
  // And it writes again once it lets go of its bodies.
  const end = Date.now() + 15_000;
  let res;
  do {
    res = await from('127.0.0.31', 'POST', '/units', { token: admin, body: {} });
  } while (res.status === 429 && Date.now() < end);
  assertProblem(res, 400, 'validation');
});

test('a body that stops is cut off after 5 s; a header trickled byte by byte after 10 s in all', { timeout: 60_000 }, async () => {
  const body = await trickling('127.0.0.41');
  const sentAt = Date.now();
  // A header, one byte a second, never finished.
  const header = await connection('127.0.0.42', 'GET /api/v1/health HTTP/1.1\r\nHost: swn\r\nX-Slow: ');
  const startedAt = Date.now();
  const drip = setInterval(() => { if (!header.destroyed) header.write('a'); }, 1000);
  try {
    assert.ok(await within(body.gone, 15_000), 'the stalled body was cut off');
    const quiet = body.goneAt - sentAt;
    assert.ok(quiet >= 4000 && quiet < 8000, `cut off after ${quiet} ms without a byte`);
    assert.ok(!body.data.startsWith('HTTP/1.1 2'), 'never answered as if complete');
    assert.ok(await within(header.gone, 20_000), 'the trickled header was cut off');
    const took = header.goneAt - startedAt;
    assert.ok(took >= 9000 && took < 16_000, `header cut off after ${took} ms although bytes kept coming`);
  } finally {
    clearInterval(drip);
    body.destroy();
    header.destroy();
  }
});

test('slow bodies hold no worker thread', { timeout: 60_000 }, async () => {
  // Three times as many stalled bodies as the worker has threads.
  const slow = [];
  for (let i = 0; i < 3 * WORKERS; i++) slow.push(await trickling('127.0.0.43'));
  try {
    const t0 = Date.now();
    const answers = await Promise.all([
      ...Array.from({ length: 2 * WORKERS }, () => from('127.0.0.44', 'GET', '/me', { token: staff.token })),
      ...Array.from({ length: WORKERS }, () =>
        from('127.0.0.44', 'POST', '/units', { token: admin, body: { parent_id: district.id } })),
    ]);
    const ms = Date.now() - t0;
    assert.deepEqual(tally(answers), { 200: 2 * WORKERS, 400: WORKERS });
    assert.ok(ms < 10_000, `answered in ${ms} ms while ${slow.length} bodies trickled`);
    assert.ok(slow.every((s) => s.data === ''), 'the slow ones are still waiting for their bodies');
  } finally {
    for (const s of slow) s.destroy();
  }
});
