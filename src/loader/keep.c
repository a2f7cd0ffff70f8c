// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "keep.h"
#include "collect_priv.h"
#include "log.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netatop.skel.h"

/*
 * The maps that hold counters or records; nt_live and .rodata are each
 * daemon's own.  The rings go too: what the programs wrote and no daemon
 * read yet waits there for the next one (the consumer position is the
 * ring's, not the reader's).
 */
struct kept_map {
	const char *pin;
	struct bpf_map *map;
};

#define NT_KEPT_MAPS_MAX 7

static size_t kept_maps(struct netatop_bpf *skel, struct kept_map out[NT_KEPT_MAPS_MAX])
{
	size_t n = 0;

	out[n++] = (struct kept_map){ "tasks", skel->maps.nt_tasks };
	out[n++] = (struct kept_map){ "exited", skel->maps.nt_exited };
	out[n++] = (struct kept_map){ "bss", skel->maps.bss };
	out[n++] = (struct kept_map){ "inflight", skel->maps.nt_inflight };
	/* the per-socket counters of the connection view live in the socket storage */
	if (bpf_map__autocreate(skel->maps.nt_socks))
		out[n++] = (struct kept_map){ "socks", skel->maps.nt_socks };
	if (bpf_map__autocreate(skel->maps.nt_conns_closed))
		out[n++] = (struct kept_map){ "conns_closed", skel->maps.nt_conns_closed };
	if (bpf_map__autocreate(skel->maps.nt_peers))
		out[n++] = (struct kept_map){ "peers", skel->maps.nt_peers };
	return n;
}

/*
 * Hook programs count, so they stay with their links; the readers (the
 * task walks, the socket walks of the connection query) are each
 * daemon's own.
 */
static bool is_hook(struct netatop_bpf *skel, const struct bpf_program *prog)
{
	return prog != skel->progs.nt_dump_tasks && prog != skel->progs.nt_walk_procs &&
	       prog != skel->progs.nt_dump_tcp && prog != skel->progs.nt_dump_udp;
}

/*
 * Attached where it can be (collect.c): counting calls, a daemon whose
 * cgroup attach failed kept it without a link, and its state counts all
 * the rest.
 */
static bool is_optional(struct netatop_bpf *skel, const struct bpf_program *prog)
{
	return prog == skel->progs.nt_sock_release;
}

static void link_pin_name(const struct bpf_program *prog, char *out, size_t len)
{
	snprintf(out, len, "link_%s", bpf_program__name(prog));
}

bool nt_keep_open(struct nt_collector *c, const char *dir, const char *stamp)
{
	char err[256];
	int rc;

	rc = nt_pins_open(&c->pins, dir, stamp, err, sizeof(err));
	if (rc == 0)
		return true;
	nt_log(LOG_WARNING, "%s: this daemon's counters will not survive it", err);
	return false;
}

bool nt_keep_find(struct nt_collector *c, enum nt_backend want, enum nt_counting counting,
		  size_t exit_bytes, unsigned int udp_peers, struct nt_pin_meta *m)
{
	int rc;

	if (nt_pins_drop_others(&c->pins) > 0)
		nt_log(LOG_NOTICE, "the kernel state kept in %s has another layout (another netatop build): removed it, counting starts afresh",
		       c->pins.dir);
	if (nt_pins_state_open(&c->pins) < 0)
		return false;
	rc = nt_pins_meta_read(&c->pins, m);
	if (rc < 0) {
		nt_log(LOG_NOTICE, "the kernel state kept in %s/%s is incomplete (%s): removed it, counting starts afresh",
		       c->pins.dir, c->pins.state, strerror(-rc));
		nt_pins_state_remove(&c->pins);
		return false;
	}
	if (m->asked_backend != (uint32_t)want || m->asked_counting != (uint32_t)counting ||
	    m->exit_bytes != exit_bytes) {
		nt_log(LOG_NOTICE, "the kernel state kept in %s was made for --backend=%s --count=%s --exit-buffer=%llu, this daemon asks --backend=%s --count=%s --exit-buffer=%zu: removed it, counting starts afresh",
		       c->pins.dir, nt_backend_name((enum nt_backend)m->asked_backend),
		       nt_counting_name((enum nt_counting)m->asked_counting),
		       (unsigned long long)(m->exit_bytes >> 20), nt_backend_name(want),
		       nt_counting_name(counting), exit_bytes >> 20);
		nt_pins_state_remove(&c->pins);
		return false;
	}
	/* the packet programs read --udp-peers from their own, pinned, read-only data */
	if (m->wire && m->udp_peers != udp_peers) {
		nt_log(LOG_NOTICE, "the kernel state kept in %s was made for --udp-peers=%u, this daemon asks --udp-peers=%u: removed it, counting starts afresh",
		       c->pins.dir, m->udp_peers, udp_peers);
		nt_pins_state_remove(&c->pins);
		return false;
	}
	return true;
}

int nt_keep_reuse(struct nt_collector *c)
{
	struct bpf_object_skeleton *s = c->skel->skeleton;
	struct kept_map maps[NT_KEPT_MAPS_MAX];
	char name[NT_PIN_NAME_MAX];
	size_t i, n;
	int fd, rc;

	n = kept_maps(c->skel, maps);
	for (i = 0; i < n; i++) {
		fd = nt_pins_get(&c->pins, maps[i].pin);
		if (fd < 0)
			return fd;
		rc = bpf_map__reuse_fd(maps[i].map, fd);
		close(fd);
		if (rc)
			return rc;
	}
	/* the links that count must all be there, or the kept state counts less than it should */
	for (i = 0; i < (size_t)s->prog_cnt; i++) {
		struct bpf_program *prog = *s->progs[i].prog;

		if (!bpf_program__autoload(prog) || !is_hook(c->skel, prog))
			continue;
		link_pin_name(prog, name, sizeof(name));
		fd = nt_pins_get(&c->pins, name);
		if (fd < 0 && !(fd == -ENOENT && is_optional(c->skel, prog)))
			return fd;
		if (fd >= 0)
			close(fd);
		bpf_program__set_autoload(prog, false);
	}
	return 0;
}

static int pin_all(struct nt_collector *c, enum nt_backend want, enum nt_counting counting,
		   unsigned int udp_peers)
{
	struct bpf_object_skeleton *s = c->skel->skeleton;
	struct nt_pin_meta m = {
		.magic = NT_PIN_META_MAGIC,
		.asked_backend = (uint32_t)want,
		.asked_counting = (uint32_t)counting,
		.backend = (uint32_t)c->backend,
		.wire = c->wire,
		.exit_bytes = c->exit_bytes,
		.udp_peers = c->wire ? udp_peers : 0,
	};
	struct kept_map maps[NT_KEPT_MAPS_MAX];
	char name[NT_PIN_NAME_MAX];
	size_t i, n;
	int rc;

	nt_pins_state_remove(&c->pins);
	rc = nt_pins_state_create(&c->pins);
	if (rc < 0)
		return rc;
	n = kept_maps(c->skel, maps);
	for (i = 0; i < n; i++) {
		rc = nt_pins_put(&c->pins, bpf_map__fd(maps[i].map), maps[i].pin);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < (size_t)s->prog_cnt; i++) {
		struct bpf_program *prog = *s->progs[i].prog;
		struct bpf_link *link = *s->progs[i].link;

		if (!link || !is_hook(c->skel, prog))
			continue;
		link_pin_name(prog, name, sizeof(name));
		rc = nt_pins_put(&c->pins, bpf_link__fd(link), name);
		if (rc < 0)
			return rc;
		m.nlinks++;
	}
	/* last: a state without its meta is incomplete, and never adopted */
	return nt_pins_meta_write(&c->pins, &m);
}

void nt_keep_pin(struct nt_collector *c, enum nt_backend want, enum nt_counting counting,
		 unsigned int udp_peers)
{
	int rc;

	if (c->pins.dirfd < 0)
		return;
	if (c->backend == NT_BACKEND_KPROBE) {
		/* tracefs kretprobes are no BPF links: nothing to pin them by */
		nt_log(LOG_NOTICE, "the kprobe backend cannot keep counting without the daemon: counters will not survive a restart");
		nt_pins_close(&c->pins, true);
		return;
	}
	rc = pin_all(c, want, counting, udp_peers);
	if (rc < 0) {
		nt_log(LOG_WARNING, "cannot keep the kernel state in %s (%s): counters will not survive a restart",
		       c->pins.dir, strerror(-rc));
		nt_pins_close(&c->pins, true);
	}
}
