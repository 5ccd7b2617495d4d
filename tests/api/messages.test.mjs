/*
 * GET /api/v1/messages: the dictionary of field error messages that the
 * worker writes and the pages load for their offline checks. What a
 * validation error says must be exactly the served text with the field's
 * label and limits filled in, so the two can never drift apart.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, assertJson, assertProblem, seededUnits, show } from './lib.mjs';
import { badChecksum, caseBody, idNumber } from './wage_lib.mjs';

/* The text for code on a field of kind, as the pages look it up. */
function render(dict, code, kind, vars) {
  const t = (dict.kinds[kind] && dict.kinds[kind][code]) || dict.messages[code] || '{label}有误';
  return t.replace(/\{(label|min|max)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

async function dictionary() {
  const res = await api('GET', '/messages');
  assertJson(res, 200);
  return res.json;
}

const CODES = ['required', 'type', 'unknown_field', 'too_short', 'too_long', 'out_of_range',
  'enum', 'format', 'checksum', 'birth_date', 'decimals', 'date', 'too_few', 'too_many',
  'duplicate', 'unknown'];

test('the dictionary is public, plain Chinese, and covers every field error code', async () => {
  const d = await dictionary();
  assert.deepEqual(Object.keys(d).sort(), ['kinds', 'messages']);
  for (const code of CODES) {
    assert.equal(typeof d.messages[code], 'string', `a text for ${code}`);
    assert.match(d.messages[code], /[\u4e00-\u9fff]/, `${code} is Chinese`);
  }
  for (const [kind, texts] of Object.entries(d.kinds))
    for (const [code, text] of Object.entries(texts)) {
      assert.ok(CODES.includes(code), `${kind}.${code} is a known code`);
      assert.match(text, /[\u4e00-\u9fff]/);
    }
  /* The sentences the union asked for, word for word. */
  assert.equal(d.kinds.id_number.checksum, '身份证号最后一位不对，请核对（最后一位可能是 X）');
  assert.match(d.kinds.phone.format, /^手机号应为 11 位数字/);
  assert.equal(d.kinds.money.format, '金额应为数字，最多两位小数，例如 3500 或 3500.50');
  /* No jargon left. */
  assert.doesNotMatch(JSON.stringify(d), /校验位|格式不正确"/);

  /* Only GET. */
  const post = await api('POST', '/messages', { body: {} });
  assertProblem(post, 405, 'method_not_allowed');
});

test('a validation error says exactly what the served dictionary says', async () => {
  const d = await dictionary();
  const unit = (await seededUnits()).children['横林镇'];
  const body = caseBody({
    unit_id: unit.id,
    employer_name: '',
    industry: 'mining',
    description: '欠'.repeat(2001),
    reporter: { name: '王五', phone: '1391234567' },
    workers: [
      { name: '甲', amount_owed: '三千五', id_number: badChecksum(idNumber('19850312', 7)) },
      { name: '乙', amount_owed: '12.345', id_number: '3204021985031' },
      { name: '丙', amount_owed: '-1' },
    ],
  });
  const res = await api('POST', '/wage-cases', { body });
  assertProblem(res, 400, 'validation');
  const got = Object.fromEntries(res.json.errors.map((e) => [e.field, e]));
  const expect = [
    ['employer_name', 'required', 'text', { label: '欠薪单位' }],
    ['industry', 'enum', 'choice', { label: '行业' }],
    ['description', 'too_long', 'text', { label: '情况说明', max: 2000 }],
    ['reporter.phone', 'format', 'phone', { label: '联系电话' }],
    ['workers[0].amount_owed', 'format', 'money', { label: '被欠金额' }],
    ['workers[0].id_number', 'checksum', 'id_number', { label: '身份证号' }],
    ['workers[1].amount_owed', 'decimals', 'money', { label: '被欠金额' }],
    ['workers[1].id_number', 'format', 'id_number', { label: '身份证号' }],
    ['workers[2].amount_owed', 'out_of_range', 'money',
      { label: '被欠金额', min: '0.01', max: '100,000,000.00' }],
  ];
  for (const [field, code, kind, vars] of expect) {
    assert.ok(got[field], `an error for ${field}: ${show(res)}`);
    assert.equal(got[field].code, code, field);
    assert.equal(got[field].message, render(d, code, kind, vars), field);
  }
  assert.equal(got['workers[0].id_number'].message, '身份证号最后一位不对，请核对（最后一位可能是 X）');
  assert.equal(got['workers[0].amount_owed'].message, '金额应为数字，最多两位小数，例如 3500 或 3500.50');
  assert.equal(got['description'].message, '情况说明最多 2000 个字');
  assert.equal(got['workers[2].amount_owed'].message, '被欠金额应在 0.01 到 100,000,000.00 元之间');
  assert.equal(res.json.errors.length, expect.length, show(res));
});
