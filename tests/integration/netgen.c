// SPDX-License-Identifier: GPL-2.0-only
/*
 * netgen: exact loopback traffic from known processes, for people and
 * benchmarks comparing netatop's figures with what was really sent.
 *
 *   netgen [-k] CASE [COUNT [SIZE]]
 *   netgen -l
 *
 * Prints one line per process: pid, comm and the 8 counters netatop
 * should show for it.  -k keeps the processes alive until Enter.
 */
#define _GNU_SOURCE
#include "traffic.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
	const struct traffic_spec *s;

	fprintf(out,
		"Usage: netgen [-k] CASE [COUNT [SIZE]]\n"
		"       netgen -l\n"
		"Generate exact loopback traffic from child processes and print, per\n"
		"process, the counters netatop should report for it.\n"
		"  -k   keep the processes alive until Enter is pressed\n"
		"  -l   list the cases\n"
		"Cases:\n");
	for (s = traffic_specs; s->name; s++)
		fprintf(out, "  %-11s %s (default %u x %zu)\n", s->name, s->what, s->count, s->size);
}

static int number(const char *arg, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	return errno || *end || !*arg || *arg == '-' || *out > max ? -1 : 0;
}

static void print_child(const struct traffic_child *c)
{
	const struct taskcount *t = &c->done;

	printf("pid=%d comm=%s role=%c tcpsndpacks=%llu tcpsndbytes=%llu tcprcvpacks=%llu tcprcvbytes=%llu"
	       " udpsndpacks=%llu udpsndbytes=%llu udprcvpacks=%llu udprcvbytes=%llu\n",
	       (int)c->pid, c->comm, c->role,
	       t->tcpsndpacks, t->tcpsndbytes, t->tcprcvpacks, t->tcprcvbytes,
	       t->udpsndpacks, t->udpsndbytes, t->udprcvpacks, t->udprcvbytes);
}

int main(int argc, char **argv)
{
	struct traffic_spec spec;
	struct traffic_case tc;
	unsigned long v;
	char err[512], line[16];
	unsigned int i;
	int opt, hold = 0, rc;

	while ((opt = getopt(argc, argv, "klh")) != -1) {
		switch (opt) {
		case 'k':
			hold = 1;
			break;
		case 'l':
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc || argc - optind > 3 || traffic_spec_by_name(argv[optind], &spec) < 0) {
		usage(stderr);
		return 2;
	}
	if (argc - optind > 1) {
		if (number(argv[optind + 1], UINT_MAX / TRAFFIC_NTHREADS, &v) < 0 || v == 0) {
			fprintf(stderr, "netgen: bad COUNT '%s'\n", argv[optind + 1]);
			return 2;
		}
		spec.count = (unsigned int)v;
	}
	if (argc - optind > 2) {
		if (number(argv[optind + 2], 1UL << 30, &v) < 0) {
			fprintf(stderr, "netgen: bad SIZE '%s'\n", argv[optind + 2]);
			return 2;
		}
		spec.size = v;
	}

	rc = traffic_prepare(&tc, &spec, err, sizeof(err));
	if (rc == TRAFFIC_UNSUPPORTED) {
		fprintf(stderr, "netgen: this kernel cannot do %s: %s\n", spec.name, err);
		return 77;
	}
	if (rc < 0) {
		fprintf(stderr, "netgen: %s\n", err);
		return 1;
	}
	printf("# %s: %s, %u x %zu bytes\n", spec.name, spec.what, spec.count, spec.size);
	fflush(stdout);
	if (traffic_go(&tc) < 0 || traffic_collect(&tc, err, sizeof(err)) < 0) {
		fprintf(stderr, "netgen: %s\n", err);
		traffic_kill(&tc);
		return 1;
	}
	for (i = 0; i < tc.nchild; i++)
		print_child(&tc.child[i]);
	fflush(stdout);
	if (hold) {
		fprintf(stderr, "netgen: processes kept alive; press Enter to let them exit\n");
		if (!fgets(line, sizeof(line), stdin)) {
			/* EOF: let them go as well */
		}
	}
	if (traffic_finish(&tc, err, sizeof(err)) < 0) {
		fprintf(stderr, "netgen: %s\n", err);
		return 1;
	}
	return 0;
}
