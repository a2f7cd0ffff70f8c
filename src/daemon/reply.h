/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One reply: records of exited processes first (so a live process that
 * reused a pid replaces them in atop's hash), then live ones, then the
 * terminating record.  Clients asking in the same loop iteration share
 * one reply, hence the reference count.
 *
 * atop keys its table of a sample by pid alone and looks live and exited
 * processes up in it alike (protocol doc): a retained record whose pid a
 * live process without traffic has taken since would be booked on that
 * process.  Once a client has had such a record, it gets a record of the
 * live process in its place instead; a client that has not had it yet
 * still gets it once (it may be the exit it has yet to book).
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

/*
 * The reply for a client that has had the exited records up to seq
 * `had_upto`: of those whose pid a live process has taken since, it gets
 * the live process (zero counters) instead, the others as they are.
 * nt_reply_build() is this for a client that has had none.
 */
struct nt_reply *nt_reply_build_for(const struct nt_exited *exited,
				    const struct nt_task_record *live, size_t nlive,
				    unsigned long boot_epoch, uint64_t had_upto);

/*
 * Replies for clients that have had up to a and up to b are the same
 * when the same reused records lie at or below each: a count tells.
 */
size_t nt_reply_variant(const struct nt_exited *exited, uint64_t had_upto);
struct nt_reply *nt_reply_get(struct nt_reply *r);
void nt_reply_put(struct nt_reply *r);

#endif
