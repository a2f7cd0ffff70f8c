/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exact loopback traffic from known processes.
 *
 * Every case runs in forked children (so their pids are known and all
 * they do is attributable), held before they start so the caller can
 * look at them in /proc, then held again after they have reported what
 * their socket calls really moved, counted by the netatop rules: one
 * call that moved >= 1 byte is one packet of that many bytes, and
 * MSG_PEEK, failed calls and calls that moved 0 bytes count nothing.
 *
 * Addresses are 127.0.0.1, ::1 and ::ffff:127.0.0.1 only.
 */
#ifndef NT_TEST_TRAFFIC_H
#define NT_TEST_TRAFFIC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "protocol.h"

enum traffic_kind {
	/* [0] sends count x size over TCP, [1] accepts and reads to EOF. */
	TRAFFIC_TCP,
	/* [0] sends count datagrams of size, [1] receives count datagrams. */
	TRAFFIC_UDP,
	/* As TRAFFIC_UDP through sendmmsg()/recvmmsg(), up to 8 per call: each message counts. */
	TRAFFIC_MMSG,
	/* [0] has TRAFFIC_NTHREADS threads each sending count datagrams; [1] receives them all. */
	TRAFFIC_THREADS,
	/* [0] sendfile()s count x size from a memfd over TCP; [1] reads to EOF. */
	TRAFFIC_SENDFILE,
	/* As TRAFFIC_UDP through io_uring SEND/RECV; every other send runs in io-wq. */
	TRAFFIC_URING,
	/*
	 * [0] makes calls that move nothing (send without address, bad
	 * address family, short address, TCP send unconnected and after
	 * shutdown, empty datagram and empty TCP send), then sends itself
	 * one datagram of size and receives it: udp 1/size each way.
	 */
	TRAFFIC_FAILS,
	/*
	 * [0] makes UDP and TCP receive calls that find nothing (EAGAIN),
	 * then sends itself size bytes over TCP: tcpsnd 1/size, tcprcv
	 * whatever its reads returned (size bytes in all).
	 */
	TRAFFIC_EAGAIN,
	/*
	 * [0] sends itself one datagram and size bytes of TCP and peeks at
	 * both (MSG_PEEK) before reading them: 1/size each way for UDP,
	 * tcpsnd 1/size, tcprcv size bytes.
	 */
	TRAFFIC_PEEK,
	/*
	 * [0] moves count x size over AF_UNIX stream and datagram socket
	 * pairs, then one datagram of size to itself over UDP: only that
	 * counts.  [1] moves the same AF_UNIX traffic only: nothing counts.
	 */
	TRAFFIC_UNIX,
	/* [0] sends itself count datagrams of size and receives each one. */
	TRAFFIC_UDP_SELF,
	/* [0] sends itself count x size over one TCP connection, reading each back. */
	TRAFFIC_TCP_SELF,
};

/* Which calls move the data. */
enum traffic_io {
	TRAFFIC_IO_SEND,	/* send()/recv(); sendto()/recvfrom() on unconnected UDP */
	TRAFFIC_IO_RW,		/* write()/read() on connected sockets */
	TRAFFIC_IO_MSG,		/* sendmsg()/recvmsg() with two iovecs */
};

struct traffic_spec {
	const char *name;
	enum traffic_kind kind;
	int family;		/* AF_INET or AF_INET6 */
	bool v4mapped;		/* AF_INET6 sockets on ::ffff:127.0.0.1 */
	int protocol;		/* 0, IPPROTO_MPTCP or IPPROTO_UDPLITE */
	enum traffic_io io;
	unsigned int count;
	size_t size;
	const char *tag;	/* up to 6 characters: start of the children's comm */
	const char *what;	/* one line for humans */
};

#define TRAFFIC_NTHREADS	4
#define TRAFFIC_MAX_CHILDREN	2
#define TRAFFIC_SENDER		0	/* also the only child of one-process cases */
#define TRAFFIC_RECEIVER	1
#define TRAFFIC_UNSUPPORTED	1	/* from traffic_prepare(): the kernel lacks it */

struct traffic_child {
	pid_t pid;
	char role;			/* 's'ender, 'r'eceiver, 'x' alone, 'u' AF_UNIX only */
	char comm[NETATOP_COMMLEN];	/* set by the child with PR_SET_NAME */
	int ctl;			/* parent's end: start, then exit */
	int report;			/* parent's end: the child's report */
	/* Filled by traffic_collect(). */
	bool reported;
	bool ok;
	struct taskcount done;		/* what its socket calls moved, by netatop's rules */
	pid_t tids[TRAFFIC_NTHREADS];	/* its other threads, if any */
	unsigned int ntids;
	char note[200];			/* why it failed */
};

struct traffic_case {
	struct traffic_spec spec;
	unsigned int nchild;
	struct traffic_child child[TRAFFIC_MAX_CHILDREN];
};

/* The named cases (netgen's and the tests'), NULL-name terminated. */
extern const struct traffic_spec traffic_specs[];

/* Copy the named case; count and size are its defaults.  -1 if unknown. */
int traffic_spec_by_name(const char *name, struct traffic_spec *spec);

/*
 * Fork the children and return once they wait (alive, comm set, nothing
 * sent yet).  Returns 0,
 * TRAFFIC_UNSUPPORTED when this kernel cannot do the case, or -1.
 */
int traffic_prepare(struct traffic_case *tc, const struct traffic_spec *spec,
		    char *err, size_t errlen);

/* Let every child do its traffic. */
int traffic_go(struct traffic_case *tc);

/* Wait for every child's report; they stay alive.  -1 if one failed. */
int traffic_collect(struct traffic_case *tc, char *err, size_t errlen);

/* Let them exit and reap them.  -1 if one did not exit 0. */
int traffic_finish(struct traffic_case *tc, char *err, size_t errlen);

/* go + collect + finish. */
int traffic_run(struct traffic_case *tc, char *err, size_t errlen);

/* SIGKILL and reap whatever is left: for error paths. */
void traffic_kill(struct traffic_case *tc);

#endif
