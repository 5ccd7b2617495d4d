/*
 * GET /stats/export: the table in the layout the district asks for
 * (the notice's 附件《2021年工会送温暖活动统计表》): a title, 填报单位 and
 * the date, 填报人 and 联系电话, the note on who counts as a worker, then
 * every row of the form in its order with its 编号, code, wording and
 * unit, and after it the result of the validation rules.  B, E and F come
 * from the units' entries; with none entered they are there and empty, for
 * the unit to fill in by hand.  Asked for a campaign, the header gives the
 * unit's reporting state, and a submitted or approved table is exported
 * from its snapshot: exactly the figures reported, whatever changed since.
 *
 * XLSX is written by libxlsxwriter (one A4 portrait page, merged cells
 * where the form has them, numbers as numbers, 万元 with two decimals
 * shown); CSV is UTF-8 with a byte-order mark so that Excel and WPS take
 * it as UTF-8, and no cell can start a formula.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "query.h"
#include "resources.h"
#include "stats_api.h"

/* What one export shows: the figures, whose they are, and the rules. */
struct report {
	int64_t v[ST__MAX];
	const char *filler;	/* 填报人 */
	const char *state_line; /* "上报状态：…", or NULL asked by dates */
	json_t *violations;	/* owned: [{rule, level, rows, message}] */
};

#define NCOLS 5 /* 编号, 代码, 项目, 指标, 合计 */

static const char *const formats[] = {"xlsx", "csv", NULL};

/* How one row of the form reads: its item and, for the paired rows
 * (C1/D1 ..., J1/J2), the indicator beside it. */
struct form_row {
	enum stat_code code;
	char *item;	 /* NULL for the second row of a pair */
	char *indicator; /* "慰问对象（人次）", or NULL */
	int pair_first;	 /* the first of a pair: the item spans two rows */
};

/* Where a label "item · indicator" has its dot, or NULL.  (The notice
 * writes "（同C1）· 发放款物" without the space before the dot.) */
static const char *
dot_of(enum stat_code c)
{
	return strstr(stat_defs[c].label, "·");
}

/* The item before the dot, without the spaces around it. */
static char *
item_of(struct arena *a, enum stat_code c)
{
	const char *l = stat_defs[c].label, *d = dot_of(c);

	while (d > l && d[-1] == ' ')
		d--;
	return arena_strndup(a, l, (size_t)(d - l));
}

/* Does row c open a pair whose item cell spans it and the next row?  The
 * second row says "（同C1）" or repeats the item (J1/J2). */
static int
opens_pair(enum stat_code c)
{
	const char *d = dot_of(c), *n;

	if (d == NULL || c + 1 >= ST__MAX ||
	    stat_defs[c + 1].number != stat_defs[c].number ||
	    (n = dot_of(c + 1)) == NULL)
		return 0;
	/* Compared up to the dots: equal items end at the same offset. */
	return strncmp(stat_defs[c + 1].label, "（同", strlen("（同")) == 0 ||
	       (n - stat_defs[c + 1].label == d - stat_defs[c].label &&
		strncmp(stat_defs[c + 1].label, stat_defs[c].label,
			(size_t)(d - stat_defs[c].label)) == 0);
}

static void
form_row(struct arena *a, enum stat_code c, struct form_row *f)
{
	const struct stat_def *d = &stat_defs[c];
	const char *dot = dot_of(c);
	char *rule = stat_rule(a, c);

	memset(f, 0, sizeof(*f));
	f->code = c;
	if (dot == NULL) {
		f->item = arena_printf(a, "%s（%s）%s%s", d->label, d->unit,
				       rule ? "  " : "", rule ? rule : "");
		return;
	}
	dot += strlen("·");
	while (*dot == ' ')
		dot++;
	f->indicator = arena_printf(a, "%s（%s）", dot, d->unit);
	if (opens_pair(c)) {
		f->item = item_of(a, c);
		f->pair_first = 1;
	} else if (c == 0 || !opens_pair(c - 1))
		f->item = item_of(a, c);
}

static const char *const sources[] = {"records", "entered", "sum"};

/*
 * GET /stats/form (signed in; an extension for the pages that draw the
 * table): {title, note, rows: [{code, number, label, unit, source:
 * "records" | "entered" | "sum", rule, item, indicator, item_rows}]}, every
 * row of the official table in its order, laid out as the export lays it
 * out: item is the text of the 项目 cell, null on the second row of a pair
 * (the first row's item spans item_rows = 2 rows); indicator is the 指标
 * cell, or null when the item spans it too.
 */
int
stats_form(struct req *r)
{
	struct form_row f;
	json_t *rows = json_array();
	int i;

	for (i = 0; i < ST__MAX; i++) {
		const struct stat_def *d = &stat_defs[i];

		form_row(&r->arena, (enum stat_code)i, &f);
		json_array_append_new(
		    rows,
		    json_pack("{s:s, s:i, s:s, s:s, s:s, s:o, s:o, s:o, s:i}",
			      "code", d->code, "number", d->number, "label",
			      d->label, "unit", d->unit, "source",
			      sources[d->source], "rule",
			      json_str_or_null(stat_rule(&r->arena, i)), "item",
			      json_str_or_null(f.item), "indicator",
			      json_str_or_null(f.indicator), "item_rows",
			      f.pair_first ? 2 : 1));
	}
	return http_json(
	    r, 200,
	    json_pack("{s:s, s:s, s:o}", "title", "工会送温暖活动统计表",
		      "note",
		      "说明：本表中职工均包括农民工，困难职工包括困难农民工。",
		      "rows", rows));
}

/* Today in Asia/Shanghai as "2021年2月8日", the form's date line. */
static char *
today_cn(struct arena *a)
{
	time_t now = time(NULL) + 8 * 3600;
	struct tm tm;

	gmtime_r(&now, &tm);
	return arena_printf(a, "%d年%d月%d日", tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday);
}

static char *
title_of(struct arena *a, const struct stats_scope *s)
{
	return arena_printf(a, "%.4s年工会送温暖活动统计表", s->from);
}

/* ---- XLSX ------------------------------------------------------------ */

/* The height of each of rows rows holding text wrapped at per_line
 * characters: spreadsheets do not grow merged cells to fit on their own. */
static double
line_height(const char *text, size_t per_line, int rows)
{
	size_t lines = (utf8_chars(text) + per_line - 1) / per_line;
	double h = 15.0 * (double)lines / rows + 2;

	return h < 16 ? 16 : h;
}

/* Writes the workbook to a private temporary file and reads it back:
 * libxlsxwriter 1.1.4 (Debian 12) writes only to files. */
/* One line per violation, "错误：…" or "提示：…"; "" when there are none. */
static char *
violation_text(struct arena *a, const json_t *item)
{
	const char *level = json_string_value(json_object_get(item, "level"));
	const char *msg = json_string_value(json_object_get(item, "message"));

	return arena_printf(
	    a, "%s：%s", level && strcmp(level, "error") == 0 ? "错误" : "提示",
	    msg ? msg : "");
}

static int
xlsx(struct req *r, const struct stats_scope *s, const struct report *rep,
     struct buf *out)
{
	const int64_t *v = rep->v;
	size_t vi;
	/* mkstemp()'s template: Debian 12's libxlsxwriter (1.1.4) writes a
	 * workbook only to a file (its output_buffer came in 1.1.5). */
	char path[] = "/tmp/swn-export-XXXXXX", wan[32];
	lxw_workbook *wb = NULL;
	lxw_worksheet *ws;
	lxw_format *title, *head, *cell, *wrap, *num, *money, *plain;
	lxw_format *wrap_plain;
	struct form_row f;
	lxw_row_t row;
	int fd, i, rc = -1, start;
	FILE *in = NULL;
	size_t n;
	char chunk[8192];

	if ((fd = mkstemp(path)) < 0)
		return -1;
	close(fd);
	if ((wb = workbook_new(path)) == NULL)
		goto done;
	ws = workbook_add_worksheet(wb, "统计表");
	title = workbook_add_format(wb);
	format_set_bold(title);
	format_set_font_size(title, 16);
	format_set_align(title, LXW_ALIGN_CENTER);
	format_set_align(title, LXW_ALIGN_VERTICAL_CENTER);
	plain = workbook_add_format(wb);
	format_set_align(plain, LXW_ALIGN_VERTICAL_CENTER);
	wrap_plain = workbook_add_format(wb);
	format_set_text_wrap(wrap_plain);
	format_set_align(wrap_plain, LXW_ALIGN_VERTICAL_CENTER);
	head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_border(head, LXW_BORDER_THIN);
	format_set_align(head, LXW_ALIGN_CENTER);
	format_set_align(head, LXW_ALIGN_VERTICAL_CENTER);
	cell = workbook_add_format(wb);
	format_set_border(cell, LXW_BORDER_THIN);
	format_set_align(cell, LXW_ALIGN_CENTER);
	format_set_align(cell, LXW_ALIGN_VERTICAL_CENTER);
	wrap = workbook_add_format(wb);
	format_set_border(wrap, LXW_BORDER_THIN);
	format_set_text_wrap(wrap);
	format_set_align(wrap, LXW_ALIGN_VERTICAL_CENTER);
	num = workbook_add_format(wb);
	format_set_border(num, LXW_BORDER_THIN);
	format_set_num_format(num, "0");
	format_set_align(num, LXW_ALIGN_VERTICAL_CENTER);
	money = workbook_add_format(wb);
	format_set_border(money, LXW_BORDER_THIN);
	format_set_num_format(money, "0.00");
	format_set_align(money, LXW_ALIGN_VERTICAL_CENTER);

	worksheet_set_column(ws, 0, 0, 6, NULL);
	worksheet_set_column(ws, 1, 1, 6, NULL);
	worksheet_set_column(ws, 2, 2, 50, NULL);
	worksheet_set_column(ws, 3, 3, 17, NULL);
	worksheet_set_column(ws, 4, 4, 12, NULL);
	worksheet_set_paper(ws, 9); /* A4 */
	worksheet_set_portrait(ws);
	worksheet_fit_to_pages(ws, 1, 1);
	worksheet_center_horizontally(ws);
	worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.6);

	worksheet_set_row(ws, 0, 30, NULL);
	worksheet_merge_range(ws, 0, 0, 0, NCOLS - 1, title_of(&r->arena, s),
			      title);
	worksheet_merge_range(
	    ws, 1, 0, 1, 2,
	    arena_printf(&r->arena, "填报单位：%s", s->unit_name), plain);
	worksheet_merge_range(ws, 1, 3, 1, 4, today_cn(&r->arena), plain);
	worksheet_merge_range(
	    ws, 2, 0, 2, 2,
	    arena_printf(&r->arena, "填 报 人：%s", rep->filler), plain);
	worksheet_merge_range(ws, 2, 3, 2, 4, "联系电话：", plain);
	worksheet_merge_range(
	    ws, 3, 0, 3, NCOLS - 1,
	    "说明：本表中职工均包括农民工，困难职工包括困难农民工。", plain);
	worksheet_merge_range(
	    ws, 4, 0, 4, NCOLS - 1,
	    arena_printf(&r->arena, "统计期间：%s 至 %s%s%s%s%s", s->from,
			 s->to, s->campaign_id ? "（" : "",
			 s->campaign_id ? arena_printf(&r->arena, "%s）",
						       s->campaign_title)
					: "",
			 rep->state_line ? "　" : "",
			 rep->state_line ? rep->state_line : ""),
	    wrap_plain);
	if (rep->state_line != NULL)
		worksheet_set_row(ws, 4, 32, NULL);
	worksheet_write_string(ws, 5, 0, "编号", head);
	worksheet_merge_range(ws, 5, 1, 5, 3, "项目", head);
	worksheet_write_string(ws, 5, 4, "合  计", head);

	row = 6;
	for (i = 0; i < ST__MAX; i = start) {
		int group = stat_defs[i].number, k;

		/* 编号 spans every row of its group. */
		for (start = i;
		     start < ST__MAX && stat_defs[start].number == group;
		     start++)
			;
		if (start - i > 1)
			worksheet_merge_range(ws, row, 0, row + (start - i) - 1,
					      0, "", cell);
		worksheet_write_number(ws, row, 0, group, cell);
		for (k = i; k < start; k++, row++) {
			form_row(&r->arena, (enum stat_code)k, &f);
			worksheet_write_string(ws, row, 1, stat_defs[k].code,
					       cell);
			if (f.indicator == NULL) {
				worksheet_merge_range(ws, row, 2, row, 3,
						      f.item, wrap);
				worksheet_set_row(
				    ws, row, line_height(f.item, 28, 1), NULL);
			} else {
				if (f.pair_first) {
					double h = line_height(f.item, 20, 2);

					worksheet_merge_range(ws, row, 2,
							      row + 1, 2,
							      f.item, wrap);
					worksheet_set_row(ws, row, h, NULL);
					worksheet_set_row(ws, row + 1, h, NULL);
				} else if (f.item != NULL)
					worksheet_write_string(ws, row, 2,
							       f.item, wrap);
				worksheet_write_string(ws, row, 3, f.indicator,
						       wrap);
			}
			if (v[k] == STAT_NONE)
				worksheet_write_blank(ws, row, 4, cell);
			else if (stat_is_money((enum stat_code)k)) {
				money_wan(v[k], wan);
				worksheet_write_number(
				    ws, row, 4, strtod(wan, NULL), money);
			} else
				worksheet_write_number(ws, row, 4, (double)v[k],
						       num);
		}
	}
	worksheet_merge_range(
	    ws, row + 1, 0, row + 1, NCOLS - 1,
	    "注：B、E、F 项由各单位填报并逐级汇总，其余各项由系统根据登记记录"
	    "计算；万元数按分位精确合计后四舍五入。",
	    wrap_plain);
	worksheet_set_row(ws, row + 1, 32, NULL);
	row += 2;
	worksheet_merge_range(
	    ws, row, 0, row, NCOLS - 1,
	    json_array_size(rep->violations) == 0
		? "审核规则检查：全部通过。"
		: arena_printf(&r->arena, "审核规则检查：%zu 项需注意",
			       json_array_size(rep->violations)),
	    plain);
	for (vi = 0; vi < json_array_size(rep->violations); vi++) {
		char *t = violation_text(&r->arena,
					 json_array_get(rep->violations, vi));

		row++;
		worksheet_merge_range(ws, row, 0, row, NCOLS - 1, t,
				      wrap_plain);
		worksheet_set_row(ws, row, line_height(t, 45, 1), NULL);
	}
	if (workbook_close(wb) != LXW_NO_ERROR) {
		wb = NULL;
		goto done;
	}
	wb = NULL;
	if ((in = fopen(path, "rb")) == NULL)
		goto done;
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		if (buf_append(out, chunk, n) != 0)
			goto done;
	rc = ferror(in) ? -1 : 0;
done:
	if (in != NULL)
		fclose(in);
	if (wb != NULL)
		workbook_close(wb);
	unlink(path);
	return rc;
}

/* ---- CSV ------------------------------------------------------------- */

/*
 * One CSV field (RFC 4180).  Text a spreadsheet would take for a formula
 * (starting with = + - @, a tab or a carriage return) is prefixed with an
 * apostrophe, so Excel and WPS show it as the text it is.
 */
static void
csv_field(struct buf *b, const char *s, int last)
{
	const char *p;

	if (s == NULL)
		s = "";
	buf_puts(b, "\"");
	if (strchr("=+-@\t\r", *s) != NULL && *s != '\0')
		buf_puts(b, "'");
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			buf_puts(b, "\"\"");
		else
			buf_append(b, p, 1);
	}
	buf_puts(b, last ? "\"\r\n" : "\",");
}

static void
csv(struct req *r, const struct stats_scope *s, const struct report *rep,
    struct buf *b)
{
	const int64_t *v = rep->v;
	size_t vi;
	char wan[32], yuan[32], numb[32];
	struct form_row f;
	const char *item = NULL;
	int i;

	buf_puts(b, "\xEF\xBB\xBF"); /* UTF-8 byte-order mark */
	csv_field(b, title_of(&r->arena, s), 1);
	csv_field(b, "填报单位", 0);
	csv_field(b, s->unit_name, 0);
	csv_field(b, "日期", 0);
	csv_field(b, today_cn(&r->arena), 1);
	csv_field(b, "填报人", 0);
	csv_field(b, rep->filler, 0);
	csv_field(b, "联系电话", 0);
	csv_field(b, "", 1);
	csv_field(b, "说明：本表中职工均包括农民工，困难职工包括困难农民工。",
		  1);
	csv_field(b,
		  arena_printf(&r->arena, "统计期间：%s 至 %s", s->from, s->to),
		  1);
	if (rep->state_line != NULL)
		csv_field(b, rep->state_line, 1);
	csv_field(b, "编号", 0);
	csv_field(b, "代码", 0);
	csv_field(b, "项目", 0);
	csv_field(b, "指标", 0);
	csv_field(b, "合计", 0);
	csv_field(b, "精确金额（元）", 1);
	for (i = 0; i < ST__MAX; i++) {
		form_row(&r->arena, (enum stat_code)i, &f);
		if (f.item != NULL)
			item = f.item;
		snprintf(numb, sizeof(numb), "%d", stat_defs[i].number);
		csv_field(b, numb, 0);
		csv_field(b, stat_defs[i].code, 0);
		/* A flat file has no merged cells: the pair's item repeats. */
		csv_field(b, f.item ? f.item : item, 0);
		csv_field(b, f.indicator, 0);
		if (v[i] == STAT_NONE) {
			csv_field(b, "", 0);
			csv_field(b, "", 1);
		} else if (stat_is_money((enum stat_code)i)) {
			money_wan(v[i], wan);
			money_format(v[i], yuan);
			csv_field(b, wan, 0);
			csv_field(b, yuan, 1);
		} else {
			snprintf(numb, sizeof(numb), "%lld", (long long)v[i]);
			csv_field(b, numb, 0);
			csv_field(b, "", 1);
		}
	}
	csv_field(b,
		  json_array_size(rep->violations) == 0
		      ? "审核规则检查：全部通过。"
		      : arena_printf(&r->arena, "审核规则检查：%zu 项需注意",
				     json_array_size(rep->violations)),
		  1);
	for (vi = 0; vi < json_array_size(rep->violations); vi++)
		csv_field(b,
			  violation_text(&r->arena,
					 json_array_get(rep->violations, vi)),
			  1);
}

/* "2021-02-07T10:05:00+08:00" as "2021-02-07 10:05". */
static char *
minute(struct arena *a, const char *ts)
{
	return ts ? arena_printf(a, "%.10s %.5s", ts, ts + 11) : "";
}

/*
 * Fills rep for the scope: a standing submission's snapshot when the
 * export is asked for a campaign and the unit has reported it, the live
 * figures and rules otherwise.  Returns 0, or HANDLER_DB.
 */
static int
report_of(struct req *r, const struct stats_scope *s, struct report *rep)
{
	struct submission sub;
	struct violations found;
	int rc = 0;

	memset(rep, 0, sizeof(*rep));
	rep->filler = r->user->display_name;
	if (s->campaign_id > 0 &&
	    (rc = submission_latest(r, s->unit_id, s->campaign_id, &sub)) < 0)
		return HANDLER_DB;
	if (rc == 1 && submission_stands(&sub) &&
	    snapshot_values(sub.snapshot, rep->v, &rep->violations) == 0) {
		if (sub.submitted_by != NULL)
			rep->filler = sub.submitted_by;
		rep->state_line =
		    strcmp(sub.state, "approved") == 0
			? arena_printf(&r->arena,
				       "上报状态：已审核通过（%s 上报，%s 由%s"
				       "审核）；本表为上报时的数字",
				       minute(&r->arena, sub.submitted_at),
				       minute(&r->arena, sub.decided_at),
				       sub.decided_by ? sub.decided_by : "上级")
			: arena_printf(&r->arena,
				       "上报状态：已上报，待审核（%s 上报）；"
				       "本表为上报时的数字",
				       minute(&r->arena, sub.submitted_at));
		return 0;
	}
	if (stats_table(r, s, stats_subtree(&r->arena, s->unit_path), rep->v) !=
		0 ||
	    rules_check(r, s, rep->v, &found) != 0)
		return HANDLER_DB;
	rep->violations = found.items;
	if (s->campaign_id == 0)
		return 0;
	rep->state_line =
	    rc == 1 ? arena_printf(
			  &r->arena, "上报状态：已退回（%s）；本表为当前数字",
			  minute(&r->arena, sub.decided_at ? sub.decided_at
							   : sub.reopened_at))
		    : "上报状态：未上报；本表为当前数字";
	return 0;
}

/* RFC 5987 ext-value: UTF-8, every byte outside attr-char percent-encoded. */
static char *
ext_value(struct arena *a, const char *s)
{
	static const char ok[] = "!#$&+-.^_`|~";
	char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr(ok, *p) != NULL)
			*o++ = (char)*p;
		else
			o += sprintf(o, "%%%02X", *p);
	}
	*o = '\0';
	return out;
}

/*
 * GET /stats/export?format=xlsx|csv&unit_id=&from=&to= or &campaign_id=
 * (staff, admin).  Raises what GET /stats raises, 400 for another format,
 * and 200 with the file: Content-Disposition names it in Chinese
 * (filename*=UTF-8'', RFC 6266) with an ASCII fallback.
 */
int
stats_export(struct req *r)
{
	struct stats_scope s;
	struct report rep;
	const char *fmt;
	struct verrs e;
	struct buf b = {NULL, 0, 0};
	char *name;
	int rc, is_csv;

	verrs_init(&e);
	fmt = query_enum(r, "format", formats, &e);
	if (http_refused(r, &e))
		return 0;
	is_csv = fmt != NULL && strcmp(fmt, "csv") == 0;
	if ((rc = stats_scope(r, "unit_id", &s)) != 1)
		return rc;
	if ((rc = report_of(r, &s, &rep)) != 0)
		return rc;
	if (is_csv)
		csv(r, &s, &rep, &b);
	else if (xlsx(r, &s, &rep, &b) != 0) {
		json_decref(rep.violations);
		buf_free(&b);
		return http_problem(r, 500, "internal",
				    "生成 Excel 文件失败，请稍后重试");
	}
	json_decref(rep.violations);
	name = arena_printf(&r->arena, "%s_%s.%s", s.unit_name,
			    title_of(&r->arena, &s), is_csv ? "csv" : "xlsx");
	http_header(r,
		    "Content-Disposition: attachment; "
		    "filename=\"swn-stats-%lld-%s-%s.%s\"; filename*=UTF-8''%s",
		    (long long)s.unit_id, s.from, s.to, is_csv ? "csv" : "xlsx",
		    ext_value(&r->arena, name));
	rc = http_bytes(r, 200,
			is_csv ? "text/csv; charset=utf-8"
			       : "application/"
				 "vnd.openxmlformats-officedocument."
				 "spreadsheetml.sheet",
			b.p, b.len);
	buf_free(&b);
	return rc;
}
