// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "numparse.h"

#include <errno.h>
#include <stdlib.h>

const char *nt_parse_line_number(const char *p, unsigned long long *v)
{
	unsigned long long n;
	char *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return NULL;
	errno = 0;
	n = strtoull(p, &end, 10);
	if (errno)
		return NULL;
	*v = n;
	return end;
}
