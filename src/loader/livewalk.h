/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The live records of a reply from the open-coded process walk (Linux
 * 6.7+): the nt_walk_procs program writes them into an array map the
 * daemon has mapped, found through the one-slot map-of-maps nt_live.  The
 * array follows the number of tracked processes, so an idle daemon keeps
 * a small one and a reply never needs two walks twice in a row.
 */
#ifndef NETATOP_LIVEWALK_H
#define NETATOP_LIVEWALK_H

#include <stdbool.h>
#include <stddef.h>

#include "records.h"

#define NT_WALK_MIN_SLOTS 1024u		/* 104 KB */
#define NT_WALK_MAX_SLOTS 65536u	/* 6.8 MB; beyond, the task iterator */

struct nt_walk {
	int prog_fd;
	int outer_fd;
	int slots_fd;			/* valid while recs is */
	const struct nt_task_record *recs;
	size_t slots;
	size_t map_len;
	size_t last;			/* tracked processes at the last reply */
	bool beyond_logged;
	bool resize_failed_logged;
};

/*
 * The array size for `seen` tracked processes when it has `slots`: room
 * for a quarter more, in powers of two within the limits; it shrinks only
 * below an eighth, so a count going up and down does not resize each time.
 * 0 when seen is beyond NT_WALK_MAX_SLOTS.
 */
size_t nt_walk_slots_for(size_t slots, size_t seen);

/* Take the loaded program and map-of-maps; makes the first array. -errno on failure. */
int nt_walk_open(struct nt_walk *w, int prog_fd, int outer_fd);

/*
 * Run the walk.  1: *recs and *n hold this reply's live records, valid
 * until the next call; 0: the caller must use the task iterator for this
 * reply (too many processes, or the walk failed: logged once).
 */
int nt_walk_run(struct nt_walk *w, const struct nt_task_record **recs, size_t *n);

/* The task iterator served a reply with n records: a hint for the next one. */
void nt_walk_note(struct nt_walk *w, size_t n);

void nt_walk_close(struct nt_walk *w);

#endif
