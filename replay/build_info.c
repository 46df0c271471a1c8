/* The build record of replay_consistency.json. The library headers are
 * included here, and only here in the command, for their version macros:
 * the versions a binary was built against are facts of its compilation.
 * libcrypto's come from sha256.c, the one file that includes OpenSSL. */
#include "build_info.h"

#include "qfs_build_info.h"
#include "sha256.h"

#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <stdio.h>
#include <xxhash.h>
#include <zstd.h>

#ifndef QFS_VERSION_STRING
#define QFS_VERSION_STRING "0.0.0"
#endif

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
    if (sha256_file("/proc/self/exe", exe) != 0)
        snprintf(exe, sizeof exe, "unknown");
    char xb[16], xl[16];
    xxh_version(xb, sizeof xb, XXH_VERSION_NUMBER);
    xxh_version(xl, sizeof xl, XXH_versionNumber());
    json_t *libs =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "jansson", lib(JANSSON_VERSION, jansson_version_str()),
                  "libcrypto", lib(sha256_library_built(), sha256_library_linked()), "libsodium",
                  lib(SODIUM_VERSION_STRING, sodium_version_string()), "protobuf-c",
                  lib(PROTOBUF_C_VERSION, protobuf_c_version()), "xxhash", lib(xb, xl), "zstd",
                  lib(ZSTD_VERSION_STRING, ZSTD_versionString()));
    if (!libs)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "binary_sha256", exe, "build_type",
                     QFS_BUILD_TYPE, "compiler", QFS_BUILD_COMPILER, "flags", QFS_BUILD_FLAGS, "git_revision",
                     QFS_BUILD_GIT_REVISION, "libraries", libs, "qfs_version", QFS_VERSION_STRING);
}
