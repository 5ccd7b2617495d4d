/*
 * Reporting the table (API.md v1.1 "Statistics"), in the manner of DHIS2's
 * data approval: a unit submits its table for a campaign, which freezes
 * every figure in a snapshot; staff of a unit above it (or an admin)
 * approve it, which locks the records of the period (fcgi/locks.c), or
 * return it with a note, after which the unit corrects and submits anew;
 * an admin may reopen an approved one.  GET /stats/reporting shows a
 * parent which of its units have reported, and whether in time.
 *
 *   (none) --submit--> submitted --approve--> approved
 *                          |                      |
 *                       return                 reopen (admin)
 *                          v                      v
 *                       returned <----------------+
 *                          |
 *                       submit (a new submission)
 *
 * Staff never decide on their own unit's table: approve and return need
 * staff of a strict ancestor unit, or an admin (403 otherwise).
 */
#include <mysqld_error.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "campaigns.h"
#include "resources.h"
#include "stats_api.h"

static const char *const states[] = {"submitted", "approved", "returned", NULL};
static const char *const state_labels[] = {"已上报，待审核", "已审核通过",
					   "已退回"};

const char *
submission_state_label(const char *state)
{
	int i;

	for (i = 0; state != NULL && states[i] != NULL; i++)
		if (strcmp(states[i], state) == 0)
			return state_labels[i];
	return state ? state : "";
}

int
submission_stands(const struct submission *s)
{
	return strcmp(s->state, "submitted") == 0 ||
	       strcmp(s->state, "approved") == 0;
}

/* ---- Field tables ------------------------------------------------- */

struct submit_in {
	uint64_t has;
	int64_t unit_id, campaign_id;
};

enum { K_UNIT, K_CAMPAIGN };

static const struct vfield submit_fields[] = {
    [K_UNIT] = F(struct submit_in, "unit_id", "上报单位", VT_INT, V_REQ, 1,
		 INT64_MAX, unit_id),
    [K_CAMPAIGN] = F(struct submit_in, "campaign_id", "活动", VT_INT, V_REQ, 1,
		     INT64_MAX, campaign_id),
};
static const struct vtable submit_table =
    VTABLE(submit_fields, struct submit_in);

struct note_in {
	uint64_t has;
	char *note;
};

static const struct vfield return_fields[] = {
    F(struct note_in, "note", "退回意见", VT_STRING, V_REQ | V_MULTI, 1, 2000,
      note),
};
static const struct vtable return_table = VTABLE(return_fields, struct note_in);

static const struct vfield note_fields[] = {
    F(struct note_in, "note", "意见", VT_STRING, V_MULTI, 0, 2000, note),
};
static const struct vtable note_table = VTABLE(note_fields, struct note_in);

/* The request tables above, for the tests that walk every table
 * (resources.h FIELD_TABLES). */
const struct vtable_ref submission_tables[] = {
    {"submissions.submit", &submit_table},
    {"submissions.return", &return_table},
    {"submissions.note", &note_table},
    {NULL, NULL},
};

/* ---- SQL ------------------------------------------------------------ */

#define TS(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s+08:00')"

/* clang-format off */
#define SUB_COLS                                                               \
	"s.id, s.unit_id, n.name, n.path, s.campaign_id, c.title, s.state, "  \
	"s.snapshot, " TS("s.submitted_at") ", su.display_name, "             \
	TS("s.decided_at") ", du.display_name, s.note, "                      \
	TS("s.reopened_at") ", ru.display_name, s.version"
#define SUB_FROM                                                               \
	" FROM stat_submissions s JOIN units n ON n.id = s.unit_id "          \
	"JOIN campaigns c ON c.id = s.campaign_id "                           \
	"LEFT JOIN users su ON su.id = s.submitted_by "                       \
	"LEFT JOIN users du ON du.id = s.decided_by "                         \
	"LEFT JOIN users ru ON ru.id = s.reopened_by "
/* clang-format on */
#define SUB_FMT "iississssssssssi"

SQL(sql_get, "SELECT " SUB_COLS SUB_FROM "WHERE s.id = ?");
SQL(sql_latest,
    "SELECT " SUB_COLS SUB_FROM "WHERE s.unit_id = ? AND s.campaign_id = ? "
    "ORDER BY s.id DESC LIMIT 1");
SQL(sql_list, "SELECT " SUB_COLS SUB_FROM
	      "WHERE s.unit_id = ? AND s.campaign_id = ? AND s.id < ? "
	      "ORDER BY s.id DESC LIMIT ?");
/* Only the submission's own row is locked, not the units or users. */
SQL(sql_lock, "SELECT version FROM stat_submissions WHERE id = ? FOR UPDATE");
SQL(sql_standing_lock, "SELECT state FROM stat_submissions "
		       "WHERE unit_id = ? AND campaign_id = ? AND active = 1 "
		       "FOR UPDATE");
SQL(sql_insert, "INSERT INTO stat_submissions (unit_id, campaign_id, state, "
		"active, snapshot, submitted_by, submitted_at, updated_at) "
		"VALUES (?, ?, 'submitted', 1, ?, ?, NOW(), NOW())");
SQL(sql_approve, "UPDATE stat_submissions SET state = 'approved', "
		 "decided_by = ?, decided_at = NOW(), note = ?, "
		 "updated_at = NOW(), version = version + 1 WHERE id = ?");
SQL(sql_return, "UPDATE stat_submissions SET state = 'returned', "
		"active = NULL, decided_by = ?, decided_at = NOW(), "
		"note = ?, updated_at = NOW(), version = version + 1 "
		"WHERE id = ?");
SQL(sql_reopen, "UPDATE stat_submissions SET state = 'returned', "
		"active = NULL, reopened_by = ?, reopened_at = NOW(), "
		"note = ?, updated_at = NOW(), version = version + 1 "
		"WHERE id = ?");
/* Each child with its latest submission and whether it has entries; late
 * against the due date: a standing report by the day it was submitted,
 * anything else by today. */
SQL(sql_reporting,
    "SELECT u.id, u.name, s.id, s.state, " TS("s.submitted_at") ", " TS(
	"s.decided_at") ", s.note, s.version, e.id IS NOT NULL, "
			"CASE WHEN s.state IN ('submitted', 'approved') "
			"THEN DATE(s.submitted_at) > ? "
			"ELSE CURDATE() > ? END "
			"FROM units u "
			"LEFT JOIN stat_submissions s ON s.id = "
			"(SELECT MAX(x.id) FROM stat_submissions x "
			"WHERE x.unit_id = u.id AND x.campaign_id = ?) "
			"LEFT JOIN stat_entries e ON e.unit_id = u.id "
			"AND e.campaign_id = ? "
			"WHERE u.parent_id = ? ORDER BY u.id");

/* ---- Reading ------------------------------------------------------------ */

static int
read_row(struct dbres *q, struct arena *a, struct submission *s)
{
	memset(s, 0, sizeof(*s));
	return db_row(q, a, SUB_FMT, &s->id, &s->unit_id, &s->unit_name,
		      &s->unit_path, &s->campaign_id, &s->campaign_title,
		      &s->state, &s->snapshot, &s->submitted_at,
		      &s->submitted_by, &s->decided_at, &s->decided_by,
		      &s->note, &s->reopened_at, &s->reopened_by, &s->version);
}

/* Reads the first row of an open query into s and ends it: 1 found, 0
 * none, HANDLER_DB. */
static int
first_row(struct req *r, struct dbres *q, struct submission *s)
{
	int rc = read_row(q, &r->arena, s);

	db_end(q);
	return rc < 0 ? HANDLER_DB : rc;
}

/* Submission id: 1 found, 0 none, HANDLER_DB. */
static int
read_one(struct req *r, int64_t id, struct submission *s)
{
	struct dbres q;

	if (db_query(r->db, &q, &sql_get, "i", id) != 0)
		return HANDLER_DB;
	return first_row(r, &q, s);
}

int
submission_latest(struct req *r, int64_t unit_id, int64_t campaign_id,
		  struct submission *s)
{
	struct dbres q;

	if (db_query(r->db, &q, &sql_latest, "ii", unit_id, campaign_id) != 0)
		return HANDLER_DB;
	return first_row(r, &q, s);
}

int
snapshot_values(const char *snapshot, int64_t v[ST__MAX], json_t **violations)
{
	json_t *o = json_loads(snapshot, 0, NULL), *values, *x;
	int i;

	if (violations != NULL)
		*violations = NULL;
	values = json_object_get(o, "values");
	if (!json_is_object(values)) {
		json_decref(o);
		return -1;
	}
	for (i = 0; i < ST__MAX; i++) {
		x = json_object_get(values, stat_defs[i].code);
		v[i] = json_is_integer(x) ? (int64_t)json_integer_value(x)
					  : STAT_NONE;
	}
	if (violations != NULL) {
		*violations = json_object_get(o, "violations");
		if (!json_is_array(*violations))
			*violations = json_array();
		else
			json_incref(*violations);
	}
	json_decref(o);
	return 0;
}

/* The snapshot as answered: what was reported, without the raw values. */
static json_t *
snapshot_json(const char *text)
{
	json_t *o = json_loads(text, 0, NULL);

	if (!json_is_object(o)) {
		json_decref(o);
		return json_null();
	}
	json_object_del(o, "values");
	return o;
}

static json_t *
submission_json(const struct submission *s, int with_snapshot)
{
	json_t *o = json_pack(
	    "{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, "
	    "s:o, s:o, s:I}",
	    "id", (json_int_t)s->id, "unit_id", (json_int_t)s->unit_id,
	    "unit_name", s->unit_name, "campaign_id",
	    (json_int_t)s->campaign_id, "campaign_title", s->campaign_title,
	    "state", s->state, "state_label", submission_state_label(s->state),
	    "submitted_at", s->submitted_at, "submitted_by",
	    json_str_or_null(s->submitted_by), "decided_at",
	    json_str_or_null(s->decided_at), "decided_by",
	    json_str_or_null(s->decided_by), "note", json_str_or_null(s->note),
	    "reopened_at", json_str_or_null(s->reopened_at), "reopened_by",
	    json_str_or_null(s->reopened_by), "version",
	    (json_int_t)s->version);

	if (with_snapshot)
		json_object_set_new(o, "snapshot", snapshot_json(s->snapshot));
	return o;
}

/* Answers with the submission as it now stands, with its ETag. */
static int
answer(struct req *r, int status, int64_t id)
{
	struct submission s;

	if (read_one(r, id, &s) <= 0)
		return HANDLER_DB;
	http_etag(r, s.version);
	return http_json(r, status, submission_json(&s, 1));
}

/* The scope of a submission: its unit and its campaign's period. */
static int
scope_of(struct req *r, const struct submission *sub, struct stats_scope *s)
{
	struct campaign c;
	int rc;

	if ((rc = campaign_get(r, sub->campaign_id, &c)) <= 0)
		return HANDLER_DB;
	memset(s, 0, sizeof(*s));
	s->unit_id = sub->unit_id;
	s->unit_name = sub->unit_name;
	s->unit_path = sub->unit_path;
	stats_scope_campaign(s, &c);
	return 0;
}

/* ---- Submitting ----------------------------------------------------- */

/* {code: count or fen} of every row v holds. */
static json_t *
values_json(const int64_t v[ST__MAX])
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < ST__MAX; i++)
		if (v[i] != STAT_NONE)
			json_object_set_new(o, stat_defs[i].code,
					    json_integer(v[i]));
	return o;
}

/*
 * POST /stats/submissions {unit_id, campaign_id} (staff of the unit,
 * admin).  Raises 400 with every invalid field (unit_id or campaign_id
 * unknown), 403 for staff of another unit, 409 validation_rules when a
 * rule of level error fails (member violations lists every violation),
 * 409 already_submitted while a submission waits for approval, 409
 * already_approved once one is approved; 201 with Location and {id,
 * unit_id, unit_name, campaign_id, campaign_title, state: "submitted",
 * state_label, submitted_at, submitted_by, ..., version, snapshot: {from,
 * to, rows, violations}}: the whole table of the unit's subtree for the
 * campaign as it stands now, and the warnings it carried.  Audited.
 */
int
stats_submissions_create(struct req *r)
{
	struct submit_in in;
	struct stats_scope s;
	struct violations found;
	struct verrs e;
	int64_t v[ST__MAX], id;
	char *state = NULL, *text;
	json_t *snap;
	long long ok;
	int rc;

	memset(&in, 0, sizeof(in));
	verrs_init(&e);
	http_validate(r, &submit_table, &in, &e);
	if (stats_scope_body(r, (in.has & VBIT(K_UNIT)) != 0, in.unit_id,
			     (in.has & VBIT(K_CAMPAIGN)) != 0, in.campaign_id,
			     &s, &e) != 0)
		goto db;
	if (http_refused(r, &e))
		return 0;
	if (r->user->role != ROLE_ADMIN && r->user->unit_id != in.unit_id)
		return http_problem(r, 403, "forbidden",
				    "只有本单位的工作人员可以上报本单位的报表");
	if ((rc = db_one(r->db, &r->arena, &sql_standing_lock, "ii", "s",
			 in.unit_id, s.campaign_id, &state)) < 0)
		return HANDLER_DB;
	if (rc == 1 && strcmp(state, "approved") == 0)
		return http_problem(r, 409, "already_approved",
				    "本单位本次活动的报表已审核通过；"
				    "如需更正，请联系管理员重新开放");
	if (rc == 1)
		return http_problem(r, 409, "already_submitted",
				    "本单位本次活动的报表已上报，"
				    "正等待上级审核");
	if (stats_table(r, &s, stats_subtree(&r->arena, s.unit_path), v) != 0)
		return HANDLER_DB;
	if (rules_check(r, &s, v, &found) != 0)
		return HANDLER_DB;
	if (found.errors > 0) {
		const char *first = json_string_value(
		    json_object_get(json_array_get(found.items, 0), "message"));

		return http_problem_ext(
		    r, 409, "validation_rules",
		    arena_printf(&r->arena, "有 %d 项审核错误，不能上报：%s",
				 found.errors, first ? first : ""),
		    json_pack("{s:o, s:i, s:i}", "violations", found.items,
			      "errors", found.errors, "warnings",
			      found.warnings));
	}
	snap = json_pack("{s:s, s:s, s:o, s:o, s:o}", "from", s.from, "to",
			 s.to, "rows", stats_rows_json(v), "violations",
			 found.items, "values", values_json(v));
	text = json_dumps(snap, JSON_COMPACT);
	json_decref(snap);
	if (text == NULL)
		return HANDLER_DB;
	ok = db_exec(r->db, &sql_insert, "iisi", s.unit_id, s.campaign_id, text,
		     r->user->id);
	free(text);
	if (ok < 0) {
		/* A concurrent request submitted the same table first. */
		if (r->db->err == ER_DUP_ENTRY)
			return http_problem(r, 409, "already_submitted",
					    "本单位本次活动的报表已上报，"
					    "正等待上级审核");
		return HANDLER_DB;
	}
	id = db_last_id(r->db);
	if (audit(r, "stat_submission.submit", "stat_submissions", id, NULL,
		  json_pack("{s:I, s:I, s:s, s:o}", "unit_id",
			    (json_int_t)s.unit_id, "campaign_id",
			    (json_int_t)s.campaign_id, "state", "submitted",
			    "values", values_json(v))) != 0)
		return HANDLER_DB;
	http_header(r, "Location: /api/v1/stats/submissions/%lld",
		    (long long)id);
	return answer(r, 201, id);
db:
	verrs_free(&e);
	return HANDLER_DB;
}

/* ---- Deciding --------------------------------------------------------- */

/*
 * Loads submission {id} for a decision, its row locked: 404 unless the
 * caller's subtree holds the unit; 403 for staff of the unit itself (or,
 * with admin_only, for anyone but an admin); then If-Match (428, 412) and
 * the state it must be in (409 illegal_transition).  Returns 1 loaded, 0
 * answered, HANDLER_DB.
 */
static int
load_for_decision(struct req *r, const char *from_state, int admin_only,
		  struct submission *s)
{
	int64_t version;
	int rc;

	if ((rc = db_one(r->db, &r->arena, &sql_lock, "i", "i", req_id(r, 0),
			 &version)) < 0)
		return HANDLER_DB;
	if (rc == 1)
		rc = read_one(r, req_id(r, 0), s);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0 || !auth_in_subtree(r->user, s->unit_path))
		return http_problem(r, 404, "not_found", "没有这份报表"), 0;
	if (admin_only && r->user->role != ROLE_ADMIN)
		return http_problem(r, 403, "forbidden",
				    "只有管理员可以重新开放已审核的报表"),
		       0;
	if (r->user->role != ROLE_ADMIN &&
	    strcmp(r->user->unit_path, s->unit_path) == 0)
		return http_problem(r, 403, "forbidden",
				    "不能审核本单位自己上报的报表，"
				    "应由上级单位审核"),
		       0;
	if (req_if_match(r, s->version) != 0)
		return 0;
	if (strcmp(s->state, from_state) != 0)
		return http_problem(
			   r, 409, "illegal_transition",
			   arena_printf(&r->arena,
					"这份报表当前“%s”，不能这样操作",
					submission_state_label(s->state))),
		       0;
	return 1;
}

/*
 * Compares the live table of the submission's scope with its snapshot.
 * Returns 0 when they agree, 1 with 409 figures_changed answered (member
 * rows: [{code, reported, now}], values as counts or fen), HANDLER_DB.
 */
static int
check_unchanged(struct req *r, const struct submission *sub)
{
	struct stats_scope s;
	int64_t live[ST__MAX], snap[ST__MAX];
	json_t *rows;
	char *codes = "";
	int i;

	if (scope_of(r, sub, &s) != 0 ||
	    stats_table(r, &s, stats_subtree(&r->arena, s.unit_path), live) !=
		0)
		return HANDLER_DB;
	if (snapshot_values(sub->snapshot, snap, NULL) != 0) {
		r->db->err = 0;
		r->db->errsql = "stat_submissions.snapshot does not parse";
		return HANDLER_DB;
	}
	rows = json_array();
	for (i = 0; i < ST__MAX; i++) {
		if (live[i] == snap[i])
			continue;
		json_array_append_new(
		    rows,
		    json_pack("{s:s, s:o, s:o}", "code", stat_defs[i].code,
			      "reported",
			      snap[i] == STAT_NONE ? json_null()
						   : json_integer(snap[i]),
			      "now",
			      live[i] == STAT_NONE ? json_null()
						   : json_integer(live[i])));
		codes = arena_printf(&r->arena, "%s%s%s", codes,
				     *codes ? "、" : "", stat_defs[i].code);
	}
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		return 0;
	}
	http_problem_ext(
	    r, 409, "figures_changed",
	    arena_printf(&r->arena,
			 "上报后记录有变动，%s 已与上报的数字不同；"
			 "请退回，由该单位核对后重新上报",
			 codes),
	    json_pack("{s:o}", "rows", rows));
	return 1;
}

/*
 * POST /stats/submissions/{id}/approve {note?} (staff of an ancestor unit,
 * admin; If-Match).  Raises 404 (no such submission, or not in the
 * caller's subtree), 403 for staff of the submitting unit itself, 428,
 * 412, 409 illegal_transition unless it is submitted, 409 figures_changed
 * when the records no longer give the reported figures; 200 with the
 * submission, now approved: the unit's subtree is locked for the
 * campaign's period.  Audited.
 */
int
stats_submissions_approve(struct req *r)
{
	struct note_in in;
	struct submission s;
	int rc;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &note_table, &in) != 0)
		return 0;
	if ((rc = load_for_decision(r, "submitted", 0, &s)) != 1)
		return rc;
	if ((rc = check_unchanged(r, &s)) != 0)
		return rc == 1 ? 0 : rc;
	if (db_exec(r->db, &sql_approve, "isi", r->user->id, in.note, s.id) < 0)
		return HANDLER_DB;
	if (audit(r, "stat_submission.approve", "stat_submissions", s.id,
		  json_pack("{s:s}", "state", s.state),
		  json_pack("{s:s, s:o}", "state", "approved", "note",
			    json_str_or_null(in.note))) != 0)
		return HANDLER_DB;
	return answer(r, 200, s.id);
}

/*
 * POST /stats/submissions/{id}/return {note} (staff of an ancestor unit,
 * admin; If-Match).  Raises 400 without a note, 404, 403, 428, 412, 409
 * illegal_transition unless it is submitted; 200 with the submission, now
 * returned: the unit may change its entries and submit again.  Audited.
 */
int
stats_submissions_return(struct req *r)
{
	struct note_in in;
	struct submission s;
	int rc;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &return_table, &in) != 0)
		return 0;
	if ((rc = load_for_decision(r, "submitted", 0, &s)) != 1)
		return rc;
	if (db_exec(r->db, &sql_return, "isi", r->user->id, in.note, s.id) < 0)
		return HANDLER_DB;
	if (audit(r, "stat_submission.return", "stat_submissions", s.id,
		  json_pack("{s:s}", "state", s.state),
		  json_pack("{s:s, s:s}", "state", "returned", "note",
			    in.note)) != 0)
		return HANDLER_DB;
	return answer(r, 200, s.id);
}

/*
 * POST /stats/submissions/{id}/reopen {note?} (admin; If-Match).  Raises
 * 404, 403 for anyone else, 428, 412, 409 illegal_transition unless it is
 * approved; 200 with the submission, returned to its unit: the period's
 * records are unlocked and the unit may submit again.  Audited.
 */
int
stats_submissions_reopen(struct req *r)
{
	struct note_in in;
	struct submission s;
	int rc;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &note_table, &in) != 0)
		return 0;
	if ((rc = load_for_decision(r, "approved", 1, &s)) != 1)
		return rc;
	if (db_exec(r->db, &sql_reopen, "isi", r->user->id,
		    in.note ? in.note : "管理员已重新开放，请核对后重新上报",
		    s.id) < 0)
		return HANDLER_DB;
	if (audit(r, "stat_submission.reopen", "stat_submissions", s.id,
		  json_pack("{s:s}", "state", s.state),
		  json_pack("{s:s, s:o}", "state", "returned", "note",
			    json_str_or_null(in.note))) != 0)
		return HANDLER_DB;
	return answer(r, 200, s.id);
}

/* ---- Reading ---------------------------------------------------------- */

/*
 * GET /stats/submissions/{id} (staff, admin).  Raises 404 unless the
 * caller's subtree holds the unit; 200 with the submission and its ETag.
 */
int
stats_submissions_get(struct req *r)
{
	struct submission s;
	int rc;

	if ((rc = read_one(r, req_id(r, 0), &s)) < 0)
		return HANDLER_DB;
	if (rc == 0 || !auth_in_subtree(r->user, s.unit_path))
		return http_problem(r, 404, "not_found", "没有这份报表");
	http_etag(r, s.version);
	return http_json(r, 200, submission_json(&s, 1));
}

/*
 * GET /stats/submissions?unit_id=&campaign_id=&limit=&cursor= (staff,
 * admin; an extension).  unit_id defaults to the caller's unit,
 * campaign_id to the latest campaign.  Raises what GET /stats raises, 400
 * when asked by dates; 200 {items, next_cursor}: the unit's submissions
 * for the campaign, newest (the one that counts) first.
 */
int
stats_submissions_list(struct req *r)
{
	struct stats_scope sc;
	struct submission s;
	int64_t after, last = 0;
	struct dbres q;
	json_t *items;
	int limit, n = 0, rc;

	if (req_page(r, &limit, &after) != 0)
		return 0;
	if ((rc = stats_scope(r, "unit_id", &sc)) != 1)
		return rc;
	if (sc.campaign_id == 0)
		return http_field_error(r, "campaign_id", "required",
					"报表按活动上报，请选择活动");
	if (db_query(r->db, &q, &sql_list, "iiii", sc.unit_id, sc.campaign_id,
		     after, (int64_t)limit + 1) != 0)
		return HANDLER_DB;
	items = json_array();
	while ((rc = read_row(&q, &r->arena, &s)) == 1 && n < limit) {
		json_array_append_new(items, submission_json(&s, 1));
		last = s.id;
		n++;
	}
	db_end(&q);
	if (rc < 0) {
		json_decref(items);
		return HANDLER_DB;
	}
	return http_page(r, items, rc == 1, last);
}

/*
 * GET /stats/reporting?campaign_id=&parent_id= (staff, admin).  parent_id
 * defaults to the caller's unit, campaign_id to the latest campaign.
 * Raises what GET /stats raises, 400 when asked by dates; 200 {parent_id,
 * parent_name, campaign, items: [{unit_id, unit_name, state, state_label,
 * submitted_at, late, submission_id, decided_at, note, version}], counts:
 * {total, not_started, draft, submitted, approved, returned, reported,
 * late}} with one item per child unit.  state: not_started (nothing
 * entered, nothing submitted), draft (entries saved, not submitted),
 * submitted, approved, returned (also after a reopen).  late: submitted
 * after report_due, or not (standing) submitted and report_due has passed
 * (Asia/Shanghai).  reported counts submitted and approved.
 */
int
stats_reporting(struct req *r)
{
	static const char *const names[] = {
	    "not_started", "draft", "submitted", "approved", "returned", NULL};
	static const char *const labels[] = {
	    "未填报", "已填写未上报", "已上报，待审核", "已审核通过", "已退回"};
	struct stats_scope s;
	int64_t uid, sid, version, has_entries, late, counts[5] = {0};
	int64_t total = 0, nlate = 0;
	char *uname, *state, *at, *decided, *note;
	int sid_null, version_null, rc, k;
	struct dbres q;
	json_t *items, *o;

	if ((rc = stats_scope(r, "parent_id", &s)) != 1)
		return rc;
	if (s.campaign_id == 0)
		return http_field_error(r, "campaign_id", "required",
					"报表按活动上报，请选择活动");
	if (db_query(r->db, &q, &sql_reporting, "ssiii", s.report_due,
		     s.report_due, s.campaign_id, s.campaign_id,
		     s.unit_id) != 0)
		return HANDLER_DB;
	items = json_array();
	while ((rc = db_row(&q, &r->arena, "isIssssIii", &uid, &uname, &sid,
			    &sid_null, &state, &at, &decided, &note, &version,
			    &version_null, &has_entries, &late)) == 1) {
		if (state != NULL)
			k = strcmp(state, "submitted") == 0  ? 2
			    : strcmp(state, "approved") == 0 ? 3
							     : 4;
		else
			k = has_entries ? 1 : 0;
		counts[k]++;
		total++;
		nlate += late != 0;
		o = json_pack(
		    "{s:I, s:s, s:s, s:s, s:o, s:b, s:o, s:o, s:o, "
		    "s:o}",
		    "unit_id", (json_int_t)uid, "unit_name", uname, "state",
		    names[k], "state_label", labels[k], "submitted_at",
		    json_str_or_null(at), "late", late != 0, "submission_id",
		    sid_null ? json_null() : json_integer(sid), "decided_at",
		    json_str_or_null(decided), "note", json_str_or_null(note),
		    "version",
		    version_null ? json_null() : json_integer(version));
		json_array_append_new(items, o);
	}
	db_end(&q);
	if (rc < 0) {
		json_decref(items);
		return HANDLER_DB;
	}
	return http_json(
	    r, 200,
	    json_pack("{s:I, s:s, s:{s:I, s:s, s:s, s:s, s:s}, s:o, "
		      "s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
		      "parent_id", (json_int_t)s.unit_id, "parent_name",
		      s.unit_name, "campaign", "id", (json_int_t)s.campaign_id,
		      "title", s.campaign_title, "from", s.from, "to", s.to,
		      "report_due", s.report_due, "items", items, "counts",
		      "total", (json_int_t)total, "not_started",
		      (json_int_t)counts[0], "draft", (json_int_t)counts[1],
		      "submitted", (json_int_t)counts[2], "approved",
		      (json_int_t)counts[3], "returned", (json_int_t)counts[4],
		      "reported", (json_int_t)(counts[2] + counts[3]), "late",
		      (json_int_t)nlate));
}
