#!/bin/sh
# fetch-kernel.sh DIR
#
# Put Debian's 6.1 cloud kernel (the one linux-image-cloud-amd64 depends on
# in bookworm) into DIR for the qemu tests:
#
#   DIR/vmlinuz-<release>   the kernel image
#   DIR/config-<release>    its build configuration, for reference
#   DIR/vmlinuz, DIR/config symlinks to the two above
#   DIR/kernel.info         package, version and release, one "key=value" a line
#   DIR/debs/*.deb          the downloaded package, kept as a cache
#
# The package is fetched with `apt-get download` only when DIR does not hold
# it yet; the image is extracted only when DIR does not hold it yet.  Running
# the script again is cheap and changes nothing.  When the package lists name
# no 6.1 cloud kernel (no `apt-get update` yet, or no network) a kernel
# already in DIR is used as it is.
#
# NETATOP_VM_KERNEL_PKG=linux-image-6.1.0-NN-cloud-amd64[-unsigned] pins the
# package instead of following the metapackage.
#
# The path of the kernel image is printed on stdout; progress goes to stderr.
set -eu

prog=fetch-kernel.sh
meta=linux-image-cloud-amd64

die() {
	printf '%s: error: %s\n' "$prog" "$*" >&2
	exit 1
}

note() {
	printf '%s: %s\n' "$prog" "$*" >&2
}

need() {
	command -v "$1" >/dev/null 2>&1 || die "'$1' not found; install Debian package '$2'"
}

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
	printf 'usage: %s DIR\n' "$prog" >&2
	exit 64
fi
dir=$1

need apt-cache apt
need apt-get apt
need dpkg-deb dpkg
need tar tar

mkdir -p "$dir/debs" || die "cannot create $dir/debs"
dir=$(cd "$dir" && pwd)

# A kernel already extracted into DIR, if any.
cached_image() {
	if [ -f "$dir/vmlinuz" ] && [ -f "$dir/config" ]; then
		(cd "$dir" && printf '%s/%s\n' "$dir" "$(readlink vmlinuz || echo vmlinuz)")
		return 0
	fi
	return 1
}

# Print the candidate version of package $1 ("" when apt knows none), using
# the output of one `apt-cache policy` call given in $2.
candidate() {
	printf '%s\n' "$2" | awk -v p="$1:" '
		/^[^ ]/ { cur = $1 }
		cur == p && $1 == "Candidate:" && $2 != "(none)" { print $2; exit }'
}

# ---------------------------------------------------------------- which package
pkg=${NETATOP_VM_KERNEL_PKG:-}
version=
if [ -z "$pkg" ]; then
	# The ABI the metapackage currently points at (signed image package).
	signed=$(apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-cloud-amd64\)$/\1/p' | head -n 1)
	if [ -z "$signed" ]; then
		# No metapackage (e.g. a newer release): take the newest 6.1 ABI known.
		signed=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
			sed -n 's/^\(linux-image-6\.1\.0-[0-9]*-cloud-amd64\)\(-unsigned\)\{0,1\}$/\1/p' |
			sort -u -V | tail -n 1)
	fi
	if [ -n "$signed" ]; then
		# Prefer the unsigned build: same kernel, no signature wrapper.
		policy=$(apt-cache policy "$signed-unsigned" "$signed" 2>/dev/null || true)
		for p in "$signed-unsigned" "$signed"; do
			version=$(candidate "$p" "$policy")
			if [ -n "$version" ]; then
				pkg=$p
				break
			fi
		done
	fi
else
	version=$(candidate "$pkg" "$(apt-cache policy "$pkg" 2>/dev/null || true)")
	[ -n "$version" ] || die "apt knows no package '$pkg'; run 'apt-get update' or fix NETATOP_VM_KERNEL_PKG"
fi

if [ -z "$pkg" ]; then
	if img=$(cached_image); then
		note "apt knows no Debian 6.1 cloud kernel; using the one in $dir"
		printf '%s\n' "$img"
		exit 0
	fi
	die "apt knows no Debian 6.1 cloud kernel package ($meta); run 'apt-get update' first"
fi
release=${pkg#linux-image-}
release=${release%-unsigned}
# Debian's .deb file names spell an epoch's ':' as '%3a'.
deb="$dir/debs/${pkg}_$(printf '%s' "$version" | sed 's/:/%3a/g')_amd64.deb"

image="$dir/vmlinuz-$release"
config="$dir/config-$release"
info="package=$pkg
version=$version
release=$release"

# ---------------------------------------------------------------- download
if [ -f "$image" ] && [ -f "$config" ] &&
	[ "$(cat "$dir/kernel.info" 2>/dev/null || true)" = "$info" ]; then
	note "kernel $release ($pkg $version) already in $dir"
	ln -sfn "vmlinuz-$release" "$dir/vmlinuz"
	ln -sfn "config-$release" "$dir/config"
	printf '%s\n' "$image"
	exit 0
fi
if [ -f "$deb" ] && dpkg-deb --info "$deb" >/dev/null 2>&1; then
	note "using cached $(basename "$deb")"
else
	note "downloading $pkg $version"
	tmp=$(mktemp -d "$dir/debs/.dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# As root apt hands the download to the unprivileged _apt user, who
	# cannot write to a private temporary directory: keep it as root.
	sandbox=
	[ "$(id -u)" -eq 0 ] && sandbox=-oAPT::Sandbox::User=root
	# shellcheck disable=SC2086 # $sandbox is empty or one word
	(cd "$tmp" && apt-get download -q $sandbox "$pkg=$version" >&2) ||
		die "apt-get download $pkg=$version failed"
	got=$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n 1)
	[ -n "$got" ] || die "apt-get download $pkg left no .deb"
	dpkg-deb --info "$got" >/dev/null 2>&1 || die "downloaded $(basename "$got") is not a valid .deb"
	mv -f "$got" "$deb"
	rm -rf "$tmp"
	trap - EXIT
fi

# ---------------------------------------------------------------- extract
# Always re-extracted: the same release name may come from another build.
note "extracting kernel $release"
tmp=$(mktemp -d "$dir/.x.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Only boot/ is needed: everything the tests use is built in.
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./boot/vmlinuz-$release" "./boot/config-$release" ||
	die "$(basename "$deb") holds no boot/vmlinuz-$release and boot/config-$release"
mv -f "$tmp/boot/config-$release" "$config"
mv -f "$tmp/boot/vmlinuz-$release" "$image"
rm -rf "$tmp"
trap - EXIT

ln -sfn "vmlinuz-$release" "$dir/vmlinuz"
ln -sfn "config-$release" "$dir/config"
printf '%s\n' "$info" >"$dir/kernel.info"

printf '%s\n' "$image"
