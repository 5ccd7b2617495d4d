// The statistics endpoints (API.md "Statistics", v1.1 "Campaigns" and
// "Statistics"): campaigns, GET /stats and /stats/by-unit over dates or a
// campaign, the export in the district's layout (XLSX read back, CSV with
// its BOM), and who may see what.  Rows from the other record groups have
// their own tests; here rows H and I carry the figures, including the
// half-up rounding of 万元 from the exact fen sum.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminToken, api, assertFieldErrors, assertJson, assertProblem, createUnit, createUser,
  seededUnits, show,
} from './lib.mjs';
import { fileCase, move, recover, todayShanghai } from './wage_lib.mjs';
import { drill, fen, readXlsx } from './stats_lib.mjs';

let admin;
let town; // with four streets, one per amount
let streets;
let other; // a town elsewhere
let staff;
let staffOther;
let vol;
let today;
const amounts = ['6050.00', '1500.50', '49.99', '50.00'];
const wan = ['0.61', '0.15', '0.00', '0.01'];

before(async () => {
  admin = await adminToken();
  const { district } = await seededUnits();
  town = await createUnit({ kind: 'town', name: '统计表测试镇', parent_id: district.id }, { token: admin });
  streets = [];
  for (let i = 0; i < amounts.length; i++) {
    streets.push(await createUnit({ kind: 'street', name: `统计表测试街道${i + 1}`, parent_id: town.id }, { token: admin }));
  }
  other = await createUnit({ kind: 'town', name: '统计表别镇', parent_id: district.id }, { token: admin });
  staff = await createUser({ role: 'staff', unit_id: town.id, display_name: '统计员甲' }, { signIn: true });
  staffOther = await createUser({ role: 'staff', unit_id: other.id }, { signIn: true });
  vol = await createUser({ role: 'volunteer', unit_id: town.id }, { signIn: true });
  today = todayShanghai();
  // One accepted case of two workers per street, with one recovery each;
  // one case at the town itself (recorded at the parent unit).
  for (let i = 0; i < streets.length; i++) {
    const { body } = await fileCase(staff.token, {
      unit_id: streets[i].id,
      workers: [{ name: '甲', amount_owed: '100000' }, { name: '乙', amount_owed: 10 }],
    });
    await move(staff.token, body.id, 'accepted');
    await recover(staff.token, body.id, body.workers[0].id, amounts[i], today);
  }
  const { body } = await fileCase(staff.token, { unit_id: town.id, workers: [{ name: '丙', amount_owed: 5 }] });
  await move(staff.token, body.id, 'accepted');
  await recover(staff.token, body.id, body.workers[0].id, '0.01', today);
  // Outside the period and in a case that was never accepted: nothing.
  await fileCase(staff.token, { unit_id: town.id });
});

const period = () => `from=${today}&to=${today}`;
const row = (rows, code) => rows.find((r) => r.code === code);

test('campaigns: the seeded 2021 campaign, admin creates and changes, everyone signed in reads', async () => {
  const seeded = assertJson(await api('GET', '/campaigns/1', { token: vol.token }), 200);
  assert.deepEqual(seeded, {
    id: 1, title: '2021年送温暖活动', from: '2021-01-01', to: '2021-02-12', report_due: '2021-02-08', version: 1,
  });
  assertProblem(await api('GET', '/campaigns'), 401, 'unauthenticated');
  assertProblem(await api('POST', '/campaigns', { token: staff.token, body: {} }), 403, 'forbidden');
  assertFieldErrors(await api('POST', '/campaigns', { token: admin, body: { from: '2022-02-30' } }),
    [['title', 'required'], ['from', 'date'], ['to', 'required'], ['report_due', 'required']]);
  assertFieldErrors(await api('POST', '/campaigns', {
    token: admin, body: { title: '倒序', from: '2022-02-01', to: '2022-01-01', report_due: '2021-12-01' },
  }), [['to', 'out_of_range'], ['report_due', 'out_of_range']]);
  // Titles of their own: the same title and period twice is refused.
  const title = `2022年送温暖活动${Date.now().toString(36)}`;
  const res = await api('POST', '/campaigns', {
    token: admin, body: { title: ` ${title} `, from: '2022-01-01', to: '2022-01-31', report_due: '2022-02-10' },
  });
  const c = assertJson(res, 201);
  assert.equal(c.title, title);
  assert.equal(res.headers.get('location'), `/api/v1/campaigns/${c.id}`);
  assertProblem(await api('PATCH', `/campaigns/${c.id}`, { token: admin, body: { to: '2022-02-12' } }),
    428, 'precondition_required');
  assertProblem(await api('PATCH', `/campaigns/${c.id}`, {
    token: admin, body: { to: '2022-02-12' }, headers: { 'If-Match': '"9"' },
  }), 412, 'precondition_failed');
  assertFieldErrors(await api('PATCH', `/campaigns/${c.id}`, {
    token: admin, body: { to: '2021-12-31' }, headers: { 'If-Match': '"1"' },
  }), [['to', 'out_of_range']]);
  const p = assertJson(await api('PATCH', `/campaigns/${c.id}`, {
    token: admin, body: { to: '2022-02-12' }, headers: { 'If-Match': '"1"' },
  }), 200);
  assert.equal(p.to, '2022-02-12');
  assert.equal(p.version, 2);
  const list = assertJson(await api('GET', '/campaigns?limit=200', { token: staff.token }), 200);
  assert.ok(list.items.some((x) => x.id === c.id) && list.items.some((x) => x.id === 1));
  assertProblem(await api('GET', '/campaigns/999999', { token: admin }), 404, 'not_found');
});

test('GET /stats: rows H and I of a unit and its subtree; 万元 rounded half up from the exact fen sum', async () => {
  for (let i = 0; i < streets.length; i++) {
    const s = assertJson(await api('GET', `/stats?unit_id=${streets[i].id}&${period()}`, { token: staff.token }), 200);
    assert.equal(s.unit_id, streets[i].id);
    assert.equal(s.unit_name, streets[i].name);
    assert.equal(s.from, today);
    assert.deepEqual(row(s.rows, 'H'), {
      code: 'H', number: 6, label: '共协助政府有关部门帮助农民工追讨欠薪', unit: '人次', value: 2,
    });
    assert.deepEqual(row(s.rows, 'I'), {
      code: 'I', number: 6, label: '帮助农民工追讨欠薪金额', unit: '万元', value: wan[i], yuan: amounts[i],
    });
  }
  // The town: its streets and its own case.  7650.50 yuan = 0.76505 万元.
  const t = assertJson(await api('GET', `/stats?unit_id=${town.id}&${period()}`, { token: staff.token }), 200);
  assert.equal(row(t.rows, 'H').value, 9);
  assert.deepEqual([row(t.rows, 'I').value, row(t.rows, 'I').yuan], ['0.77', '7650.50']);
  // Rows come in the form's order, each once.
  const codes = t.rows.map((r) => r.code);
  assert.deepEqual(codes, [...new Set(codes)]);
  // A period without records: zeros, not missing rows.
  const empty = assertJson(await api('GET', `/stats?unit_id=${town.id}&from=2020-01-01&to=2020-01-31`, { token: admin }), 200);
  assert.equal(row(empty.rows, 'H').value, 0);
  assert.deepEqual([row(empty.rows, 'I').value, row(empty.rows, 'I').yuan], ['0.00', '0.00']);
  // The caller's unit by default.
  const mine = assertJson(await api('GET', `/stats?${period()}`, { token: staff.token }), 200);
  assert.equal(mine.unit_id, town.id);
});

test('GET /stats by campaign: the campaign\'s period, and the latest campaign by default', async () => {
  const title = `测试活动（今天）${Date.now().toString(36)}`;
  const c = assertJson(await api('POST', '/campaigns', {
    token: admin, body: { title, from: today, to: today, report_due: today },
  }), 201);
  const s = assertJson(await api('GET', `/stats?unit_id=${town.id}&campaign_id=${c.id}`, { token: staff.token }), 200);
  assert.deepEqual(s.campaign, { id: c.id, title, report_due: today });
  assert.equal(s.from, today);
  assert.equal(row(s.rows, 'H').value, 9);
  const seeded = assertJson(await api('GET', `/stats?unit_id=${town.id}&campaign_id=1`, { token: staff.token }), 200);
  assert.equal(seeded.from, '2021-01-01');
  assert.equal(row(seeded.rows, 'H').value, 0, 'nothing of today counts in 2021');
  const latest = assertJson(await api('GET', `/stats?unit_id=${town.id}`, { token: staff.token }), 200);
  assert.ok(latest.campaign, 'a campaign is chosen');
});

test('GET /stats refuses what it cannot answer, naming the parameter', async () => {
  assertFieldErrors(await api('GET', `/stats?campaign_id=1&from=${today}&to=${today}`, { token: admin }),
    [['campaign_id', 'conflict']]);
  assertFieldErrors(await api('GET', `/stats?from=${today}`, { token: admin }), [['to', 'required']]);
  assertFieldErrors(await api('GET', '/stats?from=2021-02-30&to=2021-03-01', { token: admin }), [['from', 'date']]);
  assertFieldErrors(await api('GET', '/stats?from=2021-03-01&to=2021-02-01', { token: admin }), [['to', 'out_of_range']]);
  assertFieldErrors(await api('GET', '/stats?campaign_id=999999', { token: admin }), [['campaign_id', 'unknown']]);
  assertFieldErrors(await api('GET', '/stats?unit_id=abc', { token: admin }), [['unit_id', 'type']]);
  assertProblem(await api('GET', '/stats?unit_id=999999', { token: admin }), 404, 'not_found');
  assertProblem(await api('GET', '/stats'), 401, 'unauthenticated');
  assertProblem(await api('GET', '/stats', { token: vol.token }), 403, 'forbidden');
});

test('staff never see figures of units outside their subtree: 404, as for no unit at all', async () => {
  for (const path of [`/stats?unit_id=${town.id}`, `/stats/by-unit?parent_id=${town.id}`,
    `/stats/export?format=csv&unit_id=${town.id}`, `/stats?unit_id=${streets[0].id}`]) {
    const a = await api('GET', path, { token: staffOther.token });
    const none = await api('GET', path.replace(/=\d+$/, '=999999999'), { token: staffOther.token });
    assertProblem(a, 404, 'not_found');
    assert.equal(a.text, none.text, `${path}: the same answer as for a unit that does not exist`);
  }
  // The district, above them, is outside their subtree too.
  const { district } = await seededUnits();
  assertProblem(await api('GET', `/stats?unit_id=${district.id}`, { token: staff.token }), 404, 'not_found');
});

test('GET /stats/by-unit: each child, the parent\'s own records, and the total equal to the parent\'s figures', async () => {
  const b = assertJson(await api('GET', `/stats/by-unit?parent_id=${town.id}&${period()}`, { token: staff.token }), 200);
  assert.equal(b.parent_id, town.id);
  assert.deepEqual(b.items.map((i) => i.unit_id), [...streets.map((s) => s.id), town.id]);
  assert.deepEqual(b.items.map((i) => i.own), [false, false, false, false, true]);
  assert.equal(b.items.at(-1).unit_name, '统计表测试镇（本级）');
  assert.deepEqual(b.items.map((i) => row(i.rows, 'I').yuan), [...amounts, '0.01']);
  const parent = assertJson(await api('GET', `/stats?unit_id=${town.id}&${period()}`, { token: staff.token }), 200);
  assert.deepEqual(b.total.rows, parent.rows, 'the total is the parent\'s own figures');
  // Additive rows: the items add up to the total, to the fen.
  const fen = (y) => Math.round(Number(y) * 100);
  assert.equal(b.items.reduce((s, i) => s + fen(row(i.rows, 'I').yuan), 0), fen(row(b.total.rows, 'I').yuan));
  assert.equal(b.items.reduce((s, i) => s + row(i.rows, 'H').value, 0), row(b.total.rows, 'H').value);
});

test('GET /stats/export?format=xlsx: the district\'s layout, numbers in the right rows', async () => {
  const res = await fetch(`${process.env.BASE_URL}/api/v1/stats/export?format=xlsx&unit_id=${streets[0].id}&${period()}`, {
    headers: { Authorization: `Bearer ${staff.token}` },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const cd = res.headers.get('content-disposition');
  assert.match(cd, /^attachment; filename="swn-stats-\d+-[-\d]+\.xlsx"; filename\*=UTF-8''/);
  const name = decodeURIComponent(cd.split("UTF-8''")[1]);
  assert.equal(name, `${streets[0].name}_${today.slice(0, 4)}年工会送温暖活动统计表.xlsx`);
  const buf = Buffer.from(await res.arrayBuffer());
  const { cells, merges, setup } = readXlsx(buf);
  assert.equal(cells.A1, `${today.slice(0, 4)}年工会送温暖活动统计表`);
  assert.equal(cells.A2, `填报单位：${streets[0].name}`);
  assert.equal(cells.A3, '填 报 人：统计员甲');
  assert.equal(cells.D3, '联系电话：');
  assert.equal(cells.A4, '说明：本表中职工均包括农民工，困难职工包括困难农民工。');
  // Every row of the form, in order, with its code; values in column E.
  const codeRow = Object.fromEntries(Object.entries(cells).filter(([k, v]) => /^B\d+$/.test(k) && /^[A-K]\d*$/.test(v))
    .map(([k, v]) => [v, Number(k.slice(1))]));
  const order = Object.entries(codeRow).sort((a, b) => a[1] - b[1]).map(([c]) => c);
  assert.equal(order.length, 49, 'the 49 rows of the form');
  assert.deepEqual(order.slice(0, 4), ['A', 'B', 'B1', 'B2']);
  assert.deepEqual(order.slice(-7), ['G', 'H', 'I', 'J1', 'J2', 'K1', 'K2']);
  assert.equal(cells[`E${codeRow.H}`], 2);
  assert.equal(cells[`E${codeRow.I}`], 0.61, 'a number, not text');
  assert.equal(cells[`E${codeRow.B1}`], undefined, 'B1 is left for the unit to fill in');
  assert.equal(cells[`C${codeRow.C1}`], '因非个人意愿下岗失业、家庭收入水平明显偏低、子女教育费用负担过重等原因造成家庭生活困难的职工');
  assert.equal(cells[`D${codeRow.C1}`], '慰问对象（人次）');
  assert.equal(cells[`D${codeRow.D1}`], '发放款物（万元）');
  // Merged cells where the form has them: the pair's item, the 编号 of a group.
  assert.ok(merges.includes(`C${codeRow.C1}:C${codeRow.D1}`), `merges: ${merges}`);
  assert.ok(merges.includes(`A${codeRow.B}:A${codeRow.B6}`), `merges: ${merges}`);
  // One A4 portrait page.
  assert.match(setup, /paperSize="9"/);
  assert.match(setup, /orientation="portrait"/);
  assert.match(setup, /<pageSetUpPr fitToPage="1"\/>/);

  // Debian's LibreOffice converts it without error, to one page.
  const dir = mkdtempSync(join(tmpdir(), 'swn-lo-'));
  try {
    writeFileSync(join(dir, 't.xlsx'), buf);
    execFileSync('soffice', [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf',
      '--outdir', dir, join(dir, 't.xlsx')], { stdio: 'pipe', timeout: 180e3 });
    assert.ok(existsSync(join(dir, 't.pdf')), 'LibreOffice wrote the PDF');
    const info = execFileSync('pdfinfo', [join(dir, 't.pdf')], { encoding: 'utf8' });
    assert.match(info, /Pages:\s+1\n/);
    assert.match(info, /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('GET /stats/export?format=csv: UTF-8 with a BOM, every row, no formula', async () => {
  const evil = await createUnit({ kind: 'street', name: '=HYPERLINK("http://x")', parent_id: town.id }, { token: admin });
  const res = await fetch(`${process.env.BASE_URL}/api/v1/stats/export?format=csv&unit_id=${evil.id}&${period()}`, {
    headers: { Authorization: `Bearer ${staff.token}` },
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(res.headers.get('content-disposition'), /filename="swn-stats-\d+-[-\d]+\.csv"; filename\*=UTF-8''/);
  const buf = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the BOM');
  const text = buf.subarray(3).toString('utf8');
  assert.ok(text.includes('"填报单位","\'=HYPERLINK(""http://x"")"'), 'a cell that would be a formula is text');
  const lines = text.split('\r\n');
  assert.ok(lines.includes('"6","H","共协助政府有关部门帮助农民工追讨欠薪（人次）","","0",""'));
  assert.equal(lines.filter((l) => /^"\d","[A-K]\d*",/.test(l)).length, 49);
  // Not a format we write.
  assertFieldErrors(await api('GET', '/stats/export?format=pdf', { token: staff.token }), [['format', 'enum']]);
  const ok = await api('GET', `/stats/export?format=csv&unit_id=${streets[1].id}&${period()}`, { token: staff.token });
  assert.ok(ok.text.includes('"6","I","帮助农民工追讨欠薪金额（万元）","","0.15","1500.50"'), show(ok));
});

test('GET /stats/records: the records behind H and I, whose contributions sum to the figure', async () => {
  const q = `unit_id=${town.id}&${period()}`;
  const h = await drill(staff.token, 'H', q, { limit: 2 });
  assert.equal(h.value, 9);
  assert.equal(h.total, 9);
  assert.equal(h.items.length, 9);
  assert.ok(h.items.every((i) => i.kind === 'wage_case_worker' && i.count === 1 && i.accepted_on === today));
  assert.equal(new Set(h.items.map((i) => i.id)).size, 9, 'no record twice across pages');
  const i = await drill(staff.token, 'I', q, { limit: 1 });
  assert.deepEqual([i.value, i.yuan], ['0.77', '7650.50']);
  assert.equal(i.total, fen('7650.50'));
  assert.deepEqual(i.items.map((x) => x.amount).sort(), ['0.01', ...amounts].sort());
  assert.ok(i.items.every((x) => x.kind === 'wage_recovery' && /^QX\d{4}-\d{6}$/.test(x.reference)));
  // A row no record makes, a row that does not exist, no row.
  assertFieldErrors(await api('GET', `/stats/records?row=B1&${q}`, { token: staff.token }), [['row', 'enum']]);
  assertFieldErrors(await api('GET', `/stats/records?row=Z&${q}`, { token: staff.token }), [['row', 'enum']]);
  assertFieldErrors(await api('GET', `/stats/records?${q}`, { token: staff.token }), [['row', 'required']]);
  // Not the caller's subtree: 404.
  assertProblem(await api('GET', `/stats/records?row=H&${q}`, { token: staffOther.token }), 404, 'not_found');
});
