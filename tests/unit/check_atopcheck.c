// SPDX-License-Identifier: GPL-2.0-only
/* The atop section of --check: its parsers. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

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

static Suite *atopcheck_suite(void)
{
	Suite *s = suite_create("atopcheck");
	TCase *parse = tcase_create("parse");

	tcase_add_test(parse, test_version_parse);
	tcase_add_test(parse, test_version_reject);
	tcase_add_test(parse, test_version_talk);
	tcase_add_test(parse, test_flags);
	tcase_add_test(parse, test_cmdline);
	tcase_add_loop_test(parse, test_logopts, 0,
			    (int)(sizeof(logopts_cases) / sizeof(logopts_cases[0])));
	tcase_add_test(parse, test_logopts_long);
	suite_add_tcase(s, parse);
	return s;
}

int main(void)
{
	return nt_run_suite(atopcheck_suite());
}
