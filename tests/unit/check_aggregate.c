// SPDX-License-Identifier: GPL-2.0-only
/* --top's arithmetic (aggregate.c) and lines (topfmt.c). */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "topfmt.h"
#include "run_suite.h"

/* ---------------------------------------------------------------- helpers */

static struct netpertask rec(pid_t pid, unsigned long btime, const char *comm,
			     unsigned long long tcp_snd, unsigned long long udp_rcv)
{
	struct netpertask r;

	memset(&r, 0, sizeof(r));
	r.id = pid;
	r.btime = btime;
	snprintf(r.command, sizeof(r.command), "%s", comm);
	/* one packet per 1000 bytes */
	r.tc.tcpsndbytes = tcp_snd;
	r.tc.tcpsndpacks = tcp_snd / 1000;
	r.tc.udprcvbytes = udp_rcv;
	r.tc.udprcvpacks = udp_rcv / 1000;
	return r;
}

static void sample(struct nt_sample *s, const struct netpertask *r, size_t n, double when)
{
	size_t i;

	ck_assert_int_eq(nt_sample_from_records(s, r, n, when), 0);
	for (i = 0; i < s->n; i++)
		s->procs[i].alive = true;
}

static struct nt_proc *proc(struct nt_sample *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	}
	ck_abort_msg("pid %d not in the sample", (int)pid);
	return NULL;
}

static const struct nt_row *row_pid(const struct nt_view *v, pid_t pid)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		if (v->rows[i].pid == pid)
			return &v->rows[i];
	}
	return NULL;
}

static const struct nt_row *row_label(const struct nt_view *v, const char *label)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		if (strcmp(v->rows[i].label, label) == 0)
			return &v->rows[i];
	}
	return NULL;
}

#define ck_assert_near(a, b) ck_assert_msg((double)(a) - (double)(b) < 1e-6 && (double)(b) - (double)(a) < 1e-6, \
					   "%s = %g, expected %g", #a, (double)(a), (double)(b))

/* ---------------------------------------------------------------- samples */

START_TEST(test_sample_dedup)
{
	struct netpertask r[] = {
		rec(30, 100, "exited", 5000, 0),	/* an exited process first... */
		rec(10, 50, "a", 1000, 0),
		rec(30, 200, "reused", 7000, 0),	/* ...then a live one on its pid */
		rec(10, 50, "a", 3000, 0),		/* a later record wins */
		rec(20, 60, "b", 0, 2000),
	};
	struct nt_sample s;

	ck_assert_int_eq(nt_sample_from_records(&s, r, 5, 12.5), 0);
	ck_assert_uint_eq(s.n, 4);
	ck_assert_near(s.when, 12.5);
	ck_assert_int_eq(s.procs[0].pid, 10);
	ck_assert_uint_eq(s.procs[0].c.tcpsndbytes, 3000);
	ck_assert_int_eq(s.procs[1].pid, 20);
	ck_assert_int_eq(s.procs[2].pid, 30);
	ck_assert_uint_eq(s.procs[2].btime, 100);
	ck_assert_str_eq(s.procs[2].command, "exited");
	ck_assert_uint_eq(s.procs[3].btime, 200);
	ck_assert(!s.procs[0].alive);	/* until /proc says otherwise */

	ck_assert_ptr_eq(nt_sample_find(&s, 30, 200), &s.procs[3]);
	ck_assert_ptr_eq(nt_sample_find(&s, 30, 100), &s.procs[2]);
	ck_assert_ptr_null(nt_sample_find(&s, 30, 150));
	ck_assert_ptr_null(nt_sample_find(&s, 11, 50));
	ck_assert_ptr_null(nt_sample_find(NULL, 10, 50));
	nt_sample_free(&s);

	ck_assert_int_eq(nt_sample_from_records(&s, r, 0, 1), 0);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_ptr_null(nt_sample_find(&s, 10, 50));
	nt_sample_free(&s);
}
END_TEST

START_TEST(test_counters_order)
{
	struct taskcount tc = { 1, 2, 3, 4, 5, 6, 7, 8 };
	int i;

	for (i = 0; i < NT_C_COUNT; i++) {
		ck_assert_uint_eq(nt_counter_get(&tc, i), (unsigned long long)i + 1);
		ck_assert_ptr_eq(nt_counter_at(&tc, i), (unsigned long long *)&tc + i);
	}
}
END_TEST

START_TEST(test_inherit)
{
	struct netpertask r[] = { rec(1, 10, "a", 0, 0), rec(2, 10, "b", 0, 0) };
	struct nt_sample prev, cur;

	sample(&prev, r, 2, 0);
	proc(&prev, 1)->have_uid = true;
	proc(&prev, 1)->uid = 33;
	proc(&prev, 1)->have_cgroup = true;
	strcpy(proc(&prev, 1)->cgroup, "/system.slice/a.service");
	ck_assert_int_eq(nt_sample_from_records(&cur, r, 2, 1), 0);
	/* 2 runs and has its own */
	proc(&cur, 2)->alive = true;
	proc(&cur, 2)->have_uid = true;
	proc(&cur, 2)->uid = 7;
	nt_sample_inherit(&cur, &prev);
	ck_assert(proc(&cur, 1)->have_uid);
	ck_assert_uint_eq(proc(&cur, 1)->uid, 33);
	ck_assert_str_eq(proc(&cur, 1)->cgroup, "/system.slice/a.service");
	ck_assert_uint_eq(proc(&cur, 2)->uid, 7);
	ck_assert(!proc(&cur, 2)->have_cgroup);
	nt_sample_free(&prev);
	nt_sample_free(&cur);
}
END_TEST

/* ---------------------------------------------------------------- rates */

START_TEST(test_rates)
{
	struct netpertask a[] = {
		rec(1, 10, "steady", 10000, 0),
		rec(2, 10, "idle", 500, 500),
		rec(3, 10, "restarted", 9000, 0),
	};
	struct netpertask b[] = {
		rec(1, 10, "steady", 30000, 4000),
		rec(2, 10, "idle", 500, 500),
		rec(3, 10, "restarted", 1000, 0),	/* went down: a new process */
		rec(4, 11, "new", 6000, 0),		/* not there before */
	};
	struct nt_sample prev, cur;
	const struct nt_row *r;
	struct nt_view v;

	sample(&prev, a, 3, 100.0);
	sample(&cur, b, 4, 102.0);
	ck_assert_int_eq(nt_view_build(&v, &prev, &cur, NT_GROUP_PID), 0);
	ck_assert_near(v.interval, 2.0);
	ck_assert_uint_eq(v.n, 4);
	ck_assert_uint_eq(v.nalive, 4);
	ck_assert_uint_eq(v.nexited, 0);

	r = row_pid(&v, 1);
	ck_assert_ptr_nonnull(r);
	ck_assert_near(r->rate[NT_C_TCP_SND_BYTES], 10000);
	ck_assert_near(r->rate[NT_C_TCP_SND_PACKS], 10);
	ck_assert_near(r->rate[NT_C_UDP_RCV_BYTES], 2000);
	ck_assert_near(r->rate[NT_C_UDP_RCV_PACKS], 2);
	ck_assert_near(r->rate[NT_C_TCP_RCV_BYTES], 0);
	ck_assert_uint_eq(r->total.tcpsndbytes, 30000);
	ck_assert_str_eq(r->command, "steady");
	ck_assert(!r->exited);
	ck_assert_uint_eq(r->nprocs, 1);

	r = row_pid(&v, 2);
	ck_assert_near(r->rate[NT_C_TCP_SND_BYTES], 0);
	ck_assert_uint_eq(r->total.udprcvbytes, 500);

	r = row_pid(&v, 3);
	ck_assert_near(r->rate[NT_C_TCP_SND_BYTES], 500);
	r = row_pid(&v, 4);
	ck_assert_near(r->rate[NT_C_TCP_SND_BYTES], 3000);

	/* every process together */
	ck_assert_near(v.rate[NT_C_TCP_SND_BYTES], 10000 + 0 + 500 + 3000);
	ck_assert_near(v.rate[NT_C_UDP_RCV_BYTES], 2000);
	nt_view_free(&v);

	/* no previous sample: no rates, and what has exited is not news */
	proc(&cur, 4)->alive = false;
	ck_assert_int_eq(nt_view_build(&v, NULL, &cur, NT_GROUP_PID), 0);
	ck_assert_uint_eq(v.n, 3);
	ck_assert_near(v.interval, 0);
	ck_assert_near(row_pid(&v, 1)->rate[NT_C_TCP_SND_BYTES], 0);
	ck_assert_ptr_null(row_pid(&v, 4));
	nt_view_free(&v);

	/* the clock did not move: no rates rather than infinite ones */
	cur.when = prev.when;
	ck_assert_int_eq(nt_view_build(&v, &prev, &cur, NT_GROUP_PID), 0);
	ck_assert_near(row_pid(&v, 1)->rate[NT_C_TCP_SND_BYTES], 0);
	nt_view_free(&v);
	nt_sample_free(&prev);
	nt_sample_free(&cur);
}
END_TEST

/* An exited process: shown in the interval it exited, marked, then no more. */
START_TEST(test_exited_once)
{
	struct netpertask s0[] = { rec(1, 10, "short", 1000, 0), rec(2, 10, "long", 0, 0) };
	struct netpertask s1[] = { rec(1, 10, "short", 3000, 0), rec(2, 10, "long", 0, 0),
				   rec(5, 12, "flash", 4000, 0) };
	struct nt_sample a, b, c;
	const struct nt_row *r;
	struct nt_view v;

	sample(&a, s0, 2, 0);
	sample(&b, s1, 3, 1);
	proc(&b, 1)->alive = false;	/* it was running, now gone */
	proc(&b, 5)->alive = false;	/* came and went within the interval */
	ck_assert_int_eq(nt_view_build(&v, &a, &b, NT_GROUP_PID), 0);
	ck_assert_uint_eq(v.n, 3);
	ck_assert_uint_eq(v.nalive, 1);
	ck_assert_uint_eq(v.nexited, 2);
	r = row_pid(&v, 1);
	ck_assert(r->exited);
	ck_assert_near(r->rate[NT_C_TCP_SND_BYTES], 2000);
	r = row_pid(&v, 5);
	ck_assert(r->exited);
	ck_assert_near(r->rate[NT_C_TCP_SND_BYTES], 4000);
	ck_assert(!row_pid(&v, 2)->exited);
	nt_view_free(&v);

	/* the daemon still reports them (--keep-exited): not shown again */
	sample(&c, s1, 3, 2);
	proc(&c, 1)->alive = false;
	proc(&c, 5)->alive = false;
	ck_assert_int_eq(nt_view_build(&v, &b, &c, NT_GROUP_PID), 0);
	ck_assert_uint_eq(v.n, 1);
	ck_assert_uint_eq(v.nexited, 0);
	ck_assert_ptr_nonnull(row_pid(&v, 2));
	nt_view_free(&v);

	/* a group counts them in the interval they exit, and keeps their totals */
	ck_assert_int_eq(nt_view_build(&v, &a, &b, NT_GROUP_COMMAND), 0);
	ck_assert_uint_eq(v.n, 3);
	r = row_label(&v, "flash");
	ck_assert(r->exited);
	ck_assert_uint_eq(r->nprocs, 1);
	nt_view_free(&v);
	ck_assert_int_eq(nt_view_build(&v, &b, &c, NT_GROUP_COMMAND), 0);
	ck_assert_uint_eq(v.n, 1);	/* only "long" still runs */
	nt_view_free(&v);

	nt_sample_free(&a);
	nt_sample_free(&b);
	nt_sample_free(&c);
}
END_TEST

/* ---------------------------------------------------------------- groups */

START_TEST(test_group_command_user_cgroup)
{
	struct netpertask s0[] = {
		rec(1, 10, "nginx", 1000, 0), rec(2, 10, "nginx", 2000, 0),
		rec(3, 10, "curl", 0, 0), rec(4, 10, "old", 50, 0),
	};
	struct netpertask s1[] = {
		rec(1, 10, "nginx", 5000, 0), rec(2, 10, "nginx", 4000, 1000),
		rec(3, 10, "curl", 0, 8000), rec(4, 10, "old", 50, 0),
	};
	struct nt_sample a, b;
	const struct nt_row *r;
	struct nt_view v;
	size_t i;

	sample(&a, s0, 4, 0);
	sample(&b, s1, 4, 2);
	/* pid 4 exited long ago: a's view of it was already exited */
	proc(&a, 4)->alive = false;
	proc(&b, 4)->alive = false;
	for (i = 0; i < b.n; i++) {
		b.procs[i].have_uid = true;
		b.procs[i].uid = b.procs[i].pid == 3 ? 1000 : 33;
		b.procs[i].have_cgroup = b.procs[i].pid != 4;
		strcpy(b.procs[i].cgroup, b.procs[i].pid == 3 ? "/user.slice" : "/system.slice/nginx.service");
	}

	ck_assert_int_eq(nt_view_build(&v, &a, &b, NT_GROUP_COMMAND), 0);
	ck_assert_int_eq(v.by, NT_GROUP_COMMAND);
	ck_assert_uint_eq(v.n, 2);	/* "old" exited before the interval: no row */
	r = row_label(&v, "nginx");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->pid, 0);
	ck_assert_uint_eq(r->nprocs, 2);
	ck_assert_near(r->rate[NT_C_TCP_SND_BYTES], (4000 + 2000) / 2.0);
	ck_assert_near(r->rate[NT_C_UDP_RCV_BYTES], 500);
	ck_assert_uint_eq(r->total.tcpsndbytes, 9000);
	ck_assert(!r->exited);
	r = row_label(&v, "curl");
	ck_assert_near(r->rate[NT_C_UDP_RCV_BYTES], 4000);
	nt_view_free(&v);

	ck_assert_int_eq(nt_view_build(&v, &a, &b, NT_GROUP_USER), 0);
	r = row_label(&v, "33");
	ck_assert_ptr_nonnull(r);
	ck_assert(r->have_uid);
	ck_assert_uint_eq(r->uid, 33);
	ck_assert_str_eq(r->user, "33");
	ck_assert_uint_eq(r->nprocs, 2);
	/* the exited one's totals count with its user's */
	ck_assert_uint_eq(r->total.tcpsndbytes, 9050);
	ck_assert_ptr_nonnull(row_label(&v, "1000"));
	nt_view_free(&v);

	ck_assert_int_eq(nt_view_build(&v, &a, &b, NT_GROUP_CGROUP), 0);
	ck_assert_uint_eq(v.n, 2);
	r = row_label(&v, "/system.slice/nginx.service");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->nprocs, 2);
	ck_assert_uint_eq(r->total.tcpsndbytes, 9000);
	ck_assert_ptr_nonnull(row_label(&v, "/user.slice"));
	ck_assert_ptr_null(row_label(&v, "?"));	/* the unknown one exited before */
	nt_view_free(&v);

	/* a process whose cgroup nobody saw: "?" */
	proc(&b, 4)->alive = true;
	ck_assert_int_eq(nt_view_build(&v, &a, &b, NT_GROUP_CGROUP), 0);
	r = row_label(&v, "?");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->nprocs, 1);
	nt_view_free(&v);

	nt_sample_free(&a);
	nt_sample_free(&b);
}
END_TEST

/* ---------------------------------------------------------------- sorting */

static struct nt_view sort_view(void)
{
	static struct nt_row rows[5];
	struct nt_view v;

	memset(rows, 0, sizeof(rows));
	memset(&v, 0, sizeof(v));
	/* pid, command, send B/s, recv B/s */
	rows[0].pid = 40; strcpy(rows[0].command, "bravo");
	rows[0].rate[NT_C_TCP_SND_BYTES] = 100; rows[0].rate[NT_C_UDP_RCV_BYTES] = 900;
	rows[1].pid = 10; strcpy(rows[1].command, "alpha");
	rows[1].rate[NT_C_UDP_SND_BYTES] = 800; rows[1].rate[NT_C_TCP_RCV_BYTES] = 10;
	rows[2].pid = 30; strcpy(rows[2].command, "charlie");
	rows[2].rate[NT_C_TCP_SND_BYTES] = 300; rows[2].rate[NT_C_UDP_SND_BYTES] = 200;
	rows[3].pid = 20; strcpy(rows[3].command, "alpha");
	rows[3].total.tcpsndbytes = 5;	/* idle: the total decides */
	rows[4].pid = 50; strcpy(rows[4].command, "delta");	/* idle, nothing ever */
	v.rows = rows;
	v.n = 5;
	return v;
}

static void assert_order(const struct nt_view *v, const pid_t *want)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		ck_assert_msg(v->rows[i].pid == want[i], "row %zu: pid %d, expected %d",
			      i, (int)v->rows[i].pid, (int)want[i]);
}

START_TEST(test_sort)
{
	struct nt_view v = sort_view();
	static const pid_t total[] = { 40, 10, 30, 20, 50 };
	static const pid_t send[] = { 10, 30, 40, 20, 50 };
	static const pid_t recv[] = { 40, 10, 30, 20, 50 };
	static const pid_t pid[] = { 10, 20, 30, 40, 50 };
	static const pid_t command[] = { 10, 20, 40, 30, 50 };

	nt_view_sort(&v, NT_SORT_TOTAL);
	assert_order(&v, total);
	nt_view_sort(&v, NT_SORT_SEND);
	assert_order(&v, send);
	nt_view_sort(&v, NT_SORT_RECV);
	assert_order(&v, recv);
	nt_view_sort(&v, NT_SORT_PID);
	assert_order(&v, pid);
	nt_view_sort(&v, NT_SORT_COMMAND);
	assert_order(&v, command);
	nt_view_sort(&v, NT_SORT_TOTAL);
	assert_order(&v, total);

	ck_assert_str_eq(nt_sort_name(NT_SORT_TOTAL), "total rate");
	ck_assert_str_eq(nt_sort_name(NT_SORT_SEND), "send rate");
	ck_assert_str_eq(nt_sort_name(NT_SORT_RECV), "receive rate");
	ck_assert_str_eq(nt_sort_name(NT_SORT_PID), "pid");
	ck_assert_str_eq(nt_sort_name(NT_SORT_COMMAND), "command");
	ck_assert_near(nt_row_send_bytes(&v.rows[0]), 100);
	ck_assert_near(nt_row_recv_bytes(&v.rows[0]), 900);
}
END_TEST

START_TEST(test_sort_groups)
{
	struct nt_row rows[3];
	struct nt_view v;

	memset(rows, 0, sizeof(rows));
	memset(&v, 0, sizeof(v));
	strcpy(rows[0].label, "/b"); rows[0].nprocs = 1; rows[0].rate[NT_C_TCP_SND_BYTES] = 5;
	strcpy(rows[1].label, "/a"); rows[1].nprocs = 7;
	strcpy(rows[2].label, "/c"); rows[2].nprocs = 3; rows[2].rate[NT_C_TCP_RCV_BYTES] = 9;
	v.rows = rows;
	v.n = 3;
	v.by = NT_GROUP_CGROUP;
	nt_view_sort(&v, NT_SORT_COMMAND);	/* by label */
	ck_assert_str_eq(rows[0].label, "/a");
	ck_assert_str_eq(rows[2].label, "/c");
	nt_view_sort(&v, NT_SORT_PID);		/* most processes first */
	ck_assert_str_eq(rows[0].label, "/a");
	ck_assert_str_eq(rows[1].label, "/c");
	nt_view_sort(&v, NT_SORT_TOTAL);
	ck_assert_str_eq(rows[0].label, "/c");
	ck_assert_str_eq(rows[1].label, "/b");
	ck_assert_str_eq(rows[2].label, "/a");
	nt_view_sort(&v, NT_SORT_SEND);
	ck_assert_str_eq(rows[0].label, "/b");
}
END_TEST

/* ---------------------------------------------------------------- lines */

static const struct {
	double v;
	unsigned int base;
	const char *want;
} rate_cases[] = {
	{ 0, 1000, "0" },
	{ 0.049, 1000, "0" },
	{ 0.05, 1000, "0.1" },
	{ 0.5, 1000, "0.5" },
	{ 1, 1000, "1.0" },
	{ 9.94, 1000, "9.9" },
	{ 9.95, 1000, "10" },
	{ 10.4, 1000, "10" },
	{ 199.6, 1000, "200" },
	{ 999.4, 1000, "999" },
	{ 999.5, 1000, "1.0K" },
	{ 200000, 1024, "195K" },
	{ 1048576, 1024, "1.0M" },
	{ 1e30, 1024, "16E" },
	{ -1, 1000, "0" },
	{ NAN, 1000, "0" },
};

START_TEST(test_format_rate)
{
	char buf[16];

	ck_assert_str_eq(nt_format_rate(buf, sizeof(buf), rate_cases[_i].v, rate_cases[_i].base),
			 rate_cases[_i].want);
}
END_TEST

/* Column titles and their values end (or, for USER, S and the name, start) together. */
static void assert_aligned(const char *header, const char *line, const char *title, const char *value)
{
	const char *t = strstr(header, title), *v = strstr(line, value);

	ck_assert_msg(t && v, "'%s' or '%s' missing:\n%s\n%s", title, value, header, line);
	if (strcmp(title, "USER") == 0 || strcmp(title, "COMMAND") == 0 || strcmp(title, "CGROUP") == 0)
		ck_assert_int_eq(t - header, v - line);
	else
		ck_assert_int_eq(t - header + (long)strlen(title), v - line + (long)strlen(value));
}

static struct nt_row sample_row(void)
{
	struct nt_row r;

	memset(&r, 0, sizeof(r));
	r.pid = 4321;
	strcpy(r.command, "nginx");
	strcpy(r.user, "www-data");
	strcpy(r.label, "/system.slice/nginx.service");
	r.nprocs = 1;
	r.rate[NT_C_TCP_SND_PACKS] = 123;
	r.rate[NT_C_TCP_SND_BYTES] = 200000;
	r.rate[NT_C_TCP_RCV_PACKS] = 7;
	r.rate[NT_C_TCP_RCV_BYTES] = 5.5;
	r.rate[NT_C_UDP_SND_PACKS] = 2;
	r.rate[NT_C_UDP_SND_BYTES] = 64;
	r.rate[NT_C_UDP_RCV_PACKS] = 1;
	r.rate[NT_C_UDP_RCV_BYTES] = 32;
	r.total.tcpsndbytes = 1048576;
	r.total.udprcvbytes = 2048;
	return r;
}

START_TEST(test_layout_batch)
{
	struct nt_row r = sample_row();
	struct nt_layout l;
	char head[512], line[512];
	int c;

	nt_layout_fit(&l, NT_GROUP_PID, 0);
	for (c = 0; c < NT_COL__MAX; c++)
		ck_assert(l.show[c]);
	ck_assert_int_eq(l.width, 0);
	nt_format_header(head, sizeof(head), &l);
	ck_assert_str_eq(head, "    PID USER     S TCPSND TCPSBY TCPRCV TCPRBY UDPSND UDPSBY UDPRCV UDPRBY   SENT   RCVD COMMAND");
	nt_format_row(line, sizeof(line), &l, &r);
	ck_assert_str_eq(line, "   4321 www-data      123   195K    7.0    5.5    2.0     64    1.0     32   1.0M   2.0K nginx");
	assert_aligned(head, line, "PID", "4321");
	assert_aligned(head, line, "USER", "www-data");
	assert_aligned(head, line, "TCPSBY", "195K");
	assert_aligned(head, line, "RCVD", "2.0K");
	assert_aligned(head, line, "COMMAND", "nginx");

	r.exited = true;
	strcpy(r.user, "averylongname");
	strcpy(r.command, "bad\001name\x80");
	nt_format_row(line, sizeof(line), &l, &r);
	ck_assert_ptr_nonnull(strstr(line, " averylo+ E "));
	ck_assert_ptr_nonnull(strstr(line, " bad?name?"));
	ck_assert_int_eq(strstr(head, " S ") - head, strstr(line, " E ") - line);
}
END_TEST

START_TEST(test_layout_widths)
{
	static const enum nt_group groups[] = { NT_GROUP_PID, NT_GROUP_COMMAND, NT_GROUP_USER, NT_GROUP_CGROUP };
	struct nt_row r = sample_row();
	struct nt_layout l;
	char head[512], line[512];
	size_t g;
	int w;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (w = 1; w <= 200; w++) {
			nt_layout_fit(&l, groups[g], w);
			nt_format_header(head, sizeof(head), &l);
			nt_format_row(line, sizeof(line), &l, &r);
			ck_assert_msg((int)strlen(head) <= w, "header %zu > %d", strlen(head), w);
			ck_assert_msg((int)strlen(line) <= w, "row %zu > %d: '%s'", strlen(line), w, line);
			/* PID, S and the name never go */
			ck_assert(l.show[NT_COL_PID] && l.show[NT_COL_STATE] && l.show[NT_COL_NAME]);
			if (w >= nt_layout_min_width(&l))
				ck_assert_int_ge(l.name_width, groups[g] == NT_GROUP_CGROUP ? 20 : 8);
		}
	}

	/* 80 columns: the packet rates go first */
	nt_layout_fit(&l, NT_GROUP_PID, 80);
	nt_format_header(head, sizeof(head), &l);
	ck_assert_str_eq(head, "    PID USER     S TCPSBY TCPRBY UDPSBY UDPRBY   SENT   RCVD COMMAND");
	/* then the totals, then the user */
	nt_layout_fit(&l, NT_GROUP_PID, 62);
	nt_format_header(head, sizeof(head), &l);
	ck_assert_str_eq(head, "    PID USER     S TCPSBY TCPRBY UDPSBY UDPRBY COMMAND");
	nt_layout_fit(&l, NT_GROUP_PID, 61);
	nt_format_header(head, sizeof(head), &l);
	ck_assert_str_eq(head, "    PID S TCPSBY TCPRBY UDPSBY UDPRBY COMMAND");
	nt_layout_fit(&l, NT_GROUP_PID, 30);
	nt_format_header(head, sizeof(head), &l);
	ck_assert_str_eq(head, "    PID S COMMAND");
	/* wide: everything */
	nt_layout_fit(&l, NT_GROUP_PID, 200);
	ck_assert(l.show[NT_COL_TCPSND] && l.show[NT_COL_USER] && l.show[NT_COL_SENT]);

	/* groups: PROCS instead of PID, no USER column, the label last */
	nt_layout_fit(&l, NT_GROUP_CGROUP, 0);
	ck_assert(!l.show[NT_COL_USER]);
	nt_format_header(head, sizeof(head), &l);
	ck_assert_str_eq(head, "  PROCS S TCPSND TCPSBY TCPRCV TCPRBY UDPSND UDPSBY UDPRCV UDPRBY   SENT   RCVD CGROUP");
	r.nprocs = 3;
	nt_format_row(line, sizeof(line), &l, &r);
	assert_aligned(head, line, "PROCS", "3");
	assert_aligned(head, line, "CGROUP", "/system.slice/nginx.service");
	nt_layout_fit(&l, NT_GROUP_USER, 0);
	nt_format_header(head, sizeof(head), &l);
	ck_assert_ptr_nonnull(strstr(head, " USER"));
	ck_assert_int_eq(head[strlen(head) - 1], 'R');
	nt_layout_fit(&l, NT_GROUP_COMMAND, 0);
	nt_format_header(head, sizeof(head), &l);
	ck_assert_str_eq(head + strlen(head) - 7, "COMMAND");

	/* a long cgroup keeps its end, the unit */
	nt_layout_fit(&l, NT_GROUP_CGROUP, 60);
	nt_format_row(line, sizeof(line), &l, &r);
	ck_assert_uint_le(strlen(line), 60);
	ck_assert_str_eq(line + strlen(line) - strlen("nginx.service"), "nginx.service");
	ck_assert_ptr_nonnull(strstr(line, "..."));
}
END_TEST

START_TEST(test_totals)
{
	struct nt_view v;
	char buf[256];

	memset(&v, 0, sizeof(v));
	v.rate[NT_C_TCP_SND_PACKS] = 120;
	v.rate[NT_C_TCP_SND_BYTES] = 1258291;
	v.rate[NT_C_UDP_RCV_PACKS] = 200;
	v.rate[NT_C_UDP_RCV_BYTES] = 200000;
	nt_format_totals(buf, sizeof(buf), &v);
	ck_assert_str_eq(buf, "TCP out 120 pk/s 1.2M B/s, in 0 pk/s 0 B/s   UDP out 0 pk/s 0 B/s, in 200 pk/s 195K B/s");
	nt_format_totals_short(buf, sizeof(buf), &v);
	ck_assert_str_eq(buf, "TCP out/in 120/0 pk/s 1.2M/0 B/s  UDP out/in 0/200 pk/s 0/195K B/s");
}
END_TEST

static Suite *aggregate_suite(void)
{
	Suite *s = suite_create("aggregate");
	TCase *smp = tcase_create("samples");
	TCase *view = tcase_create("views");
	TCase *fmt = tcase_create("lines");

	tcase_add_test(smp, test_sample_dedup);
	tcase_add_test(smp, test_counters_order);
	tcase_add_test(smp, test_inherit);
	suite_add_tcase(s, smp);
	tcase_add_test(view, test_rates);
	tcase_add_test(view, test_exited_once);
	tcase_add_test(view, test_group_command_user_cgroup);
	tcase_add_test(view, test_sort);
	tcase_add_test(view, test_sort_groups);
	suite_add_tcase(s, view);
	tcase_add_loop_test(fmt, test_format_rate, 0, (int)(sizeof(rate_cases) / sizeof(rate_cases[0])));
	tcase_add_test(fmt, test_layout_batch);
	tcase_add_test(fmt, test_layout_widths);
	tcase_add_test(fmt, test_totals);
	suite_add_tcase(s, fmt);
	return s;
}

int main(void)
{
	return nt_run_suite(aggregate_suite());
}
