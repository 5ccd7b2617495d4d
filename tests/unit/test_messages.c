/*
 * Unit tests for fcgi/messages.c: the message dictionary, its kinds and
 * fallbacks, the placeholders (money limits written in yuan with thousands
 * separators), cutting at a character boundary, and the JSON the pages get,
 * which must hold exactly what the worker writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "messages.h"

static void
test_kind_refines_code(void **state)
{
	(void)state;
	assert_string_equal(message_text("checksum", MK_ID_NUMBER),
			    "身份证号最后一位不对，请核对（最后一位可能是 X）");
	assert_string_equal(
	    message_text("format", MK_PHONE),
	    "手机号应为 11 位数字，以 1 开头，例如 13912345678");
	assert_string_equal(message_text("format", MK_MONEY),
			    "金额应为数字，最多两位小数，例如 3500 或 3500.50");
	assert_string_equal(message_text("required", MK_CHOICE),
			    "请选择{label}");
	/* A kind that does not refine a code falls back to the generic. */
	assert_string_equal(message_text("required", MK_PHONE),
			    "请填写{label}");
	assert_string_equal(message_text("format", NULL),
			    "{label}格式不正确，请按提示填写");
	assert_string_equal(message_text("no_such_code", MK_TEXT),
			    "{label}有误");
}

static void
test_render(void **state)
{
	char out[256];

	(void)state;
	message_render(out, sizeof(out), "too_long", MK_TEXT, "情况说明", 0,
		       2000);
	assert_string_equal(out, "情况说明最多 2000 个字");
	message_render(out, sizeof(out), "required", MK_TEXT, "欠薪单位", 1,
		       100);
	assert_string_equal(out, "请填写欠薪单位");
	message_render(out, sizeof(out), "out_of_range", MK_INT, "年龄", 0,
		       150);
	assert_string_equal(out, "年龄应在 0 到 150 之间");
	/* Money limits are fen, written as yuan the way the pages do. */
	message_render(out, sizeof(out), "out_of_range", MK_MONEY, "被欠金额",
		       1, 10000000000LL);
	assert_string_equal(out, "被欠金额应在 0.01 到 100,000,000.00 元之间");
	message_render(out, sizeof(out), "out_of_range", MK_MONEY, "金额",
		       100050, 99999);
	assert_string_equal(out, "金额应在 1,000.50 到 999.99 元之间");
	/* Text in braces that is not a placeholder stays as it is. */
	message_render(out, sizeof(out), "required", NULL, "{x}", 0, 0);
	assert_string_equal(out, "请填写{x}");
}

static void
test_render_cuts_at_character(void **state)
{
	char out[11];

	(void)state;
	/* "请填写" is 9 bytes; the next character would not fit whole. */
	message_render(out, sizeof(out), "required", NULL, "欠薪单位", 0, 0);
	assert_string_equal(out, "请填写");
	message_render(out, 1, "required", NULL, "x", 0, 0);
	assert_string_equal(out, "");
}

/* The field error codes of docs/conventions.md. */
static const char *const codes[] = {
    "required", "type",		"unknown_field", "too_short",
    "too_long", "out_of_range", "enum",		 "format",
    "checksum", "birth_date",	"decimals",	 "date",
    "too_few",	"too_many",	"duplicate",	 "unknown"};

static void
test_json_is_the_dictionary(void **state)
{
	json_t *d = messages_json(), *generic, *kinds, *k, *v;
	const char *code, *kind;
	size_t i;

	(void)state;
	assert_non_null(d);
	generic = json_object_get(d, "messages");
	kinds = json_object_get(d, "kinds");
	assert_true(json_is_object(generic));
	assert_true(json_is_object(kinds));
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		assert_non_null(json_object_get(generic, codes[i]));
	json_object_foreach(generic, code, v)
	{
		assert_string_equal(json_string_value(v),
				    message_text(code, NULL));
	}
	json_object_foreach(kinds, kind, k)
	{
		json_object_foreach(k, code, v)
		{
			assert_string_equal(json_string_value(v),
					    message_text(code, kind));
		}
	}
	k = json_object_get(kinds, MK_ID_NUMBER);
	assert_string_equal(json_string_value(json_object_get(k, "checksum")),
			    "身份证号最后一位不对，请核对（最后一位可能是 X）");
	json_decref(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kind_refines_code),
	    cmocka_unit_test(test_render),
	    cmocka_unit_test(test_render_cuts_at_character),
	    cmocka_unit_test(test_json_is_the_dictionary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
