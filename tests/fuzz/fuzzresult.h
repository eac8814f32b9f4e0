/*
 * fuzzresult.h — invariants of an hm_result, its evidence and the analyzer's
 * tokens, shared by the harnesses that analyse text.  Header-only.
 */
#ifndef HM_FUZZRESULT_H
#define HM_FUZZRESULT_H

#include "humeur.h"
#include "fuzzcheck.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int in01(double v) { return v >= 0.0 && v <= 1.0; }

static void check_evidence(const hm_evidence *ev, size_t n, size_t len, const char *what)
{
    FZ_CHECK(n == 0 || ev, "%s: %zu evidence items but NULL array", what, n);
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(ev[i].start <= ev[i].end && ev[i].end <= len,
                 "%s evidence %zu: span [%zu,%zu) outside the text (%zu bytes)", what, i,
                 ev[i].start, ev[i].end, len);
        FZ_CHECK(ev[i].text && fz_utf8_valid(ev[i].text, strlen(ev[i].text)),
                 "%s evidence %zu: text NULL or not valid UTF-8", what, i);
        FZ_CHECK(ev[i].rule && ev[i].rule[0], "%s evidence %zu: no rule", what, i);
        FZ_CHECK(isfinite(ev[i].weight), "%s evidence %zu: weight %g", what, i, ev[i].weight);
    }
}

static void check_result(const hm_result *r, size_t len)
{
    FZ_CHECK(r->lang && (!strcmp(r->lang, "fr") || !strcmp(r->lang, "en") ||
                         !strcmp(r->lang, "und")), "lang %s", r->lang ? r->lang : "(null)");
    FZ_CHECK(in01(r->lang_conf), "lang_conf %g", r->lang_conf);
    FZ_CHECK(r->polarity >= -1 && r->polarity <= 1, "polarity %d", r->polarity);
    FZ_CHECK(isfinite(r->score) && r->score >= -1.0 && r->score <= 1.0, "score %g", r->score);
    double s = 0;
    for (int k = 0; k < 3; k++) {
        FZ_CHECK(isfinite(r->probs[k]) && in01(r->probs[k]), "probs[%d] = %g", k, r->probs[k]);
        s += r->probs[k];
    }
    FZ_CHECK(fabs(s - 1.0) <= 1e-6, "probs sum to %.9f (%g %g %g)", s, r->probs[0], r->probs[1],
             r->probs[2]);
    FZ_CHECK(r->complaint == 0 || r->complaint == 1, "complaint %d", r->complaint);
    FZ_CHECK(isfinite(r->complaint_prob) && in01(r->complaint_prob), "complaint_prob %g",
             r->complaint_prob);
    FZ_CHECK(r->scorer && r->scorer[0], "no scorer name");
    FZ_CHECK(r->ncategories == 0 || r->categories, "categories NULL");
    for (size_t i = 0; i < r->ncategories; i++) {
        const hm_category *c = &r->categories[i];
        FZ_CHECK(c->id && c->id[0], "category %zu: no id", i);
        FZ_CHECK(isfinite(c->score) && in01(c->score), "category %s: score %g", c->id, c->score);
        check_evidence(c->evidence, c->nevidence, len, c->id);
    }
    check_evidence(r->evidence, r->nevidence, len, "polarity");
}

static void check_tokens(hm_analyzer *a, size_t len)
{
    size_t n = 0;
    const hm_token *t = hm_analyzer_tokens(a, &n);
    FZ_CHECK(n == 0 || t, "hm_analyzer_tokens: %zu tokens but NULL", n);
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(t[i].type >= HM_TOK_WORD && t[i].type <= HM_TOK_SYMBOL, "token %zu: type %d", i,
                 t[i].type);
        FZ_CHECK(t[i].start < t[i].end && t[i].end <= len,
                 "token %zu: span [%zu,%zu) outside the text (%zu bytes)", i, t[i].start,
                 t[i].end, len);
        FZ_CHECK(t[i].norm && t[i].lower && t[i].stem, "token %zu: NULL string", i);
        FZ_CHECK(fz_utf8_valid(t[i].norm, strlen(t[i].norm)), "token %zu: norm not UTF-8", i);
        FZ_CHECK(fz_utf8_valid(t[i].lower, strlen(t[i].lower)), "token %zu: lower not UTF-8", i);
        FZ_CHECK(fz_utf8_valid(t[i].stem, strlen(t[i].stem)), "token %zu: stem not UTF-8", i);
        FZ_CHECK(!isnan(t[i].value), "token %zu: value NaN", i);
    }
}

/* Every category cue: a known category, a finite weight, a span inside the
 * analysed text; every reported category has at least one cue. */
static void check_cues(hm_analyzer *a, const hm_result *r, size_t len)
{
    size_t n = 0;
    const hm_cue *c = hm_analyzer_cues(a, &n);
    FZ_CHECK(n == 0 || c, "hm_analyzer_cues: %zu cues but NULL", n);
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(c[i].category && *c[i].category, "cue %zu: no category", i);
        FZ_CHECK(isfinite(c[i].weight), "cue %zu: weight not finite", i);
        FZ_CHECK(c[i].start < c[i].end && c[i].end <= len,
                 "cue %zu: span [%zu,%zu) outside the text (%zu bytes)", i, c[i].start, c[i].end,
                 len);
    }
    for (size_t k = 0; k < r->ncategories; k++) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = !strcmp(c[i].category, r->categories[k].id);
        FZ_CHECK(found, "category %s reported without a cue", r->categories[k].id);
    }
}

/* Analyse text and check every invariant; analyse it again and compare the JSON.
 * max_text: the engine's max_text_bytes (0 = no truncation expected). */
static void fz_analyze_check(hm_analyzer *a, const char *text, size_t len, const hm_options *op,
                             size_t max_text, const char *id_json)
{
    hm_result r;
    int rc = hm_analyze_ex(a, text, len, op, &r);
    FZ_CHECK(rc == 0, "hm_analyze_ex returned %d (%s)", rc, hm_strerror(rc));
    size_t alen = max_text && len > max_text ? max_text : len;
    FZ_CHECK(r.truncated == (len > alen), "truncated = %d for %zu bytes", r.truncated, len);
    check_result(&r, alen); /* spans inside the analysed prefix */
    check_tokens(a, alen);
    check_cues(a, &r, alen);

    size_t jl = 0;
    const char *js = hm_result_json(a, &r, id_json, &jl);
    FZ_CHECK(js, "hm_result_json returned NULL");
    FZ_CHECK(jl == strlen(js), "json length %zu but strlen %zu", jl, strlen(js));
    FZ_CHECK(fz_json_line(js, jl, 1), "json not one valid line: %s", js);
    char *copy = malloc(jl + 1);
    FZ_CHECK(copy, "out of memory");
    memcpy(copy, js, jl + 1);

    /* the same input again: same result (caches must not change anything) */
    hm_result r2;
    rc = hm_analyze_ex(a, text, len, op, &r2);
    FZ_CHECK(rc == 0, "second hm_analyze_ex returned %d", rc);
    size_t jl2 = 0;
    const char *js2 = hm_result_json(a, &r2, id_json, &jl2);
    FZ_CHECK(js2 && jl2 == jl && !memcmp(copy, js2, jl),
             "second analysis differs:\n  %s\n  %s", copy, js2 ? js2 : "(null)");
    free(copy);
}

#endif
