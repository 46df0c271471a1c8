/* Names of enums and id validation shared by the codec, JSON and state. */
#include "qfs/event.h"

#include <string.h>

/* The id charset [A-Za-z0-9._:-] as a table: ids are checked on every
 * decoded event, so one load per byte beats a chain of comparisons. */
/* clang-format off */
static const unsigned char ID_CHAR_OK[256] = {
    /* one row per 16 byte values, 0x00 to 0xff */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
/* clang-format on */

qfs_err qfs_id_set(qfs_id *out, const char *s, size_t len)
{
    if (len == 0 || len > QFS_ID_BYTES_MAX)
        return QFS_E_RANGE;
    for (size_t i = 0; i < len; i++)
        if (!ID_CHAR_OK[(unsigned char)s[i]])
            return QFS_E_PARSE;
    out->len = (uint8_t)len;
    memcpy(out->bytes, s, len);
    /* Canonical padding: the bytes past the id are zero, so that a struct
     * copy or comparison never sees stale bytes. */
    memset(out->bytes + len, 0, QFS_ID_BYTES_MAX - len);
    return QFS_OK;
}

int qfs_id_cmp(const qfs_id *a, const qfs_id *b)
{
    size_t common = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->bytes, b->bytes, common);
    if (c != 0)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

int qfs_id_eq(const qfs_id *a, const qfs_id *b)
{
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* Looks `s` up in a table of names indexed by enum value; index 0 is unused. */
static int name_lookup(const char *const *names, int count, const char *s, size_t len)
{
    for (int i = 1; i < count; i++)
        if (names[i] && strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
            return i;
    return -1;
}

static const char *const ASSET_NAMES[QFS_ASSET_COUNT] = {NULL, "T1", "T2", "T3", "T4", "T5", "NOD", "ATR"};

const char *qfs_asset_name(qfs_asset a)
{
    return (a > 0 && (int)a < QFS_ASSET_COUNT) ? ASSET_NAMES[a] : NULL;
}

qfs_err qfs_asset_parse(qfs_asset *out, const char *s, size_t len)
{
    int i = name_lookup(ASSET_NAMES, QFS_ASSET_COUNT, s, len);
    if (i < 0)
        return QFS_E_PARSE;
    *out = (qfs_asset)i;
    return QFS_OK;
}

static const char *const KIND_NAMES[] = {NULL, "user", "validator", "infra_node"};
#define KIND_COUNT ((int)(sizeof KIND_NAMES / sizeof KIND_NAMES[0]))

const char *qfs_account_kind_name(qfs_account_kind k)
{
    return (k > 0 && (int)k < KIND_COUNT) ? KIND_NAMES[k] : NULL;
}

qfs_err qfs_account_kind_parse(qfs_account_kind *out, const char *s, size_t len)
{
    int i = name_lookup(KIND_NAMES, KIND_COUNT, s, len);
    if (i < 0)
        return QFS_E_PARSE;
    *out = (qfs_account_kind)i;
    return QFS_OK;
}

static const char *const VOTE_NAMES[] = {NULL, "yes", "no", "abstain"};
#define VOTE_COUNT ((int)(sizeof VOTE_NAMES / sizeof VOTE_NAMES[0]))

const char *qfs_vote_choice_name(qfs_vote_choice c)
{
    return (c > 0 && (int)c < VOTE_COUNT) ? VOTE_NAMES[c] : NULL;
}

qfs_err qfs_vote_choice_parse(qfs_vote_choice *out, const char *s, size_t len)
{
    int i = name_lookup(VOTE_NAMES, VOTE_COUNT, s, len);
    if (i < 0)
        return QFS_E_PARSE;
    *out = (qfs_vote_choice)i;
    return QFS_OK;
}

static const char *const EVENT_NAMES[QFS_EVENT_KIND_COUNT] = {NULL,
                                                              "genesis",
                                                              "register_account",
                                                              "transfer",
                                                              "stake",
                                                              "unstake",
                                                              "coherence_report",
                                                              "boost",
                                                              "memory_contribution",
                                                              "user_action",
                                                              "node_telemetry",
                                                              "social_proposal",
                                                              "social_vote",
                                                              "infra_proposal",
                                                              "infra_vote",
                                                              "epoch_close",
                                                              "rotate_key"};

const char *qfs_event_kind_name(qfs_event_kind k)
{
    return (k > 0 && (int)k < QFS_EVENT_KIND_COUNT) ? EVENT_NAMES[k] : NULL;
}

qfs_err qfs_event_kind_parse(qfs_event_kind *out, const char *s, size_t len)
{
    int i = name_lookup(EVENT_NAMES, QFS_EVENT_KIND_COUNT, s, len);
    if (i < 0)
        return QFS_E_PARSE;
    *out = (qfs_event_kind)i;
    return QFS_OK;
}

static const char *const AUTH_NAMES[] = {NULL, "none", "ed25519"};
#define AUTH_COUNT ((int)(sizeof AUTH_NAMES / sizeof AUTH_NAMES[0]))

const char *qfs_auth_mode_name(qfs_auth_mode m)
{
    return (m > 0 && (int)m < AUTH_COUNT) ? AUTH_NAMES[m] : NULL;
}

qfs_err qfs_auth_mode_parse(qfs_auth_mode *out, const char *s, size_t len)
{
    int i = name_lookup(AUTH_NAMES, AUTH_COUNT, s, len);
    if (i < 0)
        return QFS_E_PARSE;
    *out = (qfs_auth_mode)i;
    return QFS_OK;
}

static const char *const ROLE_NAMES[QFS_ROLE_COUNT] = {"authority", "coherence_oracle", "telemetry_oracle",
                                                       "memory_oracle"};

const char *qfs_role_name(qfs_role r)
{
    return ((int)r >= 0 && (int)r < QFS_ROLE_COUNT) ? ROLE_NAMES[r] : NULL;
}
