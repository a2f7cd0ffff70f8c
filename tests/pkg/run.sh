#!/bin/bash
# Packaging test (make check-pkg): build the release tarball, the Debian
# package and the RPM from it, lint them, check the systemd unit with
# systemd-analyze, then install the .deb on this machine, run the daemon
# through its SysV init script and, where systemd can run as PID 1 of
# private namespaces, through its unit; then purge it, leaving nothing
# behind.  Prints the time of each step and the package sizes.
#
# Needs root (it installs a package and loads BPF programs): skips (77)
# otherwise, and fails instead when CI=true.  Installs the tools it needs
# (debhelper, lintian, rpm, systemd for systemd-analyze) and the build
# dependencies with apt-get.  The default socket and pid file must be free.
# KEEP=1 keeps its work directory (kept anyway when a check fails).
set -uo pipefail

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
srcdir=$(cd "$srcdir" && pwd)
MAX_EXPOSURE=2.5
SOCKET=/run/netatop-bpf-socket
PIDFILE=/run/netatop/netatop.pid
DAEMON=/usr/sbin/netatop

passed=0 failed=0
t_start=$(date +%s)
t_step=$t_start
work=
installed_by_us=

skip() {
	trap - EXIT
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $* (CI=true: a skipped packaging test is a failure)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}
ok() { passed=$((passed + 1)); echo "  ok: $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL: $*"; }
# check DESCRIPTION COMMAND...: run COMMAND, count its verdict.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
die() {
	bad "$*"
	finish
}
step() {
	local now
	now=$(date +%s)
	echo
	echo "== $* (at +$((now - t_start))s)"
	t_step=$now
}
took() { echo "  took $(($(date +%s) - t_step))s"; }
size_of() { stat -c %s "$1" | awk '{ printf "%.1f KiB", $1 / 1024 }'; }

finish() {
	trap - EXIT
	cleanup
	echo
	echo "tests/pkg/run.sh: $(($(date +%s) - t_start))s in all"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}
cleanup() {
	[ -n "${sd_pid:-}" ] && systemd_stop
	if [ -n "$installed_by_us" ] && dpkg -s netatop >/dev/null 2>&1; then
		echo "cleanup: purging the netatop package this test installed"
		with_invoke_rc_d apt-get purge -y -qq netatop >/dev/null 2>&1 || true
	fi
	if [ -n "$work" ]; then
		if [ "${KEEP:-0}" = 1 ] || [ "$failed" -ne 0 ]; then
			echo "work directory kept: $work"
		else
			rm -rf "$work"
		fi
	fi
}
trap 'echo "interrupted"; failed=$((failed + 1)); finish' INT TERM
trap 'finish' EXIT

[ "$(id -u)" -eq 0 ] || skip "needs root: it installs the package and starts the daemon"
command -v apt-get >/dev/null && command -v dpkg >/dev/null ||
	skip "needs a Debian-based system (apt-get, dpkg)"

# Nothing of ours may be there already, and nobody else may hold the
# default socket or pid file: the test would stop or confuse them.
if dpkg -s netatop >/dev/null 2>&1; then
	die "the netatop package is installed already: purge it first (apt-get purge netatop)"
fi
if [ -S "$SOCKET" ] || [ -e "$PIDFILE" ]; then
	die "$SOCKET or $PIDFILE exists: another netatop uses the default paths; stop it first"
fi

work=$(mktemp -d /tmp/netatop-pkg.XXXXXX)
chmod 755 "$work"

# ---------------------------------------------------------------- tools
step "tools"
export DEBIAN_FRONTEND=noninteractive
tools="debhelper dpkg-dev fakeroot lintian rpm systemd adduser init-system-helpers
	autoconf automake make gcc libc6-dev groff-base"
missing=
for p in $tools; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "  installing:$missing"
	apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		die "cannot install$missing"
fi
# The build dependencies, as debian/control names them.
unmet=$(cd "$srcdir" && dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
	sed -e 's/([^)]*)//g' -e 's/|[^ ]*//g')
if [ -n "$unmet" ]; then
	echo "  installing build dependencies: $unmet"
	apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $unmet >/dev/null ||
		die "cannot install the build dependencies: $unmet"
fi
took

# ---------------------------------------------------------------- tarball
step "release tarball (make dist) from a clean copy of $srcdir"
mkdir "$work/src"
if git -C "$srcdir" rev-parse --git-dir >/dev/null 2>&1; then
	# what git tracks, and new files not yet added, but no build output
	(cd "$srcdir" && git ls-files -co --exclude-standard -z | xargs -0 tar cf -) | tar xf - -C "$work/src"
else
	(cd "$srcdir" && tar cf - --exclude='./netatop-*.tar.*' .) | tar xf - -C "$work/src"
	[ -f "$work/src/Makefile" ] && make -C "$work/src" distclean >/dev/null 2>&1
fi
(cd "$work/src" && autoreconf -fi && ./configure && make dist) >"$work/dist.log" 2>&1 ||
	{ tail -n 30 "$work/dist.log"; die "make dist failed (log: $work/dist.log)"; }
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$work/src/Makefile")
tarball=$work/src/netatop-$version.tar.xz
check "make dist made netatop-$version.tar.xz ($(size_of "$tarball"))" test -f "$tarball"
# every packaging file of the tree is in the tarball
listed=$(tar tJf "$tarball" | sed "s|^netatop-$version/||")
missing=
for f in $(cd "$work/src" && find debian rpm service tests/pkg -type f ! -name .gitignore |
	grep -vxF service/netatop.service | sort); do
	echo "$listed" | grep -qxF "$f" || missing="$missing $f"
done
check "the tarball ships every file of debian/ rpm/ service/ tests/pkg/${missing:+ (missing:$missing; add them to EXTRA_DIST)}" \
	test -z "$missing"
took

# ---------------------------------------------------------------- .deb
step "Debian package (dpkg-buildpackage -us -uc -b) from the tarball"
mkdir "$work/deb"
tar xJf "$tarball" -C "$work/deb"
(cd "$work/deb/netatop-$version" && dpkg-buildpackage -us -uc -b) >"$work/deb.log" 2>&1 ||
	{ tail -n 30 "$work/deb.log"; die "dpkg-buildpackage failed (log: $work/deb.log)"; }
deb=$(ls "$work"/deb/netatop_"$version"*_*.deb)
changes=$(ls "$work"/deb/netatop_"$version"*_*.changes)
ok "built $(basename "$deb")"
for f in "$work"/deb/*.deb; do
	echo "  $(basename "$f"): $(size_of "$f")"
done
echo "  installed size: $(dpkg-deb -f "$deb" Installed-Size) KiB"
took

step "lintian"
lintian --info --display-level '>=warning' --fail-on none "$deb" "$changes" >"$work/lintian.log" 2>&1
n_e=$(grep -c '^E: ' "$work/lintian.log")
n_w=$(grep -c '^W: ' "$work/lintian.log")
n_i=$(lintian --display-level '>=info' --fail-on none "$deb" "$changes" 2>/dev/null | grep -c '^I: ')
n_o=$(lintian --show-overrides --fail-on none "$deb" "$changes" 2>/dev/null | grep -c '^O: ')
echo "  lintian $(lintian --print-version): $n_e errors, $n_w warnings, $n_i info, $n_o overridden"
grep -E '^[EW]: ' "$work/lintian.log" | sed 's/^/    /'
check "lintian: no errors and no warnings" test "$((n_e + n_w))" -eq 0
took

# ---------------------------------------------------------------- systemd unit
step "systemd unit"
mkdir "$work/debroot"
dpkg-deb -x "$deb" "$work/debroot"
unit=$(find "$work/debroot" -path '*/systemd/system/netatop.service')
check "the .deb ships netatop.service (${unit#"$work"/debroot})" test -n "$unit"
check "the unit runs $DAEMON -f" grep -qx "ExecStart=$DAEMON -f \$NETATOP_OPTS" "$unit"
check "the unit reads /etc/default/netatop" grep -qx 'EnvironmentFile=-/etc/default/netatop' "$unit"
# ExecStart must name an existing binary: check a copy that runs the one
# just built (the installed unit is checked again after installation).
mkdir "$work/unit"
sed "s|$DAEMON|$work/debroot$DAEMON|" "$unit" >"$work/unit/netatop.service"
check "systemd-analyze verify" systemd-analyze verify --man=no "$work/unit/netatop.service"
# netatop --metrics for node_exporter: a service and its timer, and a cron example
munit=$(find "$work/debroot" -path '*/systemd/system/netatop-metrics.service')
mtimer=$(find "$work/debroot" -path '*/systemd/system/netatop-metrics.timer')
check "the .deb ships netatop-metrics.service and netatop-metrics.timer" test -n "$munit" -a -n "$mtimer"
if [ -n "$munit" ] && [ -n "$mtimer" ]; then
	sed "s|$DAEMON|$work/debroot$DAEMON|" "$munit" >"$work/unit/netatop-metrics.service"
	cp "$mtimer" "$work/unit/netatop-metrics.timer"
	check "systemd-analyze verify netatop-metrics.service netatop-metrics.timer" \
		systemd-analyze verify --man=no "$work/unit/netatop-metrics.service" "$work/unit/netatop-metrics.timer"
fi
check "the .deb ships the cron example in the documentation" \
	test -f "$work/debroot/usr/share/doc/netatop/examples/netatop-metrics.cron"
check "the .deb installs no cron job" test ! -e "$work/debroot/etc/cron.d"
systemd-analyze security --offline=true "$work/unit/netatop.service" >"$work/security.log" 2>&1
exposure=$(sed -n 's/.*Overall exposure level for netatop.service: \([0-9.]*\).*/\1/p' "$work/security.log")
echo "  systemd-analyze security --offline=true: exposure ${exposure:-?} (at most $MAX_EXPOSURE)"
check "exposure ${exposure:-?} <= $MAX_EXPOSURE" \
	awk -v e="${exposure:-99}" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e + 0 <= m + 0) }'
took

# ---------------------------------------------------------------- RPM
step "RPM (rpmbuild -bb --nodeps) from the tarball"
top=$work/rpmbuild
mkdir -p "$top/SOURCES"
cp "$tarball" "$work/src/rpm/netatop.sysusers" "$top/SOURCES/"
if rpmbuild -bb --nodeps --define "_topdir $top" "$work/src/rpm/netatop.spec" >"$work/rpm.log" 2>&1; then
	for rpm in "$top"/RPMS/*/netatop-"$version"-*.rpm; do
		case $rpm in *-debug*) ;; *) break ;; esac
	done
	ok "built $(basename "$rpm") ($(size_of "$rpm"))"
	files=$(rpm -qlp "$rpm" 2>/dev/null)
	for f in /usr/sbin/netatop '/usr/share/man/man8/netatop.8*' /usr/lib/systemd/system/netatop.service \
		/usr/lib/systemd/system/netatop-metrics.service /usr/lib/systemd/system/netatop-metrics.timer \
		'/usr/share/doc/netatop*/netatop-metrics.cron' \
		/usr/lib/sysusers.d/netatop.conf /etc/sysconfig/netatop; do
		# shellcheck disable=SC2053
		check "rpm -qlp lists $f" bash -c 'for l in $1; do [[ $l == $2 ]] && exit 0; done; exit 1' _ "$files" "$f"
	done
	check "the RPM creates the netatop user in %pre" \
		bash -c 'rpm -qp --scripts "$1" 2>/dev/null | grep -q "useradd.*netatop\|netatop.*useradd"' _ "$rpm"
	mkdir "$work/rpmroot"
	(cd "$work/rpmroot" && rpm2cpio "$rpm" | cpio -idm --quiet)
	check "the RPM's unit reads /etc/sysconfig/netatop" \
		grep -qx 'EnvironmentFile=-/etc/sysconfig/netatop' "$work/rpmroot/usr/lib/systemd/system/netatop.service"
else
	tail -n 30 "$work/rpm.log"
	bad "rpmbuild failed (log: $work/rpm.log)"
fi
took

# ---------------------------------------------------------------- install and run
# invoke-rc.d starts nothing on a machine without an init system (no
# runlevel; a container's policy-rc.d may say no as well).  To exercise
# what the maintainer scripts do on a booted sysvinit system, dpkg runs
# in a private mount namespace where invoke-rc.d is a stand-in that runs
# the init script as invoke-rc.d would there.
cat >"$work/invoke-rc.d" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do
	case $1 in --*) shift ;; *) break ;; esac
done
echo "invoke-rc.d (test stand-in): /etc/init.d/$1 $2" >&2
exec /etc/init.d/"$1" "$2"
EOF
chmod 755 "$work/invoke-rc.d"
with_invoke_rc_d() {
	unshare --mount --propagation private sh -c \
		'mount --bind "$0" /usr/sbin/invoke-rc.d && exec "$@"' "$work/invoke-rc.d" "$@"
}

our_pids() {
	local p exe
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		case $exe in "$DAEMON" | "$DAEMON (deleted)") echo "${p#/proc/}" ;; esac
	done
}
dropping=
"$work/debroot$DAEMON" --help 2>/dev/null | grep -- '--user' >/dev/null && dropping=yes

# netatop's programs and maps by id; those of other tools do not count
nt_objects_left() {
	local left
	# the kernel frees a map after an RCU grace period, task storage after a slow one
	for _ in $(seq 1 50); do
		left=$(nt_objects | comm -13 "$work/bpf.before" - | tr "\n" " ")
		[ -z "$left" ] && break
		sleep 0.1
	done
	echo "$left"
}
nt_objects() {
	{ bpftool -j prog show; echo; bpftool -j map show; } 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    if line.strip():
        for o in json.loads(line):
            if o.get("name", "").startswith(("nt_", "tpc_")):
                print(o.get("type"), o["id"], o["name"])' | sort
}
command -v bpftool >/dev/null && nt_objects >"$work/bpf.before"

step "apt-get install ./$(basename "$deb") (its postinst starts the daemon)"
installed_by_us=yes
if with_invoke_rc_d apt-get install -y -q "$deb" >"$work/install.log" 2>&1; then
	ok "apt-get install"
else
	tail -n 20 "$work/install.log"
	die "apt-get install failed (log: $work/install.log)"
fi
took
check "user netatop exists" getent passwd netatop
check "group netatop exists" getent group netatop
check "netatop's home is /nonexistent and its shell nologin" \
	bash -c 'getent passwd netatop | grep -q ":/nonexistent:/usr/sbin/nologin$"'
check "the init script is enabled for runlevel 2" bash -c 'ls /etc/rc2.d/S*netatop >/dev/null 2>&1'
check "systemd-analyze verify (installed unit)" \
	systemd-analyze verify "$(find /lib/systemd/system /usr/lib/systemd/system -name netatop.service 2>/dev/null | head -n1)"
check "postinst started the daemon ($SOCKET is a socket)" test -S "$SOCKET"

# The id of the kept state's exit link: the same id after a restart is
# the same link, which never stopped counting (netatop(8), RESTARTS).
PIN_DIR=/sys/fs/bpf/netatop
kept_link() {
	local f
	for f in "$PIN_DIR"/state-*/link_nt_process_exit; do
		[ -e "$f" ] && bpftool -j link show pinned "$f" 2>/dev/null |
			sed -n 's/^{"id":\([0-9]*\),.*/\1/p'
	done
}
# A process named $1 that sends 7 UDP datagrams and exits; $2 runs it
# (nothing, or sd for the systemd below).  Its record, held by the daemon
# for the clients, must come through a restart: the file the daemon
# leaves it in must be readable by the next one.
exit_before_restart() {
	# in /run: the systemd below has /tmp of its own
	${2:-} sh -c 'cp /bin/bash "/run/$1" && "/run/$1" -c "for i in 1 2 3 4 5 6 7; do printf %100s >/dev/udp/127.0.0.1/9; done"; rm -f "/run/$1"' _ "$1"
	# a client has had it: now only the daemon's memory holds it, not the kernel
	${2:-} "$DAEMON" --list --json | grep -c "\"command\":\"$1\".*\"udpsndpacks\":7,"
}
listed_once() {
	test "$(${2:-} "$DAEMON" --list --json | grep -c "\"command\":\"$1\".*\"udpsndpacks\":7,")" = 1
}
# a netatop without --pin-dir keeps nothing: the restart checks are left out
keeps_state=
"$DAEMON" --help 2>&1 | grep -e '--pin-dir' >/dev/null && command -v bpftool >/dev/null && keeps_state=yes

step "service netatop start / status / --list / stop"
t0=$(date +%s%N)
service netatop start
rc=$?
check "service netatop start exits 0 when already running (got $rc)" test "$rc" -eq 0
service netatop stop >/dev/null
service netatop start
rc=$?
echo "  start took $((($(date +%s%N) - t0) / 1000000)) ms (stop and start)"
check "service netatop start exits 0 (got $rc)" test "$rc" -eq 0
check "$SOCKET is a socket" test -S "$SOCKET"
check "$PIDFILE exists" test -f "$PIDFILE"
pid=$(head -n1 "$PIDFILE" 2>/dev/null)
check "the pid file names a running $DAEMON (pid ${pid:-none})" \
	test "$(readlink "/proc/${pid:-0}/exe" 2>/dev/null)" = "$DAEMON"
if [ -n "$dropping" ]; then
	check "socket mode 0660 root:netatop (got $(stat -L -c '%a %U:%G' "$SOCKET"))" \
		test "$(stat -L -c '%a %U:%G' "$SOCKET")" = "660 root:netatop"
	check "the daemon runs as user netatop (got $(ps -o user= -p "${pid:-0}"))" \
		test "$(ps -o user= -p "${pid:-0}" | tr -d ' ')" = netatop
	check "a member of group netatop may read the counters" \
		setpriv --reuid=nobody --regid=netatop --clear-groups "$DAEMON" --list
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$DAEMON" --list >/dev/null 2>&1
	rc=$?
	check "others may not (netatop --list exits 8, got $rc)" test "$rc" -eq 8
else
	echo "  (this netatop has no --user: socket mode and daemon user not checked)"
fi
check "netatop --list works as installed" "$DAEMON" --list
host_counting=$("$DAEMON" --list | sed -n 's/.*, counting \([a-z]*\) .*/\1/p')
check "netatop --list --json works as installed" bash -c '"$1" --list --json >/dev/null' _ "$DAEMON"
check "netatop --top -b -n 1 works as installed" \
	bash -c '"$1" --top -b -n 1 -d 0.5 | grep -q "^    PID USER     S TCPSND"' _ "$DAEMON"
check "netatop --metrics works as installed" bash -c '"$1" --metrics | grep -qx "netatop_up 1"' _ "$DAEMON"
# deb-systemd-helper answers for maintainer scripts only; netatop.service,
# which the package does enable, shows that it answers at all
dsh() { DPKG_MAINTSCRIPT_PACKAGE=netatop deb-systemd-helper --quiet "$@" 2>/dev/null; }
check "deb-systemd-helper says netatop.service is enabled" dsh is-enabled netatop.service
check "but not netatop-metrics.timer" \
	bash -c '! ls /etc/systemd/system/*.wants/netatop-metrics.* >/dev/null 2>&1 &&
		! DPKG_MAINTSCRIPT_PACKAGE=netatop deb-systemd-helper --quiet is-enabled netatop-metrics.timer 2>/dev/null'
check "no cron job for the metrics" test ! -e /etc/cron.d/netatop-metrics
check "service netatop status exits 0" service netatop status
link_before=$(kept_link)
[ -n "$keeps_state" ] && seen=$(exit_before_restart ntpkgexit1)
check "service netatop restart exits 0" service netatop restart
check "the daemon runs after restart" test -S "$SOCKET"
if [ -n "$keeps_state" ]; then
	link_after=$(kept_link)
	check "service netatop restart keeps the kernel state (link ${link_before:-none} -> ${link_after:-none})" \
		test -n "$link_before" -a "$link_before" = "$link_after"
	check "a process that exited before it is listed once before (got ${seen:-0})" test "$seen" = 1
	check "and once after it" listed_once ntpkgexit1
fi
# An upgrade to the same tree with a higher version: prerm upgrade, the
# new files, then postinst's restart, which must keep counting.
if [ -n "$keeps_state" ]; then
	rm -rf "$work/up"
	dpkg-deb -R "$deb" "$work/up"
	sed -i "s/^Version: .*/&+up1/" "$work/up/DEBIAN/control"
	updeb="$work/deb/netatop_${version}+up1_$(dpkg --print-architecture).deb"
	dpkg-deb -b "$work/up" "$updeb" >/dev/null
	link_before=$(kept_link)
	seen=$(exit_before_restart ntpkgexit3)
	if with_invoke_rc_d apt-get install -y -q "$updeb" >"$work/upgrade.log" 2>&1; then
		ok "apt-get install ./$(basename "$updeb") over $version with the daemon running completes"
		deb=$updeb	# what is installed now, for the reinstall below
	else
		tail -n 20 "$work/upgrade.log"
		bad "the upgrade failed (log: $work/upgrade.log)"
	fi
	check "dpkg says ${version}+up1 is installed" \
		test "$(dpkg-query -W -f='${Version}' netatop 2>/dev/null)" = "${version}+up1"
	link_after=$(kept_link)
	check "the upgrade keeps the kernel state (link ${link_before:-none} -> ${link_after:-none})" \
		test -n "$link_before" -a "$link_before" = "$link_after"
	check "a process that exited before the upgrade is listed once before (got ${seen:-0})" test "$seen" = 1
	check "and once after it" listed_once ntpkgexit3
fi
check "service netatop stop exits 0" service netatop stop
if [ -n "$keeps_state" ]; then
	check "service netatop stop leaves nothing in bpffs" test ! -e "$PIN_DIR"
	check "nor the link it had" test -z "$link_after" -o -z "$(bpftool link show id "${link_after:-0}" 2>/dev/null)"
	check "nor /run/netatop" test ! -e /run/netatop
fi
if command -v bpftool >/dev/null; then
	left=$(nt_objects_left)
	check "nor any of its programs or maps (${left:-none})" test -z "$left"
fi
check "$SOCKET is gone" test ! -e "$SOCKET"
check "$PIDFILE is gone" test ! -e "$PIDFILE"
check "no $DAEMON process is left" test -z "$(our_pids)"
service netatop status >/dev/null 2>&1
rc=$?
check "service netatop status exits 3 when stopped (got $rc)" test "$rc" -eq 3
check "service netatop stop exits 0 when stopped" service netatop stop
took

# ---------------------------------------------------------------- under systemd
# No systemd runs as PID 1 here, but one can run as PID 1 of private pid,
# mount and UTS namespaces: then the installed unit really runs, sandbox,
# Type=notify and all.  That systemd must touch nothing of the host's: it
# gets /run, /tmp, /var/tmp and /etc/systemd/system of its own, the unit
# loses its default dependencies (sysinit.target would start tmpfiles,
# sysctl, udev... for real), and those units are masked besides.  Where
# systemd does not come up that way, this part is left out.
sd_pid=
sd() { timeout 60 nsenter -t "$sd_pid" -m -p -u "$@"; }
systemd_start() {
	cat >"$work/systemd-ns.sh" <<'EOF'
#!/bin/sh
set -e
for d in /run /tmp /var/tmp /etc/systemd/system; do
	mount -t tmpfs -o mode=0755 tmpfs "$d"
done
chmod 1777 /tmp /var/tmp
for u in sysinit.target basic.target local-fs.target swap.target sockets.target \
	timers.target paths.target tmp.mount systemd-tmpfiles-setup.service \
	systemd-tmpfiles-setup-dev.service systemd-tmpfiles-clean.service \
	systemd-tmpfiles-clean.timer systemd-sysctl.service systemd-modules-load.service \
	systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service \
	systemd-journald.service systemd-journald.socket systemd-journald-dev-log.socket \
	systemd-journal-flush.service systemd-binfmt.service systemd-remount-fs.service \
	systemd-random-seed.service systemd-update-utmp.service systemd-sysusers.service \
	systemd-machine-id-commit.service systemd-firstboot.service systemd-hwdb-update.service \
	ldconfig.service kmod-static-nodes.service; do
	ln -s /dev/null "/etc/systemd/system/$u"
done
mkdir -p /run/systemd/system/netatop.service.d
cat >/run/systemd/system/netatop-pkg-test.target <<'X'
[Unit]
Description=netatop packaging test
DefaultDependencies=no
X
cat >/run/systemd/system/netatop.service.d/test.conf <<'X'
[Unit]
DefaultDependencies=no
[Service]
StandardOutput=append:/run/netatop-test.log
StandardError=append:/run/netatop-test.log
X
exec env container=netatop-pkg-test /lib/systemd/systemd --system --unit=netatop-pkg-test.target
EOF
	chmod 755 "$work/systemd-ns.sh"
	find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d 2>/dev/null | sort >"$work/cgroups.before"
	setsid unshare --pid --fork --mount --uts --propagation private --mount-proc \
		"$work/systemd-ns.sh" >"$work/systemd.log" 2>&1 </dev/null &
	for _ in $(seq 1 50); do
		sd_pid=$(pgrep -f -- '--unit=netatop-pkg-test.target' | head -n1)
		if [ -n "$sd_pid" ] && timeout 5 nsenter -t "$sd_pid" -m -p -u \
			systemctl is-system-running 2>/dev/null | grep -qE '^(running|degraded)$'; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}
systemd_stop() {
	[ -n "$sd_pid" ] || return 0
	kill -KILL "$sd_pid" 2>/dev/null
	sleep 0.5
	# the control groups that systemd made in the host's hierarchies
	find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d 2>/dev/null | sort |
		comm -13 "$work/cgroups.before" - | sort -r | while read -r d; do
		find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	sd_pid=
}

step "the installed unit under systemd (PID 1 of private namespaces)"
if [ -x /lib/systemd/systemd ] && command -v unshare >/dev/null && systemd_start; then
	sd systemctl start netatop.service
	rc=$?
	check "systemctl start netatop (Type=notify) exits 0 (got $rc)" test "$rc" -eq 0
	check "netatop.service is active" sd systemctl is-active --quiet netatop.service
	main=$(sd systemctl show -p MainPID --value netatop.service)
	check "the unit's daemon serves the socket" sd test -S "$SOCKET"
	# what the init script's daemon counted, as root with every capability
	if [ -n "$host_counting" ]; then
		unit_counting=$(sd "$DAEMON" --list | sed -n 's/.*, counting \([a-z]*\) .*/\1/p')
		check "the unit's daemon counts $host_counting as root does (got ${unit_counting:-nothing})" \
			test "$unit_counting" = "$host_counting"
	fi
	check "netatop --list works against it" sd "$DAEMON" --list
	if [ -n "$dropping" ]; then
		check "socket mode 0660 root:netatop (got $(sd stat -L -c '%a %U:%G' "$SOCKET"))" \
			test "$(sd stat -L -c '%a %U:%G' "$SOCKET")" = "660 root:netatop"
		# MainPID is a pid of systemd's namespace
		user=$(sd ps -o user= -p "${main:-0}" | tr -d ' ')
		check "the daemon runs as netatop (got ${user:-nothing})" test "$user" = netatop
		# CAP_PERFMON (38) and CAP_BPF (39), nothing else
		capeff=$(sd sed -n 's/^CapEff:[[:space:]]*//p' "/proc/${main:-0}/status" 2>/dev/null)
		check "the daemon keeps only CAP_BPF and CAP_PERFMON (CapEff ${capeff:-?})" \
			test "$capeff" = 000000c000000000
	fi
	enabled=$(sd systemctl is-enabled netatop-metrics.timer 2>&1)
	check "netatop-metrics.timer is disabled (got $enabled)" test "$enabled" = disabled
	# run it once, writing to this systemd's /run
	sd sh -c 'mkdir -p /run/systemd/system/netatop-metrics.service.d &&
		printf "[Unit]\nDefaultDependencies=no\n[Service]\nEnvironment=NETATOP_METRICS_FILE=/run/netatop-test.prom\nReadWritePaths=/run\n" \
		>/run/systemd/system/netatop-metrics.service.d/test.conf' && sd systemctl daemon-reload
	sd systemctl start netatop-metrics.service
	rc=$?
	check "systemctl start netatop-metrics.service exits 0 (got $rc)" test "$rc" -eq 0
	check "it wrote the metrics" sd grep -qx 'netatop_up 1' /run/netatop-test.prom
	check "and its state" test -s /var/lib/netatop/metrics.state
	if [ -n "$keeps_state" ]; then
		link_before=$(kept_link)
		seen=$(exit_before_restart ntpkgexit2 sd)
		sd systemctl restart netatop.service
		rc=$?
		link_after=$(kept_link)
		check "systemctl restart netatop exits 0 (got $rc)" test "$rc" -eq 0
		check "systemctl restart keeps the kernel state (link ${link_before:-none} -> ${link_after:-none})" \
			test -n "$link_before" -a "$link_before" = "$link_after"
		check "and the daemon adopted it" sd grep -q "adopted the kernel state" /run/netatop-test.log
		check "a process that exited before it is listed once before (got ${seen:-0})" test "$seen" = 1
		check "and once after it" listed_once ntpkgexit2 sd
		check "handed over in the state file" sd grep -q "exited processes handed over by the previous daemon" \
			/run/netatop-test.log
	fi
	sd systemctl stop netatop.service
	rc=$?
	check "systemctl stop netatop exits 0 (got $rc)" test "$rc" -eq 0
	[ -n "$keeps_state" ] && check "systemctl stop leaves nothing in bpffs" test ! -e "$PIN_DIR"
	check "ExecStopPost removed $SOCKET and $PIDFILE" sd sh -c "! ls $SOCKET $PIDFILE 2>/dev/null"
	result=$(sd systemctl show -p Result --value netatop.service)
	check "the unit stopped cleanly (Result=$result)" test "$result" = success
	others=$(sd systemctl list-units --no-legend --plain --state=active --type=service,socket,timer |
		awk '{ print $1 }' | grep -vx netatop.service | tr '\n' ' ')
	check "no other service, socket or timer ran (${others:-none})" test -z "$others"
	echo "  the daemon's output:"
	sd cat /run/netatop-test.log | sed 's/^/    /'
	systemd_stop
else
	systemd_stop
	echo "  systemd does not run in a private namespace here: left out"
fi
took

# A daemon that cannot start (here: a bad option; in the field: a kernel
# that cannot run it) is reported, but the installation completes.
step "a daemon that cannot start does not fail the installation"
cp /etc/default/netatop "$work/default.saved"
echo 'NETATOP_OPTS="--backend=no-such-backend"' >>/etc/default/netatop
service netatop start >/dev/null 2>&1
rc=$?
check "service netatop start fails with LSB status 6, not configured (got $rc)" test "$rc" -eq 6
if with_invoke_rc_d apt-get install --reinstall -y -q "$deb" >"$work/reinstall.log" 2>&1; then
	ok "apt-get install --reinstall completes"
else
	tail -n 20 "$work/reinstall.log"
	bad "apt-get install --reinstall failed (log: $work/reinstall.log)"
fi
check "postinst said the daemon did not start" grep -q 'the daemon did not start' "$work/reinstall.log"
check "dpkg says netatop is installed" bash -c 'dpkg-query -W -f="\${Status}" netatop | grep -qx "install ok installed"'
cp "$work/default.saved" /etc/default/netatop
took

step "apt-get purge -y netatop (with the daemon running)"
service netatop start >/dev/null
check "the daemon runs before the purge" test -S "$SOCKET"
purge_link=
[ -n "$keeps_state" ] && purge_link=$(kept_link)
if with_invoke_rc_d apt-get purge -y -q netatop >"$work/purge.log" 2>&1; then
	ok "apt-get purge"
	installed_by_us=
else
	tail -n 20 "$work/purge.log"
	bad "apt-get purge failed (log: $work/purge.log)"
fi
check "the package is gone" bash -c '! dpkg-query -W -f="\${Status}" netatop 2>/dev/null | grep -q installed'
check "no $DAEMON process is left" test -z "$(our_pids)"
check "$SOCKET is gone" test ! -e "$SOCKET"
check "$PIDFILE is gone" test ! -e "$PIDFILE"
check "user netatop is gone" bash -c '! getent passwd netatop'
check "group netatop is gone" bash -c '! getent group netatop'
for f in $DAEMON /etc/default/netatop /etc/init.d/netatop /usr/share/man/man8/netatop.8.gz \
	/lib/systemd/system/netatop.service /usr/lib/systemd/system/netatop.service \
	/usr/lib/sysusers.d/netatop.conf /usr/share/doc/netatop \
	/lib/systemd/system/netatop-metrics.service /usr/lib/systemd/system/netatop-metrics.timer \
	/var/lib/netatop; do
	check "$f is gone" test ! -e "$f"
done
check "no rc.d link is left" bash -c '! ls /etc/rc?.d/*netatop >/dev/null 2>&1'
if [ -n "$keeps_state" ]; then
	check "nothing is left in bpffs ($PIN_DIR)" test ! -e "$PIN_DIR"
	check "nor the link the daemon had (${purge_link:-none})" \
		test -n "$purge_link" -a -z "$(bpftool link show id "${purge_link:-0}" 2>/dev/null)"
	check "nor /run/netatop" test ! -e /run/netatop
fi
if command -v bpftool >/dev/null; then
	left=$(nt_objects_left)
	check "no netatop program or map is left in the kernel (${left:-none})" test -z "$left"
fi
took

finish
