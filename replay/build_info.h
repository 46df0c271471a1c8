/* The build of this qfs binary, as `qfs evidence` records it. */
#ifndef QFS_BUILD_INFO_JSON_H
#define QFS_BUILD_INFO_JSON_H

#include <jansson.h>

/* A new JSON object describing this build (docs/EVIDENCE.md,
 * replay_consistency.json "build"): qfs version, git revision, compiler,
 * flags, the libraries built against and linked against, and the SHA-256
 * of the running binary (/proc/self/exe; "unknown" when it cannot be
 * read). The same binary gives the same object. NULL when out of memory. */
json_t *build_info_json(void);

#endif
