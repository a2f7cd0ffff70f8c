/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Records passed from the BPF programs to the daemon.  Shared by the BPF
 * object and by userspace, so only fixed-width types: the daemon converts
 * them to atop's native struct netpertask (see src/common/protocol.h).
 */
#ifndef NETATOP_BPF_RECORDS_H
#define NETATOP_BPF_RECORDS_H

#ifdef __bpf__
typedef unsigned long long nt_u64;
typedef unsigned int nt_u32;
#else
#include <stdint.h>
typedef uint64_t nt_u64;
typedef uint32_t nt_u32;
#endif

#define NT_COMM_LEN 16

/* Same order as atop's struct taskcount. */
struct nt_counters {
	nt_u64 tcpsndpacks, tcpsndbytes, tcprcvpacks, tcprcvbytes;
	nt_u64 udpsndpacks, udpsndbytes, udprcvpacks, udprcvbytes;
};

/*
 * One process, live (from the task iterator) or final (from the exit
 * hook through the ring buffer).
 */
struct nt_task_record {
	nt_u32 tgid;
	nt_u32 flags;
	nt_u64 start_boottime;		/* ns since boot, as /proc/PID/stat */
	char comm[NT_COMM_LEN];
	struct nt_counters c;
};

/* Loss counters, in the BPF object's .bss (read through its mmap). */
enum nt_drop_reason {
	NT_DROP_STORAGE,	/* no per-process storage could be had */
	NT_DROP_EXIT_RINGBUF,	/* final counters did not fit the ring buffer */
	NT_DROP__MAX
};

#endif
