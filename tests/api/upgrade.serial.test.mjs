// An instance created before personal data were sealed keeps every record
// readable after the upgrade (issue "Personal data protected at rest"):
// the real worker of the last commit before sealing (BEFORE_SEALING) runs
// an instance and stores cases, then today's `make start` on the same VAR
// applies sql/004 with its pii-upgrade step and sql/005.  Every case reads
// the same, a stored idempotent answer replays byte for byte, and nothing
// plain is left at rest.  Serial: it builds and runs a second stack.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SWN_ROOT } from './lib.mjs';
import { caseBody, idNumber, phone } from './wage_lib.mjs';

// The last commit whose worker stored ID numbers and phones in clear.
const BEFORE_SEALING = '0a532c6';

const dir = mkdtempSync(join(tmpdir(), 'swn-upgrade-'));
const src = join(dir, 'src');
const VAR = join(dir, 'var');
const ADMIN = `Adm-${randomUUID()}`;
let PORT;
let oldStarted = false;
let newStarted = false;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function run(cmd, args, opts = {}) {
  const env = { ...process.env, VAR, PORT: String(PORT), ADMIN_PASSWORD: ADMIN, ...opts.env };
  for (const k of ['MAKEFLAGS', 'MAKELEVEL', 'MFLAGS', 'WORKER_BIN', 'SWN_PII_KEYS_FILE']) delete env[k];
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 600e3, cwd: opts.cwd });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function call(method, path, { token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const go = () => fetch(`http://127.0.0.1:${PORT}/api/v1${path}`, {
    method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
  });
  // A kept-alive connection to the nginx that was stopped fails once.
  const res = await go().catch(go);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

function sql(root, query) {
  return execFileSync('bash', ['-c', '. "$R/scripts/env.sh"; mariadb --no-defaults --socket="$DB_SOCK" ' +
    '-u "$DB_ADMIN" --batch --skip-column-names swn -e "$1"', 'x', query],
  { env: { ...process.env, VAR, R: root }, encoding: 'utf8' });
}

function dump(root) {
  return execFileSync('bash', ['-c', '. "$R/scripts/env.sh"; mariadb-dump --no-defaults ' +
    '--socket="$DB_SOCK" -u "$DB_ADMIN" --single-transaction swn'],
  { env: { ...process.env, VAR, R: root }, encoding: 'latin1', maxBuffer: 1 << 28 });
}

after(() => {
  if (newStarted) spawnSync(join(SWN_ROOT, 'scripts/stop.sh'), { env: { ...process.env, VAR } });
  else if (oldStarted) spawnSync(join(src, 'scripts/stop.sh'), { env: { ...process.env, VAR } });
  rmSync(dir, { recursive: true, force: true });
});

test('an instance from before sealing upgrades with every record readable and nothing plain left', async () => {
  PORT = await freePort();
  mkdirSync(src);
  // The old worker, built from the repository's own history.
  const archive = spawnSync('git', ['-C', SWN_ROOT, 'archive', BEFORE_SEALING], { maxBuffer: 1 << 28 });
  assert.equal(archive.status, 0, `git archive ${BEFORE_SEALING}: ${archive.stderr} ` +
    '(the test needs the repository history: a full clone)');
  execFileSync('tar', ['-x', '-C', src], { input: archive.stdout });
  run('make', ['-C', src, '--no-print-directory', 'build/swn-worker']);
  run(join(src, 'scripts/start.sh'), []);
  oldStarted = true;

  const login = await call('POST', '/auth/login', { body: { username: 'admin', password: ADMIN } });
  assert.equal(login.status, 200, login.text);
  const token = JSON.parse(login.text).token;
  const ids = [idNumber('19700101', 17), idNumber('19881231', 42)];
  const phones = [phone('135'), phone('136'), phone('188')];
  const made = [];
  for (let i = 0; i < 2; i++) {
    const r = await call('POST', '/wage-cases', {
      token,
      body: caseBody({
        reporter: { name: '王五', phone: phones[i] },
        workers: [{ name: '李四', id_number: ids[0], phone: phones[2], amount_owed: 1000 + i },
          { name: '赵六', id_number: ids[1], amount_owed: '20.50' }],
      }),
    });
    assert.equal(r.status, 201, r.text);
    made.push(JSON.parse(r.text).id);
  }
  // An anonymous intake with a key, whose answer holds the tracking code.
  const key = randomUUID();
  const anonBody = caseBody({ unit_id: 2, reporter: { name: '钱七', phone: phones[0] } });
  const anon = await call('POST', '/wage-cases', { body: anonBody, headers: { 'Idempotency-Key': key } });
  assert.equal(anon.status, 201, anon.text);
  const code = JSON.parse(anon.text).tracking_code;
  const before = {};
  for (const id of [...made, JSON.parse(anon.text).id]) {
    before[id] = JSON.parse((await call('GET', `/wage-cases/${id}`, { token })).text);
  }
  assert.ok(dump(src).includes(ids[0]), 'the old instance stored ID numbers in clear');
  run(join(src, 'scripts/stop.sh'), []);
  oldStarted = false;

  // Today's start on the same state: keys, 004 with its data step, 005.
  const out = run(join(SWN_ROOT, 'scripts/start.sh'), []);
  newStarted = true;
  assert.match(out, /pii-upgrade: sealed 4 workers, 3 reporters, 1 stored answers/);

  for (const [id, was] of Object.entries(before)) {
    const r = await call('GET', `/wage-cases/${id}`, { token });
    assert.equal(r.status, 200, r.text);
    const now = JSON.parse(r.text);
    for (const w of now.workers) {
      assert.ok(Array.isArray(w.other_cases));
      delete w.other_cases;
    }
    assert.deepEqual(now, was, `case ${id} reads the same`);
  }
  // The same ID number links the two old cases now.
  const c0 = JSON.parse((await call('GET', `/wage-cases/${made[0]}`, { token })).text);
  assert.deepEqual(c0.workers[0].other_cases.map((o) => o.id), [made[1]]);
  const replay = await call('POST', '/wage-cases', { body: anonBody, headers: { 'Idempotency-Key': key } });
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  assert.equal(replay.text, anon.text, 'the answer stored before the upgrade replays byte for byte');

  const d = dump(SWN_ROOT);
  for (const s of [...ids, ...phones, code, key]) assert.ok(!d.includes(s), `the dump still holds ${s}`);
  assert.equal(sql(SWN_ROOT, "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = 'swn' " +
    "AND table_name = 'wage_case_workers' AND column_name IN ('id_number', 'phone')").trim(), '0');
  assert.equal(sql(SWN_ROOT, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'swn' " +
    "AND table_name = 'idempotency_keys'").trim(), '0');
});
