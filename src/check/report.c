// SPDX-License-Identifier: GPL-2.0-only
/*
 * `netatop --check`, the support report: can netatop run on this machine, and how?  Changes
 * nothing: with privileges it loads each usable backend and unloads it
 * at once, to prove the kernel takes it; without, it judges from BTF.
 */
#include "config.h"
#include "report.h"
#include "options.h"
#include "atop.h"
#include "backend.h"
#include "caps.h"
#include "collect.h"
#include "exitcodes.h"
#include "json.h"
#include "kernel_probe.h"
#include "status.h"
#include "unixsock.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NT_CHECK_MAX (16 + NT_ATOP_LINES)

struct check_line {
	char name[32];
	const char *status;	/* "ok", "missing", "info" */
	char detail[384];
};

struct check_report {
	struct check_line line[NT_CHECK_MAX];
	size_t n;
	bool can_run;
	const char *backend;
	enum nt_backend backend_id;
	const char *counting;	/* "wire", "calls", NULL when it cannot run */
	char verdict[512];
};

static struct check_line *add(struct check_report *r, const char *name, const char *status)
{
	struct check_line *l = &r->line[r->n++];

	snprintf(l->name, sizeof(l->name), "%s", name);
	l->status = status;
	l->detail[0] = '\0';
	return l;
}

static void check_kernel(struct check_report *r, const struct nt_kernel_features *f)
{
	struct check_line *l;
	char reason[256];

	l = add(r, "kernel", f->version && f->version < NT_MIN_KERNEL ? "missing" : "ok");
	snprintf(l->detail, sizeof(l->detail), "%s (netatop needs Linux %s or later)", f->release,
		 NT_MIN_KERNEL_STR);
	l = add(r, "btf", f->btf ? "ok" : "missing");
	snprintf(l->detail, sizeof(l->detail), "%s", f->btf ? "/sys/kernel/btf/vmlinux" :
		 "no /sys/kernel/btf/vmlinux: the kernel must be built with CONFIG_DEBUG_INFO_BTF=y");
	if (!f->btf)
		return;
	l = add(r, "map types", f->task_storage && f->ringbuf ? "ok" : "missing");
	snprintf(l->detail, sizeof(l->detail), "task storage %s, ring buffer %s",
		 f->task_storage ? "yes" : "NO", f->ringbuf ? "yes" : "NO");
	l = add(r, "program types",
		f->task_iter && f->tp_process_exit && f->current_task_btf ? "ok" : "missing");
	snprintf(l->detail, sizeof(l->detail),
		 "task iterator %s, tp_btf sched_process_exit %s, bpf_get_current_task_btf %s",
		 f->task_iter ? "yes" : "NO", f->tp_process_exit ? "yes" : "NO",
		 f->current_task_btf ? "yes" : "NO");
	l = add(r, "live records", "ok");
	snprintf(l->detail, sizeof(l->detail), "%s",
		 f->proc_walk ? "open-coded process walk" :
		 "task iterator, visits every thread (Linux 6.7 and later walk processes only: faster replies)");
	nt_kernel_requirements(f, reason, sizeof(reason));
	if (reason[0])
		snprintf(r->verdict, sizeof(r->verdict), "cannot run: %s", reason);
}

static void check_backends(struct check_report *r, const struct nt_kernel_features *f,
			   enum nt_backend want, bool privileged)
{
	enum nt_backend plan[NT_BACKEND__COUNT];
	bool usable[NT_BACKEND__COUNT] = { false };
	char reason[384];
	size_t n, i;
	int id;

	for (id = 0; id < NT_BACKEND__COUNT; id++) {
		struct check_line *l;
		struct nt_collector *c = NULL;
		char name[24];

		snprintf(name, sizeof(name), "backend %s", nt_backend_name(id));
		if (!nt_backend_available(f, id, reason, sizeof(reason))) {
			l = add(r, name, "missing");
			snprintf(l->detail, sizeof(l->detail), "%s", reason);
			continue;
		}
		if (!privileged) {
			l = add(r, name, "ok");
			snprintf(l->detail, sizeof(l->detail), "the kernel has what it needs (not loaded: that needs root)");
			usable[id] = true;
			continue;
		}
		if (nt_collect_open_backend(&c, id, f, false, (size_t)NT_DEFAULT_EXIT_BUFFER_MIB << 20, reason,
					    sizeof(reason)) == NT_EXIT_OK) {
			nt_collect_close(c);
			l = add(r, name, "ok");
			snprintf(l->detail, sizeof(l->detail), "loaded and attached, then unloaded");
			usable[id] = true;
		} else {
			l = add(r, name, "missing");
			snprintf(l->detail, sizeof(l->detail), "%s", reason);
		}
	}
	if (r->verdict[0])
		return;
	n = nt_backend_plan(f, want, plan, reason, sizeof(reason));
	for (i = 0; i < n; i++) {
		if (usable[plan[i]]) {
			r->can_run = true;
			r->backend = nt_backend_name(plan[i]);
			r->backend_id = plan[i];
			snprintf(r->verdict, sizeof(r->verdict), "netatop can run here using %s%s",
				 r->backend, privileged ? "" : " (start it as root)");
			return;
		}
	}
	if (n == 0)
		snprintf(r->verdict, sizeof(r->verdict), "cannot run: %s", reason);
	else
		snprintf(r->verdict, sizeof(r->verdict), "cannot run: the kernel refused %s",
			 want == NT_BACKEND_AUTO ? "every backend" : "that backend");
}

/* Wire counting with the backend the daemon would use: judged, and loaded if we may. */
static void check_wire(struct check_report *r, const struct nt_kernel_features *f,
		       enum nt_counting want, bool privileged)
{
	struct nt_collector *c = NULL;
	struct check_line *l;
	char reason[384];
	size_t len;
	bool wire;

	if (!r->can_run)
		return;
	if (want == NT_COUNT_CALLS) {
		l = add(r, "wire counting", "info");
		snprintf(l->detail, sizeof(l->detail), "not asked for (--count=calls)");
		r->counting = "calls";
	} else {
		wire = nt_wire_available(f, r->backend_id, reason, sizeof(reason));
		if (wire && privileged)
			wire = nt_wire_allowed(reason, sizeof(reason));
		if (wire && privileged) {
			wire = nt_collect_open_backend(&c, r->backend_id, f, true,
						       (size_t)NT_DEFAULT_EXIT_BUFFER_MIB << 20, reason,
						       sizeof(reason)) == NT_EXIT_OK;
			nt_collect_close(c);
		}
		l = add(r, "wire counting", wire ? "ok" : "missing");
		if (wire)
			snprintf(l->detail, sizeof(l->detail), "%s", privileged ?
				 "packet programs loaded and attached at the cgroup v2 root, then unloaded" :
				 "the kernel has what it needs (not loaded: that needs root)");
		else
			snprintf(l->detail, sizeof(l->detail), "%s", reason);
		if (!wire && want == NT_COUNT_WIRE) {
			r->can_run = false;
			r->backend = NULL;
			snprintf(r->verdict, sizeof(r->verdict), "cannot run with --count=wire: %s", reason);
			return;
		}
		r->counting = wire ? "wire" : "calls";
	}
	len = strlen(r->verdict);
	snprintf(r->verdict + len, sizeof(r->verdict) - len, ", %s",
		 strcmp(r->counting, "wire") == 0 ? "counting IP packets on the wire" :
		 "counting socket calls");
}

static void check_privileges(struct check_report *r, const struct nt_kernel_features *f,
			     bool privileged)
{
	struct check_line *l;

	l = add(r, "privileges", privileged ? "ok" : "missing");
	snprintf(l->detail, sizeof(l->detail), "CAP_BPF %s, CAP_PERFMON %s, CAP_SYS_ADMIN %s%s",
		 nt_have_cap("cap_bpf") ? "yes" : "no", nt_have_cap("cap_perfmon") ? "yes" : "no",
		 nt_have_cap("cap_sys_admin") ? "yes" : "no",
		 privileged ? "" : ": the daemon must be started as root");
	l = add(r, "unprivileged bpf", "info");
	if (f->unprivileged_bpf_disabled < 0)
		snprintf(l->detail, sizeof(l->detail), "kernel.unprivileged_bpf_disabled unknown");
	else
		snprintf(l->detail, sizeof(l->detail), "kernel.unprivileged_bpf_disabled=%d%s",
			 f->unprivileged_bpf_disabled,
			 f->unprivileged_bpf_disabled ? " (only privileged processes may use BPF: fine for netatop)" :
			 " (any user may load socket filters; netatop does not need it)");
}

static void check_daemon(struct check_report *r, const struct nt_options *o)
{
	struct check_line *l;
	struct nt_status st;
	int fd, e;

	fd = nt_unix_connect(o->socket_path);
	e = errno;
	if (fd >= 0) {
		close(fd);
		l = add(r, "daemon", "ok");
		if (nt_status_read(o->pidfile, &st) == 0)
			snprintf(l->detail, sizeof(l->detail), "a daemon serves %s with backend %s%s%s",
				 o->socket_path, st.backend, st.counting[0] ? ", counting " : "", st.counting);
		else
			snprintf(l->detail, sizeof(l->detail), "a daemon serves %s", o->socket_path);
	} else if (e == EACCES || e == EPERM) {
		l = add(r, "daemon", "info");
		snprintf(l->detail, sizeof(l->detail), "%s exists but this user may not connect to it",
			 o->socket_path);
	} else {
		l = add(r, "daemon", "info");
		snprintf(l->detail, sizeof(l->detail), "no daemon serves %s", o->socket_path);
	}
}

/* atop is optional: its lines never change the verdict nor the exit status. */
static void check_atop(struct check_report *r)
{
	struct nt_atop_line atop[NT_ATOP_LINES];
	struct nt_atop_env env;
	size_t i, n;

	nt_atop_env_system(&env);
	n = nt_atop_check(&env, atop);
	for (i = 0; i < n; i++)
		snprintf(add(r, atop[i].name, atop[i].status)->detail, sizeof(r->line[0].detail), "%s",
			 atop[i].detail);
}

static void print_report(FILE *out, const struct check_report *r, bool json)
{
	size_t i;

	if (!json) {
		for (i = 0; i < r->n; i++)
			fprintf(out, "%-20s %-8s %s\n", r->line[i].name, r->line[i].status, r->line[i].detail);
		fprintf(out, "verdict: %s\n", r->verdict);
		return;
	}
	fputs("{\"checks\":[", out);
	for (i = 0; i < r->n; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		nt_json_string(out, r->line[i].name, SIZE_MAX);
		fputs(",\"status\":", out);
		nt_json_string(out, r->line[i].status, SIZE_MAX);
		fputs(",\"detail\":", out);
		nt_json_string(out, r->line[i].detail, SIZE_MAX);
		fputc('}', out);
	}
	fprintf(out, "],\"can_run\":%s,\"backend\":", r->can_run ? "true" : "false");
	if (r->backend)
		nt_json_string(out, r->backend, SIZE_MAX);
	else
		fputs("null", out);
	fputs(",\"counting\":", out);
	if (r->counting)
		nt_json_string(out, r->counting, SIZE_MAX);
	else
		fputs("null", out);
	fputs(",\"verdict\":", out);
	nt_json_string(out, r->verdict, SIZE_MAX);
	fputs("}\n", out);
}

int nt_check_main(const struct nt_options *o)
{
	struct nt_kernel_features f;
	struct check_report r;
	bool privileged = nt_have_bpf_caps();

	memset(&r, 0, sizeof(r));
	nt_probe_kernel(&f);
	check_kernel(&r, &f);
	if (f.btf) {
		check_backends(&r, &f, o->backend, privileged);
		check_wire(&r, &f, o->counting, privileged);
	}
	check_privileges(&r, &f, privileged);
	check_daemon(&r, o);
	check_atop(&r);
	print_report(stdout, &r, o->json);
	fflush(stdout);
	return r.can_run ? NT_EXIT_OK : NT_EXIT_FAILURE;
}
