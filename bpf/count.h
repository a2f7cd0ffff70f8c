/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one place where traffic is counted.  Every hook, whatever the
 * backend, decides what a call moved and hands it here, so the counting
 * semantics cannot drift between backends.
 */
#ifndef NETATOP_COUNT_H
#define NETATOP_COUNT_H

#include "kernel_types.h"
#include "records.h"
#include <bpf/bpf_helpers.h>

#define NT_AF_INET	2
#define NT_AF_INET6	10
#define NT_SOCK_STREAM	1
#define NT_SOCK_DGRAM	2
#define NT_IPPROTO_TCP	6
#define NT_IPPROTO_UDP	17
#define NT_IPPROTO_UDPLITE 136
#define NT_IPPROTO_MPTCP 262
#define NT_MSG_PEEK	2

enum nt_proto { NT_TCP = 0, NT_UDP = 1, NT_OTHER = 2 };
enum nt_dir { NT_SEND = 0, NT_RECV = 1 };

/*
 * Per process, on the thread group leader: freed by the kernel with the
 * task, so there is no table to fill and a reused pid starts from zero.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct nt_counters);
} nt_tasks SEC(".maps");

__u64 nt_drops[NT_DROP__MAX];

static __always_inline void nt_drop(enum nt_drop_reason why)
{
	__sync_fetch_and_add(&nt_drops[why], 1);
}

/* Classify an inet socket: TCP (and MPTCP) streams, UDP (and UDP-Lite) datagrams. */
static __always_inline enum nt_proto nt_classify(unsigned short family, __u16 type, __u16 protocol)
{
	if (family != NT_AF_INET && family != NT_AF_INET6)
		return NT_OTHER;
	if (type == NT_SOCK_STREAM && (protocol == NT_IPPROTO_TCP || protocol == NT_IPPROTO_MPTCP))
		return NT_TCP;
	if (type == NT_SOCK_DGRAM && (protocol == NT_IPPROTO_UDP || protocol == NT_IPPROTO_UDPLITE))
		return NT_UDP;
	return NT_OTHER;
}

/* Add to one process's counters; the verifier needs the index masked. */
static __always_inline void nt_add(struct nt_counters *c, enum nt_proto proto, enum nt_dir dir,
				   __u64 packs, __u64 bytes)
{
	__u64 *p;

	/*
	 * struct nt_counters is laid out [tcp, udp] x [snd, rcv] x [packs, bytes].
	 * The mask keeps the index provably in bounds for the verifier when
	 * proto or dir are not constants (the kretprobe reads dir from a map).
	 */
	p = &c->tcpsndpacks + ((proto * 2 + dir) & 3) * 2;
	__sync_fetch_and_add(p, packs);
	__sync_fetch_and_add(p + 1, bytes);
}

/* Credit traffic to a process, given its thread group leader. */
static __always_inline void nt_credit(struct task_struct *leader, enum nt_proto proto,
				      enum nt_dir dir, __u64 packs, __u64 bytes)
{
	struct nt_counters *c;

	c = bpf_task_storage_get(&nt_tasks, leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	/*
	 * Two threads of a process counting their first call at once both
	 * try to create its storage, and the loser gets NULL: by then the
	 * winner's storage is there to use.  Creating also takes the task's
	 * storage lock, shared with every other program keeping task storage
	 * (another daemon, a packet program in softirq): the kernel gives up
	 * on it rather than wait, so a second try usually gets it.
	 */
	if (!c)
		c = bpf_task_storage_get(&nt_tasks, leader, 0, 0);
	if (!c)
		c = bpf_task_storage_get(&nt_tasks, leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		c = bpf_task_storage_get(&nt_tasks, leader, 0, 0);
	if (!c) {
		nt_drop(NT_DROP_STORAGE);
		return;
	}
	nt_add(c, proto, dir, packs, bytes);
}

/* Credit one call that moved `moved` bytes to the calling thread's process. */
static __always_inline void nt_count(enum nt_proto proto, enum nt_dir dir, long moved)
{
	if (moved <= 0 || proto == NT_OTHER)
		return;
	nt_credit(bpf_get_current_task_btf()->group_leader, proto, dir, 1, moved);
}

#endif
