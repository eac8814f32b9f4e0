/*
 * categories.c — complaint category detectors defined by data files.
 *
 * Each file categories/<id>.tsv (header "kind lang pattern weight") adds one
 * category: stems (any word with that Snowball stem), phrases (exact sequences
 * of normalized words) and PCRE2 patterns run, JIT-compiled, on the normalized
 * text of the post (lower case, no accents, single spaces).  That text is
 * folded to ASCII letters, so \b, \w, \d and \s keep PCRE2's ASCII meaning
 * (Unicode properties would cost a fifth of the matching time for nothing).
 * A cue right after a negator in the same clause ("aucune attente", "no
 * wait") is dropped.  A category fires when the weights it gathers (plus 0.5
 * when the post is negative) reach 1.0, and only for complaints.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CATS 64

static int add_cue(hm_cats *c, hm_map *m, const char *k, size_t n, int cat, double w)
{
    if (c->ncues == c->cuecap) {
        size_t nc = c->cuecap ? c->cuecap * 2 : 256;
        cat_cue *v = realloc(c->cues, nc * sizeof *v);
        if (!v)
            return HM_ENOMEM;
        c->cues = v;
        c->cuecap = nc;
    }
    uint32_t head;
    int32_t next = hm_map_get(m, k, n, &head) ? (int32_t)head : -1;
    cat_cue *q = &c->cues[c->ncues];
    q->cat = (uint16_t)cat;
    q->weight = (float)w;
    q->next = next;
    if (hm_map_put(m, k, n, (uint32_t)c->ncues))
        return HM_ENOMEM;
    c->ncues++;
    return 0;
}

static int cat_index(hm_cats *c, const char *name, size_t n)
{
    for (size_t i = 0; i < c->ncats; i++)
        if (strlen(c->ids[i]) == n && !memcmp(c->ids[i], name, n))
            return (int)i;
    if (c->ncats >= MAX_CATS)
        return -1;
    char **v = realloc(c->ids, (c->ncats + 2) * sizeof *v);
    if (!v)
        return -2;
    c->ids = v;
    char *s = malloc(n + 1);
    if (!s)
        return -2;
    memcpy(s, name, n);
    s[n] = 0;
    c->ids[c->ncats] = s;
    c->ids[c->ncats + 1] = NULL;
    return (int)c->ncats++;
}

/* Literal prefilter.  Every match of a pattern contains one of a few
 * literals, found conservatively: a run of plain characters at the top level
 * of the pattern (a character that a quantifier may remove ends it), "\d" where
 * a match cannot skip it (the pseudo-literal "a digit"), or, for a mandatory
 * group, the union of what each of its branches requires (found the same way,
 * recursively; none when a branch requires nothing).  Of the candidates, the
 * set whose shortest literal is longest wins.  Literals are cut to HM_LIT_MAX
 * bytes (a prefix of a required literal is required too).  A post whose
 * normalized text holds none of a pattern's literals skips it without running it.
 *
 * Each literal of a set is stored as a flags byte (LIT_BASE | LIT_LEAD |
 * LIT_TRAIL), its bytes and a NUL.  LIT_LEAD: in the pattern, every way to
 * reach it passes a boundary right before it ("\b", "\s", a space or
 * punctuation, "^", or a group whose every branch ends so, perhaps through
 * optional groups that do: ends_bound), so the text byte before an
 * occurrence that a match uses cannot be a word character; LIT_TRAIL: the
 * same right after it (starts_bound). */
enum { LIT_BASE = 0x40, LIT_LEAD = 1, LIT_TRAIL = 2, LIT_LAST = HM_LIT_LAST /* in the index only */ };

static int lit_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == ' ' || ch == '\'';
}

static int quantifier(char ch) { return ch == '?' || ch == '*' || ch == '{'; }

/* Does the item before p[k] occur at least once: no quantifier that allows
 * zero times ("?", "*", "{0...}") follows it?  "{m}", "{m,}" and "{m,n}"
 * with m >= 1 do not. */
static int at_least_once(const char *p, size_t n, size_t k)
{
    if (k >= n || !quantifier(p[k]))
        return 1;
    if (p[k] != '{')
        return 0;
    size_t j = k + 1, lo = 0, dl = 0;
    while (j < n && p[j] >= '0' && p[j] <= '9' && lo < 1000)
        lo = lo * 10 + (size_t)(p[j++] - '0'), dl++;
    if (!dl || lo == 0)
        return 0;
    if (j < n && p[j] == ',')
        for (j++; j < n && p[j] >= '0' && p[j] <= '9'; j++)
            ;
    return j < n && p[j] == '}'; /* else not a quantifier this reading knows: claim nothing */
}

static int word_byte(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
           (ch >= 'A' && ch <= 'Z');
}

/* Append literal s[0..L) (cut to HM_LIT_MAX, which drops LIT_TRAIL) with its
 * flags to the set in buf[0..*w) unless it is there already; 0 when there is
 * no room. */
static int lit_add(char *buf, size_t *w, size_t cap, int *n, int flags, const char *s, size_t L)
{
    if (L > HM_LIT_MAX) {
        L = HM_LIT_MAX;
        flags &= ~LIT_TRAIL;
    }
    if (L && !word_byte((unsigned char)s[0]) && !(L == 1 && s[0] == HM_LIT_DIGIT))
        flags &= ~LIT_LEAD; /* "a digit" keeps it: no word byte before the digit */
    if (L && !word_byte((unsigned char)s[L - 1]))
        flags &= ~LIT_TRAIL;
    char f = (char)(LIT_BASE | flags);
    for (size_t o = 0; o < *w; o += strlen(buf + o) + 1)
        if (strlen(buf + o) == L + 1 && buf[o] == f && !memcmp(buf + o + 1, s, L))
            return 1;
    if (*w + L + 2 > cap)
        return 0;
    buf[(*w)++] = f;
    memcpy(buf + *w, s, L);
    *w += L;
    buf[(*w)++] = 0;
    (*n)++;
    return 1;
}

/* Add every literal of set src (n of them) to buf; *mn becomes the shortest
 * length seen ("a digit" counts as 2, "a currency sign" as 3: rarer).  0 when
 * there is no room. */
static int lit_merge(char *buf, size_t *w, size_t cap, int *nl, const char *src, int n,
                     size_t *mn)
{
    for (int q = 0; q < n; q++) {
        size_t L = strlen(src + 1);
        if (!lit_add(buf, w, cap, nl, src[0] & 3, src + 1, L))
            return 0;
        if (src[1] == HM_LIT_DIGIT || src[1] == HM_LIT_CUR)
            L = src[1] == HM_LIT_DIGIT ? 2 : 3;
        if (L > HM_LIT_MAX)
            L = HM_LIT_MAX;
        if (L < *mn)
            *mn = L;
        src += strlen(src) + 1;
    }
    return 1;
}

static const char digit_lit[1] = {HM_LIT_DIGIT}, cur_lit[1] = {HM_LIT_CUR};

/* The currency sign the pattern or text p[0..n) has at p[i] ("$", "£", "€"
 * in UTF-8): its length in bytes, or 0. */
static size_t currency_at(const char *p, size_t n, size_t i)
{
    if (p[i] == '$')
        return 1;
    if (i + 1 < n && !memcmp(p + i, "\xC2\xA3", 2))
        return 2;
    return i + 2 < n && !memcmp(p + i, "\xE2\x82\xAC", 3) ? 3 : 0;
}

/* Skip a bracket class starting at p[i] == '['; returns the index of its ']'. */
static size_t skip_class(const char *p, size_t n, size_t i)
{
    i++;
    if (i < n && p[i] == '^')
        i++;
    if (i < n && p[i] == ']')
        i++; /* a leading ']' is a member */
    while (i < n && p[i] != ']')
        i += p[i] == '\\' ? 2 : 1;
    return i;
}

/* The index past the pattern atom at p[k] that the readings below step over
 * whole: an escape, a bracket class, or else one byte. */
static size_t next_atom(const char *p, size_t n, size_t k)
{
    if (p[k] == '\\')
        return k + 2;
    return (p[k] == '[' ? skip_class(p, n, k) : k) + 1;
}

#define LIT_SET 2048  /* bytes of a literal set (some 250 literals) */
#define LIT_SETS_MAX 3 /* literal sets per pattern */

/* Where the group opened by p[o] == '(' closes in p[0..n), or n. */
static size_t group_close(const char *p, size_t n, size_t o)
{
    int d = 0;
    for (size_t k = o; k < n; k = next_atom(p, n, k)) {
        d += p[k] == '(';
        d -= p[k] == ')';
        if (!d)
            return k;
    }
    return n;
}

/* Is everything in p[0..i) zero-width ("\b", "^", lookbehinds)? */
static int zero_width(const char *p, size_t i)
{
    for (size_t k = 0; k < i;) {
        if (p[k] == '^')
            k++;
        else if (k + 1 < i && p[k] == '\\' && p[k + 1] == 'b')
            k += 2;
        else if (k + 3 < i && p[k] == '(' && p[k + 1] == '?' && p[k + 2] == '<' &&
                 (p[k + 3] == '!' || p[k + 3] == '=')) {
            size_t e = group_close(p, i, k);
            if (e >= i)
                return 0;
            k = e + 1;
        } else
            return 0;
    }
    return 1;
}

/* Where the first '|' outside groups and classes of p[0..n) is, or n. */
static size_t top_level_bar(const char *p, size_t n)
{
    int lvl = 0;
    for (size_t i = 0; i < n; i = next_atom(p, n, i)) {
        if (p[i] == '(')
            lvl++;
        else if (p[i] == ')')
            lvl--;
        else if (p[i] == '|' && lvl == 0)
            return i;
    }
    return n;
}

/* Is p[k] escaped (an odd number of backslashes right before it)? */
static int escaped(const char *p, size_t k)
{
    size_t b = 0;
    while (b < k && p[k - 1 - b] == '\\')
        b++;
    return b & 1;
}

/* Where the group closed by p[e] opens, or e when p[e] is no group's ')'
 * (escaped, in a class, unbalanced): p read from its start. */
static size_t group_open(const char *p, size_t e)
{
    size_t open[64], k;
    int d = 0;
    for (k = 0; k < e; k = next_atom(p, e, k)) {
        if (p[k] == '(') {
            if (d == 64)
                return e;
            open[d++] = k;
        } else if (p[k] == ')' && d) {
            d--;
        }
    }
    /* an escape or a class over p[e] took k past it */
    return k == e && p[e] == ')' && d ? open[d - 1] : e;
}

/* Where the contents of the group opened at p[o] start, or 0 for a
 * lookaround (zero width: no byte of its own) and for the groups this
 * reading does not know (options, named groups); *look says which. */
static size_t group_body(const char *p, size_t e, size_t o, int *look)
{
    *look = 0;
    if (o + 1 < e && p[o + 1] != '?')
        return o + 1;
    if (o + 2 < e && p[o + 2] == ':')
        return o + 3;
    *look = o + 2 < e && (p[o + 2] == '=' || p[o + 2] == '!' ||
                          (o + 3 < e && p[o + 2] == '<' && (p[o + 3] == '=' || p[o + 3] == '!')));
    return 0;
}

/* A pattern character that stands for itself and is no word byte ("-",
 * ",", "'", ...) */
static int plain_punct(char ch)
{
    return ch > ' ' && ch < 127 && !word_byte((unsigned char)ch) && !strchr("\\^$.|?*+()[]{}", ch);
}

static int ends_bound(const char *p, size_t i, int ctx, int depth);
static int starts_bound(const char *p, size_t n, size_t k, int ctx, int depth);

/* Does every branch of the group p[o..e] (e: its ')') end with a
 * boundary?  bctx: whether what comes before the group does (a branch that
 * may match nothing leaves it as it was). */
static int branches_end_bound(const char *p, size_t o, size_t e, int bctx, int depth)
{
    int look;
    size_t b = group_body(p, e, o, &look);
    if (!b)
        return look && bctx;
    while (b <= e) {
        size_t bar = b + top_level_bar(p + b, e - b);
        if (!ends_bound(p + b, bar - b, bctx ? LIT_LEAD : 0, depth + 1))
            return 0;
        b = bar + 1;
    }
    return 1;
}

/* Does every match of p[0..i) end with a boundary: "\b", "\s", a space, "^",
 * a group whose every branch does, or an optional group whose every branch
 * does after something that does?  Then a text byte right before a word
 * byte that a match puts at i is no word byte.  At i == 0 the context says
 * (LIT_LEAD: what comes before p). */
static int ends_bound(const char *p, size_t i, int ctx, int depth)
{
    if (depth > 8)
        return 0;
    if (i == 0)
        return ctx & LIT_LEAD;
    char ch = p[i - 1];
    if (escaped(p, i - 1))
        return ch == 'b' || ch == 's' || ch == 'W' || ch == ' ';
    if (ch == ' ' || ch == '^' || plain_punct(ch))
        return 1;
    /* a group, once or more ("+"), or perhaps not at all ("?", "*") */
    size_t e = ch == ')' ? i - 1 : i - 2;
    if (ch != ')' && !(i >= 3 && (ch == '?' || ch == '*' || ch == '+') && p[i - 2] == ')'))
        return 0;
    size_t o = group_open(p, e);
    if (o == e)
        return 0;
    int before = ends_bound(p, o, ctx, depth + 1);
    if (!branches_end_bound(p, o, e, before, depth))
        return 0;
    return ch == ')' || ch == '+' || before;
}

/* The same after: does every match of p[k..n) start with a boundary ("\b",
 * "\s", a space, "$", a group whose every branch does...)?  At k == n the
 * context says (LIT_TRAIL). */
static int starts_bound(const char *p, size_t n, size_t k, int ctx, int depth)
{
    if (depth > 8)
        return 0;
    if (k >= n)
        return ctx & LIT_TRAIL;
    if (p[k] == '$' || ((p[k] == ' ' || plain_punct(p[k])) && !(k + 1 < n && quantifier(p[k + 1]))))
        return 1;
    if (p[k] == '\\') /* "\s?" may match nothing */
        return k + 1 < n && (p[k + 1] == 'b' || p[k + 1] == 's' || p[k + 1] == 'W' ||
                             p[k + 1] == ' ') && !(k + 2 < n && quantifier(p[k + 2]));
    if (p[k] != '(')
        return 0;
    size_t e = group_close(p, n, k), after = e + 1;
    if (e >= n)
        return 0;
    char q = after < n ? p[after] : 0;
    int optional = q == '?' || q == '*';
    if (q == '?' || q == '*' || q == '+') {
        after++;
        if (after < n && (p[after] == '?' || p[after] == '+'))
            return 0; /* lazy or possessive: not read here */
    } else if (q == '{') {
        return 0;
    }
    int next = starts_bound(p, n, after, ctx, depth + 1);
    int look;
    size_t b = group_body(p, e, k, &look);
    if (!b)
        return look && !optional && next;
    while (b <= e) {
        size_t bar = b + top_level_bar(p + b, e - b);
        if (!starts_bound(p + b, bar - b, 0, next ? LIT_TRAIL : 0, depth + 1))
            return 0;
        b = bar + 1;
    }
    return !optional || next;
}

/* The boundaries around p[i..k) as LIT_LEAD | LIT_TRAIL (leading, trailing) */
static int bounds(const char *p, size_t n, size_t i, size_t k, int ctx, int trailing)
{
    return (ends_bound(p, i, ctx, 0) ? LIT_LEAD : 0) |
           (trailing && starts_bound(p, n, k, ctx, 0) ? LIT_TRAIL : 0);
}

/* A candidate literal set: its literals (flags byte, bytes, NUL each), its
 * shortest literal ("a digit" counts as 2), whether every match of the
 * slice starts with one of them, at most how many bytes after the start
 * of a match of the slice one of them begins (LEAD_UNBOUNDED: not known),
 * and where the element it comes from starts in a slice that is a sequence
 * (NO_AT in an alternation): the elements of a sequence match in order. */
typedef struct litset {
    char s[LIT_SET];
    size_t w, mn, lead, at;
    int n, first;
} litset;

/* The candidate sets that the reading of a pattern holds at each depth of
 * its groups (required_sets goes no deeper than LIT_DEPTH): on the heap, as
 * they are too large for a thread's stack (some 200 KiB in all). */
#define LIT_DEPTH 8
typedef struct litwork {
    litset top[LIT_SETS_MAX];
    struct {
        litset uni[LIT_SETS_MAX]; /* an alternation's unions (top level or a group's) */
        litset sub[LIT_SETS_MAX]; /* a branch's sets (union_add) */
        litset one;               /* a run or a pseudo-literal */
    } lv[LIT_DEPTH + 1];
} litwork;
/* a set's literals take 3 bytes or more each (flags, a byte, NUL) */
_Static_assert(LIT_SETS_MAX * LIT_SET / 3 <= UINT16_MAX, "a pattern's literals fit cat_regex.nlit");
#define NO_AT SIZE_MAX

static size_t max_len(const char *p, size_t n, int depth);

static size_t lead_add(size_t a, size_t b)
{
    return a >= LEAD_UNBOUNDED || b >= LEAD_UNBOUNDED || a + b >= LEAD_UNBOUNDED ? LEAD_UNBOUNDED
                                                                               : a + b;
}

/* Keep c among the k best sets of best[0..*nb), best first: a longer shortest
 * literal, then fewer literals; on a tie the earlier set stays ahead. */
static void keep_best(litset *best, int *nb, int k, const litset *c)
{
    int at = *nb;
    while (at > 0 && (c->mn > best[at - 1].mn ||
                      (c->mn == best[at - 1].mn && c->n < best[at - 1].n)))
        at--;
    if (at >= k)
        return;
    int last = *nb < k ? *nb : k - 1;
    for (int q = last; q > at; q--)
        best[q] = best[q - 1];
    best[at] = *c;
    if (*nb < k)
        (*nb)++;
}

static int required_sets(litwork *lw, const char *p, size_t n, litset *sets, int k, int ctx,
                         int depth);

/* The run of literal characters p[i..m) right before a group of plain
 * literals ("pas (?:eu|recu)", "en (?:24|48)"): the set of the run followed by
 * each branch, in *c (flags: LIT_LEAD or 0); 0 when what follows the run is
 * not such a group (or one that may be absent), or when a literal would be
 * shorter than 3 bytes.  Every match holds one of them where it holds the run
 * alone, so the set is the run's, only rarer. */
static int run_and_group(const char *p, size_t n, size_t i, size_t m, int flags, litset *c)
{
    if (m - i >= HM_LIT_MAX || m + 3 > n || memcmp(p + m, "(?:", 3))
        return 0;
    c->w = 0;
    c->n = 0;
    c->mn = HM_LIT_MAX;
    size_t j = m + 3, b = j;
    for (;; j++) {
        if (j >= n)
            return 0;
        if (p[j] == '|' || p[j] == ')') {
            char lit[HM_LIT_MAX];
            size_t L = m - i, bl = j - b;
            if (bl > HM_LIT_MAX - L)
                bl = HM_LIT_MAX - L;
            memcpy(lit, p + i, L);
            memcpy(lit + L, p + b, bl);
            L += bl;
            while (L && lit[L - 1] == ' ')
                L--;
            if (L < 3 || !lit_add(c->s, &c->w, LIT_SET, &c->n, flags, lit, L))
                return 0;
            if (L < c->mn)
                c->mn = L;
            if (p[j] == ')')
                break;
            b = j + 1;
        } else if (!lit_char(p[j])) {
            return 0;
        }
    }
    return !(j + 1 < n && (quantifier(p[j + 1]) || p[j + 1] == '+'));
}

/* Alternatives: a match of the whole holds a match of one branch, so the
 * union of one required set of each branch is required.  The q-th union u[q]
 * takes each branch's q-th best set (its last one when it has fewer): up to
 * k unions, as many as the branch with the most sets has.  Adds branch
 * p[0..n) to u[0..*nu) (first: the first branch, which starts them); 0 when a
 * branch requires nothing or a union does not fit. */
static int union_add(litwork *lw, litset *u, int *nu, int k, const char *p, size_t n, int ctx,
                     int depth, int first)
{
    litset *sub = lw->lv[depth].sub;
    int ns = required_sets(lw, p, n, sub, k, ctx, depth + 1);
    if (!ns)
        return 0;
    if (first) {
        for (int q = 0; q < k; q++) {
            u[q].w = 0;
            u[q].n = 0;
            u[q].mn = 1000;
            u[q].first = 1;
            u[q].lead = 0;
        }
        *nu = 0;
    }
    /* every union gets a set of every branch; those past the widest branch
     * would repeat the last one */
    if (ns > *nu)
        *nu = ns;
    for (int q = 0; q < k; q++) {
        const litset *b = &sub[q < ns ? q : ns - 1];
        if (!lit_merge(u[q].s, &u[q].w, LIT_SET, &u[q].n, b->s, b->n, &u[q].mn))
            return 0;
        u[q].first = u[q].first && b->first;
        if (b->lead > u[q].lead)
            u[q].lead = b->lead;
    }
    return 1;
}

/* The unions of one required set of each branch of the alternation p[s..e)
 * (branches split at each '|' outside groups, as many as there are) in
 * u[0..*nu): 0 when a branch requires nothing or a union does not fit.  The
 * branches are read side by side, at this depth: a long list of alternatives
 * costs no nesting. */
static int branches_union(litwork *lw, litset *u, int *nu, int k, const char *p, size_t n,
                          size_t s, size_t e, int ctx, int depth)
{
    for (size_t bs = s, first = 1; bs <= e; first = 0) {
        size_t be = bs, lvl = 0;
        while (be < e && !(p[be] == '|' && lvl == 0)) {
            lvl += (size_t)(p[be] == '(') - (size_t)(p[be] == ')');
            be = next_atom(p, n, be);
        }
        if (be > e)
            be = e;
        if (!union_add(lw, u, nu, k, p + bs, be - bs, ctx, depth, (int)first))
            return 0;
        bs = be + 1;
    }
    return 1;
}

/* The literal sets every match of p[0..n) needs: up to k of them, each from
 * a different mandatory element, best first, in sets[].  Returns how many.
 * ctx: LIT_LEAD / LIT_TRAIL when what comes before / after p[0..n) in the
 * whole pattern is a boundary. */
static int required_sets(litwork *lw, const char *p, size_t n, litset *sets, int k, int ctx,
                         int depth)
{
    size_t cap = LIT_SET;
    if (depth > LIT_DEPTH)
        return 0;
    /* a top-level alternation: sets that are unions of one set of each branch */
    if (top_level_bar(p, n) < n) {
        litset *u = lw->lv[depth].uni;
        int nu = 0;
        if (!branches_union(lw, u, &nu, k, p, n, 0, n, ctx, depth))
            return 0;
        int nb = 0;
        for (int q = 0; q < nu; q++) {
            u[q].at = NO_AT;
            keep_best(sets, &nb, k, &u[q]);
        }
        return nb;
    }
    int nb = 0;
    litset *c = &lw->lv[depth].one;
    for (size_t i = 0; i < n; i++) {
        /* "\d", and a currency sign ("\$", "£", "€"): pseudo-literals */
        size_t cl = p[i] == '\\' && i + 1 < n && p[i + 1] == '$' ? 2
                    : (unsigned char)p[i] >= 0xC2 ? currency_at(p, n, i) : 0;
        int digit = p[i] == '\\' && i + 1 < n && p[i + 1] == 'd';
        if ((digit || cl) && at_least_once(p, n, i + (cl ? cl : 2))) {
            c->w = 0;
            c->n = 0;
            c->mn = digit ? 2 : 3;
            c->first = zero_width(p, i);
            c->at = i;
            c->lead = max_len(p, i, 0);
            lit_add(c->s, &c->w, cap, &c->n, digit && ends_bound(p, i, ctx, 0) ? LIT_LEAD : 0,
                    digit ? digit_lit : cur_lit, 1);
            keep_best(sets, &nb, k, c);
        }
        if (cl > 2) {
            i += cl - 1;
            continue;
        }
        if (p[i] == '\\' || cl) {
            i++;
            continue;
        }
        if (p[i] == '[') {
            i = skip_class(p, n, i);
            continue;
        }
        if (p[i] == '{') {
            while (i < n && p[i] != '}')
                i++;
            continue;
        }
        if (p[i] == '(') {
            /* find the matching ')' and the group's own branches */
            size_t s = i + 1, j = s;
            int usable = 1;
            if (j + 1 < n && p[j] == '?' && p[j + 1] == ':')
                s = j = j + 2;
            else if (j < n && p[j] == '?')
                usable = 0; /* lookarounds and the like */
            size_t d = 1;
            for (; j < n && d; j = next_atom(p, n, j))
                d += (size_t)(p[j] == '(') - (size_t)(p[j] == ')');
            size_t e = j - 1; /* the ')' */
            char q = j < n ? p[j] : 0;
            if (usable && d == 0 && !quantifier(q)) {
                /* the union of what each branch needs */
                int sctx = bounds(p, n, i, e + 1, ctx, 1);
                litset *u = lw->lv[depth].uni;
                int nu = 0;
                int ok = branches_union(lw, u, &nu, k, p, n, s, e, sctx, depth);
                for (int ui = 0; ok && ui < nu; ui++) {
                    u[ui].first = u[ui].first && zero_width(p, i);
                    u[ui].at = i;
                    u[ui].lead = lead_add(max_len(p, i, 0), u[ui].lead);
                    keep_best(sets, &nb, k, &u[ui]);
                }
            }
            i = e;
            continue;
        }
        if (lit_char(p[i]) && p[i] != ' ') {
            size_t m = i;
            while (m < n && lit_char(p[m]))
                m++;
            size_t L = m - i;
            int cut = m < n && quantifier(p[m]);
            L -= (size_t)cut;
            while (L && p[i + L - 1] == ' ')
                L--;
            if (run_and_group(p, n, i, m, ends_bound(p, i, ctx, 0) ? LIT_LEAD : 0, c)) {
                c->first = zero_width(p, i);
                c->at = i;
                c->lead = max_len(p, i, 0);
                keep_best(sets, &nb, k, c);
            } else if (L >= 3) {
                /* a space the run ends with follows the literal */
                int flags = bounds(p, n, i, m, ctx, !cut) | (!cut && L < m - i ? LIT_TRAIL : 0);
                c->w = 0;
                c->n = 0;
                c->mn = L > HM_LIT_MAX ? HM_LIT_MAX : L;
                c->first = zero_width(p, i);
                c->at = i;
                c->lead = max_len(p, i, 0);
                lit_add(c->s, &c->w, cap, &c->n, flags, p + i, L);
                keep_best(sets, &nb, k, c);
            }
            i = m - 1;
        }
    }
    return nb;
}

/* The most bytes p[0..n) can match in the ASCII-folded text (UTF-8 mode, no
 * PCRE2_UCP), or LEAD_UNBOUNDED when that is unbounded or when the slice holds
 * a construct this reading does not know (it then claims nothing). */
static size_t max_len(const char *p, size_t n, int depth)
{
    if (depth > 8)
        return LEAD_UNBOUNDED;
    /* alternatives at this level: the longest */
    size_t bar = top_level_bar(p, n);
    if (bar < n) {
        size_t a = max_len(p, bar, depth + 1), b = max_len(p + bar + 1, n - bar - 1, depth + 1);
        return a > b ? a : b;
    }
    size_t total = 0;
    for (size_t i = 0; i < n;) {
        size_t item;
        unsigned char ch = (unsigned char)p[i];
        if (ch == '\\') {
            if (i + 1 >= n)
                return LEAD_UNBOUNDED;
            char e = p[i + 1];
            i += 2;
            if (e == 'b' || e == 'B')
                item = 0;
            else if (e == 'd' || e == 's' || e == 'w')
                item = 1; /* ASCII only without PCRE2_UCP */
            else if (e == 'D' || e == 'S' || e == 'W')
                item = 4; /* any other character */
            else if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
                return LEAD_UNBOUNDED; /* \x.., \p.., back references, \Q...: not read here */
            else
                item = 1; /* an escaped punctuation character */
        } else if (ch == '[') {
            size_t e = skip_class(p, n, i);
            if (e >= n)
                return LEAD_UNBOUNDED;
            item = 4; /* one character, perhaps not ASCII */
            i = e + 1;
        } else if (ch == '(') {
            size_t close = group_close(p, n, i), j = close + 1;
            if (close >= n)
                return LEAD_UNBOUNDED;
            size_t in = i + 1;
            if (in + 1 < close && p[in] == '?' && p[in + 1] == ':')
                item = max_len(p + in + 2, close - in - 2, depth + 1);
            else if (in + 1 < close && p[in] == '?' && (p[in + 1] == '=' || p[in + 1] == '!'))
                item = 0; /* lookaheads */
            else if (in + 2 < close && p[in] == '?' && p[in + 1] == '<' &&
                     (p[in + 2] == '=' || p[in + 2] == '!'))
                item = 0; /* lookbehinds */
            else if (in < close && p[in] == '?')
                return LEAD_UNBOUNDED; /* options, named groups and the like */
            else
                item = max_len(p + in, close - in, depth + 1);
            if (item >= LEAD_UNBOUNDED)
                return LEAD_UNBOUNDED;
            i = j;
        } else if (ch == '.') {
            item = 4;
            i++;
        } else if (ch == '^' || ch == '$') {
            item = 0;
            i++;
        } else if (ch == ')' || ch == '|' || ch == '*' || ch == '+' || ch == '?' || ch == '{') {
            return LEAD_UNBOUNDED;
        } else { /* a character: its UTF-8 bytes */
            item = 1;
            while (i + item < n && ((unsigned char)p[i + item] & 0xC0) == 0x80)
                item++;
            i += item;
        }
        if (i < n && (p[i] == '*' || p[i] == '+'))
            return LEAD_UNBOUNDED;
        if (i < n && p[i] == '?') {
            i++;
        } else if (i < n && p[i] == '{') {
            /* {m} or {m,n}: at most m or n times; {m,}: unbounded */
            size_t lo = 0, hi, j = i + 1, dl = 0, dh = 0;
            while (j < n && p[j] >= '0' && p[j] <= '9' && lo < 100000)
                lo = lo * 10 + (size_t)(p[j++] - '0'), dl++;
            hi = lo;
            if (j < n && p[j] == ',') {
                j++;
                hi = 0;
                while (j < n && p[j] >= '0' && p[j] <= '9' && hi < 100000)
                    hi = hi * 10 + (size_t)(p[j++] - '0'), dh++;
                if (!dh)
                    return LEAD_UNBOUNDED;
            }
            if (j >= n || p[j] != '}' || !dl || hi >= 100000)
                return LEAD_UNBOUNDED; /* not a quantifier this reading knows */
            item *= hi;
            i = j + 1;
        }
        if (i < n && (p[i] == '?' || p[i] == '+'))
            i++; /* lazy or possessive */
        total += item;
        if (total >= LEAD_UNBOUNDED)
            return LEAD_UNBOUNDED;
    }
    return total;
}

/* A pattern's prefilter: up to three literal sets from different mandatory
 * elements (a post must hold a literal of each), appended to c->litsrc with the
 * set's number in bits 2-3 of each flags byte; a set whose literals start
 * every match goes first (re->lit_first), for the start offset.  Failing
 * that, the set whose element can start the fewest bytes after the match
 * goes first, with that bound (re->lead): matches start at most lead bytes
 * before the first occurrence of one of its literals.  re->after0: the sets
 * whose element comes after set 0's in the pattern's sequence, so in every
 * match. */
static int pattern_literals(hm_cats *c, litwork *lw, cat_regex *re, const char *p, size_t n)
{
    litset *sets = lw->top;
    size_t lead[LIT_SETS_MAX];
    int ns = required_sets(lw, p, n, sets, LIT_SETS_MAX, 0, 0);
    for (int q = 0; q < ns; q++)
        lead[q] = sets[q].lead;
    int best = 0;
    for (int q = 1; q < ns; q++)
        if (sets[q].first ? !sets[best].first : (!sets[best].first && lead[q] < lead[best]))
            best = q;
    if (best) {
        litset *t = &lw->lv[0].one; /* scratch: the reading above is done with it */
        *t = sets[0];
        sets[0] = sets[best];
        sets[best] = *t;
        size_t tl = lead[0];
        lead[0] = lead[best];
        lead[best] = tl;
    }
    size_t w = 0, w0 = c->litsrc.len;
    int nl = 0, kept = 0, first = 0;
    size_t lead0 = LEAD_UNBOUNDED, at0 = NO_AT;
    re->after0 = 0;
    if (hm_buf_reserve(&c->litsrc, (size_t)ns * LIT_SET))
        return HM_ENOMEM;
    for (int q = 0; q < ns; q++) {
        /* each kept set's flags bytes get its number */
        if (!kept) {
            first = sets[q].first;
            lead0 = lead[q];
            at0 = sets[q].at;
        } else if (at0 != NO_AT && sets[q].at != NO_AT && sets[q].at > at0) {
            re->after0 |= (uint8_t)(1u << kept);
        }
        char *d = c->litsrc.p + w0 + w;
        memcpy(d, sets[q].s, sets[q].w);
        for (size_t o = 0; o < sets[q].w; o += strlen(d + o) + 1)
            d[o] = (char)(d[o] | (kept << 2));
        w += sets[q].w;
        nl += sets[q].n;
        kept++;
    }
    re->nlit = (uint16_t)nl;
    re->nsets = (uint8_t)(re->nlit ? kept : 0);
    if (!re->nlit) {
        re->after0 = 0;
        w = 0;
    }
    if (w0 + w > UINT32_MAX)
        return HM_ENOMEM;
    re->lit_off = (uint32_t)w0;
    re->lit_len = (uint32_t)w;
    c->litsrc.len = w0 + w;
    re->lit_first = (uint8_t)(re->nlit && first);
    re->lead = (uint16_t)(re->nlit && !first ? lead0 : LEAD_UNBOUNDED);
    return 0;
}

_Static_assert(HM_LIT_MAX <= 8, "a prefilter literal fits in a 64-bit word");

static inline uint32_t key3(const unsigned char *p)
{
    return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16) + 1;
}

/* bitmaps of the literals' first four bytes (or three), hashed: 8 KiB each,
 * one for the literals that may start anywhere, one for those that start
 * words (LIT_LEAD), word by word side by side (bloom_word: one cache line at
 * word starts) */
#define LIT_BLOOM_BITS 16
#define BLOOM_WORDS ((1u << LIT_BLOOM_BITS) / 64)
_Static_assert(2 * BLOOM_WORDS == HM_LIT_BLOOM_WORDS, "the snapshot's size of lit_bloom");
/* and bitmaps of the literals' first three bytes, exact over the
 * classes of the bytes a literal may hold (each letter, "a digit", space,
 * apostrophe: 5 bits; 0 and CLASS_OTHER_WORD for any other byte): per class
 * pair, two 32-bit words over the third byte's class, side by side: one for
 * the literals that may start anywhere, one for those and the ones that
 * start words (8 KiB in all).  One load rejects most places before any
 * hashing. */
#define TRI_WORDS HM_LIT_TRI_WORDS
#define CLASS_OTHER_WORD 30u
#define CLASS_SPACE 28u
/* the classes of the bytes that are no word bytes (word_byte) */
#define CLASS_NOT_WORD (1u << 0 | 1u << CLASS_SPACE | 1u << 29)

/* The word of lit_tri for the class pair (class of the first byte * 32 +
 * class of the second) when ws (the place may start a word) */
static inline size_t tri_index(unsigned ws, unsigned pair)
{
    return (size_t)ws << 10 | pair;
}

static unsigned lit_class(unsigned char ch)
{
    if (ch >= 'a' && ch <= 'z')
        return 1 + (unsigned)(ch - 'a');
    if (ch >= '0' && ch <= '9')
        return 27;
    if (ch == ' ' || ch == '\'')
        return ch == ' ' ? CLASS_SPACE : 29;
    return word_byte(ch) ? CLASS_OTHER_WORD : 0;
}

/* The word of the bitmaps that holds bit b, for the literals that start
 * words (lead) or for the others. */
static inline size_t bloom_word(uint32_t b, unsigned lead)
{
    return (b >> 6) * 2 + lead;
}

/* The bitmap's bit for the first three bytes of p, whose key3 is k (n == 3),
 * or its first four (n > 3). */
static inline uint32_t bloom_bit(const char *p, uint32_t k, size_t n)
{
    uint32_t x = n > 3 ? k * 31u + (unsigned char)p[3] + 0x9E3779B9u : k;
    return (x * 2654435761u) >> (32 - LIT_BLOOM_BITS);
}

/* Literals of LIT_LONG bytes or more are indexed by their first LIT_LONG
 * bytes (w8: the bytes, little-endian), hashed: their key is the hash's high
 * half, their bitmap bit its top bits.  The common words that start many
 * literals ("pas ", "the ", "not ") then no longer send every occurrence
 * through dozens of literals. */
#define LIT_LONG 6
static inline uint64_t hash_long(uint64_t w8)
{
    return (w8 & ((1ULL << (8 * LIT_LONG)) - 1)) * 0x9E3779B97F4A7C15ULL;
}

/* the slot of a key: the high bits of a multiplicative hash (the low bits of
 * the product would depend on the first byte alone) */
static inline size_t key_slot(uint32_t k, unsigned shift)
{
    return (size_t)((k * 2654435761u) >> shift);
}

static int bitmap_new(uint64_t **b, size_t nwords)
{
    *b = calloc(nwords + 1, sizeof **b);
    return *b ? 0 : HM_ENOMEM;
}

/* The index while it is built: chained nodes, laid out contiguously after. */
struct lit_build {
    struct cat_index idx[3];
    size_t nkeys[3];
    struct bnode { uint64_t word; uint8_t len, flags; int32_t next, tgt; } *lit;
    struct bt { struct cat_target t; int32_t next; } *tgt;
    size_t nlit, ntgt;
};

static unsigned cap_shift(size_t cap)
{
    unsigned shift = 32;
    for (size_t v = cap; v > 1; v >>= 1)
        shift--;
    return shift;
}

/* the slot of key k: its own, or the empty one where it goes */
static inline size_t slot_find(const struct cat_index *x, uint32_t k)
{
    size_t j = key_slot(k, x->shift);
    while (x->slot[j].head && x->slot[j].key != k)
        j = (j + 1) & (x->cap - 1);
    return j;
}

static int index_new(struct cat_index *x, size_t nkeys)
{
    x->cap = 64;
    while (x->cap < nkeys * 2)
        x->cap *= 2;
    x->shift = cap_shift(x->cap);
    x->slot = calloc(x->cap, sizeof *x->slot);
    return x->slot ? 0 : HM_ENOMEM;
}

/* Lay each slot's literals, and each literal's patterns, out contiguously in
 * tables sized to the keys (about half full): the scan of a post then reads
 * consecutive, compact memory instead of chasing links (cache misses were most
 * of the scan's time). */
static int compact_literals(hm_cats *c, const struct lit_build *b)
{
    c->lits = calloc(b->nlit + 1, sizeof *c->lits);
    c->tgts = calloc(b->ntgt + 1, sizeof *c->tgts);
    if (!c->lits || !c->tgts)
        return HM_ENOMEM;
    size_t w = 0, wg = 0;
    for (int t = 0; t < 3; t++) {
        struct cat_index *x = &c->lit_idx[t];
        if (index_new(x, b->nkeys[t]))
            return HM_ENOMEM;
        for (size_t j = 0; j < b->idx[t].cap; j++) {
            const struct cat_slot *from = &b->idx[t].slot[j];
            if (!from->head)
                continue;
            size_t d = slot_find(x, from->key);
            x->slot[d].key = from->key;
            x->slot[d].head = (uint32_t)w + 1;
            for (int32_t e = (int32_t)from->head - 1; e >= 0; e = b->lit[e].next) {
                struct cat_lit *l = &c->lits[w++];
                l->word = b->lit[e].word;
                l->len = b->lit[e].len;
                l->flags = b->lit[e].flags;
                l->tgt = (uint32_t)wg;
                for (int32_t g = b->lit[e].tgt; g >= 0; g = b->tgt[g].next) {
                    c->tgts[wg++] = b->tgt[g].t;
                    l->ntgt++;
                }
            }
            c->lits[w - 1].flags |= LIT_LAST;
        }
    }
    c->nlits = w;
    c->ntgts = wg;
    return 0;
}

static void byte_classes(hm_cats *c)
{
    for (unsigned ch = 0; ch < 256; ch++)
        c->lit_class[ch] = (uint8_t)lit_class((unsigned char)ch);
}

int hm_categories_adopt(hm_cats *c)
{
    for (size_t i = 0; i < c->nre; i++)
        if (c->dup_slot[i] > c->ndup)
            return HM_EFORMAT;
    /* each literal's patterns in tgts; each slot's run of literals ends with
     * a LAST one, the array too; every index has an empty slot */
    for (size_t i = 0; i < c->nlits; i++) {
        const struct cat_lit *l = &c->lits[i];
        if (l->len < 3 || l->len > HM_LIT_MAX || (uint64_t)l->tgt + l->ntgt > c->ntgts)
            return HM_EFORMAT;
    }
    if (c->nlits && !(c->lits[c->nlits - 1].flags & LIT_LAST))
        return HM_EFORMAT;
    for (int t = 0; t < 3; t++) {
        struct cat_index *x = &c->lit_idx[t];
        if (x->cap < 64 || (x->cap & (x->cap - 1)))
            return HM_EFORMAT;
        x->shift = cap_shift(x->cap);
        size_t used = 0;
        for (size_t j = 0; j < x->cap; j++) {
            used += x->slot[j].head != 0;
            if (x->slot[j].head > c->nlits)
                return HM_EFORMAT;
        }
        if (used >= x->cap)
            return HM_EFORMAT;
    }
    byte_classes(c);
    return 0;
}

/* Index every prefilter literal by its first three bytes ("a digit" apart);
 * per language, the patterns that apply and those that always run. */
static int build_literal_index(hm_cats *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nre; i++)
        n += c->re[i].nlit;
    struct lit_build b = {0};
    b.lit = calloc(n + 1, sizeof *b.lit);
    b.tgt = calloc(n + 1, sizeof *b.tgt);
    int pseudo_ok = 1;
    for (int d = 0; d < HM_PSEUDO_N; d++) {
        c->pseudo[d].re = calloc(n + 1, sizeof *c->pseudo[d].re);
        c->pseudo[d].sets = calloc(c->nre + 1, sizeof *c->pseudo[d].sets);
        pseudo_ok = pseudo_ok && c->pseudo[d].re && c->pseudo[d].sets;
    }
    c->need = calloc(c->nre + 1, sizeof *c->need);
    c->lit_bloom = calloc(2 * BLOOM_WORDS, sizeof *c->lit_bloom);
    c->lit_tri = calloc(TRI_WORDS, sizeof *c->lit_tri);
    /* each index sized to the literals of its kind (more than its keys):
     * sized to all the literals, the three were about three times too large,
     * and engine open spent its page faults zeroing and sweeping them */
    size_t per[3] = {0, 0, 0};
    for (size_t i = 0; i < c->nre; i++) {
        const char *lit = c->litsrc.p + c->re[i].lit_off;
        for (int q = 0; q < c->re[i].nlit; q++, lit += strlen(lit) + 1) {
            size_t len = strlen(lit + 1);
            if (!(lit[1] >= 1 && lit[1] <= HM_PSEUDO_N))
                per[len >= LIT_LONG ? 2 : len > 3]++;
        }
    }
    int rc = HM_ENOMEM;
    if (index_new(&b.idx[0], per[0]) || index_new(&b.idx[1], per[1]) ||
        index_new(&b.idx[2], per[2]) ||
        !b.lit || !b.tgt ||
        !pseudo_ok || !c->need || !c->lit_bloom || !c->lit_tri)
        goto out;
    c->nwords = (c->nre + 63) / 64;
    for (int l = LANG_FR; l <= LANG_EN; l++)
        if (bitmap_new(&c->langok[l], c->nwords) || bitmap_new(&c->always[l], c->nwords))
            goto out;
    for (int d = 0; d < HM_PSEUDO_N; d++) {
        for (int k = 0; k < 3; k++)
            if (bitmap_new(&c->pseudo[d].in[k], c->nwords))
                goto out;
        if (bitmap_new(&c->pseudo[d].one, c->nwords))
            goto out;
    }
    if (bitmap_new(&c->nsets1, c->nwords) || bitmap_new(&c->nsets2, c->nwords))
        goto out;
    byte_classes(c);
    for (size_t i = 0; i < c->nre; i++) {
        const cat_regex *re = &c->re[i];
        for (int l = LANG_FR; l <= LANG_EN; l++) {
            if (re->lang != LANG_UND && re->lang != l)
                continue;
            c->langok[l][i >> 6] |= 1ULL << (i & 63);
            if (!re->nlit)
                c->always[l][i >> 6] |= 1ULL << (i & 63);
        }
        const char *lit = c->litsrc.p + re->lit_off;
        c->re[i].anch = (uint8_t)((re->lit_first ? HM_ANCH_AT : 0) | (re->nlit ? HM_ANCH_PLACES : 0));
        int digits0 = 0; /* set 0 holds "a digit" (seen so far) */
        c->need[i] = (uint8_t)((1u << re->nsets) - 1);
        uint64_t bit = 1ULL << (i & 63);
        if (re->nlit && re->nsets <= 2)
            (re->nsets == 1 ? c->nsets1 : c->nsets2)[i >> 6] |= bit;
        for (int q = 0; q < re->nlit; q++, lit += strlen(lit) + 1) {
            size_t len = strlen(lit + 1);
            uint8_t set = (uint8_t)((lit[0] >> 2) & 3);
            if (lit[1] >= 1 && lit[1] <= HM_PSEUDO_N) {
                /* a currency sign: only its first and last places are kept,
                 * no anchored tries on a set 0 with it; a digit: the places
                 * of those that may start a match (after no word byte, when
                 * the pattern says so), which the post's scan keeps */
                if (set == 0 && lit[1] == HM_LIT_DIGIT && c->re[i].anch) {
                    /* after no word byte: when every digit of set 0 says so */
                    int lead = (lit[0] & LIT_LEAD) &&
                               (!digits0 || (c->re[i].anch & HM_ANCH_DLEAD));
                    c->re[i].anch = (uint8_t)((c->re[i].anch & ~HM_ANCH_DLEAD) | HM_ANCH_DIGITS |
                                              (lead ? HM_ANCH_DLEAD : 0));
                    digits0 = 1;
                } else if (set == 0) {
                    c->re[i].anch = 0;
                }
                struct cat_pseudo *d = &c->pseudo[lit[1] - 1];
                d->sets[i] |= (uint8_t)(1u << set);
                (c->need[i] == 1 ? d->one : d->in[set])[i >> 6] |= bit;
                if (c->need[i] == 1u << set) {
                    d->re[d->nre].re = (uint16_t)i;
                    d->re[d->nre++].set = set;
                }
                continue;
            }
            uint32_t k = key3((const unsigned char *)lit + 1);
            uint64_t word = 0;
            memcpy(&word, lit + 1, len); /* HM_LIT_MAX is 8: it fits */
            /* the bitmap holds a literal's first four bytes (three for a
             * literal of three, LIT_LONG for a long one): a common trigram
             * alone passes no more */
            uint64_t hl = hash_long(word);
            uint32_t bb = bloom_bit(lit + 1, k, len);
            /* LIT_LEAD literals in the word beside: read at word starts only */
            unsigned lead = lit[0] & LIT_LEAD;
            c->lit_bloom[bloom_word(bb, lead)] |= 1ULL << (bb & 63);
            if (len >= LIT_LONG) {
                /* and for a long one, its first LIT_LONG bytes, read where
                 * the first four passed */
                bb = (uint32_t)(hl >> (64 - LIT_BLOOM_BITS));
                c->lit_bloom[bloom_word(bb, lead)] |= 1ULL << (bb & 63);
            }
            unsigned c0 = lit_class((unsigned char)lit[1]), c1 = lit_class((unsigned char)lit[2]);
            for (unsigned ws = lead ? 1 : 0; ws < 2; ws++)
                c->lit_tri[tri_index(ws, c0 * 32 + c1)] |= 1u << lit_class((unsigned char)lit[3]);
            /* 3-byte literals by their three bytes, those shorter than
             * LIT_LONG by four, the long ones by their hash */
            int t = len >= LIT_LONG ? 2 : len > 3;
            if (t == 1)
                memcpy(&k, lit + 1, sizeof k);
            else if (t == 2)
                k = (uint32_t)(hl >> 32);
            struct cat_slot *sl = &b.idx[t].slot[slot_find(&b.idx[t], k)];
            if (!sl->head)
                b.nkeys[t]++;
            sl->key = k;
            uint8_t flags = (uint8_t)(lit[0] & 3);
            /* one node per distinct literal, with the patterns it serves */
            int32_t u = (int32_t)sl->head - 1;
            while (u >= 0 && !(b.lit[u].word == word && b.lit[u].len == len &&
                               b.lit[u].flags == flags))
                u = b.lit[u].next;
            if (u < 0) {
                struct bnode *e = &b.lit[b.nlit];
                e->word = word;
                e->len = (uint8_t)len;
                e->flags = flags;
                e->tgt = -1;
                e->next = (int32_t)sl->head - 1;
                u = (int32_t)b.nlit++;
                sl->head = (uint32_t)u + 1;
            }
            struct bt *g = &b.tgt[b.ntgt];
            g->t.re = (uint16_t)i;
            g->t.set = set;
            g->next = b.lit[u].tgt;
            b.lit[u].tgt = (int32_t)b.ntgt++;
        }
    }
    rc = compact_literals(c, &b);
out:
    for (int t = 0; t < 3; t++)
        free(b.idx[t].slot);
    free(b.lit);
    free(b.tgt);
    return rc;
}

/* A literal the scan found: which (in lits), and where. */
struct cat_hit { uint32_t lit, at; };
/* at most one literal of each length (3 to HM_LIT_MAX) and LIT_LEAD and
 * LIT_TRAIL flags occurs at a place */
#define HITS_PER_PLACE ((HM_LIT_MAX - 2) * 4)

/* The state of pattern r, which the prefilter made eligible in this post. */
static inline const struct cat_pstate *pstate(const hm_cat_state *s, size_t r)
{
    return &s->ps[s->slot_of[r] - 1];
}

/* A literal of set `set` of the pattern of state p occurs at i. */
static inline void lit_found(struct cat_pstate *p, unsigned set, size_t i)
{
    p->last[set] = (uint32_t)i; /* the scan goes forward */
    if (set == 0) {
        if (!(p->found & 1) || p->first > i)
            p->first = (uint32_t)i;
        /* the places, in order (the scan goes forward), for anchored tries */
        uint8_t k = p->npos;
        if (k < HM_MAX_POS) {
            if (!k || p->pos[k - 1] != i)
                p->pos[p->npos++] = (uint32_t)i;
        } else if (k == HM_MAX_POS && p->pos[k - 1] != i) {
            p->npos = HM_MAX_POS + 1;
        }
    }
    p->found |= (uint8_t)(1u << set);
}

/* Literal l occurs in the post: the sets of its patterns that it is in, as
 * bitmaps (s->sets).  Only those: most of the patterns touched never get
 * all their sets, and building their places would be wasted. */
static inline void lit_sets(const hm_cats *c, hm_cat_state *s, const struct cat_lit *l)
{
    for (uint32_t g = l->tgt; g < l->tgt + l->ntgt; g++) {
        uint16_t r = c->tgts[g].re;
        s->sets[c->tgts[g].set * c->nwords + (r >> 6)] |= 1ULL << (r & 63);
    }
}

/* Record the literals of key k's slot in index x that occur at i (w8: the 8
 * bytes there) in h, with their sets. */
static inline __attribute__((always_inline)) struct cat_hit *
scan_slot(const hm_cats *c, hm_cat_state *s, struct cat_hit *h, const struct cat_index *x,
          uint32_t k, const char *t, size_t n, size_t i, uint64_t w8)
{
    size_t j = slot_find(x, k);
    if (!x->slot[j].head)
        return h;
    for (const struct cat_lit *l = &c->lits[x->slot[j].head - 1];; l++) {
        /* the literal's bytes equal the text's (the bytes past it shifted out) */
        if (!((w8 ^ l->word) << (8 * (8 - l->len))) && i + l->len <= n &&
            !((l->flags & LIT_LEAD) && i > 0 && word_byte((unsigned char)t[i - 1])) &&
            !((l->flags & LIT_TRAIL) && i + l->len < n && word_byte((unsigned char)t[i + l->len]))) {
            *h++ = (struct cat_hit){(uint32_t)(l - c->lits), (uint32_t)i};
            lit_sets(c, s, l);
        }
        if (l->flags & LIT_LAST)
            return h;
    }
}

/* Set `set` of pattern r holds a pseudo-literal ("a digit"), and the post's
 * occurrences of it run from digit to last_digit: only the span matters (no
 * anchored tries on such a set: re->anch). */
static void digit_found(struct cat_pstate *p, unsigned set, size_t digit, size_t last_digit)
{
    size_t lastx = p->found & (1u << set) ? p->last[set] : 0;
    if (set == 0 && (!(p->found & 1) || p->first > digit))
        p->first = (uint32_t)digit;
    p->found |= (uint8_t)(1u << set);
    p->last[set] = (uint32_t)(last_digit > lastx ? last_digit : lastx);
}

/* The places of digits d[0..nd) (nd > HM_MAX_POS: more) join those of set 0
 * of the pattern of state p, in order. */
static void digit_places(struct cat_pstate *p, const uint32_t *d, size_t nd)
{
    if (p->npos > HM_MAX_POS || nd > HM_MAX_POS) {
        p->npos = HM_MAX_POS + 1;
        return;
    }
    uint32_t m[2 * HM_MAX_POS];
    size_t a = 0, b = 0, k = 0;
    while (a < p->npos || b < nd) {
        uint32_t v = b == nd || (a < p->npos && p->pos[a] <= d[b]) ? p->pos[a++] : d[b++];
        if (!k || m[k - 1] != v)
            m[k++] = v;
    }
    if (k > HM_MAX_POS) {
        p->npos = HM_MAX_POS + 1;
        return;
    }
    memcpy(p->pos, m, k * sizeof *m);
    p->npos = (uint8_t)k;
}

/* The literals that occur at t[i] (ws: it starts a word, and so may
 * literals that must), the places the first-bytes filter passed: the
 * hashed bitmaps, then the index. */
static inline __attribute__((always_inline)) struct cat_hit *
probe(const hm_cats *c, hm_cat_state *s, struct cat_hit *h, const char *t, size_t n, size_t i,
      unsigned ws)
{
    const uint64_t *bloom = c->lit_bloom;
    uint64_t lead = 0 - (uint64_t)ws;
    uint32_t k = key3((const unsigned char *)t + i);
    uint32_t b3 = bloom_bit(t + i, k, 3), b4 = bloom_bit(t + i, k, 4);
    uint64_t m3 = bloom[bloom_word(b3, 0)] | (bloom[bloom_word(b3, 1)] & lead);
    uint64_t m4 = bloom[bloom_word(b4, 0)] | (bloom[bloom_word(b4, 1)] & lead);
    m3 = (m3 >> (b3 & 63)) & 1;
    m4 = (m4 >> (b4 & 63)) & 1;
    if (!(m3 | m4))
        return h; /* most places: no literal starts so (small tables in L1) */
    uint64_t w8;
    memcpy(&w8, t + i, sizeof w8);
    if (m4) {
        uint64_t hl = hash_long(w8);
        uint32_t b6 = (uint32_t)(hl >> (64 - LIT_BLOOM_BITS));
        uint64_t m6 = bloom[bloom_word(b6, 0)] | (bloom[bloom_word(b6, 1)] & lead);
        if ((m6 >> (b6 & 63)) & 1)
            h = scan_slot(c, s, h, &c->lit_idx[2], (uint32_t)(hl >> 32), t, n, i, w8);
        h = scan_slot(c, s, h, &c->lit_idx[1], (uint32_t)w8, t, n, i, w8);
    }
    if (m3)
        h = scan_slot(c, s, h, &c->lit_idx[0], k, t, n, i, w8);
    return h;
}

#define SCAN_BLOCK 256 /* places mark_eligible filters before it probes them */

/* Mark the patterns that have every set (the pseudo-literals in the post
 * counting too: bit d of present for kind d) eligible, each with an empty
 * state in s->ps; forget the sets for the next post.  Returns how many are
 * eligible. */
static size_t eligible_states(const hm_cats *c, hm_cat_state *s, unsigned present)
{
    size_t nw = c->nwords;
    uint64_t *s0 = s->sets, *s1 = s0 + nw, *s2 = s1 + nw;
    /* the sets that hold a pseudo-literal of the post */
    for (int d = 0; d < HM_PSEUDO_N; d++) {
        if (!((present >> d) & 1))
            continue;
        const struct cat_pseudo *ps = &c->pseudo[d];
        for (size_t w = 0; w < nw; w++) {
            s0[w] |= ps->in[0][w] | ps->one[w];
            s1[w] |= ps->in[1][w];
            s2[w] |= ps->in[2][w];
        }
    }
    for (size_t w = 0; w < nw; w++) {
        uint64_t e = s0[w] & (c->nsets1[w] | (s1[w] & (c->nsets2[w] | s2[w])));
        s0[w] = s1[w] = s2[w] = 0;
        s->eligible[w] = e;
        for (; e; e &= e - 1) {
            uint16_t r = (uint16_t)(w * 64 + (size_t)__builtin_ctzll(e));
            struct cat_pstate *p = &s->ps[s->ntouched];
            s->touched[s->ntouched++] = r;
            s->slot_of[r] = (uint16_t)s->ntouched;
            p->found = 0;
            p->npos = 0;
        }
    }
    return s->ntouched;
}

/* The places of the eligible patterns' literals (h[0..nh), in text order)
 * and pseudo-literals (kind d from span[d][0] to span[d][1], none if
 * span[d][0] == n). */
static void eligible_places(const hm_cats *c, hm_cat_state *s, const struct cat_hit *h, size_t nh,
                            size_t span[HM_PSEUDO_N][2], size_t n)
{
    for (size_t q = 0; q < nh; q++) {
        const struct cat_lit *l = &c->lits[h[q].lit];
        for (uint32_t g = l->tgt; g < l->tgt + l->ntgt; g++) {
            uint16_t k = s->slot_of[c->tgts[g].re];
            if (k)
                lit_found(&s->ps[k - 1], c->tgts[g].set, h[q].at);
        }
    }
    for (int d = 0; d < HM_PSEUDO_N; d++) {
        const struct cat_pseudo *ps = &c->pseudo[d];
        size_t from = span[d][0], to = span[d][1];
        if (from == n)
            continue;
        for (size_t q = 0; q < s->ntouched; q++) {
            uint16_t r = s->touched[q];
            unsigned m = ps->sets[r];
            if (m && c->need[r] != 1)
                for (unsigned set = 0; set < 3; set++)
                    if (m & (1u << set))
                        digit_found(&s->ps[q], set, from, to);
        }
        for (size_t q = 0; q < ps->nre; q++)
            digit_found(&s->ps[s->slot_of[ps->re[q].re] - 1], ps->re[q].set, from, to);
        if (d != HM_LIT_DIGIT - 1)
            continue;
        for (size_t q = 0; q < s->ntouched; q++) {
            unsigned anch = c->re[s->touched[q]].anch;
            if (anch & HM_ANCH_DIGITS) {
                int lead = (anch & HM_ANCH_DLEAD) != 0;
                digit_places(&s->ps[q], s->dplace[lead], s->ndplace[lead]);
            }
        }
    }
}

/* the ASCII digits of x (internal.h: the SWAR helpers) */
static inline uint64_t bytes_digit(uint64_t x)
{
    return hm_bytes_in(x & HM_BYTES(0x7F), '0', '9') & ~x;
}

/* What the literal scan does not read of the normalized text t[0..n) (8
 * zero bytes after it), word by word: where the digits and the currency
 * signs start and end (span[kind - 1]: first, last; n, 0 when there is
 * none), and how many spaces it holds. */
static size_t text_marks(hm_cat_state *s, const char *t, size_t n, size_t span[HM_PSEUDO_N][2])
{
    s->ndplace[0] = s->ndplace[1] = 0;
    size_t spaces = 0, *d = span[HM_LIT_DIGIT - 1], *cur = span[HM_LIT_CUR - 1];
    d[0] = cur[0] = n;
    d[1] = cur[1] = 0;
    for (size_t o = 0; o < n; o += 8) {
        uint64_t x;
        memcpy(&x, t + o, sizeof x);
        /* the top bits counted by one multiply (no popcount instruction in
         * the baseline x86-64 set: a libgcc call) */
        spaces += (size_t)(((hm_bytes_eq(x, ' ') >> 7) * HM_BYTES(1)) >> 56);
        uint64_t m = bytes_digit(x);
        if (m) {
            if (d[0] == n)
                d[0] = o + (size_t)__builtin_ctzll(m) / 8;
            d[1] = o + (size_t)(63 - __builtin_clzll(m)) / 8;
            /* their places, and those after no word byte (HM_ANCH_DIGITS) */
            for (uint64_t b = m; b; b &= b - 1) {
                size_t i = o + (size_t)__builtin_ctzll(b) / 8;
                int lead = i == 0 || !word_byte((unsigned char)t[i - 1]);
                for (int k = 0; k <= lead; k++)
                    if (s->ndplace[k] <= HM_MAX_POS) {
                        if (s->ndplace[k] < HM_MAX_POS)
                            s->dplace[k][s->ndplace[k]] = (uint32_t)i;
                        s->ndplace[k]++;
                    }
            }
        }
        /* the first bytes of "$", "£" and "€" (rare: checked one by one, in
         * the words with a "$" or a byte past ASCII) */
        m = (x & HM_BYTES(0x80)) | hm_bytes_eq(x, '$');
        if (m)
            m = hm_bytes_eq(x, '$') | hm_bytes_eq(x, 0xC2) | hm_bytes_eq(x, 0xE2);
        for (; m; m &= m - 1) {
            size_t i = o + (size_t)__builtin_ctzll(m) / 8;
            if (i < n && currency_at(t, n, i)) {
                if (cur[0] == n)
                    cur[0] = i;
                cur[1] = i;
            }
        }
    }
    return spaces;
}

/* One pass over the normalized post records the literals in it; then mark
 * the patterns that have a literal of each of their sets in it (span: where
 * the pseudo-literals occur, text_marks).  t has 8 readable bytes past n
 * (zeros): literals are compared as one 64-bit word. */
static int mark_eligible(const hm_cats *c, hm_cat_state *s, const char *t, size_t n,
                         size_t span[HM_PSEUDO_N][2])
{
    for (size_t q = 0; q < s->ntouched; q++)
        s->slot_of[s->touched[q]] = 0; /* the previous post's */
    s->ntouched = 0;
    s->lhits.len = 0;
    const uint8_t *cls = c->lit_class;
    const uint32_t *tri = c->lit_tri;
    /* the class pair of t[i], t[i + 1], and whether t[i] may start a word
     * (a space before the text) */
    unsigned pair = cls[(unsigned char)t[0]] * 32u + cls[(unsigned char)t[1]], ws = 1;
    static const uint8_t not_word[32] = {[0] = 1, [CLASS_SPACE] = 1, [29] = 1};
    _Static_assert(CLASS_NOT_WORD == (1u << 0 | 1u << CLASS_SPACE | 1u << 29), "not_word");
    /* block by block: the places the first-bytes filter passes, then those;
     * the filter itself then takes no branch */
    uint32_t cand[SCAN_BLOCK];
    for (size_t at = 0; at + 3 <= n; at += SCAN_BLOCK) {
        size_t end = n - 2 - at < SCAN_BLOCK ? n - 2 : at + SCAN_BLOCK, nc = 0;
        for (size_t i = at; i < end; i++) {
            unsigned k2 = cls[(unsigned char)t[i + 2]];
            uint32_t m = tri[tri_index(ws, pair)] >> k2;
            cand[nc] = (uint32_t)i << 1 | ws;
            nc += m & 1;
            ws = not_word[pair >> 5]; /* t[i] is no word byte */
            pair = (pair & 31) << 5 | k2;
        }
        if (hm_buf_room(&s->lhits, nc * HITS_PER_PLACE * sizeof(struct cat_hit)))
            return HM_ENOMEM;
        struct cat_hit *h = (struct cat_hit *)(void *)(s->lhits.p + s->lhits.len); /* malloc'd */
        for (size_t q = 0; q < nc; q++)
            h = probe(c, s, h, t, n, cand[q] >> 1, cand[q] & 1);
        s->lhits.len = (size_t)((char *)h - s->lhits.p);
    }
    const struct cat_hit *h = (const struct cat_hit *)(void *)s->lhits.p;
    size_t nh = s->lhits.len / sizeof *h;
    unsigned present = 0;
    for (int d = 0; d < HM_PSEUDO_N; d++)
        present |= (unsigned)(span[d][0] < n) << d;
    if (eligible_states(c, s, present))
        eligible_places(c, s, h, nh, span, n);
    return 0;
}

static pcre2_code *re_compile(const char *p, size_t n, uint32_t opts, int *err, PCRE2_SIZE *eoff)
{
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)p, n, PCRE2_UTF | PCRE2_USE_OFFSET_LIMIT | opts,
                                     err, eoff, NULL);
    if (code)
        pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    return code;
}

/* pcre2_match on valid UTF-8 (the normalized text): the JIT's entry
 * directly, which skips pcre2_match's checks; the interpreter when the
 * pattern has no JIT code (PCRE2_ERROR_JIT_BADOPTION). */
static inline int re_match(const pcre2_code *code, const char *t, size_t n, size_t at,
                           pcre2_match_data *md, pcre2_match_context *mctx)
{
    int m = pcre2_jit_match(code, (PCRE2_SPTR)t, n, at, 0, md, mctx);
    if (m == PCRE2_ERROR_JIT_BADOPTION)
        m = pcre2_match(code, (PCRE2_SPTR)t, n, at, PCRE2_NO_UTF_CHECK, md, mctx);
    return m;
}

/* The compiled pattern (anchored: the version that matches only at the start
 * offset; PCRE2's JIT takes anchoring at compile time only), compiled now if
 * no analyzer needed it before.  Two threads may both compile it: one copy
 * wins the swap, the other is freed. */
static pcre2_code *re_code(const hm_cats *c, const cat_regex *re, int anchored)
{
    cat_regex *rw = (cat_regex *)re; /* the engine is shared read-only, but for these slots */
    pcre2_code *_Atomic *slot = anchored ? &rw->acode : &rw->code;
    pcre2_code *code = atomic_load_explicit(slot, memory_order_acquire);
    if (code)
        return code;
    int err;
    PCRE2_SIZE eoff;
    code = re_compile(c->pat.p + re->pat_off, re->pat_len, anchored ? PCRE2_ANCHORED : 0, &err,
                      &eoff);
    if (!code)
        return NULL; /* out of memory: the patterns were checked when embedded */
    pcre2_code *none = NULL;
    if (!atomic_compare_exchange_strong_explicit(slot, &none, code, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        pcre2_code_free(code);
        code = none;
    }
    return code;
}

static int load_cat_file(hm_cats *c, const hm_source *src, int lazy, hm_textbuf *tb,
                         hm_stemcache *sc, hm_buf *key, litwork *work, hm_status *st)
{
    /* the id is the file name without folder and .tsv */
    const char *base = strrchr(src->name, '/');
    base = base ? base + 1 : src->name;
    size_t bl = strlen(base);
    if (bl > 4 && !strcmp(base + bl - 4, ".tsv"))
        bl -= 4;
    for (size_t i = 0; i < bl; i++)
        if (!((base[i] >= 'a' && base[i] <= 'z') || (base[i] >= '0' && base[i] <= '9') ||
              base[i] == '_')) {
            hm_set_status(st, HM_EFORMAT, "%s: category file names use a-z, 0-9 and _ only",
                          src->name);
            return HM_EFORMAT;
        }
    int cat = cat_index(c, base, bl);
    if (cat == -1) {
        hm_set_status(st, HM_ELIMIT, "%s: more than %d categories", src->name, MAX_CATS);
        return HM_ELIMIT;
    }
    if (cat < 0) {
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return HM_ENOMEM;
    }
    size_t pos = 0;
    int line = 0;
    const char *f[5];
    size_t fl[5];
    int nf = hm_tsv_next(src->data, src->len, &pos, &line, f, fl, 5);
    if (nf == 0)
        return 0;
    if (nf != 4 || fl[0] != 4 || memcmp(f[0], "kind", 4)) {
        hm_set_status(st, HM_EFORMAT, "%s:%d: expected header 'kind<TAB>lang<TAB>pattern<TAB>weight'",
                      src->name, line);
        return HM_EFORMAT;
    }
    while ((nf = hm_tsv_next(src->data, src->len, &pos, &line, f, fl, 5)) > 0) {
        if (nf != 4) {
            hm_set_status(st, HM_EFORMAT, "%s:%d: expected 4 tab-separated fields, found %d",
                          src->name, line, nf);
            return HM_EFORMAT;
        }
        int kind;
        if (fl[0] == 4 && !memcmp(f[0], "stem", 4))
            kind = 0;
        else if (fl[0] == 6 && !memcmp(f[0], "phrase", 6))
            kind = 1;
        else if (fl[0] == 5 && !memcmp(f[0], "regex", 5))
            kind = 2;
        else {
            hm_set_status(st, HM_EFORMAT, "%s:%d: kind must be stem, phrase or regex", src->name,
                          line);
            return HM_EFORMAT;
        }
        int lang;
        if (fl[1] == 2 && !memcmp(f[1], "fr", 2))
            lang = LANG_FR;
        else if (fl[1] == 2 && !memcmp(f[1], "en", 2))
            lang = LANG_EN;
        else if (fl[1] == 1 && f[1][0] == '*')
            lang = LANG_UND;
        else {
            hm_set_status(st, HM_EFORMAT, "%s:%d: lang must be fr, en or *", src->name, line);
            return HM_EFORMAT;
        }
        char num[64];
        double w;
        char *end;
        if (fl[3] == 0 || fl[3] >= sizeof num) {
            hm_set_status(st, HM_EFORMAT, "%s:%d: weight must be a number", src->name, line);
            return HM_EFORMAT;
        }
        memcpy(num, f[3], fl[3]);
        num[fl[3]] = 0;
        w = strtod(num, &end);
        if (*end || !isfinite(w) || w < -10 || w > 10) {
            hm_set_status(st, HM_EFORMAT, "%s:%d: weight must be a number in [-10, 10]",
                          src->name, line);
            return HM_EFORMAT;
        }
        if (fl[2] == 0) {
            hm_set_status(st, HM_EFORMAT, "%s:%d: empty pattern", src->name, line);
            return HM_EFORMAT;
        }
        if (kind == 2) {
            pcre2_code *code = NULL;
            if (!lazy) {
                int err;
                PCRE2_SIZE eoff;
                code = re_compile(f[2], fl[2], 0, &err, &eoff);
                if (!code) {
                    PCRE2_UCHAR msg[256];
                    pcre2_get_error_message(err, msg, sizeof msg);
                    hm_set_status(st, HM_EPATTERN, "%s:%d: pattern error at offset %zu: %s",
                                  src->name, line, (size_t)eoff, (const char *)msg);
                    return HM_EPATTERN;
                }
            }
            if (c->nre == c->recap) {
                size_t nc = c->recap ? c->recap * 2 : 32;
                cat_regex *v = realloc(c->re, nc * sizeof *v);
                if (!v) {
                    pcre2_code_free(code);
                    return HM_ENOMEM;
                }
                c->re = v;
                c->recap = nc;
            }
            cat_regex *re = &c->re[c->nre];
            memset(re, 0, sizeof *re);
            if (c->pat.len + fl[2] + 1 > UINT32_MAX || hm_buf_put(&c->pat, f[2], fl[2]) ||
                hm_buf_putc(&c->pat, 0)) {
                pcre2_code_free(code);
                return HM_ENOMEM;
            }
            atomic_init(&re->code, code);
            atomic_init(&re->acode, NULL);
            re->pat_off = (uint32_t)(c->pat.len - fl[2] - 1);
            re->pat_len = (uint32_t)fl[2];
            re->cat = (uint16_t)cat;
            re->lang = (uint8_t)lang;
            re->weight = (float)w;
            c->nre++; /* with no literals (zeroed) until they are read */
            c->npatterns++;
            if (pattern_literals(c, work, re, f[2], fl[2]))
                return HM_ENOMEM;
            continue;
        }
        int rc = hm_tokenize(tb, f[2], fl[2]);
        if (rc)
            return rc;
        key->len = 0;
        size_t ntok = 0;
        for (size_t i = 0; i < tb->ntoks; i++) {
            const tok *t = &tb->toks[i];
            if (t->flags & HM_TF_HASHPART)
                continue;
            if (ntok && hm_buf_putc(key, ' '))
                return HM_ENOMEM;
            if (hm_buf_put(key, tb_str(tb, t->norm), t->norm_len))
                return HM_ENOMEM;
            ntok++;
        }
        if (ntok == 0) {
            hm_set_status(st, HM_EFORMAT, "%s:%d: pattern has no word", src->name, line);
            return HM_EFORMAT;
        }
        for (int l = LANG_FR; l <= LANG_EN; l++) {
            if (lang != LANG_UND && lang != l)
                continue;
            if (kind == 0) {
                if (ntok != 1 || tb->toks[0].type != HM_TOK_WORD) {
                    hm_set_status(st, HM_EFORMAT, "%s:%d: a stem cue is one word", src->name, line);
                    return HM_EFORMAT;
                }
                const char *lw = tb_str(tb, tb->toks[0].lower);
                hm_buf sb = {0};
                uint32_t off;
                uint16_t slen;
                rc = hm_stem(sc, l, lw, strlen(lw), &sb, &off, &slen);
                if (!rc)
                    rc = add_cue(c, &c->stems[l], sb.p + off, slen, cat, w);
                hm_buf_free(&sb);
                if (rc)
                    return rc;
            } else {
                if (add_cue(c, &c->phrases[l], key->p, key->len, cat, w))
                    return HM_ENOMEM;
                const tok *t0 = &tb->toks[0];
                uint32_t mx = 0, len = ntok > HM_CAT_PHRASE_MAX ? HM_CAT_PHRASE_MAX : (uint32_t)ntok;
                hm_map_get(&c->firsts[l], tb_str(tb, t0->norm), t0->norm_len, &mx);
                if (len > mx &&
                    hm_map_put(&c->firsts[l], tb_str(tb, t0->norm), t0->norm_len, len))
                    return HM_ENOMEM;
            }
        }
        c->npatterns++;
    }
    return 0;
}

/* A hash of pattern re's source, eight bytes at a time (engine open reads
 * every pattern). */
static uint64_t pattern_hash(const hm_cats *c, const cat_regex *re)
{
    const char *p = c->pat.p + re->pat_off;
    size_t n = re->pat_len, i = 0;
    uint64_t h = re->pat_len, w;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, sizeof w);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    w = 0;
    memcpy(&w, p + i, n - i);
    h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
    return h ^ h >> 32;
}

/* The patterns with the source and language of an earlier one: a slot per
 * such source in c->dup_slot (see hm_cats). */
static int dup_patterns(hm_cats *c)
{
    size_t cap = 64;
    while (cap < 2 * c->nre)
        cap *= 2;
    uint32_t *first = calloc(cap, sizeof *first); /* pattern + 1 by hash, 0: empty */
    c->dup_slot = calloc(c->nre + 1, sizeof *c->dup_slot);
    if (!first || !c->dup_slot) {
        free(first);
        return HM_ENOMEM;
    }
    for (size_t r = 0; r < c->nre; r++) {
        const cat_regex *re = &c->re[r];
        size_t j = (size_t)pattern_hash(c, re) & (cap - 1);
        for (; first[j]; j = (j + 1) & (cap - 1)) {
            const cat_regex *q = &c->re[first[j] - 1];
            if (q->lang == re->lang && q->pat_len == re->pat_len &&
                !memcmp(c->pat.p + q->pat_off, c->pat.p + re->pat_off, re->pat_len))
                break;
        }
        if (!first[j]) {
            first[j] = (uint32_t)r + 1;
            continue;
        }
        uint16_t *lead = &c->dup_slot[first[j] - 1];
        if (!*lead)
            *lead = (uint16_t)++c->ndup;
        c->dup_slot[r] = *lead;
    }
    free(first);
    return 0;
}

/* Free what hm_categories_index and hm_categories_ready built (the prefilter's
 * index, the pattern repeats, the match context), leaving the cues and
 * patterns themselves. */
static void index_free(hm_cats *c)
{
    free(c->lits);
    free(c->tgts);
    for (int d = 0; d < HM_PSEUDO_N; d++) {
        free(c->pseudo[d].re);
        free(c->pseudo[d].sets);
        free(c->pseudo[d].one);
        for (int k = 0; k < 3; k++)
            free(c->pseudo[d].in[k]);
    }
    memset(c->pseudo, 0, sizeof c->pseudo);
    free(c->need);
    free(c->dup_slot);
    free(c->nsets1);
    free(c->nsets2);
    for (int l = 0; l < LANG_N; l++) {
        free(c->langok[l]);
        free(c->always[l]);
        c->langok[l] = c->always[l] = NULL;
    }
    for (int t = 0; t < 3; t++)
        free(c->lit_idx[t].slot);
    memset(c->lit_idx, 0, sizeof c->lit_idx);
    free(c->lit_bloom);
    free(c->lit_tri);
    if (c->mctx)
        pcre2_match_context_free(c->mctx);
    c->lits = NULL;
    c->tgts = NULL;
    c->need = NULL;
    c->dup_slot = NULL;
    c->nsets1 = c->nsets2 = NULL;
    c->lit_bloom = NULL;
    c->lit_tri = NULL;
    c->mctx = NULL;
    c->nlits = c->ntgts = c->ndup = c->nwords = 0;
}

int hm_categories_index(hm_cats *c, hm_status *st)
{
    memset(c->stem_bits, 0, sizeof c->stem_bits);
    for (int l = LANG_FR; l <= LANG_EN; l++)
        for (size_t j = 0; j < c->stems[l].cap; j++)
            if (c->stems[l].slots[j].h)
                hm_hfilter_add(c->stem_bits[l - LANG_FR], HM_HFILTER_WORDS(c->stem_bits[0]),
                               c->stems[l].slots[j].h);
    int rc = build_literal_index(c);
    if (!rc)
        rc = dup_patterns(c);
    if (rc) {
        hm_set_status(st, rc, "out of memory");
        return rc;
    }
    return hm_categories_ready(c, st);
}

int hm_categories_ready(hm_cats *c, hm_status *st)
{
    c->mctx = pcre2_match_context_create(NULL);
    if (!c->mctx) {
        hm_set_status(st, HM_ENOMEM, "out of memory");
        return HM_ENOMEM;
    }
    /* a hostile text cannot stall a pattern for long */
    pcre2_set_match_limit(c->mctx, 200000);
    pcre2_set_depth_limit(c->mctx, 10000);
    pcre2_set_heap_limit(c->mctx, 4096); /* KiB */
    return 0;
}

int hm_categories_load(hm_cats *c, const hm_source *src, const hm_source *extra, int lazy,
                       hm_status *st)
{
    hm_textbuf tb;
    memset(&tb, 0, sizeof tb);
    hm_stemcache sc;
    hm_buf key = {0};
    int rc = hm_stem_init(&sc);
    if (rc) {
        hm_set_status(st, rc, "cannot create Snowball stemmers");
        return rc;
    }
    litwork *lw = malloc(sizeof *lw); /* the pages a pattern's reading needs are touched */
    if (!lw)
        rc = HM_ENOMEM;
    for (size_t i = 0; !rc && src && src[i].name; i++)
        if (!strncmp(src[i].name, "categories/", 11))
            rc = load_cat_file(c, &src[i], lazy, &tb, &sc, &key, lw, st);
    for (size_t i = 0; !rc && extra && extra[i].name; i++)
        rc = load_cat_file(c, &extra[i], 0, &tb, &sc, &key, lw, st);
    if (!rc)
        rc = hm_categories_index(c, st);
    else if (rc == HM_ENOMEM)
        hm_set_status(st, rc, "out of memory");
    free(lw);
    hm_stem_free(&sc);
    hm_textbuf_free(&tb);
    hm_buf_free(&key);
    return rc;
}

int hm_categories_extend(hm_cats *c, const hm_source *extra, hm_status *st)
{
    index_free(c);
    c->phrase_indexed = 0;
    return hm_categories_load(c, NULL, extra, 0, st);
}

/* A post matches phrase key k (its words joined by single spaces) at token i
 * when the norms from token i on, joined so, are k, token i's norm is in
 * firsts and k has no more words than firsts says (see cat_phrases).  When
 * no norm holds a space, those norms are the words of k: the filter holds the
 * chained hashes of the words of every key that can match so (a post's words
 * give the same with their hm_hash, the token's nh). */
void hm_categories_phrase_index(hm_cats *c)
{
    memset(c->phrase_bits, 0, sizeof c->phrase_bits);
    for (int l = LANG_FR; l <= LANG_EN; l++) {
        const hm_map *m = &c->phrases[l];
        uint64_t *bits = c->phrase_bits[l - LANG_FR];
        for (size_t j = 0; j < m->cap; j++) {
            if (!m->slots[j].h)
                continue;
            const char *k = m->pool.p + m->slots[j].koff;
            size_t n = m->slots[j].klen, w0 = 0;
            while (w0 < n && k[w0] != ' ')
                w0++;
            uint32_t mx = 0;
            size_t nw = 1;
            for (size_t q = w0; q < n; q++)
                nw += k[q] == ' ';
            if (!hm_map_get(&c->firsts[l], k, w0, &mx) || nw > mx)
                continue; /* no post matches it */
            uint64_t h = 0;
            for (size_t from = 0, q = 0; q <= n; q++)
                if (q == n || k[q] == ' ') {
                    uint64_t wh = hm_hash(k + from, q - from);
                    h = from ? hm_cat_phrase_step(h, wh) : wh;
                    bits[HM_PHRASE_WORD(h)] |= HM_PHRASE_PRE(h);
                    from = q + 1;
                }
            bits[HM_PHRASE_WORD(h)] |= HM_PHRASE_FULL(h);
        }
    }
    c->phrase_indexed = 1;
}

void hm_categories_free(hm_cats *c)
{
    for (size_t i = 0; i < c->ncats; i++)
        free(c->ids[i]);
    free(c->ids);
    for (int l = 0; l < LANG_N; l++) {
        hm_map_free(&c->stems[l]);
        hm_map_free(&c->phrases[l]);
        hm_map_free(&c->firsts[l]);
    }
    free(c->cues);
    for (size_t i = 0; i < c->nre; i++) {
        pcre2_code_free(atomic_load(&c->re[i].code));
        pcre2_code_free(atomic_load(&c->re[i].acode));
    }
    free(c->re);
    index_free(c);
    hm_buf_free(&c->pat);
    hm_buf_free(&c->litsrc);
    memset(c, 0, sizeof *c);
}

int hm_cat_state_init(hm_cat_state *s, const hm_cats *c)
{
    memset(s, 0, sizeof *s);
    s->md = pcre2_match_data_create(4, NULL);
    s->sum = calloc(c->ncats + 1, sizeof *s->sum);
    s->hits = calloc(c->ncats + 1, sizeof *s->hits);
    s->eligible = calloc(c->nwords + 1, sizeof *s->eligible);
    s->ps = calloc(c->nre + 1, sizeof *s->ps);
    s->slot_of = calloc(c->nre + 1, sizeof *s->slot_of);
    s->mctx = c->mctx ? pcre2_match_context_copy(c->mctx) : NULL;
    s->touched = calloc(c->nre + 1, sizeof *s->touched);
    s->sets = calloc(3 * c->nwords + 1, sizeof *s->sets);
    s->dup = calloc(c->ndup + 1, sizeof *s->dup);
    if (!s->md || !s->sum || !s->hits || !s->eligible || !s->ps || !s->slot_of || !s->touched ||
        !s->sets || !s->dup ||
        (c->mctx && !s->mctx))
        return HM_ENOMEM;
    return 0;
}

void hm_cat_state_free(hm_cat_state *s)
{
    if (s->md)
        pcre2_match_data_free(s->md);
    free(s->sum);
    free(s->hits);
    hm_buf_free(&s->normmap);
    free(s->eligible);
    free(s->ps);
    free(s->slot_of);
    if (s->mctx)
        pcre2_match_context_free(s->mctx);
    free(s->touched);
    free(s->sets);
    free(s->dup);
    hm_buf_free(&s->lhits);
    free(s->m);
    hm_buf_free(&s->normtext);
    memset(s, 0, sizeof *s);
}

#define MAX_CUE_MATCHES 256

static int add_match(hm_cat_state *s, int cat, double w, uint32_t start, uint32_t end)
{
    if (s->nm >= MAX_CUE_MATCHES)
        return 0; /* evidence is saturated long before: keep the work bounded */
    for (size_t i = 0; i < s->nm; i++)
        if (s->m[i].cat == cat && s->m[i].start == start && s->m[i].end == end) {
            /* the same span counts once per category, with its strongest cue
             * (whichever of a phrase and a regex matched it first) */
            if (fabs(w) > fabs(s->m[i].w))
                s->m[i].w = (float)w;
            return 0;
        }
    if (s->nm == s->mcap) {
        size_t nc = s->mcap ? s->mcap * 2 : 32;
        struct cat_match *v = realloc(s->m, nc * sizeof *v);
        if (!v)
            return HM_ENOMEM;
        s->m = v;
        s->mcap = nc;
    }
    s->m[s->nm].cat = (uint16_t)cat;
    s->m[s->nm].w = (float)w;
    s->m[s->nm].start = start;
    s->m[s->nm].end = end;
    s->nm++;
    return 0;
}

/* lead bytes before place p of the text t, back to a character's first byte */
static PCRE2_SIZE window_start(const char *t, size_t p, size_t lead)
{
    PCRE2_SIZE off = p > lead ? p - lead : 0;
    while (off > 0 && ((unsigned char)t[off] & 0xC0) == 0x80)
        off--;
    return off;
}

/* Where the search for pattern r may start in the text t, given the places
 * of its literals (lit: the prefilter made it eligible): at the first leading
 * literal, or lead bytes before the first literal of set 0 (back to a
 * character's first byte), or at 0. */
static PCRE2_SIZE start_offset(const hm_cat_state *s, const cat_regex *re, size_t r, int lit,
                               const char *t)
{
    if (!lit)
        return 0;
    if (re->lit_first)
        return pstate(s, r)->first;
    if (re->lead >= LEAD_UNBOUNDED)
        return 0;
    return window_start(t, pstate(s, r)->first, re->lead);
}

/* A match holds a literal of each of the pattern's sets: it starts at or
 * before the last place of each (PCRE2's offset limit then ends the scan). */
static PCRE2_SIZE start_limit(const hm_cat_state *s, const cat_regex *re, size_t r)
{
    PCRE2_SIZE limit = PCRE2_UNSET;
    for (unsigned q = 0; q < re->nsets; q++)
        if (pstate(s, r)->last[q] < limit)
            limit = pstate(s, r)->last[q];
    return limit;
}

/* Can a match of pattern r hold its literals in the order its sequence
 * puts them?  A set after set 0 needs an occurrence after set 0's first. */
static int order_fits(const hm_cat_state *s, const cat_regex *re, size_t r)
{
    const struct cat_pstate *p = pstate(s, r);
    for (unsigned q = 1; q < re->nsets; q++)
        if (((re->after0 >> q) & 1) && p->last[q] <= p->first)
            return 0;
    return 1;
}

/* May a match start at place at of set 0 (whose literal starts every match)?
 * Each set that comes after set 0's needs a place after it. */
static int after_fits(const struct cat_pstate *p, const cat_regex *re, size_t at)
{
    for (unsigned q = 1; q < re->nsets; q++)
        if (((re->after0 >> q) & 1) && p->last[q] <= at)
            return 0;
    return 1;
}

/* Tests: run every pattern of the language from the start of the text; a
 * match of a pattern the prefilter skipped (or the order of its literals
 * ruled out), that starts before the offset the prefilter searched from,
 * after its offset limit, or elsewhere than the places it was tried at, is a
 * miss. */
static int verify_prefilter(hm_analyzer *a, const hm_cats *c, int lang)
{
    hm_cat_state *s = &a->cat;
    const hm_buf *nt = &s->normtext;
    for (size_t r = 0; r < c->nre; r++) {
        uint64_t bit = 1ULL << (r & 63);
        if (!(c->langok[lang][r >> 6] & bit))
            continue;
        int lit = (s->eligible[r >> 6] & bit) != 0;
        int run = (lit && order_fits(s, &c->re[r], r)) || (c->always[lang][r >> 6] & bit);
        s->could++;
        s->ran += run;
        pcre2_code *code = re_code(c, &c->re[r], 0);
        if (!code)
            return HM_ENOMEM;
        if (pcre2_match(code, (PCRE2_SPTR)nt->p, nt->len, 0, PCRE2_NO_UTF_CHECK, s->md, c->mctx) < 0)
            continue;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        int placed = 1;
        const struct cat_pstate *ps = lit ? pstate(s, r) : NULL;
        if (ps && !(c->re[r].anch & HM_ANCH_AT) && (c->re[r].anch & HM_ANCH_PLACES) &&
            c->re[r].lead < LEAD_UNBOUNDED && ps->npos <= HM_MAX_POS) {
            /* searched for in the windows before the places of set 0 */
            placed = 0;
            for (size_t q = 0; q < ps->npos; q++)
                placed |= ov[0] >= window_start(nt->p, ps->pos[q], c->re[r].lead) &&
                          ov[0] <= ps->pos[q];
        }
        if ((c->re[r].anch & HM_ANCH_AT) && lit && pstate(s, r)->npos <= HM_MAX_POS) {
            /* tried only at the places of its leading literals that the
             * sets after set 0's follow: is the match's start one of them? */
            placed = 0;
            for (size_t q = 0; q < pstate(s, r)->npos; q++)
                placed |= pstate(s, r)->pos[q] == ov[0];
            if (c->re[r].after0 && !after_fits(pstate(s, r), &c->re[r], ov[0]))
                placed = 0;
        }
        if (!run || ov[0] < start_offset(s, &c->re[r], r, lit, nt->p) || !placed ||
            (lit && ov[0] > start_limit(s, &c->re[r], r)))
            s->misses++;
    }
    return 0;
}

/* The token that byte b of the normalized text belongs to: that of the last
 * span starting at or before it (the first starts at 0). */
static uint32_t token_at(const hm_cat_state *s, size_t b)
{
    const struct cat_span *span = (const struct cat_span *)(const void *)s->normmap.p;
    size_t lo = 0, hi = s->nspan;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (span[mid].at <= b)
            lo = mid;
        else
            hi = mid;
    }
    return span[lo].tok;
}

/* Is token i in the scope of a negator (up to 3 words before, same clause)? */
static int negated_at(const hm_analyzer *a, size_t i)
{
    int lang = a->lang == LANG_UND ? LANG_EN : a->lang;
    return hm_tok_negated(&a->tb, &a->e->lex, lang, i, 3, 0, 1);
}

/* Whether a negation before a cue of weight w over tokens [t0, t1]
 * (negated_at(a, t0)) cancels it: a complaint cue, yes ("no delay"), and
 * praise too ("not affordable", « ils n'ont pas répondu rapidement », « jamais
 * à l'heure ») unless it holds its own negation (« ce n'est pas trop cher »,
 * "no wait at all", « sans attendre »), whose « ne » is not against it. */
static int negation_cancels(const hm_analyzer *a, double w, size_t t0, size_t t1)
{
    if (w > 0)
        return 1;
    int lang = a->lang == LANG_UND ? LANG_EN : a->lang;
    for (size_t j = t0; j <= t1; j++)
        if (hm_tok_negator(&a->tb, &a->e->lex, lang, j))
            return 0;
    return 1;
}

static int cue_chain(hm_cat_state *s, const hm_cats *c, int32_t head, uint32_t start,
                     uint32_t end)
{
    for (int32_t q = head; q >= 0; q = c->cues[q].next)
        if (add_match(s, c->cues[q].cat, c->cues[q].weight, start, end))
            return HM_ENOMEM;
    return 0;
}

/* The matches of pattern r (lit: the prefilter made it eligible) in the
 * normalized text, in order, at most 16, the empty ones left out: a pattern
 * whose matches start with one of its literals is searched from the first
 * occurrence of one, or tried only at the places they occur (anchored) when
 * there are few; one whose matches start a bounded distance before, from
 * there.  0 or HM_ENOMEM. */
static int pattern_spans(const hm_cats *c, hm_cat_state *s, const cat_regex *re, size_t r,
                         int lit, struct cat_spans *sp)
{
    const hm_buf *nt = &s->normtext;
    PCRE2_SIZE off = start_offset(s, re, r, lit, nt->p);
    const struct cat_pstate *ps = lit ? pstate(s, r) : NULL;
    int anch = (re->anch & HM_ANCH_AT) && ps && ps->npos <= HM_MAX_POS;
    /* matches that start at most lead bytes before a place of set 0: searched
     * for in those windows alone */
    int win = !anch && ps && (re->anch & HM_ANCH_PLACES) && re->lead < LEAD_UNBOUNDED &&
              ps->npos <= HM_MAX_POS;
    pcre2_code *code = re_code(c, re, anch);
    if (!code)
        return HM_ENOMEM;
    PCRE2_SIZE limit = lit ? start_limit(s, re, r) : PCRE2_UNSET;
    pcre2_set_offset_limit(s->mctx, limit);
    const uint32_t *pp = anch ? ps->pos : NULL;
    size_t pi = 0;
    sp->n = 0;
    for (int nmatch = 0; nmatch < HM_RE_MATCHES && off <= nt->len;) {
        PCRE2_SIZE at = off;
        if (anch) {
            while (pi < ps->npos && pp[pi] < off)
                pi++;
            if (pi == ps->npos)
                break;
            at = pp[pi++];
            if (re->after0 && !after_fits(ps, re, at))
                continue; /* a set that follows set 0's literal, at, has no place after it */
        } else if (win) {
            /* a match from off holds a place at or after off */
            while (pi < ps->npos && ps->pos[pi] < off)
                pi++;
            if (pi == ps->npos)
                break;
            PCRE2_SIZE p = ps->pos[pi], lim = p < limit ? p : limit;
            at = window_start(nt->p, p, re->lead);
            if (at < off)
                at = off;
            if (at > lim) {
                pi++;
                continue;
            }
            pcre2_set_offset_limit(s->mctx, lim);
        }
        int m = re_match(code, nt->p, nt->len, at, s->md, s->mctx);
        if (m == PCRE2_ERROR_NOMATCH && win) {
            pi++; /* none starts in this place's window: the next place's */
            continue;
        }
        if (m == PCRE2_ERROR_NOMATCH && anch)
            continue; /* not here: the next place */
        if (m < 0)
            break; /* no match, or a limit hit: the pattern simply does not fire */
        nmatch++;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        if (ov[1] <= ov[0]) {
            /* an empty match: step over one whole character (a start offset
             * inside a UTF-8 sequence is undefined with NO_UTF_CHECK) */
            off = ov[1] + 1;
            while (off < nt->len && ((unsigned char)nt->p[off] & 0xC0) == 0x80)
                off++;
            continue;
        }
        sp->at[sp->n][0] = (uint32_t)ov[0];
        sp->at[sp->n++][1] = (uint32_t)ov[1];
        off = ov[1];
    }
    return 0;
}

/* The normalized text of the post in s->normtext (token norms, one space
 * where the text had space, 8 zero bytes after it) and where each token's
 * bytes start in it (s->normmap); *seps: the spaces put between norms. */
static int normalized_text(hm_cat_state *s, const hm_textbuf *tb, size_t *seps)
{
    hm_buf *nt = &s->normtext;
    /* room for every norm, a space before each, and 8 zero bytes after (room
     * too for a short norm copied as 8 bytes) */
    size_t room = 9;
    for (size_t i = 0; i < tb->ntoks; i++)
        room += tb->toks[i].norm_len + 1;
    nt->len = 0;
    if (hm_buf_reserve(nt, room) ||
        hm_buf_reserve(&s->normmap, (tb->ntoks + 1) * sizeof(struct cat_span)))
        return HM_ENOMEM;
    char *o = nt->p;
    struct cat_span *span = (struct cat_span *)(void *)s->normmap.p; /* malloc'd: aligned */
    size_t w = 0, nsep = 0;
    s->nspan = 0;
    for (size_t i = 0; i < tb->ntoks; i++) {
        const tok *t = &tb->toks[i];
        if (t->flags & HM_TF_HASHPART)
            continue;
        if (w && i > 0 && t->start > tb->toks[i - 1].end) {
            o[w++] = ' ';
            nsep++;
        }
        /* the token's bytes, from the space before it */
        span[s->nspan].at = (uint32_t)(w && o[w - 1] == ' ' ? w - 1 : w);
        span[s->nspan++].tok = (uint32_t)i;
        if (t->norm_len <= 8 && t->norm + 8 <= tb->strs.cap)
            memcpy(o + w, tb_str(tb, t->norm), 8); /* most norms: one word (room for it) */
        else
            memcpy(o + w, tb_str(tb, t->norm), t->norm_len);
        w += t->norm_len;
    }
    nt->len = w;
    memset(nt->p + nt->len, 0, 9); /* the NUL, and what mark_eligible reads past it */
    *seps = nsep;
    return 0;
}

/* Can a phrase start at token i, by lang's filter: its word may be a whole
 * phrase, or begin one with the next word?  (What phrase_at's reading with
 * the filter finds first; most words that begin some phrase, "the", "le",
 * are not followed by one that goes on with it.) */
static inline int phrase_first(const hm_cats *c, const hm_textbuf *tb, int lang, size_t i)
{
    const uint64_t *bits = c->phrase_bits[lang - LANG_FR];
    uint64_t h = tb->toks[i].nh, w = bits[HM_PHRASE_WORD(h)];
    if (!(w & HM_PHRASE_PRE(h)))
        return 0;
    if ((w & HM_PHRASE_FULL(h)) || i + 1 >= tb->ntoks)
        return (w & HM_PHRASE_FULL(h)) != 0;
    const tok *n = &tb->toks[i + 1];
    if (n->type == HM_TOK_PUNCT || (n->flags & HM_TF_HASHPART))
        return 0;
    h = hm_cat_phrase_step(h, n->nh);
    return (bits[HM_PHRASE_WORD(h)] & HM_PHRASE_PRE(h)) != 0;
}

/* The longest phrase of lang that starts at token i: its cue chain in *v and
 * its words in *nw; 0 when none (the filter, when used, passed token i).  The
 * words from i on, joined by single spaces, are looked up in the phrase map,
 * longest first, when token i's norm is the first word of a phrase (firsts),
 * no longer than the longest such.
 * With the filter and no space in a norm (norm_space 0), the chained
 * hashes of the words tell where to stop and which lengths to look up;
 * otherwise every length is. */
static int phrase_at(const hm_cats *c, const hm_textbuf *tb, int lang, size_t i, int norm_space,
                     uint32_t *v, size_t *nw)
{
    const tok *t = &tb->toks[i];
    char key[512];
    size_t klen[HM_CAT_PHRASE_MAX + 1];
    size_t kl = 0, nk = 0, mx = HM_CAT_PHRASE_MAX;
    uint32_t maybe = 0; /* bit k: k words may be a whole phrase */
    uint64_t h = 0;
    const uint64_t *bits = c->phrase_bits[lang - LANG_FR];
    int fast = c->phrase_indexed && !norm_space;
    if (!fast) {
        uint32_t m;
        /* (lang is fr or en: said so, for GCC's -O3 array-bounds reading) */
        const hm_map *firsts = &c->firsts[lang == LANG_FR ? LANG_FR : LANG_EN];
        if (!hm_tok_map_get(tb, t, TCM_CFIRST, lang, firsts, t->norm, t->norm_len, t->nh, &m))
            return 0;
        mx = m;
    }
    for (size_t j = i; j < i + mx && j < tb->ntoks && nk < HM_CAT_PHRASE_MAX; j++) {
        const tok *tj = &tb->toks[j];
        if (tj->type == HM_TOK_PUNCT || (tj->flags & HM_TF_HASHPART) ||
            kl + tj->norm_len + 2 >= sizeof key)
            break;
        kl += (j > i) + tj->norm_len;
        uint64_t w = ~0ULL;
        if (fast) {
            h = j > i ? hm_cat_phrase_step(h, tj->nh) : tj->nh;
            w = bits[HM_PHRASE_WORD(h)];
            if (!(w & HM_PHRASE_PRE(h)))
                break; /* neither a phrase nor the start of one */
        }
        klen[++nk] = kl;
        maybe |= (uint32_t)((w & HM_PHRASE_FULL(h)) != 0) << nk;
    }
    if (!maybe)
        return 0;
    /* the words, joined */
    for (size_t j = i, at = 0; j < i + nk; j++) {
        const tok *tj = &tb->toks[j];
        if (j > i)
            key[at++] = ' ';
        memcpy(key + at, tb_str(tb, tj->norm), tj->norm_len);
        at += tj->norm_len;
    }
    for (size_t k = nk; k >= 1; k--)
        if (((maybe >> k) & 1) && hm_map_get_h(&c->phrases[lang], key, klen[k],
                                                hm_hash(key, klen[k]), v)) {
            *nw = k;
            return 1;
        }
    return 0;
}

/* The first token at or after i whose norm holds a space; SIZE_MAX when
 * none does. */
static size_t next_space_norm(const hm_textbuf *tb, size_t i)
{
    for (; i < tb->ntoks; i++)
        if (memchr(tb_str(tb, tb->toks[i].norm), ' ', tb->toks[i].norm_len))
            return i;
    return SIZE_MAX;
}

int hm_categories_match(hm_analyzer *a, const hm_cats *c)
{
    hm_cat_state *s = &a->cat;
    const hm_textbuf *tb = &a->tb;
    int lang = a->lang == LANG_UND ? LANG_EN : a->lang;
    s->nm = 0;
    s->nhits = 0;
    s->complaint = 0;
    s->complaint_prob = 0;
    s->cue_total = 0;
    if (!c->ncats)
        return 0;
    if (++s->post == 0) {
        /* after 2^32 posts: no stored matches may pass for this post's */
        for (size_t q = 0; q < c->ndup; q++)
            s->dup[q].post = 0;
        s->post = 1;
    }
    /* the normalized text, and the literals of the patterns in it; its spaces
     * tell whether a norm holds one (then phrases are read without the filter) */
    size_t seps, span[HM_PSEUDO_N][2];
    if (normalized_text(s, tb, &seps))
        return HM_ENOMEM;
    hm_buf *nt = &s->normtext;
    size_t spaces = text_marks(s, nt->p, nt->len, span);
    if (c->nre && mark_eligible(c, s, nt->p, nt->len, span))
        return HM_ENOMEM;
    /* a phrase is read with the filter unless one of the words it could
     * span has a space in its norm (a duration: "10 minutes"); spn: the
     * next such token at or after i */
    int fast_all = c->phrase_indexed && spaces == seps, look = c->phrase_indexed && !fast_all;
    size_t spn = 0;
    /* stems and phrases */
    for (size_t i = 0; i < tb->ntoks; i++) {
        const tok *t = &tb->toks[i];
        if (t->type != HM_TOK_WORD && t->type != HM_TOK_EMOJI && t->type != HM_TOK_DURATION &&
            t->type != HM_TOK_NUMBER)
            continue;
        if (look && spn < i)
            spn = next_space_norm(tb, i);
        int fast = fast_all || (look && spn - i >= HM_CAT_PHRASE_MAX);
        int neg = -1;
        uint32_t v;
        int stem_maybe = t->stem_len && hm_hfilter_maybe(c->stem_bits[lang - LANG_FR],
                                                          HM_HFILTER_WORDS(c->stem_bits[0]), t->sh);
        if (s->verify && t->stem_len && !stem_maybe)
            s->misses += hm_map_get_h(&c->stems[lang], tb_str(tb, t->stem), t->stem_len, t->sh,
                                      &v); /* tests: the filter loses no stem */
        if (stem_maybe && hm_tok_map_get(tb, t, TCM_CSTEM, lang, &c->stems[lang], t->stem,
                                         t->stem_len, t->sh, &v)) {
            neg = negated_at(a, i);
            if (!neg && cue_chain(s, c, (int32_t)v, t->start, t->end))
                return HM_ENOMEM;
        }
        size_t nw;
        int found = (!fast || phrase_first(c, tb, lang, i)) && /* most words begin no phrase */
                    phrase_at(c, tb, lang, i, !fast, &v, &nw);
        if (s->verify && fast) {
            /* tests: the filter loses no phrase */
            uint32_t v2;
            size_t nw2;
            int f2 = phrase_at(c, tb, lang, i, 1, &v2, &nw2);
            s->misses += f2 != found || (found && (v2 != v || nw2 != nw));
        }
        if (found) {
            if (neg < 0)
                neg = negated_at(a, i);
            if (neg)
                neg = negation_cancels(a, c->cues[v].weight, i, i + nw - 1);
            if (!neg && cue_chain(s, c, (int32_t)v, t->start, tb->toks[i + nw - 1].end))
                return HM_ENOMEM;
        }
    }
    /* regexes on the normalized text: token norms, one space where the text had space */
    if (c->nre) {
        /* in pattern order: those a literal made eligible, and those always run */
        for (size_t wi = 0; wi < c->nwords; wi++) {
            uint64_t bits = (s->eligible[wi] & c->langok[lang][wi]) | c->always[lang][wi];
            while (bits) {
                size_t r = wi * 64 + (size_t)__builtin_ctzll(bits);
                bits &= bits - 1;
                const cat_regex *re = &c->re[r];
                uint64_t lit_bit = (s->eligible[wi] >> (r & 63)) & 1;
                if (lit_bit && re->after0 && !order_fits(s, re, r))
                    continue; /* its literals are not in the order it needs */
                /* a pattern like an earlier one (the same source and
                 * language) has its matches: the prefilter gave both the same */
                struct cat_spans *sp = c->dup_slot[r] ? &s->dup[c->dup_slot[r] - 1] : NULL;
                struct cat_spans own;
                if (!sp || sp->post != s->post) {
                    if (!sp)
                        sp = &own;
                    if (pattern_spans(c, s, re, r, (int)lit_bit, sp))
                        return HM_ENOMEM;
                    sp->post = s->post;
                }
                for (size_t q = 0; q < sp->n; q++) {
                    uint32_t t0 = token_at(s, sp->at[q][0]), t1 = token_at(s, sp->at[q][1] - 1);
                    int neg = negated_at(a, t0) && negation_cancels(a, re->weight, t0, t1);
                    if (!neg &&
                        add_match(s, re->cat, re->weight, tb->toks[t0].start, tb->toks[t1].end))
                        return HM_ENOMEM;
                }
            }
        }
        if (s->verify && verify_prefilter(a, c, lang))
            return HM_ENOMEM;
    }
    /* group per category */
    for (size_t k = 0; k < c->ncats; k++)
        s->sum[k] = 0;
    double total = 0;
    for (size_t i = 0; i < s->nm; i++) {
        s->sum[s->m[i].cat] += s->m[i].w;
    }
    for (size_t k = 0; k < c->ncats; k++)
        if (s->sum[k] > 0)
            total += s->sum[k];
    s->cue_total = total;
    return 0;
}

double hm_cat_max(const hm_cat_state *s, const hm_cats *c)
{
    double maxcat = 0;
    for (size_t k = 0; k < c->ncats; k++)
        if (s->sum[k] > maxcat)
            maxcat = s->sum[k];
    return maxcat;
}

/* The scorer's complaint probability (model or lexicon rule) and the category
 * cues: a strong cue in a post that is not praise is a complaint too (problem
 * reports without sentiment words: "le site ne marche pas"), combined as a
 * noisy-OR.  The positive probability weighs little here: the polarity blend
 * reads many plain problem reports as positive (0.5-0.8: "the clip snapped
 * within a week", "le lave-linge fuit depuis son installation"); praise is
 * told apart by the cap below.  The trainer tunes the decision threshold on
 * this same figure. */
double hm_complaint_combine(double p, double maxcat, double score, const double *probs, int asks)
{
    double pos = probs ? probs[2] : (score > 0 ? score : 0);
    double zc = 4.0 * (maxcat - 0.7) - 2.0 * (pos - 0.3);
    double cue_prob = maxcat > 0 ? 1.0 / (1.0 + exp(-zc)) : 0;
    p = 1.0 - (1.0 - p) * (1.0 - cue_prob);
    /* praise is not a complaint, whatever the complaint model read into it */
    if (probs && probs[2] > 0.85 && p > 1.0 - probs[2])
        p = 1.0 - probs[2];
    /* a request for information (asks: hm_info_question) keeps a third of
     * the odds: the fee, refund or wait it names read as a complaint to the
     * model and the cues */
    return asks ? p / (3.0 - 2.0 * p) : p;
}

int hm_categories_decide(hm_analyzer *a, const hm_cats *c, double score, const double *probs,
                         double threshold, size_t *ncat)
{
    hm_cat_state *s = &a->cat;
    *ncat = 0;
    if (!c->ncats)
        return 0;
    s->complaint_prob = hm_complaint_combine(s->complaint_prob, hm_cat_max(s, c), score, probs,
                                             s->asks);
    s->complaint = s->complaint_prob >= threshold;
    if (!s->complaint)
        return 0;
    for (size_t k = 0; k < c->ncats; k++) {
        if (s->sum[k] <= 0)
            continue;
        double t = s->sum[k] + 0.5; /* the post is a complaint: half the evidence is there */
        if (t < 1.0)
            continue;
        hm_cat_hit *h = &s->hits[s->nhits++];
        h->cat = (int)k;
        h->score = 1.0 - exp(-t);
        h->ev_from = a->nev;
        int shown = 0;
        for (size_t i = 0; i < s->nm && shown < 16; i++)
            if (s->m[i].cat == k && s->m[i].w > 0) {
                if (hm_ev_add(a, s->m[i].start, s->m[i].end, s->m[i].w, "category"))
                    return HM_ENOMEM;
                shown++;
            }
        h->ev_to = a->nev;
    }
    /* strongest first */
    for (size_t i = 1; i < s->nhits; i++)
        for (size_t j = i; j > 0 && s->hits[j].score > s->hits[j - 1].score; j--) {
            hm_cat_hit tmp = s->hits[j];
            s->hits[j] = s->hits[j - 1];
            s->hits[j - 1] = tmp;
        }
    *ncat = s->nhits;
    return 0;
}
