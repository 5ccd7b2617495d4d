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
int idem_claim(struct req *, enum idem *);
int idem_save(struct req *);
int idem_release(struct req *);

#endif
