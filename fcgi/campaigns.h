/*
 * Campaigns, for the statistics that are asked for by campaign.
 */
#ifndef SWN_CAMPAIGNS_H
#define SWN_CAMPAIGNS_H

#include "http.h"

struct campaign {
	int64_t id, version;
	char *title, *from, *to, *report_due; /* dates YYYY-MM-DD */
};

/* Reads campaign id, or the latest (by start date) when id is 0.
 * Returns 1 found, 0 none, HANDLER_DB. */
int campaign_get(struct req *, int64_t id, struct campaign *);

#endif
