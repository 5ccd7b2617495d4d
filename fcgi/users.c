/*
 * Users: staff, volunteers and admins, managed by admins.
 */
#include <mysqld_error.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "resources.h"

#define USER_COLS                                                              \
	"id, username, display_name, role, unit_id, disabled, version, "       \
	"DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s+08:00')"

SQL(sql_list, "SELECT " USER_COLS " FROM users WHERE id < ? "
	      "ORDER BY id DESC LIMIT ?");
SQL(sql_get, "SELECT " USER_COLS " FROM users WHERE id = ?");
SQL(sql_lock, "SELECT " USER_COLS " FROM users WHERE id = ? FOR UPDATE");
SQL(sql_unit, "SELECT id FROM units WHERE id = ?");
SQL(sql_insert, "INSERT INTO users (username, password_hash, display_name, "
		"role, unit_id, created_at, updated_at) "
		"VALUES (?, ?, ?, ?, ?, NOW(), NOW())");
SQL(sql_update, "UPDATE users SET display_name = ?, role = ?, unit_id = ?, "
		"disabled = ?, version = version + 1, updated_at = NOW() "
		"WHERE id = ?");
SQL(sql_set_password, "UPDATE users SET password_hash = ? WHERE id = ?");
SQL(sql_end_sessions, "DELETE FROM sessions WHERE user_id = ?");

struct row {
	int64_t id, unit_id, disabled, version;
	char *username, *display_name, *role, *created_at;
};

struct user_in {
	uint64_t has;
	char *username;
	char *password;
	char *display_name;
	int role;
	int64_t unit_id;
	int disabled;
};

enum { F_USERNAME, F_PASSWORD, F_DISPLAY_NAME, F_ROLE, F_UNIT };

static const char *
check_username(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-");

	return s[n] == '\0' ? NULL : "format";
}

#define FIELD(name, label, type, flags, min, max, member, enums, check)        \
	{                                                                      \
		name, label, type, flags, min, max,                            \
		    offsetof(struct user_in, member), enums, NULL, 0, check    \
	}

static const struct vfield create_fields[] = {
    [F_USERNAME] = FIELD("username", "用户名", VT_STRING, V_REQ, 3, 32,
			 username, NULL, check_username),
    [F_PASSWORD] = FIELD("password", "密码", VT_STRING, V_REQ, 10, 200,
			 password, NULL, NULL),
    [F_DISPLAY_NAME] = FIELD("display_name", "姓名", VT_STRING, V_REQ, 1, 50,
			     display_name, NULL, NULL),
    [F_ROLE] =
	FIELD("role", "角色", VT_ENUM, V_REQ, 0, 0, role, role_names, NULL),
    [F_UNIT] = FIELD("unit_id", "所属单位", VT_INT, V_REQ, 1, INT64_MAX,
		     unit_id, NULL, NULL),
};
static const struct vtable create_table = VTABLE(create_fields, struct user_in);

/* What a PATCH may change, all optional; a username is for good. */
enum { P_PASSWORD, P_DISPLAY_NAME, P_ROLE, P_UNIT, P_DISABLED };

static const struct vfield patch_fields[] = {
    [P_PASSWORD] =
	FIELD("password", "密码", VT_STRING, 0, 10, 200, password, NULL, NULL),
    [P_DISPLAY_NAME] = FIELD("display_name", "姓名", VT_STRING, 0, 1, 50,
			     display_name, NULL, NULL),
    [P_ROLE] = FIELD("role", "角色", VT_ENUM, 0, 0, 0, role, role_names, NULL),
    [P_UNIT] = FIELD("unit_id", "所属单位", VT_INT, 0, 1, INT64_MAX, unit_id,
		     NULL, NULL),
    [P_DISABLED] =
	FIELD("disabled", "停用", VT_BOOL, 0, 0, 0, disabled, NULL, NULL),
};
static const struct vtable patch_table = VTABLE(patch_fields, struct user_in);

/* The request tables above, for the tests that walk every table
 * (resources.h FIELD_TABLES). */
const struct vtable_ref user_tables[] = {
    {"users.create", &create_table},
    {"users.patch", &patch_table},
    {NULL, NULL},
};

static int
read_row(struct dbres *q, struct arena *a, struct row *u)
{
	return db_row(q, a, "isssiiis", &u->id, &u->username, &u->display_name,
		      &u->role, &u->unit_id, &u->disabled, &u->version,
		      &u->created_at);
}

static int
one_row(struct req *r, struct sql *s, int64_t id, struct row *u)
{
	return db_one(r->db, &r->arena, s, "i", "isssiiis", id, &u->id,
		      &u->username, &u->display_name, &u->role, &u->unit_id,
		      &u->disabled, &u->version, &u->created_at);
}

static json_t *
row_json(const struct row *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:b, s:I, s:s}", "id",
			 (json_int_t)u->id, "username", u->username,
			 "display_name", u->display_name, "role", u->role,
			 "unit_id", (json_int_t)u->unit_id, "disabled",
			 (int)u->disabled, "version", (json_int_t)u->version,
			 "created_at", u->created_at);
}

/*
 * GET /users?limit=&cursor= (admin).  Raises 400 on a bad limit or cursor,
 * 200 {items, next_cursor} newest first otherwise.
 */
int
users_list(struct req *r)
{
	struct dbres q;
	struct row u;
	json_t *items;
	int64_t after, last = 0;
	int limit, n = 0, rc;

	if (req_page(r, &limit, &after) != 0)
		return 0;
	if (db_query(r->db, &q, &sql_list, "ii", after, (int64_t)limit + 1) !=
	    0)
		return HANDLER_DB;
	items = json_array();
	while ((rc = read_row(&q, &r->arena, &u)) == 1 && n < limit) {
		json_array_append_new(items, row_json(&u));
		last = u.id;
		n++;
	}
	db_end(&q);
	if (rc < 0) {
		json_decref(items);
		return HANDLER_DB;
	}
	return http_page(r, items, rc == 1, last);
}

/*
 * GET /users/{id} (admin).  Raises 404 for an unknown user, 200 with ETag.
 */
int
users_get(struct req *r)
{
	struct row u;
	int rc;

	if ((rc = one_row(r, &sql_get, req_id(r, 0), &u)) < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_problem(r, 404, "not_found", "没有这个用户");
	http_etag(r, u.version);
	return http_json(r, 200, row_json(&u));
}

static int
unit_exists(struct req *r, int64_t id)
{
	int64_t found;

	return db_one(r->db, &r->arena, &sql_unit, "i", "i", id, &found);
}

/*
 * POST /users (admin) {username, password, display_name, role, unit_id}.
 * Raises 400 on invalid fields or an unknown unit, 409 "username_taken",
 * 201 with Location and ETag on success.  The password is stored only as
 * its argon2id hash.
 */
int
users_create(struct req *r)
{
	struct user_in in;
	struct row u;
	char hash[crypto_pwhash_STRBYTES];
	int64_t id;
	int rc;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &create_table, &in) != 0)
		return 0;
	if ((rc = unit_exists(r, in.unit_id)) < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_field_error(r, "unit_id", "unknown",
					"所属单位不存在");
	if (auth_hash_password(in.password, hash) != 0)
		return http_problem(r, 500, "internal", "无法保存密码");
	if (db_exec(r->db, &sql_insert, "ssssi", in.username, hash,
		    in.display_name, role_names[in.role], in.unit_id) < 0) {
		if (r->db->err == ER_DUP_ENTRY)
			return http_problem(r, 409, "username_taken",
					    "用户名已被使用");
		return HANDLER_DB;
	}
	id = db_last_id(r->db);
	if ((rc = one_row(r, &sql_get, id, &u)) <= 0)
		return HANDLER_DB;
	if (audit(r, "user.create", "users", id, NULL, row_json(&u)) != 0)
		return HANDLER_DB;
	http_header(r, "Location: /api/v1/users/%lld", (long long)id);
	http_etag(r, u.version);
	return http_json(r, 201, row_json(&u));
}

/*
 * PATCH /users/{id} (admin; If-Match) {display_name?, role?, unit_id?,
 * password?, disabled?}.  Raises 428 without If-Match, 412 when the
 * version moved on, 404 for an unknown user, 400 on invalid fields or an
 * empty change, 409 "self_lockout" when admins would disable or demote
 * themselves, 200 with the new ETag.  Disabling ends the user's sessions.
 */
int
users_patch(struct req *r)
{
	struct user_in in;
	struct row before, after;
	char hash[crypto_pwhash_STRBYTES];
	const char *role;
	int64_t unit, disabled;
	int rc;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &patch_table, &in) != 0)
		return 0;
	if (in.has == 0)
		return http_field_error(r, "", "required",
					"请至少修改一个字段");
	if ((rc = one_row(r, &sql_lock, req_id(r, 0), &before)) < 0)
		return HANDLER_DB;
	if (rc == 0)
		return http_problem(r, 404, "not_found", "没有这个用户");
	if (req_if_match(r, before.version) != 0)
		return 0;
	role = in.has & VBIT(P_ROLE) ? role_names[in.role] : before.role;
	unit = in.has & VBIT(P_UNIT) ? in.unit_id : before.unit_id;
	disabled = in.has & VBIT(P_DISABLED) ? in.disabled : before.disabled;
	if (before.id == r->user->id &&
	    (disabled || strcmp(role, "admin") != 0))
		return http_problem(r, 409, "self_lockout",
				    "不能停用自己或取消自己的管理员角色");
	if (in.has & VBIT(P_UNIT)) {
		if ((rc = unit_exists(r, unit)) < 0)
			return HANDLER_DB;
		if (rc == 0)
			return http_field_error(r, "unit_id", "unknown",
						"所属单位不存在");
	}
	if (db_exec(r->db, &sql_update, "ssiii",
		    in.has & VBIT(P_DISPLAY_NAME) ? in.display_name
						  : before.display_name,
		    role, unit, disabled, before.id) < 0)
		return HANDLER_DB;
	if (in.has & VBIT(P_PASSWORD)) {
		if (auth_hash_password(in.password, hash) != 0)
			return http_problem(r, 500, "internal", "无法保存密码");
		if (db_exec(r->db, &sql_set_password, "si", hash, before.id) <
		    0)
			return HANDLER_DB;
	}
	/* A disabled user or a changed password ends every session. */
	if ((disabled || (in.has & VBIT(P_PASSWORD))) &&
	    db_exec(r->db, &sql_end_sessions, "i", before.id) < 0)
		return HANDLER_DB;
	if (one_row(r, &sql_get, before.id, &after) <= 0)
		return HANDLER_DB;
	if (audit(r, "user.update", "users", before.id, row_json(&before),
		  row_json(&after)) != 0)
		return HANDLER_DB;
	http_etag(r, after.version);
	return http_json(r, 200, row_json(&after));
}
