/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What --check reads about atop, as pure functions of strings and files
 * so the unit tests can feed them anything: the version atop -V prints,
 * atop's flags on a command line, and LOGOPTS in atop's defaults file.
 */
#ifndef NETATOP_ATOPPARSE_H
#define NETATOP_ATOPPARSE_H

#include <stdbool.h>
#include <stddef.h>

struct nt_atop_version {
	unsigned int major, minor, patch;
};

/*
 * The version in atop -V's output ("Version: 2.11.1 - 2025/03/25 ...");
 * 0, or -1 when the text holds none.
 */
int nt_atop_version_parse(const char *text, struct nt_atop_version *v);
/* <0, 0, >0 as a is older than, the same as, newer than b. */
int nt_atop_version_cmp(const struct nt_atop_version *a, const struct nt_atop_version *b);

/* How an atop of that version gets to netatop's counters. */
enum nt_atop_talk {
	NT_ATOP_TOO_OLD,	/* before 2.10.0: only the netatop kernel module */
	NT_ATOP_CONNECTS,	/* 2.10.0 to 2.11.0: by itself */
	NT_ATOP_NEEDS_K,	/* 2.11.1 and later: only with -K */
};
enum nt_atop_talk nt_atop_talk(const struct nt_atop_version *v);

/* What an atop command line asks for, of what --check cares about. */
struct nt_atop_flags {
	bool netatop;	/* -K, --netatop */
	bool write;	/* -w FILE, --write: the raw log */
};

/* atop's options in argv[0..argc), parsed as atop's getopt_long() would. */
void nt_atop_flags_scan(const char *const *argv, size_t argc, struct nt_atop_flags *f);
/* A /proc/PID/cmdline (NUL-separated, len bytes) runs the program `name`. */
bool nt_atop_argv0_is(const char *cmdline, size_t len, const char *name);
/* The same for atop, with its flags in *f. */
bool nt_atop_cmdline_scan(const char *buf, size_t len, struct nt_atop_flags *f);
/* The flags in a LOGOPTS value, split on blanks as the service's shell splits it. */
void nt_atop_logopts_flags(const char *value, struct nt_atop_flags *f);

/*
 * The value of the last LOGOPTS assignment in the text of a defaults file
 * (shell syntax, as atop.daily sources it and systemd's EnvironmentFile
 * reads it: quotes, comments, "export"): 1, or 0 when none assigns it.
 */
int nt_atop_logopts_parse(const char *text, char *value, size_t len);
/* The same from a file: 1, 0, or -1 with errno when it cannot be read. */
int nt_atop_logopts_read(const char *path, char *value, size_t len);

#endif
