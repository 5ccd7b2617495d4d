/*
 * Fuzz target: every request table of the API (resources.h FIELD_TABLES:
 * login, units, users, campaigns, wage cases, visits, safe returns) walked
 * by valid_object() over a JSON body, as http_body() does after the body
 * was read.
 *
 * Input: the table's name ("wage_cases.create") on the first line, then
 * the body.  A first line that names no table picks one by its first
 * byte, so mutations of the name still reach every table.
 *
 * Oracles beyond the sanitizers (the target struct is malloc'd at exactly
 * its size, so a field written past it is an overflow): valid_object()
 * fails exactly when it reported an error; every error names a field with
 * a known code and a message; and every field it marked present holds a
 * value its table allows -- text within its length, trimmed, and free of
 * the characters its kind of line refuses, numbers and money within range,
 * dates, ID numbers, phones and credit codes that validate again, enums
 * among their names -- at every depth.
 */
#include <stdint.h>

#include "fuzz.h"
#include "resources.h"
#include "valid.h"

static const struct vtable_ref *const lists[] = {FIELD_TABLES};

static const char *const codes[] = {
    "required", "type",		"unknown_field", "too_short",
    "too_long", "out_of_range", "enum",		 "format",
    "checksum", "birth_date",	"decimals",	 "date",
    "too_few",	"too_many",	"duplicate",	 NULL};

static size_t
count_names(const char *const *names)
{
	size_t k = 0;

	while (names[k] != NULL)
		k++;
	return k;
}

static int
is_blank_end(const char *s)
{
	size_t n = strlen(s);
	const unsigned char *u = (const unsigned char *)s;

	if (n == 0)
		return 0;
	if (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r') || u[n - 1] == ' ' ||
	    (u[n - 1] >= '\t' && u[n - 1] <= '\r'))
		return 1;
	return (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0) ||
	       (n >= 2 && u[n - 2] == 0xC2 && u[n - 1] == 0xA0) ||
	       (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0) ||
	       (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0);
}

/* Every field of t that out marks present holds an allowed value. */
static void
check_struct(const struct vtable *t, const void *out)
{
	uint64_t has = *(const uint64_t *)out;
	char buf[19];
	size_t i, k;

	for (i = 0; i < t->nfields; i++) {
		const struct vfield *f = &t->fields[i];
		const char *dst = (const char *)out + f->off;

		if (f->type == VT_OBJECT) {
			/* Filled in place even when it failed. */
			check_struct(f->sub, dst);
			continue;
		}
		if (f->type == VT_ARRAY) {
			const char *items = *(char *const *)dst;
			size_t n =
			    *(const size_t *)((const char *)out + f->count_off);

			if (items == NULL)
				continue;
			FUZZ_CHECK((long long)n >= f->min &&
				   (long long)n <= f->max);
			for (k = 0; k < n; k++)
				check_struct(f->sub, items + k * f->sub->size);
			continue;
		}
		if (!(has & VBIT(i)))
			continue;
		switch (f->type) {
		case VT_STRING: {
			const char *s = *(char *const *)dst;

			FUZZ_CHECK(s != NULL && *s != '\0');
			FUZZ_CHECK((long long)utf8_chars(s) >= f->min &&
				   (long long)utf8_chars(s) <= f->max);
			FUZZ_CHECK(!valid_text_bad(s, (f->flags & V_MULTI)));
			FUZZ_CHECK(!is_blank_end(s));
			break;
		}
		case VT_INT: {
			int64_t v = *(const int64_t *)dst;

			FUZZ_CHECK(v >= f->min && v <= f->max);
			break;
		}
		case VT_NUMBER: {
			double v = *(const double *)dst;

			FUZZ_CHECK(v >= (double)f->min && v <= (double)f->max);
			break;
		}
		case VT_BOOL:
			FUZZ_CHECK(*(const int *)dst == 0 ||
				   *(const int *)dst == 1);
			break;
		case VT_MONEY: {
			int64_t v = *(const int64_t *)dst;

			FUZZ_CHECK(v >= 0 && v >= f->min &&
				   v <= (f->max ? f->max : MONEY_MAX_FEN));
			break;
		}
		case VT_DATE:
			FUZZ_CHECK(valid_date(dst) == NULL);
			break;
		case VT_IDNUM:
			FUZZ_CHECK(valid_idnum(dst, buf) == NULL);
			FUZZ_CHECK(strcmp(buf, dst) == 0);
			break;
		case VT_PHONE:
			FUZZ_CHECK(valid_phone(dst) == NULL);
			break;
		case VT_CREDIT:
			FUZZ_CHECK(valid_credit(dst, buf) == NULL);
			FUZZ_CHECK(strcmp(buf, dst) == 0);
			break;
		case VT_ENUM: {
			int v = *(const int *)dst;

			FUZZ_CHECK(v >= 0 && (size_t)v < count_names(f->enums));
			break;
		}
		case VT_ENUMSET: {
			uint32_t m = *(const uint32_t *)dst;
			size_t n = count_names(f->enums);

			FUZZ_CHECK(m != 0);
			FUZZ_CHECK(n >= 32 || (m >> n) == 0);
			break;
		}
		default:
			break;
		}
	}
}

static void
check_errors(const struct verrs *e)
{
	json_t *err;
	size_t i, k;

	FUZZ_CHECK(json_array_size(e->list) ==
		   (e->n < VERRS_MAX ? e->n : VERRS_MAX));
	json_array_foreach(e->list, i, err)
	{
		const char *code =
		    json_string_value(json_object_get(err, "code"));
		const char *msg =
		    json_string_value(json_object_get(err, "message"));

		FUZZ_CHECK(json_is_string(json_object_get(err, "field")));
		FUZZ_CHECK(code != NULL && msg != NULL && *msg != '\0');
		for (k = 0; codes[k] != NULL; k++)
			if (strcmp(codes[k], code) == 0)
				break;
		FUZZ_CHECK(codes[k] != NULL);
	}
}

static const struct vtable *
pick(const uint8_t *data, size_t size, size_t *skip)
{
	const uint8_t *nl = memchr(data, '\n', size);
	const struct vtable_ref *r;
	size_t i, n = 0;

	*skip = 0;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (r = lists[i]; r->name != NULL; r++) {
			if (nl != NULL &&
			    strlen(r->name) == (size_t)(nl - data) &&
			    memcmp(r->name, data, (size_t)(nl - data)) == 0) {
				*skip = (size_t)(nl - data) + 1;
				return r->table;
			}
			n++;
		}
	n = size > 0 ? data[0] % n : 0;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (r = lists[i]; r->name != NULL; r++)
			if (n-- == 0)
				return r->table;
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t skip;
	const struct vtable *t = pick(data, size, &skip);
	struct arena a = {NULL};
	struct verrs e;
	json_t *body;
	void *out;
	int rc;

	body = json_loadb((const char *)data + skip, size - skip,
			  JSON_REJECT_DUPLICATES, NULL);
	if (body == NULL)
		return 0;
	out = calloc(1, t->size);
	verrs_init(&e);
	rc = valid_object(&a, body, t, out, "", &e);
	FUZZ_CHECK((rc == 0) == (e.n == 0));
	check_errors(&e);
	if (json_is_object(body))
		check_struct(t, out);
	verrs_free(&e);
	free(out);
	json_decref(body);
	arena_free(&a);
	return 0;
}
