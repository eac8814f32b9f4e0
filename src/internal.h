/*
 * internal.h — private types shared by the stages of the pipeline.
 * Nothing here is API: only humeur.h is installed.
 */
#ifndef HM_INTERNAL_H
#define HM_INTERNAL_H

#define HM_BUILDING 1
#include "humeur.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <stdatomic.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct sb_stemmer;

/* ---------- util.c: buffers, hashing, string maps, status ---------- */

typedef struct hm_buf {
    char *p;
    size_t len, cap;
} hm_buf;

int hm_buf_reserve(hm_buf *b, size_t extra);           /* 0 or HM_ENOMEM */
/* hm_buf_reserve with its common case (room enough already) inline */
static inline int hm_buf_room(hm_buf *b, size_t extra)
{
    return b->cap - b->len > extra ? 0 : hm_buf_reserve(b, extra);
}

/* Append n bytes (and keep a NUL after them); inline: the hot paths call these
 * per token and per character. */
static inline int hm_buf_put(hm_buf *b, const void *s, size_t n)
{
    if (hm_buf_room(b, n))
        return HM_ENOMEM;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
    return 0;
}

static inline int hm_buf_putc(hm_buf *b, char c)
{
    if (hm_buf_room(b, 1))
        return HM_ENOMEM;
    b->p[b->len++] = c;
    b->p[b->len] = 0;
    return 0;
}

/* inline, so that the length of a string literal is known at compile time */
static inline int hm_buf_puts(hm_buf *b, const char *s) { return hm_buf_put(b, s, strlen(s)); }
void hm_buf_free(hm_buf *b);
/* size bytes (a multiple of 2 MiB), zeroed, 2 MiB-aligned and, where the
 * system gives transparent huge pages on request, on huge pages: for tables
 * read at random, which with 4 KiB pages miss the TLB on most reads.  NULL
 * when out of memory; hm_free_huge(p, size) frees it. */
void *hm_alloc_huge(size_t size);
void hm_free_huge(void *p, size_t size);
/* Numbers without stdio.  hm_fmt_uint writes the digits of v (no NUL, at most
 * 20 bytes) and returns their count; hm_fmt_g4 writes exactly what
 * snprintf("%.4g", v) writes, NUL included, into at least HM_FMT_G4_MAX bytes,
 * and returns the length. */
#define HM_FMT_G4_MAX 32
size_t hm_fmt_uint(char *out, uint64_t v);
size_t hm_fmt_g4(char *out, double v);
int hm_buf_put_uint(hm_buf *b, uint64_t v);

uint64_t hm_hash(const void *p, size_t n);
/* Eight bytes at a time (SWAR), x read little-endian from a string: each
 * returns the top bit (0x80) of every byte it finds, exactly (no carry or
 * borrow crosses a byte). */
#define HM_BYTES(v) (0x0101010101010101ULL * (v))
/* the bytes of x in [lo, hi], for bytes below 0x80 (1 <= lo <= hi < 0x80):
 * mask the top bits off, and with ~x, to read any bytes */
static inline uint64_t hm_bytes_in(uint64_t x, unsigned lo, unsigned hi)
{
    return (x + HM_BYTES(0x80 - lo)) & ~(x + HM_BYTES(0x7F - hi)) & HM_BYTES(0x80);
}
/* the bytes of x equal to b */
static inline uint64_t hm_bytes_eq(uint64_t x, unsigned char b)
{
    uint64_t y = x ^ HM_BYTES(b);
    return ~(((y & HM_BYTES(0x7F)) + HM_BYTES(0x7F)) | y | HM_BYTES(0x7F));
}
/* hm_hash in steps, for keys built piece by piece:
 * hm_hash(p, n) == hm_hash_end(hm_hash_step(HM_HASH_SEED, p, n)), and
 * hm_hash_step(hm_hash_step(h, a, n), b, m) steps over a then b */
#define HM_HASH_SEED 1469598103934665603ULL
static inline uint64_t hm_hash_step(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}
static inline uint64_t hm_hash_end(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h ? h : 1;
}
/* hm_hash inline, for keys of a length the compiler knows (a fixed key, a
 * trigram): no call, and the loop unrolled or folded away */
static inline uint64_t hm_hash_inline(const void *p, size_t n)
{
    return hm_hash_end(hm_hash_step(HM_HASH_SEED, p, n));
}

/* Open-addressing map from byte strings to 32-bit values; keys are copied into
 * the map's own pool.  Built once (engine open), then read-only. */
typedef struct hm_slot {
    uint64_t h;         /* hash of the key; 0 = empty slot */
    uint32_t koff;      /* key offset into pool */
    uint32_t klen;
    uint32_t val, pad;
} hm_slot;              /* one probe reads one slot: hash, key place and value together */

typedef struct hm_map {
    hm_slot *slots;
    size_t cap, count;
    hm_buf pool;
} hm_map;

int hm_map_put(hm_map *m, const char *k, size_t n, uint32_t v); /* replaces */
int hm_map_get(const hm_map *m, const char *k, size_t n, uint32_t *v); /* 1 found */

/* n bytes equal; inline (short keys: a call to memcmp costs more than the work) */
static inline int hm_eq(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    uint64_t p, q;
    if (n >= 8) {
        for (size_t i = 0; i + 8 <= n; i += 8) {
            memcpy(&p, x + i, 8);
            memcpy(&q, y + i, 8);
            if (p != q)
                return 0;
        }
        memcpy(&p, x + n - 8, 8); /* the tail, overlapping */
        memcpy(&q, y + n - 8, 8);
        return p == q;
    }
    if (n >= 4) { /* the first and last four bytes, overlapping */
        uint32_t a0, a1, b0, b1;
        memcpy(&a0, x, 4);
        memcpy(&b0, y, 4);
        memcpy(&a1, x + n - 4, 4);
        memcpy(&b1, y + n - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

/* hm_map_get with h = hm_hash(k, n) already known (tokens keep theirs) */
static inline int hm_map_get_h(const hm_map *m, const char *k, size_t n, uint64_t h, uint32_t *v)
{
    if (!m->cap)
        return 0;
    size_t j = h & (m->cap - 1);
    for (;;) {
        const hm_slot *sl = &m->slots[j];
        if (!sl->h)
            return 0;
        if (sl->h == h && sl->klen == n && hm_eq(m->pool.p + sl->koff, k, n)) {
            *v = sl->val;
            return 1;
        }
        j = (j + 1) & (m->cap - 1);
    }
}
void hm_map_free(hm_map *m);

void hm_set_status(hm_status *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---------- text.c: UTF-8, normalization, tokenization ---------- */

enum { LANG_UND = 0, LANG_FR = 1, LANG_EN = 2, LANG_N = 3 };

typedef struct tok {
    uint8_t type, flags;
    uint8_t punct_excl, punct_q; /* for punct runs: counts of ! and ? */
    uint32_t start, end;         /* bytes of the original text */
    uint32_t norm, lower, stem;  /* offsets into analyzer->strs (NUL-terminated) */
    uint16_t norm_len, stem_len;
    int16_t hashtag;             /* hashtag parts: index of the hashtag token, else -1 */
    double value;
    uint64_t nh, sh;             /* hm_hash of norm and of stem: computed once, probed often */
    int32_t ce;                  /* the token's entry in the token cache, -1 for none */
    uint8_t stem_lang;           /* the language the stem was computed for */
} tok;

/* Token cache: what a token's bytes always give (norm, lower, flags, and per
 * language its stem), so that a frequent word is folded and stemmed once.  A
 * fixed table per analyzer, emptied between two posts when full. */
#define TC_INLINE 12              /* keys this long at most are kept in the entry */
typedef struct tc_entry {
    uint64_t h;                  /* hash of type and bytes; 0 = empty slot */
    uint64_t nh;                 /* hash of the norm */
    char k[TC_INLINE];           /* the key, when at most TC_INLINE bytes */
    uint32_t str;                /* pool offset of the key (when longer), then the norm
                                    (unless TC_SIMPLE), then the lower-case form when it
                                    differs (TC_LOWER) */
    uint32_t stem;               /* pool offset + 1 of the stem in language mlang (its hm_hash,
                                    8 bytes, then its string), 0 = none, UINT32_MAX: the norm */
    uint32_t mword[2];           /* TCM_WORD per language (fr, en): 0 = not yet */
    uint32_t mone[3];            /* TCM_STEM, TCM_CSTEM, TCM_CFIRST in language mlang */
    uint8_t klen, norm_len, lower_len, stem_len;
    uint8_t type, flags;         /* token type; TC_* flags, the TCM_LID memo in bits 4-6 */
    uint8_t uses;                /* hits since it was added or last kept, at most TC_USES_MAX */
    uint8_t mlang;               /* the language of stem and mone (LANG_FR, LANG_EN; 0: none) */
} tc_entry;                      /* one 64-byte cache line */

/* Point entry e's single-language memos (stem, mone) at lang, forgetting those
 * of another language. */
static inline void hm_tc_lang(tc_entry *e, int lang)
{
    if (e->mlang != lang) {
        e->mlang = (uint8_t)lang;
        e->stem = 0;
        e->mone[0] = e->mone[1] = e->mone[2] = 0;
    }
}

/* Lookups whose answer depends on the token alone, memoized in its cache
 * entry (the analyzer's engine is fixed): lexicon entry of the norm and of the
 * stem, category cue chain of the stem, longest category phrase it starts
 * (the language-id vote has hm_tc_lid). */
enum { TCM_WORD, TCM_STEM, TCM_CSTEM, TCM_CFIRST };

typedef struct hm_tokcache {
    tc_entry *slots;             /* NULL: no cache (loaders) */
    size_t count;
    uint32_t *used;              /* the slots of the count entries, in the order added */
    hm_buf pool;
    tc_entry *kept;              /* while trimming: the entries kept */
    hm_buf pool2;                /* while trimming: their strings */
} hm_tokcache;

typedef struct hm_textbuf {
    tok *toks;
    size_t ntoks, tcap;
    hm_buf strs;          /* token strings */
    hm_buf scratch;
    hm_buf scratch2;
    hm_buf nfc;           /* code points while composing to NFC */
    int all_caps;         /* the whole text is in capitals: caps emphasis is off */
    uint32_t kinds;       /* bit 1 << type for every token type the text has */
    int any_q;            /* a punctuation run with a '?' */
    hm_tokcache tc;
} hm_textbuf;

/* 0 or HM_ENOMEM: give the text buffer a token cache (analyzers do). */
int hm_textbuf_cache(hm_textbuf *tb);
void hm_textbuf_free(hm_textbuf *tb);
#define TC_STEM_NORM UINT32_MAX      /* tc_entry.stem: the stem is the norm */
/* hm_tc_stem_get when the stem is not the norm: its string appended to
 * tb->strs, its hash read from the pool */
int hm_tc_stem_copy(hm_textbuf *tb, tok *t, const tc_entry *e);
/* The stem of word token t in language lang (LANG_FR or LANG_EN) from the
 * token cache: 1 when it was there (t->stem, stem_len, sh set, the string
 * appended to tb->strs unless it is the norm), -1 when out of memory;
 * hm_tc_stem_put records t's stem once computed.  Inline: most words' stem
 * is their norm, shared with its hash. */
static inline int hm_tc_stem_get(hm_textbuf *tb, tok *t, int lang)
{
    if (t->ce < 0)
        return 0;
    const tc_entry *e = &tb->tc.slots[t->ce];
    if (e->mlang != lang || !e->stem)
        return 0;
    if (e->stem == TC_STEM_NORM && e->stem_len == t->norm_len) {
        /* the norm itself (its string and its hash) */
        t->stem = t->norm;
        t->stem_len = t->norm_len;
        t->sh = t->nh;
        return 1;
    }
    return hm_tc_stem_copy(tb, t, e);
}
int hm_tc_stem_put(hm_textbuf *tb, const tok *t, int lang);
/* The memo slot of lookup kind (TCM_*) for token t in lang (LANG_FR or
 * LANG_EN; anything else has none): NULL when t has no cache entry, or for
 * lookups of its stem in another language than the stem's.  A slot
 * holds 0 until filled; callers store their answer + 1 or + 2.  The text
 * buffer is const to its readers: the memo is a cache, filled on first use. */
static inline uint32_t *hm_tc_memo(const hm_textbuf *tb, const tok *t, int kind, int lang)
{
    if (t->ce < 0 || (lang != LANG_FR && lang != LANG_EN))
        return NULL;
    if ((kind == TCM_STEM || kind == TCM_CSTEM) && lang != t->stem_lang)
        return NULL;
    tc_entry *e = &tb->tc.slots[t->ce]; /* the slots are the analyzer's, not const */
    if (kind == TCM_WORD)
        return &e->mword[lang == LANG_FR ? 0 : 1];
    hm_tc_lang(e, lang);
    return &e->mone[kind - TCM_STEM];
}

/* The language-id vote memo of token t: the vote + 1, 0 when not yet (or
 * no cache entry); hm_tc_lid_set records vote + 1 (1 to 7). */
static inline unsigned hm_tc_lid(const hm_textbuf *tb, const tok *t)
{
    return t->ce < 0 ? 0 : (tb->tc.slots[t->ce].flags >> 4) & 7u;
}
static inline void hm_tc_lid_set(const hm_textbuf *tb, const tok *t, unsigned v)
{
    if (t->ce >= 0) {
        tc_entry *e = &tb->tc.slots[t->ce];
        e->flags = (uint8_t)((e->flags & 0x8F) | (v & 7u) << 4);
    }
}

/* hm_map_get_h of one of token t's strings (at off, n bytes, hash h), memoized
 * in t's cache entry as lookup kind of lang.  Always inline: called with a
 * constant kind, most of its tests fold away, and most calls end at the memo
 * (out of line, the call cost more than the answer) */
__attribute__((always_inline)) static inline int
hm_tok_map_get(const hm_textbuf *tb, const tok *t, int kind, int lang, const hm_map *m,
               uint32_t off, size_t n, uint64_t h, uint32_t *v)
{
    uint32_t *mm = hm_tc_memo(tb, t, kind, lang);
    if (mm && *mm) {
        *v = *mm - 2;
        return *mm != 1;
    }
    int found = hm_map_get_h(m, tb->strs.p + off, n, h, v);
    if (mm)
        *mm = found ? *v + 2 : 1;
    return found;
}

/* Tokenize text (len bytes, any bytes) into tb. 0 or HM_ENOMEM. */
int hm_tokenize(hm_textbuf *tb, const char *text, size_t len);
/* Make a valid UTF-8 copy of s (invalid bytes -> U+FFFD) appended to out. */
int hm_utf8_sanitize(hm_buf *out, const char *s, size_t n);
/* HTML character references (&amp; &lt; &#39; &eacute; ...) of s[0..n)
 * decoded into out, and in map one pair of uint32 per reference: where it
 * ends in out and in s.  Returns how many there were (0: out and map left
 * empty, read s itself), or (size_t)-1 when out of memory. */
size_t hm_entities_decode(hm_buf *out, hm_buf *map, const char *s, size_t n);
/* The offset in the text given to hm_entities_decode of offset at of what it
 * decoded (at a character boundary). */
size_t hm_entity_orig(const hm_buf *map, size_t at);
/* Append s with accents removed and case folded (no NUL added). */
int hm_strip_accents(hm_buf *out, const char *s, size_t n);
/* Strip elongation further: every letter run of 2+ folded to 1. */
size_t hm_fold_doubles(const char *s, size_t n, char *out);

static inline const char *tb_str(const hm_textbuf *tb, uint32_t off) { return tb->strs.p + off; }
/* Whether token t's lower-case form is its norm's own string, whose length
 * (exact below UINT16_MAX) and hash nh are known: most words' is */
static inline int tok_lower_is_norm(const tok *t)
{
    return t->lower == t->norm && t->norm_len < UINT16_MAX;
}
/* the string at off is "ne" or "n'" (French negation), without strcmp calls */
static inline int tb_str_is_ne(const hm_textbuf *tb, uint32_t off)
{
    const char *s = tb->strs.p + off;
    return s[0] == 'n' && (s[1] == 'e' || s[1] == '\'') && s[2] == 0;
}

/* ---------- stem.c ---------- */

/* A remembered stem: the language, the lower-case word, then its stem, in
 * half a cache line (words and stems longer together than SC_CHARS are not
 * kept). */
#define SC_CHARS 25
typedef struct sc_entry {
    uint32_t tag;            /* high bits of the key's hash, | 1; 0 = empty */
    uint8_t lang, klen, slen;
    char s[SC_CHARS];
} sc_entry;

#define SC_SETS 32768        /* sets of two entries: 2 MiB */
typedef struct hm_stemcache {
    struct sb_stemmer *sb[LANG_N];
    sc_entry *sets;          /* SC_SETS x two entries (a cache line), the last used first */
} hm_stemcache;

int hm_stem_init(hm_stemcache *c);
void hm_stem_free(hm_stemcache *c);
/* Stem a lower-case word for a language; appends the accent-free stem (NUL-terminated)
 * to out and returns its offset via *off.  lower may lie in out. */
int hm_stem(hm_stemcache *c, int lang, const char *lower, size_t n, hm_buf *out, uint32_t *off,
            uint16_t *len);
/* The same with h = hm_hash(lower, n) known, after hm_stem_prefetch(c, h)
 * asked for the set it reads (a word's set does not depend on the language) */
int hm_stem_h(hm_stemcache *c, int lang, const char *lower, size_t n, uint64_t h, hm_buf *out,
              uint32_t *off, uint16_t *len);
static inline void hm_stem_prefetch(const hm_stemcache *c, uint64_t h)
{
    __builtin_prefetch(&c->sets[(h & (SC_SETS - 1)) * 2]);
}

/* ---------- langid.c ---------- */

struct hm_lexicon;
int hm_langid_build(hm_map *fr, hm_map *en);
int hm_langid_ex(const hm_textbuf *tb, const hm_map *frw, const hm_map *enw,
                 const struct hm_lexicon *lx, double *conf);

/* ---------- lexicon.c ---------- */

enum { MOD_NONE = 0, MOD_NEGATOR = 1, MOD_BOOSTER = 2, MOD_CONTRAST = 3 };

typedef struct lex_entry {
    float valence;        /* 0 when none */
    float modval;
    uint8_t has_val, modtype, phrase_max;
    uint8_t induced;      /* from an induced.tsv file (evidence says so) */
} lex_entry;

/* A bit per key hash, small enough to stay in cache: 0 from hm_hfilter_maybe
 * means no key of the set has hash h.  It reads bits of h above those the
 * maps index their slots with. */
#define HM_HFILTER_BITS (1u << 16) /* the phrase filters' size */
#define HM_CAT_PHRASE_MAX 12  /* words of a category phrase read at most (longer ones never match) */
/* bits: nwords 64-bit words, nwords a power of two */
static inline void hm_hfilter_add(uint64_t *bits, size_t nwords, uint64_t h)
{
    bits[(h >> 40) & (nwords - 1)] |= 1ULL << ((h >> 34) & 63);
}
static inline int hm_hfilter_maybe(const uint64_t *bits, size_t nwords, uint64_t h)
{
    return (bits[(h >> 40) & (nwords - 1)] >> ((h >> 34) & 63)) & 1;
}
#define HM_HFILTER_WORDS(bits) (sizeof(bits) / sizeof *(bits))

typedef struct hm_lexicon {
    hm_map words[LANG_N];    /* norm key (phrases: norms joined by one space) -> entry index */
    hm_map stems[LANG_N];    /* stem key -> entry index (single words with a valence) */
    hm_map prefixes[LANG_N]; /* the first 2..n-1 words of every phrase of n words */
    lex_entry *entries;
    size_t nentries, cap;
    size_t nvalence[LANG_N], nmods[LANG_N];
    /* a bit per hash of every key of two words or more (phrases and their
     * prefixes), small enough to stay in cache: most word pairs of a post
     * begin no phrase and need no probe of the maps (hm_lex_phrase_maybe) */
    int phrase_indexed;
    uint64_t phrase_bits[LANG_N][HM_HFILTER_BITS / 64];
} hm_lexicon;

/* Fill lx->phrase_bits from the loaded maps (engine open). */
void hm_lexicon_phrase_index(hm_lexicon *lx);
/* 0 when no key of two words or more of lang's words or prefixes maps has
 * hash h (1: perhaps, or no index) */
static inline int hm_lex_phrase_maybe(const hm_lexicon *lx, int lang, uint64_t h)
{
    return !lx->phrase_indexed ||
           hm_hfilter_maybe(lx->phrase_bits[lang], HM_HFILTER_BITS / 64, h);
}

/* A source file: from a directory or the embedded defaults. */
typedef struct hm_source {
    const char *name;   /* relative path, e.g. "en/valence.tsv" */
    const char *data;
    size_t len;
} hm_source;

extern const hm_source hm_embedded_lexicons[];
extern const size_t hm_embedded_lexicons_count;

int hm_lexicon_load(hm_lexicon *lx, const hm_source *src, struct hm_engine *e, hm_status *st);
void hm_lexicon_free(hm_lexicon *lx);
const lex_entry *hm_lex_word(const hm_lexicon *lx, int lang, const char *k, size_t n);
const lex_entry *hm_lex_word_h(const hm_lexicon *lx, int lang, const char *k, size_t n, uint64_t h);
/* token i of tb is a negator that applies (weak ones only next to "ne") */
int hm_tok_negator(const hm_textbuf *tb, const hm_lexicon *lx, int lang, size_t i);
/* Is word i negated: a negator that applies within `before` words before it or
 * `after` words after it, in its clause; stop_contrast: a contrast word ends
 * the look back (lexicon.c) */
int hm_tok_negated(const hm_textbuf *tb, const hm_lexicon *lx, int lang, size_t i, int before,
                   int after, int stop_contrast);
/* the lexicon entries of a token's norm and of its stem (memoized); inline:
 * most calls are answered by the token cache's memo */
static inline const lex_entry *hm_tok_word_e(const hm_textbuf *tb, const hm_lexicon *lx, int lang,
                                             const tok *t)
{
    uint32_t v;
    return hm_tok_map_get(tb, t, TCM_WORD, lang, &lx->words[lang], t->norm, t->norm_len, t->nh, &v)
               ? &lx->entries[v] : NULL;
}
/* the derivational family of an accent-free lower-case word (lexicon.c) */
int hm_deriv_class(int lang, const char *w, size_t n);
/* the lexicon entry of t's stem (of its family, hm_deriv_class) when its memo
 * mm (NULL: none) has no answer yet; hm_tok_stem_e answers from the memo
 * inline, as most calls are */
const lex_entry *hm_tok_stem_lookup(const hm_textbuf *tb, const hm_lexicon *lx, int lang,
                                    const tok *t, uint32_t *mm);
static inline const lex_entry *hm_tok_stem_e(const hm_textbuf *tb, const hm_lexicon *lx, int lang,
                                             const tok *t)
{
    uint32_t *mm = hm_tc_memo(tb, t, TCM_STEM, lang);
    if (mm && *mm)
        return *mm == 1 ? NULL : &lx->entries[*mm - 2];
    return hm_tok_stem_lookup(tb, lx, lang, t, mm);
}
#define TOK_WORD_E(lx, lang, tb, t) hm_tok_word_e(tb, lx, lang, t)

/* ---------- categories.c ---------- */

#define HM_PHRASE_BITS (1u << 18) /* bits of a language's phrase filter */

/* The hash of the words of a phrase so far (h: the first word's hm_hash,
 * then this of the previous words), one more word's hm_hash wh after. */
static inline uint64_t hm_cat_phrase_step(uint64_t h, uint64_t wh)
{
    return h * 0x9E3779B97F4A7C15ULL ^ wh;
}
/* The filter's word for hash h, and its two bits in that word. */
#define HM_PHRASE_WORD(h) (((h) >> 40) & (HM_PHRASE_BITS / 64 - 1))
#define HM_PHRASE_PRE(h) (1ULL << (((h) >> 34) & 63))
#define HM_PHRASE_FULL(h) (1ULL << (((h) >> 28) & 63))

typedef struct cat_cue {
    uint16_t cat;
    float weight;
    int32_t next;        /* next cue with the same key, -1 ends */
} cat_cue;

#define HM_LIT_MAX 8          /* prefilter literals are cut to this many bytes */
#define HM_LIT_BLOOM_WORDS (2u * (1u << 16) / 64) /* hm_cats.lit_bloom (categories.c) */
#define HM_LIT_TRI_WORDS (32u * 32u * 2u)         /* hm_cats.lit_tri */
#define HM_LIT_LAST 0x80      /* hm_cats.lits: the last literal of an index slot */
#define HM_MAX_POS 8          /* places of a pattern's leading literals kept per post */
#define HM_LIT_DIGIT '\x01'   /* the pseudo-literal "any ASCII digit" */
#define HM_LIT_CUR '\x02'     /* the pseudo-literal "a currency sign": $, £ or € */
#define HM_PSEUDO_N 2         /* pseudo-literals: byte 1 .. HM_PSEUDO_N */

typedef struct cat_regex {
    /* compiled and JIT-compiled on first use when the engine was opened lazily
     * (embedded defaults), published once with a compare-and-swap: analyzers
     * in other threads share it read-only */
    pcre2_code *_Atomic code;
    pcre2_code *_Atomic acode;   /* the same, anchored (see cat_regex.anch) */
    uint32_t pat_off, pat_len; /* the pattern's source in hm_cats.pat */
    uint16_t cat;
    uint8_t lang;        /* LANG_UND = both */
    float weight;
    /* what matching reads, in the first cache line with the above */
    uint16_t nlit;       /* 0 = no prefilter */
    uint8_t nsets;       /* the literals form this many sets (a post needs one of each) */
    uint8_t lit_first;   /* every match starts with one of the literals of set 0 */
    uint8_t anch;        /* HM_ANCH_AT: ... none of which is a pseudo-literal ("a
                          * digit"): matches are tried only there; HM_ANCH_PLACES: set
                          * 0 holds no currency sign, so its places are all known
                          * (HM_ANCH_DIGITS, HM_ANCH_DLEAD: with those of its digits) */
    uint8_t after0;      /* sets (bits) whose literal comes after set 0's in every match */
    uint16_t lead;       /* else matches start at most this many bytes before a literal
                          * of set 0 (LEAD_UNBOUNDED: not known) */
    uint32_t lit_off, lit_len; /* the literals (flags byte, bytes, NUL each) in
                          * hm_cats.litsrc, in sets: every match contains one of each */
} cat_regex;
#define LEAD_UNBOUNDED 0xFFFFu
#define HM_ANCH_AT 1u
#define HM_ANCH_PLACES 2u
#define HM_ANCH_DIGITS 4u  /* set 0 holds "a digit": the digits' places join its places */
#define HM_ANCH_DLEAD 8u   /* ... those of digits after no word byte only */

typedef struct hm_cats {
    size_t ncats;
    char **ids;
    hm_map stems[LANG_N];     /* stem key -> first cue */
    hm_map phrases[LANG_N];   /* norm key (words joined by spaces) -> first cue */
    hm_map firsts[LANG_N];    /* first word of a phrase -> max phrase length */
    /* the phrases a post can match, by their words' hashes chained
     * (hm_cat_phrase_step): per language (fr, en), for every phrase and each
     * of its first words a bit (HM_PHRASE_PRE), and one more for the whole
     * phrase (HM_PHRASE_FULL), in the same 64-bit word.  The phrase lookup
     * reads a post's words while they begin some phrase, with the tokens'
     * hashes, and probes the map only for what may be a whole phrase. */
    int phrase_indexed;
    uint64_t phrase_bits[2][HM_PHRASE_BITS / 64];
    /* a bit per hash of every stem of stems[] (fr, en): most words need no
     * lookup of their stem (hm_hfilter_*) */
    uint64_t stem_bits[2][64];
    cat_cue *cues;
    size_t ncues, cuecap;
    cat_regex *re;
    size_t nre, recap;
    /* literal index, for one pass over a post: the first three bytes of every
     * prefilter literal -> the literals that start so (contiguous in lits) */
    uint64_t *lit_bloom;      /* the literals' first four bytes (three), hashed: fits in L1
                               * (HM_LIT_BLOOM_WORDS) */
    uint32_t *lit_tri;        /* their first three bytes' classes (exact; HM_LIT_TRI_WORDS) */
    uint8_t lit_class[256];   /* per byte, its class in those (below 32; 0, and 30 for a word
                               * byte, in no literal) */
    struct cat_index {        /* literals by their first 3 bytes (3-byte ones), 4 (4 to
                               * LIT_LONG - 1 bytes), a hash of LIT_LONG (longer) */
        struct cat_slot {     /* open addressing, about half full */
            uint32_t key;     /* the bytes, little-endian (3-byte keys + 1) */
            uint32_t head;    /* the slot's first literal + 1, 0 = empty slot */
        } *slot;
        size_t cap;
        unsigned shift;       /* 32 - log2(cap) */
    } lit_idx[3];
    struct cat_lit {          /* one per distinct literal: 16 bytes */
        uint64_t word;        /* the bytes (at most 8), little-endian, zero-padded */
        uint32_t tgt;         /* first pattern it serves, in tgts */
        uint16_t ntgt;        /* patterns it serves */
        uint8_t len, flags;   /* bytes (3 to 8); LIT_LEAD, LIT_TRAIL, LIT_LAST */
    } *lits;                  /* each slot's literals contiguous, the last flagged */
    size_t nlits;
    struct cat_target { uint16_t re; uint8_t set; } *tgts;
    size_t ntgts;
    uint8_t *need;            /* per pattern: the found[] mask of all its sets */
    /* per pseudo-literal ("a digit", "a currency sign": kind HM_LIT_DIGIT - 1,
     * HM_LIT_CUR - 1): the patterns that need nothing else (one set), per
     * pattern the sets that hold one, and bitmaps over patterns: per set,
     * of more than one set with it in that set; of one set with it */
    struct cat_pseudo {
        struct cat_target *re;
        size_t nre;
        uint8_t *sets;
        uint64_t *in[3], *one;
    } pseudo[HM_PSEUDO_N];
    /* bitmaps over patterns, to tell those with all their sets: of one set,
     * of two */
    uint64_t *nsets1, *nsets2;
    /* per language (fr, en: a post of unknown language is read as English),
     * bitmaps over patterns: those that apply to it, and those of them without
     * a prefilter (run on every post) */
    uint64_t *langok[LANG_N], *always[LANG_N];
    size_t nwords;            /* 64-bit words per bitmap */
    /* per pattern: 0, or for a pattern with the source and language of an
     * earlier one (in other categories), that one's slot + 1 in
     * hm_cat_state.dup (the first of them has it too) */
    uint16_t *dup_slot;
    size_t ndup;
    hm_buf pat;               /* pattern sources */
    hm_buf litsrc;            /* the patterns' prefilter literals (cat_regex.lit_off) */
    pcre2_match_context *mctx;
    size_t npatterns;
} hm_cats;

#define HM_RE_MATCHES 16 /* matches of a pattern read per post at most */

/* A pattern's matches in a post (byte offsets in its normalized text). */
struct cat_spans {
    uint32_t post;            /* hm_cat_state.post when they were found */
    uint32_t n;
    uint32_t at[HM_RE_MATCHES][2];
};

typedef struct hm_cat_hit {
    int cat;
    double score;
    size_t ev_from, ev_to;    /* evidence items in analyzer->ev */
} hm_cat_hit;

struct cat_span { uint32_t at, tok; };

typedef struct hm_cat_state {
    pcre2_match_data *md;
    double *sum;              /* per category */
    hm_cat_hit *hits;
    size_t nhits;
    hm_buf normmap;           /* per token with bytes in the normalized text, in order: where
                               * they start, the space before them included, and the token
                               * (struct cat_span) */
    size_t nspan;
    hm_buf normtext;
    uint64_t *eligible;       /* bitmap over patterns: a literal of each of their sets is in
                               * the post */
    struct cat_pstate {       /* a pattern with a literal in the post (touched order) */
        uint8_t found;        /* the literal sets seen so far */
        uint8_t npos;         /* places of set 0 kept (HM_MAX_POS + 1: more) */
        uint32_t first;       /* where set 0 first occurs */
        uint32_t last[3];     /* per set, its last place */
        uint32_t pos[HM_MAX_POS]; /* places where set 0 occurs, for anchored tries */
    } *ps;
    uint16_t *slot_of;        /* per pattern: its ps entry + 1, 0 = none in this post */
    /* the places of the post's digits: all of them, and those after no word
     * byte; HM_MAX_POS + 1: more than HM_MAX_POS */
    uint32_t dplace[2][HM_MAX_POS];
    uint8_t ndplace[2];
    pcre2_match_context *mctx; /* the engine's limits, and an offset limit per pattern */
    uint16_t *touched;        /* the patterns the prefilter made eligible (ps order) */
    uint32_t post;            /* posts matched so far */
    struct cat_spans *dup;    /* per pattern that others repeat (hm_cats.dup_slot) */
    size_t ntouched;
    /* the scan records the literals it finds (struct cat_hit) and resolves
     * them to patterns after: the sets seen per pattern first (sets), then
     * the places for the eligible ones alone */
    hm_buf lhits;
    uint64_t *sets;           /* per set, a bitmap over patterns (3 of hm_cats.nwords words) */
    /* tests: run every pattern too and count the matches the prefilter would
     * have lost (misses, and the phrases and stems the phrase and stem
     * filters would have), the patterns run and those that could have been */
    int verify;
    size_t misses, ran, could;
    int complaint;
    int asks;                 /* a request for information (set by the engine) */
    double complaint_prob;
    double cue_total;         /* positive cue weight over all categories */
    /* raw cue matches before grouping */
    struct cat_match { uint16_t cat; float w; uint32_t start, end; } *m;
    size_t nm, mcap;
} hm_cat_state;

/* The category files of src (those named categories/<id>.tsv), then every file
 * of extra (NULL or a list ending in a NULL name; named by their path, the id
 * is the file name: an id already loaded gets more cues, another one is a new
 * category).  lazy: compile src's patterns on first use (the embedded
 * defaults, known to be valid); else every pattern is compiled now and a bad
 * one is reported.  extra's patterns are always compiled now.  src may be
 * NULL: the files of extra join what c holds. */
int hm_categories_load(hm_cats *c, const hm_source *src, const hm_source *extra, int lazy,
                       hm_status *st);
/* The files of extra join the categories c holds (read from a snapshot or
 * loaded): the index is built anew, and the phrase index must be too
 * (hm_categories_phrase_index). */
int hm_categories_extend(hm_cats *c, const hm_source *extra, hm_status *st);
/* the prefilter index and match context of loaded patterns (the loader ends
 * with it) */
int hm_categories_index(hm_cats *c, hm_status *st);
/* The snapshot reader, which reads the index back instead: its parts checked
 * to fit together (whatever their bytes, matching reads nothing out of bounds
 * and every probe of the index ends: 0, else HM_EFORMAT), what it derives from
 * them (the indexes' shifts, the byte classes); then the match context. */
int hm_categories_adopt(hm_cats *c);
int hm_categories_ready(hm_cats *c, hm_status *st);
void hm_categories_free(hm_cats *c);
/* Fill c->phrase_bits from the loaded phrase maps (the snapshot build and
 * engine open from files). */
void hm_categories_phrase_index(hm_cats *c);
int hm_cat_state_init(hm_cat_state *s, const hm_cats *c);
void hm_cat_state_free(hm_cat_state *s);
struct hm_analyzer;
/* Find the category cues of the analysed text (before polarity is known)... */
int hm_categories_match(struct hm_analyzer *a, const hm_cats *c);
/* ...then decide complaint and categories once polarity is known. */
int hm_categories_decide(struct hm_analyzer *a, const hm_cats *c, double score,
                         const double *probs, double threshold, size_t *ncat);
/* the strongest category's cue weight; the final complaint probability */
double hm_cat_max(const hm_cat_state *s, const hm_cats *c);
double hm_complaint_combine(double p, double maxcat, double score, const double *probs, int asks);
/* Whether the post is a request for information (engine.c) */
int hm_info_question(const hm_textbuf *tb);
int hm_tsv_next(const char *data, size_t len, size_t *pos, int *lineno, const char **f,
                size_t *fl, int maxf);

/* ---------- model.c ---------- */

#define HM_NOUT 4        /* negative, neutral, positive, complaint */
#define HM_NBLEND 13     /* inputs of the polarity blend */
#define HM_NCBLEND 9     /* inputs of the complaint blend */
#define HM_MODEL_MAGIC "HUMEURM\x01"
#define HM_MODEL_VERSION 8u
#define HM_MODEL_HEADER 4096
#define HM_MAXSRC HM_TRAIN_MAX_SOURCES /* sources a model tells apart (its router's classes) */
enum {
    HM_MF_COMPLAINT = 1, /* the complaint head was trained */
    HM_MF_NORM = 2       /* sums are divided by sqrt(number of features of the post) */
};

typedef struct hm_featbuf {
    uint64_t *f;
    int32_t *tok;        /* token index of a unigram feature, -1 for others */
    size_t n, cap;
    size_t nc;           /* the last nc of the n features are the complaint head's alone */
} hm_featbuf;

typedef struct hm_model {
    int lang;
    uint32_t cap, flags;
    float scale;
    float bias[HM_NOUT];
    float cblend[HM_NCBLEND + 1];
    float info[8];                   /* training figures, for humeur --version -v */
    uint32_t long_from;              /* posts of this many tokens or more are "long" (0: one domain) */
    float cthresh;                   /* complaint decision threshold */
    /* per training source: the blend (last column: bias) and decision biases
     * (log scale) of the classes, mixed by the router's probabilities */
    uint32_t nsrc;
    float blend[HM_MAXSRC][3][HM_NBLEND + 1];
    float dbias[HM_MAXSRC][3];
    float rbias[HM_MAXSRC];
    float rscale;
    uint32_t rcap;                   /* router table (0 when nsrc is 1) */
    const uint32_t *rfp;
    const int16_t *rw;               /* rcap x nsrc */
    const uint32_t *fp;
    const int16_t *w;
    const unsigned char *base;
    size_t size;
    void *mapped;
    size_t mapped_size;
} hm_model;

struct hm_lexscore;
int hm_features(struct hm_analyzer *a, hm_featbuf *fb);
size_t hm_features_unique(uint64_t *f, size_t n);
void hm_blend_inputs(const double s[HM_NOUT], const struct hm_lexscore *ls, double cue_total,
                     size_t ntoks, int social, double x[HM_NBLEND]);
int hm_is_social(const hm_textbuf *tb);
/* What a post's tokens say of a complaint besides its words' weights: a
 * question, a customer-service account addressed (@...help, @...support,
 * @...care), any @mention, and how many English problem-report words
 * ("still", "again", "down", "error", "refund"...) it has (engine.c). */
typedef struct hm_csig {
    uint8_t question, support, mention, problem;
} hm_csig;
void hm_complaint_signals(const hm_engine *e, const hm_textbuf *tb, int lang, hm_csig *cs);
void hm_complaint_inputs(const double s[HM_NOUT], const double p[3], const struct hm_lexscore *ls,
                         double cue_total, const hm_csig *cs, double x[HM_NCBLEND]);
struct hm_model;
/* Calibrated probabilities: the sources' blends mixed by q; b gets the mixed
 * decision biases. */
void hm_blend_probs(const struct hm_model *m, const double x[HM_NBLEND], const double *q,
                    double p[3], float b[3]);
void hm_softmax3(const double z[3], double p[3]);
/* The class decided from probabilities p and decision biases b (log scale):
 * the largest p[c] * exp(b[c]); ties go to negative, then neutral. */
int hm_decide(const double p[3], const float b[3]);
uint64_t hm_checksum(const void *p, size_t n);
int hm_model_bind(hm_model *m, const unsigned char *p, size_t n, int verify, const char *name,
                  hm_status *st);
int hm_model_open_file(hm_model *m, const char *path, hm_status *st);
void hm_model_close(hm_model *m);
/* The domain of a post of ntoks tokens (0 short, 1 long) and the key of a
 * feature in the long domain (the short domain uses the features as they are). */
int hm_model_domain(const hm_model *m, size_t ntoks);
uint64_t hm_long_key(uint64_t f);
/* The heads' logits s, and the router's probabilities q[nsrc] of the sources;
 * the last nc of the n features are the complaint head's alone (the polarity
 * heads and the router read the first n - nc). */
void hm_model_score(const hm_model *m, const uint64_t *f, size_t n, size_t nc, int domain,
                    double s[HM_NOUT], double *q, int32_t *best_tok, double *best_w, size_t nbest, const int32_t *tok);
extern const hm_source hm_embedded_models[];

/* ---------- snapshot.c: the embedded lexicons, loaded at build time ---------- */

/* Load the lexicon and category files of src and serialize the tables into
 * out (build time). */
int hm_snapshot_build(const hm_source *src, hm_buf *out, hm_status *st);
/* Fill an engine's lexicon and categories from a snapshot;
 * HM_EFORMAT when it does not match this build (the caller then frees what
 * was filled and loads the files). */
int hm_snapshot_load(hm_engine *e, const void *p, size_t n, hm_status *st);
extern const hm_source hm_embedded_snapshot[];

/* ---------- engine.c ---------- */

/* A whole file in fresh memory (NUL after it): 0, HM_EIO or HM_ENOMEM. */
int hm_read_file(const char *path, char **data, size_t *len);

#define HM_MAX_EVIDENCE 256

typedef struct ev_item {
    uint32_t start, end;
    double weight;
    const char *rule;
} ev_item;

typedef struct hm_lexscore hm_lexscore;
struct hm_lexscore {
    double sum;          /* raw valence sum after rules */
    double score;        /* normalized into [-1, 1] */
    double pos, neg;     /* positive and negative mass */
    int nhits;
};

struct hm_engine {
    hm_model models[LANG_N];
    int has_model[LANG_N];
    hm_lexicon lex;
    hm_cats cats;
    hm_map langfr, langen;
    hm_map problem_words; /* complaint signals: problem-report words (norms) */
    uint64_t problem_bits[64]; /* the words above (hm_hfilter_*): most words of a
                                * post need no probe of the map (with 4096 bits for
                                * under a hundred words, few pass by chance) */
    int scorer;
    size_t max_text;
    hm_buf srcbuf;       /* file contents when loaded from a directory */
};

struct hm_analyzer {
    const hm_engine *e;
    hm_textbuf tb;
    hm_stemcache stem;
    int lang;
    ev_item *ev;
    size_t nev, evcap;
    /* result storage */
    hm_evidence *rev;
    size_t nrev, revcap;
    hm_category *rcats;
    size_t rcatcap;
    hm_cat_state cat;
    hm_featbuf fb;
    uint64_t *seen;      /* the duplicate filter's table, all zero between posts */
    uint32_t *seenslot;  /* the slots a post filled (seencap / 4 + 1) */
    size_t seencap;
    hm_buf evtext;
    hm_token *ptoks;
    size_t ptcap;
    hm_cue *pcues;            /* hm_analyzer_cues() */
    size_t pccap;
    hm_buf json;
    const char *text;    /* the caller's text (evidence is copied from it) */
    hm_buf ent, entmap;  /* its HTML character references decoded (hm_entities_decode) */
    size_t nent;         /* how many: 0 when the analysis read the caller's text */
};

/* An offset into the analysed text as an offset into the caller's. */
static inline size_t hm_out_off(const hm_analyzer *a, size_t at)
{
    return a->nent ? hm_entity_orig(&a->entmap, at) : at;
}

/* sentiment.c: lexicon and rules. */
int hm_score_lexicon(hm_analyzer *a, hm_lexscore *out);
int hm_pipeline(hm_analyzer *a, const char *text, size_t len, int forced, hm_lexscore *ls,
                double *conf);
int hm_ev_add(hm_analyzer *a, uint32_t start, uint32_t end, double w, const char *rule);
int hm_result_json_buf(hm_buf *b, const hm_result *r, const char *id_json);

#endif
