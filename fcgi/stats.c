/*
 * Rows of the statistics table as aggregate queries over the raw records,
 * so that every figure can be traced back to the rows that make it.
 */
#include "stats.h"

SQL(sql_row_h, "SELECT COUNT(*) FROM wage_case_workers w "
	       "JOIN wage_cases c ON c.id = w.case_id "
	       "JOIN units n ON n.id = c.unit_id "
	       "WHERE n.path LIKE CONCAT(?, '%') "
	       "AND c.accepted_on BETWEEN ? AND ?");
SQL(sql_row_i, "SELECT COALESCE(SUM(r.amount), 0) FROM wage_recoveries r "
	       "JOIN wage_cases c ON c.id = r.case_id "
	       "JOIN units n ON n.id = c.unit_id "
	       "WHERE n.path LIKE CONCAT(?, '%') "
	       "AND r.recovered_on BETWEEN ? AND ?");

int
stats_row_h(struct db *db, struct arena *a, const char *path, const char *from,
	    const char *to, int64_t *people)
{
	return db_one(db, a, &sql_row_h, "sss", "i", path, from, to, people) < 0
		   ? -1
		   : 0;
}

int
stats_row_i(struct db *db, struct arena *a, const char *path, const char *from,
	    const char *to, int64_t *fen)
{
	return db_one(db, a, &sql_row_i, "sss", "i", path, from, to, fen) < 0
		   ? -1
		   : 0;
}
