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
/*
 * The session token a request presents: after "Authorization: Bearer ",
 * else the first sid cookie (*by_cookie set), else NULL.  Only parses:
 * whether it names a session is auth_identify's question.
 */
const char *auth_token(struct req *, int *by_cookie);
int auth_hash_password(const char *, char out[crypto_pwhash_STRBYTES]);
int auth_in_subtree(const struct user *, const char *unit_path);
const char *role_name(enum role);
extern const char *const role_names[];

int auth_login(struct req *);
int auth_logout(struct req *);
int auth_me(struct req *);

#endif
