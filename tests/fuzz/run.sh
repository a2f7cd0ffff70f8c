#!/bin/sh
# Build the libFuzzer harnesses and run each for a fixed number of inputs,
# starting from the seed corpus in tests/fuzz/corpus/<harness>/ (every seed
# is replayed first, so a seed that once failed is a regression test).
#
#   fuzz_clients  request framing, exited-record retention, reply assembly
#                 and references, the pid file status and /proc/stat btime
#   fuzz_server   the epoll server loop through real sockets, with a fake
#                 counter source
#
# The harnesses are compiled with clang -fsanitize=fuzzer,address,undefined
# and linked with an archive of the daemon's and the common code, compiled
# straight from the source tree with coverage (not libdaemon.a and
# libcommon.a, built by gcc without it): the linker takes from it what each
# harness calls.  The list of those sources is Makefile.am's, passed by make
# in NETATOP_FUZZ_SOURCES (or read from the configured tree's Makefile; its
# headers are left out here), so a file added to either library is fuzzed
# with it.
#
# Environment:
#   NETATOP_FUZZ_RUNS_CLIENTS  inputs for fuzz_clients (default 200000)
#   NETATOP_FUZZ_RUNS_SERVER   inputs for fuzz_server (default 2000)
#   NETATOP_FUZZ_SECONDS       at most this long per harness (default 150)
#   NETATOP_FUZZ_SEED          libFuzzer's -seed (default: random, logged)
#   NETATOP_FUZZ_CORPUS_OUT    keep the inputs found in this directory
#   CLANG                      the compiler (default clang)
#   AR                         the archiver (default ar)
#
# A failure prints the input that failed (and keeps it under
# tests/fuzz/build/<harness>.artifacts/): replay it with
#   tests/fuzz/build/<harness> FILE
set -u

# shellcheck source-path=SCRIPTDIR source=../quality/lib.sh
. "$(dirname "$0")/../quality/lib.sh"
# shellcheck disable=SC2034 # used by lib.sh
q_name=fuzz

runs_clients=${NETATOP_FUZZ_RUNS_CLIENTS:-200000}
runs_server=${NETATOP_FUZZ_RUNS_SERVER:-2000}
seconds=${NETATOP_FUZZ_SECONDS:-150}
cc=${CLANG:-clang}
ar=${AR:-ar}
out=$top_builddir/tests/fuzz/build
fuzzdir=$top_srcdir/tests/fuzz
files=${NETATOP_FUZZ_SOURCES:-}
if [ -z "$files" ] && [ -f "$top_builddir/Makefile" ]; then
	files=$(q_make_var "$top_builddir" FUZZ_LIBRARY_FILES)
fi
sources=
for f in $files; do
	case $f in
	*.c) sources="$sources $f" ;;
	esac
done
[ -n "$sources" ] || q_fail "no list of sources to fuzz: run 'make fuzz', or configure the tree first"

command -v "$cc" >/dev/null 2>&1 || q_skip "$cc not found: apt-get install clang libclang-rt-14-dev"
rm -rf "$out"
mkdir -p "$out/obj" "$out/obj-failing" "$out/probe" || q_fail "cannot create $out"

# libFuzzer's runtime: in Debian's libclang-rt-14-dev (clang's dependency).
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	>"$out/probe/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$out/probe/probe.c" -o "$out/probe/probe" >"$out/probe/log" 2>&1; then
	cat "$out/probe/log"
	q_skip "$cc cannot build with -fsanitize=fuzzer,address,undefined: apt-get install libclang-rt-14-dev"
fi

# config.h of the build tree if configured, else the little the sources need
if [ -f "$top_builddir/config.h" ]; then
	cfg_inc=$top_builddir
else
	mkdir -p "$out/config"
	printf '#define _GNU_SOURCE 1\n#define NETATOP_SOCKET "/run/netatop-bpf-socket"\n' >"$out/config/config.h"
	cfg_inc=$out/config
fi

# every part's headers, as the analyzer has them: run.c sees the loader's
incs="-I$cfg_inc $(for d in "$top_srcdir"/src/*/; do printf -- "-I%s " "${d%/}"; done)-I$top_srcdir/bpf -I$fuzzdir"
cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
	-Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes $incs"

# Each source once as it is, and once more with its malloc() failing on
# demand (-Dmalloc=nt_fuzz_malloc) for the harnesses that ask for it.
compile() {	# compile OBJDIR EXTRA-FLAGS
	for f in $sources; do
		# shellcheck disable=SC2086 # flags are words
		$cc $cflags $2 -fsanitize=fuzzer-no-link -c "$top_srcdir/$f" \
			-o "$1/$(basename "$f" .c).o" || return 1
	done
}
echo "compiling $(echo $sources | wc -w) sources of Makefile.am's libraries"
compile "$out/obj" "" || q_fail "cannot compile the sources"
compile "$out/obj-failing" -Dmalloc=nt_fuzz_malloc || q_fail "cannot compile the sources"

build() {	# build HARNESS "sources (base names) whose malloc fails on demand"
	h=$1 failing=$2 objs=
	echo "building $h"
	for o in "$out/obj"/*.o; do
		n=$(basename "$o" .o)
		case " $failing " in
		*" $n "*) objs="$objs $out/obj-failing/$n.o" ;;
		*) objs="$objs $o" ;;
		esac
	done
	rm -f "$out/$h.a"
	# shellcheck disable=SC2086
	$ar rcs "$out/$h.a" $objs || return 1
	# shellcheck disable=SC2086
	$cc $cflags -fsanitize=fuzzer -c "$fuzzdir/$h.c" -o "$out/$h.o" || return 1
	# shellcheck disable=SC2086
	$cc $cflags -fsanitize=fuzzer -pthread "$out/$h.o" "$out/$h.a" -o "$out/$h" || return 1
}

build fuzz_clients "exited reply" || q_fail "cannot build fuzz_clients"
# the harness has its own nt_log(): it checks what the server logs
build fuzz_server "reply" || q_fail "cannot build fuzz_server"

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"

fuzz() {	# fuzz HARNESS RUNS MAX_LEN: runs in the background, status in HARNESS.rc
	h=$1 runs=$2 maxlen=$3
	work=$out/$h.corpus
	mkdir -p "$work" "$out/$h.artifacts"
	set -- -runs="$runs" -max_len="$maxlen" -max_total_time="$seconds" -timeout=60 \
		-rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$out/$h.artifacts/"
	[ -n "${NETATOP_FUZZ_SEED:-}" ] && set -- "$@" -seed="$NETATOP_FUZZ_SEED"
	# new inputs go to the first directory: never into the source tree
	("$out/$h" "$@" "$work" "$fuzzdir/corpus/$h" >"$out/$h.log" 2>&1; echo $? >"$out/$h.rc") &
}

report() {	# report HARNESS: summary, or the failure; returns its status
	h=$1
	rc=$(cat "$out/$h.rc" 2>/dev/null || echo 1)
	seed=$(sed -n 's/^INFO: Seed: //p' "$out/$h.log" | head -n1)
	done_line=$(grep -E '^Done [0-9]+ runs' "$out/$h.log" | tail -n1)
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$out/$h.log" | tail -n1)
	if [ "$rc" -eq 0 ] && [ -n "$done_line" ]; then
		echo "$h: $done_line (seed $seed; $cov; $(ls "$fuzzdir/corpus/$h" | wc -l) seeds)"
		if [ -n "${NETATOP_FUZZ_CORPUS_OUT:-}" ]; then
			mkdir -p "$NETATOP_FUZZ_CORPUS_OUT/$h" && cp "$out/$h.corpus"/* "$NETATOP_FUZZ_CORPUS_OUT/$h/" 2>/dev/null
		fi
		return 0
	fi
	echo "$h: FAILED (exit status $rc, seed $seed); the end of its log:"
	grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)' "$out/$h.log" | tail -n 60
	for a in "$out/$h.artifacts"/*; do
		[ -f "$a" ] || continue
		echo "failing input: $a (replay: $out/$h $a)"
		echo "  base64: $(base64 -w0 "$a")"
	done
	return 1
}

echo "fuzzing: fuzz_clients $runs_clients inputs, fuzz_server $runs_server inputs, at most ${seconds}s each"
fuzz fuzz_clients "$runs_clients" 4096
fuzz fuzz_server "$runs_server" 1024
wait

status=0
report fuzz_clients || status=1
report fuzz_server || status=1
[ "$status" -eq 0 ] || q_fail "an invariant failed or a sanitizer fired, see above"
q_pass "$(q_elapsed)s"
