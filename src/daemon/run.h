/* SPDX-License-Identifier: GPL-2.0-only */
/* The daemon: load the BPF programs, serve their counters until SIGTERM. */
#ifndef NETATOP_RUN_H
#define NETATOP_RUN_H

#include "options.h"

/* Returns an nt_exit status. */
int nt_daemon_main(const struct nt_options *o);

#endif
