/*
 * Unit tests for fcgi/mask.c: the masked forms of ID numbers and phones
 * that lists and unprivileged callers see.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mask.h"

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

static void
test_mask_idnum(void **state)
{
	(void)state;
	assert_string_equal(mask_idnum(&A, "32040219900101123X"),
			    "320402********123X");
	assert_string_equal(mask_idnum(&A, "110105194912310021"),
			    "110105********0021");
}

static void
test_mask_idnum_keeps_input(void **state)
{
	const char in[] = "32040219900101123X";
	char *out;

	(void)state;
	out = mask_idnum(&A, in);
	assert_ptr_not_equal(out, in);
	assert_string_equal(in, "32040219900101123X");
	assert_int_equal(strlen(out), 18);
}

static void
test_mask_phone(void **state)
{
	(void)state;
	assert_string_equal(mask_phone(&A, "13812345678"), "138****5678");
	assert_string_equal(mask_phone(&A, "19900000001"), "199****0001");
}

static void
test_mask_null(void **state)
{
	(void)state;
	assert_null(mask_idnum(&A, NULL));
	assert_null(mask_phone(&A, NULL));
}

static void
test_mask_short_fully_hidden(void **state)
{
	(void)state;
	/* Too short to keep head and tail: nothing is shown. */
	assert_string_equal(mask_phone(&A, ""), "");
	assert_string_equal(mask_phone(&A, "1234567"), "*******");
	assert_string_equal(mask_phone(&A, "12345678"), "123*5678");
	assert_string_equal(mask_idnum(&A, "1234567890"), "**********");
	assert_string_equal(mask_idnum(&A, "12345678901"), "123456*8901");
}

#define T(f) cmocka_unit_test_setup_teardown(f, arena_setup, arena_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_mask_idnum),
	    T(test_mask_idnum_keeps_input),
	    T(test_mask_phone),
	    T(test_mask_null),
	    T(test_mask_short_fully_hidden),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
