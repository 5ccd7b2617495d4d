/*
 * swn-worker check-stats: every figure recomputed from the raw records by
 * a second, independent path and compared with GET /stats's (check.c).
 */
#ifndef SWN_CHECK_H
#define SWN_CHECK_H

#include <stdint.h>

#include "db.h"

/* campaign 0: every campaign.  Returns 0 when nothing differs, 1 when
 * something does (each difference printed), 2 on a database failure. */
int check_stats_cmd(struct db *, int64_t campaign);

#endif
