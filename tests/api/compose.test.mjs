// docker-compose.yml cannot be run here (no Docker engine), so this test
// keeps it consistent with what `make run` runs: the same MariaDB settings
// as scripts/db-start.sh, exactly the SWN_* variables the worker reads, the
// same nginx template and render script, and only files that exist.
// Needs no running stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (p) => readFileSync(join(root, p), 'utf8');
const compose = parse(read('docker-compose.yml'));
const services = compose.services ?? {};

// A compose command or environment may be a string or a list / mapping.
const words = (cmd) => (Array.isArray(cmd) ? cmd.join(' ') : String(cmd ?? ''));
function envOf(svc) {
  const env = svc.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(env.map((e) => {
    const i = e.indexOf('=');
    return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
  }));
}

// Names the worker reads: getenv("SWN_...") and any "SWN_..." literal
// (a table of names handed to getenv elsewhere).
function workerEnvNames() {
  const names = new Set();
  for (const f of readdirSync(join(root, 'fcgi'))) {
    if (!f.endsWith('.c')) continue;
    for (const m of read(`fcgi/${f}`).matchAll(/"(SWN_[A-Z0-9_]+)"/g)) names.add(m[1]);
  }
  return names;
}

test('services db, migrate, worker and nginx exist', () => {
  for (const s of ['db', 'migrate', 'worker', 'nginx']) {
    assert.ok(services[s], `service ${s} missing`);
  }
});

test('db: MariaDB 10.11 with the flags scripts/db-start.sh uses', () => {
  const db = services.db;
  assert.match(db.image, /^mariadb:10\.11(\b|$)/);
  const cmd = words(db.command);
  assert.match(cmd, /utf8mb4/);
  assert.match(cmd, /--innodb_flush_log_at_trx_commit=1\b/);
  // Every setting db-start.sh passes, with the same value.
  const local = read('scripts/db-start.sh');
  for (const opt of ['character-set-server', 'collation-server',
    'innodb_flush_log_at_trx_commit', 'max-connections']) {
    const want = local.match(new RegExp(`--${opt}=(\\S+)`));
    assert.ok(want, `db-start.sh sets --${opt}`);
    assert.match(cmd, new RegExp(`--${opt}=${want[1]}(\\s|$)`), `--${opt}`);
  }
});

test('worker: built from the Dockerfile with exactly the SWN_* the worker reads', () => {
  const w = services.worker;
  const ctx = typeof w.build === 'string' ? w.build : w.build?.context;
  assert.equal(ctx, '.');
  const dockerfile = typeof w.build === 'object' && w.build.dockerfile
    ? w.build.dockerfile : 'Dockerfile';
  assert.ok(existsSync(join(root, dockerfile)), dockerfile);
  assert.match(read(dockerfile), /\bmake build\b/, 'image uses the Makefile build');

  const read_ = workerEnvNames();
  assert.ok(read_.size > 0, 'no SWN_* names found in fcgi/*.c');
  const env = envOf(w);
  const given = new Set(Object.keys(env).filter((k) => k.startsWith('SWN_')));
  for (const k of given) assert.ok(read_.has(k), `${k} is set but the worker never reads it`);
  // A unix socket is meaningless between containers; every other
  // variable the worker reads is spelled out.
  for (const k of read_) {
    if (k === 'SWN_DB_SOCKET') continue;
    assert.ok(given.has(k), `the worker reads ${k} but compose does not set it`);
  }
  assert.ok(!given.has('SWN_DB_SOCKET'), 'workers reach MariaDB over TCP');
  assert.match(String(env.SWN_LISTEN), /^:9000$/);
  assert.equal(env.SWN_DB_HOST, 'db');
  assert.equal(env.SWN_DB_USER ?? 'swn_app', 'swn_app');
});

test('migrate: scripts/migrate.sh over TCP, before the worker starts', () => {
  const m = services.migrate;
  assert.match(words(m.command), /scripts\/migrate\.sh/);
  assert.equal(envOf(m).SWN_DB_HOST, 'db');
  assert.equal(m.depends_on?.db?.condition, 'service_healthy');
  assert.equal(services.worker.depends_on?.migrate?.condition,
    'service_completed_successfully');
});

test('nginx: the one template, rendered by scripts/render-nginx.sh', () => {
  const n = services.nginx;
  const cmd = words(n.command);
  assert.match(cmd, /scripts\/render-nginx\.sh/);
  const mounts = (n.volumes ?? []).map(String);
  assert.ok(mounts.some((v) => v.startsWith('./nginx-conf:')), 'nginx-conf mounted');
  assert.ok(mounts.some((v) => v.startsWith('./scripts:')), 'scripts mounted');
  assert.ok(mounts.some((v) => v.startsWith('./frontend:')), 'frontend mounted');

  const env = envOf(n);
  assert.equal(env.UPSTREAM, `worker${envOf(services.worker).SWN_LISTEN}`);
  // Each variable given to the render script is one it reads.
  const render = read('scripts/render-nginx.sh');
  for (const k of Object.keys(env)) {
    if (k === 'VAR') continue; // read by scripts/env.sh
    assert.match(render, new RegExp(`\\$\\{?${k}\\b`), `render-nginx.sh reads ${k}`);
  }
  // It listens where the published port points.
  const listenPort = String(env.LISTEN).split(':').pop();
  const ports = (n.ports ?? []).map(String);
  assert.ok(ports.some((p) => p.endsWith(`:${listenPort}`)),
    `a port is published to ${listenPort}`);
});

test('every placeholder of the nginx template is rendered', () => {
  const tpl = read('nginx-conf/nginx.conf.in');
  const render = read('scripts/render-nginx.sh');
  const names = new Set([...tpl.matchAll(/@([A-Z_]+)@/g)].map((m) => m[1]));
  assert.ok(names.has('UPSTREAM') && names.has('LISTEN'), 'template uses @UPSTREAM@ and @LISTEN@');
  for (const n of names) assert.ok(render.includes(`@${n}@`), `@${n}@ is rendered`);
});

test('every file the compose file and the Dockerfile reference exists', () => {
  const missing = [];
  const need = (p, what) => { if (!existsSync(join(root, p))) missing.push(`${p} (${what})`); };
  for (const [name, s] of Object.entries(services)) {
    if (s.build) {
      const ctx = typeof s.build === 'string' ? s.build : s.build.context ?? '.';
      need(ctx, `${name} build context`);
      need(join(ctx, s.build.dockerfile ?? 'Dockerfile'), `${name} Dockerfile`);
    }
    for (const v of s.volumes ?? []) {
      const src = String(v).split(':')[0];
      if (src.startsWith('.')) need(src, `${name} volume`);
    }
    // Scripts a command runs live in the repository (copied or mounted).
    for (const m of words(s.command).matchAll(/\bscripts\/[\w.-]+/g)) need(m[0], `${name} command`);
  }
  for (const line of read('Dockerfile').split('\n')) {
    const m = line.match(/^\s*(COPY|ADD)\s+(.*)$/i);
    if (!m || /--from=/.test(m[2])) continue;
    const args = m[2].trim().split(/\s+/).filter((a) => !a.startsWith('--'));
    for (const src of args.slice(0, -1)) need(src, 'Dockerfile COPY');
  }
  need('nginx-conf/nginx.conf.in', 'nginx template');
  assert.deepEqual(missing, []);
  assert.ok(statSync(join(root, 'scripts/render-nginx.sh')).mode & 0o111, 'render-nginx.sh executable');
});
