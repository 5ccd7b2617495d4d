/*
 * The route table and the path every request takes through the core:
 * match, read the body, identify the caller, check the role, then run the
 * handler -- inside one transaction with its idempotency key for writes.
 */
#include <stdio.h>
#include <mysqld_error.h>
#include <string.h>

#include "auth.h"
#include "idem.h"
#include "resources.h"
#include "route.h"

#define TX_ATTEMPTS 3

static const struct route routes[] = {
    {M_GET, "/api/v1/health", health_get, WHO_PUBLIC, R_NODB},
    {M_GET, "/api/v1/messages", messages_get, WHO_PUBLIC, R_NODB},
    {M_POST, "/api/v1/auth/login", auth_login, WHO_PUBLIC, R_NOIDEM},
    {M_POST, "/api/v1/auth/logout", auth_logout, WHO_USER, 0},
    {M_GET, "/api/v1/me", auth_me, WHO_USER, 0},
    {M_GET, "/api/v1/units", units_list, WHO_PUBLIC, 0},
    {M_POST, "/api/v1/units", units_create, WHO_ADMIN, 0},
    {M_GET, "/api/v1/units/{id}", units_get, WHO_PUBLIC, 0},
    {M_GET, "/api/v1/users", users_list, WHO_ADMIN, 0},
    {M_POST, "/api/v1/users", users_create, WHO_ADMIN, 0},
    {M_GET, "/api/v1/users/{id}", users_get, WHO_ADMIN, 0},
    {M_PATCH, "/api/v1/users/{id}", users_patch, WHO_ADMIN, 0},
    {M_POST, "/api/v1/wage-cases", wage_cases_create, WHO_PUBLIC, 0},
    {M_GET, "/api/v1/wage-cases", wage_cases_list, WHO_VOLUNTEER, 0},
    {M_GET, "/api/v1/wage-cases/track", wage_cases_track, WHO_PUBLIC, 0},
    {M_GET, "/api/v1/wage-cases/{id}", wage_cases_get, WHO_VOLUNTEER, 0},
    {M_PATCH, "/api/v1/wage-cases/{id}", wage_cases_patch, WHO_STAFF, 0},
    {M_POST, "/api/v1/wage-cases/{id}/transitions", wage_cases_transition,
     WHO_STAFF, 0},
    {M_POST, "/api/v1/wage-cases/{id}/recoveries", wage_cases_recover,
     WHO_STAFF, 0},
    {M_GET, "/api/v1/campaigns", campaigns_list, WHO_USER, 0},
    {M_POST, "/api/v1/campaigns", campaigns_create, WHO_ADMIN, 0},
    {M_GET, "/api/v1/campaigns/{id}", campaigns_get, WHO_USER, 0},
    {M_PATCH, "/api/v1/campaigns/{id}", campaigns_patch, WHO_ADMIN, 0},
    {M_GET, "/api/v1/stats", stats_get, WHO_STAFF, 0},
    {M_GET, "/api/v1/stats/by-unit", stats_by_unit, WHO_STAFF, 0},
    {M_GET, "/api/v1/stats/export", stats_export, WHO_STAFF, 0},
    {M_GET, "/api/v1/stats/records", stats_records, WHO_STAFF, 0},
    {M_GET, "/api/v1/stats/form", stats_form, WHO_USER, 0},
    {M_GET, "/api/v1/stats/entries", stats_entries_get, WHO_STAFF, 0},
    {M_PUT, "/api/v1/stats/entries", stats_entries_put, WHO_STAFF, 0},
    {M_GET, "/api/v1/stats/validation", stats_validation, WHO_STAFF, 0},
    {M_GET, "/api/v1/stats/submissions", stats_submissions_list, WHO_STAFF, 0},
    {M_POST, "/api/v1/stats/submissions", stats_submissions_create, WHO_STAFF,
     0},
    {M_GET, "/api/v1/stats/submissions/{id}", stats_submissions_get, WHO_STAFF,
     0},
    {M_POST, "/api/v1/stats/submissions/{id}/approve",
     stats_submissions_approve, WHO_STAFF, 0},
    {M_POST, "/api/v1/stats/submissions/{id}/return", stats_submissions_return,
     WHO_STAFF, 0},
    {M_POST, "/api/v1/stats/submissions/{id}/reopen", stats_submissions_reopen,
     WHO_ADMIN, 0},
    {M_GET, "/api/v1/stats/reporting", stats_reporting, WHO_STAFF, 0},
    {M_GET, "/api/v1/visits/categories", visits_categories, WHO_PUBLIC, R_NODB},
    {M_POST, "/api/v1/visits", visits_create, WHO_VOLUNTEER, 0},
    {M_GET, "/api/v1/visits", visits_list, WHO_VOLUNTEER, 0},
    {M_GET, "/api/v1/visits/{id}", visits_get, WHO_VOLUNTEER, 0},
    {M_PATCH, "/api/v1/visits/{id}", visits_patch, WHO_VOLUNTEER, 0},
    {M_DELETE, "/api/v1/visits/{id}", visits_delete, WHO_STAFF, 0},
    {M_POST, "/api/v1/safe-returns", safe_returns_create, WHO_VOLUNTEER, 0},
    {M_GET, "/api/v1/safe-returns", safe_returns_list, WHO_VOLUNTEER, 0},
    {M_POST, "/api/v1/safe-returns/batch", safe_returns_batch, WHO_VOLUNTEER,
     0},
    {M_POST, "/api/v1/safe-returns/arrivals", safe_returns_arrive, WHO_PUBLIC,
     0},
    {M_GET, "/api/v1/safe-returns/provinces", safe_returns_provinces,
     WHO_PUBLIC, 0},
    {M_GET, "/api/v1/safe-returns/{id}", safe_returns_get, WHO_VOLUNTEER, 0},
    {M_PATCH, "/api/v1/safe-returns/{id}", safe_returns_patch, WHO_VOLUNTEER,
     0},
    {M_POST, "/api/v1/safe-returns/{id}/transitions", safe_returns_transition,
     WHO_VOLUNTEER, 0},
    /* Recruitment fairs (job_fairs.c, fair_signups.c). */
    {M_GET, "/api/v1/job-fairs", job_fairs_list, WHO_PUBLIC, 0},
    {M_POST, "/api/v1/job-fairs", job_fairs_create, WHO_STAFF, 0},
    {M_GET, "/api/v1/job-fairs/{id}", job_fairs_get, WHO_PUBLIC, 0},
    {M_PATCH, "/api/v1/job-fairs/{id}", job_fairs_patch, WHO_STAFF, 0},
    {M_GET, "/api/v1/job-fairs/{id}/employers", job_fairs_employer_list,
     WHO_PUBLIC, 0},
    {M_POST, "/api/v1/job-fairs/{id}/employers", job_fairs_employer_create,
     WHO_PUBLIC, 0},
    {M_GET, "/api/v1/job-fairs/{id}/employers/{id}", job_fairs_employer_get,
     WHO_PUBLIC, 0},
    {M_GET, "/api/v1/job-fairs/{id}/registrations", job_fairs_registration_list,
     WHO_STAFF, 0},
    {M_POST, "/api/v1/job-fairs/{id}/registrations", job_fairs_register,
     WHO_PUBLIC, 0},
    {M_GET, "/api/v1/job-fairs/{id}/registrations/{key}",
     job_fairs_registration_get, WHO_PUBLIC, 0},
    {M_GET, "/api/v1/job-fairs/{id}/registrations/{key}/qr.svg", job_fairs_qr,
     WHO_PUBLIC, 0},
    {M_POST, "/api/v1/job-fairs/{id}/registrations/{key}/cancel",
     job_fairs_cancel, WHO_PUBLIC, 0},
    {M_POST, "/api/v1/job-fairs/{id}/check-ins", job_fairs_check_in,
     WHO_VOLUNTEER, 0},
    {M_GET, "/api/v1/job-fairs/{id}/placements", job_fairs_placement_list,
     WHO_STAFF, 0},
    {M_POST, "/api/v1/job-fairs/{id}/placements", job_fairs_placement_create,
     WHO_STAFF, 0},
};

const struct route *
route_table(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}

static const char *const method_names[] = {"GET", "POST",   "PATCH",
					   "PUT", "DELETE", "HEAD"};

const char *
method_name(enum method m)
{
	return m < M_OTHER ? method_names[m] : "?";
}

enum method
method_parse(const char *s)
{
	int i;

	for (i = 0; i < M_OTHER; i++)
		if (strcmp(method_names[i], s) == 0)
			return (enum method)i;
	return M_OTHER;
}

/* Does path match pattern?  Fills params with the variable segments. */
static int
match(const char *pattern, const char *path, const char **params,
      size_t *nparams, struct arena *a)
{
	const char *p = pattern, *s = path;
	size_t n = 0;

	while (*p != '\0') {
		size_t plen = strcspn(p, "/"), slen = strcspn(s, "/"), i;

		if (*p == '/' || *s == '/') {
			if (*p != *s)
				return 0;
			p++;
			s++;
			continue;
		}
		if (strncmp(p, "{id}", plen) == 0 && plen == 4) {
			if (slen < 1 || slen > 18 || *s == '0')
				return 0;
			for (i = 0; i < slen; i++)
				if (s[i] < '0' || s[i] > '9')
					return 0;
		} else if (strncmp(p, "{key}", plen) == 0 && plen == 5) {
			if (slen < 1 || slen > 64)
				return 0;
			for (i = 0; i < slen; i++)
				if (!((s[i] >= '0' && s[i] <= '9') ||
				      (s[i] >= 'A' && s[i] <= 'Z') ||
				      (s[i] >= 'a' && s[i] <= 'z') ||
				      s[i] == '_' || s[i] == '-'))
					return 0;
		} else {
			if (plen != slen || strncmp(p, s, plen) != 0)
				return 0;
			p += plen;
			s += slen;
			continue;
		}
		if (n < REQ_PARAMS && params != NULL)
			params[n] = arena_strndup(a, s, slen);
		n++;
		p += plen;
		s += slen;
	}
	if (*s != '\0')
		return 0;
	if (nparams != NULL)
		*nparams = n < REQ_PARAMS ? n : REQ_PARAMS;
	return 1;
}

int
route_match(const struct route *table, size_t n, enum method m,
	    const char *path, const char **params, size_t *nparams,
	    struct arena *a, char *allow, size_t allowsz)
{
	size_t i;
	int found = 0;

	allow[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!match(table[i].pattern, path, NULL, NULL, a))
			continue;
		if (table[i].method == m ||
		    (m == M_HEAD && table[i].method == M_GET)) {
			match(table[i].pattern, path, params, nparams, a);
			return (int)i;
		}
		if (strstr(allow, method_name(table[i].method)) == NULL) {
			size_t len = strlen(allow);

			snprintf(allow + len, allowsz - len, "%s%s%s",
				 len ? ", " : "", method_name(table[i].method),
				 table[i].method == M_GET ? ", HEAD" : "");
		}
		found = 1;
	}
	return found ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

static int
allowed(const struct user *u, enum who who)
{
	switch (who) {
	case WHO_PUBLIC:
		return 1;
	case WHO_USER:
		return u != NULL;
	case WHO_VOLUNTEER:
		return u != NULL;
	case WHO_STAFF:
		return u != NULL && u->role != ROLE_VOLUNTEER;
	case WHO_ADMIN:
		return u != NULL && u->role == ROLE_ADMIN;
	}
	return 0;
}

/* Turns a failed database call into the answer the client gets, and
 * logs it once: the route's pattern, never the path, which may hold a
 * code, and never a value. */
static void
db_failed(struct req *r, const struct route *rt)
{
	db_log_failure(r->db, arena_printf(&r->arena, "%s %s", r->method_name,
					   rt ? rt->pattern : "?"));
	http_reset_response(r);
	/* A value the field tables let through but a column refused is a
	 * gap in a field table (logged above), yet still the client's
	 * input: never a 500. */
	switch (r->db->err) {
	case ER_DUP_ENTRY:
	case ER_DUP_ENTRY_WITH_KEY_NAME:
	case ER_ROW_IS_REFERENCED_2:
	case ER_NO_REFERENCED_ROW_2:
		http_problem(r, 409, "conflict",
			     "与已有记录冲突，未作任何更改");
		return;
	case ER_BAD_NULL_ERROR:
	case ER_WARN_DATA_OUT_OF_RANGE:
	case WARN_DATA_TRUNCATED:
	case ER_TRUNCATED_WRONG_VALUE:
	case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
	case ER_DATA_TOO_LONG:
	case ER_CONSTRAINT_FAILED:
		http_problem(r, 400, "invalid_value",
			     "有取值超出了允许的范围，未作任何更改");
		return;
	}
	if (r->db->my == NULL || db_lost(r->db)) {
		http_header(r, "Retry-After: 5");
		http_problem(r, 503, "db_unavailable",
			     "数据库暂时不可用，请稍后重试");
	} else if (db_retryable(r->db)) {
		http_header(r, "Retry-After: 1");
		http_problem(r, 503, "busy", "系统繁忙，请稍后重试");
	} else
		http_problem(r, 500, "internal", "服务器内部错误，请稍后重试");
}

/*
 * Runs a write: claim the idempotency key, run the handler, store its
 * answer with the key and commit -- or roll everything back.  A deadlock
 * reruns the whole transaction from a clean response.
 */
static void
run_write(struct req *r, const struct route *rt)
{
	enum idem idem = IDEM_NEW;
	int attempt, rc;
	int with_key = r->method == M_POST && r->idem_key != NULL &&
		       !(rt->flags & R_NOIDEM);

	for (attempt = 0; attempt < TX_ATTEMPTS; attempt++) {
		http_reset_response(r);
		if (db_begin(r->db) != 0)
			break;
		if (with_key) {
			rc = idem_claim(r, &idem);
			if (rc == HANDLER_DB)
				goto failed;
			if (idem == IDEM_ANSWERED) {
				db_rollback(r->db);
				return;
			}
		}
		if ((rc = rt->handler(r)) == HANDLER_DB)
			goto failed;
		if (r->status < 400) {
			if (with_key && idem_save(r) != 0)
				goto failed;
		} else if (r->keep) {
			if (with_key && idem_release(r) != 0)
				goto failed;
		} else {
			db_rollback(r->db);
			return;
		}
		if (db_commit(r->db) == 0)
			return;
	failed:
		db_rollback(r->db);
		if (!db_retryable(r->db))
			break;
	}
	db_failed(r, rt);
}

void
route_dispatch(struct req *r)
{
	const struct route *rt;
	char allow[64];
	int i;

	i = route_match(routes, sizeof(routes) / sizeof(routes[0]), r->method,
			r->path, r->params, &r->nparams, &r->arena, allow,
			sizeof(allow));
	if (i == ROUTE_NOT_FOUND) {
		http_problem(r, 404, "not_found", "没有这个地址");
		return;
	}
	if (i == ROUTE_BAD_METHOD) {
		http_header(r, "Allow: %s", allow);
		http_problem(r, 405, "method_not_allowed",
			     arena_printf(&r->arena, "该地址只支持 %s", allow));
		return;
	}
	rt = &routes[i];
	if (r->method != M_GET && r->method != M_HEAD && http_read_body(r) != 0)
		return;
	if (rt->flags & R_NODB) {
		rt->handler(r);
		return;
	}
	if (r->idem_key != NULL && !idem_valid_key(r->idem_key)) {
		http_problem(r, 400, "invalid_header",
			     "Idempotency-Key 应为 1 到 255 个可见 ASCII 字符");
		return;
	}
	if (db_ensure(r->db) != 0 || auth_identify(r) != 0) {
		db_failed(r, rt);
		return;
	}
	if (!allowed(r->user, rt->who)) {
		if (r->user == NULL)
			http_problem(r, 401, "unauthenticated", "请先登录");
		else
			http_problem(r, 403, "forbidden", "没有权限执行此操作");
		return;
	}
	/* A browser adds the cookie to cross-site requests by itself, but it
	 * cannot add a custom header to them without a CORS preflight. */
	if (r->by_cookie && r->method != M_GET && r->method != M_HEAD &&
	    (r->requested_with == NULL || *r->requested_with == '\0')) {
		http_problem(
		    r, 403, "csrf",
		    "使用 Cookie 登录时，修改请求须带 X-Requested-With 头");
		return;
	}
	if (r->method == M_GET || r->method == M_HEAD) {
		int rc = rt->handler(r);

		/* A read that failed on the replica is answered from the
		 * primary: a GET is safe to run twice. */
		if (rc == HANDLER_DB && r->on_replica && r->replica->err != 0) {
			db_replica_failed(r->replica);
			http_reset_response(r);
			r->on_replica = 0;
			r->no_replica = 1;
			rc = rt->handler(r);
		}
		if (rc == HANDLER_DB)
			db_failed(r, rt);
		return;
	}
	run_write(r, rt);
}
