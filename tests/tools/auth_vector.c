/* Writes the events of the golden vectors vectors/v2/authentication.jsonl and
 * vectors/v2/auth_boundaries.jsonl to standard output. Every key pair comes
 * from a seed of 32 equal bytes (the authority 01, the coherence oracle 02,
 * the telemetry oracle 03, the memory oracle 04, alice 05, bob 06, val 07,
 * node 08, alice's second key 09, alice's third key 0a, the coherence
 * oracle's second key 0b, carol 0c, dave 0d, erin 0e) and Ed25519 signatures
 * are deterministic, so the files can be re-derived with any Ed25519 tool
 * from docs/EVENTS.md's signing bytes; this program is how they were written.
 * Each event's expected receipt is in the vector's expect file, worked out
 * from docs/SPEC.md 4.0.
 *
 * usage: auth_vector > vectors/v2/authentication.jsonl
 *        auth_vector boundaries > vectors/v2/auth_boundaries.jsonl */
#include "qfs/qfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    AUTHORITY,
    COHERENCE,
    TELEMETRY,
    MEMORY,
    ALICE,
    BOB,
    VAL,
    NODE,
    ALICE2,
    ALICE3,
    COHERENCE2,
    CAROL,
    DAVE,
    ERIN,
    KEYS
};

static qfs_public_key pk[KEYS];
static uint8_t sk[KEYS][QFS_SECRET_KEY_BYTES];
static qfs_id chain;

static qfs_id id_of(const char *s)
{
    qfs_id id;
    if (qfs_id_set(&id, s, strlen(s)) != QFS_OK)
        exit(1);
    return id;
}

static void put(const qfs_event *ev)
{
    char *text = NULL;
    size_t len = 0;
    if (qfs_json_format_event(&text, &len, ev) != QFS_OK)
        exit(1);
    printf("%s\n", text);
    free(text);
}

/* Signs ev with key k as `signer`, sequence seq, for economy `c`. */
static qfs_event sign(qfs_event ev, int k, const char *signer, uint64_t seq, const qfs_id *c)
{
    qfs_id who = id_of(signer);
    if (qfs_auth_sign_event(&ev, &who, seq, c, sk[k]) != QFS_OK)
        exit(1);
    return ev;
}

static qfs_event transfer(uint64_t ts, const char *from, const char *to, uint64_t amount)
{
    qfs_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = QFS_EVENT_TRANSFER;
    ev.timestamp_ms = ts;
    ev.u.transfer.from = id_of(from);
    ev.u.transfer.to = id_of(to);
    ev.u.transfer.asset = QFS_ASSET_T2;
    ev.u.transfer.amount = amount;
    ev.u.transfer.fee_atr = 1;
    return ev;
}

/* vectors/v2/authentication.jsonl */
static int write_authentication(void)
{
    chain = id_of("vec-authentication");
    qfs_id other = id_of("another-economy");

    /* 0 genesis */
    static const char *const holders[QFS_ROLE_COUNT] = {"authority", "coherence", "telemetry", "memory"};
    qfs_genesis_account acc[4];
    memset(acc, 0, sizeof acc);
    const char *ids[4] = {"alice", "bob", "node", "val"};
    qfs_account_kind kinds[4] = {QFS_ACCOUNT_USER, QFS_ACCOUNT_USER, QFS_ACCOUNT_INFRA_NODE,
                                 QFS_ACCOUNT_VALIDATOR};
    int keys[4] = {ALICE, BOB, NODE, VAL};
    for (int i = 0; i < 4; i++) {
        acc[i].id = id_of(ids[i]);
        acc[i].kind = kinds[i];
        acc[i].key.present = 1;
        acc[i].key.key = pk[keys[i]];
    }
    acc[0].balances[QFS_ASSET_ATR] = 1000;
    acc[0].balances[QFS_ASSET_T2] = 100;
    acc[3].balances[QFS_ASSET_T1] = 1000;
    qfs_event g;
    memset(&g, 0, sizeof g);
    g.kind = QFS_EVENT_GENESIS;
    g.u.genesis.chain_id = chain;
    g.u.genesis.auth = QFS_AUTH_ED25519;
    for (int r = 0; r < QFS_ROLE_COUNT; r++) {
        g.u.genesis.holders[r].present = 1;
        g.u.genesis.holders[r].id = id_of(holders[r]);
        g.u.genesis.holders[r].key = pk[r];
    }
    g.u.genesis.account_count = 4;
    g.u.genesis.accounts = acc;
    put(&g);

    qfs_event t = transfer(1, "alice", "bob", 10);
    put((qfs_event[]){sign(t, ALICE, "alice", 1, &chain)}); /* 1 accepted */
    t.timestamp_ms = 2;                                     /* 2 the same sequence again */
    put((qfs_event[]){sign(t, ALICE, "alice", 1, &chain)});
    t.timestamp_ms = 3; /* 3 a gap */
    put((qfs_event[]){sign(t, ALICE, "alice", 3, &chain)});
    t.timestamp_ms = 4; /* 4 signed by the recipient */
    put((qfs_event[]){sign(t, BOB, "bob", 1, &chain)});
    t.timestamp_ms = 5; /* 5 signed for another economy */
    put((qfs_event[]){sign(t, ALICE, "alice", 2, &other)});
    t.timestamp_ms = 6; /* 6 a flipped signature bit */
    qfs_event flipped = sign(t, ALICE, "alice", 2, &chain);
    flipped.signature[20] ^= 0x10;
    put(&flipped);
    t.timestamp_ms = 7; /* 7 an unknown signer */
    put((qfs_event[]){sign(t, ALICE, "mallory", 2, &chain)});

    qfs_event psi;
    memset(&psi, 0, sizeof psi);
    psi.kind = QFS_EVENT_COHERENCE_REPORT;
    psi.timestamp_ms = 8;
    psi.u.coherence_report.validator = id_of("val");
    psi.u.coherence_report.psi_fp18 = 900000000000000000ULL;
    put((qfs_event[]){sign(psi, VAL, "val", 1, &chain)}); /* 8 Psi by the validator itself */
    psi.timestamp_ms = 9;
    put((qfs_event[]){sign(psi, COHERENCE, "coherence", 1, &chain)}); /* 9 by the coherence oracle */

    qfs_event tel;
    memset(&tel, 0, sizeof tel);
    tel.kind = QFS_EVENT_NODE_TELEMETRY;
    tel.timestamp_ms = 10;
    tel.u.node_telemetry.node = id_of("node");
    tel.u.node_telemetry.uptime_fp18 = 1000000000000000000ULL;
    tel.u.node_telemetry.replication_fp18 = 1000000000000000000ULL;
    tel.u.node_telemetry.correctness_fp18 = 1000000000000000000ULL;
    put((qfs_event[]){sign(tel, NODE, "node", 1, &chain)}); /* 10 by the node itself */
    tel.timestamp_ms = 11;
    put((qfs_event[]){sign(tel, TELEMETRY, "telemetry", 1, &chain)}); /* 11 by the telemetry oracle */

    qfs_event rot;
    memset(&rot, 0, sizeof rot);
    rot.kind = QFS_EVENT_ROTATE_KEY;
    rot.timestamp_ms = 12;
    rot.u.rotate_key.holder = id_of("alice");
    rot.u.rotate_key.key = pk[ALICE2];
    put((qfs_event[]){sign(rot, ALICE, "alice", 2, &chain)}); /* 12 alice rotates */
    qfs_event t2 = transfer(13, "alice", "bob", 5);
    put((qfs_event[]){sign(t2, ALICE, "alice", 3, &chain)}); /* 13 with the rotated-out key */
    t2.timestamp_ms = 14;
    put((qfs_event[]){sign(t2, ALICE2, "alice", 3, &chain)}); /* 14 with the new key */

    qfs_event close;
    memset(&close, 0, sizeof close);
    close.kind = QFS_EVENT_EPOCH_CLOSE;
    close.timestamp_ms = 15;
    put((qfs_event[]){sign(close, AUTHORITY, "authority", 1, &chain)}); /* 15 the authority closes */

    qfs_event act;
    memset(&act, 0, sizeof act);
    act.kind = QFS_EVENT_USER_ACTION;
    act.timestamp_ms = 16;
    act.u.user_action.account = id_of("bob");
    act.u.user_action.action = id_of("post");
    put(&act); /* 16 unsigned */
    return 0;
}

static qfs_event register_account(uint64_t ts, const char *id, qfs_account_kind kind, int key)
{
    qfs_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = QFS_EVENT_REGISTER_ACCOUNT;
    ev.timestamp_ms = ts;
    ev.u.register_account.id = id_of(id);
    ev.u.register_account.kind = kind;
    if (key >= 0) {
        ev.u.register_account.key.present = 1;
        ev.u.register_account.key.key = pk[key];
    }
    return ev;
}

static qfs_event rotate_key(uint64_t ts, const char *holder, int key)
{
    qfs_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = QFS_EVENT_ROTATE_KEY;
    ev.timestamp_ms = ts;
    ev.u.rotate_key.holder = id_of(holder);
    ev.u.rotate_key.key = pk[key];
    return ev;
}

/* vectors/v2/auth_boundaries.jsonl: the edges of SPEC 4.0 and 4.16 that
 * authentication.jsonl leaves out. The comment on each event is its
 * receipt's reason. */
static int write_boundaries(void)
{
    chain = id_of("vec-auth-boundaries");

    /* 0 genesis: alice, bob (users), val (validator) with keys */
    static const char *const holders[QFS_ROLE_COUNT] = {"authority", "coherence", "telemetry", "memory"};
    qfs_genesis_account acc[3];
    memset(acc, 0, sizeof acc);
    const char *ids[3] = {"alice", "bob", "val"};
    qfs_account_kind kinds[3] = {QFS_ACCOUNT_USER, QFS_ACCOUNT_USER, QFS_ACCOUNT_VALIDATOR};
    int keys[3] = {ALICE, BOB, VAL};
    for (int i = 0; i < 3; i++) {
        acc[i].id = id_of(ids[i]);
        acc[i].kind = kinds[i];
        acc[i].key.present = 1;
        acc[i].key.key = pk[keys[i]];
    }
    acc[0].balances[QFS_ASSET_ATR] = 1000;
    acc[0].balances[QFS_ASSET_T2] = 100;
    acc[1].balances[QFS_ASSET_ATR] = 1000;
    acc[1].balances[QFS_ASSET_T2] = 1000;
    qfs_event g;
    memset(&g, 0, sizeof g);
    g.kind = QFS_EVENT_GENESIS;
    g.u.genesis.chain_id = chain;
    g.u.genesis.auth = QFS_AUTH_ED25519;
    for (int r = 0; r < QFS_ROLE_COUNT; r++) {
        g.u.genesis.holders[r].present = 1;
        g.u.genesis.holders[r].id = id_of(holders[r]);
        g.u.genesis.holders[r].key = pk[r];
    }
    g.u.genesis.account_count = 3;
    g.u.genesis.accounts = acc;
    put(&g);

    /* 1 alice's overdraft (T2 500 > 100): rejected, her sequence stays 0 */
    qfs_event over = sign(transfer(1, "alice", "bob", 500), ALICE, "alice", 1, &chain);
    put(&over);
    /* 2 bob sends her 400 T2 */
    put((qfs_event[]){sign(transfer(1, "bob", "alice", 400), BOB, "bob", 1, &chain)});
    /* 3 the same bytes as event 1, now covered: accepted */
    put(&over);
    /* 4 once more: her last sequence is now 1 */
    put(&over);

    qfs_event t = transfer(2, "alice", "bob", 1);
    t.u.transfer.asset = QFS_ASSET_ATR;
    /* 5 the largest sequence, 2^64 - 1, while her last is 1: a gap */
    put((qfs_event[]){sign(t, ALICE, "alice", UINT64_MAX, &chain)});
    /* 6 signer and the right sequence, but no signature */
    qfs_event bare = sign(t, ALICE, "alice", 2, &chain);
    bare.has_signature = 0;
    memset(bare.signature, 0, sizeof bare.signature);
    put(&bare);
    /* 7, 8 alice rotates twice: ALICE -> ALICE2 -> ALICE3 */
    put((qfs_event[]){sign(rotate_key(3, "alice", ALICE2), ALICE, "alice", 2, &chain)});
    put((qfs_event[]){sign(rotate_key(4, "alice", ALICE3), ALICE2, "alice", 3, &chain)});
    /* 9 her first key, two rotations old: bad_signature; 10 the one she
     * rotated away from last: rotated_key; 11 the current one */
    t.timestamp_ms = 5;
    put((qfs_event[]){sign(t, ALICE, "alice", 4, &chain)});
    t.timestamp_ms = 6;
    put((qfs_event[]){sign(t, ALICE2, "alice", 4, &chain)});
    t.timestamp_ms = 7;
    put((qfs_event[]){sign(t, ALICE3, "alice", 4, &chain)});

    /* 12 carol registers herself with her key: her sequence becomes 1 */
    put((qfs_event[]){
        sign(register_account(8, "carol", QFS_ACCOUNT_USER, CAROL), CAROL, "carol", 1, &chain)});
    /* 13 bob sends carol 10 ATR */
    qfs_event tc = transfer(9, "bob", "carol", 10);
    tc.u.transfer.asset = QFS_ASSET_ATR;
    put((qfs_event[]){sign(tc, BOB, "bob", 2, &chain)});
    /* 14 carol signs with sequence 1 again (her registration's); 15 with 2 */
    qfs_event tca = transfer(10, "carol", "alice", 1);
    tca.u.transfer.asset = QFS_ASSET_ATR;
    put((qfs_event[]){sign(tca, CAROL, "carol", 1, &chain)});
    put((qfs_event[]){sign(tca, CAROL, "carol", 2, &chain)});

    /* 16 dave registers himself as a validator: not an account, not a key
     * holder, and only users register themselves */
    put((qfs_event[]){
        sign(register_account(11, "dave", QFS_ACCOUNT_VALIDATOR, DAVE), DAVE, "dave", 1, &chain)});
    /* 17 the authority registers him */
    put((qfs_event[]){
        sign(register_account(12, "dave", QFS_ACCOUNT_VALIDATOR, DAVE), AUTHORITY, "authority", 1, &chain)});
    /* 18 erin registers herself without giving a key */
    put((qfs_event[]){sign(register_account(13, "erin", QFS_ACCOUNT_USER, -1), ERIN, "erin", 1, &chain)});
    /* 19 the authority registers a user: users register themselves */
    put((qfs_event[]){
        sign(register_account(14, "erin", QFS_ACCOUNT_USER, ERIN), AUTHORITY, "authority", 2, &chain)});

    /* 20 the coherence oracle rotates its own key: only the authority may */
    put((qfs_event[]){sign(rotate_key(15, "coherence", COHERENCE2), COHERENCE, "coherence", 1, &chain)});
    /* 21 the authority rotates it */
    put((qfs_event[]){sign(rotate_key(16, "coherence", COHERENCE2), AUTHORITY, "authority", 2, &chain)});
    qfs_event psi;
    memset(&psi, 0, sizeof psi);
    psi.kind = QFS_EVENT_COHERENCE_REPORT;
    psi.timestamp_ms = 17;
    psi.u.coherence_report.validator = id_of("val");
    psi.u.coherence_report.psi_fp18 = 900000000000000000ULL;
    /* 22 a report with the oracle's old key; 23 with the new one */
    put((qfs_event[]){sign(psi, COHERENCE, "coherence", 1, &chain)});
    put((qfs_event[]){sign(psi, COHERENCE2, "coherence", 1, &chain)});

    qfs_event close;
    memset(&close, 0, sizeof close);
    close.kind = QFS_EVENT_EPOCH_CLOSE;
    close.timestamp_ms = 18;
    /* 24 the authority's close with its last sequence (2); 25 with 3 */
    put((qfs_event[]){sign(close, AUTHORITY, "authority", 2, &chain)});
    put((qfs_event[]){sign(close, AUTHORITY, "authority", 3, &chain)});
    return 0;
}

int main(int argc, char **argv)
{
    for (int k = 0; k < KEYS; k++) {
        uint8_t seed[QFS_SEED_BYTES];
        memset(seed, k + 1, sizeof seed);
        if (qfs_auth_keypair(&pk[k], sk[k], seed) != QFS_OK)
            return 1;
    }
    if (argc == 2 && strcmp(argv[1], "boundaries") == 0)
        return write_boundaries();
    if (argc != 1) {
        fprintf(stderr, "usage: auth_vector [boundaries]\n");
        return 2;
    }
    return write_authentication();
}
