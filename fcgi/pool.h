/*
 * The worker threads: each accepts FastCGI requests on the shared socket
 * and serves them with its own database connection (and its own replica
 * connection when a replica is configured).
 */
#ifndef SWN_POOL_H
#define SWN_POOL_H

#include <stddef.h>

#include "db.h"

int pool_start(size_t nthreads, int listen_fd, const struct dbconf *);
void pool_stop(int listen_fd);

#endif
