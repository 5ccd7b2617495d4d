/*
 * Personal data at rest (API.md v1.1 "Personal data"; PIPL art. 28 and 51;
 * GB/T 22239 asks that important personal data be stored encrypted).
 *
 * Every ID number and phone number is stored as one VARBINARY value:
 *
 *   key id (4 bytes, big-endian) | nonce (24) | ciphertext | tag (16)
 *
 * sealed with XChaCha20-Poly1305 (libsodium's IETF AEAD) under the data
 * key of that id, with "table.column" as associated data, so a value
 * copied into another column does not open.  Beside it, where people need
 * to find equal values, sits a blind index: BLAKE2b-128 keyed with the
 * index key over the kind and the normalised value.  Neither reveals the
 * value without the keys, which live outside the database (see
 * docs/personal-data.md).
 *
 * Keys: a text file named by SWN_PII_KEYS_FILE, with one "index <hex>"
 * line and one "key <id> <hex>" line per data key (64 hex digits each).
 * The newest key (highest id) seals; every listed key opens.  The
 * database's pii_keys table records which keys are in use (by a check
 * value, never the key), so a worker missing one refuses to start.
 *
 * Functions return 0 on success and -1 on failure; they never abort.
 */
#ifndef SWN_PII_H
#define SWN_PII_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

#define PII_KEY_BYTES 32
#define PII_IDX_LEN 16
#define PII_HEAD 4 /* the key id */
/* Sealed length of n bytes: id, nonce, tag. */
#define PII_SEALED_LEN(n) (PII_HEAD + 24 + (n) + 16)

/* What is indexed: equal values of different kinds never share an index. */
enum pii_kind { PII_IDNUM, PII_PHONE, PII_IDEM_KEY };

/*
 * Loads (or reloads, on SIGHUP) the key file; the new keys replace the old
 * ones at once for every thread.  On failure the old keys stay and err
 * says why, without any key material.
 */
int pii_load(const char *path, char *err, size_t errlen);
/* Drops the keys (tests, shutdown). */
void pii_unload(void);
/* The id of the key that seals, 0 when no keys are loaded. */
uint32_t pii_current(void);
/* Is key id loaded? */
int pii_has_key(uint32_t id);

/*
 * Compares the loaded keys with the registry in the database: every key
 * the registry lists as in use must be loaded, with the same check value,
 * and so must the index key; the current key and the index key are added
 * to the registry when missing.  -1 with err explaining what to restore.
 */
int pii_check_registry(struct db *, struct arena *, char *err, size_t errlen);

/* Seals n bytes (plain NULL: out->p NULL, an SQL NULL). */
int pii_seal(struct arena *, const char *ad, const void *plain, size_t n,
	     struct blob *out);
/* Seals a C string; NULL or "" gives an SQL NULL. */
int pii_seal_str(struct arena *, const char *ad, const char *plain,
		 struct blob *out);
/* Opens a sealed value into the arena (NUL-terminated; *n its length,
 * n may be NULL).  A NULL blob gives *plain NULL and succeeds. */
int pii_open(struct arena *, const char *ad, const struct blob *in,
	     char **plain, size_t *n);
/* The key id a sealed value names, 0 for a value too short to be one. */
uint32_t pii_key_id(const struct blob *);

/* The blind index of a normalised value (an ID number with "X" upper
 * case, an 11-digit phone), PII_IDX_LEN bytes. */
void pii_index(enum pii_kind, const char *value, size_t n,
	       unsigned char out[PII_IDX_LEN]);

/* A new random key file's content, for "swn-worker keys init|add". */
int pii_keyfile_write(const char *path, int add, char *err, size_t errlen);
/* Rewrites the key file without the keys the database no longer uses
 * (keep: ids to keep); the old file is kept beside it as path.retired-*. */
int pii_keyfile_retire(const char *path, const uint32_t *keep, size_t nkeep,
		       char *err, size_t errlen);

#endif
