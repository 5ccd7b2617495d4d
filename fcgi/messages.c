/*
 * The message dictionary (messages.h) and GET /api/v1/messages, which
 * serves it.  Every sentence says what is expected, in words a worker
 * filling in a form on a phone can act on; amounts are written as the
 * pages write them ("3500.50" typed, "100,000,000.00" as a limit).
 */
#include <stdio.h>
#include <string.h>

#include "messages.h"
#include "resources.h"

static const struct message {
	const char *code;
	const char *kind; /* NULL: any field */
	const char *text;
} dictionary[] = {
    /* Generic: what every field gets unless its kind says more. */
    {"required", NULL, "请填写{label}"},
    {"type", NULL, "{label}的类型不正确"},
    {"unknown_field", NULL, "不支持的字段 {label}"},
    {"too_short", NULL, "{label}至少 {min} 个字"},
    {"too_long", NULL, "{label}最多 {max} 个字"},
    {"out_of_range", NULL, "{label}超出允许范围"},
    {"enum", NULL, "请从可选项中选择{label}"},
    {"format", NULL, "{label}格式不正确，请按提示填写"},
    {"checksum", NULL, "{label}最后一位不对，请核对"},
    {"birth_date", NULL, "{label}中的出生日期不对，请核对"},
    {"decimals", NULL, "{label}最多两位小数"},
    {"date", NULL, "{label}应为日期，写成 年-月-日，例如 2026-01-15"},
    {"too_few", NULL, "{label}至少 {min} 项"},
    {"too_many", NULL, "{label}最多 {max} 项"},
    {"duplicate", NULL, "{label}有重复项"},
    {"unknown", NULL, "{label}不存在，请重新选择"},

    /* Refined by kind. */
    {"required", MK_CHOICE, "请选择{label}"},
    {"type", MK_INT, "{label}应为整数"},
    {"out_of_range", MK_INT, "{label}应在 {min} 到 {max} 之间"},
    {"type", MK_NUMBER, "{label}应为数字"},
    {"format", MK_MONEY, "金额应为数字，最多两位小数，例如 3500 或 3500.50"},
    {"type", MK_MONEY, "金额应为数字，最多两位小数，例如 3500 或 3500.50"},
    {"decimals", MK_MONEY, "金额最多两位小数（到分），例如 3500.50"},
    {"out_of_range", MK_MONEY, "{label}应在 {min} 到 {max} 元之间"},
    {"out_of_range", MK_DATE, "{label}超出允许范围，请核对年份"},
    {"format", MK_ID_NUMBER,
     "身份证号应为 18 位：前 17 位是数字，最后一位是数字或 X"},
    {"birth_date", MK_ID_NUMBER,
     "身份证号中的出生日期（第 7 到 14 位）不对，请核对"},
    {"checksum", MK_ID_NUMBER,
     "身份证号最后一位不对，请核对（最后一位可能是 X）"},
    {"format", MK_PHONE, "手机号应为 11 位数字，以 1 开头，例如 13912345678"},
    {"format", MK_CREDIT_CODE,
     "统一社会信用代码应为 18 位数字或大写字母，见营业执照"},
    {"checksum", MK_CREDIT_CODE,
     "统一社会信用代码最后一位不对，请对照营业执照核对"},
    {"format", MK_INVISIBLE,
     "{label}含有看不见的特殊字符（常见于复制粘贴），请删除后重新输入"},
};

#define NDICT (sizeof(dictionary) / sizeof(dictionary[0]))

const char *
message_text(const char *code, const char *kind)
{
	const char *generic = "{label}有误";
	size_t i;

	for (i = 0; i < NDICT; i++) {
		if (strcmp(dictionary[i].code, code) != 0)
			continue;
		if (dictionary[i].kind == NULL)
			generic = dictionary[i].text;
		else if (kind != NULL && strcmp(dictionary[i].kind, kind) == 0)
			return dictionary[i].text;
	}
	return generic;
}

/* fen as yuan with thousands separators: 1000000050 → "10,000,000.50". */
static void
yuan_grouped(long long fen, char out[40])
{
	char digits[24];
	unsigned long long a =
	    fen < 0 ? 0ULL - (unsigned long long)fen : (unsigned long long)fen;
	size_t n, i, o = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%llu", a / 100);
	if (fen < 0)
		out[o++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	snprintf(out + o, 40 - o, ".%02llu", a % 100);
}

/* Appends s to out (size bytes, used *o), never splitting a character. */
static void
put(char *out, size_t size, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o + n >= size) {
		n = size - 1 - *o;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
}

void
message_render(char *out, size_t size, const char *code, const char *kind,
	       const char *label, long long min, long long max)
{
	const char *t = message_text(code, kind), *end;
	int money = kind != NULL && strcmp(kind, MK_MONEY) == 0;
	char num[40], piece[64];
	size_t o = 0, n;

	if (size == 0)
		return;
	out[0] = '\0';
	while (*t != '\0') {
		if (*t == '{' && (end = strchr(t, '}')) != NULL) {
			n = (size_t)(end - t + 1);
			if (n == 7 && strncmp(t, "{label}", n) == 0) {
				put(out, size, &o, label);
				t = end + 1;
				continue;
			}
			if (n == 5 && (strncmp(t, "{min}", n) == 0 ||
				       strncmp(t, "{max}", n) == 0)) {
				long long v = t[2] == 'i' ? min : max;

				if (money)
					yuan_grouped(v, num);
				else
					snprintf(num, sizeof(num), "%lld", v);
				put(out, size, &o, num);
				t = end + 1;
				continue;
			}
		}
		/* Copy up to the next brace as it is. */
		n = strcspn(t + 1, "{") + 1;
		if (n >= sizeof(piece))
			n = sizeof(piece) - 1;
		while (n > 1 && ((unsigned char)t[n] & 0xC0) == 0x80)
			n--;
		memcpy(piece, t, n);
		piece[n] = '\0';
		put(out, size, &o, piece);
		t += n;
	}
}

json_t *
messages_json(void)
{
	json_t *generic = json_object(), *kinds = json_object(), *k;
	size_t i;

	if (generic == NULL || kinds == NULL)
		goto err;
	for (i = 0; i < NDICT; i++) {
		const struct message *m = &dictionary[i];

		if (m->kind == NULL) {
			if (json_object_set_new(generic, m->code,
						json_string(m->text)) != 0)
				goto err;
			continue;
		}
		k = json_object_get(kinds, m->kind); /* borrowed */
		if (k == NULL) {
			if (json_object_set_new(kinds, m->kind,
						json_object()) != 0)
				goto err;
			k = json_object_get(kinds, m->kind);
		}
		if (json_object_set_new(k, m->code, json_string(m->text)) != 0)
			goto err;
	}
	return json_pack("{s:o, s:o}", "messages", generic, "kinds", kinds);
err:
	json_decref(generic);
	json_decref(kinds);
	return NULL;
}

/*
 * GET /messages (anyone, no database).  Raises 200 with the dictionary,
 * messages_json()'s shape.  Like every answer it is not for HTTP caches
 * (no-store); the pages keep their own copy for offline use and the
 * service worker precaches it, both refreshed on each visit online.
 */
int
messages_get(struct req *r)
{
	json_t *d = messages_json();

	if (d == NULL)
		return http_problem(r, 500, "internal",
				    "服务器内部错误，请稍后重试");
	return http_json(r, 200, d);
}
