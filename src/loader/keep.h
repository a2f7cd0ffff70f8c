/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Counting that outlives the daemon: after loading, the maps and links go
 * into bpffs (pins.h); a daemon that starts and finds a state made for
 * the same request by the same build adopts it instead of loading anew.
 * Every decision that costs the counters is logged, in one line.
 */
#ifndef NETATOP_KEEP_H
#define NETATOP_KEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "backends.h"
#include "options.h"
#include "pins.h"

struct nt_collector;

/* Lock `dir` for this daemon; false (logged) when it keeps nothing there. */
bool nt_keep_open(struct nt_collector *c, const char *dir, const char *stamp);

/*
 * Is there a complete state of this build, made for this request?  A state
 * of another build, another request or an incomplete one is removed, and
 * the line says so.  On true, `m` says what the state is.
 */
bool nt_keep_find(struct nt_collector *c, enum nt_backend want, enum nt_counting counting,
		  size_t exit_bytes, unsigned int udp_peers, struct nt_pin_meta *m);

/*
 * Between open and load: let the skeleton use the pinned maps, and load
 * none of the hook programs the pinned links already run.  0, or -errno
 * when a pin is missing.
 */
int nt_keep_reuse(struct nt_collector *c);

/* After a fresh load: pin it all for the next daemon (a failure is logged, and costs only that). */
void nt_keep_pin(struct nt_collector *c, enum nt_backend want, enum nt_counting counting,
		 unsigned int udp_peers);

#endif
