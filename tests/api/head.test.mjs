// HEAD is answered wherever GET is, with the same status and headers and
// no body (API.md v1.1 "Everywhere"; RFC 9110 9.3.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminToken, api, assertProblem, createUnit, createUser, seededUnits,
} from './lib.mjs';
import { fileCase } from './wage_lib.mjs';
import { logVisit, workerVisit } from './visits_lib.mjs';
import { register } from './safe_returns_lib.mjs';

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

test('HEAD on every GET route of visits, safe returns, campaigns, users, statistics and messages', async () => {
  // A town of its own, so that what these callers list changes only here
  // (GET and HEAD of a list must see the same rows).
  const admin = await adminToken();
  const { district } = await seededUnits();
  const town = await createUnit({ kind: 'town', name: 'HEAD 测试镇', parent_id: district.id }, { token: admin });
  const vol = await createUser({ role: 'volunteer', unit_id: town.id }, { signIn: true });
  const staff = await createUser({ role: 'staff', unit_id: town.id }, { signIn: true });
  const visit = await logVisit(vol.token, workerVisit({ unit_id: town.id }));
  const trip = await register(vol.token, { unit_id: town.id });
  const c = await fileCase(staff.token, { unit_id: town.id });
  const camp = await api('POST', '/campaigns', {
    token: admin, body: { title: `HEAD 测试 ${Date.now().toString(36)}`, from: '2021-01-01', to: '2021-01-31', report_due: '2021-02-10' },
  });
  assert.equal(camp.status, 201);
  const period = 'from=2021-01-01&to=2021-12-31';
  const rows = [
    // [path, token, expected status]
    ['/messages', null, 200],
    ['/me', vol.token, 200],
    ['/visits/categories', null, 200],
    ['/visits?limit=5', vol.token, 200],
    [`/visits/${visit.id}`, vol.token, 200],
    ['/visits/999999999', vol.token, 404],
    ['/visits?limit=0', vol.token, 400],
    ['/safe-returns/provinces', null, 200],
    ['/safe-returns?limit=5', vol.token, 200],
    [`/safe-returns/${trip.id}`, vol.token, 200],
    [`/safe-returns/${trip.id}`, null, 401],
    ['/wage-cases?limit=5', staff.token, 200],
    [`/wage-cases/track?reference=${c.body.reference}&code=${c.body.tracking_code}`, null, 200],
    ['/wage-cases/track?reference=QX2000-999999&code=ABCDEFGH', null, 404],
    [`/campaigns/${camp.json.id}`, staff.token, 200],
    [`/users/${vol.user.id}`, admin, 200],
    [`/users/${vol.user.id}`, staff.token, 403],
    [`/units/${town.id}`, null, 200],
    [`/stats?unit_id=${town.id}&${period}`, staff.token, 200],
    [`/stats/by-unit?parent_id=${town.id}&${period}`, staff.token, 200],
    [`/stats/export?format=csv&unit_id=${town.id}&${period}`, staff.token, 200],
    [`/stats/records?row=A&unit_id=${town.id}&${period}`, staff.token, 200],
    [`/stats?unit_id=${town.id}&${period}`, vol.token, 403],
  ];
  for (const [path, token, status] of rows) {
    const { get, head } = await same(path, token ? { token } : {});
    assert.equal(get.status, status, `GET ${path}: ${get.text.slice(0, 200)}`);
    assert.equal(head.status, status, `HEAD ${path}`);
  }
});
