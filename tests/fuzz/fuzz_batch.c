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
 */
#include "humeur.h"
#include "cli/cli.h"
#include "fuzzcheck.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static hm_engine *g_eng;

static void init(void)
{
    if (g_eng)
        return;
    hm_status st;
    g_eng = hm_engine_open(NULL, &st);
    FZ_CHECK(g_eng, "hm_engine_open: %s", st.message);
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
    o.progress = 0;
    o.stop_flag = NULL;

    /* fmemopen() of a zero-length buffer fails on some libcs: use "" then */
    FILE *fin = fmemopen(len ? (void *)in : (void *)"", len ? len : 1, "r");
    FZ_CHECK(fin, "fmemopen failed");
    if (!len)
        (void)fgetc(fin); /* consume the placeholder byte: the stream is at EOF */
    char *out = NULL;
    size_t outlen = 0;
    FILE *fout = open_memstream(&out, &outlen);
    FZ_CHECK(fout, "open_memstream failed");
    int had_errors = 0;
    unsigned long long base = 0;
    int status = batch_run(g_eng, &o, fin, "fuzz", fout, &had_errors, &base);
    fclose(fin);
    FZ_CHECK(fclose(fout) == 0, "closing the output stream failed");
    FZ_CHECK(status == 0, "batch_run returned %d", status);

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
    free(out);
    return 0;
}
