// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "fnv1a.h"

uint64_t nt_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
