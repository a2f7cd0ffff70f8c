# shellcheck shell=sh
# Shared by the quality scripts (sourced).  Each script ends with one line
# "<name>: PASS" or "<name>: FAIL ..." and exits 0 or 1; 77 (skip) only when
# a tool is really missing, and 99 instead under CI=true, so that a skipped
# check never looks green in CI.

q_name=${0##*/}
q_name=${q_name%.sh}

# Run from `make check-quality`, the make we start must not inherit its
# TESTS=... override nor its jobserver.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

# The source and build trees: set by make (AM_TESTS_ENVIRONMENT), else
# guessed from this file's place.
q_here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "${top_srcdir:-$q_here/../..}" && pwd)
top_builddir=$(cd "${top_builddir:-$top_srcdir}" && pwd)

q_skip() {
	if [ "${CI:-}" = true ]; then
		echo "$q_name: FAIL (CI=true, and $*)"
		exit 99
	fi
	echo "$q_name: SKIP ($*)"
	exit 77
}

q_pass() {
	echo "$q_name: PASS${1:+ ($*)}"
	exit 0
}

q_fail() {
	echo "$q_name: FAIL ($*; $(q_elapsed)s)"
	exit 1
}

q_need_root() {
	[ "$(id -u)" -eq 0 ] || q_skip "$1 needs root"
}

# seconds since the script started
q_t0=$(date +%s)
q_elapsed() {
	echo $(($(date +%s) - q_t0))
}

# q_make_var DIR VAR: the value of VAR in DIR/Makefile (GNU make)
q_make_var() {
	printf 'print-var-%%:\n\t@echo $($*)\n' |
		make -s --no-print-directory -C "$1" -f Makefile -f - "print-var-$2"
}
