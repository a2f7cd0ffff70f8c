#!/bin/sh
# Static analysis of src/*.c with the build's include flags:
#  - gcc -fanalyzer (required): every -Wanalyzer-* warning;
#  - clang --analyze as well: its default checkers but deadcode (style,
#    not defects).  Left out with a note when clang is missing, unless
#    NETATOP_ANALYZER_CLANG=1 or CI=true ask for it; NETATOP_ANALYZER_CLANG=0
#    leaves it out (it takes about four times gcc's time).
# A finding fails unless tests/quality/analyzer.allow lists it, with the
# reason it is a false positive; findings are matched on tool, file,
# checker and message, not on line numbers, so edits elsewhere in a file
# do not matter.  Allowlisted findings that no longer occur are shown, to
# be removed from the list.  First each analyzer must catch a known bug in
# a small sample: an analyzer that finds nothing because it does not run
# must not pass.
#
# Needs the configured build tree: config.h and the generated
# bpf/netatop.skel.h (`make` creates it).
# Environment: NETATOP_ANALYZER_CLANG=0 to leave clang out, =1 to require it.
set -u

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

LC_ALL=C	# plain quotes in the diagnostics, as analyzer.allow has them
export LC_ALL
gcc=${GCC_ANALYZER:-gcc}
command -v "$gcc" >/dev/null 2>&1 || q_skip "$gcc not found"
[ -f "$top_builddir/config.h" ] || q_skip "the tree is not configured (no config.h)"
[ -f "$top_builddir/bpf/netatop.skel.h" ] || q_fail "no bpf/netatop.skel.h: run make first"
allow=$top_srcdir/tests/quality/analyzer.allow
jobs=$(nproc 2>/dev/null || echo 2)

work=$(mktemp -d "${TMPDIR:-/tmp}/netatop-analyzer.XXXXXX") || q_fail "mktemp failed"
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

pkgflags=
for pkg in libbpf ncursesw; do
	pkgflags="$pkgflags $(pkg-config --cflags "$pkg" 2>/dev/null)"
done
incs="-I$top_builddir $(for d in "$top_srcdir"/src/*/; do printf -- "-I%s " "${d%/}"; done)-I$top_srcdir/bpf -I$top_builddir/bpf $pkgflags"

# ---------------------------------------------------------------- do the analyzers work?
cat >"$work/sample.c" <<'EOF'
#include <stdlib.h>
int sample(int n);
int sample(int n)
{
	char *p = malloc(16);

	if (!p)
		return -1;
	free(p);
	if (n > 0)
		free(p);	/* double free */
	return 0;
}
EOF
"$gcc" -fanalyzer -fdiagnostics-plain-output -c "$work/sample.c" -o /dev/null >"$work/sample.gcc" 2>&1
grep -q 'Wanalyzer-double-free' "$work/sample.gcc" || {
	cat "$work/sample.gcc"
	q_skip "$gcc -fanalyzer does not work here (gcc 10 or later needed)"
}
use_clang=
want_clang=${NETATOP_ANALYZER_CLANG:-}
if [ "$want_clang" != 0 ] && ! command -v clang >/dev/null 2>&1; then
	# required when asked for, and in CI, where the fuzzers need clang anyway
	[ "$want_clang" = 1 ] || [ "${CI:-}" = true ] && q_skip "clang not found: apt-get install clang"
	echo "note: clang not found: clang --analyze left out"
	want_clang=0
fi
if [ "$want_clang" != 0 ]; then
	clang --analyze -Xanalyzer -analyzer-output=text "$work/sample.c" -o /dev/null >"$work/sample.clang" 2>&1
	if grep -q 'unix.Malloc' "$work/sample.clang"; then
		use_clang=1
	else
		cat "$work/sample.clang"
		q_skip "clang --analyze does not catch the sample bug"
	fi
fi

# ---------------------------------------------------------------- analyze
srcs=$(cd "$top_srcdir" && ls src/*.c src/*/*.c)
[ -n "$srcs" ] || q_fail "no src/*.c src/*/*.c"
echo "analyzing $(echo $srcs | wc -w) files with $gcc -fanalyzer${use_clang:+ and clang --analyze} ($jobs at a time)"

# shellcheck disable=SC2016 # expanded by the inner shell
printf '%s\n' $srcs | xargs -P "$jobs" -I{} sh -c '
	f=$1 work=$2 gcc=$3 incs=$4 use_clang=$5 out=$2/$(basename "$1" .c)
	# shellcheck disable=SC2086
	"$gcc" -std=gnu11 -g -O2 -fanalyzer -fdiagnostics-plain-output $incs \
		-c "$f" -o /dev/null >"$out.gcc" 2>&1
	echo $? >"$out.gcc.rc"
	if [ -n "$use_clang" ]; then
		# shellcheck disable=SC2086
		clang --analyze -Xanalyzer -analyzer-output=text \
			-Xanalyzer -analyzer-disable-checker=deadcode $incs \
			"$f" -o /dev/null >"$out.clang" 2>&1
		echo $? >"$out.clang.rc"
	fi
' sh {} "$work" "$gcc" "$incs" "$use_clang"

# findings as "tool|file|checker|message", paths relative to the trees
: >"$work/findings"
broken=
for f in $srcs; do
	out=$work/$(basename "$f" .c)
	if [ "$(cat "$out.gcc.rc")" -ne 0 ]; then
		echo "---- $gcc cannot compile $f:"
		head -n 30 "$out.gcc"
		broken="$broken $f"
	fi
	sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning: \(.*\) \[\(-Wanalyzer-[a-z0-9-]*\)\]$/gcc|\1|\3|\2/p' "$out.gcc" \
		>>"$work/findings"
	if [ -n "$use_clang" ]; then
		if [ "$(cat "$out.clang.rc")" -ne 0 ]; then
			echo "---- clang --analyze cannot compile $f:"
			head -n 30 "$out.clang"
			broken="$broken $f"
		fi
		sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning: \(.*\) \[\([a-zA-Z]*\.[a-zA-Z.]*\)\]$/clang|\1|\3|\2/p' \
			"$out.clang" >>"$work/findings"
	fi
done
sed -i -e "s#|$top_builddir/#|#" -e "s#|$top_srcdir/#|#" "$work/findings"
sort -u "$work/findings" -o "$work/findings"

# the allowlist without its comments
grep -v -e '^#' -e '^[[:space:]]*$' "$allow" 2>/dev/null | sort -u >"$work/allowed"

new=0
while IFS= read -r k; do
	[ -n "$k" ] || continue
	if grep -qxF "$k" "$work/allowed"; then
		echo "known false positive (analyzer.allow): $k"
	else
		new=$((new + 1))
		echo "NEW: $k"
		# the whole diagnostic, with its path of events
		tool=${k%%|*}
		msg=${k##*|}
		for o in "$work"/*."$tool"; do
			if grep -q -F -- "$msg" "$o"; then
				grep -F -A 30 -- "$msg" "$o" | head -n 40 | sed 's/^/    /'
				break
			fi
		done
	fi
done <"$work/findings"
while IFS= read -r k; do
	[ "${k%%|*}" = clang ] && [ -z "$use_clang" ] && continue
	grep -qxF "$k" "$work/findings" || echo "note: no longer found, remove from analyzer.allow: $k"
done <"$work/allowed"

total=$(grep -c . "$work/findings")
[ -z "$broken" ] || q_fail "could not analyze:$broken"
[ "$new" -eq 0 ] || q_fail "$new new finding(s): fix them, or list them in tests/quality/analyzer.allow with the reason"
q_pass "$(q_elapsed)s; $(echo $srcs | wc -w) files; $total finding(s), all known false positives"
