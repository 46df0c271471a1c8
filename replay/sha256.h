/* SHA-256 for the command: the digests of evidence bundles (statement.json,
 * trace.jsonl as it is written), of the running binary, and of the vectors'
 * MANIFEST.sha256. One interface over OpenSSL's libcrypto (the EVP digest
 * API), which uses the processor's SHA instructions where it has them:
 * hashing a 100 MB trace is then a small part of writing it. */
#ifndef QFS_REPLAY_SHA256_H
#define QFS_REPLAY_SHA256_H

#include <stddef.h>

/* 64 lowercase hex digits and a NUL. */
#define SHA256_HEX_BYTES 65

/* A digest in progress; create with sha256_begin, end with sha256_end. */
typedef struct sha256 sha256;

/* A new digest of no bytes. 0, or -1 with errno set (ENOMEM). */
int sha256_begin(sha256 **out);

/* Adds data[len] (len 0 allowed). 0, or -1 with errno set (EIO: the
 * library failed). */
int sha256_add(sha256 *h, const void *data, size_t len);

/* Writes the hex digest of everything added to hex and frees `h` (NULL
 * allowed, with hex left alone: -1, errno EINVAL). 0, or -1 with errno set;
 * `h` is freed either way. */
int sha256_end(sha256 *h, char hex[SHA256_HEX_BYTES]);

/* The hex digest of data[len]. 0, or -1 with errno set. */
int sha256_hex(char hex[SHA256_HEX_BYTES], const void *data, size_t len);

/* The hex digest of the file at `path`, read in large blocks. 0, or -1 with
 * errno set. */
int sha256_file(const char *path, char hex[SHA256_HEX_BYTES]);

/* The version of libcrypto the command was compiled against ("3.0.19") and
 * the one loaded at run time: facts of the build that evidence records. */
const char *sha256_library_built(void);
const char *sha256_library_linked(void);

#endif
