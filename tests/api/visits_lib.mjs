/*
 * Helpers for the visit tests (visits.test.mjs, visits_stats.test.mjs):
 * a valid body of each kind, logging a visit, the visits a SQL count finds,
 * and the rows of `swn-worker stats` by code.
 */
import assert from 'node:assert/strict';
import { api, show } from './lib.mjs';
import { sql } from './db_lib.mjs';

/* A valid body of each kind; over replaces top-level fields. */
export function workerVisit(over = {}) {
  return { visited_on: '2021-01-20', kind: 'worker', category: 'C7', people_count: 2,
    cash_amount: '500.00', goods_value: '120.50', ...over };
}
export function enterpriseVisit(over = {}) {
  return { visited_on: '2021-01-20', kind: 'enterprise', enterprise_name: '常州某机械有限公司', ...over };
}
export function medicalVisit(over = {}) {
  return { visited_on: '2021-01-20', kind: 'medical_frontline', people_count: 5,
    goods_value: '300.00', ...over };
}

/* POST /visits and insist on 201; returns the visit. */
export async function logVisit(token, body, opts = {}) {
  const res = await api('POST', '/visits', { token, body, ...opts });
  assert.equal(res.status, 201, `log visit: ${show(res)}`);
  return res.json;
}

/* The version in a strong ETag "<n>". */
export function etagOf(res) {
  const m = /^"(\d+)"$/.exec(res.headers.get('etag') || '');
  assert.ok(m, `a strong ETag: ${res.headers.get('etag')}`);
  return Number(m[1]);
}

/* Rows stored with this note, deleted ones included, straight from SQL. */
export function storedWithNote(note) {
  return Number(sql(`SELECT COUNT(*) FROM visits WHERE note = '${note.replace(/'/g, "''")}'`)[0][0]);
}

/* Moves a visit's created_at back by days, as if it was logged then. */
export function ageVisit(id, days) {
  sql(`UPDATE visits SET created_at = created_at - INTERVAL ${Number(days)} DAY WHERE id = ${Number(id)}`);
}

/* The audit rows of one visit, oldest first: [{action, before, after}]. */
export function auditOf(id) {
  return sql(`SELECT action, COALESCE(before_json, 'null'), COALESCE(after_json, 'null') FROM audit_log ` +
    `WHERE table_name = 'visits' AND record_id = ${Number(id)} ORDER BY id`)
    .map(([action, before, after]) => ({ action, before: JSON.parse(before), after: JSON.parse(after) }));
}

/* The rows of a stats answer as {code: row}. */
export function rowsByCode(stats) {
  return Object.fromEntries(stats.rows.map((r) => [r.code, r]));
}
