/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The root of the cgroup v2 hierarchy, where the packet programs attach
 * to see every local socket.  Hybrid hosts (cgroup v1 for the
 * controllers) often have no cgroup2 mount at all: the hierarchy exists
 * anyway, and a mount of our own, taken down as soon as the programs are
 * attached, reaches it.  Attachments stay with the cgroup, not the mount.
 */
#ifndef NETATOP_CGROUP_ROOT_H
#define NETATOP_CGROUP_ROOT_H

#include <stddef.h>
#include <stdio.h>

/*
 * The mount point of the cgroup2 hierarchy's root in a mountinfo file
 * (mount root "/"), octal escapes undone.  0 if found, -1 if not.
 */
int nt_cgroup2_mountpoint(FILE *mountinfo, char *path, size_t len);

/*
 * An open directory fd of the cgroup2 root, or -errno with a one-line
 * reason in err.  `how` says where it came from ("/sys/fs/cgroup", or
 * that a private mount was made); `scratch` is the directory under which
 * a temporary mount point may be made when the new mount API is missing.
 */
int nt_cgroup_root_open(const char *mountinfo_path, const char *scratch, char *how, size_t howlen,
			char *err, size_t errlen);

#endif
