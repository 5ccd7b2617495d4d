/*
 * Safe return home (平安返乡): volunteers register workers going home for
 * the Spring Festival, one party or a whole busload at a time, and follow
 * each from registration to departure to safe arrival; a traveller can
 * confirm arrival alone with the arrival code.  Departed and arrived
 * parties make row G of the statistics (stats.c).
 *
 * Visibility: admins see every record, staff the records of their unit's
 * subtree, volunteers the records they created.  A record outside that is
 * answered 404, exactly like a record that does not exist.
 *
 * The contract is API.md "Safe return home" and v1.1 "Safe returns";
 * docs/safe-returns.md records what this file adds to it.
 */
#include <mysqld_error.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "codes.h"
#include "locks.h"
#include "mask.h"
#include "pii.h"
#include "query.h"
#include "resources.h"

/* A busload: the contract's 1-60 travellers per batch. */
#define TRAVELLERS_MAX 60
/* A party is one traveller and the family travelling with them. */
#define PARTY_MAX 60
/* depart_on within a year of today either way: further is a typo. */
#define DEPART_RANGE_DAYS 366
/* Tries at an unused arrival code (31^8 codes: a clash is rare). */
#define CODE_TRIES 5

static const char *const transports[] = {
    "rail", "coach", "charter_bus", "air", "self_drive", "other", NULL};
static const char *const assistances[] = {
    "ticket", "charter_bus", "subsidy", "gift", "escort", "other", NULL};

/*
 * The 34 provincial divisions of China (省级行政区), in the order and
 * official names of GB/T 2260, with their codes.  hometown.province must
 * be one of the names; GET /safe-returns/provinces serves this list to
 * the pages, so it is kept here only.
 */
/* clang-format off: four to a line, as the standard lists them. */
// clang-format off
static const char *const provinces[] = {
	"北京市", "天津市", "河北省", "山西省",
	"内蒙古自治区", "辽宁省", "吉林省", "黑龙江省",
	"上海市", "江苏省", "浙江省", "安徽省",
	"福建省", "江西省", "山东省", "河南省",
	"湖北省", "湖南省", "广东省", "广西壮族自治区",
	"海南省", "重庆市", "四川省", "贵州省",
	"云南省", "西藏自治区", "陕西省", "甘肃省",
	"青海省", "宁夏回族自治区", "新疆维吾尔自治区", "台湾省",
	"香港特别行政区", "澳门特别行政区", NULL};
static const char *const province_codes[] = {
	"11", "12", "13", "14", "15", "21", "22", "23",
	"31", "32", "33", "34", "35", "36", "37", "41",
	"42", "43", "44", "45", "46", "50", "51", "52",
	"53", "54", "61", "62", "63", "64", "65", "71",
	"81", "82"};
// clang-format on

enum status { S_REGISTERED, S_DEPARTED, S_ARRIVED, S_CANCELLED, S__MAX };

static const char *const statuses[] = {"registered", "departed", "arrived",
				       "cancelled", NULL};
static const char *const status_labels[] = {"已登记", "已出发", "已到家",
					    "已取消"};

#define B(s) (1u << (s))
/* The contract's moves: from each status, where it may go. */
static const unsigned next_ok[S__MAX] = {
    [S_REGISTERED] = B(S_DEPARTED) | B(S_ARRIVED) | B(S_CANCELLED),
    [S_DEPARTED] = B(S_ARRIVED),
};
/* A traveller's arrival code moves a record to arrived from these. */
static const unsigned arriving = B(S_REGISTERED) | B(S_DEPARTED);

static const char *
status_label(const char *status)
{
	int i = valid_enum_index(statuses, status);

	return i >= 0 ? status_labels[i] : status;
}

/* ---- Field tables ------------------------------------------------- */

struct hometown_in {
	uint64_t has;
	int province;
	char *city;
};

static const struct vfield hometown_fields[] = {
    FE(struct hometown_in, "province", "省份", V_REQ, province, provinces),
    F(struct hometown_in, "city", "城市", VT_STRING, 0, 1, 50, city),
};
static const struct vtable hometown_table =
    VTABLE(hometown_fields, struct hometown_in);

struct traveler_in {
	uint64_t has;
	char *name;
	char phone[12];
	char id_number[19];
};

enum { T_NAME, T_PHONE, T_ID_NUMBER };

static const struct vfield traveler_fields[] = {
    [T_NAME] =
	F(struct traveler_in, "name", "姓名", VT_STRING, V_REQ, 1, 50, name),
    [T_PHONE] =
	F(struct traveler_in, "phone", "手机号", VT_PHONE, V_REQ, 0, 0, phone),
    [T_ID_NUMBER] = F(struct traveler_in, "id_number", "身份证号", VT_IDNUM, 0,
		      0, 0, id_number),
};
static const struct vtable traveler_table =
    VTABLE(traveler_fields, struct traveler_in);

/* A PATCH changes the traveller's fields one by one. */
static const struct vfield traveler_patch_fields[] = {
    [T_NAME] = F(struct traveler_in, "name", "姓名", VT_STRING, 0, 1, 50, name),
    [T_PHONE] =
	F(struct traveler_in, "phone", "手机号", VT_PHONE, 0, 0, 0, phone),
    [T_ID_NUMBER] = F(struct traveler_in, "id_number", "身份证号", VT_IDNUM, 0,
		      0, 0, id_number),
};
static const struct vtable traveler_patch_table =
    VTABLE(traveler_patch_fields, struct traveler_in);

struct record_in {
	uint64_t has;
	int64_t unit_id;
	struct traveler_in traveler;
	int64_t party_size;
	struct hometown_in hometown;
	char depart_on[11];
	int transport;
	uint32_t assistance;
	int64_t subsidy_amount;
	char *bus_label;
	char *note;
};

enum {
	R_UNIT,
	R_TRAVELER,
	R_PARTY,
	R_HOMETOWN,
	R_DEPART,
	R_TRANSPORT,
	R_ASSISTANCE,
	R_SUBSIDY,
	R_BUS,
	R_NOTE
};

static const struct vfield record_fields[] = {
    [R_UNIT] = F(struct record_in, "unit_id", "所属工会", VT_INT, 0, 1,
		 INT64_MAX, unit_id),
    [R_TRAVELER] = FO(struct record_in, "traveler", "返乡人员", V_REQ, traveler,
		      &traveler_table),
    [R_PARTY] = F(struct record_in, "party_size", "同行人数", VT_INT, 0, 1,
		  PARTY_MAX, party_size),
    [R_HOMETOWN] = FO(struct record_in, "hometown", "家乡", V_REQ, hometown,
		      &hometown_table),
    [R_DEPART] = F(struct record_in, "depart_on", "出发日期", VT_DATE, V_REQ, 0,
		   0, depart_on),
    [R_TRANSPORT] = FE(struct record_in, "transport", "交通方式", V_REQ,
		       transport, transports),
    [R_ASSISTANCE] = FS(struct record_in, "assistance", "帮扶方式", V_REQ,
			assistance, assistances),
    [R_SUBSIDY] = F(struct record_in, "subsidy_amount", "补贴金额", VT_MONEY, 0,
		    0, MONEY_MAX_FEN, subsidy_amount),
    [R_BUS] = F(struct record_in, "bus_label", "车次或车辆", VT_STRING, 0, 1,
		50, bus_label),
    [R_NOTE] =
	F(struct record_in, "note", "备注", VT_STRING, V_MULTI, 0, 2000, note),
};
static const struct vtable record_table =
    VTABLE(record_fields, struct record_in);

/* A PATCH changes any of the record's own fields but its status. */
static const struct vfield patch_fields[] = {
    [R_UNIT] = F(struct record_in, "unit_id", "所属工会", VT_INT, 0, 1,
		 INT64_MAX, unit_id),
    [R_TRAVELER] = FO(struct record_in, "traveler", "返乡人员", 0, traveler,
		      &traveler_patch_table),
    [R_PARTY] = F(struct record_in, "party_size", "同行人数", VT_INT, 0, 1,
		  PARTY_MAX, party_size),
    [R_HOMETOWN] =
	FO(struct record_in, "hometown", "家乡", 0, hometown, &hometown_table),
    [R_DEPART] = F(struct record_in, "depart_on", "出发日期", VT_DATE, 0, 0, 0,
		   depart_on),
    [R_TRANSPORT] =
	FE(struct record_in, "transport", "交通方式", 0, transport, transports),
    [R_ASSISTANCE] = FS(struct record_in, "assistance", "帮扶方式", 0,
			assistance, assistances),
    [R_SUBSIDY] = F(struct record_in, "subsidy_amount", "补贴金额", VT_MONEY, 0,
		    0, MONEY_MAX_FEN, subsidy_amount),
    [R_BUS] = F(struct record_in, "bus_label", "车次或车辆", VT_STRING, 0, 1,
		50, bus_label),
    [R_NOTE] =
	F(struct record_in, "note", "备注", VT_STRING, V_MULTI, 0, 2000, note),
};
static const struct vtable patch_table = VTABLE(patch_fields, struct record_in);

/* One passenger of a busload: a traveller with their party and home. */
struct passenger_in {
	uint64_t has;
	char *name;
	char phone[12];
	char id_number[19];
	int64_t party_size;
	struct hometown_in hometown;
};

enum { P_NAME, P_PHONE, P_ID_NUMBER, P_PARTY, P_HOMETOWN };

static const struct vfield passenger_fields[] = {
    [P_NAME] =
	F(struct passenger_in, "name", "姓名", VT_STRING, V_REQ, 1, 50, name),
    [P_PHONE] =
	F(struct passenger_in, "phone", "手机号", VT_PHONE, V_REQ, 0, 0, phone),
    [P_ID_NUMBER] = F(struct passenger_in, "id_number", "身份证号", VT_IDNUM, 0,
		      0, 0, id_number),
    [P_PARTY] = F(struct passenger_in, "party_size", "同行人数", VT_INT, 0, 1,
		  PARTY_MAX, party_size),
    [P_HOMETOWN] = FO(struct passenger_in, "hometown", "家乡", V_REQ, hometown,
		      &hometown_table),
};
static const struct vtable passenger_table =
    VTABLE(passenger_fields, struct passenger_in);

struct batch_in {
	uint64_t has;
	int64_t unit_id;
	char depart_on[11];
	int transport;
	uint32_t assistance;
	int64_t subsidy_amount;
	char *bus_label;
	char *note;
	struct passenger_in *travellers;
	size_t ntravellers;
};

enum {
	BA_UNIT,
	BA_DEPART,
	BA_TRANSPORT,
	BA_ASSISTANCE,
	BA_SUBSIDY,
	BA_BUS,
	BA_NOTE,
	BA_TRAVELLERS
};

static const struct vfield batch_fields[] = {
    [BA_UNIT] = F(struct batch_in, "unit_id", "所属工会", VT_INT, 0, 1,
		  INT64_MAX, unit_id),
    [BA_DEPART] = F(struct batch_in, "depart_on", "出发日期", VT_DATE, V_REQ, 0,
		    0, depart_on),
    [BA_TRANSPORT] = FE(struct batch_in, "transport", "交通方式", V_REQ,
			transport, transports),
    [BA_ASSISTANCE] = FS(struct batch_in, "assistance", "帮扶方式", V_REQ,
			 assistance, assistances),
    [BA_SUBSIDY] = F(struct batch_in, "subsidy_amount", "补贴金额", VT_MONEY, 0,
		     0, MONEY_MAX_FEN, subsidy_amount),
    [BA_BUS] = F(struct batch_in, "bus_label", "车次或车辆", VT_STRING, 0, 1,
		 50, bus_label),
    [BA_NOTE] =
	F(struct batch_in, "note", "备注", VT_STRING, V_MULTI, 0, 2000, note),
    [BA_TRAVELLERS] =
	FA(struct batch_in, "travellers", "乘客名单", V_REQ, 1, TRAVELLERS_MAX,
	   travellers, &passenger_table, ntravellers),
};
static const struct vtable batch_table = VTABLE(batch_fields, struct batch_in);

struct transition_in {
	uint64_t has;
	int to;
	char *note;
};

static const struct vfield transition_fields[] = {
    FE(struct transition_in, "to", "目标状态", V_REQ, to, statuses),
    F(struct transition_in, "note", "备注", VT_STRING, V_MULTI, 0, 2000, note),
};
static const struct vtable transition_table =
    VTABLE(transition_fields, struct transition_in);

/* What a traveller types: a generous bound, then the same 404 for any
 * string that is not a known code. */
struct arrival_in {
	uint64_t has;
	char *code;
};

static const struct vfield arrival_fields[] = {
    F(struct arrival_in, "code", "到家码", VT_STRING, V_REQ, 1, 32, code),
};
static const struct vtable arrival_table =
    VTABLE(arrival_fields, struct arrival_in);

/* The request tables above, for the tests that walk every table
 * (resources.h FIELD_TABLES). */
const struct vtable_ref safe_return_tables[] = {
    {"safe_returns.create", &record_table},
    {"safe_returns.patch", &patch_table},
    {"safe_returns.batch", &batch_table},
    {"safe_returns.transition", &transition_table},
    {"safe_returns.arrival", &arrival_table},
    {NULL, NULL},
};

/* ---- SQL ------------------------------------------------------------ */

#define TS(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s+08:00')"
#define DAY(col) "DATE_FORMAT(" col ", '%Y-%m-%d')"

/* Sealed columns' associated data (pii.h): their table and column. */
#define AD_PHONE "safe_returns.traveler_phone"
#define AD_IDNUM "safe_returns.traveler_id_number"

SQL(sql_insert,
    "INSERT INTO safe_returns (unit_id, batch_id, bus_label, traveler_name, "
    "traveler_phone_enc, traveler_id_number_enc, party_size, "
    "hometown_province, hometown_city, depart_on, transport, assistance, "
    "subsidy_amount, note, arrival_hash, created_by, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "NOW(), NOW())");
SQL(sql_set_batch, "UPDATE safe_returns SET batch_id = ? WHERE id = ?");
SQL(sql_event, "INSERT INTO safe_return_events (record_id, at, user_id, "
	       "from_status, to_status, note) VALUES (?, NOW(), ?, ?, ?, ?)");

/* clang-format off: it would split the string concatenation apart. */
// clang-format off
#define SR_COLS                                                                \
	"s.id, s.unit_id, s.batch_id, s.bus_label, s.traveler_name, "          \
	"s.traveler_phone_enc, s.traveler_id_number_enc, s.party_size, "       \
	"s.hometown_province, s.hometown_city, " DAY("s.depart_on") ", "       \
	"s.transport, s.assistance, s.subsidy_amount, s.status, s.note, "      \
	TS("s.departed_at") ", " TS("s.arrived_at") ", s.created_by, "         \
	"(SELECT u.display_name FROM users u WHERE u.id = s.created_by), "     \
	TS("s.created_at") ", " TS("s.updated_at") ", "                        \
	"s.version, n.path, n.name"
#define SR_FROM                                                                \
	" FROM safe_returns s STRAIGHT_JOIN units n ON n.id = s.unit_id "
// clang-format on

SQL(sql_record, "SELECT " SR_COLS SR_FROM "WHERE s.id = ?");
SQL(sql_record_lock, "SELECT " SR_COLS SR_FROM "WHERE s.id = ? FOR UPDATE");
SQL(sql_events, "SELECT " TS("e.at") ", u.display_name, e.from_status, "
				     "e.to_status, e.note "
				     "FROM safe_return_events e "
				     "LEFT JOIN users u ON u.id = e.user_id "
				     "WHERE e.record_id = ? ORDER BY e.id");
/*
 * STRAIGHT_JOIN: the records are read newest first by primary key and the
 * scan stops at the page's end.  Left to itself, with the parameters of a
 * prepared statement unknown when it plans, the optimizer started from
 * units and sorted a whole subtree's records: 1.9 s for one page of the
 * safe-return list at 300,000 records (bench/stats.sh measures the lists).
 */
SQL(sql_list,
    "SELECT " SR_COLS SR_FROM "WHERE s.id < ? AND n.path LIKE CONCAT(?, '%') "
    "AND (? IS NULL OR s.created_by = ?) "
    "AND (? IS NULL OR s.status = ?) "
    "AND (? IS NULL OR n.path LIKE CONCAT(?, '%')) "
    "AND (? IS NULL OR s.depart_on >= ?) "
    "AND (? IS NULL OR s.depart_on <= ?) "
    "AND (? IS NULL OR s.batch_id = ?) "
    "AND (? IS NULL OR s.traveler_name LIKE ? "
    "OR s.bus_label LIKE ?) "
    "ORDER BY s.id DESC LIMIT ?");
SQL(sql_update,
    "UPDATE safe_returns SET unit_id = ?, bus_label = ?, traveler_name = ?, "
    "traveler_phone_enc = ?, traveler_id_number_enc = ?, party_size = ?, "
    "hometown_province = ?, hometown_city = ?, depart_on = ?, "
    "transport = ?, assistance = ?, subsidy_amount = ?, note = ?, "
    "version = version + 1, updated_at = NOW() WHERE id = ?");
SQL(sql_transition, "UPDATE safe_returns SET status = ?, "
		    "departed_at = IF(? = 'departed', NOW(), departed_at), "
		    "arrived_at = IF(? = 'arrived', NOW(), arrived_at), "
		    "version = version + 1, updated_at = NOW() WHERE id = ?");
/* depart_on and the unit's path are what period_locked() needs.  The path
 * comes from a subquery: FOR UPDATE does not reach into one, so the unit's
 * row stays unlocked as when it was read apart. */
SQL(sql_by_code,
    "SELECT s.id, s.status, " DAY(
	"s.depart_on") ", "
		       "(SELECT n.path FROM units n WHERE n.id = s.unit_id) "
		       "FROM safe_returns s WHERE s.arrival_hash = ? FOR "
		       "UPDATE");

/* ---- Reading records ------------------------------------------------ */

struct sr_row {
	int64_t id, unit_id, batch_id, party, subsidy, created_by, version;
	int no_batch;
	char *bus_label, *name, *phone, *idnum, *province, *city, *depart_on;
	char *transport, *assistance, *status, *note, *departed_at;
	char *arrived_at, *creator, *created_at, *updated_at;
	char *unit_path, *unit_name;
	struct blob phone_enc, idnum_enc;
};

#define SR_FMT "iiIssBBisssssissssisssiss"

/* Opens the sealed values of a row just read.  A value that does not open
 * is a server fault (a key missing): HANDLER_DB, answered 500. */
static int
open_row(struct req *r, struct sr_row *s)
{
	if (pii_open(&r->arena, AD_PHONE, &s->phone_enc, &s->phone, NULL) !=
		0 ||
	    pii_open(&r->arena, AD_IDNUM, &s->idnum_enc, &s->idnum, NULL) !=
		0) {
		r->db->err = 0;
		r->db->errsql = "safe_returns does not open";
		return HANDLER_DB;
	}
	return 0;
}

/* Reads the next row of q into s: 1 a row, 0 the end, -1 a failure. */
static int
next_row(struct req *r, struct dbres *q, struct sr_row *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = db_row(q, &r->arena, SR_FMT, &s->id, &s->unit_id, &s->batch_id,
		    &s->no_batch, &s->bus_label, &s->name, &s->phone_enc,
		    &s->idnum_enc, &s->party, &s->province, &s->city,
		    &s->depart_on, &s->transport, &s->assistance, &s->subsidy,
		    &s->status, &s->note, &s->departed_at, &s->arrived_at,
		    &s->created_by, &s->creator, &s->created_at, &s->updated_at,
		    &s->version, &s->unit_path, &s->unit_name);
	if (rc == 1 && open_row(r, s) != 0)
		return -1;
	return rc;
}

/* Returns 1 found, 0 none, -1 (HANDLER_DB) on a failure. */
static int
read_record(struct req *r, struct sql *stmt, int64_t id, struct sr_row *s)
{
	struct dbres q;
	int rc;

	if (db_query(r->db, &q, stmt, "i", id) != 0)
		return -1;
	rc = next_row(r, &q, s);
	db_end(&q);
	return rc;
}

static int
may_see(const struct req *r, const struct sr_row *s)
{
	if (r->user->role == ROLE_VOLUNTEER)
		return s->created_by == r->user->id;
	return auth_in_subtree(r->user, s->unit_path);
}

/* Staff of the owning subtree and admins see personal data in full. */
static int
may_unmask(const struct req *r, const struct sr_row *s)
{
	return r->user->role != ROLE_VOLUNTEER &&
	       auth_in_subtree(r->user, s->unit_path);
}

/* May the caller register (or move) records to the unit at path?  Staff
 * and admins within their subtree, volunteers for their own unit and
 * below. */
static int
may_register(const struct req *r, int64_t unit, const char *path)
{
	return auth_in_subtree(r->user, path) ||
	       (r->user->role == ROLE_VOLUNTEER && unit == r->user->unit_id);
}

/* "ticket,gift" (a SET column) as a JSON array. */
static json_t *
assistance_json(const char *set)
{
	json_t *a = json_array();
	const char *p = set;
	size_t n;

	while (p != NULL && *p != '\0') {
		n = strcspn(p, ",");
		json_array_append_new(a, json_stringn(p, n));
		p += n;
		if (*p == ',')
			p++;
	}
	return a;
}

/* The SET column's value of a mask of assistances. */
static char *
assistance_set(struct arena *a, uint32_t mask)
{
	char *out = arena_zalloc(a, 64);
	int i;

	for (i = 0; assistances[i] != NULL; i++)
		if (mask & (1u << i)) {
			if (*out != '\0')
				strcat(out, ",");
			strcat(out, assistances[i]);
		}
	return out;
}

static json_t *
record_json(struct req *r, const struct sr_row *s, int unmask)
{
	return json_pack(
	    "{s:I, s:I, s:s, s:o, s:o, s:{s:s, s:s, s:o}, s:I, s:{s:s, s:o}, "
	    "s:s, s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:I, s:o, s:s, s:s, "
	    "s:I}",
	    "id", (json_int_t)s->id, "unit_id", (json_int_t)s->unit_id,
	    "unit_name", s->unit_name, "batch_id",
	    s->no_batch ? json_null() : json_integer(s->batch_id), "bus_label",
	    json_str_or_null(s->bus_label), "traveler", "name", s->name,
	    "phone", unmask ? s->phone : mask_phone(&r->arena, s->phone),
	    "id_number",
	    json_str_or_null(unmask ? s->idnum
				    : mask_idnum(&r->arena, s->idnum)),
	    "party_size", (json_int_t)s->party, "hometown", "province",
	    s->province, "city", json_str_or_null(s->city), "depart_on",
	    s->depart_on, "transport", s->transport, "assistance",
	    assistance_json(s->assistance), "subsidy_amount",
	    json_money(s->subsidy), "status", s->status, "status_label",
	    status_label(s->status), "note", json_str_or_null(s->note),
	    "departed_at", json_str_or_null(s->departed_at), "arrived_at",
	    json_str_or_null(s->arrived_at), "created_by",
	    (json_int_t)s->created_by, "created_by_name",
	    json_str_or_null(s->creator), "created_at", s->created_at,
	    "updated_at", s->updated_at, "version", (json_int_t)s->version);
}

/* The record with its history; NULL on a database error. */
static json_t *
detail_json(struct req *r, const struct sr_row *s, int unmask)
{
	json_t *o = record_json(r, s, unmask), *list = json_array();
	char *at, *who, *from, *to, *note;
	struct dbres q;
	int rc;

	json_object_set_new(o, "events", list);
	if (db_query(r->db, &q, &sql_events, "i", s->id) != 0)
		goto err;
	while ((rc = db_row(&q, &r->arena, "sssss", &at, &who, &from, &to,
			    &note)) == 1)
		json_array_append_new(
		    list, json_pack("{s:s, s:o, s:o, s:s, s:o}", "at", at,
				    "user", json_str_or_null(who), "from",
				    json_str_or_null(from), "to", to, "note",
				    json_str_or_null(note)));
	db_end(&q);
	if (rc < 0)
		goto err;
	return o;
err:
	json_decref(o);
	return NULL;
}

/* Loads a record the caller may see, locked for update when asked;
 * answers 404 otherwise.  Returns 1 found, 0 answered, HANDLER_DB. */
static int
load_visible(struct req *r, int lock, struct sr_row *s)
{
	int rc = read_record(r, lock ? &sql_record_lock : &sql_record,
			     req_id(r, 0), s);

	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0 || !may_see(r, s)) {
		http_problem(r, 404, "not_found", "没有这条返乡登记");
		return 0;
	}
	return 1;
}

/* Answers with the record as it now stands, with its ETag. */
static int
answer_record(struct req *r, int status, int64_t id)
{
	struct sr_row s;
	json_t *o;

	if (read_record(r, &sql_record, id, &s) <= 0)
		return HANDLER_DB;
	if ((o = detail_json(r, &s, may_unmask(r, &s))) == NULL)
		return HANDLER_DB;
	http_etag(r, s.version);
	return http_json(r, status, o);
}

/* ---- Checks the field tables cannot make ------------------------------ */

/* depart_on within DEPART_RANGE_DAYS of today in Asia/Shanghai.  Dates
 * written YYYY-MM-DD compare as strings. */
static void
check_depart(const char *path, const char *day, struct verrs *e)
{
	char today[11], first[11], last[11];

	valid_today(today);
	valid_date_add(today, -DEPART_RANGE_DAYS, first);
	valid_date_add(today, DEPART_RANGE_DAYS, last);
	if (strcmp(day, first) < 0 || strcmp(day, last) > 0)
		verrs_add(e, path, "out_of_range",
			  "出发日期应在今天前后一年之内");
}

/* One person listed twice in a busload: the same ID number. */
static void
check_passengers(struct req *r, const struct batch_in *in, struct verrs *e)
{
	size_t i, j;

	for (i = 0; i < in->ntravellers; i++) {
		if (!(in->travellers[i].has & VBIT(P_ID_NUMBER)))
			continue;
		for (j = 0; j < i; j++)
			if ((in->travellers[j].has & VBIT(P_ID_NUMBER)) &&
			    strcmp(in->travellers[i].id_number,
				   in->travellers[j].id_number) == 0) {
				verrs_add(e,
					  arena_printf(
					      &r->arena,
					      "travellers[%zu].id_number", i),
					  "duplicate",
					  arena_printf(
					      &r->arena,
					      "与第 %zu 位乘客的身份证号重复",
					      j + 1));
				break;
			}
	}
}

/*
 * The unit a record goes to: unit_id when given, else the caller's own.
 * Returns 1 allowed (path filled), 0 answered (400 unknown unit, 403 a
 * unit outside what the caller may register for), HANDLER_DB.
 */
static int
register_unit(struct req *r, int given, int64_t unit_id, int64_t *unit,
	      char **path)
{
	int rc;

	*unit = given ? unit_id : r->user->unit_id;
	if ((rc = unit_path(r, *unit, path)) < 0)
		return HANDLER_DB;
	if (rc == 0) {
		http_field_error(r, "unit_id", "unknown", "所选工会不存在");
		return 0;
	}
	if (!may_register(r, *unit, *path)) {
		http_problem(r, 403, "forbidden",
			     "只能为本单位及下级单位登记返乡人员");
		return 0;
	}
	return 1;
}

/* ---- Creating records ------------------------------------------------ */

/* Everything one new record holds, whichever request it came from. */
struct new_record {
	int64_t unit, batch_id, party, subsidy;
	int has_batch;
	const char *bus_label, *name, *phone, *idnum, *city, *depart_on, *note;
	int province, transport;
	uint32_t assistance;
};

/*
 * Stores one record with a fresh arrival code, its creation event and
 * audit row.  code receives the code (shown once); *id the new id; *s the
 * row as stored, read once for the audit and handed out so the answer
 * need not read it (and open its sealed fields) again.
 * Returns 0 or HANDLER_DB.
 */
static int
insert_record(struct req *r, const struct new_record *n,
	      char code[CODE_LEN + 1], int64_t *id, struct sr_row *s)
{
	unsigned char hash[CODE_HASH_LEN];
	struct blob phone, idn;
	int tries;

	if (pii_seal_str(&r->arena, AD_PHONE, n->phone, &phone) != 0 ||
	    pii_seal_str(&r->arena, AD_IDNUM, n->idnum, &idn) != 0)
		return HANDLER_DB;
	for (tries = 0; tries < CODE_TRIES; tries++) {
		code_new(code);
		code_hash(code, hash);
		if (db_exec(r->db, &sql_insert, "iIssbbisssssisbi", n->unit,
			    n->has_batch, n->batch_id, n->bus_label, n->name,
			    phone.p, phone.n, idn.p, idn.n, n->party,
			    provinces[n->province], n->city, n->depart_on,
			    transports[n->transport],
			    assistance_set(&r->arena, n->assistance),
			    n->subsidy, n->note, hash, sizeof(hash),
			    r->user->id) >= 0)
			break;
		/* Only a clash of arrival codes is worth another try; a
		 * failed statement leaves the transaction as it was. */
		if (r->db->err != ER_DUP_ENTRY)
			return HANDLER_DB;
	}
	if (tries == CODE_TRIES)
		return HANDLER_DB;
	*id = db_last_id(r->db);
	if (db_exec(r->db, &sql_event, "iIsss", *id, 1, r->user->id, NULL,
		    "registered", n->has_batch ? "整车登记" : "登记") < 0)
		return HANDLER_DB;
	if (read_record(r, &sql_record, *id, s) <= 0)
		return HANDLER_DB;
	return audit(r, "safe_return.create", "safe_returns", *id, NULL,
		     record_json(r, s, 0));
}

/* The answer for a new record, from the row insert_record() read: the
 * record, its arrival code this once. */
static json_t *
created_json(struct req *r, const struct sr_row *s, const char *code)
{
	json_t *o;

	if ((o = detail_json(r, s, may_unmask(r, s))) == NULL)
		return NULL;
	json_object_set_new(o, "arrival_code", json_string(code));
	return o;
}

/*
 * POST /safe-returns (volunteer, staff, admin) {unit_id?, traveler {name,
 * phone, id_number?}, party_size?, hometown {province, city?}, depart_on,
 * transport, assistance, subsidy_amount?, bus_label?, note?}.  unit_id
 * defaults to the caller's unit.  Raises 400 with every invalid field
 * (traveler.phone, hometown.province, ...), 400 unit_id "unknown", 403 for
 * a unit the caller may not register for, 409 "period_locked" when
 * depart_on lies in an approved period of the unit (locks.h), 201 with
 * Location, ETag and the
 * record (masked for volunteers) carrying its arrival_code, shown this
 * once.
 */
int
safe_returns_create(struct req *r)
{
	struct record_in in;
	struct new_record n;
	char code[CODE_LEN + 1], *path = NULL;
	struct sr_row s;
	int64_t id;
	struct verrs e;
	json_t *o;
	int rc;

	memset(&in, 0, sizeof(in));
	verrs_init(&e);
	http_validate(r, &record_table, &in, &e);
	if (in.has & VBIT(R_DEPART))
		check_depart("depart_on", in.depart_on, &e);
	if (http_refused(r, &e))
		return 0;
	memset(&n, 0, sizeof(n));
	if ((rc = register_unit(r, (in.has & VBIT(R_UNIT)) != 0, in.unit_id,
				&n.unit, &path)) != 1)
		return rc;
	if ((rc = period_locked(r, path, in.depart_on)) != 0)
		return rc < 0 ? HANDLER_DB : 0;
	n.bus_label = in.bus_label;
	n.name = in.traveler.name;
	n.phone = in.traveler.phone;
	n.idnum =
	    in.traveler.has & VBIT(T_ID_NUMBER) ? in.traveler.id_number : NULL;
	n.party = in.has & VBIT(R_PARTY) ? in.party_size : 1;
	n.province = in.hometown.province;
	n.city = in.hometown.city;
	n.depart_on = in.depart_on;
	n.transport = in.transport;
	n.assistance = in.assistance;
	n.subsidy = in.subsidy_amount;
	n.note = in.note;
	if (insert_record(r, &n, code, &id, &s) != 0)
		return HANDLER_DB;
	if ((o = created_json(r, &s, code)) == NULL)
		return HANDLER_DB;
	http_header(r, "Location: /api/v1/safe-returns/%lld", (long long)id);
	http_etag(r, s.version);
	return http_json(r, 201, o);
}

/*
 * POST /safe-returns/batch (volunteer, staff, admin) {unit_id?, depart_on,
 * transport, assistance, subsidy_amount?, bus_label?, note?, travellers:
 * [{name, phone, id_number?, party_size?, hometown}]} (1-60 travellers):
 * a busload in one request (API.md v1.1 "Safe returns").  The shared
 * fields go into every record; subsidy_amount is each party's.  All or
 * nothing: raises 400 with every invalid field (travellers[12].phone, an
 * ID number listed twice is "duplicate"), 400 unit_id "unknown", 403 as
 * POST /safe-returns, 409 "period_locked" as POST /safe-returns, and
 * stores nothing then; 201 {batch_id, items:
 * [record...]} otherwise, each record as POST /safe-returns answers it,
 * in the order sent, with Location naming the batch's list.
 */
int
safe_returns_batch(struct req *r)
{
	struct batch_in in;
	struct new_record n;
	char code[CODE_LEN + 1], *path = NULL;
	struct sr_row s;
	int64_t id;
	struct verrs e;
	json_t *items, *o;
	size_t i;
	int rc;

	memset(&in, 0, sizeof(in));
	verrs_init(&e);
	http_validate(r, &batch_table, &in, &e);
	if (in.has & VBIT(BA_DEPART))
		check_depart("depart_on", in.depart_on, &e);
	check_passengers(r, &in, &e);
	if (http_refused(r, &e))
		return 0;
	memset(&n, 0, sizeof(n));
	if ((rc = register_unit(r, (in.has & VBIT(BA_UNIT)) != 0, in.unit_id,
				&n.unit, &path)) != 1)
		return rc;
	if ((rc = period_locked(r, path, in.depart_on)) != 0)
		return rc < 0 ? HANDLER_DB : 0;
	n.bus_label = in.bus_label;
	n.depart_on = in.depart_on;
	n.transport = in.transport;
	n.assistance = in.assistance;
	n.subsidy = in.subsidy_amount;
	n.note = in.note;
	n.has_batch = 1;
	items = json_array();
	for (i = 0; i < in.ntravellers; i++) {
		const struct passenger_in *p = &in.travellers[i];

		n.name = p->name;
		n.phone = p->phone;
		n.idnum = p->has & VBIT(P_ID_NUMBER) ? p->id_number : NULL;
		n.party = p->has & VBIT(P_PARTY) ? p->party_size : 1;
		n.province = p->hometown.province;
		n.city = p->hometown.city;
		/* The first record names the batch; it learns its own id
		 * only once stored. */
		if (insert_record(r, &n, code, &id, &s) != 0)
			goto err;
		if (i == 0) {
			n.batch_id = id;
			if (db_exec(r->db, &sql_set_batch, "ii", id, id) < 0)
				goto err;
			/* The row was read before it named the batch; the
			 * statement changes nothing else (no version, no
			 * updated_at). */
			s.batch_id = id;
			s.no_batch = 0;
		}
		if ((o = created_json(r, &s, code)) == NULL)
			goto err;
		json_array_append_new(items, o);
	}
	http_header(r, "Location: /api/v1/safe-returns?batch_id=%lld",
		    (long long)n.batch_id);
	return http_json(r, 201,
			 json_pack("{s:I, s:o}", "batch_id",
				   (json_int_t)n.batch_id, "items", items));
err:
	json_decref(items);
	return HANDLER_DB;
}

/* ---- Lists and reads ------------------------------------------------- */

/* batch_id of a list: a positive integer, or NULL with an error. */
static const char *
query_batch(struct req *r, struct verrs *e)
{
	return query_id(r, "batch_id", "批次编号应为正整数", e) > 0
		   ? req_query(r, "batch_id")
		   : NULL;
}

/*
 * GET /safe-returns?unit_id=&status=&from=&to=&batch_id=&q=&limit=&cursor=
 * (volunteer, staff, admin).  unit_id selects that unit and its
 * descendants; from/to bound depart_on (inclusive); batch_id one busload;
 * q part of a traveller's name or a bus label.  Volunteers see the records
 * they created.  Personal data are always masked; no history.  Raises 400
 * naming the bad parameter, 200 {items, next_cursor} newest first.
 */
int
safe_returns_list(struct req *r)
{
	const char *status, *from, *to, *batch, *q;
	char *upath = NULL, *like = NULL;
	int64_t after, last = 0, vol;
	struct sr_row s;
	struct verrs e;
	struct dbres res;
	json_t *items;
	int limit, n = 0, rc = 0;

	if (req_page(r, &limit, &after) != 0)
		return 0;
	verrs_init(&e);
	status = query_enum(r, "status", statuses, &e);
	query_period(r, &from, &to, &e);
	batch = query_batch(r, &e);
	q = query_text(r, "q", 50, &e);
	if (query_unit(r, "unit_id", &upath, &e) != 0) {
		verrs_free(&e);
		return HANDLER_DB;
	}
	if (http_refused(r, &e))
		return 0;
	if (q != NULL)
		like = like_pattern(&r->arena, q);
	/* A volunteer's records are theirs wherever they were filed. */
	vol = r->user->role == ROLE_VOLUNTEER;
	if (db_query(r->db, &res, &sql_list, "isIIsssssssssssssi", after,
		     vol ? "/" : scope_path(r), (int)vol, r->user->id, (int)vol,
		     r->user->id, status, status, upath, upath, from, from, to,
		     to, batch, batch, q, like, like, (int64_t)limit + 1) != 0)
		return HANDLER_DB;
	items = json_array();
	while (n <= limit && (rc = next_row(r, &res, &s)) == 1) {
		if (n == limit)
			break;
		json_array_append_new(items, record_json(r, &s, 0));
		last = s.id;
		n++;
	}
	db_end(&res);
	if (rc < 0) {
		json_decref(items);
		return HANDLER_DB;
	}
	return http_page(r, items, rc == 1 && n == limit, last);
}

/*
 * GET /safe-returns/{id} (volunteer, staff, admin).  Raises 404 when the
 * record does not exist or is not the caller's to see, 200 with the record
 * and its history (events) otherwise.  Admins and staff of the owning
 * subtree get personal data unmasked, and that read is audited.
 */
int
safe_returns_get(struct req *r)
{
	struct sr_row s;
	json_t *o;
	int rc, unmask;

	if ((rc = load_visible(r, 0, &s)) != 1)
		return rc;
	unmask = may_unmask(r, &s);
	if ((o = detail_json(r, &s, unmask)) == NULL)
		return HANDLER_DB;
	if (unmask && audit(r, "safe_return.read", "safe_returns", s.id, NULL,
			    NULL) != 0) {
		json_decref(o);
		return HANDLER_DB;
	}
	http_etag(r, s.version);
	return http_json(r, 200, o);
}

/*
 * GET /safe-returns/provinces (public): the 34 provincial divisions
 * hometown.province accepts, {items: [{code, name}]} in GB/T 2260 order.
 */
int
safe_returns_provinces(struct req *r)
{
	json_t *items = json_array();
	int i;

	for (i = 0; provinces[i] != NULL; i++)
		json_array_append_new(items, json_pack("{s:s, s:s}", "code",
						       province_codes[i],
						       "name", provinces[i]));
	return http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- Changes ------------------------------------------------------------ */

/* The Chinese labels of the fields a PATCH changed, for the history. */
static char *
changed_labels(struct req *r, const struct record_in *in)
{
	char *out = arena_strdup(&r->arena, "修改：");
	size_t i, n = 0;

	for (i = 0; i < sizeof(patch_fields) / sizeof(patch_fields[0]); i++)
		if (in->has & VBIT(i))
			out = arena_printf(&r->arena, "%s%s%s", out,
					   n++ ? "、" : "",
					   patch_fields[i].label);
	return out;
}

/*
 * PATCH /safe-returns/{id} (the volunteer who created it, staff, admin;
 * If-Match) with any of the fields of POST /safe-returns; traveler's
 * fields change one by one, hometown as a whole.  Raises 404, 428, 412,
 * 400 (every invalid field; an empty change; unit_id unknown or outside
 * what the caller may register for), 409 "period_locked" when its
 * depart_on, before or after the change, lies in an approved period of
 * its unit, 200 with the record otherwise.
 */
int
safe_returns_patch(struct req *r)
{
	struct record_in in;
	struct sr_row s, after;
	struct blob phone, idn;
	char *path = NULL;
	int64_t unit;
	struct verrs e;
	int rc;

	memset(&in, 0, sizeof(in));
	verrs_init(&e);
	http_validate(r, &patch_table, &in, &e);
	if (in.has & VBIT(R_DEPART))
		check_depart("depart_on", in.depart_on, &e);
	if (e.n == 0 && in.has == 0)
		verrs_add(&e, "", "required", "请至少修改一个字段");
	if (http_refused(r, &e))
		return 0;
	if ((rc = load_visible(r, 1, &s)) != 1)
		return rc;
	if (req_if_match(r, s.version) != 0)
		return 0;
	unit = in.has & VBIT(R_UNIT) ? in.unit_id : s.unit_id;
	if (in.has & VBIT(R_UNIT)) {
		if ((rc = unit_path(r, unit, &path)) < 0)
			return HANDLER_DB;
		if (rc == 0 || !may_register(r, unit, path))
			return http_field_error(r, "unit_id", "unknown",
						"所选工会不存在或不在本单位"
						"管辖范围内");
	}
	/* Locked where it is counted now, and where it would be counted. */
	if ((rc = period_locked(r, s.unit_path, s.depart_on)) != 0 ||
	    ((in.has & (VBIT(R_UNIT) | VBIT(R_DEPART))) &&
	     (rc = period_locked(r, path ? path : s.unit_path,
				 in.has & VBIT(R_DEPART) ? in.depart_on
							 : s.depart_on)) != 0))
		return rc < 0 ? HANDLER_DB : 0;
	phone = s.phone_enc;
	idn = s.idnum_enc;
	if ((in.traveler.has & VBIT(T_PHONE)) &&
	    pii_seal_str(&r->arena, AD_PHONE, in.traveler.phone, &phone) != 0)
		return HANDLER_DB;
	if ((in.traveler.has & VBIT(T_ID_NUMBER)) &&
	    pii_seal_str(&r->arena, AD_IDNUM, in.traveler.id_number, &idn) != 0)
		return HANDLER_DB;
#define PICK(bit, v, old) (in.has & VBIT(bit) ? (v) : (old))
	if (db_exec(
		r->db, &sql_update, "issbbisssssisi", unit,
		PICK(R_BUS, in.bus_label, s.bus_label),
		in.traveler.has & VBIT(T_NAME) ? in.traveler.name : s.name,
		phone.p, phone.n, idn.p, idn.n,
		PICK(R_PARTY, in.party_size, s.party),
		PICK(R_HOMETOWN, provinces[in.hometown.province], s.province),
		PICK(R_HOMETOWN, in.hometown.city, s.city),
		PICK(R_DEPART, in.depart_on, s.depart_on),
		PICK(R_TRANSPORT, transports[in.transport], s.transport),
		PICK(R_ASSISTANCE, assistance_set(&r->arena, in.assistance),
		     s.assistance),
		PICK(R_SUBSIDY, in.subsidy_amount, s.subsidy),
		PICK(R_NOTE, in.note, s.note), s.id) < 0)
		return HANDLER_DB;
#undef PICK
	if (db_exec(r->db, &sql_event, "iIsss", s.id, 1, r->user->id, s.status,
		    s.status, changed_labels(r, &in)) < 0)
		return HANDLER_DB;
	if (read_record(r, &sql_record, s.id, &after) <= 0)
		return HANDLER_DB;
	/* Masked: the audit log keeps who changed what, not the personal
	 * values themselves. */
	if (audit(r, "safe_return.update", "safe_returns", s.id,
		  record_json(r, &s, 0), record_json(r, &after, 0)) != 0)
		return HANDLER_DB;
	return answer_record(r, 200, s.id);
}

/*
 * POST /safe-returns/{id}/transitions {to, note?} (the volunteer who
 * created it, staff, admin; If-Match).  registered → departed | arrived |
 * cancelled; departed → arrived.  Raises 404, 428, 412, 400, 409
 * "illegal_transition" for any other move (the same status included), 409
 * "period_locked" when depart_on lies in an approved period of its unit,
 * 200 with the record otherwise.  Entering departed or arrived stamps
 * departed_at or arrived_at.
 */
int
safe_returns_transition(struct req *r)
{
	struct transition_in in;
	struct sr_row s;
	int rc, from;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &transition_table, &in) != 0)
		return 0;
	if ((rc = load_visible(r, 1, &s)) != 1)
		return rc;
	if (req_if_match(r, s.version) != 0)
		return 0;
	from = valid_enum_index(statuses, s.status);
	if (from < 0 || !(next_ok[from] & B(in.to)))
		return http_problem(
		    r, 409, "illegal_transition",
		    arena_printf(&r->arena, "返乡登记不能从“%s”变为“%s”",
				 status_label(s.status), status_labels[in.to]));
	/* Row G counts a party once it left: only leaving a registered
	 * state changes it.  Arriving after departing, or cancelling what
	 * never left, changes no figure and is never locked. */
	if (strcmp(s.status, "registered") == 0 && in.to != S_CANCELLED &&
	    (rc = period_locked(r, s.unit_path, s.depart_on)) != 0)
		return rc < 0 ? HANDLER_DB : 0;
	if (db_exec(r->db, &sql_transition, "sssi", statuses[in.to],
		    statuses[in.to], statuses[in.to], s.id) < 0 ||
	    db_exec(r->db, &sql_event, "iIsss", s.id, 1, r->user->id, s.status,
		    statuses[in.to], in.note) < 0)
		return HANDLER_DB;
	if (audit(r, "safe_return.transition", "safe_returns", s.id,
		  json_pack("{s:s}", "status", s.status),
		  json_pack("{s:s, s:o}", "status", statuses[in.to], "note",
			    json_str_or_null(in.note))) != 0)
		return HANDLER_DB;
	return answer_record(r, 200, s.id);
}

/* ---- Arrival confirmed by the traveller ------------------------------ */

/*
 * POST /safe-returns/arrivals {code} (public; nginx limits it per
 * address).  The code is matched ignoring case, spaces and hyphens.
 * Marks the record arrived from registered or departed and answers 200
 * {status, status_label}; a record already arrived answers the same 200
 * and changes nothing.  Raises 400 for a missing or overlong code, 404 --
 * one identical answer -- for every code it does not know, 409 "cancelled"
 * for the code of a cancelled registration, 409 "period_locked" for a
 * registration that never departed whose depart_on lies in an approved
 * period (arriving would add it to row G).
 */
int
safe_returns_arrive(struct req *r)
{
	struct arrival_in in;
	char norm[CODE_LEN + 1], *status = NULL, *depart_on = NULL;
	char *path = NULL;
	unsigned char hash[CODE_HASH_LEN];
	int64_t id = 0;
	int rc, st;

	memset(&in, 0, sizeof(in));
	if (http_body(r, &arrival_table, &in) != 0)
		return 0;
	/* A string that cannot be a code costs the same lookup as one that
	 * can: the hash of the empty string matches nothing. */
	code_normalize(in.code, norm);
	code_hash(norm, hash);
	rc = db_one(r->db, &r->arena, &sql_by_code, "b", "isss", hash,
		    sizeof(hash), &id, &status, &depart_on, &path);
	if (rc < 0)
		return HANDLER_DB;
	if (rc == 0 || norm[0] == '\0')
		return http_problem(r, 404, "not_found",
				    "到家码不正确，请核对后再试");
	st = valid_enum_index(statuses, status);
	if (st == S_CANCELLED)
		return http_problem(r, 409, "cancelled",
				    "这次返乡登记已取消，无需确认到家");
	/* The traveller's word is taken even in a locked period while it
	 * leaves row G as reported (departed and arrived both count); a
	 * registration that never departed would add to G, so a lock holds
	 * it (docs/statistics.md). */
	if (st == S_REGISTERED && (rc = period_locked(r, path, depart_on)) != 0)
		return rc < 0 ? HANDLER_DB : 0;
	if (st >= 0 && (arriving & B(st))) {
		if (db_exec(r->db, &sql_transition, "sssi", "arrived",
			    "arrived", "arrived", id) < 0 ||
		    db_exec(r->db, &sql_event, "iIsss", id, 0, (int64_t)0,
			    status, "arrived", "旅客凭到家码确认到家") < 0)
			return HANDLER_DB;
		if (audit(r, "safe_return.arrival", "safe_returns", id,
			  json_pack("{s:s}", "status", status),
			  json_pack("{s:s, s:s}", "status", "arrived", "by",
				    "arrival_code")) != 0)
			return HANDLER_DB;
	}
	return http_json(r, 200,
			 json_pack("{s:s, s:s}", "status", "arrived",
				   "status_label", status_labels[S_ARRIVED]));
}
