/* libFuzzer target: arbitrary bytes as one JSON Lines event. A line either
 * fails with an error, or parses into an event whose canonical JSON and
 * protobuf encodings round-trip exactly. */
#include "qfs/qfs.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static qfs_arena *arena;
    if (!arena && qfs_arena_create(&arena, 1 << 16) != QFS_OK)
        abort();
    qfs_arena_reset(arena);
    qfs_event ev;
    qfs_diag d;
    if (qfs_json_parse_event(&ev, (const char *)data, size, arena, &d) != QFS_OK)
        return 0;
    char *text = NULL;
    size_t text_len = 0;
    if (qfs_json_format_event(&text, &text_len, &ev) != QFS_OK)
        abort();
    qfs_event again;
    if (qfs_json_parse_event(&again, text, text_len, arena, &d) != QFS_OK)
        abort();
    char *text2 = NULL;
    size_t text2_len = 0;
    if (qfs_json_format_event(&text2, &text2_len, &again) != QFS_OK)
        abort();
    if (text_len != text2_len || memcmp(text, text2, text_len) != 0)
        abort();
    size_t need = qfs_codec_encoded_size(&ev);
    if (need <= QFS_EVENT_BYTES_MAX) {
        uint8_t *buf = malloc(need ? need : 1);
        size_t len = 0;
        if (!buf || qfs_codec_encode(&ev, buf, need, &len) != QFS_OK || len != need)
            abort();
        qfs_event decoded;
        if (qfs_codec_decode(&decoded, buf, len, arena, &d) != QFS_OK)
            abort();
        char *text3 = NULL;
        size_t text3_len = 0;
        if (qfs_json_format_event(&text3, &text3_len, &decoded) != QFS_OK)
            abort();
        if (text_len != text3_len || memcmp(text, text3, text_len) != 0)
            abort();
        free(text3);
        free(buf);
    }
    free(text);
    free(text2);
    return 0;
}
