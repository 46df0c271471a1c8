/* qfs simulate: a seeded generator of a plausible Harmonic economy.
 *
 * The same arguments always give the same events, batch boundaries and hence
 * the same log bytes. A small shadow model of balances and stakes keeps most
 * events valid; a small, seeded share is invalid on purpose (a NOD transfer,
 * an overdraft, a vote on an unknown proposal) so that rejections are
 * exercised too. With --adversarial (on by default) a seeded share of
 * events is added that the fold refuses by one rule of the economy each, so
 * that every receipt code a log can carry occurs (see "Adversarial events").
 *
 * With --auth ed25519 (the default) every key pair comes from the seed, every
 * event is signed by the signer its kind names, and a small seeded share of
 * events is added that the fold must refuse for their signatures (see
 * "Authentication" below). The economic events are the same as with
 * --auth none: what authentication adds draws from a stream of its own. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char HELP[] =
    "usage: qfs simulate --seed S --events N -o LOG [options]\n"
    "\n"
    "Generates a deterministic simulated economy of N events (the genesis\n"
    "first, or third after two refused events with --adversarial above 0) and\n"
    "writes it to LOG: the same arguments give a byte-identical log.\n"
    "Every event kind occurs; most events are valid, a small seeded share is\n"
    "invalid on purpose so that rejections are exercised (see --adversarial).\n"
    "\n"
    "options:\n"
    "  --seed S           generator seed (required)\n"
    "  --events N         number of events, at least 1 (required)\n"
    "  -o, --output LOG   the log to write (required; must not exist unless --force)\n"
    "  --validators V     validators at genesis (default 16, 1-10000)\n"
    "  --nodes K          infrastructure nodes at genesis (default 5, 0-10000)\n"
    "  --users U          users at genesis (default 64, 0-50000)\n"
    "  --registrations R  accounts registered after genesis, at most (default\n"
    "                     2000); then the economy stops growing, so that a\n"
    "                     longer log is more of the same economy\n"
    "  --epoch-events E   an epoch closes every E events (default 1000)\n"
    "  --batch B          events per log record (default 4096, 1-65536)\n"
    "  --auth MODE        ed25519 (default): genesis names the authority and the\n"
    "                     oracles, every account has a key, every event is signed,\n"
    "                     and about 0.4% of events are refused for their\n"
    "                     signature on purpose (forged, replayed, gapped, mis-signed,\n"
    "                     wrong or unknown signer, a rotated key) besides a few key\n"
    "                     rotations. Keys come from the seed: anyone who knows it can\n"
    "                     sign, so these logs are for testing only.\n"
    "                     none: no keys, no signatures\n"
    "  --adversarial P    per mille of events (default 20; 0 = none) that are\n"
    "                     added to be refused by a rule of the economy, each kind\n"
    "                     aimed at a receipt code a log can carry: a second or\n"
    "                     an early genesis, a timestamp regression, unknown or\n"
    "                     existing accounts, the wrong account kind, zero amounts,\n"
    "                     self-transfers, low fees, an overflowing time, a wrong\n"
    "                     epoch, proposals on the wrong or a fixed parameter,\n"
    "                     repeated proposals and ballots, votes on closed\n"
    "                     proposals, and whale transfers of nearly 2^128 ATR\n"
    "                     whose fees the NOD issuance cap cuts. With P > 0 the\n"
    "                     genesis adds the two whales and sets\n"
    "                     nod_correctness_floor to 0, the log opens with two\n"
    "                     events refused before its genesis, one epoch close in\n"
    "                     four is preceded by a close of an epoch without events\n"
    "                     (with two nodes' telemetry: too few active nodes; a\n"
    "                     storm of Psi 0 reports: deficit mode, slashing, then\n"
    "                     recovery; an outage longer than any boost and a storm:\n"
    "                     a sum of effective Psi of 0; or every node's telemetry\n"
    "                     at 0: a sum of scores of 0), and every twelfth close is\n"
    "                     followed by a campaign: a social proposal setting a\n"
    "                     parameter to a bound of its range (unbonding_epochs 0,\n"
    "                     t2_deficit_bonus 5 or 0), passed with its quorum met\n"
    "                     exactly. They draw from a stream of their own; the\n"
    "                     economy's events stay as they are but for the proposal\n"
    "                     ids the campaigns take and the time the outages skip\n"
    "  --force            replace LOG if it exists\n"
    "\n"
    "exit codes: 0 ok, 2 usage, 74 I/O error\n";

/* splitmix64: tiny, fast, and fully specified, so a second implementation
 * can reproduce a simulated log. */
typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    return cli_splitmix64(r->s += CLI_SPLITMIX_STEP);
}

/* Uniform in [0, n) by multiply-shift (n > 0). */
static uint64_t rng_below(rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* Uniform in [lo, hi]. */
static uint64_t rng_range(rng *r, uint64_t lo, uint64_t hi)
{
    return lo + rng_below(r, hi - lo + 1);
}

/* Percent chance. */
static int rng_pct(rng *r, unsigned pct)
{
    return rng_below(r, 100) < pct;
}

#define FP(x) ((uint64_t)(x))
#define FP_ONE QFS_FP18_ONE
/* Whole tokens in base units. */
#define TOKENS(n) ((qfs_amount)(n)*QFS_TOKEN)

/* An amount the way people write one: a mantissa of 1 to 3 significant
 * digits times a power of ten, the power uniform in [e_lo, e_hi] (10^18 is
 * one token), so that amounts span many orders of magnitude, from dust to
 * millions of tokens, and every 128-bit path of the fold is exercised. */
static qfs_amount rng_amount(rng *r, unsigned e_lo, unsigned e_hi)
{
    uint64_t digits = rng_range(r, 1, 3);
    uint64_t mantissa = rng_range(r, 1, digits == 1 ? 9 : digits == 2 ? 99 : 999);
    unsigned e = (unsigned)rng_range(r, e_lo, e_hi);
    return (qfs_amount)mantissa * qfs_pow10(e);
}

/* A fee, the way a fee schedule sets one: one significant digit times a
 * power of ten, from 0.0001 to 9 ATR. */
static qfs_amount rng_fee(rng *r)
{
    return (qfs_amount)rng_range(r, 1, 9) * qfs_pow10((unsigned)rng_range(r, 14, 18));
}

/* An amount of at most `have` (> 0), drawn as rng_amount over [e_lo, e_hi]
 * and then scaled down by powers of ten until it fits. */
static qfs_amount rng_amount_max(rng *r, unsigned e_lo, unsigned e_hi, qfs_amount have)
{
    qfs_amount a = rng_amount(r, e_lo, e_hi);
    while (a > have && a >= 10)
        a /= 10;
    return a <= have ? a : have;
}

/* ---- Authentication ----
 *
 * Key derivation. The 32-byte Ed25519 seed of the signer `id` (its bytes
 * b_1..b_n) after g rotations of its key, in a simulation of seed S:
 *
 *   mix(z)  = the splitmix64 finalizer (cli_splitmix64)
 *   h       = mix(S ^ 0x71667369676b6579)        ("qfsigkey")
 *   h       = mix(h ^ b_i)  for i = 1..n
 *   h       = mix(h ^ (n << 56) ^ g)
 *   word k  = mix(h + (k + 1) * 0x9e3779b97f4a7c15)  for k = 0..3
 *   seed    = word 0 || word 1 || word 2 || word 3, each little-endian
 *
 * and the key pair is libsodium's crypto_sign_seed_keypair of that seed.
 * The forger's key is the key of the id "forger" (no signer's id). Anyone
 * who knows S can sign for every simulated signer: these are test keys. */
#define KEY_DOMAIN 0x71667369676b6579ULL

static void derive_seed(uint8_t out[QFS_SEED_BYTES], uint64_t seed, const qfs_id *id, uint64_t generation)
{
    uint64_t h = cli_splitmix64(seed ^ KEY_DOMAIN);
    for (size_t i = 0; i < id->len; i++)
        h = cli_splitmix64(h ^ (uint8_t)id->bytes[i]);
    h = cli_splitmix64(h ^ ((uint64_t)id->len << 56) ^ generation);
    for (uint64_t k = 0; k < 4; k++) {
        uint64_t w = cli_splitmix64(h + (k + 1) * CLI_SPLITMIX_STEP);
        for (int b = 0; b < 8; b++)
            out[8 * k + (uint64_t)b] = (uint8_t)(w >> (8 * b));
    }
}

/* A signer's key pairs: the current one and, after a rotation, the one it
 * rotated away from. */
typedef struct sim_key {
    int used;
    qfs_id id;
    uint64_t generation; /* rotations of this signer's key so far */
    int has_prev;
    qfs_public_key pk, prev_pk;
    uint8_t sk[QFS_SECRET_KEY_BYTES], prev_sk[QFS_SECRET_KEY_BYTES];
} sim_key;

/* Keys by signer id, derived on first use: open addressing over a table
 * sized once for every signer the simulation can have, so that a lookup
 * never allocates. The slot order is never seen outside. */
typedef struct keyring {
    uint64_t seed;
    sim_key *slots;
    size_t cap; /* a power of two, at least twice the signers */
} keyring;

static int keyring_init(keyring *k, uint64_t seed, size_t signers_max)
{
    k->seed = seed;
    k->cap = 64;
    while (k->cap < 2 * signers_max)
        k->cap *= 2;
    k->slots = calloc(k->cap, sizeof *k->slots);
    return k->slots ? 0 : -1;
}

static void keyring_free(keyring *k)
{
    if (k->slots)
        qfs_auth_wipe(k->slots, k->cap * sizeof *k->slots);
    free(k->slots);
}

static void derive_pair(qfs_public_key *pk, uint8_t sk[QFS_SECRET_KEY_BYTES], uint64_t seed, const qfs_id *id,
                        uint64_t generation)
{
    uint8_t bytes[QFS_SEED_BYTES];
    derive_seed(bytes, seed, id, generation);
    QFS_ASSERT(qfs_auth_keypair(pk, sk, bytes) == QFS_OK);
}

/* The keys of `id`, derived (generation 0) on first use. The table holds
 * every signer: genesis accounts, holders and registrations were counted
 * when it was sized. */
static sim_key *keyring_get(keyring *k, const qfs_id *id)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (size_t i = 0; i < id->len; i++)
        h = (h ^ (uint8_t)id->bytes[i]) * 0x100000001b3ULL;
    for (size_t n = 0; n < k->cap; n++) {
        sim_key *e = &k->slots[(h + n) & (k->cap - 1)];
        if (e->used && qfs_id_eq(&e->id, id))
            return e;
        if (!e->used) {
            e->used = 1;
            e->id = *id;
            derive_pair(&e->pk, e->sk, k->seed, id, 0);
            return e;
        }
    }
    /* Sized for every signer when the keyring was made: never full. */
    QFS_ASSERT(0);
    return NULL;
}

typedef struct sim_account {
    qfs_id id;
    qfs_account_kind kind;
    qfs_amount balance[QFS_ASSET_COUNT]; /* shadow: what the generator believes */
    qfs_amount staked;
    int voted;             /* has cast a social ballot */
    uint64_t lock_through; /* its ballots hold its T3 and stake through this epoch */
} sim_account;

/* A recent proposal: votes go to proposals still open, each voter once. */
#define PROPOSALS_TRACKED 8
typedef struct sim_proposal {
    int live;
    uint64_t id;
    uint64_t created_epoch;
    uint64_t next_voter; /* voters vote in turn, so none votes twice */
} sim_proposal;

typedef struct sim {
    rng r;
    sim_account *accounts;
    size_t count;
    size_t cap;
    size_t validators; /* accounts[0 .. validators) */
    size_t nodes;      /* accounts[validators .. validators + nodes) */
    uint64_t ts_ms;
    uint64_t epoch;
    uint64_t next_social_id;
    uint64_t next_infra_id;
    uint64_t registered;
    uint64_t registrations_max;
    uint64_t bootstrap; /* events of the bootstrap phase (stakes, reports, telemetry) */
    sim_proposal social[PROPOSALS_TRACKED];
    sim_proposal infra[PROPOSALS_TRACKED];
    keyring *keys; /* NULL with --auth none */
} sim;

static void make_id(qfs_id *id, const char *prefix, uint64_t n)
{
    char buf[QFS_ID_BYTES_MAX + 1];
    int len = snprintf(buf, sizeof buf, "%s-%06llu", prefix, (unsigned long long)n);
    QFS_ASSERT(len > 0 && qfs_id_set(id, buf, (size_t)len) == QFS_OK);
}

static int add_account(sim *s, const char *prefix, uint64_t n, qfs_account_kind kind)
{
    if (s->count == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 256;
        sim_account *na = realloc(s->accounts, ncap * sizeof *na);
        if (!na)
            return -1;
        s->accounts = na;
        s->cap = ncap;
    }
    sim_account *a = &s->accounts[s->count++];
    memset(a, 0, sizeof *a);
    make_id(&a->id, prefix, n);
    a->kind = kind;
    return 0;
}

static sim_account *pick_validator(sim *s)
{
    return &s->accounts[rng_below(&s->r, s->validators)];
}

static sim_account *pick_node(sim *s)
{
    return s->nodes ? &s->accounts[s->validators + rng_below(&s->r, s->nodes)] : NULL;
}

static sim_account *pick_any(sim *s)
{
    return &s->accounts[rng_below(&s->r, s->count)];
}

/* A random fixed-point value in [lo, hi] with 4 significant decimals, the way
 * a meter would report it. */
static uint64_t rng_fp(rng *r, uint64_t lo, uint64_t hi)
{
    uint64_t step = FP_ONE / 10000;
    return lo + rng_below(r, (hi - lo) / step + 1) * step;
}

/* A social or infrastructure parameter and a new value near its default. */
/* A parameter of `domain`, drawn uniformly (one draw of r). */
static const qfs_param_def *pick_param(rng *r, qfs_param_domain domain)
{
    size_t n;
    const qfs_param_def *all = qfs_params_all(&n);
    size_t matching = 0;
    for (size_t i = 0; i < n; i++)
        matching += all[i].domain == domain;
    QFS_ASSERT(matching > 0);
    size_t want = rng_below(r, matching);
    for (size_t i = 0; i < n; i++)
        if (all[i].domain == domain && want-- == 0)
            return &all[i];
    QFS_ASSERT(0);
    return NULL;
}

static void pick_change(rng *r, qfs_param_domain domain, qfs_param_value *out)
{
    const qfs_param_def *def = pick_param(r, domain);
    /* Within 10% of the default: a tenth of it in 20 steps. */
    qfs_amount step = def->default_value / 200;
    qfs_amount lo = def->default_value - 20 * step;
    qfs_amount value = lo + step * rng_range(r, 0, 40);
    if (value < def->min_value)
        value = def->min_value;
    if (value > def->max_value)
        value = def->max_value;
    QFS_ASSERT(qfs_id_set(&out->name, def->name, strlen(def->name)) == QFS_OK);
    out->value = value;
}

/* Votes are cast only in the epoch of the proposal and the next one, well
 * inside the default window of 3 epochs even when governance shortens it. */
static sim_proposal *pick_open(sim *s, sim_proposal *set, uint64_t voters)
{
    size_t start = (size_t)rng_below(&s->r, PROPOSALS_TRACKED);
    for (size_t k = 0; k < PROPOSALS_TRACKED; k++) {
        sim_proposal *p = &set[(start + k) % PROPOSALS_TRACKED];
        if (p->live && p->created_epoch + 1 >= s->epoch && p->next_voter < voters)
            return p;
    }
    return NULL;
}

static void record_proposal(sim_proposal *set, uint64_t id, uint64_t epoch)
{
    sim_proposal *p = &set[id % PROPOSALS_TRACKED];
    p->live = 1;
    p->id = id;
    p->created_epoch = epoch;
    p->next_voter = 0;
}

/* Three validators in four are well attuned (Psi 0.9 to 1); the rest drift
 * between 0.6 and 0.9 and are slashed now and then. */
static uint64_t psi_for(sim *s, size_t validator)
{
    if (validator % 4 != 3)
        return rng_fp(&s->r, FP(900000000000000000), FP_ONE);
    return rng_fp(&s->r, FP(600000000000000000), FP(900000000000000000));
}

/* Whether the model believes the account's T3 and stake are held by ballots. */
static int ballot_locked(const sim *s, const sim_account *a)
{
    return a->voted && s->epoch <= a->lock_through;
}

/* A social proposal by a well-attuned validator (every fourth is weak, see
 * psi_for), changing a social parameter to a value near its default. */
static void social_proposal(sim *s, qfs_event *ev)
{
    sim_account *v = &s->accounts[rng_below(&s->r, s->validators) & ~(uint64_t)3];
    ev->kind = QFS_EVENT_SOCIAL_PROPOSAL;
    ev->u.social_proposal.proposer = v->id;
    record_proposal(s->social, s->next_social_id, s->epoch);
    ev->u.social_proposal.proposal_id = s->next_social_id++;
    pick_change(&s->r, QFS_DOMAIN_SOCIAL, &ev->u.social_proposal.change);
}

/* Two ballots in three are yes, so most proposals pass once quorum is met. */
static qfs_vote_choice vote_choice(sim *s)
{
    uint64_t c = rng_below(&s->r, 6);
    return c < 4 ? QFS_VOTE_YES : c == 4 ? QFS_VOTE_NO : QFS_VOTE_ABSTAIN;
}

static const char *const ACTIONS[] = {"post", "store", "query", "model_call", "follow"};

/* Fills `ev` with the next non-genesis event. */
static void next_event(sim *s, uint64_t index, uint64_t epoch_events, qfs_event *ev)
{
    memset(ev, 0, sizeof *ev);
    s->ts_ms += rng_range(&s->r, 1, 1000);
    ev->timestamp_ms = s->ts_ms;
    if (epoch_events > 0 && index % epoch_events == 0) {
        ev->kind = QFS_EVENT_EPOCH_CLOSE;
        ev->u.epoch_close.epoch = s->epoch++;
        return;
    }
    /* Bootstrap: every validator stakes and reports, every node reports
     * telemetry, so that rewards, votes and NOD allocation start at once. */
    if (index <= s->bootstrap) {
        uint64_t k = index - 1;
        if (k < s->validators) {
            sim_account *v = &s->accounts[k];
            qfs_amount amount = TOKENS(100000 + rng_below(&s->r, 100000));
            v->balance[QFS_ASSET_T1] -= amount;
            v->staked += amount;
            ev->kind = QFS_EVENT_STAKE;
            ev->u.stake = (qfs_ev_stake){v->id, amount};
        } else if (k < 2 * s->validators) {
            ev->kind = QFS_EVENT_COHERENCE_REPORT;
            ev->u.coherence_report.validator = s->accounts[k - s->validators].id;
            ev->u.coherence_report.psi_fp18 = psi_for(s, (size_t)(k - s->validators));
        } else {
            sim_account *n = &s->accounts[s->validators + (k - 2 * s->validators)];
            ev->kind = QFS_EVENT_NODE_TELEMETRY;
            ev->u.node_telemetry.node = n->id;
            ev->u.node_telemetry.uptime_fp18 = rng_fp(&s->r, FP(900000000000000000), FP_ONE);
            ev->u.node_telemetry.replication_fp18 = rng_fp(&s->r, FP(900000000000000000), FP_ONE);
            ev->u.node_telemetry.correctness_fp18 = rng_fp(&s->r, FP(900000000000000000), FP_ONE);
        }
        return;
    }
    uint64_t roll = rng_below(&s->r, 1000);
    if (roll < 250) {
        static const qfs_asset assets[] = {QFS_ASSET_ATR, QFS_ASSET_ATR, QFS_ASSET_T2, QFS_ASSET_T3,
                                           QFS_ASSET_T5,  QFS_ASSET_T1,  QFS_ASSET_T4};
        sim_account *from = pick_any(s);
        sim_account *to = pick_any(s);
        while (to == from && s->count > 1)
            to = pick_any(s);
        qfs_amount fee = rng_fee(&s->r);
        /* An asset the sender holds enough of, as far as the model knows
         * (T3 held by open ballots does not count). */
        qfs_asset asset = assets[rng_below(&s->r, sizeof assets / sizeof assets[0])];
        qfs_amount amount = 0;
        for (size_t tries = 0; tries < 8; tries++) {
            qfs_amount have = asset == QFS_ASSET_T3 && ballot_locked(s, from) ? 0 : from->balance[asset];
            if (asset == QFS_ASSET_ATR)
                have = have > fee ? have - fee : 0;
            if (have > 0) {
                amount = rng_amount_max(&s->r, 6, 22, have); /* 10^-12 to 10^6 tokens */
                break;
            }
            asset = assets[rng_below(&s->r, sizeof assets / sizeof assets[0])];
        }
        if (amount == 0)
            amount = rng_amount(&s->r, 18, 24); /* an overdraft: rejected */
        if (rng_pct(&s->r, 1))
            asset = QFS_ASSET_NOD; /* never transferable: a deliberate rejection */
        if (asset != QFS_ASSET_NOD && from != to && from->balance[asset] >= amount &&
            from->balance[QFS_ASSET_ATR] >= fee + (asset == QFS_ASSET_ATR ? amount : 0)) {
            from->balance[asset] -= amount;
            to->balance[asset] += amount;
            from->balance[QFS_ASSET_ATR] -= fee;
        }
        ev->kind = QFS_EVENT_TRANSFER;
        ev->u.transfer = (qfs_ev_transfer){from->id, to->id, asset, amount, fee};
    } else if (roll < 450) {
        sim_account *a = pick_any(s);
        qfs_amount fee = rng_fee(&s->r);
        if (a->balance[QFS_ASSET_ATR] >= fee)
            a->balance[QFS_ASSET_ATR] -= fee;
        ev->kind = QFS_EVENT_USER_ACTION;
        ev->u.user_action.account = a->id;
        const char *act = ACTIONS[rng_below(&s->r, sizeof ACTIONS / sizeof ACTIONS[0])];
        QFS_ASSERT(qfs_id_set(&ev->u.user_action.action, act, strlen(act)) == QFS_OK);
        ev->u.user_action.fee_atr = fee;
    } else if (roll < 600) {
        size_t vi = (size_t)rng_below(&s->r, s->validators);
        ev->kind = QFS_EVENT_COHERENCE_REPORT;
        ev->u.coherence_report.validator = s->accounts[vi].id;
        ev->u.coherence_report.psi_fp18 = psi_for(s, vi);
    } else if (roll < 680) {
        sim_account *n = pick_node(s);
        if (!n) {
            next_event(s, index, 0, ev);
            return;
        }
        ev->kind = QFS_EVENT_NODE_TELEMETRY;
        ev->u.node_telemetry.node = n->id;
        ev->u.node_telemetry.uptime_fp18 = rng_fp(&s->r, FP(800000000000000000), FP_ONE);
        ev->u.node_telemetry.replication_fp18 = rng_fp(&s->r, FP(800000000000000000), FP_ONE);
        ev->u.node_telemetry.correctness_fp18 = rng_fp(&s->r, FP(700000000000000000), FP_ONE);
    } else if (roll < 730) {
        sim_account *v = pick_validator(s);
        qfs_amount amount = rng_amount(&s->r, 12, 21);
        if (v->balance[QFS_ASSET_T1] >= amount) {
            v->balance[QFS_ASSET_T1] -= amount;
            v->staked += amount;
        }
        ev->kind = QFS_EVENT_STAKE;
        ev->u.stake = (qfs_ev_stake){v->id, amount};
    } else if (roll < 750) {
        /* A validator whose stake no open ballot holds, if there is one;
         * now and then (1%) one whose stake is held, a deliberate rejection. */
        size_t start = (size_t)rng_below(&s->r, s->validators);
        sim_account *v = &s->accounts[start];
        if (!rng_pct(&s->r, 1))
            for (size_t k = 0; k < s->validators; k++) {
                sim_account *c = &s->accounts[(start + k) % s->validators];
                if (!ballot_locked(s, c)) {
                    v = c;
                    break;
                }
            }
        qfs_amount amount = rng_amount(&s->r, 12, 21);
        if (v->staked >= amount)
            v->staked -= amount;
        ev->kind = QFS_EVENT_UNSTAKE;
        ev->u.unstake = (qfs_ev_stake){v->id, amount};
    } else if (roll < 780) {
        sim_account *v = pick_validator(s);
        qfs_amount amount = rng_amount(&s->r, 15, 18); /* 0.001 to 999 T4: Psi + 0.00005 to + 1 */
        if (v->balance[QFS_ASSET_T4] >= amount)
            v->balance[QFS_ASSET_T4] -= amount;
        ev->kind = QFS_EVENT_BOOST;
        ev->u.boost = (qfs_ev_boost){v->id, amount};
    } else if (roll < 850) {
        sim_account *a = pick_any(s);
        ev->kind = QFS_EVENT_MEMORY_CONTRIBUTION;
        ev->u.memory_contribution.contributor = a->id;
        make_id(&ev->u.memory_contribution.memory_node_id, "mem", rng_below(&s->r, 32));
        ev->u.memory_contribution.rphiv_fp18 = rng_fp(&s->r, 0, 100 * FP_ONE);
        ev->u.memory_contribution.lambda_node_fp18 = rng_fp(&s->r, FP(850000000000000000), FP_ONE);
    } else if (roll < 855) {
        social_proposal(s, ev);
    } else if (roll < 915) {
        sim_proposal *p = pick_open(s, s->social, s->validators);
        if (!p && !rng_pct(&s->r, 2)) {
            /* Nothing left to vote on: a new proposal instead. */
            social_proposal(s, ev);
            return;
        }
        if (!p) {
            /* Now and then a vote on a proposal that does not exist. */
            ev->kind = QFS_EVENT_SOCIAL_VOTE;
            ev->u.social_vote.voter = pick_validator(s)->id;
            ev->u.social_vote.proposal_id = s->next_social_id + 1000;
            ev->u.social_vote.choice = QFS_VOTE_YES;
            return;
        }
        /* Weakly attuned validators are seldom eligible: they mostly abstain
         * from voting at all. */
        while (p->next_voter + 1 < s->validators && p->next_voter % 4 == 3 && !rng_pct(&s->r, 10))
            p->next_voter++;
        sim_account *voter = &s->accounts[p->next_voter++];
        /* Ballots hold T3 and stake until the tally: at the latest the
         * close of the epoch after next (the default window is 3). */
        voter->voted = 1;
        if (voter->lock_through < p->created_epoch + 2)
            voter->lock_through = p->created_epoch + 2;
        ev->kind = QFS_EVENT_SOCIAL_VOTE;
        ev->u.social_vote.voter = voter->id;
        ev->u.social_vote.proposal_id = p->id;
        ev->u.social_vote.choice = vote_choice(s);
    } else if (roll < 920) {
        sim_account *n = pick_node(s);
        if (!n) {
            next_event(s, index, 0, ev);
            return;
        }
        ev->kind = QFS_EVENT_INFRA_PROPOSAL;
        ev->u.infra_proposal.proposer = n->id;
        record_proposal(s->infra, s->next_infra_id, s->epoch);
        ev->u.infra_proposal.proposal_id = s->next_infra_id++;
        pick_change(&s->r, QFS_DOMAIN_INFRA, &ev->u.infra_proposal.change);
    } else if (roll < 980) {
        sim_account *n = pick_node(s);
        if (!n) {
            next_event(s, index, 0, ev);
            return;
        }
        /* Nodes hold NOD (and so a vote) from the first allocation on. */
        sim_proposal *p = s->epoch > 0 ? pick_open(s, s->infra, s->nodes) : NULL;
        if (!p) {
            next_event(s, index, 0, ev);
            return;
        }
        ev->kind = QFS_EVENT_INFRA_VOTE;
        ev->u.infra_vote.voter = s->accounts[s->validators + p->next_voter++].id;
        ev->u.infra_vote.proposal_id = p->id;
        ev->u.infra_vote.choice = vote_choice(s);
    } else {
        /* Registrations are rare (0.2% of events): an economy's accounts
         * grow far slower than its activity. */
        if (!rng_pct(&s->r, 10) || s->registered >= s->registrations_max) {
            next_event(s, index, 0, ev);
            return;
        }
        ev->kind = QFS_EVENT_REGISTER_ACCOUNT;
        uint64_t n = s->registered++;
        qfs_account_kind kind = rng_pct(&s->r, 98) ? QFS_ACCOUNT_USER : QFS_ACCOUNT_VALIDATOR;
        make_id(&ev->u.register_account.id, kind == QFS_ACCOUNT_USER ? "new-user" : "new-validator", n);
        ev->u.register_account.kind = kind;
        if (s->keys) {
            ev->u.register_account.key.present = 1;
            ev->u.register_account.key.key = keyring_get(s->keys, &ev->u.register_account.id)->pk;
        }
        /* New accounts are not added to the shadow model: they hold nothing. */
    }
}

typedef struct batch_buf {
    uint8_t *bytes;
    size_t used;
    size_t cap;
    qfs_log_event_bytes *events;
    size_t count;
} batch_buf;

static int batch_add(batch_buf *b, const qfs_event *ev)
{
    size_t need = qfs_codec_encoded_size(ev);
    if (b->cap - b->used < need) {
        size_t ncap = b->cap ? b->cap : 1 << 20;
        while (ncap - b->used < need)
            ncap *= 2;
        uint8_t *nb = realloc(b->bytes, ncap);
        if (!nb)
            return -1;
        /* Re-point the events already in the batch at the moved buffer. */
        for (size_t i = 0; i < b->count; i++)
            b->events[i].data = nb + (b->events[i].data - b->bytes);
        b->bytes = nb;
        b->cap = ncap;
    }
    size_t len = 0;
    if (qfs_codec_encode(ev, b->bytes + b->used, b->cap - b->used, &len) != QFS_OK)
        return -1;
    b->events[b->count].data = b->bytes + b->used;
    b->events[b->count].len = len;
    b->count++;
    b->used += len;
    return 0;
}

/* What authentication adds to a simulation: the keys, the fold in step with
 * the log (a signer's next sequence is the last one the fold accepted + 1,
 * and an event the fold refuses, for its signature or for the economy,
 * leaves it where it was), and the seeded stream of refused events. */
#define ROTATED_TRACKED 64
/* Per 10 000 events: key rotations, and events the fold must refuse for
 * their signature (an extra event before the next one of the economy). */
#define ROTATIONS_PER_10K 5
#define BAD_PER_10K 40

static const char *const HOLDER_IDS[QFS_ROLE_COUNT] = {"authority", "coherence-oracle", "telemetry-oracle",
                                                       "memory-oracle"};

typedef struct auth_sim {
    keyring keys;
    rng fault; /* every draw of what authentication adds; the economy's stream is untouched */
    qfs_state *state;
    qfs_id chain;
    qfs_id holders[QFS_ROLE_COUNT];
    qfs_public_key forger_pk;
    uint8_t forger_sk[QFS_SECRET_KEY_BYTES];
    /* What the verify hint reports for the event being applied: the key it
     * was signed with, and whether its signature was then damaged. */
    const qfs_public_key *signed_with;
    int mangled;
    /* A rotation waiting for its verdict. */
    sim_key *rotating;
    qfs_public_key next_pk;
    uint8_t next_sk[QFS_SECRET_KEY_BYTES];
    /* Accounts whose key was rotated, for events signed with the old key. */
    qfs_id rotated[ROTATED_TRACKED];
    size_t rotated_count;
    uint64_t intruders;
} auth_sim;

/* The fold's signature check asks this first. The simulation signed every
 * event itself, so it knows what verification gives: valid under the key it
 * signed with unless it damaged the signature, invalid under any other (the
 * chance that an Ed25519 signature verifies under a second key is
 * negligible). */
static int verify_hint(void *ctx, uint64_t event_index, const qfs_public_key *key)
{
    const auth_sim *a = ctx;
    (void)event_index;
    if (!a->signed_with)
        return -1;
    return !a->mangled && memcmp(key->bytes, a->signed_with->bytes, QFS_PUBLIC_KEY_BYTES) == 0;
}

/* The signer the fold requires for `ev` (docs/SPEC.md 4.0). */
static const qfs_id *right_signer(const auth_sim *a, const qfs_event *ev)
{
    switch (ev->kind) {
    case QFS_EVENT_COHERENCE_REPORT: return &a->holders[QFS_ROLE_COHERENCE_ORACLE];
    case QFS_EVENT_NODE_TELEMETRY: return &a->holders[QFS_ROLE_TELEMETRY_ORACLE];
    case QFS_EVENT_MEMORY_CONTRIBUTION: return &a->holders[QFS_ROLE_MEMORY_ORACLE];
    case QFS_EVENT_EPOCH_CLOSE: return &a->holders[QFS_ROLE_AUTHORITY];
    case QFS_EVENT_REGISTER_ACCOUNT:
        if (ev->u.register_account.kind != QFS_ACCOUNT_USER)
            return &a->holders[QFS_ROLE_AUTHORITY];
        break;
    case QFS_EVENT_ROTATE_KEY:
        for (int r = 0; r < QFS_ROLE_COUNT; r++)
            if (qfs_id_eq(&ev->u.rotate_key.holder, &a->holders[r]))
                return &a->holders[QFS_ROLE_AUTHORITY];
        break;
    default: break;
    }
    const qfs_id *acting = qfs_auth_acting_account(ev);
    QFS_ASSERT(acting != NULL);
    return acting;
}

/* The signer's next sequence as the fold sees it: its last accepted + 1. */
static uint64_t next_sequence(const auth_sim *a, const qfs_id *signer)
{
    uint64_t last = 0;
    if (qfs_state_signer_sequence(a->state, signer, &last) != QFS_OK)
        last = 0; /* a signer the fold does not know yet */
    return last + 1;
}

static void sign_as(auth_sim *a, qfs_event *ev, const qfs_id *signer, uint64_t sequence,
                    const uint8_t sk[QFS_SECRET_KEY_BYTES], const qfs_public_key *pk)
{
    qfs_id who = *signer; /* `signer` may point into *ev */
    QFS_ASSERT(qfs_auth_sign_event(ev, &who, sequence, &a->chain, sk) == QFS_OK);
    a->signed_with = pk;
    a->mangled = 0;
}

/* Signs an event of the economy as its signer would. */
static void sign_right(auth_sim *a, qfs_event *ev)
{
    const qfs_id *signer = right_signer(a, ev);
    sim_key *k = keyring_get(&a->keys, signer);
    sign_as(a, ev, signer, next_sequence(a, signer), k->sk, &k->pk);
}

/* A rotation of the key of an account (signed by the account) or, one time
 * in eight, of a key holder (signed by the authority) to its next
 * generation. auth_rotation_done() applies it to the keyring once the fold
 * has accepted it. */
static void make_rotation(auth_sim *a, sim *s, uint64_t ts_ms, qfs_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = QFS_EVENT_ROTATE_KEY;
    ev->timestamp_ms = ts_ms;
    const qfs_id *holder = rng_below(&a->fault, 8) == 0 ? &a->holders[rng_below(&a->fault, QFS_ROLE_COUNT)]
                                                        : &s->accounts[rng_below(&a->fault, s->count)].id;
    sim_key *k = keyring_get(&a->keys, holder);
    derive_pair(&a->next_pk, a->next_sk, a->keys.seed, holder, k->generation + 1);
    ev->u.rotate_key.holder = *holder;
    ev->u.rotate_key.key = a->next_pk;
    a->rotating = k;
    sign_right(a, ev);
}

static void auth_rotation_done(auth_sim *a, const qfs_event *ev, uint32_t code)
{
    sim_key *k = a->rotating;
    a->rotating = NULL;
    if (code != QFS_REJECT_NONE)
        return;
    k->prev_pk = k->pk;
    memcpy(k->prev_sk, k->sk, sizeof k->sk);
    k->pk = a->next_pk;
    memcpy(k->sk, a->next_sk, sizeof k->sk);
    k->has_prev = 1;
    k->generation++;
    int holder = 0;
    for (int r = 0; r < QFS_ROLE_COUNT; r++)
        holder |= qfs_id_eq(&ev->u.rotate_key.holder, &a->holders[r]);
    if (!holder)
        a->rotated[a->rotated_count++ % ROTATED_TRACKED] = k->id;
}

/* Makes *bad an event the fold must refuse for its signature, from the
 * next event of the economy (`good`, not yet signed). Kinds, drawn evenly:
 *   forged         signed with the forger's key           bad_signature
 *   mis-signed     one bit of a good signature flipped    bad_signature
 *   replayed       the signer's last accepted sequence    sequence_not_next
 *   gapped         a sequence skipped                     sequence_not_next
 *   wrong signer   e.g. a validator signs its own coherence_report,
 *                  the recipient a transfer               wrong_signer
 *   unknown        an id no genesis or registration named unknown_key
 *   rotated        an account signs with the key it rotated away from
 *                  (a user_action; forged while no key was rotated) rotated_key */
static void make_bad(auth_sim *a, sim *s, const qfs_event *good, qfs_event *bad)
{
    *bad = *good;
    const qfs_id *right = right_signer(a, good);
    sim_key *k = keyring_get(&a->keys, right);
    uint64_t next = next_sequence(a, right);
    uint64_t what = rng_below(&a->fault, 7);
    if (what == 6 && a->rotated_count == 0)
        what = 0;
    if (what == 2 && next == 1)
        what = 3; /* nothing to replay yet */
    switch (what) {
    case 0: sign_as(a, bad, right, next, a->forger_sk, &a->forger_pk); break;
    case 1: {
        sign_as(a, bad, right, next, k->sk, &k->pk);
        uint64_t bit = rng_below(&a->fault, 8 * QFS_SIGNATURE_BYTES);
        bad->signature[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        a->mangled = 1;
        break;
    }
    case 2: sign_as(a, bad, right, next - 1, k->sk, &k->pk); break;
    case 3: sign_as(a, bad, right, next + 1, k->sk, &k->pk); break;
    case 4: {
        const qfs_id *wrong = NULL;
        switch (good->kind) {
        case QFS_EVENT_COHERENCE_REPORT: wrong = &good->u.coherence_report.validator; break;
        case QFS_EVENT_NODE_TELEMETRY: wrong = &good->u.node_telemetry.node; break;
        case QFS_EVENT_MEMORY_CONTRIBUTION: wrong = &good->u.memory_contribution.contributor; break;
        case QFS_EVENT_TRANSFER: wrong = &good->u.transfer.to; break;
        default: wrong = &s->accounts[rng_below(&a->fault, s->count)].id; break;
        }
        if (qfs_id_eq(wrong, right))
            wrong = &a->holders[QFS_ROLE_COHERENCE_ORACLE]; /* a key holder never signs for an account */
        sim_key *w = keyring_get(&a->keys, wrong);
        sign_as(a, bad, wrong, next_sequence(a, wrong), w->sk, &w->pk);
        break;
    }
    case 5: {
        qfs_id intruder;
        make_id(&intruder, "intruder", a->intruders++);
        sign_as(a, bad, &intruder, 1, a->forger_sk, &a->forger_pk);
        break;
    }
    default: {
        size_t n = a->rotated_count < ROTATED_TRACKED ? a->rotated_count : ROTATED_TRACKED;
        sim_key *r = keyring_get(&a->keys, &a->rotated[rng_below(&a->fault, n)]);
        QFS_ASSERT(r->has_prev);
        memset(bad, 0, sizeof *bad);
        bad->kind = QFS_EVENT_USER_ACTION;
        bad->timestamp_ms = good->timestamp_ms;
        bad->u.user_action.account = r->id;
        QFS_ASSERT(qfs_id_set(&bad->u.user_action.action, "post", 4) == QFS_OK);
        bad->u.user_action.fee_atr = qfs_pow10(16);
        sign_as(a, bad, &r->id, next_sequence(a, &r->id), r->prev_sk, &r->prev_pk);
        break;
    }
    }
}

/* ---- Adversarial events ----
 *
 * With --adversarial P (per mille, default 20), before about P in 1000
 * events of the economy an event is added that the fold must refuse for a
 * rule of the economy, drawn evenly from the kinds below, each aimed at one
 * receipt code that a log can carry (docs/SPEC.md 8), or (kind 17) a
 * whale's transfer at the top of the amount domain. They draw from a stream
 * of their own, so the economy's events are those of a run without them but
 * for the proposal ids the campaigns take and the time the outages skip;
 * with authentication they are signed by the right signer at its next
 * sequence, so that the fold reaches the rule and not the signature check
 * (a refused event leaves the sequence where it was). A fold runs beside
 * the writer (without authentication too): the whales and the campaigns
 * are built from its balances, parameters and verdicts.
 *
 * The genesis adds two whales, users outside the economy's model: the first
 * holds every ATR unit the other accounts leave, so that issued ATR is
 * 2^128 - 1; and it sets nod_correctness_floor to 0 (the economy's nodes
 * report a correctness of at least 0.7, so that changes none of its closes).
 *
 * One epoch close in four gets a close of its own before it: an epoch with
 * no events of the economy, holding one of four things drawn evenly (see
 * the main loop): two nodes' telemetry (too few active nodes), a storm of
 * Psi 0 reports (deficit mode, slashing, and the economy's reports bring
 * the network back), an outage longer than any boost and then a storm
 * (every staker's effective Psi 0), or every node's telemetry at 0 (active
 * nodes whose scores are all 0). Every twelfth close is followed by a
 * campaign (adv_campaign). With P = 0 nothing is added, nothing is drawn
 * and no fold runs without authentication. */
#define ADV_KINDS 18
#define ADV_TS_ORIGIN_MS 1700000000000ULL

#define ADV_WHALES 2
/* Longer than the longest boost (boost_duration_ms at most 2 592 000 000,
 * docs/SPEC.md 7): after an outage no boost is active. */
#define ADV_OUTAGE_MS 2592000001ULL
/* A campaign follows the close of every epoch E with E % ADV_CAMPAIGN_EVERY
 * equal to ADV_CAMPAIGN_AT. */
#define ADV_CAMPAIGN_EVERY 12
#define ADV_CAMPAIGN_AT 6

typedef struct adv_sim {
    rng r;
    uint64_t permille;
    uint64_t ghosts;
    /* The fold beside the writer: the campaigns and the whales ask it for
     * balances and parameters, and read its receipts. */
    qfs_state *fold;
    qfs_id whale[ADV_WHALES];
    qfs_param_value genesis_param; /* nod_correctness_floor = 0 */
    qfs_amount t3_supply;          /* T3 is never minted nor burned after the genesis */
    uint64_t campaigns;
    /* The economy's last social ballot, to be cast again in its epoch. */
    int have_vote;
    qfs_ev_vote last_vote;
    uint64_t last_vote_epoch;
} adv_sim;

static void adv_note(adv_sim *d, const sim *s, const qfs_event *ev)
{
    if (ev->kind != QFS_EVENT_SOCIAL_VOTE)
        return;
    d->have_vote = 1;
    d->last_vote = ev->u.social_vote;
    d->last_vote_epoch = s->epoch;
}

/* A parameter of `domain` at its default value. */
static void adv_param(rng *r, qfs_param_domain domain, qfs_param_value *out)
{
    const qfs_param_def *def = pick_param(r, domain);
    QFS_ASSERT(qfs_id_set(&out->name, def->name, strlen(def->name)) == QFS_OK);
    out->value = def->default_value;
}

static void adv_user_action(qfs_event *ev, const qfs_id *account, qfs_amount fee)
{
    ev->kind = QFS_EVENT_USER_ACTION;
    ev->u.user_action.account = *account;
    QFS_ASSERT(qfs_id_set(&ev->u.user_action.action, "post", 4) == QFS_OK);
    ev->u.user_action.fee_atr = fee;
}

/* Makes *ev an event the fold refuses (timestamp `ts_ms` unless the kind
 * needs another). Kinds and the receipt each aims at:
 *   0 a second genesis                                    duplicate_genesis
 *   1 a user_action dated before the genesis              timestamp_regression
 *   2 a transfer to an id never registered                unknown_account
 *   3 registering a genesis account again                 account_exists
 *   4 a stake by a user or a node                         not_validator
 *   5 an infra_vote by a validator                        not_infra_node
 *   6 a transfer of 0                                     zero_amount
 *   7 a transfer to oneself                               self_transfer
 *   8 a user_action paying no fee (the least is 1 unit)    fee_too_low
 *   9 a boost dated 2^64 - 1 ms, whose end overflows      amount_overflow
 *  10 an epoch_close of a later epoch                     wrong_epoch
 *  11 a social proposal on an infrastructure parameter    wrong_governance
 *  12 a social proposal on a genesis-only parameter       param_not_governable
 *  13 a proposal reusing id 0                             duplicate_proposal
 *  14 a vote on social proposal 0, long tallied           proposal_closed
 *  15 the economy's last ballot cast again                duplicate_vote
 *  16 a vote on a social proposal not yet made            unknown_proposal
 *  17 a whale's transfer of nearly all its ATR (accepted): amounts near
 *     2^128 - 1, and a fee of about 2^107 base units whose NOD the epoch's
 *     issuance cap cuts
 * (13 to 15 fall back to kind 2 until there is something to repeat). */
static void make_adversarial(adv_sim *d, const sim *s, const qfs_id *chain, uint64_t ts_ms, qfs_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->timestamp_ms = ts_ms;
    uint64_t what = rng_below(&d->r, ADV_KINDS);
    if ((what == 13 && s->next_social_id == 0) || (what == 14 && (s->next_social_id == 0 || s->epoch < 6)) ||
        (what == 15 && (!d->have_vote || d->last_vote_epoch != s->epoch)))
        what = 2;
    const sim_account *any = &s->accounts[rng_below(&d->r, s->count)];
    const sim_account *val = &s->accounts[rng_below(&d->r, s->validators)];
    switch (what) {
    case 0:
        ev->kind = QFS_EVENT_GENESIS;
        ev->u.genesis.chain_id = *chain;
        ev->u.genesis.auth = QFS_AUTH_NONE;
        break;
    case 1:
        ev->timestamp_ms = ADV_TS_ORIGIN_MS - 1 - rng_below(&d->r, 1000);
        adv_user_action(ev, &any->id, qfs_pow10(16));
        break;
    case 2:
        ev->kind = QFS_EVENT_TRANSFER;
        ev->u.transfer.from = any->id;
        make_id(&ev->u.transfer.to, "ghost", d->ghosts++);
        ev->u.transfer.asset = QFS_ASSET_ATR;
        ev->u.transfer.amount = TOKENS(1);
        ev->u.transfer.fee_atr = qfs_pow10(16);
        break;
    case 3:
        ev->kind = QFS_EVENT_REGISTER_ACCOUNT;
        ev->u.register_account.id = any->id;
        ev->u.register_account.kind = QFS_ACCOUNT_VALIDATOR;
        if (s->keys) {
            ev->u.register_account.key.present = 1;
            ev->u.register_account.key.key = keyring_get(s->keys, &any->id)->pk;
        }
        break;
    case 4: {
        /* The last genesis account is a user, or a node when there is none. */
        const sim_account *other = &s->accounts[s->count - 1];
        if (other->kind == QFS_ACCOUNT_VALIDATOR) {
            ev->kind = QFS_EVENT_GENESIS;
            ev->u.genesis.chain_id = *chain;
            ev->u.genesis.auth = QFS_AUTH_NONE;
            break;
        }
        ev->kind = QFS_EVENT_STAKE;
        ev->u.stake = (qfs_ev_stake){other->id, TOKENS(1)};
        break;
    }
    case 5:
        ev->kind = QFS_EVENT_INFRA_VOTE;
        ev->u.infra_vote.voter = val->id;
        ev->u.infra_vote.proposal_id = 0;
        ev->u.infra_vote.choice = QFS_VOTE_YES;
        break;
    case 6:
    case 7: {
        const sim_account *to = &s->accounts[(size_t)(val - s->accounts + 1) % s->count];
        ev->kind = QFS_EVENT_TRANSFER;
        ev->u.transfer.from = val->id;
        ev->u.transfer.to = what == 7 || to == val ? val->id : to->id;
        ev->u.transfer.asset = QFS_ASSET_ATR;
        ev->u.transfer.amount = what == 6 ? 0 : TOKENS(1);
        ev->u.transfer.fee_atr = qfs_pow10(16);
        break;
    }
    case 8: adv_user_action(ev, &any->id, 0); break;
    case 9:
        ev->timestamp_ms = UINT64_MAX;
        ev->kind = QFS_EVENT_BOOST;
        ev->u.boost = (qfs_ev_boost){val->id, 1};
        break;
    case 10:
        ev->kind = QFS_EVENT_EPOCH_CLOSE;
        ev->u.epoch_close.epoch = s->epoch + 1 + rng_below(&d->r, 3);
        break;
    case 11:
    case 12:
    case 13:
        ev->kind = QFS_EVENT_SOCIAL_PROPOSAL;
        ev->u.social_proposal.proposer = s->accounts[(size_t)(val - s->accounts) & ~(size_t)3].id;
        ev->u.social_proposal.proposal_id = what == 13 ? 0 : s->next_social_id;
        adv_param(&d->r,
                  what == 11   ? QFS_DOMAIN_INFRA
                  : what == 12 ? QFS_DOMAIN_FIXED
                               : QFS_DOMAIN_SOCIAL,
                  &ev->u.social_proposal.change);
        break;
    case 14:
        ev->kind = QFS_EVENT_SOCIAL_VOTE;
        ev->u.social_vote = (qfs_ev_vote){val->id, 0, QFS_VOTE_YES};
        break;
    case 15:
        ev->kind = QFS_EVENT_SOCIAL_VOTE;
        ev->u.social_vote = d->last_vote;
        break;
    case 16:
        ev->kind = QFS_EVENT_SOCIAL_VOTE;
        ev->u.social_vote = (qfs_ev_vote){val->id, s->next_social_id + 1000, QFS_VOTE_NO};
        break;
    default: {
        /* The whale holding more ATR sends nearly all of it to the other,
         * with a fee of 2^-20 of it: amounts near 2^128 - 1, and a fee whose
         * NOD is cut by the epoch's issuance cap. */
        qfs_amount have[ADV_WHALES] = {0, 0};
        for (size_t w = 0; w < ADV_WHALES; w++)
            if (qfs_state_balance(d->fold, &d->whale[w], QFS_ASSET_ATR, &have[w]) != QFS_OK)
                have[w] = 0;
        size_t from = have[1] > have[0];
        qfs_amount fee = have[from] >> 20;
        ev->kind = QFS_EVENT_TRANSFER;
        ev->u.transfer.from = d->whale[from];
        ev->u.transfer.to = d->whale[1 - from];
        ev->u.transfer.asset = QFS_ASSET_ATR;
        ev->u.transfer.amount = have[from] - fee - (fee > 0 ? (qfs_amount)rng_next(&d->r) % fee : 0);
        ev->u.transfer.fee_atr = fee;
        break;
    }
    }
}

/* The genesis; with `a` (--auth ed25519) it names the authority and the
 * oracles and gives every account its key. */
static int build_genesis(sim *s, auth_sim *au, uint64_t seed, uint64_t events, adv_sim *adv, qfs_event *ev,
                         qfs_genesis_account **accounts_out)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = QFS_EVENT_GENESIS;
    ev->u.genesis.auth = au ? QFS_AUTH_ED25519 : QFS_AUTH_NONE;
    ev->timestamp_ms = s->ts_ms;
    char chain[QFS_ID_BYTES_MAX + 1];
    int len = snprintf(chain, sizeof chain, "sim-%llu", (unsigned long long)seed);
    QFS_ASSERT(qfs_id_set(&ev->u.genesis.chain_id, chain, (size_t)len) == QFS_OK);
    if (au) {
        au->chain = ev->u.genesis.chain_id;
        for (int r = 0; r < QFS_ROLE_COUNT; r++) {
            qfs_key_holder *h = &ev->u.genesis.holders[r];
            QFS_ASSERT(qfs_id_set(&au->holders[r], HOLDER_IDS[r], strlen(HOLDER_IDS[r])) == QFS_OK);
            h->present = 1;
            h->id = au->holders[r];
            h->key = keyring_get(&au->keys, &h->id)->pk;
        }
    }
    /* Fees leave the accounts for good (they go to the treasury), about 6.5
     * ATR per event in all; a long simulation starts with enough ATR that
     * every account can keep paying to the end. */
    qfs_amount atr_extra = TOKENS(events / 8);
    size_t whales = adv->permille > 0 ? ADV_WHALES : 0;
    qfs_genesis_account *accounts = calloc(s->count + whales, sizeof *accounts);
    if (!accounts)
        return -1;
    for (size_t i = 0; i < s->count; i++) {
        sim_account *a = &s->accounts[i];
        switch (a->kind) {
        case QFS_ACCOUNT_VALIDATOR:
            a->balance[QFS_ASSET_T1] = TOKENS(10000000);
            a->balance[QFS_ASSET_T3] = TOKENS(10000);
            a->balance[QFS_ASSET_T4] = TOKENS(100000);
            a->balance[QFS_ASSET_ATR] = TOKENS(1000000) + atr_extra;
            break;
        case QFS_ACCOUNT_INFRA_NODE: a->balance[QFS_ASSET_ATR] = TOKENS(1000000) + atr_extra; break;
        default:
            a->balance[QFS_ASSET_T2] = TOKENS(1000);
            a->balance[QFS_ASSET_T3] = TOKENS(1000);
            a->balance[QFS_ASSET_ATR] = TOKENS(100000) + atr_extra;
            break;
        }
        accounts[i].id = a->id;
        accounts[i].kind = a->kind;
        memcpy(accounts[i].balances, a->balance, sizeof a->balance);
    }
    adv->t3_supply = 0;
    for (size_t i = 0; i < s->count; i++)
        adv->t3_supply += accounts[i].balances[QFS_ASSET_T3];
    if (whales > 0) {
        /* The whales (see "Adversarial events"): the first holds every ATR
         * unit the others leave, so that ATR is issued up to 2^128 - 1;
         * the second starts empty. */
        qfs_amount atr = 0;
        for (size_t i = 0; i < s->count; i++)
            atr += accounts[i].balances[QFS_ASSET_ATR];
        for (size_t w = 0; w < whales; w++) {
            qfs_genesis_account *g = &accounts[s->count + w];
            g->id = adv->whale[w];
            g->kind = QFS_ACCOUNT_USER;
            if (w == 0)
                g->balances[QFS_ASSET_ATR] = QFS_AMOUNT_MAX - atr;
        }
        ev->u.genesis.param_count = 1;
        ev->u.genesis.params = &adv->genesis_param;
    }
    for (size_t i = 0; au && i < s->count + whales; i++) {
        accounts[i].key.present = 1;
        accounts[i].key.key = keyring_get(&au->keys, &accounts[i].id)->pk;
    }
    ev->u.genesis.account_count = s->count + whales;
    ev->u.genesis.accounts = accounts;
    *accounts_out = accounts;
    return 0;
}

/* Where the events go: batched into the log, and with authentication also
 * through the fold, whose verdicts decide sequences and rotations. */
typedef struct sink {
    const char *path;
    qfs_log_writer *w;
    batch_buf b;
    uint64_t batch_max;
    uint64_t written; /* events added, the genesis included */
    uint64_t total;
    int tty;
    auth_sim *auth;  /* NULL with --auth none */
    qfs_state *fold; /* with authentication or adversarial events, else NULL */
} sink;

static int flush(sink *o)
{
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_err err = qfs_log_writer_append(o->w, o->b.events, o->b.count, NULL, &diag);
    if (err != QFS_OK)
        return cli_fail("simulate", o->path, err, &diag);
    o->b.count = 0;
    o->b.used = 0;
    if (o->tty)
        fprintf(stderr, "\rqfs simulate: %llu / %llu events", (unsigned long long)o->written,
                (unsigned long long)o->total);
    return 0;
}

/* Adds one event; *code gets the fold's receipt when a fold runs beside the
 * writer, else 0.
 * A batch is written once full, the last one by the caller. */
static int emit(sink *o, const qfs_event *ev, uint32_t *code)
{
    *code = 0;
    if (o->fold) {
        qfs_receipt receipt = {0};
        qfs_err err = qfs_state_apply(o->fold, ev, &receipt);
        if (o->auth)
            o->auth->signed_with = NULL;
        if (err != QFS_OK) {
            cli_error("simulate", "event %llu: the state machine cannot apply it (%s)",
                      (unsigned long long)o->written, qfs_err_str(err));
            return CLI_EXIT_IO;
        }
        *code = receipt.code;
    }
    if (batch_add(&o->b, ev) != 0) {
        cli_error("simulate", "out of memory");
        return CLI_EXIT_IO;
    }
    o->written++;
    return o->b.count == o->batch_max ? flush(o) : 0;
}

/* Signs an adversarial event as its signer would (with authentication) and
 * adds it. */
static int adv_emit(sink *o, qfs_event *ev, uint32_t *code)
{
    if (o->auth)
        sign_right(o->auth, ev);
    return emit(o, ev, code);
}

/* The parameters the campaigns set, in turn, and to which bound of their
 * range: unbonding_epochs 0 (unstaked T1 returns at the close of its own
 * epoch) and t2_deficit_bonus at its most and least. */
static const struct {
    qfs_param_id param;
    int to_max;
} CAMPAIGNS[] = {
    {QFS_PARAM_UNBONDING_EPOCHS, 0},
    {QFS_PARAM_T2_DEFICIT_BONUS, 1},
    {QFS_PARAM_UNBONDING_EPOCHS, 0},
    {QFS_PARAM_T2_DEFICIT_BONUS, 0},
};

/* A campaign, right after the close of an epoch E with E % 12 = 6: a social
 * proposal that sets a parameter to a bound of its range (CAMPAIGNS), and
 * yes-ballots whose quorum weights (the voters' T3 balances) add up to
 * exactly ceil(T3 supply x social_quorum), the least that meets the quorum.
 * One well-attuned validator is the finisher; the other well-attuned ones
 * vote in turn while their T3 leaves room for the finisher's; then users
 * send the finisher the T3 still missing (T3 held by a ballot cannot be
 * sent, but it can always be received) and it votes last. The proposal
 * passes at its tally with the quorum met exactly, unless the validators
 * cannot muster it (right after a coherence storm their weight is 0), and
 * governance applies it gov_apply_delay_epochs later. Every verdict is the
 * fold's; nothing else votes on the proposal, since the economy votes only
 * on its own. */
static int adv_campaign(sink *o, adv_sim *d, sim *s, uint64_t ts_ms)
{
    size_t n;
    const qfs_param_def *def =
        &qfs_params_all(&n)[CAMPAIGNS[d->campaigns % (sizeof CAMPAIGNS / sizeof CAMPAIGNS[0])].param];
    int to_max = CAMPAIGNS[d->campaigns % (sizeof CAMPAIGNS / sizeof CAMPAIGNS[0])].to_max;
    d->campaigns++;
    qfs_event ev;
    uint32_t code = QFS_REJECT_NONE + 1;
    int rc = 0;
    /* The proposer: a well-attuned validator (see psi_for), the next one
     * when it is not eligible. */
    for (size_t k = 0; k < s->validators && code != QFS_REJECT_NONE; k += 4) {
        if (o->written >= o->total)
            return 0;
        memset(&ev, 0, sizeof ev);
        ev.timestamp_ms = ts_ms;
        ev.kind = QFS_EVENT_SOCIAL_PROPOSAL;
        ev.u.social_proposal.proposer = s->accounts[((4 * d->campaigns + k) % s->validators) & ~(size_t)3].id;
        ev.u.social_proposal.proposal_id = s->next_social_id++;
        QFS_ASSERT(qfs_id_set(&ev.u.social_proposal.change.name, def->name, strlen(def->name)) == QFS_OK);
        ev.u.social_proposal.change.value = to_max ? def->max_value : def->min_value;
        if ((rc = adv_emit(o, &ev, &code)) != 0)
            return rc;
    }
    if (code != QFS_REJECT_NONE)
        return 0;
    uint64_t id = ev.u.social_proposal.proposal_id;
    qfs_amount need = 0, cast = 0;
    if (qfs_mul_div(&need, d->t3_supply, qfs_state_param(d->fold, QFS_PARAM_SOCIAL_QUORUM), QFS_FP18_ONE,
                    QFS_ROUND_CEIL) != QFS_OK)
        return 0;
    /* The finisher votes last; the others vote while their T3 leaves room
     * for the finisher's. */
    size_t finisher = ((4 * d->campaigns + 1) % s->validators) & ~(size_t)3;
    for (size_t k = 0; k <= s->validators && cast < need && o->written + 2 <= o->total; k++) {
        size_t v = k < s->validators ? k : finisher;
        if ((k < s->validators && (v % 4 == 3 || v == finisher)) || v >= s->validators)
            continue;
        sim_account *a = &s->accounts[v];
        qfs_amount bal = 0, fin = 0;
        if (qfs_state_balance(d->fold, &a->id, QFS_ASSET_T3, &bal) != QFS_OK ||
            qfs_state_balance(d->fold, &s->accounts[finisher].id, QFS_ASSET_T3, &fin) != QFS_OK)
            break;
        if (k < s->validators && (bal == 0 || (need - cast) < fin || bal > (need - cast) - fin))
            continue;
        /* The finisher: users send it the T3 it lacks, each what it has.
         * A transfer to a validator is never held by a ballot. */
        for (size_t u = s->validators + s->nodes; k == s->validators && bal < need - cast && u < s->count;
             u++) {
            qfs_amount has = 0;
            if (o->written + 2 > o->total)
                return 0;
            if (qfs_state_balance(d->fold, &s->accounts[u].id, QFS_ASSET_T3, &has) != QFS_OK || has == 0)
                continue;
            qfs_amount give = has < need - cast - bal ? has : need - cast - bal;
            memset(&ev, 0, sizeof ev);
            ev.timestamp_ms = ts_ms;
            ev.kind = QFS_EVENT_TRANSFER;
            ev.u.transfer = (qfs_ev_transfer){s->accounts[u].id, a->id, QFS_ASSET_T3, give, qfs_pow10(16)};
            if ((rc = adv_emit(o, &ev, &code)) != 0)
                return rc;
            if (code == QFS_REJECT_NONE) {
                sim_account *from = &s->accounts[u];
                from->balance[QFS_ASSET_T3] =
                    from->balance[QFS_ASSET_T3] > give ? from->balance[QFS_ASSET_T3] - give : 0;
                if (from->balance[QFS_ASSET_ATR] >= qfs_pow10(16))
                    from->balance[QFS_ASSET_ATR] -= qfs_pow10(16);
                a->balance[QFS_ASSET_T3] += give;
                bal += give;
            }
        }
        if (bal == 0 || bal > need - cast)
            break;
        memset(&ev, 0, sizeof ev);
        ev.timestamp_ms = ts_ms;
        ev.kind = QFS_EVENT_SOCIAL_VOTE;
        ev.u.social_vote = (qfs_ev_vote){a->id, id, QFS_VOTE_YES};
        if ((rc = adv_emit(o, &ev, &code)) != 0)
            return rc;
        if (code == QFS_REJECT_NONE) {
            cast += bal;
            /* The economy's model: this ballot holds the validator's T3 and
             * stake through the proposal's end. */
            a->voted = 1;
            if (a->lock_through < s->epoch + 2)
                a->lock_through = s->epoch + 2;
        }
    }
    return 0;
}

int cmd_simulate(int argc, char **argv)
{
    uint64_t seed = 0, events = 0, validators = 16, nodes = 5, users = 64, epoch_events = 1000, batch = 4096,
             registrations = 2000, adversarial = 20;
    int have_seed = 0, have_events = 0, force = 0;
    qfs_auth_mode auth_mode = QFS_AUTH_ED25519;
    const char *out_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout("simulate");
        }
#define U64_OPT(flag, var)                                                                                   \
    if ((m = cli_opt_value("simulate", argc, argv, &i, flag, &v)) != 0) {                                    \
        if (m < 0 || cli_parse_u64("simulate", flag, v, &var) != 0)                                          \
            return CLI_EXIT_USAGE;                                                                           \
        continue;                                                                                            \
    }
        if ((m = cli_opt_value("simulate", argc, argv, &i, "--seed", &v)) != 0) {
            if (m < 0 || cli_parse_u64("simulate", "--seed", v, &seed) != 0)
                return CLI_EXIT_USAGE;
            have_seed = 1;
            continue;
        }
        if ((m = cli_opt_value("simulate", argc, argv, &i, "--events", &v)) != 0) {
            if (m < 0 || cli_parse_u64("simulate", "--events", v, &events) != 0)
                return CLI_EXIT_USAGE;
            have_events = 1;
            continue;
        }
        U64_OPT("--validators", validators)
        U64_OPT("--nodes", nodes)
        U64_OPT("--users", users)
        U64_OPT("--registrations", registrations)
        U64_OPT("--epoch-events", epoch_events)
        U64_OPT("--batch", batch)
        U64_OPT("--adversarial", adversarial)
#undef U64_OPT
        if ((m = cli_opt_value("simulate", argc, argv, &i, "--auth", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            if (qfs_auth_mode_parse(&auth_mode, v, strlen(v)) != QFS_OK)
                return cli_usage_error("simulate", "--auth must be ed25519 or none, not '%s'", v);
            continue;
        }
        if ((m = cli_opt_value("simulate", argc, argv, &i, "-o", &v)) != 0 ||
            (m = cli_opt_value("simulate", argc, argv, &i, "--output", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            out_path = v;
        } else if (strcmp(argv[i], "--force") == 0) {
            force = 1;
        } else {
            return cli_usage_error("simulate", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!have_seed)
        return cli_usage_error("simulate", "missing --seed");
    if (!have_events || events < 1)
        return cli_usage_error("simulate", "--events must be given and at least 1");
    if (!out_path)
        return cli_usage_error("simulate", "missing -o LOG");
    if (validators < 1 || validators > 10000)
        return cli_usage_error("simulate", "--validators must be 1 to 10000");
    if (nodes > 10000)
        return cli_usage_error("simulate", "--nodes must be 0 to 10000");
    if (users > 50000)
        return cli_usage_error("simulate", "--users must be 0 to 50000");
    if (adversarial > 1000)
        return cli_usage_error("simulate", "--adversarial must be 0 to 1000");
    if (batch < 1 || batch > QFS_LOG_BATCH_EVENTS_MAX)
        return cli_usage_error("simulate", "--batch must be 1 to %u", QFS_LOG_BATCH_EVENTS_MAX);
    if (access(out_path, F_OK) == 0) {
        if (!force) {
            cli_error("simulate", "%s: exists; use --force to replace it", out_path);
            return CLI_EXIT_USAGE;
        }
        if (unlink(out_path) != 0) {
            cli_error("simulate", "%s: cannot remove: %s", out_path, strerror(errno));
            return CLI_EXIT_IO;
        }
    }

    sim s;
    memset(&s, 0, sizeof s);
    s.r.s = seed;
    s.ts_ms = ADV_TS_ORIGIN_MS; /* a fixed origin: simulated time never reads a clock */
    int oom = 0;
    for (uint64_t i = 0; i < validators && !oom; i++)
        oom = add_account(&s, "validator", i, QFS_ACCOUNT_VALIDATOR);
    for (uint64_t i = 0; i < nodes && !oom; i++)
        oom = add_account(&s, "node", i, QFS_ACCOUNT_INFRA_NODE);
    for (uint64_t i = 0; i < users && !oom; i++)
        oom = add_account(&s, "user", i, QFS_ACCOUNT_USER);
    s.validators = (size_t)validators;
    s.nodes = (size_t)nodes;
    s.bootstrap = 2 * validators + nodes;
    s.registrations_max = registrations;

    auth_sim *au = NULL;
    if (!oom && auth_mode == QFS_AUTH_ED25519) {
        au = calloc(1, sizeof *au);
        qfs_state_options opt = {.verify_hint = verify_hint, .verify_ctx = au};
        oom = !au ||
              keyring_init(&au->keys, seed, s.count + (size_t)registrations + QFS_ROLE_COUNT + ADV_WHALES) !=
                  0 ||
              qfs_state_create(&au->state, &opt) != QFS_OK;
        if (!oom) {
            /* The fault stream: splitmix64 from a state of its own. */
            au->fault.s = cli_splitmix64(seed ^ 0x6661756c74730000ULL); /* "faults" */
            qfs_id forger;
            QFS_ASSERT(qfs_id_set(&forger, "forger", 6) == QFS_OK);
            derive_pair(&au->forger_pk, au->forger_sk, seed, &forger, 0);
            s.keys = &au->keys;
        }
    }

    /* The adversarial stream: splitmix64 from a state of its own. */
    adv_sim adv;
    memset(&adv, 0, sizeof adv);
    adv.permille = adversarial;
    adv.r.s = cli_splitmix64(seed ^ 0x6164766572730000ULL); /* "advers" */
    for (uint64_t w = 0; w < ADV_WHALES; w++)
        make_id(&adv.whale[w], "whale", w);
    QFS_ASSERT(qfs_id_set(&adv.genesis_param.name, "nod_correctness_floor", 21) == QFS_OK);
    adv.genesis_param.value = 0;
    /* Adversarial events are built from the fold's balances and verdicts:
     * without authentication a fold runs beside the writer for them. */
    qfs_state *fold = au ? au->state : NULL;
    if (!oom && !au && adversarial > 0)
        oom = qfs_state_create(&fold, NULL) != QFS_OK;
    adv.fold = fold;

    sink out;
    memset(&out, 0, sizeof out);
    out.path = out_path;
    out.batch_max = batch;
    out.total = events;
    out.tty = cli_stderr_is_tty();
    out.auth = au;
    out.fold = fold;
    out.b.events = malloc(sizeof *out.b.events * (size_t)batch);
    qfs_event ev;
    qfs_genesis_account *genesis_accounts = NULL;
    int rc = 0;
    if (oom || !out.b.events || build_genesis(&s, au, seed, events, &adv, &ev, &genesis_accounts) != 0) {
        cli_error("simulate", "out of memory");
        rc = CLI_EXIT_IO;
    }
    if (rc == 0) {
        qfs_hash128 schema;
        qfs_codec_schema_hash(&schema);
        qfs_diag diag;
        qfs_diag_clear(&diag);
        qfs_err err = qfs_log_writer_open(&out.w, out_path, &schema, NULL, NULL, &diag);
        if (err != QFS_OK)
            rc = cli_fail("simulate", out_path, err, &diag);
    }
    uint32_t code = 0;
    qfs_id chain = ev.u.genesis.chain_id;
    if (rc == 0 && adversarial > 0 && events >= 3) {
        /* Two events the fold refuses before the genesis: one of another
         * kind (no_genesis) and a genesis that gives NOD to an account that
         * is not an infrastructure node (nod_holder_not_infra). */
        qfs_event pre;
        memset(&pre, 0, sizeof pre);
        pre.timestamp_ms = ev.timestamp_ms;
        adv_user_action(&pre, &s.accounts[0].id, qfs_pow10(16));
        if (au) {
            sim_key *k = keyring_get(&au->keys, &s.accounts[0].id);
            sign_as(au, &pre, &s.accounts[0].id, 1, k->sk, &k->pk);
        }
        rc = emit(&out, &pre, &code);
        size_t holder = s.validators + s.nodes < s.count ? s.validators + s.nodes : 0;
        qfs_amount nod = genesis_accounts[holder].balances[QFS_ASSET_NOD];
        genesis_accounts[holder].balances[QFS_ASSET_NOD] = 1;
        if (rc == 0)
            rc = emit(&out, &ev, &code);
        genesis_accounts[holder].balances[QFS_ASSET_NOD] = nod;
    }
    if (rc == 0)
        rc = emit(&out, &ev, &code);
    free(genesis_accounts);
    /* Each event of the economy may be preceded by an adversarial event
     * and, with authentication, by an event that rotates a key or one the
     * fold must refuse for its signature; `step` counts the economy's
     * events alone, so that epochs close as they do without them. */
    qfs_event good, extra;
    int have_good = 0, bad_done = 0, adv_done = 0;
    uint64_t step = 1;
    while (rc == 0 && out.written < events) {
        if (!have_good) {
            next_event(&s, step++, epoch_events, &good);
            have_good = 1;
            bad_done = 0;
            adv_done = 0;
            if (adversarial > 0 && good.kind == QFS_EVENT_EPOCH_CLOSE && rng_below(&adv.r, 4) == 0) {
                /* A quiet epoch: a close right before the economy's. */
                memset(&extra, 0, sizeof extra);
                extra.kind = QFS_EVENT_EPOCH_CLOSE;
                extra.timestamp_ms = good.timestamp_ms;
                extra.u.epoch_close.epoch = good.u.epoch_close.epoch;
                good.u.epoch_close.epoch = s.epoch++;
                if (au)
                    sign_right(au, &extra);
                rc = emit(&out, &extra, &code);
                /* What the quiet epoch holds, drawn evenly:
                 * 0  telemetry of two nodes: fewer active nodes than
                 *    nod_min_active_nodes (3 by default), the pool
                 *    carries over;
                 * 1  a coherence storm: every validator reported at Psi 0,
                 *    so that the quiet epoch closes in deficit mode (no
                 *    memory contribution lifts it) and slashes; the
                 *    economy's reports bring it back;
                 * 2  an outage longer than any boost, then a storm: every
                 *    staker's effective Psi is 0 at the close;
                 * 3  every node reports uptime, replication and
                 *    correctness 0: active (the genesis sets
                 *    nod_correctness_floor to 0) with a score of 0 each. */
                uint64_t quiet = rng_below(&adv.r, 4);
                if (quiet == 2) {
                    s.ts_ms += ADV_OUTAGE_MS;
                    good.timestamp_ms += ADV_OUTAGE_MS;
                }
                size_t count = quiet == 1 || quiet == 2 ? s.validators
                               : quiet == 3             ? s.nodes
                               : s.nodes < 2            ? s.nodes
                                                        : 2;
                for (size_t v = 0; v < count; v++) {
                    if (rc != 0 || out.written >= events)
                        break;
                    memset(&extra, 0, sizeof extra);
                    extra.timestamp_ms = good.timestamp_ms;
                    if (quiet == 1 || quiet == 2) {
                        extra.kind = QFS_EVENT_COHERENCE_REPORT;
                        extra.u.coherence_report.validator = s.accounts[v].id;
                        extra.u.coherence_report.psi_fp18 = 0;
                    } else {
                        extra.kind = QFS_EVENT_NODE_TELEMETRY;
                        extra.u.node_telemetry.node = s.accounts[s.validators + v].id;
                        if (quiet == 0) {
                            extra.u.node_telemetry.uptime_fp18 = FP(950000000000000000);
                            extra.u.node_telemetry.replication_fp18 = FP(950000000000000000);
                            extra.u.node_telemetry.correctness_fp18 = FP(950000000000000000);
                        }
                    }
                    if (au)
                        sign_right(au, &extra);
                    rc = emit(&out, &extra, &code);
                }
                continue;
            }
        }
        if (adversarial > 0 && !adv_done && rng_below(&adv.r, 1000) < adversarial) {
            make_adversarial(&adv, &s, &chain, good.timestamp_ms, &extra);
            if (au && extra.kind != QFS_EVENT_GENESIS)
                sign_right(au, &extra);
            rc = emit(&out, &extra, &code);
            adv_done = 1;
            continue;
        }
        if (!au) {
            rc = emit(&out, &good, &code);
            adv_note(&adv, &s, &good);
            have_good = 0;
            if (rc == 0 && adversarial > 0 && good.kind == QFS_EVENT_EPOCH_CLOSE && code == QFS_REJECT_NONE &&
                good.u.epoch_close.epoch % ADV_CAMPAIGN_EVERY == ADV_CAMPAIGN_AT)
                rc = adv_campaign(&out, &adv, &s, good.timestamp_ms);
            continue;
        }
        uint64_t roll = rng_below(&au->fault, 10000);
        if (roll < ROTATIONS_PER_10K) {
            make_rotation(au, &s, good.timestamp_ms, &extra);
            rc = emit(&out, &extra, &code);
            auth_rotation_done(au, &extra, code);
        } else if (roll < ROTATIONS_PER_10K + BAD_PER_10K && !bad_done) {
            make_bad(au, &s, &good, &extra);
            rc = emit(&out, &extra, &code);
            bad_done = 1;
        } else {
            sign_right(au, &good);
            rc = emit(&out, &good, &code);
            if (code == QFS_REJECT_NONE)
                adv_note(&adv, &s, &good);
            have_good = 0;
            if (rc == 0 && adversarial > 0 && good.kind == QFS_EVENT_EPOCH_CLOSE && code == QFS_REJECT_NONE &&
                good.u.epoch_close.epoch % ADV_CAMPAIGN_EVERY == ADV_CAMPAIGN_AT)
                rc = adv_campaign(&out, &adv, &s, good.timestamp_ms);
        }
    }
    if (rc == 0 && out.b.count > 0)
        rc = flush(&out);
    if (rc == 0 && fold) {
        /* The fold ran beside the writer: its totals must still add up. */
        qfs_diag diag;
        qfs_diag_clear(&diag);
        if (qfs_state_check_invariants(fold, &diag) != QFS_OK) {
            cli_error("simulate", "%s: the state of the simulated log breaks an invariant: %s", out_path,
                      diag.message);
            rc = CLI_EXIT_DATA;
        }
    }
    if (out.tty)
        fputs("\r\033[K", stderr);
    qfs_log_writer_free(out.w);
    free(out.b.bytes);
    free(out.b.events);
    free(s.accounts);
    if (!au)
        qfs_state_free(fold);
    if (au) {
        qfs_state_free(au->state);
        keyring_free(&au->keys);
        qfs_auth_wipe(au, sizeof *au);
        free(au);
    }
    if (rc != 0)
        return rc;
    printf("simulated %llu events (seed %llu) into %s\n", (unsigned long long)events,
           (unsigned long long)seed, out_path);
    return cli_finish_stdout("simulate");
}
