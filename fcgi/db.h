/*
 * MariaDB access for one worker thread: one connection, its prepared
 * statements, transactions and reconnection.
 *
 * Every statement is fixed text declared with SQL() next to the code that
 * uses it, prepared once per connection on first use.  Parameters and
 * columns are described by small format strings:
 *
 *   params:  i  int64_t
 *            I  int present, int64_t value (SQL NULL when !present)
 *            s  const char * (SQL NULL when NULL)
 *            b  const void *, size_t (bytes; SQL NULL when the pointer
 *               is NULL)
 *            d  double
 *   columns: i  int64_t * (NULL reads as 0)
 *            I  int64_t *, int *isnull
 *            s  char ** copied into the arena (NULL for SQL NULL)
 *            B  struct blob * copied into the arena (p NULL for SQL NULL)
 *            d  double *
 */
#ifndef SWN_DB_H
#define SWN_DB_H

#include <stdarg.h>
#include <stdint.h>

#include <mysql.h>

#include "arena.h"

#define DB_SLOTS 512

/* Bytes of a VARBINARY or BLOB column, in the request's arena. */
struct blob {
	unsigned char *p; /* NULL for SQL NULL */
	size_t n;
};

struct sql {
	const char *text;
	int slot; /* assigned on first use, 1-based; see db.c */
};

#define SQL(name, text) static struct sql name = {text, 0}

struct dbconf {
	const char *host;
	unsigned port;
	const char *socket;
	const char *user;
	const char *password;
	const char *name;
	/* An optional read replica (SWN_DB_REPLICA_*; NULL when none): same
	 * user, password and database, its own address.  max_lag, on the
	 * replica's conf, is how many seconds behind its primary it may be
	 * and still answer reads that may be a moment stale. */
	const struct dbconf *replica;
	long long max_lag;
};

struct db {
	const struct dbconf *conf;
	MYSQL *my; /* NULL while disconnected */
	MYSQL_STMT *stmt[DB_SLOTS];
	unsigned err;	   /* errno of the last failure, 0 if none */
	long long last_id; /* AUTO_INCREMENT of the last db_exec */
	int in_tx;
	long long ok_at; /* CLOCK_MONOTONIC ms of the last good exchange */
	/* The last failure, for the one log line its request writes: the
	 * server's message (which may quote a stored value, so it is only
	 * logged for connection failures) and the fixed SQL text. */
	char errmsg[256];
	const char *errsql;
	/* A replica's fitness for stale reads, as db_replica_ready() last
	 * found it: 1 fit, 0 not, -1 not asked yet; and when. */
	int ready;
	long long ready_at;
};

struct dbres {
	struct db *db;
	MYSQL_STMT *st;
	unsigned ncols;
	MYSQL_BIND *bind;
	char **bufs;
	unsigned long *lens;
	my_bool *nulls;
	my_bool *errs;
};

void db_init(struct db *, const struct dbconf *);
void db_close(struct db *);
int db_ensure(struct db *);
int db_ping(struct db *);
int db_check(struct db *, long long max_age_ms);

int db_begin(struct db *);
int db_commit(struct db *);
int db_rollback(struct db *);

int db_query(struct db *, struct dbres *, struct sql *, const char *, ...);
int db_row(struct dbres *, struct arena *, const char *, ...);
void db_end(struct dbres *);
int db_one(struct db *, struct arena *, struct sql *, const char *pfmt,
	   const char *cfmt, ...);
long long db_exec(struct db *, struct sql *, const char *, ...);
long long db_last_id(struct db *);

/*
 * Is this replica connection fit to answer a read that may be a moment
 * stale: reachable, replicating, and at most conf->max_lag seconds behind
 * its primary?  Returns 1 or 0, never an error: whatever is wrong, the
 * caller reads from the primary instead.  The answer is kept for a second
 * when yes and five seconds when no, so a replica that is down costs each
 * thread one connection attempt every five seconds.
 */
int db_replica_ready(struct db *replica);
/* A read on the replica failed mid-request: not fit until asked again. */
void db_replica_failed(struct db *replica);

int db_lost(const struct db *);
int db_retryable(const struct db *);
void db_log_failure(const struct db *, const char *context);

#endif
