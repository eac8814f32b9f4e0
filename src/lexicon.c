/*
 * lexicon.c — valence and modifier lexicons from plain TSV files.
 *
 * A file's header line says what it holds:
 *   term  valence         — valence entries (words, phrases, emoji, emoticons)
 *   term  type  value     — modifiers: negator, booster, contrast
 * Its folder says the language: en/ and fr/ for one language, the top level for
 * both (emoji.tsv).  Terms are tokenized with the same tokenizer as posts, so a
 * key is the token norms joined by single spaces: "Très déçu" -> "tres decu",
 * "n'importe quoi" -> "n' importe quoi".  Single-word valence entries are also
 * indexed by their Snowball stem, so inflected forms match.  A malformed line is
 * refused with HM_EFORMAT naming the file and line.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hm_tsv_next(const char *data, size_t len, size_t *pos, int *lineno, const char **f,
                size_t *fl, int maxf)
{
    while (*pos < len) {
        size_t s = *pos, e = s;
        while (e < len && data[e] != '\n')
            e++;
        *pos = e < len ? e + 1 : e;
        (*lineno)++;
        size_t le = e;
        if (le > s && data[le - 1] == '\r')
            le--;
        /* skip blank lines and comments */
        size_t k = s;
        while (k < le && (data[k] == ' ' || data[k] == '\t'))
            k++;
        if (k == le || data[k] == '#')
            continue;
        int n = 0;
        size_t fs = s;
        for (size_t j = s; j <= le; j++) {
            if (j == le || data[j] == '\t') {
                if (n < maxf) {
                    f[n] = data + fs;
                    fl[n] = j - fs;
                }
                n++;
                fs = j + 1;
            }
        }
        return n;
    }
    return 0;
}

static int new_entry(hm_lexicon *lx, uint32_t *idx)
{
    if (lx->nentries == lx->cap) {
        size_t nc = lx->cap ? lx->cap * 2 : 1024;
        lex_entry *e = realloc(lx->entries, nc * sizeof *e);
        if (!e)
            return HM_ENOMEM;
        lx->entries = e;
        lx->cap = nc;
    }
    memset(&lx->entries[lx->nentries], 0, sizeof(lex_entry));
    *idx = (uint32_t)lx->nentries++;
    return 0;
}

static int get_or_new(hm_lexicon *lx, int lang, const char *k, size_t n, uint32_t *idx)
{
    if (hm_map_get(&lx->words[lang], k, n, idx))
        return 0;
    if (new_entry(lx, idx) || hm_map_put(&lx->words[lang], k, n, *idx))
        return HM_ENOMEM;
    return 0;
}

const lex_entry *hm_lex_word(const hm_lexicon *lx, int lang, const char *k, size_t n)
{
    uint32_t v;
    if (hm_map_get(&lx->words[lang], k, n, &v))
        return &lx->entries[v];
    return NULL;
}

const lex_entry *hm_lex_word_h(const hm_lexicon *lx, int lang, const char *k, size_t n, uint64_t h)
{
    uint32_t v;
    if (hm_map_get_h(&lx->words[lang], k, n, h, &v))
        return &lx->entries[v];
    return NULL;
}

/* The derivational family of a word, from its ending (w: the accent-free
 * lower-case form).  Snowball's stems join words that are not inflections of
 * one another and often differ in sentiment: "énergie" and "énergique",
 * "attention" and "attente", "valeur" and "valeureux", "position" and
 * "positive", "generation" and "generous".  A stem matches a lexicon word only
 * when both are of the same family (0 for plain forms and inflections). */
#define DS(s, c) {s, sizeof s - 1, c}
static const struct dsuf { const char *s; uint8_t len, cls; } dsuf_fr[] = {
    DS("ique", 1), DS("isme", 2), DS("iste", 2), DS("able", 3), DS("ible", 3), DS("eux", 4),
    DS("euse", 4), DS("ance", 5), DS("ence", 5), DS("tion", 6), DS("sion", 6), DS("xion", 6),
    DS("ment", 7), DS("ite", 8), DS("if", 9), DS("ive", 9), DS("ant", 10), DS("ante", 10),
    DS("eur", 11), DS("rice", 11), DS("age", 12), DS("al", 13), DS("ale", 13), DS("aux", 13),
    {NULL, 0, 0}};
static const struct dsuf dsuf_en[] = {
    DS("ic", 1), DS("ical", 1), DS("ism", 2), DS("ist", 2), DS("able", 3), DS("ible", 3),
    DS("ous", 4), DS("ance", 5), DS("ence", 5), DS("ancy", 5), DS("ency", 5), DS("ion", 6),
    DS("ment", 7), DS("ity", 8), DS("ive", 9), DS("ant", 10), DS("ent", 10), DS("al", 13),
    {NULL, 0, 0}};
#undef DS

/* The last letters (a to z, one bit each) of a suffix table's suffixes,
 * computed on first use; bit 31 tells it is.  Threads that race compute the
 * same value (relaxed atomics: no data race). */
static uint32_t dsuf_last(const struct dsuf *t, _Atomic uint32_t *memo)
{
    uint32_t m = atomic_load_explicit(memo, memory_order_relaxed);
    if (!m) {
        m = 1u << 31;
        for (int i = 0; t[i].s; i++)
            m |= 1u << (t[i].s[t[i].len - 1] - 'a');
        atomic_store_explicit(memo, m, memory_order_relaxed);
    }
    return m;
}

int hm_deriv_class(int lang, const char *w, size_t n)
{
    static _Atomic uint32_t last_fr, last_en;
    const struct dsuf *t = lang == LANG_FR ? dsuf_fr : dsuf_en;
    /* the plural of a French word or an English noun does not change its family */
    if (n > 4 && w[n - 1] == 's' && !(lang == LANG_EN && w[n - 2] == 's'))
        n--;
    /* no suffix ends with the word's last letter (most words): no family */
    unsigned char z = (unsigned char)(n ? w[n - 1] : 0);
    if (z < 'a' || z > 'z' ||
        !(dsuf_last(t, lang == LANG_FR ? &last_fr : &last_en) >> (z - 'a') & 1))
        return 0;
    int best = 0;
    size_t bl = 0;
    for (int i = 0; t[i].s; i++) {
        size_t l = t[i].len;
        /* the last letters first: most suffixes fail there */
        if (l > bl && n >= l + 3 && w[n - 1] == t[i].s[l - 1] && hm_eq(w + n - l, t[i].s, l)) {
            best = t[i].cls;
            bl = l;
        }
    }
    return best;
}

/* A stem's key in the stems map: the stem and a byte for its family. */
static size_t stem_key(char *k, size_t cap, const char *stem, size_t sl, int cls)
{
    if (sl + 1 > cap)
        return 0;
    memcpy(k, stem, sl);
    k[sl] = (char)('A' + cls);
    return sl + 1;
}

const lex_entry *hm_tok_stem_lookup(const hm_textbuf *tb, const hm_lexicon *lx, int lang,
                                    const tok *t, uint32_t *mm)
{
    char k[256];
    size_t kl = stem_key(k, sizeof k, tb_str(tb, t->stem), t->stem_len,
                         hm_deriv_class(lang, tb_str(tb, t->norm), t->norm_len));
    uint32_t v;
    int found = kl && hm_map_get(&lx->stems[lang], k, kl, &v);
    if (mm)
        *mm = found ? v + 2 : 1;
    return found ? &lx->entries[v] : NULL;
}

typedef struct loadctx {
    hm_lexicon *lx;
    hm_textbuf tb;
    hm_stemcache *stem;
    hm_buf key;
} loadctx;

static int parse_num(const char *s, size_t n, double *out)
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *end;
    *out = strtod(tmp, &end);
    if (end == tmp || *end || !isfinite(*out))
        return -1;
    return 0;
}

/* Insert a term for one language: valence (has_val) or modifier. */
static int add_term(loadctx *c, int lang, const char *term, size_t tn, int has_val, double val,
                    int modtype, double modval, int weak, int *ntok_out)
{
    hm_lexicon *lx = c->lx;
    int rc = hm_tokenize(&c->tb, term, tn);
    if (rc)
        return rc;
    c->key.len = 0;
    size_t ntok = 0;
    size_t ends[8]; /* where the key of the first 1..8 words ends */
    for (size_t i = 0; i < c->tb.ntoks; i++) {
        const tok *t = &c->tb.toks[i];
        if (t->flags & HM_TF_HASHPART)
            continue;
        if (ntok && hm_buf_putc(&c->key, ' '))
            return HM_ENOMEM;
        if (hm_buf_put(&c->key, tb_str(&c->tb, t->norm), t->norm_len))
            return HM_ENOMEM;
        if (ntok < 8)
            ends[ntok] = c->key.len;
        ntok++;
    }
    *ntok_out = (int)ntok;
    if (ntok == 0)
        return HM_EFORMAT;
    uint32_t idx;
    /* an induced term never replaces a hand-written one */
    if (weak && hm_map_get(&lx->words[lang], c->key.p, c->key.len, &idx) &&
        (lx->entries[idx].has_val || lx->entries[idx].modtype))
        return 0;
    if (get_or_new(lx, lang, c->key.p, c->key.len, &idx))
        return HM_ENOMEM;
    lex_entry *e = &lx->entries[idx];
    if (has_val) {
        if (!e->has_val)
            lx->nvalence[lang]++;
        e->has_val = 1;
        e->valence = (float)val;
        e->induced = (uint8_t)(weak != 0);
    }
    if (modtype) {
        if (!e->modtype)
            lx->nmods[lang]++;
        e->modtype = (uint8_t)modtype;
        e->modval = (float)modval;
    }
    if (ntok > 1) {
        const tok *t0 = &c->tb.toks[0];
        uint32_t fidx;
        if (get_or_new(lx, lang, tb_str(&c->tb, t0->norm), t0->norm_len, &fidx))
            return HM_ENOMEM;
        lex_entry *f = &lx->entries[fidx];
        if (f->phrase_max < ntok)
            f->phrase_max = (uint8_t)(ntok > 8 ? 8 : ntok);
        /* its beginnings of 2 words or more, so that a search for phrases
         * stops as soon as the words read start none */
        for (size_t m = 2; m < ntok && m < 8; m++)
            if (hm_map_put(&lx->prefixes[lang], c->key.p, ends[m - 1], 1))
                return HM_ENOMEM;
    } else if (has_val && val != 0 && !weak && c->tb.toks[0].type == HM_TOK_WORD && c->stem) {
        /* (a neutral term, valence 0, blocks its own form only) */
        const tok *t0 = &c->tb.toks[0];
        const char *lw = tb_str(&c->tb, t0->lower);
        hm_buf sb = {0};
        uint32_t off;
        uint16_t sl;
        if (hm_stem(c->stem, lang, lw, strlen(lw), &sb, &off, &sl)) {
            hm_buf_free(&sb);
            return HM_ENOMEM;
        }
        uint32_t old;
        char k[256];
        size_t kl = stem_key(k, sizeof k, sb.p + off, sl,
                             hm_deriv_class(lang, tb_str(&c->tb, t0->norm), t0->norm_len));
        hm_buf_free(&sb);
        if (sl >= 2 && kl && !hm_map_get(&lx->stems[lang], k, kl, &old) &&
            hm_map_put(&lx->stems[lang], k, kl, idx))
            return HM_ENOMEM;
    }
    return 0;
}

static int lang_of(const char *name)
{
    if (strncmp(name, "en/", 3) == 0)
        return LANG_EN;
    if (strncmp(name, "fr/", 3) == 0)
        return LANG_FR;
    return LANG_UND; /* both */
}

/* Files named induced.tsv hold what `humeur induce` learnt from labelled posts. */
static int is_induced(const char *name)
{
    const char *b = strrchr(name, '/');
    return !strcmp(b ? b + 1 : name, "induced.tsv");
}

static int load_one(loadctx *c, const hm_source *src, hm_status *st)
{
    size_t pos = 0;
    int line = 0;
    const char *f[4];
    size_t fl[4];
    int nf = hm_tsv_next(src->data, src->len, &pos, &line, f, fl, 4);
    if (nf == 0)
        return 0; /* an empty file adds nothing */
    int kind;
    if (nf == 2 && fl[0] == 4 && !memcmp(f[0], "term", 4) && fl[1] == 7 && !memcmp(f[1], "valence", 7))
        kind = 1;
    else if (nf == 3 && fl[0] == 4 && !memcmp(f[0], "term", 4) && fl[1] == 4 && !memcmp(f[1], "type", 4))
        kind = 2;
    else {
        hm_set_status(st, HM_EFORMAT, "%s:%d: unknown header: expected 'term<TAB>valence' or 'term<TAB>type<TAB>value'",
                      src->name, line);
        return HM_EFORMAT;
    }
    int flang = lang_of(src->name);
    while ((nf = hm_tsv_next(src->data, src->len, &pos, &line, f, fl, 4)) > 0) {
        int want = kind == 1 ? 2 : 3;
        if (nf != want) {
            hm_set_status(st, HM_EFORMAT, "%s:%d: expected %d tab-separated fields, found %d",
                          src->name, line, want, nf);
            return HM_EFORMAT;
        }
        double val = 0, mv = 0;
        int modtype = 0;
        if (kind == 1) {
            if (parse_num(f[1], fl[1], &val) || val < -4 || val > 4) {
                hm_set_status(st, HM_EFORMAT, "%s:%d: valence must be a number in [-4, 4]",
                              src->name, line);
                return HM_EFORMAT;
            }
        } else {
            if (fl[1] == 7 && !memcmp(f[1], "negator", 7))
                modtype = MOD_NEGATOR;
            else if (fl[1] == 7 && !memcmp(f[1], "booster", 7))
                modtype = MOD_BOOSTER;
            else if (fl[1] == 8 && !memcmp(f[1], "contrast", 8))
                modtype = MOD_CONTRAST;
            else {
                hm_set_status(st, HM_EFORMAT, "%s:%d: type must be negator, booster or contrast",
                              src->name, line);
                return HM_EFORMAT;
            }
            if (parse_num(f[2], fl[2], &mv) || mv < -1 || mv > 4) {
                hm_set_status(st, HM_EFORMAT, "%s:%d: modifier value must be a number in [-1, 4]",
                              src->name, line);
                return HM_EFORMAT;
            }
        }
        for (int lang = LANG_FR; lang <= LANG_EN; lang++) {
            if (flang != LANG_UND && flang != lang)
                continue;
            int ntok = 0;
            int rc = add_term(c, lang, f[0], fl[0], kind == 1, val, modtype, mv,
                              is_induced(src->name), &ntok);
            if (rc == HM_EFORMAT) {
                hm_set_status(st, HM_EFORMAT, "%s:%d: empty term", src->name, line);
                return rc;
            }
            if (rc) {
                hm_set_status(st, rc, "%s:%d: %s", src->name, line, hm_strerror(rc));
                return rc;
            }
        }
    }
    return 0;
}

/* src: NULL-name-terminated list of sources; category files are skipped here.
 * The induced files are read last: the hand-written files win on a term both
 * hold, and on a stem both give. */
int hm_lexicon_load(hm_lexicon *lx, const hm_source *src, struct hm_engine *e, hm_status *st)
{
    (void)e;
    loadctx c;
    memset(&c, 0, sizeof c);
    c.lx = lx;
    hm_stemcache sc;
    int rc = hm_stem_init(&sc);
    if (rc) {
        hm_set_status(st, rc, "cannot create Snowball stemmers");
        return rc;
    }
    c.stem = &sc;
    for (int pass = 0; pass < 2 && !rc; pass++)
        for (size_t i = 0; src[i].name; i++) {
            if (strncmp(src[i].name, "categories/", 11) == 0 || is_induced(src[i].name) != pass)
                continue;
            rc = load_one(&c, &src[i], st);
            if (rc)
                break;
        }
    hm_stem_free(&sc);
    hm_textbuf_free(&c.tb);
    hm_buf_free(&c.key);
    return rc;
}

void hm_lexicon_phrase_index(hm_lexicon *lx)
{
    memset(lx->phrase_bits, 0, sizeof lx->phrase_bits);
    for (int l = 0; l < LANG_N; l++) {
        const hm_map *w = &lx->words[l], *p = &lx->prefixes[l];
        uint64_t *bits = lx->phrase_bits[l];
        size_t nw = HM_HFILTER_WORDS(lx->phrase_bits[l]);
        for (size_t j = 0; j < w->cap; j++)
            if (w->slots[j].h && memchr(w->pool.p + w->slots[j].koff, ' ', w->slots[j].klen))
                hm_hfilter_add(bits, nw, w->slots[j].h);
        for (size_t j = 0; j < p->cap; j++)
            if (p->slots[j].h)
                hm_hfilter_add(bits, nw, p->slots[j].h);
    }
    lx->phrase_indexed = 1;
}

void hm_lexicon_free(hm_lexicon *lx)
{
    for (int l = 0; l < LANG_N; l++) {
        hm_map_free(&lx->words[l]);
        hm_map_free(&lx->stems[l]);
        hm_map_free(&lx->prefixes[l]);
    }
    free(lx->entries);
    memset(lx, 0, sizeof *lx);
}

static int tok_is_ne(const hm_textbuf *tb, const tok *t)
{
    return t->type == HM_TOK_WORD && tb_str_is_ne(tb, t->norm);
}

/* Is "ne"/"n'" among the `words` words from token i in direction dir (-1
 * before, +1 after), within its clause? */
static int ne_near(const hm_textbuf *tb, size_t i, int dir, size_t words)
{
    size_t w = 0;
    for (size_t j = i; w < words;) {
        if (dir < 0 ? j == 0 : j + 1 >= tb->ntoks)
            break;
        j = dir < 0 ? j - 1 : j + 1;
        const tok *u = &tb->toks[j];
        if (u->type == HM_TOK_PUNCT)
            break;
        if (u->type != HM_TOK_WORD)
            continue;
        if (tok_is_ne(tb, u))
            return 1;
        w++;
    }
    return 0;
}

/* Is token i a negator that applies?  Weak negators (modifier value & 2: French
 * "plus", "personne", "point", "guère") only negate next to "ne"/"n'" in their
 * clause, within three words before or two after: "n'est plus bon", "personne
 * n'a répondu", but not "plus rapide" or "une personne aimable". */
int hm_tok_negator(const hm_textbuf *tb, const hm_lexicon *lx, int lang, size_t i)
{
    const tok *t = &tb->toks[i];
    if (t->type != HM_TOK_WORD)
        return 0;
    const lex_entry *e = TOK_WORD_E(lx, lang, tb, t);
    if (!e || e->modtype != MOD_NEGATOR || e->has_val)
        return 0;
    if (!((int)e->modval & 2))
        return 1;
    return ne_near(tb, i, -1, 3) || ne_near(tb, i, +1, 2);
}

/* Is word i negated: a negator that applies (hm_tok_negator) among the
 * `before` words before it or the `after` words after it, in its clause
 * (punctuation ends the look); with stop_contrast, a contrast word ("but",
 * "mais") ends the look back, as it starts a new clause. */
int hm_tok_negated(const hm_textbuf *tb, const hm_lexicon *lx, int lang, size_t i, int before,
                   int after, int stop_contrast)
{
    for (size_t j = i, seen = 0; j > 0 && seen < (size_t)before; j--) {
        const tok *t = &tb->toks[j - 1];
        if (t->type == HM_TOK_PUNCT)
            break;
        if (t->type != HM_TOK_WORD)
            continue;
        seen++;
        if (hm_tok_negator(tb, lx, lang, j - 1))
            return 1;
        if (stop_contrast) {
            const lex_entry *e = TOK_WORD_E(lx, lang, tb, t);
            if (e && e->modtype == MOD_CONTRAST)
                break;
        }
    }
    for (size_t j = i + 1, seen = 0; j < tb->ntoks && seen < (size_t)after; j++) {
        const tok *t = &tb->toks[j];
        if (t->type == HM_TOK_PUNCT)
            break;
        if (t->type != HM_TOK_WORD)
            continue;
        seen++;
        if (hm_tok_negator(tb, lx, lang, j))
            return 1;
    }
    return 0;
}
