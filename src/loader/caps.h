/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NETATOP_CAPS_H
#define NETATOP_CAPS_H

#include <stdbool.h>
#include <stddef.h>

/* CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) are effective: loading BPF is allowed. */
bool nt_have_bpf_caps(void);

/* CAP_NET_ADMIN (or CAP_SYS_ADMIN): the kernel loads cgroup programs only so. */
bool nt_have_net_admin(void);

/*
 * May this process load the packet programs of wire counting?  The
 * kernel loads cgroup_skb programs only with CAP_NET_ADMIN (or
 * CAP_SYS_ADMIN) besides CAP_BPF.  If not, why, in `reason`.
 */
bool nt_wire_allowed(char *reason, size_t len);

/* One capability, by name ("cap_bpf"), is effective. */
bool nt_have_cap(const char *name);

#endif
