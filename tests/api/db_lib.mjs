/*
 * The instance's own MariaDB, as its operator sees it: SQL as the
 * database superuser over the instance's socket, and mariadb-dump.  For
 * tests that must look at what is stored at rest, beside what the API says.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { SWN_ROOT, SWN_VAR } from './lib.mjs';
import { idNumber } from './wage_lib.mjs';

function inEnv(script, args = [], opts = {}) {
  assert.ok(SWN_VAR && SWN_ROOT, 'SWN_VAR and SWN_ROOT name the instance');
  return execFileSync('bash', ['-c', `. "$SWN_ROOT/scripts/env.sh"; ${script}`, 'x', ...args], {
    env: { ...process.env, VAR: SWN_VAR, SWN_ROOT },
    encoding: opts.encoding ?? 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/* Rows of a query as arrays of strings (tab-separated batch output). */
export function sql(query) {
  const out = inEnv('mariadb --no-defaults --socket="$DB_SOCK" -u "$DB_ADMIN" ' +
    '--default-character-set=utf8mb4 --batch --skip-column-names swn -e "$1"', [query]);
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/* The whole database as mariadb-dump writes it (as text, binary escaped),
 * or with --hex-blob when hex is set. */
export function dump({ hex = false } = {}) {
  return inEnv('mariadb-dump --no-defaults --socket="$DB_SOCK" -u "$DB_ADMIN" ' +
    `--default-character-set=utf8mb4 --single-transaction ${hex ? '--hex-blob ' : ''}swn`,
  [], { encoding: 'latin1' });
}

/* A valid ID number nobody else in this run uses. */
export function freshIdNumber() {
  const y = 1960 + randomInt(40);
  const m = String(1 + randomInt(12)).padStart(2, '0');
  const d = String(1 + randomInt(28)).padStart(2, '0');
  return idNumber(`${y}${m}${d}`, randomInt(1000), ['320402', '320411', '320412'][randomInt(3)]);
}

/* A mobile number nobody else in this run uses. */
export function freshPhone() {
  return `1${3 + randomInt(7)}${String(randomInt(1e9)).padStart(9, '0')}`;
}

/* The shell environment of the instance (scripts/env.sh), for commands. */
export function envScript(script, args = []) {
  return inEnv(script, args);
}
