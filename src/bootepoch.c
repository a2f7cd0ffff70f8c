// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "bootepoch.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The value must be on the key's own line: strtoul() alone would skip the
 * newline of an empty value and take the next line's number, and would
 * take "-1" as ULONG_MAX.
 */
static unsigned long line_value(const char *p)
{
	unsigned long v;

	p += strspn(p, " \t");
	if (!isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	v = strtoul(p, NULL, 10);
	return errno ? 0 : v;
}

unsigned long nt_parse_boot_epoch(const char *text)
{
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, "btime ", 6) == 0)
			return line_value(p + 6);
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
