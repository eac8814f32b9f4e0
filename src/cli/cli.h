/* cli.h — shared declarations of the humeur command-line tool (not installed). */
#ifndef HM_CLI_H
#define HM_CLI_H

#include "humeur.h"
#include <signal.h>
#include <stdio.h>

/* Exit statuses of the humeur command (documented in the README). */
enum {
    EXIT_OK = 0,          /* every line analysed */
    EXIT_SOME_ERRORS = 1, /* some lines yielded error objects */
    EXIT_USAGE = 2,       /* bad command line */
    EXIT_IO = 3,          /* cannot open, read or write; engine cannot load */
    EXIT_INTERRUPTED = 130
};

enum { FMT_JSONL = 0, FMT_TSV = 1, FMT_LINES = 2 };

/* hm_engine_open, its error (if any) printed on stderr (main.c). */
hm_engine *cli_engine(const hm_config *cfg);

/* --categories DIR (main.c): dir appended to dirs (room for CLI_MAX_DIRS), which
 * cfg then reads; -1 with a message naming cmd ("humeur", "humeur eval"...)
 * when there are too many. */
#define CLI_MAX_DIRS 16
int cli_category_dir(hm_config *cfg, const char **dirs, const char *dir, const char *cmd);

typedef struct batch_opts {
    int threads;
    int format;
    const char *text_field;
    const char *id_field;
    const char **keep;
    size_t nkeep;
    int lang;
    int scorer;
    size_t max_line;
    size_t long_line;     /* longer lines are read in pieces (longline.c) */
    int progress;
    volatile sig_atomic_t *stop_flag;
    int jansson_only;     /* every JSON row through jansson, no fast path (the fuzz
                             harness compares the two) */
} batch_opts;

int batch_run(const hm_engine *e, const batch_opts *o, FILE *in, const char *name, FILE *out,
              int *had_errors, unsigned long long *line_base);

/* A growing byte buffer (batch.c), with room for a NUL after len.  ob_put()
 * appends n bytes; ob_jstr() appends a JSON string literal of arbitrary bytes
 * (invalid UTF-8 written as U+FFFD).  Both answer -1 when out of memory. */
typedef struct outbuf {
    char *p;
    size_t len, cap;
    int errors;       /* batch.c: the error lines in it */
} outbuf;
int ob_put(outbuf *o, const char *s, size_t n);
int ob_jstr(outbuf *o, const char *s, size_t n);

/* The fast path of a JSON Lines row (jsonrow.c).  jrow_scan() answers 1 when it
 * read the row as jansson would (see jsonrow.c for when it declines): text is
 * the decoded text (in s, or in scratch, which holds at least n bytes); id and
 * keep[i] (for o->keep[i]) the raw JSON of those values, which is what
 * json_dumps(JSON_ENCODE_ANY | JSON_COMPACT) writes for them, p NULL when
 * absent.  0: parse the row with jansson. */
#define JROW_MAX_KEEP 32
typedef struct jrow_span {
    const char *p;
    size_t n;
} jrow_span;
typedef struct jrow {
    jrow_span text;
    int text_escaped;
    jrow_span id;
    jrow_span keep[JROW_MAX_KEEP];
} jrow;
int jrow_scan(const char *s, size_t n, const batch_opts *o, char *scratch, jrow *row);
/* The UTF-8 bytes of code point u into t (4 bytes of room); their count. */
size_t jrow_utf8(unsigned long u, char *t);
/* The length of the well-formed UTF-8 sequence at p (before end), 0 when
 * there is none (RFC 3629, as jansson checks). */
size_t jrow_utf8_seq(const char *p, const char *end);

/* What a TSV header column is named like (batch.c reads them once from the
 * header): the text field, the id field, or both. */
enum { TSV_TEXT = 1, TSV_ID = 2 };

/* A line longer than batch_opts.long_line, read in pieces in bounded memory
 * (longline.c): ll_begin(), ll_feed() with each piece (the newline left out),
 * then ll_end() answers a short line of the same format that reads as the
 * long one (the same id, kept values and analysed text), or the line's error
 * message (*is_error).  keep: bytes of text to keep, more than the engine
 * reads.  TSV: ll_columns() gives the header's column roles (TSV_*), which
 * must outlive the lines read. */
typedef struct longline longline;
longline *ll_new(const batch_opts *o, size_t keep);
void ll_free(longline *l);
void ll_columns(longline *l, const unsigned char *role, size_t n);
void ll_begin(longline *l);
void ll_feed(longline *l, const char *p, size_t n);
const char *ll_end(longline *l, size_t *len, int *is_error);

/* Labelled JSON Lines sources of `humeur train` and `humeur induce` (train.c). */
typedef struct spec {
    char path[2048];
    char splits[160];
    int holdout;
    char holdout_field[64];  /* hash this field for the hold-out (default id) */
    double weight;
    int cfrom_rating;        /* +c: a complaint label from stars */
    int polarity_only;       /* +p: its complaint labels are left out */
    int dev;
    int metric;              /* ^acc, ^f1, ^recall: HM_METRIC_*, -1 when not given */
} spec;
typedef int (*row_fn)(void *ctx, const char *text, size_t len, int polarity, int complaint,
                      int dev, double weight);
int parse_spec(const char *s, int dev, spec *sp);
/* The polarity label of a labelled row: "polarity", else (with score_too) a VADER
 * "score" (-4..4, +-0.05 band on score/4, stored in *score), else a star "rating"
 * (< 2.5 negative, 2.5-3.5 neutral, > 3.5 positive).  HM_NO_LABEL when none. */
struct json_t;
int row_polarity(struct json_t *o, int score_too, double *score);
int read_spec(const spec *sp, const char *text_field, row_fn fn, void *ctx, long *rows,
              long *cmp_rows);

#endif
