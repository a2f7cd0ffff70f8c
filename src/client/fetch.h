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

/*
 * Connect to a daemon's socket, with send and receive timeouts so a
 * daemon that stops answering never hangs a client.  An nt_exit status.
 */
int nt_fetch_connect(const char *path, int *fdp, char *err, size_t errlen);

/* Read exactly len bytes; 0, or -errno (-EPIPE at end of file). */
int nt_fetch_read_full(int fd, void *buf, size_t len);

#endif
