// SPDX-License-Identifier: GPL-2.0-only
/*
 * `netatop --top`: asks the daemon every interval, as atop does, and shows
 * what each process (or command, user, cgroup) moved per second since the
 * previous answer.  The arithmetic is in aggregate.c, the lines in
 * topfmt.c; here only the clock, /proc, the terminal and the keys.
 */
#include "config.h"
#include "counters.h"
#include "status.h"
#include "top.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aggregate.h"
#include "bootepoch.h"
#include "connfetch.h"
#include "connview.h"
#include "conntopfmt.h"
#include "exitcodes.h"
#include "fetch.h"
#include "procinfo.h"
#include "topfmt.h"

#define LINE_MAX_LEN (NT_CGROUP_MAX + 768)

struct top {
	const struct nt_options *o;
	enum nt_group by;
	enum nt_sort sort;
	struct nt_sample prev;
	bool have_prev;
	struct nt_view view;
	bool have_view;
	time_t view_time;
	char error[512];	/* the last failed sample, for the screen */
	/* from the daemon's status: what it counts, and what it credited to nobody */
	char counting[8];
	unsigned long long unatt[NT_C_COUNT];
	double unatt_time;
	bool have_unatt;
	double unatt_rate[NT_C_COUNT];
	/* the process view's selection: a pid, kept across refreshes and sorts */
	pid_t sel_pid;
	char typed[12];		/* a pid being typed */
	/* the connection view of one process (Enter), Esc goes back */
	bool conn_mode;
	pid_t conn_pid;
	char conn_comm[NETATOP_COMMLEN];
	int conn_fd;		/* kept: each closed connection is shown once */
	struct nt_conn_entry *conn_prev;
	size_t nconn_prev;
	double conn_prev_time;
	bool have_conn_prev;
	struct nt_conn_view cview;
	char conn_error[512];
	size_t conn_top;	/* first row shown */
	/* uid -> name */
	struct {
		uid_t uid;
		char name[NT_USER_MAX];
	} *users;
	size_t nusers, capusers;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum nt_group group_of(enum nt_top_by by)
{
	switch (by) {
	case NT_BY_COMMAND:
		return NT_GROUP_COMMAND;
	case NT_BY_USER:
		return NT_GROUP_USER;
	case NT_BY_CGROUP:
		return NT_GROUP_CGROUP;
	case NT_BY_PID:
		break;
	}
	return NT_GROUP_PID;
}

static const char *group_name(enum nt_group by)
{
	switch (by) {
	case NT_GROUP_COMMAND:
		return "command";
	case NT_GROUP_USER:
		return "user";
	case NT_GROUP_CGROUP:
		return "cgroup";
	case NT_GROUP_PID:
		break;
	}
	return "process";
}

static const char *user_name(struct top *t, uid_t uid)
{
	struct passwd *pw;
	size_t i;

	for (i = 0; i < t->nusers; i++) {
		if (t->users[i].uid == uid)
			return t->users[i].name;
	}
	if (t->nusers == t->capusers) {
		size_t cap = t->capusers ? t->capusers * 2 : 16;
		void *tmp = realloc(t->users, cap * sizeof(*t->users));

		if (!tmp)
			return NULL;
		t->users = tmp;
		t->capusers = cap;
	}
	pw = getpwuid(uid);
	t->users[t->nusers].uid = uid;
	if (pw)
		snprintf(t->users[t->nusers].name, sizeof(t->users[0].name), "%s", pw->pw_name);
	else
		snprintf(t->users[t->nusers].name, sizeof(t->users[0].name), "%u", (unsigned int)uid);
	return t->users[t->nusers++].name;
}

/* Ask the daemon, then /proc about each process it named. */
static int take_sample(struct top *t, struct nt_sample *s)
{
	struct netpertask *recs = NULL;
	unsigned long boot;
	double when = now_s();
	size_t n, i;
	int rc;

	rc = nt_fetch_records(t->o->socket_path, &recs, &n, t->error, sizeof(t->error));
	if (rc != NT_EXIT_OK)
		return rc;
	if (nt_sample_from_records(s, recs, n, when) < 0) {
		free(recs);
		snprintf(t->error, sizeof(t->error), "out of memory");
		return NT_EXIT_FAILURE;
	}
	free(recs);
	boot = nt_boot_epoch();
	for (i = 0; i < s->n; i++) {
		struct nt_proc *p = &s->procs[i];
		struct nt_procinfo pi;

		nt_procinfo_read("/proc", p->pid, p->btime, boot, &pi);
		p->alive = pi.alive;
		p->have_uid = pi.have_uid;
		p->uid = pi.uid;
		p->have_cgroup = pi.have_cgroup;
		memcpy(p->cgroup, pi.cgroup, sizeof(p->cgroup));
	}
	if (t->have_prev)
		nt_sample_inherit(s, &t->prev);
	t->error[0] = '\0';
	return NT_EXIT_OK;
}

/* A new sample: the view of the interval since the previous one. */
/* The unattributed rates over the last interval, from the daemon's pid file. */
static void read_status(struct top *t)
{
	unsigned long long u[NT_C_COUNT];
	struct nt_status st;
	double now = now_s();
	int i;

	if (nt_status_read(t->o->pidfile, &st) < 0) {
		t->counting[0] = '\0';
		t->have_unatt = false;
		return;
	}
	snprintf(t->counting, sizeof(t->counting), "%s", st.counting);
	for (i = 0; i < NT_C_COUNT; i++)
		u[i] = nt_counter_get(&st.unattributed, (enum nt_counter)i);
	if (t->have_unatt && now > t->unatt_time)
		for (i = 0; i < NT_C_COUNT; i++)
			t->unatt_rate[i] = u[i] >= t->unatt[i] ?
				(double)(u[i] - t->unatt[i]) / (now - t->unatt_time) : 0;
	memcpy(t->unatt, u, sizeof(t->unatt));
	t->unatt_time = now;
	t->have_unatt = true;
}

static bool counting_wire(const struct top *t)
{
	return strcmp(t->counting, "wire") == 0;
}

/* ", wire packets" or ", socket calls" after the sort order; nothing from older daemons. */
static const char *counting_note(const struct top *t)
{
	if (!t->counting[0])
		return "";
	return counting_wire(t) ? ", wire packets" : ", socket calls";
}

static void conn_forget(struct top *t)
{
	free(t->conn_prev);
	t->conn_prev = NULL;
	t->nconn_prev = 0;
	t->have_conn_prev = false;
	nt_conn_view_free(&t->cview);
}

/* Ask for the selected process's connections; the view is their growth since the last time. */
static void conn_step(struct top *t)
{
	struct nt_conn_entry *cur = NULL;
	double when = now_s();
	size_t n = 0;
	int rc;

	if (t->conn_fd < 0) {
		rc = nt_connfetch_open(t->o->socket_path, &t->conn_fd, t->conn_error,
				       sizeof(t->conn_error));
		if (rc != NT_EXIT_OK) {
			t->conn_fd = -1;
			return;
		}
	}
	rc = nt_connfetch_query(t->conn_fd, (int32_t)t->conn_pid, &cur, &n, t->conn_error,
				sizeof(t->conn_error));
	if (rc != NT_EXIT_OK) {
		close(t->conn_fd);
		t->conn_fd = -1;
		return;
	}
	nt_conn_view_free(&t->cview);
	if (nt_conn_view_build(&t->cview, t->conn_prev, t->nconn_prev, cur, n,
			       t->have_conn_prev ? when - t->conn_prev_time : 0) < 0) {
		free(cur);
		snprintf(t->conn_error, sizeof(t->conn_error), "out of memory");
		return;
	}
	nt_conn_view_sort(&t->cview, t->sort);
	free(t->conn_prev);
	t->conn_prev = cur;
	t->nconn_prev = n;
	t->conn_prev_time = when;
	t->have_conn_prev = true;
	t->conn_error[0] = '\0';
}

static const struct nt_row *row_of(const struct top *t, pid_t pid)
{
	size_t i;

	for (i = 0; t->have_view && i < t->view.n; i++)
		if (t->view.rows[i].pid == pid)
			return &t->view.rows[i];
	return NULL;
}

static void conn_enter(struct top *t, pid_t pid)
{
	const struct nt_row *r = row_of(t, pid);

	conn_forget(t);
	t->conn_mode = true;
	t->conn_pid = pid;
	t->conn_top = 0;
	snprintf(t->conn_comm, sizeof(t->conn_comm), "%s", r ? r->command : "?");
	conn_step(t);
}

static int step(struct top *t)
{
	struct nt_sample cur;
	size_t i;
	int rc;

	rc = take_sample(t, &cur);
	if (rc != NT_EXIT_OK)
		return rc;
	if (t->have_prev) {
		if (t->have_view)
			nt_view_free(&t->view);
		t->have_view = false;
		if (nt_view_build(&t->view, &t->prev, &cur, t->by) < 0) {
			nt_sample_free(&cur);
			snprintf(t->error, sizeof(t->error), "out of memory");
			return NT_EXIT_FAILURE;
		}
		t->have_view = true;
		t->view_time = time(NULL);
		for (i = 0; i < t->view.n; i++) {
			struct nt_row *r = &t->view.rows[i];
			const char *name;

			if (!r->have_uid || !(name = user_name(t, r->uid)))
				continue;
			snprintf(r->user, sizeof(r->user), "%s", name);
			if (t->by == NT_GROUP_USER)
				snprintf(r->label, sizeof(r->label), "%s", name);
		}
		nt_view_sort(&t->view, t->sort);
		nt_sample_free(&t->prev);
		if (t->view.n && !row_of(t, t->sel_pid))
			t->sel_pid = t->view.rows[0].pid;
	}
	t->prev = cur;
	t->have_prev = true;
	read_status(t);
	if (t->conn_mode)
		conn_step(t);
	return NT_EXIT_OK;
}

/*
 * Batch lines carry the date, for logs; the screen has the keys instead,
 * and says less when the full line would not fit (width > 0).
 */
static void summary_line(const struct top *t, char *buf, size_t len, bool keys, int width)
{
	char when[64] = "";
	struct tm tm;
	time_t now = t->have_view ? t->view_time : time(NULL);

	if (localtime_r(&now, &tm)) {
		if (keys)
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
		else
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	}
	if (!t->have_view) {
		snprintf(buf, len, "netatop --top  %s  first sample: rates in %.1f s%s", when,
			 t->o->interval_ms / 1000.0, keys ? "  (q quits)" : "");
		return;
	}
	snprintf(buf, len, "netatop --top  %s  interval %.2f s  %zu processes, %zu exited  by %s, sorted by %s%s%s",
		 when, t->view.interval, t->view.nalive, t->view.nexited, group_name(t->by),
		 nt_sort_name(t->sort), counting_note(t), keys ? "  keys: s r t p c q Enter" : "");
	if (width <= 0 || (int)strlen(buf) <= width)
		return;
	snprintf(buf, len, "%s  %.1fs  %zu procs, %zu exited  by %s  sort: %s  (q quits)",
		 when, t->view.interval, t->view.nalive, t->view.nexited, group_name(t->by),
		 nt_sort_name(t->sort));
	if ((int)strlen(buf) <= width)
		return;
	snprintf(buf, len, "%s  %zu procs  sort: %s", when, t->view.nalive, nt_sort_name(t->sort));
}

/* ---------------------------------------------------------------- batch */

static int print_batch(struct top *t)
{
	struct nt_layout l;
	char line[LINE_MAX_LEN];
	size_t i;

	nt_layout_fit(&l, t->by, 0);
	summary_line(t, line, sizeof(line), false, 0);
	printf("%s\n", line);
	nt_format_totals(line, sizeof(line), &t->view);
	printf("%s\n", line);
	if (counting_wire(t)) {
		nt_format_unattributed(line, sizeof(line), t->unatt_rate);
		printf("%s\n", line);
	}
	nt_format_header(line, sizeof(line), &l);
	printf("%s\n", line);
	for (i = 0; i < t->view.n; i++) {
		nt_format_row(line, sizeof(line), &l, &t->view.rows[i]);
		printf("%s\n", line);
	}
	printf("\n");
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "netatop: cannot write: %s\n", strerror(errno));
		return NT_EXIT_FAILURE;
	}
	return NT_EXIT_OK;
}

static void sleep_until(double deadline)
{
	double left = deadline - now_s();
	struct timespec ts;

	if (left <= 0)
		return;
	ts.tv_sec = (time_t)left;
	ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !stop_requested)
		;
}

static int run_batch(struct top *t)
{
	double interval = t->o->interval_ms / 1000.0, start = now_s();
	unsigned long done = 0;
	int rc;

	while (!stop_requested && (t->o->count == 0 || done < t->o->count)) {
		sleep_until(start + interval * (double)(done + 1));
		if (stop_requested)
			break;
		rc = step(t);
		if (rc != NT_EXIT_OK) {
			fprintf(stderr, "netatop: %s\n", t->error);
			return rc;
		}
		rc = print_batch(t);
		if (rc != NT_EXIT_OK)
			return rc;
		done++;
	}
	return NT_EXIT_OK;
}

/* ---------------------------------------------------------------- screen */

static void put_line(int y, const char *s, attr_t attr)
{
	if (y >= LINES)
		return;
	move(y, 0);
	clrtoeol();
	if (attr)
		attron(attr);
	addnstr(s, COLS);
	if (attr)
		attroff(attr);
}

static void draw(struct top *t)
{
	struct nt_layout l;
	char line[LINE_MAX_LEN];
	int y = 0;
	size_t i;

	erase();
	summary_line(t, line, sizeof(line), true, COLS);
	put_line(y++, line, A_BOLD);
	if (t->typed[0]) {
		snprintf(line, sizeof(line), "pid: %s_  (Enter shows its connections, Esc cancels)", t->typed);
		put_line(y++, line, A_BOLD);
	} else if (t->error[0]) {
		snprintf(line, sizeof(line), "netatop: %s", t->error);
		put_line(y++, line, A_BOLD);
	} else if (t->have_view) {
		nt_format_totals(line, sizeof(line), &t->view);
		if ((int)strlen(line) > COLS)
			nt_format_totals_short(line, sizeof(line), &t->view);
		put_line(y++, line, 0);
		if (counting_wire(t)) {
			nt_format_unattributed(line, sizeof(line), t->unatt_rate);
			put_line(y++, line, 0);
		}
	} else {
		put_line(y++, "", 0);
	}
	nt_layout_fit(&l, t->by, COLS);
	nt_format_header(line, sizeof(line), &l);
	/* the title bar spans the screen */
	snprintf(line + strlen(line), sizeof(line) - strlen(line), "%*s",
		 COLS > (int)strlen(line) ? COLS - (int)strlen(line) : 0, "");
	put_line(y++, line, A_REVERSE);
	for (i = 0; t->have_view && i < t->view.n && y < LINES; i++) {
		const struct nt_row *r = &t->view.rows[i];
		attr_t a = r->exited ? A_DIM : 0;

		if (t->by == NT_GROUP_PID && r->pid == t->sel_pid)
			a |= A_REVERSE;
		nt_format_row(line, sizeof(line), &l, r);
		put_line(y++, line, a);
	}
	refresh();
}

/* The selected process's connections; its own rates above them. */
static void draw_conns(struct top *t)
{
	const struct nt_row *r = row_of(t, t->conn_pid);
	struct nt_conn_layout l;
	char line[LINE_MAX_LEN], when[16] = "";
	time_t now = time(NULL);
	struct tm tm;
	int y = 0;
	size_t i;

	erase();
	if (localtime_r(&now, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(line, sizeof(line), "netatop --top  %s  pid %d %s%s: %zu connections, %zu closed  sorted by %s  keys: s r t p c Esc",
		 when, (int)t->conn_pid, t->conn_comm, r && r->exited ? " (exited)" : "", t->cview.n,
		 t->cview.nclosed, nt_sort_name(t->sort));
	if ((int)strlen(line) > COLS)
		snprintf(line, sizeof(line), "%s  pid %d %s: %zu conns, %zu closed  sort: %s  Esc: back",
			 when, (int)t->conn_pid, t->conn_comm, t->cview.n, t->cview.nclosed,
			 nt_sort_name(t->sort));
	put_line(y++, line, A_BOLD);
	if (t->conn_error[0]) {
		snprintf(line, sizeof(line), "netatop: %s", t->conn_error);
		put_line(y++, line, A_BOLD);
	} else if (r) {
		struct nt_view v;

		memset(&v, 0, sizeof(v));
		memcpy(v.rate, r->rate, sizeof(v.rate));
		nt_format_totals(line, sizeof(line), &v);
		if ((int)strlen(line) > COLS)
			nt_format_totals_short(line, sizeof(line), &v);
		put_line(y++, line, 0);
	} else {
		put_line(y++, t->cview.interval > 0 ? "" : "first sample: rates in one interval", 0);
	}
	nt_conn_layout_fit(&l, COLS);
	nt_conn_format_header(line, sizeof(line), &l);
	snprintf(line + strlen(line), sizeof(line) - strlen(line), "%*s",
		 COLS > (int)strlen(line) ? COLS - (int)strlen(line) : 0, "");
	put_line(y++, line, A_REVERSE);
	if (t->conn_top >= t->cview.n)
		t->conn_top = 0;
	for (i = t->conn_top; i < t->cview.n && y < LINES; i++) {
		const struct nt_conn_row *c = &t->cview.rows[i];

		nt_conn_format_row(line, sizeof(line), &l, c);
		put_line(y++, line, (c->e.flags & NT_CONN_ENTRY_CLOSED) ? A_DIM : 0);
	}
	if (t->cview.n == 0 && !t->conn_error[0] && y < LINES)
		put_line(y++, "  (no open connection, none closed since the last sample)", 0);
	refresh();
}

static void redraw(struct top *t)
{
	if (t->conn_mode)
		draw_conns(t);
	else
		draw(t);
}

/* The row above or below the selection, in the order shown. */
static void move_selection(struct top *t, int by)
{
	size_t i, at = 0;

	if (!t->have_view || t->view.n == 0 || t->by != NT_GROUP_PID)
		return;
	for (i = 0; i < t->view.n; i++)
		if (t->view.rows[i].pid == t->sel_pid)
			at = i;
	if (by < 0 && at > 0)
		at--;
	else if (by > 0 && at + 1 < t->view.n)
		at++;
	t->sel_pid = t->view.rows[at].pid;
}

/* Enter: the typed pid, else the selected row's. */
static void enter_selected(struct top *t)
{
	pid_t pid = 0;

	if (t->typed[0])
		pid = (pid_t)atol(t->typed);
	else if (t->by == NT_GROUP_PID)
		pid = t->sel_pid;
	t->typed[0] = '\0';
	if (pid > 0)
		conn_enter(t, pid);
}

static bool handle_key(struct top *t, int ch)
{
	enum nt_sort sort;
	size_t n = strlen(t->typed);

	if (ch >= '0' && ch <= '9' && !t->conn_mode) {
		if (n + 1 < sizeof(t->typed)) {
			t->typed[n] = (char)ch;
			t->typed[n + 1] = '\0';
		}
		return true;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		stop_requested = 1;
		return false;
	case KEY_UP:
		if (t->conn_mode) {
			if (t->conn_top > 0)
				t->conn_top--;
		} else {
			move_selection(t, -1);
		}
		return true;
	case KEY_DOWN:
		if (t->conn_mode) {
			if (t->conn_top + 1 < t->cview.n)
				t->conn_top++;
		} else {
			move_selection(t, 1);
		}
		return true;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (n)
			t->typed[n - 1] = '\0';
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (!t->conn_mode)
			enter_selected(t);
		return true;
	case 27:	/* Esc */
		t->typed[0] = '\0';
		if (t->conn_mode) {
			t->conn_mode = false;
			conn_forget(t);
		}
		return true;
	case 's':
		sort = NT_SORT_SEND;
		break;
	case 'r':
		sort = NT_SORT_RECV;
		break;
	case 't':
		sort = NT_SORT_TOTAL;
		break;
	case 'p':
		sort = NT_SORT_PID;
		break;
	case 'c':
		sort = NT_SORT_COMMAND;
		break;
	case KEY_RESIZE:
	case 12:	/* ^L */
		return true;
	default:
		return false;
	}
	t->sort = sort;
	if (t->have_view)
		nt_view_sort(&t->view, sort);
	nt_conn_view_sort(&t->cview, sort);
	return true;
}

static int run_screen(struct top *t)
{
	double interval = t->o->interval_ms / 1000.0, next;
	unsigned long done = 0;
	SCREEN *scr;
	int rc = NT_EXIT_OK, ch;

	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "netatop: cannot use the terminal '%s': try -b\n",
			getenv("TERM") ? getenv("TERM") : "(TERM not set)");
		return NT_EXIT_FAILURE;
	}
	set_term(scr);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	curs_set(0);
	/* Esc goes back at once, not after ncurses' second of waiting for a sequence */
	set_escdelay(25);
	draw(t);
	next = now_s() + interval;
	while (!stop_requested) {
		double left = next - now_s();

		if (left <= 0) {
			/* A daemon that went away is shown, and asked again next time. */
			step(t);
			done++;
			redraw(t);
			if (t->o->count && done >= t->o->count)
				break;
			next += interval;
			if (next < now_s())
				next = now_s() + interval;	/* suspended: no catching up */
			continue;
		}
		timeout((int)(left * 1000) + 1);
		ch = getch();
		if (ch != ERR && handle_key(t, ch))
			redraw(t);
	}
	endwin();
	delscreen(scr);
	return rc;
}

int nt_top_main(const struct nt_options *o)
{
	struct sigaction sa;
	struct top t;
	int rc;

	memset(&t, 0, sizeof(t));
	t.o = o;
	t.by = group_of(o->by);
	t.sort = NT_SORT_TOTAL;
	t.conn_fd = -1;
	/* ncursesw wants the terminal's character set; numbers stay "1.5", never "1,5" */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/* The first sample is the base of the first interval; no daemon, no screen. */
	rc = step(&t);
	if (rc != NT_EXIT_OK) {
		fprintf(stderr, "netatop: %s\n", t.error);
		goto out;
	}
	if (o->batch || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		rc = run_batch(&t);
	else
		rc = run_screen(&t);
out:
	if (t.have_view)
		nt_view_free(&t.view);
	if (t.have_prev)
		nt_sample_free(&t.prev);
	free(t.users);
	conn_forget(&t);
	if (t.conn_fd >= 0)
		close(t.conn_fd);
	return rc;
}
