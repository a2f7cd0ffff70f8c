// SPDX-License-Identifier: GPL-2.0-only
/* The connection query's framing and the clients' connection views: no libbpf. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connfmt.h"
#include "connproto.h"
#include "conntopfmt.h"
#include "connview.h"
#include "run_suite.h"

static struct nt_conn_entry mk(uint16_t lport, const char *raddr, uint16_t rport, uint64_t snd,
			       uint64_t rcv)
{
	struct nt_conn_entry e;

	memset(&e, 0, sizeof(e));
	e.pid = 42;
	e.proto = 6;
	e.family = AF_INET;
	e.state = 1;
	e.lport = lport;
	e.rport = rport;
	inet_pton(AF_INET, "10.0.0.1", e.laddr);
	if (raddr)
		inet_pton(AF_INET, raddr, e.raddr);
	e.sndpacks = snd / 100;
	e.sndbytes = snd;
	e.rcvpacks = rcv / 100;
	e.rcvbytes = rcv;
	snprintf(e.command, sizeof(e.command), "srv");
	return e;
}

START_TEST(test_request)
{
	struct nt_conn_request q;
	char path[108];

	nt_conn_request_make(&q, 7);
	ck_assert_int_eq(nt_conn_request_check(&q), NT_CONN_OK);
	q.version = 2;
	ck_assert_int_eq(nt_conn_request_check(&q), NT_CONN_BAD_REQUEST);
	nt_conn_request_make(&q, -1);
	ck_assert_int_eq(nt_conn_request_check(&q), NT_CONN_BAD_REQUEST);
	memset(&q, 0xA5, sizeof(q));
	ck_assert_int_eq(nt_conn_request_check(&q), NT_CONN_BAD_REQUEST);
	ck_assert_int_eq(nt_conn_socket_path("/run/netatop-bpf-socket", path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/run/netatop-bpf-socket.conn");
	memset(path, 'a', 104);
	path[104] = '\0';
	{
		char out[108], in[105];

		memcpy(in, path, sizeof(in));
		ck_assert_int_eq(nt_conn_socket_path(in, out, sizeof(out)), -1);
	}
}
END_TEST

/*
 * The default --socket is a link into the run directory (rundir.h): the
 * query socket is beside the socket it leads to, not beside the link,
 * which stays in /run where the daemon may not remove what it made.
 */
START_TEST(test_socket_beside_the_link_target)
{
	char dir[] = "/tmp/check_connview.XXXXXX", real[PATH_MAX];
	char run[128], sock[160], link[160], want[200], got[108];
	FILE *f;

	ck_assert(mkdtemp(dir));
	ck_assert(realpath(dir, real));
	snprintf(run, sizeof(run), "%s/run", dir);
	snprintf(sock, sizeof(sock), "%s/sock", run);
	snprintf(link, sizeof(link), "%s/sock", dir);
	ck_assert_int_eq(mkdir(run, 0755), 0);
	/* dangling, as after the daemon removed its socket: the path is kept */
	ck_assert_int_eq(symlink(sock, link), 0);
	ck_assert_int_eq(nt_conn_socket_path(link, got, sizeof(got)), 0);
	snprintf(want, sizeof(want), "%s.conn", link);
	ck_assert_str_eq(got, want);
	f = fopen(sock, "w");
	ck_assert(f);
	fclose(f);
	ck_assert_int_eq(nt_conn_socket_path(link, got, sizeof(got)), 0);
	snprintf(want, sizeof(want), "%s/run/sock.conn", real);
	ck_assert_str_eq(got, want);
	/* the socket itself, as the daemon names it: as it is */
	ck_assert_int_eq(nt_conn_socket_path(sock, got, sizeof(got)), 0);
	snprintf(want, sizeof(want), "%s.conn", sock);
	ck_assert_str_eq(got, want);
	unlink(link);
	unlink(sock);
	rmdir(run);
	rmdir(dir);
}
END_TEST

START_TEST(test_endpoints)
{
	struct nt_conn_entry e = mk(443, "192.0.2.7", 51000, 0, 0);
	char buf[NT_ENDPOINT_MAX];

	ck_assert_str_eq(nt_conn_endpoint(buf, sizeof(buf), e.family, e.laddr, e.lport),
			 "10.0.0.1:443");
	ck_assert_str_eq(nt_conn_endpoint(buf, sizeof(buf), e.family, e.raddr, e.rport),
			 "192.0.2.7:51000");
	ck_assert_str_eq(nt_conn_state_name(&e), "ESTABLISHED");
	e.family = AF_INET6;
	memset(e.raddr, 0, sizeof(e.raddr));
	inet_pton(AF_INET6, "2001:db8::1", e.raddr);
	ck_assert_str_eq(nt_conn_endpoint(buf, sizeof(buf), e.family, e.raddr, e.rport),
			 "[2001:db8::1]:51000");
	ck_assert_str_eq(nt_conn_proto_name(&e), "tcp6");
	memset(e.raddr, 0, sizeof(e.raddr));
	e.rport = 0;
	ck_assert(nt_conn_no_peer(&e));
	ck_assert_str_eq(nt_conn_endpoint(buf, sizeof(buf), e.family, e.raddr, e.rport), "*");
	e.proto = 17;
	e.state = 7;
	ck_assert_str_eq(nt_conn_state_name(&e), "-");
	e.flags = NT_CONN_ENTRY_CLOSED;
	ck_assert_str_eq(nt_conn_state_name(&e), "CLOSED");
}
END_TEST

START_TEST(test_rates_and_sort)
{
	struct nt_conn_entry prev[2], cur[3];
	struct nt_conn_view v;

	prev[0] = mk(1000, "192.0.2.1", 80, 1000, 100);
	prev[1] = mk(1001, "192.0.2.2", 80, 5000, 0);
	cur[0] = mk(1001, "192.0.2.2", 80, 5200, 0);	/* +200 B sent in 2 s */
	cur[1] = mk(1000, "192.0.2.1", 80, 1000, 2100);	/* +2000 B received */
	cur[2] = mk(1002, "192.0.2.3", 80, 600, 0);	/* new: all of it in the interval */
	cur[0].flags = NT_CONN_ENTRY_CLOSED;		/* closed since: still the same one */
	ck_assert_int_eq(nt_conn_view_build(&v, prev, 2, cur, 3, 2.0), 0);
	ck_assert_uint_eq(v.n, 3);
	ck_assert_uint_eq(v.nclosed, 1);
	nt_conn_view_sort(&v, NT_SORT_RECV);
	ck_assert_uint_eq(v.rows[0].e.lport, 1000);
	ck_assert(v.rows[0].rate[NT_CR_RCV_BYTES] == 1000.0);
	nt_conn_view_sort(&v, NT_SORT_SEND);
	ck_assert_uint_eq(v.rows[0].e.lport, 1002);
	ck_assert(v.rows[0].rate[NT_CR_SND_BYTES] == 300.0);
	ck_assert(v.rows[1].rate[NT_CR_SND_BYTES] == 100.0);
	nt_conn_view_sort(&v, NT_SORT_PID);
	ck_assert_uint_eq(v.rows[0].e.lport, 1000);
	ck_assert_uint_eq(v.rows[2].e.lport, 1002);
	nt_conn_view_free(&v);
	/* the first sample: no rates */
	ck_assert_int_eq(nt_conn_view_build(&v, NULL, 0, cur, 3, 0), 0);
	ck_assert(v.rows[0].rate[NT_CR_SND_BYTES] == 0.0);
	nt_conn_view_free(&v);
}
END_TEST

START_TEST(test_lines_fit)
{
	struct nt_conn_layout l;
	struct nt_conn_row r;
	char line[512];
	int widths[] = { 80, 100, 120, 60 }, i;

	memset(&r, 0, sizeof(r));
	r.e = mk(65535, NULL, 0, 1ULL << 40, 12345);
	r.e.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", r.e.laddr);
	inet_pton(AF_INET6, "2001:db8:1111:2222:3333:4444:5555:6666", r.e.raddr);
	r.e.rport = 443;
	r.rate[NT_CR_SND_BYTES] = 1e9;
	for (i = 0; i < 4; i++) {
		nt_conn_layout_fit(&l, widths[i]);
		nt_conn_format_header(line, sizeof(line), &l);
		ck_assert_int_le((int)strlen(line), widths[i]);
		nt_conn_format_row(line, sizeof(line), &l, &r);
		ck_assert_int_le((int)strlen(line), widths[i]);
		/* the ports survive the cut */
		ck_assert_ptr_nonnull(strstr(line, ":65535"));
		ck_assert_ptr_nonnull(strstr(line, ":443"));
	}
	nt_conn_layout_fit(&l, 80);
	ck_assert(!l.packet_rates && !l.packet_totals);
	nt_conn_layout_fit(&l, 0);
	ck_assert(l.packet_rates && l.packet_totals);
}
END_TEST

static Suite *connview_suite(void)
{
	Suite *s = suite_create("connection views");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_request);
	tcase_add_test(tc, test_socket_beside_the_link_target);
	tcase_add_test(tc, test_endpoints);
	tcase_add_test(tc, test_rates_and_sort);
	tcase_add_test(tc, test_lines_fit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(connview_suite());
}
