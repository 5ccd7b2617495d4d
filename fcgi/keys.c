/*
 * Key management, run as commands of swn-worker by the scripts
 * (docs/personal-data.md):
 *
 *   keys init FILE   a new key file (index key and key 1), 0600; refuses to
 *                    overwrite one
 *   keys add FILE    a new data key, which becomes the one that seals
 *   rotate-keys      re-seals every value under the newest key, in batches
 *                    of one short transaction each while the service runs,
 *                    then retires the keys nothing uses any more
 *   pii-upgrade      the one-off move of plain values written before
 *                    personal data was sealed (run by migrate.sh after
 *                    sql/004)
 *
 * Every sealed column is listed in sealed[] below; a resource that adds
 * one adds its row there, or rotation would leave its values behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "idem.h"
#include "keys.h"
#include "pii.h"

#define BATCH 500

struct sealed_col {
	const char *ad; /* table.column, the associated data */
	struct sql batch, update, keys;
};

/* Fixed text built by the preprocessor: nothing is formatted at run time. */
#define SEALED(table, col)                                                     \
	{                                                                      \
		table "." col,                                                 \
		    {"SELECT id, " col "_enc FROM " table " WHERE id > ? "     \
		     "AND " col "_enc IS NOT NULL ORDER BY id LIMIT 500",      \
		     0},                                                       \
		    {"UPDATE " table " SET " col "_enc = ? WHERE id = ? AND "  \
		     "" col "_enc = ?",                                        \
		     0},                                                       \
		    {"SELECT DISTINCT LEFT(" col "_enc, 4) FROM " table        \
		     " WHERE " col "_enc IS NOT NULL",                         \
		     0},                                                       \
	}

static struct sealed_col sealed[] = {
    SEALED("wage_cases", "reporter_phone"),
    SEALED("wage_case_workers", "id_number"),
    SEALED("wage_case_workers", "phone"),
    SEALED("safe_returns", "traveler_phone"),
    SEALED("safe_returns", "traveler_id_number"),
    SEALED("fair_employers", "contact_phone"),
    SEALED("fair_registrations", "phone"),
    SEALED("fair_registrations", "id_number"),
    /* The outer layer of stored answers (idem.c); the column has no _enc
     * suffix, being sealed as a whole. */
    {"idempotency_answers.body",
     {"SELECT id, body FROM idempotency_answers WHERE id > ? "
      "AND body IS NOT NULL ORDER BY id LIMIT 500",
      0},
     {"UPDATE idempotency_answers SET body = ? WHERE id = ? AND body = ?", 0},
     {"SELECT DISTINCT LEFT(body, 4) FROM idempotency_answers "
      "WHERE body IS NOT NULL",
      0}},
};

#define NSEALED (sizeof(sealed) / sizeof(sealed[0]))

SQL(sql_retire, "UPDATE pii_keys SET retired_at = NOW() "
		"WHERE id <> 0 AND id <> ? AND retired_at IS NULL");

static int
fail(const char *what, const struct db *db)
{
	if (db != NULL && db->err != 0)
		db_log_failure(db, what);
	else
		fprintf(stderr, "swn-worker: %s failed\n", what);
	return 1;
}

/* Loads the key file of the environment and checks it against the
 * registry, as the worker does at start. */
int
keys_prepare(struct db *db, struct arena *a)
{
	const char *path = getenv("SWN_PII_KEYS_FILE");
	char err[512];

	if (path == NULL || *path == '\0') {
		fputs("swn-worker: set SWN_PII_KEYS_FILE to the personal-data "
		      "key file (docs/personal-data.md)\n",
		      stderr);
		return -1;
	}
	if (pii_load(path, err, sizeof(err)) != 0) {
		fprintf(stderr, "swn-worker: personal-data keys: %s\n", err);
		return -1;
	}
	if (db_ensure(db) != 0) {
		db_log_failure(db, "connect");
		return -1;
	}
	if (pii_check_registry(db, a, err, sizeof(err)) != 0) {
		fprintf(stderr, "swn-worker: personal-data keys: %s\n", err);
		return -1;
	}
	return 0;
}

int
keys_file_cmd(const char *verb, const char *path)
{
	char err[512];
	int add = strcmp(verb, "add") == 0;

	if (!add && strcmp(verb, "init") != 0) {
		fputs("usage: swn-worker keys init|add FILE\n", stderr);
		return 2;
	}
	if (pii_keyfile_write(path, add, err, sizeof(err)) != 0) {
		fprintf(stderr, "swn-worker: keys %s: %s\n", verb, err);
		return 1;
	}
	return 0;
}

/* Re-seals one column's values that another key sealed; returns how
 * many, or -1.  Each batch is one transaction; a row changed meanwhile
 * by the service (compare-and-set misses) is simply left for the next
 * run, which the check after the walk would report. */
static long long
reseal_column(struct db *db, struct sealed_col *c, uint32_t cur)
{
	int64_t after = 0, ids[BATCH];
	struct blob olds[BATCH], fresh;
	long long done = 0;
	struct arena a = {NULL};
	struct dbres q;
	size_t n, i;
	char *plain;
	size_t len;
	int rc = 0;

	for (;;) {
		arena_free(&a);
		if (db_begin(db) != 0)
			goto err;
		if (db_query(db, &q, &c->batch, "i", after) != 0)
			goto err;
		n = 0;
		while (n < BATCH &&
		       (rc = db_row(&q, &a, "iB", &ids[n], &olds[n])) == 1)
			n++;
		db_end(&q);
		if (rc < 0)
			goto err;
		for (i = 0; i < n; i++) {
			after = ids[i];
			if (pii_key_id(&olds[i]) == cur)
				continue;
			if (pii_open(&a, c->ad, &olds[i], &plain, &len) != 0) {
				fprintf(stderr,
					"swn-worker: %s of row %lld does not "
					"open under key %u\n",
					c->ad, (long long)ids[i],
					pii_key_id(&olds[i]));
				goto err;
			}
			if (pii_seal(&a, c->ad, plain, len, &fresh) != 0)
				goto err;
			sodium_memzero(plain, len);
			if (db_exec(db, &c->update, "bib", fresh.p, fresh.n,
				    ids[i], olds[i].p, olds[i].n) < 0)
				goto err;
			done++;
		}
		if (db_commit(db) != 0)
			goto err;
		if (n < BATCH)
			break;
	}
	arena_free(&a);
	return done;
err:
	db_rollback(db);
	arena_free(&a);
	return -1;
}

/* The key ids still in use anywhere; *n of them into ids. */
static int
keys_in_use(struct db *db, uint32_t *ids, size_t max, size_t *n)
{
	struct arena a = {NULL};
	struct dbres q;
	struct blob b;
	size_t i, k;
	int rc = 0;

	*n = 0;
	for (i = 0; i < NSEALED && rc >= 0; i++) {
		if (db_query(db, &q, &sealed[i].keys, "") != 0)
			return -1;
		while ((rc = db_row(&q, &a, "B", &b)) == 1) {
			uint32_t id;

			if (b.n != 4)
				continue;
			id = (uint32_t)b.p[0] << 24 | (uint32_t)b.p[1] << 16 |
			     (uint32_t)b.p[2] << 8 | b.p[3];
			for (k = 0; k < *n && ids[k] != id; k++)
				;
			if (k == *n && *n < max)
				ids[(*n)++] = id;
		}
		db_end(&q);
	}
	arena_free(&a);
	return rc < 0 ? -1 : 0;
}

int
keys_rotate_cmd(struct db *db)
{
	const char *path = getenv("SWN_PII_KEYS_FILE");
	struct arena a = {NULL};
	uint32_t cur, used[32];
	size_t i, n;
	long long k;
	char err[512];
	int left = 0;

	if (keys_prepare(db, &a) != 0) {
		arena_free(&a);
		return 1;
	}
	arena_free(&a);
	cur = pii_current();
	printf("rotate-keys: sealing everything under key %u\n", cur);
	for (i = 0; i < NSEALED; i++) {
		if ((k = reseal_column(db, &sealed[i], cur)) < 0)
			return fail(sealed[i].ad, db);
		printf("rotate-keys: %s: %lld re-sealed\n", sealed[i].ad, k);
	}
	if (keys_in_use(db, used, 32, &n) != 0)
		return fail("keys in use", db);
	for (i = 0; i < n; i++)
		if (used[i] != cur) {
			printf("rotate-keys: values under key %u remain (a "
			       "worker still sealing with it?); run again "
			       "once every worker has reloaded\n",
			       used[i]);
			left = 1;
		}
	if (left)
		return 1;
	if (db_exec(db, &sql_retire, "i", (int64_t)cur) < 0)
		return fail("retire", db);
	if (pii_keyfile_retire(path, &cur, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "swn-worker: rotate-keys: %s\n", err);
		return 1;
	}
	printf("rotate-keys: done; only key %u is in use; the previous key "
	       "file is kept beside %s for old backups\n",
	       cur, path);
	return 0;
}

/* ---- The one-off move of plain values (sql/004) ------------------------ */

SQL(sql_has_plain, "SELECT COUNT(*) FROM information_schema.columns "
		   "WHERE table_schema = DATABASE() "
		   "AND table_name = 'wage_case_workers' "
		   "AND column_name = 'id_number'");
SQL(sql_has_old_idem, "SELECT COUNT(*) FROM information_schema.tables "
		      "WHERE table_schema = DATABASE() "
		      "AND table_name = 'idempotency_keys'");
SQL(sql_plain_workers, "SELECT id, id_number, phone FROM wage_case_workers "
		       "WHERE id > ? AND (id_number IS NOT NULL "
		       "OR phone IS NOT NULL) ORDER BY id LIMIT 500");
SQL(sql_seal_worker, "UPDATE wage_case_workers SET id_number_enc = ?, "
		     "id_number_idx = ?, phone_enc = ?, id_number = NULL, "
		     "phone = NULL WHERE id = ?");
SQL(sql_plain_cases, "SELECT id, reporter_phone FROM wage_cases "
		     "WHERE id > ? AND reporter_phone IS NOT NULL "
		     "ORDER BY id LIMIT 500");
SQL(sql_seal_case, "UPDATE wage_cases SET reporter_phone_enc = ?, "
		   "reporter_phone = NULL WHERE id = ?");
SQL(sql_old_answers, "SELECT user_id, idem_key, request_hash, status, "
		     "content_type, headers, body, created_at "
		     "FROM idempotency_keys WHERE status > 0 LIMIT 500");
SQL(sql_new_answer, "INSERT IGNORE INTO idempotency_answers (user_id, "
		    "key_hash, request_hash, status, content_type, headers, "
		    "body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
SQL(sql_drop_answer, "DELETE FROM idempotency_keys "
		     "WHERE user_id = ? AND idem_key = ?");
SQL(sql_drop_unfinished, "DELETE FROM idempotency_keys WHERE status = 0");

static int
upgrade_workers(struct db *db, long long *done)
{
	struct arena a = {NULL};
	int64_t after = 0, id;
	char *idn, *phone;
	struct dbres q;
	int rc = 0, n;

	for (;;) {
		arena_free(&a);
		if (db_begin(db) != 0 ||
		    db_query(db, &q, &sql_plain_workers, "i", after) != 0)
			goto err;
		n = 0;
		while ((rc = db_row(&q, &a, "iss", &id, &idn, &phone)) == 1) {
			unsigned char idx[PII_IDX_LEN];
			struct blob ie, pe;

			after = id;
			n++;
			if (idn != NULL)
				pii_index(PII_IDNUM, idn, strlen(idn), idx);
			if (pii_seal_str(&a, "wage_case_workers.id_number", idn,
					 &ie) != 0 ||
			    pii_seal_str(&a, "wage_case_workers.phone", phone,
					 &pe) != 0 ||
			    db_exec(db, &sql_seal_worker, "bbbi", ie.p, ie.n,
				    idn ? idx : NULL, sizeof(idx), pe.p, pe.n,
				    id) < 0) {
				rc = -1;
				break;
			}
			(*done)++;
		}
		db_end(&q);
		if (rc < 0 || db_commit(db) != 0)
			goto err;
		if (n < BATCH)
			break;
	}
	arena_free(&a);
	return 0;
err:
	db_rollback(db);
	arena_free(&a);
	return -1;
}

static int
upgrade_cases(struct db *db, long long *done)
{
	struct arena a = {NULL};
	int64_t after = 0, id;
	struct dbres q;
	struct blob pe;
	char *phone;
	int rc, n;

	for (;;) {
		arena_free(&a);
		if (db_begin(db) != 0 ||
		    db_query(db, &q, &sql_plain_cases, "i", after) != 0)
			goto err;
		n = 0;
		while ((rc = db_row(&q, &a, "is", &id, &phone)) == 1) {
			after = id;
			n++;
			if (pii_seal_str(&a, "wage_cases.reporter_phone", phone,
					 &pe) != 0 ||
			    db_exec(db, &sql_seal_case, "bi", pe.p, pe.n, id) <
				0) {
				rc = -1;
				break;
			}
			(*done)++;
		}
		db_end(&q);
		if (rc < 0 || db_commit(db) != 0)
			goto err;
		if (n < BATCH)
			break;
	}
	arena_free(&a);
	return 0;
err:
	db_rollback(db);
	arena_free(&a);
	return -1;
}

/* Stored answers of the old table: the raw key is there, so each can be
 * hashed and sealed exactly as idem.c would have. */
static int
upgrade_answers(struct db *db, long long *done)
{
	struct arena a = {NULL};
	char *key, *hex, *type, *headers, *body, *at;
	int64_t user, status;
	struct dbres q;
	int rc = 0, n;

	for (;;) {
		arena_free(&a);
		if (db_begin(db) != 0 ||
		    db_query(db, &q, &sql_old_answers, "") != 0)
			goto err;
		n = 0;
		while ((rc = db_row(&q, &a, "ississss", &user, &key, &hex,
				    &status, &type, &headers, &body, &at)) ==
		       1) {
			unsigned char kh[PII_IDX_LEN], fp[32], rh[32];
			struct blob sealed;
			size_t len = 0;

			n++;
			if (hex == NULL ||
			    sodium_hex2bin(fp, sizeof(fp), hex, strlen(hex),
					   NULL, &len, NULL) != 0 ||
			    len != sizeof(fp)) {
				rc = -1;
				break;
			}
			idem_key_hash(key, kh);
			idem_request_hash(user, key, fp, rh);
			if (idem_seal_answer(&a, user, key, body ? body : "",
					     body ? strlen(body) : 0,
					     &sealed) != 0 ||
			    db_exec(db, &sql_new_answer, "ibbissbs", user, kh,
				    sizeof(kh), rh, sizeof(rh), status, type,
				    headers, sealed.p, sealed.n, at) < 0 ||
			    db_exec(db, &sql_drop_answer, "is", user, key) <
				0) {
				rc = -1;
				break;
			}
			(*done)++;
		}
		db_end(&q);
		if (rc < 0 || db_commit(db) != 0)
			goto err;
		if (n < BATCH)
			break;
	}
	arena_free(&a);
	/* An answer never finished when the old worker stopped holds
	 * nothing to replay. */
	return db_exec(db, &sql_drop_unfinished, "") < 0 ? -1 : 0;
err:
	db_rollback(db);
	arena_free(&a);
	return -1;
}

int
keys_upgrade_cmd(struct db *db)
{
	struct arena a = {NULL};
	long long w = 0, c = 0, ans = 0;
	int64_t plain = 0, old = 0;

	if (keys_prepare(db, &a) != 0) {
		arena_free(&a);
		return 1;
	}
	if (db_one(db, &a, &sql_has_plain, "", "i", &plain) < 0 ||
	    db_one(db, &a, &sql_has_old_idem, "", "i", &old) < 0) {
		arena_free(&a);
		return fail("pii-upgrade", db);
	}
	arena_free(&a);
	if (plain &&
	    (upgrade_workers(db, &w) != 0 || upgrade_cases(db, &c) != 0))
		return fail("pii-upgrade: wage cases", db);
	if (old && upgrade_answers(db, &ans) != 0)
		return fail("pii-upgrade: idempotent answers", db);
	printf("pii-upgrade: sealed %lld workers, %lld reporters, %lld "
	       "stored answers\n",
	       w, c, ans);
	return 0;
}
