/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where a text from the kernel (a command name, a cgroup path: any bytes
 * at all) is valid UTF-8, so that JSON and the metrics labels can pass
 * it on as it is and deal with the rest byte by byte.
 */
#ifndef NETATOP_UTF8_H
#define NETATOP_UTF8_H

#include <stddef.h>

/*
 * The length of the valid UTF-8 sequence at s (at most n bytes, n >= 1):
 * 1 for ASCII, 2 to 4 for a whole character; 0 for a byte that starts no
 * valid sequence (a stray continuation byte, an overlong form, a UTF-16
 * surrogate, beyond U+10FFFF, or a character cut short).
 */
size_t nt_utf8_len(const unsigned char *s, size_t n);

#endif
