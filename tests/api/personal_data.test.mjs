// Personal data at rest (API.md v1.1 "Personal data", docs/personal-data.md):
// ID numbers and phones are sealed in the database, found again through a
// blind index, and shown in full only to the people allowed to see them.
//
// What is stored is read the way an attacker with a backup would: with
// mariadb-dump over the instance's socket.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  adminToken, api, assertFieldErrors, assertJson, assertProblem, createUnit, createUser,
  seededUnits, show,
} from './lib.mjs';
import { badChecksum, caseBody, maskId, maskPhone } from './wage_lib.mjs';
import { dump, freshIdNumber, freshPhone, sql } from './db_lib.mjs';

let admin;
let townA; // with a street under it
let streetA;
let townB;
let staffA;
let staffB;
let volA;

before(async () => {
  admin = await adminToken();
  const { district } = await seededUnits();
  townA = await createUnit({ kind: 'town', name: '隐私测试甲镇', parent_id: district.id }, { token: admin });
  streetA = await createUnit({ kind: 'street', name: '隐私测试甲街道', parent_id: townA.id }, { token: admin });
  townB = await createUnit({ kind: 'town', name: '隐私测试乙镇', parent_id: district.id }, { token: admin });
  staffA = await createUser({ role: 'staff', unit_id: townA.id }, { signIn: true });
  staffB = await createUser({ role: 'staff', unit_id: townB.id }, { signIn: true });
  volA = await createUser({ role: 'volunteer', unit_id: townA.id }, { signIn: true });
});

async function file(token, over, headers = {}) {
  const res = await api('POST', '/wage-cases', { token, body: caseBody(over), headers });
  assert.equal(res.status, 201, show(res));
  return res;
}

/* Values whose digits must never be at rest: the whole value and the
 * masked middle, with enough context not to match by chance. */
function secretsOf(idn, ph) {
  return [
    idn, idn.slice(6, 14), idn.slice(0, 14), idn.slice(6),
    ph, ph.slice(0, 7), ph.slice(3),
  ];
}

test('a database dump holds no ID number, phone or tracking code; the API still shows them', async () => {
  const ids = [freshIdNumber(), freshIdNumber()];
  const phones = [freshPhone(), freshPhone(), freshPhone()];
  // Staff intake, and an anonymous one with an Idempotency-Key, as the
  // pages send it: its stored answer holds the tracking code.
  const staffRes = await file(staffA.token, {
    unit_id: streetA.id,
    reporter: { name: '王五', phone: phones[0] },
    workers: [
      { name: '李四', id_number: ids[0], phone: phones[1], amount_owed: '1500.00' },
      { name: '赵六', id_number: ids[1].replace('X', 'x'), amount_owed: '800.50' },
    ],
  });
  const key = randomUUID();
  const anonRes = await file(null, {
    unit_id: townA.id,
    reporter: { name: '钱七', phone: phones[2] },
    workers: [{ name: '钱七', id_number: ids[0], amount_owed: '300' }],
  }, { 'Idempotency-Key': key });
  const code = anonRes.json.tracking_code;
  const staffCode = staffRes.json.tracking_code;

  const text = dump();
  const hex = dump({ hex: true });
  for (const d of [text, hex]) {
    for (let i = 0; i < 2; i++) {
      for (const s of secretsOf(ids[i], phones[i + 1])) {
        assert.ok(!d.includes(s), `the dump holds ${s}`);
      }
    }
    for (const s of [phones[0], phones[2], phones[0].slice(3), phones[2].slice(3)]) {
      assert.ok(!d.includes(s), `the dump holds ${s}`);
    }
    assert.ok(!d.includes(code) && !d.includes(staffCode), 'the dump holds a tracking code');
    assert.ok(!d.includes(key), 'the dump holds an Idempotency-Key');
  }
  // The sealed columns are there, each value under a key id.
  const [[n]] = sql(`SELECT COUNT(*) FROM wage_case_workers WHERE case_id = ${staffRes.json.id} ` +
    'AND id_number_enc IS NOT NULL AND id_number_idx IS NOT NULL');
  assert.equal(n, '2');

  // In full for admin and for staff of the owning subtree ...
  for (const token of [admin, staffA.token]) {
    const c = assertJson(await api('GET', `/wage-cases/${staffRes.json.id}`, { token }), 200);
    assert.equal(c.reporter.phone, phones[0]);
    assert.equal(c.workers[0].id_number, ids[0]);
    assert.equal(c.workers[0].phone, phones[1]);
    assert.equal(c.workers[1].id_number, ids[1].toUpperCase(), 'x stored as X');
    assert.equal(c.workers[1].phone, null);
  }
  // ... masked in lists and for staff who may not see them in full.
  const list = assertJson(await api('GET', `/wage-cases?unit_id=${streetA.id}`, { token: admin }), 200);
  const row = list.items.find((i) => i.id === staffRes.json.id);
  assert.equal(row.reporter.phone, maskPhone(phones[0]));
  // A replay of the anonymous intake is byte for byte the first answer.
  const again = await api('POST', '/wage-cases', {
    body: caseBody({
      unit_id: townA.id,
      reporter: { name: '钱七', phone: phones[2] },
      workers: [{ name: '钱七', id_number: ids[0], amount_owed: '300' }],
    }),
    headers: { 'Idempotency-Key': key },
  });
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.text, anonRes.text);
});

test('a volunteer sees the records they entered masked', async () => {
  const idn = freshIdNumber();
  const ph = freshPhone();
  const res = await file(volA.token, { workers: [{ name: '孙八', id_number: idn, phone: ph, amount_owed: 10 }] });
  const c = assertJson(await api('GET', `/wage-cases/${res.json.id}`, { token: volA.token }), 200);
  assert.equal(c.workers[0].id_number, maskId(idn));
  assert.equal(c.workers[0].phone, maskPhone(ph));
});

test('one person, one file: other_cases across units, limited to what the caller may see', async () => {
  const idn = freshIdNumber();
  const w = (name) => [{ name, id_number: idn, amount_owed: '100.00' }];
  const a1 = (await file(staffA.token, { unit_id: townA.id, workers: w('周九') })).json.id;
  const a2 = (await file(staffA.token, { unit_id: streetA.id, workers: [...w('周九'), { name: '吴十', amount_owed: 5 }] })).json.id;
  const b1 = (await file(staffB.token, { unit_id: townB.id, workers: w('周九') })).json.id;
  const refs = {};
  for (const id of [a1, a2, b1]) {
    refs[id] = assertJson(await api('GET', `/wage-cases/${id}`, { token: admin }), 200).reference;
  }

  // The admin sees every other case; each entry is {id, reference, status}.
  const byAdmin = assertJson(await api('GET', `/wage-cases/${a1}`, { token: admin }), 200);
  assert.deepEqual(byAdmin.workers[0].other_cases,
    [b1, a2].map((id) => ({ id, reference: refs[id], status: 'received' })));
  // Staff of town A: only the cases of their subtree.
  const byA = assertJson(await api('GET', `/wage-cases/${a1}`, { token: staffA.token }), 200);
  assert.deepEqual(byA.workers[0].other_cases, [{ id: a2, reference: refs[a2], status: 'received' }]);
  const a2byA = assertJson(await api('GET', `/wage-cases/${a2}`, { token: staffA.token }), 200);
  assert.deepEqual(a2byA.workers[0].other_cases.map((o) => o.id), [a1]);
  assert.deepEqual(a2byA.workers[1].other_cases, [], 'a worker without an ID number has none');
  // Staff of town B see nothing of town A through it.
  const byB = assertJson(await api('GET', `/wage-cases/${b1}`, { token: staffB.token }), 200);
  assert.deepEqual(byB.workers[0].other_cases, []);

  // The search by full ID number finds the same, scoped the same way.
  const search = async (token) => {
    const r = await api('GET', `/wage-cases?id_number=${idn}`, { token });
    return assertJson(r, 200).items.map((i) => i.id);
  };
  assert.deepEqual(await search(admin), [b1, a2, a1]);
  assert.deepEqual(await search(staffA.token), [a2, a1]);
  assert.deepEqual(await search(staffB.token), [b1]);
  // Spaces around and a lower-case x are the same number.
  const spaced = await api('GET', `/wage-cases?id_number=${encodeURIComponent(` ${idn.toLowerCase()} `)}`,
    { token: admin });
  assert.deepEqual(assertJson(spaced, 200).items.map((i) => i.id), [b1, a2, a1]);
  // Combined with other filters.
  const r = await api('GET', `/wage-cases?id_number=${idn}&unit_id=${streetA.id}`, { token: admin });
  assert.deepEqual(assertJson(r, 200).items.map((i) => i.id), [a2]);

  // Every search is audited, with the number masked.
  const rows = sql("SELECT after_json FROM audit_log WHERE action = 'wage_case.search_id_number' " +
    `AND user_id = ${staffB.user.id}`);
  assert.ok(rows.length >= 1, 'the search is in the audit log');
  const logged = JSON.parse(rows.at(-1)[0]);
  assert.equal(logged.id_number, maskId(idn));
  assert.equal(logged.found, 1);
  assert.ok(!rows.some(([j]) => j.includes(idn)), 'never the full number');
});

test('searching by ID number: staff only, and a bad number names the field', async () => {
  const idn = freshIdNumber();
  assertProblem(await api('GET', `/wage-cases?id_number=${idn}`, { token: volA.token }), 403, 'forbidden');
  assertFieldErrors(await api('GET', `/wage-cases?id_number=${badChecksum(idn)}`, { token: admin }),
    [['id_number', 'checksum']]);
  assertFieldErrors(await api('GET', '/wage-cases?id_number=12345', { token: staffA.token }),
    [['id_number', 'format']]);
  // Nobody has it: an empty page, not an error.
  const none = await api('GET', `/wage-cases?id_number=${idn}`, { token: admin });
  assert.deepEqual(assertJson(none, 200), { items: [], next_cursor: null });
});

test('a change of phone is audited masked, and the new phone is sealed', async () => {
  const old = freshPhone();
  const neu = freshPhone();
  const res = await file(staffA.token, { unit_id: townA.id, reporter: { name: '郑一', phone: old } });
  const id = res.json.id;
  const patched = await api('PATCH', `/wage-cases/${id}`, {
    token: staffA.token, body: { reporter: { name: '郑一', phone: neu } }, headers: { 'If-Match': '"1"' },
  });
  assert.equal(assertJson(patched, 200).reporter.phone, neu);
  const rows = sql(`SELECT before_json, after_json FROM audit_log WHERE table_name = 'wage_cases' AND record_id = ${id}`);
  const all = rows.flat().join(' ');
  assert.ok(all.includes(maskPhone(neu)) && all.includes(maskPhone(old)), 'the audit shows the masked phones');
  assert.ok(!all.includes(old) && !all.includes(neu), 'and never a full one');
  const d = dump();
  assert.ok(!d.includes(neu) && !d.includes(old));
});
