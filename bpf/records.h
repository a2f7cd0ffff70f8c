/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Records passed from the BPF programs to the daemon.  Shared by the BPF
 * object and by userspace, so only fixed-width types: the daemon converts
 * them to atop's native struct netpertask (see src/common/protocol.h;
 * src/daemon/record.c binds the two).
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
 * nt_add() (count.h) finds a counter from &tcpsndpacks by arithmetic:
 * [tcp, udp] x [snd, rcv] x [packs, bytes], eight in a row, no padding.
 */
#define NT_COUNTER_AT(field, i) \
	_Static_assert(__builtin_offsetof(struct nt_counters, field) == (i) * sizeof(nt_u64), \
		       #field " is not where count.h looks for it")
NT_COUNTER_AT(tcpsndpacks, 0);
NT_COUNTER_AT(tcpsndbytes, 1);
NT_COUNTER_AT(tcprcvpacks, 2);
NT_COUNTER_AT(tcprcvbytes, 3);
NT_COUNTER_AT(udpsndpacks, 4);
NT_COUNTER_AT(udpsndbytes, 5);
NT_COUNTER_AT(udprcvpacks, 6);
NT_COUNTER_AT(udprcvbytes, 7);
_Static_assert(sizeof(struct nt_counters) == 8 * sizeof(nt_u64), "struct nt_counters has padding");
#undef NT_COUNTER_AT

/*
 * One process, live (from the task iterator) or final (from the exit
 * hook through the ring buffer).
 */
struct nt_task_record {
	nt_u32 tgid;
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
