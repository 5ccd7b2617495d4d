/*
 * Winter visits (走访慰问): the visits volunteers and staff log in the
 * field -- to enterprises, to workers of the official table's categories
 * C1-C11, to front-line medical staff -- with the money and goods handed
 * over.  They feed rows A, C1-C11, D1-D11, J1 and J2 (stats.c,
 * rows_visits()).
 *
 * Visibility: admins see every visit, staff the visits of their unit's
 * subtree, volunteers the visits they logged.  A visit outside that, or
 * deleted, is answered 404, exactly like one that does not exist.
 *
 * Changes: the creator may change a visit for EDIT_DAYS days after logging
 * it; staff of the subtree and admins at any time.  DELETE is soft: the
 * row stays, marked deleted, and the audit log keeps it as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "auth.h"
#include "locks.h"
#include "query.h"
#include "resources.h"
#include "stats.h"

/* How long the creator may change a visit (API.md "Winter visits"); the
 * SQL below spells the same interval. */
#define EDIT_DAYS 7
#define PEOPLE_MAX 10000

enum kind { K_ENTERPRISE, K_WORKER, K_MEDICAL };

static const char *const kinds[] = {"enterprise", "worker", "medical_frontline",
				    NULL};

/* The official categories; their wording is the table's (stat_defs), read
 * through the row that counts the people of each. */
static const char *const categories[] = {"C1", "C2", "C3", "C4",  "C5",	 "C6",
					 "C7", "C8", "C9", "C10", "C11", NULL};
static const enum stat_code category_rows[] = {
    ST_C1, ST_C2, ST_C3, ST_C4,	 ST_C5,	 ST_C6,
    ST_C7, ST_C8, ST_C9, ST_C10, ST_C11,
};

/* ---- Field tables ------------------------------------------------- */

struct location_in {
	uint64_t has;
	double lat;
	double lng;
};

static const struct vfield location_fields[] = {
    F(struct location_in, "lat", "纬度", VT_NUMBER, V_REQ, -90, 90, lat),
    F(struct location_in, "lng", "经度", VT_NUMBER, V_REQ, -180, 180, lng),
};
static const struct vtable location_table =
    VTABLE(location_fields, struct location_in);

struct visit_in {
	uint64_t has;
	int64_t unit_id;
	char visited_on[11];
	int kind;
	int category;
	char *enterprise_name;
	char enterprise_credit_code[19];
	int64_t people_count;
	int64_t cash_amount;
	int64_t goods_value;
	struct location_in location;
	char *note;
};

enum {
	X_UNIT,
	X_DAY,
	X_KIND,
	X_CATEGORY,
	X_ENTERPRISE,
	X_CREDIT,
	X_PEOPLE,
	X_CASH,
	X_GOODS,
	X_LOCATION,
	X_NOTE,
	X__MAX
};

/* clang-format off: one row per field reads better than the packed form. */
// clang-format off
#define VISIT_FIELDS(req)                                                      \
    [X_UNIT] = F(struct visit_in, "unit_id", "所属工会", VT_INT, 0, 1,         \
		 INT64_MAX, unit_id),                                          \
    [X_DAY] = F(struct visit_in, "visited_on", "走访日期", VT_DATE, req, 0, 0, \
		visited_on),                                                   \
    [X_KIND] = FE(struct visit_in, "kind", "走访类型", req, kind, kinds),     \
    [X_CATEGORY] = FE(struct visit_in, "category", "慰问对象类别", 0,         \
		      category, categories),                                   \
    [X_ENTERPRISE] = F(struct visit_in, "enterprise_name", "企业名称",        \
		       VT_STRING, 0, 1, 100, enterprise_name),                 \
    [X_CREDIT] = F(struct visit_in, "enterprise_credit_code",                  \
		   "统一社会信用代码", VT_CREDIT, 0, 0, 0,                     \
		   enterprise_credit_code),                                    \
    [X_PEOPLE] = F(struct visit_in, "people_count", "慰问人次", VT_INT, 0, 0, \
		   PEOPLE_MAX, people_count),                                  \
    [X_CASH] = F(struct visit_in, "cash_amount", "慰问金", VT_MONEY, 0, 0,    \
		 MONEY_MAX_FEN, cash_amount),                                  \
    [X_GOODS] = F(struct visit_in, "goods_value", "物品折价", VT_MONEY, 0, 0, \
		  MONEY_MAX_FEN, goods_value),                                 \
    [X_LOCATION] = FO(struct visit_in, "location", "位置", 0, location,       \
		      &location_table),                                        \
    [X_NOTE] = F(struct visit_in, "note", "备注", VT_STRING, V_MULTI, 0,      \
		 2000, note)
// clang-format on

static const struct vfield create_fields[] = {VISIT_FIELDS(V_REQ)};
static const struct vtable create_table =
    VTABLE(create_fields, struct visit_in);

/* A PATCH names only what changes; null clears an optional field. */
static const struct vfield patch_fields[] = {VISIT_FIELDS(0)};
static const struct vtable patch_table = VTABLE(patch_fields, struct visit_in);

/* The request tables above, for the tests that walk every table
 * (resources.h FIELD_TABLES). */
const struct vtable_ref visit_tables[] = {
    {"visits.create", &create_table},
    {"visits.patch", &patch_table},
    {NULL, NULL},
};

/* The fields a PATCH may clear with null; the others always hold a value. */
static const int clearable[X__MAX] = {
    [X_CATEGORY] = 1, [X_ENTERPRISE] = 1, [X_CREDIT] = 1,
    [X_LOCATION] = 1, [X_NOTE] = 1,
};

/* ---- SQL ------------------------------------------------------------ */

#define TS(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s+08:00')"
#define DAY(col) "DATE_FORMAT(" col ", '%Y-%m-%d')"

// clang-format off
#define VISIT_COLS                                                             \
	"v.id, v.unit_id, n.path, " DAY("v.visited_on") ", v.kind, "           \
	"v.category, v.enterprise_name, v.enterprise_credit_code, "            \
	"v.people_count, v.cash_amount, v.goods_value, v.lat, v.lng, "         \
	"v.note, v.created_by, "                                               \
	"(SELECT u.display_name FROM users u WHERE u.id = v.created_by), "     \
	TS("v.created_at") ", "                                                \
	TS("v.updated_at") ", v.version, "                                     \
	"v.created_at > NOW() - INTERVAL 7 DAY, "                              \
	TS("v.created_at + INTERVAL 7 DAY")
#define VISIT_FROM                                                             \
	" FROM visits v STRAIGHT_JOIN units n ON n.id = v.unit_id "
// clang-format on

SQL(sql_visit,
    "SELECT " VISIT_COLS VISIT_FROM "WHERE v.id = ? AND v.deleted_at IS NULL");
SQL(sql_visit_lock, "SELECT " VISIT_COLS VISIT_FROM
		    "WHERE v.id = ? AND v.deleted_at IS NULL FOR UPDATE");
/*
 * STRAIGHT_JOIN: the records are read newest first by primary key and the
 * scan stops at the page's end.  Left to itself, with the parameters of a
 * prepared statement unknown when it plans, the optimizer started from
 * units and sorted a whole subtree's records: 1.9 s for one page of the
 * safe-return list at 300,000 records (bench/stats.sh measures the lists).
 */
SQL(sql_list,
    "SELECT " VISIT_COLS VISIT_FROM "WHERE v.id < ? AND v.deleted_at IS NULL "
    "AND n.path LIKE CONCAT(?, '%') "
    "AND (? IS NULL OR v.created_by = ?) "
    "AND (? IS NULL OR n.path LIKE CONCAT(?, '%')) "
    "AND (? IS NULL OR v.kind = ?) "
    "AND (? IS NULL OR v.category = ?) "
    "AND (? IS NULL OR v.visited_on >= ?) "
    "AND (? IS NULL OR v.visited_on <= ?) "
    "ORDER BY v.id DESC LIMIT ?");
SQL(sql_insert, "INSERT INTO visits (unit_id, visited_on, kind, category, "
		"enterprise_name, enterprise_name_key, "
		"enterprise_credit_code, people_count, cash_amount, "
		"goods_value, lat, lng, note, created_by, created_at, "
		"updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"?, ?)");
SQL(sql_update, "UPDATE visits SET unit_id = ?, visited_on = ?, kind = ?, "
		"category = ?, enterprise_name = ?, enterprise_name_key = ?, "
		"enterprise_credit_code = ?, people_count = ?, "
		"cash_amount = ?, goods_value = ?, lat = ?, lng = ?, "
		"note = ?, version = version + 1, updated_at = NOW() "
		"WHERE id = ?");
SQL(sql_delete, "UPDATE visits SET deleted_at = NOW(), deleted_by = ?, "
		"version = version + 1, updated_at = NOW() WHERE id = ?");

/* ---- The enterprise of a visit, for row A ------------------------------ */

/* Reads one UTF-8 sequence at s (valid: the JSON parser checked it). */
static unsigned
utf8_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	unsigned c = p[0];
	int n = 0;

	if (c >= 0xF0) {
		c &= 0x07;
		n = 3;
	} else if (c >= 0xE0) {
		c &= 0x0F;
		n = 2;
	} else if (c >= 0xC0) {
		c &= 0x1F;
		n = 1;
	}
	for (p++; n > 0 && (*p & 0xC0) == 0x80; n--, p++)
		c = (c << 6) | (*p & 0x3F);
	*s = p;
	return c;
}

static size_t
utf8_put(unsigned c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static int
is_space(unsigned c)
{
	return c == ' ' || c == 0xA0 || c == 0x3000 ||
	       (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F ||
	       c == 0xFEFF;
}

/*
 * The key row A counts an enterprise by when the visit gives no credit
 * code (docs/visits.md): the name without any white space, full-width
 * ASCII forms (Ａ, １, （) folded to ASCII, Latin letters in upper case.
 * "常州 某某（集团）有限公司" and "常州某某(集团)有限公司" are one key.
 * Returns NULL for NULL.
 */
static char *
name_key(struct arena *a, const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	char *out, *o;
	unsigned c;

	if (name == NULL)
		return NULL;
	o = out = arena_alloc(a, strlen(name) + 1);
	while (*s != '\0') {
		c = utf8_next(&s);
		if (is_space(c))
			continue;
		if (c >= 0xFF01 && c <= 0xFF5E)
			c -= 0xFEE0;
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		o += utf8_put(c, o);
	}
	*o = '\0';
	return out;
}

/* ---- Reading visits ---------------------------------------------------- */

struct visit_row {
	int64_t id, unit_id, people, cash, goods, created_by, version;
	int64_t editable; /* created less than EDIT_DAYS days ago */
	char *unit_path, *visited_on, *kind, *category;
	char *enterprise, *credit, *lat, *lng, *note, *creator_name;
	char *created_at, *updated_at, *editable_until;
};

#define VISIT_FMT "iissssssiiisssisssiis"
#define VISIT_ARGS(v)                                                          \
	&(v)->id, &(v)->unit_id, &(v)->unit_path, &(v)->visited_on,            \
	    &(v)->kind, &(v)->category, &(v)->enterprise, &(v)->credit,        \
	    &(v)->people, &(v)->cash, &(v)->goods, &(v)->lat, &(v)->lng,       \
	    &(v)->note, &(v)->created_by, &(v)->creator_name,                  \
	    &(v)->created_at, &(v)->updated_at, &(v)->version, &(v)->editable, \
	    &(v)->editable_until

/* Returns 1 found, 0 none (or deleted), -1 on a failure. */
static int
read_visit(struct req *r, struct sql *s, int64_t id, struct visit_row *v)
{
	memset(v, 0, sizeof(*v));
	return db_one(r->db, &r->arena, s, "i", VISIT_FMT, id, VISIT_ARGS(v));
}

static int
may_see(const struct req *r, const struct visit_row *v)
{
	if (r->user->role == ROLE_VOLUNTEER)
		return v->created_by == r->user->id;
	return auth_in_subtree(r->user, v->unit_path);
}

static json_t *
visit_json(const struct visit_row *v)
{
	json_t *loc = json_null();

	if (v->lat != NULL && v->lng != NULL)
		loc = json_pack("{s:f, s:f}", "lat", strtod(v->lat, NULL),
				"lng", strtod(v->lng, NULL));
	return json_pack(
	    "{s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:I, s:o, s:o, s:o, "
	    "s:o, s:I, s:s, s:s, s:s, s:I, s:s}",
	    "id", (json_int_t)v->id, "unit_id", (json_int_t)v->unit_id,
	    "visited_on", v->visited_on, "kind", v->kind, "category",
	    json_str_or_null(v->category), "enterprise_name",
	    json_str_or_null(v->enterprise), "enterprise_credit_code",
	    json_str_or_null(v->credit), "people_count", (json_int_t)v->people,
	    "cash_amount", json_money(v->cash), "goods_value",
	    json_money(v->goods), "location", loc, "note",
	    json_str_or_null(v->note), "created_by", (json_int_t)v->created_by,
	    "created_by_name", v->creator_name, "created_at", v->created_at,
	    "updated_at", v->updated_at, "version", (json_int_t)v->version,
	    "editable_until", v->editable_until);
}

/* Loads a visit the caller may see, locked for update when asked;
 * answers 404 otherwise.  Returns 1 found, 0 answered, HANDLER_DB. */
static int
load_visible(struct req *r, int lock, struct visit_row *v)
{
	int rc =
	    read_visit(r, lock ? &sql_visit_lock : &sql_visit, req_id(r, 0), v);

	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0 || !may_see(r, v)) {
		http_problem(r, 404, "not_found", "没有这条走访记录");
		return 0;
	}
	return 1;
}

/* Answers with the visit as it now stands, with its ETag and, when
 * given, its audit row (action, before: stolen). */
static int
answer_visit(struct req *r, int status, int64_t id, const char *action,
	     json_t *before)
{
	struct visit_row v;

	if (read_visit(r, &sql_visit, id, &v) <= 0) {
		json_decref(before);
		return HANDLER_DB;
	}
	if (action != NULL &&
	    audit(r, action, "visits", id, before, visit_json(&v)) != 0)
		return HANDLER_DB;
	http_etag(r, v.version);
	return http_json(r, status, visit_json(&v));
}

/* ---- Rules across fields ---------------------------------------------- */

/* A visit as it will be stored, after defaults (POST) or the stored
 * values (PATCH) fill what the body leaves out. */
struct visit_new {
	int64_t unit_id;
	const char *visited_on;
	int kind;     /* -1 when the body's kind was invalid */
	int category; /* -1 for none */
	const char *enterprise, *credit;
	int has_people;
	int64_t people, cash, goods;
	char lat[24], lng[24]; /* "" for no location */
	const char *note;
};

static int
has_error(const struct verrs *e, const char *field)
{
	size_t i;
	json_t *err;

	json_array_foreach(e->list, i, err)
	{
		if (strcmp(json_string_value(json_object_get(err, "field")),
			   field) == 0)
			return 1;
	}
	return 0;
}

/*
 * A moment in Asia/Shanghai (UTC+8, no daylight saving): as the database
 * takes it in our sessions' time zone, "YYYY-MM-DD HH:MM:SS", or as the
 * API writes timestamps, RFC 3339 with "+08:00" (rfc set).  Returns out.
 */
static char *
clock_text(time_t t, int rfc, char *out, size_t size)
{
	time_t local = t + 8 * 3600;
	struct tm tm;

	gmtime_r(&local, &tm);
	strftime(out, size,
		 rfc ? "%Y-%m-%dT%H:%M:%S+08:00" : "%Y-%m-%d %H:%M:%S", &tm);
	return out;
}

/*
 * The rules of API.md "Winter visits" that tie fields together: a
 * category for worker visits and for nothing else, an enterprise name for
 * enterprise visits, at least one person unless an enterprise was visited,
 * and no visit in the future.  A field that already has an error is not
 * judged again.
 */
static void
check_rules(const struct visit_new *v, struct verrs *e)
{
	char now[11];

	valid_today(now);
	if (v->visited_on != NULL && !has_error(e, "visited_on") &&
	    strcmp(v->visited_on, now) > 0)
		verrs_add(e, "visited_on", "out_of_range",
			  "走访日期不能晚于今天");
	/* Before the union's records begin is a typo (1900 for 2026),
	 * which would vanish from every figure.  Campaigns of past years
	 * may still be entered after the fact. */
	else if (v->visited_on != NULL && !has_error(e, "visited_on") &&
		 strcmp(v->visited_on, RECORDS_SINCE) < 0)
		verrs_add(e, "visited_on", "out_of_range",
			  "走访日期不能早于 2000 年，请核对年份");
	if (v->kind < 0)
		return;
	if (!has_error(e, "category")) {
		if (v->kind == K_WORKER && v->category < 0)
			verrs_add(e, "category", "required",
				  "慰问职工须选择慰问对象类别");
		else if (v->kind != K_WORKER && v->category >= 0)
			verrs_add(e, "category", "not_allowed",
				  "只有慰问职工才选择慰问对象类别");
	}
	if (v->kind == K_ENTERPRISE && v->enterprise == NULL &&
	    !has_error(e, "enterprise_name"))
		verrs_add(e, "enterprise_name", "required",
			  "走访企业须填写企业名称");
	if (v->kind != K_ENTERPRISE && !has_error(e, "people_count")) {
		if (!v->has_people)
			verrs_add(e, "people_count", "required",
				  "请填写慰问人次");
		else if (v->people < 1)
			verrs_add(e, "people_count", "out_of_range",
				  "慰问人次应在 1 到 10000 之间");
	}
}

/* Overlays what the body sets on n. */
static void
apply_body(const struct visit_in *in, struct visit_new *n)
{
#define SET(bit) (in->has & VBIT(bit))
	if (SET(X_UNIT))
		n->unit_id = in->unit_id;
	if (SET(X_DAY))
		n->visited_on = in->visited_on;
	if (SET(X_KIND))
		n->kind = in->kind;
	if (SET(X_CATEGORY))
		n->category = in->category;
	if (SET(X_ENTERPRISE))
		n->enterprise = in->enterprise_name;
	if (SET(X_CREDIT))
		n->credit = in->enterprise_credit_code;
	if (SET(X_PEOPLE)) {
		n->has_people = 1;
		n->people = in->people_count;
	}
	if (SET(X_CASH))
		n->cash = in->cash_amount;
	if (SET(X_GOODS))
		n->goods = in->goods_value;
	if (SET(X_LOCATION)) {
		snprintf(n->lat, sizeof(n->lat), "%.6f", in->location.lat);
		snprintf(n->lng, sizeof(n->lng), "%.6f", in->location.lng);
	}
	if (SET(X_NOTE))
		n->note = in->note;
#undef SET
}

/*
 * Is unit a unit the caller may log visits for?  Their own unit and its
 * subtree (admins: any).  *path receives the unit's path, which the period
 * lock then needs: looked up once, here.  Returns 1 yes, 0 answered (400
 * unknown unit, 403 another unit), HANDLER_DB.
 */
static int
check_unit(struct req *r, int64_t unit, char **path)
{
	int rc;

	/* The common case costs no query: the caller's own unit. */
	if (unit == r->user->unit_id) {
		*path = r->user->unit_path;
		return 1;
	}
	if ((rc = unit_path(r, unit, path)) < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_field_error(r, "unit_id", "unknown",
					"所选工会不存在"),
		       0;
	if (!auth_in_subtree(r->user, *path))
		return http_problem(r, 403, "forbidden",
				    "只能为本单位及下级单位登记走访"),
		       0;
	return 1;
}

/*
 * The period lock (locks.h) over a visit dated day of the unit at path: a
 * visit counts in rows A, C, D and J by its visited_on, in its unit.
 * Returns 0, 1 (409 answered), HANDLER_DB.
 */
static int
visit_locked(struct req *r, const char *path, const char *day)
{
	return period_locked(r, path, day);
}

static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/* ---- Handlers -------------------------------------------------------- */

/*
 * GET /visits/categories (public).  Raises 200 {items: [{code: "C1",
 * label}]}: the categories of the official table in its wording, taken
 * from the table's rows (stat_defs) without their column heading.
 */
int
visits_categories(struct req *r)
{
	json_t *items = json_array();
	size_t i;

	for (i = 0; i < sizeof(category_rows) / sizeof(category_rows[0]); i++) {
		const struct stat_def *d = &stat_defs[category_rows[i]];
		const char *cut = strstr(d->label, " · ");

		json_array_append_new(items,
				      json_pack("{s:s, s:s%}", "code", d->code,
						"label", d->label,
						cut ? (size_t)(cut - d->label)
						    : strlen(d->label)));
	}
	return http_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
 * POST /visits (volunteer, staff, admin) {unit_id?, visited_on, kind,
 * category?, enterprise_name?, enterprise_credit_code?, people_count?,
 * cash_amount?, goods_value?, location? {lat, lng}, note?}.  unit_id
 * defaults to the caller's unit; people_count to 0 for enterprise visits;
 * the amounts to 0.  Raises 400 with every invalid field (category
 * "required" for a worker visit and "not_allowed" for any other,
 * enterprise_name "required" for an enterprise visit, people_count
 * "out_of_range" below 1 unless an enterprise was visited, visited_on
 * "out_of_range" in the future, unit_id "unknown"), 403 for a unit outside
 * the caller's subtree, 409 "period_locked" when visited_on lies in an
 * approved period of the unit (locks.h), 201 with Location and ETag and
 * the visit otherwise.
 */
int
visits_create(struct req *r)
{
	struct visit_in in;
	struct visit_new n;
	struct visit_row v;
	struct verrs e;
	char stored[20], at[26], until[26], *path = NULL;
	time_t now;
	int64_t id;
	int rc;

	memset(&in, 0, sizeof(in));
	memset(&n, 0, sizeof(n));
	verrs_init(&e);
	http_validate(r, &create_table, &in, &e);
	n.unit_id = r->user->unit_id;
	n.kind = -1;
	n.category = -1;
	apply_body(&in, &n);
	check_rules(&n, &e);
	if (http_refused(r, &e))
		return 0;
	if ((rc = check_unit(r, n.unit_id, &path)) != 1)
		return rc;
	if ((rc = visit_locked(r, path, n.visited_on)) != 0)
		return rc < 0 ? HANDLER_DB : 0;
	now = time(NULL);
	clock_text(now, 0, stored, sizeof(stored));
	if (db_exec(r->db, &sql_insert, "issssssiiisssiss", n.unit_id,
		    n.visited_on, kinds[n.kind],
		    n.category >= 0 ? categories[n.category] : NULL,
		    n.enterprise, name_key(&r->arena, n.enterprise), n.credit,
		    n.people, n.cash, n.goods, nonempty(n.lat), nonempty(n.lng),
		    n.note, r->user->id, stored, stored) < 0)
		return HANDLER_DB;
	id = db_last_id(r->db);

	/* The hottest write of the campaign answers from what it stored,
	 * without reading the row back: one round trip less per visit. */
	memset(&v, 0, sizeof(v));
	v.id = id;
	v.unit_id = n.unit_id;
	v.visited_on = (char *)n.visited_on;
	v.kind = (char *)kinds[n.kind];
	v.category = n.category >= 0 ? (char *)categories[n.category] : NULL;
	v.enterprise = (char *)n.enterprise;
	v.credit = (char *)n.credit;
	v.people = n.people;
	v.cash = n.cash;
	v.goods = n.goods;
	v.lat = (char *)nonempty(n.lat);
	v.lng = (char *)nonempty(n.lng);
	v.note = (char *)n.note;
	v.created_by = r->user->id;
	v.creator_name = r->user->display_name;
	v.created_at = v.updated_at = clock_text(now, 1, at, sizeof(at));
	v.editable_until =
	    clock_text(now + EDIT_DAYS * 86400, 1, until, sizeof(until));
	v.version = 1;
	if (audit(r, "visit.create", "visits", id, NULL, visit_json(&v)) != 0)
		return HANDLER_DB;
	http_header(r, "Location: /api/v1/visits/%lld", (long long)id);
	http_etag(r, 1);
	return http_json(r, 201, visit_json(&v));
}

/*
 * GET /visits?unit_id=&kind=&category=&from=&to=&created_by=me&limit=
 * &cursor= (volunteer, staff, admin).  unit_id selects that unit and its
 * subtree; from/to bound visited_on, both days included; created_by=me
 * keeps the caller's own visits.  Volunteers see only the visits they
 * logged.  Raises 400 naming the bad parameter, 200 {items, next_cursor}
 * newest first otherwise.  Deleted visits are never listed.
 */
int
visits_list(struct req *r)
{
	static const char *const me[] = {"me", NULL};
	const char *kind, *category, *from, *to, *by;
	char *upath = NULL;
	int64_t after, last = 0, mine;
	struct visit_row v;
	struct verrs e;
	struct dbres res;
	json_t *items;
	int limit, n = 0, rc = 0;

	if (req_page(r, &limit, &after) != 0)
		return 0;
	verrs_init(&e);
	kind = query_enum(r, "kind", kinds, &e);
	category = query_enum(r, "category", categories, &e);
	by = query_enum(r, "created_by", me, &e);
	query_period(r, &from, &to, &e);
	if (query_unit(r, "unit_id", &upath, &e) != 0) {
		verrs_free(&e);
		return HANDLER_DB;
	}
	if (http_refused(r, &e))
		return 0;
	mine = by != NULL || r->user->role == ROLE_VOLUNTEER;
	/* A volunteer's own visits, wherever they were logged. */
	if (db_query(r->db, &res, &sql_list, "isIissssssssssi", after,
		     r->user->role == ROLE_VOLUNTEER ? "/" : scope_path(r),
		     (int)mine, r->user->id, r->user->id, upath, upath, kind,
		     kind, category, category, from, from, to, to,
		     (int64_t)limit + 1) != 0)
		return HANDLER_DB;
	items = json_array();
	while (n <= limit &&
	       (rc = db_row(&res, &r->arena, VISIT_FMT, VISIT_ARGS(&v))) == 1) {
		if (n == limit)
			break;
		json_array_append_new(items, visit_json(&v));
		last = v.id;
		n++;
	}
	db_end(&res);
	if (rc < 0) {
		json_decref(items);
		return HANDLER_DB;
	}
	return http_page(r, items, rc == 1 && n == limit, last);
}

/*
 * GET /visits/{id} (volunteer, staff, admin).  Raises 404 when the visit
 * does not exist, was deleted or is not the caller's to see, 200 with the
 * visit and its ETag otherwise.
 */
int
visits_get(struct req *r)
{
	struct visit_row v;
	int rc;

	if ((rc = load_visible(r, 0, &v)) != 1)
		return rc;
	http_etag(r, v.version);
	return http_json(r, 200, visit_json(&v));
}

/*
 * PATCH /visits/{id} (the creator within 7 days of logging it, staff of
 * the subtree, admin; If-Match) with any of the fields of POST; null
 * clears category, enterprise_name, enterprise_credit_code, location and
 * note.  The visit as changed must keep the rules of POST.  Raises 400
 * (also for an empty change, or null for a field that always holds a
 * value), 404, 403 "edit_window_closed" for the creator after 7 days, 403
 * for a unit outside the caller's subtree, 428, 412, 409 "period_locked"
 * when the visit's day, before or after the change, lies in an approved
 * period of its unit, 200 with the visit otherwise.
 */
int
visits_patch(struct req *r)
{
	struct visit_in in;
	struct visit_new n;
	struct visit_row v;
	struct verrs e;
	json_t *before;
	char *path;
	int rc, i, clear[X__MAX] = {0};

	memset(&in, 0, sizeof(in));
	verrs_init(&e);
	http_validate(r, &patch_table, &in, &e);
	for (i = 0; r->json != NULL && i < X__MAX; i++) {
		json_t *j = json_object_get(r->json, patch_fields[i].name);

		if (j == NULL || !json_is_null(j))
			continue;
		if (clearable[i])
			clear[i] = 1;
		else
			verrs_add(&e, patch_fields[i].name, "required",
				  arena_printf(&r->arena, "%s不能为空",
					       patch_fields[i].label));
	}
	if (e.n == 0 && (r->json == NULL || json_object_size(r->json) == 0))
		verrs_add(&e, "", "required", "请至少修改一个字段");
	if (e.n > 0) {
		http_invalid(r, &e);
		verrs_free(&e);
		return 0;
	}
	if ((rc = load_visible(r, 1, &v)) != 1) {
		verrs_free(&e);
		return rc;
	}
	if (r->user->role == ROLE_VOLUNTEER && !v.editable) {
		verrs_free(&e);
		return http_problem(
		    r, 403, "edit_window_closed",
		    "走访记录登记 7 天后只能由工会工作人员修改");
	}
	if (req_if_match(r, v.version) != 0) {
		verrs_free(&e);
		return 0;
	}

	memset(&n, 0, sizeof(n));
	n.unit_id = v.unit_id;
	n.visited_on = v.visited_on;
	n.kind = valid_enum_index(kinds, v.kind);
	n.category =
	    clear[X_CATEGORY] ? -1 : valid_enum_index(categories, v.category);
	n.enterprise = clear[X_ENTERPRISE] ? NULL : v.enterprise;
	n.credit = clear[X_CREDIT] ? NULL : v.credit;
	n.has_people = 1;
	n.people = v.people;
	n.cash = v.cash;
	n.goods = v.goods;
	if (!clear[X_LOCATION] && v.lat != NULL && v.lng != NULL) {
		snprintf(n.lat, sizeof(n.lat), "%s", v.lat);
		snprintf(n.lng, sizeof(n.lng), "%s", v.lng);
	}
	n.note = clear[X_NOTE] ? NULL : v.note;
	apply_body(&in, &n);
	check_rules(&n, &e);
	if (http_refused(r, &e))
		return 0;
	path = v.unit_path;
	if (n.unit_id != v.unit_id &&
	    (rc = check_unit(r, n.unit_id, &path)) != 1)
		return rc;
	/* Locked where it was, and where it goes. */
	if ((rc = visit_locked(r, v.unit_path, v.visited_on)) != 0 ||
	    ((n.unit_id != v.unit_id || strcmp(n.visited_on, v.visited_on)) &&
	     (rc = visit_locked(r, path, n.visited_on)) != 0))
		return rc < 0 ? HANDLER_DB : 0;
	if (db_exec(r->db, &sql_update, "issssssiiisssi", n.unit_id,
		    n.visited_on, kinds[n.kind],
		    n.category >= 0 ? categories[n.category] : NULL,
		    n.enterprise, name_key(&r->arena, n.enterprise), n.credit,
		    n.people, n.cash, n.goods, nonempty(n.lat), nonempty(n.lng),
		    n.note, v.id) < 0)
		return HANDLER_DB;
	before = visit_json(&v);
	return answer_visit(r, 200, v.id, "visit.update", before);
}

/*
 * DELETE /visits/{id} (staff of the subtree, admin; If-Match optional).
 * The visit is kept, marked deleted: it leaves every list and figure, and
 * the audit log holds it as it was.  Raises 404 (also when deleted
 * already), 412 on a stale If-Match, 409 "period_locked" when its day lies
 * in an approved period of its unit, 204 otherwise.
 */
int
visits_delete(struct req *r)
{
	struct visit_row v;
	int rc;

	if ((rc = load_visible(r, 1, &v)) != 1)
		return rc;
	if (r->if_match != NULL && req_if_match(r, v.version) != 0)
		return 0;
	if ((rc = visit_locked(r, v.unit_path, v.visited_on)) != 0)
		return rc < 0 ? HANDLER_DB : 0;
	if (db_exec(r->db, &sql_delete, "ii", r->user->id, v.id) < 0)
		return HANDLER_DB;
	if (audit(r, "visit.delete", "visits", v.id, visit_json(&v), NULL) != 0)
		return HANDLER_DB;
	return http_empty(r, 204);
}
