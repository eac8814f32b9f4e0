/*
 * test_snapshot.c — the embedded lexicon snapshot (src/snapshot.c).
 *
 * An engine opened from the snapshot gives, post for post, the JSON result of
 * an engine that reads the lexicon files themselves; a damaged snapshot is
 * refused (never a crash or an out-of-bounds read: run under ASan in CI).
 */
#include "internal.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *result(hm_analyzer *a, const char *text)
{
    hm_result r;
    if (hm_analyze(a, text, strlen(text), &r))
        return NULL;
    const char *js = hm_result_json(a, &r, NULL, NULL);
    return js ? strdup(js) : NULL;
}

int main(void)
{
    const hm_source *snap = &hm_embedded_snapshot[0];
    CHECK(snap->name && snap->len > 1000, "the library embeds a lexicon snapshot");
    if (!snap->name)
        return tap_done("snapshot");

    /* the same results as from the files */
    hm_status st;
    hm_engine *e1 = hm_engine_open(NULL, &st);
    hm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.lexicon_dir = "lexicons";
    hm_engine *e2 = hm_engine_open(&cfg, &st);
    CHECK(e1 && e2, "engines open: %s", st.message);
    if (!e1 || !e2)
        return tap_done("snapshot");
    hm_analyzer *a1 = hm_analyzer_new(e1, &st), *a2 = hm_analyzer_new(e2, &st);
    FILE *f = fopen("tests/data/categories_fr.jsonl", "r");
    FILE *g = fopen("tests/data/sentiment_en.tsv", "r");
    CHECK(a1 && a2 && f && g, "analyzers and fixtures");
    char line[4096];
    size_t n = 0, same = 0;
    for (FILE *in = f; in; in = in == f ? g : NULL)
        while (in && fgets(line, sizeof line, in)) {
            char *r1 = result(a1, line), *r2 = result(a2, line);
            n++;
            same += r1 && r2 && !strcmp(r1, r2);
            if (!(r1 && r2 && !strcmp(r1, r2)))
                fprintf(stderr, "differs: %s\n  %s\n  %s\n", line, r1 ? r1 : "-", r2 ? r2 : "-");
            free(r1);
            free(r2);
        }
    CHECK(n > 300 && same == n, "%zu of %zu results identical", same, n);
    fclose(f);
    fclose(g);
    hm_analyzer_free(a1);
    hm_analyzer_free(a2);
    hm_engine_close(e1);
    hm_engine_close(e2);

    /* damaged: truncated anywhere, or a byte changed */
    unsigned char *copy = malloc(snap->len);
    size_t refused = 0, tries = 0, crashed = 0;
    unsigned seed = 12345;
    for (int k = 0; k < 400; k++) {
        size_t len = snap->len;
        memcpy(copy, snap->data, len);
        if (k < 200) {
            len = (size_t)k * (snap->len / 200); /* truncated */
        } else {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 3) % 4096; /* the header and the first tables */
            if (k % 2) {
                seed = seed * 1103515245u + 12345u;
                at = (seed >> 3) % len;
            }
            copy[at] ^= (unsigned char)(1 + (seed >> 9) % 255);
        }
        hm_engine *e = calloc(1, sizeof *e);
        int rc = hm_snapshot_load(e, copy, len, NULL);
        tries++;
        refused += rc != 0;
        if (!rc) { /* a change the format cannot see (a weight, a key byte): still usable */
            hm_analyzer *a = hm_analyzer_new(e, NULL);
            char *r = a ? result(a, "Le service était nul, 2h d'attente!") : NULL;
            crashed += !r;
            free(r);
            hm_analyzer_free(a);
        }
        hm_lexicon_free(&e->lex);
        hm_categories_free(&e->cats);
        free(e);
    }
    free(copy);
    CHECK(refused >= 200, "damaged snapshots: %zu of %zu refused", refused, tries);
    CHECK(crashed == 0, "%zu accepted damaged snapshots failed to analyse", crashed);
    return tap_done("snapshot");
}
