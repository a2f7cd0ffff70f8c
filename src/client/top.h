/* SPDX-License-Identifier: GPL-2.0-only */
/* `netatop --top`: per-process network rates, live (ncurses) or in batch. */
#ifndef NETATOP_TOP_H
#define NETATOP_TOP_H

#include "options.h"

int nt_top_main(const struct nt_options *o);

#endif
