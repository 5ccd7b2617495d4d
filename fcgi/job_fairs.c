/*
 * Recruitment fairs (专场招聘会, API.md "Job fairs"): the fair itself
 * (draft -> published -> closed), the employers who sign up with their
 * positions, and the placements staff record afterwards.  Job seekers'
 * sign-ups and the check-in are in fair_signups.c (see fairs.h).
 *
 * Visibility: anyone sees published and closed fairs, their employers and
 * positions -- never an employer's contact; signed-in callers also see the
 * drafts of their unit's subtree.  Staff and admins manage the fairs of
 * their subtree; a fair outside it is 403 for a change, or 404 when the
 * caller may not even see it.
 */
#include <ctype.h>
#include <mysqld_error.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "fairs.h"
#include "locks.h"
#include "mask.h"
#include "pii.h"
#include "query.h"
#include "resources.h"

#define POSITIONS_MAX 50
#define CAPACITY_MAX 100000
#define HEADCOUNT_MAX 10000

const char *const fair_statuses[] = {"draft", "published", "closed", NULL};
static const char *const status_labels[] = {"未发布", "报名中", "已结束"};

static const char *const kinds[] = {"catering", "garment",    "key_enterprise",
				    "general",	"work_study", NULL};
static const char *const kind_labels[] = {"餐饮服务专场", "纺织服装专场",
					  "重点企业专场", "综合招聘会",
					  "寒假勤工俭学专场"};

static const char *const position_kinds[] = {"regular", "work_study",
					     "social_practice", NULL};

#define B(s) (1u << (s))
/* draft -> published -> closed, and nothing back (API.md). */
static const unsigned next_ok[FS__MAX] = {
    [FS_DRAFT] = B(FS_PUBLISHED),
    [FS_PUBLISHED] = B(FS_CLOSED),
};

/* ---- Times -------------------------------------------------------------- */

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * A time in Asia/Shanghai as people and <input type="datetime-local">
 * write it: "YYYY-MM-DDTHH:MM", optional ":SS", optional "+08:00" (a
 * space may stand for the T).  Another offset is refused rather than
 * converted: a fair's time is local by nature.
 */
static const char *
check_time(const char *s)
{
	char day[11];
	const char *p;

	if (strlen(s) < 16 || !digits(s + 11, 2) || s[13] != ':' ||
	    !digits(s + 14, 2) || (s[10] != 'T' && s[10] != ' '))
		return "format";
	memcpy(day, s, 10);
	day[10] = '\0';
	if (valid_date(day) != NULL)
		return "format";
	if ((s[11] - '0') * 10 + (s[12] - '0') > 23 || s[14] > '5')
		return "format";
	p = s + 16;
	if (*p == ':') {
		if (!digits(p + 1, 2) || p[1] > '5')
			return "format";
		p += 3;
	}
	return *p == '\0' || strcmp(p, "+08:00") == 0 ? NULL : "format";
}

/* A checked time as MariaDB's DATETIME "YYYY-MM-DD HH:MM:SS". */
static void
time_local(const char *s, char out[20])
{
	memcpy(out, s, 16);
	out[10] = ' ';
	if (s[16] == ':')
		memcpy(out + 16, s + 16, 3);
	else
		memcpy(out + 16, ":00", 3);
	out[19] = '\0';
}

char *
fair_time_json(struct arena *a, const char *local)
{
	char *out;

	if (local == NULL || strlen(local) != 19)
		return arena_strdup(a, local ? local : "");
	out = arena_printf(a, "%s+08:00", local);
	out[10] = 'T';
	return out;
}

/* ---- Field tables --------------------------------------------------- */

#define FT(st, name, label, flags, member)                                     \
	{                                                                      \
		name, label, VT_STRING, flags, 16, 25, offsetof(st, member),   \
		    NULL, NULL, 0, check_time                                  \
	}

struct fair_in {
	uint64_t has;
	int64_t unit_id;
	char *title;
	int kind;
	char *venue;
	char *starts_at, *ends_at;
	int64_t capacity;
	int status;
};

enum { F_UNIT, F_TITLE, F_KIND, F_VENUE, F_STARTS, F_ENDS, F_CAP, F_STATUS };

static const struct vfield fair_fields[] = {
    [F_UNIT] = F(struct fair_in, "unit_id", "主办工会", VT_INT, 0, 1, INT64_MAX,
		 unit_id),
    [F_TITLE] = F(struct fair_in, "title", "招聘会名称", VT_STRING, V_REQ, 1,
		  100, title),
    [F_KIND] = FE(struct fair_in, "kind", "招聘会类型", V_REQ, kind, kinds),
    [F_VENUE] =
	F(struct fair_in, "venue", "举办地点", VT_STRING, V_REQ, 1, 200, venue),
    [F_STARTS] = FT(struct fair_in, "starts_at", "开始时间", V_REQ, starts_at),
    [F_ENDS] = FT(struct fair_in, "ends_at", "结束时间", V_REQ, ends_at),
    [F_CAP] = F(struct fair_in, "seeker_capacity", "求职者名额", VT_INT, V_REQ,
		1, CAPACITY_MAX, capacity),
};
static const struct vtable fair_table = VTABLE(fair_fields, struct fair_in);

/* A PATCH: the same fields, all optional, and the status. */
static const struct vfield patch_fields[] = {
    [F_UNIT] = F(struct fair_in, "unit_id", "主办工会", VT_INT, 0, 1, INT64_MAX,
		 unit_id),
    [F_TITLE] =
	F(struct fair_in, "title", "招聘会名称", VT_STRING, 0, 1, 100, title),
    [F_KIND] = FE(struct fair_in, "kind", "招聘会类型", 0, kind, kinds),
    [F_VENUE] =
	F(struct fair_in, "venue", "举办地点", VT_STRING, 0, 1, 200, venue),
    [F_STARTS] = FT(struct fair_in, "starts_at", "开始时间", 0, starts_at),
    [F_ENDS] = FT(struct fair_in, "ends_at", "结束时间", 0, ends_at),
    [F_CAP] = F(struct fair_in, "seeker_capacity", "求职者名额", VT_INT, 0, 1,
		CAPACITY_MAX, capacity),
    [F_STATUS] = FE(struct fair_in, "status", "状态", 0, status, fair_statuses),
};
static const struct vtable patch_table = VTABLE(patch_fields, struct fair_in);

struct position_in {
	uint64_t has;
	char *title;
	int kind;
	int64_t headcount;
	int64_t wage_min, wage_max;
};

enum { P_TITLE, P_KIND, P_HEADCOUNT, P_WAGE_MIN, P_WAGE_MAX };

static const struct vfield position_fields[] = {
    [P_TITLE] = F(struct position_in, "title", "岗位名称", VT_STRING, V_REQ, 1,
		  100, title),
    [P_KIND] =
	FE(struct position_in, "kind", "岗位类型", V_REQ, kind, position_kinds),
    [P_HEADCOUNT] = F(struct position_in, "headcount", "招聘人数", VT_INT,
		      V_REQ, 1, HEADCOUNT_MAX, headcount),
    [P_WAGE_MIN] = F(struct position_in, "wage_min", "最低工资", VT_MONEY, 0, 0,
		     MONEY_MAX_FEN, wage_min),
    [P_WAGE_MAX] = F(struct position_in, "wage_max", "最高工资", VT_MONEY, 0, 0,
		     MONEY_MAX_FEN, wage_max),
};
static const struct vtable position_table =
    VTABLE(position_fields, struct position_in);

struct employer_in {
	uint64_t has;
	char *name;
	char credit_code[19];
	char *contact_name;
	char contact_phone[12];
	int caring;
	struct position_in *positions;
	size_t npositions;
};

static const struct vfield employer_fields[] = {
    F(struct employer_in, "name", "单位名称", VT_STRING, V_REQ, 1, 100, name),
    F(struct employer_in, "credit_code", "统一社会信用代码", VT_CREDIT, V_REQ,
      0, 0, credit_code),
    F(struct employer_in, "contact_name", "联系人", VT_STRING, V_REQ, 1, 50,
      contact_name),
    F(struct employer_in, "contact_phone", "联系电话", VT_PHONE, V_REQ, 0, 0,
      contact_phone),
    F(struct employer_in, "caring", "爱心企业", VT_BOOL, 0, 0, 0, caring),
    FA(struct employer_in, "positions", "招聘岗位", V_REQ, 1, POSITIONS_MAX,
       positions, &position_table, npositions),
};
static const struct vtable employer_table =
    VTABLE(employer_fields, struct employer_in);

struct placement_in {
	uint64_t has;
	int64_t registration_id, employer_id, position_id;
	char placed_on[11];
};

static const struct vfield placement_fields[] = {
    F(struct placement_in, "registration_id", "求职者", VT_INT, V_REQ, 1,
      INT64_MAX, registration_id),
    F(struct placement_in, "employer_id", "用人单位", VT_INT, V_REQ, 1,
      INT64_MAX, employer_id),
    F(struct placement_in, "position_id", "岗位", VT_INT, V_REQ, 1, INT64_MAX,
      position_id),
    F(struct placement_in, "placed_on", "录用日期", VT_DATE, V_REQ, 0, 0,
      placed_on),
};
static const struct vtable placement_table =
    VTABLE(placement_fields, struct placement_in);

/* The request tables above, for the tests that walk every table
 * (resources.h FIELD_TABLES). */
const struct vtable_ref job_fair_tables[] = {
    {"job_fairs.create", &fair_table},
    {"job_fairs.patch", &patch_table},
    {"job_fairs.employer", &employer_table},
    {"job_fairs.placement", &placement_table},
    {NULL, NULL},
};

/* ---- SQL ------------------------------------------------------------ */

#define TS(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s+08:00')"
#define LOCAL(col) "DATE_FORMAT(" col ", '%Y-%m-%d %H:%i:%s')"
#define AD_CONTACT_PHONE "fair_employers.contact_phone"

/* clang-format off: it would split the string concatenation apart. */
// clang-format off
#define FAIR_COLS                                                              \
	"f.id, f.unit_id, f.title, f.kind, f.venue, " LOCAL("f.starts_at")     \
	", " LOCAL("f.ends_at") ", f.seeker_capacity, f.status, "              \
	TS("f.created_at") ", " TS("f.updated_at") ", f.version, n.path, "     \
	"n.name, (SELECT COUNT(*) FROM fair_registrations r "                  \
	"WHERE r.fair_id = f.id AND r.status = 'registered'), "                \
	"(SELECT COUNT(*) FROM fair_registrations r "                          \
	"WHERE r.fair_id = f.id AND r.status = 'waitlisted'), "                \
	"(SELECT COUNT(*) FROM fair_registrations r "                          \
	"WHERE r.fair_id = f.id AND r.status = 'registered' "                  \
	"AND r.checked_in_at IS NOT NULL)"
// clang-format on
#define FAIR_FMT "iisssssisssissiii"

SQL(sql_fair, "SELECT " FAIR_COLS " FROM job_fairs f "
	      "JOIN units n ON n.id = f.unit_id WHERE f.id = ?");
/* The lock alone, on the fair's row only (not its unit's). */
SQL(sql_fair_lock, "SELECT id FROM job_fairs WHERE id = ? FOR UPDATE");
/*
 * STRAIGHT_JOIN: the records are read newest first by primary key and the
 * scan stops at the page's end.  Left to itself, with the parameters of a
 * prepared statement unknown when it plans, the optimizer started from
 * units and sorted a whole subtree's records: 1.9 s for one page of the
 * safe-return list at 300,000 records (bench/stats.sh measures the lists).
 */
SQL(sql_fairs, "SELECT " FAIR_COLS " FROM job_fairs f "
	       "STRAIGHT_JOIN units n ON n.id = f.unit_id "
	       "WHERE f.id < ? "
	       "AND (f.status = 'published' "
	       "OR (? IS NOT NULL AND n.path LIKE CONCAT(?, '%'))) "
	       "AND (? IS NULL OR f.status = ?) "
	       "AND (? IS NULL OR f.kind = ?) "
	       "AND (? IS NULL OR n.path LIKE CONCAT(?, '%')) "
	       "AND (? IS NULL OR f.starts_at >= ?) "
	       "AND (? IS NULL OR f.starts_at < ? + INTERVAL 1 DAY) "
	       "ORDER BY f.id DESC LIMIT ?");
SQL(sql_fair_insert, "INSERT INTO job_fairs (unit_id, title, kind, venue, "
		     "starts_at, ends_at, seeker_capacity, created_by, "
		     "created_at, updated_at) "
		     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NOW(), NOW())");
SQL(sql_fair_update, "UPDATE job_fairs SET unit_id = ?, title = ?, kind = ?, "
		     "venue = ?, starts_at = ?, ends_at = ?, "
		     "seeker_capacity = ?, status = ?, version = version + 1, "
		     "updated_at = NOW() WHERE id = ?");

SQL(sql_employer_insert,
    "INSERT INTO fair_employers (fair_id, name, "
    "credit_code, contact_name, contact_phone_enc, caring, "
    "created_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, NOW())");
SQL(sql_position_insert, "INSERT INTO fair_positions (employer_id, title, "
			 "kind, headcount, wage_min, wage_max) "
			 "VALUES (?, ?, ?, ?, ?, ?)");
#define EMPLOYER_COLS                                                          \
	"e.id, e.name, e.credit_code, e.contact_name, e.contact_phone_enc, "   \
	"e.caring, " TS("e.created_at")
#define EMPLOYER_FMT "isssBis"
SQL(sql_employers, "SELECT " EMPLOYER_COLS " FROM fair_employers e "
		   "WHERE e.fair_id = ? AND e.id < ? "
		   "ORDER BY e.id DESC LIMIT ?");
SQL(sql_employer, "SELECT " EMPLOYER_COLS " FROM fair_employers e "
		  "WHERE e.fair_id = ? AND e.id = ?");
/* The positions of the employers with ids in [lo, hi] at one fair, in the
 * order of the list (employers newest first). */
SQL(sql_positions, "SELECT p.employer_id, p.id, p.title, p.kind, "
		   "p.headcount, p.wage_min, p.wage_max, "
		   "(SELECT COUNT(*) FROM fair_placements x "
		   "WHERE x.position_id = p.id) "
		   "FROM fair_positions p "
		   "JOIN fair_employers e ON e.id = p.employer_id "
		   "WHERE e.fair_id = ? AND p.employer_id BETWEEN ? AND ? "
		   "ORDER BY p.employer_id DESC, p.id");

SQL(sql_reg_of_fair, "SELECT status FROM fair_registrations "
		     "WHERE id = ? AND fair_id = ?");
SQL(sql_employer_of_fair, "SELECT COUNT(*) FROM fair_employers "
			  "WHERE id = ? AND fair_id = ?");
SQL(sql_position_of,
    "SELECT p.headcount, (SELECT COUNT(*) FROM "
    "fair_placements x WHERE x.position_id = p.id) "
    "FROM fair_positions p WHERE p.id = ? AND p.employer_id = ?");
SQL(sql_placement_insert, "INSERT INTO fair_placements (fair_id, "
			  "registration_id, employer_id, position_id, "
			  "placed_on, created_by, created_at) "
			  "VALUES (?, ?, ?, ?, ?, ?, NOW())");
SQL(sql_placements,
    "SELECT pl.id, pl.registration_id, r.name, r.kind, r.hardship_family, "
    "pl.employer_id, e.name, pl.position_id, p.title, p.kind, "
    "DATE_FORMAT(pl.placed_on, '%Y-%m-%d'), " TS(
	"pl.created_at") " FROM fair_placements pl "
			 "JOIN fair_registrations r ON r.id = "
			 "pl.registration_id "
			 "JOIN fair_employers e ON e.id = pl.employer_id "
			 "JOIN fair_positions p ON p.id = pl.position_id "
			 "WHERE pl.fair_id = ? AND pl.id < ? "
			 "AND (? IS NULL OR pl.id = ?) "
			 "ORDER BY pl.id DESC LIMIT ?");

/* ---- Reading fairs ------------------------------------------------------ */

static int
read_fair(struct dbres *q, struct arena *a, struct fair_row *f)
{
	char *status = NULL;
	int rc;

	memset(f, 0, sizeof(*f));
	rc = db_row(q, a, FAIR_FMT, &f->id, &f->unit_id, &f->title, &f->kind,
		    &f->venue, &f->starts_at, &f->ends_at, &f->capacity,
		    &status, &f->created_at, &f->updated_at, &f->version,
		    &f->unit_path, &f->unit_name, &f->registered,
		    &f->waitlisted, &f->checked_in);
	if (rc == 1) {
		int s = valid_enum_index(fair_statuses, status);

		f->status = s >= 0 ? (enum fair_status)s : FS_CLOSED;
	}
	return rc;
}

int
fair_visible(const struct req *r, const struct fair_row *f)
{
	if (f->status != FS_DRAFT)
		return 1;
	return r->user != NULL && auth_in_subtree(r->user, f->unit_path);
}

int
fair_in_scope(const struct req *r, const struct fair_row *f)
{
	return r->user != NULL && auth_in_subtree(r->user, f->unit_path);
}

int
fair_load(struct req *r, unsigned flags, struct fair_row *f)
{
	int64_t id = req_id(r, 0), locked;
	struct dbres q;
	int rc;

	if (flags & FAIR_LOCK) {
		rc = db_one(r->db, &r->arena, &sql_fair_lock, "i", "i", id,
			    &locked);
		if (rc < 0)
			return HANDLER_DB;
		if (rc == 0)
			goto none;
	}
	if (db_query(r->db, &q, &sql_fair, "i", id) != 0)
		return HANDLER_DB;
	rc = read_fair(&q, &r->arena, f);
	db_end(&q);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 1 && fair_visible(r, f))
		return 1;
none:
	http_problem(r, 404, "not_found", "没有这场招聘会");
	return 0;
}

static json_t *
fair_json(struct req *r, const struct fair_row *f)
{
	int k = valid_enum_index(kinds, f->kind);
	int64_t left = f->capacity - f->registered;

	return json_pack(
	    "{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, "
	    "s:I, s:I, s:I, s:I, s:s, s:s, s:I}",
	    "id", (json_int_t)f->id, "unit_id", (json_int_t)f->unit_id,
	    "unit_name", f->unit_name, "title", f->title, "kind", f->kind,
	    "kind_label", k >= 0 ? kind_labels[k] : f->kind, "venue", f->venue,
	    "starts_at", fair_time_json(&r->arena, f->starts_at), "ends_at",
	    fair_time_json(&r->arena, f->ends_at), "seeker_capacity",
	    (json_int_t)f->capacity, "status", fair_statuses[f->status],
	    "status_label", status_labels[f->status], "registered_count",
	    (json_int_t)f->registered, "waitlisted_count",
	    (json_int_t)f->waitlisted, "checked_in_count",
	    (json_int_t)f->checked_in, "places_left",
	    (json_int_t)(left > 0 ? left : 0), "created_at", f->created_at,
	    "updated_at", f->updated_at, "version", (json_int_t)f->version);
}

/* Answers with the fair as it now stands, with its ETag. */
static int
answer_fair(struct req *r, int status, int64_t id)
{
	struct fair_row f;
	struct dbres q;
	int rc;

	if (db_query(r->db, &q, &sql_fair, "i", id) != 0)
		return HANDLER_DB;
	rc = read_fair(&q, &r->arena, &f);
	db_end(&q);
	if (rc != 1)
		return HANDLER_DB;
	http_etag(r, f.version);
	return http_json(r, status, fair_json(r, &f));
}

/* ---- Fairs ---------------------------------------------------------- */

/* Checks what the field table cannot: the fair ends after it starts. */
static void
check_times(const char *starts, const char *ends, struct verrs *e)
{
	char now[11], hi[11], last[11];

	/* A fair is a day or a few, organised within a few years: outside
	 * that a date is a typo (1900, 2099) that would put the fair, and
	 * its K rows, in no campaign. */
	valid_today(now);
	valid_date_add(now, 5 * 366, hi);
	valid_date_add(starts, 31, last);
	if (strncmp(starts, RECORDS_SINCE, 10) < 0 ||
	    strncmp(starts, hi, 10) > 0)
		verrs_add(e, "starts_at", "out_of_range",
			  "开始时间应在 2000 年到五年后之间，请核对年份");
	if (strcmp(ends, starts) <= 0)
		verrs_add(e, "ends_at", "out_of_range",
			  "结束时间应晚于开始时间");
	else if (strncmp(ends, last, 10) > 0)
		verrs_add(e, "ends_at", "out_of_range",
			  "一场招聘会最长 31 天，请核对结束时间");
}

/* A unit the caller may hold a fair for: 1, 0 answered, HANDLER_DB.
 * *path receives its path, for the period lock not to look it up again. */
static int
check_unit(struct req *r, int64_t unit, char **path)
{
	int rc;

	if ((rc = unit_path(r, unit, path)) < 0)
		return HANDLER_DB;
	if (rc == 0 || !auth_in_subtree(r->user, *path)) {
		http_field_error(r, "unit_id", "unknown",
				 "所选工会不存在或不在本单位管辖范围内");
		return 0;
	}
	return 1;
}

/*
 * POST /job-fairs {unit_id?, title, kind, venue, starts_at, ends_at,
 * seeker_capacity} (staff, admin).  unit_id defaults to the caller's unit
 * and must be within the caller's subtree; times are Asia/Shanghai
 * ("2021-01-20T09:00" or with ":SS" and "+08:00").  A new fair is a draft.
 * Raises 400 with every invalid field (ends_at not after starts_at:
 * out_of_range; a unit outside the subtree: unknown), 201 with Location
 * and the fair otherwise.
 */
int
job_fairs_create(struct req *r)
{
	struct fair_in in;
	char starts[20], ends[20], *path = NULL;
	struct verrs e;
	int64_t unit, id;
	int rc;

	memset(&in, 0, sizeof(in));
	verrs_init(&e);
	http_validate(r, &fair_table, &in, &e);
	if ((in.has & VBIT(F_STARTS)) && (in.has & VBIT(F_ENDS))) {
		time_local(in.starts_at, starts);
		time_local(in.ends_at, ends);
		check_times(starts, ends, &e);
	}
	if (http_refused(r, &e))
		return 0;
	unit = in.has & VBIT(F_UNIT) ? in.unit_id : r->user->unit_id;
	if ((rc = check_unit(r, unit, &path)) != 1)
		return rc;
	if (db_exec(r->db, &sql_fair_insert, "isssssii", unit, in.title,
		    kinds[in.kind], in.venue, starts, ends, in.capacity,
		    r->user->id) < 0)
		return HANDLER_DB;
	id = db_last_id(r->db);
	if (audit(r, "job_fair.create", "job_fairs", id, NULL,
		  json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "unit_id",
			    (json_int_t)unit, "title", in.title, "kind",
			    kinds[in.kind], "starts_at", starts, "ends_at",
			    ends, "seeker_capacity",
			    (json_int_t)in.capacity)) != 0)
		return HANDLER_DB;
	http_header(r, "Location: /api/v1/job-fairs/%lld", (long long)id);
	return answer_fair(r, 201, id);
}

/*
 * GET /job-fairs?status=&kind=&unit_id=&from=&to=&limit=&cursor= (public).
 * Anonymous callers see published fairs; signed-in callers also every
 * fair of their unit's subtree, drafts and closed ones included.  from/to
 * bound the starting date.  Raises 400 naming a bad parameter, 200
 * {items, next_cursor} newest first otherwise.
 */
int
job_fairs_list(struct req *r)
{
	const char *status, *kind, *from, *to, *scope;
	char *upath = NULL;
	int64_t after, last = 0;
	struct fair_row f;
	struct verrs e;
	struct dbres q;
	json_t *items;
	int limit, n = 0, rc = 0;

	if (req_page(r, &limit, &after) != 0)
		return 0;
	verrs_init(&e);
	status = query_enum(r, "status", fair_statuses, &e);
	kind = query_enum(r, "kind", kinds, &e);
	query_period(r, &from, &to, &e);
	if (query_unit(r, "unit_id", &upath, &e) != 0) {
		verrs_free(&e);
		return HANDLER_DB;
	}
	if (http_refused(r, &e))
		return 0;
	scope = r->user != NULL ? scope_path(r) : NULL;
	if (db_query(r->db, &q, &sql_fairs, "issssssssssssi", after, scope,
		     scope, status, status, kind, kind, upath, upath, from,
		     from, to, to, (int64_t)limit + 1) != 0)
		return HANDLER_DB;
	items = json_array();
	while (n <= limit && (rc = read_fair(&q, &r->arena, &f)) == 1) {
		if (n == limit)
			break;
		json_array_append_new(items, fair_json(r, &f));
		last = f.id;
		n++;
	}
	db_end(&q);
	if (rc < 0) {
		json_decref(items);
		return HANDLER_DB;
	}
	return http_page(r, items, rc == 1 && n == limit, last);
}

/*
 * GET /job-fairs/{id} (public).  Raises 404 for a fair that does not
 * exist or that the caller may not see (another subtree's draft), 200
 * with the fair and its live counts (registered_count, waitlisted_count,
 * checked_in_count, places_left) otherwise.
 */
int
job_fairs_get(struct req *r)
{
	struct fair_row f;
	int rc;

	if ((rc = fair_load(r, 0, &f)) != 1)
		return rc;
	http_etag(r, f.version);
	return http_json(r, 200, fair_json(r, &f));
}

/*
 * PATCH /job-fairs/{id} (staff, admin of the fair's subtree; If-Match)
 * with any of the creation fields and status.  Status moves draft ->
 * published -> closed only.  Raising seeker_capacity promotes waitlisted
 * registrations in the order they signed up, in this transaction (API.md
 * v1.1).  Raises 404, 403 (another subtree's fair), 428, 412, 400 (an empty
 * change, bad fields, ends_at not after starts_at), 409 "fair_closed" for
 * a closed fair, 409 "illegal_transition", 409 "capacity_below_registered"
 * when seeker_capacity would drop below the people registered (nobody is
 * dropped silently), 200 with the fair otherwise.
 */
int
job_fairs_patch(struct req *r)
{
	struct fair_in in;
	struct fair_row f;
	char starts[20], ends[20], *path;
	int64_t unit, cap, old_cap;
	enum fair_status to;
	struct verrs e;
	int rc;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &patch_table, &in) != 0)
		return 0;
	if (in.has == 0)
		return http_field_error(r, "", "required",
					"请至少修改一个字段");
	if ((rc = fair_load(r, FAIR_LOCK, &f)) != 1)
		return rc;
	if (!fair_in_scope(r, &f))
		return http_problem(r, 403, "forbidden",
				    "只能管理本单位及下级单位的招聘会");
	if (req_if_match(r, f.version) != 0)
		return 0;
	if (f.status == FS_CLOSED)
		return http_problem(r, 409, "fair_closed",
				    "招聘会已结束，不能再修改");
	snprintf(starts, sizeof(starts), "%s", f.starts_at);
	snprintf(ends, sizeof(ends), "%s", f.ends_at);
	if (in.has & VBIT(F_STARTS))
		time_local(in.starts_at, starts);
	if (in.has & VBIT(F_ENDS))
		time_local(in.ends_at, ends);
	verrs_init(&e);
	check_times(starts, ends, &e);
	if (http_refused(r, &e))
		return 0;
	to = in.has & VBIT(F_STATUS) ? (enum fair_status)in.status : f.status;
	if (to != f.status && !(next_ok[f.status] & B(to)))
		return http_problem(
		    r, 409, "illegal_transition",
		    arena_printf(&r->arena, "招聘会不能从“%s”变为“%s”",
				 status_labels[f.status], status_labels[to]));
	cap = in.has & VBIT(F_CAP) ? in.capacity : f.capacity;
	if (cap < f.registered)
		return http_problem(
		    r, 409, "capacity_below_registered",
		    arena_printf(&r->arena,
				 "已有 %lld 人报名，求职者名额不能少于 %lld；"
				 "如需减少，请先联系报名者取消",
				 (long long)f.registered,
				 (long long)f.registered));
	unit = in.has & VBIT(F_UNIT) ? in.unit_id : f.unit_id;
	path = f.unit_path;
	if ((in.has & VBIT(F_UNIT)) && (rc = check_unit(r, unit, &path)) != 1)
		return rc;
	/* A fair's start date places its employers in K2, its unit its
	 * placements in K1: neither may leave or enter a locked period.
	 * Where neither moves (a change of status) the one check is both. */
	if ((in.has & (VBIT(F_STARTS) | VBIT(F_UNIT) | VBIT(F_STATUS))) != 0) {
		if ((rc = period_locked(
			 r, f.unit_path,
			 arena_strndup(&r->arena, f.starts_at, 10))) != 0)
			return rc < 0 ? HANDLER_DB : 0;
		if ((unit != f.unit_id ||
		     strncmp(starts, f.starts_at, 10) != 0) &&
		    (rc = period_locked(
			 r, path, arena_strndup(&r->arena, starts, 10))) != 0)
			return rc < 0 ? HANDLER_DB : 0;
	}
#define PICK(bit, v, old) (in.has & VBIT(bit) ? (v) : (old))
	if (db_exec(r->db, &sql_fair_update, "isssssisi", unit,
		    PICK(F_TITLE, in.title, f.title),
		    PICK(F_KIND, kinds[in.kind], f.kind),
		    PICK(F_VENUE, in.venue, f.venue), starts, ends, cap,
		    fair_statuses[to], f.id) < 0)
		return HANDLER_DB;
#undef PICK
	old_cap = f.capacity;
	f.capacity = cap;
	if (fair_fill(r, &f) < 0)
		return HANDLER_DB;
	if (audit(r, "job_fair.update", "job_fairs", f.id,
		  json_pack("{s:s, s:I, s:s, s:s}", "status",
			    fair_statuses[f.status], "seeker_capacity",
			    (json_int_t)old_cap, "starts_at", f.starts_at,
			    "ends_at", f.ends_at),
		  json_pack("{s:s, s:I, s:s, s:s}", "status", fair_statuses[to],
			    "seeker_capacity", (json_int_t)cap, "starts_at",
			    starts, "ends_at", ends)) != 0)
		return HANDLER_DB;
	return answer_fair(r, 200, f.id);
}

/* ---- Employers ------------------------------------------------------ */

struct employer_row {
	int64_t id, caring;
	char *name, *credit_code, *contact_name, *created_at;
	struct blob phone_enc;
};

/*
 * An employer as the caller may see it: names and positions for
 * everyone; credit code and contacts only for staff of the fair's subtree
 * (masked in lists; in full for a single record).  positions is stolen.
 */
static json_t *
employer_json(struct req *r, const struct employer_row *m, int staff,
	      int unmask, json_t *positions)
{
	json_t *o =
	    json_pack("{s:I, s:s, s:b, s:o, s:s}", "id", (json_int_t)m->id,
		      "name", m->name, "caring", (int)m->caring, "positions",
		      positions, "created_at", m->created_at);
	char *phone = NULL;

	if (!staff)
		return o;
	if (mask_sealed(&r->arena, AD_CONTACT_PHONE, &m->phone_enc, PII_PHONE,
			unmask, &phone) != 0) {
		json_decref(o);
		r->db->err = 0;
		r->db->errsql = "fair_employers.contact_phone does not open";
		return NULL;
	}
	json_object_set_new(o, "credit_code", json_string(m->credit_code));
	json_object_set_new(o, "contact_name", json_string(m->contact_name));
	json_object_set_new(o, "contact_phone", json_str_or_null(phone));
	return o;
}

static json_t *
position_json(int64_t id, const char *title, const char *kind,
	      int64_t headcount, int64_t wmin, int nomin, int64_t wmax,
	      int nomax, int64_t placed)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:o, s:o, s:I}", "id",
			 (json_int_t)id, "title", title, "kind", kind,
			 "headcount", (json_int_t)headcount, "wage_min",
			 nomin ? json_null() : json_money(wmin), "wage_max",
			 nomax ? json_null() : json_money(wmax), "placed",
			 (json_int_t)placed);
}

/*
 * Fills the positions of employers[0..n) (ids descending, each object
 * holding an empty "positions" array) with one query.  Returns 0 or -1.
 */
static int
add_positions(struct req *r, int64_t fair_id, json_t **objs, const int64_t *ids,
	      size_t n)
{
	int64_t eid, pid, head, wmin, wmax, placed;
	int nomin, nomax, rc;
	char *title, *kind;
	struct dbres q;
	size_t i = 0;

	if (n == 0)
		return 0;
	if (db_query(r->db, &q, &sql_positions, "iii", fair_id, ids[n - 1],
		     ids[0]) != 0)
		return -1;
	while (
	    (rc = db_row(&q, &r->arena, "iissiIIi", &eid, &pid, &title, &kind,
			 &head, &wmin, &nomin, &wmax, &nomax, &placed)) == 1) {
		while (i < n && ids[i] > eid)
			i++;
		if (i == n)
			break;
		if (ids[i] != eid)
			continue;
		json_array_append_new(json_object_get(objs[i], "positions"),
				      position_json(pid, title, kind, head,
						    wmin, nomin, wmax, nomax,
						    placed));
	}
	db_end(&q);
	return rc < 0 ? -1 : 0;
}

/*
 * POST /job-fairs/{id}/employers {name, credit_code, contact_name,
 * contact_phone, caring?, positions: [{title, kind, headcount, wage_min?,
 * wage_max?}]} (public while the fair is published; staff of its subtree
 * also while it is a draft).  Wages are yuan (a month's pay), stored in
 * fen.  Raises 400 with every invalid field (positions[2].wage_max below
 * wage_min: out_of_range), 404 (also for a draft the caller may not see:
 * exactly the answer for no fair), 409 "fair_not_open" with the reason
 * for a closed fair or a draft the caller sees but does not manage (a
 * volunteer of its subtree), 409 "employer_registered" when the credit code has
 * already signed up at this fair, 201 with the employer (its contact phone
 * masked) otherwise.
 */
int
job_fairs_employer_create(struct req *r)
{
	struct employer_in in;
	struct employer_row m;
	struct fair_row f;
	struct blob phone;
	json_t *positions, *o;
	struct verrs e;
	int64_t id;
	size_t i;
	int rc;

	memset(&in, 0, sizeof(in));
	verrs_init(&e);
	http_validate(r, &employer_table, &in, &e);
	for (i = 0; i < in.npositions; i++) {
		const struct position_in *p = &in.positions[i];

		if ((p->has & VBIT(P_WAGE_MIN)) &&
		    (p->has & VBIT(P_WAGE_MAX)) && p->wage_max < p->wage_min)
			verrs_add(&e,
				  arena_printf(&r->arena,
					       "positions[%zu].wage_max", i),
				  "out_of_range", "最高工资不能低于最低工资");
	}
	if (http_refused(r, &e))
		return 0;
	if ((rc = fair_load(r, 0, &f)) != 1)
		return rc;
	if (f.status == FS_CLOSED)
		return http_problem(r, 409, "fair_not_open",
				    "本场招聘会已结束，不再接受用人单位报名");
	if (f.status == FS_DRAFT &&
	    !(fair_in_scope(r, &f) && r->user->role != ROLE_VOLUNTEER))
		return http_problem(r, 409, "fair_not_open",
				    "本场招聘会尚未发布，暂不接受用人单位报名");
	/* After the fair only its staff add an employer (to record who
	 * hired whom); the public form takes none. */
	{
		char now[20];

		valid_now(now);
		if (strcmp(now, f.ends_at) > 0 &&
		    !(fair_in_scope(r, &f) && r->user->role != ROLE_VOLUNTEER))
			return http_problem(
			    r, 409, "fair_not_open",
			    "本场招聘会已经结束，不再接受用人单位报名");
	}
	/* K2 counts caring employers by the day their fair starts. */
	if ((rc = period_locked(r, f.unit_path,
				arena_strndup(&r->arena, f.starts_at, 10))) !=
	    0)
		return rc < 0 ? HANDLER_DB : 0;
	if (pii_seal_str(&r->arena, AD_CONTACT_PHONE, in.contact_phone,
			 &phone) != 0)
		return HANDLER_DB;
	if (db_exec(r->db, &sql_employer_insert, "isssbiI", f.id, in.name,
		    in.credit_code, in.contact_name, phone.p, phone.n,
		    (int64_t)in.caring, r->user != NULL,
		    r->user ? r->user->id : 0) < 0) {
		if (r->db->err == ER_DUP_ENTRY)
			return http_problem(
			    r, 409, "employer_registered",
			    "该单位（统一社会信用代码）已报名本场招聘会");
		return HANDLER_DB;
	}
	id = db_last_id(r->db);
	positions = json_array();
	for (i = 0; i < in.npositions; i++) {
		const struct position_in *p = &in.positions[i];
		int nomin = !(p->has & VBIT(P_WAGE_MIN));
		int nomax = !(p->has & VBIT(P_WAGE_MAX));

		if (db_exec(r->db, &sql_position_insert, "issiII", id, p->title,
			    position_kinds[p->kind], p->headcount, !nomin,
			    p->wage_min, !nomax, p->wage_max) < 0) {
			json_decref(positions);
			return HANDLER_DB;
		}
		json_array_append_new(
		    positions,
		    position_json(db_last_id(r->db), p->title,
				  position_kinds[p->kind], p->headcount,
				  p->wage_min, nomin, p->wage_max, nomax, 0));
	}
	if (audit(r, "fair_employer.create", "fair_employers", id, NULL,
		  json_pack("{s:I, s:s, s:s, s:s, s:b, s:i}", "fair_id",
			    (json_int_t)f.id, "name", in.name, "credit_code",
			    in.credit_code, "contact_phone",
			    mask_phone(&r->arena, in.contact_phone), "caring",
			    in.caring, "positions", (int)in.npositions)) != 0) {
		json_decref(positions);
		return HANDLER_DB;
	}
	memset(&m, 0, sizeof(m));
	if (db_one(r->db, &r->arena, &sql_employer, "ii", EMPLOYER_FMT, f.id,
		   id, &m.id, &m.name, &m.credit_code, &m.contact_name,
		   &m.phone_enc, &m.caring, &m.created_at) != 1) {
		json_decref(positions);
		return HANDLER_DB;
	}
	/* The one who signed up sees what was stored, the phone masked. */
	if ((o = employer_json(r, &m, 1, 0, positions)) == NULL)
		return HANDLER_DB;
	http_header(r, "Location: /api/v1/job-fairs/%lld/employers/%lld",
		    (long long)f.id, (long long)id);
	return http_json(r, 201, o);
}

/*
 * GET /job-fairs/{id}/employers?limit=&cursor= (public).  Each employer
 * with its positions (wages in yuan, "placed" the placements so far);
 * never a contact for the public.  Staff of the fair's subtree also get
 * credit_code, contact_name and the masked contact_phone.  Raises 404,
 * 400 on a bad limit or cursor, 200 {items, next_cursor} newest first.
 */
int
job_fairs_employer_list(struct req *r)
{
	struct employer_row m;
	struct fair_row f;
	json_t *items, *o, **objs;
	int64_t after, *ids;
	struct dbres q;
	int limit, n = 0, rc, staff;

	if (req_page(r, &limit, &after) != 0)
		return 0;
	if ((rc = fair_load(r, 0, &f)) != 1)
		return rc;
	staff = fair_in_scope(r, &f) && r->user->role != ROLE_VOLUNTEER;
	if (db_query(r->db, &q, &sql_employers, "iii", f.id, after,
		     (int64_t)limit + 1) != 0)
		return HANDLER_DB;
	items = json_array();
	objs = arena_alloc(&r->arena, (size_t)(limit + 1) * sizeof(*objs));
	ids = arena_alloc(&r->arena, (size_t)(limit + 1) * sizeof(*ids));
	memset(&m, 0, sizeof(m));
	while (n <= limit &&
	       (rc = db_row(&q, &r->arena, EMPLOYER_FMT, &m.id, &m.name,
			    &m.credit_code, &m.contact_name, &m.phone_enc,
			    &m.caring, &m.created_at)) == 1) {
		if (n == limit)
			break;
		if ((o = employer_json(r, &m, staff, 0, json_array())) ==
		    NULL) {
			rc = -1;
			break;
		}
		json_array_append_new(items, o);
		objs[n] = o; /* borrowed: items owns it */
		ids[n++] = m.id;
	}
	db_end(&q);
	if (rc < 0 || add_positions(r, f.id, objs, ids, (size_t)n) != 0) {
		json_decref(items);
		return HANDLER_DB;
	}
	return http_page(r, items, rc == 1 && n == limit,
			 n > 0 ? ids[n - 1] : 0);
}

/*
 * GET /job-fairs/{id}/employers/{eid} (public).  The employer as the
 * list shows it; staff of the fair's subtree and admins see the contact
 * phone in full.  Raises 404, 200 otherwise.
 */
int
job_fairs_employer_get(struct req *r)
{
	struct employer_row m;
	struct fair_row f;
	json_t *o;
	int64_t id;
	int rc, staff;

	if ((rc = fair_load(r, 0, &f)) != 1)
		return rc;
	memset(&m, 0, sizeof(m));
	rc = db_one(r->db, &r->arena, &sql_employer, "ii", EMPLOYER_FMT, f.id,
		    req_id(r, 1), &m.id, &m.name, &m.credit_code,
		    &m.contact_name, &m.phone_enc, &m.caring, &m.created_at);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_problem(r, 404, "not_found", "没有这个用人单位");
	staff = fair_in_scope(r, &f) && r->user->role != ROLE_VOLUNTEER;
	if ((o = employer_json(r, &m, staff, staff, json_array())) == NULL)
		return HANDLER_DB;
	id = m.id;
	if (add_positions(r, f.id, &o, &id, 1) != 0) {
		json_decref(o);
		return HANDLER_DB;
	}
	return http_json(r, 200, o);
}

/* ---- Placements ----------------------------------------------------- */

/* One placement row as JSON: the person, the employer, the position. */
static int
placements_query(struct req *r, int64_t fair_id, int64_t after, int64_t only,
		 int limit, json_t *items, int64_t *last)
{
	int64_t id, rid, hardship, eid, pid;
	char *name, *rkind, *ename, *ptitle, *pkind, *on, *at;
	struct dbres q;
	int n = 0, rc;

	if (db_query(r->db, &q, &sql_placements, "iiIIi", fair_id, after,
		     only != 0, only, only != 0, only, (int64_t)limit + 1) != 0)
		return -1;
	while (n <= limit &&
	       (rc = db_row(&q, &r->arena, "iissiisissss", &id, &rid, &name,
			    &rkind, &hardship, &eid, &ename, &pid, &ptitle,
			    &pkind, &on, &at)) == 1) {
		if (n == limit)
			break;
		json_array_append_new(
		    items,
		    json_pack("{s:I, s:I, s:s, s:s, s:b, s:I, s:s, s:I, s:s, "
			      "s:s, s:s, s:s}",
			      "id", (json_int_t)id, "registration_id",
			      (json_int_t)rid, "name", name, "seeker_kind",
			      rkind, "hardship_family", (int)hardship,
			      "employer_id", (json_int_t)eid, "employer_name",
			      ename, "position_id", (json_int_t)pid,
			      "position_title", ptitle, "position_kind", pkind,
			      "placed_on", on, "created_at", at));
		*last = id;
		n++;
	}
	db_end(&q);
	if (rc < 0)
		return -1;
	return rc == 1 && n == limit;
}

/*
 * POST /job-fairs/{id}/placements {registration_id, employer_id,
 * position_id, placed_on} (staff, admin of the fair's subtree).  The
 * person must hold a place (registered, not waitlisted or cancelled); the
 * position must be one of the employer's at this fair, with places left
 * (headcount).  Raises 404, 403, 400 (unknown registration, employer or
 * position of this fair: "unknown"; placed_on after today or before the
 * fair's day: out_of_range), 409 "not_registered", 409 "position_full",
 * 409 "already_placed" for the same person and position twice, 201 with
 * the placement otherwise.
 */
int
job_fairs_placement_create(struct req *r)
{
	struct placement_in in;
	struct fair_row f;
	int64_t head = 0, placed = 0, n = 0, id, last;
	char today[11];
	int future, early;
	char *status = NULL;
	json_t *items, *o;
	int rc;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &placement_table, &in) != 0)
		return 0;
	/* Locked like every change to a fair's registrations (fairs.h):
	 * a cancel cannot slip in between the check and the insert. */
	if ((rc = fair_load(r, FAIR_LOCK, &f)) != 1)
		return rc;
	if (!fair_in_scope(r, &f) || r->user->role == ROLE_VOLUNTEER)
		return http_problem(r, 403, "forbidden",
				    "只能管理本单位及下级单位的招聘会");
	rc = db_one(r->db, &r->arena, &sql_reg_of_fair, "ii", "s",
		    in.registration_id, f.id, &status);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_field_error(r, "registration_id", "unknown",
					"本场招聘会没有这位求职者");
	if (db_one(r->db, &r->arena, &sql_employer_of_fair, "ii", "i",
		   in.employer_id, f.id, &n) < 0)
		return HANDLER_DB;
	if (n == 0)
		return http_field_error(r, "employer_id", "unknown",
					"本场招聘会没有这个用人单位");
	rc = db_one(r->db, &r->arena, &sql_position_of, "ii", "ii",
		    in.position_id, in.employer_id, &head, &placed);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_field_error(r, "position_id", "unknown",
					"该用人单位没有这个岗位");
	/* Dates written YYYY-MM-DD compare as strings: two comparisons are
	 * not worth a round trip to the database. */
	valid_today(today);
	future = strcmp(in.placed_on, today) > 0;
	early = strncmp(in.placed_on, f.starts_at, 10) < 0;
	if (future || early)
		return http_field_error(r, "placed_on", "out_of_range",
					future ? "录用日期不能晚于今天"
					       : "录用日期不能早于招聘会当天");
	if (strcmp(status, "registered") != 0)
		return http_problem(r, 409, "not_registered",
				    "只有已获得名额的求职者（非候补、未取消）"
				    "才能登记录用");
	/* K1 counts a placement on its placed_on, in the fair's unit. */
	if ((rc = period_locked(r, f.unit_path, in.placed_on)) != 0)
		return rc < 0 ? HANDLER_DB : 0;
	if (placed >= head)
		return http_problem(
		    r, 409, "position_full",
		    arena_printf(&r->arena, "该岗位计划招聘 %lld 人，已录满",
				 (long long)head));
	if (db_exec(r->db, &sql_placement_insert, "iiiisi", f.id,
		    in.registration_id, in.employer_id, in.position_id,
		    in.placed_on, r->user->id) < 0) {
		if (r->db->err == ER_DUP_ENTRY)
			return http_problem(r, 409, "already_placed",
					    "已登记过这位求职者被该岗位录用");
		return HANDLER_DB;
	}
	id = db_last_id(r->db);
	if (audit(r, "fair_placement.create", "fair_placements", id, NULL,
		  json_pack("{s:I, s:I, s:I, s:I, s:s}", "fair_id",
			    (json_int_t)f.id, "registration_id",
			    (json_int_t)in.registration_id, "employer_id",
			    (json_int_t)in.employer_id, "position_id",
			    (json_int_t)in.position_id, "placed_on",
			    in.placed_on)) != 0)
		return HANDLER_DB;
	items = json_array();
	if (placements_query(r, f.id, INT64_MAX, id, 1, items, &last) < 0 ||
	    json_array_size(items) != 1) {
		json_decref(items);
		return HANDLER_DB;
	}
	o = json_incref(json_array_get(items, 0));
	json_decref(items);
	http_header(r, "Location: /api/v1/job-fairs/%lld/placements",
		    (long long)f.id);
	return http_json(r, 201, o);
}

/*
 * GET /job-fairs/{id}/placements?limit=&cursor= (staff, admin of the
 * fair's subtree).  Raises 404, 403, 400 on a bad limit or cursor, 200
 * {items, next_cursor} newest first: each with the person's name and
 * kind, the employer and the position.
 */
int
job_fairs_placement_list(struct req *r)
{
	struct fair_row f;
	int64_t after, last = 0;
	json_t *items;
	int limit, rc, more;

	if (req_page(r, &limit, &after) != 0)
		return 0;
	if ((rc = fair_load(r, 0, &f)) != 1)
		return rc;
	if (!fair_in_scope(r, &f))
		return http_problem(r, 403, "forbidden",
				    "只能查看本单位及下级单位的招聘会");
	items = json_array();
	if ((more = placements_query(r, f.id, after, 0, limit, items, &last)) <
	    0) {
		json_decref(items);
		return HANDLER_DB;
	}
	return http_page(r, items, more, last);
}
