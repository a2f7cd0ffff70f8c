#!/bin/sh
# netatop --metrics against a daemon of its own, read back with
# prometheus_client's parser (python3-prometheus-client): well-formed text
# format 0.0.4, counters with HELP and TYPE, the by-command and by-cgroup
# sums agree, each known process's command has exactly the counters
# `--list --json` shows and the traffic generator moved, label values with
# quotes, backslashes and newlines survive, --top-n bounds the series,
# --metrics-file replaces its file atomically (mode 0644, nothing left
# behind), --metrics-state keeps the sums from going down when the daemon
# forgets exited processes, and a daemon that does not answer gives
# netatop_up 0.
# Needs root and BTF (skips, or fails under CI=true).
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
. "$srcdir/tests/integration/daemon.sh"

require_root_bpf
[ -x "$PYTHON" ] || no_run "$PYTHON is not installed"
require_python prometheus_client

NETGEN=$builddir/tests/integration/netgen
MCHECK="$srcdir/tests/integration/metricscheck.py"
held=
gens=

cleanup() {
	[ -n "$held" ] && exec 3>&-
	# shellcheck disable=SC2086 # the generators' pids
	[ -n "$gens" ] && kill $gens 2>/dev/null && wait $gens 2>/dev/null
	daemon_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mc() { "$PYTHON" "$MCHECK" "$@"; }
check_mc() {
	what=$1
	shift
	if msg=$(mc "$@"); then ok "$what: $msg"; else bad "$what: $msg"; fi
}

# --keep-exited=0: the daemon forgets exited processes at once
daemon_start --keep-exited=0

# Known traffic from processes that stay alive, and so keep their counters,
# until fd 3 closes: netgen -k waits for a line on its standard input.
mkfifo "$NT_DIR/hold"
"$NETGEN" -k udp4 100 1000 <"$NT_DIR/hold" >"$NT_DIR/udp.out" 2>"$NT_DIR/netgen.err" &
gens="$gens $!"
"$NETGEN" -k tcp4 50 3000 <"$NT_DIR/hold" >"$NT_DIR/tcp.out" 2>>"$NT_DIR/netgen.err" &
gens="$gens $!"
# A command name that needs escaping: a quote, a backslash, a newline.
"$PYTHON" -c '
import ctypes, socket, sys
ctypes.CDLL(None).prctl(15, ctypes.c_char_p(b"q\"uo\\te\nnl"), 0, 0, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.sendto(b"x" * 123, s.getsockname())
s.recv(1000)
print("ready", flush=True)
sys.stdin.read()
' <"$NT_DIR/hold" >"$NT_DIR/weird.out" &
gens="$gens $!"
exec 3>"$NT_DIR/hold"
held=yes
done_moving() {
	[ "$(grep -c '^pid=' "$NT_DIR/udp.out")" -eq 2 ] && [ "$(grep -c '^pid=' "$NT_DIR/tcp.out")" -eq 2 ] &&
		grep -q ready "$NT_DIR/weird.out"
}
if ! wait_for 100 done_moving; then
	bad "the traffic generators did not finish: $(cat "$NT_DIR/netgen.err")"
	exit 1
fi
sed 's/^/netgen: /' "$NT_DIR/udp.out" "$NT_DIR/tcp.out"

"$NETATOP" --list --json --socket "$NT_SOCK" >"$NT_DIR/list.json"
"$NETATOP" --metrics --top-n 1000 --socket "$NT_SOCK" --pidfile "$NT_PIDFILE" >"$NT_DIR/all.prom"
rc=$?
check "--metrics exits 0 (got $rc)" [ $rc -eq 0 ]
check_mc "text format, parsed" structure "$NT_DIR/all.prom"
check_mc "values" compare "$NT_DIR/all.prom" "$NT_DIR/list.json" "$NT_DIR/udp.out" "$NT_DIR/tcp.out"
check_mc "escaped label" label "$NT_DIR/all.prom" 'q"uo\\te\nnl' udpsndbytes 123

"$NETATOP" --metrics --socket "$NT_SOCK" --pidfile "$NT_PIDFILE" --top-n 2 >"$NT_DIR/top2.prom"
check_mc "--top-n 2" structure "$NT_DIR/top2.prom" 2
"$NETATOP" --metrics --socket "$NT_SOCK" --pidfile "$NT_PIDFILE" >"$NT_DIR/default.prom"
check_mc "default --top-n 20" structure "$NT_DIR/default.prom" 20
echo "---- a sample (--top-n 2):"
grep -E '^(# (HELP|TYPE) )?netatop_(up|processes|udp_sent_bytes|cgroup_udp_sent_bytes)' "$NT_DIR/top2.prom"
echo "----"

# --metrics-file: the file is replaced, never half-written, readable by all
mkdir "$NT_DIR/textfile"
out=$NT_DIR/textfile/netatop.prom
echo "stale" >"$out"
"$NETATOP" --metrics --metrics-file "$out" --socket "$NT_SOCK" --pidfile "$NT_PIDFILE" --top-n 1000 \
	>"$NT_DIR/stdout"
rc=$?
check "--metrics-file exits 0 (got $rc)" [ $rc -eq 0 ]
check "--metrics-file prints nothing" [ ! -s "$NT_DIR/stdout" ]
check_mc "--metrics-file" structure "$out"
check "mode 0644 (got $(stat -c %a "$out"))" [ "$(stat -c %a "$out")" = 644 ]
check "only netatop.prom in its directory ($(ls -A "$NT_DIR/textfile" | tr '\n' ' '))" \
	[ "$(ls -A "$NT_DIR/textfile")" = netatop.prom ]
"$NETATOP" --metrics --metrics-file "$NT_DIR/textfile/missing/x.prom" --socket "$NT_SOCK" 2>"$NT_DIR/err"
rc=$?
check "a directory that is not there: exit 1 (got $rc)" [ $rc -eq 1 ]
check "with a reason: $(cat "$NT_DIR/err")" grep -q missing "$NT_DIR/err"

# No daemon: netatop_up 0, exit status 7 as --list
"$NETATOP" --metrics --socket "$NT_DIR/nobody-here" >"$NT_DIR/down.prom" 2>/dev/null
rc=$?
check "no daemon: exit 7 (got $rc)" [ $rc -eq 7 ]
check_mc "no daemon, stdout" down "$NT_DIR/down.prom"
"$NETATOP" --metrics --metrics-file "$out" --socket "$NT_DIR/nobody-here" 2>/dev/null
check_mc "no daemon, --metrics-file" down "$out"

# --metrics-state: the generators exit, the daemon forgets them, their
# commands' series stay as they were, and nothing goes down
state=$NT_DIR/metrics.state
"$NETATOP" --metrics --metrics-state "$state" --top-n 1000 --socket "$NT_SOCK" --pidfile "$NT_PIDFILE" \
	>"$NT_DIR/s1.prom"
exec 3>&-
held=
# shellcheck disable=SC2086
wait $gens
gens=
for run in 2 3; do
	"$NETATOP" --metrics --metrics-state "$state" --top-n 1000 --socket "$NT_SOCK" \
		--pidfile "$NT_PIDFILE" >"$NT_DIR/s$run.prom"
	sleep 0.2
done
"$NETATOP" --metrics --top-n 1000 --socket "$NT_SOCK" --pidfile "$NT_PIDFILE" >"$NT_DIR/nostate.prom"
check_mc "--metrics-state" structure "$NT_DIR/s3.prom"
check_mc "--metrics-state" monotonic "$NT_DIR/s1.prom" "$NT_DIR/s2.prom" "$NT_DIR/s3.prom"
check_mc "--metrics-state" same "$NT_DIR/s1.prom" "$NT_DIR/s3.prom" "$NT_DIR/udp.out" "$NT_DIR/tcp.out"
check_mc "without --metrics-state" absent "$NT_DIR/nostate.prom" "$NT_DIR/udp.out" "$NT_DIR/tcp.out"
check "the state file is there, 0644" [ "$(stat -c %a "$state")" = 644 ]

check "the daemon stops cleanly" daemon_stop
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
