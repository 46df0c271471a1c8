#include "vecbuild.h"

#include "json_line.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- The log in memory --------------------------------------------------
 * The writer and the reader see the buffer through the same storage
 * interface as a file, so a vector's log is built by exactly the library
 * calls `qfs append` makes, without a temporary file or an fsync. */

static qfs_err mem_open(void *ctx, const char *path, int writable, int create, int *created,
                        qfs_storage_file **out, qfs_diag *diag)
{
    (void)path;
    (void)writable;
    vec_mem *m = ctx;
    if (created)
        *created = 0;
    if (!m->exists) {
        if (!create) {
            qfs_diag_set(diag, "cannot open log file: no such log in memory");
            return QFS_E_NOT_FOUND;
        }
        m->exists = 1;
        if (created)
            *created = 1;
    }
    *out = (qfs_storage_file *)(void *)m;
    return QFS_OK;
}

static qfs_err mem_read_at(void *ctx, qfs_storage_file *f, uint64_t offset, void *buf, size_t len,
                           size_t *got, qfs_diag *diag)
{
    (void)f;
    (void)diag;
    vec_mem *m = ctx;
    size_t n = 0;
    if (offset < m->len) {
        n = m->len - (size_t)offset;
        if (n > len)
            n = len;
        memcpy(buf, m->data + offset, n);
    }
    *got = n;
    return QFS_OK;
}

static qfs_err mem_reserve(vec_mem *m, size_t want, qfs_diag *diag)
{
    if (want <= m->cap)
        return QFS_OK;
    size_t cap = m->cap ? m->cap : 4096;
    while (cap < want)
        cap *= 2;
    uint8_t *d = realloc(m->data, cap);
    if (!d) {
        qfs_diag_set(diag, "out of memory growing a log in memory");
        return QFS_E_NOMEM;
    }
    m->data = d;
    m->cap = cap;
    return QFS_OK;
}

static qfs_err mem_write_at(void *ctx, qfs_storage_file *f, uint64_t offset, const void *buf, size_t len,
                            qfs_diag *diag)
{
    (void)f;
    vec_mem *m = ctx;
    if (len == 0)
        return QFS_OK;
    if (offset > SIZE_MAX - len) {
        qfs_diag_set(diag, "write past the addressable end");
        return QFS_E_IO;
    }
    size_t end = (size_t)offset + len;
    qfs_err err = mem_reserve(m, end, diag);
    if (err != QFS_OK)
        return err;
    if (offset > m->len)
        memset(m->data + m->len, 0, (size_t)offset - m->len);
    memcpy(m->data + offset, buf, len);
    if (end > m->len)
        m->len = end;
    return QFS_OK;
}

static qfs_err mem_size(void *ctx, qfs_storage_file *f, uint64_t *out, qfs_diag *diag)
{
    (void)f;
    (void)diag;
    *out = ((vec_mem *)ctx)->len;
    return QFS_OK;
}

static qfs_err mem_truncate(void *ctx, qfs_storage_file *f, uint64_t size, qfs_diag *diag)
{
    (void)f;
    vec_mem *m = ctx;
    if (size > m->len) {
        qfs_err err = mem_reserve(m, (size_t)size, diag);
        if (err != QFS_OK)
            return err;
        memset(m->data + m->len, 0, (size_t)size - m->len);
    }
    m->len = (size_t)size;
    return QFS_OK;
}

static qfs_err mem_sync(void *ctx, qfs_storage_file *f, qfs_diag *diag)
{
    (void)ctx;
    (void)f;
    (void)diag;
    return QFS_OK;
}

static qfs_err mem_sync_dir(void *ctx, const char *path, qfs_diag *diag)
{
    (void)ctx;
    (void)path;
    (void)diag;
    return QFS_OK;
}

static void mem_close(void *ctx, qfs_storage_file *f)
{
    (void)ctx;
    (void)f;
}

void vec_mem_storage(qfs_storage *out, vec_mem *m)
{
    out->ctx = m;
    out->open = mem_open;
    out->read_at = mem_read_at;
    out->write_at = mem_write_at;
    out->size = mem_size;
    out->truncate = mem_truncate;
    out->sync = mem_sync;
    out->sync_dir = mem_sync_dir;
    out->close = mem_close;
}

void vec_mem_free(vec_mem *m)
{
    if (!m)
        return;
    free(m->data);
    memset(m, 0, sizeof *m);
}

/* ---- Files -------------------------------------------------------------- */

qfs_err vec_read_file(const char *path, size_t max_bytes, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? QFS_E_NOT_FOUND : QFS_E_IO;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    qfs_err err = buf ? QFS_OK : QFS_E_NOMEM;
    while (err == QFS_OK) {
        if (n == cap) {
            if (cap >= max_bytes) {
                err = QFS_E_LIMIT;
                break;
            }
            cap = cap * 2 > max_bytes ? max_bytes : cap * 2;
            uint8_t *b = realloc(buf, cap + 1);
            if (!b) {
                err = QFS_E_NOMEM;
                break;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                err = QFS_E_IO;
            break;
        }
    }
    int e = errno;
    fclose(f);
    if (err != QFS_OK) {
        free(buf);
        errno = e;
        return err;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return QFS_OK;
}

int vec_write_file_atomic(const char *path, const void *data, size_t len)
{
    static const char suffix[] = ".tmp-XXXXXX";
    size_t n = strlen(path) + sizeof suffix;
    char *tmp = malloc(n);
    if (!tmp) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(tmp, n, "%s%s", path, suffix);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        errno = e;
        return -1;
    }
    /* Vector files are committed: readable by all, like a checked-out file. */
    int bad = fchmod(fd, 0644) != 0;
    const uint8_t *p = data;
    size_t left = len;
    while (!bad && left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            bad = 1;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (!bad && fsync(fd) != 0)
        bad = 1;
    int e = errno;
    if (close(fd) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad && rename(tmp, path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad)
        unlink(tmp);
    free(tmp);
    errno = e;
    return bad ? -1 : 0;
}

/* ---- Building a log from JSON Lines ------------------------------------- */

static void build_error(vec_build_error *e, qfs_err err, uint64_t line, uint64_t column, const char *msg)
{
    e->err = err;
    e->line = line;
    e->column = column;
    snprintf(e->message, sizeof e->message, "%s", msg);
}

/* The encoded events of one file, back to back, with their lengths. */
typedef struct encoded {
    uint8_t *bytes;
    size_t used, cap;
    size_t *lens;
    size_t count, lens_cap;
} encoded;

static qfs_err encoded_add(encoded *en, const uint8_t *data, size_t len)
{
    if (en->cap - en->used < len) {
        size_t cap = en->cap ? en->cap : 4096;
        while (cap - en->used < len)
            cap *= 2;
        uint8_t *b = realloc(en->bytes, cap);
        if (!b)
            return QFS_E_NOMEM;
        en->bytes = b;
        en->cap = cap;
    }
    if (en->count == en->lens_cap) {
        size_t cap = en->lens_cap ? en->lens_cap * 2 : 64;
        size_t *l = realloc(en->lens, cap * sizeof *l);
        if (!l)
            return QFS_E_NOMEM;
        en->lens = l;
        en->lens_cap = cap;
    }
    memcpy(en->bytes + en->used, data, len);
    en->used += len;
    en->lens[en->count++] = len;
    return QFS_OK;
}

/* Parses and encodes every line as `qfs append` does: '\r' before the '\n'
 * stripped, blank lines skipped, a NUL byte refused. Stops at the first bad
 * line. */
static qfs_err encode_lines(const char *text, size_t len, encoded *en, vec_build_error *e)
{
    qfs_arena *arena = NULL;
    uint8_t *enc = malloc(QFS_EVENT_BYTES_MAX);
    if (!enc || qfs_arena_create(&arena, 1 << 16) != QFS_OK) {
        free(enc);
        build_error(e, QFS_E_NOMEM, 0, 0, "out of memory");
        return QFS_E_NOMEM;
    }
    qfs_err err = QFS_OK;
    uint64_t line_no = 0;
    size_t pos = 0;
    while (pos < len && err == QFS_OK) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *line = text + pos;
        size_t n = end - pos;
        pos = nl ? end + 1 : len;
        line_no++;
        qfs_diag diag;
        size_t enc_len = 0;
        int blank = 0;
        err = json_line_encode(line, n, arena, enc, &enc_len, &diag, &blank);
        if (blank)
            continue;
        if (err == QFS_OK && encoded_add(en, enc, enc_len) != QFS_OK) {
            err = QFS_E_NOMEM;
            qfs_diag_set(&diag, "out of memory");
        }
        if (err != QFS_OK)
            build_error(e, err, line_no, diag.has_line ? diag.column : 0,
                        diag.message[0] ? diag.message : qfs_err_str(err));
    }
    free(enc);
    qfs_arena_free(arena);
    return err;
}

/* Appends events [from, from + count) of `en` in records of at most `batch`
 * events and QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX framed bytes, as
 * `qfs append` cuts them. */
static qfs_err append_encoded(vec_mem *m, const encoded *en, uint64_t batch, vec_build_error *e)
{
    qfs_storage st;
    vec_mem_storage(&st, m);
    qfs_hash128 schema;
    qfs_codec_schema_hash(&schema);
    qfs_log_writer *w = NULL;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_err err = qfs_log_writer_open(&w, "memory", &schema, &st, NULL, &diag);
    qfs_log_event_bytes *evs = calloc(en->count ? en->count : 1, sizeof *evs);
    if (err == QFS_OK && !evs)
        err = QFS_E_NOMEM;
    size_t off = 0;
    for (size_t i = 0; i < en->count; i++) {
        evs[i].data = en->bytes + off;
        evs[i].len = en->lens[i];
        off += en->lens[i];
    }
    size_t i = 0;
    while (err == QFS_OK && i < en->count) {
        size_t n = 0;
        uint64_t framed = 0;
        while (i + n < en->count && n < batch &&
               (n == 0 || framed + 4 + evs[i + n].len <= QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX)) {
            framed += 4 + evs[i + n].len;
            n++;
        }
        err = qfs_log_writer_append(w, evs + i, n, NULL, &diag);
        i += n;
    }
    if (err != QFS_OK)
        build_error(e, err, 0, 0, diag.message[0] ? diag.message : qfs_err_str(err));
    free(evs);
    qfs_log_writer_free(w);
    return err;
}

static void encoded_free(encoded *en)
{
    free(en->bytes);
    free(en->lens);
}

qfs_err vec_build_log(const char *jsonl, uint64_t batch, vec_mem *out, vec_build_error *e)
{
    memset(e, 0, sizeof *e);
    uint8_t *text = NULL;
    size_t len = 0;
    qfs_err err = vec_read_file(jsonl, (size_t)1 << 30, &text, &len);
    if (err != QFS_OK) {
        build_error(e, err, 0, 0, err == QFS_E_LIMIT ? "file larger than 1 GiB" : strerror(errno));
        return err;
    }
    encoded en = {0};
    err = encode_lines((const char *)text, len, &en, e);
    free(text);
    if (err == QFS_OK)
        err = append_encoded(out, &en, batch, e);
    encoded_free(&en);
    return err;
}

/* ---- Damage recipes ------------------------------------------------------ */

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Finds record `index` (0-based) by walking the compressed sizes from the
 * end of the file header; *start gets its offset and *len its bytes. -1 when
 * the log has no such whole record. */
static int find_record(const vec_mem *m, uint64_t index, size_t *start, size_t *len)
{
    size_t o = QFS_LOG_FILE_HEADER_BYTES;
    for (uint64_t k = 0;; k++) {
        if (m->len < o || m->len - o < QFS_LOG_RECORD_HEADER_BYTES)
            return -1;
        size_t n = QFS_LOG_RECORD_HEADER_BYTES + (size_t)get_u32(m->data + o + 84);
        if (m->len - o < n)
            return -1;
        if (k == index) {
            *start = o;
            *len = n;
            return 0;
        }
        o += n;
    }
}

/* Recomputes a record's header checksum (bytes [8, 24): the hash of header
 * bytes [24, 96), docs/FORMAT.md), so that only the checks behind it see
 * what a recipe changed. */
static void reseal_record(uint8_t *rh)
{
    qfs_hash128 h;
    qfs_hash128_of(&h, rh + 24, 72);
    memcpy(rh + 8, h.bytes, 16);
}

/* A zstd frame (RFC 8878) that declares `content` bytes and expands to that
 * many zero bytes through raw-length-encoded blocks of at most 128 KiB:
 * about four bytes of frame per 128 KiB of output. Written by hand from the
 * RFC rather than by a compressor, so that the bytes are the same with every
 * zstd version. */
static uint8_t *rle_frame(uint32_t content, size_t *len_out)
{
    const uint32_t block_max = (uint32_t)1 << 17;
    size_t blocks = content == 0 ? 1 : (content + block_max - 1) / block_max;
    size_t len = 4 + 1 + 1 + 4 + blocks * 4;
    uint8_t *f = malloc(len);
    if (!f)
        return NULL;
    put_u32(f, 0xFD2FB528u);
    f[4] = 0x80; /* frame header descriptor: 4-byte content size, a window descriptor */
    f[5] = 0x38; /* window descriptor: exponent 7, mantissa 0: 2^(10 + 7) = 128 KiB */
    put_u32(f + 6, content);
    size_t o = 10;
    uint32_t left = content;
    for (size_t b = 0; b < blocks; b++) {
        uint32_t n = left < block_max ? left : block_max;
        left -= n;
        uint32_t hdr = (n << 3) | (1u << 1) | (b + 1 == blocks ? 1u : 0u); /* size, type 1 (RLE), last */
        f[o] = (uint8_t)hdr;
        f[o + 1] = (uint8_t)(hdr >> 8);
        f[o + 2] = (uint8_t)(hdr >> 16);
        f[o + 3] = 0; /* the byte repeated */
        o += 4;
    }
    *len_out = len;
    return f;
}

static int get_index(const json_t *op, const char *key, uint64_t *out)
{
    json_t *v = json_object_get(op, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static qfs_err op_error(vec_build_error *e, size_t k, const char *what)
{
    char msg[256];
    snprintf(msg, sizeof msg, "damage[%zu]: %.200s", k, what);
    build_error(e, QFS_E_PARSE, 0, 0, msg);
    return QFS_E_PARSE;
}

/* Appends one record of raw event bytes (hex strings) through the writer:
 * bytes a JSON line cannot give, such as an event that does not decode. */
static qfs_err op_raw_record(vec_mem *m, const json_t *list, size_t k, vec_build_error *e)
{
    if (!json_is_array(list) || json_array_size(list) == 0)
        return op_error(e, k, "raw_record needs \"events_hex\": a non-empty array of hex strings");
    encoded en = {0};
    qfs_err err = QFS_OK;
    for (size_t i = 0; i < json_array_size(list) && err == QFS_OK; i++) {
        const char *hex = json_string_value(json_array_get(list, i));
        size_t n = hex ? strlen(hex) : 0;
        uint8_t *b = n ? malloc(n / 2) : NULL;
        if (!b || n % 2 || qfs_hex_decode(b, hex, n / 2) != QFS_OK)
            err = op_error(e, k, "events_hex holds a string that is not an even number of hex digits");
        else if (encoded_add(&en, b, n / 2) != QFS_OK)
            err = op_error(e, k, "out of memory");
        free(b);
    }
    if (err == QFS_OK) {
        err = append_encoded(m, &en, QFS_LOG_BATCH_EVENTS_MAX, e);
        if (err != QFS_OK) {
            char msg[256];
            snprintf(msg, sizeof msg, "raw_record: the writer refused it: %.180s", e->message);
            err = op_error(e, k, msg);
        }
    }
    encoded_free(&en);
    return err;
}

qfs_err vec_apply_damage(vec_mem *m, const json_t *ops, vec_build_error *e)
{
    memset(e, 0, sizeof *e);
    if (!json_is_array(ops) || json_array_size(ops) == 0)
        return op_error(e, 0, "\"damage\" must be a non-empty array of operations");
    for (size_t k = 0; k < json_array_size(ops); k++) {
        const json_t *op = json_array_get(ops, k);
        const char *name = json_string_value(json_object_get(op, "op"));
        uint64_t a = 0, b = 0;
        size_t start = 0, len = 0;
        if (!name)
            return op_error(e, k, "an operation needs a string \"op\"");
        if (strcmp(name, "truncate") == 0) {
            /* "bytes": the length to keep; "cut": how many bytes to cut off the end. */
            if (get_index(op, "bytes", &a) == 0 && a <= m->len)
                m->len = (size_t)a;
            else if (get_index(op, "cut", &a) == 0 && a <= m->len)
                m->len -= (size_t)a;
            else
                return op_error(e, k,
                                "truncate needs \"bytes\" (the length to keep) or \"cut\" (the bytes "
                                "to cut off), at most the log's length");
        } else if (strcmp(name, "flip_bit") == 0) {
            if (get_index(op, "byte", &a) != 0 || a >= m->len || get_index(op, "bit", &b) != 0 || b > 7)
                return op_error(e, k, "flip_bit needs \"byte\" inside the log and \"bit\" 0 to 7");
            m->data[a] ^= (uint8_t)(1u << b);
        } else if (strcmp(name, "write") == 0) {
            const char *hex = json_string_value(json_object_get(op, "hex"));
            size_t n = hex ? strlen(hex) / 2 : 0;
            if (get_index(op, "offset", &a) != 0 || !hex || n == 0 || strlen(hex) % 2 || a > m->len ||
                m->len - a < n || qfs_hex_decode(m->data + a, hex, n) != QFS_OK)
                return op_error(e, k,
                                "write needs \"offset\" and \"hex\" (an even number of hex digits) "
                                "inside the log");
        } else if (strcmp(name, "reseal_file_header") == 0) {
            if (m->len < QFS_LOG_FILE_HEADER_BYTES)
                return op_error(e, k, "reseal_file_header needs a whole file header");
            qfs_hash128 h;
            qfs_hash128_of(&h, m->data, 48);
            memcpy(m->data + 48, h.bytes, 16);
        } else if (strcmp(name, "reseal_record") == 0) {
            if (get_index(op, "record", &a) != 0 || find_record(m, a, &start, &len) != 0)
                return op_error(e, k, "reseal_record needs \"record\": the index of a whole record");
            reseal_record(m->data + start);
        } else if (strcmp(name, "drop_record") == 0) {
            if (get_index(op, "record", &a) != 0 || find_record(m, a, &start, &len) != 0)
                return op_error(e, k, "drop_record needs \"record\": the index of a whole record");
            memmove(m->data + start, m->data + start + len, m->len - start - len);
            m->len -= len;
        } else if (strcmp(name, "bomb") == 0) {
            if (get_index(op, "record", &a) != 0 || find_record(m, a, &start, &len) != 0 ||
                get_index(op, "declared_bytes", &b) != 0 || b > UINT32_MAX)
                return op_error(e, k,
                                "bomb needs \"record\" (a whole record) and \"declared_bytes\" (a u32)");
            size_t flen = 0;
            uint8_t *frame = rle_frame((uint32_t)b, &flen);
            if (!frame)
                return op_error(e, k, "out of memory");
            size_t new_len = m->len - (len - QFS_LOG_RECORD_HEADER_BYTES) + flen;
            qfs_diag d;
            if (mem_reserve(m, new_len, &d) != QFS_OK) {
                free(frame);
                return op_error(e, k, "out of memory");
            }
            size_t body = start + QFS_LOG_RECORD_HEADER_BYTES;
            memmove(m->data + body + flen, m->data + start + len, m->len - start - len);
            memcpy(m->data + body, frame, flen);
            m->len = new_len;
            uint8_t *rh = m->data + start;
            put_u32(rh + 84, (uint32_t)flen); /* compressed_size */
            qfs_hash128 h;
            qfs_hash128_of(&h, frame, flen);
            memcpy(rh + 24, h.bytes, 16); /* body_checksum */
            reseal_record(rh);
            free(frame);
        } else if (strcmp(name, "raw_record") == 0) {
            qfs_err err = op_raw_record(m, json_object_get(op, "events_hex"), k, e);
            if (err != QFS_OK)
                return err;
        } else {
            char msg[128];
            snprintf(msg, sizeof msg, "unknown op \"%.40s\"", name);
            return op_error(e, k, msg);
        }
    }
    return QFS_OK;
}
