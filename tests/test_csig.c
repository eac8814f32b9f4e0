/*
 * test_csig.c — the complaint signals the complaint blend reads besides the
 * models' scores (hm_complaint_signals): a question, a customer-service
 * account addressed, any @mention, the problem-report words counted.
 */
#include "internal.h"
#include "tap.h"

#include <string.h>

static void signals(hm_analyzer *a, const char *text, hm_csig *cs)
{
    hm_result r;
    int rc = hm_analyze(a, text, strlen(text), &r);
    CHECK(rc == 0, "analyze: %s", hm_strerror(rc));
    hm_complaint_signals(a->e, &a->tb, cs);
}

int main(void)
{
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

    signals(a, "Still waiting, the app fails again with an error", &cs);
    CHECK(cs.problem == 5, "problem words %d (still, waiting, fails, again, error)", cs.problem);

    signals(a, "", &cs);
    CHECK(!cs.support && !cs.mention && !cs.question && !cs.problem, "empty post: no signal");

    hm_analyzer_free(a);
    hm_engine_close(e);
    return tap_done("csig");
}
