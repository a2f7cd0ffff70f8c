#!/bin/bash
# run-vm.sh: run one command as root in a throw-away qemu VM.
#
#   run-vm.sh --kernel VMLINUZ [--timeout SECONDS] [--add HOSTPATH[:GUESTPATH]]...
#             [--log FILE] [--memory MB] [--smp N] [--append KERNEL_ARGS]
#             [--busybox PATH] [--quiet] -- GUEST_COMMAND [ARG]...
#
# Builds an initramfs from busybox (Debian package busybox-static) and the
# --add files, boots VMLINUZ with qemu-system-x86_64 (software emulation, no
# network card), runs GUEST_COMMAND there as root and powers the VM off.
#
# The guest's /init mounts proc, sysfs, devtmpfs, tmpfs on /run and /tmp,
# bpffs on /sys/fs/bpf, tracefs and debugfs, cgroup2 on /sys/fs/cgroup, and
# brings up lo (127.0.0.1 and ::1).  It runs GUEST_COMMAND from / with
# stdin from /dev/null and stdout/stderr on the serial console, then prints
#
#   NETATOP-VM-EXIT=<exit status>
#
# on a line of its own.  Before the command it prints
# "NETATOP-VM-READY uptime=<seconds since the kernel started>".
#
# --add copies HOSTPATH (a file or a directory) to GUESTPATH in the guest;
# GUESTPATH defaults to /bin/BASENAME, and one ending in '/' is a directory
# to copy into.  ELF executables must be statically linked: the guest has
# no shared libraries.
#
# The serial console is echoed on stdout (unless --quiet) and saved to FILE
# when --log is given, with the "\r" of the serial line removed.
#
# Exit status: the guest command's, or
#   124  the timeout expired before the guest command finished
#   125  the VM stopped without reporting a status (kernel panic, /init died)
#   64   usage error
#   69   a host tool or file is missing, or the initramfs could not be built
set -euo pipefail
shopt -s extglob

prog=run-vm.sh
marker=NETATOP-VM-EXIT

usage() {
	printf 'usage:\n' >&2
	sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 64
}

die() {
	printf '%s: error: %s\n' "$prog" "$*" >&2
	exit "${2:-69}"
}

note() {
	printf '%s: %s\n' "$prog" "$*" >&2
}

kernel=
timeout=300
log=
memory=1024
smp=2
append=
busybox=
quiet=0
adds=()

while [ "$#" -gt 0 ]; do
	case $1 in
	--kernel) [ "$#" -ge 2 ] || usage; kernel=$2; shift 2 ;;
	--timeout) [ "$#" -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--add) [ "$#" -ge 2 ] || usage; adds+=("$2"); shift 2 ;;
	--log) [ "$#" -ge 2 ] || usage; log=$2; shift 2 ;;
	--memory) [ "$#" -ge 2 ] || usage; memory=$2; shift 2 ;;
	--smp) [ "$#" -ge 2 ] || usage; smp=$2; shift 2 ;;
	--append) [ "$#" -ge 2 ] || usage; append="$append $2"; shift 2 ;;
	--busybox) [ "$#" -ge 2 ] || usage; busybox=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	*) printf '%s: unknown argument: %s\n' "$prog" "$1" >&2; usage ;;
	esac
done
[ "$#" -gt 0 ] || { printf '%s: no guest command given after --\n' "$prog" >&2; usage; }
[ -n "$kernel" ] || { printf '%s: --kernel is required\n' "$prog" >&2; usage; }
case $timeout in ''|*[!0-9]*) die "--timeout wants whole seconds, got '$timeout'" 64 ;; esac
case $memory in ''|*[!0-9]*) die "--memory wants megabytes, got '$memory'" 64 ;; esac
case $smp in ''|*[!0-9]*) die "--smp wants a CPU count, got '$smp'" 64 ;; esac

need() {
	command -v "$1" >/dev/null 2>&1 || die "'$1' not found; install Debian package '$2'"
}
need qemu-system-x86_64 qemu-system-x86
need cpio cpio
need gzip gzip
need timeout coreutils
need readelf binutils

[ -r "$kernel" ] || die "kernel image '$kernel' not found (see tests/vm/fetch-kernel.sh)"
if [ -z "$busybox" ]; then
	busybox=$(command -v busybox || true)
	[ -n "$busybox" ] || die "busybox not found; install Debian package 'busybox-static'"
fi

# Fail on an ELF program that needs a dynamic loader.
check_static() {
	local f=$1 magic
	magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
	[ "$magic" = 7f454c46 ] || return 0
	if readelf -lW "$f" 2>/dev/null | grep -q 'Requesting program interpreter'; then
		die "$f is dynamically linked; the guest has no shared libraries: link it with -static"
	fi
}

if readelf -lW "$busybox" 2>/dev/null | grep -q 'Requesting program interpreter'; then
	die "$busybox is dynamically linked; install Debian package 'busybox-static'"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/netatop-vm.XXXXXX")
qemu_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	# $qemu_pid is timeout(1), which passes the signal on to qemu.
	if [ -n "$qemu_pid" ]; then
		kill "$qemu_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- initramfs
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,root,etc,var,mnt}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
"$busybox" --list | grep -x sh >/dev/null || die "$busybox has no 'sh' applet"

for spec in ${adds[@]+"${adds[@]}"}; do
	host=${spec%%:*}
	if [ "$host" = "$spec" ]; then
		guest=/bin/$(basename "$host")
	else
		guest=${spec#*:}
	fi
	case $guest in
	/*) ;;
	*) die "--add $spec: GUESTPATH must be absolute" 64 ;;
	esac
	case $guest in
	*/) guest=$guest$(basename "$host") ;;
	esac
	[ -e "$host" ] || die "--add $spec: '$host' does not exist"
	if [ -d "$host" ]; then
		while IFS= read -r -d '' f; do
			check_static "$f"
		done < <(find "$host" -type f -print0)
	else
		check_static "$host"
	fi
	mkdir -p "$root$(dirname "$guest")"
	rm -rf "${root:?}$guest"
	cp -a "$host" "$root$guest"
done

# The guest command, every argument single-quoted for busybox sh.
{
	printf '#!/bin/sh\nexec'
	for a in "$@"; do
		printf " '%s'" "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
	done
	printf '\n'
} >"$root/etc/netatop-vm-command"
chmod 755 "$root/etc/netatop-vm-command"

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
cat >"$root/etc/hosts" <<'EOF'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
EOF

cat >"$root/init" <<'EOF'
#!/bin/busybox sh
# PID 1 of the test VM: set up, run the command, report, power off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=dumb

# Applet links (/bin/sh, /sbin/ip, ...); files added to the image win.
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s

warn() { echo "netatop-vm: $*"; }

mount -t devtmpfs devtmpfs /dev 2>/dev/null || warn "cannot mount devtmpfs on /dev"
# The kernel may have started us without a console: take the serial one.
exec </dev/console >/dev/console 2>&1
mount -t sysfs sysfs /sys || warn "cannot mount sysfs"
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null || true
mount -t tmpfs -o mode=1777 tmpfs /dev/shm 2>/dev/null || true
mount -t tmpfs -o mode=755 tmpfs /run || warn "cannot mount tmpfs on /run"
mount -t tmpfs -o mode=1777 tmpfs /tmp || warn "cannot mount tmpfs on /tmp"
if [ -d /sys/fs/bpf ]; then
	mount -t bpf -o mode=700 bpf /sys/fs/bpf || warn "cannot mount bpffs on /sys/fs/bpf"
fi
if [ -d /sys/kernel/tracing ]; then
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi
if [ -d /sys/kernel/debug ]; then
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
fi
if [ -d /sys/fs/cgroup ]; then
	mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null || true
fi
ln -sf /proc/self/fd /dev/fd 2>/dev/null || true
ln -sf /proc/self/mounts /etc/mtab 2>/dev/null || true
hostname netatop-vm

ip link set lo up || warn "cannot bring lo up"
# The kernel adds both loopback addresses itself; make sure.
ip -4 addr show dev lo | grep -q 'inet 127.0.0.1/' ||
	ip addr add 127.0.0.1/8 dev lo || warn "no 127.0.0.1 on lo"
if [ -e /proc/sys/net/ipv6 ]; then
	ip -6 addr show dev lo | grep -q 'inet6 ::1/' ||
		ip addr add ::1/128 dev lo || warn "no ::1 on lo"
else
	warn "kernel has no IPv6"
fi

read -r up _ </proc/uptime
echo "NETATOP-VM-READY uptime=$up"
cd /
/etc/netatop-vm-command </dev/null
rc=$?
sync
printf '\nNETATOP-VM-EXIT=%d\n' "$rc"
poweroff -f
# Not reached unless poweroff failed; returning would panic the kernel.
sleep 5
echo o >/proc/sysrq-trigger
while :; do sleep 1; done
EOF
chmod 755 "$root/init"

initrd=$work/initrd.gz
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$initrd" ||
	die "cannot build the initramfs"

# ---------------------------------------------------------------- boot
raw=$work/console.raw
if [ -n "$log" ]; then
	: >"$log" || die "cannot write log file '$log'"
else
	log=$work/console.log
	: >"$log"
fi

cmdline="console=ttyS0 panic=-1 quiet oops=panic$append"

# Software emulation: the 6.1 guest boots in seconds without KVM, and a
# nested KVM (a cloud VM's /dev/kvm) was seen to refuse MSRs or hang at
# boot.  NETATOP_VM_ACCEL=kvm asks for KVM where it is known to work.
accel=(-accel tcg)
cpu=max
if [ "${NETATOP_VM_ACCEL:-tcg}" = kvm ] && [ -w /dev/kvm ]; then
	accel=(-accel kvm "${accel[@]}")
	cpu=max,-arch-capabilities
fi

esc=$'\e'
start=$EPOCHREALTIME
rc=
ready_at=
exit_at=
# Serial console on stdout, qemu's own complaints on stderr (kept in $raw).
exec 3< <(exec timeout -k 10 "$timeout" qemu-system-x86_64 \
	"${accel[@]}" -cpu "$cpu" -m "$memory" -smp "$smp" \
	-nographic -no-reboot -nic none \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
	</dev/null 2>"$raw")
qemu_pid=$!
while IFS= read -r -u 3 line || [ -n "$line" ]; do
	# No "\r" of the serial line, no terminal escapes of the firmware.
	line=${line//$'\r'/}
	line=${line//"$esc"\[*([0-9;?])[A-Za-z]/}
	line=${line//"$esc"[A-Za-z]/}
	printf '%s\n' "$line" >>"$log"
	[ "$quiet" = 1 ] || printf '%s\n' "$line"
	case $line in
	*NETATOP-VM-READY*) ready_at=$EPOCHREALTIME ;;
	*"$marker="[0-9]*)
		v=${line##*"$marker="}
		v=${v%%[!0-9]*}
		rc=$v
		exit_at=$EPOCHREALTIME
		;;
	esac
done
exec 3<&-
qemu_rc=0
wait "$qemu_pid" || qemu_rc=$?
qemu_pid=
end=$EPOCHREALTIME

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

if [ -s "$raw" ]; then
	sed 's/^/qemu: /' "$raw" >&2
fi
if [ -n "$ready_at" ]; then
	note "guest ready after $(secs "$start" "$ready_at")s"
fi
if [ -n "$rc" ]; then
	note "guest command exited with status $rc after $(secs "$start" "$exit_at")s (VM gone after $(secs "$start" "$end")s)"
	if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
		note "warning: the VM did not power off by itself; killed at the timeout"
	fi
	exit "$rc"
fi
if [ "$quiet" = 1 ]; then
	note "last lines of the console:"
	tail -n 40 "$log" | sed 's/^/  | /' >&2
fi
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	note "timeout: no $marker line within ${timeout}s"
	exit 124
fi
note "the VM stopped (qemu status $qemu_rc) without a $marker line; see the console output"
exit 125
