#!/bin/bash
# Installs the build into a temporary prefix and builds two small programs
# against it: one through the CMake package (qfs::qfs), one through qfs.pc.
set -u
QFS="$1"
BUILD="$(dirname "$QFS")"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"

cmake --install "$BUILD" --prefix "$T/inst" > /dev/null && ok || bad "cmake --install"
[ -f "$T/inst/include/qfs/qfs.h" ] && ok || bad "headers not installed"
mkdir -p "$T/c"
cat > "$T/c/main.c" <<'C'
#include <qfs/qfs.h>
#include <stdio.h>
int main(void)
{
    uint64_t v = 0;
    char buf[QFS_DECIMAL_STR_MAX + 1];
    if (qfs_fp18_parse(&v, "0.7", 3) != QFS_OK)
        return 1;
    qfs_fp18_format(buf, v);
    puts(buf);
    return 0;
}
C
cat > "$T/c/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.25)
project(consumer C)
find_package(qfs 0.1 REQUIRED)
add_executable(consumer main.c)
target_link_libraries(consumer qfs::qfs)
CM
cmake -S "$T/c" -B "$T/c/b" -DCMAKE_PREFIX_PATH="$T/inst" > "$T/log" 2>&1 && cmake --build "$T/c/b" >> "$T/log" 2>&1 \
    && ok || bad "CMake consumer: $(tail -5 "$T/log")"
[ "$(LD_LIBRARY_PATH="$T/inst/lib:$T/inst/lib/$(ls "$T/inst/lib" | grep -m1 linux-gnu)" "$T/c/b/consumer")" = "0.7" ] && ok || bad "CMake consumer output"
PC="$(dirname "$(find "$T/inst" -name qfs.pc | head -n 1)")"
# shellcheck disable=SC2046
cc "$T/c/main.c" -o "$T/c/pc" $(PKG_CONFIG_PATH="$PC" pkg-config --cflags --libs qfs) 2> "$T/log" && ok || bad "pkg-config consumer: $(cat "$T/log")"
LIBDIR="$(PKG_CONFIG_PATH="$PC" pkg-config --variable=libdir qfs)"
[ "$(LD_LIBRARY_PATH="$LIBDIR" "$T/c/pc")" = "0.7" ] && ok || bad "pkg-config consumer output"
finish
