/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NETATOP_REPORT_H
#define NETATOP_REPORT_H

#include "options.h"

/* Print the support report; returns 0 when netatop can run here, 1 when not. */
int nt_check_main(const struct nt_options *o);

#endif
