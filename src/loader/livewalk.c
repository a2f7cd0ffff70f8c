// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "livewalk.h"
#include "log.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

size_t nt_walk_slots_for(size_t slots, size_t seen)
{
	size_t want = NT_WALK_MIN_SLOTS;

	if (seen > NT_WALK_MAX_SLOTS)
		return 0;
	if (seen <= slots && (seen >= slots / 8 || slots <= NT_WALK_MIN_SLOTS))
		return slots;
	while (want < seen + seen / 4 && want < NT_WALK_MAX_SLOTS)
		want *= 2;
	return want;
}

/* The array's fd and mapping come and go together: recs says whether there is one. */
static void slots_release(struct nt_walk *w)
{
	if (w->recs) {
		munmap((void *)w->recs, w->map_len);
		close(w->slots_fd);
	}
	w->recs = NULL;
	w->slots = 0;
}

/* A new array of `slots` records, mapped, put in nt_live in place of the old one. */
static int slots_resize(struct nt_walk *w, size_t slots)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE | BPF_F_INNER_MAP);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (slots * sizeof(struct nt_task_record) + page - 1) / page * page;
	unsigned int zero = 0;
	void *p;
	int fd, e;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "nt_live_slots", sizeof(unsigned int),
			    sizeof(struct nt_task_record), (unsigned int)slots, &opts);
	if (fd < 0)
		return -errno;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	if (bpf_map_update_elem(w->outer_fd, &zero, &fd, BPF_ANY) < 0) {
		e = errno;
		munmap(p, len);
		errno = e;
		goto fail;
	}
	slots_release(w);
	w->recs = p;
	w->map_len = len;
	w->slots_fd = fd;
	w->slots = slots;
	nt_log(LOG_DEBUG, "live-record array: %zu records", slots);
	return 0;
fail:
	e = errno;
	close(fd);
	return -e;
}

/* Resize; a failure (no memory) leaves the old array and is said once. */
static int resize_or_say(struct nt_walk *w, size_t slots)
{
	int rc = slots_resize(w, slots);

	if (rc < 0 && !w->resize_failed_logged) {
		nt_log(LOG_NOTICE, "cannot make the live-record array %zu records (%s): replies use the task iterator until it can",
		       slots, strerror(-rc));
		w->resize_failed_logged = true;
	}
	return rc;
}

int nt_walk_open(struct nt_walk *w, int prog_fd, int outer_fd)
{
	memset(w, 0, sizeof(*w));
	w->prog_fd = prog_fd;
	w->outer_fd = outer_fd;
	return slots_resize(w, NT_WALK_MIN_SLOTS);
}

static int walk_once(struct nt_walk *w, size_t *seen)
{
	LIBBPF_OPTS(bpf_test_run_opts, run);

	if (bpf_prog_test_run_opts(w->prog_fd, &run) < 0)
		return -errno;
	*seen = run.retval;
	return 0;
}

int nt_walk_run(struct nt_walk *w, const struct nt_task_record **recs, size_t *n)
{
	size_t seen = 0, want;
	int rc;

	if (!w->recs)
		return 0;
	/* the last reply had more than the walk may hold: don't walk for nothing */
	want = nt_walk_slots_for(w->slots, w->last);
	if (!want)
		return 0;
	/* shrink before walking: the caller is done with the old records; if
	 * that fails the bigger array still serves */
	if (want < w->slots)
		(void)resize_or_say(w, want);
	rc = walk_once(w, &seen);
	if (rc == 0 && seen > w->slots) {
		want = nt_walk_slots_for(w->slots, seen);
		w->last = seen;
		if (!want) {
			if (!w->beyond_logged)
				nt_log(LOG_NOTICE, "%zu processes have counters, more than the %u of the fast walk: replies use the task iterator while that lasts",
				       seen, NT_WALK_MAX_SLOTS);
			w->beyond_logged = true;
			return 0;
		}
		if (resize_or_say(w, want) < 0)
			return 0;
		rc = walk_once(w, &seen);
		/* processes appeared between the two walks */
		if (rc == 0 && seen > w->slots)
			return 0;
	}
	if (rc < 0) {
		nt_log(LOG_WARNING, "the process walk failed (%s): replies use the task iterator from now on",
		       strerror(-rc));
		slots_release(w);
		return 0;
	}
	w->last = seen;
	*recs = w->recs;
	*n = seen;
	return 1;
}

void nt_walk_note(struct nt_walk *w, size_t n)
{
	w->last = n;
}

void nt_walk_close(struct nt_walk *w)
{
	slots_release(w);
}
