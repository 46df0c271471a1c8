/* Writes hostile logs for the bad-input catalogue (docs/ERRORS.md): files a
 * writer never produces, with every checksum right, so that only the checks
 * behind the checksums can refuse them.
 *
 * usage: craft_log bomb OUT     one record whose header claims 1000
 *                               uncompressed bytes and whose zstd frame expands
 *                               to 32 MiB
 *        craft_log schema OUT   a valid empty log written with another
 *                               event schema
 *        craft_log version OUT  a log header of format version 1, the
 *                               format before 128-bit amounts
 *        craft_log badevent OUT a sound log of two records, one event and
 *                               then two, all an epoch_close at 1 ms, but
 *                               the third (index 2) ends in one more byte,
 *                               ff: a tag cut off by the end of the event */
#include "qfs/qfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void file_header(uint8_t h[64], const qfs_hash128 *schema, uint32_t version)
{
    memset(h, 0, 64);
    memcpy(h, "\x89QFSLOG\n", 8);
    put_u32(h + 8, version);
    put_u32(h + 12, 64);
    memcpy(h + 16, schema->bytes, 16);
    qfs_hash128 c;
    qfs_hash128_of(&c, h, 48);
    memcpy(h + 48, c.bytes, 16);
}

static int write_all(const char *path, const void *a, size_t alen, const void *b, size_t blen)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return 1;
    int bad = fwrite(a, 1, alen, f) != alen || (blen && fwrite(b, 1, blen, f) != blen);
    return fclose(f) != 0 || bad;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    qfs_hash128 schema;
    qfs_codec_schema_hash(&schema);
    uint8_t fh[64];
    if (strcmp(argv[1], "schema") == 0 || strcmp(argv[1], "version") == 0) {
        if (strcmp(argv[1], "schema") == 0)
            schema.bytes[0] ^= 1;
        file_header(fh, &schema, strcmp(argv[1], "version") == 0 ? 1 : QFS_LOG_FORMAT_VERSION);
        return write_all(argv[2], fh, 64, NULL, 0);
    }
    if (strcmp(argv[1], "badevent") == 0) {
        /* Written by the library's writer: every check of the log passes,
         * and only the decoder can refuse the event. */
        qfs_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = QFS_EVENT_EPOCH_CLOSE;
        ev.timestamp_ms = 1;
        uint8_t good[64], bad[65];
        size_t n = 0;
        if (qfs_codec_encode(&ev, good, sizeof good, &n) != QFS_OK)
            return 1;
        memcpy(bad, good, n);
        bad[n] = 0xff;
        qfs_log_event_bytes one[1] = {{good, n}};
        qfs_log_event_bytes two[2] = {{good, n}, {bad, n + 1}};
        qfs_log_writer *w = NULL;
        qfs_diag d;
        remove(argv[2]);
        if (qfs_log_writer_open(&w, argv[2], &schema, NULL, NULL, &d) != QFS_OK)
            return 1;
        int failed = qfs_log_writer_append(w, one, 1, NULL, &d) != QFS_OK ||
                     qfs_log_writer_append(w, two, 2, NULL, &d) != QFS_OK;
        qfs_log_writer_free(w);
        return failed;
    }
    if (strcmp(argv[1], "bomb") != 0)
        return 2;
    file_header(fh, &schema, QFS_LOG_FORMAT_VERSION);
    size_t big = (size_t)32 << 20;
    uint8_t *zeros = calloc(1, big);
    size_t cap = ZSTD_compressBound(big);
    uint8_t *out = malloc(96 + 64 + cap);
    if (!zeros || !out)
        return 1;
    memcpy(out, fh, 64);
    uint8_t *rh = out + 64;
    size_t clen = ZSTD_compress(rh + 96, cap, zeros, big, 3);
    if (ZSTD_isError(clen))
        return 1;
    memset(rh, 0, 96);
    memcpy(rh, "QREC", 4);
    qfs_hash128 h;
    qfs_hash128_of(&h, rh + 96, clen);
    memcpy(rh + 24, h.bytes, 16);     /* body checksum */
    memcpy(rh + 40, fh + 48, 16);     /* parent: the file header checksum */
    memcpy(rh + 56, fh + 48, 16);     /* chain: any value; never reached */
    put_u64(rh + 72, 0);              /* first event index */
    put_u32(rh + 80, 1);              /* one event */
    put_u32(rh + 84, (uint32_t)clen); /* compressed size */
    put_u32(rh + 88, 1000);           /* the claim */
    qfs_hash128_of(&h, rh + 24, 72);
    memcpy(rh + 8, h.bytes, 16);
    int rc = write_all(argv[2], out, 64 + 96 + clen, NULL, 0);
    free(zeros);
    free(out);
    return rc;
}
