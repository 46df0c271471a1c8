/* A FILE whose bytes are written to a file and hashed with SHA-256 on a
 * thread of their own, so that the thread that formats them (the evidence
 * fold writing trace.jsonl) neither waits for write() nor hashes. */
#ifndef QFS_HASHED_WRITER_H
#define QFS_HASHED_WRITER_H

#include <stdio.h>

typedef struct hwriter hwriter;

/* Creates `path` (mode 0644 before the umask; an existing file is
 * truncated) and the writer. 0, or -1 with errno set. */
int hwriter_open(hwriter **out, const char *path);

/* The stream to write to; owned by the writer (do not fclose it). */
FILE *hwriter_file(hwriter *w);

/* Flushes the stream, waits for every byte to be written and made durable
 * (fsync), writes the 64 lowercase hex digits of the SHA-256 of everything
 * written and a NUL to hex[65], and frees the writer (NULL allowed: 0).
 * 0, or -1 with errno set (nothing is known of the file then). */
int hwriter_close(hwriter *w, char hex[65]);

#endif
