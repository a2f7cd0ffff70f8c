// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "cells.h"

#include <stdio.h>
#include <string.h>

void nt_cell_put(char *buf, size_t len, size_t *pos, int limit, const char *s)
{
	size_t n = strlen(s), room = len - 1 - *pos;

	if (limit > 0 && *pos + n > (size_t)limit)
		n = (size_t)limit > *pos ? (size_t)limit - *pos : 0;
	if (n > room)
		n = room;
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
}

void nt_cell_col(char *buf, size_t len, size_t *pos, int limit, int width, bool left,
		 const char *s)
{
	char cell[128];

	snprintf(cell, sizeof(cell), left ? "%-*.*s " : "%*.*s ", width, width, s);
	nt_cell_put(buf, len, pos, limit, cell);
}
