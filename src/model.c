/*
 * model.c — the naive Bayes-weighted linear models and the calibrated blend.
 *
 * Features of a post (shared with training, see hm_features()): Snowball stems
 * of words (accent-free), emoji and emoticons, "<url>", "<num>" (whole numbers
 * 0 to 10 as themselves: ratings), "<dur>", "@" (with the handle, and its
 * letter trigrams for the complaint head alone, last), "!" and "?" runs; words in a
 * negation scope are marked (NOT_x); bigrams of consecutive items ("7/10"
 * gives the bigram 7 10).  Features are hashed to 64 bits; a document's
 * features are binarized (each counts once).  A post of long_from tokens or
 * more reads the long-post weights: its features are re-keyed (hm_long_key).
 *
 * A model file holds, for one language, an open-addressing table of 32-bit
 * fingerprints and, per slot, HM_NOUT int16 weights (negative, neutral,
 * positive one-vs-rest NB-LR logits, and the complaint logit), a scale, the
 * biases, and the blend: a multinomial logistic model over the NB logits and
 * the lexicon's features that turns them into calibrated probabilities (and a
 * logistic model for complaints), the decision biases per length domain and
 * the complaint threshold.  The file is little-endian with a magic, a format
 * version and a checksum, and is used in place (mmap or the embedded bytes):
 * no parsing, no allocation proportional to its size.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------- feature hashing ---------- */

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

#define K_UNI 0x9e3779b97f4a7c15ULL
#define K_NOT 0xc2b2ae3d27d4eb4fULL
#define K_BI 0x165667b19e3779f9ULL
#define K_HANDLE 0xd6e8feb86659fd93ULL
#define K_HGRAM 0x8cb92ba72f3d8dd7ULL

/* Letter trigrams of an @mention's handle, its ends marked ("@ryan_22":
 * "^ry", "rya", ..., "22$"): what an account never seen in training looks
 * like, a person's ("ryan", digits at the end) or a company's ("help",
 * "care", "uk").  The first GRAM_MAX letters: GRAM_MAX trigrams at most. */
#define GRAM_MAX 16

static size_t handle_grams(const char *h, size_t n, uint64_t *F, int32_t *T)
{
    char b[GRAM_MAX + 2];
    if (n > GRAM_MAX)
        n = GRAM_MAX;
    b[0] = '^';
    memcpy(b + 1, h, n);
    b[n + 1] = '$';
    size_t k = 0;
    for (size_t i = 0; i + 3 <= n + 2; i++) {
        F[k] = mix64(hm_hash_inline(b + i, 3) ^ K_HGRAM);
        T[k++] = -1;
    }
    return k;
}

/* hm_hash of a fixed feature key (a string literal) */
#define KEY_HASH(lit) hm_hash_inline(lit, sizeof lit - 1)

static int weak_negator(const lex_entry *e) { return ((int)e->modval & 2) != 0; }

int hm_features(hm_analyzer *a, hm_featbuf *fb)
{
    const hm_textbuf *tb = &a->tb;
    const hm_lexicon *lx = &a->e->lex;
    int lang = a->lang == LANG_UND ? LANG_EN : a->lang;
    fb->n = 0;
    /* the complaint head's own features (the handles' trigrams) go after
     * room for the others, then are moved to follow them */
    size_t base = tb->ntoks * 3 + 4, need = base;
    if (tb->kinds & 1u << HM_TOK_MENTION)
        for (size_t i = 0; i < tb->ntoks; i++)
            need += tb->toks[i].type == HM_TOK_MENTION ? GRAM_MAX : 0;
    if (need > fb->cap) {
        size_t nc = fb->cap ? fb->cap : 256;
        while (nc < need)
            nc *= 2;
        uint64_t *f = realloc(fb->f, nc * sizeof *f);
        int32_t *t = realloc(fb->tok, nc * sizeof *t);
        if (f)
            fb->f = f;
        if (t)
            fb->tok = t;
        if (!f || !t)
            return HM_ENOMEM;
        fb->cap = nc;
    }
    /* the buffer and count in locals: stores through fb->f may alias fb->n */
    uint64_t *F = fb->f;
    int32_t *T = fb->tok;
    size_t nf = 0, nc = 0;
    int neg_on = 0, ne_seen = 0;
    uint64_t prev = 0;
    int have_prev = 0;
    for (size_t i = 0; i < tb->ntoks; i++) {
        const tok *t = &tb->toks[i];
        /* h: the hash of the string the feature stands for: the token's stem
         * or norm (whose hashes the token keeps), or a fixed key (KEY_HASH) */
        uint64_t h;
        switch (t->type) {
        case HM_TOK_WORD:
            h = t->stem_len ? t->sh : t->nh;
            break;
        case HM_TOK_EMOJI:
        case HM_TOK_EMOTICON:
            h = t->nh;
            break;
        case HM_TOK_URL: h = KEY_HASH("<url>"); break;
        case HM_TOK_NUMBER:
            /* small whole numbers are ratings ("7/10", "2 stars", "0 sur 5") */
            if (t->value >= 0 && t->value <= 10 && t->value == (double)(int)t->value &&
                t->norm_len <= 2) {
                h = t->nh;
            } else {
                h = KEY_HASH("<num>");
            }
            break;
        case HM_TOK_DURATION: h = KEY_HASH("<dur>"); break;
        case HM_TOK_MENTION: h = KEY_HASH("@"); break;
        case HM_TOK_PUNCT:
            neg_on = 0;
            ne_seen = 0;
            if (t->punct_excl) h = KEY_HASH("!");
            else if (t->punct_q) h = KEY_HASH("?");
            else {
                /* "7/10": the slash keeps the bigram of the two numbers */
                if (!(t->norm_len == 1 && tb_str(tb, t->norm)[0] == '/'))
                    have_prev = 0;
                continue;
            }
            break;
        default:
            continue; /* hashtags are read through their parts; symbols are noise */
        }
        int negated = neg_on;
        if (t->type == HM_TOK_WORD) {
            const lex_entry *e = TOK_WORD_E(lx, lang, tb, t);
            if (tb_str_is_ne(tb, t->norm))
                ne_seen = 1;
            if (e && e->modtype == MOD_CONTRAST) {
                neg_on = 0;
                negated = 0;
            } else if (e && e->modtype == MOD_NEGATOR && !e->has_val &&
                       (!weak_negator(e) || ne_seen)) {
                neg_on = 1;
                negated = 0;
            }
        }
        F[nf] = mix64(h ^ (negated ? K_NOT : K_UNI));
        T[nf++] = (int32_t)i;
        if (t->type == HM_TOK_MENTION && t->norm_len > 1) {
            /* the account addressed as well (a brand's, a person's) */
            F[nf] = mix64(t->nh ^ K_HANDLE);
            T[nf++] = -1;
            nc += handle_grams(tb_str(tb, t->norm) + 1, t->norm_len - 1, F + base + nc,
                               T + base + nc);
        }
        if (have_prev) {
            F[nf] = mix64(prev * K_BI + h);
            T[nf++] = -1;
        }
        prev = h;
        have_prev = 1;
    }
    F[nf] = mix64(K_UNI * 7); /* a constant feature: the prior of short posts */
    T[nf++] = -1;
    memmove(F + nf, F + base, nc * sizeof *F);
    memmove(T + nf, T + base, nc * sizeof *T);
    fb->n = nf + nc;
    fb->nc = nc;
    return 0;
}

/* Remove duplicate features in place (binarized documents).  Small n: sort. */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

size_t hm_features_unique(uint64_t *f, size_t n)
{
    if (n < 2)
        return n;
    qsort(f, n, sizeof *f, cmp_u64);
    size_t w = 1;
    for (size_t i = 1; i < n; i++)
        if (f[i] != f[w - 1])
            f[w++] = f[i];
    return w;
}

/* ---------- blend features ---------- */

void hm_blend_inputs(const double s[HM_NOUT], const hm_lexscore *ls, double cue_total,
                     size_t ntoks, int social, double x[HM_NBLEND])
{
    x[0] = s[0];
    x[1] = s[1];
    x[2] = s[2];
    x[3] = ls->score;
    x[4] = log1p(ls->pos);
    x[5] = log1p(ls->neg);
    x[6] = cue_total > 3 ? 3 : cue_total;
    x[7] = log1p((double)ntoks) / 4.0;
    /* the lexicon's rules (negation, idioms) matter most on short posts */
    x[8] = ls->score / (1.0 + (double)ntoks / 8.0);
    x[9] = ls->nhits ? 1.0 : 0.0;
    /* social posts (@, #, URLs) and long reviews shift priors and the models' reliability */
    x[10] = social ? 1.0 : 0.0;
    x[11] = social ? s[1] : 0.0;
    x[12] = (s[2] - s[0]) * x[7];
}

int hm_is_social(const hm_textbuf *tb)
{
    _Static_assert(HM_TOK_SYMBOL < 32, "a bit per token type");
    return (tb->kinds & (1u << HM_TOK_MENTION | 1u << HM_TOK_HASHTAG | 1u << HM_TOK_URL)) != 0;
}

void hm_softmax3(const double z[3], double p[3])
{
    double m = fmax(z[0], fmax(z[1], z[2]));
    double e0 = exp(z[0] - m), e1 = exp(z[1] - m), e2 = exp(z[2] - m);
    double s = e0 + e1 + e2;
    p[0] = e0 / s;
    p[1] = e1 / s;
    p[2] = e2 / s;
}

int hm_decide(const double p[3], const float b[3])
{
    double q0 = p[0] * exp(b[0]), q1 = p[1] * exp(b[1]), q2 = p[2] * exp(b[2]);
    return q0 >= q1 && q0 >= q2 ? 0 : q2 > q1 ? 2 : 1;
}

/* ---------- file format ---------- */

/* header: magic 8, version 4, byte-order mark 4, lang 4, outputs 4, capacity 4,
 * flags 4, file size 8, checksum 8; then scale, biases[NOUT] (floats), nsrc,
 * router capacity (u32), router scale (float), long_from (u32), complaint
 * threshold, complaint blend, info[8] (floats); then per source its blend
 * [3][NBLEND + 1], decision biases [3] and router bias (floats); zero padding to
 * HM_MODEL_HEADER; then fingerprints[cap], weights[cap][NOUT], router
 * fingerprints[rcap] and router weights[rcap][nsrc].
 * Version 4 added long_from, decision biases, the complaint threshold and the
 * rating-number features; version 5 the sources' blends and the router;
 * version 6 three more complaint blend inputs (hm_complaint_signals);
 * version 7 a feature for the account an @mention addresses; version 8 the
 * letter trigrams of @mention handles. */
_Static_assert(48 + 4 * (1 + HM_NOUT + 5 + HM_NCBLEND + 1 + 8) +
                       4 * HM_MAXSRC * (3 * (HM_NBLEND + 1) + 3 + 1) <= HM_MODEL_HEADER,
               "model header too small");

/* little-endian helpers (the format is little-endian whatever the host) */
static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static float rdf(const unsigned char *p)
{
    uint32_t u = rd32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

uint64_t hm_checksum(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0x243f6a8885a308d3ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ mix64(w + i)) * 0x9fb21c651e98df25ULL;
    }
    for (; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return mix64(h ^ n);
}

static int host_is_le(void)
{
    uint32_t x = 1;
    unsigned char c;
    memcpy(&c, &x, 1);
    return c == 1;
}

int hm_model_bind(hm_model *m, const unsigned char *p, size_t n, int verify, const char *name,
                  hm_status *st)
{
    memset(m, 0, sizeof *m);
    if (n < HM_MODEL_HEADER || memcmp(p, HM_MODEL_MAGIC, 8) != 0) {
        hm_set_status(st, HM_EFORMAT, "%s: not a humeur model file (bad magic or too short)", name);
        return HM_EFORMAT;
    }
    uint32_t version = rd32(p + 8), endian = rd32(p + 12);
    if (endian != 0x01020304u) {
        hm_set_status(st, HM_EFORMAT, "%s: wrong byte order marker", name);
        return HM_EFORMAT;
    }
    if (version != HM_MODEL_VERSION) {
        hm_set_status(st, HM_EVERSION, "%s: model format version %u, this build reads %u", name,
                      version, HM_MODEL_VERSION);
        return HM_EVERSION;
    }
    if (!host_is_le()) {
        hm_set_status(st, HM_EFORMAT, "%s: this build reads models on little-endian hosts only", name);
        return HM_EFORMAT;
    }
    uint32_t lang = rd32(p + 16), nout = rd32(p + 20), cap = rd32(p + 24), flags = rd32(p + 28);
    uint64_t size, sum;
    memcpy(&size, p + 32, 8);
    memcpy(&sum, p + 40, 8);
    if ((lang != LANG_FR && lang != LANG_EN) || nout != HM_NOUT || cap == 0 ||
        (cap & (cap - 1)) || cap > (1u << 26)) {
        hm_set_status(st, HM_EFORMAT, "%s: bad model header", name);
        return HM_EFORMAT;
    }
    const unsigned char *q = p + 48;
    m->scale = rdf(q);
    q += 4;
    for (int c = 0; c < HM_NOUT; c++, q += 4)
        m->bias[c] = rdf(q);
    uint32_t nsrc = rd32(q), rcap = rd32(q + 4);
    m->rscale = rdf(q + 8);
    m->long_from = rd32(q + 12);
    m->cthresh = rdf(q + 16);
    q += 20;
    if (nsrc < 1 || nsrc > HM_MAXSRC || (nsrc == 1) != (rcap == 0) ||
        (rcap && (rcap < 1024 || (rcap & (rcap - 1)) || rcap > (1u << 24)))) {
        hm_set_status(st, HM_EFORMAT, "%s: bad model header (sources or router)", name);
        return HM_EFORMAT;
    }
    size_t want = HM_MODEL_HEADER + (size_t)cap * 4 + (size_t)cap * HM_NOUT * 2 +
                  (size_t)rcap * 4 + (size_t)rcap * nsrc * 2;
    if (size != want || n < want) {
        hm_set_status(st, HM_EFORMAT, "%s: truncated or wrong size (%zu bytes, header says %llu, expected %zu)",
                      name, n, (unsigned long long)size, want);
        return HM_EFORMAT;
    }
    if (verify && hm_checksum(p + 48, want - 48) != sum) {
        hm_set_status(st, HM_ECHECKSUM, "%s: checksum mismatch: the file is corrupt", name);
        return HM_ECHECKSUM;
    }
    m->lang = (int)lang;
    m->cap = cap;
    m->flags = flags;
    m->nsrc = nsrc;
    m->rcap = rcap;
    for (int j = 0; j <= HM_NCBLEND; j++, q += 4)
        m->cblend[j] = rdf(q);
    for (int j = 0; j < 8; j++, q += 4)
        m->info[j] = rdf(q);
    int bad = 0;
    for (uint32_t k = 0; k < nsrc; k++) {
        for (int c = 0; c < 3; c++)
            for (int j = 0; j <= HM_NBLEND; j++, q += 4)
                bad |= !isfinite(m->blend[k][c][j] = rdf(q));
        for (int c = 0; c < 3; c++, q += 4) {
            m->dbias[k][c] = rdf(q);
            bad |= !isfinite(m->dbias[k][c]) || fabsf(m->dbias[k][c]) > 20;
        }
        bad |= !isfinite(m->rbias[k] = rdf(q));
        q += 4;
    }
    if (bad || !isfinite(m->scale) || m->scale <= 0 || (rcap && !(m->rscale > 0 && isfinite(m->rscale)))) {
        hm_set_status(st, HM_EFORMAT, "%s: bad weights in the model header", name);
        return HM_EFORMAT;
    }
    if (!(m->cthresh > 0 && m->cthresh < 1)) {
        hm_set_status(st, HM_EFORMAT, "%s: bad complaint threshold", name);
        return HM_EFORMAT;
    }
    m->fp = (const uint32_t *)(const void *)(p + HM_MODEL_HEADER);
    m->w = (const int16_t *)(const void *)(p + HM_MODEL_HEADER + (size_t)cap * 4);
    const unsigned char *r = p + HM_MODEL_HEADER + (size_t)cap * 4 + (size_t)cap * HM_NOUT * 2;
    m->rfp = rcap ? (const uint32_t *)(const void *)r : NULL;
    m->rw = rcap ? (const int16_t *)(const void *)(r + (size_t)rcap * 4) : NULL;
    m->base = p;
    m->size = want;
    return 0;
}

int hm_model_open_file(hm_model *m, const char *path, hm_status *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        hm_set_status(st, HM_EIO, "%s: %s", path, strerror(errno));
        return HM_EIO;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0) {
        close(fd);
        hm_set_status(st, HM_EFORMAT, "%s: not a regular, non-empty file", path);
        return HM_EFORMAT;
    }
    size_t n = (size_t)sb.st_size;
    void *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        hm_set_status(st, HM_EIO, "%s: %s", path, strerror(errno));
        return HM_EIO;
    }
    int rc = hm_model_bind(m, p, n, 1, path, st);
    if (rc) {
        munmap(p, n);
        return rc;
    }
    m->mapped = p;
    m->mapped_size = n;
    return 0;
}

void hm_model_close(hm_model *m)
{
    if (m->mapped)
        munmap(m->mapped, m->mapped_size);
    memset(m, 0, sizeof *m);
}

#define K_LONG 0x27d4eb2f165667c5ULL

uint64_t hm_long_key(uint64_t f) { return mix64(f ^ K_LONG); }

int hm_model_domain(const hm_model *m, size_t ntoks)
{
    return m->long_from && ntoks >= m->long_from;
}

/* r[k] += w[k] for k < ns (ns <= HM_MAXSRC): straight-line code entered at
 * ns (one well-predicted branch) instead of a loop of a few turns per feature */
static inline void router_add(long long *r, const int16_t *w, uint32_t ns)
{
    _Static_assert(HM_MAXSRC == 16, "one case per source count");
    switch (ns) {
    case 16: r[15] += w[15]; /* fallthrough */
    case 15: r[14] += w[14]; /* fallthrough */
    case 14: r[13] += w[13]; /* fallthrough */
    case 13: r[12] += w[12]; /* fallthrough */
    case 12: r[11] += w[11]; /* fallthrough */
    case 11: r[10] += w[10]; /* fallthrough */
    case 10: r[9] += w[9]; /* fallthrough */
    case 9: r[8] += w[8]; /* fallthrough */
    case 8: r[7] += w[7]; /* fallthrough */
    case 7: r[6] += w[6]; /* fallthrough */
    case 6: r[5] += w[5]; /* fallthrough */
    case 5: r[4] += w[4]; /* fallthrough */
    case 4: r[3] += w[3]; /* fallthrough */
    case 3: r[2] += w[2]; /* fallthrough */
    case 2: r[1] += w[1]; /* fallthrough */
    case 1: r[0] += w[0]; /* fallthrough */
    default: break;
    }
}

/* Sum the weights of the document's features: s[c] = bias + sum W_c(f). */
void hm_model_score(const hm_model *m, const uint64_t *f, size_t n, size_t nc, int domain,
                    double s[HM_NOUT], double *q, int32_t *best_tok, double *best_w, size_t nbest, const int32_t *toks)
{
    long long wide[HM_NOUT] = {0}, rwide[HM_MAXSRC] = {0};
    for (size_t k = 0; k < nbest; k++) {
        best_tok[k] = -1;
        best_w[k] = 0;
    }
    /* the weakest of the kept features (the first of equals) and its size */
    size_t worst = 0;
    double worst_abs = 0;
    uint32_t mask = m->cap - 1, rmask = m->rcap ? m->rcap - 1 : 0, ns = m->nsrc;
    int best = nbest && toks;
    /* the tables are read at random: ask for the slots a few features ahead,
     * so that the misses overlap (the router's table is small, the main one
     * large) */
    enum { AHEAD = 8 };
#define KEY(i) (domain ? mix64(f[i] ^ K_LONG) : f[i])
#define FETCH(h)                                                                    \
    do {                                                                            \
        uint32_t a_ = (uint32_t)(h) & mask;                                         \
        __builtin_prefetch(&m->fp[a_]);                                             \
        __builtin_prefetch(&m->w[(size_t)a_ * HM_NOUT]);                            \
        if (rmask) {                                                                \
            uint32_t r_ = (uint32_t)(h) & rmask;                                    \
            __builtin_prefetch(&m->rfp[r_]);                                        \
            __builtin_prefetch(&m->rw[(size_t)r_ * ns]);                            \
        }                                                                           \
    } while (0)
    uint64_t ring[AHEAD];
    for (size_t i = 0; i < n && i < AHEAD; i++) {
        ring[i] = KEY(i);
        FETCH(ring[i]);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t h = ring[i % AHEAD];
        if (i + AHEAD < n) {
            uint64_t ha = KEY(i + AHEAD);
            ring[i % AHEAD] = ha;
            FETCH(ha);
        }
        uint32_t fp = (uint32_t)(h >> 32) | 1u;
        uint32_t j = (uint32_t)h & mask;
        while (m->fp[j]) {
            if (m->fp[j] == fp) {
                const int16_t *w = m->w + (size_t)j * HM_NOUT;
                _Static_assert(HM_NOUT == 4, "four weights per slot");
                wide[0] += w[0];
                wide[1] += w[1];
                wide[2] += w[2];
                wide[3] += w[3];
                if (best && toks[i] >= 0) {
                    double d = (double)(w[2] - w[0]) * m->scale;
                    /* keep the strongest single-token features for the evidence */
                    if (fabs(d) > worst_abs) {
                        best_w[worst] = d;
                        best_tok[worst] = toks[i];
                        worst = 0;
                        for (size_t k = 1; k < nbest; k++)
                            if (fabs(best_w[k]) < fabs(best_w[worst]))
                                worst = k;
                        worst_abs = fabs(best_w[worst]);
                    }
                }
                break;
            }
            j = (j + 1) & mask;
        }
        /* the router: which training source the post is most like */
        if (rmask && i < n - nc) {
            j = (uint32_t)h & rmask;
            while (m->rfp[j]) {
                if (m->rfp[j] == fp) {
                    router_add(rwide, m->rw + (size_t)j * ns, ns);
                    break;
                }
                j = (j + 1) & rmask;
            }
        }
    }
#undef FETCH
#undef KEY
    /* the polarity heads and the router count the features they read */
    int on = (m->flags & HM_MF_NORM) != 0;
    double norm = on && n > nc ? 1.0 / sqrt((double)(n - nc)) : 1.0;
    for (int c = 0; c < HM_NOUT; c++)
        s[c] = m->bias[c] + (double)wide[c] * m->scale *
                                (c == 3 && on && n ? 1.0 / sqrt((double)n) : norm);
    if (!rmask) {
        q[0] = 1.0;
        return;
    }
    double mx = -1e300;
    for (uint32_t k = 0; k < ns; k++) {
        q[k] = m->rbias[k] + (double)rwide[k] * m->rscale * norm;
        if (q[k] > mx)
            mx = q[k];
    }
    double sum = 0;
    for (uint32_t k = 0; k < ns; k++)
        sum += q[k] = exp(q[k] - mx);
    for (uint32_t k = 0; k < ns; k++)
        q[k] /= sum;
}

void hm_complaint_inputs(const double s[HM_NOUT], const double p[3], const hm_lexscore *ls,
                         double cue_total, const hm_csig *cs, double x[HM_NCBLEND])
{
    x[0] = s[3];
    x[1] = ls->score;
    x[2] = log1p(ls->neg);
    x[3] = cue_total > 3 ? 3 : cue_total;
    x[4] = cs->question ? 1.0 : 0.0;
    x[5] = p[0] - p[2]; /* the calibrated polarity */
    x[6] = cs->support ? 1.0 : 0.0;
    x[7] = cs->mention ? 1.0 : 0.0;
    x[8] = log1p((double)cs->problem);
}

void hm_blend_probs(const hm_model *m, const double x[HM_NBLEND], const double *q, double p[3],
                    float b[3])
{
    p[0] = p[1] = p[2] = 0;
    b[0] = b[1] = b[2] = 0;
    for (uint32_t k = 0; k < m->nsrc; k++) {
        if (q[k] < 1e-4)
            continue;
        double z[3], pk[3];
        for (int c = 0; c < 3; c++) {
            z[c] = m->blend[k][c][HM_NBLEND];
            for (int j = 0; j < HM_NBLEND; j++)
                z[c] += m->blend[k][c][j] * x[j];
        }
        hm_softmax3(z, pk);
        for (int c = 0; c < 3; c++) {
            p[c] += q[k] * pk[c];
            b[c] += (float)(q[k] * m->dbias[k][c]);
        }
    }
    double t = p[0] + p[1] + p[2];
    for (int c = 0; c < 3; c++)
        p[c] /= t;
}
