/*
 * Unit tests for req_reader() and db_replica_ready(): which connection a
 * read that may be a moment stale gets (docs/DEPLOY.md).  No database is
 * reached: a replica whose fitness was found a moment ago answers from
 * what was found, and an unreachable one is a unix socket path that does
 * not exist.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "http.h"

static struct dbconf primary_conf = {"127.0.0.1", 3306,	 NULL, "u",
				     "p",	  "swn", NULL, 0};
static struct dbconf replica_conf = {
    NULL, 0, "/nonexistent/swn-test/mysqld.sock", "u", "p", "swn", NULL, 10};
static struct db primary, replica;
static struct req R;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A GET of a worker thread with a replica found fit (or not) just now. */
static int
setup(void **state)
{
	(void)state;
	db_init(&primary, &primary_conf);
	db_init(&replica, &replica_conf);
	replica.ready = 1;
	replica.ready_at = now_ms();
	memset(&R, 0, sizeof(R));
	R.db = &primary;
	R.replica = &replica;
	R.method = M_GET;
	return 0;
}

static void
get_uses_a_fit_replica(void **state)
{
	(void)state;
	R.replica->err = 1234; /* left over from an earlier request */
	assert_ptr_equal(req_reader(&R), &replica);
	assert_int_equal(R.on_replica, 1);
	assert_int_equal(replica.err, 0);
	R.method = M_HEAD;
	assert_ptr_equal(req_reader(&R), &replica);
}

static void
no_replica_means_the_primary(void **state)
{
	(void)state;
	R.replica = NULL;
	assert_ptr_equal(req_reader(&R), &primary);
	assert_int_equal(R.on_replica, 0);
}

static void
writes_never_read_from_the_replica(void **state)
{
	(void)state;
	R.method = M_POST;
	assert_ptr_equal(req_reader(&R), &primary);
	R.method = M_PATCH;
	assert_ptr_equal(req_reader(&R), &primary);
	/* A GET inside a transaction reads what the transaction sees. */
	R.method = M_GET;
	primary.in_tx = 1;
	assert_ptr_equal(req_reader(&R), &primary);
	assert_int_equal(R.on_replica, 0);
}

static void
after_a_failed_replica_read_the_primary(void **state)
{
	(void)state;
	R.no_replica = 1; /* set by the core when it reruns the handler */
	assert_ptr_equal(req_reader(&R), &primary);
}

static void
an_unfit_replica_is_not_asked_again_at_once(void **state)
{
	(void)state;
	replica.ready = 0;
	assert_ptr_equal(req_reader(&R), &primary);
	assert_int_equal(replica.ready, 0);
}

static void
an_unreachable_replica_is_left_for_five_seconds(void **state)
{
	long long before;

	(void)state;
	replica.ready = -1; /* never asked */
	before = now_ms();
	assert_int_equal(db_replica_ready(&replica), 0);
	assert_null(replica.my);
	assert_int_equal(replica.err, 0);
	assert_true(replica.ready_at >= before);
	/* Asked again at once, it answers from what it found. */
	replica.ready_at = now_ms();
	assert_ptr_equal(req_reader(&R), &primary);
	/* A fit answer older than a second is checked again: unreachable. */
	replica.ready = 1;
	replica.ready_at = now_ms() - 1500;
	assert_ptr_equal(req_reader(&R), &primary);
	assert_int_equal(replica.ready, 0);
	db_close(&replica);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(get_uses_a_fit_replica, setup),
	    cmocka_unit_test_setup(no_replica_means_the_primary, setup),
	    cmocka_unit_test_setup(writes_never_read_from_the_replica, setup),
	    cmocka_unit_test_setup(after_a_failed_replica_read_the_primary,
				   setup),
	    cmocka_unit_test_setup(an_unfit_replica_is_not_asked_again_at_once,
				   setup),
	    cmocka_unit_test_setup(
		an_unreachable_replica_is_left_for_five_seconds, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
