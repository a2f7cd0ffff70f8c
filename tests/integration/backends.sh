#!/bin/sh
# Backends on the host kernel: the exact-count suite again with the
# tracepoint backend forced (make check already runs it with auto), and
# the backends this kernel lacks refused with a clear message and status 4,
# with --check saying why.
set -u

if [ "$(id -u)" -ne 0 ] || [ ! -e /sys/kernel/btf/vmlinux ]; then
	echo "backends.sh: needs root and BTF"
	[ "${CI:-}" = true ] && exit 99
	exit 77
fi
builddir=${top_builddir:-.}
status=0
fail() {
	echo "FAIL: $*"
	status=1
}

check_out=$("$NETATOP" --check 2>&1)
echo "$check_out"
verdict=$(echo "$check_out" | sed -n 's/^verdict: //p')
case $verdict in
"netatop can run here using tracepoint, counting IP packets on the wire") ;;
"netatop can run here using tracepoint"*) fail "--check: no wire counting on a kernel that has it: $verdict" ;;
"netatop can run here using "*) echo "note: this kernel's best backend is not tracepoint: $verdict" ;;
*) fail "--check: $verdict" ;;
esac
"$NETATOP" --check --json | grep -q '"can_run":true' || fail "--check --json does not say can_run"
"$NETATOP" --check --json | grep -q '"counting":"wire"' || fail "--check --json does not say counting wire"
echo "$check_out" | grep -q '^wire counting  *ok  *packet programs loaded' ||
	fail "--check did not prove wire counting by loading it"
"$NETATOP" --check --count=calls | grep -q '^verdict: .*, counting socket calls$' ||
	fail "--check --count=calls does not say it counts calls"

# Each backend this kernel lacks: refused at start with status 4 and a reason.
for backend in tracepoint fentry kprobe; do
	line=$(echo "$check_out" | grep "^backend $backend ")
	case $line in
	*" ok "*) continue ;;
	esac
	dir=$(mktemp -d)
	"$NETATOP" -f --backend="$backend" --socket "$dir/sock" --pidfile "$dir/pid" 2>"$dir/err"
	rc=$?
	echo "--backend=$backend: exit $rc: $(cat "$dir/err")"
	[ "$rc" -eq 4 ] || fail "--backend=$backend exited $rc, want 4"
	[ -s "$dir/err" ] || fail "--backend=$backend said nothing"
	[ ! -e "$dir/sock" ] || fail "--backend=$backend left a socket"
	rm -rf "$dir"
	"$NETATOP" --check --backend="$backend" >/dev/null
	rc=$?
	[ "$rc" -eq 1 ] || fail "--check --backend=$backend exited $rc, want 1"
done

if echo "$check_out" | grep -q '^backend tracepoint  *ok'; then
	echo "== exact counts with --backend=tracepoint"
	NETATOP_DAEMON_ARGS=--backend=tracepoint "$builddir/tests/integration/exact_counts" ||
		fail "exact counts with --backend=tracepoint"
fi
# Wire counting needs the tracepoint backend's per-call hooks: refused
# with status 4 and the reason for the others, wherever they load.
for backend in fentry kprobe; do
	dir=$(mktemp -d)
	"$NETATOP" -f --backend="$backend" --count=wire --socket "$dir/sock" --pidfile "$dir/pid" 2>"$dir/err"
	rc=$?
	echo "--backend=$backend --count=wire: exit $rc: $(cat "$dir/err")"
	[ "$rc" -eq 4 ] || fail "--backend=$backend --count=wire exited $rc, want 4"
	# where the backend itself loads, the reason is wire counting's
	if echo "$check_out" | grep -q "^backend $backend  *ok"; then
		grep -q 'wire' "$dir/err" || fail "--backend=$backend --count=wire: no reason given"
	fi
	rm -rf "$dir"
done
exit $status
