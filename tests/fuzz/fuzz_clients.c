// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness over the client-handling code that needs no kernel:
 * request framing (request.c), exited-record retention (exited.c), reply
 * assembly and its reference counts (reply.c, record.c), the status lines
 * of the pid file (status.c) and the /proc/stat "btime" parser
 * (bootepoch.c).
 *
 * The input is a short header and then a sequence of operations, one
 * opcode byte each followed by its arguments.  Every operation is checked
 * against a plain model of what the code must do; any difference abort()s.
 * Bit 7 of an opcode makes the next allocation of exited.c or reply.c fail
 * (they are compiled with -Dmalloc=nt_fuzz_malloc), so the out-of-memory
 * paths are checked as well.
 *
 * Invariants:
 *  - exited records: exactly the model's FIFO (same records, seq strictly
 *    increasing by exit order), count <= max_records, evictions counted,
 *    pruning removes exactly what is acked by all and old enough;
 *  - a reply: exited records first in FIFO order, then the live records
 *    with a non-zero tgid in order, then exactly one record with id 0 (the
 *    last, all zero bytes); len == nrecords * sizeof(struct netpertask);
 *    exited_seq is the newest seq; a reply never changes while referenced;
 *  - framing: the requests counted == total bytes / record size, whatever
 *    the chunks; a reply read back through the framing gives nrecords;
 *  - status: what nt_pidfile_write() writes parses back to the same
 *    values; any text parses without overrun into a NUL-terminated backend;
 *  - btime: the value of the first "btime " line, or 0.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bootepoch.h"
#include "status.h"
#include "exited.h"
#include "protocol.h"
#include "record.h"
#include "records.h"
#include "reply.h"
#include "request.h"

#include "fuzz_input.h"

#define REC_SIZE sizeof(struct netpertask)
#define MAX_EXITED 256		/* max_records is at most 255 */
#define MAX_LIVE 600
#define NSLOTS 4
#define NSEC_PER_SEC 1000000000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
void *nt_fuzz_malloc(size_t n);

/* ---------------------------------------------------------------- failing allocations */

static bool fail_next_alloc;	/* armed by an opcode's bit 7 */
static bool alloc_failed;	/* the armed failure happened */

void *nt_fuzz_malloc(size_t n)
{
	if (fail_next_alloc) {
		fail_next_alloc = false;
		alloc_failed = true;
		errno = ENOMEM;
		return NULL;
	}
	return malloc(n);
}

static void arm_alloc_failure(bool on)
{
	fail_next_alloc = on;
	alloc_failed = false;
}

/* ---------------------------------------------------------------- the model */

struct model_exited {
	struct nt_exited_entry ent[MAX_EXITED];
	size_t count;
	size_t max_records;
	time_t keep;
	uint64_t last_seq;
	uint64_t evicted;
};

struct slot {
	struct nt_reply *r;
	unsigned int refs;		/* what the model says r->refs is */
	struct netpertask *copy;	/* its records when built */
	size_t len;
};

struct state {
	struct nt_exited e;
	struct model_exited m;
	struct nt_request_state req;
	unsigned long long req_bytes;	/* fed so far */
	unsigned long long req_done;	/* requests completed so far */
	unsigned long long req_taken;
	struct slot slot[NSLOTS];
	struct nt_task_record live[MAX_LIVE];
	time_t now;
	unsigned long epoch;
};

static int status_fd = -1;

static void check_exited(const struct state *s)
{
	const struct nt_exited *e = &s->e;
	const struct model_exited *m = &s->m;
	size_t i;

	FZ_CHECK(nt_exited_count(e) == m->count, "count %zu, model %zu", nt_exited_count(e), m->count);
	FZ_CHECK(e->last_seq == m->last_seq, "last_seq %llu, model %llu",
		 (unsigned long long)e->last_seq, (unsigned long long)m->last_seq);
	FZ_CHECK(e->evicted == m->evicted, "evicted %llu, model %llu",
		 (unsigned long long)e->evicted, (unsigned long long)m->evicted);
	FZ_CHECK(e->count <= e->max_records, "count %zu > max_records %zu", e->count, e->max_records);
	if (e->count) {
		FZ_CHECK(e->cap && (e->cap & (e->cap - 1)) == 0, "cap %zu is not a power of two", e->cap);
		FZ_CHECK(e->count <= e->cap, "count %zu > cap %zu", e->count, e->cap);
		FZ_CHECK(e->head < e->cap, "head %zu >= cap %zu", e->head, e->cap);
	}
	for (i = 0; i < m->count; i++) {
		const struct nt_exited_entry *x = nt_exited_at(e, i);

		FZ_CHECK(x->seq == m->ent[i].seq, "entry %zu: seq %llu, model %llu", i,
			 (unsigned long long)x->seq, (unsigned long long)m->ent[i].seq);
		FZ_CHECK(i == 0 || x->seq > nt_exited_at(e, i - 1)->seq, "entry %zu: seq not increasing", i);
		FZ_CHECK(x->seq <= e->last_seq, "entry %zu: seq beyond last_seq", i);
		FZ_CHECK(x->when == m->ent[i].when, "entry %zu: when differs", i);
		FZ_CHECK(memcmp(&x->rec, &m->ent[i].rec, REC_SIZE) == 0, "entry %zu: record differs", i);
		FZ_CHECK(x->rec.id != 0, "entry %zu: id 0 would end a reply", i);
	}
}

static void model_add(struct model_exited *m, const struct netpertask *rec, time_t now, bool ok)
{
	m->last_seq++;
	if (m->count >= m->max_records) {
		memmove(&m->ent[0], &m->ent[1], (m->count - 1) * sizeof(m->ent[0]));
		m->count--;
		m->evicted++;
	}
	if (!ok) {
		m->evicted++;
		return;
	}
	m->ent[m->count].rec = *rec;
	m->ent[m->count].seq = m->last_seq;
	m->ent[m->count].when = now;
	m->count++;
}

/* Any record that every client has had and that is old enough goes. */
static void model_prune(struct model_exited *m, time_t now, uint64_t acked)
{
	size_t i, k = 0;

	for (i = 0; i < m->count; i++) {
		if (m->ent[i].seq <= acked && now - m->ent[i].when >= m->keep)
			continue;
		m->ent[k++] = m->ent[i];
	}
	m->count = k;
}

/* A task record as the BPF side gives it, from the input. */
static void read_task(struct fz_in *in, struct nt_task_record *t)
{
	const uint8_t *b;
	size_t n;
	uint8_t how = fz_u8(in);

	memset(t, 0, sizeof(*t));
	switch (how & 3) {
	case 0:
		t->tgid = 0;		/* must be skipped */
		break;
	case 1:
		t->tgid = how >> 2;
		break;
	default:
		t->tgid = fz_u32(in);
		break;
	}
	t->start_boottime = (how & 4) ? fz_u64(in) : (uint64_t)fz_u16(in) * NSEC_PER_SEC + fz_u8(in);
	n = fz_bytes(in, (how & 8) ? NT_COMM_LEN : how % 7, &b);
	memcpy(t->comm, b, n);
	t->c.tcpsndpacks = (uint64_t)t->tgid + 1;
	t->c.tcpsndbytes = (how & 16) ? fz_u64(in) : (uint64_t)t->tgid * 1000;
	t->c.tcprcvpacks = (uint64_t)t->tgid + 3;
	t->c.tcprcvbytes = (uint64_t)t->tgid + 4;
	t->c.udpsndpacks = (uint64_t)t->tgid + 5;
	t->c.udpsndbytes = (uint64_t)t->tgid + 6;
	t->c.udprcvpacks = (uint64_t)t->tgid + 7;
	t->c.udprcvbytes = (how & 32) ? UINT64_MAX : (uint64_t)t->tgid + 8;
}

static void check_encoded(const struct netpertask *r, const struct nt_task_record *t, unsigned long epoch)
{
	size_t clen = strnlen(r->command, NETATOP_COMMLEN);

	FZ_CHECK(r->id == (pid_t)t->tgid, "id %d, tgid %u", (int)r->id, t->tgid);
	FZ_CHECK(r->btime == epoch + (unsigned long)(t->start_boottime / NSEC_PER_SEC), "btime %lu", r->btime);
	FZ_CHECK(clen < NETATOP_COMMLEN, "command not NUL-terminated");
	FZ_CHECK(memcmp(r->command, t->comm, clen) == 0, "command differs from comm");
	FZ_CHECK(clen == NETATOP_COMMLEN - 1 || t->comm[clen] == '\0', "command cut short");
	FZ_CHECK(r->tc.tcpsndpacks == t->c.tcpsndpacks && r->tc.tcpsndbytes == t->c.tcpsndbytes &&
		 r->tc.tcprcvpacks == t->c.tcprcvpacks && r->tc.tcprcvbytes == t->c.tcprcvbytes &&
		 r->tc.udpsndpacks == t->c.udpsndpacks && r->tc.udpsndbytes == t->c.udpsndbytes &&
		 r->tc.udprcvpacks == t->c.udprcvpacks && r->tc.udprcvbytes == t->c.udprcvbytes,
		 "counters differ for tgid %u", t->tgid);
}

/* ---------------------------------------------------------------- operations */

static void op_add(struct state *s, struct fz_in *in, bool fail)
{
	struct nt_task_record t;
	struct netpertask rec;
	int rc;

	read_task(in, &t);
	if (!t.tgid)
		t.tgid = 1;	/* the collector never adds id 0 */
	nt_record_encode(&rec, &t, s->epoch);
	if (!rec.id)
		return;
	s->now += fz_u8(in) % 4;
	arm_alloc_failure(fail);
	rc = nt_exited_add(&s->e, &rec, s->now);
	FZ_CHECK(rc == (alloc_failed ? -1 : 0), "nt_exited_add returned %d (allocation failed: %d)", rc, alloc_failed);
	model_add(&s->m, &rec, s->now, !alloc_failed);
	arm_alloc_failure(false);
	check_exited(s);
}

static void op_prune(struct state *s, struct fz_in *in)
{
	uint8_t how = fz_u8(in);
	uint64_t acked;

	switch (how & 3) {
	case 0: acked = 0; break;
	case 1: acked = s->m.last_seq; break;
	case 2: acked = UINT64_MAX; break;	/* no client connected */
	default: acked = fz_u16(in) % (s->m.last_seq + 1); break;
	}
	/* CLOCK_MONOTONIC: never backwards */
	s->now += (how & 0x80) ? s->m.keep : (how >> 2) % 8;
	nt_exited_prune(&s->e, s->now, acked);
	model_prune(&s->m, s->now, acked);
	check_exited(s);
}

static void feed(struct nt_request_state *st, unsigned long long *bytes, unsigned long long *done, size_t n)
{
	unsigned long got = nt_request_feed(st, n);

	*bytes += n;
	*done += got;
	FZ_CHECK(*done == *bytes / REC_SIZE, "%llu requests from %llu bytes", *done, *bytes);
	FZ_CHECK(st->partial == *bytes % REC_SIZE, "partial %zu from %llu bytes", st->partial, *bytes);
}

static void op_feed(struct state *s, struct fz_in *in)
{
	uint8_t how = fz_u8(in);
	size_t n = (how & 1) ? fz_u8(in) : (how & 2) ? fz_u16(in) : fz_u32(in);

	feed(&s->req, &s->req_bytes, &s->req_done, n);
	FZ_CHECK(s->req.pending == s->req_done - s->req_taken, "pending %lu", s->req.pending);
}

static void op_take(struct state *s, struct fz_in *in)
{
	unsigned int k = fz_u8(in) % 8;

	while (k--) {
		bool have = s->req_done > s->req_taken;
		int got = nt_request_take(&s->req);

		FZ_CHECK(got == (have ? 1 : 0), "take gave %d with %llu pending", got, s->req_done - s->req_taken);
		s->req_taken += (unsigned long long)got;
		FZ_CHECK(s->req.pending == s->req_done - s->req_taken, "pending %lu", s->req.pending);
	}
}

/* A client reading the reply in arbitrary chunks counts nrecords records. */
static void check_framing(const struct nt_reply *r, struct fz_in *in)
{
	struct nt_request_state st = { 0, 0 };
	unsigned long long bytes = 0, done = 0;
	size_t left = r->len;
	unsigned int steps = 0;

	while (left) {
		size_t n = (steps++ < 8) ? (size_t)fz_u16(in) % (left + 1) : left;

		feed(&st, &bytes, &done, n);
		left -= n;
	}
	FZ_CHECK(done == r->nrecords, "%llu records framed, reply has %zu", done, r->nrecords);
	FZ_CHECK(st.partial == 0 && st.pending == r->nrecords, "framing left %zu bytes", st.partial);
}

static void slot_release(struct slot *sl)
{
	if (!sl->r)
		return;
	FZ_CHECK(sl->r->refs == sl->refs, "refs %u, model %u", sl->r->refs, sl->refs);
	FZ_CHECK(sl->r->len == sl->len && memcmp(sl->r->rec, sl->copy, sl->len) == 0,
		 "a reply changed while referenced");
	while (sl->refs--)
		nt_reply_put(sl->r);
	free(sl->copy);
	memset(sl, 0, sizeof(*sl));
}

static void op_build(struct state *s, struct fz_in *in, bool fail)
{
	size_t nlive = fz_u16(in) % (MAX_LIVE + 1), i, k, nonzero = 0, nexited = s->m.count;
	struct slot *sl = &s->slot[fz_u8(in) % NSLOTS];
	const struct netpertask *rec;
	struct nt_reply *r;

	for (i = 0; i < nlive; i++) {
		if (in->end) {
			nlive = i;
			break;
		}
		read_task(in, &s->live[i]);
	}
	for (i = 0; i < nlive; i++)
		nonzero += s->live[i].tgid != 0;

	arm_alloc_failure(fail);
	r = nt_reply_build(&s->e, nlive ? s->live : NULL, nlive, s->epoch);
	FZ_CHECK(!r == alloc_failed, "nt_reply_build gave %p (allocation failed: %d)", (void *)r, alloc_failed);
	arm_alloc_failure(false);
	check_exited(s);	/* building reads, never changes */
	if (!r)
		return;

	FZ_CHECK(r->refs == 1, "refs %u", r->refs);
	FZ_CHECK(r->exited_seq == s->m.last_seq, "exited_seq %llu, last_seq %llu",
		 (unsigned long long)r->exited_seq, (unsigned long long)s->m.last_seq);
	FZ_CHECK(r->nrecords == nexited + nonzero + 1, "nrecords %zu, want %zu exited + %zu live + 1",
		 r->nrecords, nexited, nonzero);
	FZ_CHECK(r->len == r->nrecords * REC_SIZE, "len %zu for %zu records", r->len, r->nrecords);

	/* exited first, in exit order */
	for (i = 0; i < nexited; i++)
		FZ_CHECK(memcmp(&r->rec[i], &s->m.ent[i].rec, REC_SIZE) == 0, "exited record %zu out of order", i);
	/* then the live ones with a tgid, in order */
	for (i = 0, k = nexited; i < nlive; i++) {
		if (!s->live[i].tgid)
			continue;
		check_encoded(&r->rec[k], &s->live[i], s->epoch);
		k++;
	}
	/* exactly one terminator, the last record, all zero */
	for (i = 0; i + 1 < r->nrecords; i++)
		FZ_CHECK(r->rec[i].id != 0, "record %zu of %zu has id 0: the reply ends early", i, r->nrecords);
	rec = &r->rec[r->nrecords - 1];
	FZ_CHECK(rec->id == 0, "the last record has id %d", (int)rec->id);
	for (i = 0; i < REC_SIZE; i++)
		FZ_CHECK(((const unsigned char *)rec)[i] == 0, "terminator byte %zu is not zero", i);
	check_framing(r, in);

	slot_release(sl);
	sl->r = r;
	sl->refs = 1;
	sl->len = r->len;
	sl->copy = malloc(r->len);
	FZ_CHECK(sl->copy != NULL, "out of memory in the harness");
	memcpy(sl->copy, r->rec, r->len);
}

static void op_get(struct state *s, struct fz_in *in)
{
	struct slot *sl = &s->slot[fz_u8(in) % NSLOTS];
	struct nt_reply *r;

	if (!sl->r || sl->refs >= 64)
		return;
	r = nt_reply_get(sl->r);
	sl->refs++;
	FZ_CHECK(r == sl->r, "nt_reply_get returned another reply");
	FZ_CHECK(r->refs == sl->refs, "refs %u, model %u", r->refs, sl->refs);
}

static void op_put(struct state *s, struct fz_in *in)
{
	struct slot *sl = &s->slot[fz_u8(in) % NSLOTS];

	if (!sl->r) {
		nt_reply_put(NULL);	/* allowed: a client with no reply */
		return;
	}
	FZ_CHECK(sl->r->refs == sl->refs, "refs %u, model %u", sl->r->refs, sl->refs);
	FZ_CHECK(memcmp(sl->r->rec, sl->copy, sl->len) == 0, "a reply changed while referenced");
	if (sl->refs == 1) {
		slot_release(sl);
		return;
	}
	nt_reply_put(sl->r);
	sl->refs--;
	FZ_CHECK(sl->r->refs == sl->refs, "refs %u, model %u", sl->r->refs, sl->refs);
}

/* A NUL-terminated copy in a buffer of its exact size, for ASan to see overruns. */
static char *text_from(struct fz_in *in, size_t max)
{
	const uint8_t *b;
	size_t n = fz_bytes(in, fz_u16(in) % (max + 1), &b);
	char *t = malloc(n + 1);

	FZ_CHECK(t != NULL, "out of memory in the harness");
	memcpy(t, b, n);
	t[n] = '\0';
	return t;
}

static void op_status_parse(struct fz_in *in)
{
	static const struct nt_status zero;
	struct nt_status st;
	char *text = text_from(in, 600);
	int rc;

	memset(&st, 0xa5, sizeof(st));
	rc = nt_status_parse(text, &st);
	FZ_CHECK(rc == 0 || rc == -1, "nt_status_parse returned %d", rc);
	FZ_CHECK(strnlen(st.backend, sizeof(st.backend)) < sizeof(st.backend), "backend not NUL-terminated");
	if (rc < 0)
		FZ_CHECK(memcmp(&st, &zero, sizeof(st)) == 0, "a status that does not parse left values");
	if (!strchr(text, '\n'))
		FZ_CHECK(rc == -1, "a text of one line (the pid) has no status");
	free(text);
}

/* What the daemon writes, --list reads back the same. */
static void op_status_roundtrip(struct fz_in *in)
{
	struct nt_status st, got;
	char buf[512];
	size_t n, i;
	ssize_t len;
	pid_t pid;

	memset(&st, 0, sizeof(st));
	n = fz_u8(in) % sizeof(st.backend);
	for (i = 0; i < n; i++) {
		char c = (char)fz_u8(in);

		st.backend[i] = (c == '\n' || c == '\0') ? '_' : c;
	}
	st.dropped_calls = fz_u64(in);
	st.dropped_exits = fz_u64(in);
	st.evicted_exited = fz_u64(in);
	pid = (pid_t)(fz_u32(in) & 0x7fffffff);

	FZ_CHECK(nt_pidfile_write(status_fd, pid, &st) == 0, "nt_pidfile_write failed: %s", strerror(errno));
	len = pread(status_fd, buf, sizeof(buf) - 1, 0);
	FZ_CHECK(len > 0, "cannot read the status back");
	buf[len] = '\0';
	FZ_CHECK(atoi(buf) == (int)pid, "first line is not the pid: %s", buf);
	FZ_CHECK(nt_status_parse(buf, &got) == 0, "written status does not parse: %s", buf);
	FZ_CHECK(strcmp(got.backend, st.backend) == 0, "backend '%s' read back as '%s'", st.backend, got.backend);
	FZ_CHECK(got.dropped_calls == st.dropped_calls && got.dropped_exits == st.dropped_exits &&
		 got.evicted_exited == st.evicted_exited, "counters read back differ: %s", buf);
}

/*
 * The first line that starts with "btime ", parsed on its own: after
 * blanks, the digits on that line (no sign), or 0 when there are none or
 * they do not fit.
 */
static unsigned long btime_reference(const char *text)
{
	const char *p = text;

	for (;;) {
		const char *nl = strchr(p, '\n');

		if (strncmp(p, "btime ", 6) == 0) {
			char line[1024], digits[1024];
			const char *v;
			unsigned long n;

			snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
			v = line + 6 + strspn(line + 6, " \t");
			if (sscanf(v, "%1023[0-9]", digits) != 1)
				return 0;
			errno = 0;
			n = strtoul(digits, NULL, 10);
			return errno ? 0 : n;
		}
		if (!nl)
			return 0;
		p = nl + 1;
	}
}

static void op_btime(struct state *s, struct fz_in *in)
{
	char *text = text_from(in, 300);
	unsigned long got = nt_parse_boot_epoch(text), want = btime_reference(text);
	char stat[256];

	FZ_CHECK(got == want, "btime %lu, first btime line says %lu", got, want);
	free(text);

	/* /proc/stat as the kernel writes it */
	snprintf(stat, sizeof(stat), "cpu  1 2 3 4\ncpu0 1 2 3 4\nintr 5 0 0\nctxt 42\nbtime %lu\nprocesses 7\n",
		 s->epoch);
	FZ_CHECK(nt_parse_boot_epoch(stat) == s->epoch, "btime %lu not read back", s->epoch);
}

/* ---------------------------------------------------------------- driver */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	status_fd = memfd_create("netatop-fuzz-status", MFD_CLOEXEC);
	if (status_fd < 0) {
		perror("memfd_create");
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state s;
	struct fz_in in = { data, size, false };
	static const time_t keeps[4] = { 0, 1, 10, 900 };
	unsigned int ops = 0;
	size_t i;

	memset(&s, 0, sizeof(s));
	s.m.keep = keeps[fz_u8(&in) % 4];
	s.m.max_records = fz_u8(&in);
	s.epoch = fz_u32(&in);
	s.now = fz_u16(&in);
	nt_exited_init(&s.e, s.m.keep, s.m.max_records);
	if (!s.m.max_records)
		s.m.max_records = 1;	/* 0 means 1 */
	FZ_CHECK(s.e.max_records == s.m.max_records, "max_records %zu", s.e.max_records);

	while (!in.end && ops++ < 4096) {
		uint8_t op = fz_u8(&in);
		bool fail = op & 0x80;

		if (in.end)
			break;
		switch (op % 11) {
		case 0: case 1: op_add(&s, &in, fail); break;
		case 2: op_prune(&s, &in); break;
		case 3: op_feed(&s, &in); break;
		case 4: op_take(&s, &in); break;
		case 5: op_build(&s, &in, fail); break;
		case 6: op_get(&s, &in); break;
		case 7: op_put(&s, &in); break;
		case 8: op_status_parse(&in); break;
		case 9: op_status_roundtrip(&in); break;
		default: op_btime(&s, &in); break;
		}
	}
	for (i = 0; i < NSLOTS; i++)
		slot_release(&s.slot[i]);
	nt_exited_free(&s.e);
	FZ_CHECK(s.e.ring == NULL && s.e.count == 0, "nt_exited_free left state");
	return 0;
}
