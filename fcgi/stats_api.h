/*
 * What the statistics endpoints share: the unit and period a request asks
 * about, and the rows as JSON.
 */
#ifndef SWN_STATS_API_H
#define SWN_STATS_API_H

#include "http.h"
#include "stats.h"

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

/* [{code, number, label, unit, value, yuan?}] for every computed row. */
json_t *stats_rows_json(const int64_t v[ST__MAX]);

#endif
