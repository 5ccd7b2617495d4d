/*
 * The dictionary of messages people read when a field is refused: one
 * plain Chinese sentence per field error code (docs/conventions.md lists
 * the codes), refined where the kind of field lets it say what is expected
 * ("手机号应为 11 位数字……").  The worker writes every field error's message
 * from it, and GET /api/v1/messages serves the same table to the pages, so
 * a phone checking a form without a network says the same words.
 *
 * A text may hold the placeholders {label} (the field's Chinese name),
 * {min} and {max} (its limits: characters, items, a number, or yuan for
 * money, written like "100,000,000.00").
 */
#ifndef SWN_MESSAGES_H
#define SWN_MESSAGES_H

#include <stddef.h>

#include <jansson.h>

/*
 * Kinds of field, as the dictionary and the pages' data-kind attribute
 * name them.  A kind refines the generic text of a code; a code the kind
 * does not refine falls back to the generic text.
 */
#define MK_TEXT "text"
#define MK_INT "int"
#define MK_NUMBER "number"
#define MK_BOOL "bool"
#define MK_MONEY "money"
#define MK_DATE "date"
#define MK_CHOICE "choice" /* one of a list, or a set of them */
#define MK_ID_NUMBER "id_number"
#define MK_PHONE "phone"
#define MK_CREDIT_CODE "credit_code"
#define MK_OBJECT "object"
#define MK_LIST "list"
/* Not a field's kind but a case of "format" on text: a control or
 * direction character, invisible on screen (pasted from a chat or a
 * spreadsheet), which a person cannot find without being told. */
#define MK_INVISIBLE "invisible"

/* The text of code for a field of kind (NULL: generic), placeholders
 * unfilled; "{label}有误" for a code the dictionary does not know. */
const char *message_text(const char *code, const char *kind);

/*
 * The message for code on a field of kind named label, limits filled in,
 * into out (at most size bytes, cut at a character boundary).  min and
 * max are fen for MK_MONEY, else plain numbers.
 */
void message_render(char *out, size_t size, const char *code, const char *kind,
		    const char *label, long long min, long long max);

/* The whole dictionary: {"messages": {code: text}, "kinds": {kind: {code:
 * text}}}.  A new reference, NULL when out of memory. */
json_t *messages_json(void);

#endif
