/*
 * test_snapshot.c — the embedded lexicon snapshot (src/snapshot.c).
 *
 * An engine opened from the snapshot gives, post for post, the JSON result of
 * an engine that reads the lexicon files themselves, and the prefilter index
 * it reads back is the one the files build; a damaged snapshot is refused
 * (never a crash or an out-of-bounds read: run under ASan in CI), each of the
 * index's checks shown to be needed.
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

/* Does the snapshot reader refuse copy[0..n)? */
static int refused(const unsigned char *copy, size_t n)
{
    hm_engine *e = calloc(1, sizeof *e);
    int rc = hm_snapshot_load(e, copy, n, NULL);
    hm_lexicon_free(&e->lex);
    hm_categories_free(&e->cats);
    free(e);
    return rc != 0;
}

/* The prefilter index's own checks, each shown to be needed: the index's
 * arrays are found in the snapshot by their bytes (those of an engine opened
 * from it), then one value is made out of range at a time. */
static void index_damage(const hm_source *snap, const hm_cats *c)
{
    const struct cat_index *x = &c->lit_idx[0];
    const unsigned char *sl = memmem(snap->data, snap->len, x->slot, x->cap * sizeof *x->slot);
    const unsigned char *li = memmem(snap->data, snap->len, c->lits, c->nlits * sizeof *c->lits);
    CHECK(sl && li, "the index's slots and literals are in the snapshot as they lie in memory");
    if (!sl || !li)
        return;
    size_t so = (size_t)(sl - (const unsigned char *)snap->data);
    size_t lo = (size_t)(li - (const unsigned char *)snap->data);
    unsigned char *copy = malloc(snap->len);
    size_t used = 0;
    while (used < x->cap && !x->slot[used].head)
        used++;
    /* a slot's first literal past the literals */
    memcpy(copy, snap->data, snap->len);
    struct cat_slot bad = x->slot[used];
    bad.head = (uint32_t)c->nlits + 100;
    memcpy(copy + so + used * sizeof bad, &bad, sizeof bad);
    CHECK(refused(copy, snap->len), "a slot's literal past the literals is refused");
    /* no empty slot: a probe for a key not there would not end */
    memcpy(copy, snap->data, snap->len);
    for (size_t j = 0; j < x->cap; j++)
        if (!x->slot[j].head) {
            struct cat_slot full = {0x7fffffffu, 1};
            memcpy(copy + so + j * sizeof full, &full, sizeof full);
        }
    CHECK(refused(copy, snap->len), "an index without an empty slot is refused");
    /* the last literal's run not ended */
    memcpy(copy, snap->data, snap->len);
    struct cat_lit l = c->lits[c->nlits - 1];
    l.flags &= (uint8_t)~HM_LIT_LAST;
    memcpy(copy + lo + (c->nlits - 1) * sizeof l, &l, sizeof l);
    CHECK(refused(copy, snap->len), "literals whose last run does not end are refused");
    /* a literal's patterns past the pattern list */
    memcpy(copy, snap->data, snap->len);
    l = c->lits[0];
    l.tgt = (uint32_t)c->ntgts;
    memcpy(copy + lo, &l, sizeof l);
    CHECK(refused(copy, snap->len), "a literal's patterns past the pattern list are refused");
    free(copy);
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
    /* the prefilter index read back from the snapshot is the one the files build */
    const hm_cats *c1 = &e1->cats, *c2 = &e2->cats;
    size_t nw = c2->nwords;
    int same_index = c1->nre == c2->nre && c1->nwords == nw && c1->nlits == c2->nlits &&
                     c1->ntgts == c2->ntgts && c1->ndup == c2->ndup &&
                     !memcmp(c1->stem_bits, c2->stem_bits, sizeof c1->stem_bits) &&
                     !memcmp(c1->lit_class, c2->lit_class, sizeof c1->lit_class) &&
                     !memcmp(c1->lit_bloom, c2->lit_bloom, HM_LIT_BLOOM_WORDS * 8) &&
                     !memcmp(c1->lit_tri, c2->lit_tri, HM_LIT_TRI_WORDS * 4) &&
                     !memcmp(c1->lits, c2->lits, c2->nlits * sizeof *c2->lits) &&
                     !memcmp(c1->need, c2->need, c2->nre) &&
                     !memcmp(c1->dup_slot, c2->dup_slot, c2->nre * sizeof *c2->dup_slot) &&
                     !memcmp(c1->nsets1, c2->nsets1, nw * 8) &&
                     !memcmp(c1->nsets2, c2->nsets2, nw * 8);
    for (size_t g = 0; same_index && g < c2->ntgts; g++)
        same_index = c1->tgts[g].re == c2->tgts[g].re && c1->tgts[g].set == c2->tgts[g].set;
    for (int t = 0; same_index && t < 3; t++)
        same_index = c1->lit_idx[t].cap == c2->lit_idx[t].cap &&
                     c1->lit_idx[t].shift == c2->lit_idx[t].shift &&
                     !memcmp(c1->lit_idx[t].slot, c2->lit_idx[t].slot,
                             c2->lit_idx[t].cap * sizeof *c2->lit_idx[t].slot);
    for (size_t i = 0; same_index && i < c2->nre; i++)
        same_index = c1->re[i].anch == c2->re[i].anch;
    for (int d = 0; same_index && d < HM_PSEUDO_N; d++) {
        const struct cat_pseudo *p1 = &c1->pseudo[d], *p2 = &c2->pseudo[d];
        same_index = p1->nre == p2->nre && !memcmp(p1->sets, p2->sets, c2->nre) &&
                     !memcmp(p1->one, p2->one, nw * 8);
        for (int k = 0; same_index && k < 3; k++)
            same_index = !memcmp(p1->in[k], p2->in[k], nw * 8);
        for (size_t q = 0; same_index && q < p2->nre; q++)
            same_index = p1->re[q].re == p2->re[q].re && p1->re[q].set == p2->re[q].set;
    }
    for (int l = LANG_FR; same_index && l <= LANG_EN; l++)
        same_index = !memcmp(c1->langok[l], c2->langok[l], nw * 8) &&
                     !memcmp(c1->always[l], c2->always[l], nw * 8);
    CHECK(same_index && c2->nlits > 1000, "the snapshot's prefilter index (%zu literals) is the one "
          "the files build", c1->nlits);
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
    index_damage(snap, &e1->cats);
    hm_engine_close(e1);
    hm_engine_close(e2);

    /* damaged: truncated anywhere, or a byte changed */
    unsigned char *copy = malloc(snap->len);
    size_t refused = 0, tries = 0, crashed = 0;
    unsigned seed = 12345;
    for (int k = 0; k < 600; k++) {
        size_t len = snap->len;
        memcpy(copy, snap->data, len);
        if (k < 200) {
            len = (size_t)k * (snap->len / 200); /* truncated */
        } else {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 3) % 4096; /* the header and the first tables */
            if (k >= 400) {
                /* the last quarter: the prefilter index */
                seed = seed * 1103515245u + 12345u;
                at = len - 1 - (seed >> 3) % (len / 4);
            } else if (k % 2) {
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
