// GET /health, content types, 404 and 405 (API.md: Conventions, Health).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, assertJson, assertProblem } from './lib.mjs';

test('GET /health: 200 {status ok, db ok, version}', async () => {
  const res = await api('GET', '/health');
  const body = assertJson(res, 200);
  assert.equal(body.status, 'ok');
  assert.equal(body.db, 'ok');
  assert.equal(typeof body.version, 'string');
  assert.ok(body.version.length > 0, 'version is set');
});

test('JSON answers carry charset=utf-8 (lists, records, problems)', async () => {
  const token = await adminToken();
  assertJson(await api('GET', '/units'), 200);
  assertJson(await api('GET', '/me', { token }), 200);
  assertJson(await api('GET', '/users?limit=1', { token }), 200);
  assertProblem(await api('GET', '/me'), 401, 'unauthenticated');
});

test('unknown path: 404 problem document', async () => {
  for (const path of ['/api/v1/no-such-thing', '/api/v1/units/abc', '/api/v1/users/0', '/api/v2/health']) {
    const res = await api('GET', path);
    const p = assertProblem(res, 404, 'not_found');
    assert.equal(p.type, '/api/v1/problems/not_found', path);
  }
});

test('unknown record: 404 problem document', async () => {
  const token = await adminToken();
  assertProblem(await api('GET', '/units/999999999'), 404, 'not_found');
  assertProblem(await api('GET', '/users/999999999', { token }), 404, 'not_found');
});

test('wrong method: 405 with Allow', async () => {
  const res = await api('DELETE', '/units');
  const p = assertProblem(res, 405, 'method_not_allowed');
  assert.ok(p.type.length > 0);
  const allow = (res.headers.get('allow') || '').split(/\s*,\s*/);
  assert.ok(allow.includes('GET'), `Allow: ${res.headers.get('allow')}`);
  assert.ok(allow.includes('POST'), `Allow: ${res.headers.get('allow')}`);
  assert.ok(!allow.includes('DELETE'), `Allow: ${res.headers.get('allow')}`);

  const h = await api('PUT', '/health');
  assertProblem(h, 405, 'method_not_allowed');
  assert.deepEqual((h.headers.get('allow') || '').split(/\s*,\s*/), ['GET', 'HEAD']);

  const u = await api('POST', '/users/1', { token: await adminToken(), body: {} });
  assertProblem(u, 405, 'method_not_allowed');
  const allowU = (u.headers.get('allow') || '').split(/\s*,\s*/);
  assert.ok(allowU.includes('GET') && allowU.includes('PATCH'), `Allow: ${u.headers.get('allow')}`);
});
