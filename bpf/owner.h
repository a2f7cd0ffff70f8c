/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Which process owns a socket: the one whose thread last used it in a
 * system call.  Kept in socket storage so the packet programs, which run
 * in softirq or in some other task's context, can credit the owner.
 *
 * The owner is held as a task reference, not a pid: a pid can be reused,
 * the task_struct cannot, so a socket outliving its process never credits
 * a newcomer.  Storage is made only for sockets a process used, and freed
 * with the socket.
 */
#ifndef NETATOP_OWNER_H
#define NETATOP_OWNER_H

#include "kernel_types.h"
#include "count.h"
#include <bpf/bpf_helpers.h>

#define NT_SOCK_PUSHED	1	/* closed: its final counters went to the daemon */

struct nt_sock {
	struct task_struct __kptr *owner;	/* thread group leader */
	/*
	 * Copied to the sockets a listener accepts (BPF_F_CLONE copies all
	 * but the reference): enough to find the owner again, and to tell
	 * it from a process that reused its pid.
	 */
	__u64 start_boottime;
	__u32 tgid;
	__u16 flags;
	/* the kernel clears it before a TCP socket's close is traced */
	__u16 lport;
	/* what it moved for its owner (conns.h) */
	struct nt_sock_counters c;
};

/*
 * 56 bytes: with the element's 64-byte header and map pointer, one
 * kmalloc-128 object per socket.  A byte more and it is a kmalloc-192.
 */
_Static_assert(sizeof(struct nt_sock) == 56, "struct nt_sock outgrows its 128-byte slab");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct nt_sock);
} nt_socks SEC(".maps");

/*
 * Take what a socket moved off its counters: subtracting what was read,
 * rather than storing zeros, keeps what softirq adds meanwhile.
 */
static __always_inline void nt_sock_counters_take(struct nt_sock *s, struct nt_sock_counters *out)
{
	struct nt_sock_counters v = s->c;

	if (out)
		*out = v;
	if (v.sndpacks)
		__sync_fetch_and_add(&s->c.sndpacks, -v.sndpacks);
	if (v.sndbytes)
		__sync_fetch_and_add(&s->c.sndbytes, -v.sndbytes);
	if (v.rcvpacks)
		__sync_fetch_and_add(&s->c.rcvpacks, -v.rcvpacks);
	if (v.rcvbytes)
		__sync_fetch_and_add(&s->c.rcvbytes, -v.rcvbytes);
}

/*
 * Make `leader` the owner of `sk` (process context, the caller's own
 * socket); its storage, or NULL when none could be had.
 */
static __always_inline struct nt_sock *nt_sock_claim(void *sk, struct task_struct *leader)
{
	struct task_struct *t, *old;
	struct nt_sock *s;

	s = bpf_sk_storage_get(&nt_socks, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	/* as for task storage (count.h): a racing creator, or the lock given up on */
	if (!s)
		s = bpf_sk_storage_get(&nt_socks, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!s) {
		nt_drop(NT_DROP_STORAGE);
		return 0;
	}
	/* the common case, every call after the first: one lookup, no atomics */
	if (s->tgid == (__u32)leader->tgid && s->start_boottime == leader->start_boottime && s->owner)
		return s;
	/*
	 * Another process takes the socket (inherited, passed): what it
	 * moved so far is the previous owner's, in that one's totals, and
	 * the new owner's line starts from zero.
	 */
	if (s->tgid && (s->tgid != (__u32)leader->tgid || s->start_boottime != leader->start_boottime))
		nt_sock_counters_take(s, 0);
	t = bpf_task_acquire(leader);
	if (!t)
		return s;
	s->tgid = t->tgid;
	s->start_boottime = t->start_boottime;
	old = bpf_kptr_xchg(&s->owner, t);
	if (old)
		bpf_task_release(old);
	return s;
}

static __always_inline void nt_sock_forget(struct nt_sock *s)
{
	struct task_struct *old;

	/* its counters were the exited owner's: no line shows them any more */
	nt_sock_counters_take(s, 0);
	s->tgid = 0;
	old = bpf_kptr_xchg(&s->owner, 0);
	if (old)
		bpf_task_release(old);
}

/*
 * A socket accepted from a listener carries the listener's tgid but no
 * reference: take one if that process still is the one that listened.
 */
static __always_inline void nt_sock_adopt(struct nt_sock *s)
{
	struct task_struct *t, *old;

	if (!s->tgid)
		return;
	t = bpf_task_from_pid(s->tgid);
	if (!t) {
		s->tgid = 0;
		return;
	}
	if (t->start_boottime != s->start_boottime || t->pid != t->tgid) {
		bpf_task_release(t);
		s->tgid = 0;
		return;
	}
	old = bpf_kptr_xchg(&s->owner, t);
	if (old)
		bpf_task_release(old);
}

/*
 * The process to credit for a packet of this socket, NULL when none: no
 * process used it, or its owner has exited (its final counters are gone
 * to the clients already, so later traffic is unattributed).
 */
static __always_inline struct task_struct *nt_sock_owner(struct nt_sock *s)
{
	struct task_struct *t;

	t = s->owner;
	if (!t) {
		nt_sock_adopt(s);
		t = s->owner;
		if (!t)
			return 0;
	}
	if (t->signal->live.counter > 0)
		return t;
	nt_sock_forget(s);
	return 0;
}

#endif
