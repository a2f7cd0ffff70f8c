/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon under test ($NETATOP) as a child process with its own socket,
 * pid file and log in a fresh temporary directory, so tests never touch
 * (or depend on) a netatop serving the real system.
 */
#ifndef NT_TEST_HARNESS_H
#define NT_TEST_HARNESS_H

/* The unprivileged user the daemon under test switches to. */
#define HARNESS_USER "nobody"

#include <sys/types.h>
#include <sys/un.h>

#include "traffic.h"

#define HARNESS_SKIP	77	/* automake: SKIP */
#define HARNESS_ERROR	99	/* automake: ERROR */

/* Bound on every wait for the daemon: starting, stopping, a command. */
#define HARNESS_TIMEOUT_MS 10000

#define HARNESS_DIR_MAX 80	/* leaves room for the socket name in sun_path */

struct harness {
	char dir[HARNESS_DIR_MAX];
	char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char pidfile[HARNESS_DIR_MAX + 16];
	char log[HARNESS_DIR_MAX + 16];
	pid_t pid;		/* 0 when not running */
	int status;		/* wait status once it has exited */
};

/*
 * Exit 77 when this machine cannot run the daemon (not root, no BTF), or
 * 99 instead when CI=true: in CI a skipped suite must never look green.
 */
void harness_require_root_bpf(void);

/* $NETATOP; exits 99 when unset, as the suite was started the wrong way. */
const char *harness_netatop(void);

/* Make the temporary directory and the paths in it; nothing runs yet. */
int harness_prepare(struct harness *h);

/* Most words taken from $NETATOP_DAEMON_ARGS, and from extra. */
#define HARNESS_MAX_ARGS 16

/*
 * Fill argv (max entries, NULL-terminated) with the daemon's command line:
 * `$NETATOP -f --socket SOCK --pidfile PIDFILE`, the words of
 * $NETATOP_DAEMON_ARGS (e.g. --backend=kprobe: a suite can be run once per
 * backend), then extra (NULL-terminated, or NULL).  Returns the count.
 */
size_t harness_daemon_argv(const char **argv, size_t max, const char *sock,
			   const char *pidfile, const char *const *extra);

/* Run that command line for h, stdout and stderr appended to LOG. */
int harness_launch(struct harness *h, const char *const *extra);

/* Poll connect() on the socket until it succeeds; -1 if the daemon died or timed out. */
int harness_wait_ready(struct harness *h);

/* prepare + launch + wait_ready; on failure the log goes to stderr. */
int harness_start(struct harness *h, const char *const *extra);

/*
 * SIGTERM, then wait.  Returns the exit status (0..255), 128+signal if it
 * was killed, or -1 if it would not stop (it is then SIGKILLed).
 */
int harness_stop(struct harness *h);

/*
 * In a test: harness_stop(), which must give 0 (else the daemon's log goes
 * to stderr and the test fails), then harness_cleanup().
 */
void harness_stop_ok(struct harness *h);

/* The daemon's log, malloc'ed and NUL-terminated ("" if none). */
char *harness_read_log(const struct harness *h);

/* Remove the temporary directory and what the daemon left in it. */
void harness_cleanup(struct harness *h);

/*
 * Run a command to completion (bounded by HARNESS_TIMEOUT_MS, then
 * SIGKILL).  Its stdout is returned in *out (malloc'ed) if out is not
 * NULL; stderr is appended to errlog, or discarded if errlog is NULL.
 * Returns the exit status as harness_stop() does.
 */
int harness_run(const char *const *argv, const char *errlog, char **out);

/* A connect() as atop does it: 0 if somebody accepts on path. */
int harness_socket_connectable(const char *path);

/*
 * The children of traffic case `name` (tag, count and size replace the
 * case's own unless NULL or 0), forked and held before any traffic; in
 * btime[], the btime atop computes for each, which needs them alive.  Any
 * failure fails the test.
 */
void harness_traffic_prepare(struct traffic_case *tc, unsigned long btime[TRAFFIC_MAX_CHILDREN],
			     const char *name, const char *tag, unsigned int count, size_t size);

/* Let them move their traffic; they stay alive with final counters. */
void harness_traffic_go(struct traffic_case *tc);

/* Let them exit and reap them; one that failed fails the test. */
void harness_traffic_finish(struct traffic_case *tc);

/*
 * main() of a suite that shares one daemon: skip without root and BPF,
 * start the daemon, run the suite, stop the daemon (showing its log when
 * anything failed).  Returns the process exit status.
 */
struct Suite;
int harness_run_suite(struct harness *h, struct Suite *suite);

/* A test case of its own, named and with its timeout in seconds, in suite. */
struct TTest;
void harness_add_test(struct Suite *suite, const char *name, const struct TTest *test,
		      unsigned int timeout_s);

#endif
