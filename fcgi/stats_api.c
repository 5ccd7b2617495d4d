/*
 * The statistics table over HTTP (API.md "Statistics" and v1.1): a unit's
 * figures, the figures of each of its children with their total, and the
 * shared reading of "which unit, which period" that the export and the
 * drill-down use too.
 *
 * Who may ask: admins about any unit, staff about their own subtree.  A
 * unit outside it is answered 404, exactly like a unit that does not
 * exist, so the answer reveals nothing of other towns.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "campaigns.h"
#include "query.h"
#include "resources.h"
#include "stats_api.h"

SQL(sql_unit, "SELECT name, path FROM units WHERE id = ?");
SQL(sql_children, "SELECT id, name, path FROM units WHERE parent_id = ? "
		  "ORDER BY id");

int
stats_scope(struct req *r, const char *unit_param, struct stats_scope *s)
{
	struct campaign c;
	struct verrs e;
	int64_t unit, cid;
	int rc;

	memset(s, 0, sizeof(*s));
	verrs_init(&e);
	unit = query_id(r, unit_param, "应为正整数", &e);
	cid = query_id(r, "campaign_id", "应为正整数", &e);
	query_period(r, &s->from, &s->to, &e);
	if (cid > 0 && (s->from || s->to))
		verrs_add(&e, "campaign_id", "conflict",
			  "请选择活动，或填写起止日期，二者不能同时使用");
	else if (cid == 0 && (s->from == NULL) != (s->to == NULL))
		verrs_add(&e, s->from ? "to" : "from", "required",
			  "起止日期须同时填写");
	if (http_refused(r, &e))
		return 0;
	/* Without a period: the given campaign, or else the latest one. */
	if (s->from == NULL) {
		if ((rc = campaign_get(r, cid, &c)) < 0)
			return HANDLER_DB;
		if (rc == 0) {
			if (cid > 0)
				return http_field_error(r, "campaign_id",
							"unknown",
							"没有这个活动"),
				       0;
			return http_field_error(r, "from", "required",
						"请填写起止日期"),
			       0;
		}
		stats_scope_campaign(s, &c);
	}
	s->unit_id = unit > 0 ? unit : r->user->unit_id;
	if ((rc = db_one(r->db, &r->arena, &sql_unit, "i", "ss", s->unit_id,
			 &s->unit_name, &s->unit_path)) < 0)
		return HANDLER_DB;
	if (rc == 0 || !auth_in_subtree(r->user, s->unit_path))
		return http_problem(r, 404, "not_found",
				    "没有这个单位，或不在本单位管辖范围内"),
		       0;
	return 1;
}

void
stats_scope_campaign(struct stats_scope *s, const struct campaign *c)
{
	s->campaign_id = c->id;
	s->campaign_title = c->title;
	s->from = c->from;
	s->to = c->to;
	s->report_due = c->report_due;
}

int
stats_scope_body(struct req *r, int has_unit, int64_t unit_id, int has_campaign,
		 int64_t campaign_id, struct stats_scope *s, struct verrs *e)
{
	struct campaign c;
	int rc;

	memset(s, 0, sizeof(*s));
	if (has_unit) {
		rc = db_one(r->db, &r->arena, &sql_unit, "i", "ss", unit_id,
			    &s->unit_name, &s->unit_path);
		if (rc < 0)
			return HANDLER_DB;
		if (rc == 0 || !auth_in_subtree(r->user, s->unit_path))
			verrs_add(e, "unit_id", "unknown",
				  "没有这个单位，或不在本单位管辖范围内");
		s->unit_id = unit_id;
	}
	if (has_campaign) {
		if ((rc = campaign_get(r, campaign_id, &c)) < 0)
			return HANDLER_DB;
		if (rc == 0)
			verrs_add(e, "campaign_id", "unknown", "没有这个活动");
		else
			stats_scope_campaign(s, &c);
	}
	return 0;
}

json_t *
stats_rows_json(const int64_t v[ST__MAX])
{
	json_t *rows = json_array(), *o;
	char wan[32], yuan[32];
	int i;

	for (i = 0; i < ST__MAX; i++) {
		const struct stat_def *d = &stat_defs[i];

		if (v[i] == STAT_NONE)
			continue;
		o = json_pack("{s:s, s:i, s:s, s:s}", "code", d->code, "number",
			      d->number, "label", d->label, "unit", d->unit);
		if (stat_is_money((enum stat_code)i)) {
			money_wan(v[i], wan);
			money_format(v[i], yuan);
			json_object_set_new(o, "value", json_string(wan));
			json_object_set_new(o, "yuan", json_string(yuan));
		} else
			json_object_set_new(o, "value", json_integer(v[i]));
		json_array_append_new(rows, o);
	}
	return rows;
}

/*
 * Figures just computed, kept for reads: under load every GET /stats of
 * the same unit and period would otherwise sum the same rows again.  An
 * entry is valid while no write has committed in this process since it
 * was computed (db_generation()) and for at most CACHE_MS: a write
 * through another worker process or host shows within that second, as a
 * replica's answer would (docs/statistics.md, "Speed").  Writes (a
 * submission's snapshot, the rules) always compute afresh.
 */
#define CACHE_SLOTS 64
#define CACHE_MS 1000

static struct cached {
	char key[192];
	uint64_t gen;
	long long at;
	int64_t v[ST__MAX];
} cache[CACHE_SLOTS];
static unsigned cache_next;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int
cache_get(const char *key, uint64_t gen, int64_t v[ST__MAX])
{
	long long now = now_ms();
	int i, hit = 0;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < CACHE_SLOTS && !hit; i++)
		if (cache[i].gen == gen && now - cache[i].at < CACHE_MS &&
		    strcmp(cache[i].key, key) == 0) {
			memcpy(v, cache[i].v, sizeof(cache[i].v));
			hit = 1;
		}
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

static void
cache_put(const char *key, uint64_t gen, const int64_t v[ST__MAX])
{
	struct cached *c;
	int i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < CACHE_SLOTS && strcmp(cache[i].key, key) != 0; i++)
		;
	c = i < CACHE_SLOTS ? &cache[i] : &cache[cache_next++ % CACHE_SLOTS];
	snprintf(c->key, sizeof(c->key), "%s", key);
	c->gen = gen;
	c->at = now_ms();
	memcpy(c->v, v, sizeof(c->v));
	pthread_mutex_unlock(&cache_lock);
}

/*
 * Whole answers of GET /stats and /stats/by-unit, by the same rule as the
 * figures above: valid until a commit in this process and for at most
 * CACHE_MS.  The key is the caller's role and unit, which decide what the
 * answer may hold, and the request's path and query; a hit needs no query
 * at all beyond the session's.
 */
#define ANSWER_SLOTS 32
#define ANSWER_MAX (256 * 1024)

static struct answer {
	char key[384];
	uint64_t gen;
	long long at;
	char *body; /* malloc'd */
	size_t n;
	int refreshing;
} answers[ANSWER_SLOTS];
static unsigned answer_next;

static int
answer_key(struct req *r, char key[384])
{
	return snprintf(key, 384, "%d|%s|%s", (int)r->user->role,
			r->user->unit_path, r->uri) < 384;
}

/* Answers from the cache: 1 when it did. */
static int
answer_get(struct req *r, uint64_t gen)
{
	long long now = now_ms();
	char key[384];
	int i, hit = 0;

	if (!answer_key(r, key))
		return 0;
	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < ANSWER_SLOTS && !hit; i++) {
		struct answer *a = &answers[i];

		if (a->body == NULL || a->gen != gen ||
		    now - a->at >= CACHE_MS || strcmp(a->key, key) != 0)
			continue;
		/* In its second half-life one request computes the next
		 * answer while the others are still served this one: no
		 * crowd of requests recomputing the same figures at once. */
		if (now - a->at >= CACHE_MS / 2 && !a->refreshing) {
			a->refreshing = 1;
			break;
		}
		http_bytes(r, 200, "application/json; charset=utf-8", a->body,
			   a->n);
		hit = 1;
	}
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

static void
answer_put(struct req *r, uint64_t gen)
{
	struct answer *a;
	char key[384], *copy;
	int i;

	if (r->status != 200 || r->out.len > ANSWER_MAX ||
	    !answer_key(r, key) || (copy = malloc(r->out.len)) == NULL)
		return;
	memcpy(copy, r->out.p, r->out.len);
	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < ANSWER_SLOTS && (answers[i].body == NULL ||
					 strcmp(answers[i].key, key) != 0);
	     i++)
		;
	a = i < ANSWER_SLOTS ? &answers[i]
			     : &answers[answer_next++ % ANSWER_SLOTS];
	free(a->body);
	snprintf(a->key, sizeof(a->key), "%s", key);
	a->gen = gen;
	a->at = now_ms();
	a->body = copy;
	a->n = r->out.len;
	a->refreshing = 0;
	pthread_mutex_unlock(&cache_lock);
}

int
stats_table(struct req *r, const struct stats_scope *s, const char *pattern,
	    int64_t v[ST__MAX])
{
	struct db *db = req_reader(r);
	/* A request that must read the primary (the validation rules judge
	 * what will be reported) never takes figures a replica gave. */
	int read =
	    (r->method == M_GET || r->method == M_HEAD) && !r->no_replica;
	uint64_t gen = db_generation();
	char key[192];

	/* The generation is read first: a write committing while this
	 * computes makes the entry stale at once. */
	if (snprintf(key, sizeof(key), "%s|%s|%s|%lld", pattern, s->from, s->to,
		     (long long)s->campaign_id) >= (int)sizeof(key))
		read = 0;
	if (read && cache_get(key, gen, v))
		return 0;
	if (stats_compute(db, &r->arena, pattern, s->from, s->to, v) != 0 ||
	    entries_add(db, &r->arena, pattern, s->campaign_id, s->from, s->to,
			v) != 0)
		return -1;
	stats_sums(v);
	if (read)
		cache_put(key, gen, v);
	return 0;
}

/* The answer's head: unit, period and, when asked by one, the campaign. */
static json_t *
head_json(const struct stats_scope *s, const char *id_key, const char *name_key)
{
	json_t *o =
	    json_pack("{s:I, s:s, s:s, s:s}", id_key, (json_int_t)s->unit_id,
		      name_key, s->unit_name, "from", s->from, "to", s->to);

	if (s->campaign_id > 0)
		json_object_set_new(o, "campaign",
				    json_pack("{s:I, s:s, s:s}", "id",
					      (json_int_t)s->campaign_id,
					      "title", s->campaign_title,
					      "report_due", s->report_due));
	return o;
}

/*
 * GET /stats?unit_id=&from=&to= or ?unit_id=&campaign_id= (staff, admin).
 * unit_id defaults to the caller's unit, the period to the latest
 * campaign.  Raises 400 naming the bad parameter (a date, from without
 * to, both a campaign and dates), 404 for a unit that does not exist or is
 * outside the caller's subtree, 200 {unit_id, unit_name, from, to,
 * campaign?, rows:[{code, number, label, unit, value, yuan?}]} otherwise:
 * every row the records supply and, once entered, B1-B6, E1-E5, F1-F3
 * with B, E, F (docs/statistics.md: by dates, the entries of campaigns
 * lying within them), in the form's order; 万元 rows give value rounded
 * half up from the exact fen sum, and the exact yuan.
 */
int
stats_get(struct req *r)
{
	uint64_t gen = db_generation();
	struct stats_scope s;
	int64_t v[ST__MAX];
	json_t *o;
	int rc;

	if (answer_get(r, gen))
		return 0;
	if ((rc = stats_scope(r, "unit_id", &s)) != 1)
		return rc;
	if (stats_table(r, &s, stats_subtree(&r->arena, s.unit_path), v) != 0)
		return HANDLER_DB;
	o = head_json(&s, "unit_id", "unit_name");
	json_object_set_new(o, "rows", stats_rows_json(v));
	http_json(r, 200, o);
	answer_put(r, gen);
	return 0;
}

/*
 * GET /stats/by-unit?parent_id=&from=&to= or ?parent_id=&campaign_id=
 * (staff, admin).  Raises what GET /stats raises, and 200 {parent_id,
 * parent_name, from, to, campaign?, items:[{unit_id, unit_name, own,
 * rows}], total:{rows}}: one item per child unit (its subtree), then,
 * marked own: true, the records entered at the parent unit itself, and
 * the total, which is the parent's own GET /stats.  For every row but the
 * distinct counts (A, K2: one enterprise active in two towns is one
 * enterprise of the district) the items add up to the total.
 */
int
stats_by_unit(struct req *r)
{
	uint64_t gen = db_generation();
	struct stats_scope s;
	int64_t v[ST__MAX], id;
	char *name, *path;
	struct dbres q;
	json_t *o, *items, *total;
	int rc;

	if (answer_get(r, gen))
		return 0;
	if ((rc = stats_scope(r, "parent_id", &s)) != 1)
		return rc;
	if (db_query(r->db, &q, &sql_children, "i", s.unit_id) != 0)
		return HANDLER_DB;
	o = head_json(&s, "parent_id", "parent_name");
	items = json_array();
	json_object_set_new(o, "items", items);
	/* Children first: a statement's rows are all read before the next
	 * statement runs. */
	{
		struct child {
			int64_t id;
			char *name, *path;
		} *kids = NULL;
		size_t n = 0, cap = 0, i;

		while ((rc = db_row(&q, &r->arena, "iss", &id, &name, &path)) ==
		       1) {
			if (n == cap) {
				struct child *k;

				cap = cap ? cap * 2 : 16;
				k = arena_alloc(&r->arena, cap * sizeof(*k));
				if (n > 0)
					memcpy(k, kids, n * sizeof(*k));
				kids = k;
			}
			kids[n].id = id;
			kids[n].name = name;
			kids[n].path = path;
			n++;
		}
		db_end(&q);
		if (rc < 0)
			goto err;
		for (i = 0; i < n; i++) {
			if (stats_table(r, &s,
					stats_subtree(&r->arena, kids[i].path),
					v) != 0)
				goto err;
			json_array_append_new(
			    items, json_pack("{s:I, s:s, s:b, s:o}", "unit_id",
					     (json_int_t)kids[i].id,
					     "unit_name", kids[i].name, "own",
					     0, "rows", stats_rows_json(v)));
		}
	}
	if (stats_table(r, &s, s.unit_path, v) != 0)
		goto err;
	json_array_append_new(
	    items, json_pack("{s:I, s:s, s:b, s:o}", "unit_id",
			     (json_int_t)s.unit_id, "unit_name",
			     arena_printf(&r->arena, "%s（本级）", s.unit_name),
			     "own", 1, "rows", stats_rows_json(v)));
	if (stats_table(r, &s, stats_subtree(&r->arena, s.unit_path), v) != 0)
		goto err;
	total = json_pack("{s:o}", "rows", stats_rows_json(v));
	json_object_set_new(o, "total", total);
	http_json(r, 200, o);
	answer_put(r, gen);
	return 0;
err:
	json_decref(o);
	return HANDLER_DB;
}
