/*
 * What the statistics endpoints share: the unit and period a request asks
 * about, and the rows as JSON.
 */
#ifndef SWN_STATS_API_H
#define SWN_STATS_API_H

#include "http.h"
#include "stats.h"

struct campaign;

struct stats_scope {
	int64_t unit_id;
	char *unit_name, *unit_path;
	const char *from, *to; /* inclusive, YYYY-MM-DD */
	int64_t campaign_id;   /* 0 when asked by dates */
	const char *campaign_title, *report_due;
};

/*
 * Reads unit_param (default: the caller's unit) and the period: from and
 * to, or campaign_id, or else the latest campaign.  Returns 1 with s
 * filled; 0 with the answer set (400, or 404 for a unit outside the
 * caller's subtree); HANDLER_DB.
 */
int stats_scope(struct req *, const char *unit_param, struct stats_scope *s);
/* s's campaign and period: c's. */
void stats_scope_campaign(struct stats_scope *s, const struct campaign *c);
/*
 * The scope a body names (entries, a submission): unit_id and
 * campaign_id, each read when its has_ flag says the body gave it.  Adds
 * "unknown" to e for a unit outside the caller's subtree or a campaign
 * that does not exist.  Returns 0 (s filled as far as found), HANDLER_DB.
 */
int stats_scope_body(struct req *, int has_unit, int64_t unit_id,
		     int has_campaign, int64_t campaign_id,
		     struct stats_scope *s, struct verrs *e);

/* [{code, number, label, unit, value, yuan?}] for every computed row. */
json_t *stats_rows_json(const int64_t v[ST__MAX]);

/*
 * The whole table for the units matching pattern (stats.h) over the
 * scope's period: the rows computed from records, the entered rows of the
 * scope's campaign (or, asked by dates, of every campaign whose whole
 * period lies within them: docs/statistics.md) and the sums.  Returns 0,
 * or -1 after a failed query.
 */
int stats_table(struct req *, const struct stats_scope *, const char *pattern,
		int64_t v[ST__MAX]);

/* ---- entries.c: rows B1-B6, E1-E5, F1-F3 as the units entered them ---- */

/*
 * Adds the entered rows of the units matching pattern to v: of campaign_id,
 * or, when it is 0, of every campaign whose period lies within from..to.
 * B1-B6 in fen, E1-F3 in 人次; a figure no unit entered counts 0, and the
 * rows stay STAT_NONE when none of those units has entries at all.
 * Returns 0, or -1 after a failed query.
 */
int entries_add(struct db *, struct arena *, const char *pattern,
		int64_t campaign_id, const char *from, const char *to,
		int64_t v[ST__MAX]);

/* ---- rules.c: the validation rules (docs/statistics.md) ---- */

struct violations {
	json_t *items; /* owned: [{rule, level, rows, message}], errors first */
	int errors, warnings;
};

/*
 * Evaluates every rule on v, the table of the scope's unit (its subtree)
 * for the scope's campaign; the range rule compares the entered rows with
 * the unit's latest earlier campaign that has entries.  Returns 0 with out
 * filled (the caller owns out->items), or HANDLER_DB.
 */
int rules_check(struct req *, const struct stats_scope *,
		const int64_t v[ST__MAX], struct violations *out);

/* The rules themselves, without the database: prev holds the entered rows
 * of the previous campaign called prev_title, or is NULL when there is
 * none. */
void rules_eval(struct arena *, const int64_t v[ST__MAX],
		const int64_t prev[ST__MAX], const char *prev_title,
		struct violations *out);

/* ---- submissions.c: a unit's table as reported ---- */

struct submission {
	int64_t id, unit_id, campaign_id, version;
	char *unit_name, *unit_path, *campaign_title, *state;
	char *snapshot; /* JSON text */
	char *submitted_at, *submitted_by, *decided_at, *decided_by, *note;
	char *reopened_at, *reopened_by; /* timestamps RFC 3339 +08:00 */
};

/* The latest submission of a unit for a campaign, in whatever state:
 * 1 found, 0 none, HANDLER_DB. */
int submission_latest(struct req *, int64_t unit_id, int64_t campaign_id,
		      struct submission *);

/* Does the submission stand (submitted or approved), so that its snapshot
 * is the unit's report? */
int submission_stands(const struct submission *);

/* "已上报，待审核" for "submitted", and so on. */
const char *submission_state_label(const char *state);

/* Reads a snapshot's figures into v (rows it lacks are STAT_NONE) and,
 * when violations is not NULL, its recorded violations (a new reference).
 * Returns 0, or -1 when the text is not a snapshot. */
int snapshot_values(const char *snapshot, int64_t v[ST__MAX],
		    json_t **violations);

#endif
