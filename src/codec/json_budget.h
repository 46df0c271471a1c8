/*
 * codec/json_budget.h - the memory bound of one JSON line, checked before
 * jansson parses it (docs/ERRORS.md, E41).
 */
#ifndef QFS_CODEC_JSON_BUDGET_H
#define QFS_CODEC_JSON_BUDGET_H

#include "qfs/common.h"

#include <stddef.h>

/* Estimates from one pass over the `len` bytes of `text` what jansson would
 * allocate to parse them, and refuses the line (QFS_E_LIMIT, with the
 * estimate in `diag`) when the estimate exceeds
 * QFS_JSON_LINE_MEMORY_PER_BYTE * len + QFS_JSON_LINE_MEMORY_BASE_BYTES. */
qfs_err json_line_budget_check(const char *text, size_t len, qfs_diag *diag);

#endif
