/*
 * Rows of the statistics table as aggregate queries over the raw records,
 * so that every figure can be traced back to the rows that make it.
 *
 * Each group of records has one collector below that fills its rows;
 * stats_compute() runs them all and then the sums.
 */
#include <string.h>

#include "stats.h"

/* The official wording, copied from the notice's table (stat-table.tsv). */
const struct stat_def stat_defs[ST__MAX] = {
    [ST_A] = {"A", 1, "走访企业", "家", SRC_RECORDS},
    [ST_B] = {"B", 2, "筹集慰问款物总额", "万元", SRC_SUM},
    [ST_B1] = {"B1", 2, "其中：中央财政", "万元", SRC_ENTERED},
    [ST_B2] = {"B2", 2, "地方财政", "万元", SRC_ENTERED},
    [ST_B3] = {"B3", 2, "工会经费", "万元", SRC_ENTERED},
    [ST_B4] = {"B4", 2, "社会捐助", "万元", SRC_ENTERED},
    [ST_B5] = {"B5", 2, "行政拨付", "万元", SRC_ENTERED},
    [ST_B6] = {"B6", 2, "其他收入", "万元", SRC_ENTERED},
    [ST_C] = {"C", 3, "慰问对象总计", "人次", SRC_SUM},
    [ST_D] = {"D", 3, "发放款物总计", "万元", SRC_SUM},
    [ST_C1] = {"C1", 3,
	       "因非个人意愿下岗失业、家庭收入水平明显偏低、子女教育费用负担过"
	       "重等原因造成家庭生活困难的职工 · 慰问对象",
	       "人次", SRC_RECORDS},
    [ST_D1] = {"D1", 3, "（同C1）· 发放款物", "万元", SRC_RECORDS},
    [ST_C2] = {"C2", 3,
	       "本人或家庭成员因患大病、遭受各类灾害或突发意外等情况造成生活困"
	       "难的职工 · 慰问对象",
	       "人次", SRC_RECORDS},
    [ST_D2] = {"D2", 3, "（同C2）· 发放款物", "万元", SRC_RECORDS},
    [ST_C3] = {"C3", 3,
	       "关停并转等困难企业中，因停发、减发工资而导致生活相对困难的职工 "
	       "· 慰问对象",
	       "人次", SRC_RECORDS},
    [ST_D3] = {"D3", 3, "（同C3）· 发放款物", "万元", SRC_RECORDS},
    [ST_C4] = {"C4", 3,
	       "工伤与职业病致残的职工和因公牺牲职工的家属；因重大疾病手术、住"
	       "院的职工 · 慰问对象",
	       "人次", SRC_RECORDS},
    [ST_D4] = {"D4", 3, "（同C4）· 发放款物", "万元", SRC_RECORDS},
    [ST_C5] = {"C5", 3,
	       "长期在高（低）温、高空、有毒有害等环境中和苦脏累险艰苦行业岗位"
	       "上工作的一线职工 · 慰问对象",
	       "人次", SRC_RECORDS},
    [ST_D5] = {"D5", 3, "（同C5）· 发放款物", "万元", SRC_RECORDS},
    [ST_C6] = {"C6", 3, "重大灾害期间坚守抗灾一线的职工 · 慰问对象", "人次",
	       SRC_RECORDS},
    [ST_D6] = {"D6", 3, "（同C6）· 发放款物", "万元", SRC_RECORDS},
    [ST_C7] = {"C7", 3,
	       "春节期间坚守在生产一线和交通运输、电力、环卫以及直接面向群众服"
	       "务的基层岗位干部职工 · 慰问对象",
	       "人次", SRC_RECORDS},
    [ST_D7] = {"D7", 3, "（同C7）· 发放款物", "万元", SRC_RECORDS},
    [ST_C8] = {"C8", 3,
	       "因组织需要长期异地工作或者服从组织需要赴外地、基层工作的派驻挂"
	       "职干部职工 · 慰问对象",
	       "人次", SRC_RECORDS},
    [ST_D8] = {"D8", 3, "（同C8）· 发放款物", "万元", SRC_RECORDS},
    [ST_C9] = {"C9", 3, "在重大项目和重大工程中做出突出贡献的职工 · 慰问对象",
	       "人次", SRC_RECORDS},
    [ST_D9] = {"D9", 3, "（同C9）· 发放款物", "万元", SRC_RECORDS},
    [ST_C10] = {"C10", 3, "生产一线涌现出来的先进模范人物 · 慰问对象", "人次",
		SRC_RECORDS},
    [ST_D10] = {"D10", 3, "（同C10）· 发放款物", "万元", SRC_RECORDS},
    [ST_C11] = {"C11", 3, "各级工会建档的困难职工 · 慰问对象", "人次",
		SRC_RECORDS},
    [ST_D11] = {"D11", 3, "（同C11）· 发放款物", "万元", SRC_RECORDS},
    [ST_E] = {"E", 4, "为困难职工提供各项帮扶救助", "人次", SRC_SUM},
    [ST_E1] = {"E1", 4, "其中：落实民生政策", "人次", SRC_ENTERED},
    [ST_E2] = {"E2", 4, "提供生活救助", "人次", SRC_ENTERED},
    [ST_E3] = {"E3", 4, "提供医疗救助", "人次", SRC_ENTERED},
    [ST_E4] = {"E4", 4, "提供子女助学救助", "人次", SRC_ENTERED},
    [ST_E5] = {"E5", 4, "提供其他帮扶救助", "人次", SRC_ENTERED},
    [ST_F] = {"F", 5, "为职工提供各项服务", "人次", SRC_SUM},
    [ST_F1] = {"F1", 5, "其中：提供心理健康服务", "人次", SRC_ENTERED},
    [ST_F2] = {"F2", 5, "提供文化服务", "人次", SRC_ENTERED},
    [ST_F3] = {"F3", 5, "提供其他生活保障服务", "人次", SRC_ENTERED},
    [ST_G] = {"G", 6, "元旦春节期间共帮助农民工平安返乡", "人次", SRC_RECORDS},
    [ST_H] = {"H", 6, "共协助政府有关部门帮助农民工追讨欠薪", "人次",
	      SRC_RECORDS},
    [ST_I] = {"I", 6, "帮助农民工追讨欠薪金额", "万元", SRC_RECORDS},
    [ST_J1] = {"J1", 7, "两节期间共慰问疫情防控一线医务人员 · 慰问对象", "人次",
	       SRC_RECORDS},
    [ST_J2] = {"J2", 7, "两节期间共慰问疫情防控一线医务人员 · 发放款物", "万元",
	       SRC_RECORDS},
    [ST_K1] = {"K1", 8, "为困难职工家庭青年学子提供寒假勤工俭学、社会实践机会",
	       "人次", SRC_RECORDS},
    [ST_K2] = {"K2", 8, "发动爱心企业", "家", SRC_RECORDS},
};

char *
stats_subtree(struct arena *a, const char *path)
{
	return arena_printf(a, "%s%%", path);
}

int
stat_is_money(enum stat_code c)
{
	return strcmp(stat_defs[c].unit, "万元") == 0;
}

/* ---- The additive rows: from the daily figures ---------------------- */

/*
 * G, H, I, J1, J2, C1-C11, D1-D11 and K1 add up over days and units, so
 * the database keeps them per unit and day in stat_daily, in each record's
 * own transaction (sql/012_stat_daily.sql has the rules, as triggers;
 * make check-stats recomputes them from the records).  A subtree's figure
 * for a period sums a few rows per unit and day.
 */
SQL(sql_daily,
    "SELECT COALESCE(SUM(s.g), 0), COALESCE(SUM(s.h), 0), "
    "COALESCE(SUM(s.i), 0), COALESCE(SUM(s.j1), 0), COALESCE(SUM(s.j2), 0), "
    "COALESCE(SUM(s.c1), 0), COALESCE(SUM(s.d1), 0), "
    "COALESCE(SUM(s.c2), 0), COALESCE(SUM(s.d2), 0), "
    "COALESCE(SUM(s.c3), 0), COALESCE(SUM(s.d3), 0), "
    "COALESCE(SUM(s.c4), 0), COALESCE(SUM(s.d4), 0), "
    "COALESCE(SUM(s.c5), 0), COALESCE(SUM(s.d5), 0), "
    "COALESCE(SUM(s.c6), 0), COALESCE(SUM(s.d6), 0), "
    "COALESCE(SUM(s.c7), 0), COALESCE(SUM(s.d7), 0), "
    "COALESCE(SUM(s.c8), 0), COALESCE(SUM(s.d8), 0), "
    "COALESCE(SUM(s.c9), 0), COALESCE(SUM(s.d9), 0), "
    "COALESCE(SUM(s.c10), 0), COALESCE(SUM(s.d10), 0), "
    "COALESCE(SUM(s.c11), 0), COALESCE(SUM(s.d11), 0), "
    "COALESCE(SUM(s.k1), 0) FROM stat_daily s "
    "JOIN units n ON n.id = s.unit_id "
    "WHERE n.path LIKE ? AND s.day BETWEEN ? AND ?");

static int
rows_daily(struct db *db, struct arena *a, const char *path, const char *from,
	   const char *to, int64_t v[ST__MAX])
{
	int64_t cd[22];
	int i, rc;

	rc = db_one(db, a, &sql_daily, "sss", "iiiiiiiiiiiiiiiiiiiiiiiiiiii",
		    path, from, to, &v[ST_G], &v[ST_H], &v[ST_I], &v[ST_J1],
		    &v[ST_J2], &cd[0], &cd[1], &cd[2], &cd[3], &cd[4], &cd[5],
		    &cd[6], &cd[7], &cd[8], &cd[9], &cd[10], &cd[11], &cd[12],
		    &cd[13], &cd[14], &cd[15], &cd[16], &cd[17], &cd[18],
		    &cd[19], &cd[20], &cd[21], &v[ST_K1]);
	if (rc < 0)
		return -1;
	/* C1, D1, C2, D2, ... in the form's order. */
	for (i = 0; i < 22; i++)
		v[ST_C1 + i] = cd[i];
	return 0;
}

/* ---- Row A: distinct enterprises visited ---------------------------- */

/*
 * Distinct enterprises among the period's enterprise visits.  An
 * enterprise is its credit code when the visit gives one; a visit without
 * a code is the enterprise whose coded visits carry the same normalised
 * name (the smallest code, should two), else its normalised name alone
 * (sql/008_visits.sql, docs/visits.md).  "c:" and "n:" keep a code and a
 * name from ever being equal.  Read from the visits_firms index alone, in
 * date order (STRAIGHT_JOIN): starting from units, the optimizer read
 * every visit of each unit, 283 ms against 13 ms for the district at a
 * million records.
 */
SQL(sql_visit_firms,
    "WITH e AS (SELECT v.enterprise_name_key AS k, "
    "v.enterprise_credit_code AS c FROM visits v "
    "STRAIGHT_JOIN units n ON n.id = v.unit_id "
    "WHERE v.kind = 'enterprise' AND v.deleted_at IS NULL "
    "AND v.visited_on BETWEEN ? AND ? AND n.path LIKE ?), "
    "coded AS (SELECT k, MIN(c) AS c FROM e WHERE c IS NOT NULL "
    "GROUP BY k) "
    "SELECT COUNT(DISTINCT COALESCE(CONCAT('c:', e.c), "
    "CONCAT('c:', coded.c), CONCAT('n:', e.k))) "
    "FROM e LEFT JOIN coded ON coded.k = e.k");

static int
rows_firms(struct db *db, struct arena *a, const char *path, const char *from,
	   const char *to, int64_t v[ST__MAX])
{
	return db_one(db, a, &sql_visit_firms, "sss", "i", from, to, path,
		      &v[ST_A]) < 0
		   ? -1
		   : 0;
}

/* ---- Recruitment fairs: K2 (K1 is a daily figure) --------------------- */

/*
 * K2 (家): distinct credit codes of caring employers that offered a
 * work_study or social_practice position at a fair of the subtree that
 * starts in the period.  A draft fair has not happened: only published
 * and closed fairs count.
 */
SQL(sql_row_k2, "SELECT COUNT(DISTINCT e.credit_code) FROM fair_employers e "
		"JOIN job_fairs f ON f.id = e.fair_id "
		"JOIN units n ON n.id = f.unit_id "
		"WHERE n.path LIKE ? "
		"AND f.status IN ('published', 'closed') "
		"AND f.starts_at >= ? AND f.starts_at < ? + INTERVAL 1 DAY "
		"AND e.caring = 1 AND EXISTS (SELECT 1 FROM fair_positions p "
		"WHERE p.employer_id = e.id "
		"AND p.kind IN ('work_study', 'social_practice'))");

static int
rows_fairs(struct db *db, struct arena *a, const char *path, const char *from,
	   const char *to, int64_t v[ST__MAX])
{
	return db_one(db, a, &sql_row_k2, "sss", "i", path, from, to,
		      &v[ST_K2]) < 0
		   ? -1
		   : 0;
}

/* ---- The whole table ------------------------------------------------ */

/* The sum rows and their parts (C and D parts interleave: C1, D1, C2...). */
static const struct {
	enum stat_code sum, first, last;
	int step;
} parts[] = {
    {ST_B, ST_B1, ST_B6, 1}, {ST_C, ST_C1, ST_C11, 2}, {ST_D, ST_D1, ST_D11, 2},
    {ST_E, ST_E1, ST_E5, 1}, {ST_F, ST_F1, ST_F3, 1},
};

char *
stat_rule(struct arena *a, enum stat_code c)
{
	size_t i;
	int k;
	char *out;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].sum != c)
			continue;
		out = arena_printf(a, "%s=", stat_defs[c].code);
		for (k = parts[i].first; k <= (int)parts[i].last;
		     k += parts[i].step)
			out = arena_printf(a, "%s%s%s", out,
					   k == (int)parts[i].first ? "" : "+",
					   stat_defs[k].code);
		return out;
	}
	return NULL;
}

/* Fills every sum row from its parts; a sum of no computed part is none. */
static void
sums(int64_t v[ST__MAX])
{
	size_t i;
	int c;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		int64_t s = 0;
		int any = 0;

		for (c = parts[i].first; c <= (int)parts[i].last;
		     c += parts[i].step)
			if (v[c] != STAT_NONE) {
				s += v[c];
				any = 1;
			}
		v[parts[i].sum] = any ? s : STAT_NONE;
	}
}

void
stats_sums(int64_t v[ST__MAX])
{
	sums(v);
}

int
stats_compute(struct db *db, struct arena *a, const char *path,
	      const char *from, const char *to, int64_t v[ST__MAX])
{
	int i;

	for (i = 0; i < ST__MAX; i++)
		v[i] = STAT_NONE;
	if (rows_daily(db, a, path, from, to, v) != 0 ||
	    rows_firms(db, a, path, from, to, v) != 0 ||
	    rows_fairs(db, a, path, from, to, v) != 0)
		return -1;
	sums(v);
	return 0;
}
