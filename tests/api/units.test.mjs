// /units: the public tree, seeded with the district and its towns and
// streets; POST /units for admins (API.md Auth, users, units).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  DISTRICT_NAME, SEEDED_CHILDREN, adminToken, api, assertFieldErrors, assertJson, assertProblem,
  createUser, seededUnits, show, uniq,
} from './lib.mjs';

let token;
let district;
before(async () => {
  token = await adminToken();
  district = (await seededUnits()).district;
});

const unitBody = (over = {}) => ({
  code: uniq('u'), name: '测试单位', kind: 'direct', parent_id: district.id, ...over,
});

test('GET /units is public and lists the seeded district, towns and streets', async () => {
  const res = await api('GET', '/units');
  const body = assertJson(res, 200);
  assert.ok(Array.isArray(body.items));
  for (const u of body.items) {
    assert.deepEqual(Object.keys(u).sort(), ['code', 'id', 'kind', 'name', 'parent_id']);
    assert.ok(['district', 'town', 'street', 'direct'].includes(u.kind), u.kind);
  }
  const districts = body.items.filter((u) => u.name === DISTRICT_NAME);
  assert.equal(districts.length, 1);
  const d = districts[0];
  assert.equal(d.kind, 'district');
  assert.equal(d.parent_id, null);
  assert.equal(typeof d.id, 'number');
  assert.equal(typeof d.code, 'string');

  for (const name of SEEDED_CHILDREN) {
    const hits = body.items.filter((u) => u.name === name);
    assert.equal(hits.length, 1, name);
    assert.equal(hits[0].parent_id, d.id, `${name} is under the district`);
    assert.equal(hits[0].kind, name.endsWith('镇') ? 'town' : 'street', name);
  }
  // Exactly one district: every other unit has a parent.
  assert.equal(body.items.filter((u) => u.parent_id === null).length, 1);
  assert.equal(body.items.filter((u) => u.kind === 'district').length, 1);
});

test('GET /units/{id}', async () => {
  const res = await api('GET', `/units/${district.id}`);
  assert.deepEqual(assertJson(res, 200), district);
  assertProblem(await api('GET', '/units/999999999'), 404, 'not_found');
});

test('POST /units (admin): 201 with Location, then listed', async () => {
  const body = unitBody({ name: '常州某直属工会', kind: 'direct' });
  const res = await api('POST', '/units', { token, body });
  const u = assertJson(res, 201);
  assert.equal(typeof u.id, 'number');
  assert.deepEqual(u, { id: u.id, code: body.code, name: body.name, kind: 'direct', parent_id: district.id });
  assert.equal(res.headers.get('location'), `/api/v1/units/${u.id}`);

  const list = await api('GET', '/units');
  const hits = list.json.items.filter((x) => x.code === body.code);
  assert.deepEqual(hits, [u]);
  const one = await api('GET', res.headers.get('location'));
  assert.deepEqual(one.json, u);
});

test('POST /units: a unit below a town; kinds town and street', async () => {
  const town = (await seededUnits()).children['遥观镇'];
  const child = await api('POST', '/units', { token, body: unitBody({ parent_id: town.id, name: '某村工会' }) });
  assert.equal(child.status, 201, show(child));
  assert.equal(child.json.parent_id, town.id);
  for (const kind of ['town', 'street']) {
    const res = await api('POST', '/units', { token, body: unitBody({ kind }) });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json.kind, kind);
  }
});

test('POST /units: text is trimmed', async () => {
  const body = unitBody({ name: '　  前后有空格的单位 \t' });
  const res = await api('POST', '/units', { token, body });
  assert.equal(res.status, 201, show(res));
  assert.equal(res.json.name, '前后有空格的单位');
  const list = await api('GET', '/units');
  assert.equal(list.json.items.find((u) => u.id === res.json.id).name, '前后有空格的单位');
});

test('POST /units: duplicate code → 409', async () => {
  const body = unitBody();
  assert.equal((await api('POST', '/units', { token, body })).status, 201);
  const res = await api('POST', '/units', { token, body: { ...body, name: '另一个名字' } });
  assertProblem(res, 409, 'unit_code_taken');
  const hits = (await api('GET', '/units')).json.items.filter((u) => u.code === body.code);
  assert.equal(hits.length, 1);
  assert.equal(hits[0].name, body.name, 'the first one is unchanged');
  // The seeded district's code is taken too.
  assertProblem(await api('POST', '/units', { token, body: unitBody({ code: district.code }) }), 409,
    'unit_code_taken');
});

test('POST /units: unknown parent → 400 field parent_id', async () => {
  const body = unitBody({ parent_id: 999999999 });
  const res = await api('POST', '/units', { token, body });
  assertFieldErrors(res, [['parent_id', 'unknown']], { exact: true });
  assert.equal((await api('GET', '/units')).json.items.filter((u) => u.code === body.code).length, 0);
});

test('POST /units: field rules', async () => {
  assertFieldErrors(await api('POST', '/units', { token, body: unitBody({ kind: 'district' }) }),
    [['kind', 'enum']], { exact: true });
  assertFieldErrors(await api('POST', '/units', { token, body: unitBody({ kind: 'village' }) }),
    [['kind', 'enum']], { exact: true });
  assertFieldErrors(await api('POST', '/units', { token, body: unitBody({ name: '' }) }),
    [['name', 'required']], { exact: true });
  assertFieldErrors(await api('POST', '/units', { token, body: unitBody({ name: '单'.repeat(51) }) }),
    [['name', 'too_long']], { exact: true });
  const fifty = await api('POST', '/units', { token, body: unitBody({ name: '单'.repeat(50) }) });
  assert.equal(fifty.status, 201, show(fifty));
  assert.equal(fifty.json.name, '单'.repeat(50));
  assertFieldErrors(await api('POST', '/units', { token, body: unitBody({ code: 'a b' }) }),
    [['code']], { exact: true });
  assertFieldErrors(await api('POST', '/units', { token, body: unitBody({ parent_id: 0 }) }),
    [['parent_id']], { exact: true });
});

test('POST /units: staff and volunteers 403, anonymous 401', async () => {
  const staff = await createUser({ role: 'staff' }, { signIn: true });
  const vol = await createUser({ role: 'volunteer' }, { signIn: true });
  const body = unitBody();
  assertProblem(await api('POST', '/units', { token: staff.token, body }), 403, 'forbidden');
  assertProblem(await api('POST', '/units', { token: vol.token, body }), 403, 'forbidden');
  assertProblem(await api('POST', '/units', { body }), 401, 'unauthenticated');
  assert.equal((await api('GET', '/units')).json.items.filter((u) => u.code === body.code).length, 0);
  // Everyone may read the tree.
  assert.equal((await api('GET', '/units', { token: vol.token })).status, 200);
});
