// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "pins.h"
#include "fnv1a.h"
#include "records.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define NT_BPF_FS_MAGIC 0xcafe4a11
#define NT_BPF_FS_ROOT "/sys/fs/bpf"
#define NT_META_NAME "meta"
/* Bumped when what is pinned, or how, changes: an older state is then not adopted. */
#define NT_PIN_FORMAT 2

void nt_pins_stamp(const void *obj, size_t len, char *out, size_t outlen)
{
	uint32_t sizes[] = { NT_PIN_FORMAT, sizeof(struct nt_task_record), sizeof(struct nt_counters),
			     sizeof(struct nt_pin_meta), NT_DROP__MAX, sizeof(struct nt_conn_record),
			     sizeof(struct nt_peer_record) };
	const char *salt = getenv("NETATOP_TEST_LAYOUT");
	uint64_t h = NT_FNV1A_INIT;

	h = nt_fnv1a(h, sizes, sizeof(sizes));
	h = nt_fnv1a(h, obj, len);
	/* only for the tests: a daemon that stands for a build with other layouts */
	if (salt && *salt)
		h = nt_fnv1a(h, salt, strlen(salt));
	snprintf(out, outlen, "state-%016llx", (unsigned long long)h);
}

static bool on_bpffs(int fd)
{
	struct statfs st;

	return fstatfs(fd, &st) == 0 && (unsigned long)st.f_type == NT_BPF_FS_MAGIC;
}

/* Debian without systemd as PID 1 mounts no bpffs: do what systemd does at boot. */
static void mount_bpffs_if_needed(const char *dir)
{
	struct statfs st;

	if (strncmp(dir, NT_BPF_FS_ROOT "/", sizeof(NT_BPF_FS_ROOT)) != 0)
		return;
	if (statfs(NT_BPF_FS_ROOT, &st) == 0 && (unsigned long)st.f_type == NT_BPF_FS_MAGIC)
		return;
	mount("bpf", NT_BPF_FS_ROOT, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700");
}

int nt_pins_open(struct nt_pins *p, const char *dir, const char *stamp, char *err, size_t errlen)
{
	int e;

	memset(p, 0, sizeof(*p));
	p->dirfd = p->statefd = -1;
	if (snprintf(p->dir, sizeof(p->dir), "%s", dir) >= (int)sizeof(p->dir) ||
	    snprintf(p->state, sizeof(p->state), "%s", stamp) >= (int)sizeof(p->state)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	mount_bpffs_if_needed(dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		e = errno;
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(e));
		return -e;
	}
	p->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (p->dirfd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open %s: %s", dir, strerror(e));
		return -e;
	}
	if (!on_bpffs(p->dirfd)) {
		snprintf(err, errlen, "%s is not on a bpf file system (mount -t bpf bpf %s)", dir, dir);
		e = ENOTSUP;
		goto fail;
	}
	/* one daemon per directory: a second one runs, but keeps nothing */
	if (flock(p->dirfd, LOCK_EX | LOCK_NB) < 0) {
		e = errno == EWOULDBLOCK ? EBUSY : errno;
		snprintf(err, errlen, "%s is in use by another netatop", dir);
		goto fail;
	}
	return 0;
fail:
	close(p->dirfd);
	p->dirfd = -1;
	return -e;
}

/* Remove what is in dirfd/name (pins, or one more level of directories), then name itself. */
static void remove_tree(int parent, const char *name, int depth)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(parent, name, 0) == 0 || errno != EISDIR)
		return;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && depth > 0 && (d = fdopendir(fd))) {
		while ((de = readdir(d))) {
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				remove_tree(dirfd(d), de->d_name, depth - 1);
		}
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	unlinkat(parent, name, AT_REMOVEDIR);
}

int nt_pins_drop_others(struct nt_pins *p)
{
	struct dirent *de;
	int fd, n = 0;
	DIR *d;

	fd = openat(p->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, p->state))
			continue;
		remove_tree(p->dirfd, de->d_name, 2);
		n++;
	}
	closedir(d);
	return n;
}

int nt_pins_state_open(struct nt_pins *p)
{
	if (p->statefd >= 0)
		return 0;
	p->statefd = openat(p->dirfd, p->state, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return p->statefd < 0 ? -errno : 0;
}

int nt_pins_state_create(struct nt_pins *p)
{
	if (mkdirat(p->dirfd, p->state, 0700) < 0)
		return -errno;
	return nt_pins_state_open(p);
}

void nt_pins_state_remove(struct nt_pins *p)
{
	if (p->statefd >= 0)
		close(p->statefd);
	p->statefd = -1;
	remove_tree(p->dirfd, p->state, 1);
}

/* bpf_obj_get() and bpf_obj_pin() of libbpf 1.1 take paths, not directory descriptors. */
static int state_path(const struct nt_pins *p, const char *name, char *out, size_t len)
{
	if (snprintf(out, len, "%s/%s/%s", p->dir, p->state, name) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int nt_pins_get(const struct nt_pins *p, const char *name)
{
	char path[320];
	int fd;

	if (state_path(p, name, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int nt_pins_put(const struct nt_pins *p, int fd, const char *name)
{
	char path[320];

	if (state_path(p, name, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	return bpf_obj_pin(fd, path) < 0 ? -errno : 0;
}

int nt_pins_meta_read(const struct nt_pins *p, struct nt_pin_meta *m)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), key = 0;
	int fd, rc = 0;

	fd = nt_pins_get(p, NT_META_NAME);
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0 || info.type != BPF_MAP_TYPE_ARRAY ||
	    info.value_size != sizeof(*m) || info.max_entries != 1)
		rc = -EINVAL;
	else if (bpf_map_lookup_elem(fd, &key, m) < 0)
		rc = -errno;
	else if (m->magic != NT_PIN_META_MAGIC)
		rc = -EINVAL;
	close(fd);
	return rc;
}

int nt_pins_meta_write(const struct nt_pins *p, const struct nt_pin_meta *m)
{
	__u32 key = 0;
	int fd, rc;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "nt_state", sizeof(key), sizeof(*m), 1, NULL);
	if (fd < 0)
		return -errno;
	rc = bpf_map_update_elem(fd, &key, m, BPF_ANY) < 0 ? -errno : 0;
	if (!rc)
		rc = nt_pins_put(p, fd, NT_META_NAME);
	close(fd);
	return rc;
}

/*
 * Root keeps the directories, the daemon's group may write them: under
 * the unit root has no CAP_DAC_OVERRIDE, so a directory of the daemon's
 * user alone would be closed to the next start.
 */
static int share_dir(int fd, gid_t gid)
{
	if (fchown(fd, 0, gid) < 0 || fchmod(fd, 0770) < 0)
		return -errno;
	return 0;
}

int nt_pins_chown(const struct nt_pins *p, uid_t uid, gid_t gid)
{
	int rc;

	(void)uid;
	if (p->dirfd < 0)
		return 0;
	rc = share_dir(p->dirfd, gid);
	if (!rc && p->statefd >= 0)
		rc = share_dir(p->statefd, gid);
	return rc;
}

void nt_pins_close(struct nt_pins *p, bool remove)
{
	if (p->dirfd < 0)
		return;
	if (remove) {
		nt_pins_state_remove(p);
		/* the parent is root's: an unprivileged daemon leaves DIR, empty, to the service */
		rmdir(p->dir);
	}
	if (p->statefd >= 0)
		close(p->statefd);
	close(p->dirfd);
	p->dirfd = p->statefd = -1;
}

int nt_pins_unload(const char *dir, char *err, size_t errlen)
{
	struct nt_pins p;
	int fd, e;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		e = errno;
		snprintf(err, errlen, "cannot open %s: %s", dir, strerror(e));
		return -e;
	}
	if (!on_bpffs(fd)) {
		close(fd);
		snprintf(err, errlen, "%s is not on a bpf file system: not touched", dir);
		return -ENOTSUP;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		snprintf(err, errlen, "a running netatop uses %s: stop it first (netatop --stop)", dir);
		return -EBUSY;
	}
	memset(&p, 0, sizeof(p));
	p.dirfd = fd;
	p.statefd = -1;
	snprintf(p.dir, sizeof(p.dir), "%s", dir);
	p.state[0] = '\0';	/* matches no entry: every state goes */
	nt_pins_drop_others(&p);
	close(fd);
	if (rmdir(dir) < 0 && errno != ENOENT) {
		e = errno;
		snprintf(err, errlen, "cannot remove %s: %s", dir, strerror(e));
		return -e;
	}
	return 0;
}
