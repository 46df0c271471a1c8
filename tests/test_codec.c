/* Protobuf encoding and decoding of events. Expected bytes are worked out by
 * hand from the wire rules (tag = field << 3 | wire type; varints of 7 bits,
 * low group first, high bit set on all but the last byte), not taken from the
 * code. Hostile inputs are built with the generated structs or by hand. */
#include "qfs/codec.h"
#include "qfs/v1/event.pb-c.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static qfs_arena *new_arena(void)
{
    qfs_arena *a = NULL;
    ck_assert_int_eq(qfs_arena_create(&a, 1 << 16), QFS_OK);
    return a;
}

static void set_id(qfs_id *id, const char *s)
{
    ck_assert_int_eq(qfs_id_set(id, s, strlen(s)), QFS_OK);
}

/* timestamp_ms 300, transfer a -> b of 5 T2 (5 x 10^18 base units) with a
 * fee of 0.001 ATR (10^15 base units). An amount is a bytes field: the
 * count E of its trailing decimal zeros, then the rest big-endian.
 *   08 ac 02        field 1 (timestamp_ms), varint 300 = 0b10_0101100 -> ac 02
 *   62 10           field 12 (transfer), length-delimited, 16 bytes:
 *     0a 01 61      field 1 (from) "a"
 *     12 01 62      field 2 (to) "b"
 *     18 02         field 3 (asset) ASSET_T2
 *     22 02 12 05   field 4 (amount), 2 bytes: E = 18 (0x12), mantissa 5
 *     2a 02 0f 01   field 5 (fee_atr), 2 bytes: E = 15 (0x0f), mantissa 1 */
static const uint8_t TRANSFER_BYTES[] = {0x08, 0xac, 0x02, 0x62, 0x10, 0x0a, 0x01, 0x61, 0x12, 0x01, 0x62,
                                         0x18, 0x02, 0x22, 0x02, 0x12, 0x05, 0x2a, 0x02, 0x0f, 0x01};
#define E18 ((qfs_amount)1000000000000000000ULL)

static qfs_event transfer_event(void)
{
    qfs_event ev;
    memset(&ev, 0, sizeof ev);
    ev.timestamp_ms = 300;
    ev.kind = QFS_EVENT_TRANSFER;
    set_id(&ev.u.transfer.from, "a");
    set_id(&ev.u.transfer.to, "b");
    ev.u.transfer.asset = QFS_ASSET_T2;
    ev.u.transfer.amount = 5 * E18;
    ev.u.transfer.fee_atr = E18 / 1000;
    return ev;
}

START_TEST(test_codec_encode__hand_worked_transfer)
{
    qfs_event ev = transfer_event();
    uint8_t buf[64];
    size_t n = 0;
    ck_assert_int_eq(qfs_codec_encode(&ev, buf, sizeof buf, &n), QFS_OK);
    ck_assert_uint_eq(n, sizeof TRANSFER_BYTES);
    ck_assert_mem_eq(buf, TRANSFER_BYTES, n);
    ck_assert_uint_eq(qfs_codec_encoded_size(&ev), sizeof TRANSFER_BYTES);

    qfs_arena *arena = new_arena();
    qfs_event back;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    ck_assert_int_eq(qfs_codec_decode(&back, TRANSFER_BYTES, sizeof TRANSFER_BYTES, arena, &diag), QFS_OK);
    ck_assert_mem_eq(&back, &ev, sizeof ev);
    qfs_arena_free(arena);
}
END_TEST

/* A zero fee is a proto3 default and is left out: the body shrinks by the four
 * bytes 2a 02 0f 01. Epoch 0 closes with an empty but present body:
 *   c2 01 00   field 24 (epoch_close): tag 24 << 3 | 2 = 194 = varint c2 01,
 *              length 0; timestamp_ms 0 is left out. */
START_TEST(test_codec_encode__defaults_left_out)
{
    qfs_event ev = transfer_event();
    ev.u.transfer.fee_atr = 0;
    uint8_t buf[64];
    size_t n = 0;
    ck_assert_int_eq(qfs_codec_encode(&ev, buf, sizeof buf, &n), QFS_OK);
    static const uint8_t no_fee[] = {0x08, 0xac, 0x02, 0x62, 0x0c, 0x0a, 0x01, 0x61, 0x12,
                                     0x01, 0x62, 0x18, 0x02, 0x22, 0x02, 0x12, 0x05};
    ck_assert_uint_eq(n, sizeof no_fee);
    ck_assert_mem_eq(buf, no_fee, n);

    memset(&ev, 0, sizeof ev);
    ev.kind = QFS_EVENT_EPOCH_CLOSE;
    ck_assert_int_eq(qfs_codec_encode(&ev, buf, sizeof buf, &n), QFS_OK);
    static const uint8_t epoch0[] = {0xc2, 0x01, 0x00};
    ck_assert_uint_eq(n, sizeof epoch0);
    ck_assert_mem_eq(buf, epoch0, n);

    qfs_arena *arena = new_arena();
    qfs_event back;
    ck_assert_int_eq(qfs_codec_decode(&back, epoch0, sizeof epoch0, arena, NULL), QFS_OK);
    ck_assert_int_eq(back.kind, QFS_EVENT_EPOCH_CLOSE);
    ck_assert_uint_eq(back.u.epoch_close.epoch, 0);
    qfs_arena_free(arena);
}
END_TEST

/* Genesis "c" with one parameter t2_pool = 20000 T2 (2 x 10^22 base units)
 * and one validator "v" holding 123 base units of T1 (its zero T2 is left
 * out):
 *   52 23                        field 10 (genesis), 35 bytes:
 *     0a 01 63                   field 1 (chain_id) "c"
 *     12 0d                      field 2 (params), 13 bytes:
 *       0a 07 t2_pool            field 1 (name)
 *       12 02 16 02              field 2 (value), 2 bytes: E = 22 (0x16), mantissa 2
 *     1a 0d                      field 3 (accounts), 13 bytes:
 *       0a 01 76                 field 1 (id) "v"
 *       10 02                    field 2 (kind) VALIDATOR
 *       1a 06 08 01 12 02 00 7b  field 3 (balances): asset T1, amount E = 0, mantissa 123
 *     20 01                      field 4 (authentication) NONE */
static const uint8_t GENESIS_BYTES[] = {0x52, 0x23, 0x0a, 0x01, 0x63, 0x12, 0x0d, 0x0a, 0x07, 't',
                                        '2',  '_',  'p',  'o',  'o',  'l',  0x12, 0x02, 0x16, 0x02,
                                        0x1a, 0x0d, 0x0a, 0x01, 0x76, 0x10, 0x02, 0x1a, 0x06, 0x08,
                                        0x01, 0x12, 0x02, 0x00, 0x7b, 0x20, 0x01};

START_TEST(test_codec_encode__hand_worked_genesis)
{
    qfs_param_value param;
    memset(&param, 0, sizeof param);
    set_id(&param.name, "t2_pool");
    param.value = 20000 * E18;
    qfs_genesis_account acc;
    memset(&acc, 0, sizeof acc);
    set_id(&acc.id, "v");
    acc.kind = QFS_ACCOUNT_VALIDATOR;
    acc.balances[QFS_ASSET_T1] = 123;
    qfs_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = QFS_EVENT_GENESIS;
    ev.u.genesis.auth = QFS_AUTH_NONE;
    set_id(&ev.u.genesis.chain_id, "c");
    ev.u.genesis.param_count = 1;
    ev.u.genesis.params = &param;
    ev.u.genesis.account_count = 1;
    ev.u.genesis.accounts = &acc;

    uint8_t buf[128];
    size_t n = 0;
    ck_assert_int_eq(qfs_codec_encode(&ev, buf, sizeof buf, &n), QFS_OK);
    ck_assert_uint_eq(n, sizeof GENESIS_BYTES);
    ck_assert_mem_eq(buf, GENESIS_BYTES, n);

    qfs_arena *arena = new_arena();
    qfs_event back;
    ck_assert_int_eq(qfs_codec_decode(&back, GENESIS_BYTES, sizeof GENESIS_BYTES, arena, NULL), QFS_OK);
    ck_assert_int_eq(back.kind, QFS_EVENT_GENESIS);
    ck_assert_uint_eq(back.u.genesis.param_count, 1);
    ck_assert_mem_eq(&back.u.genesis.params[0], &param, sizeof param);
    ck_assert_uint_eq(back.u.genesis.account_count, 1);
    ck_assert_mem_eq(&back.u.genesis.accounts[0], &acc, sizeof acc);
    qfs_arena_free(arena);
}
END_TEST

START_TEST(test_codec_encode__limits_and_invalid_events)
{
    qfs_event ev = transfer_event();
    uint8_t buf[64];
    size_t n = 0;
    ck_assert_int_eq(qfs_codec_encode(&ev, buf, sizeof TRANSFER_BYTES - 1, &n), QFS_E_LIMIT);
    ev.u.transfer.asset = QFS_ASSET_NONE;
    ck_assert_int_eq(qfs_codec_encode(&ev, buf, sizeof buf, &n), QFS_E_INVALID_ARG);
    ev.u.transfer.asset = (qfs_asset)8;
    ck_assert_int_eq(qfs_codec_encode(&ev, buf, sizeof buf, &n), QFS_E_INVALID_ARG);
    ev = transfer_event();
    ev.u.transfer.from.bytes[0] = ' ';
    ck_assert_int_eq(qfs_codec_encode(&ev, buf, sizeof buf, &n), QFS_E_INVALID_ARG);
    ev = transfer_event();
    ev.kind = (qfs_event_kind)99;
    ck_assert_int_eq(qfs_codec_encode(&ev, buf, sizeof buf, &n), QFS_E_INVALID_ARG);
    ck_assert_uint_eq(qfs_codec_encoded_size(&ev), 0);
}
END_TEST

/* Packs a message built by hand with the generated structs. */
static size_t pack(const ProtobufCMessage *m, uint8_t *buf, size_t cap)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    ck_assert_uint_le(n, cap);
    return protobuf_c_message_pack(m, buf);
}

static void expect_decode_error(const uint8_t *data, size_t len, qfs_err want, const char *message)
{
    qfs_arena *arena = new_arena();
    qfs_event ev;
    memset(&ev, 0x5a, sizeof ev);
    qfs_event before = ev;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_err err = qfs_codec_decode(&ev, data, len, arena, &diag);
    ck_assert_msg(err == want, "got %d (%s), want %d", err, diag.message, want);
    if (message)
        ck_assert_msg(strstr(diag.message, message) != NULL, "\"%s\" lacks \"%s\"", diag.message, message);
    ck_assert_mem_eq(&ev, &before, sizeof ev);
    qfs_arena_free(arena);
}

START_TEST(test_codec_decode__missing_body)
{
    static const uint8_t only_time[] = {0x08, 0xac, 0x02};
    expect_decode_error(only_time, sizeof only_time, QFS_E_DECODE, "event has no body");
    expect_decode_error(only_time, 0, QFS_E_DECODE, "event has no body");
}
END_TEST

START_TEST(test_codec_decode__unknown_fields)
{
    /* Field 4 of the envelope, varint 1: 20 01. */
    uint8_t buf[64];
    memcpy(buf, TRANSFER_BYTES, sizeof TRANSFER_BYTES);
    buf[sizeof TRANSFER_BYTES] = 0x20;
    buf[sizeof TRANSFER_BYTES + 1] = 0x01;
    expect_decode_error(buf, sizeof TRANSFER_BYTES + 2, QFS_E_DECODE, "event: unknown field number 4");
    /* Field 9 inside the transfer, varint 7: 48 07; the body grows to 18. */
    memcpy(buf, TRANSFER_BYTES, sizeof TRANSFER_BYTES);
    buf[4] = 0x12;
    buf[sizeof TRANSFER_BYTES] = 0x48;
    buf[sizeof TRANSFER_BYTES + 1] = 0x07;
    expect_decode_error(buf, sizeof TRANSFER_BYTES + 2, QFS_E_DECODE, "transfer: unknown field number 9");
    /* A field number the envelope does not have, as a length-delimited one. */
    static const uint8_t unknown_body[] = {0xd2, 0x01, 0x00}; /* field 26 */
    expect_decode_error(unknown_body, sizeof unknown_body, QFS_E_DECODE, "unknown field number 26");
}
END_TEST

START_TEST(test_codec_decode__bad_enum_values)
{
    uint8_t buf[64];
    memcpy(buf, TRANSFER_BYTES, sizeof TRANSFER_BYTES);
    buf[12] = 0x08; /* asset 8: one past ATR */
    expect_decode_error(buf, sizeof TRANSFER_BYTES, QFS_E_DECODE, "transfer.asset: unknown enum value 8");

    /* Asset 0 (UNSPECIFIED) is simply left out by an encoder: drop 18 02. */
    static const uint8_t no_asset[] = {0x08, 0xac, 0x02, 0x62, 0x0e, 0x0a, 0x01, 0x61, 0x12, 0x01,
                                       0x62, 0x22, 0x02, 0x12, 0x05, 0x2a, 0x02, 0x0f, 0x01};
    expect_decode_error(no_asset, sizeof no_asset, QFS_E_DECODE, "transfer.asset: not set");

    /* Asset 2^32 + 2 would wrap to T2 in protobuf-c: 18 82 80 80 80 10. */
    static const uint8_t wrapped[] = {0x08, 0xac, 0x02, 0x62, 0x14, 0x0a, 0x01, 0x61, 0x12,
                                      0x01, 0x62, 0x18, 0x82, 0x80, 0x80, 0x80, 0x10, 0x22,
                                      0x02, 0x12, 0x05, 0x2a, 0x02, 0x0f, 0x01};
    expect_decode_error(wrapped, sizeof wrapped, QFS_E_DECODE, "transfer.asset: unknown enum value");

    /* A negative choice (-1 is ten bytes ff .. 01). */
    Qfs__V1__SocialVote vote = QFS__V1__SOCIAL_VOTE__INIT;
    vote.voter = "v";
    vote.choice = (Qfs__V1__VoteChoice)-1;
    Qfs__V1__Event e = QFS__V1__EVENT__INIT;
    e.body_case = QFS__V1__EVENT__BODY_SOCIAL_VOTE;
    e.social_vote = &vote;
    size_t n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "social_vote.choice: unknown enum value");
    vote.choice = (Qfs__V1__VoteChoice)4;
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "social_vote.choice: unknown enum value 4");
}
END_TEST

START_TEST(test_codec_decode__bad_ids)
{
    uint8_t buf[256];
    Qfs__V1__Stake stake = QFS__V1__STAKE__INIT;
    Qfs__V1__Event e = QFS__V1__EVENT__INIT;
    e.body_case = QFS__V1__EVENT__BODY_STAKE;
    e.stake = &stake;
    size_t n = pack(&e.base, buf, sizeof buf); /* validator left empty */
    expect_decode_error(buf, n, QFS_E_DECODE, "stake.validator: id is empty");
    stake.validator = "bad id";
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "stake.validator: id has a byte outside [A-Za-z0-9._:-]");
    stake.validator = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; /* 65 */
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "stake.validator: id is longer than 64 bytes");
    stake.validator = "\xff\xfe";
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "stake.validator: id has a byte outside");

    /* "a\0b": protobuf-c would hand back the C string "a". By hand:
     *   6a 05  field 13 (stake), 5 bytes:  0a 03 61 00 62  validator "a\0b" */
    static const uint8_t nul_id[] = {0x6a, 0x05, 0x0a, 0x03, 0x61, 0x00, 0x62};
    expect_decode_error(nul_id, sizeof nul_id, QFS_E_DECODE, "stake.validator: id has a byte outside");
}
END_TEST

START_TEST(test_codec_decode__bad_values)
{
    uint8_t buf[256];
    Qfs__V1__Event e = QFS__V1__EVENT__INIT;

    Qfs__V1__CoherenceReport cr = QFS__V1__COHERENCE_REPORT__INIT;
    cr.validator = "v";
    cr.psi_fp18 = 1000000000000000001ULL;
    e.body_case = QFS__V1__EVENT__BODY_COHERENCE_REPORT;
    e.coherence_report = &cr;
    size_t n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "coherence_report.psi_fp18: 1.000000000000000001 is above 1");

    Qfs__V1__NodeTelemetry nt = QFS__V1__NODE_TELEMETRY__INIT;
    nt.node = "n";
    nt.correctness_fp18 = UINT64_MAX;
    e.body_case = QFS__V1__EVENT__BODY_NODE_TELEMETRY;
    e.node_telemetry = &nt;
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "node_telemetry.correctness_fp18");

    Qfs__V1__MemoryContribution mc = QFS__V1__MEMORY_CONTRIBUTION__INIT;
    mc.contributor = "c";
    mc.memory_node_id = "m";
    mc.rphiv_fp18 = UINT64_MAX; /* any score is fine */
    mc.lambda_node_fp18 = 1000000000000000000ULL;
    e.body_case = QFS__V1__EVENT__BODY_MEMORY_CONTRIBUTION;
    e.memory_contribution = &mc;
    n = pack(&e.base, buf, sizeof buf);
    qfs_arena *arena = new_arena();
    qfs_event ev;
    ck_assert_int_eq(qfs_codec_decode(&ev, buf, n, arena, NULL), QFS_OK);
    ck_assert_uint_eq(ev.u.memory_contribution.rphiv_fp18, UINT64_MAX);
    qfs_arena_free(arena);

    Qfs__V1__SocialProposal sp = QFS__V1__SOCIAL_PROPOSAL__INIT;
    sp.proposer = "v";
    e.body_case = QFS__V1__EVENT__BODY_SOCIAL_PROPOSAL;
    e.social_proposal = &sp;
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "social_proposal.change: missing");
    Qfs__V1__ParamValue pv = QFS__V1__PARAM_VALUE__INIT;
    pv.name = "no_such_param";
    sp.change = &pv;
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE,
                        "social_proposal.change.name: unknown parameter \"no_such_param\"");
    pv.name = "slash_psi_threshold";
    static uint8_t two[] = {0x12, 0x02}; /* 2 x 10^18: the ratio 2 */
    pv.value.len = sizeof two;
    pv.value.data = two;
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "social_proposal.change.value: 2 is outside the range");
}
END_TEST

/* A stake by "v" whose amount field holds `amt` (n bytes; n = 0 writes the
 * field with no bytes):
 *   6a LEN  field 13 (stake)
 *     0a 01 76     field 1 (validator) "v"
 *     12 n amt...  field 2 (amount) */
static size_t stake_bytes(uint8_t *buf, const uint8_t *amt, size_t n)
{
    size_t len = 0;
    buf[len++] = 0x6a;
    buf[len++] = (uint8_t)(3 + 2 + n);
    buf[len++] = 0x0a;
    buf[len++] = 0x01;
    buf[len++] = 0x76;
    buf[len++] = 0x12;
    buf[len++] = (uint8_t)n;
    memcpy(buf + len, amt, n);
    return len + n;
}

static qfs_amount stake_amount_ok(const uint8_t *amt, size_t n)
{
    uint8_t buf[64];
    size_t len = stake_bytes(buf, amt, n);
    qfs_arena *arena = new_arena();
    qfs_event ev;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    ck_assert_msg(qfs_codec_decode(&ev, buf, len, arena, &diag) == QFS_OK, "%s", diag.message);
    ck_assert_int_eq(ev.kind, QFS_EVENT_STAKE);
    qfs_arena_free(arena);
    /* The one form decodes, and encodes back to the same bytes. */
    uint8_t out[64];
    size_t m = 0;
    ck_assert_int_eq(qfs_codec_encode(&ev, out, sizeof out, &m), QFS_OK);
    ck_assert_uint_eq(m, len);
    ck_assert_mem_eq(out, buf, len);
    return ev.u.stake.amount;
}

static void stake_amount_refused(const uint8_t *amt, size_t n, const char *why)
{
    uint8_t buf[64];
    size_t len = stake_bytes(buf, amt, n);
    expect_decode_error(buf, len, QFS_E_DECODE, why);
}

START_TEST(test_codec_decode__amount_forms)
{
    /* 2^128 - 1 = 340282366920938463463374607431768211455 ends in 5: E = 0
     * and the mantissa is sixteen ff bytes. */
    static const uint8_t max[] = {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    ck_assert(stake_amount_ok(max, sizeof max) == ~(qfs_amount)0);
    /* 2^64 = 18446744073709551616 ends in 6: E = 0, mantissa 01 then eight 00. */
    static const uint8_t two64[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    ck_assert(stake_amount_ok(two64, sizeof two64) == (qfs_amount)1 << 64);
    /* 3 x 10^38 (E = 38 = 0x26, mantissa 3) is below 2^128 - 1 = 3.4028... x 10^38. */
    static const uint8_t e38[] = {0x26, 0x03};
    ck_assert(stake_amount_ok(e38, sizeof e38) == (qfs_amount)3 * E18 * E18 * 100);
    /* 1 base unit; 1 T1 (E = 18, mantissa 1); 250 (E = 1, mantissa 25 = 0x19). */
    static const uint8_t one[] = {0x00, 0x01}, token[] = {0x12, 0x01}, d250[] = {0x01, 0x19};
    ck_assert(stake_amount_ok(one, sizeof one) == 1);
    ck_assert(stake_amount_ok(token, sizeof token) == E18);
    ck_assert(stake_amount_ok(d250, sizeof d250) == 250);

    /* Every other form of a value is refused, and so is every value that
     * does not exist. */
    stake_amount_refused(NULL, 0, "stake.amount: empty value written out");
    static const uint8_t no_mantissa[] = {0x12};
    stake_amount_refused(no_mantissa, sizeof no_mantissa, "stake.amount: amount: no mantissa");
    static const uint8_t leading_zero[] = {0x00, 0x00, 0x01};
    stake_amount_refused(leading_zero, sizeof leading_zero,
                         "stake.amount: amount: mantissa with a leading zero");
    static const uint8_t ten[] = {0x00, 0x0a}; /* 10 is E = 1, mantissa 1 */
    stake_amount_refused(ten, sizeof ten, "stake.amount: amount: mantissa is a multiple of 10");
    static const uint8_t e39[] = {0x27, 0x01};
    stake_amount_refused(e39, sizeof e39, "stake.amount: amount: exponent above 38");
    static const uint8_t over[] = {0x26, 0x04}; /* 4 x 10^38 > 2^128 - 1 */
    stake_amount_refused(over, sizeof over, "stake.amount: amount: value above 2^128 - 1");
    static const uint8_t m17[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
    stake_amount_refused(m17, sizeof m17, "stake.amount: amount: mantissa longer than 16 bytes");
}
END_TEST

/* Two logs with the same events are the same bytes: every wire form that
 * protobuf-c would read but never write is refused. Variants of
 * TRANSFER_BYTES (see its layout above). */
START_TEST(test_codec_decode__non_canonical_wire)
{
    /* to (field 2) before from (field 1). */
    static const uint8_t swapped[] = {0x08, 0xac, 0x02, 0x62, 0x10, 0x12, 0x01, 0x62, 0x0a, 0x01, 0x61,
                                      0x18, 0x02, 0x22, 0x02, 0x12, 0x05, 0x2a, 0x02, 0x0f, 0x01};
    expect_decode_error(swapped, sizeof swapped, QFS_E_DECODE, "transfer.from: field out of order");
    /* from twice (the last would win in protobuf-c). */
    static const uint8_t twice[] = {0x08, 0xac, 0x02, 0x62, 0x13, 0x0a, 0x01, 0x61, 0x0a, 0x01, 0x61, 0x12,
                                    0x01, 0x62, 0x18, 0x02, 0x22, 0x02, 0x12, 0x05, 0x2a, 0x02, 0x0f, 0x01};
    expect_decode_error(twice, sizeof twice, QFS_E_DECODE, "transfer.from: field appears twice");
    /* The timestamp 0 written out (08 00) before the body. */
    static const uint8_t zero_ts[] = {0x08, 0x00, 0x62, 0x10, 0x0a, 0x01, 0x61, 0x12, 0x01, 0x62,
                                      0x18, 0x02, 0x22, 0x02, 0x12, 0x05, 0x2a, 0x02, 0x0f, 0x01};
    expect_decode_error(zero_ts, sizeof zero_ts, QFS_E_DECODE, "timestamp_ms: zero written out");
    /* Asset 2 as the two-byte varint 82 00. */
    static const uint8_t long_asset[] = {0x08, 0xac, 0x02, 0x62, 0x11, 0x0a, 0x01, 0x61, 0x12, 0x01, 0x62,
                                         0x18, 0x82, 0x00, 0x22, 0x02, 0x12, 0x05, 0x2a, 0x02, 0x0f, 0x01};
    expect_decode_error(long_asset, sizeof long_asset, QFS_E_DECODE,
                        "transfer.asset: varint not in its shortest form");
    /* The tag of asset (0x18) as the two bytes 98 00. */
    static const uint8_t long_tag[] = {0x08, 0xac, 0x02, 0x62, 0x11, 0x0a, 0x01, 0x61, 0x12, 0x01, 0x62,
                                       0x98, 0x00, 0x02, 0x22, 0x02, 0x12, 0x05, 0x2a, 0x02, 0x0f, 0x01};
    expect_decode_error(long_tag, sizeof long_tag, QFS_E_DECODE, "field tag not in its shortest form");
    /* The length of from (1) as the two bytes 81 00. */
    static const uint8_t long_len[] = {0x08, 0xac, 0x02, 0x62, 0x11, 0x0a, 0x81, 0x00, 0x61, 0x12, 0x01,
                                       0x62, 0x18, 0x02, 0x22, 0x02, 0x12, 0x05, 0x2a, 0x02, 0x0f, 0x01};
    expect_decode_error(long_len, sizeof long_len, QFS_E_DECODE,
                        "transfer.from: length not in its shortest form");
    /* The fee as 2a 02 0e 0a: 10 x 10^14 is 10^15 written with a mantissa of 10. */
    static const uint8_t fee_form[] = {0x08, 0xac, 0x02, 0x62, 0x10, 0x0a, 0x01, 0x61, 0x12, 0x01, 0x62,
                                       0x18, 0x02, 0x22, 0x02, 0x12, 0x05, 0x2a, 0x02, 0x0e, 0x0a};
    expect_decode_error(fee_form, sizeof fee_form, QFS_E_DECODE,
                        "transfer.fee_atr: amount: mantissa is a multiple");
    /* The canonical bytes themselves decode. */
    qfs_arena *arena = new_arena();
    qfs_event ev;
    ck_assert_int_eq(qfs_codec_decode(&ev, TRANSFER_BYTES, sizeof TRANSFER_BYTES, arena, NULL), QFS_OK);
    qfs_arena_free(arena);
}
END_TEST

/* A genesis with the given ids, kinds validator, and each account holding the
 * listed assets (a 0-terminated list) of 1 unit. */
START_TEST(test_codec_decode__bad_genesis)
{
    uint8_t buf[1024];
    Qfs__V1__Balance b1 = QFS__V1__BALANCE__INIT, b2 = QFS__V1__BALANCE__INIT;
    static uint8_t one[] = {0x00, 0x01}, two[] = {0x00, 0x02}; /* 1 and 2 base units */
    static uint8_t d366[] = {0x00, 0x01, 0x6e}, d365[] = {0x00, 0x01, 0x6d};
    b1.asset = QFS__V1__ASSET__ASSET_T1;
    b1.amount.len = 2;
    b1.amount.data = one;
    b2.asset = QFS__V1__ASSET__ASSET_T1;
    b2.amount.len = 2;
    b2.amount.data = two;
    Qfs__V1__Balance *balances[] = {&b1, &b2};
    Qfs__V1__GenesisAccount a1 = QFS__V1__GENESIS_ACCOUNT__INIT, a2 = QFS__V1__GENESIS_ACCOUNT__INIT,
                            a3 = QFS__V1__GENESIS_ACCOUNT__INIT;
    a1.id = "v1";
    a1.kind = QFS__V1__ACCOUNT_KIND__ACCOUNT_KIND_VALIDATOR;
    a2.id = "u";
    a2.kind = QFS__V1__ACCOUNT_KIND__ACCOUNT_KIND_USER;
    a3.id = "v1";
    a3.kind = QFS__V1__ACCOUNT_KIND__ACCOUNT_KIND_USER;
    Qfs__V1__GenesisAccount *accounts[] = {&a1, &a2, &a3};
    Qfs__V1__Genesis g = QFS__V1__GENESIS__INIT;
    g.chain_id = "c";
    g.authentication = QFS__V1__AUTHENTICATION__AUTHENTICATION_NONE;
    g.n_accounts = 3;
    g.accounts = accounts;
    Qfs__V1__Event e = QFS__V1__EVENT__INIT;
    e.body_case = QFS__V1__EVENT__BODY_GENESIS;
    e.genesis = &g;
    size_t n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "genesis.accounts[2].id: duplicate account id \"v1\"");

    a3.id = "v3";
    a2.n_balances = 2;
    a2.balances = balances;
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE,
                        "genesis.accounts[1].balances: asset T1 appears more than once");

    a2.n_balances = 1;
    b1.asset = QFS__V1__ASSET__ASSET_UNSPECIFIED;
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "genesis.accounts[1].balances[0].asset: not set");
    b1.asset = QFS__V1__ASSET__ASSET_T1;

    a3.kind = QFS__V1__ACCOUNT_KIND__ACCOUNT_KIND_UNSPECIFIED;
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "genesis.accounts[2].kind: not set");
    a3.kind = QFS__V1__ACCOUNT_KIND__ACCOUNT_KIND_USER;

    Qfs__V1__ParamValue p1 = QFS__V1__PARAM_VALUE__INIT, p2 = QFS__V1__PARAM_VALUE__INIT;
    p1.name = "t2_pool";
    p1.value = b1.amount;
    p2.name = "t2_pool";
    p2.value = b2.amount;
    Qfs__V1__ParamValue *params[] = {&p1, &p2};
    g.n_params = 2;
    g.params = params;
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "genesis.params: parameter \"t2_pool\" appears more than once");
    p2.name = "t2_poo";
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "genesis.params: unknown parameter \"t2_poo\"");
    p2.name = "unbonding_epochs";
    p2.value.len = sizeof d366;
    p2.value.data = d366;
    n = pack(&e.base, buf, sizeof buf);
    expect_decode_error(buf, n, QFS_E_DECODE, "genesis.params.unbonding_epochs: 366 is outside the range");
    p2.value.len = sizeof d365;
    p2.value.data = d365;
    n = pack(&e.base, buf, sizeof buf);
    qfs_arena *arena = new_arena();
    qfs_event ev;
    ck_assert_int_eq(qfs_codec_decode(&ev, buf, n, arena, NULL), QFS_OK);
    ck_assert_uint_eq(ev.u.genesis.account_count, 3);
    ck_assert(ev.u.genesis.accounts[1].balances[QFS_ASSET_T1] == 1);
    qfs_arena_free(arena);
}
END_TEST

START_TEST(test_codec_decode__too_many_genesis_accounts)
{
    /* 100001 empty accounts: 1a 00 each, inside a genesis whose chain id is
     * left out (the count is checked first). */
    size_t count = QFS_GENESIS_ACCOUNTS_MAX + 1;
    size_t body = 2 * count; /* 200002 = varint c2 9a 0c */
    uint8_t *buf = malloc(body + 5);
    ck_assert_ptr_nonnull(buf);
    buf[0] = 0x52;
    buf[1] = 0xc2;
    buf[2] = 0x9a;
    buf[3] = 0x0c;
    for (size_t i = 0; i < count; i++) {
        buf[4 + 2 * i] = 0x1a;
        buf[5 + 2 * i] = 0x00;
    }
    expect_decode_error(buf, body + 4, QFS_E_DECODE, "genesis.accounts: more than 100000 entries");
    /* One fewer is fine as far as counts go; the missing chain id is not. */
    buf[1] = 0xc0; /* 200000 */
    expect_decode_error(buf, body + 2, QFS_E_DECODE, "genesis.chain_id: id is empty");
    /* With a chain id "c" first: 0a 01 63, and the body three bytes longer. */
    uint8_t *buf2 = malloc(body + 8);
    ck_assert_ptr_nonnull(buf2);
    buf2[0] = 0x52;
    buf2[1] = 0xc5; /* 200005 */
    buf2[2] = 0x9a;
    buf2[3] = 0x0c;
    buf2[4] = 0x0a;
    buf2[5] = 0x01;
    buf2[6] = 0x63;
    memcpy(buf2 + 7, buf + 4, body);
    expect_decode_error(buf2, body + 7, QFS_E_DECODE, "genesis.accounts: more than 100000 entries");
    free(buf);
    free(buf2);
}
END_TEST

START_TEST(test_codec_decode__oversized_input)
{
    size_t len = QFS_EVENT_BYTES_MAX + 1;
    uint8_t *buf = calloc(1, len);
    ck_assert_ptr_nonnull(buf);
    expect_decode_error(buf, len, QFS_E_LIMIT, "at most");
    free(buf);
}
END_TEST

START_TEST(test_codec_decode__malformed_wire)
{
    static const uint8_t zero_field[] = {0x00, 0x01};
    expect_decode_error(zero_field, sizeof zero_field, QFS_E_DECODE, "invalid field number 0");
    static const uint8_t group[] = {0x0b}; /* field 1, wire type 3 */
    expect_decode_error(group, sizeof group, QFS_E_DECODE, "wrong wire type 3");
    static const uint8_t long_varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    expect_decode_error(long_varint, sizeof long_varint, QFS_E_DECODE, "overlong varint");
    static const uint8_t string_as_varint[] = {0x62, 0x02, 0x08, 0x01}; /* transfer.from as varint */
    expect_decode_error(string_as_varint, sizeof string_as_varint, QFS_E_DECODE,
                        "transfer.from: wrong wire type 0");
    static const uint8_t too_long[] = {0x62, 0x7f, 0x0a};
    expect_decode_error(too_long, sizeof too_long, QFS_E_DECODE, "truncated");
}
END_TEST

/* Every prefix of a valid event is refused: the body is the last field, so a
 * cut either removes it or truncates it. */
START_TEST(test_codec_decode__truncated_at_every_length)
{
    static const uint8_t *const valid[] = {TRANSFER_BYTES, GENESIS_BYTES};
    static const size_t sizes[] = {sizeof TRANSFER_BYTES, sizeof GENESIS_BYTES};
    qfs_arena *arena = new_arena();
    for (size_t v = 0; v < 2; v++) {
        for (size_t len = 0; len < sizes[v]; len++) {
            qfs_event ev;
            qfs_diag diag;
            qfs_diag_clear(&diag);
            qfs_err err = qfs_codec_decode(&ev, valid[v], len, arena, &diag);
            ck_assert_msg(err == QFS_E_DECODE, "case %zu length %zu: %d", v, len, err);
            ck_assert_str_ne(diag.message, "");
            qfs_arena_reset(arena);
        }
    }
    qfs_arena_free(arena);
}
END_TEST

/* xorshift64: deterministic noise for the fuzz-style cases. */
static uint64_t next_random(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

START_TEST(test_codec_decode__random_bytes_never_crash)
{
    qfs_arena *arena = new_arena();
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    uint8_t buf[96];
    size_t ok = 0;
    for (int round = 0; round < 200000; round++) {
        size_t len = (size_t)(next_random(&seed) % sizeof buf);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)next_random(&seed);
        /* Half the rounds mutate a valid event instead, to get past the tag. */
        if (round & 1) {
            len = sizeof TRANSFER_BYTES;
            memcpy(buf, TRANSFER_BYTES, len);
            buf[next_random(&seed) % len] = (uint8_t)next_random(&seed);
        }
        qfs_event ev;
        qfs_diag diag;
        qfs_diag_clear(&diag);
        qfs_err err = qfs_codec_decode(&ev, buf, len, arena, &diag);
        ck_assert_msg(err == QFS_OK || err == QFS_E_DECODE, "round %d: %d", round, err);
        if (err == QFS_OK) {
            ok++;
            /* Whatever decodes is valid, so it encodes. */
            uint8_t out[256];
            size_t n = 0;
            ck_assert_int_eq(qfs_codec_encode(&ev, out, sizeof out, &n), QFS_OK);
        }
        qfs_arena_reset(arena);
    }
    ck_assert_uint_gt(ok, 0); /* some mutations (of amounts, say) stay valid */
    qfs_arena_free(arena);
}
END_TEST

START_TEST(test_codec_decode__arena_only)
{
    /* A stream of events into one arena, reset per event, stops growing. */
    qfs_arena *arena = new_arena();
    qfs_event ev;
    ck_assert_int_eq(qfs_codec_decode(&ev, TRANSFER_BYTES, sizeof TRANSFER_BYTES, arena, NULL), QFS_OK);
    size_t used = qfs_arena_used_bytes(arena);
    ck_assert_uint_gt(used, 0);
    for (int i = 0; i < 1000; i++) {
        qfs_arena_reset(arena);
        ck_assert_int_eq(qfs_codec_decode(&ev, TRANSFER_BYTES, sizeof TRANSFER_BYTES, arena, NULL), QFS_OK);
        ck_assert_uint_eq(qfs_arena_used_bytes(arena), used);
    }
    ck_assert_int_eq(qfs_codec_decode(&ev, TRANSFER_BYTES, sizeof TRANSFER_BYTES, NULL, NULL),
                     QFS_E_INVALID_ARG);
    qfs_arena_free(arena);
}
END_TEST

START_TEST(test_codec_schema_hash__stable_and_not_zero)
{
    qfs_hash128 a, b, zero;
    memset(&zero, 0, sizeof zero);
    qfs_codec_schema_hash(&a);
    qfs_codec_schema_hash(&b);
    ck_assert(qfs_hash128_eq(&a, &b));
    ck_assert(!qfs_hash128_eq(&a, &zero));
    char hex[QFS_HASH128_HEX_LEN + 1];
    qfs_hash128_hex(&a, hex);
    ck_assert_uint_eq(strlen(hex), 32);
    ck_assert_uint_eq(strspn(hex, "0123456789abcdef"), 32);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_codec_encode__hand_worked_transfer);
    tcase_add_test(tc, test_codec_encode__defaults_left_out);
    tcase_add_test(tc, test_codec_encode__hand_worked_genesis);
    tcase_add_test(tc, test_codec_encode__limits_and_invalid_events);
    tcase_add_test(tc, test_codec_decode__missing_body);
    tcase_add_test(tc, test_codec_decode__unknown_fields);
    tcase_add_test(tc, test_codec_decode__bad_enum_values);
    tcase_add_test(tc, test_codec_decode__bad_ids);
    tcase_add_test(tc, test_codec_decode__bad_values);
    tcase_add_test(tc, test_codec_decode__amount_forms);
    tcase_add_test(tc, test_codec_decode__non_canonical_wire);
    tcase_add_test(tc, test_codec_decode__bad_genesis);
    tcase_add_test(tc, test_codec_decode__too_many_genesis_accounts);
    tcase_add_test(tc, test_codec_decode__oversized_input);
    tcase_add_test(tc, test_codec_decode__malformed_wire);
    tcase_add_test(tc, test_codec_decode__truncated_at_every_length);
    tcase_add_test(tc, test_codec_decode__random_bytes_never_crash);
    tcase_add_test(tc, test_codec_decode__arena_only);
    tcase_add_test(tc, test_codec_schema_hash__stable_and_not_zero);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
