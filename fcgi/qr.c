#include <stdio.h>
#include <string.h>

#include <qrencode.h>

#include "qr.h"

#define QUIET 4	 /* modules of white around the symbol (ISO/IEC 18004) */
#define MODULE 8 /* px per module in the image's nominal size */

int
qr_svg(struct buf *out, const char *text)
{
	QRcode *qr;
	char part[96];
	int x, y, run, w, size, rc = 0;

	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_Q, QR_MODE_8, 1);
	if (qr == NULL)
		return -1;
	w = qr->width;
	size = w + 2 * QUIET;
	snprintf(part, sizeof(part),
		 "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d "
		 "%d\" ",
		 size, size);
	rc |= buf_puts(out, part);
	snprintf(part, sizeof(part),
		 "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\" ",
		 size * MODULE, size * MODULE);
	rc |= buf_puts(out, part);
	rc |= buf_puts(out, "role=\"img\" aria-label=\"报名码二维码\">");
	snprintf(part, sizeof(part),
		 "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>", size,
		 size);
	rc |= buf_puts(out, part);
	rc |= buf_puts(out, "<path fill=\"#000\" d=\"");
	/* One rectangle per horizontal run of dark modules (bit 0). */
	for (y = 0; y < w; y++)
		for (x = 0; x<w; x += run> 0 ? run : 1) {
			for (run = 0;
			     x + run < w && (qr->data[y * w + x + run] & 1);
			     run++)
				;
			if (run == 0)
				continue;
			snprintf(part, sizeof(part), "M%d %dh%dv1h-%dz",
				 x + QUIET, y + QUIET, run, run);
			rc |= buf_puts(out, part);
		}
	rc |= buf_puts(out, "\"/></svg>\n");
	QRcode_free(qr);
	return rc != 0 ? -1 : 0;
}
