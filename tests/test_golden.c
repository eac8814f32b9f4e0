/*
 * test_golden.c — the golden fixtures written for humeur:
 *   tests/data/sentiment_{en,fr}.tsv   expect (+/-), tag, text: the sign of the
 *       score of the lexicon-and-rules scorer, case by case; the default blend
 *       must agree on at least 85% of them.
 *   tests/data/categories_{en,fr}.jsonl, the development fixtures
 *       categories_dev_{en,fr}.jsonl to categories_dev8_{en,fr}.jsonl, the French
 *       categories_dev9_fr.jsonl, the English categories_dev10_en.jsonl,
 *       categories_dev11_{en,fr}.jsonl, and the held-out
 *       categories_holdout_{en,fr}.jsonl and categories_holdout2_{en,fr}.jsonl:
 *       complaint and categories per post;
 *       per-category and micro P/R/F1 are printed; the test asserts regression
 *       floors (FIXTURE_SETS), below the goals tracked in bench/RESULTS.md.
 * Cases listed in tests/data/known_failures.tsv are reported as skipped with
 * their reason (they must still fail: a fixed case must leave the list).
 * Uses only humeur.h; the JSONL reader is a minimal one for these fixtures.
 */
#include "humeur.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DATA_DIR
#define DATA_DIR "tests/data"
#endif

static hm_analyzer *A;

/* Regression floors of the category fixtures, a little under what they
 * measure (humeur eval --task categories / --task complaint FILE): the goal
 * is micro-F1 0.85 and no category under 0.70.  The cue files were written
 * looking at categories_{en,fr}.jsonl: micro-F1 0.93 en / 0.92 fr, lowest
 * category 0.82, complaint accuracy 0.92 / 0.91.  The held-out fixtures
 * (categories_holdout_*.jsonl, written without looking at the cues, never
 * used to write them) measure micro-F1 0.81 en / 0.78 fr, lowest category
 * 0.63 en delivery / 0.53 fr wait_time, complaint accuracy 0.82 / 0.83
 * (0.79 / 0.76 and 0.53 / 0.53 before the complaint decision weighed the
 * positive probability less and damped requests for information).  The
 * development fixtures (categories_dev_*.jsonl, 270 posts per language
 * written before reading the cue files, then used to tune them) measure
 * micro-F1 0.94 en / 0.93 fr, lowest category 0.83, complaint accuracy 0.97.
 * The second development set (categories_dev2_*.jsonl, about 150 posts per
 * language with more delivery, wait_time and staffing posts) measured
 * micro-F1 0.83 en / 0.86 fr before the cues were tuned on it, 0.91 en /
 * 0.94 fr after, lowest category 0.86, complaint accuracy 0.95 / 0.98.
 * The third (categories_dev3_*.jsonl, 108 posts per language) measured
 * 0.84 en / 0.84 fr before the complaint decision and the cues were tuned on
 * it, 0.89 / 0.88 after, lowest category 0.80, complaint accuracy 0.94 /
 * 0.90.  The fourth (categories_dev4_*.jsonl, 60 posts per language of plain
 * problem reports, written after that round and used to change nothing)
 * measures micro-F1 0.66 en / 0.66 fr (0.61 / 0.62 before that round),
 * complaint recall 0.58 / 0.70: most of its complaints carry neither a
 * sentiment word nor a cue.  The fifth (categories_dev5_*.jsonl, 49 posts
 * per language, more en delivery and fr wait_time and staffing) measured
 * 0.46 en / 0.60 fr before the cues were tuned on it, 0.90 / 0.90 after,
 * lowest category 0.67, complaint accuracy 0.96 / 0.94; the fourth did not
 * move.  The sixth (categories_dev6_*.jsonl, 26 en / 28 fr posts aimed at the
 * weakest held-out categories, en delivery and fr wait_time, with praise and
 * neutral questions, written without reading the cue files and used to change
 * nothing) measures micro-F1 0.77 en / 0.74 fr (en delivery 0.87, fr
 * wait_time 0.77: recall 0.62, half of its misses not judged complaints),
 * complaint accuracy 0.85 / 0.86.  The seventh (categories_dev7_*.jsonl, 118 en
 * / 111 fr posts over all ten categories, more en delivery, wait_time and
 * incompetence and fr wait_time, staffing and incompetence, a fifth hard
 * negatives, written without reading the cue files) measured micro-F1 0.80 en /
 * 0.83 fr (recall 0.73 / 0.78) before the cues were generalized on the misses
 * of it and the earlier sets (durations, promised dates long past, the only
 * agent, misinformation, the wrong dose or date...), 0.92 / 0.93 after, lowest
 * category 0.85, complaint accuracy 0.97 / 0.98; dev6 then measured 0.84 /
 * 0.98 and dev4 0.96 / 0.90.  The first held-out set then measured 0.83 en /
 * 0.80 fr, but four of its posts had been quoted as examples of misses to the
 * writer of those cues: it is no longer blind.  The second held-out set
 * (categories_holdout2_*.jsonl, 150 posts per language, written blind: without
 * the cue files, the fixtures or the engine, and committed before that cue
 * work was merged) measured 0.82 en / 0.77 fr before it and 0.83 / 0.80 after,
 * lowest category 0.55 en wait_time / 0.63 fr rudeness, complaint accuracy
 * 0.85 / 0.83.  The eighth (categories_dev8_*.jsonl, 134 posts per language
 * aimed at those weak spots: about 30 en wait_time, 27 fr rudeness, 25 fr
 * wait_time, 17 en delivery and 17 fr incompetence, a fifth hard negatives,
 * written before reading the cue files) measured micro-F1 0.80 en / 0.88 fr
 * (recall 0.76 / 0.85), complaint accuracy 0.85 / 0.92 before the cues were
 * generalized on its misses (a line judged long or absurd, N minutes and
 * counting, booked or checked-in time against boarding time, told it was my
 * fault, a door shut in the face, a staff noun with a harsh word, ça fait N
 * minutes, un temps fou...), 0.93 / 0.95 after, lowest category 0.74 en
 * digital / 0.82 fr product_quality, complaint accuracy 0.97 / 0.99.  The
 * second held-out set, read once after that merge: 0.85 en / 0.81 fr, lowest
 * category 0.61 en wait_time / 0.70 fr wait_time and rudeness, complaint
 * accuracy 0.87 / 0.83 (its floors raised to match).  The ninth, French only
 * (categories_dev9_fr.jsonl, 68 posts, informal and Québec forms, written before
 * reading the cue files), measured 0.91 before the cues generalized from its
 * misses and 0.95 after (lowest category product_quality 0.57, 3 posts;
 * complaint accuracy 0.97); the second held-out set's French figure stayed at
 * 0.81.  The tenth, English only (categories_dev10_en.jsonl, 136 posts weighted
 * to wait_time with time-mention hard negatives, incompetence, no_response and
 * delivery, written before reading the cue files), measured 0.81 before the
 * cues generalized from its misses and 0.97 after (complaint accuracy 0.81 ->
 * 0.99; lowest category product_quality 0.82); the second held-out set's
 * English figure stayed at 0.85, every category unchanged.  The eleventh
 * (categories_dev11_{en,fr}.jsonl, 140 posts per language weighted to the
 * weakest held-out categories, a fifth hard negatives, written blind) measured
 * 0.79 en / 0.83 fr before the cues generalized from its misses and 0.97 /
 * 0.98 after (lowest category no_response 0.88 / 0.95; complaint accuracy
 * 0.97 / 0.98); the second held-out set then read 0.85 en / 0.81 fr, as
 * before the round (0.85 / 0.82). */
typedef struct floors { double micro, category, complaint_acc; } floors;
enum { EN = 1, FR = 2, BOTH = 3 };
/* each fixture set (tests/data/categories_SET_LANG.jsonl) with its floors */
static const struct fixture_set {
    const char *set; /* "" for the fixtures the cues were written from */
    floors fl;
    int langs; /* the set's files: EN, FR or both */
} FIXTURE_SETS[] = {
    {"", {0.90, 0.75, 0.88}, BOTH},        {"dev", {0.88, 0.72, 0.90}, BOTH},
    {"dev2", {0.89, 0.80, 0.92}, BOTH},    {"dev3", {0.86, 0.75, 0.88}, BOTH},
    {"dev4", {0.62, 0.0, 0.68}, BOTH},     {"dev5", {0.86, 0.60, 0.90}, BOTH},
    {"dev6", {0.70, 0.0, 0.80}, BOTH},     {"dev7", {0.88, 0.75, 0.92}, BOTH},
    {"dev8", {0.90, 0.70, 0.94}, BOTH},    {"dev9", {0.92, 0.50, 0.94}, FR},
    {"dev10", {0.94, 0.75, 0.95}, EN},    {"dev11", {0.94, 0.80, 0.95}, BOTH},
    {"holdout", {0.74, 0.45, 0.77}, BOTH}, {"holdout2", {0.80, 0.55, 0.80}, BOTH},
};

typedef struct kf {
    char *key;
    int used;
} kf;
static kf known[512];
static int nknown;

static void load_known(void)
{
    FILE *f = fopen(DATA_DIR "/known_failures.tsv", "r");
    if (!f)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f) && nknown < 512) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = 0;
        char *tab = strchr(line, '\t'); /* key<TAB>reason */
        if (tab)
            *tab = 0;
        known[nknown++].key = strdup(line);
    }
    fclose(f);
}

static int is_known(const char *key)
{
    for (int i = 0; i < nknown; i++)
        if (!strcmp(known[i].key, key)) {
            known[i].used = 1;
            return 1;
        }
    return 0;
}

static int blend_agree, blend_total;

static void sentiment_file(const char *path, int lang, int *npass, int *nfail)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f)
        return;
    char line[8192];
    int header = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#' || !line[0])
            continue;
        if (!header) {
            header = 1;
            continue;
        }
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || !t2) {
            CHECK(0, "%s: malformed line: %s", path, line);
            continue;
        }
        *t1 = *t2 = 0;
        const char *exp = line, *tag = t1 + 1, *text = t2 + 1;
        hm_result r;
        hm_options ob = {lang, 0};
        if (hm_analyze_ex(A, text, strlen(text), &ob, &r) == 0) {
            blend_total++;
            blend_agree += (exp[0] == '+' && r.score > 0) || (exp[0] == '-' && r.score < 0);
        }
        hm_options o = {lang, HM_SCORER_LEXICON};
        int rc = hm_analyze_ex(A, text, strlen(text), &o, &r);
        int ok = rc == 0 && ((exp[0] == '+' && r.score > 0) || (exp[0] == '-' && r.score < 0));
        char key[4200];
        snprintf(key, sizeof key, "%s", text);
        if (!ok && is_known(key)) {
            t_skip++;
            continue;
        }
        if (ok && is_known(key)) {
            CHECK(0, "listed in known_failures.tsv but passes now, remove it: %s", text);
            continue;
        }
        *npass += ok;
        *nfail += !ok;
        CHECK(ok, "[%s %s] score %+.3f: %s", exp, tag, r.score, text);
    }
    fclose(f);
}

/* ---- a minimal reader for the fixture JSONL (string, bool and string arrays) ---- */

static const char *jfield(const char *line, const char *name)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", name);
    const char *p = strstr(line, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    return p;
}

static char *jstring(const char *p)
{
    if (!p || *p != '"')
        return NULL;
    p++;
    char *out = malloc(strlen(p) + 1), *w = out;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1]) {
            p++;
            switch (*p) {
            case 'n': *w++ = '\n'; break;
            case 't': *w++ = '\t'; break;
            case 'u': { /* BMP escapes only, as the fixtures use */
                unsigned cp = (unsigned)strtoul((char[5]){p[1], p[2], p[3], p[4], 0}, NULL, 16);
                p += 4;
                if (cp < 0x80) *w++ = (char)cp;
                else if (cp < 0x800) { *w++ = (char)(0xC0 | cp >> 6); *w++ = (char)(0x80 | (cp & 63)); }
                else { *w++ = (char)(0xE0 | cp >> 12); *w++ = (char)(0x80 | ((cp >> 6) & 63)); *w++ = (char)(0x80 | (cp & 63)); }
                break;
            }
            default: *w++ = *p;
            }
            p++;
            continue;
        }
        *w++ = *p++;
    }
    *w = 0;
    return out;
}

#define NCAT 10
static const char *const cats[NCAT] = {"wait_time", "rudeness", "no_response", "incompetence",
                                       "product_quality", "price_billing", "delivery", "digital",
                                       "refund", "staffing"};

static void categories_file(const char *path, int lang, const char *lname, const floors *fl)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f)
        return;
    long tp[NCAT] = {0}, fp[NCAT] = {0}, fn[NCAT] = {0};
    long ctp = 0, cfp = 0, cfn = 0, ctn = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        char *text = jstring(jfield(line, "text"));
        const char *cp = jfield(line, "complaint");
        const char *cl = jfield(line, "categories");
        if (!text || !cp || !cl) {
            free(text);
            continue;
        }
        int gold_c = strncmp(cp, "true", 4) == 0;
        const char *ce = strchr(cl, ']');
        hm_result r;
        hm_options o = {lang, 0};
        hm_analyze_ex(A, text, strlen(text), &o, &r);
        ctp += gold_c && r.complaint;
        cfp += !gold_c && r.complaint;
        cfn += gold_c && !r.complaint;
        ctn += !gold_c && !r.complaint;
        for (int k = 0; k < NCAT; k++) {
            char q[40];
            snprintf(q, sizeof q, "\"%s\"", cats[k]);
            const char *hit = strstr(cl, q);
            int g = hit && ce && hit < ce;
            int p = 0;
            for (size_t j = 0; j < r.ncategories; j++)
                if (!strcmp(r.categories[j].id, cats[k]))
                    p = 1;
            tp[k] += g && p;
            fp[k] += !g && p;
            fn[k] += g && !p;
            if (getenv("HM_GOLDEN_VERBOSE") && g != p)
                fprintf(stderr, "%s %s %s: %s\n", lname, g ? "missed" : "spurious", cats[k], text);
        }
        free(text);
    }
    free(line);
    fclose(f);
    long T = 0, F = 0, N = 0;
    for (int k = 0; k < NCAT; k++) {
        T += tp[k];
        F += fp[k];
        N += fn[k];
        double P = tp[k] + fp[k] ? (double)tp[k] / (double)(tp[k] + fp[k]) : 0;
        double R = tp[k] + fn[k] ? (double)tp[k] / (double)(tp[k] + fn[k]) : 0;
        double F1 = P + R > 0 ? 2 * P * R / (P + R) : 0;
        printf("  %s %-16s P %.3f R %.3f F1 %.3f\n", lname, cats[k], P, R, F1);
        CHECK(F1 >= fl->category, "%s category %s F1 %.3f < %.2f", lname, cats[k], F1,
              fl->category);
    }
    double P = T + F ? (double)T / (double)(T + F) : 0, R = T + N ? (double)T / (double)(T + N) : 0;
    double micro = P + R > 0 ? 2 * P * R / (P + R) : 0;
    double cP = ctp + cfp ? (double)ctp / (double)(ctp + cfp) : 0;
    double cR = ctp + cfn ? (double)ctp / (double)(ctp + cfn) : 0;
    printf("  %s categories micro P %.3f R %.3f F1 %.3f; complaint P %.3f R %.3f accuracy %.3f\n",
           lname, P, R, micro, cP, cR,
           (double)(ctp + ctn) / (double)(ctp + cfp + cfn + ctn ? ctp + cfp + cfn + ctn : 1));
    CHECK(micro >= fl->micro, "%s categories micro-F1 %.3f < %.2f", lname, micro, fl->micro);
    double cacc = (double)(ctp + ctn) / (double)(ctp + cfp + cfn + ctn ? ctp + cfp + cfn + ctn : 1);
    CHECK(cacc >= fl->complaint_acc, "%s complaint accuracy %.3f < %.2f", lname, cacc,
          fl->complaint_acc);
}

int main(void)
{
    hm_status st;
    hm_engine *e = hm_engine_open(NULL, &st);
    CHECK(e != NULL, "engine: %s", e ? "" : st.message);
    if (!e)
        return tap_done("golden");
    A = hm_analyzer_new(e, &st);
    load_known();
    int p = 0, f = 0;
    sentiment_file(DATA_DIR "/sentiment_en.tsv", HM_LANG_EN, &p, &f);
    printf("  sentiment en: %d passed, %d failed\n", p, f);
    int p2 = 0, f2 = 0;
    sentiment_file(DATA_DIR "/sentiment_fr.tsv", HM_LANG_FR, &p2, &f2);
    printf("  sentiment fr: %d passed, %d failed\n", p2, f2);
    printf("  sentiment, default blend: %d of %d agree\n", blend_agree, blend_total);
    CHECK(blend_agree >= blend_total * 85 / 100, "blend agrees on %d of %d golden cases (< 85%%)",
          blend_agree, blend_total);
    for (size_t k = 0; k < sizeof FIXTURE_SETS / sizeof *FIXTURE_SETS; k++)
        for (int l = 0; l < 2; l++) {
            const struct fixture_set *fs = &FIXTURE_SETS[k];
            if (!(fs->langs & (l ? FR : EN)))
                continue;
            const char *lang = l ? "fr" : "en";
            char path[512], name[32];
            snprintf(path, sizeof path, "%s/categories_%s%s%s.jsonl", DATA_DIR, fs->set,
                     *fs->set ? "_" : "", lang);
            snprintf(name, sizeof name, "%s%s%s", lang, *fs->set ? " " : "",
                     strcmp(fs->set, "holdout") ? fs->set : "held-out");
            categories_file(path, l ? HM_LANG_FR : HM_LANG_EN, name, &fs->fl);
        }
    for (int i = 0; i < nknown; i++) {
        CHECK(known[i].used, "known failure not found or now passing: %s", known[i].key);
        free(known[i].key);
    }
    hm_analyzer_free(A);
    hm_engine_close(e);
    return tap_done("golden");
}
