// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "connfmt.h"
#include "format.h"
#include "json.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

bool nt_conn_no_peer(const struct nt_conn_entry *e)
{
	static const unsigned char zero[16];

	return e->rport == 0 && memcmp(e->raddr, zero, sizeof(zero)) == 0;
}

char *nt_conn_endpoint(char *buf, size_t len, unsigned int family, const unsigned char addr[16],
		       unsigned int port)
{
	static const unsigned char zero[16];
	char a[INET6_ADDRSTRLEN];

	if (port == 0 && memcmp(addr, zero, 16) == 0) {
		snprintf(buf, len, "*");
		return buf;
	}
	if (family == AF_INET6) {
		if (!inet_ntop(AF_INET6, addr, a, sizeof(a)))
			snprintf(a, sizeof(a), "?");
		snprintf(buf, len, "[%s]:%u", a, port);
	} else {
		if (!inet_ntop(AF_INET, addr, a, sizeof(a)))
			snprintf(a, sizeof(a), "?");
		snprintf(buf, len, "%s:%u", a, port);
	}
	return buf;
}

char *nt_conn_remote(char *buf, size_t len, const struct nt_conn_entry *e)
{
	if (e->flags & NT_CONN_ENTRY_OTHER_PEERS) {
		snprintf(buf, len, "other peers");
		return buf;
	}
	return nt_conn_endpoint(buf, len, e->family, e->raddr, e->rport);
}

const char *nt_conn_state_name(const struct nt_conn_entry *e)
{
	static const char *const tcp[] = {
		"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
		"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
		"NEW_SYN_RECV", "BOUND_INACTIVE",
	};

	if (e->flags & NT_CONN_ENTRY_CLOSED)
		return "CLOSED";
	if (e->proto != 6)
		return e->state == 1 ? "CONNECTED" : "-";
	return e->state < sizeof(tcp) / sizeof(tcp[0]) ? tcp[e->state] : "?";
}

const char *nt_conn_proto_name(const struct nt_conn_entry *e)
{
	if (e->proto == 6)
		return e->family == AF_INET6 ? "tcp6" : "tcp";
	return e->family == AF_INET6 ? "udp6" : "udp";
}

/* comm may hold any byte: show what a terminal can print, '?' for the rest. */
static void printable(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

void nt_connfmt_table_header(FILE *out)
{
	fprintf(out, "%7s %-15s %-5s %-21s %-21s %-11s %6s %6s %6s %6s\n", "PID", "COMMAND",
		"PROTO", "LOCAL", "REMOTE", "STATE", "SNDPKT", "SNDBYT", "RCVPKT", "RCVBYT");
}

void nt_connfmt_table_line(FILE *out, const struct nt_conn_entry *e)
{
	char comm[sizeof(e->command)], l[NT_ENDPOINT_MAX], r[NT_ENDPOINT_MAX], h[4][16];

	printable(comm, e->command, sizeof(comm));
	fprintf(out, "%7d %-15s %-5s %-21s %-21s %-11s %6s %6s %6s %6s\n", (int)e->pid, comm,
		nt_conn_proto_name(e), nt_conn_endpoint(l, sizeof(l), e->family, e->laddr, e->lport),
		nt_conn_remote(r, sizeof(r), e), nt_conn_state_name(e),
		nt_format_human(h[0], sizeof(h[0]), e->sndpacks, 1000),
		nt_format_human(h[1], sizeof(h[1]), e->sndbytes, 1024),
		nt_format_human(h[2], sizeof(h[2]), e->rcvpacks, 1000),
		nt_format_human(h[3], sizeof(h[3]), e->rcvbytes, 1024));
}

static void json_addr(FILE *out, const char *key, unsigned int family, const unsigned char *addr)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	fprintf(out, ",\"%s\":", key);
	nt_json_string(out, a, sizeof(a));
}

void nt_connfmt_json_line(FILE *out, const struct nt_conn_entry *e)
{
	fprintf(out, "{\"pid\":%d,\"command\":", (int)e->pid);
	nt_json_string(out, e->command, sizeof(e->command));
	fprintf(out, ",\"proto\":\"%s\",\"family\":%u", e->proto == 6 ? "tcp" : "udp",
		e->family == AF_INET6 ? 6 : 4);
	json_addr(out, "local", e->family, e->laddr);
	fprintf(out, ",\"lport\":%u", e->lport);
	json_addr(out, "remote", e->family, e->raddr);
	if (e->flags & NT_CONN_ENTRY_OTHER_PEERS)
		fprintf(out, ",\"other_peers\":true");
	fprintf(out, ",\"rport\":%u,\"state\":\"%s\",\"closed\":%s"
		",\"sndpacks\":%llu,\"sndbytes\":%llu,\"rcvpacks\":%llu,\"rcvbytes\":%llu}\n",
		e->rport, nt_conn_state_name(e), (e->flags & NT_CONN_ENTRY_CLOSED) ? "true" : "false",
		(unsigned long long)e->sndpacks, (unsigned long long)e->sndbytes,
		(unsigned long long)e->rcvpacks, (unsigned long long)e->rcvbytes);
}

static int by_bytes_desc(const void *a, const void *b)
{
	const struct nt_conn_entry *x = a, *y = b;
	unsigned long long bx = x->sndbytes + x->rcvbytes, by = y->sndbytes + y->rcvbytes;

	if (bx != by)
		return bx > by ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->lport > y->lport) - (x->lport < y->lport);
}

void nt_conns_sort(struct nt_conn_entry *e, size_t n)
{
	if (n > 1)
		qsort(e, n, sizeof(*e), by_bytes_desc);
}
