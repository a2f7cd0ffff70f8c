/* SPDX-License-Identifier: GPL-2.0-only */
/* Ask the running daemon for its records, exactly as atop does. */
#ifndef NETATOP_FETCH_H
#define NETATOP_FETCH_H

#include <stddef.h>

#include "protocol.h"

/*
 * One exchange over the atop protocol.  Returns an nt_exit status; on
 * success *recs (malloc'ed) holds *n records without the terminator.
 */
int nt_fetch_records(const char *socket_path, struct netpertask **recs, size_t *n,
		     char *err, size_t errlen);

#endif
