// Statistics rows H and I (API.md "Statistics"), computed by the real worker
// binary's `stats UNIT FROM TO` command from records made through the API:
//   H  workers on wage cases whose accepted_on is in the period (人次)
//   I  Σ recoveries whose recovered_on is in the period (万元, half up, and
//      the exact yuan)
// A unit's figures include its descendants.  Everything happens in a fresh
// town T with a child unit S, so parallel test files do not disturb it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, createUnit, createUser, seededUnits, show } from './lib.mjs';
import {
  addDays, fileCase, getCase, move, recover, rowsHI, runStats, todayShanghai,
} from './wage_lib.mjs';

let townT;
let unitS;
let staff;
let today;
const c = {}; // the cases, by name

before(async () => {
  const admin = await adminToken();
  const { district } = await seededUnits();
  townT = await createUnit({ kind: 'town', name: '统计测试镇', parent_id: district.id }, { token: admin });
  unitS = await createUnit({ kind: 'direct', name: '统计测试直属工会', parent_id: townT.id }, { token: admin });
  staff = await createUser({ role: 'staff', unit_id: townT.id, display_name: '统计员' }, { signIn: true });
  today = todayShanghai();

  const workers = (...owed) => owed.map((o, i) => ({ name: `工人${i + 1}`, amount_owed: o }));
  const file = async (name, unit, owed) => {
    c[name] = (await fileCase(staff.token, { unit_id: unit.id, employer_name: `统计${name}公司`, workers: workers(...owed) })).body;
  };
  await file('S1', unitS, ['20000.00', '5000.00', '100.00']); // accepted: 3 workers
  await file('S2', unitS, ['100.00', '100.00']); // rejected: counts nowhere
  await file('S3', unitS, ['1.00', '1.00', '1.00', '1.00']); // still received: counts nowhere
  await file('T1', townT, ['6000.00', '1000.00']); // accepted: 2 workers
  await file('T2', townT, ['100.00']); // accepted, then closed: 1 worker

  await move(staff.token, c.S1.id, 'accepted');
  await move(staff.token, c.S2.id, 'rejected');
  await move(staff.token, c.T1.id, 'accepted');
  await move(staff.token, c.T2.id, 'accepted');

  const w = (name, i) => c[name].workers[i].id;
  // S1: 10000.00 and 2345.67 on the two boundary days of January 10–20,
  // 999.99 the day before, 50.00 the day after.
  await recover(staff.token, c.S1.id, w('S1', 0), '10000.00', '2023-01-10');
  await recover(staff.token, c.S1.id, w('S1', 0), '2345.67', '2023-01-20');
  await recover(staff.token, c.S1.id, w('S1', 0), '999.99', '2023-01-09');
  await recover(staff.token, c.S1.id, w('S1', 2), '50.00', '2023-01-21');
  // T1: 5000.00 mid-period; 150.00 and 49.99 in February.
  await recover(staff.token, c.T1.id, w('T1', 0), 5000, '2023-01-15');
  await recover(staff.token, c.T1.id, w('T1', 1), '150.00', '2023-02-01');
  await recover(staff.token, c.T1.id, w('T1', 1), '49.99', '2023-02-02');
  // T2: 30.00, then the case is closed (the money still counts).
  await recover(staff.token, c.T2.id, w('T2', 0), '30', '2023-01-12');
  await move(staff.token, c.T2.id, 'closed');
});

function stats(unit, from, to) {
  const s = runStats(unit.id, from, to);
  assert.equal(s.unit_id, unit.id);
  assert.equal(s.from, from);
  assert.equal(s.to, to);
  return rowsHI(s);
}

test('the records are as the API made them', async () => {
  const s1 = await getCase(staff.token, c.S1.id);
  assert.equal(s1.accepted_on, today);
  assert.equal(s1.amount_recovered, '13395.66');
  assert.equal(s1.recoveries.length, 4);
  const s2 = await getCase(staff.token, c.S2.id);
  assert.equal(s2.status, 'rejected');
  assert.equal(s2.accepted_on, null);
  const t2 = await getCase(staff.token, c.T2.id);
  assert.equal(t2.status, 'closed');
  assert.equal(t2.accepted_on, today);
  assert.equal(t2.amount_recovered, '30.00');
});

test('row H counts the workers of cases accepted in the period; T includes S', () => {
  const t = stats(townT, today, today);
  assert.equal(t.h.value, 3 + 2 + 1, 'S1 (3) + T1 (2) + T2 (1); rejected S2 and received S3 count nowhere');
  const s = stats(unitS, today, today);
  assert.equal(s.h.value, 3, 'S alone: S1 only, none of T\'s own cases');
  // Accepted today: a period ending yesterday or starting tomorrow has none.
  assert.equal(stats(townT, addDays(today, -30), addDays(today, -1)).h.value, 0);
  assert.equal(stats(townT, addDays(today, 1), addDays(today, 2)).h.value, 0);
  // A wide period.
  assert.equal(stats(townT, '2023-01-01', today).h.value, 6);
  assert.equal(stats(unitS, '2023-01-01', today).h.value, 3);
  // Recoveries dated 2023 do not make acceptances in 2023.
  assert.equal(stats(townT, '2023-01-01', '2023-12-31').h.value, 0);
});

test('row I: the exact yuan of recoveries in [from, to], both days inclusive, and 万元 half up', () => {
  // S alone, January 10–20: 10000.00 + 2345.67; the 9th and the 21st are out.
  let { i } = stats(unitS, '2023-01-10', '2023-01-20');
  assert.equal(i.yuan, '12345.67');
  assert.equal(i.value, '1.23');
  // One day wider on each side takes in 999.99 and 50.00.
  ({ i } = stats(unitS, '2023-01-09', '2023-01-21'));
  assert.equal(i.yuan, '13395.66');
  assert.equal(i.value, '1.34');
  // One day narrower on each side: nothing.
  ({ i } = stats(unitS, '2023-01-11', '2023-01-19'));
  assert.equal(i.yuan, '0.00');
  assert.equal(i.value, '0.00');
  // Single boundary days.
  assert.equal(stats(unitS, '2023-01-10', '2023-01-10').i.yuan, '10000.00');
  assert.equal(stats(unitS, '2023-01-20', '2023-01-20').i.yuan, '2345.67');

  // T rolls up S: 12345.67 + 5000.00 (T1) + 30.00 (T2, closed since).
  ({ i } = stats(townT, '2023-01-10', '2023-01-20'));
  assert.equal(i.yuan, '17375.67');
  assert.equal(i.value, '1.74');
  // T1's 5000.00 alone.
  ({ i } = stats(townT, '2023-01-15', '2023-01-15'));
  assert.equal(i.yuan, '5000.00');
  assert.equal(i.value, '0.50');
  // 150.00 yuan = 0.015 万元 → 0.02 (half up); 49.99 → 0.00.
  ({ i } = stats(townT, '2023-02-01', '2023-02-01'));
  assert.equal(i.yuan, '150.00');
  assert.equal(i.value, '0.02');
  ({ i } = stats(townT, '2023-02-02', '2023-02-02'));
  assert.equal(i.yuan, '49.99');
  assert.equal(i.value, '0.00');
  // Everything.
  ({ i } = stats(townT, '2023-01-01', today));
  assert.equal(i.yuan, '18625.65');
  assert.equal(i.value, '1.86');
  ({ i } = stats(unitS, '2023-01-01', today));
  assert.equal(i.yuan, '13395.66');
  assert.equal(i.value, '1.34');
  // No recoveries at all in 2022.
  ({ i } = stats(townT, '2022-01-01', '2022-12-31'));
  assert.equal(i.yuan, '0.00');
  assert.equal(i.value, '0.00');
});

test('a refused recovery counts nowhere', async () => {
  const before = stats(townT, '2023-03-01', '2023-03-01').i.yuan;
  const res = await api('POST', `/wage-cases/${c.S1.id}/recoveries`, {
    token: staff.token,
    body: { worker_id: c.S1.workers[1].id, amount: '5000.01', recovered_on: '2023-03-01' },
  });
  assert.equal(res.status, 409, show(res));
  assert.equal(res.json.code, 'exceeds_owed');
  assert.equal(stats(townT, '2023-03-01', '2023-03-01').i.yuan, before);
  assert.equal(before, '0.00');
  // A case that is received, not accepted, takes no recoveries either.
  const r2 = await api('POST', `/wage-cases/${c.S3.id}/recoveries`, {
    token: staff.token, body: { worker_id: c.S3.workers[0].id, amount: '1.00', recovered_on: '2023-03-01' },
  });
  assert.equal(r2.status, 409, show(r2));
  assert.equal(stats(townT, '2023-03-01', '2023-03-01').i.yuan, '0.00');
});

test('the stats command refuses bad dates and unknown units', () => {
  assert.throws(() => runStats(townT.id, '2023-02-30', '2023-03-01'));
  assert.throws(() => runStats(999999999, '2023-01-01', '2023-01-31'));
});
