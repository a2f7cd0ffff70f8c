/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Least privilege.  Once the BPF programs are attached and the socket
 * bound, nothing needs root: switch to an unprivileged user and keep only
 * CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN on kernels that predate them),
 * with an empty bounding set beyond those and no_new_privs.
 */
#ifndef NETATOP_PRIVS_H
#define NETATOP_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Give the socket to root and `group` with mode 0660, so members of the
 * group may read the counters.  A missing group leaves it root's only.
 */
int nt_socket_set_group(const char *path, const char *group, char *err, size_t errlen);

/* The ids nt_privs_drop() will switch to (nobody when `user` does not exist); 0 or -1. */
int nt_privs_user_ids(const char *user, uid_t *uid, gid_t *gid);

/* Returns an nt_exit status. */
int nt_privs_drop(const char *user, char *err, size_t errlen);

#endif
