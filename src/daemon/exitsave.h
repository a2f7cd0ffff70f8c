/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exited records a daemon holds for its clients, handed to the next
 * daemon through a file when it stops with --keep-state (a restart, an
 * upgrade).  The records still in the kernel's exit buffer need no file:
 * they stay there, in the kept state, for the next daemon to drain.
 *
 * The file is written to a temporary name, synced and renamed, so it is
 * whole or absent; it is read only when everything in it checks out
 * (version, sizes, this boot, a checksum), and removed once read, so no
 * record is ever delivered by two daemons.
 */
#ifndef NETATOP_EXITSAVE_H
#define NETATOP_EXITSAVE_H

#include <stddef.h>
#include <time.h>

#include "exited.h"

/* 0, or -errno with the reason in err. */
int nt_exitsave_write(const char *path, const struct nt_exited *e, char *err, size_t errlen);

/*
 * Add the records of `path` to `e` and remove the file.  Returns how many
 * were added, 0 when there is no file, -1 when it was not valid (err says
 * why; the file is removed all the same).
 */
long nt_exitsave_read(const char *path, struct nt_exited *e, time_t now, char *err, size_t errlen);

#endif
