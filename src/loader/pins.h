/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel state a daemon leaves for the next one: its maps and links
 * pinned in a bpffs directory, so that counting goes on while no daemon
 * runs (a restart, an upgrade, a crash) and the next daemon adopts it.
 *
 *   DIR/                   the --pin-dir, locked (flock) by the daemon using it
 *   DIR/state-STAMP/       one daemon's state; STAMP hashes the BPF object
 *                          and the record layouts, so a daemon never adopts
 *                          state it would misread
 *   DIR/state-STAMP/meta   what was asked for and loaded (struct nt_pin_meta),
 *                          pinned last: without it the state is incomplete
 *
 * No libbpf objects here: only bpffs, the bpf(2) pin calls and the one
 * small map that holds the meta record.
 */
#ifndef NETATOP_PINS_H
#define NETATOP_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NT_PIN_NAME_MAX 48

struct nt_pins {
	int dirfd;		/* DIR, flock()ed; -1: not pinning */
	int statefd;		/* DIR/state-STAMP, or -1 */
	char dir[200];
	char state[32];		/* "state-" and 16 hex digits */
};

/* What a state was made for: a daemon adopts it only if it asks the same. */
struct nt_pin_meta {
	uint64_t magic;
	uint32_t asked_backend;		/* enum nt_backend, as asked (auto included) */
	uint32_t asked_counting;	/* enum nt_counting, as asked */
	uint32_t backend;		/* enum nt_backend, as loaded */
	uint32_t wire;			/* 1: counting packets */
	uint64_t exit_bytes;		/* the ring buffer's size */
	uint32_t nlinks;		/* links pinned, for the check */
	uint32_t udp_peers;		/* --udp-peers, counting packets; else 0 */
};

#define NT_PIN_META_MAGIC 0x6e74706d65746131ULL	/* "ntpmeta1" */

/* The STAMP of this build: the BPF object and the record layouts, plus NETATOP_TEST_LAYOUT. */
void nt_pins_stamp(const void *obj, size_t len, char *out, size_t outlen);

/*
 * Open (mounting bpffs on /sys/fs/bpf if nothing is there, creating DIR)
 * and lock DIR.  0; -EBUSY when another daemon holds it; else -errno with
 * the reason in err.
 */
int nt_pins_open(struct nt_pins *p, const char *dir, const char *stamp, char *err, size_t errlen);

/* Remove the states of other STAMPs; how many there were. */
int nt_pins_drop_others(struct nt_pins *p);

/* Open DIR/state-STAMP: 0, or -ENOENT when there is none. */
int nt_pins_state_open(struct nt_pins *p);
/* Create an empty DIR/state-STAMP (after nt_pins_state_remove if need be). */
int nt_pins_state_create(struct nt_pins *p);
/* Remove DIR/state-STAMP and everything in it. */
void nt_pins_state_remove(struct nt_pins *p);

/* A pinned object of the state: fd, or -errno. */
int nt_pins_get(const struct nt_pins *p, const char *name);
/* Pin fd as `name` in the state: 0 or -errno. */
int nt_pins_put(const struct nt_pins *p, int fd, const char *name);

int nt_pins_meta_read(const struct nt_pins *p, struct nt_pin_meta *m);
int nt_pins_meta_write(const struct nt_pins *p, const struct nt_pin_meta *m);

/* Let the group the daemon drops to remove the state at stop (root keeps DIR, mode 0770). */
int nt_pins_chown(const struct nt_pins *p, uid_t uid, gid_t gid);

/*
 * Let go.  remove: take everything out of bpffs (the kernel frees the
 * programs and maps once the daemon's own descriptors close); DIR itself
 * goes too where the daemon may still remove it (root).
 */
void nt_pins_close(struct nt_pins *p, bool remove);

/*
 * netatop --unload: remove DIR and all in it, unless a daemon holds it
 * (-EBUSY).  0 also when there was nothing.
 */
int nt_pins_unload(const char *dir, char *err, size_t errlen);

#endif
