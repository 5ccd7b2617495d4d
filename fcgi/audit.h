/*
 * The audit log: who did what to which record, with the record before and
 * after, written in the same transaction as the change itself.
 */
#ifndef SWN_AUDIT_H
#define SWN_AUDIT_H

#include "http.h"

/* Steals before and after (either may be NULL).  Returns 0 or HANDLER_DB. */
int audit(struct req *, const char *action, const char *table,
	  int64_t record_id, json_t *before, json_t *after);

#endif
