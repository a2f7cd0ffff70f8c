// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "cgroup_root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

int nt_cgroup2_mountpoint(FILE *mountinfo, char *path, size_t len)
{
	char line[4096];

	while (fgets(line, sizeof(line), mountinfo)) {
		char *save = NULL, *field[5], *sep, *fstype;
		int i;

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPER" */
		sep = strstr(line, " - ");
		if (!sep)
			continue;
		fstype = strtok_r(sep + 3, " \n", &save);
		if (!fstype || strcmp(fstype, "cgroup2") != 0)
			continue;
		*sep = '\0';
		save = NULL;
		for (i = 0; i < 5; i++) {
			field[i] = strtok_r(i ? NULL : line, " ", &save);
			if (!field[i])
				break;
		}
		if (i < 5 || strcmp(field[3], "/") != 0)
			continue;
		unescape(field[4]);
		if (strlen(field[4]) >= len)
			continue;
		strcpy(path, field[4]);
		return 0;
	}
	return -1;
}

/* A detached mount of the hierarchy (Linux 5.2+): nothing shows in any mount table. */
static int open_detached(void)
{
#ifdef FSOPEN_CLOEXEC	/* glibc 2.36+ */
	int fs, mnt, fd, e;

	fs = fsopen("cgroup2", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		e = errno;
		close(fs);
		return -e;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	e = errno;
	close(fs);
	if (mnt < 0)
		return -e;
	/* the mount fd is a path only: the kernel wants an opened directory */
	fd = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	e = errno;
	close(mnt);
	return fd < 0 ? -e : fd;
#else
	return -ENOSYS;
#endif
}

/* The old way: mount on a directory of our own, open, take the mount down again. */
static int open_scratch(const char *scratch)
{
	char dir[256];
	int fd, e;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/netatop-cgroup2.XXXXXX", scratch) >= sizeof(dir))
		return -ENAMETOOLONG;
	if (!mkdtemp(dir))
		return -errno;
	if (mount("cgroup2", dir, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		e = errno;
		rmdir(dir);
		return -e;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	e = errno;
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	return fd < 0 ? -e : fd;
}

int nt_cgroup_root_open(const char *mountinfo_path, const char *scratch, char *how, size_t howlen,
			char *err, size_t errlen)
{
	char path[1024];
	FILE *fp;
	int fd, rc;

	fp = fopen(mountinfo_path, "re");
	if (fp) {
		rc = nt_cgroup2_mountpoint(fp, path, sizeof(path));
		fclose(fp);
		if (rc == 0) {
			fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0) {
				snprintf(how, howlen, "%s", path);
				return fd;
			}
		}
	}
	fd = open_detached();
	if (fd >= 0) {
		snprintf(how, howlen, "a private mount of cgroup2 (none is mounted)");
		return fd;
	}
	fd = open_scratch(scratch);
	if (fd >= 0) {
		snprintf(how, howlen, "a mount of cgroup2 under %s, taken down once attached", scratch);
		return fd;
	}
	snprintf(err, errlen, "cannot reach the cgroup v2 hierarchy: none is mounted and mounting one failed (%s); mount it (mount -t cgroup2 none /sys/fs/cgroup/unified) or use --count=calls",
		 strerror(-fd));
	return fd;
}
