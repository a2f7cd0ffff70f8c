/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Per-connection counters: each socket's share of its owner's, kept in
 * the socket's storage (owner.h) and credited at the very places the
 * owner's counters are, so a process's connections add up to its totals.
 *
 * Open sockets are read by walking the storage map (nt_dump_conns);
 * a socket that closes hands its final counters to a ring buffer, as an
 * exiting process does, so a connection that lived between two samples
 * is still seen once.  What a socket moves after that (the reset of an
 * abortive close) follows on the same ring as a record of its own.
 */
#ifndef NETATOP_CONNS_H
#define NETATOP_CONNS_H

#include "kernel_types.h"
#include "count.h"
#include "owner.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <stdbool.h>

#define NT_TCP_ESTABLISHED	1
#define NT_TCP_SYN_RECV		3
#define NT_TCP_CLOSE		7
#define NT_TCP_LISTEN		10

/*
 * Final counters of closed sockets: 104 bytes with the header, so about
 * 10,000 closes between two drains.  The daemon drains it at every
 * connection query and when it is a quarter full.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} nt_conns_closed SEC(".maps");

#define NT_CONNS_WAKEUP_BYTES (1 << 18)

static __always_inline unsigned char nt_proto_number(enum nt_proto p)
{
	return p == NT_TCP ? NT_IPPROTO_TCP : NT_IPPROTO_UDP;
}

/*
 * The endpoints of a kernel socket; the caller has checked it is TCP or
 * UDP.  Every caller has the socket as a BTF pointer (a tracepoint's
 * argument, an iterator's, the kernel context of a cgroup program): plain
 * loads, which the verifier guards, not a helper call per field, which
 * made a walk of 20,000 sockets twice as slow.
 */
static __always_inline void nt_conn_from_sock(struct nt_conn_record *r, struct sock *sk)
{
	r->family = sk->__sk_common.skc_family;
	r->proto = nt_proto_number(nt_classify(r->family, sk->sk_type, sk->sk_protocol));
	r->state = sk->__sk_common.skc_state;
	r->lport = sk->__sk_common.skc_num;
	r->rport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (r->family == NT_AF_INET6) {
		__builtin_memcpy(r->laddr, &sk->__sk_common.skc_v6_rcv_saddr, 16);
		__builtin_memcpy(r->raddr, &sk->__sk_common.skc_v6_daddr, 16);
	} else {
		__builtin_memcpy(r->laddr, &sk->__sk_common.skc_rcv_saddr, 4);
		__builtin_memcpy(r->raddr, &sk->__sk_common.skc_daddr, 4);
	}
}

/* The same from the socket as the cgroup programs see it. */
static __always_inline void nt_conn_from_bpf_sock(struct nt_conn_record *r, struct bpf_sock *sk)
{
	r->family = sk->family;
	r->proto = nt_proto_number(nt_classify(sk->family, sk->type, sk->protocol));
	r->state = sk->state;
	r->lport = sk->src_port;
	r->rport = bpf_ntohs(sk->dst_port);
	if (sk->family == NT_AF_INET6) {
		__u32 *l = (__u32 *)r->laddr, *d = (__u32 *)r->raddr;

		/* the context is read a 32-bit word at a time */
		l[0] = sk->src_ip6[0];
		l[1] = sk->src_ip6[1];
		l[2] = sk->src_ip6[2];
		l[3] = sk->src_ip6[3];
		d[0] = sk->dst_ip6[0];
		d[1] = sk->dst_ip6[1];
		d[2] = sk->dst_ip6[2];
		d[3] = sk->dst_ip6[3];
	} else {
		__u32 src = sk->src_ip4, dst = sk->dst_ip4;

		__builtin_memcpy(r->laddr, &src, 4);
		__builtin_memcpy(r->raddr, &dst, 4);
	}
}

/* The owner's pid and command; the caller fills the endpoints. */
static __always_inline void nt_conn_owner(struct nt_conn_record *r, struct nt_sock *s)
{
	struct task_struct *t = s->owner;

	r->tgid = s->tgid;
	if (t)
		__builtin_memcpy(r->comm, (const char *)t->comm, sizeof(r->comm));
}

static __always_inline struct nt_conn_record *nt_conn_reserve(void)
{
	struct nt_conn_record *r = bpf_ringbuf_reserve(&nt_conns_closed, sizeof(*r), 0);

	if (!r) {
		nt_drop(NT_DROP_CONN_RINGBUF);
		return 0;
	}
	__builtin_memset(r, 0, sizeof(*r));
	return r;
}

static __always_inline void nt_conn_submit(struct nt_conn_record *r)
{
	__u64 flags = bpf_ringbuf_query(&nt_conns_closed, BPF_RB_AVAIL_DATA) >= NT_CONNS_WAKEUP_BYTES ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;

	bpf_ringbuf_submit(r, flags);
}

static __always_inline bool nt_counters_zero(const struct nt_sock_counters *c)
{
	return !(c->sndpacks | c->sndbytes | c->rcvpacks | c->rcvbytes);
}

/* A closed socket's record, reserved on the ring, all but its counters filled in; or NULL. */
static __always_inline struct nt_conn_record *nt_conn_closed_record(struct nt_sock *s, struct sock *sk,
								     struct bpf_sock *bsk)
{
	struct nt_conn_record *r = nt_conn_reserve();

	if (!r)
		return 0;
	if (sk)
		nt_conn_from_sock(r, sk);
	else
		nt_conn_from_bpf_sock(r, bsk);
	nt_conn_owner(r, s);
	r->flags = NT_CONN_CLOSED;
	if (!r->lport)
		r->lport = s->lport;
	/* the tracepoint runs before the state is stored */
	if (r->proto == NT_IPPROTO_TCP)
		r->state = NT_TCP_CLOSE;
	return r;
}

/* Traffic after the final counters went: a record of its own, merged by the daemon. */
static __always_inline void nt_conn_late(struct nt_sock *s, enum nt_dir dir, __u64 packs,
					 __u64 bytes, struct sock *sk, struct bpf_sock *bsk)
{
	struct nt_conn_record *r = nt_conn_closed_record(s, sk, bsk);

	if (!r)
		return;
	if (dir == NT_SEND) {
		r->c.sndpacks = packs;
		r->c.sndbytes = bytes;
	} else {
		r->c.rcvpacks = packs;
		r->c.rcvbytes = bytes;
	}
	nt_conn_submit(r);
}

/* Credit the socket as its owner was just credited.  Exactly one of sk, bsk is set. */
static __always_inline void nt_conn_add(struct nt_sock *s, enum nt_dir dir, __u64 packs,
					__u64 bytes, struct sock *sk, struct bpf_sock *bsk)
{
	__u64 *p;

	if (s->flags & NT_SOCK_PUSHED) {
		nt_conn_late(s, dir, packs, bytes, sk, bsk);
		return;
	}
	p = &s->c.sndpacks + (dir & 1) * 2;
	__sync_fetch_and_add(p, packs);
	__sync_fetch_and_add(p + 1, bytes);
}

/* The socket closed: its final counters to the daemon, once. */
static __always_inline void nt_conn_close(struct nt_sock *s, struct sock *sk, struct bpf_sock *bsk)
{
	struct nt_conn_record *r;

	if (s->flags & NT_SOCK_PUSHED)
		return;
	s->flags |= NT_SOCK_PUSHED;
	if (!s->tgid || nt_counters_zero(&s->c))
		return;
	r = nt_conn_closed_record(s, sk, bsk);
	if (!r)
		return;
	nt_sock_counters_take(s, &r->c);
	nt_conn_submit(r);
}

#endif
