/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stopping, and what a stop leaves behind.
 *
 * Why two ways to stop: a stop (SIGTERM, netatop --stop, service stop,
 * package removal) must leave nothing in the kernel, but a restart
 * (service restart, a package upgrade) must not lose a single count, and
 * a crash or kill -9 gives the daemon no say at all.  So the kernel state
 * is pinned while the daemon runs, which alone covers the crash; SIGTERM
 * removes the pins on the way out; SIGUSR1 (netatop --stop --keep-state,
 * systemd's RestartKillSignal=) leaves them, and the exited records the
 * clients have not all had, for the next daemon.  What a killed daemon
 * left is removed by netatop --unload, or adopted by the next start.
 */
#ifndef NETATOP_STOP_H
#define NETATOP_STOP_H

#include "options.h"

/* netatop --stop [--keep-state]: signal the daemon of --pidfile and wait; an nt_exit status. */
int nt_stop_main(const struct nt_options *o);

/* netatop --unload: remove the pins and the state file a daemon left; an nt_exit status. */
int nt_unload_main(const struct nt_options *o);

#endif
