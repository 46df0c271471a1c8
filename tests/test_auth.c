/* Authenticated events (SPEC 4.0): who may sign what, sequences, rotation,
 * and the receipt of each failure. Keys come from fixed seeds and events are
 * signed with libsodium through qfs_auth_sign_event; the expected receipts
 * follow from the rules of SPEC 4.0 alone, check by check, as the comments
 * say. */
#include "qfs/auth.h"
#include "qfs/codec.h"
#include "state_helpers.h"

#include <stdio.h>
#include <string.h>

/* A signer's key pair, from a seed of 32 copies of one byte. */
typedef struct signer {
    const char *id;
    qfs_public_key pk;
    uint8_t sk[QFS_SECRET_KEY_BYTES];
} signer;

static signer mk_signer(const char *id, uint8_t seed_byte)
{
    signer s;
    uint8_t seed[QFS_SEED_BYTES];
    memset(seed, seed_byte, sizeof seed);
    s.id = id;
    ck_assert_int_eq(qfs_auth_keypair(&s.pk, s.sk, seed), QFS_OK);
    return s;
}

enum { AUTHORITY, COHERENCE, TELEMETRY, MEMORY, ALICE, BOB, VAL, NODE, NEWKEY, SIGNERS };

typedef struct world {
    signer k[SIGNERS];
    qfs_state *s;
    qfs_id chain;
} world;

/* Genesis in mode ed25519: the four key holders; alice (user, 1000 ATR and
 * 100 T2, a key), bob (user, a key), carol (user, no key), val (validator,
 * 1000 T1, a key), node (infrastructure node, a key). */
static qfs_event genesis_event(world *w, qfs_genesis_account acc[5])
{
    static const char *const roles[QFS_ROLE_COUNT] = {"authority", "coherence", "telemetry", "memory"};
    qfs_event ev = ev0(0, QFS_EVENT_GENESIS);
    ev.u.genesis.chain_id = w->chain;
    ev.u.genesis.auth = QFS_AUTH_ED25519;
    for (int r = 0; r < QFS_ROLE_COUNT; r++) {
        ev.u.genesis.holders[r].present = 1;
        ev.u.genesis.holders[r].id = ID(roles[r]);
        ev.u.genesis.holders[r].key = w->k[r].pk;
    }
    memset(acc, 0, 5 * sizeof *acc);
    const char *ids[5] = {"alice", "bob", "carol", "val", "node"};
    qfs_account_kind kinds[5] = {QFS_ACCOUNT_USER, QFS_ACCOUNT_USER, QFS_ACCOUNT_USER, QFS_ACCOUNT_VALIDATOR,
                                 QFS_ACCOUNT_INFRA_NODE};
    int keys[5] = {ALICE, BOB, -1, VAL, NODE};
    for (int i = 0; i < 5; i++) {
        acc[i].id = ID(ids[i]);
        acc[i].kind = kinds[i];
        if (keys[i] >= 0) {
            acc[i].key.present = 1;
            acc[i].key.key = w->k[keys[i]].pk;
        }
    }
    acc[0].balances[QFS_ASSET_ATR] = 1000;
    acc[0].balances[QFS_ASSET_T2] = 100;
    acc[3].balances[QFS_ASSET_T1] = 1000;
    ev.u.genesis.account_count = 5;
    ev.u.genesis.accounts = acc;
    return ev;
}

static void world_init(world *w)
{
    const char *names[SIGNERS] = {"authority", "coherence", "telemetry", "memory", "alice",
                                  "bob",       "val",       "node",      "newkey"};
    for (int i = 0; i < SIGNERS; i++)
        w->k[i] = mk_signer(names[i], (uint8_t)(i + 1));
    w->chain = ID("harmonic-auth");
    ck_assert_int_eq(qfs_state_create(&w->s, NULL), QFS_OK);
    qfs_genesis_account acc[5];
    ck_assert_uint_eq(apply(w->s, genesis_event(w, acc)), 0);
}

/* ev signed by signer k with `seq`, as signer id `as` (normally k's id). */
static qfs_event sign_as(world *w, qfs_event ev, int k, const char *as, uint64_t seq)
{
    qfs_id signer_id = ID(as);
    ck_assert_int_eq(qfs_auth_sign_event(&ev, &signer_id, seq, &w->chain, w->k[k].sk), QFS_OK);
    return ev;
}

static qfs_event sign_by(world *w, qfs_event ev, int k, uint64_t seq)
{
    return sign_as(w, ev, k, w->k[k].id, seq);
}

START_TEST(test_auth_apply__acting_account_and_sequence)
{
    world w;
    world_init(&w);
    qfs_event t = ev_transfer(1, "alice", "bob", QFS_ASSET_T2, 10, 1);
    /* Signed by alice with sequence 1 (her last is 0): accepted. */
    ck_assert_uint_eq(apply(w.s, sign_by(&w, t, ALICE, 1)), 0);
    /* The same bytes again: her last is now 1, so 1 is not next. */
    ck_assert_uint_eq(apply(w.s, sign_by(&w, t, ALICE, 1)), QFS_REJECT_SEQUENCE_NOT_NEXT);
    /* A gap: 3 after 1. */
    ck_assert_uint_eq(apply(w.s, sign_by(&w, t, ALICE, 3)), QFS_REJECT_SEQUENCE_NOT_NEXT);
    /* Signed by the recipient: bob is known, but a transfer is signed by from. */
    ck_assert_uint_eq(apply(w.s, sign_by(&w, t, BOB, 1)), QFS_REJECT_WRONG_SIGNER);
    /* An unknown signer id comes first: check 1. */
    ck_assert_uint_eq(apply(w.s, sign_as(&w, t, ALICE, "mallory", 2)), QFS_REJECT_UNKNOWN_KEY);
    /* A flipped bit of the signature, everything else right: check 5. */
    qfs_event flipped = sign_by(&w, t, ALICE, 2);
    flipped.signature[10] ^= 4;
    ck_assert_uint_eq(apply(w.s, flipped), QFS_REJECT_BAD_SIGNATURE);
    /* Signed for another economy: the chain id is in the signed bytes. */
    qfs_id other = ID("another-chain");
    qfs_event foreign = t;
    qfs_id alice = ID("alice");
    ck_assert_int_eq(qfs_auth_sign_event(&foreign, &alice, 2, &other, w.k[ALICE].sk), QFS_OK);
    ck_assert_uint_eq(apply(w.s, foreign), QFS_REJECT_BAD_SIGNATURE);
    /* Signed with another account's key under alice's id: bad signature. */
    ck_assert_uint_eq(apply(w.s, sign_as(&w, t, BOB, "alice", 2)), QFS_REJECT_BAD_SIGNATURE);
    /* Unsigned: no signer id at all is an unknown signer. */
    ck_assert_uint_eq(apply(w.s, t), QFS_REJECT_UNKNOWN_KEY);
    /* A signer and a sequence but no signature. */
    qfs_event nosig = sign_by(&w, t, ALICE, 2);
    nosig.has_signature = 0;
    ck_assert_uint_eq(apply(w.s, nosig), QFS_REJECT_BAD_SIGNATURE);
    /* None of the rejections moved her sequence: 2 is still next. */
    ck_assert_uint_eq(apply(w.s, sign_by(&w, t, ALICE, 2)), 0);
    ck_assert_amt_eq(bal(w.s, "bob", QFS_ASSET_T2), 20);
    ck_assert(json_has(w.s, "auth", "\"id\":\"alice\",\"key\":\""));
    ck_assert(json_has(w.s, "auth", "\"previous_key\":null,\"sequence\":2}"));
    qfs_state_free(w.s);
}
END_TEST

START_TEST(test_auth_apply__account_without_key_cannot_sign)
{
    world w;
    world_init(&w);
    /* carol has no key: checks 1 and 2 pass (she is the sender), 3 fails. */
    qfs_event t = ev_transfer(1, "carol", "bob", QFS_ASSET_T2, 1, 1);
    ck_assert_uint_eq(apply(w.s, sign_as(&w, t, ALICE, "carol", 1)), QFS_REJECT_UNKNOWN_KEY);
    qfs_state_free(w.s);
}
END_TEST

START_TEST(test_auth_apply__rejected_event_keeps_its_sequence)
{
    world w;
    world_init(&w);
    /* An overdraft of T2 (alice holds 100), correctly signed: the signature
     * passes, the transfer is refused, and sequence 1 stays unused. */
    qfs_event big = ev_transfer(1, "alice", "bob", QFS_ASSET_T2, 101, 1);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, big, ALICE, 1)), QFS_REJECT_INSUFFICIENT_BALANCE);
    qfs_event ok = ev_transfer(2, "alice", "bob", QFS_ASSET_T2, 100, 1);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, ok, ALICE, 1)), 0);
    qfs_state_free(w.s);
}
END_TEST

START_TEST(test_auth_apply__oracles_and_authority)
{
    world w;
    world_init(&w);
    /* Psi is measured by the network: the validator reporting its own Psi
     * is the wrong signer; the coherence oracle is the right one. */
    qfs_event psi = ev_report(1, "val", ONE);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, psi, VAL, 1)), QFS_REJECT_WRONG_SIGNER);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, psi, COHERENCE, 1)), 0);
    /* Telemetry signed by the node itself: wrong signer; by the AEGIS
     * telemetry oracle: accepted. Another oracle is wrong too. */
    qfs_event tel = ev_telemetry(2, "node", ONE, ONE, ONE);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, tel, NODE, 1)), QFS_REJECT_WRONG_SIGNER);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, tel, COHERENCE, 2)), QFS_REJECT_WRONG_SIGNER);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, tel, TELEMETRY, 1)), 0);
    qfs_event mem = ev_memory(3, "alice", "m1", ONE, ONE);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, mem, ALICE, 1)), QFS_REJECT_WRONG_SIGNER);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, mem, MEMORY, 1)), 0);
    /* Epoch closes: the authority only. */
    ck_assert_uint_eq(apply(w.s, sign_by(&w, ev_close(4, 0), ALICE, 1)), QFS_REJECT_WRONG_SIGNER);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, ev_close(4, 0), AUTHORITY, 1)), 0);
    ck_assert_uint_eq(qfs_state_epoch(w.s), 1);
    /* Sequences are per signer: the coherence oracle's next is 2. */
    ck_assert_uint_eq(apply(w.s, sign_by(&w, ev_report(5, "val", ONE), COHERENCE, 2)), 0);
    qfs_state_free(w.s);
}
END_TEST

START_TEST(test_auth_apply__registration)
{
    world w;
    world_init(&w);
    /* A user registers itself with its own key, sequence 1. */
    qfs_event r = ev_register(1, "dave", QFS_ACCOUNT_USER);
    r.u.register_account.key.present = 1;
    r.u.register_account.key.key = w.k[NEWKEY].pk;
    ck_assert_uint_eq(apply(w.s, sign_as(&w, r, NEWKEY, "dave", 1)), 0);
    /* Its next event is sequence 2. */
    qfs_event a = ev_action(2, "dave", 0);
    a.u.user_action.fee_atr = 0;
    ck_assert_uint_eq(apply(w.s, sign_as(&w, a, NEWKEY, "dave", 1)), QFS_REJECT_SEQUENCE_NOT_NEXT);
    /* A user registering a validator is the wrong signer; the authority
     * registers it. */
    qfs_event v = ev_register(3, "val2", QFS_ACCOUNT_VALIDATOR);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, v, ALICE, 1)), QFS_REJECT_WRONG_SIGNER);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, v, AUTHORITY, 1)), 0);
    /* A self-registration without a key has nothing to verify. */
    qfs_event nokey = ev_register(4, "erin", QFS_ACCOUNT_USER);
    ck_assert_uint_eq(apply(w.s, sign_as(&w, nokey, NEWKEY, "erin", 1)), QFS_REJECT_UNKNOWN_KEY);
    /* A key holder's id cannot be registered (the authority signs a node). */
    qfs_event clash = ev_register(5, "telemetry", QFS_ACCOUNT_INFRA_NODE);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, clash, AUTHORITY, 2)), QFS_REJECT_ACCOUNT_EXISTS);
    qfs_state_free(w.s);
}
END_TEST

START_TEST(test_auth_apply__rotation)
{
    world w;
    world_init(&w);
    /* alice rotates to the new key, signing with her current one. */
    qfs_event rot = ev0(1, QFS_EVENT_ROTATE_KEY);
    rot.u.rotate_key.holder = ID("alice");
    rot.u.rotate_key.key = w.k[NEWKEY].pk;
    ck_assert_uint_eq(apply(w.s, sign_by(&w, rot, BOB, 1)), QFS_REJECT_WRONG_SIGNER);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, rot, ALICE, 1)), 0);
    /* Her old key now gives rotated_key, her new one is accepted. */
    qfs_event t = ev_transfer(2, "alice", "bob", QFS_ASSET_T2, 1, 1);
    ck_assert_uint_eq(apply(w.s, sign_as(&w, t, ALICE, "alice", 2)), QFS_REJECT_ROTATED_KEY);
    ck_assert_uint_eq(apply(w.s, sign_as(&w, t, NEWKEY, "alice", 2)), 0);
    /* The telemetry oracle's key is rotated by the authority, not by itself. */
    qfs_event orot = ev0(3, QFS_EVENT_ROTATE_KEY);
    orot.u.rotate_key.holder = ID("telemetry");
    orot.u.rotate_key.key = w.k[NEWKEY].pk;
    ck_assert_uint_eq(apply(w.s, sign_by(&w, orot, TELEMETRY, 1)), QFS_REJECT_WRONG_SIGNER);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, orot, AUTHORITY, 1)), 0);
    qfs_event tel = ev_telemetry(4, "node", ONE, ONE, ONE);
    ck_assert_uint_eq(apply(w.s, sign_by(&w, tel, TELEMETRY, 1)), QFS_REJECT_ROTATED_KEY);
    ck_assert_uint_eq(apply(w.s, sign_as(&w, tel, NEWKEY, "telemetry", 1)), 0);
    /* A key of small order (the identity point, 01 00 .. 00) is refused. */
    qfs_event bad = rot;
    bad.timestamp_ms = 5;
    memset(bad.u.rotate_key.key.bytes, 0, QFS_PUBLIC_KEY_BYTES);
    bad.u.rotate_key.key.bytes[0] = 1;
    ck_assert_uint_eq(apply(w.s, sign_as(&w, bad, NEWKEY, "alice", 3)), QFS_REJECT_INVALID_EVENT);
    qfs_state_free(w.s);
}
END_TEST

START_TEST(test_auth_apply__non_canonical_signature_is_bad)
{
    world w;
    world_init(&w);
    /* S (the second half) set to all ones is at least the group order L
     * (about 2^252): libsodium's strict check refuses such an S. */
    qfs_event t = sign_by(&w, ev_transfer(1, "alice", "bob", QFS_ASSET_T2, 1, 1), ALICE, 1);
    memset(t.signature + 32, 0xff, 32);
    ck_assert_uint_eq(apply(w.s, t), QFS_REJECT_BAD_SIGNATURE);
    qfs_state_free(w.s);
}
END_TEST

START_TEST(test_auth_apply__genesis_checks)
{
    world w;
    world_init(&w);
    qfs_state_free(w.s);
    qfs_genesis_account acc[5];
    /* Mode ed25519 names all four key holders. */
    qfs_event g = genesis_event(&w, acc);
    g.u.genesis.holders[QFS_ROLE_MEMORY_ORACLE].present = 0;
    qfs_state *s = NULL;
    ck_assert_int_eq(qfs_state_create(&s, NULL), QFS_OK);
    ck_assert_uint_eq(apply(s, g), QFS_REJECT_INVALID_EVENT);
    /* A key holder id equal to an account id. */
    g = genesis_event(&w, acc);
    g.u.genesis.holders[QFS_ROLE_AUTHORITY].id = ID("alice");
    ck_assert_uint_eq(apply(s, g), QFS_REJECT_INVALID_EVENT);
    /* Two key holders with one id. */
    g = genesis_event(&w, acc);
    g.u.genesis.holders[QFS_ROLE_MEMORY_ORACLE].id = ID("coherence");
    ck_assert_uint_eq(apply(s, g), QFS_REJECT_INVALID_EVENT);
    /* An account key of small order. */
    g = genesis_event(&w, acc);
    memset(acc[1].key.key.bytes, 0, QFS_PUBLIC_KEY_BYTES);
    acc[1].key.key.bytes[0] = 1;
    ck_assert_uint_eq(apply(s, g), QFS_REJECT_INVALID_EVENT);
    ck_assert(json_has(s, "ledger", "\"genesis\":false"));
    /* Mode none: no key holders needed, unsigned events accepted. */
    g = genesis_event(&w, acc);
    g.u.genesis.auth = QFS_AUTH_NONE;
    for (int r = 0; r < QFS_ROLE_COUNT; r++)
        g.u.genesis.holders[r].present = 0;
    ck_assert_uint_eq(apply(s, g), 0);
    ck_assert_uint_eq(apply(s, ev_transfer(1, "alice", "bob", QFS_ASSET_T2, 1, 1)), 0);
    ck_assert(json_has(s, "auth", "\"authentication\":\"none\""));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_auth_signing_bytes__layout)
{
    /* "QFS-EVENT-SIG-V1" || 01 'c' || 02 00 00 00 || epoch_close of epoch 0
     * at time 0 signed by "a" with sequence 1: 12 01 61 (field 2, signer
     * "a"), 18 01 (field 3, sequence 1), c2 01 00 (field 24, empty body);
     * the signature field is left out. */
    static const uint8_t want[] = {'Q',  'F',  'S',  '-',  'E',  'V',  'E',  'N',  'T',  '-',
                                   'S',  'I',  'G',  '-',  'V',  '1',  0x01, 'c',  0x02, 0x00,
                                   0x00, 0x00, 0x12, 0x01, 0x61, 0x18, 0x01, 0xc2, 0x01, 0x00};
    qfs_event ev = ev_close(0, 0);
    ev.signer = ID("a");
    ev.sequence = 1;
    ev.has_signature = 1;
    memset(ev.signature, 0x77, sizeof ev.signature);
    qfs_id chain = ID("c");
    uint8_t out[128];
    size_t n = 0;
    ck_assert_int_eq(qfs_auth_signing_bytes(out, sizeof out, &n, &chain, &ev), QFS_OK);
    ck_assert_uint_eq(n, sizeof want);
    ck_assert_mem_eq(out, want, n);
    ck_assert_int_eq(qfs_auth_signing_bytes(out, 10, &n, &chain, &ev), QFS_E_LIMIT);
}
END_TEST

/* The worked example of docs/EVENTS.md. The expected public key and
 * signature were computed with OpenSSL 3 (`openssl pkeyutl -sign -rawin`
 * on the signing bytes, with the key from the seed of 32 bytes 01), an
 * Ed25519 implementation independent of libsodium. */
START_TEST(test_auth_sign_event__worked_example)
{
    static const char *const PK = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
    static const char *const SIG = "e8b7230ba341d0a31d27536199335a11e940e6246f2a5b1b74f77a22bb13df16"
                                   "2fa2d428ddc15c95b8dce33b8384fac45edc9ce44ccfbf03d9f1313400cd5407";
    signer k = mk_signer("authority", 1);
    char hex[129];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", k.pk.bytes[i]);
    ck_assert_str_eq(hex, PK);
    qfs_event ev = ev_close(1700000000000ULL, 0);
    qfs_id chain = ID("harmonic-test");
    qfs_id who = ID("authority");
    ck_assert_int_eq(qfs_auth_sign_event(&ev, &who, 1, &chain, k.sk), QFS_OK);
    for (int i = 0; i < 64; i++)
        snprintf(hex + 2 * i, 3, "%02x", ev.signature[i]);
    ck_assert_str_eq(hex, SIG);
    uint8_t msg[QFS_SIGNING_BYTES_MAX];
    size_t n = 0;
    ck_assert_int_eq(qfs_auth_signing_bytes(msg, sizeof msg, &n, &chain, &ev), QFS_OK);
    ck_assert(qfs_auth_verify(&k.pk, msg, n, ev.signature));
    msg[n - 1] ^= 1;
    ck_assert(!qfs_auth_verify(&k.pk, msg, n, ev.signature));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_auth_apply__acting_account_and_sequence);
    tcase_add_test(tc, test_auth_apply__account_without_key_cannot_sign);
    tcase_add_test(tc, test_auth_apply__rejected_event_keeps_its_sequence);
    tcase_add_test(tc, test_auth_apply__oracles_and_authority);
    tcase_add_test(tc, test_auth_apply__registration);
    tcase_add_test(tc, test_auth_apply__rotation);
    tcase_add_test(tc, test_auth_apply__non_canonical_signature_is_bad);
    tcase_add_test(tc, test_auth_apply__genesis_checks);
    tcase_add_test(tc, test_auth_signing_bytes__layout);
    tcase_add_test(tc, test_auth_sign_event__worked_example);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
