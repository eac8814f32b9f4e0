/*
 * text.c — normalize and tokenize.
 *
 * One pass over the bytes: invalid UTF-8 is read as U+FFFD (one byte at a
 * time), NUL and control characters as spaces, so any input yields tokens and
 * never an error other than HM_ENOMEM.  Every token keeps its byte span in the
 * original text and two normalized strings:
 *   lower — lower case, NFC, accents kept (what Snowball reads);
 *   norm  — case folded, accents and marks removed, compatibility forms
 *           folded, œ/æ spelled out, typographic apostrophes unified
 *           (the accent-insensitive key every lexicon lookup uses).
 * Both fold letter runs of three or more to two ("nuuuul" -> "nuul").
 * Token classes: words (French elisions split off), numbers, durations,
 * emoji sequences (skin tones, ZWJ, flags kept whole), emoticons, URLs,
 * @mentions, #hashtags (followed by their words), punctuation runs, symbols.
 */
#include "internal.h"

#include <utf8proc.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---------- decoding ---------- */

/* Decode one code point at s[0..n); invalid sequences give U+FFFD over 1 byte. */
static inline size_t dec(const unsigned char *s, size_t n, int32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate(s, (utf8proc_ssize_t)(n > 4 ? 4 : n), &c);
    if (k <= 0 || c < 0) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return (size_t)k;
}

int hm_utf8_sanitize(hm_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        /* the run of ASCII bytes other than NUL here: eight at a time, then
         * byte by byte from the word that ends it */
        size_t run = i;
        for (uint64_t x; n - run >= 8; run += 8) {
            memcpy(&x, p + run, 8);
            /* a zero byte (the borrow trick: any, not which) or one past ASCII */
            if ((((x - HM_BYTES(1)) & ~x) | x) & HM_BYTES(0x80))
                break;
        }
        while (run < n && p[run] < 0x80 && p[run])
            run++;
        if (run > i && hm_buf_put(out, p + i, run - i))
            return HM_ENOMEM;
        i = run;
        if (i >= n)
            break;
        int32_t cp;
        size_t k = dec(p + i, n - i, &cp);
        if (cp == 0) {
            if (hm_buf_putc(out, ' '))
                return HM_ENOMEM;
        } else {
            unsigned char tmp[4];
            utf8proc_ssize_t m = utf8proc_encode_char(cp, tmp);
            if (hm_buf_put(out, tmp, (size_t)m))
                return HM_ENOMEM;
        }
        i += k;
    }
    return hm_buf_put(out, "", 0);
}

/* ---------- HTML character references ---------- */

/* Text scraped from the web and tweets taken from Twitter's API come with
 * "&amp;", "&lt;3", "&#39;", "&eacute;" where the writer typed "&", "<3",
 * "'", "é".  The analysis reads such references decoded; the offsets it
 * gives out are mapped back to the caller's bytes (hm_entity_orig). */

/* The named references of HTML that customer posts carry: markup escapes,
 * typography, and the Latin letters of French.  Sorted by name (strcmp). */
struct entity {
    char name[8];
    int32_t cp;
};
static const struct entity entities[] = {
    {"AElig", 0xC6},   {"Acirc", 0xC2},  {"Agrave", 0xC0},  {"Ccedil", 0xC7}, {"Eacute", 0xC9},
    {"Ecirc", 0xCA},   {"Egrave", 0xC8}, {"Euml", 0xCB},   {"Icirc", 0xCE},  {"Iuml", 0xCF},
    {"OElig", 0x152},  {"Ocirc", 0xD4},  {"Ucirc", 0xDB},  {"Ugrave", 0xD9}, {"Uuml", 0xDC},
    {"aacute", 0xE1},  {"acirc", 0xE2},  {"aelig", 0xE6},  {"agrave", 0xE0}, {"amp", '&'},
    {"apos", '\''},    {"bull", 0x2022}, {"ccedil", 0xE7}, {"copy", 0xA9},   {"deg", 0xB0},
    {"eacute", 0xE9},  {"ecirc", 0xEA},  {"egrave", 0xE8}, {"euml", 0xEB},   {"euro", 0x20AC},
    {"gt", '>'},       {"hearts", 0x2665}, {"hellip", 0x2026}, {"iacute", 0xED}, {"icirc", 0xEE},
    {"iuml", 0xEF},    {"laquo", 0xAB},  {"ldquo", 0x201C}, {"lsquo", 0x2018}, {"lt", '<'},
    {"mdash", 0x2014}, {"middot", 0xB7}, {"nbsp", 0xA0},   {"ndash", 0x2013}, {"ntilde", 0xF1},
    {"oacute", 0xF3},  {"ocirc", 0xF4},  {"oelig", 0x153}, {"ouml", 0xF6},   {"pound", 0xA3},
    {"quot", '"'},     {"raquo", 0xBB},  {"rdquo", 0x201D}, {"reg", 0xAE},   {"rsquo", 0x2019},
    {"trade", 0x2122}, {"uacute", 0xFA}, {"ucirc", 0xFB},  {"ugrave", 0xF9}, {"uuml", 0xFC},
    {"yuml", 0xFF},
};

/* What HTML reads the references &#128; to &#159; as: Windows-1252's
 * characters (0 where it has none; then the reference stays as written). */
static const uint16_t cp1252[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static int entity_cmp(const void *k, const void *e)
{
    return strcmp(k, ((const struct entity *)e)->name);
}

/* The character reference at p[0..n) (p[0] == '&'): its length, and the
 * code point it stands for in *cp; 0 when p holds none that humeur decodes
 * (an unknown name, no ';', a number that is no character or a control). */
static size_t entity_at(const unsigned char *p, size_t n, int32_t *cp)
{
    size_t i = 1;
    if (n > 2 && p[1] == '#') {
        int hex = p[2] == 'x' || p[2] == 'X';
        uint32_t v = 0;
        size_t d0 = i = 2 + (size_t)hex;
        for (; i < n && i - d0 < 8; i++) {
            unsigned c = p[i], x = c - '0';
            if (x > 9 && hex)
                x = (c | 0x20) - 'a' < 6 ? (c | 0x20) - 'a' + 10 : 99;
            if (x > (hex ? 15u : 9u))
                break;
            v = v * (hex ? 16 : 10) + x;
        }
        if (i == d0 || i >= n || p[i] != ';' || v > 0x10FFFF || (v >= 0xD800 && v < 0xE000))
            return 0;
        if (v >= 0x80 && v < 0xA0)
            v = cp1252[v - 0x80];
        if (v < 0x20 ? v != '\t' && v != '\n' && v != '\r' : v == 0x7F)
            return 0;
        *cp = (int32_t)v;
        return i + 1;
    }
    char name[8];
    for (; i < n && i < 8 && (unsigned)((p[i] | 0x20) - 'a') < 26u; i++)
        name[i - 1] = (char)p[i];
    if (i < 3 || i >= n || p[i] != ';')
        return 0;
    name[i - 1] = 0;
    const void *e = bsearch(name, entities, sizeof entities / sizeof *entities, sizeof *entities,
                            entity_cmp);
    if (!e)
        return 0;
    *cp = ((const struct entity *)e)->cp;
    return i + 1;
}

size_t hm_entities_decode(hm_buf *out, hm_buf *map, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *amp = memchr(p, '&', n);
    size_t nref = 0, from = 0;
    out->len = 0;
    map->len = 0;
    while (amp) {
        size_t i = (size_t)(amp - p);
        int32_t cp;
        size_t k = entity_at(amp, n - i, &cp);
        if (k) {
            unsigned char tmp[4];
            size_t m = (size_t)utf8proc_encode_char(cp, tmp);
            uint32_t ends[2];
            if (hm_buf_put(out, p + from, i - from) || hm_buf_put(out, tmp, m))
                return (size_t)-1;
            from = i + k;
            ends[0] = (uint32_t)out->len;
            ends[1] = (uint32_t)from;
            if (hm_buf_put(map, ends, sizeof ends))
                return (size_t)-1;
            nref++;
        }
        i += k ? k : 1;
        amp = i < n ? memchr(p + i, '&', n - i) : NULL;
    }
    if (nref && hm_buf_put(out, p + from, n - from))
        return (size_t)-1;
    return nref;
}

size_t hm_entity_orig(const hm_buf *map, size_t at)
{
    const uint32_t *m = (const uint32_t *)(const void *)map->p;
    size_t lo = 0, hi = map->len / (2 * sizeof *m);
    /* the last reference whose decoded end is at or before at */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m[2 * mid] <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? at + m[2 * lo - 1] - m[2 * lo - 2] : at;
}

/* ---------- character classes ---------- */

enum { C_SPACE, C_LETTER, C_MARK, C_DIGIT, C_EMOJI, C_APOS, C_PUNCT, C_SYMBOL, C_IGNORE };

static int is_pictographic(int32_t c)
{
    return (c >= 0x1F300 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) ||
           (c >= 0x1F000 && c <= 0x1F2FF) || (c >= 0x2B00 && c <= 0x2BFF) ||
           (c >= 0x2300 && c <= 0x23FF) || c == 0x3030 || c == 0x303D || c == 0x3297 ||
           c == 0x3299 || (c >= 0x1F1E6 && c <= 0x1F1FF);
}

static int emoji_modifier(int32_t c)
{
    return c == 0xFE0F || c == 0xFE0E || (c >= 0x1F3FB && c <= 0x1F3FF) || c == 0x20E3 ||
           (c >= 0xE0020 && c <= 0xE007F);
}

static int is_apos(int32_t c)
{
    return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0x00B4 || c == '`' ||
           c == 0x2032;
}

/* ASCII classes: letters, digits, controls and space, apostrophes, symbols,
 * punctuation */
#define L_ C_LETTER
#define D_ C_DIGIT
#define S_ C_SPACE
#define A_ C_APOS
#define Y_ C_SYMBOL
#define P_ C_PUNCT
static const unsigned char ascii_class[128] = {
    S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_,  /* 0x00 */
    S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_,  /* 0x10 */
    S_, P_, P_, P_, Y_, P_, P_, A_, P_, P_, P_, Y_, P_, P_, P_, P_,  /*  !"#$%&'()*+,-./ */
    D_, D_, D_, D_, D_, D_, D_, D_, D_, D_, P_, P_, Y_, Y_, Y_, P_,  /* 0-9 :;<=>? */
    P_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_,  /* @A-O */
    L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, P_, P_, P_, Y_, P_,  /* P-Z [\]^_ */
    A_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_,  /* `a-o */
    L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, P_, Y_, P_, Y_, S_,  /* p-z {|}~ DEL */
};
#undef L_
#undef D_
#undef S_
#undef A_
#undef Y_
#undef P_

/* ASCII letters and digits: the bytes of a word that need no decoding */
static const unsigned char ascii_word[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* The end of the run of ASCII letters and digits (ascii_word) at p[e..len):
 * eight bytes at a time where the first byte in memory is the lowest */
static inline size_t ascii_word_end(const unsigned char *p, size_t e, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t high = 0x8080808080808080ULL;
    while (len - e >= 8) {
        uint64_t x;
        memcpy(&x, p + e, 8);
        uint64_t low7 = x & ~high;
        uint64_t word = (hm_bytes_in(low7 | high >> 2, 'a', 'z') | hm_bytes_in(low7, '0', '9')) & ~x;
        uint64_t stop = ~word & high;
        if (stop)
            return e + (size_t)__builtin_ctzll(stop) / 8;
        e += 8;
    }
#endif
    while (e < len && ascii_word[p[e]])
        e++;
    return e;
}

static int cclass_wide(int32_t c);

static inline int cclass(int32_t c)
{
    return (uint32_t)c < 0x80 ? ascii_class[c] : cclass_wide(c);
}

static int cclass_wide(int32_t c)
{
    if (is_apos(c))
        return C_APOS;
    if (is_pictographic(c))
        return C_EMOJI;
    if (c == 0x200D || c == 0xFE0F || c == 0xFE0E || c == 0x200B || c == 0x200C || c == 0x2060 ||
        c == 0xFEFF || c == 0x00AD)
        return C_IGNORE;
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
        return C_LETTER;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return C_MARK;
    case UTF8PROC_CATEGORY_ND:
        return C_DIGIT;
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
        return C_SPACE;
    case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CN: case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS:
        return C_IGNORE;
    case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC: case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
        return C_SYMBOL;
    default:
        return C_PUNCT;
    }
}

static int is_upper(int32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    return utf8proc_category(c) == UTF8PROC_CATEGORY_LU;
}

/* ---------- token construction ---------- */

static int toks_grow(hm_textbuf *tb)
{
    size_t nc = tb->tcap ? tb->tcap * 2 : 64;
    tok *t = realloc(tb->toks, nc * sizeof *t);
    if (!t)
        return HM_ENOMEM;
    tb->toks = t;
    tb->tcap = nc;
    return 0;
}

/* inline: a call per token costs more than the stores */
static inline int push_tok(hm_textbuf *tb, int type, size_t start, size_t end)
{
    if (tb->ntoks == tb->tcap && toks_grow(tb))
        return HM_ENOMEM;
    tok *t = &tb->toks[tb->ntoks++];
    memset(t, 0, sizeof *t);
    t->type = (uint8_t)type;
    tb->kinds |= 1u << type;
    t->start = (uint32_t)start;
    t->end = (uint32_t)end;
    t->hashtag = -1;
    t->ce = -1;
    return 0;
}

/* ---------- token cache ---------- */

#define TC_SLOTS 32768               /* a power of two; the table is 2 MiB */
#define TC_MAX (TC_SLOTS / 2)        /* entries at most (between posts) */
#define TC_POOL_MAX (1u << 20)       /* pool bytes at most (between posts) */
#define TC_KEY_MAX 64                /* longer tokens are not cached */
#define TC_KEEP (TC_MAX / 2)         /* entries a full cache keeps: the most used */
#define TC_USES_MAX 255
#define TC_ADD_MAX (TC_MAX + TC_MAX / 2) /* entries at most (a huge post goes on past TC_MAX) */
_Static_assert(sizeof(tc_entry) == 64, "a token cache entry is one cache line");
/* TC_LOWER: lower differs from norm; TC_SIMPLE: norm is the key with A-Z
 * lower-cased, and lower is norm (neither is in the pool) */
enum { TC_ELONG = 1, TC_ALLCAPS = 2, TC_LOWER = 4, TC_SIMPLE = 8 };
/* while tokenizing: a word whose capitals count (HM_TF_CAPS); cleared after */
#define TF_WANT_CAPS 0x80

int hm_textbuf_cache(hm_textbuf *tb)
{
    if (!tb->tc.slots) {
        /* an entry per cache line; every token reads a slot at random */
        size_t size = TC_SLOTS * sizeof *tb->tc.slots;
        tb->tc.slots = hm_alloc_huge(size);
        tb->tc.used = malloc(TC_ADD_MAX * sizeof *tb->tc.used);
        if (!tb->tc.slots || !tb->tc.used || hm_buf_reserve(&tb->tc.pool, 4096))
            return HM_ENOMEM;
    }
    return 0;
}

void hm_textbuf_free(hm_textbuf *tb)
{
    free(tb->toks);
    hm_buf_free(&tb->strs);
    hm_buf_free(&tb->scratch);
    hm_buf_free(&tb->scratch2);
    hm_buf_free(&tb->nfc);
    hm_free_huge(tb->tc.slots, TC_SLOTS * sizeof *tb->tc.slots);
    hm_buf_free(&tb->tc.pool);
    free(tb->tc.kept);
    free(tb->tc.used);
    hm_buf_free(&tb->tc.pool2);
    memset(tb, 0, sizeof *tb);
}

/* Move string off of pool `from` to `to` (*off is rebased); -1 when `to` cannot grow. */
static int tc_move(hm_buf *to, const hm_buf *from, uint32_t *off, size_t n)
{
    if (to->len + n + 1 > UINT32_MAX || hm_buf_put(to, from->p + *off, n + 1))
        return -1;
    *off = (uint32_t)(to->len - n - 1);
    return 0;
}

/* The pool bytes of e's key, norm and lower strings (with their NULs). */
static size_t tc_str_size(const tc_entry *e)
{
    size_t n = e->klen > TC_INLINE ? e->klen + 1u : 0;
    if (!(e->flags & TC_SIMPLE))
        n += e->norm_len + 1u + ((e->flags & TC_LOWER) ? e->lower_len + 1u : 0);
    return n;
}

/* Copy the strings of e from tc->pool to tc->pool2. */
static int tc_move_entry(hm_tokcache *tc, tc_entry *e)
{
    size_t n = tc_str_size(e);
    if (n && tc_move(&tc->pool2, &tc->pool, &e->str, n - 1))
        return -1;
    if (e->stem && e->stem != TC_STEM_NORM) {
        uint32_t off = e->stem - 1; /* the stem's hash, then the stem */
        if (tc_move(&tc->pool2, &tc->pool, &off, 8 + (size_t)e->stem_len))
            return -1;
        e->stem = off + 1;
    }
    return 0;
}

/* Make room in a full cache; only between posts, as tokens hold entry indexes.
 * The most used entries (at most TC_KEEP, used at least once) are kept, with
 * their uses halved so that old favourites fade; the rest is forgotten.  If
 * keeping fails for want of memory, the cache is simply emptied. */
static void tc_trim(hm_tokcache *tc)
{
    if (!tc->slots || (tc->count < TC_MAX && tc->pool.len < TC_POOL_MAX))
        return;
    size_t nkept = 0;
    if (!tc->kept)
        tc->kept = malloc(TC_KEEP * sizeof *tc->kept);
    if (tc->kept) {
        /* the least uses an entry needs to be kept: TC_KEEP at most pass
         * (the entries read from their list, not from the whole table) */
        uint32_t hist[TC_USES_MAX + 1] = {0};
        for (size_t q = 0; q < tc->count; q++)
            hist[tc->slots[tc->used[q]].uses]++;
        unsigned min = TC_USES_MAX + 1;
        size_t n = 0;
        while (min > 1 && n + hist[min - 1] <= TC_KEEP)
            n += hist[--min];
        tc->pool2.len = 0;
        /* the kept entries out, every entry's slot emptied (a slot is empty
         * when its hash is 0: tc_add writes a whole entry): the entries
         * alone are read, not the whole table */
        int keep = min <= TC_USES_MAX;
        for (size_t q = 0; q < tc->count; q++) {
            tc_entry *e = &tc->slots[tc->used[q]];
            if (keep && e->uses >= min) {
                if (tc_move_entry(tc, e)) {
                    nkept = 0; /* no memory for the strings: keep nothing */
                    keep = 0;
                } else {
                    e->uses /= 2;
                    tc->kept[nkept++] = *e;
                }
            }
            e->h = 0;
        }
    } else {
        for (size_t q = 0; q < tc->count; q++)
            tc->slots[tc->used[q]].h = 0;
    }
    tc->count = 0;
    if (!nkept) {
        tc->pool.len = 0;
        return;
    }
    hm_buf t = tc->pool;
    tc->pool = tc->pool2;
    tc->pool2 = t;
    tc->pool2.len = 0;
    for (size_t q = 0; q < nkept; q++) {
        size_t j = tc->kept[q].h & (TC_SLOTS - 1);
        while (tc->slots[j].h)
            j = (j + 1) & (TC_SLOTS - 1);
        tc->slots[j] = tc->kept[q];
        tc->used[q] = (uint32_t)j;
    }
    tc->count = nkept;
}

/* The cache's own hash (it is not stored anywhere): whole words at a time,
 * never reading outside p[0..n). */
static inline uint64_t tc_hash(const unsigned char *p, size_t n, int type)
{
    const uint64_t K = 0x9E3779B97F4A7C15ULL;
    uint64_t h = ((uint64_t)(type + 1) << 56 | n) * K, a;
    if (n >= 8) {
        size_t i = 0;
        for (; i + 8 < n; i += 8) {
            memcpy(&a, p + i, 8);
            h = (h ^ a) * 0xff51afd7ed558ccdULL;
            h ^= h >> 29;
        }
        memcpy(&a, p + n - 8, 8); /* the tail, overlapping */
    } else if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + n - 4, 4);
        a = (uint64_t)x << 32 | y;
    } else {
        a = n ? (uint64_t)p[0] << 16 | (uint64_t)p[n >> 1] << 8 | p[n - 1] : 0;
    }
    h = (h ^ a) * 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h ? h : 1;
}

/* The slot of key (h, p[0..n), type): its entry, or the empty slot to fill. */
static tc_entry *tc_slot(hm_tokcache *tc, uint64_t h, const unsigned char *p, size_t n, int type)
{
    size_t j = h & (TC_SLOTS - 1);
    for (;;) {
        tc_entry *e = &tc->slots[j];
        if (!e->h || (e->h == h && e->klen == n && e->type == type &&
                      hm_eq(n <= TC_INLINE ? e->k : tc->pool.p + e->str, p, n)))
            return e;
        j = (j + 1) & (TC_SLOTS - 1);
    }
}

/* d[0..n) = s[0..n) (apart): most tokens' strings are short, copied as two
 * overlapping words, no call */
static inline void copy_short(char *d, const char *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t x, y;
        memcpy(&x, s, 8);
        memcpy(&y, s + n - 8, 8);
        memcpy(d, &x, 8);
        memcpy(d + n - 8, &y, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t x, y;
        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        memcpy(d, &x, 4);
        memcpy(d + n - 4, &y, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        memcpy(d, s, n);
    }
}

/* Where to write a string of n bytes at the end of b (NULL: out of memory,
 * or past 32-bit offsets); str_end() then closes it. */
static inline char *str_begin(hm_buf *b, size_t n)
{
    if (b->len + n + 1 > UINT32_MAX || hm_buf_room(b, n + 1))
        return NULL;
    return b->p + b->len;
}

/* The n bytes written at str_begin() end with a NUL: returns their offset. */
static inline uint32_t str_end(hm_buf *b, size_t n)
{
    uint32_t off = (uint32_t)b->len;
    b->p[b->len + n] = 0;
    b->p[b->len + n + 1] = 0; /* hm_buf keeps a NUL after its bytes */
    b->len += n + 1;
    return off;
}

/* Append s[0..n) and a NUL to b; *off gets where. */
static inline int put_str(hm_buf *b, const char *s, size_t n, uint32_t *off)
{
    char *d = str_begin(b, n);
    if (!d)
        return HM_ENOMEM;
    copy_short(d, s, n);
    *off = str_end(b, n);
    return 0;
}

/* The eight bytes of x with A-Z lower-cased (other bytes, UTF-8 ones
 * included, unchanged). */
static inline uint64_t lower8(uint64_t x)
{
    uint64_t upper = hm_bytes_in(x & ~HM_BYTES(0x80), 'A', 'Z') & ~x; /* ASCII A-Z */
    return x | upper >> 2;                                            /* 0x80 >> 2 = 0x20 */
}

/* d[0..n) = k[0..n) with A-Z lower-cased, eight bytes at a time (the last
 * eight, or the first and last four, overlapping) */
static inline void copy_lower(char *d, const unsigned char *k, size_t n)
{
    uint64_t x;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, k + i, 8);
            x = lower8(x);
            memcpy(d + i, &x, 8);
        }
        memcpy(&x, k + n - 8, 8);
        x = lower8(x);
        memcpy(d + n - 8, &x, 8);
    } else if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, k, 4);
        memcpy(&hi, k + n - 4, 4);
        x = lower8((uint64_t)hi << 32 | lo);
        lo = (uint32_t)x;
        hi = (uint32_t)(x >> 32);
        memcpy(d + n - 4, &hi, 4);
        memcpy(d, &lo, 4);
    } else {
        for (size_t i = 0; i < n; i++)
            d[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] + 32 : k[i]);
    }
}

/* s[0..n) is k[0..n) with A-Z lower-cased; eight bytes at a time */
static int eq_lower(const char *s, const unsigned char *k, size_t n)
{
    uint64_t x, y;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, s + i, 8);
            memcpy(&y, k + i, 8);
            if (x != lower8(y))
                return 0;
        }
        memcpy(&x, s + n - 8, 8); /* the tail, overlapping */
        memcpy(&y, k + n - 8, 8);
        return x == lower8(y);
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] != (k[i] >= 'A' && k[i] <= 'Z' ? k[i] + 32 : k[i]))
            return 0;
    return 1;
}

/* Fill t from cache entry e. */
static int tc_use(hm_textbuf *tb, tok *t, const tc_entry *e, const unsigned char *text,
                  int want_caps)
{
    size_t n = e->norm_len;
    if (e->flags & TC_SIMPLE) {
        /* from the key (n bytes): no pool read.  A key of at most eight
         * bytes is one word of the entry (zero-padded), lower-cased and
         * stored whole (room made for it) */
        char *d = str_begin(&tb->strs, n + 8);
        if (!d)
            return HM_ENOMEM;
        _Static_assert(TC_INLINE >= 8, "a short key is a word of the entry");
        if (n <= 8) {
            uint64_t x;
            memcpy(&x, e->k, 8);
            x = lower8(x);
            memcpy(d, &x, 8);
        } else {
            copy_lower(d, text + t->start, n);
        }
        t->norm = t->lower = str_end(&tb->strs, n);
    } else {
        const char *norm = tb->tc.pool.p + e->str + (e->klen > TC_INLINE ? e->klen + 1u : 0);
        if (put_str(&tb->strs, norm, n, &t->norm))
            return HM_ENOMEM;
        if (t->type != HM_TOK_WORD || !(e->flags & TC_LOWER))
            t->lower = t->norm; /* the same string */
        else if (put_str(&tb->strs, norm + n + 1, e->lower_len, &t->lower))
            return HM_ENOMEM;
    }
    t->norm_len = (uint16_t)n;
    t->nh = e->nh;
    if (e->flags & TC_ELONG)
        t->flags |= HM_TF_ELONGATED;
    if (want_caps && (e->flags & TC_ALLCAPS))
        t->flags |= HM_TF_CAPS;
    t->ce = (int32_t)(e - tb->tc.slots);
    return 0;
}

/* Record t (just computed) in the empty slot e. */
static int tc_add(hm_textbuf *tb, tok *t, tc_entry *e, uint64_t h, const unsigned char *text,
                  int allcaps)
{
    hm_tokcache *tc = &tb->tc;
    if (tc->count >= TC_ADD_MAX)
        return 0; /* a huge post: the rest of it goes uncached */
    size_t klen = t->end - t->start;
    const unsigned char *key = text + t->start;
    const char *nm = tb_str(tb, t->norm), *lw = tb_str(tb, t->lower);
    int same = tok_lower_is_norm(t); /* (then no compare) */
    size_t llen = same ? t->norm_len : strlen(lw);
    int lower = t->type == HM_TOK_WORD && !same && !(llen == t->norm_len && !memcmp(lw, nm, llen));
    if (klen > UINT8_MAX || t->norm_len > UINT8_MAX || (lower && llen > UINT8_MAX))
        return 0; /* strings too long for the entry: not cached */
    int simple = !lower && t->norm_len == klen && eq_lower(nm, key, klen);
    tc_entry ne;
    memset(&ne, 0, sizeof ne);
    uint32_t off = (uint32_t)tc->pool.len, o;
    if (klen <= TC_INLINE)
        memcpy(ne.k, key, klen);
    else if (put_str(&tc->pool, (const char *)key, klen, &o))
        return HM_ENOMEM;
    if (!simple && (put_str(&tc->pool, nm, t->norm_len, &o) ||
                    (lower && put_str(&tc->pool, lw, llen, &o))))
        return HM_ENOMEM;
    ne.h = h;
    ne.nh = t->nh;
    ne.str = off;
    ne.klen = (uint8_t)klen;
    ne.norm_len = (uint8_t)t->norm_len;
    ne.lower_len = (uint8_t)(lower ? llen : 0);
    ne.type = t->type;
    ne.flags = (uint8_t)(((t->flags & HM_TF_ELONGATED) ? TC_ELONG : 0) | (allcaps ? TC_ALLCAPS : 0) |
                         (lower ? TC_LOWER : 0) | (simple ? TC_SIMPLE : 0));
    *e = ne;
    tc->used[tc->count++] = (uint32_t)(e - tc->slots);
    t->ce = (int32_t)(e - tc->slots);
    return 0;
}

/* (internal.h: hm_tc_stem_get answers the common case inline) */
int hm_tc_stem_copy(hm_textbuf *tb, tok *t, const tc_entry *e)
{
    if (e->stem == TC_STEM_NORM)
        return 0; /* (the norm itself: hm_tc_stem_get answers) */
    /* the stem's hash, kept before it: no hashing of the stem again */
    const char *p = tb->tc.pool.p + e->stem - 1;
    if (put_str(&tb->strs, p + 8, e->stem_len, &t->stem))
        return -1;
    memcpy(&t->sh, p, 8);
    t->stem_len = e->stem_len;
    return 1;
}

int hm_tc_stem_put(hm_textbuf *tb, const tok *t, int lang)
{
    if (t->ce < 0 || t->stem_len > UINT8_MAX)
        return 0;
    tc_entry *e = &tb->tc.slots[t->ce];
    uint32_t off;
    if (t->stem_len == t->norm_len && !memcmp(tb_str(tb, t->stem), tb_str(tb, t->norm), t->stem_len)) {
        off = TC_STEM_NORM - 1;
    } else {
        /* the stem's hash (t->sh), then the stem and a NUL */
        char *d = str_begin(&tb->tc.pool, 8 + (size_t)t->stem_len);
        if (!d)
            return HM_ENOMEM;
        memcpy(d, &t->sh, 8);
        memcpy(d + 8, tb_str(tb, t->stem), t->stem_len);
        off = str_end(&tb->tc.pool, 8 + (size_t)t->stem_len);
    }
    hm_tc_lang(e, lang);
    e->stem = off + 1;
    e->stem_len = (uint8_t)t->stem_len;
    return 0;
}

/* Append the folded form of code point c to b (norm: accents stripped). */
static int put_fold(hm_buf *b, int32_t c, int strip)
{
    if (c < 0x80) {
        char ch = (char)c;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch + 32);
        return hm_buf_putc(b, ch);
    }
    if (is_apos(c))
        return hm_buf_putc(b, '\'');
    if (c == 0x201C || c == 0x201D || c == 0x00AB || c == 0x00BB || c == 0x201E)
        return hm_buf_putc(b, '"');
    if (strip) {
        if (c == 0x0153 || c == 0x0152)
            return hm_buf_put(b, "oe", 2);
        if (c == 0x00E6 || c == 0x00C6)
            return hm_buf_put(b, "ae", 2);
    }
    utf8proc_int32_t dst[8];
    int last = 0;
    int opts = UTF8PROC_CASEFOLD;
    if (strip)
        opts |= UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_COMPAT;
    utf8proc_ssize_t k = utf8proc_decompose_char(c, dst, 8, (utf8proc_option_t)opts, &last);
    if (k < 0 || k > 8) {
        dst[0] = c;
        k = 1;
    }
    for (utf8proc_ssize_t i = 0; i < k; i++) {
        unsigned char tmp[4];
        utf8proc_ssize_t m = utf8proc_encode_char(dst[i], tmp);
        if (hm_buf_put(b, tmp, (size_t)m))
            return HM_ENOMEM;
    }
    return 0;
}

/* Fold runs of 3+ identical code points to 2 in place (valid UTF-8 in s[0..n)).
 * Returns the new length and sets *elong when something was folded. */
static size_t fold_runs(char *s, size_t n, int *elong)
{
    /* ASCII without three equal bytes in a row (most words): nothing to fold */
    size_t q = 0;
    while (q < n && (unsigned char)s[q] < 0x80 &&
           !(q >= 2 && s[q] == s[q - 1] && s[q] == s[q - 2]))
        q++;
    if (q == n)
        return n;
    size_t w = 0, i = 0;
    int32_t prev = -1;
    int run = 0;
    while (i < n) {
        int32_t c;
        size_t k = dec((const unsigned char *)s + i, n - i, &c);
        if (c == prev && c != '.' && !(c >= '0' && c <= '9')) {
            run++;
        } else {
            run = 1;
            prev = c;
        }
        if (run <= 2) {
            memmove(s + w, s + i, k);
            w += k;
        } else {
            *elong = 1;
        }
        i += k;
    }
    return w;
}

size_t hm_fold_doubles(const char *s, size_t n, char *out)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w > 0 && s[i] == out[w - 1] && (unsigned char)s[i] < 0x80 &&
            isalpha((unsigned char)s[i]))
            continue;
        out[w++] = s[i];
    }
    out[w] = 0;
    return w;
}

/* The token cache key hash of t, 0 when t is not cached (no cache, too long). */
static inline uint64_t tok_tc_hash(const hm_textbuf *tb, const tok *t, const unsigned char *text)
{
    if (!tb->tc.slots || t->end - t->start > TC_KEY_MAX)
        return 0;
    return tc_hash(text + t->start, t->end - t->start, t->type);
}

/* Build norm and lower strings of the token from original bytes [start,end)
 * (and record them in the cache's empty slot ce, if not NULL; ch its key
 * hash).  Out of line: the cache answers most tokens (finish_strings). */
static __attribute__((noinline)) int build_strings(hm_textbuf *tb, tok *t,
                                                   const unsigned char *text, int want_caps,
                                                   uint64_t ch, tc_entry *ce)
{
    size_t start = t->start, end = t->end;
    hm_buf *s = &tb->strs;
    int nletters = 0, nupper = 0, has_mark = 0, elong = 0;

    /* ASCII, the common case: folding is lower-casing, and lower is the same
     * string as norm */
    size_t na = start;
    while (na < end && text[na] < 0x80)
        na++;
    if (na == end && t->type != HM_TOK_EMOJI) {
        size_t noff = s->len;
        if (hm_buf_reserve(s, end - start + 2))
            return HM_ENOMEM;
        char *d = s->p + noff;
        for (size_t i = start; i < end; i++) {
            unsigned char b = text[i];
            if (b >= 'A' && b <= 'Z') {
                nupper++;
                nletters++;
                b = (unsigned char)(b + 32);
            } else if (b >= 'a' && b <= 'z') {
                nletters++;
            }
            *d++ = (char)b;
        }
        size_t nlen = end - start;
        if (t->type == HM_TOK_WORD || t->type == HM_TOK_HASHTAG)
            nlen = fold_runs(s->p + noff, nlen, &elong);
        s->len = noff + nlen;
        s->p[s->len++] = 0;
        if (nlen > UINT16_MAX)
            nlen = UINT16_MAX;
        t->norm = t->lower = (uint32_t)noff;
        t->norm_len = (uint16_t)nlen;
        t->nh = hm_hash(s->p + noff, nlen);
        goto done;
    }

    /* norm */
    size_t noff = s->len;
    for (size_t i = start; i < end;) {
        int32_t c;
        size_t k = dec(text + i, end - i, &c);
        i += k;
        int cl = cclass(c);
        if (cl == C_IGNORE && t->type != HM_TOK_EMOJI)
            continue;
        if (cl == C_LETTER) {
            nletters++;
            nupper += is_upper(c);
        } else if (cl == C_MARK) {
            has_mark = 1;
        }
        if (t->type == HM_TOK_EMOJI) {
            if (emoji_modifier(c))
                continue; /* the lexicon key drops skin tones and variation selectors */
            unsigned char tmp[4];
            utf8proc_ssize_t m = utf8proc_encode_char(c, tmp);
            if (hm_buf_put(s, tmp, (size_t)m))
                return HM_ENOMEM;
            continue;
        }
        if (put_fold(s, c, 1))
            return HM_ENOMEM;
    }
    size_t nlen = s->len - noff;
    if (t->type == HM_TOK_WORD || t->type == HM_TOK_HASHTAG)
        nlen = fold_runs(s->p + noff, nlen, &elong);
    s->len = noff + nlen;
    if (hm_buf_putc(s, 0))
        return HM_ENOMEM;
    if (nlen > UINT16_MAX)
        nlen = UINT16_MAX;
    t->norm = (uint32_t)noff;
    t->norm_len = (uint16_t)nlen;
    t->nh = hm_hash(s->p + noff, nlen);

    /* lower: only words need their own (others share norm) */
    if (t->type != HM_TOK_WORD) {
        t->lower = t->norm;
    } else {
        size_t loff = s->len;
        for (size_t i = start; i < end;) {
            int32_t c;
            size_t k = dec(text + i, end - i, &c);
            i += k;
            int cl = cclass(c);
            if (cl == C_IGNORE)
                continue;
            if (put_fold(s, c, 0))
                return HM_ENOMEM;
        }
        size_t llen = s->len - loff;
        if (has_mark) {
            /* compose to NFC so that Snowball sees precomposed letters; in the
             * analyzer's scratch memory (no allocation once it has grown) */
            hm_buf *cb = &tb->nfc;
            cb->len = 0;
            size_t ncp = llen + 4;
            if (hm_buf_reserve(cb, ncp * sizeof(utf8proc_int32_t) + 8) == 0) {
                utf8proc_int32_t *u = (utf8proc_int32_t *)(void *)cb->p;
                utf8proc_ssize_t m = utf8proc_decompose((const utf8proc_uint8_t *)s->p + loff,
                                                        (utf8proc_ssize_t)llen, u,
                                                        (utf8proc_ssize_t)ncp, UTF8PROC_STABLE);
                if (m >= 0 && (size_t)m <= ncp) {
                    m = utf8proc_normalize_utf32(u, m, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
                    if (m >= 0) {
                        /* re-encode: composition never makes the UTF-8 longer */
                        size_t w = 0;
                        for (utf8proc_ssize_t q = 0; q < m; q++) {
                            unsigned char tmp[4];
                            utf8proc_ssize_t kk = utf8proc_encode_char(u[q], tmp);
                            if (w + (size_t)kk > llen)
                                break;
                            memcpy(s->p + loff + w, tmp, (size_t)kk);
                            w += (size_t)kk;
                        }
                        llen = w;
                    }
                }
            }
        }
        int dummy = 0;
        llen = fold_runs(s->p + loff, llen, &dummy);
        s->len = loff + llen;
        if (hm_buf_putc(s, 0))
            return HM_ENOMEM;
        t->lower = (uint32_t)loff;
    }
done:
    if (elong)
        t->flags |= HM_TF_ELONGATED;
    int allcaps = nletters >= 2 && nupper == nletters;
    if (want_caps && allcaps)
        t->flags |= HM_TF_CAPS;
    return ce ? tc_add(tb, t, ce, ch, text, allcaps) : 0;
}

/* The norm and lower strings of the token, from the token cache when it has
 * them; ch: tok_tc_hash(tb, t, text).  Inline: the common case is a probe
 * and a copy. */
static inline int finish_strings(hm_textbuf *tb, tok *t, const unsigned char *text,
                                 int want_caps, uint64_t ch)
{
    tc_entry *ce = NULL;
    if (ch) {
        ce = tc_slot(&tb->tc, ch, text + t->start, t->end - t->start, t->type);
        if (ce->h) {
            ce->uses += ce->uses < TC_USES_MAX;
            return tc_use(tb, t, ce, text, want_caps);
        }
    }
    return build_strings(tb, t, text, want_caps, ch, ce);
}

/* French elided words: l j qu n c d s m t jusqu lorsqu puisqu quoiqu */

static int is_elision(const unsigned char *p, size_t n)
{
    if (n == 0 || n > 6)
        return 0;
    char low[8];
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= 0x80)
            return 0;
        low[i] = (char)tolower(p[i]);
    }
    low[n] = 0;
    /* the words above, by length */
    switch (n) {
    case 1: return memchr("ljncdsmt", low[0], 8) != NULL;
    case 2: return low[0] == 'q' && low[1] == 'u';
    case 5: return !memcmp(low, "jusqu", 5);
    case 6: return !memcmp(low, "lorsqu", 6) || !memcmp(low, "puisqu", 6) ||
                   !memcmp(low, "quoiqu", 6);
    default: return 0;
    }
}

/* Duration units, ASCII lower case; value in minutes. */
#define UN(u, m) {u, sizeof u - 1, m}
static const struct { const char *u; size_t len; double min; } units[] = {
    UN("h", 60), UN("hr", 60), UN("hrs", 60), UN("hre", 60), UN("hres", 60), UN("hour", 60),
    UN("hours", 60), UN("heure", 60), UN("heures", 60), UN("min", 1), UN("mins", 1), UN("mn", 1),
    UN("minute", 1), UN("minutes", 1), UN("sec", 1.0 / 60), UN("secs", 1.0 / 60),
    UN("seconde", 1.0 / 60), UN("secondes", 1.0 / 60), UN("second", 1.0 / 60),
    UN("seconds", 1.0 / 60), UN("jour", 1440), UN("jours", 1440), UN("jrs", 1440), UN("day", 1440),
    UN("days", 1440), UN("semaine", 10080), UN("semaines", 10080), UN("sem", 10080),
    UN("week", 10080), UN("weeks", 10080), UN("wk", 10080), UN("wks", 10080), UN("mois", 43200),
    UN("month", 43200), UN("months", 43200), UN("an", 525600), UN("ans", 525600),
    UN("annee", 525600), UN("annees", 525600), UN("year", 525600), UN("years", 525600),
    UN("yr", 525600), UN("yrs", 525600), {NULL, 0, 0}};
#undef UN

static double unit_minutes(const unsigned char *p, size_t n)
{
    if (n == 0 || n > 8)
        return 0;
    char low[12];
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= 0x80) {
            /* années / année: é = C3 A9 */
            if (p[i] == 0xC3 && i + 1 < n && p[i + 1] == 0xA9) {
                low[w++] = 'e';
                i++;
                continue;
            }
            return 0;
        }
        low[w++] = (char)tolower(p[i]);
    }
    low[w] = 0;
    for (int i = 0; units[i].u; i++)
        if (units[i].len == w && !memcmp(low, units[i].u, w))
            return units[i].min;
    return 0;
}

static const char *const emoticons[] = {
    ">:-(", ">:(", ">:)", ":'-(", ":'(", ":')", ":-))", ":-((", ":-)", ":-(", ":-D", ":-P",
    ":-p", ":-/", ":-\\", ":-|", ":-o", ":-O", ":-*", ":-]", ":-[", ";-)", ";-(", ";-D",
    "8-)", "</3", "<3", "^_^", "^.^", "^^", "-_-", "-.-", "T_T", "T.T", "o_O", "O_o", "o_o",
    ":)", ":(", ":D", ":P", ":p", ":/", ":\\", ":|", ":o", ":O", ":*", ":]", ":[", ":@",
    ":3", ":s", ":S", ";)", ";(", ";D", ";p", ";P", "=)", "=(", "=D", "=/", "=]", "xD", "XD",
    "xd", "x)", "X)", "8)", "B)", "(:", NULL};

/* ASCII bytes an emoticon of the list above starts with (1) or has second (2);
 * keep in step with the list */
static const unsigned char emo_byte[128] = {
    ['\''] = 2, ['('] = 3, [')'] = 2, ['*'] = 2, ['-'] = 3, ['.'] = 2, ['/'] = 2, ['3'] = 2,
    ['8'] = 1, [':'] = 3, [';'] = 1, ['<'] = 1, ['='] = 1, ['>'] = 1, ['@'] = 2, ['B'] = 1,
    ['D'] = 2, ['O'] = 3, ['P'] = 2, ['S'] = 2, ['T'] = 1, ['X'] = 1, ['['] = 2, ['\\'] = 2,
    [']'] = 2, ['^'] = 3, ['_'] = 2, ['d'] = 2, ['o'] = 3, ['p'] = 2, ['s'] = 2, ['x'] = 1,
    ['|'] = 2,
};

static int alnum_ascii(unsigned char c) { return isalnum(c) != 0; }

/* Length of an emoticon at p (0 if none); it must stand alone. */
static size_t emoticon_at(const unsigned char *p, size_t n, size_t pos)
{
    if (pos > 0 && (alnum_ascii(p[pos - 1]) || p[pos - 1] >= 0x80))
        return 0;
    /* most candidates ("o" of "on", "T" of "The") fail on their second byte */
    if (pos + 1 >= n || p[pos + 1] >= 0x80 || !(emo_byte[p[pos + 1]] & 2))
        return 0;
    for (int i = 0; emoticons[i]; i++) {
        const char *e = emoticons[i]; /* two bytes at least */
        if ((unsigned char)e[0] != p[pos] || pos + 1 >= n || (unsigned char)e[1] != p[pos + 1])
            continue;
        size_t m = strlen(e);
        if (m > n - pos || memcmp(p + pos, e, m) != 0)
            continue;
        size_t end = pos + m;
        unsigned char last = p[end - 1];
        if (last == ')' || last == '(' || last == 'D' || last == '3' || last == '/')
            while (end < n && p[end] == last)
                end++;
        if (end < n && (alnum_ascii(p[end]) || p[end] >= 0x80))
            if (!(p[end] >= 0xF0)) /* an emoji right after is fine */
                continue;
        /* "(:" only at the end or before space, and ":/" never inside a URL-ish run */
        return end - pos;
    }
    return 0;
}

static int starts_ci(const unsigned char *p, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (m > n)
        return 0;
    for (size_t i = 0; i < m; i++)
        if (tolower(p[i]) != lit[i])
            return 0;
    return 1;
}

/* Split a hashtag body [s,e) into word parts: underscores, case changes, digits. */
static int hashtag_parts(hm_textbuf *tb, const unsigned char *text, size_t s, size_t e,
                         int16_t htag)
{
    size_t i = s, part = s;
    int prev_lower = 0, prev_digit = -1;
    while (i <= e) {
        int32_t c = 0;
        size_t k = 1;
        int cl = C_SPACE;
        if (i < e) {
            k = dec(text + i, e - i, &c);
            cl = cclass(c);
        }
        int boundary = 0;
        if (i == e || c == '_')
            boundary = 1;
        else if (cl == C_LETTER && is_upper(c) && prev_lower)
            boundary = 1;
        else if (prev_digit >= 0 && (cl == C_DIGIT) != prev_digit)
            boundary = 1;
        if (boundary && i > part) {
            if (push_tok(tb, HM_TOK_WORD, part, i))
                return HM_ENOMEM;
            tok *t = &tb->toks[tb->ntoks - 1];
            t->flags |= HM_TF_HASHPART;
            t->hashtag = htag;
            part = i;
        }
        if (i == e)
            break;
        if (c == '_')
            part = i + k;
        prev_lower = cl == C_LETTER && !is_upper(c);
        prev_digit = cl == C_DIGIT ? 1 : (cl == C_LETTER ? 0 : -1);
        i += k;
    }
    return 0;
}

static int punct_run(int32_t c) { return c == '!' || c == '?' || c == '.' || c == 0x2026; }

int hm_tokenize(hm_textbuf *tb, const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    tb->ntoks = 0;
    tb->kinds = 0;
    tb->any_q = 0;
    tb->strs.len = 0;
    tc_trim(&tb->tc);
    if (hm_buf_reserve(&tb->strs, len * 2 + 16))
        return HM_ENOMEM;
    size_t i = 0;
    size_t nwords2 = 0, ncaps = 0;
    while (i < len) {
        if (p[i] == ' ') { /* the most common byte, between most tokens */
            i++;
            continue;
        }
        int32_t c = p[i];
        size_t k = 1;
        int cl = C_LETTER;
        /* an ASCII letter that starts no URL and no emoticon (most tokens):
         * straight to the word */
        if (c < 0x80 && ascii_class[c] == C_LETTER && !(emo_byte[c] & 1) && (c | 0x20) != 'h' &&
            (c | 0x20) != 'w')
            goto word;
        k = dec(p + i, len - i, &c);
        cl = cclass(c);
        if (cl == C_SPACE || cl == C_IGNORE || cl == C_MARK) {
            i += k;
            continue;
        }
        /* URL */
        if ((c == 'h' || c == 'H' || c == 'w' || c == 'W') && len - i >= 4 &&
            (p[i + 1] | 0x20) == ((c | 0x20) == 'h' ? 't' : 'w') &&
            (starts_ci(p + i, len - i, "http://") || starts_ci(p + i, len - i, "https://") ||
             starts_ci(p + i, len - i, "www."))) {
            size_t e = i;
            while (e < len && p[e] > ' ')
                e++;
            while (e > i + 4 && strchr(".,;:!?)]\"'", p[e - 1]))
                e--;
            if (push_tok(tb, HM_TOK_URL, i, e))
                return HM_ENOMEM;
            i = e;
            continue;
        }
        /* emoticon */
        if (c < 0x80 && (emo_byte[c] & 1)) {
            size_t m = emoticon_at(p, len, i);
            if (m) {
                if (push_tok(tb, HM_TOK_EMOTICON, i, i + m))
                    return HM_ENOMEM;
                tok *t = &tb->toks[tb->ntoks - 1];
                /* key: no nose, mouth not repeated (the lexicon lists ":)", not ":-)))") */
                size_t off = tb->strs.len;
                size_t klen = 0;
                for (size_t j = i; j < i + m; j++) {
                    if (p[j] == '-' && j > i && j + 1 < i + m && (p[j - 1] == ':' || p[j - 1] == ';' || p[j - 1] == '8' || p[j - 1] == '\''))
                        continue;
                    if (klen > 1 && j > i && p[j] == p[j - 1] && strchr(")(D3/", p[j]))
                        continue;
                    if (hm_buf_putc(&tb->strs, (char)p[j]))
                        return HM_ENOMEM;
                    klen++;
                }
                if (hm_buf_putc(&tb->strs, 0))
                    return HM_ENOMEM;
                t->norm = t->lower = (uint32_t)off;
                t->norm_len = (uint16_t)klen;
                t->nh = hm_hash(tb->strs.p + off, klen);
                i += m;
                continue;
            }
        }
        /* mention / hashtag */
        if ((c == '@' || c == '#') && i + 1 < len) {
            int32_t c2;
            size_t k2 = dec(p + i + 1, len - i - 1, &c2);
            int cl2 = cclass(c2);
            if (cl2 == C_LETTER || cl2 == C_DIGIT || c2 == '_') {
                size_t e = i + 1;
                while (e < len) {
                    int32_t c3;
                    size_t k3 = dec(p + e, len - e, &c3);
                    int cl3 = cclass(c3);
                    if (!(cl3 == C_LETTER || cl3 == C_DIGIT || cl3 == C_MARK || c3 == '_'))
                        break;
                    e += k3;
                }
                (void)k2;
                int type = c == '@' ? HM_TOK_MENTION : HM_TOK_HASHTAG;
                if (push_tok(tb, type, i, e))
                    return HM_ENOMEM;
                if (type == HM_TOK_HASHTAG) {
                    int16_t h = (int16_t)(tb->ntoks - 1 < INT16_MAX ? (int)(tb->ntoks - 1) : -1);
                    if (hashtag_parts(tb, p, i + 1, e, h))
                        return HM_ENOMEM;
                }
                i = e;
                continue;
            }
        }
        /* emoji sequence */
        if (cl == C_EMOJI) {
            size_t e = i + k;
            int ri = c >= 0x1F1E6 && c <= 0x1F1FF;
            for (;;) {
                if (e >= len)
                    break;
                int32_t c2;
                size_t k2 = dec(p + e, len - e, &c2);
                if (emoji_modifier(c2)) {
                    e += k2;
                    continue;
                }
                if (ri && c2 >= 0x1F1E6 && c2 <= 0x1F1FF) {
                    e += k2;
                    ri = 0;
                    continue;
                }
                if (c2 == 0x200D && e + k2 < len) {
                    int32_t c3;
                    size_t k3 = dec(p + e + k2, len - e - k2, &c3);
                    if (is_pictographic(c3)) {
                        e += k2 + k3;
                        continue;
                    }
                }
                break;
            }
            if (push_tok(tb, HM_TOK_EMOJI, i, e))
                return HM_ENOMEM;
            i = e;
            continue;
        }
        /* number, duration, or a word starting with digits */
        if (cl == C_DIGIT) {
            size_t e = i;
            while (e < len && ((p[e] >= '0' && p[e] <= '9') ||
                               ((p[e] == '.' || p[e] == ',') && e + 1 < len && p[e + 1] >= '0' &&
                                p[e + 1] <= '9' && e > i)))
                e++;
            if (e == i) { /* non-ASCII digit: treat as a word char run below */
                e = i + k;
            }
            char num[64];
            size_t nl = e - i < 63 ? e - i : 63;
            double v;
            uint64_t iv = 0;
            size_t nd = 0;
            while (nd < nl && nd < 15 && p[i + nd] >= '0' && p[i + nd] <= '9')
                iv = iv * 10 + (uint64_t)(p[i + nd++] - '0');
            if (nd == nl) {
                /* digits alone (most numbers), at most 15: the value is exact,
                 * as strtod gives it */
                v = (double)iv;
            } else {
                for (size_t j = 0; j < nl; j++)
                    num[j] = p[i + j] == ',' ? '.' : (char)p[i + j];
                num[nl] = 0;
                v = strtod(num, NULL);
            }
            /* unit glued or after one space */
            size_t us = e, ue;
            if (us < len && p[us] == ' ')
                us++;
            ue = us;
            while (ue < len && (isalpha(p[ue]) || (p[ue] == 0xC3 && ue + 1 < len && p[ue + 1] == 0xA9)))
                ue += p[ue] == 0xC3 ? 2 : 1;
            double um = 0;
            int unit_ok = ue > us && (ue >= len || !(isalnum(p[ue]) || p[ue] >= 0x80 || p[ue] == '\'') ||
                                      ((p[ue - 1] == 'h' || p[ue - 1] == 'H') && isdigit(p[ue])));
            if (unit_ok)
                um = unit_minutes(p + us, ue - us);
            if (um > 0) {
                double mins = v * um;
                size_t de = ue;
                if ((p[ue - 1] == 'h' || p[ue - 1] == 'H') && ue - us == 1 && ue < len && isdigit(p[ue])) {
                    size_t m2 = ue;
                    int mm = 0;
                    while (m2 < len && isdigit(p[m2]) && m2 - ue < 2)
                        mm = mm * 10 + (p[m2++] - '0');
                    mins += mm;
                    de = m2;
                    if (de < len && (p[de] == 'm' || p[de] == 'M')) /* 1h30min */
                        while (de < len && isalpha(p[de]))
                            de++;
                }
                if (push_tok(tb, HM_TOK_DURATION, i, de))
                    return HM_ENOMEM;
                tb->toks[tb->ntoks - 1].value = mins;
                i = de;
                continue;
            }
            if (e < len && (isalpha(p[e]) || p[e] >= 0xC0) && e > i) {
                /* "4g", "3rd", "2eme": one word */
                size_t we = e;
                while (we < len) {
                    int32_t c3;
                    size_t k3 = dec(p + we, len - we, &c3);
                    int cl3 = cclass(c3);
                    if (cl3 != C_LETTER && cl3 != C_DIGIT && cl3 != C_MARK)
                        break;
                    we += k3;
                }
                if (push_tok(tb, HM_TOK_WORD, i, we))
                    return HM_ENOMEM;
                i = we;
                continue;
            }
            if (push_tok(tb, HM_TOK_NUMBER, i, e))
                return HM_ENOMEM;
            tb->toks[tb->ntoks - 1].value = v;
            i = e;
            continue;
        }
    word:
        if (cl == C_LETTER) {
            size_t s = i, e = i;
            for (;;) {
                /* ASCII letters and digits, most of a word: no decoding,
                 * eight bytes at a time */
                e = ascii_word_end(p, e, len);
                if (e >= len)
                    break;
                int32_t c2;
                size_t k2 = dec(p + e, len - e, &c2);
                int cl2 = cclass(c2);
                if (cl2 == C_LETTER || cl2 == C_DIGIT || cl2 == C_MARK ||
                    (cl2 == C_IGNORE && c2 != 0x200D && c2 != 0xFE0F)) {
                    e += k2;
                    continue;
                }
                if (cl2 == C_APOS && e + k2 < len) {
                    int32_t c3;
                    size_t k3 = dec(p + e + k2, len - e - k2, &c3);
                    (void)k3;
                    if (cclass(c3) == C_LETTER) {
                        if (is_elision(p + s, e - s)) {
                            /* French elision: "l'" is its own token */
                            if (push_tok(tb, HM_TOK_WORD, s, e + k2))
                                return HM_ENOMEM;
                            tok *t = &tb->toks[tb->ntoks - 1];
                            t->flags |= HM_TF_ELISION;
                            s = e + k2;
                        }
                        e += k2;
                        continue;
                    }
                }
                break;
            }
            if (push_tok(tb, HM_TOK_WORD, s, e))
                return HM_ENOMEM;
            tb->toks[tb->ntoks - 1].flags |= TF_WANT_CAPS;
            i = e;
            continue;
        }
        /* punctuation runs: "!!!", "?!", "..." */
        if (punct_run(c)) {
            size_t e = i;
            int ne = 0, nq = 0;
            while (e < len) {
                int32_t c2;
                size_t k2 = dec(p + e, len - e, &c2);
                if (!punct_run(c2) || (c2 == '.' || c2 == 0x2026) != (c == '.' || c == 0x2026))
                    break;
                ne += c2 == '!';
                nq += c2 == '?';
                e += k2;
            }
            if (push_tok(tb, HM_TOK_PUNCT, i, e))
                return HM_ENOMEM;
            tok *t = &tb->toks[tb->ntoks - 1];
            t->punct_excl = (uint8_t)(ne > 255 ? 255 : ne);
            t->punct_q = (uint8_t)(nq > 255 ? 255 : nq);
            tb->any_q |= nq > 0;
            i = e;
            continue;
        }
        /* a hyphen inside a compound ("après-vente", "rendez-vous") separates words
         * without being a token, so phrases match across it */
        if ((c == '-' || c == 0x2010 || c == 0x2011) && tb->ntoks &&
            tb->toks[tb->ntoks - 1].end == i && tb->toks[tb->ntoks - 1].type == HM_TOK_WORD &&
            i + k < len) {
            int32_t c2;
            dec(p + i + k, len - i - k, &c2);
            if (cclass(c2) == C_LETTER) {
                i += k;
                continue;
            }
        }
        int type = cl == C_SYMBOL ? HM_TOK_SYMBOL : HM_TOK_PUNCT;
        if (cl == C_APOS)
            type = HM_TOK_PUNCT;
        if (push_tok(tb, type, i, i + k))
            return HM_ENOMEM;
        i += k;
    }
    /* then the strings of the tokens (emoticons have theirs), in order, asking
     * for the token cache slots of a few tokens ahead so that their misses
     * overlap */
    enum { AHEAD = 4 };
    uint64_t ring[AHEAD];
    size_t n = tb->ntoks;
    for (size_t j = 0; j < n && j < AHEAD; j++) {
        ring[j] = tok_tc_hash(tb, &tb->toks[j], p);
        if (ring[j])
            __builtin_prefetch(&tb->tc.slots[ring[j] & (TC_SLOTS - 1)]);
    }
    for (size_t j = 0; j < n; j++) {
        uint64_t h = ring[j % AHEAD];
        if (j + AHEAD < n) {
            uint64_t ha = tok_tc_hash(tb, &tb->toks[j + AHEAD], p);
            ring[j % AHEAD] = ha;
            if (ha)
                __builtin_prefetch(&tb->tc.slots[ha & (TC_SLOTS - 1)]);
        }
        tok *t = &tb->toks[j];
        if (t->type == HM_TOK_EMOTICON)
            continue;
        int want_caps = (t->flags & TF_WANT_CAPS) != 0;
        t->flags &= (uint8_t)~TF_WANT_CAPS;
        if (finish_strings(tb, t, p, want_caps, h))
            return HM_ENOMEM;
        if (want_caps && t->norm_len >= 2 && t->end - t->start >= 2) {
            nwords2++;
            if (t->flags & HM_TF_CAPS)
                ncaps++;
        }
    }
    tb->all_caps = nwords2 > 0 && ncaps == nwords2;
    if (tb->all_caps)
        for (size_t j = 0; j < tb->ntoks; j++)
            tb->toks[j].flags &= (uint8_t)~HM_TF_CAPS;
    return 0;
}

int hm_strip_accents(hm_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        int32_t c;
        size_t k = dec(p + i, n - i, &c);
        i += k;
        if (put_fold(out, c, 1))
            return HM_ENOMEM;
    }
    return 0;
}
