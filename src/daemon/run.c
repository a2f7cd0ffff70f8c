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
#include "exitsave.h"
#include "log.h"
#include "pidholder.h"
#include "privs.h"
#include "process.h"
#include "record.h"
#include "rundir.h"
#include "server.h"

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
 * After the privilege drop the daemon writes only in its run directory
 * (rundir.h), which its group may write: the pid file goes there, as the
 * socket does.
 */
static void remove_file(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		nt_log(LOG_INFO, "%s left for the service manager to remove: %s", path, strerror(errno));
}

static time_t monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* The user and group the daemon will drop to; false when it stays as it is. */
static bool drop_ids(const struct nt_options *o, uid_t *uid, gid_t *gid)
{
	return geteuid() == 0 && !o->no_drop && nt_privs_user_ids(o->user, uid, gid) == 0;
}

/* The group the daemon drops to, which may write its directories; -1 when it stays as it is. */
static gid_t drop_gid(const struct nt_options *o)
{
	uid_t uid;
	gid_t gid;

	return drop_ids(o, &uid, &gid) ? gid : (gid_t)-1;
}

/*
 * What must still be writable once the daemon is no longer root: the
 * kept kernel state, removed at a stop, and the state file's directory,
 * written at a restart (the run directory, unless --state-file says
 * otherwise; rundir.c shares that one).
 */
static void hand_over_to(const struct nt_options *o, const struct nt_rundir *rd,
			 struct nt_collector *col)
{
	char buf[4096], *dir;
	uid_t uid;
	gid_t gid;

	if (!drop_ids(o, &uid, &gid))
		return;
	if (nt_collect_chown_state(col, uid, gid) < 0)
		nt_log(LOG_WARNING, "cannot hand the kept kernel state to the user %s (%s): it stays after a stop until netatop --unload",
		       o->user, strerror(errno));
	snprintf(buf, sizeof(buf), "%s", o->state_file);
	dir = dirname(buf);
	if (strcmp(dir, rd->dir) == 0)
		return;
	/* as the run directory, for the same reason (rundir.h), but only one made here */
	if (mkdir(dir, 0770) == 0 && (chown(dir, 0, gid) < 0 || chmod(dir, 0770) < 0))
		nt_log(LOG_WARNING, "cannot hand %s to the group of %s: %s", dir, o->user, strerror(errno));
}

/* The exited records the previous daemon held for the clients when it was restarted. */
static void take_over_exited(const struct nt_options *o, struct nt_server *srv)
{
	char err[512];
	long n;

	n = nt_exitsave_read(o->state_file, nt_server_exited(srv), monotonic_seconds(), err, sizeof(err));
	if (n < 0)
		nt_log(LOG_WARNING, "ignored the exited processes saved by the previous daemon: %s", err);
	else if (n > 0)
		nt_log(LOG_INFO, "%ld exited processes handed over by the previous daemon from %s", n,
		       o->state_file);
}

/* SIGUSR1 leaves everything to the next daemon: the kernel state, and the exited records. */
static void leave_or_close(const struct nt_options *o, struct nt_server *srv, struct nt_collector *col)
{
	char err[512];

	/* a start that failed after adopting: the state was counting before us, and goes on */
	if (!srv && nt_collect_adopted(col)) {
		nt_collect_leave(col);
		return;
	}
	if (!srv || !nt_server_keep_state(srv) || !nt_collect_keeps_state(col)) {
		if (srv && nt_server_keep_state(srv))
			nt_log(LOG_WARNING, "no kernel state is kept (--pin-dir): counting stops with this daemon");
		nt_collect_close(col);
		return;
	}
	if (nt_exitsave_write(o->state_file, nt_server_exited(srv), err, sizeof(err)) < 0)
		nt_log(LOG_WARNING, "%s: the next daemon will not have the %zu exited processes held now",
		       err, nt_exited_count(nt_server_exited(srv)));
	nt_collect_leave(col);
	nt_log(LOG_INFO, "left the kernel counting in %s for the next daemon", o->pin_dir);
}

/* Report a start-up failure where the admin will see it, and to a waiting parent. */
static int startup_failure(int status, const char *err)
{
	nt_log(LOG_ERR, "%s", err);
	nt_daemon_ready(status);
	return status;
}

/* What the daemon holds while it runs, for the one way out (shut_down). */
struct daemon {
	struct nt_collector *col;
	struct nt_server *srv;
	struct nt_rundir rd;
	int pidfd, listenfd, connfd;
	char conn_path[NT_SOCKET_PATH_MAX];
};

/* Signals are read from a signalfd by the server loop. */
static void block_signals(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* atop's socket in the run directory, the link to it, the connection query beside it. */
static int open_sockets(struct daemon *d, const struct nt_options *o, char *err, size_t errlen)
{
	int rc;

	rc = nt_rundir_link(&d->rd, o->socket_path, err, errlen);
	if (rc == NT_EXIT_OK)
		rc = nt_socket_listen(d->rd.serve, &d->listenfd, err, errlen);
	if (rc != NT_EXIT_OK)
		return rc;
	/*
	 * The connection query: beside the socket bound, never instead of it,
	 * so in the run directory too, where the daemon may remove it at exit
	 * (and the next start replaces it when one that died left it).
	 */
	if (nt_conn_socket_path(d->rd.serve, d->conn_path, sizeof(d->conn_path)) < 0) {
		nt_log(LOG_NOTICE, "no connection query: %s%s would be too long a socket path (choose a shorter --pidfile directory)",
		       d->rd.serve, NT_CONN_SOCKET_SUFFIX);
		return NT_EXIT_OK;
	}
	return nt_socket_listen(d->conn_path, &d->connfd, err, errlen);
}

/* The sockets to their group, then down to the daemon's user (privs.h). */
static int give_up_root(struct daemon *d, const struct nt_options *o, char *err, size_t errlen)
{
	int rc;

	hand_over_to(o, &d->rd, d->col);
	if (geteuid() != 0)
		return NT_EXIT_OK;
	rc = nt_socket_set_group(d->rd.serve, o->group, err, errlen);
	if (rc == NT_EXIT_OK && d->connfd >= 0)
		rc = nt_socket_set_group(d->conn_path, o->group, err, errlen);
	if (rc == NT_EXIT_OK && !o->no_drop)
		rc = nt_privs_drop(o->user, err, errlen);
	return rc;
}

/* The server, fed by the collector, with the exited records a restart handed over. */
static int make_server(struct daemon *d, const struct nt_options *o, char *err, size_t errlen)
{
	struct nt_server_config cfg = {
		.listen_fd = d->listenfd,
		.conn_listen_fd = d->connfd,
		.pidfile_fd = d->pidfd,
		.max_clients = o->max_clients,
		.client_timeout = o->client_timeout,
		.keep_exited = o->keep_exited,
		.max_exited = o->max_exited,
	};
	struct nt_source src = {
		.ctx = d->col,
		.event_fd = nt_collect_event_fd(d->col),
		.drain = source_drain,
		.live = source_live,
		.status = source_status,
		.pid_holder = nt_pid_holder,
		.pid_gen = nt_pid_gen,
		.conns = {
			.ctx = d->col,
			.available = nt_collect_has_conns(d->col),
			.live = source_conns,
			.drain = source_conns_drain,
			.udp_peers = nt_collect_udp_peers(d->col),
			.peers = source_peers,
		},
		.conn_event_fd = nt_collect_conns_event_fd(d->col),
	};

	d->srv = nt_server_new(&cfg, &src);
	if (!d->srv) {
		snprintf(err, errlen, "out of memory");
		return NT_EXIT_FAILURE;
	}
	take_over_exited(o, d->srv);
	return NT_EXIT_OK;
}

/* What the admin needs to know of this start, in the log. */
static void log_start(const struct daemon *d, const struct nt_options *o)
{
	struct nt_collector *col = d->col;

	nt_log(LOG_INFO, "%s %s: counting %s with backend %s, live records by %s, serving %s",
	       PACKAGE_NAME, PACKAGE_VERSION,
	       strcmp(nt_collect_counting(col), "wire") == 0 ? "IP packets on the wire" : "socket calls",
	       nt_collect_backend(col), nt_collect_live_source(col), o->socket_path);
	if (d->rd.linked)
		nt_log(LOG_INFO, "%s links to %s, which the daemon removes when it exits", o->socket_path,
		       d->rd.serve);
	if (nt_collect_adopted(col))
		nt_log(LOG_INFO, "counters continue from the kernel state kept in %s", o->pin_dir);
	else if (nt_collect_keeps_state(col))
		nt_log(LOG_INFO, "kernel state kept in %s: counting survives a restart or a crash of the daemon",
		       o->pin_dir);
	if (o->udp_peers && !nt_collect_udp_peers(col))
		nt_log(LOG_NOTICE, "--udp-peers needs wire counting: unconnected UDP sockets are one line each");
	if (nt_collect_cgroup_root(col))
		nt_log(LOG_INFO, "packet programs attached at the root of the cgroup v2 hierarchy, reached through %s",
		       nt_collect_cgroup_root(col));
}

/* The one way out, from wherever the start got to. */
static void shut_down(struct daemon *d, const struct nt_options *o)
{
	if (d->col)
		leave_or_close(o, d->srv, d->col);
	nt_server_free(d->srv);
	if (d->listenfd >= 0)
		close(d->listenfd);
	if (d->connfd >= 0) {
		close(d->connfd);
		remove_file(d->conn_path);
	}
	if (d->pidfd < 0)
		return;
	remove_file(o->pidfile);
	close(d->pidfd);
	/* last, so that the directory is empty if nothing else is in it */
	nt_rundir_cleanup(&d->rd, o->socket_path, d->listenfd >= 0);
}

int nt_daemon_main(const struct nt_options *o)
{
	struct daemon d = { .pidfd = -1, .listenfd = -1, .connfd = -1 };
	char err[512];
	int rc;

	nt_log_init("netatop", o->foreground, o->verbose);
	if (!o->foreground && nt_daemonize() < 0) {
		fprintf(stderr, "netatop: cannot detach from the terminal: %s (try --foreground)\n",
			strerror(errno));
		return NT_EXIT_FAILURE;
	}
	block_signals();

	rc = nt_rundir_prepare(&d.rd, o->pidfile, o->socket_path, drop_gid(o), err, sizeof(err));
	if (rc == NT_EXIT_OK)
		rc = nt_pidfile_lock(o->pidfile, &d.pidfd, err, sizeof(err));
	if (rc == NT_EXIT_OK)
		rc = nt_collect_open(&d.col, o->backend, o->counting, (size_t)o->exit_buffer_mib << 20,
				     o->udp_peers, nt_options_pin_dir(o), err, sizeof(err));
	if (rc == NT_EXIT_OK)
		rc = open_sockets(&d, o, err, sizeof(err));
	if (rc == NT_EXIT_OK)
		rc = give_up_root(&d, o, err, sizeof(err));
	if (rc == NT_EXIT_OK)
		rc = make_server(&d, o, err, sizeof(err));
	if (rc != NT_EXIT_OK) {
		startup_failure(rc, err);
		shut_down(&d, o);
		return rc;
	}

	log_start(&d, o);
	nt_daemon_ready(NT_EXIT_OK);
	nt_sd_notify("READY=1");
	rc = nt_server_run(d.srv);
	nt_sd_notify("STOPPING=1");
	if (rc < 0)
		nt_log(LOG_ERR, "event loop failed: %s", strerror(-rc));
	shut_down(&d, o);
	return rc < 0 ? NT_EXIT_FAILURE : NT_EXIT_OK;
}
