// SPDX-License-Identifier: GPL-2.0-only
/* Logging: stderr in the foreground, syslog as a daemon. */
#include "config.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool log_stderr = true;
static bool log_verbose;

void nt_log_init(const char *ident, bool to_stderr, bool verbose)
{
	log_stderr = to_stderr;
	log_verbose = verbose;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* format(printf, 2, 0): clang checks a va_list's format only where it is told so */
static void nt_vlog(int prio, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void nt_vlog(int prio, const char *fmt, va_list ap)
{
	static const char *const names[] = {
		[LOG_EMERG] = "emergency", [LOG_ALERT] = "alert", [LOG_CRIT] = "critical",
		[LOG_ERR] = "error", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
		[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
	};

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	if (!log_stderr) {
		vsyslog(prio, fmt, ap);
		return;
	}
	fprintf(stderr, "netatop: %s: ", names[prio & 7]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void nt_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nt_vlog(prio, fmt, ap);
	va_end(ap);
}

void nt_log_limited(struct nt_ratelimit *rl, int prio, const char *fmt, ...)
{
	struct timespec now;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - rl->window_start >= rl->interval) {
		rl->window_start = now.tv_sec;
		rl->printed = 0;
	}
	if (rl->printed >= rl->burst) {
		rl->suppressed++;
		return;
	}
	rl->printed++;
	if (rl->suppressed) {
		nt_log(prio, "%lu similar messages suppressed", rl->suppressed);
		rl->suppressed = 0;
	}
	va_start(ap, fmt);
	nt_vlog(prio, fmt, ap);
	va_end(ap);
}
