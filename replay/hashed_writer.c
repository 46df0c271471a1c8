/* A hashing writer: see hashed_writer.h. The stream is a custom stdio stream
 * (fopencookie) whose write function hands each buffer to the writer thread
 * through a small ring of slots; the thread hashes the bytes and writes
 * them, in order. */
#define _GNU_SOURCE
#include "hashed_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Slots in flight and the stream's buffer size: the formatting thread runs
 * at most HW_SLOTS buffers ahead of the writer thread. */
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
    crypto_hash_sha256_state sha;
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
            crypto_hash_sha256_update(&w->sha, (const unsigned char *)b, len);
            while (len > 0) {
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

int hwriter_open(hwriter **out, const char *path)
{
    hwriter *w = calloc(1, sizeof *w);
    if (!w) {
        errno = ENOMEM;
        return -1;
    }
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        int e = errno;
        free(w);
        errno = e;
        return -1;
    }
    crypto_hash_sha256_init(&w->sha);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->has_data, NULL);
    pthread_cond_init(&w->has_room, NULL);
    cookie_io_functions_t io = {.write = cookie_write};
    w->f = fopencookie(w, "w", io);
    int e = w->f ? pthread_create(&w->thread, NULL, writer_main, w) : errno;
    if (e != 0) {
        if (w->f)
            fclose(w->f);
        close(w->fd);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->has_data);
        pthread_cond_destroy(&w->has_room);
        free(w);
        errno = e;
        return -1;
    }
    setvbuf(w->f, NULL, _IOFBF, HW_BUFFER_BYTES);
    *out = w;
    return 0;
}

FILE *hwriter_file(hwriter *w)
{
    return w->f;
}

int hwriter_close(hwriter *w, char hex[65])
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
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&w->sha, digest);
    sodium_bin2hex(hex, 65, digest, sizeof digest);
    for (size_t k = 0; k < HW_SLOTS; k++)
        free(w->slot[k]);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->has_data);
    pthread_cond_destroy(&w->has_room);
    free(w);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}
