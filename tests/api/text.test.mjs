// Text round trips: Chinese, emoji, lengths in characters, trimming, and
// SQL metacharacters stored verbatim (API.md Conventions).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminToken, api, assertFieldErrors, assertJson, login, seededUnits, show, uniq,
} from './lib.mjs';

let token;
let district;
before(async () => {
  token = await adminToken();
  district = (await seededUnits()).district;
});

const userBody = (display_name) => ({
  username: uniq('txt'), password: 'a-long-password', display_name, role: 'volunteer', unit_id: district.id,
});

/* Creates a user with this display_name and reads it back every way. */
async function roundTrip(name, expected = name) {
  const body = userBody(name);
  const res = await api('POST', '/users', { token, body });
  const created = assertJson(res, 201);
  assert.equal(created.display_name, expected, 'in the 201 answer');
  const got = await api('GET', `/users/${created.id}`, { token });
  assert.equal(assertJson(got, 200).display_name, expected, 'in GET /users/{id}');
  const t = await login(body.username, body.password);
  const me = await api('GET', '/me', { token: t });
  assert.equal(me.json.display_name, expected, 'in GET /me');
  return created;
}

test('Chinese and emoji round trip exactly (张三👷‍♂️)', async () => {
  const name = '张三👷‍♂️';
  assert.equal([...name].length, 6, 'ZWJ sequence: 6 code points');
  const u = await roundTrip(name);
  // Byte for byte, no normalisation.
  assert.equal(Buffer.from(u.display_name).toString('hex'), Buffer.from(name).toString('hex'));
  // Also in the list.
  let found = null;
  let cursor = null;
  for (let i = 0; i < 100 && !found; i++) {
    const q = `/users?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await api('GET', q, { token });
    found = page.json.items.find((x) => x.id === u.id);
    cursor = page.json.next_cursor;
    if (!cursor) break;
  }
  assert.ok(found, 'listed');
  assert.equal(found.display_name, name);
});

test('lengths count characters: 50 Chinese accepted, 51 refused too_long', async () => {
  const fifty = '张'.repeat(25) + '王'.repeat(25);
  assert.equal(Buffer.byteLength(fifty), 150);
  await roundTrip(fifty);
  const res = await api('POST', '/users', { token, body: userBody(`${fifty}李`) });
  assertFieldErrors(res, [['display_name', 'too_long']], { exact: true });
});

test('50 four-byte characters (emoji, CJK extension B) are 50 characters', async () => {
  await roundTrip('😀'.repeat(50));
  await roundTrip('𠀀'.repeat(25) + '𪚥'.repeat(25));
  const res = await api('POST', '/users', { token, body: userBody('😀'.repeat(51)) });
  assertFieldErrors(res, [['display_name', 'too_long']], { exact: true });
});

test('SQL metacharacters are stored verbatim', async () => {
  await roundTrip(`O'Brien"; DROP TABLE users; --`);
  await roundTrip(String.raw`back\slash \' \" %_ \n`);
  await roundTrip('a`b` /* c */ # d');
  // The tables are still there.
  assert.equal((await api('GET', '/users?limit=1', { token })).status, 200);
  assert.equal((await api('GET', '/units')).status, 200);
});

test('a unit name with metacharacters and Chinese round trips', async () => {
  const name = `工会'); DELETE FROM units; --👷`;
  const code = uniq('sq');
  const res = await api('POST', '/units', { token, body: { code, name, kind: 'direct', parent_id: district.id } });
  assert.equal(res.status, 201, show(res));
  assert.equal(res.json.name, name);
  const list = await api('GET', '/units');
  assert.equal(list.json.items.find((u) => u.code === code).name, name);
  assert.ok(list.json.items.length >= 7, 'the seeded units are still there');
});

test('text is trimmed; blank counts as missing', async () => {
  await roundTrip('  李四\u3000 ', '李四');
  await roundTrip('\u00a0赵 六\t', '赵 六');
  const res = await api('POST', '/users', { token, body: userBody(' \u3000 ') });
  assertFieldErrors(res, [['display_name', 'required']], { exact: true });
});

test('JSON escapes decode to the same text', async () => {
  const body = userBody('x');
  const raw = JSON.stringify(body).replace('"display_name":"x"',
    '"display_name":"\\u5f20\\u4e09\\ud83d\\udc77\\u200d\\u2642\\ufe0f"');
  const res = await api('POST', '/users', { token, raw });
  assert.equal(res.status, 201, show(res));
  assert.equal(res.json.display_name, '张三👷‍♂️');
});
