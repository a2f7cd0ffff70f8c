// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "list.h"
#include "exitcodes.h"
#include "fetch.h"
#include "format.h"
#include "status.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nt_list_main(const struct nt_options *o)
{
	struct netpertask *recs = NULL;
	struct nt_status st;
	char err[512];
	bool have_status, wire;
	size_t n, i;
	int rc;

	rc = nt_fetch_records(o->socket_path, &recs, &n, err, sizeof(err));
	if (rc != NT_EXIT_OK) {
		fprintf(stderr, "netatop: %s\n", err);
		return rc;
	}
	n = nt_records_dedup_sort(recs, n);
	have_status = nt_status_read(o->pidfile, &st) == 0;
	wire = have_status && strcmp(st.counting, "wire") == 0;
	if (o->json) {
		for (i = 0; i < n; i++)
			nt_format_json_line(stdout, &recs[i]);
		if (wire)
			nt_format_unattributed_json(stdout, &st.unattributed);
	} else {
		nt_format_table_header(stdout);
		for (i = 0; i < n; i++)
			nt_format_table_line(stdout, &recs[i]);
		if (wire)
			nt_format_unattributed_line(stdout, &st.unattributed);
	}
	free(recs);
	if (have_status) {
		if (!o->json)
			printf("-- %zu processes; backend %s%s; dropped: %llu untracked calls, %llu exit records, %llu exited records evicted\n",
			       n, st.backend, !st.counting[0] ? "" : wire ? ", counting wire packets" :
			       ", counting socket calls", st.dropped_calls, st.dropped_exits, st.evicted_exited);
		else if (st.dropped_calls || st.dropped_exits || st.evicted_exited)
			fprintf(stderr, "netatop: warning: the daemon dropped %llu calls, %llu exit records, evicted %llu exited records: see its log\n",
				st.dropped_calls, st.dropped_exits, st.evicted_exited);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "netatop: cannot write the list: %s\n", strerror(errno));
		return NT_EXIT_FAILURE;
	}
	return NT_EXIT_OK;
}
