// The read replica (docs/DEPLOY.md): a second MariaDB following the first
// by GTID (scripts/replica-start.sh).  Lists and statistics may be a
// moment stale and come from the replica; writes, and reads of what one
// has just written, go to the primary; when replication stops or the
// replica dies, everything is read from the primary.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SWN_VAR, adminToken, allPages, api, seededUnits, show } from '../api/lib.mjs';
import { fileCase, getCase, move, recover, todayShanghai } from '../api/wage_lib.mjs';
import {
  REPLICA_VAR, WORKERS, alive, caughtUp, holdSession, inEnv, killHard, pidOf, readFrom, sizeOf,
  sqlPrimary, sqlReplica, stats, until,
} from './lib.mjs';

const FROM = '2000-01-01';
const TO = '2099-12-31';
const workerLogs = Object.keys(WORKERS).map((n) => join(SWN_VAR, 'log', `${n}.log`));

function startReplica() {
  inEnv(SWN_VAR, '"$SWN_ROOT/scripts/replica-start.sh"');
}

// Leave the replica running and replicating for the files after this.
after(async () => {
  try {
    if (!alive(pidOf(REPLICA_VAR, 'mariadb'))) startReplica();
  } catch {
    try { startReplica(); } catch (e) { console.error(`replica: ${e.message}`); }
  }
  try { sqlReplica('START SLAVE'); } catch { /* running already */ }
});

/* Ids in the first page of the list (newest first), as a staff member
 * looking at the list sees them. */
async function listed(token) {
  const res = await api('GET', '/wage-cases?limit=200', { token });
  assert.equal(res.status, 200, show(res));
  return res.json.items.map((c) => c.id);
}

/* A case with two workers, accepted, and a recovery: it moves rows H and I. */
async function caseWithFigures(token, unitId) {
  const { body } = await fileCase(token, {
    unit_id: unitId,
    workers: [{ name: '王五', amount_owed: '3000.00' }, { name: '赵六', amount_owed: '1200.50' }],
  });
  await move(token, body.id, 'accepted');
  await recover(token, body.id, body.workers[0].id, '1234.56', todayShanghai());
  return body.id;
}

test('figures served from the replica match the primary once it has caught up',
  { timeout: 300_000 }, async () => {
    const token = await adminToken();
    const { district } = await seededUnits();
    for (let i = 0; i < 3; i++) await caseWithFigures(token, district.id);
    caughtUp();

    const fromReplica = stats(district.id, FROM, TO, { replica: true });
    const fromPrimary = stats(district.id, FROM, TO, { replica: false });
    assert.equal(fromReplica.from, 'replica');
    assert.equal(fromPrimary.from, 'primary');
    assert.deepEqual(fromReplica.json, fromPrimary.json);
    const h = fromPrimary.json.rows.find((r) => r.code === 'H');
    assert.ok(h && h.value >= 6, `row H counts the workers: ${JSON.stringify(fromPrimary.json)}`);

    // The whole list through the API is the primary's table.
    const all = await allPages('/wage-cases', { token });
    const ids = sqlPrimary('SELECT id FROM wage_cases ORDER BY id DESC').map(([id]) => Number(id));
    assert.deepEqual(all.map((c) => c.id), ids);
    // And the replica holds exactly the same rows.
    assert.deepEqual(sqlReplica('CHECKSUM TABLE wage_cases, wage_case_workers, wage_recoveries')
      .map((r) => r[1]), sqlPrimary('CHECKSUM TABLE wage_cases, wage_case_workers, wage_recoveries')
      .map((r) => r[1]));
  });

test('writes go to the primary; a list may lag a moment, a read of what one wrote does not',
  { timeout: 300_000 }, async () => {
    const token = await adminToken();
    caughtUp();
    // Hold replication back: its thread waits for this table lock, while
    // the replica keeps answering reads.
    const lock = holdSession(REPLICA_VAR);
    let id;
    try {
      await lock.run('LOCK TABLES wage_cases READ');
      ({ body: { id } } = await fileCase(token, { employer_name: '复制延迟测试公司' }));
      // Written on the primary, not (yet) on the replica.
      assert.deepEqual(sqlPrimary(`SELECT COUNT(*) FROM wage_cases WHERE id = ${id}`), [['1']]);
      assert.deepEqual(sqlReplica(`SELECT COUNT(*) FROM wage_cases WHERE id = ${id}`), [['0']]);
      // Reading it back: from the primary.
      assert.equal((await getCase(token, id)).employer_name, '复制延迟测试公司');
      // The list comes from the replica, a moment behind.
      assert.ok(!(await listed(token)).includes(id), 'the list is read from the lagging replica');
    } finally {
      await lock.run('UNLOCK TABLES');
      await lock.end();
    }
    caughtUp();
    assert.ok((await listed(token)).includes(id), 'caught up, the list shows the case');
  });

test('when replication stops or the replica dies, reads fall back to the primary',
  { timeout: 300_000 }, async () => {
    const token = await adminToken();
    const { district } = await seededUnits();

    // Replication stopped: the workers see it within a second or two.
    const logAt = workerLogs.map(sizeOf);
    sqlReplica('STOP SLAVE');
    const a = (await fileCase(token, { employer_name: '复制停止测试公司' })).body.id;
    await until('the list read from the primary', 30, async () => (await listed(token)).includes(a));
    assert.ok(workerLogs.some((f, i) => /replica not used, reads go to the primary: replication is stopped/
      .test(readFrom(f, logAt[i]))), 'a worker logged why it left the replica');
    assert.equal(stats(district.id, FROM, TO, { replica: true }).from, 'primary');
    sqlReplica('START SLAVE');
    caughtUp();

    // The replica killed: every read still answers, from the primary.
    await killHard(REPLICA_VAR, 'mariadb');
    const b = await caseWithFigures(token, district.id);
    for (let i = 0; i < 20; i++) {
      const ids = await listed(token);
      assert.ok(ids.includes(b), `read ${i} after the kill shows the new case`);
    }
    const down = stats(district.id, FROM, TO, { replica: true });
    assert.equal(down.from, 'primary');
    assert.deepEqual(down.json, stats(district.id, FROM, TO, { replica: false }).json);

    // Back again: it catches up by GTID and the workers return to it.
    const back = workerLogs.map(sizeOf);
    startReplica();
    caughtUp();
    await until('a worker reads from the replica again', 60, async () => {
      await listed(token);
      return workerLogs.some((f, i) => /replica in use/.test(readFrom(f, back[i])));
    });
    const again = stats(district.id, FROM, TO, { replica: true });
    assert.equal(again.from, 'replica');
    assert.deepEqual(again.json, stats(district.id, FROM, TO, { replica: false }).json);
  });
