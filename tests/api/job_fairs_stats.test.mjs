// Statistics rows K1 and K2 (API.md "Statistics"), computed by the real
// worker binary's `stats UNIT FROM TO` from fairs made through the API:
//   K1  placements into work_study or social_practice positions of
//       students from hardship families, placed_on in the period (人次)
//   K2  distinct credit codes of caring employers that offered a
//       work_study or social_practice position at a fair starting in the
//       period (家); drafts have not happened and count nowhere
// A unit's figures include its descendants.  A fresh town T with a child
// unit S keeps parallel files out.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, createUnit, createUser, seededUnits, show } from './lib.mjs';
import { runStats } from './wage_lib.mjs';
import { createFair, employerBody, freshCredit, signUpOk } from './job_fairs_lib.mjs';

let townT;
let unitS;
let staff;
const C1 = freshCredit();
const C4 = freshCredit();

async function employer(fair, credit, caring, kinds) {
  const res = await api('POST', `/job-fairs/${fair.id}/employers`, {
    token: staff.token,
    body: employerBody({
      credit_code: credit, caring,
      positions: kinds.map((kind, i) => ({ title: `${kind}岗位${i}`, kind, headcount: 10 })),
    }),
  });
  assert.equal(res.status, 201, show(res));
  return res.json;
}

async function place(fair, reg, emp, i, on) {
  const res = await api('POST', `/job-fairs/${fair.id}/placements`, {
    token: staff.token,
    body: { registration_id: reg.id, employer_id: emp.id, position_id: emp.positions[i].id, placed_on: on },
  });
  assert.equal(res.status, 201, show(res));
}

before(async () => {
  const admin = await adminToken();
  const { district } = await seededUnits();
  townT = await createUnit({ kind: 'town', name: '招聘统计测试镇', parent_id: district.id }, { token: admin });
  unitS = await createUnit({ kind: 'direct', name: '招聘统计测试直属工会', parent_id: townT.id }, { token: admin });
  staff = await createUser({ role: 'staff', unit_id: townT.id }, { signIn: true });

  // Fair A at S, 15 January 2023.
  const A = await createFair(staff.token, {
    unit_id: unitS.id, kind: 'work_study', seeker_capacity: 50,
    starts_at: '2023-01-15T09:00', ends_at: '2023-01-15T16:00',
  });
  const e1 = await employer(A, C1, true, ['work_study', 'regular']); // K2: C1
  const e2 = await employer(A, freshCredit(), true, ['regular']); // regular only
  const e3 = await employer(A, freshCredit(), false, ['social_practice']); // not caring
  // Fair B at T, 25 January: C1 again (counted once) and C4.
  const B = await createFair(staff.token, { starts_at: '2023-01-25T09:00', ends_at: '2023-01-25T12:00' });
  const e4 = await employer(B, C4, true, ['social_practice']);
  await employer(B, C1, true, ['work_study']);
  // Fair C at T, a draft starting 16 January: nothing of it counts.
  const C = await createFair(staff.token, { starts_at: '2023-01-16T09:00', ends_at: '2023-01-16T12:00' }, { publish: false });
  await employer(C, freshCredit(), true, ['work_study']);

  const s1 = await signUpOk(A.id, { kind: 'student', hardship_family: true }, { token: staff.token }); // after the fair: its staff
  const s2 = await signUpOk(A.id, { kind: 'student', hardship_family: false }, { token: staff.token }); // after the fair: its staff
  const s3 = await signUpOk(A.id, { kind: 'migrant_worker' }, { token: staff.token }); // after the fair: its staff
  const s4 = await signUpOk(A.id, { kind: 'student', hardship_family: true }, { token: staff.token }); // after the fair: its staff
  const s5 = await signUpOk(B.id, { kind: 'student', hardship_family: true }, { token: staff.token }); // after the fair: its staff
  await place(A, s1, e1, 0, '2023-01-15'); // K1
  await place(A, s1, e1, 1, '2023-01-15'); // regular: no
  await place(A, s2, e1, 0, '2023-01-16'); // not from a hardship family: no
  await place(A, s3, e1, 0, '2023-01-16'); // not a student: no
  await place(A, s4, e3, 0, '2023-01-20'); // K1 (the employer need not be caring)
  await place(B, s5, e4, 0, '2023-01-26'); // K1
  await place(A, s3, e2, 0, '2023-01-17'); // regular: no
});

function k(unit, from, to) {
  const s = runStats(unit.id, from, to);
  const k1 = s.rows.find((r) => r.code === 'K1');
  const k2 = s.rows.find((r) => r.code === 'K2');
  assert.ok(k1 && k2, `rows K1 and K2 in ${JSON.stringify(s)}`);
  return [k1.value, k2.value];
}

test('K1 and K2 for January: T includes S; a credit code counts once', () => {
  assert.deepEqual(k(townT, '2023-01-01', '2023-01-31'), [3, 2]);
  assert.deepEqual(k(unitS, '2023-01-01', '2023-01-31'), [2, 1]);
});

test('K1 by placed_on, K2 by the fair\'s start, both days inclusive', () => {
  assert.deepEqual(k(townT, '2023-01-15', '2023-01-15'), [1, 1]);
  // The draft fair C starts on the 16th: no K2.
  assert.deepEqual(k(townT, '2023-01-16', '2023-01-24'), [1, 0]);
  assert.deepEqual(k(townT, '2023-01-21', '2023-01-24'), [0, 0]);
  assert.deepEqual(k(townT, '2023-01-25', '2023-01-31'), [1, 2]);
  assert.deepEqual(k(townT, '2023-01-26', '2023-01-26'), [1, 0]);
  assert.deepEqual(k(townT, '2022-01-01', '2022-12-31'), [0, 0]);
});

test('GET /stats/records lists what K1 and K2 count, contributions adding up to the figure', async () => {
  const q = `unit_id=${townT.id}&from=2023-01-01&to=2023-01-31`;
  const k1 = await api('GET', `/stats/records?row=K1&${q}`, { token: staff.token });
  assert.equal(k1.status, 200, show(k1));
  assert.equal(k1.json.value, 3);
  assert.equal(k1.json.items.length, 3);
  assert.ok(k1.json.items.every((i) => i.kind === 'fair_placement' && i.count === 1));
  assert.deepEqual(k1.json.items.map((i) => i.placed_on).sort(), ['2023-01-15', '2023-01-20', '2023-01-26']);
  const k2 = await api('GET', `/stats/records?row=K2&${q}`, { token: staff.token });
  assert.equal(k2.status, 200, show(k2));
  assert.equal(k2.json.value, 2);
  // C1 at fair A and again at fair B, C4 at B: three employers, two firms.
  assert.equal(k2.json.items.length, 3);
  assert.equal(k2.json.items.reduce((s, i) => s + i.count, 0), 2);
  assert.deepEqual([...new Set(k2.json.items.map((i) => i.credit_code))].sort(), [C1, C4].sort());
  assert.ok(!k2.text.includes('contact'), 'no contact of an employer');
});
