/*
 * Unit tests for fcgi/route.c: matching paths against a table of our own
 * (404, 405 with Allow, {id} and {key} segments), method names, and the
 * 404/405 answers of the real route table through route_dispatch().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "route.h"

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

static int
h(struct req *r)
{
	(void)r;
	return 0;
}

static const struct route table[] = {
    {M_GET, "/api/v1/units", h, WHO_PUBLIC, 0},
    {M_POST, "/api/v1/units", h, WHO_ADMIN, 0},
    {M_GET, "/api/v1/units/{id}", h, WHO_PUBLIC, 0},
    {M_PATCH, "/api/v1/units/{id}", h, WHO_ADMIN, 0},
    {M_DELETE, "/api/v1/units/{id}", h, WHO_ADMIN, 0},
    {M_GET, "/api/v1/units/{id}/members/{id}", h, WHO_STAFF, 0},
    {M_PUT, "/api/v1/files/{key}", h, WHO_USER, 0},
    {M_GET, "/api/v1/health", h, WHO_PUBLIC, R_NODB},
    {M_GET, "/a/{id}/{id}/{id}/{id}/{id}", h, WHO_PUBLIC, 0},
    {M_PUT, "/api/v1/files/{id}", h, WHO_USER, 0},
};

#define NROUTES (sizeof(table) / sizeof(table[0]))

struct m {
	const char *params[REQ_PARAMS + 1];
	size_t nparams;
	char allow[64];
};

static int
rm(struct m *m, enum method meth, const char *path)
{
	memset(m, 0, sizeof(*m));
	m->nparams = 99;
	strcpy(m->allow, "junk");
	return route_match(table, NROUTES, meth, path, m->params, &m->nparams,
			   &A, m->allow, sizeof(m->allow));
}

static void
test_route_exact(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(rm(&m, M_GET, "/api/v1/units"), 0);
	/* HEAD is answered by the GET route (API.md v1.1). */
	assert_int_equal(rm(&m, M_HEAD, "/api/v1/units"), 0);
	assert_int_equal(m.nparams, 0);
	assert_int_equal(rm(&m, M_POST, "/api/v1/units"), 1);
	assert_int_equal(m.nparams, 0);
	assert_int_equal(rm(&m, M_GET, "/api/v1/health"), 7);
}

static void
test_route_id_param(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(rm(&m, M_GET, "/api/v1/units/42"), 2);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.params[0], "42");
	assert_int_equal(rm(&m, M_PATCH, "/api/v1/units/1"), 3);
	assert_string_equal(m.params[0], "1");
	assert_int_equal(rm(&m, M_DELETE, "/api/v1/units/1000000"), 4);
	assert_string_equal(m.params[0], "1000000");
	/* 18 digits always fit an int64_t; 19 may not. */
	assert_int_equal(rm(&m, M_GET, "/api/v1/units/999999999999999999"), 2);
	assert_string_equal(m.params[0], "999999999999999999");
	assert_int_equal(rm(&m, M_GET, "/api/v1/units/9223372036854775807"),
			 ROUTE_NOT_FOUND);
}

static void
test_route_two_params(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(rm(&m, M_GET, "/api/v1/units/7/members/123"), 5);
	assert_int_equal(m.nparams, 2);
	assert_string_equal(m.params[0], "7");
	assert_string_equal(m.params[1], "123");
	assert_int_equal(rm(&m, M_GET, "/api/v1/units/7/members/0"),
			 ROUTE_NOT_FOUND);
	assert_int_equal(rm(&m, M_GET, "/api/v1/units/7/members"),
			 ROUTE_NOT_FOUND);
}

static void
test_route_id_rejects(void **state)
{
	static const char *const bad[] = {
	    "/api/v1/units/0",	 "/api/v1/units/00",  "/api/v1/units/01",
	    "/api/v1/units/abc", "/api/v1/units/1a",  "/api/v1/units/-1",
	    "/api/v1/units/+1",	 "/api/v1/units/1.0", "/api/v1/units/1e3",
	    "/api/v1/units/%31", "/api/v1/units/4 2", "/api/v1/units/ 42",
	};
	struct m m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rm(&m, M_GET, bad[i]), ROUTE_NOT_FOUND);
		assert_string_equal(m.allow, "");
	}
}

static void
test_route_not_found(void **state)
{
	static const char *const bad[] = {
	    "",
	    "/",
	    "/api",
	    "/api/v1",
	    "/api/v1/",
	    "/api/v1/unit",
	    "/api/v1/unitsx",
	    "/api/v1/Units",
	    "/api/v1/units/",
	    "/api/v1/units/42/",
	    "/api/v1/units//42",
	    "//api/v1/units",
	    "/api/v1//units",
	    "api/v1/units",
	    "/api/v1/units?limit=5",
	    "/api/v1/units/42/members",
	    "/api/v1/health/",
	    "/api/v2/units",
	};
	struct m m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rm(&m, M_GET, bad[i]), ROUTE_NOT_FOUND);
		assert_string_equal(m.allow, "");
		assert_int_equal(rm(&m, M_DELETE, bad[i]), ROUTE_NOT_FOUND);
	}
}

static void
test_route_key_param(void **state)
{
	char path[128];
	struct m m;

	(void)state;
	assert_int_equal(rm(&m, M_PUT, "/api/v1/files/a-B_9"), 6);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.params[0], "a-B_9");
	assert_int_equal(rm(&m, M_PUT, "/api/v1/files/0"), 6);
	assert_string_equal(m.params[0], "0");
	assert_int_equal(rm(&m, M_PUT, "/api/v1/files/a.b"), ROUTE_NOT_FOUND);
	assert_int_equal(rm(&m, M_PUT, "/api/v1/files/a%20b"), ROUTE_NOT_FOUND);
	assert_int_equal(rm(&m, M_PUT, "/api/v1/files/"), ROUTE_NOT_FOUND);
	assert_int_equal(rm(&m, M_PUT, "/api/v1/files/张三"), ROUTE_NOT_FOUND);
	strcpy(path, "/api/v1/files/");
	memset(path + strlen(path), 'k', 64);
	path[strlen("/api/v1/files/") + 64] = '\0';
	assert_int_equal(rm(&m, M_PUT, path), 6);
	assert_int_equal(strlen(m.params[0]), 64);
	strcat(path, "k");
	assert_int_equal(rm(&m, M_PUT, path), ROUTE_NOT_FOUND);
}

static void
test_route_bad_method_allow(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(rm(&m, M_DELETE, "/api/v1/units"), ROUTE_BAD_METHOD);
	assert_string_equal(m.allow, "GET, HEAD, POST");
	assert_int_equal(rm(&m, M_PUT, "/api/v1/units/5"), ROUTE_BAD_METHOD);
	assert_string_equal(m.allow, "GET, HEAD, PATCH, DELETE");
	assert_int_equal(rm(&m, M_POST, "/api/v1/units/5"), ROUTE_BAD_METHOD);
	assert_string_equal(m.allow, "GET, HEAD, PATCH, DELETE");
	assert_int_equal(rm(&m, M_POST, "/api/v1/health"), ROUTE_BAD_METHOD);
	assert_string_equal(m.allow, "GET, HEAD");
	assert_int_equal(rm(&m, M_GET, "/api/v1/files/x"), ROUTE_BAD_METHOD);
	assert_string_equal(m.allow, "PUT");
	assert_int_equal(rm(&m, M_OTHER, "/api/v1/units"), ROUTE_BAD_METHOD);
	assert_string_equal(m.allow, "GET, HEAD, POST");
}

static void
test_route_first_match_and_allow_once(void **state)
{
	struct m m;

	(void)state;
	/* "/api/v1/files/5" fits both {key} and {id}: the first one wins. */
	assert_int_equal(rm(&m, M_PUT, "/api/v1/files/5"), 6);
	assert_string_equal(m.params[0], "5");
	/* Two PUT routes match: PUT is listed once. */
	assert_int_equal(rm(&m, M_DELETE, "/api/v1/files/5"), ROUTE_BAD_METHOD);
	assert_string_equal(m.allow, "PUT");
}

static void
test_route_allow_truncated(void **state)
{
	char allow[12];
	size_t n = 0;
	const char *params[REQ_PARAMS];

	(void)state;
	memset(allow, '#', sizeof(allow));
	/* Only 7 bytes offered: "GET, HEAD, PATCH, ..." must not overflow. */
	assert_int_equal(route_match(table, NROUTES, M_PUT, "/api/v1/units/5",
				     params, &n, &A, allow, 7),
			 ROUTE_BAD_METHOD);
	assert_int_equal(strlen(allow), 6);
	assert_memory_equal(allow, "GET, H", 7);
	assert_int_equal(allow[7], '#');
	assert_int_equal(allow[11], '#');
}

/*
 * A route with more variable segments than struct req holds: the count
 * handed back must not exceed REQ_PARAMS, since req_id() trusts it as the
 * length of r->params.
 */
static void
test_route_params_capped(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(rm(&m, M_GET, "/a/1/2/3/4/5"), 8);
	assert_string_equal(m.params[0], "1");
	assert_string_equal(m.params[3], "4");
	assert_null(m.params[REQ_PARAMS]);
	assert_true(m.nparams <= REQ_PARAMS);
}

static void
test_method_parse(void **state)
{
	(void)state;
	assert_int_equal(method_parse("GET"), M_GET);
	assert_int_equal(method_parse("POST"), M_POST);
	assert_int_equal(method_parse("PATCH"), M_PATCH);
	assert_int_equal(method_parse("PUT"), M_PUT);
	assert_int_equal(method_parse("DELETE"), M_DELETE);
	assert_int_equal(method_parse("get"), M_OTHER);
	assert_int_equal(method_parse("Post"), M_OTHER);
	assert_int_equal(method_parse("HEAD"), M_HEAD);
	assert_int_equal(method_parse("head"), M_OTHER);
	assert_int_equal(method_parse("OPTIONS"), M_OTHER);
	assert_int_equal(method_parse("GETX"), M_OTHER);
	assert_int_equal(method_parse("GE"), M_OTHER);
	assert_int_equal(method_parse(""), M_OTHER);
}

static void
test_method_name(void **state)
{
	(void)state;
	assert_string_equal(method_name(M_GET), "GET");
	assert_string_equal(method_name(M_POST), "POST");
	assert_string_equal(method_name(M_PATCH), "PATCH");
	assert_string_equal(method_name(M_PUT), "PUT");
	assert_string_equal(method_name(M_DELETE), "DELETE");
	assert_string_equal(method_name(M_HEAD), "HEAD");
	assert_string_equal(method_name(M_OTHER), "?");
}

/* The real table, through the core: 404 and 405 need no database. */
static json_t *
dispatch(struct req *r, enum method m, const char *path)
{
	json_error_t err;
	json_t *body;

	memset(r, 0, sizeof(*r));
	r->method = m;
	r->uri = r->path = path;
	r->query = "";
	route_dispatch(r);
	assert_non_null(r->out.p);
	body = json_loadb(r->out.p, r->out.len, 0, &err);
	assert_non_null(body);
	return body;
}

static void
test_dispatch_not_found(void **state)
{
	struct req r;
	json_t *body;

	(void)state;
	body = dispatch(&r, M_GET, "/api/v1/no-such-thing");
	assert_int_equal(r.status, 404);
	assert_string_equal(r.out_type,
			    "application/problem+json; charset=utf-8");
	assert_string_equal(json_string_value(json_object_get(body, "code")),
			    "not_found");
	assert_int_equal(json_integer_value(json_object_get(body, "status")),
			 404);
	assert_int_equal(r.headers.len, 0);
	json_decref(body);
	http_done(&r);

	body = dispatch(&r, M_GET, "/api/v1/health/");
	assert_int_equal(r.status, 404);
	json_decref(body);
	http_done(&r);

	body = dispatch(&r, M_GET, "/api/v1/users/0");
	assert_int_equal(r.status, 404);
	json_decref(body);
	http_done(&r);
}

static void
test_dispatch_bad_method(void **state)
{
	struct req r;
	json_t *body;

	(void)state;
	body = dispatch(&r, M_POST, "/api/v1/health");
	assert_int_equal(r.status, 405);
	assert_string_equal(r.out_type,
			    "application/problem+json; charset=utf-8");
	assert_string_equal(r.headers.p, "Allow: GET, HEAD\r\n");
	assert_string_equal(json_string_value(json_object_get(body, "code")),
			    "method_not_allowed");
	assert_int_equal(json_integer_value(json_object_get(body, "status")),
			 405);
	json_decref(body);
	http_done(&r);

	body = dispatch(&r, M_DELETE, "/api/v1/units");
	assert_int_equal(r.status, 405);
	assert_string_equal(r.headers.p, "Allow: GET, HEAD, POST\r\n");
	json_decref(body);
	http_done(&r);

	body = dispatch(&r, M_OTHER, "/api/v1/me");
	assert_int_equal(r.status, 405);
	assert_string_equal(r.headers.p, "Allow: GET, HEAD\r\n");
	json_decref(body);
	http_done(&r);
}

#define T(f) cmocka_unit_test_setup_teardown(f, arena_setup, arena_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_route_exact),
	    T(test_route_id_param),
	    T(test_route_two_params),
	    T(test_route_id_rejects),
	    T(test_route_not_found),
	    T(test_route_key_param),
	    T(test_route_bad_method_allow),
	    T(test_route_first_match_and_allow_once),
	    T(test_route_allow_truncated),
	    T(test_route_params_capped),
	    T(test_method_parse),
	    T(test_method_name),
	    T(test_dispatch_not_found),
	    T(test_dispatch_bad_method),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
