/*
 * Connector/C, used the way its documentation and our measurements advise:
 * one MYSQL handle per thread, MYSQL_OPT_RECONNECT left off (a silent
 * reconnect would invalidate every prepared statement behind our back), and
 * an explicit reconnect at the start of the next request after a lost
 * connection.  Results are always stored client side so that a handler may
 * run another statement while it reads rows.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "db.h"

#define MAX_PARAMS 64
#define COL_BUF 256
/* How long db_replica_ready()'s answer holds: yes, then no. */
#define REPLICA_RECHECK_MS 1000
#define REPLICA_RETRY_MS 5000

static atomic_int next_slot;

/*
 * Records a failure; nothing is logged here.  Many failures are expected
 * and handled by the caller (a duplicate idempotency key is a replay, a
 * lock wait is a request still in flight), and a server message may quote
 * the value that failed, so the request that gives up logs one line with
 * db_log_failure().
 */
static void
db_fail(struct db *db, unsigned err, const char *msg)
{
	db->err = err;
	snprintf(db->errmsg, sizeof(db->errmsg), "%s", msg);
	if (db_lost(db))
		db_close(db);
}

/* Client-side errors (2000-2999) describe the connection, never data. */
void
db_log_failure(const struct db *db, const char *context)
{
	int client = db->err >= 2000 && db->err < 3000;
	const char *sql = client ? NULL : db->errsql;

	fprintf(stderr, "swn-worker: %s: db error %u%s%s%s%.100s%s\n", context,
		db->err, client ? ": " : "", client ? db->errmsg : "",
		sql ? " in [" : "", sql ? sql : "", sql ? "]" : "");
}

int
db_lost(const struct db *db)
{
	switch (db->err) {
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_LOST_EXTENDED:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
		return 1;
	default:
		return 0;
	}
}

int
db_retryable(const struct db *db)
{
	return db->err == ER_LOCK_DEADLOCK || db->err == ER_LOCK_WAIT_TIMEOUT;
}

void
db_init(struct db *db, const struct dbconf *conf)
{
	memset(db, 0, sizeof(*db));
	db->conf = conf;
	db->ready = -1;
}

void
db_close(struct db *db)
{
	size_t i;

	db->in_tx = 0;
	for (i = 0; i < DB_SLOTS; i++)
		if (db->stmt[i] != NULL) {
			mysql_stmt_close(db->stmt[i]);
			db->stmt[i] = NULL;
		}
	if (db->my != NULL) {
		mysql_close(db->my);
		db->my = NULL;
	}
}

int
db_ensure(struct db *db)
{
	unsigned int connect_timeout = 2, io_timeout = 30;
	/* READ COMMITTED: no gap locks, so concurrent inserts of
	 * different rows do not deadlock each other. */
	const char *init = "SET time_zone = '+08:00', "
			   "tx_isolation = 'READ-COMMITTED'";
	const struct dbconf *c = db->conf;

	db->err = 0;
	if (db->my != NULL)
		return 0;
	if ((db->my = mysql_init(NULL)) == NULL) {
		db_fail(db, CR_OUT_OF_MEMORY, "mysql_init");
		return -1;
	}
	mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
	mysql_options(db->my, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
	mysql_options(db->my, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
	mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->my, MYSQL_INIT_COMMAND, init);
	if (mysql_real_connect(db->my, c->socket ? NULL : c->host, c->user,
			       c->password, c->name, c->port, c->socket,
			       0) == NULL) {
		char msg[256];
		unsigned err = mysql_errno(db->my);

		snprintf(msg, sizeof(msg), "%s", mysql_error(db->my));
		mysql_close(db->my);
		db->my = NULL;
		db_fail(db, err ? err : CR_CONNECTION_ERROR, msg);
		/* Whatever went wrong, the database is not reachable now. */
		db->err = CR_CONNECTION_ERROR;
		return -1;
	}
	return 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Is the database reachable?  A connection that completed an exchange
 * within max_age_ms answers yes without another round trip: a busy
 * worker's health check then costs no database work, and an outage is
 * still seen within max_age_ms (at once by any request that queries).
 */
int
db_check(struct db *db, long long max_age_ms)
{
	if (db->my != NULL && now_ms() - db->ok_at < max_age_ms)
		return 0;
	return db_ping(db);
}

int
db_ping(struct db *db)
{
	if (db_ensure(db) != 0)
		return -1;
	if (mysql_ping(db->my) == 0) {
		db->ok_at = now_ms();
		return 0;
	}
	/* The connection may predate a restart: try a fresh one once. */
	db_close(db);
	if (db_ensure(db) == 0 && mysql_ping(db->my) == 0) {
		db->ok_at = now_ms();
		return 0;
	}
	db->err = CR_SERVER_GONE_ERROR;
	db_close(db);
	return -1;
}

/* ---- A read replica --------------------------------------------------- */

/*
 * How far behind its primary the replica is, in seconds, from SHOW SLAVE
 * STATUS (the account needs SLAVE MONITOR).  Columns are found by name:
 * their number and order differ between versions.  Seconds_Behind_Master
 * is NULL when either replication thread is stopped.  Returns 0, or -1
 * with the reason in why.
 */
static int
replica_lag(struct db *db, long long *lag, char *why, size_t whylen)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	MYSQL_FIELD *f;
	unsigned i, n;
	int rc = -1;

	if (mysql_real_query(db->my, "SHOW SLAVE STATUS", 17) != 0) {
		unsigned err = mysql_errno(db->my);

		snprintf(why, whylen, "SHOW SLAVE STATUS: %s%s",
			 mysql_error(db->my),
			 err == ER_SPECIFIC_ACCESS_DENIED_ERROR
			     ? " (grant SLAVE MONITOR to the account)"
			     : "");
		db_fail(db, err, why);
		return -1;
	}
	if ((res = mysql_store_result(db->my)) == NULL) {
		snprintf(why, whylen, "SHOW SLAVE STATUS: %s",
			 mysql_error(db->my));
		db_fail(db, mysql_errno(db->my), why);
		return -1;
	}
	if ((row = mysql_fetch_row(res)) == NULL) {
		snprintf(why, whylen, "the server is not a replica");
		goto out;
	}
	f = mysql_fetch_fields(res);
	n = mysql_num_fields(res);
	snprintf(why, whylen, "no Seconds_Behind_Master column");
	for (i = 0; i < n; i++) {
		if (strcmp(f[i].name, "Seconds_Behind_Master") != 0)
			continue;
		if (row[i] == NULL) {
			snprintf(why, whylen, "replication is stopped");
			break;
		}
		*lag = strtoll(row[i], NULL, 10);
		rc = 0;
		break;
	}
out:
	mysql_free_result(res);
	return rc;
}

int
db_replica_ready(struct db *db)
{
	long long now = now_ms(), lag = 0;
	char why[300];
	int was = db->ready;

	if (db->ready >= 0 &&
	    now - db->ready_at <
		(db->ready ? REPLICA_RECHECK_MS : REPLICA_RETRY_MS))
		return db->ready;
	db->ready = 0;
	db->ready_at = now;
	if (db_ensure(db) != 0) {
		snprintf(why, sizeof(why), "cannot connect: %s", db->errmsg);
	} else if (replica_lag(db, &lag, why, sizeof(why)) != 0 &&
		   (!db_lost(db) || db_ensure(db) != 0 ||
		    replica_lag(db, &lag, why, sizeof(why)) != 0)) {
		/* Failed, on a fresh connection too when the old one was
		 * lost (the replica restarted); the reason is in why. */
	} else if (lag > db->conf->max_lag) {
		snprintf(why, sizeof(why),
			 "%lld s behind its primary (at most "
			 "%lld allowed)",
			 lag, db->conf->max_lag);
	} else {
		db->ready = 1;
		db->ok_at = now;
	}
	db->err = 0;
	/* One line per change, never per request. */
	if (db->ready && was != 1)
		fprintf(stderr, "swn-worker: replica in use (%lld s behind)\n",
			lag);
	else if (!db->ready && was != 0)
		fprintf(stderr,
			"swn-worker: replica not used, reads go to the "
			"primary: %s\n",
			why);
	return db->ready;
}

void
db_replica_failed(struct db *db)
{
	db_log_failure(db, "replica");
	db->ready = 0;
	db->ready_at = now_ms();
	fputs("swn-worker: replica not used, reads go to the primary: a read "
	      "failed\n",
	      stderr);
}

static int
simple(struct db *db, int rc)
{
	if (rc != 0) {
		db_fail(db, mysql_errno(db->my), mysql_error(db->my));
		return -1;
	}
	return 0;
}

int
db_begin(struct db *db)
{
	if (db_ensure(db) != 0)
		return -1;
	if (simple(db, mysql_real_query(db->my, "START TRANSACTION", 17)) !=
	    0) {
		/* A connection found dead here had nothing in flight. */
		if (!db_lost(db) || db_ensure(db) != 0 ||
		    simple(db, mysql_real_query(db->my, "START TRANSACTION",
						17)) != 0)
			return -1;
	}
	db->in_tx = 1;
	return 0;
}

int
db_commit(struct db *db)
{
	db->in_tx = 0;
	if (db->my == NULL)
		return -1;
	return simple(db, mysql_commit(db->my));
}

int
db_rollback(struct db *db)
{
	db->in_tx = 0;
	/* After a lost connection the server has rolled back already. */
	if (db->my == NULL)
		return 0;
	return simple(db, mysql_rollback(db->my));
}

static MYSQL_STMT *
prepared(struct db *db, struct sql *s)
{
	int slot = __atomic_load_n(&s->slot, __ATOMIC_ACQUIRE);
	MYSQL_STMT *st;

	if (slot == 0) {
		int want = atomic_fetch_add(&next_slot, 1) + 1, expect = 0;

		if (!__atomic_compare_exchange_n(&s->slot, &expect, want, 0,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			want = expect;
		slot = want;
	}
	if (slot >= DB_SLOTS) {
		db_fail(db, CR_OUT_OF_MEMORY, "too many statements");
		return NULL;
	}
	if (db_ensure(db) != 0)
		return NULL;
	if ((st = db->stmt[slot]) != NULL)
		return st;
	if ((st = mysql_stmt_init(db->my)) == NULL) {
		db_fail(db, CR_OUT_OF_MEMORY, "mysql_stmt_init");
		return NULL;
	}
	if (mysql_stmt_prepare(st, s->text, strlen(s->text)) != 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "prepare: %s [%.120s]",
			 mysql_stmt_error(st), s->text);
		db_fail(db, mysql_stmt_errno(st), msg);
		mysql_stmt_close(st);
		return NULL;
	}
	db->stmt[slot] = st;
	return st;
}

/*
 * Binds parameters from the format and runs the statement.  Outside a
 * transaction a lost connection is retried once on a fresh one: after a
 * database restart every thread's old connection is dead, and only the
 * request that meets the outage itself should see a 503.
 */
static MYSQL_STMT *
run(struct db *db, struct sql *s, const char *fmt, va_list *ap)
{
	MYSQL_BIND b[MAX_PARAMS];
	long long iv[MAX_PARAMS];
	double dv[MAX_PARAMS];
	unsigned long len[MAX_PARAMS];
	my_bool isnull[MAX_PARAMS];
	MYSQL_STMT *st;
	size_t n = strlen(fmt), i;
	int attempt, in_tx = db->in_tx; /* db_fail() may close and clear it */

	if (n > MAX_PARAMS) {
		db_fail(db, CR_INVALID_PARAMETER_NO, s->text);
		return NULL;
	}
	db->errsql = s->text;
	memset(b, 0, sizeof(b));
	for (i = 0; i < n; i++) {
		isnull[i] = 0;
		b[i].is_null = &isnull[i];
		switch (fmt[i]) {
		case 'i':
			iv[i] = va_arg(*ap, int64_t);
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &iv[i];
			break;
		case 'I':
			isnull[i] = !va_arg(*ap, int);
			iv[i] = va_arg(*ap, int64_t);
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &iv[i];
			break;
		case 'd':
			dv[i] = va_arg(*ap, double);
			b[i].buffer_type = MYSQL_TYPE_DOUBLE;
			b[i].buffer = &dv[i];
			break;
		case 's': {
			const char *v = va_arg(*ap, const char *);

			isnull[i] = v == NULL;
			len[i] = v ? strlen(v) : 0;
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)v;
			b[i].buffer_length = len[i];
			b[i].length = &len[i];
			break;
		}
		case 'b': {
			const void *v = va_arg(*ap, const void *);

			len[i] = va_arg(*ap, size_t);
			isnull[i] = v == NULL;
			b[i].buffer_type = MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)v;
			b[i].buffer_length = len[i];
			b[i].length = &len[i];
			break;
		}
		default:
			db_fail(db, CR_UNSUPPORTED_PARAM_TYPE, fmt);
			return NULL;
		}
	}
	for (attempt = 0;; attempt++) {
		if ((st = prepared(db, s)) == NULL)
			return NULL;
		if (n != mysql_stmt_param_count(st)) {
			db_fail(db, CR_INVALID_PARAMETER_NO, s->text);
			return NULL;
		}
		if ((n == 0 || mysql_stmt_bind_param(st, b) == 0) &&
		    mysql_stmt_execute(st) == 0) {
			db->ok_at = now_ms();
			return st;
		}
		db_fail(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		if (attempt > 0 || in_tx || !db_lost(db))
			return NULL;
	}
}

static int
vquery(struct db *db, struct dbres *r, struct sql *s, const char *fmt,
       va_list *ap)
{
	MYSQL_RES *meta;
	unsigned i;

	memset(r, 0, sizeof(*r));
	r->db = db;
	if ((r->st = run(db, s, fmt, ap)) == NULL)
		return -1;
	if ((meta = mysql_stmt_result_metadata(r->st)) == NULL)
		return 0;
	r->ncols = mysql_num_fields(meta);
	mysql_free_result(meta);
	r->bind = calloc(r->ncols, sizeof(*r->bind));
	r->bufs = calloc(r->ncols, sizeof(*r->bufs));
	r->lens = calloc(r->ncols, sizeof(*r->lens));
	r->nulls = calloc(r->ncols, sizeof(*r->nulls));
	r->errs = calloc(r->ncols, sizeof(*r->errs));
	if (r->bind == NULL || r->bufs == NULL || r->lens == NULL ||
	    r->nulls == NULL || r->errs == NULL)
		abort();
	for (i = 0; i < r->ncols; i++) {
		if ((r->bufs[i] = malloc(COL_BUF)) == NULL)
			abort();
		r->bind[i].buffer_type = MYSQL_TYPE_STRING;
		r->bind[i].buffer = r->bufs[i];
		r->bind[i].buffer_length = COL_BUF;
		r->bind[i].length = &r->lens[i];
		r->bind[i].is_null = &r->nulls[i];
		r->bind[i].error = &r->errs[i];
	}
	if (mysql_stmt_bind_result(r->st, r->bind) != 0 ||
	    mysql_stmt_store_result(r->st) != 0) {
		db_fail(db, mysql_stmt_errno(r->st), mysql_stmt_error(r->st));
		db_end(r);
		return -1;
	}
	return 0;
}

int
db_query(struct db *db, struct dbres *r, struct sql *s, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vquery(db, r, s, fmt, &ap);
	va_end(ap);
	return rc;
}

/* Copies column i of the current row into the arena, fetching the rest of
 * a value that did not fit the column buffer. */
static char *
column(struct dbres *r, struct arena *a, unsigned i)
{
	char *out;
	MYSQL_BIND b;

	if (r->nulls[i])
		return NULL;
	if (r->lens[i] < COL_BUF)
		return arena_strndup(a, r->bufs[i], r->lens[i]);
	out = arena_alloc(a, r->lens[i] + 1);
	memset(&b, 0, sizeof(b));
	b.buffer_type = MYSQL_TYPE_STRING;
	b.buffer = out;
	b.buffer_length = r->lens[i] + 1;
	if (mysql_stmt_fetch_column(r->st, &b, i, 0) != 0)
		return NULL;
	out[r->lens[i]] = '\0';
	return out;
}

static int
vrow(struct dbres *r, struct arena *a, const char *fmt, va_list *ap)
{
	int rc;
	unsigned i;

	if (r->st == NULL || r->ncols == 0)
		return 0;
	rc = mysql_stmt_fetch(r->st);
	if (rc == MYSQL_NO_DATA)
		return 0;
	if (rc == 1) {
		db_fail(r->db, mysql_stmt_errno(r->st),
			mysql_stmt_error(r->st));
		return -1;
	}
	for (i = 0; fmt[i] != '\0' && i < r->ncols; i++) {
		char *v = column(r, a, i);

		switch (fmt[i]) {
		case 'i':
			*va_arg(*ap, int64_t *) = v ? strtoll(v, NULL, 10) : 0;
			break;
		case 'I':
			*va_arg(*ap, int64_t *) = v ? strtoll(v, NULL, 10) : 0;
			*va_arg(*ap, int *) = v == NULL;
			break;
		case 'd':
			*va_arg(*ap, double *) = v ? strtod(v, NULL) : 0;
			break;
		case 's':
			*va_arg(*ap, char **) = v;
			break;
		case 'B': {
			struct blob *bl = va_arg(*ap, struct blob *);

			bl->p = (unsigned char *)v;
			bl->n = v ? r->lens[i] : 0;
			break;
		}
		default:
			abort();
		}
	}
	return 1;
}

int
db_row(struct dbres *r, struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vrow(r, a, fmt, &ap);
	va_end(ap);
	return rc;
}

void
db_end(struct dbres *r)
{
	unsigned i;

	if (r == NULL)
		return;
	if (r->st != NULL)
		mysql_stmt_free_result(r->st);
	for (i = 0; r->bufs != NULL && i < r->ncols; i++)
		free(r->bufs[i]);
	free(r->bind);
	free(r->bufs);
	free(r->lens);
	free(r->nulls);
	free(r->errs);
	memset(r, 0, sizeof(*r));
}

int
db_one(struct db *db, struct arena *a, struct sql *s, const char *pfmt,
       const char *cfmt, ...)
{
	struct dbres r;
	va_list ap;
	int rc;

	va_start(ap, cfmt);
	rc = vquery(db, &r, s, pfmt, &ap);
	if (rc == 0)
		rc = vrow(&r, a, cfmt, &ap);
	va_end(ap);
	db_end(&r);
	return rc;
}

long long
db_exec(struct db *db, struct sql *s, const char *fmt, ...)
{
	MYSQL_STMT *st;
	va_list ap;

	va_start(ap, fmt);
	st = run(db, s, fmt, &ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	db->last_id = (long long)mysql_stmt_insert_id(st);
	return (long long)mysql_stmt_affected_rows(st);
}

long long
db_last_id(struct db *db)
{
	return db->last_id;
}
