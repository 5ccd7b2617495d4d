/*
 * The entered rows of the statistics table (API.md v1.1 "Statistics"):
 * B1-B6 筹集慰问款物 by source, E1-E5 帮扶救助 and F1-F3 服务 are figures no
 * record of this system makes, so each unit types them in once per
 * campaign.  B, E and F are always the sums of their parts, never typed.
 *
 * Who: staff of the unit itself and admins write; staff of the unit's
 * subtree above it read (the district sees what its towns entered).  The
 * entries of a campaign cannot change while the unit's report for it is
 * submitted (409 already_submitted: the approver returns it first) or
 * once it, or an ancestor's, is approved (409 period_locked).
 */
#include <mysqld_error.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "campaigns.h"
#include "locks.h"
#include "resources.h"
#include "stats_api.h"

/* The entered rows in the form's order: six amounts, then eight counts. */
#define NENT 14
#define NMONEY 6
static const enum stat_code ent[NENT] = {
    ST_B1, ST_B2, ST_B3, ST_B4, ST_B5, ST_B6, ST_E1,
    ST_E2, ST_E3, ST_E4, ST_E5, ST_F1, ST_F2, ST_F3,
};

/* A plausible ceiling for one unit's 人次 in one campaign. */
#define COUNT_MAX 10000000

/* ---- Field tables ------------------------------------------------- */

struct values_in {
	uint64_t has;
	int64_t v[NENT]; /* fen for B1-B6 */
};

struct notes_in {
	uint64_t has;
	char *n[NENT];
};

struct entries_in {
	uint64_t has;
	int64_t unit_id, campaign_id;
	struct values_in values;
	struct notes_in notes;
};

#define MONEY(i, code, label)                                                  \
	F(struct values_in, code, code " " label, VT_MONEY, 0, 0,              \
	  MONEY_MAX_FEN, v[i])
#define COUNT(i, code, label)                                                  \
	F(struct values_in, code, code " " label, VT_INT, 0, 0, COUNT_MAX, v[i])
#define NOTE(i, code)                                                          \
	F(struct notes_in, code, code " 备注", VT_STRING, V_MULTI, 0, 2000,    \
	  n[i])

static const struct vfield value_fields[NENT] = {
    MONEY(0, "B1", "中央财政"),
    MONEY(1, "B2", "地方财政"),
    MONEY(2, "B3", "工会经费"),
    MONEY(3, "B4", "社会捐助"),
    MONEY(4, "B5", "行政拨付"),
    MONEY(5, "B6", "其他收入"),
    COUNT(6, "E1", "落实民生政策"),
    COUNT(7, "E2", "提供生活救助"),
    COUNT(8, "E3", "提供医疗救助"),
    COUNT(9, "E4", "提供子女助学救助"),
    COUNT(10, "E5", "提供其他帮扶救助"),
    COUNT(11, "F1", "提供心理健康服务"),
    COUNT(12, "F2", "提供文化服务"),
    COUNT(13, "F3", "提供其他生活保障服务"),
};
static const struct vtable value_table = VTABLE(value_fields, struct values_in);

static const struct vfield note_fields[NENT] = {
    NOTE(0, "B1"),  NOTE(1, "B2"),  NOTE(2, "B3"),  NOTE(3, "B4"),
    NOTE(4, "B5"),  NOTE(5, "B6"),  NOTE(6, "E1"),  NOTE(7, "E2"),
    NOTE(8, "E3"),  NOTE(9, "E4"),  NOTE(10, "E5"), NOTE(11, "F1"),
    NOTE(12, "F2"), NOTE(13, "F3"),
};
static const struct vtable note_table = VTABLE(note_fields, struct notes_in);

enum { K_UNIT, K_CAMPAIGN, K_VALUES, K_NOTES };

static const struct vfield entries_fields[] = {
    [K_UNIT] = F(struct entries_in, "unit_id", "填报单位", VT_INT, V_REQ, 1,
		 INT64_MAX, unit_id),
    [K_CAMPAIGN] = F(struct entries_in, "campaign_id", "活动", VT_INT, V_REQ, 1,
		     INT64_MAX, campaign_id),
    [K_VALUES] = FO(struct entries_in, "values", "填报数字", V_REQ, values,
		    &value_table),
    [K_NOTES] = FO(struct entries_in, "notes", "备注", 0, notes, &note_table),
};
static const struct vtable entries_table =
    VTABLE(entries_fields, struct entries_in);

/* The request tables above, for the tests that walk every table
 * (resources.h FIELD_TABLES). */
const struct vtable_ref entry_tables[] = {
    {"entries.put", &entries_table},
    {NULL, NULL},
};

/* ---- SQL ------------------------------------------------------------ */

#define TS(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s+08:00')"
#define VALUE_COLS "b1, b2, b3, b4, b5, b6, e1, e2, e3, e4, e5, f1, f2, f3"
#define SUM_COLS                                                               \
	"SUM(e.b1), SUM(e.b2), SUM(e.b3), SUM(e.b4), SUM(e.b5), SUM(e.b6), "   \
	"SUM(e.e1), SUM(e.e2), SUM(e.e3), SUM(e.e4), SUM(e.e5), "              \
	"SUM(e.f1), SUM(e.f2), SUM(e.f3)"

SQL(sql_get, "SELECT e.id, " VALUE_COLS ", e.notes, e.version, " TS(
		 "e.updated_at") ", u.display_name FROM stat_entries e "
				 "LEFT JOIN users u ON u.id = e.updated_by "
				 "WHERE e.unit_id = ? AND e.campaign_id = ?");
SQL(sql_get_lock, "SELECT id, version FROM stat_entries "
		  "WHERE unit_id = ? AND campaign_id = ? FOR UPDATE");
SQL(sql_insert, "INSERT INTO stat_entries (unit_id, campaign_id, " VALUE_COLS
		", notes, created_by, updated_by, created_at, updated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"?, ?, NOW(), NOW())");
SQL(sql_update, "UPDATE stat_entries SET b1 = ?, b2 = ?, b3 = ?, b4 = ?, "
		"b5 = ?, b6 = ?, e1 = ?, e2 = ?, e3 = ?, e4 = ?, e5 = ?, "
		"f1 = ?, f2 = ?, f3 = ?, notes = ?, updated_by = ?, "
		"updated_at = NOW(), version = version + 1 WHERE id = ?");
SQL(sql_sum_campaign, "SELECT COUNT(*), " SUM_COLS " FROM stat_entries e "
		      "JOIN units n ON n.id = e.unit_id "
		      "WHERE n.path LIKE ? AND e.campaign_id = ?");
SQL(sql_sum_period, "SELECT COUNT(*), " SUM_COLS " FROM stat_entries e "
		    "JOIN units n ON n.id = e.unit_id "
		    "JOIN campaigns c ON c.id = e.campaign_id "
		    "WHERE n.path LIKE ? AND c.from_date >= ? "
		    "AND c.to_date <= ?");
SQL(sql_standing, "SELECT state FROM stat_submissions "
		  "WHERE unit_id = ? AND campaign_id = ? AND active = 1");

/* ---- Roll-up ---------------------------------------------------------- */

int
entries_add(struct db *db, struct arena *a, const char *pattern,
	    int64_t campaign_id, const char *from, const char *to,
	    int64_t v[ST__MAX])
{
	int64_t n = 0, x[NENT];
	int rc, i;

#define XS                                                                     \
	&n, &x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &x[6], &x[7], &x[8],     \
	    &x[9], &x[10], &x[11], &x[12], &x[13]
	if (campaign_id > 0)
		rc = db_one(db, a, &sql_sum_campaign, "si", "iiiiiiiiiiiiiii",
			    pattern, campaign_id, XS);
	else
		rc = db_one(db, a, &sql_sum_period, "sss", "iiiiiiiiiiiiiii",
			    pattern, from, to, XS);
#undef XS
	if (rc < 0)
		return -1;
	if (n == 0)
		return 0;
	for (i = 0; i < NENT; i++)
		v[ent[i]] = x[i];
	return 0;
}

/* ---- One unit's entries ---------------------------------------------- */

struct entries {
	int64_t id, version;
	int64_t v[NENT];
	int null[NENT];
	char *notes, *updated_at, *updated_by;
};

/* 1 found, 0 none, HANDLER_DB. */
static int
read_entries(struct req *r, int64_t unit, int64_t campaign, struct entries *e)
{
	int rc;

	memset(e, 0, sizeof(*e));
	rc = db_one(r->db, &r->arena, &sql_get, "ii", "iIIIIIIIIIIIIIIsiss",
		    unit, campaign, &e->id, &e->v[0], &e->null[0], &e->v[1],
		    &e->null[1], &e->v[2], &e->null[2], &e->v[3], &e->null[3],
		    &e->v[4], &e->null[4], &e->v[5], &e->null[5], &e->v[6],
		    &e->null[6], &e->v[7], &e->null[7], &e->v[8], &e->null[8],
		    &e->v[9], &e->null[9], &e->v[10], &e->null[10], &e->v[11],
		    &e->null[11], &e->v[12], &e->null[12], &e->v[13],
		    &e->null[13], &e->notes, &e->version, &e->updated_at,
		    &e->updated_by);
	if (rc == 0)
		for (int i = 0; i < NENT; i++)
			e->null[i] = 1;
	return rc < 0 ? HANDLER_DB : rc;
}

/* A row's entered value as the contract writes it: "12.50" yuan for B1-B6,
 * a count for the others, null when not entered. */
static json_t *
value_json(int i, int64_t v, int null)
{
	if (null)
		return json_null();
	return i < NMONEY ? json_money(v) : json_integer(v);
}

/*
 * {unit_id, unit_name, campaign_id, values: {B1..F3}, sums: {B, E, F},
 * notes, version, updated_at, updated_by, submission, lock}.  version is 0
 * while nothing is entered.
 */
static json_t *
entries_json(const struct stats_scope *s, const struct entries *e)
{
	json_t *values = json_object(), *notes = NULL, *o;
	int64_t b = 0, ee = 0, f = 0;
	int i;

	for (i = 0; i < NENT; i++) {
		json_object_set_new(values, stat_defs[ent[i]].code,
				    value_json(i, e->v[i], e->null[i]));
		if (e->null[i])
			continue;
		if (i < NMONEY)
			b += e->v[i];
		else if (ent[i] <= ST_E5)
			ee += e->v[i];
		else
			f += e->v[i];
	}
	if (e->notes != NULL)
		notes = json_loads(e->notes, 0, NULL);
	if (!json_is_object(notes)) {
		json_decref(notes);
		notes = json_object();
	}
	o = json_pack("{s:I, s:s, s:I, s:o, s:{s:o, s:I, s:I}, s:o, s:I, "
		      "s:o, s:o}",
		      "unit_id", (json_int_t)s->unit_id, "unit_name",
		      s->unit_name, "campaign_id", (json_int_t)s->campaign_id,
		      "values", values, "sums", "B", json_money(b), "E",
		      (json_int_t)ee, "F", (json_int_t)f, "notes", notes,
		      "version", (json_int_t)e->version, "updated_at",
		      json_str_or_null(e->updated_at), "updated_by",
		      json_str_or_null(e->updated_by));
	return o;
}

/* Adds the unit's standing submission and the lock over it, if any. */
static int
add_state(struct req *r, const struct stats_scope *s, json_t *o)
{
	struct submission sub;
	struct lock l;
	int rc;

	if ((rc = submission_latest(r, s->unit_id, s->campaign_id, &sub)) < 0)
		return HANDLER_DB;
	json_object_set_new(
	    o, "submission",
	    rc == 0 ? json_null()
		    : json_pack(
			  "{s:I, s:s, s:s, s:s, s:o, s:I}", "id",
			  (json_int_t)sub.id, "state", sub.state, "state_label",
			  submission_state_label(sub.state), "submitted_at",
			  sub.submitted_at, "note", json_str_or_null(sub.note),
			  "version", (json_int_t)sub.version));
	if ((rc = lock_find(r, s->unit_path, NULL, s->campaign_id, &l)) < 0)
		return HANDLER_DB;
	json_object_set_new(o, "lock", rc == 1 ? lock_json(&l) : json_null());
	return 0;
}

/*
 * GET /stats/entries?unit_id=&campaign_id= (staff of the unit's subtree,
 * admin).  unit_id defaults to the caller's unit, campaign_id to the
 * latest campaign.  Raises 400 (a bad parameter, dates instead of a
 * campaign), 404 for a unit outside the caller's subtree, 200 {unit_id,
 * unit_name, campaign_id, values: {"B1": "12.50" | null, ..., "E1": 3 |
 * null, ...}, sums: {B, E, F}, notes, version, updated_at, updated_by,
 * submission: {id, state, state_label, submitted_at, note, version} |
 * null, lock: {...} | null} with ETag "<version>" once entries exist.
 * Amounts are in yuan, like every amount typed in.
 */
int
stats_entries_get(struct req *r)
{
	struct stats_scope s;
	struct entries e;
	json_t *o;
	int rc;

	if ((rc = stats_scope(r, "unit_id", &s)) != 1)
		return rc;
	if (s.campaign_id == 0)
		return http_field_error(r, "campaign_id", "required",
					"填报的数字属于某一次活动，请选择活动");
	if ((rc = read_entries(r, s.unit_id, s.campaign_id, &e)) < 0)
		return HANDLER_DB;
	o = entries_json(&s, &e);
	if (add_state(r, &s, o) != 0) {
		json_decref(o);
		return HANDLER_DB;
	}
	if (rc == 1)
		http_etag(r, e.version);
	return http_json(r, 200, o);
}

/* The notes given, as the JSON text stored (NULL when none). */
static char *
notes_text(struct req *r, const struct entries_in *in)
{
	json_t *o = json_object();
	char *s, *out = NULL;
	int i;

	for (i = 0; i < NENT; i++)
		if (in->notes.has & VBIT(i))
			json_object_set_new(o, stat_defs[ent[i]].code,
					    json_string(in->notes.n[i]));
	if (json_object_size(o) > 0 &&
	    (s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) != NULL) {
		out = arena_strdup(&r->arena, s);
		free(s);
	}
	json_decref(o);
	return out;
}

/*
 * PUT /stats/entries {unit_id, campaign_id, values: {"B1": "12.50", ...,
 * "E1": 3, ..., "F3": 0}, notes?: {"B4": "..."}} (staff of the unit,
 * admin; If-Match once entries exist).  Sets the unit's figures of B1-B6
 * (yuan, at most 2 decimals), E1-E5 and F1-F3 (integers 0-10000000) for
 * the campaign; a row left out or null is not entered.  B, E and F are
 * computed, never accepted.  Raises 400 with every invalid field at once
 * (values.B7 unknown_field, values.E2 type ...; unit_id or campaign_id
 * unknown), 403 for staff of another unit, 428 without If-Match once
 * entries exist, 412 on a stale one (or If-Match before any entries), 409
 * already_submitted while the unit's report waits for approval, 409
 * period_locked once it or an ancestor's is approved; 201 when the first
 * entries are made, 200 after, with the entries and their ETag.  Audited.
 */
int
stats_entries_put(struct req *r)
{
	struct entries_in in;
	struct entries before, after;
	struct stats_scope s;
	struct verrs e;
	char *state = NULL, *notes;
	int64_t id = 0, version = 0;
	int rc, found, i;
	long long ok;
	int has[NENT];

	memset(&in, 0, sizeof(in));
	verrs_init(&e);
	http_validate(r, &entries_table, &in, &e);
	if (stats_scope_body(r, (in.has & VBIT(K_UNIT)) != 0, in.unit_id,
			     (in.has & VBIT(K_CAMPAIGN)) != 0, in.campaign_id,
			     &s, &e) != 0) {
		verrs_free(&e);
		return HANDLER_DB;
	}
	if (http_refused(r, &e))
		return 0;
	if (r->user->role != ROLE_ADMIN && r->user->unit_id != in.unit_id)
		return http_problem(r, 403, "forbidden",
				    "只有本单位的工作人员可以填报本单位的数字");

	if ((found = db_one(r->db, &r->arena, &sql_get_lock, "ii", "ii",
			    s.unit_id, s.campaign_id, &id, &version)) < 0)
		return HANDLER_DB;
	if (found) {
		if (req_if_match(r, version) != 0)
			return 0;
	} else if (r->if_match != NULL && *r->if_match != '\0')
		return http_problem(r, 412, "precondition_failed",
				    "该单位本次活动还没有填报的数字，"
				    "请刷新后重试");
	if ((rc = campaign_locked(r, s.unit_path, s.campaign_id)) != 0)
		return rc < 0 ? HANDLER_DB : 0;
	if ((rc = db_one(r->db, &r->arena, &sql_standing, "ii", "s", s.unit_id,
			 s.campaign_id, &state)) < 0)
		return HANDLER_DB;
	if (rc == 1)
		return http_problem(r, 409, "already_submitted",
				    "本单位的报表已上报，正等待上级审核；"
				    "如需修改，请上级先退回");
	if (read_entries(r, s.unit_id, s.campaign_id, &before) < 0)
		return HANDLER_DB;

	for (i = 0; i < NENT; i++)
		has[i] = (in.values.has & VBIT(i)) != 0;
	notes = notes_text(r, &in);
#define VS(x)                                                                  \
	has[0], x[0], has[1], x[1], has[2], x[2], has[3], x[3], has[4], x[4],  \
	    has[5], x[5], has[6], x[6], has[7], x[7], has[8], x[8], has[9],    \
	    x[9], has[10], x[10], has[11], x[11], has[12], x[12], has[13],     \
	    x[13]
	if (found)
		ok = db_exec(r->db, &sql_update, "IIIIIIIIIIIIIIsii",
			     VS(in.values.v), notes, r->user->id, id);
	else
		ok = db_exec(r->db, &sql_insert, "iiIIIIIIIIIIIIIIsii",
			     s.unit_id, s.campaign_id, VS(in.values.v), notes,
			     r->user->id, r->user->id);
#undef VS
	if (ok < 0) {
		/* Another request made the first entries meanwhile. */
		if (!found && r->db->err == ER_DUP_ENTRY)
			return http_problem(r, 412, "precondition_failed",
					    "数字已被他人填报，请刷新后重试");
		return HANDLER_DB;
	}
	if (read_entries(r, s.unit_id, s.campaign_id, &after) <= 0)
		return HANDLER_DB;
	if (audit(r, found ? "stat_entries.update" : "stat_entries.create",
		  "stat_entries", after.id,
		  found ? entries_json(&s, &before) : NULL,
		  entries_json(&s, &after)) != 0)
		return HANDLER_DB;
	http_etag(r, after.version);
	{
		json_t *o = entries_json(&s, &after);

		if (add_state(r, &s, o) != 0) {
			json_decref(o);
			return HANDLER_DB;
		}
		return http_json(r, found ? 200 : 201, o);
	}
}
