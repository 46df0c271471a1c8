# Toolchain file for a big-endian build: s390x, cross-compiled with Debian's
# gcc-s390x-linux-gnu against the multiarch :s390x libraries, run under
# qemu-user. Used by scripts/bigendian.sh (README, "Determinism checks").
# protoc-c stays the host's: it only generates C.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(CMAKE_C_COMPILER s390x-linux-gnu-gcc)

# The :s390x packages install their .pc files here; never fall back to the
# host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/s390x-linux-gnu/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# `-L /` uses the multiarch libc6:s390x that the :s390x packages pull in;
# `-L /usr/s390x-linux-gnu` would mix two glibc builds and abort.
set(CMAKE_CROSSCOMPILING_EMULATOR "qemu-s390x;-L;/")
