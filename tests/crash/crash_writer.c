/* The writer of the crash test: appends a fixed sequence of batches to a log,
 * resuming after whatever is already there, and prints the index count it has
 * acknowledged after each append returns (that is, after its fdatasync).
 *
 * usage: crash_writer LOG BATCHES BATCH_EVENTS
 * Batch k always holds the same events, so an interrupted and resumed run
 * must end byte-identical to an uninterrupted one. */
#include "qfs/qfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void make_event(uint64_t k, qfs_event *ev, qfs_genesis_account *accounts)
{
    memset(ev, 0, sizeof *ev);
    ev->timestamp_ms = 1700000000000ULL + k * 10;
    if (k == 0) {
        ev->kind = QFS_EVENT_GENESIS;
        ev->u.genesis.auth = QFS_AUTH_NONE;
        qfs_id_set(&ev->u.genesis.chain_id, "crash-test", 10);
        memset(accounts, 0, 2 * sizeof *accounts);
        qfs_id_set(&accounts[0].id, "alice", 5);
        accounts[0].kind = QFS_ACCOUNT_USER;
        accounts[0].balances[QFS_ASSET_ATR] = 1000000000;
        qfs_id_set(&accounts[1].id, "bob", 3);
        accounts[1].kind = QFS_ACCOUNT_USER;
        ev->u.genesis.accounts = accounts;
        ev->u.genesis.account_count = 2;
        return;
    }
    if (k % 3 == 0) {
        ev->kind = QFS_EVENT_USER_ACTION;
        qfs_id_set(&ev->u.user_action.account, "alice", 5);
        qfs_id_set(&ev->u.user_action.action, "post", 4);
        ev->u.user_action.fee_atr = 1 + k % 7;
        return;
    }
    ev->kind = QFS_EVENT_TRANSFER;
    qfs_id_set(&ev->u.transfer.from, "alice", 5);
    qfs_id_set(&ev->u.transfer.to, "bob", 3);
    ev->u.transfer.asset = QFS_ASSET_ATR;
    ev->u.transfer.amount = 1 + k % 13;
    ev->u.transfer.fee_atr = k % 2;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: crash_writer LOG BATCHES BATCH_EVENTS\n");
        return 2;
    }
    uint64_t batches = strtoull(argv[2], NULL, 10);
    uint64_t per = strtoull(argv[3], NULL, 10);
    if (per == 0 || per > 1000)
        return 2;
    qfs_hash128 schema;
    qfs_codec_schema_hash(&schema);
    qfs_log_writer *w = NULL;
    qfs_log_open_info info;
    qfs_diag d;
    qfs_diag_clear(&d);
    qfs_err err = qfs_log_writer_open(&w, argv[1], &schema, NULL, &info, &d);
    if (err != QFS_OK) {
        fprintf(stderr, "crash_writer: open: %s: %s\n", qfs_err_str(err), d.message);
        return 65;
    }
    uint64_t have = qfs_log_writer_event_count(w);
    if (have % per != 0) {
        fprintf(stderr, "crash_writer: %llu events is not a whole number of batches\n",
                (unsigned long long)have);
        return 65;
    }
    static uint8_t buf[1000][256];
    qfs_log_event_bytes events[1000];
    qfs_genesis_account accounts[2];
    for (uint64_t b = have / per; b < batches; b++) {
        for (uint64_t i = 0; i < per; i++) {
            qfs_event ev;
            make_event(b * per + i, &ev, accounts);
            size_t len = 0;
            if (qfs_codec_encode(&ev, buf[i], sizeof buf[i], &len) != QFS_OK)
                return 70;
            events[i].data = buf[i];
            events[i].len = len;
        }
        err = qfs_log_writer_append(w, events, (size_t)per, NULL, &d);
        if (err != QFS_OK) {
            fprintf(stderr, "crash_writer: append: %s: %s\n", qfs_err_str(err), d.message);
            return 74;
        }
        printf("acked %llu\n", (unsigned long long)((b + 1) * per));
        fflush(stdout);
    }
    qfs_log_writer_free(w);
    return 0;
}
