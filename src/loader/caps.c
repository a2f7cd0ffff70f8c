// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "caps.h"

#include <stdio.h>
#include <sys/capability.h>

bool nt_have_cap(const char *name)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_value_t cap;
	cap_t caps;

	if (cap_from_name(name, &cap) < 0)
		return false;
	caps = cap_get_proc();
	if (!caps)
		return false;
	if (cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) < 0)
		v = CAP_CLEAR;
	cap_free(caps);
	return v == CAP_SET;
}

bool nt_have_bpf_caps(void)
{
	return nt_have_cap("cap_sys_admin") ||
	       (nt_have_cap("cap_bpf") && nt_have_cap("cap_perfmon"));
}

bool nt_have_net_admin(void)
{
	return nt_have_cap("cap_sys_admin") || nt_have_cap("cap_net_admin");
}

bool nt_wire_allowed(char *reason, size_t len)
{
	if (nt_have_net_admin())
		return true;
	snprintf(reason, len, "the packet programs need CAP_NET_ADMIN, which this process lacks (let the service give it: the daemon drops it once they are loaded)");
	return false;
}
