/*
 * Fuzz target: the single parsers and formatters of what people type.
 * The first byte picks one, the rest is its input:
 *
 *   0 valid_idnum   resident ID number (GB 11643)
 *   1 valid_credit  unified social credit code (GB 32100)
 *   2 valid_money_str, money_format  "3500.50" to fen and back
 *   3 valid_money_json  a JSON number or string to fen
 *   4 valid_date    YYYY-MM-DD
 *   5 valid_phone   mainland mobile
 *   6 code_normalize  tracking, arrival and fair codes (codes.h)
 *   7 valid_text_bad  one-line and multi-line text
 *   8 valid_trim, utf8_chars
 *   9 money_format, money_wan  any 8 bytes as fen
 *  10 mask_idnum, mask_phone
 *
 * Oracles beyond the sanitizers: what a parser accepts, it accepts again
 * in its normal form (an ID number's x as X, a credit code upper-cased, a
 * code normalised), and that form keeps the rules of its standard; money
 * read back from money_format() is the same number of fen; anything
 * multi-line text refuses, one-line text refuses too; trimming twice is
 * trimming once; masking keeps the length and hides the middle.
 */
#include <stdint.h>
#include <strings.h>

#include "codes.h"
#include "fuzz.h"
#include "mask.h"
#include "valid.h"

static const char code_alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

static void
idnum(const char *s)
{
	char out[19], again[19];

	if (valid_idnum(s, out) != NULL)
		return;
	FUZZ_CHECK(strlen(out) == 18);
	FUZZ_CHECK(strspn(out, "0123456789") >= 17);
	FUZZ_CHECK(out[17] == 'X' || (out[17] >= '0' && out[17] <= '9'));
	FUZZ_CHECK(strncmp(out, s, 17) == 0);
	FUZZ_CHECK(valid_idnum(out, again) == NULL);
	FUZZ_CHECK(strcmp(out, again) == 0);
}

static void
credit(const char *s)
{
	char out[19], again[19];

	if (valid_credit(s, out) != NULL)
		return;
	FUZZ_CHECK(strlen(out) == 18);
	FUZZ_CHECK(strspn(out, "0123456789ABCDEFGHJKLMNPQRTUWXY") == 18);
	FUZZ_CHECK(strcasecmp(out, s) == 0);
	FUZZ_CHECK(valid_credit(out, again) == NULL);
	FUZZ_CHECK(strcmp(out, again) == 0);
}

static void
money(const char *s)
{
	int64_t fen = -1, back = -1;
	char text[32];

	if (valid_money_str(s, &fen) != NULL)
		return;
	FUZZ_CHECK(fen >= 0 && fen <= MONEY_MAX_FEN);
	money_format(fen, text);
	FUZZ_CHECK(valid_money_str(text, &back) == NULL);
	FUZZ_CHECK(back == fen);
}

static void
money_json(const char *s, size_t n)
{
	json_t *v = json_loadb(s, n, JSON_DECODE_ANY, NULL);
	int64_t fen = -1;

	if (v == NULL)
		return;
	if (valid_money_json(v, &fen) == NULL)
		FUZZ_CHECK(fen >= 0 && fen <= MONEY_MAX_FEN);
	json_decref(v);
}

static void
date(const char *s)
{
	if (valid_date(s) != NULL)
		return;
	FUZZ_CHECK(strlen(s) == 10 && s[4] == '-' && s[7] == '-');
	FUZZ_CHECK(strncmp(s, "1900", 4) >= 0 && strncmp(s, "2100", 4) <= 0);
}

static void
phone(const char *s)
{
	if (valid_phone(s) != NULL)
		return;
	FUZZ_CHECK(strlen(s) == 11 && strspn(s, "0123456789") == 11);
	FUZZ_CHECK(s[0] == '1' && s[1] >= '3');
}

static void
code(const char *s)
{
	char out[CODE_LEN + 1], again[CODE_LEN + 1];

	if (code_normalize(s, out) != 0) {
		FUZZ_CHECK(out[0] == '\0');
		return;
	}
	FUZZ_CHECK(strlen(out) == CODE_LEN);
	FUZZ_CHECK(strspn(out, code_alphabet) == CODE_LEN);
	FUZZ_CHECK(code_normalize(out, again) == 0);
	FUZZ_CHECK(strcmp(out, again) == 0);
}

static void
text(const char *s)
{
	/* Multi-line text allows more, never less. */
	if (valid_text_bad(s, 1))
		FUZZ_CHECK(valid_text_bad(s, 0));
	if (!valid_text_bad(s, 0))
		FUZZ_CHECK(strcspn(s, "\t\n\r\x7f") == strlen(s));
}

static void
trim(const char *s)
{
	struct arena a = {NULL};
	char *t = valid_trim(&a, s), *u = valid_trim(&a, t);

	FUZZ_CHECK(strlen(t) <= strlen(s));
	FUZZ_CHECK(strstr(s, t) != NULL);
	FUZZ_CHECK(strcmp(t, u) == 0);
	FUZZ_CHECK(utf8_chars(t) <= utf8_chars(s));
	arena_free(&a);
}

static void
format(const uint8_t *p, size_t n)
{
	char a[32], b[32];
	int64_t fen = 0;

	memcpy(&fen, p, n < sizeof(fen) ? n : sizeof(fen));
	money_format(fen, a);
	money_wan(fen, b);
	FUZZ_CHECK(strlen(a) >= 4 && a[strlen(a) - 3] == '.');
	FUZZ_CHECK(strlen(b) >= 4 && b[strlen(b) - 3] == '.');
}

static void
masks(const char *s)
{
	struct arena a = {NULL};
	char *i = mask_idnum(&a, s), *p = mask_phone(&a, s);
	size_t n = strlen(s), k;

	FUZZ_CHECK(strlen(i) == n && strlen(p) == n);
	for (k = 0; k < n; k++) {
		if (n <= 10 || (k >= 6 && k < n - 4))
			FUZZ_CHECK(i[k] == '*');
		if (n <= 7 || (k >= 3 && k < n - 4))
			FUZZ_CHECK(p[k] == '*');
	}
	arena_free(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size == 0)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 11) {
	case 0:
		idnum(s);
		break;
	case 1:
		credit(s);
		break;
	case 2:
		money(s);
		break;
	case 3:
		money_json(s, size - 1);
		break;
	case 4:
		date(s);
		break;
	case 5:
		phone(s);
		break;
	case 6:
		code(s);
		break;
	case 7:
		text(s);
		break;
	case 8:
		trim(s);
		break;
	case 9:
		format(data + 1, size - 1);
		break;
	case 10:
		masks(s);
		break;
	}
	free(s);
	return 0;
}
