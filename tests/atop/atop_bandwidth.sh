#!/bin/sh
# Acceptance test with the real atop: during a TCP bulk transfer over a
# veth, the per-process bytes sent that atop shows with -K (BANDWO, from
# its parsable output -P PRN) add up, over the processes of the sender's
# network namespace, to the bytes the interface sent in the same sample
# (-P NET, the "so" of the interface line) within 1%.
#
# atop comes from tests/atop/fetch-atop.sh (Debian unstable's, cached in
# $NETATOP_ATOP_CACHE, default tests/atop/cache of the build tree), or is
# $NETATOP_ATOP.  It runs in the sender's namespace and in a mount
# namespace of its own, where /run is a tmpfs whose netatop-bpf-socket
# leads to the socket of the daemon under test.
#
# The transfer runs twice.  With TSO and GSO off every packet is one
# segment, as a NIC sends it, and the interface's "so" is the bytes on the
# wire: atop's sum must be within 1% of it.  With the veth's default
# offloads a GSO aggregate of up to 64 KiB passes the veth as one packet,
# counted with one set of headers where the wire carries one per segment:
# the ratio to that "so" is shown, and atop's sum must be within 1% of it
# plus the headers of the segments the veth did not count (the sample's
# TCP segments, from atop's NET line, less the veth's packets).
# NETATOP_ATOP_OFFLOADS picks the runs ("off default").
#
# The daemon counts with --count=${NETATOP_COUNT:-wire} when it has the
# option.  Figures on every run; exit 0 pass, 1 fail, 77 skip (99 instead
# under CI=true).  Needs root, BTF, ip, ethtool, unshare and python3.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
. "$srcdir/tests/integration/daemon.sh"

bytes=${NETATOP_ATOP_BYTES:-20000000}
offloads=${NETATOP_ATOP_OFFLOADS:-off default}
bound=0.01

require_root_bpf
for tool in ip ethtool unshare mount; do
	command -v "$tool" >/dev/null 2>&1 || no_run "$tool is missing (sh scripts/install-build-deps.sh --tests)"
done
[ -x "$PYTHON" ] || no_run "$PYTHON is not installed"

# ---------------------------------------------------------------- atop
if [ -n "${NETATOP_ATOP:-}" ]; then
	atop=$NETATOP_ATOP
else
	cache=${NETATOP_ATOP_CACHE:-$builddir/tests/atop/cache}
	atop=$(sh "$srcdir/tests/atop/fetch-atop.sh" "$cache") || no_run "atop cannot be fetched"
fi
atop_version=$("$atop" -V 2>&1 | sed -n 's/^Version: \([0-9][0-9.]*\).*/\1/p' | head -n 1)
[ -n "$atop_version" ] || no_run "$atop -V tells no version"
# vge A B: version A >= version B
vge() {
	[ "$(printf '%s\n%s\n' "$1" "$2" | sort -t. -k1,1n -k2,2n -k3,3n | head -n 1)" = "$2" ]
}
vge "$atop_version" 2.10.0 || no_run "atop $atop_version is too old: netatop's protocol needs 2.10.0"
# from 2.11.1 on atop connects to netatop only with -K (it knows no -K before)
kflag=
vge "$atop_version" 2.11.1 && kflag=-K
echo "atop $atop_version: $atop"

# ---------------------------------------------------------------- daemon
if "$NETATOP" --help 2>&1 | grep -q -e '--count'; then
	NT_COUNT=${NETATOP_COUNT:-wire}
	if [ "$NT_COUNT" = wire ] &&
		! "$NETATOP" --check --json --count=wire 2>/dev/null | grep -q '"counting":"wire"'; then
		"$NETATOP" --check --count=wire >&2
		no_run "netatop cannot count on the wire on this kernel"
	fi
else
	NT_COUNT=
fi
# a daemon older than --pin-dir keeps no kernel state anyway
"$NETATOP" --help 2>&1 | grep -q -e '--pin-dir' || NT_PIN_DIR=
ns_s='' ns_r='' held='' procs=''
cleanup() {
	[ -n "$held" ] && exec 3>&-
	# shellcheck disable=SC2086 # our own pids
	[ -n "$procs" ] && kill $procs 2>/dev/null && wait $procs 2>/dev/null
	[ -n "$ns_s" ] && ip netns del "$ns_s" 2>/dev/null
	[ -n "$ns_r" ] && ip netns del "$ns_r" 2>/dev/null
	daemon_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# shellcheck disable=SC2119 # no extra options
daemon_start
sed -n 's/^netatop: info: \(.*counting.*\)/daemon: \1/p' "$NT_DIR/log"
work=$NT_DIR

# ---------------------------------------------------------------- network
# Two namespaces of this test's own, a veth between them, nothing else on it.
ns_s=ntatop-s-$$
ns_r=ntatop-r-$$
dev_s=ntas$$
dev_r=ntar$$
addr_s=192.0.2.1
addr_r=192.0.2.2
setup_net() {
	ip netns add "$ns_s" && ip netns add "$ns_r" &&
		ip link add "$dev_s" mtu 1500 netns "$ns_s" type veth peer name "$dev_r" mtu 1500 netns "$ns_r" || return 1
	for ns in "$ns_s" "$ns_r"; do
		# no IPv6: its router solicitations would go out at random times
		ip netns exec "$ns" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6;
			echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$ns_s" addr add "$addr_s/30" dev "$dev_s" &&
		ip -n "$ns_r" addr add "$addr_r/30" dev "$dev_r" &&
		ip -n "$ns_s" link set "$dev_s" up &&
		ip -n "$ns_r" link set "$dev_r" up
}
setup_net || {
	echo "ERROR: cannot set up the namespaces and the veth" >&2
	exit 99
}

tx_bytes() {
	ip netns exec "$ns_s" cat "/sys/class/net/$dev_s/statistics/tx_bytes"
}

# grep_wait TENTHS PATTERN FILE
grep_wait() {
	wait_for "$1" grep -q "$2" "$3"
}

# ---------------------------------------------------------------- one transfer
# transfer NAME PORT: one bulk transfer inside one atop sample; prints the
# figures and sets ratio and result (pass, fail).
transfer() {
	name=$1
	port=$2
	out=$work/$name
	ratio='' result=fail

	ip netns exec "$ns_r" "$PYTHON" "$srcdir/tests/atop/bulk.py" recv "$addr_r" "$port" \
		>"$out.recv" 2>&1 &
	rpid=$!
	procs="$procs $rpid"
	grep_wait 100 '^listening' "$out.recv" || {
		echo "the receiver does not listen:" >&2
		cat "$out.recv" >&2
		return 1
	}
	rm -f "$work/go"
	mkfifo "$work/go" || return 1
	ip netns exec "$ns_s" "$PYTHON" "$srcdir/tests/atop/bulk.py" send "$addr_r" "$port" "$bytes" \
		<"$work/go" >"$out.send" 2>&1 &
	spid=$!
	procs="$procs $spid"
	exec 3>"$work/go"
	held=1
	grep_wait 100 '^connected' "$out.send" || {
		echo "the sender does not connect:" >&2
		cat "$out.send" >&2
		return 1
	}

	# atop's /run: only the daemon's socket, under atop's fixed name
	# shellcheck disable=SC2016 # expanded by the inner shell
	ip netns exec "$ns_s" unshare -m --propagation private sh -c '
		mount -t tmpfs -o mode=0755,size=1m netatop-atop-run /run &&
		ln -s "$1" /run/netatop-bpf-socket || exit 99
		shift
		exec "$@"' sh "$NT_SOCK" \
		env ATOPACCT= LC_ALL=C HOME="$work" "$atop" $kflag -Z -P NET,PRN 600 \
		>"$out.atop" 2>"$out.atop.err" &
	apid=$!
	procs="$procs $apid"
	# its first sample (since boot) is the start of the interval
	grep_wait 200 '^SEP' "$out.atop" || {
		echo "atop printed no sample:" >&2
		cat "$out.atop.err" "$out.atop" >&2
		return 1
	}
	tx0=$(tx_bytes)
	echo go >&3
	grep_wait 600 '^sent' "$out.send" || {
		echo "the transfer did not end:" >&2
		cat "$out.send" "$out.recv" >&2
		return 1
	}
	tx1=$(tx_bytes)
	# the sender's namespace: the sender and atop (atop's own socket is a Unix one)
	pids=$(ip netns pids "$ns_s" | tr '\n' ' ')
	# a final sample, then atop ends
	kill -USR2 "$apid"
	# shellcheck disable=SC2016 # expanded by the inner shell
	wait_for 100 sh -c '[ "$(grep -c "^SEP" "$1")" -ge 2 ]' sh "$out.atop" || {
		echo "atop printed no second sample on SIGUSR2:" >&2
		cat "$out.atop.err" "$out.atop" >&2
		return 1
	}
	# it is ending: see that it does
	kill "$apid" 2>/dev/null
	wait "$apid" 2>/dev/null
	exec 3>&-
	held=''
	wait "$spid" "$rpid" 2>/dev/null
	procs=''

	# The second sample: lines after the first SEP.  NET: $7 interface,
	# $10 packets sent, $11 bytes sent.  PRN (-Z): $7 pid, $8 name, $11/$12
	# TCP packets/bytes sent, $15/$16 UDP, $NF is_process.
	echo "atop's sample ($name):"
	awk -v dev="$dev_s" -v pids=" $pids" '
		/^SEP/ { n++; next }
		n != 1 { next }
		$1 == "NET" && ($7 == dev || $7 == "upper") { print "  " $0 }
		$1 == "PRN" && $NF == "y" && index(pids, " " $7 " ") { print "  " $0 }' "$out.atop"
	# shellcheck disable=SC2046 # seven numbers
	set -- $(awk -v dev="$dev_s" -v pids=" $pids" '
		/^SEP/ { n++; next }
		n != 1 { next }
		$1 == "NET" && $7 == dev { sop = $10; so = $11 }
		$1 == "NET" && $7 == "upper" { tcpo = $9; tcprs = $21 }
		$1 == "PRN" && $NF == "y" {
			all += $12 + $16
			if (index(pids, " " $7 " ")) { sum += $12 + $16; packs += $11 + $15 }
		}
		END { printf "%d %d %d %d %d %d %d\n", sum, packs, so, sop, all, tcpo, tcprs }' "$out.atop")
	sum=$1 packs=$2 so=$3 sop=$4 all=$5 segs=$(($6 + $7)) retrans=$7
	ratio=$(awk -v a="$sum" -v b="$so" 'BEGIN { if (b > 0) printf "%.4f", a / b; else print "none" }')
	echo "$name: atop sum of sent bytes over the sender's namespace (pids $pids): $sum in $packs packets;" \
		"interface $dev_s so: $so in $sop packets (sysfs tx_bytes during the transfer: $((tx1 - tx0)));" \
		"ratio $ratio; TCP segments sent $segs, of them retransmitted $retrans; all processes: $all; payload $bytes"
	if [ "$sum" -eq 0 ]; then
		echo "$name: atop shows no bytes sent for any process of the sender: did it reach netatop?"
		sed 's/^/  atop: /' "$out.atop.err"
		return 0
	fi
	awk -v r="$ratio" -v b="$bound" 'BEGIN { exit !(r >= 1 - b && r <= 1 + b) }' && result=pass
	return 0
}

# What the wire carries beyond one packet: each further segment of an
# aggregate has its own Ethernet, IPv4 and TCP header (with timestamps,
# Linux's default: the MSS is 1448 at MTU 1500).
seg_headers=$((14 + 20 + 32))
port=5201
for mode in $offloads; do
	case $mode in
	off) ip netns exec "$ns_s" ethtool -K "$dev_s" tso off gso off >/dev/null || exit 99 ;;
	default) ip netns exec "$ns_s" ethtool -K "$dev_s" tso on gso on >/dev/null || exit 99 ;;
	*)
		echo "ERROR: NETATOP_ATOP_OFFLOADS: '$mode' is neither off nor default" >&2
		exit 99
		;;
	esac
	echo "== offloads $mode: $(ip netns exec "$ns_s" ethtool -k "$dev_s" |
		grep -E '^(tcp-segmentation-offload|generic-segmentation-offload):' | tr -s '\n\t' '  ')"
	transfer "offloads-$mode" "$port" || exit 99
	port=$((port + 1))
	case $mode in
	off)
		if [ "$result" = pass ]; then
			ok "offloads off: atop's bytes sent by process agree with the interface's within 1% (ratio $ratio)"
		else
			bad "offloads off: atop's bytes sent by process differ from the interface's by more than 1% (ratio $ratio)"
		fi
		;;
	default)
		# A veth counts a GSO aggregate of up to 64 KiB as one packet
		# with one set of headers, where the wire (and most NICs'
		# counters) carries each segment with its own: this "so" is
		# short of the wire bytes by the headers of every segment but
		# an aggregate's first.  The sample's TCP segments (sent plus
		# retransmitted, the namespace's only traffic) tell how many.
		echo "offloads default: ratio $ratio to the veth's own so, which counts an aggregate with one header (information, no verdict)"
		wire=$((so + (segs - sop) * seg_headers))
		ratio=$(awk -v a="$sum" -v b="$wire" 'BEGIN { printf "%.4f", a / b }')
		echo "offloads default: so $so + ($segs segments - $sop packets) x $seg_headers header bytes = $wire bytes on the wire; atop sum $sum; ratio $ratio"
		if [ "$segs" -ge "$sop" ] && awk -v r="$ratio" -v b="$bound" 'BEGIN { exit !(r >= 1 - b && r <= 1 + b) }'; then
			ok "offloads default: atop's bytes sent by process agree with the interface's, segmented, within 1% (ratio $ratio)"
		else
			bad "offloads default: atop's bytes sent by process differ from the interface's, segmented, by more than 1% (ratio $ratio)"
		fi
		;;
	esac
done

daemon_stop || failed=$((failed + 1))
echo "counting ${NT_COUNT:-as the daemon does}: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
exit 0
