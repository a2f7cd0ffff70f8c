/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A client that talks to netatop exactly as atop's netatopbpfif.c does,
 * but that reports what atop would silently mishandle (a short read) as
 * a protocol error.  Also atop's view of a process (its btime).
 */
#ifndef NT_TEST_ATOP_CLIENT_H
#define NT_TEST_ATOP_CLIENT_H

#include <stddef.h>
#include <sys/types.h>

#include "protocol.h"

#define ATOP_NCOUNTERS 8

/* How an exchange ended. */
enum atop_status {
	ATOP_OK = 0,
	ATOP_ESEND = -1,	/* the request could not be sent */
	ATOP_ERECV = -2,	/* recv() failed */
	ATOP_EEOF = -3,		/* connection closed before the terminator */
	ATOP_ESHORT = -4,	/* 0 < recv() < sizeof(record): protocol error */
	ATOP_ENOMEM = -5,
};

struct atop_reply {
	/* Every record in the order received, without the terminator. */
	struct netpertask *raw;
	size_t nraw;
	/* One record per id: a later one replaces an earlier one (atop's hash). */
	struct netpertask *hash;
	size_t nhash;
};

/* Connect as atop does; a socket fd, or -errno. */
int atop_connect(const char *path);

/*
 * One sample: send a whole request of garbage, read the reply.  Returns an
 * atop_status; err says what went wrong.  r is freed and refilled.
 */
int atop_exchange(int fd, struct atop_reply *r, char *err, size_t errlen);

/* The reply half of atop_exchange(), for tests that send requests their own way. */
int atop_read_reply(int fd, struct atop_reply *r, char *err, size_t errlen);

/* connect + exchange + close. */
int atop_query(const char *path, struct atop_reply *r, char *err, size_t errlen);

void atop_reply_init(struct atop_reply *r);
void atop_reply_free(struct atop_reply *r);

/* What atop finds for id in its hash, or NULL. */
const struct netpertask *atop_lookup(const struct atop_reply *r, pid_t id);

/* Index in raw of the first / last record for id, or -1. */
long atop_raw_first(const struct atop_reply *r, pid_t id);
long atop_raw_last(const struct atop_reply *r, pid_t id);

/* The counters by index, in struct taskcount order, and their names. */
extern const char *const atop_counter_name[ATOP_NCOUNTERS];
unsigned long long atop_counter(const struct taskcount *tc, unsigned int i);
unsigned long long *atop_counter_ptr(struct taskcount *tc, unsigned int i);

/*
 * 0 if got equals want in all 8 counters, else -1 with every difference
 * described in msg.
 */
int atop_counts_cmp(const struct taskcount *got, const struct taskcount *want,
		    char *msg, size_t len);

/*
 * The btime atop computes for a live process: field 22 of /proc/PID/stat
 * (start time in clock ticks) / _SC_CLK_TCK + "btime" of /proc/stat.
 */
int atop_proc_btime(pid_t pid, unsigned long *btime);

/* The comm of a live process (/proc/PID/stat field 2). */
int atop_proc_comm(pid_t pid, char comm[NETATOP_COMMLEN]);

#endif
