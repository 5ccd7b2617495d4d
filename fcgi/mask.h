/*
 * Masked forms of personal data for lists and for callers who may not see
 * the whole record: ID numbers keep the first 6 and last 4 characters,
 * phones the first 3 and last 4.  NULL in, NULL out.
 */
#ifndef SWN_MASK_H
#define SWN_MASK_H

#include "arena.h"

char *mask_idnum(struct arena *, const char *);
char *mask_phone(struct arena *, const char *);

#endif
