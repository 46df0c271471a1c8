/* Writes signed logs (genesis authentication ed25519) for the tests and the
 * benchmark of verification ahead of the fold.
 *
 * usage: sign_log scenario OUT    a few thousand events with every case the
 *                                 key prediction meets: bad signatures, an
 *                                 account's and the authority's rotation,
 *                                 signatures by a rotated-away key, a
 *                                 self-registration, and a rotation the fold
 *                                 rejects (its signature is bad), after which
 *                                 the predicted key is wrong
 *        sign_log bench OUT N     genesis and N - 1 signed transfers among
 *                                 1000 users, all valid
 *
 * Keys come from fixed seeds, so the same arguments give the same log. */
#include "qfs/qfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USERS_MAX 1000
#define RECORD_EVENTS 4096
#define BUF_BYTES ((size_t)RECORD_EVENTS * 512)
#define TOKEN ((qfs_amount)1000000000000000000ULL)

typedef struct signer {
    qfs_id id;
    qfs_public_key pk;
    uint8_t sk[QFS_SECRET_KEY_BYTES];
    uint64_t seq; /* of the last accepted event */
} signer;

typedef struct gen {
    qfs_log_writer *w;
    qfs_id chain;
    uint64_t ts;
    uint8_t *buf; /* encoded events of the pending record */
    size_t used;
    qfs_log_event_bytes pending[RECORD_EVENTS];
    size_t count;
} gen;

static void die(const char *what)
{
    fprintf(stderr, "sign_log: %s\n", what);
    exit(1);
}

static void keys(signer *s, const char *name, uint32_t n)
{
    char id[64];
    int len = snprintf(id, sizeof id, "%s%u", name, n);
    if (qfs_id_set(&s->id, id, (size_t)len) != QFS_OK)
        die("bad id");
    uint8_t seed[QFS_SEED_BYTES] = {0};
    memcpy(seed, id, (size_t)len < sizeof seed ? (size_t)len : sizeof seed);
    seed[31] = 0x5a;
    if (qfs_auth_keypair(&s->pk, s->sk, seed) != QFS_OK)
        die("keypair");
    s->seq = 0;
}

static void flush(gen *g)
{
    if (!g->count)
        return;
    qfs_diag d;
    qfs_diag_clear(&d);
    if (qfs_log_writer_append(g->w, g->pending, g->count, NULL, &d) != QFS_OK)
        die(d.message);
    g->count = 0;
    g->used = 0;
}

static void put(gen *g, const qfs_event *ev)
{
    size_t need = qfs_codec_encoded_size(ev);
    if (need == 0 || need > BUF_BYTES)
        die("an event too large");
    if (g->count == RECORD_EVENTS || g->used + need > BUF_BYTES)
        flush(g);
    size_t len = 0;
    if (qfs_codec_encode(ev, g->buf + g->used, BUF_BYTES - g->used, &len) != QFS_OK)
        die("encode");
    g->pending[g->count++] = (qfs_log_event_bytes){g->buf + g->used, len};
    g->used += len;
}

/* Signs ev as `by` with the next sequence and the key `sk`; `accepted` says
 * whether the fold will accept it (then the sequence moves on); `corrupt`
 * flips a bit of the signature. */
static void sign_put(gen *g, qfs_event *ev, signer *by, const uint8_t *sk, int accepted, int corrupt)
{
    ev->timestamp_ms = ++g->ts;
    if (qfs_auth_sign_event(ev, &by->id, by->seq + 1, &g->chain, sk) != QFS_OK)
        die("sign");
    if (corrupt)
        ev->signature[corrupt % QFS_SIGNATURE_BYTES] ^= 0x10;
    if (accepted)
        by->seq++;
    put(g, ev);
}

static void transfer(qfs_event *ev, const signer *from, const signer *to)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = QFS_EVENT_TRANSFER;
    ev->u.transfer.from = from->id;
    ev->u.transfer.to = to->id;
    ev->u.transfer.asset = QFS_ASSET_T2;
    ev->u.transfer.amount = 1;
    ev->u.transfer.fee_atr = TOKEN;
}

static void rotate(qfs_event *ev, const signer *holder, const qfs_public_key *key)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = QFS_EVENT_ROTATE_KEY;
    ev->u.rotate_key.holder = holder->id;
    ev->u.rotate_key.key = *key;
}

static void epoch_close(qfs_event *ev, uint64_t epoch)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = QFS_EVENT_EPOCH_CLOSE;
    ev->u.epoch_close.epoch = epoch;
}

static signer users[USERS_MAX];
static signer holders[QFS_ROLE_COUNT];

static void genesis(gen *g, uint32_t n_users)
{
    static qfs_genesis_account acc[USERS_MAX];
    qfs_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = QFS_EVENT_GENESIS;
    ev.timestamp_ms = ++g->ts;
    ev.u.genesis.chain_id = g->chain;
    ev.u.genesis.auth = QFS_AUTH_ED25519;
    static const char *const role[QFS_ROLE_COUNT] = {"authority", "coherence", "telemetry", "memory"};
    for (int r = 0; r < QFS_ROLE_COUNT; r++) {
        keys(&holders[r], role[r], 0);
        ev.u.genesis.holders[r].present = 1;
        ev.u.genesis.holders[r].id = holders[r].id;
        ev.u.genesis.holders[r].key = holders[r].pk;
    }
    for (uint32_t i = 0; i < n_users; i++) {
        keys(&users[i], "u", i);
        memset(&acc[i], 0, sizeof acc[i]);
        acc[i].id = users[i].id;
        acc[i].kind = QFS_ACCOUNT_USER;
        acc[i].balances[QFS_ASSET_ATR] = TOKEN * 1000000000u;
        acc[i].balances[QFS_ASSET_T2] = TOKEN * 1000000u;
        acc[i].key.present = 1;
        acc[i].key.key = users[i].pk;
    }
    ev.u.genesis.account_count = n_users;
    ev.u.genesis.accounts = acc;
    put(g, &ev);
}

static void scenario(gen *g)
{
    genesis(g, 8);
    qfs_event ev;
    signer *u0 = &users[0], *u1 = &users[1], *u2 = &users[2], *auth = &holders[QFS_ROLE_AUTHORITY];
    signer u0b, u2b, authb, fresh;
    keys(&u0b, "u0-rotated", 0);
    keys(&u2b, "u2-rotated", 0);
    keys(&authb, "authority-rotated", 0);
    keys(&fresh, "fresh", 0);

    transfer(&ev, u0, u1);
    sign_put(g, &ev, u0, u0->sk, 1, 0); /* 1 accepted */
    transfer(&ev, u1, u0);
    sign_put(g, &ev, u1, u1->sk, 0, 7); /* 2 bad_signature */
    transfer(&ev, u1, u0);
    sign_put(g, &ev, u1, u1->sk, 1, 0); /* 3 accepted */
    rotate(&ev, u0, &u0b.pk);
    sign_put(g, &ev, u0, u0->sk, 1, 0); /* 4 u0 rotates its key */
    transfer(&ev, u0, u1);
    sign_put(g, &ev, u0, u0->sk, 0, 0); /* 5 rotated_key: the old key */
    transfer(&ev, u0, u1);
    sign_put(g, &ev, u0, u0b.sk, 1, 0); /* 6 accepted under the new key */
    rotate(&ev, u2, &u2b.pk);
    sign_put(g, &ev, u2, u2->sk, 0, 9); /* 7 rejected rotation: u2's key stays */
    transfer(&ev, u2, u0);
    sign_put(g, &ev, u2, u2->sk, 1, 0); /* 8 accepted: the prediction (u2b) was wrong */
    transfer(&ev, u2, u0);
    sign_put(g, &ev, u2, u2b.sk, 0, 0); /* 9 bad_signature: u2b never became u2's key */

    memset(&ev, 0, sizeof ev); /* 10 a user registers itself */
    ev.kind = QFS_EVENT_REGISTER_ACCOUNT;
    ev.u.register_account.id = fresh.id;
    ev.u.register_account.kind = QFS_ACCOUNT_USER;
    ev.u.register_account.key.present = 1;
    ev.u.register_account.key.key = fresh.pk;
    sign_put(g, &ev, &fresh, fresh.sk, 1, 0);
    transfer(&ev, &fresh, u0);
    sign_put(g, &ev, &fresh, fresh.sk, 1, 0); /* 11 insufficient_balance, signature valid */
    fresh.seq--;                              /* (rejected by the rules, so the sequence stays) */

    epoch_close(&ev, 0);
    sign_put(g, &ev, auth, auth->sk, 1, 0); /* 12 accepted */
    rotate(&ev, auth, &authb.pk);
    sign_put(g, &ev, auth, auth->sk, 1, 0); /* 13 the authority rotates its key */
    epoch_close(&ev, 1);
    sign_put(g, &ev, auth, auth->sk, 0, 0); /* 14 rotated_key */
    epoch_close(&ev, 1);
    sign_put(g, &ev, auth, authb.sk, 1, 0); /* 15 accepted */

    /* Thousands more, over several batches: every 97th signature is bad,
     * and u3 rotates twice among them. */
    signer u3b;
    keys(&u3b, "u3-rotated", 0);
    uint8_t *u3_sk = users[3].sk;
    for (uint32_t i = 0; i < 3000; i++) {
        signer *from = &users[3 + i % 5];
        signer *to = &users[3 + (i + 1) % 5];
        const uint8_t *sk = from == &users[3] ? u3_sk : from->sk;
        if (i == 1500 || i == 2500) {
            rotate(&ev, &users[3], i == 1500 ? &u3b.pk : &users[3].pk);
            sign_put(g, &ev, &users[3], u3_sk, 1, 0);
            u3_sk = i == 1500 ? u3b.sk : users[3].sk;
            continue;
        }
        int bad = i % 97 == 13;
        transfer(&ev, from, to);
        sign_put(g, &ev, from, sk, !bad, bad ? (int)i : 0);
    }
}

static void bench(gen *g, uint64_t n)
{
    genesis(g, USERS_MAX);
    qfs_event ev;
    for (uint64_t i = 1; i < n; i++) {
        signer *from = &users[i % USERS_MAX];
        transfer(&ev, from, &users[(i + 1) % USERS_MAX]);
        sign_put(g, &ev, from, from->sk, 1, 0);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "scenario") != 0 && strcmp(argv[1], "bench") != 0) ||
        (strcmp(argv[1], "bench") == 0 && argc != 4)) {
        fprintf(stderr, "usage: sign_log scenario OUT | sign_log bench OUT EVENTS\n");
        return 2;
    }
    gen g;
    memset(&g, 0, sizeof g);
    if (qfs_id_set(&g.chain, "sign-test", 9) != QFS_OK)
        die("chain id");
    g.buf = malloc(BUF_BYTES);
    if (!g.buf)
        die("out of memory");
    unlink(argv[2]);
    qfs_hash128 schema;
    qfs_codec_schema_hash(&schema);
    qfs_diag d;
    qfs_diag_clear(&d);
    if (qfs_log_writer_open(&g.w, argv[2], &schema, NULL, NULL, &d) != QFS_OK)
        die(d.message);
    if (strcmp(argv[1], "scenario") == 0)
        scenario(&g);
    else
        bench(&g, strtoull(argv[3], NULL, 10));
    flush(&g);
    qfs_log_writer_free(g.w);
    free(g.buf);
    return 0;
}
