// SPDX-License-Identifier: GPL-2.0-only
/*
 * netatop: per-process TCP/UDP counters from eBPF, served to atop.
 * The command line says which part runs: the daemon, the --check report,
 * or one of the clients.
 */
#include "config.h"

#include <stdio.h>

#include "report.h"
#include "exitcodes.h"
#include "connlist.h"
#include "list.h"
#include "metrics.h"
#include "options.h"
#include "run.h"
#include "stop.h"
#include "top.h"

int main(int argc, char **argv)
{
	struct nt_options o;
	char err[256];

	nt_options_defaults(&o);
	if (nt_options_parse(&o, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "netatop: %s (see 'netatop --help')\n", err);
		return NT_EXIT_USAGE;
	}
	switch (o.mode) {
	case NT_MODE_HELP:
		nt_usage(stdout);
		return NT_EXIT_OK;
	case NT_MODE_VERSION:
		printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return NT_EXIT_OK;
	case NT_MODE_LIST:
		return o.connections ? nt_connlist_main(&o) : nt_list_main(&o);
	case NT_MODE_CHECK:
		return nt_check_main(&o);
	case NT_MODE_TOP:
		return nt_top_main(&o);
	case NT_MODE_METRICS:
		return nt_metrics_main(&o);
	case NT_MODE_STOP:
		return nt_stop_main(&o);
	case NT_MODE_UNLOAD:
		return nt_unload_main(&o);
	case NT_MODE_DAEMON:
		break;
	}
	return nt_daemon_main(&o);
}
