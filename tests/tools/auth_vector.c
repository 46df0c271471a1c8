/* Writes the events of the golden vector vectors/v2/authentication.jsonl to
 * standard output. Every key pair comes from a seed of 32 equal bytes (the
 * authority 01, the coherence oracle 02, the telemetry oracle 03, the memory
 * oracle 04, alice 05, bob 06, val 07, node 08, alice's second key 09) and
 * Ed25519 signatures are deterministic, so the file can be re-derived with
 * any Ed25519 tool from docs/EVENTS.md's signing bytes; this program is how
 * it was written. Each event's expected receipt is in the vector's
 * expect file, worked out from docs/SPEC.md 4.0.
 *
 * usage: auth_vector > vectors/v2/authentication.jsonl */
#include "qfs/qfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { AUTHORITY, COHERENCE, TELEMETRY, MEMORY, ALICE, BOB, VAL, NODE, ALICE2, KEYS };

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

int main(void)
{
    for (int k = 0; k < KEYS; k++) {
        uint8_t seed[QFS_SEED_BYTES];
        memset(seed, k + 1, sizeof seed);
        if (qfs_auth_keypair(&pk[k], sk[k], seed) != QFS_OK)
            return 1;
    }
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
