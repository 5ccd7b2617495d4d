/*
 * A bare multi-threaded libfcgi program that answers every request with
 * {"status":"ok"}.  bench/run.sh puts it behind the same nginx template as
 * the worker, so the ratio of their request rates shows what the worker's
 * own work costs.  It reads the same SWN_LISTEN and SWN_THREADS as the
 * worker and uses the same accept loop: one FCGX_Request per thread, each
 * thread calling FCGX_Accept_r on the shared socket without a mutex.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

static int listen_fd;

static void *
serve(void *arg)
{
	FCGX_Request req;

	(void)arg;
	if (FCGX_InitRequest(&req, listen_fd, 0) != 0)
		return NULL;
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutS("Status: 200 OK\r\n"
			  "Content-Type: application/json\r\n"
			  "\r\n"
			  "{\"status\":\"ok\"}\n",
			  req.out);
		FCGX_Finish_r(&req);
	}
	return NULL;
}

int
main(void)
{
	const char *listen, *s;
	pthread_t *tids;
	sigset_t set;
	long n;
	int i, sig;

	if ((listen = getenv("SWN_LISTEN")) == NULL || *listen == '\0') {
		fprintf(stderr, "hello: SWN_LISTEN is required\n");
		return 1;
	}
	n = (s = getenv("SWN_THREADS")) != NULL ? strtol(s, NULL, 10) : 4;
	if (n < 1 || n > 256)
		n = 4;

	if (FCGX_Init() != 0 ||
	    (listen_fd = FCGX_OpenSocket(listen, 128)) < 0) {
		fprintf(stderr, "hello: cannot listen on %s\n", listen);
		return 1;
	}

	/*
	 * libfcgi installs handlers that let accept() restart, so a blocked
	 * thread would never see SIGTERM.  Block the signals in every thread
	 * and wait for them here instead; a benchmark helper may drop
	 * in-flight requests when it is told to stop.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if ((tids = calloc((size_t)n, sizeof(*tids))) == NULL)
		return 1;
	for (i = 0; i < n; i++)
		if (pthread_create(&tids[i], NULL, serve, NULL) != 0) {
			fprintf(stderr, "hello: pthread_create failed\n");
			return 1;
		}
	fprintf(stderr, "hello: %ld threads on %s\n", n, listen);

	sigwait(&set, &sig);
	fprintf(stderr, "hello: signal %d, exiting\n", sig);
	return 0;
}
