/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The few kernel types the BPF programs touch.  Declared here instead of
 * a generated vmlinux.h so the build needs no BTF; preserve_access_index
 * makes every field access a CO-RE relocation resolved at load time
 * against the running kernel, so member order and padding don't matter.
 */
#ifndef NETATOP_KERNEL_TYPES_H
#define NETATOP_KERNEL_TYPES_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>	/* struct pt_regs for the kprobe backend */

/*
 * struct in6_addr is a union of arrays in the kernel: CO-RE only asks a
 * member of struct type to be a struct, so 16 bytes read as one do.
 */
struct nt_in6_addr {
	unsigned char u6_addr8[16];
};

#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)

typedef struct {
	int counter;
} atomic_t;

/* The addresses and ports sit in anonymous unions in the kernel: CO-RE finds them by name. */
struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	struct nt_in6_addr skc_v6_daddr;
	struct nt_in6_addr skc_v6_rcv_saddr;
};

/* Anonymous in the kernel: CO-RE matches it through struct sock's member. */
typedef struct {
	int owned;
} socket_lock_t;

struct sock {
	struct sock_common __sk_common;
	socket_lock_t sk_lock;
	__u8 sk_kern_sock:1;
	__u16 sk_protocol;
	__u16 sk_type;
};

struct request_sock {
	struct sock *rsk_listener;
};

struct net_device {
	unsigned int flags;
	unsigned int mtu;
	unsigned short hard_header_len;
};

struct sk_buff {
	struct sock *sk;
	struct net_device *dev;
	char cb[48];
};

/* IPCB(skb) and IP6CB(skb): the control blocks in skb->cb. */
struct inet_skb_parm {
	__u16 frag_max_size;
};

struct inet6_skb_parm {
	__u16 frag_max_size;
};

struct socket {
	struct sock *sk;
};

struct signal_struct {
	atomic_t live;
};

struct task_struct {
	unsigned int flags;
	int pid;
	int tgid;
	char comm[16];
	__u64 start_boottime;
	struct task_struct *group_leader;
	struct signal_struct *signal;
};

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
};

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
};

/* Both begin with a struct sock, which is all the programs read of them. */
struct tcp_sock;
struct udp_sock;

struct bpf_iter__tcp {
	struct bpf_iter_meta *meta;
	struct sock_common *sk_common;
};

struct bpf_iter__udp {
	struct bpf_iter_meta *meta;
	struct udp_sock *udp_sk;
};

#pragma clang attribute pop

#define NT_IFF_LOOPBACK	0x8

/*
 * Open-coded process walk (kfuncs, Linux 6.7+).  Weak, so the object
 * still loads on older kernels with the program that uses them left out.
 */
struct bpf_iter_task {
	__u64 __opaque[3];
} __attribute__((aligned(8)));

#define NT_TASK_ITER_ALL_PROCS 0

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task,
			     unsigned int flags) __attribute__((weak, section(".ksyms")));
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it)
	__attribute__((weak, section(".ksyms")));
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __attribute__((weak, section(".ksyms")));
extern void bpf_rcu_read_lock(void) __attribute__((weak, section(".ksyms")));
extern void bpf_rcu_read_unlock(void) __attribute__((weak, section(".ksyms")));

/* Wire counting (Linux 6.4+): the skb behind a cgroup_skb context, task references. */
extern void *bpf_cast_to_kern_ctx(void *ctx) __attribute__((weak, section(".ksyms")));
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __attribute__((weak, section(".ksyms")));
extern void bpf_task_release(struct task_struct *p) __attribute__((weak, section(".ksyms")));
extern struct task_struct *bpf_task_from_pid(int pid) __attribute__((weak, section(".ksyms")));

#endif
