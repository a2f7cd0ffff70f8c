/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NETATOP_LOG_H
#define NETATOP_LOG_H

#include <stdbool.h>
#include <syslog.h>
#include <time.h>

void nt_log_init(const char *ident, bool to_stderr, bool verbose);
void nt_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * At most `burst` messages per `interval` seconds; the number suppressed
 * is reported with the next message that gets through.
 */
struct nt_ratelimit {
	time_t interval;
	unsigned int burst;
	time_t window_start;
	unsigned int printed;
	unsigned long suppressed;
};
#define NT_RATELIMIT_INIT(interval_s, burst_n) { .interval = (interval_s), .burst = (burst_n) }

void nt_log_limited(struct nt_ratelimit *rl, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
