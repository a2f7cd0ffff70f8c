// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exact counters: known children move known traffic, and every one of the
 * 8 counters atop receives for them must be exactly what their socket
 * calls moved, both while they live and after they have exited, with the
 * comm and btime atop would compute itself.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atop_client.h"
#include "harness.h"
#include "traffic.h"

#define TEST_TIMEOUT_S 30

static struct harness netatop;

struct run {
	struct traffic_case tc;
	unsigned long btime[TRAFFIC_MAX_CHILDREN];
	struct atop_reply live;		/* asked while the children were alive */
	struct atop_reply exited;	/* asked after they were reaped */
};

static void query(struct atop_reply *r)
{
	char err[256];

	atop_reply_init(r);
	ck_assert_msg(atop_query(netatop.sock, r, err, sizeof(err)) == ATOP_OK,
		      "query %s: %s", netatop.sock, err);
}

/* The child's record: its comm, the btime atop computes, all 8 counters exact. */
static void check_record(const struct atop_reply *r, const struct traffic_child *c,
			 unsigned long btime, const char *when)
{
	const struct netpertask *rec = atop_lookup(r, c->pid);
	char msg[512];

	ck_assert_msg(rec != NULL, "%s: pid %d (%s) is not in the reply (%zu records)",
		      when, (int)c->pid, c->comm, r->nraw);
	ck_assert_msg(memchr(rec->command, '\0', sizeof(rec->command)) != NULL,
		      "%s: pid %d: command is not NUL-terminated", when, (int)c->pid);
	ck_assert_msg(strcmp(rec->command, c->comm) == 0, "%s: pid %d: command '%s', want '%s'",
		      when, (int)c->pid, rec->command, c->comm);
	ck_assert_msg(rec->btime == btime, "%s: pid %d (%s): btime %lu, atop computes %lu",
		      when, (int)c->pid, c->comm, rec->btime, btime);
	ck_assert_msg(atop_counts_cmp(&rec->tc, &c->done, msg, sizeof(msg)) == 0,
		      "%s: pid %d (%s): %s", when, (int)c->pid, c->comm, msg);
}

/* A process none of whose traffic counts: absent, or all zero. */
static void check_nothing(const struct atop_reply *r, const struct traffic_child *c, const char *when)
{
	const struct netpertask *rec = atop_lookup(r, c->pid);
	struct taskcount zero;
	char msg[512];

	if (!rec)
		return;
	memset(&zero, 0, sizeof(zero));
	ck_assert_msg(atop_counts_cmp(&rec->tc, &zero, msg, sizeof(msg)) == 0,
		      "%s: pid %d (%s) should count nothing: %s", when, (int)c->pid, c->comm, msg);
}

static void check_all(const struct run *run, const struct atop_reply *r, const char *when)
{
	unsigned int i;

	for (i = 0; i < run->tc.nchild; i++) {
		const struct traffic_child *c = &run->tc.child[i];
		struct taskcount zero;

		memset(&zero, 0, sizeof(zero));
		if (memcmp(&c->done, &zero, sizeof(zero)) == 0)
			check_nothing(r, c, when);
		else
			check_record(r, c, run->btime[i], when);
	}
}

/*
 * Start the children, read what atop reads in /proc while they wait, let
 * them move their traffic, then check the reply twice: while they are
 * still alive (counters final) and after they have been reaped.  Returns
 * false when the kernel cannot do the case.
 */
static bool run_case(const char *name, struct run *run)
{
	struct traffic_spec spec;
	char err[512], comm[NETATOP_COMMLEN];
	unsigned int i;
	int rc;

	memset(run, 0, sizeof(*run));
	ck_assert_msg(traffic_spec_by_name(name, &spec) == 0, "no traffic case %s", name);
	rc = traffic_prepare(&run->tc, &spec, err, sizeof(err));
	if (rc == TRAFFIC_UNSUPPORTED) {
		fprintf(stderr, "%s: not tested, the kernel cannot do it: %s\n", name, err);
		return false;
	}
	ck_assert_msg(rc == 0, "%s", err);
	for (i = 0; i < run->tc.nchild; i++) {
		const struct traffic_child *c = &run->tc.child[i];

		ck_assert_msg(atop_proc_btime(c->pid, &run->btime[i]) == 0,
			      "cannot read /proc/%d/stat", (int)c->pid);
		ck_assert_msg(atop_proc_comm(c->pid, comm) == 0 && strcmp(comm, c->comm) == 0,
			      "pid %d: comm '%s', expected '%s'", (int)c->pid, comm, c->comm);
	}
	ck_assert_msg(traffic_go(&run->tc) == 0, "%s: cannot start the children", name);
	ck_assert_msg(traffic_collect(&run->tc, err, sizeof(err)) == 0, "%s", err);

	query(&run->live);
	check_all(run, &run->live, "alive");

	ck_assert_msg(traffic_finish(&run->tc, err, sizeof(err)) == 0, "%s", err);
	query(&run->exited);
	check_all(run, &run->exited, "exited");
	return true;
}

static void done_run(struct run *run)
{
	atop_reply_free(&run->live);
	atop_reply_free(&run->exited);
}

static const struct traffic_child *sender(const struct run *run)
{
	return &run->tc.child[TRAFFIC_SENDER];
}

static const struct traffic_child *receiver(const struct run *run)
{
	return &run->tc.child[TRAFFIC_RECEIVER];
}

static unsigned long long total(const struct run *run)
{
	return (unsigned long long)run->tc.spec.count * run->tc.spec.size;
}

/*
 * What the generator must have done, so that exact equality above is not
 * the trivial 0 == 0.
 */
static void want(const struct traffic_child *c, unsigned long long tsp, unsigned long long tsb,
		 unsigned long long trb, unsigned long long usp, unsigned long long usb,
		 unsigned long long urp, unsigned long long urb)
{
	const struct taskcount *d = &c->done;

	ck_assert_msg(d->tcpsndpacks == tsp && d->tcpsndbytes == tsb && d->tcprcvbytes == trb &&
		      d->udpsndpacks == usp && d->udpsndbytes == usb &&
		      d->udprcvpacks == urp && d->udprcvbytes == urb,
		      "generator %s did not do what the case says", c->comm);
	ck_assert_msg((d->tcprcvpacks == 0) == (trb == 0), "generator %s: tcp receive calls", c->comm);
}

static void tcp_case(const char *name)
{
	struct run run;

	if (!run_case(name, &run))
		return;
	want(sender(&run), run.tc.spec.count, total(&run), 0, 0, 0, 0, 0);
	want(receiver(&run), 0, 0, total(&run), 0, 0, 0, 0);
	done_run(&run);
}

static void udp_case(const char *name, unsigned int per_sender)
{
	unsigned long long n;
	struct run run;

	if (!run_case(name, &run))
		return;
	n = (unsigned long long)run.tc.spec.count * per_sender;
	want(sender(&run), 0, 0, 0, n, n * run.tc.spec.size, 0, 0);
	want(receiver(&run), 0, 0, 0, 0, 0, n, n * run.tc.spec.size);
	done_run(&run);
}

START_TEST(test_tcp4_send_recv)
{
	tcp_case("tcp4");
}
END_TEST

START_TEST(test_tcp4_write_read)
{
	tcp_case("tcp4-rw");
}
END_TEST

START_TEST(test_tcp6_sendmsg_recvmsg)
{
	tcp_case("tcp6");
}
END_TEST

START_TEST(test_mptcp_is_tcp)
{
	tcp_case("mptcp");
}
END_TEST

START_TEST(test_sendfile_is_tcp_send)
{
	tcp_case("sendfile");
}
END_TEST

START_TEST(test_udp4_sendto_recvfrom)
{
	udp_case("udp4", 1);
}
END_TEST

START_TEST(test_udp4_write_read)
{
	udp_case("udp4-rw", 1);
}
END_TEST

START_TEST(test_udp6_sendmsg_recvmsg)
{
	udp_case("udp6", 1);
}
END_TEST

START_TEST(test_udp_v4mapped)
{
	udp_case("udp-mapped", 1);
}
END_TEST

START_TEST(test_udplite_is_udp)
{
	udp_case("udplite", 1);
}
END_TEST

START_TEST(test_mmsg_counts_each_message)
{
	udp_case("mmsg", 1);
}
END_TEST

START_TEST(test_uring)
{
	udp_case("uring", 1);
}
END_TEST

START_TEST(test_threads_credit_process)
{
	const struct traffic_child *s;
	struct run run;
	unsigned int i;

	ck_assert(run_case("threads", &run));
	s = sender(&run);
	want(s, 0, 0, 0, (unsigned long long)run.tc.spec.count * TRAFFIC_NTHREADS,
	     total(&run) * TRAFFIC_NTHREADS, 0, 0);
	ck_assert_uint_eq(s->ntids, TRAFFIC_NTHREADS);
	/* atop looks processes up by tgid: a thread must never get a record of its own. */
	for (i = 0; i < s->ntids; i++) {
		ck_assert_int_ne(s->tids[i], s->pid);
		ck_assert_msg(atop_lookup(&run.live, s->tids[i]) == NULL &&
			      atop_lookup(&run.exited, s->tids[i]) == NULL,
			      "thread %d of %d has a record of its own", (int)s->tids[i], (int)s->pid);
	}
	done_run(&run);
}
END_TEST

START_TEST(test_failed_sends_count_nothing)
{
	struct run run;
	size_t size;

	ck_assert(run_case("fails", &run));
	size = run.tc.spec.size;
	/* Only the marker datagram, sent to itself, counts. */
	want(sender(&run), 0, 0, 0, 1, size, 1, size);
	done_run(&run);
}
END_TEST

START_TEST(test_eagain_counts_nothing)
{
	struct run run;

	ck_assert(run_case("eagain", &run));
	want(sender(&run), 1, run.tc.spec.size, run.tc.spec.size, 0, 0, 0, 0);
	done_run(&run);
}
END_TEST

START_TEST(test_peek_counts_nothing)
{
	struct run run;
	size_t size;

	ck_assert(run_case("peek", &run));
	size = run.tc.spec.size;
	want(sender(&run), 1, size, size, 1, size, 1, size);
	done_run(&run);
}
END_TEST

START_TEST(test_unix_not_counted)
{
	struct run run;
	size_t size;

	ck_assert(run_case("unix", &run));
	size = run.tc.spec.size;
	/* [0]: AF_UNIX plus one UDP marker; [1]: AF_UNIX only, so absent or zero. */
	want(sender(&run), 0, 0, 0, 1, size, 1, size);
	want(receiver(&run), 0, 0, 0, 0, 0, 0, 0);
	done_run(&run);
}
END_TEST

static Suite *exact_counts_suite(void)
{
	Suite *s = suite_create("exact_counts");

	harness_add_test(s, "tcp4 send/recv", test_tcp4_send_recv, TEST_TIMEOUT_S);
	harness_add_test(s, "tcp4 write/read", test_tcp4_write_read, TEST_TIMEOUT_S);
	harness_add_test(s, "tcp6 sendmsg/recvmsg", test_tcp6_sendmsg_recvmsg, TEST_TIMEOUT_S);
	harness_add_test(s, "mptcp", test_mptcp_is_tcp, TEST_TIMEOUT_S);
	harness_add_test(s, "sendfile", test_sendfile_is_tcp_send, TEST_TIMEOUT_S);
	harness_add_test(s, "udp4 sendto/recvfrom", test_udp4_sendto_recvfrom, TEST_TIMEOUT_S);
	harness_add_test(s, "udp4 write/read", test_udp4_write_read, TEST_TIMEOUT_S);
	harness_add_test(s, "udp6 sendmsg/recvmsg", test_udp6_sendmsg_recvmsg, TEST_TIMEOUT_S);
	harness_add_test(s, "udp v4-mapped", test_udp_v4mapped, TEST_TIMEOUT_S);
	harness_add_test(s, "udplite", test_udplite_is_udp, TEST_TIMEOUT_S);
	harness_add_test(s, "sendmmsg/recvmmsg", test_mmsg_counts_each_message, TEST_TIMEOUT_S);
	harness_add_test(s, "io_uring", test_uring, TEST_TIMEOUT_S);
	harness_add_test(s, "threads", test_threads_credit_process, TEST_TIMEOUT_S);
	harness_add_test(s, "failed sends", test_failed_sends_count_nothing, TEST_TIMEOUT_S);
	harness_add_test(s, "EAGAIN", test_eagain_counts_nothing, TEST_TIMEOUT_S);
	harness_add_test(s, "MSG_PEEK", test_peek_counts_nothing, TEST_TIMEOUT_S);
	harness_add_test(s, "AF_UNIX", test_unix_not_counted, TEST_TIMEOUT_S);
	return s;
}

int main(void)
{
	return harness_run_suite(&netatop, exact_counts_suite());
}
