// nginx at the edge (nginx-conf/nginx.conf.in), from the security review
// of issue 13:
//  - nginx's own refusals are problem documents, like the worker's: a URI
//    too long (414), headers too large (400), TRACE (405), a transfer
//    coding it does not know (501), an HTTP version it does not speak
//    (505), a broken request line (400);
//  - started as root, its worker processes run as an unprivileged user,
//    and still reach the pages and the worker's socket -- also when the
//    instance lives in a directory only root may enter, as a clone under
//    /root does (scripts/env.sh, WEB).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { BASE_URL, SWN_ROOT, SWN_VAR, assertProblem, sleep } from './lib.mjs';

const base = new URL(BASE_URL);

/* A request as node's http client sends it (any method, any header). */
function request(method, path, headers = {}, port = base.port) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port, path, method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) for (const x of [].concat(v)) h.append(k, String(x));
        let json = null;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: h, text, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/* What nginx answers to these raw bytes, parsed as lib.mjs's api() does. */
function raw(bytes) {
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(base.port), base.hostname, () => s.end(bytes));
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('error', reject);
    s.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const h = new Headers();
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) h.append(l.slice(0, i).trim(), l.slice(i + 1).trim());
      }
      const text = rest.join('\r\n\r\n');
      let json = null;
      try { json = JSON.parse(text); } catch { json = undefined; }
      resolve({ status: Number(lines[0].split(' ')[1]), headers: h, text, json });
    });
  });
}

test("nginx's own refusals are problem documents", async () => {
  const long = 'a'.repeat(9000);
  assertProblem(await request('GET', `/api/v1/units?q=${long}`), 414, 'uri_too_long');
  assertProblem(await request('GET', `/admin/?q=${long}`), 414, 'uri_too_long');
  assertProblem(await request('GET', '/api/v1/units', { Cookie: `sid=${long}` }), 400, 'header_too_large');
  assertProblem(await request('GET', '/api/v1/units', { 'X-Big': long }), 400, 'header_too_large');
  assertProblem(await request('TRACE', '/api/v1/units'), 405, 'method_not_allowed');
  assertProblem(await request('TRACE', '/'), 405, 'method_not_allowed');
  assertProblem(await raw('GET /api/v1/units HTTP/1.1\r\nHost: swn\r\nTransfer-Encoding: gzip\r\n\r\n'),
    501, 'not_implemented');
  assertProblem(await raw('GET /api/v1/units HTTP/2.5\r\nHost: swn\r\n\r\n'), 505, 'http_version');
  assertProblem(await raw('GET /api/v1/units HTTP/3.0\r\nHost: swn\r\n\r\n'), 505, 'http_version');
  assertProblem(await raw('GET /api/v1/units HTTP/1.1\r\n\r\n'), 400, 'bad_request'); // no Host
  assertProblem(await raw('POST /api/v1/units HTTP/1.1\r\nHost: swn\r\nTransfer-Encoding: chunked\r\n' +
    'Content-Length: 5\r\n\r\n'), 400, 'bad_request');
  // The worker's own 405 still names what the path allows.
  const put = await request('PUT', '/api/v1/units');
  assertProblem(put, 405, 'method_not_allowed');
  assert.equal(put.headers.get('allow'), 'GET, HEAD, POST');
  // And the security headers come with every one of them.
  const r = await request('TRACE', '/api/v1/units');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
});

/* The pids of the worker processes of the nginx whose master is pid. */
function nginxWorkers(pid) {
  const kids = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) kids.push(Number(d));
    } catch { /* gone */ }
  }
  return kids;
}

function uidOf(pid) {
  const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]);
}

function masterOf(varDir) {
  return Number(readFileSync(join(varDir, 'run', 'nginx.pid'), 'utf8').trim());
}

test("nginx's worker processes are never root, and still serve pages and the API", async () => {
  const master = masterOf(SWN_VAR);
  const workers = nginxWorkers(master);
  assert.ok(workers.length >= 1, 'nginx has worker processes');
  for (const w of workers) assert.notEqual(uidOf(w), 0, `nginx worker ${w} runs as root`);
  const page = await request('GET', '/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\/html/);
  assert.equal((await request('GET', '/assets/api.js')).status, 200);
  assert.equal((await request('GET', '/api/v1/health')).status, 200);
});

function freePort() {
  return new Promise((ok) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/* A shell line with scripts/env.sh of another VAR. */
function sh(line, env) {
  return execFileSync('bash', ['-c', `. "$SWN_ROOT/scripts/env.sh"; ${line}`], {
    env: { ...process.env, SWN_ROOT, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test('an instance inside a directory only root may enter (a clone under /root) serves all the same',
  { skip: process.getuid() !== 0 && 'only started as root do the workers change user' }, async () => {
    // Like /root: a 0700 directory holding the instance's VAR.
    const home = mkdtempSync(join(SWN_VAR, 'private-'));
    chmodSync(home, 0o700);
    const VAR = join(home, 'var');
    const port = await freePort();
    const sock = sh('printf %s "$WORKER_SOCK"', { VAR: SWN_VAR });
    let web = '';
    try {
      web = sh('printf %s "$WEB"', { VAR });
      assert.match(web, /^\/tmp\/swn-web-/, 'what the workers open is moved out of the 0700 directory');
      sh('"$SWN_ROOT/scripts/render-nginx.sh" && ' +
        'nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log"',
      { VAR, UPSTREAM: `unix:${sock}`, LISTEN: `127.0.0.1:${port}` });
      let page;
      for (let i = 0; i < 100; i++) {
        try {
          page = await request('GET', '/', {}, port);
          break;
        } catch { await sleep(100); }
      }
      assert.equal(page?.status, 200, 'a page');
      assert.equal((await request('GET', '/field/', {}, port)).status, 200);
      assert.equal((await request('GET', '/api/v1/health', {}, port)).status, 200, 'the worker');
      const workers = nginxWorkers(masterOf(VAR));
      assert.ok(workers.length >= 1);
      for (const w of workers) assert.notEqual(uidOf(w), 0);
    } finally {
      try { sh('stop_pid nginx nginx QUIT 15', { VAR }); } catch { /* not started */ }
      if (web.startsWith('/tmp/swn-web-')) rmSync(web, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });
