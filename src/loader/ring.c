// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "ring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The kernel's record header (include/uapi/linux/bpf.h). */
#define RING_BUSY_BIT (1u << 31)
#define RING_DISCARD_BIT (1u << 30)
#define RING_HDR_SZ 8u

void nt_ring_init(struct nt_ring *r, unsigned long *consumer_pos,
		  const unsigned long *producer_pos, const void *data, size_t size)
{
	memset(r, 0, sizeof(*r));
	r->consumer_pos = consumer_pos;
	r->producer_pos = producer_pos;
	r->data = data;
	r->size = size;
}

int nt_ring_map(struct nt_ring *r, int fd, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *cons, *ro;

	/* page 0: consumer position (writable); page 1: producer position; then the data */
	cons = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (cons == MAP_FAILED)
		return -errno;
	ro = mmap(NULL, page + size, PROT_READ, MAP_SHARED, fd, (off_t)page);
	if (ro == MAP_FAILED) {
		int e = errno;

		munmap(cons, page);
		return -e;
	}
	nt_ring_init(r, cons, ro, (const unsigned char *)ro + page, size);
	r->map_ro = ro;
	r->map_len = page + size;
	return 0;
}

void nt_ring_unmap(struct nt_ring *r)
{
	if (r->map_len) {
		munmap(r->consumer_pos, (size_t)sysconf(_SC_PAGESIZE));
		munmap(r->map_ro, r->map_len);
	}
	memset(r, 0, sizeof(*r));
}

int nt_ring_consume(struct nt_ring *r, nt_ring_cb cb, void *ctx)
{
	unsigned long cons, prod;
	size_t mask = r->size - 1;
	int n = 0, rc;

	if (!r->data)
		return 0;
	cons = __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
	for (;;) {
		prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
		if (cons >= prod)
			break;
		while (cons < prod) {
			/* headers are 8-byte aligned in a power-of-two ring: never split */
			const unsigned int *hdr = (const void *)(r->data + (cons & mask));
			unsigned int word = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			size_t len = word & ~(RING_BUSY_BIT | RING_DISCARD_BIT);
			size_t off = (cons + RING_HDR_SZ) & mask;

			if (word & RING_BUSY_BIT)
				return n;
			cons += (RING_HDR_SZ + len + 7) & ~(size_t)7;
			if (!(word & RING_DISCARD_BIT) && len <= NT_RING_MAX_RECORD) {
				const void *rec = r->data + off;

				if (off + len > r->size) {
					size_t first = r->size - off;

					memcpy(r->bounce, r->data + off, first);
					memcpy(r->bounce + first, r->data, len - first);
					rec = r->bounce;
				}
				rc = cb(ctx, rec, len);
				if (rc < 0) {
					__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
					return rc;
				}
				n++;
			}
			__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
		}
	}
	return n;
}
