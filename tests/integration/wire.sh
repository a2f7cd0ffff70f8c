#!/bin/sh
# Wire counting against the interfaces' own counters: a daemon with
# --count=wire, traffic by known processes (tests/integration/wiregen.py)
# on the loopback of a network namespace and on a veth pair between two,
# each once with offloads as they come and once with TSO, GSO and GRO off.
# Per workload and direction, the workload's processes plus the growth of
# the unattributed total must match what the interfaces carried within 1%,
# and each process's own share must be what it moved (UDP exactly, TCP
# sender against receiver); a child forked with a socket is credited from
# its first call, and traffic to a socket whose owner exited is
# unattributed until a process uses the socket again.  One workload checks
# a known gap to the packet: a FIN reaching a time-wait socket, and the ACK
# it answers with, run no cgroup_skb program (see wiregen.py).  Prints one
# table of every run.  Needs root and BTF (skips, or fails under CI=true), ip, tc,
# ethtool and python3.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$srcdir/tests/integration/daemon.sh"

require_root_bpf
[ -x "$PYTHON" ] || no_run "$PYTHON is not installed"
for tool in ip tc ethtool; do
	command -v $tool >/dev/null 2>&1 ||
		no_run "$tool is not installed (scripts/install-build-deps.sh --tests installs it)"
done

GEN="$srcdir/tests/integration/wiregen.py"
# names of our own: other worktrees run their suites on this host at once
P=ntw-$$
NS_LO=$P-lo
NS_A=$P-a
NS_B=$P-b
TABLE=
start=$(date +%s)

cleanup() {
	for ns in $NS_LO $NS_A $NS_B; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$TABLE" ] && rm -f "$TABLE"
	daemon_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A namespace without IPv6's own chatter: no router solicitations, no
# duplicate address detection, no link-local addresses (and their MLD
# reports); the defaults apply to the devices made after.
make_ns() {
	ip netns add "$1" || exit 99
	ip netns exec "$1" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.all.accept_dad=0 || exit 99
	ip -n "$1" link set lo up || exit 99
}

# offloads NS DEV on|off
offloads() {
	ip netns exec "$1" ethtool -K "$2" tso "$3" gso "$3" gro "$3" 2>/dev/null ||
		{ echo "ethtool -K $2 tso/gso/gro $3 failed" >&2; exit 99; }
}

make_ns $NS_LO
make_ns $NS_A
make_ns $NS_B
ip -n $NS_A link add va mtu 1500 type veth peer name vb mtu 1500 netns $NS_B || exit 99
ip -n $NS_A addr add 10.99.0.1/24 dev va
ip -n $NS_B addr add 10.99.0.2/24 dev vb
ip -n $NS_A addr add fd99::1/64 dev va nodad
ip -n $NS_B addr add fd99::2/64 dev vb nodad
ip -n $NS_A link set va up
ip -n $NS_B link set vb up
# Permanent neighbours: no ARP or neighbour discovery in the counters.
mac_a=$(ip -n $NS_A -j link show va | sed 's/.*"address":"\([^"]*\)".*/\1/')
mac_b=$(ip -n $NS_B -j link show vb | sed 's/.*"address":"\([^"]*\)".*/\1/')
ip -n $NS_A neigh replace 10.99.0.2 lladdr "$mac_b" dev va nud permanent &&
	ip -n $NS_A neigh replace fd99::2 lladdr "$mac_b" dev va nud permanent &&
	ip -n $NS_B neigh replace 10.99.0.1 lladdr "$mac_a" dev vb nud permanent &&
	ip -n $NS_B neigh replace fd99::1 lladdr "$mac_a" dev vb nud permanent || exit 99
# Egress qdiscs count the segments of each GSO aggregate (see wiregen.py).
for x in "$NS_LO lo" "$NS_A va" "$NS_B vb"; do
	# shellcheck disable=SC2086 # namespace and device
	set -- $x
	tc -n "$1" qdisc replace dev "$2" root pfifo limit 10000 || exit 99
done

# Exit records of every process on the host go through our daemon too:
# room for other suites' bursts, so our generators' records are not lost.
# WIRE_COUNT=calls shows the test failing: calls are not packets.
NT_COUNT=${WIRE_COUNT:-wire} daemon_start --exit-buffer=16
TABLE=$NT_DIR/table

# run NAME OFFLOADS MEASURE-ARGS...
status=0
run() {
	echo "== $1, offloads $2"
	name=$1 off=$2
	shift 2
	"$PYTHON" "$GEN" measure --iface "$name" --offloads "$off" --netatop "$NETATOP" \
		--socket "$NT_SOCK" --pidfile "$NT_PIDFILE" --table "$TABLE" \
		${WIRE_ONLY:+--only "$WIRE_ONLY"} "$@" || status=1
}
LO="--ns-a $NS_LO --dev-a lo --ns-b $NS_LO --dev-b lo --addr4 127.0.0.1 --addr6 ::1 --l2 0 --mtu 65536"
VETH="--ns-a $NS_A --dev-a va --ns-b $NS_B --dev-b vb --addr4 10.99.0.2 --addr6 fd99::2 --l2 14 --mtu 1500"
# shellcheck disable=SC2086 # one word per argument
{
	run lo on $LO
	offloads $NS_LO lo off
	run lo off $LO
	run veth on $VETH
	offloads $NS_A va off
	offloads $NS_B vb off
	run veth off $VETH
}

echo
echo "== every run: interface (if_), its egress qdisc (q_) and netatop (nt_: the workload's processes"
echo "== plus the unattributed growth); ratio nt/reference in packets and bytes"
"$PYTHON" "$GEN" header
cat "$TABLE"
echo "wire.sh: $(($(date +%s) - start)) s"
daemon_stop || status=1
exit $status
