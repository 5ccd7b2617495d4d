/*
 * Threads accept without a mutex around FCGX_Accept_r: the kernel hands
 * each connection to one waiting thread, and a serialised accept measured
 * far slower here.
 *
 * Shutdown drains: pool_stop() marks libfcgi's shutdown as pending and
 * interrupts only the threads that wait in accept (with SIGUSR1, whose
 * handler is installed without SA_RESTART).  A thread that is serving a
 * request finishes it, then finds the shutdown pending and leaves.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <fcgiapp.h>

#include "http.h"
#include "pool.h"
#include "route.h"

struct worker {
	pthread_t tid;
	int listen_fd;
	const struct dbconf *conf;
	atomic_int busy;
	atomic_int done;
};

static struct worker *workers;
static size_t nworkers;
static atomic_int stopping;

static void
on_usr1(int sig)
{
	(void)sig; /* only here to interrupt accept() */
}

static void *
serve(void *arg)
{
	struct worker *w = arg;
	FCGX_Request fr;
	struct db db, replica;
	struct req r;
	sigset_t set;

	/* Only SIGUSR1 reaches this thread; the main thread takes TERM. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	mysql_thread_init();
	db_init(&db, w->conf);
	db_ensure(&db); /* failure is fine: each request retries */
	/* The replica is connected on the first read that may use it. */
	if (w->conf->replica != NULL)
		db_init(&replica, w->conf->replica);
	FCGX_InitRequest(&fr, w->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
	while (!atomic_load(&stopping)) {
		if (FCGX_Accept_r(&fr) < 0) {
			if (atomic_load(&stopping))
				break;
			continue;
		}
		atomic_store(&w->busy, 1);
		http_read(&r, &fr, &db);
		r.replica = w->conf->replica != NULL ? &replica : NULL;
		route_dispatch(&r);
		http_write(&r);
		http_done(&r);
		FCGX_Finish_r(&fr);
		atomic_store(&w->busy, 0);
	}
	FCGX_Free(&fr, 1);
	db_close(&db);
	if (w->conf->replica != NULL)
		db_close(&replica);
	mysql_thread_end();
	atomic_store(&w->done, 1);
	return NULL;
}

int
pool_start(size_t n, int listen_fd, const struct dbconf *conf)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: accept() must return EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	if ((workers = calloc(n, sizeof(*workers))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		workers[i].listen_fd = listen_fd;
		workers[i].conf = conf;
		if (pthread_create(&workers[i].tid, NULL, serve, &workers[i]) !=
		    0)
			return -1;
		nworkers++;
	}
	return 0;
}

void
pool_stop(int listen_fd)
{
	struct timespec pause = {0, 50 * 1000 * 1000};
	size_t i, left;

	atomic_store(&stopping, 1);
	FCGX_ShutdownPending();
	/* Only now, with the shutdown pending, may accept() start failing. */
	shutdown(listen_fd, SHUT_RDWR);
	/* Repeat: a thread may be between its check and accept(). */
	do {
		left = 0;
		for (i = 0; i < nworkers; i++) {
			if (atomic_load(&workers[i].done))
				continue;
			left++;
			if (!atomic_load(&workers[i].busy))
				pthread_kill(workers[i].tid, SIGUSR1);
		}
		if (left > 0)
			nanosleep(&pause, NULL);
	} while (left > 0);
	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i].tid, NULL);
	free(workers);
	workers = NULL;
	nworkers = 0;
}
