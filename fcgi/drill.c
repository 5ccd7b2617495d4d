/*
 * GET /stats/records: the records one figure counts (API.md v1.1
 * "Statistics"), so anyone allowed to see a figure can see what makes it.
 * Each row has one query that lists exactly what its collector in stats.c
 * sums, by the same rule, with each record's contribution: count for 人次
 * and 家 rows, amount (yuan, 2 decimals) for 万元 rows.  Summed over all
 * pages, the contributions equal the figure; tests/api check that for
 * every row.
 *
 * Pages run newest first by the record's id (keyset, like every list).
 * Nothing personal is shown beyond names: no ID number, no phone.
 */
#include <string.h>

#include "query.h"
#include "resources.h"
#include "stats_api.h"

/* One row's drill-down: its query and how a result row reads.  Columns of
 * every query: id, then the fields its json() takes. */
struct drill {
	enum stat_code code;
	struct sql *sql; /* params: pattern, from, to, after id, limit */
	json_t *(*json)(struct req *, struct dbres *, int64_t *id, int *rc);
};

#define DAY(col) "DATE_FORMAT(" col ", '%Y-%m-%d')"

/* ---- Wage-arrears assistance: H, I --------------------------------- */

SQL(sql_h, "SELECT w.id, c.id, c.reference, w.name, " DAY(
	       "c.accepted_on") " FROM wage_case_workers w "
				"JOIN wage_cases c ON c.id = w.case_id "
				"JOIN units n ON n.id = c.unit_id "
				"WHERE n.path LIKE ? "
				"AND c.accepted_on BETWEEN ? AND ? "
				"AND w.id < ? ORDER BY w.id DESC LIMIT ?");
SQL(sql_i,
    "SELECT r.id, c.id, c.reference, w.name, r.amount, " DAY(
	"r.recovered_on") " FROM wage_recoveries r "
			  "JOIN wage_cases c ON c.id = r.case_id "
			  "JOIN wage_case_workers w ON w.id = r.worker_id "
			  "JOIN units n ON n.id = c.unit_id "
			  "WHERE n.path LIKE ? "
			  "AND r.recovered_on BETWEEN ? AND ? "
			  "AND r.id < ? ORDER BY r.id DESC LIMIT ?");

static json_t *
h_json(struct req *r, struct dbres *q, int64_t *id, int *rc)
{
	int64_t cid;
	char *ref, *name, *on;

	if ((*rc = db_row(q, &r->arena, "iisss", id, &cid, &ref, &name, &on)) !=
	    1)
		return NULL;
	return json_pack("{s:I, s:s, s:i, s:I, s:s, s:s, s:s}", "id",
			 (json_int_t)*id, "kind", "wage_case_worker", "count",
			 1, "case_id", (json_int_t)cid, "reference", ref,
			 "name", name, "accepted_on", on);
}

static json_t *
i_json(struct req *r, struct dbres *q, int64_t *id, int *rc)
{
	int64_t cid, fen;
	char *ref, *name, *on;

	if ((*rc = db_row(q, &r->arena, "iissis", id, &cid, &ref, &name, &fen,
			  &on)) != 1)
		return NULL;
	return json_pack("{s:I, s:s, s:o, s:I, s:s, s:s, s:s}", "id",
			 (json_int_t)*id, "kind", "wage_recovery", "amount",
			 json_money(fen), "case_id", (json_int_t)cid,
			 "reference", ref, "name", name, "recovered_on", on);
}

static const struct drill drills[] = {
    {ST_H, &sql_h, h_json},
    {ST_I, &sql_i, i_json},
};

static const struct drill *
drill_of(const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < sizeof(drills) / sizeof(drills[0]); i++)
		if (strcmp(stat_defs[drills[i].code].code, code) == 0)
			return &drills[i];
	return NULL;
}

/*
 * GET /stats/records?row=&unit_id=&from=&to= (or &campaign_id=)
 * &limit=&cursor= (staff, admin).  Raises 400 for a row that no record
 * makes (B, E, F are entered, C and D are sums of C1..C11 and D1..D11),
 * what GET /stats raises otherwise, and 200 {row, value, yuan?, items:
 * [{id, kind, count | amount, ...}], next_cursor}.
 */
int
stats_records(struct req *r)
{
	const char *code = req_query(r, "row");
	const struct drill *d = drill_of(code);
	struct stats_scope s;
	int64_t v[ST__MAX], after, id = 0, last = 0;
	char wan[32], yuan[32];
	struct dbres q;
	json_t *items, *o, *it;
	int limit, rc, n = 0;

	if (d == NULL)
		return http_field_error(
		    r, "row", code && *code ? "enum" : "required",
		    "请选择由登记记录计算的一行：G、H、I、J1、J2、K1、K2、A、"
		    "C1–C11 或 D1–D11");
	if (req_page(r, &limit, &after) != 0)
		return 0;
	if ((rc = stats_scope(r, "unit_id", &s)) != 1)
		return rc;
	if (stats_compute(r->db, &r->arena,
			  stats_subtree(&r->arena, s.unit_path), s.from, s.to,
			  v) != 0)
		return HANDLER_DB;
	if (db_query(r->db, &q, d->sql, "sssii",
		     stats_subtree(&r->arena, s.unit_path), s.from, s.to, after,
		     (int64_t)limit + 1) != 0)
		return HANDLER_DB;
	items = json_array();
	while ((it = d->json(r, &q, &id, &rc)) != NULL) {
		if (n == limit) {
			json_decref(it);
			break;
		}
		json_array_append_new(items, it);
		last = id;
		n++;
	}
	db_end(&q);
	if (rc < 0) {
		json_decref(items);
		return HANDLER_DB;
	}
	o = json_pack("{s:s, s:o}", "row", stat_defs[d->code].code, "items",
		      items);
	if (stat_is_money(d->code)) {
		money_wan(v[d->code], wan);
		money_format(v[d->code], yuan);
		json_object_set_new(o, "value", json_string(wan));
		json_object_set_new(o, "yuan", json_string(yuan));
	} else
		json_object_set_new(o, "value", json_integer(v[d->code]));
	json_object_set_new(o, "next_cursor",
			    n == limit && rc == 1
				? json_string(page_cursor(r, last))
				: json_null());
	return http_json(r, 200, o);
}
