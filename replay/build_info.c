/* The build record of replay_consistency.json. The library headers are
 * included here, and only here in the command, for their version macros:
 * the versions a binary was built against are facts of its compilation. */
#include "build_info.h"

#include "qfs_build_info.h"

#include <errno.h>
#include <fcntl.h>
#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <stdio.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#ifndef QFS_VERSION_STRING
#define QFS_VERSION_STRING "0.0.0"
#endif

int build_sha256_file(const char *path, char hex[65])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[1 << 16];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
    }
    close(fd);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, digest);
    sodium_bin2hex(hex, 65, digest, sizeof digest);
    return 0;
}

/* XXH's version number MMmmrr as "M.m.r". */
static void xxh_version(char *buf, size_t size, unsigned v)
{
    snprintf(buf, size, "%u.%u.%u", v / 10000u, v / 100u % 100u, v % 100u);
}

static json_t *lib(const char *built, const char *linked)
{
    return json_pack("{s:s, s:s}", "built", built, "linked", linked);
}

json_t *build_info_json(void)
{
    char exe[65] = "unknown";
    if (build_sha256_file("/proc/self/exe", exe) != 0)
        snprintf(exe, sizeof exe, "unknown");
    char xb[16], xl[16];
    xxh_version(xb, sizeof xb, XXH_VERSION_NUMBER);
    xxh_version(xl, sizeof xl, XXH_versionNumber());
    json_t *libs =
        json_pack("{s:o, s:o, s:o, s:o, s:o}", "jansson", lib(JANSSON_VERSION, jansson_version_str()),
                  "libsodium", lib(SODIUM_VERSION_STRING, sodium_version_string()), "protobuf-c",
                  lib(PROTOBUF_C_VERSION, protobuf_c_version()), "xxhash", lib(xb, xl), "zstd",
                  lib(ZSTD_VERSION_STRING, ZSTD_versionString()));
    if (!libs)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "binary_sha256", exe, "build_type",
                     QFS_BUILD_TYPE, "compiler", QFS_BUILD_COMPILER, "flags", QFS_BUILD_FLAGS, "git_revision",
                     QFS_BUILD_GIT_REVISION, "libraries", libs, "qfs_version", QFS_VERSION_STRING);
}
