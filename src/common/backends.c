// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "backends.h"

#include <string.h>

static const char *const names[NT_BACKEND_AUTO + 1] = {
	[NT_BACKEND_TRACEPOINT] = "tracepoint",
	[NT_BACKEND_FENTRY] = "fentry",
	[NT_BACKEND_KPROBE] = "kprobe",
	[NT_BACKEND_AUTO] = "auto",
};

const char *nt_backend_name(enum nt_backend b)
{
	return (unsigned int)b <= NT_BACKEND_AUTO ? names[b] : "?";
}

int nt_backend_parse(const char *name, enum nt_backend *b)
{
	unsigned int i;

	for (i = 0; i <= NT_BACKEND_AUTO; i++) {
		if (strcmp(name, names[i]) == 0) {
			*b = (enum nt_backend)i;
			return 0;
		}
	}
	return -1;
}
