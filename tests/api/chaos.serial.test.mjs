// The crash test (issue 13): acknowledged means present, exactly once.
//
// Writers POST visits (as a volunteer) and wage cases (as staff), each
// record with its own Idempotency-Key, and repeat the same request with the
// same key until it is acknowledged (201), as the pages' outbox does --
// after a 503, a 409 idempotency_in_flight or a lost connection.  A few
// records are abandoned after their first failure, as by a person who gives
// up: those are unacknowledged, and may exist or not, but never in part.
// Meanwhile MariaDB is killed with -9 and started again (scripts/db-start.sh,
// by the test) and the worker process is killed with -9 and must come back
// by itself, through its supervisor (scripts/worker-supervise.sh), without
// anyone running a command.  Every answer in between is a problem document,
// and none takes long: nginx never hangs.
//
// At the end, in the database, looked up by the marker each record carries
// in its note (visits) or description (wage cases):
//  - every acknowledged record exists exactly once, with the id it was
//    acknowledged with; nothing of the run exists that nobody asked for;
//  - no record is half-written: a wage case has all its workers, its
//    "received" event and its audit row, a visit its audit row, whether it
//    was acknowledged or abandoned; the reference counter matches the
//    cases; no audit row points at nothing; one idempotency answer per
//    key that was acknowledged;
//  - `make check-stats` finds no difference.
// The last diagnostic line reads "acknowledged N, lost 0, duplicated 0"
// with the number of kills.
//
// Serial: it takes the database and the worker away from everything else.
// `make test` runs a short form; `make chaos` (scripts/chaos.sh) a longer
// one.  Environment:
//   CHAOS_DB_KILLS      MariaDB kills (default 2)
//   CHAOS_WORKER_KILLS  worker kills (default 1)
//   CHAOS_OVERLAP       1: the last worker kill falls while MariaDB is down
//   CHAOS_WRITERS       concurrent writers (default 4)
//   CHAOS_SUMMARY       a file the final line is written to as well
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  SWN_PORT, SWN_ROOT, SWN_VAR, adminToken, api, createUnit, createUser, seededUnits, show, sleep,
  uniq, url,
} from './lib.mjs';
import { sql } from './db_lib.mjs';
import { caseBody, phone } from './wage_lib.mjs';

const DB_KILLS = Number(process.env.CHAOS_DB_KILLS || 2);
const WORKER_KILLS = Number(process.env.CHAOS_WORKER_KILLS || 1);
const OVERLAP = process.env.CHAOS_OVERLAP === '1';
const WRITERS = Number(process.env.CHAOS_WRITERS || 4);
// An answer slower than this is a hang (nginx gives up on a worker after
// 30 s at most: fastcgi_read_timeout).
const HANG_MS = 40_000;
const PIDS = join(SWN_VAR, 'run');
const run = promisify(execFile);

const env = () => {
  const e = { ...process.env, VAR: SWN_VAR, PORT: SWN_PORT };
  for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL']) delete e[k];
  return e;
};

function pidOf(name) {
  try {
    return Number(readFileSync(join(PIDS, `${name}.pid`), 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}
function alive(pid, comm) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') return false;
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
  } catch {
    return false;
  }
}
async function until(what, ms, fn, step = 20) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    assert.ok(Date.now() < end, `${what} within ${ms / 1000} s`);
    await sleep(step);
  }
}
const healthy = async () => {
  const r = await api('GET', '/health').catch(() => null);
  return r?.status === 200 && r.json?.db === 'ok';
};

// Whatever happened, leave a running stack for the files after this.
after(async () => {
  if (await healthy()) return;
  spawnSync('make', ['-C', SWN_ROOT, 'start', `VAR=${SWN_VAR}`, `PORT=${SWN_PORT}`],
    { env: env(), stdio: 'ignore', timeout: 180_000 });
});

/* What the writers saw, for the checks and the summary. */
const seen = {
  answers: new Map(), // "503 unavailable" -> count
  unexpected: [],
  slowest: 0,
  requests: 0,
};
function tally(key) {
  seen.answers.set(key, (seen.answers.get(key) || 0) + 1);
}

/* One POST with a key; never throws.  {status, code, json, ms, replayed}. */
async function post(path, token, body, key) {
  const t0 = Date.now();
  seen.requests += 1;
  let out;
  try {
    const res = await fetch(url(path), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(HANG_MS + 20_000),
    });
    const text = await res.text();
    const ct = res.headers.get('content-type') || '';
    let json = null;
    try {
      json = JSON.parse(text);
    } catch { /* kept null: checked below */ }
    out = {
      status: res.status, ct, json, text,
      retryAfter: Number(res.headers.get('retry-after')) || 0,
      replayed: res.headers.get('idempotent-replayed') === 'true',
    };
  } catch (e) {
    out = { status: 0, error: e.message };
  }
  out.ms = Date.now() - t0;
  seen.slowest = Math.max(seen.slowest, out.ms);
  return out;
}

/* May the client repeat this answer with the same key?  And is it one of
 * the answers the contract allows while things die? */
function classify(res, path) {
  const problem = /^application\/problem\+json/.test(res.ct || '') && res.json?.status === res.status;
  if (res.status === 201 && res.json?.id) {
    tally(res.replayed ? '201 replayed' : '201');
    return 'ack';
  }
  if (res.status === 503 && problem) {
    tally(`503 ${res.json.code}`);
    return 'again';
  }
  // nginx's limits per address (the outbox waits Retry-After, api.js).
  if (res.status === 429 && problem && res.json.code === 'rate_limited') {
    tally('429 rate_limited');
    return 'again';
  }
  if (res.status === 409 && problem && res.json.code === 'idempotency_in_flight') {
    tally('409 idempotency_in_flight');
    return 'again';
  }
  tally(res.status === 0 ? 'network error' : `${res.status} ${res.json?.code ?? ''}`.trim());
  seen.unexpected.push(`POST ${path}: ${res.status ? `${res.status} ${(res.text || '').slice(0, 200)}` : res.error}`);
  return res.status === 0 || res.status >= 500 ? 'again' : 'refused';
}

/*
 * One writer: records one after another until stop() is called (the record
 * in hand is carried to its end).  Each record: a fresh key, the same body
 * and key again until acknowledged, at most Retry-After apart (capped at a
 * second here, to keep the test short; the outbox waits the full time).
 */
function writer(n, ctx) {
  const done = [];
  let stopped = false;
  let count = 0;
  const loop = (async () => {
    while (!stopped) {
      count += 1;
      const marker = `${ctx.run}-${n}-${count}`;
      const visit = randomInt(2) === 0;
      const giveUp = randomInt(6) === 0; // abandoned after a first failure
      const key = randomUUID();
      let path;
      let token;
      let body;
      let workers = 0;
      if (visit) {
        path = '/visits';
        token = ctx.volunteer;
        body = {
          unit_id: ctx.unit.id, visited_on: ctx.day, kind: 'worker', category: `C${1 + randomInt(11)}`,
          people_count: 1 + randomInt(5), cash_amount: `${100 + randomInt(900)}.00`, note: marker,
        };
      } else {
        path = '/wage-cases';
        token = ctx.staff;
        workers = 1 + randomInt(3);
        body = caseBody({
          unit_id: ctx.unit.id, source: 'hotline', description: marker,
          reporter: { name: '崩溃测试', phone: phone() },
          workers: Array.from({ length: workers }, (_, i) => ({
            name: `工人${i + 1}`, phone: phone(), amount_owed: `${1000 + i}.00`,
          })),
        });
      }
      const rec = { marker, key, visit, workers, attempts: 0, id: null, abandoned: false };
      for (;;) {
        rec.attempts += 1;
        const res = await post(path, token, body, key);
        const what = classify(res, path);
        if (what === 'ack') {
          rec.id = res.json.id;
          break;
        }
        if (what === 'refused' || (giveUp && rec.attempts === 1) || rec.attempts > 3000) {
          rec.abandoned = true;
          break;
        }
        await sleep(Math.min(1000, (res.retryAfter || 0.1) * 1000) + randomInt(100));
      }
      done.push(rec);
      if (rec.id) ctx.acked += 1;
    }
  })();
  return {
    done,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/* Waits for n more acknowledgements: the writers are at work again. */
async function moreAcks(ctx, n, seconds = 120) {
  const goal = ctx.acked + n;
  await until(`${n} more records acknowledged`, seconds * 1000, () => ctx.acked >= goal, 50);
}

async function killDb(ctx) {
  const db = pidOf('mariadb');
  assert.ok(alive(db, 'mariadbd'), `MariaDB (${db}) runs before the kill`);
  process.kill(db, 'SIGKILL');
  await until('MariaDB gone', 30_000, () => !alive(db, 'mariadbd'));
  ctx.dbKills += 1;
  // Let the writers meet the outage before the database comes back.
  const before = seen.answers.get('503 db_unavailable') || 0;
  await until('a writer meets the outage', 30_000,
    () => (seen.answers.get('503 db_unavailable') || 0) > before, 50).catch(() => {});
}

async function startDb() {
  await run(join(SWN_ROOT, 'scripts', 'db-start.sh'), [], { env: env(), timeout: 180_000 });
  await until('/health answers 200 db ok', 120_000, healthy, 100);
}

/* kill -9 of the worker; its supervisor must start a new one by itself.
 * Returns the milliseconds until the new process ran. */
async function killWorker(ctx) {
  const old = pidOf('worker');
  assert.ok(alive(old, 'swn-worker'), `the worker (${old}) runs before the kill`);
  const t0 = Date.now();
  process.kill(old, 'SIGKILL');
  const neu = await until('a new worker process, started by nobody but its supervisor', 10_000, () => {
    const p = pidOf('worker');
    return p !== old && alive(p, 'swn-worker') ? p : 0;
  }, 10);
  const back = Date.now() - t0;
  ctx.workerKills += 1;
  ctx.workerBack.push(back);
  ctx.workerPids.push(neu);
  return back;
}

test('kill -9 of MariaDB and of the worker under writes: acknowledged means present, exactly once',
  { timeout: 1_800_000 }, async (t) => {
    assert.ok(SWN_VAR && SWN_PORT && SWN_ROOT, 'SWN_VAR, SWN_PORT and SWN_ROOT are set');
    assert.ok(await healthy(), 'the stack runs before the test');
    const admin = await adminToken();
    const { district } = await seededUnits();
    const unit = await createUnit({ kind: 'town', name: '崩溃测试镇', parent_id: district.id }, { token: admin });
    const vol = await createUser({ role: 'volunteer', unit_id: unit.id }, { signIn: true });
    const staff = await createUser({ role: 'staff', unit_id: unit.id }, { signIn: true });
    // A campaign of its own around the visits' day, so check-stats
    // compares the figures they make; a day no other test writes to.
    const day = `2017-12-${String(1 + randomInt(28)).padStart(2, '0')}`;
    const camp = await api('POST', '/campaigns', {
      token: admin, body: { title: `崩溃测试活动${randomUUID().slice(0, 8)}`, from: '2017-12-01', to: '2017-12-31', report_due: '2018-01-10' },
    });
    assert.equal(camp.status, 201, show(camp));
    const ctx = {
      run: uniq('chaos'), unit, day, volunteer: vol.token, staff: staff.token,
      acked: 0, dbKills: 0, workerKills: 0, workerBack: [], workerPids: [],
    };
    const supervisor = pidOf('worker-supervisor');
    assert.ok(supervisor > 0, 'the worker runs under its supervisor');

    // The plan: database and worker kills in turn; with CHAOS_OVERLAP the
    // last worker kill falls while the database is down.
    const plan = [];
    for (let d = DB_KILLS, w = WORKER_KILLS; d > 0 || w > 0;) {
      if (d > 0) plan.push('db'), d -= 1;
      if (w > 0 && OVERLAP && w === 1 && d > 0) plan.push('both'), d -= 1, w -= 1;
      else if (w > 0) plan.push('worker'), w -= 1;
    }
    t.diagnostic(`plan: ${plan.join(', ')}; ${WRITERS} writers`);

    const writers = Array.from({ length: WRITERS }, (_, i) => writer(i + 1, ctx));
    try {
      await moreAcks(ctx, 20);
      for (const step of plan) {
        // Somewhere in the middle of the writes, not right after a record.
        await sleep(100 + randomInt(900));
        if (step === 'db') {
          await killDb(ctx);
          await startDb();
        } else if (step === 'worker') {
          const ms = await killWorker(ctx);
          t.diagnostic(`worker killed; a new one ran after ${ms} ms`);
          await until('/health answers 200 through the new worker', 60_000, healthy, 50);
        } else {
          await killDb(ctx);
          const ms = await killWorker(ctx);
          t.diagnostic(`worker killed while MariaDB was down; a new one ran after ${ms} ms`);
          await startDb();
        }
        await moreAcks(ctx, 20);
      }
    } finally {
      await Promise.all(writers.map((w) => w.stop()));
    }
    assert.equal(pidOf('worker-supervisor'), supervisor, 'the same supervisor throughout');

    const records = writers.flatMap((w) => w.done);
    const acked = records.filter((r) => r.id);
    const abandoned = records.filter((r) => !r.id);
    const answers = [...seen.answers].map(([k, v]) => `${k}: ${v}`).join(', ');
    t.diagnostic(`${seen.requests} requests (${answers}); slowest ${seen.slowest} ms`);
    t.diagnostic(`${acked.length} acknowledged, ${abandoned.length} abandoned after a failure, ` +
      `${records.filter((r) => r.attempts > 1).length} repeated with their key`);

    // What the writers saw: only the answers the contract allows, fast.
    assert.deepEqual(seen.unexpected, [], 'every answer was a 201 or a problem document to repeat');
    assert.ok(seen.slowest < HANG_MS, `no answer took ${HANG_MS / 1000} s (slowest ${seen.slowest} ms)`);
    assert.ok(records.some((r) => r.attempts > 1), 'some writes met a kill and were repeated');
    assert.ok(ctx.workerBack.every((ms) => ms <= 2000),
      `each killed worker was back within a second or two: ${ctx.workerBack.join(', ')} ms`);

    // ---- The database ------------------------------------------------
    const like = `${ctx.run}-%`;
    const visits = sql(`SELECT note, id FROM visits WHERE note LIKE '${like}' ORDER BY id`);
    const cases = sql(`SELECT description, id, reference, amount_owed FROM wage_cases
      WHERE description LIKE '${like}' ORDER BY id`);
    const stored = new Map(); // marker -> [ids]
    for (const [m, id] of [...visits, ...cases]) {
      if (!stored.has(m)) stored.set(m, []);
      stored.get(m).push(Number(id));
    }
    const byMarker = new Map(records.map((r) => [r.marker, r]));
    let lost = 0;
    let duplicated = 0;
    const problems = [];
    for (const r of acked) {
      const ids = stored.get(r.marker) || [];
      if (ids.length === 0) {
        lost += 1;
        problems.push(`${r.marker} acknowledged as ${r.id} but not stored`);
      } else if (ids.length > 1) {
        duplicated += ids.length - 1;
        problems.push(`${r.marker} stored ${ids.length} times: ${ids}`);
      } else if (ids[0] !== r.id) {
        problems.push(`${r.marker} acknowledged as ${r.id}, stored as ${ids[0]}`);
      }
    }
    for (const [m, ids] of stored) {
      const r = byMarker.get(m);
      if (!r) problems.push(`${m} stored (${ids}) but never sent`);
      else if (!r.id && ids.length > 1) {
        duplicated += ids.length - 1;
        problems.push(`${m} (abandoned) stored ${ids.length} times`);
      }
    }

    // Nothing half-written, acknowledged or not.
    const caseIds = cases.map(([, id]) => id);
    const visitIds = visits.map(([, id]) => id);
    const inList = (ids) => (ids.length ? ids.join(',') : 'NULL');
    const workersOf = new Map(sql(`SELECT case_id, COUNT(*), SUM(amount_owed) FROM wage_case_workers
      WHERE case_id IN (${inList(caseIds)}) GROUP BY case_id`).map(([id, n, s]) => [id, [Number(n), s]]));
    const eventsOf = new Map(sql(`SELECT case_id, COUNT(*) FROM wage_case_events
      WHERE case_id IN (${inList(caseIds)}) AND to_status = 'received' GROUP BY case_id`));
    const auditOf = new Map(sql(`SELECT CONCAT(table_name, ':', record_id), COUNT(*) FROM audit_log
      WHERE (table_name = 'wage_cases' AND action = 'wage_case.create' AND record_id IN (${inList(caseIds)}))
         OR (table_name = 'visits' AND action = 'visit.create' AND record_id IN (${inList(visitIds)}))
      GROUP BY table_name, record_id`));
    for (const [m, id, , owed] of cases) {
      const r = byMarker.get(m);
      const [n, sum] = workersOf.get(id) || [0, '0'];
      if (r && n !== r.workers) problems.push(`case ${id} has ${n} of its ${r.workers} workers`);
      if (sum !== owed) problems.push(`case ${id}: its workers owe ${sum} fen, the case says ${owed}`);
      if (eventsOf.get(id) !== '1') problems.push(`case ${id}: ${eventsOf.get(id) ?? 0} "received" events`);
      if (auditOf.get(`wage_cases:${id}`) !== '1') problems.push(`case ${id}: no single audit row`);
    }
    for (const [, id] of visits) {
      if (auditOf.get(`visits:${id}`) !== '1') problems.push(`visit ${id}: no single audit row`);
    }
    const users = `${vol.user.id},${staff.user.id}`;
    const orphans = sql(`SELECT COUNT(*) FROM audit_log a WHERE a.user_id IN (${users})
      AND ((a.table_name = 'visits' AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.id = a.record_id))
        OR (a.table_name = 'wage_cases' AND NOT EXISTS (SELECT 1 FROM wage_cases c WHERE c.id = a.record_id)))`);
    if (orphans[0][0] !== '0') problems.push(`${orphans[0][0]} audit rows of the writers point at nothing`);
    // One idempotency answer per key that made a record (an abandoned key
    // has one exactly when its record exists).
    const keys = Number(sql(`SELECT COUNT(*) FROM idempotency_answers WHERE user_id IN (${users})`)[0][0]);
    const made = acked.length + abandoned.filter((r) => stored.has(r.marker)).length;
    if (keys !== made) problems.push(`${keys} idempotency answers for ${made} records made`);
    // The reference counter moved with the cases, in the same transactions.
    for (const [year, last, n] of sql(`SELECT c.year, c.last, (SELECT COUNT(*) FROM wage_cases w
        WHERE w.reference LIKE CONCAT('QX', c.year, '-%')) FROM reference_counters c WHERE c.kind = 'QX'`)) {
      if (last !== n) problems.push(`reference counter ${year} at ${last} for ${n} cases`);
    }

    // Every figure, by both paths.
    const check = spawnSync('make', ['--no-print-directory', '-C', SWN_ROOT, 'check-stats'],
      { env: env(), encoding: 'utf8', timeout: 300_000 });
    if (check.status !== 0) problems.push(`make check-stats: ${check.stdout}${check.stderr}`.slice(0, 2000));

    const times = (n) => (n === 1 ? 'once' : `${n} times`);
    const line = `acknowledged ${acked.length}, lost ${lost}, duplicated ${duplicated} ` +
      `(MariaDB killed -9 ${times(ctx.dbKills)}, the worker ${times(ctx.workerKills)}, back by itself ` +
      `after ${ctx.workerBack.join(', ')} ms)`;
    t.diagnostic(line);
    if (process.env.CHAOS_SUMMARY) writeFileSync(process.env.CHAOS_SUMMARY, `${line}\n`);
    assert.deepEqual(problems, [], 'the database holds every acknowledged record, once and whole');
    assert.equal(ctx.dbKills, DB_KILLS);
    assert.equal(ctx.workerKills, WORKER_KILLS);
  });
