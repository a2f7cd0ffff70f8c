// SPDX-License-Identifier: GPL-2.0-only
/* The atop section of --check: its parsers, and the section over a made-up system. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atop.h"
#include "atopparse.h"
#include "run_suite.h"

/* ---------------------------------------------------------------- atop -V */

static const char *const banner_tail = " - 2025/03/25 12:00:00     <gerlof.langeveld@atoptool.nl>";

static struct nt_atop_version parse_ok(const char *text)
{
	struct nt_atop_version v = { 99, 99, 99 };

	ck_assert_msg(nt_atop_version_parse(text, &v) == 0, "no version in '%s'", text);
	return v;
}

START_TEST(test_version_parse)
{
	char buf[256];
	struct nt_atop_version v;

	/* Debian 12's atop, as it prints it */
	v = parse_ok("Version: 2.8.1 - 2023/01/07 14:27:57     <gerlof.langeveld@atoptool.nl>\n");
	ck_assert_uint_eq(v.major, 2);
	ck_assert_uint_eq(v.minor, 8);
	ck_assert_uint_eq(v.patch, 1);
	snprintf(buf, sizeof(buf), "Version: 2.13.0%s", banner_tail);
	v = parse_ok(buf);
	ck_assert_uint_eq(v.minor, 13);
	ck_assert_uint_eq(v.patch, 0);
	/* the builds that add their maintainers on further lines */
	v = parse_ok("Version: 2.10.0 - 2024/01/04 11:03:20     <gerlof.langeveld@atoptool.nl>\n"
		     "Maintained by ByteDance. Contact:\n\t\t\t\t\t<pizhenwei@bytedance.com>\n");
	ck_assert_uint_eq(v.minor, 10);
	/* old releases: no third number, a package revision instead */
	v = parse_ok("Version: 1.27-3 - 2012/07/22 11:38:52     < gerlof.langeveld@atoptool.nl >");
	ck_assert_uint_eq(v.major, 1);
	ck_assert_uint_eq(v.minor, 27);
	ck_assert_uint_eq(v.patch, 0);
	v = parse_ok("Version:3.0");
	ck_assert_uint_eq(v.major, 3);
	ck_assert_uint_eq(v.patch, 0);
	/* a message before the banner does not hide it */
	v = parse_ok("atop: cannot read /etc/atoprc\nVersion: 2.11.1 - x\n");
	ck_assert_uint_eq(v.patch, 1);
}
END_TEST

START_TEST(test_version_reject)
{
	static const char *const bad[] = {
		"", "\n", "atop: invalid option -- 'V'\n",
		"pcp-atop version: 6.2.0 <pcp@groups.io>",	/* another program */
		"version: 2.11.1", "Version:", "Version: ", "Version: 2", "Version: 2.",
		"Version: .10.0", "Version: x.y.z", "Version: 2.10.", "Version: 12345.1.1",
		"Version: 2.99999",
	};
	struct nt_atop_version v = { 7, 7, 7 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(nt_atop_version_parse(bad[i], &v) == -1, "took '%s'", bad[i]);
		ck_assert_uint_eq(v.major, 7);	/* untouched */
	}
}
END_TEST

START_TEST(test_version_talk)
{
	static const struct {
		const char *version;
		enum nt_atop_talk talk;
	} cases[] = {
		{ "1.27-3", NT_ATOP_TOO_OLD },
		{ "2.8.1", NT_ATOP_TOO_OLD },	/* Debian 12 */
		{ "2.9.0", NT_ATOP_TOO_OLD },	/* the kernel module only */
		{ "2.9.9", NT_ATOP_TOO_OLD },	/* numbers, not text: 9 < 10 */
		{ "2.10.0", NT_ATOP_CONNECTS },
		{ "2.10.99", NT_ATOP_CONNECTS },
		{ "2.11.0", NT_ATOP_CONNECTS },
		{ "2.11.1", NT_ATOP_NEEDS_K },
		{ "2.11.10", NT_ATOP_NEEDS_K },
		{ "2.12.1", NT_ATOP_NEEDS_K },
		{ "2.13.0", NT_ATOP_NEEDS_K },
		{ "3.0", NT_ATOP_NEEDS_K },
	};
	struct nt_atop_version v, w;
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "Version: %s%s", cases[i].version, banner_tail);
		v = parse_ok(buf);
		ck_assert_msg(nt_atop_talk(&v) == cases[i].talk, "atop %s", cases[i].version);
	}
	v = parse_ok("Version: 2.10.0");
	w = parse_ok("Version: 2.9.12");
	ck_assert_int_gt(nt_atop_version_cmp(&v, &w), 0);
	ck_assert_int_lt(nt_atop_version_cmp(&w, &v), 0);
	ck_assert_int_eq(nt_atop_version_cmp(&v, &v), 0);
	w = parse_ok("Version: 2.10.1");
	ck_assert_int_lt(nt_atop_version_cmp(&v, &w), 0);
}
END_TEST

/* ---------------------------------------------------------------- atop's flags */

#define ARGS(...) ((const char *const[]){ __VA_ARGS__ }), \
	(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static void flags_are(const char *const *argv, size_t argc, bool netatop, bool write)
{
	struct nt_atop_flags f = { !netatop, !write };

	nt_atop_flags_scan(argv, argc, &f);
	ck_assert_msg(f.netatop == netatop && f.write == write,
		      "argv[0] '%s' (%zu args): -K %d -w %d, want %d %d", argc ? argv[0] : "",
		      argc, f.netatop, f.write, netatop, write);
}

START_TEST(test_flags)
{
	/* what atop's service runs: LOGOPTS, then -w FILE INTERVAL */
	flags_are(ARGS("-K", "-w", "/var/log/atop/atop_20261203", "600"), true, true);
	flags_are(ARGS("-w", "/var/log/atop/atop_20261203", "600"), false, true);
	flags_are(ARGS("-R", "-K", "-w", "f", "600"), true, true);
	/* flags in one word */
	flags_are(ARGS("-aKw", "f"), true, true);
	flags_are(ARGS("-Ka"), true, false);
	/* a K in an argument is no flag */
	flags_are(ARGS("-w", "/var/log/atop/atop_K", "600"), false, true);
	flags_are(ARGS("-wK"), false, true);
	flags_are(ARGS("-PK"), false, false);
	flags_are(ARGS("-P", "-K"), false, false);
	flags_are(ARGS("-L", "80", "-K"), true, false);
	flags_are(ARGS("-b", "1200", "-e", "1300", "-K"), true, false);
	/* r and t take an argument only glued to them */
	flags_are(ARGS("-rK"), false, false);
	flags_are(ARGS("-r", "-K"), true, false);
	flags_are(ARGS("-t/tmp", "-K"), true, false);
	/* long options */
	flags_are(ARGS("--netatop", "--write=/var/log/atop/x"), true, true);
	flags_are(ARGS("--write", "--netatop"), false, true);	/* its argument, a file */
	flags_are(ARGS("--write", "f", "--netatop"), true, true);
	flags_are(ARGS("--parsable", "-K"), false, false);
	flags_are(ARGS("--netatopx", "--writer"), false, false);
	/* getopt_long() permutes: options after the interval count... */
	flags_are(ARGS("-w", "f", "600", "-K"), true, true);
	/* ...but not after "--" */
	flags_are(ARGS("-w", "f", "--", "-K"), false, true);
	/* and "-" alone or an empty word is no option */
	flags_are(ARGS("-", "", "600"), false, false);
	flags_are(NULL, 0, false, false);
}
END_TEST

static bool cmdline(const char *buf, size_t len, struct nt_atop_flags *f)
{
	return nt_atop_cmdline_scan(buf, len, f);
}

#define CMDLINE(lit, f) cmdline((lit), sizeof(lit) - 1, (f))

START_TEST(test_cmdline)
{
	struct nt_atop_flags f;
	char big[8192];
	size_t n;

	ck_assert(CMDLINE("/usr/bin/atop\0-K\0-w\0/var/log/atop/atop_20261203\0" "600\0", &f));
	ck_assert(f.netatop && f.write);
	ck_assert(CMDLINE("/usr/bin/atop\0-w\0/var/log/atop/atop_20261203\0" "600\0", &f));
	ck_assert(!f.netatop && f.write);
	ck_assert(CMDLINE("atop\0", &f));
	ck_assert(!f.netatop && !f.write);
	/* the last word without its NUL, as a cmdline cut short reads */
	ck_assert(CMDLINE("/usr/local/bin/atop\0-w\0x\0-K", &f));
	ck_assert(f.netatop && f.write);
	/* not atop */
	ck_assert(!CMDLINE("/usr/bin/atopsar\0-w\0x\0", &f));
	ck_assert(!CMDLINE("/usr/sbin/atopacctd\0", &f));
	ck_assert(!CMDLINE("/bin/sh\0/usr/share/atop/atop.daily\0", &f));
	ck_assert(!CMDLINE("/bin/sh\0-c\0exec /usr/bin/atop -K -w f 600\0", &f));
	ck_assert(!CMDLINE("/usr/bin/atop/\0", &f));
	ck_assert(!CMDLINE("\0-K\0", &f));
	ck_assert(!cmdline("", 0, &f));
	ck_assert(!f.netatop && !f.write);
	/* atopacctd, by its cmdline */
	ck_assert(nt_atop_argv0_is("/usr/sbin/atopacctd\0", 20, "atopacctd"));
	ck_assert(nt_atop_argv0_is("atopacctd", 9, "atopacctd"));
	ck_assert(!nt_atop_argv0_is("/usr/sbin/atopacctd.old\0", 24, "atopacctd"));
	ck_assert(!nt_atop_argv0_is("/usr/sbin/xatopacctd\0", 21, "atopacctd"));
	ck_assert(!nt_atop_argv0_is("atopacct\0d\0", 11, "atopacctd"));
	/* a huge cmdline is read as far as it fits */
	n = (size_t)snprintf(big, sizeof(big), "atop%c-K%c-w%c", 0, 0, 0);
	memset(big + n, 'x', sizeof(big) - n);
	ck_assert(cmdline(big, sizeof(big), &f));
	ck_assert(f.netatop && f.write);
}
END_TEST

/* ---------------------------------------------------------------- LOGOPTS */

static const struct {
	const char *text;
	int found;
	const char *value;
	bool netatop;
} logopts_cases[] = {
	/* Debian 12's /etc/default/atop */
	{ "# /etc/default/atop\n# see man atoprc for more possibilities to configure atop execution\n\n"
	  "LOGOPTS=\"\"\nLOGINTERVAL=600\nLOGGENERATIONS=28\nLOGPATH=/var/log/atop\n", 1, "", false },
	{ "LOGOPTS=\"-K\"\n", 1, "-K", true },
	{ "LOGOPTS='-R -K'\n", 1, "-R -K", true },
	{ "LOGOPTS=-K", 1, "-K", true },			/* no newline at the end */
	{ "LOGOPTS=\"-K\"\r\nLOGINTERVAL=60\r\n", 1, "-K", true },
	{ "  export LOGOPTS=\"-K\"   # per-process network counters\n", 1, "-K", true },
	{ "LOGOPTS = \"-K\"\n", 1, "-K", true },		/* systemd allows the blanks */
	{ "LOGOPTS=\t\"-R\"\n", 1, "-R", false },
	{ "LOGOPTS=-R -K\n", 1, "-R -K", true },		/* as systemd reads it */
	{ "LOGOPTS=\"-R\" -K\n", 1, "-R -K", true },
	{ "LOGOPTS=\"\"-K\n", 1, "-K", true },		/* words are glued */
	{ "LOGOPTS=\"-a \\\"x\\\" \\\\\"\n", 1, "-a \"x\" \\", false },
	{ "LOGOPTS=-\\K\n", 1, "-K", true },
	{ "LOGOPTS=\"-K\n", 1, "-K", true },			/* unterminated */
	{ "LOGOPTS='-K\nLOGINTERVAL=5\n", 1, "-K", true },
	{ "LOGOPTS=\n", 1, "", false },
	{ "LOGOPTS= # nothing here\n", 1, "", false },
	{ "LOGOPTS=#K\n", 1, "#K", false },			/* not a comment: no blank before */
	{ "LOGOPTS=\"-R\" # -K\n", 1, "-R", false },
	/* the last assignment wins, comments do not count */
	{ "LOGOPTS=\"-R\"\nLOGOPTS=\"-K\"\n", 1, "-K", true },
	{ "LOGOPTS=\"-K\"\nLOGOPTS=\"\"\n", 1, "", false },
	{ "# LOGOPTS=\"-K\"\nLOGOPTS=\"\"\n", 1, "", false },
	{ "LOGOPTS=\"-K\"\n#LOGOPTS=\"\"\n; LOGOPTS=\"\"\n", 1, "-K", true },
	/* nothing assigns LOGOPTS */
	{ "", 0, "", false },
	{ "\n\n", 0, "", false },
	{ "LOGINTERVAL=600\nLOGPATH=/var/log/atop\n", 0, "", false },
	{ "MYLOGOPTS=\"-K\"\nLOGOPTSX=\"-K\"\nLOGOPTS\n", 0, "", false },
	{ "echo LOGOPTS=\"-K\"\n", 0, "", false },
	{ "exportLOGOPTS=\"-K\"\n", 0, "", false },
};

START_TEST(test_logopts)
{
	struct nt_atop_flags f;
	char value[64];
	int rc;

	strcpy(value, "junk");
	rc = nt_atop_logopts_parse(logopts_cases[_i].text, value, sizeof(value));
	ck_assert_msg(rc == logopts_cases[_i].found, "case %d: found %d", _i, rc);
	if (rc)
		ck_assert_msg(strcmp(value, logopts_cases[_i].value) == 0, "case %d: '%s', want '%s'",
			      _i, value, logopts_cases[_i].value);
	else
		value[0] = '\0';
	nt_atop_logopts_flags(value, &f);
	ck_assert_msg(f.netatop == logopts_cases[_i].netatop, "case %d: -K %d", _i, f.netatop);
	ck_assert(!f.write);
}
END_TEST

START_TEST(test_logopts_long)
{
	char text[300], small[8];

	/* a value longer than the buffer is cut, and still ends */
	snprintf(text, sizeof(text), "LOGOPTS=\"-R -K -a -b 1200 -e 1300\"\nLOGINTERVAL=5\n");
	ck_assert_int_eq(nt_atop_logopts_parse(text, small, sizeof(small)), 1);
	ck_assert_str_eq(small, "-R -K -");
	ck_assert_int_eq(nt_atop_logopts_parse(text, small, 1), 1);
	ck_assert_str_eq(small, "");
}
END_TEST

/* ---------------------------------------------------------------- a made-up system */

/* One directory for the whole run, made and removed by main(). */
static char tmpdir[80];
static char dir[160];	/* this test's, below it */

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static const char *at(const char *name)
{
	static char paths[8][256];
	static unsigned int next;
	char *p = paths[next++ % 8];

	snprintf(p, sizeof(paths[0]), "%s/%s", dir, name);
	return p;
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* The env's paths: they must outlive at()'s buffers. */
static struct {
	char search[400], proc[200], debian[200], fedora[200], sysconfig[200], systemd[200];
} paths;

/* A fresh tree for one test: bin/, proc/, etc/default/. */
static void new_system(struct nt_atop_env *env)
{
	static unsigned int n;

	snprintf(dir, sizeof(dir), "%s/%u-%d", tmpdir, n++, (int)getpid());
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(mkdir(at("bin"), 0755), 0);
	ck_assert_int_eq(mkdir(at("proc"), 0755), 0);
	ck_assert_int_eq(mkdir(at("etc"), 0755), 0);
	ck_assert_int_eq(mkdir(at("etc/default"), 0755), 0);
	snprintf(paths.search, sizeof(paths.search), "%s/empty:%s/bin", dir, dir);
	snprintf(paths.proc, sizeof(paths.proc), "%s/proc", dir);
	snprintf(paths.debian, sizeof(paths.debian), "%s/etc/default/atop", dir);
	snprintf(paths.fedora, sizeof(paths.fedora), "%s/etc/sysconfig/atop", dir);
	snprintf(paths.sysconfig, sizeof(paths.sysconfig), "%s/etc/sysconfig", dir);
	snprintf(paths.systemd, sizeof(paths.systemd), "%s/run/systemd/system", dir);
	env->search = paths.search;
	env->proc = paths.proc;
	env->debian_conf = paths.debian;
	env->fedora_conf = paths.fedora;
	env->sysconfig_dir = paths.sysconfig;
	env->systemd_dir = paths.systemd;
	env->version_timeout_ms = 2000;
}

/* An atop that prints this for -V (it runs as nobody under root: all 0755). */
static void fake_atop(const char *script_body)
{
	char text[512];
	int len = snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", script_body);

	write_file(at("bin/atop"), text, (size_t)len, 0755);
}

static void fake_version(const char *version)
{
	char body[256];

	snprintf(body, sizeof(body), "echo 'Version: %s%s'", version, banner_tail);
	fake_atop(body);
}

/* A process of the made-up /proc with this cmdline (NUL-separated, len bytes). */
static void fake_process(int pid, const char *cmdline, size_t len)
{
	char name[32];

	snprintf(name, sizeof(name), "proc/%d", pid);
	ck_assert_int_eq(mkdir(at(name), 0755), 0);
	snprintf(name, sizeof(name), "proc/%d/cmdline", pid);
	write_file(at(name), cmdline, len, 0444);
}

#define PROCESS(pid, lit) fake_process((pid), (lit), sizeof(lit) - 1)

static size_t section(const struct nt_atop_env *env, struct nt_atop_line *line)
{
	size_t i, n;

	memset(line, 0, sizeof(*line) * NT_ATOP_LINES);
	n = nt_atop_check(env, line);
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_le(n, NT_ATOP_LINES);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(line[i].name);
		ck_assert_msg(strcmp(line[i].status, "ok") == 0 || strcmp(line[i].status, "missing") == 0 ||
			      strcmp(line[i].status, "info") == 0, "status '%s'", line[i].status);
		/* one line each, as the report prints them */
		ck_assert_ptr_null(strchr(line[i].detail, '\n'));
		ck_assert_uint_gt(strlen(line[i].detail), 0);
	}
	ck_assert_str_eq(line[0].name, "atop");
	if (n > 1) {
		ck_assert_str_eq(line[1].name, "atop logging");
		ck_assert_str_eq(line[2].name, "atop accounting");
	}
	return n;
}

static void detail_has(const struct nt_atop_line *l, const char *want)
{
	ck_assert_msg(strstr(l->detail, want) != NULL, "%s: '%s' lacks '%s'", l->name, l->detail, want);
}

START_TEST(test_section_not_installed)
{
	struct nt_atop_line line[NT_ATOP_LINES];
	struct nt_atop_env env;

	new_system(&env);
	ck_assert_uint_eq(section(&env, line), 1);
	ck_assert_str_eq(line[0].status, "info");
	detail_has(&line[0], "not installed");
	/* a directory or a file that may not run is no atop either; nor an empty entry */
	ck_assert_int_eq(mkdir(at("bin/atop"), 0755), 0);
	write_file(at("atop"), "#!/bin/sh\n", 10, 0644);
	snprintf(paths.search, sizeof(paths.search), "%s::%s/bin:", dir, dir);
	ck_assert_uint_eq(section(&env, line), 1);
	ck_assert_str_eq(line[0].status, "info");
	detail_has(&line[0], "not installed");
	env.search = "";
	ck_assert_uint_eq(section(&env, line), 1);
}
END_TEST

START_TEST(test_section_too_old)
{
	struct nt_atop_line line[NT_ATOP_LINES];
	struct nt_atop_env env;

	new_system(&env);
	fake_version("2.9.0");
	PROCESS(10, "/usr/bin/atop\0-w\0/var/log/atop/atop_20261203\0" "600\0");
	/* nothing to say of its logging: it cannot log netatop's counters at all */
	ck_assert_uint_eq(section(&env, line), 1);
	ck_assert_str_eq(line[0].status, "missing");
	detail_has(&line[0], at("bin/atop"));
	detail_has(&line[0], "atop 2.9.0");
	detail_has(&line[0], "install atop 2.10.0 or later");
}
END_TEST

START_TEST(test_section_connects)
{
	struct nt_atop_line line[NT_ATOP_LINES];
	struct nt_atop_env env;

	new_system(&env);
	fake_version("2.10.0");
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[0].status, "ok");
	detail_has(&line[0], "atop 2.10.0: it connects to netatop by itself");
	ck_assert_str_eq(line[1].status, "info");
	detail_has(&line[1], "no atop -w runs");
	detail_has(&line[1], "needs no -K");

	PROCESS(4321, "/usr/bin/atop\0-w\0/var/log/atop/atop_20261203\0" "600\0");
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[1].status, "ok");
	detail_has(&line[1], "pid 4321");
}
END_TEST

START_TEST(test_section_logger_without_k)
{
	static const char conf[] = "# /etc/default/atop\nLOGOPTS=\"\"\nLOGINTERVAL=600\n";
	struct nt_atop_line line[NT_ATOP_LINES];
	struct nt_atop_env env;

	new_system(&env);
	fake_version("2.11.1");
	write_file(env.debian_conf, conf, sizeof(conf) - 1, 0644);
	PROCESS(1, "/sbin/init\0");
	PROCESS(77, "/usr/bin/atop\0-w\0/var/log/atop/atop_20261203\0" "600\0");
	PROCESS(78, "atop\0-K\0");	/* someone's interactive atop: not the logger */
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[0].status, "ok");
	detail_has(&line[0], "atop 2.11.1: it connects to netatop only when started with -K");
	ck_assert_str_eq(line[1].status, "missing");
	detail_has(&line[1], "atop -w (pid 77) runs without -K");
	detail_has(&line[1], "set LOGOPTS=\"-K\" in ");
	detail_has(&line[1], env.debian_conf);
	/* no systemd in the made-up system */
	detail_has(&line[1], "then service atop restart");

	/* with systemd; and the options LOGOPTS had are kept */
	ck_assert_int_eq(mkdir(at("run"), 0755), 0);
	ck_assert_int_eq(mkdir(at("run/systemd"), 0755), 0);
	ck_assert_int_eq(mkdir(at("run/systemd/system"), 0755), 0);
	write_file(env.debian_conf, "LOGOPTS='-R'\n", 13, 0644);
	ck_assert_uint_eq(section(&env, line), 3);
	detail_has(&line[1], "set LOGOPTS=\"-R -K\" in ");
	detail_has(&line[1], "then systemctl restart atop");
}
END_TEST

START_TEST(test_section_logger_with_k)
{
	static const char conf[] = "LOGOPTS=\"-K\"\n";
	struct nt_atop_line line[NT_ATOP_LINES];
	struct nt_atop_env env;

	new_system(&env);
	fake_version("2.13.0");
	write_file(env.debian_conf, conf, sizeof(conf) - 1, 0644);
	PROCESS(500, "/usr/bin/atop\0-K\0-w\0/var/log/atop/atop_20261203\0" "600\0");
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[1].status, "ok");
	detail_has(&line[1], "atop -w (pid 500) runs with -K");

	/* LOGOPTS has -K, but a logger started before still runs without */
	PROCESS(501, "/usr/bin/atop\0-w\0/var/log/atop/atop_20261204\0" "600\0");
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[1].status, "missing");
	detail_has(&line[1], "atop -w (pid 501) was started before LOGOPTS in ");
	detail_has(&line[1], ": service atop restart");
}
END_TEST

START_TEST(test_section_no_logger)
{
	struct nt_atop_line line[NT_ATOP_LINES];
	struct nt_atop_env env;

	new_system(&env);
	fake_version("2.11.1");
	/* no defaults file at all */
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[1].status, "info");
	detail_has(&line[1], "no atop -w runs, and there is neither ");

	/* Fedora's file, with -K */
	ck_assert_int_eq(mkdir(env.sysconfig_dir, 0755), 0);
	write_file(env.fedora_conf, "LOGOPTS=\"-K\"\n", 13, 0644);
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[1].status, "info");
	detail_has(&line[1], env.fedora_conf);
	detail_has(&line[1], "has -K, so atop's service will log");

	/* LOGOPTS without -K: what to set before the service starts */
	write_file(env.fedora_conf, "LOGINTERVAL=60\n", 15, 0644);
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[1].status, "info");
	detail_has(&line[1], "has no -K: set LOGOPTS=\"-K\" there");

	/* a logger without -K, no LOGOPTS: Fedora's file is the one to change */
	PROCESS(9, "/usr/bin/atop\0-w\0/var/log/atop/atop_20261203\0" "600\0");
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[1].status, "missing");
	detail_has(&line[1], env.fedora_conf);
}
END_TEST

START_TEST(test_section_unreadable_conf)
{
	struct nt_atop_line line[NT_ATOP_LINES];
	struct nt_atop_env env;

	new_system(&env);
	fake_version("2.11.1");
	/* a directory where the file should be: it exists and cannot be read */
	ck_assert_int_eq(mkdir(env.debian_conf, 0755), 0);
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[1].status, "info");
	detail_has(&line[1], "cannot be read");
}
END_TEST

START_TEST(test_section_accounting)
{
	struct nt_atop_line line[NT_ATOP_LINES];
	struct nt_atop_env env;

	new_system(&env);
	fake_version("2.11.1");
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[2].status, "info");
	detail_has(&line[2], "no atopacctd runs");
	PROCESS(321, "/usr/sbin/atopacctd\0");
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[2].status, "ok");
	detail_has(&line[2], "atopacctd runs (pid 321)");
}
END_TEST

START_TEST(test_section_no_version)
{
	struct nt_atop_line line[NT_ATOP_LINES];
	struct nt_atop_env env;

	new_system(&env);
	/* something else called atop: judged as the newest, and said so */
	fake_atop("echo 'usage: atop [-V]'; echo 'second line'; exit 1");
	ck_assert_uint_eq(section(&env, line), 3);
	ck_assert_str_eq(line[0].status, "info");
	detail_has(&line[0], "-V gave no version (usage: atop [-V])");
	fake_atop("exit 0");
	ck_assert_uint_eq(section(&env, line), 3);
	detail_has(&line[0], "gave no version (no output)");
	/* one that never exits is stopped */
	fake_atop("exec sleep 30");
	env.version_timeout_ms = 100;
	ck_assert_uint_eq(section(&env, line), 3);
	detail_has(&line[0], "gave no version (it did not exit within 100 ms)");
	ck_assert_str_eq(line[1].name, "atop logging");
}
END_TEST

static Suite *atopcheck_suite(void)
{
	Suite *s = suite_create("atopcheck");
	TCase *parse = tcase_create("parse");
	TCase *sys = tcase_create("section");

	tcase_add_test(parse, test_version_parse);
	tcase_add_test(parse, test_version_reject);
	tcase_add_test(parse, test_version_talk);
	tcase_add_test(parse, test_flags);
	tcase_add_test(parse, test_cmdline);
	tcase_add_loop_test(parse, test_logopts, 0,
			    (int)(sizeof(logopts_cases) / sizeof(logopts_cases[0])));
	tcase_add_test(parse, test_logopts_long);
	suite_add_tcase(s, parse);
	tcase_add_test(sys, test_section_not_installed);
	tcase_add_test(sys, test_section_too_old);
	tcase_add_test(sys, test_section_connects);
	tcase_add_test(sys, test_section_logger_without_k);
	tcase_add_test(sys, test_section_logger_with_k);
	tcase_add_test(sys, test_section_no_logger);
	tcase_add_test(sys, test_section_unreadable_conf);
	tcase_add_test(sys, test_section_accounting);
	tcase_add_test(sys, test_section_no_version);
	/* each runs atop -V a few times, on a loaded machine too */
	tcase_set_timeout(sys, 30);
	suite_add_tcase(s, sys);
	return s;
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	int failures;

	if (!base || !*base || strlen(base) > 40)
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/netatop-atop-XXXXXX", base);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	/* the fake atops run as nobody when the suite runs as root */
	if (chmod(tmpdir, 0755) < 0) {
		perror("chmod");
		return 1;
	}
	failures = nt_run_suite(atopcheck_suite());
	nftw(tmpdir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
	return failures;
}
