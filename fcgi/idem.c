/*
 * The claim is an INSERT of the key's row that refuses to wait for a row
 * lock: a request repeated while the first is still running finds the row
 * locked by the first's open transaction (lock wait timeout, answered 409);
 * one repeated after the first committed finds it stored (duplicate key)
 * and replays it; one repeated after the first failed finds nothing, since
 * a failure rolls the claim back, and simply runs again.
 *
 * Nothing secret is stored in clear (docs/conventions.md, "Idempotency"):
 *
 * - the key itself is kept only as its blind index, keyed with the index
 *   key, so a dump shows no key a client could replay with;
 * - the request fingerprint is hashed together with the raw key, so a dump
 *   cannot confirm a guess of a request's body;
 * - the answer (which may hold a tracking code or unmasked ID numbers) is
 *   sealed twice: inside, with a key derived from the raw Idempotency-Key,
 *   which only the client holds; outside, with the rotating data key like
 *   every personal value.  Reading an answer back takes the client's key
 *   and the server's; rotating the data key re-seals the outer layer
 *   without needing the client's.
 *
 * The inner layer is also what keeps anonymous callers apart: they share
 * one scope, but an answer opens only for a caller presenting the same
 * key, which the pages draw at random (128 bits or more).
 */
#include <stdio.h>
#include <string.h>

#include <mysqld_error.h>
#include <sodium.h>

#include "auth.h"
#include "idem.h"
#include "pii.h"

#define BODY_AD "idempotency_answers.body"

SQL(sql_claim, "SET STATEMENT innodb_lock_wait_timeout = 0 FOR "
	       "INSERT INTO idempotency_answers (user_id, key_hash, "
	       "request_hash, created_at) VALUES (?, ?, ?, NOW())");
SQL(sql_stored, "SELECT request_hash, status, content_type, headers, body, "
		"rights FROM idempotency_answers "
		"WHERE user_id = ? AND key_hash = ?");
SQL(sql_save, "UPDATE idempotency_answers SET status = ?, content_type = ?, "
	      "headers = ?, body = ?, rights = ? "
	      "WHERE user_id = ? AND key_hash = ?");
SQL(sql_release, "DELETE FROM idempotency_answers "
		 "WHERE user_id = ? AND key_hash = ?");

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

void
idem_key_hash(const char *key, unsigned char out[PII_IDX_LEN])
{
	pii_index(PII_IDEM_KEY, key, strlen(key), out);
}

void
idem_fingerprint(const char *method, const char *uri, const void *body,
		 size_t n, unsigned char out[32])
{
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)method,
				  strlen(method) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)uri,
				  strlen(uri) + 1);
	if (n > 0)
		crypto_hash_sha256_update(&st, body, n);
	crypto_hash_sha256_final(&st, out);
}

/* BLAKE2b-256 of a label, the raw key and more; never stored as is. */
static void
derive(const char *label, int64_t scope, const char *key,
       const unsigned char *more, size_t n, unsigned char out[32])
{
	crypto_generichash_state st;
	char s[32];

	snprintf(s, sizeof(s), "%lld", (long long)scope);
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const unsigned char *)label,
				  strlen(label) + 1);
	crypto_generichash_update(&st, (const unsigned char *)s, strlen(s) + 1);
	crypto_generichash_update(&st, (const unsigned char *)key,
				  strlen(key) + 1);
	if (n > 0)
		crypto_generichash_update(&st, more, n);
	crypto_generichash_final(&st, out, 32);
}

void
idem_request_hash(int64_t scope, const char *key,
		  const unsigned char fingerprint[32], unsigned char out[32])
{
	derive("swn idem request v1", scope, key, fingerprint, 32, out);
}

int
idem_seal_answer(struct arena *a, int64_t scope, const char *key,
		 const void *body, size_t n, struct blob *out)
{
	unsigned char k[32], *inner;
	size_t len =
	    crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	int rc;

	derive("swn idem answer v1", scope, key, NULL, 0, k);
	inner = arena_alloc(a, len);
	randombytes_buf(inner, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(inner + crypto_secretbox_NONCEBYTES, body, n,
			      inner, k);
	sodium_memzero(k, sizeof(k));
	rc = pii_seal(a, BODY_AD, inner, len, out);
	return rc;
}

int
idem_open_answer(struct arena *a, int64_t scope, const char *key,
		 const struct blob *in, char **body, size_t *n)
{
	unsigned char k[32];
	char *inner, *m;
	size_t len;
	int rc;

	*body = NULL;
	*n = 0;
	if (pii_open(a, BODY_AD, in, &inner, &len) != 0 || inner == NULL ||
	    len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return -1;
	derive("swn idem answer v1", scope, key, NULL, 0, k);
	m = arena_alloc(a, len - crypto_secretbox_NONCEBYTES -
			       crypto_secretbox_MACBYTES + 1);
	rc = crypto_secretbox_open_easy(
	    (unsigned char *)m,
	    (const unsigned char *)inner + crypto_secretbox_NONCEBYTES,
	    len - crypto_secretbox_NONCEBYTES, (const unsigned char *)inner, k);
	sodium_memzero(k, sizeof(k));
	if (rc != 0)
		return -1;
	*n = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	m[*n] = '\0';
	*body = m;
	return 0;
}

/* What the caller may see, as it decided what an answer holds (unmasked
 * or masked personal data): role and unit.  "" for anonymous callers. */
static const char *
rights(struct req *r)
{
	if (r->user == NULL)
		return "";
	return arena_printf(&r->arena, "%s:%s", role_name(r->user->role),
			    r->user->unit_path);
}

/* The claim's scope and key hash, fixed at the claim: login signs the
 * caller in half way through. */
int
idem_claim(struct req *r, enum idem *out)
{
	unsigned char fp[32], want[32];
	char *type = NULL, *headers = NULL, *body = NULL, *was = NULL;
	struct blob stored_hash, sealed;
	int64_t status = 0;
	size_t n;
	int rc;

	r->idem_scope = r->user ? r->user->id : 0;
	idem_key_hash(r->idem_key, r->idem_hash);
	idem_fingerprint(r->method_name, r->uri, r->body, r->bodylen, fp);
	idem_request_hash(r->idem_scope, r->idem_key, fp, want);
	*out = IDEM_NEW;
	if (db_exec(r->db, &sql_claim, "ibb", r->idem_scope, r->idem_hash,
		    (size_t)PII_IDX_LEN, want, sizeof(want)) >= 0)
		return 0;
	*out = IDEM_ANSWERED;
	if (r->db->err == ER_LOCK_WAIT_TIMEOUT)
		return http_problem(r, 409, "idempotency_in_flight",
				    "相同幂等键的请求仍在处理中，请稍后重试");
	if (r->db->err != ER_DUP_ENTRY)
		return HANDLER_DB;
	memset(&stored_hash, 0, sizeof(stored_hash));
	memset(&sealed, 0, sizeof(sealed));
	rc = db_one(r->db, &r->arena, &sql_stored, "ib", "BissBs",
		    r->idem_scope, r->idem_hash, (size_t)PII_IDX_LEN,
		    &stored_hash, &status, &type, &headers, &sealed, &was);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0 || status == 0)
		return http_problem(r, 409, "idempotency_in_flight",
				    "相同幂等键的请求仍在处理中，请稍后重试");
	if (stored_hash.n != sizeof(want) ||
	    sodium_memcmp(stored_hash.p, want, sizeof(want)) != 0)
		return http_problem(r, 422, "idempotency_mismatch",
				    "该幂等键已用于另一个请求");
	/* A caller whose role or unit changed since may no longer see what
	 * the answer shows (an unmasked ID number, say): no replay then.
	 * The request did take effect; the record itself says how. */
	if (was != NULL && strcmp(was, rights(r)) != 0)
		return http_problem(r, 409, "idempotency_rights_changed",
				    "该请求已处理；您的权限已变更，"
				    "请打开记录查看结果");
	if (idem_open_answer(&r->arena, r->idem_scope, r->idem_key, &sealed,
			     &body, &n) != 0 &&
	    sealed.p != NULL) {
		/* Keys lost or data damaged: nothing a client can fix. */
		r->db->err = 0;
		r->db->errsql = "idempotency answer does not open";
		return HANDLER_DB;
	}
	http_reset_response(r);
	r->status = (int)status;
	r->out_type = type;
	if (headers != NULL)
		buf_puts(&r->headers, headers);
	http_header(r, "Idempotent-Replayed: true");
	if (body != NULL)
		buf_append(&r->out, body, n);
	return 0;
}

int
idem_save(struct req *r)
{
	struct blob sealed;

	if (idem_seal_answer(&r->arena, r->idem_scope, r->idem_key,
			     r->out.p ? r->out.p : "", r->out.len,
			     &sealed) != 0)
		return HANDLER_DB;
	return db_exec(r->db, &sql_save, "issbsib", (int64_t)r->status,
		       r->out_type, r->headers.p ? r->headers.p : "", sealed.p,
		       sealed.n, rights(r), r->idem_scope, r->idem_hash,
		       (size_t)PII_IDX_LEN) < 0
		   ? HANDLER_DB
		   : 0;
}

int
idem_release(struct req *r)
{
	return db_exec(r->db, &sql_release, "ib", r->idem_scope, r->idem_hash,
		       (size_t)PII_IDX_LEN) < 0
		   ? HANDLER_DB
		   : 0;
}
