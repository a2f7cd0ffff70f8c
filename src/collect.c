// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "collect.h"
#include "exitcodes.h"
#include "log.h"
#include "record.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "netatop.skel.h"

/* Room for ~40,000 exit records between two drains. */
#define NT_EXIT_RINGBUF_BYTES (4u << 20)

struct nt_collector {
	struct netatop_bpf *skel;
	struct ring_buffer *rb;
	const char *backend;
	struct nt_task_record *live;
	size_t live_cap;
	/* target of the ring buffer callback during nt_collect_drain() */
	struct nt_exited *drain_to;
	unsigned long drain_epoch;
	time_t drain_now;
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	nt_log(LOG_DEBUG, "libbpf: %s", line);
	return 0;
}

/* sock:sock_{send,recv}_length exist (kernel >= 6.3): probed through BTF, no tracefs needed. */
static int kernel_has_sock_length_tracepoints(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int found;

	if (!btf)
		return -1;
	found = btf__find_by_name_kind(btf, "btf_trace_sock_send_length", BTF_KIND_TYPEDEF) > 0 &&
		btf__find_by_name_kind(btf, "btf_trace_sock_recv_length", BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	return found;
}

static int choose_backend(enum nt_backend want, const char **name, char *err, size_t errlen)
{
	struct utsname u;
	int tp;

	uname(&u);
	tp = kernel_has_sock_length_tracepoints();
	if (tp < 0) {
		snprintf(err, errlen, "kernel %s has no BTF (/sys/kernel/btf/vmlinux): netatop needs a kernel built with CONFIG_DEBUG_INFO_BTF=y",
			 u.release);
		return NT_EXIT_KERNEL;
	}
	if (!tp) {
		snprintf(err, errlen, "kernel %s lacks the sock:sock_send_length tracepoint (Linux >= 6.3)%s",
			 u.release, want == NT_BACKEND_AUTO ? ": no other backend is available" : "");
		return NT_EXIT_KERNEL;
	}
	*name = "tracepoint";
	return NT_EXIT_OK;
}

static int load_error(int rc, const char *what, char *err, size_t errlen)
{
	if (rc == -EPERM || rc == -EACCES) {
		snprintf(err, errlen, "not allowed to %s the BPF programs (%s): run netatop as root",
			 what, strerror(-rc));
		return NT_EXIT_PRIVILEGE;
	}
	snprintf(err, errlen, "cannot %s the BPF programs: %s (run with --verbose for the kernel's log)",
		 what, strerror(-rc));
	return NT_EXIT_KERNEL;
}

static int on_exit_record(void *ctx, void *data, size_t size)
{
	struct nt_collector *c = ctx;
	struct netpertask rec;

	if (size < sizeof(struct nt_task_record))
		return 0;
	nt_record_encode(&rec, data, c->drain_epoch);
	if (rec.id)
		nt_exited_add(c->drain_to, &rec, c->drain_now);
	return 0;
}

int nt_collect_open(struct nt_collector **cp, enum nt_backend want, char *err, size_t errlen)
{
	struct nt_collector *c;
	int rc;

	libbpf_set_print(libbpf_print);
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NT_EXIT_FAILURE;
	}
	rc = choose_backend(want, &c->backend, err, errlen);
	if (rc != NT_EXIT_OK)
		goto fail;

	c->skel = netatop_bpf__open();
	if (!c->skel) {
		rc = load_error(-errno, "open", err, errlen);
		goto fail;
	}
	bpf_map__set_max_entries(c->skel->maps.nt_exited, NT_EXIT_RINGBUF_BYTES);
	c->skel->rodata->nt_wakeup_bytes = NT_EXIT_RINGBUF_BYTES / 2;

	rc = netatop_bpf__load(c->skel);
	if (rc) {
		rc = load_error(rc, "load", err, errlen);
		goto fail;
	}
	rc = netatop_bpf__attach(c->skel);
	if (rc) {
		rc = load_error(rc, "attach", err, errlen);
		goto fail;
	}
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.nt_exited), on_exit_record, c, NULL);
	if (!c->rb) {
		rc = load_error(-errno, "map the ring buffer of", err, errlen);
		goto fail;
	}
	*cp = c;
	return NT_EXIT_OK;
fail:
	nt_collect_close(c);
	return rc;
}

void nt_collect_close(struct nt_collector *c)
{
	if (!c)
		return;
	ring_buffer__free(c->rb);
	netatop_bpf__destroy(c->skel);
	free(c->live);
	free(c);
}

const char *nt_collect_backend(const struct nt_collector *c)
{
	return c->backend;
}

int nt_collect_event_fd(const struct nt_collector *c)
{
	return ring_buffer__epoll_fd(c->rb);
}

int nt_collect_drain(struct nt_collector *c, struct nt_exited *exited,
		     unsigned long boot_epoch, time_t now)
{
	int n;

	c->drain_to = exited;
	c->drain_epoch = boot_epoch;
	c->drain_now = now;
	n = ring_buffer__consume(c->rb);
	c->drain_to = NULL;
	return n < 0 ? n : 0;
}

int nt_collect_live(struct nt_collector *c, const struct nt_task_record **recs, size_t *n)
{
	size_t len = 0, cap_bytes;
	ssize_t got;
	void *tmp;
	int fd;

	fd = bpf_iter_create(bpf_link__fd(c->skel->links.nt_dump_tasks));
	if (fd < 0)
		return -errno;
	for (;;) {
		cap_bytes = c->live_cap * sizeof(*c->live);
		if (cap_bytes - len < 64 * 1024) {
			size_t ncap = c->live_cap ? c->live_cap * 2 : 4096;

			tmp = realloc(c->live, ncap * sizeof(*c->live));
			if (!tmp) {
				close(fd);
				return -ENOMEM;
			}
			c->live = tmp;
			c->live_cap = ncap;
			cap_bytes = ncap * sizeof(*c->live);
		}
		got = read(fd, (char *)c->live + len, cap_bytes - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	*recs = c->live;
	*n = len / sizeof(*c->live);
	return 0;
}

void nt_collect_drops(const struct nt_collector *c, unsigned long long drops[NT_DROP__MAX])
{
	int i;

	for (i = 0; i < NT_DROP__MAX; i++)
		drops[i] = ((volatile __u64 *)c->skel->bss->nt_drops)[i];
}
