/*
 * Requests from a chosen loopback address, and raw connections, for the
 * tests of nginx's limits per address (limits.serial.test.mjs).  The
 * whole of 127.0.0.0/8 is this machine, so each test can be "another
 * client" with its own limits, as a phone on another network would be.
 */
import http from 'node:http';
import net from 'node:net';
import { BASE_URL } from './lib.mjs';

const base = new URL(BASE_URL);
export const HOST = base.hostname;
export const PORT = Number(base.port);

/*
 * from(localAddress, method, path, {token, cookie, body, raw, headers}) → the
 * answer {status, headers, json, text} as lib.mjs's api() gives it (headers
 * a Headers), over a fresh connection.
 */
export function from(localAddress, method, path, opts = {}) {
  const { token, cookie, body, raw, headers = {} } = opts;
  const h = {};
  if (token) h.Authorization = `Bearer ${token}`;
  if (cookie) h.Cookie = `sid=${cookie}`;
  let payload;
  if (raw !== undefined || body !== undefined) {
    payload = Buffer.from(raw !== undefined ? raw : JSON.stringify(body));
    h['Content-Type'] = 'application/json';
    h['Content-Length'] = payload.length;
  }
  Object.assign(h, headers);
  // Encoded as fetch() would (a space or a Chinese character in a path).
  const u = new URL(path.startsWith('/api/') ? path : `/api/v1${path}`, BASE_URL);
  const p = u.pathname + u.search;
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: HOST, port: PORT, path: p, method,
      localAddress, headers: h, agent: false,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let json = null;
        if (/json/.test(res.headers['content-type'] || '') && text) {
          try { json = JSON.parse(text); } catch { json = undefined; }
        }
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          for (const x of [].concat(v)) headers.append(k, String(x));
        }
        resolve({ status: res.statusCode, headers, json, text });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/* Counts of each status in a list of answers: {"401": 40, "429": 60}. */
export function tally(answers) {
  const c = {};
  for (const a of answers) c[a.status] = (c[a.status] || 0) + 1;
  return c;
}

/*
 * A raw connection from localAddress that has connected and then sent
 * first (a string, maybe empty).  Resolves once connected; .gone is a
 * promise of the time (ms since the epoch) nginx closed or reset it (also
 * in .goneAt), and .data is what it answered.
 */
export function connection(localAddress, first = '') {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: HOST, port: PORT, localAddress });
    s.data = '';
    s.goneAt = null;
    s.gone = new Promise((done) => {
      const end = () => {
        if (s.goneAt === null) s.goneAt = Date.now();
        done(s.goneAt);
      };
      s.on('close', end);
      s.on('error', end);
    });
    s.on('data', (d) => { s.data += d; });
    s.once('connect', () => {
      if (first) s.write(first);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/* Resolves with true when p settles within ms, false otherwise. */
export async function within(p, ms) {
  let t;
  const timer = new Promise((ok) => { t = setTimeout(() => ok(false), ms); });
  const r = await Promise.race([p.then(() => true), timer]);
  clearTimeout(t);
  return r;
}
