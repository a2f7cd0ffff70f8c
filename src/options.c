// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_LIST = 0x100,
	OPT_CHECK,
	OPT_JSON,
	OPT_PIDFILE,
	OPT_BACKEND,
	OPT_KEEP_EXITED,
	OPT_MAX_EXITED,
	OPT_MAX_CLIENTS,
	OPT_CLIENT_TIMEOUT,
	OPT_USER,
	OPT_GROUP,
	OPT_NO_DROP,
};

static const struct option long_options[] = {
	{ "foreground",		no_argument,		NULL, 'f' },
	{ "socket",		required_argument,	NULL, 's' },
	{ "pidfile",		required_argument,	NULL, OPT_PIDFILE },
	{ "backend",		required_argument,	NULL, OPT_BACKEND },
	{ "keep-exited",	required_argument,	NULL, OPT_KEEP_EXITED },
	{ "max-exited",		required_argument,	NULL, OPT_MAX_EXITED },
	{ "max-clients",	required_argument,	NULL, OPT_MAX_CLIENTS },
	{ "client-timeout",	required_argument,	NULL, OPT_CLIENT_TIMEOUT },
	{ "user",		required_argument,	NULL, OPT_USER },
	{ "group",		required_argument,	NULL, OPT_GROUP },
	{ "no-drop",		no_argument,		NULL, OPT_NO_DROP },
	{ "list",		no_argument,		NULL, OPT_LIST },
	{ "check",		no_argument,		NULL, OPT_CHECK },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void nt_options_defaults(struct nt_options *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = NT_MODE_DAEMON;
	o->socket_path = NETATOP_SOCKET;
	o->pidfile = NT_DEFAULT_PIDFILE;
	o->backend = NT_BACKEND_AUTO;
	o->user = NT_DEFAULT_USER;
	o->group = NT_DEFAULT_GROUP;
	o->keep_exited = NT_DEFAULT_KEEP_EXITED;
	o->max_exited = NT_DEFAULT_MAX_EXITED;
	o->max_clients = NT_DEFAULT_MAX_CLIENTS;
	o->client_timeout = NT_DEFAULT_CLIENT_TIMEOUT;
}

const char *nt_backend_name(enum nt_backend b)
{
	switch (b) {
	case NT_BACKEND_AUTO:
		return "auto";
	case NT_BACKEND_TRACEPOINT:
		return "tracepoint";
	case NT_BACKEND_FENTRY:
		return "fentry";
	case NT_BACKEND_KPROBE:
		return "kprobe";
	}
	return "?";
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A whole decimal number in [min, max]. */
static int parse_number(const char *arg, unsigned long long min, unsigned long long max,
			unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!*arg || *arg == '-')
		return -1;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int nt_options_parse(struct nt_options *o, int argc, char **argv, char *err, size_t errlen)
{
	bool daemon_opt = false;
	unsigned long long v;
	int c;

	optind = 0;	/* parsable more than once (tests) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fs:vhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->foreground = true;
			daemon_opt = true;
			break;
		case 's':
			if (!*optarg)
				return fail(err, errlen, "--socket needs a path");
			if (strlen(optarg) >= 108)
				return fail(err, errlen, "socket path too long (at most 107 bytes): %s", optarg);
			o->socket_path = optarg;
			break;
		case OPT_PIDFILE:
			if (!*optarg)
				return fail(err, errlen, "--pidfile needs a path");
			o->pidfile = optarg;
			break;
		case OPT_BACKEND:
			if (strcmp(optarg, "auto") == 0)
				o->backend = NT_BACKEND_AUTO;
			else if (strcmp(optarg, "tracepoint") == 0)
				o->backend = NT_BACKEND_TRACEPOINT;
			else if (strcmp(optarg, "fentry") == 0)
				o->backend = NT_BACKEND_FENTRY;
			else if (strcmp(optarg, "kprobe") == 0)
				o->backend = NT_BACKEND_KPROBE;
			else
				return fail(err, errlen, "unknown backend '%s' (use auto, tracepoint, fentry or kprobe)", optarg);
			break;
		case OPT_KEEP_EXITED:
			if (parse_number(optarg, 0, 7 * 24 * 3600, &v) < 0)
				return fail(err, errlen, "--keep-exited takes seconds from 0 to 604800, not '%s'", optarg);
			o->keep_exited = (time_t)v;
			daemon_opt = true;
			break;
		case OPT_MAX_EXITED:
			if (parse_number(optarg, 1, 100000000, &v) < 0)
				return fail(err, errlen, "--max-exited takes a count from 1 to 100000000, not '%s'", optarg);
			o->max_exited = (size_t)v;
			daemon_opt = true;
			break;
		case OPT_MAX_CLIENTS:
			if (parse_number(optarg, 1, 65536, &v) < 0)
				return fail(err, errlen, "--max-clients takes a count from 1 to 65536, not '%s'", optarg);
			o->max_clients = (unsigned int)v;
			daemon_opt = true;
			break;
		case OPT_CLIENT_TIMEOUT:
			if (parse_number(optarg, 1, 3600, &v) < 0)
				return fail(err, errlen, "--client-timeout takes seconds from 1 to 3600, not '%s'", optarg);
			o->client_timeout = (time_t)v;
			daemon_opt = true;
			break;
		case OPT_USER:
			if (!*optarg)
				return fail(err, errlen, "--user needs a user name");
			o->user = optarg;
			daemon_opt = true;
			break;
		case OPT_GROUP:
			if (!*optarg)
				return fail(err, errlen, "--group needs a group name");
			o->group = optarg;
			daemon_opt = true;
			break;
		case OPT_NO_DROP:
			o->no_drop = true;
			daemon_opt = true;
			break;
		case OPT_LIST:
			if (o->mode == NT_MODE_CHECK)
				return fail(err, errlen, "--list and --check exclude each other");
			o->mode = NT_MODE_LIST;
			break;
		case OPT_CHECK:
			if (o->mode == NT_MODE_LIST)
				return fail(err, errlen, "--list and --check exclude each other");
			o->mode = NT_MODE_CHECK;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			o->mode = NT_MODE_HELP;
			return 0;
		case 'V':
			o->mode = NT_MODE_VERSION;
			return 0;
		case ':':
			if (optopt && optopt < 0x100 && strncmp(argv[optind - 1], "--", 2) != 0)
				return fail(err, errlen, "option '-%c' needs an argument", optopt);
			return fail(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
		default:
			/* optind does not move past a bad letter inside "-xv" */
			if (optopt && optopt < 0x100 && strncmp(argv[optind - 1], "--", 2) != 0)
				return fail(err, errlen, "unknown option '-%c'", optopt);
			return fail(err, errlen, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s'", argv[optind]);
	if (o->json && o->mode != NT_MODE_LIST && o->mode != NT_MODE_CHECK)
		return fail(err, errlen, "--json goes with --list or --check");
	if (daemon_opt && o->mode != NT_MODE_DAEMON)
		return fail(err, errlen, "daemon options cannot be combined with --list or --check");
	return 0;
}

void nt_usage(FILE *out)
{
	fprintf(out,
"Usage: netatop [OPTION]...          run the daemon\n"
"       netatop --list [--json] [-s PATH]\n"
"       netatop --check [--json] [--backend=NAME]\n"
"Count TCP and UDP packets and bytes per process with eBPF and serve them\n"
"to atop (atop -K) over a Unix socket.\n"
"\n"
"Daemon:\n"
"  -f, --foreground         stay in the foreground and log to stderr\n"
"  -s, --socket=PATH        serve on PATH (default %s)\n"
"      --pidfile=PATH       lock and pid file (default %s)\n"
"      --backend=NAME       auto, tracepoint, fentry or kprobe (default auto:\n"
"                           the best this kernel offers)\n"
"      --keep-exited=SECS   keep counters of exited processes at least SECS\n"
"                           seconds (default %d)\n"
"      --max-exited=N       keep at most N exited processes (default %d)\n"
"      --max-clients=N      serve at most N clients at once (default %d)\n"
"      --client-timeout=SECS  drop a client that reads nothing of a reply\n"
"                           for SECS seconds (default %d)\n"
"      --user=NAME          run as NAME once loaded (default %s)\n"
"      --group=NAME         group that may connect to the socket (default %s)\n"
"      --no-drop            keep root and every capability (debugging only)\n"
"  -v, --verbose            log debugging messages too\n"
"\n"
"Client:\n"
"      --list               print the running daemon's counters, one line per\n"
"                           process, biggest total first\n"
"      --json               with --list: one JSON object per line, raw numbers;\n"
"                           with --check: one JSON object\n"
"      --check              tell whether and how netatop can run on this\n"
"                           kernel; exit 0 if it can, 1 if not\n"
"\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"See netatop(8) for the counting rules and exit statuses.\n",
		NETATOP_SOCKET, NT_DEFAULT_PIDFILE, NT_DEFAULT_KEEP_EXITED,
		NT_DEFAULT_MAX_EXITED, NT_DEFAULT_MAX_CLIENTS, NT_DEFAULT_CLIENT_TIMEOUT,
		NT_DEFAULT_USER, NT_DEFAULT_GROUP);
}
