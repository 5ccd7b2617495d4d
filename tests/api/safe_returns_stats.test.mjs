// Statistics row G (API.md "Statistics"): Σ party_size of safe-return
// records with status departed or arrived and depart_on in the period,
// for a unit and its descendants; registered and cancelled records count
// nowhere.  Computed by the real worker binary's `stats UNIT FROM TO`
// from records made through the API, in a fresh town T with a child unit
// S, so parallel test files do not disturb it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, assertJson, createUnit, createUser, seededUnits } from './lib.mjs';
import { addDays, runStats, todayShanghai } from './wage_lib.mjs';
import { drillEqualsFigures } from './stats_lib.mjs';
import { freshPhone } from './db_lib.mjs';
import {
  arrive, batchBody, getRecord, moveTo, register, registerBatch,
} from './safe_returns_lib.mjs';

let townT;
let unitS;
let staff;
let volS;
let today;
const r = {}; // the records, by name

function g(unit, from, to) {
  const s = runStats(unit.id, from, to);
  assert.equal(s.unit_id, unit.id);
  const row = s.rows.find((x) => x.code === 'G');
  assert.ok(row, `row G in ${JSON.stringify(s)}`);
  assert.equal(typeof row.value, 'number', '人次 is a count');
  return row.value;
}

before(async () => {
  const admin = await adminToken();
  const { district, children } = await seededUnits();
  townT = await createUnit({ kind: 'town', name: 'G统计测试镇', parent_id: district.id }, { token: admin });
  unitS = await createUnit({ kind: 'direct', name: 'G统计测试直属工会', parent_id: townT.id }, { token: admin });
  staff = await createUser({ role: 'staff', unit_id: townT.id }, { signIn: true });
  volS = await createUser({ role: 'volunteer', unit_id: unitS.id }, { signIn: true });
  today = todayShanghai();
  const d = (n) => addDays(today, n);
  const reg = async (name, token, unit, party, on) => {
    r[name] = await register(token, { unit_id: unit.id, party_size: party, depart_on: on, traveler: { name, phone: freshPhone() } });
  };
  await reg('T1', staff.token, townT, 3, d(-2)); // departed: 3
  await reg('T2', staff.token, townT, 2, d(-1)); // arrived by the traveller's code: 2
  await reg('T3', staff.token, townT, 6, d(-1)); // cancelled: 0
  await reg('T4', staff.token, townT, 7, d(-30)); // departed, out of the short period
  await reg('T5', staff.token, townT, 9, d(-2)); // departed, later moved out of the period
  await reg('S1', volS.token, unitS, 4, d(-2)); // departed, then arrived by code: 4
  await reg('S2', volS.token, unitS, 5, d(-1)); // registered only: 0
  await reg('S3', volS.token, unitS, 1, d(0)); // registered → arrived directly: 1
  // A busload in S two days ago: the party of 2 departs, the others stay
  // registered.
  const body = batchBody(3, { unit_id: unitS.id, depart_on: d(-2) });
  body.travellers.forEach((t, i) => { t.party_size = i + 1; });
  r.bus = await registerBatch(volS.token, body);
  // A departed party in another town counts nowhere here.
  r.elsewhere = await register(admin, { unit_id: children['横林镇'].id, party_size: 11, depart_on: d(-2) });

  await moveTo(staff.token, r.T1.id, 'departed');
  assert.equal((await arrive(r.T2.arrival_code)).status, 200);
  await moveTo(staff.token, r.T3.id, 'cancelled');
  await moveTo(staff.token, r.T4.id, 'departed');
  await moveTo(staff.token, r.T5.id, 'departed');
  await moveTo(volS.token, r.S1.id, 'departed');
  assert.equal((await arrive(r.S1.arrival_code)).status, 200);
  await moveTo(volS.token, r.S3.id, 'arrived');
  await moveTo(volS.token, r.bus.items[1].id, 'departed');
  await moveTo(admin, r.elsewhere.id, 'departed');
  // T5 turns out to have left a week later than registered.
  const t5 = await getRecord(staff.token, r.T5.id);
  assertJson(await api('PATCH', `/safe-returns/${t5.id}`, {
    token: staff.token, body: { depart_on: d(5) }, headers: { 'If-Match': `"${t5.version}"` },
  }), 200);
});

test('the records are as the API made them', async () => {
  const st = async (x) => (await getRecord(staff.token, x.id)).status;
  assert.equal(await st(r.T1), 'departed');
  assert.equal(await st(r.T2), 'arrived');
  assert.equal(await st(r.T3), 'cancelled');
  assert.equal(await st(r.S1), 'arrived');
  assert.equal(await st(r.S2), 'registered');
  assert.equal(await st(r.S3), 'arrived');
  assert.deepEqual(await Promise.all(r.bus.items.map(st)), ['registered', 'departed', 'registered']);
});

test('row G sums the parties that departed or arrived, by depart_on; T includes S', () => {
  const d = (n) => addDays(today, n);
  // The last three days: T1 3 + T2 2 + S1 4 + S3 1 + the bus's 2 = 12;
  // T3 (cancelled), S2 and the bus's other parties (registered), T4 (a
  // month ago), T5 (moved to next week) and the other town count nowhere.
  assert.equal(g(townT, d(-2), d(0)), 3 + 2 + 4 + 1 + 2);
  assert.equal(g(unitS, d(-2), d(0)), 4 + 1 + 2, 'S alone');
  // Single days, both ends inclusive.
  assert.equal(g(townT, d(-2), d(-2)), 3 + 4 + 2);
  assert.equal(g(townT, d(-1), d(-1)), 2, 'T2 only: T3 cancelled, S2 registered');
  assert.equal(g(townT, d(0), d(0)), 1);
  assert.equal(g(unitS, d(-1), d(-1)), 0);
  // T4, a month ago, joins a wider period; T5 counts where it now departs.
  assert.equal(g(townT, d(-30), d(0)), 12 + 7);
  assert.equal(g(townT, d(-29), d(-3)), 0);
  assert.equal(g(townT, d(-30), d(-30)), 7);
  assert.equal(g(townT, d(5), d(5)), 9);
  assert.equal(g(townT, d(-30), d(30)), 12 + 7 + 9);
});

test('row G follows changes: a bigger party, a cancellation after registering', async () => {
  const d = (n) => addDays(today, n);
  const before = g(townT, d(-2), d(0));
  // The departed T1 party grows from 3 to 5: +2.
  const t1 = await getRecord(staff.token, r.T1.id);
  assertJson(await api('PATCH', `/safe-returns/${t1.id}`, {
    token: staff.token, body: { party_size: 5 }, headers: { 'If-Match': `"${t1.version}"` },
  }), 200);
  assert.equal(g(townT, d(-2), d(0)), before + 2);
  // The registered S2 party cancels: nothing changes.
  await moveTo(volS.token, r.S2.id, 'cancelled');
  assert.equal(g(townT, d(-2), d(0)), before + 2);
  // The bus's third party (3 people) departs: +3.
  await moveTo(volS.token, r.bus.items[2].id, 'departed');
  assert.equal(g(townT, d(-2), d(0)), before + 5);
  assert.equal(g(unitS, d(-2), d(0)), 4 + 1 + 2 + 3);
});

test('row G can be traced: its records in /stats/records add up to the figure', async () => {
  for (const unit of [townT, unitS]) {
    await drillEqualsFigures(staff.token, unit.id, addDays(today, -30), addDays(today, 30), ['G']);
    await drillEqualsFigures(staff.token, unit.id, today, today, ['G']);
  }
});
