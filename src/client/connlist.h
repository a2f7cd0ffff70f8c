/* SPDX-License-Identifier: GPL-2.0-only */
/* `netatop --list --connections [--pid PID] [--json]` */
#ifndef NETATOP_CONNLIST_H
#define NETATOP_CONNLIST_H

#include "options.h"

int nt_connlist_main(const struct nt_options *o);

#endif
