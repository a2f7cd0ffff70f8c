// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "record.h"

#include <string.h>

#define NSEC_PER_SEC 1000000000ULL

void nt_record_encode(struct netpertask *out, const struct nt_task_record *in,
		      unsigned long boot_epoch)
{
	memset(out, 0, sizeof(*out));
	out->id = (pid_t)in->tgid;
	out->btime = boot_epoch + (unsigned long)(in->start_boottime / NSEC_PER_SEC);
	memcpy(out->command, in->comm, sizeof(out->command) - 1);
	out->command[sizeof(out->command) - 1] = '\0';
	out->tc.tcpsndpacks = in->c.tcpsndpacks;
	out->tc.tcpsndbytes = in->c.tcpsndbytes;
	out->tc.tcprcvpacks = in->c.tcprcvpacks;
	out->tc.tcprcvbytes = in->c.tcprcvbytes;
	out->tc.udpsndpacks = in->c.udpsndpacks;
	out->tc.udpsndbytes = in->c.udpsndbytes;
	out->tc.udprcvpacks = in->c.udprcvpacks;
	out->tc.udprcvbytes = in->c.udprcvbytes;
}

void nt_record_terminator(struct netpertask *out)
{
	memset(out, 0, sizeof(*out));
}
