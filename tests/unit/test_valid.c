/*
 * Unit tests for fcgi/valid.c: the single validators (ID numbers, phones,
 * credit codes, dates, money), the text helpers and the field-table walker
 * valid_object().  Check characters are computed here by helpers written
 * from the standards, not by the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "valid.h"

/* A validator's answer: NULL (valid) or an error code. */
#define CODE(s) ((s) != NULL ? (s) : "(null)")
#define assert_code(got, want) assert_string_equal(CODE(got), CODE(want))

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

/* GB 11643: weights 2^(17-i) mod 11, check "10X98765432"[sum % 11]. */
static char
idnum_check(const char *body17)
{
	int i, w = 1, sum = 0, weights[17];

	for (i = 16; i >= 0; i--) {
		w = (w * 2) % 11;
		weights[i] = w;
	}
	for (i = 0; i < 17; i++)
		sum += (body17[i] - '0') * weights[i];
	return "10X98765432"[sum % 11];
}

/* A resident ID from region (6), birth (YYYYMMDD) and sequence (3). */
static void
make_idnum(char out[19], const char *region, const char *birth, const char *seq)
{
	snprintf(out, 19, "%s%s%s", region, birth, seq);
	assert_int_equal(strlen(out), 17);
	out[17] = idnum_check(out);
	out[18] = '\0';
}

/* GB 32100: check = 31 - sum % 31 over the charset, 31 meaning 0. */
static const char credit_set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static char
credit_check(const char *body17)
{
	static const int w[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
				  29, 25, 13, 8,  24, 10, 30, 28};
	int i, sum = 0, c;

	for (i = 0; i < 17; i++)
		sum += (int)(strchr(credit_set, body17[i]) - credit_set) * w[i];
	c = 31 - sum % 31;
	return credit_set[c == 31 ? 0 : c];
}

static void
make_credit(char out[19], const char *body17)
{
	assert_int_equal(strlen(body17), 17);
	memcpy(out, body17, 17);
	out[17] = credit_check(body17);
	out[18] = '\0';
}

/* Today (offset days) in Asia/Shanghai as YYYYMMDD. */
static void
shanghai_day(char out[9], int offset)
{
	time_t t = time(NULL) + 8 * 3600 + (time_t)offset * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 9, "%Y%m%d", &tm);
}

/* ---- ID numbers ---- */

static void
test_idnum_known_valid(void **state)
{
	char out[19] = "";

	(void)state;
	/* The example of GB 11643 itself. */
	assert_code(valid_idnum("11010519491231002X", out), NULL);
	assert_string_equal(out, "11010519491231002X");
}

static void
test_idnum_computed_valid(void **state)
{
	char id[19], out[19] = "";

	(void)state;
	make_idnum(id, "320402", "19900101", "123");
	assert_int_equal(id[17], '9');
	assert_code(valid_idnum(id, out), NULL);
	assert_string_equal(out, id);
}

static void
test_idnum_lowercase_x_stored_upper(void **state)
{
	char out[19] = "";

	(void)state;
	assert_code(valid_idnum("11010519491231002x", out), NULL);
	assert_string_equal(out, "11010519491231002X");
}

static void
test_idnum_checksum(void **state)
{
	char id[19], out[19];

	(void)state;
	make_idnum(id, "320402", "19900101", "123");
	id[17] = id[17] == '0' ? '1' : '0';
	assert_code(valid_idnum(id, out), "checksum");
	/* An X where a digit belongs, and the reverse. */
	assert_code(valid_idnum("110105194912310020", out), "checksum");
	make_idnum(id, "320402", "19900101", "123");
	id[17] = 'X';
	assert_code(valid_idnum(id, out), "checksum");
}

static void
test_idnum_format(void **state)
{
	char out[19];

	(void)state;
	assert_code(valid_idnum("", out), "format");
	assert_code(valid_idnum("11010519491231002", out), "format");
	assert_code(valid_idnum("11010519491231002X1", out), "format");
	assert_code(valid_idnum("1101051949123100XX", out), "format");
	assert_code(valid_idnum("11010519491231002Y", out), "format");
	assert_code(valid_idnum("A1010519491231002X", out), "format");
	assert_code(valid_idnum(" 1010519491231002X", out), "format");
	/* The old 15-digit form is not accepted. */
	assert_code(valid_idnum("110105491231002", out), "format");
}

static void
test_idnum_birth_date(void **state)
{
	char id[19], out[19];

	(void)state;
	make_idnum(id, "320402", "20210229", "123");
	assert_code(valid_idnum(id, out), "birth_date");
	make_idnum(id, "320402", "20200229", "123");
	assert_code(valid_idnum(id, out), NULL);
	make_idnum(id, "320402", "19901301", "123");
	assert_code(valid_idnum(id, out), "birth_date");
	make_idnum(id, "320402", "19900100", "123");
	assert_code(valid_idnum(id, out), "birth_date");
	make_idnum(id, "320402", "19900431", "123");
	assert_code(valid_idnum(id, out), "birth_date");
	make_idnum(id, "320402", "20990101", "123");
	assert_code(valid_idnum(id, out), "birth_date");
}

static void
test_idnum_birth_today_not_tomorrow(void **state)
{
	char id[19], out[19], day[9];

	(void)state;
	shanghai_day(day, 0);
	make_idnum(id, "320402", day, "123");
	assert_code(valid_idnum(id, out), NULL);
	shanghai_day(day, 1);
	make_idnum(id, "320402", day, "123");
	assert_code(valid_idnum(id, out), "birth_date");
}

/* ---- phones ---- */

static void
test_phone(void **state)
{
	(void)state;
	assert_code(valid_phone("13812345678"), NULL);
	assert_code(valid_phone("13000000000"), NULL);
	assert_code(valid_phone("19999999999"), NULL);
	assert_code(valid_phone("12812345678"), "format");
	assert_code(valid_phone("10812345678"), "format");
	assert_code(valid_phone("23812345678"), "format");
	assert_code(valid_phone("1381234567"), "format");
	assert_code(valid_phone("138123456789"), "format");
	assert_code(valid_phone("1381234567a"), "format");
	assert_code(valid_phone("+8613812345678"), "format");
	assert_code(valid_phone("138 1234 5678"), "format");
	assert_code(valid_phone(""), "format");
}

/* ---- credit codes ---- */

static void
test_credit_known_valid(void **state)
{
	char out[19] = "";

	(void)state;
	assert_code(valid_credit("91350100M000100Y43", out), NULL);
	assert_string_equal(out, "91350100M000100Y43");
	assert_code(valid_credit("91440300708461136T", out), NULL);
	assert_string_equal(out, "91440300708461136T");
}

static void
test_credit_computed_valid(void **state)
{
	char code[19], out[19] = "";

	(void)state;
	make_credit(code, "91320400MA1MXXXXX");
	assert_int_equal(code[17], 'J');
	assert_code(valid_credit(code, out), NULL);
	assert_string_equal(out, "91320400MA1MXXXXXJ");
}

static void
test_credit_check_31_is_0(void **state)
{
	char body[18] = "91320400MA1MXXXX0", code[19], out[19];
	size_t i;
	int found = 0;

	(void)state;
	/* Find a body whose weighted sum is a multiple of 31. */
	for (i = 0; credit_set[i] != '\0' && !found; i++) {
		body[16] = credit_set[i];
		make_credit(code, body);
		found = code[17] == '0';
	}
	assert_true(found);
	assert_code(valid_credit(code, out), NULL);
	assert_string_equal(out, code);
	code[17] = 'Y'; /* 30, the neighbour */
	assert_code(valid_credit(code, out), "checksum");
}

static void
test_credit_checksum(void **state)
{
	char out[19];

	(void)state;
	assert_code(valid_credit("91350100M000100Y44", out), "checksum");
	assert_code(valid_credit("91320400MA1MXXXXXK", out), "checksum");
	/* Two characters swapped. */
	assert_code(valid_credit("91350100M000010Y43", out), "checksum");
}

static void
test_credit_format(void **state)
{
	char out[19];

	(void)state;
	assert_code(valid_credit("", out), "format");
	assert_code(valid_credit("91350100M000100Y4", out), "format");
	assert_code(valid_credit("91350100M000100Y433", out), "format");
	/* I, O, Z, S and V are not in the character set. */
	assert_code(valid_credit("91350100I000100Y43", out), "format");
	assert_code(valid_credit("91350100O000100Y43", out), "format");
	assert_code(valid_credit("91350100Z000100Y43", out), "format");
	assert_code(valid_credit("91350100S000100Y43", out), "format");
	assert_code(valid_credit("91350100V000100Y43", out), "format");
	assert_code(valid_credit("91350100-000100Y43", out), "format");
	assert_code(valid_credit("91350100 000100Y43", out), "format");
}

static void
test_credit_lowercase_uppercased(void **state)
{
	char out[19] = "";

	(void)state;
	assert_code(valid_credit("91350100m000100y43", out), NULL);
	assert_string_equal(out, "91350100M000100Y43");
}

/* ---- dates ---- */

static void
test_date(void **state)
{
	(void)state;
	assert_code(valid_date("2020-02-29"), NULL);
	assert_code(valid_date("2000-02-29"), NULL);
	assert_code(valid_date("2021-12-31"), NULL);
	assert_code(valid_date("2021-01-01"), NULL);
	assert_code(valid_date("2021-02-29"), "date");
	assert_code(valid_date("1900-02-29"), "date");
	/* Written right, but no year anything is dated in: the range. */
	assert_code(valid_date("1900-01-01"), NULL);
	assert_code(valid_date("2100-12-31"), NULL);
	assert_code(valid_date("1899-12-31"), "out_of_range");
	assert_code(valid_date("2101-01-01"), "out_of_range");
	assert_code(valid_date("9999-12-31"), "out_of_range");
	assert_code(valid_date("0000-01-01"), "out_of_range");
	assert_code(valid_date("9999-02-30"), "date");
	assert_code(valid_date("2021-13-01"), "date");
	assert_code(valid_date("2021-00-10"), "date");
	assert_code(valid_date("2021-04-31"), "date");
	assert_code(valid_date("2021-04-00"), "date");
	assert_code(valid_date("2021-1-01"), "date");
	assert_code(valid_date("2021-01-1"), "date");
	assert_code(valid_date("2021/01/01"), "date");
	assert_code(valid_date("20210101"), "date");
	assert_code(valid_date("2021-01-0a"), "date");
	assert_code(valid_date("2021-01-01 "), "date");
	assert_code(valid_date("2021-01-01T00:00:00+08:00"), "date");
	assert_code(valid_date(""), "date");
}

/* ---- money ---- */

static void
test_money_str_valid(void **state)
{
	static const struct {
		const char *in;
		int64_t fen;
	} ok[] = {
	    {"0", 0},
	    {"0.00", 0},
	    {"-0", 0},
	    {"1234.5", 123450},
	    {"1234.56", 123456},
	    {"1234", 123400},
	    {"0.1", 10},
	    {"0.01", 1},
	    {"007", 700},
	    {"1.500", 150}, /* extra zero decimals are accepted */
	    {"1.50000", 150},
	    {"100000000", 10000000000LL},
	    {"100000000.00", 10000000000LL},
	    {"99999999.99", 9999999999LL},
	};
	size_t i;
	int64_t fen;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		fen = -42;
		assert_code(valid_money_str(ok[i].in, &fen), NULL);
		assert_int_equal(fen, ok[i].fen);
	}
}

static void
test_money_str_invalid(void **state)
{
	static const struct {
		const char *in;
		const char *code;
	} bad[] = {
	    {"1.005", "decimals"},
	    {"0.001", "decimals"},
	    {"1.501", "decimals"},
	    {"-1", "out_of_range"},
	    {"-0.01", "out_of_range"},
	    {"100000000.01", "out_of_range"},
	    {"100000001", "out_of_range"},
	    {"999999999999", "out_of_range"},
	    {"99999999999999999999999", "out_of_range"},
	    {"1e3", "format"},
	    {"", "format"},
	    {".", "format"},
	    {"1.", "format"},
	    {".5", "format"},
	    {"-", "format"},
	    {"+1", "format"},
	    {" 1", "format"},
	    {"1 ", "format"},
	    {"1,000", "format"},
	    {"1.2.3", "format"},
	    {"0x10", "format"},
	    {"１", "format"}, /* fullwidth digit */
	    {"abc", "format"},
	};
	size_t i;
	int64_t fen;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fen = 0;
		assert_code(valid_money_str(bad[i].in, &fen), bad[i].code);
	}
}

static void
test_money_json_valid(void **state)
{
	json_t *v;
	int64_t fen;

	(void)state;
	v = json_string("1234.5");
	assert_code(valid_money_json(v, &fen), NULL);
	assert_int_equal(fen, 123450);
	json_decref(v);

	v = json_integer(1234);
	assert_code(valid_money_json(v, &fen), NULL);
	assert_int_equal(fen, 123400);
	json_decref(v);

	v = json_integer(100000000);
	assert_code(valid_money_json(v, &fen), NULL);
	assert_int_equal(fen, 10000000000LL);
	json_decref(v);

	v = json_real(0.1);
	assert_code(valid_money_json(v, &fen), NULL);
	assert_int_equal(fen, 10);
	json_decref(v);

	/* 0.30000000000000004 as a double: still 30 fen. */
	v = json_real(0.1 + 0.2);
	assert_code(valid_money_json(v, &fen), NULL);
	assert_int_equal(fen, 30);
	json_decref(v);

	v = json_real(1234.5);
	assert_code(valid_money_json(v, &fen), NULL);
	assert_int_equal(fen, 123450);
	json_decref(v);

	v = json_real(99999999.99);
	assert_code(valid_money_json(v, &fen), NULL);
	assert_int_equal(fen, 9999999999LL);
	json_decref(v);

	v = json_real(0.0);
	assert_code(valid_money_json(v, &fen), NULL);
	assert_int_equal(fen, 0);
	json_decref(v);
}

static void
test_money_json_invalid(void **state)
{
	json_t *v;
	int64_t fen;

	(void)state;
	v = json_real(1.005);
	assert_code(valid_money_json(v, &fen), "decimals");
	json_decref(v);

	v = json_real(0.125);
	assert_code(valid_money_json(v, &fen), "decimals");
	json_decref(v);

	v = json_integer(-1);
	assert_code(valid_money_json(v, &fen), "out_of_range");
	json_decref(v);

	v = json_real(-0.5);
	assert_code(valid_money_json(v, &fen), "out_of_range");
	json_decref(v);

	v = json_integer(100000001);
	assert_code(valid_money_json(v, &fen), "out_of_range");
	json_decref(v);

	v = json_real(100000000.01);
	assert_code(valid_money_json(v, &fen), "out_of_range");
	json_decref(v);

	v = json_real(1e300);
	assert_code(valid_money_json(v, &fen), "out_of_range");
	json_decref(v);

	v = json_string("-1");
	assert_code(valid_money_json(v, &fen), "out_of_range");
	json_decref(v);

	v = json_string("1e3");
	assert_code(valid_money_json(v, &fen), "format");
	json_decref(v);

	v = json_true();
	assert_code(valid_money_json(v, &fen), "type");
	json_decref(v);

	v = json_null();
	assert_code(valid_money_json(v, &fen), "type");
	json_decref(v);

	v = json_object();
	assert_code(valid_money_json(v, &fen), "type");
	json_decref(v);
}

/*
 * A JSON number arrives as a double, so the worker allows a thousandth of a
 * fen of representation error (0.1 + 0.2 is 30 fen) and no more.
 */
static void
test_money_json_real_tolerance(void **state)
{
	json_t *v;
	int64_t fen = -1;

	(void)state;
	v = json_real(0.30000000000000004);
	assert_code(valid_money_json(v, &fen), NULL);
	assert_int_equal(fen, 30);
	json_decref(v);
	v = json_real(1234.5599999999999);
	assert_code(valid_money_json(v, &fen), NULL);
	assert_int_equal(fen, 123456);
	json_decref(v);
	v = json_real(1.0001);
	assert_code(valid_money_json(v, &fen), "decimals");
	json_decref(v);
	v = json_real(0.001);
	assert_code(valid_money_json(v, &fen), "decimals");
	json_decref(v);
	v = json_real(99999999.999);
	assert_code(valid_money_json(v, &fen), "decimals");
	json_decref(v);
}

static void
test_money_format(void **state)
{
	char out[32];

	(void)state;
	money_format(0, out);
	assert_string_equal(out, "0.00");
	money_format(5, out);
	assert_string_equal(out, "0.05");
	money_format(50, out);
	assert_string_equal(out, "0.50");
	money_format(123450, out);
	assert_string_equal(out, "1234.50");
	money_format(123456, out);
	assert_string_equal(out, "1234.56");
	money_format(MONEY_MAX_FEN, out);
	assert_string_equal(out, "100000000.00");
	money_format(-5, out);
	assert_string_equal(out, "-0.05");
	money_format(INT64_MAX, out);
	assert_string_equal(out, "92233720368547758.07");
	/* Negating INT64_MIN overflowed (tests/fuzz/fuzz_parsers). */
	money_format(INT64_MIN, out);
	assert_string_equal(out, "-92233720368547758.08");
	money_wan(INT64_MIN, out);
	assert_string_equal(out, "-9223372036854.78");
}

static void
test_money_wan(void **state)
{
	char out[32];

	(void)state;
	money_wan(0, out);
	assert_string_equal(out, "0.00");
	money_wan(4999, out);
	assert_string_equal(out, "0.00");
	money_wan(5000, out);
	assert_string_equal(out, "0.01");
	money_wan(10000, out);
	assert_string_equal(out, "0.01");
	money_wan(14999, out);
	assert_string_equal(out, "0.01");
	money_wan(15000, out);
	assert_string_equal(out, "0.02");
	/* 12345.67 yuan = 1.234567 万元 */
	money_wan(1234567, out);
	assert_string_equal(out, "1.23");
	money_wan(1235000, out);
	assert_string_equal(out, "1.24");
	money_wan(1000000, out);
	assert_string_equal(out, "1.00");
	money_wan(999999, out);
	assert_string_equal(out, "1.00");
	money_wan(MONEY_MAX_FEN, out);
	assert_string_equal(out, "10000.00");
	/* A sum of many cases may exceed one case's maximum. */
	money_wan(123456789012345LL, out);
	assert_string_equal(out, "123456789.01");
}

/* ---- text ---- */

static void
test_utf8_chars(void **state)
{
	(void)state;
	assert_int_equal(utf8_chars(""), 0);
	assert_int_equal(utf8_chars("abc"), 3);
	assert_int_equal(utf8_chars("张三"), 2);
	assert_int_equal(strlen("张三"), 6);
	assert_int_equal(utf8_chars("😀"), 1);
	assert_int_equal(utf8_chars("a张😀b"), 4);
	assert_int_equal(utf8_chars("é"), 1);
	assert_int_equal(utf8_chars("江苏常州经济开发区总工会"), 12);
}

static void
test_valid_trim(void **state)
{
	(void)state;
	assert_string_equal(valid_trim(&A, "abc"), "abc");
	assert_string_equal(valid_trim(&A, " \t\r\n\v\fabc \t\r\n"), "abc");
	assert_string_equal(valid_trim(&A, "  a b  "), "a b");
	assert_string_equal(valid_trim(&A, "\xC2\xA0张三\xC2\xA0"), "张三");
	assert_string_equal(valid_trim(&A, "\xE3\x80\x80张三\xE3\x80\x80"),
			    "张三");
	assert_string_equal(
	    valid_trim(&A, " \xE3\x80\x80\xC2\xA0 张\xE3\x80\x80三 \xC2\xA0"
			   "\xE3\x80\x80 "),
	    "张\xE3\x80\x80三");
	assert_string_equal(valid_trim(&A, ""), "");
	assert_string_equal(valid_trim(&A, "   "), "");
	assert_string_equal(valid_trim(&A, "\xE3\x80\x80\xC2\xA0\t"), "");
	/* U+4000 (E4 80 80) ends like U+3000 but is not a blank. */
	assert_string_equal(valid_trim(&A, "䀀"), "䀀");
	assert_string_equal(valid_trim(&A, " a䀀 "), "a䀀");
	/* U+3001 (E3 80 81) begins like U+3000 but is not a blank. */
	assert_string_equal(valid_trim(&A, "、a、"), "、a、");
	/* U+00E0 (C3 A0) ends like NBSP but is not a blank. */
	assert_string_equal(valid_trim(&A, "à"), "à");
}

static void
test_text_invisible(void **state)
{
	(void)state;
	/* A zero-width space, a soft hyphen, a direction mark inside a name:
	 * refused on one line and on many. */
	assert_int_equal(valid_text_bad("王\xE2\x80\x8B五", 0), 1);
	assert_int_equal(valid_text_bad("王\xE2\x80\x8B五", 1), 1);
	assert_int_equal(valid_text_bad("\xC2\xAD", 0), 1);
	assert_int_equal(valid_text_bad("王\xE2\x80\x8F五", 0), 1);
	assert_int_equal(valid_text_bad("王\xE2\x81\xA4五", 0), 1);
	assert_int_equal(valid_text_bad("王\xEF\xBB\xBF五", 0), 1);
	/* Their neighbours are ordinary: U+00AC, U+200A, U+FEFE. */
	assert_int_equal(valid_text_bad("\xC2\xAC", 0), 0);
	assert_int_equal(valid_text_bad("\xE2\x80\x8A", 0), 0);
	assert_int_equal(valid_text_bad("\xEF\xBB\xBE", 0), 0);
	/* A joiner between emoji is part of one picture (a worker, a family,
	 * a heart on fire); between letters, or at an edge, it is not. */
	assert_int_equal(valid_text_bad("张三👷\xE2\x80\x8D♂️", 0), 0);
	assert_int_equal(valid_text_bad("👨\xE2\x80\x8D👩\xE2\x80\x8D👧", 0), 0);
	assert_int_equal(valid_text_bad("❤️\xE2\x80\x8D🔥", 0), 0);
	assert_int_equal(valid_text_bad("王\xE2\x80\x8D五", 0), 1);
	assert_int_equal(valid_text_bad("👷\xE2\x80\x8D五", 0), 1);
	assert_int_equal(valid_text_bad("\xE2\x80\x8D👷", 0), 1);
	assert_int_equal(valid_text_bad("👷\xE2\x80\x8D", 0), 1);
	/* Other invisible characters between emoji are still refused. */
	assert_int_equal(valid_text_bad("👷\xE2\x80\x8B👷", 0), 1);
}

static void
test_valid_narrow(void **state)
{
	char out[19] = "";

	(void)state;
	/* Full-width digits and letters, the ideographic space: a Chinese
	 * keyboard's 110105 1949... is the ASCII number. */
	assert_string_equal(
	    valid_narrow(&A,
			 "\xEF\xBC\x91\xEF\xBC\x90\xE3\x80\x80\xEF\xBD\x98"),
	    "10x");
	assert_string_equal(valid_narrow(&A, "139 1234 5678"), "13912345678");
	/* U+FF01 and U+FF5E are the ends of the range, U+FF00 and U+FF5F
	 * are not in it, nor a cut sequence. */
	assert_string_equal(valid_narrow(&A, "\xEF\xBC\x81\xEF\xBD\x9E"), "!~");
	assert_string_equal(valid_narrow(&A, "\xEF\xBC\x80"), "\xEF\xBC\x80");
	assert_string_equal(valid_narrow(&A, "\xEF\xBD\x9F"), "\xEF\xBD\x9F");
	assert_string_equal(valid_narrow(&A, "a\xEF\xBC"), "a\xEF\xBC");
	assert_string_equal(valid_narrow(&A, "张三"), "张三");
	/* What the parsers then read: the check characters still count. */
	assert_code(
	    valid_idnum(
		valid_narrow(&A, "１１０１０５１９４９１２３１００２ｘ"), out),
	    NULL);
	assert_string_equal(out, "11010519491231002X");
	assert_code(
	    valid_idnum(
		valid_narrow(&A, "１１０１０５１９４９１２３１００２１"), out),
	    "checksum");
	assert_code(
	    valid_credit(
		valid_narrow(&A, "９１３２０４００ｍａ１ｍａａａａ０ｗ"), out),
	    NULL);
	assert_string_equal(out, "91320400MA1MAAAA0W");
}

static void
test_valid_message(void **state)
{
	(void)state;
	/* The generic texts of the dictionary (messages.c). */
	assert_string_equal(valid_message("required"), "请填写{label}");
	assert_string_equal(valid_message("checksum"),
			    "{label}最后一位不对，请核对");
	assert_string_equal(valid_message("no_such_code"), "{label}有误");
}

static void
test_verrs_cap(void **state)
{
	struct verrs e;
	int i;

	(void)state;
	verrs_init(&e);
	for (i = 0; i < VERRS_MAX + 20; i++)
		verrs_add(&e, "f", "format", "m");
	assert_int_equal(e.n, VERRS_MAX + 20);
	assert_int_equal(json_array_size(e.list), VERRS_MAX);
	verrs_free(&e);
	assert_null(e.list);
	assert_int_equal(e.n, 0);
	verrs_free(NULL);
}

/* ---- valid_object ---- */

struct addr {
	uint64_t has;
	char *city;
};

struct worker {
	uint64_t has;
	char *name;
	char phone[12];
	int64_t owed;
};

struct person {
	uint64_t has;
	char *name;
	char *code;
	int64_t age;
	int flag;
	int64_t amount;
	char birth[11];
	int kind;
	uint32_t tags;
	char idnum[19];
	char phone[12];
	char credit[19];
	double score;
	struct addr addr;
	struct worker *workers;
	size_t nworkers;
};

static const char *const kinds[] = {"district", "town", "street", NULL};
static const char *const tagnames[] = {"a", "b", "c", NULL};

static const char *
upper_only(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 'A' || *s > 'Z')
			return "format";
	return NULL;
}

static const struct vfield addr_fields[] = {
    {.name = "city",
     .label = "城市",
     .type = VT_STRING,
     .flags = V_REQ,
     .min = 1,
     .max = 20,
     .off = offsetof(struct addr, city)},
};
static const struct vtable addr_table = VTABLE(addr_fields, struct addr);

static const struct vfield worker_fields[] = {
    {.name = "name",
     .label = "姓名",
     .type = VT_STRING,
     .flags = V_REQ,
     .min = 1,
     .max = 50,
     .off = offsetof(struct worker, name)},
    {.name = "phone",
     .label = "手机号",
     .type = VT_PHONE,
     .off = offsetof(struct worker, phone)},
    {.name = "amount_owed",
     .label = "欠薪金额",
     .type = VT_MONEY,
     .flags = V_REQ,
     .min = 0,
     .max = MONEY_MAX_FEN,
     .off = offsetof(struct worker, owed)},
};
static const struct vtable worker_table = VTABLE(worker_fields, struct worker);

enum {
	F_NAME,
	F_CODE,
	F_AGE,
	F_FLAG,
	F_AMOUNT,
	F_BIRTH,
	F_KIND,
	F_TAGS,
	F_IDNUM,
	F_PHONE,
	F_CREDIT,
	F_SCORE,
	F_ADDR,
	F_WORKERS,
	F_ALL = (1 << (F_WORKERS + 1)) - 1,
};

static const struct vfield person_fields[] = {
    {.name = "name",
     .label = "姓名",
     .type = VT_STRING,
     .flags = V_REQ,
     .min = 1,
     .max = 50,
     .off = offsetof(struct person, name)},
    {.name = "code",
     .label = "代码",
     .type = VT_STRING,
     .min = 2,
     .max = 4,
     .off = offsetof(struct person, code),
     .check = upper_only},
    {.name = "age",
     .label = "年龄",
     .type = VT_INT,
     .min = 0,
     .max = 150,
     .off = offsetof(struct person, age)},
    {.name = "flag",
     .label = "标记",
     .type = VT_BOOL,
     .off = offsetof(struct person, flag)},
    {.name = "amount",
     .label = "金额",
     .type = VT_MONEY,
     .min = 100,
     .max = 100000,
     .off = offsetof(struct person, amount)},
    {.name = "birth",
     .label = "出生日期",
     .type = VT_DATE,
     .off = offsetof(struct person, birth)},
    {.name = "kind",
     .label = "类型",
     .type = VT_ENUM,
     .off = offsetof(struct person, kind),
     .enums = kinds},
    {.name = "tags",
     .label = "标签",
     .type = VT_ENUMSET,
     .off = offsetof(struct person, tags),
     .enums = tagnames},
    {.name = "id_number",
     .label = "身份证号",
     .type = VT_IDNUM,
     .off = offsetof(struct person, idnum)},
    {.name = "phone",
     .label = "手机号",
     .type = VT_PHONE,
     .off = offsetof(struct person, phone)},
    {.name = "credit_code",
     .label = "统一社会信用代码",
     .type = VT_CREDIT,
     .off = offsetof(struct person, credit)},
    {.name = "score",
     .label = "评分",
     .type = VT_NUMBER,
     .min = 0,
     .max = 100,
     .off = offsetof(struct person, score)},
    {.name = "addr",
     .label = "地址",
     .type = VT_OBJECT,
     .off = offsetof(struct person, addr),
     .sub = &addr_table},
    {.name = "workers",
     .label = "工人",
     .type = VT_ARRAY,
     .flags = V_REQ,
     .min = 1,
     .max = 3,
     .off = offsetof(struct person, workers),
     .sub = &worker_table,
     .count_off = offsetof(struct person, nworkers)},
};
static const struct vtable person_table = VTABLE(person_fields, struct person);

static json_t *
parse(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &err);

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", err.text, text);
	return j;
}

/* Validates text against person_table into *p; returns valid_object(). */
static int
check(const char *text, struct person *p, struct verrs *e)
{
	json_t *j = parse(text);
	int rc;

	memset(p, 0, sizeof(*p));
	verrs_init(e);
	rc = valid_object(&A, j, &person_table, p, "", e);
	json_decref(j);
	return rc;
}

/* The error entry for a field path, or NULL. */
static json_t *
err_for(const struct verrs *e, const char *field)
{
	size_t i;
	json_t *it;

	json_array_foreach(e->list, i, it)
	{
		if (strcmp(json_string_value(json_object_get(it, "field")),
			   field) == 0)
			return it;
	}
	return NULL;
}

static const char *
err_code(const struct verrs *e, const char *field)
{
	json_t *it = err_for(e, field);

	return it ? json_string_value(json_object_get(it, "code")) : NULL;
}

static const char *
err_msg(const struct verrs *e, const char *field)
{
	json_t *it = err_for(e, field);

	return it ? json_string_value(json_object_get(it, "message")) : NULL;
}

#define WORKER_OK "{\"name\":\"张三\",\"amount_owed\":\"100\"}"
#define WORKERS_OK "\"workers\":[" WORKER_OK "]"

static void
test_object_all_valid(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(
	    check("{\"name\":\"  李四 \",\"code\":\"AB\",\"age\":30,"
		  "\"flag\":true,\"amount\":\"12.34\","
		  "\"birth\":\"2020-02-29\",\"kind\":\"street\","
		  "\"tags\":[\"c\",\"a\"],"
		  "\"id_number\":\" 11010519491231002x \","
		  "\"phone\":\"13812345678\","
		  "\"credit_code\":\"91350100M000100Y43\",\"score\":99.5,"
		  "\"addr\":{\"city\":\"常州\"},"
		  "\"workers\":[{\"name\":\"王五\",\"phone\":\"13912345678\","
		  "\"amount_owed\":1234.5},"
		  "{\"name\":\"赵六\",\"amount_owed\":\"0\"}]}",
		  &p, &e),
	    0);
	assert_int_equal(e.n, 0);
	assert_int_equal(json_array_size(e.list), 0);
	assert_int_equal(p.has, F_ALL);
	assert_string_equal(p.name, "李四");
	assert_string_equal(p.code, "AB");
	assert_int_equal(p.age, 30);
	assert_int_equal(p.flag, 1);
	assert_int_equal(p.amount, 1234);
	assert_string_equal(p.birth, "2020-02-29");
	assert_int_equal(p.kind, 2);
	assert_int_equal(p.tags, 0x5);
	assert_string_equal(p.idnum, "11010519491231002X");
	assert_string_equal(p.phone, "13812345678");
	assert_string_equal(p.credit, "91350100M000100Y43");
	assert_true(p.score == 99.5);
	assert_int_equal(p.addr.has, VBIT(0));
	assert_string_equal(p.addr.city, "常州");
	assert_int_equal(p.nworkers, 2);
	assert_non_null(p.workers);
	assert_int_equal(p.workers[0].has, VBIT(0) | VBIT(1) | VBIT(2));
	assert_string_equal(p.workers[0].name, "王五");
	assert_string_equal(p.workers[0].phone, "13912345678");
	assert_int_equal(p.workers[0].owed, 123450);
	assert_int_equal(p.workers[1].has, VBIT(0) | VBIT(2));
	assert_string_equal(p.workers[1].name, "赵六");
	assert_int_equal(p.workers[1].owed, 0);
	verrs_free(&e);
}

static void
test_object_only_required(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(check("{\"name\":\"李四\"," WORKERS_OK "}", &p, &e),
			 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(p.has, VBIT(F_NAME) | VBIT(F_WORKERS));
	verrs_free(&e);
	/* Optional fields given as null count as absent. */
	assert_int_equal(check("{\"name\":\"李四\",\"age\":null,\"phone\":null,"
			       "\"addr\":null," WORKERS_OK "}",
			       &p, &e),
			 0);
	assert_int_equal(p.has, VBIT(F_NAME) | VBIT(F_WORKERS));
	verrs_free(&e);
	/* An optional string that is blank counts as absent. */
	assert_int_equal(check("{\"name\":\"李四\",\"phone\":\"  \","
			       "\"code\":\"\xE3\x80\x80\"," WORKERS_OK "}",
			       &p, &e),
			 0);
	assert_int_equal(p.has, VBIT(F_NAME) | VBIT(F_WORKERS));
	assert_null(p.code);
	verrs_free(&e);
}

static void
test_object_required(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(check("{}", &p, &e), -1);
	assert_int_equal(e.n, 2);
	assert_code(err_code(&e, "name"), "required");
	assert_code(err_code(&e, "workers"), "required");
	assert_string_equal(err_msg(&e, "name"), "请填写姓名");
	assert_string_equal(err_msg(&e, "workers"), "请填写工人");
	assert_int_equal(p.has, 0);
	verrs_free(&e);

	assert_int_equal(check("{\"name\":null," WORKERS_OK "}", &p, &e), -1);
	assert_int_equal(e.n, 1);
	assert_code(err_code(&e, "name"), "required");
	verrs_free(&e);

	assert_int_equal(check("{\"name\":\"\"," WORKERS_OK "}", &p, &e), -1);
	assert_int_equal(e.n, 1);
	assert_code(err_code(&e, "name"), "required");
	verrs_free(&e);

	assert_int_equal(
	    check("{\"name\":\" \\t\\n\\u00a0\\u3000 \"," WORKERS_OK "}", &p,
		  &e),
	    -1);
	assert_int_equal(e.n, 1);
	assert_code(err_code(&e, "name"), "required");
	assert_int_equal(p.has, VBIT(F_WORKERS));
	verrs_free(&e);
}

static void
test_object_unknown_field(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(check("{\"name\":\"李四\",\"nmae\":\"x\","
			       "\"addr\":{\"city\":\"常州\",\"zip\":1},"
			       "\"workers\":[" WORKER_OK ",{\"name\":\"a\","
			       "\"amount_owed\":1,\"extra\":null}]}",
			       &p, &e),
			 -1);
	assert_int_equal(e.n, 3);
	assert_code(err_code(&e, "nmae"), "unknown_field");
	assert_string_equal(err_msg(&e, "nmae"), "不支持的字段 nmae");
	assert_code(err_code(&e, "addr.zip"), "unknown_field");
	assert_code(err_code(&e, "workers[1].extra"), "unknown_field");
	/* The known fields around them are still read. */
	assert_true((p.has & VBIT(F_NAME)) != 0);
	assert_true((p.has & VBIT(F_ADDR)) == 0);
	assert_true((p.has & VBIT(F_WORKERS)) == 0);
	assert_string_equal(p.addr.city, "常州");
	verrs_free(&e);
}

static void
test_object_unknown_field_long_key(void **state)
{
	char key[101], body[256], want[128];
	struct person p;
	struct verrs e;
	size_t i;
	json_t *it;

	(void)state;
	memset(key, 'k', 100);
	key[100] = '\0';
	snprintf(body, sizeof(body), "{\"%s\":1,\"name\":\"a\"," WORKERS_OK "}",
		 key);
	assert_int_equal(check(body, &p, &e), -1);
	assert_int_equal(e.n, 1);
	snprintf(want, sizeof(want), "%.64s…", key);
	assert_code(err_code(&e, want), "unknown_field");
	verrs_free(&e);

	/* 30 Chinese characters (90 bytes) are cut at a character boundary:
	 * 21 characters are 63 bytes. */
	body[0] = '\0';
	strcat(body, "{\"");
	for (i = 0; i < 30; i++)
		strcat(body, "键");
	strcat(body, "\":1,\"name\":\"a\"," WORKERS_OK "}");
	assert_int_equal(check(body, &p, &e), -1);
	assert_int_equal(e.n, 1);
	want[0] = '\0';
	for (i = 0; i < 21; i++)
		strcat(want, "键");
	strcat(want, "…");
	it = json_array_get(e.list, 0);
	assert_string_equal(json_string_value(json_object_get(it, "field")),
			    want);
	verrs_free(&e);
}

static void
test_object_types(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(
	    check("{\"name\":5,\"code\":[],\"age\":\"5\",\"flag\":1,"
		  "\"amount\":true,\"birth\":20200101,\"kind\":1,"
		  "\"tags\":\"a\",\"id_number\":11010519491231002,"
		  "\"phone\":13812345678,\"credit_code\":{},"
		  "\"score\":\"1\",\"addr\":\"常州\",\"workers\":{}}",
		  &p, &e),
	    -1);
	assert_int_equal(e.n, 14);
	assert_code(err_code(&e, "name"), "type");
	assert_string_equal(err_msg(&e, "name"), "姓名的类型不正确");
	assert_code(err_code(&e, "code"), "type");
	assert_code(err_code(&e, "age"), "type");
	assert_code(err_code(&e, "flag"), "type");
	assert_code(err_code(&e, "amount"), "type");
	assert_code(err_code(&e, "birth"), "type");
	assert_code(err_code(&e, "kind"), "type");
	assert_code(err_code(&e, "tags"), "type");
	assert_code(err_code(&e, "id_number"), "type");
	assert_code(err_code(&e, "phone"), "type");
	assert_code(err_code(&e, "credit_code"), "type");
	assert_code(err_code(&e, "score"), "type");
	assert_code(err_code(&e, "addr"), "type");
	assert_code(err_code(&e, "workers"), "type");
	assert_int_equal(p.has, 0);
	verrs_free(&e);

	/* A whole number written as a real is not an integer. */
	assert_int_equal(
	    check("{\"name\":\"a\",\"age\":5.0," WORKERS_OK "}", &p, &e), -1);
	assert_code(err_code(&e, "age"), "type");
	verrs_free(&e);

	/* The body itself must be an object. */
	memset(&p, 0, sizeof(p));
	verrs_init(&e);
	{
		json_t *arr = parse("[1]");

		assert_int_equal(
		    valid_object(&A, arr, &person_table, &p, "", &e), -1);
		json_decref(arr);
	}
	assert_int_equal(e.n, 1);
	assert_code(err_code(&e, ""), "type");
	verrs_free(&e);
}

static void
test_object_string_length_in_chars(void **state)
{
	char body[1024], name[256];
	struct person p;
	struct verrs e;
	int i;

	(void)state;
	name[0] = '\0';
	for (i = 0; i < 50; i++)
		strcat(name, "张");
	snprintf(body, sizeof(body), "{\"name\":\"%s\"," WORKERS_OK "}", name);
	assert_int_equal(check(body, &p, &e), 0);
	assert_string_equal(p.name, name);
	verrs_free(&e);

	strcat(name, "张");
	snprintf(body, sizeof(body), "{\"name\":\"%s\"," WORKERS_OK "}", name);
	assert_int_equal(check(body, &p, &e), -1);
	assert_int_equal(e.n, 1);
	assert_code(err_code(&e, "name"), "too_long");
	assert_string_equal(err_msg(&e, "name"), "姓名最多 50 个字");
	assert_null(p.name);
	assert_int_equal(p.has, VBIT(F_WORKERS));
	verrs_free(&e);

	/* 50 emoji (200 bytes) are 50 characters. */
	name[0] = '\0';
	for (i = 0; i < 50; i++)
		strcat(name, "😀");
	snprintf(body, sizeof(body), "{\"name\":\"%s\"," WORKERS_OK "}", name);
	assert_int_equal(check(body, &p, &e), 0);
	verrs_free(&e);

	/* Blanks around the text do not count. */
	name[0] = '\0';
	for (i = 0; i < 50; i++)
		strcat(name, "张");
	snprintf(body, sizeof(body),
		 "{\"name\":\"\\u3000 %s \\u00a0\"," WORKERS_OK "}", name);
	assert_int_equal(check(body, &p, &e), 0);
	assert_string_equal(p.name, name);
	verrs_free(&e);
}

static void
test_object_string_min_and_check(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(
	    check("{\"name\":\"a\",\"code\":\"A\"," WORKERS_OK "}", &p, &e),
	    -1);
	assert_code(err_code(&e, "code"), "too_short");
	assert_string_equal(err_msg(&e, "code"), "代码至少 2 个字");
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"code\":\"ABCDE\"," WORKERS_OK "}", &p, &e),
	    -1);
	assert_code(err_code(&e, "code"), "too_long");
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"code\":\"Ab\"," WORKERS_OK "}", &p, &e),
	    -1);
	assert_code(err_code(&e, "code"), "format");
	assert_string_equal(err_msg(&e, "code"),
			    "代码格式不正确，请按提示填写");
	assert_null(p.code);
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"code\":\"ABCD\"," WORKERS_OK "}", &p, &e),
	    0);
	assert_string_equal(p.code, "ABCD");
	verrs_free(&e);
}

static void
test_object_int_bounds(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(
	    check("{\"name\":\"a\",\"age\":0," WORKERS_OK "}", &p, &e), 0);
	assert_int_equal(p.age, 0);
	assert_true((p.has & VBIT(F_AGE)) != 0);
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"age\":150," WORKERS_OK "}", &p, &e), 0);
	assert_int_equal(p.age, 150);
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"age\":-1," WORKERS_OK "}", &p, &e), -1);
	assert_code(err_code(&e, "age"), "out_of_range");
	assert_string_equal(err_msg(&e, "age"), "年龄应在 0 到 150 之间");
	assert_true((p.has & VBIT(F_AGE)) == 0);
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"age\":151," WORKERS_OK "}", &p, &e), -1);
	assert_code(err_code(&e, "age"), "out_of_range");
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"age\":9223372036854775807," WORKERS_OK "}",
		  &p, &e),
	    -1);
	assert_code(err_code(&e, "age"), "out_of_range");
	verrs_free(&e);
}

static void
test_object_number_bool(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(
	    check("{\"name\":\"a\",\"score\":100,\"flag\":false," WORKERS_OK
		  "}",
		  &p, &e),
	    0);
	assert_true(p.score == 100.0);
	assert_int_equal(p.flag, 0);
	assert_true((p.has & VBIT(F_FLAG)) != 0);
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"score\":100.5," WORKERS_OK "}", &p, &e),
	    -1);
	assert_code(err_code(&e, "score"), "out_of_range");
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"score\":-0.1," WORKERS_OK "}", &p, &e),
	    -1);
	assert_code(err_code(&e, "score"), "out_of_range");
	verrs_free(&e);
}

static void
test_object_money(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(
	    check("{\"name\":\"a\",\"amount\":1000," WORKERS_OK "}", &p, &e),
	    0);
	assert_int_equal(p.amount, 100000);
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"amount\":\"1\"," WORKERS_OK "}", &p, &e),
	    0);
	assert_int_equal(p.amount, 100);
	verrs_free(&e);
	/* The field's own bounds, in fen: 100..100000. */
	assert_int_equal(check("{\"name\":\"a\",\"amount\":\"0.99\"," WORKERS_OK
			       "}",
			       &p, &e),
			 -1);
	assert_code(err_code(&e, "amount"), "out_of_range");
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"amount\":1000.01," WORKERS_OK "}", &p, &e),
	    -1);
	assert_code(err_code(&e, "amount"), "out_of_range");
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"amount\":\"1.005\"," WORKERS_OK "}", &p,
		  &e),
	    -1);
	assert_code(err_code(&e, "amount"), "decimals");
	assert_string_equal(err_msg(&e, "amount"),
			    "金额最多两位小数（到分），例如 3500.50");
	assert_true((p.has & VBIT(F_AMOUNT)) == 0);
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"amount\":\"１\"," WORKERS_OK "}", &p, &e),
	    -1);
	assert_code(err_code(&e, "amount"), "format");
	verrs_free(&e);
}

static void
test_object_date_id_phone_credit(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(
	    check("{\"name\":\"a\",\"birth\":\"2021-02-29\","
		  "\"id_number\":\"11010519491231002Y\","
		  "\"phone\":\"12812345678\","
		  "\"credit_code\":\"91350100M000100Y44\"," WORKERS_OK "}",
		  &p, &e),
	    -1);
	assert_int_equal(e.n, 4);
	assert_code(err_code(&e, "birth"), "date");
	assert_code(err_code(&e, "id_number"), "format");
	assert_code(err_code(&e, "phone"), "format");
	assert_code(err_code(&e, "credit_code"), "checksum");
	assert_string_equal(err_msg(&e, "credit_code"),
			    "统一社会信用代码最后一位不对，请对照营业执照核对");
	assert_string_equal(
	    err_msg(&e, "id_number"),
	    "身份证号应为 18 位：前 17 位是数字，最后一位是数字或 X");
	assert_string_equal(err_msg(&e, "birth"),
			    "出生日期应为日期，写成 年-月-日，例如 2026-01-15");
	assert_int_equal(p.has, VBIT(F_NAME) | VBIT(F_WORKERS));
	verrs_free(&e);

	assert_int_equal(
	    check("{\"name\":\"a\","
		  "\"id_number\":\"110105194912310020\"," WORKERS_OK "}",
		  &p, &e),
	    -1);
	assert_code(err_code(&e, "id_number"), "checksum");
	assert_string_equal(err_msg(&e, "id_number"),
			    "身份证号最后一位不对，请核对（最后一位可能是 X）");
	verrs_free(&e);

	assert_int_equal(
	    check("{\"name\":\"a\","
		  "\"id_number\":\"110105202102290011\"," WORKERS_OK "}",
		  &p, &e),
	    -1);
	assert_code(err_code(&e, "id_number"), "birth_date");
	verrs_free(&e);
}

static void
test_object_enum(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(
	    check("{\"name\":\"a\",\"kind\":\"district\"," WORKERS_OK "}", &p,
		  &e),
	    0);
	assert_int_equal(p.kind, 0);
	assert_true((p.has & VBIT(F_KIND)) != 0);
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"kind\":\"town\"," WORKERS_OK "}", &p, &e),
	    0);
	assert_int_equal(p.kind, 1);
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"kind\":\"city\"," WORKERS_OK "}", &p, &e),
	    -1);
	assert_code(err_code(&e, "kind"), "enum");
	assert_string_equal(err_msg(&e, "kind"), "请从可选项中选择类型");
	assert_true((p.has & VBIT(F_KIND)) == 0);
	verrs_free(&e);
	/* Enum values are exact: no case folding. */
	assert_int_equal(
	    check("{\"name\":\"a\",\"kind\":\"Town\"," WORKERS_OK "}", &p, &e),
	    -1);
	assert_code(err_code(&e, "kind"), "enum");
	verrs_free(&e);
}

static void
test_object_enumset(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(
	    check("{\"name\":\"a\",\"tags\":[\"b\"]," WORKERS_OK "}", &p, &e),
	    0);
	assert_int_equal(p.tags, 0x2);
	assert_true((p.has & VBIT(F_TAGS)) != 0);
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"tags\":[\"a\",\"b\",\"a\"]," WORKERS_OK
		  "}",
		  &p, &e),
	    -1);
	assert_int_equal(e.n, 1);
	assert_code(err_code(&e, "tags"), "duplicate");
	assert_string_equal(err_msg(&e, "tags"), "标签有重复项");
	assert_true((p.has & VBIT(F_TAGS)) == 0);
	assert_int_equal(p.tags, 0);
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"tags\":[\"a\",\"x\"]," WORKERS_OK "}", &p,
		  &e),
	    -1);
	assert_int_equal(e.n, 1);
	assert_code(err_code(&e, "tags[1]"), "enum");
	assert_true((p.has & VBIT(F_TAGS)) == 0);
	verrs_free(&e);
	assert_int_equal(
	    check("{\"name\":\"a\",\"tags\":[1]," WORKERS_OK "}", &p, &e), -1);
	assert_int_equal(e.n, 1);
	assert_non_null(err_for(&e, "tags[0]"));
	verrs_free(&e);
	/* Optional, but when given it names a choice: [] is "required"
	 * (found by tests/fuzz/fuzz_fields: a PATCH stored an empty set of
	 * assistances, which API.md never allows). */
	assert_int_equal(
	    check("{\"name\":\"a\",\"tags\":[]," WORKERS_OK "}", &p, &e), -1);
	assert_int_equal(e.n, 1);
	assert_code(err_code(&e, "tags"), "required");
	assert_true((p.has & VBIT(F_TAGS)) == 0);
	verrs_free(&e);
}

struct needs_set {
	uint64_t has;
	uint32_t set;
};

static const struct vfield needs_set_fields[] = {
    {.name = "set",
     .label = "集合",
     .type = VT_ENUMSET,
     .flags = V_REQ,
     .off = offsetof(struct needs_set, set),
     .enums = tagnames},
};
static const struct vtable needs_set_table =
    VTABLE(needs_set_fields, struct needs_set);

static void
test_object_enumset_required_empty(void **state)
{
	struct needs_set s;
	struct verrs e;
	json_t *j;

	(void)state;
	j = parse("{\"set\":[]}");
	memset(&s, 0, sizeof(s));
	verrs_init(&e);
	assert_int_equal(valid_object(&A, j, &needs_set_table, &s, "", &e), -1);
	assert_int_equal(e.n, 1);
	assert_code(err_code(&e, "set"), "required");
	assert_int_equal(s.has, 0);
	json_decref(j);
	verrs_free(&e);

	j = parse("{\"set\":[\"c\",\"b\"]}");
	memset(&s, 0, sizeof(s));
	verrs_init(&e);
	assert_int_equal(valid_object(&A, j, &needs_set_table, &s, "", &e), 0);
	assert_int_equal(s.set, 0x6);
	assert_int_equal(s.has, VBIT(0));
	json_decref(j);
	verrs_free(&e);
}

static void
test_object_nested_paths_every_error(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(check("{\"name\":\"\",\"age\":200,\"addr\":{},"
			       "\"workers\":[{\"amount_owed\":\"1\"},"
			       "{\"name\":\"王五\",\"amount_owed\":\"-1\"},"
			       "{\"name\":\"赵六\",\"phone\":\"1381234567\","
			       "\"amount_owed\":\"1.001\"}]}",
			       &p, &e),
			 -1);
	assert_int_equal(e.n, 7);
	assert_int_equal(json_array_size(e.list), 7);
	assert_code(err_code(&e, "name"), "required");
	assert_code(err_code(&e, "age"), "out_of_range");
	assert_code(err_code(&e, "addr.city"), "required");
	assert_string_equal(err_msg(&e, "addr.city"), "请填写城市");
	assert_code(err_code(&e, "workers[0].name"), "required");
	assert_code(err_code(&e, "workers[1].amount_owed"), "out_of_range");
	assert_code(err_code(&e, "workers[2].phone"), "format");
	assert_string_equal(
	    err_msg(&e, "workers[2].phone"),
	    "手机号应为 11 位数字，以 1 开头，例如 13912345678");
	assert_code(err_code(&e, "workers[2].amount_owed"), "decimals");
	assert_int_equal(p.has, 0);
	/* The items are still laid out, with what was valid in them. */
	assert_int_equal(p.nworkers, 3);
	assert_string_equal(p.workers[1].name, "王五");
	assert_int_equal(p.workers[1].has, VBIT(0));
	assert_int_equal(p.workers[2].has, VBIT(0));
	verrs_free(&e);
}

static void
test_object_array_bounds(void **state)
{
	struct person p;
	struct verrs e;

	(void)state;
	assert_int_equal(check("{\"name\":\"a\",\"workers\":[]}", &p, &e), -1);
	assert_int_equal(e.n, 1);
	assert_code(err_code(&e, "workers"), "too_few");
	assert_string_equal(err_msg(&e, "workers"), "工人至少 1 项");
	verrs_free(&e);
	assert_int_equal(check("{\"name\":\"a\",\"workers\":[" WORKER_OK
			       "," WORKER_OK "," WORKER_OK "]}",
			       &p, &e),
			 0);
	assert_int_equal(p.nworkers, 3);
	verrs_free(&e);
	assert_int_equal(check("{\"name\":\"a\",\"workers\":[" WORKER_OK
			       "," WORKER_OK "," WORKER_OK "," WORKER_OK "]}",
			       &p, &e),
			 -1);
	assert_int_equal(e.n, 1);
	assert_code(err_code(&e, "workers"), "too_many");
	assert_string_equal(err_msg(&e, "workers"), "工人最多 3 项");
	assert_true((p.has & VBIT(F_WORKERS)) == 0);
	verrs_free(&e);
	/* An item that is not an object. */
	assert_int_equal(
	    check("{\"name\":\"a\",\"workers\":[" WORKER_OK ",\"x\"]}", &p, &e),
	    -1);
	assert_int_equal(e.n, 1);
	assert_code(err_code(&e, "workers[1]"), "type");
	verrs_free(&e);
}

static void
test_object_error_cap(void **state)
{
	char body[8192];
	struct person p;
	struct verrs e;
	size_t len;
	int i;

	(void)state;
	len = (size_t)snprintf(body, sizeof(body), "{\"name\":\"a\"");
	for (i = 0; i < 150; i++)
		len += (size_t)snprintf(body + len, sizeof(body) - len,
					",\"x%d\":1", i);
	snprintf(body + len, sizeof(body) - len, "," WORKERS_OK "}");
	assert_int_equal(check(body, &p, &e), -1);
	assert_int_equal(e.n, 150);
	assert_int_equal(json_array_size(e.list), VERRS_MAX);
	verrs_free(&e);
}

static void
test_object_prefix_path(void **state)
{
	struct addr a;
	struct verrs e;
	json_t *j = parse("{\"city\":5}");

	(void)state;
	memset(&a, 0, sizeof(a));
	verrs_init(&e);
	assert_int_equal(valid_object(&A, j, &addr_table, &a, "reporter", &e),
			 -1);
	assert_code(err_code(&e, "reporter.city"), "type");
	json_decref(j);
	verrs_free(&e);
}

#define T(f) cmocka_unit_test_setup_teardown(f, arena_setup, arena_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_idnum_known_valid),
	    T(test_idnum_computed_valid),
	    T(test_idnum_lowercase_x_stored_upper),
	    T(test_idnum_checksum),
	    T(test_idnum_format),
	    T(test_idnum_birth_date),
	    T(test_idnum_birth_today_not_tomorrow),
	    T(test_phone),
	    T(test_credit_known_valid),
	    T(test_credit_computed_valid),
	    T(test_credit_check_31_is_0),
	    T(test_credit_checksum),
	    T(test_credit_format),
	    T(test_credit_lowercase_uppercased),
	    T(test_date),
	    T(test_money_str_valid),
	    T(test_money_str_invalid),
	    T(test_money_json_valid),
	    T(test_money_json_invalid),
	    T(test_money_json_real_tolerance),
	    T(test_money_format),
	    T(test_money_wan),
	    T(test_utf8_chars),
	    T(test_valid_trim),
	    T(test_valid_narrow),
	    T(test_text_invisible),
	    T(test_valid_message),
	    T(test_verrs_cap),
	    T(test_object_all_valid),
	    T(test_object_only_required),
	    T(test_object_required),
	    T(test_object_unknown_field),
	    T(test_object_unknown_field_long_key),
	    T(test_object_types),
	    T(test_object_string_length_in_chars),
	    T(test_object_string_min_and_check),
	    T(test_object_int_bounds),
	    T(test_object_number_bool),
	    T(test_object_money),
	    T(test_object_date_id_phone_credit),
	    T(test_object_enum),
	    T(test_object_enumset),
	    T(test_object_enumset_required_empty),
	    T(test_object_nested_paths_every_error),
	    T(test_object_array_bounds),
	    T(test_object_error_cap),
	    T(test_object_prefix_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
