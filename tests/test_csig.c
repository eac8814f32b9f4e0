/*
 * test_csig.c — the complaint signals the complaint blend reads besides the
 * models' scores (hm_complaint_signals): a question, a customer-service
 * account addressed, any @mention, the problem-report words counted (verbs of
 * functioning when negated, problem nouns unless negated); and the
 * feature of the account an @mention addresses, which the heads read.
 */
#include "internal.h"
#include "tap.h"

#include <string.h>

static void signals(hm_analyzer *a, const char *text, hm_csig *cs)
{
    hm_result r;
    int rc = hm_analyze(a, text, strlen(text), &r);
    CHECK(rc == 0, "analyze: %s", hm_strerror(rc));
    hm_complaint_signals(a->e, &a->tb, a->lang, cs);
}

/* The post's features as the models read them (unique, sorted). */
static size_t feats(hm_analyzer *a, const char *text, uint64_t *out, size_t cap)
{
    hm_result r;
    int rc = hm_analyze(a, text, strlen(text), &r);
    CHECK(rc == 0, "analyze: %s", hm_strerror(rc));
    rc = hm_features(a, &a->fb);
    CHECK(rc == 0, "features: %s", hm_strerror(rc));
    size_t n = hm_features_unique(a->fb.f, a->fb.n);
    if (n > cap)
        n = cap;
    memcpy(out, a->fb.f, n * sizeof *out);
    return n;
}

/* How many features of x are not in y (both sorted). */
static size_t only_in(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny)
{
    size_t k = 0, j = 0;
    for (size_t i = 0; i < nx; i++) {
        while (j < ny && y[j] < x[i])
            j++;
        k += j == ny || y[j] != x[i];
    }
    return k;
}

static void test_handle_feature(void)
{
    hm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.no_models = 1;
    hm_status st;
    hm_engine *e = hm_engine_open(&cfg, &st);
    CHECK(e != NULL, "engine open: %s", st.message);
    hm_analyzer *a = e ? hm_analyzer_new(e, &st) : NULL;
    CHECK(a != NULL, "analyzer: %s", st.message);
    if (!a) {
        hm_engine_close(e);
        return;
    }
    uint64_t f1[64], f2[64], f3[64], f4[64], f5[64], f6[64];
    size_t n1 = feats(a, "@AmazonHelp where is my parcel", f1, 64);
    /* the trigrams come last, the complaint head's alone */
    size_t nc1 = a->fb.nc;
    CHECK(nc1 == 10, "the complaint head's own features: %zu, 10 expected", nc1);
    size_t n2 = feats(a, "@JaneDoe where is my parcel", f2, 64);
    size_t n3 = feats(a, "@amazonhelp where is my parcel", f3, 64);
    size_t n4 = feats(a, "where is my parcel", f4, 64);
    size_t n5 = feats(a, "@AmazonSupport where is my parcel", f5, 64);
    size_t n6 = feats(a, "@abcdefghijklmnopqrstuvwxyz where is my parcel", f6, 64);
    /* a mention adds "@", its bigram, its account and the letter trigrams of
     * its handle, ends marked: "^am", "ama", ... "lp$" (10 for "amazonhelp") */
    CHECK(n1 == n4 + 3 + 10 && only_in(f4, n4, f1, n1) == 0,
          "a mention adds \"@\", its bigram, its account and 10 trigrams: %zu vs %zu features",
          n1, n4);
    /* two accounts with no trigram in common: the account and its trigrams
     * apart (7 for "janedoe"), the "@" and its bigram shared */
    CHECK(n2 == n4 + 3 + 7 && only_in(f1, n1, f2, n2) == 1 + 10 &&
              only_in(f2, n2, f1, n1) == 1 + 7,
          "accounts: %zu / %zu features, %zu and %zu apart", n1, n2, only_in(f1, n1, f2, n2),
          only_in(f2, n2, f1, n1));
    /* an account never seen shares the trigrams of those it looks like:
     * "^am ama maz azo zon" of amazonhelp and amazonsupport */
    CHECK(n5 == n4 + 3 + 13 && only_in(f1, n1, f5, n5) == 1 + 5,
          "amazonhelp and amazonsupport share 5 trigrams: %zu apart", only_in(f1, n1, f5, n5));
    CHECK(n1 == n3 && only_in(f1, n1, f3, n3) == 0, "an account's case does not matter");
    /* the first 16 letters of a handle only */
    CHECK(n6 == n4 + 3 + 16, "a long handle gives 16 trigrams: %zu vs %zu features", n6, n4);
    hm_analyzer_free(a);
    hm_engine_close(e);
}

int main(void)
{
    test_handle_feature();
    hm_status st;
    hm_engine *e = hm_engine_open(NULL, &st);
    CHECK(e != NULL, "engine open: %s", st.message);
    if (!e)
        return tap_done("csig");
    hm_analyzer *a = hm_analyzer_new(e, &st);
    CHECK(a != NULL, "analyzer: %s", st.message);
    if (!a) {
        hm_engine_close(e);
        return tap_done("csig");
    }
    hm_csig cs;
    signals(a, "@AmazonHelp my parcel is STILL not here, again. Why?", &cs);
    CHECK(cs.support && cs.mention && cs.question, "support %d mention %d question %d",
          cs.support, cs.mention, cs.question);
    CHECK(cs.problem == 2, "problem words %d (still, again)", cs.problem);

    signals(a, "@janedoe lovely evening with you", &cs);
    CHECK(!cs.support && cs.mention && !cs.question && cs.problem == 0,
          "support %d mention %d question %d problem %d", cs.support, cs.mention, cs.question,
          cs.problem);

    signals(a, "Internet down for days, no refund #fail", &cs);
    CHECK(!cs.mention && cs.problem >= 3, "mention %d problem %d", cs.mention, cs.problem);

    /* the problem words counted: a verb of functioning when negated (before
     * or after it), a problem noun unless negated, "never" itself */
    static const struct {
        const char *text;
        int problem;
        const char *why;
    } counts[] = {
        {"Still waiting, the app fails again with an error", 5, "still, waiting, fails, again, error"},
        {"The app doesn't load and my card still hasn't arrived", 3,
         "load and arrived negated, still"},
        {"The app loads fine and my card arrived", 0, "nothing negated"},
        {"It won't turn on, and the app is not working again", 2, "working negated, again"},
        {"Never had a problem with them, no issues at all", 1, "never; problem and issues negated"},
        {"Same problem with the update. Issues everywhere", 2, "problem, issues"},
    };
    for (size_t k = 0; k < sizeof counts / sizeof *counts; k++) {
        signals(a, counts[k].text, &cs);
        CHECK(cs.problem == counts[k].problem, "\"%s\": problem words %d, expected %d (%s)",
              counts[k].text, cs.problem, counts[k].problem, counts[k].why);
    }

    signals(a, "", &cs);
    CHECK(!cs.support && !cs.mention && !cs.question && !cs.problem, "empty post: no signal");

    hm_analyzer_free(a);
    hm_engine_close(e);
    return tap_done("csig");
}
