/* JSON Lines events: every kind round-trips through JSON and protobuf, and
 * every class of bad input is refused with a message that names the field.
 * The expected canonical lines are written out by hand. */
#include "qfs/codec.h"
#include "qfs/json.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

typedef struct round_trip_case {
    const char *input;    /* as a user might write it */
    const char *expected; /* canonical: sorted keys, amounts as strings */
} round_trip_case;

static const round_trip_case ROUND_TRIPS[] = {
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"harmonic-test\","
     "\"params\":{\"t2_pool\":\"20000\",\"slash_psi_threshold\":\"0.70\",\"unbonding_epochs\":3},"
     "\"accounts\":[{\"id\":\"v1\",\"kind\":\"validator\",\"balances\":{\"T1\":\"1000\",\"ATR\":50,\"T2\":0}}"
     ","
     "{\"id\":\"n1\",\"kind\":\"infra_node\"}]}",
     "{\"accounts\":[{\"balances\":{\"ATR\":\"50\",\"T1\":\"1000\"},\"id\":\"v1\",\"kind\":\"validator\"},"
     "{\"balances\":{},\"id\":\"n1\",\"kind\":\"infra_node\"}],\"authentication\":\"none\",\"chain_id\":"
     "\"harmonic-test\","
     "\"kind\":\"genesis\",\"params\":{\"slash_psi_threshold\":\"0.7\",\"t2_pool\":\"20000\","
     "\"unbonding_epochs\":3},\"timestamp_ms\":\"0\"}"},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\"}",
     "{\"accounts\":[],\"authentication\":\"none\",\"chain_id\":\"c\",\"kind\":\"genesis\",\"params\":{},"
     "\"timestamp_ms\":\"0\"}"},
    {"{\"kind\":\"register_account\",\"timestamp_ms\":1,\"id\":\"alice\",\"account_kind\":\"user\"}",
     "{\"account_kind\":\"user\",\"id\":\"alice\",\"kind\":\"register_account\",\"timestamp_ms\":\"1\"}"},
    {"{\"kind\":\"transfer\",\"timestamp_ms\":1700000000000,\"from\":\"alice\",\"to\":\"bob\","
     "\"asset\":\"T2\",\"amount\":100,\"fee_atr\":\"1\"}",
     "{\"amount\":\"100\",\"asset\":\"T2\",\"fee_atr\":\"1\",\"from\":\"alice\",\"kind\":\"transfer\","
     "\"timestamp_ms\":\"1700000000000\",\"to\":\"bob\"}"},
    /* The largest amount (2^128 - 1) and time (2^64 - 1); fee_atr left out
     * defaults to 0. */
    {"{\"kind\":\"transfer\",\"timestamp_ms\":\"18446744073709551615\",\"from\":\"a.b:c-d_e\",\"to\":\"B\","
     "\"asset\":\"ATR\",\"amount\":\"340282366920938463463374607431768211455\"}",
     "{\"amount\":\"340282366920938463463374607431768211455\",\"asset\":\"ATR\",\"fee_atr\":\"0\",\"from\":"
     "\"a.b:c-d_e\","
     "\"kind\":\"transfer\",\"timestamp_ms\":\"18446744073709551615\",\"to\":\"B\"}"},
    /* Times are strings on output, whatever their size: a reader that holds
     * numbers as doubles keeps only 2^53 exactly. Amounts above 2^64 and
     * leading zeros on input. */
    {"{\"kind\":\"stake\",\"timestamp_ms\":\"0001\",\"validator\":\"v1\",\"amount\":"
     "\"018446744073709551616\"}",
     "{\"amount\":\"18446744073709551616\",\"kind\":\"stake\",\"timestamp_ms\":\"1\",\"validator\":\"v1\"}"},
    {"{\"kind\":\"stake\",\"timestamp_ms\":9223372036854775807,\"validator\":\"v1\",\"amount\":\"5000\"}",
     "{\"amount\":\"5000\",\"kind\":\"stake\",\"timestamp_ms\":\"9223372036854775807\",\"validator\":"
     "\"v1\"}"},
    {"{\"kind\":\"unstake\",\"timestamp_ms\":\"9223372036854775808\",\"validator\":\"v1\",\"amount\":0}",
     "{\"amount\":\"0\",\"kind\":\"unstake\",\"timestamp_ms\":\"9223372036854775808\",\"validator\":\"v1\"}"},
    {"{\"kind\":\"coherence_report\",\"timestamp_ms\":3,\"validator\":\"v1\",\"psi\":\"0.70\"}",
     "{\"kind\":\"coherence_report\",\"psi\":\"0.7\",\"timestamp_ms\":\"3\",\"validator\":\"v1\"}"},
    {"{\"kind\":\"coherence_report\",\"timestamp_ms\":3,\"validator\":\"v1\",\"psi\":\"1."
     "000000000000000000\"}",
     "{\"kind\":\"coherence_report\",\"psi\":\"1\",\"timestamp_ms\":\"3\",\"validator\":\"v1\"}"},
    {"{\"kind\":\"boost\",\"timestamp_ms\":4,\"validator\":\"v1\",\"amount\":\"20\"}",
     "{\"amount\":\"20\",\"kind\":\"boost\",\"timestamp_ms\":\"4\",\"validator\":\"v1\"}"},
    {"{\"kind\":\"memory_contribution\",\"timestamp_ms\":5,\"contributor\":\"alice\",\"memory_node_id\":"
     "\"mem-1\","
     "\"rphiv\":\"18.446744073709551615\",\"lambda_node\":\"0.000000000000000001\"}",
     "{\"contributor\":\"alice\",\"kind\":\"memory_contribution\",\"lambda_node\":\"0.000000000000000001\","
     "\"memory_node_id\":\"mem-1\",\"rphiv\":\"18.446744073709551615\",\"timestamp_ms\":\"5\"}"},
    {"{\"kind\":\"user_action\",\"timestamp_ms\":6,\"account\":\"alice\",\"action\":\"post\"}",
     "{\"account\":\"alice\",\"action\":\"post\",\"fee_atr\":\"0\",\"kind\":\"user_action\",\"timestamp_ms\":"
     "\"6\"}"},
    {"{\"kind\":\"node_telemetry\",\"timestamp_ms\":7,\"node\":\"n1\",\"uptime\":\"0.999\","
     "\"replication\":\"1\",\"correctness\":\"0\"}",
     "{\"correctness\":\"0\",\"kind\":\"node_telemetry\",\"node\":\"n1\",\"replication\":\"1\","
     "\"timestamp_ms\":\"7\",\"uptime\":\"0.999\"}"},
    {"{\"kind\":\"social_proposal\",\"timestamp_ms\":8,\"proposer\":\"v1\",\"proposal_id\":1,"
     "\"param\":\"t2_pool\",\"value\":20000}",
     "{\"kind\":\"social_proposal\",\"param\":\"t2_pool\",\"proposal_id\":\"1\",\"proposer\":\"v1\","
     "\"timestamp_ms\":\"8\",\"value\":\"20000\"}"},
    {"{\"kind\":\"social_proposal\",\"timestamp_ms\":8,\"proposer\":\"v1\",\"proposal_id\":2,"
     "\"param\":\"slash_psi_threshold\",\"value\":\"0.65\"}",
     "{\"kind\":\"social_proposal\",\"param\":\"slash_psi_threshold\",\"proposal_id\":\"2\",\"proposer\":"
     "\"v1\","
     "\"timestamp_ms\":\"8\",\"value\":\"0.65\"}"},
    {"{\"kind\":\"social_vote\",\"timestamp_ms\":9,\"voter\":\"v1\",\"proposal_id\":1,\"choice\":\"yes\"}",
     "{\"choice\":\"yes\",\"kind\":\"social_vote\",\"proposal_id\":\"1\",\"timestamp_ms\":\"9\",\"voter\":"
     "\"v1\"}"},
    {"{\"kind\":\"infra_proposal\",\"timestamp_ms\":10,\"proposer\":\"n1\",\"proposal_id\":2,"
     "\"param\":\"nod_fraction\",\"value\":\"0.12\"}",
     "{\"kind\":\"infra_proposal\",\"param\":\"nod_fraction\",\"proposal_id\":\"2\",\"proposer\":\"n1\","
     "\"timestamp_ms\":\"10\",\"value\":\"0.12\"}"},
    /* A count parameter is written as a JSON integer. */
    {"{\"kind\":\"infra_proposal\",\"timestamp_ms\":10,\"proposer\":\"n1\",\"proposal_id\":3,"
     "\"param\":\"network_max_peers\",\"value\":\"128\"}",
     "{\"kind\":\"infra_proposal\",\"param\":\"network_max_peers\",\"proposal_id\":\"3\",\"proposer\":\"n1\","
     "\"timestamp_ms\":\"10\",\"value\":128}"},
    {"{\"kind\":\"infra_vote\",\"timestamp_ms\":11,\"node\":\"n1\",\"proposal_id\":2,\"choice\":\"abstain\"}",
     "{\"choice\":\"abstain\",\"kind\":\"infra_vote\",\"node\":\"n1\",\"proposal_id\":\"2\",\"timestamp_ms\":"
     "\"11\"}"},
    {"{\"kind\":\"infra_vote\",\"timestamp_ms\":11,\"node\":\"n1\",\"proposal_id\":2,\"choice\":\"no\"}",
     "{\"choice\":\"no\",\"kind\":\"infra_vote\",\"node\":\"n1\",\"proposal_id\":\"2\",\"timestamp_ms\":"
     "\"11\"}"},
    /* Authentication: a genesis naming the mode, the key holders and an
     * account's key; a registration with a key; a signed transfer (signer,
     * sequence, signature, written only when present); a key rotation. Keys
     * are 64 hex digits and signatures 128, either case on input,
     * lowercase on output. */
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"authentication\":\"ed25519\","
     "\"authority\":{\"id\":\"auth\",\"public_key\":"
     "\"1111111111111111111111111111111111111111111111111111111111111111\"},"
     "\"memory_oracle\":{\"public_key\":\"ABABABABABABABABABABABABABABABABCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCD\","
     "\"id\":\"mem\"},"
     "\"accounts\":[{\"id\":\"a\",\"kind\":\"user\",\"public_key\":"
     "\"ababababababababababababababababcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\"}]}",
     "{\"accounts\":[{\"balances\":{},\"id\":\"a\",\"kind\":\"user\",\"public_key\":"
     "\"ababababababababababababababababcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\"}],"
     "\"authentication\":\"ed25519\",\"authority\":{\"id\":\"auth\",\"public_key\":"
     "\"1111111111111111111111111111111111111111111111111111111111111111\"},"
     "\"chain_id\":\"c\",\"kind\":\"genesis\",\"memory_oracle\":{\"id\":\"mem\",\"public_key\":"
     "\"ababababababababababababababababcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\"},"
     "\"params\":{},\"timestamp_ms\":\"0\"}"},
    {"{\"kind\":\"register_account\",\"timestamp_ms\":1,\"id\":\"b\",\"account_kind\":\"user\","
     "\"public_key\":\"1111111111111111111111111111111111111111111111111111111111111111\",\"signer\":\"b\","
     "\"sequence\":1,\"signature\":"
     "\"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"
     "a5a5a5a5a5a5a5a5a5a5a5a5a5a\"}",
     "{\"account_kind\":\"user\",\"id\":\"b\",\"kind\":\"register_account\",\"public_key\":"
     "\"1111111111111111111111111111111111111111111111111111111111111111\","
     "\"sequence\":\"1\",\"signature\":"
     "\"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"
     "a5a5a5a5a5a5a5a5a5a5a5a5a5a\",\"signer\":\"b\",\"timestamp_ms\":\"1\"}"},
    {"{\"kind\":\"rotate_key\",\"timestamp_ms\":2,\"holder\":\"mem\",\"public_key\":"
     "\"1111111111111111111111111111111111111111111111111111111111111111\","
     "\"signer\":\"auth\",\"sequence\":\"18446744073709551615\"}",
     "{\"holder\":\"mem\",\"kind\":\"rotate_key\",\"public_key\":"
     "\"1111111111111111111111111111111111111111111111111111111111111111\","
     "\"sequence\":\"18446744073709551615\",\"signer\":\"auth\",\"timestamp_ms\":\"2\"}"},
    {"{\"kind\":\"epoch_close\",\"timestamp_ms\":12,\"epoch\":0}",
     "{\"epoch\":\"0\",\"kind\":\"epoch_close\",\"timestamp_ms\":\"12\"}"},
};

#define N_ROUND_TRIPS (sizeof ROUND_TRIPS / sizeof ROUND_TRIPS[0])

static qfs_err parse(qfs_event *ev, const char *text, qfs_arena *arena, qfs_diag *diag)
{
    qfs_diag_clear(diag);
    return qfs_json_parse_event(ev, text, strlen(text), arena, diag);
}

static void assert_formats_to(const qfs_event *ev, const char *expected)
{
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(qfs_json_format_event(&text, &len, ev), QFS_OK);
    ck_assert_str_eq(text, expected);
    ck_assert_uint_eq(len, strlen(expected));
    free(text);
}

START_TEST(test_json_parse_event__round_trip_every_kind)
{
    int seen[QFS_EVENT_KIND_COUNT] = {0};
    qfs_arena *arena = NULL;
    ck_assert_int_eq(qfs_arena_create(&arena, 1 << 16), QFS_OK);
    for (size_t i = 0; i < N_ROUND_TRIPS; i++) {
        const round_trip_case *c = &ROUND_TRIPS[i];
        qfs_diag diag;
        qfs_event from_json, from_bytes, from_canonical;
        qfs_err err = parse(&from_json, c->input, arena, &diag);
        ck_assert_msg(err == QFS_OK, "case %zu: %s", i, diag.message);
        seen[from_json.kind] = 1;
        assert_formats_to(&from_json, c->expected);

        /* JSON -> event -> protobuf -> event -> JSON */
        uint8_t bytes[4096], again[4096];
        size_t n = 0, m = 0;
        ck_assert_int_eq(qfs_codec_encode(&from_json, bytes, sizeof bytes, &n), QFS_OK);
        ck_assert_uint_eq(qfs_codec_encoded_size(&from_json), n);
        ck_assert_int_eq(qfs_codec_decode(&from_bytes, bytes, n, arena, &diag), QFS_OK);
        assert_formats_to(&from_bytes, c->expected);
        ck_assert_int_eq(qfs_codec_encode(&from_bytes, again, sizeof again, &m), QFS_OK);
        ck_assert_uint_eq(m, n);
        ck_assert_mem_eq(again, bytes, n);
        if (from_json.kind != QFS_EVENT_GENESIS) /* genesis points into the arena */
            ck_assert_mem_eq(&from_bytes, &from_json, sizeof from_json);

        /* The canonical text parses back to the same event. */
        ck_assert_int_eq(parse(&from_canonical, c->expected, arena, &diag), QFS_OK);
        assert_formats_to(&from_canonical, c->expected);
        if (from_json.kind != QFS_EVENT_GENESIS)
            ck_assert_mem_eq(&from_canonical, &from_json, sizeof from_json);
    }
    for (int k = 1; k < QFS_EVENT_KIND_COUNT; k++)
        ck_assert_msg(seen[k], "kind %s has no round-trip case", qfs_event_kind_name((qfs_event_kind)k));
    qfs_arena_free(arena);
}
END_TEST

START_TEST(test_json_parse_event__genesis_params_sorted_and_balances_kept)
{
    qfs_arena *arena = NULL;
    ck_assert_int_eq(qfs_arena_create(&arena, 4096), QFS_OK);
    qfs_event ev;
    qfs_diag diag;
    const char *text =
        "{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"params\":"
        "{\"vote_eligibility_window\":10,\"ai_model_version\":\"2\"},"
        "\"accounts\":[{\"id\":\"u\",\"kind\":\"user\",\"balances\":{\"T5\":\"7\",\"NOD\":1}}]}";
    ck_assert_int_eq(parse(&ev, text, arena, &diag), QFS_OK);
    ck_assert_uint_eq(ev.u.genesis.param_count, 2);
    ck_assert_int_eq(memcmp(ev.u.genesis.params[0].name.bytes, "ai_model_version", 16), 0);
    ck_assert(ev.u.genesis.params[0].value == 2);
    ck_assert(ev.u.genesis.params[1].value == 10);
    ck_assert_uint_eq(ev.u.genesis.account_count, 1);
    ck_assert(ev.u.genesis.accounts[0].balances[QFS_ASSET_T5] == 7);
    ck_assert(ev.u.genesis.accounts[0].balances[QFS_ASSET_NOD] == 1);
    ck_assert_int_eq(ev.u.genesis.accounts[0].kind, QFS_ACCOUNT_USER);
    qfs_arena_free(arena);
}
END_TEST

typedef struct bad_case {
    const char *text;
    const char *message; /* a substring the diagnostic must contain */
} bad_case;

#define TRANSFER_HEAD                                                                                        \
    "{\"kind\":\"transfer\",\"timestamp_ms\":1,\"from\":\"alice\",\"to\":\"bob\",\"asset\":\"T2\""
#define PSI_HEAD "{\"kind\":\"coherence_report\",\"timestamp_ms\":1,\"validator\":\"v1\",\"psi\":"
#define ID_65 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const bad_case BAD[] = {
    /* malformed, non-object, trailing garbage, duplicates */
    {"{\"kind\":\"transfer\",", "malformed JSON"},
    {"", "malformed JSON"},
    {"[1,2]", "event must be a JSON object, got an array"},
    {"\"transfer\"", "malformed JSON"},
    {"{\"kind\":\"epoch_close\",\"timestamp_ms\":1,\"epoch\":0} x", "malformed JSON"},
    {"{\"kind\":\"epoch_close\",\"timestamp_ms\":1,\"epoch\":0}{}", "malformed JSON"},
    {"{\"kind\":\"epoch_close\",\"kind\":\"epoch_close\",\"timestamp_ms\":1,\"epoch\":0}", "duplicate key"},
    {"{\"kind\":\"stake\",\"timestamp_ms\":1,\"validator\":\"v\\u0000\",\"amount\":1}", "malformed JSON"},
    /* kind */
    {"{\"kind\":\"teleport\",\"timestamp_ms\":1}", "unknown kind \"teleport\""},
    {"{\"timestamp_ms\":1,\"epoch\":0}", "missing field \"kind\""},
    {"{\"kind\":7,\"timestamp_ms\":1}", "kind: expected a string"},
    /* unknown and missing fields */
    {TRANSFER_HEAD ",\"ammount\":\"100\"}", "transfer: unknown field \"ammount\""},
    {TRANSFER_HEAD "}", "transfer: missing field \"amount\""},
    {"{\"kind\":\"epoch_close\",\"epoch\":0}", "epoch_close: missing field \"timestamp_ms\""},
    {"{\"kind\":\"register_account\",\"timestamp_ms\":1,\"id\":\"a\",\"kind2\":\"user\"}",
     "register_account: unknown field \"kind2\""},
    /* wrong types */
    {"{\"kind\":\"transfer\",\"timestamp_ms\":1,\"from\":5,\"to\":\"bob\",\"asset\":\"T2\",\"amount\":1}",
     "transfer.from: expected a string id, got an integer"},
    {TRANSFER_HEAD ",\"amount\":true}", "transfer.amount: expected an integer or a string of digits"},
    {TRANSFER_HEAD ",\"amount\":1,\"fee_atr\":null}", "transfer.fee_atr: expected an integer"},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"accounts\":{}}",
     "genesis.accounts: expected an array"},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"params\":[]}",
     "genesis.params: expected an object"},
    /* amounts */
    /* authentication fields */
    {TRANSFER_HEAD ",\"amount\":1,\"signature\":\"00\"}",
     "transfer.signature: a signature must be 128 hex digits, got 2 characters"},
    {TRANSFER_HEAD ",\"amount\":1,\"signature\":7}", "transfer.signature: expected a signature as a string"},
    {TRANSFER_HEAD ",\"amount\":1,\"signer\":\"a b\"}", "transfer.signer: id has a byte outside"},
    {TRANSFER_HEAD ",\"amount\":1,\"sequence\":-1}", "transfer.sequence: must not be negative"},
    {"{\"kind\":\"rotate_key\",\"timestamp_ms\":1,\"holder\":\"a\",\"public_key\":\"zz"
     "00000000000000000000000000000000000000000000000000000000000000\"}",
     "rotate_key.public_key: a public key has a character that is not a hex digit"},
    {"{\"kind\":\"rotate_key\",\"timestamp_ms\":1,\"holder\":\"a\"}",
     "rotate_key: missing field \"public_key\""},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"authentication\":\"rsa\"}",
     "genesis.authentication: unknown authentication \"rsa\" (one of none, ed25519)"},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"authority\":{\"id\":\"x\"}}",
     "genesis.authority: missing field \"public_key\""},
    {TRANSFER_HEAD ",\"amount\":-1}", "transfer.amount: must not be negative"},
    {TRANSFER_HEAD ",\"amount\":\"-1\"}", "transfer.amount: must not be negative"},
    {TRANSFER_HEAD ",\"amount\":1.5}", "transfer.amount: must be a whole number"},
    {TRANSFER_HEAD ",\"amount\":1e3}", "transfer.amount: must be a whole number"},
    {TRANSFER_HEAD ",\"amount\":\"1.0\"}", "is not a whole number"},
    {TRANSFER_HEAD ",\"amount\":\"\"}", "is not a whole number"},
    {TRANSFER_HEAD ",\"amount\":18446744073709551616}", "as a string of digits"},
    {TRANSFER_HEAD ",\"amount\":9223372036854775808}", "as a string of digits"},
    {TRANSFER_HEAD ",\"amount\":\"340282366920938463463374607431768211456\"}",
     "above the largest amount 340282366920938463463374607431768211455"},
    {TRANSFER_HEAD ",\"amount\":\"1e18\"}", "is not a whole number of base units"},
    {"{\"kind\":\"epoch_close\",\"timestamp_ms\":-5,\"epoch\":0}",
     "epoch_close.timestamp_ms: must not be negative"},
    /* fixed point */
    {PSI_HEAD "0.7}", "coherence_report.psi: fixed-point values must be decimal strings like \"0.7\""},
    {PSI_HEAD "1}", "fixed-point values must be decimal strings"},
    {PSI_HEAD "\"0.1234567890123456789\"}", "coherence_report.psi: too many decimals (at most 18)"},
    {PSI_HEAD "\"1.\"}", "coherence_report.psi: malformed decimal \"1.\""},
    {PSI_HEAD "\".5\"}", "malformed decimal \".5\""},
    {PSI_HEAD "\"-0.1\"}", "malformed decimal \"-0.1\""},
    {PSI_HEAD "\"1e3\"}", "malformed decimal \"1e3\""},
    {PSI_HEAD "\" 0.5\"}", "malformed decimal"},
    {PSI_HEAD "\"1.000000000000000001\"}", "coherence_report.psi: 1.000000000000000001 is above 1"},
    {PSI_HEAD "\"1.5\"}", "coherence_report.psi: 1.5 is above 1"},
    {"{\"kind\":\"memory_contribution\",\"timestamp_ms\":5,\"contributor\":\"a\",\"memory_node_id\":\"m\","
     "\"rphiv\":\"18.446744073709551616\",\"lambda_node\":\"0.5\"}",
     "memory_contribution.rphiv: \"18.446744073709551616\" is above the largest fixed-point value"},
    {"{\"kind\":\"node_telemetry\",\"timestamp_ms\":7,\"node\":\"n1\",\"uptime\":\"0.9\","
     "\"replication\":\"2\",\"correctness\":\"0\"}",
     "node_telemetry.replication: 2 is above 1"},
    /* ids */
    {"{\"kind\":\"stake\",\"timestamp_ms\":1,\"validator\":\"" ID_65 "\",\"amount\":1}",
     "stake.validator: id is longer than 64 bytes"},
    {"{\"kind\":\"stake\",\"timestamp_ms\":1,\"validator\":\"al ice\",\"amount\":1}",
     "stake.validator: id has a byte outside [A-Za-z0-9._:-]"},
    {"{\"kind\":\"stake\",\"timestamp_ms\":1,\"validator\":\"caf\\u00e9\",\"amount\":1}",
     "stake.validator: id has a byte outside"},
    {"{\"kind\":\"stake\",\"timestamp_ms\":1,\"validator\":\"\",\"amount\":1}",
     "stake.validator: id is empty"},
    /* enums */
    {"{\"kind\":\"transfer\",\"timestamp_ms\":1,\"from\":\"a\",\"to\":\"b\",\"asset\":\"T9\",\"amount\":1}",
     "transfer.asset: unknown asset \"T9\""},
    {"{\"kind\":\"transfer\",\"timestamp_ms\":1,\"from\":\"a\",\"to\":\"b\",\"asset\":\"t1\",\"amount\":1}",
     "unknown asset \"t1\""},
    {"{\"kind\":\"register_account\",\"timestamp_ms\":1,\"id\":\"a\",\"account_kind\":\"admin\"}",
     "register_account.account_kind: unknown account kind \"admin\""},
    {"{\"kind\":\"social_vote\",\"timestamp_ms\":1,\"voter\":\"v\",\"proposal_id\":1,\"choice\":\"maybe\"}",
     "social_vote.choice: unknown vote choice \"maybe\""},
    /* parameters */
    {"{\"kind\":\"social_proposal\",\"timestamp_ms\":1,\"proposer\":\"v\",\"proposal_id\":1,"
     "\"param\":\"t9_pool\",\"value\":1}",
     "social_proposal.param: unknown parameter \"t9_pool\""},
    {"{\"kind\":\"infra_proposal\",\"timestamp_ms\":1,\"proposer\":\"n\",\"proposal_id\":1,"
     "\"param\":\"nod_fraction\",\"value\":\"0.5\"}",
     "infra_proposal.value: 0.5 is outside the range of nod_fraction [0.01, 0.15]"},
    {"{\"kind\":\"infra_proposal\",\"timestamp_ms\":1,\"proposer\":\"n\",\"proposal_id\":1,"
     "\"param\":\"nod_fraction\",\"value\":0.1}",
     "infra_proposal.value: fixed-point values must be decimal strings"},
    {"{\"kind\":\"social_proposal\",\"timestamp_ms\":1,\"proposer\":\"v\",\"proposal_id\":1,"
     "\"param\":\"t2_pool\",\"value\":\"0.5\"}",
     "social_proposal.value: \"0.5\" is not a whole number"},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"params\":{\"t2_pol\":\"1\"}}",
     "genesis.params: unknown parameter \"t2_pol\""},
    /* t2_pool is at most 10^12 T2 = 10^30 base units. */
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"params\":{\"t2_pool\":"
     "\"1000000000000000000000000000001\"}}",
     "genesis.params.t2_pool: 1000000000000000000000000000001 is outside the range of t2_pool [0, "
     "1000000000000000000000000000000]"},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"params\":{\"t2_pool\":1,\"t2_pool\":2}}",
     "duplicate key"},
    /* genesis accounts */
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"accounts\":["
     "{\"id\":\"v1\",\"kind\":\"validator\"},{\"id\":\"u\",\"kind\":\"user\"},{\"id\":\"v1\",\"kind\":"
     "\"user\"}]}",
     "genesis.accounts[2].id: duplicate account id \"v1\""},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"accounts\":[{\"id\":\"v1\"}]}",
     "genesis.accounts[0]: missing field \"kind\""},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"accounts\":[{\"id\":\"v1\",\"kind\":"
     "\"user\","
     "\"stake\":1}]}",
     "genesis.accounts[0]: unknown field \"stake\""},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"accounts\":[{\"id\":\"v1\",\"kind\":"
     "\"user\","
     "\"balances\":{\"T7\":1}}]}",
     "genesis.accounts[0].balances: unknown asset \"T7\""},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"accounts\":[{\"id\":\"v1\",\"kind\":"
     "\"user\","
     "\"balances\":{\"T1\":-1}}]}",
     "genesis.accounts[0].balances.T1: must not be negative"},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"accounts\":[{\"id\":\"v1\",\"kind\":"
     "\"user\","
     "\"balances\":{\"T1\":1,\"T1\":2}}]}",
     "duplicate key"},
    {"{\"kind\":\"genesis\",\"timestamp_ms\":0,\"chain_id\":\"c\",\"accounts\":[7]}",
     "genesis.accounts[0]: expected an object"},
};

START_TEST(test_json_parse_event__rejects_every_class_of_bad_input)
{
    qfs_arena *arena = NULL;
    ck_assert_int_eq(qfs_arena_create(&arena, 4096), QFS_OK);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        qfs_event ev;
        memset(&ev, 0x5a, sizeof ev);
        qfs_event before = ev;
        qfs_diag diag;
        qfs_err err = parse(&ev, BAD[i].text, arena, &diag);
        ck_assert_msg(err == QFS_E_PARSE, "case %zu (%s): got %d", i, BAD[i].text, err);
        ck_assert_msg(strstr(diag.message, BAD[i].message) != NULL, "case %zu: \"%s\" lacks \"%s\"", i,
                      diag.message, BAD[i].message);
        ck_assert_int_eq(diag.has_line, 1);
        ck_assert_uint_eq(diag.line, 0);
        ck_assert_mem_eq(&ev, &before, sizeof ev); /* untouched on error */
        qfs_arena_reset(arena);
    }
    qfs_arena_free(arena);
}
END_TEST

START_TEST(test_json_parse_event__syntax_errors_have_a_column)
{
    qfs_event ev;
    qfs_diag diag;
    const char *text = "{\"kind\":\"epoch_close\",\"timestamp_ms\":1,\"epoch\":0} x";
    ck_assert_int_eq(parse(&ev, text, NULL, &diag), QFS_E_PARSE);
    ck_assert_uint_gt(diag.column, 40);
}
END_TEST

START_TEST(test_json_parse_event__embedded_nul)
{
    static const char text[] = "{\"kind\":\"epoch_close\",\"timestamp_ms\":1,\"epoch\":0}\0";
    qfs_event ev;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    ck_assert_int_eq(qfs_json_parse_event(&ev, text, sizeof text - 1, NULL, &diag), QFS_E_PARSE);
    ck_assert_ptr_nonnull(strstr(diag.message, "NUL byte"));
    ck_assert_uint_eq(diag.column, sizeof text - 1);
    static const char inside[] = "{\"kind\":\"ep\0och_close\"}";
    ck_assert_int_eq(qfs_json_parse_event(&ev, inside, sizeof inside - 1, NULL, &diag), QFS_E_PARSE);
    ck_assert_uint_eq(diag.column, 12);
}
END_TEST

START_TEST(test_json_parse_event__too_long_line)
{
    qfs_event ev;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    /* The length is checked before a byte is read. */
    static const char text[] = "{}";
    ck_assert_int_eq(qfs_json_parse_event(&ev, text, QFS_JSON_LINE_BYTES_MAX + 1, NULL, &diag), QFS_E_LIMIT);
}
END_TEST

START_TEST(test_json_format_event__rejects_invalid_events)
{
    char *text = NULL;
    size_t len = 0;
    qfs_event ev;
    memset(&ev, 0, sizeof ev);
    ck_assert_int_eq(qfs_json_format_event(&text, &len, &ev), QFS_E_INVALID_ARG); /* no kind */
    ev.kind = QFS_EVENT_COHERENCE_REPORT;
    ck_assert_int_eq(qfs_id_set(&ev.u.coherence_report.validator, "v", 1), QFS_OK);
    ev.u.coherence_report.psi_fp18 = 1000000000000000001ULL;
    ck_assert_int_eq(qfs_json_format_event(&text, &len, &ev), QFS_E_INVALID_ARG);
    ev.u.coherence_report.psi_fp18 = 1;
    ck_assert_int_eq(qfs_json_format_event(&text, &len, &ev), QFS_OK);
    ck_assert_str_eq(text,
                     "{\"kind\":\"coherence_report\",\"psi\":\"0.000000000000000001\",\"timestamp_ms\":\"0\","
                     "\"validator\":\"v\"}");
    free(text);
    ev.kind = QFS_EVENT_TRANSFER;
    memset(&ev.u, 0, sizeof ev.u);
    ck_assert_int_eq(qfs_id_set(&ev.u.transfer.from, "a", 1), QFS_OK);
    ck_assert_int_eq(qfs_id_set(&ev.u.transfer.to, "b", 1), QFS_OK);
    ck_assert_int_eq(qfs_json_format_event(&text, &len, &ev), QFS_E_INVALID_ARG); /* asset unset */
}
END_TEST

/* "[" then n "{}" joined by "," then "]": len = 3n + 1 bytes, n objects, one
 * array and n - 1 commas, so the estimate is 256n + 160 + 80(n - 1) +
 * 2(3n + 1) = 342n + 82 and the budget 32(3n + 1) + 65536 = 96n + 65568.
 * The estimate first exceeds the budget at n = 267 (91396 > 91200); at
 * n = 266 it is 91054 <= 91104 and the line reaches jansson. */
static char *objects_line(size_t n, size_t *len)
{
    *len = 3 * n + 1;
    char *t = malloc(*len);
    t[0] = '[';
    for (size_t i = 0; i < n; i++) {
        t[1 + 3 * i] = '{';
        t[2 + 3 * i] = '}';
        t[3 + 3 * i] = i + 1 < n ? ',' : ']';
    }
    return t;
}

START_TEST(test_json_parse_event__memory_budget_boundary)
{
    size_t len;
    qfs_event ev;
    qfs_diag d;
    char *t = objects_line(266, &len);
    ck_assert_uint_eq(len, 799);
    ck_assert_int_eq(qfs_json_parse_event(&ev, t, len, NULL, &d), QFS_E_PARSE);
    ck_assert_str_eq(d.message, "event must be a JSON object, got an array");
    free(t);
    t = objects_line(267, &len);
    ck_assert_int_eq(qfs_json_parse_event(&ev, t, len, NULL, &d), QFS_E_LIMIT);
    ck_assert_str_eq(d.message, "line holds too many JSON values: parsing it would take about 91396 bytes of "
                                "memory (at most 32 per byte of line plus 65536)");
    free(t);
    /* Braces, commas and colons inside strings cost nothing extra. */
    char quoted[2000];
    memcpy(quoted, "{\"kind\":\"", 9);
    memset(quoted + 9, ',', 1900);
    memcpy(quoted + 1909, "\"}", 2);
    ck_assert_int_eq(qfs_json_parse_event(&ev, quoted, 1911, NULL, &d), QFS_E_PARSE);
    ck_assert(strstr(d.message, "unknown kind") != NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_json_parse_event__round_trip_every_kind);
    tcase_add_test(tc, test_json_parse_event__genesis_params_sorted_and_balances_kept);
    tcase_add_test(tc, test_json_parse_event__rejects_every_class_of_bad_input);
    tcase_add_test(tc, test_json_parse_event__syntax_errors_have_a_column);
    tcase_add_test(tc, test_json_parse_event__embedded_nul);
    tcase_add_test(tc, test_json_parse_event__too_long_line);
    tcase_add_test(tc, test_json_parse_event__memory_budget_boundary);
    tcase_add_test(tc, test_json_format_event__rejects_invalid_events);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
