// The check-in QR code (GET /job-fairs/{id}/registrations/{code}/qr.svg):
// rendered as a screen would show it (rsvg-convert, Debian librsvg2-bin)
// and read back by a barcode reader (zbarimg, Debian zbar-tools), which
// must find the code; its format information names error correction Q
// (M or better), and a quiet zone of 4 modules surrounds it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, assertProblem, createUser, seededUnits, show } from './lib.mjs';
import { createFair, signUpOk } from './job_fairs_lib.mjs';

let staff;
let fair;
let reg;

before(async () => {
  const { children } = await seededUnits();
  staff = await createUser({ role: 'staff', unit_id: children['遥观镇'].id }, { signIn: true });
  fair = await createFair(staff.token, { seeker_capacity: 5 });
  reg = await signUpOk(fair.id, { name: '扫码测试' });
});

/* Renders an SVG to PNG at width px and decodes it; '' when unreadable. */
function decode(svg, width) {
  const dir = mkdtempSync(join(tmpdir(), 'swn-qr-'));
  try {
    writeFileSync(join(dir, 'qr.svg'), svg);
    execFileSync('rsvg-convert', ['-w', String(width), '-b', 'white', '-o', join(dir, 'qr.png'), join(dir, 'qr.svg')]);
    try {
      return execFileSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', join(dir, 'qr.png')], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch (e) {
      if (e.status === 4) return ''; // nothing found
      throw e;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/* The dark modules of the served SVG (one "Mx yhNv1h-Nz" per run). */
function modules(svg) {
  const size = Number(svg.match(/viewBox="0 0 (\d+) \1"/)[1]);
  const dark = new Set();
  for (const m of svg.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let i = 0; i < Number(m[3]); i++) dark.add(`${Number(m[1]) + i},${m[2]}`);
  }
  return { size, dark };
}

test('the served QR code renders and decodes to the registration code', async () => {
  const res = await api('GET', `/job-fairs/${fair.id}/registrations/${reg.code}/qr.svg`);
  assert.equal(res.status, 200, show(res));
  assert.match(res.headers.get('content-type'), /^image\/svg\+xml/);
  assert.match(res.text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  // As large as a phone shows it, and as small as a thumbnail.
  assert.equal(decode(res.text, 300), reg.code);
  assert.equal(decode(res.text, 90), reg.code);
  // Typed codes are forgiving; so is the address.
  const lower = await api('GET', `/job-fairs/${fair.id}/registrations/${reg.code.toLowerCase()}/qr.svg`);
  assert.equal(decode(lower.text, 200), reg.code);
});

test('error correction Q and a quiet zone of 4 modules', async () => {
  const res = await api('GET', `/job-fairs/${fair.id}/registrations/${reg.code}/qr.svg`);
  const { size, dark } = modules(res.text);
  const w = size - 8;
  assert.ok(w >= 21 && (w - 17) % 4 === 0, `a QR symbol is 17 + 4v modules wide (${w})`);
  for (const k of dark) {
    const [x, y] = k.split(',').map(Number);
    assert.ok(x >= 4 && y >= 4 && x < size - 4 && y < size - 4, `dark module ${k} in the quiet zone`);
  }
  // The format information beside the top-left finder (ISO/IEC 18004
  // 7.9): bits 0–5 down column 8, 6–7 below the timing row, 8 at (7, 8),
  // 9–14 along row 8; XOR 0x5412; the top two bits are the level.
  const at = (x, y) => (dark.has(`${x + 4},${y + 4}`) ? 1 : 0);
  const cells = [[8, 0], [8, 1], [8, 2], [8, 3], [8, 4], [8, 5], [8, 7], [8, 8], [7, 8],
    [5, 8], [4, 8], [3, 8], [2, 8], [1, 8], [0, 8]];
  let format = 0;
  cells.forEach(([x, y], i) => { format |= at(x, y) << i; });
  const level = ((format ^ 0x5412) >> 13) & 3;
  assert.equal({ 1: 'L', 0: 'M', 3: 'Q', 2: 'H' }[level], 'Q');
});

test('no QR for a code of another fair or one that cannot be a code', async () => {
  const other = await createFair(staff.token);
  assertProblem(await api('GET', `/job-fairs/${other.id}/registrations/${reg.code}/qr.svg`), 404, 'not_found');
  assertProblem(await api('GET', `/job-fairs/${fair.id}/registrations/O0O0O0O0/qr.svg`), 404, 'not_found');
  assertProblem(await api('GET', `/job-fairs/999999999/registrations/${reg.code}/qr.svg`), 404, 'not_found');
});
