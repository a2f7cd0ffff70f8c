// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "labels.h"
#include "utf8.h"

#include <string.h>

void nt_metrics_label(char *out, size_t len, const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in), i = 0, o = 0, k;

	if (len == 0)
		return;
	while (i < n && o + 1 < len) {
		k = nt_utf8_len(s + i, n - i);
		if (k == 0 || (k == 1 && ((s[i] < 0x20 && s[i] != '\n') || s[i] == 0x7f))) {
			out[o++] = '?';
			i++;
			continue;
		}
		if (o + k >= len)
			break;	/* never half a character */
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	if (o == 0 && len > 1)
		out[o++] = '?';
	out[o] = '\0';
}

size_t nt_metrics_escape(char *out, size_t len, const char *in)
{
	size_t need = 0, o = 0;
	const char *p;

	for (p = in; *p; p++) {
		char esc = *p == '\\' ? '\\' : *p == '"' ? '"' : *p == '\n' ? 'n' : 0;
		size_t w = esc ? 2 : 1;

		need += w;
		if (len && o + w < len) {
			if (esc) {
				out[o++] = '\\';
				out[o++] = esc;
			} else {
				out[o++] = *p;
			}
		} else if (len) {
			len = o + 1;	/* cut here: nothing more goes in */
		}
	}
	if (len)
		out[o] = '\0';
	return need;
}
