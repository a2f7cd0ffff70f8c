/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The connection query, netatop's own protocol on a second socket beside
 * atop's (the path of the socket the daemon binds, in its run directory,
 * with ".conn" appended; same owner and mode): atop's socket stays byte
 * for byte what atop knows, and an atop that connects here by mistake
 * gets an error, not a stream of records it would misread.
 *
 * A client sends a struct nt_conn_request; the daemon answers with a
 * struct nt_conn_reply_head, then `count` struct nt_conn_entry.  A client
 * may ask again on the same connection.  Each connection that closed is
 * in one reply to each client connected when it closed (and, for a
 * minute, in the first reply of a client that connects later), marked
 * NT_CONN_ENTRY_CLOSED.  A request that is not one gets an error head
 * and the socket closes.  Native byte order: both ends are on this host.
 */
#ifndef NETATOP_CONNPROTO_H
#define NETATOP_CONNPROTO_H

#include <stddef.h>
#include <stdint.h>

#define NT_CONN_MAGIC		"NTCONN1"	/* with its NUL: 8 bytes */
#define NT_CONN_VERSION		1
#define NT_CONN_SOCKET_SUFFIX	".conn"

struct nt_conn_request {
	char magic[8];
	uint32_t version;
	int32_t pid;		/* only this process's connections; 0: every process's */
};

enum nt_conn_status {
	NT_CONN_OK = 0,
	NT_CONN_BAD_REQUEST = 1,	/* not a request of this protocol or version */
	NT_CONN_UNAVAILABLE = 2,	/* this daemon keeps no per-connection counters */
	NT_CONN_FAILED = 3,		/* the kernel's sockets could not be read */
};

struct nt_conn_reply_head {
	char magic[8];
	uint32_t status;	/* enum nt_conn_status */
	uint32_t count;		/* entries that follow */
};

/* struct nt_conn_entry's flags */
#define NT_CONN_ENTRY_CLOSED	1	/* closed since the client's previous reply */
#define NT_CONN_ENTRY_PEER	2	/* one peer of an unconnected UDP socket (the remote) */
#define NT_CONN_ENTRY_OTHER_PEERS 4	/* the rest of that socket's peers, summed */

struct nt_conn_entry {
	int32_t pid;			/* the owning process (tgid) */
	uint8_t proto;			/* 6 TCP, 17 UDP */
	uint8_t family;			/* 2 AF_INET, 10 AF_INET6 */
	uint8_t state;			/* TCP state as Linux numbers them; UDP: 1 connected, 7 not */
	uint8_t flags;
	uint16_t lport, rport;		/* host order */
	uint32_t pad;
	uint8_t laddr[16], raddr[16];	/* network order; IPv4 in the first 4 bytes */
	char command[16];
	uint64_t sndpacks, sndbytes, rcvpacks, rcvbytes;
};

/* Most entries a reply may carry: beyond, a client refuses it as corrupt. */
#define NT_CONN_MAX_ENTRIES	(4u << 20)

/*
 * The connection socket of the daemon that serves `main_path`: beside the
 * socket the daemon binds, which is `main_path` itself or, when that is a
 * symbolic link (the default path, a link into the run directory), the
 * socket it leads to.  The daemon and the clients both ask here.  -1 when
 * the result would not fit a socket path.
 */
int nt_conn_socket_path(const char *main_path, char *out, size_t outlen);

/* A request for `pid` (0: all). */
void nt_conn_request_make(struct nt_conn_request *r, int32_t pid);

/* NT_CONN_OK when `r` is a request of this protocol. */
enum nt_conn_status nt_conn_request_check(const struct nt_conn_request *r);

/* Same key: the same owner and endpoints. */
int nt_conn_same(const struct nt_conn_entry *a, const struct nt_conn_entry *b);

#endif
