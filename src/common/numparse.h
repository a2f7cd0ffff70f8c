/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NETATOP_NUMPARSE_H
#define NETATOP_NUMPARSE_H

/*
 * The unsigned decimal number at p, after spaces and tabs, into *v; returns
 * where it ends, or NULL (and *v untouched) when p holds none.  For the
 * "KEY VALUE" lines of /proc and of the pid file: strtoull() alone would
 * skip the newline of an empty value and take the next line's number, and
 * would read "-1" as ULLONG_MAX.
 */
const char *nt_parse_line_number(const char *p, unsigned long long *v);

#endif
