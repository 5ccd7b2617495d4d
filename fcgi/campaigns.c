/*
 * Campaigns (API.md v1.1 "Campaigns"): one winter's 送温暖 campaign, with
 * the period its statistics cover and the date its table is due.  Admins
 * create and change them; everyone signed in reads them, since every
 * statistics page starts by picking one.
 */
#include <mysqld_error.h>
#include <string.h>

#include "audit.h"
#include "campaigns.h"
#include "resources.h"

struct campaign_in {
	uint64_t has;
	char *title;
	char from[11];
	char to[11];
	char report_due[11];
};

enum { K_TITLE, K_FROM, K_TO, K_DUE };

/* The labels of the campaigns page (frontend/admin/campaigns.html), so
 * that a message names the field the person sees. */
#define L_FROM "统计期间开始"
#define L_TO "统计期间结束"
#define L_DUE "报送截止日期"

static const struct vfield create_fields[] = {
    [K_TITLE] = F(struct campaign_in, "title", "活动名称", VT_STRING, V_REQ, 1,
		  100, title),
    [K_FROM] =
	F(struct campaign_in, "from", L_FROM, VT_DATE, V_REQ, 0, 0, from),
    [K_TO] = F(struct campaign_in, "to", L_TO, VT_DATE, V_REQ, 0, 0, to),
    [K_DUE] = F(struct campaign_in, "report_due", L_DUE, VT_DATE, V_REQ, 0, 0,
		report_due),
};
static const struct vtable create_table =
    VTABLE(create_fields, struct campaign_in);

static const struct vfield patch_fields[] = {
    [K_TITLE] =
	F(struct campaign_in, "title", "活动名称", VT_STRING, 0, 1, 100, title),
    [K_FROM] = F(struct campaign_in, "from", L_FROM, VT_DATE, 0, 0, 0, from),
    [K_TO] = F(struct campaign_in, "to", L_TO, VT_DATE, 0, 0, 0, to),
    [K_DUE] = F(struct campaign_in, "report_due", L_DUE, VT_DATE, 0, 0, 0,
		report_due),
};
static const struct vtable patch_table =
    VTABLE(patch_fields, struct campaign_in);

/* The request tables above, for the tests that walk every table
 * (resources.h FIELD_TABLES). */
const struct vtable_ref campaign_tables[] = {
    {"campaigns.create", &create_table},
    {"campaigns.patch", &patch_table},
    {NULL, NULL},
};

#define DAY(col) "DATE_FORMAT(" col ", '%Y-%m-%d')"
#define COLS                                                                   \
	"id, title, " DAY("from_date") ", " DAY("to_date") ", " DAY(           \
	    "report_due") ", version"

SQL(sql_list, "SELECT " COLS " FROM campaigns WHERE id < ? "
	      "ORDER BY id DESC LIMIT ?");
SQL(sql_get, "SELECT " COLS " FROM campaigns WHERE id = ?");
SQL(sql_get_lock, "SELECT " COLS " FROM campaigns WHERE id = ? FOR UPDATE");
SQL(sql_latest, "SELECT " COLS " FROM campaigns "
		"ORDER BY from_date DESC, id DESC LIMIT 1");
SQL(sql_insert, "INSERT INTO campaigns (title, from_date, to_date, "
		"report_due, created_by, created_at, updated_at) "
		"VALUES (?, ?, ?, ?, ?, NOW(), NOW())");
SQL(sql_update, "UPDATE campaigns SET title = ?, from_date = ?, to_date = ?, "
		"report_due = ?, version = version + 1, updated_at = NOW() "
		"WHERE id = ?");
/* The campaign the unique index campaigns_same (sql/014) found: the same
 * title (as the column compares it) and period, another id. */
SQL(sql_same, "SELECT " COLS " FROM campaigns WHERE title = ? AND "
	      "from_date = ? AND to_date = ? AND id <> ? LIMIT 1");

static json_t *
campaign_json(const struct campaign *c)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "id",
			 (json_int_t)c->id, "title", c->title, "from", c->from,
			 "to", c->to, "report_due", c->report_due, "version",
			 (json_int_t)c->version);
}

static int
read_one(struct req *r, struct sql *s, int64_t id, struct campaign *c)
{
	memset(c, 0, sizeof(*c));
	return db_one(r->db, &r->arena, s, "i", "issssi", id, &c->id, &c->title,
		      &c->from, &c->to, &c->report_due, &c->version);
}

int
campaign_get(struct req *r, int64_t id, struct campaign *c)
{
	int rc;

	if (id != 0)
		rc = read_one(r, &sql_get, id, c);
	else {
		memset(c, 0, sizeof(*c));
		rc = db_one(r->db, &r->arena, &sql_latest, "", "issssi", &c->id,
			    &c->title, &c->from, &c->to, &c->report_due,
			    &c->version);
	}
	return rc < 0 ? HANDLER_DB : rc;
}

/*
 * The period's rules: the dates given (has: their bits) within the years
 * of the records, from RECORDS_SINCE (valid_date() refused a year after
 * 2100 already): a campaign of 1900 is a typo of the year, and would sum
 * no record at all.  Then to on or after from; due on or after from.  A
 * date already refused is not compared.  A PATCH is judged on the dates
 * it sends, so a campaign stored before the rule can still be edited.
 */
static int
check_dates(struct req *r, uint64_t has, const char *from, const char *to,
	    const char *due)
{
	static const char *const names[] = {
	    [K_FROM] = "from", [K_TO] = "to", [K_DUE] = "report_due"};
	static const char *const labels[] = {
	    [K_FROM] = L_FROM, [K_TO] = L_TO, [K_DUE] = L_DUE};
	const char *dates[] = {[K_FROM] = from, [K_TO] = to, [K_DUE] = due};
	uint64_t bad = 0;
	struct verrs e;
	int k;

	verrs_init(&e);
	for (k = K_FROM; k <= K_DUE; k++)
		if ((has & VBIT(k)) && strcmp(dates[k], RECORDS_SINCE) < 0) {
			verrs_add(&e, names[k], "out_of_range",
				  arena_printf(&r->arena,
					       "%s不能早于 2000 年，请核对年份",
					       labels[k]));
			bad |= VBIT(k);
		}
	if (!(bad & (VBIT(K_FROM) | VBIT(K_TO))) && strcmp(to, from) < 0)
		verrs_add(&e, "to", "out_of_range", L_TO "不能早于" L_FROM);
	if (!(bad & (VBIT(K_FROM) | VBIT(K_DUE))) && strcmp(due, from) < 0)
		verrs_add(&e, "report_due", "out_of_range",
			  L_DUE "不能早于" L_FROM);
	return http_refused(r, &e) ? -1 : 0;
}

/*
 * The answer to a write the index campaigns_same refused: 409 "conflict"
 * naming the campaign there is, so the admin can open it rather than guess.
 * id: the campaign being changed (0 for a new one).  The failed statement
 * alone was undone, so the transaction can still read.
 */
static int
same_campaign(struct req *r, const char *title, const char *from,
	      const char *to, int64_t id)
{
	struct campaign c;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = db_one(r->db, &r->arena, &sql_same, "sssi", "issssi", title, from,
		    to, id, &c.id, &c.title, &c.from, &c.to, &c.report_due,
		    &c.version);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_problem(
		    r, 409, "conflict",
		    "已有名称和统计期间都相同的活动，未作任何更改");
	return http_problem(r, 409, "conflict",
			    arena_printf(&r->arena,
					 "已有同样的活动“%s”（统计期间 %s 至 "
					 "%s，编号 %lld），未作任何更改",
					 c.title, c.from, c.to,
					 (long long)c.id));
}

/*
 * GET /campaigns?limit=&cursor= (signed in).  Raises 200 {items,
 * next_cursor}, newest first.
 */
int
campaigns_list(struct req *r)
{
	struct campaign c;
	int64_t after, last = 0;
	struct dbres q;
	json_t *items;
	int limit, n = 0, rc;

	if (req_page(r, &limit, &after) != 0)
		return 0;
	if (db_query(r->db, &q, &sql_list, "ii", after, (int64_t)limit + 1) !=
	    0)
		return HANDLER_DB;
	items = json_array();
	while ((rc = db_row(&q, &r->arena, "issssi", &c.id, &c.title, &c.from,
			    &c.to, &c.report_due, &c.version)) == 1 &&
	       n < limit) {
		json_array_append_new(items, campaign_json(&c));
		last = c.id;
		n++;
	}
	db_end(&q);
	if (rc < 0) {
		json_decref(items);
		return HANDLER_DB;
	}
	return http_page(r, items, rc == 1, last);
}

/* GET /campaigns/{id} (signed in).  Raises 404, 200 with its ETag. */
int
campaigns_get(struct req *r)
{
	struct campaign c;
	int rc;

	if ((rc = read_one(r, &sql_get, req_id(r, 0), &c)) < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_problem(r, 404, "not_found", "没有这个活动");
	http_etag(r, c.version);
	return http_json(r, 200, campaign_json(&c));
}

/*
 * POST /campaigns {title, from, to, report_due} (admin).  Raises 400 with
 * every invalid field (a date before 2000 or after 2100: out_of_range; to
 * before from, due before from), 409 "conflict" when a campaign of the
 * same title and period exists (named in detail), 201 with Location and
 * the campaign.
 */
int
campaigns_create(struct req *r)
{
	struct campaign_in in;
	struct campaign c;
	int64_t id;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &create_table, &in) != 0 ||
	    check_dates(r, in.has, in.from, in.to, in.report_due) != 0)
		return 0;
	if (db_exec(r->db, &sql_insert, "ssssi", in.title, in.from, in.to,
		    in.report_due, r->user->id) < 0)
		return r->db->err == ER_DUP_ENTRY
			   ? same_campaign(r, in.title, in.from, in.to, 0)
			   : HANDLER_DB;
	id = db_last_id(r->db);
	if (read_one(r, &sql_get, id, &c) <= 0)
		return HANDLER_DB;
	if (audit(r, "campaign.create", "campaigns", id, NULL,
		  campaign_json(&c)) != 0)
		return HANDLER_DB;
	http_header(r, "Location: /api/v1/campaigns/%lld", (long long)id);
	http_etag(r, c.version);
	return http_json(r, 201, campaign_json(&c));
}

/*
 * PATCH /campaigns/{id} (admin; If-Match) with any of title, from, to,
 * report_due.  Raises 404, 428, 412, 400 (nothing to change, a date sent
 * out of range, or dates out of order once applied), 409 "conflict" when
 * another campaign has the title and period it would have, 200 with the
 * campaign.
 */
int
campaigns_patch(struct req *r)
{
	struct campaign_in in;
	struct campaign c, after;
	const char *title, *from, *to, *due;
	int rc;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &patch_table, &in) != 0)
		return 0;
	if (in.has == 0)
		return http_field_error(r, "", "required",
					"请至少修改一个字段");
	if ((rc = read_one(r, &sql_get_lock, req_id(r, 0), &c)) < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_problem(r, 404, "not_found", "没有这个活动");
	if (req_if_match(r, c.version) != 0)
		return 0;
	from = in.has & VBIT(K_FROM) ? in.from : c.from;
	to = in.has & VBIT(K_TO) ? in.to : c.to;
	due = in.has & VBIT(K_DUE) ? in.report_due : c.report_due;
	if (check_dates(r, in.has, from, to, due) != 0)
		return 0;
	title = in.has & VBIT(K_TITLE) ? in.title : c.title;
	if (db_exec(r->db, &sql_update, "ssssi", title, from, to, due, c.id) <
	    0)
		return r->db->err == ER_DUP_ENTRY
			   ? same_campaign(r, title, from, to, c.id)
			   : HANDLER_DB;
	if (read_one(r, &sql_get, c.id, &after) <= 0)
		return HANDLER_DB;
	if (audit(r, "campaign.update", "campaigns", c.id, campaign_json(&c),
		  campaign_json(&after)) != 0)
		return HANDLER_DB;
	http_etag(r, after.version);
	return http_json(r, 200, campaign_json(&after));
}
