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

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct sb_stemmer;

/* ---------- util.c: buffers, hashing, string maps, status ---------- */

typedef struct hm_buf {
    char *p;
    size_t len, cap;
} hm_buf;

int hm_buf_reserve(hm_buf *b, size_t extra);           /* 0 or HM_ENOMEM */
int hm_buf_put(hm_buf *b, const void *s, size_t n);
int hm_buf_putc(hm_buf *b, char c);
/* inline, so that the length of a string literal is known at compile time */
static inline int hm_buf_puts(hm_buf *b, const char *s) { return hm_buf_put(b, s, strlen(s)); }
int hm_buf_printf(hm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hm_buf_free(hm_buf *b);
/* Numbers without stdio.  hm_fmt_uint writes the digits of v (no NUL, at most
 * 20 bytes) and returns their count; hm_fmt_g4 writes exactly what
 * snprintf("%.4g", v) writes, NUL included, into at least HM_FMT_G4_MAX bytes,
 * and returns the length. */
#define HM_FMT_G4_MAX 32
size_t hm_fmt_uint(char *out, uint64_t v);
size_t hm_fmt_g4(char *out, double v);
int hm_buf_put_uint(hm_buf *b, uint64_t v);

uint64_t hm_hash(const void *p, size_t n);

/* Open-addressing map from byte strings to 32-bit values; keys are copied into
 * the map's own pool.  Built once (engine open), then read-only. */
typedef struct hm_map {
    uint64_t *hashes;   /* 0 = empty slot */
    uint32_t *koff;     /* key offset into pool */
    uint32_t *klen;
    uint32_t *vals;
    size_t cap, count;
    hm_buf pool;
} hm_map;

int hm_map_put(hm_map *m, const char *k, size_t n, uint32_t v); /* replaces */
int hm_map_get(const hm_map *m, const char *k, size_t n, uint32_t *v); /* 1 found */
/* the same with h = hm_hash(k, n) already known (tokens keep theirs) */
int hm_map_get_h(const hm_map *m, const char *k, size_t n, uint64_t h, uint32_t *v);
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
} tok;

typedef struct hm_textbuf {
    tok *toks;
    size_t ntoks, tcap;
    hm_buf strs;          /* token strings */
    hm_buf scratch;
    hm_buf scratch2;
    hm_buf nfc;           /* code points while composing to NFC */
    int all_caps;         /* the whole text is in capitals: caps emphasis is off */
} hm_textbuf;

/* Tokenize text (len bytes, any bytes) into tb. 0 or HM_ENOMEM. */
int hm_tokenize(hm_textbuf *tb, const char *text, size_t len);
/* Make a valid UTF-8 copy of s (invalid bytes -> U+FFFD) appended to out. */
int hm_utf8_sanitize(hm_buf *out, const char *s, size_t n);
/* Append s with accents removed and case folded (no NUL added). */
int hm_strip_accents(hm_buf *out, const char *s, size_t n);
/* Strip elongation further: every letter run of 2+ folded to 1. */
size_t hm_fold_doubles(const char *s, size_t n, char *out);

static inline const char *tb_str(const hm_textbuf *tb, uint32_t off) { return tb->strs.p + off; }

/* ---------- stem.c ---------- */

typedef struct hm_stemcache {
    struct sb_stemmer *sb[LANG_N];
    hm_map map[LANG_N];      /* not hm_map (read-only): a small LRU-free bounded cache */
    hm_buf vals[LANG_N];
} hm_stemcache;

int hm_stem_init(hm_stemcache *c);
void hm_stem_free(hm_stemcache *c);
/* Stem a lower-case word for a language; appends the accent-free stem (NUL-terminated)
 * to out and returns its offset via *off. */
int hm_stem(hm_stemcache *c, int lang, const char *lower, size_t n, hm_buf *out, uint32_t *off,
            uint16_t *len);

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
    uint8_t has_val, modtype, phrase_max, pad;
} lex_entry;

typedef struct hm_lexicon {
    hm_map words[LANG_N];    /* norm key (phrases: norms joined by one space) -> entry index */
    hm_map stems[LANG_N];    /* stem key -> entry index (single words with a valence) */
    lex_entry *entries;
    size_t nentries, cap;
    size_t nvalence[LANG_N], nmods[LANG_N];
} hm_lexicon;

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
const lex_entry *hm_lex_stem(const hm_lexicon *lx, int lang, const char *k, size_t n);
const lex_entry *hm_lex_word_h(const hm_lexicon *lx, int lang, const char *k, size_t n, uint64_t h);
const lex_entry *hm_lex_stem_h(const hm_lexicon *lx, int lang, const char *k, size_t n, uint64_t h);
/* token i of tb is a negator that applies (weak ones only next to "ne") */
int hm_tok_negator(const hm_textbuf *tb, const hm_lexicon *lx, int lang, size_t i);
/* a token's norm and stem */
#define TOK_WORD_E(lx, lang, tb, t) hm_lex_word_h(lx, lang, tb_str(tb, (t)->norm), (t)->norm_len, (t)->nh)

/* ---------- categories.c ---------- */

typedef struct cat_cue {
    uint16_t cat;
    float weight;
    int32_t next;        /* next cue with the same key, -1 ends */
} cat_cue;

typedef struct cat_regex {
    pcre2_code *code;
    uint16_t cat;
    uint8_t lang;        /* LANG_UND = both */
    float weight;
    char lit[256];       /* literals, NUL-separated: every match contains one of them */
    uint8_t nlit;        /* 0 = no prefilter */
} cat_regex;

typedef struct hm_cats {
    size_t ncats;
    char **ids;
    hm_map stems[LANG_N];     /* stem key -> first cue */
    hm_map phrases[LANG_N];   /* norm key (words joined by spaces) -> first cue */
    hm_map firsts[LANG_N];    /* first word of a phrase -> max phrase length */
    cat_cue *cues;
    size_t ncues, cuecap;
    cat_regex *re;
    size_t nre, recap;
    /* literal index: the first three bytes of every prefilter literal -> the
     * literals that start so (chains in lit_next), for one pass over a post */
    uint32_t *lit_key;        /* 3 bytes + 1, 0 = empty slot */
    int32_t *lit_head;        /* first entry of the slot's chain */
    size_t lit_cap;
    struct cat_lit { const char *s; uint16_t len; uint16_t re; int32_t next; } *lits;
    size_t nlits;
    pcre2_match_context *mctx;
    size_t npatterns;
} hm_cats;

typedef struct hm_cat_hit {
    int cat;
    double score;
    size_t ev_from, ev_to;    /* evidence items in analyzer->ev */
} hm_cat_hit;

typedef struct hm_cat_state {
    pcre2_match_data *md;
    double *sum;              /* per category */
    hm_cat_hit *hits;
    size_t nhits;
    uint32_t *normmap;        /* per byte of the normalized text: token index */
    size_t normcap;
    hm_buf normtext;
    uint64_t *eligible;       /* bitmap over patterns: a literal of theirs is in the post */
    int complaint;
    double complaint_prob;
    double cue_total;         /* positive cue weight over all categories */
    /* raw cue matches before grouping */
    struct cat_match { uint16_t cat; float w; uint32_t start, end; } *m;
    size_t nm, mcap;
} hm_cat_state;

int hm_categories_load(hm_cats *c, const hm_source *src, hm_status *st);
void hm_categories_free(hm_cats *c);
int hm_cat_state_init(hm_cat_state *s, const hm_cats *c);
void hm_cat_state_free(hm_cat_state *s);
struct hm_analyzer;
/* Find the category cues of the analysed text (before polarity is known)... */
int hm_categories_match(struct hm_analyzer *a, const hm_cats *c);
/* ...then decide complaint and categories once polarity is known. */
int hm_categories_decide(struct hm_analyzer *a, const hm_cats *c, int polarity, double score,
                         const double *probs, size_t *ncat);
int hm_tsv_next(const char *data, size_t len, size_t *pos, int *lineno, const char **f,
                size_t *fl, int maxf);

/* ---------- model.c ---------- */

#define HM_NOUT 4        /* negative, neutral, positive, complaint */
#define HM_NBLEND 13     /* inputs of the polarity blend */
#define HM_NCBLEND 6     /* inputs of the complaint blend */
#define HM_MODEL_MAGIC "HUMEURM\x01"
#define HM_MODEL_VERSION 3u
#define HM_MODEL_HEADER 512
enum {
    HM_MF_COMPLAINT = 1, /* the complaint head was trained */
    HM_MF_NORM = 2       /* sums are divided by sqrt(number of features of the post) */
};

typedef struct hm_featbuf {
    uint64_t *f;
    int32_t *tok;        /* token index of a unigram feature, -1 for others */
    size_t n, cap;
} hm_featbuf;

typedef struct hm_model {
    int lang;
    uint32_t cap, flags;
    float scale;
    float bias[HM_NOUT];
    float blend[3][HM_NBLEND + 1];   /* last column: bias */
    float cblend[HM_NCBLEND + 1];
    float info[8];                   /* training figures, for humeur --version -v */
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
void hm_complaint_inputs(const double s[HM_NOUT], const double p[3], const struct hm_lexscore *ls,
                         double cue_total, int question, double x[HM_NCBLEND]);
struct hm_model;
void hm_blend_probs(const struct hm_model *m, const double x[HM_NBLEND], double p[3]);
void hm_softmax3(const double z[3], double p[3]);
uint64_t hm_checksum(const void *p, size_t n);
int hm_model_bind(hm_model *m, const unsigned char *p, size_t n, int verify, const char *name,
                  hm_status *st);
int hm_model_open_file(hm_model *m, const char *path, hm_status *st);
void hm_model_close(hm_model *m);
void hm_model_score(const hm_model *m, const uint64_t *f, size_t n, double s[HM_NOUT],
                    int32_t *best_tok, double *best_w, size_t nbest, const int32_t *tok);
extern const hm_source hm_embedded_models[];

/* ---------- engine.c ---------- */

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
    uint64_t *seen;
    size_t seencap;
    hm_buf evtext;
    hm_token *ptoks;
    size_t ptcap;
    hm_buf json;
    const char *text;
    size_t textlen;
};

/* sentiment.c: lexicon and rules. */
int hm_score_lexicon(hm_analyzer *a, hm_lexscore *out);
int hm_pipeline(hm_analyzer *a, const char *text, size_t len, int forced, hm_lexscore *ls,
                double *conf);
int hm_ev_add(hm_analyzer *a, uint32_t start, uint32_t end, double w, const char *rule);
int hm_result_json_buf(hm_buf *b, const hm_result *r, const char *id_json);

#endif
