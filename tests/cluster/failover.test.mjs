// Two worker processes on TCP ports behind one nginx upstream; one is
// killed (kill -9) under load, then the other (docs/DEPLOY.md):
//  - reads keep succeeding: nginx passes a GET the dead worker did not
//    answer on to the live one (fastcgi_next_upstream);
//  - writes never duplicate: nginx does not re-send a POST that reached the
//    dead worker (it may have committed), the client repeats it with its
//    Idempotency-Key, and each key makes exactly one case.
// To be sure the kill meets requests in flight, two locks hold them until
// the worker is dead: one on the reference counter stops every intake
// mid-transaction (on the primary), one on the replica's wage_cases stops
// every list read.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SWN_VAR, adminToken, api, show, sleep, uniq } from '../api/lib.mjs';
import { caseBody } from '../api/wage_lib.mjs';
import {
  REPLICA_VAR, WORKERS, alive, holdSession, killHard, pidOf, readFrom, sizeOf, sqlPrimary, sqlReplica,
  startWorker, until,
} from './lib.mjs';

const ACCESS_LOG = join(SWN_VAR, 'nginx', 'access.log');
const names = Object.keys(WORKERS);

// Whatever happened, leave both workers running for the files after this.
after(() => {
  for (const n of names) {
    try {
      if (!alive(pidOf(SWN_VAR, n))) startWorker(n);
    } catch {
      try { startWorker(n); } catch (e) { console.error(`restart ${n}: ${e.message}`); }
    }
  }
});

/* Readers: GET loops until stop(); every answer is kept. */
function readers(token, n) {
  const answers = [];
  let stopped = false;
  const paths = ['/wage-cases?limit=5', '/units', '/me'];
  const once = async (path) => {
    try {
      const res = await api('GET', path, { token });
      answers.push({ path, status: res.status, ok: res.status === 200 && res.json !== null });
    } catch (e) {
      answers.push({ path, status: `network: ${e.message}`, ok: false });
    }
  };
  const loops = Array.from({ length: n }, async (_, i) => {
    for (let k = i; !stopped; k++) await once(paths[k % paths.length]);
  });
  return {
    answers,
    once,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/*
 * One intake as a careful client sends it: a fresh Idempotency-Key, and
 * the same request again with the same key after a network error, a 5xx
 * or 409 idempotency_in_flight.  Returns what the client saw.
 */
async function write(token, employer) {
  const key = randomUUID();
  const body = caseBody({ employer_name: employer });
  const seen = [];
  for (let attempt = 0; attempt < 200; attempt++) {
    let res;
    try {
      res = await api('POST', '/wage-cases', { token, body, headers: { 'Idempotency-Key': key } });
    } catch (e) {
      seen.push(`network: ${e.message}`);
      await sleep(200);
      continue;
    }
    seen.push(res.status);
    const again = res.status >= 500 ||
      (res.status === 409 && res.json?.code === 'idempotency_in_flight');
    if (!again) return { key, employer, res, seen };
    await sleep(200);
  }
  return { key, employer, res: null, seen };
}

/*
 * Kills `victim` while requests are stuck inside it.  A lock on the
 * reference counter holds every intake after its idempotency claim, and a
 * lock on the replica's wage_cases every list read; nginx hands requests
 * to the workers in turn, so both kinds are in each.  Once enough wait,
 * the victim dies, then the locks go.  Returns the writes' outcomes; the
 * burst of list reads is added to `reads`.
 */
async function killDuringRequests(token, victim, marker, reads) {
  const writeLock = holdSession(SWN_VAR);
  const readLock = holdSession(REPLICA_VAR);
  let writes;
  let burst;
  try {
    await writeLock.run("BEGIN; SELECT last FROM reference_counters WHERE kind = 'QX' FOR UPDATE");
    await readLock.run('LOCK TABLES wage_cases WRITE');
    writes = Array.from({ length: 6 }, (_, i) => write(token, `${marker}-${victim}-${i}`));
    await until('intakes waiting on the lock', 60, () => waiting(sqlPrimary,
      "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'") >= 2);
    burst = Array.from({ length: 8 }, () => reads.once('/wage-cases?limit=5'));
    await until('list reads waiting on the lock', 60, () => waiting(sqlReplica,
      "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'swn_app' " +
      "AND STATE LIKE 'Waiting for table metadata lock'") >= 2);
    await killHard(SWN_VAR, victim);
  } finally {
    await writeLock.run('ROLLBACK');
    await readLock.run('UNLOCK TABLES');
    await writeLock.end();
    await readLock.end();
  }
  await Promise.all(burst);
  return Promise.all(writes);
}

function waiting(sql, query) {
  return Number(sql(query)[0][0]);
}

/* Waits until nginx sends requests to `name` again (its access log line
 * names the worker alone as the one that answered). */
async function servedBy(token, name, since) {
  await until(`${name} answers again`, 60, async () => {
    await api('GET', '/units', { token });
    return readFrom(ACCESS_LOG, since).split('\n')
      .some((l) => l.endsWith(`"${WORKERS[name]}"`) && / 200 /.test(l));
  });
}

test('a worker killed under load: reads keep succeeding, retried writes never duplicate',
  { timeout: 600_000 }, async (t) => {
    assert.equal(names.length, 2, `two workers: ${process.env.SWN_WORKERS}`);
    const token = await adminToken();
    const marker = uniq('fo');
    const logStart = sizeOf(ACCESS_LOG);
    // The counter row exists before it is locked.
    const first = await write(token, `${marker}-first`);
    assert.equal(first.res?.status, 201, show(first.res ?? { status: first.seen }));

    const load = readers(token, 4);
    const done = [first];
    for (const victim of names) {
      done.push(...await killDuringRequests(token, victim, marker, load));
      // More writes and reads while only the other worker lives.
      for (let i = 0; i < 5; i++) done.push(await write(token, `${marker}-after-${victim}-${i}`));
      const since = sizeOf(ACCESS_LOG);
      startWorker(victim);
      await servedBy(token, victim, since);
    }
    await load.stop();

    // Reads: every one answered 200 with JSON.
    const failed = load.answers.filter((a) => !a.ok);
    t.diagnostic(`${load.answers.length} reads, ${failed.length} failed`);
    assert.ok(load.answers.length >= 20, `reads ran throughout: ${load.answers.length}`);
    assert.deepEqual(failed, [], 'every read succeeded');

    // Writes: each ended in 201, and every answer for one key names one case.
    for (const w of done) {
      assert.equal(w.res?.status, 201, `${w.employer}: ${w.seen.join(', ')}`);
    }
    const retried = done.filter((w) => w.seen.some((s) => s !== 201 && s !== 409));
    t.diagnostic(`${done.length} writes, ${retried.length} repeated by the client after ` +
      `a failure: ${retried.map((w) => w.seen.join('/')).join('; ')}`);
    assert.ok(retried.length >= 1, 'a kill met a write in flight (the client repeated it)');

    // The database: exactly one case per key, the one the client was told.
    const rows = sqlPrimary(`SELECT id, employer_name FROM wage_cases
      WHERE employer_name LIKE '${marker}-%' ORDER BY id`);
    const byName = new Map();
    for (const [id, name] of rows) {
      assert.ok(!byName.has(name), `${name} stored twice (${byName.get(name)} and ${id})`);
      byName.set(name, Number(id));
    }
    assert.equal(rows.length, done.length, 'one case per Idempotency-Key');
    for (const w of done) assert.equal(byName.get(w.employer), w.res.json.id, w.employer);

    // nginx passed reads that a dead worker held on to the live one: the
    // access log's upstream field names both.  (A write is passed on only
    // when the dead worker never received it; the repeats above are the
    // ones it had received.)
    const passed = readFrom(ACCESS_LOG, logStart).split('\n').filter((l) => /"[^"]*, [^"]*"$/.test(l));
    t.diagnostic(`${passed.length} requests passed on to the next worker by nginx`);
    assert.ok(passed.some((l) => /"GET /.test(l)), 'a read held by a killed worker was passed on');
  });
