/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ways netatop can hook the kernel, and their names: what --backend
 * takes, what the daemon loads and logs, what --check and the status
 * file report.  One list, so that they all say the same.
 */
#ifndef NETATOP_BACKENDS_H
#define NETATOP_BACKENDS_H

enum nt_backend {
	NT_BACKEND_TRACEPOINT,		/* best first: the order auto tries them in */
	NT_BACKEND_FENTRY,
	NT_BACKEND_KPROBE,
	NT_BACKEND__COUNT,
	/* --backend=auto: the best the kernel takes; asked for, never loaded */
	NT_BACKEND_AUTO = NT_BACKEND__COUNT,
};

/* "tracepoint", "fentry", "kprobe" or "auto"; "?" for anything else. */
const char *nt_backend_name(enum nt_backend b);

/* The backend (or auto) named name; 0, or -1 when it names none. */
int nt_backend_parse(const char *name, enum nt_backend *b);

#endif
