// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netatop's kernel side: count per-process TCP/UDP traffic, hand the final
 * counters of exiting processes to the daemon, and dump the live ones.
 *
 * Hook programs are grouped per backend; the daemon switches autoload so
 * only one backend's programs are loaded and a program whose attach point
 * this kernel lacks never stops the object from loading.
 */
#include "kernel_types.h"
#include "records.h"
#include "count.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Final counters of exited processes.  Sized by the daemon before load.
 * The daemon drains it at every client request, so a wake-up is only
 * needed when it is filling up: an idle daemon stays asleep.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} nt_exited SEC(".maps");

const volatile __u64 nt_wakeup_bytes = 1 << 21;

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

/* ---- every backend ---- */

static __always_inline void nt_fill_record(struct nt_task_record *r, struct task_struct *leader,
					   const struct nt_counters *c)
{
	r->tgid = leader->tgid;
	r->flags = 0;
	r->start_boottime = leader->start_boottime;
	bpf_probe_read_kernel(r->comm, sizeof(r->comm), leader->comm);
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
	nt_fill_record(&r, task, c);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
