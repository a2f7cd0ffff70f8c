// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backend selection from a probed feature set, and the probe itself on
 * made-up kernels' BTF: every combination of what a kernel may lack.
 */
#include "config.h"

#include <bpf/btf.h>
#include <check.h>
#include <string.h>

#include "backend.h"
#include "kernel_probe.h"
#include "run_suite.h"

/* A 6.1-like kernel: everything but the 6.3 tracepoints. */
static struct nt_kernel_features kernel_6_1(void)
{
	struct nt_kernel_features f;
	int i;

	memset(&f, 0, sizeof(f));
	strcpy(f.release, "6.1.0-18-cloud-amd64");
	f.version = NT_KERNEL_VERSION(6, 1, 0);
	f.btf = f.tp_process_exit = f.task_storage = f.ringbuf = f.task_iter = true;
	f.current_task_btf = f.kprobes = true;
	for (i = 0; i < NT_FN__MAX; i++)
		f.fn[i] = true;
	return f;
}

static struct nt_kernel_features kernel_6_18(void)
{
	struct nt_kernel_features f = kernel_6_1();

	strcpy(f.release, "6.18.4");
	f.version = NT_KERNEL_VERSION(6, 18, 4);
	f.tp_sock_length = true;
	f.fn[NT_FN_INET_SENDPAGE] = false;
	return f;
}

static size_t plan(const struct nt_kernel_features *f, enum nt_backend want,
		   enum nt_backend out[NT_BACKEND__COUNT], char *reason)
{
	return nt_backend_plan(f, want, out, reason, 256);
}

START_TEST(test_auto_prefers_tracepoint)
{
	struct nt_kernel_features f = kernel_6_18();
	enum nt_backend p[NT_BACKEND__COUNT];
	char reason[256];

	ck_assert_uint_eq(plan(&f, NT_BACKEND_AUTO, p, reason), 3);
	ck_assert_int_eq(p[0], NT_BACKEND_TRACEPOINT);
	ck_assert_int_eq(p[1], NT_BACKEND_FENTRY);
	ck_assert_int_eq(p[2], NT_BACKEND_KPROBE);
}
END_TEST

START_TEST(test_auto_on_6_1_picks_fentry_then_kprobe)
{
	struct nt_kernel_features f = kernel_6_1();
	enum nt_backend p[NT_BACKEND__COUNT];
	char reason[256];

	ck_assert_uint_eq(plan(&f, NT_BACKEND_AUTO, p, reason), 2);
	ck_assert_int_eq(p[0], NT_BACKEND_FENTRY);
	ck_assert_int_eq(p[1], NT_BACKEND_KPROBE);
}
END_TEST

/* This machine's kernel: tracepoints, no kprobes (fentry is refused at load time). */
START_TEST(test_no_kprobes)
{
	struct nt_kernel_features f = kernel_6_18();
	enum nt_backend p[NT_BACKEND__COUNT];
	char reason[256];

	f.kprobes = false;
	ck_assert_uint_eq(plan(&f, NT_BACKEND_AUTO, p, reason), 2);
	ck_assert_uint_eq(plan(&f, NT_BACKEND_KPROBE, p, reason), 0);
	ck_assert_ptr_nonnull(strstr(reason, "kprobes"));
	ck_assert_uint_eq(plan(&f, NT_BACKEND_TRACEPOINT, p, reason), 1);
	ck_assert_int_eq(p[0], NT_BACKEND_TRACEPOINT);
}
END_TEST

START_TEST(test_forced_tracepoint_on_old_kernel)
{
	struct nt_kernel_features f = kernel_6_1();
	enum nt_backend p[NT_BACKEND__COUNT];
	char reason[256];

	ck_assert_uint_eq(plan(&f, NT_BACKEND_TRACEPOINT, p, reason), 0);
	ck_assert_ptr_nonnull(strstr(reason, "6.3"));
	ck_assert_uint_eq(plan(&f, NT_BACKEND_FENTRY, p, reason), 1);
	ck_assert_int_eq(p[0], NT_BACKEND_FENTRY);
}
END_TEST

START_TEST(test_missing_hook_functions)
{
	struct nt_kernel_features f = kernel_6_1();
	enum nt_backend p[NT_BACKEND__COUNT];
	char reason[256];

	f.fn[NT_FN_INET_RECVMSG] = false;
	ck_assert_uint_eq(plan(&f, NT_BACKEND_AUTO, p, reason), 0);
	ck_assert_ptr_nonnull(strstr(reason, "inet_recvmsg"));
	/* IPv6 and sendpage are optional */
	f = kernel_6_1();
	f.fn[NT_FN_INET6_SENDMSG] = f.fn[NT_FN_INET6_RECVMSG] = f.fn[NT_FN_INET_SENDPAGE] = false;
	ck_assert_uint_eq(plan(&f, NT_BACKEND_AUTO, p, reason), 2);
}
END_TEST

/* Each common requirement, missing alone, stops every backend with its own reason. */
START_TEST(test_each_requirement)
{
	static const struct {
		size_t off;
		const char *needle;
	} req[] = {
		{ offsetof(struct nt_kernel_features, btf), "BTF" },
		{ offsetof(struct nt_kernel_features, task_storage), "task storage" },
		{ offsetof(struct nt_kernel_features, ringbuf), "ring buffer" },
		{ offsetof(struct nt_kernel_features, task_iter), "iterator" },
		{ offsetof(struct nt_kernel_features, tp_process_exit), "sched_process_exit" },
		{ offsetof(struct nt_kernel_features, current_task_btf), "bpf_get_current_task_btf" },
	};
	enum nt_backend p[NT_BACKEND__COUNT];
	char reason[256];
	size_t i;
	int b;

	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		struct nt_kernel_features f = kernel_6_18();

		*(bool *)((char *)&f + req[i].off) = false;
		for (b = 0; b <= NT_BACKEND_AUTO; b++) {
			ck_assert_uint_eq(plan(&f, b, p, reason), 0);
			ck_assert_msg(strstr(reason, req[i].needle), "'%s' does not say '%s'",
				      reason, req[i].needle);
		}
	}
}
END_TEST

START_TEST(test_too_old_kernel)
{
	struct nt_kernel_features f = kernel_6_1();
	enum nt_backend p[NT_BACKEND__COUNT];
	char reason[256];

	strcpy(f.release, "5.10.0-28-amd64");
	f.version = NT_KERNEL_VERSION(5, 10, 0);
	ck_assert_uint_eq(plan(&f, NT_BACKEND_AUTO, p, reason), 0);
	ck_assert_ptr_nonnull(strstr(reason, "older than " NT_MIN_KERNEL_STR));
	f.version = NT_MIN_KERNEL;
	ck_assert_uint_eq(plan(&f, NT_BACKEND_AUTO, p, reason), 2);
}
END_TEST

START_TEST(test_nothing_available_says_why_for_each)
{
	struct nt_kernel_features f = kernel_6_1();
	enum nt_backend p[NT_BACKEND__COUNT];
	char reason[256];

	f.kprobes = false;
	f.fn[NT_FN_INET_SENDMSG] = false;
	ck_assert_uint_eq(plan(&f, NT_BACKEND_AUTO, p, reason), 0);
	ck_assert_ptr_nonnull(strstr(reason, "tracepoint:"));
	ck_assert_ptr_nonnull(strstr(reason, "fentry:"));
	ck_assert_ptr_nonnull(strstr(reason, "kprobe:"));
}
END_TEST

START_TEST(test_parse_release)
{
	ck_assert_uint_eq(nt_parse_kernel_release("6.1.0-18-cloud-amd64"), NT_KERNEL_VERSION(6, 1, 0));
	ck_assert_uint_eq(nt_parse_kernel_release("5.14.0-362.el9.x86_64"), NT_KERNEL_VERSION(5, 14, 0));
	ck_assert_uint_eq(nt_parse_kernel_release("6.18"), NT_KERNEL_VERSION(6, 18, 0));
	ck_assert_uint_eq(nt_parse_kernel_release("5.15.300"), NT_KERNEL_VERSION(5, 15, 255));
	ck_assert_uint_eq(nt_parse_kernel_release("garbage"), 0);
}
END_TEST

/* ---- the BTF probe, on hand-made BTF ---- */

static void add_enum(struct btf *btf, const char *name, const char *const *values, size_t n)
{
	size_t i;

	ck_assert_int_gt(btf__add_enum(btf, name, 4), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(btf__add_enum_value(btf, values[i], (long long)i), 0);
}

static void add_func(struct btf *btf, const char *name)
{
	int proto = btf__add_func_proto(btf, 0);

	ck_assert_int_gt(btf__add_func(btf, name, BTF_FUNC_GLOBAL, proto), 0);
}

/* What the open-coded process walk needs, one bit each (Linux 6.7+). */
enum { WALK_ITER = 1, WALK_RCU = 2, WALK_SYSCALL_PROG = 4, WALK_ALL = 7 };

static struct btf *fake_kernel_walk(bool sock_tp, bool kprobes, bool task_storage, int walk)
{
	static const char *const prog_types[] = { "BPF_PROG_TYPE_UNSPEC", "BPF_PROG_TYPE_SYSCALL" };
	static const char *const maps_all[] = { "BPF_MAP_TYPE_RINGBUF", "BPF_MAP_TYPE_TASK_STORAGE" };
	static const char *const funcs[] = { "BPF_FUNC_get_current_task_btf" };
	struct btf *btf = btf__new_empty();
	int ptr;
	size_t i;

	ck_assert_ptr_nonnull(btf);
	ptr = btf__add_ptr(btf, 0);
	add_enum(btf, "bpf_map_type", maps_all, task_storage ? 2 : 1);
	add_enum(btf, "bpf_func_id", funcs, 1);
	ck_assert_int_gt(btf__add_struct(btf, "bpf_iter__task", 8), 0);
	ck_assert_int_gt(btf__add_typedef(btf, "btf_trace_sched_process_exit", ptr), 0);
	if (sock_tp) {
		ck_assert_int_gt(btf__add_typedef(btf, "btf_trace_sock_send_length", ptr), 0);
		ck_assert_int_gt(btf__add_typedef(btf, "btf_trace_sock_recv_length", ptr), 0);
	}
	for (i = 0; i < NT_FN__MAX; i++)
		add_func(btf, nt_hook_fn_names[i]);
	if (kprobes)
		add_func(btf, "register_kprobe");
	add_enum(btf, "bpf_prog_type", prog_types, walk & WALK_SYSCALL_PROG ? 2 : 1);
	if (walk & WALK_ITER)
		add_func(btf, "bpf_iter_task_new");
	if (walk & WALK_RCU)
		add_func(btf, "bpf_rcu_read_lock");
	return btf;
}

static struct btf *fake_kernel(bool sock_tp, bool kprobes, bool task_storage)
{
	return fake_kernel_walk(sock_tp, kprobes, task_storage, sock_tp ? WALK_ALL : 0);
}

START_TEST(test_probe_btf_new_kernel)
{
	struct nt_kernel_features f;
	struct btf *btf = fake_kernel(true, false, true);
	int i;

	memset(&f, 0, sizeof(f));
	nt_probe_btf(&f, btf);
	ck_assert(f.btf && f.tp_sock_length && f.tp_process_exit);
	ck_assert(f.task_storage && f.ringbuf && f.task_iter && f.current_task_btf);
	ck_assert(!f.kprobes);
	ck_assert(f.proc_walk);
	for (i = 0; i < NT_FN__MAX; i++)
		ck_assert(f.fn[i]);
	btf__free(btf);
}
END_TEST

START_TEST(test_probe_btf_old_kernel)
{
	struct nt_kernel_features f;
	struct btf *btf = fake_kernel(false, true, false);

	memset(&f, 0, sizeof(f));
	nt_probe_btf(&f, btf);
	ck_assert(!f.tp_sock_length);
	ck_assert(f.kprobes);
	ck_assert(!f.task_storage);
	ck_assert(f.ringbuf);
	ck_assert(!f.proc_walk);
	btf__free(btf);
}
END_TEST

/* The walk needs the iterator kfuncs, RCU kfuncs and syscall programs: each alone is not enough. */
START_TEST(test_probe_btf_walk_needs_all)
{
	static const int missing[] = { WALK_ITER, WALK_RCU, WALK_SYSCALL_PROG };
	struct nt_kernel_features f;
	struct btf *btf;
	size_t i;

	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		btf = fake_kernel_walk(true, false, true, WALK_ALL & ~missing[i]);
		memset(&f, 0, sizeof(f));
		nt_probe_btf(&f, btf);
		ck_assert_msg(!f.proc_walk, "walk detected without part %d", missing[i]);
		ck_assert(f.tp_sock_length);
		btf__free(btf);
	}
}
END_TEST

START_TEST(test_probe_no_btf)
{
	struct nt_kernel_features f;

	memset(&f, 0, sizeof(f));
	nt_probe_btf(&f, NULL);
	ck_assert(!f.btf && !f.tp_sock_length && !f.task_storage);
}
END_TEST

static Suite *backend_suite(void)
{
	Suite *s = suite_create("backend");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_auto_prefers_tracepoint);
	tcase_add_test(tc, test_auto_on_6_1_picks_fentry_then_kprobe);
	tcase_add_test(tc, test_no_kprobes);
	tcase_add_test(tc, test_forced_tracepoint_on_old_kernel);
	tcase_add_test(tc, test_missing_hook_functions);
	tcase_add_test(tc, test_each_requirement);
	tcase_add_test(tc, test_too_old_kernel);
	tcase_add_test(tc, test_nothing_available_says_why_for_each);
	tcase_add_test(tc, test_parse_release);
	tcase_add_test(tc, test_probe_btf_new_kernel);
	tcase_add_test(tc, test_probe_btf_old_kernel);
	tcase_add_test(tc, test_probe_btf_walk_needs_all);
	tcase_add_test(tc, test_probe_no_btf);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(backend_suite());
}
