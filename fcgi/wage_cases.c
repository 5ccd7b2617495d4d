/*
 * Wage-arrears cases (欠薪求助): public and assisted intake, the staff
 * workflow, recoveries paid in instalments, and public tracking by
 * reference and tracking code.
 *
 * Visibility: admins see every case, staff the cases of their unit's
 * subtree, volunteers the cases they entered.  A case outside that is
 * answered 404, exactly like a case that does not exist.
 */
#include <mysqld_error.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "codes.h"
#include "locks.h"
#include "mask.h"
#include "messages.h"
#include "pii.h"
#include "query.h"
#include "resources.h"

#define WORKERS_MAX 500

static const char *const sources[] = {"self",	  "volunteer", "hotline",
				      "platform", "referral",  NULL};
static const char *const industries[] = {"construction", "manufacturing",
					 "services", "other", NULL};

enum status {
	S_RECEIVED,
	S_ACCEPTED,
	S_REJECTED,
	S_REFERRED,
	S_MEDIATING,
	S_RESOLVED,
	S_CLOSED,
	S__MAX
};

static const char *const statuses[] = {"received", "accepted",	"rejected",
				       "referred", "mediating", "resolved",
				       "closed",   NULL};
static const char *const status_labels[] = {
    "已提交，待受理", "已受理", "不予受理", "已转交劳动监察部门",
    "调解中",	      "已解决", "已结案"};

#define B(s) (1u << (s))
/* The workflow of the contract: from each status, where it may go. */
static const unsigned next_ok[S__MAX] = {
    [S_RECEIVED] = B(S_ACCEPTED) | B(S_REJECTED),
    [S_ACCEPTED] = B(S_REFERRED) | B(S_MEDIATING) | B(S_RESOLVED) | B(S_CLOSED),
    [S_REFERRED] = B(S_MEDIATING) | B(S_RESOLVED) | B(S_CLOSED),
    [S_MEDIATING] = B(S_REFERRED) | B(S_RESOLVED) | B(S_CLOSED),
    [S_RESOLVED] = B(S_CLOSED),
};
/* Money can be recovered while the case is being worked on. */
static const unsigned recovering =
    B(S_ACCEPTED) | B(S_REFERRED) | B(S_MEDIATING) | B(S_RESOLVED);

/* ---- Field tables ------------------------------------------------- */

struct reporter_in {
	uint64_t has;
	char *name;
	char phone[12];
};

struct worker_in {
	uint64_t has;
	char *name;
	char id_number[19];
	char phone[12];
	int64_t amount_owed;
};

enum { W_NAME, W_ID_NUMBER, W_PHONE, W_AMOUNT };

struct case_in {
	uint64_t has;
	int64_t unit_id;
	int source;
	char *employer_name;
	char employer_credit_code[19];
	char *project_name;
	int industry;
	char *site_address;
	char *description;
	struct reporter_in reporter;
	struct worker_in *workers;
	size_t nworkers;
};

enum {
	C_UNIT,
	C_SOURCE,
	C_EMPLOYER,
	C_CREDIT,
	C_PROJECT,
	C_INDUSTRY,
	C_SITE,
	C_DESCRIPTION,
	C_REPORTER,
	C_WORKERS
};

static const struct vfield reporter_fields[] = {
    F(struct reporter_in, "name", "联系人姓名", VT_STRING, V_REQ, 1, 50, name),
    F(struct reporter_in, "phone", "联系电话", VT_PHONE, V_REQ, 0, 0, phone),
};
static const struct vtable reporter_table =
    VTABLE(reporter_fields, struct reporter_in);

static const struct vfield worker_fields[] = {
    [W_NAME] =
	F(struct worker_in, "name", "姓名", VT_STRING, V_REQ, 1, 50, name),
    [W_ID_NUMBER] = F(struct worker_in, "id_number", "身份证号", VT_IDNUM, 0, 0,
		      0, id_number),
    [W_PHONE] =
	F(struct worker_in, "phone", "手机号", VT_PHONE, 0, 0, 0, phone),
    /* Owed nothing is not a case: at least one fen. */
    [W_AMOUNT] = F(struct worker_in, "amount_owed", "被欠金额", VT_MONEY, V_REQ,
		   1, MONEY_MAX_FEN, amount_owed),
};
static const struct vtable worker_table =
    VTABLE(worker_fields, struct worker_in);

static const struct vfield case_fields[] = {
    [C_UNIT] = F(struct case_in, "unit_id", "所属工会", VT_INT, 0, 1, INT64_MAX,
		 unit_id),
    [C_SOURCE] = FE(struct case_in, "source", "来源", 0, source, sources),
    [C_EMPLOYER] = F(struct case_in, "employer_name", "欠薪单位", VT_STRING,
		     V_REQ, 1, 100, employer_name),
    [C_CREDIT] = F(struct case_in, "employer_credit_code", "统一社会信用代码",
		   VT_CREDIT, 0, 0, 0, employer_credit_code),
    [C_PROJECT] = F(struct case_in, "project_name", "项目名称", VT_STRING, 0, 1,
		    100, project_name),
    [C_INDUSTRY] =
	FE(struct case_in, "industry", "行业", V_REQ, industry, industries),
    [C_SITE] = F(struct case_in, "site_address", "工地或单位地址", VT_STRING, 0,
		 1, 200, site_address),
    [C_DESCRIPTION] = F(struct case_in, "description", "情况说明", VT_STRING,
			V_MULTI, 0, 2000, description),
    [C_REPORTER] = FO(struct case_in, "reporter", "联系人", V_REQ, reporter,
		      &reporter_table),
    [C_WORKERS] = FA(struct case_in, "workers", "农民工名单", V_REQ, 1,
		     WORKERS_MAX, workers, &worker_table, nworkers),
};
static const struct vtable case_table = VTABLE(case_fields, struct case_in);

/* A PATCH changes the case's own fields; all optional. */
static const struct vfield patch_fields[] = {
    [C_UNIT] = F(struct case_in, "unit_id", "所属工会", VT_INT, 0, 1, INT64_MAX,
		 unit_id),
    [C_SOURCE] = FE(struct case_in, "source", "来源", 0, source, sources),
    [C_EMPLOYER] = F(struct case_in, "employer_name", "欠薪单位", VT_STRING, 0,
		     1, 100, employer_name),
    [C_CREDIT] = F(struct case_in, "employer_credit_code", "统一社会信用代码",
		   VT_CREDIT, 0, 0, 0, employer_credit_code),
    [C_PROJECT] = F(struct case_in, "project_name", "项目名称", VT_STRING, 0, 1,
		    100, project_name),
    [C_INDUSTRY] =
	FE(struct case_in, "industry", "行业", 0, industry, industries),
    [C_SITE] = F(struct case_in, "site_address", "工地或单位地址", VT_STRING, 0,
		 1, 200, site_address),
    [C_DESCRIPTION] = F(struct case_in, "description", "情况说明", VT_STRING,
			V_MULTI, 0, 2000, description),
    [C_REPORTER] =
	FO(struct case_in, "reporter", "联系人", 0, reporter, &reporter_table),
};
static const struct vtable patch_table = VTABLE(patch_fields, struct case_in);

struct transition_in {
	uint64_t has;
	int to;
	char *note;
};

static const struct vfield transition_fields[] = {
    FE(struct transition_in, "to", "目标状态", V_REQ, to, statuses),
    F(struct transition_in, "note", "备注", VT_STRING, V_MULTI, 0, 2000, note),
};
static const struct vtable transition_table =
    VTABLE(transition_fields, struct transition_in);

struct recovery_in {
	uint64_t has;
	int64_t worker_id;
	int64_t amount;
	char recovered_on[11];
};

static const struct vfield recovery_fields[] = {
    F(struct recovery_in, "worker_id", "农民工", VT_INT, V_REQ, 1, INT64_MAX,
      worker_id),
    F(struct recovery_in, "amount", "追回金额", VT_MONEY, V_REQ, 1,
      MONEY_MAX_FEN, amount),
    F(struct recovery_in, "recovered_on", "追回日期", VT_DATE, V_REQ, 0, 0,
      recovered_on),
};
static const struct vtable recovery_table =
    VTABLE(recovery_fields, struct recovery_in);

/* The request tables above, for the tests that walk every table
 * (resources.h FIELD_TABLES). */
const struct vtable_ref wage_case_tables[] = {
    {"wage_cases.create", &case_table},
    {"wage_cases.patch", &patch_table},
    {"wage_cases.transition", &transition_table},
    {"wage_cases.recovery", &recovery_table},
    {NULL, NULL},
};

/* ---- SQL ------------------------------------------------------------ */

#define TS(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s+08:00')"
#define DAY(col) "DATE_FORMAT(" col ", '%Y-%m-%d')"

/* Sealed columns' associated data (pii.h): their table and column. */
#define AD_REPORTER_PHONE "wage_cases.reporter_phone"
#define AD_WORKER_IDNUM "wage_case_workers.id_number"
#define AD_WORKER_PHONE "wage_case_workers.phone"

SQL(sql_year, "SELECT YEAR(CURDATE())");
SQL(sql_bump, "INSERT INTO reference_counters (kind, year, last) "
	      "VALUES ('QX', ?, 1) ON DUPLICATE KEY UPDATE last = last + 1");
SQL(sql_counter, "SELECT last FROM reference_counters "
		 "WHERE kind = 'QX' AND year = ?");
SQL(sql_insert, "INSERT INTO wage_cases (reference, unit_id, source, "
		"employer_name, employer_credit_code, project_name, industry, "
		"site_address, description, reporter_name, reporter_phone_enc, "
		"tracking_hash, amount_owed, created_by, created_at, "
		"updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"NOW(), NOW())");
SQL(sql_insert_worker, "INSERT INTO wage_case_workers (case_id, name, "
		       "id_number_enc, id_number_idx, phone_enc, amount_owed) "
		       "VALUES (?, ?, ?, ?, ?, ?)");
SQL(sql_event, "INSERT INTO wage_case_events (case_id, at, user_id, "
	       "from_status, to_status, note) VALUES (?, NOW(), ?, ?, ?, ?)");

/* clang-format off: it would split the string concatenation apart. */
// clang-format off
#define CASE_COLS                                                              \
	"c.id, c.reference, c.unit_id, c.source, c.status, c.employer_name, "  \
	"c.employer_credit_code, c.project_name, c.industry, c.site_address, " \
	"c.description, c.reporter_name, c.reporter_phone_enc, c.amount_owed, "\
	"c.amount_recovered, " DAY("c.accepted_on") ", "                       \
	DAY("c.closed_on") ", " TS("c.created_at") ", " TS("c.updated_at") ", " \
	"c.version, c.created_by, n.path, n.name"
// clang-format on

SQL(sql_case, "SELECT " CASE_COLS " FROM wage_cases c "
	      "JOIN units n ON n.id = c.unit_id WHERE c.id = ?");
SQL(sql_case_lock, "SELECT " CASE_COLS " FROM wage_cases c "
		   "JOIN units n ON n.id = c.unit_id WHERE c.id = ? "
		   "FOR UPDATE");
SQL(sql_workers, "SELECT id, name, id_number_enc, phone_enc, amount_owed, "
		 "amount_recovered FROM wage_case_workers WHERE case_id = ? "
		 "ORDER BY id");
SQL(sql_recoveries,
    "SELECT r.id, r.worker_id, r.amount, " DAY("r.recovered_on") ", " TS(
	"r.created_at") ", u.display_name FROM wage_recoveries r "
			"LEFT JOIN users u ON u.id = r.created_by "
			"WHERE r.case_id = ? ORDER BY r.id");
SQL(sql_events,
    "SELECT " TS("e.at") ", u.display_name, e.from_status, "
			 "e.to_status, e.note FROM wage_case_events e "
			 "LEFT JOIN users u ON u.id = e.user_id "
			 "WHERE e.case_id = ? ORDER BY e.id");
/*
 * STRAIGHT_JOIN: the records are read newest first by primary key and the
 * scan stops at the page's end.  Left to itself, with the parameters of a
 * prepared statement unknown when it plans, the optimizer started from
 * units and sorted a whole subtree's records: 1.9 s for one page of the
 * safe-return list at 300,000 records (bench/stats.sh measures the lists).
 */
SQL(sql_list, "SELECT " CASE_COLS ", (SELECT COUNT(*) FROM wage_case_workers w "
	      "WHERE w.case_id = c.id) FROM wage_cases c "
	      "STRAIGHT_JOIN units n ON n.id = c.unit_id "
	      "WHERE c.id < ? AND n.path LIKE CONCAT(?, '%') "
	      "AND (? IS NULL OR c.created_by = ?) "
	      "AND (? IS NULL OR c.status = ?) "
	      "AND (? IS NULL OR n.path LIKE CONCAT(?, '%')) "
	      "AND (? IS NULL OR c.industry = ?) "
	      "AND (? IS NULL OR c.reference = CONVERT(? USING ascii) "
	      "OR c.employer_name LIKE ? "
	      "OR c.project_name LIKE ?) "
	      "AND (? IS NULL OR c.created_at >= ?) "
	      "AND (? IS NULL OR c.created_at < ? + INTERVAL 1 DAY) "
	      "AND (? IS NULL OR EXISTS (SELECT 1 FROM wage_case_workers w "
	      "WHERE w.case_id = c.id AND w.id_number_idx = ?)) "
	      "ORDER BY c.id DESC LIMIT ?");
/* One person, one file: the other cases naming a worker's ID number,
 * found through the blind index, limited to what the caller may see. */
SQL(sql_other_cases, "SELECT w1.id, c.id, c.reference, c.status "
		     "FROM wage_case_workers w1 "
		     "JOIN wage_case_workers w2 "
		     "ON w2.id_number_idx = w1.id_number_idx "
		     "AND w2.case_id <> w1.case_id "
		     "JOIN wage_cases c ON c.id = w2.case_id "
		     "JOIN units n ON n.id = c.unit_id "
		     "WHERE w1.case_id = ? AND n.path LIKE CONCAT(?, '%') "
		     "AND (? IS NULL OR c.created_by = ?) "
		     "GROUP BY w1.id, c.id ORDER BY w1.id, c.id DESC");
SQL(sql_audit_search, "INSERT INTO audit_log (at, user_id, action, "
		      "table_name, after_json, remote_addr) "
		      "VALUES (NOW(6), ?, 'wage_case.search_id_number', "
		      "'wage_cases', ?, ?)");
SQL(sql_update,
    "UPDATE wage_cases SET unit_id = ?, source = ?, employer_name = ?, "
    "employer_credit_code = ?, project_name = ?, industry = ?, "
    "site_address = ?, description = ?, reporter_name = ?, "
    "reporter_phone_enc = ?, version = version + 1, updated_at = NOW() "
    "WHERE id = ?");
SQL(sql_transition,
    "UPDATE wage_cases SET status = ?, "
    "accepted_on = IF(? = 'accepted', CURDATE(), accepted_on), "
    "closed_on = IF(? IN ('closed', 'rejected'), CURDATE(), closed_on), "
    "version = version + 1, updated_at = NOW() WHERE id = ?");
SQL(sql_worker_lock, "SELECT amount_owed, amount_recovered "
		     "FROM wage_case_workers WHERE id = ? AND case_id = ? "
		     "FOR UPDATE");
SQL(sql_insert_recovery, "INSERT INTO wage_recoveries (case_id, worker_id, "
			 "amount, recovered_on, created_by, created_at) "
			 "VALUES (?, ?, ?, ?, ?, NOW())");
SQL(sql_worker_add, "UPDATE wage_case_workers SET amount_recovered = "
		    "amount_recovered + ? WHERE id = ?");
SQL(sql_case_add, "UPDATE wage_cases SET amount_recovered = "
		  "amount_recovered + ?, version = version + 1, "
		  "updated_at = NOW() WHERE id = ?");
SQL(sql_future, "SELECT ? > CURDATE()");
SQL(sql_recovery_days,
    "SELECT DISTINCT " DAY("recovered_on") " FROM "
					   "wage_recoveries WHERE case_id = ?");
SQL(sql_track, "SELECT reference, status, tracking_hash, " TS(
		   "updated_at") " FROM wage_cases "
				 "WHERE reference = CONVERT(? USING ascii)");

/* ---- Reading cases ---------------------------------------------------- */

struct case_row {
	int64_t id, unit_id, owed, recovered, version, created_by;
	int no_creator;
	char *reference, *source, *status, *employer, *credit, *project;
	char *industry, *site, *description, *rep_name, *rep_phone;
	struct blob rep_phone_enc;
	char *accepted_on, *closed_on, *created_at, *updated_at;
	char *unit_path, *unit_name;
	int64_t nworkers;
};

#define CASE_FMT "isisssssssssBiissssiIss"

/* Opens the reporter's phone of a case just read.  A value that does not
 * open is a server fault (a key missing): HANDLER_DB, answered 500. */
static int
open_case(struct req *r, struct case_row *c)
{
	if (pii_open(&r->arena, AD_REPORTER_PHONE, &c->rep_phone_enc,
		     &c->rep_phone, NULL) != 0) {
		r->db->err = 0;
		r->db->errsql = "wage_cases.reporter_phone does not open";
		return HANDLER_DB;
	}
	return 0;
}

/* Returns 1 found, 0 none, -1 (HANDLER_DB) on a failure. */
static int
read_case(struct req *r, struct sql *s, int64_t id, struct case_row *c)
{
	int rc;

	memset(c, 0, sizeof(*c));
	rc = db_one(r->db, &r->arena, s, "i", CASE_FMT, id, &c->id,
		    &c->reference, &c->unit_id, &c->source, &c->status,
		    &c->employer, &c->credit, &c->project, &c->industry,
		    &c->site, &c->description, &c->rep_name, &c->rep_phone_enc,
		    &c->owed, &c->recovered, &c->accepted_on, &c->closed_on,
		    &c->created_at, &c->updated_at, &c->version, &c->created_by,
		    &c->no_creator, &c->unit_path, &c->unit_name);
	if (rc == 1 && open_case(r, c) != 0)
		return -1;
	return rc;
}

static int
may_see(const struct req *r, const struct case_row *c)
{
	if (r->user->role == ROLE_VOLUNTEER)
		return !c->no_creator && c->created_by == r->user->id;
	return auth_in_subtree(r->user, c->unit_path);
}

/* Staff of the owning subtree and admins see personal data in full. */
static int
may_unmask(const struct req *r, const struct case_row *c)
{
	return r->user->role != ROLE_VOLUNTEER &&
	       auth_in_subtree(r->user, c->unit_path);
}

static json_t *
summary_json(struct req *r, const struct case_row *c, int unmask)
{
	int st = valid_enum_index(statuses, c->status);

	return json_pack(
	    "{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, "
	    "s:o, s:{s:s, s:o}, s:o, s:o, s:o, s:o, s:s, s:s, s:I}",
	    "id", (json_int_t)c->id, "reference", c->reference, "unit_id",
	    (json_int_t)c->unit_id, "unit_name", c->unit_name, "source",
	    c->source, "status", c->status, "status_label",
	    st >= 0 ? status_labels[st] : c->status, "employer_name",
	    c->employer, "employer_credit_code", json_str_or_null(c->credit),
	    "project_name", json_str_or_null(c->project), "industry",
	    c->industry, "site_address", json_str_or_null(c->site),
	    "description", json_str_or_null(c->description), "reporter", "name",
	    c->rep_name, "phone",
	    json_string(unmask ? c->rep_phone
			       : mask_phone(&r->arena, c->rep_phone)),
	    "amount_owed", json_money(c->owed), "amount_recovered",
	    json_money(c->recovered), "accepted_on",
	    json_str_or_null(c->accepted_on), "closed_on",
	    json_str_or_null(c->closed_on), "created_at", c->created_at,
	    "updated_at", c->updated_at, "version", (json_int_t)c->version);
}

/*
 * Each worker's other_cases: the cases that name the same ID number and
 * that the caller may see (API.md v1.1 "Personal data").  ws holds the
 * workers' objects in id order, as sql_workers and sql_other_cases list
 * them.
 */
static int
add_other_cases(struct req *r, int64_t case_id, json_t **ws, const int64_t *ids,
		size_t n)
{
	int64_t wid, cid, vol = r->user->role == ROLE_VOLUNTEER;
	char *ref, *status;
	struct dbres q;
	size_t i = 0;
	int rc;

	if (db_query(r->db, &q, &sql_other_cases, "isIi", case_id,
		     scope_path(r), (int)vol, r->user->id, r->user->id) != 0)
		return -1;
	while ((rc = db_row(&q, &r->arena, "iiss", &wid, &cid, &ref,
			    &status)) == 1) {
		while (i < n && ids[i] < wid)
			i++;
		if (i == n)
			break;
		if (ids[i] != wid)
			continue;
		json_array_append_new(json_object_get(ws[i], "other_cases"),
				      json_pack("{s:I, s:s, s:s}", "id",
						(json_int_t)cid, "reference",
						ref, "status", status));
	}
	db_end(&q);
	return rc < 0 ? -1 : 0;
}

/* The whole case: workers, recoveries and history.  Returns NULL on a
 * database error. */
static json_t *
detail_json(struct req *r, const struct case_row *c, int unmask)
{
	json_t *o = summary_json(r, c, unmask), *list, *w, **ws;
	char *name, *idn, *phone, *on, *at, *who, *from, *to, *note;
	int64_t id, wid, owed, rec, amount, *ids;
	struct blob idn_enc, phone_enc;
	struct dbres q;
	size_t n = 0;
	int rc;

	list = json_array();
	json_object_set_new(o, "workers", list);
	if (db_query(r->db, &q, &sql_workers, "i", c->id) != 0)
		goto err;
	ws = arena_alloc(&r->arena, (WORKERS_MAX + 1) * sizeof(*ws));
	ids = arena_alloc(&r->arena, (WORKERS_MAX + 1) * sizeof(*ids));
	while ((rc = db_row(&q, &r->arena, "isBBii", &id, &name, &idn_enc,
			    &phone_enc, &owed, &rec)) == 1) {
		if (mask_sealed(&r->arena, AD_WORKER_IDNUM, &idn_enc, PII_IDNUM,
				unmask, &idn) != 0 ||
		    mask_sealed(&r->arena, AD_WORKER_PHONE, &phone_enc,
				PII_PHONE, unmask, &phone) != 0) {
			rc = -1;
			r->db->err = 0;
			r->db->errsql = "wage_case_workers does not open";
			break;
		}
		w = json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:[]}", "id",
			      (json_int_t)id, "name", name, "id_number",
			      json_str_or_null(idn), "phone",
			      json_str_or_null(phone), "amount_owed",
			      json_money(owed), "amount_recovered",
			      json_money(rec), "other_cases");
		json_array_append_new(list, w);
		if (n <= WORKERS_MAX) {
			ws[n] = w; /* borrowed: list owns it */
			ids[n++] = id;
		}
	}
	db_end(&q);
	if (rc < 0 || add_other_cases(r, c->id, ws, ids, n) != 0)
		goto err;

	list = json_array();
	json_object_set_new(o, "recoveries", list);
	if (db_query(r->db, &q, &sql_recoveries, "i", c->id) != 0)
		goto err;
	while ((rc = db_row(&q, &r->arena, "iiisss", &id, &wid, &amount, &on,
			    &at, &who)) == 1)
		json_array_append_new(
		    list,
		    json_pack("{s:I, s:I, s:o, s:s, s:s, s:o}", "id",
			      (json_int_t)id, "worker_id", (json_int_t)wid,
			      "amount", json_money(amount), "recovered_on", on,
			      "created_at", at, "user", json_str_or_null(who)));
	db_end(&q);
	if (rc < 0)
		goto err;

	list = json_array();
	json_object_set_new(o, "events", list);
	if (db_query(r->db, &q, &sql_events, "i", c->id) != 0)
		goto err;
	while ((rc = db_row(&q, &r->arena, "sssss", &at, &who, &from, &to,
			    &note)) == 1)
		json_array_append_new(
		    list, json_pack("{s:s, s:o, s:o, s:s, s:o}", "at", at,
				    "user", json_str_or_null(who), "from",
				    json_str_or_null(from), "to", to, "note",
				    json_str_or_null(note)));
	db_end(&q);
	if (rc < 0)
		goto err;
	return o;
err:
	json_decref(o);
	return NULL;
}

/* Answers with the case as it now stands, with its ETag. */
static int
answer_case(struct req *r, int status, int64_t id)
{
	struct case_row c;
	json_t *o;

	if (read_case(r, &sql_case, id, &c) <= 0)
		return HANDLER_DB;
	if ((o = detail_json(r, &c, may_unmask(r, &c))) == NULL)
		return HANDLER_DB;
	http_etag(r, c.version);
	return http_json(r, status, o);
}

/* Loads a case the caller may see, locked for update when asked; answers
 * 404 otherwise.  Returns 1 found, 0 answered, HANDLER_DB. */
static int
load_visible(struct req *r, int lock, struct case_row *c)
{
	int rc =
	    read_case(r, lock ? &sql_case_lock : &sql_case, req_id(r, 0), c);

	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0 || !may_see(r, c)) {
		http_problem(r, 404, "not_found", "没有这个案件");
		return 0;
	}
	return 1;
}

/* ---- Intake ------------------------------------------------------------ */

/* Checks what the field tables cannot: one worker listed twice. */
static void
check_workers(struct req *r, const struct case_in *in, struct verrs *e)
{
	size_t i, j;

	for (i = 0; i < in->nworkers; i++) {
		if (!(in->workers[i].has & VBIT(W_ID_NUMBER)))
			continue;
		for (j = 0; j < i; j++)
			if ((in->workers[j].has & VBIT(W_ID_NUMBER)) &&
			    strcmp(in->workers[i].id_number,
				   in->workers[j].id_number) == 0) {
				verrs_add(e,
					  arena_printf(&r->arena,
						       "workers[%zu].id_number",
						       i),
					  "duplicate",
					  arena_printf(
					      &r->arena,
					      "与第 %zu 位农民工的身份证号重复",
					      j + 1));
				break;
			}
	}
}

/*
 * POST /wage-cases (anyone).  Anonymous callers must name unit_id and may
 * only use source "self"; signed-in callers default to their own unit and
 * source "volunteer" (volunteers) or "hotline" (staff), and may only file
 * within their subtree.  Raises 400 with every invalid field (paths such as
 * workers[2].id_number), 403 for a unit outside the caller's subtree, 201
 * with Location on success: {id, reference, tracking_code, status,
 * status_label} for anonymous callers, the whole case otherwise, with the
 * tracking code shown this once.
 */
int
wage_cases_create(struct req *r)
{
	struct case_in in;
	char code[CODE_LEN + 1], reference[32], *path = NULL;
	unsigned char hash[CODE_HASH_LEN];
	struct blob phone;
	int64_t year = 0, seq = 0, id, owed = 0, unit;
	const char *source;
	struct case_row c;
	struct verrs e;
	json_t *o;
	size_t i;
	int rc;

	memset(&in, 0, sizeof(in));
	verrs_init(&e);
	http_validate(r, &case_table, &in, &e);
	if (r->user == NULL && !(in.has & VBIT(C_UNIT)))
		verrs_add(&e, "unit_id", "required", "请选择所属工会");
	if (r->user == NULL && (in.has & VBIT(C_SOURCE)) && in.source != 0)
		verrs_add(&e, "source", "enum", "自助求助的来源只能是 self");
	check_workers(r, &in, &e);
	if (http_refused(r, &e))
		return 0;
	unit = in.has & VBIT(C_UNIT) ? in.unit_id : r->user->unit_id;
	if ((rc = unit_path(r, unit, &path)) < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_field_error(r, "unit_id", "unknown",
					"所选工会不存在");
	if (r->user != NULL && !auth_in_subtree(r->user, path) &&
	    !(r->user->role == ROLE_VOLUNTEER && unit == r->user->unit_id))
		return http_problem(r, 403, "forbidden",
				    "只能为本单位及下级单位登记案件");
	if (r->user == NULL)
		source = "self";
	else if (in.has & VBIT(C_SOURCE))
		source = sources[in.source];
	else
		source =
		    r->user->role == ROLE_VOLUNTEER ? "volunteer" : "hotline";
	for (i = 0; i < in.nworkers; i++)
		owed += in.workers[i].amount_owed;

	/* The counter row is locked until commit: numbers are handed out
	 * one transaction at a time and come back if the intake fails. */
	if (db_one(r->db, &r->arena, &sql_year, "", "i", &year) < 0 ||
	    db_exec(r->db, &sql_bump, "i", year) < 0 ||
	    db_one(r->db, &r->arena, &sql_counter, "i", "i", year, &seq) <= 0)
		return HANDLER_DB;
	snprintf(reference, sizeof(reference), "QX%04lld-%06lld",
		 (long long)year, (long long)seq);
	code_new(code);
	code_hash(code, hash);
	if (pii_seal_str(&r->arena, AD_REPORTER_PHONE, in.reporter.phone,
			 &phone) != 0)
		return HANDLER_DB;
	if (db_exec(r->db, &sql_insert, "sissssssssbbiI", reference, unit,
		    source, in.employer_name,
		    in.has & VBIT(C_CREDIT) ? in.employer_credit_code : NULL,
		    in.project_name, industries[in.industry], in.site_address,
		    in.description, in.reporter.name, phone.p, phone.n, hash,
		    sizeof(hash), owed, r->user != NULL,
		    r->user ? r->user->id : 0) < 0)
		return HANDLER_DB;
	id = db_last_id(r->db);
	for (i = 0; i < in.nworkers; i++) {
		const struct worker_in *w = &in.workers[i];
		int has_id = (w->has & VBIT(W_ID_NUMBER)) != 0;
		unsigned char idx[PII_IDX_LEN];
		struct blob idn;

		if (has_id)
			pii_index(PII_IDNUM, w->id_number, 18, idx);
		if (pii_seal_str(&r->arena, AD_WORKER_IDNUM,
				 has_id ? w->id_number : NULL, &idn) != 0 ||
		    pii_seal_str(&r->arena, AD_WORKER_PHONE,
				 w->has & VBIT(W_PHONE) ? w->phone : NULL,
				 &phone) != 0)
			return HANDLER_DB;
		if (db_exec(r->db, &sql_insert_worker, "isbbbi", id, w->name,
			    idn.p, idn.n, has_id ? idx : NULL, sizeof(idx),
			    phone.p, phone.n, w->amount_owed) < 0)
			return HANDLER_DB;
	}
	if (db_exec(r->db, &sql_event, "iIsss", id, r->user != NULL,
		    r->user ? r->user->id : 0, NULL, "received",
		    r->user ? "代为登记" : "农民工自助提交") < 0)
		return HANDLER_DB;
	if (read_case(r, &sql_case, id, &c) <= 0)
		return HANDLER_DB;
	if (audit(r, "wage_case.create", "wage_cases", id, NULL,
		  summary_json(r, &c, 0)) != 0)
		return HANDLER_DB;
	http_header(r, "Location: /api/v1/wage-cases/%lld", (long long)id);
	if (r->user == NULL)
		return http_json(r, 201,
				 json_pack("{s:I, s:s, s:s, s:s, s:s}", "id",
					   (json_int_t)id, "reference",
					   reference, "tracking_code", code,
					   "status", "received", "status_label",
					   status_labels[S_RECEIVED]));
	if ((o = detail_json(r, &c, may_unmask(r, &c))) == NULL)
		return HANDLER_DB;
	json_object_set_new(o, "tracking_code", json_string(code));
	http_etag(r, c.version);
	return http_json(r, 201, o);
}

/* ---- Lists and reads ----------------------------------------------------- */

/*
 * GET /wage-cases?status=&unit_id=&industry=&q=&from=&to=&limit=&cursor=
 * (volunteer, staff, admin).  unit_id selects that unit and its
 * descendants; from/to bound the intake date.  Volunteers see the cases
 * they entered.  Personal data are always masked.  Raises 400 naming the
 * bad parameter, 200 {items, next_cursor} newest first otherwise.
 */
int
wage_cases_list(struct req *r)
{
	const char *status, *industry, *from, *to, *q, *idq;
	char *upath = NULL, *like = NULL, idn[19];
	unsigned char idx[PII_IDX_LEN];
	int64_t after, last = 0, vol;
	struct case_row c;
	struct verrs e;
	struct dbres res;
	json_t *items, *o;
	int limit, n = 0, rc = 0, by_id = 0;

	if (req_page(r, &limit, &after) != 0)
		return 0;
	verrs_init(&e);
	status = query_enum(r, "status", statuses, &e);
	industry = query_enum(r, "industry", industries, &e);
	query_period(r, &from, &to, &e);
	q = query_text(r, "q", 100, &e);
	if (query_unit(r, "unit_id", &upath, &e) != 0) {
		verrs_free(&e);
		return HANDLER_DB;
	}
	idq = req_query(r, "id_number");
	if (idq != NULL && *idq != '\0') {
		const char *code = valid_idnum(
		    valid_narrow(&r->arena, valid_trim(&r->arena, idq)), idn);

		if (r->user->role == ROLE_VOLUNTEER) {
			verrs_free(&e);
			return http_problem(r, 403, "forbidden",
					    "只有工会工作人员可以按身份证号"
					    "查找案件");
		}
		if (code != NULL) {
			char msg[256];

			message_render(msg, sizeof(msg), code, MK_ID_NUMBER,
				       "身份证号", 0, 0);
			verrs_add(&e, "id_number", code, msg);
		} else
			by_id = 1;
	}
	if (http_refused(r, &e))
		return 0;
	if (q != NULL)
		like = like_pattern(&r->arena, q);
	if (by_id)
		pii_index(PII_IDNUM, idn, 18, idx);
	vol = r->user->role == ROLE_VOLUNTEER;
	/* A list may be a moment stale: the replica serves it when there is
	 * one (docs/DEPLOY.md). */
	if (db_query(req_reader(r), &res, &sql_list, "isIIssssssssssssssbbi",
		     after, scope_path(r), (int)vol, r->user->id, (int)vol,
		     r->user->id, status, status, upath, upath, industry,
		     industry, q, q, like, like, from, from, to, to,
		     by_id ? idx : NULL, sizeof(idx), by_id ? idx : NULL,
		     sizeof(idx), (int64_t)limit + 1) != 0)
		return HANDLER_DB;
	items = json_array();
	memset(&c, 0, sizeof(c));
	while (n <= limit &&
	       (rc = db_row(&res, &r->arena, CASE_FMT "i", &c.id, &c.reference,
			    &c.unit_id, &c.source, &c.status, &c.employer,
			    &c.credit, &c.project, &c.industry, &c.site,
			    &c.description, &c.rep_name, &c.rep_phone_enc,
			    &c.owed, &c.recovered, &c.accepted_on, &c.closed_on,
			    &c.created_at, &c.updated_at, &c.version,
			    &c.created_by, &c.no_creator, &c.unit_path,
			    &c.unit_name, &c.nworkers)) == 1) {
		if (open_case(r, &c) != 0) {
			rc = -1;
			break;
		}
		if (n == limit)
			break;
		o = summary_json(r, &c, 0);
		json_object_del(o, "description");
		json_object_set_new(o, "worker_count",
				    json_integer(c.nworkers));
		json_array_append_new(items, o);
		last = c.id;
		n++;
	}
	db_end(&res);
	if (rc < 0) {
		json_decref(items);
		return HANDLER_DB;
	}
	/* A search by ID number is a look at a person: it is audited, with
	 * the number masked, like a read of a full record. */
	if (by_id) {
		json_t *j = json_pack("{s:s, s:i}", "id_number",
				      mask_idnum(&r->arena, idn), "found", n);
		char *what = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		long long ok = db_exec(r->db, &sql_audit_search, "iss",
				       r->user->id, what, r->remote_addr);

		free(what);
		json_decref(j);
		if (ok < 0) {
			json_decref(items);
			return HANDLER_DB;
		}
	}
	return http_page(r, items, rc == 1 && n == limit, last);
}

/*
 * GET /wage-cases/{id} (volunteer, staff, admin).  Raises 404 when the case
 * does not exist or is not the caller's to see, 200 with the case, its
 * workers, recoveries and history otherwise.  Admins and staff of the
 * owning subtree get personal data unmasked, and that read is audited.
 */
int
wage_cases_get(struct req *r)
{
	struct case_row c;
	json_t *o;
	int rc, unmask;

	if ((rc = load_visible(r, 0, &c)) != 1)
		return rc;
	unmask = may_unmask(r, &c);
	if ((o = detail_json(r, &c, unmask)) == NULL)
		return HANDLER_DB;
	if (unmask &&
	    audit(r, "wage_case.read", "wage_cases", c.id, NULL, NULL) != 0) {
		json_decref(o);
		return HANDLER_DB;
	}
	http_etag(r, c.version);
	return http_json(r, 200, o);
}

/* ---- Changes ----------------------------------------------------------------
 */

static int
is_final(const char *status)
{
	return strcmp(status, "closed") == 0 || strcmp(status, "rejected") == 0;
}

/*
 * The period lock (locks.h) over a change to case c: a case counts in row
 * H by its accepted_on and in row I by its recoveries' recovered_on, in
 * its unit.  Any change to a case accepted in a locked period is refused;
 * moving a case to another unit (new_path) also moves its H and I, so
 * every one of its dates is checked in both units.  Returns 0, 1 (409
 * answered) or HANDLER_DB.
 */
static int
patch_locked(struct req *r, const struct case_row *c, const char *new_path)
{
	const char *paths[2] = {c->unit_path, new_path};
	struct dbres q;
	char *day;
	int i, rc = 0;

	for (i = 0; i < 2 && rc == 0; i++)
		if (paths[i] != NULL && c->accepted_on != NULL)
			rc = period_locked(r, paths[i], c->accepted_on);
	if (rc != 0 || new_path == NULL)
		return rc;
	if (db_query(r->db, &q, &sql_recovery_days, "i", c->id) != 0)
		return HANDLER_DB;
	{
		char **days = NULL, **more;
		size_t n = 0, cap = 0, k;

		/* Read them all first: one statement at a time. */
		while ((rc = db_row(&q, &r->arena, "s", &day)) == 1) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				more =
				    arena_alloc(&r->arena, cap * sizeof(*more));
				if (n > 0)
					memcpy(more, days, n * sizeof(*more));
				days = more;
			}
			days[n++] = day;
		}
		db_end(&q);
		if (rc < 0)
			return HANDLER_DB;
		for (k = 0; k < n && rc == 0; k++)
			for (i = 0; i < 2 && rc == 0; i++)
				rc = period_locked(r, paths[i], days[k]);
	}
	return rc;
}

/*
 * PATCH /wage-cases/{id} (staff, admin; If-Match) with any of the intake
 * fields but the workers.  Raises 404, 428, 412, 400 (also for an empty
 * change or a unit outside the caller's subtree), 409 "case_closed" once
 * the case is closed or rejected, 409 "period_locked" when the case was
 * accepted in an approved period (or, moved, its recoveries were), 200
 * with the case otherwise.
 */
int
wage_cases_patch(struct req *r)
{
	struct case_in in;
	struct case_row c;
	struct blob phone;
	char *path = NULL;
	int64_t unit;
	int rc;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &patch_table, &in) != 0)
		return 0;
	if (in.has == 0)
		return http_field_error(r, "", "required",
					"请至少修改一个字段");
	if ((rc = load_visible(r, 1, &c)) != 1)
		return rc;
	if (req_if_match(r, c.version) != 0)
		return 0;
	if (is_final(c.status))
		return http_problem(r, 409, "case_closed",
				    "案件已结案或不予受理，不能再修改");
	unit = in.has & VBIT(C_UNIT) ? in.unit_id : c.unit_id;
	if (in.has & VBIT(C_UNIT)) {
		if ((rc = unit_path(r, unit, &path)) < 0)
			return HANDLER_DB;
		if (rc == 0 || !auth_in_subtree(r->user, path))
			return http_field_error(r, "unit_id", "unknown",
						"所选工会不存在或不在本单位"
						"管辖范围内");
	}
	if ((rc = patch_locked(r, &c, unit != c.unit_id ? path : NULL)) != 0)
		return rc < 0 ? HANDLER_DB : 0;
	phone = c.rep_phone_enc;
	if ((in.has & VBIT(C_REPORTER)) &&
	    pii_seal_str(&r->arena, AD_REPORTER_PHONE, in.reporter.phone,
			 &phone) != 0)
		return HANDLER_DB;
#define PICK(bit, v, old) (in.has & VBIT(bit) ? (v) : (old))
	if (db_exec(r->db, &sql_update, "issssssssbi", unit,
		    PICK(C_SOURCE, sources[in.source], c.source),
		    PICK(C_EMPLOYER, in.employer_name, c.employer),
		    PICK(C_CREDIT, in.employer_credit_code, c.credit),
		    PICK(C_PROJECT, in.project_name, c.project),
		    PICK(C_INDUSTRY, industries[in.industry], c.industry),
		    PICK(C_SITE, in.site_address, c.site),
		    PICK(C_DESCRIPTION, in.description, c.description),
		    PICK(C_REPORTER, in.reporter.name, c.rep_name), phone.p,
		    phone.n, c.id) < 0)
		return HANDLER_DB;
#undef PICK
	{
		struct case_row after;

		if (read_case(r, &sql_case, c.id, &after) <= 0)
			return HANDLER_DB;
		/* Masked: the audit log keeps who changed what, not the
		 * personal values themselves. */
		if (audit(r, "wage_case.update", "wage_cases", c.id,
			  summary_json(r, &c, 0),
			  summary_json(r, &after, 0)) != 0)
			return HANDLER_DB;
	}
	return answer_case(r, 200, c.id);
}

/*
 * POST /wage-cases/{id}/transitions {to, note?} (staff, admin; If-Match).
 * Raises 404, 428, 412, 400, 409 "illegal_transition" for a move the
 * workflow does not allow, 409 "period_locked" when today lies in an
 * approved period of the case's unit (a transition is dated the day it is
 * made), 200 with the case otherwise.  Entering accepted sets
 * accepted_on; entering closed or rejected sets closed_on.
 */
int
wage_cases_transition(struct req *r)
{
	struct transition_in in;
	struct case_row c, after;
	int rc, from;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &transition_table, &in) != 0)
		return 0;
	if ((rc = load_visible(r, 1, &c)) != 1)
		return rc;
	if (req_if_match(r, c.version) != 0)
		return 0;
	from = valid_enum_index(statuses, c.status);
	if (from < 0 || !(next_ok[from] & B(in.to)))
		return http_problem(
		    r, 409, "illegal_transition",
		    arena_printf(&r->arena, "案件不能从“%s”变为“%s”",
				 from >= 0 ? status_labels[from] : c.status,
				 status_labels[in.to]));
	/* Only accepting changes a figure: it dates the case today (row H).
	 * Rejecting, mediating, resolving, closing count nowhere, so an
	 * approved table does not stop the work on a case. */
	if (in.to == S_ACCEPTED &&
	    (rc = period_locked(r, c.unit_path, NULL)) != 0)
		return rc < 0 ? HANDLER_DB : 0;
	if (db_exec(r->db, &sql_transition, "sssi", statuses[in.to],
		    statuses[in.to], statuses[in.to], c.id) < 0 ||
	    db_exec(r->db, &sql_event, "iIsss", c.id, 1, r->user->id, c.status,
		    statuses[in.to], in.note) < 0)
		return HANDLER_DB;
	if (read_case(r, &sql_case, c.id, &after) <= 0)
		return HANDLER_DB;
	if (audit(r, "wage_case.transition", "wage_cases", c.id,
		  json_pack("{s:s}", "status", c.status),
		  json_pack("{s:s, s:o}", "status", after.status, "note",
			    json_str_or_null(in.note))) != 0)
		return HANDLER_DB;
	return answer_case(r, 200, c.id);
}

/*
 * POST /wage-cases/{id}/recoveries {worker_id, amount, recovered_on}
 * (staff, admin).  Each call records one instalment.  Raises 404, 400 (a
 * worker not on this case, a date in the future), 409 "case_not_open"
 * unless the case is accepted, referred, mediating or resolved, 409
 * "exceeds_owed" when the worker's total would pass what is owed (nothing
 * is stored then), 409 "period_locked" when recovered_on lies in an
 * approved period of the case's unit, 412 on a stale If-Match if one is
 * sent, 201 with the case otherwise.
 */
int
wage_cases_recover(struct req *r)
{
	struct recovery_in in;
	struct case_row c;
	int64_t owed = 0, got = 0, future = 0, rid;
	char a[32], b[32];
	int rc, st;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &recovery_table, &in) != 0)
		return 0;
	if ((rc = load_visible(r, 1, &c)) != 1)
		return rc;
	if (r->if_match != NULL && req_if_match(r, c.version) != 0)
		return 0;
	st = valid_enum_index(statuses, c.status);
	if (st < 0 || !(recovering & B(st)))
		return http_problem(r, 409, "case_not_open",
				    "只有已受理、转交、调解中或已解决的案件"
				    "才能登记追回金额");
	if (db_one(r->db, &r->arena, &sql_future, "s", "i", in.recovered_on,
		   &future) < 0)
		return HANDLER_DB;
	if (future)
		return http_field_error(r, "recovered_on", "out_of_range",
					"追回日期不能晚于今天");
	/* Before the union's records begin is a slip of the keyboard (1900
	 * for 2026): the money would count in no campaign's row I while the
	 * case shows it recovered. */
	if (strcmp(in.recovered_on, RECORDS_SINCE) < 0)
		return http_field_error(r, "recovered_on", "out_of_range",
					"追回日期不能早于 2000 年，请核对年份");
	if ((rc = period_locked(r, c.unit_path, in.recovered_on)) != 0)
		return rc < 0 ? HANDLER_DB : 0;
	rc = db_one(r->db, &r->arena, &sql_worker_lock, "ii", "ii",
		    in.worker_id, c.id, &owed, &got);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_field_error(r, "worker_id", "unknown",
					"该农民工不在本案件名单中");
	if (got + in.amount > owed) {
		money_format(owed - got, a);
		money_format(in.amount, b);
		return http_problem(
		    r, 409, "exceeds_owed",
		    arena_printf(&r->arena,
				 "追回 %s 元将超过该农民工被欠金额，"
				 "最多还可登记 %s 元",
				 b, a));
	}
	if (db_exec(r->db, &sql_insert_recovery, "iiisi", c.id, in.worker_id,
		    in.amount, in.recovered_on, r->user->id) < 0)
		return HANDLER_DB;
	rid = db_last_id(r->db);
	if (db_exec(r->db, &sql_worker_add, "ii", in.amount, in.worker_id) <
		0 ||
	    db_exec(r->db, &sql_case_add, "ii", in.amount, c.id) < 0)
		return HANDLER_DB;
	money_format(in.amount, b);
	if (audit(r, "wage_case.recovery", "wage_recoveries", rid, NULL,
		  json_pack("{s:I, s:I, s:s, s:s}", "case_id", (json_int_t)c.id,
			    "worker_id", (json_int_t)in.worker_id, "amount", b,
			    "recovered_on", in.recovered_on)) != 0)
		return HANDLER_DB;
	http_header(r, "Location: /api/v1/wage-cases/%lld", (long long)c.id);
	return answer_case(r, 201, c.id);
}

/* ---- Public tracking
 * --------------------------------------------------------- */

/*
 * GET /wage-cases/track?reference=&code= (public).  Raises 400 when either
 * is missing, 404 -- the same answer -- for an unknown reference and for a
 * wrong code, 200 {reference, status, status_label, updated_at} otherwise
 * and nothing more: the code proves only the right to see the status.
 */
int
wage_cases_track(struct req *r)
{
	const char *ref = req_query(r, "reference"),
		   *code = req_query(r, "code");
	char norm[CODE_LEN + 1], *sref, *status, *stored, *updated;
	unsigned char hash[CODE_HASH_LEN];
	struct verrs e;
	int rc, st, bad;

	verrs_init(&e);
	if (ref == NULL || *ref == '\0')
		verrs_add(&e, "reference", "required", "请填写案件编号");
	if (code == NULL || *code == '\0')
		verrs_add(&e, "code", "required", "请填写查询码");
	if (http_refused(r, &e))
		return 0;
	/* People copy codes with spaces and lower case; forgive that.  A
	 * code that cannot be one still costs the same lookup below. */
	bad = code_normalize(code, norm) != 0;
	sref = arena_strdup(&r->arena, ref);
	for (char *p = sref; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	rc = db_one(r->db, &r->arena, &sql_track, "s", "ssss", sref, &sref,
		    &status, &stored, &updated);
	if (rc < 0)
		return HANDLER_DB;
	code_hash(norm, hash);
	if (rc == 0 || bad || stored == NULL ||
	    sodium_memcmp(hash, stored, sizeof(hash)) != 0)
		return http_problem(r, 404, "not_found",
				    "案件编号或查询码不正确");
	st = valid_enum_index(statuses, status);
	return http_json(r, 200,
			 json_pack("{s:s, s:s, s:s, s:s}", "reference", sref,
				   "status", status, "status_label",
				   st >= 0 ? status_labels[st] : status,
				   "updated_at", updated));
}
