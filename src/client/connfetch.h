/* SPDX-License-Identifier: GPL-2.0-only */
/* Ask the running daemon for the connections (src/common/connproto.h). */
#ifndef NETATOP_CONNFETCH_H
#define NETATOP_CONNFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "connproto.h"

/*
 * Connect to the connection socket beside atop's `socket_path`.  Keep the
 * descriptor between queries to see each closed connection once.  An
 * nt_exit status.
 */
int nt_connfetch_open(const char *socket_path, int *fdp, char *err, size_t errlen);

/*
 * One query for `pid`'s connections (0: all).  On success *out
 * (malloc'ed) holds *n entries.  An nt_exit status; on failure the
 * descriptor is no longer usable.
 */
int nt_connfetch_query(int fd, int32_t pid, struct nt_conn_entry **out, size_t *n,
		       char *err, size_t errlen);

#endif
