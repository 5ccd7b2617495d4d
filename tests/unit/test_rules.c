/*
 * Unit tests for the validation rules of fcgi/rules.c (rules_eval): each
 * rule fires on a table made to break it, names its rows, has the level
 * docs/statistics.md gives it, and stays quiet on a consistent table.
 * The API tests see the rules the records can reach; here are also those
 * no record can (J2 without J1: a visit to medical staff has people_count
 * >= 1) and the sum rules, which guard against a bug in the sums.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stats_api.h"

static struct arena A;

static int
arena_setup(void **state)
{
	(void)state;
	memset(&A, 0, sizeof(A));
	return 0;
}

static int
arena_teardown(void **state)
{
	(void)state;
	arena_free(&A);
	return 0;
}

/* A complete, consistent table: every row 0, sums computed. */
static void
table(int64_t v[ST__MAX])
{
	int i;

	for (i = 0; i < ST__MAX; i++)
		v[i] = 0;
}

static void
none(int64_t v[ST__MAX])
{
	int i;

	for (i = 0; i < ST__MAX; i++)
		v[i] = STAT_NONE;
}

/* The violation of rule, or NULL. */
static json_t *
find(const struct violations *f, const char *rule)
{
	size_t i;
	json_t *it;

	json_array_foreach(f->items, i, it)
	{
		if (strcmp(json_string_value(json_object_get(it, "rule")),
			   rule) == 0)
			return it;
	}
	return NULL;
}

static const char *
level(json_t *it)
{
	return json_string_value(json_object_get(it, "level"));
}

static const char *
msg(json_t *it)
{
	return json_string_value(json_object_get(it, "message"));
}

static const char *
row(json_t *it, size_t i)
{
	return json_string_value(
	    json_array_get(json_object_get(it, "rows"), i));
}

static void
test_consistent_table_passes(void **state)
{
	struct violations f;
	int64_t v[ST__MAX];

	(void)state;
	table(v);
	v[ST_C3] = 5;
	v[ST_D3] = 3000;
	v[ST_C] = 5;
	v[ST_D] = 3000;
	v[ST_J1] = 2;
	v[ST_J2] = 1000;
	v[ST_B] = v[ST_B4] = 9000;
	rules_eval(&A, v, NULL, NULL, &f);
	assert_int_equal(f.errors, 0);
	assert_int_equal(f.warnings, 0);
	assert_int_equal(json_array_size(f.items), 0);
	json_decref(f.items);
}

static void
test_entries_missing_is_an_error(void **state)
{
	struct violations f;
	int64_t v[ST__MAX];
	json_t *it;

	(void)state;
	table(v);
	v[ST_B] = STAT_NONE;
	for (int i = ST_B1; i <= ST_B6; i++)
		v[i] = STAT_NONE;
	rules_eval(&A, v, NULL, NULL, &f);
	assert_non_null(it = find(&f, "entries_missing"));
	assert_string_equal(level(it), "error");
	assert_int_equal(f.errors, 1);
	assert_non_null(strstr(msg(it), "B1–B6"));
	json_decref(f.items);
}

static void
test_sum_rule_guards_the_sums(void **state)
{
	struct violations f;
	int64_t v[ST__MAX];
	json_t *it;

	(void)state;
	table(v);
	v[ST_C1] = 2;
	v[ST_C11] = 3;
	v[ST_D1] = v[ST_D11] = 1;
	v[ST_C] = 4; /* wrong on purpose: 2 + 3 = 5 */
	v[ST_D] = 2;
	rules_eval(&A, v, NULL, NULL, &f);
	assert_non_null(it = find(&f, "sum_C"));
	assert_string_equal(level(it), "error");
	assert_string_equal(row(it, 0), "C");
	assert_non_null(
	    strstr(msg(it), "C=C1+C2+C3+C4+C5+C6+C7+C8+C9+C10+C11"));
	assert_null(find(&f, "sum_D"));
	assert_null(find(&f, "sum_B"));
	json_decref(f.items);
}

static void
test_pair_rule_both_ways(void **state)
{
	struct violations f;
	int64_t v[ST__MAX];
	json_t *it;

	(void)state;
	table(v);
	v[ST_C3] = 5;	    /* people without money */
	v[ST_D7] = 6050000; /* money without people: 6.05 万元 */
	v[ST_C] = 5;
	v[ST_D] = 6050000;
	v[ST_B] = v[ST_B1] = 10000000;
	rules_eval(&A, v, NULL, NULL, &f);
	assert_int_equal(f.errors, 0);
	assert_int_equal(f.warnings, 2);
	assert_non_null(it = find(&f, "pair_C3_D3"));
	assert_string_equal(level(it), "warning");
	assert_string_equal(row(it, 0), "C3");
	assert_string_equal(row(it, 1), "D3");
	assert_non_null(strstr(msg(it), "C3 慰问对象为 5 人次"));
	assert_non_null(it = find(&f, "pair_C7_D7"));
	assert_non_null(
	    strstr(msg(it), "D7 发放款物为 6.05 万元（60500.00 元）"));
	json_decref(f.items);
}

static void
test_j2_requires_j1(void **state)
{
	struct violations f;
	int64_t v[ST__MAX];
	json_t *it;

	(void)state;
	table(v);
	v[ST_J2] = 100;
	v[ST_B] = v[ST_B3] = 100;
	rules_eval(&A, v, NULL, NULL, &f);
	assert_non_null(it = find(&f, "J2_requires_J1"));
	assert_string_equal(level(it), "error");
	assert_string_equal(row(it, 0), "J1");
	assert_string_equal(row(it, 1), "J2");
	json_decref(f.items);
	v[ST_J1] = 1;
	rules_eval(&A, v, NULL, NULL, &f);
	assert_null(find(&f, "J2_requires_J1"));
	json_decref(f.items);
}

static void
test_spent_over_raised(void **state)
{
	struct violations f;
	int64_t v[ST__MAX];
	json_t *it;

	(void)state;
	table(v);
	v[ST_C1] = 1;
	v[ST_D1] = v[ST_D] = 30000;
	v[ST_C] = 1;
	v[ST_J1] = 1;
	v[ST_J2] = 20000;
	v[ST_B] = v[ST_B2] = 49999;
	rules_eval(&A, v, NULL, NULL, &f);
	assert_non_null(it = find(&f, "spent_over_raised"));
	assert_string_equal(level(it), "warning");
	json_decref(f.items);
	v[ST_B] = v[ST_B2] = 50000; /* exactly enough */
	rules_eval(&A, v, NULL, NULL, &f);
	assert_null(find(&f, "spent_over_raised"));
	json_decref(f.items);
}

static void
test_range_against_previous_campaign(void **state)
{
	struct violations f;
	int64_t v[ST__MAX], prev[ST__MAX];
	json_t *it;

	(void)state;
	table(v);
	none(prev);
	prev[ST_B4] = 10000;	     /* 100.00 yuan */
	prev[ST_E2] = 3;	     /* 3 人次 */
	prev[ST_F1] = 0;	     /* no basis */
	v[ST_B4] = v[ST_B] = 100001; /* more than 10 times */
	v[ST_E2] = v[ST_E] = 30;     /* exactly 10 times: fine */
	v[ST_F1] = v[ST_F] = 500;
	rules_eval(&A, v, prev, "2020年送温暖活动", &f);
	assert_int_equal(f.errors, 0);
	assert_int_equal(f.warnings, 1);
	assert_non_null(it = find(&f, "range_B4"));
	assert_string_equal(level(it), "warning");
	assert_string_equal(row(it, 0), "B4");
	assert_non_null(strstr(msg(it), "《2020年送温暖活动》"));
	assert_non_null(strstr(msg(it), "社会捐助"));
	json_decref(f.items);
}

static void
test_errors_come_first(void **state)
{
	struct violations f;
	int64_t v[ST__MAX];

	(void)state;
	table(v);
	v[ST_C2] = v[ST_C] = 1; /* warning */
	v[ST_J2] = 5;		/* error */
	v[ST_B] = v[ST_B1] = 5;
	rules_eval(&A, v, NULL, NULL, &f);
	assert_int_equal(f.errors, 1);
	assert_int_equal(f.warnings, 1);
	assert_string_equal(level(json_array_get(f.items, 0)), "error");
	assert_string_equal(level(json_array_get(f.items, 1)), "warning");
	json_decref(f.items);
}

#define T(f) cmocka_unit_test_setup_teardown(f, arena_setup, arena_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_consistent_table_passes),
	    T(test_entries_missing_is_an_error),
	    T(test_sum_rule_guards_the_sums),
	    T(test_pair_rule_both_ways),
	    T(test_j2_requires_j1),
	    T(test_spent_over_raised),
	    T(test_range_against_previous_campaign),
	    T(test_errors_come_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
