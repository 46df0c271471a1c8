/* Key files of `qfs keygen` and `qfs sign`: one line of text,
 *
 *   qfs-ed25519-secret-v1 <64 lowercase hex digits of the 32-byte seed>\n
 *
 * readable only by its owner (mode 0600). The seed alone determines the key
 * pair (qfs_auth_keypair). */
#ifndef QFS_KEYFILE_H
#define QFS_KEYFILE_H

#include "cli.h"

#define KEYFILE_PREFIX "qfs-ed25519-secret-v1 "

/* Writes the key file for `seed` at `path`: complete or not at all (a
 * temporary file of mode 0600 beside it, made durable, then moved into
 * place). An existing `path` is replaced only when `force`. Returns 0, or an
 * exit code after reporting as `cmd`: CLI_EXIT_USAGE when `path` exists and
 * not `force`, CLI_EXIT_IO for an I/O error. */
int keyfile_write(const char *cmd, const char *path, const uint8_t seed[QFS_SEED_BYTES], int force);

/* Reads the key file at `path` into a key pair. Refuses (CLI_EXIT_DATA) a
 * file that its group or others may read or write, as ssh does, and a file
 * not in the format above; CLI_EXIT_IO when it cannot be read. Returns 0 or
 * an exit code after reporting as `cmd`. The caller wipes sk
 * (qfs_auth_wipe) when done. */
int keyfile_read(const char *cmd, const char *path, qfs_public_key *pk, uint8_t sk[QFS_SECRET_KEY_BYTES]);

/* Writes the 64 lowercase hex digits of `key` and a NUL to out[65]. */
void keyfile_hex(char out[2 * QFS_PUBLIC_KEY_BYTES + 1], const uint8_t *key);

#endif
