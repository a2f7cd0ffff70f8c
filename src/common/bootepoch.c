// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "bootepoch.h"
#include "numparse.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned long nt_parse_boot_epoch(const char *text)
{
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, "btime ", 6) == 0) {
			unsigned long long v;

			return nt_parse_line_number(p + 6, &v) && v <= ULONG_MAX ? (unsigned long)v : 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/*
 * Read again for each reply rather than cached: the boot epoch moves when
 * the clock is set.  getline() copes with the long "intr" line of large
 * machines.
 */
unsigned long nt_boot_epoch(void)
{
	unsigned long epoch = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		epoch = nt_parse_boot_epoch(line);
		if (epoch)
			break;
	}
	free(line);
	fclose(f);
	return epoch;
}
