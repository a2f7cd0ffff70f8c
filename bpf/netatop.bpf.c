// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netatop's kernel side: count per-process TCP/UDP traffic, hand the final
 * counters of exiting processes to the daemon, and dump the live ones.
 *
 * Hook programs are grouped per backend; the daemon switches autoload so
 * only one backend's programs are loaded and a program whose attach point
 * this kernel lacks never stops the object from loading.  In wire mode
 * the per-call programs only record who uses a socket, and the packet
 * programs count.
 */
#include "kernel_types.h"
#include "records.h"
#include "count.h"
#include "owner.h"
#include "wire.h"
#include "conns.h"
#include "peers.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Final counters of exited processes.  Sized by the daemon before load.
 * The daemon drains it at every client request, so a wake-up is only
 * needed when it is filling up: an idle daemon stays asleep.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);	/* set again by the loader */
} nt_exited SEC(".maps");

const volatile __u64 nt_wakeup_bytes = 1 << 18;	/* set again by the loader */

/* ---- backend "tracepoint": sock:sock_{send,recv}_length, kernel >= 6.3 ---- */

static __always_inline void nt_count_sock(struct sock *sk, int ret, int flags, enum nt_dir dir)
{
	if (ret <= 0 || (dir == NT_RECV && (flags & NT_MSG_PEEK)))
		return;
	nt_count(nt_classify(sk->__sk_common.skc_family, sk->sk_type, sk->sk_protocol), dir, ret);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tp_sock_send_length, struct sock *sk, int ret, int flags)
{
	nt_count_sock(sk, ret, flags, NT_SEND);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tp_sock_recv_length, struct sock *sk, int ret, int flags)
{
	nt_count_sock(sk, ret, flags, NT_RECV);
	return 0;
}

/*
 * The same, and the socket's share too (conns.h): counting calls where
 * the kernel has socket storage for the owner.  The call's process owns
 * the socket, as in wire mode.
 */
static __always_inline void nt_count_conn(struct sock *sk, int ret, int flags, enum nt_dir dir)
{
	struct task_struct *leader;
	enum nt_proto proto;
	struct nt_sock *s;

	if (ret <= 0 || (dir == NT_RECV && (flags & NT_MSG_PEEK)))
		return;
	proto = nt_classify(sk->__sk_common.skc_family, sk->sk_type, sk->sk_protocol);
	if (proto == NT_OTHER)
		return;
	leader = bpf_get_current_task_btf()->group_leader;
	nt_credit(leader, proto, dir, 1, ret);
	s = nt_sock_claim(sk, leader);
	if (s)
		nt_conn_add(s, dir, 1, ret, sk, 0);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tpc_sock_send_length, struct sock *sk, int ret, int flags)
{
	nt_count_conn(sk, ret, flags, NT_SEND);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tpc_sock_recv_length, struct sock *sk, int ret, int flags)
{
	nt_count_conn(sk, ret, flags, NT_RECV);
	return 0;
}

/*
 * ---- wire counting: the socket's user, then its packets ----
 * The per-call programs of the tracepoint backend claim the socket for
 * the caller's process; listen() and bind() claim too, so a server's
 * first packets, which arrive before any call returns, have an owner.
 */

static __always_inline void nt_claim_sock(struct sock *sk)
{
	if (nt_classify(sk->__sk_common.skc_family, sk->sk_type, sk->sk_protocol) == NT_OTHER)
		return;
	nt_sock_claim(sk, bpf_get_current_task_btf()->group_leader);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tpw_sock_send_length, struct sock *sk, int ret, int flags)
{
	nt_claim_sock(sk);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tpw_sock_recv_length, struct sock *sk, int ret, int flags)
{
	nt_claim_sock(sk);
	return 0;
}

/*
 * listen() runs in the listener's process: its accepted sockets inherit
 * the claim.  An accepted socket is born a copy of the listener's
 * storage, counters too: it starts from zero.  A closing one hands its
 * final counters to the daemon; one that connects again starts anew.
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(nt_sock_state, struct sock *sk, int oldstate, int newstate)
{
	struct nt_sock *s;

	if (newstate == NT_TCP_LISTEN)
		nt_claim_sock(sk);
	s = bpf_sk_storage_get(&nt_socks, sk, 0, 0);
	if (!s)
		return 0;
	if (sk->__sk_common.skc_num)
		s->lport = sk->__sk_common.skc_num;
	if (newstate == NT_TCP_SYN_RECV && oldstate == NT_TCP_LISTEN) {
		nt_sock_counters_take(s, 0);
		s->flags = 0;
	} else if (newstate == NT_TCP_CLOSE) {
		nt_conn_close(s, sk, 0);
	} else if (oldstate == NT_TCP_CLOSE) {
		s->flags &= ~NT_SOCK_PUSHED;
	}
	return 0;
}

/*
 * UDP has no states to trace: its sockets are final when the process
 * lets go of them (TCP ones still have packets to exchange then, and
 * close by the tracepoint above).
 */
SEC("cgroup/sock_release")
int nt_sock_release(struct bpf_sock *sk)
{
	struct nt_sock *s;

	if (nt_classify(sk->family, sk->type, sk->protocol) != NT_UDP)
		return 1;
	s = bpf_sk_storage_get(&nt_socks, sk, 0, 0);
	/* this context shows no local address: the kernel's socket has it */
	if (s)
		nt_conn_close(s, bpf_cast_to_kern_ctx(sk), 0);
	return 1;
}

SEC("cgroup/post_bind4")
int nt_wire_bind4(struct bpf_sock *sk)
{
	if (nt_classify(sk->family, sk->type, sk->protocol) != NT_OTHER)
		nt_sock_claim(sk, bpf_get_current_task_btf()->group_leader);
	return 1;
}

SEC("cgroup/post_bind6")
int nt_wire_bind6(struct bpf_sock *sk)
{
	if (nt_classify(sk->family, sk->type, sk->protocol) != NT_OTHER)
		nt_sock_claim(sk, bpf_get_current_task_btf()->group_leader);
	return 1;
}

/* Attached at the root of the cgroup v2 hierarchy: every local socket's packets. */
SEC("cgroup_skb/egress")
int nt_wire_egress(struct __sk_buff *skb)
{
	nt_wire_count(skb, NT_SEND);
	return 1;
}

SEC("cgroup_skb/ingress")
int nt_wire_ingress(struct __sk_buff *skb)
{
	nt_wire_count(skb, NT_RECV);
	return 1;
}

/*
 * ---- backend "fentry": fexit on the inet socket calls, kernels < 6.3 ----
 * sock_sendmsg()/sock_recvmsg() hand every inet socket call to these with
 * the same arguments the tracepoints see, so they count the same calls.
 * inet_sendpage exists until 6.4 and carries sendfile() there.
 */

SEC("fexit/inet_sendmsg")
int BPF_PROG(fx_inet_sendmsg, struct socket *sock, void *msg, unsigned long size, int ret)
{
	nt_count_sock(sock->sk, ret, 0, NT_SEND);
	return 0;
}

SEC("fexit/inet6_sendmsg")
int BPF_PROG(fx_inet6_sendmsg, struct socket *sock, void *msg, unsigned long size, int ret)
{
	nt_count_sock(sock->sk, ret, 0, NT_SEND);
	return 0;
}

SEC("fexit/inet_recvmsg")
int BPF_PROG(fx_inet_recvmsg, struct socket *sock, void *msg, unsigned long size, int flags, int ret)
{
	nt_count_sock(sock->sk, ret, flags, NT_RECV);
	return 0;
}

SEC("fexit/inet6_recvmsg")
int BPF_PROG(fx_inet6_recvmsg, struct socket *sock, void *msg, unsigned long size, int flags, int ret)
{
	nt_count_sock(sock->sk, ret, flags, NT_RECV);
	return 0;
}

SEC("fexit/inet_sendpage")
int BPF_PROG(fx_inet_sendpage, struct socket *sock, void *page, int offset, unsigned long size,
	     int flags, long ret)
{
	nt_count_sock(sock->sk, (int)ret, 0, NT_SEND);
	return 0;
}

/*
 * ---- backend "kprobe": kprobe + kretprobe on the same functions ----
 * For kernels without BPF trampolines.  The entry saves the socket and
 * flags with the thread; the return counts.  The kretprobes are created
 * with a large maxactive by the daemon, so blocked receivers are not lost.
 */

struct nt_inflight {
	struct sock *sk;
	int flags;
	int dir;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct nt_inflight);
} nt_inflight SEC(".maps");

static __always_inline void kp_enter(struct socket *sock, int flags, enum nt_dir dir)
{
	struct nt_inflight *f;

	f = bpf_task_storage_get(&nt_inflight, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!f) {
		nt_drop(NT_DROP_STORAGE);
		return;
	}
	f->sk = BPF_CORE_READ(sock, sk);
	f->flags = flags;
	f->dir = dir;
}

static __always_inline void kp_return(int ret)
{
	struct nt_inflight *f;
	struct sock *sk;

	f = bpf_task_storage_get(&nt_inflight, bpf_get_current_task_btf(), 0, 0);
	if (!f || !f->sk)
		return;
	sk = f->sk;
	f->sk = 0;
	if (ret <= 0 || (f->dir == NT_RECV && (f->flags & NT_MSG_PEEK)))
		return;
	nt_count(nt_classify(BPF_CORE_READ(sk, __sk_common.skc_family),
			     BPF_CORE_READ(sk, sk_type), BPF_CORE_READ(sk, sk_protocol)),
		 f->dir, ret);
}

SEC("kprobe/inet_sendmsg")
int BPF_KPROBE(kp_inet_sendmsg, struct socket *sock)
{
	kp_enter(sock, 0, NT_SEND);
	return 0;
}

SEC("kprobe/inet6_sendmsg")
int BPF_KPROBE(kp_inet6_sendmsg, struct socket *sock)
{
	kp_enter(sock, 0, NT_SEND);
	return 0;
}

SEC("kprobe/inet_recvmsg")
int BPF_KPROBE(kp_inet_recvmsg, struct socket *sock, void *msg, unsigned long size, int flags)
{
	kp_enter(sock, flags, NT_RECV);
	return 0;
}

SEC("kprobe/inet6_recvmsg")
int BPF_KPROBE(kp_inet6_recvmsg, struct socket *sock, void *msg, unsigned long size, int flags)
{
	kp_enter(sock, flags, NT_RECV);
	return 0;
}

SEC("kprobe/inet_sendpage")
int BPF_KPROBE(kp_inet_sendpage, struct socket *sock)
{
	kp_enter(sock, 0, NT_SEND);
	return 0;
}

/*
 * One return program serves every function: the entry recorded what it
 * was.  Their results fit an int, and only the low 32 bits of the return
 * register hold an int's value: a failed call's -EAGAIN is not negative
 * as a long.
 */
SEC("kretprobe")
int BPF_KRETPROBE(kr_sock_call, long ret)
{
	kp_return((int)ret);
	return 0;
}

/* ---- every backend ---- */

static __always_inline void nt_fill_record(struct nt_task_record *r, struct task_struct *leader,
					   const struct nt_counters *c)
{
	r->tgid = leader->tgid;
	r->start_boottime = leader->start_boottime;
	/* two loads instead of a helper call: this runs for every process of a reply */
	__builtin_memcpy(r->comm, (const char *)leader->comm, sizeof(r->comm));
	r->c = *c;
}

/* The last thread of a process leaves: keep its final counters for the clients. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(nt_process_exit, struct task_struct *task)
{
	struct task_struct *leader;
	struct nt_task_record *r;
	struct nt_counters *c;
	__u64 flags;

	if (task->signal->live.counter != 0)
		return 0;
	leader = task->group_leader;
	c = bpf_task_storage_get(&nt_tasks, leader, 0, 0);
	if (!c)
		return 0;
	r = bpf_ringbuf_reserve(&nt_exited, sizeof(*r), 0);
	if (!r) {
		nt_drop(NT_DROP_EXIT_RINGBUF);
		return 0;
	}
	nt_fill_record(r, leader, c);
	flags = bpf_ringbuf_query(&nt_exited, BPF_RB_AVAIL_DATA) >= nt_wakeup_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(r, flags);
	return 0;
}

/*
 * Live records for a reply, where the kernel has the open-coded process
 * walk: it visits processes only, not every thread as iter/task does, and
 * the records land in an array the daemon has mapped.  The daemon sizes
 * that array to the number of tracked processes and swaps it in through
 * this one-slot map of maps.  Returns how many processes have counters:
 * more than the array holds and the daemon makes it bigger and walks
 * again, or uses nt_dump_tasks.
 */
struct nt_live_slots {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE | BPF_F_INNER_MAP);
	/* sizes, not types: the daemon makes these maps without BTF */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct nt_task_record));
	__uint(max_entries, 1);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct nt_live_slots);
} nt_live SEC(".maps");

SEC("syscall")
int nt_walk_procs(void *ctx)
{
	struct nt_task_record *r;
	struct bpf_iter_task it;
	struct task_struct *t;
	struct nt_counters *c;
	__u32 n = 0, zero = 0;
	void *slots;

	slots = bpf_map_lookup_elem(&nt_live, &zero);
	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, 0, NT_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it))) {
		c = bpf_task_storage_get(&nt_tasks, t, 0, 0);
		if (!c)
			continue;
		r = slots ? bpf_map_lookup_elem(slots, &n) : 0;
		if (r)
			nt_fill_record(r, t, c);
		n++;
	}
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return n;
}

/*
 * One record per open socket that a live process owns.  The kernel keeps
 * no iterator over socket storage for these programs to use (it refuses
 * iter/bpf_sk_storage_map), so the walk goes over the socket tables of
 * the daemon's network namespace and skips the sockets no process used.
 */
/* Only this process's sockets, 0: every process's; set by the daemon before a walk. */
__u32 nt_conn_pid;

static __always_inline void nt_dump_sock(struct seq_file *seq, struct sock *sk)
{
	struct nt_conn_record r;
	struct task_struct *t;
	struct nt_sock *s;

	s = bpf_sk_storage_get(&nt_socks, sk, 0, 0);
	if (!s || !s->tgid || (s->flags & NT_SOCK_PUSHED))
		return;
	if (nt_conn_pid && s->tgid != nt_conn_pid)
		return;
	t = s->owner;
	if (!t || t->signal->live.counter <= 0)
		return;
	__builtin_memset(&r, 0, sizeof(r));
	nt_conn_from_sock(&r, sk);
	/* bound or created and never used: nothing to show */
	if (r.state == NT_TCP_CLOSE && nt_counters_zero(&s->c))
		return;
	nt_conn_owner(&r, s);
	r.c = s->c;
	/* its peers are found by the cookie (peers.h) */
	if (nt_udp_peers && r.proto == NT_IPPROTO_UDP && !r.rport)
		r.cookie = bpf_get_socket_cookie(sk);
	bpf_seq_write(seq, &r, sizeof(r));
}

SEC("iter/tcp")
int nt_dump_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp;

	if (!skc)
		return 0;
	/* time-wait and request sockets have no storage */
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	barrier_var(tp);
	nt_dump_sock(ctx->meta->seq, (struct sock *)tp);
	return 0;
}

SEC("iter/udp")
int nt_dump_udp(struct bpf_iter__udp *ctx)
{
	struct udp_sock *u = ctx->udp_sk;

	if (!u)
		return 0;
	/* keep the compiler from moving address arithmetic above the check */
	barrier_var(u);
	nt_dump_sock(ctx->meta->seq, (struct sock *)u);
	return 0;
}

/* One record per process that has moved traffic: a reply costs a few read()s. */
SEC("iter/task")
int nt_dump_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct nt_task_record r;
	struct nt_counters *c;

	if (!task || task->pid != task->tgid)
		return 0;
	c = bpf_task_storage_get(&nt_tasks, task, 0, 0);
	if (!c)
		return 0;
	/* the hole after tgid too: bpf_seq_write() reads every byte */
	__builtin_memset(&r, 0, sizeof(r));
	nt_fill_record(&r, task, c);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
