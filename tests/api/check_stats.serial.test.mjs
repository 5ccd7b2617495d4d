// make check-stats after a random mixed workload (issue "The statistics
// table"): records of every kind are created, moved through their states,
// changed, recovered on, cancelled and deleted through the API, in random
// order; then every figure of every unit and campaign is recomputed from
// the raw records by check-stats' second path, and nothing differs.  And
// the check is not blind: a daily figure altered behind the API's back is
// reported, and once put back, nothing differs again.
//
// Serial: a check run while other tests write would compare two moments.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  SWN_ROOT, SWN_VAR, adminToken, api, createUnit, createUser, seededUnits, show,
} from './lib.mjs';
import { addDays, caseBody, todayShanghai } from './wage_lib.mjs';
import { sql } from './db_lib.mjs';
import { batchBody, recordBody } from './safe_returns_lib.mjs';
import { employerBody, fairBody, signupBody } from './job_fairs_lib.mjs';

function checkStats() {
  const env = { ...process.env, VAR: SWN_VAR };
  for (const k of ['MAKEFLAGS', 'MAKELEVEL', 'MFLAGS']) delete env[k];
  const r = spawnSync('make', ['--no-print-directory', '-C', SWN_ROOT, 'check-stats'],
    { env, encoding: 'utf8', timeout: 300e3 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

let admin;
let staff; // of town T, which has streets S1, S2
const units = [];
let today;
const pick = (a) => a[randomInt(a.length)];
const day = () => addDays(today, -randomInt(20));

before(async () => {
  admin = await adminToken();
  const { district } = await seededUnits();
  const t = await createUnit({ kind: 'town', name: '核对测试镇', parent_id: district.id }, { token: admin });
  units.push(t);
  for (let i = 1; i <= 2; i++) {
    units.push(await createUnit({ kind: 'street', name: `核对测试街道${i}`, parent_id: t.id }, { token: admin }));
  }
  staff = await createUser({ role: 'staff', unit_id: t.id }, { signIn: true });
  today = todayShanghai();
  // A campaign over the workload's days, so check-stats compares them.
  const c = await api('POST', '/campaigns', {
    token: admin, body: { title: `核对测试活动${Date.now().toString(36)}`, from: addDays(today, -30), to: today, report_due: today },
  });
  assert.equal(c.status, 201, show(c));
});

const call = async (method, path, body, headers = {}) =>
  api(method, path, { token: staff.token, body, headers });
const ifMatch = (v) => ({ 'If-Match': `"${v}"` });

/* One random step of each kind; failures a client could meet (a 409 of a
 * state that moved on) are part of the mix, never a 5xx. */
const steps = {
  async wage(state) {
    const r = await call('POST', '/wage-cases', caseBody({
      unit_id: pick(units).id,
      workers: [{ name: '甲', amount_owed: 1000 + randomInt(9000) }, { name: '乙', amount_owed: 500 }],
    }));
    assert.equal(r.status, 201, show(r));
    state.cases.push(r.json);
  },
  async move(state) {
    if (!state.cases.length) return;
    const c = pick(state.cases);
    const cur = (await call('GET', `/wage-cases/${c.id}`)).json;
    const to = { received: pick(['accepted', 'accepted', 'rejected']), accepted: pick(['mediating', 'closed']),
      mediating: 'resolved', resolved: 'closed' }[cur.status];
    if (!to) return;
    const r = await call('POST', `/wage-cases/${c.id}/transitions`, { to }, ifMatch(cur.version));
    assert.ok([200, 409].includes(r.status), show(r));
  },
  async recover(state) {
    if (!state.cases.length) return;
    const c = pick(state.cases);
    const cur = (await call('GET', `/wage-cases/${c.id}`)).json;
    const r = await call('POST', `/wage-cases/${c.id}/recoveries`, {
      worker_id: cur.workers[0].id, amount: `${1 + randomInt(200)}.${randomInt(10)}${randomInt(10)}`,
      recovered_on: day(),
    });
    assert.ok([201, 409].includes(r.status), show(r));
  },
  async reunit(state) {
    if (!state.cases.length) return;
    const c = pick(state.cases);
    const cur = (await call('GET', `/wage-cases/${c.id}`)).json;
    const r = await call('PATCH', `/wage-cases/${c.id}`, { unit_id: pick(units).id }, ifMatch(cur.version));
    assert.ok([200, 409].includes(r.status), show(r));
  },
  async travel(state) {
    const r = randomInt(2)
      ? await call('POST', '/safe-returns', recordBody({ unit_id: pick(units).id, depart_on: day(), party_size: 1 + randomInt(4) }))
      : await call('POST', '/safe-returns/batch', batchBody(1 + randomInt(3), { unit_id: pick(units).id, depart_on: day() }));
    assert.equal(r.status, 201, show(r));
    state.returns.push(...(r.json.items || [r.json]));
  },
  async depart(state) {
    if (!state.returns.length) return;
    const s = pick(state.returns);
    const cur = (await call('GET', `/safe-returns/${s.id}`)).json;
    const to = pick(['departed', 'arrived', 'cancelled']);
    const r = await call('POST', `/safe-returns/${s.id}/transitions`, { to }, ifMatch(cur.version));
    assert.ok([200, 409].includes(r.status), show(r));
  },
  async reparty(state) {
    if (!state.returns.length) return;
    const s = pick(state.returns);
    const cur = (await call('GET', `/safe-returns/${s.id}`)).json;
    const r = await call('PATCH', `/safe-returns/${s.id}`,
      { party_size: 1 + randomInt(5), depart_on: day(), unit_id: pick(units).id }, ifMatch(cur.version));
    assert.ok([200, 409].includes(r.status), show(r));
  },
  async visit(state) {
    const kind = pick(['enterprise', 'worker', 'worker', 'medical_frontline']);
    const body = { unit_id: pick(units).id, visited_on: day(), kind, people_count: 1 + randomInt(9),
      cash_amount: `${randomInt(3000)}.${randomInt(100).toString().padStart(2, '0')}`, goods_value: randomInt(500) };
    if (kind === 'worker') body.category = `C${1 + randomInt(11)}`;
    if (kind === 'enterprise') {
      body.enterprise_name = pick(['常州甲厂', '常州 甲厂', '常州乙公司', '丙商贸']);
      body.people_count = 0;
    }
    const r = await call('POST', '/visits', body);
    assert.equal(r.status, 201, show(r));
    state.visits.push(r.json);
  },
  async revisit(state) {
    if (!state.visits.length) return;
    const v = pick(state.visits);
    const cur = await call('GET', `/visits/${v.id}`);
    if (cur.status !== 200) return; // deleted
    const r = randomInt(3)
      ? await call('PATCH', `/visits/${v.id}`, { visited_on: day(), unit_id: pick(units).id }, ifMatch(cur.json.version))
      : await call('DELETE', `/visits/${v.id}`, undefined, ifMatch(cur.json.version));
    assert.ok([200, 204, 409].includes(r.status), show(r));
  },
  async fair(state) {
    const start = day();
    const f = await call('POST', '/job-fairs', fairBody({
      unit_id: pick(units).id, starts_at: `${start}T09:00`, ends_at: `${start}T12:00`, seeker_capacity: 5,
    }));
    assert.equal(f.status, 201, show(f));
    const p = await call('PATCH', `/job-fairs/${f.json.id}`, { status: 'published' }, ifMatch(f.json.version));
    assert.equal(p.status, 200, show(p));
    const e = await call('POST', `/job-fairs/${f.json.id}/employers`, employerBody({
      caring: randomInt(2) === 1,
      positions: [{ title: '寒假实践', kind: pick(['work_study', 'social_practice', 'regular']), headcount: 9 }],
    }));
    assert.equal(e.status, 201, show(e));
    state.fairs.push({ fair: p.json, employer: e.json, start, regs: [] });
  },
  async signup(state) {
    if (!state.fairs.length) return;
    const f = pick(state.fairs);
    const student = randomInt(3) > 0;
    // The fairs are of the last few weeks, over: their staff enter them.
    const r = await api('POST', `/job-fairs/${f.fair.id}/registrations`, {
      token: staff.token,
      body: signupBody(student ? { kind: 'student', hardship_family: randomInt(2) === 1 } : {}),
    });
    assert.equal(r.status, 201, show(r));
    f.regs.push(r.json);
  },
  async place(state) {
    const f = state.fairs.find((x) => x.regs.some((g) => g.status === 'registered' && !g.placed));
    if (!f) return;
    const g = f.regs.find((x) => x.status === 'registered' && !x.placed);
    const r = await call('POST', `/job-fairs/${f.fair.id}/placements`, {
      registration_id: g.id, employer_id: f.employer.id, position_id: f.employer.positions[0].id,
      placed_on: f.start,
    });
    assert.ok([201, 409].includes(r.status), show(r));
    g.placed = true;
  },
};

test('after a random mixed workload, check-stats finds no difference; an altered figure is found', { timeout: 900e3 }, async () => {
  const state = { cases: [], returns: [], visits: [], fairs: [] };
  const names = Object.keys(steps);
  for (const n of names) await steps[n](state); // every kind at least once
  for (let i = 0; i < 160; i++) await steps[pick(names)](state);

  let r = checkStats();
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /: 0 differences/);

  // Behind the API's back: one daily figure of the town gets one more.
  const [[d]] = sql(`SELECT DATE_FORMAT(MAX(day), '%Y-%m-%d') FROM stat_daily WHERE unit_id = ${units[0].id}`);
  assert.ok(d, 'the workload left daily figures');
  sql(`UPDATE stat_daily SET g = g + 1 WHERE unit_id = ${units[0].id} AND day = '${d}' LIMIT 1`);
  try {
    r = checkStats();
    assert.notEqual(r.status, 0, r.out);
    assert.match(r.out, new RegExp(`unit ${units[0].id}, row G: GET /stats says (\\d+), the records say (\\d+)`));
  } finally {
    sql(`UPDATE stat_daily SET g = g - 1 WHERE unit_id = ${units[0].id} AND day = '${d}' LIMIT 1`);
  }
  r = checkStats();
  assert.equal(r.status, 0, r.out);
});
