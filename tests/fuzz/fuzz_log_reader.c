/* libFuzzer target: arbitrary bytes as a log file. Readers, the checker and
 * a writer's open (which may repair a torn tail) must return errors, never
 * crash, read out of bounds or allocate what a header merely claims. */
#include "qfs/qfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static void write_file(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/qfs-fuzz-log-%d.qlog", (int)getpid());
    write_file(data, size);

    qfs_diag d;
    qfs_log_reader *r = NULL;
    if (qfs_log_reader_open(&r, path, NULL, NULL, &d) == QFS_OK) {
        uint64_t n = 0;
        for (;;) {
            const uint8_t *ev;
            size_t len;
            uint64_t index;
            if (qfs_log_reader_next(r, &ev, &len, &index, &d) != QFS_OK)
                break;
            if (index != n++)
                abort();
        }
        qfs_log_reader_free(r);
    }
    if (qfs_log_reader_open(&r, path, NULL, NULL, &d) == QFS_OK) {
        qfs_log_reader_seek(r, (uint64_t)size % 97, &d);
        qfs_log_reader_free(r);
    }
    qfs_log_check_result res;
    qfs_log_check(path, NULL, &res, &d);

    /* The writer sees the file's own schema so that it gets past the header. */
    if (size >= QFS_LOG_FILE_HEADER_BYTES) {
        qfs_hash128 schema;
        memcpy(schema.bytes, data + 16, 16);
        qfs_log_writer *w = NULL;
        qfs_log_open_info info;
        if (qfs_log_writer_open(&w, path, &schema, NULL, &info, &d) == QFS_OK)
            qfs_log_writer_free(w);
    }
    unlink(path);
    return 0;
}
