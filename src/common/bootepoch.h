/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NETATOP_BOOTEPOCH_H
#define NETATOP_BOOTEPOCH_H

/* The "btime" line of a /proc/stat text, or 0 when it has none. */
unsigned long nt_parse_boot_epoch(const char *stat_text);

/* Boot time in seconds since the epoch, as atop reads it; 0 on error. */
unsigned long nt_boot_epoch(void);

#endif
