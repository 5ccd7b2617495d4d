// Safe return home (API.md "Safe return home" and v1.1 "Safe returns";
// docs/safe-returns.md): registration of one party or a busload, the
// field rules with every error at once, the transitions, the arrival code
// a traveller types, who may see and change what, and what is at rest.
//
// Everything happens in fresh towns A (with a street under it) and B, so
// parallel test files do not disturb it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  adminToken, allPages, api, assertFieldErrors, assertJson, assertProblem, createUnit,
  createUser, seededUnits, show,
} from './lib.mjs';
import {
  RFC3339_CST, addDays, badChecksum, etagVersion, idNumberX, maskId, maskPhone, todayShanghai,
} from './wage_lib.mjs';
import { dump, freshIdNumber, freshPhone, sql } from './db_lib.mjs';
import {
  ARRIVAL_CODE, PROVINCES, arrive, batchBody, getRecord, moveTo, recordBody, register,
  registerBatch,
} from './safe_returns_lib.mjs';

let admin;
let townA;
let streetA;
let townB;
let staffA;
let staffB;
let staffStreet;
let volA; // a volunteer of town A
let volA2; // another volunteer of town A
let volB;
let today;

before(async () => {
  admin = await adminToken();
  const { district } = await seededUnits();
  townA = await createUnit({ kind: 'town', name: '返乡测试甲镇', parent_id: district.id }, { token: admin });
  streetA = await createUnit({ kind: 'street', name: '返乡测试甲街道', parent_id: townA.id }, { token: admin });
  townB = await createUnit({ kind: 'town', name: '返乡测试乙镇', parent_id: district.id }, { token: admin });
  [staffA, staffB, staffStreet, volA, volA2, volB] = await Promise.all([
    createUser({ role: 'staff', unit_id: townA.id, display_name: '甲镇干事' }, { signIn: true }),
    createUser({ role: 'staff', unit_id: townB.id }, { signIn: true }),
    createUser({ role: 'staff', unit_id: streetA.id }, { signIn: true }),
    createUser({ role: 'volunteer', unit_id: townA.id, display_name: '志愿者小李' }, { signIn: true }),
    createUser({ role: 'volunteer', unit_id: townA.id }, { signIn: true }),
    createUser({ role: 'volunteer', unit_id: townB.id }, { signIn: true }),
  ]);
  today = todayShanghai();
});

/* Every record a caller's list holds, optionally filtered. */
function listAll(token, query = '') {
  return allPages(`/safe-returns${query ? `?${query}` : ''}`, { token });
}

// ---- Registration ------------------------------------------------------

test('a volunteer registers a party: 201, Location, ETag, arrival code; stored as sent; masked for them', async () => {
  const phone = freshPhone();
  const idn = freshIdNumber();
  const res = await api('POST', '/safe-returns', {
    token: volA.token,
    body: {
      traveler: { name: '  王建国 ', phone, id_number: idn },
      party_size: 3,
      hometown: { province: '河南省', city: '信阳市' },
      depart_on: today,
      transport: 'coach',
      assistance: ['gift', 'ticket', 'subsidy'],
      subsidy_amount: '200.5',
      note: '带两个孩子\n需要帮忙提行李',
    },
  });
  const r = assertJson(res, 201);
  assert.equal(res.headers.get('location'), `/api/v1/safe-returns/${r.id}`);
  assert.equal(res.headers.get('etag'), '"1"');
  assert.match(r.arrival_code, ARRIVAL_CODE);
  assert.equal(r.unit_id, townA.id, 'the volunteer\'s own unit by default');
  assert.equal(r.unit_name, '返乡测试甲镇');
  assert.deepEqual(r.traveler, { name: '王建国', phone: maskPhone(phone), id_number: maskId(idn) });
  assert.equal(r.party_size, 3);
  assert.deepEqual(r.hometown, { province: '河南省', city: '信阳市' });
  assert.equal(r.depart_on, today);
  assert.equal(r.transport, 'coach');
  assert.deepEqual(r.assistance, ['ticket', 'subsidy', 'gift'], 'in the contract\'s order');
  assert.equal(r.subsidy_amount, '200.50');
  assert.equal(r.status, 'registered');
  assert.equal(r.status_label, '已登记');
  assert.equal(r.note, '带两个孩子\n需要帮忙提行李');
  assert.equal(r.batch_id, null);
  assert.equal(r.bus_label, null);
  assert.equal(r.created_by, volA.user.id);
  assert.equal(r.created_by_name, '志愿者小李');
  assert.equal(r.version, 1);
  assert.match(r.created_at, RFC3339_CST);
  assert.equal(r.departed_at, null);
  assert.equal(r.arrived_at, null);
  assert.equal(r.events.length, 1);
  assert.equal(r.events[0].to, 'registered');
  assert.equal(r.events[0].user, '志愿者小李');

  // Staff of the town see it whole; the code is never shown again.
  const full = await getRecord(staffA.token, r.id);
  assert.deepEqual(full.traveler, { name: '王建国', phone, id_number: idn });
  assert.equal(full.arrival_code, undefined);
  const { arrival_code: _code, ...shown } = r;
  const { ...again } = await getRecord(volA.token, r.id);
  assert.deepEqual(again, shown, 'the volunteer reads back what the 201 said');
});

test('defaults: party_size 1, subsidy 0.00; staff registering see the record unmasked', async () => {
  const phone = freshPhone();
  const res = await api('POST', '/safe-returns', {
    token: staffA.token,
    body: recordBody({ unit_id: streetA.id, traveler: { name: '李秀英', phone }, hometown: { province: '四川省' } }),
  });
  const r = assertJson(res, 201);
  assert.equal(r.unit_id, streetA.id);
  assert.equal(r.party_size, 1);
  assert.equal(r.subsidy_amount, '0.00');
  assert.deepEqual(r.traveler, { name: '李秀英', phone, id_number: null });
  assert.deepEqual(r.hometown, { province: '四川省', city: null });
});

test('every invalid field is reported at once, with its path; nothing is stored', async () => {
  const before = (await listAll(volA2.token)).length;
  const res = await api('POST', '/safe-returns', {
    token: volA2.token,
    body: {
      traveler: { phone: '1381234567', id_number: badChecksum(freshIdNumber()), age: 40 },
      party_size: 0,
      hometown: { province: '河南' },
      depart_on: '2026-02-30',
      transport: 'boat',
      assistance: [],
      subsidy_amount: '12.345',
      status: 'arrived',
    },
  });
  assertFieldErrors(res, [
    ['traveler.name', 'required'],
    ['traveler.phone', 'format'],
    ['traveler.id_number', 'checksum'],
    ['traveler.age', 'unknown_field'],
    ['party_size', 'out_of_range'],
    ['hometown.province', 'enum'],
    ['depart_on', 'date'],
    ['transport', 'enum'],
    ['assistance', 'required'],
    ['subsidy_amount', 'decimals'],
    ['status', 'unknown_field'],
  ], { exact: true });
  // Nothing at all: every required field missing.
  assertFieldErrors(await api('POST', '/safe-returns', { token: volA2.token, body: {} }), [
    ['traveler', 'required'], ['hometown', 'required'], ['depart_on', 'required'],
    ['transport', 'required'], ['assistance', 'required'],
  ], { exact: true });
  assert.equal((await listAll(volA2.token)).length, before, 'nothing was stored');
});

test('field limits: lengths in characters, party size, money, dates within a year, enum sets', async () => {
  const t = volA.token;
  const post = (over) => api('POST', '/safe-returns', { token: t, body: recordBody(over) });
  const phone = freshPhone();
  // Exactly at the limits: accepted.
  const ok = assertJson(await post({
    traveler: { name: '王'.repeat(50), phone },
    hometown: { province: '新疆维吾尔自治区', city: '城'.repeat(50) },
    party_size: 60,
    bus_label: '车'.repeat(50),
    note: '注'.repeat(2000),
    subsidy_amount: '100000000.00',
    depart_on: addDays(today, 366),
    assistance: ['ticket', 'charter_bus', 'subsidy', 'gift', 'escort', 'other'],
  }), 201);
  assert.equal(ok.traveler.name.length, 50);
  assert.equal(ok.subsidy_amount, '100000000.00');
  assert.equal(ok.party_size, 60);
  assert.equal(ok.assistance.length, 6);
  // One past each limit.
  assertFieldErrors(await post({
    traveler: { name: '王'.repeat(51), phone },
    hometown: { province: '河南省', city: '城'.repeat(51) },
    party_size: 61,
    bus_label: '车'.repeat(51),
    note: '注'.repeat(2001),
    subsidy_amount: '100000000.01',
    depart_on: addDays(today, 367),
  }), [
    ['traveler.name', 'too_long'], ['hometown.city', 'too_long'], ['party_size', 'out_of_range'],
    ['bus_label', 'too_long'], ['note', 'too_long'], ['subsidy_amount', 'out_of_range'],
    ['depart_on', 'out_of_range'],
  ], { exact: true });
  assertFieldErrors(await post({ depart_on: addDays(today, -367) }), [['depart_on', 'out_of_range']], { exact: true });
  assert.equal((await post({ depart_on: addDays(today, -366) })).status, 201);
  // Types, sets and single-line text.
  assertFieldErrors(await post({
    party_size: '2',
    assistance: ['ticket', 'ticket'],
    transport: 7,
    traveler: { name: '王\u202e五', phone: 13812345678 },
    hometown: '河南省',
  }), [
    ['party_size', 'type'], ['assistance', 'duplicate'], ['transport', 'type'],
    ['traveler.name', 'format'], ['traveler.phone', 'type'], ['hometown', 'type'],
  ], { exact: true });
  assertFieldErrors(await post({ assistance: ['ticket', 'taxi'] }), [['assistance[1]', 'enum']], { exact: true });
  assertFieldErrors(await post({ assistance: 'ticket' }), [['assistance', 'type']], { exact: true });
  assertFieldErrors(await post({ subsidy_amount: '-1' }), [['subsidy_amount', 'out_of_range']], { exact: true });
  // A lowercase x is stored as X.
  const idx = idNumberX();
  const r = assertJson(await post({ unit_id: townA.id, traveler: { name: '赵六', phone, id_number: idx.toLowerCase() } }), 201);
  assert.equal((await getRecord(staffA.token, r.id)).traveler.id_number, idx);
});

test('provinces: the 34 provincial divisions, and hometown.province accepts exactly those', async () => {
  const res = await api('GET', '/safe-returns/provinces');
  const p = assertJson(res, 200);
  assert.deepEqual(p.items.map((x) => x.name), PROVINCES);
  assert.equal(p.items.length, 34);
  assert.equal(p.items[9].code, '32');
  assert.equal(p.items[9].name, '江苏省');
  // A busload from every province at once is accepted, each stored as sent.
  const body = batchBody(34);
  body.travellers.forEach((t, i) => { t.hometown = { province: PROVINCES[i] }; });
  const b = await registerBatch(volA.token, body);
  assert.deepEqual(b.items.map((x) => x.hometown.province), PROVINCES);
  // Short or other forms are not provinces.
  for (const bad of ['河南', '北京', 'Henan', '中国', '江苏']) {
    const r = await api('POST', '/safe-returns', { token: volA.token, body: recordBody({ hometown: { province: bad } }) });
    assertFieldErrors(r, [['hometown.province', 'enum']], { exact: true });
  }
  assertFieldErrors(await api('POST', '/safe-returns', {
    token: volA.token, body: recordBody({ hometown: { province: '' } }),
  }), [['hometown.province']], { exact: true });
});

// ---- Busloads ----------------------------------------------------------

test('a busload in one request: every record as POST /safe-returns returns it, in order', async () => {
  const body = batchBody(3, { subsidy_amount: '50', note: '东站 7 号门集合' });
  body.travellers[1].party_size = 2;
  body.travellers[1].id_number = freshIdNumber();
  body.travellers[2].hometown = { province: '贵州省', city: '毕节市' };
  const res = await api('POST', '/safe-returns/batch', { token: volA.token, body });
  const b = assertJson(res, 201);
  assert.equal(b.items.length, 3);
  assert.equal(b.batch_id, b.items[0].id);
  assert.equal(res.headers.get('location'), `/api/v1/safe-returns?batch_id=${b.batch_id}`);
  const codes = new Set();
  b.items.forEach((r, i) => {
    const t = body.travellers[i];
    assert.equal(r.traveler.name, t.name);
    assert.equal(r.traveler.phone, maskPhone(t.phone));
    assert.equal(r.traveler.id_number, t.id_number ? maskId(t.id_number) : null);
    assert.equal(r.party_size, t.party_size || 1);
    assert.deepEqual(r.hometown, { province: t.hometown.province, city: t.hometown.city || null });
    assert.equal(r.unit_id, townA.id);
    assert.equal(r.depart_on, body.depart_on);
    assert.equal(r.transport, 'charter_bus');
    assert.deepEqual(r.assistance, ['charter_bus', 'gift']);
    assert.equal(r.subsidy_amount, '50.00', 'each party\'s subsidy');
    assert.equal(r.bus_label, '苏D·春运01');
    assert.equal(r.note, '东站 7 号门集合');
    assert.equal(r.batch_id, b.batch_id);
    assert.equal(r.status, 'registered');
    assert.equal(r.version, 1);
    assert.ok(Array.isArray(r.events) && r.events.length === 1);
    assert.match(r.arrival_code, ARRIVAL_CODE);
    codes.add(r.arrival_code);
  });
  assert.equal(codes.size, 3, 'every traveller has a code of their own');
  // The busload's list, and each record read back.
  const list = await listAll(volA.token, `batch_id=${b.batch_id}`);
  assert.deepEqual(list.map((r) => r.id), b.items.map((r) => r.id).reverse());
  for (const r of b.items) {
    const { arrival_code: _c, ...rest } = r;
    assert.deepEqual(await getRecord(volA.token, r.id), rest);
  }
});

test('a busload is all or nothing: one bad passenger stores nobody; every error has its path', async () => {
  const before = (await listAll(volA2.token)).length;
  const body = batchBody(14);
  body.travellers[12].phone = '1390000000';
  const res = await api('POST', '/safe-returns/batch', { token: volA2.token, body });
  assertFieldErrors(res, [['travellers[12].phone', 'format']], { exact: true });
  assert.equal((await listAll(volA2.token)).length, before, 'nobody was stored');

  // Many at once, shared fields and passengers alike.
  const idn = freshIdNumber();
  const bad = batchBody(4, { transport: 'ship', depart_on: '2026-13-01', subsidy_amount: 'abc' });
  bad.travellers[0].id_number = idn;
  bad.travellers[2].id_number = idn.replace('X', 'x');
  bad.travellers[1] = { phone: freshPhone(), party_size: 61, hometown: { city: '某市' }, seat: 3 };
  bad.travellers[3].hometown = { province: '火星' };
  assertFieldErrors(await api('POST', '/safe-returns/batch', { token: volA2.token, body: bad }), [
    ['transport', 'enum'], ['depart_on', 'date'], ['subsidy_amount', 'format'],
    ['travellers[1].seat', 'unknown_field'], ['travellers[1].name', 'required'],
    ['travellers[1].party_size', 'out_of_range'], ['travellers[1].hometown.province', 'required'],
    ['travellers[3].hometown.province', 'enum'], ['travellers[2].id_number', 'duplicate'],
  ], { exact: true });

  // 1-60 travellers.
  assertFieldErrors(await api('POST', '/safe-returns/batch', { token: volA2.token, body: batchBody(0) }),
    [['travellers', 'too_few']], { exact: true });
  assertFieldErrors(await api('POST', '/safe-returns/batch', { token: volA2.token, body: batchBody(61) }),
    [['travellers', 'too_many']], { exact: true });
  assertFieldErrors(await api('POST', '/safe-returns/batch', { token: volA2.token, body: { ...batchBody(1), travellers: {} } }),
    [['travellers', 'type']], { exact: true });
  const full = await registerBatch(volA2.token, batchBody(60));
  assert.equal(full.items.length, 60);
  assert.equal((await listAll(volA2.token)).length, before + 60);
});

test('one Idempotency-Key covers the whole busload: a retry replays it, a changed body is 422', async () => {
  const key = randomUUID();
  const body = batchBody(5);
  const first = await api('POST', '/safe-returns/batch', { token: volB.token, body, headers: { 'Idempotency-Key': key } });
  assert.equal(first.status, 201, show(first));
  const again = await api('POST', '/safe-returns/batch', { token: volB.token, body, headers: { 'Idempotency-Key': key } });
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.text, first.text, 'byte for byte, codes included');
  const mine = await listAll(volB.token, `batch_id=${first.json.batch_id}`);
  assert.equal(mine.length, 5, 'stored once');
  const changed = { ...body, bus_label: '另一辆车' };
  assertProblem(await api('POST', '/safe-returns/batch', { token: volB.token, body: changed, headers: { 'Idempotency-Key': key } }),
    422, 'idempotency_mismatch');
});

// ---- Who may do what ---------------------------------------------------

test('a volunteer of one town cannot register for another: 403, nothing stored; unknown unit 400', async () => {
  const before = (await listAll(volB.token)).length;
  assertProblem(await api('POST', '/safe-returns', { token: volB.token, body: recordBody({ unit_id: townA.id }) }), 403, 'forbidden');
  assertProblem(await api('POST', '/safe-returns/batch', { token: volB.token, body: batchBody(2, { unit_id: townA.id }) }), 403, 'forbidden');
  assertProblem(await api('POST', '/safe-returns', { token: staffB.token, body: recordBody({ unit_id: streetA.id }) }), 403, 'forbidden');
  assert.equal((await listAll(volB.token)).length, before);
  assertFieldErrors(await api('POST', '/safe-returns', { token: volB.token, body: recordBody({ unit_id: 999999999 }) }),
    [['unit_id', 'unknown']], { exact: true });
  // Down their own tree is fine.
  const r = await register(volA.token, { unit_id: streetA.id });
  assert.equal(r.unit_id, streetA.id);
  // Anonymous: 401.
  assertProblem(await api('POST', '/safe-returns', { body: recordBody() }), 401);
  assertProblem(await api('GET', '/safe-returns'), 401);
});

test('visibility: volunteers see what they created; staff their subtree; others 404', async () => {
  const mine = await register(volA.token, { unit_id: streetA.id });
  const other = await register(volA2.token);
  const a = await register(staffA.token, { unit_id: townA.id });

  const volList = await listAll(volA.token);
  assert.ok(volList.some((r) => r.id === mine.id));
  assert.ok(!volList.some((r) => r.id === other.id || r.id === a.id), 'only their own');
  for (const r of volList) assert.equal(r.created_by, volA.user.id);
  assertProblem(await api('GET', `/safe-returns/${other.id}`, { token: volA.token }), 404, 'not_found');

  // Staff of town B: 404 for reads and every change, like a record that does not exist.
  const miss = await api('GET', '/safe-returns/999999999', { token: staffB.token });
  assertProblem(miss, 404, 'not_found');
  const hid = await api('GET', `/safe-returns/${a.id}`, { token: staffB.token });
  assert.equal(hid.text, miss.text, 'the same answer as for no record');
  assertProblem(await api('PATCH', `/safe-returns/${a.id}`, {
    token: staffB.token, body: { party_size: 2 }, headers: { 'If-Match': '"1"' },
  }), 404);
  assertProblem(await api('POST', `/safe-returns/${a.id}/transitions`, {
    token: staffB.token, body: { to: 'cancelled' }, headers: { 'If-Match': '"1"' },
  }), 404);
  assertProblem(await api('POST', `/safe-returns/${mine.id}/transitions`, {
    token: volA2.token, body: { to: 'cancelled' }, headers: { 'If-Match': '"1"' },
  }), 404, 'not_found');
  assert.ok(!(await listAll(staffB.token)).some((r) => [mine.id, other.id, a.id].includes(r.id)));

  // Staff of the street see the street's record, not the town's.
  await getRecord(staffStreet.token, mine.id);
  assertProblem(await api('GET', `/safe-returns/${a.id}`, { token: staffStreet.token }), 404);
  const townList = await listAll(staffA.token);
  for (const id of [mine.id, other.id, a.id]) assert.ok(townList.some((r) => r.id === id));
});

test('a full read by staff is audited, with no personal value in the log', async () => {
  const phone = freshPhone();
  const r = await register(volA.token, { traveler: { name: '审计', phone } });
  await getRecord(staffA.token, r.id);
  const rows = sql(`SELECT action, user_id FROM audit_log WHERE table_name = 'safe_returns' AND record_id = ${r.id} ORDER BY id`);
  assert.deepEqual(rows.map((x) => x[0]), ['safe_return.create', 'safe_return.read']);
  assert.equal(rows[1][1], String(staffA.user.id));
  const [[text]] = sql(`SELECT GROUP_CONCAT(CONCAT_WS(' ', before_json, after_json)) FROM audit_log WHERE record_id = ${r.id} AND table_name = 'safe_returns'`);
  assert.ok(!text.includes(phone) && text.includes(maskPhone(phone)), text);
  // The volunteer's masked read is not a reveal.
  await getRecord(volA.token, r.id);
  assert.equal(sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'safe_return.read' AND record_id = ${r.id}`)[0][0], '1');
});

// ---- Lists ------------------------------------------------------------

test('lists always mask; filters status, unit_id (subtree), from/to on depart_on, batch_id, q', async () => {
  const phone = freshPhone();
  const idn = freshIdNumber();
  const s1 = await register(staffA.token, { unit_id: streetA.id, traveler: { name: '筛选甲', phone, id_number: idn }, depart_on: addDays(today, -10) });
  const s2 = await register(staffA.token, { unit_id: townA.id, traveler: { name: '筛选乙', phone: freshPhone() }, depart_on: addDays(today, -5) });
  const s3 = await register(staffA.token, { unit_id: townA.id, traveler: { name: '筛选丙', phone: freshPhone() }, depart_on: addDays(today, -1), bus_label: '筛选专车' });
  await moveTo(staffA.token, s2.id, 'departed');
  const ids = (items) => items.map((r) => r.id).filter((id) => [s1.id, s2.id, s3.id].includes(id));

  const all = await listAll(staffA.token, 'q=筛选');
  assert.deepEqual(ids(all), [s3.id, s2.id, s1.id], 'newest first');
  const one = all.find((r) => r.id === s1.id);
  assert.equal(one.traveler.phone, maskPhone(phone));
  assert.equal(one.traveler.id_number, maskId(idn));
  assert.equal(one.events, undefined, 'no history in lists');
  assert.equal(one.arrival_code, undefined);

  assert.deepEqual(ids(await listAll(staffA.token, 'q=筛选&status=departed')), [s2.id]);
  assert.deepEqual(ids(await listAll(staffA.token, `q=筛选&unit_id=${streetA.id}`)), [s1.id]);
  assert.deepEqual(ids(await listAll(staffA.token, `q=筛选&unit_id=${townA.id}`)), [s3.id, s2.id, s1.id]);
  assert.deepEqual(ids(await listAll(staffA.token, `q=筛选&from=${addDays(today, -5)}&to=${addDays(today, -1)}`)), [s3.id, s2.id]);
  assert.deepEqual(ids(await listAll(staffA.token, `q=筛选&from=${addDays(today, -10)}&to=${addDays(today, -10)}`)), [s1.id]);
  assert.deepEqual(ids(await listAll(staffA.token, 'q=专车')), [s3.id], 'q matches the bus label');
  assert.deepEqual(ids(await listAll(staffA.token, `q=${encodeURIComponent('筛%')}`)), [], 'LIKE wildcards are literal');

  assertFieldErrors(await api('GET', '/safe-returns?status=gone&from=2026-02-30&unit_id=x&batch_id=-1', { token: staffA.token }), [
    ['status', 'enum'], ['from', 'date'], ['unit_id', 'type'], ['batch_id', 'type'],
  ], { exact: true });
  assertFieldErrors(await api('GET', '/safe-returns?from=2026-02-02&to=2026-02-01', { token: staffA.token }), [['to', 'out_of_range']]);
  assertFieldErrors(await api('GET', '/safe-returns?unit_id=999999999', { token: staffA.token }), [['unit_id', 'unknown']]);
  assertFieldErrors(await api('GET', '/safe-returns?limit=0', { token: staffA.token }), [['limit', 'out_of_range']]);
});

test('keyset paging: limit and next_cursor, newest first, no duplicates', async () => {
  const b = await registerBatch(volA2.token, batchBody(7));
  const seen = [];
  let cursor = null;
  do {
    const res = await api('GET', `/safe-returns?batch_id=${b.batch_id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: volA2.token });
    const page = assertJson(res, 200);
    assert.ok(page.items.length <= 3);
    seen.push(...page.items.map((r) => r.id));
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, b.items.map((r) => r.id).sort((x, y) => y - x));
});

// ---- Transitions and changes --------------------------------------------

test('transitions: 428 without If-Match, 412 stale, 409 illegal; every legal move and its stamps', async () => {
  const r = await register(volA.token);
  const url = `/safe-returns/${r.id}/transitions`;
  assertProblem(await api('POST', url, { token: volA.token, body: { to: 'departed' } }), 428, 'precondition_required');
  assertProblem(await api('POST', url, { token: volA.token, body: { to: 'departed' }, headers: { 'If-Match': '"7"' } }), 412, 'precondition_failed');
  assertProblem(await api('POST', url, { token: volA.token, body: { to: 'departed' }, headers: { 'If-Match': 'seven' } }), 400, 'invalid_header');
  assertFieldErrors(await api('POST', url, { token: volA.token, body: { to: 'home' }, headers: { 'If-Match': '"1"' } }), [['to', 'enum']], { exact: true });
  assertFieldErrors(await api('POST', url, { token: volA.token, body: {}, headers: { 'If-Match': '"1"' } }), [['to', 'required']], { exact: true });
  const same = await api('POST', url, { token: volA.token, body: { to: 'registered' }, headers: { 'If-Match': '"1"' } });
  assertProblem(same, 409, 'illegal_transition');

  // registered → departed → arrived, by the volunteer who registered it.
  const dep = await api('POST', url, { token: volA.token, body: { to: 'departed', note: '已上车' }, headers: { 'If-Match': '"1"' } });
  const d = assertJson(dep, 200);
  assert.equal(dep.headers.get('etag'), '"2"');
  assert.equal(d.status, 'departed');
  assert.equal(d.status_label, '已出发');
  assert.match(d.departed_at, RFC3339_CST);
  assert.equal(d.arrived_at, null);
  for (const to of ['registered', 'cancelled', 'departed']) {
    assertProblem(await api('POST', url, { token: volA.token, body: { to }, headers: { 'If-Match': '"2"' } }), 409, 'illegal_transition');
  }
  const arr = assertJson(await api('POST', url, { token: staffA.token, body: { to: 'arrived' }, headers: { 'If-Match': '"2"' } }), 200);
  assert.equal(arr.status, 'arrived');
  assert.equal(arr.status_label, '已到家');
  assert.match(arr.arrived_at, RFC3339_CST);
  assert.equal(arr.version, 3);
  assert.deepEqual(arr.events.map((e) => [e.from, e.to]), [[null, 'registered'], ['registered', 'departed'], ['departed', 'arrived']]);
  assert.equal(arr.events[1].note, '已上车');
  assert.equal(arr.events[2].user, '甲镇干事');
  for (const to of ['registered', 'departed', 'cancelled', 'arrived']) {
    assertProblem(await api('POST', url, { token: staffA.token, body: { to }, headers: { 'If-Match': '"3"' } }), 409, 'illegal_transition');
  }

  // registered → arrived directly, and registered → cancelled, which is final.
  const r2 = await register(volA.token);
  const a2 = await moveTo(volA.token, r2.id, 'arrived');
  assert.equal(a2.departed_at, null);
  const r3 = await register(volA.token);
  const c3 = await moveTo(volA.token, r3.id, 'cancelled');
  assert.equal(c3.status_label, '已取消');
  for (const to of ['registered', 'departed', 'arrived', 'cancelled']) {
    assertProblem(await api('POST', `/safe-returns/${r3.id}/transitions`, {
      token: admin, body: { to }, headers: { 'If-Match': `"${c3.version}"` },
    }), 409, 'illegal_transition');
  }
});

test('5 concurrent transitions with the same If-Match: exactly one wins', async () => {
  const r = await register(volA.token);
  const answers = await Promise.all(Array.from({ length: 5 }, () =>
    api('POST', `/safe-returns/${r.id}/transitions`, { token: volA.token, body: { to: 'departed' }, headers: { 'If-Match': '"1"' } })));
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, 412, 412, 412, 412], answers.map(show).join('\n'));
  assert.equal((await getRecord(volA.token, r.id)).version, 2);
});

test('PATCH: If-Match required; changes only what is sent; history and version', async () => {
  const idn = freshIdNumber();
  const r = await register(volA.token, { traveler: { name: '改前', phone: freshPhone(), id_number: idn } });
  const url = `/safe-returns/${r.id}`;
  assertProblem(await api('PATCH', url, { token: volA.token, body: { party_size: 2 } }), 428, 'precondition_required');
  assertProblem(await api('PATCH', url, { token: volA.token, body: { party_size: 2 }, headers: { 'If-Match': '"2"' } }), 412, 'precondition_failed');
  assertFieldErrors(await api('PATCH', url, { token: volA.token, body: {}, headers: { 'If-Match': '"1"' } }), [['', 'required']], { exact: true });
  assertFieldErrors(await api('PATCH', url, {
    token: volA.token,
    body: { party_size: 0, status: 'arrived', traveler: { phone: '12' }, hometown: { city: '无省' }, depart_on: addDays(today, 400) },
    headers: { 'If-Match': '"1"' },
  }), [
    ['party_size', 'out_of_range'], ['status', 'unknown_field'], ['traveler.phone', 'format'],
    ['hometown.province', 'required'], ['depart_on', 'out_of_range'],
  ], { exact: true });
  assertFieldErrors(await api('PATCH', url, { token: volA.token, body: { unit_id: townB.id }, headers: { 'If-Match': '"1"' } }),
    [['unit_id', 'unknown']], { exact: true });

  const phone = freshPhone();
  const res = await api('PATCH', url, {
    token: volA.token,
    body: { traveler: { phone }, party_size: 4, hometown: { province: '江西省', city: '赣州市' }, depart_on: addDays(today, 2), transport: 'self_drive', assistance: ['escort'], bus_label: '自驾' },
    headers: { 'If-Match': '"1"' },
  });
  const p = assertJson(res, 200);
  assert.equal(res.headers.get('etag'), '"2"');
  assert.equal(p.version, 2);
  assert.equal(p.traveler.name, '改前', 'the name stays');
  assert.equal(p.party_size, 4);
  assert.deepEqual(p.hometown, { province: '江西省', city: '赣州市' });
  assert.equal(p.depart_on, addDays(today, 2));
  assert.equal(p.transport, 'self_drive');
  assert.deepEqual(p.assistance, ['escort']);
  assert.equal(p.bus_label, '自驾');
  assert.equal(p.status, 'registered');
  const full = await getRecord(staffA.token, r.id);
  assert.deepEqual(full.traveler, { name: '改前', phone, id_number: idn }, 'the ID number stays');
  assert.equal(full.events.length, 2);
  assert.match(full.events[1].note, /手机号|返乡人员/);
  assert.match(full.events[1].note, /同行人数/);

  // Staff move it down the tree; another volunteer cannot touch it.
  const moved = assertJson(await api('PATCH', url, { token: staffA.token, body: { unit_id: streetA.id }, headers: { 'If-Match': '"2"' } }), 200);
  assert.equal(moved.unit_id, streetA.id);
  assertProblem(await api('PATCH', url, { token: volA2.token, body: { party_size: 1 }, headers: { 'If-Match': '"3"' } }), 404);
});

// ---- The arrival code ---------------------------------------------------

test('arrival: the code marks the record arrived (any case, spaces, hyphens); a repeat is a harmless 200', async () => {
  const r = await register(volA.token);
  const typed = ` ${r.arrival_code.slice(0, 4).toLowerCase()}-${r.arrival_code.slice(4)} `;
  const res = await arrive(typed);
  const a = assertJson(res, 200);
  assert.deepEqual(a, { status: 'arrived', status_label: '已到家' }, 'exactly these two keys');
  const rec = await getRecord(volA.token, r.id);
  assert.equal(rec.status, 'arrived');
  assert.equal(rec.version, 2);
  assert.match(rec.arrived_at, RFC3339_CST);
  const last = rec.events[rec.events.length - 1];
  assert.deepEqual([last.from, last.to, last.user], ['registered', 'arrived', null]);

  const again = await arrive(r.arrival_code);
  assert.equal(again.status, 200);
  assert.equal(again.text, res.text);
  const after = await getRecord(volA.token, r.id);
  assert.equal(after.version, 2, 'nothing changed');
  assert.equal(after.events.length, rec.events.length);

  // From departed too.
  const d = await register(volA.token);
  await moveTo(volA.token, d.id, 'departed');
  assert.equal((await arrive(d.arrival_code)).status, 200);
  const dd = await getRecord(volA.token, d.id);
  assert.equal(dd.status, 'arrived');
  assert.deepEqual(dd.events.map((e) => e.to), ['registered', 'departed', 'arrived']);
});

test('arrival: a wrong code and an unknown code get byte-identical 404s; 400 and 409 where due', async () => {
  const r = await register(volA.token);
  // Same alphabet, one character changed: a code that could exist.
  const c = r.arrival_code;
  const wrong = (c[0] === 'A' ? 'B' : 'A') + c.slice(1);
  const answers = [];
  for (const code of [wrong, 'ZZZZZZZZ', 'hello', '0O1IL0O1', '12345678901234567890', '!!', '一二三四五六七八']) {
    const res = await arrive(code);
    assertProblem(res, 404, 'not_found');
    answers.push(res);
  }
  for (const res of answers) {
    assert.equal(res.text, answers[0].text, 'the same body');
    assert.equal(res.headers.get('content-type'), answers[0].headers.get('content-type'));
    assert.equal(res.headers.get('content-length'), answers[0].headers.get('content-length'));
  }
  assert.equal((await getRecord(volA.token, r.id)).status, 'registered', 'untouched');

  assertFieldErrors(await arrive(''), [['code', 'required']], { exact: true });
  assertFieldErrors(await api('POST', '/safe-returns/arrivals', { body: {} }), [['code', 'required']], { exact: true });
  assertFieldErrors(await arrive('A'.repeat(33)), [['code', 'too_long']], { exact: true });
  assertFieldErrors(await arrive(12345678), [['code', 'type']], { exact: true });
  assertFieldErrors(await api('POST', '/safe-returns/arrivals', { body: { code: c, id: r.id } }), [['id', 'unknown_field']], { exact: true });

  // A cancelled registration: the code is known, but there is nothing to confirm.
  const x = await register(volA.token);
  await moveTo(volA.token, x.id, 'cancelled');
  assertProblem(await arrive(x.arrival_code), 409, 'cancelled');
  assert.equal((await getRecord(volA.token, x.id)).status, 'cancelled');
});

test('unsupported methods: 405 with Allow', async () => {
  const cases = [
    ['GET', '/safe-returns/arrivals', /POST/],
    ['GET', '/safe-returns/batch', /POST/],
    ['DELETE', '/safe-returns/1', /GET.*PATCH|PATCH.*GET/],
    ['POST', '/safe-returns/1', /GET/],
    ['PUT', '/safe-returns', /GET.*POST|POST.*GET/],
    ['GET', '/safe-returns/1/transitions', /POST/],
  ];
  for (const [method, path, allow] of cases) {
    const res = await api(method, path, { token: admin });
    assertProblem(res, 405, 'method_not_allowed');
    assert.match(res.headers.get('allow') || '', allow, `${method} ${path}`);
  }
});

// ---- At rest ----------------------------------------------------------

test('a database dump holds no traveller phone, ID number or arrival code; the API still shows them', async () => {
  const phones = [freshPhone(), freshPhone(), freshPhone()];
  const ids = [freshIdNumber(), freshIdNumber()];
  const one = await register(volA.token, { traveler: { name: '存储甲', phone: phones[0], id_number: ids[0] } });
  const body = batchBody(2);
  body.travellers[0].phone = phones[1];
  body.travellers[0].id_number = ids[1];
  body.travellers[1].phone = phones[2];
  const key = randomUUID();
  const b = await registerBatch(staffA.token, body, { headers: { 'Idempotency-Key': key } });
  const codes = [one.arrival_code, ...b.items.map((r) => r.arrival_code)];
  for (const d of [dump(), dump({ hex: true })]) {
    for (const p of phones) {
      assert.ok(!d.includes(p) && !d.includes(p.slice(3)), `the dump holds ${p}`);
    }
    for (const i of ids) {
      assert.ok(!d.includes(i) && !d.includes(i.slice(6, 14)), `the dump holds ${i}`);
    }
    for (const c of codes) assert.ok(!d.includes(c), `the dump holds the code ${c}`);
    assert.ok(!d.includes(key), 'the dump holds the Idempotency-Key');
  }
  const [[n]] = sql(`SELECT COUNT(*) FROM safe_returns WHERE batch_id = ${b.batch_id} ` +
    'AND traveler_phone_enc IS NOT NULL AND LENGTH(arrival_hash) = 32');
  assert.equal(n, '2');
  const full = await getRecord(staffA.token, b.items[0].id);
  assert.deepEqual(full.traveler, { name: body.travellers[0].name, phone: phones[1], id_number: ids[1] });
  assert.equal((await getRecord(admin, one.id)).traveler.phone, phones[0]);
});
