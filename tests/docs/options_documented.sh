#!/bin/sh
# Every long option that --help offers is documented in the manual page
# and every one the manual page documents is offered by --help.
set -eu
page=${top_builddir:-.}/man/netatop.8
help_opts=$("$NETATOP" --help | grep -Eo -- '--[a-z][a-z-]*' | sort -u)
man_opts=$(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$page" | grep -E '^\.(TP|B|BI|BR) ' |
	tr -d '\\' | grep -Eo -- '--[a-z][a-z-]*' | sort -u)
status=0
for o in $help_opts; do
	echo "$man_opts" | grep -qx -- "$o" || { echo "$o is in --help but not in $page"; status=1; }
done
for o in $man_opts; do
	echo "$help_opts" | grep -qx -- "$o" || { echo "$o is in $page but not in --help"; status=1; }
done
[ $status -eq 0 ] && echo "ok: $(echo "$help_opts" | wc -l) options documented in both"
exit $status
