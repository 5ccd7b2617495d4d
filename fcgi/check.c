/*
 * swn-worker check-stats [CAMPAIGN_ID]: every figure of every unit,
 * computed twice and compared (issue "The statistics table").
 *
 * The first way is the one GET /stats uses (stats_compute()).  The second
 * shares nothing with it but the rules: it reads the raw records once, row
 * by row, decides in C whether each counts, and adds it to its unit and
 * every ancestor (a unit's figures include its subtree).  A difference
 * means one of the two is wrong; the command prints each one and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stats.h"

struct unit_acc {
	int64_t id;
	char *path;
	int64_t v[ST__MAX];
};

struct tally {
	struct unit_acc *u;
	size_t n;
	const char *from, *to;
};

SQL(sql_units, "SELECT id, path FROM units ORDER BY id");
SQL(sql_campaigns, "SELECT id, DATE_FORMAT(from_date, '%Y-%m-%d'), "
		   "DATE_FORMAT(to_date, '%Y-%m-%d') FROM campaigns "
		   "WHERE ? = 0 OR id = ? ORDER BY id");

/* Adds x to row c of the unit at path and of each of its ancestors. */
static void
add(struct tally *t, const char *path, enum stat_code c, int64_t x)
{
	size_t i, len;

	for (i = 0; i < t->n; i++) {
		len = strlen(t->u[i].path);
		if (strncmp(path, t->u[i].path, len) == 0) {
			if (t->u[i].v[c] == STAT_NONE)
				t->u[i].v[c] = 0;
			t->u[i].v[c] += x;
		}
	}
}

static int
in_period(const struct tally *t, const char *day)
{
	return day != NULL && strcmp(day, t->from) >= 0 &&
	       strcmp(day, t->to) <= 0;
}

/* Rows every tally has even without a record: they are 0, not missing. */
static void
zero(struct tally *t, enum stat_code c)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->u[i].v[c] == STAT_NONE)
			t->u[i].v[c] = 0;
}

/* ---- Wage-arrears assistance ------------------------------------------ */

SQL(sql_raw_workers, "SELECT n.path, DATE_FORMAT(c.accepted_on, '%Y-%m-%d') "
		     "FROM wage_case_workers w "
		     "JOIN wage_cases c ON c.id = w.case_id "
		     "JOIN units n ON n.id = c.unit_id");
SQL(sql_raw_recoveries, "SELECT n.path, "
			"DATE_FORMAT(r.recovered_on, '%Y-%m-%d'), r.amount "
			"FROM wage_recoveries r "
			"JOIN wage_cases c ON c.id = r.case_id "
			"JOIN units n ON n.id = c.unit_id");

/* H: a worker counts once when the case's accepted_on is in the period;
 * I: each recovery's amount when its recovered_on is. */
static int
raw_wage(struct db *db, struct arena *a, struct tally *t)
{
	struct dbres q;
	char *path, *day;
	int64_t amount;
	int rc;

	zero(t, ST_H);
	zero(t, ST_I);
	if (db_query(db, &q, &sql_raw_workers, "") != 0)
		return -1;
	while ((rc = db_row(&q, a, "ss", &path, &day)) == 1)
		if (in_period(t, day))
			add(t, path, ST_H, 1);
	db_end(&q);
	if (rc < 0 || db_query(db, &q, &sql_raw_recoveries, "") != 0)
		return -1;
	while ((rc = db_row(&q, a, "ssi", &path, &day, &amount)) == 1)
		if (in_period(t, day))
			add(t, path, ST_I, amount);
	db_end(&q);
	return rc < 0 ? -1 : 0;
}

/* ---- Safe return home ------------------------------------------------- */

SQL(sql_raw_returns, "SELECT n.path, s.status, "
		     "DATE_FORMAT(s.depart_on, '%Y-%m-%d'), s.party_size "
		     "FROM safe_returns s JOIN units n ON n.id = s.unit_id");

/* G: the party of a record that departed or arrived, by its depart_on. */
static int
raw_returns(struct db *db, struct arena *a, struct tally *t)
{
	struct dbres q;
	char *path, *status, *day;
	int64_t party;
	int rc;

	zero(t, ST_G);
	if (db_query(db, &q, &sql_raw_returns, "") != 0)
		return -1;
	while ((rc = db_row(&q, a, "sssi", &path, &status, &day, &party)) == 1)
		if (in_period(t, day) && (strcmp(status, "departed") == 0 ||
					  strcmp(status, "arrived") == 0))
			add(t, path, ST_G, party);
	db_end(&q);
	return rc < 0 ? -1 : 0;
}

/* ---- Recruitment fairs ------------------------------------------------ */

SQL(sql_raw_placements,
    "SELECT n.path, "
    "DATE_FORMAT(pl.placed_on, '%Y-%m-%d'), p.kind, "
    "g.kind, g.hardship_family, g.status "
    "FROM fair_placements pl "
    "JOIN fair_positions p ON p.id = pl.position_id "
    "JOIN fair_registrations g ON g.id = pl.registration_id "
    "JOIN job_fairs f ON f.id = pl.fair_id "
    "JOIN units n ON n.id = f.unit_id");
/* Every position with its employer and fair, the employers in credit-code
 * order, so that each unit counts a code once however many rows name it. */
SQL(sql_raw_offers, "SELECT n.path, "
		    "DATE_FORMAT(f.starts_at, '%Y-%m-%d'), f.status, "
		    "e.credit_code, e.caring, p.kind "
		    "FROM fair_positions p "
		    "JOIN fair_employers e ON e.id = p.employer_id "
		    "JOIN job_fairs f ON f.id = e.fair_id "
		    "JOIN units n ON n.id = f.unit_id "
		    "ORDER BY e.credit_code");

static int
student_job(const char *kind)
{
	return strcmp(kind, "work_study") == 0 ||
	       strcmp(kind, "social_practice") == 0;
}

/* K1: a placement into a work-study or social-practice position of a
 * student from a hardship family, by placed_on; K2: each credit code once
 * per unit, of a caring employer offering such a position at a published
 * or closed fair starting in the period. */
static int
raw_fairs(struct db *db, struct arena *a, struct tally *t)
{
	char *path, *day, *pkind, *gkind, *status, *code, **last;
	int64_t hardship, caring;
	struct dbres q;
	size_t i, len;
	int rc;

	zero(t, ST_K1);
	zero(t, ST_K2);
	if (db_query(db, &q, &sql_raw_placements, "") != 0)
		return -1;
	while ((rc = db_row(&q, a, "ssssis", &path, &day, &pkind, &gkind,
			    &hardship, &status)) == 1)
		if (in_period(t, day) && student_job(pkind) &&
		    strcmp(gkind, "student") == 0 && hardship &&
		    strcmp(status, "cancelled") != 0)
			add(t, path, ST_K1, 1);
	db_end(&q);
	if (rc < 0 || db_query(db, &q, &sql_raw_offers, "") != 0)
		return -1;
	last = arena_zalloc(a, (t->n + 1) * sizeof(*last));
	while ((rc = db_row(&q, a, "ssssis", &path, &day, &status, &code,
			    &caring, &pkind)) == 1) {
		if (!in_period(t, day) || strcmp(status, "draft") == 0 ||
		    !caring || !student_job(pkind))
			continue;
		for (i = 0; i < t->n; i++) {
			len = strlen(t->u[i].path);
			if (strncmp(path, t->u[i].path, len) != 0 ||
			    (last[i] != NULL && strcmp(last[i], code) == 0))
				continue;
			last[i] = code;
			t->u[i].v[ST_K2]++;
		}
	}
	db_end(&q);
	return rc < 0 ? -1 : 0;
}

/* ---- Winter visits ----------------------------------------------------- */

SQL(sql_raw_visits, "SELECT n.path, v.kind, v.category, v.people_count, "
		    "v.cash_amount + v.goods_value, "
		    "DATE_FORMAT(v.visited_on, '%Y-%m-%d'), "
		    "v.enterprise_name_key, v.enterprise_credit_code, "
		    "v.deleted_at IS NOT NULL FROM visits v "
		    "JOIN units n ON n.id = v.unit_id");

struct firm_visit {
	char *path, *key, *code;
};

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/*
 * A for one unit: the distinct enterprises among the enterprise visits of
 * its subtree.  An enterprise is its credit code; a visit without one is
 * the enterprise of the smallest code that a coded visit of the same
 * subtree gives the same name key, else its name key alone
 * (docs/visits.md).
 */
static int64_t
firms_of(struct arena *a, const char *path, const struct firm_visit *f,
	 size_t n)
{
	char **ids = arena_alloc(a, (n + 1) * sizeof(*ids));
	size_t i, j, k = 0, distinct = 0;

	for (i = 0; i < n; i++) {
		const char *code = f[i].code;

		if (strncmp(f[i].path, path, strlen(path)) != 0)
			continue;
		if (code == NULL) {
			/* The smallest code given to this name in the subtree.
			 */
			for (j = 0; j < n; j++)
				if (f[j].code != NULL && f[j].key != NULL &&
				    f[i].key != NULL &&
				    strcmp(f[j].key, f[i].key) == 0 &&
				    strncmp(f[j].path, path, strlen(path)) ==
					0 &&
				    (code == NULL ||
				     strcmp(f[j].code, code) < 0))
					code = f[j].code;
		}
		ids[k++] = code ? arena_printf(a, "c:%s", code)
				: arena_printf(a, "n:%s", f[i].key);
	}
	qsort(ids, k, sizeof(*ids), cmp_str);
	for (i = 0; i < k; i++)
		if (i == 0 || strcmp(ids[i], ids[i - 1]) != 0)
			distinct++;
	return (int64_t)distinct;
}

/* C1-C11/D1-D11: people and cash plus goods of worker visits by category;
 * J1/J2: the same of medical visits; A: see firms_of().  Deleted visits
 * count nowhere, enterprise visits' money nowhere. */
static int
raw_visits(struct db *db, struct arena *a, struct tally *t)
{
	struct firm_visit *firms = NULL;
	size_t nf = 0, cap = 0, i;
	char *path, *kind, *cat, *day, *key, *code;
	int64_t people, fen, deleted;
	struct dbres q;
	int rc, c;

	zero(t, ST_A);
	zero(t, ST_J1);
	zero(t, ST_J2);
	for (c = ST_C1; c <= ST_D11; c++)
		zero(t, (enum stat_code)c);
	if (db_query(db, &q, &sql_raw_visits, "") != 0)
		return -1;
	while ((rc = db_row(&q, a, "sssiisssi", &path, &kind, &cat, &people,
			    &fen, &day, &key, &code, &deleted)) == 1) {
		if (deleted || !in_period(t, day))
			continue;
		if (strcmp(kind, "medical_frontline") == 0) {
			add(t, path, ST_J1, people);
			add(t, path, ST_J2, fen);
		} else if (strcmp(kind, "worker") == 0 && cat != NULL) {
			int n = atoi(cat + 1);

			if (n >= 1 && n <= 11) {
				add(t, path,
				    (enum stat_code)(ST_C1 + 2 * (n - 1)),
				    people);
				add(t, path,
				    (enum stat_code)(ST_D1 + 2 * (n - 1)), fen);
			}
		} else if (strcmp(kind, "enterprise") == 0) {
			if (nf == cap) {
				struct firm_visit *m;

				cap = cap ? cap * 2 : 256;
				m = arena_alloc(a, cap * sizeof(*m));
				if (nf > 0)
					memcpy(m, firms, nf * sizeof(*m));
				firms = m;
			}
			firms[nf].path = path;
			firms[nf].key = key;
			firms[nf].code = code;
			nf++;
		}
	}
	db_end(&q);
	if (rc < 0)
		return -1;
	for (i = 0; i < t->n; i++)
		t->u[i].v[ST_A] = firms_of(a, t->u[i].path, firms, nf);
	return 0;
}

/* ---- The comparison ---------------------------------------------------- */

static int (*const readers[])(struct db *, struct arena *, struct tally *) = {
    raw_wage,
    raw_returns,
    raw_visits,
    raw_fairs,
};

static long
compare(struct db *db, struct arena *a, struct tally *t, int64_t campaign)
{
	int64_t v[ST__MAX];
	size_t i, r;
	long diffs = 0;
	int c;

	for (i = 0; i < t->n; i++)
		for (c = 0; c < ST__MAX; c++)
			t->u[i].v[c] = STAT_NONE;
	for (r = 0; r < sizeof(readers) / sizeof(readers[0]); r++)
		if (readers[r](db, a, t) != 0)
			return -1;
	for (i = 0; i < t->n; i++) {
		if (stats_compute(db, a, stats_subtree(a, t->u[i].path),
				  t->from, t->to, v) != 0)
			return -1;
		for (c = 0; c < ST__MAX; c++) {
			/* Sums and entered rows are not figures of records. */
			if (stat_defs[c].source != SRC_RECORDS ||
			    v[c] == t->u[i].v[c])
				continue;
			printf("check-stats: campaign %lld, unit %lld, row %s: "
			       "GET /stats says %lld, the records say %lld\n",
			       (long long)campaign, (long long)t->u[i].id,
			       stat_defs[c].code, (long long)v[c],
			       (long long)t->u[i].v[c]);
			diffs++;
		}
	}
	return diffs;
}

int
check_stats_cmd(struct db *db, int64_t only)
{
	struct arena a = {NULL};
	struct tally t = {NULL, 0, NULL, NULL};
	struct dbres q;
	int64_t id, cid;
	char *path, *from, *to;
	size_t cap = 0, ncamp = 0, units;
	long d, diffs = 0;
	int rc;

	if (db_query(db, &q, &sql_units, "") != 0)
		goto err;
	while ((rc = db_row(&q, &a, "is", &id, &path)) == 1) {
		if (t.n == cap) {
			struct unit_acc *u;

			cap = cap ? cap * 2 : 64;
			u = arena_alloc(&a, cap * sizeof(*u));
			if (t.n > 0)
				memcpy(u, t.u, t.n * sizeof(*u));
			t.u = u;
		}
		t.u[t.n].id = id;
		t.u[t.n].path = path;
		t.n++;
	}
	db_end(&q);
	if (rc < 0)
		goto err;
	units = t.n;
	{
		struct {
			int64_t id;
			char *from, *to;
		} camps[256];

		if (db_query(db, &q, &sql_campaigns, "ii", only, only) != 0)
			goto err;
		while (ncamp < 256 &&
		       (rc = db_row(&q, &a, "iss", &cid, &from, &to)) == 1) {
			camps[ncamp].id = cid;
			camps[ncamp].from = from;
			camps[ncamp].to = to;
			ncamp++;
		}
		db_end(&q);
		if (rc < 0)
			goto err;
		for (size_t k = 0; k < ncamp; k++) {
			t.from = camps[k].from;
			t.to = camps[k].to;
			if ((d = compare(db, &a, &t, camps[k].id)) < 0)
				goto err;
			diffs += d;
		}
	}
	printf("check-stats: %zu campaign(s) x %zu unit(s): %ld difference%s\n",
	       ncamp, units, diffs, diffs == 1 ? "" : "s");
	arena_free(&a);
	return diffs == 0 && ncamp > 0 ? 0 : 1;
err:
	db_log_failure(db, "check-stats");
	arena_free(&a);
	return 2;
}
