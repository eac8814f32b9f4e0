/*
 * train.c — humeur's own trainer: naive Bayes-weighted logistic regression
 * (NB-LR, after Wang & Manning's NBSVM) with a calibrated blend.
 *
 * 1. Each post goes through the engine's pipeline; its binarized features and
 *    its lexicon figures are kept.
 * 2. Per head (negative, neutral, positive one-vs-rest; complaint), naive Bayes
 *    log-count ratios r(f) are computed on the training posts.
 * 3. Per head, a logistic regression on x * r is fitted by SGD, starting from
 *    w = 1 (exactly naive Bayes) and regularized towards 1: with little
 *    evidence a weight stays naive Bayes, with much it becomes discriminative.
 *    Class weights balance the classes.  The L2 pull is tuned on dev posts.
 * 4. On dev posts, a multinomial logistic blend of the heads' logits and the
 *    lexicon's features gives calibrated probabilities (and a logistic model
 *    gives the complaint probability).
 * 5. Weights W(f) = w(f) r(f) below a threshold are pruned; the rest go to an
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
    uint16_t group;      /* the source the post came from */
    float weight;
    float lex[4];        /* lexicon score, pos, neg, cue_total */
    uint32_t ntoks;
    int nhits;           /* lexicon hits */
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

int hm_trainer_add(hm_trainer *t, const char *text, size_t len, int polarity, int complaint,
                   int dev, double weight)
{
    if (!t || (!text && len) || !(weight > 0))
        return HM_EINVAL;
    if (polarity != HM_NO_LABEL && (polarity < -1 || polarity > 1))
        return HM_EINVAL;
    if (polarity == HM_NO_LABEL && complaint < 0)
        return HM_EINVAL;
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

/* SGD for one head. */
static void sgd_head(const hm_trainer *t, fitctx *fc, const uint32_t *fi, int head, double l2,
                     int epochs, unsigned seed, const double *cw)
{
    size_t nd = 0;
    size_t *order = malloc(t->ndocs * sizeof *order);
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (d->dev)
            continue;
        if (head < 3 ? d->pol < 0 : d->cmp < 0)
            continue;
        order[nd++] = i;
    }
    uint64_t rs = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed * 0x2545F4914F6CDD1DULL) ^ (uint64_t)head;
    if (!rs)
        rs = 1;
    double lr0 = 1.0;
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
            /* inputs are r(f) / sqrt(n): every post has a unit-scale feature vector */
            double norm = d->n ? 1.0 / sqrt((double)d->n) : 1.0;
            double z = 0;
            for (uint32_t k = 0; k < d->n; k++) {
                uint32_t f = fi[d->off + k];
                if (f != UINT32_MAX)
                    z += (double)fc->r[(size_t)f * HM_NOUT + head] * fc->w[(size_t)f * HM_NOUT + head];
            }
            z = fc->b[head] + z * norm;
            double g = (sigmoid(z) - y) * d->weight * cw[y];
            double lr = lr0 / (1.0 + 4.0 * (double)step / (double)(nd ? nd : 1));
            fc->b[head] -= lr * g;
            for (uint32_t k = 0; k < d->n; k++) {
                uint32_t f = fi[d->off + k];
                if (f == UINT32_MAX)
                    continue;
                float *w = &fc->w[(size_t)f * HM_NOUT + head];
                double r = fc->r[(size_t)f * HM_NOUT + head];
                *w -= (float)(lr * (g * r * norm + l2 * (*w - 1.0)));
            }
        }
    }
    free(order);
}

typedef struct devscore {
    double acc, macro_f1, nb_acc, lex_acc, ece, cf1;
} devscore;

static void evaluate_dev(const hm_trainer *t, const fitctx *fc, const uint32_t *fi,
                         const float blend[3][HM_NBLEND + 1], const float *cblend, devscore *out)
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
        double s[HM_NOUT];
        heads_scores(t, fc, d, fi, s);
        hm_lexscore ls = {d->lex[1] - d->lex[2], d->lex[0], d->lex[1], d->lex[2], d->nhits};
        if (d->pol >= 0) {
            double x[HM_NBLEND], p[3];
            hm_blend_inputs(s, &ls, d->lex[3], d->ntoks, d->social, x);
            blend_apply(blend, x, p);
            int pred = p[0] >= p[1] && p[0] >= p[2] ? 0 : p[2] > p[1] ? 2 : 1;
            conf[d->pol][pred]++;
            n++;
            int nbp = s[0] >= s[1] && s[0] >= s[2] ? 0 : s[2] > s[1] ? 2 : 1;
            nbok += nbp == d->pol;
            int lp = d->lex[0] >= 0.05 ? 2 : d->lex[0] <= -0.05 ? 0 : 1;
            lexok += lp == d->pol;
            double pm = fmax(p[0], fmax(p[1], p[2]));
            int b = (int)(pm * 10);
            if (b > 9)
                b = 9;
            ece_n[b]++;
            ece_c[b] += pm;
            ece_a[b] += pred == d->pol;
        }
        if (d->cmp >= 0 && cblend) {
            double x[HM_NCBLEND], xb[HM_NBLEND], pb[3];
            hm_blend_inputs(s, &ls, d->lex[3], d->ntoks, d->social, xb);
            blend_apply(blend, xb, pb);
            hm_complaint_inputs(s, pb, &ls, d->lex[3], d->question, x);
            double z = cblend[HM_NCBLEND];
            for (int j = 0; j < HM_NCBLEND; j++)
                z += cblend[j] * x[j];
            int pc = z >= 0;
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
        double mf = 0;
        int nc = 0;
        for (int c = 0; c < 3; c++) {
            long g = conf[c][0] + conf[c][1] + conf[c][2];
            long p = conf[0][c] + conf[1][c] + conf[2][c];
            if (!g)
                continue;
            double P = p ? (double)conf[c][c] / (double)p : 0, R = (double)conf[c][c] / (double)g;
            mf += P + R > 0 ? 2 * P * R / (P + R) : 0;
            nc++;
        }
        out->macro_f1 = nc ? mf / nc : 0;
        for (int b = 0; b < 10; b++)
            if (ece_n[b])
                out->ece += fabs(ece_a[b] - ece_c[b]) / (double)n;
    }
    double P = tp + fp ? (double)tp / (double)(tp + fp) : 0;
    double R = tp + fn ? (double)tp / (double)(tp + fn) : 0;
    out->cf1 = P + R > 0 ? 2 * P * R / (P + R) : 0;
}

static void fit_blends(hm_trainer *t, const fitctx *fc, const uint32_t *fi,
                       float blend[3][HM_NBLEND + 1], float *cblend, int *has_c)
{
    size_t n = 0, nc = 0;
    for (size_t i = 0; i < t->ndocs; i++) {
        n += t->docs[i].dev && t->docs[i].pol >= 0;
        nc += t->docs[i].dev && t->docs[i].cmp >= 0;
    }
    double *X = malloc((n + 1) * HM_NBLEND * sizeof *X), *wt = malloc((n + 1) * sizeof *wt);
    int *y = malloc((n + 1) * sizeof *y);
    double *XC = malloc((nc + 1) * HM_NCBLEND * sizeof *XC), *wc = malloc((nc + 1) * sizeof *wc);
    int *yc = malloc((nc + 1) * sizeof *yc);
    size_t k = 0, kc = 0;
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (!d->dev || d->pol < 0)
            continue;
        double s[HM_NOUT];
        heads_scores(t, fc, d, fi, s);
        hm_lexscore ls = {d->lex[1] - d->lex[2], d->lex[0], d->lex[1], d->lex[2], d->nhits};
        hm_blend_inputs(s, &ls, d->lex[3], d->ntoks, d->social, X + k * HM_NBLEND);
        y[k] = d->pol;
        wt[k] = d->weight;
        k++;
    }
    memset(blend, 0, sizeof(float) * 3 * (HM_NBLEND + 1));
    if (k >= 10)
        fit_logistic(X, y, wt, k, HM_NBLEND, 3, 1e-3, &blend[0][0]);
    /* the complaint blend reads the calibrated polarity: fitted second */
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
        if (!d->dev || d->cmp < 0)
            continue;
        double s[HM_NOUT], xb[HM_NBLEND], pb[3];
        heads_scores(t, fc, d, fi, s);
        hm_lexscore ls = {d->lex[1] - d->lex[2], d->lex[0], d->lex[1], d->lex[2], d->nhits};
        hm_blend_inputs(s, &ls, d->lex[3], d->ntoks, d->social, xb);
        blend_apply((const float(*)[HM_NBLEND + 1])blend, xb, pb);
        hm_complaint_inputs(s, pb, &ls, d->lex[3], d->question, XC + kc * HM_NCBLEND);
        yc[kc] = d->cmp;
        wc[kc] = d->weight;
        kc++;
    }
    *has_c = 0;
    memset(cblend, 0, sizeof(float) * (HM_NCBLEND + 1));
    if (kc >= 10) {
        fit_logistic(XC, yc, wc, kc, HM_NCBLEND, 1, 1e-3, cblend);
        *has_c = 1;
    }
    free(X); free(wt); free(y); free(XC); free(wc); free(yc);
}

int hm_trainer_set_group(hm_trainer *t, int group)
{
    if (!t || group < 0 || group >= 1024)
        return HM_EINVAL;
    t->group = group;
    return 0;
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
    double alpha = o->alpha > 0 ? o->alpha : 0.5;
    int min_count = o->min_count > 0 ? o->min_count : 2;
    double prune = o->prune > 0 ? o->prune : 1e-3;
    hm_train_report r;
    memset(&r, 0, sizeof r);
    if (!t->balanced) {
        balance_groups(t, o->group_balance > 0 ? o->group_balance : 0.5);
        t->balanced = 1;
    }
    size_t ntr = 0, ndev = 0;
    for (size_t i = 0; i < t->ndocs; i++) {
        const doc *d = &t->docs[i];
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
            uint32_t *v = tab_slot(&tab, t->feats[d->off + k], &isnew);
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
                    v = tab_slot(&tab, t->feats[d->off + k], &isnew);
                    isnew = 1;
                }
                *v = (uint32_t)nf;
                keys[nf++] = t->feats[d->off + k];
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
            c[5] += 1;
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
    /* 3. heads, with the L2 pull tuned on dev */
    static const double grid[] = {1e-3, 1e-4, 1e-5};
    int ngrid = o->l2 > 0 || ndev == 0 ? 1 : 3;
    double best = -1, best_l2 = o->l2 > 0 ? o->l2 : 1e-4;
    float *best_w = NULL;
    double best_b[HM_NOUT] = {0};
    float bblend[3][HM_NBLEND + 1];
    float bcblend[HM_NCBLEND + 1];
    int bhas_c = 0;
    devscore bds;
    memset(&bds, 0, sizeof bds);
    for (int gi = 0; gi < ngrid; gi++) {
        double l2 = ngrid == 1 ? best_l2 : grid[gi];
        for (size_t i = 0; i < kept * HM_NOUT; i++)
            fc.w[i] = 1.0f;
        for (int h = 0; h < 3; h++) {
            double p = (cls_w[h] + 1) / (ctot + 2);
            fc.b[h] = log(p / (1 - p));
        }
        fc.b[3] = cmp_w[0] > 0 && cmp_w[1] > 0 ? log(cmp_w[1] / cmp_w[0]) : 0;
        for (int h = 0; h < 3; h++)
            sgd_head(t, &fc, fi, h, l2, epochs, seed, cwv[h]);
        if (cmp_w[0] > 0 && cmp_w[1] > 0)
            sgd_head(t, &fc, fi, 3, l2, epochs, seed, ccw);
        float blend[3][HM_NBLEND + 1], cblend[HM_NCBLEND + 1];
        int has_c = 0;
        fit_blends(t, &fc, fi, blend, cblend, &has_c);
        devscore ds;
        evaluate_dev(t, &fc, fi, (const float(*)[HM_NBLEND + 1])blend, has_c ? cblend : NULL, &ds);
        double score = ndev ? ds.acc + ds.macro_f1 : 1;
        if (score > best) {
            best = score;
            best_l2 = l2;
            free(best_w);
            best_w = malloc(kept * HM_NOUT * sizeof *best_w + 1);
            memcpy(best_w, fc.w, kept * HM_NOUT * sizeof *best_w);
            memcpy(best_b, fc.b, sizeof best_b);
            memcpy(bblend, blend, sizeof bblend);
            memcpy(bcblend, cblend, sizeof bcblend);
            bhas_c = has_c;
            bds = ds;
        }
    }
    r.l2 = best_l2;
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
    t->flags = (bhas_c ? HM_MF_COMPLAINT : 0) | HM_MF_NORM;
    t->info[0] = (float)ntr;
    t->info[1] = (float)ndev;
    t->info[2] = (float)bds.acc;
    t->info[3] = (float)bds.macro_f1;
    t->info[4] = (float)best_l2;
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
