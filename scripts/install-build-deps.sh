#!/bin/sh
# Install what building and testing netatop needs on Debian 12 or later
# (or Ubuntu 22.04 or later).  Run as root.
set -eu

if [ "$(id -u)" -ne 0 ]; then
	echo "install-build-deps.sh: run as root (it calls apt-get)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	autoconf automake make gcc libc6-dev pkg-config \
	clang llvm bpftool \
	libbpf-dev libelf-dev zlib1g-dev libcap-dev check \
	groff-base procps iproute2 >/dev/null
echo "install-build-deps.sh: build dependencies installed"
