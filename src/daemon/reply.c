// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "reply.h"
#include "record.h"

#include <stdlib.h>

size_t nt_reply_variant(const struct nt_exited *exited, uint64_t had_upto)
{
	size_t i, n = 0;

	for (i = 0; i < nt_exited_count(exited); i++) {
		const struct nt_exited_entry *x = nt_exited_at(exited, i);

		if (x->seq > had_upto)
			break;
		n += x->reused;
	}
	return n;
}

struct nt_reply *nt_reply_build(const struct nt_exited *exited,
				const struct nt_task_record *live, size_t nlive,
				unsigned long boot_epoch)
{
	return nt_reply_build_for(exited, live, nlive, boot_epoch, 0);
}

struct nt_reply *nt_reply_build_for(const struct nt_exited *exited,
				    const struct nt_task_record *live, size_t nlive,
				    unsigned long boot_epoch, uint64_t had_upto)
{
	size_t nexited = nt_exited_count(exited);
	size_t n = nexited + nlive + 1, i, k = 0;
	struct nt_reply *r;

	r = malloc(sizeof(*r) + n * sizeof(r->rec[0]));
	if (!r)
		return NULL;
	r->refs = 1;
	r->exited_seq = exited->last_seq;
	for (i = 0; i < nexited; i++) {
		const struct nt_exited_entry *x = nt_exited_at(exited, i);

		r->rec[k++] = x->reused && x->seq <= had_upto ? x->now : x->rec;
	}
	for (i = 0; i < nlive; i++) {
		/* id 0 would end the reply early */
		if (live[i].tgid)
			nt_record_encode(&r->rec[k++], &live[i], boot_epoch);
	}
	nt_record_terminator(&r->rec[k++]);
	r->nrecords = k;
	r->len = k * sizeof(r->rec[0]);
	return r;
}

struct nt_reply *nt_reply_get(struct nt_reply *r)
{
	r->refs++;
	return r;
}

void nt_reply_put(struct nt_reply *r)
{
	if (r && --r->refs == 0)
		free(r);
}
