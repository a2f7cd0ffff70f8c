/* SPDX-License-Identifier: GPL-2.0-only */
/* `netatop --list`: ask the running daemon exactly as atop does, print. */
#ifndef NETATOP_LIST_H
#define NETATOP_LIST_H

#include "options.h"

int nt_list_main(const struct nt_options *o);

#endif
