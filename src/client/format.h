/* SPDX-License-Identifier: GPL-2.0-only */
/* How --list shows records: a table in human units, or JSON lines. */
#ifndef NETATOP_FORMAT_H
#define NETATOP_FORMAT_H

#include <stddef.h>
#include <stdio.h>

#include "protocol.h"

/* 4 significant characters at most: "999", "1.2K", "13K", "1.1G" (binary steps for bytes). */
char *nt_format_human(char *buf, size_t len, unsigned long long v, unsigned int base);

void nt_format_table_header(FILE *out);
void nt_format_table_line(FILE *out, const struct netpertask *rec);
void nt_format_json_line(FILE *out, const struct netpertask *rec);

/* What the daemon could not credit to any process (wire counting): a row, or a JSON line. */
void nt_format_unattributed_line(FILE *out, const struct taskcount *u);
void nt_format_unattributed_json(FILE *out, const struct taskcount *u);

/* Sort biggest total bytes first, then by pid; deduplicate ids keeping the last (as atop does). */
size_t nt_records_dedup_sort(struct netpertask *recs, size_t n);

#endif
