/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the running kernel offers, read from its BTF and sysfs only: no
 * tracefs, no privileges, nothing changed.  The BTF half works on any
 * struct btf so the tests can feed it made-up kernels.
 */
#ifndef NETATOP_KERNEL_PROBE_H
#define NETATOP_KERNEL_PROBE_H

#include <stdbool.h>

struct btf;

/* Kernel functions the probe backends hook. */
enum nt_hook_fn {
	NT_FN_INET_SENDMSG,
	NT_FN_INET_RECVMSG,
	NT_FN_INET6_SENDMSG,
	NT_FN_INET6_RECVMSG,
	NT_FN_INET_SENDPAGE,	/* sendfile() path until Linux 6.4 */
	NT_FN__MAX
};

extern const char *const nt_hook_fn_names[NT_FN__MAX];

#define NT_KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + (c))
/* Task storage in tracing programs and bpf_get_current_task_btf(). */
#define NT_MIN_KERNEL NT_KERNEL_VERSION(5, 11, 0)
#define NT_MIN_KERNEL_STR "5.11"

struct nt_kernel_features {
	char release[65];
	unsigned int version;		/* NT_KERNEL_VERSION of the release */
	bool btf;			/* /sys/kernel/btf/vmlinux loaded */
	bool tp_sock_length;		/* sock:sock_{send,recv}_length (>= 6.3) */
	bool tp_process_exit;		/* sched:sched_process_exit as tp_btf */
	bool task_storage;		/* BPF_MAP_TYPE_TASK_STORAGE */
	bool ringbuf;			/* BPF_MAP_TYPE_RINGBUF */
	bool task_iter;			/* iter/task */
	bool proc_walk;			/* open-coded process walk, kfuncs (>= 6.7) */
	bool current_task_btf;		/* bpf_get_current_task_btf() */
	bool fn[NT_FN__MAX];		/* hook functions present (BTF_KIND_FUNC) */
	bool kprobes;			/* CONFIG_KPROBES */
	/* wire counting */
	bool cgroup_skb;		/* BPF_PROG_TYPE_CGROUP_SKB */
	bool sk_storage;		/* BPF_MAP_TYPE_SK_STORAGE */
	bool tp_sock_state;		/* sock:inet_sock_set_state as tp_btf */
	bool task_kfuncs;		/* bpf_task_acquire/release/from_pid */
	bool kern_ctx;			/* bpf_cast_to_kern_ctx() (>= 6.3) */
	bool cgroup2;			/* cgroup2 in /proc/filesystems */
	int unprivileged_bpf_disabled;	/* -1 when unknown */
};

/* Fill the BTF-derived fields from `btf` (NULL: no BTF). */
void nt_probe_btf(struct nt_kernel_features *f, const struct btf *btf);

/* "6.1.0-18-cloud-amd64" -> NT_KERNEL_VERSION(6, 1, 0); 0 if unparsable. */
unsigned int nt_parse_kernel_release(const char *release);

/* Probe the running kernel. */
void nt_probe_kernel(struct nt_kernel_features *f);

#endif
