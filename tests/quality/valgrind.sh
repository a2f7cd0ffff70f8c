#!/bin/sh
# Valgrind (memcheck) over
#  1. every unit test binary, with CK_FORK=no so that the tests run in the
#     process valgrind watches;
#  2. the daemon itself for two short sessions (root + BPF), with --no-drop
#     and then dropping its privileges as in production: it loads its BPF
#     programs under valgrind, counts loopback TCP and UDP traffic of
#     processes that then exit, and serves clients: netatop --list and
#     --list --json, a plain request, three requests in one write, a
#     client that leaves mid-reply and one that sends half a request; then
#     SIGTERM, and the leak check at exit;
#  3. the client commands under valgrind themselves: --help, --check,
#     --check --json, --list, --list --json against that daemon, and a
#     usage error.
# Any memcheck error or definite leak fails (--error-exitcode=1
# --errors-for-leak-kinds=definite).  Valgrind 3.19 knows bpf() only in
# part: it warns "unhandled eBPF command" for the commands it does not
# model (LINK_CREATE, PROG_BIND_MAP, ITER_CREATE: they return descriptors
# only) and reports libbpf's bpf_attr as partly uninitialised; those
# reports, inside libbpf, are suppressed by valgrind.supp (see there).
#
# Environment: NETATOP (the daemon, default $top_builddir/netatop),
# NETATOP_VALGRIND_JOBS (unit tests run in parallel, default nproc).
set -u

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null 2>&1 || q_skip "valgrind not found: apt-get install valgrind"
[ -f "$top_builddir/Makefile" ] || q_skip "the tree is not configured"
NETATOP=${NETATOP:-$top_builddir/netatop}
supp=$top_srcdir/tests/quality/valgrind.supp
vg="valgrind -q --vgdb=no --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 --suppressions=$supp"
jobs=${NETATOP_VALGRIND_JOBS:-$(nproc 2>/dev/null || echo 2)}

work=$(mktemp -d "${TMPDIR:-/tmp}/netatop-valgrind.XXXXXX") || q_fail "mktemp failed"
chmod 755 "$work"
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# ---------------------------------------------------------------- 1. unit tests
units=$(q_make_var "$top_builddir" UNIT_TESTS)
[ -n "$units" ] || q_fail "no UNIT_TESTS in $top_builddir/Makefile"
for t in $units; do
	[ -x "$top_builddir/$t" ] || q_fail "$t is not built: run make check first"
done
echo "unit tests under valgrind ($jobs at a time): $(echo $units | wc -w) binaries"
# shellcheck disable=SC2016 # expanded by the inner shell
printf '%s\n' $units | xargs -P "$jobs" -I{} sh -c '
	t=$1 log=$2/$(basename "$1").log
	start=$(date +%s)
	(cd "$3" && CK_FORK=no CK_VERBOSITY=minimal $4 "./$t") >"$log" 2>&1
	rc=$?
	echo "$rc $(($(date +%s) - start))" >"$log.rc"
' sh {} "$work" "$top_builddir" "$vg"
for t in $units; do
	log=$work/$(basename "$t").log
	# shellcheck disable=SC2046 # two words: status and seconds
	set -- $(cat "$log.rc" 2>/dev/null || echo "1 ?")
	# not Check's own summary line: CI counts those, and these suites ran in make check
	summary=$(grep -E '^[0-9]+%: Checks' "$log" | tail -n1 | sed 's/.*Checks: \([0-9]*\).*/\1 checks/')
	if [ "$1" -eq 0 ]; then
		echo "  ok   $t (${2}s, $summary)"
	else
		fail "$t under valgrind: exit status $1"
		sed 's/^/    /' "$log" | head -n 80
	fi
done

# ---------------------------------------------------------------- 3a. client commands without a daemon
run_client() {	# run_client NAME EXPECTED_STATUS ARGS...: the command under valgrind
	name=$1 want=$2
	shift 2
	$vg --log-file="$work/client-$name.vg" "$NETATOP" "$@" >"$work/client-$name.out" 2>&1
	got=$?
	if grep -q -E '^==[0-9]+== ' "$work/client-$name.vg"; then
		fail "netatop $* under valgrind:"
		sed 's/^/    /' "$work/client-$name.vg" | head -n 60
	elif [ "$got" -ne "$want" ]; then
		fail "netatop $*: exit status $got, want $want"
		sed 's/^/    /' "$work/client-$name.out" | head -n 20
	else
		echo "  ok   netatop $* (exit status $got)"
	fi
}
[ -x "$NETATOP" ] || q_fail "$NETATOP is not built"
echo "client commands under valgrind"
run_client help 0 --help
run_client usage 2 --no-such-option

# ---------------------------------------------------------------- 2. the daemon
# the client session, against the daemon under valgrind
cat >"$work/session.py" <<'EOF'
import os, socket, struct, sys, time
REC = struct.calcsize("iL16s8Q")	# struct netpertask, native layout
path = sys.argv[1]

def traffic(name):
    """A child that moves TCP and UDP bytes over loopback, then exits."""
    pid = os.fork()
    if pid == 0:
        try:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind(("127.0.0.1", 0))
            for _ in range(20):
                u.sendto(b"x" * 500, u.getsockname())
                u.recv(1000)
            l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
            c = socket.create_connection(l.getsockname()); a, _ = l.accept()
            c.sendall(b"y" * 10000)
            got = 0
            while got < 10000:
                got += len(a.recv(65536))
        finally:
            os._exit(0)
    os.waitpid(pid, 0)

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    return s

def replies(s, n):
    """Read n replies; return the number of records of each."""
    buf, out, count = b"", [], 0
    while len(out) < n:
        d = s.recv(1 << 20)
        if not d:
            raise SystemExit("EOF after %d of %d replies" % (len(out), n))
        buf += d
        while len(buf) >= REC:
            rec, buf = buf[:REC], buf[REC:]
            count += 1
            if struct.unpack_from("i", rec)[0] == 0:
                out.append(count)
                count = 0
    if buf:
        raise SystemExit("%d bytes beyond the replies" % len(buf))
    return out

for i in range(3):
    traffic("vg%d" % i)
s = connect(); s.sendall(b"\0" * REC); print("one request:", replies(s, 1)); s.close()
s = connect(); s.sendall(b"\0" * (3 * REC)); print("three in one write:", replies(s, 3)); s.close()
s = connect(); s.sendall(b"\0" * REC); s.recv(10); s.close(); print("left mid-reply")
s = connect(); s.sendall(b"\0" * (REC // 2)); time.sleep(0.2); s.close(); print("half a request")
s = connect(); s.sendall(b"\0" * (REC // 2)); time.sleep(0.2); s.sendall(b"\0" * (REC - REC // 2))
print("a request in two halves:", replies(s, 1)); s.shutdown(socket.SHUT_WR)
print("after our EOF:", s.recv(100) == b""); s.close()
traffic("vglast")
s = connect(); s.sendall(b"\0" * REC); print("after one more exit:", replies(s, 1)); s.close()
EOF

daemon_session() {	# daemon_session NAME OPTIONS...: start, serve clients, SIGTERM, check
	name=$1
	shift
	dir=$work/$name
	mkdir -p "$dir" && chmod 755 "$dir"
	# once it has dropped to nobody, it may remove its files
	chown nobody "$dir" 2>/dev/null
	sock=$dir/sock
	echo "the daemon under valgrind: netatop -f${*:+ $*} --socket $sock --pidfile $dir/pid"
	$vg --log-file="$dir/daemon.vg" "$NETATOP" -f "$@" --socket "$sock" --pidfile "$dir/pid" \
		>"$dir/daemon.log" 2>&1 &
	daemon_pid=$!
	i=0
	while [ ! -S "$sock" ] && [ $i -lt 600 ] && kill -0 "$daemon_pid" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -S "$sock" ]; then
		fail "the daemon under valgrind did not serve $sock within 60 s"
		cat "$dir/daemon.log" "$dir/daemon.vg"
		return
	fi
	echo "  serving after $((i / 10)) s"
	if command -v python3 >/dev/null 2>&1; then
		python3 "$work/session.py" "$sock" >"$dir/session.log" 2>&1
		st=$?
		sed 's/^/    /' "$dir/session.log"
		[ "$st" -eq 0 ] || fail "the client session against the daemon under valgrind failed"
	else
		echo "  note: no python3: only netatop --list talks to the daemon"
	fi
	run_client "$name-list" 0 --list -s "$sock"
	run_client "$name-list-json" 0 --list --json -s "$sock"
	kill -TERM "$daemon_pid"
	wait "$daemon_pid"
	st=$?
	daemon_pid=
	daemon_done=$((daemon_done + 1))
	echo "  the daemon exited with status $st after SIGTERM"
	if [ "$st" -ne 0 ] || grep -q -E '^==[0-9]+== [^ ]' "$dir/daemon.vg"; then
		fail "the daemon under valgrind (exit status $st):"
		grep -v 'WARNING: unhandled eBPF command' "$dir/daemon.vg" | head -n 100 | sed 's/^/    /'
		sed 's/^/    /' "$dir/daemon.log" | tail -n 20
	fi
	echo "  valgrind: $(grep -c 'unhandled eBPF command' "$dir/daemon.vg") warnings 'unhandled eBPF command'" \
		"($(grep -o 'unhandled eBPF command [0-9]*' "$dir/daemon.vg" | sort -u | sed 's/.* //' | tr '\n' ' '))"
}

daemon_done=0
if [ "$(id -u)" -ne 0 ] || [ ! -e /sys/kernel/btf/vmlinux ]; then
	[ "${CI:-}" = true ] && fail "the daemon part needs root and BTF (CI=true)"
	echo "note: not root or no BTF: the daemon is not run under valgrind"
else
	run_client check 0 --check
	run_client check-json 0 --check --json
	# as root with every capability, then as it runs in production: dropped to
	# an unprivileged user with CAP_BPF and CAP_PERFMON only
	daemon_session no-drop --no-drop
	daemon_session drop
fi

[ "$fails" -eq 0 ] || q_fail "$fails check(s) failed under valgrind"
q_pass "$(q_elapsed)s; $daemon_done daemon session(s)"
