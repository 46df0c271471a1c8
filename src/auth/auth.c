/* Ed25519 through libsodium: the signing bytes of an event, signatures and
 * keys. No state: who may sign what is decided in src/state/auth.c. */
#include "qfs/auth.h"

#include "qfs/codec.h"

#include <sodium.h>
#include <string.h>

_Static_assert(crypto_sign_PUBLICKEYBYTES == QFS_PUBLIC_KEY_BYTES, "public key size");
_Static_assert(crypto_sign_BYTES == QFS_SIGNATURE_BYTES, "signature size");
_Static_assert(crypto_sign_SECRETKEYBYTES == QFS_SECRET_KEY_BYTES, "secret key size");
_Static_assert(crypto_sign_SEEDBYTES == QFS_SEED_BYTES, "seed size");
_Static_assert(sizeof QFS_SIGNING_CONTEXT - 1 == QFS_SIGNING_CONTEXT_BYTES, "context size");

/* The state format version the signing bytes name (SPEC 10). */
#define SIGNED_FORMAT_VERSION 2u

qfs_err qfs_auth_init(void)
{
    /* sodium_init returns 1 when already initialized; it is thread-safe. */
    return sodium_init() < 0 ? QFS_E_STATE : QFS_OK;
}

qfs_err qfs_auth_signing_bytes(uint8_t *out, size_t cap, size_t *len_out, const qfs_id *chain_id,
                               const qfs_event *ev)
{
    if (!out || !len_out || !chain_id || !ev || ev->kind == QFS_EVENT_GENESIS)
        return QFS_E_INVALID_ARG;
    size_t head = QFS_SIGNING_CONTEXT_BYTES + 1 + chain_id->len + 4;
    if (cap < head)
        return QFS_E_LIMIT;
    size_t n = 0;
    memcpy(out, QFS_SIGNING_CONTEXT, QFS_SIGNING_CONTEXT_BYTES);
    n += QFS_SIGNING_CONTEXT_BYTES;
    out[n++] = chain_id->len;
    memcpy(out + n, chain_id->bytes, chain_id->len);
    n += chain_id->len;
    for (int i = 0; i < 4; i++)
        out[n++] = (uint8_t)(SIGNED_FORMAT_VERSION >> (8 * i));
    qfs_event unsigned_ev = *ev;
    unsigned_ev.has_signature = 0;
    memset(unsigned_ev.signature, 0, sizeof unsigned_ev.signature);
    size_t body = 0;
    qfs_err err = qfs_codec_encode(&unsigned_ev, out + n, cap - n, &body);
    if (err != QFS_OK)
        return err;
    *len_out = n + body;
    return QFS_OK;
}

int qfs_auth_verify(const qfs_public_key *key, const uint8_t *msg, size_t len,
                    const uint8_t sig[QFS_SIGNATURE_BYTES])
{
    if (qfs_auth_init() != QFS_OK)
        return 0;
    return crypto_sign_verify_detached(sig, msg, len, key->bytes) == 0;
}

int qfs_auth_key_valid(const qfs_public_key *key)
{
    if (qfs_auth_init() != QFS_OK)
        return 0;
    return crypto_core_ed25519_is_valid_point(key->bytes) == 1;
}

qfs_err qfs_auth_keypair(qfs_public_key *pk, uint8_t sk[QFS_SECRET_KEY_BYTES],
                         const uint8_t seed[QFS_SEED_BYTES])
{
    qfs_err err = qfs_auth_init();
    if (err != QFS_OK)
        return err;
    return crypto_sign_seed_keypair(pk->bytes, sk, seed) == 0 ? QFS_OK : QFS_E_STATE;
}

qfs_err qfs_auth_sign(uint8_t sig[QFS_SIGNATURE_BYTES], const uint8_t *msg, size_t len,
                      const uint8_t sk[QFS_SECRET_KEY_BYTES])
{
    qfs_err err = qfs_auth_init();
    if (err != QFS_OK)
        return err;
    return crypto_sign_detached(sig, NULL, msg, len, sk) == 0 ? QFS_OK : QFS_E_STATE;
}

qfs_err qfs_auth_sign_event(qfs_event *ev, const qfs_id *signer, uint64_t sequence, const qfs_id *chain_id,
                            const uint8_t sk[QFS_SECRET_KEY_BYTES])
{
    ev->signer = *signer;
    ev->sequence = sequence;
    uint8_t msg[QFS_SIGNING_BYTES_MAX];
    size_t len = 0;
    qfs_err err = qfs_auth_signing_bytes(msg, sizeof msg, &len, chain_id, ev);
    if (err != QFS_OK)
        return err;
    err = qfs_auth_sign(ev->signature, msg, len, sk);
    if (err == QFS_OK)
        ev->has_signature = 1;
    return err;
}

const qfs_id *qfs_auth_acting_account(const qfs_event *ev)
{
    switch (ev->kind) {
    case QFS_EVENT_TRANSFER: return &ev->u.transfer.from;
    case QFS_EVENT_STAKE: return &ev->u.stake.validator;
    case QFS_EVENT_UNSTAKE: return &ev->u.unstake.validator;
    case QFS_EVENT_BOOST: return &ev->u.boost.validator;
    case QFS_EVENT_USER_ACTION: return &ev->u.user_action.account;
    case QFS_EVENT_SOCIAL_PROPOSAL: return &ev->u.social_proposal.proposer;
    case QFS_EVENT_INFRA_PROPOSAL: return &ev->u.infra_proposal.proposer;
    case QFS_EVENT_SOCIAL_VOTE: return &ev->u.social_vote.voter;
    case QFS_EVENT_INFRA_VOTE: return &ev->u.infra_vote.voter;
    case QFS_EVENT_ROTATE_KEY: return &ev->u.rotate_key.holder;
    case QFS_EVENT_REGISTER_ACCOUNT:
        /* A user registers itself; validators and nodes are registered. */
        return ev->u.register_account.kind == QFS_ACCOUNT_USER ? &ev->u.register_account.id : NULL;
    default: return NULL;
    }
}

qfs_err qfs_auth_random_seed(uint8_t seed[QFS_SEED_BYTES])
{
    qfs_err err = qfs_auth_init();
    if (err != QFS_OK)
        return err;
    randombytes_buf(seed, QFS_SEED_BYTES);
    return QFS_OK;
}

void qfs_auth_wipe(void *p, size_t len)
{
    sodium_memzero(p, len);
}
