/*
 * stem.c — Snowball stemming through libstemmer, one stemmer per analyzer and
 * language, with a bounded per-analyzer cache so frequent words are stemmed once.
 * Input is the lower-case NFC form (Snowball's expectation); the stem is then
 * stripped of accents so that "déçue" and "decue" meet on the same key.
 */
#include "internal.h"

#include <libstemmer.h>
#include <string.h>

/* The stem cache: a cache line per lookup and no allocation; the words of a
 * stream come back often enough for most of Snowball's work to be saved (the
 * token cache forgets rare words and tells apart spellings of the same
 * lower-case word). */
_Static_assert(sizeof(sc_entry) == 32, "two stem cache entries per cache line");

int hm_stem_init(hm_stemcache *c)
{
    memset(c, 0, sizeof *c);
    c->sb[LANG_FR] = sb_stemmer_new("french", "UTF_8");
    c->sb[LANG_EN] = sb_stemmer_new("english", "UTF_8");
    c->sets = hm_alloc_huge(SC_SETS * 2 * sizeof *c->sets);
    if (!c->sb[LANG_FR] || !c->sb[LANG_EN] || !c->sets) {
        hm_stem_free(c);
        return HM_ENOMEM;
    }
    return 0;
}

void hm_stem_free(hm_stemcache *c)
{
    for (int l = 0; l < LANG_N; l++)
        if (c->sb[l])
            sb_stemmer_delete(c->sb[l]);
    hm_free_huge(c->sets, SC_SETS * 2 * sizeof *c->sets);
    memset(c, 0, sizeof *c);
}

/* Appends the stem of lower, accents stripped, and a NUL to b. */
static int snowball(hm_stemcache *c, int lang, const char *lower, size_t n, hm_buf *b)
{
    const sb_symbol *s = sb_stemmer_stem(c->sb[lang], (const sb_symbol *)lower, (int)n);
    if (!s)
        return HM_ENOMEM;
    int k = sb_stemmer_length(c->sb[lang]);
    return hm_strip_accents(b, (const char *)s, (size_t)k) || hm_buf_putc(b, 0) ? HM_ENOMEM : 0;
}

int hm_stem(hm_stemcache *c, int lang, const char *lower, size_t n, hm_buf *out, uint32_t *off,
            uint16_t *len)
{
    return hm_stem_h(c, lang, lower, n, hm_hash(lower, n), out, off, len);
}

int hm_stem_h(hm_stemcache *c, int lang, const char *lower, size_t n, uint64_t h, hm_buf *out,
              uint32_t *off, uint16_t *len)
{
    if (lang != LANG_FR && lang != LANG_EN)
        lang = LANG_EN;
    sc_entry *set = &c->sets[(h & (SC_SETS - 1)) * 2];
    uint32_t tag = (uint32_t)(h >> 32) | 1u;
    size_t o = out->len, sl;
    for (int w = 0; w < 2; w++) {
        sc_entry *e = &set[w];
        if (e->tag != tag || e->klen != n || e->lang != lang || !hm_eq(e->s, lower, n))
            continue;
        sl = e->slen;
        if (hm_buf_put(out, e->s + n, sl) || hm_buf_putc(out, 0))
            return HM_ENOMEM;
        if (w) { /* the last used first */
            sc_entry t = set[0];
            set[0] = set[1];
            set[1] = t;
        }
        goto done;
    }
    /* the key is taken before Snowball's stem is appended to out (lower may
     * lie in out, which may move) */
    sc_entry ne = {tag, (uint8_t)lang, (uint8_t)n, 0, {0}};
    int keep = n < SC_CHARS;
    if (keep)
        memcpy(ne.s, lower, n);
    if (snowball(c, lang, lower, n, out))
        return HM_ENOMEM;
    sl = out->len - o - 1;
    if (keep && n + sl <= SC_CHARS) {
        memcpy(ne.s + n, out->p + o, sl);
        ne.slen = (uint8_t)sl;
        set[1] = set[0];
        set[0] = ne;
    }
done:
    *off = (uint32_t)o;
    *len = (uint16_t)(sl > UINT16_MAX ? UINT16_MAX : sl);
    return 0;
}
