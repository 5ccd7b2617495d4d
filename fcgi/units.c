/*
 * Units: the district union and the town, street and directly affiliated
 * unions below it.  Each unit keeps its materialised path ("/1/4/"), so a
 * subtree is a prefix match, for authorization and for statistics alike.
 */
#include <mysqld_error.h>
#include <string.h>

#include "audit.h"
#include "resources.h"

/* A new unit is never a second district. */
static const char *const new_kinds[] = {"town", "street", "direct", NULL};

SQL(sql_list, "SELECT id, code, name, kind, parent_id FROM units "
	      "ORDER BY id");
SQL(sql_get, "SELECT id, code, name, kind, parent_id FROM units "
	     "WHERE id = ?");
SQL(sql_parent, "SELECT path FROM units WHERE id = ?");
SQL(sql_insert, "INSERT INTO units (code, name, kind, parent_id, path, "
		"created_by, created_at, updated_at) "
		"VALUES (?, ?, ?, ?, '', ?, NOW(), NOW())");
SQL(sql_set_path, "UPDATE units SET path = CONCAT(?, id, '/') WHERE id = ?");

struct unit_in {
	uint64_t has;
	char *code;
	char *name;
	int kind;
	int64_t parent_id;
};

static const char *
check_code(const char *s)
{
	size_t n =
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789_-");

	return s[n] == '\0' ? NULL : "format";
}

static const struct vfield unit_fields[] = {
    {"code", "单位代码", VT_STRING, V_REQ, 2, 32,
     offsetof(struct unit_in, code), NULL, NULL, 0, check_code},
    {"name", "单位名称", VT_STRING, V_REQ, 1, 50,
     offsetof(struct unit_in, name), NULL, NULL, 0, NULL},
    {"kind", "单位类型", VT_ENUM, V_REQ, 0, 0, offsetof(struct unit_in, kind),
     new_kinds, NULL, 0, NULL},
    {"parent_id", "上级单位", VT_INT, V_REQ, 1, INT64_MAX,
     offsetof(struct unit_in, parent_id), NULL, NULL, 0, NULL},
};
static const struct vtable unit_table = VTABLE(unit_fields, struct unit_in);

/* The request tables above, for the tests that walk every table
 * (resources.h FIELD_TABLES). */
const struct vtable_ref unit_tables[] = {
    {"units.create", &unit_table},
    {NULL, NULL},
};

static json_t *
unit_json(int64_t id, const char *code, const char *name, const char *kind,
	  int64_t parent, int noparent)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)id,
			 "code", code, "name", name, "kind", kind, "parent_id",
			 noparent ? json_null() : json_integer(parent));
}

/*
 * GET /units (public).  Raises 200 {items:[{id, code, name, kind,
 * parent_id}]}, the whole tree in creation order: it is small, and the
 * pages need all of it for their pickers.
 */
int
units_list(struct req *r)
{
	struct dbres q;
	json_t *items = json_array();
	char *code, *name, *kind;
	int64_t id, parent;
	int noparent, rc;

	if (db_query(r->db, &q, &sql_list, "") != 0) {
		json_decref(items);
		return HANDLER_DB;
	}
	while ((rc = db_row(&q, &r->arena, "isssI", &id, &code, &name, &kind,
			    &parent, &noparent)) == 1)
		json_array_append_new(
		    items, unit_json(id, code, name, kind, parent, noparent));
	db_end(&q);
	if (rc < 0) {
		json_decref(items);
		return HANDLER_DB;
	}
	return http_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
 * GET /units/{id} (public).  Raises 404 for an unknown unit.
 */
int
units_get(struct req *r)
{
	char *code, *name, *kind;
	int64_t id, parent;
	int noparent, rc;

	rc = db_one(r->db, &r->arena, &sql_get, "i", "isssI", req_id(r, 0), &id,
		    &code, &name, &kind, &parent, &noparent);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_problem(r, 404, "not_found", "没有这个单位");
	return http_json(r, 200,
			 unit_json(id, code, name, kind, parent, noparent));
}

/*
 * POST /units (admin) {code, name, kind, parent_id}.  Raises 400 on invalid
 * fields or an unknown parent, 409 "unit_code_taken" when the code is in
 * use, 201 with Location on success.
 */
int
units_create(struct req *r)
{
	struct unit_in in;
	char *ppath = NULL;
	int64_t id;
	int rc;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &unit_table, &in) != 0)
		return 0;
	rc = db_one(r->db, &r->arena, &sql_parent, "i", "s", in.parent_id,
		    &ppath);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_field_error(r, "parent_id", "unknown",
					"上级单位不存在");
	if (db_exec(r->db, &sql_insert, "sssii", in.code, in.name,
		    new_kinds[in.kind], in.parent_id, r->user->id) < 0) {
		if (r->db->err == ER_DUP_ENTRY)
			return http_problem(r, 409, "unit_code_taken",
					    "单位代码已被使用");
		return HANDLER_DB;
	}
	id = db_last_id(r->db);
	if (db_exec(r->db, &sql_set_path, "si", ppath, id) < 0)
		return HANDLER_DB;
	if (audit(r, "unit.create", "units", id, NULL,
		  unit_json(id, in.code, in.name, new_kinds[in.kind],
			    in.parent_id, 0)) != 0)
		return HANDLER_DB;
	http_header(r, "Location: /api/v1/units/%lld", (long long)id);
	return http_json(r, 201,
			 unit_json(id, in.code, in.name, new_kinds[in.kind],
				   in.parent_id, 0));
}
