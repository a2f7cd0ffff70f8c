/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Serving clients: the epoll loop, per-client state, limits and framing.
 * Knows nothing of BPF: counters come from a source given as callbacks.
 */
#ifndef NETATOP_SERVER_H
#define NETATOP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "status.h"
#include "connserve.h"
#include "exited.h"
#include "records.h"

struct nt_source {
	void *ctx;
	/* fd that becomes readable when drain() has work, or -1 */
	int event_fd;
	/* move final counters of exited processes into `exited` */
	int (*drain)(void *ctx, struct nt_exited *exited, unsigned long boot_epoch, time_t now);
	/* the live processes, valid until the next call */
	int (*live)(void *ctx, const struct nt_task_record **recs, size_t *n);
	/* loss counters and backend name, for the status and the log */
	void (*status)(void *ctx, struct nt_status *st);
	/* who holds a pid now (exited.h), or NULL: exited records are then never replaced */
	nt_pid_holder_fn *pid_holder;
	/* changes whenever a pid is handed out (exited.h), or NULL: then every pid is asked about */
	nt_pid_gen_fn *pid_gen;
	/* the connection query's source; conn_event_fd readable when its ring fills, or -1 */
	struct nt_conn_source conns;
	int conn_event_fd;
};

struct nt_server_config {
	int listen_fd;
	int conn_listen_fd;	/* the connection query's socket, or -1 */
	int pidfile_fd;		/* status is published here, or -1 */
	unsigned int max_clients;
	time_t client_timeout;
	time_t keep_exited;
	size_t max_exited;
};

struct nt_server;

struct nt_server *nt_server_new(const struct nt_server_config *cfg, const struct nt_source *src);
void nt_server_free(struct nt_server *s);

/* Serve until SIGTERM, SIGINT or SIGUSR1 (which the caller has blocked); 0 or -errno. */
int nt_server_run(struct nt_server *s);

/* The exited records held for the clients: filled from a saved state, saved at a restart. */
struct nt_exited *nt_server_exited(struct nt_server *s);
/* Stopped by SIGUSR1: the daemon is being restarted, its state must be left for the next one. */
bool nt_server_keep_state(const struct nt_server *s);

#endif
