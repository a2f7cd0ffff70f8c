#!/bin/sh
# Replies while the number of tracked processes climbs and falls: 2,000,
# then 17,000 (the process walk's array grows), then 70,000 (more than the
# walk may hold: the task iterator serves, and the daemon says so once),
# then 2,000 again (back to the walk, with a smaller array).  Every
# process must be in every reply with exactly its one 1-byte datagram
# (bench/nb_spawn makes them, bench/nb_client checks); once they have all
# exited at once, each must still be there, or, only where the burst
# outran the exit buffer, be counted as lost; with --exit-buffer=16 the
# 70,000 are all kept.  On kernels without the walk the task iterator
# serves all of them and the same checks hold.
# Needs root and BTF (skips, or fails under CI=true); raises
# kernel.pid_max for the 70,000 and puts it back.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
. "$srcdir/tests/integration/daemon.sh"

require_root_bpf

SPAWN=$builddir/bench/nb_spawn
CLIENT=$builddir/bench/nb_client
FEW=2000
MANY=17000
TOO_MANY=70000		# past the walk's 65,536
ROOM=10000		# the system's own processes and spare

for p in "$SPAWN" "$CLIENT"; do
	[ -x "$p" ] || { echo "ERROR: $p is not built (make check builds it)" >&2; exit 99; }
done
[ "$(sysctl -n kernel.threads-max)" -ge $((TOO_MANY + ROOM)) ] ||
	no_run "kernel.threads-max is below $((TOO_MANY + ROOM))"
saved_pid_max=$(sysctl -n kernel.pid_max)
cleanup() {
	daemon_cleanup
	sysctl -qw kernel.pid_max="$saved_pid_max"
}
trap cleanup EXIT
trap 'exit 99' INT TERM
if [ "$saved_pid_max" -lt $((TOO_MANY + ROOM)) ]; then
	sysctl -qw kernel.pid_max=$((TOO_MANY * 4)) || no_run "cannot raise kernel.pid_max"
fi
ulimit -u unlimited 2>/dev/null || ulimit -u $((TOO_MANY + ROOM)) 2>/dev/null

daemon_start --verbose

# ask N NAME: N live processes, two replies checked against their pids.
# At the lowest priority: tens of thousands of processes starting and
# ending at once would otherwise starve the suites running beside this one.
ask() {
	nice -n 19 "$SPAWN" -l "$1" -o "$NT_DIR/pids" -- \
		"$CLIENT" -s "$NT_SOCK" -n 2 -p "$NT_DIR/pids" >"$NT_DIR/$2" 2>>"$NT_DIR/client.log"
}
value() {
	sed -n "s/^.*\\b$1=\\([0-9.]*\\).*$/\\1/p" "$2" | head -n 1
}
all_there() {
	[ "$(value expected "$NT_DIR/$2")" = "$1" ] && [ "$(value missing "$NT_DIR/$2")" = 0 ] &&
		[ "$(value wrong "$NT_DIR/$2")" = 0 ]
}
count() {
	grep -c "$1" "$NT_DIR/log"
}
# the size of the walk's array, from the daemon's last word on it
array() {
	sed -n 's/.*live-record array: \([0-9]*\) records.*/\1/p' "$NT_DIR/log" | tail -n 1
}
phase() {
	check "$1 live processes ($2): spawned and asked twice" ask "$1" "$2"
	check "$1 live processes ($2): each one in both replies, exactly" all_there "$1" "$2"
	printf '%s: %s\n' "$2" "$(tr '\n' ' ' <"$NT_DIR/$2")"
}

walk=no
grep -q "live records by process walk" "$NT_DIR/log" && walk=yes
echo "live records by process walk: $walk"

# dropped WHAT: the daemon's dropped_calls or dropped_exits
dropped() {
	"$NETATOP" --list --socket "$NT_SOCK" >/dev/null && awk -v what="dropped_$1" \
		'$1 == what { n += $2 } END { print n + 0 }' "$NT_PIDFILE"
}

# after NAME: one more reply once the processes of the last phase are gone;
# every one must be there as exited, or counted as lost
after() {
	"$CLIENT" -s "$NT_SOCK" -n 1 -p "$NT_DIR/pids" >"$NT_DIR/$1" 2>>"$NT_DIR/client.log"
	printf '%s: %s\n' "$1" "$(tr '\n' ' ' <"$NT_DIR/$1")"
}

phase $FEW few
[ $walk = yes ] && check "the array grew to 4096 records for $FEW" [ "$(array)" = 4096 ]
phase $MANY many
[ $walk = yes ] && check "the array grew to 32768 records for $MANY" [ "$(array)" = 32768 ]
after many-exited
check "$MANY exited at once: each one kept" [ "$(value missing "$NT_DIR/many-exited")/$(dropped exits)" = 0/0 ]
phase $TOO_MANY too-many
if [ $walk = yes ]; then
	check "going past the walk is logged once" [ "$(count 'more than the 65536 of the fast walk')" = 1 ]
fi
# 70,000 killed at once can outrun the default exit buffer (about 18,700
# records) while they keep the daemon off the CPU: what is lost is counted
after too-many-exited
lost=$(dropped exits)
echo "exit records lost when $TOO_MANY processes exited at once, default --exit-buffer: $lost"
check "$TOO_MANY exited at once: each one kept or counted as lost" \
	[ "$(value missing "$NT_DIR/too-many-exited")" = "$lost" ]
if [ "$lost" -gt 0 ]; then
	check "the loss is logged with what to do" grep -q "exit buffer full: raise --exit-buffer" "$NT_DIR/log"
fi
phase $FEW few-again
if [ $walk = yes ]; then
	check "the array shrank to 4096 records" [ "$(array)" = 4096 ]
	check "going past the walk is still logged once" [ "$(count 'more than the 65536 of the fast walk')" = 1 ]
else
	check "no walk, no word of it" [ "$(count 'fast walk')" = 0 ]
fi
check "no socket call went uncounted" [ "$(dropped calls)" = 0 ]
check "the daemon stops cleanly" daemon_stop
[ "$failed" -eq 0 ] || grep -v "libbpf: " "$NT_DIR/log" | tail -n 20
daemon_cleanup

# the same burst with room for it: nothing lost
daemon_start --exit-buffer=16
phase $TOO_MANY too-many-16
after too-many-16-exited
check "$TOO_MANY exited at once, --exit-buffer=16: each one kept" \
	[ "$(value missing "$NT_DIR/too-many-16-exited")/$(dropped exits)" = 0/0 ]
check "the daemon stops cleanly" daemon_stop
[ "$failed" -eq 0 ] || grep -v "libbpf: " "$NT_DIR/log" | tail -n 20
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
