/* A small canonical JSON writer for the evidence artifacts: members are
 * written by the caller in sorted key order (each artifact's writer lists its
 * keys alphabetically, and a test re-sorts the output to check it); commas
 * are placed by the writer itself, so a writer cannot forget one. */
#ifndef QFS_EVIDENCE_JW_H
#define QFS_EVIDENCE_JW_H

#include "qfs/common.h"
#include "qfs/event.h"
#include "qfs/fixed.h"
#include "util/buf.h"

/* The bytes live in the library's growable buffer; oom is sticky: once an
 * allocation failed, nothing more is written. */
typedef qfs_buf jw;

void jw_free(jw *b);
/* Appends raw bytes (no separator). */
void jw_raw(jw *b, const char *s, size_t n);
/* Opens an object or array as a value ("{" or "["), closes it. */
void jw_open(jw *b, char c);
void jw_close(jw *b, char c);
/* "key": */
void jw_key(jw *b, const char *k);
/* Values. */
void jw_u64(jw *b, uint64_t v);      /* a JSON integer */
void jw_amt(jw *b, qfs_amount v);    /* a string of digits */
void jw_fp(jw *b, qfs_amount v);     /* an exact decimal string, 18 decimals */
void jw_str(jw *b, const char *s);   /* text that needs no escaping */
void jw_id(jw *b, const qfs_id *id); /* ids need no escaping */
void jw_bool(jw *b, int v);
void jw_null(jw *b);
void jw_hash(jw *b, const qfs_hash128 *h); /* 32 lowercase hex digits */

/* Members: the key, then the value. */
void jw_k_u64(jw *b, const char *k, uint64_t v);
void jw_k_amt(jw *b, const char *k, qfs_amount v);
void jw_k_fp(jw *b, const char *k, qfs_amount v);
void jw_k_str(jw *b, const char *k, const char *s);
void jw_k_id(jw *b, const char *k, const qfs_id *id);
void jw_k_bool(jw *b, const char *k, int v);
void jw_k_hash(jw *b, const char *k, const qfs_hash128 *h);

#endif
