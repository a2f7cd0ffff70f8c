/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NETATOP_CAPS_H
#define NETATOP_CAPS_H

#include <stdbool.h>

/* CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) are effective: loading BPF is allowed. */
bool nt_have_bpf_caps(void);

/* One capability, by name ("cap_bpf"), is effective. */
bool nt_have_cap(const char *name);

#endif
