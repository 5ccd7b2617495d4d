/*
 * The claim is an INSERT of the key's row that refuses to wait for a row
 * lock: a request repeated while the first is still running finds the row
 * locked by the first's open transaction (lock wait timeout, answered 409);
 * one repeated after the first committed finds it stored (duplicate key)
 * and replays it; one repeated after the first failed finds nothing, since
 * a failure rolls the claim back, and simply runs again.
 */
#include <string.h>

#include <mysqld_error.h>
#include <sodium.h>

#include "idem.h"

SQL(sql_claim, "SET STATEMENT innodb_lock_wait_timeout = 0 FOR "
	       "INSERT INTO idempotency_keys (user_id, idem_key, "
	       "request_hash, created_at) VALUES (?, ?, ?, NOW())");
SQL(sql_stored, "SELECT request_hash, status, content_type, headers, body "
		"FROM idempotency_keys WHERE user_id = ? AND idem_key = ?");
SQL(sql_save, "UPDATE idempotency_keys SET status = ?, content_type = ?, "
	      "headers = ?, body = ? WHERE user_id = ? AND idem_key = ?");
SQL(sql_release, "DELETE FROM idempotency_keys "
		 "WHERE user_id = ? AND idem_key = ?");

int
idem_valid_key(const char *k)
{
	size_t n = strlen(k), i;

	if (n < 1 || n > 255)
		return 0;
	for (i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return 0;
	return 1;
}

/* Fixed at the claim: login signs the caller in half way through. */
static int64_t
scope(const struct req *r)
{
	return r->idem_scope;
}

/* SHA-256 of method, path with query and body, in hex. */
static void
fingerprint(const struct req *r, char hex[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[32];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)r->method_name,
				  strlen(r->method_name) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)r->uri,
				  strlen(r->uri) + 1);
	if (r->bodylen > 0)
		crypto_hash_sha256_update(&st, (const unsigned char *)r->body,
					  r->bodylen);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

int
idem_claim(struct req *r, enum idem *out)
{
	char hex[65], *hash = NULL, *type = NULL, *headers = NULL, *body = NULL;
	int64_t status = 0;
	int rc;

	fingerprint(r, hex);
	r->idem_scope = r->user ? r->user->id : 0;
	*out = IDEM_NEW;
	if (db_exec(r->db, &sql_claim, "iss", scope(r), r->idem_key, hex) >= 0)
		return 0;
	*out = IDEM_ANSWERED;
	if (r->db->err == ER_LOCK_WAIT_TIMEOUT)
		return http_problem(r, 409, "idempotency_in_flight",
				    "相同幂等键的请求仍在处理中，请稍后重试");
	if (r->db->err != ER_DUP_ENTRY)
		return HANDLER_DB;
	rc = db_one(r->db, &r->arena, &sql_stored, "is", "sisss", scope(r),
		    r->idem_key, &hash, &status, &type, &headers, &body);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0 || status == 0)
		return http_problem(r, 409, "idempotency_in_flight",
				    "相同幂等键的请求仍在处理中，请稍后重试");
	if (hash == NULL || strcmp(hash, hex) != 0)
		return http_problem(r, 422, "idempotency_mismatch",
				    "该幂等键已用于另一个请求");
	http_reset_response(r);
	r->status = (int)status;
	r->out_type = type;
	if (headers != NULL)
		buf_puts(&r->headers, headers);
	http_header(r, "Idempotent-Replayed: true");
	if (body != NULL)
		buf_puts(&r->out, body);
	return 0;
}

int
idem_save(struct req *r)
{
	return db_exec(r->db, &sql_save, "isssis", (int64_t)r->status,
		       r->out_type, r->headers.p ? r->headers.p : "",
		       r->out.p ? r->out.p : "", scope(r), r->idem_key) < 0
		   ? HANDLER_DB
		   : 0;
}

int
idem_release(struct req *r)
{
	return db_exec(r->db, &sql_release, "is", scope(r), r->idem_key) < 0
		   ? HANDLER_DB
		   : 0;
}
