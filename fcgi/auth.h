/*
 * Who is calling: sessions (bearer token or the sid cookie), password
 * hashing with argon2id, and the unit subtree rule behind every
 * authorization decision.
 */
#ifndef SWN_AUTH_H
#define SWN_AUTH_H

#include <sodium.h>

#include "http.h"

int auth_identify(struct req *);
int auth_hash_password(const char *, char out[crypto_pwhash_STRBYTES]);
int auth_in_subtree(const struct user *, const char *unit_path);
const char *role_name(enum role);
extern const char *const role_names[];

int auth_login(struct req *);
int auth_logout(struct req *);
int auth_me(struct req *);

#endif
