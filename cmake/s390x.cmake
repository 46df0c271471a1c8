# Toolchain file for a big-endian build: s390x, cross-compiled with Debian's
# gcc-s390x-linux-gnu against a private sysroot, run under qemu-user. Used by
# scripts/bigendian.sh (README, "Determinism checks"), which makes the sysroot
# from the s390x .debs of libc6, the libraries qfs links and check, unpacked
# with dpkg-deb (nothing of s390x is installed on the host: multiarch
# installs break whenever the amd64 and s390x versions of a library differ),
# and passes its path:
#
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/s390x.cmake -DQFS_S390X_SYSROOT=/abs/sysroot ...
#
# protoc-c stays the host's: it only generates C.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(CMAKE_C_COMPILER s390x-linux-gnu-gcc)

# The try_compile projects read this file again: hand them the path.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES QFS_S390X_SYSROOT)
if(NOT QFS_S390X_SYSROOT OR NOT IS_DIRECTORY "${QFS_S390X_SYSROOT}/usr/include")
  message(FATAL_ERROR "s390x.cmake: set QFS_S390X_SYSROOT to an s390x sysroot "
                      "(scripts/bigendian.sh makes one); got '${QFS_S390X_SYSROOT}'")
endif()

# Headers, libraries and CMake packages from the sysroot only; programs
# (protoc-c, pkg-config) from the host.
set(CMAKE_SYSROOT "${QFS_S390X_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH "${QFS_S390X_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The sysroot's .pc files, their paths prefixed with the sysroot; never the
# host's.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${QFS_S390X_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR} "${QFS_S390X_SYSROOT}/usr/lib/s390x-linux-gnu/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# ctest runs the s390x programs under qemu-user, with the sysroot's dynamic
# loader and libraries. (Not the cross toolchain's /usr/s390x-linux-gnu: its
# glibc build mixed with another aborts with "stack smashing detected".)
set(CMAKE_CROSSCOMPILING_EMULATOR "qemu-s390x;-L;${QFS_S390X_SYSROOT}")
