#!/bin/sh
# Install what building netatop needs on Debian 12 or later (or Ubuntu
# 22.04 or later); with --tests, also what the whole test suite needs (qemu
# and busybox for the 6.1 guest, tmux and prometheus_client for the --top
# and --metrics tests, valgrind and clang's sanitizer runtimes for
# make check-quality, strace for make bench, ethtool for the wire counting
# tests' offloads, and what fetches and verifies atop's packages for
# tests/atop).  Run as root.
set -eu

usage() {
	echo "usage: install-build-deps.sh [--tests]" >&2
	exit 2
}

tests=
case ${1:-} in
	--tests) tests=1 ;;
	"") ;;
	*) usage ;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "install-build-deps.sh: run as root (it calls apt-get)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
pkgs="autoconf automake make gcc libc6-dev pkg-config
	clang llvm bpftool
	libbpf-dev libelf-dev zlib1g-dev libcap-dev check libsubunit-dev libncurses-dev
	groff-base procps iproute2"
if [ -n "$tests" ]; then
	pkgs="$pkgs qemu-system-x86 busybox-static cpio tmux python3-prometheus-client
		valgrind libclang-rt-dev strace
		python3 ethtool curl xz-utils gpgv debian-archive-keyring"
fi
# wait for another apt run (unattended upgrades) rather than fail
apt-get -o DPkg::Lock::Timeout=600 update -qq
# The BPF programs need clang 15 or later (configure says why); Debian
# 12's default is 14, and its archive has clang-16.
if [ "$(apt-cache policy clang 2>/dev/null | sed -n 's/^ *Candidate: *[0-9]*:*\([0-9]*\).*/\1/p')" -lt 15 ] 2>/dev/null; then
	pkgs="$pkgs clang-16 llvm-16"
fi
# shellcheck disable=SC2086 # one word per package
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $pkgs >/dev/null
echo "install-build-deps.sh: installed: $(echo $pkgs | tr -s ' \n\t' ' ')"
