#!/bin/sh
# netatop --top against a daemon of its own: the live view in a real
# terminal (tmux: send-keys, capture-pane) shows a traffic generator at the
# rate it really sends (within 10%), its sort keys reorder the lines, it
# fits the terminal's width and q quits; -b -n 2 prints two well-formed
# reports; a process that exits is shown exited once; --by groups.
# Needs root and BTF (skips, or fails under CI=true), tmux and python3.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
. "$srcdir/tests/integration/daemon.sh"

require_root_bpf
command -v tmux >/dev/null 2>&1 || no_run "tmux is not installed (apt-get install tmux)"
[ -x "$PYTHON" ] || no_run "$PYTHON is not installed"

RATEGEN=$builddir/tests/integration/rategen
TOPCHECK="$srcdir/tests/integration/topcheck.py"
RATE=200	# datagrams a second
SIZE=1000	# bytes each
TM="tmux -L netatop-top-test-$$ -f /dev/null"
gen_pid=

cleanup() {
	$TM kill-server 2>/dev/null
	[ -n "$gen_pid" ] && kill "$gen_pid" 2>/dev/null && wait "$gen_pid" 2>/dev/null
	daemon_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM

tc() { "$PYTHON" "$TOPCHECK" "$@"; }
# check_tc DESCRIPTION TOPCHECK-ARGS...: its message goes with the verdict.
check_tc() {
	what=$1
	shift
	if msg=$(tc "$@"); then ok "$what: $msg"; else bad "$what: $msg"; fi
}
capture() { $TM capture-pane -p -t top >"$NT_DIR/screen.txt"; }
# settle TOPCHECK-ARGS...: capture until the screen passes, at most ~10 s:
# a loaded machine (suites run in parallel) may redraw late
settle() {
	i=0
	while [ $i -lt 40 ]; do
		capture
		tc "$@" >/dev/null && return 0
		sleep 0.25
		i=$((i + 1))
	done
	return 1
}
# the cgroup netatop shows for a pid: the v2 path, unless it is "/" and v1's systemd one says more
cgroup_of() {
	awk -F: '$1 == "0" && $2 == "" { v2 = substr($0, 4) }
		$2 == "name=systemd" { sd = substr($0, length($1 ":" $2 ":") + 1) }
		END { print (v2 != "" && !(v2 == "/" && sd != "" && sd != "/")) ? v2 : sd }' "/proc/$1/cgroup"
}

daemon_start
# "0": first by command name, even among many processes
"$RATEGEN" -p 0top "$RATE" "$SIZE" >"$NT_DIR/gen.out" &
gen_pid=$!
wait_for 50 grep -q sender= "$NT_DIR/gen.out" || { bad "rategen did not start"; exit 1; }
sender=$(sed -n 's/^sender=\([0-9]*\) .*/\1/p' "$NT_DIR/gen.out")
echo "rategen: $(cat "$NT_DIR/gen.out"), $RATE datagrams of $SIZE bytes a second"

# ---------------------------------------------------------------- the live view
# The shell around it tells how it ended (tmux does not always know).
$TM new-session -d -s top -x 200 -y 60 \
	"$NETATOP --top -d 1 --socket $NT_SOCK; echo \$? >$NT_DIR/top.status"
$TM set-option -t top remain-on-exit on >/dev/null

# Two whole intervals with the generator running, then its rate.  rategen
# keeps to its schedule, so after a stall (suites run in parallel) it sends
# the missed datagrams at once and one interval shows more: wait for a
# steady one, up to ten.
sleep 3
for attempt in 1 2 3 4 5 6 7 8 9 10; do
	capture
	tc rate "$NT_DIR/screen.txt" 0top-snd UDPSND "$RATE" >/dev/null &&
		tc rate "$NT_DIR/screen.txt" 0top-rcv UDPRBY $((RATE * SIZE)) >/dev/null && break
	sleep 1
done
echo "---- the screen (tmux capture-pane):"
cat "$NT_DIR/screen.txt"
echo "----"
check_tc "sender's datagrams/s" rate "$NT_DIR/screen.txt" 0top-snd UDPSND "$RATE"
check_tc "sender's bytes/s" rate "$NT_DIR/screen.txt" 0top-snd UDPSBY $((RATE * SIZE))
check_tc "receiver's datagrams/s" rate "$NT_DIR/screen.txt" 0top-rcv UDPRCV "$RATE"
check_tc "receiver's bytes/s" rate "$NT_DIR/screen.txt" 0top-rcv UDPRBY $((RATE * SIZE))
check_tc "default order" order "$NT_DIR/screen.txt" t 0top-snd 0top-rcv

for key in s r p c t; do
	$TM send-keys -t top "$key"
	# the receiver, forked by the sender, has the higher pid
	case $key in
	r | c) first=0top-rcv second=0top-snd ;;
	*) first=0top-snd second=0top-rcv ;;
	esac
	settle order "$NT_DIR/screen.txt" "$key" $first $second
	check_tc "key $key" order "$NT_DIR/screen.txt" "$key" $first $second
done

for width in 80 50; do
	$TM resize-window -t top -x "$width" -y 40
	settle width "$NT_DIR/screen.txt" "$width"
	check_tc "fits $width columns" width "$NT_DIR/screen.txt" "$width"
done
echo "---- at 80 columns:"
$TM resize-window -t top -x 80 -y 40
sleep 0.5
capture
head -n 8 "$NT_DIR/screen.txt"
echo "----"

$TM send-keys -t top q
wait_for 30 test -s "$NT_DIR/top.status"
check "q quits, with status 0 (got $(cat "$NT_DIR/top.status" 2>/dev/null))" \
	[ "$(cat "$NT_DIR/top.status" 2>/dev/null)" = 0 ]

# ---------------------------------------------------------------- batch
"$NETATOP" --top -b -n 2 -d 1 --socket "$NT_SOCK" >"$NT_DIR/batch.txt"
rc=$?
check "--top -b -n 2 exits 0 (got $rc)" [ $rc -eq 0 ]
check_tc "--top -b -n 2" batch "$NT_DIR/batch.txt" 2
check_tc "batch: sender's datagrams/s" rate "$NT_DIR/batch.txt" 0top-snd UDPSND "$RATE"
check_tc "batch: receiver's bytes/s" rate "$NT_DIR/batch.txt" 0top-rcv UDPRBY $((RATE * SIZE))

# A generator shown running, then stopped: marked exited in one report,
# gone after.  It is stopped only once a report has shown it, and the
# reports are counted, so a loaded machine (a first sample of thousands
# of processes can take seconds) only makes the test slower.
"$RATEGEN" -p rgexit -t 120 "$RATE" "$SIZE" >/dev/null &
rg_pid=$!
"$NETATOP" --top -b -d 1 --socket "$NT_SOCK" >"$NT_DIR/exited.txt" &
top_pid=$!
reports() { grep -c '^netatop --top' "$NT_DIR/exited.txt"; }
wait_for 600 grep -q ' rgexit-snd$' "$NT_DIR/exited.txt"
kill "$rg_pid"
wait "$rg_pid"
after=$(($(reports) + 3))
wait_for 600 sh -c "[ \$(grep -c '^netatop --top' '$NT_DIR/exited.txt') -ge $after ]"
kill "$top_pid"
wait "$top_pid"
check_tc "exited process" exited "$NT_DIR/exited.txt" rgexit-snd
check_tc "exited report" batch "$NT_DIR/exited.txt" "$(reports)"

# ---------------------------------------------------------------- --by
"$NETATOP" --top -b -n 1 -d 1 --by command --socket "$NT_SOCK" >"$NT_DIR/by-command.txt" &
p1=$!
"$NETATOP" --top -b -n 1 -d 1 --by user --socket "$NT_SOCK" >"$NT_DIR/by-user.txt" &
p2=$!
"$NETATOP" --top -b -n 1 -d 1 --by cgroup --socket "$NT_SOCK" >"$NT_DIR/by-cgroup.txt" &
p3=$!
wait $p1 $p2 $p3
check_tc "--by command" group "$NT_DIR/by-command.txt" COMMAND 0top-snd UDPSND $((RATE * 9 / 10))
check_tc "--by user" group "$NT_DIR/by-user.txt" USER "$(id -un)" UDPSND $((RATE * 9 / 10))
check_tc "--by cgroup" group "$NT_DIR/by-cgroup.txt" CGROUP "$(cgroup_of "$sender")" UDPSND $((RATE * 9 / 10))
echo "---- --by cgroup:"
cat "$NT_DIR/by-cgroup.txt"
echo "----"

kill "$gen_pid"
wait "$gen_pid"
gen_pid=
check "the daemon stops cleanly" daemon_stop

# ---------------------------------------------------------------- wire mode
# The same batch report from a daemon counting wire packets: the summary
# says so and the unattributed line sits between the totals and the titles.
daemon_cleanup
NT_COUNT=wire daemon_start
"$NETATOP" --top -b -n 2 -d 1 --socket "$NT_SOCK" --pidfile "$NT_PIDFILE" >"$NT_DIR/wire.txt"
check_tc "--count=wire: batch" batch "$NT_DIR/wire.txt" 2
check_tc "--count=wire: wire packets and unattributed shown" wire "$NT_DIR/wire.txt"
check "the wire daemon stops cleanly" daemon_stop
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
