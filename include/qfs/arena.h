/*
 * qfs/arena.h - a bump allocator for per-event scratch memory.
 *
 * Allocations are released all at once by qfs_arena_reset(), which keeps the
 * largest block so that a steady stream of events stops allocating after the
 * first few. Not thread-safe; one arena per reader.
 */
#ifndef QFS_ARENA_H
#define QFS_ARENA_H

#include "qfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qfs_arena qfs_arena;

/* Creates an arena whose first block holds at least `initial_bytes`. */
qfs_err qfs_arena_create(qfs_arena **out, size_t initial_bytes);

/* Frees the arena and everything allocated from it. Accepts NULL. */
void qfs_arena_free(qfs_arena *a);

/* Returns `size` bytes aligned to 16, or NULL when memory is exhausted or the
 * arena would exceed QFS_ARENA_BYTES_MAX. The memory is not zeroed. */
void *qfs_arena_alloc(qfs_arena *a, size_t size);

/* Like qfs_arena_alloc() but zero-filled. */
void *qfs_arena_calloc(qfs_arena *a, size_t count, size_t size);

/* Releases every allocation at once. Keeps one block for reuse. */
void qfs_arena_reset(qfs_arena *a);

/* Bytes currently handed out (for tests and statistics). */
size_t qfs_arena_used_bytes(const qfs_arena *a);

/* No arena grows beyond this many bytes in total. */
#define QFS_ARENA_BYTES_MAX ((size_t)256 << 20)

#ifdef __cplusplus
}
#endif
#endif
