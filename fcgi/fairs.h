/*
 * Recruitment fairs (专场招聘会, API.md "Job fairs" and its v1.1
 * extension) live in two files: job_fairs.c, the fair itself, its
 * employers and the placements staff record; fair_signups.c, the job
 * seekers' sign-ups, the waitlist and the check-in at the door.  This is
 * what the two share: reading a fair, who may see and manage it, and
 * filling its free places from the waitlist.
 *
 * Capacity rule: every transaction that changes the status of a fair's
 * registrations (sign-up, cancel, check-in, a change of seeker_capacity,
 * a placement) first locks the fair's row (fair_load(..., FAIR_LOCK)), and
 * counts only after that.  The connection reads READ COMMITTED (db.c), so
 * a count taken under the lock sees every change committed before it, and
 * none can be committed meanwhile: the places are handed out one writer
 * at a time and seeker_capacity is never exceeded.
 */
#ifndef SWN_FAIRS_H
#define SWN_FAIRS_H

#include <stdint.h>

#include "http.h"

enum fair_status { FS_DRAFT, FS_PUBLISHED, FS_CLOSED, FS__MAX };

extern const char *const fair_statuses[]; /* "draft", ..., NULL */

struct fair_row {
	int64_t id, unit_id, capacity, version;
	int64_t registered, waitlisted,
	    checked_in; /* counts of registrations */
	enum fair_status status;
	char *title, *kind, *venue;
	char *starts_at, *ends_at; /* "YYYY-MM-DD HH:MM:SS", Asia/Shanghai */
	char *created_at, *updated_at; /* RFC 3339, +08:00 */
	char *unit_path, *unit_name;
};

#define FAIR_LOCK 0x01 /* SELECT ... FOR UPDATE of the fair's row first */

/*
 * Loads the fair named by the path's first {id}.  A fair the caller may
 * not see (fair_visible: another subtree's draft) is answered 404 exactly
 * like a missing one, whatever the route: a sign-up, an employer or a
 * code must not tell that a draft exists.  Returns 1 loaded, 0 answered
 * (404), HANDLER_DB.
 */
int fair_load(struct req *, unsigned flags, struct fair_row *);

/* Anyone sees published and closed fairs; signed-in callers also the
 * drafts of their unit's subtree. */
int fair_visible(const struct req *, const struct fair_row *);

/* May the caller manage the fair (staff, admin of its unit's subtree) or,
 * for volunteers, check people in at it? */
int fair_in_scope(const struct req *, const struct fair_row *);

/*
 * Gives the fair's free places to the oldest waitlisted registrations, in
 * id order (the order they signed up), as many as are free.  The fair's
 * row must be locked in this transaction.  Returns the number promoted,
 * or HANDLER_DB.
 */
int64_t fair_fill(struct req *, const struct fair_row *);

/* "2021-01-20 09:00:00" as the contract writes it:
 * "2021-01-20T09:00:00+08:00". */
char *fair_time_json(struct arena *, const char *local);

#endif
