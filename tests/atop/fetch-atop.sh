#!/bin/sh
# fetch-atop.sh DIR
#
# Put the newest atop of Debian's development suites into DIR, with the
# libraries it was built against, and print the path of a launcher that
# runs it:
#
#   DIR/atop        the launcher: it starts atop through the C library's own
#                   dynamic loader from DIR/root, so the atop of unstable runs
#                   on an older release without installing anything
#   DIR/root/       atop's package and its dependencies, extracted (dpkg-deb -x)
#   DIR/debs/       the downloaded packages, kept as a cache
#   DIR/atop.info   suite, version and the packages extracted, "key=value"
#
# The host's own atop is too old on Debian 12 (2.8.1: netatop's protocol
# needs 2.10.0, and 2.11.1 connects only with -K).
#
# What is fetched is verified the way apt does it: the suite's InRelease
# against the keys of debian-archive-keyring (gpgv), the Packages index
# against the SHA256 that InRelease gives, every .deb against the SHA256 of
# the index.  The dependencies are those of the same suite, followed from
# atop's Depends and Pre-Depends (first alternative; virtual packages by
# their providers).
#
# A DIR that already holds a working atop is used as it is, with no network
# at all; NETATOP_ATOP_REFRESH=1 fetches anew (and takes a newer atop if
# there is one).
#
# Environment:
#   NETATOP_ATOP_MIRROR  Debian mirror (default: the first Debian archive of
#                        apt's sources, as `apt-get indextargets` shows it)
#   NETATOP_ATOP_SUITES  suites to look in, the newest atop wins, the first
#                        suite on a tie (default "unstable testing")
#   NETATOP_ATOP_KEYRING keyring for gpgv
#                        (default /usr/share/keyrings/debian-archive-keyring.gpg)
#
# Progress goes to stderr; exit status 1 on any failure.
set -eu

prog=fetch-atop.sh

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
mkdir -p "$1/debs" || die "cannot create $1/debs"
dir=$(cd "$1" && pwd)
launcher=$dir/atop

# ---------------------------------------------------------------- cached
if [ "${NETATOP_ATOP_REFRESH:-}" != 1 ] && [ -f "$dir/atop.info" ] && [ -x "$launcher" ] &&
	"$launcher" -V >/dev/null 2>&1; then
	note "using $(sed -n 's/^version=//p' "$dir/atop.info") from $(sed -n 's/^suite=//p' "$dir/atop.info") already in $dir"
	printf '%s\n' "$launcher"
	exit 0
fi

need curl curl
need gpgv gpgv
need xz xz-utils
need dpkg-deb dpkg
need sha256sum coreutils
need awk mawk

keyring=${NETATOP_ATOP_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
[ -r "$keyring" ] || die "no keyring $keyring; install Debian package 'debian-archive-keyring'"
arch=$(dpkg --print-architecture) || die "dpkg cannot tell the architecture"

mirror=${NETATOP_ATOP_MIRROR:-}
if [ -z "$mirror" ]; then
	# The archive apt already uses (not the security archive): no host is
	# written down here, and a machine with a local mirror keeps using it.
	# shellcheck disable=SC2016 # apt's own placeholders
	mirror=$(apt-get indextargets --format '$(LABEL) $(REPO_URI)' 2>/dev/null |
		awk '$1 == "Debian" && $2 ~ /^https?:/ { print $2; exit }')
	[ -n "$mirror" ] || die "apt's sources name no Debian archive; set NETATOP_ATOP_MIRROR"
fi
mirror=${mirror%/}

tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

get() {
	curl -fsSL --retry 2 --connect-timeout 15 --max-time 120 -o "$2" "$1" ||
		die "cannot download $1"
}

# sha256_ok FILE SHA256
sha256_ok() {
	[ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

# ---------------------------------------------------------------- indexes
# index SUITE: $tmp/SUITE.Packages, verified from a signed InRelease.
index() {
	get "$mirror/dists/$1/InRelease" "$tmp/$1.InRelease"
	gpgv --quiet --keyring "$keyring" --output "$tmp/$1.Release" "$tmp/$1.InRelease" \
		2>"$tmp/$1.gpgv" || {
		cat "$tmp/$1.gpgv" >&2
		die "$1's InRelease is not signed by a key of $keyring"
	}
	sum=$(awk -v f="main/binary-$arch/Packages.xz" '
		/^[^ ]/ { in256 = ($1 == "SHA256:") ; next }
		in256 && $3 == f { print $1; exit }' "$tmp/$1.Release")
	[ -n "$sum" ] || die "$1's Release lists no main/binary-$arch/Packages.xz"
	get "$mirror/dists/$1/main/binary-$arch/Packages.xz" "$tmp/$1.Packages.xz"
	sha256_ok "$tmp/$1.Packages.xz" "$sum" || die "$1's Packages.xz does not match its Release"
	xz -dc "$tmp/$1.Packages.xz" >"$tmp/$1.Packages" || die "cannot unpack $1's Packages.xz"
}

# atop_version SUITE
atop_version() {
	awk '/^Package: / { p = $2 } p == "atop" && /^Version: / { print $2; exit }' "$tmp/$1.Packages"
}

suite='' version=''
for s in ${NETATOP_ATOP_SUITES:-unstable testing}; do
	note "reading $s's index"
	index "$s"
	v=$(atop_version "$s")
	if [ -z "$v" ]; then
		note "$s has no atop"
		continue
	fi
	note "$s has atop $v"
	if [ -z "$version" ] || dpkg --compare-versions "$v" gt "$version"; then
		suite=$s
		version=$v
	fi
done
[ -n "$suite" ] || die "no suite of ${NETATOP_ATOP_SUITES:-unstable testing} has atop"

# ---------------------------------------------------------------- closure
# One line per package: name, Filename, SHA256.  Depends and Pre-Depends
# are followed, the first alternative of each, version constraints aside:
# the suite is consistent with itself.
awk -v root=atop '
	function flush() {
		if (pkg != "" && !(pkg in file)) {
			file[pkg] = fn; sum[pkg] = sh; deps[pkg] = dp
		}
		if (pkg != "")
			for (i = 1; i <= np; i++)
				if (!(prov[i] in provider))
					provider[prov[i]] = pkg
		pkg = fn = sh = dp = ""; np = 0
	}
	/^$/ { flush(); next }
	/^Package: / { pkg = $2; next }
	/^Filename: / { fn = $2; next }
	/^SHA256: / { sh = $2; next }
	/^(Pre-)?Depends: / { sub(/^[^:]*: /, ""); dp = dp "," $0; next }
	/^Provides: / {
		sub(/^Provides: /, "")
		n = split($0, a, ",")
		for (i = 1; i <= n; i++) {
			split(a[i], w, " ")
			prov[++np] = w[1]
		}
		next
	}
	END {
		flush()
		todo[++nt] = root
		while (nt > 0) {
			p = todo[nt--]
			if (!(p in file) && (p in provider))
				p = provider[p]
			if (p in seen)
				continue
			seen[p] = 1
			if (!(p in file)) {
				print "missing " p
				continue
			}
			print p, file[p], sum[p]
			n = split(deps[p], a, ",")
			for (i = 1; i <= n; i++) {
				split(a[i], alt, "|")
				split(alt[1], w, " ")
				sub(/:.*/, "", w[1])
				if (w[1] != "")
					todo[++nt] = w[1]
			}
		}
	}' "$tmp/$suite.Packages" >"$tmp/closure"
if grep -q '^missing ' "$tmp/closure"; then
	die "$suite lacks what atop needs: $(sed -n 's/^missing //p' "$tmp/closure" | tr '\n' ' ')"
fi

# ---------------------------------------------------------------- download
mkdir -p "$tmp/root"
while read -r _ file sum; do
	deb=$dir/debs/$(basename "$file")
	if [ -f "$deb" ] && sha256_ok "$deb" "$sum"; then
		:
	else
		get "$mirror/$file" "$tmp/deb"
		sha256_ok "$tmp/deb" "$sum" || die "$(basename "$file") does not match $suite's index"
		mv -f "$tmp/deb" "$deb"
	fi
	dpkg-deb -x "$deb" "$tmp/root" || die "cannot extract $(basename "$deb")"
done <"$tmp/closure"
note "atop $version from $suite: $(awk '{print $1}' "$tmp/closure" | tr '\n' ' ')"

# ---------------------------------------------------------------- launcher
libc=$(find "$tmp/root" -name libc.so.6 | head -n 1)
[ -n "$libc" ] || die "the packages hold no libc.so.6"
libdir=${libc%/libc.so.6}
loader=$(find "$libdir" -maxdepth 1 \( -name 'ld-linux*.so.*' -o -name 'ld64.so.*' \) | head -n 1)
[ -n "$loader" ] || die "the packages hold no dynamic loader beside $libc"
libdir=${libdir#"$tmp/root/"}
loader=${loader#"$tmp/root/"}
multiarch=${libdir##*/}
[ -x "$tmp/root/usr/bin/atop" ] || die "atop's package holds no usr/bin/atop"

rm -rf "$dir/root" "$dir/atop.info" "$launcher"
mv "$tmp/root" "$dir/root"
# --inhibit-cache: not the host's ld.so.cache, whose libraries are older
cat >"$launcher" <<EOF
#!/bin/sh
# atop $version from Debian $suite, through its own C library (fetch-atop.sh)
root='$dir/root'
exec "\$root/$loader" --inhibit-cache \\
	--library-path "\$root/$libdir:\$root/lib/$multiarch" "\$root/usr/bin/atop" "\$@"
EOF
chmod 755 "$launcher"
"$launcher" -V >"$tmp/version" 2>&1 || {
	cat "$tmp/version" >&2
	die "the fetched atop does not run"
}
{
	printf 'suite=%s\nversion=%s\n' "$suite" "$version"
	awk '{ print "package=" $1 " " $2 }' "$tmp/closure"
} >"$dir/atop.info"
note "$(head -n 1 "$tmp/version")"
printf '%s\n' "$launcher"
