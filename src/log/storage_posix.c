/* The POSIX storage: pread, pwrite, fdatasync, ftruncate. Every call retries
 * on EINTR and loops over short transfers, and every OS error becomes
 * QFS_E_IO with the strerror text in the diagnostic. */
#include "qfs/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct qfs_storage_file {
    int fd;
};

static qfs_err os_error(qfs_diag *diag, int errnum, const char *what, uint64_t offset, int has_offset)
{
    char text[128];
    if (strerror_r(errnum, text, sizeof text) != 0)
        snprintf(text, sizeof text, "error %d", errnum);
    if (has_offset) {
        qfs_diag_set(diag, "%s at offset %llu: %s", what, (unsigned long long)offset, text);
        qfs_diag_set_offset(diag, offset);
    } else {
        qfs_diag_set(diag, "%s: %s", what, text);
    }
    return QFS_E_IO;
}

/* off_t is signed; offsets past its range cannot be addressed. */
static int offset_ok(uint64_t offset, size_t len)
{
    const uint64_t max = (uint64_t)INT64_MAX;
    return offset <= max && (uint64_t)len <= max - offset;
}

static const char *file_type_name(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "a special file";
}

/* A log is read by seeking and its size is its end, so only a regular file
 * can be one. A FIFO or a device would block, read as an endless stream or
 * read as empty; a /proc or /sys file is regular to stat but reports size 0
 * and yet has content. Each is refused with a message that says so. */
static qfs_err require_regular(int fd, qfs_diag *diag)
{
    struct stat s;
    if (fstat(fd, &s) != 0)
        return os_error(diag, errno, "cannot stat log file", 0, 0);
    if (!S_ISREG(s.st_mode)) {
        qfs_diag_set(diag, "cannot open log file: %s, not a regular file", file_type_name(s.st_mode));
        return QFS_E_IO;
    }
    if (s.st_size == 0) {
        uint8_t probe;
        ssize_t n;
        do
            n = pread(fd, &probe, 1, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            return os_error(diag, errno, "read", 0, 1);
        if (n > 0) {
            qfs_diag_set(diag, "cannot open log file: it reports a size of 0 but has content (a file of a "
                               "kernel file system such as /proc), not a regular file");
            return QFS_E_IO;
        }
    }
    return QFS_OK;
}

static qfs_err posix_open(void *ctx, const char *path, int writable, int create, int *created,
                          qfs_storage_file **out, qfs_diag *diag)
{
    (void)ctx;
    /* O_NONBLOCK: opening a FIFO must not wait for a peer. It is cleared
     * once the file is known to be regular, where it has no effect anyway. */
    int flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK;
    int fd = -1;
    int made = 0;
    if (create) {
        /* O_EXCL tells us whether this call created the file, which decides
         * whether the directory entry must be made durable. */
        do
            fd = open(path, flags | O_CREAT | O_EXCL, 0666);
        while (fd < 0 && errno == EINTR);
        if (fd >= 0)
            made = 1;
        else if (errno != EEXIST)
            return os_error(diag, errno, "cannot create log file", 0, 0);
    }
    if (fd < 0) {
        do
            fd = open(path, flags);
        while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            int e = errno;
            os_error(diag, e, "cannot open log file", 0, 0);
            return e == ENOENT ? QFS_E_NOT_FOUND : QFS_E_IO;
        }
    }
    qfs_err err = require_regular(fd, diag);
    int fl = err == QFS_OK ? fcntl(fd, F_GETFL) : 0;
    if (err == QFS_OK && (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0))
        err = os_error(diag, errno, "cannot open log file", 0, 0);
    if (err != QFS_OK) {
        close(fd);
        return err;
    }
    /* One writer per log: two would both append at the end each found, and
     * one's acknowledged records would overwrite the other's. The lock is
     * advisory and released when the file is closed or the process dies, so
     * a crashed writer never leaves the log locked. Readers take no lock. */
    if (writable) {
        int rc;
        do
            rc = flock(fd, LOCK_EX | LOCK_NB);
        while (rc != 0 && errno == EINTR);
        if (rc != 0) {
            int e = errno;
            close(fd);
            if (e == EWOULDBLOCK)
                return os_error(diag, e, "cannot lock log file: another writer has it open", 0, 0);
            return os_error(diag, e, "cannot lock log file", 0, 0);
        }
    }
    qfs_storage_file *f = malloc(sizeof *f);
    if (!f) {
        close(fd);
        qfs_diag_set(diag, "out of memory opening log file");
        return QFS_E_NOMEM;
    }
    f->fd = fd;
    if (created)
        *created = made;
    *out = f;
    return QFS_OK;
}

static qfs_err posix_read_at(void *ctx, qfs_storage_file *f, uint64_t offset, void *buf, size_t len,
                             size_t *got, qfs_diag *diag)
{
    (void)ctx;
    *got = 0;
    if (!offset_ok(offset, len))
        return os_error(diag, EOVERFLOW, "read", offset, 1);
    uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(f->fd, p + done, len - done, (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return os_error(diag, errno, "read", offset + done, 1);
        }
        if (n == 0)
            break; /* end of file */
        done += (size_t)n;
    }
    *got = done;
    return QFS_OK;
}

static qfs_err posix_write_at(void *ctx, qfs_storage_file *f, uint64_t offset, const void *buf, size_t len,
                              qfs_diag *diag)
{
    (void)ctx;
    if (!offset_ok(offset, len))
        return os_error(diag, EOVERFLOW, "write", offset, 1);
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(f->fd, p + done, len - done, (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return os_error(diag, errno, "write", offset + done, 1);
        }
        if (n == 0) /* no progress: report it as the full disk it almost surely is */
            return os_error(diag, ENOSPC, "write", offset + done, 1);
        done += (size_t)n;
    }
    return QFS_OK;
}

static qfs_err posix_size(void *ctx, qfs_storage_file *f, uint64_t *out, qfs_diag *diag)
{
    (void)ctx;
    struct stat s;
    if (fstat(f->fd, &s) != 0)
        return os_error(diag, errno, "cannot stat log file", 0, 0);
    if (s.st_size < 0)
        return os_error(diag, EOVERFLOW, "cannot stat log file", 0, 0);
    *out = (uint64_t)s.st_size;
    return QFS_OK;
}

static qfs_err posix_truncate(void *ctx, qfs_storage_file *f, uint64_t size, qfs_diag *diag)
{
    (void)ctx;
    if (!offset_ok(size, 0))
        return os_error(diag, EOVERFLOW, "truncate", size, 1);
    int rc;
    do
        rc = ftruncate(f->fd, (off_t)size);
    while (rc != 0 && errno == EINTR);
    if (rc != 0)
        return os_error(diag, errno, "truncate", size, 1);
    return QFS_OK;
}

static qfs_err posix_sync(void *ctx, qfs_storage_file *f, qfs_diag *diag)
{
    (void)ctx;
    int rc;
    do
        rc = fdatasync(f->fd);
    while (rc != 0 && errno == EINTR);
    if (rc != 0)
        return os_error(diag, errno, "fdatasync", 0, 0);
    return QFS_OK;
}

static qfs_err posix_sync_dir(void *ctx, const char *path, qfs_diag *diag)
{
    (void)ctx;
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) : 0;
    char *dir = malloc(dir_len + 2);
    if (!dir) {
        qfs_diag_set(diag, "out of memory syncing directory");
        return QFS_E_NOMEM;
    }
    if (!slash)
        strcpy(dir, ".");
    else if (dir_len == 0)
        strcpy(dir, "/");
    else {
        memcpy(dir, path, dir_len);
        dir[dir_len] = '\0';
    }
    int fd;
    do
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    free(dir);
    if (fd < 0)
        return os_error(diag, errno, "cannot open directory of log file", 0, 0);
    int rc;
    do
        rc = fsync(fd);
    while (rc != 0 && errno == EINTR);
    int e = errno;
    close(fd);
    if (rc != 0)
        return os_error(diag, e, "fsync of directory", 0, 0);
    return QFS_OK;
}

static void posix_close(void *ctx, qfs_storage_file *f)
{
    (void)ctx;
    if (!f)
        return;
    /* Data was made durable by sync; an error from close cannot be acted on. */
    close(f->fd);
    free(f);
}

static const qfs_storage POSIX_STORAGE = {
    .ctx = NULL,
    .open = posix_open,
    .read_at = posix_read_at,
    .write_at = posix_write_at,
    .size = posix_size,
    .truncate = posix_truncate,
    .sync = posix_sync,
    .sync_dir = posix_sync_dir,
    .close = posix_close,
};

const qfs_storage *qfs_storage_posix(void)
{
    return &POSIX_STORAGE;
}
