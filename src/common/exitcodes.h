/* SPDX-License-Identifier: GPL-2.0-only */
/* Exit statuses; each one is documented in netatop(8), EXIT STATUS. */
#ifndef NETATOP_EXITCODES_H
#define NETATOP_EXITCODES_H

enum nt_exit {
	NT_EXIT_OK = 0,
	NT_EXIT_FAILURE = 1,	/* unexpected runtime failure */
	NT_EXIT_USAGE = 2,	/* bad command line */
	NT_EXIT_PRIVILEGE = 3,	/* not allowed to load BPF programs */
	NT_EXIT_KERNEL = 4,	/* this kernel cannot run netatop */
	NT_EXIT_RUNNING = 5,	/* another netatop already serves this socket */
	NT_EXIT_SOCKET = 6,	/* socket or pid file cannot be created */
	NT_EXIT_NO_DAEMON = 7,	/* client: no daemon answers on the socket */
	NT_EXIT_DENIED = 8,	/* client: not allowed to connect to the socket */
	NT_EXIT_PROTOCOL = 9,	/* client: the daemon's reply was malformed */
	NT_EXIT_STOP_TIMEOUT = 10,	/* --stop: the daemon did not exit in time */
};

#endif
