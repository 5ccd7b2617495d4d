/*
 * Masked forms of personal data for lists and for callers who may not see
 * the whole record: ID numbers keep the first 6 and last 4 characters,
 * phones the first 3 and last 4.  NULL in, NULL out.
 */
#ifndef SWN_MASK_H
#define SWN_MASK_H

#include "arena.h"
#include "pii.h"

char *mask_idnum(struct arena *, const char *);
char *mask_phone(struct arena *, const char *);

/*
 * A sealed column's value as an answer shows it: opened (with ad, its
 * "table.column"), then masked by kind unless unmask.  *out is NULL for
 * an SQL NULL.  Returns -1 when the value does not open (a missing key or
 * damaged data: the caller answers 500, never the ciphertext).
 */
int mask_sealed(struct arena *, const char *ad, const struct blob *,
		enum pii_kind, int unmask, char **out);

#endif
