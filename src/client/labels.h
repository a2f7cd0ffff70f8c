/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The label values of --metrics, in the exposition text and in the state
 * file alike: made from command names and cgroup paths, and escaped.
 */
#ifndef NETATOP_LABELS_H
#define NETATOP_LABELS_H

#include <stddef.h>

#include "procinfo.h"

/* What a label can hold: a cgroup path, every byte escaped. */
#define NT_LABEL_MAX		(2 * NT_CGROUP_MAX + 8)

/*
 * A label value from a command name or a cgroup path: valid UTF-8 stays,
 * each byte that is not part of valid UTF-8 and each control character
 * but newline becomes '?'; an empty name becomes "?".
 */
void nt_metrics_label(char *out, size_t len, const char *in);

/*
 * Escape a label value for the exposition format: backslash, double
 * quote and newline become \\, \" and \n.  Returns the length it needed
 * (as snprintf); out is cut, still a C string, when it is too short.
 */
size_t nt_metrics_escape(char *out, size_t len, const char *in);

#endif
