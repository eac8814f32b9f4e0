/*
 * sentiment.c — the lexicon and rules scorer.
 *
 * Tokens are first grouped into units: the longest lexicon phrase starting at a
 * token (idioms such as "pas mal", "never again", modifiers such as "kind of"),
 * else the word itself, its elongation-free form, or its Snowball stem.  Then,
 * per valence unit, in the manner of VADER but bilingual:
 *   boosters/dampeners in the three units before scale it;
 *   a negator in the three units before (or French "ne ... pas" around a verb:
 *     "je ne recommande pas") flips and dampens it (x -0.74);
 *   ALL CAPS (in a text that is not all capitals) and elongation emphasize it;
 *   contrast ("mais", "but") halves what precedes it in its sentence and
 *     weighs what follows by 1.5;
 *   sarcasm cues flip praise ("merci pour les 2h d'attente", "great... 🙄").
 * The sum, plus "!" emphasis, is normalized into [-1, 1] by x / sqrt(x² + 15),
 * so long texts do not saturate.  Every unit that moved the score is evidence.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    R_INDUCED = 1, R_STEM = 2, R_IDIOM = 4, R_EMOJI = 8, R_NEGATED = 16, R_INTENSIFIED = 32,
    R_DAMPENED = 64, R_AFTER_CONTRAST = 128, R_BEFORE_CONTRAST = 256, R_CAPS = 512,
    R_ELONGATED = 1024, R_SARCASM = 2048, R_HASHTAG = 4096, R_PUNCT = 8192, R_COMPLAINT = 16384
};

typedef struct unit {
    uint32_t t0, t1;      /* token range [t0, t1) */
    float valence;
    float modval;
    uint8_t has_val, modtype, sentence_end, is_ne;
    uint8_t caps, elong;
    uint8_t lang;         /* the lexicon the unit was found in */
    unsigned rules;
    int sentence;
} unit;

/* e: the lexicon entry of t's norm (hm_tok_word_e), already looked up */
static const lex_entry *lookup1(const hm_lexicon *lx, int lang, const hm_textbuf *tb,
                                const tok *t, const lex_entry *e, unsigned *rules)
{
    const char *nm = tb_str(tb, t->norm);
    if (e && (e->has_val || e->modtype))
        return e;
    if (t->type == HM_TOK_EMOJI && t->norm_len > 4) {
        /* ZWJ sequence or flag: fall back on its first code point */
        size_t k = 1;
        unsigned char c0 = (unsigned char)nm[0];
        k = c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : c0 >= 0xC0 ? 2 : 1;
        e = hm_lex_word(lx, lang, nm, k);
        if (e && e->has_val)
            return e;
    }
    if (t->type != HM_TOK_WORD)
        return NULL;
    if (t->flags & HM_TF_ELONGATED) {
        /* "nuuuul" was folded to "nuul"; try "nul" */
        char tmp[256];
        if (t->norm_len < sizeof tmp) {
            size_t n = hm_fold_doubles(nm, t->norm_len, tmp);
            if (n != t->norm_len) {
                const lex_entry *e2 = hm_lex_word(lx, lang, tmp, n);
                if (e2 && (e2->has_val || e2->modtype))
                    return e2;
            }
        }
    }
    if (t->stem_len >= 3) {
        const lex_entry *e3 = hm_tok_stem_e(tb, lx, lang, t);
        if (e3) {
            *rules |= R_STEM;
            return e3;
        }
    }
    return NULL;
}

static int is_sentence_end(const tok *t, const hm_textbuf *tb)
{
    if (t->type != HM_TOK_PUNCT)
        return 0;
    const char *s = tb_str(tb, t->norm);
    return s[0] == '.' || s[0] == '!' || s[0] == '?' || s[0] == ';' || (unsigned char)s[0] == 0xE2;
}

static int is_word_like(const tok *t)
{
    return t->type == HM_TOK_WORD || t->type == HM_TOK_EMOJI || t->type == HM_TOK_EMOTICON ||
           t->type == HM_TOK_NUMBER || t->type == HM_TOK_DURATION;
}

static int is_ne(const hm_textbuf *tb, const tok *t)
{
    return t->type == HM_TOK_WORD && tb_str_is_ne(tb, t->norm);
}

/* A word list with each word's length (from the literal: nothing to keep in
 * step by hand), so that most words cost no compare. */
typedef struct { const char *s; size_t n; } word;
#define W(s) {s, sizeof s - 1}

/* s: a token's norm, n bytes (norms hold no NUL) */
static int in_list(const char *s, size_t n, const word *w, size_t nw)
{
    for (size_t i = 0; i < nw; i++)
        if (w[i].n == n && hm_eq(s, w[i].s, n))
            return 1;
    return 0;
}

/* Words whose praise a following bad experience turns into sarcasm. */
static int sarcasm_head(const char *s, size_t n)
{
    static const word w[] = {W("merci"), W("thanks"), W("thank"), W("bravo"), W("great"),
                             W("super"), W("genial"), W("love"), W("awesome"), W("nice"),
                             W("wonderful"), W("fantastic"), W("felicitations"), W("chapeau"),
                             W("perfect"), W("parfait"), W("excellent"), W("wow"),
                             W("brilliant")};
    return in_list(s, n, w, sizeof w / sizeof *w);
}

/* Words that may open a sarcastic sentence before the praise word. */
static int interjection(const char *s, size_t n)
{
    static const word w[] = {W("oh"), W("wow"), W("just"), W("so"), W("ah"), W("i"), W("je"),
                             W("j'"), W("ben"), W("bin"), W("yay"), W("well"), W("really"),
                             W("ouah"), W("waouh"), W("ha"), W("haha"), W("encore"),
                             W("vraiment"), W("alors"), W("eh"), W("hey")};
    return in_list(s, n, w, sizeof w / sizeof *w);
}
#undef W

int hm_ev_add(hm_analyzer *a, uint32_t start, uint32_t end, double w, const char *rule)
{
    (void)rule;
    if (a->nev == a->evcap) {
        size_t nc = a->evcap ? a->evcap * 2 : 32;
        ev_item *e = realloc(a->ev, nc * sizeof *e);
        if (!e)
            return HM_ENOMEM;
        a->ev = e;
        a->evcap = nc;
    }
    ev_item *it = &a->ev[a->nev++];
    it->start = start;
    it->end = end;
    it->weight = w;
    it->rule = rule;
    return 0;
}

static const char *rule_names(unsigned r, char *buf, size_t cap)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        {R_INDUCED, "induced"}, {R_IDIOM, "idiom"}, {R_EMOJI, "emoji"}, {R_HASHTAG, "hashtag"}, {R_STEM, "stem"},
        {R_NEGATED, "negated"}, {R_INTENSIFIED, "intensified"}, {R_DAMPENED, "dampened"},
        {R_AFTER_CONTRAST, "after contrast"}, {R_BEFORE_CONTRAST, "before contrast"},
        {R_CAPS, "caps"}, {R_ELONGATED, "elongated"}, {R_SARCASM, "sarcasm"},
        {R_PUNCT, "punctuation"}, {R_COMPLAINT, "complaint cue"}, {0, NULL}};
    size_t w = 0;
    buf[0] = 0;
    for (int i = 0; names[i].name; i++) {
        if (!(r & names[i].bit))
            continue;
        size_t n = strlen(names[i].name);
        if (w + n + 2 >= cap)
            break;
        if (w)
            buf[w++] = '+';
        memcpy(buf + w, names[i].name, n);
        w += n;
        buf[w] = 0;
    }
    if (!w) {
        size_t n = strlen("lexicon");
        memcpy(buf, "lexicon", n + 1);
    }
    return buf;
}

/* Rule names are interned in a small static table so evidence can point at them. */
static const char *intern_rule(unsigned r)
{
    /* 14 bits of rules: names are built on demand into a fixed table. */
    enum { NSLOT = 1 << 15 };
    static char *table[NSLOT];
    r &= NSLOT - 1;
    char *have = __atomic_load_n(&table[r], __ATOMIC_ACQUIRE);
    if (have)
        return have;
    char buf[200];
    rule_names(r, buf, sizeof buf);
    char *s = malloc(strlen(buf) + 1);
    if (!s)
        return "lexicon";
    strcpy(s, buf);
    /* a racing thread may store its own identical copy: both are valid */
    char *expected = NULL;
    if (!__atomic_compare_exchange_n(&table[r], &expected, s, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        free(s);
        return expected;
    }
    return s;
}

int hm_score_lexicon(hm_analyzer *a, hm_lexscore *out)
{
    const hm_lexicon *lx = &a->e->lex;
    const hm_textbuf *tb = &a->tb;
    int lang = a->lang == LANG_UND ? LANG_EN : a->lang;
    int alt = a->lang == LANG_UND ? LANG_FR : LANG_UND;
    memset(out, 0, sizeof *out);

    /* 1. units */
    size_t n = tb->ntoks;
    unit *u = (unit *)a->tb.scratch.p;
    size_t need = (n + 1) * sizeof(unit);
    a->tb.scratch.len = 0;
    if (hm_buf_reserve(&a->tb.scratch, need))
        return HM_ENOMEM;
    u = (unit *)a->tb.scratch.p;
    size_t nu = 0;
    int sentence = 0;
    int excl = 0, quest = 0;
    int any_contrast = 0, any_weak = 0;
    char key[512];
    for (size_t i = 0; i < n;) {
        const tok *t = &tb->toks[i];
        if (t->type == HM_TOK_HASHTAG || t->type == HM_TOK_URL || t->type == HM_TOK_MENTION) {
            i++;
            continue;
        }
        if (t->type == HM_TOK_PUNCT || t->type == HM_TOK_SYMBOL) {
            if (t->punct_excl)
                excl += t->punct_excl;
            if (t->punct_q)
                quest += t->punct_q;
            if (is_sentence_end(t, tb) || tb_str(tb, t->norm)[0] == ',') {
                if (nu)
                    u[nu - 1].sentence_end = is_sentence_end(t, tb) ? 1 : 2;
                if (is_sentence_end(t, tb))
                    sentence++;
            }
            i++;
            continue;
        }
        unit *x = &u[nu];
        memset(x, 0, sizeof *x);
        x->t0 = (uint32_t)i;
        x->t1 = (uint32_t)i + 1;
        x->sentence = sentence;
        const lex_entry *e = NULL;
        int L = lang;
        for (int pass = 0; pass < 2 && !e; pass++) {
            L = pass ? alt : lang;
            if (L == LANG_UND)
                break;
            const lex_entry *f = TOK_WORD_E(lx, L, tb, t);
            /* phrases: the longest that starts here, read word by word while
             * the words read begin some phrase */
            if (f && f->phrase_max >= 2 && is_word_like(t) && (size_t)t->norm_len + 2 < sizeof key) {
                /* the key's hash, a word at a time, from the tokens' strings;
                 * the key itself (for the maps' compares) only once the filter
                 * lets a step through: kl of its plen bytes, nk of its words */
                size_t plen = t->norm_len, kl = 0, nk = 0;
                uint64_t hs = hm_hash_step(HM_HASH_SEED, tb_str(tb, t->norm), plen);
                for (size_t k = 2; k <= f->phrase_max && i + k <= n; k++) {
                    const tok *tj = &tb->toks[i + k - 1];
                    if (!is_word_like(tj) || plen + tj->norm_len + 2 >= sizeof key)
                        break;
                    hs = hm_hash_step(hm_hash_step(hs, " ", 1), tb_str(tb, tj->norm), tj->norm_len);
                    plen += (size_t)tj->norm_len + 1;
                    uint64_t h = hm_hash_end(hs);
                    if (!hm_lex_phrase_maybe(lx, L, h))
                        break; /* neither a phrase nor the start of one */
                    for (; nk < k; nk++) {
                        const tok *tw = &tb->toks[i + nk];
                        if (nk)
                            key[kl++] = ' ';
                        memcpy(key + kl, tb_str(tb, tw->norm), tw->norm_len);
                        kl += tw->norm_len;
                    }
                    const lex_entry *p = hm_lex_word_h(lx, L, key, kl, h);
                    if (p && (p->has_val || p->modtype)) {
                        e = p;
                        x->t1 = (uint32_t)(i + k);
                    }
                    /* a longer phrase must be possible for its prefix to matter */
                    uint32_t any;
                    if (k == f->phrase_max || i + k >= n ||
                        !hm_map_get_h(&lx->prefixes[L], key, kl, h, &any))
                        break;
                }
                if (e)
                    x->rules |= R_IDIOM;
            }
            if (!e)
                e = lookup1(lx, L, tb, t, f, &x->rules);
        }
        if (e) {
            x->lang = (uint8_t)L;
            x->valence = e->valence;
            /* valence 0: a term known to carry no sentiment (it stops its stem, and a
             * phrase stops its words, from scoring) */
            x->has_val = e->has_val && e->valence != 0;
            if (e->induced)
                x->rules |= R_INDUCED;
            x->modtype = e->modtype;
            x->modval = e->modval;
            if (x->t1 - x->t0 > 1 && x->modtype && !x->has_val)
                x->rules &= ~(unsigned)R_IDIOM;
        }
        if (t->type == HM_TOK_EMOJI || t->type == HM_TOK_EMOTICON)
            x->rules |= R_EMOJI;
        if (t->flags & HM_TF_HASHPART)
            x->rules |= R_HASHTAG;
        x->is_ne = (uint8_t)is_ne(tb, t);
        unsigned fl = t->flags; /* the unit's tokens' flags together */
        for (uint32_t j = x->t0 + 1; j < x->t1; j++)
            fl |= tb->toks[j].flags;
        x->caps = (fl & HM_TF_CAPS) != 0;
        x->elong = (fl & HM_TF_ELONGATED) != 0;
        /* what the passes below look for (most posts have none of either) */
        if (!x->has_val && x->modtype == MOD_CONTRAST)
            any_contrast = 1;
        if (!x->has_val && x->modtype == MOD_NEGATOR && ((int)x->modval & 2))
            any_weak = 1;
        i = x->t1;
        nu++;
    }

    /* sarcasm: an eye-roll (or similar) emoji turns praise in the text into blame */
    int eyeroll = 0;
    for (size_t i = 0; (tb->kinds & 1u << HM_TOK_EMOJI) && i < n; i++) {
        const tok *t = &tb->toks[i];
        if (t->type != HM_TOK_EMOJI)
            continue;
        const char *s = tb_str(tb, t->norm);
        /* 🙄 U+1F644, 😒 U+1F612, 🙃 U+1F643, 😑 U+1F611 */
        if (!strncmp(s, "\xF0\x9F\x99\x84", 4) || !strncmp(s, "\xF0\x9F\x98\x92", 4) ||
            !strncmp(s, "\xF0\x9F\x99\x83", 4) || !strncmp(s, "\xF0\x9F\x98\x91", 4))
            eyeroll = 1;
    }

    /* 2. contrast regions */
    /* per-unit contrast weights live in the analyzer's second scratch buffer */
    a->tb.scratch2.len = 0;
    if (hm_buf_reserve(&a->tb.scratch2, (nu + 1) * (sizeof(double) + sizeof(unsigned))))
        return HM_ENOMEM;
    double *mult = (double *)(void *)a->tb.scratch2.p;
    unsigned *crule = (unsigned *)(void *)(a->tb.scratch2.p + (nu + 1) * sizeof(double));
    memset(crule, 0, (nu + 1) * sizeof(unsigned));
    for (size_t k = 0; k < nu; k++)
        mult[k] = 1.0;
    /* at most 16 contrast markers weigh: a text of a million "mais" stays linear */
    int ncontrast = 0;
    for (size_t c = 0; any_contrast && c < nu && ncontrast < 16; c++) {
        if (u[c].modtype != MOD_CONTRAST || u[c].has_val)
            continue;
        ncontrast++;
        int s = u[c].sentence;
        int first_in_sentence = c == 0 || u[c - 1].sentence != s;
        int from = first_in_sentence ? s - 1 : s;
        for (size_t k = 0; k < c; k++)
            if (u[k].sentence >= from) {
                mult[k] *= 0.5;
                crule[k] |= R_BEFORE_CONTRAST;
            }
        for (size_t k = c + 1; k < nu && u[k].sentence == s; k++) {
            mult[k] *= 1.5;
            crule[k] |= R_AFTER_CONTRAST;
        }
    }

    /* 3. negators that need "ne" ("plus", "personne"): the shared rule */
    for (size_t k = 0; any_weak && k < nu; k++) {
        unit *y = &u[k];
        if (y->modtype == MOD_NEGATOR && !y->has_val && ((int)y->modval & 2) &&
            !hm_tok_negator(tb, lx, y->lang, y->t0))
            y->modtype = MOD_NONE;
    }

    /* 4. per valence unit */
    double sum = 0, pos = 0, neg = 0;
    int nhits = 0;
    const hm_cat_state *cs = &a->cat;
    for (size_t k = 0; k < nu; k++) {
        unit *x = &u[k];
        if (!x->has_val)
            continue;
        /* a word that is both a booster and a valence word ("super") boosts the
         * sentiment word right after it instead of counting on its own */
        if (x->modtype == MOD_BOOSTER) {
            int consumed = 0;
            for (size_t j = k + 1, d = 0; j < nu && d < 2; j++) {
                if (u[j].sentence != x->sentence || u[j - 1].sentence_end)
                    break;
                if (u[j].is_ne || (tb->toks[u[j].t0].flags & HM_TF_ELISION))
                    continue;
                d++;
                if (u[j].has_val) {
                    consumed = 1;
                    break;
                }
            }
            if (consumed)
                continue;
        }
        double v = x->valence;
        unsigned rules = x->rules | crule[k];
        /* look back: boosters and negators within the clause; elisions and "ne"
         * do not count as words between them */
        int negated = 0;
        double boost = 0;
        size_t d = 0;
        for (size_t j = k; j > 0;) {
            j--;
            unit *y = &u[j];
            if (y->sentence != x->sentence || y->sentence_end)
                break;
            if (y->modtype == MOD_CONTRAST)
                break;
            if (y->is_ne || (tb->toks[y->t0].flags & HM_TF_ELISION))
                continue;
            d++;
            if (d > 8)
                break;
            if (y->modtype == MOD_NEGATOR && !y->has_val) {
                if (d <= 3 || ((int)y->modval & 1))
                    negated = 1;
            } else if (y->modtype == MOD_BOOSTER && d <= 3) {
                double decay = d == 1 ? 1.0 : d == 2 ? 0.95 : 0.9;
                double b = y->modval * decay;
                if (y->caps && !tb->all_caps)
                    b *= 1.5;
                boost += b;
            }
        }
        /* French "ne <verb> pas": ne/n' before, negator just after */
        if (!negated) {
            int ne_before = 0;
            for (size_t dd = 1; dd <= 3 && dd <= k; dd++) {
                unit *y = &u[k - dd];
                if (y->sentence != x->sentence)
                    break;
                if (y->is_ne)
                    ne_before = 1;
            }
            if (ne_before)
                for (size_t dd = 1; dd <= 2 && k + dd < nu; dd++) {
                    unit *y = &u[k + dd];
                    if (y->sentence != x->sentence)
                        break;
                    if (y->modtype == MOD_NEGATOR && !y->has_val) {
                        negated = 1;
                        break;
                    }
                }
        }
        if (boost != 0) {
            v *= 1.0 + boost;
            rules |= boost > 0 ? R_INTENSIFIED : R_DAMPENED;
        }
        if (negated) {
            v *= -0.74;
            rules |= R_NEGATED;
        }
        if (x->caps && !tb->all_caps) {
            v += v > 0 ? 0.733 : -0.733;
            rules |= R_CAPS;
        }
        if (x->elong) {
            v += v > 0 ? 0.3 : -0.3;
            rules |= R_ELONGATED;
        }
        /* sarcasm: praise that opens its sentence ("great, another delay", "bravo pour
         * le colis perdu", "thanks for the 2h wait") followed by a bad experience in
         * the same sentence (complaint cues or a duration), or under an eye roll */
        if (v > 0 && !negated) {
            int flip = eyeroll && !(rules & R_EMOJI);
            const char *hs = tb_str(tb, tb->toks[x->t0].norm);
            /* (the praise word first: most words are none) */
            int opens = !flip && sarcasm_head(hs, tb->toks[x->t0].norm_len);
            for (size_t j = k; j > 0 && opens && k - j < 4;) {
                j--;
                if (u[j].sentence != x->sentence)
                    break;
                const tok *tw = &tb->toks[u[j].t0];
                if (!interjection(tb_str(tb, tw->norm), tw->norm_len))
                    opens = 0;
            }
            if (opens) {
                /* the sentence's end, in bytes */
                uint32_t send = tb->ntoks ? tb->toks[tb->ntoks - 1].end : 0;
                for (uint32_t j = x->t1; j < n && j < x->t1 + 64; j++)
                    if (is_sentence_end(&tb->toks[j], tb) && tb_str(tb, tb->toks[j].norm)[0] != ',') {
                        send = tb->toks[j].start;
                        break;
                    }
                double cue = 0;
                int contrast = 0;
                for (size_t j = k + 1; j < nu && j < k + 64 && u[j].sentence == x->sentence; j++)
                    if (u[j].modtype == MOD_CONTRAST)
                        contrast = 1;
                for (size_t i = 0; i < cs->nm; i++)
                    if (cs->m[i].w > 0 && cs->m[i].start >= tb->toks[x->t1 - 1].end &&
                        cs->m[i].end <= send)
                        cue += cs->m[i].w;
                for (uint32_t j = x->t1; j < n && j < x->t1 + 64 && tb->toks[j].start < send; j++)
                    if (tb->toks[j].type == HM_TOK_DURATION)
                        cue += 1.0;
                if (cue >= 1.0 && !contrast)
                    flip = 1;
                /* a praise word standing alone in its clause ("great, another
                 * delay", "génial, encore supprimé") before blame */
                if (!flip && !contrast && x->sentence_end == 2 && x->t1 - x->t0 == 1) {
                    for (size_t j = k + 1; j < nu && j < k + 64 && u[j].sentence == x->sentence; j++)
                        if (u[j].has_val && u[j].valence < 0)
                            cue += 1.0;
                    if (cue >= 0.5)
                        flip = 1;
                }
            }
            if (flip) {
                v = -v;
                rules |= R_SARCASM;
            }
        }
        v *= mult[k];
        sum += v;
        if (v > 0)
            pos += v;
        else
            neg -= v;
        nhits++;
        uint32_t s0 = tb->toks[x->t0].start, s1 = tb->toks[x->t1 - 1].end;
        /* every unit counts; the first HM_MAX_EVIDENCE / 2 are shown */
        if (a->nev < HM_MAX_EVIDENCE / 2 && hm_ev_add(a, s0, s1, v, intern_rule(rules)))
            return HM_ENOMEM;
    }
    /* a problem report with no sentiment word is still negative: complaint cues
     * ("3 weeks for a refund", "the website keeps logging me out") weigh in */
    if (cs->cue_total >= 1.0) {
        double w = -0.6 * (cs->cue_total > 2.5 ? 2.5 : cs->cue_total);
        uint32_t s0 = UINT32_MAX, s1 = 0;
        for (size_t i = 0; i < cs->nm; i++)
            if (cs->m[i].w > 0) {
                if (cs->m[i].start < s0)
                    s0 = cs->m[i].start;
                if (cs->m[i].end > s1)
                    s1 = cs->m[i].end;
            }
        if (s0 < s1) {
            sum += w;
            neg -= w;
            nhits++;
            if (hm_ev_add(a, s0, s1, w, intern_rule(R_COMPLAINT)))
                return HM_ENOMEM;
        }
    }
    /* punctuation emphasis amplifies the direction already taken */
    if (sum != 0) {
        double amp = 0;
        if (excl)
            amp += (excl > 4 ? 4 : excl) * 0.292;
        if (quest > 1)
            amp += quest > 3 ? 0.96 : quest * 0.18;
        if (amp > 0) {
            sum += sum > 0 ? amp : -amp;
            if (sum > 0)
                pos += amp;
            else
                neg += amp;
        }
    }
    out->sum = sum;
    out->pos = pos;
    out->neg = neg;
    out->nhits = nhits;
    out->score = sum / sqrt(sum * sum + 15.0);
    return 0;
}
