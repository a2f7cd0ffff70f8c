/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which way to hook the kernel, from what it offers.  Pure logic: the
 * loading itself is in collect.c.  A backend that passes here may still
 * be refused when loading (fentry without BPF trampolines): auto mode
 * then tries the next candidate.
 */
#ifndef NETATOP_BACKEND_H
#define NETATOP_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "backends.h"
#include "kernel_probe.h"

/* Empty reason: the kernel can run netatop at all (version, BTF, map and program types). */
void nt_kernel_requirements(const struct nt_kernel_features *f, char *reason, size_t len);

/* Can this kernel run `id`?  If not, why, in `reason`. */
bool nt_backend_available(const struct nt_kernel_features *f, enum nt_backend id,
			  char *reason, size_t len);

/*
 * Can this kernel count wire packets with backend `id`?  The packet
 * programs need the tracepoint backend's per-call hooks to learn who
 * owns a socket.  If not, why, in `reason`.
 */
bool nt_wire_available(const struct nt_kernel_features *f, enum nt_backend id,
		       char *reason, size_t len);

/*
 * The backends to try, best first: every available one for auto, or the
 * one asked for.  Returns how many (0: none; `reason` says why).
 */
size_t nt_backend_plan(const struct nt_kernel_features *f, enum nt_backend want,
		       enum nt_backend plan[NT_BACKEND__COUNT], char *reason, size_t len);

#endif
