/*
 * stem.c — Snowball stemming through libstemmer, one stemmer per analyzer and
 * language, with a bounded per-analyzer cache so frequent words are stemmed once.
 * Input is the lower-case NFC form (Snowball's expectation); the stem is then
 * stripped of accents so that "déçue" and "decue" meet on the same key.
 */
#include "internal.h"

#include <libstemmer.h>
#include <string.h>

#define STEM_CACHE_MAX 65536

int hm_stem_init(hm_stemcache *c)
{
    memset(c, 0, sizeof *c);
    c->sb[LANG_FR] = sb_stemmer_new("french", "UTF_8");
    c->sb[LANG_EN] = sb_stemmer_new("english", "UTF_8");
    if (!c->sb[LANG_FR] || !c->sb[LANG_EN]) {
        hm_stem_free(c);
        return HM_ENOMEM;
    }
    return 0;
}

void hm_stem_free(hm_stemcache *c)
{
    for (int l = 0; l < LANG_N; l++) {
        if (c->sb[l])
            sb_stemmer_delete(c->sb[l]);
        hm_map_free(&c->map[l]);
        hm_buf_free(&c->vals[l]);
    }
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
    if (lang != LANG_FR && lang != LANG_EN)
        lang = LANG_EN;
    uint32_t v;
    const char *stem;
    size_t sl;
    if (hm_map_get(&c->map[lang], lower, n, &v)) {
        stem = c->vals[lang].p + v;
        sl = strlen(stem);
    } else {
        if (c->map[lang].count >= STEM_CACHE_MAX) {
            hm_map_free(&c->map[lang]);
            c->vals[lang].len = 0;
        }
        hm_buf *vb = &c->vals[lang];
        size_t voff = vb->len;
        if (snowball(c, lang, lower, n, vb))
            return HM_ENOMEM;
        if (voff > UINT32_MAX || hm_map_put(&c->map[lang], lower, n, (uint32_t)voff))
            return HM_ENOMEM;
        stem = vb->p + voff;
        sl = vb->len - voff - 1;
    }
    *off = (uint32_t)out->len;
    *len = (uint16_t)(sl > UINT16_MAX ? UINT16_MAX : sl);
    if (hm_buf_put(out, stem, sl) || hm_buf_putc(out, 0))
        return HM_ENOMEM;
    return 0;
}

int hm_stem_uncached(hm_stemcache *c, int lang, const char *lower, size_t n, hm_buf *out,
                     uint32_t *off, uint16_t *len)
{
    if (lang != LANG_FR && lang != LANG_EN)
        lang = LANG_EN;
    size_t o = out->len;
    if (snowball(c, lang, lower, n, out))
        return HM_ENOMEM;
    size_t sl = out->len - o - 1;
    *off = (uint32_t)o;
    *len = (uint16_t)(sl > UINT16_MAX ? UINT16_MAX : sl);
    return 0;
}
