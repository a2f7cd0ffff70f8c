#!/bin/sh
# Runs inside the 6.1 guest: the support report, then the exact-count and
# client suites once per backend.  Each suite prints Check's summary; the
# host side (check-vm.sh) reads them from the serial console.
PATH=/netatop:/bin:/sbin
NETATOP=/netatop/netatop
export PATH NETATOP

status=0
echo "== netatop --check"
netatop --check
rc=$?
echo "NETATOP-CHECK-EXIT=$rc"
[ "$rc" -eq 0 ] || status=1
if ! netatop --check | grep -q '^verdict: netatop can run here using fentry, counting socket calls$'; then
	echo "FAIL: --check did not pick fentry on this kernel"
	status=1
fi

for backend in auto fentry kprobe; do
	NETATOP_DAEMON_ARGS="--backend=$backend"
	export NETATOP_DAEMON_ARGS
	for suite in exact_counts blocked_receivers clients; do
		echo "== backend=$backend suite=$suite"
		"/netatop/$suite"
		rc=$?
		echo "NETATOP-SUITE backend=$backend suite=$suite exit=$rc"
		[ "$rc" -eq 0 ] || status=1
	done
done

# auto must have chosen fentry: the daemon logs its backend at start.
$NETATOP -f --socket /tmp/vm-auto.sock --pidfile /tmp/vm-auto.pid 2>/tmp/vm-auto.log &
pid=$!
i=0
while [ ! -S /tmp/vm-auto.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill "$pid"
wait "$pid"
if grep -q 'with backend fentry' /tmp/vm-auto.log; then
	echo "ok: --backend=auto chose fentry"
else
	echo "FAIL: --backend=auto did not choose fentry:"
	cat /tmp/vm-auto.log
	status=1
fi
# Wire counting needs Linux 6.4 and the tracepoint backend: auto says why
# it counts calls, and asking for wire is refused with status 4.
if grep -q 'counting socket calls, not wire packets: ' /tmp/vm-auto.log; then
	echo "ok: auto counts calls and says why: $(grep -o 'not wire packets: .*' /tmp/vm-auto.log)"
else
	echo "FAIL: auto did not say why it counts calls:"
	cat /tmp/vm-auto.log
	status=1
fi
for backend in fentry kprobe; do
	$NETATOP -f --backend=$backend --count=wire --socket /tmp/vm-wire.sock --pidfile /tmp/vm-wire.pid 2>/tmp/vm-wire.log
	rc=$?
	if [ "$rc" -eq 4 ] && grep -q 'cannot count wire packets' /tmp/vm-wire.log; then
		echo "ok: --backend=$backend --count=wire refused: $(cat /tmp/vm-wire.log)"
	else
		echo "FAIL: --backend=$backend --count=wire exited $rc:"
		cat /tmp/vm-wire.log
		status=1
	fi
done
if netatop --check --count=wire | grep -q '^verdict: cannot run with --count=wire: '; then
	echo "ok: --check --count=wire says why not"
else
	echo "FAIL: --check --count=wire does not say why not"
	status=1
fi
exit $status
