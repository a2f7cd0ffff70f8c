// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "backend.h"

#include <stdio.h>

void nt_kernel_requirements(const struct nt_kernel_features *f, char *reason, size_t len)
{
	const char *missing = NULL;

	reason[0] = '\0';
	if (f->version && f->version < NT_MIN_KERNEL) {
		snprintf(reason, len, "kernel %s is older than %s, the oldest netatop supports",
			 f->release, NT_MIN_KERNEL_STR);
		return;
	}
	if (!f->btf) {
		snprintf(reason, len, "kernel %s has no BTF (/sys/kernel/btf/vmlinux): it must be built with CONFIG_DEBUG_INFO_BTF=y",
			 f->release);
		return;
	}
	if (!f->task_storage)
		missing = "BPF task storage maps";
	else if (!f->ringbuf)
		missing = "BPF ring buffers";
	else if (!f->task_iter)
		missing = "BPF task iterators";
	else if (!f->tp_process_exit)
		missing = "the sched:sched_process_exit tracepoint";
	else if (!f->current_task_btf)
		missing = "bpf_get_current_task_btf()";
	if (missing)
		snprintf(reason, len, "kernel %s lacks %s (Linux >= %s has them)", f->release, missing,
			 NT_MIN_KERNEL_STR);
}

/* The functions fentry and kprobe hook; IPv6 and sendpage are optional. */
static bool has_hook_functions(const struct nt_kernel_features *f, char *reason, size_t len)
{
	if (f->fn[NT_FN_INET_SENDMSG] && f->fn[NT_FN_INET_RECVMSG])
		return true;
	snprintf(reason, len, "kernel functions inet_sendmsg/inet_recvmsg not found in BTF");
	return false;
}

bool nt_backend_available(const struct nt_kernel_features *f, enum nt_backend id,
			  char *reason, size_t len)
{
	nt_kernel_requirements(f, reason, len);
	if (reason[0])
		return false;
	switch (id) {
	case NT_BACKEND_TRACEPOINT:
		if (f->tp_sock_length)
			return true;
		snprintf(reason, len, "no sock:sock_send_length/sock_recv_length tracepoints (Linux >= 6.3)");
		return false;
	case NT_BACKEND_FENTRY:
		return has_hook_functions(f, reason, len);
	case NT_BACKEND_KPROBE:
		if (!f->kprobes) {
			snprintf(reason, len, "no kprobes in this kernel (CONFIG_KPROBES)");
			return false;
		}
		return has_hook_functions(f, reason, len);
	case NT_BACKEND_AUTO:	/* a choice among them, not one to load */
		break;
	}
	snprintf(reason, len, "unknown backend");
	return false;
}

bool nt_wire_available(const struct nt_kernel_features *f, enum nt_backend id,
		       char *reason, size_t len)
{
	const char *missing = NULL;

	if (!nt_backend_available(f, id, reason, len))
		return false;
	if (id != NT_BACKEND_TRACEPOINT) {
		snprintf(reason, len, "wire counting needs the tracepoint backend (Linux >= 6.4), not %s",
			 nt_backend_name(id));
		return false;
	}
	if (!f->cgroup_skb)
		missing = "cgroup_skb programs";
	else if (!f->sk_storage)
		missing = "BPF socket storage";
	else if (!f->kern_ctx)
		missing = "bpf_cast_to_kern_ctx()";
	else if (!f->task_kfuncs)
		missing = "the task reference kfuncs (bpf_task_acquire, bpf_task_from_pid)";
	else if (!f->tp_sock_state)
		missing = "the sock:inet_sock_set_state tracepoint";
	else if (!f->cgroup2)
		missing = "cgroup v2 (CONFIG_CGROUPS with the cgroup2 file system)";
	if (missing) {
		snprintf(reason, len, "kernel %s lacks %s for wire counting (Linux >= 6.4 has them)",
			 f->release, missing);
		return false;
	}
	reason[0] = '\0';
	return true;
}

size_t nt_backend_plan(const struct nt_kernel_features *f, enum nt_backend want,
		       enum nt_backend plan[NT_BACKEND__COUNT], char *reason, size_t len)
{
	char why[NT_BACKEND__COUNT][160];
	size_t n = 0;
	int id;

	reason[0] = '\0';
	if (want != NT_BACKEND_AUTO) {
		if (!nt_backend_available(f, want, reason, len))
			return 0;
		plan[0] = want;
		return 1;
	}
	for (id = 0; id < NT_BACKEND__COUNT; id++)
		if (nt_backend_available(f, id, why[id], sizeof(why[id])))
			plan[n++] = id;
	if (n == 0) {
		nt_kernel_requirements(f, reason, len);
		if (!reason[0])
			snprintf(reason, len, "no backend can run on kernel %s: tracepoint: %s; fentry: %s; kprobe: %s",
				 f->release, why[NT_BACKEND_TRACEPOINT], why[NT_BACKEND_FENTRY], why[NT_BACKEND_KPROBE]);
	}
	return n;
}
