/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One reply: records of exited processes first (so a live process that
 * reused a pid replaces them in atop's hash), then live ones, then the
 * terminating record.  Clients asking in the same loop iteration share
 * one reply, hence the reference count.
 */
#ifndef NETATOP_REPLY_H
#define NETATOP_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "exited.h"
#include "protocol.h"
#include "records.h"

struct nt_reply {
	unsigned int refs;
	uint64_t exited_seq;	/* newest exited record it carries */
	size_t nrecords;	/* including the terminator */
	size_t len;		/* bytes */
	struct netpertask rec[];
};

struct nt_reply *nt_reply_build(const struct nt_exited *exited,
				const struct nt_task_record *live, size_t nlive,
				unsigned long boot_epoch);
struct nt_reply *nt_reply_get(struct nt_reply *r);
void nt_reply_put(struct nt_reply *r);

#endif
