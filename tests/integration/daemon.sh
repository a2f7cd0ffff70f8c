# Sourced by the shell integration suites (top.sh, metrics.sh): the same
# rules as harness.c.  The daemon under test ($NETATOP) runs with its own
# socket, pid file and log in a fresh directory, switching to nobody;
# without root or BTF the suite skips (77), or fails (99) when CI=true.
# shellcheck shell=sh

PYTHON=${PYTHON:-/usr/bin/python3}
NT_DIR=
NT_DAEMON=

no_run() {
	if [ "${CI:-}" = true ]; then
		echo "ERROR: $1, and CI=true forbids skipping" >&2
		exit 99
	fi
	echo "SKIP: $1" >&2
	exit 77
}

require_root_bpf() {
	[ "$(id -u)" -eq 0 ] || no_run "integration tests load BPF programs and need root"
	[ -r /sys/kernel/btf/vmlinux ] || no_run "this kernel has no BTF (/sys/kernel/btf/vmlinux missing)"
	case ${NETATOP:-} in
	/*) ;;
	*)
		echo "ERROR: set NETATOP to the absolute path of the daemon under test" >&2
		exit 99
		;;
	esac
}

# require_python MODULE: $PYTHON must import it (Debian: python3-MODULE).
require_python() {
	"$PYTHON" -c "import $1" 2>/dev/null ||
		no_run "$PYTHON cannot import $1 (apt-get install python3-$(echo "$1" | tr _ -))"
}

# Start the daemon, with extra options if any; sets NT_DIR, NT_SOCK,
# NT_PIDFILE, NT_DAEMON.
daemon_start() {
	tmp=${TMPDIR:-/tmp}
	# the socket path must fit sun_path
	[ ${#tmp} -le 50 ] || tmp=/tmp
	NT_DIR=$(mktemp -d "$tmp/netatop-test.XXXXXX") || exit 99
	# like /run under a service manager: the daemon, once nobody, removes its files
	chown nobody "$NT_DIR" || exit 99
	NT_SOCK=$NT_DIR/sock
	NT_PIDFILE=$NT_DIR/pid
	# NT_COUNT: calls unless set; set and empty, no --count at all (for a
	# daemon older than the option)
	nt_count=${NT_COUNT-calls}
	# NT_PIN_DIR: none (keep no kernel state) unless set; set and empty, no
	# --pin-dir at all
	nt_pin_dir=${NT_PIN_DIR-none}
	# shellcheck disable=SC2086 # NETATOP_DAEMON_ARGS: one word per argument
	"$NETATOP" -f --socket "$NT_SOCK" --pidfile "$NT_PIDFILE" --user nobody \
		${nt_count:+"--count=$nt_count"} ${nt_pin_dir:+"--pin-dir=$nt_pin_dir"} \
		${NETATOP_DAEMON_ARGS:-} "$@" >>"$NT_DIR/log" 2>&1 &
	NT_DAEMON=$!
	i=0
	while ! "$NETATOP" --list --socket "$NT_SOCK" >/dev/null 2>&1; do
		if ! kill -0 "$NT_DAEMON" 2>/dev/null || [ $i -ge 100 ]; then
			echo "netatop does not serve $NT_SOCK:" >&2
			cat "$NT_DIR/log" >&2
			NT_DAEMON=
			exit 99
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

# Stop it; its exit status must be 0.
daemon_stop() {
	[ -n "$NT_DAEMON" ] || return 0
	kill -TERM "$NT_DAEMON" 2>/dev/null
	wait "$NT_DAEMON"
	rc=$?
	NT_DAEMON=
	if [ $rc -ne 0 ]; then
		echo "netatop exited with status $rc on SIGTERM:" >&2
		cat "$NT_DIR/log" >&2
		return 1
	fi
	return 0
}

daemon_cleanup() {
	if [ -n "$NT_DAEMON" ]; then
		kill -TERM "$NT_DAEMON" 2>/dev/null
		wait "$NT_DAEMON" 2>/dev/null
		NT_DAEMON=
	fi
	[ -n "$NT_DIR" ] && rm -rf "$NT_DIR"
	NT_DIR=
}

# Wait up to $1 tenths of a second for command $2... to succeed.
wait_for() {
	n=$1
	shift
	while ! "$@"; do
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
		n=$((n - 1))
	done
}

passed=0
failed=0
# printf, not echo: dash's echo would read backslashes in the messages
ok() {
	passed=$((passed + 1))
	printf 'ok: %s\n' "$*"
}
bad() {
	failed=$((failed + 1))
	printf 'FAIL: %s\n' "$*"
}
# check DESCRIPTION COMMAND...
check() {
	what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
