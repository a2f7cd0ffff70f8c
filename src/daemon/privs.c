// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "privs.h"
#include "exitcodes.h"
#include "log.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

int nt_socket_set_group(const char *path, const char *group, char *err, size_t errlen)
{
	struct group *gr = getgrnam(group);

	if (!gr) {
		nt_log(LOG_WARNING, "group %s does not exist: only root may connect to %s (create the group, or choose one with --group)",
		       group, path);
		return NT_EXIT_OK;
	}
	/* the mode is 0660 already, from the umask it was bound with (process.c) */
	if (lchown(path, 0, gr->gr_gid) < 0) {
		snprintf(err, errlen, "cannot give %s to group %s: %s", path, group, strerror(errno));
		return NT_EXIT_SOCKET;
	}
	return NT_EXIT_OK;
}

/* The capabilities kept: CAP_BPF and CAP_PERFMON where this kernel has them. */
static size_t kept_caps(cap_value_t keep[2])
{
	if (cap_max_bits() > CAP_BPF) {
		keep[0] = CAP_BPF;
		keep[1] = CAP_PERFMON;
		return 2;
	}
	keep[0] = CAP_SYS_ADMIN;
	return 1;
}

static int is_kept(cap_value_t c, const cap_value_t *keep, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keep[i] == c)
			return 1;
	return 0;
}

static const struct passwd *target_user(const char *user, char *err, size_t errlen)
{
	const struct passwd *pw = getpwnam(user);

	if (pw)
		return pw;
	if (strcmp(user, "nobody") != 0) {
		nt_log(LOG_WARNING, "user %s does not exist: running as nobody instead (create it, or choose one with --user)",
		       user);
		pw = getpwnam("nobody");
	}
	if (!pw)
		snprintf(err, errlen, "neither user %s nor nobody exists: choose a user with --user", user);
	return pw;
}

int nt_privs_user_ids(const char *user, uid_t *uid, gid_t *gid)
{
	const struct passwd *pw = getpwnam(user);

	if (!pw)
		pw = getpwnam("nobody");
	if (!pw)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int nt_privs_drop(const char *user, char *err, size_t errlen)
{
	cap_value_t keep[2];
	const struct passwd *pw;
	size_t nkeep = kept_caps(keep);
	uid_t uid;
	gid_t gid;
	cap_t caps;
	int c, rc;

	pw = target_user(user, err, errlen);
	if (!pw)
		return NT_EXIT_PRIVILEGE;
	uid = pw->pw_uid;
	gid = pw->pw_gid;

	/* The bounding set first, while CAP_SETPCAP is still ours. */
	for (c = 0; c <= (int)cap_max_bits() - 1; c++) {
		/* a service manager may have emptied it already, without CAP_SETPCAP to spare */
		if (is_kept(c, keep, nkeep) || prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
			snprintf(err, errlen, "cannot empty the capability bounding set: %s", strerror(errno));
			return NT_EXIT_PRIVILEGE;
		}
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
	    setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "cannot switch to user %s: %s", pw->pw_name, strerror(errno));
		return NT_EXIT_PRIVILEGE;
	}
	caps = cap_init();
	rc = caps ? 0 : -1;
	if (!rc)
		rc = cap_set_flag(caps, CAP_PERMITTED, (int)nkeep, keep, CAP_SET) ||
		     cap_set_flag(caps, CAP_EFFECTIVE, (int)nkeep, keep, CAP_SET) ||
		     cap_set_proc(caps);
	cap_free(caps);
	if (rc || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot reduce the capabilities: %s", strerror(errno));
		return NT_EXIT_PRIVILEGE;
	}
	nt_log(LOG_INFO, "running as %s with only %s", pw->pw_name,
	       nkeep == 2 ? "CAP_BPF and CAP_PERFMON" : "CAP_SYS_ADMIN");
	return NT_EXIT_OK;
}
