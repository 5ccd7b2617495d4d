/*
 * Filters of list endpoints, read from the query string.  Each reader adds
 * a field error naming the parameter to e (so one answer lists every bad
 * parameter) and returns NULL/0 when the parameter is absent or bad.
 */
#ifndef SWN_QUERY_H
#define SWN_QUERY_H

#include <stdint.h>

#include "http.h"

/* One of names, or NULL; "enum" error otherwise. */
const char *query_enum(struct req *, const char *name, const char *const *names,
		       struct verrs *);
/* A date YYYY-MM-DD, or NULL; "date" error otherwise. */
const char *query_date(struct req *, const char *name, struct verrs *);
/* from/to, both optional; "out_of_range" on "to" when to < from. */
void query_period(struct req *, const char **from, const char **to,
		  struct verrs *);
/*
 * A positive id (at most 18 digits): the id, 0 when absent or empty, -1
 * after adding a "type" error saying message.
 */
int64_t query_id(struct req *, const char *name, const char *message,
		 struct verrs *);
/*
 * unit_id (or another name): a unit's materialised path "/1/3/", or NULL
 * when absent.  "type" for a non-number, "unknown" when no such unit.
 * Returns HANDLER_DB after a failed query, 0 otherwise.
 */
int query_unit(struct req *, const char *name, char **path, struct verrs *);
/* Free text of at most max characters, or NULL when absent or empty. */
const char *query_text(struct req *, const char *name, size_t max,
		       struct verrs *);

/* "%q%" for LIKE, with LIKE's wildcards in q escaped. */
char *like_pattern(struct arena *, const char *q);

/* The subtree a signed-in caller works in: "/" for admins. */
const char *scope_path(const struct req *);

/* The materialised path of a unit: 1 found, 0 none, HANDLER_DB. */
int unit_path(struct req *, int64_t unit_id, char **path);

#endif
