#!/bin/sh
# The parts of src/ depend on each other one way only (Makefile.am, "the
# parts"), and the clients are built and linked without libbpf:
#  - a file of src/<part>/ includes headers of its own part and of the
#    parts below it, nothing else:
#      main.c -> daemon, check, client, common
#      daemon -> loader, common      check -> loader, common
#      loader -> common              client -> common      common -> nothing
#    (bpf/records.h, the kernel's records, for the loader and the parts
#    that take records from it; libbpf's headers and the skeleton for the
#    loader alone);
#  - no two modules (foo.c and foo.h) include each other, nor does any
#    longer chain of them come back where it started;
#  - libclient.a and libtop.a are compiled without libbpf's flags or the
#    loader's headers, and none of their objects calls into libbpf.
# Needs the built tree (libclient.a, libtop.a and their .deps).
set -eu

src=${top_srcdir:-.}
build=${top_builddir:-.}
# run from make check: the make below must not join its jobserver
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
status=0
bad() {
	echo "$*"
	status=1
}

allowed() {	# allowed PART: the parts PART may include headers of
	case $1 in
	main) echo "main daemon check client common" ;;
	daemon) echo "daemon loader common bpf" ;;
	check) echo "check loader common bpf" ;;
	loader) echo "loader common bpf skeleton libbpf" ;;
	client) echo "client common" ;;
	common) echo "common" ;;
	*) echo "" ;;
	esac
}

part_of() {	# part_of FILE (relative to src/): main or the folder under src/
	case $1 in
	main.c) echo main ;;
	*/*) echo "${1%%/*}" ;;
	*) echo unknown ;;
	esac
}

# header_part PART NAME: which part a quoted include of NAME reaches
header_part() {
	if [ -f "$src/src/$1/$2" ]; then
		echo "$1"
		return
	fi
	case $2 in
	config.h) echo config; return ;;
	netatop.skel.h) echo skeleton; return ;;
	esac
	found=$(cd "$src/src" && for h in ./*/"$2"; do if [ -f "$h" ]; then echo "${h#./}"; fi; done)
	if [ -n "$found" ]; then
		[ "$(echo "$found" | wc -l)" -eq 1 ] || { echo "ambiguous"; return; }
		echo "${found%%/*}"
		return
	fi
	[ -f "$src/bpf/$2" ] && { echo bpf; return; }
	echo unknown
}

files=$(cd "$src/src" && for f in main.c ./*/*.c ./*/*.h; do echo "${f#./}"; done)
edges=$(mktemp "${TMPDIR:-/tmp}/netatop-layering.XXXXXX")
trap 'rm -f "$edges" "$edges.loop"' EXIT

# ---------------------------------------------------------------- includes
for f in $files; do
	part=$(part_of "$f")
	ok=" $(allowed "$part") "
	mod=$part/$(basename "$f" | sed 's/\.[ch]$//')
	[ "$part" = main ] && mod=main
	# quoted includes: project headers
	# shellcheck disable=SC2013 # header names have no spaces
	for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$src/src/$f"); do
		hp=$(header_part "$part" "$h")
		case $hp in
		config) continue ;;
		unknown) bad "src/$f includes \"$h\", which is no header of src/ or bpf/"; continue ;;
		ambiguous) bad "src/$f includes \"$h\", which more than one part has"; continue ;;
		esac
		case $ok in
		*" $hp "*) ;;
		*) bad "src/$f ($part) includes \"$h\" of $hp: $part may only include $(allowed "$part")" ;;
		esac
		case $hp in
		bpf | skeleton) ;;
		*) hmod=$hp/${h%.h}
		   [ "$hmod" != "$mod" ] && echo "$mod $hmod" >>"$edges" ;;
		esac
	done
	# libbpf's own headers
	if grep -Eq '^[[:space:]]*#[[:space:]]*include[[:space:]]*<bpf/' "$src/src/$f"; then
		case $ok in
		*" libbpf "*) ;;
		*) bad "src/$f ($part) includes libbpf's headers: only the loader may" ;;
		esac
	fi
done

# ---------------------------------------------------------------- cycles
sort -u "$edges" -o "$edges"
# each pair once, the first of the two in sort order first
mutual=$(awk '{ e[$1 " " $2] = 1 } END { for (k in e) { split(k, m, " ");
	if (m[1] < m[2] && ((m[2] " " m[1]) in e)) print m[1], m[2] } }' "$edges" | sort)
if [ -n "$mutual" ]; then
	echo "$mutual" | while read -r a b; do
		echo "src/$a and src/$b include each other's headers"
	done
	status=1
fi
if ! tsort "$edges" >/dev/null 2>"$edges.loop"; then
	bad "the includes go round in a circle: $(sed -n 's/^tsort: //p' "$edges.loop" | grep -v 'input contains a loop' | tr '\n' ' ')"
fi

# ---------------------------------------------------------------- the clients and libbpf
for lib in libclient.a libtop.a; do
	if [ ! -f "$build/$lib" ]; then
		bad "$build/$lib is not built: run make first"
		continue
	fi
	calls=$(nm -u "$build/$lib" 2>/dev/null | awk '{print $NF}' |
		grep -E '^(lib)?bpf_|^btf_|^btf__|^ring_buffer__|^perf_buffer__|^user_ring_buffer__' | sort -u | tr '\n' ' ')
	[ -z "$calls" ] || bad "$lib calls into libbpf: $calls"
done

make_var() {	# make_var NAME: its value in the build tree's Makefile
	# shellcheck disable=SC2016 # for make to expand
	printf 'print-var-%%:\n\t@echo $($*)\n' |
		make -s --no-print-directory -C "$build" -f Makefile -f - "print-var-$1"
}
libbpf_cflags=$(make_var LIBBPF_CFLAGS)
for target in libclient_a libtop_a; do
	flags=" $(make_var "${target}_CPPFLAGS") "
	[ -n "$(make_var "${target}_SOURCES")" ] || bad "Makefile has no ${target}_SOURCES"
	for word in $libbpf_cflags; do
		case $flags in
		*" $word "*) bad "${target}_CPPFLAGS has libbpf's flag $word" ;;
		esac
	done
	case $flags in
	*/src/loader" "* | */bpf" "*) bad "${target}_CPPFLAGS reaches the loader's or the BPF headers:$flags" ;;
	esac
done
# what the compiler read for each client object (automake's dependency files)
for dep in "$build"/src/client/.deps/libclient_a-*.Po "$build"/src/client/.deps/libtop_a-*.Po; do
	[ -f "$dep" ] || continue
	if grep -Eq '/bpf/(bpf|libbpf|btf)\.h|(^|[[:space:]/])(src/loader/|bpf/records\.h)' "$dep"; then
		bad "$(basename "$dep" .Po).o was compiled with libbpf's or the loader's headers"
	fi
done

[ $status -eq 0 ] && echo "ok: $(echo "$files" | wc -l) files of src/ include down the layers only; the clients need no libbpf"
exit $status
