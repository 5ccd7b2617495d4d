#include <stdlib.h>
#include <string.h>

#include "query.h"

SQL(sql_unit_path, "SELECT path FROM units WHERE id = ?");

const char *
query_enum(struct req *r, const char *name, const char *const *names,
	   struct verrs *e)
{
	const char *v = req_query(r, name);
	int i;

	if (v == NULL || *v == '\0')
		return NULL;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], v) == 0)
			return names[i];
	verrs_add(e, name, "enum", "取值不在允许范围内");
	return NULL;
}

const char *
query_date(struct req *r, const char *name, struct verrs *e)
{
	const char *v = req_query(r, name);

	if (v == NULL || *v == '\0')
		return NULL;
	if (valid_date(v) != NULL) {
		verrs_add(e, name, "date", "日期格式应为 YYYY-MM-DD");
		return NULL;
	}
	return v;
}

void
query_period(struct req *r, const char **from, const char **to, struct verrs *e)
{
	*from = query_date(r, "from", e);
	*to = query_date(r, "to", e);
	if (*from && *to && strcmp(*from, *to) > 0)
		verrs_add(e, "to", "out_of_range", "结束日期早于开始日期");
}

int
unit_path(struct req *r, int64_t unit_id, char **path)
{
	int rc =
	    db_one(r->db, &r->arena, &sql_unit_path, "i", "s", unit_id, path);

	return rc < 0 ? HANDLER_DB : rc;
}

int64_t
query_id(struct req *r, const char *name, const char *message, struct verrs *e)
{
	const char *v = req_query(r, name);
	char *end;
	long long id;

	if (v == NULL || *v == '\0')
		return 0;
	id = strtoll(v, &end, 10);
	if (*end != '\0' || id < 1 || strlen(v) > 18) {
		verrs_add(e, name, "type", message);
		return -1;
	}
	return id;
}

int
query_unit(struct req *r, const char *name, char **path, struct verrs *e)
{
	int64_t id = query_id(r, name, "单位编号应为正整数", e);
	int rc;

	*path = NULL;
	if (id <= 0)
		return 0;
	if ((rc = unit_path(r, id, path)) == HANDLER_DB)
		return HANDLER_DB;
	if (rc == 0)
		verrs_add(e, name, "unknown", "没有这个单位");
	return 0;
}

const char *
query_text(struct req *r, const char *name, size_t max, struct verrs *e)
{
	const char *q = req_query(r, name);

	if (q == NULL || *q == '\0')
		return NULL;
	if (utf8_chars(q) > max) {
		verrs_add(e, name, "too_long",
			  arena_printf(&r->arena, "最多 %zu 个字", max));
		return NULL;
	}
	return q;
}

char *
like_pattern(struct arena *a, const char *q)
{
	char *out = arena_alloc(a, strlen(q) * 2 + 3), *o = out;

	*o++ = '%';
	for (; *q != '\0'; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*o++ = '\\';
		*o++ = *q;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

const char *
scope_path(const struct req *r)
{
	return r->user->role == ROLE_ADMIN ? "/" : r->user->unit_path;
}
