// /wage-cases: public and assisted intake, lists with masking, filters and
// keyset paging, detail visibility, the workflow with If-Match, recoveries
// in instalments, and public tracking (API.md "Wage-arrears cases",
// Conventions; docs/conventions.md).
//
// Every case is filed into units this file creates, and every count is over
// those units, so the file runs alongside the others.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminToken, allPages, api, assertFieldErrors, assertJson, assertProblem, createUnit, createUser,
  seededUnits, show, uniq,
} from './lib.mjs';
import {
  REFERENCE, RFC3339_CST, TRACKING, addDays, badChecksum, caseBody, creditCode, fileCase, getCase,
  etagVersion, idNumber, locationId, idNumberX, maskId, maskPhone, move, phone, recover, todayShanghai,
} from './wage_lib.mjs';

let admin;
let townT; // a fresh town
let unitD; // a 'direct' unit under townT
let unitV; // under townT: only invalid intakes are sent here
let townT2; // another fresh town
let staffT;
let staffT2;
let vol1;
let vol2;
let adminName;

before(async () => {
  admin = await adminToken();
  adminName = (await api('GET', '/me', { token: admin })).json.display_name;
  const { district } = await seededUnits();
  townT = await createUnit({ kind: 'town', name: '欠薪测试镇', parent_id: district.id });
  unitD = await createUnit({ kind: 'direct', name: '欠薪测试直属工会', parent_id: townT.id });
  unitV = await createUnit({ kind: 'direct', name: '欠薪校验工会', parent_id: townT.id });
  townT2 = await createUnit({ kind: 'town', name: '欠薪测试另一镇', parent_id: district.id });
  [staffT, staffT2, vol1, vol2] = await Promise.all([
    createUser({ role: 'staff', unit_id: townT.id, display_name: '镇工会干部' }, { signIn: true }),
    createUser({ role: 'staff', unit_id: townT2.id, display_name: '他镇干部' }, { signIn: true }),
    createUser({ role: 'volunteer', unit_id: unitD.id, display_name: '志愿者甲' }, { signIn: true }),
    createUser({ role: 'volunteer', unit_id: unitD.id, display_name: '志愿者乙' }, { signIn: true }),
  ]);
});

const ifMatch = (v) => ({ 'If-Match': `"${v}"` });
const YEAR = () => todayShanghai().slice(0, 4);

/* Every case of a unit's subtree, as admin. */
const unitCases = (unitId, extra = '') => allPages(`/wage-cases?unit_id=${unitId}${extra}`, { token: admin });

// ---- Intake ---------------------------------------------------------------

let anon; // {id, reference, tracking_code} of the anonymous case

test('anonymous intake: 201 with Location, reference, tracking code; stored as sent', async () => {
  const w0id = idNumber('19800101', 11);
  const w1phone = phone('137');
  const credit = creditCode();
  const body = caseBody({
    unit_id: unitD.id,
    employer_name: '  常州某建筑劳务有限公司  ',
    employer_credit_code: credit,
    project_name: '某小区二期',
    industry: 'construction',
    site_address: '横林镇某路 1 号',
    description: '拖欠 2020 年 10 月至 12 月工资',
    reporter: { name: '王五', phone: '13812345678' },
    workers: [
      { name: '李四', id_number: w0id, phone: '13900001111', amount_owed: 1500 },
      { name: '赵六', phone: w1phone, amount_owed: '800.5' },
    ],
  });
  const res = await api('POST', '/wage-cases', { body });
  const out = assertJson(res, 201);
  assert.match(out.reference, REFERENCE);
  assert.equal(out.reference.slice(2, 6), YEAR(), 'the year of the reference is this year');
  assert.match(out.tracking_code, TRACKING);
  assert.equal(out.status, 'received');
  const id = locationId(res);
  if ('id' in out) assert.equal(out.id, id);
  anon = { ...out, id };

  // The case as staff read it.
  const got = await api('GET', res.headers.get('location'), { token: admin });
  const c = assertJson(got, 200);
  assert.equal(etagVersion(got), c.version);
  assert.equal(c.id, id);
  assert.equal(c.reference, out.reference);
  assert.equal(c.unit_id, unitD.id);
  assert.equal(c.source, 'self', 'anonymous intake is source self');
  assert.equal(c.status, 'received');
  assert.equal(c.employer_name, '常州某建筑劳务有限公司', 'trimmed');
  assert.equal(c.employer_credit_code, credit);
  assert.equal(c.project_name, '某小区二期');
  assert.equal(c.industry, 'construction');
  assert.equal(c.site_address, '横林镇某路 1 号');
  assert.equal(c.description, '拖欠 2020 年 10 月至 12 月工资');
  assert.deepEqual(c.reporter, { name: '王五', phone: '13812345678' });
  assert.equal(c.workers.length, 2);
  assert.equal(typeof c.workers[0].id, 'number');
  // other_cases (one person, one file) is checked in personal_data.test.mjs.
  for (const w of c.workers) assert.ok(Array.isArray(w.other_cases));
  assert.deepEqual(c.workers.map(({ id, other_cases, ...w }) => w), [
    { name: '李四', id_number: w0id, phone: '13900001111', amount_owed: '1500.00', amount_recovered: '0.00' },
    { name: '赵六', id_number: null, phone: w1phone, amount_owed: '800.50', amount_recovered: '0.00' },
  ]);
  assert.equal(c.amount_owed, '2300.50', 'the sum of what is owed to the workers');
  assert.equal(c.amount_recovered, '0.00');
  assert.equal(c.accepted_on, null);
  assert.equal(c.closed_on, null);
  assert.match(c.created_at, RFC3339_CST);
  assert.match(c.updated_at, RFC3339_CST);
  assert.equal(typeof c.version, 'number');
  assert.equal(c.events.length, 1);
  assert.equal(c.events[0].from, null);
  assert.equal(c.events[0].to, 'received');
  assert.equal(c.events[0].user, null, 'nobody signed in');
  assert.match(c.events[0].at, RFC3339_CST);

  // Anonymous callers cannot read cases.
  assertProblem(await api('GET', `/wage-cases/${id}`), 401, 'unauthenticated');
  assertProblem(await api('GET', '/wage-cases'), 401, 'unauthenticated');
});

test('anonymous intake: unit_id is required and must exist; source can only be self', async () => {
  const noUnit = caseBody();
  assertFieldErrors(await api('POST', '/wage-cases', { body: noUnit }), [['unit_id', 'required']], { exact: true });

  const hotline = caseBody({ unit_id: unitV.id, source: 'hotline' });
  assertFieldErrors(await api('POST', '/wage-cases', { body: hotline }), [['source', 'enum']], { exact: true });

  const unknown = caseBody({ unit_id: 999999999 });
  assertFieldErrors(await api('POST', '/wage-cases', { body: unknown }), [['unit_id']], { exact: true });

  // Saying self explicitly is fine.
  const ok = await api('POST', '/wage-cases', { body: caseBody({ unit_id: unitD.id, source: 'self' }) });
  assert.equal(ok.status, 201, show(ok));
  assert.equal((await getCase(admin, locationId(ok))).source, 'self');
});

test('intake: every invalid field is reported at once, with its path; nothing is stored', async () => {
  assert.equal((await unitCases(unitV.id)).length, 0, 'unitV starts empty');
  const nextYear = String(Number(YEAR()) + 1);
  const body = caseBody({
    unit_id: unitV.id,
    reporter: { name: '王五', phone: '1381234567' },
    workers: [
      { name: '甲', amount_owed: '12.345' },
      { name: '乙', phone: '12812345678', amount_owed: '100' },
      { name: '丙', id_number: badChecksum(idNumber('19900101', 5)), amount_owed: '100' },
      { name: '丁', id_number: idNumber(`${nextYear}0101`, 1), amount_owed: '100' },
      { name: '  ', amount_owed: '100' },
      { name: '戊', amount_owed: 0 },
      { name: '己', id_number: '32040219900101', amount_owed: '-5' },
    ],
  });
  const res = await api('POST', '/wage-cases', { body });
  assertFieldErrors(res, [
    ['reporter.phone', 'format'],
    ['workers[0].amount_owed', 'decimals'],
    ['workers[1].phone', 'format'],
    ['workers[2].id_number', 'checksum'],
    ['workers[3].id_number', 'birth_date'],
    ['workers[4].name', 'required'],
    ['workers[5].amount_owed', 'out_of_range'],
    ['workers[6].id_number', 'format'],
    ['workers[6].amount_owed', 'out_of_range'],
  ], { exact: true });

  // Missing required fields, all at once.
  const empty = await api('POST', '/wage-cases', { token: staffT.token, body: { unit_id: unitV.id } });
  assertFieldErrors(empty, [
    ['employer_name', 'required'], ['industry', 'required'], ['reporter', 'required'], ['workers', 'required'],
  ], { exact: true });
  const bad = await api('POST', '/wage-cases', {
    token: staffT.token,
    body: caseBody({
      unit_id: unitV.id, industry: 'mining', employer_credit_code: '91320411MA1XYZ12A0',
      workers: [{ name: '甲' }],
    }),
  });
  assertFieldErrors(bad, [
    ['industry', 'enum'], ['employer_credit_code'], ['workers[0].amount_owed', 'required'],
  ], { exact: true });

  assert.equal((await unitCases(unitV.id)).length, 0, 'nothing was stored');
});

test('intake: the same id_number twice is workers[1].id_number duplicate (x and X are the same)', async () => {
  const id = idNumber('19750505', 7);
  const res = await api('POST', '/wage-cases', {
    token: staffT.token,
    body: caseBody({
      unit_id: unitV.id,
      workers: [{ name: '甲', id_number: id, amount_owed: 1 }, { name: '乙', id_number: id, amount_owed: 1 }],
    }),
  });
  assertFieldErrors(res, [['workers[1].id_number', 'duplicate']], { exact: true });

  const x = idNumberX();
  const res2 = await api('POST', '/wage-cases', {
    body: caseBody({
      unit_id: unitV.id,
      workers: [
        { name: '甲', id_number: x, amount_owed: 1 },
        { name: '乙', amount_owed: 1 },
        { name: '丙', id_number: x.toLowerCase(), amount_owed: 1 },
      ],
    }),
  });
  assertFieldErrors(res2, [['workers[2].id_number', 'duplicate']], { exact: true });
  assert.equal((await unitCases(unitV.id)).length, 0, 'nothing was stored');
});

test('intake: a lowercase x in an ID number is stored as X', async () => {
  const x = idNumberX('19810707');
  assert.ok(x.endsWith('X'));
  const res = await api('POST', '/wage-cases', {
    body: caseBody({ unit_id: unitD.id, workers: [{ name: '甲', id_number: x.toLowerCase(), amount_owed: '10' }] }),
  });
  assert.equal(res.status, 201, show(res));
  const c = await getCase(admin, locationId(res));
  assert.equal(c.workers[0].id_number, x);
});

test('intake: 0 workers too_few, 501 too_many, 500 accepted; unknown fields unknown_field', async () => {
  assertFieldErrors(await api('POST', '/wage-cases', {
    body: caseBody({ unit_id: unitV.id, workers: [] }),
  }), [['workers', 'too_few']], { exact: true });

  const many = (n) => Array.from({ length: n }, (_, i) => ({ name: `工人${i}`, amount_owed: '1.00' }));
  assertFieldErrors(await api('POST', '/wage-cases', {
    body: caseBody({ unit_id: unitV.id, workers: many(501) }),
  }), [['workers', 'too_many']], { exact: true });

  assertFieldErrors(await api('POST', '/wage-cases', {
    body: { ...caseBody({ unit_id: unitV.id }), colour: 'red' },
  }), [['colour', 'unknown_field']], { exact: true });
  assertFieldErrors(await api('POST', '/wage-cases', {
    token: staffT.token,
    body: caseBody({
      unit_id: unitV.id,
      reporter: { name: '王五', phone: '13812345678', email: 'a@b.c' },
      workers: [{ name: '甲', amount_owed: 1, age: 30 }],
    }),
  }), [['reporter.email', 'unknown_field'], ['workers[0].age', 'unknown_field']], { exact: true });
  assert.equal((await unitCases(unitV.id)).length, 0, 'nothing was stored');

  // The upper bound itself is fine.
  const ok = await api('POST', '/wage-cases', {
    token: staffT.token, body: caseBody({ unit_id: unitD.id, workers: many(500) }),
  });
  assert.equal(ok.status, 201, show(ok));
  assert.equal(ok.json.workers.length, 500);
  assert.equal(ok.json.amount_owed, '500.00');
});

test('intake: lengths in characters and the money bounds', async () => {
  const post = (over) => api('POST', '/wage-cases', { token: staffT.token, body: caseBody({ unit_id: unitV.id, ...over }) });
  assertFieldErrors(await post({
    employer_name: '欠'.repeat(101),
    workers: [
      { name: '工'.repeat(51), amount_owed: '100000000.01' },
      { name: '乙', amount_owed: '1.5.0' },
      { name: '丙', amount_owed: true },
    ],
  }), [
    ['employer_name', 'too_long'], ['workers[0].name', 'too_long'], ['workers[0].amount_owed', 'out_of_range'],
    ['workers[1].amount_owed', 'format'], ['workers[2].amount_owed', 'type'],
  ], { exact: true });
  assert.equal((await unitCases(unitV.id)).length, 0, 'nothing was stored');

  const ok = await api('POST', '/wage-cases', {
    token: staffT.token,
    body: caseBody({
      unit_id: unitD.id,
      employer_name: '欠'.repeat(100),
      workers: [{ name: '工'.repeat(50), amount_owed: '100000000.00' }, { name: '乙', amount_owed: '0.01' }],
    }),
  });
  const c = assertJson(ok, 201);
  assert.equal(c.employer_name, '欠'.repeat(100));
  assert.equal(c.workers[0].name, '工'.repeat(50));
  assert.equal(c.workers[0].amount_owed, '100000000.00');
  assert.equal(c.amount_owed, '100000000.01', 'the sum of the workers, exactly');
});

test('intake with an Idempotency-Key: a retry returns the first answer, no second case', async () => {
  const unitK = await createUnit({ kind: 'direct', name: '幂等测试工会', parent_id: townT.id });
  const key = uniq('idem');
  const body = caseBody({ unit_id: unitK.id, employer_name: '幂等测试公司' });
  const first = await api('POST', '/wage-cases', { body, headers: { 'Idempotency-Key': key } });
  assert.equal(first.status, 201, show(first));
  const again = await api('POST', '/wage-cases', { body, headers: { 'Idempotency-Key': key } });
  assert.equal(again.status, 201, show(again));
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.text, first.text, 'byte for byte');
  const other = await api('POST', '/wage-cases', {
    body: { ...body, employer_name: '另一家公司' }, headers: { 'Idempotency-Key': key },
  });
  assertProblem(other, 422, 'idempotency_mismatch');
  const listed = await unitCases(unitK.id);
  assert.deepEqual(listed.map((x) => x.reference), [first.json.reference], 'one case only');
});

test('unsupported methods: 405 with Allow', async () => {
  const del = await api('DELETE', `/wage-cases/${anon.id}`, { token: admin });
  assertProblem(del, 405, 'method_not_allowed');
  assert.match(del.headers.get('allow') || '', /\bGET\b/);
  assert.match(del.headers.get('allow') || '', /\bPATCH\b/);
  const put = await api('PUT', '/wage-cases/track', { token: admin });
  assertProblem(put, 405, 'method_not_allowed');
  assert.match(put.headers.get('allow') || '', /\bGET\b/);
});

test('20 concurrent anonymous intakes get 20 distinct references', async () => {
  const unitC = await createUnit({ kind: 'direct', name: '并发测试工会', parent_id: townT.id });
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    api('POST', '/wage-cases', {
      body: caseBody({ unit_id: unitC.id, employer_name: `并发公司${i}` }),
    })));
  for (const r of results) assert.equal(r.status, 201, show(r));
  const refs = results.map((r) => r.json.reference);
  for (const ref of refs) {
    assert.match(ref, REFERENCE);
    assert.equal(ref.slice(2, 6), YEAR());
  }
  assert.equal(new Set(refs).size, 20, `distinct references: ${refs}`);
  const numbers = refs.map((r) => Number(r.slice(7)));
  assert.equal(new Set(numbers).size, 20, 'distinct numbers within the year');
  assert.ok(numbers.every((n) => n >= 1));
  for (const r of results) assert.match(r.json.tracking_code, TRACKING);
  assert.equal(new Set(results.map(locationId)).size, 20);

  // All twenty are stored, each under its own reference.
  const listed = await unitCases(unitC.id);
  assert.deepEqual(listed.map((c) => c.reference).sort(), [...refs].sort());
});

// ---- Assisted intake and volunteers ------------------------------------------

let volCase; // filed by vol1
test('assisted intake by a volunteer: source volunteer, their unit, tracking code; masked', async () => {
  const wid = idNumber('19880808', 21);
  const wphone = phone('138');
  const res = await api('POST', '/wage-cases', {
    token: vol1.token,
    body: caseBody({
      employer_name: '志愿者代登记公司',
      reporter: { name: '孙七', phone: '13612345678' },
      workers: [{ name: '周八', id_number: wid, phone: wphone, amount_owed: '3000' }],
    }),
  });
  const c = assertJson(res, 201);
  assert.equal(res.headers.get('location'), `/api/v1/wage-cases/${c.id}`);
  assert.equal(etagVersion(res), c.version);
  assert.equal(c.source, 'volunteer');
  assert.equal(c.unit_id, unitD.id, "the volunteer's own unit");
  assert.equal(c.status, 'received');
  assert.match(c.reference, REFERENCE);
  assert.match(c.tracking_code, TRACKING);
  // A volunteer never sees personal data in full, even of their own intake.
  assert.equal(c.workers[0].id_number, maskId(wid));
  assert.equal(c.workers[0].phone, maskPhone(wphone));
  assert.equal(c.reporter.phone, '136****5678');
  assert.equal(c.events.length, 1);
  assert.equal(c.events[0].to, 'received');
  assert.equal(c.events[0].user, '志愿者甲');
  volCase = { ...c, wid, wphone };

  // Stored in full.
  const full = await getCase(admin, c.id);
  assert.equal(full.workers[0].id_number, wid);
  assert.equal(full.workers[0].phone, wphone);
  assert.equal(full.reporter.phone, '13612345678');

  // The tracking code works.
  const tr = await api('GET', `/wage-cases/track?reference=${c.reference}&code=${c.tracking_code}`);
  assert.equal(tr.status, 200, show(tr));

  // Staff default to source hotline and may name another.
  const s = await fileCase(staffT.token, { unit_id: unitD.id });
  assert.equal(s.body.source, 'hotline');
  const p = await fileCase(staffT.token, { source: 'platform' });
  assert.equal(p.body.source, 'platform');
  assert.equal(p.body.unit_id, townT.id, "the staff member's own unit by default");
});

test('a volunteer filing for a unit outside their own gets 403', async () => {
  for (const unit of [townT2.id, townT.id]) {
    const res = await api('POST', '/wage-cases', { token: vol1.token, body: caseBody({ unit_id: unit }) });
    assertProblem(res, 403, 'forbidden');
  }
  // Staff too, outside their subtree.
  assertProblem(await api('POST', '/wage-cases', {
    token: staffT2.token, body: caseBody({ unit_id: unitD.id }),
  }), 403, 'forbidden');
});

test('a volunteer lists only the cases they created, and cannot read the others', async () => {
  const mine2 = (await fileCase(vol1.token, { employer_name: '志愿者甲第二单' })).body;
  const theirs = (await fileCase(vol2.token, { employer_name: '志愿者乙的单' })).body;
  const staffs = (await fileCase(staffT.token, { unit_id: unitD.id })).body;

  const l1 = await allPages('/wage-cases', { token: vol1.token });
  assert.deepEqual(l1.map((c) => c.id).sort(), [volCase.id, mine2.id].sort());
  const l2 = await allPages('/wage-cases', { token: vol2.token });
  assert.deepEqual(l2.map((c) => c.id), [theirs.id]);
  // Even when naming the unit.
  const l1u = await allPages(`/wage-cases?unit_id=${unitD.id}`, { token: vol1.token });
  assert.deepEqual(l1u.map((c) => c.id).sort(), [volCase.id, mine2.id].sort());

  // Another's case reads exactly like one that does not exist.
  const other = await api('GET', `/wage-cases/${theirs.id}`, { token: vol1.token });
  const staffCase = await api('GET', `/wage-cases/${staffs.id}`, { token: vol1.token });
  const none = await api('GET', '/wage-cases/999999999999', { token: vol1.token });
  assertProblem(other, 404, 'not_found');
  assertProblem(none, 404, 'not_found');
  assert.equal(other.text, none.text);
  assert.equal(staffCase.status, 404);
  assert.equal(staffCase.text, none.text);

  // Volunteers do not work cases.
  const own = await getCase(vol1.token, volCase.id);
  assertProblem(await api('PATCH', `/wage-cases/${own.id}`, {
    token: vol1.token, body: { employer_name: '改' }, headers: ifMatch(own.version),
  }), 403, 'forbidden');
  assertProblem(await api('POST', `/wage-cases/${own.id}/transitions`, {
    token: vol1.token, body: { to: 'accepted' }, headers: ifMatch(own.version),
  }), 403, 'forbidden');
});

// ---- Lists -------------------------------------------------------------------

test('lists always mask, carry worker_count and no workers', async () => {
  const wphone = phone('150');
  const c = (await fileCase(staffT.token, {
    unit_id: unitD.id,
    employer_name: `遮蔽测试${uniq('m')}`,
    reporter: { name: '钱九', phone: '13812345678' },
    workers: [
      { name: '甲', id_number: idNumber('19700101', 3), phone: wphone, amount_owed: '1.50' },
      { name: '乙', amount_owed: 2 },
      { name: '丙', amount_owed: '3.25' },
    ],
  })).body;
  for (const token of [admin, staffT.token]) {
    const res = await api('GET', `/wage-cases?unit_id=${unitD.id}&limit=200`, { token });
    const body = assertJson(res, 200);
    assert.ok(Array.isArray(body.items));
    assert.ok('next_cursor' in body);
    for (const it of body.items) {
      assert.match(it.reporter.phone, /^1\d{2}\*{4}\d{4}$/, `masked: ${JSON.stringify(it.reporter)}`);
      assert.ok(!('workers' in it), 'no workers in list items');
      assert.equal(typeof it.worker_count, 'number');
    }
    const it = body.items.find((x) => x.id === c.id);
    assert.ok(it, 'the new case is listed');
    assert.equal(it.reporter.phone, '138****5678');
    assert.equal(it.reporter.name, '钱九');
    assert.equal(it.worker_count, 3);
    assert.equal(it.reference, c.reference);
    assert.equal(it.amount_owed, '6.75');
    assert.equal(it.amount_recovered, '0.00');
    assert.equal(it.status, 'received');
    assert.equal(it.unit_id, unitD.id);
    assert.ok(!res.text.includes(wphone), 'no worker phone anywhere in the list');
    assert.ok(!res.text.includes('13812345678'), 'no reporter phone in full');
  }
});

test('list filters: status, industry, unit_id (subtree), q (literal % and _), from/to', async () => {
  const tok = uniq('q').replace(/-/g, '');
  const cT = (await fileCase(staffT.token, {
    unit_id: townT.id, industry: 'manufacturing', employer_name: `${tok}50%A`,
  })).body;
  const cD = (await fileCase(staffT.token, {
    unit_id: unitD.id, industry: 'construction', employer_name: `${tok}50xA`, project_name: `${tok}pA_B`,
  })).body;
  const cD2 = (await fileCase(staffT.token, {
    unit_id: unitD.id, industry: 'services', employer_name: '某服务公司', project_name: `${tok}pAxB`,
  })).body;
  await move(staffT.token, cD2.id, 'accepted');

  const ids = async (query, token = admin) => {
    const items = await allPages(`/wage-cases?${query}`, { token });
    return items.map((c) => c.id).sort((a, b) => a - b);
  };
  const sorted = (...xs) => xs.map((c) => c.id).sort((a, b) => a - b);
  const q = (s) => `q=${encodeURIComponent(s)}`;

  assert.deepEqual(await ids(q(tok)), sorted(cT, cD, cD2), 'q matches employer or project name');
  assert.deepEqual(await ids(q(`${tok}50%A`)), sorted(cT), '% is literal');
  assert.deepEqual(await ids(q(`${tok}pA_B`)), sorted(cD), '_ is literal');
  assert.deepEqual(await ids(q(cD.reference)), sorted(cD), 'q matches the reference');
  assert.deepEqual(await ids(`${q(tok)}&status=accepted`), sorted(cD2));
  assert.deepEqual(await ids(`${q(tok)}&status=received`), sorted(cT, cD));
  assert.deepEqual(await ids(`${q(tok)}&industry=manufacturing`), sorted(cT));
  assert.deepEqual(await ids(`${q(tok)}&industry=services&status=accepted`), sorted(cD2));
  assert.deepEqual(await ids(`${q(tok)}&unit_id=${townT.id}`), sorted(cT, cD, cD2), 'unit_id takes the subtree');
  assert.deepEqual(await ids(`${q(tok)}&unit_id=${unitD.id}`), sorted(cD, cD2));
  assert.deepEqual(await ids(`${q(tok)}&unit_id=${townT2.id}`), []);
  const today = todayShanghai();
  assert.deepEqual(await ids(`${q(tok)}&from=${today}&to=${today}`), sorted(cT, cD, cD2), 'both bounds inclusive');
  assert.deepEqual(await ids(`${q(tok)}&to=${addDays(today, -1)}`), []);
  assert.deepEqual(await ids(`${q(tok)}&from=${addDays(today, 1)}`), []);
  // Scope: staff of the town see them all, staff of another town none.
  assert.deepEqual(await ids(q(tok), staffT.token), sorted(cT, cD, cD2));
  assert.deepEqual(await ids(q(tok), staffT2.token), []);

  // Bad parameters: 400 naming each one.
  const bad = async (query, expected) =>
    assertFieldErrors(await api('GET', `/wage-cases?${query}`, { token: admin }), expected, { exact: true });
  await bad('status=open', [['status', 'enum']]);
  await bad('industry=mining', [['industry', 'enum']]);
  await bad('from=2021-02-30', [['from', 'date']]);
  await bad('to=yesterday', [['to', 'date']]);
  await bad(`from=${today}&to=${addDays(today, -1)}`, [['to']]);
  await bad('unit_id=abc', [['unit_id']]);
  await bad('unit_id=999999999', [['unit_id']]);
  await bad('limit=0', [['limit']]);
  await bad('limit=201', [['limit']]);
  await bad('cursor=%%%', [['cursor']]);
  await bad('status=open&industry=mining', [['status', 'enum'], ['industry', 'enum']]);
});

test('list: q in Chinese matches employer and project names (the usual search)', async () => {
  const tok = uniq('z').replace(/-/g, '');
  const a = (await fileCase(staffT.token, { unit_id: unitD.id, employer_name: `${tok}常州恒达建筑公司` })).body;
  const b = (await fileCase(staffT.token, { unit_id: unitD.id, employer_name: `${tok}某厂`, project_name: '恒达花园三期' })).body;
  const res = await api('GET', `/wage-cases?unit_id=${unitD.id}&q=${encodeURIComponent('恒达')}&limit=200`, { token: staffT.token });
  const body = assertJson(res, 200);
  const ids = body.items.map((c) => c.id);
  assert.ok(ids.includes(a.id) && ids.includes(b.id), `both found: ${ids}`);
  const one = await api('GET', `/wage-cases?q=${encodeURIComponent(`${tok}常州恒达`)}`, { token: admin });
  assert.deepEqual(assertJson(one, 200).items.map((c) => c.id), [a.id]);
});

test('keyset paging: limit and next_cursor, newest first, no duplicates, stable under inserts', async () => {
  const unitP = await createUnit({ kind: 'direct', name: '翻页测试工会', parent_id: townT.id });
  const made = [];
  for (let i = 0; i < 7; i++) {
    made.push((await fileCase(staffT.token, { unit_id: unitP.id, employer_name: `翻页公司${i}` })).body.id);
  }
  const seen = [];
  let cursor = null;
  let pages = 0;
  let inserted = null;
  do {
    const res = await api('GET', `/wage-cases?unit_id=${unitP.id}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token: staffT.token });
    const body = assertJson(res, 200);
    assert.ok(body.items.length <= 3);
    seen.push(...body.items.map((c) => c.id));
    cursor = body.next_cursor;
    pages += 1;
    if (cursor !== null) assert.equal(typeof cursor, 'string');
    if (pages === 1) {
      // A case filed while paging is newer: it must not shift the pages.
      inserted = (await fileCase(staffT.token, { unit_id: unitP.id, employer_name: '翻页中新增' })).body.id;
    }
  } while (cursor !== null && pages < 10);
  assert.equal(pages, 3, '7 cases in pages of 3');
  assert.equal(new Set(seen).size, seen.length, `no duplicates: ${seen}`);
  assert.deepEqual(seen, [...made].reverse(), 'newest first, every case once');
  assert.ok(!seen.includes(inserted));

  const all = await allPages(`/wage-cases?unit_id=${unitP.id}`, { token: staffT.token });
  assert.deepEqual(all.map((c) => c.id), [inserted, ...[...made].reverse()]);
  // Default page holds them all, with no cursor.
  const def = await api('GET', `/wage-cases?unit_id=${unitP.id}`, { token: staffT.token });
  assert.equal(def.json.items.length, 8);
  assert.equal(def.json.next_cursor, null);
  // Exactly a full page: next_cursor then leads to an empty page or is null.
  const full = await api('GET', `/wage-cases?unit_id=${unitP.id}&limit=8`, { token: staffT.token });
  assert.equal(full.json.items.length, 8);
  if (full.json.next_cursor !== null) {
    const rest = await api('GET', `/wage-cases?unit_id=${unitP.id}&limit=8&cursor=${encodeURIComponent(full.json.next_cursor)}`,
      { token: staffT.token });
    assert.deepEqual(rest.json.items, []);
  }
});

// ---- Detail ------------------------------------------------------------------

test('detail: unmasked for admin and staff of the subtree, masked for the volunteer; 404 elsewhere', async () => {
  const c = volCase;
  for (const token of [admin, staffT.token]) {
    const res = await api('GET', `/wage-cases/${c.id}`, { token });
    const d = assertJson(res, 200);
    assert.equal(etagVersion(res), d.version);
    assert.equal(d.workers[0].id_number, c.wid);
    assert.equal(d.workers[0].phone, c.wphone);
    assert.equal(d.reporter.phone, '13612345678');
    assert.ok(Array.isArray(d.events));
    assert.ok(Array.isArray(d.recoveries ?? []));
    assert.ok(!('tracking_code' in d), 'the tracking code is shown once only');
  }
  const vres = await api('GET', `/wage-cases/${c.id}`, { token: vol1.token });
  const v = assertJson(vres, 200);
  assert.equal(etagVersion(vres), v.version);
  assert.equal(v.workers[0].id_number, maskId(c.wid));
  assert.match(v.workers[0].id_number, /^\d{6}\*{8}\d{3}[\dX]$/);
  assert.equal(v.workers[0].phone, maskPhone(c.wphone));
  assert.equal(v.reporter.phone, '136****5678');
  assert.ok(!vres.text.includes(c.wid) && !vres.text.includes(c.wphone));

  // Staff of another town: the same 404 as a case that does not exist.
  const other = await api('GET', `/wage-cases/${c.id}`, { token: staffT2.token });
  const none = await api('GET', '/wage-cases/999999999999', { token: staffT2.token });
  assertProblem(other, 404, 'not_found');
  assertProblem(none, 404, 'not_found');
  assert.equal(other.text, none.text);
  assert.equal(other.headers.get('content-type'), none.headers.get('content-type'));
  assert.equal(other.headers.get('etag'), null);
});

test('detail: staff of a child unit do not see the parent town\'s cases', async () => {
  const staffD = await createUser({ role: 'staff', unit_id: unitD.id }, { signIn: true });
  const inT = (await fileCase(staffT.token, { unit_id: townT.id })).body;
  const inD = (await fileCase(staffT.token, { unit_id: unitD.id })).body;
  assertProblem(await api('GET', `/wage-cases/${inT.id}`, { token: staffD.token }), 404, 'not_found');
  const d = await getCase(staffD.token, inD.id);
  assert.equal(d.reporter.phone, '13812345678', 'unmasked for staff of the owning unit');
});

test('ETag is exactly "<version>" on every answer that carries a case', async () => {
  // fetch sends Accept-Encoding as a browser does; the tag must survive it.
  const wrong = [];
  const check = (what, res) => {
    const want = `"${res.json.version}"`;
    if (res.headers.get('etag') !== want) wrong.push(`${what}: ETag ${res.headers.get('etag')}, want ${want}`);
  };
  const c = await api('POST', '/wage-cases', { token: staffT.token, body: caseBody({ unit_id: unitD.id }) });
  assert.equal(c.status, 201, show(c));
  check('POST /wage-cases 201', c);
  const g = await api('GET', `/wage-cases/${c.json.id}`, { token: staffT.token });
  assert.equal(g.status, 200, show(g));
  check('GET /wage-cases/{id} 200', g);
  const p = await api('PATCH', `/wage-cases/${c.json.id}`, {
    token: staffT.token, body: { project_name: '标签测试' }, headers: ifMatch(g.json.version),
  });
  assert.equal(p.status, 200, show(p));
  check('PATCH /wage-cases/{id} 200', p);
  const t = await api('POST', `/wage-cases/${c.json.id}/transitions`, {
    token: staffT.token, body: { to: 'accepted' }, headers: ifMatch(p.json.version),
  });
  assert.equal(t.status, 200, show(t));
  check('POST /wage-cases/{id}/transitions 200', t);
  const r = await api('POST', `/wage-cases/${c.json.id}/recoveries`, {
    token: staffT.token, body: { worker_id: t.json.workers[0].id, amount: 1, recovered_on: todayShanghai() },
  });
  assert.equal(r.status, 201, show(r));
  check('POST /wage-cases/{id}/recoveries 201', r);
  assert.deepEqual(wrong, []);
});

// ---- Workflow ----------------------------------------------------------------

test('transitions: 428 without If-Match, 412 stale, 409 illegal; dates and events', async () => {
  const c = (await fileCase(staffT.token, { unit_id: unitD.id })).body;
  const path = `/wage-cases/${c.id}/transitions`;
  const v1 = c.version;

  assertProblem(await api('POST', path, { token: staffT.token, body: { to: 'accepted' } }), 428, 'precondition_required');
  assertProblem(await api('POST', path, { token: staffT.token, body: { to: 'accepted' }, headers: ifMatch(v1 + 5) }),
    412, 'precondition_failed');
  assertProblem(await api('POST', path, { token: staffT.token, body: { to: 'closed' }, headers: ifMatch(v1) }),
    409, 'illegal_transition');
  assertProblem(await api('POST', path, { token: staffT.token, body: { to: 'resolved' }, headers: ifMatch(v1) }),
    409, 'illegal_transition');
  assertFieldErrors(await api('POST', path, { token: staffT.token, body: { to: 'done' }, headers: ifMatch(v1) }),
    [['to', 'enum']], { exact: true });
  assertFieldErrors(await api('POST', path, { token: staffT.token, body: {}, headers: ifMatch(v1) }),
    [['to', 'required']], { exact: true });
  assertFieldErrors(await api('POST', path, {
    token: staffT.token, body: { to: 'accepted', reason: 'x' }, headers: ifMatch(v1),
  }), [['reason', 'unknown_field']], { exact: true });
  assertProblem(await api('POST', path, { token: staffT2.token, body: { to: 'accepted' }, headers: ifMatch(v1) }),
    404, 'not_found');
  const still = await getCase(admin, c.id);
  assert.equal(still.status, 'received');
  assert.equal(still.version, v1, 'nothing changed');
  assert.equal(still.events.length, 1);

  const today = todayShanghai();
  const res = await api('POST', path, {
    token: staffT.token, body: { to: 'accepted', note: '材料齐全，予以受理' }, headers: ifMatch(v1),
  });
  const a = assertJson(res, 200);
  assert.equal(a.status, 'accepted');
  assert.equal(a.accepted_on, today, 'accepted_on is today in Asia/Shanghai');
  assert.equal(a.closed_on, null);
  assert.equal(a.version, v1 + 1);
  assert.equal(etagVersion(res), v1 + 1);
  assert.equal(a.events.length, 2);
  const ev = a.events[1];
  assert.equal(ev.from, 'received');
  assert.equal(ev.to, 'accepted');
  assert.equal(ev.note, '材料齐全，予以受理');
  assert.equal(ev.user, '镇工会干部');
  assert.match(ev.at, RFC3339_CST);

  // The old version is now stale; accepted → received is not a move.
  assertProblem(await api('POST', path, { token: staffT.token, body: { to: 'mediating' }, headers: ifMatch(v1) }),
    412, 'precondition_failed');
  assertProblem(await api('POST', path, { token: staffT.token, body: { to: 'received' }, headers: ifMatch(a.version) }),
    409, 'illegal_transition');
  assertProblem(await api('POST', path, { token: staffT.token, body: { to: 'rejected' }, headers: ifMatch(a.version) }),
    409, 'illegal_transition');

  // accepted → mediating → referred → resolved → closed.
  const steps = [['mediating', '进入调解'], ['referred', '转劳动监察'], ['resolved', undefined], ['closed', '结案']];
  let cur = a;
  for (const [to, note] of steps) {
    const r = await api('POST', path, {
      token: admin, body: note === undefined ? { to } : { to, note }, headers: ifMatch(cur.version),
    });
    const n = assertJson(r, 200);
    assert.equal(n.status, to);
    assert.equal(n.version, cur.version + 1);
    assert.equal(n.events.length, cur.events.length + 1, 'one event per transition');
    assert.deepEqual(n.events.slice(0, -1), cur.events, 'earlier events unchanged');
    const last = n.events.at(-1);
    assert.equal(last.from, cur.status);
    assert.equal(last.to, to);
    assert.equal(last.note, note ?? null);
    assert.equal(last.user, adminName, 'the admin\'s display name');
    cur = n;
  }
  assert.equal(cur.accepted_on, today);
  assert.equal(cur.closed_on, today, 'closing sets closed_on');
  assert.equal(cur.events.length, 6);

  // Closed is final.
  for (const to of ['accepted', 'resolved', 'closed', 'received']) {
    assertProblem(await api('POST', path, { token: admin, body: { to }, headers: ifMatch(cur.version) }),
      409, 'illegal_transition');
  }
  assertProblem(await api('PATCH', `/wage-cases/${c.id}`, {
    token: staffT.token, body: { employer_name: '改名' }, headers: ifMatch(cur.version),
  }), 409, 'case_closed');
  const after = await getCase(admin, c.id);
  assert.equal(after.version, cur.version);
  assert.equal(after.employer_name, c.employer_name);
});

test('transitions: received → rejected sets closed_on, not accepted_on; then final', async () => {
  const c = (await fileCase(staffT.token, { unit_id: unitD.id })).body;
  const r = await move(staffT.token, c.id, 'rejected', '不属于欠薪');
  assert.equal(r.status, 'rejected');
  assert.equal(r.closed_on, todayShanghai());
  assert.equal(r.accepted_on, null);
  assert.equal(r.events.at(-1).from, 'received');
  assert.equal(r.events.at(-1).to, 'rejected');
  assertProblem(await api('POST', `/wage-cases/${c.id}/transitions`, {
    token: staffT.token, body: { to: 'accepted' }, headers: ifMatch(r.version),
  }), 409, 'illegal_transition');
  assertProblem(await api('PATCH', `/wage-cases/${c.id}`, {
    token: staffT.token, body: { project_name: '改' }, headers: ifMatch(r.version),
  }), 409, 'case_closed');
  assertProblem(await api('POST', `/wage-cases/${c.id}/recoveries`, {
    token: staffT.token, body: { worker_id: r.workers[0].id, amount: 1, recovered_on: todayShanghai() },
  }), 409, 'case_not_open');
});

test('5 concurrent transitions with the same If-Match: exactly one wins', async () => {
  const c = (await fileCase(staffT.token, { unit_id: unitD.id })).body;
  const targets = ['accepted', 'accepted', 'rejected', 'accepted', 'rejected'];
  const results = await Promise.all(targets.map((to, i) => api('POST', `/wage-cases/${c.id}/transitions`, {
    token: i % 2 ? admin : staffT.token, body: { to, note: `并发${i}` }, headers: ifMatch(c.version),
  })));
  const statuses = results.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 200).length, 1, `one 200: ${statuses}`);
  for (const r of results) {
    if (r.status === 200) continue;
    assert.ok(r.status === 412 || r.status === 409, show(r));
    assertProblem(r, r.status, r.status === 412 ? 'precondition_failed' : 'illegal_transition');
  }
  const winner = results.find((r) => r.status === 200).json;
  const after = await getCase(admin, c.id);
  assert.equal(after.version, c.version + 1, 'exactly one change');
  assert.equal(after.events.length, 2, 'exactly one transition event');
  assert.equal(after.status, winner.status);
  assert.equal(after.events[1].note, winner.events[1].note);
});

test('PATCH: If-Match required; changes the case and bumps the version', async () => {
  const c = (await fileCase(staffT.token, { unit_id: unitD.id, employer_name: '旧名称公司' })).body;
  const path = `/wage-cases/${c.id}`;
  assertProblem(await api('PATCH', path, { token: staffT.token, body: { employer_name: '新' } }), 428, 'precondition_required');
  assertProblem(await api('PATCH', path, { token: staffT.token, body: { employer_name: '新' }, headers: ifMatch(c.version + 1) }),
    412, 'precondition_failed');
  assertFieldErrors(await api('PATCH', path, {
    token: staffT.token, body: { workers: [] }, headers: ifMatch(c.version),
  }), [['workers', 'unknown_field']], { exact: true });
  assertFieldErrors(await api('PATCH', path, {
    token: staffT.token, body: { employer_name: 'x', industry: 'mining', reporter: { name: '王', phone: '123' } },
    headers: ifMatch(c.version),
  }), [['industry', 'enum'], ['reporter.phone', 'format']], { exact: true });
  // Blank counts as missing: the required employer name cannot be blanked.
  assertProblem(await api('PATCH', path, {
    token: staffT.token, body: { employer_name: '   ' }, headers: ifMatch(c.version),
  }), 400);
  assertProblem(await api('PATCH', path, {
    token: staffT.token, body: {}, headers: ifMatch(c.version),
  }), 400);
  assertFieldErrors(await api('PATCH', path, {
    token: staffT.token, body: { unit_id: townT2.id }, headers: ifMatch(c.version),
  }), [['unit_id']], { exact: true });
  assertProblem(await api('PATCH', path, {
    token: staffT2.token, body: { employer_name: '新' }, headers: ifMatch(c.version),
  }), 404, 'not_found');
  assert.equal((await getCase(admin, c.id)).version, c.version, 'nothing changed so far');

  const res = await api('PATCH', path, {
    token: staffT.token, body: { employer_name: '  新名称建筑公司  ', industry: 'other' }, headers: ifMatch(c.version),
  });
  const p = assertJson(res, 200);
  assert.equal(p.employer_name, '新名称建筑公司');
  assert.equal(p.industry, 'other');
  assert.equal(p.version, c.version + 1);
  assert.equal(etagVersion(res), c.version + 1);
  assert.equal(p.status, 'received');
  assert.equal(p.reference, c.reference);
  assert.deepEqual(p.workers, c.workers, 'workers untouched');
  assert.deepEqual(p.reporter, c.reporter);
  const got = await getCase(admin, c.id);
  assert.equal(got.employer_name, '新名称建筑公司');
  assert.equal(got.version, c.version + 1);
  // The old ETag is stale now.
  assertProblem(await api('PATCH', path, { token: staffT.token, body: { project_name: '项目' }, headers: ifMatch(c.version) }),
    412, 'precondition_failed');
});

// ---- Recoveries --------------------------------------------------------------

test('recoveries: only while open; instalments add up per worker and per case', async () => {
  const c = (await fileCase(staffT.token, {
    unit_id: unitD.id,
    workers: [
      { name: '甲', id_number: idNumber('19690303', 31), amount_owed: '2000.00' },
      { name: '乙', amount_owed: '300.00' },
    ],
  })).body;
  const [wa, wb] = c.workers.map((w) => w.id);
  const path = `/wage-cases/${c.id}/recoveries`;
  const today = todayShanghai();
  const past = addDays(today, -10);

  assertProblem(await api('POST', path, { token: staffT.token, body: { worker_id: wa, amount: 1, recovered_on: past } }),
    409, 'case_not_open');
  await move(staffT.token, c.id, 'accepted');
  const v0 = (await getCase(admin, c.id)).version;

  const res = await api('POST', path, { token: staffT.token, body: { worker_id: wa, amount: 1234.5, recovered_on: past } });
  const r1 = assertJson(res, 201);
  assert.equal(r1.workers.find((w) => w.id === wa).amount_recovered, '1234.50');
  assert.equal(r1.amount_recovered, '1234.50');
  assert.equal(r1.amount_owed, '2300.00');
  assert.equal(r1.version, v0 + 1);
  assert.equal(etagVersion(res), v0 + 1);
  assert.ok(res.headers.get('location'), 'Location on 201');
  assert.equal(r1.recoveries.length, 1);
  assert.equal(r1.recoveries[0].worker_id, wa);
  assert.equal(r1.recoveries[0].amount, '1234.50');
  assert.equal(r1.recoveries[0].recovered_on, past);

  await recover(staffT.token, c.id, wa, '500.25', today);
  await recover(admin, c.id, wb, '0.01', past);
  let d = await getCase(admin, c.id);
  assert.equal(d.workers.find((w) => w.id === wa).amount_recovered, '1734.75', 'instalments add up');
  assert.equal(d.workers.find((w) => w.id === wb).amount_recovered, '0.01');
  assert.equal(d.amount_recovered, '1734.76');
  assert.equal(d.recoveries.length, 3, 'each recovery is a row of its own');
  assert.deepEqual(d.recoveries.map((r) => [r.worker_id, r.amount, r.recovered_on]),
    [[wa, '1234.50', past], [wa, '500.25', today], [wb, '0.01', past]]);

  // Over what is owed to the worker: 409, and nothing changes.
  const over = await api('POST', path, { token: staffT.token, body: { worker_id: wa, amount: '265.26', recovered_on: today } });
  assertProblem(over, 409, 'exceeds_owed');
  const over2 = await api('POST', path, { token: staffT.token, body: { worker_id: wb, amount: 300, recovered_on: today } });
  assertProblem(over2, 409, 'exceeds_owed');
  const same = await getCase(admin, c.id);
  assert.equal(same.version, d.version, 'same version');
  assert.equal(same.amount_recovered, '1734.76', 'same total');
  assert.deepEqual(same.workers, d.workers, 'same per-worker totals');
  assert.deepEqual(same.recoveries, d.recoveries, 'no recovery row added');

  // Exactly what remains is fine; then nothing more.
  await recover(staffT.token, c.id, wa, '265.25', today);
  assertProblem(await api('POST', path, { token: staffT.token, body: { worker_id: wa, amount: '0.01', recovered_on: today } }),
    409, 'exceeds_owed');
  d = await getCase(admin, c.id);
  assert.equal(d.workers.find((w) => w.id === wa).amount_recovered, '2000.00');
  assert.equal(d.amount_recovered, '2000.01');

  // Still possible while mediating, referred and resolved; not once closed.
  for (const to of ['mediating', 'referred', 'resolved']) {
    await move(staffT.token, c.id, to);
    await recover(staffT.token, c.id, wb, '10.00', today);
  }
  d = await getCase(admin, c.id);
  assert.equal(d.workers.find((w) => w.id === wb).amount_recovered, '30.01');
  assert.equal(d.amount_recovered, '2030.01');
  await move(staffT.token, c.id, 'closed');
  assertProblem(await api('POST', path, { token: staffT.token, body: { worker_id: wb, amount: 1, recovered_on: today } }),
    409, 'case_not_open');
});

test('recoveries: bad input is 400 naming the field; others are 403/404', async () => {
  const c = (await fileCase(staffT.token, { unit_id: unitD.id, workers: [{ name: '甲', amount_owed: '100.00' }] })).body;
  const other = (await fileCase(staffT.token, { unit_id: unitD.id })).body;
  await move(staffT.token, c.id, 'accepted');
  await move(staffT.token, other.id, 'accepted');
  const w = c.workers[0].id;
  const path = `/wage-cases/${c.id}/recoveries`;
  const today = todayShanghai();
  const post = (body, token = staffT.token, headers = {}) => api('POST', path, { token, body, headers });

  assertFieldErrors(await post({ worker_id: other.workers[0].id, amount: 1, recovered_on: today }), [['worker_id']], { exact: true });
  assertFieldErrors(await post({ worker_id: 999999999999, amount: 1, recovered_on: today }), [['worker_id']], { exact: true });
  assertFieldErrors(await post({ worker_id: w, amount: 1, recovered_on: addDays(today, 1) }), [['recovered_on']], { exact: true });
  assertFieldErrors(await post({ worker_id: w, amount: 1, recovered_on: '2021-02-30' }), [['recovered_on', 'date']], { exact: true });
  assertFieldErrors(await post({ worker_id: w, amount: '1.001', recovered_on: today }), [['amount', 'decimals']], { exact: true });
  assertFieldErrors(await post({ worker_id: w, amount: 0, recovered_on: today }), [['amount', 'out_of_range']], { exact: true });
  assertFieldErrors(await post({}), [['worker_id', 'required'], ['amount', 'required'], ['recovered_on', 'required']], { exact: true });
  assertFieldErrors(await post({ worker_id: w, amount: 1, recovered_on: today, note: 'x' }), [['note', 'unknown_field']], { exact: true });
  assertProblem(await post({ worker_id: w, amount: 1, recovered_on: today }, vol1.token), 403, 'forbidden');
  assertProblem(await post({ worker_id: w, amount: 1, recovered_on: today }, staffT2.token), 404, 'not_found');
  const cur = await getCase(admin, c.id);
  assertProblem(await post({ worker_id: w, amount: 1, recovered_on: today }, staffT.token, ifMatch(cur.version + 3)),
    412, 'precondition_failed');

  const after = await getCase(admin, c.id);
  assert.equal(after.amount_recovered, '0.00', 'nothing recorded');
  assert.equal(after.recoveries.length, 0);
  assert.equal(after.version, cur.version);
  assert.equal((await getCase(admin, other.id)).amount_recovered, '0.00');
});

test('recoveries: concurrent instalments never pass what is owed', async () => {
  const c = (await fileCase(staffT.token, { unit_id: unitD.id, workers: [{ name: '甲', amount_owed: '100.00' }] })).body;
  await move(staffT.token, c.id, 'accepted');
  const w = c.workers[0].id;
  const before = await getCase(admin, c.id);
  const results = await Promise.all(Array.from({ length: 5 }, (_, i) => api('POST', `/wage-cases/${c.id}/recoveries`, {
    token: i % 2 ? admin : staffT.token, body: { worker_id: w, amount: '40.00', recovered_on: todayShanghai() },
  })));
  const codes = results.map((r) => r.status);
  assert.equal(codes.filter((s) => s === 201).length, 2, `two fit into 100.00: ${codes}`);
  for (const r of results) if (r.status !== 201) assertProblem(r, 409, 'exceeds_owed');
  const after = await getCase(admin, c.id);
  assert.equal(after.workers[0].amount_recovered, '80.00');
  assert.equal(after.amount_recovered, '80.00');
  assert.equal(after.recoveries.length, 2);
  assert.equal(after.version, before.version + 2);
});

// ---- Public tracking ---------------------------------------------------------

test('tracking: exactly four keys; follows the status; lowercase code accepted', async () => {
  const track = (ref, code) => api('GET',
    `/wage-cases/track?reference=${encodeURIComponent(ref)}&code=${encodeURIComponent(code)}`);
  const res = await track(anon.reference, anon.tracking_code);
  const t = assertJson(res, 200);
  assert.deepEqual(Object.keys(t).sort(), ['reference', 'status', 'status_label', 'updated_at']);
  assert.equal(t.reference, anon.reference);
  assert.equal(t.status, 'received');
  assert.equal(typeof t.status_label, 'string');
  assert.ok(t.status_label.length > 0);
  assert.match(t.updated_at, RFC3339_CST);

  const low = await track(anon.reference, anon.tracking_code.toLowerCase());
  assert.deepEqual(assertJson(low, 200), t);

  await move(staffT.token, anon.id, 'accepted', '受理');
  const t2 = assertJson(await track(anon.reference, anon.tracking_code), 200);
  assert.equal(t2.status, 'accepted');
  assert.notEqual(t2.status_label, t.status_label);
  assert.deepEqual(Object.keys(t2).sort(), ['reference', 'status', 'status_label', 'updated_at']);
  const full = await getCase(admin, anon.id);
  assert.equal(t2.updated_at, full.updated_at);

  await move(staffT.token, anon.id, 'closed');
  const t3 = assertJson(await track(anon.reference, anon.tracking_code), 200);
  assert.equal(t3.status, 'closed');
});

test('tracking: a wrong code and an unknown reference give the same 404; missing parameters 400', async () => {
  const track = (q) => api('GET', `/wage-cases/track${q}`);
  const code = anon.tracking_code;
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const wrongChar = alphabet[(alphabet.indexOf(code[0]) + 1) % alphabet.length];
  const wrong = wrongChar + code.slice(1);
  const badCode = await track(`?reference=${anon.reference}&code=${wrong}`);
  const unknownRef = await track(`?reference=QX2000-999999&code=${code}`);
  const garbage = await track(`?reference=${anon.reference}&code=XYZ`);
  assertProblem(badCode, 404, 'not_found');
  assertProblem(unknownRef, 404, 'not_found');
  assertProblem(garbage, 404, 'not_found');
  assert.equal(badCode.text, unknownRef.text, 'identical bodies');
  assert.equal(badCode.text, garbage.text);
  assert.equal(badCode.headers.get('content-type'), unknownRef.headers.get('content-type'));
  // Another case's code does not open this one.
  const vol = await track(`?reference=${anon.reference}&code=${volCase.tracking_code}`);
  assert.equal(vol.status, 404);
  assert.equal(vol.text, badCode.text);

  assertFieldErrors(await track(`?code=${code}`), [['reference', 'required']], { exact: true });
  assertFieldErrors(await track(`?reference=${anon.reference}`), [['code', 'required']], { exact: true });
  assertFieldErrors(await track(`?reference=${anon.reference}&code=`), [['code', 'required']], { exact: true });
  assertFieldErrors(await track(''), [['reference', 'required'], ['code', 'required']], { exact: true });
});

test('tracking: a reference in other characters is simply unknown (404, never 5xx)', async () => {
  const unknown = await api('GET', `/wage-cases/track?reference=QX2000-999999&code=${anon.tracking_code}`);
  assertProblem(unknown, 404, 'not_found');
  for (const ref of ['欠薪2021-000001', 'QX２０２１-000001']) {
    const res = await api('GET', `/wage-cases/track?reference=${encodeURIComponent(ref)}&code=${anon.tracking_code}`);
    assert.equal(res.status, 404, `${ref}: ${show(res)}`);
    assert.equal(res.text, unknown.text);
  }
});
