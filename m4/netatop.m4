# netatop's configure checks: every missing tool or library stops
# configure with one line naming the Debian package that provides it.

# NETATOP_REQUIRE_PKG(VARIABLE, MODULES, DEBIAN-PACKAGE)
AC_DEFUN([NETATOP_REQUIRE_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$2 not found: install it with 'apt-get install $3' (Fedora: the matching -devel package)])])
])

# NETATOP_PROG_BPF_CLANG: clang 15 or later that can emit BPF objects with
# BTF.  Older clang drops the type tag that marks a task reference kept in
# socket storage (__kptr), and the kernel then refuses the wire programs.
# Debian 12's default clang is 14: its clang-16 package is taken instead.
AC_DEFUN([NETATOP_PROG_BPF_CLANG], [
  AC_ARG_VAR([CLANG], [clang (15 or later) used to compile the BPF programs])
  AC_MSG_CHECKING([for clang >= 15 that can target bpf])
  echo 'int x;' > conftest.bpf.c
  netatop_clang=
  for netatop_cc in $CLANG clang clang-19 clang-18 clang-17 clang-16 clang-15; do
    netatop_path=`command -v $netatop_cc 2>/dev/null` || continue
    netatop_major=`$netatop_path -dumpversion 2>/dev/null | cut -d. -f1`
    test -n "$netatop_major" && test "$netatop_major" -ge 15 2>/dev/null || continue
    $netatop_path -g -O2 -target bpf -c conftest.bpf.c -o conftest.bpf.o >/dev/null 2>&1 || continue
    netatop_clang=$netatop_path
    break
  done
  rm -f conftest.bpf.c conftest.bpf.o
  AS_IF([test -z "$netatop_clang"],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([no clang 15 or later that can target bpf: install it with 'apt-get install clang-16 llvm-16' (Debian 12) or 'apt-get install clang llvm'])])
  CLANG=$netatop_clang
  AC_MSG_RESULT([$CLANG])
])

# NETATOP_PROG_BPFTOOL: bpftool able to generate skeletons.
AC_DEFUN([NETATOP_PROG_BPFTOOL], [
  AC_ARG_VAR([BPFTOOL], [bpftool used to generate the BPF skeleton])
  AC_PATH_PROGS([BPFTOOL], [bpftool], [no], [$PATH:/usr/sbin:/sbin])
  AS_IF([test "x$BPFTOOL" = xno],
    [AC_MSG_ERROR([bpftool not found: install it with 'apt-get install bpftool'])])
  AC_MSG_CHECKING([whether $BPFTOOL can generate skeletons])
  AS_IF([$BPFTOOL gen help 2>&1 | grep -q skeleton],
    [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([$BPFTOOL has no 'gen skeleton': install a newer one with 'apt-get install bpftool'])])
])

# NETATOP_BPF_TARGET: the -D__TARGET_ARCH_ value and the include directory
# that holds <asm/types.h> (Debian's multiarch path), which clang -target bpf
# does not search by itself.
AC_DEFUN([NETATOP_BPF_TARGET], [
  AC_REQUIRE([AC_CANONICAL_HOST])
  AS_CASE([$host_cpu],
    [x86_64|i?86], [BPF_TARGET_ARCH=x86],
    [aarch64], [BPF_TARGET_ARCH=arm64],
    [arm*], [BPF_TARGET_ARCH=arm],
    [powerpc*], [BPF_TARGET_ARCH=powerpc],
    [s390*], [BPF_TARGET_ARCH=s390],
    [riscv*], [BPF_TARGET_ARCH=riscv],
    [loongarch*], [BPF_TARGET_ARCH=loongarch],
    [BPF_TARGET_ARCH=$host_cpu])
  AC_SUBST([BPF_TARGET_ARCH])
  multiarch=$($CC -print-multiarch 2>/dev/null)
  BPF_EXTRA_INCLUDES=
  AS_IF([test -n "$multiarch" && test -d "/usr/include/$multiarch"],
    [BPF_EXTRA_INCLUDES="-I/usr/include/$multiarch"])
  AC_SUBST([BPF_EXTRA_INCLUDES])
])
