/*
 * One HTTP request as the worker sees it, and the response it builds.  The
 * response is assembled in memory before anything is written, so that an
 * idempotent POST can store it byte for byte in its transaction, and so
 * that a transaction retried after a deadlock starts from a clean slate.
 */
#ifndef SWN_HTTP_H
#define SWN_HTTP_H

#include <stdint.h>

#include <fcgiapp.h>
#include <jansson.h>

#include "arena.h"
#include "db.h"
#include "valid.h"

/* The contract's limit on request bodies; nginx enforces the same. */
#define BODY_MAX (256 * 1024)

/* HEAD is answered wherever GET is (API.md v1.1), without the body. */
enum method { M_GET, M_POST, M_PATCH, M_PUT, M_DELETE, M_HEAD, M_OTHER };

enum role { ROLE_ADMIN, ROLE_STAFF, ROLE_VOLUNTEER };

struct user {
	int64_t id;
	char *username;
	char *display_name;
	enum role role;
	int64_t unit_id;
	char *unit_path; /* "/1/3/": the unit and its ancestors */
};

#define REQ_PARAMS 4

struct req {
	FCGX_Request *fcgi;
	struct db *db;
	/* The thread's replica connection, NULL when there is none; reached
	 * only through req_reader(). */
	struct db *replica;
	int on_replica; /* req_reader() chose the replica */
	int no_replica; /* this request reads from the primary only */
	struct arena arena;

	enum method method;
	const char *method_name;
	const char *uri;   /* path and query as sent */
	const char *path;  /* without the query */
	const char *query; /* after '?', or "" */
	const char *params[REQ_PARAMS];
	size_t nparams;

	const char *content_type;
	const char *authorization;
	const char *cookie;
	const char *if_match;
	const char *idem_key;
	const char *requested_with;
	const char *remote_addr;
	const char *accept_encoding;
	int https; /* it reached nginx over TLS (the HTTPS parameter) */

	char *body;
	size_t bodylen;
	json_t *json; /* owned; NULL when there was no body */

	const struct user *user; /* NULL when anonymous */
	struct user user_storage;
	unsigned char token_hash[32];
	int by_cookie;
	int64_t idem_scope;	     /* the caller that claimed the key */
	unsigned char idem_hash[16]; /* its blind index (PII_IDX_LEN) */

	/* The response. */
	int status;
	const char *out_type;
	struct buf headers; /* "Name: value\r\n" lines */
	struct buf out;
	int keep; /* commit the transaction although status >= 400 */
};

/* What a handler returns: its response is set (0), or a database call
 * failed (HANDLER_DB) and the core decides between 503, retry and 500. */
#define HANDLER_DB (-1)

void http_reset_response(struct req *);
void http_header(struct req *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
int http_json(struct req *, int status, json_t *);
int http_empty(struct req *, int status);
/* A body that is not JSON (an export): n bytes of type, copied. */
int http_bytes(struct req *, int status, const char *type, const void *,
	       size_t n);
int http_problem(struct req *, int status, const char *code,
		 const char *detail);
/* A problem document with extension members (RFC 9457 section 3.2) beside
 * the standard ones, e.g. the lock behind a 409 "period_locked"; steals
 * members (a JSON object, may be NULL). */
int http_problem_ext(struct req *, int status, const char *code,
		     const char *detail, json_t *members);
int http_invalid(struct req *, struct verrs *);
/* The end of a handler's validation: answers 400 with every error in e
 * when there is one, and frees e either way.  1: answered (the handler
 * returns 0); 0: nothing wrong, go on. */
int http_refused(struct req *, struct verrs *);
int http_field_error(struct req *, const char *field, const char *code,
		     const char *message);
int http_validate(struct req *, const struct vtable *, void *out,
		  struct verrs *);
int http_body(struct req *, const struct vtable *, void *out);

const char *req_query(struct req *, const char *name);
int64_t req_id(const struct req *, size_t i);
int req_if_match(struct req *, int64_t version);
int req_page(struct req *, int *limit, int64_t *after);
/*
 * The connection for a read that may be a moment stale: the replica when
 * one is configured and fit (db_replica_ready()), else the primary.  Only
 * for statistics, drill-downs and lists, in a GET, never for what the
 * caller has just written nor for a read that decides a write; see
 * docs/DEPLOY.md.  When a read on the replica fails, the core runs the
 * handler again on the primary.
 */
struct db *req_reader(struct req *);
char *page_cursor(struct req *, int64_t last_id);
/* JSON values of the contract's shapes: money as "1234.50" (from fen),
 * and a string or null. */
json_t *json_money(int64_t fen);
json_t *json_str_or_null(const char *);
/* Answers {items, next_cursor} (steals items); more: rows follow last_id. */
int http_page(struct req *, json_t *items, int more, int64_t last_id);
void http_etag(struct req *, int64_t version);

void http_read(struct req *, FCGX_Request *, struct db *);
int http_read_body(struct req *);
void http_write(struct req *);
void http_done(struct req *);

#endif
