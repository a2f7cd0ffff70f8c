/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files of one short read: the pid file's status, /proc/PID/stat,
 * /proc/sys values.  Whatever does not fit is left unread.
 */
#ifndef NETATOP_SMALLFILE_H
#define NETATOP_SMALLFILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Read up to len - 1 bytes of path into buf, NUL-terminated; the number
 * read, or -1 when the file cannot be opened or read or is empty.
 */
ssize_t nt_read_small_file(const char *path, char *buf, size_t len);

#endif
