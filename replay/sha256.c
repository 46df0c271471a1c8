/* SHA-256 through OpenSSL's libcrypto: see sha256.h. */
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <stdlib.h>
#include <unistd.h>

/* Bytes read from a file at a time: large enough that the system calls cost
 * little beside the digest. */
#define FILE_BLOCK_BYTES ((size_t)1 << 20)

struct sha256 {
    EVP_MD_CTX *md;
};

int sha256_begin(sha256 **out)
{
    sha256 *h = malloc(sizeof *h);
    if (!h) {
        errno = ENOMEM;
        return -1;
    }
    h->md = EVP_MD_CTX_new();
    if (!h->md || EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(h->md);
        free(h);
        errno = ENOMEM;
        return -1;
    }
    *out = h;
    return 0;
}

int sha256_add(sha256 *h, const void *data, size_t len)
{
    if (len == 0)
        return 0;
    if (EVP_DigestUpdate(h->md, data, len) != 1) {
        errno = EIO;
        return -1;
    }
    return 0;
}

static void to_hex(char hex[SHA256_HEX_BYTES], const unsigned char *d, size_t n)
{
    static const char DIGITS[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = DIGITS[d[i] >> 4];
        hex[2 * i + 1] = DIGITS[d[i] & 15];
    }
    hex[2 * n] = '\0';
}

int sha256_end(sha256 *h, char hex[SHA256_HEX_BYTES])
{
    if (!h) {
        errno = EINVAL;
        return -1;
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    int ok = EVP_DigestFinal_ex(h->md, d, &n) == 1 && n == 32;
    EVP_MD_CTX_free(h->md);
    free(h);
    if (!ok) {
        errno = EIO;
        return -1;
    }
    to_hex(hex, d, 32);
    return 0;
}

int sha256_hex(char hex[SHA256_HEX_BYTES], const void *data, size_t len)
{
    sha256 *h = NULL;
    if (sha256_begin(&h) != 0)
        return -1;
    if (sha256_add(h, data, len) != 0) {
        int e = errno;
        sha256_end(h, hex);
        errno = e;
        return -1;
    }
    return sha256_end(h, hex);
}

int sha256_file(const char *path, char hex[SHA256_HEX_BYTES])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    unsigned char *buf = malloc(FILE_BLOCK_BYTES);
    sha256 *h = NULL;
    if (!buf || sha256_begin(&h) != 0) {
        free(buf);
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    int err = 0;
    for (;;) {
        ssize_t n = read(fd, buf, FILE_BLOCK_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = errno;
            break;
        }
        if (n == 0)
            break;
        if (sha256_add(h, buf, (size_t)n) != 0) {
            err = errno;
            break;
        }
    }
    free(buf);
    close(fd);
    if (err) {
        sha256_end(h, hex);
        errno = err;
        return -1;
    }
    return sha256_end(h, hex);
}

const char *sha256_library_built(void)
{
    return OPENSSL_FULL_VERSION_STR;
}

const char *sha256_library_linked(void)
{
    return OpenSSL_version(OPENSSL_FULL_VERSION_STRING);
}
