/*
 * Approved statistics lock the records they count (API.md v1.1
 * "Statistics"): once a unit's table for a campaign is approved, records
 * dated in the campaign's period anywhere in that unit's subtree can no
 * longer be created, changed or deleted, until an admin reopens it.
 * Which date of each kind of record is checked is written down in
 * docs/statistics.md; a handler calls period_locked() once per date it
 * would put into, or take out of, a unit's figures.
 */
#ifndef SWN_LOCKS_H
#define SWN_LOCKS_H

#include "http.h"

/* The approved submission behind a lock. */
struct lock {
	int64_t submission_id, unit_id, campaign_id;
	char *unit_name, *campaign_title, *from, *to; /* dates YYYY-MM-DD */
	char *approved_by, *approved_at;	      /* may be NULL */
};

/*
 * Is a record of the unit at unit_path ("/1/3/") dated date (YYYY-MM-DD,
 * or NULL for today in Asia/Shanghai) locked by an approved submission of
 * that unit or of one of its ancestors whose campaign's period holds the
 * date?  Returns 0 when it is free; 1 when it is locked, with the answer
 * set: 409 code "period_locked", naming the unit, campaign and who
 * approved it in detail and in the member "lock"; HANDLER_DB.
 */
int period_locked(struct req *, const char *unit_path, const char *date);

/* The same for what belongs to a campaign rather than to a date (the
 * entered rows B, E, F of that campaign). */
int campaign_locked(struct req *, const char *unit_path, int64_t campaign_id);

/* Finds the lock period_locked() or campaign_locked() would answer with
 * (date is used when campaign_id is 0), without answering: 1 found, 0
 * none, HANDLER_DB. */
int lock_find(struct req *, const char *unit_path, const char *date,
	      int64_t campaign_id, struct lock *);

/* {submission_id, unit_id, unit_name, campaign_id, campaign_title, from,
 * to, approved_by, approved_at} */
json_t *lock_json(const struct lock *);

#endif
