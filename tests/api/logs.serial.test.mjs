// No log line of a test run holds a tracking code, an ID number or a phone
// (docs/personal-data.md, "Logs").  Serial, so it runs after the API and
// browser suites and reads the logs of the whole run: every ID number and
// phone those suites sent would show here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SWN_VAR, api, url } from './lib.mjs';
import { caseBody } from './wage_lib.mjs';
import { freshIdNumber, freshPhone } from './db_lib.mjs';

const LOGS = [
  join(SWN_VAR, 'nginx', 'access.log'),
  join(SWN_VAR, 'nginx', 'error.log'),
  join(SWN_VAR, 'log', 'worker.log'),
];
// An 18-character resident ID (GB 11643) and a mainland mobile number, as
// whole tokens.
const ID_RE = /(?<![0-9])[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])/;
const PHONE_RE = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/;

test('logs hold no tracking code, ID number or phone', async () => {
  // Traffic that carries them in every place a log could catch: a body, a
  // query string (tracking, a staff search) and a page URL as referer.
  const idn = freshIdNumber();
  const ph = freshPhone();
  const res = await api('POST', '/wage-cases', {
    body: caseBody({ unit_id: 2, reporter: { name: '日志', phone: ph }, workers: [{ name: '日志', id_number: idn, amount_owed: 1 }] }),
    headers: { 'Idempotency-Key': `log-${Date.now()}` },
  });
  assert.equal(res.status, 201);
  const { reference, tracking_code: code } = res.json;
  const q = `reference=${reference}&code=${code}`;
  assert.equal((await api('GET', `/wage-cases/track?${q}`)).status, 200);
  assert.equal((await api('GET', `/wage-cases/track?reference=${reference}&code=${code.toLowerCase()}`)).status, 200);
  await fetch(url('/api/').replace('/api/', `/help/track.html?${q}`), {
    headers: { Referer: url('/api/').replace('/api/', `/help/track.html?${q}&phone=${ph}`) },
  });
  await api('GET', `/wage-cases?id_number=${idn}&phone=${ph}`);

  let lines = 0;
  for (const f of LOGS) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f, 'utf8');
    lines += text.split('\n').length;
    for (const s of [code, code.toLowerCase(), idn, ph]) {
      assert.ok(!text.includes(s), `${f} holds ${s}`);
    }
    const id = text.match(ID_RE);
    assert.equal(id, null, `${f} holds an ID number: ${id?.[0]}`);
    const p = text.match(PHONE_RE);
    assert.equal(p, null, `${f} holds a phone: ${p?.[0]}`);
  }
  assert.ok(lines > 100, 'the logs of the run were read');
  const access = readFileSync(LOGS[0], 'utf8');
  assert.match(access, /"GET \/api\/v1\/wage-cases\/track HTTP\/1\.1" 200/, 'the requests are logged, without their query');
});
