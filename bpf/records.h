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

/*
 * One socket's share of its owner's counters: credited where the owner's
 * are, so a process's connections, open and closed, add up to its totals.
 */
struct nt_sock_counters {
	nt_u64 sndpacks, sndbytes, rcvpacks, rcvbytes;
};

/* struct nt_conn_record's flags */
#define NT_CONN_CLOSED	1	/* final counters: the socket closed */
#define NT_CONN_HANDED	2	/* final for this owner: another process took the socket */

/*
 * One connection (a socket that a process used): live, from the walk of
 * the socket storage, or final, through the ring buffer at its close.
 * Addresses in network order, an IPv4 one in the first 4 bytes; ports
 * in host order; state as the kernel numbers TCP states (UDP: 1 when
 * connected, 7 when not).
 */
struct nt_conn_record {
	nt_u32 tgid;
	unsigned char proto;		/* 6 TCP, 17 UDP */
	unsigned char family;		/* 2 AF_INET, 10 AF_INET6 */
	unsigned char state;
	unsigned char flags;
	unsigned short lport, rport;
	nt_u32 pad;
	unsigned char laddr[16], raddr[16];
	char comm[NT_COMM_LEN];
	struct nt_sock_counters c;
	nt_u64 cookie;			/* an unconnected UDP socket's, for its peers; else 0 */
};
_Static_assert(sizeof(struct nt_conn_record) == 104, "struct nt_conn_record has a hole");

/*
 * What an unconnected UDP socket exchanged with one peer (--udp-peers),
 * its share of the socket's counters.  The peer's address in network
 * order (IPv4 in the first 4 bytes; as ::ffff:a.b.c.d for an IPv6
 * socket), its port in host order.
 */
struct nt_peer_key {
	nt_u64 cookie;			/* the socket's */
	unsigned char addr[16];
	unsigned short port;
	unsigned short family;		/* the socket's: 2 or 10 */
	nt_u32 pad;
};

struct nt_peer_record {
	struct nt_peer_key k;
	struct nt_sock_counters c;
};

/* Loss counters, in the BPF object's .bss (read through its mmap). */
enum nt_drop_reason {
	NT_DROP_STORAGE,	/* no per-process storage could be had */
	NT_DROP_EXIT_RINGBUF,	/* final counters did not fit the ring buffer */
	NT_DROP_CONN_RINGBUF,	/* a closed connection did not fit its ring buffer */
	NT_DROP__MAX
};

#endif
