/*
 * qfs/evidence.h - the economic artifacts of an evidence bundle: how NOD was
 * issued and allocated, the T2, slashing and T5 rewards of every epoch close,
 * the state and module hashes at every close, and the full record of both
 * governances.
 *
 * docs/EVIDENCE.md describes every artifact field by field.
 *
 * Usage:
 *     qfs_evidence *ev;
 *     qfs_evidence_create(&ev);
 *     for each event e at index i: qfs_state_apply(s, &e, &r);
 *                                  qfs_evidence_observe(ev, s, i, &e, &r);
 *     for each artifact a: qfs_evidence_render(ev, a, &text, &len); ...; free(text);
 *     qfs_evidence_free(ev);
 *     qfs_state_free(s);
 *
 * The collector reads only what the fold itself computed (a non-hashed report
 * of the last epoch close that the state keeps beside its hashed contents),
 * so observing never changes a state hash or a receipt. Observing an event
 * that is not an accepted epoch close costs a few comparisons (and, for an
 * accepted proposal or vote, one record); an accepted close costs one state
 * hash and a walk over the close's report.
 *
 * A qfs_evidence is not thread-safe, and neither is the state it observes.
 */
#ifndef QFS_EVIDENCE_H
#define QFS_EVIDENCE_H

#include "qfs/state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qfs_evidence qfs_evidence;

/* Creates an empty collector. QFS_E_NOMEM when an allocation fails. Free with
 * qfs_evidence_free (accepts NULL). */
qfs_err qfs_evidence_create(qfs_evidence **out);

/* Frees the collector and everything it owns. Accepts NULL. */
void qfs_evidence_free(qfs_evidence *ev);

/* Feed it every event of a log in order, right after qfs_state_apply(s, e, r)
 * returned QFS_OK for it: event_index is the 0-based index of the event in the
 * log, s the state after the event. Observe every event from the genesis on,
 * rejected ones too (they only move the final entry): a proposal or ballot
 * the collector did not see gives QFS_E_STATE at its tally or vote.
 * QFS_E_INVALID_ARG when event_index is not above the previous one (the
 * collector is then unchanged). QFS_E_NOMEM when an allocation fails; the
 * collector may then only be freed.
 *
 * Cost: for an event that is not an accepted epoch close, a few comparisons
 * (and one record for an accepted proposal or vote); for an accepted close,
 * one hash of the state and a walk over what the close reported.
 *
 * The final entry of checkpoints.json describes the state after the last
 * observed event: either call qfs_evidence_finish with that state, or keep
 * the state alive and unchanged until checkpoints.json is rendered (the
 * collector then hashes it at render time). */
qfs_err qfs_evidence_observe(qfs_evidence *ev, const qfs_state *s, uint64_t event_index, const qfs_event *e,
                             const qfs_receipt *r);

/* Takes the final entry of checkpoints.json (state hash, module hashes, epoch,
 * event and rejection counts) from `s`, the state after the last observed
 * event, so that the state may be freed before rendering. Optional; observing
 * another event afterwards discards it. */
qfs_err qfs_evidence_finish(qfs_evidence *ev, const qfs_state *s);

typedef enum qfs_evidence_artifact {
    QFS_EVIDENCE_NOD_DISTRIBUTION, /* "nod_distribution.json" */
    QFS_EVIDENCE_REWARDS,          /* "rewards.json" */
    QFS_EVIDENCE_CHECKPOINTS,      /* "checkpoints.json" */
    QFS_EVIDENCE_GOVERNANCE,       /* "governance.json" */
    QFS_EVIDENCE_ARTIFACT_COUNT
} qfs_evidence_artifact;

/* The artifact's file name above; NULL if `a` is out of range. */
const char *qfs_evidence_artifact_name(qfs_evidence_artifact a);

/* Renders one artifact as canonical JSON (sorted keys, no whitespace, amounts
 * and proposal ids as strings of digits, ratios as exact decimal strings,
 * counts, epochs and event indexes as JSON integers, one LF at the end) into
 * a malloc'd, NUL-terminated buffer that the caller frees with free();
 * *len_out (may be NULL) gets its length without the NUL. Rendering does not
 * change the collector: rendering twice gives the same bytes.
 * QFS_E_INVALID_ARG for an artifact out of range, QFS_E_NOMEM. */
qfs_err qfs_evidence_render(const qfs_evidence *ev, qfs_evidence_artifact a, char **out, size_t *len_out);

#ifdef __cplusplus
}
#endif
#endif
