/* libFuzzer target: arbitrary bytes as a stream of protobuf events, framed
 * as in a record body (u32 little-endian length, then the event). Events
 * that decode are applied to a state; the state's invariants must hold after
 * every event and a rejected or undecodable event must never crash the fold. */
#include "qfs/qfs.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static qfs_arena *arena;
    if (!arena && qfs_arena_create(&arena, 1 << 16) != QFS_OK)
        abort();
    qfs_state *s = NULL;
    if (qfs_state_create(&s, NULL) != QFS_OK)
        abort();
    size_t off = 0;
    while (size - off >= 4) {
        uint32_t len = (uint32_t)data[off] | (uint32_t)data[off + 1] << 8 | (uint32_t)data[off + 2] << 16 |
                       (uint32_t)data[off + 3] << 24;
        off += 4;
        if (len > size - off)
            len = (uint32_t)(size - off);
        qfs_arena_reset(arena);
        qfs_event ev;
        qfs_diag d;
        if (qfs_codec_decode(&ev, data + off, len, arena, &d) == QFS_OK) {
            qfs_receipt receipt;
            if (qfs_state_apply(s, &ev, &receipt) != QFS_OK)
                abort();
            if (qfs_state_check_invariants(s, &d) != QFS_OK)
                abort();
        }
        off += len;
    }
    qfs_hash128 h;
    qfs_state_hash(s, &h);
    qfs_state_free(s);
    return 0;
}
