/* SPDX-License-Identifier: GPL-2.0-only */
/* The eight counters of atop's struct taskcount, and what is computed from them. */
#ifndef NETATOP_COUNTERS_H
#define NETATOP_COUNTERS_H

#include "protocol.h"

/* Bytes sent and received, TCP and UDP together. */
unsigned long long nt_taskcount_bytes(const struct taskcount *tc);

#endif
