/*
 * swn-worker seed-pool: the sealed personal values that `make seed` spreads
 * over a million records.  Sealing needs the keys, which only the worker
 * holds, so the worker seals a pool of 1000 phones and 1000 ID numbers for
 * each sealed column into the table seed_pool (made by scripts/seed.sh),
 * and scripts/seed.sql picks from it in bulk: each seeded record then
 * opens and masks like one made through the API.
 */
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "pii.h"
#include "seed.h"

#define POOL 1000

SQL(sql_pool, "INSERT INTO seed_pool (col, n, enc, idx) VALUES (?, ?, ?, ?)");

static const struct {
	const char *ad; /* table.column */
	enum pii_kind kind;
} columns[] = {
    {"wage_cases.reporter_phone", PII_PHONE},
    {"wage_case_workers.id_number", PII_IDNUM},
    {"wage_case_workers.phone", PII_PHONE},
    {"safe_returns.traveler_phone", PII_PHONE},
    {"safe_returns.traveler_id_number", PII_IDNUM},
    {"fair_employers.contact_phone", PII_PHONE},
    {"fair_registrations.phone", PII_PHONE},
    {"fair_registrations.id_number", PII_IDNUM},
};

/* The n-th ID number of the pool: a real birth date and check digit. */
static void
id_number(int n, char out[19])
{
	static const int w[17] = {7, 9, 10, 5,	8, 4, 2, 1, 6,
				  3, 7, 9,  10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	int i, sum = 0;

	snprintf(out, 19, "320402%04d%02d%02d%03d", 1960 + n % 40, 1 + n % 12,
		 1 + n % 28, n % 1000);
	for (i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = check[sum % 11];
	out[18] = '\0';
}

int
seed_pool_cmd(struct db *db)
{
	struct arena a = {NULL};
	unsigned char idx[PII_IDX_LEN];
	char value[19];
	struct blob b;
	size_t c;
	int n, rc = 1;

	if (keys_prepare(db, &a) != 0)
		goto done;
	if (db_begin(db) != 0)
		goto fail;
	for (c = 0; c < sizeof(columns) / sizeof(columns[0]); c++)
		for (n = 0; n < POOL; n++) {
			if (columns[c].kind == PII_IDNUM)
				id_number(n, value);
			else
				snprintf(value, sizeof(value), "139%08d",
					 n * 7919 % 100000000);
			pii_index(columns[c].kind, value, strlen(value), idx);
			if (pii_seal_str(&a, columns[c].ad, value, &b) != 0 ||
			    db_exec(db, &sql_pool, "sibb", columns[c].ad,
				    (int64_t)n, b.p, b.n, idx, sizeof(idx)) < 0)
				goto fail;
		}
	if (db_commit(db) != 0)
		goto fail;
	printf("seed-pool: %d sealed values for each of %zu columns\n", POOL,
	       sizeof(columns) / sizeof(columns[0]));
	rc = 0;
	goto done;
fail:
	db_rollback(db);
	db_log_failure(db, "seed-pool");
done:
	arena_free(&a);
	return rc;
}
