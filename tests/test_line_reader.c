/* The line reader of `qfs append` (replay/line_reader.c), built with the
 * undefined-behaviour sanitizer where the compiler has it: blank lines,
 * lines across chunk boundaries, over-long lines and a missing final '\n'.
 * Expected lengths are counted from the inputs written here. */
#include "line_reader.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

/* A reader over the `len` bytes of `text`. */
static line_reader *reader_over(const char *text, size_t len)
{
    line_reader *lr = calloc(1, sizeof *lr);
    ck_assert_ptr_nonnull(lr);
    lr->in = fmemopen((void *)text, len, "r");
    ck_assert_ptr_nonnull(lr->in);
    return lr;
}

static void reader_free(line_reader *lr)
{
    fclose(lr->in);
    free(lr->line);
    free(lr);
}

/* The next line must be `want` (total and kept bytes alike). */
static void expect_line(line_reader *lr, size_t max, const char *want)
{
    uint64_t total = 99;
    ck_assert_int_eq(line_next(lr, max, &total), 1);
    ck_assert_uint_eq(total, strlen(want));
    ck_assert_uint_eq(lr->len, strlen(want));
    if (lr->len > 0)
        ck_assert(memcmp(lr->line, want, lr->len) == 0);
}

static void expect_end(line_reader *lr)
{
    uint64_t total = 99;
    ck_assert_int_eq(line_next(lr, 100, &total), 0);
}

START_TEST(test_line_reader_next__blank_first_line)
{
    /* The line that made memcpy copy zero bytes to a null buffer. */
    static const char text[] = "\n{\"kind\":\"stake\"}\n";
    line_reader *lr = reader_over(text, sizeof text - 1);
    expect_line(lr, 100, "");
    expect_line(lr, 100, "{\"kind\":\"stake\"}");
    expect_end(lr);
    reader_free(lr);
}
END_TEST

START_TEST(test_line_reader_next__blank_lines_and_no_final_newline)
{
    static const char text[] = "\n\nab\n\ncd";
    line_reader *lr = reader_over(text, sizeof text - 1);
    expect_line(lr, 100, "");
    expect_line(lr, 100, "");
    expect_line(lr, 100, "ab");
    expect_line(lr, 100, "");
    expect_line(lr, 100, "cd");
    expect_end(lr);
    reader_free(lr);
}
END_TEST

START_TEST(test_line_reader_next__empty_input)
{
    line_reader *lr = reader_over("x", 0);
    expect_end(lr);
    reader_free(lr);
}
END_TEST

START_TEST(test_line_reader_next__over_long_line_is_counted_not_kept)
{
    /* 10 bytes with max 4: counted as 10, nothing kept; the next line is
     * read whole. */
    static const char text[] = "0123456789\nabcd\n";
    line_reader *lr = reader_over(text, sizeof text - 1);
    uint64_t total = 0;
    ck_assert_int_eq(line_next(lr, 4, &total), 1);
    ck_assert_uint_eq(total, 10);
    expect_line(lr, 4, "abcd");
    expect_end(lr);
    reader_free(lr);
}
END_TEST

START_TEST(test_line_reader_next__line_across_chunks_and_newline_at_chunk_start)
{
    /* A line of exactly one chunk, so that its '\n' starts the second chunk,
     * then a blank line, then a line of a chunk and a half. */
    const size_t c = LINE_READER_CHUNK_BYTES;
    const size_t len = c + 1 + 1 + (c + c / 2) + 1;
    char *text = malloc(len);
    memset(text, 'a', c);
    text[c] = '\n';
    text[c + 1] = '\n';
    memset(text + c + 2, 'b', c + c / 2);
    text[len - 1] = '\n';
    line_reader *lr = reader_over(text, len);
    uint64_t total = 0;
    ck_assert_int_eq(line_next(lr, 2 * c, &total), 1);
    ck_assert_uint_eq(total, c);
    ck_assert_uint_eq(lr->len, c);
    ck_assert(lr->line[0] == 'a' && lr->line[c - 1] == 'a');
    expect_line(lr, 2 * c, "");
    ck_assert_int_eq(line_next(lr, 2 * c, &total), 1);
    ck_assert_uint_eq(total, c + c / 2);
    ck_assert_uint_eq(lr->len, c + c / 2);
    ck_assert(lr->line[0] == 'b' && lr->line[c + c / 2 - 1] == 'b');
    expect_end(lr);
    reader_free(lr);
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("line_reader");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_line_reader_next__blank_first_line);
    tcase_add_test(tc, test_line_reader_next__blank_lines_and_no_final_newline);
    tcase_add_test(tc, test_line_reader_next__empty_input);
    tcase_add_test(tc, test_line_reader_next__over_long_line_is_counted_not_kept);
    tcase_add_test(tc, test_line_reader_next__line_across_chunks_and_newline_at_chunk_start);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
