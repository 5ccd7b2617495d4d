// /visits: logging a visit with every field rule of API.md "Winter visits",
// the official categories, who may log, see, change and delete what, the
// 7-day edit window, soft deletion with its audit row, lists with filters
// and keyset paging, and Idempotency-Key retries (sequential and
// concurrent) storing one visit.
//
// Every visit is logged into units this file creates, and every count is
// over those units or this file's own notes, so the file runs alongside
// the others.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  adminToken, allPages, api, assertFieldErrors, assertJson, assertProblem, createUnit, createUser,
  seededUnits, show, uniq,
} from './lib.mjs';
import { sql } from './db_lib.mjs';
import { RFC3339_CST, addDays, creditCode, todayShanghai } from './wage_lib.mjs';
import {
  ageVisit, auditOf, enterpriseVisit, etagOf, logVisit, medicalVisit, storedWithNote, workerVisit,
} from './visits_lib.mjs';

let admin;
let townA; // a fresh town
let unitA1; // a direct unit under townA
let townB; // another fresh town
let staffA;
let staffB;
let volA; // volunteer of townA
let volA2; // another volunteer of townA
let volB; // volunteer of townB

before(async () => {
  admin = await adminToken();
  const { district } = await seededUnits();
  townA = await createUnit({ kind: 'town', name: '走访测试镇', parent_id: district.id });
  unitA1 = await createUnit({ kind: 'direct', name: '走访测试直属工会', parent_id: townA.id });
  townB = await createUnit({ kind: 'town', name: '走访测试另一镇', parent_id: district.id });
  [staffA, staffB, volA, volA2, volB] = await Promise.all([
    createUser({ role: 'staff', unit_id: townA.id, display_name: '镇工会干部' }, { signIn: true }),
    createUser({ role: 'staff', unit_id: townB.id, display_name: '他镇干部' }, { signIn: true }),
    createUser({ role: 'volunteer', unit_id: townA.id, display_name: '志愿者甲' }, { signIn: true }),
    createUser({ role: 'volunteer', unit_id: townA.id, display_name: '志愿者乙' }, { signIn: true }),
    createUser({ role: 'volunteer', unit_id: townB.id, display_name: '志愿者丙' }, { signIn: true }),
  ]);
});

const ifMatch = (v) => ({ 'If-Match': `"${v}"` });
const today = () => todayShanghai();
const post = (token, body, headers) => api('POST', '/visits', { token, body, headers });

// ---- Categories -------------------------------------------------------------

test('GET /visits/categories: C1–C11 in the official wording, for anyone', async () => {
  const res = await api('GET', '/visits/categories');
  const { items } = assertJson(res, 200);
  assert.deepEqual(items.map((c) => c.code), ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C10', 'C11']);
  const label = Object.fromEntries(items.map((c) => [c.code, c.label]));
  // The notice's table, word for word (without the column heading 慰问对象).
  assert.equal(label.C1, '因非个人意愿下岗失业、家庭收入水平明显偏低、子女教育费用负担过重等原因造成家庭生活困难的职工');
  assert.equal(label.C4, '工伤与职业病致残的职工和因公牺牲职工的家属；因重大疾病手术、住院的职工');
  assert.equal(label.C5, '长期在高（低）温、高空、有毒有害等环境中和苦脏累险艰苦行业岗位上工作的一线职工');
  assert.equal(label.C7, '春节期间坚守在生产一线和交通运输、电力、环卫以及直接面向群众服务的基层岗位干部职工');
  assert.equal(label.C10, '生产一线涌现出来的先进模范人物');
  assert.equal(label.C11, '各级工会建档的困难职工');
  for (const c of items) assert.doesNotMatch(c.label, /·|慰问对象/, `${c.code}: only the category's wording`);
  const head = await api('HEAD', '/visits/categories');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
});

// ---- Logging a visit --------------------------------------------------------

test('a volunteer logs a worker visit: 201, Location, ETag, stored as sent, own unit by default', async () => {
  const body = workerVisit({ visited_on: today(), category: 'C10', people_count: 3, cash_amount: '1000',
    goods_value: 234.5, location: { lat: 31.781234, lng: 119.954321 }, note: '  春节前慰问  ' });
  const res = await post(volA.token, body);
  const v = assertJson(res, 201);
  assert.match(res.headers.get('location') || '', new RegExp(`^/api/v1/visits/${v.id}$`));
  assert.equal(etagOf(res), 1);
  assert.equal(v.unit_id, townA.id, 'the volunteer\'s own unit');
  assert.equal(v.visited_on, today());
  assert.equal(v.kind, 'worker');
  assert.equal(v.category, 'C10');
  assert.equal(v.enterprise_name, null);
  assert.equal(v.people_count, 3);
  assert.equal(v.cash_amount, '1000.00');
  assert.equal(v.goods_value, '234.50');
  assert.deepEqual(v.location, { lat: 31.781234, lng: 119.954321 });
  assert.equal(v.note, '春节前慰问', 'trimmed');
  assert.equal(v.created_by, volA.user.id);
  assert.equal(v.created_by_name, '志愿者甲');
  assert.equal(v.version, 1);
  assert.match(v.created_at, RFC3339_CST);
  assert.match(v.editable_until, RFC3339_CST);
  const days = (Date.parse(v.editable_until) - Date.parse(v.created_at)) / 86400e3;
  assert.equal(days, 7, 'the creator may change it for 7 days');

  const got = await api('GET', `/visits/${v.id}`, { token: volA.token });
  assert.deepEqual(assertJson(got, 200), v, 'GET gives what POST answered');
  assert.equal(etagOf(got), 1);
});

test('enterprise and medical visits: defaults, credit code, amounts as numbers', async () => {
  const code = creditCode('91320412MA1X2Y3K4');
  const e = await logVisit(staffA.token, enterpriseVisit({
    unit_id: unitA1.id, enterprise_name: '常州某机械有限公司', enterprise_credit_code: code.toLowerCase(),
  }));
  assert.equal(e.unit_id, unitA1.id, 'staff log for a unit below their own');
  assert.equal(e.people_count, 0, 'an enterprise visit may name nobody');
  assert.equal(e.category, null);
  assert.equal(e.enterprise_credit_code, code, 'stored upper case');
  assert.equal(e.cash_amount, '0.00');
  assert.equal(e.goods_value, '0.00');
  assert.equal(e.location, null);
  assert.equal(e.note, null);

  const m = await logVisit(volA.token, medicalVisit({ people_count: 10000, cash_amount: 100000000, goods_value: '0.1' }));
  assert.equal(m.kind, 'medical_frontline');
  assert.equal(m.people_count, 10000);
  assert.equal(m.cash_amount, '100000000.00');
  assert.equal(m.goods_value, '0.10');
  // Extremes of a location are places too.
  const edge = await logVisit(volA.token, medicalVisit({ location: { lat: -90, lng: 180 } }));
  assert.deepEqual(edge.location, { lat: -90, lng: 180 });
  const worker = await logVisit(volA.token, workerVisit({ enterprise_name: '常州某电力公司' }));
  assert.equal(worker.enterprise_name, '常州某电力公司', 'a worker visit may say where they work');
});

test('every missing field is named at once', async () => {
  assertFieldErrors(await post(volA.token, {}), [['visited_on', 'required'], ['kind', 'required']], { exact: true });
  // The cross-field rules join the field errors of the same body.
  assertFieldErrors(await post(volA.token, { kind: 'worker', bogus: 1, cash_amount: '1.234' }), [
    ['visited_on', 'required'], ['bogus', 'unknown_field'], ['cash_amount', 'decimals'],
    ['category', 'required'], ['people_count', 'required'],
  ], { exact: true });
});

test('category: required for worker visits, refused for the others, one of C1–C11', async () => {
  assertFieldErrors(await post(volA.token, workerVisit({ category: undefined })), [['category', 'required']], { exact: true });
  assertFieldErrors(await post(volA.token, workerVisit({ category: '  ' })), [['category']], { exact: true });
  assertFieldErrors(await post(volA.token, workerVisit({ category: 'C12' })), [['category', 'enum']], { exact: true });
  assertFieldErrors(await post(volA.token, workerVisit({ category: 'c7' })), [['category', 'enum']], { exact: true });
  assertFieldErrors(await post(volA.token, workerVisit({ category: 7 })), [['category', 'type']], { exact: true });
  assertFieldErrors(await post(volA.token, enterpriseVisit({ category: 'C7' })), [['category', 'not_allowed']], { exact: true });
  assertFieldErrors(await post(volA.token, medicalVisit({ category: 'C1' })), [['category', 'not_allowed']], { exact: true });
  const p = (await post(volA.token, medicalVisit({ category: 'C1' }))).json;
  assert.match(p.errors[0].message, /慰问职工/, 'the message says which kind takes a category');
  // null is "not given".
  assert.equal((await post(volA.token, medicalVisit({ category: null }))).status, 201);
});

test('enterprise_name: required for enterprise visits, 1–100 characters, one line', async () => {
  assertFieldErrors(await post(volA.token, enterpriseVisit({ enterprise_name: undefined })), [['enterprise_name', 'required']], { exact: true });
  assertFieldErrors(await post(volA.token, enterpriseVisit({ enterprise_name: ' \u3000 ' })), [['enterprise_name', 'required']], { exact: true });
  assertFieldErrors(await post(volA.token, enterpriseVisit({ enterprise_name: '企'.repeat(101) })), [['enterprise_name', 'too_long']], { exact: true });
  assertFieldErrors(await post(volA.token, enterpriseVisit({ enterprise_name: '常州\n某公司' })), [['enterprise_name', 'format']], { exact: true });
  assertFieldErrors(await post(volA.token, enterpriseVisit({ enterprise_name: '常州\u202e某公司' })), [['enterprise_name', 'format']], { exact: true });
  assert.equal((await post(volA.token, enterpriseVisit({ enterprise_name: '企'.repeat(100) }))).status, 201);
  const bad = creditCode('91320412MA1X2Y3K4');
  const wrong = bad.slice(0, 17) + (bad[17] === '0' ? '1' : '0');
  assertFieldErrors(await post(volA.token, enterpriseVisit({ enterprise_credit_code: wrong })), [['enterprise_credit_code', 'checksum']], { exact: true });
  assertFieldErrors(await post(volA.token, enterpriseVisit({ enterprise_credit_code: '123' })), [['enterprise_credit_code', 'format']], { exact: true });
});

test('people_count: 0–10000, at least 1 unless an enterprise was visited, a whole number', async () => {
  assertFieldErrors(await post(volA.token, workerVisit({ people_count: 0 })), [['people_count', 'out_of_range']], { exact: true });
  assertFieldErrors(await post(volA.token, medicalVisit({ people_count: 0 })), [['people_count', 'out_of_range']], { exact: true });
  assertFieldErrors(await post(volA.token, medicalVisit({ people_count: undefined })), [['people_count', 'required']], { exact: true });
  assertFieldErrors(await post(volA.token, workerVisit({ people_count: 10001 })), [['people_count', 'out_of_range']], { exact: true });
  assertFieldErrors(await post(volA.token, workerVisit({ people_count: -1 })), [['people_count', 'out_of_range']], { exact: true });
  assertFieldErrors(await post(volA.token, workerVisit({ people_count: 1.5 })), [['people_count', 'type']], { exact: true });
  assertFieldErrors(await post(volA.token, workerVisit({ people_count: '3' })), [['people_count', 'type']], { exact: true });
  assertFieldErrors(await post(volA.token, enterpriseVisit({ people_count: 10001 })), [['people_count', 'out_of_range']], { exact: true });
  assert.equal((await post(volA.token, enterpriseVisit({ people_count: 0 }))).json.people_count, 0);
  assert.equal((await post(volA.token, enterpriseVisit({ people_count: 12 }))).json.people_count, 12);
  assert.equal((await post(volA.token, workerVisit({ people_count: 1 }))).json.people_count, 1);
});

test('money: at most 2 decimals, 0 to 100000000.00 yuan, string or number', async () => {
  const cases = [
    [{ cash_amount: '12.345' }, 'cash_amount', 'decimals'],
    [{ cash_amount: -1 }, 'cash_amount', 'out_of_range'],
    [{ cash_amount: '100000000.01' }, 'cash_amount', 'out_of_range'],
    [{ goods_value: 'abc' }, 'goods_value', 'format'],
    [{ goods_value: '1,000' }, 'goods_value', 'format'],
    [{ goods_value: true }, 'goods_value', 'type'],
  ];
  for (const [over, field, code] of cases) {
    assertFieldErrors(await post(volA.token, workerVisit(over)), [[field, code]], { exact: true });
  }
  const v = await logVisit(volA.token, workerVisit({ cash_amount: 12.5, goods_value: '0' }));
  assert.equal(v.cash_amount, '12.50');
  assert.equal(v.goods_value, '0.00');
});

test('location: only {lat, lng}, both given, in range', async () => {
  const cases = [
    [{ lat: 90.000001, lng: 120 }, [['location.lat', 'out_of_range']]],
    [{ lat: -90.5, lng: 120 }, [['location.lat', 'out_of_range']]],
    [{ lat: 31, lng: 180.1 }, [['location.lng', 'out_of_range']]],
    [{ lat: 31, lng: -181 }, [['location.lng', 'out_of_range']]],
    [{ lat: 31 }, [['location.lng', 'required']]],
    [{}, [['location.lat', 'required'], ['location.lng', 'required']]],
    [{ lat: '31.7', lng: 119.9 }, [['location.lat', 'type']]],
    [{ lat: 31.7, lng: 119.9, accuracy: 10 }, [['location.accuracy', 'unknown_field']]],
    ['31.7,119.9', [['location', 'type']]],
    [[31.7, 119.9], [['location', 'type']]],
  ];
  for (const [location, errors] of cases) {
    assertFieldErrors(await post(volA.token, workerVisit({ location })), errors, { exact: true });
  }
  const v = await logVisit(volA.token, workerVisit({ location: { lat: 31.7, lng: 119.9 } }));
  assert.deepEqual(v.location, { lat: 31.7, lng: 119.9 });
  const none = await logVisit(volA.token, workerVisit({ location: null }));
  assert.equal(none.location, null);
});

test('visited_on: a real date, not in the future; note: up to 2000 characters, several lines', async () => {
  assertFieldErrors(await post(volA.token, workerVisit({ visited_on: '2021-02-30' })), [['visited_on', 'date']], { exact: true });
  assertFieldErrors(await post(volA.token, workerVisit({ visited_on: '20210120' })), [['visited_on', 'date']], { exact: true });
  assertFieldErrors(await post(volA.token, workerVisit({ visited_on: addDays(today(), 1) })), [['visited_on', 'out_of_range']], { exact: true });
  assert.equal((await post(volA.token, workerVisit({ visited_on: today() }))).status, 201);
  assertFieldErrors(await post(volA.token, workerVisit({ note: '字'.repeat(2001) })), [['note', 'too_long']], { exact: true });
  const v = await logVisit(volA.token, workerVisit({ note: '第一行\n第二行\t完' }));
  assert.equal(v.note, '第一行\n第二行\t完');
  assertFieldErrors(await post(volA.token, workerVisit({ note: 'a\u0007b' })), [['note', 'format']], { exact: true });
});

// ---- Who may log where ------------------------------------------------------------

test('a volunteer of one town cannot log a visit for another (403); unknown units are 400', async () => {
  const other = await post(volA.token, workerVisit({ unit_id: townB.id, note: 'wrong town' }));
  assertProblem(other, 403, 'forbidden');
  assertProblem(await post(staffA.token, workerVisit({ unit_id: townB.id })), 403, 'forbidden');
  const { district } = await seededUnits();
  assertProblem(await post(volA.token, workerVisit({ unit_id: district.id })), 403, 'forbidden');
  assertFieldErrors(await post(volA.token, workerVisit({ unit_id: 999999999 })), [['unit_id', 'unknown']], { exact: true });
  assertFieldErrors(await post(volA.token, workerVisit({ unit_id: 'x' })), [['unit_id', 'type']], { exact: true });
  // Below their own unit is theirs.
  const v = await logVisit(volA.token, workerVisit({ unit_id: unitA1.id }));
  assert.equal(v.unit_id, unitA1.id);
  // Admins log anywhere.
  assert.equal((await post(admin, workerVisit({ unit_id: townB.id }))).status, 201);
  assert.equal(storedWithNote('wrong town'), 0);
  assertProblem(await api('POST', '/visits', { body: workerVisit() }), 401, 'unauthenticated');
});

// ---- Reading ----------------------------------------------------------------

test('visibility: volunteers see their own, staff their subtree, admins everything', async () => {
  const mine = await logVisit(volA.token, workerVisit({ unit_id: unitA1.id }));
  const theirs = await logVisit(volA2.token, workerVisit());
  const b = await logVisit(volB.token, workerVisit());

  assert.equal((await api('GET', `/visits/${mine.id}`, { token: volA.token })).status, 200);
  assertProblem(await api('GET', `/visits/${theirs.id}`, { token: volA.token }), 404, 'not_found');
  assert.equal((await api('GET', `/visits/${mine.id}`, { token: staffA.token })).status, 200, 'staff of the town see below it');
  assert.equal((await api('GET', `/visits/${theirs.id}`, { token: staffA.token })).status, 200);
  assertProblem(await api('GET', `/visits/${b.id}`, { token: staffA.token }), 404, 'not_found');
  assertProblem(await api('GET', `/visits/${mine.id}`, { token: staffB.token }), 404, 'not_found');
  assert.equal((await api('GET', `/visits/${b.id}`, { token: admin })).status, 200);
  assertProblem(await api('GET', '/visits/999999999', { token: admin }), 404, 'not_found');
  assertProblem(await api('GET', `/visits/${mine.id}`), 401, 'unauthenticated');
  const head = await api('HEAD', `/visits/${mine.id}`, { token: volA.token });
  assert.equal(head.status, 200);
  assert.equal(etagOf(head), mine.version);

  const listA = await allPages('/visits', { token: volA.token });
  assert.ok(listA.some((v) => v.id === mine.id));
  assert.ok(listA.every((v) => v.created_by === volA.user.id), 'a volunteer lists only their own');
  const listStaff = await allPages(`/visits?unit_id=${townA.id}`, { token: staffA.token });
  assert.ok(listStaff.some((v) => v.id === mine.id) && listStaff.some((v) => v.id === theirs.id));
  assert.ok(!listStaff.some((v) => v.id === b.id));
  const wide = await allPages('/visits', { token: staffB.token });
  assert.ok(wide.some((v) => v.id === b.id) && !wide.some((v) => v.id === mine.id), 'staff list their subtree');
});

test('created_by=me lists the caller\'s own visits; anything else is 400', async () => {
  const staffOwn = await logVisit(staffA.token, workerVisit({ note: 'staff own' }));
  const volOwn = await logVisit(volA.token, workerVisit());
  const all = await allPages(`/visits?unit_id=${townA.id}`, { token: staffA.token });
  assert.ok(all.some((v) => v.id === volOwn.id));
  const own = await allPages('/visits?created_by=me', { token: staffA.token });
  assert.ok(own.some((v) => v.id === staffOwn.id));
  assert.ok(own.every((v) => v.created_by === staffA.user.id));
  const volList = await allPages('/visits?created_by=me', { token: volA.token });
  assert.ok(volList.some((v) => v.id === volOwn.id) && volList.every((v) => v.created_by === volA.user.id));
  assertFieldErrors(await api('GET', `/visits?created_by=${volA.user.id}`, { token: staffA.token }), [['created_by', 'enum']], { exact: true });
});

test('list filters: kind, category, from/to on visited_on, unit subtree; keyset pages newest first', async () => {
  const unit = await createUnit({ kind: 'direct', name: '筛选测试工会', parent_id: townA.id });
  const logged = [];
  for (const [day, body] of [
    ['2021-01-05', workerVisit({ category: 'C1' })],
    ['2021-01-06', workerVisit({ category: 'C7' })],
    ['2021-01-07', enterpriseVisit()],
    ['2021-01-08', medicalVisit()],
    ['2021-01-09', workerVisit({ category: 'C7' })],
  ]) logged.push(await logVisit(staffA.token, { ...body, unit_id: unit.id, visited_on: day }));
  const ids = (items) => items.map((v) => v.id);
  const q = (s) => allPages(`/visits?unit_id=${unit.id}${s}`, { token: staffA.token });
  assert.deepEqual(ids(await q('')), ids(logged).reverse(), 'newest first');
  assert.deepEqual(ids(await q('&kind=worker')), [logged[4].id, logged[1].id, logged[0].id]);
  assert.deepEqual(ids(await q('&kind=worker&category=C7')), [logged[4].id, logged[1].id]);
  assert.deepEqual(ids(await q('&from=2021-01-06&to=2021-01-08')), [logged[3].id, logged[2].id, logged[1].id]);
  assert.deepEqual(ids(await q('&from=2021-01-09')), [logged[4].id]);
  assert.deepEqual(ids(await q('&to=2021-01-05')), [logged[0].id]);
  assert.deepEqual(ids(await q('&kind=medical_frontline&from=2021-01-01&to=2021-01-31')), [logged[3].id]);

  // Keyset paging: 2 + 2 + 1, no repeats, stable while a new visit arrives.
  const first = await api('GET', `/visits?unit_id=${unit.id}&limit=2`, { token: staffA.token });
  assert.deepEqual(ids(first.json.items), [logged[4].id, logged[3].id]);
  await logVisit(staffA.token, workerVisit({ unit_id: unit.id }));
  const second = await api('GET', `/visits?unit_id=${unit.id}&limit=2&cursor=${encodeURIComponent(first.json.next_cursor)}`, { token: staffA.token });
  assert.deepEqual(ids(second.json.items), [logged[2].id, logged[1].id]);
  const third = await api('GET', `/visits?unit_id=${unit.id}&limit=2&cursor=${encodeURIComponent(second.json.next_cursor)}`, { token: staffA.token });
  assert.deepEqual(ids(third.json.items), [logged[0].id]);
  assert.equal(third.json.next_cursor, null);

  assertFieldErrors(await api('GET', '/visits?kind=visit&category=C0&from=2021-13-01&to=x&unit_id=abc&limit=0', { token: staffA.token }),
    [['limit', 'out_of_range']]);
  assertFieldErrors(await api('GET', '/visits?kind=visit&category=C0&from=2021-13-01&to=x&unit_id=abc', { token: staffA.token }),
    [['kind', 'enum'], ['category', 'enum'], ['from', 'date'], ['to', 'date'], ['unit_id', 'type']], { exact: true });
  assertFieldErrors(await api('GET', '/visits?from=2021-02-01&to=2021-01-31', { token: staffA.token }), [['to', 'out_of_range']], { exact: true });
  assertFieldErrors(await api('GET', '/visits?unit_id=999999999', { token: staffA.token }), [['unit_id', 'unknown']], { exact: true });
});

// ---- Idempotency ------------------------------------------------------------

test('sequential retries with one Idempotency-Key store one visit and replay the answer', async () => {
  const note = `retry ${uniq('n')}`;
  const key = randomUUID();
  const body = workerVisit({ note });
  const first = await post(volA.token, body, { 'Idempotency-Key': key });
  assertJson(first, 201);
  for (let i = 0; i < 3; i++) {
    const again = await post(volA.token, body, { 'Idempotency-Key': key });
    assert.equal(again.status, 201, show(again));
    assert.equal(again.text, first.text, 'the same answer byte for byte');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.headers.get('location'), first.headers.get('location'));
    assert.equal(again.headers.get('etag'), first.headers.get('etag'));
  }
  assert.equal(storedWithNote(note), 1, 'one visit stored');
  // Another body under that key is refused and stores nothing.
  assertProblem(await post(volA.token, { ...body, people_count: 9 }, { 'Idempotency-Key': key }), 422, 'idempotency_mismatch');
  // Another user's identical key is another scope: a visit of their own.
  assert.equal((await post(volA2.token, body, { 'Idempotency-Key': key })).status, 201);
  assert.equal(storedWithNote(note), 2);
});

test('concurrent retries with one Idempotency-Key store one visit', async () => {
  const note = `burst ${uniq('n')}`;
  const key = randomUUID();
  const body = workerVisit({ note });
  const answers = await Promise.all(Array.from({ length: 12 },
    () => post(volA.token, body, { 'Idempotency-Key': key })));
  const created = answers.filter((a) => a.status === 201);
  for (const a of answers) {
    assert.ok(a.status === 201 || (a.status === 409 && a.json.code === 'idempotency_in_flight'),
      `201 or 409 idempotency_in_flight: ${show(a)}`);
  }
  // A retry after the storm is answered with the stored visit.
  let last;
  for (let i = 0; i < 100; i++) {
    last = await post(volA.token, body, { 'Idempotency-Key': key });
    if (last.status !== 409) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(last.status, 201, show(last));
  for (const a of created) assert.equal(a.text, last.text, 'every 201 is the same visit');
  assert.equal(storedWithNote(note), 1, 'exactly one visit stored');
});

// ---- Changing a visit ------------------------------------------------------------

test('the creator changes a visit within 7 days with If-Match; 428 without, 412 when stale', async () => {
  const v = await logVisit(volA.token, workerVisit({ location: { lat: 31.5, lng: 119.5 }, note: '初记' }));
  assertProblem(await api('PATCH', `/visits/${v.id}`, { token: volA.token, body: { people_count: 4 } }), 428, 'precondition_required');
  assertProblem(await api('PATCH', `/visits/${v.id}`, { token: volA.token, body: { people_count: 4 }, headers: ifMatch(v.version + 1) }), 412, 'precondition_failed');
  const res = await api('PATCH', `/visits/${v.id}`, {
    token: volA.token, headers: ifMatch(v.version),
    body: { people_count: 4, category: 'C5', cash_amount: '600.00', location: null, note: null },
  });
  const after = assertJson(res, 200);
  assert.equal(etagOf(res), 2);
  assert.equal(after.version, 2);
  assert.equal(after.people_count, 4);
  assert.equal(after.category, 'C5');
  assert.equal(after.cash_amount, '600.00');
  assert.equal(after.goods_value, v.goods_value, 'what the body leaves out stays');
  assert.equal(after.location, null, 'null clears the location');
  assert.equal(after.note, null);
  assert.equal(after.created_at, v.created_at);
  assert.deepEqual(assertJson(await api('GET', `/visits/${v.id}`, { token: volA.token }), 200), after);
  // The audit log keeps before and after.
  const rows = auditOf(v.id);
  assert.deepEqual(rows.map((r) => r.action), ['visit.create', 'visit.update']);
  assert.equal(rows[1].before.people_count, 2);
  assert.equal(rows[1].after.people_count, 4);
  // Another volunteer of the same unit may not.
  assertProblem(await api('PATCH', `/visits/${v.id}`, { token: volA2.token, body: { people_count: 5 }, headers: ifMatch(2) }), 404, 'not_found');
});

test('after 7 days the creator is refused (403 edit_window_closed); staff and admins may still change it', async () => {
  const v = await logVisit(volA.token, workerVisit());
  ageVisit(v.id, 6); // six days old: still the creator's
  const six = await api('PATCH', `/visits/${v.id}`, { token: volA.token, body: { people_count: 3 }, headers: ifMatch(1) });
  assert.equal(six.status, 200, show(six));
  ageVisit(v.id, 1); // seven days and some seconds
  const old = assertJson(await api('GET', `/visits/${v.id}`, { token: volA.token }), 200);
  assert.ok(Date.parse(old.editable_until) < Date.now(), 'the window is shown closed');
  assertProblem(await api('PATCH', `/visits/${v.id}`, { token: volA.token, body: { people_count: 4 }, headers: ifMatch(2) }),
    403, 'edit_window_closed');
  assert.equal((await api('GET', `/visits/${v.id}`, { token: volA.token })).json.people_count, 3, 'unchanged');
  const staff = await api('PATCH', `/visits/${v.id}`, { token: staffA.token, body: { people_count: 4 }, headers: ifMatch(2) });
  assert.equal(staff.status, 200, show(staff));
  assert.equal(staff.json.people_count, 4);
  const adm = await api('PATCH', `/visits/${v.id}`, { token: admin, body: { cash_amount: 1 }, headers: ifMatch(3) });
  assert.equal(adm.status, 200, show(adm));
  // Staff of another town do not see it at all.
  assertProblem(await api('PATCH', `/visits/${v.id}`, { token: staffB.token, body: { people_count: 5 }, headers: ifMatch(4) }), 404, 'not_found');
});

test('a PATCH keeps the rules of POST on the visit as changed', async () => {
  const v = await logVisit(staffA.token, workerVisit());
  const patch = (body, version = 1) => api('PATCH', `/visits/${v.id}`, { token: staffA.token, body, headers: ifMatch(version) });
  assertFieldErrors(await patch({ kind: 'enterprise' }), [['category', 'not_allowed'], ['enterprise_name', 'required']], { exact: true });
  assertFieldErrors(await patch({ category: null }), [['category', 'required']], { exact: true });
  assertFieldErrors(await patch({ people_count: 0 }), [['people_count', 'out_of_range']], { exact: true });
  assertFieldErrors(await patch({ kind: null, visited_on: null, people_count: null, cash_amount: null }), [
    ['kind', 'required'], ['visited_on', 'required'], ['people_count', 'required'], ['cash_amount', 'required'],
  ], { exact: true });
  assertFieldErrors(await patch({}), [['', 'required']], { exact: true });
  assertFieldErrors(await patch({ visited_on: addDays(today(), 1), oops: 1 }), [['oops', 'unknown_field']], { exact: true });
  assertFieldErrors(await patch({ visited_on: addDays(today(), 1) }), [['visited_on', 'out_of_range']], { exact: true });
  assertProblem(await patch({ unit_id: townB.id }), 403, 'forbidden');
  assertFieldErrors(await patch({ unit_id: 999999999 }), [['unit_id', 'unknown']], { exact: true });
  assert.equal((await api('GET', `/visits/${v.id}`, { token: staffA.token })).json.version, 1, 'nothing changed yet');
  // Worker to enterprise: drop the category, name the enterprise.
  const ok = await patch({ kind: 'enterprise', category: null, enterprise_name: '常州某纺织有限公司', unit_id: unitA1.id });
  const e = assertJson(ok, 200);
  assert.equal(e.kind, 'enterprise');
  assert.equal(e.category, null);
  assert.equal(e.unit_id, unitA1.id);
  assert.equal(e.people_count, 2);
  // And back again needs a category.
  assertFieldErrors(await patch({ kind: 'worker' }, 2), [['category', 'required']], { exact: true });
});

// ---- Deleting a visit ------------------------------------------------------------

test('soft DELETE (staff, admin): gone from reads and lists, kept in the audit log', async () => {
  const note = `delete ${uniq('n')}`;
  const v = await logVisit(volA.token, workerVisit({ note }));
  assertProblem(await api('DELETE', `/visits/${v.id}`, { token: volA.token }), 403, 'forbidden');
  assertProblem(await api('DELETE', `/visits/${v.id}`, { token: staffB.token }), 404, 'not_found');
  assertProblem(await api('DELETE', `/visits/${v.id}`, { token: staffA.token, headers: ifMatch(7) }), 412, 'precondition_failed');
  const del = await api('DELETE', `/visits/${v.id}`, { token: staffA.token, headers: ifMatch(1) });
  assert.equal(del.status, 204, show(del));
  assert.equal(del.text, '');

  for (const token of [volA.token, staffA.token, admin]) {
    assertProblem(await api('GET', `/visits/${v.id}`, { token }), 404, 'not_found');
  }
  assertProblem(await api('PATCH', `/visits/${v.id}`, { token: staffA.token, body: { people_count: 3 }, headers: ifMatch(2) }), 404, 'not_found');
  assertProblem(await api('DELETE', `/visits/${v.id}`, { token: admin }), 404, 'not_found');
  for (const [token, q] of [[volA.token, '/visits?created_by=me'], [staffA.token, `/visits?unit_id=${townA.id}`], [admin, '/visits']]) {
    assert.ok(!(await allPages(q, { token })).some((x) => x.id === v.id), `not listed at ${q}`);
  }
  // The row is still there, marked; the audit log has the visit as it was.
  assert.equal(storedWithNote(note), 1);
  const [[deletedBy, marked]] = sql(
    `SELECT deleted_by, deleted_at IS NOT NULL FROM visits WHERE id = ${v.id}`);
  assert.equal(Number(deletedBy), staffA.user.id);
  assert.equal(marked, '1');
  const rows = auditOf(v.id);
  assert.deepEqual(rows.map((r) => r.action), ['visit.create', 'visit.delete']);
  assert.equal(rows[1].before.id, v.id);
  assert.equal(rows[1].before.note, note);
  assert.equal(rows[1].before.people_count, v.people_count);
  assert.equal(rows[1].after, null);
  // An admin deletes anywhere, without If-Match.
  const b = await logVisit(volB.token, workerVisit());
  assert.equal((await api('DELETE', `/visits/${b.id}`, { token: admin })).status, 204);
});
