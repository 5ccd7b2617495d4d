/*
 * The figures of the official table 《2021年工会送温暖活动统计表》, computed
 * from the records.  Every function takes a LIKE pattern over units'
 * materialised paths -- "/1/3/%" for a unit and its descendants (a unit's
 * figures include its subtree), "/1/3/" for the unit's own records only --
 * and an inclusive period of dates "YYYY-MM-DD" (Asia/Shanghai).  The rules are
 * API.md "Statistics"; the wording and units are the notice's (stat-table.tsv,
 * copied into stats.c's table).
 */
#ifndef SWN_STATS_H
#define SWN_STATS_H

#include <stdint.h>

#include "db.h"

/* Every row of the table, in the form's order. */
enum stat_code {
	ST_A,
	ST_B,
	ST_B1,
	ST_B2,
	ST_B3,
	ST_B4,
	ST_B5,
	ST_B6,
	ST_C,
	ST_D,
	ST_C1,
	ST_D1,
	ST_C2,
	ST_D2,
	ST_C3,
	ST_D3,
	ST_C4,
	ST_D4,
	ST_C5,
	ST_D5,
	ST_C6,
	ST_D6,
	ST_C7,
	ST_D7,
	ST_C8,
	ST_D8,
	ST_C9,
	ST_D9,
	ST_C10,
	ST_D10,
	ST_C11,
	ST_D11,
	ST_E,
	ST_E1,
	ST_E2,
	ST_E3,
	ST_E4,
	ST_E5,
	ST_F,
	ST_F1,
	ST_F2,
	ST_F3,
	ST_G,
	ST_H,
	ST_I,
	ST_J1,
	ST_J2,
	ST_K1,
	ST_K2,
	ST__MAX
};

enum stat_source {
	SRC_RECORDS, /* computed from records by a rule of API.md */
	SRC_ENTERED, /* typed in by the unit (B1-B6, E1-E5, F1-F3) */
	SRC_SUM,     /* the sum of the rows after it (B, C, D, E, F) */
};

struct stat_def {
	const char *code;  /* "J2" */
	int number;	   /* the form's 编号 column, 1-8 */
	const char *label; /* the form's wording */
	const char *unit;  /* "人次", "家" or "万元" */
	enum stat_source source;
};

extern const struct stat_def stat_defs[ST__MAX];

/* Is a row in 万元 (its value in fen, shown half up to 0.01 万元)? */
int stat_is_money(enum stat_code);

/* "B=B1+B2+B3+B4+B5+B6" for a sum row, NULL for any other. */
char *stat_rule(struct arena *, enum stat_code);

/* A value not (yet) computed by any rule. */
#define STAT_NONE INT64_MIN

/*
 * Computes every row the records supply for a subtree and period into v:
 * a count for 人次 and 家 rows, fen for 万元 rows; rows no rule computes
 * are STAT_NONE.  Returns 0, or -1 after a failed query.
 *
 * Figures may be a moment stale: a handler passes req_reader(r), so that
 * a read replica computes them when there is one (docs/DEPLOY.md), and
 * `swn-worker stats` does the same.
 */
int stats_compute(struct db *, struct arena *, const char *pattern,
		  const char *from, const char *to, int64_t v[ST__MAX]);

/* Row H: workers on wage cases accepted in the period (人次). */
int stats_row_h(struct db *, struct arena *, const char *pattern,
		const char *from, const char *to, int64_t *people);
/* Row I: money recovered in the period, in fen (reported in 万元). */
int stats_row_i(struct db *, struct arena *, const char *pattern,
		const char *from, const char *to, int64_t *fen);

/* The pattern of a unit's subtree: path followed by "%". */
char *stats_subtree(struct arena *, const char *path);

#endif
