/* Key files: see keyfile.h. */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEED_HEX_LEN (2 * QFS_SEED_BYTES)
/* The prefix, the hex digits and the newline; one byte more shows a longer file. */
#define KEYFILE_BYTES (sizeof KEYFILE_PREFIX - 1 + SEED_HEX_LEN + 1)

void keyfile_hex(char out[2 * QFS_PUBLIC_KEY_BYTES + 1], const uint8_t *key)
{
    qfs_hex_encode(out, key, QFS_PUBLIC_KEY_BYTES);
    out[2 * QFS_PUBLIC_KEY_BYTES] = '\0';
}

/* Writes all of buf and makes it durable; 0 or -1 with errno set. */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return fsync(fd);
}

int keyfile_write(const char *cmd, const char *path, const uint8_t seed[QFS_SEED_BYTES], int force)
{
    struct stat st;
    if (!force && lstat(path, &st) == 0) {
        cli_error(cmd, "%s: exists; use --force to replace it", path);
        return CLI_EXIT_USAGE;
    }
    char text[KEYFILE_BYTES + 1];
    memcpy(text, KEYFILE_PREFIX, sizeof KEYFILE_PREFIX - 1);
    keyfile_hex(text + sizeof KEYFILE_PREFIX - 1, seed);
    text[KEYFILE_BYTES - 1] = '\n';
    text[KEYFILE_BYTES] = '\0';

    /* mkstemp creates the file with mode 0600 whatever the umask; the
     * fchmod says so again for systems where it may not. */
    static const char suffix[] = ".tmp-XXXXXX";
    size_t n = strlen(path) + sizeof suffix;
    char *tmp = malloc(n);
    if (!tmp) {
        qfs_auth_wipe(text, sizeof text);
        cli_error(cmd, "out of memory");
        return CLI_EXIT_IO;
    }
    snprintf(tmp, n, "%s%s", path, suffix);
    int rc = 0;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        cli_error(cmd, "%s: cannot create: %s", path, strerror(errno));
        free(tmp);
        qfs_auth_wipe(text, sizeof text);
        return CLI_EXIT_IO;
    }
    if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 || write_all(fd, text, KEYFILE_BYTES) != 0) {
        cli_error(cmd, "%s: cannot write: %s", path, strerror(errno));
        rc = CLI_EXIT_IO;
    }
    qfs_auth_wipe(text, sizeof text);
    if (close(fd) != 0 && rc == 0) {
        cli_error(cmd, "%s: cannot write: %s", path, strerror(errno));
        rc = CLI_EXIT_IO;
    }
    if (rc == 0) {
        /* Without --force, link() refuses an existing name even if one
         * appeared since the check above; rename() replaces it. */
        if (force ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
            int e = errno;
            if (e == EEXIST) {
                cli_error(cmd, "%s: exists; use --force to replace it", path);
                rc = CLI_EXIT_USAGE;
            } else {
                cli_error(cmd, "%s: cannot create: %s", path, strerror(e));
                rc = CLI_EXIT_IO;
            }
        }
    }
    if (rc != 0 || !force)
        unlink(tmp);
    free(tmp);
    return rc;
}

int keyfile_read(const char *cmd, const char *path, qfs_public_key *pk, uint8_t sk[QFS_SECRET_KEY_BYTES])
{
    int fd = open(path, O_RDONLY | O_NOCTTY);
    if (fd < 0) {
        cli_error(cmd, "%s: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        cli_error(cmd, "%s: %s", path, strerror(errno));
        close(fd);
        return CLI_EXIT_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_error(cmd, "%s: not a regular file", path);
        close(fd);
        return CLI_EXIT_DATA;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        cli_error(cmd,
                  "%s: permissions %04o are too open: a key file must be readable only by its owner "
                  "(chmod 600 %s)",
                  path, (unsigned)(st.st_mode & 07777), path);
        close(fd);
        return CLI_EXIT_DATA;
    }
    char text[KEYFILE_BYTES + 1];
    size_t len = 0;
    while (len < sizeof text) {
        ssize_t n = read(fd, text + len, sizeof text - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cli_error(cmd, "%s: %s", path, strerror(errno));
            close(fd);
            qfs_auth_wipe(text, sizeof text);
            return CLI_EXIT_IO;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    /* The newline is optional, nothing else is. */
    size_t body = sizeof KEYFILE_PREFIX - 1 + SEED_HEX_LEN;
    int ok = (len == body || (len == body + 1 && text[body] == '\n')) &&
             memcmp(text, KEYFILE_PREFIX, sizeof KEYFILE_PREFIX - 1) == 0;
    uint8_t seed[QFS_SEED_BYTES];
    ok = ok && qfs_hex_decode(seed, text + sizeof KEYFILE_PREFIX - 1, QFS_SEED_BYTES) == QFS_OK;
    qfs_auth_wipe(text, sizeof text);
    if (!ok) {
        qfs_auth_wipe(seed, sizeof seed);
        cli_error(cmd, "%s: not a qfs key file (one line: '%s' and 64 lowercase hex digits)", path,
                  KEYFILE_PREFIX "<seed>");
        return CLI_EXIT_DATA;
    }
    qfs_err err = qfs_auth_keypair(pk, sk, seed);
    qfs_auth_wipe(seed, sizeof seed);
    if (err != QFS_OK) {
        cli_error(cmd, "%s: cannot derive the key pair (%s)", path, qfs_err_str(err));
        return CLI_EXIT_IO;
    }
    return 0;
}
