#!/bin/sh
# The connection query (netatop --list --connections, --top's drill-down)
# against a daemon of its own, counting calls and then wire packets: a
# process's TCP connections over IPv4 and IPv6 and its UDP sockets are
# each listed once, with the exact counters of a known exchange (calls),
# and add up to the process's totals (both); a connection closed between
# two queries is in the second, marked, and not in the third
# (conncheck.py).  The query socket of a daemon whose --socket is a link
# into its run directory (as the default is) is in that directory, found
# through the link, removed at exit, and replaced at the next start when a
# killed daemon left it.  Then one process holding 10,000 TCP connections:
# the query lists every one (its time is printed; the target is judged by
# the bench, `make bench`, where nothing else runs beside it), and the
# daemon's kernel memory (its own memory cgroup) per socket is printed
# and bounded: 320 bytes of slab objects (the storage element, a
# kmalloc-128, and the socket's storage container, a kmalloc-192), which
# the memory cgroup charges with 8 bytes of its own per object.  The bound
# catches a regression; the bench judges the 320-byte target.
# Needs root and BTF (skips, or fails under CI=true) and python3.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$srcdir/tests/integration/daemon.sh"

require_root_bpf
[ -x "$PYTHON" ] || no_run "$PYTHON is not installed"

CHECK="$srcdir/tests/integration/conncheck.py"
MANY=10000
BYTES_PER_SOCKET_MAX=$((320 + 2 * 8 + 8))	# objects, memcg's pointer per object, rounding
cg=
cg_parent=
many_pid=

cleanup() {
	[ -n "$many_pid" ] && kill "$many_pid" 2>/dev/null && wait "$many_pid" 2>/dev/null
	daemon_cleanup
	[ -n "$cg" ] && rmdir "$cg" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for mode in calls wire peers; do
	case $mode in
	peers) NT_COUNT=wire daemon_start --udp-peers=1 ;;
	*) NT_COUNT=$mode daemon_start ;;
	esac
	if "$PYTHON" "$CHECK" "$NT_SOCK" "$mode" >"$NT_DIR/check.log" 2>&1; then
		ok "--count=$mode: every connection, its counters, their sum, a close shown once"
	else
		bad "--count=$mode: the connection checks (below)"
	fi
	cat "$NT_DIR/check.log"
	"$NETATOP" --list --connections --socket "$NT_SOCK" >"$NT_DIR/list.txt"
	check "--count=$mode: --list --connections exits 0" [ $? -eq 0 ]
	"$NETATOP" --list --connections --json --pid 1 --socket "$NT_SOCK" >"$NT_DIR/list.json"
	check "--count=$mode: --list --connections --json --pid exits 0" [ $? -eq 0 ]
	check "--count=$mode: its lines are JSON" "$PYTHON" -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert e["pid"] == 1 and e["proto"] in ("tcp", "udp"), e' "$NT_DIR/list.json"
	check "the daemon stops cleanly" daemon_stop
	daemon_cleanup
done

# ---------------------------------------------------------------- the run directory
# As /run/netatop-bpf-socket links to /run/netatop/netatop-bpf-socket: the
# socket outside the pid file's directory.
rundir_start() {
	"$NETATOP" -f --socket "$NT_DIR/sock" --pidfile "$NT_DIR/run/pid" --user nobody \
		--count=calls --pin-dir=none >>"$NT_DIR/log" 2>&1 &
	NT_DAEMON=$!
	wait_for 100 "$NETATOP" --list --socket "$NT_DIR/sock" >/dev/null 2>&1
}
NT_DIR=$(mktemp -d "/tmp/netatop-test.XXXXXX") || exit 99
chown nobody "$NT_DIR" || exit 99
check "a daemon serves through a link into its run directory" rundir_start
check "the socket path links to the socket in the run directory" \
	[ "$(readlink "$NT_DIR/sock")" = "$NT_DIR/run/sock" ]
check "the query socket is beside that socket, not beside the link" \
	[ -S "$NT_DIR/run/sock.conn" -a ! -e "$NT_DIR/sock.conn" ]
check "--list --connections finds it through the link" \
	"$NETATOP" --list --connections --socket "$NT_DIR/sock" >/dev/null
kill -9 "$NT_DAEMON"
wait "$NT_DAEMON" 2>/dev/null
NT_DAEMON=
check "a killed daemon leaves its query socket" [ -S "$NT_DIR/run/sock.conn" ]
check "the next daemon replaces the stale query socket" rundir_start
check "and answers on it" "$NETATOP" --list --connections --socket "$NT_DIR/sock" >/dev/null
check "the daemon stops cleanly" daemon_stop
check "no longer root, it removed both sockets and its run directory" [ ! -e "$NT_DIR/run" ]
daemon_cleanup

# ---------------------------------------------------------------- 10,000 connections
# The daemon in a memory cgroup of its own: the socket storage (elements
# and containers) is charged to it, the sockets themselves to the test.
memcg_kmem() {
	if [ -r "$1/memory.kmem.usage_in_bytes" ]; then
		cat "$1/memory.kmem.usage_in_bytes"
	else
		awk '$1 == "kernel" { print $2 }' "$1/memory.stat"
	fi
}
rel=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
if [ -n "$rel" ] && [ -d "/sys/fs/cgroup/memory$rel" ]; then
	cg_parent=/sys/fs/cgroup/memory$rel
elif rel=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup) && [ -f "/sys/fs/cgroup$rel/memory.stat" ]; then
	cg_parent=/sys/fs/cgroup$rel
fi
if [ -n "$cg_parent" ] && mkdir "$cg_parent/netatop-conns.$$" 2>/dev/null; then
	cg=$cg_parent/netatop-conns.$$
	# the daemon is started from inside it, then this shell leaves
	echo $$ >"$cg/cgroup.procs"
	NT_COUNT=wire daemon_start
	echo $$ >"$cg_parent/cgroup.procs"
else
	echo "no memory cgroup to put the daemon in: its memory is not measured"
	NT_COUNT=wire daemon_start
fi
"$NETATOP" --list --connections --socket "$NT_SOCK" >/dev/null
sleep 0.5
[ -n "$cg" ] && k0=$(memcg_kmem "$cg")
mkfifo "$NT_DIR/done"
"$PYTHON" "$CHECK" many "$NT_SOCK" "$MANY" <"$NT_DIR/done" >"$NT_DIR/many.log" 2>&1 &
many_pid=$!
exec 3>"$NT_DIR/done"
wait_for 1200 grep -q query_ms "$NT_DIR/many.log"
cat "$NT_DIR/many.log"
[ -n "$cg" ] && k1=$(memcg_kmem "$cg")
rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$NT_DAEMON/status")
echo >&3
exec 3>&-
wait "$many_pid"
many_pid=
ms=$(sed -n 's/.*query_ms=\([0-9.]*\).*/\1/p' "$NT_DIR/many.log")
listed=$(sed -n 's/.*listed=\([0-9]*\).*/\1/p' "$NT_DIR/many.log")
check "all $MANY connections listed (got ${listed:-none})" [ "${listed:-0}" -ge "$MANY" ]
echo "the query for $MANY connections: ${ms:-none} ms"
echo "daemon RSS with $MANY connections queried: ${rss:-?} kB"
if [ -n "$cg" ]; then
	# the client ends and the accepted ends: two sockets per connection
	per=$(( (k1 - k0) / (2 * MANY) ))
	echo "daemon kernel memory: $k0 B idle, $k1 B with $((2 * MANY)) sockets: $per B per socket"
	check "kernel memory per socket $per B <= $BYTES_PER_SOCKET_MAX B (320 B of objects, as charged)" \
		[ "$per" -le "$BYTES_PER_SOCKET_MAX" ]
fi
check "the daemon stops cleanly" daemon_stop
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
