/*
 * Period locks: the approved submissions of fcgi/submissions.c, read from
 * the point of view of a record about to change.
 *
 * What an approval locks is what it reported: the campaign's days up to
 * the day of approval.  A table is due before the campaign ends (the 2021
 * notice asks for it by 02-08 for a campaign running to 02-12), and the
 * work goes on: a departure on the last days of the Spring Festival rush,
 * a case accepted after the report, are recorded as they happen and show
 * in the live figures; the approved snapshot keeps what was reported.  There is
 * no lock table: a lock is an approved submission, so approving, returning and
 * reopening change the locks in the same row and the same transaction.
 *
 * The lookup is a plain read inside the writer's transaction.  Approvals
 * are rare, so the window in which a write could pass while an approval
 * commits is the length of one request; the approval itself refuses to
 * approve figures that no longer match the records (409
 * figures_changed), so a change that slipped through before it is caught
 * there rather than locked in.
 */
#include <stdio.h>
#include <string.h>

#include "locks.h"

#define DAY(col) "DATE_FORMAT(" col ", '%Y-%m-%d')"
#define TS(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s+08:00')"

/* clang-format off */
#define LOCK_COLS                                                              \
	"s.id, n.id, n.name, c.id, c.title, " DAY("c.from_date") ", "         \
	DAY("LEAST(c.to_date, DATE(s.decided_at))") ", u.display_name, "      \
	TS("s.decided_at")
#define LOCK_FROM                                                              \
	" FROM stat_submissions s JOIN units n ON n.id = s.unit_id "          \
	"JOIN campaigns c ON c.id = s.campaign_id "                           \
	"LEFT JOIN users u ON u.id = s.decided_by "                           \
	"WHERE s.state = 'approved' AND ? LIKE CONCAT(n.path, '%') "
/* clang-format on */

/* The highest unit's lock first: it is the one to ask about. */
SQL(sql_by_date,
    "SELECT " LOCK_COLS LOCK_FROM "AND CAST(COALESCE(?, CURDATE()) AS DATE) "
    "BETWEEN c.from_date AND LEAST(c.to_date, DATE(s.decided_at)) "
    "ORDER BY CHAR_LENGTH(n.path), s.id LIMIT 1");
SQL(sql_by_campaign, "SELECT " LOCK_COLS LOCK_FROM "AND s.campaign_id = ? "
		     "ORDER BY CHAR_LENGTH(n.path), s.id LIMIT 1");

int
lock_find(struct req *r, const char *unit_path, const char *date,
	  int64_t campaign_id, struct lock *l)
{
	int rc;

	memset(l, 0, sizeof(*l));
	if (campaign_id > 0)
		rc = db_one(r->db, &r->arena, &sql_by_campaign, "si",
			    "iisisssss", unit_path, campaign_id,
			    &l->submission_id, &l->unit_id, &l->unit_name,
			    &l->campaign_id, &l->campaign_title, &l->from,
			    &l->to, &l->approved_by, &l->approved_at);
	else
		rc = db_one(r->db, &r->arena, &sql_by_date, "ss", "iisisssss",
			    unit_path, date, &l->submission_id, &l->unit_id,
			    &l->unit_name, &l->campaign_id, &l->campaign_title,
			    &l->from, &l->to, &l->approved_by, &l->approved_at);
	return rc < 0 ? HANDLER_DB : rc;
}

json_t *
lock_json(const struct lock *l)
{
	return json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:o, s:o}",
			 "submission_id", (json_int_t)l->submission_id,
			 "unit_id", (json_int_t)l->unit_id, "unit_name",
			 l->unit_name, "campaign_id",
			 (json_int_t)l->campaign_id, "campaign_title",
			 l->campaign_title, "from", l->from, "to", l->to,
			 "approved_by", json_str_or_null(l->approved_by),
			 "approved_at", json_str_or_null(l->approved_at));
}

/* Answers 409 period_locked for lock l.  Someone who is not signed in (a
 * traveller confirming arrival, an employer signing up) is told what to
 * do in their words, and nothing of who approved what. */
static int
refuse(struct req *r, const struct lock *l)
{
	const char *who = l->approved_by ? l->approved_by : "上级单位";
	char day[11] = "";

	if (r->user == NULL)
		return http_problem(r, 409, "period_locked",
				    "这段时间的登记已经上报，现在不能在网上"
				    "更改，请联系为您登记的工会工作人员"),
		       1;
	if (l->approved_at != NULL)
		snprintf(day, sizeof(day), "%.10s", l->approved_at);
	http_problem_ext(
	    r, 409, "period_locked",
	    arena_printf(&r->arena,
			 "%s的《%s》统计表已由%s于%s审核通过，%s 至 %s "
			 "期间的记录已锁定，不能新增、修改或删除；"
			 "如需更正，请联系管理员重新开放",
			 l->unit_name, l->campaign_title, who, day, l->from,
			 l->to),
	    json_pack("{s:o}", "lock", lock_json(l)));
	return 1;
}

int
period_locked(struct req *r, const char *unit_path, const char *date)
{
	struct lock l;
	int rc = lock_find(r, unit_path, date, 0, &l);

	return rc == 1 ? refuse(r, &l) : rc;
}

int
campaign_locked(struct req *r, const char *unit_path, int64_t campaign_id)
{
	struct lock l;
	int rc = lock_find(r, unit_path, NULL, campaign_id, &l);

	return rc == 1 ? refuse(r, &l) : rc;
}
