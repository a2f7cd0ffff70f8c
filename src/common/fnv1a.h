/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * FNV-1a, 64 bits: the checksum of the saved exited records and the
 * stamp of the kernel-side layout.  Not for anything an attacker picks.
 */
#ifndef NETATOP_FNV1A_H
#define NETATOP_FNV1A_H

#include <stddef.h>
#include <stdint.h>

#define NT_FNV1A_INIT 0xcbf29ce484222325ULL

/* h continued over len bytes of data (start with NT_FNV1A_INIT). */
uint64_t nt_fnv1a(uint64_t h, const void *data, size_t len);

#endif
