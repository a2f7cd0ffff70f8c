/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NETATOP_RECORD_H
#define NETATOP_RECORD_H

#include "protocol.h"
#include "records.h"

/*
 * Turn a kernel record into atop's record.  btime is computed exactly as
 * atop computes it from /proc: boot epoch plus the start time truncated
 * to whole seconds, so both sides agree on the same process.
 */
void nt_record_encode(struct netpertask *out, const struct nt_task_record *in,
		      unsigned long boot_epoch);

/* The kernel's counters as atop's: the only place they change type. */
void nt_taskcount_from_kernel(struct taskcount *out, const struct nt_counters *in);

/* The record that ends a reply. */
void nt_record_terminator(struct netpertask *out);

#endif
