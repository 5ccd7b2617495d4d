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
	size_t n = 0;
	char c;

	for (; in != NULL && *in != '\0'; in++) {
		if (*in == ' ' || *in == '-')
			continue;
		if (n == CODE_LEN)
			goto bad;
		c = *in >= 'a' && *in <= 'z' ? (char)(*in - 'a' + 'A') : *in;
		if (strchr(alphabet, c) == NULL)
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
