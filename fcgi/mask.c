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
