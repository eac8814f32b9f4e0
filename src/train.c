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
    uint32_t nc;         /* the last nc of its n features are the complaint head's alone */
    int8_t pol;          /* 0 neg, 1 neu, 2 pos, -1 none */
    int8_t cmp;          /* 0/1, -1 none */
    uint8_t dev, social;
    uint8_t held;        /* a training source's held-out row: tunes, then trains in a refit */
    uint8_t asks;        /* a request for information (hm_info_question) */
    hm_csig cs;          /* the complaint signals of its tokens */
    uint8_t domain;      /* 0 short, 1 long (the keys in feats are the domain's) */
    uint8_t copy;        /* a training post's copy in the other domain */
    uint32_t cseq;       /* a training post with a complaint label: its rank among them
                          * (its complaint fold is cseq modulo the number of folds) */
    uint16_t group;      /* the source the post came from */
    int8_t src;          /* its index among the polarity sources (the router's classes), -1 */
    float weight;        /* weight0 after balancing (and the domain share for copies) */
    float weight0;       /* as added */
    float lex[4];        /* lexicon score, pos, neg, cue_total */
    uint32_t ntoks;
    int nhits;           /* lexicon hits */
    float maxcat;        /* the strongest category's cue weight */
} doc;

struct hm_trainer {
    const hm_engine *e;
    int group;
    hm_analyzer *a;
    int lang;
    doc *docs;
    size_t ndocs, dcap;
    uint64_t *feats;     /* per doc, then remapped to feature indices */
    size_t nfeats, fcap;
    uint32_t ncmp;       /* training posts with a complaint label so far */
    /* fitted model */
    int fitted;
    size_t nkeep;
    uint64_t *keys;      /* kept features */
    float *W;            /* nkeep x HM_NOUT */
    float bias[HM_NOUT];
    uint32_t long_from;  /* 0: one domain */
    struct tuned {       /* the calibration and the dev figures (what a refit keeps) */
        float cblend[HM_NCBLEND + 1];
        uint32_t flags;
        float info[8];
        float cthresh;
        int nsrc;        /* polarity sources: per source a blend and decision biases */
        float blend[HM_MAXSRC][3][HM_NBLEND + 1];
        float dbias[HM_MAXSRC][3];
        double score[1024]; /* per source: its dev figure after the fit, NAN for none */
    } cal;
    float rbias[HM_MAXSRC];
    size_t nrkeep;       /* the router's features */
    uint64_t *rkeys;
    float *RW;           /* nrkeep x nsrc */
    uint8_t metric[1024];   /* per source: HM_METRIC_* of its dev rows */
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
    free(t->rkeys);
    free(t->RW);
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
    if (dev < 0 || dev > 2)
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
    /* the complaint head's own features stay last */
    size_t nm = t->a->fb.n - t->a->fb.nc;
    size_t n1 = hm_features_unique(t->a->fb.f, nm);
    memmove(t->a->fb.f + n1, t->a->fb.f + nm, t->a->fb.nc * sizeof *t->a->fb.f);
    size_t n2 = hm_features_unique(t->a->fb.f + n1, t->a->fb.nc), n = n1 + n2;
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
    d->nc = (uint32_t)n2;
    t->nfeats += n;
    d->pol = (int8_t)(polarity == HM_NO_LABEL ? -1 : polarity + 1);
    d->cmp = (int8_t)(complaint < 0 ? -1 : complaint ? 1 : 0);
    d->dev = dev ? 1 : 0;
    d->held = dev == 2;
    if (complaint >= 0 && !dev)
        d->cseq = t->ncmp++;
    d->group = (uint16_t)t->group;
    d->weight = d->weight0 = (float)weight;
    d->lex[0] = (float)ls.score;
    d->lex[1] = (float)ls.pos;
    d->lex[2] = (float)ls.neg;
    d->lex[3] = (float)t->a->cat.cue_total;
    d->ntoks = (uint32_t)t->a->tb.ntoks;
    d->nhits = ls.nhits;
    d->maxcat = (float)hm_cat_max(&t->a->cat, &t->e->cats);
    d->social = (uint8_t)hm_is_social(&t->a->tb);
    d->asks = (uint8_t)hm_info_question(&t->a->tb);
    hm_complaint_signals(t->a->e, &t->a->tb, t->a->lang, &d->cs);
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
            acc[c] += (double)r[c] * w[c]; /* r is 0 for the polarity heads past n - nc */
    }
    uint32_t npol = d->n - d->nc;
    for (int c = 0; c < HM_NOUT; c++) {
        uint32_t m = c == 3 ? d->n : npol;
        s[c] = fc->b[c] + acc[c] * (m ? 1.0 / sqrt((double)m) : 1.0);
    }
    (void)t;
}

/* What a head predicts: a polarity class, the complaint, or (router) a source. */
enum { HEAD_POL, HEAD_CMP, HEAD_SRC };

static int head_label(const doc *d, int kind, int col)
{
    if (d->dev)
        return -1;
    if (kind == HEAD_POL)
        return d->pol < 0 ? -1 : d->pol == col;
    if (kind == HEAD_CMP)
        return d->cmp < 0 ? -1 : d->cmp == 1;
    return d->copy || d->src < 0 ? -1 : d->src == col;
}

/* SGD for one one-vs-rest head on x(f) = r(f) / sqrt(n), weights w(f) from 1
 * (column col of nf x stride arrays), regularized towards 1.  The step is
 * lr / E|x|^2 (the mean squared norm of the head's inputs over its training
 * posts), so that one lr suits heads and languages whose ratios r(f) differ
 * in scale. */
static void sgd_head(const hm_trainer *t, const uint32_t *fi, const float *rr, float *ww,
                     size_t stride, int col, double *bias, int kind, double lr, double l2,
                     int epochs, unsigned seed, const double *cw, int nfold, int skip)
{
    size_t nd = 0;
    size_t *order = malloc(t->ndocs * sizeof *order);
    if (!order)
        return;
    double sx = 0;
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (head_label(d, kind, col) < 0 || (skip >= 0 && (int)(d->cseq % (uint32_t)nfold) == skip))
            continue;
        order[nd++] = i;
        double q = 0;
        uint32_t n = kind == HEAD_CMP ? d->n : d->n - d->nc;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t f = fi[d->off + k];
            if (f != UINT32_MAX) {
                double r = rr[(size_t)f * stride + (size_t)col];
                q += r * r;
            }
        }
        sx += n ? q / n : 0;
    }
    uint64_t rs = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed * 0x2545F4914F6CDD1DULL) ^
                  (uint64_t)(kind * 64 + col);
    if (!rs)
        rs = 1;
    double lr0 = lr / (nd && sx > 0 ? sx / (double)nd : 1.0);
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
            int y = head_label(d, kind, col);
            /* inputs are r(f) / sqrt(n): long posts do not outweigh short ones;
             * the complaint head's own features are its alone */
            uint32_t n = kind == HEAD_CMP ? d->n : d->n - d->nc;
            double norm = n ? 1.0 / sqrt((double)n) : 1.0;
            double z = 0;
            for (uint32_t k = 0; k < n; k++) {
                uint32_t f = fi[d->off + k];
                if (f != UINT32_MAX)
                    z += (double)rr[(size_t)f * stride + (size_t)col] * ww[(size_t)f * stride + (size_t)col];
            }
            z = *bias + z * norm;
            double g = (sigmoid(z) - y) * d->weight * cw[y];
            double lrt = lr0 / (1.0 + 4.0 * (double)step / (double)(nd ? nd : 1));
            *bias -= lrt * g;
            for (uint32_t k = 0; k < n; k++) {
                uint32_t f = fi[d->off + k];
                if (f == UINT32_MAX)
                    continue;
                float *w = &ww[(size_t)f * stride + (size_t)col];
                double r = rr[(size_t)f * stride + (size_t)col];
                *w -= (float)(lrt * (g * r * norm + l2 * (*w - 1.0)));
            }
        }
    }
    free(order);
}

/* The router: which polarity source a post is most like, a softmax over
 * one-vs-rest NB-LR heads on the features kept in its table (sel). */
typedef struct router {
    int K;
    float *r, *w;         /* nf x K */
    double b[HM_MAXSRC];
    uint8_t *sel;         /* nf */
} router;

static void router_q(const router *ro, const doc *d, const uint32_t *fi, float *q)
{
    if (ro->K <= 1) {
        q[0] = 1;
        return;
    }
    double z[HM_MAXSRC] = {0};
    uint32_t n = d->n - d->nc;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t f = fi[d->off + i];
        if (f == UINT32_MAX || !ro->sel[f])
            continue;
        for (int k = 0; k < ro->K; k++)
            z[k] += (double)ro->r[(size_t)f * (size_t)ro->K + (size_t)k] *
                    ro->w[(size_t)f * (size_t)ro->K + (size_t)k];
    }
    double norm = n ? 1.0 / sqrt((double)n) : 1.0, mx = -1e300, sum = 0;
    for (int k = 0; k < ro->K; k++) {
        z[k] = ro->b[k] + z[k] * norm;
        mx = z[k] > mx ? z[k] : mx;
    }
    for (int k = 0; k < ro->K; k++)
        sum += z[k] = exp(z[k] - mx);
    for (int k = 0; k < ro->K; k++)
        q[k] = (float)(z[k] / sum);
}

/* The sources' blends mixed by q (as hm_blend_probs does for a model). */
static void mix_apply(int K, const float (*bl)[3][HM_NBLEND + 1], const float (*bias)[3],
                      const float *q, const double x[HM_NBLEND], double p[3], float b[3])
{
    p[0] = p[1] = p[2] = 0;
    b[0] = b[1] = b[2] = 0;
    for (int k = 0; k < K; k++) {
        if (q[k] < 1e-4)
            continue;
        double pk[3];
        blend_apply((const float(*)[HM_NBLEND + 1])bl[k], x, pk);
        for (int c = 0; c < 3; c++) {
            p[c] += q[k] * pk[c];
            if (bias)
                b[c] += q[k] * bias[k][c];
        }
    }
    double s = p[0] + p[1] + p[2];
    for (int c = 0; c < 3; c++)
        p[c] /= s;
}

/* ---------- dev figures ---------- */

/* The dev posts with a polarity label: their blend inputs and probabilities,
 * the router's probabilities, and per source (group; "grp" here, not to be
 * confused with the router's sources) the metric its rows are judged by.  A
 * group with no neutral gold is binary: a neutral decision counts by the sign
 * of p(pos) - p(neg), as `humeur eval` counts it. */
typedef struct devrow {
    double p[3];
    float q[HM_MAXSRC];
    int8_t gold;
    uint16_t grp;        /* compact index of the group */
} devrow;

typedef struct devset {
    devrow *rows;
    double *X;           /* n x HM_NBLEND */
    double *wt;          /* n: the posts' weights */
    size_t n;
    int ngrp;
    int group[1024];
    uint8_t metric[1024], binary[1024];
    long *conf;          /* ngrp x 9 */
    double *per;         /* ngrp: the last figures */
} devset;

static void devset_free(devset *ds)
{
    free(ds->rows);
    free(ds->X);
    free(ds->wt);
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
    ds->X = malloc((n + 1) * HM_NBLEND * sizeof *ds->X);
    ds->wt = malloc((n + 1) * sizeof *ds->wt);
    if (!ds->rows || !ds->X || !ds->wt)
        return HM_ENOMEM;
    int hasneu[1024] = {0};
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (!d->dev || d->pol < 0)
            continue;
        if (map[d->group] < 0) {
            map[d->group] = ds->ngrp;
            ds->group[ds->ngrp] = d->group;
            ds->metric[ds->ngrp] = t->metric[d->group];
            ds->ngrp++;
        }
        devrow *r = &ds->rows[ds->n];
        memset(r, 0, sizeof *r);
        r->gold = d->pol;
        r->grp = (uint16_t)map[d->group];
        ds->wt[ds->n++] = d->weight;
        hasneu[r->grp] |= d->pol == 1;
    }
    for (int k = 0; k < ds->ngrp; k++)
        ds->binary[k] = !hasneu[k];
    ds->conf = calloc((size_t)ds->ngrp * 9 + 1, sizeof *ds->conf);
    ds->per = calloc((size_t)ds->ngrp + 1, sizeof *ds->per);
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

static int row_pred(const devset *ds, const devrow *r, const float b[3])
{
    int pred = hm_decide(r->p, b);
    if (pred == 1 && ds->binary[r->grp])
        pred = r->p[2] - r->p[0] >= 0 ? 2 : 0;
    return pred;
}

static double conf_score(devset *ds)
{
    double sum = 0;
    for (int k = 0; k < ds->ngrp; k++) {
        ds->per[k] = metric_of(ds->conf + (size_t)k * 9, ds->binary[k], ds->metric[k]);
        sum += ds->per[k];
    }
    return ds->ngrp ? sum / ds->ngrp : 0;
}

/* The row's decision biases: the sources' biases mixed by its q. */
static void row_bias(const devrow *r, int K, const float (*bias)[3], float b[3])
{
    b[0] = b[1] = b[2] = 0;
    for (int k = 0; k < K; k++)
        for (int c = 0; c < 3; c++)
            b[c] += r->q[k] * bias[k][c];
}

/* The mean over groups of their metric, with the sources' decision biases. */
static double devset_score(devset *ds, int K, const float (*bias)[3])
{
    if (!ds->ngrp)
        return 0;
    memset(ds->conf, 0, (size_t)ds->ngrp * 9 * sizeof *ds->conf);
    for (size_t i = 0; i < ds->n; i++) {
        const devrow *r = &ds->rows[i];
        float b[3];
        row_bias(r, K, bias, b);
        ds->conf[(size_t)r->grp * 9 + (size_t)r->gold * 3 + (size_t)row_pred(ds, r, b)]++;
    }
    return conf_score(ds);
}

/* The mean over groups of the log-loss of their rows' probabilities (lower is
 * better): what the polarity heads' settings are chosen on, a proper score
 * that a few posts move less than the metrics. */
static double devset_logloss(const devset *ds)
{
    double ll[1024] = {0}, cnt[1024] = {0}, sum = 0;
    for (size_t i = 0; i < ds->n; i++) {
        const devrow *r = &ds->rows[i];
        double p = r->p[r->gold];
        ll[r->grp] -= log(p > 1e-9 ? p : 1e-9);
        cnt[r->grp] += 1;
    }
    for (int g = 0; g < ds->ngrp; g++)
        sum += cnt[g] ? ll[g] / cnt[g] : 0;
    return ds->ngrp ? sum / ds->ngrp : 0;
}

/* Notes a setting tried (the first 16 are kept for the report). */
static void note_trial(hm_train_report *r, int complaint, double lr, double l2, double score,
                       double logloss)
{
    if ((size_t)r->ntried >= sizeof r->tried / sizeof *r->tried)
        return;
    hm_train_trial *tr = &r->tried[r->ntried++];
    tr->complaint = complaint;
    tr->lr = lr;
    tr->l2 = l2;
    tr->score = score;
    tr->logloss = logloss;
}

/* The mean log-loss of binary probabilities p against labels y. */
static double binary_logloss(const double *p, const int8_t *y, size_t n)
{
    double ll = 0;
    for (size_t j = 0; j < n; j++) {
        double pj = p[j] < 1e-6 ? 1e-6 : p[j] > 1 - 1e-6 ? 1 - 1e-6 : p[j];
        ll -= y[j] ? log(pj) : log(1 - pj);
    }
    return n ? ll / (double)n : 0;
}

/* Decision biases per source, for the metric its dev rows are judged by
 * (kmetric; -1 when its rows are judged by several).  Accuracy: none (the
 * blend is calibrated: the most probable class is the best guess).
 * Macro-recall: the log of the inverse of the source's class prior (the
 * class of the largest likelihood, whatever the test set's mix).  Otherwise
 * (macro-F1, several metrics) on a grid, negative and positive against
 * neutral, by coordinate ascent on the dev score; a bias must buy, per unit,
 * about one standard error of its source's figure (0.5 / sqrt(its dev posts))
 * in that source's share of the score: it stays at 0 where it would only fit
 * the noise of a few dev posts. */
static double tune_biases(devset *ds, int K, const int *kmetric, float (*bias)[3])
{
    memset(bias, 0, sizeof(float) * 3 * (size_t)K);
    for (int k = 0; k < K; k++) {
        if (kmetric[k] != HM_METRIC_MACRO_RECALL)
            continue;
        double pr[3] = {0, 0, 0};
        for (size_t i = 0; i < ds->n; i++)
            pr[ds->rows[i].gold] += ds->rows[i].q[k] * ds->wt[i];
        double ref = pr[1] > 0 ? log(pr[1]) : 0;
        for (int c = 0; c < 3; c++)
            bias[k][c] = pr[c] > 0 ? (float)(ref - log(pr[c])) : 0;
        bias[k][1] = 0;
    }
    double unit[HM_MAXSRC] = {0};
    for (size_t i = 0; i < ds->n; i++)
        for (int k = 0; k < K; k++)
            unit[k] += ds->rows[i].q[k];
    for (int k = 0; k < K; k++)
        unit[k] = 0.5 / sqrt(unit[k] > 1 ? unit[k] : 1) / (ds->ngrp ? ds->ngrp : 1);
    size_t *aff = malloc((ds->n + 1) * sizeof *aff);
    float (*ob)[3] = malloc((ds->n + 1) * sizeof *ob);
    long *base = malloc(((size_t)ds->ngrp * 9 + 1) * sizeof *base);
    if (!aff || !ob || !base) {
        free(aff); free(ob); free(base);
        return devset_score(ds, K, (const float(*)[3])bias);
    }
    double cost = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < K; k++) {
            if (kmetric[k] == HM_METRIC_ACCURACY || kmetric[k] == HM_METRIC_MACRO_RECALL)
                continue;
            /* the rows this source's biases move; the others' decisions are fixed */
            size_t na = 0;
            memset(base, 0, (size_t)ds->ngrp * 9 * sizeof *base);
            for (size_t i = 0; i < ds->n; i++) {
                const devrow *r = &ds->rows[i];
                float b[3];
                row_bias(r, K, (const float(*)[3])bias, b);
                if (r->q[k] > 1e-3) {
                    for (int c = 0; c < 3; c++)
                        ob[na][c] = b[c] - r->q[k] * bias[k][c];
                    aff[na++] = i;
                } else {
                    base[(size_t)r->grp * 9 + (size_t)r->gold * 3 + (size_t)row_pred(ds, r, b)]++;
                }
            }
            if (!na)
                continue;
            double own = unit[k] * (fabsf(bias[k][0]) + fabsf(bias[k][2]));
            double bestv = -1e300;
            float keep0 = bias[k][0], keep2 = bias[k][2];
            for (int i0 = -15; i0 <= 15; i0++)
                for (int i2 = -15; i2 <= 15; i2++) {
                    float c0 = (float)i0 / 10.0f, c2 = (float)i2 / 10.0f;
                    memcpy(ds->conf, base, (size_t)ds->ngrp * 9 * sizeof *base);
                    for (size_t a = 0; a < na; a++) {
                        const devrow *r = &ds->rows[aff[a]];
                        float b[3] = {ob[a][0] + r->q[k] * c0, ob[a][1], ob[a][2] + r->q[k] * c2};
                        ds->conf[(size_t)r->grp * 9 + (size_t)r->gold * 3 + (size_t)row_pred(ds, r, b)]++;
                    }
                    double v = conf_score(ds) - (cost - own + unit[k] * (fabsf(c0) + fabsf(c2)));
                    /* ties keep the smaller biases: the grid is walked from 0 outwards */
                    if (v > bestv + 1e-12 || (v > bestv - 1e-12 && fabsf(c0) + fabsf(c2) <
                                              fabsf(keep0) + fabsf(keep2))) {
                        bestv = v;
                        keep0 = c0;
                        keep2 = c2;
                    }
                }
            bias[k][0] = keep0;
            bias[k][2] = keep2;
            cost += unit[k] * (fabsf(keep0) + fabsf(keep2)) - own;
        }
    free(aff);
    free(ob);
    free(base);
    return devset_score(ds, K, (const float(*)[3])bias);
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

/* The complaint threshold: for calibrated probabilities the threshold that
 * maximizes F1 is half that F1 (Lipton, Elkan and Naryanaswamy 2014), found
 * as the fixed point t = F1(t) / 2 from 0.5.  Steadier than the arg max of F1
 * over a grid, which a few dev posts move.  Returns F1 at the threshold. */
static double tune_threshold(const double *p, const int8_t *y, size_t n, double *thr)
{
    double t = 0.5;
    for (int it = 0; it < 50; it++) {
        double nt = f1_at(p, y, n, t) / 2;
        nt = nt < 0.2 ? 0.2 : nt > 0.8 ? 0.8 : nt;
        if (fabs(nt - t) < 1e-4) {
            t = nt;
            break;
        }
        t = nt;
    }
    *thr = round(t * 100) / 100;
    return f1_at(p, y, n, *thr);
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
    hm_complaint_inputs(s, pb, &ls, d->lex[3], &d->cs, x);
    double z = cblend[HM_NCBLEND];
    for (int j = 0; j < HM_NCBLEND; j++)
        z += cblend[j] * x[j];
    return hm_complaint_combine(sigmoid(z), d->maxcat, pb[2] - pb[0], pb, d->asks);
}

/* The blends and biases of a fitted model, and what routes a post to them. */
typedef struct mixture {
    int K;
    const router *ro;
    const float (*blend)[3][HM_NBLEND + 1];
    const float (*bias)[3];
} mixture;

/* A dev post's calibrated probabilities and decision biases. */
static void post_probs(const mixture *mx, const doc *d, const uint32_t *fi,
                       const double s[HM_NOUT], double p[3], float b[3])
{
    float q[HM_MAXSRC];
    double x[HM_NBLEND];
    router_q(mx->ro, d, fi, q);
    post_inputs(d, s, x);
    mix_apply(mx->K, mx->blend, mx->bias, q, x, p, b);
}

/* Pooled dev figures of a fitted model, for the report. */
static void evaluate_dev(const hm_trainer *t, const fitctx *fc, const uint32_t *fi,
                         const mixture *mx, const float *cblend, double cthresh, devscore *out)
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
        double s[HM_NOUT], p[3];
        float b[3];
        heads_scores(t, fc, d, fi, s);
        post_probs(mx, d, fi, s, p, b);
        if (d->pol >= 0) {
            int pred = hm_decide(p, b);
            int top = hm_decide(p, (const float[3]){0, 0, 0});
            conf[d->pol][pred]++;
            n++;
            int nbp = s[0] >= s[1] && s[0] >= s[2] ? 0 : s[2] > s[1] ? 2 : 1;
            nbok += nbp == d->pol;
            int lp = d->lex[0] >= 0.05 ? 2 : d->lex[0] <= -0.05 ? 0 : 1;
            lexok += lp == d->pol;
            /* calibration: of the most probable class */
            double pm = fmax(p[0], fmax(p[1], p[2]));
            int bin = (int)(pm * 10);
            if (bin > 9)
                bin = 9;
            ece_n[bin]++;
            ece_c[bin] += pm;
            ece_a[bin] += top == d->pol;
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
        for (int bin = 0; bin < 10; bin++)
            if (ece_n[bin])
                out->ece += fabs(ece_a[bin] - ece_c[bin]) / (double)n;
    }
    out->cf1 = tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0;
}

/* A multinomial logistic blend on the dev rows with weights w (rows of weight
 * 0 left out); 0 when fewer than 10 rows count. */
static int fit_rows(const devset *ds, const double *w, float bl[3][HM_NBLEND + 1], double *X,
                    double *wk, int *y)
{
    size_t k = 0;
    for (size_t j = 0; j < ds->n; j++) {
        if (!(w[j] > 0))
            continue;
        memcpy(X + k * HM_NBLEND, ds->X + j * HM_NBLEND, HM_NBLEND * sizeof *X);
        wk[k] = w[j];
        y[k] = ds->rows[j].gold;
        k++;
    }
    if (k < 10)
        return 0;
    fit_logistic(X, y, wk, k, HM_NBLEND, 3, 1e-3, &bl[0][0]);
    return 1;
}

/* Every dev post counts for each source's blend at this weight besides its
 * router's q: the blends of sources with few dev posts shrink towards the
 * blend of all (0.05 gave the lowest dev log-loss in both languages, against
 * 0 and 0.2). */
#define BLEND_SHRINK 0.05

/* The polarity blends: per source, a multinomial logistic model on the dev
 * posts weighted by the router's q (a source with too few posts of its own
 * takes the blend of all).  The dev rows also get out-of-fold mixed
 * probabilities (5 folds): the figures settings and decision biases are
 * tuned on, as the blends are fitted on these same posts. */
static void fit_blends(devset *ds, int K, float (*bl)[3][HM_NBLEND + 1])
{
    size_t n = ds->n;
    double *X = malloc((n + 1) * HM_NBLEND * sizeof *X), *wk = malloc((n + 1) * sizeof *wk);
    double *w = malloc((n + 1) * sizeof *w);
    int *y = malloc((n + 1) * sizeof *y);
    float (*fb)[3][HM_NBLEND + 1] = malloc((size_t)K * sizeof *fb);
    memset(bl, 0, (size_t)K * sizeof *bl);
    if (!X || !wk || !w || !y || !fb) {
        free(X); free(wk); free(w); free(y); free(fb);
        return;
    }
    for (int fold = -1; fold < 5; fold++) {
        float (*out)[3][HM_NBLEND + 1] = fold < 0 ? bl : fb;
        float pooled[3][HM_NBLEND + 1];
        memset(pooled, 0, sizeof pooled);
        for (size_t j = 0; j < n; j++)
            w[j] = fold >= 0 && (int)(j % 5) == fold ? 0 : ds->wt[j];
        fit_rows(ds, w, pooled, X, wk, y);
        for (int k = 0; k < K; k++) {
            for (size_t j = 0; j < n; j++) {
                w[j] = (fold >= 0 && (int)(j % 5) == fold) ? 0
                     : ds->wt[j] * (ds->rows[j].q[k] + BLEND_SHRINK);
                if (w[j] < 1e-3 * ds->wt[j])
                    w[j] = 0;
            }
            if (K == 1 || !fit_rows(ds, w, out[k], X, wk, y))
                memcpy(out[k], pooled, sizeof pooled);
        }
        if (fold < 0)
            continue;
        for (size_t j = (size_t)fold; j < n; j += 5) {
            float b[3];
            mix_apply(K, (const float(*)[3][HM_NBLEND + 1])fb, NULL, ds->rows[j].q,
                      ds->X + j * HM_NBLEND, ds->rows[j].p, b);
        }
    }
    free(X); free(wk); free(w); free(y); free(fb);
}

/* The naive Bayes log-count ratio of a feature seen a times in one class
 * (ta in all, over kept features) and b times in the other (tb), with
 * smoothing alpha ("Baselines and Bigrams"' r, one coordinate). */
static float nb_ratio(double alpha, size_t kept, double a, double ta, double b, double tb)
{
    double p = (alpha + a) / (alpha * (double)kept + ta);
    double q = (alpha + b) / (alpha * (double)kept + tb);
    return (float)log(p / q);
}

/* Out-of-fold complaint head scores of the training posts with a complaint
 * label: per fold, the complaint column's naive Bayes ratios and the head's
 * SGD on the other folds' posts, as the full head is fitted.  oof[i] for an
 * original post i of a fold, NAN for the others.  r and w: room for kept
 * floats each, c for 2 * kept doubles (allocated by the caller, so that the
 * fit cannot fail half-way). */
static void complaint_oof(const hm_trainer *t, const uint32_t *fi, size_t kept, int nfold,
                          double alpha, double lr, double l2, int epochs, unsigned seed,
                          const double ccw[2], double *oof, float *r, float *w, double *c)
{
    for (size_t i = 0; i < t->ndocs; i++)
        oof[i] = NAN;
    for (int k = 0; k < nfold; k++) {
        double tot[2] = {0, 0}, cw[2] = {0, 0};
        memset(c, 0, kept * 2 * sizeof *c);
        for (size_t i = 0; i < t->ndocs; i++) {
            const doc *d = &t->docs[i];
            if (d->dev || d->cmp < 0 || (int)(d->cseq % (uint32_t)nfold) == k)
                continue;
            cw[d->cmp] += d->weight;
            for (uint32_t j = 0; j < d->n; j++) {
                uint32_t f = fi[d->off + j];
                if (f != UINT32_MAX)
                    c[(size_t)f * 2 + (size_t)d->cmp] += d->weight;
            }
        }
        if (!(cw[0] > 0 && cw[1] > 0))
            continue;
        for (size_t f = 0; f < kept; f++) {
            tot[0] += c[f * 2];
            tot[1] += c[f * 2 + 1];
        }
        for (size_t f = 0; f < kept; f++) {
            r[f] = nb_ratio(alpha, kept, c[f * 2 + 1], tot[1], c[f * 2], tot[0]);
            w[f] = 1.0f;
        }
        double b = log(cw[1] / cw[0]);
        sgd_head(t, fi, r, w, 1, 0, &b, HEAD_CMP, lr, l2, epochs, seed, ccw, nfold, k);
        for (size_t i = 0; i < t->ndocs; i++) {
            const doc *d = &t->docs[i];
            if (d->dev || d->copy || d->cmp < 0 || (int)(d->cseq % (uint32_t)nfold) != k)
                continue;
            double z = 0;
            for (uint32_t j = 0; j < d->n; j++) {
                uint32_t f = fi[d->off + j];
                if (f != UINT32_MAX)
                    z += (double)r[f] * w[f];
            }
            oof[i] = b + z * (d->n ? 1.0 / sqrt((double)d->n) : 1.0);
        }
    }
}

/* The complaint blend reads the calibrated polarity: fitted once the polarity
 * blends are, on the dev posts with a complaint label and, given oof, on the
 * training posts with one too, their complaint head score out-of-fold (330
 * dev posts in English alone; each part weighs as many posts as it has).
 * Returns 1 when fitted (10 or more posts); p and y get the posts'
 * out-of-fold complaint probabilities and their labels (room for every post
 * with a complaint label). */
static int fit_cblend(const hm_trainer *t, const fitctx *fc, const uint32_t *fi,
                      const mixture *mx, const double *oof, float *cblend, double *pout,
                      int8_t *yout, size_t *nout)
{
    size_t n = 0;
    double wsum[2] = {0, 0}, wn[2] = {0, 0};
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (d->cmp < 0 || (!d->dev && (!oof || isnan(oof[i]))))
            continue;
        n++;
        wsum[d->dev] += d->weight;
        wn[d->dev] += 1;
    }
    double *XC = malloc((n + 1) * HM_NCBLEND * sizeof *XC), *wc = malloc((n + 1) * sizeof *wc);
    double *pb = malloc((n + 1) * 3 * sizeof *pb), *wf = malloc((n + 1) * sizeof *wf);
    size_t *di = malloc((n + 1) * sizeof *di); /* the posts' docs */
    int *yc = malloc((n + 1) * sizeof *yc);
    memset(cblend, 0, sizeof(float) * (HM_NCBLEND + 1));
    *nout = 0;
    size_t k = 0;
    for (size_t i = 0; XC && wc && pb && wf && di && yc && i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (d->cmp < 0 || (!d->dev && (!oof || isnan(oof[i]))))
            continue;
        double s[HM_NOUT];
        float b[3];
        heads_scores(t, fc, d, fi, s);
        if (!d->dev)
            s[3] = oof[i];
        post_probs(mx, d, fi, s, pb + k * 3, b);
        hm_lexscore ls = {d->lex[1] - d->lex[2], d->lex[0], d->lex[1], d->lex[2], d->nhits};
        hm_complaint_inputs(s, pb + k * 3, &ls, d->lex[3], &d->cs, XC + k * HM_NCBLEND);
        yc[k] = d->cmp;
        wc[k] = d->weight * wn[d->dev] / wsum[d->dev];
        di[k] = i;
        k++;
    }
    int ok = k >= 10 && wf;
    /* the figures the threshold is tuned on are out-of-fold (5 folds): the
     * blend is fitted on the same posts */
    for (int fold = 0; ok && fold < 5; fold++) {
        float fb[HM_NCBLEND + 1];
        for (size_t j = 0; j < k; j++)
            wf[j] = (int)(j % 5) == fold ? 0 : wc[j];
        fit_logistic(XC, yc, wf, k, HM_NCBLEND, 1, 1e-3, fb);
        for (size_t j = (size_t)fold; j < k; j += 5) {
            double z = fb[HM_NCBLEND];
            for (int c = 0; c < HM_NCBLEND; c++)
                z += fb[c] * XC[j * HM_NCBLEND + (size_t)c];
            const doc *dj = &t->docs[di[j]];
            pout[j] = hm_complaint_combine(sigmoid(z), dj->maxcat, pb[j * 3 + 2] - pb[j * 3],
                                           pb + j * 3, dj->asks);
            yout[j] = (int8_t)yc[j];
        }
        *nout = k;
    }
    if (ok)
        fit_logistic(XC, yc, wc, k, HM_NCBLEND, 1, 1e-3, cblend);
    free(XC); free(wc); free(pb); free(wf); free(di); free(yc);
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
    return t->cal.score[group];
}

/* Sources of very different sizes: each post's weight is the one it was added
 * with times (mean count / its source's count)^gamma, counts of posts (gamma
 * 0: as given, 1: every source weighs as if it had the mean number of posts,
 * times its posts' own weights).  Train and dev rows separately.  Copies of an
 * earlier fit must be gone. */
static void balance_groups(hm_trainer *t, double gamma)
{
    for (size_t i = 0; i < t->ndocs; i++)
        t->docs[i].weight = t->docs[i].weight0;
    if (gamma <= 0)
        return;
    for (int part = 0; part < 2; part++) {
        double tot[1024] = {0};
        int used = 0;
        for (size_t i = 0; i < t->ndocs; i++)
            if (t->docs[i].dev == part)
                tot[t->docs[i].group] += 1;
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

typedef struct scored {
    float score;
    uint32_t f;
} scored;

/* the strongest first; ties in feature order (deterministic) */
static int by_score_desc(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->f < y->f ? -1 : x->f > y->f;
}

static int fit_once(hm_trainer *t, const hm_train_opts *o, hm_train_report *rep, hm_status *st)
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
    drop_copies(t);
    balance_groups(t, o->group_balance > 0 ? o->group_balance : 0.5);
    uint32_t long_from = o->long_from < 0 ? 0 : o->long_from > 0 ? (uint32_t)o->long_from : 48;
    double share = o->domain_share < 0 ? 0 : o->domain_share > 0 ? o->domain_share : 0.2;
    if (expand_domains(t, long_from, share)) {
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return HM_ENOMEM;
    }
    /* the polarity sources, the router's classes: groups with polarity-labelled
     * training posts, in the order they came */
    int K = 0, smap[1024], src_group[HM_MAXSRC];
    for (int g = 0; g < 1024; g++)
        smap[g] = -1;
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (d->copy || d->dev || d->pol < 0 || smap[d->group] >= 0)
            continue;
        if (K == HM_MAXSRC) {
            hm_set_status(st, HM_EINVAL, "more than %d sources with polarity labels", HM_MAXSRC);
            return HM_EINVAL;
        }
        src_group[K] = d->group;
        smap[d->group] = K++;
    }
    for (size_t i = 0; i < t->ndocs; i++)
        t->docs[i].src = (int8_t)smap[t->docs[i].group];
    if (o->one_blend)
        K = K ? 1 : 0;
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
    int KR = K > 1 ? K : 0; /* router classes */
    float *scnt = NULL;     /* per feature and source: df (training posts, no copies) */
    uint8_t *conly = NULL;  /* per feature: the complaint head's alone */
    if (!rc) {
        cnt = calloc(nf * 6, sizeof *cnt);
        scnt = KR ? calloc(nf * (size_t)KR + 1, sizeof *scnt) : NULL;
        conly = calloc(nf + 1, 1);
        if (!cnt || (KR && !scnt) || !conly)
            rc = HM_ENOMEM;
    }
    if (rc) {
        free(fi); free(keys); free(cnt); free(scnt); free(conly);
        hm_set_status(st, rc, "out of memory");
        return rc;
    }
    double cls_w[3] = {0}, cmp_w[2] = {0};
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (d->dev)
            continue;
        if (d->cmp >= 0) {
            /* every feature, the complaint head's own too */
            cmp_w[d->cmp] += d->weight;
            for (uint32_t k = 0; k < d->n; k++)
                cnt[(size_t)fi[d->off + k] * 6 + (d->cmp ? 3 : 4)] += d->weight;
        }
        if (d->pol >= 0)
            cls_w[d->pol] += d->weight;
        for (uint32_t k = 0; k < d->n; k++) {
            float *c = cnt + (size_t)fi[d->off + k] * 6;
            c[5] += d->copy ? 0 : 1;
            if (k >= d->n - d->nc) {
                conly[fi[d->off + k]] = 1;
                continue;
            }
            if (d->pol >= 0)
                c[d->pol] += d->weight;
            if (KR && !d->copy && d->src >= 0)
                scnt[(size_t)fi[d->off + k] * (size_t)KR + (size_t)d->src] += d->weight;
        }
    }
    /* 2. keep frequent features; naive Bayes ratios */
    uint32_t *remap = malloc(nf * sizeof *remap);
    size_t kept = 0, kpol = 0; /* kpol: those the polarity heads and the router read */
    for (size_t f = 0; f < nf; f++) {
        remap[f] = cnt[f * 6 + 5] >= (float)min_count ? (uint32_t)kept++ : UINT32_MAX;
        kpol += remap[f] != UINT32_MAX && !conly[f];
    }
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
        for (int h = 0; h < 3 && !conly[f]; h++) {
            fc.r[(size_t)g * HM_NOUT + (size_t)h] =
                nb_ratio(alpha, kpol, c[h], tot[h], all - c[h], totall - tot[h]);
        }
        if (tot[3] > 0 && tot[4] > 0)
            fc.r[(size_t)g * HM_NOUT + 3] = nb_ratio(alpha, kept, c[3], tot[3], c[4], tot[4]);
    }
    /* the router's ratios: each source against the others */
    router ro;
    memset(&ro, 0, sizeof ro);
    ro.K = KR ? KR : 1;
    if (KR) {
        ro.r = calloc(kept * (size_t)KR + 1, sizeof *ro.r);
        ro.w = malloc((kept * (size_t)KR + 1) * sizeof *ro.w);
        ro.sel = calloc(kept + 1, 1);
        double stot[HM_MAXSRC] = {0}, sall = 0;
        for (size_t f = 0; f < nf; f++)
            if (remap[f] != UINT32_MAX)
                for (int k = 0; k < KR; k++)
                    stot[k] += scnt[f * (size_t)KR + (size_t)k];
        for (int k = 0; k < KR; k++)
            sall += stot[k];
        for (size_t f = 0; ro.r && f < nf; f++) {
            uint32_t g = remap[f];
            if (g == UINT32_MAX || conly[f])
                continue;
            double call = 0;
            for (int k = 0; k < KR; k++)
                call += scnt[f * (size_t)KR + (size_t)k];
            for (int k = 0; k < KR; k++) {
                double ck = scnt[f * (size_t)KR + (size_t)k];
                ro.r[(size_t)g * (size_t)KR + (size_t)k] =
                    nb_ratio(alpha, kpol, ck, stot[k], call - ck, sall - stot[k]);
            }
        }
    }
    free(scnt);
    free(remap);
    free(cnt);
    free(conly);
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
    /* 3. the router: one-vs-rest NB-LR heads over the sources; its table
     * keeps the features that tell sources apart best (RT_MAX at most) */
    enum { RT_MAX = 1 << 16 };
    size_t nrk = 0;
    scored *rsel = NULL;
    if (KR && ro.r && ro.w && ro.sel) {
        double stw[HM_MAXSRC] = {0}, sw = 0;
        for (size_t i = 0; i < t->ndocs; i++) {
            const doc *d = &t->docs[i];
            if (!d->dev && !d->copy && d->src >= 0) {
                stw[d->src] += d->weight;
                sw += d->weight;
            }
        }
        for (size_t i = 0; i < kept * (size_t)KR; i++)
            ro.w[i] = 1.0f;
        for (int k = 0; k < KR; k++) {
            double pk = (stw[k] + 1) / (sw + 2);
            double cw[2] = {sw > stw[k] ? sw / (2 * (sw - stw[k])) : 1, stw[k] > 0 ? sw / (2 * stw[k]) : 1};
            cw[0] = cw[0] > 5 ? 5 : cw[0];
            cw[1] = cw[1] > 5 ? 5 : cw[1];
            ro.b[k] = log(pk / (1 - pk));
            sgd_head(t, fi, ro.r, ro.w, (size_t)KR, k, &ro.b[k], HEAD_SRC, 3.0, 1e-4, 4, seed, cw, 1, -1);
        }
        rsel = malloc((kept + 1) * sizeof *rsel);
        if (rsel) {
            for (size_t f = 0; f < kept; f++) {
                float mx = 0;
                for (int k = 0; k < KR; k++) {
                    float v = fabsf(ro.r[f * (size_t)KR + (size_t)k] * ro.w[f * (size_t)KR + (size_t)k]);
                    mx = v > mx ? v : mx;
                }
                rsel[f].score = mx;
                rsel[f].f = (uint32_t)f;
            }
            qsort(rsel, kept, sizeof *rsel, by_score_desc);
            nrk = kept < RT_MAX ? kept : RT_MAX;
            for (size_t j = 0; j < nrk; j++)
                ro.sel[rsel[j].f] = 1;
        }
    }
    if (KR && (!ro.r || !ro.w || !ro.sel || !rsel)) {
        free(ro.r); free(ro.w); free(ro.sel); free(rsel); free(kkeys); free(fc.r); free(fc.w);
        free(fi);
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return HM_ENOMEM;
    }
    /* 4. heads.  The polarity heads' step and L2 pull are tuned on dev (the
     * mean over sources of each one's metric, with decision biases tuned
     * too); then the complaint head's, on the F1 of complaints at the
     * threshold tuned with them. */
    static const double lr_grid[] = {1.5, 3, 6}, l2_grid[] = {1e-4, 1e-5};
    static const double clr_grid[] = {0.5, 1, 2, 4};
    int nlr = o->lr > 0 || ndev == 0 ? 1 : 3, nl2 = o->l2 > 0 || ndev == 0 ? 1 : 2;
    double best = -1, bestll = 0, best_l2 = o->l2 > 0 ? o->l2 : 1e-4, best_lr = o->lr > 0 ? o->lr : 3;
    float *best_w = malloc((kept * HM_NOUT + 1) * sizeof *best_w);
    double best_b[HM_NOUT] = {0};
    int KB = K ? K : 1; /* blends: one per source */
    float (*bblend)[3][HM_NBLEND + 1] = calloc((size_t)KB, sizeof *bblend);
    float (*blend)[3][HM_NBLEND + 1] = calloc((size_t)KB, sizeof *blend);
    float bdbias[HM_MAXSRC][3], db[HM_MAXSRC][3];
    float bcblend[HM_NCBLEND + 1];
    double bcthresh = 0.5, bcf1 = -1, bll = 0, best_clr = 1, best_cl2 = best_l2;
    int bhas_c = 0;
    memset(bdbias, 0, sizeof bdbias);
    memset(bcblend, 0, sizeof bcblend);
    devset dv;
    size_t ncd = r.ncomplaint_dev, ncall = ncd + r.ncomplaint_train;
    double *cp = malloc((ncall + 1) * sizeof *cp);
    int8_t *cy = malloc(ncall + 1);
    int cfolds = o->complaint_folds < 0 ? 0 : o->complaint_folds > 1 ? o->complaint_folds : 5;
    double *oof = cfolds ? malloc((t->ndocs + 1) * sizeof *oof) : NULL;
    /* the out-of-fold complaint heads' ratios and weights, and their counts */
    float *oof_r = cfolds ? malloc((kept + 1) * 2 * sizeof *oof_r) : NULL;
    double *oof_c = cfolds ? malloc((kept + 1) * 2 * sizeof *oof_c) : NULL;
    int dvrc = devset_init(&dv, t);
    double *bper = calloc((size_t)dv.ngrp + 1, sizeof *bper);
    if (dvrc || !bper || !best_w || !cp || !cy || (cfolds && (!oof || !oof_r || !oof_c)) ||
        !bblend || !blend) {
        free(bper);
        devset_free(&dv);
        free(oof_r); free(oof_c);
        free(best_w); free(cp); free(cy); free(oof); free(kkeys); free(fc.r); free(fc.w); free(fi);
        free(bblend); free(blend); free(ro.r); free(ro.w); free(ro.sel); free(rsel);
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return HM_ENOMEM;
    }
    /* the metric each blend's decision biases serve */
    int kmetric[HM_MAXSRC];
    for (int k = 0; k < KB; k++)
        kmetric[k] = K > 1 ? t->metric[src_group[k]] : -1;
    if (K <= 1) {
        /* one blend: one metric if every source has the same */
        int m0 = -2;
        for (int g2 = 0; g2 < dv.ngrp; g2++)
            m0 = m0 == -2 || m0 == dv.metric[g2] ? dv.metric[g2] : -1;
        kmetric[0] = m0 == -2 ? HM_METRIC_ACCURACY : m0;
    }
    /* the router's view of the dev posts: fixed from here on */
    {
        size_t j = 0;
        long hit = 0, nsrcrows = 0;
        for (size_t i = 0; i < t->ndocs; i++) {
            const doc *d = &t->docs[i];
            if (!d->dev || d->pol < 0)
                continue;
            devrow *rw = &dv.rows[j++];
            router_q(&ro, d, fi, rw->q);
            if (KR && d->src >= 0) {
                int am = 0;
                for (int k = 1; k < KR; k++)
                    am = rw->q[k] > rw->q[am] ? k : am;
                hit += am == d->src;
                nsrcrows++;
            }
        }
        r.dev_router_accuracy = nsrcrows ? (double)hit / (double)nsrcrows : 1;
    }
    for (int li = 0; li < nlr; li++)
        for (int gi = 0; gi < nl2; gi++) {
            double lr = nlr == 1 ? best_lr : lr_grid[li], l2 = nl2 == 1 ? best_l2 : l2_grid[gi];
            for (size_t i = 0; i < kept * HM_NOUT; i++)
                fc.w[i] = 1.0f;
            for (int h = 0; h < 3; h++) {
                double p = (cls_w[h] + 1) / (ctot + 2);
                fc.b[h] = log(p / (1 - p));
                sgd_head(t, fi, fc.r, fc.w, HM_NOUT, h, &fc.b[h], HEAD_POL, lr, l2, epochs, seed,
                         cwv[h], 1, -1);
            }
            size_t j = 0;
            for (size_t i = 0; i < t->ndocs; i++) {
                const doc *d = &t->docs[i];
                if (!d->dev || d->pol < 0)
                    continue;
                double sc[HM_NOUT];
                heads_scores(t, &fc, d, fi, sc);
                post_inputs(d, sc, dv.X + j * HM_NBLEND);
                j++;
            }
            fit_blends(&dv, KB, blend);
            double ll = devset_logloss(&dv);
            double score = ndev ? tune_biases(&dv, KB, kmetric, db) : 1;
            note_trial(&r, 0, lr, l2, score, ll);
            if (best < 0 || ll < bestll) {
                bestll = ll;
                best = score;
                best_l2 = l2;
                best_lr = lr;
                memcpy(best_w, fc.w, kept * HM_NOUT * sizeof *best_w);
                memcpy(best_b, fc.b, sizeof best_b);
                memcpy(bblend, blend, (size_t)KB * sizeof *blend);
                memcpy(bdbias, db, sizeof bdbias);
                for (int k2 = 0; k2 < dv.ngrp; k2++)
                    bper[k2] = dv.per[k2];
            }
        }
    /* the chosen model; the sources' figures are its out-of-fold ones */
    memcpy(fc.w, best_w, kept * HM_NOUT * sizeof *best_w);
    memcpy(fc.b, best_b, sizeof best_b);
    r.dev_score = ndev ? best : 0;
    for (int g = 0; g < 1024; g++)
        t->cal.score[g] = NAN;
    for (int k2 = 0; k2 < dv.ngrp; k2++)
        t->cal.score[dv.group[k2]] = bper[k2];
    mixture mx = {KB, &ro, (const float(*)[3][HM_NBLEND + 1])bblend, (const float(*)[3])bdbias};
    if (cmp_w[0] > 0 && cmp_w[1] > 0) {
        int ncl = o->complaint_lr > 0 || ncd == 0 ? 1 : 4;
        int ncl2 = o->complaint_l2 > 0 || o->l2 > 0 || ncd == 0 ? 1 : 2;
        best_clr = o->complaint_lr > 0 ? o->complaint_lr : 1;
        for (int li = 0; li < ncl; li++)
            for (int gi = 0; gi < ncl2; gi++) {
                double lr = ncl == 1 ? best_clr : clr_grid[li];
                double l2 = ncl2 > 1 ? l2_grid[gi] : o->complaint_l2 > 0 ? o->complaint_l2 : best_l2;
                for (size_t f = 0; f < kept; f++)
                    fc.w[f * HM_NOUT + 3] = 1.0f;
                fc.b[3] = log(cmp_w[1] / cmp_w[0]);
                sgd_head(t, fi, fc.r, fc.w, HM_NOUT, 3, &fc.b[3], HEAD_CMP, lr, l2, epochs, seed,
                         ccw, 1, -1);
                if (cfolds)
                    complaint_oof(t, fi, kept, cfolds, alpha, lr, l2, epochs, seed, ccw, oof,
                                  oof_r, oof_r + kept + 1, oof_c);
                float cblend[HM_NCBLEND + 1];
                size_t nc = 0;
                int has_c = fit_cblend(t, &fc, fi, &mx, oof, cblend, cp, cy, &nc);
                double th = 0.5, f1 = has_c ? tune_threshold(cp, cy, nc, &th) : 0;
                if (o->complaint_threshold > 0 && o->complaint_threshold < 1) {
                    th = o->complaint_threshold;
                    f1 = f1_at(cp, cy, nc, th);
                }
                /* the settings are chosen on the log-loss of the out-of-fold
                 * probabilities: F1 at a threshold moves with a few posts */
                double ll = binary_logloss(cp, cy, nc);
                note_trial(&r, 1, lr, l2, f1, ll);
                if (bcf1 < 0 || ll < bll) {
                    bll = ll;
                    bcf1 = f1;
                    r.ncomplaint_blend = nc;
                    r.oof_complaint_f1 = f1;
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
    evaluate_dev(t, &fc, fi, &mx, bhas_c ? bcblend : NULL, bcthresh, &bds);
    devset_free(&dv);
    free(bper);
    free(cp);
    free(cy);
    free(oof);
    free(oof_r);
    free(oof_c);
    r.l2 = best_l2;
    r.lr = best_lr;
    r.complaint_lr = best_clr;
    r.complaint_l2 = best_cl2;
    r.complaint_threshold = bcthresh;
    r.nsources = KB;
    for (int k = 0; k < KB && k < HM_MAXSRC; k++) {
        r.source_group[k] = K ? src_group[k] : 0;
        for (int c = 0; c < 3; c++)
            r.bias[k][c] = bdbias[k][c];
    }
    r.dev_accuracy = bds.acc;
    r.dev_macro_f1 = bds.macro_f1;
    r.dev_nb_accuracy = bds.nb_acc;
    r.dev_lexicon_accuracy = bds.lex_acc;
    r.dev_ece = bds.ece;
    r.dev_complaint_f1 = bds.cf1;
    /* the router's table */
    free(t->rkeys);
    free(t->RW);
    t->rkeys = NULL;
    t->RW = NULL;
    t->nrkeep = 0;
    if (KR) {
        t->rkeys = malloc((nrk + 1) * sizeof *t->rkeys);
        t->RW = malloc((nrk * (size_t)KR + 1) * sizeof *t->RW);
        /* in feature order, as the main table */
        for (size_t f = 0; t->rkeys && t->RW && f < kept; f++) {
            if (!ro.sel[f])
                continue;
            t->rkeys[t->nrkeep] = kkeys[f];
            for (int k = 0; k < KR; k++)
                t->RW[t->nrkeep * (size_t)KR + (size_t)k] =
                    ro.r[f * (size_t)KR + (size_t)k] * ro.w[f * (size_t)KR + (size_t)k];
            t->nrkeep++;
        }
    }
    t->cal.nsrc = KB;
    memcpy(t->cal.blend, bblend, (size_t)KB * sizeof *bblend);
    memcpy(t->cal.dbias, bdbias, sizeof bdbias);
    for (int k = 0; k < KB; k++)
        t->rbias[k] = KR ? (float)ro.b[k] : 0;
    free(bblend);
    free(blend);
    free(ro.r);
    free(ro.w);
    free(ro.sel);
    free(rsel);
    /* 4. final weights, pruned */
    free(t->keys);
    free(t->W);
    t->keys = malloc((kept + 1) * sizeof *t->keys);
    t->W = malloc((kept + 1) * HM_NOUT * sizeof *t->W);
    size_t nk = 0;
    for (size_t f = 0; f < kept; f++) {
        float W[HM_NOUT];
        float wmax = 0;
        for (int c = 0; c < HM_NOUT; c++) {
            W[c] = fc.r[f * HM_NOUT + (size_t)c] * best_w[f * HM_NOUT + (size_t)c];
            if (fabsf(W[c]) > wmax)
                wmax = fabsf(W[c]);
        }
        if (wmax < prune)
            continue;
        t->keys[nk] = kkeys[f];
        memcpy(t->W + nk * HM_NOUT, W, sizeof W);
        nk++;
    }
    t->nkeep = nk;
    r.nkept = nk;
    for (int c = 0; c < HM_NOUT; c++)
        t->bias[c] = (float)best_b[c];
    memcpy(t->cal.cblend, bcblend, sizeof bcblend);
    t->cal.cthresh = (float)bcthresh;
    t->cal.flags = (bhas_c ? HM_MF_COMPLAINT : 0) | HM_MF_NORM;
    t->cal.info[0] = (float)ntr;
    t->cal.info[1] = (float)ndev;
    t->cal.info[2] = (float)bds.acc;
    t->cal.info[3] = (float)bds.macro_f1;
    t->cal.info[4] = (float)best_l2;
    t->cal.info[5] = (float)best_lr;
    t->cal.info[6] = (float)r.dev_score;
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

int hm_trainer_fit(hm_trainer *t, const hm_train_opts *o, hm_train_report *rep, hm_status *st)
{
    hm_train_report r;
    int rc = fit_once(t, o, &r, st);
    size_t nheld = 0;
    for (size_t i = 0; !rc && o && o->refit && i < t->ndocs; i++)
        nheld += t->docs[i].held && !t->docs[i].copy;
    if (rc || !nheld) {
        if (!rc && rep)
            *rep = r;
        return rc;
    }
    /* The refit: the held-out rows of the training sources train too, with
     * the settings tuned on them; the blends, decision biases and complaint
     * threshold fitted on their out-of-sample scores stay.  The router and
     * the heads are fitted again. */
    struct tuned *k = malloc(sizeof *k);
    if (!k) {
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return HM_ENOMEM;
    }
    *k = t->cal;
    hm_train_opts o2 = *o;
    o2.lr = r.lr;
    o2.l2 = r.l2;
    o2.complaint_lr = r.complaint_lr;
    o2.complaint_l2 = r.complaint_l2;
    o2.complaint_threshold = r.complaint_threshold;
    o2.complaint_folds = -1; /* its blend is not kept: no out-of-fold heads */
    for (size_t i = 0; i < t->ndocs; i++)
        if (t->docs[i].held)
            t->docs[i].dev = 0;
    hm_train_report r2;
    rc = fit_once(t, &o2, &r2, st);
    drop_copies(t); /* those of held-out rows would turn dev with them */
    for (size_t i = 0; i < t->ndocs; i++)
        if (t->docs[i].held)
            t->docs[i].dev = 1;
    if (!rc && (r2.nsources != r.nsources ||
                memcmp(r2.source_group, r.source_group, sizeof r.source_group))) {
        hm_set_status(st, HM_EDATA, "the refit found other polarity sources than the fit");
        rc = HM_EDATA;
    }
    if (!rc) {
        t->cal = *k;
        r.nfeatures = r2.nfeatures;
        r.nkept = r2.nkept;
        r.nrefit = nheld;
        if (rep)
            *rep = r;
    } else {
        t->fitted = 0;
    }
    free(k);
    return rc;
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

/* An open-addressing table of fingerprints and nw int16 weights per slot
 * (the layout hm_model_score reads). */
static void put_table(unsigned char *fpb, unsigned char *wb, uint32_t cap, const uint64_t *keys,
                      const float *W, size_t n, int nw, float scale)
{
    uint32_t *fp = (uint32_t *)(void *)fpb;
    for (size_t i = 0; i < n; i++) {
        uint64_t h = keys[i];
        uint32_t f = (uint32_t)(h >> 32) | 1u;
        uint32_t j = (uint32_t)h & (cap - 1);
        while (fp[j]) /* the host is little-endian (checked at load) */
            j = (j + 1) & (cap - 1);
        put32((unsigned char *)&fp[j], f);
        for (int c = 0; c < nw; c++) {
            long q = lrintf(W[i * (size_t)nw + (size_t)c] / scale);
            if (q > 32767) q = 32767;
            if (q < -32767) q = -32767;
            uint16_t u = (uint16_t)(int16_t)q;
            wb[((size_t)j * (size_t)nw + (size_t)c) * 2] = (unsigned char)u;
            wb[((size_t)j * (size_t)nw + (size_t)c) * 2 + 1] = (unsigned char)(u >> 8);
        }
    }
}

static uint32_t table_cap(size_t n)
{
    uint32_t cap = 1024;
    while (cap < n + n / 2 + 1)
        cap *= 2;
    return cap;
}

static float weight_scale(const float *W, size_t n)
{
    float mx = 1e-6f;
    for (size_t i = 0; i < n; i++)
        if (fabsf(W[i]) > mx)
            mx = fabsf(W[i]);
    return mx / 32767.0f;
}

int hm_trainer_save(const hm_trainer *t, const char *path, hm_status *st)
{
    if (!t || !t->fitted || !path) {
        hm_set_status(st, HM_EINVAL, "nothing fitted to save");
        return HM_EINVAL;
    }
    uint32_t cap = table_cap(t->nkeep), ns = (uint32_t)t->cal.nsrc;
    uint32_t rcap = ns > 1 ? table_cap(t->nrkeep) : 0;
    size_t main_sz = (size_t)cap * 4 + (size_t)cap * HM_NOUT * 2;
    size_t size = HM_MODEL_HEADER + main_sz + (size_t)rcap * 4 + (size_t)rcap * ns * 2;
    unsigned char *buf = calloc(1, size);
    if (!buf) {
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return HM_ENOMEM;
    }
    float scale = weight_scale(t->W, t->nkeep * HM_NOUT);
    put_table(buf + HM_MODEL_HEADER, buf + HM_MODEL_HEADER + (size_t)cap * 4, cap, t->keys, t->W,
              t->nkeep, HM_NOUT, scale);
    float rscale = 1;
    if (rcap) {
        unsigned char *r = buf + HM_MODEL_HEADER + main_sz;
        rscale = weight_scale(t->RW, t->nrkeep * ns);
        put_table(r, r + (size_t)rcap * 4, rcap, t->rkeys, t->RW, t->nrkeep, (int)ns, rscale);
    }
    memcpy(buf, HM_MODEL_MAGIC, 8);
    put32(buf + 8, HM_MODEL_VERSION);
    put32(buf + 12, 0x01020304u);
    put32(buf + 16, (uint32_t)t->lang);
    put32(buf + 20, HM_NOUT);
    put32(buf + 24, cap);
    put32(buf + 28, t->cal.flags);
    uint64_t sz = size;
    memcpy(buf + 32, &sz, 8);
    unsigned char *q = buf + 48;
    putf(q, scale);
    q += 4;
    for (int c = 0; c < HM_NOUT; c++, q += 4)
        putf(q, t->bias[c]);
    put32(q, ns);
    put32(q + 4, rcap);
    putf(q + 8, rscale);
    put32(q + 12, t->long_from);
    putf(q + 16, t->cal.cthresh);
    q += 20;
    for (int j = 0; j <= HM_NCBLEND; j++, q += 4)
        putf(q, t->cal.cblend[j]);
    for (int j = 0; j < 8; j++, q += 4)
        putf(q, t->cal.info[j]);
    for (uint32_t k = 0; k < ns; k++) {
        for (int c = 0; c < 3; c++)
            for (int j = 0; j <= HM_NBLEND; j++, q += 4)
                putf(q, t->cal.blend[k][c][j]);
        for (int c = 0; c < 3; c++, q += 4)
            putf(q, t->cal.dbias[k][c]);
        putf(q, t->rbias[k]);
        q += 4;
    }
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
