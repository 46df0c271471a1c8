/* qfs_event <-> one JSON object (JSON Lines), with jansson.
 *
 * One table per event kind lists the JSON fields, their types and where they
 * live in qfs_event; the parser and the formatter both walk it, so the two
 * directions cannot drift apart. docs/EVENTS.md is the user-facing manual of
 * the same rules. */
#include "qfs/json.h"

#include "codec/check.h"
#include "codec/json_budget.h"
#include "qfs/fixed.h"
#include "qfs/params.h"

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum ftype {
    F_ID,           /* qfs_id */
    F_AMOUNT,       /* qfs_amount base units: written as a string of digits */
    F_COUNTER,      /* uint64_t time, epoch or id: written as a string of digits */
    F_FRACTION,     /* uint64_t fp18 from 0 to 1 */
    F_FP18,         /* uint64_t fp18, any value */
    F_ASSET,        /* qfs_asset */
    F_ACCOUNT_KIND, /* qfs_account_kind */
    F_CHOICE,       /* qfs_vote_choice */
    F_PARAM_NAME,   /* qfs_param_value: its name */
    F_PARAM_VALUE,  /* qfs_param_value: its value, in the unit of its name */
    F_PARAMS,       /* qfs_ev_genesis: params */
    F_ACCOUNTS,     /* qfs_ev_genesis: accounts */
    F_AUTH_MODE,    /* qfs_auth_mode; "none" when left out */
    F_HOLDER,       /* qfs_key_holder: {"id", "public_key"}; left out when absent */
    F_KEY,          /* qfs_public_key as 64 hex digits */
    F_OPT_KEY       /* qfs_opt_key: a key, left out when absent */
} ftype;

typedef struct field_spec {
    const char *name;
    ftype type;
    int optional;  /* may be left out on input; still always written */
    size_t offset; /* into qfs_event */
} field_spec;

typedef struct kind_spec {
    const field_spec *fields;
    size_t count;
} kind_spec;

#define EV(member) offsetof(qfs_event, u.member)
#define SPEC(table)                                                                                          \
    {                                                                                                        \
        table, sizeof table / sizeof table[0]                                                                \
    }

static const field_spec GENESIS[] = {
    {"chain_id", F_ID, 0, EV(genesis.chain_id)},
    {"params", F_PARAMS, 1, EV(genesis)},
    {"accounts", F_ACCOUNTS, 1, EV(genesis)},
    {"authentication", F_AUTH_MODE, 1, EV(genesis.auth)},
    {"authority", F_HOLDER, 1, EV(genesis.holders[QFS_ROLE_AUTHORITY])},
    {"coherence_oracle", F_HOLDER, 1, EV(genesis.holders[QFS_ROLE_COHERENCE_ORACLE])},
    {"telemetry_oracle", F_HOLDER, 1, EV(genesis.holders[QFS_ROLE_TELEMETRY_ORACLE])},
    {"memory_oracle", F_HOLDER, 1, EV(genesis.holders[QFS_ROLE_MEMORY_ORACLE])},
};
/* The schema's `kind` would collide with the event's own "kind" key, so the
 * account kind of a registration is "account_kind" in JSON. */
static const field_spec REGISTER_ACCOUNT[] = {
    {"id", F_ID, 0, EV(register_account.id)},
    {"account_kind", F_ACCOUNT_KIND, 0, EV(register_account.kind)},
    {"public_key", F_OPT_KEY, 1, EV(register_account.key)},
};
static const field_spec TRANSFER[] = {
    {"from", F_ID, 0, EV(transfer.from)},           {"to", F_ID, 0, EV(transfer.to)},
    {"asset", F_ASSET, 0, EV(transfer.asset)},      {"amount", F_AMOUNT, 0, EV(transfer.amount)},
    {"fee_atr", F_AMOUNT, 1, EV(transfer.fee_atr)},
};
static const field_spec STAKE[] = {
    {"validator", F_ID, 0, EV(stake.validator)},
    {"amount", F_AMOUNT, 0, EV(stake.amount)},
};
static const field_spec UNSTAKE[] = {
    {"validator", F_ID, 0, EV(unstake.validator)},
    {"amount", F_AMOUNT, 0, EV(unstake.amount)},
};
static const field_spec COHERENCE_REPORT[] = {
    {"validator", F_ID, 0, EV(coherence_report.validator)},
    {"psi", F_FRACTION, 0, EV(coherence_report.psi_fp18)},
};
static const field_spec BOOST[] = {
    {"validator", F_ID, 0, EV(boost.validator)},
    {"amount", F_AMOUNT, 0, EV(boost.amount)},
};
static const field_spec MEMORY_CONTRIBUTION[] = {
    {"contributor", F_ID, 0, EV(memory_contribution.contributor)},
    {"memory_node_id", F_ID, 0, EV(memory_contribution.memory_node_id)},
    {"rphiv", F_FP18, 0, EV(memory_contribution.rphiv_fp18)},
    {"lambda_node", F_FRACTION, 0, EV(memory_contribution.lambda_node_fp18)},
};
static const field_spec USER_ACTION[] = {
    {"account", F_ID, 0, EV(user_action.account)},
    {"action", F_ID, 0, EV(user_action.action)},
    {"fee_atr", F_AMOUNT, 1, EV(user_action.fee_atr)},
};
static const field_spec NODE_TELEMETRY[] = {
    {"node", F_ID, 0, EV(node_telemetry.node)},
    {"uptime", F_FRACTION, 0, EV(node_telemetry.uptime_fp18)},
    {"replication", F_FRACTION, 0, EV(node_telemetry.replication_fp18)},
    {"correctness", F_FRACTION, 0, EV(node_telemetry.correctness_fp18)},
};
/* "param" comes before "value": the value is read in the unit of the param. */
static const field_spec SOCIAL_PROPOSAL[] = {
    {"proposer", F_ID, 0, EV(social_proposal.proposer)},
    {"proposal_id", F_COUNTER, 0, EV(social_proposal.proposal_id)},
    {"param", F_PARAM_NAME, 0, EV(social_proposal.change)},
    {"value", F_PARAM_VALUE, 0, EV(social_proposal.change)},
};
static const field_spec SOCIAL_VOTE[] = {
    {"voter", F_ID, 0, EV(social_vote.voter)},
    {"proposal_id", F_COUNTER, 0, EV(social_vote.proposal_id)},
    {"choice", F_CHOICE, 0, EV(social_vote.choice)},
};
static const field_spec INFRA_PROPOSAL[] = {
    {"proposer", F_ID, 0, EV(infra_proposal.proposer)},
    {"proposal_id", F_COUNTER, 0, EV(infra_proposal.proposal_id)},
    {"param", F_PARAM_NAME, 0, EV(infra_proposal.change)},
    {"value", F_PARAM_VALUE, 0, EV(infra_proposal.change)},
};
/* The schema calls the voter of an infrastructure vote `node`. */
static const field_spec INFRA_VOTE[] = {
    {"node", F_ID, 0, EV(infra_vote.voter)},
    {"proposal_id", F_COUNTER, 0, EV(infra_vote.proposal_id)},
    {"choice", F_CHOICE, 0, EV(infra_vote.choice)},
};
static const field_spec EPOCH_CLOSE[] = {
    {"epoch", F_COUNTER, 0, EV(epoch_close.epoch)},
};
/* The holder is an account id or a key holder id (the authority, an oracle). */
static const field_spec ROTATE_KEY[] = {
    {"holder", F_ID, 0, EV(rotate_key.holder)},
    {"public_key", F_KEY, 0, EV(rotate_key.key)},
};

static const kind_spec KINDS[QFS_EVENT_KIND_COUNT] = {
    [QFS_EVENT_GENESIS] = SPEC(GENESIS),
    [QFS_EVENT_REGISTER_ACCOUNT] = SPEC(REGISTER_ACCOUNT),
    [QFS_EVENT_TRANSFER] = SPEC(TRANSFER),
    [QFS_EVENT_STAKE] = SPEC(STAKE),
    [QFS_EVENT_UNSTAKE] = SPEC(UNSTAKE),
    [QFS_EVENT_COHERENCE_REPORT] = SPEC(COHERENCE_REPORT),
    [QFS_EVENT_BOOST] = SPEC(BOOST),
    [QFS_EVENT_MEMORY_CONTRIBUTION] = SPEC(MEMORY_CONTRIBUTION),
    [QFS_EVENT_USER_ACTION] = SPEC(USER_ACTION),
    [QFS_EVENT_NODE_TELEMETRY] = SPEC(NODE_TELEMETRY),
    [QFS_EVENT_SOCIAL_PROPOSAL] = SPEC(SOCIAL_PROPOSAL),
    [QFS_EVENT_SOCIAL_VOTE] = SPEC(SOCIAL_VOTE),
    [QFS_EVENT_INFRA_PROPOSAL] = SPEC(INFRA_PROPOSAL),
    [QFS_EVENT_INFRA_VOTE] = SPEC(INFRA_VOTE),
    [QFS_EVENT_EPOCH_CLOSE] = SPEC(EPOCH_CLOSE),
    [QFS_EVENT_ROTATE_KEY] = SPEC(ROTATE_KEY),
};

#define WHERE_BYTES_MAX 96
/* User text quoted in a message is cut to this many bytes. */
#define QUOTE_BYTES_MAX 48

/* ---------------------------------------------------------------------------
 * Parse
 * ------------------------------------------------------------------------- */

/* Writes "a.b" for a message; a path cut short only shortens the message. */
static const char *join(char dst[WHERE_BYTES_MAX], const char *a, const char *b)
{
    size_t n = 0;
    for (const char *s = a; *s && n + 1 < WHERE_BYTES_MAX; s++)
        dst[n++] = *s;
    if (n + 1 < WHERE_BYTES_MAX)
        dst[n++] = '.';
    for (const char *s = b; *s && n + 1 < WHERE_BYTES_MAX; s++)
        dst[n++] = *s;
    dst[n] = '\0';
    return dst;
}

static qfs_err perr(qfs_diag *diag, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Every parse error: the message, and a line mark without a known column
 * (jansson does not keep the positions of values it has parsed). */
static qfs_err perr(qfs_diag *diag, const char *fmt, ...)
{
    if (diag) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(diag->message, sizeof diag->message, fmt, ap);
        va_end(ap);
        qfs_diag_set_line(diag, 0, 0);
    }
    return QFS_E_PARSE;
}

/* Copies user text for a message: control bytes become '?', long text is cut. */
static const char *quote(char buf[QUOTE_BYTES_MAX + 4], const char *s, size_t len)
{
    size_t n = len < QUOTE_BYTES_MAX ? len : QUOTE_BYTES_MAX;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (n < len) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a fraction";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    default: return "an unknown value";
    }
}

static qfs_err parse_id(qfs_id *out, const json_t *v, const char *where, qfs_diag *diag)
{
    if (!json_is_string(v))
        return perr(diag, "%s: expected a string id, got %s", where, json_type_name(v));
    qfs_err err = codec_check_id(out, json_string_value(v), json_string_length(v), where, QFS_E_PARSE, diag);
    if (err != QFS_OK)
        qfs_diag_set_line(diag, 0, 0);
    return err;
}

/* Amounts and counters: a JSON integer >= 0, or a string of digits, which is
 * how values above INT64_MAX (which jansson cannot hold) are written. */
static qfs_err parse_u64(uint64_t *out, const json_t *v, const char *where, qfs_diag *diag)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0)
            return perr(diag, "%s: must not be negative", where);
        *out = (uint64_t)i;
        return QFS_OK;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        qfs_err err = qfs_u64_parse(out, s, len);
        if (err == QFS_OK)
            return QFS_OK;
        char q[QUOTE_BYTES_MAX + 4];
        if (err == QFS_E_RANGE)
            return perr(diag, "%s: \"%s\" is above the largest value 18446744073709551615", where,
                        quote(q, s, len));
        if (len > 0 && s[0] == '-')
            return perr(diag, "%s: must not be negative", where);
        return perr(diag, "%s: \"%s\" is not a whole number (digits only, like \"100\")", where,
                    quote(q, s, len));
    }
    if (json_is_real(v))
        return perr(diag, "%s: must be a whole number, not a fraction or an exponent", where);
    return perr(diag, "%s: expected an integer or a string of digits, got %s", where, json_type_name(v));
}

/* Amounts: a JSON integer >= 0 (jansson holds up to INT64_MAX), or a string
 * of digits up to 2^128 - 1. */
static qfs_err parse_amount(qfs_amount *out, const json_t *v, const char *where, qfs_diag *diag)
{
    if (!json_is_string(v)) {
        uint64_t x = 0;
        qfs_err err = parse_u64(&x, v, where, diag);
        if (err == QFS_OK)
            *out = x;
        return err;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    qfs_err err = qfs_amount_parse(out, s, len);
    if (err == QFS_OK)
        return QFS_OK;
    char q[QUOTE_BYTES_MAX + 4];
    if (err == QFS_E_RANGE)
        return perr(diag, "%s: \"%s\" is above the largest amount 340282366920938463463374607431768211455",
                    where, quote(q, s, len));
    if (len > 0 && s[0] == '-')
        return perr(diag, "%s: must not be negative", where);
    return perr(diag, "%s: \"%s\" is not a whole number of base units (digits only, like \"100\")", where,
                quote(q, s, len));
}

/* Fixed point is written only as decimal text, so that no value ever passes
 * through a binary fraction on its way in. */
static qfs_err parse_fp18(uint64_t *out, const json_t *v, const char *where, qfs_diag *diag)
{
    if (json_is_number(v))
        return perr(diag, "%s: fixed-point values must be decimal strings like \"0.7\"", where);
    if (!json_is_string(v))
        return perr(diag, "%s: expected a decimal string like \"0.7\", got %s", where, json_type_name(v));
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    qfs_err err = qfs_fp18_parse(out, s, len);
    if (err == QFS_OK)
        return QFS_OK;
    char q[QUOTE_BYTES_MAX + 4];
    if (err == QFS_E_RANGE) {
        const char *dot = memchr(s, '.', len);
        if (dot && (size_t)(s + len - dot - 1) > QFS_FP18_DECIMALS)
            return perr(diag, "%s: too many decimals (at most 18)", where);
        return perr(diag, "%s: \"%s\" is above the largest fixed-point value 18.446744073709551615", where,
                    quote(q, s, len));
    }
    return perr(diag, "%s: malformed decimal \"%s\" (digits with an optional fraction, like \"0.7\")", where,
                quote(q, s, len));
}

static qfs_err parse_fraction(uint64_t *out, const json_t *v, const char *where, qfs_diag *diag)
{
    uint64_t x = 0;
    qfs_err err = parse_fp18(&x, v, where, diag);
    if (err != QFS_OK)
        return err;
    if (codec_check_unit_fp18(x, where, QFS_E_PARSE, diag) != QFS_OK) {
        qfs_diag_set_line(diag, 0, 0);
        return QFS_E_PARSE;
    }
    *out = x;
    return QFS_OK;
}

/* Bytes as hex digits (either case on input, lowercase on output). */
static qfs_err parse_hex(uint8_t *out, size_t n, const json_t *v, const char *where, const char *what,
                         qfs_diag *diag)
{
    if (!json_is_string(v))
        return perr(diag, "%s: expected %s as a string of %zu hex digits, got %s", where, what, 2 * n,
                    json_type_name(v));
    const char *t = json_string_value(v);
    if (json_string_length(v) != 2 * n)
        return perr(diag, "%s: %s must be %zu hex digits, got %zu characters", where, what, 2 * n,
                    json_string_length(v));
    if (qfs_hex_decode(out, t, n) != QFS_OK)
        return perr(diag, "%s: %s has a character that is not a hex digit", where, what);
    return QFS_OK;
}

static qfs_err parse_key(qfs_public_key *out, const json_t *v, const char *where, qfs_diag *diag)
{
    return parse_hex(out->bytes, QFS_PUBLIC_KEY_BYTES, v, where, "a public key", diag);
}

static qfs_err parse_opt_key(qfs_opt_key *out, const json_t *v, const char *where, qfs_diag *diag)
{
    qfs_err err = parse_key(&out->key, v, where, diag);
    out->present = err == QFS_OK;
    return err;
}

static qfs_err parse_auth_mode(qfs_auth_mode *out, const json_t *v, const char *where, qfs_diag *diag)
{
    if (!json_is_string(v))
        return perr(diag, "%s: expected a string (none, ed25519), got %s", where, json_type_name(v));
    if (qfs_auth_mode_parse(out, json_string_value(v), json_string_length(v)) == QFS_OK)
        return QFS_OK;
    char q[QUOTE_BYTES_MAX + 4];
    return perr(diag, "%s: unknown authentication \"%s\" (one of none, ed25519)", where,
                quote(q, json_string_value(v), json_string_length(v)));
}

/* A key holder: {"id": ID, "public_key": HEX}, both required. */
static qfs_err parse_holder(qfs_key_holder *out, const json_t *v, const char *where, qfs_diag *diag)
{
    if (!json_is_object(v))
        return perr(diag, "%s: expected an object {\"id\", \"public_key\"}, got %s", where,
                    json_type_name(v));
    const char *key;
    size_t key_len;
    json_t *val;
    json_object_keylen_foreach((json_t *)v, key, key_len, val)
    {
        (void)val;
        if (strcmp(key, "id") != 0 && strcmp(key, "public_key") != 0) {
            char q[QUOTE_BYTES_MAX + 4];
            return perr(diag, "%s: unknown field \"%s\"", where, quote(q, key, key_len));
        }
    }
    const json_t *id = json_object_get(v, "id");
    const json_t *pk = json_object_get(v, "public_key");
    if (!id || !pk)
        return perr(diag, "%s: missing field \"%s\"", where, id ? "public_key" : "id");
    char at[WHERE_BYTES_MAX];
    qfs_err err = parse_id(&out->id, id, join(at, where, "id"), diag);
    if (err == QFS_OK)
        err = parse_key(&out->key, pk, join(at, where, "public_key"), diag);
    out->present = err == QFS_OK;
    return err;
}

typedef enum enum_kind { E_ASSET, E_ACCOUNT_KIND, E_CHOICE } enum_kind;

/* The three schema enums are read by name with the parsers of event.h. */
static qfs_err parse_enum_name(int *out, const json_t *v, enum_kind which, const char *where, qfs_diag *diag)
{
    static const char *const what[] = {"asset", "account kind", "vote choice"};
    static const char *const choices[] = {"T1, T2, T3, T4, T5, NOD, ATR", "user, validator, infra_node",
                                          "yes, no, abstain"};
    if (!json_is_string(v))
        return perr(diag, "%s: expected a string (%s), got %s", where, choices[which], json_type_name(v));
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    qfs_err err = QFS_E_PARSE;
    switch (which) {
    case E_ASSET: {
        qfs_asset a = QFS_ASSET_NONE;
        err = qfs_asset_parse(&a, s, len);
        *out = (int)a;
        break;
    }
    case E_ACCOUNT_KIND: {
        qfs_account_kind k = QFS_ACCOUNT_NONE;
        err = qfs_account_kind_parse(&k, s, len);
        *out = (int)k;
        break;
    }
    case E_CHOICE: {
        qfs_vote_choice c = QFS_VOTE_NONE;
        err = qfs_vote_choice_parse(&c, s, len);
        *out = (int)c;
        break;
    }
    }
    if (err == QFS_OK)
        return QFS_OK;
    char q[QUOTE_BYTES_MAX + 4];
    return perr(diag, "%s: unknown %s \"%s\" (one of %s)", where, what[which], quote(q, s, len),
                choices[which]);
}

#define ASSET_CHOICES "T1, T2, T3, T4, T5, NOD, ATR"

static qfs_err parse_asset(qfs_asset *out, const json_t *v, const char *where, qfs_diag *diag)
{
    int x = 0;
    qfs_err err = parse_enum_name(&x, v, E_ASSET, where, diag);
    if (err == QFS_OK)
        *out = (qfs_asset)x;
    return err;
}

static qfs_err parse_account_kind(qfs_account_kind *out, const json_t *v, const char *where, qfs_diag *diag)
{
    int x = 0;
    qfs_err err = parse_enum_name(&x, v, E_ACCOUNT_KIND, where, diag);
    if (err == QFS_OK)
        *out = (qfs_account_kind)x;
    return err;
}

static qfs_err parse_choice(qfs_vote_choice *out, const json_t *v, const char *where, qfs_diag *diag)
{
    int x = 0;
    qfs_err err = parse_enum_name(&x, v, E_CHOICE, where, diag);
    if (err == QFS_OK)
        *out = (qfs_vote_choice)x;
    return err;
}

static qfs_err parse_param_name(qfs_param_value *out, const json_t *v, const char *where, qfs_diag *diag)
{
    qfs_err err = parse_id(&out->name, v, where, diag);
    if (err != QFS_OK)
        return err;
    const qfs_param_def *def = NULL;
    if (codec_check_param_name(&def, &out->name, where, QFS_E_PARSE, diag) != QFS_OK)
        return perr(diag, "%s: unknown parameter \"%.*s\"", where, (int)out->name.len, out->name.bytes);
    return QFS_OK;
}

/* A parameter value in the parameter's unit: ratios as decimal strings, the
 * rest as whole numbers; then the parameter's allowed range. */
static qfs_err parse_param_value(qfs_amount *out, const qfs_param_def *def, const json_t *v,
                                 const char *where, qfs_diag *diag)
{
    qfs_amount x = 0;
    qfs_err err;
    if (def->unit == QFS_UNIT_AMOUNT) {
        err = parse_amount(&x, v, where, diag);
    } else {
        uint64_t x64 = 0;
        err = def->unit == QFS_UNIT_FP18 ? parse_fp18(&x64, v, where, diag) : parse_u64(&x64, v, where, diag);
        x = x64;
    }
    if (err != QFS_OK)
        return err;
    if (codec_check_param_range(def, x, where, QFS_E_PARSE, diag) != QFS_OK) {
        qfs_diag_set_line(diag, 0, 0);
        return QFS_E_PARSE;
    }
    *out = x;
    return QFS_OK;
}

static int param_cmp(const void *a, const void *b)
{
    return qfs_id_cmp(&((const qfs_param_value *)a)->name, &((const qfs_param_value *)b)->name);
}

static qfs_err parse_params(qfs_ev_genesis *g, const json_t *v, qfs_arena *arena, qfs_diag *diag)
{
    if (!json_is_object(v))
        return perr(diag, "genesis.params: expected an object of name to value, got %s", json_type_name(v));
    size_t n = json_object_size(v);
    if (n > QFS_GENESIS_PARAMS_MAX)
        return perr(diag, "genesis.params: %zu parameters (at most %d)", n, QFS_GENESIS_PARAMS_MAX);
    g->param_count = 0;
    g->params = NULL;
    if (n == 0)
        return QFS_OK;
    g->params = qfs_arena_calloc(arena, n, sizeof *g->params);
    if (!g->params)
        return QFS_E_NOMEM;
    const char *key;
    size_t key_len;
    json_t *val;
    size_t i = 0;
    json_object_keylen_foreach((json_t *)v, key, key_len, val)
    {
        qfs_param_value *p = &g->params[i];
        char q[QUOTE_BYTES_MAX + 4];
        if (qfs_id_set(&p->name, key, key_len) != QFS_OK || !qfs_param_find(key, key_len))
            return perr(diag, "genesis.params: unknown parameter \"%s\"", quote(q, key, key_len));
        const qfs_param_def *def = qfs_param_find(key, key_len);
        char where[WHERE_BYTES_MAX];
        join(where, "genesis.params", def->name);
        qfs_err err = parse_param_value(&p->value, def, val, where, diag);
        if (err != QFS_OK)
            return err;
        i++;
    }
    g->param_count = i;
    /* A JSON object has no order; the event keeps its parameters sorted by
     * name so that text and bytes round-trip to the same event. */
    qsort(g->params, g->param_count, sizeof *g->params, param_cmp);
    return QFS_OK;
}

static qfs_err parse_balances(qfs_genesis_account *a, const json_t *v, const char *where, qfs_diag *diag)
{
    if (!json_is_object(v))
        return perr(diag, "%s: expected an object of asset to amount, got %s", where, json_type_name(v));
    const char *key;
    size_t key_len;
    json_t *val;
    json_object_keylen_foreach((json_t *)v, key, key_len, val)
    {
        qfs_asset asset = QFS_ASSET_NONE;
        char q[QUOTE_BYTES_MAX + 4];
        if (qfs_asset_parse(&asset, key, key_len) != QFS_OK)
            return perr(diag, "%s: unknown asset \"%s\" (one of " ASSET_CHOICES ")", where,
                        quote(q, key, key_len));
        char at[WHERE_BYTES_MAX];
        join(at, where, qfs_asset_name(asset));
        qfs_err err = parse_amount(&a->balances[asset], val, at, diag);
        if (err != QFS_OK)
            return err;
    }
    return QFS_OK;
}

static qfs_err parse_account(qfs_genesis_account *a, const json_t *v, size_t index, qfs_diag *diag)
{
    char where[WHERE_BYTES_MAX];
    snprintf(where, sizeof where, "genesis.accounts[%zu]", index);
    if (!json_is_object(v))
        return perr(diag, "%s: expected an object, got %s", where, json_type_name(v));
    const char *key;
    size_t key_len;
    json_t *val;
    json_object_keylen_foreach((json_t *)v, key, key_len, val)
    {
        (void)val;
        if (strcmp(key, "id") != 0 && strcmp(key, "kind") != 0 && strcmp(key, "balances") != 0 &&
            strcmp(key, "public_key") != 0) {
            char q[QUOTE_BYTES_MAX + 4];
            return perr(diag, "%s: unknown field \"%s\"", where, quote(q, key, key_len));
        }
    }
    const json_t *id = json_object_get(v, "id");
    const json_t *kind = json_object_get(v, "kind");
    const json_t *balances = json_object_get(v, "balances");
    if (!id)
        return perr(diag, "%s: missing field \"id\"", where);
    if (!kind)
        return perr(diag, "%s: missing field \"kind\"", where);
    char at[WHERE_BYTES_MAX];
    join(at, where, "id");
    qfs_err err = parse_id(&a->id, id, at, diag);
    if (err != QFS_OK)
        return err;
    join(at, where, "kind");
    err = parse_account_kind(&a->kind, kind, at, diag);
    if (err != QFS_OK)
        return err;
    const json_t *pk = json_object_get(v, "public_key");
    if (pk && (err = parse_opt_key(&a->key, pk, join(at, where, "public_key"), diag)) != QFS_OK)
        return err;
    if (balances) {
        join(at, where, "balances");
        return parse_balances(a, balances, at, diag);
    }
    return QFS_OK;
}

static qfs_err parse_accounts(qfs_ev_genesis *g, const json_t *v, qfs_arena *arena, qfs_diag *diag)
{
    if (!json_is_array(v))
        return perr(diag, "genesis.accounts: expected an array, got %s", json_type_name(v));
    size_t n = json_array_size(v);
    if (n > QFS_GENESIS_ACCOUNTS_MAX)
        return perr(diag, "genesis.accounts: %zu accounts (at most %d)", n, QFS_GENESIS_ACCOUNTS_MAX);
    g->account_count = 0;
    g->accounts = NULL;
    if (n == 0)
        return QFS_OK;
    g->accounts = qfs_arena_calloc(arena, n, sizeof *g->accounts);
    if (!g->accounts)
        return QFS_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        qfs_err err = parse_account(&g->accounts[i], json_array_get(v, i), i, diag);
        if (err != QFS_OK)
            return err;
    }
    g->account_count = n;
    return QFS_OK;
}

static qfs_err parse_field(qfs_event *ev, const field_spec *f, const json_t *v, const char *where,
                           qfs_arena *arena, qfs_diag *diag)
{
    void *p = (char *)ev + f->offset;
    switch (f->type) {
    case F_ID: return parse_id(p, v, where, diag);
    case F_AMOUNT: return parse_amount(p, v, where, diag);
    case F_COUNTER: return parse_u64(p, v, where, diag);
    case F_FRACTION: return parse_fraction(p, v, where, diag);
    case F_FP18: return parse_fp18(p, v, where, diag);
    case F_ASSET: return parse_asset(p, v, where, diag);
    case F_ACCOUNT_KIND: return parse_account_kind(p, v, where, diag);
    case F_CHOICE: return parse_choice(p, v, where, diag);
    case F_PARAM_NAME: return parse_param_name(p, v, where, diag);
    case F_PARAM_VALUE: {
        qfs_param_value *pv = p;
        const qfs_param_def *def = qfs_param_find(pv->name.bytes, pv->name.len);
        QFS_ASSERT(def != NULL); /* F_PARAM_NAME comes first in every table */
        return parse_param_value(&pv->value, def, v, where, diag);
    }
    case F_PARAMS:
    case F_ACCOUNTS:
        if (!arena)
            return QFS_E_INVALID_ARG;
        return f->type == F_PARAMS ? parse_params(p, v, arena, diag) : parse_accounts(p, v, arena, diag);
    case F_AUTH_MODE: return parse_auth_mode(p, v, where, diag);
    case F_HOLDER: return parse_holder(p, v, where, diag);
    case F_KEY: return parse_key(p, v, where, diag);
    case F_OPT_KEY: return parse_opt_key(p, v, where, diag);
    default: QFS_ASSERT(0); return QFS_E_INVALID_ARG;
    }
}

static qfs_err parse_object(qfs_event *ev, const json_t *root, qfs_arena *arena, qfs_diag *diag)
{
    if (!json_is_object(root))
        return perr(diag, "event must be a JSON object, got %s", json_type_name(root));
    const json_t *kind = json_object_get(root, "kind");
    if (!kind)
        return perr(diag, "missing field \"kind\"");
    if (!json_is_string(kind))
        return perr(diag, "kind: expected a string, got %s", json_type_name(kind));
    char q[QUOTE_BYTES_MAX + 4];
    if (qfs_event_kind_parse(&ev->kind, json_string_value(kind), json_string_length(kind)) != QFS_OK)
        return perr(diag, "unknown kind \"%s\"", quote(q, json_string_value(kind), json_string_length(kind)));
    const char *kname = qfs_event_kind_name(ev->kind);
    const kind_spec *ks = &KINDS[ev->kind];

    /* Unknown fields first, in the order written, so the first typo is the
     * one reported. */
    const char *key;
    size_t key_len;
    json_t *val;
    json_object_keylen_foreach((json_t *)root, key, key_len, val)
    {
        (void)val;
        if (strcmp(key, "kind") == 0 || strcmp(key, "timestamp_ms") == 0 || strcmp(key, "signer") == 0 ||
            strcmp(key, "sequence") == 0 || strcmp(key, "signature") == 0)
            continue;
        int known = 0;
        for (size_t i = 0; i < ks->count && !known; i++)
            known = strcmp(key, ks->fields[i].name) == 0;
        if (!known)
            return perr(diag, "%s: unknown field \"%s\"", kname, quote(q, key, key_len));
    }

    const json_t *ts = json_object_get(root, "timestamp_ms");
    if (!ts)
        return perr(diag, "%s: missing field \"timestamp_ms\"", kname);
    char where[WHERE_BYTES_MAX];
    join(where, kname, "timestamp_ms");
    qfs_err err = parse_u64(&ev->timestamp_ms, ts, where, diag);
    if (err != QFS_OK)
        return err;
    /* The authentication fields, all optional (docs/EVENTS.md). */
    const json_t *signer = json_object_get(root, "signer");
    const json_t *sequence = json_object_get(root, "sequence");
    const json_t *signature = json_object_get(root, "signature");
    if (signer && (err = parse_id(&ev->signer, signer, join(where, kname, "signer"), diag)) != QFS_OK)
        return err;
    if (sequence &&
        (err = parse_u64(&ev->sequence, sequence, join(where, kname, "sequence"), diag)) != QFS_OK)
        return err;
    if (signature) {
        err = parse_hex(ev->signature, QFS_SIGNATURE_BYTES, signature, join(where, kname, "signature"),
                        "a signature", diag);
        if (err != QFS_OK)
            return err;
        ev->has_signature = 1;
    }
    if (ev->kind == QFS_EVENT_GENESIS)
        ev->u.genesis.auth = QFS_AUTH_NONE; /* unless the line names another */

    for (size_t i = 0; i < ks->count; i++) {
        const field_spec *f = &ks->fields[i];
        const json_t *v = json_object_get(root, f->name);
        if (!v) {
            if (f->optional)
                continue; /* zero, or an empty list: ev was zeroed */
            return perr(diag, "%s: missing field \"%s\"", kname, f->name);
        }
        join(where, kname, f->name);
        err = parse_field(ev, f, v, where, arena, diag);
        if (err != QFS_OK)
            return err;
    }
    if (ev->kind == QFS_EVENT_GENESIS) {
        err = codec_check_genesis(&ev->u.genesis, arena, QFS_E_PARSE, diag);
        if (err != QFS_OK) {
            qfs_diag_set_line(diag, 0, 0);
            return err;
        }
    }
    return QFS_OK;
}

qfs_err qfs_json_parse_event(qfs_event *out, const char *text, size_t len, qfs_arena *arena, qfs_diag *diag)
{
    if (!out || (!text && len))
        return QFS_E_INVALID_ARG;
    if (len > QFS_JSON_LINE_BYTES_MAX) {
        qfs_diag_set(diag, "line is %zu bytes (at most %zu)", len, QFS_JSON_LINE_BYTES_MAX);
        return QFS_E_LIMIT;
    }
    if (!text)
        text = "";
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        qfs_diag_set(diag, "line contains a NUL byte");
        qfs_diag_set_line(diag, 0, (uint64_t)(nul - text) + 1);
        return QFS_E_PARSE;
    }
    qfs_err budget = json_line_budget_check(text, len, diag);
    if (budget != QFS_OK)
        return budget;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        /* jansson names every syntax error; where an allocation fails it
         * sometimes sets json_error_out_of_memory and sometimes nothing at
         * all (an empty message), and both mean that memory ran out. */
        if (json_error_code(&jerr) == json_error_out_of_memory || jerr.text[0] == '\0') {
            qfs_diag_set(diag, "out of memory parsing a line of %zu bytes", len);
            return QFS_E_NOMEM;
        }
        switch (json_error_code(&jerr)) {
        case json_error_numeric_overflow:
            qfs_diag_set(diag,
                         "number out of range for a JSON integer (%s); write amounts above "
                         "9223372036854775807 as a string of digits, like \"100000000000000000000\"",
                         jerr.text);
            break;
        case json_error_duplicate_key: qfs_diag_set(diag, "duplicate key (%s)", jerr.text); break;
        default: qfs_diag_set(diag, "malformed JSON: %s", jerr.text); break;
        }
        qfs_diag_set_line(diag, 0, jerr.column > 0 ? (uint64_t)jerr.column : 0);
        return QFS_E_PARSE;
    }
    qfs_event ev;
    memset(&ev, 0, sizeof ev); /* canonical padding: the event may be hashed or compared */
    qfs_err err = parse_object(&ev, root, arena, diag);
    json_decref(root);
    if (err == QFS_OK)
        *out = ev;
    return err;
}

/* ---------------------------------------------------------------------------
 * Format
 * ------------------------------------------------------------------------- */

/* Builders record the first allocation failure instead of checking each call. */
typedef struct builder {
    int failed;
} builder;

static void set(builder *b, json_t *obj, const char *key, json_t *v)
{
    if (!v || json_object_set_new(obj, key, v) != 0)
        b->failed = 1;
}

/* Amounts, and 64-bit times, epochs and ids, which can exceed 2^53 (past
 * which a reader that holds numbers as doubles loses digits): strings. */
static json_t *amount_string(qfs_amount v)
{
    char buf[QFS_AMOUNT_STR_MAX + 1];
    size_t n = qfs_amount_format(buf, v);
    return json_stringn(buf, n);
}

/* Small bounded values (count and millisecond parameters) read best as
 * numbers; their ranges keep them far below 2^53. */
static json_t *small_integer(uint64_t v)
{
    QFS_ASSERT(v <= (uint64_t)INT64_MAX);
    return json_integer((json_int_t)v);
}

static json_t *fp18_string(uint64_t v)
{
    char buf[QFS_DECIMAL_STR_MAX + 1];
    size_t n = qfs_fp18_format(buf, v);
    return json_stringn(buf, n);
}

static json_t *id_string(const qfs_id *id)
{
    return json_stringn(id->bytes, id->len);
}

/* A parameter value in its unit: amounts as strings like every amount,
 * counts and milliseconds as counters, ratios as decimals. */
static json_t *param_value(const qfs_param_value *p)
{
    const qfs_param_def *def = qfs_param_find(p->name.bytes, p->name.len);
    QFS_ASSERT(def != NULL);
    switch (def->unit) {
    case QFS_UNIT_FP18: return fp18_string((uint64_t)p->value);
    case QFS_UNIT_AMOUNT: return amount_string(p->value);
    case QFS_UNIT_COUNT:
    case QFS_UNIT_MS:
    default: return small_integer((uint64_t)p->value);
    }
}

static json_t *hex_string(const uint8_t *bytes, size_t n)
{
    char buf[2 * QFS_SIGNATURE_BYTES];
    QFS_ASSERT(2 * n <= sizeof buf);
    qfs_hex_encode(buf, bytes, n);
    return json_stringn(buf, 2 * n);
}

static json_t *key_string(const qfs_public_key *k)
{
    return hex_string(k->bytes, QFS_PUBLIC_KEY_BYTES);
}

static json_t *format_holder(builder *b, const qfs_key_holder *h)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    set(b, obj, "id", id_string(&h->id));
    set(b, obj, "public_key", key_string(&h->key));
    return obj;
}

static json_t *format_params(builder *b, const qfs_ev_genesis *g)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    for (size_t i = 0; i < g->param_count; i++) {
        const qfs_param_def *def = qfs_param_find(g->params[i].name.bytes, g->params[i].name.len);
        QFS_ASSERT(def != NULL);
        set(b, obj, def->name, param_value(&g->params[i]));
    }
    return obj;
}

static json_t *format_accounts(builder *b, const qfs_ev_genesis *g)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    for (size_t i = 0; i < g->account_count && !b->failed; i++) {
        const qfs_genesis_account *a = &g->accounts[i];
        json_t *acc = json_object();
        json_t *bal = json_object();
        if (!acc || !bal || json_array_append_new(arr, acc) != 0) {
            json_decref(bal);
            b->failed = 1;
            break;
        }
        set(b, acc, "id", id_string(&a->id));
        set(b, acc, "kind", json_string(qfs_account_kind_name(a->kind)));
        if (a->key.present)
            set(b, acc, "public_key", key_string(&a->key.key));
        for (int asset = QFS_ASSET_T1; asset < QFS_ASSET_COUNT; asset++)
            if (a->balances[asset] != 0)
                set(b, bal, qfs_asset_name((qfs_asset)asset), amount_string(a->balances[asset]));
        set(b, acc, "balances", bal);
    }
    return arr;
}

/* Optional fields that are absent are left out of the output. */
static int field_absent(const qfs_event *ev, const field_spec *f)
{
    const void *p = (const char *)ev + f->offset;
    return (f->type == F_HOLDER && !((const qfs_key_holder *)p)->present) ||
           (f->type == F_OPT_KEY && !((const qfs_opt_key *)p)->present);
}

static json_t *format_field(builder *b, const qfs_event *ev, const field_spec *f)
{
    const void *p = (const char *)ev + f->offset;
    switch (f->type) {
    case F_ID: return id_string(p);
    case F_AMOUNT: return amount_string(*(const qfs_amount *)p);
    case F_COUNTER: return amount_string(*(const uint64_t *)p);
    case F_FRACTION:
    case F_FP18: return fp18_string(*(const uint64_t *)p);
    case F_ASSET: return json_string(qfs_asset_name(*(const qfs_asset *)p));
    case F_ACCOUNT_KIND: return json_string(qfs_account_kind_name(*(const qfs_account_kind *)p));
    case F_CHOICE: return json_string(qfs_vote_choice_name(*(const qfs_vote_choice *)p));
    case F_PARAM_NAME: return id_string(&((const qfs_param_value *)p)->name);
    case F_PARAM_VALUE: return param_value(p);
    case F_PARAMS: return format_params(b, p);
    case F_ACCOUNTS: return format_accounts(b, p);
    case F_AUTH_MODE: return json_string(qfs_auth_mode_name(*(const qfs_auth_mode *)p));
    case F_HOLDER: return format_holder(b, p);
    case F_KEY: return key_string(p);
    case F_OPT_KEY: return key_string(&((const qfs_opt_key *)p)->key);
    default: QFS_ASSERT(0); return NULL;
    }
}

qfs_err qfs_json_format_event(char **out, size_t *len_out, const qfs_event *ev)
{
    if (!out || !len_out || !ev)
        return QFS_E_INVALID_ARG;
    /* Only valid events are written: the enum names and parameter units
     * looked up below exist for every field that passes this check. */
    qfs_err err = codec_check_event(ev, QFS_E_INVALID_ARG, NULL);
    if (err != QFS_OK)
        return err;
    json_t *root = json_object();
    if (!root)
        return QFS_E_NOMEM;
    builder b = {0};
    set(&b, root, "kind", json_string(qfs_event_kind_name(ev->kind)));
    set(&b, root, "timestamp_ms", amount_string(ev->timestamp_ms));
    /* Authentication fields only on a signed event (any of them present). */
    if (ev->signer.len > 0 || ev->sequence != 0 || ev->has_signature) {
        if (ev->signer.len > 0)
            set(&b, root, "signer", id_string(&ev->signer));
        set(&b, root, "sequence", amount_string(ev->sequence));
        if (ev->has_signature)
            set(&b, root, "signature", hex_string(ev->signature, QFS_SIGNATURE_BYTES));
    }
    const kind_spec *ks = &KINDS[ev->kind];
    for (size_t i = 0; i < ks->count && !b.failed; i++)
        if (!field_absent(ev, &ks->fields[i]))
            set(&b, root, ks->fields[i].name, format_field(&b, ev, &ks->fields[i]));
    char *text = b.failed ? NULL : json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(root);
    if (!text)
        return QFS_E_NOMEM;
    /* jansson may use its own allocator; hand back memory that free() owns. */
    size_t len = strlen(text);
    char *copy = malloc(len + 1);
    if (copy)
        memcpy(copy, text, len + 1);
    json_free_t jfree = NULL;
    json_get_alloc_funcs(NULL, &jfree);
    jfree(text);
    if (!copy)
        return QFS_E_NOMEM;
    *out = copy;
    *len_out = len;
    return QFS_OK;
}
