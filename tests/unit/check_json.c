// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "run_suite.h"
#include "utf8.h"

/* What nt_json_string() writes for the first max bytes of s. */
static char *json(const char *s, size_t max)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	nt_json_string(f, s, max);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

#define JSON_EQ(in, max, want)                                          \
	do {                                                            \
		char *got_ = json(in, max);                             \
		ck_assert_str_eq(got_, want);                           \
		free(got_);                                             \
	} while (0)

/* A strict reading of RFC 8259's string: what any JSON parser accepts. */
static int valid_json_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;
	int i;

	if (*p++ != '"')
		return 0;
	while (*p != '"') {
		if (*p == '\0' || *p < 0x20)
			return 0;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (i = 1; i <= 4; i++)
					if (!p[i] || !strchr("0123456789abcdefABCDEF", p[i]))
						return 0;
				p += 5;
			} else if (*p && strchr("\"\\/bfnrt", *p)) {
				p++;
			} else {
				return 0;
			}
			continue;
		}
		k = nt_utf8_len(p, strlen((const char *)p));
		if (k == 0)
			return 0;
		p += k;
	}
	return p[1] == '\0';
}

START_TEST(test_plain)
{
	JSON_EQ("", 16, "\"\"");
	JSON_EQ("netatop", 16, "\"netatop\"");
	JSON_EQ("a b/c~", 16, "\"a b/c~\"");
	JSON_EQ("\"\\", 16, "\"\\\"\\\\\"");
}
END_TEST

/* Control bytes and DEL as \u00XX: none of them may appear raw. */
START_TEST(test_control_bytes)
{
	char in[2] = { 0, 0 }, want[16];
	int c;

	for (c = 1; c < 0x20; c++) {
		in[0] = (char)c;
		snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		JSON_EQ(in, 16, want);
	}
	JSON_EQ("\x7f", 16, "\"\\u007f\"");
	JSON_EQ("\t\r\n", 16, "\"\\u0009\\u000d\\u000a\"");
}
END_TEST

/* Valid UTF-8, from two to four bytes and at the edges of its ranges, stays. */
START_TEST(test_valid_utf8)
{
	static const char *const ok[] = {
		"\xc2\x80", "\xc3\xa9t\xc3\xa9", "\xdf\xbf", "\xe0\xa0\x80", "\xe2\x82\xac",
		"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
		"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xe6\x97\xa5\xe6\x9c\xac",
	};
	char want[64];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(want, sizeof(want), "\"%s\"", ok[i]);
		JSON_EQ(ok[i], 64, want);
	}
}
END_TEST

/* Each byte of invalid UTF-8 on its own, as the code point of its value. */
START_TEST(test_invalid_utf8)
{
	JSON_EQ("\x80", 16, "\"\\u0080\"");			/* stray continuation */
	JSON_EQ("\xff\xfe", 16, "\"\\u00ff\\u00fe\"");
	JSON_EQ("\xc0\xaf", 16, "\"\\u00c0\\u00af\"");		/* overlong '/' */
	JSON_EQ("\xc1\xbf", 16, "\"\\u00c1\\u00bf\"");
	JSON_EQ("\xe0\x80\xaf", 16, "\"\\u00e0\\u0080\\u00af\"");	/* overlong, 3 bytes */
	JSON_EQ("\xf0\x80\x80\xaf", 16, "\"\\u00f0\\u0080\\u0080\\u00af\"");
	JSON_EQ("\xed\xa0\x80", 16, "\"\\u00ed\\u00a0\\u0080\"");	/* surrogate U+D800 */
	JSON_EQ("\xf4\x90\x80\x80", 16, "\"\\u00f4\\u0090\\u0080\\u0080\"");	/* > U+10FFFF */
	JSON_EQ("\xf5\x80\x80\x80", 16, "\"\\u00f5\\u0080\\u0080\\u0080\"");
	/* a lead byte whose character is cut short, then ASCII */
	JSON_EQ("\xc3z", 16, "\"\\u00c3z\"");
	JSON_EQ("\xe2\x82z", 16, "\"\\u00e2\\u0082z\"");
	/* valid and invalid side by side */
	JSON_EQ("\xc3\xa9\xe9\xc3\xa9", 16, "\"\xc3\xa9\\u00e9\xc3\xa9\"");
}
END_TEST

/* max bounds the bytes read, even inside a character: a comm has no NUL when it is full. */
START_TEST(test_max)
{
	char full[16];

	memset(full, 'A', sizeof(full));
	JSON_EQ(full, 15, "\"AAAAAAAAAAAAAAA\"");
	JSON_EQ("abc", 0, "\"\"");
	JSON_EQ("abc", 2, "\"ab\"");
	JSON_EQ("ab\0cd", 16, "\"ab\"");
	/* the comm cut 15 bytes in, in the middle of a character */
	JSON_EQ("abcdefghijklm\xe2\x82\xac", 15, "\"abcdefghijklm\\u00e2\\u0082\"");
	JSON_EQ("\xe2\x82\xac", 3, "\"\xe2\x82\xac\"");
	JSON_EQ("\xe2\x82\xac", 2, "\"\\u00e2\\u0082\"");
}
END_TEST

/* Every string of up to two bytes, and many longer ones: the output is always valid JSON. */
START_TEST(test_always_valid)
{
	char in[8], *out;
	unsigned int a, b, i, seed = 1;
	size_t k;

	for (a = 1; a < 256; a++) {
		for (b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			in[2] = '\0';
			out = json(in, sizeof(in));
			ck_assert_msg(valid_json_string(out), "0x%02x 0x%02x: %s", a, b, out);
			free(out);
		}
	}
	for (i = 0; i < 200000; i++) {
		for (k = 0; k < sizeof(in) - 1; k++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly high bytes: where UTF-8 can go wrong */
			in[k] = (char)(((seed >> 16) & 0x7f) | ((seed >> 8) & 0x80) | 1);
		}
		in[sizeof(in) - 1] = '\0';
		out = json(in, sizeof(in));
		ck_assert_msg(valid_json_string(out), "input %u: %s", i, out);
		free(out);
	}
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("string");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_control_bytes);
	tcase_add_test(tc, test_valid_utf8);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_max);
	tcase_add_test(tc, test_always_valid);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(json_suite());
}
