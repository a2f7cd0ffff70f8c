// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "record.h"

#include <stddef.h>
#include <string.h>

#define NSEC_PER_SEC 1000000000ULL

/*
 * The BPF programs count in atop's own layout, so the counters go over
 * whole: each one where atop's struct has it, as wide, and nothing more.
 */
#define SAME_PLACE(field) \
	_Static_assert(offsetof(struct nt_counters, field) == offsetof(struct taskcount, field) && \
		       sizeof(((struct nt_counters *)0)->field) == sizeof(((struct taskcount *)0)->field), \
		       #field " of the kernel's record is not where atop has it")
SAME_PLACE(tcpsndpacks);
SAME_PLACE(tcpsndbytes);
SAME_PLACE(tcprcvpacks);
SAME_PLACE(tcprcvbytes);
SAME_PLACE(udpsndpacks);
SAME_PLACE(udpsndbytes);
SAME_PLACE(udprcvpacks);
SAME_PLACE(udprcvbytes);
_Static_assert(sizeof(struct nt_counters) == sizeof(struct taskcount),
	       "the kernel's counters and atop's differ in size");
#undef SAME_PLACE

/* A comm the kernel hands over fits atop's command, NUL included. */
_Static_assert(NT_COMM_LEN == NETATOP_COMMLEN, "the kernel's comm and atop's command differ in length");
_Static_assert(sizeof(((struct nt_task_record *)0)->comm) == sizeof(((struct netpertask *)0)->command),
	       "the kernel's comm and atop's command differ in size");
/* Any tgid the kernel has is a pid_t. */
_Static_assert(sizeof(((struct nt_task_record *)0)->tgid) == sizeof(pid_t), "tgid does not fit pid_t");

void nt_taskcount_from_kernel(struct taskcount *out, const struct nt_counters *in)
{
	memcpy(out, in, sizeof(*out));
}

void nt_record_encode(struct netpertask *out, const struct nt_task_record *in,
		      unsigned long boot_epoch)
{
	memset(out, 0, sizeof(*out));
	out->id = (pid_t)in->tgid;
	out->btime = boot_epoch + (unsigned long)(in->start_boottime / NSEC_PER_SEC);
	memcpy(out->command, in->comm, sizeof(out->command) - 1);
	out->command[sizeof(out->command) - 1] = '\0';
	nt_taskcount_from_kernel(&out->tc, &in->c);
}

void nt_record_terminator(struct netpertask *out)
{
	memset(out, 0, sizeof(*out));
}
