/*
 * test_prefilter.c — the category patterns' literal prefilter loses nothing.
 *
 * Each category regex is run only on posts that hold one of the literals every
 * match of it needs, and, when every match starts with one of them, only from
 * the first occurrence.  In verify mode the analyzer also runs every pattern
 * from the start of the text and counts the matches the prefilter would have
 * lost; over the fixtures written for the categories, the golden sentences
 * and, when ../shared is there, thousands of real posts, there must be none.
 * Also: the embedded patterns, compiled lazily, are all valid PCRE2.
 */
#include "internal.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t nerr;

static size_t run_file(hm_analyzer *a, const char *path, size_t max_lines)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char *line = NULL;
    size_t cap = 0, n = 0;
    ssize_t k;
    hm_result r;
    while (n < max_lines && (k = getline(&line, &cap, f)) > 0) {
        /* the whole line is the text: JSON punctuation and TSV columns are
         * text too, which only widens what the patterns see */
        int rc = hm_analyze(a, line, (size_t)k, &r);
        if (rc) {
            nerr++;
            fprintf(stderr, "%s: line %zu: %s\n", path, n + 1, hm_strerror(rc));
        }
        n++;
    }
    free(line);
    fclose(f);
    return n;
}

/* An engine whose only category file (in a new folder dir, mkdtemp
 * template) holds the regex patterns pats[0..n), for every language (an
 * entry holding a tab is a whole line: "phrase\t*\tzorb quix\t0.3"); NULL
 * when it cannot be made.  crafted_done() closes it and removes the folder. */
static hm_engine *crafted_open(char *dir, const char *const *pats, size_t n)
{
    if (!mkdtemp(dir)) {
        SKIP("mkdtemp");
        return NULL;
    }
    char p[512], body[8192];
    snprintf(p, sizeof p, "%s/categories", dir);
    mkdir(p, 0755);
    size_t w = (size_t)snprintf(body, sizeof body, "kind\tlang\tpattern\tweight\n");
    for (size_t i = 0; i < n; i++)
        w += (size_t)snprintf(body + w, sizeof body - w,
                              strchr(pats[i], '\t') ? "%s\n" : "regex\t*\t%s\t1.0\n", pats[i]);
    snprintf(p, sizeof p, "%s/categories/wait_time.tsv", dir);
    tap_write_file(p, body);
    hm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.lexicon_dir = dir;
    hm_status st;
    hm_engine *e = hm_engine_open(&cfg, &st);
    CHECK(e != NULL, "engine with crafted patterns: %s", e ? "" : st.message);
    return e;
}

static void crafted_done(hm_engine *e, const char *dir)
{
    char p[512];
    hm_engine_close(e);
    snprintf(p, sizeof p, "%s/categories/wait_time.tsv", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/categories", dir);
    rmdir(p);
    rmdir(dir);
}

/* Analyses each of texts[0..n) in lang; returns the category matches of all. */
static size_t run_texts(hm_analyzer *a, const char *const *texts, size_t n, int lang)
{
    size_t nm = 0;
    for (size_t i = 0; i < n; i++) {
        hm_result r;
        hm_analyze_ex(a, texts[i], strlen(texts[i]), &(hm_options){lang, 0}, &r);
        nm += a->cat.nm;
    }
    return nm;
}

/* A text and what the prefilter makes of it: the patterns it lets run and
 * the matches. */
typedef struct run_case {
    const char *text;
    int runs;
    int matches;
} run_case;

/* Analyses each of cases[0..n) in lang, in verify mode: the runs and matches
 * are the expected ones. */
static void check_runs(hm_analyzer *a, const run_case *cases, size_t n, int lang)
{
    a->cat.verify = 1;
    for (size_t i = 0; i < n; i++) {
        hm_result r;
        size_t ran = a->cat.ran;
        hm_analyze_ex(a, cases[i].text, strlen(cases[i].text), &(hm_options){lang, 0}, &r);
        CHECK((int)(a->cat.ran - ran) == cases[i].runs && (int)a->cat.nm == cases[i].matches,
              "\"%s\": %zu runs, %zu matches", cases[i].text, a->cat.ran - ran, a->cat.nm);
    }
}

/* check_runs on an engine of crafted patterns (in dir), in French, in verify
 * mode: no match is lost (what: the test's name); then closes it. */
static void crafted_runs(hm_engine *e, const char *dir, const run_case *cases, size_t n,
                         const char *what)
{
    hm_status st;
    hm_analyzer *a = hm_analyzer_new(e, &st);
    if (a) {
        check_runs(a, cases, n, HM_LANG_FR);
        CHECK(a->cat.misses == 0, "%s: %zu matches lost", what, a->cat.misses);
        hm_analyzer_free(a);
    }
    crafted_done(e, dir);
}

/* Patterns whose matches start before the literal the prefilter reads, by a
 * bounded distance (quantifiers {m}, {m,n}, ?, groups, alternatives,
 * lookbehinds) or an unbounded one: the start offset computed from that
 * distance loses no match, and the distance is what the pattern says. */
static void test_lead(void)
{
    static const struct {
        const char *pattern;
        unsigned lead; /* expected re->lead */
        const char *text;
    } cases[] = {
        {"\\b(?:une|deux)\\s(?:heures?|minutes?) d'attente\\b", LEAD_UNBOUNDED,
         "on a eu deux heures d'attente au guichet"},
        {"\\b\\w{2,5}ly\\s(?:waited|queued)\\b", 8, "we sadly waited for ages"},
        /* the digits ("\\d{3}": at least one) are at most 3 bytes in */
        {"(?:ab|cde)\\d{3}\\s?zorblat", 3, "cde123 zorblat and ab456zorblat"},
        {"(?<=\\s)qu{2}x{1,4}pling", 7, "a quuxxxxpling here"},
        {"\\b\\d+ frobnitz(?:es)?\\b", 0, "i bought 12345 frobnitzes today"},
        /* {twice, double} starts unbounded before the match; {pay, charged,
         * billed} at most "double " before */
        {"\\bpay\\w* [a-z]{0,9} ?twice\\b|\\bdouble (?:charged|billed)\\b", 7,
         "they payed me something twice, then double billed me"},
        {"[^x]{3}glorp", 12, "the glorp and zzz glorp"},
        {"\\b.{0,6}snerk\\b", 24, "hello snerk. one more snerk"},
    };
    const size_t ncase = sizeof cases / sizeof cases[0];
    const char *pats[sizeof cases / sizeof cases[0]];
    for (size_t i = 0; i < ncase; i++)
        pats[i] = cases[i].pattern;
    char dir[] = "/tmp/hm_preXXXXXX";
    hm_engine *e = crafted_open(dir, pats, ncase);
    hm_status st;
    if (e) {
        const hm_cats *c = &e->cats;
        CHECK(c->nre == ncase, "%zu crafted patterns loaded", c->nre);
        for (size_t i = 0; i < ncase && i < c->nre; i++)
            CHECK(c->re[i].lead == cases[i].lead || c->re[i].lit_first,
                  "pattern %zu: lead %u, expected %u", i, c->re[i].lead, cases[i].lead);
        hm_analyzer *a = hm_analyzer_new(e, &st);
        if (a) {
            a->cat.verify = 1;
            for (size_t i = 0; i < ncase; i++) {
                hm_result r;
                hm_analyze_ex(a, cases[i].text, strlen(cases[i].text),
                              &(hm_options){HM_LANG_EN, 0}, &r);
            }
            CHECK(a->cat.misses == 0, "crafted patterns: the start offsets lost %zu matches",
                  a->cat.misses);
            /* the texts do test the bounds: claiming the literals start the
             * matches (a lead of 0) loses some */
            for (size_t i = 0; i < ncase && i < c->nre; i++)
                if (e->cats.re[i].lead != LEAD_UNBOUNDED)
                    e->cats.re[i].lead = 0;
            for (size_t i = 0; i < ncase; i++) {
                hm_result r;
                hm_analyze_ex(a, cases[i].text, strlen(cases[i].text),
                              &(hm_options){HM_LANG_EN, 0}, &r);
            }
            /* (five start before the offset searched from; one more lies
             * outside the windows before the places of set 0) */
            CHECK(a->cat.misses == 6, "with the bounds set to 0, %zu matches lost", a->cat.misses);
            hm_analyzer_free(a);
        }
        crafted_done(e, dir);
    }
}

/* Literals that share their first bytes ("pas ..."), of every length the
 * index tells apart (3, 4 to LIT_LONG - 1, LIT_LONG and more: a table each),
 * with and without word boundaries around them, and with each kind of byte
 * the first-bytes filter has a class for (letters, digits, space,
 * apostrophe): none is lost, and boundaries the text does not have keep a
 * pattern from running. */
static void test_shared_prefix(void)
{
    static const char *const pats[] = {
        "\\bpas encore\\b", "\\bpas recu\\b", "\\bpas vu\\b",  "\\bpas lu\\b",
        "\\bpas fini",       "\\bpas ete\\b",  "pas bon\\b",     "\\bpas x\\b",
        "\\bpas\\b",        "\\bpas \\d",     "\\bpas encore recu\\b",
        "\\bd'attente\\b",  "\\b24 heures\\b", "rembours",
    };
    static const char *const texts[] = {
        "je n'ai pas encore recu mon colis",
        "toujours pas vu ni lu",
        "pas lu, pas fini, pas ete livre",
        "un repas bon et pas x",
        "repas vu, pas vue, pas 3 fois",
        "pasencore pas",
        "2h d'attente, 24 heures, pas de remboursement",
    };
    char dir[] = "/tmp/hm_preXXXXXX";
    hm_engine *e = crafted_open(dir, pats, sizeof pats / sizeof *pats);
    hm_status st;
    if (e) {
        const hm_cats *c = &e->cats;
        size_t used[3] = {0};
        for (int t = 0; t < 3; t++)
            for (size_t j = 0; j < c->lit_idx[t].cap; j++)
                used[t] += c->lit_idx[t].slot[j].head != 0;
        CHECK(used[0] && used[1] && used[2], "literal keys per table: %zu, %zu, %zu", used[0],
              used[1], used[2]);
        hm_analyzer *a = hm_analyzer_new(e, &st);
        if (a) {
            a->cat.verify = 1;
            size_t nm = run_texts(a, texts, sizeof texts / sizeof *texts, HM_LANG_FR);
            CHECK(a->cat.misses == 0, "shared-prefix literals: %zu matches lost", a->cat.misses);
            CHECK(nm > 0 && a->cat.ran < a->cat.could, "%zu matches, %zu runs of %zu", nm,
                  a->cat.ran, a->cat.could);
            hm_analyzer_free(a);
        }
        crafted_done(e, dir);
    }
}

/* Alternatives give several sets, each the union of one set of every
 * branch: "pas" alone (in both branches) does not make the pattern run; a
 * post with a literal of every set does, and no match is lost. */
static void test_alternation_sets(void)
{
    static const char *const pats[] = {
        "\\b(?:pas|plus) (?:mon|son) (?:zorblat|quixel)\\b|\\bpas sa quixel\\b",
        "\\b(?:pas de (?:frobnitz|glorpex)|plus (?:aucun|un seul) (?:frobnitz|snerkle))\\b",
    };
    static const run_case cases[] = {
        {"il n'y a pas de quoi, plus rien", 0, 0},
        {"pas mon zorblat, plus son quixel", 1, 2},
        {"pas sa quixel", 1, 1},
        {"mon zorblat", 0, 0},
        {"pas de glorpex, plus un seul snerkle", 1, 2},
        {"plus de snerkle", 0, 0},
    };
    char dir[] = "/tmp/hm_preXXXXXX";
    hm_engine *e = crafted_open(dir, pats, sizeof pats / sizeof *pats);
    if (e) {
        const hm_cats *c = &e->cats;
        for (size_t i = 0; i < c->nre; i++)
            CHECK(c->re[i].nsets >= 2, "pattern %zu: %d literal sets", i, c->re[i].nsets);
        crafted_runs(e, dir, cases, sizeof cases / sizeof *cases, "alternation sets");
    }
}

/* The sets of a sequence's later elements come after set 0's in every
 * match: a post whose last literal of such a set is before the first of set
 * 0 does not run the pattern; not in an alternation; none is lost. */
static void test_order(void)
{
    static const char *const pats[] = {
        "\\bzorblat\\b.{0,30}\\bquixel\\b",
        "\\bquixel\\b.{0,30}\\bzorblat\\b|\\bsnerkle\\b",
        "\\b(?:glorpex|frobnitz) de \\d+ (?:jours|mois)\\b",
    };
    static const run_case cases[] = {
        {"quixel puis zorblat", 1, 1},
        {"zorblat puis quixel", 2, 1},
        {"zorblat quixel zorblat", 2, 2},
        /* tried at the zorblat followed by a quixel only */
        {"zorblat quixel zorblat zorblat", 2, 2},
        {"zorblat zorblat quixel zorblat", 2, 2},
        {"3 jours de glorpex", 0, 0},
        {"frobnitz de 3 jours", 1, 1},
        {"frobnitz, mois 2, glorpex de 5 jours", 1, 1},
        {"jours 4 frobnitz", 0, 0},
    };
    char dir[] = "/tmp/hm_preXXXXXX";
    hm_engine *e = crafted_open(dir, pats, sizeof pats / sizeof *pats);
    if (!e)
        return;
    const hm_cats *c = &e->cats;
    CHECK(c->nre == 3 && c->re[0].after0 == 2 && c->re[1].after0 == 0 && c->re[2].after0 == 6,
          "order: the sets after set 0");
    crafted_runs(e, dir, cases, sizeof cases / sizeof *cases, "order");
}

/* "\d{m,n}" with m >= 1 is a required digit; "\d{0,n}" is not. */
static void test_digit_counts(void)
{
    static const char *const pats[] = {
        "\\bservie? a \\d{1,2}\\s?h\\b", "\\bzorblat \\d{0,2}x\\b", "\\bquixel \\d{2}\\b",
    };
    static const int nsets[] = {2, 1, 2};
    static const char *const texts[] = {
        "servie a 14h, zorblat x, quixel 42",
        "servie a midi",
        "servie a 9 h et zorblat 7x",
    };
    char dir[] = "/tmp/hm_preXXXXXX";
    hm_engine *e = crafted_open(dir, pats, sizeof pats / sizeof *pats);
    hm_status st;
    if (e) {
        const hm_cats *c = &e->cats;
        for (size_t i = 0; i < c->nre && i < sizeof nsets / sizeof *nsets; i++)
            CHECK(c->re[i].nsets == nsets[i], "pattern %zu: %d literal sets, expected %d", i,
                  c->re[i].nsets, nsets[i]);
        hm_analyzer *a = hm_analyzer_new(e, &st);
        if (a) {
            a->cat.verify = 1;
            size_t nm = run_texts(a, texts, sizeof texts / sizeof *texts, HM_LANG_FR);
            CHECK(a->cat.misses == 0 && nm == 5, "digit counts: %zu matches, %zu lost", nm,
                  a->cat.misses);
            hm_analyzer_free(a);
        }
        crafted_done(e, dir);
    }
}

/* The flags byte's boundary bits (LIT_LEAD 1, LIT_TRAIL 2) of literal s of
 * pattern re, or -1 when it has no such literal. */
static int lit_bounds(const hm_cats *c, const cat_regex *re, const char *s)
{
    const char *l = c->litsrc.p + re->lit_off;
    for (int q = 0; q < re->nlit; q++, l += strlen(l) + 1)
        if (!strcmp(l + 1, s))
            return l[0] & 3;
    return -1;
}

/* Does pattern re have the prefilter literal s (in any set)? */
static int has_lit(const hm_cats *c, const cat_regex *re, const char *s)
{
    return lit_bounds(c, re, s) >= 0;
}

/* A currency sign ("\$", "£", "€") is the pseudo-literal "a currency
 * sign", like "\d" is "a digit": a post with digits and no currency sign
 * runs none of these; "\$?" requires nothing; alternatives that each
 * require a sign or a word give the union; no match is lost. */
static void test_currency(void)
{
    static const char *const pats[] = {
        "\\$\\s?\\d+",
        "\\b\\d+ ?(?:€|£|zorbucks\\b)",
        "(?:\\$\\s?\\d+|\\b\\d+\\s?(?:\\$|€|quixdollars?\\b))",
        "\\b\\d+ ?\\$? blorf\\b",
    };
    static const int nsets[] = {2, 2, 2, 2};
    static const run_case cases[] = {
        {"paye 45 pour rien", 0, 0},
        /* a sign before the digits does not run the patterns that need it
         * after them, nor the other way round; one category: a span counts once */
        {"paye $45 pour rien", 2, 1},
        {"paye 45$ pour rien", 2, 1},
        {"12 € et 3 £, puis 7 zorbucks", 3, 3},
        {"45 quixdollars, $ 3", 3, 2},
        {"$ 3 et 5 €", 3, 2}, /* the last sign is after the digits */
        {"45 blorf", 1, 1},
        {"$", 0, 0},
    };
    char dir[] = "/tmp/hm_preXXXXXX";
    hm_engine *e = crafted_open(dir, pats, sizeof pats / sizeof *pats);
    if (!e)
        return;
    const hm_cats *c = &e->cats;
    static const char cur[2] = {HM_LIT_CUR, 0};
    for (size_t i = 0; i < c->nre && i < sizeof nsets / sizeof *nsets; i++)
        CHECK(c->re[i].nsets == nsets[i] && has_lit(c, &c->re[i], cur) == (i < 3),
              "currency pattern %zu: %d literal sets, expected %d", i, c->re[i].nsets, nsets[i]);
    crafted_runs(e, dir, cases, sizeof cases / sizeof *cases, "currency");
}

/* A pattern that repeats an earlier one (source and language) is not run
 * again: it takes that one's matches, with its own weight. */
static void test_repeated_patterns(void)
{
    static const char *const pats[] = {
        "regex\t*\t\\bzorb \\w+\t0.3",
        "regex\tfr\t\\bzorb \\w+\t0.5", /* another language: run on its own */
        "regex\t*\t\\bzorb \\w+\t-0.8",  /* the strongest weight counts */
    };
    char dir[] = "/tmp/hm_preXXXXXX";
    hm_engine *e = crafted_open(dir, pats, sizeof pats / sizeof *pats);
    hm_status st;
    if (!e)
        return;
    const hm_cats *c = &e->cats;
    CHECK(c->nre == 3 && c->ndup == 1 && c->dup_slot[0] == 1 && c->dup_slot[1] == 0 &&
              c->dup_slot[2] == 1,
          "repeated patterns: %zu of them", c->ndup);
    hm_analyzer *a = hm_analyzer_new(e, &st);
    static const char *const texts[] = {"zorb quix, zorb blat", "nothing here", "zorb fump"};
    static const size_t nm[] = {2, 0, 1};
    for (size_t i = 0; a && i < sizeof texts / sizeof *texts; i++) {
        hm_result r;
        hm_analyze_ex(a, texts[i], strlen(texts[i]), &(hm_options){HM_LANG_EN, 0}, &r);
        const hm_cat_state *s = &a->cat;
        int strongest = 1;
        for (size_t k = 0; k < s->nm; k++)
            strongest &= s->m[k].w == -0.8f;
        CHECK(s->nm == nm[i] && strongest, "repeated patterns in \"%s\": %zu matches", texts[i],
              s->nm);
    }
    hm_analyzer_free(a);
    crafted_done(e, dir);
}

/* A run of literal characters right before a group of plain literals ("pas
 * (?:eu|recu)") gives the run followed by each branch; not when the group
 * may be absent or a branch is not plain; none is lost. */
static void test_run_and_group(void)
{
    static const char *const pats[] = {
        "\\bpas (?:eu|recu) de zorblat\\b",
        "\\ben (?:24|48) ?h\\b",
        "\\bpas (?:eu |recu )?zorblat\\b",
        "\\bpas (?:eu|re\\w+) quixel\\b",
    };
    static const run_case cases[] = {
        {"pas eu de zorblat, pas recu de zorblat", 2, 2},
        {"pas vu de zorblat", 1, 0},
        {"livre en 24h ou en 48 h", 1, 2},
        {"en 12 h", 0, 0},
        {"pas zorblat", 1, 1},
        {"pas reussi quixel", 1, 1},
    };
    char dir[] = "/tmp/hm_preXXXXXX";
    hm_engine *e = crafted_open(dir, pats, sizeof pats / sizeof *pats);
    if (!e)
        return;
    const hm_cats *c = &e->cats;
    CHECK(c->nre == 4 && has_lit(c, &c->re[0], "pas eu") && has_lit(c, &c->re[0], "pas recu") &&
              has_lit(c, &c->re[1], "en 24") && has_lit(c, &c->re[1], "en 48") &&
              !has_lit(c, &c->re[2], "pas eu") && has_lit(c, &c->re[2], "pas") &&
              !has_lit(c, &c->re[3], "pas eu") && has_lit(c, &c->re[3], "pas"),
          "run and group: the literals");
    crafted_runs(e, dir, cases, sizeof cases / sizeof *cases, "run and group");
}

/* A long alternation (a cue file's list of 200 dishes or brands) keeps its
 * literals, all of its sets too: the literals live in one pool, not in a
 * fixed buffer per pattern (one of 480 bytes once left such a pattern
 * without any, to run all along every post), and the branches of a group or
 * of the whole pattern are read side by side (a group of more than 64, or a
 * pattern of more than 9, once lost them too). */
static void test_long_alternation(void)
{
    static char list[3][2400];
    size_t w = 0, t = 0;
    w += (size_t)snprintf(list[0] + w, sizeof list[0] - w, "\\b(?:");
    for (int i = 0; i < 200; i++) {
        w += (size_t)snprintf(list[0] + w, sizeof list[0] - w, "%squix%c%c", i ? "|" : "",
                              'a' + i / 26, 'a' + i % 26);
        if (i < 30)
            t += (size_t)snprintf(list[2] + t, sizeof list[2] - t, "%s\\bquix%c%c\\b",
                                  i ? "|" : "", 'a' + i / 26, 'a' + i % 26);
    }
    snprintf(list[0] + w, sizeof list[0] - w, ")\\b");
    snprintf(list[1], sizeof list[1], "%.*s glacial\\b", (int)(w + 3), list[0]);
    const char *const pats[] = {list[0], list[1], list[2]};
    static const run_case cases[] = {
        {"un quixab ici", 2, 1}, /* one span, one category: one match */
        {"un quixhb ici", 1, 1},
        {"un quixhb glacial", 2, 2},
        {"un quixzz glacial", 0, 0},
        {"glacial tout seul", 0, 0},
        {"rien du tout", 0, 0},
    };
    char dir[] = "/tmp/hm_preXXXXXX";
    hm_engine *e = crafted_open(dir, pats, 3);
    if (!e)
        return;
    const hm_cats *c = &e->cats;
    CHECK(c->nre == 3 && c->re[0].nlit == 200 && c->re[0].nsets == 1 && c->re[1].nlit == 201 &&
              c->re[1].nsets == 2 && c->re[2].nlit == 30 && has_lit(c, &c->re[0], "quixhb") &&
              has_lit(c, &c->re[1], "quixgr") && has_lit(c, &c->re[1], "glacial") &&
              has_lit(c, &c->re[2], "quixbd"),
          "long alternations: their literals (%u, %u and %u)", c->nre ? c->re[0].nlit : 0,
          c->nre > 1 ? c->re[1].nlit : 0, c->nre > 2 ? c->re[2].nlit : 0);
    crafted_runs(e, dir, cases, sizeof cases / sizeof *cases, "long alternation");
}

/* A literal has a word boundary before it (after it) when every way a match
 * can reach it passes one: through optional groups whose every branch ends
 * (starts) with a space, alternatives, "^" or "\s"; not after "'?", nor
 * before "\s?", which may match nothing.  Inside a word, such a literal
 * does not make its pattern run; none is lost. */
static void test_boundaries(void)
{
    static const char *const pats[] = {
        "\\bzorblat (?:est |a ete )?quixel\\b",
        "(?:^|\\s)(?:le |la )?glorpex",
        "\\bdidn'?t snerkle",
        "\\bfrobnitz(?: de| du)? plumbus",
        "\\bblorf(?:y|ies)? wuzzle",
        "\\b(?:snorf|blick)\\s?grumpel",
    };
    static const run_case cases[] = {
        {"zorblat a ete quixel", 1, 1},
        {"zorblat abquixel", 0, 0},
        {"la glorpex", 1, 1},
        {"glorpex ici", 1, 1},
        {"laglorpex", 0, 0},
        {"didnt snerkle", 1, 1},
        {"frobnitz du plumbus", 1, 1},
        {"frobnitzy plumbus", 0, 0},
        {"blorfies wuzzle", 1, 1},
        {"snorfgrumpel", 1, 1},
    };
    char dir[] = "/tmp/hm_preXXXXXX";
    hm_engine *e = crafted_open(dir, pats, sizeof pats / sizeof *pats);
    if (!e)
        return;
    const hm_cats *c = &e->cats;
    CHECK(c->nre == 6 && lit_bounds(c, &c->re[0], "quixel") == 3 &&
              lit_bounds(c, &c->re[1], "glorpex") == 1 && lit_bounds(c, &c->re[2], "t snerkl") == 0 &&
              lit_bounds(c, &c->re[3], "frobnitz") == 3 && lit_bounds(c, &c->re[3], "plumbus") == 1 &&
              lit_bounds(c, &c->re[4], "blorf") == 1 && lit_bounds(c, &c->re[4], "wuzzle") == 1 &&
              lit_bounds(c, &c->re[5], "snorf") == 1,
          "boundaries: the literals' flags");
    crafted_runs(e, dir, cases, sizeof cases / sizeof *cases, "boundaries");
}

/* Category phrases: the longest phrase that starts at a word counts, read
 * word by word while the words begin some phrase (the engine's filter of
 * phrase keys and their first words); punctuation ends a phrase. */
static void test_phrases(void)
{
    static const char *const lines[] = {
        "phrase\t*\tzorb quix\t0.3",
        "phrase\t*\tzorb quix blat\t0.7",
        "phrase\t*\tzorb fump\t0.5",
        "phrase\t*\tquix blat\t0.2",
        "phrase\t*\tzorb 10 minutes\t0.4", /* "10 minutes": one token, its norm has a space */
    };
    static const struct {
        const char *text;
        size_t nm;
        float w0; /* the first match's weight */
        uint32_t end0;
    } cases[] = {
        {"zorb quix blat", 2, 0.7f, 14}, /* and "quix blat" from the next word */
        {"zorb quix nope", 1, 0.3f, 9},
        {"so zorb fump", 1, 0.5f, 12},
        {"zorb, quix nope", 0, 0, 0},
        {"zorb nope quix", 0, 0, 0},
        /* a norm with a space: phrases are then read without the filter */
        {"zorb 10 minutes", 1, 0.4f, 15},
        {"zorb 10 minutes, zorb quix blat", 3, 0.4f, 15},
        {"it took 10 minutes: zorb fump", 1, 0.5f, 29},
        /* the words a phrase may span decide: with the filter far from the
         * duration, without it near */
        {"zorb quix blat, then a b c d e f g h i j k l m n 10 minutes", 2, 0.7f, 14},
        {"10 minutes a b c d e f g h i j k l m n o p zorb fump", 1, 0.5f, 52},
        {"a b c d e f g h i j k zorb 10 minutes", 1, 0.4f, 37},
    };
    char dir[] = "/tmp/hm_preXXXXXX";
    hm_engine *e = crafted_open(dir, lines, sizeof lines / sizeof *lines);
    hm_status st;
    if (!e)
        return;
    CHECK(e->cats.phrase_indexed, "phrases: the filter is built at engine open");
    hm_analyzer *a = hm_analyzer_new(e, &st);
    if (a)
        a->cat.verify = 1; /* and the filter, where used, finds what the plain reading does */
    for (size_t i = 0; a && i < sizeof cases / sizeof *cases; i++) {
        hm_result r;
        const char *t = cases[i].text;
        hm_analyze_ex(a, t, strlen(t), &(hm_options){HM_LANG_EN, 0}, &r);
        const hm_cat_state *s = &a->cat;
        CHECK(s->nm == cases[i].nm &&
                  (!s->nm || (s->m[0].w == cases[i].w0 && s->m[0].end == cases[i].end0)),
              "phrases in \"%s\": %zu matches, first %g to %u", t, s->nm, s->nm ? s->m[0].w : 0,
              s->nm ? s->m[0].end : 0);
    }
    CHECK(a && a->cat.misses == 0, "phrases: the filter lost %zu", a ? a->cat.misses : 0);
    hm_analyzer_free(a);
    crafted_done(e, dir);
}

int main(void)
{
    test_lead();
    test_shared_prefix();
    test_alternation_sets();
    test_digit_counts();
    test_currency();
    test_repeated_patterns();
    test_order();
    test_run_and_group();
    test_long_alternation();
    test_boundaries();
    test_phrases();
    hm_status st;
    hm_engine *e = hm_engine_open(NULL, &st);
    CHECK(e != NULL, "engine open: %s", st.message);
    if (!e)
        return tap_done("prefilter");
    hm_analyzer *a = hm_analyzer_new(e, &st);
    CHECK(a != NULL, "analyzer: %s", st.message);
    if (!a)
        return tap_done("prefilter");

    /* every embedded pattern is valid PCRE2 (the embedded defaults compile on
     * first use, so a bad one would otherwise go unnoticed) */
    const hm_cats *c = &e->cats;
    size_t bad = 0;
    for (size_t i = 0; i < c->nre; i++) {
        int err;
        PCRE2_SIZE off;
        pcre2_code *code = pcre2_compile((PCRE2_SPTR)(c->pat.p + c->re[i].pat_off),
                                         c->re[i].pat_len, PCRE2_UTF, &err, &off, NULL);
        if (!code) {
            bad++;
            fprintf(stderr, "pattern %zu does not compile: %.*s\n", i, (int)c->re[i].pat_len,
                    c->pat.p + c->re[i].pat_off);
        }
        pcre2_code_free(code);
    }
    CHECK(c->nre > 500 && bad == 0, "%zu patterns, %zu do not compile", c->nre, bad);
    size_t nolit = 0, unanchored = 0;
    for (size_t i = 0; i < c->nre; i++) {
        nolit += c->re[i].nlit == 0;
        /* one without literals runs on every post, all along it, unless
         * anchored at the start: a cue file's alternation too long for the
         * literal buffer once cost a fifth of the run */
        if (c->re[i].nlit == 0 && c->pat.p[c->re[i].pat_off] != '^') {
            unanchored++;
            fprintf(stderr, "pattern %zu has no prefilter literal: %.80s\n", i,
                    c->pat.p + c->re[i].pat_off);
        }
    }
    CHECK(nolit * 50 < c->nre, "%zu of %zu patterns have no prefilter literal", nolit, c->nre);
    CHECK(unanchored == 0, "%zu shipped patterns without a prefilter literal run all along every post",
          unanchored);

    /* a handful of texts where a pattern must fire, each led by the kind of
     * literal the prefilter reads: a digit, a word after a boundary, a group */
    a->cat.verify = 1;
    static const char *const texts[] = {
        "Charged $45 twice for the same order.",
        "45$ pour un sandwich, c'est du vol",
        "nobody could help me with my account",
        "Ça fait 2 heures d'attente au téléphone",
        "on attend depuis 40 minutes pour un café",
        "mon colis n'est jamais arrivé, toujours pas reçu ma commande",
        "I was billed for a room I never booked",
    };
    hm_result r;
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        CHECK(hm_analyze(a, texts[i], strlen(texts[i]), &r) == 0, "analyze %zu", i);
    size_t n = sizeof texts / sizeof *texts;
    static const char *const files[] = {
        "tests/data/categories_en.jsonl", "tests/data/categories_fr.jsonl",
        "tests/data/sentiment_en.tsv", "tests/data/sentiment_fr.tsv", "tests/data/demo.txt",
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        size_t k = run_file(a, files[i], (size_t)-1);
        CHECK(k > 0, "%s: no lines read", files[i]);
        n += k;
    }
    static const char *const shared[] = {
        "../shared/data/complaints-twitter/complaints-twitter.jsonl",
        "../shared/data/airline-tweets/airline-tweets.jsonl",
        "../shared/data/marc-fr/marc-fr.jsonl",
        "../shared/data/french-book-reviews/french-book-reviews.jsonl",
        "../shared/data/semeval16-rest-fr/semeval16-rest-fr.jsonl",
        "../shared/data/semeval16-rest-en/semeval16-rest-en.jsonl",
        "../shared/data/mams-acsa/mams-acsa.jsonl",
        "../shared/data/banking77/banking77.jsonl",
        "../shared/data/marc-en/marc-en.jsonl",
        "../shared/data/umsab-fr/umsab-fr.jsonl",
    };
    size_t nshared = 0;
    for (size_t i = 0; i < sizeof shared / sizeof *shared; i++)
        nshared += run_file(a, shared[i], 1000);
    if (!nshared)
        SKIP("../shared/data is absent: the prefilter is checked on the fixtures only");
    n += nshared;
    CHECK(nerr == 0, "%zu posts failed to analyse", nerr);
    CHECK(a->cat.misses == 0, "the prefilter lost %zu matches over %zu posts", a->cat.misses, n);
    /* and it does its job: most pattern runs are skipped */
    CHECK(a->cat.ran * 20 < a->cat.could, "patterns run %zu times of %zu possible", a->cat.ran,
          a->cat.could);
    printf("# %zu posts, %zu pattern runs of %zu possible, %zu missed\n", n, a->cat.ran,
           a->cat.could, a->cat.misses);
    hm_analyzer_free(a);
    hm_engine_close(e);
    return tap_done("prefilter");
}
