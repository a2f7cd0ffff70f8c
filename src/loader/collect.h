/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The only code that touches the BPF object: load and attach it, read
 * the live counters through the task iterator, drain the final counters
 * of exited processes from the ring buffer, read the loss counters.
 */
#ifndef NETATOP_COLLECT_H
#define NETATOP_COLLECT_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "options.h"
#include "records.h"

struct nt_collector;

/*
 * Probe the kernel and load the best backend (or the one asked for),
 * falling back to the next candidate when the kernel refuses one.
 * Returns an nt_exit status; err holds the one-line reason on failure.
 */
int nt_collect_open(struct nt_collector **cp, enum nt_backend want, enum nt_counting counting,
		    size_t exit_bytes, unsigned int udp_peers, const char *pin_dir,
		    char *err, size_t errlen);

/* Peers remembered across every unconnected UDP socket (--udp-peers on). */
#define NT_PEERS_MAX 16384

/*
 * Load exactly one backend (for --check's proof), counting wire packets
 * or calls.  exit_bytes: a power of two.
 */
int nt_collect_open_backend(struct nt_collector **cp, enum nt_backend id,
			    const struct nt_kernel_features *f, bool wire, size_t exit_bytes,
			    char *err, size_t errlen);
/*
 * With a pin_dir (a bpffs directory, or NULL to keep nothing), the state
 * an earlier daemon kept there for the same request is adopted: its
 * counting never stopped.  Otherwise the fresh load is kept there.
 *
 * nt_collect_close(): stop counting, and remove the kept state, so nothing
 * is left in the kernel.  nt_collect_leave(): let go but leave the kept
 * state counting, for the next daemon.
 */
void nt_collect_close(struct nt_collector *c);
void nt_collect_leave(struct nt_collector *c);
/* Counting continues from an earlier daemon. */
bool nt_collect_adopted(const struct nt_collector *c);
/* The state is kept in bpffs: it will outlive this daemon. */
bool nt_collect_keeps_state(const struct nt_collector *c);
/* Let the daemon's unprivileged user remove the kept state when it stops. */
int nt_collect_chown_state(const struct nt_collector *c, unsigned int uid, unsigned int gid);
/* netatop --unload: remove what pin_dir holds; 0, -EBUSY while a daemon uses it, -errno. */
int nt_collect_unload(const char *pin_dir, char *err, size_t errlen);

const char *nt_collect_backend(const struct nt_collector *c);
/* "wire" or "calls" */
const char *nt_collect_counting(const struct nt_collector *c);
/* Where the packet programs reached the cgroup v2 root; NULL when counting calls. */
const char *nt_collect_cgroup_root(const struct nt_collector *c);
/* What the packet programs saw that no process owns (zeros when counting calls). */
void nt_collect_unattributed(const struct nt_collector *c, struct nt_counters *out);
/* How live records are gathered: "process walk" (Linux 6.7+) or "task iterator". */
const char *nt_collect_live_source(const struct nt_collector *c);

/* Readable when the exit ring buffer is filling up and wants draining. */
int nt_collect_event_fd(const struct nt_collector *c);

/* Called with the final counters of each process that exited. */
typedef void (*nt_collect_exit_cb)(void *ctx, const struct nt_task_record *rec);

/* Hand the final counters of the processes that exited since the last call to cb. */
int nt_collect_drain(struct nt_collector *c, nt_collect_exit_cb cb, void *ctx);

/* Live processes; the array stays valid until the next call. */
int nt_collect_live(struct nt_collector *c, const struct nt_task_record **recs, size_t *n);

/* Whether per-connection counters are kept (socket storage, Linux 6.4+). */
bool nt_collect_has_conns(const struct nt_collector *c);

/* Readable when the ring of closed connections is filling up; -1 without one. */
int nt_collect_conns_event_fd(const struct nt_collector *c);

/*
 * The open connections of live processes, of process `pid` only unless it
 * is 0; valid until the next call; -ENOTSUP without.
 */
int nt_collect_conns(struct nt_collector *c, unsigned int pid, const struct nt_conn_record **recs,
		     size_t *n);

/* --udp-peers: how many peers of an unconnected UDP socket to show; 0: none kept. */
unsigned int nt_collect_udp_peers(const struct nt_collector *c);

/* Every peer of an unconnected UDP socket remembered; valid until the next call. */
int nt_collect_peers(struct nt_collector *c, const struct nt_peer_record **recs, size_t *n);

typedef void (*nt_collect_conn_cb)(void *ctx, const struct nt_conn_record *rec);

/* Hand the final counters of the connections closed since the last call to cb. */
int nt_collect_conns_drain(struct nt_collector *c, nt_collect_conn_cb cb, void *ctx);

void nt_collect_drops(const struct nt_collector *c, unsigned long long drops[NT_DROP__MAX]);

#endif
