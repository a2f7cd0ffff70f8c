// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "metrics.h"
#include "bootepoch.h"
#include "exitcodes.h"
#include "fetch.h"
#include "labels.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- exposition */

static const struct {
	enum nt_counter ctr;
	const char *name;	/* after netatop_ or netatop_cgroup_ */
	const char *help;
} counters[NT_C_COUNT] = {
	/* what a packet is, netatop_counting says: wire packets, or calls */
	{ NT_C_TCP_SND_PACKS, "tcp_sent_packets_total", "TCP packets sent" },
	{ NT_C_TCP_SND_BYTES, "tcp_sent_bytes_total", "TCP bytes sent" },
	{ NT_C_TCP_RCV_PACKS, "tcp_received_packets_total", "TCP packets received" },
	{ NT_C_TCP_RCV_BYTES, "tcp_received_bytes_total", "TCP bytes received" },
	{ NT_C_UDP_SND_PACKS, "udp_sent_packets_total", "UDP packets sent" },
	{ NT_C_UDP_SND_BYTES, "udp_sent_bytes_total", "UDP bytes sent" },
	{ NT_C_UDP_RCV_PACKS, "udp_received_packets_total", "UDP packets received" },
	{ NT_C_UDP_RCV_BYTES, "udp_received_bytes_total", "UDP bytes received" },
};

static void write_dim(FILE *f, const struct nt_series *s, size_t n, enum nt_metrics_dim dim,
		      size_t top_n)
{
	const char *prefix = dim == NT_DIM_COMMAND ? "netatop_" : "netatop_cgroup_";
	const char *label = dim == NT_DIM_COMMAND ? "command" : "cgroup";
	char esc[NT_LABEL_MAX];
	size_t i;
	int k;

	for (k = 0; k < NT_C_COUNT; k++) {
		fprintf(f, "# HELP %s%s %s, by %s (the %zu with the most bytes; the rest in %s=\"%s\").\n",
			prefix, counters[k].name, counters[k].help,
			dim == NT_DIM_COMMAND ? "command name" : "cgroup", top_n, label, NT_METRICS_OTHER);
		fprintf(f, "# TYPE %s%s counter\n", prefix, counters[k].name);
		for (i = 0; i < n; i++) {
			nt_metrics_escape(esc, sizeof(esc), s[i].label);
			fprintf(f, "%s%s{%s=\"%s\"} %llu\n", prefix, counters[k].name, label, esc,
				nt_counter_get(&s[i].c, counters[k].ctr));
		}
	}
}

/* What a packet means, and what wire counting credited to no process. */
static void write_counting(FILE *f, const struct nt_status *st)
{
	static const char *const modes[] = { "wire", "calls" };
	size_t m;
	int k;

	if (!st->counting[0])
		return;
	fprintf(f, "# HELP netatop_counting What the counters count: mode=\"wire\", IP packets and their bytes on the wire; mode=\"calls\", socket calls and their payload.\n"
		"# TYPE netatop_counting gauge\n");
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		fprintf(f, "netatop_counting{mode=\"%s\"} %d\n", modes[m], strcmp(st->counting, modes[m]) == 0);
	if (strcmp(st->counting, "wire") != 0)
		return;
	for (k = 0; k < NT_C_COUNT; k++)
		fprintf(f, "# HELP netatop_unattributed_%s %s that no process owns (request sockets, resets, owners gone).\n"
			"# TYPE netatop_unattributed_%s counter\n"
			"netatop_unattributed_%s %llu\n",
			counters[k].name, counters[k].help, counters[k].name, counters[k].name,
			nt_counter_get(&st->unattributed, counters[k].ctr));
}

int nt_metrics_write(FILE *f, const struct nt_mstate *ms, size_t nprocs, size_t top_n,
		     const struct nt_status *st)
{
	struct nt_series *s;
	size_t n;
	int d;

	fprintf(f, "# HELP netatop_up Whether the netatop daemon answered.\n"
		"# TYPE netatop_up gauge\n"
		"netatop_up 1\n");
	fprintf(f, "# HELP netatop_processes Processes the daemon reports: running ones, and exited ones it still keeps.\n"
		"# TYPE netatop_processes gauge\n"
		"netatop_processes %zu\n", nprocs);
	for (d = NT_DIM_COMMAND; d <= NT_DIM_CGROUP; d++) {
		if (nt_mstate_series(ms, (enum nt_metrics_dim)d, &s, &n) < 0)
			return -1;
		write_dim(f, s, n, (enum nt_metrics_dim)d, top_n);
		free(s);
	}
	if (st) {
		fprintf(f, "# HELP netatop_dropped_calls_total Socket calls the daemon could not count.\n"
			"# TYPE netatop_dropped_calls_total counter\n"
			"netatop_dropped_calls_total %llu\n"
			"# HELP netatop_dropped_exit_records_total Final counters of exited processes the daemon lost.\n"
			"# TYPE netatop_dropped_exit_records_total counter\n"
			"netatop_dropped_exit_records_total %llu\n"
			"# HELP netatop_evicted_exited_records_total Exited processes the daemon dropped before every client had them.\n"
			"# TYPE netatop_evicted_exited_records_total counter\n"
			"netatop_evicted_exited_records_total %llu\n",
			st->dropped_calls, st->dropped_exits, st->evicted_exited);
		write_counting(f, st);
	}
	return ferror(f) ? -1 : 0;
}

/* ---------------------------------------------------------------- output */

int nt_write_file_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char tmp[PATH_MAX];
	size_t done = 0;
	int fd, n;

	/* Hidden and without .prom: the textfile collector never reads it half-written. */
	if (slash)
		n = snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		n = snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp) || (slash && !slash[1])) {
		snprintf(err, errlen, "bad file name: %s", path);
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a file next to %s: %s", path, strerror(errno));
		return -1;
	}
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "cannot write %s: %s", tmp, w < 0 ? strerror(errno) : "short write");
			goto fail;
		}
		done += (size_t)w;
	}
	/* mkstemp makes it 0600: node_exporter runs as another user. */
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot finish %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

static int emit(const struct nt_options *o, const char *text, size_t len)
{
	char err[PATH_MAX + 128];

	if (o->metrics_file) {
		if (nt_write_file_atomic(o->metrics_file, text, len, err, sizeof(err)) < 0) {
			fprintf(stderr, "netatop: %s\n", err);
			return -1;
		}
		return 0;
	}
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		fprintf(stderr, "netatop: cannot write the metrics: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static const char down_text[] =
	"# HELP netatop_up Whether the netatop daemon answered.\n"
	"# TYPE netatop_up gauge\n"
	"netatop_up 0\n";

/* "PID:STARTTIME" of the daemon that wrote pidfile, or "" when it cannot be told. */
static void daemon_generation(const char *pidfile, char *buf, size_t len)
{
	char path[64], text[1024], state;
	unsigned long long ticks;
	long pid = 0;
	FILE *f;

	buf[0] = '\0';
	f = fopen(pidfile, "re");
	if (!f)
		return;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
		fclose(f);
		return;
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(text, sizeof(text), f) && nt_parse_stat(text, &state, &ticks) == 0)
		snprintf(buf, len, "%ld:%llu", pid, ticks);
	fclose(f);
}

/*
 * Take the state file's lock and read it.  The file is replaced by a
 * rename: a lock taken on the file a rename has just replaced is taken
 * again on the new one.  Returns the locked fd, or -1.
 */
static int state_open(const char *path, struct nt_mstate *st)
{
	struct stat a, b;
	char *text = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	nt_mstate_init(st);
	for (;;) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "netatop: cannot open %s: %s\n", path, strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX) < 0) {
			fprintf(stderr, "netatop: cannot lock %s: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			break;
		close(fd);
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *tmp = realloc(text, cap + 65536);

			if (!tmp)
				break;
			text = tmp;
			cap += 65536;
		}
		n = read(fd, text + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (text) {
		text[len] = '\0';
		/* empty: a new file; anything else unreadable starts afresh, said once */
		if (len && nt_mstate_parse(st, text) < 0)
			fprintf(stderr, "netatop: %s is not a metrics state file: starting the counters afresh\n",
				path);
	}
	free(text);
	return fd;
}

static int state_save(const char *path, const struct nt_mstate *st)
{
	char err[PATH_MAX + 128], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc = f ? nt_mstate_write(f, st) : -1;

	if (f && fclose(f) != 0)
		rc = -1;
	if (rc == 0 && nt_write_file_atomic(path, text, len, err, sizeof(err)) < 0) {
		fprintf(stderr, "netatop: %s\n", err);
		rc = -1;
	} else if (rc < 0) {
		fprintf(stderr, "netatop: out of memory\n");
	}
	free(text);
	return rc;
}

/* The daemon's processes, with what /proc says of each.  An nt_exit status, said on stderr. */
static int take_sample(const struct nt_options *o, struct nt_sample *smp)
{
	struct netpertask *recs = NULL;
	unsigned long boot;
	char err[512];
	size_t n, i;
	int rc;

	rc = nt_fetch_records(o->socket_path, &recs, &n, err, sizeof(err));
	if (rc != NT_EXIT_OK) {
		fprintf(stderr, "netatop: %s\n", err);
		/* Say so rather than leave the last counters standing. */
		emit(o, down_text, sizeof(down_text) - 1);
		return rc;
	}
	rc = nt_sample_from_records(smp, recs, n, 0);
	free(recs);
	if (rc < 0) {
		fprintf(stderr, "netatop: out of memory\n");
		return NT_EXIT_FAILURE;
	}
	boot = nt_boot_epoch();
	for (i = 0; i < smp->n; i++) {
		struct nt_procinfo pi;
		struct nt_proc *p = &smp->procs[i];

		nt_procinfo_read("/proc", p->pid, p->btime, boot, &pi);
		p->alive = pi.alive;
		if (pi.have_cgroup) {
			p->have_cgroup = true;
			memcpy(p->cgroup, pi.cgroup, sizeof(p->cgroup));
		}
	}
	return NT_EXIT_OK;
}

/* The exposition of ms into *text (malloc'ed, *len bytes); 0, or -1 when out of memory. */
static int render(const struct nt_options *o, const struct nt_mstate *ms, size_t nprocs, char **text,
		  size_t *len)
{
	struct nt_status st;
	FILE *f = open_memstream(text, len);
	int rc;

	if (!f)
		return -1;
	rc = nt_metrics_write(f, ms, nprocs, o->top_n, nt_status_read(o->pidfile, &st) == 0 ? &st : NULL);
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

int nt_metrics_main(const struct nt_options *o)
{
	struct nt_sample smp = { .procs = NULL };
	struct nt_mstate prev, next;
	char gen[64], *text = NULL;
	size_t len = 0;
	int rc = NT_EXIT_FAILURE, lockfd = -1;

	nt_mstate_init(&prev);
	nt_mstate_init(&next);
	/* The lock first: two runs at once would count the same traffic twice. */
	if (o->metrics_state) {
		lockfd = state_open(o->metrics_state, &prev);
		if (lockfd < 0)
			goto out;
	}
	rc = take_sample(o, &smp);
	if (rc != NT_EXIT_OK)
		goto out;
	rc = NT_EXIT_FAILURE;
	daemon_generation(o->pidfile, gen, sizeof(gen));
	if (nt_mstate_advance(&next, &prev, &smp, gen, o->top_n) < 0 ||
	    render(o, &next, smp.n, &text, &len) < 0) {
		fprintf(stderr, "netatop: out of memory\n");
		goto out;
	}
	rc = emit(o, text, len) < 0 ? NT_EXIT_FAILURE : NT_EXIT_OK;
	/*
	 * Saved even when the output could not be written: the state holds
	 * the accumulators with the counters they were made from, so the
	 * next run goes on from there either way.
	 */
	if (o->metrics_state && state_save(o->metrics_state, &next) < 0)
		rc = NT_EXIT_FAILURE;
out:
	free(text);
	nt_sample_free(&smp);
	nt_mstate_free(&next);
	nt_mstate_free(&prev);
	if (lockfd >= 0)
		close(lockfd);
	return rc;
}
