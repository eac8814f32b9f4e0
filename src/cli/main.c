/*
 * main.c — the humeur command: quick checks, batch scoring, explanations,
 * the pipeline made visible, training and evaluation.  Uses only humeur.h.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_induce(int argc, char **argv);

static volatile sig_atomic_t g_stop;

static void on_sigint(int sig)
{
    (void)sig;
    if (g_stop) /* second ^C: leave now */
        _exit(EXIT_INTERRUPTED);
    g_stop = 1;
}

static const char usage[] =
    "usage: humeur [OPTIONS] TEXT...            analyse text (human-readable; --json for JSON)\n"
    "       humeur score [OPTIONS] [FILE...]     batch: one JSON line per input line\n"
    "       humeur explain [OPTIONS] TEXT...     every word, phrase and rule that moved the result\n"
    "       humeur tokens [OPTIONS] TEXT...      normalized tokens, stems, spans and language\n"
    "       humeur train [OPTIONS] FILE...       train a model (see humeur train --help)\n"
    "       humeur eval [OPTIONS] GOLD.jsonl...  measure accuracy (see humeur eval --help)\n"
    "       humeur induce [OPTIONS] ...          induce lexicon entries from labelled posts\n"
    "\n"
    "options:\n"
    "  --json                 print the JSON result (quick mode)\n"
    "  --lang auto|fr|en      force the language (default: detect)\n"
    "  --scorer S             lexicon, nb or blend (default: blend when models exist)\n"
    "  --lexicons DIR         load lexicons from DIR instead of the embedded ones\n"
    "  --categories DIR       also read the category files DIR/*.tsv (repeatable): a file\n"
    "                         named like a category adds cues to it, another adds a category\n"
    "  --model FILE           load a model file instead of the embedded ones (repeatable)\n"
    "  --no-models            lexicon and rules only\n"
    "  --max-text N           analyse at most N bytes of a text (default 65536)\n"
    "batch (score):\n"
    "  --threads N            analysis threads (default 1); output order is input order\n"
    "  --format F             jsonl (default), tsv (header line names columns) or lines\n"
    "  --text-field F         field or column holding the text (default text)\n"
    "  --id-field F           field or column passed through as \"id\" (default id;\n"
    "                         the line number when absent)\n"
    "  --keep F1,F2           other JSON fields to pass through\n"
    "  --max-line N           longest input line in bytes (default 67108864)\n"
    "  --long-line N          lines longer than N bytes are read in pieces, keeping only\n"
    "                         what the analysis needs (default 262144)\n"
    "  --no-progress          no progress bar on stderr\n"
    "  --help, --version\n"
    "exit status: 0 all lines analysed, 1 some lines yielded error objects, 2 usage error,\n"
    "             3 I/O or load error, 130 interrupted\n";

typedef struct cli {
    hm_config cfg;
    const char *models[16];
    const char *catdirs[CLI_MAX_DIRS];
    int json;
    int lang;
    int scorer;
    batch_opts bo;
    const char *keep[32];
    char *keepbuf;
} cli;

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v == 0 || end == s)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* Parse the common options; the rest of argv (texts or files) is compacted at
 * the front.  Returns the count of positional arguments, or -1. */
static int parse_opts(cli *c, int argc, char **argv, int batch)
{
    int np = 0;
    int only_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (only_pos || a[0] != '-' || !a[1]) {
            argv[np++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--")) {
            only_pos = 1;
        } else if (!strcmp(a, "--json")) {
            c->json = 1;
        } else if (!strcmp(a, "--no-models")) {
            c->cfg.no_models = 1;
        } else if (!strcmp(a, "--no-progress")) {
            c->bo.progress = 0;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            exit(EXIT_OK);
        } else if (!strcmp(a, "--version")) {
            printf("humeur %s\n", hm_version());
            exit(EXIT_OK);
        } else if (!v) {
            fprintf(stderr, "humeur: unknown option or missing value: %s\n", a);
            return -1;
        } else if (!strcmp(a, "--lang")) {
            if (!strcmp(v, "auto")) c->lang = HM_LANG_AUTO;
            else if (!strcmp(v, "fr")) c->lang = HM_LANG_FR;
            else if (!strcmp(v, "en")) c->lang = HM_LANG_EN;
            else { fprintf(stderr, "humeur: --lang must be auto, fr or en\n"); return -1; }
            i++;
        } else if (!strcmp(a, "--scorer")) {
            if (!strcmp(v, "lexicon")) c->scorer = HM_SCORER_LEXICON;
            else if (!strcmp(v, "nb")) c->scorer = HM_SCORER_NB;
            else if (!strcmp(v, "blend")) c->scorer = HM_SCORER_BLEND;
            else { fprintf(stderr, "humeur: --scorer must be lexicon, nb or blend\n"); return -1; }
            i++;
        } else if (!strcmp(a, "--lexicons")) {
            c->cfg.lexicon_dir = v;
            i++;
        } else if (!strcmp(a, "--categories")) {
            if (cli_category_dir(&c->cfg, c->catdirs, v, "humeur"))
                return -1;
            i++;
        } else if (!strcmp(a, "--model")) {
            if (c->cfg.nmodel_files >= 16) { fprintf(stderr, "humeur: too many --model\n"); return -1; }
            c->models[c->cfg.nmodel_files++] = v;
            c->cfg.model_files = c->models;
            i++;
        } else if (!strcmp(a, "--max-text")) {
            if (parse_size(v, &c->cfg.max_text_bytes)) { fprintf(stderr, "humeur: bad --max-text\n"); return -1; }
            i++;
        } else if (batch && !strcmp(a, "--threads")) {
            size_t n;
            if (parse_size(v, &n) || n > 64) { fprintf(stderr, "humeur: --threads must be 1..64\n"); return -1; }
            c->bo.threads = (int)n;
            i++;
        } else if (batch && !strcmp(a, "--format")) {
            if (!strcmp(v, "jsonl")) c->bo.format = FMT_JSONL;
            else if (!strcmp(v, "tsv")) c->bo.format = FMT_TSV;
            else if (!strcmp(v, "lines")) c->bo.format = FMT_LINES;
            else { fprintf(stderr, "humeur: --format must be jsonl, tsv or lines\n"); return -1; }
            i++;
        } else if (batch && !strcmp(a, "--text-field")) {
            c->bo.text_field = v;
            i++;
        } else if (batch && !strcmp(a, "--id-field")) {
            c->bo.id_field = v;
            i++;
        } else if (batch && !strcmp(a, "--max-line")) {
            if (parse_size(v, &c->bo.max_line)) { fprintf(stderr, "humeur: bad --max-line\n"); return -1; }
            i++;
        } else if (batch && !strcmp(a, "--long-line")) {
            if (parse_size(v, &c->bo.long_line)) { fprintf(stderr, "humeur: bad --long-line\n"); return -1; }
            i++;
        } else if (batch && !strcmp(a, "--keep")) {
            free(c->keepbuf);
            c->keepbuf = strdup(v);
            c->bo.nkeep = 0;
            for (char *s = strtok(c->keepbuf, ","); s && c->bo.nkeep < 32; s = strtok(NULL, ","))
                c->keep[c->bo.nkeep++] = s;
            c->bo.keep = c->keep;
            i++;
        } else {
            fprintf(stderr, "humeur: unknown option: %s\n", a);
            return -1;
        }
    }
    return np;
}

int cli_category_dir(hm_config *cfg, const char **dirs, const char *dir, const char *cmd)
{
    if (cfg->ncategory_dirs >= CLI_MAX_DIRS) {
        fprintf(stderr, "%s: too many --categories (at most %d)\n", cmd, CLI_MAX_DIRS);
        return -1;
    }
    dirs[cfg->ncategory_dirs++] = dir;
    cfg->category_dirs = dirs;
    return 0;
}

hm_engine *cli_engine(const hm_config *cfg)
{
    hm_status st;
    hm_engine *e = hm_engine_open(cfg, &st);
    if (!e)
        fprintf(stderr, "humeur: %s\n", st.message);
    return e;
}

static hm_engine *open_engine(cli *c)
{
    c->cfg.scorer = c->scorer;
    return cli_engine(&c->cfg);
}

static char *join_args(int n, char **v)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = 0;
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, v[i]);
    }
    return s;
}

static void print_human(const hm_result *r, const char *text)
{
    (void)text;
    printf("lang:       %s\n", r->lang);
    printf("polarity:   %s  (score %+.2f; negative %.2f, neutral %.2f, positive %.2f; %s)\n",
           hm_polarity_name(r->polarity), r->score, r->probs[0], r->probs[1], r->probs[2],
           r->scorer);
    printf("complaint:  %s  (%.2f)\n", r->complaint ? "yes" : "no", r->complaint_prob);
    if (r->ncategories) {
        printf("categories:");
        for (size_t i = 0; i < r->ncategories; i++) {
            const hm_category *c = &r->categories[i];
            printf(" %s %.2f [", c->id, c->score);
            for (size_t j = 0; j < c->nevidence; j++)
                printf("%s\"%s\"", j ? ", " : "", c->evidence[j].text);
            printf("]");
        }
        printf("\n");
    }
    if (r->nevidence) {
        printf("evidence:  ");
        for (size_t i = 0; i < r->nevidence; i++)
            printf(" \"%s\" %+.2f%s", r->evidence[i].text, r->evidence[i].weight,
                   i + 1 < r->nevidence ? "," : "");
        printf("\n");
    }
    if (r->truncated)
        printf("note:       text truncated to the analysis limit\n");
}

/* The cues of the categories the result does not report, and why. */
static void print_unreported_cues(hm_analyzer *a, const hm_result *r, const char *text)
{
    size_t n;
    const hm_cue *cu = hm_analyzer_cues(a, &n);
    for (size_t i = 0; i < n; i++) {
        const char *cat = cu[i].category;
        int seen = 0, reported = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = cu[j].category == cat;
        for (size_t k = 0; k < r->ncategories && !reported; k++)
            reported = !strcmp(r->categories[k].id, cat);
        if (seen || reported)
            continue;
        double sum = 0;
        for (size_t j = i; j < n; j++)
            if (cu[j].category == cat)
                sum += cu[j].weight;
        printf("cues       %s (evidence %+.2f) not reported: %s\n", cat, sum,
               sum <= 0        ? "the cues against it (praise, a question, another category's subject) outweigh those for it"
               : !r->complaint ? "the post is not judged a complaint"
                               : "a complaint needs evidence 0.5 for a category");
        for (size_t j = i; j < n; j++)
            if (cu[j].category == cat)
                printf("  %+7.2f  %-28.*s [%zu,%zu)\n", cu[j].weight,
                       (int)(cu[j].end - cu[j].start), text + cu[j].start, cu[j].start,
                       cu[j].end);
    }
}

static void print_explain(const hm_result *r)
{
    printf("language   %s (confidence %.2f)\n", r->lang, r->lang_conf);
    printf("polarity evidence:\n");
    double tot = 0;
    for (size_t i = 0; i < r->nevidence; i++) {
        const hm_evidence *e = &r->evidence[i];
        printf("  %+7.3f  %-28s [%zu,%zu)  %s\n", e->weight, e->text, e->start, e->end, e->rule);
        tot += e->weight;
    }
    if (!r->nevidence)
        printf("  (no sentiment word, phrase or emoji found)\n");
    printf("  %+7.3f  total before normalization (plus emphasis)\n", tot);
    printf("score      %+.3f -> %s (negative %.2f, neutral %.2f, positive %.2f; scorer %s)\n",
           r->score, hm_polarity_name(r->polarity), r->probs[0], r->probs[1], r->probs[2],
           r->scorer);
    printf("complaint  %s (probability %.2f)\n", r->complaint ? "yes" : "no", r->complaint_prob);
    for (size_t i = 0; i < r->ncategories; i++) {
        const hm_category *c = &r->categories[i];
        printf("category   %s (score %.2f) because of:\n", c->id, c->score);
        for (size_t j = 0; j < c->nevidence; j++)
            printf("  %+7.2f  %-28s [%zu,%zu)\n", c->evidence[j].weight, c->evidence[j].text,
                   c->evidence[j].start, c->evidence[j].end);
    }
}

static const char *tok_type(int t)
{
    static const char *const n[] = {"?", "word", "number", "duration", "emoji", "emoticon",
                                    "url", "mention", "hashtag", "punct", "symbol"};
    return t >= 1 && t <= 10 ? n[t] : "?";
}

static void print_tokens(hm_analyzer *a, const hm_result *r, const char *text)
{
    size_t n;
    const hm_token *t = hm_analyzer_tokens(a, &n);
    printf("lang %s\n", r->lang);
    for (size_t i = 0; i < n; i++) {
        printf("%-8s [%zu,%zu) %.*s\tnorm=%s", tok_type(t[i].type), t[i].start, t[i].end,
               (int)(t[i].end - t[i].start), text + t[i].start, t[i].norm);
        if (t[i].type == HM_TOK_WORD)
            printf(" lower=%s stem=%s", t[i].lower, t[i].stem);
        if (t[i].type == HM_TOK_NUMBER || t[i].type == HM_TOK_DURATION)
            printf(" value=%g", t[i].value);
        if (t[i].flags & HM_TF_CAPS) printf(" CAPS");
        if (t[i].flags & HM_TF_ELONGATED) printf(" elongated");
        if (t[i].flags & HM_TF_ELISION) printf(" elision");
        if (t[i].flags & HM_TF_HASHPART) printf(" hashtag-part");
        printf("\n");
    }
}

static int quick(cli *c, int argc, char **argv, int mode)
{
    int np = parse_opts(c, argc, argv, 0);
    if (np < 0)
        return EXIT_USAGE;
    if (np == 0) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    char *text = join_args(np, argv);
    hm_engine *e = text ? open_engine(c) : NULL;
    if (!e) {
        free(text);
        return EXIT_IO;
    }
    hm_status st;
    hm_analyzer *a = hm_analyzer_new(e, &st);
    int rc = EXIT_OK;
    hm_result r;
    hm_options opt = {c->lang, c->scorer};
    int arc = a ? hm_analyze_ex(a, text, strlen(text), &opt, &r) : HM_ENOMEM;
    if (arc) {
        fprintf(stderr, "humeur: %s\n", hm_strerror(arc));
        rc = EXIT_IO;
    } else if (mode == 1) {
        print_explain(&r);
        print_unreported_cues(a, &r, text);
    } else if (mode == 2) {
        print_tokens(a, &r, text);
    } else if (c->json) {
        size_t jl;
        const char *js = hm_result_json(a, &r, NULL, &jl);
        if (js)
            printf("%s\n", js);
    } else {
        print_human(&r, text);
    }
    if (fflush(stdout)) {
        fprintf(stderr, "humeur: write error: %s\n", strerror(errno));
        rc = EXIT_IO;
    }
    hm_analyzer_free(a);
    hm_engine_close(e);
    free(text);
    return rc;
}

static int score(cli *c, int argc, char **argv)
{
    int np = parse_opts(c, argc, argv, 1);
    if (np < 0)
        return EXIT_USAGE;
    hm_engine *e = open_engine(c);
    if (!e)
        return EXIT_IO;
    c->bo.lang = c->lang;
    c->bo.scorer = c->scorer;
    c->bo.stop_flag = &g_stop;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int had_errors = 0, status = EXIT_OK;
    unsigned long long base = 0;
    if (np == 0) {
        status = batch_run(e, &c->bo, stdin, "stdin", stdout, &had_errors, &base);
    } else {
        for (int i = 0; i < np && status == EXIT_OK; i++) {
            FILE *f = strcmp(argv[i], "-") ? fopen(argv[i], "rb") : stdin;
            if (!f) {
                fprintf(stderr, "humeur: %s: %s\n", argv[i], strerror(errno));
                status = EXIT_IO;
                break;
            }
            status = batch_run(e, &c->bo, f, argv[i], stdout, &had_errors, &base);
            if (f != stdin)
                fclose(f);
        }
    }
    hm_engine_close(e);
    if (status == EXIT_OK && had_errors)
        status = EXIT_SOME_ERRORS;
    return status;
}

int main(int argc, char **argv)
{
    cli c;
    memset(&c, 0, sizeof c);
    c.bo.threads = 1;
    c.bo.text_field = "text";
    c.bo.id_field = "id";
    c.bo.max_line = 64u << 20;
    c.bo.long_line = 256u << 10;
    c.bo.progress = isatty(2);
    int rc;
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "score"))
        rc = score(&c, argc - 2, argv + 2);
    else if (!strcmp(cmd, "explain"))
        rc = quick(&c, argc - 2, argv + 2, 1);
    else if (!strcmp(cmd, "tokens"))
        rc = quick(&c, argc - 2, argv + 2, 2);
    else if (!strcmp(cmd, "train"))
        rc = cmd_train(argc - 2, argv + 2);
    else if (!strcmp(cmd, "eval"))
        rc = cmd_eval(argc - 2, argv + 2);
    else if (!strcmp(cmd, "induce"))
        rc = cmd_induce(argc - 2, argv + 2);
    else if (!strcmp(cmd, "help"))
        rc = (fputs(usage, stdout), EXIT_OK);
    else
        rc = quick(&c, argc - 1, argv + 1, 0);
    free(c.keepbuf);
    return rc;
}
