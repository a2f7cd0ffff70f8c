// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "kernel_probe.h"

#include <bpf/btf.h>
#include <linux/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

const char *const nt_hook_fn_names[NT_FN__MAX] = {
	[NT_FN_INET_SENDMSG] = "inet_sendmsg",
	[NT_FN_INET_RECVMSG] = "inet_recvmsg",
	[NT_FN_INET6_SENDMSG] = "inet6_sendmsg",
	[NT_FN_INET6_RECVMSG] = "inet6_recvmsg",
	[NT_FN_INET_SENDPAGE] = "inet_sendpage",
};

static bool has(const struct btf *btf, const char *name, int kind)
{
	return btf__find_by_name_kind(btf, name, kind) > 0;
}

/* Is `value` one of the enumerators of `enum type` (e.g. a map type this kernel knows)? */
static bool has_enumerator(const struct btf *btf, const char *type, const char *value)
{
	const struct btf_type *t;
	const struct btf_enum *e;
	int id, i;

	id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM);
	if (id <= 0)
		return false;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++)
		if (strcmp(btf__name_by_offset(btf, e[i].name_off), value) == 0)
			return true;
	return false;
}

void nt_probe_btf(struct nt_kernel_features *f, const struct btf *btf)
{
	int i;

	f->btf = btf != NULL;
	if (!btf)
		return;
	f->tp_sock_length = has(btf, "btf_trace_sock_send_length", BTF_KIND_TYPEDEF) &&
			    has(btf, "btf_trace_sock_recv_length", BTF_KIND_TYPEDEF);
	f->tp_process_exit = has(btf, "btf_trace_sched_process_exit", BTF_KIND_TYPEDEF);
	f->task_storage = has_enumerator(btf, "bpf_map_type", "BPF_MAP_TYPE_TASK_STORAGE");
	f->ringbuf = has_enumerator(btf, "bpf_map_type", "BPF_MAP_TYPE_RINGBUF");
	f->task_iter = has(btf, "bpf_iter__task", BTF_KIND_STRUCT);
	f->proc_walk = has(btf, "bpf_iter_task_new", BTF_KIND_FUNC) &&
		       has(btf, "bpf_rcu_read_lock", BTF_KIND_FUNC) &&
		       has_enumerator(btf, "bpf_prog_type", "BPF_PROG_TYPE_SYSCALL");
	f->current_task_btf = has_enumerator(btf, "bpf_func_id", "BPF_FUNC_get_current_task_btf");
	for (i = 0; i < NT_FN__MAX; i++)
		f->fn[i] = has(btf, nt_hook_fn_names[i], BTF_KIND_FUNC);
	f->kprobes = has(btf, "register_kprobe", BTF_KIND_FUNC);
	f->cgroup_skb = has_enumerator(btf, "bpf_prog_type", "BPF_PROG_TYPE_CGROUP_SKB");
	f->sk_storage = has_enumerator(btf, "bpf_map_type", "BPF_MAP_TYPE_SK_STORAGE");
	f->tp_sock_state = has(btf, "btf_trace_inet_sock_set_state", BTF_KIND_TYPEDEF);
	f->task_kfuncs = has(btf, "bpf_task_acquire", BTF_KIND_FUNC) &&
			 has(btf, "bpf_task_release", BTF_KIND_FUNC) &&
			 has(btf, "bpf_task_from_pid", BTF_KIND_FUNC);
	f->kern_ctx = has(btf, "bpf_cast_to_kern_ctx", BTF_KIND_FUNC);
}

/* Is `name` a file system this kernel knows (/proc/filesystems)? */
static bool has_filesystem(const char *name)
{
	char line[128], *fs;
	FILE *fp = fopen("/proc/filesystems", "re");
	bool found = false;

	if (!fp)
		return false;
	while (!found && fgets(line, sizeof(line), fp)) {
		fs = strrchr(line, '\t');
		fs = fs ? fs + 1 : line;
		fs[strcspn(fs, "\n")] = '\0';
		found = strcmp(fs, name) == 0;
	}
	fclose(fp);
	return found;
}

unsigned int nt_parse_kernel_release(const char *release)
{
	unsigned int a = 0, b = 0, c = 0;

	if (sscanf(release, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	if (c > 255)
		c = 255;
	return NT_KERNEL_VERSION(a, b, c);
}

static int read_int_file(const char *path)
{
	FILE *fp = fopen(path, "re");
	int v = -1;

	if (!fp)
		return -1;
	if (fscanf(fp, "%d", &v) != 1)
		v = -1;
	fclose(fp);
	return v;
}

void nt_probe_kernel(struct nt_kernel_features *f)
{
	struct utsname u;
	struct btf *btf;

	memset(f, 0, sizeof(*f));
	if (uname(&u) == 0)
		snprintf(f->release, sizeof(f->release), "%s", u.release);
	f->version = nt_parse_kernel_release(f->release);
	btf = btf__load_vmlinux_btf();
	nt_probe_btf(f, btf);
	btf__free(btf);
	/* Without BTF, the kprobe PMU still tells whether kprobes exist. */
	if (access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0)
		f->kprobes = true;
	f->cgroup2 = has_filesystem("cgroup2");
	f->unprivileged_bpf_disabled = read_int_file("/proc/sys/kernel/unprivileged_bpf_disabled");
}
