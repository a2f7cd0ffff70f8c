/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building a screen line cell by cell, for the process view (topfmt.c)
 * and the connection view (conntopfmt.c): a line never runs past its
 * buffer nor past the width of the screen (limit; 0 for none).
 */
#ifndef NETATOP_CELLS_H
#define NETATOP_CELLS_H

#include <stdbool.h>
#include <stddef.h>

/* Append s to buf at *pos. */
void nt_cell_put(char *buf, size_t len, size_t *pos, int limit, const char *s);

/* Append s in a column of `width` (left- or right-aligned, cut to fit), then a space. */
void nt_cell_col(char *buf, size_t len, size_t *pos, int limit, int width, bool left,
		 const char *s);

#endif
