/*
 * A plain SHA-256 suffices for the stored hash: a code has 31^8 (about
 * 8.5e11) values and is only ever checked online, behind nginx's limit on
 * guesses per address, so the hash need not slow an attacker holding a
 * database dump the way a password hash must.
 */
#include <string.h>

#include <sodium.h>

#include "codes.h"

static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

void
code_new(char out[CODE_LEN + 1])
{
	int i;

	for (i = 0; i < CODE_LEN; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[CODE_LEN] = '\0';
}

int
code_normalize(const char *in, char out[CODE_LEN + 1])
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0;
	char c;

	for (; p != NULL && *p != '\0'; p++) {
		/* A Chinese keyboard in full-width mode types U+FF01..FF5E
		 * (EF BC 81 .. EF BD 9E) and the ideographic space U+3000:
		 * the same letters and digits, read as their ASCII twins. */
		if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
			p += 2;
			continue;
		}
		if (p[0] == 0xEF && (p[1] == 0xBC || p[1] == 0xBD) &&
		    p[2] >= 0x80 && p[2] <= 0xBF) {
			unsigned cp = (unsigned)(p[0] & 0x0F) << 12 |
				      (unsigned)(p[1] & 0x3F) << 6 |
				      (unsigned)(p[2] & 0x3F);

			p += 2;
			if (cp < 0xFF01 || cp > 0xFF5E)
				goto bad;
			c = (char)(cp - 0xFEE0);
		} else
			c = (char)*p;
		if (c == ' ' || c == '-')
			continue;
		if (n == CODE_LEN)
			goto bad;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (strchr(alphabet, c) == NULL || c == '\0')
			goto bad;
		out[n++] = c;
	}
	if (n != CODE_LEN)
		goto bad;
	out[n] = '\0';
	return 0;
bad:
	/* Callers hash out whatever the answer (the same lookup for a code
	 * that cannot be one), so it must be the empty string here, never
	 * the unterminated start of a code. */
	out[0] = '\0';
	return -1;
}

void
code_hash(const char code[CODE_LEN + 1], unsigned char out[CODE_HASH_LEN])
{
	crypto_hash_sha256(out, (const unsigned char *)code, strlen(code));
}
