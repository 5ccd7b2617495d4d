/*
 * Unit tests for fcgi/http.c: strict JSON parsing, problem documents,
 * If-Match, paging, query strings, and reading and writing requests over
 * in-memory FastCGI streams.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "http.h"

/* The flags http_read_body() parses request bodies with. */
#define BODY_FLAGS JSON_REJECT_DUPLICATES

static struct req R;

static int
req_setup(void **state)
{
	(void)state;
	memset(&R, 0, sizeof(R));
	R.query = "";
	return 0;
}

static int
req_teardown(void **state)
{
	(void)state;
	http_done(&R);
	return 0;
}

/* The response body of R, parsed. */
static json_t *
out_json(void)
{
	json_error_t err;
	json_t *j;

	assert_non_null(R.out.p);
	j = json_loadb(R.out.p, R.out.len, BODY_FLAGS, &err);
	if (j == NULL)
		fail_msg("response is not JSON: %s: %s", err.text, R.out.p);
	return j;
}

static const char *
str_at(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "(missing)";
}

/* Asserts R holds a problem document; returns it (to be decref'd). */
static json_t *
assert_problem(int status, const char *code)
{
	json_t *j;
	char type[128];

	assert_int_equal(R.status, status);
	assert_non_null(R.out_type);
	assert_string_equal(R.out_type,
			    "application/problem+json; charset=utf-8");
	j = out_json();
	assert_int_equal(json_integer_value(json_object_get(j, "status")),
			 status);
	assert_string_equal(str_at(j, "code"), code);
	snprintf(type, sizeof(type), "/api/v1/problems/%s", code);
	assert_string_equal(str_at(j, "type"), type);
	assert_true(json_is_string(json_object_get(j, "title")));
	assert_true(json_is_string(json_object_get(j, "detail")));
	return j;
}

/* ---- JSON strictness, with the worker's exact flags ---- */

static void
test_json_duplicate_key(void **state)
{
	json_error_t err;
	const char *s = "{\"a\":1,\"a\":2}";

	(void)state;
	assert_null(json_loadb(s, strlen(s), BODY_FLAGS, &err));
	assert_int_equal(json_error_code(&err), json_error_duplicate_key);
	s = "{\"o\":{\"b\":1,\"b\":1}}";
	assert_null(json_loadb(s, strlen(s), BODY_FLAGS, &err));
	assert_int_equal(json_error_code(&err), json_error_duplicate_key);
	s = "{\"w\":[{\"n\":1},{\"n\":1,\"n\":2}]}";
	assert_null(json_loadb(s, strlen(s), BODY_FLAGS, &err));
	assert_int_equal(json_error_code(&err), json_error_duplicate_key);
}

static void
test_json_trailing_data(void **state)
{
	json_error_t err;
	const char *s = "{\"a\":1} x";

	(void)state;
	assert_null(json_loadb(s, strlen(s), BODY_FLAGS, &err));
	assert_int_equal(json_error_code(&err),
			 json_error_end_of_input_expected);
	s = "{\"a\":1}{\"b\":2}";
	assert_null(json_loadb(s, strlen(s), BODY_FLAGS, &err));
	assert_int_equal(json_error_code(&err),
			 json_error_end_of_input_expected);
}

static void
test_json_bare_scalar(void **state)
{
	static const char *const bad[] = {"1", "\"s\"", "true", "null"};
	json_error_t err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(
		    json_loadb(bad[i], strlen(bad[i]), BODY_FLAGS, &err));
		assert_int_equal(json_error_code(&err),
				 json_error_invalid_syntax);
	}
	assert_null(json_loadb("", 0, BODY_FLAGS, &err));
}

static void
test_json_object_passes(void **state)
{
	json_error_t err;
	json_t *j;
	const char *s = "{\"a\":1}";

	(void)state;
	j = json_loadb(s, strlen(s), BODY_FLAGS, &err);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
	json_decref(j);
	/* Whitespace around the object is not trailing data. */
	s = " {\"a\":1,\"b\":{\"a\":2}}\r\n";
	j = json_loadb(s, strlen(s), BODY_FLAGS, &err);
	assert_non_null(j);
	json_decref(j);
}

static void
test_json_other_malformed(void **state)
{
	static const char *const bad[] = {
	    "{\"a\":1,}",
	    "{'a':1}",
	    "{\"a\":NaN}",
	    "{\"a\":\"\\u0000\"}",
	    "{\"a\":99999999999999999999}",
	    "{\"a\":\"\xff\"}",
	    "{\"a\":1",
	};
	json_error_t err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(
		    json_loadb(bad[i], strlen(bad[i]), BODY_FLAGS, &err));
}

/* ---- responses ---- */

static void
test_http_json(void **state)
{
	(void)state;
	assert_int_equal(http_json(&R, 201, json_pack("{s:i}", "a", 1)), 0);
	assert_int_equal(R.status, 201);
	assert_string_equal(R.out_type, "application/json; charset=utf-8");
	assert_string_equal(R.out.p, "{\"a\":1}");
	assert_int_equal(R.out.len, 7);
	/* A second answer replaces the first. */
	http_json(&R, 200, json_pack("{s:s}", "name", "张三"));
	assert_int_equal(R.status, 200);
	assert_string_equal(R.out.p, "{\"name\":\"张三\"}");
}

static void
test_http_empty(void **state)
{
	(void)state;
	http_json(&R, 200, json_object());
	http_empty(&R, 204);
	assert_int_equal(R.status, 204);
	assert_null(R.out_type);
	assert_int_equal(R.out.len, 0);
}

static void
test_http_problem(void **state)
{
	json_t *j;

	(void)state;
	assert_int_equal(http_problem(&R, 400, "validation", "x"), 0);
	j = assert_problem(400, "validation");
	assert_string_equal(str_at(j, "detail"), "x");
	assert_string_equal(str_at(j, "title"), "请求有误");
	assert_null(json_object_get(j, "errors"));
	assert_int_equal(json_object_size(j), 5);
	json_decref(j);
}

static void
test_http_problem_titles(void **state)
{
	json_t *j;

	(void)state;
	http_problem(&R, 404, "not_found", "没有这个地址");
	j = assert_problem(404, "not_found");
	assert_string_equal(str_at(j, "title"), "未找到");
	assert_string_equal(str_at(j, "detail"), "没有这个地址");
	json_decref(j);
	http_problem(&R, 503, "db_unavailable", "d");
	j = assert_problem(503, "db_unavailable");
	assert_string_equal(str_at(j, "title"), "服务暂时不可用");
	json_decref(j);
}

static void
test_http_field_error(void **state)
{
	json_t *j, *errs, *e0;

	(void)state;
	assert_int_equal(http_field_error(&R, "workers[2].phone", "format",
					  "手机号格式不正确"),
			 0);
	j = assert_problem(400, "validation");
	errs = json_object_get(j, "errors");
	assert_true(json_is_array(errs));
	assert_int_equal(json_array_size(errs), 1);
	e0 = json_array_get(errs, 0);
	assert_string_equal(str_at(e0, "field"), "workers[2].phone");
	assert_string_equal(str_at(e0, "code"), "format");
	assert_string_equal(str_at(e0, "message"), "手机号格式不正确");
	assert_int_equal(json_object_size(e0), 3);
	assert_string_equal(str_at(j, "detail"), "1 处输入有误，请检查后重试");
	json_decref(j);
}

static void
test_http_invalid_takes_list(void **state)
{
	struct verrs e;
	json_t *j, *errs;

	(void)state;
	verrs_init(&e);
	verrs_add(&e, "name", "required", "请填写姓名");
	verrs_add(&e, "phone", "format", "手机号格式不正确");
	http_invalid(&R, &e);
	assert_null(e.list);
	verrs_free(&e);
	j = assert_problem(400, "validation");
	errs = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errs), 2);
	assert_string_equal(str_at(json_array_get(errs, 0), "field"), "name");
	assert_string_equal(str_at(json_array_get(errs, 1), "code"), "format");
	assert_string_equal(str_at(j, "detail"), "2 处输入有误，请检查后重试");
	json_decref(j);
}

static void
test_http_header_etag_reset(void **state)
{
	char big[2048];

	(void)state;
	http_etag(&R, 7);
	http_header(&R, "Location: /api/v1/units/%d", 12);
	assert_string_equal(R.headers.p,
			    "ETag: \"7\"\r\nLocation: /api/v1/units/12\r\n");
	/* A header too long for one line is dropped, not cut. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	http_header(&R, "X-Big: %s", big);
	assert_string_equal(R.headers.p,
			    "ETag: \"7\"\r\nLocation: /api/v1/units/12\r\n");
	http_problem(&R, 409, "conflict", "c");
	R.keep = 1;
	http_reset_response(&R);
	assert_int_equal(R.status, 0);
	assert_null(R.out_type);
	assert_int_equal(R.keep, 0);
	assert_int_equal(R.headers.len, 0);
	assert_int_equal(R.out.len, 0);
}

/* ---- http_body ---- */

struct named {
	uint64_t has;
	char *name;
};

static const struct vfield named_fields[] = {
    {.name = "name",
     .label = "姓名",
     .type = VT_STRING,
     .flags = V_REQ,
     .min = 1,
     .max = 50,
     .off = offsetof(struct named, name)},
};
static const struct vtable named_table = VTABLE(named_fields, struct named);

static void
test_http_body_missing_is_empty_object(void **state)
{
	struct named n;
	json_t *j, *errs;

	(void)state;
	memset(&n, 0, sizeof(n));
	R.json = NULL;
	assert_int_equal(http_body(&R, &named_table, &n), -1);
	j = assert_problem(400, "validation");
	errs = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errs), 1);
	assert_string_equal(str_at(json_array_get(errs, 0), "field"), "name");
	assert_string_equal(str_at(json_array_get(errs, 0), "code"),
			    "required");
	assert_string_equal(str_at(json_array_get(errs, 0), "message"),
			    "请填写姓名");
	json_decref(j);
}

static void
test_http_body_valid(void **state)
{
	struct named n;

	(void)state;
	memset(&n, 0, sizeof(n));
	R.json = json_pack("{s:s}", "name", " 张三 ");
	assert_int_equal(http_body(&R, &named_table, &n), 0);
	assert_int_equal(R.status, 0);
	assert_int_equal(R.out.len, 0);
	assert_string_equal(n.name, "张三");
	assert_int_equal(n.has, VBIT(0));
}

static void
test_http_body_errors(void **state)
{
	struct named n;
	json_t *j, *errs;

	(void)state;
	memset(&n, 0, sizeof(n));
	R.json = json_pack("{s:i, s:b}", "name", 5, "extra", 1);
	assert_int_equal(http_body(&R, &named_table, &n), -1);
	j = assert_problem(400, "validation");
	errs = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errs), 2);
	json_decref(j);
}

/* ---- If-Match ---- */

static void
test_if_match_missing(void **state)
{
	json_t *j;

	(void)state;
	R.if_match = NULL;
	assert_int_equal(req_if_match(&R, 3), -1);
	j = assert_problem(428, "precondition_required");
	json_decref(j);
	http_reset_response(&R);
	R.if_match = "";
	assert_int_equal(req_if_match(&R, 3), -1);
	assert_int_equal(R.status, 428);
}

static void
test_if_match_equal(void **state)
{
	(void)state;
	R.if_match = "\"3\"";
	assert_int_equal(req_if_match(&R, 3), 0);
	assert_int_equal(R.status, 0);
	assert_int_equal(R.out.len, 0);
	R.if_match = "W/\"3\"";
	assert_int_equal(req_if_match(&R, 3), 0);
	R.if_match = "\"123456789012\"";
	assert_int_equal(req_if_match(&R, 123456789012LL), 0);
	assert_int_equal(R.status, 0);
}

static void
test_if_match_mismatch(void **state)
{
	json_t *j;

	(void)state;
	R.if_match = "\"2\"";
	assert_int_equal(req_if_match(&R, 3), -1);
	j = assert_problem(412, "precondition_failed");
	assert_string_equal(str_at(j, "title"), "记录已被他人修改");
	json_decref(j);
	http_reset_response(&R);
	R.if_match = "\"30\"";
	assert_int_equal(req_if_match(&R, 3), -1);
	assert_int_equal(R.status, 412);
}

static void
test_if_match_garbage(void **state)
{
	static const char *const bad[] = {
	    "abc", "\"abc\"", "\"\"", "\"3x\"", "W/", "W/\"\"", "*",
	};
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_reset_response(&R);
		R.if_match = bad[i];
		assert_int_equal(req_if_match(&R, 3), -1);
		j = assert_problem(400, "invalid_header");
		json_decref(j);
	}
}

/* ---- query, ids, paging ---- */

static void
test_req_query(void **state)
{
	(void)state;
	R.query = "a=1&b=hello+world&c=%E5%BC%A0%e4%B8%89&d=&e&ab=9&p=%2B%zz%4";
	assert_string_equal(req_query(&R, "a"), "1");
	assert_string_equal(req_query(&R, "b"), "hello world");
	assert_string_equal(req_query(&R, "c"), "张三");
	assert_string_equal(req_query(&R, "d"), "");
	assert_null(req_query(&R, "e"));
	assert_string_equal(req_query(&R, "ab"), "9");
	assert_string_equal(req_query(&R, "p"), "+%zz%4");
	assert_null(req_query(&R, "x"));
	assert_null(req_query(&R, "A"));
	R.query = "xlimit=5&limit=7&limit=8";
	assert_string_equal(req_query(&R, "limit"), "7");
	R.query = "";
	assert_null(req_query(&R, "limit"));
	R.query = "&&limit=3&";
	assert_string_equal(req_query(&R, "limit"), "3");
}

static void
test_req_id(void **state)
{
	(void)state;
	R.params[0] = "42";
	R.params[1] = "999999999999999999";
	R.nparams = 2;
	assert_int_equal(req_id(&R, 0), 42);
	assert_int_equal(req_id(&R, 1), 999999999999999999LL);
	assert_int_equal(req_id(&R, 2), 0);
	R.nparams = 0;
	assert_int_equal(req_id(&R, 0), 0);
}

static void
test_page_defaults(void **state)
{
	int limit = -1;
	int64_t after = -1;

	(void)state;
	R.query = "";
	assert_int_equal(req_page(&R, &limit, &after), 0);
	assert_int_equal(limit, 50);
	assert_int_equal(after, INT64_MAX);
	assert_int_equal(R.status, 0);
	R.query = "limit=1";
	assert_int_equal(req_page(&R, &limit, &after), 0);
	assert_int_equal(limit, 1);
	R.query = "limit=200&other=x";
	assert_int_equal(req_page(&R, &limit, &after), 0);
	assert_int_equal(limit, 200);
	assert_int_equal(after, INT64_MAX);
}

static void
test_page_bad_limit(void **state)
{
	static const char *const bad[] = {
	    "limit=0",	 "limit=201", "limit=abc", "limit=",
	    "limit=10x", "limit=-5",  "limit=1.5", "limit=99999999999999999999",
	};
	json_t *j, *errs;
	int limit;
	int64_t after;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_reset_response(&R);
		R.query = bad[i];
		assert_int_equal(req_page(&R, &limit, &after), -1);
		j = assert_problem(400, "validation");
		errs = json_object_get(j, "errors");
		assert_int_equal(json_array_size(errs), 1);
		assert_string_equal(str_at(json_array_get(errs, 0), "field"),
				    "limit");
		assert_string_equal(str_at(json_array_get(errs, 0), "code"),
				    "out_of_range");
		json_decref(j);
	}
}

static void
test_page_cursor_round_trip(void **state)
{
	static const int64_t ids[] = {1, 42, 1234567, INT64_MAX};
	const char *c;
	int limit;
	int64_t after;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		c = page_cursor(&R, ids[i]);
		assert_non_null(c);
		/* URL-safe without padding: nothing to escape in a query. */
		assert_true(strlen(c) > 0);
		for (k = 0; c[k] != '\0'; k++)
			assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					       "abcdefghijklmnopqrstuvwxyz"
					       "0123456789-_",
					       c[k]));
		R.query = arena_printf(&R.arena, "cursor=%s", c);
		after = 0;
		assert_int_equal(req_page(&R, &limit, &after), 0);
		assert_int_equal(after, ids[i]);
		assert_int_equal(limit, 50);
	}
	R.query =
	    arena_printf(&R.arena, "limit=5&cursor=%s", page_cursor(&R, 99));
	assert_int_equal(req_page(&R, &limit, &after), 0);
	assert_int_equal(limit, 5);
	assert_int_equal(after, 99);
	assert_int_equal(R.status, 0);
}

static void
test_page_bad_cursor(void **state)
{
	const char *bad[6];
	json_t *j, *errs;
	int limit;
	int64_t after;
	size_t i;

	(void)state;
	bad[0] = "cursor=!!!";
	bad[1] = "cursor=";
	bad[2] = arena_printf(&R.arena, "cursor=%s", page_cursor(&R, 0));
	bad[3] = arena_printf(&R.arena, "cursor=%s", page_cursor(&R, -5));
	bad[4] = "cursor=YWJj"; /* "abc" */
	bad[5] = "cursor=MTI="; /* "12" with padding */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_reset_response(&R);
		R.query = bad[i];
		assert_int_equal(req_page(&R, &limit, &after), -1);
		j = assert_problem(400, "validation");
		errs = json_object_get(j, "errors");
		assert_int_equal(json_array_size(errs), 1);
		assert_string_equal(str_at(json_array_get(errs, 0), "field"),
				    "cursor");
		assert_string_equal(str_at(json_array_get(errs, 0), "code"),
				    "format");
		json_decref(j);
	}
	/* "12" without padding is a good cursor. */
	http_reset_response(&R);
	R.query = "cursor=MTI";
	assert_int_equal(req_page(&R, &limit, &after), 0);
	assert_int_equal(after, 12);
}

static void
test_page_both_errors(void **state)
{
	json_t *j, *errs;
	int limit;
	int64_t after;

	(void)state;
	R.query = "limit=0&cursor=%%%";
	assert_int_equal(req_page(&R, &limit, &after), -1);
	j = assert_problem(400, "validation");
	errs = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errs), 2);
	assert_string_equal(str_at(json_array_get(errs, 0), "field"), "limit");
	assert_string_equal(str_at(json_array_get(errs, 1), "field"), "cursor");
	json_decref(j);
}

/* ---- reading and writing over in-memory FastCGI streams ---- */

static void
closes_at_end(FCGX_Stream *s)
{
	s->isClosed = 1;
}

static void
refuses_more(FCGX_Stream *s, int doClose)
{
	(void)doClose;
	s->isClosed = 1;
}

struct fake {
	FCGX_Request fr;
	FCGX_Stream in, out;
	char *env[8];
	unsigned char inbuf[512];
	unsigned char outbuf[4096];
};

static struct fake F;

static void
fake_init(const char *body, const char *content_length)
{
	size_t n = strlen(body);

	memset(&F, 0, sizeof(F));
	assert_true(n <= sizeof(F.inbuf));
	memcpy(F.inbuf, body, n);
	F.in.rdNext = F.in.stopUnget = F.inbuf;
	F.in.stop = F.in.wrNext = F.inbuf + n;
	F.in.isReader = 1;
	F.in.fillBuffProc = closes_at_end;
	F.out.wrNext = F.outbuf;
	F.out.stop = F.out.rdNext = F.outbuf + sizeof(F.outbuf);
	F.out.emptyBuffProc = refuses_more;
	F.fr.in = &F.in;
	F.fr.out = &F.out;
	F.fr.envp = F.env;
	if (content_length != NULL) {
		static char cl[64];

		snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%s", content_length);
		F.env[0] = cl;
	}
	http_reset_response(&R);
	R.fcgi = &F.fr;
	R.content_type = "application/json";
}

/* Sets up a body with a matching Content-Length and reads it. */
static int
read_body(const char *body)
{
	char cl[32];

	snprintf(cl, sizeof(cl), "%zu", strlen(body));
	fake_init(body, cl);
	return http_read_body(&R);
}

static void
test_read_body_object(void **state)
{
	(void)state;
	assert_int_equal(read_body("{\"a\":1,\"b\":\"张三\"}"), 0);
	assert_int_equal(R.status, 0);
	assert_non_null(R.json);
	assert_int_equal(json_integer_value(json_object_get(R.json, "a")), 1);
	assert_string_equal(R.body, "{\"a\":1,\"b\":\"张三\"}");
	assert_int_equal(R.bodylen, strlen("{\"a\":1,\"b\":\"张三\"}"));
}

static void
test_read_body_duplicate_key(void **state)
{
	json_t *j;

	(void)state;
	assert_int_equal(read_body("{\"a\":1,\"a\":2}"), -1);
	assert_null(R.json);
	j = assert_problem(400, "duplicate_key");
	json_decref(j);
}

static void
test_read_body_trailing_data(void **state)
{
	json_t *j;

	(void)state;
	assert_int_equal(read_body("{\"a\":1} x"), -1);
	j = assert_problem(400, "invalid_json");
	json_decref(j);
}

static void
test_read_body_scalar(void **state)
{
	json_t *j;

	(void)state;
	assert_int_equal(read_body("1"), -1);
	j = assert_problem(400, "invalid_json");
	json_decref(j);
}

/*
 * docs/conventions.md: invalid_json is "body is not one well-formed JSON
 * object".  An array is well-formed JSON but not an object.
 */
static void
test_read_body_array_is_invalid_json(void **state)
{
	json_t *j;

	(void)state;
	assert_int_equal(read_body("[{\"a\":1}]"), -1);
	j = assert_problem(400, "invalid_json");
	json_decref(j);
}

static void
test_read_body_none(void **state)
{
	(void)state;
	fake_init("", NULL);
	assert_int_equal(http_read_body(&R), 0);
	assert_null(R.json);
	assert_int_equal(R.status, 0);
	fake_init("", "0");
	R.content_type = NULL;
	assert_int_equal(http_read_body(&R), 0);
	assert_null(R.json);
	assert_int_equal(R.status, 0);
}

static void
test_read_body_media_type(void **state)
{
	json_t *j;

	(void)state;
	fake_init("{}", "2");
	R.content_type = "text/plain";
	assert_int_equal(http_read_body(&R), -1);
	j = assert_problem(415, "unsupported_media_type");
	json_decref(j);
	http_done(&R);

	fake_init("{}", "2");
	R.content_type = NULL;
	assert_int_equal(http_read_body(&R), -1);
	assert_int_equal(R.status, 415);
	http_done(&R);

	fake_init("{}", "2");
	R.content_type = "application/jsonp";
	assert_int_equal(http_read_body(&R), -1);
	assert_int_equal(R.status, 415);
	http_done(&R);

	fake_init("{}", "2");
	R.content_type = "Application/JSON; charset=utf-8";
	assert_int_equal(http_read_body(&R), 0);
	assert_int_equal(R.status, 0);
	assert_non_null(R.json);
}

static void
test_read_body_too_large(void **state)
{
	json_t *j;
	char cl[32];

	(void)state;
	snprintf(cl, sizeof(cl), "%d", BODY_MAX + 1);
	fake_init("{}", cl);
	assert_int_equal(http_read_body(&R), -1);
	j = assert_problem(413, "payload_too_large");
	json_decref(j);
	assert_null(R.body);
}

static void
test_read_body_bad_length(void **state)
{
	static const char *const bad[] = {"abc", "-1", "12x", "1 "};
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_done(&R);
		fake_init("{}", bad[i]);
		assert_int_equal(http_read_body(&R), -1);
		j = assert_problem(400, "invalid_header");
		json_decref(j);
	}
}

static void
test_read_body_short(void **state)
{
	json_t *j;

	(void)state;
	/* The client promised 20 bytes and sent 7. */
	fake_init("{\"a\":1}", "20");
	assert_int_equal(http_read_body(&R), 0);
	assert_int_equal(R.bodylen, 7);
	http_done(&R);
	fake_init("{\"a\":", "20");
	assert_int_equal(http_read_body(&R), -1);
	j = assert_problem(400, "invalid_json");
	json_decref(j);
}

static void
test_http_read_params(void **state)
{
	char *env[] = {
	    "REQUEST_METHOD=PATCH",
	    "REQUEST_URI=/api/v1/users/5?limit=3&x=1",
	    "CONTENT_TYPE=application/json",
	    "HTTP_AUTHORIZATION=Bearer abc",
	    "HTTP_COOKIE=sid=xyz",
	    "HTTP_IF_MATCH=\"3\"",
	    "HTTP_IDEMPOTENCY_KEY=k-1",
	    "HTTP_X_REQUESTED_WITH=fetch",
	    "REMOTE_ADDR=127.0.0.1",
	    NULL,
	};
	FCGX_Request fr;

	(void)state;
	memset(&fr, 0, sizeof(fr));
	fr.envp = env;
	R.status = 500; /* overwritten: http_read starts from zero */
	http_read(&R, &fr, NULL);
	assert_ptr_equal(R.fcgi, &fr);
	assert_int_equal(R.status, 0);
	assert_int_equal(R.method, M_PATCH);
	assert_string_equal(R.method_name, "PATCH");
	assert_string_equal(R.uri, "/api/v1/users/5?limit=3&x=1");
	assert_string_equal(R.path, "/api/v1/users/5");
	assert_string_equal(R.query, "limit=3&x=1");
	assert_string_equal(R.content_type, "application/json");
	assert_string_equal(R.authorization, "Bearer abc");
	assert_string_equal(R.cookie, "sid=xyz");
	assert_string_equal(R.if_match, "\"3\"");
	assert_string_equal(R.idem_key, "k-1");
	assert_string_equal(R.requested_with, "fetch");
	assert_string_equal(R.remote_addr, "127.0.0.1");
	/* Copied out of envp: nothing from the request outlives it. */
	assert_ptr_not_equal(R.if_match, env[5] + strlen("HTTP_IF_MATCH="));
	assert_string_equal(req_query(&R, "limit"), "3");
}

static void
test_http_read_minimal(void **state)
{
	char *env[] = {"REQUEST_METHOD=HEAD", "REQUEST_URI=/api/v1/units",
		       NULL};
	char *none[] = {NULL};
	FCGX_Request fr;

	(void)state;
	memset(&fr, 0, sizeof(fr));
	fr.envp = env;
	http_read(&R, &fr, NULL);
	assert_int_equal(R.method, M_HEAD);
	assert_string_equal(R.path, "/api/v1/units");
	assert_string_equal(R.query, "");
	assert_null(R.if_match);
	assert_null(R.authorization);
	http_done(&R);

	fr.envp = none;
	http_read(&R, &fr, NULL);
	assert_int_equal(R.method, M_OTHER);
	assert_string_equal(R.path, "/");
	assert_string_equal(R.query, "");
}

static void
test_http_write(void **state)
{
	char want[1024];
	const char *body;

	(void)state;
	fake_init("", NULL);
	http_header(&R, "Allow: GET, POST");
	http_problem(&R, 405, "method_not_allowed", "m");
	body = R.out.p;
	snprintf(want, sizeof(want),
		 "Status: 405 Method Not Allowed\r\n"
		 "Content-Type: application/problem+json; charset=utf-8\r\n"
		 "Cache-Control: no-store\r\n"
		 "Allow: GET, POST\r\n"
		 "Content-Length: %zu\r\n"
		 "\r\n"
		 "%s",
		 strlen(body), body);
	http_write(&R);
	assert_int_equal(F.out.wrNext - F.outbuf, strlen(want));
	assert_memory_equal(F.outbuf, want, strlen(want));
}

static void
test_http_write_empty(void **state)
{
	static const char want[] = "Status: 204 No Content\r\n"
				   "Cache-Control: no-store\r\n"
				   "Content-Length: 0\r\n"
				   "\r\n";

	(void)state;
	fake_init("", NULL);
	http_empty(&R, 204);
	http_write(&R);
	assert_int_equal(F.out.wrNext - F.outbuf, strlen(want));
	assert_memory_equal(F.outbuf, want, strlen(want));
}

/* Splits what http_write() wrote into its head and body. */
static const char *
written(size_t *headlen, size_t *bodylen)
{
	const char *p = (const char *)F.outbuf, *end;
	size_t n = (size_t)(F.out.wrNext - F.outbuf);

	end = memmem(p, n, "\r\n\r\n", 4);
	assert_non_null(end);
	*headlen = (size_t)(end - p) + 4;
	*bodylen = n - *headlen;
	return p;
}

/* Does the head of length n contain s? */
static int
head_has(const char *head, size_t n, const char *s)
{
	return memmem(head, n, s, strlen(s)) != NULL;
}

/* An answer worth compressing: a JSON document of len bytes or more. */
static void
big_answer(size_t len)
{
	char *s = arena_alloc(&R.arena, len + 1);

	memset(s, 'x', len);
	s[len] = '\0';
	http_json(&R, 200, json_pack("{s:s}", "note", s));
	assert_true(R.out.len >= len);
}

static void
test_http_write_gzip(void **state)
{
	unsigned char plain[2048];
	char want[64];
	const char *p;
	size_t hl, bl;
	z_stream z;

	(void)state;
	fake_init("", NULL);
	R.accept_encoding = "gzip, deflate, br";
	big_answer(1000);
	http_etag(&R, 3);
	http_write(&R);
	p = written(&hl, &bl);
	assert_true(head_has(p, hl, "\r\nETag: \"3\"\r\n"));
	assert_true(head_has(p, hl, "\r\nContent-Encoding: gzip\r\n"));
	assert_true(head_has(p, hl, "\r\nVary: Accept-Encoding\r\n"));
	snprintf(want, sizeof(want), "\r\nContent-Length: %zu\r\n", bl);
	assert_true(head_has(p, hl, want));
	assert_true(bl < R.out.len);
	/* The body is gzip (magic 1f 8b) and inflates to the answer. */
	assert_int_equal((unsigned char)p[hl], 0x1f);
	assert_int_equal((unsigned char)p[hl + 1], 0x8b);
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)(p + hl);
	z.avail_in = (uInt)bl;
	z.next_out = plain;
	z.avail_out = sizeof(plain);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, R.out.len);
	assert_memory_equal(plain, R.out.p, R.out.len);
	inflateEnd(&z);
}

static void
test_http_write_no_gzip(void **state)
{
	size_t hl, bl, len;
	const char *p;

	(void)state;
	/* No ETag: nginx compresses it. */
	fake_init("", NULL);
	R.accept_encoding = "gzip";
	big_answer(1000);
	http_write(&R);
	p = written(&hl, &bl);
	assert_false(head_has(p, hl, "Content-Encoding"));
	assert_int_equal(bl, R.out.len);
	assert_memory_equal(p + hl, R.out.p, bl);
	http_done(&R);

	/* The client does not take gzip. */
	fake_init("", NULL);
	R.accept_encoding = NULL;
	big_answer(1000);
	http_etag(&R, 1);
	http_write(&R);
	p = written(&hl, &bl);
	assert_false(head_has(p, hl, "Content-Encoding"));
	assert_int_equal(bl, R.out.len);
	http_done(&R);

	/* Too small to be worth it. */
	fake_init("", NULL);
	R.accept_encoding = "gzip";
	http_json(&R, 200, json_pack("{s:i}", "version", 1));
	len = R.out.len;
	http_etag(&R, 1);
	http_write(&R);
	p = written(&hl, &bl);
	assert_false(head_has(p, hl, "Content-Encoding"));
	assert_int_equal(bl, len);
}

#define T(f) cmocka_unit_test_setup_teardown(f, req_setup, req_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_json_duplicate_key),
	    T(test_json_trailing_data),
	    T(test_json_bare_scalar),
	    T(test_json_object_passes),
	    T(test_json_other_malformed),
	    T(test_http_json),
	    T(test_http_empty),
	    T(test_http_problem),
	    T(test_http_problem_titles),
	    T(test_http_field_error),
	    T(test_http_invalid_takes_list),
	    T(test_http_header_etag_reset),
	    T(test_http_body_missing_is_empty_object),
	    T(test_http_body_valid),
	    T(test_http_body_errors),
	    T(test_if_match_missing),
	    T(test_if_match_equal),
	    T(test_if_match_mismatch),
	    T(test_if_match_garbage),
	    T(test_req_query),
	    T(test_req_id),
	    T(test_page_defaults),
	    T(test_page_bad_limit),
	    T(test_page_cursor_round_trip),
	    T(test_page_bad_cursor),
	    T(test_page_both_errors),
	    T(test_read_body_object),
	    T(test_read_body_duplicate_key),
	    T(test_read_body_trailing_data),
	    T(test_read_body_scalar),
	    T(test_read_body_array_is_invalid_json),
	    T(test_read_body_none),
	    T(test_read_body_media_type),
	    T(test_read_body_too_large),
	    T(test_read_body_bad_length),
	    T(test_read_body_short),
	    T(test_http_read_params),
	    T(test_http_read_minimal),
	    T(test_http_write),
	    T(test_http_write_empty),
	    T(test_http_write_gzip),
	    T(test_http_write_no_gzip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
