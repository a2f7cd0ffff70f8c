#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# netatop benchmarks: one line per figure, measured value, target, the old
# implementation's figure and PASS/FAIL.  See bench/README.md.
#
#   bench.sh            full run: the real targets (about 5.5 minutes on a
#                       quiet machine)
#   BENCH_QUICK=1 bench.sh
#                       quick run for CI (about 2.5 minutes): fewer rounds, a
#                       10 s idle window, 10,000 processes instead of 50,000
#                       and 20,000 tracked tasks instead of 100,000
#                       (extrapolated); a figure fails only when it misses
#                       its target by more than 50%, twice
#
# Environment: NETATOP (the daemon, default ./netatop), BENCH_BIN (where the
# nb_* programs are, default the directory of this script), BENCH_CPU (the
# CPU timings are pinned to, default the last one), BENCH_LOG (details,
# default $BENCH_BIN/bench.log).
#
# Needs root and BPF.  Starts its own daemons (`netatop -f --socket TMP
# --pidfile TMP --user nobody`), one per measurement; restores every sysctl
# it changes, removes the network namespaces it makes and unmounts the
# cgroup v2 hierarchy it mounts (where none was).  Before each timed part
# it waits for the pinned CPU to be idle, at most 2 minutes in all (quick:
# 30 s).  Exit status: 0 all PASS, 1 some FAIL, 77 cannot run here.

set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
BENCH_BIN=${BENCH_BIN:-$here}
NETATOP=${NETATOP:-$(pwd)/netatop}
BENCH_QUICK=${BENCH_QUICK:-}
[ "$BENCH_QUICK" = 0 ] && BENCH_QUICK=
ncpu=$(nproc)
CPU=${BENCH_CPU:-$((ncpu - 1))}
BENCH_LOG=${BENCH_LOG:-$BENCH_BIN/bench.log}

if [ -n "$BENCH_QUICK" ]; then
	mode=quick
	ROUNDS=6		# interleaved rounds (daemon, nothing, empty programs, least counter)
	UDP_N=20000 UDP_REPS=5	# sendto() batches per state
	TCP_N=3000 TCP_REPS=3	# round-trip batches per state
	PP_N=100000		# events per path for the BPF run time
	REQS=5			# timed requests per reply figure
	BIG=10000		# the "50,000 processes" figure
	MEM_N=20000		# the "100,000 tracked tasks" figure
	IDLE=10			# seconds without a client
	WIRE_ROUNDS=4		# interleaved rounds of sendto(), wire against calls
	BULK_ROUNDS=6 BULK_MS=500	# interleaved rounds of veth throughput, ms each
	TOL=1.5			# a figure fails beyond target x TOL
else
	mode=full
	ROUNDS=12
	UDP_N=50000 UDP_REPS=5
	TCP_N=5000 TCP_REPS=5
	PP_N=300000
	REQS=9
	BIG=50000
	MEM_N=100000
	IDLE=60
	WIRE_ROUNDS=8
	BULK_ROUNDS=12 BULK_MS=1000
	TOL=1
fi
# Reference figure of this design for the memory target it does not reach
# on the development machine (2 CPUs, kernel 6.18; medians of three full
# runs, see README.md): task storage costs ~400 bytes per process.  The
# timing figures' references are measured in the same run instead (the
# least counter, nb_floor.bpf.c): what the hooks and task storage cost
# differs from host to host far more than what netatop adds to them.  Only
# quick mode uses references, to tell a regression from a known gap.
REF_KMEM_MB=41
# Likewise socket storage for sockets that moved nothing (the CI host,
# December 2026): wire counting claims a TCP socket at its first packet,
# the SYN connect() sends, and an accepted one inherits its listener's
# claim, so an unused connection costs what a used one does.
REF_SOCK_IDLE_B=240
# And TCP throughput over veth with wire counting (the CI host, December
# 2026): six quick runs lost 1.7% to 6.4% against no daemon, rounds of
# one run spreading from -7% to +9% (a loaded 2-CPU guest): a figure at
# the target is within that noise, a regression is not.
REF_VETH_LOST_PCT=6
MEM_TARGET_N=100000
BIG_TARGET_N=50000
NPROC_REPLY=10000
SOCK_N=20000		# connections for the memory per socket
CONN_N=10000		# connections of one process for the connection query

# ---------------------------------------------------------------- helpers

log() { printf '[%4ds] %s\n' "$SECONDS" "$*" >>"$BENCH_LOG"; }
note() { printf '%s\n' "$*" >&2; log "$*"; }
die() { note "bench: $*"; exit 2; }

# Floating point through awk.
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
le() { awk "BEGIN { exit !(($1) <= ($2)) }"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# verdict VALUE LIMIT [REF]: PASS when VALUE <= LIMIT.  In quick mode a
# value up to LIMIT x 1.5 still passes (noise), marked as over its target;
# and a figure whose target this design does not reach (REF: its figure on
# the reference machine, see README.md, or the least counter's measured in
# this run) is a MISS, not a FAIL, while it stays within REF x 1.5: CI then
# catches regressions without being red for a known gap.  The full run
# judges on the target alone.
fails=0 misses=0 passes=0
verdict() {
	if le "$1" "$2"; then
		echo PASS
	elif [ "$TOL" != 1 ] && le "$1" "($2) * $TOL"; then
		echo "PASS (over target, within quick-mode tolerance)"
	elif [ "$TOL" != 1 ] && [ -n "${3:-}" ] && le "$1" "($3) * $TOL"; then
		echo "MISS (target not met, within x$TOL of the reference $(calc "$3"))"
	else
		echo FAIL
	fi
}

# again ATTEMPT FIGURE MEASURED VERDICTS: whether a timing figure is to be
# measured once more.  In quick mode a FAIL is measured again before it
# counts: on a busy machine timings come out 2 to 4 times their quiet
# values while nothing regressed, and a second measurement tells a burst
# of load from a regression.  The full run judges on one measurement.
again() {
	case $4 in
	*FAIL*) ;;
	*) return 1 ;;
	esac
	[ "$TOL" != 1 ] && [ "$1" = 1 ] || return 1
	log "$2: FAIL at first ($3): measured again"
	return 0
}

# Both verdicts must pass.
verdict2() {
	local a b
	a=$(verdict "$1" "$2" "${5:-}")
	b=$(verdict "$3" "$4" "${6:-}")
	case "$a $b" in
	*FAIL*) echo FAIL ;;
	*MISS*) echo "MISS (target not met, within x$TOL of the reference)" ;;
	*over*) echo "PASS (over target, within quick-mode tolerance)" ;;
	*) echo PASS ;;
	esac
}

row() {
	case $5 in
	FAIL*) fails=$((fails + 1)) ;;
	MISS*) misses=$((misses + 1)) ;;
	PASS*) passes=$((passes + 1)) ;;
	esac
	printf '%-42s %-58s %-24s %-30s %s\n' "$1" "$2" "$3" "$4" "$5" | tee -a "$BENCH_LOG"
}

# ---------------------------------------------------------------- state and cleanup

tmp=
dpid=
saved_pid_max=
saved_stats=
cgroup=
altcg=
floor_pid=
cg2_mounted=
ns_src='' ns_sink=''
restore() {
	[ -n "$floor_pid" ] && floor_stop
	[ -n "$dpid" ] && daemon_stop
	[ -n "$saved_stats" ] && sysctl -qw kernel.bpf_stats_enabled="$saved_stats"
	[ -n "$saved_pid_max" ] && sysctl -qw kernel.pid_max="$saved_pid_max"
	[ -n "$cgroup" ] && rmdir "$cgroup" 2>/dev/null
	[ -n "$altcg" ] && rmdir "$altcg" 2>/dev/null
	[ -n "$ns_src" ] && ip netns del "$ns_src" 2>/dev/null
	[ -n "$ns_sink" ] && ip netns del "$ns_sink" 2>/dev/null
	[ -n "$cg2_mounted" ] && umount "$cg2_mounted"
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap restore EXIT
trap 'exit 130' INT TERM

skip() { echo "SKIP: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || skip "the benchmarks load BPF programs: run as root"
[ -r /sys/kernel/btf/vmlinux ] || skip "this kernel has no BTF"
for t in bpftool strace taskset awk sysctl ip; do
	command -v "$t" >/dev/null || skip "$t is missing (Debian: apt-get install bpftool strace util-linux iproute2)"
done
[ -x "$NETATOP" ] || die "no daemon at $NETATOP (build it first, or set NETATOP)"
for p in nb_udp nb_tcp nb_spawn nb_client nb_floor nb_floor.bpf.o; do
	[ -e "$BENCH_BIN/$p" ] || die "$BENCH_BIN/$p is missing: run 'make bench'"
done
getent passwd nobody >/dev/null || die "the daemon runs as nobody: the user is missing"

tmp=$(mktemp -d /tmp/netatop-bench.XXXXXX) || die "mktemp"
chown nobody: "$tmp"	# the daemon removes its socket and pid file as nobody
: >"$BENCH_LOG"

pin() { taskset -c "$CPU" "$@"; }

# ---------------------------------------------------------------- the daemon

# daemon_start [CGROUP_DIR]: a fresh daemon, its pid in $dpid.
daemon_start() {
	local i
	rm -f "$tmp/sock" "$tmp/pid"
	if [ -n "${1:-}" ]; then
		bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ "$1" \
			"$NETATOP" -f --socket "$tmp/sock" --pidfile "$tmp/pid" --user nobody --count="${NT_COUNT:-calls}" \
			2>>"$tmp/daemon.log" &
	else
		"$NETATOP" -f --socket "$tmp/sock" --pidfile "$tmp/pid" --user nobody --count="${NT_COUNT:-calls}" 2>>"$tmp/daemon.log" &
	fi
	dpid=$!
	for i in $(seq 1000); do
		[ -S "$tmp/sock" ] && grep -q '^backend' "$tmp/pid" 2>/dev/null && return 0
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.01
	done
	cat "$tmp/daemon.log" >&2
	die "the daemon did not start"
}

daemon_stop() {
	kill -TERM "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
	dpid=
}

# Its status from the pid file: dropped_calls, dropped_exits, evicted_exited.
# status_at KEY FILE: a counter of a daemon's pid file
status_at() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
daemon_status() { status_at "$1" "$tmp/pid"; }

# The BPF objects a process holds: "prog ID" / "map ID" lines.
bpf_ids() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '$1 == "prog_id:" { print "prog", $2 } $1 == "map_id:" { print "map", $2 }' | sort -u
}
daemon_bpf_ids() { bpf_ids "$dpid"; }

# prog_stats ID: "NAME RUN_TIME_NS RUN_CNT"
prog_stats() {
	bpftool prog show id "$1" | awk '
		{ for (i = 1; i < NF; i++) {
			if ($i == "name") name = $(i + 1)
			if ($i == "run_time_ns") rt = $(i + 1)
			if ($i == "run_cnt") cnt = $(i + 1) } }
		END { print name, rt + 0, cnt + 0 }'
}

# Programs from other loaders on the tracepoints netatop uses: they make the
# "without netatop" state slower than a clean kernel and the machine noisier.
others_on_hooks() {
	local mine ids
	mine=$(daemon_bpf_ids | awk '$1 == "prog" { print $2 }')
	bpftool prog show 2>/dev/null | awk '/^[0-9]+: / && / name (tpc?_sock_send_l|fx_inet_sendmsg|kp_inet_sendmsg)/ { sub(":", "", $1); print $1 }' |
		grep -vxF "$mine" | wc -l
}

# Share of the machine's CPU time others used during one second (%): the
# timings are only as good as the machine is quiet.
busy() {
	local a b
	a=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
	sleep 1
	b=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
	echo "$a $b" | awk '{ u = $3 - $1; i = $4 - $2; printf "%.0f", (u + i) ? 100 * u / (u + i) : 0 }'
}

# Before a timed round: wait (within a budget for the whole run) until the
# pinned CPU has been at least 90% idle for half a second.
QUIET_BUDGET=$([ -n "$BENCH_QUICK" ] && echo 30 || echo 120)
waited=0
cpu_busy() {
	local a b
	a=$(awk -v c="cpu$CPU" '$1 == c { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
	sleep 0.5
	b=$(awk -v c="cpu$CPU" '$1 == c { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
	echo "$a $b" | awk '{ u = $3 - $1; i = $4 - $2; printf "%.0f", (u + i) ? 100 * u / (u + i) : 0 }'
}
wait_quiet() {
	local start=$waited
	while [ "$waited" -lt "$QUIET_BUDGET" ] && [ $((waited - start)) -lt 20 ] && [ "$(cpu_busy)" -gt 10 ]; do
		waited=$((waited + 1))
		sleep 0.5
	done
}

# ---------------------------------------------------------------- header

kver=$(uname -r)
daemon_start
backend=$(daemon_status backend)
others=$(others_on_hooks)
others_storage=$(bpftool map show 2>/dev/null | grep -c 'task_storage')
daemon_stop
note "netatop bench ($mode): kernel $kver, $ncpu CPUs, backend $backend, timings pinned to CPU $CPU, $ROUNDS interleaved rounds"
note "details: $BENCH_LOG"
b=$(busy)
note "machine busy before: ${b}% of CPU time used by others (load average $(cut -d' ' -f1-3 /proc/loadavg))"
[ "$b" -gt 10 ] && note "note: the machine is not quiet: timings will be noisy"
if [ "$others" -gt 0 ]; then
	note "note: $others other netatop daemon(s) count on the same hooks:"
	note "      'without netatop' is then not a clean kernel, and timings are noisier"
fi
row "figure" "measured" "target" "old implementation" "verdict"

# ---------------------------------------------------------------- 1. BPF run time per event

log "== BPF run time per event"

# Calibration programs (nb_floor) held attached until floor_stop;
# floor_start [-c CGROUP_DIR] PROG...
floor_start() {
	local cg=
	if [ "${1:-}" = -c ]; then cg=$2; shift 2; fi
	coproc FLOOR {
		[ -z "$cg" ] || echo "$BASHPID" >"$cg/cgroup.procs"
		exec "$BENCH_BIN/nb_floor" "$BENCH_BIN/nb_floor.bpf.o" "$@" 2>>"$BENCH_LOG"
	}
	floor_pid=$FLOOR_PID floor_out=${FLOOR[0]} floor_in=${FLOOR[1]}
	read -r ready <&"$floor_out" || ready=
	[ "$ready" = ready ] || note "bench: the calibration programs $* did not load"
}
floor_stop() {
	eval "exec $floor_in>&- $floor_out<&-" 2>/dev/null
	wait "$floor_pid" 2>/dev/null
	floor_pid=
}

# stats_run IDS -- COMMAND...: run COMMAND with bpf_stats on; prints
# "NAME RUNS MEAN_NS" for each program of IDS that ran meanwhile.
stats_run() {
	local ids=() id name rt cnt
	declare -A r0 c0
	while [ "$1" != -- ]; do ids+=("$1"); shift; done
	shift
	for id in "${ids[@]}"; do
		read -r name rt cnt < <(prog_stats "$id")
		r0[$id]=$rt c0[$id]=$cnt
	done
	wait_quiet
	saved_stats=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
	"$@" >/dev/null
	sysctl -qw kernel.bpf_stats_enabled="$saved_stats"
	saved_stats=
	for id in "${ids[@]}"; do
		read -r name rt cnt < <(prog_stats "$id")
		[ $((cnt - ${c0[$id]})) -gt 0 ] &&
			echo "$name $((cnt - c0[$id])) $(calc "($rt - ${r0[$id]}) / ($cnt - ${c0[$id]})")"
	done
}
prog_ids() { bpf_ids "$1" | awk '$1 == "prog" { print $2 }'; }

workload() {
	pin "$BENCH_BIN/nb_udp" pingpong "$PP_N"
	pin "$BENCH_BIN/nb_tcp" rr "$TCP_N" 3
}

# The figure: the daemon alone on the hooks, UDP and TCP both ways; then,
# taken apart for the log, each step of the send program alone on the hook
# (so each pays what a first program pays after a system call entry), and
# the daemon's program after one that already touched the same memory.
# tracepoint backend: one program per direction (tpc_*, which also keep
# the socket's counters, where the kernel has socket storage for them,
# else tp_*); fentry (kernels < 6.3): the busiest of the inet/inet6 programs
busiest() { awk -v re="$1" '$1 ~ re && $2 > n { n = $2; m = $3 } END { print m }' "$tmp/stats"; }
step_progs="nb_floor_send nb_step_task nb_step_sock nb_step_storage nb_step_plain nb_step_count nb_alt_hash"
measure_run_time() {
	local rep p m steps
	daemon_start
	stats_run $(prog_ids "$dpid") -- workload >"$tmp/stats"
	daemon_stop
	send_ns=$(busiest '^(tpc?_sock_send_l|fx_inet6?_sendmsg)')
	recv_ns=$(busiest '^(tpc?_sock_recv_l|fx_inet6?_recvmsg)')
	while read -r name n mean; do log "bpf_stats: $name: $n runs, mean $mean ns"; done <"$tmp/stats"
	floor_start nb_step_count nb_min_recv
	stats_run $(prog_ids "$floor_pid") -- workload >"$tmp/least"
	floor_stop
	least_send=$(awk '$1 ~ /^nb_step_count/ { print $3 }' "$tmp/least")
	least_recv=$(awk '$1 ~ /^nb_min_recv/ { print $3 }' "$tmp/least")
	log "bpf_stats, least counter, same workload: send $least_send ns, recv $least_recv ns"
	declare -A step_ns
	for rep in 1 2 3; do
		for p in $step_progs; do
			# quick: the steps once, for the log; the floor, which the
			# figure is net of, always three times
			[ "$rep" = 1 ] || [ -z "$BENCH_QUICK" ] || [ "$p" = nb_floor_send ] || continue
			floor_start "$p"
			m=$(stats_run $(prog_ids "$floor_pid") -- pin "$BENCH_BIN/nb_udp" pingpong $((PP_N / 3)) | awk '{ print $3 }')
			floor_stop
			step_ns[$p]="${step_ns[$p]:-} $m"
		done
	done
	steps=
	for p in $step_progs; do
		m=$(echo "${step_ns[$p]}" | median)
		steps="$steps $p=$m"
		[ "$p" = nb_floor_send ] && floor_send=$m
		[ "$p" = nb_step_count ] && storage_ns=$m
		[ "$p" = nb_alt_hash ] && alt_hash_ns=$m
	done
	log "alone on the send hook (ns per run, median of 3$([ -n "$BENCH_QUICK" ] && echo "; quick: the floor only, the steps once")):$steps"
	log "counting into a hash keyed by pid instead of task storage: $alt_hash_ns ns instead of $storage_ns ns (nb_alt_hash vs nb_step_count)"
	floor_start nb_step_count
	daemon_start
	m=$(stats_run $(prog_ids "$dpid") -- pin "$BENCH_BIN/nb_udp" pingpong $((PP_N / 2)) | awk '$1 ~ /^tpc?_sock_send_l/ { print $3 }')
	daemon_stop
	floor_stop
	log "netatop's send program right after nb_step_count on the same hook: $m ns"
}

# bpf_stats times each run between two sched_clock() reads: an empty
# program measures those reads and the call itself, which no program can
# avoid.  The figure is netatop's program net of that floor; the raw
# bpf_stats means are printed beside it.  Its reference is the least
# counter under the same workload, net of the same floor, measured in this
# run: what a counter kept in task storage costs at least on this host (the
# storage lookup alone is 11 to 15 ns on the development machine, but 60 to
# 70 ns on some hosts).
judge_run_time() {
	if [ -n "$send_ns" ] && [ -n "$recv_ns" ] && [ -n "${floor_send:-}" ] && [ -n "$least_send" ] && [ -n "$least_recv" ]; then
		net_send=$(calc "$send_ns - $floor_send")
		net_recv=$(calc "$recv_ns - $floor_send")
		least_s=$(calc "$least_send - $floor_send")
		least_r=$(calc "$least_recv - $floor_send")
		rt_v=$(verdict2 "$net_send" 35 "$net_recv" 35 "$least_s" "$least_r")
		rt_what="$net_send / $net_recv ns (bpf_stats $send_ns / $recv_ns - empty prog $floor_send; least counter $least_s / $least_r)"
	else
		rt_v=FAIL rt_what="not measured (backend $backend)"
	fi
}

for attempt in 1 2; do
	measure_run_time
	judge_run_time
	again "$attempt" "BPF run time per event" "$rt_what" "$rt_v" || break
done
row "BPF run time per event (send / recv)" "$rt_what" "<= 35 ns" "161 / 175 ns" "$rt_v"

# ---------------------------------------------------------------- 2, 3. added time per call

log "== added time per call"

# Interleaved rounds: each round measures four states in rotating order:
# "on", a daemon started for it and stopped after it; "off", nothing
# attached; "empty", the empty programs of nb_floor on the same hooks, for
# the log: what any program there costs, whatever it does; "least", the
# least counter (nb_step_count and nb_min_recv) on the same hooks: the
# reference of these figures, measured in the same rounds.
calls_orders=("on off empty least" "off empty least on" "empty least on off" "least on off empty")
measure_added_time() {
	local r st order u t i
	udp_on=() udp_off=() udp_empty=() udp_least=() tcp_on=() tcp_off=() tcp_empty=() tcp_least=()
	for r in $(seq "$ROUNDS"); do
		order=${calls_orders[$((r % 4))]}
		for st in $order; do
			[ "$st" = on ] && daemon_start
			[ "$st" = empty ] && floor_start
			[ "$st" = least ] && floor_start nb_step_count nb_min_recv
			wait_quiet
			u=$(pin "$BENCH_BIN/nb_udp" send "$UDP_N" "$UDP_REPS")
			t=$(pin "$BENCH_BIN/nb_tcp" rr "$TCP_N" "$TCP_REPS")
			[ "$st" = on ] && daemon_stop
			[ "$st" = empty ] || [ "$st" = least ] && floor_stop
			case $st in
			on) udp_on+=("$u") tcp_on+=("$t") ;;
			off) udp_off+=("$u") tcp_off+=("$t") ;;
			empty) udp_empty+=("$u") tcp_empty+=("$t") ;;
			least) udp_least+=("$u") tcp_least+=("$t") ;;
			esac
		done
		log "round $r ($order): sendto on ${udp_on[-1]} off ${udp_off[-1]} empty ${udp_empty[-1]} least ${udp_least[-1]} ns;" \
			"tcp rr on ${tcp_on[-1]} off ${tcp_off[-1]} empty ${tcp_empty[-1]} least ${tcp_least[-1]} ns"
	done
	local udp_delta=() udp_ratio=() tcp_ratio=() udp_edelta=() tcp_eratio=() udp_ldelta=() udp_lratio=() tcp_lratio=()
	for i in "${!udp_on[@]}"; do
		udp_delta+=("$(calc "${udp_on[$i]} - ${udp_off[$i]}")")
		udp_ratio+=("$(calc "${udp_on[$i]} / ${udp_off[$i]}" 4)")
		tcp_ratio+=("$(calc "${tcp_on[$i]} / ${tcp_off[$i]}" 4)")
		udp_edelta+=("$(calc "${udp_empty[$i]} - ${udp_off[$i]}")")
		tcp_eratio+=("$(calc "${tcp_empty[$i]} / ${tcp_off[$i]}" 4)")
		udp_ldelta+=("$(calc "${udp_least[$i]} - ${udp_off[$i]}")")
		udp_lratio+=("$(calc "${udp_least[$i]} / ${udp_off[$i]}" 4)")
		tcp_lratio+=("$(calc "${tcp_least[$i]} / ${tcp_off[$i]}" 4)")
	done
	ud=$(echo "${udp_delta[*]}" | median)
	ur=$(echo "${udp_ratio[*]}" | median)
	uon=$(echo "${udp_on[*]}" | median)
	uoff=$(echo "${udp_off[*]}" | median)
	tr=$(echo "${tcp_ratio[*]}" | median)
	ton=$(echo "${tcp_on[*]}" | median)
	toff=$(echo "${tcp_off[*]}" | median)
	ued=$(echo "${udp_edelta[*]}" | median)
	ter=$(echo "${tcp_eratio[*]}" | median)
	uld=$(echo "${udp_ldelta[*]}" | median)
	ulr=$(echo "${udp_lratio[*]}" | median)
	tlr=$(echo "${tcp_lratio[*]}" | median)
	log "empty programs on the hooks: sendto +$ued ns, tcp rr x$ter; least counter: sendto +$uld ns (x$ulr), tcp rr x$tlr (medians of the rounds)"
	log "sendto per-round deltas: ${udp_delta[*]}"
	log "sendto per-round ratios: ${udp_ratio[*]}"
	log "tcp rr per-round ratios: ${tcp_ratio[*]}"
}

# The ratio targets are judged on the added part: x1.015 is 0.015 added.
judge_added_time() {
	ud_v=$(verdict2 "$ud" 40 "($ur - 1) * 1000" 15 "$uld" "($ulr - 1) * 1000")
	ud_what="+$(calc "$ud") ns ($(calc "$uoff" 0) -> $(calc "$uon" 0), x$(calc "$ur" 3); empty prog +$(calc "$ued" 0), least counter +$(calc "$uld" 0))"
	tr_v=$(verdict "($tr - 1) * 1000" 20 "($tlr - 1) * 1000")
	tr_what="x$(calc "$tr" 3) ($(calc "$toff / 1000" 2) -> $(calc "$ton / 1000" 2) us; empty prog x$(calc "$ter" 3), least counter x$(calc "$tlr" 3))"
}

for attempt in 1 2; do
	measure_added_time
	judge_added_time
	again "$attempt" "added time per call" "$ud_what; $tr_what" "$ud_v $tr_v" || break
done
row "added time per 64-byte UDP sendto()" "$ud_what" "<= 40 ns and <= x1.015" "+305 ns (2683 -> 2989, x1.11)" "$ud_v"
row "added time per TCP 1 KiB round trip" "$tr_what" "<= x1.02" "-" "$tr_v"

# ---------------------------------------------------------------- 4, 7. one reply at 10,000 live processes; RSS

log "== one reply at $NPROC_REPLY live processes"

# Processes beyond what the kernel allows by default (pid_max 32768 on
# small machines) and RLIMIT_NPROC: raised here, restored at exit.
need_pids() {
	local want=$(($1 * 2 + 10000)) cur
	cur=$(sysctl -n kernel.pid_max)
	if [ "$cur" -lt "$want" ]; then
		[ -z "$saved_pid_max" ] && saved_pid_max=$cur
		sysctl -qw kernel.pid_max=4194304 || die "cannot raise kernel.pid_max"
	fi
	[ "$(sysctl -n kernel.threads-max)" -gt $(($1 + 10000)) ] ||
		die "kernel.threads-max is below $1 + 10000: raise it first"
	ulimit -u unlimited 2>/dev/null || ulimit -u $(($1 + 20000)) 2>/dev/null
}

need_pids "$NPROC_REPLY"
daemon_start
# the program that gathers a reply's live records: the walk where the
# kernel has it, else the task iterator's
iter_id=$(for id in $(daemon_bpf_ids | awk '$1 == "prog" { print $2 }'); do
	prog_stats "$id" | awk -v id="$id" '$1 ~ /^nt_walk_procs/ { print 1, id } $1 ~ /^nt_dump_tasks/ { print 2, id }'; done |
	sort -n | awk 'NR == 1 { print $2 }')
iter_name=$(prog_stats "$iter_id" | awk '{ print $1 }')
tasks_map=$(for id in $(daemon_bpf_ids | awk '$1 == "map" { print $2 }'); do
	bpftool map show id "$id"; done | awk '/task_storage/ && / name nt_tasks / { sub(":", "", $1); print $1 }')
saved_stats=$(sysctl -n kernel.bpf_stats_enabled)
# While the processes live: the timed replies, one more under strace, the
# RSS; then, for the log, the walk alone and the iterator program's share.
cat >"$tmp/phase10k.sh" <<EOF
"$BENCH_BIN/nb_client" -s "$tmp/sock" -n "$REQS" -p "$tmp/pids" -d "$dpid" -r -t "$tmp/strace"
awk '/^[0-9a-f]+-[0-9a-f]+ / { m = (\$NF == "anon_inode:bpf-map") } m && \$1 == "Rss:" { s += \$2 } END { print "ringbuf_rss_kb=" s + 0 }' /proc/$dpid/smaps
"$BENCH_BIN/nb_floor" "$BENCH_BIN/nb_floor.bpf.o" walk 5 $tasks_map
[ -n "$iter_id" ] || exit 0
sysctl -qw kernel.bpf_stats_enabled=1
bpftool prog show id $iter_id | awk '{ for (i = 1; i < NF; i++) { if (\$i == "run_time_ns") r = \$(i + 1); if (\$i == "run_cnt") c = \$(i + 1) } } END { print "iter_rt0=" r + 0, "iter_cnt0=" c + 0 }'
"$BENCH_BIN/nb_client" -s "$tmp/sock" -n 3 | sed 's/median_ms=/stats_median_ms=/'
bpftool prog show id $iter_id | awk '{ for (i = 1; i < NF; i++) { if (\$i == "run_time_ns") r = \$(i + 1); if (\$i == "run_cnt") c = \$(i + 1) } } END { print "iter_rt1=" r + 0, "iter_cnt1=" c + 0 }'
sysctl -qw kernel.bpf_stats_enabled=$saved_stats
EOF
wait_quiet
"$BENCH_BIN/nb_spawn" -l "$NPROC_REPLY" -o "$tmp/pids" -- bash "$tmp/phase10k.sh" \
	>"$tmp/reply10k" 2>>"$BENCH_LOG"
saved_stats=
daemon_stop
log "reply at $NPROC_REPLY live: $(tr '\n' ' ' <"$tmp/reply10k")"
log "strace -c of the daemon around one request:"
cat "$tmp/strace" >>"$BENCH_LOG"
get() { grep -o "$1=[0-9.-]*" "$2" | head -1 | cut -d= -f2; }
ringbuf_rss=$(get ringbuf_rss_kb "$tmp/reply10k")
walk=$(get walk_ms "$tmp/reply10k")
tasks=$(get tasks "$tmp/reply10k")
procs_ms=$(get procs_ms "$tmp/reply10k")
rt0=$(get iter_rt0 "$tmp/reply10k") rt1=$(get iter_rt1 "$tmp/reply10k")
c0=$(get iter_cnt0 "$tmp/reply10k") c1=$(get iter_cnt1 "$tmp/reply10k")
if [ -n "$walk" ]; then
	log "reply breakdown: the kernel's task walk alone (empty iter/task program, $tasks tasks): $walk ms"
	[ -n "$procs_ms" ] && log "  an open-coded walk over processes only (bpf_iter_task, BPF_PROG_RUN): $procs_ms ms"
	dump_ms=$(get dump_ms "$tmp/reply10k")
	[ -n "$dump_ms" ] && log "  that walk doing a reply's work (netatop's counters into a ring buffer, consumed): $dump_ms ms for $(get dumped "$tmp/reply10k") records"
	if [ -n "$rt1" ] && [ "$((c1 - c0))" -gt 0 ]; then
		case $iter_name in
		nt_walk_procs*)
			log "  netatop's process walk (nt_walk_procs, what a reply runs here): $(calc "($rt1 - $rt0) / ($c1 - $c0) / 1000000" 3) ms per reply" ;;
		*)
			log "  netatop's iterator program: $(calc "($rt1 - $rt0) / ($c1 - $c0)") ns per task visited, $(calc "($rt1 - $rt0) / 3 / 1000000" 3) ms per reply" ;;
		esac
	fi
fi
ms=$(get median_ms "$tmp/reply10k")
sc=$(get syscalls "$tmp/reply10k")
recs=$(get records "$tmp/reply10k")
missing=$(get missing "$tmp/reply10k")
rss=$(get rss_kb "$tmp/reply10k")
if [ -z "$ms" ] || [ -z "$sc" ]; then
	row "one reply, 10,000 live processes" "no reply" "<= 5 ms, <= 50 syscalls" "~120 ms, ~40,000 syscalls" FAIL
else
	v=$(verdict2 "$ms" 5 "$sc" 50)
	[ "${missing:-1}" = 0 ] || { v=FAIL; note "reply at $NPROC_REPLY: $missing processes missing"; }
	row "one reply, 10,000 live processes" "$ms ms, $sc syscalls ($recs records)" "<= 5 ms, <= 50 syscalls" "~120 ms, ~40,000 syscalls" "$v"
fi

# ---------------------------------------------------------------- 5. one reply at 50,000 processes

log "== one reply at $BIG processes"

exited=$((BIG / 2))
live=$((BIG - exited))
need_pids "$BIG"
measure_big() {
	daemon_start
	wait_quiet
	# The loss counters are read while the live ones still live: they are
	# about the reply.  Their release afterwards, all at once, is a burst of
	# exits of its own, reported apart.
	# shellcheck disable=SC2016 # expanded by the inner shell
	"$BENCH_BIN/nb_spawn" -x "$exited" -l "$live" -o "$tmp/pidsbig" -- \
		sh -c '"$1" -s "$2" -n "$3" -p "$4" && "$5" --list --socket "$2" >/dev/null && cp "$6" "$6.reply"' \
		sh "$BENCH_BIN/nb_client" "$tmp/sock" "$REQS" "$tmp/pidsbig" "$NETATOP" "$tmp/pid" \
		>"$tmp/replybig" 2>>"$BENCH_LOG"
	drops="calls $(status_at dropped_calls "$tmp/pid.reply"), exits $(status_at dropped_exits "$tmp/pid.reply"), evicted $(status_at evicted_exited "$tmp/pid.reply")"
	ndrops=$(( $(status_at dropped_calls "$tmp/pid.reply") + $(status_at dropped_exits "$tmp/pid.reply") + $(status_at evicted_exited "$tmp/pid.reply") ))
	"$NETATOP" --list --socket "$tmp/sock" >/dev/null
	log "afterwards, the $live live processes released at once: $(( $(daemon_status dropped_exits) - $(status_at dropped_exits "$tmp/pid.reply") )) exit records lost (a burst beyond --exit-buffer, default about 20,100)"
	daemon_stop
	log "reply at $exited exited + $live live: $(tr '\n' ' ' <"$tmp/replybig"); daemon drops: $drops"
	ms=$(get median_ms "$tmp/replybig")
	recs=$(get records "$tmp/replybig")
	missing=$(get missing "$tmp/replybig")
	wrong=$(get wrong "$tmp/replybig")
	lost=$(( ${missing:-$BIG} + ${wrong:-0} + ndrops ))
}

# Only the reply's time is measured again: a lost record is no noise.
judge_big() {
	big_retry=PASS
	if [ -z "$ms" ]; then
		big_v=FAIL big_what="no reply"
	else
		# quick mode measures 10,000 and scales linearly
		scaled=$(calc "$ms * $BIG_TARGET_N / $BIG" 2)
		big_what="$ms ms, $lost lost ($recs records)"
		[ "$BIG" != "$BIG_TARGET_N" ] && big_what="$scaled ms (x$((BIG_TARGET_N / BIG)) of $ms ms at $BIG), $lost lost"
		big_v=$(verdict "$scaled" 25)
		if [ "$lost" = 0 ]; then big_retry=$big_v; else big_v=FAIL; fi
	fi
}

for attempt in 1 2; do
	measure_big
	judge_big
	again "$attempt" "one reply at $BIG processes" "$big_what" "$big_retry" || break
done
row "one reply, 50,000 processes (half exited)" "$big_what" "<= 25 ms; nothing dropped" "-" "$big_v"

# ---------------------------------------------------------------- 6. kernel memory for 100,000 tracked tasks

log "== kernel memory"

# The daemon runs in a memory cgroup of its own: everything the kernel
# charges it (BPF maps and programs, task storage, its own kernel objects)
# is that cgroup's kernel memory.
memcg_kmem() {
	if [ -r "$1/memory.kmem.usage_in_bytes" ]; then
		cat "$1/memory.kmem.usage_in_bytes"
	else
		awk '$1 == "kernel" { print $2 }' "$1/memory.stat"
	fi
}
memcg_dir() {
	local rel
	rel=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
	if [ -n "$rel" ] && [ -d "/sys/fs/cgroup/memory$rel" ]; then
		echo "/sys/fs/cgroup/memory$rel"
	elif rel=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup) && [ -f "/sys/fs/cgroup$rel/memory.stat" ]; then
		echo "/sys/fs/cgroup$rel"
	fi
}
# Sizes from the kernel's BTF: what one process's counters cost.
btf_raw() { bpftool btf dump file /sys/kernel/btf/vmlinux format raw 2>/dev/null; }
btf_size() { btf_raw | awk -v s="'$1'" '$2 == "STRUCT" && $3 == s { sub("size=", "", $4); print $4; exit }'; }
# btf_offset STRUCT MEMBER: byte offset
btf_offset() {
	btf_raw | awk -v s="'$1'" -v m="'$2'" '
		$2 == "STRUCT" { cur = ($3 == s) ; next }
		cur && $1 == m { for (i = 2; i <= NF; i++) if ($i ~ /^bits_offset=/) { sub("bits_offset=", "", $i); print $i / 8; exit } }'
}
# kmem_with N CGROUP_DIR: the cgroup's kernel memory while N more processes
# live, each having sent a datagram
kmem_with() {
	"$BENCH_BIN/nb_spawn" -l "$1" -- bash -c "sleep 1; $(declare -f memcg_kmem); memcg_kmem '$2'" 2>>"$BENCH_LOG"
}
kmalloc_class() { awk -v n="$1" 'BEGIN { split("8 16 32 64 96 128 192 256 512 1024 2048 4096 8192", c, " "); for (i = 1; i <= 13; i++) if (n <= c[i]) { print c[i]; exit } print n }'; }

parent=$(memcg_dir)
if [ -n "$parent" ] && cgroup="$parent/netatop-bench.$$" && mkdir "$cgroup" 2>/dev/null; then
	need_pids "$MEM_N"
	daemon_start "$cgroup"
	"$BENCH_BIN/nb_client" -s "$tmp/sock" -n 1 >/dev/null
	sleep 0.5
	k0=$(memcg_kmem "$cgroup")
	tasks_map=$(for id in $(daemon_bpf_ids | awk '$1 == "map" { print $2 }'); do
		bpftool map show id "$id"; done | awk '/task_storage/ && / name nt_tasks / { sub(":", "", $1); print $1 }')
	value=$(bpftool map show id "$tasks_map" | grep -o 'value [0-9]*B' | tr -dc '0-9')
	memlock=$(for id in $(daemon_bpf_ids | awk '{ print $1 ":" $2 }'); do
		bpftool "${id%%:*}" show id "${id#*:}"; done | grep -o 'memlock [0-9]*B' | tr -dc '0-9\n' | awk '{ s += $1 } END { print s + 0 }')
	k1=$(kmem_with "$MEM_N" "$cgroup")
	nprogs=$(daemon_bpf_ids | grep -c '^prog')
	nstorage=$(for id in $(daemon_bpf_ids | awk '$1 == "map" { print $2 }'); do
		bpftool map show id "$id"; done | grep -c task_storage)
	others_storage=$(( $(bpftool map show 2>/dev/null | grep -c 'task_storage') - 1 ))
	daemon_stop
	rmdir "$cgroup" 2>/dev/null && cgroup=
	per=$(calc "($k1 - $k0) / $MEM_N" 0)
	# One process costs the kernel an element of the task storage map
	# (header up to the cache-line aligned data, then the 64-byte counters,
	# in a kmalloc size class) and, unless another task-storage user made it
	# first, the task's bpf_local_storage container.
	elem_bytes=$(( $(btf_offset bpf_local_storage_elem sdata) + $(btf_offset bpf_local_storage_data data) + value ))
	elem=$(kmalloc_class "$elem_bytes")
	owner=$(kmalloc_class "$(btf_size bpf_local_storage)")
	log "kernel memory: idle daemon $k0 B (BPF memlock $memlock B), with $MEM_N tracked tasks $k1 B: $per B per task"
	log "per process from BTF: element $elem_bytes B -> $elem B (kmalloc class) + task container $owner B (if netatop creates it)"
	if [ "$others_storage" -gt 0 ] && [ "$per" -lt $((elem + owner)) ]; then
		note "note: $others_storage other task-storage maps exist: they made part of the per-task containers,"
		note "      measured $per B per task; alone netatop pays element + container: $((elem + owner)) B"
		per=$((elem + owner))
	fi
	total=$(calc "($k0 + $MEM_TARGET_N * $per) / 1048576" 1)
	# No map is per-CPU and the ring buffer has a fixed size.  What grows
	# with the CPUs is the kernel's own bookkeeping: each loaded program's
	# run statistics and recursion counter (per CPU), and each task-storage
	# map's bucket array (one bucket per possible CPU, rounded to a power of
	# two).
	possible=$(awk -F- '{ print $NF + 1 }' /sys/devices/system/cpu/possible)
	pcpu_b=$(( nprogs * ($(btf_size bpf_prog_stats) + 4) + nstorage * $(btf_size bpf_local_storage_map_bucket) ))
	total256=$(calc "($k0 + $MEM_TARGET_N * $per + $pcpu_b * (256 - $possible)) / 1048576" 1)
	log "per-CPU kernel bookkeeping: $nprogs programs, $nstorage task-storage maps: $pcpu_b B per CPU"
	how="$total MB ($(calc "$k0 / 1048576" 1) MB + $per B/task)"
	[ "$MEM_N" != "$MEM_TARGET_N" ] && how="$how, from $MEM_N"
	v=$(verdict "$total" 16 "$REF_KMEM_MB")
	row "kernel memory, 100,000 tracked tasks" "$how; 256 CPUs $total256 MB" "<= 16 MB, no CPU term" "8.9 MB + 2.6 MB/CPU" "$v"
	# what one process costs, whatever their number: the figure the total
	# above grows by, held to what task storage's two objects cost
	v=$(verdict "$per" 450)
	row "kernel memory per tracked process" "$per B (element $elem B + container $owner B, from $MEM_N)" "<= 450 B" "-" "$v"

	# For the log: the same counters in a hash keyed by pid (nb_alt_hash,
	# at most 131,072 processes), the design the figure would need.  Its
	# idle memory is mostly the bucket array; the per-process cost is linear,
	# so 20,000 processes are enough to measure it.
	altcg="$parent/netatop-bench-alt.$$"
	if mkdir "$altcg" 2>/dev/null; then
		floor_start -c "$altcg" nb_alt_hash
		sleep 0.5
		a0=$(memcg_kmem "$altcg")
		alt_n=$((MEM_N < 20000 ? MEM_N : 20000))
		a1=$(kmem_with "$alt_n" "$altcg")
		floor_stop
		rmdir "$altcg" 2>/dev/null && altcg=
		alt_per=$(calc "($a1 - $a0) / $alt_n" 0)
		log "counters in a hash keyed by pid instead: $(calc "$a0 / 1048576" 1) MB idle (the hash) + $alt_per B per process;" \
			"with netatop's other fixed memory $(calc "($k0 + $a0 + $MEM_TARGET_N * $alt_per) / 1048576" 1) MB for $MEM_TARGET_N processes"
	fi
else
	cgroup=
	row "kernel memory, 100,000 tracked tasks" "no memory cgroup to measure in" "<= 16 MB, no CPU term" "8.9 MB + 2.6 MB/CPU" FAIL
	row "kernel memory per tracked process" "no memory cgroup to measure in" "<= 450 B" "-" FAIL
fi

# ---------------------------------------------------------------- 7. RSS (measured with the 10,000 processes above)

if [ -n "$rss" ]; then
	v=$(verdict "$rss" 10240)
	row "daemon RSS, 10,000 processes" "$(calc "$rss / 1024" 1) MB (mapped BPF maps: $(calc "$ringbuf_rss / 1024" 1) MB)" "<= 10 MB" "-" "$v"
else
	row "daemon RSS, 10,000 processes" "not measured" "<= 10 MB" "-" FAIL
fi

# ---------------------------------------------------------------- 8. idle wake-ups

log "== idle wake-ups"

# No client for IDLE seconds while other processes send traffic and exit:
# every wake-up of the daemon ends in a voluntary context switch.
switches() { cat /proc/"$dpid"/task/*/status | awk '$1 == "voluntary_ctxt_switches:" { v += $2 } $1 == "nonvoluntary_ctxt_switches:" { n += $2 } END { print v + 0, n + 0 }'; }
daemon_start
sleep 1
read -r v0 n0 < <(switches)
"$BENCH_BIN/nb_udp" trickle "$IDLE" >"$tmp/trickle"
read -r v1 n1 < <(switches)
daemon_stop
wakeups=$((v1 - v0))
log "idle $IDLE s: voluntary switches $v0 -> $v1, involuntary $n0 -> $n1; background: $(cat "$tmp/trickle")"
v=$(verdict "$wakeups" 0)
row "idle wake-ups (no client for $IDLE s)" "$wakeups (traffic and $(get exited_children "$tmp/trickle") exits meanwhile)" "0" "1 per second" "$v"

# ---------------------------------------------------------------- 9-14. wire counting (--count=wire)

log "== wire counting"

# The packet programs sit at the root of the cgroup v2 hierarchy, as the
# daemon attaches them: the calibration programs go to the same place.
cg2_root() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break; if ($(i + 1) == "cgroup2" && $4 == "/") { print $5; exit } }' /proc/self/mountinfo
}
NB_CGROUP2=$(cg2_root)
if [ -z "$NB_CGROUP2" ]; then
	mkdir -p "$tmp/cg2" && mount -t cgroup2 none "$tmp/cg2" && cg2_mounted=$tmp/cg2 && NB_CGROUP2=$tmp/cg2
fi
export NB_CGROUP2
log "cgroup v2 root: ${NB_CGROUP2:-none}${cg2_mounted:+ (mounted here)}"

# 9, 10. BPF run time per packet and per call: the wire daemon alone on
# its hooks under the calls figure's workload; the empty programs on the
# same hooks (the floor, as for the calls figure); the least wire counter
# (nb_lw_*: claiming the socket per call, crediting its owner per
# packet), the reference: one socket storage lookup and one task storage
# lookup per packet already cost more than the target on some hosts.
lw_progs="nb_lw_send nb_lw_recv nb_lw_egress nb_lw_ingress"
# the calls figure's workload, a third of it per round
wire_workload() {
	pin "$BENCH_BIN/nb_udp" pingpong $((PP_N / 3))
	pin "$BENCH_BIN/nb_tcp" rr $((TCP_N / 3)) 3
}
# mean_of REGEX FILE: the median over the rounds of the mean run time of
# the program matching, nothing when it did not run
mean_of() {
	local v
	v=$(awk -v re="$1" '$1 ~ re { print $3 }' "$2")
	[ -z "$v" ] || echo "$v" | median
}
# Three rounds of the three states in rotating order, each program's
# figure the median of its rounds: the states' difference is a few
# nanoseconds while the host drifts by more between minutes.
wire_time_orders=("wire empty least" "empty least wire" "least wire empty")
measure_wire_time() {
	local r st f
	: >"$tmp/wstats"
	: >"$tmp/fstats"
	: >"$tmp/lwstats"
	for r in 0 1 2; do
		for st in ${wire_time_orders[$r]}; do
			case $st in
			wire)
				NT_COUNT=wire daemon_start
				stats_run $(prog_ids "$dpid") -- wire_workload >>"$tmp/wstats"
				daemon_stop ;;
			empty)
				floor_start nb_floor_send nb_floor_recv nb_floor_skb_egress nb_floor_skb_ingress
				stats_run $(prog_ids "$floor_pid") -- wire_workload >>"$tmp/fstats"
				floor_stop ;;
			least)
				floor_start $lw_progs
				stats_run $(prog_ids "$floor_pid") -- wire_workload >>"$tmp/lwstats"
				floor_stop ;;
			esac
		done
	done
	for f in wstats:wire fstats:empty lwstats:"least wire counter"; do
		while read -r name n mean; do log "bpf_stats, ${f#*:}: $name: $n runs, mean $mean ns"; done <"$tmp/${f%%:*}"
	done
	eg_ns=$(mean_of '^nt_wire_egress' "$tmp/wstats") in_ns=$(mean_of '^nt_wire_ingress' "$tmp/wstats")
	ws_ns=$(mean_of '^tpw_sock_send' "$tmp/wstats") wr_ns=$(mean_of '^tpw_sock_recv' "$tmp/wstats")
	feg_ns=$(mean_of '^nb_floor_skb_eg' "$tmp/fstats") fin_ns=$(mean_of '^nb_floor_skb_in' "$tmp/fstats")
	fs_ns=$(mean_of '^nb_floor_send' "$tmp/fstats") fr_ns=$(mean_of '^nb_floor_recv' "$tmp/fstats")
	lweg_ns=$(mean_of '^nb_lw_egress' "$tmp/lwstats") lwin_ns=$(mean_of '^nb_lw_ingress' "$tmp/lwstats")
	lws_ns=$(mean_of '^nb_lw_send' "$tmp/lwstats") lwr_ns=$(mean_of '^nb_lw_recv' "$tmp/lwstats")
}
judge_wire_time() {
	if [ -n "$eg_ns" ] && [ -n "$in_ns" ] && [ -n "$feg_ns" ] && [ -n "$fin_ns" ] && [ -n "$lweg_ns" ] && [ -n "$lwin_ns" ]; then
		net_eg=$(calc "$eg_ns - $feg_ns") net_in=$(calc "$in_ns - $fin_ns")
		lw_eg=$(calc "$lweg_ns - $feg_ns") lw_in=$(calc "$lwin_ns - $fin_ns")
		pk_v=$(verdict2 "$net_eg" 30 "$net_in" 30 "$lw_eg" "$lw_in")
		pk_what="$net_eg / $net_in ns (bpf_stats $eg_ns / $in_ns - empty prog $feg_ns / $fin_ns; least wire counter $lw_eg / $lw_in)"
	else
		pk_v=FAIL pk_what="not measured (cgroup v2 root ${NB_CGROUP2:-none})"
	fi
	if [ -n "$ws_ns" ] && [ -n "$wr_ns" ] && [ -n "$fs_ns" ] && [ -n "$fr_ns" ] && [ -n "$lws_ns" ] && [ -n "$lwr_ns" ]; then
		net_ws=$(calc "$ws_ns - $fs_ns") net_wr=$(calc "$wr_ns - $fr_ns")
		lw_s=$(calc "$lws_ns - $fs_ns") lw_r=$(calc "$lwr_ns - $fr_ns")
		pc_v=$(verdict2 "$net_ws" 25 "$net_wr" 25 "$lw_s" "$lw_r")
		pc_what="$net_ws / $net_wr ns (bpf_stats $ws_ns / $wr_ns - empty prog $fs_ns / $fr_ns; least wire counter $lw_s / $lw_r)"
	else
		pc_v=FAIL pc_what="not measured (backend $backend)"
	fi
}
for attempt in 1 2; do
	measure_wire_time
	judge_wire_time
	again "$attempt" "BPF run time, wire" "$pk_what; $pc_what" "$pk_v $pc_v" || break
done
row "BPF run time per packet (eg / in), wire" "$pk_what" "<= 30 ns" "-" "$pk_v"
row "BPF run time per call (send / recv), wire" "$pc_what" "<= 25 ns" "-" "$pc_v"

# 11. sendto() counting wire packets against counting calls: interleaved
# rounds of four states in rotating order, a daemon started for each of
# the first two.  The reference: the same difference between the least
# wire counter and the least counter of calls, but never less than the
# least wire counter's own egress run time (figure 9): whatever counts
# packets runs one program more per datagram, and that difference alone
# spreads from 20 to 240 ns from one run to the next here.
wire_orders=("wire calls lwire lcalls" "calls lwire lcalls wire" "lwire lcalls wire calls" "lcalls wire calls lwire")
measure_sendto_wire() {
	local r st order u i
	sw_wire=() sw_calls=() sw_lwire=() sw_lcalls=() sw_delta=() sw_ldelta=()
	for r in $(seq "$WIRE_ROUNDS"); do
		order=${wire_orders[$((r % 4))]}
		for st in $order; do
			case $st in
			wire | calls) NT_COUNT=$st daemon_start ;;
			lwire) floor_start $lw_progs ;;
			lcalls) floor_start nb_step_count nb_min_recv ;;
			esac
			wait_quiet
			u=$(pin "$BENCH_BIN/nb_udp" send "$UDP_N" "$UDP_REPS")
			case $st in
			wire | calls) daemon_stop ;;
			*) floor_stop ;;
			esac
			eval "sw_$st+=(\"\$u\")"
		done
		sw_delta+=("$(calc "${sw_wire[-1]} - ${sw_calls[-1]}")")
		sw_ldelta+=("$(calc "${sw_lwire[-1]} - ${sw_lcalls[-1]}")")
		log "round $r ($order): sendto wire ${sw_wire[-1]} calls ${sw_calls[-1]} least wire ${sw_lwire[-1]} least calls ${sw_lcalls[-1]} ns"
	done
	log "sendto wire - calls per-round deltas: ${sw_delta[*]}; least wire - least calls: ${sw_ldelta[*]}"
	swd=$(echo "${sw_delta[*]}" | median)
	swld=$(echo "${sw_ldelta[*]}" | median)
	swc=$(echo "${sw_calls[*]}" | median)
	sww=$(echo "${sw_wire[*]}" | median)
	sw_ref=$swld
	[ -n "${lweg_ns:-}" ] && ! le "$lweg_ns" "$swld" && sw_ref=$lweg_ns
	sw_v=$(verdict "$swd" 40 "$sw_ref")
	sw_what="$(calc "$swd" | sed 's/^[0-9]/+&/') ns (calls $(calc "$swc" 0) -> wire $(calc "$sww" 0); least counters $(calc "$swld" | sed 's/^[0-9]/+&/'))"
}
for attempt in 1 2; do
	measure_sendto_wire
	again "$attempt" "sendto(), wire against calls" "$sw_what" "$sw_v" || break
done
row "64-byte UDP sendto(), wire vs calls" "$sw_what" "<= +40 ns" "-" "$sw_v"

# 12. The connection query (netatop --list --connections --pid PID) for
# one process holding CONN_N connections: the daemon walks every TCP
# socket of its network namespace (the accepted ends too) for that
# process's.  Median of 7 queries on one connection.  Before the memory
# figure: the time-wait sockets its connections leave are in that walk.
measure_conn_query() {
	NT_COUNT=wire daemon_start
	wait_quiet
	# shellcheck disable=SC2016 # expanded by the inner shell
	"$BENCH_BIN/nb_tcp" one "$CONN_N" -- sh -c '"$1" -c "$2" -P "$NB_PID" -n 7' sh \
		"$BENCH_BIN/nb_client" "$tmp/sock.conn" >"$tmp/connq" 2>>"$BENCH_LOG"
	daemon_stop
	log "connection query at $CONN_N connections of one process: $(cat "$tmp/connq")"
	cq_ms=$(get conn_median_ms "$tmp/connq")
	cq_n=$(get conns "$tmp/connq")
	if [ -z "$cq_ms" ]; then
		cq_v=FAIL cq_what="no reply"
	else
		cq_v=$(verdict "$cq_ms" 50)
		cq_what="$cq_ms ms ($cq_n connections; fastest $(get conn_min_ms "$tmp/connq") ms)"
	fi
}
for attempt in 1 2; do
	measure_conn_query
	again "$attempt" "connection query" "$cq_what" "$cq_v" || break
done
[ "${cq_n:-0}" -ge "$CONN_N" ] || { cq_v=FAIL; note "connection query: $cq_n of $CONN_N connections listed"; }
row "connection query, 10,000 conns, 1 process" "$cq_what" "<= 50 ms" "-" "$cq_v"

# 13. Kernel memory per socket: socket storage (nt_socks) is charged to the
# memory cgroup of the map's owner, the daemon's, not to the sockets'
# processes; nb_tcp runs outside the daemon's cgroup.  N connections (2N
# sockets) that each moved a byte each way, then N that moved nothing.
# kmem_conns N moved|idle CGROUP_DIR: the cgroup's kernel memory while the
# connections are open
kmem_conns() {
	"$BENCH_BIN/nb_tcp" conns "$1" "$2" -- bash -c "sleep 1; $(declare -f memcg_kmem); memcg_kmem '$3'" 2>>"$BENCH_LOG"
}
# settled CGROUP_DIR: its kernel memory once freed storage is back (RCU)
settled() { sleep 1; memcg_kmem "$1"; }
parent=$(memcg_dir)
if [ -n "$parent" ] && cgroup="$parent/netatop-bench-wire.$$" && mkdir "$cgroup" 2>/dev/null; then
	NT_COUNT=wire daemon_start "$cgroup"
	"$BENCH_BIN/nb_client" -s "$tmp/sock" -n 1 >/dev/null
	w0=$(settled "$cgroup")
	w1=$(kmem_conns "$SOCK_N" moved "$cgroup")
	w2=$(settled "$cgroup")
	w3=$(kmem_conns "$SOCK_N" idle "$cgroup")
	socks_map=$(for id in $(daemon_bpf_ids | awk '$1 == "map" { print $2 }'); do
		bpftool map show id "$id"; done | awk '/sk_storage/ && / name nt_socks / { sub(":", "", $1); print $1 }')
	svalue=$(bpftool map show id "$socks_map" 2>/dev/null | grep -o 'value [0-9]*B' | tr -dc '0-9')
	daemon_stop
	rmdir "$cgroup" 2>/dev/null && cgroup=
	per_moved=$(calc "($w1 - $w0) / (2 * $SOCK_N)" 0)
	per_idle=$(calc "($w3 - $w2) / (2 * $SOCK_N)" 0)
	# What one socket costs from the kernel's BTF: the element (header up
	# to the cache-line aligned data, then the value) and the socket's
	# bpf_local_storage container, each in a kmalloc size class.
	selem_bytes=$(( $(btf_offset bpf_local_storage_elem sdata) + $(btf_offset bpf_local_storage_data data) + ${svalue:-56} ))
	selem=$(kmalloc_class "$selem_bytes") sowner=$(kmalloc_class "$(btf_size bpf_local_storage)")
	log "kernel memory, wire: idle daemon $w0 B; $SOCK_N connections that moved 1 byte each way: $w1 B ($per_moved B per socket);" \
		"back to $w2 B; $SOCK_N connections that moved nothing: $w3 B ($per_idle B per socket)"
	log "per socket from BTF: element $selem_bytes B -> $selem B (kmalloc class) + socket container $sowner B = $((selem + sowner)) B"
	# socket storage has no per-CPU part (no per-CPU map; elements and
	# containers are plain allocations)
	v=$(verdict2 "$per_moved" 320 "$per_idle" 16 "" "$REF_SOCK_IDLE_B")
	row "kernel memory per socket, wire" "$per_moved B per socket used, $per_idle B unused ($SOCK_N connections; BTF: $selem + $sowner B)" \
		"<= 320 B, unused ~0" "-" "$v"
else
	cgroup=
	row "kernel memory per socket, wire" "no memory cgroup to measure in" "<= 320 B, unused ~0" "-" FAIL
fi

# 14. TCP throughput between two network namespaces over a veth pair
# (MTU 1500, so the packet programs see segments of a real link's size,
# not loopback's 64 KiB): bulk one way, the wire daemon against nothing,
# in interleaved rounds whose order alternates; the median of the
# per-round ratios: short rounds, many of them, so that a burst of other
# work spoils few.  Not pinned: sender and receiver on one CPU come out
# at either of two rates, some 30% apart, by how they happen to take
# turns; on two CPUs the rate is steady within 2%.
ns_src=nb-src.$$ ns_sink=nb-sink.$$
veth_setup() {
	ip netns add "$ns_src" && ip netns add "$ns_sink" &&
		ip link add "nbs$$" netns "$ns_src" mtu 1500 type veth peer name "nbk$$" netns "$ns_sink" mtu 1500 &&
		ip -n "$ns_src" addr add 10.231.0.1/24 dev "nbs$$" &&
		ip -n "$ns_sink" addr add 10.231.0.2/24 dev "nbk$$" &&
		ip -n "$ns_src" link set "nbs$$" up && ip -n "$ns_sink" link set "nbk$$" up &&
		ip -n "$ns_src" link set lo up && ip -n "$ns_sink" link set lo up
}
measure_bulk() {
	local r st order m
	bulk_wire=() bulk_off=() bulk_ratio=()
	for r in $(seq "$BULK_ROUNDS"); do
		if [ $((r % 2)) = 1 ]; then order="wire off"; else order="off wire"; fi
		wait_quiet
		for st in $order; do
			[ "$st" = wire ] && NT_COUNT=wire daemon_start
			m=$("$BENCH_BIN/nb_tcp" bulk "$BULK_MS" "$ns_sink" 10.231.0.2 "$ns_src" 2>>"$BENCH_LOG")
			[ "$st" = wire ] && daemon_stop
			eval "bulk_$st+=(\"\${m:-0}\")"
		done
		bulk_ratio+=("$(calc "${bulk_wire[-1]} / (${bulk_off[-1]} + 0.001)" 4)")
		log "round $r ($order): veth throughput wire ${bulk_wire[-1]} off ${bulk_off[-1]} Mbit/s"
	done
	log "veth throughput per-round ratios: ${bulk_ratio[*]}"
	bk_r=$(echo "${bulk_ratio[*]}" | median)
	# judged on what is lost: 97% is 3% lost
	bk_v=$(verdict "(1 - $bk_r) * 100" 3 "$REF_VETH_LOST_PCT")
	bk_what="$(calc "$bk_r * 100" 1)% ($(echo "${bulk_off[*]}" | median) -> $(echo "${bulk_wire[*]}" | median) Mbit/s)"
}
if veth_setup 2>>"$BENCH_LOG"; then
	for attempt in 1 2; do
		measure_bulk
		again "$attempt" "veth throughput" "$bk_what" "$bk_v" || break
	done
	row "TCP throughput over veth, wire vs none" "$bk_what" ">= 97%" "-" "$bk_v"
else
	row "TCP throughput over veth, wire vs none" "no network namespaces here" ">= 97%" "-" FAIL
fi
ip netns del "$ns_src" 2>/dev/null && ns_src=
ip netns del "$ns_sink" 2>/dev/null && ns_sink=

note "machine busy after: $(busy)% of CPU time used by others; waited ${waited} s in all for a quiet CPU $CPU"
note "figures: $passes passed, $misses missed, $fails failed"
[ "$misses" -gt 0 ] && note "(missed: target not met, no regression against the reference figure; quick mode only)"
[ "$fails" = 0 ]
