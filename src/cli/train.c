/*
 * train.c — `humeur train`: read labelled JSON Lines, fit a model, save it.
 *
 * Data sources are SPECs:  PATH[@split[,split]][%holdout][*weight][+c|+p][^metric]
 *   @train,dev   only rows whose "split" is one of these
 *   %10          hold out 10% of the rows (by a hash of their id) as dev rows;
 *   %10=movie_id   ... by a hash of another field (rows sharing it stay together)
 *   *0.5         weight of every row of this source
 *   +c           derive a complaint label from stars: 1-2 complaint, 4-5 not
 *   +p           polarity labels only: the rows' complaint labels are left out
 *   ^recall      judge this source's dev rows by macro-recall when tuning
 *                (^f1 macro-F1, ^acc accuracy, the default)
 * given with --train (training rows) or --dev (tuning rows).  Labels: the
 * "polarity" field, else "rating" (below 2.5 negative, 2.5-3.5 neutral, above
 * 3.5 positive); "complaint" (true/false) feeds the complaint head.  .gz files
 * are read through gzip -dc.  Uses only humeur.h.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_train(int argc, char **argv);

static int add_row(void *ctx, const char *text, size_t len, int pol, int cmp, int dev, double w)
{
    return hm_trainer_add(ctx, text, len, pol, cmp, dev, w);
}

int row_polarity(json_t *o, int score_too, double *score)
{
    json_t *p = json_object_get(o, "polarity");
    if (json_is_string(p)) {
        const char *s = json_string_value(p);
        return !strcmp(s, "negative") ? HM_NEGATIVE : !strcmp(s, "neutral") ? HM_NEUTRAL
             : !strcmp(s, "positive") ? HM_POSITIVE : HM_NO_LABEL;
    }
    json_t *sc = json_object_get(o, "score");
    if (score_too && json_is_number(sc)) {
        double v = json_number_value(sc);
        if (score)
            *score = v;
        return v / 4.0 >= 0.05 ? HM_POSITIVE : v / 4.0 <= -0.05 ? HM_NEGATIVE : HM_NEUTRAL;
    }
    json_t *r = json_object_get(o, "rating");
    if (json_is_number(r)) {
        double v = json_number_value(r);
        return v < 2.5 ? HM_NEGATIVE : v <= 3.5 ? HM_NEUTRAL : HM_POSITIVE;
    }
    return HM_NO_LABEL;
}

int parse_spec(const char *s, int dev, spec *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->weight = 1.0;
    sp->dev = dev;
    sp->metric = -1;
    const char *slash = strrchr(s, '/');
    const char *tail = slash ? slash : s;
    size_t plen = strcspn(tail, "@%*+^") + (size_t)(tail - s);
    if (plen >= sizeof sp->path)
        return -1;
    memcpy(sp->path, s, plen);
    sp->path[plen] = 0;
    const char *p = s + plen;
    while (*p) {
        char c = *p++;
        size_t n = strcspn(p, "@%*+^");
        char val[128];
        if (n >= sizeof val)
            return -1;
        memcpy(val, p, n);
        val[n] = 0;
        p += n;
        if (c == '@')
            snprintf(sp->splits, sizeof sp->splits, ",%s,", val);
        else if (c == '%') {
            sp->holdout = atoi(val);
            const char *eq = strchr(val, '=');
            snprintf(sp->holdout_field, sizeof sp->holdout_field, "%s", eq ? eq + 1 : "id");
        }
        else if (c == '*')
            sp->weight = atof(val);
        else if (c == '+' && !strcmp(val, "c"))
            sp->cfrom_rating = 1;
        else if (c == '+' && !strcmp(val, "p"))
            sp->polarity_only = 1;
        else if (c == '^' && !strcmp(val, "acc"))
            sp->metric = HM_METRIC_ACCURACY;
        else if (c == '^' && !strcmp(val, "f1"))
            sp->metric = HM_METRIC_MACRO_F1;
        else if (c == '^' && !strcmp(val, "recall"))
            sp->metric = HM_METRIC_MACRO_RECALL;
        else
            return -1;
    }
    if (sp->weight <= 0 || sp->holdout < 0 || sp->holdout > 90)
        return -1;
    return 0;
}

/* FNV-1a of the id: the held-out rows are the same on every run. */
static unsigned hash_id(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int read_spec(const spec *sp, const char *text_field, row_fn fn, void *ctx, long *rows,
              long *cmp_rows)
{
    FILE *f;
    int is_pipe = 0;
    size_t l = strlen(sp->path);
    if (l > 3 && !strcmp(sp->path + l - 3, ".gz")) {
        char cmd[4200];
        if (strchr(sp->path, '\'')) {
            fprintf(stderr, "humeur train: unsupported quote in %s\n", sp->path);
            return EXIT_USAGE;
        }
        snprintf(cmd, sizeof cmd, "gzip -dc '%s'", sp->path);
        f = popen(cmd, "r");
        is_pipe = 1;
    } else {
        f = fopen(sp->path, "rb");
    }
    if (!f) {
        fprintf(stderr, "humeur train: cannot open %s\n", sp->path);
        return EXIT_IO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t k;
    int status = EXIT_OK;
    while ((k = getline(&line, &cap, f)) > 0) {
        json_t *o = json_loadb(line, (size_t)k, 0, NULL);
        if (!json_is_object(o)) {
            json_decref(o);
            continue;
        }
        json_t *spl = json_object_get(o, "split");
        if (sp->splits[0]) {
            char key[80];
            snprintf(key, sizeof key, ",%s,", json_is_string(spl) ? json_string_value(spl) : "");
            if (!strstr(sp->splits, key)) {
                json_decref(o);
                continue;
            }
        }
        json_t *tx = json_object_get(o, text_field);
        if (!json_is_string(tx)) {
            json_decref(o);
            continue;
        }
        int cmp = -1;
        int pol = row_polarity(o, 0, NULL);
        json_t *r = json_object_get(o, "rating");
        json_t *c = json_object_get(o, "complaint");
        if (json_is_boolean(c))
            cmp = json_is_true(c);
        else if (sp->cfrom_rating && json_is_number(r)) {
            double v = json_number_value(r);
            cmp = v < 2.5 ? 1 : v > 3.5 ? 0 : -1;
        }
        if (sp->polarity_only)
            cmp = -1;
        if (pol == HM_NO_LABEL && cmp < 0) {
            json_decref(o);
            continue;
        }
        int dev = sp->dev;
        if (!dev && sp->holdout) {
            json_t *id = json_object_get(o, sp->holdout_field);
            char *ids = id ? json_dumps(id, JSON_ENCODE_ANY) : NULL;
            dev = ids && (int)(hash_id(ids) % 100u) < sp->holdout ? 2 : 0;
            free(ids);
        }
        int rc = fn(ctx, json_string_value(tx), json_string_length(tx), pol, cmp, dev,
                    sp->weight);
        json_decref(o);
        if (rc) {
            fprintf(stderr, "humeur train: %s: %s\n", sp->path, hm_strerror(rc));
            status = EXIT_IO;
            break;
        }
        (*rows)++;
        *cmp_rows += cmp >= 0;
    }
    free(line);
    if (is_pipe ? pclose(f) != 0 : fclose(f) != 0) {
        fprintf(stderr, "humeur train: error reading %s\n", sp->path);
        status = EXIT_IO;
    }
    return status;
}

static const char train_usage[] =
    "usage: humeur train --lang fr|en --out MODEL.hmm [OPTIONS] --train SPEC [--train SPEC]...\n"
    "  SPEC = PATH[@split,...][%holdout][*weight][+c|+p][^acc|^f1|^recall]\n"
    "                   (see README, \"Models\"; ^: the metric of its dev rows)\n"
    "  --train SPEC     training rows           --dev SPEC     tuning rows\n"
    "  --seed N         shuffling seed (1)      --epochs N     SGD epochs (8)\n"
    "  --lr X           SGD step of the polarity heads (tuned on dev when absent)\n"
    "  --complaint-lr X the complaint head's (tuned on dev when absent)\n"
    "  --complaint-threshold X  complaint decision threshold (tuned on dev: best F1)\n"
    "  --l2 X           pull towards naive Bayes (tuned on dev when absent)\n"
    "  --min-count N    drop rarer features (2) --alpha X      NB smoothing (1)\n"
    "  --long-from N    posts of N tokens or more have their own weights (48; 0: off)\n"
    "  --domain-share X how much a post teaches the other length's weights (0.2)\n"
    "  --one-blend 1    one blend for all sources (default: one per source, routed)\n"
    "  --complaint-folds N  complaint blend on out-of-fold head scores of the training\n"
    "                   posts and the dev posts (5; -1: on the dev posts only)\n"
    "  --balance G      0..1: bring sources towards equal weight (0.5)\n"
    "  --complaint-l2 X the complaint head's pull (tuned on dev; --l2 when given)\n"
    "  --refit          once tuned, the rows held out by %N train too (the blends,\n"
    "                   biases and threshold fitted on them stay; dev figures are\n"
    "                   those of the tuning fit)\n"
    "  --verbose        also list the settings tried and their dev figures\n"
    "  --text-field F   (text)                  --lexicons DIR lexicons to read posts with\n"
    "  --categories DIR also read the category files DIR/*.tsv (repeatable, as for humeur):\n"
    "                   the blend reads their cues, so train with those you analyse with\n";

int cmd_train(int argc, char **argv)
{
    spec specs[64];
    int nspec = 0;
    const char *out = NULL, *lexdir = NULL, *text_field = "text";
    const char *catdirs[CLI_MAX_DIRS];
    hm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int lang = 0, verbose = 0;
    hm_train_opts o;
    memset(&o, 0, sizeof o);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help")) {
            fputs(train_usage, stdout);
            return EXIT_OK;
        }
        if (!strcmp(a, "--verbose")) {
            verbose = 1;
            continue;
        }
        if (!strcmp(a, "--refit")) {
            o.refit = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "humeur train: missing value for %s\n%s", a, train_usage);
            return EXIT_USAGE;
        }
        i++;
        if (!strcmp(a, "--lang"))
            lang = !strcmp(v, "fr") ? HM_LANG_FR : !strcmp(v, "en") ? HM_LANG_EN : -1;
        else if (!strcmp(a, "--out"))
            out = v;
        else if (!strcmp(a, "--lexicons"))
            lexdir = v;
        else if (!strcmp(a, "--categories")) {
            if (cli_category_dir(&cfg, catdirs, v, "humeur train"))
                return EXIT_USAGE;
        } else if (!strcmp(a, "--text-field"))
            text_field = v;
        else if (!strcmp(a, "--seed"))
            o.seed = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--epochs"))
            o.epochs = atoi(v);
        else if (!strcmp(a, "--l2"))
            o.l2 = atof(v);
        else if (!strcmp(a, "--alpha"))
            o.alpha = atof(v);
        else if (!strcmp(a, "--min-count"))
            o.min_count = atoi(v);
        else if (!strcmp(a, "--balance"))
            o.group_balance = atof(v);
        else if (!strcmp(a, "--lr"))
            o.lr = atof(v);
        else if (!strcmp(a, "--complaint-lr"))
            o.complaint_lr = atof(v);
        else if (!strcmp(a, "--complaint-l2"))
            o.complaint_l2 = atof(v);
        else if (!strcmp(a, "--complaint-threshold"))
            o.complaint_threshold = atof(v);
        else if (!strcmp(a, "--long-from"))
            o.long_from = atoi(v) > 0 ? atoi(v) : -1;
        else if (!strcmp(a, "--domain-share"))
            o.domain_share = atof(v) > 0 ? atof(v) : -1;
        else if (!strcmp(a, "--complaint-folds"))
            o.complaint_folds = atoi(v);
        else if (!strcmp(a, "--one-blend"))
            o.one_blend = atoi(v) != 0;
        else if (!strcmp(a, "--train") || !strcmp(a, "--dev")) {
            if (nspec >= 64 || parse_spec(v, !strcmp(a, "--dev"), &specs[nspec])) {
                fprintf(stderr, "humeur train: bad SPEC: %s\n", v);
                return EXIT_USAGE;
            }
            nspec++;
        } else {
            fprintf(stderr, "humeur train: unknown option %s\n%s", a, train_usage);
            return EXIT_USAGE;
        }
    }
    if (lang <= 0 || !out || !nspec) {
        fputs(train_usage, stderr);
        return EXIT_USAGE;
    }
    cfg.lexicon_dir = lexdir;
    cfg.no_models = 1;
    hm_status st;
    hm_engine *e = cli_engine(&cfg);
    if (!e)
        return EXIT_IO;
    hm_trainer *tr = hm_trainer_new(e, lang, &st);
    int status = tr ? EXIT_OK : EXIT_IO;
    for (int i = 0; status == EXIT_OK && i < nspec; i++) {
        long rows = 0, crow = 0;
        /* a file read for training and for dev is one source */
        int g = i;
        for (int j = 0; j < i; j++)
            if (!strcmp(specs[j].path, specs[i].path)) {
                g = j;
                break;
            }
        hm_trainer_set_group(tr, g);
        if (specs[i].metric >= 0)
            hm_trainer_set_metric(tr, specs[i].metric);
        status = read_spec(&specs[i], text_field, add_row, tr, &rows, &crow);
        fprintf(stderr, "humeur train: %s: %ld rows (%ld with a complaint label)%s\n",
                specs[i].path, rows, crow, specs[i].dev ? " [dev]" : "");
    }
    hm_train_report rep;
    if (status == EXIT_OK) {
        if (hm_trainer_fit(tr, &o, &rep, &st) || hm_trainer_save(tr, out, &st)) {
            fprintf(stderr, "humeur train: %s\n", st.message);
            status = EXIT_IO;
        } else {
            fprintf(stderr,
                    "humeur train: %s: %zu train / %zu dev posts, %zu features, %zu kept, "
                    "lr %g, l2 %g\n"
                    "  dev: blend accuracy %.4f, macro-F1 %.4f, ECE %.4f; NB-LR alone %.4f; "
                    "lexicon alone %.4f\n"
                    "  %d source%s with a blend of its own; dev posts routed to their source %.4f\n",
                    out, rep.ntrain, rep.ndev, rep.nfeatures, rep.nkept, rep.lr, rep.l2,
                    rep.dev_accuracy, rep.dev_macro_f1, rep.dev_ece, rep.dev_nb_accuracy,
                    rep.dev_lexicon_accuracy, rep.nsources, rep.nsources > 1 ? "s" : "",
                    rep.dev_router_accuracy);
            static const char *const mname[] = {"accuracy", "macro-F1", "macro-recall"};
            for (int i = 0; i < nspec; i++) {
                double v = hm_trainer_dev_score(tr, i);
                const float *b = NULL;
                for (int k = 0; k < rep.nsources && rep.nsources > 1; k++)
                    if (rep.source_group[k] == i)
                        b = rep.bias[k];
                if (v == v || b) {
                    int m = 0;
                    for (int j = 0; j < nspec; j++)
                        if (!strcmp(specs[j].path, specs[i].path) && specs[j].metric >= 0)
                            m = specs[j].metric;
                    fprintf(stderr, "  dev %s:", specs[i].path);
                    if (v == v)
                        fprintf(stderr, " %s %.4f", mname[m], v);
                    if (b)
                        fprintf(stderr, "%s decision biases (neg, pos) %+.1f %+.1f", v == v ? ";" : "",
                                b[0], b[2]);
                    fputc('\n', stderr);
                }
            }
            if (rep.nsources == 1)
                fprintf(stderr, "  decision biases (neg, pos): %+.1f %+.1f\n", rep.bias[0][0],
                        rep.bias[0][2]);
            fprintf(stderr, "  dev score (mean of the sources' figures): %.4f\n", rep.dev_score);
            for (int i = 0; verbose && i < rep.ntried; i++) {
                if (rep.tried[i].complaint)
                    fprintf(stderr, "  tried: complaint head lr %g, l2 %g: log-loss %.4f, F1 %.4f\n",
                            rep.tried[i].lr, rep.tried[i].l2, rep.tried[i].logloss,
                            rep.tried[i].score);
                else
                    fprintf(stderr, "  tried: polarity heads lr %g, l2 %g: log-loss %.4f, dev score %.4f\n",
                            rep.tried[i].lr, rep.tried[i].l2, rep.tried[i].logloss,
                            rep.tried[i].score);
            }
            if (rep.nrefit)
                fprintf(stderr, "  refit: %zu held-out rows trained too (the figures above are "
                                "the tuning fit's)\n",
                        rep.nrefit);
            if (rep.ncomplaint_train)
                fprintf(stderr,
                        "  complaint: %zu train / %zu dev posts, lr %g, l2 %g, threshold %.2f, "
                        "dev F1 %.4f; blend on %zu posts, out-of-fold F1 %.4f\n",
                        rep.ncomplaint_train, rep.ncomplaint_dev, rep.complaint_lr,
                        rep.complaint_l2, rep.complaint_threshold, rep.dev_complaint_f1,
                        rep.ncomplaint_blend, rep.oof_complaint_f1);
        }
    }
    hm_trainer_free(tr);
    hm_engine_close(e);
    return status;
}
