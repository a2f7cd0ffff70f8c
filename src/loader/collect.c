// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "collect.h"
#include "exitcodes.h"
#include "log.h"
#include "backend.h"
#include "caps.h"
#include "cgroup_root.h"
#include "conns.h"
#include "kernel_probe.h"
#include "kretprobe.h"
#include "livewalk.h"
#include "ring.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netatop.skel.h"
#include "collect_priv.h"
#include "keep.h"


static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static char buf[1 << 20];
	char *line, *save;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* the verifier's log comes as one multi-line message */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		nt_log(LOG_DEBUG, "%s", line);
	return 0;
}

static int load_error(int rc, const char *what, const char *backend, char *err, size_t errlen)
{
	if ((rc == -EPERM || rc == -EACCES) && !nt_have_bpf_caps()) {
		snprintf(err, errlen, "not allowed to %s the BPF programs (%s): run netatop as root",
			 what, strerror(-rc));
		return NT_EXIT_PRIVILEGE;
	}
	if (strcmp(backend, "fentry") == 0 && (rc == -EPERM || rc == -ENOTSUP || rc == -524)) {
		snprintf(err, errlen, "this kernel does not support fentry/fexit programs (%s): BPF trampolines need ftrace; use --backend=auto",
			 strerror(-rc));
		return NT_EXIT_KERNEL;
	}
	snprintf(err, errlen, "the kernel refused to %s the %s programs: %s (run with --verbose for the kernel's log)",
		 what, backend, strerror(-rc));
	return NT_EXIT_KERNEL;
}

static int on_exit_record(void *ctx, const void *data, size_t size)
{
	struct nt_collector *c = ctx;

	if (size < sizeof(struct nt_task_record))
		return 0;
	c->drain_cb(c->drain_ctx, data);
	return 0;
}

/*
 * Per-connection counters need what wire counting needs of the kernel
 * (socket storage holding task references, the state tracepoint): in
 * calls mode the tracepoint backend keeps them where it has that.
 */
static bool conns_possible(const struct nt_kernel_features *f, enum nt_backend id, bool wire)
{
	char why[256];

	return wire || (id == NT_BACKEND_TRACEPOINT && nt_wire_available(f, id, why, sizeof(why)));
}

/* Switch on the hook programs of one backend, and only those this kernel can take. */
static void select_programs(struct netatop_bpf *skel, enum nt_backend id,
			    const struct nt_kernel_features *f, bool wire, bool conns, bool release)
{
	struct bpf_program *packet[] = {
		skel->progs.tpw_sock_send_length, skel->progs.tpw_sock_recv_length,
		skel->progs.nt_wire_bind4, skel->progs.nt_wire_bind6,
		skel->progs.nt_wire_egress, skel->progs.nt_wire_ingress,
	};
	struct bpf_program *conn[] = {
		skel->progs.nt_sock_state, skel->progs.nt_dump_tcp, skel->progs.nt_dump_udp,
	};
	bool calls_tp = id == NT_BACKEND_TRACEPOINT && !wire;
	struct bpf_program *fx[NT_FN__MAX] = {
		skel->progs.fx_inet_sendmsg, skel->progs.fx_inet_recvmsg,
		skel->progs.fx_inet6_sendmsg, skel->progs.fx_inet6_recvmsg,
		skel->progs.fx_inet_sendpage,
	};
	struct bpf_program *kp[NT_FN__MAX] = {
		skel->progs.kp_inet_sendmsg, skel->progs.kp_inet_recvmsg,
		skel->progs.kp_inet6_sendmsg, skel->progs.kp_inet6_recvmsg,
		skel->progs.kp_inet_sendpage,
	};
	int i;

	bpf_program__set_autoload(skel->progs.tp_sock_send_length, calls_tp && !conns);
	bpf_program__set_autoload(skel->progs.tp_sock_recv_length, calls_tp && !conns);
	bpf_program__set_autoload(skel->progs.tpc_sock_send_length, calls_tp && conns);
	bpf_program__set_autoload(skel->progs.tpc_sock_recv_length, calls_tp && conns);
	for (i = 0; i < (int)(sizeof(packet) / sizeof(packet[0])); i++)
		bpf_program__set_autoload(packet[i], wire);
	for (i = 0; i < (int)(sizeof(conn) / sizeof(conn[0])); i++)
		bpf_program__set_autoload(conn[i], conns);
	bpf_program__set_autoload(skel->progs.nt_sock_release, release);
	/* socket storage costs nothing until used; without it no kernel takes the map */
	bpf_map__set_autocreate(skel->maps.nt_socks, wire || conns);
	bpf_map__set_autocreate(skel->maps.nt_conns_closed, conns);
	for (i = 0; i < NT_FN__MAX; i++) {
		bpf_program__set_autoload(fx[i], id == NT_BACKEND_FENTRY && f->fn[i]);
		bpf_program__set_autoload(kp[i], id == NT_BACKEND_KPROBE && f->fn[i]);
	}
	bpf_program__set_autoload(skel->progs.kr_sock_call, id == NT_BACKEND_KPROBE);
}

static int attach_kretprobes(struct nt_collector *c, const struct nt_kernel_features *f,
			     char *err, size_t errlen)
{
	int i, rc;

	nt_kretprobe_remove_stale();
	for (i = 0; i < NT_FN__MAX; i++) {
		if (!f->fn[i])
			continue;
		rc = nt_kretprobe_attach(&c->kretprobes[i], c->skel->progs.kr_sock_call,
					 nt_hook_fn_names[i], err, errlen);
		if (rc < 0)
			return rc == -EPERM || rc == -EACCES ? NT_EXIT_PRIVILEGE : NT_EXIT_KERNEL;
	}
	return NT_EXIT_OK;
}

/*
 * The packet programs go on the root of the cgroup v2 hierarchy, where
 * they see every local socket; the links live in the skeleton, which
 * detaches them on close.
 */
static int attach_cgroup(struct nt_collector *c, bool wire, char *err, size_t errlen)
{
	struct {
		struct bpf_program *prog;
		struct bpf_link **link;
	} at[] = {
		{ c->skel->progs.nt_wire_egress, &c->skel->links.nt_wire_egress },
		{ c->skel->progs.nt_wire_ingress, &c->skel->links.nt_wire_ingress },
		{ c->skel->progs.nt_wire_bind4, &c->skel->links.nt_wire_bind4 },
		{ c->skel->progs.nt_wire_bind6, &c->skel->links.nt_wire_bind6 },
		{ c->skel->progs.nt_sock_release, &c->skel->links.nt_sock_release },
	};
	size_t n = sizeof(at) / sizeof(at[0]);
	size_t i;
	int fd;

	fd = nt_cgroup_root_open("/proc/self/mountinfo", "/run", c->cgroup_root, sizeof(c->cgroup_root),
				 err, errlen);
	if (fd < 0)
		return fd;
	for (i = 0; i < n; i++) {
		/* counting calls, only the release of UDP sockets is wanted */
		if (!wire && at[i].prog != c->skel->progs.nt_sock_release)
			continue;
		*at[i].link = bpf_program__attach_cgroup(at[i].prog, fd);
		if (!*at[i].link) {
			int e = -errno;

			close(fd);
			snprintf(err, errlen, "cannot attach %s to the cgroup v2 root: %s",
				 bpf_program__name(at[i].prog), strerror(-e));
			return e;
		}
	}
	close(fd);
	return 0;
}

static void collector_unload(struct nt_collector *c)
{
	int i;

	c->adopted = false;

	nt_ring_unmap(&c->exits);
	nt_walk_close(&c->walk);
	nt_conns_close(&c->conn);
	c->conns = false;
	for (i = 0; i < NT_FN__MAX; i++)
		nt_kretprobe_detach(&c->kretprobes[i]);
	netatop_bpf__destroy(c->skel);
	c->skel = NULL;
}

/*
 * adopt: the hook programs already run from the pinned links of an
 * earlier daemon, on the pinned maps; load only what reads them.
 */
static int load_backend(struct nt_collector *c, enum nt_backend id,
			const struct nt_kernel_features *f, bool wire, bool walk, bool adopt,
			char *err, size_t errlen)
{
	const char *name = nt_backend_name(id);
	bool conns = conns_possible(f, id, wire);
	/* counting calls, the kernel loads the cgroup program that sees UDP closes only so */
	bool release = conns && (wire || nt_have_net_admin());
	int rc;

	if (conns && !release)
		nt_log(LOG_NOTICE, "closed UDP sockets are not reported: their cgroup program needs CAP_NET_ADMIN, which this process lacks (let the service give it)");
	c->skel = netatop_bpf__open();
	if (!c->skel)
		return load_error(-errno, "open", name, err, errlen);
	select_programs(c->skel, id, f, wire, conns, release);
	bpf_program__set_autoload(c->skel->progs.nt_walk_procs, walk);
	bpf_map__set_max_entries(c->skel->maps.nt_exited, (__u32)c->exit_bytes);
	c->skel->rodata->nt_wakeup_bytes = c->exit_bytes / 4;
	/* peers come from the packets: wire counting only */
	if (!wire)
		c->udp_peers = 0;
	c->skel->rodata->nt_udp_peers = c->udp_peers;
	bpf_map__set_max_entries(c->skel->maps.nt_peers, c->udp_peers ? NT_PEERS_MAX : 1);
	bpf_map__set_autocreate(c->skel->maps.nt_peers, wire);
	if (adopt) {
		rc = nt_keep_reuse(c);
		if (rc)
			return load_error(rc, "adopt", name, err, errlen);
	}

	rc = netatop_bpf__load(c->skel);
	if (rc)
		return load_error(rc, "load", name, err, errlen);
	rc = netatop_bpf__attach(c->skel);
	if (rc)
		return load_error(rc, "attach", name, err, errlen);
	if (id == NT_BACKEND_KPROBE && !adopt) {
		rc = attach_kretprobes(c, f, err, errlen);
		if (rc != NT_EXIT_OK)
			return rc;
	}
	/* adopted, the hook programs count on through the pinned links: nothing to attach */
	if (wire && !adopt) {
		rc = attach_cgroup(c, true, err, errlen);
		if (rc)
			return rc == -EPERM || rc == -EACCES ? NT_EXIT_PRIVILEGE : NT_EXIT_KERNEL;
	} else if (release && !adopt) {
		char why[512];

		/* TCP connections close by the tracepoint: only closed UDP sockets are missed */
		if (attach_cgroup(c, false, why, sizeof(why)) < 0)
			nt_log(LOG_NOTICE, "closed UDP sockets are not reported: %s", why);
	}
	if (conns) {
		rc = nt_conns_open(&c->conn, bpf_link__fd(c->skel->links.nt_dump_tcp),
				   bpf_link__fd(c->skel->links.nt_dump_udp),
				   bpf_map__fd(c->skel->maps.nt_conns_closed),
				   bpf_map__max_entries(c->skel->maps.nt_conns_closed));
		if (rc < 0)
			nt_log(LOG_NOTICE, "cannot walk the sockets (%s): no per-connection counters",
			       strerror(-rc));
		else
			c->conns = true;
	}
	rc = nt_ring_map(&c->exits, bpf_map__fd(c->skel->maps.nt_exited), c->exit_bytes);
	if (rc)
		return load_error(rc, "map the ring buffer of", name, err, errlen);
	if (walk) {
		rc = nt_walk_open(&c->walk, bpf_program__fd(c->skel->progs.nt_walk_procs),
				  bpf_map__fd(c->skel->maps.nt_live));
		if (rc < 0)
			nt_log(LOG_NOTICE, "cannot set up the live-record array (%s): replies use the task iterator",
			       strerror(-rc));
	}
	c->backend = id;
	c->wire = wire;
	c->adopted = adopt;
	if (adopt && wire)
		snprintf(c->cgroup_root, sizeof(c->cgroup_root), "the links kept in %.140s", c->pins.dir);
	return NT_EXIT_OK;
}

static struct nt_collector *collector_new(size_t exit_bytes, unsigned int udp_peers)
{
	struct nt_collector *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->exit_bytes = exit_bytes;
	c->udp_peers = udp_peers;
	c->pins.dirfd = c->pins.statefd = -1;
	return c;
}

static int open_into(struct nt_collector *c, enum nt_backend id, const struct nt_kernel_features *f,
		     bool wire, bool adopt, char *err, size_t errlen)
{
	int rc;

	rc = load_backend(c, id, f, wire, f->proc_walk, adopt, err, errlen);
	if (rc != NT_EXIT_OK && rc != NT_EXIT_PRIVILEGE && f->proc_walk) {
		/* the walk is an optimisation: never let it cost the backend */
		char walk_err[512];

		snprintf(walk_err, sizeof(walk_err), "%s", err);
		collector_unload(c);
		rc = load_backend(c, id, f, wire, false, adopt, err, errlen);
		if (rc == NT_EXIT_OK)
			nt_log(LOG_NOTICE, "the process walk did not load (%s): replies use the task iterator",
			       walk_err);
	}
	if (rc != NT_EXIT_OK)
		collector_unload(c);
	return rc;
}

static int open_backend(struct nt_collector **cp, enum nt_backend id,
			const struct nt_kernel_features *f, bool wire, size_t exit_bytes,
			unsigned int udp_peers, char *err, size_t errlen)
{
	struct nt_collector *c;
	int rc;

	libbpf_set_print(libbpf_print);
	c = collector_new(exit_bytes, udp_peers);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NT_EXIT_FAILURE;
	}
	rc = open_into(c, id, f, wire, false, err, errlen);
	if (rc != NT_EXIT_OK) {
		nt_collect_close(c);
		return rc;
	}
	*cp = c;
	return NT_EXIT_OK;
}

int nt_collect_open_backend(struct nt_collector **cp, enum nt_backend id,
			    const struct nt_kernel_features *f, bool wire, size_t exit_bytes,
			    char *err, size_t errlen)
{
	return open_backend(cp, id, f, wire, exit_bytes, 0, err, errlen);
}

/*
 * One backend, counting wire packets where it can and `counting` allows;
 * auto falls back to calls, with a line saying why.
 */
static int open_counting(struct nt_collector **cp, enum nt_backend id,
			 const struct nt_kernel_features *f, enum nt_counting counting,
			 size_t exit_bytes, unsigned int udp_peers, char *err, size_t errlen)
{
	char why[256];
	int rc;

	if (counting == NT_COUNT_CALLS)
		return nt_collect_open_backend(cp, id, f, false, exit_bytes, err, errlen);
	if (!nt_wire_available(f, id, why, sizeof(why)) || !nt_wire_allowed(why, sizeof(why))) {
		if (counting == NT_COUNT_WIRE) {
			snprintf(err, errlen, "cannot count wire packets: %s (use --count=calls)", why);
			return NT_EXIT_KERNEL;
		}
		nt_log(LOG_NOTICE, "counting socket calls, not wire packets: %s", why);
		return nt_collect_open_backend(cp, id, f, false, exit_bytes, err, errlen);
	}
	rc = open_backend(cp, id, f, true, exit_bytes, udp_peers, err, errlen);
	if (rc == NT_EXIT_OK || counting == NT_COUNT_WIRE || rc == NT_EXIT_PRIVILEGE)
		return rc;
	nt_log(LOG_NOTICE, "counting socket calls, not wire packets: the packet programs did not load (%s)",
	       err);
	return nt_collect_open_backend(cp, id, f, false, exit_bytes, err, errlen);
}

/*
 * The state an earlier daemon left in pin_dir, if it was made by this
 * build for this request: its links never stopped counting.  Anything
 * else is removed (keep.c says why) and the caller loads afresh.
 */
static bool adopt_kept(struct nt_collector **cp, const char *pin_dir, enum nt_backend want,
		       enum nt_counting counting, size_t exit_bytes, unsigned int udp_peers,
		       const struct nt_kernel_features *f)
{
	struct nt_pin_meta m;
	struct nt_collector *c;
	char stamp[32], err[512];
	const void *obj;
	size_t len;
	int rc;

	c = collector_new(exit_bytes, udp_peers);
	if (!c)
		return false;
	obj = netatop_bpf__elf_bytes(&len);
	nt_pins_stamp(obj, len, stamp, sizeof(stamp));
	if (!nt_keep_open(c, pin_dir, stamp)) {
		free(c);
		return false;
	}
	*cp = c;
	if (!nt_keep_find(c, want, counting, exit_bytes, udp_peers, &m))
		return false;
	rc = open_into(c, (enum nt_backend)m.backend, f, m.wire != 0, true, err, sizeof(err));
	if (rc != NT_EXIT_OK) {
		nt_log(LOG_NOTICE, "cannot adopt the kernel state kept in %s (%s): removed it, counting starts afresh",
		       pin_dir, err);
		nt_pins_state_remove(&c->pins);
		return false;
	}
	nt_log(LOG_INFO, "adopted the kernel state kept in %s: counting went on without a daemon, every counter continues",
	       pin_dir);
	return true;
}

/* A fresh load takes over the pin directory, locked by adopt_kept(), and fills it. */
static void keep_fresh(struct nt_collector *c, struct nt_collector *kept, enum nt_backend want,
		       enum nt_counting counting, unsigned int udp_peers)
{
	if (!kept)
		return;
	c->pins = kept->pins;
	kept->pins.dirfd = kept->pins.statefd = -1;
	nt_keep_pin(c, want, counting, udp_peers);
}

int nt_collect_open(struct nt_collector **cp, enum nt_backend want, enum nt_counting counting,
		    size_t exit_bytes, unsigned int udp_peers, const char *pin_dir,
		    char *err, size_t errlen)
{
	enum nt_backend plan[NT_BACKEND__COUNT];
	struct nt_collector *kept = NULL;
	struct nt_kernel_features f;
	size_t n, i;
	int rc = NT_EXIT_KERNEL;

	libbpf_set_print(libbpf_print);
	nt_probe_kernel(&f);
	if (pin_dir && adopt_kept(&kept, pin_dir, want, counting, exit_bytes, udp_peers, &f)) {
		*cp = kept;
		return NT_EXIT_OK;
	}
	n = nt_backend_plan(&f, want, plan, err, errlen);
	for (i = 0; i < n; i++) {
		rc = open_counting(cp, plan[i], &f, counting, exit_bytes, udp_peers, err, errlen);
		if (rc == NT_EXIT_OK)
			keep_fresh(*cp, kept, want, counting, udp_peers);
		if (rc == NT_EXIT_OK || rc == NT_EXIT_PRIVILEGE) {
			nt_collect_close(kept);
			return rc;
		}
		if (i + 1 < n)
			nt_log(LOG_NOTICE, "backend %s: %s; trying %s", nt_backend_name(plan[i]), err,
			       nt_backend_name(plan[i + 1]));
	}
	nt_collect_close(kept);
	return rc;
}

static void collector_free(struct nt_collector *c, bool keep)
{
	if (!c)
		return;
	/* the pins go first: closing the skeleton then frees what nothing else holds */
	nt_pins_close(&c->pins, !keep);
	collector_unload(c);
	free(c->live);
	free(c->peers);
	free(c);
}

void nt_collect_close(struct nt_collector *c)
{
	collector_free(c, false);
}

void nt_collect_leave(struct nt_collector *c)
{
	collector_free(c, true);
}

bool nt_collect_adopted(const struct nt_collector *c)
{
	return c->adopted;
}

bool nt_collect_keeps_state(const struct nt_collector *c)
{
	return c->pins.statefd >= 0;
}

int nt_collect_chown_state(const struct nt_collector *c, unsigned int uid, unsigned int gid)
{
	return nt_pins_chown(&c->pins, (uid_t)uid, (gid_t)gid);
}

int nt_collect_unload(const char *pin_dir, char *err, size_t errlen)
{
	return nt_pins_unload(pin_dir, err, errlen);
}

const char *nt_collect_backend(const struct nt_collector *c)
{
	return nt_backend_name(c->backend);
}

const char *nt_collect_counting(const struct nt_collector *c)
{
	return nt_counting_name(c->wire ? NT_COUNT_WIRE : NT_COUNT_CALLS);
}

void nt_collect_unattributed(const struct nt_collector *c, struct nt_counters *out)
{
	const volatile struct nt_counters *u = &c->skel->bss->nt_unattributed;

	*out = *(const struct nt_counters *)u;
}

const char *nt_collect_cgroup_root(const struct nt_collector *c)
{
	return c->wire ? c->cgroup_root : NULL;
}

const char *nt_collect_live_source(const struct nt_collector *c)
{
	return c->walk.recs ? "process walk" : "task iterator";
}

int nt_collect_event_fd(const struct nt_collector *c)
{
	/* the ring buffer map polls readable once the programs wake it */
	return bpf_map__fd(c->skel->maps.nt_exited);
}

int nt_collect_drain(struct nt_collector *c, nt_collect_exit_cb cb, void *ctx)
{
	int n;

	c->drain_cb = cb;
	c->drain_ctx = ctx;
	n = nt_ring_consume(&c->exits, on_exit_record, c);
	c->drain_cb = NULL;
	c->drain_ctx = NULL;
	return n < 0 ? n : 0;
}

int nt_collect_live(struct nt_collector *c, const struct nt_task_record **recs, size_t *n)
{
	size_t len = 0, cap_bytes;
	ssize_t got;
	void *tmp;
	int fd;

	if (nt_walk_run(&c->walk, recs, n))
		return 0;
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
	nt_walk_note(&c->walk, *n);
	return 0;
}

bool nt_collect_has_conns(const struct nt_collector *c)
{
	return c->conns;
}

int nt_collect_conns_event_fd(const struct nt_collector *c)
{
	return c->conns ? c->conn.ring_fd : -1;
}

int nt_collect_conns(struct nt_collector *c, unsigned int pid, const struct nt_conn_record **recs,
		     size_t *n)
{
	if (!c->conns) {
		*recs = NULL;
		*n = 0;
		return -ENOTSUP;
	}
	/* the walk runs in this thread, after the store: nothing else reads it */
	c->skel->bss->nt_conn_pid = pid;
	return nt_conns_walk(&c->conn, recs, n);
}

unsigned int nt_collect_udp_peers(const struct nt_collector *c)
{
	return c->conns ? c->udp_peers : 0;
}

/* Every peer the LRU holds, in batches: a few system calls for the 16,384 of a full map. */
int nt_collect_peers(struct nt_collector *c, const struct nt_peer_record **recs, size_t *n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct nt_peer_key keys[1024];
	struct nt_sock_counters vals[1024];
	int fd, rc = 0;
	__u32 count, i;
	__u64 batch = 0;
	size_t got = 0;
	bool first = true;

	*recs = NULL;
	*n = 0;
	if (!c->conns || !c->udp_peers)
		return 0;
	fd = bpf_map__fd(c->skel->maps.nt_peers);
	while (rc == 0) {
		count = 1024;
		rc = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, vals, &count, &opts);
		if (rc < 0 && errno != ENOENT)
			return -errno;
		first = false;
		if (got + count > c->peers_cap) {
			size_t ncap = c->peers_cap ? c->peers_cap * 2 : 4096;
			void *tmp;

			while (ncap < got + count)
				ncap *= 2;
			tmp = realloc(c->peers, ncap * sizeof(*c->peers));
			if (!tmp)
				return -ENOMEM;
			c->peers = tmp;
			c->peers_cap = ncap;
		}
		for (i = 0; i < count; i++) {
			c->peers[got].k = keys[i];
			c->peers[got].c = vals[i];
			got++;
		}
	}
	*recs = c->peers;
	*n = got;
	return 0;
}

int nt_collect_conns_drain(struct nt_collector *c, nt_collect_conn_cb cb, void *ctx)
{
	if (!c->conns)
		return 0;
	return nt_conns_drain(&c->conn, cb, ctx);
}

void nt_collect_drops(const struct nt_collector *c, unsigned long long drops[NT_DROP__MAX])
{
	int i;

	for (i = 0; i < NT_DROP__MAX; i++)
		drops[i] = ((volatile __u64 *)c->skel->bss->nt_drops)[i];
	/* a kretprobe that ran out of instances lost a call */
	for (i = 0; i < NT_FN__MAX; i++)
		drops[NT_DROP_STORAGE] += nt_kretprobe_missed(&c->kretprobes[i]);
}
