// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "connlist.h"
#include "connfetch.h"
#include "connfmt.h"
#include "exitcodes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int nt_connlist_main(const struct nt_options *o)
{
	struct nt_conn_entry *e = NULL;
	size_t n = 0, i, closed = 0;
	char err[512];
	int fd, rc;

	rc = nt_connfetch_open(o->socket_path, &fd, err, sizeof(err));
	if (rc == NT_EXIT_OK) {
		rc = nt_connfetch_query(fd, (int32_t)o->pid, &e, &n, err, sizeof(err));
		close(fd);
	}
	if (rc != NT_EXIT_OK) {
		fprintf(stderr, "netatop: %s\n", err);
		return rc;
	}
	nt_conns_sort(e, n);
	if (!o->json)
		nt_connfmt_table_header(stdout);
	for (i = 0; i < n; i++) {
		if (o->json)
			nt_connfmt_json_line(stdout, &e[i]);
		else
			nt_connfmt_table_line(stdout, &e[i]);
		closed += (e[i].flags & NT_CONN_ENTRY_CLOSED) != 0;
	}
	if (!o->json)
		printf("-- %zu connections, %zu of them closed in the last minute\n", n, closed);
	free(e);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "netatop: cannot write the list: %s\n", strerror(errno));
		return NT_EXIT_FAILURE;
	}
	return NT_EXIT_OK;
}
