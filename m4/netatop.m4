# netatop's configure checks: every missing tool or library stops
# configure with one line naming the Debian package that provides it.

# NETATOP_REQUIRE_PKG(VARIABLE, MODULES, DEBIAN-PACKAGE)
AC_DEFUN([NETATOP_REQUIRE_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$2 not found: install it with 'apt-get install $3' (Fedora: the matching -devel package)])])
])

# NETATOP_PROG_BPF_CLANG: clang that can emit BPF objects with BTF.
AC_DEFUN([NETATOP_PROG_BPF_CLANG], [
  AC_ARG_VAR([CLANG], [clang used to compile the BPF programs])
  AC_PATH_PROGS([CLANG], [clang clang-16 clang-15 clang-14 clang-13 clang-12], [no])
  AS_IF([test "x$CLANG" = xno],
    [AC_MSG_ERROR([clang not found: install it with 'apt-get install clang llvm'])])
  AC_MSG_CHECKING([whether $CLANG can target bpf])
  echo 'int x;' > conftest.bpf.c
  AS_IF([$CLANG -g -O2 -target bpf -c conftest.bpf.c -o conftest.bpf.o >/dev/null 2>&1],
    [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no])
     rm -f conftest.bpf.c conftest.bpf.o
     AC_MSG_ERROR([$CLANG cannot compile for -target bpf: install it with 'apt-get install clang llvm'])])
  rm -f conftest.bpf.c conftest.bpf.o
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
