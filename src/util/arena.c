/* A bump allocator. Blocks form a list; reset keeps only the largest block so
 * that, after warming up, decoding a stream of events allocates nothing. */
#include "qfs/arena.h"

#include <stdlib.h>
#include <string.h>

#define ALIGN_BYTES 16

typedef struct block {
    struct block *next;
    size_t size_bytes;
    size_t used_bytes;
    _Alignas(16) unsigned char data[];
} block;

struct qfs_arena {
    block *head;
    size_t total_bytes; /* sum of block sizes */
    size_t handed_bytes;
};

static block *block_new(size_t size_bytes)
{
    block *b = malloc(sizeof(block) + size_bytes);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size_bytes = size_bytes;
    b->used_bytes = 0;
    return b;
}

qfs_err qfs_arena_create(qfs_arena **out, size_t initial_bytes)
{
    qfs_arena *a = calloc(1, sizeof *a);
    if (!a)
        return QFS_E_NOMEM;
    if (initial_bytes < 4096)
        initial_bytes = 4096;
    a->head = block_new(initial_bytes);
    if (!a->head) {
        free(a);
        return QFS_E_NOMEM;
    }
    a->total_bytes = initial_bytes;
    *out = a;
    return QFS_OK;
}

void qfs_arena_free(qfs_arena *a)
{
    if (!a)
        return;
    block *b = a->head;
    while (b) {
        block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *qfs_arena_alloc(qfs_arena *a, size_t size)
{
    size_t rounded = (size + (ALIGN_BYTES - 1)) & ~(size_t)(ALIGN_BYTES - 1);
    if (rounded < size)
        return NULL;
    block *b = a->head;
    if (b->size_bytes - b->used_bytes < rounded) {
        size_t want = b->size_bytes * 2;
        if (want < rounded)
            want = rounded;
        if (want > QFS_ARENA_BYTES_MAX - a->total_bytes) {
            if (rounded > QFS_ARENA_BYTES_MAX - a->total_bytes)
                return NULL;
            want = rounded;
        }
        block *nb = block_new(want);
        if (!nb)
            return NULL;
        nb->next = b;
        a->head = nb;
        a->total_bytes += want;
        b = nb;
    }
    void *p = b->data + b->used_bytes;
    b->used_bytes += rounded;
    a->handed_bytes += rounded;
    return p;
}

void *qfs_arena_calloc(qfs_arena *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = qfs_arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void qfs_arena_reset(qfs_arena *a)
{
    /* Keep the largest block (the newest, since blocks only grow). */
    block *keep = a->head;
    block *b = keep->next;
    while (b) {
        block *next = b->next;
        free(b);
        b = next;
    }
    keep->next = NULL;
    keep->used_bytes = 0;
    a->total_bytes = keep->size_bytes;
    a->handed_bytes = 0;
}

size_t qfs_arena_used_bytes(const qfs_arena *a)
{
    return a->handed_bytes;
}
