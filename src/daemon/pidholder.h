/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who holds a pid now, for the exited records (exited.h): whether the pid
 * of a process that has exited belongs to a live process again.
 */
#ifndef NETATOP_PIDHOLDER_H
#define NETATOP_PIDHOLDER_H

#include <sys/types.h>

#include "exited.h"

/*
 * An nt_pid_holder_fn (ctx unused).  A pidfd tells a live process from a
 * zombie without /proc, which the service cannot read (ProtectProc=
 * invisible); the command and start time of the live one come from
 * /proc/PID/stat where it can be read, and are left empty and 0 where
 * not: atop uses only the pid and the counters.
 */
int nt_pid_holder(void *ctx, pid_t pid, struct netpertask *now);

#endif
