/*
 * The figures of the official table, computed from the records.  Every
 * function takes a unit's materialised path (its subtree) and an inclusive
 * period of dates "YYYY-MM-DD".
 */
#ifndef SWN_STATS_H
#define SWN_STATS_H

#include <stdint.h>

#include "db.h"

/* Row H: workers on wage cases accepted in the period (人次). */
int stats_row_h(struct db *, struct arena *, const char *path, const char *from,
		const char *to, int64_t *people);
/* Row I: money recovered in the period, in fen (reported in 万元). */
int stats_row_i(struct db *, struct arena *, const char *path, const char *from,
		const char *to, int64_t *fen);

#endif
