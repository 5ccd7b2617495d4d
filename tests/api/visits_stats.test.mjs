// The visit rows of the statistics table, computed by the real worker
// binary's `stats UNIT FROM TO` command from visits logged through the API
// (API.md "Statistics" and v1.1 "Statistics"; docs/visits.md):
//   A        distinct enterprises visited (家): credit code when given, else
//            the normalised name; a name-only visit joins a coded visit of
//            the same name
//   C1–C11   Σ people_count of worker visits by category (人次); C their sum
//   D1–D11   Σ cash_amount + goods_value of those (万元); D their sum
//   J1, J2   the same for medical_frontline visits
// 万元 figures round the exact fen sum half up to 2 decimals and carry the
// exact yuan.  Deleted visits and visits outside [from, to] count nowhere;
// money handed over on enterprise visits counts in no row.  Everything
// happens in a fresh town T with a child unit S.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, createUnit, createUser, seededUnits, show } from './lib.mjs';
import { creditCode, runStats } from './wage_lib.mjs';
import { drillEqualsFigures } from './stats_lib.mjs';
import {
  enterpriseVisit, logVisit, medicalVisit, rowsByCode, workerVisit,
} from './visits_lib.mjs';

let townT;
let unitS;
let vol;
let staff;
const v = {}; // the visits, by name
const X = creditCode('91320412MA1X2Y3K4');
const Y = creditCode('91320412MA1X2Y3K5');

before(async () => {
  const { district } = await seededUnits();
  townT = await createUnit({ kind: 'town', name: '走访统计镇', parent_id: district.id });
  unitS = await createUnit({ kind: 'direct', name: '走访统计直属工会', parent_id: townT.id });
  [vol, staff] = await Promise.all([
    createUser({ role: 'volunteer', unit_id: townT.id, display_name: '统计志愿者' }, { signIn: true }),
    createUser({ role: 'staff', unit_id: townT.id, display_name: '统计员' }, { signIn: true }),
  ]);
  const T = townT.id;
  const S = unitS.id;
  const plan = {
    // Enterprises.
    e1: enterpriseVisit({ unit_id: T, visited_on: '2021-01-10', enterprise_name: '常州甲机械有限公司' }),
    e2: enterpriseVisit({ unit_id: S, visited_on: '2021-01-15', enterprise_name: '常州 甲机械有限公司' }),
    e3: enterpriseVisit({ unit_id: T, visited_on: '2021-01-12', enterprise_name: '常州乙纺织有限公司', enterprise_credit_code: X }),
    e4: enterpriseVisit({ unit_id: S, visited_on: '2021-01-20', enterprise_name: '乙纺织（常州）有限公司', enterprise_credit_code: X.toLowerCase() }),
    e5: enterpriseVisit({ unit_id: T, visited_on: '2021-01-13', enterprise_name: '常州丙食品有限公司' }),
    e6: enterpriseVisit({ unit_id: S, visited_on: '2021-01-14', enterprise_name: '常州丙食品有限公司', enterprise_credit_code: Y }),
    e7: enterpriseVisit({ unit_id: T, visited_on: '2021-01-21', enterprise_name: '常州丁电子有限公司' }),
    e8: enterpriseVisit({ unit_id: T, visited_on: '2021-01-11', enterprise_name: '常州戊化工有限公司' }),
    e9: enterpriseVisit({ unit_id: T, visited_on: '2021-01-16', enterprise_name: 'ＡＢＣ科技（常州）有限公司' }),
    e10: enterpriseVisit({ unit_id: T, visited_on: '2021-01-17', enterprise_name: 'abc科技(常州)有限公司' }),
    e11: enterpriseVisit({ unit_id: T, visited_on: '2021-01-18', enterprise_name: '常州己物流有限公司', people_count: 30, cash_amount: '1000.00', goods_value: '500.00' }),
    // Workers, by category.
    w1: workerVisit({ unit_id: T, visited_on: '2021-01-10', category: 'C7', people_count: 5, cash_amount: '1000.00', goods_value: '234.56' }),
    w2: workerVisit({ unit_id: S, visited_on: '2021-01-20', category: 'C7', people_count: 3, cash_amount: '500.00', goods_value: 0 }),
    w3: workerVisit({ unit_id: T, visited_on: '2021-01-15', category: 'C10', people_count: 1, cash_amount: '2000.00', goods_value: '1000.00' }),
    w4: workerVisit({ unit_id: S, visited_on: '2021-01-12', category: 'C1', people_count: 2, cash_amount: '49.99', goods_value: 0 }),
    w5: workerVisit({ unit_id: T, visited_on: '2021-01-13', category: 'C1', people_count: 1, cash_amount: '50.00', goods_value: 0 }),
    w6: workerVisit({ unit_id: S, visited_on: '2021-01-14', category: 'C2', people_count: 1, cash_amount: '40.00', goods_value: 0 }),
    w7: workerVisit({ unit_id: T, visited_on: '2021-01-14', category: 'C2', people_count: 1, cash_amount: 0, goods_value: '40.00' }),
    w8: workerVisit({ unit_id: T, visited_on: '2021-01-19', category: 'C2', people_count: 1, cash_amount: 40, goods_value: 0 }),
    w9: workerVisit({ unit_id: T, visited_on: '2021-01-09', category: 'C7', people_count: 100, cash_amount: '9999.00', goods_value: 0 }),
    w10: workerVisit({ unit_id: T, visited_on: '2021-01-15', category: 'C7', people_count: 50, cash_amount: '5000.00', goods_value: 0 }),
    w11: workerVisit({ unit_id: T, visited_on: '2021-01-16', category: 'C11', people_count: 4, cash_amount: '15000.00', goods_value: '50.00' }),
    // Front-line medical staff.
    m1: medicalVisit({ unit_id: T, visited_on: '2021-01-11', people_count: 10, cash_amount: '3000.00', goods_value: '2000.00' }),
    m2: medicalVisit({ unit_id: S, visited_on: '2021-01-19', people_count: 6, cash_amount: 0, goods_value: '1234.50' }),
    m3: medicalVisit({ unit_id: T, visited_on: '2021-01-25', people_count: 7, cash_amount: '100.00', goods_value: 0 }),
    m4: medicalVisit({ unit_id: S, visited_on: '2021-01-12', people_count: 9, cash_amount: '900.00', goods_value: 0 }),
  };
  for (const [name, body] of Object.entries(plan)) v[name] = await logVisit(vol.token, body);
});

const CODES = ['A', 'C', 'D', ...Array.from({ length: 11 }, (_, i) => [`C${i + 1}`, `D${i + 1}`]).flat(), 'J1', 'J2'];

/*
 * The expected visit rows: counts for A, C*, J1; for D* and J2 the exact
 * yuan, whose 万元 value is derived here independently (half up from the
 * fen sum).  Rows not named are 0.
 */
function expected(named) {
  const out = {};
  for (const code of CODES) {
    const money = code.startsWith('D') || code === 'J2';
    const given = named[code];
    if (!money) {
      out[code] = { value: given ?? 0 };
      continue;
    }
    const yuan = given ?? '0.00';
    const fen = BigInt(yuan.replace('.', ''));
    const hundredths = (fen + 5000n) / 10000n;
    out[code] = { value: `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`, yuan };
  }
  return out;
}

function check(unit, from, to, named, what) {
  const s = runStats(unit.id, from, to);
  assert.equal(s.unit_id, unit.id);
  const rows = rowsByCode(s);
  const want = expected(named);
  for (const code of CODES) {
    assert.ok(rows[code], `${what}: row ${code} is printed`);
    const got = { value: rows[code].value };
    if (want[code].yuan !== undefined) got.yuan = rows[code].yuan;
    assert.deepEqual(got, want[code], `${what}: row ${code}`);
  }
}

test('before any deletion, the deleted-to-be visits count', () => {
  check(townT, '2021-01-10', '2021-01-20', {
    A: 6, C: 69, D: '25004.55', C1: 3, D1: '99.99', C2: 3, D2: '120.00', C7: 58, D7: '6734.56',
    C10: 1, D10: '3000.00', C11: 4, D11: '15050.00', J1: 25, J2: '7134.50',
  }, 'T, January 10–20, nothing deleted');
});

test('soft-deleted visits count nowhere', async () => {
  for (const name of ['e8', 'w10', 'm4']) {
    const res = await api('DELETE', `/visits/${v[name].id}`, { token: staff.token });
    assert.equal(res.status, 204, show(res));
  }
  check(townT, '2021-01-10', '2021-01-20', {
    A: 5, C: 19, D: '20004.55', C1: 3, D1: '99.99', C2: 3, D2: '120.00', C7: 8, D7: '1734.56',
    C10: 1, D10: '3000.00', C11: 4, D11: '15050.00', J1: 16, J2: '6234.50',
  }, 'T, January 10–20');
});

test('every row of the child unit S alone', () => {
  check(unitS, '2021-01-10', '2021-01-20', {
    A: 3, C: 6, D: '589.99', C1: 2, D1: '49.99', C2: 1, D2: '40.00', C7: 3, D7: '500.00',
    J1: 6, J2: '1234.50',
  }, 'S, January 10–20');
});

test('万元 rounds the exact sum half up, never the visits one by one', () => {
  const rows = rowsByCode(runStats(townT.id, '2021-01-10', '2021-01-20'));
  // C2: three visits of 40.00 yuan, each 0.004 万元: 0.00 one by one, 0.01 together.
  assert.deepEqual([rows.D2.value, rows.D2.yuan], ['0.01', '120.00']);
  // C11: 15050.00 yuan is 1.505 万元 exactly: half up gives 1.51.
  assert.deepEqual([rows.D11.value, rows.D11.yuan], ['1.51', '15050.00']);
  // C1: 49.99 + 50.00 = 99.99 yuan, 0.009999 万元 → 0.01; S's 49.99 alone → 0.00.
  assert.deepEqual([rows.D1.value, rows.D1.yuan], ['0.01', '99.99']);
  assert.equal(rowsByCode(runStats(unitS.id, '2021-01-10', '2021-01-20')).D1.value, '0.00');
});

test('the period: both days included, visits outside it count nowhere', () => {
  check(townT, '2021-01-01', '2021-01-31', {
    A: 6, C: 119, D: '30003.55', C1: 3, D1: '99.99', C2: 3, D2: '120.00', C7: 108, D7: '11733.56',
    C10: 1, D10: '3000.00', C11: 4, D11: '15050.00', J1: 23, J2: '6334.50',
  }, 'T, all January');
  check(townT, '2021-01-10', '2021-01-10', { A: 1, C: 5, D: '1234.56', C7: 5, D7: '1234.56' }, 'T, January 10');
  check(townT, '2021-01-20', '2021-01-20', { A: 1, C: 3, D: '500.00', C7: 3, D7: '500.00' }, 'T, January 20');
  check(townT, '2021-01-21', '2021-01-31', { A: 1, J1: 7, J2: '100.00' }, 'T, January 21–31');
  check(townT, '2020-12-01', '2020-12-31', {}, 'T, December 2020');
});

test('row A: one enterprise visited twice counts once, by credit code or normalised name', () => {
  const a = (unit, from, to) => rowsByCode(runStats(unit.id, from, to)).A.value;
  // 甲: the same name with and without a space, in T and in S.
  assert.equal(a(townT, '2021-01-10', '2021-01-15'), 3, '甲 twice, 乙 (X), 丙 (Y; e5 by its name joins e6)');
  // 乙: two names, one code X.
  assert.equal(a(townT, '2021-01-12', '2021-01-12'), 1);
  assert.equal(a(townT, '2021-01-20', '2021-01-20'), 1);
  const both = rowsByCode(runStats(townT.id, '2021-01-12', '2021-01-20')).A.value;
  // 乙(X) 丙(Y) 甲 ABC 己: e4 joins e3 by code though named otherwise.
  assert.equal(both, 5);
  // 丙: the visit without a code alone is counted by its name; with the
  // coded visit in the same period, the two are one enterprise.
  assert.equal(a(townT, '2021-01-13', '2021-01-13'), 1);
  assert.equal(a(townT, '2021-01-13', '2021-01-14'), 1);
  // ＡＢＣ科技（常州） and abc科技(常州): full-width forms and case fold.
  assert.equal(a(townT, '2021-01-16', '2021-01-17'), 1);
  // S alone: 甲 (e2), 乙 (e4), 丙 (e6).
  assert.equal(a(unitS, '2021-01-01', '2021-01-31'), 3);
});

test('the visits behind the figures are as the API stored them', async () => {
  const e4 = (await api('GET', `/visits/${v.e4.id}`, { token: staff.token })).json;
  assert.equal(e4.enterprise_credit_code, X);
  const w8 = (await api('GET', `/visits/${v.w8.id}`, { token: staff.token })).json;
  assert.equal(w8.cash_amount, '40.00');
  for (const name of ['e8', 'w10', 'm4']) {
    assert.equal((await api('GET', `/visits/${v[name].id}`, { token: staff.token })).status, 404, `${name} is deleted`);
  }
});

test('every visit row can be traced: its records in /stats/records add up to the figure', async () => {
  const codes = ['A', 'J1', 'J2'];
  for (let n = 1; n <= 11; n++) codes.push(`C${n}`, `D${n}`);
  for (const unit of [townT, unitS]) {
    await drillEqualsFigures(staff.token, unit.id, '2021-01-10', '2021-01-20', codes);
    await drillEqualsFigures(staff.token, unit.id, '2021-01-01', '2021-01-31', ['A', 'C7', 'D7', 'J2']);
  }
});
