/* qfs_event <-> protobuf bytes, and the schema hash.
 *
 * Decoding runs in three steps. A wire scan walks the raw bytes with the
 * compiled descriptors and rejects what protobuf-c would let through: unknown
 * fields, enum values that do not fit an int32 (protobuf-c would silently
 * truncate them), and strings holding NUL bytes (protobuf-c hands back a C
 * string, so "a\0b" would otherwise turn into the valid id "a"). Then
 * protobuf_c_message_unpack builds the message in the caller's arena. Last,
 * the message is converted field by field into a qfs_event, checking every
 * value; nothing invalid leaves this file. */
#include "qfs/codec.h"

#include "codec/check.h"
#include "qfs/fixed.h"
#include "qfs/params.h"
#include "qfs/v1/event.pb-c.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * Amounts on the wire
 *
 * Protobuf has no 128-bit integer. An amount is a bytes field: left out for
 * 0; otherwise one byte E, the count of trailing decimal zeros of the value
 * (0 to 38), then the mantissa M = value / 10^E big-endian in 1 to 16 bytes
 * without a leading zero byte. M is then never a multiple of 10, so every
 * value has exactly one form, and the round amounts people write (5 T1 is
 * 5 x 10^18 base units: E = 18, M = 5) take two bytes instead of eight.
 * ------------------------------------------------------------------------- */

#define AMOUNT_EXP_MAX 38 /* 10^38 < 2^128 - 1 < 10^39 */
#define AMOUNT_WIRE_BYTES_MAX (1 + QFS_AMOUNT_BYTES_MAX)

/* Decodes `len` bytes of an amount field into *out. Returns NULL, or what
 * is wrong with the bytes (a refused form: the message names it). */
static const char *amount_decode(qfs_amount *out, const uint8_t *p, size_t len)
{
    if (len == 0) {
        *out = 0;
        return NULL;
    }
    if (len < 2)
        return "no mantissa after the exponent byte";
    if (len > 1 + QFS_AMOUNT_BYTES_MAX)
        return "mantissa longer than 16 bytes";
    if (p[0] > AMOUNT_EXP_MAX)
        return "exponent above 38";
    if (p[1] == 0)
        return "mantissa with a leading zero byte (not its one form)";
    qfs_amount m = 0;
    for (size_t i = 1; i < len; i++)
        m = (m << 8) | p[i];
    if (m % 10 == 0)
        return "mantissa is a multiple of 10 (not its one form: the exponent counts every trailing zero)";
    qfs_amount scale = qfs_pow10(p[0]);
    if (m > QFS_AMOUNT_MAX / scale)
        return "value above 2^128 - 1";
    *out = m * scale;
    return NULL;
}

static const char *amount_check(const uint8_t *p, size_t len)
{
    qfs_amount v;
    return amount_decode(&v, p, len);
}

/* The exact size of a bytes field that is a key or a signature; 0 for the
 * amounts, whose size varies. */
static size_t bytes_field_size(const ProtobufCFieldDescriptor *f)
{
    if (strcmp(f->name, "public_key") == 0)
        return QFS_PUBLIC_KEY_BYTES;
    if (strcmp(f->name, "signature") == 0)
        return QFS_SIGNATURE_BYTES;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Wire scan
 * ------------------------------------------------------------------------- */

/* The schema nests four deep (Event > Genesis > GenesisAccount > Balance);
 * anything deeper is hostile. */
#define SCAN_DEPTH_MAX 8
#define PATH_BYTES_MAX 96

typedef struct scan_ctx {
    const uint8_t *data;
    size_t len;
    qfs_diag *diag;
} scan_ctx;

/* Reads a varint of at most 10 bytes at *pos (bounded by end). Returns -1
 * when it is truncated or longer than 10 bytes, 1 when it is not in its one
 * canonical form (a longer encoding than the value needs, or bits above 64),
 * 0 when it is. */
static int read_varint(const uint8_t *data, size_t end, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 10; i++) {
        if (*pos >= end)
            return -1;
        uint8_t b = data[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            /* A last byte of 0 after the first adds nothing: the same value
             * has a shorter form. The tenth byte holds only bit 63. */
            return (i > 0 && b == 0) || (i == 9 && b > 1) ? 1 : 0;
        }
    }
    return -1;
}

/* Where the scan is, as a chain of field names from the envelope down. It
 * is turned into text ("transfer.from") only when something fails, so that
 * the scan of a valid event formats nothing. */
typedef struct scan_path {
    const struct scan_path *parent;
    const char *name;
} scan_path;

static size_t path_render(const scan_path *p, char *buf, size_t cap)
{
    size_t n = 0;
    if (p->parent && p->parent->parent) {
        n = path_render(p->parent, buf, cap);
        if (n + 1 < cap)
            buf[n++] = '.';
    }
    int w = snprintf(buf + n, cap - n, "%s", p->name);
    n += w > 0 ? (size_t)w : 0;
    return n < cap ? n : cap - 1;
}

/* Fails with "PATH[.FIELD]: message"; `field` may be NULL. */
static qfs_err scan_fail(const scan_ctx *c, size_t offset, const scan_path *path, const char *field,
                         const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static qfs_err scan_fail(const scan_ctx *c, size_t offset, const scan_path *path, const char *field,
                         const char *fmt, ...)
{
    if (c->diag) {
        char *msg = c->diag->message;
        size_t cap = sizeof c->diag->message;
        scan_path leaf = {path, field};
        size_t n = path_render(field ? &leaf : path, msg, cap);
        if (n + 2 < cap) {
            msg[n++] = ':';
            msg[n++] = ' ';
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(msg + n, cap - n, fmt, ap);
            va_end(ap);
        }
        qfs_diag_set_offset(c->diag, offset);
    }
    return QFS_E_DECODE;
}

/* The wire type protobuf-c accepts for a field of this type; -1 when the
 * schema has no such field and unpack alone decides. */
static int expected_wire_type(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE: return PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_ENUM:
        return f->label == PROTOBUF_C_LABEL_REPEATED ? -1 : PROTOBUF_C_WIRE_TYPE_VARINT;
    default: return -1;
    }
}

/* The most entries a repeated field may hold. Counting them here, before
 * protobuf-c allocates a struct per entry, keeps a hostile 4 MiB genesis of
 * two-byte empty accounts from costing a hundred megabytes of arena. */
static uint64_t repeated_max(const ProtobufCMessageDescriptor *desc, const ProtobufCFieldDescriptor *f)
{
    if (desc == &qfs__v1__genesis__descriptor && f->id == 2)
        return QFS_GENESIS_PARAMS_MAX;
    if (desc == &qfs__v1__genesis__descriptor && f->id == 3)
        return QFS_GENESIS_ACCOUNTS_MAX;
    if (desc == &qfs__v1__genesis_account__descriptor && f->id == 3)
        return QFS_ASSET_COUNT - 1; /* one per asset */
    QFS_ASSERT(0);                  /* a new repeated field needs a limit here */
    return 0;
}

#define SCAN_FIELDS_MAX 64

static qfs_err scan_message(const scan_ctx *c, const ProtobufCMessageDescriptor *desc, size_t pos, size_t end,
                            const scan_path *path, unsigned depth)
{
    /* Entries per repeated field. Only genesis messages have repeated
     * fields, so the counts are zeroed on first use rather than on every
     * message of every event. */
    uint64_t counts[SCAN_FIELDS_MAX];
    int counting = 0;
    uint64_t last_number = 0;
    QFS_ASSERT(desc->n_fields <= SCAN_FIELDS_MAX);
    while (pos < end) {
        size_t field_start = pos;
        uint64_t tag = 0;
        int vr = read_varint(c->data, end, &pos, &tag);
        if (vr < 0)
            return scan_fail(c, field_start, path, NULL, "truncated or overlong field tag");
        if (vr > 0)
            return scan_fail(c, field_start, path, NULL, "field tag not in its shortest form");
        uint64_t number = tag >> 3;
        unsigned wire = (unsigned)(tag & 7);
        if (number == 0 || number > 0x1fffffffu)
            return scan_fail(c, field_start, path, NULL, "invalid field number %llu",
                             (unsigned long long)number);
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(desc, (unsigned)number);
        if (!f)
            return scan_fail(c, field_start, path, NULL, "unknown field number %u", (unsigned)number);
        /* One byte form per event: fields in ascending number, each once
         * (the entries of a repeated field side by side), as protobuf-c
         * writes them. */
        if (number < last_number || (number == last_number && f->label != PROTOBUF_C_LABEL_REPEATED))
            return scan_fail(c, field_start, path, f->name,
                             number == last_number ? "field appears twice" : "field out of order");
        last_number = number;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            if (!counting) {
                memset(counts, 0, sizeof counts);
                counting = 1;
            }
            uint64_t max = repeated_max(desc, f);
            if (++counts[f - desc->fields] > max)
                return scan_fail(c, field_start, path, f->name, "more than %llu entries",
                                 (unsigned long long)max);
        }
        int want = expected_wire_type(f);
        if (want >= 0 && (unsigned)want != wire)
            return scan_fail(c, field_start, path, f->name, "wrong wire type %u", wire);
        uint64_t v = 0;
        switch (wire) {
        case PROTOBUF_C_WIRE_TYPE_VARINT:
            vr = read_varint(c->data, end, &pos, &v);
            if (vr < 0)
                return scan_fail(c, field_start, path, f->name, "truncated or overlong varint");
            if (vr > 0)
                return scan_fail(c, field_start, path, f->name, "varint not in its shortest form");
            if (v == 0)
                return scan_fail(c, field_start, path, f->name,
                                 "zero written out (a zero value is written by leaving the field out)");
            /* protobuf-c keeps only the low 32 bits of an enum varint; a value
             * it would wrap is not a value of the enum. */
            if (f->type == PROTOBUF_C_TYPE_ENUM && v > 0x7fffffffu)
                return scan_fail(c, field_start, path, f->name, "unknown enum value %llu",
                                 (unsigned long long)v);
            break;
        case PROTOBUF_C_WIRE_TYPE_64BIT:
            if (end - pos < 8)
                return scan_fail(c, field_start, path, f->name, "truncated 64-bit value");
            pos += 8;
            break;
        case PROTOBUF_C_WIRE_TYPE_32BIT:
            if (end - pos < 4)
                return scan_fail(c, field_start, path, f->name, "truncated 32-bit value");
            pos += 4;
            break;
        case PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED: {
            vr = read_varint(c->data, end, &pos, &v);
            if (vr < 0 || v > end - pos)
                return scan_fail(c, field_start, path, f->name, "truncated length-delimited field");
            if (vr > 0)
                return scan_fail(c, field_start, path, f->name, "length not in its shortest form");
            size_t n = (size_t)v;
            if (n == 0 && f->type != PROTOBUF_C_TYPE_MESSAGE)
                return scan_fail(c, field_start, path, f->name,
                                 "empty value written out (an empty or zero value is written by leaving the "
                                 "field out)");
            /* A bytes field is a key, a signature or a 128-bit amount. */
            if (f->type == PROTOBUF_C_TYPE_BYTES) {
                size_t exact = bytes_field_size(f);
                if (exact != 0 && n != exact)
                    return scan_fail(c, pos, path, f->name, "%zu bytes (must be exactly %zu)", n, exact);
                const char *why = exact == 0 ? amount_check(c->data + pos, n) : NULL;
                if (why)
                    return scan_fail(c, pos, path, f->name, "amount: %s", why);
            }
            if (f->type == PROTOBUF_C_TYPE_STRING && memchr(c->data + pos, 0, n))
                return scan_fail(c, pos, path, f->name, "id has a byte outside [A-Za-z0-9._:-] (a NUL byte)");
            if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
                if (depth + 1 >= SCAN_DEPTH_MAX)
                    return scan_fail(c, field_start, path, f->name, "nested too deeply");
                /* The envelope's fields are the event kinds: path_render
                 * names them bare, without the "event." of the root. */
                scan_path child = {path, f->name};
                qfs_err err = scan_message(c, f->descriptor, pos, pos + n, &child, depth + 1);
                if (err != QFS_OK)
                    return err;
            }
            pos += n;
            break;
        }
        default: return scan_fail(c, field_start, path, NULL, "unsupported wire type %u", wire);
        }
    }
    return QFS_OK;
}

/* ---------------------------------------------------------------------------
 * Decode: protobuf-c message -> qfs_event
 * ------------------------------------------------------------------------- */

typedef struct arena_alloc_ctx {
    qfs_arena *arena;
    int failed;
} arena_alloc_ctx;

static void *arena_alloc_fn(void *data, size_t size)
{
    arena_alloc_ctx *ctx = data;
    void *p = qfs_arena_alloc(ctx->arena, size);
    if (!p)
        ctx->failed = 1;
    return p;
}

/* The arena is reset by the caller; single allocations are never freed. */
static void arena_free_fn(void *data, void *ptr)
{
    (void)data;
    (void)ptr;
}

static qfs_err fail(qfs_diag *diag, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static qfs_err fail(qfs_diag *diag, const char *fmt, ...)
{
    if (diag) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(diag->message, sizeof diag->message, fmt, ap);
        va_end(ap);
    }
    return QFS_E_DECODE;
}

/* Unknown fields are refused by the wire scan already; this second look
 * keeps the rule true even if the scan and protobuf-c ever disagree. */
static qfs_err no_unknown(const ProtobufCMessage *m, const char *where, qfs_diag *diag)
{
    if (m->n_unknown_fields == 0)
        return QFS_OK;
    return fail(diag, "%s: unknown field number %u", where, (unsigned)m->unknown_fields[0].tag);
}

static qfs_err conv_id(qfs_id *out, const char *s, const char *where, qfs_diag *diag)
{
    /* Reading one byte past the limit is enough to know the id is too long. */
    return codec_check_id(out, s, strnlen(s, QFS_ID_BYTES_MAX + 1), where, QFS_E_DECODE, diag);
}

/* Enum values are int in protobuf-c; 0 (UNSPECIFIED) is never valid and any
 * value above `max` is one this build does not know. */
static qfs_err conv_enum(int *out, int v, int max, const char *where, qfs_diag *diag)
{
    if (v == 0)
        return fail(diag, "%s: not set (the zero value is never valid)", where);
    if (v < 0 || v > max)
        return fail(diag, "%s: unknown enum value %d", where, v);
    *out = v;
    return QFS_OK;
}

static qfs_err conv_asset(qfs_asset *out, int v, const char *where, qfs_diag *diag)
{
    int x = 0;
    qfs_err err = conv_enum(&x, v, QFS_ASSET_ATR, where, diag);
    if (err == QFS_OK)
        *out = (qfs_asset)x;
    return err;
}

static qfs_err conv_account_kind(qfs_account_kind *out, int v, const char *where, qfs_diag *diag)
{
    int x = 0;
    qfs_err err = conv_enum(&x, v, QFS_ACCOUNT_INFRA_NODE, where, diag);
    if (err == QFS_OK)
        *out = (qfs_account_kind)x;
    return err;
}

static qfs_err conv_choice(qfs_vote_choice *out, int v, const char *where, qfs_diag *diag)
{
    int x = 0;
    qfs_err err = conv_enum(&x, v, QFS_VOTE_ABSTAIN, where, diag);
    if (err == QFS_OK)
        *out = (qfs_vote_choice)x;
    return err;
}

static qfs_err conv_fp18_unit(uint64_t *out, uint64_t v, const char *where, qfs_diag *diag)
{
    qfs_err err = codec_check_unit_fp18(v, where, QFS_E_DECODE, diag);
    if (err == QFS_OK)
        *out = v;
    return err;
}

/* A 128-bit amount from its bytes (the scan refused every other form). */
static qfs_amount amount_of(ProtobufCBinaryData b)
{
    qfs_amount v = 0;
    QFS_ASSERT(amount_decode(&v, b.data, b.len) == NULL);
    return v;
}

/* A public key from its bytes (exactly 32, or absent: the scan refused
 * every other size). Returns 1 when present. */
static int conv_key(qfs_public_key *out, ProtobufCBinaryData b)
{
    if (b.len != QFS_PUBLIC_KEY_BYTES)
        return 0;
    memcpy(out->bytes, b.data, QFS_PUBLIC_KEY_BYTES);
    return 1;
}

#define TRY(expr)                                                                                            \
    do {                                                                                                     \
        qfs_err try_err_ = (expr);                                                                           \
        if (try_err_ != QFS_OK)                                                                              \
            return try_err_;                                                                                 \
    } while (0)

static qfs_err conv_param(qfs_param_value *out, const Qfs__V1__ParamValue *m, const char *kind,
                          qfs_diag *diag)
{
    char where[64];
    snprintf(where, sizeof where, "%s.change", kind);
    if (!m)
        return fail(diag, "%s: missing (a proposal must name a parameter change)", where);
    TRY(no_unknown(&m->base, where, diag));
    snprintf(where, sizeof where, "%s.change.name", kind);
    TRY(conv_id(&out->name, m->name, where, diag));
    const qfs_param_def *def = NULL;
    TRY(codec_check_param_name(&def, &out->name, where, QFS_E_DECODE, diag));
    snprintf(where, sizeof where, "%s.change.value", kind);
    qfs_amount value = amount_of(m->value);
    TRY(codec_check_param_range(def, value, where, QFS_E_DECODE, diag));
    out->value = value;
    return QFS_OK;
}

static qfs_err conv_genesis(qfs_ev_genesis *g, const Qfs__V1__Genesis *m, qfs_arena *arena, qfs_diag *diag)
{
    TRY(no_unknown(&m->base, "genesis", diag));
    TRY(conv_id(&g->chain_id, m->chain_id, "genesis.chain_id", diag));
    if (m->n_params > QFS_GENESIS_PARAMS_MAX)
        return fail(diag, "genesis.params: %zu parameters (at most %d)", m->n_params, QFS_GENESIS_PARAMS_MAX);
    if (m->n_accounts > QFS_GENESIS_ACCOUNTS_MAX)
        return fail(diag, "genesis.accounts: %zu accounts (at most %d)", m->n_accounts,
                    QFS_GENESIS_ACCOUNTS_MAX);
    g->param_count = m->n_params;
    g->params = NULL;
    if (m->n_params) {
        g->params = qfs_arena_calloc(arena, m->n_params, sizeof *g->params);
        if (!g->params)
            return QFS_E_NOMEM;
    }
    char where[96];
    for (size_t i = 0; i < m->n_params; i++) {
        const Qfs__V1__ParamValue *p = m->params[i];
        snprintf(where, sizeof where, "genesis.params[%zu]", i);
        TRY(no_unknown(&p->base, where, diag));
        snprintf(where, sizeof where, "genesis.params[%zu].name", i);
        TRY(conv_id(&g->params[i].name, p->name, where, diag));
        g->params[i].value = amount_of(p->value);
    }
    g->account_count = m->n_accounts;
    g->accounts = NULL;
    if (m->n_accounts) {
        g->accounts = qfs_arena_calloc(arena, m->n_accounts, sizeof *g->accounts);
        if (!g->accounts)
            return QFS_E_NOMEM;
    }
    for (size_t i = 0; i < m->n_accounts; i++) {
        const Qfs__V1__GenesisAccount *a = m->accounts[i];
        qfs_genesis_account *out = &g->accounts[i];
        snprintf(where, sizeof where, "genesis.accounts[%zu]", i);
        TRY(no_unknown(&a->base, where, diag));
        snprintf(where, sizeof where, "genesis.accounts[%zu].id", i);
        TRY(conv_id(&out->id, a->id, where, diag));
        snprintf(where, sizeof where, "genesis.accounts[%zu].kind", i);
        TRY(conv_account_kind(&out->kind, (int)a->kind, where, diag));
        /* At most one entry per asset; a longer list must repeat one. */
        unsigned seen = 0;
        for (size_t j = 0; j < a->n_balances; j++) {
            const Qfs__V1__Balance *b = a->balances[j];
            snprintf(where, sizeof where, "genesis.accounts[%zu].balances[%zu]", i, j);
            TRY(no_unknown(&b->base, where, diag));
            qfs_asset asset = QFS_ASSET_NONE;
            snprintf(where, sizeof where, "genesis.accounts[%zu].balances[%zu].asset", i, j);
            TRY(conv_asset(&asset, (int)b->asset, where, diag));
            if (seen & (1u << asset))
                return fail(diag, "genesis.accounts[%zu].balances: asset %s appears more than once", i,
                            qfs_asset_name(asset));
            seen |= 1u << asset;
            out->balances[asset] = amount_of(b->amount);
        }
        out->key.present = conv_key(&out->key.key, a->public_key);
    }
    int mode = 0;
    TRY(conv_enum(&mode, (int)m->authentication, QFS_AUTH_ED25519, "genesis.authentication", diag));
    g->auth = (qfs_auth_mode)mode;
    const Qfs__V1__KeyHolder *holders[QFS_ROLE_COUNT] = {m->authority, m->coherence_oracle,
                                                         m->telemetry_oracle, m->memory_oracle};
    for (int r = 0; r < QFS_ROLE_COUNT; r++) {
        const Qfs__V1__KeyHolder *h = holders[r];
        if (!h)
            continue;
        snprintf(where, sizeof where, "genesis.%s", qfs_role_name((qfs_role)r));
        TRY(no_unknown(&h->base, where, diag));
        snprintf(where, sizeof where, "genesis.%s.id", qfs_role_name((qfs_role)r));
        TRY(conv_id(&g->holders[r].id, h->id, where, diag));
        if (!conv_key(&g->holders[r].key, h->public_key))
            return fail(diag, "genesis.%s.public_key: missing", qfs_role_name((qfs_role)r));
        g->holders[r].present = 1;
    }
    return codec_check_genesis(g, arena, QFS_E_DECODE, diag);
}

static qfs_err conv_event(qfs_event *ev, const Qfs__V1__Event *m, qfs_arena *arena, qfs_diag *diag)
{
    TRY(no_unknown(&m->base, "event", diag));
    ev->timestamp_ms = m->timestamp_ms;
    /* The authentication fields: any combination decodes; whether it is
     * enough is the state machine's verdict (docs/SPEC.md). */
    if (m->signer && m->signer[0])
        TRY(conv_id(&ev->signer, m->signer, "signer", diag));
    ev->sequence = m->sequence;
    if (m->signature.len == QFS_SIGNATURE_BYTES) {
        memcpy(ev->signature, m->signature.data, QFS_SIGNATURE_BYTES);
        ev->has_signature = 1;
    }
    /* protobuf-c sets the pointer whenever it sets the case; checking both
     * costs nothing and keeps a NULL from ever being followed. */
    switch (m->body_case) {
    case QFS__V1__EVENT__BODY_GENESIS:
        if (!m->genesis)
            break;
        ev->kind = QFS_EVENT_GENESIS;
        return conv_genesis(&ev->u.genesis, m->genesis, arena, diag);
    case QFS__V1__EVENT__BODY_REGISTER_ACCOUNT: {
        const Qfs__V1__RegisterAccount *b = m->register_account;
        if (!b)
            break;
        ev->kind = QFS_EVENT_REGISTER_ACCOUNT;
        TRY(no_unknown(&b->base, "register_account", diag));
        TRY(conv_id(&ev->u.register_account.id, b->id, "register_account.id", diag));
        ev->u.register_account.key.present = conv_key(&ev->u.register_account.key.key, b->public_key);
        return conv_account_kind(&ev->u.register_account.kind, (int)b->kind, "register_account.kind", diag);
    }
    case QFS__V1__EVENT__BODY_TRANSFER: {
        const Qfs__V1__Transfer *b = m->transfer;
        if (!b)
            break;
        qfs_ev_transfer *t = &ev->u.transfer;
        ev->kind = QFS_EVENT_TRANSFER;
        TRY(no_unknown(&b->base, "transfer", diag));
        TRY(conv_id(&t->from, b->from, "transfer.from", diag));
        TRY(conv_id(&t->to, b->to, "transfer.to", diag));
        TRY(conv_asset(&t->asset, (int)b->asset, "transfer.asset", diag));
        t->amount = amount_of(b->amount);
        t->fee_atr = amount_of(b->fee_atr);
        return QFS_OK;
    }
    case QFS__V1__EVENT__BODY_STAKE: {
        const Qfs__V1__Stake *b = m->stake;
        if (!b)
            break;
        ev->kind = QFS_EVENT_STAKE;
        TRY(no_unknown(&b->base, "stake", diag));
        ev->u.stake.amount = amount_of(b->amount);
        return conv_id(&ev->u.stake.validator, b->validator, "stake.validator", diag);
    }
    case QFS__V1__EVENT__BODY_UNSTAKE: {
        const Qfs__V1__Unstake *b = m->unstake;
        if (!b)
            break;
        ev->kind = QFS_EVENT_UNSTAKE;
        TRY(no_unknown(&b->base, "unstake", diag));
        ev->u.unstake.amount = amount_of(b->amount);
        return conv_id(&ev->u.unstake.validator, b->validator, "unstake.validator", diag);
    }
    case QFS__V1__EVENT__BODY_COHERENCE_REPORT: {
        const Qfs__V1__CoherenceReport *b = m->coherence_report;
        if (!b)
            break;
        ev->kind = QFS_EVENT_COHERENCE_REPORT;
        TRY(no_unknown(&b->base, "coherence_report", diag));
        TRY(conv_id(&ev->u.coherence_report.validator, b->validator, "coherence_report.validator", diag));
        return conv_fp18_unit(&ev->u.coherence_report.psi_fp18, b->psi_fp18, "coherence_report.psi_fp18",
                              diag);
    }
    case QFS__V1__EVENT__BODY_BOOST: {
        const Qfs__V1__Boost *b = m->boost;
        if (!b)
            break;
        ev->kind = QFS_EVENT_BOOST;
        TRY(no_unknown(&b->base, "boost", diag));
        ev->u.boost.amount = amount_of(b->amount);
        return conv_id(&ev->u.boost.validator, b->validator, "boost.validator", diag);
    }
    case QFS__V1__EVENT__BODY_MEMORY_CONTRIBUTION: {
        const Qfs__V1__MemoryContribution *b = m->memory_contribution;
        if (!b)
            break;
        qfs_ev_memory_contribution *mc = &ev->u.memory_contribution;
        ev->kind = QFS_EVENT_MEMORY_CONTRIBUTION;
        TRY(no_unknown(&b->base, "memory_contribution", diag));
        TRY(conv_id(&mc->contributor, b->contributor, "memory_contribution.contributor", diag));
        TRY(conv_id(&mc->memory_node_id, b->memory_node_id, "memory_contribution.memory_node_id", diag));
        mc->rphiv_fp18 = b->rphiv_fp18; /* any value: a score, not a fraction */
        return conv_fp18_unit(&mc->lambda_node_fp18, b->lambda_node_fp18,
                              "memory_contribution.lambda_node_fp18", diag);
    }
    case QFS__V1__EVENT__BODY_USER_ACTION: {
        const Qfs__V1__UserAction *b = m->user_action;
        if (!b)
            break;
        ev->kind = QFS_EVENT_USER_ACTION;
        TRY(no_unknown(&b->base, "user_action", diag));
        TRY(conv_id(&ev->u.user_action.account, b->account, "user_action.account", diag));
        TRY(conv_id(&ev->u.user_action.action, b->action, "user_action.action", diag));
        ev->u.user_action.fee_atr = amount_of(b->fee_atr);
        return QFS_OK;
    }
    case QFS__V1__EVENT__BODY_NODE_TELEMETRY: {
        const Qfs__V1__NodeTelemetry *b = m->node_telemetry;
        if (!b)
            break;
        qfs_ev_node_telemetry *n = &ev->u.node_telemetry;
        ev->kind = QFS_EVENT_NODE_TELEMETRY;
        TRY(no_unknown(&b->base, "node_telemetry", diag));
        TRY(conv_id(&n->node, b->node, "node_telemetry.node", diag));
        TRY(conv_fp18_unit(&n->uptime_fp18, b->uptime_fp18, "node_telemetry.uptime_fp18", diag));
        TRY(conv_fp18_unit(&n->replication_fp18, b->replication_fp18, "node_telemetry.replication_fp18",
                           diag));
        return conv_fp18_unit(&n->correctness_fp18, b->correctness_fp18, "node_telemetry.correctness_fp18",
                              diag);
    }
    case QFS__V1__EVENT__BODY_SOCIAL_PROPOSAL: {
        const Qfs__V1__SocialProposal *b = m->social_proposal;
        if (!b)
            break;
        qfs_ev_proposal *p = &ev->u.social_proposal;
        ev->kind = QFS_EVENT_SOCIAL_PROPOSAL;
        TRY(no_unknown(&b->base, "social_proposal", diag));
        TRY(conv_id(&p->proposer, b->proposer, "social_proposal.proposer", diag));
        p->proposal_id = b->proposal_id;
        return conv_param(&p->change, b->change, "social_proposal", diag);
    }
    case QFS__V1__EVENT__BODY_SOCIAL_VOTE: {
        const Qfs__V1__SocialVote *b = m->social_vote;
        if (!b)
            break;
        qfs_ev_vote *v = &ev->u.social_vote;
        ev->kind = QFS_EVENT_SOCIAL_VOTE;
        TRY(no_unknown(&b->base, "social_vote", diag));
        TRY(conv_id(&v->voter, b->voter, "social_vote.voter", diag));
        v->proposal_id = b->proposal_id;
        return conv_choice(&v->choice, (int)b->choice, "social_vote.choice", diag);
    }
    case QFS__V1__EVENT__BODY_INFRA_PROPOSAL: {
        const Qfs__V1__InfraProposal *b = m->infra_proposal;
        if (!b)
            break;
        qfs_ev_proposal *p = &ev->u.infra_proposal;
        ev->kind = QFS_EVENT_INFRA_PROPOSAL;
        TRY(no_unknown(&b->base, "infra_proposal", diag));
        TRY(conv_id(&p->proposer, b->proposer, "infra_proposal.proposer", diag));
        p->proposal_id = b->proposal_id;
        return conv_param(&p->change, b->change, "infra_proposal", diag);
    }
    case QFS__V1__EVENT__BODY_INFRA_VOTE: {
        const Qfs__V1__InfraVote *b = m->infra_vote;
        if (!b)
            break;
        qfs_ev_vote *v = &ev->u.infra_vote;
        ev->kind = QFS_EVENT_INFRA_VOTE;
        TRY(no_unknown(&b->base, "infra_vote", diag));
        TRY(conv_id(&v->voter, b->node, "infra_vote.node", diag));
        v->proposal_id = b->proposal_id;
        return conv_choice(&v->choice, (int)b->choice, "infra_vote.choice", diag);
    }
    case QFS__V1__EVENT__BODY_EPOCH_CLOSE: {
        const Qfs__V1__EpochClose *b = m->epoch_close;
        if (!b)
            break;
        ev->kind = QFS_EVENT_EPOCH_CLOSE;
        TRY(no_unknown(&b->base, "epoch_close", diag));
        ev->u.epoch_close.epoch = b->epoch;
        return QFS_OK;
    }
    case QFS__V1__EVENT__BODY_ROTATE_KEY: {
        const Qfs__V1__RotateKey *b = m->rotate_key;
        if (!b)
            break;
        ev->kind = QFS_EVENT_ROTATE_KEY;
        TRY(no_unknown(&b->base, "rotate_key", diag));
        TRY(conv_id(&ev->u.rotate_key.holder, b->holder, "rotate_key.holder", diag));
        if (!conv_key(&ev->u.rotate_key.key, b->public_key))
            return fail(diag, "rotate_key.public_key: missing");
        return QFS_OK;
    }
    case QFS__V1__EVENT__BODY__NOT_SET:
    default: break;
    }
    return fail(diag, "event has no body");
}

qfs_err qfs_codec_decode(qfs_event *out, const uint8_t *data, size_t len, qfs_arena *arena, qfs_diag *diag)
{
    if (!out || !arena || (!data && len))
        return QFS_E_INVALID_ARG;
    if (len > QFS_EVENT_BYTES_MAX) {
        qfs_diag_set(diag, "event is %zu bytes (at most %zu)", len, QFS_EVENT_BYTES_MAX);
        return QFS_E_LIMIT;
    }
    static const uint8_t empty[1] = {0};
    if (!data)
        data = empty; /* protobuf-c wants a pointer even for zero bytes */
    scan_ctx sc = {data, len, diag};
    scan_path root = {NULL, "event"};
    TRY(scan_message(&sc, &qfs__v1__event__descriptor, 0, len, &root, 0));

    arena_alloc_ctx actx = {arena, 0};
    ProtobufCAllocator allocator = {arena_alloc_fn, arena_free_fn, &actx};
    Qfs__V1__Event *m =
        (Qfs__V1__Event *)protobuf_c_message_unpack(&qfs__v1__event__descriptor, &allocator, len, data);
    if (!m) {
        if (actx.failed) {
            qfs_diag_set(diag, "out of scratch memory while decoding a %zu-byte event", len);
            return QFS_E_NOMEM;
        }
        return fail(diag, "malformed protobuf");
    }
    qfs_event ev;
    memset(&ev, 0, sizeof ev); /* canonical padding: the event may be hashed or compared */
    TRY(conv_event(&ev, m, arena, diag));
    *out = ev;
    return QFS_OK;
}

/* ---------------------------------------------------------------------------
 * Encode: qfs_event -> protobuf-c message -> bytes
 * ------------------------------------------------------------------------- */

#define ID_CSTR_BYTES (QFS_ID_BYTES_MAX + 1)

/* One genesis account with room for every non-zero balance. */
typedef struct enc_account {
    Qfs__V1__GenesisAccount msg;
    Qfs__V1__Balance balance[QFS_ASSET_COUNT - 1];
    uint8_t amount[QFS_ASSET_COUNT - 1][AMOUNT_WIRE_BYTES_MAX];
    Qfs__V1__Balance *balance_ptr[QFS_ASSET_COUNT - 1];
    char id[ID_CSTR_BYTES];
    uint8_t key[QFS_PUBLIC_KEY_BYTES];
} enc_account;

typedef struct enc_param {
    Qfs__V1__ParamValue msg;
    char name[ID_CSTR_BYTES];
    uint8_t value[AMOUNT_WIRE_BYTES_MAX];
} enc_param;

/* Everything an event's protobuf-c form needs, on the stack; only a genesis
 * needs the heap, for its variable-length lists. */
typedef struct enc_msg {
    Qfs__V1__Event event;
    union {
        Qfs__V1__Genesis genesis;
        Qfs__V1__RegisterAccount register_account;
        Qfs__V1__Transfer transfer;
        Qfs__V1__Stake stake;
        Qfs__V1__Unstake unstake;
        Qfs__V1__CoherenceReport coherence_report;
        Qfs__V1__Boost boost;
        Qfs__V1__MemoryContribution memory_contribution;
        Qfs__V1__UserAction user_action;
        Qfs__V1__NodeTelemetry node_telemetry;
        Qfs__V1__SocialProposal social_proposal;
        Qfs__V1__SocialVote social_vote;
        Qfs__V1__InfraProposal infra_proposal;
        Qfs__V1__InfraVote infra_vote;
        Qfs__V1__EpochClose epoch_close;
        Qfs__V1__RotateKey rotate_key;
    } body;
    Qfs__V1__ParamValue change;
    char str[2][ID_CSTR_BYTES];
    uint8_t amt[2][AMOUNT_WIRE_BYTES_MAX];
    uint8_t key[QFS_PUBLIC_KEY_BYTES];
    char signer[ID_CSTR_BYTES];
    uint8_t signature[QFS_SIGNATURE_BYTES];
    Qfs__V1__KeyHolder holder[QFS_ROLE_COUNT];
    char holder_id[QFS_ROLE_COUNT][ID_CSTR_BYTES];
    uint8_t holder_key[QFS_ROLE_COUNT][QFS_PUBLIC_KEY_BYTES];
    void *heap;
} enc_msg;

/* A key's bytes as a bytes field (copied into buf); absent when has is 0. */
static ProtobufCBinaryData key_bytes(uint8_t buf[QFS_PUBLIC_KEY_BYTES], int has, const qfs_public_key *key)
{
    ProtobufCBinaryData b = {0, NULL};
    if (!has)
        return b;
    memcpy(buf, key->bytes, QFS_PUBLIC_KEY_BYTES);
    b.len = QFS_PUBLIC_KEY_BYTES;
    b.data = buf;
    return b;
}

/* The one byte form of an amount (see "Amounts on the wire"); empty, the
 * field left out, for 0. */
static ProtobufCBinaryData amount_bytes(uint8_t buf[AMOUNT_WIRE_BYTES_MAX], qfs_amount v)
{
    ProtobufCBinaryData b = {0, NULL};
    if (v == 0)
        return b;
    uint8_t e = 0;
    /* Strip decimal zeros: 64-bit division once the value fits. */
    while (v > UINT64_MAX && v % 10 == 0) {
        v /= 10;
        e++;
    }
    if (v <= UINT64_MAX) {
        uint64_t m = (uint64_t)v;
        while (m % 10 == 0) {
            m /= 10;
            e++;
        }
        v = m;
    }
    size_t n = 0;
    for (qfs_amount x = v; x != 0; x >>= 8)
        n++;
    buf[0] = e;
    for (size_t i = 0; i < n; i++)
        buf[n - i] = (uint8_t)(v >> (8 * i));
    b.len = n + 1;
    b.data = buf;
    return b;
}

/* protobuf-c wants NUL-terminated strings; ids are not. */
static char *cstr(char dst[ID_CSTR_BYTES], const qfs_id *id)
{
    size_t n = id->len <= QFS_ID_BYTES_MAX ? id->len : QFS_ID_BYTES_MAX;
    memcpy(dst, id->bytes, n);
    dst[n] = '\0';
    return dst;
}

static qfs_err build_genesis(enc_msg *m, const qfs_ev_genesis *g)
{
    Qfs__V1__Genesis *out = &m->body.genesis;
    qfs__v1__genesis__init(out);
    out->chain_id = cstr(m->str[0], &g->chain_id);
    out->authentication = (Qfs__V1__Authentication)g->auth;
    Qfs__V1__KeyHolder **holders[QFS_ROLE_COUNT] = {&out->authority, &out->coherence_oracle,
                                                    &out->telemetry_oracle, &out->memory_oracle};
    for (int r = 0; r < QFS_ROLE_COUNT; r++) {
        if (!g->holders[r].present)
            continue;
        qfs__v1__key_holder__init(&m->holder[r]);
        m->holder[r].id = cstr(m->holder_id[r], &g->holders[r].id);
        m->holder[r].public_key = key_bytes(m->holder_key[r], 1, &g->holders[r].key);
        *holders[r] = &m->holder[r];
    }
    if (g->param_count > QFS_GENESIS_PARAMS_MAX || g->account_count > QFS_GENESIS_ACCOUNTS_MAX)
        return QFS_E_INVALID_ARG;
    /* One block: accounts, params, then the two pointer arrays. Every part
     * has a size that is a multiple of the pointer alignment, so placing them
     * back to back keeps each one aligned. */
    size_t acc_bytes = g->account_count * sizeof(enc_account);
    size_t par_bytes = g->param_count * sizeof(enc_param);
    size_t acc_ptr_bytes = g->account_count * sizeof(Qfs__V1__GenesisAccount *);
    size_t par_ptr_bytes = g->param_count * sizeof(Qfs__V1__ParamValue *);
    size_t total = acc_bytes + par_bytes + acc_ptr_bytes + par_ptr_bytes;
    if (total == 0)
        return QFS_OK;
    unsigned char *block = calloc(1, total);
    if (!block)
        return QFS_E_NOMEM;
    m->heap = block;
    enc_account *acc = (enc_account *)(void *)block;
    enc_param *par = (enc_param *)(void *)(block + acc_bytes);
    Qfs__V1__GenesisAccount **acc_ptr = (Qfs__V1__GenesisAccount **)(void *)(block + acc_bytes + par_bytes);
    Qfs__V1__ParamValue **par_ptr =
        (Qfs__V1__ParamValue **)(void *)(block + acc_bytes + par_bytes + acc_ptr_bytes);

    for (size_t i = 0; i < g->param_count; i++) {
        qfs__v1__param_value__init(&par[i].msg);
        par[i].msg.name = cstr(par[i].name, &g->params[i].name);
        par[i].msg.value = amount_bytes(par[i].value, g->params[i].value);
        par_ptr[i] = &par[i].msg;
    }
    out->n_params = g->param_count;
    out->params = g->param_count ? par_ptr : NULL;

    for (size_t i = 0; i < g->account_count; i++) {
        const qfs_genesis_account *a = &g->accounts[i];
        enc_account *e = &acc[i];
        qfs__v1__genesis_account__init(&e->msg);
        e->msg.id = cstr(e->id, &a->id);
        e->msg.kind = (Qfs__V1__AccountKind)a->kind;
        /* Canonical: ascending asset order, zero balances left out. */
        size_t n = 0;
        for (int asset = QFS_ASSET_T1; asset < QFS_ASSET_COUNT; asset++) {
            if (a->balances[asset] == 0)
                continue;
            qfs__v1__balance__init(&e->balance[n]);
            e->balance[n].asset = (Qfs__V1__Asset)asset;
            e->balance[n].amount = amount_bytes(e->amount[n], a->balances[asset]);
            e->balance_ptr[n] = &e->balance[n];
            n++;
        }
        e->msg.public_key = key_bytes(e->key, a->key.present, &a->key.key);
        e->msg.n_balances = n;
        e->msg.balances = n ? e->balance_ptr : NULL;
        acc_ptr[i] = &e->msg;
    }
    out->n_accounts = g->account_count;
    out->accounts = g->account_count ? acc_ptr : NULL;
    return QFS_OK;
}

static void build_change(enc_msg *m, const qfs_param_value *p)
{
    qfs__v1__param_value__init(&m->change);
    m->change.name = cstr(m->str[1], &p->name);
    m->change.value = amount_bytes(m->amt[0], p->value);
}

/* Fills m from ev. The caller releases m->heap. */
static qfs_err build(enc_msg *m, const qfs_event *ev)
{
    qfs__v1__event__init(&m->event);
    m->heap = NULL;
    m->event.timestamp_ms = ev->timestamp_ms;
    if (ev->signer.len > 0)
        m->event.signer = cstr(m->signer, &ev->signer);
    m->event.sequence = ev->sequence;
    if (ev->has_signature) {
        memcpy(m->signature, ev->signature, QFS_SIGNATURE_BYTES);
        m->event.signature.len = QFS_SIGNATURE_BYTES;
        m->event.signature.data = m->signature;
    }
    switch (ev->kind) {
    case QFS_EVENT_GENESIS:
        m->event.body_case = QFS__V1__EVENT__BODY_GENESIS;
        m->event.genesis = &m->body.genesis;
        return build_genesis(m, &ev->u.genesis);
    case QFS_EVENT_REGISTER_ACCOUNT: {
        Qfs__V1__RegisterAccount *b = &m->body.register_account;
        qfs__v1__register_account__init(b);
        b->id = cstr(m->str[0], &ev->u.register_account.id);
        b->kind = (Qfs__V1__AccountKind)ev->u.register_account.kind;
        b->public_key =
            key_bytes(m->key, ev->u.register_account.key.present, &ev->u.register_account.key.key);
        m->event.body_case = QFS__V1__EVENT__BODY_REGISTER_ACCOUNT;
        m->event.register_account = b;
        return QFS_OK;
    }
    case QFS_EVENT_TRANSFER: {
        Qfs__V1__Transfer *b = &m->body.transfer;
        qfs__v1__transfer__init(b);
        b->from = cstr(m->str[0], &ev->u.transfer.from);
        b->to = cstr(m->str[1], &ev->u.transfer.to);
        b->asset = (Qfs__V1__Asset)ev->u.transfer.asset;
        b->amount = amount_bytes(m->amt[0], ev->u.transfer.amount);
        b->fee_atr = amount_bytes(m->amt[1], ev->u.transfer.fee_atr);
        m->event.body_case = QFS__V1__EVENT__BODY_TRANSFER;
        m->event.transfer = b;
        return QFS_OK;
    }
    case QFS_EVENT_STAKE: {
        Qfs__V1__Stake *b = &m->body.stake;
        qfs__v1__stake__init(b);
        b->validator = cstr(m->str[0], &ev->u.stake.validator);
        b->amount = amount_bytes(m->amt[0], ev->u.stake.amount);
        m->event.body_case = QFS__V1__EVENT__BODY_STAKE;
        m->event.stake = b;
        return QFS_OK;
    }
    case QFS_EVENT_UNSTAKE: {
        Qfs__V1__Unstake *b = &m->body.unstake;
        qfs__v1__unstake__init(b);
        b->validator = cstr(m->str[0], &ev->u.unstake.validator);
        b->amount = amount_bytes(m->amt[0], ev->u.unstake.amount);
        m->event.body_case = QFS__V1__EVENT__BODY_UNSTAKE;
        m->event.unstake = b;
        return QFS_OK;
    }
    case QFS_EVENT_COHERENCE_REPORT: {
        Qfs__V1__CoherenceReport *b = &m->body.coherence_report;
        qfs__v1__coherence_report__init(b);
        b->validator = cstr(m->str[0], &ev->u.coherence_report.validator);
        b->psi_fp18 = ev->u.coherence_report.psi_fp18;
        m->event.body_case = QFS__V1__EVENT__BODY_COHERENCE_REPORT;
        m->event.coherence_report = b;
        return QFS_OK;
    }
    case QFS_EVENT_BOOST: {
        Qfs__V1__Boost *b = &m->body.boost;
        qfs__v1__boost__init(b);
        b->validator = cstr(m->str[0], &ev->u.boost.validator);
        b->amount = amount_bytes(m->amt[0], ev->u.boost.amount);
        m->event.body_case = QFS__V1__EVENT__BODY_BOOST;
        m->event.boost = b;
        return QFS_OK;
    }
    case QFS_EVENT_MEMORY_CONTRIBUTION: {
        const qfs_ev_memory_contribution *e = &ev->u.memory_contribution;
        Qfs__V1__MemoryContribution *b = &m->body.memory_contribution;
        qfs__v1__memory_contribution__init(b);
        b->contributor = cstr(m->str[0], &e->contributor);
        b->memory_node_id = cstr(m->str[1], &e->memory_node_id);
        b->rphiv_fp18 = e->rphiv_fp18;
        b->lambda_node_fp18 = e->lambda_node_fp18;
        m->event.body_case = QFS__V1__EVENT__BODY_MEMORY_CONTRIBUTION;
        m->event.memory_contribution = b;
        return QFS_OK;
    }
    case QFS_EVENT_USER_ACTION: {
        Qfs__V1__UserAction *b = &m->body.user_action;
        qfs__v1__user_action__init(b);
        b->account = cstr(m->str[0], &ev->u.user_action.account);
        b->action = cstr(m->str[1], &ev->u.user_action.action);
        b->fee_atr = amount_bytes(m->amt[0], ev->u.user_action.fee_atr);
        m->event.body_case = QFS__V1__EVENT__BODY_USER_ACTION;
        m->event.user_action = b;
        return QFS_OK;
    }
    case QFS_EVENT_NODE_TELEMETRY: {
        const qfs_ev_node_telemetry *e = &ev->u.node_telemetry;
        Qfs__V1__NodeTelemetry *b = &m->body.node_telemetry;
        qfs__v1__node_telemetry__init(b);
        b->node = cstr(m->str[0], &e->node);
        b->uptime_fp18 = e->uptime_fp18;
        b->replication_fp18 = e->replication_fp18;
        b->correctness_fp18 = e->correctness_fp18;
        m->event.body_case = QFS__V1__EVENT__BODY_NODE_TELEMETRY;
        m->event.node_telemetry = b;
        return QFS_OK;
    }
    case QFS_EVENT_SOCIAL_PROPOSAL: {
        Qfs__V1__SocialProposal *b = &m->body.social_proposal;
        qfs__v1__social_proposal__init(b);
        b->proposer = cstr(m->str[0], &ev->u.social_proposal.proposer);
        b->proposal_id = ev->u.social_proposal.proposal_id;
        build_change(m, &ev->u.social_proposal.change);
        b->change = &m->change;
        m->event.body_case = QFS__V1__EVENT__BODY_SOCIAL_PROPOSAL;
        m->event.social_proposal = b;
        return QFS_OK;
    }
    case QFS_EVENT_SOCIAL_VOTE: {
        Qfs__V1__SocialVote *b = &m->body.social_vote;
        qfs__v1__social_vote__init(b);
        b->voter = cstr(m->str[0], &ev->u.social_vote.voter);
        b->proposal_id = ev->u.social_vote.proposal_id;
        b->choice = (Qfs__V1__VoteChoice)ev->u.social_vote.choice;
        m->event.body_case = QFS__V1__EVENT__BODY_SOCIAL_VOTE;
        m->event.social_vote = b;
        return QFS_OK;
    }
    case QFS_EVENT_INFRA_PROPOSAL: {
        Qfs__V1__InfraProposal *b = &m->body.infra_proposal;
        qfs__v1__infra_proposal__init(b);
        b->proposer = cstr(m->str[0], &ev->u.infra_proposal.proposer);
        b->proposal_id = ev->u.infra_proposal.proposal_id;
        build_change(m, &ev->u.infra_proposal.change);
        b->change = &m->change;
        m->event.body_case = QFS__V1__EVENT__BODY_INFRA_PROPOSAL;
        m->event.infra_proposal = b;
        return QFS_OK;
    }
    case QFS_EVENT_INFRA_VOTE: {
        Qfs__V1__InfraVote *b = &m->body.infra_vote;
        qfs__v1__infra_vote__init(b);
        b->node = cstr(m->str[0], &ev->u.infra_vote.voter);
        b->proposal_id = ev->u.infra_vote.proposal_id;
        b->choice = (Qfs__V1__VoteChoice)ev->u.infra_vote.choice;
        m->event.body_case = QFS__V1__EVENT__BODY_INFRA_VOTE;
        m->event.infra_vote = b;
        return QFS_OK;
    }
    case QFS_EVENT_EPOCH_CLOSE: {
        Qfs__V1__EpochClose *b = &m->body.epoch_close;
        qfs__v1__epoch_close__init(b);
        b->epoch = ev->u.epoch_close.epoch;
        m->event.body_case = QFS__V1__EVENT__BODY_EPOCH_CLOSE;
        m->event.epoch_close = b;
        return QFS_OK;
    }
    case QFS_EVENT_ROTATE_KEY: {
        Qfs__V1__RotateKey *b = &m->body.rotate_key;
        qfs__v1__rotate_key__init(b);
        b->holder = cstr(m->str[0], &ev->u.rotate_key.holder);
        b->public_key = key_bytes(m->key, 1, &ev->u.rotate_key.key);
        m->event.body_case = QFS__V1__EVENT__BODY_ROTATE_KEY;
        m->event.rotate_key = b;
        return QFS_OK;
    }
    case QFS_EVENT_NONE:
    default: return QFS_E_INVALID_ARG;
    }
}

size_t qfs_codec_encoded_size(const qfs_event *ev)
{
    enc_msg m;
    if (build(&m, ev) != QFS_OK) {
        free(m.heap);
        return 0;
    }
    size_t size = protobuf_c_message_get_packed_size(&m.event.base);
    free(m.heap);
    return size;
}

qfs_err qfs_codec_encode(const qfs_event *ev, uint8_t *buf, size_t cap, size_t *len_out)
{
    if (!ev || !len_out || (!buf && cap))
        return QFS_E_INVALID_ARG;
    qfs_err err = codec_check_event(ev, QFS_E_INVALID_ARG, NULL);
    if (err != QFS_OK)
        return err;
    enc_msg m;
    err = build(&m, ev);
    if (err == QFS_OK) {
        size_t size = protobuf_c_message_get_packed_size(&m.event.base);
        if (size > QFS_EVENT_BYTES_MAX || size > cap) {
            err = QFS_E_LIMIT;
        } else {
            size_t written = protobuf_c_message_pack(&m.event.base, buf);
            QFS_ASSERT(written == size);
            *len_out = written;
        }
    }
    free(m.heap);
    return err;
}

/* ---------------------------------------------------------------------------
 * Schema hash
 * ------------------------------------------------------------------------- */

#define SCHEMA_MESSAGES_MAX 64
#define SCHEMA_ENUMS_MAX 32
#define SCHEMA_FIELDS_MAX 64
#define SCHEMA_TEXT_BYTES_MAX 16384

typedef struct schema_text {
    size_t len;
    char buf[SCHEMA_TEXT_BYTES_MAX];
} schema_text;

static void put(schema_text *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void put(schema_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    /* The schema is compiled in; outgrowing the buffer is a build error. */
    QFS_ASSERT(n >= 0 && (size_t)n < sizeof t->buf - t->len);
    t->len += (size_t)n;
}

/* descriptor.proto's FieldDescriptorProto.Type numbers, so that the text
 * does not depend on how protobuf-c numbers its own type enum. */
static int proto_type_number(ProtobufCType t)
{
    static const int numbers[] = {
        [PROTOBUF_C_TYPE_INT32] = 5,   [PROTOBUF_C_TYPE_SINT32] = 17,  [PROTOBUF_C_TYPE_SFIXED32] = 15,
        [PROTOBUF_C_TYPE_INT64] = 3,   [PROTOBUF_C_TYPE_SINT64] = 18,  [PROTOBUF_C_TYPE_SFIXED64] = 16,
        [PROTOBUF_C_TYPE_UINT32] = 13, [PROTOBUF_C_TYPE_FIXED32] = 7,  [PROTOBUF_C_TYPE_UINT64] = 4,
        [PROTOBUF_C_TYPE_FIXED64] = 6, [PROTOBUF_C_TYPE_FLOAT] = 2,    [PROTOBUF_C_TYPE_DOUBLE] = 1,
        [PROTOBUF_C_TYPE_BOOL] = 8,    [PROTOBUF_C_TYPE_ENUM] = 14,    [PROTOBUF_C_TYPE_STRING] = 9,
        [PROTOBUF_C_TYPE_BYTES] = 12,  [PROTOBUF_C_TYPE_MESSAGE] = 11,
    };
    QFS_ASSERT((unsigned)t < sizeof numbers / sizeof numbers[0]);
    return numbers[t];
}

static const char *label_name(ProtobufCLabel l)
{
    switch (l) {
    case PROTOBUF_C_LABEL_REQUIRED: return "required";
    case PROTOBUF_C_LABEL_OPTIONAL: return "optional";
    case PROTOBUF_C_LABEL_REPEATED: return "repeated";
    case PROTOBUF_C_LABEL_NONE: return "singular";
    default: QFS_ASSERT(0); return "";
    }
}

static void sort_by_name(const void **items, size_t n, const char *(*name_of)(const void *))
{
    for (size_t i = 1; i < n; i++) {
        const void *x = items[i];
        size_t j = i;
        while (j > 0 && strcmp(name_of(items[j - 1]), name_of(x)) > 0) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = x;
    }
}

static const char *message_name(const void *d)
{
    return ((const ProtobufCMessageDescriptor *)d)->name;
}

static const char *enum_name(const void *d)
{
    return ((const ProtobufCEnumDescriptor *)d)->name;
}

static void add_unique(const void **items, size_t *n, size_t max, const void *item)
{
    for (size_t i = 0; i < *n; i++)
        if (items[i] == item)
            return;
    QFS_ASSERT(*n < max);
    items[(*n)++] = item;
}

/* Oneofs have no names in protobuf-c descriptors; members of one oneof share
 * a quantifier offset. A oneof is named by its ordinal: the rank of its
 * lowest-numbered member among the lowest-numbered members of all oneofs. */
static int oneof_ordinal(const ProtobufCFieldDescriptor *const *fields, size_t n, size_t k)
{
    if (!(fields[k]->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
        return -1;
    int ordinal = -1;
    for (size_t i = 0; i < n; i++) {
        if (!(fields[i]->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        int first = 1; /* is fields[i] the lowest-numbered member of its oneof? */
        for (size_t j = 0; j < i; j++)
            if ((fields[j]->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
                fields[j]->quantifier_offset == fields[i]->quantifier_offset)
                first = 0;
        if (first)
            ordinal++;
        if (fields[i]->quantifier_offset == fields[k]->quantifier_offset)
            return ordinal;
    }
    QFS_ASSERT(0);
    return -1;
}

static void describe_message(schema_text *t, const ProtobufCMessageDescriptor *d)
{
    const ProtobufCFieldDescriptor *fields[SCHEMA_FIELDS_MAX];
    QFS_ASSERT(d->n_fields <= SCHEMA_FIELDS_MAX);
    size_t n = d->n_fields;
    for (size_t i = 0; i < n; i++)
        fields[i] = &d->fields[i];
    /* Sorted by number here rather than trusting the generator's order. */
    for (size_t i = 1; i < n; i++) {
        const ProtobufCFieldDescriptor *x = fields[i];
        size_t j = i;
        while (j > 0 && fields[j - 1]->id > x->id) {
            fields[j] = fields[j - 1];
            j--;
        }
        fields[j] = x;
    }
    put(t, "message %s\n", d->name);
    for (size_t i = 0; i < n; i++) {
        const ProtobufCFieldDescriptor *f = fields[i];
        const char *ref = "-";
        if (f->type == PROTOBUF_C_TYPE_MESSAGE)
            ref = ((const ProtobufCMessageDescriptor *)f->descriptor)->name;
        else if (f->type == PROTOBUF_C_TYPE_ENUM)
            ref = ((const ProtobufCEnumDescriptor *)f->descriptor)->name;
        put(t, "field %u %s %s type=%d ref=%s oneof=%d packed=%d\n", (unsigned)f->id, f->name,
            label_name(f->label), proto_type_number(f->type), ref, oneof_ordinal(fields, n, i),
            (f->flags & PROTOBUF_C_FIELD_FLAG_PACKED) ? 1 : 0);
    }
}

static void describe_enum(schema_text *t, const ProtobufCEnumDescriptor *d)
{
    put(t, "enum %s\n", d->name);
    /* protobuf-c lists distinct values sorted by number. */
    for (unsigned i = 0; i < d->n_values; i++)
        put(t, "value %d %s\n", d->values[i].value, d->values[i].name);
}

void qfs_codec_schema_hash(qfs_hash128 *out)
{
    const void *messages[SCHEMA_MESSAGES_MAX];
    const void *enums[SCHEMA_ENUMS_MAX];
    size_t n_messages = 0, n_enums = 0;
    add_unique(messages, &n_messages, SCHEMA_MESSAGES_MAX, &qfs__v1__event__descriptor);
    /* Breadth-first over message fields; the list grows while it is walked. */
    for (size_t i = 0; i < n_messages; i++) {
        const ProtobufCMessageDescriptor *d = messages[i];
        for (unsigned j = 0; j < d->n_fields; j++) {
            const ProtobufCFieldDescriptor *f = &d->fields[j];
            if (f->type == PROTOBUF_C_TYPE_MESSAGE)
                add_unique(messages, &n_messages, SCHEMA_MESSAGES_MAX, f->descriptor);
            else if (f->type == PROTOBUF_C_TYPE_ENUM)
                add_unique(enums, &n_enums, SCHEMA_ENUMS_MAX, f->descriptor);
        }
    }
    sort_by_name(messages, n_messages, message_name);
    sort_by_name(enums, n_enums, enum_name);

    schema_text t;
    t.len = 0;
    put(&t, "qfs-schema-text-v1\n");
    for (size_t i = 0; i < n_messages; i++)
        describe_message(&t, messages[i]);
    for (size_t i = 0; i < n_enums; i++)
        describe_enum(&t, enums[i]);
    qfs_hash128_of(out, t.buf, t.len);
}
