// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "atopparse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- the version */

/* A number of at most 4 digits at *p, which moves past it; -1 when none. */
static int version_part(const char **p, unsigned int *out)
{
	unsigned int v = 0;
	int digits = 0;

	while (**p >= '0' && **p <= '9') {
		if (++digits > 4)
			return -1;
		v = v * 10 + (unsigned int)(**p - '0');
		(*p)++;
	}
	if (!digits)
		return -1;
	*out = v;
	return 0;
}

int nt_atop_version_parse(const char *text, struct nt_atop_version *v)
{
	/* atop's own word, capitalised: pcp-atop's "version:" is another program */
	const char *p = strstr(text, "Version:");
	struct nt_atop_version r = { 0, 0, 0 };

	if (!p)
		return -1;
	p += strlen("Version:");
	while (*p == ' ' || *p == '\t')
		p++;
	if (version_part(&p, &r.major) < 0 || *p++ != '.' || version_part(&p, &r.minor) < 0)
		return -1;
	/* "2.8.1", but also the "1.27-3" of old releases */
	if (*p == '.') {
		p++;
		if (version_part(&p, &r.patch) < 0)
			return -1;
	}
	*v = r;
	return 0;
}

int nt_atop_version_cmp(const struct nt_atop_version *a, const struct nt_atop_version *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}

enum nt_atop_talk nt_atop_talk(const struct nt_atop_version *v)
{
	/* netatopbpfif.c came with 2.10.0; connectnetatop (-K) with 2.11.1 */
	static const struct nt_atop_version bpf = { 2, 10, 0 }, flag_k = { 2, 11, 1 };

	if (nt_atop_version_cmp(v, &bpf) < 0)
		return NT_ATOP_TOO_OLD;
	if (nt_atop_version_cmp(v, &flag_k) < 0)
		return NT_ATOP_CONNECTS;
	return NT_ATOP_NEEDS_K;
}

/* ---------------------------------------------------------------- atop's flags */

/*
 * atop's options that take an argument, which may hide a 'K' or a 'w' in
 * it ("-P NET,PRC" or "-w /var/log/atop/atop_Kx"): those letters are
 * then not flags.  r and t take theirs only glued to them.
 */
static const char short_with_arg[] = "bePJLwz";
static const char short_glued_arg[] = "rt";
static const char *const long_with_arg[] = {
	"begintime", "endtime", "parsable", "json", "showenv", "linelen", "write", NULL,
};

static bool long_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(name, want, len) == 0;
}

void nt_atop_flags_scan(const char *const *argv, size_t argc, struct nt_atop_flags *f)
{
	size_t i, k;

	f->netatop = f->write = false;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *p, *eq;
		size_t len;

		if (strcmp(a, "--") == 0)
			return;
		if (a[0] != '-' || a[1] == '\0')
			continue;	/* interval, samples: getopt_long() goes on past them */
		if (a[1] == '-') {
			eq = strchr(a + 2, '=');
			len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
			if (long_is(a + 2, len, "netatop"))
				f->netatop = true;
			if (long_is(a + 2, len, "write"))
				f->write = true;
			for (k = 0; long_with_arg[k] && !eq; k++)
				if (long_is(a + 2, len, long_with_arg[k])) {
					i++;
					break;
				}
			continue;
		}
		for (p = a + 1; *p; p++) {
			if (*p == 'K')
				f->netatop = true;
			if (*p == 'w')
				f->write = true;
			if (strchr(short_with_arg, *p)) {
				if (p[1] == '\0')
					i++;
				break;
			}
			if (strchr(short_glued_arg, *p))
				break;
		}
	}
}

#define NT_ATOP_MAX_ARGS 128

bool nt_atop_argv0_is(const char *cmdline, size_t len, const char *name)
{
	const char *end = memchr(cmdline, '\0', len), *base;
	size_t n = end ? (size_t)(end - cmdline) : len, want = strlen(name);

	/* the service runs /usr/bin/atop, someone else just atop */
	for (base = cmdline + n; base > cmdline && base[-1] != '/'; base--)
		;
	return (size_t)(cmdline + n - base) == want && memcmp(base, name, want) == 0;
}

bool nt_atop_cmdline_scan(const char *buf, size_t len, struct nt_atop_flags *f)
{
	const char *argv[NT_ATOP_MAX_ARGS];
	char copy[4096];
	size_t n = 0, i = 0;

	f->netatop = f->write = false;
	if (len == 0 || !nt_atop_argv0_is(buf, len, "atop"))
		return false;
	/* a cmdline cut short has no final NUL: the copy always has one */
	if (len > sizeof(copy) - 1)
		len = sizeof(copy) - 1;
	memcpy(copy, buf, len);
	copy[len] = '\0';
	while (i < len && n < NT_ATOP_MAX_ARGS) {
		argv[n++] = copy + i;
		i += strlen(copy + i) + 1;
	}
	nt_atop_flags_scan(argv + 1, n - 1, f);
	return true;
}

void nt_atop_logopts_flags(const char *value, struct nt_atop_flags *f)
{
	const char *argv[NT_ATOP_MAX_ARGS];
	char copy[1024];
	char *save = NULL, *w;
	size_t n = 0;

	snprintf(copy, sizeof(copy), "%s", value);
	for (w = strtok_r(copy, " \t\n", &save); w && n < NT_ATOP_MAX_ARGS;
	     w = strtok_r(NULL, " \t\n", &save))
		argv[n++] = w;
	nt_atop_flags_scan(argv, n, f);
}

/* ---------------------------------------------------------------- LOGOPTS */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool line_end(char c)
{
	return c == '\0' || c == '\n';
}

/* Append c to out (len bytes, *n used), dropping what does not fit. */
static void put(char *out, size_t len, size_t *n, char c)
{
	if (*n + 1 < len)
		out[(*n)++] = c;
}

/*
 * The value after "LOGOPTS=" up to the end of its line: shell words with
 * their quotes and backslashes removed.  Further words are kept, joined
 * by one space, as systemd reads "LOGOPTS=-K -R"; a '#' that starts a
 * word after a blank starts a comment, as in the shell.  Returns where
 * the value ends.
 */
static const char *parse_value(const char *p, char *out, size_t len)
{
	size_t n = 0;

	if (is_blank(*p)) {
		while (is_blank(*p))
			p++;
		if (*p == '#')
			while (!line_end(*p))
				p++;
	}
	while (!line_end(*p)) {
		if (is_blank(*p)) {
			while (is_blank(*p))
				p++;
			if (line_end(*p) || *p == '#')
				break;
			put(out, len, &n, ' ');
		} else if (*p == '"') {
			for (p++; !line_end(*p) && *p != '"'; p++) {
				if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
					p++;
				put(out, len, &n, *p);
			}
			if (*p == '"')
				p++;
		} else if (*p == '\'') {
			for (p++; !line_end(*p) && *p != '\''; p++)
				put(out, len, &n, *p);
			if (*p == '\'')
				p++;
		} else if (*p == '\\' && !line_end(p[1])) {
			put(out, len, &n, p[1]);
			p += 2;
		} else {
			put(out, len, &n, *p++);
		}
	}
	if (len)
		out[n] = '\0';
	return p;
}

int nt_atop_logopts_parse(const char *text, char *value, size_t len)
{
	const char *p = text;
	int found = 0;

	while (*p) {
		while (is_blank(*p))
			p++;
		if (strncmp(p, "export", 6) == 0 && is_blank(p[6])) {
			p += 6;
			while (is_blank(*p))
				p++;
		}
		if (strncmp(p, "LOGOPTS", 7) == 0) {
			const char *q = p + 7;

			while (is_blank(*q))
				q++;
			if (*q == '=') {
				p = parse_value(q + 1, value, len);
				found = 1;
			}
		}
		/* the rest of the line: a comment, or another variable */
		while (!line_end(*p))
			p++;
		if (*p == '\n')
			p++;
	}
	return found;
}

int nt_atop_logopts_read(const char *path, char *value, size_t len)
{
	char text[65536];
	size_t n = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;

	if (fd < 0)
		return -1;
	while (n < sizeof(text) - 1 && (got = read(fd, text + n, sizeof(text) - 1 - n)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		n += (size_t)got;
	}
	close(fd);
	text[n] = '\0';
	return nt_atop_logopts_parse(text, value, len);
}
