/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NETATOP_OPTIONS_H
#define NETATOP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "backends.h"

enum nt_mode {
	NT_MODE_DAEMON,
	NT_MODE_LIST,
	NT_MODE_CHECK,
	NT_MODE_TOP,
	NT_MODE_METRICS,
	NT_MODE_STOP,		/* --stop: tell the daemon to exit, wait for it */
	NT_MODE_UNLOAD,		/* --unload: remove kernel state left by a daemon */
	NT_MODE_HELP,
	NT_MODE_VERSION,
};

/* --count: what a packet is. */
enum nt_counting {
	NT_COUNT_AUTO,		/* wire where the kernel allows it, else calls */
	NT_COUNT_WIRE,		/* IP packets as the interfaces carry them */
	NT_COUNT_CALLS,		/* socket calls and their payload bytes */
};

/* --by: what a line of --top is. */
enum nt_top_by {
	NT_BY_PID,
	NT_BY_COMMAND,
	NT_BY_USER,
	NT_BY_CGROUP,
};

struct nt_options {
	enum nt_mode mode;
	bool foreground;
	bool verbose;
	bool json;
	bool connections;		/* --list --connections */
	long pid;			/* --pid; 0: every process */
	bool no_drop;
	const char *user;
	const char *group;
	const char *socket_path;
	const char *pidfile;
	enum nt_backend backend;
	enum nt_counting counting;
	time_t keep_exited;		/* seconds */
	size_t max_exited;		/* records */
	unsigned int exit_buffer_mib;	/* a power of two */
	unsigned int max_clients;
	time_t client_timeout;		/* seconds */
	/* what outlives the daemon: its kernel state, its exited records */
	const char *pin_dir;		/* bpffs directory; "none": keep nothing */
	const char *state_file;		/* exited records across a --keep-state restart */
	bool keep_state;		/* --stop --keep-state */
	unsigned int udp_peers;		/* --udp-peers: 0, off */
	/* --top */
	unsigned int interval_ms;	/* -d */
	unsigned long count;		/* -n; 0: until q */
	bool batch;			/* -b */
	enum nt_top_by by;
	/* --metrics */
	const char *metrics_file;	/* NULL: stdout */
	const char *metrics_state;	/* NULL: none, each run on its own */
	unsigned int top_n;
};

/* the daemon's run directory (src/daemon/rundir.h) */
#define NT_DEFAULT_RUNDIR	"/run/netatop"
#define NT_DEFAULT_PIDFILE	NT_DEFAULT_RUNDIR "/netatop.pid"
#define NT_DEFAULT_PIN_DIR	"/sys/fs/bpf/netatop"
#define NT_DEFAULT_STATE_FILE	NT_DEFAULT_RUNDIR "/exited.state"
#define NT_DEFAULT_USER		"netatop"
#define NT_DEFAULT_GROUP	"netatop"
#define NT_DEFAULT_KEEP_EXITED	900
#define NT_DEFAULT_MAX_EXITED	100000
#define NT_DEFAULT_EXIT_BUFFER_MIB 2	/* ~18,700 processes exiting at once */
#define NT_MAX_EXIT_BUFFER_MIB	1024
#define NT_DEFAULT_MAX_CLIENTS	256
#define NT_DEFAULT_CLIENT_TIMEOUT 30
#define NT_DEFAULT_INTERVAL_MS	2000
#define NT_DEFAULT_TOP_N	20
#define NT_MAX_UDP_PEERS	64

void nt_options_defaults(struct nt_options *o);

/* 0 on success; -1 with a one-line reason in err. */
int nt_options_parse(struct nt_options *o, int argc, char **argv, char *err, size_t errlen);

void nt_usage(FILE *out);
/* The pin directory to use, NULL for --pin-dir=none. */
const char *nt_options_pin_dir(const struct nt_options *o);
/* "auto", "wire", "calls" */
const char *nt_counting_name(enum nt_counting c);

#endif
