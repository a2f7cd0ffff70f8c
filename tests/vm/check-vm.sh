#!/bin/bash
# make check-vm: boot Debian 12's 6.1 kernel (no sock_send_length
# tracepoint; kprobes and fentry) and run the exact-count and client suites
# there once per backend, with the statically linked daemon and tests in
# BINDIR.  Fails on any difference; ends with "N passed, N failed".
#
#   check-vm.sh BINDIR
#
# Needs qemu-system-x86, busybox-static and cpio (scripts/install-build-deps.sh
# --tests installs them); the kernel package is fetched with apt-get once and
# cached in $NETATOP_VM_CACHE (default ~/.cache/netatop-vm).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bindir=${1:-${VM_BINDIR:?usage: check-vm.sh BINDIR (or VM_BINDIR in the environment)}}
cache=${NETATOP_VM_CACHE:-${HOME:-/root}/.cache/netatop-vm}
log=${NETATOP_VM_LOG:-tests/vm/check-vm.serial.log}

skip() {
	echo "check-vm: $*"
	if [ "${CI:-}" = true ]; then
		echo "check-vm: CI=true: a skipped VM test is a failure"
		exit 99
	fi
	exit 77
}

for tool in qemu-system-x86_64 cpio; do
	command -v "$tool" >/dev/null || skip "$tool is missing: run 'sh scripts/install-build-deps.sh --tests'"
done
[ -x /bin/busybox ] || skip "busybox-static is missing: run 'sh scripts/install-build-deps.sh --tests'"

kernel=$("$here/fetch-kernel.sh" "$cache/kernel") || skip "cannot fetch the 6.1 kernel package"

adds=()
for f in "$bindir"/*; do
	adds+=(--add "$f:/netatop/$(basename "$f")")
done
start=$(date +%s)
"$here/run-vm.sh" --kernel "$kernel" --timeout "${NETATOP_VM_TIMEOUT:-1500}" --quiet --log "$log" \
	"${adds[@]}" --add "$here/guest-tests.sh:/netatop/guest-tests.sh" \
	-- /netatop/guest-tests.sh
rc=$?
end=$(date +%s)

# Check prints "NN%: Checks: N, Failures: N, Errors: N" per suite.
passed=0 failed=0
while read -r checks fails errors; do
	passed=$((passed + checks - fails - errors))
	failed=$((failed + fails + errors))
done < <(grep -Eo 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tr -dc '0-9 \n')

grep -E '^(NETATOP-SUITE|NETATOP-CHECK-EXIT|ok:|FAIL|verdict:)|:[FE]:|Checks: ' "$log"
echo "check-vm: guest exit status $rc after $((end - start)) s (serial log: $log)"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
