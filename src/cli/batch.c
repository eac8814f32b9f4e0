/*
 * batch.c — `humeur score`: an order-preserving streaming filter.
 *
 * Lines are read in blocks (bounded in lines and bytes, so memory stays flat
 * whatever the input size), analysed by N threads, each with its own analyzer
 * on the shared engine, and written in input order: exactly one output line per
 * input line.  A line that cannot be analysed (malformed JSON, missing text
 * field, over the line limit) yields {"id":..., "line":N, "error":"..."}.
 * A line longer than --long-line is not held: longline.c reads it in pieces
 * and hands over a short line that reads the same.
 * Uses only the public API (humeur.h) plus jansson for JSON input; a JSON Lines
 * row of the common shape is read by the faster scanner of jsonrow.c, which
 * leaves every other row to jansson.
 */
#include "cli.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK_LINES 4096
#define BLOCK_BYTES (8u << 20)
/* The threads take a block's lines this many at a time, so that one that drew
 * longer posts does not leave the others waiting at the end of the block. */
#define CHUNK_LINES 64
#define BLOCK_CHUNKS ((BLOCK_LINES + CHUNK_LINES - 1) / CHUNK_LINES)

typedef struct line {
    char *p;          /* points into the block's storage */
    size_t len;
    unsigned long long no;
    int err;          /* p is the line's error message */
} line;

typedef struct block {
    line *lines;
    size_t n, cap;
    char *store;
    size_t used, scap;
} block;


/* A block's chunks: the next one to take, and each one's output, written in
 * chunk order once every thread is done. */
typedef struct chunks {
    atomic_size_t next;
    size_t n;
    outbuf out[BLOCK_CHUNKS];
} chunks;

typedef struct worker {
    pthread_t th;
    hm_analyzer *a;
    const batch_opts *o;
    block *b;
    chunks *ch;
    outbuf out;        /* the output of the chunk in hand */
    int failed;
    const unsigned char *tsv_role; /* TSV: per header column, TSV_TEXT | TSV_ID */
    size_t ntsv;
    char *scratch;     /* the decoded text of a JSON row (jsonrow.c) */
    size_t scap;
    outbuf idb;        /* the id of a JSON row, NUL-terminated */
    outbuf kept;       /* the --keep fields of a JSON row */
} worker;

int ob_put(outbuf *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t nc = o->cap ? o->cap : 65536;
        while (nc < o->len + n + 1)
            nc *= 2;
        char *p = realloc(o->p, nc);
        if (!p)
            return -1;
        o->p = p;
        o->cap = nc;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    return 0;
}

static int ob_puts(outbuf *o, const char *s) { return ob_put(o, s, strlen(s)); }

int ob_jstr(outbuf *o, const char *s, size_t n)
{
    char tmp[16];
    if (ob_put(o, "\"", 1))
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)c;
            if (ob_put(o, tmp, 2))
                return -1;
        } else if (c < 0x20 || c == 0x7F) {
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            if (ob_puts(o, tmp))
                return -1;
        } else if (c >= 0x80) {
            /* copy a valid sequence, replace an invalid byte */
            size_t k = jrow_utf8_seq(s + i, s + n);
            if (k) {
                if (ob_put(o, s + i, k))
                    return -1;
                i += k - 1;
            } else if (ob_puts(o, "\\ufffd"))
                return -1;
        } else if (ob_put(o, (const char *)&c, 1))
            return -1;
    }
    return ob_put(o, "\"", 1);
}

static int emit_error(worker *w, const char *id_json, unsigned long long no, const char *msg)
{
    char tmp[64];
    outbuf *o = &w->out;
    char nobuf[32];
    w->out.errors++;
    if (!id_json) { /* no id could be read: the line number stands in, as for id-less lines */
        snprintf(nobuf, sizeof nobuf, "%llu", no);
        id_json = nobuf;
    }
    if (ob_puts(o, "{"))
        return -1;
    if (ob_puts(o, "\"id\":") || ob_puts(o, id_json) || ob_puts(o, ","))
        return -1;
    snprintf(tmp, sizeof tmp, "\"line\":%llu,\"error\":", no);
    if (ob_puts(o, tmp) || ob_jstr(o, msg, strlen(msg)) || ob_puts(o, "}\n"))
        return -1;
    return 0;
}

static int emit_result(worker *w, const char *text, size_t len, const char *id_json,
                       const char *extra)
{
    hm_result r;
    hm_options opt = {w->o->lang, w->o->scorer};
    int rc = hm_analyze_ex(w->a, text, len, &opt, &r);
    if (rc)
        return emit_error(w, id_json, 0, hm_strerror(rc));
    size_t jl;
    const char *js = hm_result_json(w->a, &r, id_json, &jl);
    if (!js)
        return -1;
    if (extra && *extra) {
        /* splice the kept fields before the closing brace */
        if (ob_put(&w->out, js, jl - 1) || ob_puts(&w->out, extra) || ob_puts(&w->out, "}\n"))
            return -1;
        return 0;
    }
    if (ob_put(&w->out, js, jl) || ob_put(&w->out, "\n", 1))
        return -1;
    return 0;
}

/* One --keep field, ',"key":value', appended to w->kept (NUL-terminated). */
static int put_kept(worker *w, const char *key, const char *val, size_t n)
{
    if (ob_puts(&w->kept, ",") || ob_jstr(&w->kept, key, strlen(key)) || ob_puts(&w->kept, ":") ||
        ob_put(&w->kept, val, n))
        return -1;
    w->kept.p[w->kept.len] = 0;
    return 0;
}

/* A row the scanner of jsonrow.c read. */
static int emit_jrow(worker *w, line *ln, const jrow *r)
{
    char idbuf[32];
    const char *id_json = idbuf;
    if (r->id.p) {
        w->idb.len = 0;
        if (ob_put(&w->idb, r->id.p, r->id.n))
            return -1;
        w->idb.p[w->idb.len] = 0;
        id_json = w->idb.p;
    } else
        snprintf(idbuf, sizeof idbuf, "%llu", ln->no);
    w->kept.len = 0;
    for (size_t k = 0; k < w->o->nkeep; k++)
        if (r->keep[k].p && put_kept(w, w->o->keep[k], r->keep[k].p, r->keep[k].n))
            return -1;
    return emit_result(w, r->text.p, r->text.n, id_json, w->kept.len ? w->kept.p : NULL);
}

static int do_jsonl(worker *w, line *ln)
{
    if (ln->len == 0 || strspn(ln->p, " \t\r") == ln->len)
        return emit_error(w, NULL, ln->no, "empty line");
    if (ln->len > w->scap) {
        char *p = realloc(w->scratch, ln->len);
        if (!p)
            return -1;
        w->scratch = p;
        w->scap = ln->len;
    }
    jrow row;
    if (!w->o->jansson_only && jrow_scan(ln->p, ln->len, w->o, w->scratch, &row))
        return emit_jrow(w, ln, &row);
    /* anything else: jansson, its error messages, its rewriting of values;
     * but not a NUL byte, which JSON never has and jansson may skip */
    const char *z = memchr(ln->p, 0, ln->len);
    if (z) {
        char msg[80];
        snprintf(msg, sizeof msg, "malformed JSON at column %zu: NUL byte", (size_t)(z - ln->p) + 1);
        return emit_error(w, NULL, ln->no, msg);
    }
    char idbuf[32];
    snprintf(idbuf, sizeof idbuf, "%llu", ln->no);
    json_error_t err;
    json_t *root = json_loadb(ln->p, ln->len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    if (!root) {
        char msg[256];
        snprintf(msg, sizeof msg, "malformed JSON at column %d: %s", err.column, err.text);
        return emit_error(w, NULL, ln->no, msg);
    }
    int rc = 0;
    char *id_json = NULL;
    if (!json_is_object(root)) {
        rc = emit_error(w, NULL, ln->no, "not a JSON object");
        json_decref(root);
        return rc;
    }
    json_t *id = json_object_get(root, w->o->id_field);
    if (id)
        id_json = json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT);
    json_t *tx = json_object_get(root, w->o->text_field);
    if (!tx) {
        char msg[300];
        snprintf(msg, sizeof msg, "missing text field \"%s\"", w->o->text_field);
        rc = emit_error(w, id_json ? id_json : idbuf, ln->no, msg);
    } else if (!json_is_string(tx)) {
        char msg[300];
        snprintf(msg, sizeof msg, "text field \"%s\" is not a string", w->o->text_field);
        rc = emit_error(w, id_json ? id_json : idbuf, ln->no, msg);
    } else {
        w->kept.len = 0;
        for (size_t k = 0; !rc && k < w->o->nkeep; k++) {
            json_t *v = json_object_get(root, w->o->keep[k]);
            char *vs = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
            if (vs)
                rc = put_kept(w, w->o->keep[k], vs, strlen(vs));
            free(vs);
        }
        if (!rc)
            rc = emit_result(w, json_string_value(tx), json_string_length(tx),
                             id_json ? id_json : idbuf, w->kept.len ? w->kept.p : NULL);
    }
    free(id_json);
    json_decref(root);
    return rc;
}

static int do_tsv(worker *w, line *ln)
{
    char idbuf[32];
    snprintf(idbuf, sizeof idbuf, "%llu", ln->no);
    /* find the columns */
    size_t col = 0, s = 0;
    const char *text = NULL, *idv = NULL;
    size_t tl = 0, il = 0;
    for (size_t i = 0; i <= ln->len; i++) {
        if (i == ln->len || ln->p[i] == '\t') {
            if (col < w->ntsv) {
                if (w->tsv_role[col] & TSV_TEXT) {
                    text = ln->p + s;
                    tl = i - s;
                }
                if (w->tsv_role[col] & TSV_ID) {
                    idv = ln->p + s;
                    il = i - s;
                }
            }
            col++;
            s = i + 1;
        }
    }
    outbuf idb = {0};
    const char *id_json = idbuf;
    if (idv) {
        if (ob_jstr(&idb, idv, il))
            return -1;
        idb.p[idb.len] = 0;
        id_json = idb.p;
    }
    int rc;
    if (!text)
        rc = emit_error(w, id_json, ln->no, "missing text column");
    else
        rc = emit_result(w, text, tl, id_json, NULL); /* the column as it is */
    free(idb.p);
    return rc;
}

/* Analyse the lines of chunk c into w->out. */
static int work_chunk(worker *w, size_t c)
{
    size_t from = c * CHUNK_LINES, to = from + CHUNK_LINES < w->b->n ? from + CHUNK_LINES : w->b->n;
    w->out.len = 0;
    w->out.errors = 0;
    for (size_t i = from; i < to; i++) {
        line *ln = &w->b->lines[i];
        int rc;
        char idbuf[32]; /* --format lines: the line number is the id */
        if (w->o->format == FMT_LINES)
            snprintf(idbuf, sizeof idbuf, "%llu", ln->no);
        if (ln->err)
            rc = emit_error(w, w->o->format == FMT_LINES ? idbuf : NULL, ln->no, ln->p);
        else if (w->o->format == FMT_JSONL)
            rc = do_jsonl(w, ln);
        else if (w->o->format == FMT_TSV)
            rc = do_tsv(w, ln);
        else
            rc = emit_result(w, ln->p, ln->len, idbuf, NULL);
        if (rc)
            return rc;
    }
    return 0;
}

/* Take chunks until none is left; each chunk's output goes to its slot, and
 * the worker goes on with the slot's former buffer (no copy, no allocation). */
static void *work(void *arg)
{
    worker *w = arg;
    for (;;) {
        size_t c = atomic_fetch_add(&w->ch->next, 1);
        if (c >= w->ch->n)
            break;
        if (work_chunk(w, c)) {
            w->failed = 1;
            break;
        }
        outbuf done = w->ch->out[c];
        w->ch->out[c] = w->out;
        w->out = done;
    }
    return NULL;
}

/* ---------- reading ---------- */

typedef struct reader {
    FILE *f;
    char *buf;
    size_t cap, start, end;
    int eof, err;
    int drained;          /* the last read returned less than asked: input is idle */
    unsigned long long no;
    volatile sig_atomic_t *stop;
    size_t long_line;     /* longer lines go to ll in pieces */
    size_t taken;         /* bytes of the line in hand already taken */
    longline *ll;
} reader;

static int block_add(block *b, const char *p, size_t n, unsigned long long no, int err)
{
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 1024;
        line *v = realloc(b->lines, nc * sizeof *v);
        if (!v)
            return -1;
        b->lines = v;
        b->cap = nc;
    }
    if (b->used + n + 1 > b->scap) {
        size_t nc = b->scap ? b->scap : (1u << 20);
        while (nc < b->used + n + 1)
            nc *= 2;
        char *s = realloc(b->store, nc);
        if (!s)
            return -1;
        /* fix up line pointers */
        for (size_t i = 0; i < b->n; i++)
            b->lines[i].p = s + (b->lines[i].p - b->store);
        b->store = s;
        b->scap = nc;
    }
    memcpy(b->store + b->used, p, n);
    b->store[b->used + n] = 0;
    line *ln = &b->lines[b->n++];
    ln->p = b->store + b->used;
    ln->len = n;
    ln->no = no;
    ln->err = err;
    b->used += n + 1;
    return 0;
}

/* A piece of the line in hand that is not held: to ll, unless the line is
 * already over the limit. */
static void take_piece(reader *r, const char *p, size_t n, size_t max_line)
{
    if (r->taken + n <= max_line) {
        if (!r->taken)
            ll_begin(r->ll);
        ll_feed(r->ll, p, n);
    }
    r->taken += n;
}

/* The line in hand ends with these n bytes: into the block, whole, or as what
 * ll made of it, or as an error. */
static int end_line(reader *r, block *b, const char *p, size_t n, size_t max_line)
{
    r->no++;
    if (r->taken + n > max_line) {
        char msg[128];
        r->taken = 0;
        snprintf(msg, sizeof msg, "line longer than the limit of %zu bytes", max_line);
        return block_add(b, msg, strlen(msg), r->no, 1);
    }
    if (r->taken || n > r->long_line) {
        take_piece(r, p, n, max_line);
        r->taken = 0;
        size_t len;
        int err;
        const char *s = ll_end(r->ll, &len, &err);
        return block_add(b, s, len, r->no, err);
    }
    if (n && p[n - 1] == '\r')
        n--;
    return block_add(b, p, n, r->no, 0);
}

/* Read the next line into the block. 1 = a line, 0 = end, -1 = error,
 * 2 = the input is idle and the block already has lines (analyse them now, so
 * that `tail -f log | humeur score` answers line by line), 3 = interrupted. */
static int read_line(reader *r, block *b, size_t max_line)
{
    for (;;) {
        char *nl = r->end > r->start ? memchr(r->buf + r->start, '\n', r->end - r->start) : NULL;
        if (nl || (r->eof && (r->end > r->start || r->taken))) {
            size_t e = nl ? (size_t)(nl - r->buf) : r->end;
            if (end_line(r, b, r->buf + r->start, e - r->start, max_line))
                return -1;
            r->start = nl ? e + 1 : e;
            return 1;
        }
        if (r->eof)
            return 0;
        if (b->n && r->drained)
            return 2;
        /* the line in hand is too long to hold: hand what we have over */
        if (r->end - r->start > r->long_line || r->end - r->start > max_line) {
            take_piece(r, r->buf + r->start, r->end - r->start, max_line);
            r->start = r->end;
        }
        if (r->start > 0) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        }
        if (r->end == r->cap) {
            size_t nc = r->cap * 2;
            char *p = realloc(r->buf, nc);
            if (!p)
                return -1;
            r->buf = p;
            r->cap = nc;
        }
        /* read(2), not fread: return with what a pipe has, do not wait for a full buffer */
        int fd = fileno(r->f);
        ssize_t k;
        if (fd >= 0) {
            k = read(fd, r->buf + r->end, r->cap - r->end);
        } else { /* a stream without a descriptor (fmemopen): stdio */
            k = (ssize_t)fread(r->buf + r->end, 1, r->cap - r->end, r->f);
            if (k == 0 && ferror(r->f))
                k = -1;
        }
        if (k < 0) {
            if (errno == EINTR) {
                if (r->stop && *r->stop)
                    return 3;
                continue;
            }
            r->err = errno;
            return -1;
        }
        r->drained = (size_t)k < r->cap - r->end;
        r->end += (size_t)k;
        if (k == 0)
            r->eof = 1;
    }
}

static void progress(const batch_opts *o, unsigned long long lines, long long done, long long total)
{
    if (!o->progress)
        return;
    if (total > 0) {
        int pct = (int)(done * 100 / total);
        int bar = pct / 4;
        fprintf(stderr, "\r[%-25.*s] %3d%%  %llu lines", bar, "#########################", pct,
                lines);
    } else
        fprintf(stderr, "\r%llu lines", lines);
    fflush(stderr);
}

/* Is the header column s[0..n) named `name`?  (Up to a NUL byte, as a C string.) */
static int column_is(const char *s, size_t n, const char *name)
{
    size_t m = strnlen(s, n);
    return m == strlen(name) && !memcmp(s, name, m);
}

/* What each column of the TSV header line h is: TSV_TEXT, TSV_ID (both when the
 * two fields have one name) or 0, read by do_tsv() and by longline.c.  -1 when
 * out of memory. */
static int tsv_roles(const char *h, size_t len, const batch_opts *o, unsigned char **role,
                     size_t *n)
{
    size_t nc = 1;
    for (size_t i = 0; i < len; i++)
        nc += h[i] == '\t';
    unsigned char *r = calloc(nc, 1);
    if (!r)
        return -1;
    size_t col = 0, s = 0;
    for (size_t i = 0; i <= len; i++)
        if (i == len || h[i] == '\t') {
            r[col++] = (unsigned char)((column_is(h + s, i - s, o->text_field) ? TSV_TEXT : 0) |
                                       (column_is(h + s, i - s, o->id_field) ? TSV_ID : 0));
            s = i + 1;
        }
    *role = r;
    *n = nc;
    return 0;
}

int batch_run(const hm_engine *e, const batch_opts *o, FILE *in, const char *name, FILE *out,
              int *had_errors, unsigned long long *line_base)
{
    int nth = o->threads < 1 ? 1 : o->threads > 64 ? 64 : o->threads;
    worker *ws = calloc((size_t)nth, sizeof *ws);
    chunks *ch = calloc(1, sizeof *ch);
    reader r = {0};
    block b = {0};
    int status = 0;
    long long total = -1;
    unsigned char *role = NULL; /* TSV: the header's columns */
    size_t ncols = 0;
    struct stat sb;
    if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode))
        total = sb.st_size;
    r.f = in;
    r.stop = o->stop_flag;
    r.cap = 1u << 20;
    r.buf = malloc(r.cap);
    r.no = *line_base;
    /* the TSV header is held whole: it names the columns */
    r.long_line = o->format == FMT_TSV ? SIZE_MAX : o->long_line ? o->long_line : 1;
    r.ll = ll_new(o, hm_engine_max_text(e) + 4);
    if (!ws || !ch || !r.buf || !r.ll) {
        fprintf(stderr, "humeur: out of memory\n");
        free(ws);
        free(ch);
        free(r.buf);
        ll_free(r.ll);
        return EXIT_IO;
    }
    for (int t = 0; t < nth; t++) {
        hm_status st;
        ws[t].a = hm_analyzer_new(e, &st);
        ws[t].o = o;
        ws[t].b = &b;
        ws[t].ch = ch;
        if (!ws[t].a) {
            fprintf(stderr, "humeur: %s\n", st.message);
            status = EXIT_IO;
            goto done;
        }
    }
    /* TSV: the first line names the columns */
    if (o->format == FMT_TSV) {
        int k = read_line(&r, &b, o->max_line);
        if (k < 0) {
            fprintf(stderr, "humeur: %s: read error: %s\n", name, strerror(r.err));
            status = EXIT_IO;
            goto done;
        }
        if (k == 1) {
            line *h = &b.lines[0];
            if (tsv_roles(h->p, h->len, o, &role, &ncols)) {
                fprintf(stderr, "humeur: out of memory\n");
                status = EXIT_IO;
                goto done;
            }
            b.n = 0;
            b.used = 0;
            /* the header yields no output line: it is not data */
        }
        ll_columns(r.ll, role, ncols);
        r.long_line = o->long_line ? o->long_line : 1;
        for (int t = 0; t < nth; t++) {
            ws[t].tsv_role = role;
            ws[t].ntsv = ncols;
        }
    }
    unsigned long long nlines = 0;
    for (;;) {
        b.n = 0;
        b.used = 0;
        int k = 0;
        while (b.n < BLOCK_LINES && b.used < BLOCK_BYTES && (k = read_line(&r, &b, o->max_line)) == 1)
            ;
        int interrupted = k == 3;
        if (k == 2)
            k = 1; /* idle input: analyse what we have, then read on */
        if (k < 0) {
            if (r.err)
                fprintf(stderr, "humeur: %s: read error: %s\n", name, strerror(r.err));
            else
                fprintf(stderr, "humeur: out of memory\n");
        }
        if (b.n) {
            ch->n = (b.n + CHUNK_LINES - 1) / CHUNK_LINES;
            atomic_store(&ch->next, 0);
            for (int t = 1; t < nth; t++)
                if (pthread_create(&ws[t].th, NULL, work, &ws[t]))
                    ws[t].th = 0; /* no thread: the others take its chunks */
            work(&ws[0]);
            for (int t = 1; t < nth; t++)
                if (ws[t].th) {
                    pthread_join(ws[t].th, NULL);
                    ws[t].th = 0;
                }
            for (int t = 0; t < nth; t++)
                if (ws[t].failed) {
                    fprintf(stderr, "humeur: out of memory\n");
                    status = EXIT_IO;
                    goto done;
                }
            for (size_t c = 0; c < ch->n; c++) {
                const outbuf *ob = &ch->out[c];
                if (ob->len && fwrite(ob->p, 1, ob->len, out) != ob->len) {
                    fprintf(stderr, "humeur: write error: %s\n", strerror(errno));
                    status = EXIT_IO;
                    goto done;
                }
                if (ob->errors)
                    *had_errors = 1;
            }
            if (fflush(out)) {
                fprintf(stderr, "humeur: write error: %s\n", strerror(errno));
                status = EXIT_IO;
                goto done;
            }
            nlines += b.n;
            if (interrupted || (o->stop_flag && *o->stop_flag)) {
                fprintf(stderr, "humeur: interrupted after %llu lines\n", nlines);
                status = EXIT_INTERRUPTED;
                goto done;
            }
            progress(o, nlines, total > 0 ? (long long)lseek(fileno(in), 0, SEEK_CUR) : 0, total);
        }
        if (interrupted) {
            fprintf(stderr, "humeur: interrupted after %llu lines\n", nlines);
            status = EXIT_INTERRUPTED;
            break;
        }
        if (k < 0) {
            status = EXIT_IO;
            break;
        }
        if (k == 0)
            break;
    }
    if (o->progress)
        fprintf(stderr, "\n");
done:
    *line_base = r.no;
    for (int t = 0; t < nth; t++) {
        hm_analyzer_free(ws[t].a);
        free(ws[t].out.p);
        free(ws[t].scratch);
        free(ws[t].idb.p);
        free(ws[t].kept.p);
    }
    for (size_t c = 0; c < BLOCK_CHUNKS; c++)
        free(ch->out[c].p);
    free(role);
    free(ch);
    free(ws);
    free(r.buf);
    ll_free(r.ll);
    free(b.lines);
    free(b.store);
    return status;
}
