/*
 * QR codes as SVG images, for codes that a phone camera reads off another
 * phone's screen (a fair registration's check-in code).  Made with
 * libqrencode (ISO/IEC 18004).
 */
#ifndef SWN_QR_H
#define SWN_QR_H

#include "arena.h"

/*
 * Appends to out a standalone SVG document of text's QR code: error
 * correction level Q (a quarter of the symbol may be unreadable: glare,
 * a cracked screen), the smallest version that holds it, black modules on
 * white with the 4-module quiet zone the standard asks for, scaled to 8
 * px a module (the page may scale it further; edges stay crisp).
 * Returns 0, or -1 when text cannot be encoded (too long) or on no memory.
 */
int qr_svg(struct buf *out, const char *text);

#endif
