/*
 * qfs/auth.h - Ed25519 authentication of events (libsodium).
 *
 * In a log whose genesis names the mode "ed25519", every later event carries
 * its signer's id, the signer's sequence number and a detached Ed25519
 * signature over its signing bytes:
 *
 *   "QFS-EVENT-SIG-V1" (16 ASCII bytes, no NUL)
 *   || u8 length of the chain id || the chain id
 *   || u32 little-endian state format version (2)
 *   || the event's protobuf bytes without its signature field
 *
 * The event bytes are the canonical encoding (qfs_codec_encode) of the event
 * with signer and sequence and without the signature; since a decoder
 * accepts only canonical bytes, they are exactly the bytes of the log record
 * minus the final signature field. The chain id binds a signature to one
 * economy, the version to one format; docs/EVENTS.md has a worked example.
 *
 * Who may sign what, and the rejections, are rules of the state machine
 * (docs/SPEC.md); this header is only the cryptography.
 */
#ifndef QFS_AUTH_H
#define QFS_AUTH_H

#include "qfs/event.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QFS_SIGNING_CONTEXT "QFS-EVENT-SIG-V1"
#define QFS_SIGNING_CONTEXT_BYTES 16
/* An Ed25519 secret key as libsodium holds it: the 32-byte seed, then the
 * public key. */
#define QFS_SECRET_KEY_BYTES 64
#define QFS_SEED_BYTES 32
/* Signing bytes of any event but a genesis (which is never signed) fit this. */
#define QFS_SIGNING_BYTES_MAX 2048

/* Initializes libsodium; idempotent and thread-safe. QFS_E_STATE if it
 * cannot start. Every function below calls it. */
qfs_err qfs_auth_init(void);

/* Writes the signing bytes of `ev` (see above) for the economy `chain_id`
 * into out[cap]. QFS_E_INVALID_ARG for a genesis or an invalid event,
 * QFS_E_LIMIT when cap is too small. */
qfs_err qfs_auth_signing_bytes(uint8_t *out, size_t cap, size_t *len_out, const qfs_id *chain_id,
                               const qfs_event *ev);

/* 1 if `sig` is a valid signature of msg[len] by `key`, else 0. A
 * non-canonical signature, a signature or key of small order, or a key that
 * is not a valid point is not valid (libsodium's strict verification). */
int qfs_auth_verify(const qfs_public_key *key, const uint8_t *msg, size_t len,
                    const uint8_t sig[QFS_SIGNATURE_BYTES]);

/* 1 if `key` is a point of the main subgroup, canonical and not of small
 * order: a key a signature can be checked against. */
int qfs_auth_key_valid(const qfs_public_key *key);

/* The key pair of a 32-byte seed (deterministic). */
qfs_err qfs_auth_keypair(qfs_public_key *pk, uint8_t sk[QFS_SECRET_KEY_BYTES],
                         const uint8_t seed[QFS_SEED_BYTES]);

/* sig = the detached signature of msg[len] by sk. */
qfs_err qfs_auth_sign(uint8_t sig[QFS_SIGNATURE_BYTES], const uint8_t *msg, size_t len,
                      const uint8_t sk[QFS_SECRET_KEY_BYTES]);

/* Signs `ev` in place: sets its signer, sequence and signature for the
 * economy `chain_id` with the secret key sk. */
qfs_err qfs_auth_sign_event(qfs_event *ev, const qfs_id *signer, uint64_t sequence, const qfs_id *chain_id,
                            const uint8_t sk[QFS_SECRET_KEY_BYTES]);

/* The account that must sign `ev` when an account acts: the sender of a
 * transfer, the validator of a stake, unstake or boost, the account of a
 * user_action, the proposer or voter, a user registering itself, and the
 * holder named by a rotate_key (which the authority signs instead when that
 * holder is a key holder). NULL for the kinds a key holder signs:
 * coherence_report, node_telemetry, memory_contribution, epoch_close, the
 * registration of a validator or node, and genesis. */
const qfs_id *qfs_auth_acting_account(const qfs_event *ev);

/* Fills seed[32] from the operating system's random source (libsodium's
 * randombytes). For key generation by tools; never used by the fold.
 * QFS_E_STATE if libsodium cannot start. */
qfs_err qfs_auth_random_seed(uint8_t seed[QFS_SEED_BYTES]);

/* Zeroes len bytes at p in a way the compiler may not remove: for secret
 * keys and seeds once they are no longer needed. */
void qfs_auth_wipe(void *p, size_t len);

#ifdef __cplusplus
}
#endif
#endif
