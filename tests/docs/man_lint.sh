#!/bin/sh
# The manual page renders without a single groff warning.
set -eu
page=${top_builddir:-.}/man/netatop.8
out=$(groff -ww -z -man "$page" 2>&1) || { echo "$out"; exit 1; }
if [ -n "$out" ]; then
	echo "$out"
	exit 1
fi
echo "ok: $page renders cleanly"
