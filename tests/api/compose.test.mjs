// docker-compose.yml cannot be run here (no Docker engine), so this test
// keeps it consistent with what `make run` runs: the same MariaDB settings
// as scripts/db-start.sh, exactly the SWN_* variables the worker reads, the
// same nginx template and render script, and only files that exist.  And
// with what a deployment needs (docs/DEPLOY.md): workers that scale, TLS,
// a replica, every secret a compose secret made by
// scripts/compose-secrets.sh.  Needs no running stack (only the built
// worker, for the key file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

test('the file parses into services db, replica, migrate, worker and nginx', () => {
  assert.equal(typeof compose, 'object');
  for (const s of ['db', 'replica', 'migrate', 'worker', 'nginx']) {
    assert.ok(services[s], `service ${s} missing`);
  }
});

test('db: MariaDB 10.11 with the flags scripts/db-start.sh uses', () => {
  const db = services.db;
  assert.match(db.image, /^mariadb:10\.11(\b|$)/);
  const cmd = words(db.command);
  assert.match(cmd, /utf8mb4/);
  assert.match(cmd, /--innodb_flush_log_at_trx_commit=1\b/);
  // Every setting db-start.sh passes, with the same value: the binary
  // log's too (flushed at every commit, GTIDs for the replica).
  const local = read('scripts/db-start.sh');
  for (const opt of ['character-set-server', 'collation-server',
    'innodb_flush_log_at_trx_commit', 'max-connections', 'log-basename', 'log-bin',
    'sync-binlog', 'binlog-format', 'log-slave-updates', 'gtid-strict-mode',
    'binlog-expire-logs-seconds']) {
    const want = local.match(new RegExp(`--${opt}=([^\\s)]+)`));
    assert.ok(want, `db-start.sh sets --${opt}`);
    for (const name of ['db', 'replica']) {
      assert.match(words(services[name].command), new RegExp(`--${opt}=${want[1]}(\\s|$)`),
        `${name}: --${opt}`);
    }
  }
  assert.match(cmd, /--sync-binlog=1\b/);
  assert.match(cmd, /--server-id=1\b/);
});

test('replica: the official image following db by replication, read-only, only with its profile', () => {
  const r = services.replica;
  assert.equal(r.image, services.db.image);
  assert.deepEqual(r.profiles, ['replica']);
  const env = envOf(r);
  assert.equal(env.MARIADB_MASTER_HOST, 'db');
  assert.equal(env.MARIADB_REPLICATION_USER, envOf(services.db).MARIADB_REPLICATION_USER);
  const cmd = words(r.command);
  assert.match(cmd, /--read-only=1\b/);
  assert.match(cmd, /--server-id=2\b/);
  assert.match(words(r.healthcheck?.test), /--replication_sql/);
  assert.equal(r.depends_on?.db?.condition, 'service_healthy');
  // The workers use it only when told to, by its service name.
  assert.equal(envOf(services.worker).SWN_DB_REPLICA_HOST, '${DB_REPLICA_HOST:-}');
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
  const sockets = ['SWN_DB_SOCKET', 'SWN_DB_REPLICA_SOCKET'];
  for (const k of read_) {
    if (sockets.includes(k)) continue;
    assert.ok(given.has(k), `the worker reads ${k} but compose does not set it`);
  }
  for (const k of sockets) assert.ok(!given.has(k), `workers reach MariaDB over TCP (${k})`);
  assert.match(String(env.SWN_LISTEN), /^:9000$/);
  assert.equal(env.SWN_DB_HOST, 'db');
  assert.equal(env.SWN_DB_USER ?? 'swn_app', 'swn_app');
});

test('worker: scalable with --scale, no fixed container name, no host port', () => {
  const w = services.worker;
  assert.equal(w.container_name, undefined, 'no container_name');
  assert.equal(w.ports, undefined, 'no published port');
  assert.equal(w.network_mode, undefined);
  assert.deepEqual((w.expose ?? []).map(String), ['9000']);
  // nginx reaches the workers by the service name, which resolves to all.
  assert.equal(envOf(services.nginx).UPSTREAM, 'worker:9000');
  assert.equal(w.deploy?.replicas ?? 1, 1, 'the count is chosen with --scale');
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
  // It listens where the published ports point: HTTPS, and plain HTTP
  // that redirects to it.
  const ports = (n.ports ?? []).map(String);
  for (const l of [env.LISTEN, env.HTTP_LISTEN]) {
    const port = String(l).split(':').pop();
    assert.ok(ports.some((p) => p.endsWith(`:${port}`)), `a port is published to ${port}`);
  }
  assert.match(String(env.LISTEN), /:443$/);
  assert.match(String(env.HTTP_LISTEN), /:80$/);
  // The redirect names the published HTTPS port.
  assert.ok(ports.includes(`${env.HTTPS_PORT}:443`), `HTTPS_PORT ${env.HTTPS_PORT} is published`);
  assert.match(n.image, /^nginx:/, 'the official nginx image');
});

test('TLS: the certificate and key are compose secrets given to the template', () => {
  const n = services.nginx;
  const env = envOf(n);
  assert.equal(env.TLS_CERT, '/run/secrets/tls_cert');
  assert.equal(env.TLS_KEY, '/run/secrets/tls_key');
  assert.deepEqual([...(n.secrets ?? [])].sort(), ['tls_cert', 'tls_key']);
  const tpl = read('nginx-conf/nginx.conf.in');
  assert.match(tpl, /@TLS@ssl_protocols TLSv1\.2 TLSv1\.3;/);
  assert.match(tpl, /@TLS@ssl_certificate @TLS_CERT@;/);
  assert.match(tpl, /@TLS@ssl_certificate_key @TLS_KEY@;/);
  assert.match(tpl, /Strict-Transport-Security/);
  assert.match(tpl, /return 301 https:/);
});

test('secrets: passwords, keys and the certificate are compose secrets; none is committed', () => {
  const secrets = compose.secrets ?? {};
  const names = Object.keys(secrets).sort();
  assert.deepEqual(names, ['db_password', 'db_replication_password', 'db_root_password',
    'pii_keys', 'tls_cert', 'tls_key']);
  // Files under ./secrets/, made by scripts/compose-secrets.sh and never
  // committed (.gitignore).
  const maker = read('scripts/compose-secrets.sh');
  for (const n of names) {
    const f = String(secrets[n].file ?? '');
    assert.match(f, /^\.\/secrets\/[\w.]+$/, `${n} is a file under ./secrets/`);
    assert.ok(maker.includes(f.split('/').pop()), `compose-secrets.sh makes ${f}`);
  }
  assert.ok(read('.gitignore').split('\n').includes('/secrets/'), '.gitignore has /secrets/');
  assert.ok(read('.dockerignore').split('\n').includes('secrets'), '.dockerignore has secrets');

  // Who gets what: each service lists exactly the secrets its
  // environment points at, and no value of a secret-looking variable is
  // written here: a path under /run/secrets/, or taken from the
  // operator's environment with an empty default.
  const want = {
    db: ['db_replication_password', 'db_root_password'],
    replica: ['db_replication_password', 'db_root_password'],
    migrate: ['db_password', 'db_root_password', 'pii_keys'],
    worker: ['db_password', 'pii_keys'],
    nginx: ['tls_cert', 'tls_key'],
  };
  for (const [name, svc] of Object.entries(services)) {
    const listed = [...(svc.secrets ?? [])].map((x) => (typeof x === 'string' ? x : x.source)).sort();
    assert.deepEqual(listed, want[name] ?? [], `${name}'s secrets`);
    for (const [k, v] of Object.entries(envOf(svc))) {
      const m = /^\/run\/secrets\/(\w+)$/.exec(String(v));
      if (m) assert.ok(listed.includes(m[1]), `${name}: ${k} names secret ${m[1]}, which it lists`);
      if (/PASSWORD|SECRET|KEYS?$|KEY_|CERT/.test(k) && !/_(USER|GRANTS)$/.test(k)) {
        assert.ok(m || /^\$\{[A-Z_]+:-\}$/.test(String(v)),
          `${name}: ${k} is a secret file or comes from the environment, not a value: ${v}`);
      }
    }
  }
  assert.equal(envOf(services.worker).SWN_DB_PASSWORD_FILE, '/run/secrets/db_password');
  assert.equal(envOf(services.worker).SWN_PII_KEYS_FILE, '/run/secrets/pii_keys');
  assert.equal(envOf(services.migrate).SWN_PII_KEYS_FILE, '/run/secrets/pii_keys');
});

test('the worker image: Debian 12, built from the packages of make deps', () => {
  const df = read('Dockerfile');
  const froms = [...df.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
  assert.ok(froms.length >= 1 && froms.every((f) => /^debian:12(-slim)?$/.test(f)), `FROM ${froms}`);
  assert.match(df, /scripts\/deps\.sh --build/, 'the build stage installs with scripts/deps.sh');
  // deps.sh's build list is part of what `make deps` installs.
  const deps = read('scripts/deps.sh');
  const list = (name) => {
    const m = new RegExp(`^${name}=\\(([^)]*)\\)`, 'm').exec(deps);
    assert.ok(m, `deps.sh has ${name}`);
    return m[1].split(/\s+/).filter(Boolean);
  };
  const all = list('pkgs');
  const build = list('build_pkgs');
  for (const p of build) assert.ok(all.includes(p), `${p} is in make deps' list too`);
  for (const p of ['libfcgi-dev', 'libmariadb-dev', 'libjansson-dev', 'libsodium-dev', 'gcc', 'make']) {
    assert.ok(build.includes(p), `the image build installs ${p}`);
  }
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
      else assert.ok(Object.hasOwn(compose.volumes ?? {}, src), `${name}: volume ${src} is declared`);
    }
    for (const x of s.secrets ?? []) {
      const n = typeof x === 'string' ? x : x.source;
      assert.ok(compose.secrets?.[n], `${name}: secret ${n} is declared`);
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
  need('scripts/compose-secrets.sh', 'the secrets of the compose file');
  // The secret files are made before `docker compose up`, never committed:
  // the secrets test above checks them.
  assert.deepEqual(missing, []);
  assert.ok(statSync(join(root, 'scripts/render-nginx.sh')).mode & 0o111, 'render-nginx.sh executable');
});

test('scripts/compose-secrets.sh makes every secret once, and never replaces one', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'swn-compose-')), 'secrets');
  try {
    const run = () => execFileSync(join(root, 'scripts/compose-secrets.sh'), {
      env: { ...process.env, SECRETS_DIR: dir }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    run();
    assert.equal(statSync(dir).mode & 0o777, 0o700, 'the folder keeps other users out');
    const files = Object.values(compose.secrets).map((x) => x.file.split('/').pop());
    const first = {};
    for (const f of files) {
      first[f] = readFileSync(join(dir, f), 'utf8');
      assert.equal(statSync(join(dir, f)).mode & 0o777, 0o644, `${f}: readable by the containers' users`);
    }
    for (const f of ['db_root_password', 'db_password', 'db_replication_password']) {
      assert.match(first[f], /^[A-Za-z0-9]{32}$/, f);
    }
    assert.equal(new Set(['db_root_password', 'db_password', 'db_replication_password']
      .map((f) => first[f])).size, 3, 'three different passwords');
    assert.match(first['pii.keys'], /^index [0-9a-f]{64}$/m);
    assert.match(first['pii.keys'], /^key 1 [0-9a-f]{64}$/m);
    assert.match(first['tls.crt'], /^-----BEGIN CERTIFICATE-----/);
    assert.match(first['tls.key'], /-----BEGIN PRIVATE KEY-----/);
    // Run again: nothing changes (a new key file would not open the data).
    assert.match(run(), /holds every secret already/);
    for (const f of files) assert.equal(readFileSync(join(dir, f), 'utf8'), first[f], `${f} unchanged`);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});
