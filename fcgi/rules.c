/*
 * Validation rules of the statistics table, in the manner of DHIS2's
 * validation rules: each compares figures of one unit's table for one
 * campaign and has a level.  An error blocks submission (409
 * validation_rules); a warning is shown on the page and in the export and
 * recorded in the submission's snapshot.  Every violation names its rows
 * and says in Chinese what is wrong.  docs/statistics.md lists the rules.
 *
 *   entries_missing error    B, E and F are entered (by the unit or units
 *                            below it): the form asks for them, so a table
 *                            without them is not complete (DHIS2's
 *                            compulsory fields).  Nothing to report is 0.
 *   sum_X           error    B, C, D, E, F equal the sum of their parts.
 *                            They are computed, so this never fires unless
 *                            the code is wrong; it stays as a guard.
 *   pair_Cn_Dn      warning  people (Cn) and money (Dn) of one category are
 *                            both zero or both non-zero.
 *   J2_requires_J1  error    money to medical staff (J2) needs people (J1).
 *   spent_over_raised warning  money handed out (D + J2) exceeds the money
 *                            raised (B), once B is entered.
 *   range_X         warning  an entered figure above 10 times the same
 *                            unit's figure of its latest earlier campaign
 *                            with entries (a previous figure of 0 gives no
 *                            basis and is skipped).
 */
#include <stdio.h>
#include <string.h>

#include "resources.h"
#include "stats_api.h"

#define RANGE_FACTOR 10

SQL(sql_previous, "SELECT c.id, c.title FROM campaigns c "
		  "WHERE c.from_date < ? AND EXISTS (SELECT 1 "
		  "FROM stat_entries e JOIN units n ON n.id = e.unit_id "
		  "WHERE e.campaign_id = c.id AND n.path LIKE ?) "
		  "ORDER BY c.from_date DESC, c.id DESC LIMIT 1");

static int
code_of(const char *code)
{
	int i;

	for (i = 0; i < ST__MAX; i++)
		if (strcmp(stat_defs[i].code, code) == 0)
			return i;
	return -1;
}

static int64_t
val(const int64_t v[ST__MAX], int c)
{
	return c < 0 || v[c] == STAT_NONE ? 0 : v[c];
}

/* A figure as people read it: "0.61 万元（6050.00 元）" or "5 人次". */
static char *
fig(struct arena *a, int c, int64_t x)
{
	char wan[32], yuan[32];

	if (stat_is_money((enum stat_code)c)) {
		money_wan(x, wan);
		money_format(x, yuan);
		return arena_printf(a, "%s 万元（%s 元）", wan, yuan);
	}
	return arena_printf(a, "%lld %s", (long long)x, stat_defs[c].unit);
}

/* The row's wording without the form's "其中：" and the pair's suffix. */
static char *
name_of(struct arena *a, int c)
{
	const char *l = stat_defs[c].label, *dot;

	if (strncmp(l, "其中：", strlen("其中：")) == 0)
		l += strlen("其中：");
	if ((dot = strstr(l, " · ")) != NULL)
		return arena_strndup(a, l, (size_t)(dot - l));
	return arena_strdup(a, l);
}

struct found {
	json_t *errors, *warnings;
};

/* Records one violation; rows is a NULL-terminated list of codes. */
static void
add(struct found *f, const char *rule, int error, const char *message,
    const char *const *rows)
{
	json_t *list = json_array();

	for (; *rows != NULL; rows++)
		json_array_append_new(list, json_string(*rows));
	json_array_append_new(error ? f->errors : f->warnings,
			      json_pack("{s:s, s:s, s:o, s:s}", "rule", rule,
					"level", error ? "error" : "warning",
					"rows", list, "message", message));
}

/* Each sum row equals the sum of the rows coded like it plus a digit. */
static void
sum_rules(struct arena *a, const int64_t v[ST__MAX], struct found *f)
{
	int s, k, any;
	int64_t total;
	size_t n;

	for (s = 0; s < ST__MAX; s++) {
		if (stat_defs[s].source != SRC_SUM)
			continue;
		n = strlen(stat_defs[s].code);
		total = 0;
		any = 0;
		for (k = 0; k < ST__MAX; k++)
			if (strncmp(stat_defs[k].code, stat_defs[s].code, n) ==
				0 &&
			    stat_defs[k].code[n] >= '1' &&
			    stat_defs[k].code[n] <= '9' && v[k] != STAT_NONE) {
				total += v[k];
				any = 1;
			}
		if (!any && v[s] == STAT_NONE)
			continue;
		if (any && v[s] == total)
			continue;
		add(f, arena_printf(a, "sum_%s", stat_defs[s].code), 1,
		    arena_printf(a,
				 "%s 应等于 %s，但表中 %s 为 %s，各项合计为 "
				 "%s（系统计算有误，请联系管理员）",
				 stat_defs[s].code, stat_rule(a, s),
				 stat_defs[s].code,
				 v[s] == STAT_NONE ? "空" : fig(a, s, v[s]),
				 fig(a, s, total)),
		    (const char *const[]){stat_defs[s].code, NULL});
	}
}

/* People and money of one category of C1..C11 / D1..D11 go together. */
static void
pair_rules(struct arena *a, const int64_t v[ST__MAX], struct found *f)
{
	char cc[8], dc[8];
	int n, c, d;

	for (n = 1; n <= 11; n++) {
		snprintf(cc, sizeof(cc), "C%d", n);
		snprintf(dc, sizeof(dc), "D%d", n);
		c = code_of(cc);
		d = code_of(dc);
		if (c < 0 || d < 0 || v[c] == STAT_NONE || v[d] == STAT_NONE ||
		    (v[c] > 0) == (v[d] > 0))
			continue;
		add(f, arena_printf(a, "pair_%s_%s", cc, dc), 0,
		    v[c] > 0
			? arena_printf(a,
				       "%s 慰问对象为 %s，但 %s 发放款物为 "
				       "0：同一类别的慰问对象与发放款物应"
				       "同为零或同不为零",
				       cc, fig(a, c, v[c]), dc)
			: arena_printf(a,
				       "%s 发放款物为 %s，但 %s 慰问对象为 "
				       "0：同一类别的慰问对象与发放款物应"
				       "同为零或同不为零",
				       dc, fig(a, d, v[d]), cc),
		    (const char *const[]){arena_strdup(a, cc),
					  arena_strdup(a, dc), NULL});
	}
}

static void
entries_rule(const int64_t v[ST__MAX], struct found *f)
{
	if (v[ST_B] != STAT_NONE && v[ST_E] != STAT_NONE &&
	    v[ST_F] != STAT_NONE)
		return;
	add(f, "entries_missing", 1,
	    "B 筹集慰问款物、E 帮扶救助、F 服务职工尚未填报：请先填报 "
	    "B1–B6、E1–E5、F1–F3，没有的项目填 0",
	    (const char *const[]){"B", "E", "F", NULL});
}

static void
j_rule(struct arena *a, const int64_t v[ST__MAX], struct found *f)
{
	if (val(v, ST_J2) > 0 && val(v, ST_J1) == 0)
		add(f, "J2_requires_J1", 1,
		    arena_printf(a,
				 "J2 发放款物为 %s，但 J1 慰问对象为 0："
				 "向疫情防控一线医务人员发放款物，"
				 "必须填有慰问对象",
				 fig(a, ST_J2, v[ST_J2])),
		    (const char *const[]){"J1", "J2", NULL});
}

static void
spent_rule(struct arena *a, const int64_t v[ST__MAX], struct found *f)
{
	int64_t out = val(v, ST_D) + val(v, ST_J2);

	if (v[ST_B] == STAT_NONE || out <= v[ST_B])
		return;
	add(f, "spent_over_raised", 0,
	    arena_printf(a,
			 "发放款物 D 与 J2 合计 %s，超过筹集慰问款物总额 B "
			 "%s，请核实 B1–B6 是否填全",
			 fig(a, ST_B, out), fig(a, ST_B, v[ST_B])),
	    (const char *const[]){"B", "D", "J2", NULL});
}

/* Entered figures against the unit's previous campaign. */
static void
range_rules(struct arena *a, const int64_t v[ST__MAX],
	    const int64_t prev[ST__MAX], const char *title, struct found *f)
{
	int i;

	for (i = 0; i < ST__MAX; i++) {
		if (stat_defs[i].source != SRC_ENTERED ||
		    prev[i] == STAT_NONE || prev[i] <= 0 || v[i] == STAT_NONE ||
		    v[i] <= RANGE_FACTOR * prev[i])
			continue;
		add(f, arena_printf(a, "range_%s", stat_defs[i].code), 0,
		    arena_printf(a,
				 "%s %s为 %s，超过上次活动《%s》同项数字 %s"
				 "的 %d 倍，请核实是否填错",
				 stat_defs[i].code, name_of(a, i),
				 fig(a, i, v[i]), title, fig(a, i, prev[i]),
				 RANGE_FACTOR),
		    (const char *const[]){stat_defs[i].code, NULL});
	}
}

void
rules_eval(struct arena *a, const int64_t v[ST__MAX],
	   const int64_t prev[ST__MAX], const char *prev_title,
	   struct violations *out)
{
	struct found f = {json_array(), json_array()};

	memset(out, 0, sizeof(*out));
	entries_rule(v, &f);
	sum_rules(a, v, &f);
	j_rule(a, v, &f);
	pair_rules(a, v, &f);
	spent_rule(a, v, &f);
	if (prev != NULL)
		range_rules(a, v, prev, prev_title ? prev_title : "", &f);
	out->errors = (int)json_array_size(f.errors);
	out->warnings = (int)json_array_size(f.warnings);
	json_array_extend(f.errors, f.warnings);
	json_decref(f.warnings);
	out->items = f.errors;
}

int
rules_check(struct req *r, const struct stats_scope *s,
	    const int64_t v[ST__MAX], struct violations *out)
{
	struct arena *a = &r->arena;
	int64_t prev[ST__MAX], pid = 0;
	char *title = NULL, *pattern = stats_subtree(a, s->unit_path);
	int rc = 0, i;

	if (s->campaign_id > 0 &&
	    (rc = db_one(r->db, a, &sql_previous, "ss", "is", s->from, pattern,
			 &pid, &title)) < 0)
		return HANDLER_DB;
	if (rc == 1) {
		for (i = 0; i < ST__MAX; i++)
			prev[i] = STAT_NONE;
		if (entries_add(r->db, a, pattern, pid, NULL, NULL, prev) != 0)
			return HANDLER_DB;
	}
	rules_eval(a, v, rc == 1 ? prev : NULL, title, out);
	return 0;
}

/*
 * GET /stats/validation?unit_id=&campaign_id= (staff, admin; an extension
 * of API.md, docs/statistics.md).  unit_id defaults to the caller's unit,
 * campaign_id to the latest campaign.  Raises what GET /stats raises, 400
 * when asked by dates (the rules are a campaign's), and 200 {unit_id,
 * unit_name, campaign, errors, warnings, items: [{rule, level: "error" |
 * "warning", rows: ["J1", "J2"], message}]}: the rules evaluated on the
 * live figures of the unit's subtree, errors first.
 */
int
stats_validation(struct req *r)
{
	struct stats_scope s;
	struct violations found;
	int64_t v[ST__MAX];
	int rc;

	if ((rc = stats_scope(r, "unit_id", &s)) != 1)
		return rc;
	if (s.campaign_id == 0)
		return http_field_error(r, "campaign_id", "required",
					"审核规则按活动检查，请选择活动");
	/* The rules judge what the unit has just saved: never a replica's
	 * moment-old copy (req_reader()). */
	r->no_replica = 1;
	if (stats_table(r, &s, stats_subtree(&r->arena, s.unit_path), v) != 0)
		return HANDLER_DB;
	if (rules_check(r, &s, v, &found) != 0)
		return HANDLER_DB;
	return http_json(
	    r, 200,
	    json_pack("{s:I, s:s, s:{s:I, s:s, s:s, s:s, s:s}, s:i, s:i, s:o}",
		      "unit_id", (json_int_t)s.unit_id, "unit_name",
		      s.unit_name, "campaign", "id", (json_int_t)s.campaign_id,
		      "title", s.campaign_title, "from", s.from, "to", s.to,
		      "report_due", s.report_due, "errors", found.errors,
		      "warnings", found.warnings, "items", found.items));
}
