// SPDX-License-Identifier: GPL-2.0-only
/*
 * Many cheap processes that netatop tracks.
 *
 *   nb_spawn [-x EXITED] [-l LIVE] [-o PIDFILE] -- COMMAND [ARG]...
 *
 * First EXITED processes each send one 1-byte UDP datagram and exit (they
 * are reaped), then LIVE processes each send one and wait.  Once all have
 * sent, COMMAND runs; when it ends the live ones are released and reaped,
 * and nb_spawn exits with COMMAND's status.  PIDFILE gets every pid, one
 * a line, exited ones first.
 *
 * The processes are clone(CLONE_VM | CLONE_FILES | ...) children without
 * CLONE_THREAD: each is its own thread group (so netatop counts it as a
 * process) but costs only a task_struct, a kernel stack and 2 KiB of
 * stack here, no page tables: 100,000 of them fit in a few GB.
 */
#define _GNU_SOURCE
#include "nb_common.h"

#include <arpa/inet.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIVE_STACK 2048		/* a child only makes two system calls */
#define EXIT_STACK 8192
#define EXIT_POOL 256		/* exiting children in flight at most */
#define CLONE_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_SYSVSEM | SIGCHLD)

static int send_fd;
static struct sockaddr_in sink;
static int release;		/* futex word: the live children may go */
static int sent;		/* children that have sent their datagram */

/*
 * The children run on stacks of a few KiB that sanitizers know nothing
 * of: keep their instrumentation out of them.
 */
#define CHILD_CODE __attribute__((no_sanitize("address", "undefined")))

CHILD_CODE static void child_send(void)
{
	static const char byte = 'x';

	/* bound libc wrappers only: no errno, no other state shared with the parent */
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);	/* never outlive nb_spawn */
	syscall(SYS_sendto, send_fd, &byte, 1, 0, &sink, sizeof(sink));
	__atomic_add_fetch(&sent, 1, __ATOMIC_RELEASE);
}

CHILD_CODE static int live_child(void *arg)
{
	(void)arg;
	child_send();
	while (!__atomic_load_n(&release, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &release, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return 0;
}

CHILD_CODE static int exit_child(void *arg)
{
	(void)arg;
	child_send();
	return 0;
}

static void reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* Stacks, above a guard page: an overflow faults instead of corrupting. */
static char *stacks(size_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, bytes + (size_t)page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		nb_die("mmap %zu bytes of stacks", bytes);
	mprotect(p, (size_t)page, PROT_NONE);
	return p + page;
}

/* Fail rather than wait forever when a child died before it sent. */
static void check_children(void)
{
	int status;
	pid_t pid = waitpid(-1, &status, WNOHANG);

	if (pid > 0) {
		errno = 0;
		nb_die("child %d ended before it sent its datagram (status %#x)", (int)pid, status);
	}
}

static pid_t spawn(int (*fn)(void *), char *stack_top)
{
	pid_t pid = clone(fn, stack_top, CLONE_FLAGS, NULL);

	if (pid < 0)
		nb_die("clone (raise kernel.pid_max / kernel.threads-max?)");
	return pid;
}

int main(int argc, char **argv)
{
	long nexited = 0, nlive = 0, i;
	pid_t pool[EXIT_POOL] = { 0 }, *live, cmd;
	const char *pidpath = NULL;
	char *estack, *lstack;
	FILE *pidf = NULL;
	socklen_t alen = sizeof(sink);
	int sink_fd, opt, status;
	long long t0;

	while ((opt = getopt(argc, argv, "+x:l:o:")) != -1) {
		if (opt == 'x')
			nexited = nb_arg_long(optarg, "EXITED");
		else if (opt == 'l')
			nlive = nb_arg_long(optarg, "LIVE");
		else if (opt == 'o')
			pidpath = optarg;
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: nb_spawn [-x EXITED] [-l LIVE] [-o PIDFILE] -- COMMAND [ARG]...\n");
		return 2;
	}
	if (pidpath && !(pidf = fopen(pidpath, "w")))
		nb_die("%s", pidpath);

	sink.sin_family = AF_INET;
	sink.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sink_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	send_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sink_fd < 0 || send_fd < 0 || bind(sink_fd, (struct sockaddr *)&sink, sizeof(sink)) < 0 ||
	    getsockname(sink_fd, (struct sockaddr *)&sink, &alen) < 0)
		nb_die("udp sockets");

	live = calloc((size_t)nlive + 1, sizeof(*live));
	estack = stacks((size_t)EXIT_POOL * EXIT_STACK);
	lstack = stacks(((size_t)nlive + 1) * LIVE_STACK);
	if (!live)
		nb_die("calloc");

	/*
	 * The children call syscall(): bind it now.  Lazy binding in a child
	 * would run the dynamic linker's resolver, which needs far more stack
	 * than a child has.
	 */
	syscall(SYS_getpid);
	t0 = nb_now_ns();
	prctl(PR_SET_NAME, "nb_child");
	for (i = 0; i < nexited; i++) {
		long slot = i % EXIT_POOL;

		if (pool[slot])
			reap(pool[slot]);
		pool[slot] = spawn(exit_child, estack + (slot + 1) * EXIT_STACK);
		if (pidf)
			fprintf(pidf, "%d\n", (int)pool[slot]);
	}
	for (i = 0; i < EXIT_POOL; i++)
		if (pool[i])
			reap(pool[i]);
	for (i = 0; i < nlive; i++) {
		live[i] = spawn(live_child, lstack + (size_t)(i + 1) * LIVE_STACK);
		if (pidf)
			fprintf(pidf, "%d\n", (int)live[i]);
	}
	prctl(PR_SET_NAME, "nb_spawn");
	if (pidf && fclose(pidf) != 0)
		nb_die("%s", pidpath);
	while (__atomic_load_n(&sent, __ATOMIC_ACQUIRE) < nexited + nlive) {
		check_children();
		usleep(1000);
	}
	fprintf(stderr, "nb_spawn: %ld exited and %ld live processes sent in %.2f s\n",
		nexited, nlive, (double)(nb_now_ns() - t0) / 1e9);

	cmd = fork();
	if (cmd < 0)
		nb_die("fork");
	if (cmd == 0) {
		execvp(argv[optind], argv + optind);
		nb_die("exec %s", argv[optind]);
	}
	while (waitpid(cmd, &status, 0) < 0 && errno == EINTR)
		;

	__atomic_store_n(&release, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &release, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
	for (i = 0; i < nlive; i++)
		reap(live[i]);
	free(live);
	close(sink_fd);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
