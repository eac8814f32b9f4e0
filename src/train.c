/*
 * train.c — humeur's own trainer: naive Bayes-weighted logistic regression
 * (NB-LR, after Wang & Manning's NBSVM) with a calibrated blend.
 *
 * 1. Each post goes through the engine's pipeline; its binarized features and
 *    its lexicon figures are kept.
 * 2. Posts of long_from tokens or more (long reviews) and shorter ones (tweets,
 *    one-line reviews) get their own weights: a feature is keyed by the
 *    post's length domain, and each training post also teaches the other
 *    domain at a fraction (domain_share) of its weight.
 * 3. Per head (negative, neutral, positive one-vs-rest; complaint), naive Bayes
 *    log-count ratios r(f) are computed on the training posts.
 * 4. Per head, a logistic regression on x * r is fitted by SGD, starting from
 *    w = 1 (exactly naive Bayes) and regularized towards 1: with little
 *    evidence a weight stays naive Bayes, with much it becomes discriminative.
 *    Class weights balance the classes.
 * 5. On dev posts, a multinomial logistic blend of the heads' logits and the
 *    lexicon's features gives calibrated probabilities; per length domain,
 *    decision biases are tuned for the metric each source's dev rows are judged
 *    by (accuracy, macro-F1 or macro-recall; the mean over sources is
 *    maximized).  The polarity heads' step and L2 pull are chosen on the same
 *    figure.  Then the complaint head's, with a logistic complaint blend and a
 *    decision threshold, on the F1 of complaints (out-of-fold on dev).
 * 6. Weights W(f) = w(f) r(f) below a threshold are pruned; the rest go to an
 *    open-addressing table with int16 weights.
 * Everything is deterministic: arrays in insertion order, a seeded xorshift.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct doc {
    size_t off;          /* into feats */
    uint32_t n;
    int8_t pol;          /* 0 neg, 1 neu, 2 pos, -1 none */
    int8_t cmp;          /* 0/1, -1 none */
    uint8_t dev, question, social;
    uint8_t domain;      /* 0 short, 1 long (the keys in feats are the domain's) */
    uint8_t copy;        /* a training post's copy in the other domain */
    uint16_t group;      /* the source the post came from */
    float weight;
    float lex[4];        /* lexicon score, pos, neg, cue_total */
    uint32_t ntoks;
    int nhits;           /* lexicon hits */
    float maxcat;        /* the strongest category's cue weight */
} doc;

struct hm_trainer {
    const hm_engine *e;
    int group;
    int balanced;
    hm_analyzer *a;
    int lang;
    doc *docs;
    size_t ndocs, dcap;
    uint64_t *feats;     /* per doc, then remapped to feature indices */
    size_t nfeats, fcap;
    /* fitted model */
    int fitted;
    size_t nkeep;
    uint64_t *keys;      /* kept features */
    float *W;            /* nkeep x HM_NOUT */
    float bias[HM_NOUT];
    float blend[3][HM_NBLEND + 1];
    float cblend[HM_NCBLEND + 1];
    uint32_t flags;
    float info[8];
    uint32_t long_from;  /* 0: one domain */
    float dbias[2][3];
    float cthresh;
    uint8_t metric[1024];   /* per source: HM_METRIC_* of its dev rows */
    double score[1024];     /* per source: that figure after the fit, NAN for none */
};

hm_trainer *hm_trainer_new(const hm_engine *e, int lang, hm_status *st)
{
    if (!e || (lang != HM_LANG_FR && lang != HM_LANG_EN)) {
        hm_set_status(st, HM_EINVAL, "trainer needs an engine and the language fr or en");
        return NULL;
    }
    hm_trainer *t = calloc(1, sizeof *t);
    if (!t) {
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return NULL;
    }
    t->e = e;
    t->lang = lang == HM_LANG_FR ? LANG_FR : LANG_EN;

    t->a = hm_analyzer_new(e, st);
    if (!t->a) {
        free(t);
        return NULL;
    }
    return t;
}

void hm_trainer_free(hm_trainer *t)
{
    if (!t)
        return;
    hm_analyzer_free(t->a);
    free(t->docs);
    free(t->feats);
    free(t->keys);
    free(t->W);
    free(t);
}

/* The other-domain copies of an earlier fit (always last) go. */
static void drop_copies(hm_trainer *t)
{
    while (t->ndocs && t->docs[t->ndocs - 1].copy)
        t->nfeats = t->docs[--t->ndocs].off;
}

int hm_trainer_add(hm_trainer *t, const char *text, size_t len, int polarity, int complaint,
                   int dev, double weight)
{
    if (!t || (!text && len) || !(weight > 0))
        return HM_EINVAL;
    if (polarity != HM_NO_LABEL && (polarity < -1 || polarity > 1))
        return HM_EINVAL;
    if (polarity == HM_NO_LABEL && complaint < 0)
        return HM_EINVAL;
    drop_copies(t);
    if (len > t->e->max_text)
        len = t->e->max_text;
    hm_lexscore ls;
    double conf;
    int rc = hm_pipeline(t->a, text ? text : "", len, t->lang == LANG_FR ? HM_LANG_FR : HM_LANG_EN,
                         &ls, &conf);
    if (!rc)
        rc = hm_features(t->a, &t->a->fb);
    if (rc)
        return rc;
    size_t n = hm_features_unique(t->a->fb.f, t->a->fb.n);
    if (t->ndocs == t->dcap) {
        size_t nc = t->dcap ? t->dcap * 2 : 4096;
        doc *d = realloc(t->docs, nc * sizeof *d);
        if (!d)
            return HM_ENOMEM;
        t->docs = d;
        t->dcap = nc;
    }
    if (t->nfeats + n > t->fcap) {
        size_t nc = t->fcap ? t->fcap : (1u << 20);
        while (nc < t->nfeats + n)
            nc *= 2;
        uint64_t *f = realloc(t->feats, nc * sizeof *f);
        if (!f)
            return HM_ENOMEM;
        t->feats = f;
        t->fcap = nc;
    }
    memcpy(t->feats + t->nfeats, t->a->fb.f, n * sizeof *t->feats);
    doc *d = &t->docs[t->ndocs++];
    memset(d, 0, sizeof *d);
    d->off = t->nfeats;
    d->n = (uint32_t)n;
    t->nfeats += n;
    d->pol = (int8_t)(polarity == HM_NO_LABEL ? -1 : polarity + 1);
    d->cmp = (int8_t)(complaint < 0 ? -1 : complaint ? 1 : 0);
    d->dev = dev ? 1 : 0;
    d->group = (uint16_t)t->group;
    d->weight = (float)weight;
    d->lex[0] = (float)ls.score;
    d->lex[1] = (float)ls.pos;
    d->lex[2] = (float)ls.neg;
    d->lex[3] = (float)t->a->cat.cue_total;
    d->ntoks = (uint32_t)t->a->tb.ntoks;
    d->nhits = ls.nhits;
    d->maxcat = (float)hm_cat_max(&t->a->cat, &t->e->cats);
    d->social = (uint8_t)hm_is_social(&t->a->tb);
    for (size_t i = 0; i < t->a->tb.ntoks; i++)
        d->question |= t->a->tb.toks[i].punct_q != 0;
    t->fitted = 0;
    return 0;
}

/* ---------- u64 -> index table ---------- */

typedef struct idx_tab {
    uint64_t *k;
    uint32_t *v;
    size_t cap, n;
} idx_tab;

static int tab_init(idx_tab *t, size_t expect)
{
    size_t cap = 1024;
    while (cap < expect * 2)
        cap *= 2;
    t->k = calloc(cap, sizeof *t->k);
    t->v = malloc(cap * sizeof *t->v);
    t->cap = cap;
    t->n = 0;
    return t->k && t->v ? 0 : HM_ENOMEM;
}

static uint32_t *tab_slot(idx_tab *t, uint64_t key, int *isnew)
{
    uint64_t k = key | 1; /* 0 marks an empty slot */
    size_t j = (size_t)(k ^ (k >> 29)) & (t->cap - 1);
    while (t->k[j]) {
        if (t->k[j] == k) {
            *isnew = 0;
            return &t->v[j];
        }
        j = (j + 1) & (t->cap - 1);
    }
    t->k[j] = k;
    t->n++;
    *isnew = 1;
    return &t->v[j];
}

static void tab_free(idx_tab *t)
{
    free(t->k);
    free(t->v);
}

/* ---------- helpers ---------- */


static uint64_t xs_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static double sigmoid(double z) { return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z)); }

/* Multinomial (k = 3) or binary (k = 1) logistic regression by gradient descent
 * on standardized inputs; weights folded back to raw inputs.  w: k x (d + 1). */
static void fit_logistic(const double *X, const int *y, const double *wt, size_t n, int d, int k,
                         double l2, float *wout)
{
    double *mu = calloc((size_t)d, sizeof *mu), *sd = calloc((size_t)d, sizeof *sd);
    double *W = calloc((size_t)k * (size_t)(d + 1), sizeof *W);
    double *G = calloc((size_t)k * (size_t)(d + 1), sizeof *G);
    double tw = 0;
    for (size_t i = 0; i < n; i++)
        tw += wt[i];
    for (int j = 0; j < d; j++) {
        for (size_t i = 0; i < n; i++)
            mu[j] += wt[i] * X[i * (size_t)d + (size_t)j];
        mu[j] /= tw;
        for (size_t i = 0; i < n; i++) {
            double v = X[i * (size_t)d + (size_t)j] - mu[j];
            sd[j] += wt[i] * v * v;
        }
        sd[j] = sqrt(sd[j] / tw);
        if (sd[j] < 1e-9)
            sd[j] = 1;
    }
    int K = k == 1 ? 1 : k;
    double lr = 0.5;
    for (int it = 0; it < 800; it++) {
        memset(G, 0, (size_t)K * (size_t)(d + 1) * sizeof *G);
        for (size_t i = 0; i < n; i++) {
            double xs[32];
            for (int j = 0; j < d; j++)
                xs[j] = (X[i * (size_t)d + (size_t)j] - mu[j]) / sd[j];
            xs[d] = 1;
            if (K == 1) {
                double z = 0;
                for (int j = 0; j <= d; j++)
                    z += W[j] * xs[j];
                double g = (sigmoid(z) - y[i]) * wt[i];
                for (int j = 0; j <= d; j++)
                    G[j] += g * xs[j];
            } else {
                double z[3] = {0, 0, 0}, p[3];
                for (int c = 0; c < 3; c++)
                    for (int j = 0; j <= d; j++)
                        z[c] += W[c * (d + 1) + j] * xs[j];
                hm_softmax3(z, p);
                for (int c = 0; c < 3; c++) {
                    double g = (p[c] - (y[i] == c)) * wt[i];
                    for (int j = 0; j <= d; j++)
                        G[c * (d + 1) + j] += g * xs[j];
                }
            }
        }
        for (int c = 0; c < K; c++)
            for (int j = 0; j <= d; j++) {
                double g = G[c * (d + 1) + j] / tw + (j < d ? l2 * W[c * (d + 1) + j] : 0);
                W[c * (d + 1) + j] -= lr * g;
            }
    }
    /* fold standardization: z = sum w_j (x_j - mu_j)/sd_j + b */
    for (int c = 0; c < K; c++) {
        double b = W[c * (d + 1) + d];
        for (int j = 0; j < d; j++) {
            double wj = W[c * (d + 1) + j] / sd[j];
            wout[c * (d + 1) + j] = (float)wj;
            b -= wj * mu[j];
        }
        wout[c * (d + 1) + d] = (float)b;
    }
    free(mu);
    free(sd);
    free(W);
    free(G);
}

/* Calibrated probabilities of a blend (as hm_blend_probs does for a model). */
static void blend_apply(const float blend[3][HM_NBLEND + 1], const double x[HM_NBLEND], double p[3])
{
    double z[3];
    for (int c = 0; c < 3; c++) {
        z[c] = blend[c][HM_NBLEND];
        for (int j = 0; j < HM_NBLEND; j++)
            z[c] += blend[c][j] * x[j];
    }
    hm_softmax3(z, p);
}

/* ---------- fit ---------- */

typedef struct fitctx {
    size_t nf;            /* features */
    float *r;             /* nf x HM_NOUT naive Bayes ratios */
    float *w;             /* nf x HM_NOUT LR weights (on x * r) */
    double b[HM_NOUT];
} fitctx;

static void heads_scores(const hm_trainer *t, const fitctx *fc, const doc *d, const uint32_t *fi,
                         double s[HM_NOUT])
{
    double acc[HM_NOUT] = {0};
    for (uint32_t i = 0; i < d->n; i++) {
        uint32_t f = fi[d->off + i];
        if (f == UINT32_MAX)
            continue;
        const float *r = fc->r + (size_t)f * HM_NOUT, *w = fc->w + (size_t)f * HM_NOUT;
        for (int c = 0; c < HM_NOUT; c++)
            acc[c] += (double)r[c] * w[c];
    }
    double norm = d->n ? 1.0 / sqrt((double)d->n) : 1.0;
    for (int c = 0; c < HM_NOUT; c++)
        s[c] = fc->b[c] + acc[c] * norm;
    (void)t;
}

/* SGD for one head.  The step is lr / E|x|^2 (the mean squared norm of the
 * head's inputs over its training posts), so that one lr suits heads and
 * languages whose ratios r(f) differ in scale. */
static void sgd_head(const hm_trainer *t, fitctx *fc, const uint32_t *fi, int head, double lr,
                     double l2, int epochs, unsigned seed, const double *cw)
{
    size_t nd = 0;
    size_t *order = malloc(t->ndocs * sizeof *order);
    if (!order)
        return;
    double sx[2] = {0, 0}, sn[2] = {0, 0};
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (d->dev)
            continue;
        if (head < 3 ? d->pol < 0 : d->cmp < 0)
            continue;
        order[nd++] = i;
        double q = 0;
        for (uint32_t k = 0; k < d->n; k++) {
            uint32_t f = fi[d->off + k];
            if (f != UINT32_MAX) {
                double r = fc->r[(size_t)f * HM_NOUT + head];
                q += r * r;
            }
        }
        sx[d->domain] += d->n ? q / d->n : 0;
        sn[d->domain] += 1;
    }
    uint64_t rs = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed * 0x2545F4914F6CDD1DULL) ^ (uint64_t)head;
    if (!rs)
        rs = 1;
    double lrd[2];
    for (int dm = 0; dm < 2; dm++) {
        double all = (sx[0] + sx[1]) / (sn[0] + sn[1] > 0 ? sn[0] + sn[1] : 1);
        lrd[dm] = lr / (all > 0 ? all : 1.0);
    }
    size_t step = 0;
    for (int ep = 0; ep < epochs; ep++) {
        for (size_t i = nd; i > 1; i--) {
            size_t j = (size_t)(xs_next(&rs) % i);
            size_t tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        for (size_t ii = 0; ii < nd; ii++, step++) {
            const doc *d = &t->docs[order[ii]];
            int y = head < 3 ? d->pol == head : d->cmp == 1;
            /* inputs are r(f) / sqrt(n): long posts do not outweigh short ones */
            double norm = d->n ? 1.0 / sqrt((double)d->n) : 1.0;
            double z = 0;
            for (uint32_t k = 0; k < d->n; k++) {
                uint32_t f = fi[d->off + k];
                if (f != UINT32_MAX)
                    z += (double)fc->r[(size_t)f * HM_NOUT + head] * fc->w[(size_t)f * HM_NOUT + head];
            }
            z = fc->b[head] + z * norm;
            double g = (sigmoid(z) - y) * d->weight * cw[y];
            double lrt = lrd[d->domain] / (1.0 + 4.0 * (double)step / (double)(nd ? nd : 1));
            fc->b[head] -= lrt * g;
            for (uint32_t k = 0; k < d->n; k++) {
                uint32_t f = fi[d->off + k];
                if (f == UINT32_MAX)
                    continue;
                float *w = &fc->w[(size_t)f * HM_NOUT + head];
                double r = fc->r[(size_t)f * HM_NOUT + head];
                *w -= (float)(lrt * (g * r * norm + l2 * (*w - 1.0)));
            }
        }
    }
    free(order);
}

/* ---------- dev figures ---------- */

/* The dev posts with a polarity label, their blend probabilities, and per
 * source (group) the metric its rows are judged by.  A source with no neutral
 * gold is binary: a neutral decision counts by the sign of p(pos) - p(neg), as
 * `humeur eval` counts it. */
typedef struct devrow {
    double p[3];
    int8_t gold;
    uint8_t dom;
    uint16_t src;        /* compact index of the source */
} devrow;

typedef struct devset {
    devrow *rows;
    size_t n;
    int nsrc;
    int group[1024];
    uint8_t metric[1024], binary[1024];
    long *conf;          /* nsrc x 9 */
    double *per;         /* nsrc: the last figures */
} devset;

static void devset_free(devset *ds)
{
    free(ds->rows);
    free(ds->conf);
    free(ds->per);
}

static int devset_init(devset *ds, const hm_trainer *t)
{
    memset(ds, 0, sizeof *ds);
    int map[1024];
    for (int g = 0; g < 1024; g++)
        map[g] = -1;
    size_t n = 0;
    for (size_t i = 0; i < t->ndocs; i++)
        n += t->docs[i].dev && t->docs[i].pol >= 0;
    ds->rows = malloc((n + 1) * sizeof *ds->rows);
    if (!ds->rows)
        return HM_ENOMEM;
    int hasneu[1024] = {0};
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (!d->dev || d->pol < 0)
            continue;
        if (map[d->group] < 0) {
            map[d->group] = ds->nsrc;
            ds->group[ds->nsrc] = d->group;
            ds->metric[ds->nsrc] = t->metric[d->group];
            ds->nsrc++;
        }
        devrow *r = &ds->rows[ds->n++];
        r->gold = d->pol;
        r->dom = d->domain;
        r->src = (uint16_t)map[d->group];
        hasneu[r->src] |= d->pol == 1;
    }
    for (int k = 0; k < ds->nsrc; k++)
        ds->binary[k] = !hasneu[k];
    ds->conf = calloc((size_t)ds->nsrc * 9 + 1, sizeof *ds->conf);
    ds->per = calloc((size_t)ds->nsrc + 1, sizeof *ds->per);
    return ds->conf && ds->per ? 0 : HM_ENOMEM;
}

static double metric_of(const long *cf, int binary, int metric)
{
    long n = 0, ok = 0;
    double f1 = 0, rec = 0;
    int nc = 0;
    for (int c = 0; c < 3; c++) {
        long g = cf[c * 3] + cf[c * 3 + 1] + cf[c * 3 + 2];
        long p = cf[c] + cf[3 + c] + cf[6 + c];
        n += g;
        ok += cf[c * 3 + c];
        if (binary && c == 1)
            continue;
        double P = p ? (double)cf[c * 3 + c] / (double)p : 0, R = g ? (double)cf[c * 3 + c] / (double)g : 0;
        f1 += P + R > 0 ? 2 * P * R / (P + R) : 0;
        rec += R;
        nc++;
    }
    if (!n)
        return 0;
    if (metric == HM_METRIC_MACRO_F1)
        return f1 / nc;
    if (metric == HM_METRIC_MACRO_RECALL)
        return rec / nc;
    return (double)ok / (double)n;
}

/* The mean over sources of their metric, with decision biases b. */
static double devset_score(devset *ds, const float b[2][3])
{
    if (!ds->nsrc)
        return 0;
    memset(ds->conf, 0, (size_t)ds->nsrc * 9 * sizeof *ds->conf);
    for (size_t i = 0; i < ds->n; i++) {
        const devrow *r = &ds->rows[i];
        int pred = hm_decide(r->p, b[r->dom]);
        if (pred == 1 && ds->binary[r->src])
            pred = r->p[2] - r->p[0] >= 0 ? 2 : 0;
        ds->conf[(size_t)r->src * 9 + (size_t)r->gold * 3 + (size_t)pred]++;
    }
    double sum = 0;
    for (int k = 0; k < ds->nsrc; k++) {
        ds->per[k] = metric_of(ds->conf + (size_t)k * 9, ds->binary[k], ds->metric[k]);
        sum += ds->per[k];
    }
    return sum / ds->nsrc;
}

/* Decision biases per domain (negative and positive against neutral), on a
 * grid, by coordinate ascent on the dev score; a cost per unit of bias (a
 * bias must buy 0.005 of the score per unit) keeps them at 0 where they only
 * fit the dev rows' class mix. */
#define BIAS_COST 0.005

static double tune_biases(devset *ds, float b[2][3])
{
    memset(b, 0, sizeof(float) * 6);
    int has[2] = {0, 0};
    for (size_t i = 0; i < ds->n; i++)
        has[ds->rows[i].dom] = 1;
    double best = devset_score(ds, (const float(*)[3])b);
    for (int pass = 0; pass < 2; pass++)
        for (int dm = 0; dm < 2; dm++) {
            if (!has[dm])
                continue;
            float keep[3] = {b[dm][0], b[dm][1], b[dm][2]};
            double bestv = best - BIAS_COST * (fabsf(keep[0]) + fabsf(keep[2]));
            for (int i0 = -20; i0 <= 20; i0++)
                for (int i2 = -20; i2 <= 20; i2++) {
                    b[dm][0] = (float)i0 / 10.0f;
                    b[dm][2] = (float)i2 / 10.0f;
                    double v = devset_score(ds, (const float(*)[3])b);
                    double pen = v - BIAS_COST * (fabsf(b[dm][0]) + fabsf(b[dm][2]));
                    if (pen > bestv + 1e-12) {
                        bestv = pen;
                        best = v;
                        keep[0] = b[dm][0];
                        keep[2] = b[dm][2];
                    }
                }
            b[dm][0] = keep[0];
            b[dm][2] = keep[2];
        }
    return devset_score(ds, (const float(*)[3])b);
}

static double f1_at(const double *p, const int8_t *y, size_t n, double th)
{
    long tp = 0, fp = 0, fn = 0;
    for (size_t k = 0; k < n; k++) {
        int pc = p[k] >= th;
        tp += pc && y[k];
        fp += pc && !y[k];
        fn += !pc && y[k];
    }
    return tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0;
}

/* F1 of the complaint class at the threshold that maximizes it (averaged over
 * a window of +-0.02, so that one lucky post does not set it). */
static double tune_threshold(const double *p, const int8_t *y, size_t n, double *thr)
{
    double f[61];
    for (int i = 0; i <= 60; i++) {
        f[i] = f1_at(p, y, n, 0.2 + 0.01 * i);
    }
    double best = -1;
    *thr = 0.5;
    /* from 0.5 outwards: ties keep the threshold nearest 0.5 */
    for (int k = 0; k <= 60; k++) {
        int i = 30 + (k % 2 ? (k + 1) / 2 : -(k / 2));
        if (i < 2 || i > 58)
            continue;
        double v = (f[i - 2] + f[i - 1] + f[i] + f[i + 1] + f[i + 2]) / 5;
        if (v > best + 1e-12) {
            best = v;
            *thr = 0.2 + 0.01 * i;
        }
    }
    int i = (int)lround((*thr - 0.2) / 0.01);
    return f[i];
}

typedef struct devscore {
    double acc, macro_f1, nb_acc, lex_acc, ece, cf1;
} devscore;

static void post_inputs(const doc *d, const double s[HM_NOUT], double x[HM_NBLEND])
{
    hm_lexscore ls = {d->lex[1] - d->lex[2], d->lex[0], d->lex[1], d->lex[2], d->nhits};
    hm_blend_inputs(s, &ls, d->lex[3], d->ntoks, d->social, x);
}

/* The complaint probability of a post as the engine gives it: the complaint
 * blend, then the category cues (hm_complaint_combine). */
static double post_complaint(const doc *d, const double s[HM_NOUT], const double pb[3],
                             const float *cblend)
{
    hm_lexscore ls = {d->lex[1] - d->lex[2], d->lex[0], d->lex[1], d->lex[2], d->nhits};
    double x[HM_NCBLEND];
    hm_complaint_inputs(s, pb, &ls, d->lex[3], d->question, x);
    double z = cblend[HM_NCBLEND];
    for (int j = 0; j < HM_NCBLEND; j++)
        z += cblend[j] * x[j];
    return hm_complaint_combine(sigmoid(z), d->maxcat, pb[2] - pb[0], pb);
}

/* Pooled dev figures of a fitted model, for the report. */
static void evaluate_dev(const hm_trainer *t, const fitctx *fc, const uint32_t *fi,
                         const float blend[3][HM_NBLEND + 1], const float dbias[2][3],
                         const float *cblend, double cthresh, devscore *out)
{
    long conf[3][3] = {{0}};
    long nbok = 0, lexok = 0, n = 0;
    double ece_c[10] = {0}, ece_a[10] = {0};
    long ece_n[10] = {0};
    long tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (!d->dev)
            continue;
        double s[HM_NOUT], x[HM_NBLEND], p[3];
        heads_scores(t, fc, d, fi, s);
        post_inputs(d, s, x);
        blend_apply(blend, x, p);
        if (d->pol >= 0) {
            int pred = hm_decide(p, dbias[d->domain]);
            int top = hm_decide(p, (const float[3]){0, 0, 0});
            conf[d->pol][pred]++;
            n++;
            int nbp = s[0] >= s[1] && s[0] >= s[2] ? 0 : s[2] > s[1] ? 2 : 1;
            nbok += nbp == d->pol;
            int lp = d->lex[0] >= 0.05 ? 2 : d->lex[0] <= -0.05 ? 0 : 1;
            lexok += lp == d->pol;
            /* calibration: of the most probable class */
            double pm = fmax(p[0], fmax(p[1], p[2]));
            int b = (int)(pm * 10);
            if (b > 9)
                b = 9;
            ece_n[b]++;
            ece_c[b] += pm;
            ece_a[b] += top == d->pol;
        }
        if (d->cmp >= 0 && cblend) {
            int pc = post_complaint(d, s, p, cblend) >= cthresh;
            tp += pc && d->cmp;
            fp += pc && !d->cmp;
            fn += !pc && d->cmp;
        }
    }
    memset(out, 0, sizeof *out);
    if (n) {
        long ok = conf[0][0] + conf[1][1] + conf[2][2];
        out->acc = (double)ok / (double)n;
        out->nb_acc = (double)nbok / (double)n;
        out->lex_acc = (double)lexok / (double)n;
        out->macro_f1 = metric_of(&conf[0][0], 0, HM_METRIC_MACRO_F1);
        for (int b = 0; b < 10; b++)
            if (ece_n[b])
                out->ece += fabs(ece_a[b] - ece_c[b]) / (double)n;
    }
    out->cf1 = tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0;
}

/* The polarity blend: a multinomial logistic model on the dev posts.  With
 * rows, the dev rows also get out-of-fold probabilities (5 folds), the
 * figures the settings and decision biases are tuned on: the blend is fitted
 * on these same posts. */
static void fit_blend(const hm_trainer *t, const fitctx *fc, const uint32_t *fi,
                      float blend[3][HM_NBLEND + 1], devrow *rows)
{
    size_t n = 0;
    for (size_t i = 0; i < t->ndocs; i++)
        n += t->docs[i].dev && t->docs[i].pol >= 0;
    double *X = malloc((n + 1) * HM_NBLEND * sizeof *X), *wt = malloc((n + 1) * sizeof *wt);
    int *y = malloc((n + 1) * sizeof *y);
    memset(blend, 0, sizeof(float) * 3 * (HM_NBLEND + 1));
    size_t k = 0;
    for (size_t i = 0; X && wt && y && i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (!d->dev || d->pol < 0)
            continue;
        double s[HM_NOUT];
        heads_scores(t, fc, d, fi, s);
        post_inputs(d, s, X + k * HM_NBLEND);
        y[k] = d->pol;
        wt[k] = d->weight;
        k++;
    }
    if (k >= 10)
        fit_logistic(X, y, wt, k, HM_NBLEND, 3, 1e-3, &blend[0][0]);
    double *wf = rows && k >= 10 ? malloc(k * sizeof *wf) : NULL;
    for (int fold = 0; wf && fold < 5; fold++) {
        float fb[3][HM_NBLEND + 1];
        for (size_t j = 0; j < k; j++)
            wf[j] = (int)(j % 5) == fold ? 0 : wt[j];
        fit_logistic(X, y, wf, k, HM_NBLEND, 3, 1e-3, &fb[0][0]);
        for (size_t j = (size_t)fold; j < k; j += 5)
            blend_apply((const float(*)[HM_NBLEND + 1])fb, X + j * HM_NBLEND, rows[j].p);
    }
    for (size_t j = 0; rows && !wf && j < k; j++)
        blend_apply((const float(*)[HM_NBLEND + 1])blend, X + j * HM_NBLEND, rows[j].p);
    free(wf);
    free(X); free(wt); free(y);
}

/* The complaint blend reads the calibrated polarity: fitted once the polarity
 * blend is.  Returns 1 when fitted (10 or more dev posts with a complaint
 * label); p and y get the dev posts' complaint probabilities and labels. */
static int fit_cblend(const hm_trainer *t, const fitctx *fc, const uint32_t *fi,
                      const float blend[3][HM_NBLEND + 1], float *cblend, double *pout,
                      int8_t *yout, size_t *nout)
{
    size_t n = 0;
    for (size_t i = 0; i < t->ndocs; i++)
        n += t->docs[i].dev && t->docs[i].cmp >= 0;
    double *XC = malloc((n + 1) * HM_NCBLEND * sizeof *XC), *wc = malloc((n + 1) * sizeof *wc);
    int *yc = malloc((n + 1) * sizeof *yc);
    memset(cblend, 0, sizeof(float) * (HM_NCBLEND + 1));
    size_t k = 0;
    for (size_t i = 0; XC && wc && yc && i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (!d->dev || d->cmp < 0)
            continue;
        double s[HM_NOUT], xb[HM_NBLEND], pb[3];
        heads_scores(t, fc, d, fi, s);
        post_inputs(d, s, xb);
        blend_apply(blend, xb, pb);
        hm_lexscore ls = {d->lex[1] - d->lex[2], d->lex[0], d->lex[1], d->lex[2], d->nhits};
        hm_complaint_inputs(s, pb, &ls, d->lex[3], d->question, XC + k * HM_NCBLEND);
        yc[k] = d->cmp;
        wc[k] = d->weight;
        k++;
    }
    int ok = k >= 10;
    /* the figures the threshold is tuned on are out-of-fold (5 folds): the
     * blend is fitted on the same few posts */
    double *wf = malloc((k + 1) * sizeof *wf);
    float fb[HM_NCBLEND + 1];
    *nout = 0;
    for (int fold = 0; ok && wf && fold < 5; fold++) {
        for (size_t j = 0; j < k; j++)
            wf[j] = (int)(j % 5) == fold ? 0 : wc[j];
        fit_logistic(XC, yc, wf, k, HM_NCBLEND, 1, 1e-3, fb);
        size_t j = 0;
        for (size_t i = 0; i < t->ndocs; i++) {
            const doc *d = &t->docs[i];
            if (!d->dev || d->cmp < 0)
                continue;
            if ((int)(j % 5) == fold) {
                double s[HM_NOUT], xb[HM_NBLEND], pb[3];
                heads_scores(t, fc, d, fi, s);
                post_inputs(d, s, xb);
                blend_apply(blend, xb, pb);
                pout[j] = post_complaint(d, s, pb, fb);
                yout[j] = d->cmp;
            }
            j++;
        }
        *nout = k;
    }
    if (ok)
        fit_logistic(XC, yc, wc, k, HM_NCBLEND, 1, 1e-3, cblend);
    free(wf);
    free(XC); free(wc); free(yc);
    return ok;
}

int hm_trainer_set_group(hm_trainer *t, int group)
{
    if (!t || group < 0 || group >= 1024)
        return HM_EINVAL;
    t->group = group;
    return 0;
}

int hm_trainer_set_metric(hm_trainer *t, int metric)
{
    if (!t || metric < HM_METRIC_ACCURACY || metric > HM_METRIC_MACRO_RECALL)
        return HM_EINVAL;
    t->metric[t->group] = (uint8_t)metric;
    return 0;
}

double hm_trainer_dev_score(const hm_trainer *t, int group)
{
    if (!t || !t->fitted || group < 0 || group >= 1024)
        return NAN;
    return t->score[group];
}

/* Sources of very different sizes: rescale each source's weights so that its
 * total is (mean total / its total)^gamma times its own (gamma 0: as given,
 * 1: every source weighs the same).  Train and dev rows separately. */
static void balance_groups(hm_trainer *t, double gamma)
{
    if (gamma <= 0)
        return;
    for (int part = 0; part < 2; part++) {
        double tot[1024] = {0};
        int used = 0;
        for (size_t i = 0; i < t->ndocs; i++)
            if (t->docs[i].dev == part)
                tot[t->docs[i].group] += t->docs[i].weight;
        double mean = 0;
        for (int g = 0; g < 1024; g++)
            if (tot[g] > 0) {
                mean += tot[g];
                used++;
            }
        if (used < 2)
            continue;
        mean /= used;
        for (size_t i = 0; i < t->ndocs; i++)
            if (t->docs[i].dev == part)
                t->docs[i].weight *= (float)pow(mean / tot[t->docs[i].group], gamma);
    }
}

/* Two domains, short and long posts (tweets and one-line reviews are not
 * written like long reviews): a post's features are keyed by its domain, and
 * each training post also teaches the other domain at `share` of its weight
 * (0: two separate models, 1: one model twice). */
static int expand_domains(hm_trainer *t, uint32_t long_from, double share)
{
    drop_copies(t);
    t->long_from = long_from;
    size_t n0 = t->ndocs, xd = 0, xf = 0;
    for (size_t i = 0; i < n0; i++)
        t->docs[i].domain = long_from && t->docs[i].ntoks >= long_from;
    if (!long_from)
        return 0;
    for (size_t i = 0; i < n0; i++) {
        if (share > 0 && !t->docs[i].dev) {
            xd++;
            xf += t->docs[i].n;
        }
    }
    if (xd) {
        doc *d = realloc(t->docs, (n0 + xd) * sizeof *d);
        if (!d)
            return HM_ENOMEM;
        t->docs = d;
        t->dcap = n0 + xd;
        uint64_t *f = realloc(t->feats, (t->nfeats + xf) * sizeof *f);
        if (!f)
            return HM_ENOMEM;
        t->feats = f;
        t->fcap = t->nfeats + xf;
        for (size_t i = 0; i < n0; i++) {
            if (t->docs[i].dev)
                continue;
            doc *c = &t->docs[t->ndocs++];
            *c = t->docs[i];
            c->copy = 1;
            c->domain = !c->domain;
            c->weight = (float)(c->weight * share);
            c->off = t->nfeats;
            memcpy(t->feats + t->nfeats, t->feats + t->docs[i].off, c->n * sizeof *t->feats);
            t->nfeats += c->n;
        }
    }
    return 0;
}

int hm_trainer_fit(hm_trainer *t, const hm_train_opts *o, hm_train_report *rep, hm_status *st)
{
    hm_train_opts def;
    memset(&def, 0, sizeof def);
    if (!o)
        o = &def;
    if (!t) {
        hm_set_status(st, HM_EINVAL, "trainer is NULL");
        return HM_EINVAL;
    }
    unsigned seed = o->seed ? o->seed : 1;
    int epochs = o->epochs > 0 ? o->epochs : 8;
    double alpha = o->alpha > 0 ? o->alpha : 1.0;
    int min_count = o->min_count > 0 ? o->min_count : 2;
    double prune = o->prune > 0 ? o->prune : 1e-3;
    hm_train_report r;
    memset(&r, 0, sizeof r);
    if (!t->balanced) {
        balance_groups(t, o->group_balance > 0 ? o->group_balance : 0.5);
        t->balanced = 1;
    }
    uint32_t long_from = o->long_from < 0 ? 0 : o->long_from > 0 ? (uint32_t)o->long_from : 48;
    double share = o->domain_share < 0 ? 0 : o->domain_share > 0 ? o->domain_share : 0.2;
    if (expand_domains(t, long_from, share)) {
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return HM_ENOMEM;
    }
    size_t ntr = 0, ndev = 0;
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (d->copy)
            continue;
        if (d->pol >= 0)
            *(d->dev ? &ndev : &ntr) += 1;
        if (d->cmp >= 0)
            *(d->dev ? &r.ncomplaint_dev : &r.ncomplaint_train) += 1;
    }
    r.ntrain = ntr;
    r.ndev = ndev;
    if (ntr < 10) {
        hm_set_status(st, HM_EDATA, "too few training posts with a polarity label (%zu)", ntr);
        return HM_EDATA;
    }
    /* 1. feature index and counts over training posts */
    idx_tab tab;
    if (tab_init(&tab, t->nfeats / 4 + 1024)) {
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return HM_ENOMEM;
    }
    uint32_t *fi = malloc(t->nfeats * sizeof *fi);
    uint64_t *keys = malloc(tab.cap * sizeof *keys);
    float *cnt = NULL; /* per feature: df in neg, neu, pos, complaint, not complaint, total */
    size_t nf = 0;
    int rc = fi && keys ? 0 : HM_ENOMEM;
    for (size_t i = 0; !rc && i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        for (uint32_t k = 0; k < d->n; k++) {
            int isnew;
            uint64_t key = d->domain ? hm_long_key(t->feats[d->off + k]) : t->feats[d->off + k];
            uint32_t *v = tab_slot(&tab, key, &isnew);
            if (isnew) {
                if (tab.n * 2 > tab.cap) {
                    /* grow: rebuild the table from keys */
                    idx_tab nt;
                    if (tab_init(&nt, tab.cap)) {
                        rc = HM_ENOMEM;
                        break;
                    }
                    for (size_t j = 0; j < tab.cap; j++)
                        if (tab.k[j]) {
                            int dummy;
                            *tab_slot(&nt, tab.k[j], &dummy) = tab.v[j];
                        }
                    uint64_t *nk = realloc(keys, nt.cap * sizeof *keys);
                    if (!nk) {
                        tab_free(&nt);
                        rc = HM_ENOMEM;
                        break;
                    }
                    keys = nk;
                    /* the new key was inserted in the old table: find it again */
                    tab_free(&tab);
                    tab = nt;
                    v = tab_slot(&tab, key, &isnew);
                    isnew = 1;
                }
                *v = (uint32_t)nf;
                keys[nf++] = key;
            }
            fi[d->off + k] = *v;
        }
    }
    tab_free(&tab);
    if (!rc) {
        cnt = calloc(nf * 6, sizeof *cnt);
        if (!cnt)
            rc = HM_ENOMEM;
    }
    if (rc) {
        free(fi); free(keys); free(cnt);
        hm_set_status(st, rc, "out of memory");
        return rc;
    }
    double cls_w[3] = {0}, cmp_w[2] = {0};
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (d->dev)
            continue;
        if (d->pol >= 0)
            cls_w[d->pol] += d->weight;
        if (d->cmp >= 0)
            cmp_w[d->cmp] += d->weight;
        for (uint32_t k = 0; k < d->n; k++) {
            float *c = cnt + (size_t)fi[d->off + k] * 6;
            if (d->pol >= 0)
                c[d->pol] += d->weight;
            if (d->cmp >= 0)
                c[d->cmp ? 3 : 4] += d->weight;
            c[5] += d->copy ? 0 : 1;
        }
    }
    /* 2. keep frequent features; naive Bayes ratios */
    uint32_t *remap = malloc(nf * sizeof *remap);
    size_t kept = 0;
    for (size_t f = 0; f < nf; f++)
        remap[f] = cnt[f * 6 + 5] >= (float)min_count ? (uint32_t)kept++ : UINT32_MAX;
    r.nfeatures = kept;
    for (size_t i = 0; i < t->nfeats; i++)
        fi[i] = remap[fi[i]];
    fitctx fc;
    memset(&fc, 0, sizeof fc);
    fc.nf = kept;
    fc.r = calloc(kept * HM_NOUT + 1, sizeof *fc.r);
    fc.w = calloc(kept * HM_NOUT + 1, sizeof *fc.w);
    uint64_t *kkeys = malloc((kept + 1) * sizeof *kkeys);
    double tot[6] = {0};
    for (size_t f = 0; f < nf; f++)
        if (remap[f] != UINT32_MAX)
            for (int c = 0; c < 5; c++)
                tot[c] += cnt[f * 6 + (size_t)c];
    for (size_t f = 0; f < nf; f++) {
        uint32_t g = remap[f];
        if (g == UINT32_MAX)
            continue;
        kkeys[g] = keys[f];
        const float *c = cnt + f * 6;
        double all = c[0] + c[1] + c[2], totall = tot[0] + tot[1] + tot[2];
        for (int h = 0; h < 3; h++) {
            double p = (alpha + c[h]) / (alpha * (double)kept + tot[h]);
            double q = (alpha + all - c[h]) / (alpha * (double)kept + totall - tot[h]);
            fc.r[(size_t)g * HM_NOUT + (size_t)h] = (float)log(p / q);
        }
        if (tot[3] > 0 && tot[4] > 0) {
            double p = (alpha + c[3]) / (alpha * (double)kept + tot[3]);
            double q = (alpha + c[4]) / (alpha * (double)kept + tot[4]);
            fc.r[(size_t)g * HM_NOUT + 3] = (float)log(p / q);
        }
    }
    free(remap);
    free(cnt);
    free(keys);
    /* class weights: each class weighs as if classes were balanced (clipped) */
    double ctot = cls_w[0] + cls_w[1] + cls_w[2];
    double cwv[3][2];
    for (int h = 0; h < 3; h++) {
        double pos = cls_w[h], neg = ctot - cls_w[h];
        double wpos = pos > 0 ? ctot / (2 * pos) : 1, wneg = neg > 0 ? ctot / (2 * neg) : 1;
        if (wpos > 5) wpos = 5;
        if (wneg > 5) wneg = 5;
        cwv[h][1] = wpos;
        cwv[h][0] = wneg;
    }
    double ccw[2] = {1, 1};
    if (cmp_w[0] > 0 && cmp_w[1] > 0) {
        double ct = cmp_w[0] + cmp_w[1];
        ccw[0] = ct / (2 * cmp_w[0]);
        ccw[1] = ct / (2 * cmp_w[1]);
    }
    /* 3. heads.  The polarity heads' step and L2 pull are tuned on dev (the
     * mean over sources of each one's metric, with decision biases tuned
     * too); then the complaint head's, on the F1 of complaints at the
     * threshold tuned with them. */
    static const double lr_grid[] = {1.5, 3, 6}, l2_grid[] = {1e-4, 1e-5};
    static const double clr_grid[] = {0.5, 1, 2, 4};
    int nlr = o->lr > 0 || ndev == 0 ? 1 : 3, nl2 = o->l2 > 0 || ndev == 0 ? 1 : 2;
    double best = -1, best_l2 = o->l2 > 0 ? o->l2 : 1e-4, best_lr = o->lr > 0 ? o->lr : 3;
    float *best_w = malloc((kept * HM_NOUT + 1) * sizeof *best_w);
    double best_b[HM_NOUT] = {0};
    float bblend[3][HM_NBLEND + 1];
    float bdbias[2][3];
    float bcblend[HM_NCBLEND + 1];
    double bcthresh = 0.5, bcf1 = -1, best_clr = 1, best_cl2 = best_l2;
    int bhas_c = 0;
    memset(bblend, 0, sizeof bblend);
    memset(bdbias, 0, sizeof bdbias);
    memset(bcblend, 0, sizeof bcblend);
    devset dv;
    size_t ncd = r.ncomplaint_dev;
    double *cp = malloc((ncd + 1) * sizeof *cp);
    int8_t *cy = malloc(ncd + 1);
    int dvrc = devset_init(&dv, t);
    double *bper = calloc((size_t)dv.nsrc + 1, sizeof *bper);
    if (dvrc || !bper || !best_w || !cp || !cy) {
        free(bper);
        devset_free(&dv);
        free(best_w); free(cp); free(cy); free(kkeys); free(fc.r); free(fc.w); free(fi);
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return HM_ENOMEM;
    }
    for (int li = 0; li < nlr; li++)
        for (int gi = 0; gi < nl2; gi++) {
            double lr = nlr == 1 ? best_lr : lr_grid[li], l2 = nl2 == 1 ? best_l2 : l2_grid[gi];
            for (size_t i = 0; i < kept * HM_NOUT; i++)
                fc.w[i] = 1.0f;
            for (int h = 0; h < 3; h++) {
                double p = (cls_w[h] + 1) / (ctot + 2);
                fc.b[h] = log(p / (1 - p));
                sgd_head(t, &fc, fi, h, lr, l2, epochs, seed, cwv[h]);
            }
            float blend[3][HM_NBLEND + 1], db[2][3];
            fit_blend(t, &fc, fi, blend, dv.rows);
            double score = ndev ? tune_biases(&dv, db) : 1;
            if (r.ntried < 16) {
                hm_train_trial *tr = &r.tried[r.ntried++];
                tr->complaint = 0;
                tr->lr = lr;
                tr->l2 = l2;
                tr->score = score;
            }
            if (score > best) {
                best = score;
                best_l2 = l2;
                best_lr = lr;
                memcpy(best_w, fc.w, kept * HM_NOUT * sizeof *best_w);
                memcpy(best_b, fc.b, sizeof best_b);
                memcpy(bblend, blend, sizeof bblend);
                memcpy(bdbias, db, sizeof bdbias);
                for (int k2 = 0; k2 < dv.nsrc; k2++)
                    bper[k2] = dv.per[k2];
            }
        }
    /* the chosen model; the sources' figures are its out-of-fold ones */
    memcpy(fc.w, best_w, kept * HM_NOUT * sizeof *best_w);
    memcpy(fc.b, best_b, sizeof best_b);
    r.dev_score = ndev ? best : 0;
    for (int g = 0; g < 1024; g++)
        t->score[g] = NAN;
    for (int k2 = 0; k2 < dv.nsrc; k2++)
        t->score[dv.group[k2]] = bper[k2];
    if (cmp_w[0] > 0 && cmp_w[1] > 0) {
        int ncl = o->complaint_lr > 0 || ncd == 0 ? 1 : 4, ncl2 = o->l2 > 0 || ncd == 0 ? 1 : 2;
        best_clr = o->complaint_lr > 0 ? o->complaint_lr : 1;
        for (int li = 0; li < ncl; li++)
            for (int gi = 0; gi < ncl2; gi++) {
                double lr = ncl == 1 ? best_clr : clr_grid[li];
                double l2 = ncl2 == 1 ? best_l2 : l2_grid[gi];
                for (size_t f = 0; f < kept; f++)
                    fc.w[f * HM_NOUT + 3] = 1.0f;
                fc.b[3] = log(cmp_w[1] / cmp_w[0]);
                sgd_head(t, &fc, fi, 3, lr, l2, epochs, seed, ccw);
                float cblend[HM_NCBLEND + 1];
                size_t nc = 0;
                int has_c = fit_cblend(t, &fc, fi, (const float(*)[HM_NBLEND + 1])bblend, cblend,
                                       cp, cy, &nc);
                double th = 0.5, f1 = has_c ? tune_threshold(cp, cy, nc, &th) : 0;
                if (o->complaint_threshold > 0 && o->complaint_threshold < 1) {
                    th = o->complaint_threshold;
                    f1 = f1_at(cp, cy, nc, th);
                }
                if (r.ntried < 16) {
                    hm_train_trial *tr = &r.tried[r.ntried++];
                    tr->complaint = 1;
                    tr->lr = lr;
                    tr->l2 = l2;
                    tr->score = f1;
                }
                if (f1 > bcf1) {
                    bcf1 = f1;
                    best_clr = lr;
                    best_cl2 = l2;
                    for (size_t f = 0; f < kept; f++)
                        best_w[f * HM_NOUT + 3] = fc.w[f * HM_NOUT + 3];
                    best_b[3] = fc.b[3];
                    memcpy(bcblend, cblend, sizeof bcblend);
                    bcthresh = th;
                    bhas_c = has_c;
                }
            }
        memcpy(fc.w, best_w, kept * HM_NOUT * sizeof *best_w);
        memcpy(fc.b, best_b, sizeof best_b);
    }
    devscore bds;
    evaluate_dev(t, &fc, fi, (const float(*)[HM_NBLEND + 1])bblend, (const float(*)[3])bdbias,
                 bhas_c ? bcblend : NULL, bcthresh, &bds);
    devset_free(&dv);
    free(bper);
    free(cp);
    free(cy);
    r.l2 = best_l2;
    r.lr = best_lr;
    r.complaint_lr = best_clr;
    r.complaint_l2 = best_cl2;
    r.complaint_threshold = bcthresh;
    memcpy(r.bias, bdbias, sizeof r.bias);
    r.dev_accuracy = bds.acc;
    r.dev_macro_f1 = bds.macro_f1;
    r.dev_nb_accuracy = bds.nb_acc;
    r.dev_lexicon_accuracy = bds.lex_acc;
    r.dev_ece = bds.ece;
    r.dev_complaint_f1 = bds.cf1;
    /* 4. final weights, pruned */
    free(t->keys);
    free(t->W);
    t->keys = malloc((kept + 1) * sizeof *t->keys);
    t->W = malloc((kept + 1) * HM_NOUT * sizeof *t->W);
    size_t nk = 0;
    for (size_t f = 0; f < kept; f++) {
        float W[HM_NOUT];
        float mx = 0;
        for (int c = 0; c < HM_NOUT; c++) {
            W[c] = fc.r[f * HM_NOUT + (size_t)c] * best_w[f * HM_NOUT + (size_t)c];
            if (fabsf(W[c]) > mx)
                mx = fabsf(W[c]);
        }
        if (mx < prune)
            continue;
        t->keys[nk] = kkeys[f];
        memcpy(t->W + nk * HM_NOUT, W, sizeof W);
        nk++;
    }
    t->nkeep = nk;
    r.nkept = nk;
    for (int c = 0; c < HM_NOUT; c++)
        t->bias[c] = (float)best_b[c];
    memcpy(t->blend, bblend, sizeof bblend);
    memcpy(t->cblend, bcblend, sizeof bcblend);
    memcpy(t->dbias, bdbias, sizeof bdbias);
    t->cthresh = (float)bcthresh;
    t->flags = (bhas_c ? HM_MF_COMPLAINT : 0) | HM_MF_NORM;
    t->info[0] = (float)ntr;
    t->info[1] = (float)ndev;
    t->info[2] = (float)bds.acc;
    t->info[3] = (float)bds.macro_f1;
    t->info[4] = (float)best_l2;
    t->info[5] = (float)best_lr;
    t->info[6] = (float)r.dev_score;
    t->fitted = 1;
    free(best_w);
    free(kkeys);
    free(fc.r);
    free(fc.w);
    free(fi);
    if (rep)
        *rep = r;
    return 0;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}
static void putf(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    put32(p, u);
}

int hm_trainer_save(const hm_trainer *t, const char *path, hm_status *st)
{
    if (!t || !t->fitted || !path) {
        hm_set_status(st, HM_EINVAL, "nothing fitted to save");
        return HM_EINVAL;
    }
    uint32_t cap = 1024;
    while (cap < t->nkeep + t->nkeep / 2 + 1)
        cap *= 2;
    size_t size = HM_MODEL_HEADER + (size_t)cap * 4 + (size_t)cap * HM_NOUT * 2;
    unsigned char *buf = calloc(1, size);
    if (!buf) {
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return HM_ENOMEM;
    }
    float mx = 1e-6f;
    for (size_t i = 0; i < t->nkeep * HM_NOUT; i++)
        if (fabsf(t->W[i]) > mx)
            mx = fabsf(t->W[i]);
    float scale = mx / 32767.0f;
    uint32_t *fp = (uint32_t *)(void *)(buf + HM_MODEL_HEADER);
    unsigned char *wb = buf + HM_MODEL_HEADER + (size_t)cap * 4;
    for (size_t i = 0; i < t->nkeep; i++) {
        uint64_t h = t->keys[i];
        uint32_t f = (uint32_t)(h >> 32) | 1u;
        uint32_t j = (uint32_t)h & (cap - 1);
        while (fp[j]) /* the host is little-endian (checked at load) */
            j = (j + 1) & (cap - 1);
        put32((unsigned char *)&fp[j], f);
        for (int c = 0; c < HM_NOUT; c++) {
            long q = lrintf(t->W[i * HM_NOUT + (size_t)c] / scale);
            if (q > 32767) q = 32767;
            if (q < -32767) q = -32767;
            uint16_t u = (uint16_t)(int16_t)q;
            wb[((size_t)j * HM_NOUT + (size_t)c) * 2] = (unsigned char)u;
            wb[((size_t)j * HM_NOUT + (size_t)c) * 2 + 1] = (unsigned char)(u >> 8);
        }
    }
    memcpy(buf, HM_MODEL_MAGIC, 8);
    put32(buf + 8, HM_MODEL_VERSION);
    put32(buf + 12, 0x01020304u);
    put32(buf + 16, (uint32_t)t->lang);
    put32(buf + 20, HM_NOUT);
    put32(buf + 24, cap);
    put32(buf + 28, t->flags);
    uint64_t sz = size;
    memcpy(buf + 32, &sz, 8);
    unsigned char *q = buf + 48;
    putf(q, scale);
    q += 4;
    for (int c = 0; c < HM_NOUT; c++, q += 4)
        putf(q, t->bias[c]);
    for (int c = 0; c < 3; c++)
        for (int j = 0; j <= HM_NBLEND; j++, q += 4)
            putf(q, t->blend[c][j]);
    for (int j = 0; j <= HM_NCBLEND; j++, q += 4)
        putf(q, t->cblend[j]);
    for (int j = 0; j < 8; j++, q += 4)
        putf(q, t->info[j]);
    put32(q, t->long_from);
    q += 4;
    for (int d = 0; d < 2; d++)
        for (int c = 0; c < 3; c++, q += 4)
            putf(q, t->dbias[d][c]);
    putf(q, t->cthresh);
    q += 4;
    uint64_t sum = hm_checksum(buf + 48, size - 48);
    memcpy(buf + 40, &sum, 8);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int rc = 0;
    if (!f || fwrite(buf, 1, size, f) != size) {
        rc = HM_EIO;
        if (f)
            fclose(f);
    } else if (fclose(f)) {
        rc = HM_EIO;
    }
    if (!rc && rename(tmp, path) != 0)
        rc = HM_EIO;
    if (rc) {
        remove(tmp);
        hm_set_status(st, HM_EIO, "%s: cannot write the model", path);
    }
    free(buf);
    return rc;
}
