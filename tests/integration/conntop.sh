#!/bin/sh
# netatop --top's connection view in a real terminal (tmux), 80 columns:
# typing a process's pid and Enter shows its connections (each of its
# sockets, by local address and port), s and r order them by send and
# receive rate and p by local port, a connection closed between two
# samples is shown once, marked CLOSED, Esc goes back to the processes,
# every line fits the width, q quits.
# Needs root and BTF (skips, or fails under CI=true), tmux and python3.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$srcdir/tests/integration/daemon.sh"

require_root_bpf
command -v tmux >/dev/null 2>&1 || no_run "tmux is not installed (apt-get install tmux)"
[ -x "$PYTHON" ] || no_run "$PYTHON is not installed"

CHECK="$srcdir/tests/integration/conncheck.py"
TM="tmux -L netatop-conntop-test-$$ -f /dev/null"
WIDTH=80
worker=

cleanup() {
	$TM kill-server 2>/dev/null
	[ -n "$worker" ] && kill "$worker" 2>/dev/null && wait "$worker" 2>/dev/null
	daemon_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM

capture() { $TM capture-pane -p -t top >"$NT_DIR/screen.txt"; }
# settle COMMAND...: capture until COMMAND (on the screen) holds, at most ~15 s
settle() {
	i=0
	while [ $i -lt 60 ]; do
		capture
		"$@" && return 0
		sleep 0.25
		i=$((i + 1))
	done
	return 1
}
on_screen() { grep -q -- "$1" "$NT_DIR/screen.txt"; }
# the local ports of the connection rows, top to bottom
row_ports() {
	awk 'seen && $1 ~ /^(tcp|udp)/ { n = split($2, a, ":"); print a[n] } /^PROT / { seen = 1 }' \
		"$NT_DIR/screen.txt"
}
first_port() { row_ports | head -n 1; }
fits() { awk -v w="$WIDTH" 'length($0) > w { exit 1 }' "$NT_DIR/screen.txt"; }
sorted_by_port() { row_ports | sort -n -c 2>/dev/null; }

daemon_start
mkfifo "$NT_DIR/worker.in"
"$PYTHON" "$CHECK" worker <"$NT_DIR/worker.in" >"$NT_DIR/worker.out" &
worker=$!
exec 4>"$NT_DIR/worker.in"
echo setup >&4
wait_for 100 test -s "$NT_DIR/worker.out" || { bad "the worker did not start"; exit 1; }
eval "$("$PYTHON" -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
print("pid=%d" % d["pid"])
e = d["expect"]
print("c4=%d a4=%d c6=%d a6=%d" % (e[0][1], e[1][1], e[2][1], e[3][1]))
print("ports=\"%s\"" % " ".join(str(x[1]) for x in e))' "$NT_DIR/worker.out")"
echo flow >&4

$TM new-session -d -s top -x "$WIDTH" -y 40 \
	"$NETATOP --top -d 1 --socket $NT_SOCK --pidfile $NT_PIDFILE; echo \$? >$NT_DIR/top.status"
$TM set-option -t top remain-on-exit on >/dev/null
settle on_screen "^ *$pid "
check "the worker is in the process view" on_screen "^ *$pid "
$TM send-keys -t top "$pid"
$TM send-keys -t top Enter
settle on_screen "pid $pid "
check "Enter on a typed pid shows its connections" on_screen "pid $pid "
missing=
for p in $ports; do
	settle on_screen ":$p " || missing="$missing $p"
done
check "every socket of the process has a line (missing:${missing:- none})" [ -z "$missing" ]
# a whole interval with the flow: its rates
sleep 2.5
$TM send-keys -t top s
settle sh -c "[ \"\$(awk 'seen && \$1 ~ /^(tcp|udp)/ { n = split(\$2, a, \":\"); print a[n]; exit } /^PROT / { seen = 1 }' '$NT_DIR/screen.txt')\" = $c4 ]"
echo "---- the connection view at $WIDTH columns (tmux capture-pane), sorted by send rate:"
cat "$NT_DIR/screen.txt"
echo "----"
check "s: the fastest sender first (port $c4, got $(first_port))" [ "$(first_port)" = "$c4" ]
$TM send-keys -t top r
settle sh -c "[ \"\$(awk 'seen && \$1 ~ /^(tcp|udp)/ { n = split(\$2, a, \":\"); print a[n]; exit } /^PROT / { seen = 1 }' '$NT_DIR/screen.txt')\" = $a4 ]"
check "r: the fastest receiver first (port $a4, got $(first_port))" [ "$(first_port)" = "$a4" ]
$TM send-keys -t top p
settle sorted_by_port
check "p: by local port" sorted_by_port
check "the connection view fits $WIDTH columns" fits

echo close >&4
settle on_screen "CLOSED"
check "a closed connection is shown, marked CLOSED" on_screen ":$c4 .*CLOSED"
check "both of its ends" on_screen ":$a4 .*CLOSED"
echo "---- with the closed connection:"
cat "$NT_DIR/screen.txt"
echo "----"
settle sh -c "! grep -q CLOSED '$NT_DIR/screen.txt'"
check "and only once: gone at the next sample" sh -c "! grep -q CLOSED '$NT_DIR/screen.txt'"
check "the others stay" on_screen ":$c6 "

$TM send-keys -t top Escape
settle on_screen "^ *PID USER"
check "Esc goes back to the processes" on_screen "^ *PID USER"
check "the process view fits $WIDTH columns" fits
$TM send-keys -t top q
wait_for 30 test -s "$NT_DIR/top.status"
check "q quits, with status 0 (got $(cat "$NT_DIR/top.status" 2>/dev/null))" \
	[ "$(cat "$NT_DIR/top.status" 2>/dev/null)" = 0 ]

echo exit >&4
exec 4>&-
wait "$worker"
worker=
check "the daemon stops cleanly" daemon_stop
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
