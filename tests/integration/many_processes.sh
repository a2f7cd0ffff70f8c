#!/bin/sh
# Replies with more live processes than the fast process walk holds
# (16,384 records): every process must still be in the reply, exactly,
# the daemon says once that it falls back to the task iterator, and when
# the count drops below the limit again the walk serves the replies.
# 17,000 cheap processes (bench/nb_spawn) each send one 1-byte datagram;
# bench/nb_client checks every pid is in the reply with exactly that.
# Needs root and BTF (skips, or fails under CI=true).
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
. "$srcdir/tests/integration/daemon.sh"

require_root_bpf

SPAWN=$builddir/bench/nb_spawn
CLIENT=$builddir/bench/nb_client
WALK_SLOTS=16384
MANY=17000
FEW=2000

for p in "$SPAWN" "$CLIENT"; do
	[ -x "$p" ] || { echo "ERROR: $p is not built (make check builds it)" >&2; exit 99; }
done
# the processes, the system's own, and room to spare
if [ "$(sysctl -n kernel.pid_max)" -lt $((MANY + 8000)) ] ||
	[ "$(sysctl -n kernel.threads-max)" -lt $((MANY + 8000)) ]; then
	no_run "kernel.pid_max or kernel.threads-max is below $((MANY + 8000))"
fi
ulimit -u unlimited 2>/dev/null || ulimit -u $((MANY + 8000)) 2>/dev/null

trap daemon_cleanup EXIT INT TERM
daemon_start

# spawn_and_ask N OUT: N live processes, two replies checked against their pids
spawn_and_ask() {
	"$SPAWN" -l "$1" -o "$NT_DIR/pids" -- \
		"$CLIENT" -s "$NT_SOCK" -n 2 -p "$NT_DIR/pids" >"$2" 2>>"$NT_DIR/client.log"
}
value() {
	sed -n "s/^.*\\b$1=\\([0-9.]*\\).*$/\\1/p" "$2" | head -n 1
}
all_there() {
	[ "$(value expected "$1")" = "$2" ] && [ "$(value missing "$1")" = 0 ] &&
		[ "$(value wrong "$1")" = 0 ]
}
fallbacks() {
	grep -c "more than the $WALK_SLOTS of the fast walk" "$NT_DIR/log"
}

walk=no
grep -q "live records by process walk" "$NT_DIR/log" && walk=yes
echo "this kernel's daemon gathers live records by $(sed -n 's/.*live records by \([a-z ]*\),.*/\1/p' "$NT_DIR/log")"

check "$FEW live processes: spawned and asked" spawn_and_ask $FEW "$NT_DIR/few1"
check "$FEW live processes: each one in the reply, exactly" all_there "$NT_DIR/few1" $FEW

check "$MANY live processes: spawned and asked" spawn_and_ask $MANY "$NT_DIR/many"
check "$MANY live processes: each one in the reply, exactly" all_there "$NT_DIR/many" $MANY
if [ $walk = yes ]; then
	check "the fallback to the task iterator is logged once" [ "$(fallbacks)" = 1 ]
else
	check "no fallback without the walk" [ "$(fallbacks)" = 0 ]
fi

check "$FEW again, after the big ones exited: spawned and asked" spawn_and_ask $FEW "$NT_DIR/few2"
check "$FEW again: each one in the reply, exactly" all_there "$NT_DIR/few2" $FEW
check "the fallback is still logged only once" [ "$(fallbacks)" -le 1 ]
dropped() {
	"$NETATOP" --list --socket "$NT_SOCK" >/dev/null &&
		awk '$1 == "dropped_calls" || $1 == "dropped_exits" { n += $2 } END { print n + 0 }' "$NT_PIDFILE"
}
check "nothing dropped" [ "$(dropped)" = 0 ]

cat "$NT_DIR/many" "$NT_DIR/few2" "$NT_PIDFILE"
check "the daemon stops cleanly" daemon_stop
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
