/*
 * fuzz_lexicon.c — libFuzzer harness: lexicon and category files.
 *
 * The input (after byte 0) is written as one lexicon file into a private
 * temporary directory laid out like lexicons/, then hm_engine_open() loads
 * that directory.  Byte 0:
 *   bits 0-1  which file: en/valence.tsv, en/modifiers.tsv, fr/valence.tsv,
 *             categories/x.tsv
 *   bit  2    also write a small valid emoji.tsv next to it
 *   bit  3    also write a small valid categories/wait_time.tsv next to it
 *   bit  4    tidy layout: only the subdirectories that hold a file, and a comment-only
 *             00-fill.tsv at the top when there is no emoji.tsv; else (as in a copy of
 *             lexicons/) en/, fr/ and categories/ always exist, maybe empty
 * hm_engine_open must either succeed — then the engine analyses a fixed French
 * sentence, a fixed English one, and the file's own text (so that the terms it
 * defines are met), every result checked as in fuzz_analyze — or fail with an
 * HM_E* code and a message.  Never crash; LeakSanitizer checks both paths.
 */
#include "humeur.h"
#include "fuzzresult.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char g_dir[64];
static const char *const g_targets[4] = {"en/valence.tsv", "en/modifiers.tsv", "fr/valence.tsv",
                                         "categories/x.tsv"};
static const char *const g_extra[2] = {"emoji.tsv", "categories/wait_time.tsv"};
static const char *const g_extra_data[2] = {
    "term\tvalence\n:)\t2\n\xF0\x9F\x98\xA1\t-3\n",
    "kind\tlang\tpattern\tweight\nstem\tfr\tattente\t1\nphrase\ten\ton hold\t1\n"
    "regex\t*\t\\b\\d+ ?(h|min)\\b\t0.5\n"};

static void path_of(char *buf, size_t cap, const char *rel)
{
    snprintf(buf, cap, "%s/%s", g_dir, rel);
}

static void cleanup(void)
{
    char p[256];
    for (int i = 0; i < 4; i++) {
        path_of(p, sizeof p, g_targets[i]);
        unlink(p);
    }
    for (int i = 0; i < 2; i++) {
        path_of(p, sizeof p, g_extra[i]);
        unlink(p);
    }
    path_of(p, sizeof p, "00-fill.tsv");
    unlink(p);
    const char *subs[] = {"en", "fr", "categories"};
    for (int i = 0; i < 3; i++) {
        path_of(p, sizeof p, subs[i]);
        rmdir(p);
    }
    rmdir(g_dir);
}

static void init(void)
{
    if (g_dir[0])
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/humeur-fuzzlex.XXXXXX", tmp && strlen(tmp) < 30 ? tmp : "/tmp");
    FZ_CHECK(mkdtemp(g_dir), "mkdtemp %s failed", g_dir);
    atexit(cleanup);
}

static void make_subdir(const char *rel)
{
    const char *slash = strchr(rel, '/');
    if (!slash)
        return;
    char sub[64], p[256];
    snprintf(sub, sizeof sub, "%.*s", (int)(slash - rel), rel);
    path_of(p, sizeof p, sub);
    FZ_CHECK(mkdir(p, 0700) == 0 || errno == EEXIST, "mkdir %s failed", p);
}

static void write_file(const char *rel, const void *d, size_t n)
{
    char p[256];
    make_subdir(rel);
    path_of(p, sizeof p, rel);
    FILE *f = fopen(p, "wb");
    FZ_CHECK(f, "cannot create %s", p);
    FZ_CHECK(fwrite(d, 1, n, f) == n, "cannot write %s", p);
    FZ_CHECK(fclose(f) == 0, "cannot close %s", p);
}

static void remove_file(const char *rel)
{
    char p[256];
    path_of(p, sizeof p, rel);
    unlink(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    if (size == 0)
        return 0;
    unsigned opt = data[0];
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    for (int i = 0; i < 4; i++)
        remove_file(g_targets[i]);
    for (int i = 0; i < 2; i++)
        remove_file(g_extra[i]);
    int tidy = opt & 16;
    static const char *const subs[] = {"en", "fr", "categories"};
    for (int i = 0; i < 3; i++) {
        char p[256];
        path_of(p, sizeof p, subs[i]);
        if (tidy)
            rmdir(p); /* only the subdirectories that will hold a file */
        else
            make_subdir(g_targets[i == 0 ? 0 : i == 1 ? 2 : 3]);
    }
    write_file(g_targets[opt & 3], body, len);
    for (int i = 0; i < 2; i++)
        if (opt & (4u << i))
            write_file(g_extra[i], g_extra_data[i], strlen(g_extra_data[i]));
    remove_file("00-fill.tsv");
    if (tidy && !(opt & 4)) /* no empty directory: the root needs a .tsv file too */
        write_file("00-fill.tsv", "# empty\n", 8);

    hm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.lexicon_dir = g_dir;
    cfg.no_models = 1;
    hm_status st;
    memset(&st, 0x55, sizeof st); /* the library must fill it in */
    hm_engine *e = hm_engine_open(&cfg, &st);
    if (!e) {
        FZ_CHECK(st.code >= HM_ENOMEM && st.code <= HM_EDATA, "failure with status code %d",
                 st.code);
        FZ_CHECK(memchr(st.message, 0, sizeof st.message), "status message not terminated");
        FZ_CHECK(st.message[0], "failure (code %d) with an empty message", st.code);
        return 0;
    }
    FZ_CHECK(st.code == 0, "success with status code %d", st.code);
    const char *const *ids = NULL;
    size_t nc = hm_engine_categories(e, &ids);
    for (size_t i = 0; i < nc; i++)
        FZ_CHECK(ids && ids[i] && ids[i][0], "category %zu has no id", i);
    hm_analyzer *a = hm_analyzer_new(e, &st);
    FZ_CHECK(a, "hm_analyzer_new: %s", st.message);
    static const char fr[] =
        "Ça fait 2h qu'on attend, le service est nul!!! Pas mal quand même, merci :) \xF0\x9F\x98\xA1";
    static const char en[] = "Not bad at all, but we waited 45 min on hold. NEVER again :(";
    size_t n = len > 512 ? 512 : len;
    hm_options o;
    memset(&o, 0, sizeof o);
    fz_analyze_check(a, fr, sizeof fr - 1, &o, 0, NULL);
    fz_analyze_check(a, en, sizeof en - 1, &o, 0, NULL);
    o.lang = (opt & 2) ? HM_LANG_FR : HM_LANG_EN;
    fz_analyze_check(a, body, n, &o, 0, "1");
    hm_analyzer_free(a);
    hm_engine_close(e);
    return 0;
}
