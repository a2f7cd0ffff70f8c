// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "conns.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int nt_conns_open(struct nt_conns *c, int tcp_iter_fd, int udp_iter_fd, int ring_fd,
		  size_t ring_bytes)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->iter_fd[0] = c->iter_fd[1] = -1;
	if (tcp_iter_fd < 0 || udp_iter_fd < 0)
		return -ENOTSUP;
	rc = nt_ring_map(&c->closed, ring_fd, ring_bytes);
	if (rc < 0)
		return rc;
	c->iter_fd[0] = tcp_iter_fd;
	c->iter_fd[1] = udp_iter_fd;
	c->ring_fd = ring_fd;
	return 0;
}

void nt_conns_close(struct nt_conns *c)
{
	nt_ring_unmap(&c->closed);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->iter_fd[0] = c->iter_fd[1] = -1;
}

/* Append what one iterator writes to the buffer; `len` bytes are there already. */
static int read_iter(struct nt_conns *c, int link_fd, size_t *len)
{
	size_t cap_bytes;
	ssize_t got;
	int fd, e;

	fd = bpf_iter_create(link_fd);
	if (fd < 0)
		return -errno;
	for (;;) {
		cap_bytes = c->cap * sizeof(*c->buf);
		if (cap_bytes - *len < 64 * 1024) {
			size_t ncap = c->cap ? c->cap * 2 : 4096;
			void *tmp = realloc(c->buf, ncap * sizeof(*c->buf));

			if (!tmp) {
				close(fd);
				return -ENOMEM;
			}
			c->buf = tmp;
			c->cap = ncap;
			cap_bytes = ncap * sizeof(*c->buf);
		}
		got = read(fd, (char *)c->buf + *len, cap_bytes - *len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			close(fd);
			return -e;
		}
		if (got == 0)
			break;
		*len += (size_t)got;
	}
	close(fd);
	return 0;
}

int nt_conns_walk(struct nt_conns *c, const struct nt_conn_record **recs, size_t *n)
{
	size_t len = 0;
	int i, rc;

	if (c->iter_fd[0] < 0)
		return -ENOTSUP;
	for (i = 0; i < 2; i++) {
		rc = read_iter(c, c->iter_fd[i], &len);
		if (rc < 0)
			return rc;
	}
	*recs = c->buf;
	*n = len / sizeof(*c->buf);
	return 0;
}

struct drain_ctx {
	nt_conns_closed_cb cb;
	void *ctx;
};

static int on_closed(void *ctx, const void *data, size_t size)
{
	const struct drain_ctx *d = ctx;

	if (size >= sizeof(struct nt_conn_record))
		d->cb(d->ctx, data);
	return 0;
}

int nt_conns_drain(struct nt_conns *c, nt_conns_closed_cb cb, void *ctx)
{
	struct drain_ctx d = { cb, ctx };
	int n;

	n = nt_ring_consume(&c->closed, on_closed, &d);
	return n < 0 ? n : 0;
}
