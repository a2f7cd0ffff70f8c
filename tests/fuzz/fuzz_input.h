/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a fuzz input as a stream of small integers.  An exhausted input
 * reads as zeros and sets `end`, so a harness loops "while (!in.end)".
 */
#ifndef NETATOP_FUZZ_INPUT_H
#define NETATOP_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct fz_in {
	const uint8_t *p;
	size_t n;
	bool end;
};

static inline uint8_t fz_u8(struct fz_in *in)
{
	if (!in->n) {
		in->end = true;
		return 0;
	}
	in->n--;
	return *in->p++;
}

static inline uint16_t fz_u16(struct fz_in *in)
{
	uint16_t v = fz_u8(in);

	return (uint16_t)(v | (uint16_t)fz_u8(in) << 8);
}

static inline uint32_t fz_u32(struct fz_in *in)
{
	uint32_t v = fz_u16(in);

	return v | (uint32_t)fz_u16(in) << 16;
}

static inline uint64_t fz_u64(struct fz_in *in)
{
	uint64_t v = fz_u32(in);

	return v | (uint64_t)fz_u32(in) << 32;
}

/* At most `max` bytes of the input, as they are (no copy). */
static inline size_t fz_bytes(struct fz_in *in, size_t max, const uint8_t **out)
{
	size_t len = max < in->n ? max : in->n;

	*out = in->p;
	in->p += len;
	in->n -= len;
	return len;
}

/* An invariant of the code under test does not hold: say which, then crash. */
#define FZ_CHECK(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: invariant failed: %s: ",	\
				__FILE__, __LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
			abort();						\
		}								\
	} while (0)

#endif
