/*
 * pipeline.c — throughput of humeur's text pipeline alone, stage by stage:
 * normalize + tokenize, + language id, + stemming, then the full hm_analyze
 * (lexicon, categories, models, JSON).  Reads the "text" of each JSON line of a
 * file (a minimal reader: the corpus written by bench/run.sh), keeps the texts
 * in memory, and reports MB/s and posts/s as the median of N runs.
 *
 *   bench_pipeline CORPUS.jsonl [RUNS]
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct text {
    char *s;
    size_t n;
} text;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* the value of "text" in a JSON line, unescaped (\" \\ \n \t \uXXXX for BMP) */
static int read_text(const char *line, text *out)
{
    const char *p = strstr(line, "\"text\":");
    if (!p)
        return -1;
    p += 7;
    while (*p == ' ')
        p++;
    if (*p++ != '"')
        return -1;
    char *w = malloc(strlen(p) + 1), *o = w;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1]) {
            p++;
            if (*p == 'n') *o++ = '\n';
            else if (*p == 't') *o++ = '\t';
            else if (*p == 'u' && p[1] && p[2] && p[3] && p[4]) {
                char hx[5] = {p[1], p[2], p[3], p[4], 0};
                unsigned cp = (unsigned)strtoul(hx, NULL, 16);
                p += 4;
                if (cp < 0x80) *o++ = (char)cp;
                else if (cp < 0x800) { *o++ = (char)(0xC0 | cp >> 6); *o++ = (char)(0x80 | (cp & 63)); }
                else { *o++ = (char)(0xE0 | cp >> 12); *o++ = (char)(0x80 | ((cp >> 6) & 63)); *o++ = (char)(0x80 | (cp & 63)); }
            } else *o++ = *p;
            p++;
            continue;
        }
        *o++ = *p++;
    }
    *o = 0;
    out->s = w;
    out->n = (size_t)(o - w);
    return 0;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_pipeline CORPUS.jsonl [RUNS [LEXICONS-WITHOUT-CATEGORIES]]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1)
        runs = 1;
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    text *tx = NULL;
    size_t nt = 0, cap = 0, bytes = 0;
    char *line = NULL;
    size_t lc = 0;
    while (getline(&line, &lc, f) > 0) {
        if (nt == cap) {
            cap = cap ? cap * 2 : 4096;
            tx = realloc(tx, cap * sizeof *tx);
        }
        if (read_text(line, &tx[nt]) == 0) {
            bytes += tx[nt].n;
            nt++;
        }
    }
    free(line);
    fclose(f);
    hm_status st;
    /* engine open with the embedded defaults: median of 21 */
    double ot[21];
    for (int r = 0; r < 21; r++) {
        double t0 = now();
        hm_engine *e0 = hm_engine_open(NULL, &st);
        ot[r] = now() - t0;
        hm_engine_close(e0);
    }
    qsort(ot, 21, sizeof *ot, cmpd);
    hm_engine *e = hm_engine_open(NULL, &st);
    if (!e) {
        fprintf(stderr, "bench_pipeline: %s\n", st.message);
        return 1;
    }
    hm_analyzer *a = hm_analyzer_new(e, &st);
    static const char *const stage[] = {"normalize + tokenize", "+ language id",
                                        "+ stemming (the pipeline)",
                                        "+ category cues, lexicon and rules (--scorer lexicon)",
                                        "full hm_analyze (+ models, blend) + JSON"};
    printf("| stage | MB/s | posts/s |\n|---|---:|---:|\n");
    for (int sg = 0; sg < 5; sg++) {
        double *t = calloc((size_t)runs, sizeof *t);
        for (int r = 0; r < runs; r++) {
            double t0 = now();
            for (size_t i = 0; i < nt; i++) {
                if (sg >= 3) {
                    hm_result res;
                    size_t jl;
                    hm_options o = {0, sg == 3 ? HM_SCORER_LEXICON : 0};
                    hm_analyze_ex(a, tx[i].s, tx[i].n, &o, &res);
                    if (sg == 4)
                        hm_result_json(a, &res, NULL, &jl);
                    continue;
                }
                hm_tokenize(&a->tb, tx[i].s, tx[i].n);
                if (sg == 0)
                    continue;
                double conf;
                a->lang = hm_langid_ex(&a->tb, &e->langfr, &e->langen, &e->lex, &conf);
                if (sg == 1)
                    continue;
                int sl = a->lang == LANG_UND ? LANG_EN : a->lang;
                for (size_t k = 0; k < a->tb.ntoks; k++) {
                    tok *tk = &a->tb.toks[k];
                    if (tk->type != HM_TOK_WORD || (tk->flags & HM_TF_ELISION))
                        continue;
                    const char *lw = tb_str(&a->tb, tk->lower);
                    hm_stem(&a->stem, sl, lw, strlen(lw), &a->tb.strs, &tk->stem, &tk->stem_len);
                }
            }
            t[r] = now() - t0;
        }
        qsort(t, (size_t)runs, sizeof *t, cmpd);
        double med = t[runs / 2];
        printf("| %s | %.1f | %.0f |\n", stage[sg], (double)bytes / 1e6 / med, (double)nt / med);
        free(t);
    }
    printf("\n%zu posts, %.1f MB of text, median of %d runs, one thread; engine open with the "
           "embedded defaults: %.1f ms (median of 21)\n", nt, (double)bytes / 1e6, runs,
           ot[10] * 1e3);
    if (argc > 3) {
        /* the cost of the categories: the same full analysis, with and
         * without category files (the same lexicons read from a directory) */
        hm_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.lexicon_dir = argv[3];
        hm_engine *e2 = hm_engine_open(&cfg, &st);
        if (!e2) {
            fprintf(stderr, "bench_pipeline: %s\n", st.message);
            return 1;
        }
        hm_analyzer *a2 = hm_analyzer_new(e2, &st);
        /* run by run, the two in turn: both see the machine as it is then */
        double med[2], *t2[2] = {calloc((size_t)runs, sizeof(double)),
                                 calloc((size_t)runs, sizeof(double))};
        if (!t2[0] || !t2[1]) {
            fprintf(stderr, "bench_pipeline: out of memory\n");
            return 1;
        }
        for (int r = 0; r < runs; r++)
            for (int v = 0; v < 2; v++) {
                hm_analyzer *an = v ? a2 : a;
                double t0 = now();
                for (size_t i = 0; i < nt; i++) {
                    hm_result res;
                    size_t jl;
                    hm_analyze(an, tx[i].s, tx[i].n, &res);
                    hm_result_json(an, &res, NULL, &jl);
                }
                t2[v][r] = now() - t0;
            }
        for (int v = 0; v < 2; v++) {
            qsort(t2[v], (size_t)runs, sizeof *t2[v], cmpd);
            med[v] = t2[v][runs / 2];
            free(t2[v]);
        }
        printf("\nCategories' cost: full analysis + JSON %.1f MB/s with the ten categories, %.1f MB/s "
               "without category files (%s; medians of runs taken in turn): %.0f%% of the throughput "
               "without them\n",
               (double)bytes / 1e6 / med[0], (double)bytes / 1e6 / med[1], argv[3],
               100.0 * med[1] / med[0]);
        /* the cost of the lexicon and rules: hm_score_lexicon timed alone on
         * each post (run again after the pipeline that prepared it), against
         * the full analysis without category files */
        double *t = calloc((size_t)runs, sizeof *t);
        for (int r = 0; r < runs; r++) {
            double sum = 0;
            for (size_t i = 0; i < nt; i++) {
                hm_lexscore ls;
                double conf;
                if (hm_pipeline(a2, tx[i].s, tx[i].n, 0, &ls, &conf))
                    continue;
                a2->nev = 0;
                double t0 = now();
                hm_score_lexicon(a2, &ls);
                sum += now() - t0;
            }
            t[r] = sum;
        }
        qsort(t, (size_t)runs, sizeof *t, cmpd);
        printf("\nLexicon and rules' cost: %.3f s of the %.3f s of the full analysis + JSON without "
               "category files (%.0f%%; hm_score_lexicon timed alone on each post, median of %d "
               "runs)\n",
               t[runs / 2], med[1], 100.0 * t[runs / 2] / med[1], runs);
        free(t);
        hm_analyzer_free(a2);
        hm_engine_close(e2);
    }
    hm_analyzer_free(a);
    hm_engine_close(e);
    for (size_t i = 0; i < nt; i++)
        free(tx[i].s);
    free(tx);
    return 0;
}
