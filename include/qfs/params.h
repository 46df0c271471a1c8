/*
 * qfs/params.h - the registry of protocol parameters.
 *
 * Every parameter has a name, a unit, a default (the source designs' value),
 * an inclusive allowed range, and a governance domain: social parameters
 * (attunement) may change only through T3 proposals, infrastructure
 * parameters only through NOD proposals, and fixed parameters only at
 * genesis. The registry is sorted by name; docs/SPEC.md lists it in full.
 */
#ifndef QFS_PARAMS_H
#define QFS_PARAMS_H

#include "qfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum qfs_param_unit {
    QFS_UNIT_AMOUNT = 1, /* base units of an asset */
    QFS_UNIT_FP18 = 2,   /* 18-decimal fixed point ratio */
    QFS_UNIT_COUNT = 3,  /* a plain count (epochs, nodes, a version number) */
    QFS_UNIT_MS = 4      /* milliseconds of event time */
} qfs_param_unit;

typedef enum qfs_param_domain {
    QFS_DOMAIN_FIXED = 1,  /* set at genesis only */
    QFS_DOMAIN_SOCIAL = 2, /* attunement: T3 proposals */
    QFS_DOMAIN_INFRA = 3   /* infrastructure: NOD proposals */
} qfs_param_domain;

typedef struct qfs_param_def {
    const char *name;
    qfs_param_unit unit;
    qfs_param_domain domain;
    uint64_t default_value;
    uint64_t min_value; /* inclusive */
    uint64_t max_value; /* inclusive */
    const char *doc;    /* one line: what the parameter does */
} qfs_param_def;

/* The registry, sorted by name (strcmp order); `*count_out` entries. */
const qfs_param_def *qfs_params_all(size_t *count_out);

/* Finds a parameter by exact name; NULL when unknown. */
const qfs_param_def *qfs_param_find(const char *name, size_t len);

/* Position of `def` in qfs_params_all(); the index used by the state. */
size_t qfs_param_index(const qfs_param_def *def);

#ifdef __cplusplus
}
#endif
#endif
