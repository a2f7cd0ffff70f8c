// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon: the loader counts, the server serves.
 *
 * Order matters: the instance lock comes before the socket is touched,
 * and counting is attached before the socket is served, so no client ever
 * sees a daemon that is not counting yet.
 */
#include "config.h"
#include "run.h"
#include "collect.h"
#include "connproto.h"
#include "unixsock.h"
#include "exitcodes.h"
#include "exited.h"
#include "log.h"
#include "privs.h"
#include "process.h"
#include "record.h"
#include "server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Where the final counters of exited processes go: atop's records, kept for the clients. */
struct exit_sink {
	struct nt_exited *exited;
	unsigned long boot_epoch;
	time_t now;
};

static void keep_exited(void *ctx, const struct nt_task_record *kr)
{
	const struct exit_sink *sink = ctx;
	struct netpertask rec;

	nt_record_encode(&rec, kr, sink->boot_epoch);
	if (rec.id)
		nt_exited_add(sink->exited, &rec, sink->now);
}

static int source_drain(void *ctx, struct nt_exited *exited, unsigned long epoch, time_t now)
{
	struct exit_sink sink = { .exited = exited, .boot_epoch = epoch, .now = now };

	return nt_collect_drain(ctx, keep_exited, &sink);
}

static int source_live(void *ctx, const struct nt_task_record **recs, size_t *n)
{
	return nt_collect_live(ctx, recs, n);
}

static void source_status(void *ctx, struct nt_status *st)
{
	unsigned long long drops[NT_DROP__MAX];
	struct nt_counters u;

	nt_collect_drops(ctx, drops);
	snprintf(st->backend, sizeof(st->backend), "%s", nt_collect_backend(ctx));
	st->dropped_calls = drops[NT_DROP_STORAGE];
	st->dropped_exits = drops[NT_DROP_EXIT_RINGBUF];
	snprintf(st->counting, sizeof(st->counting), "%s", nt_collect_counting(ctx));
	nt_collect_unattributed(ctx, &u);
	nt_taskcount_from_kernel(&st->unattributed, &u);
}

static int source_conns(void *ctx, unsigned int pid, const struct nt_conn_record **recs, size_t *n)
{
	return nt_collect_conns(ctx, pid, recs, n);
}

static int source_peers(void *ctx, const struct nt_peer_record **recs, size_t *n)
{
	return nt_collect_peers(ctx, recs, n);
}

static int source_conns_drain(void *ctx, void (*keep)(void *kctx, const struct nt_conn_record *rec),
			      void *kctx)
{
	return nt_collect_conns_drain(ctx, keep, kctx);
}

/*
 * After the privilege drop /run is no longer writable: the service
 * manager removes what is left, and a stale socket is replaced at the
 * next start.
 */
static void remove_file(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		nt_log(LOG_INFO, "%s left for the service manager to remove: %s", path, strerror(errno));
}

/* Report a start-up failure where the admin will see it, and to a waiting parent. */
static int startup_failure(int status, const char *err)
{
	nt_log(LOG_ERR, "%s", err);
	nt_daemon_ready(status);
	return status;
}

int nt_daemon_main(const struct nt_options *o)
{
	struct nt_collector *col = NULL;
	struct nt_server *srv = NULL;
	int pidfd = -1, listenfd = -1, connfd = -1, rc;
	char err[512], conn_path[NT_SOCKET_PATH_MAX];
	sigset_t mask;

	nt_log_init("netatop", o->foreground, o->verbose);
	if (!o->foreground && nt_daemonize() < 0) {
		fprintf(stderr, "netatop: cannot detach from the terminal: %s (try --foreground)\n",
			strerror(errno));
		return NT_EXIT_FAILURE;
	}

	/* Signals are read from a signalfd by the server loop. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = nt_pidfile_lock(o->pidfile, &pidfd, err, sizeof(err));
	if (rc != NT_EXIT_OK)
		return startup_failure(rc, err);
	rc = nt_collect_open(&col, o->backend, o->counting, (size_t)o->exit_buffer_mib << 20,
			     o->udp_peers, err, sizeof(err));
	if (rc != NT_EXIT_OK)
		goto out_err;
	rc = nt_socket_listen(o->socket_path, &listenfd, err, sizeof(err));
	if (rc != NT_EXIT_OK)
		goto out_err;
	/* the connection query: beside atop's socket, never instead of it */
	if (nt_conn_socket_path(o->socket_path, conn_path, sizeof(conn_path)) < 0) {
		nt_log(LOG_NOTICE, "no connection query: %s%s would be too long a socket path",
		       o->socket_path, NT_CONN_SOCKET_SUFFIX);
	} else {
		rc = nt_socket_listen(conn_path, &connfd, err, sizeof(err));
		if (rc != NT_EXIT_OK)
			goto out_err;
	}
	if (geteuid() == 0) {
		rc = nt_socket_set_group(o->socket_path, o->group, err, sizeof(err));
		if (rc == NT_EXIT_OK && connfd >= 0)
			rc = nt_socket_set_group(conn_path, o->group, err, sizeof(err));
		if (rc != NT_EXIT_OK)
			goto out_err;
		if (!o->no_drop) {
			rc = nt_privs_drop(o->user, err, sizeof(err));
			if (rc != NT_EXIT_OK)
				goto out_err;
		}
	}

	struct nt_server_config cfg = {
		.listen_fd = listenfd,
		.conn_listen_fd = connfd,
		.pidfile_fd = pidfd,
		.max_clients = o->max_clients,
		.client_timeout = o->client_timeout,
		.keep_exited = o->keep_exited,
		.max_exited = o->max_exited,
	};
	struct nt_source src = {
		.ctx = col,
		.event_fd = nt_collect_event_fd(col),
		.drain = source_drain,
		.live = source_live,
		.status = source_status,
		.conns = {
			.ctx = col,
			.available = nt_collect_has_conns(col),
			.live = source_conns,
			.drain = source_conns_drain,
			.udp_peers = nt_collect_udp_peers(col),
			.peers = source_peers,
		},
		.conn_event_fd = nt_collect_conns_event_fd(col),
	};
	srv = nt_server_new(&cfg, &src);
	if (!srv) {
		snprintf(err, sizeof(err), "out of memory");
		rc = NT_EXIT_FAILURE;
		goto out_err;
	}

	nt_log(LOG_INFO, "%s %s: counting %s with backend %s, live records by %s, serving %s",
	       PACKAGE_NAME, PACKAGE_VERSION,
	       strcmp(nt_collect_counting(col), "wire") == 0 ? "IP packets on the wire" : "socket calls",
	       nt_collect_backend(col), nt_collect_live_source(col), o->socket_path);
	if (o->udp_peers && !nt_collect_udp_peers(col))
		nt_log(LOG_NOTICE, "--udp-peers needs wire counting: unconnected UDP sockets are one line each");
	if (nt_collect_cgroup_root(col))
		nt_log(LOG_INFO, "packet programs attached at the root of the cgroup v2 hierarchy, reached through %s",
		       nt_collect_cgroup_root(col));
	nt_daemon_ready(NT_EXIT_OK);
	nt_sd_notify("READY=1");
	rc = nt_server_run(srv);
	nt_sd_notify("STOPPING=1");
	if (rc < 0)
		nt_log(LOG_ERR, "event loop failed: %s", strerror(-rc));
	rc = rc < 0 ? NT_EXIT_FAILURE : NT_EXIT_OK;
	goto out;

out_err:
	startup_failure(rc, err);
out:
	nt_server_free(srv);
	if (listenfd >= 0) {
		close(listenfd);
		remove_file(o->socket_path);
	}
	if (connfd >= 0) {
		close(connfd);
		remove_file(conn_path);
	}
	nt_collect_close(col);
	if (pidfd >= 0) {
		remove_file(o->pidfile);
		close(pidfd);
	}
	return rc;
}
