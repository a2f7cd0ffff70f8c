#!/bin/sh
# The test suite again, built with AddressSanitizer (leak checking on) and
# UndefinedBehaviorSanitizer: a copy of the source tree (tracked files and
# untracked ones git does not ignore; `make distdir` outside git) is
# configured with --enable-sanitizers in a temporary directory and its
# `make check` is run: unit, integration and robustness suites (the
# latter with NETATOP_STRESS_SECONDS=2 unless set: the hostile clients are
# where the daemon's error paths run).  They judge latency only by a
# reply blocked for 5 s; with ASan, next to the other quality checks on
# two cores, the worst one takes about 15 ms.  The VM suite is left out by
# Makefile.am when sanitizers are on.  The integration suites need root
# and BPF: without them they skip, or fail under CI=true.
#
# Every sanitizer report of every process is also written to a file (the
# daemons' stderr goes to logs the suites remove), and any report fails
# this script even if the suite that caused it passed.
#
# Environment:
#   NETATOP_SANITIZERS_DIR    build there (kept) instead of a removed temp dir
#   NETATOP_SANITIZERS_TESTS  the tests to run (make check TESTS=...), or
#                             "quick" for all but the robustness suites
#   NETATOP_STRESS_SECONDS    passed on to the robustness suites (default 2 here)
#   CC, CFLAGS                as usual (MAKEFLAGS is not passed on)
set -u

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

for tool in make gcc; do
	command -v "$tool" >/dev/null 2>&1 || q_skip "$tool not found"
done

keep=
if [ -n "${NETATOP_SANITIZERS_DIR:-}" ]; then
	work=$NETATOP_SANITIZERS_DIR
	keep=1
	rm -rf "$work"
	mkdir -p "$work" || q_fail "cannot create $work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/netatop-sanitizers.XXXXXX") || q_fail "mktemp failed"
	trap 'rm -rf "$work"' EXIT
	trap 'exit 1' INT TERM
fi
# the daemon drops to an unprivileged user and writes its reports here
chmod 755 "$work"
reports=$work/reports
mkdir -p "$reports" "$work/src" && chmod 1777 "$reports"

# gcc's sanitizer runtimes (libasan, libubsan) come with gcc on Debian
printf 'int main(void) { return 0; }\n' >"$work/probe.c"
${CC:-gcc} -fsanitize=address,undefined "$work/probe.c" -o "$work/probe" 2>/dev/null ||
	q_skip "${CC:-gcc} cannot link -fsanitize=address,undefined (libasan, libubsan)"

# ---------------------------------------------------------------- the copy
if command -v git >/dev/null 2>&1 && git -C "$top_srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "copying the work tree (git ls-files --cached --others --exclude-standard)"
	# leave out deleted files and stray binaries nobody ignored yet: the copy builds its own
	git -C "$top_srcdir" ls-files --cached --others --exclude-standard |
		while IFS= read -r f; do
			[ -f "$top_srcdir/$f" ] || continue
			[ "$(od -An -tx1 -N4 "$top_srcdir/$f" | tr -d ' ')" = 7f454c46 ] && continue
			printf '%s\n' "$f"
		done >"$work/files"
	tar -C "$top_srcdir" -cf - -T "$work/files" | tar -C "$work/src" -xf - ||
		q_fail "cannot copy the tree"
	command -v autoreconf >/dev/null 2>&1 || q_skip "autoreconf not found"
	(cd "$work/src" && autoreconf -fi) >"$work/autoreconf.log" 2>&1 || {
		cat "$work/autoreconf.log"
		q_fail "autoreconf failed in the copy"
	}
else
	echo "copying the distribution files (make distdir)"
	[ -f "$top_builddir/Makefile" ] || q_skip "not a git checkout and not configured: nothing to copy from"
	make -C "$top_builddir" distdir distdir="$work/src" >"$work/distdir.log" 2>&1 || {
		tail -n 30 "$work/distdir.log"
		q_fail "make distdir failed"
	}
fi

# ---------------------------------------------------------------- build and check
cd "$work/src" || q_fail "no copy"
echo "configure --enable-sanitizers"
./configure --enable-sanitizers >"$work/configure.log" 2>&1 || {
	tail -n 30 "$work/configure.log"
	q_fail "configure --enable-sanitizers failed"
}
grep -q 'sanitizers: *yes' "$work/configure.log" || q_fail "configure did not enable the sanitizers"

jobs=$(nproc 2>/dev/null || echo 2)
echo "make -j$jobs"
make -j"$jobs" >"$work/make.log" 2>&1 || {
	tail -n 40 "$work/make.log"
	q_fail "the sanitized build failed"
}
grep -q '^SANITIZER_CFLAGS = -fsanitize=address,undefined' Makefile || q_fail "the build does not use the sanitizers"

ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$reports/asan"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
export ASAN_OPTIONS UBSAN_OPTIONS
NETATOP_STRESS_SECONDS=${NETATOP_STRESS_SECONDS:-2}
export NETATOP_STRESS_SECONDS

make_var() {
	q_make_var "$work/src" "$1"
}
case ${NETATOP_SANITIZERS_TESTS:-} in
"") tests=$(make_var TESTS) ;;
quick)
	robust=" $(make_var ROBUSTNESS_TESTS) "
	tests=
	for t in $(make_var TESTS); do
		case $robust in *" $t "*) continue ;; esac
		tests="$tests $t"
	done
	;;
*) tests=$NETATOP_SANITIZERS_TESTS ;;
esac
tests=$(echo $tests)
[ -n "$tests" ] || q_fail "no tests to run"
echo "make check TESTS='$tests'"
echo "  ASAN_OPTIONS=$ASAN_OPTIONS"
echo "  UBSAN_OPTIONS=$UBSAN_OPTIONS"
make check TESTS="$tests" >"$work/check.log" 2>&1
check_status=$?

# ---------------------------------------------------------------- verdict
echo "---- make check (sanitized)"
grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR): |^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR): ' "$work/check.log"

status=0
why=
if [ "$check_status" -ne 0 ]; then
	status=1
	why="make check failed"
	echo "---- test-suite.log"
	head -n 400 test-suite.log 2>/dev/null
fi
# errors, from any process; warnings alone (ASan's "ignoring requested
# __asan_handle_no_return" after a clone() onto another stack) are shown only
nerr=0
for f in $(find "$reports" -type f | sort); do
	if grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$f"; then
		nerr=$((nerr + 1))
		echo "---- sanitizer report $f"
		head -n 80 "$f"
	else
		echo "---- sanitizer warning (not an error) $f: $(head -n 1 "$f")"
	fi
done
# and those written to stderr, in the suites' logs
for f in $(grep -l -r -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' tests --include='*.log' 2>/dev/null); do
	nerr=$((nerr + 1))
	echo "---- sanitizer error in $f:"
	grep -E -A 12 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$f" | head -n 40
done
if [ "$nerr" -gt 0 ]; then
	status=1
	why="${why:+$why; }$nerr sanitizer error report(s)"
fi
skipped=$(grep -c '^SKIP: ' "$work/check.log")
[ -n "$keep" ] && echo "build kept in $work"
[ "$status" -eq 0 ] || q_fail "$why"
q_pass "$(q_elapsed)s; $skipped suite(s) skipped"
