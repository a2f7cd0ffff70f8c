// SPDX-License-Identifier: GPL-2.0-only
/* --metrics: labels, grouping, the exposition text, the atomic file. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labels.h"
#include "metrics.h"
#include "run_suite.h"

/* ---------------------------------------------------------------- labels */

static const struct {
	const char *in;
	const char *want;
} label_cases[] = {
	{ "nginx", "nginx" },
	{ "", "?" },
	{ "a b", "a b" },
	{ "a\001b", "a?b" },
	{ "tab\there", "tab?here" },
	{ "cr\r", "cr?" },
	{ "new\nline", "new\nline" },	/* kept: escaped on output */
	{ "del\177", "del?" },
	{ "q\"uo\\te", "q\"uo\\te" },	/* kept: escaped on output */
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
	{ "\xe2\x82\xac", "\xe2\x82\xac" },
	{ "\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!" },
	{ "bad\xc3", "bad?" },			/* cut short */
	{ "\xc3\x28", "?(" },			/* not a continuation byte */
	{ "\xc0\xaf", "??" },			/* overlong */
	{ "\xe0\x80\xaf", "???" },		/* overlong */
	{ "\xed\xa0\x80", "???" },		/* UTF-16 surrogate */
	{ "\xf4\x90\x80\x80", "????" },		/* beyond U+10FFFF */
	{ "\xff\xfe", "??" },
	{ "\x80", "?" },
};

START_TEST(test_label)
{
	char out[64];

	memset(out, 'Z', sizeof(out));
	nt_metrics_label(out, sizeof(out), label_cases[_i].in);
	ck_assert_str_eq(out, label_cases[_i].want);
}
END_TEST

START_TEST(test_label_cut)
{
	char out[8];

	nt_metrics_label(out, 2, "abc");
	ck_assert_str_eq(out, "a");
	/* never half a character */
	nt_metrics_label(out, 3, "a\xc3\xa9");
	ck_assert_str_eq(out, "a");
	nt_metrics_label(out, 4, "a\xc3\xa9");
	ck_assert_str_eq(out, "a\xc3\xa9");
	nt_metrics_label(out, 1, "abc");
	ck_assert_str_eq(out, "");
	memset(out, 'Z', sizeof(out));
	nt_metrics_label(out, 0, "abc");
	ck_assert_int_eq(out[0], 'Z');
}
END_TEST

START_TEST(test_escape)
{
	char out[64], small[4];

	ck_assert_uint_eq(nt_metrics_escape(out, sizeof(out), "plain"), 5);
	ck_assert_str_eq(out, "plain");
	ck_assert_uint_eq(nt_metrics_escape(out, sizeof(out), "a\\b\"c\nd"), 10);
	ck_assert_str_eq(out, "a\\\\b\\\"c\\nd");
	ck_assert_uint_eq(nt_metrics_escape(out, sizeof(out), ""), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(nt_metrics_escape(out, sizeof(out), "\xc3\xa9\t"), 3);
	ck_assert_str_eq(out, "\xc3\xa9\t");

	/* cut, never in the middle of an escape */
	ck_assert_uint_eq(nt_metrics_escape(small, sizeof(small), "a\"b"), 4);
	ck_assert_str_eq(small, "a\\\"");
	ck_assert_uint_eq(nt_metrics_escape(small, sizeof(small), "\"\""), 4);
	ck_assert_str_eq(small, "\\\"");
	ck_assert_uint_eq(nt_metrics_escape(small, sizeof(small), "ab\ncd"), 6);
	ck_assert_str_eq(small, "ab");
	ck_assert_uint_eq(nt_metrics_escape(NULL, 0, "a\"b"), 4);
}
END_TEST

/* ---------------------------------------------------------------- grouping */

static struct nt_proc mkproc(pid_t pid, const char *comm, const char *cgroup, unsigned long long bytes)
{
	struct nt_proc p;

	memset(&p, 0, sizeof(p));
	p.pid = pid;
	snprintf(p.command, sizeof(p.command), "%s", comm);
	if (cgroup) {
		p.have_cgroup = true;
		snprintf(p.cgroup, sizeof(p.cgroup), "%s", cgroup);
	}
	p.alive = true;
	p.c.tcpsndbytes = bytes;
	p.c.tcpsndpacks = bytes / 100;
	p.c.udprcvbytes = bytes / 2;
	p.c.udprcvpacks = 1;
	return p;
}

static struct nt_proc procs[7];

static void setup_procs(void)
{
	procs[0] = mkproc(1, "nginx", "/system.slice/nginx.service", 5000);
	procs[1] = mkproc(2, "nginx", "/system.slice/nginx.service", 7000);
	procs[2] = mkproc(3, "curl", "/user.slice", 9000);
	procs[3] = mkproc(4, "other", "/user.slice", 100);	/* a command named "other" */
	procs[4] = mkproc(5, "tiny", NULL, 10);			/* exited before we saw it */
	procs[5] = mkproc(6, "sshd", "/system.slice/ssh.service", 3000);
	procs[6] = mkproc(7, "bad\"name", "/system.slice/ssh.service", 20);
}

static unsigned long long sum(const struct nt_series *s, size_t n, enum nt_counter c)
{
	unsigned long long t = 0;
	size_t i;

	for (i = 0; i < n; i++)
		t += nt_counter_get(&s[i].c, c);
	return t;
}

/*
 * Sum the processes by command name or by cgroup as a run without a state
 * file does: the top_n labels with the most bytes, then "other".
 */
static int group(const struct nt_proc *p, size_t n, enum nt_metrics_dim dim, size_t top_n,
		 struct nt_series **out, size_t *nout)
{
	struct nt_sample smp = { .procs = (struct nt_proc *)p, .n = n, .when = 0 };
	struct nt_mstate empty, next;
	int rc;

	*out = NULL;
	*nout = 0;
	nt_mstate_init(&empty);
	if (nt_mstate_advance(&next, &empty, &smp, "", top_n) < 0)
		return -1;
	rc = nt_mstate_series(&next, dim, out, nout);
	nt_mstate_free(&next);
	return rc;
}

START_TEST(test_group_command)
{
	struct nt_series *s;
	size_t n;

	setup_procs();
	ck_assert_int_eq(group(procs, 7, NT_DIM_COMMAND, 2, &s, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(s[0].label, "nginx");
	ck_assert_uint_eq(s[0].c.tcpsndbytes, 12000);
	ck_assert_uint_eq(s[0].c.udprcvpacks, 2);
	ck_assert_uint_eq(s[0].nprocs, 2);
	ck_assert_str_eq(s[1].label, "curl");
	ck_assert_str_eq(s[2].label, "other");
	/* sshd, tiny, bad"name and the command named other */
	ck_assert_uint_eq(s[2].c.tcpsndbytes, 3000 + 10 + 20 + 100);
	ck_assert_uint_eq(s[2].nprocs, 4);
	/* nothing lost, nothing twice */
	ck_assert_uint_eq(sum(s, n, NT_C_TCP_SND_BYTES), 5000 + 7000 + 9000 + 100 + 10 + 3000 + 20);
	ck_assert_uint_eq(sum(s, n, NT_C_UDP_RCV_BYTES), 2500 + 3500 + 4500 + 50 + 5 + 1500 + 10);
	free(s);

	/* room for everyone: "other" holds only the command named so */
	ck_assert_int_eq(group(procs, 7, NT_DIM_COMMAND, 100, &s, &n), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_str_eq(s[5].label, "other");
	ck_assert_uint_eq(s[5].c.tcpsndbytes, 100);
	ck_assert_str_eq(s[4].label, "tiny");
	ck_assert_str_eq(s[3].label, "bad\"name");
	free(s);

	/* top 0: one series, the host's total */
	ck_assert_int_eq(group(procs, 7, NT_DIM_COMMAND, 0, &s, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(s[0].label, "other");
	ck_assert_uint_eq(s[0].nprocs, 7);
	free(s);

	/* nobody: "other", at zero, so the series always exists */
	ck_assert_int_eq(group(procs, 0, NT_DIM_COMMAND, 20, &s, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(s[0].label, "other");
	ck_assert_uint_eq(sum(s, n, NT_C_TCP_SND_BYTES), 0);
	free(s);
}
END_TEST

START_TEST(test_group_cgroup)
{
	struct nt_series *s;
	size_t n;

	setup_procs();
	ck_assert_int_eq(group(procs, 7, NT_DIM_CGROUP, 20, &s, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(s[0].label, "/system.slice/nginx.service");
	ck_assert_uint_eq(s[0].c.tcpsndbytes, 12000);
	ck_assert_str_eq(s[1].label, "/user.slice");
	ck_assert_uint_eq(s[1].c.tcpsndbytes, 9100);
	ck_assert_str_eq(s[2].label, "/system.slice/ssh.service");
	ck_assert_uint_eq(s[2].nprocs, 2);
	ck_assert_str_eq(s[3].label, "unknown");
	ck_assert_uint_eq(s[3].c.tcpsndbytes, 10);
	ck_assert_str_eq(s[4].label, "other");
	ck_assert_uint_eq(s[4].nprocs, 0);
	free(s);

	/* equal bytes: by label, so the output is stable */
	procs[0] = mkproc(1, "b", "/b", 50);
	procs[1] = mkproc(2, "a", "/a", 50);
	ck_assert_int_eq(group(procs, 2, NT_DIM_CGROUP, 1, &s, &n), 0);
	ck_assert_str_eq(s[0].label, "/a");
	ck_assert_str_eq(s[1].label, "other");
	ck_assert_uint_eq(s[1].c.tcpsndbytes, 50);
	free(s);
}
END_TEST

/* ---------------------------------------------------------------- exposition */

/* What a run without a state file prints. */
static char *render(const struct nt_proc *p, size_t n, size_t top_n, const struct nt_status *st)
{
	struct nt_sample smp = { .procs = (struct nt_proc *)p, .n = n, .when = 0 };
	struct nt_mstate empty, ms;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	nt_mstate_init(&empty);
	ck_assert_int_eq(nt_mstate_advance(&ms, &empty, &smp, "", top_n), 0);
	ck_assert_int_eq(nt_metrics_write(f, &ms, n, top_n, st), 0);
	ck_assert_int_eq(fclose(f), 0);
	nt_mstate_free(&ms);
	return text;
}

/* The value of the sample line "name{label="value"} N", or -1. */
static long long value_of(const char *text, const char *series)
{
	const char *p = text;
	size_t len = strlen(series);

	while ((p = strstr(p, series)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == ' ')
			return atoll(p + len + 1);
		p += len;
	}
	return -1;
}

START_TEST(test_write_format)
{
	struct nt_status st = {
		.backend = "tracepoint", .dropped_calls = 3, .dropped_exits = 4, .evicted_exited = 5,
	};
	regex_t sample_re, help_re, type_re;
	char *text, *line, *save, *copy;
	char family[128] = "";
	size_t nsamples = 0, nfamilies = 0;

	setup_procs();
	text = render(procs, 7, 3, &st);
	ck_assert_int_eq(regcomp(&sample_re,
				 "^(netatop_[a-z_]+)(\\{(command|cgroup)=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\"\\})? [0-9]+$",
				 REG_EXTENDED), 0);
	ck_assert_int_eq(regcomp(&help_re, "^# HELP (netatop_[a-z_]+) [^\n]+$", REG_EXTENDED), 0);
	ck_assert_int_eq(regcomp(&type_re, "^# TYPE (netatop_[a-z_]+) (counter|gauge)$", REG_EXTENDED), 0);

	/* every line is a HELP, then its TYPE, then samples of that family */
	copy = strdup(text);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		regmatch_t m[2];

		if (strncmp(line, "# HELP ", 7) == 0) {
			ck_assert_msg(regexec(&help_re, line, 2, m, 0) == 0, "bad HELP: %s", line);
			snprintf(family, sizeof(family), "%.*s", (int)(m[1].rm_eo - m[1].rm_so), line + m[1].rm_so);
			nfamilies++;
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			ck_assert_msg(regexec(&type_re, line, 2, m, 0) == 0, "bad TYPE: %s", line);
			ck_assert_int_eq(strncmp(line + 7, family, strlen(family)), 0);
			/* counters, and only they, end in _total */
			ck_assert_int_eq(strstr(line, " counter") != NULL,
					 strlen(family) > 6 && strcmp(family + strlen(family) - 6, "_total") == 0);
		} else {
			ck_assert_msg(regexec(&sample_re, line, 2, m, 0) == 0, "bad sample: %s", line);
			ck_assert_msg((size_t)(m[1].rm_eo - m[1].rm_so) == strlen(family) &&
				      strncmp(line, family, strlen(family)) == 0,
				      "sample %s outside its family %s", line, family);
			nsamples++;
		}
	}
	free(copy);
	regfree(&sample_re);
	regfree(&help_re);
	regfree(&type_re);
	ck_assert_int_eq(strstr(text, "# EOF") == NULL, 1);	/* text format 0.0.4 */
	/* up, processes, 8 by command, 8 by cgroup, 3 loss counters */
	ck_assert_uint_eq(nfamilies, 2 + 8 + 8 + 3);
	/* 3 + other by command, 3 + other by cgroup */
	ck_assert_uint_eq(nsamples, 2 + 8 * 4 + 8 * 4 + 3);

	ck_assert_int_eq(value_of(text, "netatop_up"), 1);
	ck_assert_int_eq(value_of(text, "netatop_processes"), 7);
	ck_assert_int_eq(value_of(text, "netatop_tcp_sent_bytes_total{command=\"nginx\"}"), 12000);
	ck_assert_int_eq(value_of(text, "netatop_tcp_sent_packets_total{command=\"nginx\"}"), 120);
	ck_assert_int_eq(value_of(text, "netatop_udp_received_bytes_total{command=\"curl\"}"), 4500);
	ck_assert_int_eq(value_of(text, "netatop_tcp_sent_bytes_total{command=\"sshd\"}"), 3000);
	ck_assert_int_eq(value_of(text, "netatop_tcp_sent_bytes_total{command=\"other\"}"), 130);
	ck_assert_int_eq(value_of(text, "netatop_cgroup_tcp_sent_bytes_total{cgroup=\"/user.slice\"}"), 9100);
	ck_assert_int_eq(value_of(text, "netatop_cgroup_tcp_sent_bytes_total{cgroup=\"other\"}"), 10);
	ck_assert_int_eq(value_of(text, "netatop_tcp_received_bytes_total{command=\"nginx\"}"), 0);
	ck_assert_int_eq(value_of(text, "netatop_dropped_calls_total"), 3);
	ck_assert_int_eq(value_of(text, "netatop_dropped_exit_records_total"), 4);
	ck_assert_int_eq(value_of(text, "netatop_evicted_exited_records_total"), 5);
	ck_assert_ptr_nonnull(strstr(text, "# TYPE netatop_tcp_sent_bytes_total counter\n"));
	ck_assert_ptr_nonnull(strstr(text, "# HELP netatop_tcp_sent_bytes_total TCP bytes sent, by command name (the 3 with the most bytes; the rest in command=\"other\").\n"));
	free(text);

	/* without the daemon's status: no loss counters; a quote in a command is escaped */
	text = render(procs, 7, 10, NULL);
	ck_assert_ptr_null(strstr(text, "dropped"));
	ck_assert_int_eq(value_of(text, "netatop_tcp_sent_bytes_total{command=\"bad\\\"name\"}"), 20);
	free(text);
}
END_TEST

/* The counting mode as a gauge; what wire counting credited to nobody as counters. */
START_TEST(test_write_counting)
{
	struct nt_status st = { "tracepoint", 0, 0, 0, "wire", { 1, 52, 2, 104, 3, 300, 4, 400 } };
	struct nt_proc p[1];
	char *text;

	memset(p, 0, sizeof(p));
	p[0].pid = 1;
	snprintf(p[0].command, sizeof(p[0].command), "init");
	text = render(p, 1, 10, &st);
	ck_assert_int_eq(value_of(text, "netatop_counting{mode=\"wire\"}"), 1);
	ck_assert_int_eq(value_of(text, "netatop_counting{mode=\"calls\"}"), 0);
	ck_assert_int_eq(value_of(text, "netatop_unattributed_tcp_sent_packets_total"), 1);
	ck_assert_int_eq(value_of(text, "netatop_unattributed_tcp_sent_bytes_total"), 52);
	ck_assert_int_eq(value_of(text, "netatop_unattributed_tcp_received_bytes_total"), 104);
	ck_assert_int_eq(value_of(text, "netatop_unattributed_udp_received_bytes_total"), 400);
	ck_assert_ptr_nonnull(strstr(text, "# TYPE netatop_unattributed_udp_sent_bytes_total counter\n"));
	free(text);

	snprintf(st.counting, sizeof(st.counting), "calls");
	text = render(p, 1, 10, &st);
	ck_assert_int_eq(value_of(text, "netatop_counting{mode=\"calls\"}"), 1);
	ck_assert_int_eq(value_of(text, "netatop_counting{mode=\"wire\"}"), 0);
	ck_assert_ptr_null(strstr(text, "unattributed"));
	free(text);

	/* an older daemon says nothing of its counting: no gauge */
	st.counting[0] = '\0';
	text = render(p, 1, 10, &st);
	ck_assert_ptr_null(strstr(text, "netatop_counting"));
	free(text);
}
END_TEST

START_TEST(test_write_escapes)
{
	struct nt_proc p[2];
	char *text;

	p[0] = mkproc(1, "a\\b\nc", "/x\"y", 10);
	p[1] = mkproc(2, "\xff", "/ok", 20);
	text = render(p, 2, 5, NULL);
	ck_assert_int_eq(value_of(text, "netatop_tcp_sent_bytes_total{command=\"a\\\\b\\nc\"}"), 10);
	ck_assert_int_eq(value_of(text, "netatop_cgroup_tcp_sent_bytes_total{cgroup=\"/x\\\"y\"}"), 10);
	ck_assert_int_eq(value_of(text, "netatop_tcp_sent_bytes_total{command=\"?\"}"), 20);
	/* no raw newline inside a sample line: each line starts a sample or a comment */
	ck_assert_ptr_null(strstr(text, "\nc\""));
	free(text);
}
END_TEST

/* ---------------------------------------------------------------- the state */

/* One run: the state after sample procs, and the series of a dimension. */
static void run(struct nt_mstate *st, struct nt_proc *p, size_t n, const char *gen, size_t top_n)
{
	struct nt_sample smp = { .procs = p, .n = n, .when = 0 };
	struct nt_mstate next;
	size_t i;

	/* a sample is by pid */
	for (i = 1; i < n; i++)
		ck_assert_int_lt(p[i - 1].pid, p[i].pid);
	ck_assert_int_eq(nt_mstate_advance(&next, st, &smp, gen, top_n), 0);
	nt_mstate_free(st);
	*st = next;
}

/* The value of a series, or -1 when it has none. */
static long long val(const struct nt_mstate *st, enum nt_metrics_dim d, const char *label, enum nt_counter c)
{
	struct nt_series *s;
	long long v = -1;
	size_t n, i;

	ck_assert_int_eq(nt_mstate_series(st, d, &s, &n), 0);
	ck_assert_str_eq(s[n - 1].label, "other");
	for (i = 0; i < n; i++) {
		if (strcmp(s[i].label, label) == 0)
			v = (long long)nt_counter_get(&s[i].c, c);
	}
	free(s);
	return v;
}

#define TSB NT_C_TCP_SND_BYTES

START_TEST(test_state_exited_process)
{
	struct nt_proc p[3];
	struct nt_mstate st;

	nt_mstate_init(&st);
	p[0] = mkproc(1, "nginx", "/web", 1000);
	p[1] = mkproc(2, "curl", "/cron", 500);
	run(&st, p, 2, "9:100", 1);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "nginx", TSB), 1000);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "other", TSB), 500);
	ck_assert_int_eq(val(&st, NT_DIM_CGROUP, "/web", TSB), 1000);

	/* curl exits: its last counters come once more, now without a running process */
	p[0] = mkproc(1, "nginx", "/web", 1500);
	p[1] = mkproc(2, "curl", NULL, 600);
	p[1].alive = false;
	run(&st, p, 2, "9:100", 1);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "nginx", TSB), 1500);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "other", TSB), 600);
	/* it stays in the cgroup it was seen in, not "unknown" */
	ck_assert_int_eq(val(&st, NT_DIM_CGROUP, "other", TSB), 600);
	ck_assert_int_eq(val(&st, NT_DIM_CGROUP, "unknown", TSB), -1);

	/* the daemon forgets curl; another curl comes: the sums go on growing */
	p[0] = mkproc(1, "nginx", "/web", 1700);
	p[1] = mkproc(3, "curl", "/cron", 50);
	run(&st, p, 2, "9:100", 1);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "nginx", TSB), 1700);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "other", TSB), 650);
	ck_assert_uint_eq(st.nprocs, 2);

	/* counters that went down: another process on that pid and second */
	p[0] = mkproc(1, "nginx", "/web", 100);
	run(&st, p, 2, "9:100", 1);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "nginx", TSB), 1800);

	/* another daemon: its counters are all new, even those that look higher */
	p[0] = mkproc(1, "nginx", "/web", 300);
	p[1] = mkproc(3, "curl", "/cron", 60);
	run(&st, p, 2, "10:200", 1);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "nginx", TSB), 2100);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "other", TSB), 710);
	ck_assert_str_eq(st.generation, "10:200");
	nt_mstate_free(&st);
}
END_TEST

START_TEST(test_state_membership)
{
	struct nt_proc p[3];
	struct nt_mstate st;

	nt_mstate_init(&st);
	p[0] = mkproc(1, "nginx", "/a", 1000);
	p[1] = mkproc(2, "curl", "/b", 10);
	run(&st, p, 2, "", 1);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "nginx", TSB), 1000);

	/* curl moves a little more than nginx: not enough to take its place */
	p[0] = mkproc(1, "nginx", "/a", 1100);
	p[1] = mkproc(2, "curl", "/b", 700);
	run(&st, p, 2, "", 1);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "curl", TSB), -1);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "other", TSB), 700);

	/* much more: curl gets the series, from its processes' counters; nginx's
	   series ends, "other" only grows */
	p[0] = mkproc(1, "nginx", "/a", 1100);
	p[1] = mkproc(2, "curl", "/b", 50000);
	run(&st, p, 2, "", 1);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "curl", TSB), 50000);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "nginx", TSB), -1);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "other", TSB), 700);

	/* room for two: nginx comes back, counted from its processes again */
	p[0] = mkproc(1, "nginx", "/a", 1200);
	run(&st, p, 2, "", 2);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "nginx", TSB), 1200);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "curl", TSB), 50000);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "other", TSB), 700);

	/* room for none: everything goes to "other" from now on */
	p[0] = mkproc(1, "nginx", "/a", 1300);
	p[1] = mkproc(2, "curl", "/b", 50010);
	run(&st, p, 2, "", 0);
	ck_assert_uint_eq(st.dim[NT_DIM_COMMAND].n, 0);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "other", TSB), 810);

	/* a command named "other" never gets a series of its own */
	p[0] = mkproc(1, "nginx", "/a", 1300);
	p[1] = mkproc(2, "curl", "/b", 50010);
	p[2] = mkproc(5, "other", "/b", 99999);
	run(&st, p, 3, "", 5);
	ck_assert_uint_eq(st.dim[NT_DIM_COMMAND].n, 2);
	ck_assert_int_eq(val(&st, NT_DIM_COMMAND, "other", TSB), 810 + 99999);
	nt_mstate_free(&st);
}
END_TEST

static uint64_t rng = 88172645463325252ULL;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

/* Whatever happens, no series ever goes down, and the state survives its file. */
START_TEST(test_state_monotonic)
{
	static const char *const comms[] = { "a", "b", "c", "d", "other", "e\"q", "f\nn" };
	static const char *const cgroups[] = { "/x", "/y", "/z\\w", NULL };
	struct nt_proc p[12];
	struct nt_mstate st, back;
	int step, k;

	nt_mstate_init(&st);
	memset(p, 0, sizeof(p));
	for (step = 0; step < 400; step++) {
		struct nt_series *before[NT_DIM_COUNT], *after;
		size_t nb[NT_DIM_COUNT], na, i, j, n = 0;
		char *text = NULL;
		size_t len = 0;
		FILE *f;
		int d;

		for (d = 0; d < NT_DIM_COUNT; d++)
			ck_assert_int_eq(nt_mstate_series(&st, d, &before[d], &nb[d]), 0);
		bool present[12];

		/* 12 pid slots: each present or not, growing, restarted now and then */
		for (i = 0; i < 12; i++) {
			present[i] = rnd(4) != 0;
			if (!present[i])
				continue;
			if (p[i].pid == 0 || rnd(10) == 0) {
				p[i] = mkproc((pid_t)(i + 1), comms[rnd(7)], cgroups[rnd(4)], rnd(1000));
				p[i].btime = rnd(3);
			}
			for (k = 0; k < NT_C_COUNT; k++)
				*nt_counter_at(&p[i].c, k) += rnd(3) ? rnd(5000) : 0;
			p[i].alive = rnd(5) != 0;
			n++;
		}
		{
			struct nt_proc cur[12];

			for (i = 0, j = 0; i < 12; i++) {
				if (present[i])
					cur[j++] = p[i];
			}
			ck_assert_uint_eq(j, n);
			run(&st, cur, j, rnd(20) ? "g1" : "g2", rnd(5));
		}
		for (d = 0; d < NT_DIM_COUNT; d++) {
			ck_assert_int_eq(nt_mstate_series(&st, d, &after, &na), 0);
			for (i = 0; i < na; i++) {
				for (j = 0; j < nb[d]; j++) {
					if (strcmp(after[i].label, before[d][j].label))
						continue;
					for (k = 0; k < NT_C_COUNT; k++)
						ck_assert_msg(nt_counter_get(&after[i].c, k) >=
							      nt_counter_get(&before[d][j].c, k),
							      "step %d: %s went down", step, after[i].label);
				}
			}
			free(after);
			free(before[d]);
		}
		/* written and read back: the same state */
		f = open_memstream(&text, &len);
		ck_assert_int_eq(nt_mstate_write(f, &st), 0);
		ck_assert_int_eq(fclose(f), 0);
		ck_assert_int_eq(nt_mstate_parse(&back, text), 0);
		ck_assert_str_eq(back.generation, st.generation);
		ck_assert_uint_eq(back.nprocs, st.nprocs);
		for (i = 0; i < st.nprocs; i++) {
			ck_assert_int_eq(back.procs[i].pid, st.procs[i].pid);
			ck_assert(memcmp(&back.procs[i].c, &st.procs[i].c, sizeof(st.procs[i].c)) == 0);
			ck_assert_int_eq(!back.procs[i].cgroup, !st.procs[i].cgroup);
			if (st.procs[i].cgroup)
				ck_assert_str_eq(back.procs[i].cgroup, st.procs[i].cgroup);
		}
		for (d = 0; d < NT_DIM_COUNT; d++) {
			ck_assert_uint_eq(back.dim[d].n, st.dim[d].n);
			for (i = 0; i < st.dim[d].n; i++) {
				ck_assert_str_eq(back.dim[d].members[i].label, st.dim[d].members[i].label);
				ck_assert_uint_eq(back.dim[d].members[i].score, st.dim[d].members[i].score);
				ck_assert(memcmp(&back.dim[d].members[i].acc, &st.dim[d].members[i].acc,
						 sizeof(st.dim[d].members[i].acc)) == 0);
			}
			ck_assert(memcmp(&back.dim[d].other.acc, &st.dim[d].other.acc, sizeof(st.dim[d].other.acc)) == 0);
		}
		nt_mstate_free(&back);
		free(text);
	}
	nt_mstate_free(&st);
}
END_TEST

START_TEST(test_state_parse_bad)
{
	static const char *const bad[] = {
		"",
		"netatop-metrics-state 2\n",
		"netatop-metrics-state 1",				/* no newline */
		"netatop-metrics-state 1\nproc 1 2 0 0 0 0 0 0 0 0 -",	/* cut short */
		"netatop-metrics-state 1\nproc 1 2 0 0 0 0 0 0 0 -\n",	/* 7 counters */
		"netatop-metrics-state 1\nproc 0 2 0 0 0 0 0 0 0 0 -\n",	/* pid 0 */
		"netatop-metrics-state 1\nproc 1 2 0 0 0 0 0 0 0 x -\n",
		"netatop-metrics-state 1\nproc 1 2 0 0 0 0 0 0 0 0 \"/a\n",
		"netatop-metrics-state 1\nproc 1 2 0 0 0 0 0 0 0 0 \"/a\\t\"\n",	/* unknown escape */
		"netatop-metrics-state 1\nproc 1 2 0 0 0 0 0 0 0 0 \"/a\" x\n",
		"netatop-metrics-state 1\nproc 1 2 0 0 0 0 0 0 0 0 -\nproc 1 2 0 0 0 0 0 0 0 0 -\n",
		"netatop-metrics-state 1\nmember command \"other\" 0 0 0 0 0 0 0 0 0\n",
		"netatop-metrics-state 1\nmember pid \"a\" 0 0 0 0 0 0 0 0 0\n",
		"netatop-metrics-state 1\nmember command \"a\" 0 0 0 0 0 0 0 0 0\nmember command \"a\" 0 0 0 0 0 0 0 0 0\n",
		"netatop-metrics-state 1\nmember command \"a\" 0 0 0 0 0 0 0 0\n",
		"netatop-metrics-state 1\nother cgroup 0 0 0 0 0 0 0\n",
		"netatop-metrics-state 1\nother cgroup 0 0 0 0 0 0 0 99999999999999999999999\n",
		"netatop-metrics-state 1\ngeneration a b\n",
		"netatop-metrics-state 1\nsomething else\n",
	};
	struct nt_mstate st;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(nt_mstate_parse(&st, bad[i]) == -1, "accepted: %s", bad[i]);
		ck_assert_uint_eq(st.nprocs, 0);
		ck_assert_uint_eq(st.dim[0].n, 0);
	}
	ck_assert_int_eq(nt_mstate_parse(&st, "netatop-metrics-state 1\n"), 0);
	ck_assert_str_eq(st.generation, "");
	ck_assert_int_eq(nt_mstate_parse(&st,
		"netatop-metrics-state 1\ngeneration 5:77\nproc 3 9 1 2 3 4 5 6 7 8 \"/a\\\\b\\\"c\\nd\"\n"
		"member cgroup \"/a\" 12 1 2 3 4 5 6 7 8\nother command 8 7 6 5 4 3 2 1\n"), 0);
	ck_assert_str_eq(st.generation, "5:77");
	ck_assert_uint_eq(st.nprocs, 1);
	ck_assert_str_eq(st.procs[0].cgroup, "/a\\b\"c\nd");
	ck_assert_uint_eq(st.procs[0].c.udprcvbytes, 8);
	ck_assert_uint_eq(st.dim[NT_DIM_CGROUP].members[0].score, 12);
	ck_assert_uint_eq(st.dim[NT_DIM_COMMAND].other.acc.tcpsndpacks, 8);
	nt_mstate_free(&st);
}
END_TEST

/* ---------------------------------------------------------------- the file */

static char dir[64];

static size_t count_entries(void)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	}
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(test_atomic_file)
{
	char path[128], bad[128], err[256], cwd[512];
	struct stat sb;
	mode_t old;

	snprintf(dir, sizeof(dir), "/tmp/netatop-metrics-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/netatop.prom", dir);

	old = umask(077);	/* whatever the umask, node_exporter must read it */
	ck_assert_int_eq(nt_write_file_atomic(path, "first\n", 6, err, sizeof(err)), 0);
	umask(old);
	ck_assert_str_eq(slurp(path), "first\n");
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0644);
	ck_assert_uint_eq(count_entries(), 1);

	/* replaced whole */
	ck_assert_int_eq(nt_write_file_atomic(path, "second, longer\n", 15, err, sizeof(err)), 0);
	ck_assert_str_eq(slurp(path), "second, longer\n");
	ck_assert_int_eq(nt_write_file_atomic(path, "", 0, err, sizeof(err)), 0);
	ck_assert_str_eq(slurp(path), "");
	ck_assert_uint_eq(count_entries(), 1);

	/* a directory that is not there: an error, nothing left behind */
	snprintf(bad, sizeof(bad), "%s/missing/netatop.prom", dir);
	err[0] = '\0';
	ck_assert_int_eq(nt_write_file_atomic(bad, "x", 1, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "missing"));
	snprintf(bad, sizeof(bad), "%s/", dir);
	ck_assert_int_eq(nt_write_file_atomic(bad, "x", 1, err, sizeof(err)), -1);
	/* the target is a directory: rename fails, the temporary file goes */
	snprintf(bad, sizeof(bad), "%s/sub", dir);
	ck_assert_int_eq(mkdir(bad, 0755), 0);
	ck_assert_int_eq(nt_write_file_atomic(bad, "x", 1, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "rename"));
	ck_assert_int_eq(rmdir(bad), 0);
	ck_assert_uint_eq(count_entries(), 1);

	/* a name without a directory: the current one */
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(nt_write_file_atomic("rel.prom", "r\n", 2, err, sizeof(err)), 0);
	ck_assert_int_eq(chdir(cwd), 0);
	snprintf(bad, sizeof(bad), "%s/rel.prom", dir);
	ck_assert_str_eq(slurp(bad), "r\n");
	ck_assert_uint_eq(count_entries(), 2);

	unlink(bad);
	unlink(path);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *lab = tcase_create("labels");
	TCase *grp = tcase_create("grouping");
	TCase *out = tcase_create("output");

	tcase_add_loop_test(lab, test_label, 0, (int)(sizeof(label_cases) / sizeof(label_cases[0])));
	tcase_add_test(lab, test_label_cut);
	tcase_add_test(lab, test_escape);
	suite_add_tcase(s, lab);
	tcase_add_test(grp, test_group_command);
	tcase_add_test(grp, test_group_cgroup);
	suite_add_tcase(s, grp);
	tcase_add_test(grp, test_state_exited_process);
	tcase_add_test(grp, test_state_membership);
	tcase_add_test(grp, test_state_monotonic);
	tcase_add_test(grp, test_state_parse_bad);
	tcase_add_test(out, test_write_format);
	tcase_add_test(out, test_write_escapes);
	tcase_add_test(out, test_write_counting);
	tcase_add_test(out, test_atomic_file);
	suite_add_tcase(s, out);
	return s;
}

int main(void)
{
	return nt_run_suite(metrics_suite());
}
