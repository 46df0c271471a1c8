/* The evidence collector: observes every event of a replay and renders the
 * economic artifacts of an evidence bundle (qfs/evidence.h,
 * docs/EVIDENCE.md).
 *
 * Per-close entries are rendered to JSON text as the closes happen and kept
 * as text: nothing later changes them, and the text is smaller than the
 * reports it comes from. Proposals change after they are submitted (ballots,
 * tally, application), so they are kept as records and rendered at the end. */
#include "evidence/evidence_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const ARTIFACT_NAMES[QFS_EVIDENCE_ARTIFACT_COUNT] = {
    "nod_distribution.json",
    "rewards.json",
    "checkpoints.json",
    "governance.json",
};

const char *qfs_evidence_artifact_name(qfs_evidence_artifact a)
{
    if ((int)a < 0 || a >= QFS_EVIDENCE_ARTIFACT_COUNT)
        return NULL;
    return ARTIFACT_NAMES[a];
}

qfs_err qfs_evidence_create(qfs_evidence **out)
{
    qfs_evidence *ev = calloc(1, sizeof *ev);
    if (!ev)
        return QFS_E_NOMEM;
    *out = ev;
    return QFS_OK;
}

void qfs_evidence_free(qfs_evidence *ev)
{
    if (!ev)
        return;
    jw_free(&ev->checkpoints);
    jw_free(&ev->nod);
    jw_free(&ev->rewards);
    ev_gov_free(&ev->social);
    ev_gov_free(&ev->infra);
    free(ev->mem);
    free(ev->order);
    free(ev);
}

/* The module names sorted by their bytes: the order of the keys of a
 * "modules" object. */
static void module_order(size_t *order, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && strcmp(qfs_state_module_name(order[j - 1]), qfs_state_module_name(i)) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

void ev_snapshot_take(ev_snapshot *snap, const qfs_state *s)
{
    size_t n = qfs_state_module_count();
    QFS_ASSERT(n <= EV_MODULES_MAX);
    for (size_t i = 0; i < n; i++)
        qfs_state_module_hash(s, i, &snap->modules[i]);
    /* The root from the module hashes: hashing the state once, not twice. */
    state_hash_of_modules(snap->modules, &snap->root);
    snap->epoch = qfs_state_epoch(s);
    snap->events = qfs_state_event_count(s);
    snap->rejected = qfs_state_rejected_count(s);
}

void ev_write_modules(jw *b, const ev_snapshot *snap)
{
    size_t order[EV_MODULES_MAX];
    size_t n = qfs_state_module_count();
    module_order(order, n);
    jw_key(b, "modules");
    jw_open(b, '{');
    for (size_t i = 0; i < n; i++)
        jw_k_hash(b, qfs_state_module_name(order[i]), &snap->modules[order[i]]);
    jw_close(b, '}');
}

/* One entry of checkpoints.json, after an accepted close of `epoch`. */
static void checkpoint_entry(qfs_evidence *ev, uint64_t event_index, const ev_snapshot *snap)
{
    jw *b = &ev->checkpoints;
    jw_open(b, '{');
    jw_k_u64(b, "epoch", snap->epoch - 1);
    jw_k_u64(b, "event", event_index);
    ev_write_modules(b, snap);
    jw_k_hash(b, "state_hash", &snap->root);
    jw_close(b, '}');
}

qfs_err qfs_evidence_observe(qfs_evidence *ev, const qfs_state *s, uint64_t event_index, const qfs_event *e,
                             const qfs_receipt *r)
{
    if (!ev || !s || !e || !r)
        return QFS_E_INVALID_ARG;
    if (ev->observed && event_index <= ev->last_index)
        return QFS_E_INVALID_ARG;
    ev->observed = 1;
    ev->last_index = event_index;
    ev->last_state = s;
    ev->finished = 0;
    if (r->code != QFS_REJECT_NONE)
        return QFS_OK;
    qfs_err err = QFS_OK;
    switch (e->kind) {
    case QFS_EVENT_SOCIAL_PROPOSAL:
        err = ev_gov_proposal(ev, s, 0, event_index, &e->u.social_proposal);
        break;
    case QFS_EVENT_INFRA_PROPOSAL: err = ev_gov_proposal(ev, s, 1, event_index, &e->u.infra_proposal); break;
    case QFS_EVENT_SOCIAL_VOTE: err = ev_gov_ballot(ev, s, 0, event_index, &e->u.social_vote); break;
    case QFS_EVENT_INFRA_VOTE: err = ev_gov_ballot(ev, s, 1, event_index, &e->u.infra_vote); break;
    case QFS_EVENT_EPOCH_CLOSE: {
        ev_snapshot snap;
        ev_snapshot_take(&snap, s);
        checkpoint_entry(ev, event_index, &snap);
        err = ev_close(ev, s, event_index, &snap);
        break;
    }
    default: break;
    }
    if (err == QFS_OK && (ev->checkpoints.oom || ev->nod.oom || ev->rewards.oom))
        err = QFS_E_NOMEM;
    return err;
}

qfs_err qfs_evidence_finish(qfs_evidence *ev, const qfs_state *s)
{
    if (!ev || !s)
        return QFS_E_INVALID_ARG;
    ev_snapshot_take(&ev->final, s);
    ev->finished = 1;
    return QFS_OK;
}

/* {"<member>":[<entries>],...} from the text kept for each close. */
static void wrap_entries(jw *out, const char *member, const jw *entries)
{
    jw_key(out, member);
    jw_open(out, '[');
    if (entries->len)
        jw_raw(out, entries->p, entries->len);
    jw_close(out, ']');
}

static void render_checkpoints(const qfs_evidence *ev, jw *b)
{
    jw_open(b, '{');
    wrap_entries(b, "checkpoints", &ev->checkpoints);
    jw_key(b, "final");
    if (!ev->observed) {
        jw_null(b);
    } else {
        ev_snapshot snap;
        if (ev->finished)
            snap = ev->final;
        else
            ev_snapshot_take(&snap, ev->last_state);
        jw_open(b, '{');
        jw_k_u64(b, "epoch", snap.epoch);
        jw_k_u64(b, "event", ev->last_index);
        jw_k_u64(b, "events", snap.events);
        ev_write_modules(b, &snap);
        jw_k_u64(b, "rejected", snap.rejected);
        jw_k_hash(b, "state_hash", &snap.root);
        jw_close(b, '}');
    }
    jw_close(b, '}');
}

qfs_err qfs_evidence_render(const qfs_evidence *ev, qfs_evidence_artifact a, char **out, size_t *len_out)
{
    if (!ev || !out || (int)a < 0 || a >= QFS_EVIDENCE_ARTIFACT_COUNT)
        return QFS_E_INVALID_ARG;
    jw b;
    memset(&b, 0, sizeof b);
    switch (a) {
    case QFS_EVIDENCE_NOD_DISTRIBUTION:
        jw_open(&b, '{');
        wrap_entries(&b, "closes", &ev->nod);
        jw_close(&b, '}');
        break;
    case QFS_EVIDENCE_REWARDS:
        jw_open(&b, '{');
        wrap_entries(&b, "closes", &ev->rewards);
        jw_close(&b, '}');
        break;
    case QFS_EVIDENCE_CHECKPOINTS: render_checkpoints(ev, &b); break;
    case QFS_EVIDENCE_GOVERNANCE: ev_gov_render(ev, &b); break;
    case QFS_EVIDENCE_ARTIFACT_COUNT: break;
    }
    jw_raw(&b, "\n", 1);
    if (b.oom) {
        jw_free(&b);
        return QFS_E_NOMEM;
    }
    *out = b.p;
    if (len_out)
        *len_out = b.len;
    return QFS_OK;
}
