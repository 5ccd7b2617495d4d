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
	struct sql *sql; /* params: arg, pattern, from, to, after id, limit */
	json_t *(*json)(struct req *, struct dbres *, int64_t *id, int *rc);
	const char *arg; /* a visit category, or NULL */
};

#define DAY(col) "DATE_FORMAT(" col ", '%Y-%m-%d')"

/* ---- Wage-arrears assistance: H, I --------------------------------- */

SQL(sql_h, "SELECT w.id, c.id, c.reference, w.name, " DAY(
	       "c.accepted_on") " FROM wage_case_workers w "
				"JOIN wage_cases c ON c.id = w.case_id "
				"JOIN units n ON n.id = c.unit_id "
				"WHERE ? IS NULL AND n.path LIKE ? "
				"AND c.accepted_on BETWEEN ? AND ? "
				"AND w.id < ? ORDER BY w.id DESC LIMIT ?");
SQL(sql_i,
    "SELECT r.id, c.id, c.reference, w.name, r.amount, " DAY(
	"r.recovered_on") " FROM wage_recoveries r "
			  "JOIN wage_cases c ON c.id = r.case_id "
			  "JOIN wage_case_workers w ON w.id = r.worker_id "
			  "JOIN units n ON n.id = c.unit_id "
			  "WHERE ? IS NULL AND n.path LIKE ? "
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

/* ---- Safe return home: G ------------------------------------------ */

SQL(sql_g, "SELECT s.id, s.traveler_name, s.party_size, s.status, " DAY(
	       "s.depart_on") " FROM safe_returns s "
			      "JOIN units n ON n.id = s.unit_id "
			      "WHERE ? IS NULL AND n.path LIKE ? "
			      "AND s.status IN ('departed', 'arrived') "
			      "AND s.depart_on BETWEEN ? AND ? "
			      "AND s.id < ? ORDER BY s.id DESC LIMIT ?");

static json_t *
g_json(struct req *r, struct dbres *q, int64_t *id, int *rc)
{
	int64_t party;
	char *name, *status, *on;

	if ((*rc = db_row(q, &r->arena, "isiss", id, &name, &party, &status,
			  &on)) != 1)
		return NULL;
	return json_pack("{s:I, s:s, s:I, s:s, s:s, s:s}", "id",
			 (json_int_t)*id, "kind", "safe_return", "count",
			 (json_int_t)party, "name", name, "status", status,
			 "depart_on", on);
}

/* ---- Winter visits: A, C1-C11, D1-D11, J1, J2 -------------------- */

#define VISIT_COLS                                                             \
	"v.id, v.kind, v.category, v.enterprise_name, v.people_count, "        \
	"v.cash_amount + v.goods_value, " DAY("v.visited_on")

/* Worker visits of one category (C1..C11 count people, D1..D11 money),
 * or medical visits when the argument is NULL (J1 people, J2 money). */
SQL(sql_visits, "SELECT " VISIT_COLS " FROM visits v "
		"STRAIGHT_JOIN units n ON n.id = v.unit_id "
		"WHERE v.deleted_at IS NULL "
		"AND ((? IS NULL AND v.kind = 'medical_frontline') OR "
		"(v.kind = 'worker' AND v.category = ?)) "
		"AND n.path LIKE ? AND v.visited_on BETWEEN ? AND ? "
		"AND v.id < ? ORDER BY v.id DESC LIMIT ?");
/*
 * Row A: the period's enterprise visits, each contributing 1 when it is
 * the first (lowest id) visit of its enterprise and 0 otherwise, the
 * enterprise decided exactly as stats.c's rows_visits() decides it.
 */
SQL(sql_a, "WITH e AS (SELECT v.id, v.enterprise_name_key AS k, "
	   "v.enterprise_credit_code AS c FROM visits v "
	   "STRAIGHT_JOIN units n ON n.id = v.unit_id "
	   "WHERE v.kind = 'enterprise' AND v.deleted_at IS NULL "
	   "AND ? IS NULL AND n.path LIKE ? AND v.visited_on BETWEEN ? AND ?), "
	   "coded AS (SELECT k, MIN(c) AS c FROM e WHERE c IS NOT NULL "
	   "GROUP BY k), "
	   "keyed AS (SELECT e.id, COALESCE(CONCAT('c:', e.c), "
	   "CONCAT('c:', coded.c), CONCAT('n:', e.k)) AS firm "
	   "FROM e LEFT JOIN coded ON coded.k = e.k), "
	   "firsts AS (SELECT MIN(id) AS id FROM keyed GROUP BY firm) "
	   "SELECT " VISIT_COLS ", keyed.id IN (SELECT id FROM firsts) "
	   "FROM keyed JOIN visits v ON v.id = keyed.id "
	   "WHERE keyed.id < ? ORDER BY keyed.id DESC LIMIT ?");

struct visit_row {
	int64_t people, fen, first;
	char *kind, *category, *firm, *on;
};

/* A visit's row: with first (row A) the SQL adds whether it is the first
 * visit of its enterprise.  NULL at the end of the rows. */
static json_t *
visit_row_json(struct req *r, struct dbres *q, int64_t *id, int *rc,
	       struct visit_row *v, int first)
{
	memset(v, 0, sizeof(*v));
	*rc = first
		  ? db_row(q, &r->arena, "isssiisi", id, &v->kind, &v->category,
			   &v->firm, &v->people, &v->fen, &v->on, &v->first)
		  : db_row(q, &r->arena, "isssiis", id, &v->kind, &v->category,
			   &v->firm, &v->people, &v->fen, &v->on);
	if (*rc != 1)
		return NULL;
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:s}", "id",
			 (json_int_t)*id, "kind", "visit", "visit_kind",
			 v->kind, "category", json_str_or_null(v->category),
			 "enterprise_name", json_str_or_null(v->firm),
			 "visited_on", v->on);
}

/* C1-C11, J1: the people a visit counts. */
static json_t *
visit_people_json(struct req *r, struct dbres *q, int64_t *id, int *rc)
{
	struct visit_row v;
	json_t *o = visit_row_json(r, q, id, rc, &v, 0);

	if (o != NULL)
		json_object_set_new(o, "count", json_integer(v.people));
	return o;
}

/* D1-D11, J2: the cash and goods a visit handed over. */
static json_t *
visit_money_json(struct req *r, struct dbres *q, int64_t *id, int *rc)
{
	struct visit_row v;
	json_t *o = visit_row_json(r, q, id, rc, &v, 0);

	if (o != NULL)
		json_object_set_new(o, "amount", json_money(v.fen));
	return o;
}

/* A: 1 for the first visit of each enterprise, 0 for the others. */
static json_t *
a_json(struct req *r, struct dbres *q, int64_t *id, int *rc)
{
	struct visit_row v;
	json_t *o = visit_row_json(r, q, id, rc, &v, 1);

	if (o != NULL)
		json_object_set_new(o, "count", json_integer(v.first ? 1 : 0));
	return o;
}

/* ---- Recruitment fairs: K1, K2 ------------------------------------ */

/* K1: the placements stats.c counts, one each. */
SQL(sql_k1,
    "SELECT pl.id, f.id, f.title, g.name, e.name, p.title, " DAY(
	"pl.placed_on") " FROM fair_placements pl "
			"JOIN fair_positions p ON p.id = pl.position_id "
			"JOIN fair_employers e ON e.id = pl.employer_id "
			"JOIN fair_registrations g "
			"ON g.id = pl.registration_id "
			"JOIN job_fairs f ON f.id = pl.fair_id "
			"JOIN units n ON n.id = f.unit_id "
			"WHERE ? IS NULL AND n.path LIKE ? "
			"AND pl.placed_on BETWEEN ? AND ? "
			"AND p.kind IN ('work_study', 'social_practice') "
			"AND g.kind = 'student' AND g.hardship_family = 1 "
			"AND g.status <> 'cancelled' "
			"AND pl.id < ? ORDER BY pl.id DESC LIMIT ?");
/*
 * K2: the employers stats.c's rows_fairs() looks at, each contributing 1
 * when it is the first (lowest id) of its credit code among them and 0
 * otherwise, so that a caring enterprise at two fairs counts once.
 */
SQL(sql_k2, "WITH e AS (SELECT e.id, e.credit_code AS c FROM fair_employers e "
	    "JOIN job_fairs f ON f.id = e.fair_id "
	    "JOIN units n ON n.id = f.unit_id "
	    "WHERE ? IS NULL AND n.path LIKE ? "
	    "AND f.status IN ('published', 'closed') "
	    "AND f.starts_at >= ? AND f.starts_at < ? + INTERVAL 1 DAY "
	    "AND e.caring = 1 AND EXISTS (SELECT 1 FROM fair_positions p "
	    "WHERE p.employer_id = e.id "
	    "AND p.kind IN ('work_study', 'social_practice'))), "
	    "firsts AS (SELECT MIN(id) AS id FROM e GROUP BY c) "
	    "SELECT x.id, x.name, x.credit_code, f.id, f.title, " DAY(
		"f.starts_at") ", x.id IN (SELECT id FROM firsts) "
			       "FROM e JOIN fair_employers x ON x.id = e.id "
			       "JOIN job_fairs f ON f.id = x.fair_id "
			       "WHERE e.id < ? ORDER BY e.id DESC LIMIT ?");

static json_t *
k1_json(struct req *r, struct dbres *q, int64_t *id, int *rc)
{
	int64_t fid;
	char *fair, *name, *employer, *position, *on;

	if ((*rc = db_row(q, &r->arena, "iisssss", id, &fid, &fair, &name,
			  &employer, &position, &on)) != 1)
		return NULL;
	return json_pack("{s:I, s:s, s:i, s:I, s:s, s:s, s:s, s:s, s:s}", "id",
			 (json_int_t)*id, "kind", "fair_placement", "count", 1,
			 "fair_id", (json_int_t)fid, "fair_title", fair, "name",
			 name, "employer_name", employer, "position_title",
			 position, "placed_on", on);
}

static json_t *
k2_json(struct req *r, struct dbres *q, int64_t *id, int *rc)
{
	int64_t fid, first;
	char *name, *code, *fair, *on;

	if ((*rc = db_row(q, &r->arena, "ississi", id, &name, &code, &fid,
			  &fair, &on, &first)) != 1)
		return NULL;
	return json_pack("{s:I, s:s, s:i, s:s, s:s, s:I, s:s, s:s}", "id",
			 (json_int_t)*id, "kind", "fair_employer", "count",
			 first ? 1 : 0, "name", name, "credit_code", code,
			 "fair_id", (json_int_t)fid, "fair_title", fair,
			 "starts_on", on);
}

#define CATEGORY(n)                                                            \
	{ST_C##n, &sql_visits, visit_people_json, "C" #n},                     \
	{                                                                      \
		ST_D##n, &sql_visits, visit_money_json, "C" #n                 \
	}

static const struct drill drills[] = {
    {ST_A, &sql_a, a_json, NULL},
    CATEGORY(1),
    CATEGORY(2),
    CATEGORY(3),
    CATEGORY(4),
    CATEGORY(5),
    CATEGORY(6),
    CATEGORY(7),
    CATEGORY(8),
    CATEGORY(9),
    CATEGORY(10),
    CATEGORY(11),
    {ST_G, &sql_g, g_json, NULL},
    {ST_H, &sql_h, h_json, NULL},
    {ST_I, &sql_i, i_json, NULL},
    {ST_J1, &sql_visits, visit_people_json, NULL},
    {ST_J2, &sql_visits, visit_money_json, NULL},
    {ST_K1, &sql_k1, k1_json, NULL},
    {ST_K2, &sql_k2, k2_json, NULL},
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
	const char *sub;
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
	sub = stats_subtree(&r->arena, s.unit_path);
	/* The figure the page adds up to, from the cache /stats fills:
	 * paging through a row's records need not recompute the table. */
	if (stats_table(r, &s, sub, v) != 0)
		return HANDLER_DB;
	/* The visits query reads its argument twice. */
	if ((d->sql == &sql_visits
		 ? db_query(req_reader(r), &q, d->sql, "sssssii", d->arg,
			    d->arg, sub, s.from, s.to, after,
			    (int64_t)limit + 1)
		 : db_query(req_reader(r), &q, d->sql, "ssssii", d->arg, sub,
			    s.from, s.to, after, (int64_t)limit + 1)) != 0)
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
