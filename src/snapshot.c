/*
 * snapshot.c — the embedded lexicons, loaded once at build time.
 *
 * Reading the lexicon and category files means tokenizing and stemming some
 * ten thousand entries: tens of milliseconds.  The build does it once
 * (src/tools/snapshot.c) and embeds the resulting tables — the lexicon and
 * category maps, entries, cues, the pattern sources with their prefilter
 * literals — as one snapshot; opening an engine
 * with the embedded defaults copies the tables back.  Patterns are compiled on
 * first use, as for any lazily loaded source.
 *
 * Format (little-endian, as the machine that built it): "HMSNAP" 1 0, u32
 * version, u32 0, u64 payload length, payload.  The payload is a sequence of
 * u64 counts and raw arrays read back in the order they were written.  Like
 * the embedded models, it is part of the binary and carries no checksum, but
 * every read is bounds-checked: a snapshot that does not match is refused and
 * the engine falls back to the files.  The same files give the same bytes.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define SNAP_MAGIC "HMSNAP\x01"
#define SNAP_VERSION 11u
#define SNAP_HEADER 24

/* ---------- writing ---------- */

static int w64(hm_buf *b, uint64_t v) { return hm_buf_put(b, &v, sizeof v); }

static int wraw(hm_buf *b, const void *p, size_t n) { return w64(b, n) || hm_buf_put(b, p, n); }

static int wmap(hm_buf *b, const hm_map *m)
{
    if (w64(b, m->cap) || w64(b, m->count))
        return HM_ENOMEM;
    if (!m->cap)
        return 0;
    /* field by field: no padding bytes in the snapshot */
    if (hm_buf_reserve(b, m->cap * 20))
        return HM_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        const hm_slot *sl = &m->slots[i];
        uint32_t f[3] = {sl->koff, sl->klen, sl->val};
        if (!sl->h)
            f[0] = f[1] = f[2] = 0;
        hm_buf_put(b, &sl->h, sizeof sl->h);
        hm_buf_put(b, f, sizeof f);
    }
    return wraw(b, m->pool.p, m->pool.len);
}

_Static_assert(sizeof(struct cat_slot) == 8 && sizeof(struct cat_lit) == 16,
               "index slots and literals are written as they lie in memory (no padding)");

static int wbits(hm_buf *b, const uint64_t *bm, size_t nw) { return hm_buf_put(b, bm, nw * 8); }

/* The category prefilter's index as hm_categories_index built it (opening
 * the engine reads it back instead of building it again): per pattern its
 * anchoring and sets, the literals and their index, the pseudo-literals'
 * patterns, the bitmaps over patterns, the patterns that repeat others. */
static int write_index(hm_buf *b, const hm_cats *c)
{
    size_t nw = c->nwords;
    int rc = w64(b, nw) || hm_buf_put(b, c->stem_bits, sizeof c->stem_bits) ||
             hm_buf_put(b, c->lit_bloom, HM_LIT_BLOOM_WORDS * 8) ||
             hm_buf_put(b, c->lit_tri, HM_LIT_TRI_WORDS * 4);
    for (size_t i = 0; i < c->nre; i++)
        rc = rc || hm_buf_put(b, &c->re[i].anch, 1);
    rc = rc || hm_buf_put(b, c->need, c->nre);
    for (int t = 0; t < 3; t++)
        rc = rc || w64(b, c->lit_idx[t].cap) ||
             hm_buf_put(b, c->lit_idx[t].slot, c->lit_idx[t].cap * sizeof *c->lit_idx[t].slot);
    rc = rc || w64(b, c->nlits) || hm_buf_put(b, c->lits, c->nlits * sizeof *c->lits);
    rc = rc || w64(b, c->ntgts);
    for (size_t g = 0; g < c->ntgts; g++)
        rc = rc || hm_buf_put(b, &c->tgts[g].re, 2) || hm_buf_put(b, &c->tgts[g].set, 1);
    for (int d = 0; d < HM_PSEUDO_N; d++) {
        const struct cat_pseudo *ps = &c->pseudo[d];
        rc = rc || w64(b, ps->nre);
        for (size_t q = 0; q < ps->nre; q++)
            rc = rc || hm_buf_put(b, &ps->re[q].re, 2) || hm_buf_put(b, &ps->re[q].set, 1);
        rc = rc || hm_buf_put(b, ps->sets, c->nre) || wbits(b, ps->in[0], nw) ||
             wbits(b, ps->in[1], nw) || wbits(b, ps->in[2], nw) || wbits(b, ps->one, nw);
    }
    rc = rc || wbits(b, c->nsets1, nw) || wbits(b, c->nsets2, nw);
    for (int l = LANG_FR; l <= LANG_EN; l++)
        rc = rc || wbits(b, c->langok[l], nw) || wbits(b, c->always[l], nw);
    return rc || w64(b, c->ndup) || hm_buf_put(b, c->dup_slot, c->nre * sizeof *c->dup_slot);
}

static int write_payload(hm_buf *b, const hm_engine *e)
{
    const hm_lexicon *lx = &e->lex;
    const hm_cats *c = &e->cats;
    int rc = 0;
    for (int l = 0; l < LANG_N; l++)
        rc = rc || wmap(b, &lx->words[l]) || wmap(b, &lx->stems[l]) ||
             wmap(b, &lx->prefixes[l]) || w64(b, lx->nvalence[l]) ||
             w64(b, lx->nmods[l]);
    rc = rc || wraw(b, lx->entries, lx->nentries * sizeof *lx->entries);
    rc = rc || w64(b, c->ncats);
    for (size_t i = 0; i < c->ncats; i++)
        rc = rc || wraw(b, c->ids[i], strlen(c->ids[i]));
    for (int l = 0; l < LANG_N; l++)
        rc = rc || wmap(b, &c->stems[l]) || wmap(b, &c->phrases[l]) || wmap(b, &c->firsts[l]);
    rc = rc || w64(b, c->ncues);
    for (size_t i = 0; i < c->ncues; i++) {
        const cat_cue *q = &c->cues[i];
        uint32_t wbits;
        memcpy(&wbits, &q->weight, sizeof wbits);
        rc = rc || w64(b, q->cat) || w64(b, wbits) || w64(b, (uint64_t)(int64_t)q->next);
    }
    rc = rc || w64(b, c->nre) || w64(b, c->npatterns) || wraw(b, c->pat.p, c->pat.len) ||
         wraw(b, c->litsrc.p, c->litsrc.len);
    for (size_t i = 0; i < c->nre; i++) {
        const cat_regex *re = &c->re[i];
        uint32_t wbits;
        memcpy(&wbits, &re->weight, sizeof wbits);
        rc = rc || w64(b, re->pat_off) || w64(b, re->pat_len) || w64(b, re->cat) ||
             w64(b, re->lang) || w64(b, wbits) || w64(b, re->nlit) || w64(b, re->nsets) || w64(b, re->lit_first) ||
             w64(b, re->lead) || w64(b, re->after0) || w64(b, re->lit_off) || w64(b, re->lit_len);
    }
    /* the phrase filters, so that opening the engine need not hash every key */
    rc = rc || hm_buf_put(b, lx->phrase_bits, sizeof lx->phrase_bits) ||
         hm_buf_put(b, c->phrase_bits, sizeof c->phrase_bits);
    rc = rc || write_index(b, c);
    return rc ? HM_ENOMEM : 0;
}

int hm_snapshot_build(const hm_source *src, hm_buf *out, hm_status *st)
{
    hm_engine *e = calloc(1, sizeof *e);
    if (!e) {
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return HM_ENOMEM;
    }
    /* eager: a bad pattern fails the build with its file and line */
    int rc = hm_lexicon_load(&e->lex, src, e, st);
    if (!rc)
        rc = hm_categories_load(&e->cats, src, NULL, 0, st);
    if (!rc) {
        hm_lexicon_phrase_index(&e->lex);
        hm_categories_phrase_index(&e->cats);
        out->len = 0;
        char head[SNAP_HEADER];
        memset(head, 0, sizeof head);
        rc = hm_buf_put(out, head, sizeof head) || write_payload(out, e) ? HM_ENOMEM : 0;
    }
    if (!rc) {
        uint32_t ver = SNAP_VERSION;
        uint64_t plen = out->len - SNAP_HEADER;
        memcpy(out->p, SNAP_MAGIC, 8);
        memcpy(out->p + 8, &ver, 4);
        memcpy(out->p + 16, &plen, 8);
    }
    if (rc == HM_ENOMEM)
        hm_set_status(st, rc, "out of memory");
    hm_engine_close(e);
    return rc;
}

/* ---------- reading ---------- */

typedef struct rd {
    const unsigned char *p;
    size_t n, off;
    int bad;
} rd;

static const void *take(rd *r, size_t n)
{
    if (r->bad || n > r->n - r->off) {
        r->bad = 1;
        return NULL;
    }
    const void *q = r->p + r->off;
    r->off += n;
    return q;
}

static uint64_t r64(rd *r)
{
    uint64_t v = 0;
    const void *q = take(r, sizeof v);
    if (q)
        memcpy(&v, q, sizeof v);
    return v;
}

/* n elements of size sz in fresh memory, one more zeroed after them (the
 * sizes hm_categories_index allocates) */
static void *rarray(rd *r, size_t n, size_t sz)
{
    const void *q = take(r, n * sz);
    if (!q)
        return NULL;
    char *d = malloc((n + 1) * sz); /* not calloc: all but the last are copied over */
    if (!d) {
        r->bad = 1;
        return NULL;
    }
    memcpy(d, q, n * sz);
    memset(d + n * sz, 0, sz);
    return d;
}

/* A copy of the next n bytes in fresh memory (NULL when they are not there);
 * one extra byte holds a NUL. */
static void *rdup(rd *r, size_t n) { return rarray(r, n, 1); }

static uint64_t rcount(rd *r, uint64_t max)
{
    uint64_t v = r64(r);
    if (v > max)
        r->bad = 1;
    return r->bad ? 0 : v;
}

static void rmap(rd *r, hm_map *m)
{
    uint64_t cap = rcount(r, 1u << 26), count = rcount(r, cap);
    if (r->bad || !cap)
        return;
    if (cap & (cap - 1) || count >= cap) {
        r->bad = 1;
        return;
    }
    m->cap = cap;
    m->count = count;
    m->slots = calloc(cap, sizeof *m->slots);
    if (!m->slots) {
        r->bad = 1;
        return;
    }
    for (size_t i = 0; i < cap && !r->bad; i++) {
        const unsigned char *q = take(r, 20);
        if (!q)
            return;
        hm_slot *sl = &m->slots[i];
        memcpy(&sl->h, q, 8);
        memcpy(&sl->koff, q + 8, 4);
        memcpy(&sl->klen, q + 12, 4);
        memcpy(&sl->val, q + 16, 4);
    }
    uint64_t plen = rcount(r, UINT32_MAX);
    m->pool.p = rdup(r, plen);
    if (r->bad)
        return;
    m->pool.len = plen;
    m->pool.cap = plen + 1;
    size_t used = 0;
    for (size_t i = 0; i < cap; i++)
        if (m->slots[i].h) {
            used++;
            if ((uint64_t)m->slots[i].koff + m->slots[i].klen >= plen)
                r->bad = 1;
        }
    if (used != count) /* and so below cap: a probe always meets an empty slot */
        r->bad = 1;
}

/* a bitmap over the nre patterns: no bit past them */
static uint64_t *rbits(rd *r, size_t nw, size_t nre)
{
    uint64_t *bm = rarray(r, nw, sizeof *bm);
    if (bm && nre % 64 && (bm[nw - 1] >> (nre % 64)))
        r->bad = 1;
    return bm;
}

/* n (pattern, set) pairs of 3 bytes each in fresh memory: the pattern below
 * nre, the set below 3 */
static struct cat_target *rtargets(rd *r, size_t n, size_t nre)
{
    const unsigned char *q = take(r, n * 3);
    struct cat_target *g = q ? calloc(n + 1, sizeof *g) : NULL;
    if (!g) {
        r->bad = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(&g[i].re, q + 3 * i, 2);
        g[i].set = q[3 * i + 2];
        if (g[i].re >= nre || g[i].set >= 3)
            r->bad = 1;
    }
    return g;
}

/* The index write_index wrote, its values in range (hm_categories_adopt
 * checks how its parts fit together). */
static void read_index(rd *r, hm_cats *c)
{
    size_t nre = c->nre, nw = rcount(r, (nre + 63) / 64);
    if (nw != (nre + 63) / 64)
        r->bad = 1;
    const void *sb = take(r, sizeof c->stem_bits);
    if (sb)
        memcpy(c->stem_bits, sb, sizeof c->stem_bits);
    c->lit_bloom = rarray(r, HM_LIT_BLOOM_WORDS, sizeof *c->lit_bloom);
    c->lit_tri = rarray(r, HM_LIT_TRI_WORDS, sizeof *c->lit_tri);
    const unsigned char *anch = take(r, nre);
    for (size_t i = 0; anch && i < nre; i++) {
        c->re[i].anch = anch[i];
        if (anch[i] > (HM_ANCH_AT | HM_ANCH_PLACES | HM_ANCH_DIGITS | HM_ANCH_DLEAD))
            r->bad = 1;
    }
    c->need = rarray(r, nre, 1);
    for (size_t i = 0; c->need && i < nre; i++)
        if (c->need[i] > 7)
            r->bad = 1;
    for (int t = 0; t < 3; t++) {
        struct cat_index *x = &c->lit_idx[t];
        x->cap = rcount(r, 1u << 24);
        x->slot = rarray(r, x->cap, sizeof *x->slot);
    }
    c->nlits = rcount(r, 1u << 24);
    c->lits = rarray(r, c->nlits, sizeof *c->lits);
    c->ntgts = rcount(r, 1u << 24);
    c->tgts = rtargets(r, c->ntgts, nre);
    for (int d = 0; d < HM_PSEUDO_N && !r->bad; d++) {
        struct cat_pseudo *ps = &c->pseudo[d];
        ps->nre = rcount(r, nre);
        ps->re = rtargets(r, ps->nre, nre);
        ps->sets = rarray(r, nre, 1);
        for (size_t i = 0; ps->sets && i < nre; i++)
            if (ps->sets[i] > 7)
                r->bad = 1;
        for (int k = 0; k < 3; k++)
            ps->in[k] = rbits(r, nw, nre);
        ps->one = rbits(r, nw, nre);
    }
    c->nsets1 = rbits(r, nw, nre);
    c->nsets2 = rbits(r, nw, nre);
    for (int l = LANG_FR; l <= LANG_EN; l++) {
        c->langok[l] = rbits(r, nw, nre);
        c->always[l] = rbits(r, nw, nre);
    }
    c->ndup = rcount(r, nre);
    c->dup_slot = rarray(r, nre, sizeof *c->dup_slot);
    c->nwords = nw;
}

/* every value of the map is below max */
static void check_vals(rd *r, const hm_map *m, uint64_t max)
{
    for (size_t i = 0; !r->bad && i < m->cap; i++)
        if (m->slots[i].h && m->slots[i].val >= max)
            r->bad = 1;
}

/* Values the tables' users index or loop with are in range. */
static void check_payload(rd *r, const hm_engine *e)
{
    const hm_lexicon *lx = &e->lex;
    const hm_cats *c = &e->cats;
    for (int l = 0; l < LANG_N; l++) {
        check_vals(r, &lx->words[l], lx->nentries);
        check_vals(r, &lx->stems[l], lx->nentries);
        check_vals(r, &c->stems[l], c->ncues);
        check_vals(r, &c->phrases[l], c->ncues);
        check_vals(r, &c->firsts[l], 13);
    }
    for (size_t i = 0; !r->bad && i < lx->nentries; i++)
        if (lx->entries[i].phrase_max > 8 || lx->entries[i].modtype > MOD_CONTRAST ||
            lx->entries[i].induced > 1)
            r->bad = 1;
    for (size_t i = 0; !r->bad && i < c->nre; i++) {
        const cat_regex *re = &c->re[i];
        const char *lit = c->litsrc.p + re->lit_off; /* lit_len bytes (checked) */
        size_t o = 0;
        for (int q = 0; q < re->nlit && !r->bad; q++) {
            const char *z = o < re->lit_len ? memchr(lit + o, 0, re->lit_len - o) : NULL;
            size_t L = z ? (size_t)(z - (lit + o)) : 0;
            /* a flag byte and 1..HM_LIT_MAX bytes: the index copies them into a word */
            if (L < 2 || L > HM_LIT_MAX + 1 || ((lit[o] >> 2) & 3) >= re->nsets)
                r->bad = 1;
            o += L + 1;
        }
        if (!r->bad && o != re->lit_len)
            r->bad = 1;
        if ((re->nlit == 0) != (re->nsets == 0) || (re->after0 & ~(((1u << re->nsets) - 1) & ~1u)))
            r->bad = 1; /* after0: sets 1 to nsets - 1 */
    }
}

static void read_payload(rd *r, hm_engine *e)
{
    hm_lexicon *lx = &e->lex;
    hm_cats *c = &e->cats;
    for (int l = 0; l < LANG_N; l++) {
        rmap(r, &lx->words[l]);
        rmap(r, &lx->stems[l]);
        rmap(r, &lx->prefixes[l]);
        lx->nvalence[l] = rcount(r, SIZE_MAX);
        lx->nmods[l] = rcount(r, SIZE_MAX);
    }
    uint64_t nb = rcount(r, 1u << 30);
    if (nb % sizeof *lx->entries)
        r->bad = 1;
    lx->entries = rdup(r, nb);
    lx->nentries = lx->cap = nb / sizeof *lx->entries;
    uint64_t ncats = rcount(r, 64);
    c->ids = calloc(ncats + 1, sizeof *c->ids);
    if (!c->ids)
        r->bad = 1;
    for (size_t i = 0; !r->bad && i < ncats; i++) {
        c->ids[i] = rdup(r, rcount(r, 256));
        c->ncats += c->ids[i] != NULL;
    }
    for (int l = 0; l < LANG_N; l++) {
        rmap(r, &c->stems[l]);
        rmap(r, &c->phrases[l]);
        rmap(r, &c->firsts[l]);
    }
    uint64_t ncues = rcount(r, 1u << 24);
    c->cues = calloc(ncues + 1, sizeof *c->cues);
    if (!c->cues)
        r->bad = 1;
    for (size_t i = 0; !r->bad && i < ncues; i++) {
        cat_cue *q = &c->cues[i];
        q->cat = (uint16_t)rcount(r, ncats - 1);
        uint32_t wbits = (uint32_t)rcount(r, UINT32_MAX);
        memcpy(&q->weight, &wbits, sizeof wbits);
        int64_t next = (int64_t)r64(r);
        if (next < -1 || next >= (int64_t)ncues)
            r->bad = 1;
        q->next = (int32_t)next;
    }
    c->ncues = c->cuecap = ncues;
    uint64_t nre = rcount(r, UINT16_MAX);
    c->npatterns = rcount(r, SIZE_MAX);
    uint64_t plen = rcount(r, UINT32_MAX);
    c->pat.p = rdup(r, plen);
    c->pat.len = plen;
    c->pat.cap = plen + 1;
    uint64_t llen = rcount(r, UINT32_MAX);
    c->litsrc.p = rdup(r, llen);
    c->litsrc.len = llen;
    c->litsrc.cap = llen + 1;
    c->re = calloc(nre + 1, sizeof *c->re);
    if (!c->re)
        r->bad = 1;
    for (size_t i = 0; !r->bad && i < nre; i++) {
        cat_regex *re = &c->re[i];
        atomic_init(&re->code, NULL);
        atomic_init(&re->acode, NULL);
        re->pat_off = (uint32_t)rcount(r, plen);
        re->pat_len = (uint32_t)rcount(r, plen - re->pat_off);
        re->cat = (uint16_t)rcount(r, ncats - 1);
        re->lang = (uint8_t)rcount(r, LANG_N - 1);
        uint32_t wbits = (uint32_t)rcount(r, UINT32_MAX);
        memcpy(&re->weight, &wbits, sizeof wbits);
        re->nlit = (uint16_t)rcount(r, UINT16_MAX);
        re->nsets = (uint8_t)rcount(r, 3);
        re->lit_first = (uint8_t)rcount(r, 1);
        re->lead = (uint16_t)rcount(r, LEAD_UNBOUNDED);
        re->after0 = (uint8_t)rcount(r, 7);
        re->lit_off = (uint32_t)rcount(r, llen);
        re->lit_len = (uint32_t)rcount(r, llen - re->lit_off);
        c->nre++;
    }
    c->recap = c->nre;
    const void *lb = take(r, sizeof lx->phrase_bits), *cb = take(r, sizeof c->phrase_bits);
    if (lb && cb) {
        memcpy(lx->phrase_bits, lb, sizeof lx->phrase_bits);
        memcpy(c->phrase_bits, cb, sizeof c->phrase_bits);
        lx->phrase_indexed = c->phrase_indexed = 1;
    }
    read_index(r, c);
    if (c->ncats != ncats || r->off != r->n)
        r->bad = 1;
    if (!r->bad)
        check_payload(r, e);
}

int hm_snapshot_load(hm_engine *e, const void *p, size_t n, hm_status *st)
{
    const unsigned char *b = p;
    uint32_t ver;
    uint64_t plen;
    if (n < SNAP_HEADER || memcmp(b, SNAP_MAGIC, 8))
        goto bad;
    memcpy(&ver, b + 8, 4);
    memcpy(&plen, b + 16, 8);
    if (ver != SNAP_VERSION || plen != n - SNAP_HEADER)
        goto bad;
    rd r = {b + SNAP_HEADER, plen, 0, 0};
    read_payload(&r, e);
    if (r.bad)
        goto bad;
    if (hm_categories_adopt(&e->cats) == 0)
        return hm_categories_ready(&e->cats, st);
bad:
    hm_set_status(st, HM_EFORMAT, "embedded lexicon snapshot does not match this build");
    return HM_EFORMAT;
}
