// Recruitment fairs (API.md "Job fairs" and v1.1 "Job fairs"): the fair's
// life, places and the ordered waitlist under concurrency, cancellation by
// code, check-in at the door, employers and placements, and what a
// database dump holds.  Everything happens in a fresh town, so parallel
// test files do not disturb it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  adminToken, api, assertFieldErrors, assertJson, assertProblem, createUnit, createUser,
  seededUnits, show,
} from './lib.mjs';
import { badChecksum, idNumber, maskId, maskPhone } from './wage_lib.mjs';
import { dump, freshIdNumber, freshPhone, sql } from './db_lib.mjs';
import {
  byCode, cancel, checkIn, createFair, employerBody, fairBody, getFair, patchFair,
  registrations, signUp, signUpOk, signupBody,
} from './job_fairs_lib.mjs';

let admin;
let town; // with a street below it
let street;
let otherTown;
let staff; // of town
let otherStaff; // of otherTown
let volunteer; // of town
let otherVolunteer;

before(async () => {
  admin = await adminToken();
  const { district } = await seededUnits();
  town = await createUnit({ kind: 'town', name: '招聘会测试镇', parent_id: district.id }, { token: admin });
  street = await createUnit({ kind: 'street', name: '招聘会测试街道', parent_id: town.id }, { token: admin });
  otherTown = await createUnit({ kind: 'town', name: '招聘会另一镇', parent_id: district.id }, { token: admin });
  staff = await createUser({ role: 'staff', unit_id: town.id }, { signIn: true });
  otherStaff = await createUser({ role: 'staff', unit_id: otherTown.id }, { signIn: true });
  volunteer = await createUser({ role: 'volunteer', unit_id: town.id }, { signIn: true });
  otherVolunteer = await createUser({ role: 'volunteer', unit_id: otherTown.id }, { signIn: true });
});

/* ---- The fair ------------------------------------------------------ */

test('staff create a fair as a draft; every bad field is named at once', async () => {
  const bad = await api('POST', '/job-fairs', {
    token: staff.token,
    body: {
      title: '  ', kind: 'circus', venue: 'x'.repeat(201), starts_at: '2031-02-30T09:00',
      ends_at: '2031-02-20 25:00', seeker_capacity: 0, extra: 1,
    },
  });
  assertFieldErrors(bad, [
    ['title', 'required'], ['kind', 'enum'], ['venue', 'too_long'], ['starts_at', 'format'],
    ['ends_at', 'format'], ['seeker_capacity', 'out_of_range'], ['extra', 'unknown_field'],
  ], { exact: true });

  const backwards = await api('POST', '/job-fairs', {
    token: staff.token, body: fairBody({ starts_at: '2031-02-20T12:00', ends_at: '2031-02-20T09:00:00+08:00' }),
  });
  assertFieldErrors(backwards, [['ends_at', 'out_of_range']], { exact: true });
  const offset = await api('POST', '/job-fairs', { token: staff.token, body: fairBody({ starts_at: '2031-02-20T01:00:00Z' }) });
  assertFieldErrors(offset, [['starts_at', 'format']], { exact: true });

  const outside = await api('POST', '/job-fairs', { token: staff.token, body: fairBody({ unit_id: otherTown.id }) });
  assertFieldErrors(outside, [['unit_id', 'unknown']]);
  assertProblem(await api('POST', '/job-fairs', { body: fairBody() }), 401, 'unauthenticated');
  assertProblem(await api('POST', '/job-fairs', { token: volunteer.token, body: fairBody() }), 403, 'forbidden');

  const res = await api('POST', '/job-fairs', {
    token: staff.token,
    body: fairBody({ unit_id: street.id, starts_at: '2031-02-20 09:30', ends_at: '2031-02-20T11:45:30+08:00' }),
  });
  const f = assertJson(res, 201);
  assert.equal(res.headers.get('location'), `/api/v1/job-fairs/${f.id}`);
  assert.equal(res.headers.get('etag'), '"1"');
  assert.equal(f.status, 'draft');
  assert.equal(f.unit_id, street.id);
  assert.equal(f.starts_at, '2031-02-20T09:30:00+08:00');
  assert.equal(f.ends_at, '2031-02-20T11:45:30+08:00');
  assert.equal(f.seeker_capacity, 10);
  assert.deepEqual([f.registered_count, f.waitlisted_count, f.checked_in_count, f.places_left], [0, 0, 0, 10]);
  assert.equal(f.kind_label, '餐饮服务专场');
  // A staff member's own unit is the default.
  const own = await createFair(staff.token, {}, { publish: false });
  assert.equal(own.unit_id, town.id);
});

test('a draft is seen only within its subtree; published fairs by everyone', async () => {
  const draft = await createFair(staff.token, { title: '草稿招聘会' }, { publish: false });
  assertProblem(await api('GET', `/job-fairs/${draft.id}`), 404, 'not_found');
  assertProblem(await api('GET', `/job-fairs/${draft.id}`, { token: otherStaff.token }), 404, 'not_found');
  assert.equal((await getFair(draft.id, staff.token)).status, 'draft');
  assert.equal((await getFair(draft.id, admin)).status, 'draft');

  const pub = await patchFair(staff.token, draft, { status: 'published' });
  assert.equal(pub.status, 'published');
  assert.equal(pub.version, 2);
  assert.equal((await getFair(draft.id)).title, '草稿招聘会');

  const list = await api('GET', `/job-fairs?unit_id=${town.id}&limit=200`);
  assertJson(list, 200);
  assert.ok(list.json.items.some((f) => f.id === pub.id), 'the published fair is listed publicly');
  assert.ok(list.json.items.every((f) => f.status === 'published'), 'the public sees published fairs only');
  const hidden = await createFair(staff.token, { title: '另一个草稿' }, { publish: false });
  const mine = await api('GET', `/job-fairs?status=draft&unit_id=${town.id}&limit=200`, { token: staff.token });
  assert.ok(mine.json.items.some((f) => f.id === hidden.id), 'staff see their drafts');
  const theirs = await api('GET', `/job-fairs?status=draft&unit_id=${town.id}&limit=200`, { token: otherStaff.token });
  assert.ok(!theirs.json.items.some((f) => f.id === hidden.id), 'not another subtree\'s drafts');
  assertFieldErrors(await api('GET', '/job-fairs?status=open&kind=x&unit_id=abc'),
    [['status', 'enum'], ['kind', 'enum'], ['unit_id', 'type']]);
});

test('PATCH needs If-Match; draft → published → closed only; a closed fair stays as it is', async () => {
  const f = await createFair(staff.token, {}, { publish: false });
  assertProblem(await api('PATCH', `/job-fairs/${f.id}`, { token: staff.token, body: { title: '新名称' } }),
    428, 'precondition_required');
  assertProblem(await api('PATCH', `/job-fairs/${f.id}`, {
    token: staff.token, body: { title: '新名称' }, headers: { 'If-Match': '"9"' },
  }), 412, 'precondition_failed');
  const skip = await api('PATCH', `/job-fairs/${f.id}`, {
    token: staff.token, body: { status: 'closed' }, headers: { 'If-Match': '"1"' },
  });
  assertProblem(skip, 409, 'illegal_transition');
  assert.match(skip.json.detail, /未发布/);
  assertFieldErrors(await api('PATCH', `/job-fairs/${f.id}`, {
    token: staff.token, body: { ends_at: '2031-02-20T08:00' }, headers: { 'If-Match': '"1"' },
  }), [['ends_at', 'out_of_range']], { exact: true });
  assertProblem(await api('PATCH', `/job-fairs/${f.id}`, {
    token: otherStaff.token, body: { title: 'x' }, headers: { 'If-Match': '"1"' },
  }), 404, 'not_found');

  const renamed = await patchFair(staff.token, f, { title: '改名后的招聘会', venue: '新地点' });
  assert.equal(renamed.title, '改名后的招聘会');
  assert.equal(renamed.version, 2);
  const pub = await patchFair(staff.token, renamed, { status: 'published' });
  // Seen by all now, but changed only within its subtree.
  assertProblem(await api('PATCH', `/job-fairs/${f.id}`, {
    token: otherStaff.token, body: { title: 'x' }, headers: { 'If-Match': `"${pub.version}"` },
  }), 403, 'forbidden');
  const back = await api('PATCH', `/job-fairs/${f.id}`, {
    token: staff.token, body: { status: 'draft' }, headers: { 'If-Match': `"${pub.version}"` },
  });
  assertProblem(back, 409, 'illegal_transition');
  const closed = await patchFair(staff.token, pub, { status: 'closed' });
  assert.equal(closed.status, 'closed');
  assertProblem(await api('PATCH', `/job-fairs/${f.id}`, {
    token: staff.token, body: { title: 'x' }, headers: { 'If-Match': `"${closed.version}"` },
  }), 409, 'fair_closed');
  // A closed fair is still shown (an old link works), but takes no one.
  assert.equal((await getFair(f.id)).status_label, '已结束');
});

test('a draft or closed fair refuses sign-ups with 409 and says why in Chinese', async () => {
  const draft = await createFair(staff.token, {}, { publish: false });
  // To the public a draft does not exist: the answer for no fair at all.
  const hidden = await signUp(draft.id);
  const missing = await signUp(999999999);
  assertProblem(hidden, 404, 'not_found');
  assert.equal(hidden.text, missing.text);
  // Those who see it are told why.
  const r1 = await signUp(draft.id, {}, { token: volunteer.token });
  assertProblem(r1, 409, 'fair_not_open');
  assert.match(r1.json.detail, /尚未发布/);
  const pub = await patchFair(staff.token, draft, { status: 'published' });
  await patchFair(staff.token, pub, { status: 'closed' });
  const r2 = await signUp(draft.id);
  assertProblem(r2, 409, 'fair_not_open');
  assert.match(r2.json.detail, /报名已结束/);
  assertProblem(await signUp(999999999), 404, 'not_found');
  assert.equal((await getFair(draft.id)).registered_count, 0);
});

test('sign-up: every bad field at once; hardship family is asked of students only', async () => {
  const f = await createFair(staff.token);
  const res = await api('POST', `/job-fairs/${f.id}/registrations`, {
    body: { name: '', phone: '12345678901', id_number: badChecksum(idNumber()), kind: 'retired', wanted: 'x'.repeat(101), note: 'x' },
  });
  assertFieldErrors(res, [
    ['name', 'required'], ['phone', 'format'], ['id_number', 'checksum'], ['kind', 'enum'],
    ['wanted', 'too_long'], ['note', 'unknown_field'],
  ], { exact: true });
  assertFieldErrors(await signUp(f.id, { kind: 'migrant_worker', hardship_family: true }),
    [['hardship_family', 'out_of_range']], { exact: true });
  assertFieldErrors(await signUp(f.id, { name: '张\u202e三' }), [['name', 'format']], { exact: true });
  const ok = await signUpOk(f.id, { kind: 'student', hardship_family: true, id_number: freshIdNumber(), wanted: '收银' });
  assert.match(ok.code, /^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{8}$/, 'eight characters without look-alikes');
  assert.equal(ok.status, 'registered');
  assert.equal(ok.waitlist_position, null);
});

/* ---- Places and the waitlist --------------------------------------- */

test('30 concurrent sign-ups for 10 places: exactly 10 registered, 20 waitlisted in arrival order', async () => {
  const f = await createFair(staff.token, { seeker_capacity: 10 });
  const answers = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    signUp(f.id, { name: `并发${i}` })));
  for (const a of answers) assert.equal(a.status, 201, show(a));
  const got = answers.map((a) => a.json).sort((a, b) => a.id - b.id);
  const reg = got.filter((g) => g.status === 'registered');
  const wait = got.filter((g) => g.status === 'waitlisted');
  assert.equal(reg.length, 10);
  assert.equal(wait.length, 20);
  // Arrival order is the order the fair's lock served them in, which is
  // id order: the first ten hold the places, the rest queue behind them.
  assert.ok(Math.max(...reg.map((g) => g.id)) < Math.min(...wait.map((g) => g.id)));
  assert.deepEqual(wait.map((g) => g.waitlist_position), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.equal(new Set(got.map((g) => g.code)).size, 30, 'every code differs');

  const fair = await getFair(f.id);
  assert.deepEqual([fair.registered_count, fair.waitlisted_count, fair.places_left], [10, 20, 0]);
  const list = await registrations(staff.token, f.id);
  assert.deepEqual(list.map((g) => g.id), got.map((g) => g.id));
  assert.deepEqual(list.map((g) => g.status), got.map((g) => g.status));
  assert.deepEqual(list.filter((g) => g.status === 'waitlisted').map((g) => g.waitlist_position),
    Array.from({ length: 20 }, (_, i) => i + 1));

  // One more, sent after the others: last in the queue.
  const late = await signUpOk(f.id);
  assert.equal(late.status, 'waitlisted');
  assert.equal(late.waitlist_position, 21);
});

test('cancelling promotes exactly the oldest waitlisted; twice, or a waitlisted one, promotes nobody', async () => {
  const f = await createFair(staff.token, { seeker_capacity: 2 });
  const a = await signUpOk(f.id, { name: '甲' });
  const b = await signUpOk(f.id, { name: '乙' });
  const w = [];
  for (const n of ['丙', '丁', '戊', '己']) w.push(await signUpOk(f.id, { name: n }));
  assert.deepEqual(w.map((x) => [x.status, x.waitlist_position]),
    [['waitlisted', 1], ['waitlisted', 2], ['waitlisted', 3], ['waitlisted', 4]]);

  // Cancel a registered one (code typed in lower case): 丙 moves up.
  const c1 = await cancel(f.id, a.code.toLowerCase());
  assertJson(c1, 200);
  assert.equal(c1.json.status, 'cancelled');
  assert.equal((await byCode(f.id, w[0].code)).status, 'registered');
  assert.deepEqual(await Promise.all(w.slice(1).map(async (x) => (await byCode(f.id, x.code)).waitlist_position)), [1, 2, 3]);
  let fair = await getFair(f.id);
  assert.deepEqual([fair.registered_count, fair.waitlisted_count], [2, 3]);

  // The same cancel again changes nothing.
  const c2 = await cancel(f.id, a.code);
  assertJson(c2, 200);
  assert.equal(c2.json.status, 'cancelled');
  fair = await getFair(f.id);
  assert.deepEqual([fair.registered_count, fair.waitlisted_count], [2, 3]);
  assert.equal((await byCode(f.id, w[1].code)).status, 'waitlisted');

  // Cancelling a waitlisted one (戊, second in line now) frees no place:
  // nobody moves up, and 己 moves ahead in the queue.
  const c3 = await cancel(f.id, w[2].code);
  assert.equal(c3.json.status, 'cancelled');
  fair = await getFair(f.id);
  assert.deepEqual([fair.registered_count, fair.waitlisted_count], [2, 2]);
  assert.equal((await byCode(f.id, w[1].code)).waitlist_position, 1);
  assert.equal((await byCode(f.id, w[3].code)).waitlist_position, 2);
  assert.equal((await byCode(f.id, b.code)).status, 'registered');

  assertProblem(await cancel(f.id, 'ABCDEFGH'), 404, 'not_found');
  const other = await createFair(staff.token);
  assertProblem(await cancel(other.id, b.code), 404, 'not_found');
  // No QR for a cancelled registration.
  assertProblem(await api('GET', `/job-fairs/${f.id}/registrations/${a.code}/qr.svg`), 404, 'not_found');
});

test('raising seeker_capacity promotes in order; lowering it below the registered is 409', async () => {
  let f = await createFair(staff.token, { seeker_capacity: 3 });
  const all = [];
  for (let i = 0; i < 8; i++) all.push(await signUpOk(f.id, { name: `排队${i}` }));
  assert.deepEqual(all.map((x) => x.status), [...Array(3).fill('registered'), ...Array(5).fill('waitlisted')]);

  const low = await api('PATCH', `/job-fairs/${f.id}`, {
    token: staff.token, body: { seeker_capacity: 2 }, headers: { 'If-Match': `"${f.version}"` },
  });
  assertProblem(low, 409, 'capacity_below_registered');
  assert.match(low.json.detail, /已有 3 人报名/);
  f = await getFair(f.id);
  assert.equal(f.seeker_capacity, 3);

  f = await patchFair(staff.token, f, { seeker_capacity: 5 });
  assert.deepEqual([f.registered_count, f.waitlisted_count], [5, 3]);
  const states = await Promise.all(all.map((x) => byCode(f.id, x.code)));
  assert.deepEqual(states.map((s) => s.status), [...Array(5).fill('registered'), ...Array(3).fill('waitlisted')]);
  assert.deepEqual(states.slice(5).map((s) => s.waitlist_position), [1, 2, 3]);

  // Lowering to exactly the registered is fine; more than everyone
  // empties the queue.
  f = await patchFair(staff.token, f, { seeker_capacity: 5, title: '名额不变' });
  f = await patchFair(staff.token, f, { seeker_capacity: 100 });
  assert.deepEqual([f.registered_count, f.waitlisted_count, f.places_left], [8, 0, 92]);
});

test('under any interleaving of sign-ups, cancels and capacity changes, places are never exceeded', async () => {
  let f = await createFair(staff.token, { seeker_capacity: 5 });
  const first = [];
  for (let i = 0; i < 12; i++) first.push(await signUpOk(f.id, { name: `交错${i}` }));
  // All at once: 8 cancels (registered and waitlisted), 12 new sign-ups,
  // 6 check-ins, and a raise of capacity to 7.
  const ops = [
    ...first.slice(0, 8).map((x) => cancel(f.id, x.code)),
    ...Array.from({ length: 12 }, (_, i) => signUp(f.id, { name: `后来${i}` })),
    ...first.slice(8).map((x) => checkIn(volunteer.token, f.id, x.code)),
    api('PATCH', `/job-fairs/${f.id}`, { token: staff.token, body: { seeker_capacity: 7 }, headers: { 'If-Match': `"${f.version}"` } }),
  ];
  const res = await Promise.all(ops);
  for (const r of res.slice(0, 20)) assert.ok(r.status === 200 || r.status === 201, show(r));
  f = await getFair(f.id);
  assert.equal(f.seeker_capacity, 7);
  const list = await registrations(staff.token, f.id);
  const reg = list.filter((g) => g.status === 'registered');
  const wait = list.filter((g) => g.status === 'waitlisted');
  assert.equal(list.filter((g) => g.status === 'cancelled').length, 8);
  // Full while anyone waits, and the registered are never more than the
  // places; the queue is in id order.
  assert.equal(reg.length, Math.min(7, reg.length + wait.length));
  assert.equal(f.registered_count, reg.length);
  assert.deepEqual(wait.map((g) => g.waitlist_position), wait.map((_, i) => i + 1));
  // Nobody holds a place while someone who signed up earlier still waits:
  // a free place goes to the queue first, oldest first.
  if (wait.length > 0) {
    assert.ok(Math.max(...reg.map((g) => g.id)) < Math.min(...wait.map((g) => g.id)), JSON.stringify(list));
  }
  const stored = sql(`SELECT COUNT(*) FROM fair_registrations WHERE fair_id = ${f.id} AND status = 'registered'`);
  assert.equal(Number(stored[0][0]), reg.length);
  assert.ok(reg.length <= 7);
});

test('the same phone twice at one fair is 409 without the first code; after a cancel it may sign up again', async () => {
  const f = await createFair(staff.token);
  const phone = freshPhone();
  const first = await signUpOk(f.id, { phone });
  const again = await signUp(f.id, { phone, name: '另一个名字' });
  assertProblem(again, 409, 'phone_registered');
  assert.ok(!again.text.includes(first.code), 'the first code is not revealed');
  assert.ok(!again.text.includes(phone), 'nor the phone');
  // Another fair takes the same phone.
  const g = await createFair(staff.token);
  await signUpOk(g.id, { phone });
  await cancel(f.id, first.code);
  const back = await signUpOk(f.id, { phone });
  assert.notEqual(back.code, first.code);
});

test('a sign-up repeated with its Idempotency-Key answers the same code', async () => {
  const f = await createFair(staff.token);
  const key = randomUUID();
  const body = signupBody();
  const one = await api('POST', `/job-fairs/${f.id}/registrations`, { body, headers: { 'Idempotency-Key': key } });
  assert.equal(one.status, 201, show(one));
  const two = await api('POST', `/job-fairs/${f.id}/registrations`, { body, headers: { 'Idempotency-Key': key } });
  assert.equal(two.status, 201);
  assert.equal(two.headers.get('idempotent-replayed'), 'true');
  assert.equal(two.text, one.text);
  assert.equal((await getFair(f.id)).registered_count, 1);
});

/* ---- Check-in ------------------------------------------------------ */

test('check-in: idempotent with the first time, tolerant of case and spaces; waitlisted 409; other fair 404', async () => {
  const f = await createFair(staff.token, { seeker_capacity: 1, unit_id: street.id });
  const phone = freshPhone();
  const a = await signUpOk(f.id, { name: '欧阳春花', phone });
  const w = await signUpOk(f.id, { name: '候补者' });
  assert.equal(w.status, 'waitlisted');

  const typed = ` ${a.code.slice(0, 4).toLowerCase()} ${a.code.slice(4)} `;
  const one = await checkIn(volunteer.token, f.id, typed);
  assertJson(one, 200);
  assert.equal(one.json.already, false);
  assert.match(one.json.checked_in_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  assert.equal(one.json.registration.name, '欧**花', 'the name masked');
  assert.equal(one.json.registration.phone, maskPhone(phone));
  assert.equal(one.json.registration.status, 'registered');
  assert.ok(!one.text.includes(phone));

  const two = await checkIn(staff.token, f.id, a.code);
  assertJson(two, 200);
  assert.equal(two.json.already, true);
  assert.equal(two.json.checked_in_at, one.json.checked_in_at, 'the first time, not now');
  assert.equal((await getFair(f.id)).checked_in_count, 1);

  const waiting = await checkIn(volunteer.token, f.id, w.code);
  assertProblem(waiting, 409, 'waitlisted');
  assert.match(waiting.json.detail, /候补/);
  const other = await createFair(staff.token);
  const o = await signUpOk(other.id);
  assertProblem(await checkIn(volunteer.token, f.id, o.code), 404, 'not_found');
  assertProblem(await checkIn(volunteer.token, f.id, 'ABCDEFGH'), 404, 'not_found');
  assertFieldErrors(await checkIn(volunteer.token, f.id, 'ABC'), [['code', 'format']], { exact: true });
  assertFieldErrors(await checkIn(volunteer.token, f.id, 'ABCDEFG0'), [['code', 'format']], { exact: true });
  assertFieldErrors(await api('POST', `/job-fairs/${f.id}/check-ins`, { token: volunteer.token, body: {} }),
    [['code', 'required']], { exact: true });
  assertProblem(await checkIn(otherVolunteer.token, f.id, a.code), 403, 'forbidden');
  assertProblem(await checkIn(null, f.id, a.code), 401, 'unauthenticated');

  // Checked in: the place is taken for good.
  const late = await cancel(f.id, a.code);
  assertProblem(late, 409, 'checked_in');
  assert.equal((await byCode(f.id, w.code)).status, 'waitlisted');
  const cancelled = await signUpOk(other.id);
  await cancel(other.id, cancelled.code);
  assertProblem(await checkIn(volunteer.token, other.id, cancelled.code), 409, 'cancelled');
  // A draft has nobody to check in.
  const draft = await createFair(staff.token, {}, { publish: false });
  assertProblem(await checkIn(volunteer.token, draft.id, a.code), 409, 'fair_not_open');
});

test('the registration by code shows only the masked name and phone', async () => {
  const f = await createFair(staff.token);
  const phone = freshPhone();
  const idn = freshIdNumber();
  const a = await signUpOk(f.id, { name: '王小明', phone, id_number: idn });
  const res = await api('GET', `/job-fairs/${f.id}/registrations/${a.code}`);
  const g = assertJson(res, 200);
  assert.deepEqual(Object.keys(g).sort(), ['checked_in_at', 'fair_id', 'hardship_family', 'id', 'kind', 'name',
    'phone', 'status', 'status_label', 'waitlist_position']);
  assert.equal(g.name, '王*明');
  assert.equal(g.phone, maskPhone(phone));
  assert.ok(!res.text.includes(idn.slice(6, 14)));
  assertProblem(await api('GET', `/job-fairs/${f.id}/registrations/NOTACODE`), 404, 'not_found');
});

/* ---- Staff's list -------------------------------------------------- */

test('staff see registrations masked; other subtrees and volunteers do not', async () => {
  const f = await createFair(staff.token, { unit_id: street.id });
  const phone = freshPhone();
  const idn = freshIdNumber();
  await signUpOk(f.id, { name: '赵大', phone, id_number: idn, kind: 'student', hardship_family: true, wanted: '电工' });
  const res = await api('GET', `/job-fairs/${f.id}/registrations`, { token: staff.token });
  assertJson(res, 200);
  const [g] = res.json.items;
  assert.equal(g.name, '赵大');
  assert.equal(g.phone, maskPhone(phone));
  assert.equal(g.id_number, maskId(idn));
  assert.equal(g.hardship_family, true);
  assert.equal(g.wanted, '电工');
  assert.ok(!res.text.includes(phone) && !res.text.includes(idn));
  const byName = await api('GET', `/job-fairs/${f.id}/registrations?q=${encodeURIComponent('赵')}&status=registered`, { token: admin });
  assert.equal(byName.json.items.length, 1);
  assertProblem(await api('GET', `/job-fairs/${f.id}/registrations`, { token: otherStaff.token }), 403, 'forbidden');
  assertProblem(await api('GET', `/job-fairs/${f.id}/registrations`, { token: volunteer.token }), 403, 'forbidden');
  assertProblem(await api('GET', `/job-fairs/${f.id}/registrations`), 401, 'unauthenticated');
  assertFieldErrors(await api('GET', `/job-fairs/${f.id}/registrations?status=gone`, { token: staff.token }),
    [['status', 'enum']]);
});

/* ---- Employers ----------------------------------------------------- */

test('employers sign up with 1–50 positions; one per credit code; the public never sees a contact', async () => {
  const f = await createFair(staff.token);
  const path = `/job-fairs/${f.id}/employers`;
  const bad = await api('POST', path, {
    body: employerBody({
      credit_code: '91320400MA1MB7R3X0', contact_phone: '1234',
      positions: [
        { title: '', kind: 'boss', headcount: 0 },
        { title: '收银员', kind: 'work_study', headcount: 2, wage_min: '3000', wage_max: '2999.99' },
        { title: '帮工', kind: 'social_practice', headcount: 1, wage_min: '12.345' },
      ],
    }),
  });
  assertFieldErrors(bad, [
    ['credit_code', 'checksum'], ['contact_phone', 'format'], ['positions[0].title', 'required'],
    ['positions[0].kind', 'enum'], ['positions[0].headcount', 'out_of_range'],
    ['positions[1].wage_max', 'out_of_range'], ['positions[2].wage_min', 'decimals'],
  ], { exact: true });
  assertFieldErrors(await api('POST', path, { body: employerBody({ positions: [] }) }), [['positions', 'too_few']]);
  const many = Array.from({ length: 51 }, (_, i) => ({ title: `岗位${i}`, kind: 'regular', headcount: 1 }));
  assertFieldErrors(await api('POST', path, { body: employerBody({ positions: many }) }), [['positions', 'too_many']]);

  const body = employerBody({
    name: '常州爱心纺织有限公司', contact_name: '陈主任', caring: true,
    positions: [
      { title: '寒假理货员', kind: 'work_study', headcount: 3, wage_min: 2000, wage_max: '2800.5' },
      { title: '车间普工', kind: 'regular', headcount: 20 },
    ],
  });
  const res = await api('POST', path, { body });
  const e = assertJson(res, 201);
  assert.equal(res.headers.get('location'), `/api/v1/job-fairs/${f.id}/employers/${e.id}`);
  assert.equal(e.contact_phone, maskPhone(body.contact_phone));
  assert.deepEqual(e.positions.map((p) => [p.title, p.kind, p.headcount, p.wage_min, p.wage_max]), [
    ['寒假理货员', 'work_study', 3, '2000.00', '2800.50'],
    ['车间普工', 'regular', 20, null, null],
  ]);
  const dup = await api('POST', path, { body: employerBody({ credit_code: body.credit_code }) });
  assertProblem(dup, 409, 'employer_registered');

  const pub = await api('GET', path);
  assertJson(pub, 200);
  const [item] = pub.json.items;
  assert.equal(item.name, '常州爱心纺织有限公司');
  assert.equal(item.caring, true);
  assert.equal(item.positions.length, 2);
  assert.equal(item.positions[0].wage_max, '2800.50');
  for (const s of [body.contact_phone, maskPhone(body.contact_phone), body.contact_phone.slice(-4), '陈主任']) {
    assert.ok(!pub.text.includes(s), `the public list holds ${s}`);
  }
  assert.ok(!('contact_name' in item) && !('contact_phone' in item) && !('credit_code' in item));
  const one = await api('GET', `${path}/${e.id}`);
  assert.ok(!one.text.includes('陈主任') && !one.text.includes(body.contact_phone.slice(-4)));

  const forStaff = await api('GET', path, { token: staff.token });
  assert.equal(forStaff.json.items[0].contact_name, '陈主任');
  assert.equal(forStaff.json.items[0].contact_phone, maskPhone(body.contact_phone));
  const full = await api('GET', `${path}/${e.id}`, { token: staff.token });
  assert.equal(full.json.contact_phone, body.contact_phone, 'one record, for staff of the subtree: in full');
  const otherView = await api('GET', `${path}/${e.id}`, { token: otherStaff.token });
  assert.ok(!otherView.text.includes(body.contact_phone.slice(-4)) && !('contact_name' in otherView.json));
  assertProblem(await api('GET', `${path}/999999999`), 404, 'not_found');
});

test('employers: a draft takes only staff sign-ups, a closed fair none', async () => {
  const draft = await createFair(staff.token, {}, { publish: false });
  // The public does not see a draft: the answer for no fair at all.
  const anon = await api('POST', `/job-fairs/${draft.id}/employers`, { body: employerBody() });
  const missing = await api('POST', '/job-fairs/999999999/employers', { body: employerBody() });
  assertProblem(anon, 404, 'not_found');
  assert.equal(anon.text, missing.text);
  // A volunteer of its subtree sees it, but does not manage it.
  const vol = await api('POST', `/job-fairs/${draft.id}/employers`, { token: volunteer.token, body: employerBody() });
  assertProblem(vol, 409, 'fair_not_open');
  assert.match(vol.json.detail, /尚未发布/);
  const byStaff = await api('POST', `/job-fairs/${draft.id}/employers`, { token: staff.token, body: employerBody() });
  assert.equal(byStaff.status, 201, show(byStaff));
  const pub = await patchFair(staff.token, draft, { status: 'published' });
  await patchFair(staff.token, pub, { status: 'closed' });
  const late = await api('POST', `/job-fairs/${draft.id}/employers`, { token: staff.token, body: employerBody() });
  assertProblem(late, 409, 'fair_not_open');
  assert.match(late.json.detail, /已结束/);
});

/* ---- Placements ---------------------------------------------------- */

test('placements: only registered people, positions of this fair, within headcount, once each', async () => {
  // A fair that is over: its staff enter what happened there.
  const f = await createFair(staff.token, { seeker_capacity: 2, starts_at: '2023-03-01T09:00', ends_at: '2023-03-01T16:00' });
  const a = await signUpOk(f.id, { kind: 'student', hardship_family: true }, { token: staff.token });
  const b = await signUpOk(f.id, {}, { token: staff.token });
  const w = await signUpOk(f.id, {}, { token: staff.token });
  const e = (await api('POST', `/job-fairs/${f.id}/employers`, {
    token: staff.token,
    body: employerBody({ positions: [{ title: '勤工俭学岗', kind: 'work_study', headcount: 1 }, { title: '普工', kind: 'regular', headcount: 5 }] }),
  })).json;
  const [ws, reg] = e.positions;
  const other = await createFair(staff.token);
  const oe = (await api('POST', `/job-fairs/${other.id}/employers`, { body: employerBody() })).json;
  const path = `/job-fairs/${f.id}/placements`;
  const place = (body, token = staff.token) => api('POST', path, { token, body });
  const base = { registration_id: a.id, employer_id: e.id, position_id: ws.id, placed_on: '2023-03-02' };

  assertFieldErrors(await place({ ...base, registration_id: 0, placed_on: '2023-02-30' }),
    [['registration_id', 'out_of_range'], ['placed_on', 'date']]);
  assertFieldErrors(await place({ ...base, employer_id: oe.id }), [['employer_id', 'unknown']], { exact: true });
  assertFieldErrors(await place({ ...base, position_id: oe.positions[0].id }), [['position_id', 'unknown']], { exact: true });
  const otherReg = await signUpOk(other.id);
  assertFieldErrors(await place({ ...base, registration_id: otherReg.id }), [['registration_id', 'unknown']], { exact: true });
  assertFieldErrors(await place({ ...base, placed_on: '2023-02-28' }), [['placed_on', 'out_of_range']], { exact: true });
  assertFieldErrors(await place({ ...base, placed_on: '2099-01-01' }), [['placed_on', 'out_of_range']], { exact: true });
  assertProblem(await place({ ...base, registration_id: w.id }), 409, 'not_registered');
  assertProblem(await place(base, otherStaff.token), 403, 'forbidden');
  assertProblem(await place(base, volunteer.token), 403, 'forbidden');

  const res = await place(base);
  const p = assertJson(res, 201);
  assert.equal(p.registration_id, a.id);
  assert.equal(p.position_title, '勤工俭学岗');
  assert.equal(p.position_kind, 'work_study');
  assert.equal(p.seeker_kind, 'student');
  assert.equal(p.placed_on, '2023-03-02');
  assertProblem(await place(base), 409, 'position_full');
  assertProblem(await place({ ...base, registration_id: b.id }), 409, 'position_full');
  await place({ ...base, position_id: reg.id });
  assertProblem(await place({ ...base, position_id: reg.id }), 409, 'already_placed');
  // A placed person cannot cancel (the placement would count for nobody).
  assertProblem(await cancel(f.id, a.code), 409, 'placed');

  const list = await api('GET', path, { token: staff.token });
  assertJson(list, 200);
  assert.deepEqual(list.json.items.map((x) => x.position_title), ['普工', '勤工俭学岗']);
  const emp = await api('GET', `/job-fairs/${f.id}/employers/${e.id}`);
  assert.deepEqual(emp.json.positions.map((x) => x.placed), [1, 1]);
});

/* ---- At rest ------------------------------------------------------- */

test('a database dump holds no phone, ID number or code of a fair', async () => {
  const f = await createFair(staff.token);
  const phone = freshPhone();
  const idn = freshIdNumber();
  const contact = freshPhone();
  const key = randomUUID();
  const res = await api('POST', `/job-fairs/${f.id}/registrations`, {
    body: signupBody({ phone, id_number: idn }), headers: { 'Idempotency-Key': key },
  });
  assert.equal(res.status, 201, show(res));
  const { code } = res.json;
  // Answer headers are stored with an idempotent answer: no code there.
  assert.equal(res.headers.get('location'), `/api/v1/job-fairs/${f.id}/registrations`);
  await api('POST', `/job-fairs/${f.id}/employers`, { body: employerBody({ contact_phone: contact }) });
  for (const d of [dump(), dump({ hex: true })]) {
    for (const s of [phone, phone.slice(3), idn, idn.slice(6, 14), contact, contact.slice(3), code]) {
      assert.ok(!d.includes(s), `the dump holds ${s}`);
    }
  }
  const [[plen, ilen]] = sql(`SELECT LENGTH(phone_enc), LENGTH(id_number_enc) FROM fair_registrations WHERE id = ${res.json.id}`);
  assert.ok(Number(plen) > 11 && Number(ilen) > 18, 'sealed values are stored');
});
