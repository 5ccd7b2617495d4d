#include <stdlib.h>

#include "audit.h"

SQL(sql_audit, "INSERT INTO audit_log (at, user_id, action, table_name, "
	       "record_id, before_json, after_json, remote_addr) "
	       "VALUES (NOW(6), ?, ?, ?, ?, ?, ?, ?)");

static char *
dump(json_t *j)
{
	return j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

int
audit(struct req *r, const char *action, const char *table, int64_t record_id,
      json_t *before, json_t *after)
{
	char *b = dump(before), *a = dump(after);
	long long rc;

	rc = db_exec(r->db, &sql_audit, "Ississs", r->user != NULL,
		     r->user ? r->user->id : 0, action, table, record_id, b, a,
		     r->remote_addr);
	free(b);
	free(a);
	json_decref(before);
	json_decref(after);
	return rc < 0 ? HANDLER_DB : 0;
}
