/* SPDX-License-Identifier: GPL-2.0-only */
/* `netatop --list`: ask the running daemon exactly as atop does, print. */
#ifndef NETATOP_LIST_H
#define NETATOP_LIST_H

#include <stddef.h>

#include "options.h"
#include "protocol.h"

/*
 * One exchange over the atop protocol.  Returns an nt_exit status; on
 * success *recs (malloc'ed) holds *n records without the terminator.
 */
int nt_fetch_records(const char *socket_path, struct netpertask **recs, size_t *n,
		     char *err, size_t errlen);

int nt_list_main(const struct nt_options *o);

#endif
