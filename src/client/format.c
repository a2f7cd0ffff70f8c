// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "format.h"
#include "counters.h"
#include "json.h"

#include <stdlib.h>

char *nt_format_human(char *buf, size_t len, unsigned long long v, unsigned int base)
{
	static const char units[] = "KMGTPE";
	double d = (double)v;
	int u = -1;

	if (v < 1000) {
		snprintf(buf, len, "%llu", v);
		return buf;
	}
	while (d >= 999.5 && u < 5) {
		d /= base;
		u++;
	}
	if (d < 9.95)
		snprintf(buf, len, "%.1f%c", d, units[u]);
	else
		snprintf(buf, len, "%.0f%c", d, units[u]);
	return buf;
}

void nt_format_table_header(FILE *out)
{
	fprintf(out, "%7s %-15s %6s %6s %6s %6s %6s %6s %6s %6s\n",
		"PID", "COMMAND", "TCPSND", "TCPSBY", "TCPRCV", "TCPRBY",
		"UDPSND", "UDPSBY", "UDPRCV", "UDPRBY");
}

/* comm may hold any byte: show what a terminal can print, '?' for the rest. */
static void printable_comm(char *dst, const char *src)
{
	size_t i;

	for (i = 0; i < NETATOP_COMMLEN - 1 && src[i]; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

void nt_format_table_line(FILE *out, const struct netpertask *r)
{
	char comm[NETATOP_COMMLEN], h[8][16];
	const struct taskcount *tc = &r->tc;

	printable_comm(comm, r->command);
	fprintf(out, "%7d %-15s %6s %6s %6s %6s %6s %6s %6s %6s\n", (int)r->id, comm,
		nt_format_human(h[0], sizeof(h[0]), tc->tcpsndpacks, 1000),
		nt_format_human(h[1], sizeof(h[1]), tc->tcpsndbytes, 1024),
		nt_format_human(h[2], sizeof(h[2]), tc->tcprcvpacks, 1000),
		nt_format_human(h[3], sizeof(h[3]), tc->tcprcvbytes, 1024),
		nt_format_human(h[4], sizeof(h[4]), tc->udpsndpacks, 1000),
		nt_format_human(h[5], sizeof(h[5]), tc->udpsndbytes, 1024),
		nt_format_human(h[6], sizeof(h[6]), tc->udprcvpacks, 1000),
		nt_format_human(h[7], sizeof(h[7]), tc->udprcvbytes, 1024));
}

void nt_format_unattributed_line(FILE *out, const struct taskcount *u)
{
	char h[NT_C_COUNT][16];
	int i;

	for (i = 0; i < NT_C_COUNT; i++)
		nt_format_human(h[i], sizeof(h[i]), nt_counter_get(u, (enum nt_counter)i), i % 2 ? 1024 : 1000);
	fprintf(out, "%7s %-15s %6s %6s %6s %6s %6s %6s %6s %6s\n", "-", "(unattributed)",
		h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
}

void nt_format_unattributed_json(FILE *out, const struct taskcount *u)
{
	fprintf(out, "{\"unattributed\":true,\"count\":\"wire\""
		",\"tcpsndpacks\":%llu,\"tcpsndbytes\":%llu,\"tcprcvpacks\":%llu,\"tcprcvbytes\":%llu"
		",\"udpsndpacks\":%llu,\"udpsndbytes\":%llu,\"udprcvpacks\":%llu,\"udprcvbytes\":%llu}\n",
		u->tcpsndpacks, u->tcpsndbytes, u->tcprcvpacks, u->tcprcvbytes,
		u->udpsndpacks, u->udpsndbytes, u->udprcvpacks, u->udprcvbytes);
}

void nt_format_json_line(FILE *out, const struct netpertask *r)
{
	const struct taskcount *tc = &r->tc;

	fprintf(out, "{\"pid\":%d,\"command\":", (int)r->id);
	nt_json_string(out, r->command, NETATOP_COMMLEN);
	fprintf(out, ",\"btime\":%lu"
		",\"tcpsndpacks\":%llu,\"tcpsndbytes\":%llu,\"tcprcvpacks\":%llu,\"tcprcvbytes\":%llu"
		",\"udpsndpacks\":%llu,\"udpsndbytes\":%llu,\"udprcvpacks\":%llu,\"udprcvbytes\":%llu}\n",
		r->btime,
		tc->tcpsndpacks, tc->tcpsndbytes, tc->tcprcvpacks, tc->tcprcvbytes,
		tc->udpsndpacks, tc->udpsndbytes, tc->udprcvpacks, tc->udprcvbytes);
}

struct ordered {
	struct netpertask rec;
	size_t pos;
};

static int by_id_then_pos(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;

	if (x->rec.id != y->rec.id)
		return x->rec.id < y->rec.id ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int by_bytes_desc(const void *a, const void *b)
{
	const struct netpertask *x = a, *y = b;
	unsigned long long bx = nt_taskcount_bytes(&x->tc), by = nt_taskcount_bytes(&y->tc);

	if (bx != by)
		return bx > by ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

size_t nt_records_dedup_sort(struct netpertask *recs, size_t n)
{
	struct ordered *tmp;
	size_t i, k = 0;

	if (n == 0)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (tmp) {
		for (i = 0; i < n; i++) {
			tmp[i].rec = recs[i];
			tmp[i].pos = i;
		}
		qsort(tmp, n, sizeof(*tmp), by_id_then_pos);
		for (i = 0; i < n; i++) {
			if (i + 1 < n && tmp[i + 1].rec.id == tmp[i].rec.id)
				continue;	/* a later record for the same id wins */
			recs[k++] = tmp[i].rec;
		}
		free(tmp);
		n = k;
	}
	qsort(recs, n, sizeof(*recs), by_bytes_desc);
	return n;
}
