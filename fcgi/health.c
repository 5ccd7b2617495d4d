/*
 * GET /health.  Raises 200 {status:"ok", db:"ok", version} when the
 * database answers a ping, 503 {status:"degraded", db:"down"} with
 * Retry-After while it does not.  A worker whose connection was lost
 * reconnects here or on its next request, without a restart.
 */
#include "resources.h"

#ifndef SWN_VERSION
#define SWN_VERSION "dev"
#endif

int
health_get(struct req *r)
{
	if (db_ping(r->db) != 0) {
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
