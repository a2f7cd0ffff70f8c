#!/bin/sh
# Counting that survives the daemon (netatop(8), RESTARTS), for
# --count=calls and --count=wire (PERSIST_COUNTS to choose), under steady
# UDP traffic over 127.0.0.1 from processes that say what they moved:
#  - kill -9, and a new daemon 2 s later: it adopts the pinned state, the
#    counters a client reads never go down and are exact, the 2 s of the
#    gap included; processes that exited before the kill (nobody asked
#    since) and during the gap are delivered once, exactly; no pid twice;
#  - the sender's connection (the connection query, netatop(8),
#    CONNECTIONS) keeps its counters across the kill -9 too: they go on
#    from where they were, the gap included, and hold exactly what the
#    sender sent;
#  - netatop --stop --keep-state and a new daemon: the exited records the
#    old one held for its clients come back from --state-file, once;
#  - a state made for another --exit-buffer, or by a build with other
#    layouts (NETATOP_TEST_LAYOUT), is removed with one log line, and the
#    counters start afresh, exact from then on;
#  - netatop --stop leaves no pin, and none of the programs, links and maps
#    the state held exists any more (by id: other netatop daemons may run
#    on the machine, with the same names).
# Needs root, BTF, bpffs and python3 (skips, or fails under CI=true).
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$srcdir/tests/integration/daemon.sh"

require_root_bpf
[ -x "$PYTHON" ] || no_run "$PYTHON is not installed"
command -v bpftool >/dev/null || no_run "bpftool is not installed"
GEN="$PYTHON $srcdir/tests/integration/persistgen.py"
RATE=400
SIZE=200
steady_pid=
PIN=

cleanup() {
	[ -n "$steady_pid" ] && kill "$steady_pid" 2>/dev/null && wait "$steady_pid" 2>/dev/null
	steady_pid=
	if [ -n "$NT_DAEMON" ]; then
		kill -9 "$NT_DAEMON" 2>/dev/null
		wait "$NT_DAEMON" 2>/dev/null
		NT_DAEMON=
	fi
	[ -n "$PIN" ] && "$NETATOP" --unload --pin-dir "$PIN" --state-file "$NT_DIR/exited.state" 2>/dev/null
	daemon_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The daemon again, on the same socket, pid file, pins and state file.
relaunch() {
	# shellcheck disable=SC2086 # $env: one assignment or none
	env ${env:-} "$NETATOP" -f --socket "$NT_SOCK" --pidfile "$NT_PIDFILE" --user nobody \
		--count="$count" --pin-dir "$PIN" --state-file "$NT_DIR/exited.state" "$@" \
		>>"$NT_DIR/log" 2>&1 &
	NT_DAEMON=$!
	wait_for 100 "$NETATOP" --list --socket "$NT_SOCK" >/dev/null 2>&1 ||
		{ bad "the daemon did not come back: $(tail -n 5 "$NT_DIR/log")"; exit 1; }
}

kill9() {
	kill -9 "$NT_DAEMON"
	wait "$NT_DAEMON" 2>/dev/null
	NT_DAEMON=
}

reply() { $GEN reply "$NT_SOCK" "$NT_DIR/$1.json"; }
# conn_sent PID [closed]: the datagrams its UDP connections (the closed
# ones only) sent, as the connection query says
conn_sent() {
	"$NETATOP" --list --connections --json --pid "$1" --socket "$NT_SOCK" | "$PYTHON" -c '
import json, sys
closed = sys.argv[1] == "closed"
print(sum(e["sndpacks"] for e in map(json.loads, sys.stdin)
          if e["proto"] == "udp" and (e["closed"] or not closed)))' "${2:-all}"
}
# How many of the one-shot processes in $1 have their closed connection
# listed with all they sent.
closes_listed() {
	n=0
	while read -r line; do
		eval "$(echo "$line" | tr ' ' '\n' | sed -n 's/^\(pid\|count\)=/once_\1=/p')"
		[ "$(conn_sent "$once_pid" closed)" = "$once_count" ] && n=$((n + 1))
	done <"$1"
	echo "$n"
}
counter() { $GEN field "$NT_DIR/$1.json" "$2" "$3"; }
log_has() { grep -q -e "$1" "$NT_DIR/log"; }
once() { $GEN once "$port" "$1" "$2" >>"$NT_DIR/$3"; }

# Pause the sender, let the receiver catch up, have both say what they moved.
settle() {
	kill -USR1 "$sender"
	sleep 0.3
	kill -USR1 "$receiver"
	wait_for 30 test -s "$NT_DIR/$receiver.count" -a -s "$NT_DIR/$sender.count"
}
# The receiver again, after traffic of the one-shot processes.
recount() {
	rm -f "$NT_DIR/$receiver.count"
	kill -USR1 "$receiver"
	wait_for 30 test -s "$NT_DIR/$receiver.count"
}
unsettle() {
	rm -f "$NT_DIR/$sender.count" "$NT_DIR/$receiver.count"
	kill -USR2 "$sender"
}

# The ids of every program, link and map the pinned state holds.
state_ids() {
	for f in "$PIN"/state-*/link_*; do
		bpftool -j link show pinned "$f" | "$PYTHON" -c \
			'import json,sys; l=json.load(sys.stdin); print("link", l["id"]); print("prog", l["prog_id"])'
	done
	for f in "$PIN"/state-*/*; do
		case $f in */link_*) continue ;; esac
		bpftool -j map show pinned "$f" | "$PYTHON" -c 'import json,sys; print("map", json.load(sys.stdin)["id"])'
	done
}
still_there() {	# still_there IDFILE: the first of those objects that exists
	while read -r kind id; do
		if bpftool "$kind" show id "$id" >/dev/null 2>&1; then
			echo "$kind $id $(bpftool "$kind" show id "$id" | head -n1)"
			return 0
		fi
	done <"$1"
	return 1
}
# the kernel frees maps after an RCU grace period, local storage after a
# tasks-trace one: give it 5 s
none_left() {	# none_left IDFILE: none of those objects exists
	n=50
	while still_there "$1" >/dev/null; do
		if [ $n -eq 0 ]; then
			echo "still there: $(still_there "$1")"
			return 1
		fi
		sleep 0.1
		n=$((n - 1))
	done
	return 0
}

run_mode() {
	count=$1
	echo "== --count=$count"
	if [ "$count" = wire ] && ! "$NETATOP" --check --json --count=wire 2>/dev/null | grep -q '"counting":"wire"'; then
		[ "${CI:-}" = true ] && { bad "this kernel cannot count wire packets"; return; }
		echo "SKIP: --count=wire: this kernel cannot count wire packets"
		return
	fi
	# bpffs takes no dots in names
	PIN=/sys/fs/bpf/netatop-test-$$-$count
	NT_COUNT=$count NT_PIN_DIR=$PIN daemon_start --state-file "$NT_DIR/exited.state"
	check "the state is pinned in $PIN" log_has "kernel state kept in $PIN"

	$GEN steady "$NT_DIR" "$RATE" "$SIZE" &
	steady_pid=$!
	wait_for 50 test -s "$NT_DIR/steady" || { bad "the traffic did not start"; return; }
	read -r line <"$NT_DIR/steady"
	eval "$(echo "$line" | tr ' ' '\n' | sed -n 's/^\(sender\|receiver\|port\)=/\1=/p')"
	sleep 1
	reply before
	before=$(counter before "$sender" udpsndpacks)
	check "the sender is counted before the kill ($before datagrams)" [ "$before" -gt 0 ]
	conn_before=$(conn_sent "$sender")
	check "the sender's connection is counted before the kill (${conn_before:-none} datagrams)" \
		[ "${conn_before:-0}" -gt 0 ]

	# exit while this daemon runs, but nobody asks: still in the exit buffer at the kill
	once 11 300 once.out
	once 12 301 once.out
	kill9
	t0=$(date +%s.%N)
	sleep 0.5
	once 13 302 once.out
	once 14 303 once.out
	sleep 1.5
	relaunch
	t1=$(date +%s.%N)
	check "the new daemon adopted the state" log_has "adopted the kernel state kept in $PIN"
	reply after
	after=$(counter after "$sender" udpsndpacks)
	gap=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")
	check "the counters went on during the ${gap} s without a daemon ($before -> $after datagrams, at $RATE/s)" \
		[ "$after" -ge $((before + RATE)) ]
	conn_after=$(conn_sent "$sender")
	check "the sender's connection went on from where it was (${conn_before:-none} -> ${conn_after:-none} datagrams)" \
		[ "${conn_after:-0}" -ge $((${conn_before:-0} + RATE)) ]
	# closed after the last query: two still in their ring at the kill, two while no daemon ran
	closes=$(closes_listed "$NT_DIR/once.out")
	check "the connections that closed unread by the killed daemon are listed, closed, exactly ($closes of 4)" \
		[ "$closes" -eq 4 ]
	settle
	reply exact
	if msg=$($GEN check "$count" "$NT_DIR/exact.json" "$NT_DIR" "$sender" "$receiver" "$NT_DIR/once.out"); then
		ok "after kill -9 and 2 s: $msg"
	else
		bad "after kill -9 and 2 s: $msg"
	fi
	read -r sent _ <"$NT_DIR/$sender.count"
	conn_exact=$(conn_sent "$sender")
	check "after kill -9 and 2 s, the sender's connection holds all it sent (${conn_exact:-none} of $sent datagrams)" \
		[ "${conn_exact:-0}" -eq "$sent" ]

	# a clean restart: the exited record the daemon holds goes through the state file
	once 15 304 held.out
	reply held
	check "the daemon holds the exited process" [ "$(counter held "$(sed 's/pid=\([0-9]*\).*/\1/' "$NT_DIR/held.out")" udpsndpacks)" -eq 15 ]
	"$NETATOP" --stop --keep-state --pidfile "$NT_PIDFILE"
	rc=$?
	wait "$NT_DAEMON" 2>/dev/null
	NT_DAEMON=
	check "--stop --keep-state exits 0 (got $rc)" [ $rc -eq 0 ]
	check "--stop --keep-state saved the exited records" test -s "$NT_DIR/exited.state"
	check "--stop --keep-state left the pins" test -e "$PIN"/state-*/meta
	cp "$NT_DIR/exited.state" "$NT_DIR/exited.good"
	recount
	relaunch
	check "the next daemon took the exited records over" log_has "exited processes handed over by the previous daemon"
	check "and read the state file once" test ! -e "$NT_DIR/exited.state"
	reply restarted
	if msg=$($GEN check "$count" "$NT_DIR/restarted.json" "$NT_DIR" "$sender" "$receiver" "$NT_DIR/once.out" "$NT_DIR/held.out"); then
		ok "after --stop --keep-state: $msg"
	else
		bad "after --stop --keep-state: $msg"
	fi

	# a state made for another request is not adopted
	kill9
	state_ids >"$NT_DIR/ids.old"
	# a state file that is not right is not read, and said so
	"$PYTHON" -c 'import sys; d = bytearray(open(sys.argv[1], "rb").read()); d[-1] ^= 1; open(sys.argv[2], "wb").write(d)' \
		"$NT_DIR/exited.good" "$NT_DIR/exited.state"
	relaunch --exit-buffer=4
	check "a damaged state file is ignored, and said so" log_has "ignored the exited processes saved by the previous daemon: .*checksum mismatch"
	check "another --exit-buffer starts afresh, and says so" log_has "was made for --backend=auto --count=$count --exit-buffer=2"
	check "the old state's programs, links and maps are gone" none_left "$NT_DIR/ids.old"

	# nor a state of a build with other layouts
	kill9
	state_ids >"$NT_DIR/ids.old"
	old_state=$(ls -d "$PIN"/state-*)
	read -r sent0 _ <"$NT_DIR/$sender.count"
	env=NETATOP_TEST_LAYOUT=1 relaunch --exit-buffer=4
	env=
	check "another layout starts afresh, and says so" log_has "has another layout"
	check "the old layout's pins are gone" test ! -e "$old_state"
	check "the old layout's programs, links and maps are gone" none_left "$NT_DIR/ids.old"
	# Counting wire packets afresh, a socket has an owner again from its
	# owner's next call: what reaches the receiver before it is nobody's.
	# So the receiver is judged on what it moved after a first datagram.
	once 1 100 warm.out
	sleep 0.3
	recount
	read -r rcvd0 rbytes0 <"$NT_DIR/$receiver.count"
	reply base
	base_p=$(counter base "$receiver" udprcvpacks)
	base_b=$(counter base "$receiver" udprcvbytes)
	rm -f "$NT_DIR/once.out"
	unsettle
	once 16 305 once.out
	sleep 1
	settle
	reply fresh
	read -r sent1 _ <"$NT_DIR/$sender.count"
	read -r rcvd1 rbytes1 <"$NT_DIR/$receiver.count"
	# from then on: only what moved since, exactly
	echo "$((sent1 - sent0)) $(((sent1 - sent0) * SIZE))" >"$NT_DIR/$sender.count"
	hdr=0
	[ "$count" = wire ] && hdr=28
	echo "$((base_p + rcvd1 - rcvd0)) $((base_b - hdr * base_p + rbytes1 - rbytes0))" \
		>"$NT_DIR/$receiver.count"
	if msg=$($GEN check "$count" "$NT_DIR/fresh.json" "$NT_DIR" "$sender" "$receiver" "$NT_DIR/once.out"); then
		ok "after a layout change, counting from zero: $msg"
	else
		bad "after a layout change: $msg"
	fi

	# a stop leaves nothing
	state_ids >"$NT_DIR/ids.last"
	check "the state holds programs, links and maps ($(wc -l <"$NT_DIR/ids.last"))" [ -s "$NT_DIR/ids.last" ]
	"$NETATOP" --stop --pidfile "$NT_PIDFILE" --pin-dir "$PIN" --state-file "$NT_DIR/exited.state"
	rc=$?
	wait "$NT_DAEMON" 2>/dev/null
	NT_DAEMON=
	check "--stop exits 0 (got $rc)" [ $rc -eq 0 ]
	check "--stop leaves no pins" test ! -e "$PIN"
	check "--stop leaves none of the programs, links and maps" none_left "$NT_DIR/ids.last"
	check "--stop leaves no state file" test ! -e "$NT_DIR/exited.state"

	kill "$steady_pid" 2>/dev/null
	wait "$steady_pid" 2>/dev/null
	steady_pid=
	"$NETATOP" --unload --pin-dir "$PIN" 2>/dev/null
	PIN=
	daemon_cleanup
}

for count in ${PERSIST_COUNTS:-calls wire}; do
	run_mode "$count"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
