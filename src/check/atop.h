/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The atop section of `netatop --check`: which atop is installed, whether
 * it can use the daemon, whether its daily log runs with -K, and whether
 * it sees exited processes.  atop is optional: these lines never change
 * the verdict nor the exit status.
 */
#ifndef NETATOP_ATOP_H
#define NETATOP_ATOP_H

#include <stddef.h>

#define NT_ATOP_LINES 3

struct nt_atop_line {
	const char *name;
	const char *status;	/* "ok", "missing", "info", as the other lines of --check */
	char detail[384];
};

/* Where the section looks: this system, or a tree a test made. */
struct nt_atop_env {
	const char *search;		/* directories to find atop in, ':'-separated */
	const char *proc;		/* /proc */
	const char *debian_conf;	/* /etc/default/atop */
	const char *fedora_conf;	/* /etc/sysconfig/atop */
	const char *sysconfig_dir;	/* /etc/sysconfig: a Fedora-like system */
	const char *systemd_dir;	/* /run/systemd/system: systemd runs */
	int version_timeout_ms;		/* how long atop -V may take */
};

void nt_atop_env_system(struct nt_atop_env *env);

/* Fill line[0..NT_ATOP_LINES) with the section; returns how many lines. */
size_t nt_atop_check(const struct nt_atop_env *env, struct nt_atop_line *line);

#endif
