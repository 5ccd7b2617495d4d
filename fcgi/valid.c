/*
 * Field tables and the validators behind them.  The single validators are
 * pure functions of their input (and, for birth dates, of today's date), so
 * the unit tests exercise them directly.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "messages.h"
#include "valid.h"

/* The generic text of a field error code, placeholders unfilled. */
const char *
valid_message(const char *code)
{
	return message_text(code, NULL);
}

void
verrs_init(struct verrs *e)
{
	e->list = json_array();
	e->n = 0;
}

void
verrs_free(struct verrs *e)
{
	if (e == NULL)
		return;
	json_decref(e->list);
	e->list = NULL;
	e->n = 0;
}

void
verrs_add(struct verrs *e, const char *path, const char *code,
	  const char *message)
{
	e->n++;
	if (json_array_size(e->list) >= VERRS_MAX)
		return;
	json_array_append_new(e->list,
			      json_pack("{s:s, s:s, s:s}", "field", path,
					"code", code, "message", message));
}

/* The dictionary's name for the kind of a field of type t. */
static const char *
field_kind(enum vtype t)
{
	switch (t) {
	case VT_STRING:
		return MK_TEXT;
	case VT_INT:
		return MK_INT;
	case VT_BOOL:
		return MK_BOOL;
	case VT_MONEY:
		return MK_MONEY;
	case VT_DATE:
		return MK_DATE;
	case VT_ENUM:
	case VT_ENUMSET:
		return MK_CHOICE;
	case VT_IDNUM:
		return MK_ID_NUMBER;
	case VT_PHONE:
		return MK_PHONE;
	case VT_CREDIT:
		return MK_CREDIT_CODE;
	case VT_NUMBER:
		return MK_NUMBER;
	case VT_OBJECT:
		return MK_OBJECT;
	case VT_ARRAY:
		return MK_LIST;
	}
	return NULL;
}

/*
 * Adds an error whose message comes from the dictionary (messages.h): the
 * field named by its Chinese label, the limit that was crossed filled in.
 * A money field without a maximum has the contract's, MONEY_MAX_FEN.
 */
static void
field_error(struct verrs *e, const char *path, const struct vfield *f,
	    const char *code)
{
	char msg[1024];
	long long max;

	if (f == NULL) {
		message_render(msg, sizeof(msg), code, NULL, path, 0, 0);
	} else {
		max =
		    f->type == VT_MONEY && f->max == 0 ? MONEY_MAX_FEN : f->max;
		message_render(msg, sizeof(msg), code, field_kind(f->type),
			       f->label != NULL ? f->label : path, f->min, max);
	}
	verrs_add(e, path, code, msg);
}

size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Length of a blank at s: ASCII space, NBSP, the ideographic space, and
 * the characters that show as nothing at all -- zero-width space, joiners,
 * word joiner, byte-order mark -- so a name made only of them is empty. */
static size_t
blank_len(const unsigned char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (n >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
		return 2;
	if (n >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] >= 0x8B &&
	    s[2] <= 0x8D)
		return 3;
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0xA0)
		return 3;
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		return 3;
	return 0;
}

char *
valid_trim(struct arena *a, const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in), k;

	while ((k = blank_len(s, n)) > 0) {
		s += k;
		n -= k;
	}
	for (;;) {
		if (n >= 1 && blank_len(s + n - 1, 1) == 1)
			n--;
		else if (n >= 2 && blank_len(s + n - 2, 2) == 2)
			n -= 2;
		else if (n >= 3 && blank_len(s + n - 3, 3) == 3)
			n -= 3;
		else
			break;
	}
	return arena_strndup(a, (const char *)s, n);
}

/* Is there an invisible format character (see below) at s?  s is
 * NUL-terminated, so comparing byte after byte never reads past it. */
static int
invisible_at(const unsigned char *s)
{
	return (s[0] == 0xC2 && s[1] == 0xAD) ||		 /* U+00AD */
	       (s[0] == 0xD8 && s[1] == 0x9C) ||		 /* U+061C */
	       (s[0] == 0xE1 && s[1] == 0xA0 && s[2] == 0x8E) || /* U+180E */
	       (s[0] == 0xE2 && s[1] == 0x80 && s[2] >= 0x8B &&
		s[2] <= 0x8F) || /* U+200B-U+200F */
	       (s[0] == 0xE2 && s[1] == 0x81 && s[2] >= 0xA0 &&
		s[2] <= 0xA4) || /* U+2060-U+2064 */
	       (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF); /* U+FEFF */
}

/* Can the character at s stand in an emoji sequence: U+2600-U+27BF
 * (E2 98 80 .. E2 9E BF) or anything beyond U+FFFF (a 4-byte lead)? */
static int
emoji_at(const unsigned char *s)
{
	return (s[0] == 0xE2 && s[1] >= 0x98 && s[1] <= 0x9E) ||
	       (s[0] >= 0xF0 && s[0] <= 0xF4);
}

/*
 * Is the zero-width joiner at s (in the string at start) one that joins
 * two emoji into one picture (👷‍♂️ is U+1F477 ZWJ U+2642 U+FE0F,
 * 👨‍👩‍👧 three people joined)?  Such a joiner shows as the picture,
 * not as nothing, so it is kept.  Before it: an emoji character or the emoji
 * presentation selector U+FE0F (EF B8 8F); after it: an emoji character.  JSON
 * text is valid UTF-8, so a lead byte three or four back begins the character
 * that ends just before s.
 */
static int
emoji_joiner(const unsigned char *start, const unsigned char *s)
{
	size_t back = (size_t)(s - start);

	if (!(s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0x8D))
		return 0;
	if (!((back >= 3 && s[-3] == 0xEF && s[-2] == 0xB8 && s[-1] == 0x8F) ||
	      (back >= 3 && emoji_at(s - 3) && s[-3] == 0xE2) ||
	      (back >= 4 && s[-4] >= 0xF0 && s[-4] <= 0xF4)))
		return 0;
	return emoji_at(s + 3);
}

/*
 * Does s hold a character a line of text may not: a C0 or C1 control, DEL,
 * or a bidirectional embedding, override or isolate (U+202A-U+202E,
 * U+2066-U+2069), which can make text display in an order other than it
 * is stored?  Multi-line text may hold tabs and newlines (CRLF included).
 * The rule is API.md v1.1 "Everywhere".
 *
 * Nor a format character that shows as nothing: soft hyphen U+00AD, the
 * Arabic letter mark U+061C, the Mongolian vowel separator U+180E,
 * zero-width space, joiners and direction marks U+200B-U+200F, word
 * joiner and invisible operators U+2060-U+2064, and the byte-order mark
 * U+FEFF.  Pasted from a chat into a name ("王<U+200B>五"), it is stored
 * and the name is then found by no search for what the screen showed;
 * alone it makes a name that shows as nothing.  (A joiner between two
 * emoji is part of the picture they make, and stays.)  At either end the
 * zero-width ones are harmless and valid_trim() has taken them off (so
 * that a name of nothing else is no name: "required"); anywhere else the
 * person is asked to delete what they cannot see, rather than the server
 * guessing which of them mattered (a joiner inside an emoji).
 */
int
valid_text_bad(const char *in, int multi)
{
	const unsigned char *s = (const unsigned char *)in;

	for (; *s != '\0'; s++) {
		if (*s < 0x20 || *s == 0x7f) {
			if (multi && (*s == '\n' || *s == '\t' ||
				      (*s == '\r' && s[1] == '\n')))
				continue;
			return 1;
		}
		if (s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F)
			return 1;
		if (s[0] == 0xE2 && s[1] == 0x80 && s[2] >= 0xAA &&
		    s[2] <= 0xAE)
			return 1;
		if (s[0] == 0xE2 && s[1] == 0x81 && s[2] >= 0xA6 &&
		    s[2] <= 0xA9)
			return 1;
		if (invisible_at(s) &&
		    !emoji_joiner((const unsigned char *)in, s))
			return 1;
	}
	return 0;
}

/*
 * An ID number, credit code or phone number as its standard writes it: a
 * Chinese keyboard in full-width mode types U+FF01..U+FF5E (EF BC 81 ..
 * EF BD 9E), the same letters and digits as their ASCII twins, and people
 * group the characters with spaces (the ideographic one U+3000 too), which
 * go.  Anything else is kept for the parser to refuse.  codes.c reads
 * codes the same way.
 */
char *
valid_narrow(struct arena *a, const char *in)
{
	const unsigned char *p = (const unsigned char *)in;
	char *out = arena_zalloc(a, strlen(in) + 1), *o = out;

	for (; *p != '\0'; p++) {
		if (*p == ' ')
			continue;
		if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
			p += 2;
			continue;
		}
		if (p[0] == 0xEF && (p[1] == 0xBC || p[1] == 0xBD) &&
		    p[2] >= 0x80 && p[2] <= 0xBF) {
			unsigned cp = 0xF000u | (unsigned)(p[1] & 0x3F) << 6 |
				      (unsigned)(p[2] & 0x3F);

			if (cp >= 0xFF01 && cp <= 0xFF5E) {
				*o++ = (char)(cp - 0xFEE0);
				p += 2;
				continue;
			}
		}
		*o++ = (char)*p;
	}
	return out;
}

static int
is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static int
real_date(int y, int m, int d)
{
	return y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days_in_month(y, m);
}

/* Today in Asia/Shanghai (UTC+8, no daylight saving) as YYYYMMDD. */
static long
today_shanghai(void)
{
	time_t now = time(NULL) + 8 * 3600;
	struct tm tm;

	gmtime_r(&now, &tm);
	return (tm.tm_year + 1900) * 10000L + (tm.tm_mon + 1) * 100L +
	       tm.tm_mday;
}

void
valid_date_add(const char *date, int days, char out[11])
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(date) - 1900;
	tm.tm_mon = atoi(date + 5) - 1;
	tm.tm_mday = atoi(date + 8) + days;
	tm.tm_hour = 12;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void
valid_today(char out[11])
{
	long d = today_shanghai();
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(d / 10000) - 1900;
	tm.tm_mon = (int)(d / 100 % 100) - 1;
	tm.tm_mday = (int)(d % 100);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void
valid_now(char out[20])
{
	time_t t = time(NULL) + 8 * 3600;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

/* A date written right but in a year outside real_date()'s (9999-12-31
 * typed for "open-ended") is out of range, not a date written wrong:
 * telling the person to write 年-月-日 would blame what they got right. */
const char *
valid_date(const char *s)
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !is_digits(s, 4) ||
	    !is_digits(s + 5, 2) || !is_digits(s + 8, 2))
		return "date";
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return "date";
	if (!real_date(y, m, d))
		return "out_of_range";
	return NULL;
}

const char *
valid_idnum(const char *in, char out[19])
{
	static const int w[17] = {7, 9, 10, 5,	8, 4, 2, 1, 6,
				  3, 7, 9,  10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	char yb[5], mb[3], db[3];
	int i, sum = 0, y, m, d;
	char last;

	if (strlen(in) != 18 || !is_digits(in, 17))
		return "format";
	last = in[17] == 'x' ? 'X' : in[17];
	if (!(last == 'X' || (last >= '0' && last <= '9')))
		return "format";
	memcpy(yb, in + 6, 4);
	yb[4] = '\0';
	memcpy(mb, in + 10, 2);
	mb[2] = '\0';
	memcpy(db, in + 12, 2);
	db[2] = '\0';
	y = atoi(yb);
	m = atoi(mb);
	d = atoi(db);
	if (!real_date(y, m, d) || y * 10000L + m * 100L + d > today_shanghai())
		return "birth_date";
	for (i = 0; i < 17; i++)
		sum += (in[i] - '0') * w[i];
	if (check[sum % 11] != last)
		return "checksum";
	memcpy(out, in, 17);
	out[17] = last;
	out[18] = '\0';
	return NULL;
}

const char *
valid_phone(const char *s)
{
	if (strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9' ||
	    !is_digits(s, 11))
		return "format";
	return NULL;
}

const char *
valid_credit(const char *in, char out[19])
{
	/* GB 32100: 31 characters, without I, O, Z, S and V. */
	static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int w[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
				  29, 25, 13, 8,  24, 10, 30, 28};
	int i, sum = 0, c;
	const char *p;

	if (strlen(in) != 18)
		return "format";
	for (i = 0; i < 18; i++) {
		c = in[i] >= 'a' && in[i] <= 'z' ? in[i] - 'a' + 'A' : in[i];
		if (c == '\0' || (p = strchr(set, c)) == NULL)
			return "format";
		out[i] = (char)c;
		if (i < 17)
			sum += (int)(p - set) * w[i];
	}
	out[18] = '\0';
	c = 31 - sum % 31;
	if (set[c == 31 ? 0 : c] != out[17])
		return "checksum";
	return NULL;
}

const char *
valid_money_str(const char *s, int64_t *fen)
{
	const char *p = s;
	int64_t yuan = 0, cents = 0;
	size_t ndig = 0, ndec = 0;
	int neg = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++, ndig++) {
		/* Leading zeros are harmless; only significant digits count. */
		if (yuan >= 1000000000000LL)
			return "out_of_range";
		yuan = yuan * 10 + (*p - '0');
	}
	if (ndig == 0)
		return "format";
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, ndec++)
			if (ndec < 2)
				cents = cents * 10 + (*p - '0');
			else if (*p != '0')
				return "decimals";
		if (ndec == 0)
			return "format";
		if (ndec == 1)
			cents *= 10;
	}
	if (*p != '\0')
		return "format";
	*fen = yuan * 100 + cents;
	if (neg && *fen != 0)
		return "out_of_range";
	if (*fen > MONEY_MAX_FEN)
		return "out_of_range";
	return NULL;
}

const char *
valid_money_json(const json_t *v, int64_t *fen)
{
	if (json_is_string(v)) {
		/* Trimmed like text: " 12 " is 12 yuan. */
		const char *s = json_string_value(v);
		char buf[64];
		size_t n;

		while (*s == ' ')
			s++;
		n = strlen(s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n >= sizeof(buf))
			return "format";
		memcpy(buf, s, n);
		buf[n] = '\0';
		return valid_money_str(buf, fen);
	}
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0 || i > MONEY_MAX_FEN / 100)
			return "out_of_range";
		*fen = (int64_t)i * 100;
		return NULL;
	}
	if (json_is_real(v)) {
		/*
		 * A JSON number arrives as a double.  Accept it only when it
		 * is within a thousandth of a fen of a whole fen, which
		 * doubles represent exactly up to far beyond the maximum.
		 */
		double x = json_real_value(v), f;

		if (!(x >= 0) || x > MONEY_MAX_FEN / 100.0)
			return "out_of_range";
		f = x * 100.0;
		if (fabs(f - nearbyint(f)) > 1e-3)
			return "decimals";
		*fen = (int64_t)llrint(f);
		return NULL;
	}
	return "type";
}

void
money_format(int64_t fen, char out[32])
{
	const char *sign = fen < 0 ? "-" : "";
	/* Unsigned, so that even INT64_MIN has a magnitude. */
	uint64_t a = fen < 0 ? -(uint64_t)fen : (uint64_t)fen;

	snprintf(out, 32, "%s%llu.%02llu", sign, (unsigned long long)(a / 100),
		 (unsigned long long)(a % 100));
}

void
money_wan(int64_t fen, char out[32])
{
	/* One hundredth of a 万元 is 10000 fen; round half up. */
	const char *sign = fen < 0 ? "-" : "";
	uint64_t a = fen < 0 ? -(uint64_t)fen : (uint64_t)fen;
	uint64_t h = (a + 5000) / 10000;

	snprintf(out, 32, "%s%llu.%02llu", sign, (unsigned long long)(h / 100),
		 (unsigned long long)(h % 100));
}

static char *
join_key(struct arena *a, const char *path, const char *key)
{
	size_t n = strlen(key);

	/* Keys are echoed back in errors; a huge key must not be. */
	if (n > 64) {
		n = 64;
		while (n > 0 && ((unsigned char)key[n] & 0xC0) == 0x80)
			n--;
		return arena_printf(a, "%s%s%.*s…", path, *path ? "." : "",
				    (int)n, key);
	}
	return arena_printf(a, "%s%s%s", path, *path ? "." : "", key);
}

int
valid_enum_index(const char *const *names, const char *s)
{
	int i;

	for (i = 0; s != NULL && names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static void valid_field(struct arena *, const json_t *, const struct vfield *,
			void *, const char *, struct verrs *, uint64_t *,
			uint64_t);

int
valid_object(struct arena *a, const json_t *obj, const struct vtable *t,
	     void *out, const char *path, struct verrs *e)
{
	size_t before = e->n, i;
	uint64_t *has = out;
	const char *key;
	json_t *val;

	if (!json_is_object(obj)) {
		verrs_add(e, path, "type", "应为 JSON 对象");
		return -1;
	}
	json_object_foreach((json_t *)obj, key, val)
	{
		for (i = 0; i < t->nfields; i++)
			if (strcmp(t->fields[i].name, key) == 0)
				break;
		if (i == t->nfields) {
			char *p = join_key(a, path, key);

			field_error(e, p, NULL, "unknown_field");
		}
	}
	for (i = 0; i < t->nfields; i++) {
		const struct vfield *f = &t->fields[i];

		valid_field(a, json_object_get(obj, f->name), f, out,
			    join_key(a, path, f->name), e, has, VBIT(i));
	}
	return e->n == before ? 0 : -1;
}

static void
valid_field(struct arena *a, const json_t *v, const struct vfield *f, void *out,
	    const char *p, struct verrs *e, uint64_t *has, uint64_t bit)
{
	char *dst = (char *)out + f->off;
	const char *code = NULL, *s = NULL;
	char *t = NULL;

	if (v == NULL || json_is_null(v)) {
		if (f->flags & V_REQ)
			field_error(e, p, f, "required");
		return;
	}
	switch (f->type) {
	case VT_STRING:
	case VT_DATE:
	case VT_IDNUM:
	case VT_PHONE:
	case VT_CREDIT:
		if (!json_is_string(v)) {
			field_error(e, p, f, "type");
			return;
		}
		t = valid_trim(a, json_string_value(v));
		if (*t == '\0') {
			if (f->flags & V_REQ)
				field_error(e, p, f, "required");
			return;
		}
		s = t;
		break;
	default:
		break;
	}
	switch (f->type) {
	case VT_STRING: {
		size_t n = utf8_chars(s);

		if (f->min > 0 && n < (size_t)f->min)
			code = "too_short";
		else if (f->max > 0 && n > (size_t)f->max)
			code = "too_long";
		else if (valid_text_bad(s, (f->flags & V_MULTI) != 0)) {
			char msg[512];

			message_render(msg, sizeof(msg), "format", MK_INVISIBLE,
				       f->label ? f->label : p, 0, 0);
			verrs_add(e, p, "format", msg);
			return;
		} else if (f->check != NULL)
			code = f->check(s);
		if (code == NULL)
			*(char **)dst = t;
		break;
	}
	case VT_DATE:
		if ((code = valid_date(s)) == NULL)
			memcpy(dst, s, 11);
		break;
	/* Read as typed on a phone: 18 full-width characters are 18. */
	case VT_IDNUM:
		code = valid_idnum(valid_narrow(a, s), dst);
		break;
	case VT_PHONE:
		s = valid_narrow(a, s);
		if ((code = valid_phone(s)) == NULL)
			memcpy(dst, s, 12);
		break;
	case VT_CREDIT:
		code = valid_credit(valid_narrow(a, s), dst);
		break;
	case VT_INT:
		if (!json_is_integer(v))
			code = "type";
		else if (json_integer_value(v) < f->min ||
			 json_integer_value(v) > f->max)
			code = "out_of_range";
		else
			*(int64_t *)dst = json_integer_value(v);
		break;
	case VT_NUMBER:
		if (!json_is_number(v))
			code = "type";
		else if (json_number_value(v) < (double)f->min ||
			 json_number_value(v) > (double)f->max)
			code = "out_of_range";
		else
			*(double *)dst = json_number_value(v);
		break;
	case VT_BOOL:
		if (!json_is_boolean(v))
			code = "type";
		else
			*(int *)dst = json_is_true(v);
		break;
	case VT_MONEY: {
		int64_t fen = 0;

		code = valid_money_json(v, &fen);
		if (code == NULL && (fen < f->min || (f->max && fen > f->max)))
			code = "out_of_range";
		if (code == NULL)
			*(int64_t *)dst = fen;
		break;
	}
	case VT_ENUM: {
		int k;

		if (!json_is_string(v))
			code = "type";
		else if ((k = valid_enum_index(f->enums,
					       json_string_value(v))) < 0)
			code = "enum";
		else
			*(int *)dst = k;
		break;
	}
	case VT_ENUMSET: {
		uint32_t mask = 0;
		size_t i;
		json_t *item;
		int k;

		if (!json_is_array(v)) {
			code = "type";
			break;
		}
		json_array_foreach(v, i, item)
		{
			if (!json_is_string(item) ||
			    (k = valid_enum_index(
				 f->enums, json_string_value(item))) < 0) {
				field_error(e, arena_printf(a, "%s[%zu]", p, i),
					    f, "enum");
				return;
			}
			if (mask & (1u << k)) {
				code = "duplicate";
				break;
			}
			mask |= 1u << k;
		}
		/* A set, when given, names at least one choice, also in a
		 * PATCH where the field is optional: [] would store a set
		 * the contract never allows (assistance, API.md). */
		if (code == NULL && mask == 0)
			code = "required";
		if (code == NULL)
			*(uint32_t *)dst = mask;
		break;
	}
	case VT_OBJECT:
		if (valid_object(a, v, f->sub, dst, p, e) == 0)
			*has |= bit;
		return;
	case VT_ARRAY: {
		size_t n, i, bad = 0;
		char *items;

		if (!json_is_array(v)) {
			code = "type";
			break;
		}
		n = json_array_size(v);
		if ((long long)n < f->min) {
			code = "too_few";
			break;
		}
		if ((long long)n > f->max) {
			code = "too_many";
			break;
		}
		items = arena_zalloc(a, n * f->sub->size + 1);
		for (i = 0; i < n; i++)
			if (valid_object(a, json_array_get(v, i), f->sub,
					 items + i * f->sub->size,
					 arena_printf(a, "%s[%zu]", p, i),
					 e) != 0)
				bad++;
		*(char **)dst = items;
		*(size_t *)((char *)out + f->count_off) = n;
		if (bad == 0)
			*has |= bit;
		return;
	}
	}
	if (code != NULL)
		field_error(e, p, f, code);
	else
		*has |= bit;
}
