// What the fuzzers (tests/fuzz/, make fuzz) found, each as the request a
// client could send.  Unit tests pin the functions (test_pii.c,
// test_valid.c); these pin what a caller sees, and under make test-asan
// the worker would report the over-read below.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminToken, api, assertFieldErrors, assertProblem, createUnit, createUser, seededUnits,
} from './lib.mjs';
import { arrive, getRecord, register } from './safe_returns_lib.mjs';

let vol;
before(async () => {
  const admin = await adminToken();
  const { district } = await seededUnits();
  const town = await createUnit({ kind: 'town', name: '模糊测试镇', parent_id: district.id }, { token: admin });
  vol = await createUser({ role: 'volunteer', unit_id: town.id }, { signIn: true });
});

// fuzz_parsers: code_normalize() left the first eight characters of a
// longer code unterminated, and POST /safe-returns/arrivals hashed that
// buffer past its end (stack memory read; the hash depended on whatever
// followed it).
test('an arrival code with characters beyond its eight is unknown, never a read past the buffer', async () => {
  const r = await register(vol.token);
  for (const code of [`${r.arrival_code}A`, `${r.arrival_code}-2345`, 'ABCDEFGHJKMN', 'ABCD2345ABCD2345ABCD2345ABCD2345']) {
    assertProblem(await arrive(code), 404, 'not_found');
  }
  assert.equal((await getRecord(vol.token, r.id)).status, 'registered', 'nothing confirmed');
  // The code itself still works.
  assert.equal((await arrive(r.arrival_code.toLowerCase())).status, 200);
});

// fuzz_fields: an optional set given as [] passed the field table, so a
// PATCH stored a party with no assistance at all, which API.md never
// allows ("non-empty subset").
test('PATCH assistance [] is refused (required); the stored set stays', async () => {
  const r = await register(vol.token, { assistance: ['ticket', 'gift'] });
  const res = await api('PATCH', `/safe-returns/${r.id}`, {
    token: vol.token, body: { assistance: [] }, headers: { 'If-Match': `"${r.version}"` },
  });
  assertFieldErrors(res, [['assistance', 'required']], { exact: true });
  const now = await getRecord(vol.token, r.id);
  assert.deepEqual(now.assistance, ['ticket', 'gift']);
  assert.equal(now.version, r.version);
});
