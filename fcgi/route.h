/*
 * The route table: every endpoint of the API in one place, with the role
 * needed to call it.  404 and 405 are decided here and nowhere else.
 */
#ifndef SWN_ROUTE_H
#define SWN_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

enum who {
	WHO_PUBLIC,    /* anyone; a signed-in caller is still recognised */
	WHO_USER,      /* any signed-in user */
	WHO_VOLUNTEER, /* volunteer, staff, admin */
	WHO_STAFF,     /* staff, admin */
	WHO_ADMIN,
};

#define R_NODB 0x01 /* the handler talks to the database itself */
/* Never store the answer under an Idempotency-Key: it holds a secret
 * (a login's session token) that must not sit in the database in clear.
 * Repeating such a request is harmless anyway. */
#define R_NOIDEM 0x02

struct route {
	enum method method;
	const char *pattern; /* segments; "{id}" is a positive integer,
				"{key}" any segment of [A-Za-z0-9_-] */
	int (*handler)(struct req *);
	enum who who;
	unsigned flags;
};

#define ROUTE_NOT_FOUND (-1)
#define ROUTE_BAD_METHOD (-2)

int route_match(const struct route *, size_t, enum method, const char *path,
		const char **params, size_t *nparams, struct arena *,
		char *allow, size_t allowsz);
/* The API's route table (the one route_dispatch() serves), *n rows; for
 * tests that match paths against the real routes (tests/fuzz/). */
const struct route *route_table(size_t *n);
const char *method_name(enum method);
enum method method_parse(const char *);
void route_dispatch(struct req *);

#endif
