/*
 * Shared by the cluster tests (scripts/test-cluster.sh, make test-cluster):
 * the processes of the cluster, SQL on the primary and on the replica, and
 * waiting for conditions.
 *
 * Environment (set by scripts/test-cluster.sh), beside lib.mjs's:
 *   SWN_WORKERS      "worker-a=127.0.0.1:PORT worker-b=127.0.0.1:PORT"
 *   SWN_REPLICA_VAR  the replica's VAR ($SWN_VAR/replica)
 *   SWN_DB_REPLICA_SOCKET, SWN_DB_REPLICA_MAX_LAG, WORKERS: what a
 *                    restarted worker is started with
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SWN_ROOT, SWN_VAR, show, sleep } from '../api/lib.mjs';

export const REPLICA_VAR = process.env.SWN_REPLICA_VAR || '';

/* {name: "host:port"} of the cluster's workers. */
export const WORKERS = Object.fromEntries((process.env.SWN_WORKERS || '').split(/\s+/)
  .filter(Boolean).map((w) => w.split('=')));

/* Runs a shell line with scripts/env.sh of the instance at varDir. */
export function inEnv(varDir, script, args = [], opts = {}) {
  return execFileSync('bash', ['-c', `. "$SWN_ROOT/scripts/env.sh"; ${script}`, 'x', ...args], {
    env: { ...process.env, VAR: varDir, SWN_ROOT, ...(opts.env || {}) },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: opts.timeout ?? 180_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/* Rows of a query as arrays of strings, as the superuser of varDir's
 * database (default: the primary). */
export function sqlAt(varDir, query) {
  const out = inEnv(varDir, 'mariadb --no-defaults --socket="$DB_SOCK" -u "$DB_ADMIN" ' +
    '--default-character-set=utf8mb4 --batch --skip-column-names swn -e "$1"', [query]);
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
export const sqlPrimary = (q) => sqlAt(SWN_VAR, q);
export const sqlReplica = (q) => sqlAt(REPLICA_VAR, q);

/*
 * A session of the mariadb client kept open on varDir's database, to hold
 * a lock while the test does something else.  run(sql) sends statements
 * and resolves once they have run; end() closes the session.
 */
export function holdSession(varDir) {
  const sock = inEnv(varDir, 'printf %s "$DB_SOCK"');
  const admin = inEnv(varDir, 'printf %s "$DB_ADMIN"');
  const p = spawn('mariadb', ['--no-defaults', `--socket=${sock}`, '-u', admin,
    '--batch', '--skip-column-names', '--unbuffered', 'swn'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { err += d; });
  let n = 0;
  return {
    async run(sql) {
      n += 1;
      const mark = `done-${n}`;
      p.stdin.write(`${sql};\nSELECT '${mark}';\n`);
      const end = Date.now() + 60_000;
      while (!out.includes(mark)) {
        assert.ok(Date.now() < end && p.exitCode === null, `session: ${sql}: ${err}`);
        await sleep(20);
      }
    },
    async end() {
      if (p.exitCode !== null) return;
      p.stdin.end();
      await new Promise((ok) => p.on('exit', ok));
    },
  };
}

/* The pid in $VAR/run/NAME.pid, and whether it still runs. */
export function pidOf(varDir, name) {
  return Number(readFileSync(join(varDir, 'run', `${name}.pid`), 'utf8').trim());
}
export function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/* Polls fn until it returns a truthy value; fails after seconds. */
export async function until(what, seconds, fn) {
  const end = Date.now() + seconds * 1000;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      assert.fail(`${what} within ${seconds} s; last: ${last?.status ? show(last) : last}`);
    }
    await sleep(100);
  }
}

/* kill -9 of a process named in $VAR/run, and wait for it to be gone. */
export async function killHard(varDir, name) {
  const pid = pidOf(varDir, name);
  assert.ok(alive(pid), `${name} (${pid}) runs before the kill`);
  process.kill(pid, 'SIGKILL');
  await until(`${name} gone`, 30, () => !alive(pid));
}

/* Starts a worker of the cluster again, as scripts/test-cluster.sh did. */
export function startWorker(name) {
  assert.ok(WORKERS[name], `${name} is a worker of the cluster`);
  inEnv(SWN_VAR, '"$SWN_ROOT/scripts/worker-start.sh"', [], {
    env: { WORKER_NAME: name, WORKER_LISTEN: WORKERS[name] },
  });
}

/* The size of a file now, to read what is written to it after. */
export function sizeOf(path) {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
export function readFrom(path, offset) {
  return readFileSync(path).subarray(offset).toString('utf8');
}

/* GTID position of the primary, and wait for the replica to reach it. */
export function caughtUp(seconds = 60) {
  const [[pos]] = sqlPrimary('SELECT @@gtid_binlog_pos');
  const [[rc]] = sqlReplica(`SELECT MASTER_GTID_WAIT('${pos}', ${seconds})`);
  assert.equal(rc, '0', `the replica reached ${pos} within ${seconds} s`);
  return pos;
}

/*
 * `swn-worker stats UNIT FROM TO` as the workers run it; replica: with
 * the cluster's SWN_DB_REPLICA_* (it reads from the replica when fit).
 * Returns {json, from}: the parsed answer and "replica" or "primary", as
 * the command says on standard error.
 */
export function stats(unitId, from, to, { replica }) {
  const script = 'SWN_DB_SOCKET=$DB_SOCK SWN_DB_PASSWORD_FILE=$SECRETS/db_password ' +
    '"$WORKER_BIN" stats "$1" "$2" "$3" 2>"$4"';
  const errFile = join(SWN_VAR, `stats-${process.pid}.err`);
  const env = replica ? {} : { SWN_DB_REPLICA_SOCKET: '' };
  const out = inEnv(SWN_VAR, script, [String(unitId), from, to, errFile], { env });
  const err = readFileSync(errFile, 'utf8');
  rmSync(errFile, { force: true });
  const m = /stats from the (replica|primary)/.exec(err);
  assert.ok(m, `stats says where it read: ${err}`);
  return { json: JSON.parse(out), from: m[1] };
}
