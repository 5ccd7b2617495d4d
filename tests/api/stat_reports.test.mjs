// Reporting the table (API.md v1.1 "Statistics"; docs/statistics.md):
// submissions blocked by rule errors, the frozen snapshot that later
// records do not change (nor the export of it), approval and return by
// staff above the unit and never by its own staff, approval refused when
// the records moved, the period lock on wage cases in the unit's subtree
// and not elsewhere, reopening by an admin, the XLSX of an approved table,
// and GET /stats/reporting for on-time, late, returned and missing units.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminToken, api, assertFieldErrors, assertJson, assertProblem, createUnit, createUser, seededUnits, show,
} from './lib.mjs';
import { sql } from './db_lib.mjs';
import { addDays, fileCase, getCase, move, recover, todayShanghai } from './wage_lib.mjs';
import { formRows, readXlsx, row } from './stats_lib.mjs';
import { logVisit, workerVisit } from './visits_lib.mjs';
import { batchBody, moveTo, recordBody, register } from './safe_returns_lib.mjs';

let admin;
let district;
let town; // LT: reports, gets approved, locks
let streets; // its streets
let other; // another town: never locked
let staffTown;
let staffStreet;
let staffOther;
let staffDistrict;
let camp; // a campaign around today, so that transitions (dated today) fall in it
let today;
let caseA; // accepted in streets[0] before the approval
let visitA; // logged in streets[0] before the approval
let departed; // safe returns in streets[0]: one departed, one never departed
let waiting;

async function enter(token, unitId, campaignId, values) {
  const g = await api('GET', `/stats/entries?unit_id=${unitId}&campaign_id=${campaignId}`, { token });
  assert.equal(g.status, 200, show(g));
  const headers = g.json.version ? { 'If-Match': `"${g.json.version}"` } : {};
  const res = await api('PUT', '/stats/entries', {
    token, body: { unit_id: unitId, campaign_id: campaignId, values }, headers,
  });
  assert.ok([200, 201].includes(res.status), show(res));
  return res.json;
}

const submit = (token, unitId, campaignId = camp.id) =>
  api('POST', '/stats/submissions', { token, body: { unit_id: unitId, campaign_id: campaignId } });

async function decide(token, id, action, body, version) {
  if (version === undefined) {
    version = assertJson(await api('GET', `/stats/submissions/${id}`, { token: admin }), 200).version;
  }
  return api('POST', `/stats/submissions/${id}/${action}`, {
    token, body, headers: { 'If-Match': `"${version}"` },
  });
}

async function exportXlsx(token, query) {
  const res = await fetch(`${process.env.BASE_URL}/api/v1/stats/export?format=xlsx&${query}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200, await res.clone().text());
  return readXlsx(Buffer.from(await res.arrayBuffer()));
}

const recovery = (token, id, workerId, amount, on) => api('POST', `/wage-cases/${id}/recoveries`, {
  token, body: { worker_id: workerId, amount, recovered_on: on },
});

async function transition(token, id, to) {
  const cur = await getCase(token, id);
  return api('POST', `/wage-cases/${id}/transitions`, {
    token, body: { to }, headers: { 'If-Match': `"${cur.version}"` },
  });
}

before(async () => {
  admin = await adminToken();
  ({ district } = await seededUnits());
  today = todayShanghai();
  town = await createUnit({ kind: 'town', name: '上报测试镇', parent_id: district.id });
  streets = [];
  for (let i = 0; i < 2; i++) {
    streets.push(await createUnit({ kind: 'street', name: `上报测试街道${i + 1}`, parent_id: town.id }));
  }
  other = await createUnit({ kind: 'town', name: '上报别镇', parent_id: district.id });
  staffTown = await createUser({ role: 'staff', unit_id: town.id, display_name: '镇填报员' }, { signIn: true });
  staffStreet = await createUser({ role: 'staff', unit_id: streets[0].id }, { signIn: true });
  staffOther = await createUser({ role: 'staff', unit_id: other.id }, { signIn: true });
  staffDistrict = await createUser({ role: 'staff', unit_id: district.id, display_name: '区审核员' }, { signIn: true });
  camp = assertJson(await api('POST', '/campaigns', {
    token: admin,
    body: { title: `上报测试活动${Date.now().toString(36)}`, from: addDays(today, -10), to: addDays(today, 5), report_due: addDays(today, 5) },
  }), 201);
  // One accepted case with a recovery in the first street.
  const { body } = await fileCase(staffTown.token, { unit_id: streets[0].id });
  await move(staffTown.token, body.id, 'accepted');
  await recover(staffTown.token, body.id, body.workers[0].id, '500.00', today);
  caseA = await getCase(staffTown.token, body.id);
  visitA = await logVisit(staffStreet.token, workerVisit({
    unit_id: streets[0].id, visited_on: today, category: 'C7', people_count: 3, cash_amount: '300.00', goods_value: 0,
  }));
  departed = await register(staffStreet.token, { unit_id: streets[0].id, party_size: 2 });
  await moveTo(staffStreet.token, departed.id, 'departed');
  waiting = await register(staffStreet.token, { unit_id: streets[0].id });
});

test('submitting: every bad field, a rule error blocks (409 validation_rules), staff submit only their own unit', async () => {
  assertFieldErrors(await api('POST', '/stats/submissions', { token: staffTown.token, body: { x: 1 } }),
    [['unit_id', 'required'], ['campaign_id', 'required'], ['x', 'unknown_field']], { exact: true });
  assertFieldErrors(await submit(staffTown.token, 999999999, 999999999),
    [['unit_id', 'unknown'], ['campaign_id', 'unknown']], { exact: true });
  assertFieldErrors(await submit(staffStreet.token, town.id), [['unit_id', 'unknown']]);
  assertProblem(await submit(staffTown.token, streets[0].id), 403, 'forbidden');
  // Nothing entered yet: B, E, F missing is an error.
  const p = assertProblem(await submit(staffTown.token, town.id), 409, 'validation_rules');
  assert.equal(p.errors, 1);
  assert.deepEqual(p.violations.map((v) => [v.rule, v.level]), [['entries_missing', 'error']]);
  assert.match(p.detail, /不能上报/);
  const none = assertJson(await api('GET', `/stats/submissions?unit_id=${town.id}&campaign_id=${camp.id}`,
    { token: staffTown.token }), 200);
  assert.deepEqual(none.items, []);
});

let first; // the town's first submission

test('a submission freezes the table: later records change neither its snapshot nor its export', async () => {
  await enter(staffTown.token, town.id, camp.id, { B1: '100.00', B4: '12345.67', E1: 5, E2: 3, F1: 2 });
  const res = await submit(staffTown.token, town.id);
  first = assertJson(res, 201);
  assert.equal(res.headers.get('location'), `/api/v1/stats/submissions/${first.id}`);
  assert.equal(res.headers.get('etag'), '"1"');
  assert.equal(first.state, 'submitted');
  assert.equal(first.state_label, '已上报，待审核');
  assert.equal(first.submitted_by, '镇填报员');
  assert.match(first.submitted_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  const snap = first.snapshot;
  assert.equal(snap.from, camp.from);
  assert.deepEqual(row(snap.rows, 'I'), {
    code: 'I', number: 6, label: '帮助农民工追讨欠薪金额', unit: '万元', value: '0.05', yuan: '500.00',
  });
  assert.equal(row(snap.rows, 'H').value, 1);
  assert.equal(row(snap.rows, 'B').yuan, '12445.67');
  assert.equal(row(snap.rows, 'E').value, 8);
  assert.deepEqual(snap.violations, []);
  assert.equal(snap.values, undefined, 'the raw values stay inside');

  // While it waits: no second submission, no change of the entries.
  assertProblem(await submit(staffTown.token, town.id), 409, 'already_submitted');
  const g = await api('GET', `/stats/entries?unit_id=${town.id}&campaign_id=${camp.id}`, { token: staffTown.token });
  assert.equal(g.json.submission.state, 'submitted');
  assertProblem(await api('PUT', '/stats/entries', {
    token: staffTown.token, body: { unit_id: town.id, campaign_id: camp.id, values: { B1: 1 } },
    headers: { 'If-Match': `"${g.json.version}"` },
  }), 409, 'already_submitted');

  // A record changes afterwards (nothing is locked before approval).
  assertJson(await recovery(staffTown.token, caseA.id, caseA.workers[0].id, '300.00', today), 201);
  const live = assertJson(await api('GET', `/stats?unit_id=${town.id}&campaign_id=${camp.id}`, { token: staffTown.token }), 200);
  assert.equal(row(live.rows, 'I').yuan, '800.00');
  const again = assertJson(await api('GET', `/stats/submissions/${first.id}`, { token: staffTown.token }), 200);
  assert.deepEqual(again.snapshot, snap, 'the snapshot did not move');
  const { cells } = await exportXlsx(staffDistrict.token, `unit_id=${town.id}&campaign_id=${camp.id}`);
  const at = formRows(cells);
  assert.equal(cells[`E${at.I}`], 0.05, 'the export reproduces the snapshot, not the live 0.08');
  assert.equal(cells[`E${at.B1}`], 0.01);
  assert.match(cells.A5, /上报状态：已上报，待审核.*本表为上报时的数字/);
  assert.equal(cells.A3, '填 报 人：镇填报员');
});

test('deciding: never the unit\'s own staff (403), nor staff below it (404); If-Match; moved figures are not approved', async () => {
  assertProblem(await decide(staffTown.token, first.id, 'approve', {}), 403, 'forbidden');
  assertProblem(await decide(staffStreet.token, first.id, 'approve', {}), 404, 'not_found');
  assertProblem(await decide(staffOther.token, first.id, 'return', { note: 'x' }), 404, 'not_found');
  assertProblem(await api('GET', `/stats/submissions/${first.id}`, { token: staffOther.token }), 404, 'not_found');
  assertProblem(await api('GET', '/stats/submissions/999999999', { token: admin }), 404, 'not_found');
  assertProblem(await api('POST', `/stats/submissions/${first.id}/approve`, { token: staffDistrict.token }),
    428, 'precondition_required');
  assertProblem(await decide(staffDistrict.token, first.id, 'approve', {}, 9), 412, 'precondition_failed');
  // The recovery added after submission: the table no longer matches.
  const p = assertProblem(await decide(staffDistrict.token, first.id, 'approve', {}), 409, 'figures_changed');
  assert.deepEqual(p.rows, [{ code: 'I', reported: 50000, now: 80000 }]);
  assert.match(p.detail, /I/);
  assertFieldErrors(await decide(staffDistrict.token, first.id, 'return', {}), [['note', 'required']]);
  const r = assertJson(await decide(staffDistrict.token, first.id, 'return', { note: '追回金额有变动，请核对后重报' }), 200);
  assert.equal(r.state, 'returned');
  assert.equal(r.note, '追回金额有变动，请核对后重报');
  assert.equal(r.decided_by, '区审核员');
  assert.equal(r.version, 2);
  assertProblem(await decide(staffDistrict.token, first.id, 'approve', {}), 409, 'illegal_transition');
});

let second;

test('the unit submits anew; staff above approve; the approved table locks its period in the unit\'s subtree only', async () => {
  const res = await submit(staffTown.token, town.id);
  second = assertJson(res, 201);
  assert.notEqual(second.id, first.id);
  assert.equal(row(second.snapshot.rows, 'I').yuan, '800.00');
  const list = assertJson(await api('GET', `/stats/submissions?unit_id=${town.id}&campaign_id=${camp.id}`,
    { token: staffTown.token }), 200);
  assert.deepEqual(list.items.map((s) => [s.id, s.state]), [[second.id, 'submitted'], [first.id, 'returned']]);

  const a = assertJson(await decide(staffDistrict.token, second.id, 'approve', { note: '同意' }), 200);
  assert.equal(a.state, 'approved');
  assert.equal(a.decided_by, '区审核员');
  assertProblem(await submit(staffTown.token, town.id), 409, 'already_approved');

  // A recovery, a transition, an intake-accept and a change in the town's street: locked.
  const lock = assertProblem(await recovery(staffTown.token, caseA.id, caseA.workers[0].id, '1.00', today),
    409, 'period_locked');
  assert.equal(lock.lock.unit_id, town.id);
  assert.equal(lock.lock.submission_id, second.id);
  assert.equal(lock.lock.approved_by, '区审核员');
  assert.equal(lock.lock.campaign_id, camp.id);
  assert.ok(lock.detail.includes('上报测试镇') && lock.detail.includes('区审核员'), lock.detail);
  // Work on a case that changes no figure goes on: mediating is not locked.
  assertJson(await transition(staffTown.token, caseA.id, 'mediating'), 200);
  const { body: fresh } = await fileCase(staffStreet.token, { unit_id: streets[0].id });
  assert.equal(fresh.status, 'received', 'an intake is dated by nothing yet: allowed');
  assertProblem(await transition(staffStreet.token, fresh.id, 'accepted'), 409, 'period_locked');
  const cur = await getCase(staffTown.token, caseA.id);
  assertProblem(await api('PATCH', `/wage-cases/${caseA.id}`, {
    token: staffTown.token, body: { project_name: '改个名字' }, headers: { 'If-Match': `"${cur.version}"` },
  }), 409, 'period_locked');
  // A visit logged, changed or deleted in the period: locked too.
  assertProblem(await api('POST', '/visits', {
    token: staffStreet.token, body: workerVisit({ unit_id: streets[0].id, visited_on: today }),
  }), 409, 'period_locked');
  assertProblem(await api('POST', '/visits', {
    token: staffTown.token, body: workerVisit({ unit_id: streets[1].id, visited_on: addDays(today, -1) }),
  }), 409, 'period_locked');
  assertProblem(await api('PATCH', `/visits/${visitA.id}`, {
    token: staffTown.token, body: { people_count: 4 }, headers: { 'If-Match': `"${visitA.version}"` },
  }), 409, 'period_locked');
  assertProblem(await api('PATCH', `/visits/${visitA.id}`, {
    token: staffTown.token, body: { visited_on: addDays(camp.from, -1) }, headers: { 'If-Match': `"${visitA.version}"` },
  }), 409, 'period_locked');
  assertProblem(await api('DELETE', `/visits/${visitA.id}`, { token: staffTown.token }), 409, 'period_locked');
  // Safe returns dated in the period: registering (one or a busload),
  // changing, moving; the traveller's own arrival only where it would add
  // to row G (a registration that never departed).
  assertProblem(await api('POST', '/safe-returns', {
    token: staffStreet.token, body: recordBody({ unit_id: streets[0].id }),
  }), 409, 'period_locked');
  assertProblem(await api('POST', '/safe-returns/batch', {
    token: staffTown.token, body: batchBody(2, { unit_id: streets[1].id }),
  }), 409, 'period_locked');
  const dep = assertJson(await api('GET', `/safe-returns/${departed.id}`, { token: staffTown.token }), 200);
  assertProblem(await api('PATCH', `/safe-returns/${departed.id}`, {
    token: staffTown.token, body: { party_size: 3 }, headers: { 'If-Match': `"${dep.version}"` },
  }), 409, 'period_locked');
  // Arriving after departing changes no figure: not locked.
  assertJson(await api('POST', `/safe-returns/${departed.id}/transitions`, {
    token: staffTown.token, body: { to: 'arrived' }, headers: { 'If-Match': `"${dep.version}"` },
  }), 200);
  const refused = assertProblem(await api('POST', '/safe-returns/arrivals', { body: { code: waiting.arrival_code } }),
    409, 'period_locked');
  assert.ok(!refused.detail.includes('区审核员') && refused.lock === undefined,
    'a traveller is told what to do, not who approved what');
  const home = assertJson(await api('POST', '/safe-returns/arrivals', { body: { code: departed.arrival_code } }), 200);
  assert.equal(home.status, 'arrived', 'an arrived traveller confirming again changes nothing');
  // A visit dated before the period is not locked.
  await logVisit(staffStreet.token, workerVisit({ unit_id: streets[0].id, visited_on: addDays(camp.from, -1) }));
  // The entered rows of the campaign, of the town and of its streets.
  assertProblem(await api('PUT', '/stats/entries', {
    token: staffStreet.token, body: { unit_id: streets[0].id, campaign_id: camp.id, values: { E1: 1 } },
  }), 409, 'period_locked');
  // Outside the period, the same case still takes a recovery.
  assertJson(await recovery(staffTown.token, caseA.id, caseA.workers[0].id, '2.00', addDays(camp.from, -1)), 201);
  // Nothing changed in the locked table.
  const live = assertJson(await api('GET', `/stats?unit_id=${town.id}&campaign_id=${camp.id}`, { token: admin }), 200);
  assert.deepEqual(live.rows, second.snapshot.rows);

  // The approval locks what it reported: the campaign's days up to the day
  // of approval.  A party leaving tomorrow, still in the campaign, is
  // registered and departs as the work goes on.
  const later = await register(staffTown.token, { unit_id: streets[0].id, depart_on: addDays(today, 1) });
  assert.equal((await moveTo(staffTown.token, later.id, 'departed')).status, 'departed');

  // Another town is not locked: the same steps go through.
  const { body: o } = await fileCase(staffOther.token, { unit_id: other.id });
  const accepted = await move(staffOther.token, o.id, 'accepted');
  assert.equal(accepted.accepted_on, today);
  assertJson(await recovery(staffOther.token, o.id, o.workers[0].id, '10.00', today), 201);
  assert.equal((await move(staffOther.token, o.id, 'mediating')).status, 'mediating');
  const ov = await logVisit(staffOther.token, workerVisit({ unit_id: other.id, visited_on: today }));
  const osr = await register(staffOther.token, { unit_id: other.id });
  assert.equal((await moveTo(staffOther.token, osr.id, 'departed')).status, 'departed');
  assert.equal((await api('DELETE', `/visits/${(await logVisit(staffOther.token,
    workerVisit({ unit_id: other.id, visited_on: today }))).id}`, { token: staffOther.token })).status, 204);
  assertProblem(await api('PATCH', `/visits/${ov.id}`, {
    token: admin, body: { unit_id: streets[1].id }, headers: { 'If-Match': `"${ov.version}"` },
  }), 409, 'period_locked');
  // ... nor a case moved into the locked town: its figures would move with it.
  const oc = await getCase(admin, o.id);
  assertProblem(await api('PATCH', `/wage-cases/${o.id}`, {
    token: admin, body: { unit_id: streets[1].id }, headers: { 'If-Match': `"${oc.version}"` },
  }), 409, 'period_locked');
});

test('the XLSX of an approved table: B, E, F and the computed rows in their cells, the state in the header', async () => {
  const { cells } = await exportXlsx(staffTown.token, `unit_id=${town.id}&campaign_id=${camp.id}`);
  const at = formRows(cells);
  assert.equal(cells[`E${at.B}`], 1.24, 'B = 12445.67 yuan = 1.24 万元');
  assert.equal(cells[`E${at.B1}`], 0.01);
  assert.equal(cells[`E${at.B4}`], 1.23);
  assert.equal(cells[`E${at.B2}`], 0);
  assert.equal(cells[`E${at.E}`], 8);
  assert.equal(cells[`E${at.E1}`], 5);
  assert.equal(cells[`E${at.E2}`], 3);
  assert.equal(cells[`E${at.F}`], 2);
  assert.equal(cells[`E${at.F1}`], 2);
  assert.equal(cells[`E${at.H}`], 1);
  assert.equal(cells[`E${at.I}`], 0.08);
  assert.equal(cells[`E${at.C7}`], 3);
  assert.equal(cells[`E${at.D7}`], 0.03);
  assert.equal(cells[`E${at.C}`], 3);
  assert.equal(cells[`E${at.A}`], 0);
  assert.equal(cells[`E${at.G}`], 2, 'the departed party of two');
  assert.deepEqual([cells[`B${at.B}`], cells[`B${at.E}`], cells[`B${at.F}`]], ['B', 'E', 'F']);
  assert.match(cells.A5, /上报状态：已审核通过（.* 上报，.* 由区审核员审核）/);
  assert.equal(cells.A2, '填报单位：上报测试镇');
  const rules = Object.entries(cells).find(([, v]) => typeof v === 'string' && v.startsWith('审核规则检查'));
  assert.equal(rules?.[1], '审核规则检查：全部通过。');
  // CSV: the same figures, and the state line.
  const csv = await api('GET', `/stats/export?format=csv&unit_id=${town.id}&campaign_id=${camp.id}`, { token: staffTown.token });
  assert.equal(csv.status, 200);
  assert.ok(csv.text.includes('"2","B","筹集慰问款物总额（万元）  B=B1+B2+B3+B4+B5+B6","","1.24","12445.67"'), csv.text);
  assert.ok(csv.text.includes('"4","E1","其中：落实民生政策（人次）","","5",""'));
  assert.match(csv.text, /"上报状态：已审核通过/);
});

test('reopen: admins only, If-Match, audited; the period unlocks and the unit may submit again', async () => {
  assertProblem(await decide(staffDistrict.token, second.id, 'reopen', {}), 403, 'forbidden');
  assertProblem(await api('POST', `/stats/submissions/${second.id}/reopen`, { token: admin }), 428, 'precondition_required');
  const r = assertJson(await decide(admin, second.id, 'reopen', { note: '更正 I 行' }), 200);
  assert.equal(r.state, 'returned');
  assert.equal(r.reopened_by, '系统管理员');
  assert.equal(r.note, '更正 I 行');
  assertProblem(await decide(admin, second.id, 'reopen', {}), 409, 'illegal_transition');
  assertJson(await recovery(staffTown.token, caseA.id, caseA.workers[0].id, '1.00', today), 201);
  assert.equal((await move(staffTown.token, caseA.id, 'resolved')).status, 'resolved');
  assert.equal((await api('DELETE', `/visits/${visitA.id}`, { token: staffTown.token })).status, 204);
  const audit = sql(`SELECT action, user_id FROM audit_log WHERE table_name = 'stat_submissions' ` +
    `AND record_id = ${second.id} ORDER BY id`);
  assert.deepEqual(audit.map((a) => a[0]),
    ['stat_submission.submit', 'stat_submission.approve', 'stat_submission.reopen']);
  assertJson(await submit(staffTown.token, town.id), 201);
});

test('two submissions of one table at once: one is taken, the other is 409', async () => {
  await enter(staffOther.token, other.id, camp.id, { B1: 0, E1: 0, F1: 0 });
  const both = await Promise.all([submit(staffOther.token, other.id), submit(staffOther.token, other.id)]);
  assert.deepEqual(both.map((r) => r.status).sort(), [201, 409], both.map(show).join('\n'));
  assert.equal(both.find((r) => r.status === 409).json.code, 'already_submitted');
});

test('GET /stats/reporting: on time, late, returned, missing and draft units, with counts', async () => {
  const parent = await createUnit({ kind: 'town', name: '报送情况测试镇', parent_id: district.id });
  const kids = [];
  for (const n of ['按时', '截止日当天', '迟报', '退回', '未报', '草稿']) {
    kids.push(await createUnit({ kind: 'street', name: `${n}街道`, parent_id: parent.id }));
  }
  const due = addDays(today, -1);
  const qTitle = `报送测试活动${Date.now().toString(36)}`;
  const q = assertJson(await api('POST', '/campaigns', {
    token: admin, body: { title: qTitle, from: addDays(today, -30), to: addDays(today, -2), report_due: due },
  }), 201);
  const values = { B1: '1.00', E1: 1, F1: 1 };
  for (const k of [0, 1, 2, 3, 5]) await enter(admin, kids[k].id, q.id, values);
  const sub = {};
  for (const k of [0, 1, 2, 3]) sub[k] = assertJson(await submit(admin, kids[k].id, q.id), 201);
  // Reported three days ago, and on the due date itself: on time.
  // (In the worker's time zone: a TIMESTAMP is read back in the session's.)
  sql(`SET time_zone = '+08:00'; UPDATE stat_submissions SET submitted_at = NOW() - INTERVAL 3 DAY ` +
    `WHERE id = ${sub[0].id}; UPDATE stat_submissions SET submitted_at = TIMESTAMP('${due} 23:59:00') ` +
    `WHERE id = ${sub[1].id}`);
  assertJson(await decide(staffDistrict.token, sub[0].id, 'approve', {}), 200);
  assertJson(await decide(staffDistrict.token, sub[3].id, 'return', { note: '请补充说明' }), 200);

  const staffParent = await createUser({ role: 'staff', unit_id: parent.id }, { signIn: true });
  const rep = assertJson(await api('GET', `/stats/reporting?campaign_id=${q.id}&parent_id=${parent.id}`,
    { token: staffParent.token }), 200);
  assert.equal(rep.parent_id, parent.id);
  assert.deepEqual(rep.campaign, { id: q.id, title: qTitle, from: q.from, to: q.to, report_due: due });
  assert.deepEqual(rep.items.map((i) => [i.unit_name, i.state, i.late]), [
    ['按时街道', 'approved', false],
    ['截止日当天街道', 'submitted', false],
    ['迟报街道', 'submitted', true],
    ['退回街道', 'returned', true],
    ['未报街道', 'not_started', true],
    ['草稿街道', 'draft', true],
  ]);
  assert.equal(rep.items[1].submitted_at, `${due}T23:59:00+08:00`);
  assert.equal(rep.items[3].note, '请补充说明');
  assert.equal(rep.items[4].submitted_at, null);
  assert.equal(rep.items[0].submission_id, sub[0].id);
  assert.deepEqual(rep.counts, {
    total: 6, not_started: 1, draft: 1, submitted: 2, approved: 1, returned: 1, reported: 3, late: 4,
  });
  // Only from above: a street's staff cannot see its siblings; a campaign is needed.
  const staffKid = await createUser({ role: 'staff', unit_id: kids[0].id }, { signIn: true });
  assertProblem(await api('GET', `/stats/reporting?campaign_id=${q.id}&parent_id=${parent.id}`,
    { token: staffKid.token }), 404, 'not_found');
  assertFieldErrors(await api('GET', `/stats/reporting?parent_id=${parent.id}&from=${due}&to=${due}`,
    { token: admin }), [['campaign_id', 'required']]);
});
