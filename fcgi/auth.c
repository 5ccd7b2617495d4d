/*
 * Sessions and passwords.
 *
 * A session token is 32 random bytes sent to the client once; the database
 * keeps only its SHA-256, so a copy of the sessions table lets nobody sign
 * in.  A plain hash suffices here, unlike for passwords: the token has 256
 * bits of entropy and nothing to guess.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "auth.h"

#define SESSION_IDLE_HOURS 12
#define LOCKOUT_FAILURES 5

const char *const role_names[] = {"admin", "staff", "volunteer", NULL};

const char *
role_name(enum role r)
{
	return role_names[r];
}

SQL(sql_session, "SELECT u.id, u.username, u.display_name, u.role, "
		 "u.unit_id, n.path, s.last_seen < NOW() - INTERVAL 1 MINUTE "
		 "FROM sessions s JOIN users u ON u.id = s.user_id "
		 "JOIN units n ON n.id = u.unit_id "
		 "WHERE s.token_hash = ? AND u.disabled = 0 "
		 "AND s.last_seen > NOW() - INTERVAL 12 HOUR");
SQL(sql_touch, "UPDATE sessions SET last_seen = NOW() WHERE token_hash = ?");
SQL(sql_failures, "SELECT COUNT(*), TIMESTAMPDIFF(SECOND, NOW(), "
		  "MIN(at) + INTERVAL 15 MINUTE) FROM login_failures "
		  "WHERE username = ? AND at > NOW() - INTERVAL 15 MINUTE");
SQL(sql_guard, "INSERT INTO login_guards (username, at) VALUES (?, NOW()) "
	       "ON DUPLICATE KEY UPDATE at = NOW()");
SQL(sql_fail, "INSERT INTO login_failures (username, at, remote_addr) "
	      "VALUES (?, NOW(), ?)");
SQL(sql_clear_failures, "DELETE FROM login_failures WHERE username = ?");
SQL(sql_login_user, "SELECT u.id, u.password_hash, u.disabled, "
		    "u.username, u.display_name, u.role, u.unit_id, n.path "
		    "FROM users u JOIN units n ON n.id = u.unit_id "
		    "WHERE u.username = CONVERT(? USING ascii)");
SQL(sql_new_session, "INSERT INTO sessions (token_hash, user_id, "
		     "created_at, last_seen) VALUES (?, ?, NOW(), NOW())");
SQL(sql_expires, "SELECT DATE_FORMAT(NOW() + INTERVAL 12 HOUR, "
		 "'%Y-%m-%dT%H:%i:%s+08:00')");
SQL(sql_end_session, "DELETE FROM sessions WHERE token_hash = ?");

static int
role_parse(const char *s)
{
	int i;

	for (i = 0; role_names[i] != NULL; i++)
		if (strcmp(role_names[i], s) == 0)
			return i;
	return -1;
}

const char *
auth_token(struct req *r, int *by_cookie)
{
	const char *p;
	size_t n;

	*by_cookie = 0;
	if (r->authorization != NULL &&
	    strncasecmp(r->authorization, "Bearer ", 7) == 0)
		return r->authorization + 7;
	for (p = r->cookie; p != NULL && *p != '\0';) {
		while (*p == ' ' || *p == ';')
			p++;
		n = strcspn(p, ";");
		if (strncmp(p, "sid=", 4) == 0) {
			*by_cookie = 1;
			return arena_strndup(&r->arena, p + 4, n - 4);
		}
		p += n;
	}
	return NULL;
}

int
auth_identify(struct req *r)
{
	struct user *u = &r->user_storage;
	const char *token;
	char *role = NULL;
	int64_t stale = 0;
	int by_cookie, rc;

	r->user = NULL;
	if ((token = auth_token(r, &by_cookie)) == NULL || *token == '\0' ||
	    strlen(token) > 128)
		return 0;
	crypto_hash_sha256(r->token_hash, (const unsigned char *)token,
			   strlen(token));
	rc =
	    db_one(r->db, &r->arena, &sql_session, "b", "isssisi",
		   r->token_hash, sizeof(r->token_hash), &u->id, &u->username,
		   &u->display_name, &role, &u->unit_id, &u->unit_path, &stale);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0 || role == NULL || role_parse(role) < 0)
		return 0;
	u->role = (enum role)role_parse(role);
	r->user = u;
	r->by_cookie = by_cookie;
	/* Sliding expiry, written at most once a minute per session. */
	if (stale && db_exec(r->db, &sql_touch, "b", r->token_hash,
			     sizeof(r->token_hash)) < 0)
		return HANDLER_DB;
	return 0;
}

int
auth_in_subtree(const struct user *u, const char *unit_path)
{
	if (u == NULL || unit_path == NULL)
		return 0;
	if (u->role == ROLE_ADMIN)
		return 1;
	return strncmp(unit_path, u->unit_path, strlen(u->unit_path)) == 0;
}

int
auth_hash_password(const char *pw, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str(out, pw, strlen(pw),
				 crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy(void)
{
	char pw[33];

	randombytes_buf(pw, 16);
	sodium_bin2hex(pw, sizeof(pw), (unsigned char *)pw, 16);
	auth_hash_password(pw, dummy_hash);
}

struct login_in {
	uint64_t has;
	char *username;
	char *password;
};

static const struct vfield login_fields[] = {
    {"username", "用户名", VT_STRING, V_REQ, 1, 64,
     offsetof(struct login_in, username), NULL, NULL, 0, NULL},
    {"password", "密码", VT_STRING, V_REQ, 1, 1024,
     offsetof(struct login_in, password), NULL, NULL, 0, NULL},
};
static const struct vtable login_table = VTABLE(login_fields, struct login_in);

/* The request tables above, for the tests that walk every table
 * (resources.h FIELD_TABLES). */
const struct vtable_ref auth_tables[] = {
    {"auth.login", &login_table},
    {NULL, NULL},
};

/* A cookie set over HTTPS is marked Secure, so the browser never sends
 * the session over plain HTTP; `make run` without TLS sets it plain. */
static const char *
secure(const struct req *r)
{
	return r->https ? "; Secure" : "";
}

static json_t *
user_json(const struct user *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)u->id,
			 "username", u->username, "display_name",
			 u->display_name, "role", role_name(u->role), "unit_id",
			 (json_int_t)u->unit_id);
}

/*
 * POST /auth/login {username, password}.
 * Raises 400 on a malformed body, 401 (always the same) on an unknown user,
 * a wrong password or a disabled account, 429 "locked" after 5 failures for
 * the username within 15 minutes.  Raises 200 {token, expires_at, user} and
 * sets the sid cookie on success.
 */
int
auth_login(struct req *r)
{
	struct login_in in;
	struct user *u = &r->user_storage;
	int64_t failures = 0, wait = 0, disabled = 0;
	char *hash = NULL, *expires = NULL, *role = NULL;
	unsigned char raw[32], th[32];
	char token[64];
	int rc, ok;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &login_table, &in) != 0)
		return 0;
	/* Attempts on one username queue here until the one before has
	 * counted its failure: without it, concurrent guesses would all see
	 * fewer than 5 failures and all be checked. */
	if (db_exec(r->db, &sql_guard, "s", in.username) < 0 ||
	    db_one(r->db, &r->arena, &sql_failures, "s", "ii", in.username,
		   &failures, &wait) < 0)
		return HANDLER_DB;
	if (failures >= LOCKOUT_FAILURES) {
		http_header(r, "Retry-After: %lld",
			    (long long)(wait > 0 ? wait : 1));
		return http_problem(r, 429, "locked",
				    "登录失败次数过多，请 15 分钟后再试");
	}
	rc = db_one(r->db, &r->arena, &sql_login_user, "s", "isisssis",
		    in.username, &u->id, &hash, &disabled, &u->username,
		    &u->display_name, &role, &u->unit_id, &u->unit_path);
	if (rc < 0)
		return HANDLER_DB;
	pthread_once(&dummy_once, make_dummy);
	/* Verify even for an unknown user so that timing tells nothing. */
	ok = crypto_pwhash_str_verify(rc == 1 && hash ? hash : dummy_hash,
				      in.password, strlen(in.password)) == 0;
	if (rc == 0 || !ok || disabled || role == NULL ||
	    role_parse(role) < 0) {
		if (db_exec(r->db, &sql_fail, "ss", in.username,
			    r->remote_addr) < 0)
			return HANDLER_DB;
		r->keep = 1; /* the failure must count although we answer 401 */
		return http_problem(r, 401, "invalid_credentials",
				    "用户名或密码错误");
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, sizeof(token), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	crypto_hash_sha256(th, (unsigned char *)token, strlen(token));
	if (db_exec(r->db, &sql_clear_failures, "s", in.username) < 0 ||
	    db_exec(r->db, &sql_new_session, "bi", th, sizeof(th), u->id) < 0 ||
	    db_one(r->db, &r->arena, &sql_expires, "", "s", &expires) < 0)
		return HANDLER_DB;
	/* The caller is now this user, for the audit row and the answer. */
	u->role = (enum role)role_parse(role);
	r->user = u;
	if (audit(r, "auth.login", "users", u->id, NULL, NULL) != 0)
		return HANDLER_DB;
	http_header(r,
		    "Set-Cookie: sid=%s; HttpOnly; SameSite=Strict; Path=/; "
		    "Max-Age=%d%s",
		    token, SESSION_IDLE_HOURS * 3600, secure(r));
	return http_json(r, 200,
			 json_pack("{s:s, s:s, s:o}", "token", token,
				   "expires_at", expires, "user",
				   user_json(r->user)));
}

/*
 * POST /auth/logout.  Ends the caller's session and clears the cookie.
 * Raises 401 when not signed in, 204 otherwise.
 */
int
auth_logout(struct req *r)
{
	if (db_exec(r->db, &sql_end_session, "b", r->token_hash,
		    sizeof(r->token_hash)) < 0)
		return HANDLER_DB;
	http_header(r,
		    "Set-Cookie: sid=; HttpOnly; SameSite=Strict; Path=/; "
		    "Max-Age=0%s",
		    secure(r));
	return http_empty(r, 204);
}

/*
 * GET /me.  Raises 401 when not signed in, 200 with the caller otherwise.
 */
int
auth_me(struct req *r)
{
	return http_json(r, 200, user_json(r->user));
}
