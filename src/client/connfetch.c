// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "connfetch.h"
#include "exitcodes.h"
#include "fetch.h"
#include "unixsock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int nt_connfetch_open(const char *socket_path, int *fdp, char *err, size_t errlen)
{
	char path[NT_SOCKET_PATH_MAX];

	if (nt_conn_socket_path(socket_path, path, sizeof(path)) < 0) {
		snprintf(err, errlen, "the connection socket beside %s would be too long a path (give the daemon a shorter --pidfile directory)",
			 socket_path);
		return NT_EXIT_USAGE;
	}
	return nt_fetch_connect(path, fdp, err, errlen);
}

static const char *status_text(uint32_t status)
{
	switch (status) {
	case NT_CONN_BAD_REQUEST:
		return "the daemon did not understand the query (another version of netatop?)";
	case NT_CONN_UNAVAILABLE:
		return "this daemon keeps no per-connection counters (they need Linux 6.4 or later and the tracepoint backend): see its log";
	case NT_CONN_FAILED:
		return "the daemon could not read the kernel's sockets: see its log";
	}
	return "the daemon answered with an unknown status";
}

int nt_connfetch_query(int fd, int32_t pid, struct nt_conn_entry **out, size_t *n,
		       char *err, size_t errlen)
{
	struct nt_conn_request q;
	struct nt_conn_reply_head head;
	struct nt_conn_entry *all = NULL;
	int rc;

	nt_conn_request_make(&q, pid);
	if (send(fd, &q, sizeof(q), MSG_NOSIGNAL) != (ssize_t)sizeof(q)) {
		snprintf(err, errlen, "cannot send the connection query: %s", strerror(errno));
		return NT_EXIT_PROTOCOL;
	}
	rc = nt_fetch_read_full(fd, &head, sizeof(head));
	if (rc < 0) {
		snprintf(err, errlen, "the daemon gave no answer to the connection query (%s)",
			 strerror(-rc));
		return NT_EXIT_PROTOCOL;
	}
	if (memcmp(head.magic, NT_CONN_MAGIC, sizeof(head.magic)) != 0 ||
	    head.count > NT_CONN_MAX_ENTRIES) {
		snprintf(err, errlen, "the daemon's answer to the connection query is not one");
		return NT_EXIT_PROTOCOL;
	}
	if (head.status != NT_CONN_OK) {
		snprintf(err, errlen, "%s", status_text(head.status));
		return head.status == NT_CONN_UNAVAILABLE ? NT_EXIT_FAILURE : NT_EXIT_PROTOCOL;
	}
	if (head.count) {
		all = malloc(head.count * sizeof(*all));
		if (!all) {
			snprintf(err, errlen, "out of memory reading %u connections", head.count);
			return NT_EXIT_FAILURE;
		}
		rc = nt_fetch_read_full(fd, all, head.count * sizeof(*all));
		if (rc < 0) {
			snprintf(err, errlen, "the daemon ended its list of connections early (%s)",
				 strerror(-rc));
			free(all);
			return NT_EXIT_PROTOCOL;
		}
	}
	*out = all;
	*n = head.count;
	return NT_EXIT_OK;
}
