// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Calibration programs: empty, or doing only what the kernel makes them do.
 *
 * nb_floor_send/recv: empty programs on netatop's hooks.  Their mean run
 * time under bpf_stats is what the measurement itself costs (two
 * sched_clock() reads around the program call): the floor under any
 * program's figure on this machine.
 *
 * nb_floor_walk: a task iterator that writes nothing, so one read() walks
 * every task: what the kernel's seq_file task walk costs netatop's replies
 * before their program does anything.
 *
 * nb_floor_procs: the same walk as an open-coded iterator over processes
 * only (kernel 6.7 and later), run by BPF_PROG_RUN: for comparison.
 *
 * nb_floor_dump: that walk doing a reply's work: netatop's counters of each
 * process (its nt_tasks map, reused by the loader) into a ring buffer the
 * loader consumes, as 96-byte records like the task iterator's.
 */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sock_send_length")
int nb_floor_send(void *ctx)
{
	return 0;
}

SEC("tp_btf/sock_recv_length")
int nb_floor_recv(void *ctx)
{
	return 0;
}

/*
 * The empty programs on wire counting's packet hooks, attached at the root
 * of the cgroup v2 hierarchy (nb_floor attaches them where NB_CGROUP2 says).
 */
SEC("cgroup_skb/egress")
int nb_floor_skb_egress(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup_skb/ingress")
int nb_floor_skb_ingress(struct __sk_buff *skb)
{
	return 1;
}

/*
 * The steps of netatop's send program, each on its own, on the send hook:
 * their run times take its figure apart.
 */
struct nb_counters {
	__u64 c[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct nb_counters);
} nb_tasks SEC(".maps");

/* current task and its leader */
SEC("tp_btf/sock_send_length")
int nb_step_task(unsigned long long *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return task->group_leader->tgid == 0;
}

/* + the socket's family, type and protocol */
SEC("tp_btf/sock_send_length")
int nb_step_sock(unsigned long long *ctx)
{
	struct sock *sk = (struct sock *)ctx[0];
	struct task_struct *task = bpf_get_current_task_btf();

	return (sk->__sk_common.skc_family + sk->sk_type + sk->sk_protocol) == 0 &&
	       task->group_leader->tgid == 0;
}

/* + the task storage lookup (created on the first call) */
SEC("tp_btf/sock_send_length")
int nb_step_storage(unsigned long long *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return bpf_task_storage_get(&nb_tasks, task->group_leader, 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE) == 0;
}

/* + two atomic adds: netatop's program without the socket checks */
SEC("tp_btf/sock_send_length")
int nb_step_count(unsigned long long *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct nb_counters *c;

	c = bpf_task_storage_get(&nb_tasks, task->group_leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return 1;
	__sync_fetch_and_add(&c->c[4], 1);
	__sync_fetch_and_add(&c->c[5], 64);
	return 0;
}

/*
 * nb_step_count's twin on the receive hook: the two of them are the least
 * any per-process counter keyed by task storage does per call, the
 * reference the added-time figures are judged against on this host.
 */
SEC("tp_btf/sock_recv_length")
int nb_min_recv(unsigned long long *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct nb_counters *c;

	c = bpf_task_storage_get(&nb_tasks, task->group_leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return 1;
	__sync_fetch_and_add(&c->c[6], 1);
	__sync_fetch_and_add(&c->c[7], 64);
	return 0;
}

/*
 * The least wire counter: the least that crediting a packet to a process
 * takes, the reference of the wire figures.  A call claims its socket for
 * the caller's process as owner.h does (socket storage holding a task
 * reference, checked by tgid and start time); a packet looks up its
 * socket's owner there, skips an owner that has exited (whose packets
 * nobody may have), and adds to the owner's counters in task storage and
 * to the socket's own, which the connection view needs.  No packet sizes
 * from the headers, no unattributed packets: what netatop does beyond
 * this is its own cost.
 */
struct nb_sock {
	struct task_struct __kptr *owner;
	__u64 start_boottime;
	__u32 tgid;
	__u64 c[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct nb_sock);
} nb_socks SEC(".maps");

static __always_inline void nb_claim(struct sock *sk)
{
	struct task_struct *leader = bpf_get_current_task_btf()->group_leader, *t;
	struct nb_sock *s;

	/* inet sockets only, as netatop claims: any other costs a check, no storage */
	if (sk->__sk_common.skc_family != 2 && sk->__sk_common.skc_family != 10)
		return;
	s = bpf_sk_storage_get(&nb_socks, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!s)
		return;
	if (s->tgid == (__u32)leader->tgid && s->start_boottime == leader->start_boottime && s->owner)
		return;
	t = bpf_task_acquire(leader);
	if (!t)
		return;
	s->tgid = t->tgid;
	s->start_boottime = t->start_boottime;
	t = bpf_kptr_xchg(&s->owner, t);
	if (t)
		bpf_task_release(t);
}

SEC("tp_btf/sock_send_length")
int nb_lw_send(unsigned long long *ctx)
{
	nb_claim((struct sock *)ctx[0]);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int nb_lw_recv(unsigned long long *ctx)
{
	nb_claim((struct sock *)ctx[0]);
	return 0;
}

static __always_inline void nb_wire(struct __sk_buff *skb, int i)
{
	struct bpf_sock *sk = skb->sk;
	struct nb_counters *c;
	struct task_struct *t;
	struct nb_sock *s;

	if (!sk)
		return;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return;
	s = bpf_sk_storage_get(&nb_socks, sk, 0, 0);
	if (!s)
		return;
	t = s->owner;
	if (!t || t->signal->live.counter <= 0)
		return;
	c = bpf_task_storage_get(&nb_tasks, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return;
	__sync_fetch_and_add(&c->c[i], 1);
	__sync_fetch_and_add(&c->c[i + 1], skb->len);
	__sync_fetch_and_add(&s->c[i & 2], 1);
	__sync_fetch_and_add(&s->c[(i & 2) + 1], skb->len);
}

SEC("cgroup_skb/egress")
int nb_lw_egress(struct __sk_buff *skb)
{
	nb_wire(skb, 0);
	return 1;
}

SEC("cgroup_skb/ingress")
int nb_lw_ingress(struct __sk_buff *skb)
{
	nb_wire(skb, 2);
	return 1;
}

/* the same with plain adds: what the two atomic adds cost */
SEC("tp_btf/sock_send_length")
int nb_step_plain(unsigned long long *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct nb_counters *c;

	c = bpf_task_storage_get(&nb_tasks, task->group_leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return 1;
	c->c[4] += 1;
	c->c[5] += 64;
	return 0;
}

SEC("iter/task")
int nb_floor_walk(struct bpf_iter__task *ctx)
{
	return 0;
}

/* results, in this order (the loader reads them by index) */
struct {
	__u64 procs;
	__u64 dumped;
	__u64 lost;
} nb_out;

/* netatop's map: the loader points it at the daemon's */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct nb_counters);
} nb_nt_tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} nb_live SEC(".maps");

struct nb_record {
	__u32 tgid;
	__u64 start_boottime;
	char comm[16];
	struct nb_counters c;
};

SEC("syscall")
int nb_floor_procs(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	__u64 n = 0;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, NT_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it)))
		n += t->tgid > 0;	/* touch each task, as a real walk would */
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	nb_out.procs = n;
	return 0;
}

SEC("syscall")
int nb_floor_dump(void *ctx)
{
	struct bpf_iter_task it;
	struct nb_counters *c;
	struct nb_record *r;
	struct task_struct *t;
	__u64 n = 0, lost = 0;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, NT_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it))) {
		c = bpf_task_storage_get(&nb_nt_tasks, t, 0, 0);
		if (!c)
			continue;
		r = bpf_ringbuf_reserve(&nb_live, sizeof(*r), 0);
		if (!r) {
			lost++;
			continue;
		}
		r->tgid = t->tgid;
		r->start_boottime = t->start_boottime;
		__builtin_memcpy(r->comm, t->comm, sizeof(r->comm));
		r->c = *c;
		bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
		n++;
	}
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	nb_out.dumped = n;
	nb_out.lost = lost;
	return 0;
}

/*
 * The alternative to task storage: counters in a hash keyed by the
 * process id (what the old implementation did, without per-CPU values).
 * Created when first used, as netatop's storage is; its memory per process
 * and its run time are measured beside netatop's.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 131072);
	__type(key, __u32);
	__type(value, struct nb_counters);
} nb_procs SEC(".maps");

SEC("tp_btf/sock_send_length")
int nb_alt_hash(unsigned long long *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	static const struct nb_counters zero;
	__u32 tgid = task->tgid;
	struct nb_counters *c;

	c = bpf_map_lookup_elem(&nb_procs, &tgid);
	if (!c) {
		bpf_map_update_elem(&nb_procs, &tgid, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&nb_procs, &tgid);
		if (!c)
			return 1;
	}
	__sync_fetch_and_add(&c->c[4], 1);
	__sync_fetch_and_add(&c->c[5], 64);
	return 0;
}
