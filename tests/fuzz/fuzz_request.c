/*
 * Fuzz target: reading a request, up to where the database would be
 * needed.  FastCGI parameters into struct req (http_read), the path
 * against the API's real route table (route_match), 404 and 405 answered
 * by route_dispatch, the query-string readers (req_query, req_page,
 * query_period, query_enum, query_text, like_pattern), If-Match, the
 * session token of the Authorization header or sid cookie (auth_token),
 * the Idempotency-Key rule, the body (http_read_body: bounded, strict
 * JSON, one object), and writing the answer (http_write).
 *
 * Input: lines "NAME=value", the FastCGI parameters as nginx sends them
 * (at most 32; REQUEST_METHOD, REQUEST_URI, CONTENT_TYPE, CONTENT_LENGTH,
 * HTTP_COOKIE, ...), then an empty line, then the body.
 *
 * Oracles beyond the sanitizers: path and query split the URI exactly; a
 * route's {id} is a positive integer without leading zero; every refusal
 * is a problem document whose status is the one answered; a body that is
 * read is one JSON object that survives a round trip.
 */
#include <stdint.h>

#include "auth.h"
#include "fuzz.h"
#include "idem.h"
#include "query.h"
#include "route.h"

#define ENV_MAX 32

static const char *const statuses[] = {"received", "accepted", "closed", NULL};

/* Is the answer in r a problem document with its status? */
static void
check_problem(const struct req *r)
{
	json_t *j;

	FUZZ_CHECK(r->status >= 400 && r->status < 600);
	FUZZ_CHECK(r->out_type != NULL &&
		   strncmp(r->out_type, "application/problem+json", 24) == 0);
	j = json_loadb(r->out.p, r->out.len, 0, NULL);
	FUZZ_CHECK(j != NULL);
	FUZZ_CHECK(json_integer_value(json_object_get(j, "status")) ==
		   r->status);
	FUZZ_CHECK(json_is_string(json_object_get(j, "code")));
	json_decref(j);
}

/* The variable segments of path that matched pattern are well-formed. */
static void
check_params(const struct req *r, const char *pattern)
{
	size_t k = 0;
	const char *p;

	for (p = strchr(pattern, '{'); p != NULL; p = strchr(p + 1, '{')) {
		if (k >= r->nparams)
			break;
		if (strncmp(p, "{id}", 4) == 0) {
			FUZZ_CHECK(r->params[k][0] >= '1' &&
				   r->params[k][0] <= '9');
			FUZZ_CHECK(strlen(r->params[k]) <= 18);
			FUZZ_CHECK(req_id(r, k) > 0);
		} else {
			size_t n = strlen(r->params[k]);

			FUZZ_CHECK(n >= 1 && n <= 64);
			FUZZ_CHECK(strspn(r->params[k],
					  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "abcdefghijklmnopqrstuvwxyz_-") == n);
		}
		k++;
	}
}

static void
read_query(struct req *r)
{
	const char *from, *to, *q;
	struct verrs e;
	int limit;
	int64_t after;

	if (req_page(r, &limit, &after) == 0)
		FUZZ_CHECK(limit >= 1 && limit <= 200 && after >= 1);
	else
		check_problem(r);
	http_reset_response(r);
	verrs_init(&e);
	query_period(r, &from, &to, &e);
	if (from != NULL)
		FUZZ_CHECK(valid_date(from) == NULL);
	query_enum(r, "status", statuses, &e);
	q = query_text(r, "q", 50, &e);
	if (q != NULL) {
		FUZZ_CHECK(utf8_chars(q) <= 50);
		FUZZ_CHECK(strlen(like_pattern(&r->arena, q)) <=
			   2 * strlen(q) + 2);
	}
	req_query(r, "code");
	req_query(r, "reference");
	FUZZ_CHECK(json_array_size(e.list) == e.n);
	verrs_free(&e);
	if (req_if_match(r, 3) != 0)
		FUZZ_CHECK(r->status == 428 || r->status == 400 ||
			   r->status == 412);
	http_reset_response(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *p, *nl, *env[ENV_MAX + 1];
	const char *body = "", *tok;
	size_t nenv = 0, bodylen = 0, nroutes;
	const struct route *routes = route_table(&nroutes);
	struct fuzz_fcgi f;
	struct req r;
	char allow[64];
	int i, by_cookie;

	memcpy(copy, data, size);
	copy[size] = '\0';
	for (p = copy; p < copy + size; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(copy + size - p));
		if (nl == NULL)
			nl = copy + size;
		*nl = '\0';
		if (nl == p) {
			body = nl + 1 <= copy + size ? nl + 1 : "";
			bodylen = (size_t)(copy + size - body);
			break;
		}
		if (nenv < ENV_MAX)
			env[nenv++] = p;
	}
	env[nenv] = NULL;
	fuzz_fcgi_init(&f, env, body, bodylen);

	http_read(&r, &f.fr, NULL);
	FUZZ_CHECK(strncmp(r.uri, r.path, strlen(r.path)) == 0);
	FUZZ_CHECK(strlen(r.path) + (r.uri[strlen(r.path)] == '?'
					 ? 1 + strlen(r.query)
					 : 0) ==
		   strlen(r.uri));

	i = route_match(routes, nroutes, r.method, r.path, r.params, &r.nparams,
			&r.arena, allow, sizeof(allow));
	if (i < 0) {
		/* 404 and 405 need nothing else. */
		route_dispatch(&r);
		FUZZ_CHECK(r.status == (i == ROUTE_NOT_FOUND ? 404 : 405));
		check_problem(&r);
	} else {
		check_params(&r, routes[i].pattern);
		read_query(&r);
		tok = auth_token(&r, &by_cookie);
		FUZZ_CHECK(tok == NULL || !by_cookie ||
			   strstr(r.cookie, tok) != NULL);
		if (r.idem_key != NULL && idem_valid_key(r.idem_key))
			FUZZ_CHECK(strlen(r.idem_key) >= 1 &&
				   strlen(r.idem_key) <= 255);
		if (r.method != M_GET && r.method != M_HEAD) {
			if (http_read_body(&r) != 0) {
				FUZZ_CHECK(r.status == 400 || r.status == 413 ||
					   r.status == 415);
				check_problem(&r);
			} else if (r.json != NULL) {
				char *s = json_dumps(r.json, JSON_COMPACT);
				json_t *again = json_loads(s, 0, NULL);

				FUZZ_CHECK(json_is_object(r.json));
				FUZZ_CHECK(json_equal(r.json, again));
				json_decref(again);
				free(s);
			}
		}
		if (r.status == 0)
			http_json(&r, 200, json_object());
	}
	http_write(&r);
	http_done(&r);
	free(copy);
	return 0;
}
