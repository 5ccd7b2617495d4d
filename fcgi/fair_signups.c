/*
 * Job seekers at a recruitment fair (API.md "Job fairs"): sign-up with a
 * place or on the waitlist, the code and its QR, cancellation by code,
 * the staff's list, and the check-in at the door.
 *
 * Places: see fairs.h.  Every handler here that changes a registration's
 * status locks the fair's row first and counts after, so however sign-ups,
 * cancellations and check-ins interleave, no more than seeker_capacity
 * people are ever registered, and the waitlist moves in sign-up order.
 *
 * Codes (fcgi/codes.h) are shown once, in the sign-up's answer, and kept
 * as their hash; a code is only ever looked up within its fair.  A phone
 * is found again through its blind index, never by decrypting.
 */
#include <mysqld_error.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "codes.h"
#include "fairs.h"
#include "mask.h"
#include "pii.h"
#include "qr.h"
#include "query.h"
#include "resources.h"

static const char *const kinds[] = {"migrant_worker", "student", "other", NULL};
static const char *const statuses[] = {"registered", "waitlisted", "cancelled",
				       NULL};
static const char *const status_labels[] = {"已报名", "候补中", "已取消"};

enum reg_status { R_REGISTERED, R_WAITLISTED, R_CANCELLED };

#define AD_PHONE "fair_registrations.phone"
#define AD_IDNUM "fair_registrations.id_number"

static int
status_index(const char *s)
{
	int i = valid_enum_index(statuses, s);

	return i < 0 ? R_CANCELLED : i;
}

/* ---- Field tables --------------------------------------------------- */

struct signup_in {
	uint64_t has;
	char *name;
	char phone[12];
	char id_number[19];
	int kind;
	int hardship;
	char *wanted;
};

enum { S_NAME, S_PHONE, S_IDNUM, S_KIND, S_HARDSHIP, S_WANTED };

static const struct vfield signup_fields[] = {
    [S_NAME] =
	F(struct signup_in, "name", "姓名", VT_STRING, V_REQ, 1, 50, name),
    [S_PHONE] =
	F(struct signup_in, "phone", "手机号", VT_PHONE, V_REQ, 0, 0, phone),
    [S_IDNUM] = F(struct signup_in, "id_number", "身份证号", VT_IDNUM, 0, 0, 0,
		  id_number),
    [S_KIND] = FE(struct signup_in, "kind", "身份", V_REQ, kind, kinds),
    [S_HARDSHIP] = F(struct signup_in, "hardship_family", "困难职工家庭",
		     VT_BOOL, 0, 0, 0, hardship),
    [S_WANTED] =
	F(struct signup_in, "wanted", "求职意向", VT_STRING, 0, 1, 100, wanted),
};
static const struct vtable signup_table =
    VTABLE(signup_fields, struct signup_in);

struct checkin_in {
	uint64_t has;
	char *code;
};

static const struct vfield checkin_fields[] = {
    F(struct checkin_in, "code", "报名码", VT_STRING, V_REQ, 1, 40, code),
};
static const struct vtable checkin_table =
    VTABLE(checkin_fields, struct checkin_in);

/* The request tables above, for the tests that walk every table
 * (resources.h FIELD_TABLES). */
const struct vtable_ref fair_signup_tables[] = {
    {"fair_signups.signup", &signup_table},
    {"fair_signups.checkin", &checkin_table},
    {NULL, NULL},
};

/* ---- SQL ------------------------------------------------------------ */

#define TS(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s+08:00')"
/* A waitlisted registration's place in the queue, 1 for the next one. */
#define QUEUE_POS                                                              \
	"IF(r.status = 'waitlisted', (SELECT COUNT(*) "                        \
	"FROM fair_registrations w WHERE w.fair_id = r.fair_id "               \
	"AND w.status = 'waitlisted' AND w.id <= r.id), NULL)"

SQL(sql_registered, "SELECT COUNT(*) FROM fair_registrations "
		    "WHERE fair_id = ? AND status = 'registered'");
SQL(sql_phone_taken, "SELECT COUNT(*) FROM fair_registrations "
		     "WHERE fair_id = ? AND phone_idx = ? "
		     "AND status <> 'cancelled'");
SQL(sql_insert, "INSERT INTO fair_registrations (fair_id, code_hash, name, "
		"phone_enc, phone_idx, id_number_enc, kind, hardship_family, "
		"wanted, status, created_at, updated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(), NOW())");
/* The oldest waitlisted first: ids follow the order of sign-up. */
SQL(sql_promote, "UPDATE fair_registrations SET status = 'registered', "
		 "promoted_at = NOW(), updated_at = NOW(), "
		 "version = version + 1 "
		 "WHERE fair_id = ? AND status = 'waitlisted' "
		 "ORDER BY id LIMIT ?");
#define BY_CODE_COLS                                                           \
	"r.id, r.name, r.phone_enc, r.kind, r.hardship_family, r.status, " TS( \
	    "r.checked_in_at") ", " QUEUE_POS
#define BY_CODE_FMT "isBsissI"
SQL(sql_by_code, "SELECT " BY_CODE_COLS " FROM fair_registrations r "
		 "WHERE r.fair_id = ? AND r.code_hash = ?");
SQL(sql_by_id, "SELECT " BY_CODE_COLS " FROM fair_registrations r "
	       "WHERE r.id = ?");
SQL(sql_placed, "SELECT COUNT(*) FROM fair_placements "
		"WHERE registration_id = ?");
SQL(sql_cancel, "UPDATE fair_registrations SET status = 'cancelled', "
		"cancelled_at = NOW(), updated_at = NOW(), "
		"version = version + 1 WHERE id = ?");
SQL(sql_check_in, "UPDATE fair_registrations SET checked_in_at = NOW(), "
		  "checked_in_by = ?, updated_at = NOW(), "
		  "version = version + 1 "
		  "WHERE id = ? AND checked_in_at IS NULL");
/* clang-format off: it would split the string concatenation apart. */
// clang-format off
#define LIST_COLS                                                              \
	"r.id, r.name, r.phone_enc, r.id_number_enc, r.kind, "                 \
	"r.hardship_family, r.wanted, r.status, " TS("r.checked_in_at") ", "   \
	TS("r.created_at") ", " QUEUE_POS
// clang-format on
SQL(sql_list, "SELECT " LIST_COLS " FROM fair_registrations r "
	      "WHERE r.fair_id = ? AND r.id < ? "
	      "AND (? IS NULL OR r.status = ?) "
	      "AND (? IS NULL OR r.name LIKE ?) "
	      "ORDER BY r.id DESC LIMIT ?");

/* ---- Places ----------------------------------------------------------- */

int64_t
fair_fill(struct req *r, const struct fair_row *f)
{
	int64_t registered = 0;
	long long n;

	if (db_one(r->db, &r->arena, &sql_registered, "i", "i", f->id,
		   &registered) < 0)
		return HANDLER_DB;
	if (registered >= f->capacity)
		return 0;
	n = db_exec(r->db, &sql_promote, "ii", f->id, f->capacity - registered);
	return n < 0 ? HANDLER_DB : (int64_t)n;
}

/* ---- Reading registrations -------------------------------------------- */

struct reg_row {
	int64_t id, hardship, queue;
	int noqueue;
	char *name, *kind, *status;
	char *checked_in_at; /* NULL until checked in */
	struct blob phone_enc;
};

#define REG_ARGS(g)                                                            \
	&(g)->id, &(g)->name, &(g)->phone_enc, &(g)->kind, &(g)->hardship,     \
	    &(g)->status, &(g)->checked_in_at, &(g)->queue, &(g)->noqueue

/* A registration by id: 1 found, 0 none, -1 on a failed query. */
static int
reg_by_id(struct req *r, int64_t id, struct reg_row *g)
{
	memset(g, 0, sizeof(*g));
	return db_one(r->db, &r->arena, &sql_by_id, "i", BY_CODE_FMT, id,
		      REG_ARGS(g));
}

/*
 * The registration a code names at the fair f: 1 found, 0 none (or a
 * code that cannot be one), -1 on a failed query.
 */
static int
reg_by_code(struct req *r, const struct fair_row *f, const char *code,
	    struct reg_row *g)
{
	char norm[CODE_LEN + 1];
	unsigned char hash[CODE_HASH_LEN];

	memset(g, 0, sizeof(*g));
	if (code_normalize(code, norm) != 0)
		return 0;
	code_hash(norm, hash);
	return db_one(r->db, &r->arena, &sql_by_code, "ib", BY_CODE_FMT, f->id,
		      hash, sizeof(hash), REG_ARGS(g));
}

/*
 * A name as a volunteer at the door sees it: the family name and, for
 * three characters or more, the last one ("张*丰", "李*").  Enough to tell
 * people apart in a queue, not enough to read out a stranger's name.
 */
static char *
mask_name(struct arena *a, const char *s)
{
	size_t n = strlen(s), first, last, chars = utf8_chars(s), i;
	char *out, *o;

	if (chars <= 1)
		return arena_strdup(a, s);
	for (first = 1; first < n && ((unsigned char)s[first] & 0xC0) == 0x80;
	     first++)
		;
	for (last = n - 1; last > 0 && ((unsigned char)s[last] & 0xC0) == 0x80;
	     last--)
		;
	out = o = arena_alloc(a, n + chars + 1);
	memcpy(o, s, first);
	o += first;
	for (i = 0; i < (chars == 2 ? 1 : chars - 2); i++)
		*o++ = '*';
	if (chars > 2) {
		memcpy(o, s + last, n - last);
		o += n - last;
	}
	*o = '\0';
	return out;
}

/* What the person who holds the code, or a volunteer, is shown: the name
 * and phone masked.  NULL when the phone does not open. */
static json_t *
reg_json(struct req *r, int64_t fair_id, const struct reg_row *g)
{
	int st = status_index(g->status);
	char *phone = NULL;

	if (mask_sealed(&r->arena, AD_PHONE, &g->phone_enc, PII_PHONE, 0,
			&phone) != 0) {
		r->db->err = 0;
		r->db->errsql = "fair_registrations.phone does not open";
		return NULL;
	}
	return json_pack(
	    "{s:I, s:I, s:s, s:o, s:s, s:b, s:s, s:s, s:o, s:o}", "id",
	    (json_int_t)g->id, "fair_id", (json_int_t)fair_id, "name",
	    mask_name(&r->arena, g->name), "phone", json_str_or_null(phone),
	    "kind", g->kind, "hardship_family", (int)g->hardship, "status",
	    g->status, "status_label", status_labels[st], "waitlist_position",
	    g->noqueue ? json_null() : json_integer(g->queue), "checked_in_at",
	    json_str_or_null(g->checked_in_at));
}

/* ---- Sign-up --------------------------------------------------------- */

/* Why a fair takes no sign-ups now, in Chinese; NULL when it does.  A
 * published fair whose end has passed takes none from the public either:
 * nobody closed it, but nobody can come to it any more.  Its own staff may
 * still enter a walk-in afterwards (to record a placement). */
static const char *
closed_reason(struct req *r, const struct fair_row *f)
{
	char now[20];

	if (f->status == FS_DRAFT)
		return "本场招聘会尚未发布，暂不能报名";
	if (f->status == FS_CLOSED)
		return "本场招聘会报名已结束";
	valid_now(now);
	if (strcmp(now, f->ends_at) > 0 &&
	    !(fair_in_scope(r, f) && r->user->role != ROLE_VOLUNTEER))
		return "本场招聘会已经结束，不再接受报名";
	return NULL;
}

/*
 * POST /job-fairs/{id}/registrations {name, phone, id_number?, kind,
 * hardship_family?, wanted?} (public while the fair is published).
 * hardship_family is asked of students only (row K1).  The place is
 * decided under the fair's lock: "registered" while fewer than
 * seeker_capacity hold one, else "waitlisted", in order of arrival.
 * Raises 400 with every invalid field (hardship_family for a non-student:
 * out_of_range), 404 (also for a draft the caller may not see: exactly
 * the answer for no fair), 409 "fair_not_open" with the reason for a
 * draft the caller sees or a closed fair, 409 "phone_registered" when the phone
 * already holds a registration at this fair (its code is never repeated: a
 * phone alone must not reveal one), 201 {id, fair_id, code, status,
 * status_label, waitlist_position} otherwise, with the code shown this once.
 */
int
job_fairs_register(struct req *r)
{
	struct signup_in in;
	struct fair_row f;
	struct verrs e;
	struct blob phone, idn;
	unsigned char idx[PII_IDX_LEN], hash[CODE_HASH_LEN];
	char code[CODE_LEN + 1];
	int64_t taken = 0, queue = 0, id;
	enum reg_status st;
	int rc, tries;

	memset(&in, 0, sizeof(in));
	verrs_init(&e);
	http_validate(r, &signup_table, &in, &e);
	if ((in.has & VBIT(S_HARDSHIP)) && in.hardship &&
	    (in.has & VBIT(S_KIND)) && strcmp(kinds[in.kind], "student") != 0)
		verrs_add(&e, "hardship_family", "out_of_range",
			  "只有学生需要填写是否来自困难职工家庭");
	if (http_refused(r, &e))
		return 0;
	if ((rc = fair_load(r, FAIR_LOCK, &f)) != 1)
		return rc;
	if (closed_reason(r, &f) != NULL)
		return http_problem(r, 409, "fair_not_open",
				    closed_reason(r, &f));
	pii_index(PII_PHONE, in.phone, 11, idx);
	if (db_one(r->db, &r->arena, &sql_phone_taken, "ib", "i", f.id, idx,
		   sizeof(idx), &taken) < 0)
		return HANDLER_DB;
	if (taken > 0)
		return http_problem(r, 409, "phone_registered",
				    "这个手机号已经报名了本场招聘会。"
				    "如需查看报名码，请查看报名成功时的截图；"
				    "遗失的，请到现场服务台出示身份证办理");
	/* f.registered was counted after the fair's lock (fairs.h): no
	 * other sign-up can have taken a place since. */
	st = f.registered < f.capacity ? R_REGISTERED : R_WAITLISTED;
	if (pii_seal_str(&r->arena, AD_PHONE, in.phone, &phone) != 0 ||
	    pii_seal_str(&r->arena, AD_IDNUM,
			 in.has & VBIT(S_IDNUM) ? in.id_number : NULL,
			 &idn) != 0)
		return HANDLER_DB;
	/* Two equal codes at one fair are refused by its unique key: draw
	 * again (at 31^8 codes, a second draw is already rare). */
	for (tries = 0;; tries++) {
		code_new(code);
		code_hash(code, hash);
		if (db_exec(
			r->db, &sql_insert, "ibsbbbsiss", f.id, hash,
			sizeof(hash), in.name, phone.p, phone.n, idx,
			sizeof(idx), idn.p, idn.n, kinds[in.kind],
			(int64_t)(in.has & VBIT(S_HARDSHIP) ? in.hardship : 0),
			in.wanted, statuses[st]) >= 0)
			break;
		if (r->db->err != ER_DUP_ENTRY || tries == 3)
			return HANDLER_DB;
	}
	id = db_last_id(r->db);
	if (st == R_WAITLISTED) {
		struct reg_row g;

		if (reg_by_id(r, id, &g) != 1)
			return HANDLER_DB;
		queue = g.queue;
	}
	if (audit(r, "fair_registration.create", "fair_registrations", id, NULL,
		  json_pack("{s:I, s:s, s:s, s:s, s:s}", "fair_id",
			    (json_int_t)f.id, "name", in.name, "phone",
			    mask_phone(&r->arena, in.phone), "kind",
			    kinds[in.kind], "status", statuses[st])) != 0)
		return HANDLER_DB;
	/* Not the code's own address: headers of an idempotent answer are
	 * stored as they are (only its body is sealed), and the code must
	 * never be at rest.  The list the registration joined instead. */
	http_header(r, "Location: /api/v1/job-fairs/%lld/registrations",
		    (long long)f.id);
	return http_json(
	    r, 201,
	    json_pack("{s:I, s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)id,
		      "fair_id", (json_int_t)f.id, "code", code, "status",
		      statuses[st], "status_label", status_labels[st],
		      "waitlist_position",
		      st == R_WAITLISTED ? json_integer(queue) : json_null()));
}

/*
 * GET /job-fairs/{id}/registrations/{code} (public, by code).  What the
 * holder of the code may know: status, waitlist position, check-in time,
 * the name and phone masked.  Raises 404 -- one answer -- for an unknown
 * fair, a code of another fair and a code that cannot be one; 200
 * otherwise.
 */
int
job_fairs_registration_get(struct req *r)
{
	struct fair_row f;
	struct reg_row g;
	json_t *o;
	int rc;

	if ((rc = fair_load(r, 0, &f)) != 1)
		return rc;
	if ((rc = reg_by_code(r, &f, r->params[1], &g)) < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_problem(r, 404, "not_found", "报名码不正确");
	if ((o = reg_json(r, f.id, &g)) == NULL)
		return HANDLER_DB;
	return http_json(r, 200, o);
}

/*
 * GET /job-fairs/{id}/registrations/{code}/qr.svg (public, by code).  The
 * check-in QR code of a registration that is not cancelled: an SVG image
 * holding the code itself (qr.h: error correction Q, quiet zone).
 * Raises 404 for an unknown or cancelled code, 200 image/svg+xml
 * otherwise.
 */
int
job_fairs_qr(struct req *r)
{
	char norm[CODE_LEN + 1];
	struct fair_row f;
	struct reg_row g;
	int rc;

	if ((rc = fair_load(r, 0, &f)) != 1)
		return rc;
	if ((rc = reg_by_code(r, &f, r->params[1], &g)) < 0)
		return HANDLER_DB;
	if (rc == 0 || status_index(g.status) == R_CANCELLED)
		return http_problem(r, 404, "not_found",
				    "报名码不正确或报名已取消");
	code_normalize(r->params[1], norm);
	http_reset_response(r);
	if (qr_svg(&r->out, norm) != 0)
		return http_problem(r, 500, "internal", "无法生成二维码");
	r->status = 200;
	r->out_type = "image/svg+xml";
	return 0;
}

/*
 * POST /job-fairs/{id}/registrations/{code}/cancel (public, by code; no
 * body).  Frees the place, and in the same transaction the oldest
 * waitlisted registration takes it.  Cancelling a cancelled registration
 * changes nothing (200 as it stands); cancelling a waitlisted one frees
 * no place, so nobody moves up (API.md v1.1).  Raises 404 (unknown fair
 * or code), 409 "fair_not_open" unless the fair is published, 409
 * "checked_in" once the person has been checked in, 409 "placed" once a
 * placement names them, 200 with the registration otherwise.
 */
int
job_fairs_cancel(struct req *r)
{
	struct fair_row f;
	struct reg_row g;
	int64_t placed = 0;
	json_t *o;
	int rc, st;

	if ((rc = fair_load(r, FAIR_LOCK, &f)) != 1)
		return rc;
	if ((rc = reg_by_code(r, &f, r->params[1], &g)) < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_problem(r, 404, "not_found", "报名码不正确");
	st = status_index(g.status);
	if (st != R_CANCELLED) {
		if (f.status != FS_PUBLISHED)
			return http_problem(
			    r, 409, "fair_not_open",
			    f.status == FS_CLOSED
				? "本场招聘会报名已结束，无需取消"
				: "本场招聘会尚未发布");
		if (db_one(r->db, &r->arena, &sql_placed, "i", "i", g.id,
			   &placed) < 0)
			return HANDLER_DB;
		if (g.checked_in_at != NULL)
			return http_problem(r, 409, "checked_in",
					    "已在现场签到，不能再取消报名");
		if (placed > 0)
			return http_problem(r, 409, "placed",
					    "已登记录用，不能再取消报名");
		if (db_exec(r->db, &sql_cancel, "i", g.id) < 0)
			return HANDLER_DB;
		/* A registered person's place goes to the waitlist; a
		 * waitlisted one held none, so fair_fill finds none free. */
		if (fair_fill(r, &f) < 0)
			return HANDLER_DB;
		if (audit(r, "fair_registration.cancel", "fair_registrations",
			  g.id, json_pack("{s:s}", "status", g.status),
			  json_pack("{s:s}", "status", "cancelled")) != 0)
			return HANDLER_DB;
		if (reg_by_id(r, g.id, &g) != 1)
			return HANDLER_DB;
	}
	if ((o = reg_json(r, f.id, &g)) == NULL)
		return HANDLER_DB;
	return http_json(r, 200, o);
}

/* ---- Staff ------------------------------------------------------------- */

/*
 * GET /job-fairs/{id}/registrations?status=&q=&limit=&cursor= (staff,
 * admin of the fair's subtree).  Phones and ID numbers masked; q matches
 * the name.  Raises 404, 403, 400 naming a bad parameter, 200 {items,
 * next_cursor} newest first, waitlisted ones with their waitlist_position.
 */
int
job_fairs_registration_list(struct req *r)
{
	const char *status, *q;
	char *like = NULL, *name, *kind, *wanted, *st, *checked, *created;
	char *phone, *idnum;
	int64_t after, last = 0, id, hardship, queue;
	int limit, n = 0, rc = 0, noqueue;
	struct blob phone_enc, id_enc;
	struct fair_row f;
	struct verrs e;
	struct dbres res;
	json_t *items;

	if (req_page(r, &limit, &after) != 0)
		return 0;
	verrs_init(&e);
	status = query_enum(r, "status", statuses, &e);
	q = query_text(r, "q", 50, &e);
	if (http_refused(r, &e))
		return 0;
	if ((rc = fair_load(r, 0, &f)) != 1)
		return rc;
	if (!fair_in_scope(r, &f))
		return http_problem(r, 403, "forbidden",
				    "只能查看本单位及下级单位招聘会的报名");
	if (q != NULL)
		like = like_pattern(&r->arena, q);
	if (db_query(r->db, &res, &sql_list, "iissssi", f.id, after, status,
		     status, like, like, (int64_t)limit + 1) != 0)
		return HANDLER_DB;
	items = json_array();
	while (n <= limit &&
	       (rc = db_row(&res, &r->arena, "isBBsissssI", &id, &name,
			    &phone_enc, &id_enc, &kind, &hardship, &wanted, &st,
			    &checked, &created, &queue, &noqueue)) == 1) {
		if (n == limit)
			break;
		if (mask_sealed(&r->arena, AD_PHONE, &phone_enc, PII_PHONE, 0,
				&phone) != 0 ||
		    mask_sealed(&r->arena, AD_IDNUM, &id_enc, PII_IDNUM, 0,
				&idnum) != 0) {
			r->db->err = 0;
			r->db->errsql = "fair_registrations does not open";
			rc = -1;
			break;
		}
		json_array_append_new(
		    items,
		    json_pack("{s:I, s:s, s:o, s:o, s:s, s:b, s:o, s:s, s:s, "
			      "s:o, s:o, s:s}",
			      "id", (json_int_t)id, "name", name, "phone",
			      json_str_or_null(phone), "id_number",
			      json_str_or_null(idnum), "kind", kind,
			      "hardship_family", (int)hardship, "wanted",
			      json_str_or_null(wanted), "status", st,
			      "status_label", status_labels[status_index(st)],
			      "waitlist_position",
			      noqueue ? json_null() : json_integer(queue),
			      "checked_in_at", json_str_or_null(checked),
			      "created_at", created));
		last = id;
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
 * POST /job-fairs/{id}/check-ins {code} (volunteer, staff, admin of the
 * fair's subtree).  The code as typed or scanned: case and spaces do not
 * matter.  A repeat answers the first checked_in_at with already: true.
 * Raises 400 (no code, or one that cannot be a code: "format"), 404 for an
 * unknown code or one of another fair, 403 outside the caller's subtree,
 * 409 "fair_not_open" for a draft, 409 "waitlisted" or "cancelled" for a
 * registration without a place, 200 {registration, checked_in_at,
 * already} otherwise, the name and phone masked.
 */
int
job_fairs_check_in(struct req *r)
{
	struct checkin_in in;
	char norm[CODE_LEN + 1];
	struct fair_row f;
	struct reg_row g;
	long long changed;
	json_t *o;
	int rc, st;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &checkin_table, &in) != 0)
		return 0;
	if (code_normalize(in.code, norm) != 0)
		return http_field_error(r, "code", "format",
					"报名码应为 8 位字母或数字");
	if ((rc = fair_load(r, FAIR_LOCK, &f)) != 1)
		return rc;
	if (!fair_in_scope(r, &f))
		return http_problem(r, 403, "forbidden",
				    "只能在本单位及下级单位的招聘会签到");
	if (f.status == FS_DRAFT)
		return http_problem(r, 409, "fair_not_open",
				    "本场招聘会尚未发布");
	/* Checked in is final (no cancel, no place for the waitlist): it
	 * happens at the door, on the fair's day, not before. */
	{
		char now[20];

		valid_now(now);
		if (strncmp(now, f.starts_at, 10) < 0)
			return http_problem(
			    r, 409, "fair_not_started",
			    arena_printf(&r->arena,
					 "签到从招聘会当天（%.10s）开始",
					 f.starts_at));
	}
	if ((rc = reg_by_code(r, &f, norm, &g)) < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_problem(r, 404, "not_found",
				    "报名码不正确，或不是本场招聘会的报名码");
	st = status_index(g.status);
	if (st == R_WAITLISTED)
		return http_problem(r, 409, "waitlisted",
				    "该报名仍在候补中，尚未获得入场名额");
	if (st == R_CANCELLED)
		return http_problem(r, 409, "cancelled", "该报名已取消");
	changed = 0;
	if (g.checked_in_at == NULL) {
		if ((changed = db_exec(r->db, &sql_check_in, "ii", r->user->id,
				       g.id)) < 0)
			return HANDLER_DB;
		if (reg_by_id(r, g.id, &g) != 1)
			return HANDLER_DB;
		if (changed > 0 &&
		    audit(r, "fair_registration.check_in", "fair_registrations",
			  g.id, NULL,
			  json_pack("{s:I, s:s}", "fair_id", (json_int_t)f.id,
				    "checked_in_at", g.checked_in_at)) != 0)
			return HANDLER_DB;
	}
	if ((o = reg_json(r, f.id, &g)) == NULL)
		return HANDLER_DB;
	return http_json(r, 200,
			 json_pack("{s:o, s:s, s:b}", "registration", o,
				   "checked_in_at", g.checked_in_at, "already",
				   changed == 0));
}
