#!/bin/sh
# The package versions agree with the one configure.ac gives AC_INIT:
# debian/changelog's newest entry (without a Debian revision) and
# rpm/netatop.spec's Version.  Needs nothing but the source tree.
set -eu
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}

upstream=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$srcdir/configure.ac" | head -n1)
deb=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$srcdir/debian/changelog")
deb_upstream=${deb%-*}		# 0.1.0-1 -> 0.1.0; native 0.1.0 stays
deb_upstream=${deb_upstream#*:}	# drop an epoch
rpm=$(sed -n 's/^Version:[[:space:]]*//p' "$srcdir/rpm/netatop.spec" | head -n1)

status=0
if [ -z "$upstream" ]; then
	echo "FAIL: no version in configure.ac's AC_INIT"
	exit 1
fi
if [ "$deb_upstream" = "$upstream" ]; then
	echo "ok: debian/changelog $deb matches configure.ac $upstream"
else
	echo "FAIL: debian/changelog says $deb, configure.ac says $upstream: add a changelog entry (dch -v $upstream)"
	status=1
fi
if [ "$rpm" = "$upstream" ]; then
	echo "ok: rpm/netatop.spec Version $rpm matches configure.ac"
else
	echo "FAIL: rpm/netatop.spec says Version $rpm, configure.ac says $upstream"
	status=1
fi
# The sysusers entry is kept twice (rpm needs it as a separate source).
if cmp -s "$srcdir/service/netatop.sysusers" "$srcdir/rpm/netatop.sysusers"; then
	echo "ok: rpm/netatop.sysusers is service/netatop.sysusers"
else
	echo "FAIL: rpm/netatop.sysusers differs from service/netatop.sysusers: copy it over"
	status=1
fi
exit $status
