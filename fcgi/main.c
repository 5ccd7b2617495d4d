/*
 * swn-worker: the FastCGI worker of the migrant-worker services.
 *
 * Configuration comes from the environment (see docs/conventions.md).  The
 * main thread opens the socket, starts the pool, then waits for SIGTERM or
 * SIGINT, running the janitor every few minutes meanwhile; on a signal it
 * drains the pool and exits 0.
 *
 * "swn-worker hash-password" reads a password on standard input and prints
 * its argon2id hash, for the scripts that create the first admin.
 *
 * "swn-worker stats UNIT_ID FROM TO" prints the rows computed so far for a
 * unit's subtree and a period, as JSON, straight from the records: for
 * checking a figure by hand, and for the tests.
 *
 * "check-stats [CAMPAIGN]" recomputes every figure of every unit from the
 * raw records by a second path and reports any difference (check.c).
 *
 * "keys init|add FILE", "rotate-keys" and "pii-upgrade" manage the
 * personal-data keys (keys.c, docs/personal-data.md); "check-keys" says
 * whether the key file opens the database's data, as a restore must know.
 * SIGHUP makes a running worker reload its key file.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <mysql.h>
#include <sodium.h>

#include "auth.h"
#include "check.h"
#include "db.h"
#include "keys.h"
#include "pii.h"
#include "seed.h"
#include "pool.h"
#include "stats.h"
#include "valid.h"

#define JANITOR_SECONDS 600

SQL(sql_gc_keys, "DELETE FROM idempotency_answers "
		 "WHERE created_at < NOW() - INTERVAL 48 HOUR LIMIT 1000");
SQL(sql_gc_sessions, "DELETE FROM sessions "
		     "WHERE last_seen < NOW() - INTERVAL 12 HOUR LIMIT 1000");
SQL(sql_gc_failures, "DELETE FROM login_failures "
		     "WHERE at < NOW() - INTERVAL 1 DAY LIMIT 1000");
SQL(sql_gc_guards, "DELETE FROM login_guards "
		   "WHERE at < NOW() - INTERVAL 1 DAY LIMIT 1000");

static const char *
env(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : fallback;
}

static char *
read_secret(const char *path)
{
	static char buf[256];
	FILE *f;
	size_t n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

static int
hash_password(void)
{
	char pw[1100], out[crypto_pwhash_STRBYTES];

	if (fgets(pw, sizeof(pw), stdin) == NULL)
		return 1;
	pw[strcspn(pw, "\r\n")] = '\0';
	if (strlen(pw) < 10) {
		fputs("swn-worker: password needs at least 10 characters\n",
		      stderr);
		return 1;
	}
	if (auth_hash_password(pw, out) != 0)
		return 1;
	puts(out);
	return 0;
}

SQL(sql_unit_path, "SELECT path FROM units WHERE id = ?");

/*
 * Prints every row the records supply, as /stats will answer them.  Like
 * the handlers, it reads from the replica when one is configured and fit
 * (and says so on standard error), from the primary otherwise.
 */
static int
stats_cmd(const struct dbconf *conf, char *argv[])
{
	struct arena a = {NULL};
	int64_t v[ST__MAX];
	struct db primary, replica, *db = &primary;
	char *path = NULL, wan[32], yuan[32];
	int i, first = 1, rc = 1;

	if (valid_date(argv[3]) != NULL || valid_date(argv[4]) != NULL) {
		fputs("swn-worker: dates are YYYY-MM-DD\n", stderr);
		return 2;
	}
	db_init(&primary, conf);
	db_init(&replica, conf->replica);
	if (conf->replica != NULL && db_replica_ready(&replica))
		db = &replica;
	fprintf(stderr, "swn-worker: stats from the %s\n",
		db == &replica ? "replica" : "primary");
	if (db_one(db, &a, &sql_unit_path, "i", "s",
		   (int64_t)strtoll(argv[2], NULL, 10), &path) != 1) {
		fputs("swn-worker: no such unit\n", stderr);
		goto err;
	}
	if (stats_compute(db, &a, stats_subtree(&a, path), argv[3], argv[4],
			  v) != 0) {
		db_log_failure(db, "stats");
		goto err;
	}
	printf("{\"unit_id\":%lld,\"from\":\"%s\",\"to\":\"%s\",\"rows\":[",
	       strtoll(argv[2], NULL, 10), argv[3], argv[4]);
	for (i = 0; i < ST__MAX; i++) {
		if (v[i] == STAT_NONE)
			continue;
		printf("%s{\"code\":\"%s\",", first ? "" : ",",
		       stat_defs[i].code);
		first = 0;
		if (stat_is_money((enum stat_code)i)) {
			money_wan(v[i], wan);
			money_format(v[i], yuan);
			printf("\"value\":\"%s\",\"yuan\":\"%s\"}", wan, yuan);
		} else
			printf("\"value\":%lld}", (long long)v[i]);
	}
	puts("]}");
	rc = 0;
err:
	db_close(&primary);
	db_close(&replica);
	arena_free(&a);
	return rc;
}

/* Drops what has expired: idempotency keys are promised for 24 hours. */
static void
janitor(const struct dbconf *conf)
{
	struct db db;

	db_init(&db, conf);
	if (db_ensure(&db) == 0) {
		db_exec(&db, &sql_gc_keys, "");
		db_exec(&db, &sql_gc_sessions, "");
		db_exec(&db, &sql_gc_failures, "");
		db_exec(&db, &sql_gc_guards, "");
	}
	db_close(&db);
}

/*
 * Loads the personal-data keys and checks them against the database,
 * waiting for the database to come up (it may start after the worker in
 * a deployment).  Refuses, with the reason, when a key that sealed data
 * is missing: serving would answer 500 for every such record.
 */
static int
start_keys(const struct dbconf *conf)
{
	struct timespec pause = {0, 500 * 1000 * 1000};
	struct arena a = {NULL};
	struct db db;
	int i, rc = -1;

	db_init(&db, conf);
	for (i = 0; i < 120 && db_ensure(&db) != 0; i++)
		nanosleep(&pause, NULL);
	rc = keys_prepare(&db, &a);
	db_close(&db);
	arena_free(&a);
	return rc;
}

/* "check-keys": would a worker start with this key file and database?
 * For scripts/restore.sh, which must not call a restore good when its
 * key file does not open the data. */
static int
check_keys(const struct dbconf *conf)
{
	struct arena a = {NULL};
	struct db db;
	int rc;

	db_init(&db, conf);
	rc = keys_prepare(&db, &a);
	if (rc == 0)
		fprintf(stderr,
			"swn-worker: the key file opens the data; key "
			"%u seals\n",
			pii_current());
	db_close(&db);
	arena_free(&a);
	pii_unload();
	return rc;
}

/* SIGHUP: the key file changed (a rotation added a key). */
static void
reload_keys(const struct dbconf *conf)
{
	struct arena a = {NULL};
	struct db db;

	db_init(&db, conf);
	if (keys_prepare(&db, &a) == 0)
		fprintf(stderr, "swn-worker: keys reloaded; key %u seals\n",
			pii_current());
	else
		fputs("swn-worker: keys NOT reloaded as they should be; "
		      "see above\n",
		      stderr);
	db_close(&db);
	arena_free(&a);
}

static int
usage(void)
{
	fputs(
	    "usage: swn-worker [hash-password | stats UNIT FROM TO |\n"
	    "                  check-stats [CAMPAIGN] | keys init|add FILE |\n"
	    "                  check-keys | rotate-keys | pii-upgrade |\n"
	    "                  seed-pool]\n"
	    "The environment is described in docs/conventions.md.\n",
	    stderr);
	return 2;
}

/* A command that talks to the database: stats, check-keys, rotate-keys,
 * pii-upgrade. */
static int
db_command(const struct dbconf *conf, int argc, char *argv[])
{
	struct db db;
	int rc;

	if (strcmp(argv[1], "stats") == 0)
		return argc == 5 ? stats_cmd(conf, argv) : usage();
	if (strcmp(argv[1], "check-stats") == 0 && argc <= 3) {
		db_init(&db, conf);
		rc = check_stats_cmd(&db, argc == 3 ? strtoll(argv[2], NULL, 10)
						    : 0);
		db_close(&db);
		return rc;
	}
	if (argc != 2)
		return usage();
	db_init(&db, conf);
	if (strcmp(argv[1], "check-keys") == 0)
		rc = check_keys(conf) == 0 ? 0 : 1;
	else if (strcmp(argv[1], "rotate-keys") == 0)
		rc = keys_rotate_cmd(&db);
	else if (strcmp(argv[1], "pii-upgrade") == 0)
		rc = keys_upgrade_cmd(&db);
	else if (strcmp(argv[1], "seed-pool") == 0)
		rc = seed_pool_cmd(&db);
	else
		rc = usage();
	db_close(&db);
	return rc;
}

/*
 * The optional read replica: SWN_DB_REPLICA_SOCKET or SWN_DB_REPLICA_HOST
 * (and SWN_DB_REPLICA_PORT), with the primary's user, password and
 * database; SWN_DB_REPLICA_MAX_LAG seconds behind at most (default 10).
 * Returns 0 (conf->replica stays NULL without a replica), or -1 after
 * saying what is wrong.
 */
static int
replica_conf(struct dbconf *conf, struct dbconf *rep)
{
	const char *lag = env("SWN_DB_REPLICA_MAX_LAG", "10");
	char *end;

	rep->socket = env("SWN_DB_REPLICA_SOCKET", NULL);
	rep->host = env("SWN_DB_REPLICA_HOST", NULL);
	if (rep->socket == NULL && rep->host == NULL)
		return 0;
	rep->port = (unsigned)atoi(env("SWN_DB_REPLICA_PORT", "3306"));
	rep->name = conf->name;
	rep->user = conf->user;
	rep->password = conf->password;
	rep->max_lag = strtoll(lag, &end, 10);
	if (*end != '\0' || rep->max_lag < 0 || rep->max_lag > 86400) {
		fputs("swn-worker: SWN_DB_REPLICA_MAX_LAG is seconds, "
		      "0-86400\n",
		      stderr);
		return -1;
	}
	conf->replica = rep;
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct dbconf conf, replica;
	const char *listen_on, *pwfile;
	struct timespec tick = {JANITOR_SECONDS, 0};
	sigset_t set;
	int fd, threads, sig, tcp;

	if (sodium_init() < 0)
		return 1;
	if (argc == 2 && strcmp(argv[1], "hash-password") == 0)
		return hash_password();
	if (argc == 4 && strcmp(argv[1], "keys") == 0)
		return keys_file_cmd(argv[2], argv[3]);
	listen_on = env("SWN_LISTEN", NULL);
	pwfile = env("SWN_DB_PASSWORD_FILE", NULL);
	threads = atoi(env("SWN_THREADS", "4"));
	conf.socket = env("SWN_DB_SOCKET", NULL);
	conf.host = env("SWN_DB_HOST", "127.0.0.1");
	conf.port = (unsigned)atoi(env("SWN_DB_PORT", "3306"));
	conf.name = env("SWN_DB_NAME", "swn");
	conf.user = env("SWN_DB_USER", "swn_app");
	if ((listen_on == NULL && argc == 1) || pwfile == NULL || threads < 1 ||
	    threads > 256) {
		fputs("swn-worker: set SWN_LISTEN, SWN_DB_PASSWORD_FILE and "
		      "SWN_THREADS (1-256)\n",
		      stderr);
		return 2;
	}
	if ((conf.password = read_secret(pwfile)) == NULL) {
		fprintf(stderr, "swn-worker: %s: %s\n", pwfile,
			strerror(errno));
		return 2;
	}
	if (replica_conf(&conf, &replica) != 0)
		return 2;
	if (mysql_library_init(0, NULL, NULL) != 0 || FCGX_Init() != 0)
		return 1;
	if (argc > 1)
		return db_command(&conf, argc, argv);
	if (start_keys(&conf) != 0)
		return 2;
	/* Signals are taken by this thread alone, with sigtimedwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* libfcgi reads any address with a colon as TCP: ":port" or
	 * "host:port" (a worker host behind nginx's upstream). */
	tcp = strchr(listen_on, ':') != NULL;
	if (!tcp)
		unlink(listen_on);
	if ((fd = FCGX_OpenSocket(listen_on, 1024)) < 0) {
		fprintf(stderr, "swn-worker: cannot listen on %s\n", listen_on);
		return 1;
	}
	if (!tcp)
		chmod(listen_on, 0660);
	if (pool_start((size_t)threads, fd, &conf) != 0) {
		fputs("swn-worker: cannot start threads\n", stderr);
		return 1;
	}
	fprintf(stderr, "swn-worker: %d threads on %s; key %u seals%s\n",
		threads, listen_on, pii_current(),
		conf.replica ? "; stale-tolerant reads may use the replica"
			     : "");
	sigdelset(&set, SIGUSR1);
	for (;;) {
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP)
			reload_keys(&conf);
		else if (sig < 0 && errno == EAGAIN)
			janitor(&conf);
	}
	fprintf(stderr, "swn-worker: signal %d, draining\n", sig);
	pool_stop(fd);
	close(fd);
	if (!tcp)
		unlink(listen_on);
	pii_unload();
	mysql_library_end();
	fputs("swn-worker: stopped\n", stderr);
	return 0;
}
