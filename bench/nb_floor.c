// SPDX-License-Identifier: GPL-2.0-only
/*
 * Calibration programs (nb_floor.bpf.c).
 *
 *   nb_floor OBJECT [PROG]...   attach the named hook programs (default the
 *                               two empty ones), say "ready" on stdout, and
 *                               keep them attached until stdin ends
 *   nb_floor OBJECT walk N [MAP_ID]
 *                               walk every task N times with the empty task
 *                               iterator, and every process with the
 *                               open-coded one: prints walk_ms=M (median ms
 *                               of one walk) tasks=N, and procs_ms=M
 *                               processes=N where the kernel has the
 *                               open-coded iterator; with the id of a
 *                               running netatop's nt_tasks map, also
 *                               dump_ms=M dumped=N: the open-coded walk
 *                               writing its records to a ring buffer, plus
 *                               consuming them here
 *
 * Programs of a cgroup type (nb_floor_skb_egress/_ingress) are attached to
 * the cgroup v2 directory NB_CGROUP2 names (the hierarchy's root, where
 * netatop attaches its wire programs).
 *
 * NB_VERBOSE=1 shows libbpf's messages.
 */
#define _GNU_SOURCE
#include "nb_common.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static bool wanted(const char *name, char **names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/*
 * Open OBJECT and load only the programs named in names; nt_tasks_fd >= 0
 * is a running netatop's nt_tasks map, for nb_floor_dump.
 */
static struct bpf_object *open_obj(const char *path, char **names, int n, int nt_tasks_fd)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	struct bpf_map *map;

	if (!obj)
		return NULL;
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, wanted(bpf_program__name(prog), names, n));
	map = bpf_object__find_map_by_name(obj, "nb_nt_tasks");
	if (nt_tasks_fd >= 0)
		bpf_map__reuse_fd(map, nt_tasks_fd);
	else
		bpf_map__set_autocreate(map, false);
	bpf_map__set_autocreate(bpf_object__find_map_by_name(obj, "nb_live"), nt_tasks_fd >= 0);
	/* its 2 MB bucket array is part of what nb_alt_hash is measured for */
	bpf_map__set_autocreate(bpf_object__find_map_by_name(obj, "nb_procs"),
				wanted("nb_alt_hash", names, n));
	if (bpf_object__load(obj)) {
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/* Tasks (threads included) a walk visits, from /proc. */
static int count_tasks(void)
{
	struct dirent *p, *t;
	char path[300];
	DIR *d = opendir("/proc"), *td;
	int n = 0;

	while (d && (p = readdir(d))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		td = opendir(path);
		while (td && (t = readdir(td)))
			n += t->d_name[0] != '.';
		if (td)
			closedir(td);
	}
	if (d)
		closedir(d);
	return n;
}

static int walk(struct bpf_link *link)
{
	char buf[4096];
	ssize_t n;
	int fd = bpf_iter_create(bpf_link__fd(link));

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return n < 0 ? -1 : 0;
}

/* What the daemon would do with each record: keep a copy. */
static char *copies;
static size_t ncopies;

static int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	memcpy(copies + ncopies++ * 96, data, size < 96 ? size : 96);
	return 0;
}

static __u64 bss_u64(struct bpf_object *obj, size_t index)
{
	struct bpf_map *bss = bpf_object__find_map_by_name(obj, ".bss");
	__u64 v[8] = { 0 };
	int zero = 0;

	if (!bss || bpf_map__value_size(bss) > sizeof(v))
		return 0;
	bpf_map_lookup_elem(bpf_map__fd(bss), &zero, v);
	return v[index];
}

static int do_walks(const char *path, long walks, long map_id)
{
	char *all[] = { "nb_floor_walk", "nb_floor_procs", "nb_floor_dump" };
	int nt_tasks_fd = map_id > 0 ? bpf_map_get_fd_by_id((__u32)map_id) : -1;
	struct bpf_object *obj = open_obj(path, all, nt_tasks_fd >= 0 ? 3 : 2, nt_tasks_fd);
	struct bpf_program *procs, *dump;
	struct bpf_link *link;
	double *ms = calloc((size_t)walks, sizeof(*ms));
	long i;

	if (!obj)		/* no open-coded task iterator on this kernel */
		obj = open_obj(path, all, 1, -1);
	if (!obj || !ms)
		nb_die("cannot load %s", path);
	link = bpf_program__attach_iter(bpf_object__find_program_by_name(obj, "nb_floor_walk"), NULL);
	if (!link)
		nb_die("cannot attach the task iterator");
	for (i = 0; i < walks; i++) {
		long long t0 = nb_now_ns();

		if (walk(link) < 0)
			nb_die("task walk");
		ms[i] = (double)(nb_now_ns() - t0) / 1e6;
	}
	printf("walk_ms=%.3f tasks=%d\n", nb_median(ms, (size_t)walks), count_tasks());

	procs = bpf_object__find_program_by_name(obj, "nb_floor_procs");
	if (bpf_program__fd(procs) >= 0) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		for (i = 0; i < walks; i++) {
			long long t0 = nb_now_ns();

			if (bpf_prog_test_run_opts(bpf_program__fd(procs), &opts) < 0)
				nb_die("BPF_PROG_RUN");
			ms[i] = (double)(nb_now_ns() - t0) / 1e6;
		}
		printf("procs_ms=%.3f processes=%llu\n", nb_median(ms, (size_t)walks),
		       (unsigned long long)bss_u64(obj, 0));
	}

	dump = bpf_object__find_program_by_name(obj, "nb_floor_dump");
	if (bpf_program__fd(dump) >= 0) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);
		struct ring_buffer *rb;

		rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "nb_live")),
				      on_record, NULL, NULL);
		copies = malloc((8u << 20) / 104 * 96);
		if (!rb || !copies)
			nb_die("ring buffer");
		for (i = 0; i < walks; i++) {
			long long t0 = nb_now_ns();

			ncopies = 0;
			if (bpf_prog_test_run_opts(bpf_program__fd(dump), &opts) < 0)
				nb_die("BPF_PROG_RUN");
			ring_buffer__consume(rb);
			ms[i] = (double)(nb_now_ns() - t0) / 1e6;
		}
		printf("dump_ms=%.3f dumped=%zu lost=%llu\n", nb_median(ms, (size_t)walks), ncopies,
		       (unsigned long long)bss_u64(obj, 2));
	}
	return 0;
}

/* Tracing programs where their section says; cgroup_skb ones at NB_CGROUP2. */
static struct bpf_link *attach(struct bpf_program *prog)
{
	const char *cg = getenv("NB_CGROUP2");
	struct bpf_link *link;
	int fd;

	if (bpf_program__type(prog) != BPF_PROG_TYPE_CGROUP_SKB)
		return bpf_program__attach(prog);
	if (!cg || !*cg) {
		fprintf(stderr, "nb_floor: %s needs NB_CGROUP2=DIR (a cgroup v2 directory)\n",
			bpf_program__name(prog));
		return NULL;
	}
	fd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		nb_die("%s", cg);
	link = bpf_program__attach_cgroup(prog, fd);
	close(fd);	/* the link holds the cgroup */
	return link;
}

int main(int argc, char **argv)
{
	char *floor_progs[] = { "nb_floor_send", "nb_floor_recv" };
	char **names = floor_progs;
	struct bpf_program *prog;
	struct bpf_object *obj;
	int n = 2;
	char c;

	if (argc < 2) {
		fprintf(stderr, "usage: nb_floor OBJECT [PROG]... | nb_floor OBJECT walk N [MAP_ID]\n");
		return 2;
	}
	if (!getenv("NB_VERBOSE"))
		libbpf_set_print(quiet);
	if ((argc == 4 || argc == 5) && strcmp(argv[2], "walk") == 0)
		return do_walks(argv[1], nb_arg_long(argv[3], "N"),
				argc == 5 ? nb_arg_long(argv[4], "MAP_ID") : 0);
	if (argc > 2) {
		names = argv + 2;
		n = argc - 2;
	}
	obj = open_obj(argv[1], names, n, -1);
	if (!obj)
		nb_die("cannot load %s", argv[1]);
	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__autoload(prog) && !attach(prog))
			nb_die("cannot attach %s", bpf_program__name(prog));
	}
	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
	bpf_object__close(obj);
	return 0;
}
