/*
 * Unit tests over every request table of the API (resources.h
 * FIELD_TABLES): the rules each table must keep, and the text rule of
 * API.md v1.1 "Everywhere" walked field by field.
 *
 *   - multi-line text (V_MULTI) is exactly the fields named in multi[]
 *     (description, note) and those of an object of notes (a "notes"
 *     field holding one note per row of a table): every other string is
 *     one line;
 *   - every string has a maximum length and every number a range, so no
 *     value a client sends can overflow a column (the security review's
 *     "constraint error reached a client as 500");
 *   - a table fits its presence bits (64 fields), an enum set its mask (32
 *     names), nested tables and arrays are described.
 *
 * Then, for every string field at every depth, a body holding just that
 * field (inside the objects and arrays that lead to it): a control
 * character, a bidirectional override or a character that shows as
 * nothing is refused with "format" at the field's JSON path; newline and
 * tab pass a multi-line field only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "resources.h"
#include "valid.h"

static const struct vtable_ref *const lists[] = {FIELD_TABLES};
#define NLISTS (sizeof(lists) / sizeof(lists[0]))

/* The names of multi-line text fields (docs/conventions.md "Text"), and
 * of objects whose every field is one. */
static const char *const multi[] = {"description", "note", NULL};
static const char *const multi_objects[] = {"notes", NULL};

static int
listed(const char *const *names, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* Is the field called name, inside the object called parent (NULL at the
 * top), one that holds several lines? */
static int
is_multi_name(const char *parent, const char *name)
{
	return listed(multi, name) || listed(multi_objects, parent);
}

/* Calls fn on every field of t and of the tables below it; path is the
 * field's JSON path with "[0]" for array items, parent the name of the
 * object or array holding it (NULL at the top). */
typedef void (*field_fn)(const char *table, const char *path,
			 const char *parent, const struct vfield *, void *);

static void
walk(const char *table, const struct vtable *t, const char *prefix,
     const char *parent, field_fn fn, void *data)
{
	char path[256];
	size_t i;

	assert_non_null(t);
	for (i = 0; i < t->nfields; i++) {
		const struct vfield *f = &t->fields[i];

		snprintf(path, sizeof(path), "%s%s%s", prefix,
			 *prefix ? "." : "", f->name);
		fn(table, path, parent, f, data);
		if (f->type == VT_OBJECT)
			walk(table, f->sub, path, f->name, fn, data);
		else if (f->type == VT_ARRAY) {
			char item[300];

			snprintf(item, sizeof(item), "%s[0]", path);
			walk(table, f->sub, item, f->name, fn, data);
		}
	}
}

static void
each_field(field_fn fn, void *data)
{
	const struct vtable_ref *r;
	size_t i;

	for (i = 0; i < NLISTS; i++)
		for (r = lists[i]; r->name != NULL; r++)
			walk(r->name, r->table, "", NULL, fn, data);
}

/* ---- the rules every table keeps ---- */

static void
check_rules(const char *table, const char *path, const char *parent,
	    const struct vfield *f, void *data)
{
	size_t *n = data, k;

	(*n)++;
	/* Keys are snake_case, or a row's code of the official table. */
	if (f->name == NULL || *f->name == '\0' ||
	    strspn(f->name,
		   "abcdefghijklmnopqrstuvwxyz_"
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(f->name))
		fail_msg("%s %s: a field name of [A-Za-z0-9_]", table, path);
	if (f->label == NULL || *f->label == '\0')
		fail_msg("%s %s: no label for messages", table, path);
	if ((f->flags & V_MULTI) && f->type != VT_STRING)
		fail_msg("%s %s: V_MULTI on a field that is not text", table,
			 path);
	if (f->type == VT_STRING &&
	    !!(f->flags & V_MULTI) != is_multi_name(parent, f->name))
		fail_msg("%s %s: %s", table, path,
			 is_multi_name(parent, f->name)
			     ? "multi-line text without V_MULTI"
			     : "V_MULTI on a one-line field");
	switch (f->type) {
	case VT_STRING:
		if (f->max <= 0 || f->min < 0 || f->min > f->max)
			fail_msg("%s %s: a string needs 0 <= min <= max, max > "
				 "0 (min %lld, max %lld)",
				 table, path, f->min, f->max);
		break;
	case VT_INT:
	case VT_NUMBER:
		if (f->min > f->max)
			fail_msg("%s %s: empty range", table, path);
		break;
	case VT_MONEY:
		if (f->min < 0 || f->max < 0 || f->max > MONEY_MAX_FEN ||
		    (f->max != 0 && f->min > f->max))
			fail_msg("%s %s: money range outside 0..MONEY_MAX_FEN",
				 table, path);
		break;
	case VT_ENUM:
	case VT_ENUMSET:
		if (f->enums == NULL || f->enums[0] == NULL)
			fail_msg("%s %s: an enum without names", table, path);
		for (k = 0; f->enums[k] != NULL; k++)
			;
		if (f->type == VT_ENUMSET && k > 32)
			fail_msg("%s %s: %zu names do not fit a uint32_t mask",
				 table, path, k);
		break;
	case VT_OBJECT:
		if (f->sub == NULL)
			fail_msg("%s %s: an object without its table", table,
				 path);
		break;
	case VT_ARRAY:
		if (f->sub == NULL || f->sub->size == 0 || f->min < 0 ||
		    f->max <= 0 || f->min > f->max)
			fail_msg("%s %s: an array needs its table and 0 <= min "
				 "<= max, max > 0",
				 table, path);
		break;
	default:
		break;
	}
}

static void
check_table(const char *name, const struct vtable *t)
{
	size_t i, j;

	if (t->nfields == 0 || t->nfields > 64)
		fail_msg("%s: %zu fields (1 to 64: one presence bit each)",
			 name, t->nfields);
	for (i = 0; i < t->nfields; i++)
		for (j = i + 1; j < t->nfields; j++)
			if (strcmp(t->fields[i].name, t->fields[j].name) == 0)
				fail_msg("%s: field %s twice", name,
					 t->fields[i].name);
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].sub != NULL)
			check_table(name, t->fields[i].sub);
}

static void
test_rules(void **state)
{
	const struct vtable_ref *r, *s;
	size_t i, k, fields = 0, tables = 0;

	(void)state;
	for (i = 0; i < NLISTS; i++)
		for (r = lists[i]; r->name != NULL; r++) {
			tables++;
			check_table(r->name, r->table);
			/* Names are unique across the lists. */
			for (k = 0; k < NLISTS; k++)
				for (s = lists[k]; s->name != NULL; s++)
					if (s != r &&
					    strcmp(s->name, r->name) == 0)
						fail_msg("table %s twice",
							 r->name);
		}
	each_field(check_rules, &fields);
	/* Every resource's tables are listed (login, units, users,
	 * campaigns, wage cases, visits, safe returns). */
	assert_true(tables >= 17);
	assert_true(fields >= 100);
}

/* ---- hostile text, field by field ---- */

/*
 * A body holding value at path: {"a":{"b":[{"c":value}]}} for "a.b[0].c".
 * The path's segments are the walker's, so "[0]" always follows a name.
 */
static json_t *
body_at(const char *path, json_t *value)
{
	char head[256];
	const char *dot = strchr(path, '.');
	size_t n = dot ? (size_t)(dot - path) : strlen(path);
	int item = 0;
	json_t *inner, *o = json_object();

	assert_true(n < sizeof(head));
	memcpy(head, path, n);
	head[n] = '\0';
	if (n > 3 && strcmp(head + n - 3, "[0]") == 0) {
		head[n - 3] = '\0';
		item = 1;
	}
	inner = dot ? body_at(dot + 1, value) : value;
	if (item)
		json_object_set_new(o, head, json_pack("[o]", inner));
	else
		json_object_set_new(o, head, inner);
	return o;
}

/* The top-level table of a list entry by its name. */
static const struct vtable *
table_named(const char *name)
{
	const struct vtable_ref *r;
	size_t i;

	for (i = 0; i < NLISTS; i++)
		for (r = lists[i]; r->name != NULL; r++)
			if (strcmp(r->name, name) == 0)
				return r->table;
	fail_msg("no table %s", name);
	return NULL;
}

/*
 * The code of the error at path after validating {path: s}, or NULL.  s is
 * padded in front to the field's least length, so that what is judged is
 * its characters, not its length.
 */
static const char *
code_at(const char *table, const char *path, const struct vfield *f,
	const char *s)
{
	static char code[32];
	struct arena a;
	struct verrs e;
	char out[4096], text[256];
	json_t *body, *err;
	const char *found = NULL;
	size_t i;

	assert_true(f->min < 200);
	memset(text, 'a', (size_t)f->min);
	snprintf(text + f->min, sizeof(text) - (size_t)f->min, "%s", s);
	body = body_at(path, json_string(text));
	memset(&a, 0, sizeof(a));
	verrs_init(&e);
	assert_true(table_named(table)->size <= sizeof(out));
	memset(out, 0, sizeof(out));
	valid_object(&a, body, table_named(table), out, "", &e);
	json_array_foreach(e.list, i, err)
	{
		if (strcmp(json_string_value(json_object_get(err, "field")),
			   path) == 0) {
			snprintf(
			    code, sizeof(code), "%s",
			    json_string_value(json_object_get(err, "code")));
			found = code;
		}
	}
	verrs_free(&e);
	json_decref(body);
	arena_free(&a);
	return found;
}

/* Characters no one-line field takes (docs/conventions.md "Text"). */
static const char *const one_line_bad[] = {
    "a\x01z",
    "a\tz",
    "a\nz",
    "a\rz",
    "a\x1bz",
    "a\x7fz",
    "a\xc2\x85z",
    "a\xc2\x9fz",
    "a\xe2\x80\xaaz",
    "a\xe2\x80\xaez",
    "a\xe2\x81\xa6z",
    "a\xe2\x81\xa9z",
    /* What shows as nothing: U+00AD, U+061C, U+180E, U+200B, U+200F,
     * U+2060, U+2064, U+FEFF. */
    "a\xc2\xadz",
    "a\xd8\x9cz",
    "a\xe1\xa0\x8ez",
    "a\xe2\x80\x8bz",
    "a\xe2\x80\x8fz",
    "a\xe2\x81\xa0z",
    "a\xe2\x81\xa4z",
    "a\xef\xbb\xbfz",
};
/* Of those, what a multi-line field takes: newline, tab, CRLF. */
static const char *const multi_ok[] = {"a\nz", "a\tz", "a\r\nz", "a\n\n\tz"};
static const char *const multi_bad[] = {
    "a\rz",	      "a\x01z",		"a\x7fz",    "a\xe2\x80\xaez",
    "a\xe2\x81\xa7z", "a\xe2\x80\x8bz", "a\xc2\xadz"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
check_text(const char *table, const char *path, const char *parent,
	   const struct vfield *f, void *data)
{
	const char *code;
	size_t i, *n = data;

	(void)parent;
	/* A string with a rule of its own (a username, a unit code) refuses
	 * these characters by that rule too: "format" either way. */
	if (f->type != VT_STRING)
		return;
	(*n)++;
	for (i = 0; i < N(one_line_bad) && !(f->flags & V_MULTI); i++) {
		code = code_at(table, path, f, one_line_bad[i]);
		if (code == NULL || strcmp(code, "format") != 0)
			fail_msg("%s %s: one-line text #%zu got %s, not format",
				 table, path, i, code ? code : "no error");
	}
	for (i = 0; i < N(multi_bad) && (f->flags & V_MULTI); i++) {
		code = code_at(table, path, f, multi_bad[i]);
		if (code == NULL || strcmp(code, "format") != 0)
			fail_msg("%s %s: multi-line text #%zu got %s, not "
				 "format",
				 table, path, i, code ? code : "no error");
	}
	for (i = 0; i < N(multi_ok) && (f->flags & V_MULTI); i++) {
		code = code_at(table, path, f, multi_ok[i]);
		if (code != NULL)
			fail_msg("%s %s: multi-line text #%zu refused: %s",
				 table, path, i, code);
	}
}

static void
test_text(void **state)
{
	size_t n = 0;

	(void)state;
	each_field(check_text, &n);
	assert_true(n >= 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules),
	    cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
