/*
 * The key-management commands of swn-worker (see keys.c and
 * docs/personal-data.md).  Each returns a process exit status.
 */
#ifndef SWN_KEYS_H
#define SWN_KEYS_H

#include "db.h"

/* Loads SWN_PII_KEYS_FILE and checks it against the database's registry;
 * prints why not and returns -1 when the keys are missing or wrong. */
int keys_prepare(struct db *, struct arena *);
int keys_file_cmd(const char *verb, const char *path);
int keys_rotate_cmd(struct db *);
int keys_upgrade_cmd(struct db *);

#endif
