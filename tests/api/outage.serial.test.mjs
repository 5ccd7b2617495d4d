// The database dies (kill -9) under a running worker: /health and the API
// answer 503 with Retry-After, and once `make start` brings MariaDB back the
// same worker process serves again (API.md Health: "Workers reconnect by
// themselves").  Serial: it takes the database away from everything else.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ADMIN_PASSWORD, SWN_PORT, SWN_ROOT, SWN_VAR, api, assertProblem, login, seededUnits, show, sleep,
} from './lib.mjs';

// scripts/env.sh: pid files always live in $VAR/run (only the sockets move
// to /tmp when that path is too long).
const PIDS = join(SWN_VAR, 'run');

function pidOf(name) {
  const f = join(PIDS, `${name}.pid`);
  assert.ok(existsSync(f), `${f} exists`);
  const pid = Number(readFileSync(f, 'utf8').trim());
  assert.ok(Number.isInteger(pid) && pid > 1, `${f} holds a pid`);
  return pid;
}

function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function poll(what, seconds, fn) {
  const end = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last.ok) return last;
    } catch (e) {
      last = { error: e };
    }
    await sleep(250);
  }
  assert.fail(`${what} within ${seconds} s; last: ${last?.res ? show(last.res) : last?.error}`);
}

function makeStart() {
  const env = { ...process.env };
  // A calling make's command-line variables would override VAR and PORT.
  for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL']) delete env[k];
  execFileSync('make', ['-C', SWN_ROOT, 'start', `VAR=${SWN_VAR}`, `PORT=${SWN_PORT}`], {
    timeout: 120_000, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
}

// Whatever happened above, leave a running stack for the files after this.
after(async () => {
  const res = await api('GET', '/health').catch(() => null);
  if (!res || res.status !== 200) {
    try {
      makeStart();
    } catch (e) {
      console.error(`outage: make start failed afterwards: ${e.message}`);
    }
  }
});

test('kill -9 of MariaDB: 503 while down, the same worker serves again after make start',
  { timeout: 240_000 }, async () => {
    assert.ok(SWN_VAR && SWN_PORT && SWN_ROOT, 'SWN_VAR, SWN_PORT and SWN_ROOT are set');
    const h0 = await api('GET', '/health');
    assert.equal(h0.status, 200, show(h0));
    assert.equal(h0.json.db, 'ok');
    const token = await login('admin', ADMIN_PASSWORD);
    const { district } = await seededUnits();

    const worker = pidOf('worker');
    assert.equal(comm(worker), 'swn-worker', `worker pid ${worker}`);
    const db = pidOf('mariadb');
    assert.equal(comm(db), 'mariadbd', `mariadb pid ${db}`);

    process.kill(db, 'SIGKILL');
    await poll('MariaDB gone', 30, async () => ({ ok: !alive(db) }));

    const down = await poll('/health answers 503 db down', 30, async () => {
      const res = await api('GET', '/health');
      return { ok: res.status === 503, res };
    });
    const hd = down.res;
    assert.match(hd.headers.get('content-type') || '', /^application\/json.*charset=utf-8/i);
    assert.equal(hd.json.db, 'down');
    assert.notEqual(hd.json.status, 'ok');
    assert.match(hd.headers.get('retry-after') || '', /^\d+$/, 'Retry-After on /health');

    // An ordinary call: a problem document, code db_unavailable, Retry-After.
    const units = await api('GET', '/units');
    assertProblem(units, 503, 'db_unavailable');
    assert.match(units.headers.get('retry-after') || '', /^\d+$/, 'Retry-After on /units');
    const me = await api('GET', '/me', { token });
    assertProblem(me, 503, 'db_unavailable');
    const write = await api('POST', '/units', {
      token, body: { code: 'outage-x', name: '停机', kind: 'direct', parent_id: district.id },
    });
    assertProblem(write, 503, 'db_unavailable');
    assert.match(write.headers.get('retry-after') || '', /^\d+$/);
    // The worker is still the same process while the database is away.
    assert.ok(alive(worker), 'the worker survives the outage');

    makeStart();

    const up = await poll('/health answers 200 db ok', 60, async () => {
      const res = await api('GET', '/health');
      return { ok: res.status === 200 && res.json?.db === 'ok', res };
    });
    assert.equal(up.res.json.status, 'ok');

    assert.equal(pidOf('worker'), worker, 'the worker pid is unchanged');
    assert.ok(alive(worker), 'the worker process is alive');
    assert.equal(comm(worker), 'swn-worker');
    assert.notEqual(pidOf('mariadb'), db, 'a new MariaDB');

    // Every worker thread has its own connection: all of them reconnect.
    const many = await Promise.all(Array.from({ length: 24 }, () => api('GET', '/units')));
    for (const r of many) assert.equal(r.status, 200, show(r));
    // Sessions survived (they live in the database).
    const me2 = await api('GET', '/me', { token });
    assert.equal(me2.status, 200, show(me2));
    assert.equal(me2.json.username, 'admin');
    // Writes work again.
    const code = `outage-${Date.now().toString(36)}`;
    const w = await api('POST', '/units', { token, body: { code, name: '恢复后', kind: 'direct', parent_id: district.id } });
    assert.equal(w.status, 201, show(w));
  });
