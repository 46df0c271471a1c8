/* A hashing writer: see hashed_writer.h. The stream is a custom stdio stream
 * (fopencookie) whose write function hands each buffer to the writer thread
 * through a small ring of slots; the thread hashes the bytes and writes
 * them, in order. */
#define _GNU_SOURCE
#include "hashed_writer.h"

#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Slots in flight and the stream's buffer size: the formatting thread runs
 * at most HW_SLOTS buffers ahead of the writer thread. The buffer is the
 * writer's own: given none, glibc gives a cookie stream 8 KiB whatever
 * setvbuf is asked, and a 100 MB trace then costs 12 000 hand-overs between
 * the threads (two futex calls each) and as many write() calls. */
#define HW_SLOTS 4
#define HW_BUFFER_BYTES ((size_t)1 << 20)

struct hwriter {
    int fd;
    FILE *f;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t has_data;
    pthread_cond_t has_room;
    char *slot[HW_SLOTS];
    size_t slot_cap[HW_SLOTS];
    size_t slot_len[HW_SLOTS];
    size_t head;  /* the next slot the thread writes */
    size_t count; /* slots filled and not yet written */
    int closing;
    int err; /* errno of the first failure, under mu */
    sha256 *sha;
    char *buffer; /* the stream's, HW_BUFFER_BYTES */
};

static void *writer_main(void *p)
{
    hwriter *w = p;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (w->count == 0 && !w->closing)
            pthread_cond_wait(&w->has_data, &w->mu);
        if (w->count == 0) {
            pthread_mutex_unlock(&w->mu);
            return NULL;
        }
        size_t k = w->head;
        int failed = w->err != 0;
        pthread_mutex_unlock(&w->mu);
        /* The slot is the thread's alone until it is given back. */
        const char *b = w->slot[k];
        size_t len = w->slot_len[k];
        int err = 0;
        if (!failed) {
            if (sha256_add(w->sha, b, len) != 0)
                err = errno;
            while (!err && len > 0) {
                ssize_t n = write(w->fd, b, len);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n < 0) {
                    err = errno;
                    break;
                }
                b += n;
                len -= (size_t)n;
            }
        }
        pthread_mutex_lock(&w->mu);
        if (err && !w->err)
            w->err = err;
        w->head = (w->head + 1) % HW_SLOTS;
        w->count--;
        pthread_cond_signal(&w->has_room);
        pthread_mutex_unlock(&w->mu);
    }
}

/* The stream's write function: copies the buffer into the next free slot. */
static ssize_t cookie_write(void *c, const char *buf, size_t size)
{
    hwriter *w = c;
    pthread_mutex_lock(&w->mu);
    while (w->count == HW_SLOTS && !w->err)
        pthread_cond_wait(&w->has_room, &w->mu);
    if (w->err) {
        errno = w->err;
        pthread_mutex_unlock(&w->mu);
        return -1;
    }
    size_t k = (w->head + w->count) % HW_SLOTS;
    pthread_mutex_unlock(&w->mu);
    /* Slot k is free and only this thread fills it. */
    if (w->slot_cap[k] < size) {
        char *p = realloc(w->slot[k], size);
        if (!p) {
            errno = ENOMEM;
            return -1;
        }
        w->slot[k] = p;
        w->slot_cap[k] = size;
    }
    memcpy(w->slot[k], buf, size);
    w->slot_len[k] = size;
    pthread_mutex_lock(&w->mu);
    w->count++;
    pthread_cond_signal(&w->has_data);
    pthread_mutex_unlock(&w->mu);
    return (ssize_t)size;
}

/* Frees what hwriter_open made, the stream excepted, and writes the digest
 * to hex. 0, or -1 with errno set when the digest cannot be had. */
static int hwriter_release(hwriter *w, char hex[SHA256_HEX_BYTES])
{
    int rc = sha256_end(w->sha, hex);
    int e = errno;
    for (size_t k = 0; k < HW_SLOTS; k++)
        free(w->slot[k]);
    free(w->buffer);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->has_data);
    pthread_cond_destroy(&w->has_room);
    free(w);
    errno = e;
    return rc;
}

int hwriter_open(hwriter **out, const char *path)
{
    hwriter *w = calloc(1, sizeof *w);
    if (w)
        w->buffer = malloc(HW_BUFFER_BYTES);
    if (!w || !w->buffer || sha256_begin(&w->sha) != 0) {
        if (w)
            free(w->buffer);
        free(w);
        errno = ENOMEM;
        return -1;
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->has_data, NULL);
    pthread_cond_init(&w->has_room, NULL);
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        int e = errno;
        char unused[SHA256_HEX_BYTES];
        hwriter_release(w, unused);
        errno = e;
        return -1;
    }
    cookie_io_functions_t io = {.write = cookie_write};
    w->f = fopencookie(w, "w", io);
    int e = !w->f ? errno : setvbuf(w->f, w->buffer, _IOFBF, HW_BUFFER_BYTES) != 0 ? EINVAL : 0;
    if (e == 0)
        e = pthread_create(&w->thread, NULL, writer_main, w);
    if (e != 0) {
        if (w->f)
            fclose(w->f);
        close(w->fd);
        char unused[SHA256_HEX_BYTES];
        hwriter_release(w, unused);
        errno = e;
        return -1;
    }
    *out = w;
    return 0;
}

FILE *hwriter_file(hwriter *w)
{
    return w->f;
}

int hwriter_close(hwriter *w, char hex[SHA256_HEX_BYTES])
{
    if (!w)
        return 0;
    int err = fclose(w->f) != 0 ? errno : 0;
    pthread_mutex_lock(&w->mu);
    w->closing = 1;
    pthread_cond_signal(&w->has_data);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    if (!err)
        err = w->err;
    if (!err && fsync(w->fd) != 0)
        err = errno;
    if (close(w->fd) != 0 && !err)
        err = errno;
    if (hwriter_release(w, hex) != 0 && !err)
        err = errno;
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}
