// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "connproto.h"
#include "unixsock.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

_Static_assert(sizeof(struct nt_conn_request) == 16, "struct nt_conn_request has padding");
_Static_assert(sizeof(struct nt_conn_reply_head) == 16, "struct nt_conn_reply_head has padding");
_Static_assert(sizeof(struct nt_conn_entry) == 96, "struct nt_conn_entry has padding");

int nt_conn_socket_path(const char *main_path, char *out, size_t outlen)
{
	char target[PATH_MAX];
	const char *bound = main_path;
	struct stat st;
	size_t need;

	/*
	 * The daemon can remove files only in its run directory once it is no
	 * longer root, so the query socket is there, beside the one the link
	 * leads to.  A dangling link (no daemon) keeps the path: connecting
	 * then fails as it would on the main socket.
	 */
	if (lstat(main_path, &st) == 0 && S_ISLNK(st.st_mode) && realpath(main_path, target))
		bound = target;
	need = strlen(bound) + sizeof(NT_CONN_SOCKET_SUFFIX);
	if (need > outlen || need > NT_SOCKET_PATH_MAX)
		return -1;
	snprintf(out, outlen, "%s%s", bound, NT_CONN_SOCKET_SUFFIX);
	return 0;
}

void nt_conn_request_make(struct nt_conn_request *r, int32_t pid)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->magic, NT_CONN_MAGIC, sizeof(r->magic));
	r->version = NT_CONN_VERSION;
	r->pid = pid;
}

enum nt_conn_status nt_conn_request_check(const struct nt_conn_request *r)
{
	if (memcmp(r->magic, NT_CONN_MAGIC, sizeof(r->magic)) != 0)
		return NT_CONN_BAD_REQUEST;
	if (r->version != NT_CONN_VERSION || r->pid < 0)
		return NT_CONN_BAD_REQUEST;
	return NT_CONN_OK;
}

int nt_conn_same(const struct nt_conn_entry *a, const struct nt_conn_entry *b)
{
	return a->pid == b->pid && a->proto == b->proto && a->family == b->family &&
	       a->lport == b->lport && a->rport == b->rport &&
	       memcmp(a->laddr, b->laddr, sizeof(a->laddr)) == 0 &&
	       memcmp(a->raddr, b->raddr, sizeof(a->raddr)) == 0;
}
