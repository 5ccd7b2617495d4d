// SIGTERM drains: requests the worker has accepted are answered in full,
// then the process exits by itself; `make start` brings a new one.  Serial:
// it takes the worker away from everything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_PASSWORD, SWN_PORT, SWN_ROOT, SWN_VAR, api, sleep } from './lib.mjs';

const pidFile = join(SWN_VAR, 'run', 'worker.pid');

function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function makeStart() {
  const env = { ...process.env };
  delete env.MAKEFLAGS;
  delete env.MAKELEVEL;
  delete env.MFLAGS;
  execFileSync('make', ['-C', SWN_ROOT, 'start', `VAR=${SWN_VAR}`, `PORT=${SWN_PORT}`],
    { env, stdio: 'pipe', timeout: 120_000 });
}

test('SIGTERM lets in-flight requests finish, then the worker exits', async () => {
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  assert.ok(alive(pid), 'the worker runs before the test');
  // Logins are slow on purpose (argon2id), so some are surely in flight
  // when the signal arrives.
  const body = { username: 'admin', password: ADMIN_PASSWORD };
  const pending = Array.from({ length: 8 }, () => api('POST', '/api/v1/auth/login', { body }));
  await sleep(30);
  process.kill(pid, 'SIGTERM');
  const answers = await Promise.all(pending);
  const codes = answers.map((r) => r.status);
  // Accepted requests finish with their real answer; the ones nginx could
  // no longer hand over get its 503 problem document, never a cut answer.
  for (const r of answers) {
    assert.ok(r.status === 200 || r.status === 503, `status ${r.status} in ${codes}`);
    if (r.status === 200) assert.ok(r.json?.token, 'a finished login carries its token');
    else assert.match(r.headers.get('content-type') || '', /application\/problem\+json/);
  }
  assert.ok(codes.includes(200), `some login in flight finished: ${codes}`);
  const end = Date.now() + 15_000;
  while (alive(pid) && Date.now() < end) await sleep(100);
  assert.equal(alive(pid), false, 'the worker exited by itself after draining');
  const log = readFileSync(join(SWN_VAR, 'log', 'worker.log'), 'utf8');
  assert.match(log, /signal 15, draining[\s\S]*stopped/);

  makeStart();
  const again = Number(readFileSync(pidFile, 'utf8').trim());
  assert.notEqual(again, pid);
  const health = await api('GET', '/api/v1/health');
  assert.equal(health.status, 200);
  assert.equal(health.json.db, 'ok');
});
