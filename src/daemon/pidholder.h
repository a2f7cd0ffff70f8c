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

/*
 * An nt_pid_gen_fn (ctx unused): the last pid the kernel handed out in the
 * daemon's pid namespace (/proc/sys/kernel/ns_last_pid), plus one; 0 when
 * it cannot be read.  It comes back to the same value only after pid_max
 * new pids, never between two replies.
 */
unsigned long nt_pid_gen(void *ctx);

#endif
