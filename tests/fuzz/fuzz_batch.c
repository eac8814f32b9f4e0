/*
 * fuzz_batch.c — libFuzzer harness: the batch path of `humeur score`.
 *
 * src/cli/batch.c is compiled into this harness; batch_run() reads the input
 * (after byte 0) through fmemopen() and writes into an open_memstream().  Byte 0:
 *   bits 0-1  format: 0 jsonl, 1 tsv, 2 lines, 3 jsonl with --keep shop,x
 *   bit  2    2 threads instead of 1
 *   bit  3    --max-line 64 instead of the default (67108864)
 *   bit  4    --text-field msg --id-field text (JSON and TSV)
 *   bit  5    --lang fr;  bit 6  --scorer lexicon
 * Checks: batch_run returns 0 (no I/O error is possible on memory streams),
 * exactly one output line per input line (a last line without '\n' counts; in
 * TSV the header line yields none), each output line one valid JSON object with
 * no raw control character, and had_errors set when some line is an error object.
 * JSON Lines: the fast row scanner (src/cli/jsonrow.c) against jansson, row by
 * row: a row it takes, jansson must take too, with the same text, and the id and
 * kept values it gives raw must be what json_dumps writes; and the whole output
 * must be byte-identical to a second run with jansson only (batch_opts
 * jansson_only).  At start, rows the scanner must take and rows it must leave.
 * Every format: a run with --long-line 1, where every line of two bytes or more
 * is read in pieces by src/cli/longline.c, against the run that holds lines:
 * a line analysed there must give the same output line; a line refused there
 * must be refused too.
 */
#include "humeur.h"
#include "cli/cli.h"
#include "fuzzcheck.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static hm_engine *g_eng;

/* The value of key in root as json_dumps writes it equals the span the scanner gave. */
static void check_dump(json_t *root, const char *key, jrow_span got, const char *p, size_t n)
{
    json_t *v = json_object_get(root, key);
    FZ_CHECK(!v == !got.p, "field \"%s\": jansson %s it, the scanner %s it: %.*s", key,
             v ? "finds" : "does not find", got.p ? "finds" : "does not find", (int)n, p);
    if (!v)
        return;
    char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    FZ_CHECK(d && strlen(d) == got.n && !memcmp(d, got.p, got.n),
             "field \"%s\": json_dumps %s, the scanner %.*s: %.*s", key, d ? d : "(null)",
             (int)got.n, got.p, (int)n, p);
    free(d);
}

/* One row through the fast scanner and through jansson; returns whether the
 * scanner took it. */
static int check_row(const char *p, size_t n, const batch_opts *o)
{
    char *scratch = malloc(n ? n : 1);
    FZ_CHECK(scratch, "out of memory");
    jrow row;
    int fast = jrow_scan(p, n, o, scratch, &row);
    if (fast) {
        json_error_t err;
        json_t *root = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
        FZ_CHECK(root, "the scanner took a row jansson rejects (%s): %.*s", err.text, (int)n, p);
        FZ_CHECK(json_is_object(root), "the scanner took a row that is no object: %.*s", (int)n, p);
        json_t *tx = json_object_get(root, o->text_field);
        FZ_CHECK(tx && json_is_string(tx), "the scanner took a row without a text string: %.*s",
                 (int)n, p);
        FZ_CHECK(json_string_length(tx) == row.text.n &&
                     !memcmp(json_string_value(tx), row.text.p, row.text.n),
                 "text differs: jansson \"%s\" (%zu bytes), the scanner \"%.*s\" (%zu bytes): %.*s",
                 json_string_value(tx), json_string_length(tx), (int)row.text.n, row.text.p,
                 row.text.n, (int)n, p);
        check_dump(root, o->id_field, row.id, p, n);
        for (size_t k = 0; k < o->nkeep; k++)
            check_dump(root, o->keep[k], row.keep[k], p, n);
        json_decref(root);
    }
    free(scratch);
    return fast;
}

static void init(void)
{
    if (g_eng)
        return;
    hm_status st;
    g_eng = hm_engine_open(NULL, &st);
    FZ_CHECK(g_eng, "hm_engine_open: %s", st.message);
    /* the scanner takes the common shapes, and leaves the rest to jansson */
    static const char *keep[] = {"shop", "x"};
    batch_opts o;
    memset(&o, 0, sizeof o);
    o.text_field = "text";
    o.id_field = "id";
    o.keep = keep;
    o.nkeep = 2;
    static const char *take[] = {
        "{\"id\":1,\"text\":\"super\"}",
        " {\"id\": \"a-1\", \"text\": \"caf\\u00e9 \\ud83d\\ude00 \\\"x\\\"\\n\\u0000\", \"shop\": null} ",
        "{\"text\":\"sans id\",\"n\":[1,-2.5e3,{\"a\":[true,false]}],\"x\":-12}",
        "{\"id\":\"\xc3\xa9\x7f\",\"text\":\"\xf0\x9f\x98\xa1\",\"r\":1.0E+2,\"o\":{}}",
    };
    static const char *leave[] = {
        "{\"id\":1,\"text\":\"a\",\"id\":2}",      /* duplicate key */
        "{\"id\":\"\\u00e9\",\"text\":\"a\"}",     /* jansson rewrites the id */
        "{\"id\":1.5,\"text\":\"a\"}",
        "{\"id\":-0,\"text\":\"a\"}",
        "{\"id\":[1],\"text\":\"a\"}",
        "{\"id\":1,\"text\":\"\\ud800\"}",         /* lone surrogate */
        "{\"id\":1,\"text\":\"a\\x\"}",            /* bad escape */
        "{\"id\":1,\"text\":\"\xc3\"}",             /* invalid UTF-8 */
        "{\"id\":1,\"text\":\"a\tb\"}",             /* raw control character */
        "{\"id\":1,\"text\":2}",
        "{\"id\":1}",
        "{\"id\":1,\"text\":\"a\"} x",
        "{\"t\\u0065xt\":\"a\"}",                  /* escaped key */
        "{\"text\":\"a\",\"n\":12345678901234567890}",
        "{\"text\":\"a\",\"n\":1e999}",
        "{\"text\":\"a\",\"n\":01}",
        "{\"text\":\"a\",\"o\":{\"k\":1,\"k\":2}}",
        "{\"text\":\"a\",\"shop\":\"\\\"\"}",
        "[{\"text\":\"a\"}]",
    };
    for (size_t i = 0; i < sizeof take / sizeof *take; i++)
        FZ_CHECK(check_row(take[i], strlen(take[i]), &o), "the scanner leaves %s", take[i]);
    for (size_t i = 0; i < sizeof leave / sizeof *leave; i++)
        FZ_CHECK(!check_row(leave[i], strlen(leave[i]), &o), "the scanner takes %s", leave[i]);
}

/* Run batch_run on in[0..len) into a fresh memory buffer (freed by the caller). */
static char *run_batch(const batch_opts *o, const char *in, size_t len, size_t *outlen,
                       int *had_errors, unsigned long long *base)
{
    /* fmemopen() of a zero-length buffer fails on some libcs: use "" then */
    FILE *fin = fmemopen(len ? (void *)in : (void *)"", len ? len : 1, "r");
    FZ_CHECK(fin, "fmemopen failed");
    if (!len)
        (void)fgetc(fin); /* consume the placeholder byte: the stream is at EOF */
    char *out = NULL;
    FILE *fout = open_memstream(&out, outlen);
    FZ_CHECK(fout, "open_memstream failed");
    *had_errors = 0;
    *base = 0;
    int status = batch_run(g_eng, o, fin, "fuzz", fout, had_errors, base);
    fclose(fin);
    FZ_CHECK(fclose(fout) == 0, "closing the output stream failed");
    FZ_CHECK(status == 0, "batch_run returned %d", status);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    if (size == 0)
        return 0;
    unsigned opt = data[0];
    const char *in = (const char *)data + 1;
    size_t len = size - 1;

    static const char *keep[] = {"shop", "x"};
    batch_opts o;
    memset(&o, 0, sizeof o);
    o.threads = (opt & 4) ? 2 : 1;
    o.format = (opt & 3) == 1 ? FMT_TSV : (opt & 3) == 2 ? FMT_LINES : FMT_JSONL;
    o.text_field = (opt & 16) ? "msg" : "text";
    o.id_field = (opt & 16) ? "text" : "id";
    if ((opt & 3) == 3) {
        o.keep = keep;
        o.nkeep = 2;
    }
    o.lang = (opt & 32) ? HM_LANG_FR : HM_LANG_AUTO;
    o.scorer = (opt & 64) ? HM_SCORER_LEXICON : HM_SCORER_DEFAULT;
    o.max_line = (opt & 8) ? 64 : (size_t)64 << 20;
    o.long_line = (size_t)256 << 10;
    o.progress = 0;
    o.stop_flag = NULL;

    size_t outlen = 0;
    int had_errors;
    unsigned long long base;
    char *out = run_batch(&o, in, len, &outlen, &had_errors, &base);

    size_t nin = 0;
    for (size_t i = 0; i < len; i++)
        nin += in[i] == '\n';
    if (len && in[len - 1] != '\n')
        nin++;
    size_t expect = nin;
    if (o.format == FMT_TSV && nin)
        expect--;
    FZ_CHECK(base == nin, "line counter %llu, input has %zu lines", base, nin);

    size_t nout = 0, s = 0;
    int nerr = 0;
    for (size_t i = 0; i < outlen; i++) {
        if (out[i] != '\n')
            continue;
        FZ_CHECK(fz_json_line(out + s, i - s, 0), "output line %zu is not one JSON object: %.*s",
                 nout + 1, (int)(i - s), out + s);
        if (memmem(out + s, i - s, "\"error\":", 8) && !memmem(out + s, i - s, "\"lang\":", 7))
            nerr++;
        nout++;
        s = i + 1;
    }
    FZ_CHECK(s == outlen, "output ends with a partial line: %.*s", (int)(outlen - s), out + s);
    FZ_CHECK(nout == expect, "%zu output lines for %zu input lines (format %d)", nout, expect,
             o.format);
    FZ_CHECK(!nerr || had_errors, "%d error lines but had_errors not set", nerr);

    /* the same lines read in pieces */
    {
        batch_opts lo = o;
        lo.long_line = 1;
        size_t outlen3 = 0;
        int had_errors3;
        unsigned long long base3;
        char *out3 = run_batch(&lo, in, len, &outlen3, &had_errors3, &base3);
        size_t a = 0, b = 0, no = 0;
        while (a < outlen && b < outlen3) {
            const char *ea = memchr(out + a, '\n', outlen - a), *eb = memchr(out3 + b, '\n', outlen3 - b);
            FZ_CHECK(ea && eb, "a partial output line");
            size_t na = (size_t)(ea - out - a), nb = (size_t)(eb - out3 - b);
            int erra = !memmem(out + a, na, "\"lang\":", 7), errb = !memmem(out3 + b, nb, "\"lang\":", 7);
            no++;
            if (!erra)
                FZ_CHECK(na == nb && !memcmp(out + a, out3 + b, na),
                         "line %zu read in pieces differs:\n  whole  %.*s\n  pieces %.*s", no,
                         (int)na, out + a, (int)nb, out3 + b);
            else
                FZ_CHECK(errb,
                         "line %zu refused whole, analysed in pieces:\n  whole  %.*s\n  pieces %.*s",
                         no, (int)na, out + a, (int)nb, out3 + b);
            a += na + 1;
            b += nb + 1;
        }
        FZ_CHECK(a == outlen && b == outlen3, "read in pieces: %zu output bytes, whole: %zu",
                 outlen3, outlen);
        free(out3);
    }

    if (o.format == FMT_JSONL) {
        /* every row (as read_line cuts it) through both parsers */
        for (size_t i = 0, s0 = 0; i <= len; i++)
            if (i == len || in[i] == '\n') {
                size_t n = i - s0;
                if (n && in[s0 + n - 1] == '\r')
                    n--;
                if (i < len || n)
                    check_row(in + s0, n, &o);
                s0 = i + 1;
            }
        /* and the whole output with jansson only */
        o.jansson_only = 1;
        size_t outlen2 = 0;
        int had_errors2;
        unsigned long long base2;
        char *out2 = run_batch(&o, in, len, &outlen2, &had_errors2, &base2);
        size_t d = 0;
        while (d < outlen && d < outlen2 && out[d] == out2[d])
            d++;
        FZ_CHECK(outlen == outlen2 && d == outlen,
                 "the output differs from jansson's at byte %zu:\n  fast    %.200s\n  jansson %.200s", d,
                 out + (d > 40 ? d - 40 : 0), out2 + (d > 40 ? d - 40 : 0));
        FZ_CHECK(had_errors == had_errors2, "had_errors %d, with jansson only %d", had_errors,
                 had_errors2);
        free(out2);
    }
    free(out);
    return 0;
}
