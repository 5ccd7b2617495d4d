/*
 * Helpers for the statistics tests: one row of a /stats answer, and the
 * drill-down of a figure summed over all its pages.
 */
import assert from 'node:assert/strict';
import { api, show } from './lib.mjs';

export const row = (rows, code) => rows.find((r) => r.code === code);

/* GET /stats and insist on 200; the query string without "?". */
export async function stats(token, query) {
  const res = await api('GET', `/stats?${query}`, { token });
  assert.equal(res.status, 200, show(res));
  return res.json;
}

/* Fen of a "1234.50" yuan string, exactly. */
export function fen(yuan) {
  const m = /^(\d+)\.(\d\d)$/.exec(yuan);
  assert.ok(m, `a 2-decimal amount: ${yuan}`);
  return Number(m[1]) * 100 + Number(m[2]);
}

/*
 * Every item GET /stats/records?row=CODE&QUERY lists, following
 * next_cursor with pages of `limit`; checks that every page states the
 * same figure and returns {value, yuan, items, total}, total being the sum
 * of the contributions (a count, or fen for 万元 rows).
 */
export async function drill(token, code, query, { limit = 50 } = {}) {
  const items = [];
  let cursor = null;
  let first;
  for (let page = 0; page < 1000; page++) {
    const c = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const res = await api('GET', `/stats/records?row=${code}&${query}&limit=${limit}${c}`, { token });
    assert.equal(res.status, 200, show(res));
    const b = res.json;
    assert.equal(b.row, code);
    first ??= b;
    assert.equal(b.value, first.value, 'every page states the same figure');
    items.push(...b.items);
    cursor = b.next_cursor;
    if (!cursor) break;
  }
  const money = first.yuan !== undefined;
  const total = items.reduce((s, i) => s + (money ? fen(i.amount) : i.count), 0);
  return { value: first.value, yuan: first.yuan, items, total };
}

/*
 * For each row code, GET /stats's figure for the unit and period equals
 * the sum of its drill-down's contributions, every page followed.
 */
export async function drillEqualsFigures(token, unitId, from, to, codes, { limit = 3 } = {}) {
  const q = `unit_id=${unitId}&from=${from}&to=${to}`;
  const s = await stats(token, q);
  for (const code of codes) {
    const r = row(s.rows, code);
    assert.ok(r, `row ${code} in /stats`);
    const d = await drill(token, code, q, { limit });
    assert.equal(d.value, r.value, `${code}: the drill-down states the figure`);
    const want = r.yuan !== undefined ? fen(r.yuan) : r.value;
    assert.equal(d.total, want, `${code}: its records add up to the figure`);
    assert.equal(new Set(d.items.map((i) => i.id)).size, d.items.length, `${code}: no record twice`);
  }
}
