// make backup and make restore (docs/DEPLOY.md, docs/personal-data.md):
// an instance of its own is filled through the API, backed up while it
// runs, destroyed, and restored into a fresh instance from the backup and
// the key file kept apart from it.  Every record and every figure is found
// again: the same rows in every table, the same `swn-worker stats`, the
// same answers from the API, personal data opened as before.  A backup
// holds no personal value in clear, and a restore without the right key
// file refuses.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SWN_ROOT, SWN_VAR, api, show, uniq } from '../api/lib.mjs';
import { freshIdNumber, freshPhone } from '../api/db_lib.mjs';
import { todayShanghai } from '../api/wage_lib.mjs';
import { inEnv, sqlAt } from './lib.mjs';

const SRC = join(SWN_VAR, 'backup-src'); // the instance backed up, then destroyed
const WRONG = join(SWN_VAR, 'backup-wrong'); // a restore with the wrong key file
const ADMIN_PW = `pw-${uniq('b')}`;
const away = mkdtempSync(join(tmpdir(), 'swn-backup-')); // "apart from the backup"
const FROM = '2000-01-01';
const TO = '2099-12-31';

// A separate instance: no replica, no TCP, its own port.
const plainEnv = { DB_PORT: '', DB_SERVER_ID: '', SWN_DB_REPLICA_SOCKET: '', ADMIN_PASSWORD: ADMIN_PW };

function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function script(varDir, name, env = {}) {
  return inEnv(varDir, `"$SWN_ROOT/scripts/${name}"`, [], { env: { ...plainEnv, ...env }, timeout: 300_000 });
}

/* make TARGET VAR=... ARGS as an operator types it; {status, out}. */
function make(target, args) {
  const env = { ...process.env, ...plainEnv };
  for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL']) delete env[k];
  const r = spawnSync('make', ['-C', SWN_ROOT, '--no-print-directory', target, ...args],
    { env, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

after(() => {
  for (const v of [SRC, WRONG]) {
    try { script(v, 'stop.sh'); } catch { /* not running */ }
    rmSync(v, { recursive: true, force: true });
  }
  rmSync(away, { recursive: true, force: true });
});

/* Talks to the instance at base. */
async function call(base, method, path, token, body, headers = {}) {
  const res = await api(method, `${base}/api/v1${path}`, { token, body, headers });
  return res;
}
async function must(status, p) {
  const res = await p;
  assert.equal(res.status, status, show(res));
  return res.json;
}

/* What an admin sees through the API: units, users, every case in full. */
async function apiView(base, token) {
  const units = await must(200, call(base, 'GET', '/units', token));
  const users = await must(200, call(base, 'GET', '/users?limit=200', token));
  const list = await must(200, call(base, 'GET', '/wage-cases?limit=200', token));
  const cases = [];
  for (const c of list.items) cases.push(await must(200, call(base, 'GET', `/wage-cases/${c.id}`, token)));
  return { units, users, list, cases };
}

/* Every table of swn: its row count and checksum. */
function tables(varDir) {
  const names = sqlAt(varDir, `SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'swn' ORDER BY table_name`).map(([n]) => n);
  assert.ok(names.length >= 10, `tables: ${names}`);
  return Object.fromEntries(names.map((n) => [n, {
    rows: sqlAt(varDir, `SELECT COUNT(*) FROM \`${n}\``)[0][0],
    checksum: sqlAt(varDir, `CHECKSUM TABLE \`${n}\` EXTENDED`)[0][1],
  }]));
}

/* `swn-worker stats` for every unit. */
function figures(varDir) {
  const units = sqlAt(varDir, 'SELECT id FROM units ORDER BY id').map(([id]) => id);
  return Object.fromEntries(units.map((u) => [u, JSON.parse(inEnv(varDir,
    'SWN_DB_SOCKET=$DB_SOCK SWN_DB_PASSWORD_FILE=$SECRETS/db_password "$WORKER_BIN" stats "$1" "$2" "$3"',
    [u, FROM, TO], { env: plainEnv }))]));
}

test('back up, destroy, restore: every record and every figure again', { timeout: 900_000 }, async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  script(SRC, 'start.sh', { PORT: String(port) });
  const admin = (await must(200, call(base, 'POST', '/auth/login', null,
    { username: 'admin', password: ADMIN_PW }))).token;

  // Records of every kind, with personal data.
  const units = await must(200, call(base, 'GET', '/units', admin));
  const district = units.items.find((u) => u.parent_id === null);
  const town = await must(201, call(base, 'POST', '/units', admin,
    { code: uniq('c'), name: '备份测试镇', kind: 'town', parent_id: district.id }));
  const staffPw = `pw-${uniq('s')}-long`;
  const staffName = uniq('stf');
  await must(201, call(base, 'POST', '/users', admin,
    { username: staffName, password: staffPw, display_name: '备份员', role: 'staff', unit_id: town.id }));
  const staff = (await must(200, call(base, 'POST', '/auth/login', null,
    { username: staffName, password: staffPw }))).token;
  const secrets = [];
  for (let i = 0; i < 4; i++) {
    const people = [0, 1].map(() => ({ id: freshIdNumber(), phone: freshPhone() }));
    const reporter = freshPhone();
    secrets.push(reporter, ...people.flatMap((p) => [p.id, p.phone]));
    const who = i % 2 ? staff : admin; // staff may file for their own subtree
    const c = await must(201, call(base, 'POST', '/wage-cases', who, {
      unit_id: i % 2 ? town.id : district.id,
      employer_name: `备份测试公司${i}`,
      industry: 'construction',
      reporter: { name: '报告人', phone: reporter },
      workers: people.map((p, k) => ({
        name: `工人${k}`, id_number: p.id, phone: p.phone, amount_owed: `${1000 + i}.${k}5`,
      })),
    }, { 'Idempotency-Key': uniq('k') }));
    if (i < 3) {
      await must(200, call(base, 'POST', `/wage-cases/${c.id}/transitions`, who,
        { to: 'accepted' }, { 'If-Match': `"${c.version}"` }));
      await must(201, call(base, 'POST', `/wage-cases/${c.id}/recoveries`, who,
        { worker_id: c.workers[0].id, amount: `${300 + i}.25`, recovered_on: todayShanghai() }));
    }
  }

  const before = { api: await apiView(base, admin) };
  before.tables = tables(SRC);
  before.figures = figures(SRC);
  assert.ok(before.api.cases.length === 4 && before.api.cases[0].workers.length === 2);
  const h = before.figures[district.id].rows.find((r) => r.code === 'H');
  assert.equal(h.value, 6, 'row H: the workers of the three accepted cases');

  // The backup, taken while the instance runs.
  const file = join(away, 'swn.sql.gz');
  const b = make('backup', [`VAR=${SRC}`, `OUT=${file}`]);
  assert.equal(b.status, 0, b.out);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the backup is readable by its owner only');
  assert.match(b.out, /keep a copy of that file apart from this backup/);
  // It holds nobody's ID number or phone: those stay sealed.
  const dump = gunzipSync(readFileSync(file)).toString('latin1');
  for (const s of secrets) {
    assert.ok(!dump.includes(s), 'no personal value in clear');
    assert.ok(!dump.toUpperCase().includes(Buffer.from(s).toString('hex').toUpperCase()), 'nor in hex');
  }
  // The key file is kept apart from it.
  const keys = join(away, 'pii.keys');
  copyFileSync(join(SRC, 'secrets', 'pii.keys'), keys);

  // Destroyed.
  script(SRC, 'stop.sh');
  rmSync(SRC, { recursive: true, force: true });

  // Without the key file, or with another one, there is no restore.
  const none = make('restore', [`VAR=${SRC}`, `FROM=${file}`]);
  assert.notEqual(none.status, 0, none.out);
  assert.match(none.out, /KEYS=/);
  const otherKeys = join(away, 'other.keys');
  inEnv(SWN_VAR, '"$WORKER_BIN" keys init "$1"', [otherKeys]);
  const wrong = make('restore', [`VAR=${WRONG}`, `FROM=${file}`, `KEYS=${otherKeys}`]);
  assert.notEqual(wrong.status, 0, wrong.out);
  assert.match(wrong.out, /does not open them/);

  // With both: a fresh instance with everything in it.
  const r = make('restore', [`VAR=${SRC}`, `FROM=${file}`, `KEYS=${keys}`]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /the key file opens the data/);
  script(SRC, 'db-start.sh');
  assert.deepEqual(tables(SRC), before.tables, 'every table: same rows, same checksum');
  assert.deepEqual(figures(SRC), before.figures, 'swn-worker stats: the same figures');

  const port2 = await freePort();
  const base2 = `http://127.0.0.1:${port2}`;
  script(SRC, 'start.sh', { PORT: String(port2) });
  const admin2 = (await must(200, call(base2, 'POST', '/auth/login', null,
    { username: 'admin', password: ADMIN_PW }))).token;
  const afterView = await apiView(base2, admin2);
  assert.deepEqual(afterView, before.api, 'the API answers as before, personal data opened');
  // And the staff member signs in with the old password.
  await must(200, call(base2, 'POST', '/auth/login', null, { username: staffName, password: staffPw }));
});
