/*
 * swn-worker seed-pool: sealed values for `make seed` (seed.c).
 */
#ifndef SWN_SEED_H
#define SWN_SEED_H

#include "db.h"

int seed_pool_cmd(struct db *);

#endif
