/*
 * Codes that people read off a screen and type back: wage-case tracking
 * codes, safe-return arrival codes, fair registration codes.  All share one
 * alphabet without look-alikes (no 0/O, 1/I/L) and one length, are shown
 * once and stored only as a hash.
 */
#ifndef SWN_CODES_H
#define SWN_CODES_H

#include <stddef.h>

#define CODE_LEN 8
#define CODE_HASH_LEN 32

/* Fills out with CODE_LEN random characters of the alphabet and a NUL. */
void code_new(char out[CODE_LEN + 1]);

/*
 * Normalises what a person typed: letters upper-cased, full-width letters
 * and digits (a Chinese keyboard's) read as ASCII, spaces and hyphens
 * anywhere ignored (API.md v1.1: case-insensitive, spaces around
 * ignored; hyphens are how codes are often grouped when read aloud).
 * Returns 0 and fills out when the result is CODE_LEN characters of the
 * alphabet, -1 otherwise (out is then the empty string).
 */
int code_normalize(const char *in, char out[CODE_LEN + 1]);

/* SHA-256 of a normalised code: what the database keeps. */
void code_hash(const char code[CODE_LEN + 1], unsigned char out[CODE_HASH_LEN]);

#endif
