/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kretprobes with a large maxactive.  A kretprobe can follow only
 * `maxactive` calls of a function at once, and the default (about twice
 * the CPU count) silently loses the returns of receivers that block.
 * Only tracefs's kprobe_events lets us choose it, so these are created
 * there, named netatop/<function>_<pid>, and removed at exit.
 */
#ifndef NETATOP_KRETPROBE_H
#define NETATOP_KRETPROBE_H

#include <sys/types.h>

struct bpf_program;
struct bpf_link;

#define NT_KRETPROBE_MAXACTIVE 4096	/* the kernel's upper limit */

struct nt_kretprobe {
	char event[64];
	struct bpf_link *link;
};

/* Returns 0 or -errno; err says what failed. */
int nt_kretprobe_attach(struct nt_kretprobe *kr, struct bpf_program *prog, const char *func,
			char *err, size_t errlen);
void nt_kretprobe_detach(struct nt_kretprobe *kr);

/* Returns the kernel missed because maxactive was exhausted. */
unsigned long long nt_kretprobe_missed(const struct nt_kretprobe *kr);

/* Remove events left by a netatop that died without cleaning up. */
void nt_kretprobe_remove_stale(void);

#endif
