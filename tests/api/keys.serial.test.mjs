// The personal-data keys of a running instance (docs/personal-data.md):
// `make rotate-keys` re-seals everything under a new key while the worker
// keeps serving, and a worker whose key file lacks a key that sealed data
// refuses to start, saying which.  Serial: it signals and restarts the
// worker.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  SWN_ROOT, SWN_VAR, adminToken, api, assertJson, createUser, seededUnits, show,
} from './lib.mjs';
import { caseBody } from './wage_lib.mjs';
import { dump, envScript, freshIdNumber, freshPhone, sql } from './db_lib.mjs';

const KEYS = envScript('printf %s "$PII_KEYS"');
const SEALED = [
  ['wage_cases', 'reporter_phone_enc'],
  ['wage_case_workers', 'id_number_enc'],
  ['wage_case_workers', 'phone_enc'],
  ['safe_returns', 'traveler_phone_enc'],
  ['safe_returns', 'traveler_id_number_enc'],
  ['fair_employers', 'contact_phone_enc'],
  ['fair_registrations', 'phone_enc'],
  ['fair_registrations', 'id_number_enc'],
  ['idempotency_answers', 'body'],
];

function keyIds(file = KEYS) {
  return [...readFileSync(file, 'utf8').matchAll(/^key (\d+) /gm)].map((m) => Number(m[1]));
}

/* The key ids that sealed values in the database name. */
function idsInUse() {
  const ids = new Set();
  for (const [t, c] of SEALED) {
    for (const [h] of sql(`SELECT DISTINCT HEX(LEFT(${c}, 4)) FROM ${t} WHERE ${c} IS NOT NULL`)) {
      ids.add(parseInt(h, 16));
    }
  }
  return [...ids].sort((a, b) => a - b);
}

function workerPid() {
  return Number(readFileSync(join(SWN_VAR, 'run', 'worker.pid'), 'utf8').trim());
}

/* make TARGET on this instance; returns {status, out}. */
function make(target) {
  const env = { ...process.env, VAR: SWN_VAR };
  delete env.MAKEFLAGS;
  delete env.MAKELEVEL;
  delete env.MFLAGS;
  const r = spawnSync('make', ['--no-print-directory', '-C', SWN_ROOT, target], {
    env, encoding: 'utf8', timeout: 300e3,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

let admin;
let staff;
const cases = [];
let anon;

before(async () => {
  admin = await adminToken();
  const { children } = await seededUnits();
  staff = await createUser({ role: 'staff', unit_id: children['横林镇'].id }, { signIn: true });
  for (let i = 0; i < 3; i++) {
    const res = await api('POST', '/wage-cases', {
      token: staff.token,
      body: caseBody({
        reporter: { name: '王五', phone: freshPhone() },
        workers: [{ name: '李四', id_number: freshIdNumber(), phone: freshPhone(), amount_owed: 100 + i }],
      }),
    });
    assert.equal(res.status, 201, show(res));
    cases.push(res.json.id);
  }
  const key = randomUUID();
  const body = caseBody({
    unit_id: children['遥观镇'].id,
    reporter: { name: '钱七', phone: freshPhone() },
    workers: [{ name: '钱七', id_number: freshIdNumber(), amount_owed: '300' }],
  });
  const res = await api('POST', '/wage-cases', { body, headers: { 'Idempotency-Key': key } });
  assert.equal(res.status, 201, show(res));
  anon = { key, body, text: res.text };
});

async function snapshot() {
  const out = [];
  for (const id of cases) {
    const r = await api('GET', `/wage-cases/${id}`, { token: admin });
    assertJson(r, 200);
    out.push({ text: r.text, etag: r.headers.get('etag') });
  }
  return out;
}

test('make rotate-keys re-seals everything under a new key while the worker serves', async () => {
  const before_ = await snapshot();
  const oldKeys = keyIds();
  const old = Math.max(...oldKeys);
  const pid = workerPid();
  assert.ok(idsInUse().includes(old), 'values sealed under the current key exist');

  const r = make('rotate-keys');
  assert.equal(r.status, 0, r.out);
  const neu = old + 1;
  assert.match(r.out, new RegExp(`only key ${neu} is in use`));

  // The same worker process, and every record reads the same.
  assert.equal(workerPid(), pid, 'the worker was not restarted');
  assert.deepEqual(await snapshot(), before_);
  const replay = await api('POST', '/wage-cases', { body: anon.body, headers: { 'Idempotency-Key': anon.key } });
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  assert.equal(replay.text, anon.text, 'the stored answer is re-sealed, byte for byte the same');

  // Only the new key id is at rest; the old key is gone from the file and
  // kept beside it for old backups.
  assert.deepEqual(idsInUse(), [neu]);
  const hex = dump({ hex: true });
  const prefix = (id) => `0x${id.toString(16).padStart(8, '0').toUpperCase()}`;
  assert.ok(hex.includes(prefix(neu)), 'the dump holds values under the new key');
  for (const id of oldKeys) assert.ok(!hex.includes(prefix(id)), `the dump holds values under key ${id}`);
  assert.deepEqual(keyIds(), [neu]);
  const dir = join(KEYS, '..');
  const retired = readdirSync(dir).filter((f) => f.startsWith('pii.keys.retired-'));
  assert.ok(retired.some((f) => keyIds(join(dir, f)).includes(old)), 'the previous key file is kept');
  assert.deepEqual(sql(`SELECT id FROM pii_keys WHERE retired_at IS NULL ORDER BY id`).flat(), ['0', String(neu)]);

  // New values are sealed under the new key.
  const res = await api('POST', '/wage-cases', { token: staff.token, body: caseBody() });
  assert.equal(res.status, 201, show(res));
  const [[h]] = sql(`SELECT HEX(LEFT(reporter_phone_enc, 4)) FROM wage_cases WHERE id = ${res.json.id}`);
  assert.equal(parseInt(h, 16), neu);
});

test('a worker whose key file lacks a key that sealed data refuses to start, and says why', async () => {
  const saved = `${KEYS}.saved-by-test`;
  const stop = () => execFileSync('bash', ['-c', `. "$SWN_ROOT/scripts/env.sh"; stop_worker worker 30`], {
    env: { ...process.env, VAR: SWN_VAR, SWN_ROOT }, stdio: 'ignore',
  });
  stop();
  renameSync(KEYS, saved);
  try {
    // make start makes a fresh key file for a new instance; here the
    // data was sealed under another, so the worker must refuse.
    const r = make('start');
    assert.notEqual(r.status, 0, 'make start fails');
    assert.match(r.out, /key file|not the key the data was sealed with/, r.out);
    assert.ok(!r.out.includes(readFileSync(KEYS, 'utf8').match(/^key \d+ (\w+)/m)[1]),
      'no key material in the message');
    const h = await api('GET', '/health');
    assert.notEqual(h.status, 200, 'nothing serves without the keys');
  } finally {
    rmSync(KEYS, { force: true });
    renameSync(saved, KEYS);
  }
  const r = make('start');
  assert.equal(r.status, 0, r.out);
  const c = await api('GET', `/wage-cases/${cases[0]}`, { token: admin });
  assert.equal(c.status, 200, show(c));
  assert.ok(existsSync(KEYS));
});
