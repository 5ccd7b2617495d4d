// The entered rows of the statistics table (API.md v1.1 "Statistics";
// docs/statistics.md): PUT/GET /stats/entries with every field error at
// once, ETag and If-Match, B, E and F always the sums, who may enter what,
// the roll-up in /stats and /stats/by-unit (by campaign and by dates), and
// GET /stats/validation with the rules the entries can reach.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminToken, api, assertFieldErrors, assertJson, assertProblem, createUnit, createUser, seededUnits,
} from './lib.mjs';
import { sql } from './db_lib.mjs';
import { row } from './stats_lib.mjs';
import { logVisit, medicalVisit, workerVisit } from './visits_lib.mjs';

let admin;
let town;
let streets;
let other;
let staffTown;
let staffStreet;
let staffOther;
let vol;
let camp; // the campaign the entries belong to
let prevCamp; // an earlier one, for the range rule
// Titles of their own: a campaign's title and period are made only once.
const tag = Date.now().toString(36);
const prevTitle = `填报测试上期活动${tag}`;

const put = (token, body, headers = {}) => api('PUT', '/stats/entries', { token, body, headers });
const get = (token, q) => api('GET', `/stats/entries?${q}`, { token });
const campQ = () => `campaign_id=${camp.id}`;

before(async () => {
  admin = await adminToken();
  const { district } = await seededUnits();
  town = await createUnit({ kind: 'town', name: '填报测试镇', parent_id: district.id });
  streets = [];
  for (let i = 0; i < 2; i++) {
    streets.push(await createUnit({ kind: 'street', name: `填报测试街道${i + 1}`, parent_id: town.id }));
  }
  other = await createUnit({ kind: 'town', name: '填报别镇', parent_id: district.id });
  staffTown = await createUser({ role: 'staff', unit_id: town.id, display_name: '镇统计员' }, { signIn: true });
  staffStreet = await createUser({ role: 'staff', unit_id: streets[0].id }, { signIn: true });
  staffOther = await createUser({ role: 'staff', unit_id: other.id }, { signIn: true });
  vol = await createUser({ role: 'volunteer', unit_id: town.id }, { signIn: true });
  prevCamp = assertJson(await api('POST', '/campaigns', {
    token: admin, body: { title: prevTitle, from: '2019-01-01', to: '2019-02-10', report_due: '2019-02-08' },
  }), 201);
  camp = assertJson(await api('POST', '/campaigns', {
    token: admin, body: { title: `填报测试活动${tag}`, from: '2020-01-01', to: '2020-02-10', report_due: '2020-02-08' },
  }), 201);
});

test('PUT /stats/entries reports every field error at once, with its path', async () => {
  const errors = assertFieldErrors(await put(staffTown.token, {
    unit_id: town.id,
    values: {
      B1: '12.345', B2: -1, B3: 'abc', B7: '1.00', E2: '3', E3: 1.5, F1: -1, F2: 10000001, B: '5.00', E: 3,
    },
    notes: { B4: 'x'.repeat(2001), Z1: 'no' },
    extra: 1,
  }), [
    ['campaign_id', 'required'],
    ['values.B1', 'decimals'],
    ['values.B2', 'out_of_range'],
    ['values.B3', 'format'],
    ['values.B7', 'unknown_field'],
    ['values.B', 'unknown_field'],
    ['values.E', 'unknown_field'],
    ['values.E2', 'type'],
    ['values.E3', 'type'],
    ['values.F1', 'out_of_range'],
    ['values.F2', 'out_of_range'],
    ['notes.B4', 'too_long'],
    ['notes.Z1', 'unknown_field'],
    ['extra', 'unknown_field'],
  ], { exact: true });
  assert.ok(errors.every((e) => /[\u4e00-\u9fff]/.test(e.message)), 'Chinese messages');
  assertFieldErrors(await put(staffTown.token, { values: {} }),
    [['unit_id', 'required'], ['campaign_id', 'required']], { exact: true });
  assertFieldErrors(await put(staffTown.token, { unit_id: 999999999, campaign_id: 999999999, values: {} }),
    [['unit_id', 'unknown'], ['campaign_id', 'unknown']], { exact: true });
  assertFieldErrors(await put(staffTown.token, { unit_id: town.id, campaign_id: camp.id }),
    [['values', 'required']], { exact: true });
  // Nothing was stored by any of these.
  const g = assertJson(await get(staffTown.token, `unit_id=${town.id}&${campQ()}`), 200);
  assert.equal(g.version, 0);
  assert.equal(g.values.B1, null);
});

test('who may enter: staff of the unit itself and admins; others read or get 403/404', async () => {
  const body = { unit_id: streets[0].id, campaign_id: camp.id, values: { E1: 1 } };
  assertProblem(await put(vol.token, body), 403, 'forbidden');
  // The town's staff see the street's figures but do not enter them.
  assertProblem(await put(staffTown.token, body), 403, 'forbidden');
  // Another town: the unit is not theirs to know.
  assertFieldErrors(await put(staffOther.token, body), [['unit_id', 'unknown']]);
  assertProblem(await get(staffOther.token, `unit_id=${streets[0].id}&${campQ()}`), 404, 'not_found');
  assertProblem(await get(staffStreet.token, `unit_id=${town.id}&${campQ()}`), 404, 'not_found');
  assertProblem(await api('PUT', '/stats/entries', { body }), 401, 'unauthenticated');
  // Dates instead of a campaign: entries belong to a campaign.
  assertFieldErrors(await get(staffTown.token, `unit_id=${town.id}&from=2020-01-01&to=2020-01-31`),
    [['campaign_id', 'required']]);
});

test('entries: 201 then 200 with ETag, If-Match required once they exist, sums computed, audited', async () => {
  const unit = streets[0];
  const first = await put(staffStreet.token, {
    unit_id: unit.id, campaign_id: camp.id,
    values: { B1: '1000.00', B2: 2000, B3: '0.05', B4: null, E1: 3, E2: 0, F3: 7 },
    notes: { B1: '中央财政专项\n第一批', B4: '  ' },
  });
  const a = assertJson(first, 201);
  assert.equal(first.headers.get('etag'), '"1"');
  assert.deepEqual(a.values, {
    B1: '1000.00', B2: '2000.00', B3: '0.05', B4: null, B5: null, B6: null,
    E1: 3, E2: 0, E3: null, E4: null, E5: null, F1: null, F2: null, F3: 7,
  });
  assert.deepEqual(a.sums, { B: '3000.05', E: 3, F: 7 });
  assert.deepEqual(a.notes, { B1: '中央财政专项\n第一批' }, 'a blank note is no note');
  assert.equal(a.version, 1);
  assert.equal(a.submission, null);
  assert.equal(a.lock, null);

  const g = await get(staffTown.token, `unit_id=${unit.id}&${campQ()}`);
  assert.deepEqual(assertJson(g, 200).values, a.values, 'the town reads what its street entered');
  assert.equal(g.headers.get('etag'), '"1"');

  const again = { unit_id: unit.id, campaign_id: camp.id, values: { ...a.values, E2: 4 } };
  assertProblem(await put(staffStreet.token, again), 428, 'precondition_required');
  assertProblem(await put(staffStreet.token, again, { 'If-Match': '"7"' }), 412, 'precondition_failed');
  assertProblem(await put(staffStreet.token, again, { 'If-Match': 'abc' }), 400, 'invalid_header');
  const res = await put(staffStreet.token, again, { 'If-Match': '"1"' });
  const b = assertJson(res, 200);
  assert.equal(res.headers.get('etag'), '"2"');
  assert.deepEqual(b.sums, { B: '3000.05', E: 7, F: 7 });
  assert.deepEqual(b.notes, {}, 'PUT replaces: notes left out are gone');
  assert.equal(b.updated_by, '测试用户');

  // If-Match before any entries exist cannot match.
  assertProblem(await put(admin, { unit_id: streets[1].id, campaign_id: camp.id, values: {} }, { 'If-Match': '"1"' }),
    412, 'precondition_failed');

  const audit = sql(`SELECT action, before_json IS NULL FROM audit_log WHERE table_name = 'stat_entries' ` +
    `AND record_id = (SELECT id FROM stat_entries WHERE unit_id = ${unit.id} AND campaign_id = ${camp.id}) ORDER BY id`);
  assert.deepEqual(audit, [['stat_entries.create', '1'], ['stat_entries.update', '0']]);
});

test('roll-up: the town\'s entered rows are the sum of its streets\' and its own, exactly, in /stats and by-unit', async () => {
  // streets[0] holds B1 1000.00, B2 2000.00, B3 0.05, E1 3, E2 4, F3 7 from the test above
  // (tests in a file run in order); add the other street and the town itself.
  assertJson(await put(admin, {
    unit_id: streets[1].id, campaign_id: camp.id, values: { B1: '0.01', B6: '4999.99', E5: 2, F1: 1, F2: 0 },
  }), 201);
  assertJson(await put(staffTown.token, {
    unit_id: town.id, campaign_id: camp.id, values: { B4: '50.00', E1: 10, F3: 0 },
  }), 201);
  const s = assertJson(await api('GET', `/stats?unit_id=${town.id}&${campQ()}`, { token: staffTown.token }), 200);
  const yuan = (code) => row(s.rows, code).yuan;
  assert.equal(yuan('B1'), '1000.01');
  assert.equal(yuan('B2'), '2000.00');
  assert.equal(yuan('B6'), '4999.99');
  assert.equal(yuan('B'), '8050.05');
  assert.equal(row(s.rows, 'B').value, '0.81', '万元 half up from the exact fen sum');
  assert.equal(row(s.rows, 'B6').value, '0.50', '4999.99 yuan is 0.49999 万元, rounded to 0.50');
  assert.deepEqual(row(s.rows, 'B1'), {
    code: 'B1', number: 2, label: '其中：中央财政', unit: '万元', value: '0.10', yuan: '1000.01',
  });
  assert.equal(row(s.rows, 'E1').value, 13);
  assert.equal(row(s.rows, 'E').value, 19);
  assert.equal(row(s.rows, 'F').value, 8);
  assert.equal(row(s.rows, 'E3').value, 0, 'a row nobody entered counts 0');

  const b = assertJson(await api('GET', `/stats/by-unit?parent_id=${town.id}&${campQ()}`, { token: staffTown.token }), 200);
  assert.deepEqual(b.total.rows, s.rows, 'the total is the town\'s own table');
  const entered = ['B', 'B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'E', 'E1', 'E2', 'E3', 'E4', 'E5', 'F', 'F1', 'F2', 'F3'];
  const fenOf = (r) => Math.round(Number(r.yuan) * 100);
  for (const code of entered) {
    const parts = b.items.map((i) => row(i.rows, code));
    const total = row(b.total.rows, code);
    if (total.yuan !== undefined) {
      assert.equal(parts.reduce((x, r) => x + fenOf(r), 0), fenOf(total), `${code}: children add up to the fen`);
    } else {
      assert.equal(parts.reduce((x, r) => x + r.value, 0), total.value, `${code}: children add up`);
    }
  }
  assert.equal(row(b.items.at(-1).rows, 'B4').yuan, '50.00', 'the town\'s own entries in its own line');

  // A street sees only itself.
  const st = assertJson(await api('GET', `/stats?unit_id=${streets[1].id}&${campQ()}`, { token: admin }), 200);
  assert.equal(row(st.rows, 'B').yuan, '5000.00');
});

test('asked by dates: entries count when their campaign lies wholly within the dates, else not at all', async () => {
  const within = assertJson(await api('GET', `/stats?unit_id=${town.id}&from=2019-12-31&to=2020-02-10`, { token: admin }), 200);
  assert.equal(row(within.rows, 'B').yuan, '8050.05');
  const cut = assertJson(await api('GET', `/stats?unit_id=${town.id}&from=2020-01-01&to=2020-01-31`, { token: admin }), 200);
  for (const code of ['B', 'B1', 'E', 'E1', 'F', 'F3']) {
    assert.equal(row(cut.rows, code), undefined, `${code} is absent: a campaign's figure cannot be cut by dates`);
  }
  assert.ok(row(cut.rows, 'H'), 'the computed rows are there');
});

test('GET /stats/validation: entries missing is an error; a jump over 10 times the last campaign, people without money, more handed out than raised are warnings', async () => {
  const v0 = assertJson(await api('GET', `/stats/validation?unit_id=${other.id}&${campQ()}`, { token: staffOther.token }), 200);
  assert.equal(v0.errors, 1);
  assert.deepEqual(v0.items.map((i) => [i.rule, i.level, i.rows]), [['entries_missing', 'error', ['B', 'E', 'F']]]);
  assert.match(v0.items[0].message, /尚未填报/);

  // The previous campaign: B4 100.00 and E2 3 for the other town.
  assertJson(await put(staffOther.token, {
    unit_id: other.id, campaign_id: prevCamp.id, values: { B4: '100.00', E2: 3, F1: 0 },
  }), 201);
  assertJson(await put(staffOther.token, {
    unit_id: other.id, campaign_id: camp.id, values: { B4: '1000.01', E2: 30, F1: 500 },
  }), 201);
  // Visits in the campaign: people without money in C3; more handed out
  // (D5 2000.00 + J2 500.00) than raised (B 1000.01).
  const day = '2020-01-15';
  await logVisit(staffOther.token, workerVisit({ visited_on: day, category: 'C3', people_count: 2,
    cash_amount: 0, goods_value: 0 }));
  await logVisit(staffOther.token, workerVisit({ visited_on: day, category: 'C5', people_count: 1,
    cash_amount: '2000.00', goods_value: 0 }));
  await logVisit(staffOther.token, medicalVisit({ visited_on: day, people_count: 1, goods_value: '500.00' }));
  const v1 = assertJson(await api('GET', `/stats/validation?unit_id=${other.id}&${campQ()}`, { token: staffOther.token }), 200);
  assert.equal(v1.errors, 0, JSON.stringify(v1.items));
  assert.deepEqual(v1.items.map((i) => [i.rule, i.level, i.rows]).sort(), [
    ['pair_C3_D3', 'warning', ['C3', 'D3']],
    ['range_B4', 'warning', ['B4']],
    ['spent_over_raised', 'warning', ['B', 'D', 'J2']],
  ]);
  assert.equal(v1.warnings, 3);
  const pair = v1.items.find((i) => i.rule === 'pair_C3_D3');
  assert.equal(pair.message, 'C3 慰问对象为 2 人次，但 D3 发放款物为 0：同一类别的慰问对象与发放款物应同为零或同不为零');
  assert.match(v1.items.find((i) => i.rule === 'spent_over_raised').message, /合计 0\.25 万元（2500\.00 元）/);
  const w = v1.items.find((i) => i.rule === 'range_B4');
  assert.equal(w.message, `B4 社会捐助为 0.10 万元（1000.01 元），超过上次活动《${prevTitle}》同项数字 0.01 万元（100.00 元）的 10 倍，请核实是否填错`);
  // The sum rules never fire: B, E, F are computed.
  for (const v of [v0, v1]) assert.ok(v.items.every((i) => !i.rule.startsWith('sum_')));
  // Validation is a campaign's; staff outside get 404.
  assertFieldErrors(await api('GET', `/stats/validation?unit_id=${other.id}&from=2020-01-01&to=2020-01-02`, { token: admin }),
    [['campaign_id', 'required']]);
  assertProblem(await api('GET', `/stats/validation?unit_id=${other.id}&${campQ()}`, { token: staffTown.token }), 404, 'not_found');
});

test('GET /stats/form: the 49 rows of the official table as the form lays them out', async () => {
  const f = assertJson(await api('GET', '/stats/form', { token: vol.token }), 200);
  assert.equal(f.rows.length, 49);
  assert.equal(f.note, '说明：本表中职工均包括农民工，困难职工包括困难农民工。');
  const by = Object.fromEntries(f.rows.map((r) => [r.code, r]));
  assert.deepEqual(by.B, {
    code: 'B', number: 2, label: '筹集慰问款物总额', unit: '万元', source: 'sum', rule: 'B=B1+B2+B3+B4+B5+B6',
    item: '筹集慰问款物总额（万元）  B=B1+B2+B3+B4+B5+B6', indicator: null, item_rows: 1,
  });
  assert.deepEqual([by.B1.source, by.E5.source, by.H.source], ['entered', 'entered', 'records']);
  // A pair: the first row's item spans both; the second has none of its own.
  assert.equal(by.C1.item_rows, 2);
  assert.equal(by.C1.indicator, '慰问对象（人次）');
  assert.equal(by.D1.item, null);
  assert.equal(by.D1.indicator, '发放款物（万元）');
  assert.deepEqual([by.J1.item_rows, by.J2.item], [2, null]);
  assertProblem(await api('GET', '/stats/form'), 401, 'unauthenticated');
});

