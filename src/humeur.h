/*
 * humeur.h — public API of libhumeur.
 *
 * humeur reads what customers write about a business (reviews, tweets, support
 * emails) in French (France, Québec) and English and tells the language, the
 * polarity with a score and probabilities, whether the post is a complaint,
 * which complaint categories it raises, and the evidence for each decision.
 *
 * Model of use:
 *   hm_engine   — immutable: lexicons, models, compiled patterns.  Open once,
 *                 share it between any number of threads.
 *   hm_analyzer — per-thread workspace (stemmers, caches, buffers).  One thread
 *                 at a time; results live in its memory until its next call.
 *
 * The library never prints, never exits and never aborts on bad input: every
 * failure is an HM_E* code, with details in an hm_status where one is passed.
 * Text is UTF-8; invalid bytes are replaced by U+FFFD, never rejected.
 */
#ifndef HUMEUR_H
#define HUMEUR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(HM_BUILDING) && defined(__GNUC__)
#define HM_API __attribute__((visibility("default")))
#else
#define HM_API
#endif

#define HM_VERSION_MAJOR 0
#define HM_VERSION_MINOR 1
#define HM_VERSION_PATCH 0
#define HM_VERSION_STRING "0.1.0"

/* Error codes.  0 is success; hm_strerror() gives a static message. */
enum {
    HM_OK = 0,
    HM_ENOMEM = 1,    /* out of memory */
    HM_EINVAL = 2,    /* invalid argument (NULL where not allowed, bad option) */
    HM_EIO = 3,       /* a file could not be opened or read */
    HM_EFORMAT = 4,   /* a lexicon, category or model file is malformed */
    HM_EVERSION = 5,  /* a model file of an unsupported format version */
    HM_ECHECKSUM = 6, /* a model file whose checksum does not match (corrupt) */
    HM_EPATTERN = 7,  /* a category pattern does not compile (PCRE2) */
    HM_ELIMIT = 8,    /* an internal limit was hit (PCRE2 match limit...) */
    HM_EDATA = 9      /* training data unusable (no rows, one class only...) */
};

typedef struct hm_engine hm_engine;
typedef struct hm_analyzer hm_analyzer;

/* Details of a failure: code, message, and where known the file and line. */
typedef struct hm_status {
    int code;
    char message[512];
} hm_status;

/* Polarity classes; also indexes into hm_result.probs (value + 1). */
enum { HM_NEGATIVE = -1, HM_NEUTRAL = 0, HM_POSITIVE = 1 };

/* Which scorer decides the polarity. */
enum {
    HM_SCORER_DEFAULT = 0, /* the blend where models exist, else the lexicon */
    HM_SCORER_LEXICON = 1, /* lexicon and rules only */
    HM_SCORER_NB = 2,      /* naive Bayes / NB-weighted linear model only */
    HM_SCORER_BLEND = 3    /* calibrated blend of both */
};

/* Language forced on a call; HM_LANG_AUTO detects it from the text. */
enum { HM_LANG_AUTO = 0, HM_LANG_FR = 1, HM_LANG_EN = 2 };

/* Engine configuration.  A zeroed struct (or NULL) means the embedded defaults. */
typedef struct hm_config {
    const char *lexicon_dir;          /* NULL: embedded lexicons; else a directory laid out like
                                         lexicons/ (emoji.tsv, en/, fr/, categories/) */
    const char *const *model_files;   /* NULL: embedded models; else nmodel_files paths */
    size_t nmodel_files;
    int scorer;                       /* HM_SCORER_*; 0 = default */
    size_t max_text_bytes;            /* longer texts are analysed on a prefix and flagged
                                         truncated; 0 = default (64 KiB) */
    int no_models;                    /* 1: load no model at all (lexicon scorer only) */
    const char *const *category_dirs; /* NULL: none; else ncategory_dirs folders whose .tsv
                                         category files are read after the lexicons' own (the
                                         embedded ones or lexicon_dir's): a file named like a
                                         category adds cues to it, another name adds a category */
    size_t ncategory_dirs;
} hm_config;

/* One piece of evidence: a span of the input and what it did to a decision. */
typedef struct hm_evidence {
    size_t start, end;   /* byte offsets into the text passed to hm_analyze */
    double weight;       /* signed contribution to the decision it belongs to */
    const char *text;    /* the span's text (NUL-terminated copy, valid UTF-8) */
    const char *rule;    /* "lexicon", "negated", "intensified", "idiom", "emoji"... */
} hm_evidence;

typedef struct hm_category {
    const char *id;               /* "wait_time", "rudeness", ... */
    double score;                 /* in [0, 1] */
    size_t nevidence;
    const hm_evidence *evidence;  /* matched spans */
} hm_category;

/* Token classes shown by hm_analyzer_tokens(). */
enum {
    HM_TOK_WORD = 1, HM_TOK_NUMBER, HM_TOK_DURATION, HM_TOK_EMOJI, HM_TOK_EMOTICON,
    HM_TOK_URL, HM_TOK_MENTION, HM_TOK_HASHTAG, HM_TOK_PUNCT, HM_TOK_SYMBOL
};
/* Token flags. */
enum {
    HM_TF_CAPS = 1,       /* written in capitals (two letters or more) */
    HM_TF_ELONGATED = 2,  /* a letter repeated three times or more was folded */
    HM_TF_ELISION = 4,    /* a French elided article/pronoun: l' j' qu' ... */
    HM_TF_HASHPART = 8    /* a word taken out of a hashtag */
};

typedef struct hm_token {
    int type;            /* HM_TOK_* */
    int flags;           /* HM_TF_* */
    size_t start, end;   /* byte span in the original text */
    const char *norm;    /* normalized form: lower case, accents removed, elongation folded */
    const char *lower;   /* lower case NFC with accents (what the stemmer reads) */
    const char *stem;    /* Snowball stem (accents removed) for words, else "" */
    double value;        /* numbers: the value; durations: minutes */
} hm_token;

/* The analysis of one text.  Every pointer is owned by the analyzer and valid
 * until its next hm_analyze() call or hm_analyzer_free(). */
typedef struct hm_result {
    const char *lang;            /* "fr", "en" or "und" */
    double lang_conf;            /* confidence of the language decision in [0, 1] */
    int polarity;                /* HM_NEGATIVE, HM_NEUTRAL, HM_POSITIVE */
    double score;                /* in [-1, 1] */
    double probs[3];             /* negative, neutral, positive; they sum to 1 */
    int complaint;               /* 1 when the post is a complaint */
    double complaint_prob;
    size_t ncategories;
    const hm_category *categories;
    size_t nevidence;
    const hm_evidence *evidence; /* what moved the polarity */
    int truncated;               /* 1 when only a prefix of the text was analysed */
    const char *scorer;          /* "lexicon", "nb" or "blend": who decided */
} hm_result;

/* Options of one call; a zeroed struct or NULL means the defaults. */
typedef struct hm_options {
    int lang;                    /* HM_LANG_*: force the language */
    int scorer;                  /* HM_SCORER_*: 0 = the engine's */
} hm_options;

/* Version of the library at run time, e.g. "0.1.0". */
HM_API const char *hm_version(void);

/* Static English message for an HM_E* code; never NULL. */
HM_API const char *hm_strerror(int code);

/* Open an engine.  cfg NULL or zeroed: embedded default lexicons and models.
 * Returns NULL on failure with st (if not NULL) filled in.  Thread safe. */
HM_API hm_engine *hm_engine_open(const hm_config *cfg, hm_status *st);

/* Close an engine once every analyzer made from it is freed.  NULL is a no-op. */
HM_API void hm_engine_close(hm_engine *e);

/* A per-thread analyzer on a shared engine.  NULL on failure (st filled in). */
HM_API hm_analyzer *hm_analyzer_new(const hm_engine *e, hm_status *st);
HM_API void hm_analyzer_free(hm_analyzer *a);

/* Analyse len bytes of text (any bytes: invalid UTF-8 and NULs are tolerated).
 * Fills *out; returns 0 or an HM_E* code (then *out holds neutral values). */
HM_API int hm_analyze(hm_analyzer *a, const char *text, size_t len, hm_result *out);

/* Same with per-call options (language forced, scorer). opts may be NULL. */
HM_API int hm_analyze_ex(hm_analyzer *a, const char *text, size_t len,
                         const hm_options *opts, hm_result *out);

/* The tokens of the last analysed text (the pipeline made visible). */
HM_API const hm_token *hm_analyzer_tokens(const hm_analyzer *a, size_t *n);

/* A category cue found in the last analysed text.  Every match is listed,
 * whether or not its category was reported: a category is reported for a
 * complaint whose cues add up to at least 0.5 (hm_category.evidence shows its
 * positive ones), so these tell why a category is absent too. */
typedef struct hm_cue {
    const char *category;  /* "wait_time", ... */
    double weight;         /* negative: praise of the aspect */
    size_t start, end;     /* byte span in the original text */
} hm_cue;

/* The category cues of the last analysed text, in the order found; valid
 * until the next analysis.  NULL with *n = 0 when there are none (or on
 * allocation failure). */
HM_API const hm_cue *hm_analyzer_cues(const hm_analyzer *a, size_t *n);

/* Render a result as one line of JSON (no newline) into the analyzer's memory.
 * id_json, if not NULL, is a JSON value written as the "id" field as is.
 * Returns the NUL-terminated string (valid until the next call) and its length. */
HM_API const char *hm_result_json(hm_analyzer *a, const hm_result *r, const char *id_json,
                                  size_t *len);

/* The longest text the engine analyses whole (hm_config.max_text_bytes, or
 * its default): a longer one is analysed on its first bytes, and only the first
 * hm_engine_max_text(e) + 1 bytes of a text are ever read. */
HM_API size_t hm_engine_max_text(const hm_engine *e);

/* Names of the complaint categories the engine knows, in report order. */
HM_API size_t hm_engine_categories(const hm_engine *e, const char *const **ids);

/* Polarity name: "negative", "neutral" or "positive". */
HM_API const char *hm_polarity_name(int polarity);

/* ---------- training ----------
 * A trainer reads labelled posts of one language through the engine's own
 * pipeline and fits the naive Bayes-weighted linear models and the calibrated
 * blend (see README "Models").  Deterministic: same posts in the same order,
 * same options -> byte-identical model file.  Not thread safe (one thread). */
typedef struct hm_trainer hm_trainer;

#define HM_NO_LABEL 99     /* polarity unknown for this post */

typedef struct hm_train_opts {
    unsigned seed;         /* shuffling seed; 0 = 1 */
    int epochs;            /* SGD epochs; 0 = 8 */
    double l2;             /* pull of the weights towards naive Bayes; 0 = tuned on dev */
    double alpha;          /* naive Bayes smoothing; 0 = 0.5 */
    int min_count;         /* features seen in fewer training posts are dropped; 0 = 2 */
    double prune;          /* weights below this (absolute) are dropped; 0 = 1e-3 */
    double group_balance;  /* 0..1: how far sources are brought to equal weight; 0 = 0.5 */
    double lr;             /* SGD step of the polarity heads (relative to the inputs' mean
                            * squared norm); 0 = tuned on dev */
    double complaint_lr;   /* the same for the complaint head; 0 = tuned on dev */
    double complaint_threshold; /* complaint decision threshold; 0 = tuned on dev
                            * (maximum F1), 0.5 when there are no dev complaint labels */
    int long_from;         /* posts of this many tokens or more use the model's long-post
                            * weights; 0 = 48, negative = one set of weights */
    double domain_share;   /* weight with which a training post also teaches the other
                            * length domain; 0 = 0.2, negative = none */
    int one_blend;         /* 1: one blend and one set of decision biases for all sources,
                            * no router; 0 = one per source, mixed by the router */
    int complaint_folds;   /* the complaint blend and threshold are fitted on out-of-fold
                            * complaint head scores of the training posts (this many folds)
                            * and on the dev posts; 0 = 5, negative = dev posts only */
    double complaint_l2;   /* the complaint head's pull; 0 = tuned on dev (or l2 when given) */
    int refit;             /* 1: once tuned, fit the heads and the router again with the
                            * held-out rows (hm_trainer_add's dev 2) as training rows,
                            * keeping the blends, decision biases and complaint threshold
                            * fitted on them; 0: those rows only tune */
} hm_train_opts;

/* A model tells apart at most this many sources with polarity labels. */
#define HM_TRAIN_MAX_SOURCES 16

/* The metric a source's dev rows are judged by when tuning (the mean over
 * sources is maximized); decision biases are tuned for it. */
enum { HM_METRIC_ACCURACY = 0, HM_METRIC_MACRO_F1 = 1, HM_METRIC_MACRO_RECALL = 2 };

/* One setting tried while tuning, and its dev figure. */
typedef struct hm_train_trial {
    int complaint;             /* 0: the polarity heads (dev score), 1: the complaint head (F1) */
    double lr, l2, score;
    double logloss;            /* log-loss of the out-of-fold probabilities, what the
                                * settings are chosen on (polarity: mean over sources) */
} hm_train_trial;

typedef struct hm_train_report {
    size_t ntrain, ndev, nfeatures, nkept;
    size_t ncomplaint_train, ncomplaint_dev;
    double l2;                 /* the value used (tuned or given) */
    double dev_accuracy;       /* blend, on polarity-labelled dev posts */
    double dev_macro_f1;
    double dev_nb_accuracy;    /* the NB-LR heads alone (argmax) */
    double dev_lexicon_accuracy;
    double dev_ece;            /* expected calibration error of the blend, 10 bins */
    double dev_complaint_f1;   /* when complaint labels were given */
    double dev_score;          /* mean over sources of their metric (what was tuned) */
    double lr;                 /* the polarity heads' step used (tuned or given) */
    double complaint_lr, complaint_l2, complaint_threshold;
    size_t ncomplaint_blend;   /* posts the complaint blend and threshold were fitted on
                                * (the dev posts, and the training posts out-of-fold) */
    double oof_complaint_f1;   /* F1 of their out-of-fold complaint decisions */
    int nsources;              /* sources with their own blend (1 with one blend) */
    int source_group[HM_TRAIN_MAX_SOURCES];  /* their groups (hm_trainer_set_group) */
    float bias[HM_TRAIN_MAX_SOURCES][3];     /* their decision biases (neg, neu, pos) */
    double dev_router_accuracy;  /* dev posts routed to their own source */
    hm_train_trial tried[16];  /* the settings tried, in order */
    int ntried;
    size_t nrefit;             /* held-out rows that trained in the refit (0: none) */
} hm_train_report;

/* lang: HM_LANG_FR or HM_LANG_EN.  The engine gives lexicons and categories
 * (its models, if any, are not used). */
HM_API hm_trainer *hm_trainer_new(const hm_engine *e, int lang, hm_status *st);
/* Add a post: polarity HM_NEGATIVE/HM_NEUTRAL/HM_POSITIVE or HM_NO_LABEL,
 * complaint 0/1 or -1 when unknown, weight > 0; dev 0 for a training post,
 * 1 for a tuning post, 2 for a row held out of a training source (it tunes;
 * with hm_train_opts.refit it trains as well once the settings are chosen). */
HM_API int hm_trainer_add(hm_trainer *t, const char *text, size_t len, int polarity,
                          int complaint, int dev, double weight);
/* Posts added from now on belong to source `group` (0..1023), for balancing. */
HM_API int hm_trainer_set_group(hm_trainer *t, int group);
/* The dev rows of the current source are judged by metric (HM_METRIC_*;
 * accuracy by default). */
HM_API int hm_trainer_set_metric(hm_trainer *t, int metric);
/* After a fit: the metric of source `group`'s dev rows (NAN when it has none). */
HM_API double hm_trainer_dev_score(const hm_trainer *t, int group);
HM_API int hm_trainer_fit(hm_trainer *t, const hm_train_opts *o, hm_train_report *rep,
                          hm_status *st);
/* Write the fitted model (written to a temporary file, then renamed). */
HM_API int hm_trainer_save(const hm_trainer *t, const char *path, hm_status *st);
HM_API void hm_trainer_free(hm_trainer *t);

#ifdef __cplusplus
}
#endif
#endif
