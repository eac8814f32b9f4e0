/*
 * eval.c — `humeur eval`: measure humeur against labelled JSON Lines.
 *
 * Gold polarity comes from, in order: a "polarity" field (negative / neutral /
 * positive), a numeric "score" (VADER-style human mean, -4..4: positive above
 * +0.05 x 4, negative below -0.05 x 4), or a star "rating" (below 2.5 negative,
 * 2.5-3.5 neutral, above 3.5 positive; 1-2 / 3 / 4-5 stars).  When the gold has
 * no neutral class, a predicted neutral counts by the sign of its score (the
 * binary rule peers use).  Tasks: polarity (accuracy, macro-F1, macro-recall,
 * per-class P/R/F1, confusion, Pearson r, expected calibration error,
 * per-language breakdown), complaint (P/R/F1 of the complaint class) and
 * categories (per-category P/R/F1, micro and macro, frequent mistakes).
 * .gz files are read through gzip -dc.
 */
#include "cli.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_eval(int argc, char **argv);

typedef struct evo {
    const char *split;
    const char *where_k, *where_v;
    const char *text_field;
    int task; /* 0 polarity, 1 complaint, 2 categories */
    int json;
    int lang;
    int scorer;
    const char *lexdir;
    const char *models[16];
    const char *catdirs[CLI_MAX_DIRS];
    size_t nmodels;
    int no_models;
    long limit;
    const char *dump;
    double threshold;   /* > 0: predicted class from the score with a +-threshold band */
} evo;

typedef struct pstats {
    long conf[3][3]; /* gold x predicted */
    long n;
    double sx, sy, sxx, syy, sxy;
    long nscore;
    double ece_conf[10], ece_acc[10];
    long ece_n[10];
} pstats;

#define MAXCAT 64
typedef struct errent {
    char key[160];
    long n;
} errent;
typedef struct cstats {
    long tp[MAXCAT], fp[MAXCAT], fn[MAXCAT];
    long fn_nc; /* missed categories in posts not judged complaints */
    long n;
    char *names[MAXCAT];
    int ncat;
    /* mistakes: gold category -> predicted set, counted */
    errent err[256];
    int nerr;
} cstats;

static FILE *open_in(const char *path, int *is_pipe)
{
    *is_pipe = 0;
    if (!strcmp(path, "-"))
        return stdin;
    size_t l = strlen(path);
    if (l > 3 && !strcmp(path + l - 3, ".gz")) {
        char cmd[4200];
        if (strchr(path, '\''))
            return NULL;
        snprintf(cmd, sizeof cmd, "gzip -dc '%s'", path);
        *is_pipe = 1;
        return popen(cmd, "r");
    }
    return fopen(path, "rb");
}

/* gold class 0 negative, 1 neutral, 2 positive, -1 none; *has_score when the row
 * carries a human score (Pearson r) */
static int gold_polarity(json_t *o, int *has_score, double *score)
{
    *has_score = json_is_number(json_object_get(o, "score")) &&
                 !json_is_string(json_object_get(o, "polarity"));
    int p = row_polarity(o, 1, score);
    return p == HM_NO_LABEL ? -1 : p + 1;
}

static double f1(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0; }

static int cat_id(cstats *c, const char *name)
{
    for (int i = 0; i < c->ncat; i++)
        if (!strcmp(c->names[i], name))
            return i;
    if (c->ncat >= MAXCAT)
        return -1;
    c->names[c->ncat] = strdup(name);
    return c->ncat++;
}

static void add_err(cstats *c, const char *key)
{
    for (int i = 0; i < c->nerr; i++)
        if (!strcmp(c->err[i].key, key)) {
            c->err[i].n++;
            return;
        }
    if (c->nerr < 256) {
        snprintf(c->err[c->nerr].key, sizeof c->err[c->nerr].key, "%s", key);
        c->err[c->nerr].n = 1;
        c->nerr++;
    }
}

/* one polarity prediction: gold and predicted class, language (0 fr, 1 en,
 * 2 und), score and the largest probability */
typedef struct pr { int gold, pred, lang; double score, pmax; } pr;

/* a prediction counted as class pd: confusion and calibration bins */
static void tally(pstats *s, const pr *p, int pd)
{
    s->conf[p->gold][pd]++;
    s->n++;
    int b = (int)(p->pmax * 10);
    if (b > 9) b = 9;
    if (b < 0) b = 0;
    s->ece_n[b]++;
    s->ece_conf[b] += p->pmax;
    s->ece_acc[b] += pd == p->gold;
}

/* a score x beside the gold's human score y (Pearson r) */
static void score_add(pstats *s, double x, double y)
{
    s->nscore++;
    s->sx += x; s->sy += y;
    s->sxx += x * x; s->syy += y * y; s->sxy += x * y;
}

static void print_polarity(const char *title, pstats *s, int binary, int json, int first)
{
    static const char *const cn[3] = {"negative", "neutral", "positive"};
    long correct = 0;
    for (int i = 0; i < 3; i++)
        correct += s->conf[i][i];
    double acc = s->n ? (double)correct / (double)s->n : 0;
    double mf1 = 0, mrec = 0;
    int ncls = 0;
    double P[3], R[3], F[3];
    for (int c = 0; c < 3; c++) {
        long tp = s->conf[c][c], gold = 0, pred = 0;
        for (int k = 0; k < 3; k++) {
            gold += s->conf[c][k];
            pred += s->conf[k][c];
        }
        P[c] = pred ? (double)tp / (double)pred : 0;
        R[c] = gold ? (double)tp / (double)gold : 0;
        F[c] = f1(P[c], R[c]);
        if (gold || (!binary || c != 1)) {
            if (binary && c == 1)
                continue;
            mf1 += F[c];
            mrec += R[c];
            ncls++;
        }
    }
    mf1 /= ncls ? ncls : 1;
    mrec /= ncls ? ncls : 1;
    double r = NAN;
    if (s->nscore > 1) {
        double n = (double)s->nscore;
        double cov = s->sxy - s->sx * s->sy / n;
        double vx = s->sxx - s->sx * s->sx / n, vy = s->syy - s->sy * s->sy / n;
        r = vx > 0 && vy > 0 ? cov / sqrt(vx * vy) : NAN;
    }
    double ece = 0;
    for (int b = 0; b < 10; b++)
        if (s->ece_n[b])
            ece += fabs(s->ece_acc[b] - s->ece_conf[b]) / (double)s->n;
    if (json) {
        printf("%s\"%s\":{\"n\":%ld,\"accuracy\":%.4f,\"macro_f1\":%.4f,\"macro_recall\":%.4f,"
               "\"binary\":%s,\"ece\":%.4f",
               first ? "" : ",", title, s->n, acc, mf1, mrec, binary ? "true" : "false", ece);
        if (!isnan(r))
            printf(",\"pearson_r\":%.4f", r);
        printf(",\"classes\":{");
        for (int c = 0; c < 3; c++)
            printf("%s\"%s\":{\"p\":%.4f,\"r\":%.4f,\"f1\":%.4f}", c ? "," : "", cn[c], P[c], R[c], F[c]);
        printf("},\"confusion\":[");
        for (int g = 0; g < 3; g++)
            printf("%s[%ld,%ld,%ld]", g ? "," : "", s->conf[g][0], s->conf[g][1], s->conf[g][2]);
        printf("]}");
        return;
    }
    printf("%s: n=%ld  accuracy %.4f  macro-F1 %.4f  macro-recall %.4f%s  ECE %.4f", title, s->n,
           acc, mf1, mrec, binary ? " (binary gold)" : "", ece);
    if (!isnan(r))
        printf("  Pearson r %.4f", r);
    printf("\n");
    printf("  %-9s %7s %7s %7s\n", "class", "P", "R", "F1");
    for (int c = 0; c < 3; c++)
        if (!(binary && c == 1))
            printf("  %-9s %7.4f %7.4f %7.4f\n", cn[c], P[c], R[c], F[c]);
    printf("  confusion (rows gold, columns predicted: neg neu pos)\n");
    for (int g = 0; g < 3; g++)
        if (!(binary && g == 1))
            printf("  %-9s %7ld %7ld %7ld\n", cn[g], s->conf[g][0], s->conf[g][1], s->conf[g][2]);
}

static const char eval_usage[] =
    "usage: humeur eval [OPTIONS] GOLD.jsonl[.gz]...\n"
    "  --task polarity|complaint|categories   what to measure (default polarity)\n"
    "  --split S            only rows whose \"split\" is S (train, dev, test)\n"
    "  --where FIELD=VALUE  only rows whose FIELD is VALUE (e.g. domain=tweets)\n"
    "  --text-field F       text field (default text)\n"
    "  --scorer S, --lang L, --lexicons DIR, --categories DIR, --model FILE, --no-models\n"
    "                     as for humeur\n"
    "  --limit N            at most N rows\n"
    "  --score-threshold T  predict from the score: >= T positive, <= -T negative, else\n"
    "                       neutral (the protocol of VADER's paper uses 0.05)\n"
    "  --dump FILE          write gold and predictions per row (JSON Lines)\n"
    "  --json               machine-readable output\n";

int cmd_eval(int argc, char **argv)
{
    evo o;
    memset(&o, 0, sizeof o);
    o.text_field = "text";
    hm_config cfg; /* --categories now, the rest once the options are read */
    memset(&cfg, 0, sizeof cfg);
    const char *files[64];
    int nfiles = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help")) {
            fputs(eval_usage, stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--json")) {
            o.json = 1;
        } else if (!strcmp(a, "--no-models")) {
            o.no_models = 1;
        } else if (a[0] == '-' && a[1] && !v) {
            fprintf(stderr, "humeur eval: missing value for %s\n", a);
            return EXIT_USAGE;
        } else if (!strcmp(a, "--task")) {
            o.task = !strcmp(v, "polarity") ? 0 : !strcmp(v, "complaint") ? 1
                   : !strcmp(v, "categories") ? 2 : -1;
            if (o.task < 0) {
                fprintf(stderr, "humeur eval: --task polarity|complaint|categories\n");
                return EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(a, "--split")) {
            o.split = v; i++;
        } else if (!strcmp(a, "--where")) {
            static char buf[256];
            snprintf(buf, sizeof buf, "%s", v);
            char *eq = strchr(buf, '=');
            if (!eq) { fprintf(stderr, "humeur eval: --where FIELD=VALUE\n"); return EXIT_USAGE; }
            *eq = 0;
            o.where_k = buf;
            o.where_v = eq + 1;
            i++;
        } else if (!strcmp(a, "--text-field")) {
            o.text_field = v; i++;
        } else if (!strcmp(a, "--scorer")) {
            o.scorer = !strcmp(v, "lexicon") ? HM_SCORER_LEXICON : !strcmp(v, "nb") ? HM_SCORER_NB
                     : !strcmp(v, "blend") ? HM_SCORER_BLEND : -1;
            if (o.scorer < 0) { fprintf(stderr, "humeur eval: bad --scorer\n"); return EXIT_USAGE; }
            i++;
        } else if (!strcmp(a, "--lang")) {
            o.lang = !strcmp(v, "fr") ? HM_LANG_FR : !strcmp(v, "en") ? HM_LANG_EN : HM_LANG_AUTO;
            i++;
        } else if (!strcmp(a, "--lexicons")) {
            o.lexdir = v; i++;
        } else if (!strcmp(a, "--categories")) {
            if (cli_category_dir(&cfg, o.catdirs, v, "humeur eval"))
                return EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--model")) {
            if (o.nmodels < 16) o.models[o.nmodels++] = v;
            i++;
        } else if (!strcmp(a, "--limit")) {
            o.limit = atol(v); i++;
        } else if (!strcmp(a, "--dump")) {
            o.dump = v; i++;
        } else if (!strcmp(a, "--score-threshold")) {
            o.threshold = atof(v); i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "humeur eval: unknown option %s\n", a);
            return EXIT_USAGE;
        } else if (nfiles < 64) {
            files[nfiles++] = a;
        }
    }
    if (!nfiles) {
        fputs(eval_usage, stderr);
        return EXIT_USAGE;
    }
    cfg.lexicon_dir = o.lexdir;
    cfg.model_files = o.nmodels ? o.models : NULL;
    cfg.nmodel_files = o.nmodels;
    cfg.no_models = o.no_models;
    cfg.scorer = o.scorer;
    hm_status st;
    hm_engine *e = cli_engine(&cfg);
    if (!e)
        return EXIT_IO;
    hm_analyzer *an = hm_analyzer_new(e, &st);
    FILE *dump = o.dump ? fopen(o.dump, "w") : NULL;
    pstats all, per[3];
    memset(&all, 0, sizeof all);
    memset(per, 0, sizeof per);
    int saw_neutral = 0;
    long cm_tp = 0, cm_fp = 0, cm_fn = 0, cm_tn = 0;
    cstats *cs = calloc(1, sizeof *cs);
    long rows = 0, skipped = 0;
    char *line = NULL;
    size_t cap = 0;
    /* pass 1 is needed to know whether the gold has a neutral class; keep rows' predictions */
    pr *preds = NULL;
    size_t np = 0, pcap = 0;
    int status = EXIT_OK;
    for (int fi = 0; fi < nfiles && status == EXIT_OK; fi++) {
        int is_pipe;
        FILE *f = open_in(files[fi], &is_pipe);
        if (!f) {
            fprintf(stderr, "humeur eval: cannot open %s\n", files[fi]);
            status = EXIT_IO;
            break;
        }
        ssize_t k;
        int early = 0;
        while ((k = getline(&line, &cap, f)) > 0) {
            if (o.limit && rows >= o.limit) {
                early = 1; /* the decompressor will see a closed pipe: not an error */
                break;
            }
            json_t *root = json_loadb(line, (size_t)k, 0, NULL);
            if (!json_is_object(root)) {
                json_decref(root);
                skipped++;
                continue;
            }
            if (o.split) {
                json_t *sp = json_object_get(root, "split");
                if (!json_is_string(sp) || strcmp(json_string_value(sp), o.split)) {
                    json_decref(root);
                    continue;
                }
            }
            if (o.where_k) {
                json_t *wv = json_object_get(root, o.where_k);
                if (!json_is_string(wv) || strcmp(json_string_value(wv), o.where_v)) {
                    json_decref(root);
                    continue;
                }
            }
            json_t *tx = json_object_get(root, o.text_field);
            if (!json_is_string(tx)) {
                json_decref(root);
                skipped++;
                continue;
            }
            hm_result r;
            hm_options opt = {o.lang, o.scorer};
            if (hm_analyze_ex(an, json_string_value(tx), json_string_length(tx), &opt, &r)) {
                json_decref(root);
                skipped++;
                continue;
            }
            if (o.task == 0) {
                int hs;
                double gs = 0;
                int g = gold_polarity(root, &hs, &gs);
                if (g < 0) {
                    json_decref(root);
                    skipped++;
                    continue;
                }
                if (g == 1)
                    saw_neutral = 1;
                if (np == pcap) {
                    pcap = pcap ? pcap * 2 : 4096;
                    preds = realloc(preds, pcap * sizeof *preds);
                }
                pr *p = &preds[np++];
                p->gold = g;
                p->pred = r.polarity + 1;
                if (o.threshold > 0)
                    p->pred = r.score >= o.threshold ? 2 : r.score <= -o.threshold ? 0 : 1;
                p->score = r.score;
                p->lang = !strcmp(r.lang, "fr") ? 0 : !strcmp(r.lang, "en") ? 1 : 2;
                double pm = r.probs[0];
                for (int c = 1; c < 3; c++)
                    if (r.probs[c] > pm)
                        pm = r.probs[c];
                p->pmax = pm;
                if (hs) {
                    score_add(&all, r.score, gs);
                    score_add(&per[p->lang], r.score, gs);
                }
                if (dump) {
                    json_t *id = json_object_get(root, "id");
                    char *ids = id ? json_dumps(id, JSON_ENCODE_ANY) : NULL;
                    fprintf(dump, "{\"id\":%s,\"gold\":%d,\"pred\":%d,\"score\":%.4f,\"probs\":[%.4f,%.4f,%.4f],"
                            "\"lang\":\"%s\"}\n",
                            ids ? ids : "null", g - 1, r.polarity, r.score, r.probs[0], r.probs[1],
                            r.probs[2], r.lang);
                    free(ids);
                }
            } else if (o.task == 1) {
                json_t *gc = json_object_get(root, "complaint");
                if (!json_is_boolean(gc)) {
                    json_decref(root);
                    skipped++;
                    continue;
                }
                int g = json_is_true(gc), pd = r.complaint;
                cm_tp += g && pd; cm_fp += !g && pd; cm_fn += g && !pd; cm_tn += !g && !pd;
                if (dump) {
                    json_t *id = json_object_get(root, "id");
                    char *ids = id ? json_dumps(id, JSON_ENCODE_ANY) : NULL;
                    fprintf(dump, "{\"id\":%s,\"gold\":%d,\"pred\":%d,\"prob\":%.4f}\n",
                            ids ? ids : "null", g, pd, r.complaint_prob);
                    free(ids);
                }
            } else {
                json_t *gc = json_object_get(root, "categories");
                if (!json_is_array(gc)) {
                    json_decref(root);
                    skipped++;
                    continue;
                }
                int gold[MAXCAT] = {0}, pred[MAXCAT] = {0};
                size_t gi;
                json_t *gv;
                json_array_foreach(gc, gi, gv) {
                    if (json_is_string(gv)) {
                        int id = cat_id(cs, json_string_value(gv));
                        if (id >= 0) gold[id] = 1;
                    }
                }
                for (size_t c = 0; c < r.ncategories; c++) {
                    int id = cat_id(cs, r.categories[c].id);
                    if (id >= 0) pred[id] = 1;
                }
                for (int c = 0; c < cs->ncat; c++) {
                    cs->tp[c] += gold[c] && pred[c];
                    cs->fp[c] += !gold[c] && pred[c];
                    cs->fn[c] += gold[c] && !pred[c];
                    cs->fn_nc += gold[c] && !r.complaint;
                    char key[160];
                    if (gold[c] && !pred[c]) {
                        snprintf(key, sizeof key, "missed %s", cs->names[c]);
                        add_err(cs, key);
                    }
                    if (!gold[c] && pred[c]) {
                        snprintf(key, sizeof key, "spurious %s", cs->names[c]);
                        add_err(cs, key);
                    }
                }
                cs->n++;
                if (dump) {
                    json_t *tx2 = json_object_get(root, o.text_field);
                    char *ts = json_dumps(tx2, JSON_ENCODE_ANY);
                    char *gs = json_dumps(gc, JSON_COMPACT);
                    fprintf(dump, "{\"text\":%s,\"gold\":%s,\"pred\":[", ts ? ts : "null", gs ? gs : "[]");
                    for (size_t c = 0; c < r.ncategories; c++)
                        fprintf(dump, "%s\"%s\"", c ? "," : "", r.categories[c].id);
                    fprintf(dump, "],\"complaint\":%d}\n", r.complaint);
                    free(ts);
                    free(gs);
                }
            }
            rows++;
            json_decref(root);
        }
        if (is_pipe) {
            if (pclose(f) != 0 && !early) {
                fprintf(stderr, "humeur eval: cannot read %s\n", files[fi]);
                status = EXIT_IO;
            }
        } else if (f != stdin)
            fclose(f);
    }
    free(line);
    if (status == EXIT_OK && o.task == 0) {
        int binary = !saw_neutral;
        for (size_t i = 0; i < np; i++) {
            pr *p = &preds[i];
            int pd = p->pred;
            if (binary && pd == 1)
                pd = p->score > 0 ? 2 : 0; /* the sign of the score decides */
            if (binary && p->score == 0 && p->pred == 1)
                pd = 2; /* exact zero: count as positive, as peers' >= 0 rule */
            tally(&all, p, pd);
            tally(&per[p->lang], p, pd);
        }
        if (o.json)
            printf("{");
        print_polarity("all", &all, binary, o.json, 1);
        static const char *const ln[3] = {"fr", "en", "und"};
        for (int l = 0; l < 3; l++)
            if (per[l].n && per[l].n != all.n)
                print_polarity(ln[l], &per[l], binary, o.json, 0);
        if (o.json)
            printf(",\"skipped\":%ld}\n", skipped);
        else if (skipped)
            printf("(%ld rows skipped: no text or no usable label)\n", skipped);
    } else if (status == EXIT_OK && o.task == 1) {
        double P = cm_tp + cm_fp ? (double)cm_tp / (double)(cm_tp + cm_fp) : 0;
        double R = cm_tp + cm_fn ? (double)cm_tp / (double)(cm_tp + cm_fn) : 0;
        double P0 = cm_tn + cm_fn ? (double)cm_tn / (double)(cm_tn + cm_fn) : 0;
        double R0 = cm_tn + cm_fp ? (double)cm_tn / (double)(cm_tn + cm_fp) : 0;
        long n = cm_tp + cm_fp + cm_fn + cm_tn;
        double acc = n ? (double)(cm_tp + cm_tn) / (double)n : 0;
        if (o.json)
            printf("{\"n\":%ld,\"accuracy\":%.4f,\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,"
                   "\"macro_f1\":%.4f,\"tp\":%ld,\"fp\":%ld,\"fn\":%ld,\"tn\":%ld}\n",
                   n, acc, P, R, f1(P, R), (f1(P, R) + f1(P0, R0)) / 2, cm_tp, cm_fp, cm_fn, cm_tn);
        else
            printf("complaint: n=%ld  accuracy %.4f  P %.4f  R %.4f  F1 %.4f  macro-F1 %.4f\n"
                   "  tp %ld  fp %ld  fn %ld  tn %ld\n",
                   n, acc, P, R, f1(P, R), (f1(P, R) + f1(P0, R0)) / 2, cm_tp, cm_fp, cm_fn, cm_tn);
    } else if (status == EXIT_OK) {
        /* a gold category the engine does not have can only be missed */
        const char *const *ids;
        size_t nids = hm_engine_categories(e, &ids);
        for (int c = 0; c < cs->ncat; c++) {
            size_t k = 0;
            while (k < nids && strcmp(ids[k], cs->names[c]))
                k++;
            if (k == nids)
                fprintf(stderr, "humeur eval: gold category '%s' is not one of the engine's "
                                "(add its cues with --categories DIR)\n", cs->names[c]);
        }
        long TP = 0, FP = 0, FN = 0;
        double macro = 0;
        int nm = 0;
        if (o.json)
            printf("{\"n\":%ld,\"categories\":{", cs->n);
        else
            printf("categories: n=%ld\n  %-16s %6s %6s %6s %5s %5s %5s\n", cs->n, "category", "P",
                   "R", "F1", "tp", "fp", "fn");
        for (int c = 0; c < cs->ncat; c++) {
            double P = cs->tp[c] + cs->fp[c] ? (double)cs->tp[c] / (double)(cs->tp[c] + cs->fp[c]) : 0;
            double R = cs->tp[c] + cs->fn[c] ? (double)cs->tp[c] / (double)(cs->tp[c] + cs->fn[c]) : 0;
            TP += cs->tp[c]; FP += cs->fp[c]; FN += cs->fn[c];
            if (cs->tp[c] + cs->fn[c]) {
                macro += f1(P, R);
                nm++;
            }
            if (o.json)
                printf("%s\"%s\":{\"p\":%.4f,\"r\":%.4f,\"f1\":%.4f,\"tp\":%ld,\"fp\":%ld,\"fn\":%ld}",
                       c ? "," : "", cs->names[c], P, R, f1(P, R), cs->tp[c], cs->fp[c], cs->fn[c]);
            else
                printf("  %-16s %6.3f %6.3f %6.3f %5ld %5ld %5ld\n", cs->names[c], P, R, f1(P, R),
                       cs->tp[c], cs->fp[c], cs->fn[c]);
        }
        double mP = TP + FP ? (double)TP / (double)(TP + FP) : 0;
        double mR = TP + FN ? (double)TP / (double)(TP + FN) : 0;
        macro /= nm ? nm : 1;
        if (o.json)
            printf("},\"micro_p\":%.4f,\"micro_r\":%.4f,\"micro_f1\":%.4f,\"macro_f1\":%.4f,"
                   "\"missed_not_complaint\":%ld}\n",
                   mP, mR, f1(mP, mR), macro, cs->fn_nc);
        else {
            printf("  micro P %.4f  R %.4f  F1 %.4f   macro-F1 %.4f\n", mP, mR, f1(mP, mR), macro);
            /* categories can only be reported for complaints: how much of the
             * recall is lost to the complaint decision rather than the cues */
            printf("  missed in posts not judged complaints: %ld of %ld\n", cs->fn_nc, FN);
            /* most frequent mistakes */
            for (int i = 0; i < cs->nerr; i++)
                for (int j = i + 1; j < cs->nerr; j++)
                    if (cs->err[j].n > cs->err[i].n) {
                        errent t = cs->err[i];
                        cs->err[i] = cs->err[j];
                        cs->err[j] = t;
                    }
            printf("  most frequent mistakes:");
            for (int i = 0; i < cs->nerr && i < 8; i++)
                printf("%s %s x%ld", i ? "," : "", cs->err[i].key, cs->err[i].n);
            printf("\n");
        }
    }
    for (int c = 0; c < cs->ncat; c++)
        free(cs->names[c]);
    free(cs);
    free(preds);
    if (dump)
        fclose(dump);
    hm_analyzer_free(an);
    hm_engine_close(e);
    return status;
}
