/*
 * engine.c — the engine (immutable, shared) and the analyzer (per thread),
 * and the pipeline that ties the stages together:
 *   tokenize (with normalization) -> language id -> stem -> scorers -> result.
 * Results and their strings live in the analyzer until its next call.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* a post longer than this is analysed on its first 64 KiB (flagged truncated):
 * some 10,000 words, five times the longest post of every test set (13.7 KB);
 * the analysis holds about 80 bytes of heap per byte analysed, and 64 posts of
 * 250 KB of corpus reviews took 70 MB of RSS with 256 KiB, 48 MB with 64 KiB
 * (bench/RESULTS.md) */
#define DEFAULT_MAX_TEXT (64u << 10)

const char *hm_version(void) { return HM_VERSION_STRING; }

const char *hm_strerror(int code)
{
    switch (code) {
    case HM_OK: return "success";
    case HM_ENOMEM: return "out of memory";
    case HM_EINVAL: return "invalid argument";
    case HM_EIO: return "cannot read file";
    case HM_EFORMAT: return "malformed data file";
    case HM_EVERSION: return "unsupported model format version";
    case HM_ECHECKSUM: return "model checksum mismatch (corrupt file)";
    case HM_EPATTERN: return "invalid category pattern";
    case HM_ELIMIT: return "internal limit reached";
    case HM_EDATA: return "unusable training data";
    default: return "unknown error";
    }
}

const char *hm_polarity_name(int p)
{
    return p < 0 ? "negative" : p > 0 ? "positive" : "neutral";
}

/* ---------- sources from a directory ---------- */

typedef struct srclist {
    hm_source *v;
    size_t n, cap;
} srclist;

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int hm_read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return HM_EIO;
    hm_buf b = {0};
    char tmp[65536];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
        if (hm_buf_put(&b, tmp, k)) {
            fclose(f);
            hm_buf_free(&b);
            return HM_ENOMEM;
        }
    int err = ferror(f);
    fclose(f);
    if (err) {
        hm_buf_free(&b);
        return HM_EIO;
    }
    if (!b.p && hm_buf_put(&b, "", 0))
        return HM_ENOMEM;
    *data = b.p;
    *len = b.len;
    return 0;
}

static int add_dir(srclist *sl, const char *root, const char *sub, hm_status *st)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", root, *sub ? "/" : "", sub);
    DIR *d = opendir(path);
    if (!d)
        return *sub ? 0 : (hm_set_status(st, HM_EIO, "%s: %s", path, strerror(errno)), HM_EIO);
    char **names = NULL;
    size_t nn = 0, nc = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".tsv") || de->d_name[0] == '.')
            continue;
        if (nn == nc) {
            nc = nc ? nc * 2 : 16;
            char **nv = realloc(names, nc * sizeof *nv);
            if (!nv) { rc = HM_ENOMEM; break; }
            names = nv;
        }
        names[nn] = strdup(de->d_name);
        if (!names[nn]) { rc = HM_ENOMEM; break; }
        nn++;
    }
    closedir(d);
    if (!rc && nn)
        qsort(names, nn, sizeof *names, cmpstr);
    for (size_t i = 0; !rc && i < nn; i++) {
        if (sl->n + 2 > sl->cap) {
            sl->cap = sl->cap ? sl->cap * 2 : 16;
            hm_source *nv = realloc(sl->v, sl->cap * sizeof *nv);
            if (!nv) { rc = HM_ENOMEM; break; }
            sl->v = nv;
        }
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        char *data;
        size_t len;
        rc = hm_read_file(full, &data, &len);
        if (rc) {
            hm_set_status(st, rc, "%s: %s", full, rc == HM_EIO ? strerror(errno) : hm_strerror(rc));
            break;
        }
        char *nm = malloc(strlen(full) + 1);
        if (!nm) { free(data); rc = HM_ENOMEM; break; }
        strcpy(nm, full);
        sl->v[sl->n].name = nm;
        sl->v[sl->n].data = data;
        sl->v[sl->n].len = len;
        sl->n++;
        sl->v[sl->n].name = NULL;
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    return rc;
}

static void free_srclist(srclist *sl)
{
    for (size_t i = 0; i < sl->n; i++) {
        free((char *)sl->v[i].name);
        free((char *)sl->v[i].data);
    }
    free(sl->v);
}

/* ---------- engine ---------- */

/* Models: files given in the configuration (checked: size, checksum), else the
 * embedded defaults (compiled in; only their header is checked). */
static int load_models(hm_engine *e, const hm_config *cfg, hm_status *st)
{
    if (cfg->model_files && cfg->nmodel_files) {
        for (size_t i = 0; i < cfg->nmodel_files; i++) {
            hm_model m;
            if (!cfg->model_files[i]) {
                hm_set_status(st, HM_EINVAL, "model file %zu is NULL", i);
                return HM_EINVAL;
            }
            int rc = hm_model_open_file(&m, cfg->model_files[i], st);
            if (rc)
                return rc;
            if (e->has_model[m.lang])
                hm_model_close(&e->models[m.lang]);
            e->models[m.lang] = m;
            e->has_model[m.lang] = 1;
        }
        return 0;
    }
    for (size_t i = 0; hm_embedded_models[i].name; i++) {
        hm_model m;
        int rc = hm_model_bind(&m, (const unsigned char *)hm_embedded_models[i].data,
                               hm_embedded_models[i].len, 0, hm_embedded_models[i].name, st);
        if (rc)
            return rc;
        e->models[m.lang] = m;
        e->has_model[m.lang] = 1;
    }
    return 0;
}

/* Whether a handle (lower case) holds a part of customer-service account
 * names: help, support, care, serv, ask, customer (@AmazonHelp,
 * @AskPlayStation, @AdobeCare, @hm_custserv, @LenovoSupport).  A post
 * addressed to one is more often a complaint (complaints-twitter train: 60%
 * against 26%).  One pass; a compare only where a part's first letter stands. */
static int support_handle(const char *w)
{
    for (; *w; w++) {
        switch (*w) {
        case 'h': if (!strncmp(w, "help", 4)) return 1; break;
        case 's': if (!strncmp(w, "serv", 4) || !strncmp(w, "support", 7)) return 1; break;
        case 'c': if (!strncmp(w, "care", 4) || !strncmp(w, "customer", 8)) return 1; break;
        case 'a': if (!strncmp(w, "ask", 3)) return 1; break;
        default: break;
        }
    }
    return 0;
}

/* How a word of the problem lists counts */
enum { PW_ALWAYS = 1, PW_UNNEGATED, PW_NEGATED };

/* Words of problem reports and of a wait that goes on (norms, English only:
 * the French words tried, "toujours", "panne", "attente"..., lowered the French
 * complaint dev F1 of star-labelled reviews): complaints-twitter train, posts of the industries: 85% of the
 * posts with one are complaints, 52% of the others.  Those of problem_states
 * count unless negated ("never had a problem", "no issues", "not late"). */
static const char *const problem_words[] = {
    "still", "again", "yet", "down", "fail", "failed", "fails", "refund", "waiting", "wait",
    "never", "hours", "days", "weeks", "charged", "cancelled", "canceled", "nothing"};
static const char *const problem_states[] = {
    "outage", "broken", "error", "issue", "issues", "problem", "problems", "late", "delayed",
    "delay", "worst", "unacceptable", "ridiculous", "disappointed", "terrible"};

/* Verbs of a service or a thing that does what it should (norms): negated,
 * they report a problem without a sentiment word ("the app doesn't load",
 * "my card still hasn't arrived"); counted with the problem words.  English
 * only, as the problem words: the French verbs ("ne fonctionne pas", "jamais
 * reçu"...) moved the French complaint dev F1 of star-labelled reviews
 * 0.9258 -> 0.9244 and no development fixture. */
static const char *const working_verbs[] = {
    "work", "works", "working", "worked", "function", "functioning", "load", "loads",
    "loading", "loaded", "connect", "connecting", "connected", "open", "opens", "opening",
    "arrive", "arrived", "arriving", "come", "came", "respond", "responded", "responding",
    "reply", "replied", "answer", "answered", "answering", "charge", "charging", "start",
    "starting", "started", "boot", "sync", "syncing", "print", "printing", "update",
    "updating", "updated", "receive", "received", "deliver", "delivered", "fix", "fixed",
    "resolve", "resolved", "refunded", "processed", "called"};

/* Is message m about one of the files of ex ("NAME:LINE: ...")? */
static int names_source(const char *m, const srclist *ex)
{
    for (size_t i = 0; i < ex->n; i++) {
        size_t n = strlen(ex->v[i].name);
        if (!strncmp(m, ex->v[i].name, n) && m[n] == ':')
            return 1;
    }
    return 0;
}

hm_engine *hm_engine_open(const hm_config *cfg, hm_status *st)
{
    hm_config zero;
    memset(&zero, 0, sizeof zero);
    if (!cfg)
        cfg = &zero;
    if (st) {
        st->code = 0;
        st->message[0] = 0;
    }
    hm_engine *e = calloc(1, sizeof *e);
    if (!e) {
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return NULL;
    }
    e->scorer = cfg->scorer;
    e->max_text = cfg->max_text_bytes ? cfg->max_text_bytes : DEFAULT_MAX_TEXT;
    if (e->max_text > (256u << 20))
        e->max_text = 256u << 20;
    int rc = hm_langid_build(&e->langfr, &e->langen);
#define PROBLEM_LIST(a, v) {a, sizeof a / sizeof *a, v}
    static const struct {
        const char *const *w;
        size_t n;
        uint32_t v; /* PW_* */
    } plists[] = {PROBLEM_LIST(problem_words, PW_ALWAYS), PROBLEM_LIST(problem_states, PW_UNNEGATED),
                  PROBLEM_LIST(working_verbs, PW_NEGATED)};
#undef PROBLEM_LIST
    for (size_t l = 0; l < sizeof plists / sizeof *plists; l++)
        for (size_t k = 0; !rc && k < plists[l].n; k++) {
            size_t n = strlen(plists[l].w[k]);
            uint64_t h = hm_hash(plists[l].w[k], n);
            hm_hfilter_add(e->problem_bits, HM_HFILTER_WORDS(e->problem_bits), h);
            rc = hm_map_put(&e->problem_words, plists[l].w[k], n, plists[l].v);
        }
    if (rc) {
        hm_set_status(st, rc, "out of memory");
        hm_engine_close(e);
        return NULL;
    }
    /* the category files of the extra folders, read after the lexicons' own */
    srclist ex = {0};
    for (size_t i = 0; !rc && i < cfg->ncategory_dirs; i++) {
        size_t n0 = ex.n;
        const char *dir = cfg->category_dirs ? cfg->category_dirs[i] : NULL;
        if (!dir) {
            hm_set_status(st, HM_EINVAL, "category folder %zu is NULL", i);
            rc = HM_EINVAL;
        } else if (!(rc = add_dir(&ex, dir, "", st)) && ex.n == n0) {
            hm_set_status(st, HM_EIO, "%s: no .tsv category file found", dir);
            rc = HM_EIO;
        }
    }
    const hm_source *extra = ex.n ? ex.v : NULL;
    if (!rc && cfg->lexicon_dir) {
        srclist sl = {0};
        const char *subs[] = {"", "en", "fr", "categories"};
        for (int i = 0; i < 4 && !rc; i++)
            rc = add_dir(&sl, cfg->lexicon_dir, subs[i], st);
        if (!rc && sl.n == 0) {
            hm_set_status(st, HM_EIO, "%s: no .tsv lexicon file found", cfg->lexicon_dir);
            rc = HM_EIO;
        }
        if (!rc) {
            /* loaders key language and kind on the path relative to the root */
            hm_source *rel = malloc((sl.n + 1) * sizeof *rel);
            if (!rel)
                rc = HM_ENOMEM;
            else {
                /* directory sources are named by full path (for messages); the
                 * loaders read language and kind off the path below the root */
                size_t rl = strlen(cfg->lexicon_dir);
                for (size_t i = 0; i < sl.n; i++) {
                    rel[i] = sl.v[i];
                    rel[i].name = sl.v[i].name + rl + 1;
                }
                rel[sl.n].name = NULL;
                rc = hm_lexicon_load(&e->lex, rel, e, st);
                if (!rc)
                    rc = hm_categories_load(&e->cats, rel, extra, 0, st);
                if (rc && st && st->message[0] && strncmp(st->message, cfg->lexicon_dir, rl) &&
                    !names_source(st->message, &ex)) {
                    char tmp[sizeof st->message + 4096];
                    int k = snprintf(tmp, sizeof tmp, "%s/%s", cfg->lexicon_dir, st->message);
                    size_t m = k < 0 ? 0 : (size_t)k;
                    if (m >= sizeof st->message)
                        m = sizeof st->message - 1;
                    memcpy(st->message, tmp, m);
                    st->message[m] = 0;
                }
                free(rel);
            }
        }
        free_srclist(&sl);
    } else if (!rc) {
        /* the tables the build loaded from the embedded files; the files
         * themselves if that snapshot does not fit.  Extra category files
         * join the snapshot's, and the prefilter's index is built anew. */
        const hm_source *snap = &hm_embedded_snapshot[0];
        if (!snap->name || hm_snapshot_load(e, snap->data, snap->len, NULL)) {
            hm_lexicon_free(&e->lex);
            hm_categories_free(&e->cats);
            rc = hm_lexicon_load(&e->lex, hm_embedded_lexicons, e, st);
            if (!rc)
                rc = hm_categories_load(&e->cats, hm_embedded_lexicons, extra, 1, st);
        } else if (extra) {
            rc = hm_categories_extend(&e->cats, extra, st);
        }
    }
    free_srclist(&ex);
    if (!rc) {
        /* from the files (the embedded snapshot carries them) */
        if (!e->lex.phrase_indexed)
            hm_lexicon_phrase_index(&e->lex);
        if (!e->cats.phrase_indexed)
            hm_categories_phrase_index(&e->cats);
    }
    if (!rc && !cfg->no_models)
        rc = load_models(e, cfg, st);
    if (rc) {
        if (st && !st->code)
            hm_set_status(st, rc, "%s", hm_strerror(rc));
        hm_engine_close(e);
        return NULL;
    }
    return e;
}

void hm_engine_close(hm_engine *e)
{
    if (!e)
        return;
    for (int l = 0; l < LANG_N; l++)
        if (e->has_model[l])
            hm_model_close(&e->models[l]);
    hm_lexicon_free(&e->lex);
    hm_categories_free(&e->cats);
    hm_map_free(&e->langfr);
    hm_map_free(&e->langen);
    hm_map_free(&e->problem_words);
    free(e);
}

size_t hm_engine_max_text(const hm_engine *e)
{
    return e ? e->max_text : 0;
}

size_t hm_engine_categories(const hm_engine *e, const char *const **ids)
{
    if (!e) {
        if (ids)
            *ids = NULL;
        return 0;
    }
    if (ids)
        *ids = (const char *const *)e->cats.ids;
    return e->cats.ncats;
}

/* ---------- analyzer ---------- */

hm_analyzer *hm_analyzer_new(const hm_engine *e, hm_status *st)
{
    if (!e) {
        hm_set_status(st, HM_EINVAL, "engine is NULL");
        return NULL;
    }
    hm_analyzer *a = calloc(1, sizeof *a);
    if (!a || hm_stem_init(&a->stem)) {
        free(a);
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return NULL;
    }
    a->e = e;
    if (hm_textbuf_cache(&a->tb) || hm_cat_state_init(&a->cat, &e->cats)) {
        hm_analyzer_free(a);
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return NULL;
    }
    return a;
}

void hm_analyzer_free(hm_analyzer *a)
{
    if (!a)
        return;
    hm_stem_free(&a->stem);
    hm_cat_state_free(&a->cat);
    hm_textbuf_free(&a->tb);
    free(a->ev);
    free(a->rev);
    hm_buf_free(&a->evtext);
    hm_buf_free(&a->ent);
    hm_buf_free(&a->entmap);
    free(a->ptoks);
    free(a->pcues);
    hm_buf_free(&a->json);
    free(a->fb.f);
    free(a->fb.tok);
    free(a->seen);
    free(a->seenslot);
    free(a->rcats);
    free(a);
}

static void neutral_result(hm_result *out)
{
    memset(out, 0, sizeof *out);
    out->lang = "und";
    out->probs[1] = 1.0;
    out->scorer = "lexicon";
}

static const char *lang_name(int l) { return l == LANG_FR ? "fr" : l == LANG_EN ? "en" : "und"; }

/* Lexicon-only probabilities: a fixed soft mapping of the score, used until
 * a calibrated blend is available. */
static void lexicon_probs(double score, int nhits, double p[3])
{
    double lpos = 4.0 * score, lneg = -4.0 * score;
    double lneu = nhits ? 0.6 - 3.0 * fabs(score) : 1.5;
    double m = fmax(lpos, fmax(lneg, lneu));
    double a = exp(lneg - m), b = exp(lneu - m), c = exp(lpos - m);
    double s = a + b + c;
    p[0] = a / s;
    p[1] = b / s;
    p[2] = c / s;
}

void hm_complaint_signals(const hm_engine *e, const hm_textbuf *tb, int lang, hm_csig *cs)
{
    memset(cs, 0, sizeof *cs);
    cs->question = (uint8_t)(tb->any_q != 0);
    uint32_t v;
    for (size_t i = 0; i < tb->ntoks; i++) {
        const tok *t = &tb->toks[i];
        if (t->type == HM_TOK_MENTION) {
            cs->mention = 1;
            if (!cs->support)
                cs->support = (uint8_t)support_handle(tb_str(tb, t->lower));
        } else if (t->type == HM_TOK_WORD && cs->problem < 8 &&
                   hm_hfilter_maybe(e->problem_bits, HM_HFILTER_WORDS(e->problem_bits), t->nh) &&
                   hm_map_get_h(&e->problem_words, tb_str(tb, t->norm), t->norm_len, t->nh, &v) &&
                   (v == PW_ALWAYS || (v == PW_NEGATED) ==
                        hm_tok_negated(tb, &e->lex, lang == LANG_FR ? LANG_FR : LANG_EN, i, 3, 2, 0))) {
            cs->problem++;
        }
    }
}

/* Openers of a request for information, as token norms ("est-ce que" is
 * "est ce que", "y a-t-il" is "y a t il"): a question that opens with one asks
 * rather than complains, though the complaint model reads the fee, the refund
 * or the wait it names ("Is there a fee for paying by card?", "Combien de
 * temps prend un remboursement ?").  "why", "how come" and "how can a..."
 * question a fault and are not here. */
static const char *const info_openers[] = {
    "how do", "how does", "how can i", "how long does", "how long do", "how long is",
    "how much", "how many", "how often", "what time", "what is", "what are", "is there",
    "is it possible", "are there", "are you", "can i", "can we", "can you", "can someone",
    "can anyone", "could i", "could you", "do you", "do i", "does", "where can", "where do",
    "when is", "when are", "when do", "when does", "which", "should i", "anyone know",
    "est ce que", "est ce qu'", "comment je", "comment j'", "comment on", "comment faire",
    "comment puis", "comment peut", "combien", "quel", "quelle", "quels", "quelles", "peut on",
    "puis je", "y a t il", "y a tu", "faut il", "ou puis", "ou peut", "quand est",
    "vous etes", "vous livrez", "vous acceptez", "vous prenez", "avez vous", "savez vous"};

/* Words a question may open with before its opener: greetings, "quick question". */
static int greeting(const char *w)
{
    static const char *const g[] = {"hi", "hello", "hey", "bonjour", "bonsoir", "salut",
                                    "allo", "quick", "question"};
    for (size_t k = 0; k < sizeof g / sizeof *g; k++)
        if (!strcmp(w, g[k]))
            return 1;
    return 0;
}

/* Whether the post is a question whose first words (after @mentions and a
 * greeting) are one of info_openers. */
int hm_info_question(const hm_textbuf *tb)
{
    if (!tb->any_q)
        return 0;
    size_t i = 0;
    while (i < tb->ntoks &&
           (tb->toks[i].type == HM_TOK_MENTION || tb->toks[i].type == HM_TOK_PUNCT ||
            (tb->toks[i].type == HM_TOK_WORD && greeting(tb_str(tb, tb->toks[i].norm)))))
        i++;
    /* its first four words, space-separated */
    char head[64];
    size_t n = 0;
    for (size_t w = 0; i < tb->ntoks && w < 4 && tb->toks[i].type == HM_TOK_WORD; i++, w++) {
        const tok *t = &tb->toks[i];
        if (n + t->norm_len + 2 > sizeof head)
            break;
        if (w)
            head[n++] = ' ';
        memcpy(head + n, tb_str(tb, t->norm), t->norm_len);
        n += t->norm_len;
    }
    head[n] = 0;
    for (size_t k = 0; n && k < sizeof info_openers / sizeof *info_openers; k++) {
        if (info_openers[k][0] != head[0])
            continue; /* most openers differ at their first letter */
        size_t m = strlen(info_openers[k]);
        if (m <= n && !memcmp(head, info_openers[k], m) && (head[m] == ' ' || head[m] == 0))
            return 1;
    }
    return 0;
}

/* Complaint probability without a trained complaint head: negative score and
 * category cues. */
static double complaint_rule(double score, double cue_total)
{
    double z = -4.0 * score + 0.8 * (cue_total > 3 ? 3 : cue_total) - 0.6;
    return 1.0 / (1.0 + exp(-z));
}

/* p grown to hold need elements of size bytes (doubling, from 32), *cap
 * updated; NULL when out of memory, p then left as it was.  need >= 1. */
static void *reserve(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap : 32;
    while (nc < need)
        nc *= 2;
    void *q = realloc(p, nc * size);
    if (q)
        *cap = nc;
    return q;
}

/* Copy evidence items into result memory (strings after all growth). */
static int materialize_evidence(hm_analyzer *a, size_t from, size_t to, size_t *first)
{
    size_t n = to - from;
    size_t base = a->nrev;
    if (base + n > a->revcap) { /* (reserve answers NULL for nothing reserved yet) */
        hm_evidence *r = reserve(a->rev, &a->revcap, base + n, sizeof *r);
        if (!r)
            return HM_ENOMEM;
        a->rev = r;
    }
    for (size_t i = 0; i < n; i++) {
        const ev_item *it = &a->ev[from + i];
        hm_evidence *r = &a->rev[base + i];
        r->start = hm_out_off(a, it->start);
        r->end = hm_out_off(a, it->end);
        r->weight = it->weight;
        r->rule = it->rule;
        size_t off = a->evtext.len;
        if (hm_utf8_sanitize(&a->evtext, a->text + r->start, r->end - r->start) ||
            hm_buf_putc(&a->evtext, 0))
            return HM_ENOMEM;
        r->text = (const char *)(uintptr_t)off; /* fixed up below */
    }
    a->nrev = base + n;
    *first = base;
    return 0;
}

/* The stages every scorer needs: tokens, language, stems, category cues, lexicon. */
int hm_pipeline(hm_analyzer *a, const char *text, size_t len, int forced, hm_lexscore *ls,
                double *conf)
{
    const hm_engine *e = a->e;
    /* the analysis reads the text with its HTML character references
     * decoded; evidence is copied from the caller's text */
    a->text = text;
    size_t k = hm_entities_decode(&a->ent, &a->entmap, text, len);
    if (k == (size_t)-1)
        return HM_ENOMEM;
    a->nent = k;
    if (k) {
        text = a->ent.p;
        len = a->ent.len;
    }
    a->nev = 0;
    a->nrev = 0;
    a->evtext.len = 0;
    int rc = hm_tokenize(&a->tb, text, len);
    if (rc)
        return rc;
    *conf = 1.0;
    if (forced == HM_LANG_FR)
        a->lang = LANG_FR;
    else if (forced == HM_LANG_EN)
        a->lang = LANG_EN;
    else
        a->lang = hm_langid_ex(&a->tb, &e->langfr, &e->langen, &e->lex, conf);
    int sl = a->lang == LANG_UND ? LANG_EN : a->lang;
    /* stems: the token cache's first; for the other words the stem cache's
     * sets are asked for all at once (so that their misses overlap), then
     * read (their tokens' stem is STEM_TODO meanwhile, sh the word's hash) */
    const uint32_t STEM_TODO = UINT32_MAX;
    size_t todo = 0;
    for (size_t i = 0; i < a->tb.ntoks; i++) {
        tok *t = &a->tb.toks[i];
        if (t->type != HM_TOK_WORD || (t->flags & HM_TF_ELISION)) {
            t->stem = 0;
            t->stem_len = 0;
            continue;
        }
        t->stem_lang = (uint8_t)sl;
        int got = hm_tc_stem_get(&a->tb, t, sl);
        if (got < 0)
            return HM_ENOMEM;
        if (got)
            continue;
        const char *lw = tb_str(&a->tb, t->lower);
        t->stem = STEM_TODO;
        t->sh = tok_lower_is_norm(t) ? t->nh : hm_hash(lw, strlen(lw));
        hm_stem_prefetch(&a->stem, t->sh);
        todo++;
    }
    for (size_t i = 0; todo && i < a->tb.ntoks; i++) {
        tok *t = &a->tb.toks[i];
        if (t->type != HM_TOK_WORD || t->stem != STEM_TODO)
            continue;
        todo--;
        const char *lw = tb_str(&a->tb, t->lower);
        size_t ln = tok_lower_is_norm(t) ? t->norm_len : strlen(lw);
        rc = hm_stem_h(&a->stem, sl, lw, ln, t->sh, &a->tb.strs, &t->stem, &t->stem_len);
        if (rc)
            return rc;
        t->sh = hm_hash(a->tb.strs.p + t->stem, t->stem_len);
        if (hm_tc_stem_put(&a->tb, t, sl))
            return HM_ENOMEM;
    }
    rc = hm_categories_match(a, &e->cats);
    if (rc)
        return rc;
    return hm_score_lexicon(a, ls);
}

/* Features of the analysed text, duplicates removed (binarized), token kept. */
static int unique_features(hm_analyzer *a)
{
    int rc = hm_features(a, &a->fb);
    if (rc)
        return rc;
    /* a table at most a quarter full: most probes end at their first slot
     * (half full, the probe loop's branches were mispredicted often) */
    size_t n = a->fb.n, cap = 32;
    while (cap < n * 4)
        cap *= 2;
    if (cap > a->seencap) {
        /* zeroed when it grows; afterwards each post empties the slots it
         * filled (their places kept in seenslot), not the whole table */
        uint32_t *sl = realloc(a->seenslot, (cap / 4 + 1) * sizeof *sl);
        if (sl)
            a->seenslot = sl;
        uint64_t *s = sl ? realloc(a->seen, cap * sizeof *s) : NULL;
        if (!s)
            return HM_ENOMEM;
        memset(s, 0, cap * sizeof *s);
        a->seen = s;
        a->seencap = cap;
    }
    uint64_t *seen = a->seen, *f = a->fb.f;
    uint32_t *slot = a->seenslot;
    int32_t *tk = a->fb.tok;
    size_t w = 0, c0 = n - a->fb.nc, nc = 0; /* the complaint head's own stay last */
    for (size_t i = 0; i < n; i++) {
        uint64_t h = f[i] | 1;
        size_t j = h & (cap - 1);
        int dup = 0;
        while (seen[j]) {
            if (seen[j] == h) {
                dup = 1;
                break;
            }
            j = (j + 1) & (cap - 1);
        }
        if (dup)
            continue;
        seen[j] = h;
        slot[w] = (uint32_t)j;
        f[w] = f[i];
        tk[w] = tk[i];
        w++;
        nc += i >= c0;
    }
    for (size_t q = 0; q < w; q++)
        seen[slot[q]] = 0;
    a->fb.n = w;
    a->fb.nc = nc;
    return 0;
}

int hm_analyze_ex(hm_analyzer *a, const char *text, size_t len, const hm_options *opts,
                  hm_result *out)
{
    if (!out)
        return HM_EINVAL;
    neutral_result(out);
    if (a) {
        /* a refused call leaves no tokens or cues of an earlier text behind */
        a->tb.ntoks = 0;
        a->cat.nm = 0;
    }
    if (!a || (!text && len))
        return HM_EINVAL;
    if (!text)
        text = "";
    const hm_engine *e = a->e;
    int truncated = 0;
    if (len > e->max_text) {
        len = e->max_text;
        /* do not cut a UTF-8 sequence in two */
        size_t back = 0;
        while (back < 3 && len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80) {
            len--;
            back++;
        }
        truncated = 1;
    }
    double conf;
    hm_lexscore ls;
    int rc = hm_pipeline(a, text, len, opts ? opts->lang : HM_LANG_AUTO, &ls, &conf);
    if (rc)
        return rc;

    out->lang = lang_name(a->lang);
    out->lang_conf = conf;
    out->truncated = truncated;
    int scorer = opts && opts->scorer ? opts->scorer : e->scorer;
    double cthresh = 0.5;
    const hm_model *m = a->lang != LANG_UND && e->has_model[a->lang] ? &e->models[a->lang] : NULL;
    if (scorer == HM_SCORER_LEXICON || !m) {
        out->score = ls.score;
        out->polarity = ls.score >= 0.05 ? HM_POSITIVE : ls.score <= -0.05 ? HM_NEGATIVE : HM_NEUTRAL;
        lexicon_probs(ls.score, ls.nhits, out->probs);
        out->scorer = "lexicon";
        a->cat.complaint_prob = complaint_rule(ls.score, a->cat.cue_total);
    } else {
        rc = unique_features(a);
        if (rc)
            return rc;
        double s[HM_NOUT];
        int32_t btok[3];
        double bw[3];
        int dom = hm_model_domain(m, a->tb.ntoks);
        double q[HM_MAXSRC];
        hm_model_score(m, a->fb.f, a->fb.n, a->fb.nc, dom, s, q, btok, bw, 3, a->fb.tok);
        double p[3], pb[3], x[HM_NBLEND];
        float db[3];
        hm_blend_inputs(s, &ls, a->cat.cue_total, a->tb.ntoks, hm_is_social(&a->tb), x);
        hm_blend_probs(m, x, q, pb, db);
        if (scorer == HM_SCORER_NB) {
            /* the one-vs-rest heads alone, normalized */
            hm_softmax3(s, p);
            out->scorer = "nb";
        } else {
            memcpy(p, pb, sizeof p);
            out->scorer = "blend";
        }
        memcpy(out->probs, p, sizeof p);
        out->score = p[2] - p[0];
        static const float nobias[3] = {0, 0, 0};
        /* the sources' decision biases shift the class where their dev rows'
         * metric asked for it (macro-recall, macro-F1); the probabilities stay
         * calibrated */
        out->polarity = hm_decide(p, scorer == HM_SCORER_NB ? nobias : db) - 1;
        /* the model's strongest words are evidence too (on the scale of its logits) */
        size_t npol = a->fb.n - a->fb.nc;
        double norm = (m->flags & HM_MF_NORM) && npol ? 1.0 / sqrt((double)npol) : 1.0;
        for (int k = 0; k < 3; k++)
            if (btok[k] >= 0 && fabs(bw[k] * norm) >= 0.1) {
                const tok *t = &a->tb.toks[btok[k]];
                if (hm_ev_add(a, t->start, t->end, bw[k] * norm, "model"))
                    return HM_ENOMEM;
            }
        if (m->flags & HM_MF_COMPLAINT) {
            hm_csig cs;
            hm_complaint_signals(e, &a->tb, a->lang, &cs);
            double xc[HM_NCBLEND];
            hm_complaint_inputs(s, pb, &ls, a->cat.cue_total, &cs, xc);
            double z = m->cblend[HM_NCBLEND];
            for (int j = 0; j < HM_NCBLEND; j++)
                z += m->cblend[j] * xc[j];
            a->cat.complaint_prob = 1.0 / (1.0 + exp(-z));
            cthresh = m->cthresh;
        } else {
            a->cat.complaint_prob = complaint_rule(out->score, a->cat.cue_total);
        }
    }
    a->cat.asks = hm_info_question(&a->tb);
    size_t nlex_ev = a->nev;

    /* complaint categories */
    size_t ncat = 0;
    rc = hm_categories_decide(a, &e->cats, out->score, out->probs, cthresh, &ncat);
    if (rc)
        return rc;

    /* materialize evidence: polarity evidence first, then category evidence */
    size_t first;
    if (materialize_evidence(a, 0, nlex_ev, &first))
        return HM_ENOMEM;
    out->nevidence = nlex_ev;
    hm_category *rcat = reserve(a->rcats, &a->rcatcap, ncat + 1, sizeof *rcat);
    if (!rcat)
        return HM_ENOMEM;
    a->rcats = rcat;
    for (size_t i = 0; i < ncat; i++) {
        size_t f;
        const hm_cat_hit *h = &a->cat.hits[i];
        if (materialize_evidence(a, h->ev_from, h->ev_to, &f))
            return HM_ENOMEM;
        a->rcats[i].id = e->cats.ids[h->cat];
        a->rcats[i].score = h->score;
        a->rcats[i].nevidence = h->ev_to - h->ev_from;
        a->rcats[i].evidence = (const hm_evidence *)(uintptr_t)f;
    }
    for (size_t i = 0; i < a->nrev; i++)
        a->rev[i].text = a->evtext.p + (uintptr_t)a->rev[i].text;
    out->evidence = a->rev;
    for (size_t i = 0; i < ncat; i++)
        a->rcats[i].evidence = a->rev + (uintptr_t)a->rcats[i].evidence;
    out->categories = a->rcats;
    out->ncategories = ncat;
    out->complaint = a->cat.complaint;
    out->complaint_prob = a->cat.complaint_prob;
    return 0;
}

int hm_analyze(hm_analyzer *a, const char *text, size_t len, hm_result *out)
{
    return hm_analyze_ex(a, text, len, NULL, out);
}

const hm_token *hm_analyzer_tokens(const hm_analyzer *a_, size_t *n)
{
    hm_analyzer *a = (hm_analyzer *)a_;
    if (!a) {
        if (n)
            *n = 0;
        return NULL;
    }
    hm_token *pt = reserve(a->ptoks, &a->ptcap, a->tb.ntoks + 1, sizeof *pt);
    if (!pt) {
        if (n)
            *n = 0;
        return NULL;
    }
    a->ptoks = pt;
    for (size_t i = 0; i < a->tb.ntoks; i++) {
        const tok *t = &a->tb.toks[i];
        hm_token *p = &a->ptoks[i];
        p->type = t->type;
        p->flags = t->flags;
        p->start = hm_out_off(a, t->start);
        p->end = hm_out_off(a, t->end);
        p->norm = tb_str(&a->tb, t->norm);
        p->lower = tb_str(&a->tb, t->lower);
        p->stem = t->stem_len ? tb_str(&a->tb, t->stem) : "";
        p->value = t->value;
    }
    if (n)
        *n = a->tb.ntoks;
    return a->ptoks;
}

const hm_cue *hm_analyzer_cues(const hm_analyzer *a_, size_t *n)
{
    hm_analyzer *a = (hm_analyzer *)a_;
    size_t nm = a ? a->cat.nm : 0;
    if (n)
        *n = 0;
    if (!nm)
        return NULL;
    hm_cue *pc = reserve(a->pcues, &a->pccap, nm, sizeof *pc);
    if (!pc)
        return NULL;
    a->pcues = pc;
    for (size_t i = 0; i < nm; i++) {
        const struct cat_match *m = &a->cat.m[i];
        a->pcues[i].category = a->e->cats.ids[m->cat];
        a->pcues[i].weight = m->w;
        a->pcues[i].start = hm_out_off(a, m->start);
        a->pcues[i].end = hm_out_off(a, m->end);
    }
    if (n)
        *n = nm;
    return a->pcues;
}

/* ---------- JSON rendering ---------- */

/* Bytes json_str() cannot copy as they are: '"', '\\', controls, DEL, and the
 * lead bytes of U+2028/U+2029 (E2) and U+0085 (C2), which are looked at closer. */
static const unsigned char json_special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1, [0x7F] = 1, [0xC2] = 1, [0xE2] = 1,
};

/* Bytes of x (eight of a string, little-endian) that json_str() cannot copy
 * as they are: a nonzero result when any is a control, '"', '\\', DEL or not
 * ASCII.  A flagged byte is one of those or comes after one (a borrow carries
 * upwards), so that the flags of the bytes after a place are exact when
 * none before it is flagged. */
static inline uint64_t json_special8(uint64_t x)
{
    const uint64_t ones = HM_BYTES(1);
    uint64_t q = x ^ HM_BYTES('"'), bs = x ^ HM_BYTES('\\'), del = x ^ HM_BYTES(0x7F);
    /* below 0x20, or a zero byte of q, bs or del (an ASCII byte of x: the top
     * bits of ~x, ~q, ~bs and ~del are all set) */
    uint64_t ascii = ((x - HM_BYTES(0x20)) | (q - ones) | (bs - ones) | (del - ones)) & ~x;
    return (ascii | x) & HM_BYTES(0x80);
}

/* Room for s (n bytes) as a JSON string: an escape writes at most six bytes
 * per byte of s it stands for, and the last word's store eight. */
#define JSON_STR_ROOM(n) ((n) * 6 + 8 + 2)

/* s (n bytes, then a NUL) as a JSON string at d, in memory with
 * JSON_STR_ROOM(n) bytes of room; returns the end.  Eight plain bytes cost a
 * few word operations and a store; the bytes of a word with anything else
 * are looked at one by one. */
static char *json_str_at(char *d, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    *d++ = '"';
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        const unsigned char *stop = end; /* bytes to read one by one, up to here */
        uint64_t x;
        if (end - p >= 8) {
            memcpy(&x, p, 8);
            if (!json_special8(x)) {
                memcpy(d, &x, 8);
                d += 8;
                p += 8;
                continue;
            }
            stop = p + 8;
        } else if (n >= 8) {
            /* the last r bytes, read as the top of the string's last word */
            size_t r = (size_t)(end - p), lo = 8 * (8 - r);
            memcpy(&x, end - 8, 8);
            if (!(json_special8(x) >> lo)) {
                x >>= lo;
                memcpy(d, &x, 8); /* r bytes meant, room made for eight */
                d += r;
                break;
            }
        } else if (n >= 4) {
            /* a short string whole, as its first and last four bytes */
            uint32_t lo, hi;
            memcpy(&lo, s, 4);
            memcpy(&hi, s + n - 4, 4);
            if (!json_special8((uint64_t)hi << 32 | lo)) {
                memcpy(d, &lo, 4);
                memcpy(d + n - 4, &hi, 4);
                d += n;
                break;
            }
        }
        while (p < stop) {
            unsigned char c = *p;
            if (!json_special[c]) {
                *d++ = (char)c;
                p++;
                continue;
            }
            size_t skip = 1;
            const char *esc = NULL;
            if (c == '"') esc = "\\\"";
            else if (c == '\\') esc = "\\\\";
            else if (c == '\n') esc = "\\n";
            else if (c == '\r') esc = "\\r";
            else if (c == '\t') esc = "\\t";
            else if (c < 0x20 || c == 0x7F) {
                memcpy(d, "\\u00", 4);
                d[4] = hex[c >> 4];
                d[5] = hex[c & 15];
                d += 6;
            }
            /* U+2028, U+2029 and U+0085 are valid in JSON but break line-oriented
             * readers (and older JavaScript): escaped too */
            else if (c == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
                esc = p[2] == 0xA8 ? "\\u2028" : "\\u2029";
                skip = 3;
            } else if (c == 0xC2 && p[1] == 0x85) {
                esc = "\\u0085";
                skip = 2;
            } else {
                *d++ = (char)c;
            }
            if (esc) {
                size_t k = strlen(esc);
                memcpy(d, esc, k);
                d += k;
            }
            p += skip;
        }
    }
    *d++ = '"';
    return d;
}

static int json_str(hm_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n > SIZE_MAX / 8 || hm_buf_room(b, JSON_STR_ROOM(n)))
        return HM_ENOMEM;
    char *d = json_str_at(b->p + b->len, s, n);
    *d = 0;
    b->len = (size_t)(d - b->p);
    return 0;
}

/* v as JSON (%.4g) at d, with HM_FMT_G4_MAX bytes of room; returns the end */
static char *json_num_at(char *d, double v)
{
    if (!isfinite(v))
        v = 0;
    if (fabs(v) < 5e-5)
        v = 0;
    return d + hm_fmt_g4(d, v);
}

static int json_num(hm_buf *b, double v)
{
    if (hm_buf_room(b, HM_FMT_G4_MAX))
        return HM_ENOMEM;
    b->len = (size_t)(json_num_at(b->p + b->len, v) - b->p);
    return 0;
}

/* literal string lit at d; returns the end */
#define PUT_LIT(d, lit) (memcpy(d, lit, sizeof lit - 1), (d) + sizeof lit - 1)

/* Evidence items, each written with one reservation of room:
 * {"span":[start,end],"text":...,"weight":...,"rule":...} */
static int json_evidence(hm_buf *b, const hm_evidence *ev, size_t n)
{
    if (hm_buf_putc(b, '['))
        return HM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *rule = ev[i].rule ? ev[i].rule : "lexicon";
        size_t tl = strlen(ev[i].text), rl = strlen(rule);
        if (tl > SIZE_MAX / 16 || rl > SIZE_MAX / 16 ||
            hm_buf_room(b, 64 + 20 + 20 + JSON_STR_ROOM(tl) + JSON_STR_ROOM(rl) + HM_FMT_G4_MAX))
            return HM_ENOMEM;
        char *d = b->p + b->len;
        if (i)
            *d++ = ',';
        d = PUT_LIT(d, "{\"span\":[");
        d += hm_fmt_uint(d, ev[i].start);
        *d++ = ',';
        d += hm_fmt_uint(d, ev[i].end);
        d = PUT_LIT(d, "],\"text\":");
        d = json_str_at(d, ev[i].text, tl);
        d = PUT_LIT(d, ",\"weight\":");
        d = json_num_at(d, ev[i].weight);
        d = PUT_LIT(d, ",\"rule\":");
        d = json_str_at(d, rule, rl);
        *d++ = '}';
        *d = 0;
        b->len = (size_t)(d - b->p);
    }
    return hm_buf_putc(b, ']') ? HM_ENOMEM : 0;
}

int hm_result_json_buf(hm_buf *b, const hm_result *r, const char *id_json)
{
    int rc = hm_buf_putc(b, '{');
    if (id_json) {
        rc |= hm_buf_puts(b, "\"id\":");
        rc |= hm_buf_puts(b, id_json);
        rc |= hm_buf_putc(b, ',');
    }
    /* the fixed fields with one reservation of room */
    const char *lang = r->lang ? r->lang : "und", *pol = hm_polarity_name(r->polarity);
    size_t ll = strlen(lang), pl = strlen(pol);
    if (rc || ll > SIZE_MAX / 16 ||
        hm_buf_room(b, 160 + JSON_STR_ROOM(ll) + JSON_STR_ROOM(pl) + 5 * HM_FMT_G4_MAX))
        return HM_ENOMEM;
    char *d = b->p + b->len;
    d = PUT_LIT(d, "\"lang\":");
    d = json_str_at(d, lang, ll);
    d = PUT_LIT(d, ",\"polarity\":");
    d = json_str_at(d, pol, pl);
    d = PUT_LIT(d, ",\"score\":");
    d = json_num_at(d, r->score);
    d = PUT_LIT(d, ",\"probs\":{\"negative\":");
    d = json_num_at(d, r->probs[0]);
    d = PUT_LIT(d, ",\"neutral\":");
    d = json_num_at(d, r->probs[1]);
    d = PUT_LIT(d, ",\"positive\":");
    d = json_num_at(d, r->probs[2]);
    if (r->complaint)
        d = PUT_LIT(d, "},\"complaint\":true,\"complaint_prob\":");
    else
        d = PUT_LIT(d, "},\"complaint\":false,\"complaint_prob\":");
    d = json_num_at(d, r->complaint_prob);
    d = PUT_LIT(d, ",\"categories\":[");
    *d = 0;
    b->len = (size_t)(d - b->p);
    for (size_t i = 0; i < r->ncategories; i++) {
        rc |= i ? hm_buf_putc(b, ',') : 0;
        rc |= hm_buf_puts(b, "{\"id\":");
        rc |= json_str(b, r->categories[i].id);
        rc |= hm_buf_puts(b, ",\"score\":");
        rc |= json_num(b, r->categories[i].score);
        rc |= hm_buf_puts(b, ",\"evidence\":");
        rc |= json_evidence(b, r->categories[i].evidence, r->categories[i].nevidence);
        rc |= hm_buf_putc(b, '}');
    }
    rc |= hm_buf_puts(b, "],\"evidence\":");
    rc |= json_evidence(b, r->evidence, r->nevidence);
    if (r->truncated)
        rc |= hm_buf_puts(b, ",\"truncated\":true");
    rc |= hm_buf_putc(b, '}');
    return rc ? HM_ENOMEM : 0;
}

const char *hm_result_json(hm_analyzer *a, const hm_result *r, const char *id_json, size_t *len)
{
    if (!a || !r)
        return NULL;
    a->json.len = 0;
    if (hm_result_json_buf(&a->json, r, id_json)) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = a->json.len;
    return a->json.p;
}
