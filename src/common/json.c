// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "json.h"
#include "utf8.h"

#include <string.h>

void nt_json_string(FILE *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, max), i = 0, k;

	fputc('"', out);
	while (i < n) {
		k = nt_utf8_len(p + i, n - i);
		if (k > 1) {
			fwrite(p + i, 1, k, out);
			i += k;
			continue;
		}
		if (p[i] == '"' || p[i] == '\\')
			fprintf(out, "\\%c", p[i]);
		else if (k == 0 || p[i] < 0x20 || p[i] == 0x7f)
			fprintf(out, "\\u%04x", p[i]);
		else
			fputc(p[i], out);
		i++;
	}
	fputc('"', out);
}
