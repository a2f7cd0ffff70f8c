/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The records atop exchanges with netatop (atop's netatop.h).  Both sides
 * use the native C layout, so this must stay the very same declaration:
 * never hard-code its size (96 bytes on LP64, 88 on ILP32).
 */
#ifndef NETATOP_PROTOCOL_H
#define NETATOP_PROTOCOL_H

#include <sys/types.h>

#define NETATOP_COMMLEN 16

struct taskcount {
	unsigned long long tcpsndpacks;
	unsigned long long tcpsndbytes;
	unsigned long long tcprcvpacks;
	unsigned long long tcprcvbytes;

	unsigned long long udpsndpacks;
	unsigned long long udpsndbytes;
	unsigned long long udprcvpacks;
	unsigned long long udprcvbytes;
};

struct netpertask {
	pid_t id;		/* tgid; 0 ends a reply */
	unsigned long btime;	/* process start, seconds since the epoch */
	char command[NETATOP_COMMLEN];
	struct taskcount tc;
};

#endif
