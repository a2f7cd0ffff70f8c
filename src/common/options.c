// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "options.h"
#include "unixsock.h"

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
	OPT_COUNT,
	OPT_KEEP_EXITED,
	OPT_MAX_EXITED,
	OPT_MAX_CLIENTS,
	OPT_EXIT_BUFFER,
	OPT_CLIENT_TIMEOUT,
	OPT_USER,
	OPT_GROUP,
	OPT_NO_DROP,
	OPT_TOP,
	OPT_BY,
	OPT_METRICS,
	OPT_METRICS_FILE,
	OPT_TOP_N,
	OPT_METRICS_STATE,
	OPT_PIN_DIR,
	OPT_STATE_FILE,
	OPT_STOP,
	OPT_KEEP_STATE,
	OPT_UNLOAD,
	OPT_CONNECTIONS,
	OPT_PID,
	OPT_UDP_PEERS,
};

static const struct option long_options[] = {
	{ "foreground",		no_argument,		NULL, 'f' },
	{ "socket",		required_argument,	NULL, 's' },
	{ "pidfile",		required_argument,	NULL, OPT_PIDFILE },
	{ "backend",		required_argument,	NULL, OPT_BACKEND },
	{ "count",		required_argument,	NULL, OPT_COUNT },
	{ "keep-exited",	required_argument,	NULL, OPT_KEEP_EXITED },
	{ "max-exited",		required_argument,	NULL, OPT_MAX_EXITED },
	{ "max-clients",	required_argument,	NULL, OPT_MAX_CLIENTS },
	{ "exit-buffer",	required_argument,	NULL, OPT_EXIT_BUFFER },
	{ "client-timeout",	required_argument,	NULL, OPT_CLIENT_TIMEOUT },
	{ "udp-peers",		required_argument,	NULL, OPT_UDP_PEERS },
	{ "user",		required_argument,	NULL, OPT_USER },
	{ "group",		required_argument,	NULL, OPT_GROUP },
	{ "no-drop",		no_argument,		NULL, OPT_NO_DROP },
	{ "list",		no_argument,		NULL, OPT_LIST },
	{ "check",		no_argument,		NULL, OPT_CHECK },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "connections",	no_argument,		NULL, OPT_CONNECTIONS },
	{ "pid",		required_argument,	NULL, OPT_PID },
	{ "top",		no_argument,		NULL, OPT_TOP },
	{ "by",			required_argument,	NULL, OPT_BY },
	{ "metrics",		no_argument,		NULL, OPT_METRICS },
	{ "metrics-file",	required_argument,	NULL, OPT_METRICS_FILE },
	{ "top-n",		required_argument,	NULL, OPT_TOP_N },
	{ "metrics-state",	required_argument,	NULL, OPT_METRICS_STATE },
	{ "pin-dir",		required_argument,	NULL, OPT_PIN_DIR },
	{ "state-file",		required_argument,	NULL, OPT_STATE_FILE },
	{ "stop",		no_argument,		NULL, OPT_STOP },
	{ "keep-state",		no_argument,		NULL, OPT_KEEP_STATE },
	{ "unload",		no_argument,		NULL, OPT_UNLOAD },
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
	o->exit_buffer_mib = NT_DEFAULT_EXIT_BUFFER_MIB;
	o->max_clients = NT_DEFAULT_MAX_CLIENTS;
	o->client_timeout = NT_DEFAULT_CLIENT_TIMEOUT;
	o->pin_dir = NT_DEFAULT_PIN_DIR;
	o->state_file = NT_DEFAULT_STATE_FILE;
	o->interval_ms = NT_DEFAULT_INTERVAL_MS;
	o->by = NT_BY_PID;
	o->top_n = NT_DEFAULT_TOP_N;
}

static const char *mode_option_name(enum nt_mode m)
{
	switch (m) {
	case NT_MODE_LIST:
		return "--list";
	case NT_MODE_CHECK:
		return "--check";
	case NT_MODE_TOP:
		return "--top";
	case NT_MODE_METRICS:
		return "--metrics";
	case NT_MODE_STOP:
		return "--stop";
	case NT_MODE_UNLOAD:
		return "--unload";
	case NT_MODE_DAEMON:
	case NT_MODE_HELP:
	case NT_MODE_VERSION:
		break;
	}
	return "";
}

const char *nt_options_pin_dir(const struct nt_options *o)
{
	return strcmp(o->pin_dir, "none") == 0 ? NULL : o->pin_dir;
}

const char *nt_counting_name(enum nt_counting c)
{
	switch (c) {
	case NT_COUNT_AUTO:
		return "auto";
	case NT_COUNT_WIRE:
		return "wire";
	case NT_COUNT_CALLS:
		return "calls";
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

/* Seconds with at most 3 decimals ("2", "0.5", "1.25") in [min_ms, max_ms] milliseconds. */
static int parse_seconds(const char *arg, unsigned long long min_ms, unsigned long long max_ms,
			 unsigned int *out)
{
	unsigned long long ms = 0, scale = 1000;
	const char *p = arg;
	bool digits = false;

	for (; *p >= '0' && *p <= '9'; p++) {
		ms = ms * 10 + (unsigned long long)(*p - '0') * 1000;
		digits = true;
		if (ms > max_ms)
			return -1;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			scale /= 10;
			if (scale == 0)
				return -1;	/* finer than a millisecond */
			ms += (unsigned long long)(*p - '0') * scale;
			digits = true;
		}
	}
	if (!digits || *p || ms < min_ms || ms > max_ms)
		return -1;
	*out = (unsigned int)ms;
	return 0;
}

/* What the options so far asked for: their combinations are checked at the end. */
struct seen {
	bool daemon;			/* an option only the daemon takes */
	const char *top;		/* the last option only --top takes, or NULL */
	const char *metrics;		/* the last option only --metrics takes, or NULL */
	bool pid;			/* --pid */
	enum nt_mode client;		/* --list, --check, --top or --metrics; NT_MODE_DAEMON: none */
	const char *state;		/* the last of --pin-dir, --state-file, or NULL */
};

/* What an option handler did with an option. */
enum {
	OPTION_FAILED = -1,		/* err says why */
	OPTION_TAKEN = 0,
	OPTION_OTHER = 1,		/* not one of its options: the next handler's */
	OPTION_STOP = 2,		/* --help or --version: the rest does not matter */
};

typedef int option_handler(struct nt_options *o, struct seen *seen, int c, char *err, size_t errlen);

/* The options of every mode: where the daemon is and how it counts, the output. */
static int shared_option(struct nt_options *o, struct seen *seen, int c, char *err, size_t errlen)
{
	switch (c) {
	case 's':
		if (!*optarg)
			return fail(err, errlen, "--socket needs a path");
		if (strlen(optarg) >= NT_SOCKET_PATH_MAX)
			return fail(err, errlen, "socket path too long (at most %zu bytes): %s",
				    NT_SOCKET_PATH_MAX - 1, optarg);
		o->socket_path = optarg;
		return OPTION_TAKEN;
	case OPT_PIDFILE:
		if (!*optarg)
			return fail(err, errlen, "--pidfile needs a path");
		o->pidfile = optarg;
		return OPTION_TAKEN;
	case OPT_BACKEND:
		if (nt_backend_parse(optarg, &o->backend) < 0)
			return fail(err, errlen, "unknown backend '%s' (use auto, tracepoint, fentry or kprobe)", optarg);
		return OPTION_TAKEN;
	case OPT_COUNT:
		if (strcmp(optarg, "wire") == 0)
			o->counting = NT_COUNT_WIRE;
		else if (strcmp(optarg, "calls") == 0)
			o->counting = NT_COUNT_CALLS;
		else
			return fail(err, errlen, "unknown counting '%s' (use wire or calls)", optarg);
		return OPTION_TAKEN;
	case OPT_JSON:
		o->json = true;
		return OPTION_TAKEN;
	case OPT_PIN_DIR:
		if (*optarg != '/' && strcmp(optarg, "none") != 0)
			return fail(err, errlen, "--pin-dir takes an absolute path or none, not '%s'", optarg);
		o->pin_dir = optarg;
		seen->state = "--pin-dir";
		return OPTION_TAKEN;
	case OPT_STATE_FILE:
		if (*optarg != '/')
			return fail(err, errlen, "--state-file takes an absolute path, not '%s'", optarg);
		o->state_file = optarg;
		seen->state = "--state-file";
		return OPTION_TAKEN;
	case OPT_KEEP_STATE:
		o->keep_state = true;
		return OPTION_TAKEN;
	case OPT_CONNECTIONS:
		o->connections = true;
		return OPTION_TAKEN;
	case OPT_PID: {
		unsigned long long v;

		if (parse_number(optarg, 1, 4194304, &v) < 0)
			return fail(err, errlen, "--pid takes a process id from 1 to 4194304, not '%s'", optarg);
		o->pid = (long)v;
		seen->pid = true;
		return OPTION_TAKEN;
	}
	case 'v':
		o->verbose = true;
		return OPTION_TAKEN;
	}
	return OPTION_OTHER;
}

/* What only the daemon takes: limits, retention, privileges. */
static int daemon_option(struct nt_options *o, struct seen *seen, int c, char *err, size_t errlen)
{
	unsigned long long v;

	switch (c) {
	case 'f':
		o->foreground = true;
		break;
	case OPT_KEEP_EXITED:
		if (parse_number(optarg, 0, 7 * 24 * 3600, &v) < 0)
			return fail(err, errlen, "--keep-exited takes seconds from 0 to 604800, not '%s'", optarg);
		o->keep_exited = (time_t)v;
		break;
	case OPT_MAX_EXITED:
		if (parse_number(optarg, 1, 100000000, &v) < 0)
			return fail(err, errlen, "--max-exited takes a count from 1 to 100000000, not '%s'", optarg);
		o->max_exited = (size_t)v;
		break;
	case OPT_EXIT_BUFFER:
		if (parse_number(optarg, 1, NT_MAX_EXIT_BUFFER_MIB, &v) < 0)
			return fail(err, errlen, "--exit-buffer takes MiB from 1 to %d, not '%s'",
				    NT_MAX_EXIT_BUFFER_MIB, optarg);
		/* a BPF ring buffer's size is a power of two */
		o->exit_buffer_mib = 1;
		while (o->exit_buffer_mib < v)
			o->exit_buffer_mib *= 2;
		break;
	case OPT_MAX_CLIENTS:
		if (parse_number(optarg, 1, 65536, &v) < 0)
			return fail(err, errlen, "--max-clients takes a count from 1 to 65536, not '%s'", optarg);
		o->max_clients = (unsigned int)v;
		break;
	case OPT_CLIENT_TIMEOUT:
		if (parse_number(optarg, 1, 3600, &v) < 0)
			return fail(err, errlen, "--client-timeout takes seconds from 1 to 3600, not '%s'", optarg);
		o->client_timeout = (time_t)v;
		break;
	case OPT_UDP_PEERS:
		if (parse_number(optarg, 0, NT_MAX_UDP_PEERS, &v) < 0)
			return fail(err, errlen, "--udp-peers takes a count from 0 to %d, not '%s'",
				    NT_MAX_UDP_PEERS, optarg);
		o->udp_peers = (unsigned int)v;
		break;
	case OPT_USER:
		if (!*optarg)
			return fail(err, errlen, "--user needs a user name");
		o->user = optarg;
		break;
	case OPT_GROUP:
		if (!*optarg)
			return fail(err, errlen, "--group needs a group name");
		o->group = optarg;
		break;
	case OPT_NO_DROP:
		o->no_drop = true;
		break;
	default:
		return OPTION_OTHER;
	}
	seen->daemon = true;
	return OPTION_TAKEN;
}

/* --list, --check, --top, --metrics: one of them, as often as one likes. */
static int mode_option(struct nt_options *o, struct seen *seen, int c, char *err, size_t errlen)
{
	enum nt_mode m;

	switch (c) {
	case OPT_LIST:
		m = NT_MODE_LIST;
		break;
	case OPT_CHECK:
		m = NT_MODE_CHECK;
		break;
	case OPT_TOP:
		m = NT_MODE_TOP;
		break;
	case OPT_METRICS:
		m = NT_MODE_METRICS;
		break;
	case OPT_STOP:
		m = NT_MODE_STOP;
		break;
	case OPT_UNLOAD:
		m = NT_MODE_UNLOAD;
		break;
	default:
		return OPTION_OTHER;
	}
	if (seen->client != NT_MODE_DAEMON && seen->client != m)
		return fail(err, errlen, "%s and %s exclude each other", mode_option_name(seen->client),
			    mode_option_name(m));
	seen->client = m;
	o->mode = m;
	return OPTION_TAKEN;
}

static int top_option(struct nt_options *o, struct seen *seen, int c, char *err, size_t errlen)
{
	unsigned long long v;

	switch (c) {
	case 'd':
		if (parse_seconds(optarg, 100, 86400000, &o->interval_ms) < 0)
			return fail(err, errlen, "-d takes seconds from 0.1 to 86400, not '%s'", optarg);
		seen->top = "-d";
		return OPTION_TAKEN;
	case 'n':
		if (parse_number(optarg, 1, 1000000000, &v) < 0)
			return fail(err, errlen, "-n takes a count from 1 to 1000000000, not '%s'", optarg);
		o->count = (unsigned long)v;
		seen->top = "-n";
		return OPTION_TAKEN;
	case 'b':
		o->batch = true;
		seen->top = "-b";
		return OPTION_TAKEN;
	case OPT_BY:
		if (strcmp(optarg, "pid") == 0)
			o->by = NT_BY_PID;
		else if (strcmp(optarg, "command") == 0)
			o->by = NT_BY_COMMAND;
		else if (strcmp(optarg, "user") == 0)
			o->by = NT_BY_USER;
		else if (strcmp(optarg, "cgroup") == 0)
			o->by = NT_BY_CGROUP;
		else
			return fail(err, errlen, "--by takes pid, command, user or cgroup, not '%s'", optarg);
		seen->top = "--by";
		return OPTION_TAKEN;
	}
	return OPTION_OTHER;
}

static int metrics_option(struct nt_options *o, struct seen *seen, int c, char *err, size_t errlen)
{
	unsigned long long v;

	switch (c) {
	case OPT_METRICS_FILE:
		if (!*optarg)
			return fail(err, errlen, "--metrics-file needs a path");
		o->metrics_file = optarg;
		seen->metrics = "--metrics-file";
		return OPTION_TAKEN;
	case OPT_METRICS_STATE:
		if (!*optarg)
			return fail(err, errlen, "--metrics-state needs a path");
		o->metrics_state = optarg;
		seen->metrics = "--metrics-state";
		return OPTION_TAKEN;
	case OPT_TOP_N:
		if (parse_number(optarg, 0, 100000, &v) < 0)
			return fail(err, errlen, "--top-n takes a count from 0 to 100000, not '%s'", optarg);
		o->top_n = (unsigned int)v;
		seen->metrics = "--top-n";
		return OPTION_TAKEN;
	}
	return OPTION_OTHER;
}

/* --help and --version, or what getopt_long() refused. */
static int last_option(struct nt_options *o, int c, char **argv, char *err, size_t errlen)
{
	bool short_opt = optopt && optopt < 0x100 && strncmp(argv[optind - 1], "--", 2) != 0;

	switch (c) {
	case 'h':
		o->mode = NT_MODE_HELP;
		return OPTION_STOP;
	case 'V':
		o->mode = NT_MODE_VERSION;
		return OPTION_STOP;
	case ':':
		if (short_opt)
			return fail(err, errlen, "option '-%c' needs an argument", optopt);
		return fail(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
	}
	/* optind does not move past a bad letter inside "-xv" */
	if (short_opt)
		return fail(err, errlen, "unknown option '-%c'", optopt);
	return fail(err, errlen, "unknown option '%s'", argv[optind - 1]);
}

/* Options that only some modes take, with another mode. */
static int check_combination(const struct nt_options *o, const struct seen *seen, char *err,
			     size_t errlen)
{
	if (o->json && o->mode != NT_MODE_LIST && o->mode != NT_MODE_CHECK)
		return fail(err, errlen, "--json goes with --list or --check");
	if (o->connections && o->mode != NT_MODE_LIST)
		return fail(err, errlen, "--connections goes with --list");
	if (seen->pid && !o->connections)
		return fail(err, errlen, "--pid goes with --list --connections");
	if (seen->daemon && o->mode != NT_MODE_DAEMON)
		return fail(err, errlen, "daemon options cannot be combined with %s", mode_option_name(o->mode));
	if (seen->top && o->mode != NT_MODE_TOP)
		return fail(err, errlen, "%s goes with --top", seen->top);
	if (seen->metrics && o->mode != NT_MODE_METRICS)
		return fail(err, errlen, "%s goes with --metrics", seen->metrics);
	if (seen->state && o->mode != NT_MODE_DAEMON && o->mode != NT_MODE_STOP &&
	    o->mode != NT_MODE_UNLOAD)
		return fail(err, errlen, "%s goes with the daemon, --stop or --unload", seen->state);
	if (o->keep_state && o->mode != NT_MODE_STOP)
		return fail(err, errlen, "--keep-state goes with --stop");
	return 0;
}

int nt_options_parse(struct nt_options *o, int argc, char **argv, char *err, size_t errlen)
{
	static option_handler *const handlers[] = {
		shared_option, daemon_option, mode_option, top_option, metrics_option,
	};
	struct seen seen = { .client = NT_MODE_DAEMON };
	size_t i;
	int c, rc;

	optind = 0;	/* parsable more than once (tests) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fs:vhVd:n:b", long_options, NULL)) != -1) {
		rc = OPTION_OTHER;
		for (i = 0; rc == OPTION_OTHER && i < sizeof(handlers) / sizeof(handlers[0]); i++)
			rc = handlers[i](o, &seen, c, err, errlen);
		if (rc == OPTION_OTHER)
			rc = last_option(o, c, argv, err, errlen);
		if (rc == OPTION_STOP)
			return 0;
		if (rc == OPTION_FAILED)
			return -1;
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s'", argv[optind]);
	return check_combination(o, &seen, err, errlen);
}

void nt_usage(FILE *out)
{
	fprintf(out,
"Usage: netatop [OPTION]...          run the daemon\n"
"       netatop --list [--json] [-s PATH]\n"
"       netatop --list --connections [--pid PID] [--json] [-s PATH]\n"
"       netatop --check [--json] [--backend=NAME] [--count=WHAT]\n"
"       netatop --top [-d SECS] [-n COUNT] [-b] [--by=WHAT] [-s PATH]\n"
"       netatop --metrics [--metrics-file=PATH] [--metrics-state=PATH] [--top-n=N]\n"
"       netatop --stop [--keep-state] [--pidfile=PATH] [--pin-dir=DIR]\n"
"       netatop --unload [--pin-dir=DIR] [--state-file=PATH]\n"
"Count TCP and UDP packets and bytes per process with eBPF and serve them\n"
"to atop over a Unix socket: atop 2.10.0 and later speak its protocol, and\n"
"from 2.11.1 on connect only when started with -K (atop -K).\n"
"\n"
"Daemon:\n"
"  -f, --foreground         stay in the foreground and log to stderr\n"
"  -s, --socket=PATH        serve on PATH (default %s);\n"
"                           outside the pid file's directory, a link to the\n"
"                           socket of that name in it\n"
"      --pidfile=PATH       lock and pid file (default\n"
"                           %s); a missing directory\n"
"                           is made and given to --user, which then removes\n"
"                           its files at exit\n"
"      --backend=NAME       auto, tracepoint, fentry or kprobe (default auto:\n"
"                           the best this kernel offers)\n"
"      --count=WHAT         wire: IP packets and their bytes as the interfaces\n"
"                           carry them, headers, ACKs and retransmissions\n"
"                           included; calls: one packet per socket call and\n"
"                           its payload (default: wire where the kernel\n"
"                           allows it, else calls)\n"
"      --keep-exited=SECS   keep counters of exited processes at least SECS\n"
"                           seconds (default %d)\n"
"      --max-exited=N       keep at most N exited processes (default %d)\n"
"      --exit-buffer=MIB    kernel buffer for the counters of exiting processes,\n"
"                           about 10,000 per MiB, rounded up to a power of two\n"
"                           (default %d)\n"
"      --max-clients=N      serve at most N clients at once (default %d); a new\n"
"                           one closes the client idle or stuck longest\n"
"      --client-timeout=SECS  drop a client that reads nothing of a reply\n"
"                           for SECS seconds (default %d)\n"
"      --udp-peers=N        counting wire packets, show the N most active\n"
"                           peers of each unconnected UDP socket, the rest\n"
"                           summed as other peers (0 to 64; default 0: one\n"
"                           line per socket, remote *)\n"
"      --user=NAME          run as NAME once loaded (default %s)\n"
"      --group=NAME         group that may connect to the socket (default %s)\n"
"      --no-drop            keep root and every capability (debugging only)\n"
"      --pin-dir=DIR        keep the kernel state (maps, links) in DIR on bpffs,\n"
"                           so counting survives a restart or a crash of the\n"
"                           daemon; none: keep nothing (default %s)\n"
"      --state-file=PATH    where exited processes wait for the clients across\n"
"                           a --stop --keep-state restart (default %s)\n"
"  -v, --verbose            log debugging messages too\n"
"\n"
"Client:\n"
"      --list               print the running daemon's counters, one line per\n"
"                           process, biggest total first\n"
"      --json               with --list: one JSON object per line, raw numbers;\n"
"                           with --check: one JSON object\n"
"      --connections        with --list: one line per connection (socket) of\n"
"                           each process instead, with its local and remote\n"
"                           address and port, TCP state and counters; those\n"
"                           closed in the last minute are marked CLOSED\n"
"      --pid=PID            with --list --connections: only PID's\n"
"      --check              tell whether and how netatop can run on this\n"
"                           kernel, and whether atop can use it; exit 0 if\n"
"                           netatop can run, 1 if not\n"
"      --top                show the rates per process live, like top; keys:\n"
"                           s r t sort by send, receive, total rate; p pid;\n"
"                           c command; q quit; Enter shows the connections\n"
"                           of the selected process (arrows or its pid\n"
"                           typed to select), Esc goes back\n"
"  -d SECS                  with --top: refresh every SECS seconds (default %u)\n"
"  -n COUNT                 with --top: stop after COUNT refreshes\n"
"  -b                       with --top: batch mode, plain text for logs and pipes\n"
"      --by=WHAT            with --top: one line per pid (default), command,\n"
"                           user or cgroup\n"
"      --metrics            print the counters for Prometheus (text format\n"
"                           0.0.4), summed by command and by cgroup\n"
"      --metrics-file=PATH  with --metrics: replace PATH atomically instead,\n"
"                           for node_exporter's textfile collector\n"
"      --metrics-state=PATH with --metrics: keep the sums in PATH from one run to\n"
"                           the next, so that they never go down\n"
"      --top-n=N            with --metrics: a series for each of the N commands\n"
"                           and cgroups with the most bytes, the rest summed\n"
"                           as \"other\" (default %d)\n"
"\n"
"Service:\n"
"      --stop               tell the daemon of --pidfile to stop, wait until it\n"
"                           has, and leave nothing in the kernel\n"
"      --keep-state         with --stop: exit leaving the kernel counting, for\n"
"                           the next daemon to adopt (restart, upgrade)\n"
"      --unload             remove the kernel state a daemon left (killed, or\n"
"                           stopped with --keep-state) when none runs\n"
"\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"See netatop(8) for the counting rules and exit statuses.\n",
		NETATOP_SOCKET, NT_DEFAULT_PIDFILE, NT_DEFAULT_KEEP_EXITED,
		NT_DEFAULT_MAX_EXITED, NT_DEFAULT_EXIT_BUFFER_MIB, NT_DEFAULT_MAX_CLIENTS, NT_DEFAULT_CLIENT_TIMEOUT,
		NT_DEFAULT_USER, NT_DEFAULT_GROUP, NT_DEFAULT_PIN_DIR, NT_DEFAULT_STATE_FILE,
		NT_DEFAULT_INTERVAL_MS / 1000, NT_DEFAULT_TOP_N);
}
