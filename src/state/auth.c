/* Authentication: who may sign which event, sequences, keys and their
 * rotation (docs/SPEC.md 4.0).
 *
 * In a log whose genesis names the mode ed25519, every event after genesis
 * must be signed by the one signer its kind names: the acting account for
 * what an account does, an oracle for what the network measures, the
 * authority for epoch closes and for registering validators and nodes. The
 * signer's sequence must be exactly one more than that of its last accepted
 * event, and the signature must verify under its current key. Each failure
 * is a rejection with its own receipt; nothing of the event is applied. */
#include "state/state_internal.h"

#include "qfs/auth.h"

#include <string.h>

holder *auth_find_holder(qfs_state *s, const qfs_id *id)
{
    for (int r = 0; r < QFS_ROLE_COUNT; r++)
        if (s->holders[r].present && qfs_id_eq(&s->holders[r].id, id))
            return &s->holders[r];
    return NULL;
}

/* The key holder that must sign an event, or -1 when an account does. */
static int required_role(qfs_state *s, const qfs_event *ev)
{
    switch (ev->kind) {
    case QFS_EVENT_COHERENCE_REPORT: return QFS_ROLE_COHERENCE_ORACLE;
    case QFS_EVENT_NODE_TELEMETRY: return QFS_ROLE_TELEMETRY_ORACLE;
    case QFS_EVENT_MEMORY_CONTRIBUTION: return QFS_ROLE_MEMORY_ORACLE;
    case QFS_EVENT_EPOCH_CLOSE: return QFS_ROLE_AUTHORITY;
    case QFS_EVENT_REGISTER_ACCOUNT:
        return ev->u.register_account.kind == QFS_ACCOUNT_USER ? -1 : QFS_ROLE_AUTHORITY;
    case QFS_EVENT_ROTATE_KEY:
        /* The authority rotates the key holders' keys, an account its own. */
        return auth_find_holder(s, &ev->u.rotate_key.holder) ? QFS_ROLE_AUTHORITY : -1;
    default: return -1;
    }
}

/* 1 if the event's signature verifies under `key`. A verdict computed ahead
 * of the fold is used when there is one; it is the same function of the
 * same bytes. */
static int verify(qfs_state *s, const qfs_event *ev, const qfs_public_key *key)
{
    if (s->verify_hint) {
        int v = s->verify_hint(s->verify_ctx, s->event_count, key);
        if (v >= 0)
            return v;
    }
    uint8_t msg[QFS_SIGNING_BYTES_MAX];
    size_t len = 0;
    if (qfs_auth_signing_bytes(msg, sizeof msg, &len, &s->chain_id, ev) != QFS_OK)
        return 0;
    return qfs_auth_verify(key, msg, len, ev->signature);
}

uint32_t auth_check(qfs_state *s, const qfs_event *ev, signer_keys **who)
{
    *who = NULL;
    if (s->auth_mode != QFS_AUTH_ED25519)
        return QFS_REJECT_NONE;
    /* 1. The signer is known: a key holder, an account, or the user a
     * registration creates. */
    holder *h = ev->signer.len ? auth_find_holder(s, &ev->signer) : NULL;
    uint32_t a = ev->signer.len ? ledger_find(s, &ev->signer) : NO_INDEX;
    int self_registration = ev->kind == QFS_EVENT_REGISTER_ACCOUNT &&
                            ev->u.register_account.kind == QFS_ACCOUNT_USER && ev->signer.len > 0 &&
                            qfs_id_eq(&ev->signer, &ev->u.register_account.id);
    if (!h && a == NO_INDEX && !self_registration)
        return QFS_REJECT_UNKNOWN_KEY;
    /* 2. The signer is the one the kind names. */
    int role = required_role(s, ev);
    /* For a rotate_key the acting account is the holder; it counts only
     * when the holder is an account (role < 0). */
    const qfs_id *acting = qfs_auth_acting_account(ev);
    int allowed = role >= 0 ? h == &s->holders[role] : acting && !h && qfs_id_eq(&ev->signer, acting);
    if (!allowed)
        return QFS_REJECT_WRONG_SIGNER;
    /* 3. The signer has a key: a registering user brings its own. */
    signer_keys *k = NULL;
    const qfs_public_key *key = NULL;
    uint64_t last = 0;
    if (self_registration) {
        if (!ev->u.register_account.key.present)
            return QFS_REJECT_UNKNOWN_KEY;
        key = &ev->u.register_account.key.key;
        if (a != NO_INDEX)
            last = s->accts[a].auth.sequence;
    } else {
        k = h ? &h->auth : &s->accts[a].auth;
        if (!k->has_key)
            return QFS_REJECT_UNKNOWN_KEY;
        key = &k->key;
        last = k->sequence;
    }
    /* 4. Exactly the next sequence: no replay, no reordering, no gap. */
    if (last == UINT64_MAX || ev->sequence != last + 1)
        return QFS_REJECT_SEQUENCE_NOT_NEXT;
    /* 5. The signature. One made with the key the signer rotated away from
     * is named as such. */
    if (!ev->has_signature)
        return QFS_REJECT_BAD_SIGNATURE;
    if (!verify(s, ev, key)) {
        if (k && k->has_prev && verify(s, ev, &k->prev))
            return QFS_REJECT_ROTATED_KEY;
        return QFS_REJECT_BAD_SIGNATURE;
    }
    *who = k;
    return QFS_REJECT_NONE;
}

void auth_commit(qfs_state *s, signer_keys *who, const qfs_event *ev)
{
    if (s->auth_mode != QFS_AUTH_ED25519)
        return;
    if (!who && ev->kind == QFS_EVENT_REGISTER_ACCOUNT) {
        /* A user that registered itself has made its first signed event. */
        uint32_t a = ledger_find(s, &ev->u.register_account.id);
        QFS_ASSERT(a != NO_INDEX);
        who = &s->accts[a].auth;
    }
    QFS_ASSERT(who != NULL);
    who->sequence = ev->sequence;
}

uint32_t auth_apply_rotate(qfs_state *s, const qfs_ev_rotate_key *e)
{
    holder *h = auth_find_holder(s, &e->holder);
    signer_keys *k = h ? &h->auth : NULL;
    if (!k) {
        uint32_t a = ledger_find(s, &e->holder);
        if (a == NO_INDEX)
            return QFS_REJECT_UNKNOWN_ACCOUNT;
        k = &s->accts[a].auth;
    }
    if (!qfs_auth_key_valid(&e->key))
        return QFS_REJECT_INVALID_EVENT;
    if (k->has_key) {
        k->prev = k->key;
        k->has_prev = 1;
    }
    k->key = e->key;
    k->has_key = 1;
    return QFS_REJECT_NONE;
}

/* Public accessors (qfs/state.h). */

static const signer_keys *find_signer(const qfs_state *s, const qfs_id *id)
{
    for (int r = 0; r < QFS_ROLE_COUNT; r++)
        if (s->holders[r].present && qfs_id_eq(&s->holders[r].id, id))
            return &s->holders[r].auth;
    uint32_t a = ledger_find(s, id);
    return a == NO_INDEX ? NULL : &s->accts[a].auth;
}

qfs_auth_mode qfs_state_auth_mode(const qfs_state *s)
{
    return s->has_genesis ? s->auth_mode : QFS_AUTH_UNSET;
}

qfs_err qfs_state_chain_id(const qfs_state *s, qfs_id *out)
{
    if (!s->has_genesis)
        return QFS_E_STATE;
    *out = s->chain_id;
    return QFS_OK;
}

qfs_err qfs_state_signer_sequence(const qfs_state *s, const qfs_id *id, uint64_t *out)
{
    const signer_keys *k = find_signer(s, id);
    if (!k)
        return QFS_E_NOT_FOUND;
    *out = k->sequence;
    return QFS_OK;
}

qfs_err qfs_state_signer_key(const qfs_state *s, const qfs_id *id, qfs_public_key *out)
{
    const signer_keys *k = find_signer(s, id);
    if (!k || !k->has_key)
        return QFS_E_NOT_FOUND;
    *out = k->key;
    return QFS_OK;
}
