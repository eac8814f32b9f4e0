/*
 * test_api.c — the public C API: lifecycle, bad input, limits, tokens,
 * language id, lexicon overrides and their errors, thread safety.
 * Uses only humeur.h, like any program linking the library.
 */
#include "humeur.h"
#include "tap.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static hm_engine *E;

static int tokens_have(hm_analyzer *a, int type, const char *norm)
{
    size_t n;
    const hm_token *t = hm_analyzer_tokens(a, &n);
    for (size_t i = 0; i < n; i++)
        if (t[i].type == type && (!norm || strcmp(t[i].norm, norm) == 0))
            return 1;
    return 0;
}

static void test_basics(void)
{
    CHECK(strcmp(hm_version(), HM_VERSION_STRING) == 0, "version %s", hm_version());
    CHECK(strcmp(hm_strerror(HM_OK), "success") == 0, "strerror 0");
    CHECK(hm_strerror(12345) != NULL, "strerror unknown code");
    CHECK(hm_analyzer_new(NULL, NULL) == NULL, "analyzer on NULL engine");
    hm_engine_close(NULL);
    hm_analyzer_free(NULL);
    hm_result r;
    CHECK(hm_analyze(NULL, "x", 1, &r) == HM_EINVAL, "NULL analyzer");
    CHECK(hm_analyze(NULL, "x", 1, NULL) == HM_EINVAL, "NULL result");
    const char *const *ids;
    size_t nc = hm_engine_categories(E, &ids);
    CHECK(nc >= 10, "ten default categories, got %zu", nc);
}

static void test_bad_input(hm_analyzer *a)
{
    hm_result r;
    CHECK(hm_analyze(a, "", 0, &r) == 0, "empty text");
    CHECK(r.polarity == HM_NEUTRAL && strcmp(r.lang, "und") == 0, "empty text is neutral und");
    CHECK(hm_analyze(a, NULL, 0, &r) == 0, "NULL text of length 0");
    CHECK(hm_analyze(a, NULL, 5, &r) == HM_EINVAL, "NULL text with length");
    /* invalid UTF-8 of every class, NULs, lone continuation bytes, overlongs, surrogates */
    const char bad[] = "tr\xe8s bien \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \x80\x80 \xe2\x82 x\0y bon";
    CHECK(hm_analyze(a, bad, sizeof bad - 1, &r) == 0, "invalid UTF-8");
    size_t jl;
    const char *js = hm_result_json(a, &r, NULL, &jl);
    CHECK(js && jl == strlen(js), "JSON of an invalid-UTF-8 result has no NUL inside");
    /* a sentiment word after a NUL byte is still read */
    const char nul[] = "\0\0excellent";
    CHECK(hm_analyze(a, nul, sizeof nul - 1, &r) == 0 && r.score > 0, "text after NUL bytes");
    /* evidence text is valid UTF-8 copy, span inside the text */
    for (size_t i = 0; i < r.nevidence; i++)
        CHECK(r.evidence[i].end <= sizeof nul - 1, "evidence span inside text");
}

static void test_truncation(void)
{
    hm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_text_bytes = 64;
    hm_status st;
    hm_engine *e = hm_engine_open(&cfg, &st);
    CHECK(e != NULL, "engine with max_text_bytes: %s", st.message);
    if (!e)
        return;
    hm_analyzer *a = hm_analyzer_new(e, &st);
    char text[300];
    memset(text, 'a', sizeof text);
    memcpy(text + 62, "\xc3\xa9\xc3\xa9", 4); /* an é straddles the limit */
    hm_result r;
    CHECK(hm_analyze(a, text, sizeof text, &r) == 0, "long text analysed");
    CHECK(r.truncated == 1, "long text flagged truncated");
    CHECK(hm_analyze(a, "court", 5, &r) == 0 && r.truncated == 0, "short text not truncated");
    CHECK(hm_engine_max_text(e) == 64, "hm_engine_max_text: %zu, configured 64", hm_engine_max_text(e));
    /* what the CLI relies on to read long lines in pieces: the first
     * hm_engine_max_text() + 1 bytes decide the result */
    hm_result r2;
    char other[300];
    memcpy(other, text, 65);
    memset(other + 65, 'b', sizeof other - 65);
    CHECK(hm_analyze(a, text, sizeof text, &r) == 0 && hm_analyze(a, other, sizeof other, &r2) == 0 &&
              r.score == r2.score && r.truncated == r2.truncated,
          "texts that share their first max_text + 1 bytes analysed alike");
    hm_analyzer_free(a);
    hm_engine_close(e);
    e = hm_engine_open(NULL, &st);
    CHECK(e && hm_engine_max_text(e) == 65536, "default max_text 64 KiB: %zu",
          e ? hm_engine_max_text(e) : 0);
    hm_engine_close(e);
    CHECK(hm_engine_max_text(NULL) == 0, "hm_engine_max_text(NULL) is 0");
}

static void test_tokens(hm_analyzer *a)
{
    hm_result r;
    const char *t = "J'ADORE l'hôtel!!! 2h d'attente :) 😡 👍🏽 👨‍👩‍👧 @Air_Canada #ServicePourri "
                    "https://ex.com/a?b=1. nuuuul 1h30 45 min";
    CHECK(hm_analyze(a, t, strlen(t), &r) == 0, "analyse token sample");
    CHECK(tokens_have(a, HM_TOK_WORD, "j'"), "elision j'");
    CHECK(tokens_have(a, HM_TOK_WORD, "adore"), "word after elision");
    CHECK(tokens_have(a, HM_TOK_WORD, "l'"), "elision l'");
    CHECK(tokens_have(a, HM_TOK_WORD, "hotel"), "accent-free norm");
    CHECK(tokens_have(a, HM_TOK_PUNCT, "!!!"), "punctuation run");
    CHECK(tokens_have(a, HM_TOK_DURATION, "2h"), "duration 2h");
    CHECK(tokens_have(a, HM_TOK_EMOTICON, ":)"), "emoticon");
    CHECK(tokens_have(a, HM_TOK_EMOJI, "\xF0\x9F\x98\xA1"), "emoji");
    CHECK(tokens_have(a, HM_TOK_EMOJI, "\xF0\x9F\x91\x8D"), "skin tone dropped from the key");
    CHECK(tokens_have(a, HM_TOK_MENTION, "@air_canada"), "mention");
    CHECK(tokens_have(a, HM_TOK_HASHTAG, "#servicepourri"), "hashtag");
    CHECK(tokens_have(a, HM_TOK_WORD, "pourri"), "hashtag part");
    CHECK(tokens_have(a, HM_TOK_URL, NULL), "url");
    CHECK(tokens_have(a, HM_TOK_WORD, "nuul"), "elongation folded to two");
    size_t n;
    const hm_token *tk = hm_analyzer_tokens(a, &n);
    int saw_family = 0, saw_1h30 = 0, saw_caps = 0;
    for (size_t i = 0; i < n; i++) {
        if (tk[i].type == HM_TOK_EMOJI && tk[i].end - tk[i].start > 12)
            saw_family = 1; /* ZWJ sequence kept whole */
        if (tk[i].type == HM_TOK_DURATION && tk[i].value == 90)
            saw_1h30 = 1;
        if (strcmp(tk[i].norm, "adore") == 0 && (tk[i].flags & HM_TF_CAPS))
            saw_caps = 1;
        CHECK(tk[i].start < tk[i].end && tk[i].end <= strlen(t), "token span in text");
    }
    CHECK(saw_family, "ZWJ family emoji is one token");
    CHECK(saw_1h30, "1h30 is 90 minutes");
    CHECK(saw_caps, "ALL-CAPS remembered");
}

static void test_langid(hm_analyzer *a)
{
    static const struct { const char *text, *lang; } cases[] = {
        {"Le service était vraiment lent et le personnel pas aimable du tout.", "fr"},
        {"The service was really slow and the staff was not friendly at all.", "en"},
        {"tres decu par la livraison, colis jamais recu", "fr"},
        {"Ça fait 2 heures qu'on attend icitte, c'est ben ordinaire", "fr"},
        {"@united my bag never arrived and nobody answers the phone", "en"},
        {"😡😡😡", "und"},
        {"https://example.com/x", "und"},
        {"", "und"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_result r;
        hm_analyze(a, cases[i].text, strlen(cases[i].text), &r);
        CHECK(strcmp(r.lang, cases[i].lang) == 0, "lang of '%s': %s, want %s", cases[i].text,
              r.lang, cases[i].lang);
    }
    hm_options o = {HM_LANG_FR, 0};
    hm_result r;
    hm_analyze_ex(a, "the", 3, &o, &r);
    CHECK(strcmp(r.lang, "fr") == 0, "forced language");
}

static void test_stems(hm_analyzer *a)
{
    hm_result r;
    const char *t = "déçue décevants";
    hm_analyze_ex(a, t, strlen(t), &(hm_options){HM_LANG_FR, 0}, &r);
    size_t n;
    const hm_token *tk = hm_analyzer_tokens(a, &n);
    CHECK(n == 2 && strcmp(tk[0].stem, "decu") == 0, "stem of déçue: %s", n ? tk[0].stem : "");
    CHECK(n == 2 && strcmp(tk[1].stem, "decev") == 0, "stem of décevants: %s", n > 1 ? tk[1].stem : "");
    t = "waiting waited";
    hm_analyze_ex(a, t, strlen(t), &(hm_options){HM_LANG_EN, 0}, &r);
    tk = hm_analyzer_tokens(a, &n);
    CHECK(n == 2 && !strcmp(tk[0].stem, "wait") && !strcmp(tk[1].stem, "wait"), "English stems");
}

/* A stem matches a lexicon word only within its derivational family; a
 * valence-0 term scores nothing and stops its stem and its phrase's words. */
static void test_families(hm_analyzer *a)
{
    static const struct { const char *text; int lang, sign; } cases[] = {
        {"énergique", HM_LANG_FR, 1},      /* the lexicon word */
        {"énergie", HM_LANG_FR, 0},        /* same stem, another family */
        {"décevants", HM_LANG_FR, -1},     /* an inflection: through the stem */
        {"attention", HM_LANG_FR, 0},      /* not "attentions" (kind gestures) */
        {"gens", HM_LANG_FR, 0},           /* neutral.tsv: not "génie" */
        {"durable", HM_LANG_FR, 1},
        {"le développement durable", HM_LANG_FR, 0}, /* a neutral phrase */
        {"generation", HM_LANG_EN, 0},     /* not "generous" */
        {"disappointing", HM_LANG_EN, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_result r;
        hm_analyze_ex(a, cases[i].text, strlen(cases[i].text),
                      &(hm_options){cases[i].lang, HM_SCORER_LEXICON}, &r);
        int sign = r.score > 0 ? 1 : r.score < 0 ? -1 : 0;
        CHECK(sign == cases[i].sign, "%s: score %f, expected sign %d", cases[i].text, r.score,
              cases[i].sign);
        if (!cases[i].sign)
            CHECK(r.nevidence == 0, "%s: no evidence (%zu)", cases[i].text, r.nevidence);
    }
}

static int has_cat(const hm_result *r, const char *id)
{
    for (size_t i = 0; i < r->ncategories; i++)
        if (!strcmp(r->categories[i].id, id))
            return 1;
    return 0;
}

/* Complaint and categories on posts whose answer is beyond doubt. */
static void test_complaints(hm_analyzer *a)
{
    static const struct { const char *text, *cat; int complaint; } cases[] = {
        {"I was charged twice for the same order and still no refund!!!", "price_billing", 1},
        {"On hold for 45 minutes, then they hung up on me", "wait_time", 1},
        {"Ça fait 2h qu'on attend à la caisse, une seule caisse ouverte", "wait_time", 1},
        {"Colis jamais reçu, le livreur dit l'avoir déposé", "delivery", 1},
        /* "plus" without "ne" is "more", not a negator: the cue stands */
        {"Il y avait plus de 2h d'attente à la caisse", "wait_time", 1},
        /* negated praise is not praise ("répondu rapidement", "affordable");
         * praise holding its own negation still is (« pas trop cher ») */
        {"Pas de réponse rapide, ils n'ont pas répondu rapidement", "no_response", 1},
        {"Le service client n'a pas répondu rapidement à ma demande", "no_response", 1},
        {"Not affordable anymore, they raised the price again", "price_billing", 1},
        {"Ce n'est pas trop cher et livraison rapide, je recommande", NULL, 0},
        {"Not bad at all, the staff went above and beyond :)", NULL, 0},
        {"Aucune attente, service rapide, merci !", NULL, 0},
        {"Est-ce que vous livrez à Laval?", NULL, 0},
        /* a request for information, though it names a refund */
        {"Est-ce que le remboursement se fait sur la carte ?", NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_result r;
        hm_analyze(a, cases[i].text, strlen(cases[i].text), &r);
        CHECK(r.complaint == cases[i].complaint, "complaint %d (%.2f) for: %s", r.complaint,
              r.complaint_prob, cases[i].text);
        if (cases[i].cat)
            CHECK(has_cat(&r, cases[i].cat), "category %s for: %s", cases[i].cat, cases[i].text);
        else
            CHECK(r.ncategories == 0, "no category for: %s", cases[i].text);
        for (size_t c = 0; c < r.ncategories; c++)
            CHECK(r.categories[c].nevidence > 0, "category %s has evidence", r.categories[c].id);
    }
}

/* Every cue is listed, reported or not: praise of the delivery in a
 * non-complaint, and nothing after a text without cues. */
static void test_cues(hm_analyzer *a)
{
    const char *t = "Livraison rapide, colis bien emballé, merci";
    hm_result r;
    hm_options o = {HM_LANG_FR, 0};
    CHECK(hm_analyze_ex(a, t, strlen(t), &o, &r) == 0, "analysed");
    CHECK(!r.complaint && r.ncategories == 0, "praise is not a complaint");
    size_t n;
    const hm_cue *cu = hm_analyzer_cues(a, &n);
    int praise = 0, mention = 0, inside = n > 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        inside &= cu[i].start < cu[i].end && cu[i].end <= strlen(t);
        if (!strcmp(cu[i].category, "delivery")) {
            sum += cu[i].weight;
            praise |= cu[i].weight < 0 && !strncmp(t + cu[i].start, "Livraison rapide", 16);
            mention |= cu[i].weight > 0 && !strncmp(t + cu[i].start, "colis", 5);
        }
    }
    CHECK(praise && mention && sum < 0, "delivery cues: praise %d, mention %d, sum %.2f", praise,
          mention, sum);
    CHECK(inside, "cue spans inside the text (%zu cues)", n);
    /* a refused call leaves nothing of the text before it */
    CHECK(hm_analyze_ex(a, NULL, 5, &o, &r) == HM_EINVAL, "NULL text refused");
    size_t nt;
    CHECK(hm_analyzer_cues(a, &n) == NULL && n == 0, "no cues after a refused call (%zu)", n);
    hm_analyzer_tokens(a, &nt);
    CHECK(nt == 0, "no tokens after a refused call (%zu)", nt);
    CHECK(hm_analyze(a, "ok", 2, &r) == 0, "analysed");
    cu = hm_analyzer_cues(a, &n);
    CHECK(n == 0 && cu == NULL, "no cues in \"ok\" (%zu)", n);
    CHECK(hm_analyzer_cues(NULL, &n) == NULL && n == 0, "NULL analyzer");
}

static void test_lexicon_dir(void)
{
    char dir[] = "/tmp/hm_lexXXXXXX";
    if (!mkdtemp(dir)) {
        SKIP("mkdtemp");
        return;
    }
    char p[512];
    snprintf(p, sizeof p, "%s/en", dir);
    mkdir(p, 0755);
    tap_write_in(dir, "en/valence.tsv", "# test\nterm\tvalence\nzorglub\t3.0\nnot bad\t1.5\n");
    tap_write_in(dir, "en/modifiers.tsv", "term\ttype\tvalue\nnot\tnegator\t0\nvery\tbooster\t0.3\n");
    hm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.lexicon_dir = dir;
    hm_status st;
    hm_engine *e = hm_engine_open(&cfg, &st);
    CHECK(e != NULL, "engine from a lexicon dir: %s", e ? "" : st.message);
    if (e) {
        hm_analyzer *a = hm_analyzer_new(e, &st);
        hm_result r;
        hm_analyze_ex(a, "zorglub", 7, &(hm_options){HM_LANG_EN, 0}, &r);
        CHECK(r.score > 0.3, "user word scores: %f", r.score);
        hm_analyze_ex(a, "not zorglub", 11, &(hm_options){HM_LANG_EN, 0}, &r);
        CHECK(r.score < 0, "user word negated: %f", r.score);
        hm_analyze_ex(a, "very zorglub", 12, &(hm_options){HM_LANG_EN, 0}, &r);
        double boosted = r.score;
        hm_analyze_ex(a, "zorglub", 7, &(hm_options){HM_LANG_EN, 0}, &r);
        CHECK(boosted > r.score, "booster raises the score");
        hm_analyze_ex(a, "not bad", 7, &(hm_options){HM_LANG_EN, 0}, &r);
        CHECK(r.score > 0, "phrase beats its words");
        hm_analyzer_free(a);
        hm_engine_close(e);
    }
    /* induced.tsv: read after the hand-written files, which win on a term both
     * hold; its words match their own form only; its evidence says "induced" */
    tap_write_in(dir, "en/induced.tsv", "term\tvalence\nzorglub\t-2.0\nblorp\t1.5\nxyzzy\t0.8\n");
    tap_write_in(dir, "en/valence.tsv", "# test\nterm\tvalence\nzorglub\t3.0\nnot bad\t1.5\nxyzzies\t-1.0\n");
    e = hm_engine_open(&cfg, &st);
    CHECK(e != NULL, "engine with an induced file: %s", e ? "" : st.message);
    if (e) {
        hm_analyzer *a = hm_analyzer_new(e, &st);
        hm_result r;
        hm_analyze_ex(a, "zorglub", 7, &(hm_options){HM_LANG_EN, HM_SCORER_LEXICON}, &r);
        CHECK(r.score > 0.3, "the hand-written valence wins: %f", r.score);
        CHECK(r.nevidence == 1 && !strcmp(r.evidence[0].rule, "lexicon"), "hand-written rule: %s",
              r.nevidence ? r.evidence[0].rule : "");
        hm_analyze_ex(a, "blorp", 5, &(hm_options){HM_LANG_EN, HM_SCORER_LEXICON}, &r);
        CHECK(r.score > 0 && r.nevidence == 1 && !strcmp(r.evidence[0].rule, "induced"),
              "induced word scores, rule %s", r.nevidence ? r.evidence[0].rule : "");
        hm_analyze_ex(a, "not blorp", 9, &(hm_options){HM_LANG_EN, HM_SCORER_LEXICON}, &r);
        CHECK(r.score < 0 && r.nevidence == 1 && !strcmp(r.evidence[0].rule, "induced+negated"),
              "induced word negated, rule %s", r.nevidence ? r.evidence[0].rule : "");
        hm_analyze_ex(a, "blorps", 6, &(hm_options){HM_LANG_EN, HM_SCORER_LEXICON}, &r);
        CHECK(r.nevidence == 0, "an induced word has no stem match");
        hm_analyze_ex(a, "xyzzy", 5, &(hm_options){HM_LANG_EN, HM_SCORER_LEXICON}, &r);
        CHECK(r.score > 0, "an induced word beats a hand-written stem: %f", r.score);
        hm_analyzer_free(a);
        hm_engine_close(e);
    }
    snprintf(p, sizeof p, "%s/en/induced.tsv", dir);
    remove(p);
    snprintf(p, sizeof p, "%s/en/modifiers.tsv", dir);
    /* a malformed line is reported with file and line */
    tap_write_file(p, "term\ttype\tvalue\nnot\tnegator\n");
    e = hm_engine_open(&cfg, &st);
    CHECK(e == NULL && st.code == HM_EFORMAT, "malformed modifiers refused");
    CHECK(strstr(st.message, "modifiers.tsv:2") != NULL, "error names file and line: %s", st.message);
    hm_engine_close(e);
    tap_write_file(p, "term\ttype\tvalue\nnot\tnegator\t0\n");
    snprintf(p, sizeof p, "%s/categories", dir);
    mkdir(p, 0755);
    tap_write_in(dir, "categories/bad.tsv", "kind\tlang\tpattern\tweight\nregex\t*\t(unclosed\t1\n");
    e = hm_engine_open(&cfg, &st);
    CHECK(e == NULL && st.code == HM_EPATTERN, "bad regex refused (%d)", st.code);
    CHECK(strstr(st.message, "bad.tsv:2") && strstr(st.message, "offset"), "pattern error located: %s", st.message);
    hm_engine_close(e);
    tap_write_in(dir, "categories/bad.tsv", "kind\tlang\tpattern\tweight\nregex\t*\t\\bzorg\\w{0,5}\t1.5\nphrase\ten\tno zorg\t-2\n");
    e = hm_engine_open(&cfg, &st);
    CHECK(e != NULL, "user category loads: %s", e ? "" : st.message);
    if (e) {
        const char *const *ids;
        size_t nc = hm_engine_categories(e, &ids);
        CHECK(nc == 1 && strcmp(ids[0], "bad") == 0, "user category registered");
        hm_engine_close(e);
    }
    cfg.lexicon_dir = "/nonexistent/humeur";
    e = hm_engine_open(&cfg, &st);
    CHECK(e == NULL && st.code == HM_EIO, "missing dir refused");
    tap_remove_dir(dir);
}

/* hm_config.category_dirs: category files read on top of the embedded ones */
static void test_category_dirs(void)
{
    char dir[] = "/tmp/hm_catXXXXXX";
    if (!mkdtemp(dir)) {
        SKIP("mkdtemp");
        return;
    }
    char p[512];
    tap_write_in(dir, "parking.tsv", "kind\tlang\tpattern\tweight\nphrase\ten\tnowhere to park\t1.0\n"
                                     "regex\t*\t\\bzorg\\w{0,5}\t1.5\n");
    tap_write_in(dir, "wait_time.tsv", "kind\tlang\tpattern\tweight\nphrase\ten\tgrew roots\t1.0\n");
    tap_write_in(dir, "notes.txt", "kind\tlang\n"); /* not a .tsv: not read */
    const char *const *ids;
    size_t n0 = hm_engine_categories(E, &ids);
    const char *dirs[] = {dir};
    hm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.category_dirs = dirs;
    cfg.ncategory_dirs = 1;
    hm_status st;
    hm_engine *e = hm_engine_open(&cfg, &st);
    CHECK(e != NULL, "engine with a category folder: %s", e ? "" : st.message);
    if (e) {
        size_t nc = hm_engine_categories(e, &ids);
        CHECK(nc == n0 + 1 && !strcmp(ids[nc - 1], "parking"),
              "one category added, last: %zu of %zu, %s", nc, n0, nc ? ids[nc - 1] : "");
        hm_analyzer *a = hm_analyzer_new(e, &st);
        hm_result r;
        const char *t1 = "Nowhere to park and the staff did not care, awful.";
        hm_analyze_ex(a, t1, strlen(t1), &(hm_options){HM_LANG_EN, 0}, &r);
        int found = 0;
        for (size_t i = 0; i < r.ncategories; i++)
            if (!strcmp(r.categories[i].id, "parking") && r.categories[i].nevidence &&
                !strcmp(r.categories[i].evidence[0].text, "Nowhere to park"))
                found = 1;
        CHECK(r.complaint && found, "the added category fires with its evidence");
        const char *t2 = "We grew roots in the lobby, awful.";
        hm_analyze_ex(a, t2, strlen(t2), &(hm_options){HM_LANG_EN, 0}, &r);
        CHECK(r.ncategories == 1 && !strcmp(r.categories[0].id, "wait_time"),
              "an added cue joins its category (%zu)", r.ncategories);
        hm_analyzer_free(a);
        hm_engine_close(e);
    }
    /* errors: the file, its line and PCRE2's message; a NULL or missing folder */
    tap_write_in(dir, "bad.tsv", "kind\tlang\tpattern\tweight\nregex\t*\t(unclosed\t1\n");
    e = hm_engine_open(&cfg, &st);
    snprintf(p, sizeof p, "%s/bad.tsv:2: pattern error", dir);
    CHECK(e == NULL && st.code == HM_EPATTERN && !strncmp(st.message, p, strlen(p)),
          "bad pattern in a category folder: %s", st.message);
    hm_engine_close(e);
    dirs[0] = NULL;
    e = hm_engine_open(&cfg, &st);
    CHECK(e == NULL && st.code == HM_EINVAL, "a NULL category folder refused (%d)", st.code);
    hm_engine_close(e);
    dirs[0] = "/nonexistent/humeur-cats";
    e = hm_engine_open(&cfg, &st);
    CHECK(e == NULL && st.code == HM_EIO && strstr(st.message, "/nonexistent/humeur-cats"),
          "a missing category folder refused: %s", st.message);
    hm_engine_close(e);
    tap_remove_dir(dir);
}

/* Thread safety: the same posts from several threads give the same JSON. */
static const char *const posts[] = {
    "Service client nul, 3 semaines pour un remboursement 😡",
    "Great staff, not bad at all :)",
    "tabarnak que c'est long, ça fait 2h qu'on attend",
    "The app keeps crashing and nobody answers my emails",
    "rien à redire, livraison rapide, je recommande",
    "I was charged twice and still no refund!!!",
};
#define NPOSTS (sizeof posts / sizeof posts[0])

typedef struct th_arg {
    char *out[NPOSTS];
} th_arg;

static void *run_posts(void *p)
{
    th_arg *t = p;
    hm_analyzer *a = hm_analyzer_new(E, NULL);
    for (int rep = 0; rep < 50; rep++)
        for (size_t i = 0; i < NPOSTS; i++) {
            hm_result r;
            hm_analyze(a, posts[i], strlen(posts[i]), &r);
            size_t jl;
            const char *js = hm_result_json(a, &r, NULL, &jl);
            if (rep == 0)
                t->out[i] = strdup(js ? js : "");
        }
    hm_analyzer_free(a);
    return NULL;
}

static void test_threads(void)
{
    th_arg one, many[4];
    run_posts(&one);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, run_posts, &many[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    int same = 1;
    for (int i = 0; i < 4; i++)
        for (size_t j = 0; j < NPOSTS; j++) {
            if (strcmp(one.out[j], many[i].out[j]))
                same = 0;
            free(many[i].out[j]);
        }
    CHECK(same, "4 threads give the results of 1 thread");
    for (size_t j = 0; j < NPOSTS; j++)
        free(one.out[j]);
}

/* The token cache is invisible: a long-lived analyzer whose cache has been
 * filled and trimmed many times (frequent words kept, rare ones forgotten)
 * gives, post for post, the results of a fresh analyzer. */
static void test_token_cache(void)
{
    static const char *words[] = {"service", "livraison", "très", "lent", "Génial", "pas",
                                  "reçu", "the", "refund", "never", "arrived", "merci",
                                  "attente", "RUDE", "colis", "app", "bug", "prix", "top"};
    const size_t nw = sizeof words / sizeof words[0];
    hm_analyzer *a = hm_analyzer_new(E, NULL);
    char post[512];
    int same = 1, checked = 0;
    uint32_t x = 12345;
    for (int p = 0; p < 12000 && same; p++) {
        size_t n = 0;
        for (int w = 0; w < 12; w++) {
            x = x * 1103515245u + 12345u;
            if ((x >> 16) % 3 == 0) /* a rare word, never seen again */
                n += (size_t)snprintf(post + n, sizeof post - n, "mot%dx%d ", p, w);
            else
                n += (size_t)snprintf(post + n, sizeof post - n, "%s ", words[(x >> 8) % nw]);
        }
        hm_result r;
        hm_analyze(a, post, n, &r);
        if (p % 97)
            continue;
        size_t jl;
        const char *js = hm_result_json(a, &r, NULL, &jl);
        char *one = strdup(js ? js : "");
        hm_analyzer *f = hm_analyzer_new(E, NULL);
        hm_analyze(f, post, n, &r);
        js = hm_result_json(f, &r, NULL, &jl);
        if (!one || !js || strcmp(one, js))
            same = 0;
        checked++;
        free(one);
        hm_analyzer_free(f);
    }
    hm_analyzer_free(a);
    CHECK(same && checked > 100, "a trimmed token cache gives a fresh analyzer's results (%d posts)",
          checked);
}

static void test_json(hm_analyzer *a)
{
    hm_result r;
    const char *t = "\"quoted\" \\ back\tslash \x01 très bien";
    hm_analyze(a, t, strlen(t), &r);
    size_t jl;
    const char *js = hm_result_json(a, &r, "\"x\\\"1\"", &jl);
    CHECK(js && strncmp(js, "{\"id\":\"x\\\"1\",\"lang\":", 20) == 0, "id first: %s", js ? js : "");
    CHECK(js && strchr(js, '\t') == NULL && strchr(js, '\x01') == NULL, "control chars escaped");
    CHECK(js && strstr(js, "\"probs\":{\"negative\":") != NULL, "probs object");
    const char *ls = "line\xe2\x80\xa8separator \xc2\x85 super";
    hm_analyze(a, ls, strlen(ls), &r);
    js = hm_result_json(a, &r, NULL, &jl);
    CHECK(js && !strstr(js, "\xe2\x80\xa8") && !strstr(js, "\xc2\x85"),
          "U+2028 and U+0085 escaped in JSON");
    hm_analyze(a, t, strlen(t), &r);
    double s = r.probs[0] + r.probs[1] + r.probs[2];
    CHECK(s > 0.999 && s < 1.001, "probs sum to 1: %f", s);
}

/* Every span of ev[0..n) lies in text, holds its evidence's text, and
 * starts and ends at word boundaries of text (a span moved by a wrong offset
 * map cuts a word: its text, copied from the same span, would not tell). */
static void spans_are_callers(const hm_evidence *ev, size_t n, const char *text)
{
    size_t len = strlen(text);
    for (size_t i = 0; i < n; i++) {
        const hm_evidence *e = &ev[i];
        int in = e->start < e->end && e->end <= len;
        int whole = in && (e->start == 0 || !isalnum((unsigned char)text[e->start - 1])) &&
                    (e->end == len || !isalnum((unsigned char)text[e->end]) ||
                     strchr("';", text[e->end - 1]));
        CHECK(whole && strlen(e->text) == e->end - e->start &&
                  memcmp(e->text, text + e->start, e->end - e->start) == 0,
              "evidence [%zu,%zu) \"%s\" is a span of the caller's words", e->start, e->end,
              e->text);
    }
}

/* HTML character references are read decoded, and every offset given out
 * is one of the caller's text: a span's bytes are the evidence's text. */
static void test_entities(hm_analyzer *a)
{
    hm_result r, plain;
    const char *t = "Service &eacute;pouvantable &amp; personne ne r&eacute;pond &lt;/3 "
                    "J&#39;attends depuis 3 semaines &#x1F621; &bogus; &#0; &amp";
    const char *d = "Service épouvantable & personne ne répond </3 "
                    "J'attends depuis 3 semaines 😡 &bogus; &#0; &amp";
    CHECK(hm_analyze(a, d, strlen(d), &plain) == 0, "analyse the decoded text");
    double want = plain.score;
    size_t want_ev = plain.nevidence, want_cats = plain.ncategories;
    CHECK(hm_analyze(a, t, strlen(t), &r) == 0, "analyse the text with references");
    CHECK(r.score == want && r.nevidence == want_ev && r.ncategories == want_cats,
          "references read as the characters they stand for (score %g vs %g)", r.score, want);
    CHECK(tokens_have(a, HM_TOK_WORD, "epouvantable"), "&eacute; inside a word");
    CHECK(tokens_have(a, HM_TOK_WORD, "j'"), "&#39; as an apostrophe: an elision");
    CHECK(tokens_have(a, HM_TOK_EMOTICON, "</3"), "&lt;/3 an emoticon");
    CHECK(tokens_have(a, HM_TOK_EMOJI, "\xF0\x9F\x98\xA1"), "&#x1F621; an emoji");
    CHECK(tokens_have(a, HM_TOK_WORD, "bogus"), "an unknown name left as written");
    CHECK(tokens_have(a, HM_TOK_WORD, "amp"), "a reference without ';' left as written");
    spans_are_callers(r.evidence, r.nevidence, t);
    int saw = 0;
    for (size_t k = 0; k < r.ncategories; k++) {
        spans_are_callers(r.categories[k].evidence, r.categories[k].nevidence, t);
        for (size_t i = 0; i < r.categories[k].nevidence; i++)
            saw |= strstr(r.categories[k].evidence[i].text, "r&eacute;pond") != NULL;
    }
    CHECK(saw, "a category span that holds a reference");
    size_t n;
    const hm_token *tk = hm_analyzer_tokens(a, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(tk[i].norm, "</3") == 0)
            CHECK(tk[i].end - tk[i].start == 6 && memcmp(t + tk[i].start, "&lt;/3", 6) == 0,
                  "token span of a reference");
    /* the next texts read their own offsets: one without references, and
     * one with others (the map of the text before would move their spans) */
    const char *u = "Service vraiment nul, personne ne répond";
    CHECK(hm_analyze(a, u, strlen(u), &r) == 0 && r.nevidence > 0, "a text after one with references");
    spans_are_callers(r.evidence, r.nevidence, u);
    CHECK(hm_analyze(a, t, strlen(t), &r) == 0, "the text with references again");
    const char *v = "Service nul &amp; lent, personne ne r&eacute;pond &agrave; mes emails";
    CHECK(hm_analyze(a, v, strlen(v), &r) == 0 && r.nevidence > 0 && r.ncategories > 0,
          "a text with other references after one with references");
    spans_are_callers(r.evidence, r.nevidence, v);
    for (size_t k = 0; k < r.ncategories; k++)
        spans_are_callers(r.categories[k].evidence, r.categories[k].nevidence, v);
}

/* hm_trainer_add's dev: 0 train, 1 tune, 2 held out of a training source */
static void test_trainer_add(void)
{
    hm_status st;
    hm_trainer *t = hm_trainer_new(E, HM_LANG_EN, &st);
    CHECK(t != NULL, "trainer: %s", t ? "" : st.message);
    if (!t)
        return;
    for (int dev = 0; dev <= 2; dev++)
        CHECK(hm_trainer_add(t, "good", 4, HM_POSITIVE, -1, dev, 1.0) == HM_OK,
              "a post with dev %d is taken", dev);
    CHECK(hm_trainer_add(t, "good", 4, HM_POSITIVE, -1, 3, 1.0) == HM_EINVAL,
          "dev 3 is refused");
    CHECK(hm_trainer_add(t, "good", 4, HM_POSITIVE, -1, -1, 1.0) == HM_EINVAL,
          "dev -1 is refused");
    hm_trainer_free(t);
}

int main(void)
{
    hm_status st;
    E = hm_engine_open(NULL, &st);
    CHECK(E != NULL, "open embedded engine: %s", E ? "" : st.message);
    if (!E)
        return tap_done("api");
    hm_analyzer *a = hm_analyzer_new(E, &st);
    test_basics();
    test_bad_input(a);
    test_truncation();
    test_tokens(a);
    test_entities(a);
    test_langid(a);
    test_stems(a);
    test_families(a);
    test_json(a);
    test_complaints(a);
    test_cues(a);
    test_lexicon_dir();
    test_category_dirs();
    test_threads();
    test_token_cache();
    test_trainer_add();
    hm_analyzer_free(a);
    hm_engine_close(E);
    return tap_done("api");
}
