/* Helpers shared by the Check suites. */
#ifndef QFS_TESTUTIL_H
#define QFS_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* A fresh private directory for this process (created on first call). */
const char *tu_tmpdir(void);

/* Writes `path` = tu_tmpdir()/name into buf (cap bytes) and returns buf. */
char *tu_path(char *buf, size_t cap, const char *name);

/* Reads a whole file (malloc'd, NUL-terminated); NULL on error. */
uint8_t *tu_read_file(const char *path, size_t *len_out);

/* Writes a whole file; 0 on success. */
int tu_write_file(const char *path, const void *data, size_t len);

/* Runs `s` and returns a process exit status (0 when every test passed). */
int tu_run_suite(Suite *s);

#endif
