// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "run_suite.h"

#define MAXARGS 32

/*
 * getopt permutes argv and the options keep pointers into it, so the
 * arguments live in writable static storage until the next parse.
 */
static char arg_store[MAXARGS][512];
static char *arg_v[MAXARGS + 1];
static char err[256];

static int vparse(struct nt_options *o, va_list ap)
{
	const char *a;
	int argc = 0;

	nt_options_defaults(o);
	strcpy(arg_store[argc], "netatop");
	arg_v[argc] = arg_store[argc];
	argc++;
	while ((a = va_arg(ap, const char *)) != NULL) {
		ck_assert_int_lt(argc, MAXARGS);
		ck_assert_uint_lt(strlen(a), sizeof(arg_store[0]));
		strcpy(arg_store[argc], a);
		arg_v[argc] = arg_store[argc];
		argc++;
	}
	arg_v[argc] = NULL;
	err[0] = '\0';
	return nt_options_parse(o, argc, arg_v, err, sizeof(err));
}

/* The list of arguments after argv[0] ends with NULL. */
static int parse(struct nt_options *o, ...)
{
	va_list ap;
	int rc;

	va_start(ap, o);
	rc = vparse(o, ap);
	va_end(ap);
	return rc;
}

#define PARSE(o, ...) parse((o), __VA_ARGS__, (const char *)NULL)

/* A failure says why in one line that names what was wrong. */
static void assert_error(const char *needle)
{
	ck_assert_msg(err[0] != '\0', "no error message");
	ck_assert_msg(strchr(err, '\n') == NULL, "error message spans lines: %s", err);
	if (needle)
		ck_assert_msg(strstr(err, needle) != NULL, "error '%s' does not mention '%s'", err, needle);
}

#define REJECT(needle, ...) do { \
		struct nt_options o_; \
		int rc_ = PARSE(&o_, __VA_ARGS__); \
		ck_assert_msg(rc_ == -1, "accepted: %s", #__VA_ARGS__); \
		assert_error(needle); \
	} while (0)

START_TEST(test_defaults)
{
	struct nt_options o;

	memset(&o, 0xff, sizeof(o));
	nt_options_defaults(&o);
	ck_assert_int_eq(o.mode, NT_MODE_DAEMON);
	ck_assert(!o.foreground);
	ck_assert(!o.verbose);
	ck_assert(!o.json);
	ck_assert_str_eq(o.socket_path, NETATOP_SOCKET);
	ck_assert_str_eq(o.socket_path, "/run/netatop-bpf-socket");
	ck_assert_str_eq(o.pidfile, "/run/netatop/netatop.pid");
	ck_assert_int_eq(o.backend, NT_BACKEND_AUTO);
	ck_assert_int_eq(o.keep_exited, 900);
	ck_assert_uint_eq(o.max_exited, 100000);
	ck_assert_uint_eq(o.max_clients, 256);
	ck_assert_int_eq(o.client_timeout, 30);
	ck_assert_uint_eq(o.exit_buffer_mib, 2);

	/* no arguments: the defaults, untouched */
	ck_assert_int_eq(parse(&o, (const char *)NULL), 0);
	ck_assert_int_eq(o.mode, NT_MODE_DAEMON);
	ck_assert(!o.foreground && !o.verbose && !o.json);
	ck_assert_str_eq(o.socket_path, NETATOP_SOCKET);
	ck_assert_str_eq(o.pidfile, NT_DEFAULT_PIDFILE);
	ck_assert_int_eq(o.backend, NT_BACKEND_AUTO);
	ck_assert_int_eq(o.keep_exited, NT_DEFAULT_KEEP_EXITED);
	ck_assert_uint_eq(o.max_exited, NT_DEFAULT_MAX_EXITED);
	ck_assert_uint_eq(o.max_clients, NT_DEFAULT_MAX_CLIENTS);
	ck_assert_int_eq(o.client_timeout, NT_DEFAULT_CLIENT_TIMEOUT);
}
END_TEST

START_TEST(test_flags)
{
	struct nt_options o;

	ck_assert_int_eq(PARSE(&o, "-f"), 0);
	ck_assert(o.foreground && !o.verbose);
	ck_assert_int_eq(o.mode, NT_MODE_DAEMON);
	ck_assert_int_eq(PARSE(&o, "--foreground"), 0);
	ck_assert(o.foreground);
	ck_assert_int_eq(PARSE(&o, "-v"), 0);
	ck_assert(o.verbose && !o.foreground);
	ck_assert_int_eq(PARSE(&o, "--verbose"), 0);
	ck_assert(o.verbose);
	ck_assert_int_eq(PARSE(&o, "-fv"), 0);
	ck_assert(o.foreground && o.verbose);
}
END_TEST

enum field { KEEP, MAXEX, MAXCL, TIMEOUT, EXITBUF };

static const struct {
	const char *opt;
	enum field field;
	const char *val;
	int ok;
	unsigned long long want;
} num_cases[] = {
	{ "--keep-exited", KEEP, "0", 1, 0 },
	{ "--keep-exited", KEEP, "1", 1, 1 },
	{ "--keep-exited", KEEP, "600", 1, 600 },
	{ "--keep-exited", KEEP, "604800", 1, 604800 },
	{ "--keep-exited", KEEP, "007", 1, 7 },
	{ "--keep-exited", KEEP, "604801", 0, 0 },
	{ "--keep-exited", KEEP, "-1", 0, 0 },
	{ "--keep-exited", KEEP, "-0", 0, 0 },
	{ "--keep-exited", KEEP, "", 0, 0 },
	{ "--keep-exited", KEEP, "abc", 0, 0 },
	{ "--keep-exited", KEEP, "5x", 0, 0 },
	{ "--keep-exited", KEEP, "5 ", 0, 0 },
	{ "--keep-exited", KEEP, "1.5", 0, 0 },
	{ "--keep-exited", KEEP, "1e3", 0, 0 },
	{ "--keep-exited", KEEP, "0x10", 0, 0 },
	{ "--keep-exited", KEEP, "18446744073709551615", 0, 0 },
	{ "--keep-exited", KEEP, "18446744073709551616", 0, 0 },
	{ "--keep-exited", KEEP, "99999999999999999999999999", 0, 0 },
	{ "--max-exited", MAXEX, "1", 1, 1 },
	{ "--max-exited", MAXEX, "100000000", 1, 100000000 },
	{ "--max-exited", MAXEX, "0", 0, 0 },
	{ "--max-exited", MAXEX, "100000001", 0, 0 },
	{ "--max-exited", MAXEX, "-5", 0, 0 },
	{ "--max-exited", MAXEX, "12abc", 0, 0 },
	{ "--max-exited", MAXEX, "", 0, 0 },
	{ "--max-exited", MAXEX, "18446744073709551616", 0, 0 },
	{ "--max-clients", MAXCL, "1", 1, 1 },
	{ "--max-clients", MAXCL, "65536", 1, 65536 },
	{ "--max-clients", MAXCL, "0", 0, 0 },
	{ "--max-clients", MAXCL, "65537", 0, 0 },
	{ "--max-clients", MAXCL, "-1", 0, 0 },
	{ "--max-clients", MAXCL, "4294967297", 0, 0 },	/* 1 once truncated to unsigned int */
	{ "--max-clients", MAXCL, "10k", 0, 0 },
	{ "--max-clients", MAXCL, "", 0, 0 },
	{ "--client-timeout", TIMEOUT, "1", 1, 1 },
	{ "--client-timeout", TIMEOUT, "3600", 1, 3600 },
	{ "--client-timeout", TIMEOUT, "0", 0, 0 },
	{ "--client-timeout", TIMEOUT, "3601", 0, 0 },
	{ "--client-timeout", TIMEOUT, "-30", 0, 0 },
	{ "--client-timeout", TIMEOUT, "30s", 0, 0 },
	{ "--client-timeout", TIMEOUT, "", 0, 0 },
	/* rounded up to a power of two: the kernel's ring buffers need one */
	{ "--exit-buffer", EXITBUF, "1", 1, 1 },
	{ "--exit-buffer", EXITBUF, "2", 1, 2 },
	{ "--exit-buffer", EXITBUF, "3", 1, 4 },
	{ "--exit-buffer", EXITBUF, "16", 1, 16 },
	{ "--exit-buffer", EXITBUF, "600", 1, 1024 },
	{ "--exit-buffer", EXITBUF, "1024", 1, 1024 },
	{ "--exit-buffer", EXITBUF, "0", 0, 0 },
	{ "--exit-buffer", EXITBUF, "1025", 0, 0 },
	{ "--exit-buffer", EXITBUF, "-2", 0, 0 },
	{ "--exit-buffer", EXITBUF, "2M", 0, 0 },
	{ "--exit-buffer", EXITBUF, "", 0, 0 },
};

static unsigned long long field_value(const struct nt_options *o, enum field f)
{
	switch (f) {
	case KEEP:
		return (unsigned long long)o->keep_exited;
	case MAXEX:
		return o->max_exited;
	case MAXCL:
		return o->max_clients;
	case TIMEOUT:
		return (unsigned long long)o->client_timeout;
	case EXITBUF:
		return o->exit_buffer_mib;
	}
	return 0;
}

/* Both spellings, --opt=VALUE and --opt VALUE, give the same answer. */
START_TEST(test_numbers)
{
	struct nt_options o;
	char joined[256];
	int rc, form;

	snprintf(joined, sizeof(joined), "%s=%s", num_cases[_i].opt, num_cases[_i].val);
	for (form = 0; form < 2; form++) {
		if (form == 0)
			rc = PARSE(&o, joined);
		else
			rc = PARSE(&o, num_cases[_i].opt, num_cases[_i].val);
		if (num_cases[_i].ok) {
			ck_assert_msg(rc == 0, "%s '%s' rejected: %s", num_cases[_i].opt,
				      num_cases[_i].val, err);
			ck_assert_uint_eq(field_value(&o, num_cases[_i].field), num_cases[_i].want);
			ck_assert_int_eq(o.mode, NT_MODE_DAEMON);
		} else {
			ck_assert_msg(rc == -1, "%s '%s' accepted", num_cases[_i].opt, num_cases[_i].val);
			assert_error(num_cases[_i].opt);
			if (num_cases[_i].val[0])
				assert_error(num_cases[_i].val);
		}
	}
}
END_TEST

START_TEST(test_last_value_wins)
{
	struct nt_options o;

	ck_assert_int_eq(PARSE(&o, "--keep-exited=5", "--keep-exited", "7"), 0);
	ck_assert_int_eq(o.keep_exited, 7);
	ck_assert_int_eq(PARSE(&o, "-s", "/tmp/a", "--socket=/tmp/b"), 0);
	ck_assert_str_eq(o.socket_path, "/tmp/b");
}
END_TEST

START_TEST(test_backend)
{
	static const struct {
		const char *name;
		enum nt_backend b;
	} names[] = {
		{ "auto", NT_BACKEND_AUTO },
		{ "tracepoint", NT_BACKEND_TRACEPOINT },
		{ "fentry", NT_BACKEND_FENTRY },
		{ "kprobe", NT_BACKEND_KPROBE },
	};
	struct nt_options o;
	char opt[64];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(opt, sizeof(opt), "--backend=%s", names[i].name);
		ck_assert_int_eq(PARSE(&o, opt), 0);
		ck_assert_int_eq(o.backend, names[i].b);
		ck_assert_int_eq(o.mode, NT_MODE_DAEMON);
		ck_assert_int_eq(PARSE(&o, "--backend", names[i].name), 0);
		ck_assert_int_eq(o.backend, names[i].b);
		/* the name given is the name shown */
		ck_assert_str_eq(nt_backend_name(names[i].b), names[i].name);
	}
	ck_assert_int_eq(PARSE(&o, "--backend=tracepoint", "--backend=auto"), 0);
	ck_assert_int_eq(o.backend, NT_BACKEND_AUTO);
	REJECT("bogus", "--backend=bogus");
	REJECT(NULL, "--backend=");
	REJECT("AUTO", "--backend=AUTO");
	REJECT("tracepoint ", "--backend=tracepoint ");
	REJECT("trace", "--backend=trace");

	ck_assert_str_eq(nt_backend_name((enum nt_backend)42), "?");
}
END_TEST

static void make_path(char *buf, size_t len)
{
	size_t i;

	buf[0] = '/';
	for (i = 1; i < len; i++)
		buf[i] = (char)('a' + i % 26);
	buf[len] = '\0';
}

/* sun_path holds 108 bytes with the NUL: 107 is the longest path bind() takes. */
START_TEST(test_socket)
{
	struct nt_options o;
	char path[300], opt[320];

	ck_assert_int_eq(PARSE(&o, "-s", "/tmp/x.sock"), 0);
	ck_assert_str_eq(o.socket_path, "/tmp/x.sock");
	ck_assert_int_eq(PARSE(&o, "-s/tmp/y.sock"), 0);
	ck_assert_str_eq(o.socket_path, "/tmp/y.sock");
	ck_assert_int_eq(PARSE(&o, "--socket=/tmp/z.sock"), 0);
	ck_assert_str_eq(o.socket_path, "/tmp/z.sock");
	ck_assert_int_eq(PARSE(&o, "--socket", "rel.sock"), 0);
	ck_assert_str_eq(o.socket_path, "rel.sock");
	ck_assert_int_eq(o.mode, NT_MODE_DAEMON);

	make_path(path, 107);
	ck_assert_int_eq(PARSE(&o, "-s", path), 0);
	ck_assert_str_eq(o.socket_path, path);
	snprintf(opt, sizeof(opt), "--socket=%s", path);
	ck_assert_int_eq(PARSE(&o, opt), 0);
	ck_assert_str_eq(o.socket_path, path);

	make_path(path, 108);
	REJECT("107", "-s", path);
	snprintf(opt, sizeof(opt), "--socket=%s", path);
	REJECT("107", opt);
	make_path(path, 250);
	REJECT("107", "-s", path);

	REJECT("--socket", "--socket=");
	REJECT("--socket", "-s", "");
}
END_TEST

START_TEST(test_pidfile)
{
	struct nt_options o;

	ck_assert_int_eq(PARSE(&o, "--pidfile=/tmp/n.pid"), 0);
	ck_assert_str_eq(o.pidfile, "/tmp/n.pid");
	ck_assert_int_eq(o.mode, NT_MODE_DAEMON);
	ck_assert_int_eq(PARSE(&o, "--pidfile", "/tmp/m.pid"), 0);
	ck_assert_str_eq(o.pidfile, "/tmp/m.pid");
	REJECT("--pidfile", "--pidfile=");
	REJECT("--pidfile", "--pidfile", "");
}
END_TEST

START_TEST(test_missing_argument)
{
	static const char *const opts[] = {
		"--socket", "-s", "--pidfile", "--backend", "--keep-exited",
		"--max-exited", "--max-clients", "--client-timeout",
	};
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		REJECT(opts[i], opts[i]);
		REJECT(opts[i], "-f", opts[i]);
	}
	/* the letter that lacks its argument, not the whole cluster */
	REJECT("-s", "-fs");
}
END_TEST

START_TEST(test_list)
{
	struct nt_options o;

	ck_assert_int_eq(PARSE(&o, "--list"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_LIST);
	ck_assert(!o.json);
	ck_assert_str_eq(o.socket_path, NETATOP_SOCKET);

	ck_assert_int_eq(PARSE(&o, "--list", "--json"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_LIST);
	ck_assert(o.json);
	ck_assert_int_eq(PARSE(&o, "--json", "--list"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_LIST);
	ck_assert(o.json);

	/* where to ask, and where the status is, are client options too */
	ck_assert_int_eq(PARSE(&o, "--list", "-s", "/tmp/l.sock", "--pidfile=/tmp/l.pid", "-v"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_LIST);
	ck_assert_str_eq(o.socket_path, "/tmp/l.sock");
	ck_assert_str_eq(o.pidfile, "/tmp/l.pid");
	ck_assert(o.verbose);
	ck_assert_int_eq(PARSE(&o, "--pidfile", "/tmp/p.pid", "--list", "--json"), 0);
	ck_assert_str_eq(o.pidfile, "/tmp/p.pid");
	ck_assert(o.json);
}
END_TEST

START_TEST(test_check)
{
	struct nt_options o;

	ck_assert_int_eq(PARSE(&o, "--check"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_CHECK);
	ck_assert(!o.json);
	ck_assert_int_eq(PARSE(&o, "--check", "--json"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_CHECK);
	ck_assert(o.json);
	/* checks what the daemon would run with that backend */
	ck_assert_int_eq(PARSE(&o, "--check", "--backend=kprobe"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_CHECK);
	ck_assert_int_eq(o.backend, NT_BACKEND_KPROBE);

	REJECT("--check", "--list", "--check");
	REJECT("--check", "--check", "--list");
	REJECT(NULL, "--check", "-f");
	REJECT(NULL, "--check", "--keep-exited=5");
	REJECT(NULL, "--max-clients=5", "--check");
}
END_TEST

START_TEST(test_json_needs_list)
{
	REJECT("--json", "--json");
	REJECT("--json", "--json", "-f");
	REJECT("--json", "--json", "-s", "/tmp/s");
}
END_TEST

START_TEST(test_daemon_options_with_list)
{
	REJECT("--list", "--list", "-f");
	REJECT("--list", "--foreground", "--list");
	REJECT("--list", "--list", "--keep-exited=0");
	REJECT("--list", "--list", "--keep-exited=900");
	REJECT("--list", "--list", "--max-exited=5");
	REJECT("--list", "--list", "--max-clients=5");
	REJECT("--list", "--client-timeout=5", "--list");
	REJECT("--list", "--list", "--json", "-f");
}
END_TEST

START_TEST(test_unknown_option)
{
	REJECT("--bogus", "--bogus");
	REJECT("--bogus=1", "--bogus=1");
	REJECT("-x", "-x");
	REJECT("-x", "-f", "-x");
	REJECT("--keep", "--list", "--keep");
	/* a flag given a value is not that flag */
	REJECT("--list", "--list=yes");
}
END_TEST

/* The message names the option the user got wrong, not the program. */
START_TEST(test_unknown_option_in_cluster)
{
	REJECT("-x", "-xv");
	ck_assert_msg(strstr(err, "netatop") == NULL, "error names the program: %s", err);
	REJECT("-x", "-xf", "--list");
	ck_assert_msg(strstr(err, "netatop") == NULL, "error names the program: %s", err);
}
END_TEST

START_TEST(test_extra_argument)
{
	REJECT("foo", "foo");
	REJECT("foo", "-f", "foo");
	REJECT("foo", "foo", "-f");
	REJECT("foo", "--list", "foo");
	REJECT("foo", "--", "foo");
	REJECT("bar", "-s", "/tmp/s", "bar", "baz");
}
END_TEST

START_TEST(test_help_version)
{
	struct nt_options o;

	ck_assert_int_eq(PARSE(&o, "--help"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_HELP);
	ck_assert_int_eq(PARSE(&o, "-h"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_HELP);
	ck_assert_int_eq(PARSE(&o, "--version"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_VERSION);
	ck_assert_int_eq(PARSE(&o, "-V"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_VERSION);
	/* asking for help is never an error, whatever else came first */
	ck_assert_int_eq(PARSE(&o, "-f", "--help"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_HELP);
	ck_assert_int_eq(PARSE(&o, "--list", "--json", "-V"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_VERSION);
}
END_TEST

/* getopt keeps state between calls: a parse must not see leftovers of the previous one. */
START_TEST(test_parse_again)
{
	struct nt_options o;
	int i;

	/* stops inside the cluster "-xv", with 'v' still unread */
	ck_assert_int_eq(PARSE(&o, "-xv"), -1);
	ck_assert_int_eq(PARSE(&o, "--list"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_LIST);
	ck_assert(!o.verbose);

	/* stops in the middle of argv */
	ck_assert_int_eq(PARSE(&o, "--keep-exited=x", "-f", "-v"), -1);
	ck_assert_int_eq(PARSE(&o, "-f"), 0);
	ck_assert(o.foreground && !o.verbose);

	for (i = 0; i < 50; i++) {
		ck_assert_int_eq(PARSE(&o, "-f", "--max-clients=9", "-s", "/tmp/r"), 0);
		ck_assert(o.foreground);
		ck_assert_uint_eq(o.max_clients, 9);
		ck_assert_str_eq(o.socket_path, "/tmp/r");
	}
}
END_TEST

/* The reason is cut to the caller's buffer, still a C string. */
START_TEST(test_short_error_buffer)
{
	struct nt_options o;
	char small[8], *argv[] = { arg_store[0], arg_store[1], NULL };

	memset(small, 'Z', sizeof(small));
	nt_options_defaults(&o);
	strcpy(arg_store[0], "netatop");
	strcpy(arg_store[1], "--max-clients=0");
	ck_assert_int_eq(nt_options_parse(&o, 2, argv, small, sizeof(small)), -1);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
}
END_TEST

START_TEST(test_usage)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	nt_usage(f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_uint_gt(len, 0);
	ck_assert_str_eq(text + len - 1, "\n");
	ck_assert_ptr_eq(strstr(text, "Usage: netatop"), text);
	ck_assert_ptr_nonnull(strstr(text, "(default " NETATOP_SOCKET ")"));
	ck_assert_ptr_nonnull(strstr(text, "/run/netatop/netatop.pid); "));
	ck_assert_ptr_nonnull(strstr(text, "seconds (default 900)"));
	ck_assert_ptr_nonnull(strstr(text, "(default 100000)"));
	ck_assert_ptr_nonnull(strstr(text, "(default 256)"));
	ck_assert_ptr_nonnull(strstr(text, "for SECS seconds (default 30)"));
	ck_assert_ptr_nonnull(strstr(text, "--list"));
	ck_assert_ptr_nonnull(strstr(text, "--json"));
	ck_assert_ptr_nonnull(strstr(text, "--client-timeout"));
	ck_assert_ptr_null(strstr(text, "%"));
	free(text);
}
END_TEST

START_TEST(test_top)
{
	struct nt_options o;

	ck_assert_int_eq(PARSE(&o, "--top"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_TOP);
	ck_assert_uint_eq(o.interval_ms, 2000);
	ck_assert_uint_eq(o.count, 0);
	ck_assert(!o.batch);
	ck_assert_int_eq(o.by, NT_BY_PID);
	ck_assert_int_eq(PARSE(&o, "--top", "-d", "0.5", "-n", "3", "-b", "--by=cgroup", "-s", "/tmp/s"), 0);
	ck_assert_uint_eq(o.interval_ms, 500);
	ck_assert_uint_eq(o.count, 3);
	ck_assert(o.batch);
	ck_assert_int_eq(o.by, NT_BY_CGROUP);
	ck_assert_str_eq(o.socket_path, "/tmp/s");
	ck_assert_int_eq(PARSE(&o, "-bd1.25", "--top", "--by", "command"), 0);
	ck_assert_uint_eq(o.interval_ms, 1250);
	ck_assert_int_eq(o.by, NT_BY_COMMAND);
	ck_assert_int_eq(PARSE(&o, "--top", "--by=user", "-d", "86400", "-n", "1000000000"), 0);
	ck_assert_int_eq(o.by, NT_BY_USER);
	ck_assert_uint_eq(o.interval_ms, 86400000);
	ck_assert_int_eq(PARSE(&o, "--top", "--by=pid", "-d", ".1", "-d", "7"), 0);
	ck_assert_int_eq(o.by, NT_BY_PID);
	ck_assert_uint_eq(o.interval_ms, 7000);

	REJECT("-d", "--top", "-d", "0.05");
	REJECT("-d", "--top", "-d", "0.0001");
	REJECT("-d", "--top", "-d", "1.2345");
	REJECT("-d", "--top", "-d", "abc");
	REJECT("-d", "--top", "-d", "");
	REJECT("-d", "--top", "-d", ".");
	REJECT("-d", "--top", "-d", "-1");
	REJECT("-d", "--top", "-d", "86400.001");
	REJECT("-d", "--top", "-d", "99999999999999999999");
	REJECT("-n", "--top", "-n", "0");
	REJECT("-n", "--top", "-n", "x");
	REJECT("cgroups", "--top", "--by=cgroups");
	/* the --top options go with --top only */
	REJECT("-d", "-d", "1");
	REJECT("-n", "--list", "-n", "1");
	REJECT("-b", "-b", "--metrics");
	REJECT("--by", "--by=user");
	REJECT("--by", "--check", "--by=user");
	/* one mode at a time */
	REJECT("--top", "--top", "--list");
	REJECT("--top", "--metrics", "--top");
	REJECT("--top", "--top", "--check");
	REJECT("--top", "--top", "-f");
	REJECT("--top", "--top", "--max-clients=3");
	REJECT("--json", "--top", "--json");
}
END_TEST

START_TEST(test_metrics)
{
	struct nt_options o;

	ck_assert_int_eq(PARSE(&o, "--metrics"), 0);
	ck_assert_int_eq(o.mode, NT_MODE_METRICS);
	ck_assert_ptr_null(o.metrics_file);
	ck_assert_ptr_null(o.metrics_state);
	ck_assert_uint_eq(o.top_n, 20);
	ck_assert_int_eq(PARSE(&o, "--metrics", "--metrics-file=/x/n.prom", "--top-n", "0",
			       "--metrics-state", "/var/lib/netatop/s", "--pidfile", "/tmp/p"), 0);
	ck_assert_str_eq(o.metrics_file, "/x/n.prom");
	ck_assert_str_eq(o.metrics_state, "/var/lib/netatop/s");
	ck_assert_uint_eq(o.top_n, 0);
	ck_assert_str_eq(o.pidfile, "/tmp/p");
	ck_assert_int_eq(PARSE(&o, "--top-n=100000", "--metrics"), 0);
	ck_assert_uint_eq(o.top_n, 100000);

	REJECT("--top-n", "--metrics", "--top-n=100001");
	REJECT("--top-n", "--metrics", "--top-n=-1");
	REJECT("--metrics-file", "--metrics", "--metrics-file=");
	REJECT("--metrics-state", "--metrics", "--metrics-state=");
	REJECT("--metrics-file", "--metrics-file=/x");
	REJECT("--metrics-file", "--top", "--metrics-file=/x");
	REJECT("--top-n", "--list", "--top-n=3");
	REJECT("--metrics-state", "--check", "--metrics-state=/x");
	REJECT("--metrics", "--metrics", "--list");
	REJECT("--metrics", "--metrics", "--keep-exited=5");
	REJECT("--json", "--metrics", "--json");
}
END_TEST

START_TEST(test_connections)
{
	struct nt_options o;

	ck_assert_int_eq(PARSE(&o, "--list", "--connections"), 0);
	ck_assert(o.connections);
	ck_assert_int_eq(o.pid, 0);
	ck_assert_int_eq(PARSE(&o, "--list", "--connections", "--pid", "123", "--json"), 0);
	ck_assert_int_eq(o.pid, 123);
	ck_assert(o.json);
	REJECT("--connections", "--connections");
	REJECT("--connections", "--top", "--connections");
	REJECT("--pid", "--list", "--pid", "1");
	REJECT("--pid", "--list", "--connections", "--pid", "0");
	REJECT("--pid", "--list", "--connections", "--pid", "-3");
	REJECT("--pid", "--list", "--connections", "--pid", "12x");
}
END_TEST

static Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_flags);
	tcase_add_loop_test(tc, test_numbers, 0, (int)(sizeof(num_cases) / sizeof(num_cases[0])));
	tcase_add_test(tc, test_last_value_wins);
	tcase_add_test(tc, test_backend);
	tcase_add_test(tc, test_socket);
	tcase_add_test(tc, test_pidfile);
	tcase_add_test(tc, test_missing_argument);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_json_needs_list);
	tcase_add_test(tc, test_daemon_options_with_list);
	tcase_add_test(tc, test_unknown_option);
	tcase_add_test(tc, test_unknown_option_in_cluster);
	tcase_add_test(tc, test_extra_argument);
	tcase_add_test(tc, test_help_version);
	tcase_add_test(tc, test_parse_again);
	tcase_add_test(tc, test_short_error_buffer);
	tcase_add_test(tc, test_usage);
	tcase_add_test(tc, test_top);
	tcase_add_test(tc, test_metrics);
	tcase_add_test(tc, test_connections);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(options_suite());
}
