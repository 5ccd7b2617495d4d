/*
 * Validation at the edge.  Each resource describes its request body as a
 * const table of fields; valid_object() walks a JSON object against such a
 * table once, fills a typed struct, and collects every error with its JSON
 * path.  Handlers never see raw request strings.
 *
 * A target struct must begin with "uint64_t has;": bit i is set when field i
 * of the table was present (and, for strings, not empty after trimming).
 */
#ifndef SWN_VALID_H
#define SWN_VALID_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "arena.h"

#define VBIT(i) ((uint64_t)1 << (i))

/* Largest money amount the contract allows, in fen: 100000000.00 yuan. */
#define MONEY_MAX_FEN 10000000000LL

/* More errors than this in one body say nothing more to a person. */
#define VERRS_MAX 100

enum vtype {
	VT_STRING,  /* char *, trimmed, length in characters */
	VT_INT,	    /* int64_t within [min, max] */
	VT_BOOL,    /* int, 0 or 1 */
	VT_MONEY,   /* int64_t fen from a string or number, 2 decimals */
	VT_DATE,    /* char[11] "YYYY-MM-DD", a real calendar date */
	VT_ENUM,    /* int, index into enums */
	VT_ENUMSET, /* uint32_t bit mask of enums, a non-empty JSON array */
	VT_IDNUM,   /* char[19] resident ID, "x" stored as "X" */
	VT_PHONE,   /* char[12] mainland mobile */
	VT_CREDIT,  /* char[19] unified social credit code */
	VT_NUMBER,  /* double within [min, max] (no fixed point needed) */
	VT_OBJECT,  /* nested struct at off, described by sub */
	VT_ARRAY,   /* array of sub structs: pointer at off, size_t count at
		       count_off; min..max items */
};

#define V_REQ 0x01 /* missing, null or empty is an error */
/* Multi-line text (description, note): newline and tab are allowed.  Every
 * other string is one line and refuses all control characters, the
 * bidirectional overrides (API.md v1.1 "Everywhere") and the characters
 * that show as nothing (valid_text_bad()): 400 "format". */
#define V_MULTI 0x02

struct vtable;

struct vfield {
	const char *name;  /* JSON key */
	const char *label; /* Chinese name used in messages */
	enum vtype type;
	unsigned flags;
	long long min; /* characters, value, fen or items, by type */
	long long max;
	size_t off;
	const char *const *enums; /* NULL-terminated, VT_ENUM(SET) */
	const struct vtable *sub; /* VT_OBJECT, VT_ARRAY */
	size_t count_off;	  /* VT_ARRAY */
	/* Extra rule for strings: returns an error code or NULL. */
	const char *(*check)(const char *);
};

struct vtable {
	const struct vfield *fields;
	size_t nfields;
	size_t size; /* sizeof the target struct, for arrays */
};

/*
 * Rows of a field table.  st is the target struct, member the field it
 * fills; a table indexed by an enum reads [C_NAME] = F(...).
 *
 *   F   a scalar (string, int, money, date, id number, phone, ...)
 *   FE  one of names (VT_ENUM) or FS a non-empty set of them (VT_ENUMSET)
 *   FO  a nested object described by table
 *   FA  an array of objects described by table, min..max items, its length
 *       in count
 */
#define F(st, name, label, type, flags, min, max, member)                      \
	{                                                                      \
		name, label, type, flags, min, max, offsetof(st, member),      \
		    NULL, NULL, 0, NULL                                        \
	}
#define FE(st, name, label, flags, member, names)                              \
	{                                                                      \
		name, label, VT_ENUM, flags, 0, 0, offsetof(st, member),       \
		    names, NULL, 0, NULL                                       \
	}
#define FS(st, name, label, flags, member, names)                              \
	{                                                                      \
		name, label, VT_ENUMSET, flags, 0, 0, offsetof(st, member),    \
		    names, NULL, 0, NULL                                       \
	}
#define FO(st, name, label, flags, member, table)                              \
	{                                                                      \
		name, label, VT_OBJECT, flags, 0, 0, offsetof(st, member),     \
		    NULL, table, 0, NULL                                       \
	}
#define FA(st, name, label, flags, min, max, member, table, count)             \
	{                                                                      \
		name, label, VT_ARRAY, flags, min, max, offsetof(st, member),  \
		    NULL, table, offsetof(st, count), NULL                     \
	}

#define VTABLE(f, type)                                                        \
	{                                                                      \
		(f), sizeof(f) / sizeof((f)[0]), sizeof(type)                  \
	}

/*
 * A request table by name.  Each resource lists the tables its handlers
 * validate bodies with in a NULL-terminated array (resources.h,
 * FIELD_TABLES), so that tests can walk every table the API reads: the
 * rules every table keeps (tests/unit/test_tables.c) and the fuzzer
 * (tests/fuzz/fuzz_fields.c).  The worker itself never reads the lists.
 */
struct vtable_ref {
	const char *name; /* "resource.use", e.g. "wage_cases.create" */
	const struct vtable *table;
};

/* Errors collected while validating: a JSON array of {field,code,message}. */
struct verrs {
	json_t *list; /* owned */
	size_t n;
};

void verrs_init(struct verrs *);
void verrs_free(struct verrs *);
void verrs_add(struct verrs *, const char *path, const char *code,
	       const char *message);

int valid_object(struct arena *, const json_t *, const struct vtable *,
		 void *out, const char *path, struct verrs *);

/* Single validators, usable on their own; each returns NULL or a code. */
const char *valid_idnum(const char *in, char out[19]);
const char *valid_phone(const char *in);
const char *valid_credit(const char *in, char out[19]);
const char *valid_date(const char *in);
/* The index of s in names (NULL-terminated), -1 when absent or s is NULL:
 * a stored enum column read back as its C enum. */
int valid_enum_index(const char *const *names, const char *s);
/* No record of the union's is dated before this: an earlier date is a
 * typo of the year. */
#define RECORDS_SINCE "2000-01-01"

/* Today in Asia/Shanghai, and a date (YYYY-MM-DD) moved by days. */
void valid_today(char out[11]);
void valid_date_add(const char *date, int days, char out[11]);
/* Now in Asia/Shanghai as "YYYY-MM-DD HH:MM:SS": how the database, in our
 * sessions' time zone, writes a DATETIME, so the two compare as strings. */
void valid_now(char out[20]);
const char *valid_money_str(const char *in, int64_t *fen);
const char *valid_money_json(const json_t *, int64_t *fen);

/* Full-width letters and digits as ASCII, spaces gone: what an ID
 * number, credit code or phone is read as before its parser sees it. */
char *valid_narrow(struct arena *, const char *);
int valid_text_bad(const char *, int multi);
size_t utf8_chars(const char *);
char *valid_trim(struct arena *, const char *);
const char *valid_message(const char *code);

void money_format(int64_t fen, char out[32]);
void money_wan(int64_t fen, char out[32]);

#endif
