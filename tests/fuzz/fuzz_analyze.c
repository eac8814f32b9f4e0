/*
 * fuzz_analyze.c — libFuzzer harness: hm_analyze_ex on arbitrary bytes.
 *
 * Input: byte 0 picks the options, the rest is the text.
 *   bits 0-1  forced language: 0 auto, 1 fr, 2 en, 3 auto through hm_analyze (no options)
 *   bits 2-3  scorer: HM_SCORER_DEFAULT, LEXICON, NB, BLEND
 *   bit  4    use an engine with max_text_bytes = 97 (the truncation path)
 *   bit  5    hm_result_json with an id ("x\u0001") instead of none
 * The text is the fuzzer's buffer as is (not NUL-terminated): ASan catches any read past len.
 * Invariants checked (abort on violation): return code 0, probs in [0,1] summing to 1
 * within 1e-6, score in [-1,1], lang is fr/en/und, complaint_prob and category scores
 * in [0,1], every evidence span inside the analysed text with valid UTF-8 text, tokens
 * inside the text with valid UTF-8 strings, the JSON one line, no raw control
 * character, valid JSON; and analysing the same input again gives the same JSON.
 */
#include "humeur.h"
#include "fuzzresult.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static hm_engine *g_eng[2];
static hm_analyzer *g_an[2];

static void init(void)
{
    if (g_an[0])
        return;
    for (int k = 0; k < 2; k++) {
        hm_config cfg;
        hm_status st;
        memset(&cfg, 0, sizeof cfg);
        cfg.max_text_bytes = k ? 97 : 0;
        g_eng[k] = hm_engine_open(&cfg, &st);
        FZ_CHECK(g_eng[k], "hm_engine_open: %s", st.message);
        g_an[k] = hm_analyzer_new(g_eng[k], &st);
        FZ_CHECK(g_an[k], "hm_analyzer_new: %s", st.message);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    if (size == 0)
        return 0;
    unsigned opt = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    int k = (opt >> 4) & 1;
    hm_analyzer *a = g_an[k];
    hm_options o;
    memset(&o, 0, sizeof o);
    o.lang = (int)(opt & 3);
    o.scorer = (int)((opt >> 2) & 3);
    const hm_options *op = o.lang == 3 ? NULL : &o;

    fz_analyze_check(a, text, len, op, k ? 97 : 0, (opt & 32) ? "\"x\\u0001\"" : NULL);
    return 0;
}
