/*
 * qfs/common.h - error codes, diagnostics and the 128-bit hash type shared by
 * every qfs module.
 *
 * Errors: every fallible function returns a qfs_err. QFS_OK (0) is success;
 * every failure is a negative code whose value never changes between releases.
 * qfs_err_str() names a code. Detail about where an error happened (a byte
 * offset, an event index, a line and column) goes into a caller-owned
 * qfs_diag, never into global state.
 *
 * An economic rejection (an overdraft, a NOD transfer) is not an error: it is
 * a verdict of the state machine, recorded in a receipt. An error means the
 * operation could not be carried out at all.
 */
#ifndef QFS_COMMON_H
#define QFS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int qfs_err;

#define QFS_OK 0
#define QFS_E_NOMEM (-1)       /* an allocation failed */
#define QFS_E_INVALID_ARG (-2) /* a caller broke a documented precondition */
#define QFS_E_IO (-3)          /* the operating system reported an I/O error */
#define QFS_E_CORRUPT (-4)     /* a log's bytes fail a checksum, a link or a bound */
#define QFS_E_TORN (-5)        /* a log ends in a torn (partially written) record */
#define QFS_E_FORMAT (-6)      /* not a qfs log: wrong magic or header */
#define QFS_E_VERSION (-7)     /* a log format version this build cannot read */
#define QFS_E_SCHEMA (-8)      /* a log written with another event schema */
#define QFS_E_LIMIT (-9)       /* a named size or count limit was exceeded */
#define QFS_E_PARSE (-10)      /* malformed text input (JSON, decimals) */
#define QFS_E_DECODE (-11)     /* a protobuf event that is malformed or invalid */
#define QFS_E_RANGE (-12)      /* a value out of its allowed range, or an overflow */
#define QFS_E_NOT_FOUND (-13)  /* a named thing does not exist */
#define QFS_E_EOF (-14)        /* the end of a stream was reached (not a failure) */
#define QFS_E_STATE (-15)      /* an operation not allowed in the current state */

/* Returns a short, static, human-readable name for `err`. Never NULL. */
const char *qfs_err_str(qfs_err err);

/* Where an error happened. Fields are valid only when their has_* flag is set.
 * `message` is a complete sentence fragment such as "body checksum mismatch". */
typedef struct qfs_diag {
    int has_byte_offset;
    uint64_t byte_offset;
    int has_event_index;
    uint64_t event_index;
    int has_line;
    uint64_t line;   /* 1-based */
    uint64_t column; /* 1-based, 0 when unknown */
    char message[256];
} qfs_diag;

/* Clears every field of `d`. Accepts NULL. */
void qfs_diag_clear(qfs_diag *d);

/* printf-style: sets d->message. Accepts d == NULL (does nothing). */
void qfs_diag_set(qfs_diag *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

void qfs_diag_set_offset(qfs_diag *d, uint64_t byte_offset);
void qfs_diag_set_event(qfs_diag *d, uint64_t event_index);
void qfs_diag_set_line(qfs_diag *d, uint64_t line, uint64_t column);

/* A 128-bit digest (XXH3-128) in its canonical byte order: the bytes that
 * XXH128_canonicalFromHash() produces, most significant first, so that the
 * hex form is the one xxhsum prints. */
typedef struct qfs_hash128 {
    uint8_t bytes[16];
} qfs_hash128;

#define QFS_HASH128_HEX_LEN 32

/* Writes the 2n lowercase hex digits of bytes[n] into out (no NUL). */
void qfs_hex_encode(char *out, const uint8_t *bytes, size_t n);

/* Reads exactly 2n hex digits (either case) from hex into out[n].
 * QFS_E_PARSE for any other character (out may then be partly written). */
qfs_err qfs_hex_decode(uint8_t *out, const char *hex, size_t n);

/* Writes 32 lowercase hex digits and a NUL into out[33]. */
void qfs_hash128_hex(const qfs_hash128 *h, char out[QFS_HASH128_HEX_LEN + 1]);

/* Parses exactly 32 hex digits (either case). QFS_E_PARSE otherwise. */
qfs_err qfs_hash128_parse(qfs_hash128 *out, const char *hex, size_t len);

/* XXH3-128 of `len` bytes, in canonical byte order. */
void qfs_hash128_of(qfs_hash128 *out, const void *data, size_t len);

/* 1 if equal, 0 if not. */
int qfs_hash128_eq(const qfs_hash128 *a, const qfs_hash128 *b);

/* Always-on assertion for programmer errors (never for untrusted input). */
void qfs_assert_fail(const char *expr, const char *file, int line);
#define QFS_ASSERT(expr) ((expr) ? (void)0 : qfs_assert_fail(#expr, __FILE__, __LINE__))

#ifdef __cplusplus
}
#endif
#endif
