#include <string.h>

#include "mask.h"

/* Keeps head and tail bytes; anything too short to mask is fully hidden. */
static char *
mask(struct arena *a, const char *s, size_t head, size_t tail)
{
	size_t n, i;
	char *out;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	out = arena_strndup(a, s, n);
	for (i = 0; i < n; i++)
		if (n <= head + tail || (i >= head && i < n - tail))
			out[i] = '*';
	return out;
}

char *
mask_idnum(struct arena *a, const char *s)
{
	return mask(a, s, 6, 4);
}

char *
mask_phone(struct arena *a, const char *s)
{
	return mask(a, s, 3, 4);
}

int
mask_sealed(struct arena *a, const char *ad, const struct blob *b,
	    enum pii_kind kind, int unmask, char **out)
{
	char *plain;

	*out = NULL;
	if (pii_open(a, ad, b, &plain, NULL) != 0)
		return -1;
	if (unmask || plain == NULL)
		*out = plain;
	else
		*out = kind == PII_IDNUM ? mask_idnum(a, plain)
					 : mask_phone(a, plain);
	return 0;
}
