/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the robustness suites share: a daemon of their own per test, a
 * reference process whose counters are known exactly, and a well-behaved
 * client that polls as atop does (one connection, one request at a time)
 * in a thread while a test misbehaves, checking every reply and timing it.
 *
 * Only completeness and exactness are asserted.  Latency is printed
 * ("case: worst X ms, median Y ms"), never compared with a budget, except
 * that a reply taking more than POLL_BLOCKED_MS fails: that is a daemon
 * blocked by a hostile client, not noise of a loaded machine.
 */
#ifndef NT_TEST_ROBUST_H
#define NT_TEST_ROBUST_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../integration/atop_client.h"
#include "../integration/harness.h"
#include "../integration/traffic.h"

#define REC_SIZE		sizeof(struct netpertask)
#define POLL_BLOCKED_MS		5000

/* ------------------------------------------------------------ daemon */

/* harness_start() or fail the test (the log goes to stderr). */
void rb_start(struct harness *h, const char *const *extra);

/* The daemon is still running: it neither died nor exited. */
void rb_expect_alive(struct harness *h, const char *when);

/* Alive, then SIGTERM: it must exit 0.  Removes its directory. */
void rb_stop(struct harness *h);

/* Lines of the daemon's log that contain needle. */
unsigned int rb_log_count(const struct harness *h, const char *needle);

/* ------------------------------------------------------------ known processes */

/* Live processes with exactly known counters (a traffic case, kept alive). */
struct rb_ref {
	struct traffic_case tc;
	unsigned long btime[TRAFFIC_MAX_CHILDREN];
};

/* Run the named traffic case; its children stay alive with final counters. */
void rb_ref_start(struct rb_ref *r, const char *name, const char *tag,
		  unsigned int count, size_t size);
void rb_ref_stop(struct rb_ref *r);

/* 0 when every child of r is in the reply (atop's view) exactly; else -1 and why. */
int rb_ref_check(const struct atop_reply *reply, const struct rb_ref *r, char *msg, size_t len);

/*
 * Processes that each send one UDP datagram and exit, so that every
 * reply of the daemon carries their final records: n of them make a
 * reply of n * REC_SIZE bytes and more.  Their pids and sizes are kept
 * to check a sample of the exited records.
 */
struct rb_gone {
	char comm[NETATOP_COMMLEN];
	unsigned int n;
	pid_t *pid;
	size_t *size;
};

/* one_by_one: each has exited before the next starts, so they exit in order. */
void rb_gone_spawn(struct rb_gone *g, unsigned int n, const char *comm, bool one_by_one);
void rb_gone_free(struct rb_gone *g);

/*
 * Index in reply->raw of the record of process i of g: its pid, its
 * command and exactly its counters.  Pids are reused (by other tests
 * running meanwhile too), so a record for the pid may be another's.
 */
long rb_gone_find(const struct atop_reply *reply, const struct rb_gone *g, unsigned int i);

/* Record i of g is in reply, exact: 0; else -1 and why. */
int rb_gone_check(const struct atop_reply *reply, const struct rb_gone *g, unsigned int i,
		  char *msg, size_t len);

/* Wait until the daemon's reply carries every record of g. */
void rb_gone_wait(const char *sock, const struct rb_gone *g);

/* ------------------------------------------------------------ the well-behaved client */

struct rb_poller {
	pthread_t thread;
	bool running;
	const char *sock;
	const struct rb_ref *ref;	/* must be exact in every reply */
	const struct rb_gone *gone;	/* or NULL: a sample must be exact in every reply */
	unsigned int gap_ms;		/* pause between two polls */
	volatile int stop;
	/* results */
	pthread_mutex_t lock;		/* over the figures */
	unsigned int polls;
	double *lat_ms;
	size_t nlat, latcap;
	size_t min_records, max_records;
	char err[512];
};

/* Connect and start polling in a thread; the first reply is checked before it returns. */
void rb_poller_start(struct rb_poller *p, const char *sock, const struct rb_ref *ref,
		     const struct rb_gone *gone, unsigned int gap_ms);

/* Polls it has completed so far. */
unsigned int rb_poller_polls(struct rb_poller *p);

/* Let it make at least n more polls (bounded wait), failing early if it reported an error. */
void rb_poller_wait_polls(struct rb_poller *p, unsigned int n);

/* Let it make n more polls, print its figures so far as the baseline and start afresh. */
void rb_poller_baseline(struct rb_poller *p, unsigned int n, const char *what);

/*
 * Stop it, fail the test if any reply was incomplete, inexact or took
 * over POLL_BLOCKED_MS, and print "case: worst X ms, median Y ms".
 */
void rb_poller_finish(struct rb_poller *p, const char *what);

/*
 * Fill r->hash from r->raw as atop's hash sees it for lookups: the last
 * record of an id wins (a copy of raw, reversed, for atop_lookup()).
 */
void rb_reply_hash(struct atop_reply *r);

/* The reply checks the poller makes, for other clients' replies. */
int rb_reply_check(const struct atop_reply *reply, const struct rb_ref *ref,
		   const struct rb_gone *gone, char *msg, size_t len);

/* ------------------------------------------------------------ small tools */

long long rb_now_ms(void);
void rb_sleep_ms(long ms);

/* Connect or fail the test. */
int rb_connect(const char *sock);

/* One whole request sent; one complete reply read and checked against ref. */
void rb_exchange_ok(int fd, const struct rb_ref *ref, const char *who);

/*
 * Bytes that arrive on fd within ms (-1 when the daemon closed it and
 * nothing more came): a check that nothing is sent that was not asked for.
 */
long rb_bytes_within(int fd, int ms, bool *eof);

/* $NETATOP_STRESS_SECONDS, default 10 (the spec's minute: NETATOP_STRESS_SECONDS=60). */
unsigned int rb_stress_seconds(void);

/* Raise our own RLIMIT_NOFILE soft limit to at least n (root may). */
void rb_want_fds(unsigned int n);

#endif
