/*
 * induce.c — `humeur induce`: propose lexicon entries from labelled posts.
 *
 * For every word (the normalized form humeur matches on), document
 * frequencies in negative and positive training posts give, within each
 * source, a log-odds ratio with an informative Dirichlet prior (Monroe,
 * Colaresi & Quinn 2008) and its z-score.  Sources differ in topic (insurance
 * claims are mostly negative, shop reviews mostly positive), so a word is kept
 * only when at least two sources agree on its sign with |z| above a threshold
 * and none disagrees: sentiment, not topic.  Words the engine's lexicons
 * already score are left out.  The valence is the mean log-odds of the
 * agreeing sources, clipped to [-3, 3], strongest first.  The file is
 * meant to be reviewed, and is kept apart from the hand-written ones.
 * Uses only humeur.h.
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_induce(int argc, char **argv);

#define MAXSRC 16
typedef struct wcount {
    char *w;
    double neg[MAXSRC], pos[MAXSRC];
} wcount;

typedef struct ictx {
    hm_analyzer *a;
    int lang;
    wcount *v;
    size_t n, cap;
    size_t *tab;         /* open addressing: index + 1 into v */
    size_t tcap;
    double nneg[MAXSRC], npos[MAXSRC];
    int src;             /* the source being read */
    char **seen;         /* words of the current post (binarized counts) */
    size_t nseen, seencap;
} ictx;

static unsigned long hstr(const char *s)
{
    unsigned long h = 1469598103934665603UL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211UL;
    return h;
}

static wcount *lookup(ictx *c, const char *w)
{
    if (c->n * 2 >= c->tcap) {
        size_t nc = c->tcap ? c->tcap * 2 : 1 << 16;
        size_t *t = calloc(nc, sizeof *t);
        if (!t)
            return NULL;
        for (size_t i = 0; i < c->n; i++) {
            size_t j = hstr(c->v[i].w) & (nc - 1);
            while (t[j])
                j = (j + 1) & (nc - 1);
            t[j] = i + 1;
        }
        free(c->tab);
        c->tab = t;
        c->tcap = nc;
    }
    size_t j = hstr(w) & (c->tcap - 1);
    while (c->tab[j]) {
        if (!strcmp(c->v[c->tab[j] - 1].w, w))
            return &c->v[c->tab[j] - 1];
        j = (j + 1) & (c->tcap - 1);
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1 << 14;
        wcount *nv = realloc(c->v, c->cap * sizeof *nv);
        if (!nv)
            return NULL;
        c->v = nv;
    }
    memset(&c->v[c->n], 0, sizeof c->v[c->n]);
    c->v[c->n].w = strdup(w);
    c->tab[j] = ++c->n;
    return &c->v[c->n - 1];
}

static int add_post(void *ctx, const char *text, size_t len, int pol, int cmp, int dev, double w)
{
    ictx *c = ctx;
    (void)cmp;
    if (dev || (pol != HM_NEGATIVE && pol != HM_POSITIVE))
        return 0;
    hm_result r;
    hm_options o = {c->lang, HM_SCORER_LEXICON};
    if (hm_analyze_ex(c->a, text, len, &o, &r))
        return 0;
    size_t n;
    const hm_token *t = hm_analyzer_tokens(c->a, &n);
    c->nseen = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].type != HM_TOK_WORD || strlen(t[i].norm) < 3 || strchr(t[i].norm, '\''))
            continue;
        wcount *wc = lookup(c, t[i].norm);
        if (!wc)
            return HM_ENOMEM;
        /* once per post */
        int dup = 0;
        for (size_t k = 0; k < c->nseen; k++)
            if (c->seen[k] == wc->w)
                dup = 1;
        if (dup)
            continue;
        if (c->nseen == c->seencap) {
            c->seencap = c->seencap ? c->seencap * 2 : 256;
            char **ns = realloc(c->seen, c->seencap * sizeof *ns);
            if (!ns)
                return HM_ENOMEM;
            c->seen = ns;
        }
        c->seen[c->nseen++] = wc->w;
        if (pol == HM_NEGATIVE)
            wc->neg[c->src] += w;
        else
            wc->pos[c->src] += w;
    }
    if (pol == HM_NEGATIVE)
        c->nneg[c->src] += w;
    else
        c->npos[c->src] += w;
    return 0;
}

/* Function words carry the style of a source, not sentiment: never proposed. */
static const char *const stop[] = {
    /* fr */
    "les", "des", "une", "est", "que", "qui", "pour", "par", "sur", "dans", "avec", "mais",
    "pas", "plus", "ils", "elle", "elles", "nous", "vous", "mon", "mes", "ton", "tes", "son",
    "ses", "leur", "leurs", "notre", "votre", "nos", "vos", "cette", "ces", "cet", "etre",
    "avoir", "fait", "faire", "meme", "apres", "avant", "depuis", "sans", "non", "oui", "alors",
    "car", "donc", "comme", "quand", "rien", "aucun", "aucune", "jamais", "tout", "tous",
    "toute", "toutes", "aux", "ont", "etait", "sont", "suis", "avait", "avais", "etais", "encore",
    "deja", "aussi", "tres", "trop", "bien", "peu", "ete", "lui", "moi", "eux", "leur", "ceux",
    "cela", "ceci", "quoi", "dont", "ainsi", "puis", "chez", "entre", "vers", "contre", "selon",
    "sous", "sera", "serait", "etaient", "avons", "avez", "peut", "faut", "vraiment", "demande",
    /* en */
    "the", "and", "for", "with", "this", "that", "these", "those", "was", "were", "are", "has",
    "have", "had", "not", "but", "you", "your", "they", "them", "their", "she", "her", "his",
    "him", "its", "our", "from", "what", "which", "who", "when", "where", "why", "how", "there",
    "here", "all", "any", "some", "more", "most", "about", "out", "get", "got", "would",
    "could", "should", "will", "can", "one", "only", "also", "too", "very", "really", "just",
    "been", "being", "did", "does", "don't", "didn't", "then", "than", "into", "over", "again",
    "never", "because", "even", "still", "after", "before", "while", "nothing", "anything",
    "she's", "he's", "i've", "it's", NULL};

static int is_stop(const char *w)
{
    for (int i = 0; stop[i]; i++)
        if (!strcmp(stop[i], w))
            return 1;
    return 0;
}

typedef struct cand {
    const char *w;
    double delta, z, df;
} cand;

static int cmp_cand(const void *a, const void *b)
{
    double x = fabs(((const cand *)a)->z), y = fabs(((const cand *)b)->z);
    if (x != y)
        return x < y ? 1 : -1;
    return strcmp(((const cand *)a)->w, ((const cand *)b)->w);
}

static const char induce_usage[] =
    "usage: humeur induce --lang fr|en --out FILE.tsv [--min-df N] [--min-z Z] [--max N]\n"
    "                     --train SPEC [--train SPEC]...   (SPEC as for humeur train)\n";

int cmd_induce(int argc, char **argv)
{
    spec specs[64];
    int nspec = 0, lang = 0, max = 400;
    double min_df = 30, min_z = 5;
    const char *out = NULL;
    char cmdline[4096] = "humeur induce";
    for (int i = 0; i < argc; i++) {
        size_t cl = strlen(cmdline);
        snprintf(cmdline + cl, sizeof cmdline - cl, " %s", argv[i]);
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help")) {
            fputs(induce_usage, stdout);
            return EXIT_OK;
        }
        if (!v) {
            fputs(induce_usage, stderr);
            return EXIT_USAGE;
        }
        i++;
        if (!strcmp(a, "--lang"))
            lang = !strcmp(v, "fr") ? HM_LANG_FR : !strcmp(v, "en") ? HM_LANG_EN : -1;
        else if (!strcmp(a, "--out"))
            out = v;
        else if (!strcmp(a, "--min-df"))
            min_df = atof(v);
        else if (!strcmp(a, "--min-z"))
            min_z = atof(v);
        else if (!strcmp(a, "--max"))
            max = atoi(v);
        else if (!strcmp(a, "--train") && nspec < 64 && !parse_spec(v, 0, &specs[nspec]))
            nspec++;
        else {
            fprintf(stderr, "humeur induce: bad option %s %s\n%s", a, v, induce_usage);
            return EXIT_USAGE;
        }
    }
    if (lang <= 0 || !out || !nspec) {
        fputs(induce_usage, stderr);
        return EXIT_USAGE;
    }
    hm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.no_models = 1;
    hm_status st;
    hm_engine *e = cli_engine(&cfg);
    if (!e)
        return EXIT_IO;
    ictx c;
    memset(&c, 0, sizeof c);
    c.a = hm_analyzer_new(e, &st);
    c.lang = lang;
    int status = c.a ? EXIT_OK : EXIT_IO;
    if (nspec > MAXSRC) {
        fprintf(stderr, "humeur induce: at most %d sources\n", MAXSRC);
        status = EXIT_USAGE;
    }
    for (int i = 0; status == EXIT_OK && i < nspec; i++) {
        long rows = 0, crow = 0;
        c.src = i;
        status = read_spec(&specs[i], "text", add_post, &c, &rows, &crow);
    }
    cand *cs = calloc(c.n + 1, sizeof *cs);
    size_t nc = 0;
    double alpha0 = 500;
    for (size_t i = 0; status == EXIT_OK && i < c.n; i++) {
        wcount *w = &c.v[i];
        int agree_pos = 0, agree_neg = 0, against = 0;
        double dsum = 0, zmin = 1e9, dfall = 0;
        for (int k = 0; k < nspec; k++) {
            double df = w->neg[k] + w->pos[k], ntot = c.nneg[k] + c.npos[k];
            dfall += df;
            if (df < min_df / 3 || c.nneg[k] < 1 || c.npos[k] < 1)
                continue;
            double aw = alpha0 * df / ntot;
            double lp = log((w->pos[k] + aw) / (c.npos[k] + alpha0 - w->pos[k] - aw));
            double ln = log((w->neg[k] + aw) / (c.nneg[k] + alpha0 - w->neg[k] - aw));
            double delta = lp - ln;
            double z = delta / sqrt(1.0 / (w->pos[k] + aw) + 1.0 / (w->neg[k] + aw));
            if (fabs(z) >= min_z / 2) {
                if (z > 0)
                    agree_pos++;
                else
                    agree_neg++;
                dsum += delta;
                if (fabs(z) < zmin)
                    zmin = fabs(z);
            } else if (fabs(z) >= 1.0 && ((z > 0) != (dsum > 0)) && dsum != 0) {
                against++;
            }
        }
        int agree = agree_pos > agree_neg ? agree_pos : agree_neg;
        if (agree < 2 || (agree_pos && agree_neg) || against || dfall < min_df || is_stop(w->w))
            continue;
        double delta = dsum / agree;
        if (fabs(delta) < 0.7)
            continue;
        /* already scored by the lexicons? then it is not a new entry */
        hm_result r;
        hm_options o = {lang, HM_SCORER_LEXICON};
        if (hm_analyze_ex(c.a, w->w, strlen(w->w), &o, &r) == 0 && r.nevidence)
            continue;
        cs[nc].w = w->w;
        cs[nc].delta = delta;
        cs[nc].z = zmin * (delta > 0 ? 1 : -1) * agree;
        cs[nc].df = dfall;
        nc++;
    }
    qsort(cs, nc, sizeof *cs, cmp_cand);
    FILE *f = status == EXIT_OK ? fopen(out, "w") : NULL;
    if (status == EXIT_OK && !f) {
        fprintf(stderr, "humeur induce: cannot write %s\n", out);
        status = EXIT_IO;
    }
    if (f) {
        fprintf(f, "# humeur valence lexicon — %s, induced from labelled training posts\n",
                lang == HM_LANG_FR ? "French" : "English");
        fprintf(f, "# log-odds of positive vs negative posts with an informative Dirichlet prior;\n"
                   "# words the hand-written lexicons already score are left out. Review before use.\n");
        fprintf(f, "# regenerate: %s\n", cmdline);
        fprintf(f, "# columns: term, valence (the log-odds, clipped to [-3, 3])\nterm\tvalence\n");
        int k = 0;
        for (size_t i = 0; i < nc && k < max; i++, k++) {
            double v = cs[i].delta;
            if (v > 3) v = 3;
            if (v < -3) v = -3;
            if (fabs(v) < 0.1)
                continue;
            fprintf(f, "%s\t%.1f\n", cs[i].w, v);
        }
        if (fclose(f)) {
            fprintf(stderr, "humeur induce: cannot write %s\n", out);
            status = EXIT_IO;
        } else
            fprintf(stderr, "humeur induce: %s: %d entries\n", out, k);
    }
    for (size_t i = 0; i < c.n; i++)
        free(c.v[i].w);
    free(c.v);
    free(c.tab);
    free(c.seen);
    free(cs);
    hm_analyzer_free(c.a);
    hm_engine_close(e);
    return status;
}
