// HEAD is answered wherever GET is, with the same status and headers and
// no body (API.md v1.1 "Everywhere"; RFC 9110 9.3.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, assertProblem } from './lib.mjs';
import { fileCase } from './wage_lib.mjs';

// Headers that may differ between two answers by nature, and message
// framing: when nginx compresses a GET on the fly it streams it chunked,
// and a HEAD, having no body, has no framing to announce (RFC 9110 8.6).
const VARYING = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

function headersOf(res) {
  return Object.fromEntries([...res.headers].filter(([k]) => !VARYING.has(k)));
}

async function same(path, opts = {}) {
  const get = await api('GET', path, opts);
  const head = await api('HEAD', path, opts);
  assert.equal(head.status, get.status, path);
  assert.equal(head.text, '', `HEAD ${path} has no body`);
  assert.deepEqual(headersOf(head), headersOf(get), path);
  // Without compression the length is announced alike.
  const plain = { ...opts, headers: { 'Accept-Encoding': 'identity' } };
  const [g, h] = [await api('GET', path, plain), await api('HEAD', path, plain)];
  assert.equal(h.headers.get('content-length'), g.headers.get('content-length'), path);
  return { get, head };
}

test('HEAD: the same status and headers as GET, no body', async () => {
  const token = await adminToken();
  const { get } = await same('/units');
  assert.equal(get.status, 200);
  await same('/health');
  const c = await fileCase(token);
  const { head } = await same(`/wage-cases/${c.body.id}`, { token });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('etag'), `"${c.body.version}"`);
  // Errors too: unauthenticated, not found.
  assert.equal((await same(`/wage-cases/${c.body.id}`)).head.status, 401);
  assert.equal((await same('/wage-cases/999999999', { token })).head.status, 404);
  assert.equal((await same('/no-such-thing')).head.status, 404);
});

test('HEAD on a path without GET is 405, and Allow names HEAD beside GET', async () => {
  const res = await api('HEAD', '/auth/login');
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'POST');
  const put = await api('PUT', '/units');
  assertProblem(put, 405, 'method_not_allowed');
  assert.equal(put.headers.get('allow'), 'GET, HEAD, POST');
});
