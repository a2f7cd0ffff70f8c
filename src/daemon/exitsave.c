// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "exitsave.h"
#include "fnv1a.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAVE_MAGIC "NTEXITS\n"
#define SAVE_VERSION 1
#define BOOT_ID_LEN 40

struct save_head {
	char magic[8];
	uint32_t version;
	uint32_t rec_size;		/* sizeof(struct netpertask) */
	uint32_t entry_size;		/* sizeof(struct save_entry) */
	uint32_t pad;
	uint64_t count;
	uint64_t checksum;		/* FNV-1a of the entries */
	char boot_id[BOOT_ID_LEN];	/* monotonic times mean nothing after a reboot */
};

struct save_entry {
	struct netpertask rec;
	int64_t when;			/* CLOCK_MONOTONIC seconds at exit */
};

static void read_boot_id(char out[BOOT_ID_LEN])
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	memset(out, 0, BOOT_ID_LEN);
	if (f) {
		if (!fgets(out, BOOT_ID_LEN, f))
			out[0] = '\0';
		fclose(f);
	}
	out[strcspn(out, "\n")] = '\0';
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int nt_exitsave_write(const char *path, const struct nt_exited *e, char *err, size_t errlen)
{
	size_t n = nt_exited_count(e), i;
	struct save_entry *ents;
	struct save_head h;
	char tmp[4096];
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	ents = calloc(n ? n : 1, sizeof(*ents));
	if (!ents) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		ents[i].rec = nt_exited_at(e, i)->rec;
		ents[i].when = (int64_t)nt_exited_at(e, i)->when;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, SAVE_MAGIC, sizeof(h.magic));
	h.version = SAVE_VERSION;
	h.rec_size = sizeof(struct netpertask);
	h.entry_size = sizeof(struct save_entry);
	h.count = n;
	h.checksum = nt_fnv1a(NT_FNV1A_INIT, ents, n * sizeof(*ents));
	read_boot_id(h.boot_id);

	/*
	 * The daemon's alone: the run directory is open to every user who
	 * may reach the socket, and the next daemon reads this file after it
	 * has switched to the same user (run.c).
	 */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(-rc));
		free(ents);
		return rc;
	}
	rc = write_all(fd, &h, sizeof(h));
	if (!rc)
		rc = write_all(fd, ents, n * sizeof(*ents));
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	free(ents);
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
		unlink(tmp);
	}
	return rc;
}

static long invalid(char *err, size_t errlen, const char *path, const char *why)
{
	snprintf(err, errlen, "%s: %s", path, why);
	return -1;
}

/* Everything the file says, checked before one record is taken. */
static long check(const struct save_head *h, const struct save_entry *ents, size_t got, time_t now,
		  const char *path, char *err, size_t errlen)
{
	char boot_id[BOOT_ID_LEN];
	size_t i;

	if (memcmp(h->magic, SAVE_MAGIC, sizeof(h->magic)) != 0)
		return invalid(err, errlen, path, "not a netatop state file");
	if (h->version != SAVE_VERSION || h->rec_size != sizeof(struct netpertask) ||
	    h->entry_size != sizeof(struct save_entry))
		return invalid(err, errlen, path, "written by a netatop with another record layout");
	if (h->count != got)
		return invalid(err, errlen, path, "cut short or too long");
	read_boot_id(boot_id);
	if (!boot_id[0] || memcmp(boot_id, h->boot_id, BOOT_ID_LEN) != 0)
		return invalid(err, errlen, path, "written before the last boot");
	if (nt_fnv1a(NT_FNV1A_INIT, ents, got * sizeof(*ents)) != h->checksum)
		return invalid(err, errlen, path, "checksum mismatch");
	for (i = 0; i < got; i++) {
		if (ents[i].rec.id <= 0 || ents[i].when < 0 || ents[i].when > (int64_t)now)
			return invalid(err, errlen, path, "holds a record that cannot be");
	}
	return 0;
}

long nt_exitsave_read(const char *path, struct nt_exited *e, time_t now, char *err, size_t errlen)
{
	struct save_entry *ents = NULL;
	struct save_head h;
	struct stat st;
	size_t got, i;
	long rc;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	/* read once: whatever it holds, no later daemon delivers it again */
	unlink(path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(h) ||
	    (size_t)(st.st_size - (off_t)sizeof(h)) % sizeof(*ents) != 0 ||
	    (size_t)(st.st_size - (off_t)sizeof(h)) / sizeof(*ents) > e->max_records) {
		close(fd);
		return invalid(err, errlen, path, "not the size of a netatop state file");
	}
	got = (size_t)(st.st_size - (off_t)sizeof(h)) / sizeof(*ents);
	ents = calloc(got ? got : 1, sizeof(*ents));
	if (!ents || read(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
	    (got && read(fd, ents, got * sizeof(*ents)) != (ssize_t)(got * sizeof(*ents)))) {
		close(fd);
		free(ents);
		return invalid(err, errlen, path, "cannot be read");
	}
	close(fd);
	rc = check(&h, ents, got, now, path, err, errlen);
	for (i = 0; rc == 0 && i < got; i++)
		nt_exited_add(e, &ents[i].rec, (time_t)ents[i].when);
	free(ents);
	return rc < 0 ? rc : (long)got;
}
