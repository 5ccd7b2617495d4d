/*
 * Idempotency keys.  A POST with an Idempotency-Key claims the key inside
 * its own transaction, so the key and the effect commit or vanish together.
 */
#ifndef SWN_IDEM_H
#define SWN_IDEM_H

#include "http.h"

enum idem {
	IDEM_NEW,     /* the key is ours: run the handler, then idem_save() */
	IDEM_ANSWERED /* the response is set: a replay, 409 or 422 */
};

int idem_valid_key(const char *);
/* The stored form of a key: its blind index (16 bytes). */
void idem_key_hash(const char *key, unsigned char out[16]);
/* SHA-256 over method, URI with query, and body. */
void idem_fingerprint(const char *method, const char *uri, const void *body,
		      size_t n, unsigned char out[32]);
/* What is stored of a fingerprint: bound to the raw key and scope. */
void idem_request_hash(int64_t scope, const char *key,
		       const unsigned char fingerprint[32],
		       unsigned char out[32]);
/* Seals an answer's body for storage, and opens it again (see idem.c). */
int idem_seal_answer(struct arena *, int64_t scope, const char *key,
		     const void *body, size_t n, struct blob *out);
int idem_open_answer(struct arena *, int64_t scope, const char *key,
		     const struct blob *in, char **body, size_t *n);
int idem_claim(struct req *, enum idem *);
int idem_save(struct req *);
int idem_release(struct req *);

#endif
