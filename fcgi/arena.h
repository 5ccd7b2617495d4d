/*
 * Per-request memory: a bump allocator that is released in one call when
 * the request ends, so nothing from a request outlives it, and a growable
 * byte buffer for response bodies and headers.
 */
#ifndef SWN_ARENA_H
#define SWN_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
};

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

void *arena_alloc(struct arena *, size_t);
void *arena_zalloc(struct arena *, size_t);
char *arena_strndup(struct arena *, const char *, size_t);
char *arena_strdup(struct arena *, const char *);
char *arena_printf(struct arena *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void arena_free(struct arena *);

int buf_reserve(struct buf *, size_t);
int buf_append(struct buf *, const void *, size_t);
int buf_puts(struct buf *, const char *);
void buf_reset(struct buf *);
void buf_free(struct buf *);

#endif
