// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "connpeers.h"
#include "run_suite.h"

static struct nt_peer_record peer(uint64_t cookie, uint16_t port, uint64_t sndbytes)
{
	struct nt_peer_record p;

	memset(&p, 0, sizeof(p));
	p.k.cookie = cookie;
	p.k.port = port;
	p.k.family = 2;
	p.k.addr[0] = 127;
	p.k.addr[3] = 1;
	p.c.sndpacks = 1;
	p.c.sndbytes = sndbytes;
	return p;
}

START_TEST(test_top_and_others)
{
	struct nt_peer_record p[6] = {
		peer(9, 1, 100), peer(5, 53, 10), peer(5, 54, 500), peer(5, 55, 300),
		peer(5, 56, 1), peer(2, 7, 70),
	};
	struct nt_conn_entry sock, out[4];
	size_t n;

	memset(&sock, 0, sizeof(sock));
	sock.pid = 1;
	sock.proto = 17;
	sock.lport = 4000;
	sock.sndpacks = 5;	/* one more than its peers: a peer the LRU forgot */
	sock.sndbytes = 900;
	nt_peers_sort(p, 6);
	n = nt_conn_peer_lines(&sock, 5, p, 6, 2, out);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(out[0].rport, 54);
	ck_assert_uint_eq(out[1].rport, 55);
	ck_assert(out[0].flags & NT_CONN_ENTRY_PEER);
	ck_assert(out[2].flags & NT_CONN_ENTRY_OTHER_PEERS);
	ck_assert_uint_eq(out[2].sndpacks, 3);
	ck_assert_uint_eq(out[2].sndbytes, 100);
	ck_assert_uint_eq(out[0].sndbytes + out[1].sndbytes + out[2].sndbytes, 900);
	ck_assert_uint_eq(out[0].lport, 4000);
	/* every peer shown and nothing left: no line for others */
	sock.sndpacks = 1;
	sock.sndbytes = 70;
	n = nt_conn_peer_lines(&sock, 2, p, 6, 2, out);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0].rport, 7);
	/* no peers: the socket's own line */
	n = nt_conn_peer_lines(&sock, 77, p, 6, 2, out);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0].flags, 0);
	/* peers read before the socket may exceed it: nothing below zero */
	sock.sndbytes = 50;
	n = nt_conn_peer_lines(&sock, 2, p, 6, 1, out);
	ck_assert_uint_eq(n, 1);
}
END_TEST

static Suite *connpeers_suite(void)
{
	Suite *s = suite_create("UDP peers");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_top_and_others);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(connpeers_suite());
}
