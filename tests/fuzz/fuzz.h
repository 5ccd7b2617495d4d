/*
 * Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c, make fuzz): a
 * FastCGI request held in memory, as http_read() and http_read_body() see
 * one from nginx, and an oracle's way to fail.
 *
 * A target fails by abort() after printing what broke, so libFuzzer keeps
 * the input as a crash like any sanitizer report.
 */
#ifndef SWN_FUZZ_H
#define SWN_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: oracle failed: %s\n",          \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

/* An input stream over the body: at its end the stream is closed, as a
 * FastCGI stream is after the last FCGI_STDIN record. */
static inline void
fuzz_in_end(FCGX_Stream *s)
{
	s->isClosed = 1;
}

/* An output stream that throws away what is written, however much. */
static inline void
fuzz_out_drain(FCGX_Stream *s, int doClose)
{
	(void)doClose;
	s->wrNext = s->data;
}

struct fuzz_fcgi {
	FCGX_Request fr;
	FCGX_Stream in, out;
	unsigned char outbuf[4096];
};

/* Sets f up to read body[0..n) (which must outlive the request) with the
 * parameters env (NULL-terminated). */
static inline void
fuzz_fcgi_init(struct fuzz_fcgi *f, char **env, const void *body, size_t n)
{
	memset(f, 0, sizeof(*f));
	f->in.rdNext = f->in.stopUnget = (unsigned char *)body;
	f->in.stop = f->in.wrNext = (unsigned char *)body + n;
	f->in.isReader = 1;
	f->in.fillBuffProc = fuzz_in_end;
	f->out.wrNext = f->outbuf;
	f->out.stop = f->out.rdNext = f->outbuf + sizeof(f->outbuf);
	f->out.data = f->outbuf;
	f->out.emptyBuffProc = fuzz_out_drain;
	f->fr.in = &f->in;
	f->fr.out = &f->out;
	f->fr.envp = env;
}

#endif
