/*
 * Fuzz target: a request body as http_read_body() reads it from the
 * FastCGI stream for a POST of application/json: bounded (413), strict
 * JSON with duplicate keys refused and nothing after the value
 * (invalid_json, duplicate_key), and one object (400 otherwise).
 *
 * Input: the body, sent with a Content-Length of its size.
 *
 * Oracles beyond the sanitizers: a body is accepted exactly when jansson,
 * with the worker's flags, reads one object from all of it; an accepted
 * body survives a round trip; a refused one is answered with a problem
 * document naming the reason, and a duplicate key is always called one.
 */
#include <stdint.h>

#include "fuzz.h"
#include "http.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char cl[48], *env[4] = {cl, "CONTENT_TYPE=application/json",
				"REQUEST_METHOD=POST", NULL};
	struct fuzz_fcgi f;
	json_error_t err;
	json_t *ref;
	struct req r;
	int rc;

	snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%zu", size);
	fuzz_fcgi_init(&f, env, data, size);
	http_read(&r, &f.fr, NULL);
	rc = http_read_body(&r);
	ref = size > BODY_MAX ? NULL
			      : json_loadb((const char *)data, size,
					   JSON_REJECT_DUPLICATES, &err);
	if (rc == 0) {
		FUZZ_CHECK(size == 0 ||
			   (r.json != NULL && json_is_object(r.json)));
		FUZZ_CHECK(size == 0 || json_equal(r.json, ref));
		FUZZ_CHECK(r.status == 0);
	} else {
		const char *code = r.status == 413 ? "payload_too_large"
				   : ref == NULL && json_error_code(&err) ==
							json_error_duplicate_key
				       ? "duplicate_key"
				       : "invalid_json";
		json_t *p = json_loadb(r.out.p, r.out.len, 0, NULL);

		FUZZ_CHECK(p != NULL);
		FUZZ_CHECK(r.status == 413 || r.status == 400);
		FUZZ_CHECK(r.status != 413 || size > BODY_MAX);
		FUZZ_CHECK(strcmp(json_string_value(json_object_get(p, "code")),
				  code) == 0);
		FUZZ_CHECK(ref == NULL || !json_is_object(ref));
		json_decref(p);
	}
	json_decref(ref);
	http_done(&r);
	return 0;
}
