/*
 * GET /health.  Raises 200 {status:"ok", db:"ok", version} when the
 * database answers a ping, 503 {status:"degraded", db:"down"} with
 * Retry-After while it does not.  A worker whose connection was lost
 * reconnects here or on its next request, without a restart.
 *
 * "Answers" means: this thread's connection completed an exchange within
 * the last HEALTH_FRESH_MS, or a ping now succeeds.  Load balancers poll
 * health many times a second; a round trip to the database for each poll
 * would cost more than the request itself (measured with make bench).
 */
#include "resources.h"

#define HEALTH_FRESH_MS 1000

#ifndef SWN_VERSION
#define SWN_VERSION "dev"
#endif

int
health_get(struct req *r)
{
	if (db_check(r->db, HEALTH_FRESH_MS) != 0) {
		http_header(r, "Retry-After: 5");
		return http_json(r, 503,
				 json_pack("{s:s, s:s, s:s}", "status",
					   "degraded", "db", "down", "version",
					   SWN_VERSION));
	}
	return http_json(r, 200,
			 json_pack("{s:s, s:s, s:s}", "status", "ok", "db",
				   "ok", "version", SWN_VERSION));
}
