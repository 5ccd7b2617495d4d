// What a newcomer found by using the pages as their users would (the
// server's part; the pages' part is in tests/browser): each finding here
// provoked, and answered as a user would expect.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminToken, api, assertFieldErrors, assertJson, assertProblem, createUser, seededUnits, show, uniq,
} from './lib.mjs';
import { caseBody, creditCode, fileCase, getCase, idNumberX, move } from './wage_lib.mjs';
import { register } from './safe_returns_lib.mjs';
import { workerVisit } from './visits_lib.mjs';
import { createFair, employerBody, shanghaiDay, signUp, signUpOk } from './job_fairs_lib.mjs';

let admin;
let staff;
let vol;

before(async () => {
  admin = await adminToken();
  const { children } = await seededUnits();
  staff = await createUser({ role: 'staff', unit_id: children['遥观镇'].id }, { signIn: true });
  vol = await createUser({ role: 'volunteer', unit_id: children['遥观镇'].id }, { signIn: true });
});

/* '123ABC' → '１２３ＡＢＣ': what a Chinese keyboard in full-width mode types. */
const fullWidth = (s) => [...s].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');

test('an arrival code typed in full-width characters is the same code', async () => {
  const r = await register(vol.token);
  const typed = `${fullWidth(r.arrival_code.slice(0, 4))}\u3000${fullWidth(r.arrival_code.slice(4).toLowerCase())}`;
  const res = await api('POST', '/safe-returns/arrivals', { body: { code: typed } });
  assert.equal(assertJson(res, 200).status, 'arrived');
});

test('an invisible character pasted into a name is named as such; a name of nothing visible is no name', async () => {
  const res = await api('POST', '/wage-cases', {
    body: caseBody({ unit_id: 2, employer_name: '常州\u202e某公司', reporter: { name: '王\t五', phone: '13812345678' } }),
  });
  const errors = assertFieldErrors(res, [['employer_name', 'format'], ['reporter.name', 'format']]);
  for (const e of errors) assert.match(e.message, /看不见的特殊字符/, e.message);
  const blank = await api('POST', '/wage-cases', {
    body: caseBody({ unit_id: 2, reporter: { name: '\u200b\ufeff', phone: '13812345678' } }),
  });
  assertFieldErrors(blank, [['reporter.name', 'required']]);
});

test('money written with spaces around it is read like text is: trimmed', async () => {
  const { body } = await fileCase(staff.token, { workers: [{ name: '甲', amount_owed: ' 12 ' }] });
  assert.equal(body.amount_owed, '12.00');
});

test('dates no record can have (a year typed as 1900) are refused, naming the field', async () => {
  const { body } = await fileCase(staff.token);
  await move(staff.token, body.id, 'accepted');
  assertFieldErrors(await api('POST', `/wage-cases/${body.id}/recoveries`, {
    token: staff.token, body: { worker_id: body.workers[0].id, amount: 1, recovered_on: '1900-01-01' },
  }), [['recovered_on', 'out_of_range']]);
  assertFieldErrors(await api('POST', '/visits', {
    token: vol.token, body: workerVisit({ visited_on: '1900-01-01' }),
  }), [['visited_on', 'out_of_range']]);
  assertFieldErrors(await api('POST', '/job-fairs', {
    token: staff.token, body: { title: '招聘会', kind: 'general', venue: '大厅', seeker_capacity: 5,
      starts_at: '1900-01-01T09:00', ends_at: '2099-12-31T17:00' },
  }), [['starts_at', 'out_of_range'], ['ends_at', 'out_of_range']]);
});

test('a fair that is over takes no sign-up from the public; a fair that has not begun checks nobody in', async () => {
  const over = await createFair(staff.token, {
    starts_at: `${shanghaiDay(-9)}T09:00`, ends_at: `${shanghaiDay(-9)}T12:00`,
  });
  const late = await signUp(over.id);
  assertProblem(late, 409, 'fair_not_open');
  assert.match(late.json.detail, /已经结束/);
  const emp = await api('POST', `/job-fairs/${over.id}/employers`, { body: employerBody() });
  assertProblem(emp, 409, 'fair_not_open');
  // Its own staff still enter what happened there.
  await signUpOk(over.id, {}, { token: staff.token });

  const soon = await createFair(staff.token, {
    starts_at: `${shanghaiDay(6)}T09:00`, ends_at: `${shanghaiDay(6)}T12:00`,
  });
  const g = await signUpOk(soon.id);
  const early = await api('POST', `/job-fairs/${soon.id}/check-ins`, { token: vol.token, body: { code: g.code } });
  assertProblem(early, 409, 'fair_not_started');
  assert.ok(early.json.detail.includes(shanghaiDay(6)), show(early));
  // Not checked in: the person may still cancel, and the place goes on.
  const c = await api('POST', `/job-fairs/${soon.id}/registrations/${g.code}/cancel`);
  assert.equal(c.status, 200, show(c));
});

/* Format characters that show as nothing (fcgi/valid.c valid_text_bad()). */
const INVISIBLE = ['\u00ad', '\u061c', '\u180e', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f',
  '\u2060', '\u2061', '\u2062', '\u2063', '\u2064', '\ufeff'];

test('a character that shows as nothing inside a name is refused as invisible, so a search finds what was shown', async () => {
  const res = await api('POST', '/wage-cases', {
    token: staff.token,
    body: caseBody({ employer_name: '常州\u200b某某公司', reporter: { name: '王\u200b五', phone: '13812345678' } }),
  });
  const errors = assertFieldErrors(res, [['employer_name', 'format'], ['reporter.name', 'format']]);
  for (const e of errors) assert.match(e.message, /看不见的特殊字符/, e.message);
  for (const c of INVISIBLE) {
    const one = await api('POST', '/wage-cases', {
      token: staff.token, body: caseBody({ reporter: { name: `王${c}五`, phone: '13812345678' } }),
    });
    const [e] = assertFieldErrors(one, [['reporter.name', 'format']], { exact: true });
    assert.match(e.message, /^联系人姓名含有看不见的特殊字符/, `U+${c.codePointAt(0).toString(16)}`);
  }
  // A soft hyphen alone shows as nothing, and is no name either.
  assertFieldErrors(await api('POST', '/wage-cases', {
    token: staff.token, body: caseBody({ reporter: { name: '\u00ad', phone: '13812345678' } }),
  }), [['reporter.name', 'format']]);
  // A description keeps its lines, not what shows as nothing.
  assertFieldErrors(await api('POST', '/wage-cases', {
    token: staff.token, body: caseBody({ description: '第一行\n第二\u200b行' }),
  }), [['description', 'format']]);
  // At either end they are trimmed like spaces, and the name is found.
  const name = `常州${uniq('zw')}公司`;
  const { body } = await fileCase(staff.token, { employer_name: `\u200b${name}\ufeff` });
  assert.equal(body.employer_name, name);
  const found = assertJson(await api('GET', `/wage-cases?q=${encodeURIComponent(name)}`, { token: staff.token }), 200);
  assert.deepEqual(found.items.map((c) => c.id), [body.id]);
});

test('ID numbers, credit codes and phones typed in full-width characters are read as their ASCII twins', async () => {
  const id = idNumberX();
  const credit = creditCode();
  const typed = `${fullWidth(id.slice(0, 6))}\u3000${fullWidth(id.slice(6, 17))}${fullWidth('x')}`;
  const { body } = await fileCase(staff.token, {
    employer_credit_code: fullWidth(credit.toLowerCase()),
    reporter: { name: '张三', phone: `${fullWidth('138')}\u3000${fullWidth('1234')} ${fullWidth('5678')}` },
    workers: [{ name: '李四', id_number: typed, amount_owed: '100' }],
  });
  const c = await getCase(staff.token, body.id);
  assert.equal(c.employer_credit_code, credit);
  assert.equal(c.workers[0].id_number, id);
  assert.equal(c.reporter.phone, '13812345678');
  // The checksums still hold: one wrong character is still wrong.
  const wrongId = `${id.slice(0, 16)}${id[16] === '0' ? '1' : '0'}${id[17]}`;
  assertFieldErrors(await api('POST', '/wage-cases', {
    token: staff.token, body: caseBody({ workers: [{ name: '李四', id_number: fullWidth(wrongId), amount_owed: '100' }] }),
  }), [['workers[0].id_number', 'checksum']]);
  const wrongCredit = `${credit.slice(0, 17)}${credit[17] === '0' ? '1' : '0'}`;
  assertFieldErrors(await api('POST', '/wage-cases', {
    token: staff.token, body: caseBody({ employer_credit_code: fullWidth(wrongCredit) }),
  }), [['employer_credit_code', 'checksum']]);
  // The brief's own examples: the 18 typed characters are 18.
  const sample = await api('POST', '/wage-cases', {
    token: staff.token,
    body: caseBody({ employer_credit_code: '９１３２０４００ＭＡ１ＭＡＡＡＡ０Ｗ',
      workers: [{ name: '李四', id_number: '１１０１０５１９４９１２３１００２ｘ', amount_owed: '100' }] }),
  });
  assert.equal(sample.status, 201, show(sample));
  // Looking a case up by the number typed the same way finds it.
  const byId = assertJson(await api('GET', `/wage-cases?id_number=${encodeURIComponent(typed)}&limit=200`,
    { token: staff.token }), 200);
  assert.ok(byId.items.some((x) => x.id === body.id), JSON.stringify(byId.items.map((x) => x.id)));
});

test('a campaign\'s dates are those of the records (2000 to 2100), said as a range, in the page\'s words', async () => {
  const ok = { title: uniq('活动'), from: '2024-01-01', to: '2024-02-10', report_due: '2024-02-08' };
  const early = assertFieldErrors(await api('POST', '/campaigns', {
    token: admin, body: { ...ok, from: '1900-01-01' },
  }), [['from', 'out_of_range']]);
  assert.match(early[0].message, /统计期间开始/);
  assert.match(early[0].message, /2000/);
  const late = assertFieldErrors(await api('POST', '/campaigns', {
    token: admin, body: { ...ok, to: '9999-12-31', report_due: '2101-01-01' },
  }), [['to', 'out_of_range'], ['report_due', 'out_of_range']], { exact: true });
  for (const e of late) assert.doesNotMatch(e.message, /年-月-日/, e.message);
  assert.match(late.find((e) => e.field === 'to').message, /统计期间结束/);
  assert.match(late.find((e) => e.field === 'report_due').message, /报送截止日期/);
  const missing = assertFieldErrors(await api('POST', '/campaigns', { token: admin, body: { title: 'x' } }),
    [['from', 'required'], ['to', 'required'], ['report_due', 'required']]);
  assert.deepEqual(missing.map((e) => e.message).sort(),
    ['请填写报送截止日期', '请填写统计期间开始', '请填写统计期间结束'].sort());
  const order = assertFieldErrors(await api('POST', '/campaigns', {
    token: admin, body: { ...ok, to: '2023-12-31', report_due: '2023-12-31' },
  }), [['to', 'out_of_range'], ['report_due', 'out_of_range']]);
  assert.deepEqual(order.map((e) => e.message).sort(),
    ['统计期间结束不能早于统计期间开始', '报送截止日期不能早于统计期间开始'].sort());
  const c = assertJson(await api('POST', '/campaigns', { token: admin, body: ok }), 201);
  assertFieldErrors(await api('PATCH', `/campaigns/${c.id}`, {
    token: admin, body: { from: '1999-12-31' }, headers: { 'If-Match': '"1"' },
  }), [['from', 'out_of_range']]);
});

test('the same campaign twice (title and period) is refused, naming the one there is; nothing is stored', async () => {
  const title = uniq('送温暖');
  const first = assertJson(await api('POST', '/campaigns', {
    token: admin, body: { title, from: '2025-01-01', to: '2025-02-10', report_due: '2025-02-08' },
  }), 201);
  const again = await api('POST', '/campaigns', {
    token: admin, body: { title, from: '2025-01-01', to: '2025-02-10', report_due: '2025-02-20' },
  });
  const p = assertProblem(again, 409, 'conflict');
  assert.ok(p.detail.includes(title), p.detail);
  const all = assertJson(await api('GET', '/campaigns?limit=200', { token: admin }), 200);
  assert.deepEqual(all.items.filter((x) => x.title === title).map((x) => x.id), [first.id]);
  // Another period of the same name is another campaign; made the same
  // by a change, it is refused too, and stays as it was.
  const second = assertJson(await api('POST', '/campaigns', {
    token: admin, body: { title, from: '2025-01-01', to: '2025-02-11', report_due: '2025-02-08' },
  }), 201);
  const clash = await api('PATCH', `/campaigns/${second.id}`, {
    token: admin, body: { to: '2025-02-10' }, headers: { 'If-Match': '"1"' },
  });
  assert.ok(assertProblem(clash, 409, 'conflict').detail.includes(title));
  const still = assertJson(await api('GET', `/campaigns/${second.id}`, { token: admin }), 200);
  assert.deepEqual([still.to, still.version], ['2025-02-11', 1]);
  // Changing only its due date is no clash with itself.
  assertJson(await api('PATCH', `/campaigns/${first.id}`, {
    token: admin, body: { report_due: '2025-02-09' }, headers: { 'If-Match': '"1"' },
  }), 200);
});
