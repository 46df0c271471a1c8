/* The canonical JSON writer of the evidence artifacts (jw.h). */
#include "evidence/jw.h"

#include <string.h>

void jw_free(jw *b)
{
    qfs_buf_free(b);
}

void jw_raw(jw *b, const char *s, size_t n)
{
    qfs_buf_append(b, s, n);
}

/* A value or a key follows the previous one after a comma, unless it opens
 * its container or follows its key. */
static void sep(jw *b)
{
    if (b->oom || b->len == 0)
        return;
    char last = b->p[b->len - 1];
    if (last != '{' && last != '[' && last != ':')
        jw_raw(b, ",", 1);
}

void jw_open(jw *b, char c)
{
    sep(b);
    jw_raw(b, &c, 1);
}

void jw_close(jw *b, char c)
{
    jw_raw(b, &c, 1);
}

void jw_key(jw *b, const char *k)
{
    sep(b);
    jw_raw(b, "\"", 1);
    jw_raw(b, k, strlen(k));
    jw_raw(b, "\":", 2);
}

void jw_u64(jw *b, uint64_t v)
{
    char t[QFS_DECIMAL_STR_MAX + 1];
    sep(b);
    jw_raw(b, t, qfs_u64_format(t, v));
}

static void quoted(jw *b, const char *t, size_t n)
{
    sep(b);
    jw_raw(b, "\"", 1);
    jw_raw(b, t, n);
    jw_raw(b, "\"", 1);
}

void jw_amt(jw *b, qfs_amount v)
{
    char t[QFS_AMOUNT_STR_MAX + 1];
    quoted(b, t, qfs_amount_format(t, v));
}

void jw_fp(jw *b, qfs_amount v)
{
    char t[QFS_AMOUNT_STR_MAX + 2];
    quoted(b, t, qfs_amount_format_tokens(t, v));
}

void jw_str(jw *b, const char *s)
{
    quoted(b, s, strlen(s));
}

void jw_id(jw *b, const qfs_id *id)
{
    quoted(b, id->bytes, id->len);
}

void jw_bool(jw *b, int v)
{
    sep(b);
    jw_raw(b, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(jw *b)
{
    sep(b);
    jw_raw(b, "null", 4);
}

void jw_hash(jw *b, const qfs_hash128 *h)
{
    char hex[QFS_HASH128_HEX_LEN + 1];
    qfs_hash128_hex(h, hex);
    quoted(b, hex, QFS_HASH128_HEX_LEN);
}

void jw_k_u64(jw *b, const char *k, uint64_t v)
{
    jw_key(b, k);
    jw_u64(b, v);
}

void jw_k_amt(jw *b, const char *k, qfs_amount v)
{
    jw_key(b, k);
    jw_amt(b, v);
}

void jw_k_fp(jw *b, const char *k, qfs_amount v)
{
    jw_key(b, k);
    jw_fp(b, v);
}

void jw_k_str(jw *b, const char *k, const char *s)
{
    jw_key(b, k);
    jw_str(b, s);
}

void jw_k_id(jw *b, const char *k, const qfs_id *id)
{
    jw_key(b, k);
    jw_id(b, id);
}

void jw_k_bool(jw *b, const char *k, int v)
{
    jw_key(b, k);
    jw_bool(b, v);
}

void jw_k_hash(jw *b, const char *k, const qfs_hash128 *h)
{
    jw_key(b, k);
    jw_hash(b, h);
}
