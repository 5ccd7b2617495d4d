// TLS at the edge (docs/DEPLOY.md): the one nginx template, rendered with
// a certificate, in front of this stack's worker.  A self-signed
// certificate made here with openssl stands in for a real one.
//  - plain HTTP answers only with a redirect to the same path over HTTPS;
//  - HTTPS answers with HSTS, on pages, API answers and nginx's own errors;
//  - TLS 1.2 and 1.3 only;
//  - the session cookie is Secure when the login came over HTTPS, and is
//    not over plain HTTP (make run without a certificate keeps working).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { SWN_ROOT, SWN_VAR, createUser, loginRes, sleep } from './lib.mjs';

const DIR = join(SWN_VAR, `tls-${process.pid}`); // this nginx's VAR
let httpsPort;
let httpPort;
let cert;

function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/* A shell line with scripts/env.sh of this nginx's VAR. */
function sh(line, env = {}) {
  return execFileSync('bash', ['-c', `. "$SWN_ROOT/scripts/env.sh"; ${line}`], {
    env: { ...process.env, SWN_ROOT, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

before(async () => {
  httpsPort = await freePort();
  httpPort = await freePort();
  mkdirSync(join(DIR, 'tls'), { recursive: true });
  const key = join(DIR, 'tls', 'key.pem');
  const crt = join(DIR, 'tls', 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', key, '-out', crt], { stdio: ['ignore', 'ignore', 'pipe'] });
  cert = readFileSync(crt);
  // The stack's worker socket, as scripts/env.sh names it for SWN_VAR.
  const sock = sh('printf %s "$WORKER_SOCK"', { VAR: SWN_VAR });
  sh('"$SWN_ROOT/scripts/render-nginx.sh" && ' +
    'nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log"', {
    VAR: DIR,
    UPSTREAM: `unix:${sock}`,
    LISTEN: `127.0.0.1:${httpsPort}`,
    HTTP_LISTEN: `127.0.0.1:${httpPort}`,
    TLS_CERT: crt,
    TLS_KEY: key,
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await get(`/api/v1/health`)).status === 200) return;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  assert.fail('the TLS nginx did not answer');
});

after(() => {
  try {
    sh('stop_pid nginx nginx QUIT 15', { VAR: DIR });
  } finally {
    rmSync(DIR, { recursive: true, force: true });
  }
});

/* One request over HTTPS (trusting only our certificate). */
function get(path, { method = 'GET', body, headers = {} } = {}) {
  return new Promise((ok, fail) => {
    const req = request({
      host: '127.0.0.1', port: httpsPort, path, method, ca: cert,
      headers: body ? { 'Content-Type': 'application/json', ...headers } : headers,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', fail);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/* A TLS handshake limited to one protocol version: its protocol or error. */
function handshake(version, extra = {}) {
  return new Promise((ok) => {
    const s = connect({
      host: '127.0.0.1', port: httpsPort, ca: cert, minVersion: version, maxVersion: version, ...extra,
    }, () => {
      const p = s.getProtocol();
      s.end();
      ok(p);
    });
    s.on('error', (e) => ok(`error: ${e.code || e.message}`));
  });
}

test('plain HTTP redirects to the same path over HTTPS', async () => {
  for (const path of ['/api/v1/health', '/', '/api/v1/wage-cases?status=accepted']) {
    const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, { redirect: 'manual' });
    assert.equal(res.status, 301, path);
    assert.equal(res.headers.get('location'), `https://127.0.0.1:${httpsPort}${path}`);
  }
  // A POST is not served over plain HTTP either.
  const post = await fetch(`http://127.0.0.1:${httpPort}/api/v1/auth/login`,
    { method: 'POST', body: '{}', redirect: 'manual' });
  assert.equal(post.status, 301);
});

test('HTTPS answers with HSTS: API answers, pages and nginx\'s own errors', async () => {
  const hsts = 'max-age=31536000';
  const health = await get('/api/v1/health');
  assert.equal(health.status, 200);
  assert.deepEqual(JSON.parse(health.text).status, 'ok');
  assert.equal(health.headers['strict-transport-security'], hsts);
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.equal(page.headers['strict-transport-security'], hsts);
  const big = await get('/api/v1/units', { method: 'POST', body: { x: 'x'.repeat(300 * 1024) } });
  assert.equal(big.status, 413);
  assert.equal(big.headers['strict-transport-security'], hsts);
  // Plain HTTP on the ordinary stack sends none (a browser ignores it there).
  const plain = await fetch(`${process.env.BASE_URL}/api/v1/health`);
  assert.equal(plain.headers.get('strict-transport-security'), null);
});

test('TLS 1.2 and 1.3 are spoken, older versions are refused', async () => {
  assert.equal(await handshake('TLSv1.3'), 'TLSv1.3');
  assert.equal(await handshake('TLSv1.2'), 'TLSv1.2');
  // The server itself refuses (a protocol_version alert), not only the client.
  assert.match(await handshake('TLSv1.1', { ciphers: 'DEFAULT@SECLEVEL=0' }), /ALERT_PROTOCOL_VERSION/);
  assert.match(await handshake('TLSv1', { ciphers: 'DEFAULT@SECLEVEL=0' }), /ALERT_PROTOCOL_VERSION/);
});

test('the session cookie is Secure over HTTPS, and only there', async () => {
  const u = await createUser({ role: 'staff' });
  const res = await get('/api/v1/auth/login', {
    method: 'POST', body: { username: u.username, password: u.password },
  });
  assert.equal(res.status, 200, res.text);
  const cookie = [].concat(res.headers['set-cookie'] || []).find((c) => c.startsWith('sid='));
  assert.ok(cookie, `a sid cookie: ${res.headers['set-cookie']}`);
  assert.match(cookie, /; Secure(;|$)/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);

  // The cookie works over HTTPS, and logging out clears it, Secure too.
  const sid = cookie.split(';')[0];
  const me = await get('/api/v1/me', { headers: { Cookie: sid } });
  assert.equal(me.status, 200, me.text);
  const out = await get('/api/v1/auth/logout', {
    method: 'POST', body: {}, headers: { Cookie: sid, 'X-Requested-With': 'fetch' },
  });
  assert.equal(out.status, 204, out.text);
  assert.match([].concat(out.headers['set-cookie'])[0], /^sid=;.*Max-Age=0.*; Secure/);

  // Over plain HTTP (make run without a certificate) it cannot be Secure.
  const plain = await loginRes(u.username, u.password);
  assert.equal(plain.status, 200);
  const plainCookie = plain.headers.get('set-cookie');
  assert.match(plainCookie, /^sid=/);
  assert.doesNotMatch(plainCookie, /Secure/);
});
