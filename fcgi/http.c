/*
 * Reading FastCGI parameters and a bounded body, and writing responses.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>
#include <zlib.h>

#include "http.h"
#include "route.h"

static const struct {
	int status;
	const char *reason;
	const char *title;
} statuses[] = {
    {200, "OK", "成功"},
    {201, "Created", "已创建"},
    {204, "No Content", "成功"},
    {400, "Bad Request", "请求有误"},
    {401, "Unauthorized", "请先登录"},
    {403, "Forbidden", "没有权限"},
    {404, "Not Found", "未找到"},
    {405, "Method Not Allowed", "不支持该请求方法"},
    {409, "Conflict", "与当前状态冲突"},
    {412, "Precondition Failed", "记录已被他人修改"},
    {413, "Content Too Large", "请求内容过大"},
    {415, "Unsupported Media Type", "请求格式不支持"},
    {422, "Unprocessable Content", "幂等键已用于另一请求"},
    {428, "Precondition Required", "缺少 If-Match"},
    {429, "Too Many Requests", "请求过于频繁"},
    {500, "Internal Server Error", "服务器内部错误"},
    {503, "Service Unavailable", "服务暂时不可用"},
};

static size_t
status_index(int status)
{
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].status == status)
			return i;
	return 0;
}

void
http_reset_response(struct req *r)
{
	r->status = 0;
	r->out_type = NULL;
	r->keep = 0;
	buf_reset(&r->headers);
	buf_reset(&r->out);
}

void
http_header(struct req *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	buf_append(&r->headers, line, (size_t)n);
	buf_puts(&r->headers, "\r\n");
}

static int
dump_cb(const char *p, size_t n, void *data)
{
	return buf_append(data, p, n);
}

int
http_json(struct req *r, int status, json_t *body)
{
	r->status = status;
	r->out_type = "application/json; charset=utf-8";
	buf_reset(&r->out);
	json_dump_callback(body, dump_cb, &r->out, JSON_COMPACT);
	json_decref(body);
	return 0;
}

int
http_bytes(struct req *r, int status, const char *type, const void *p, size_t n)
{
	r->status = status;
	r->out_type = type;
	buf_reset(&r->out);
	buf_append(&r->out, p, n);
	return 0;
}

int
http_empty(struct req *r, int status)
{
	r->status = status;
	r->out_type = NULL;
	buf_reset(&r->out);
	return 0;
}

int
http_problem(struct req *r, int status, const char *code, const char *detail)
{
	return http_problem_ext(r, status, code, detail, NULL);
}

int
http_problem_ext(struct req *r, int status, const char *code,
		 const char *detail, json_t *members)
{
	json_t *o;

	o = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type",
		      arena_printf(&r->arena, "/api/v1/problems/%s", code),
		      "title", statuses[status_index(status)].title, "status",
		      status, "code", code, "detail", detail);
	/* The standard members win: extension members only add. */
	if (members != NULL)
		json_object_update_missing(o, members);
	json_decref(members);
	http_json(r, status, o);
	r->out_type = "application/problem+json; charset=utf-8";
	return 0;
}

int
http_invalid(struct req *r, struct verrs *e)
{
	json_t *list = e->list;

	e->list = NULL;
	return http_problem_ext(
	    r, 400, "validation",
	    arena_printf(&r->arena, "%zu 处输入有误，请检查后重试", e->n),
	    list ? json_pack("{s:o}", "errors", list) : NULL);
}

int
http_refused(struct req *r, struct verrs *e)
{
	int bad = e->n > 0;

	if (bad)
		http_invalid(r, e);
	verrs_free(e);
	return bad;
}

int
http_field_error(struct req *r, const char *field, const char *code,
		 const char *message)
{
	struct verrs e;
	int rc;

	verrs_init(&e);
	verrs_add(&e, field, code, message);
	rc = http_invalid(r, &e);
	verrs_free(&e);
	return rc;
}

int
http_validate(struct req *r, const struct vtable *t, void *out, struct verrs *e)
{
	json_t *empty = NULL;
	int rc;

	/* A missing body is an empty object: every required field is
	 * reported missing, by name. */
	if (r->json == NULL)
		empty = json_object();
	rc = valid_object(&r->arena, r->json ? r->json : empty, t, out, "", e);
	json_decref(empty);
	return rc;
}

int
http_body(struct req *r, const struct vtable *t, void *out)
{
	struct verrs e;
	int rc;

	verrs_init(&e);
	if ((rc = http_validate(r, t, out, &e)) != 0)
		http_invalid(r, &e);
	verrs_free(&e);
	return rc;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into the arena; '+' is a space in queries. */
static char *
url_decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
			 hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

const char *
req_query(struct req *r, const char *name)
{
	const char *p = r->query, *amp, *eq;
	size_t nlen = strlen(name);

	while (*p != '\0') {
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq != NULL && (size_t)(eq - p) == nlen &&
		    strncmp(p, name, nlen) == 0)
			return url_decode(&r->arena, eq + 1,
					  (size_t)(amp - eq - 1));
		p = *amp ? amp + 1 : amp;
	}
	return NULL;
}

int64_t
req_id(const struct req *r, size_t i)
{
	return i < r->nparams ? strtoll(r->params[i], NULL, 10) : 0;
}

void
http_etag(struct req *r, int64_t version)
{
	http_header(r, "ETag: \"%lld\"", (long long)version);
}

int
req_if_match(struct req *r, int64_t version)
{
	const char *p = r->if_match;
	char *end;
	long long v;

	if (p == NULL || *p == '\0') {
		http_problem(r, 428, "precondition_required",
			     "修改前请带上 If-Match 头（记录的 ETag）");
		return -1;
	}
	if (strncmp(p, "W/", 2) == 0)
		p += 2;
	if (*p == '"')
		p++;
	v = strtoll(p, &end, 10);
	if (*end == '"')
		end++;
	if (end == p || *end != '\0' || *p < '0' || *p > '9') {
		http_problem(r, 400, "invalid_header",
			     "If-Match 应为记录的 ETag，例如 \"3\"");
		return -1;
	}
	if (v != version) {
		http_problem(r, 412, "precondition_failed",
			     "记录已被他人修改，请刷新后重试");
		return -1;
	}
	return 0;
}

int
req_page(struct req *r, int *limit, int64_t *after)
{
	const char *l = req_query(r, "limit"), *c = req_query(r, "cursor");
	struct verrs e;
	char *end;
	long v;

	verrs_init(&e);
	*limit = 50;
	*after = INT64_MAX;
	if (l != NULL) {
		v = strtol(l, &end, 10);
		if (*l == '\0' || *end != '\0' || v < 1 || v > 200)
			verrs_add(&e, "limit", "out_of_range",
				  "每页条数应在 1 到 200 之间");
		else
			*limit = (int)v;
	}
	if (c != NULL) {
		unsigned char raw[32];
		size_t n = 0;
		long long id;

		if (sodium_base642bin(
			raw, sizeof(raw) - 1, c, strlen(c), NULL, &n, NULL,
			sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
		    n == 0) {
			verrs_add(&e, "cursor", "format", "翻页游标无效");
		} else {
			raw[n] = '\0';
			id = strtoll((char *)raw, &end, 10);
			if (*end != '\0' || id < 1)
				verrs_add(&e, "cursor", "format",
					  "翻页游标无效");
			else
				*after = id;
		}
	}
	if (e.n > 0) {
		http_invalid(r, &e);
		verrs_free(&e);
		return -1;
	}
	verrs_free(&e);
	return 0;
}

struct db *
req_reader(struct req *r)
{
	if (r->replica == NULL || r->no_replica || r->db->in_tx ||
	    (r->method != M_GET && r->method != M_HEAD) ||
	    !db_replica_ready(r->replica))
		return r->db;
	r->on_replica = 1;
	r->replica->err = 0;
	return r->replica;
}

char *
page_cursor(struct req *r, int64_t last_id)
{
	char raw[32], *out;
	size_t len;

	snprintf(raw, sizeof(raw), "%lld", (long long)last_id);
	len = sodium_base64_encoded_len(
	    strlen(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out = arena_alloc(&r->arena, len);
	sodium_bin2base64(out, len, (unsigned char *)raw, strlen(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

int
http_page(struct req *r, json_t *items, int more, int64_t last_id)
{
	return http_json(r, 200,
			 json_pack("{s:o, s:o}", "items", items, "next_cursor",
				   more ? json_string(page_cursor(r, last_id))
					: json_null()));
}

json_t *
json_money(int64_t fen)
{
	char buf[32];

	money_format(fen, buf);
	return json_string(buf);
}

json_t *
json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *
param(struct req *r, const char *name)
{
	const char *v = FCGX_GetParam(name, r->fcgi->envp);

	/* Nothing from the request outlives it: copy out of envp. */
	return v ? arena_strdup(&r->arena, v) : NULL;
}

static int
is_json_type(const char *t)
{
	size_t n = strlen("application/json");

	if (t == NULL || strncasecmp(t, "application/json", n) != 0)
		return 0;
	return t[n] == '\0' || t[n] == ';' || t[n] == ' ';
}

/* Reads the parameters of a request; nothing from envp is kept. */
void
http_read(struct req *r, FCGX_Request *fr, struct db *db)
{
	const char *q;

	memset(r, 0, sizeof(*r));
	r->fcgi = fr;
	r->db = db;
	r->method_name = param(r, "REQUEST_METHOD");
	r->method = method_parse(r->method_name ? r->method_name : "");
	r->uri = param(r, "REQUEST_URI");
	if (r->uri == NULL)
		r->uri = "/";
	q = strchr(r->uri, '?');
	r->path =
	    q ? arena_strndup(&r->arena, r->uri, (size_t)(q - r->uri)) : r->uri;
	r->query = q ? q + 1 : "";
	r->content_type = param(r, "CONTENT_TYPE");
	r->authorization = param(r, "HTTP_AUTHORIZATION");
	r->cookie = param(r, "HTTP_COOKIE");
	r->if_match = param(r, "HTTP_IF_MATCH");
	r->idem_key = param(r, "HTTP_IDEMPOTENCY_KEY");
	r->requested_with = param(r, "HTTP_X_REQUESTED_WITH");
	r->remote_addr = param(r, "REMOTE_ADDR");
	r->accept_encoding = param(r, "HTTP_ACCEPT_ENCODING");
	/* nginx passes HTTPS=on for a request that came over TLS. */
	q = FCGX_GetParam("HTTPS", fr->envp);
	r->https = q != NULL && strcasecmp(q, "on") == 0;
}

/*
 * Reads the body, bounded, and parses it as strict JSON.  Returns 0, or -1
 * with the response already set (413, 415, 400).
 */
int
http_read_body(struct req *r)
{
	FCGX_Request *fr = r->fcgi;
	const char *cl;
	long long len = 0;
	char *end;
	json_error_t err;
	int n;

	cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	if (cl != NULL && *cl != '\0') {
		len = strtoll(cl, &end, 10);
		if (*end != '\0' || len < 0)
			return http_problem(r, 400, "invalid_header",
					    "Content-Length 无效"),
			       -1;
	}
	if (len > BODY_MAX)
		return http_problem(r, 413, "payload_too_large",
				    "请求内容不能超过 256 KiB"),
		       -1;
	if (len == 0)
		return 0;
	r->body = arena_alloc(&r->arena, (size_t)len + 1);
	n = FCGX_GetStr(r->body, (int)len, fr->in);
	r->bodylen = n > 0 ? (size_t)n : 0;
	r->body[r->bodylen] = '\0';
	if (!is_json_type(r->content_type))
		return http_problem(r, 415, "unsupported_media_type",
				    "请求体必须是 application/json"),
		       -1;
	r->json = json_loadb(r->body, r->bodylen, JSON_REJECT_DUPLICATES, &err);
	if (r->json == NULL) {
		if (json_error_code(&err) == json_error_duplicate_key)
			return http_problem(r, 400, "duplicate_key",
					    arena_printf(&r->arena,
							 "JSON 中有重复的键："
							 "%s",
							 err.text)),
			       -1;
		return http_problem(r, 400, "invalid_json",
				    arena_printf(&r->arena,
						 "请求体不是有效的 JSON（第 %d "
						 "行第 %d 列）",
						 err.line, err.column)),
		       -1;
	}
	if (!json_is_object(r->json))
		return http_problem(r, 400, "invalid_json",
				    "请求体必须是一个 JSON 对象"),
		       -1;
	return 0;
}

/*
 * nginx-conf's gzip_min_length: nginx compresses every JSON answer of at
 * least this many bytes that is not compressed already.
 */
#define GZIP_MIN 256

/*
 * Compresses the body with gzip when the answer carries an ETag and the
 * client takes gzip.  nginx compresses every other JSON answer itself, but
 * when it does it must weaken the ETag to W/"n", and the contract promises
 * clients the strong "n".  So every answer nginx would compress is
 * compressed here: a threshold above GZIP_MIN let answers between the two
 * reach clients with a weak tag.  Returns 1 when out holds the compressed
 * body.
 */
static int
gzip_body(struct req *r, struct buf *out)
{
	z_stream z;
	int rc;

	if (r->out.len < GZIP_MIN || r->accept_encoding == NULL ||
	    strstr(r->accept_encoding, "gzip") == NULL ||
	    strstr(r->headers.p ? r->headers.p : "", "ETag: ") == NULL)
		return 0;
	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip wrapper rather than zlib's. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return 0;
	{
		size_t cap = deflateBound(&z, (uLong)r->out.len);

		buf_reserve(out, cap);
		z.next_in = (Bytef *)r->out.p;
		z.avail_in = (uInt)r->out.len;
		z.next_out = (Bytef *)out->p;
		z.avail_out = (uInt)cap;
		rc = deflate(&z, Z_FINISH);
		out->len = cap - z.avail_out;
	}
	deflateEnd(&z);
	return rc == Z_STREAM_END;
}

void
http_write(struct req *r)
{
	FCGX_Stream *o = r->fcgi->out;
	size_t i = status_index(r->status);
	struct buf gz = {NULL, 0, 0};
	const struct buf *body = &r->out;
	char line[256];
	int n;

	if (gzip_body(r, &gz)) {
		http_header(r, "Content-Encoding: gzip");
		http_header(r, "Vary: Accept-Encoding");
		body = &gz;
	}
	/* libfcgi's own printf knows no %zu: format here, write raw. */
	n = snprintf(line, sizeof(line), "Status: %d %s\r\n", r->status,
		     statuses[i].reason);
	FCGX_PutStr(line, n, o);
	if (r->out_type != NULL) {
		n = snprintf(line, sizeof(line), "Content-Type: %s\r\n",
			     r->out_type);
		FCGX_PutStr(line, n, o);
	}
	FCGX_PutS("Cache-Control: no-store\r\n", o);
	if (r->headers.len > 0)
		FCGX_PutStr(r->headers.p, (int)r->headers.len, o);
	n = snprintf(line, sizeof(line), "Content-Length: %zu\r\n\r\n",
		     body->len);
	FCGX_PutStr(line, n, o);
	/* HEAD: the headers GET would send, Content-Length included. */
	if (body->len > 0 && r->method != M_HEAD)
		FCGX_PutStr(body->p, (int)body->len, o);
	buf_free(&gz);
}

void
http_done(struct req *r)
{
	json_decref(r->json);
	r->json = NULL;
	buf_free(&r->headers);
	buf_free(&r->out);
	arena_free(&r->arena);
}
