/*
 * Unit tests for fcgi/pii.c (sealing, opening, the blind index, key files)
 * and fcgi/codes.c (codes people type back).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "codes.h"
#include "pii.h"

static struct arena A;
static char dir[64], keys[128];

static int
setup(void **state)
{
	char err[256];

	(void)state;
	memset(&A, 0, sizeof(A));
	strcpy(dir, "/tmp/swn-test-pii-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(keys, sizeof(keys), "%s/pii.keys", dir);
	if (pii_keyfile_write(keys, 0, err, sizeof(err)) != 0)
		return -1;
	return pii_load(keys, err, sizeof(err));
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	pii_unload();
	arena_free(&A);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_roundtrip(void **state)
{
	struct blob b;
	char *out;
	size_t n;

	(void)state;
	assert_int_equal(pii_current(), 1);
	assert_int_equal(pii_seal_str(&A, "t.c", "32040219900101123X", &b), 0);
	assert_int_equal(b.n, PII_SEALED_LEN(18));
	assert_int_equal(pii_key_id(&b), 1);
	/* The value itself appears nowhere in what is stored. */
	assert_null(memmem(b.p, b.n, "19900101", 8));
	assert_int_equal(pii_open(&A, "t.c", &b, &out, &n), 0);
	assert_string_equal(out, "32040219900101123X");
	assert_int_equal(n, 18);
}

static void
test_fresh_nonce(void **state)
{
	struct blob a, b;

	(void)state;
	pii_seal_str(&A, "t.c", "13812345678", &a);
	pii_seal_str(&A, "t.c", "13812345678", &b);
	assert_int_equal(a.n, b.n);
	/* Equal values are not equal at rest: only the index links them. */
	assert_memory_not_equal(a.p, b.p, a.n);
}

static void
test_null_and_empty(void **state)
{
	struct blob b;
	char *out = (char *)1;

	(void)state;
	assert_int_equal(pii_seal_str(&A, "t.c", NULL, &b), 0);
	assert_null(b.p);
	assert_int_equal(pii_seal_str(&A, "t.c", "", &b), 0);
	assert_null(b.p);
	assert_int_equal(pii_open(&A, "t.c", &b, &out, NULL), 0);
	assert_null(out);
}

static void
test_associated_data(void **state)
{
	struct blob b;
	char *out;

	(void)state;
	pii_seal_str(&A, "wage_cases.reporter_phone", "13812345678", &b);
	/* Moved to another column, a value does not open. */
	assert_int_equal(
	    pii_open(&A, "wage_case_workers.phone", &b, &out, NULL), -1);
	assert_null(out);
}

static void
test_tampered(void **state)
{
	struct blob b, shortb;
	char *out;

	(void)state;
	pii_seal_str(&A, "t.c", "13812345678", &b);
	b.p[b.n - 1] ^= 1;
	assert_int_equal(pii_open(&A, "t.c", &b, &out, NULL), -1);
	shortb.p = b.p;
	shortb.n = 10;
	assert_int_equal(pii_open(&A, "t.c", &shortb, &out, NULL), -1);
	assert_int_equal(pii_key_id(&shortb), 0);
}

static void
test_unknown_key(void **state)
{
	struct blob b;
	char *out;

	(void)state;
	pii_seal_str(&A, "t.c", "13812345678", &b);
	b.p[3] = 9; /* key 9 is not loaded */
	assert_int_equal(pii_open(&A, "t.c", &b, &out, NULL), -1);
	assert_false(pii_has_key(9));
	assert_true(pii_has_key(1));
}

static void
test_index(void **state)
{
	unsigned char a[PII_IDX_LEN], b[PII_IDX_LEN], c[PII_IDX_LEN];

	(void)state;
	pii_index(PII_PHONE, "13812345678", 11, a);
	pii_index(PII_PHONE, "13812345678", 11, b);
	assert_memory_equal(a, b, PII_IDX_LEN);
	pii_index(PII_PHONE, "13812345679", 11, b);
	assert_memory_not_equal(a, b, PII_IDX_LEN);
	/* The same digits as another kind index differently. */
	pii_index(PII_IDNUM, "13812345678", 11, c);
	assert_memory_not_equal(a, c, PII_IDX_LEN);
}

static void
test_rotation(void **state)
{
	struct blob old, fresh;
	char err[256], *out;
	uint32_t keep[] = {2};
	struct stat st;

	(void)state;
	pii_seal_str(&A, "t.c", "13812345678", &old);
	assert_int_equal(pii_keyfile_write(keys, 1, err, sizeof(err)), 0);
	assert_int_equal(pii_load(keys, err, sizeof(err)), 0);
	assert_int_equal(pii_current(), 2);
	/* Old values still open; new ones are sealed under key 2. */
	assert_int_equal(pii_open(&A, "t.c", &old, &out, NULL), 0);
	assert_string_equal(out, "13812345678");
	pii_seal_str(&A, "t.c", out, &fresh);
	assert_int_equal(pii_key_id(&fresh), 2);
	/* Retiring key 1 keeps the index key, so lookups do not change. */
	{
		unsigned char before[PII_IDX_LEN], after[PII_IDX_LEN];

		pii_index(PII_PHONE, "13812345678", 11, before);
		assert_int_equal(
		    pii_keyfile_retire(keys, keep, 1, err, sizeof(err)), 0);
		assert_int_equal(pii_load(keys, err, sizeof(err)), 0);
		pii_index(PII_PHONE, "13812345678", 11, after);
		assert_memory_equal(before, after, PII_IDX_LEN);
	}
	assert_int_equal(pii_open(&A, "t.c", &old, &out, NULL), -1);
	assert_int_equal(pii_open(&A, "t.c", &fresh, &out, NULL), 0);
	assert_int_equal(stat(keys, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void
test_bad_files(void **state)
{
	static const char *const bad[] = {
	    "",
	    "index 00\nkey 1 00\n",
	    "key 1 "
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "\n",
	    "index "
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "\n",
	    "index "
	    "0000000000000000000000000000000000000000000000000000000000000000\n"
	    "key 0 "
	    "1111111111111111111111111111111111111111111111111111111111111111"
	    "\n",
	    "index "
	    "0000000000000000000000000000000000000000000000000000000000000000\n"
	    "key 1 "
	    "1111111111111111111111111111111111111111111111111111111111111111\n"
	    "key 1 "
	    "2222222222222222222222222222222222222222222222222222222222222222"
	    "\n",
	    "index "
	    "0000000000000000000000000000000000000000000000000000000000000000\n"
	    "secret "
	    "3333333333333333333333333333333333333333333333333333333333333333"
	    "\n",
	};
	char path[160], err[256];
	size_t i;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.keys", dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = fopen(path, "w");
		fputs(bad[i], f);
		fclose(f);
		err[0] = '\0';
		assert_int_equal(pii_load(path, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
		/* An error names the line, never what it holds. */
		assert_null(strstr(err, "3333"));
		assert_null(strstr(err, "1111"));
	}
	/* The keys loaded before are still in use. */
	assert_int_equal(pii_current(), 1);
	assert_int_equal(pii_load("/nonexistent/pii.keys", err, sizeof(err)),
			 -1);
	assert_int_equal(pii_keyfile_write(keys, 0, err, sizeof(err)), -1);
}

static void
test_codes(void **state)
{
	char c[CODE_LEN + 1], n[CODE_LEN + 1];
	unsigned char h1[CODE_HASH_LEN], h2[CODE_HASH_LEN];
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		code_new(c);
		assert_int_equal(strlen(c), CODE_LEN);
		assert_null(strpbrk(c, "01OIL"));
		assert_int_equal(code_normalize(c, n), 0);
		assert_string_equal(c, n);
	}
	assert_int_equal(code_normalize(" abcd-efgh ", n), 0);
	assert_string_equal(n, "ABCDEFGH");
	assert_int_equal(code_normalize("ab cd ef gh", n), 0);
	assert_int_equal(code_normalize("ABCDEFG", n), -1);
	assert_int_equal(code_normalize("ABCDEFGHJ", n), -1);
	assert_int_equal(code_normalize("ABCDEFG0", n), -1);
	assert_int_equal(code_normalize("ABCDEFGI", n), -1);
	assert_int_equal(code_normalize("ABCD\xe4\xb8\xad", n), -1);
	/* Full-width, as a Chinese keyboard types them. */
	assert_int_equal(code_normalize("\xef\xbc\xa1\xef\xbc\xa2\xef\xbc"
					"\xa3\xef\xbc\xa4\xe3\x80\x80\xef"
					"\xbd\x85\xef\xbd\x86\xef\xbc\x8d"
					"\xef\xbc\x93\xef\xbc\x94",
					n),
			 0);
	assert_string_equal(n, "ABCDEF34");
	assert_int_equal(code_normalize("ABCDEFG\xef\xbc\x90", n), -1);
	assert_int_equal(code_normalize("ABCDEFG\xef\xbc", n), -1);
	assert_int_equal(code_normalize(NULL, n), -1);
	assert_string_equal(n, "");
	/* A refused code leaves the empty string, however far it got: a
	 * ninth character used to leave eight unterminated ones, which
	 * safe_returns_arrive() then hashed past the end of its buffer
	 * (tests/fuzz/fuzz_parsers). */
	memset(n, 'Q', sizeof(n));
	assert_int_equal(code_normalize("ABCD23450", n), -1);
	assert_string_equal(n, "");
	memset(n, 'Q', sizeof(n));
	assert_int_equal(code_normalize("ABCD-2345-6", n), -1);
	assert_string_equal(n, "");
	memset(n, 'Q', sizeof(n));
	assert_int_equal(code_normalize("ABC!", n), -1);
	assert_string_equal(n, "");
	code_hash("ABCDEFGH", h1);
	code_normalize("abcdefgh", n);
	code_hash(n, h2);
	assert_memory_equal(h1, h2, CODE_HASH_LEN);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_roundtrip),	    T(test_fresh_nonce),
	    T(test_null_and_empty), T(test_associated_data),
	    T(test_tampered),	    T(test_unknown_key),
	    T(test_index),	    T(test_rotation),
	    T(test_bad_files),	    T(test_codes),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
