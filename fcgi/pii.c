/*
 * Sealing, opening and indexing personal values, and the keys behind them.
 *
 * The keys sit in memory from sodium_malloc() (guard pages, locked so they
 * are not swapped out) and are swapped as a whole on reload: readers hold
 * a read lock for the microseconds one seal or open takes, so a SIGHUP
 * never leaves a thread with half a key ring.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "pii.h"

#define MAX_KEYS 16
#define KEYFILE_MAX 65536
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define CHECK_LEN 16

struct keyring {
	unsigned char index[PII_KEY_BYTES];
	size_t n;
	uint32_t ids[MAX_KEYS];
	unsigned char keys[MAX_KEYS][PII_KEY_BYTES];
};

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct keyring *ring; /* under lock */

SQL(sql_registry, "SELECT id, check_value, retired_at IS NOT NULL "
		  "FROM pii_keys ORDER BY id");
SQL(sql_register, "INSERT IGNORE INTO pii_keys (id, check_value, created_at) "
		  "VALUES (?, ?, NOW())");

static void seterr(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

/* Parses a key file's text into a ring; -1 with err naming the line. */
static int
parse(const char *text, struct keyring *kr, char *err, size_t errlen)
{
	const char *p = text, *eol;
	int line = 0, have_index = 0;
	char hex[PII_KEY_BYTES * 2 + 1];
	size_t i, len;

	memset(kr, 0, sizeof(*kr));
	for (; *p != '\0'; p = *eol ? eol + 1 : eol) {
		unsigned long id = 0;
		unsigned char *dst;
		int used = 0;

		line++;
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		len = (size_t)(eol - p);
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len == 0 || *p == '#' || *p == '\r')
			continue;
		if (len > 200) {
			seterr(err, errlen, "line %d is too long", line);
			return -1;
		}
		{
			char buf[201];

			memcpy(buf, p, len);
			buf[len] = '\0';
			if (sscanf(buf, "index %64s %n", hex, &used) == 1 &&
			    used == (int)len) {
				if (have_index++) {
					seterr(err, errlen,
					       "line %d: a second index key",
					       line);
					goto bad;
				}
				dst = kr->index;
			} else if (sscanf(buf, "key %lu %64s %n", &id, hex,
					  &used) == 2 &&
				   used == (int)len) {
				if (id < 1 || id > 0x7fffffffUL) {
					seterr(err, errlen,
					       "line %d: key ids are 1 to "
					       "2147483647",
					       line);
					goto bad;
				}
				for (i = 0; i < kr->n; i++)
					if (kr->ids[i] == id) {
						seterr(err, errlen,
						       "line %d: key %lu "
						       "twice",
						       line, id);
						goto bad;
					}
				if (kr->n == MAX_KEYS) {
					seterr(err, errlen,
					       "line %d: more than %d keys",
					       line, MAX_KEYS);
					goto bad;
				}
				kr->ids[kr->n] = (uint32_t)id;
				dst = kr->keys[kr->n++];
			} else {
				seterr(err, errlen,
				       "line %d: expected \"index HEX\" or "
				       "\"key ID HEX\"",
				       line);
				goto bad;
			}
			sodium_memzero(buf, sizeof(buf));
			if (strlen(hex) != PII_KEY_BYTES * 2 ||
			    sodium_hex2bin(dst, PII_KEY_BYTES, hex, strlen(hex),
					   NULL, &i, NULL) != 0 ||
			    i != PII_KEY_BYTES) {
				seterr(err, errlen,
				       "line %d: a key is %d hex digits", line,
				       PII_KEY_BYTES * 2);
				goto bad;
			}
			continue;
		bad:
			sodium_memzero(buf, sizeof(buf));
			sodium_memzero(hex, sizeof(hex));
			return -1;
		}
	}
	sodium_memzero(hex, sizeof(hex));
	if (!have_index || kr->n == 0) {
		seterr(err, errlen, "needs an index key and at least one key");
		return -1;
	}
	return 0;
}

/* Reads a whole key file (at most KEYFILE_MAX bytes) into a locked
 * buffer, so key material never sits in ordinary heap. */
static char *
slurp(const char *path, char *err, size_t errlen)
{
	char *text;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((text = sodium_malloc(KEYFILE_MAX + 1)) == NULL) {
		fclose(f);
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	n = fread(text, 1, KEYFILE_MAX + 1, f);
	fclose(f);
	if (n > KEYFILE_MAX) {
		sodium_free(text);
		seterr(err, errlen, "%s: larger than %d bytes", path,
		       KEYFILE_MAX);
		return NULL;
	}
	text[n] = '\0';
	return text;
}

int
pii_load(const char *path, char *err, size_t errlen)
{
	struct keyring *kr, *old;
	char *text;

	if ((text = slurp(path, err, errlen)) == NULL)
		return -1;
	if ((kr = sodium_malloc(sizeof(*kr))) == NULL) {
		sodium_free(text);
		seterr(err, errlen, "out of memory");
		return -1;
	}
	if (parse(text, kr, err, errlen) != 0) {
		sodium_free(text);
		sodium_free(kr);
		return -1;
	}
	sodium_free(text);
	sodium_mprotect_readonly(kr);
	pthread_rwlock_wrlock(&lock);
	old = ring;
	ring = kr;
	pthread_rwlock_unlock(&lock);
	if (old != NULL)
		sodium_free(old);
	return 0;
}

void
pii_unload(void)
{
	struct keyring *old;

	pthread_rwlock_wrlock(&lock);
	old = ring;
	ring = NULL;
	pthread_rwlock_unlock(&lock);
	if (old != NULL)
		sodium_free(old);
}

/* Index of the newest key; ring locked. */
static size_t
newest(const struct keyring *kr)
{
	size_t i, best = 0;

	for (i = 1; i < kr->n; i++)
		if (kr->ids[i] > kr->ids[best])
			best = i;
	return best;
}

uint32_t
pii_current(void)
{
	uint32_t id = 0;

	pthread_rwlock_rdlock(&lock);
	if (ring != NULL)
		id = ring->ids[newest(ring)];
	pthread_rwlock_unlock(&lock);
	return id;
}

static const unsigned char *
find(const struct keyring *kr, uint32_t id)
{
	size_t i;

	for (i = 0; kr != NULL && i < kr->n; i++)
		if (kr->ids[i] == id)
			return kr->keys[i];
	return NULL;
}

int
pii_has_key(uint32_t id)
{
	int has;

	pthread_rwlock_rdlock(&lock);
	has = find(ring, id) != NULL;
	pthread_rwlock_unlock(&lock);
	return has;
}

/* A key's check value: a MAC of a constant, which proves which key it is
 * without revealing anything of it. */
static void
check_value(const unsigned char *key, unsigned char out[CHECK_LEN])
{
	static const char msg[] = "swn personal-data key check v1";

	crypto_generichash(out, CHECK_LEN, (const unsigned char *)msg,
			   sizeof(msg) - 1, key, PII_KEY_BYTES);
}

int
pii_check_registry(struct db *db, struct arena *a, char *err, size_t errlen)
{
	unsigned char mine[CHECK_LEN], idx[CHECK_LEN];
	uint32_t cur = 0;
	struct dbres q;
	struct blob chk;
	int64_t id, retired;
	int rc, cur_retired = 0;

	pthread_rwlock_rdlock(&lock);
	if (ring == NULL) {
		pthread_rwlock_unlock(&lock);
		seterr(err, errlen, "no keys loaded");
		return -1;
	}
	cur = ring->ids[newest(ring)];
	check_value(ring->keys[newest(ring)], mine);
	check_value(ring->index, idx);
	if (db_query(db, &q, &sql_registry, "") != 0) {
		pthread_rwlock_unlock(&lock);
		seterr(err, errlen, "cannot read pii_keys (db error %u)",
		       db->err);
		return -1;
	}
	err[0] = '\0';
	while ((rc = db_row(&q, a, "iBi", &id, &chk, &retired)) == 1) {
		const unsigned char *k =
		    id == 0 ? ring->index : find(ring, (uint32_t)id);
		unsigned char want[CHECK_LEN];

		if ((uint32_t)id == cur && retired)
			cur_retired = 1;
		if (retired)
			continue;
		if (k == NULL) {
			seterr(err, errlen,
			       "personal data is sealed under key %lld, which "
			       "the key file does not hold: restore the key "
			       "file from its backup (docs/personal-data.md)",
			       (long long)id);
			break;
		}
		check_value(k, want);
		if (chk.n != CHECK_LEN ||
		    sodium_memcmp(want, chk.p, CHECK_LEN) != 0) {
			if (id == 0)
				seterr(err, errlen,
				       "the index key in the key file is not "
				       "the one the data was indexed with: "
				       "restore the right key file "
				       "(docs/personal-data.md)");
			else
				seterr(
				    err, errlen,
				    "key %lld in the key file is not the key "
				    "the data was sealed with: restore the "
				    "right key file (docs/personal-data.md)",
				    (long long)id);
			break;
		}
	}
	db_end(&q);
	pthread_rwlock_unlock(&lock);
	if (rc < 0) {
		seterr(err, errlen, "cannot read pii_keys (db error %u)",
		       db->err);
		return -1;
	}
	if (err[0] != '\0')
		return -1;
	if (cur_retired) {
		seterr(err, errlen,
		       "key %u was retired; add a new key instead "
		       "(swn-worker keys add)",
		       cur);
		return -1;
	}
	if (db_exec(db, &sql_register, "ib", (int64_t)cur, mine,
		    (size_t)CHECK_LEN) < 0 ||
	    db_exec(db, &sql_register, "ib", (int64_t)0, idx,
		    (size_t)CHECK_LEN) < 0) {
		seterr(err, errlen, "cannot write pii_keys (db error %u)",
		       db->err);
		return -1;
	}
	return 0;
}

int
pii_seal(struct arena *a, const char *ad, const void *plain, size_t n,
	 struct blob *out)
{
	unsigned long long clen;
	const unsigned char *key;
	unsigned char *p;
	uint32_t id;

	out->p = NULL;
	out->n = 0;
	if (plain == NULL)
		return 0;
	p = arena_alloc(a, PII_SEALED_LEN(n));
	pthread_rwlock_rdlock(&lock);
	if (ring == NULL) {
		pthread_rwlock_unlock(&lock);
		return -1;
	}
	id = ring->ids[newest(ring)];
	key = ring->keys[newest(ring)];
	p[0] = (unsigned char)(id >> 24);
	p[1] = (unsigned char)(id >> 16);
	p[2] = (unsigned char)(id >> 8);
	p[3] = (unsigned char)id;
	randombytes_buf(p + PII_HEAD, NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
	    p + PII_HEAD + NONCE_LEN, &clen, plain, n,
	    (const unsigned char *)ad, strlen(ad), NULL, p + PII_HEAD, key);
	pthread_rwlock_unlock(&lock);
	out->p = p;
	out->n = PII_HEAD + NONCE_LEN + (size_t)clen;
	return 0;
}

int
pii_seal_str(struct arena *a, const char *ad, const char *plain,
	     struct blob *out)
{
	if (plain == NULL || *plain == '\0') {
		out->p = NULL;
		out->n = 0;
		return 0;
	}
	return pii_seal(a, ad, plain, strlen(plain), out);
}

uint32_t
pii_key_id(const struct blob *b)
{
	if (b == NULL || b->p == NULL || b->n < PII_SEALED_LEN(0))
		return 0;
	return (uint32_t)b->p[0] << 24 | (uint32_t)b->p[1] << 16 |
	       (uint32_t)b->p[2] << 8 | b->p[3];
}

int
pii_open(struct arena *a, const char *ad, const struct blob *in, char **plain,
	 size_t *n)
{
	const unsigned char *key;
	unsigned long long mlen;
	unsigned char *m;
	int rc;

	*plain = NULL;
	if (n != NULL)
		*n = 0;
	if (in == NULL || in->p == NULL)
		return 0;
	if (in->n < PII_SEALED_LEN(0))
		return -1;
	m = arena_alloc(a, in->n - PII_SEALED_LEN(0) + 1);
	pthread_rwlock_rdlock(&lock);
	if ((key = find(ring, pii_key_id(in))) == NULL) {
		pthread_rwlock_unlock(&lock);
		return -1;
	}
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
	    m, &mlen, NULL, in->p + PII_HEAD + NONCE_LEN,
	    in->n - PII_HEAD - NONCE_LEN, (const unsigned char *)ad, strlen(ad),
	    in->p + PII_HEAD, key);
	pthread_rwlock_unlock(&lock);
	if (rc != 0)
		return -1;
	m[mlen] = '\0';
	*plain = (char *)m;
	if (n != NULL)
		*n = (size_t)mlen;
	return 0;
}

void
pii_index(enum pii_kind kind, const char *value, size_t n,
	  unsigned char out[PII_IDX_LEN])
{
	crypto_generichash_state st;
	unsigned char k = (unsigned char)kind;

	pthread_rwlock_rdlock(&lock);
	if (ring == NULL) {
		/* Unreachable once the worker has started: it refuses to
		 * run without keys.  Never match anything then. */
		pthread_rwlock_unlock(&lock);
		randombytes_buf(out, PII_IDX_LEN);
		return;
	}
	crypto_generichash_init(&st, ring->index, PII_KEY_BYTES, PII_IDX_LEN);
	pthread_rwlock_unlock(&lock);
	crypto_generichash_update(&st, &k, 1);
	crypto_generichash_update(&st, (const unsigned char *)value, n);
	crypto_generichash_final(&st, out, PII_IDX_LEN);
	sodium_memzero(&st, sizeof(st));
}

/* ---- Key files ------------------------------------------------------ */

static int
put_key(FILE *f, const char *prefix, const unsigned char *key)
{
	char hex[PII_KEY_BYTES * 2 + 1];
	int rc;

	sodium_bin2hex(hex, sizeof(hex), key, PII_KEY_BYTES);
	rc = fprintf(f, "%s %s\n", prefix, hex);
	sodium_memzero(hex, sizeof(hex));
	return rc < 0 ? -1 : 0;
}

/* Writes a ring to path through path.new, fsynced and renamed, 0600. */
static int
write_ring(const char *path, const struct keyring *kr, char *err, size_t errlen)
{
	char tmp[4096], prefix[32];
	size_t i;
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp)) {
		seterr(err, errlen, "path too long");
		return -1;
	}
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		seterr(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fputs("# swn personal-data keys: keep this file secret, and keep a "
	      "copy with\n# every backup's key, apart from the backup "
	      "(docs/personal-data.md).\n",
	      f);
	put_key(f, "index", kr->index);
	for (i = 0; i < kr->n; i++) {
		snprintf(prefix, sizeof(prefix), "key %u", kr->ids[i]);
		put_key(f, prefix, kr->keys[i]);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		seterr(err, errlen, "%s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fclose(f);
	if (rename(tmp, path) != 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
pii_keyfile_write(const char *path, int add, char *err, size_t errlen)
{
	struct keyring *kr;
	char *text;
	uint32_t next = 1;
	int rc = -1;

	if ((kr = sodium_malloc(sizeof(*kr))) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	memset(kr, 0, sizeof(*kr));
	if (add) {
		if ((text = slurp(path, err, errlen)) == NULL)
			goto done;
		rc = parse(text, kr, err, errlen);
		sodium_free(text);
		if (rc != 0)
			goto done;
		rc = -1;
		if (kr->n == MAX_KEYS) {
			seterr(err, errlen,
			       "%d keys already: finish a rotation first",
			       MAX_KEYS);
			goto done;
		}
		next = kr->ids[newest(kr)] + 1;
	} else {
		if (access(path, F_OK) == 0) {
			seterr(err, errlen, "%s exists; not overwritten", path);
			goto done;
		}
		randombytes_buf(kr->index, PII_KEY_BYTES);
	}
	kr->ids[kr->n] = next;
	randombytes_buf(kr->keys[kr->n], PII_KEY_BYTES);
	kr->n++;
	rc = write_ring(path, kr, err, errlen);
done:
	sodium_free(kr);
	return rc;
}

int
pii_keyfile_retire(const char *path, const uint32_t *keep, size_t nkeep,
		   char *err, size_t errlen)
{
	struct keyring *kr;
	char *text, old[4096], stamp[32];
	size_t i, j, n = 0;
	time_t now = time(NULL);
	struct tm tm;
	int rc = -1;

	if ((kr = sodium_malloc(sizeof(*kr))) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	if ((text = slurp(path, err, errlen)) == NULL)
		goto done;
	rc = parse(text, kr, err, errlen);
	sodium_free(text);
	if (rc != 0)
		goto done;
	rc = -1;
	for (i = 0; i < kr->n; i++) {
		for (j = 0; j < nkeep && keep[j] != kr->ids[i]; j++)
			;
		if (j == nkeep)
			continue;
		kr->ids[n] = kr->ids[i];
		memmove(kr->keys[n], kr->keys[i], PII_KEY_BYTES);
		n++;
	}
	if (n == 0) {
		seterr(err, errlen, "refusing to retire every key");
		goto done;
	}
	for (i = n; i < kr->n; i++)
		sodium_memzero(kr->keys[i], PII_KEY_BYTES);
	kr->n = n;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(old, sizeof(old), "%s.retired-%s", path, stamp);
	/* The old file stays, for backups sealed under the retired keys. */
	if (link(path, old) != 0 && errno != EEXIST) {
		seterr(err, errlen, "%s: %s", old, strerror(errno));
		goto done;
	}
	rc = write_ring(path, kr, err, errlen);
done:
	sodium_free(kr);
	return rc;
}
