/*
 * langid.c — French / English / undetermined, per post, from the text itself.
 *
 * Evidence, strongest first: frequent function words of each language (read on
 * the lower-case form, so "à" and "a" differ), French elisions (l' j' qu'...),
 * English contractions (n't, 'm, 're, 's), letters with French diacritics, and
 * words that only one language's lexicon knows.  A post with no evidence at all
 * (emoji only, URLs, numbers) is "und".
 */
#include "internal.h"

#include <math.h>
#include <string.h>

/* Weights: 2 = nearly exclusive and frequent, 1 = indicative. */
static const char *const fr_words[] = {
    "le", "la", "les", "une", "des", "du", "et", "est", "sont", "pas", "je", "tu", "il",
    "elle", "nous", "vous", "ils", "elles", "ce", "cette", "ces", "que", "qui", "quoi", "dans",
    "pour", "par", "avec", "sur", "sous", "mais", "ou", "où", "donc", "car", "ne", "plus",
    "très", "trop", "bien", "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses",
    "notre", "votre", "leur", "leurs", "au", "aux", "y", "en", "été", "était", "avoir", "être",
    "fait", "faire", "tout", "tous", "toute", "toutes", "rien", "aucun", "aucune", "jamais",
    "encore", "aussi", "comme", "quand", "parce", "peu", "merci", "bonjour", "ça", "cela",
    "ceci", "chez", "avant", "après", "depuis", "pendant", "sans", "vraiment", "toujours",
    "déjà", "moi", "toi", "lui", "eux", "même", "autre", "ici", "là", "oui", "non", "alors",
    "ont", "avait", "avais", "suis", "sommes", "êtes", "vais", "va", "vont", "faut", "peut",
    "veux", "cest", "etait", "tres", "meme", "deja", "apres", "à", "c'est", "j'ai", "n'est",
    "qu'il", "d'un", "d'une", "l'on", "j'aime", "étaient", "sera", "serait", "avons", "avez",
    "quelle", "quel", "quels", "quelles", "dont", "mdr", "ptdr", "svp", "stp", "bcp", "jsuis",
    "chui", "pk", "pcq", "qd", "tjrs", "tjs", "ben", "bin", "pis", "icitte", "pantoute", "tsé",
    "faque", "ouin", "nul", "nulle", "génial", "vachement", "franchement", "genre", "voilà",
    "voila", "beaucoup", "personne", "jusqu'à", "aujourd'hui", "hier", "demain", "semaine",
    "mois", "ans", "heure", "heures", "minutes", "commande", "livraison", "colis", "accueil",
    "film", "livre", "avis", "produit", "qualité", "prix", "cher", "chère", "client",
    "clients", "personnel", "attente", "rapide", "lent", "déçu", "déçue", "sinon", "puis",
    "ensuite", "enfin", "malgré", "chaque", "quelque", "quelques", "entre", "vers", "contre",
    "selon", "plusieurs", "nos", "vos", "cet", "ai", "as", "fois", "bonne", "bon", "mauvais",
    "mauvaise", "pire", "mieux", "tellement", "assez", "rendez-vous", "assurance",
    "remboursement", "réponse", NULL};

static const char *const en_words[] = {
    "the", "an", "and", "is", "are", "was", "were", "be", "been", "being", "to", "of", "in",
    "at", "for", "with", "by", "from", "this", "that", "these", "those", "it", "its", "i",
    "you", "he", "she", "we", "they", "my", "your", "his", "her", "our", "their", "not", "no",
    "but", "or", "so", "if", "then", "than", "very", "really", "just", "have", "has", "had",
    "do", "does", "did", "don't", "can't", "won't", "i'm", "it's", "what", "which", "who",
    "when", "where", "why", "how", "there", "here", "all", "any", "some", "more", "most",
    "about", "up", "out", "get", "got", "would", "could", "should", "will", "can", "one",
    "only", "also", "too", "well", "thanks", "thank", "please", "still", "even", "after",
    "before", "time", "customer", "didn't", "doesn't", "isn't", "wasn't", "i've", "i'll",
    "you're", "that's", "dont", "cant", "wont", "im", "ive", "u", "ur", "lol", "omg", "me",
    "him", "them", "us", "am", "into", "over", "again", "never", "always", "because", "what's",
    "there's", "he's", "she's", "we're", "they're", "haven't", "hasn't", "couldn't",
    "wouldn't", "shouldn't", "aren't", "weren't", "let", "make", "made", "go", "going", "went",
    "know", "think", "want", "need", "good", "great", "bad", "best", "worst", "love", "like",
    "hate", "flight", "service", "movie", "book", "product", "back", "today", "yesterday",
    "tomorrow", "hours", "hour", "minutes", "delayed", "cancelled", "waiting", "wait", "hold",
    "help", "thx", "pls", "plz", "much", "many", "every", "each", "other", "another",
    "something", "nothing", "anything", "everything", "way", "day", "days", "week", "year",
    "people", "staff", "food", "place", "nice", "now", "new", "first", "last", "yet", "while",
    "though", "although", "since", "until", "without", "through", "gets", NULL};

/* The word lists become two maps of the engine at open time. */
int hm_langid_build(hm_map *fr, hm_map *en)
{
    for (int i = 0; fr_words[i]; i++)
        if (hm_map_put(fr, fr_words[i], strlen(fr_words[i]), 1))
            return HM_ENOMEM;
    for (int i = 0; en_words[i]; i++)
        if (hm_map_put(en, en_words[i], strlen(en_words[i]), 1))
            return HM_ENOMEM;
    return 0;
}

static int has_french_diacritic(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++) {
        if (p[0] == 0xC3 && p[1]) {
            unsigned char c = p[1];
            /* à â ç é è ê ë î ï ô û ù ü ÿ (lower case) */
            if (c == 0xA0 || c == 0xA2 || c == 0xA7 || c == 0xA9 || c == 0xA8 || c == 0xAA ||
                c == 0xAB || c == 0xAE || c == 0xAF || c == 0xB4 || c == 0xBB || c == 0xB9 ||
                c == 0xBC)
                return 1;
        }
        if (p[0] == 0xC5 && p[1] == 0x93) /* œ */
            return 1;
    }
    return 0;
}

/* The evidence of one word (not an elision): a vote code (enum below) that
 * depends on the word alone, so the token cache keeps it. */
enum { V_NONE, V_FR, V_EN, V_FR_ACCENT, V_FR_LEX, V_EN_LEX };
_Static_assert(V_EN_LEX + 1 <= 7, "a vote + 1 fits the token cache memo's 3 bits");

static int word_vote(const hm_textbuf *tb, const tok *t, const hm_map *frw, const hm_map *enw,
                     const hm_lexicon *lx)
{
    const char *lw = tb_str(tb, t->lower);
    int same = tok_lower_is_norm(t);
    size_t ln = same ? t->norm_len : strlen(lw);
    uint32_t v;
    uint64_t h = same ? t->nh : hm_hash(lw, ln);
    int isfr = hm_map_get_h(frw, lw, ln, h, &v), isen = hm_map_get_h(enw, lw, ln, h, &v);
    if (isfr && !isen)
        return V_FR;
    if (isen && !isfr)
        return V_EN;
    if (isfr && isen)
        return V_NONE;
    /* contractions (all with an apostrophe: most words are done with one memchr) */
    if (ln > 3 && memchr(lw, '\'', ln) &&
        (strstr(lw, "n't") || strstr(lw, "'m") || strstr(lw, "'re") || strstr(lw, "'ve") ||
         strstr(lw, "'ll") || (ln > 2 && lw[ln - 2] == '\'' && lw[ln - 1] == 's')))
        return V_EN;
    if (has_french_diacritic(lw))
        return V_FR_ACCENT;
    if (lx) {
        const char *nm = tb_str(tb, t->norm);
        int lfr = hm_lex_word_h(lx, LANG_FR, nm, t->norm_len, t->nh) != NULL;
        int len_ = hm_lex_word_h(lx, LANG_EN, nm, t->norm_len, t->nh) != NULL;
        if (lfr && !len_)
            return V_FR_LEX;
        if (len_ && !lfr)
            return V_EN_LEX;
    }
    return V_NONE;
}

int hm_langid_ex(const hm_textbuf *tb, const hm_map *frw, const hm_map *enw,
                 const hm_lexicon *lx, double *conf)
{
    static const double wfr[] = {0, 1, 0, 0.7, 0.4, 0}, wen[] = {0, 0, 1, 0, 0, 0.4};
    double fr = 0, en = 0;
    int nwords = 0;
    for (size_t i = 0; i < tb->ntoks; i++) {
        const tok *t = &tb->toks[i];
        if (t->type != HM_TOK_WORD || (t->flags & HM_TF_HASHPART))
            continue;
        nwords++;
        if (t->flags & HM_TF_ELISION) {
            fr += 1.5;
            continue;
        }
        /* memoized in the token's cache entry */
        unsigned m = hm_tc_lid(tb, t);
        int vote;
        if (m)
            vote = (int)m - 1;
        else {
            vote = word_vote(tb, t, frw, enw, lx);
            hm_tc_lid_set(tb, t, (unsigned)vote + 1);
        }
        fr += wfr[vote];
        en += wen[vote];
    }
    if (fr == 0 && en == 0) {
        *conf = 0;
        return LANG_UND;
    }
    double d = fr - en;
    *conf = 1.0 - exp(-fabs(d));
    if (d == 0) {
        *conf = 0;
        return nwords ? LANG_EN : LANG_UND;
    }
    return d > 0 ? LANG_FR : LANG_EN;
}
