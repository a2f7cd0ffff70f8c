/* SPDX-License-Identifier: GPL-2.0-only */
/* JSON strings for --list --json and --check --json. */
#ifndef NETATOP_JSON_H
#define NETATOP_JSON_H

#include <stddef.h>
#include <stdio.h>

/*
 * Write the first max bytes of s (fewer at a NUL) as a quoted JSON
 * string.  A command name can hold any byte, and the output must be valid
 * JSON whatever it holds: '"' and '\' are escaped, control bytes and DEL
 * become \u00XX, valid UTF-8 passes as it is, and each byte that is not
 * part of valid UTF-8 becomes \u00XX (its value as a code point).
 */
void nt_json_string(FILE *out, const char *s, size_t max);

#endif
