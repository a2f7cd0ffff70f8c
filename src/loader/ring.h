/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reader of a BPF ring buffer (BPF_MAP_TYPE_RINGBUF) that maps its data
 * area once.  libbpf maps it twice, back to back, so a record that wraps
 * is contiguous; those pages then count twice in the daemon's RSS.  Here
 * the rare wrapping record is copied instead.
 */
#ifndef NETATOP_RING_H
#define NETATOP_RING_H

#include <stddef.h>

/* Longest record handed to the callback whole; longer ones are skipped. */
#define NT_RING_MAX_RECORD 256

typedef int (*nt_ring_cb)(void *ctx, const void *rec, size_t len);

struct nt_ring {
	unsigned long *consumer_pos;		/* the page the reader may write */
	const unsigned long *producer_pos;
	const unsigned char *data;
	size_t size;				/* data bytes, a power of two */
	size_t map_len;				/* 0 when not mapped by nt_ring_map() */
	void *map_ro;
	unsigned char bounce[NT_RING_MAX_RECORD] __attribute__((aligned(8)));
};

/* Map the ring buffer map `fd` of `size` data bytes; -errno on failure. */
int nt_ring_map(struct nt_ring *r, int fd, size_t size);

/* Read a ring laid out in memory the kernel's way (for the tests). */
void nt_ring_init(struct nt_ring *r, unsigned long *consumer_pos,
		  const unsigned long *producer_pos, const void *data, size_t size);

/*
 * Hand every committed record to cb, in order, and release it; stops at
 * one the kernel is still writing.  Returns the number of records, or the
 * first negative value cb returned (the records before it are released).
 */
int nt_ring_consume(struct nt_ring *r, nt_ring_cb cb, void *ctx);

void nt_ring_unmap(struct nt_ring *r);

#endif
