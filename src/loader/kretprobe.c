// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "kretprobe.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NT_KPROBE_GROUP "netatop"

static const char *tracefs(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/kprobe_events", dirs[i]);
		if (access(path, F_OK) == 0)
			return dirs[i];
	}
	/* Not mounted: it is only needed for this, so mount it where it belongs. */
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL) == 0)
		return dirs[0];
	return NULL;
}

/*
 * Opened once, while still root, and kept: after the daemon drops its
 * privileges it can still remove its events at exit and read its misses.
 */
static int events_fd = -1;
static int profile_fd = -1;

static int open_tracefs_files(void)
{
	const char *dir;
	char path[128];

	if (events_fd >= 0)
		return 0;
	dir = tracefs();
	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	events_fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (events_fd < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/kprobe_profile", dir);
	profile_fd = open(path, O_RDONLY | O_CLOEXEC);
	return 0;
}

static int write_kprobe_events(const char *line)
{
	int rc = open_tracefs_files();

	if (rc < 0)
		return rc;
	return write(events_fd, line, strlen(line)) < 0 ? -errno : 0;
}

static int event_id(const char *event)
{
	const char *dir = tracefs();
	char path[256];
	FILE *f;
	int id = -1;

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", dir, NT_KPROBE_GROUP, event);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (fscanf(f, "%d", &id) != 1)
		id = -EINVAL;
	fclose(f);
	return id;
}

int nt_kretprobe_attach(struct nt_kretprobe *kr, struct bpf_program *prog, const char *func,
			char *err, size_t errlen)
{
	struct perf_event_attr attr;
	char line[256];
	int id, pfd, rc;

	memset(kr, 0, sizeof(*kr));
	snprintf(kr->event, sizeof(kr->event), "%s_%d", func, (int)getpid());
	snprintf(line, sizeof(line), "r%d:%s/%s %s\n", NT_KRETPROBE_MAXACTIVE, NT_KPROBE_GROUP,
		 kr->event, func);
	rc = write_kprobe_events(line);
	if (rc < 0) {
		snprintf(err, errlen, "cannot create a kretprobe on %s in tracefs: %s", func, strerror(-rc));
		kr->event[0] = '\0';
		return rc;
	}
	id = event_id(kr->event);
	if (id < 0) {
		snprintf(err, errlen, "cannot read the id of kretprobe %s: %s", kr->event, strerror(-id));
		nt_kretprobe_detach(kr);
		return id;
	}
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = (unsigned long long)id;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	pfd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open kretprobe %s: %s", kr->event, strerror(errno));
		nt_kretprobe_detach(kr);
		return rc;
	}
	kr->link = bpf_program__attach_perf_event(prog, pfd);
	if (!kr->link) {
		rc = -errno;
		close(pfd);
		snprintf(err, errlen, "cannot attach to kretprobe %s: %s", kr->event, strerror(-rc));
		nt_kretprobe_detach(kr);
		return rc;
	}
	return 0;
}

void nt_kretprobe_detach(struct nt_kretprobe *kr)
{
	char line[128];

	if (kr->link) {
		bpf_link__destroy(kr->link);	/* closes the perf event too */
		kr->link = NULL;
	}
	if (kr->event[0]) {
		snprintf(line, sizeof(line), "-:%s/%s\n", NT_KPROBE_GROUP, kr->event);
		write_kprobe_events(line);
		kr->event[0] = '\0';
	}
}

unsigned long long nt_kretprobe_missed(const struct nt_kretprobe *kr)
{
	unsigned long long hits, missed = 0;
	char name[128];
	FILE *f;
	int fd;

	if (profile_fd < 0 || !kr->event[0])
		return 0;
	fd = dup(profile_fd);
	if (fd < 0)
		return 0;
	lseek(fd, 0, SEEK_SET);
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return 0;
	}
	while (fscanf(f, "%127s %llu %llu", name, &hits, &missed) == 3) {
		const char *base = strrchr(name, '/');

		if (strcmp(base ? base + 1 : name, kr->event) == 0)
			break;
		missed = 0;
	}
	fclose(f);
	return missed;
}

void nt_kretprobe_remove_stale(void)
{
	const char *dir = tracefs();
	char path[128], line[512], stale[32][128], cmd[160];
	size_t n = 0, i;
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (n < sizeof(stale) / sizeof(stale[0]) && fgets(line, sizeof(line), f)) {
		char *ev = strstr(line, ":" NT_KPROBE_GROUP "/"), *end, *us;
		long pid;

		if (!ev)
			continue;
		ev += strlen(":" NT_KPROBE_GROUP "/");
		end = strpbrk(ev, " \n");
		if (end)
			*end = '\0';
		us = strrchr(ev, '_');
		pid = us ? strtol(us + 1, NULL, 10) : 0;
		if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;	/* its netatop still runs */
		snprintf(stale[n++], sizeof(stale[0]), "%s", ev);
	}
	fclose(f);
	for (i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd), "-:%s/%.127s\n", NT_KPROBE_GROUP, stale[i]);
		write_kprobe_events(cmd);
	}
}
