/*
 * induce.c — `humeur induce`: lexicon entries induced from labelled posts.
 *
 * For every word (the normalized form humeur matches on), its rate in the
 * negative and in the positive training posts of each source — counted once
 * per post, per word of the posts (negative reviews are longer: per post, any
 * word would lean negative) — gives a log-odds ratio with an informative
 * Dirichlet prior (Monroe, Colaresi & Quinn 2008: the prior is the word's
 * share of all the source's words, with the weight of --prior posts) and its
 * variance.  A word the scorer would read as negated (a negator among the
 * three words before it, or "ne" before and "pas" after) counts for the other
 * class: "n'hésitez pas" in a praise teaches that "hésiter" is negative, which
 * the scorer flips back.  The sources are pooled as in a fixed-effect
 * meta-analysis: the inverse-variance mean of their log-odds and its z-score.
 * A word is kept when
 *   - it is a plain word: letters only, three or more, not a name (written
 *     with a capital inside sentences in half or more of the posts that use
 *     case), not a function word, not in the --exclude file;
 *   - it is in at least --min-df posts, and its pooled |z| is at least --min-z;
 *   - the sources that hold it in --min-src-df posts or more agree: at least
 *     --min-sources of them, and a share --min-share of them, lean its way with
 *     |z| >= 1, and none says the opposite with |z| >= --max-against
 *     (sentiment, not the topic of one source);
 *   - the hand-written lexicons (--lexicons DIR, without the induced files) do
 *     not already score it, as a word, a modifier or a neutral term; a word
 *     they score only through its stem is kept when the data gives it the
 *     other sign.
 * Its valence is the pooled log-odds times --scale (a shrinkage: an induced
 * word is weaker evidence than a hand-written one), clipped to +-(--clip),
 * rounded to 0.1; entries under --min-valence are left out.  The output is
 * deterministic: the same posts and options give the same bytes.
 * Uses only humeur.h.
 */
#include "cli.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_induce(int argc, char **argv);

#define MAXSRC 16
typedef struct wcount {
    char *w;
    double neg[MAXSRC], pos[MAXSRC];
    double cap, ctx;      /* occurrences inside a sentence of a cased post: with a capital / all */
} wcount;

typedef struct ictx {
    hm_analyzer *a;
    int lang;
    wcount *v;
    size_t n, cap;
    size_t *tab;         /* open addressing: index + 1 into v */
    size_t tcap;
    double nneg[MAXSRC], npos[MAXSRC];      /* posts */
    double sneg[MAXSRC], spos[MAXSRC];      /* word slots: the distinct words of each post */
    int src;             /* the source being read */
    size_t *seen;        /* words of the current post (binarized counts): indexes into v */
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
        size_t ncap = c->cap ? c->cap * 2 : 1 << 14;
        wcount *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv)
            return NULL;
        c->v = nv;
        c->cap = ncap;
    }
    memset(&c->v[c->n], 0, sizeof c->v[c->n]);
    c->v[c->n].w = strdup(w);
    if (!c->v[c->n].w)
        return NULL;
    c->tab[j] = ++c->n;
    return &c->v[c->n - 1];
}

/* letters only (the norm is accent-free lower case), three or more */
static int plain_word(const char *w)
{
    size_t n = 0;
    for (; w[n]; n++)
        if (w[n] < 'a' || w[n] > 'z')
            return 0;
    return n >= 3;
}

/* an upper-case first letter: ASCII, or Latin-1 capitals (À..Þ) in UTF-8 */
static int capital_at(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    if (c >= 'A' && c <= 'Z')
        return 1;
    return n >= 2 && c == 0xC3 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9E;
}

/* The negators whose scope the induced words are read in (the scorer's own
 * list is in the modifier files; these are its common entries). */
static int is_negator(int lang, const char *w)
{
    static const char *const fr[] = {"pas", "jamais", "rien", "aucun", "aucune", "sans", "ni",
                                     "nullement", "aucunement", "pantoute", NULL};
    static const char *const en[] = {"not", "no", "never", "without", "nothing", "nobody",
                                     "none", "neither", "nor", "cannot", NULL};
    const char *const *l = lang == HM_LANG_FR ? fr : en;
    for (int i = 0; l[i]; i++)
        if (!strcmp(l[i], w))
            return 1;
    size_t n = strlen(w);
    return lang != HM_LANG_FR && n > 3 && !strcmp(w + n - 3, "n't");
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
    /* does the post use case?  (some sources are lower-cased, some posts shout) */
    int upper = 0, lower = 0;
    for (size_t i = 1; i < len && !(upper && lower); i++) {
        upper |= text[i] >= 'A' && text[i] <= 'Z';
        lower |= text[i] >= 'a' && text[i] <= 'z';
    }
    int cased = upper && lower;
    c->nseen = 0;
    int initial = 1;  /* the next word opens a sentence */
    int since_neg = 99, since_ne = 99; /* words since a negator, since "ne" */
    for (size_t i = 0; i < n; i++) {
        if (t[i].type == HM_TOK_PUNCT) {
            initial |= strchr(".!?:;", t[i].norm[0]) != NULL;
            since_neg = since_ne = 99; /* negation stops at punctuation */
            continue;
        }
        if (t[i].type != HM_TOK_WORD) {
            if (t[i].type != HM_TOK_HASHTAG)
                initial = t[i].type == HM_TOK_URL || t[i].type == HM_TOK_MENTION;
            continue;
        }
        int was_initial = initial;
        initial = 0;
        since_neg++;
        since_ne++;
        if (is_negator(c->lang, t[i].norm)) {
            since_neg = 0;
            continue;
        }
        if (!strcmp(t[i].norm, "ne") || !strcmp(t[i].norm, "n'")) {
            since_ne = 0;
            continue;
        }
        /* negated as the scorer reads it: a negator among the three words
         * before, or "ne" before and a negator just after ("n'hésitez pas") */
        int negated = since_neg <= 3;
        if (!negated && since_ne <= 3)
            for (size_t j = i + 1, d = 0; j < n && d < 2 && t[j].type != HM_TOK_PUNCT; j++)
                if (t[j].type == HM_TOK_WORD) {
                    d++;
                    negated |= is_negator(c->lang, t[j].norm);
                }
        if ((t[i].flags & HM_TF_HASHPART) || !plain_word(t[i].norm))
            continue;
        wcount *wc = lookup(c, t[i].norm);
        if (!wc)
            return HM_ENOMEM;
        size_t wi = (size_t)(wc - c->v);
        if (cased && !was_initial) { /* names and acronyms (UKIP) are capitalized */
            wc->ctx += 1;
            wc->cap += capital_at(text + t[i].start, t[i].end - t[i].start);
        }
        /* once per post */
        int dup = 0;
        for (size_t k = 0; k < c->nseen && !dup; k++)
            dup = c->seen[k] == wi;
        if (dup)
            continue;
        if (c->nseen == c->seencap) {
            c->seencap = c->seencap ? c->seencap * 2 : 256;
            size_t *ns = realloc(c->seen, c->seencap * sizeof *ns);
            if (!ns)
                return HM_ENOMEM;
            c->seen = ns;
        }
        c->seen[c->nseen++] = wi;
        /* a negated word speaks for the opposite class: the scorer flips it */
        if ((pol == HM_NEGATIVE) != negated)
            wc->neg[c->src] += w;
        else
            wc->pos[c->src] += w;
    }
    if (pol == HM_NEGATIVE) {
        c->nneg[c->src] += w;
        c->sneg[c->src] += w * (double)c->nseen;
    } else {
        c->npos[c->src] += w;
        c->spos[c->src] += w * (double)c->nseen;
    }
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
    "deja", "aussi", "tres", "trop", "bien", "peu", "ete", "lui", "moi", "eux", "ceux",
    "cela", "ceci", "quoi", "dont", "ainsi", "puis", "chez", "entre", "vers", "contre", "selon",
    "sous", "sera", "serait", "etaient", "avons", "avez", "peut", "faut", "vraiment", "demande",
    "mais", "ou", "ni", "soit", "cet", "celle", "celui", "celles", "ici", "voila", "va", "vont",
    "dit", "ait", "aurait", "aurais", "etes", "sommes", "mes", "toi", "ceux", "lors", "chaque",
    "autre", "autres", "quel", "quelle", "quels", "quelles", "lequel", "laquelle", "pourquoi",
    "comment", "combien", "parce", "puisque", "lorsque", "tandis", "pendant", "durant",
    /* en */
    "the", "and", "for", "with", "this", "that", "these", "those", "was", "were", "are", "has",
    "have", "had", "not", "but", "you", "your", "they", "them", "their", "she", "her", "his",
    "him", "its", "our", "from", "what", "which", "who", "when", "where", "why", "how", "there",
    "here", "all", "any", "some", "more", "most", "about", "out", "get", "got", "would",
    "could", "should", "will", "can", "one", "only", "also", "too", "very", "really", "just",
    "been", "being", "did", "does", "then", "than", "into", "over", "again",
    "never", "because", "even", "still", "after", "before", "while", "nothing", "anything",
    "our", "ours", "yours", "theirs", "myself", "yourself", "itself", "themselves", "whom",
    "whose", "each", "every", "other", "others", "such", "own", "same", "both", "either",
    "neither", "nor", "per", "via", "upon", "onto", "off", "yet", "though", "although",
    NULL};

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
    int stem;            /* it corrects a stem match of the hand-written lexicons */
} cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (fabs(x->z) != fabs(y->z))
        return fabs(x->z) < fabs(y->z) ? 1 : -1;
    return strcmp(x->w, y->w);
}

/* The --exclude file: one term a line ('#' comments), read in normalized form. */
typedef struct wordset {
    char **w;
    size_t n;
} wordset;

static int load_exclude(hm_analyzer *a, int lang, const char *path, wordset *ws)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "humeur induce: cannot open %s\n", path);
        return EXIT_IO;
    }
    char line[512];
    int status = EXIT_OK;
    while (status == EXIT_OK && fgets(line, sizeof line, f)) {
        char *h = strchr(line, '#');
        if (h)
            *h = 0;
        size_t l = strlen(line);
        while (l && isspace((unsigned char)line[l - 1]))
            line[--l] = 0;
        if (!l)
            continue;
        hm_result r;
        hm_options o = {lang, HM_SCORER_LEXICON};
        size_t nt;
        const hm_token *t;
        if (hm_analyze_ex(a, line, l, &o, &r) || !(t = hm_analyzer_tokens(a, &nt)) || nt != 1) {
            fprintf(stderr, "humeur induce: %s: not one word: %s\n", path, line);
            status = EXIT_USAGE;
            break;
        }
        char **nw = realloc(ws->w, (ws->n + 1) * sizeof *nw);
        if (!nw || !(nw[ws->n] = strdup(t[0].norm))) {
            if (nw)
                ws->w = nw;
            status = EXIT_IO;
            break;
        }
        ws->w = nw;
        ws->n++;
    }
    fclose(f);
    return status;
}

/* The terms a hand-written file of DIR/SUB lists with valence 0 (neutral.tsv):
 * they score nothing, so lexicon_knows() cannot see them, but they are known. */
static int load_neutral(hm_analyzer *a, int lang, const char *dir, wordset *ws)
{
    static const char *const files[] = {"neutral.tsv", "valence.tsv", "quebec.tsv", NULL};
    for (int i = 0; files[i]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s/%s", dir, lang == HM_LANG_FR ? "fr" : "en", files[i]);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        char line[512];
        while (fgets(line, sizeof line, f)) {
            char *tab = strchr(line, '\t');
            if (line[0] == '#' || !tab || strtod(tab + 1, NULL) != 0 || !isdigit((unsigned char)tab[1]))
                continue;
            hm_result r;
            hm_options o = {lang, HM_SCORER_LEXICON};
            size_t nt;
            const hm_token *t;
            if (hm_analyze_ex(a, line, (size_t)(tab - line), &o, &r) ||
                !(t = hm_analyzer_tokens(a, &nt)) || nt != 1)
                continue;
            char **nw = realloc(ws->w, (ws->n + 1) * sizeof *nw);
            if (!nw || !(nw[ws->n] = strdup(t[0].norm))) {
                if (nw)
                    ws->w = nw;
                fclose(f);
                return EXIT_IO;
            }
            ws->w = nw;
            ws->n++;
        }
        fclose(f);
    }
    return EXIT_OK;
}

static int in_set(const wordset *ws, const char *w)
{
    for (size_t i = 0; i < ws->n; i++)
        if (!strcmp(ws->w[i], w))
            return 1;
    return 0;
}

/* What the lexicons do with w: 0 nothing, 1 a valence of the word or a phrase,
 * 2 only through its stem (*stem_val: that valence), 3 a modifier (it changes
 * the score of a sentiment word next to it). */
static int lexicon_knows(hm_analyzer *a, int lang, const char *w, double *stem_val)
{
    hm_result r;
    hm_options o = {lang, HM_SCORER_LEXICON};
    if (hm_analyze_ex(a, w, strlen(w), &o, &r))
        return 1;
    if (r.nevidence) {
        for (size_t i = 0; i < r.nevidence; i++)
            if (!strstr(r.evidence[i].rule, "stem"))
                return 1;
        *stem_val = r.evidence[0].weight;
        return 2;
    }
    const char *probe = lang == HM_LANG_FR ? "bon" : "good";
    char buf[256];
    snprintf(buf, sizeof buf, "%s %s", w, probe);
    if (hm_analyze_ex(a, buf, strlen(buf), &o, &r))
        return 1;
    double with = r.score;
    if (hm_analyze_ex(a, probe, strlen(probe), &o, &r))
        return 1;
    return fabs(with - r.score) > 1e-9 ? 3 : 0;
}

static const char induce_usage[] =
    "usage: humeur induce --lang fr|en --out FILE.tsv [OPTIONS] --train SPEC [--train SPEC]...\n"
    "  SPEC as for humeur train (PATH[@split,...][%holdout][*weight]); rows marked dev\n"
    "  by a hold-out are left out; only negative and positive posts count\n"
    "  --lexicons DIR     the hand-written lexicons (default: the embedded ones); the\n"
    "                     terms its files give valence 0 are left out too\n"
    "  --exclude FILE     words never proposed (one a line, '#' comments)\n"
    "  --min-df N         posts holding the word, all sources (20)\n"
    "  --min-z Z          pooled |z| (4)\n"
    "  --min-sources N    sources leaning the word's way, |z| >= 1 (1)\n"
    "  --min-share F      share of the sources holding it that lean its way (0)\n"
    "  --min-src-df N     a source's posts for its say on a word (10)\n"
    "  --max-against Z    a source saying the opposite with |z| >= Z drops it (2)\n"
    "  --prior A          weight of the Dirichlet prior, in posts (500)\n"
    "  --scale S          valence = S x pooled log-odds (0.5)\n"
    "  --clip V           largest |valence| (2)\n"
    "  --min-valence V    smallest |valence| kept (0.3)\n"
    "  --max N            at most N entries, strongest z first (2000)\n";

int cmd_induce(int argc, char **argv)
{
    spec specs[64];
    int nspec = 0, lang = 0, max = 2000, min_sources = 1;
    double min_df = 20, min_z = 4, min_src_df = 10, max_against = 2, alpha0 = 500;
    double scale = 0.5, clip = 2, min_val = 0.3, min_share = 0;
    const char *out = NULL, *lexdir = NULL, *exclude = NULL;
    char sources[4096] = "";
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
        else if (!strcmp(a, "--lexicons"))
            lexdir = v;
        else if (!strcmp(a, "--exclude"))
            exclude = v;
        else if (!strcmp(a, "--min-df"))
            min_df = atof(v);
        else if (!strcmp(a, "--min-z"))
            min_z = atof(v);
        else if (!strcmp(a, "--min-sources"))
            min_sources = atoi(v);
        else if (!strcmp(a, "--min-src-df"))
            min_src_df = atof(v);
        else if (!strcmp(a, "--min-share"))
            min_share = atof(v);
        else if (!strcmp(a, "--max-against"))
            max_against = atof(v);
        else if (!strcmp(a, "--prior"))
            alpha0 = atof(v);
        else if (!strcmp(a, "--scale"))
            scale = atof(v);
        else if (!strcmp(a, "--clip"))
            clip = atof(v);
        else if (!strcmp(a, "--min-valence"))
            min_val = atof(v);
        else if (!strcmp(a, "--max"))
            max = atoi(v);
        else if (!strcmp(a, "--train") && nspec < 64 && !parse_spec(v, 0, &specs[nspec])) {
            /* named in the header by file name and selectors: the same on any machine */
            const char *b = strrchr(v, '/');
            size_t sl = strlen(sources);
            snprintf(sources + sl, sizeof sources - sl, "%s%s", sl ? " " : "", b ? b + 1 : v);
            nspec++;
        }
        else {
            fprintf(stderr, "humeur induce: bad option %s %s\n%s", a, v, induce_usage);
            return EXIT_USAGE;
        }
    }
    if (lang <= 0 || !out || !nspec || alpha0 <= 0 || scale <= 0 || clip <= 0 || clip > 4) {
        fputs(induce_usage, stderr);
        return EXIT_USAGE;
    }
    if (nspec > MAXSRC) {
        fprintf(stderr, "humeur induce: at most %d sources\n", MAXSRC);
        return EXIT_USAGE;
    }
    hm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.lexicon_dir = lexdir;
    cfg.no_models = 1;
    hm_status st;
    hm_engine *e = cli_engine(&cfg);
    if (!e)
        return EXIT_IO;
    ictx c;
    memset(&c, 0, sizeof c);
    wordset excl = {NULL, 0};
    c.a = hm_analyzer_new(e, &st);
    c.lang = lang;
    int status = c.a ? EXIT_OK : EXIT_IO;
    if (status == EXIT_OK && exclude)
        status = load_exclude(c.a, lang, exclude, &excl);
    if (status == EXIT_OK && lexdir)
        status = load_neutral(c.a, lang, lexdir, &excl);
    for (int i = 0; status == EXIT_OK && i < nspec; i++) {
        long rows = 0, crow = 0;
        c.src = i;
        status = read_spec(&specs[i], "text", add_post, &c, &rows, &crow);
        fprintf(stderr, "humeur induce: %s: %.0f negative, %.0f positive posts\n", specs[i].path,
                c.nneg[i], c.npos[i]);
    }
    cand *cs = calloc(c.n + 1, sizeof *cs);
    if (!cs)
        status = EXIT_IO;
    size_t nc = 0;
    long nnames = 0, nunstable = 0, nknown = 0, nstem = 0;
    for (size_t i = 0; status == EXIT_OK && i < c.n; i++) {
        wcount *w = &c.v[i];
        double dfall = 0;
        for (int k = 0; k < nspec; k++)
            dfall += w->neg[k] + w->pos[k];
        if (dfall < min_df || is_stop(w->w) || in_set(&excl, w->w))
            continue;
        if (w->ctx >= 5 && w->cap >= 0.5 * w->ctx) {
            nnames++;
            continue;
        }
        /* per source: log-odds with the informative prior, its variance */
        double d[MAXSRC], z[MAXSRC], dfs[MAXSRC];
        double sw = 0, swd = 0;
        for (int k = 0; k < nspec; k++) {
            double df = w->neg[k] + w->pos[k], stot = c.sneg[k] + c.spos[k];
            dfs[k] = df;
            z[k] = d[k] = 0;
            if (df <= 0 || c.nneg[k] < 1 || c.npos[k] < 1)
                continue;
            /* rates per word slot, not per post: negative reviews are longer, and
             * per post any word would lean negative */
            double a0 = alpha0 * stot / (c.nneg[k] + c.npos[k]);
            double aw = a0 * df / stot;
            double lp = log((w->pos[k] + aw) / (c.spos[k] + a0 - w->pos[k] - aw));
            double ln = log((w->neg[k] + aw) / (c.sneg[k] + a0 - w->neg[k] - aw));
            double var = 1.0 / (w->pos[k] + aw) + 1.0 / (w->neg[k] + aw);
            d[k] = lp - ln;
            z[k] = d[k] / sqrt(var);
            sw += 1.0 / var;
            swd += d[k] / var;
        }
        if (sw <= 0)
            continue;
        double delta = swd / sw, zp = delta * sqrt(sw);
        if (fabs(zp) < min_z)
            continue;
        int lean = 0, against = 0, holding = 0;
        for (int k = 0; k < nspec; k++) {
            if (dfs[k] < min_src_df)
                continue;
            holding++;
            if ((z[k] > 0) == (delta > 0) && fabs(z[k]) >= 1)
                lean++;
            else if ((z[k] > 0) != (delta > 0) && fabs(z[k]) >= max_against)
                against++;
        }
        if (against || lean < min_sources || lean < min_share * holding) {
            nunstable++;
            continue;
        }
        double sv = 0;
        int known = lexicon_knows(c.a, lang, w->w, &sv);
        if (known == 1 || known == 3 || (known == 2 && (sv > 0) == (delta > 0))) {
            nknown++;
            continue;
        }
        cs[nc].stem = known == 2;
        cs[nc].w = w->w;
        cs[nc].delta = delta;
        cs[nc].z = zp;
        cs[nc].df = dfall;
        nc++;
    }
    if (status == EXIT_OK)
        qsort(cs, nc, sizeof *cs, cmp_cand);
    FILE *f = status == EXIT_OK ? fopen(out, "w") : NULL;
    if (status == EXIT_OK && !f) {
        fprintf(stderr, "humeur induce: cannot write %s\n", out);
        status = EXIT_IO;
    }
    if (f) {
        fprintf(f,
                "# humeur valence lexicon — %s, induced from labelled posts by `humeur induce`.\n"
                "# Generated: do not edit.  Regenerate with `make lexicons-induced` (lexicons/induce.sh);\n"
                "# leave a word out with %s/induced.exclude.  Loaded after the hand-written files,\n"
                "# which win on any term both hold; an entry matches its own form only (not its stem).\n"
                "# Sources (negative and positive posts): %s\n"
                "# Per source, the log-odds of a word in positive vs negative posts (rates per word, with\n"
                "# an informative Dirichlet prior of %g posts; a negated word counts for the opposite\n"
                "# class); sources pooled by inverse variance.  Kept: in >= %g posts, pooled |z| >= %g,\n"
                "# at least %d source(s) and a share %g of the sources holding it (>= %g posts) leaning\n"
                "# its way (|z| >= 1), none against with |z| >= %g; not a name, a function word, an\n"
                "# excluded word or a word the hand-written files already score (but one they score\n"
                "# only through a stem of the other sign).  valence = %g x log-odds, clipped to +-%g,\n"
                "# |valence| >= %g.  Strongest z first.\n"
                "term\tvalence\n",
                lang == HM_LANG_FR ? "French" : "English", lang == HM_LANG_FR ? "fr" : "en",
                sources, alpha0, min_df, min_z, min_sources, min_share, min_src_df, max_against,
                scale, clip, min_val);
        int k = 0;
        for (size_t i = 0; i < nc && k < max; i++) {
            double v = scale * cs[i].delta;
            if (v > clip)
                v = clip;
            if (v < -clip)
                v = -clip;
            v = round(v * 10) / 10;
            if (fabs(v) < min_val - 1e-9)
                continue;
            fprintf(f, "%s\t%.1f\n", cs[i].w, v);
            nstem += cs[i].stem;
            k++;
        }
        if (fclose(f)) {
            fprintf(stderr, "humeur induce: cannot write %s\n", out);
            status = EXIT_IO;
        } else
            fprintf(stderr,
                    "humeur induce: %s: %d entries (%ld correct a stem match); left out: %ld names, "
                    "%ld unstable across sources, %ld already scored\n",
                    out, k, nstem, nnames, nunstable, nknown);
    }
    for (size_t i = 0; i < c.n; i++)
        free(c.v[i].w);
    for (size_t i = 0; i < excl.n; i++)
        free(excl.w[i]);
    free(excl.w);
    free(c.v);
    free(c.tab);
    free(c.seen);
    free(cs);
    hm_analyzer_free(c.a);
    hm_engine_close(e);
    return status;
}
