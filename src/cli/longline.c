/*
 * longline.c — `humeur score`: a line too long to hold, read in pieces.
 *
 * batch.c holds a line whole up to --long-line bytes (256 KiB by default).  A
 * longer line is fed here piece by piece as it is read, and memory stays
 * bounded whatever its length: what the analysis needs is kept, the rest is
 * only checked as it passes.
 *  - lines: the line's first `keep` bytes;
 *  - TSV: the text column's first `keep` bytes and the id column (up to
 *    LL_MAX_VALUE bytes); the other columns are emptied, keeping their places;
 *  - JSON Lines: the JSON is checked as strictly as jansson checks a row
 *    (grammar, escapes, surrogates, UTF-8, integers and reals in range, nesting
 *    depth, NUL in keys, duplicate keys in every object), and the text
 *    field's string is kept for its first `keep` decoded bytes, the id and
 *    --keep values whole (up to LL_MAX_VALUE bytes each).
 * ll_end() then answers a short line of the same format that reads as the
 * long one: the same id, kept values and, since `keep` is more than the
 * engine's analysed length, the same analysed prefix flagged truncated.  Or it
 * answers the error the line earns.  What differs from a held line: error
 * messages give a byte column in their own words; numbers of more than
 * LL_MAX_NUMBER characters, and more than LL_MAX_KEYS keys in the objects open
 * at once, are refused.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LL_MAX_VALUE (64u << 10) /* an id or --keep value, a TSV id column */
#define LL_MAX_DEPTH 2048        /* jansson's nesting limit */
#define LL_MAX_KEYS (1u << 16)   /* keys of the objects open at once */
#define LL_MAX_NUMBER 4096
#define LL_MAX_KEY 1024          /* longer keys are only hashed: no field is named so */
#define LL_FIELDS (2 + JROW_MAX_KEEP)

/* Where the JSON scanner stands. */
enum {
    J_VALUE,     /* a value comes next */
    J_FIRST,     /* after '[': a value or ']' */
    J_FIRST_KEY, /* after '{': a key or '}' */
    J_KEY,       /* after ',' in an object: a key */
    J_COLON,     /* after a key */
    J_NEXT,      /* after an item: ',' or the closing bracket */
    J_END,       /* after the row's value: white space only */
    J_STRING,
    J_NUMBER,
    J_LITERAL
};
/* Inside a string. */
enum { S_PLAIN, S_ESC, S_HEX, S_LOW_BS, S_LOW_U, S_LOW_HEX, S_UTF8 };
/* Inside a number, after: */
enum { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };

struct longline {
    const batch_opts *o;
    size_t keep;               /* bytes of text kept (decoded ones for JSON) */
    unsigned long long pos;    /* bytes taken so far, for error columns */
    int cr;                    /* a '\r' taken last, held back: it may end the line */
    int failed;                /* msg holds the line's error */
    char msg[256];
    const char *name[LL_FIELDS]; /* the fields kept: 0 text, 1 id, 2 + i --keep i */
    size_t nf;
    outbuf f[LL_FIELDS];        /* their kept bytes */
    int seen[LL_FIELDS];
    size_t canon[LL_FIELDS];   /* the first field of the same name */
    int text_whole;            /* the text field is also the id or a kept one */
    outbuf out;
    /* TSV */
    const unsigned char *role; /* per header column: TSV_TEXT, TSV_ID (batch.c's) */
    size_t nrole;
    long text_col, id_col;     /* the last of each that the line has */
    size_t col;
    /* JSON */
    int st;
    int depth;
    unsigned char obj[LL_MAX_DEPTH / 8]; /* bit d: the container at depth d + 1 is an object */
    int nonws;                 /* a byte other than white space was seen */
    int not_object;            /* the row's value is an array */
    int text_not_string;
    int capturing;             /* the bytes in hand belong to a kept value */
    int field;                 /* the field of the top-level value in hand, -1 */
    int is_key;
    int key_nul;
    int ss, hexn;
    unsigned hexv, hi;
    char u8[4];                /* the UTF-8 sequence in hand */
    size_t u8n, u8want;
    int text_full;             /* the text's kept bytes are enough */
    size_t decoded;
    uint64_t khash;
    char key[LL_MAX_KEY];
    size_t kn;
    int key_long;
    /* the keys of the open objects, for duplicates: a 64-bit hash of the key
     * and its object's serial (open addressing; two keys of one hash would
     * refuse the row as a duplicate), and where that object stood; those of
     * closed objects are dropped when the table grows */
    uint64_t *keys;
    uint32_t *kser;
    uint16_t *kdep;
    size_t nkeys, kcap, live;
    uint32_t serial[LL_MAX_DEPTH]; /* of the object at depth d + 1 */
    uint32_t nk[LL_MAX_DEPTH];     /* its keys */
    uint32_t next_serial;
    char num[LL_MAX_NUMBER + 1];
    size_t numn;
    int nst, nreal;
    const char *lit;
    size_t liti;
};

static void fail(longline *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(longline *l, const char *fmt, ...)
{
    if (l->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->msg, sizeof l->msg, fmt, ap);
    va_end(ap);
    l->failed = 1;
}

/* A JSON error at the byte in hand. */
#define JFAIL(l, what) fail(l, "malformed JSON at column %llu: %s", (l)->pos, what)

longline *ll_new(const batch_opts *o, size_t keep)
{
    longline *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->o = o;
    l->keep = keep;
    l->nf = 2 + (o->nkeep < JROW_MAX_KEEP ? o->nkeep : JROW_MAX_KEEP);
    l->name[0] = o->text_field;
    l->name[1] = o->id_field;
    for (size_t i = 2; i < l->nf; i++)
        l->name[i] = o->keep[i - 2];
    for (size_t i = 0; i < LL_FIELDS; i++) {
        l->canon[i] = i;
        for (size_t j = 0; i < l->nf && j < i; j++)
            if (!strcmp(l->name[i], l->name[j])) {
                l->canon[i] = j;
                break;
            }
        if (i < l->nf && i > 0 && l->canon[i] == 0)
            l->text_whole = 1;
    }
    return l;
}

void ll_free(longline *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < LL_FIELDS; i++)
        free(l->f[i].p);
    free(l->out.p);
    free(l->keys);
    free(l->kser);
    free(l->kdep);
    free(l);
}

void ll_columns(longline *l, const unsigned char *role, size_t n)
{
    l->role = role;
    l->nrole = n;
}

static void tsv_enter(longline *l);

void ll_begin(longline *l)
{
    l->pos = 0;
    l->cr = 0;
    l->failed = 0;
    for (size_t i = 0; i < LL_FIELDS; i++) {
        l->f[i].len = 0;
        l->seen[i] = 0;
    }
    l->col = 0;
    l->text_col = l->id_col = -1;
    tsv_enter(l); /* column 0 */
    l->st = J_VALUE;
    l->depth = 0;
    l->nonws = l->not_object = l->text_not_string = 0;
    l->capturing = 0;
    l->field = -1;
    l->text_full = 0;
    l->nkeys = l->live = 0;
    l->next_serial = 0;
    if (l->keys)
        memset(l->keys, 0, l->kcap * sizeof *l->keys);
}

/* ---------- lines and TSV ---------- */

/* Up to `limit` bytes of s into field i; over it, a whole field fails. */
static void keep_bytes(longline *l, size_t i, const char *s, size_t n, size_t limit, int whole)
{
    outbuf *b = &l->f[i];
    if (b->len + n > limit) {
        if (whole) {
            fail(l, "column \"%s\" longer than %u bytes", l->o->id_field, LL_MAX_VALUE);
            return;
        }
        n = limit > b->len ? limit - b->len : 0;
    }
    if (n && ob_put(b, s, n))
        fail(l, "out of memory");
}

/* do_tsv() reads the text and the id in the last columns of their names that
 * the line has: a later one replaces an earlier one. */
static void tsv_enter(longline *l)
{
    int role = l->col < l->nrole ? l->role[l->col] : 0;
    if (role & TSV_ID) {
        l->id_col = (long)l->col;
        l->f[1].len = 0;
    } else if (role & TSV_TEXT) {
        l->text_col = (long)l->col;
        l->f[0].len = 0;
    }
}

static void tsv_feed(longline *l, const char *p, size_t n)
{
    while (n) {
        const char *tab = memchr(p, '\t', n);
        size_t k = tab ? (size_t)(tab - p) : n;
        int role = l->col < l->nrole ? l->role[l->col] : 0;
        if (role & TSV_ID) /* also the text when both have one name: kept whole */
            keep_bytes(l, 1, p, k, LL_MAX_VALUE, 1);
        else if (role & TSV_TEXT)
            keep_bytes(l, 0, p, k, l->keep, 0);
        if (!tab)
            return;
        l->col++;
        tsv_enter(l);
        p += k + 1;
        n -= k + 1;
    }
}

/* ---------- JSON ---------- */

static void keep_byte(longline *l, unsigned char c)
{
    size_t i = l->canon[l->field];
    if (i == 0 && !l->text_whole) { /* the text: a prefix, cut between units */
        if (!l->text_full && !l->text_not_string && ob_put(&l->f[0], (const char *)&c, 1))
            fail(l, "out of memory");
        return;
    }
    outbuf *b = &l->f[i];
    if (b->len >= LL_MAX_VALUE) {
        fail(l, "value of field \"%s\" longer than %u bytes", l->name[i], LL_MAX_VALUE);
    } else if (ob_put(b, (const char *)&c, 1))
        fail(l, "out of memory");
}

static uint64_t fnv(uint64_t h, unsigned char c)
{
    return (h ^ c) * 0x100000001b3ULL;
}

/* Decoded bytes of a string: a key's name, or the count of the text's. */
static void decoded(longline *l, const unsigned char *s, size_t n)
{
    if (l->is_key) {
        for (size_t i = 0; i < n; i++) {
            if (!s[i])
                l->key_nul = 1;
            l->khash = fnv(l->khash, s[i]);
            if (l->kn < LL_MAX_KEY)
                l->key[l->kn++] = (char)s[i];
            else
                l->key_long = 1;
        }
    } else
        l->decoded += n;
}

static void code_point(longline *l, unsigned u)
{
    char t[4];
    size_t n = jrow_utf8(u, t);
    decoded(l, (const unsigned char *)t, n);
}

static int hexval(unsigned char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void value_done(longline *l)
{
    if (l->depth == 1 || l->depth == 0)
        l->capturing = 0;
    l->st = l->depth ? J_NEXT : J_END;
}

static uint64_t key_slot_hash(uint64_t h, uint32_t serial)
{
    h ^= (uint64_t)serial * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
    return h ? h : 1;
}

/* Is the entry i's object still open? */
static int key_live(const longline *l, size_t i)
{
    int d = l->kdep[i];
    return d < l->depth && l->serial[d] == l->kser[i] && ((l->obj[d / 8] >> (d % 8)) & 1);
}

/* Is the key in hand already a key of its object (depth l->depth)?  1 yes,
 * 0 no (it is now), -1 on a limit or allocation failure. */
static int key_known(longline *l)
{
    int d = l->depth - 1;
    uint64_t h = key_slot_hash(l->khash, l->serial[d]);
    if ((l->nkeys + 1) * 2 > l->kcap) {
        /* grow, keeping only the keys of the objects still open */
        if (l->live >= LL_MAX_KEYS) {
            fail(l, "more than %u keys in the open objects", LL_MAX_KEYS);
            return -1;
        }
        size_t nc = 1024;
        while (nc < 4 * (l->live + 1))
            nc *= 2;
        uint64_t *t = calloc(nc, sizeof *t);
        uint32_t *ts = malloc(nc * sizeof *ts);
        uint16_t *td = malloc(nc * sizeof *td);
        if (!t || !ts || !td) {
            free(t);
            free(ts);
            free(td);
            fail(l, "out of memory");
            return -1;
        }
        size_t n = 0;
        for (size_t i = 0; i < l->kcap; i++)
            if (l->keys[i] && key_live(l, i))
                for (size_t j = l->keys[i] & (nc - 1);; j = (j + 1) & (nc - 1))
                    if (!t[j]) {
                        t[j] = l->keys[i];
                        ts[j] = l->kser[i];
                        td[j] = l->kdep[i];
                        n++;
                        break;
                    }
        free(l->keys);
        free(l->kser);
        free(l->kdep);
        l->keys = t;
        l->kser = ts;
        l->kdep = td;
        l->kcap = nc;
        l->nkeys = n;
    }
    for (size_t j = h & (l->kcap - 1);; j = (j + 1) & (l->kcap - 1)) {
        if (l->keys[j] == h && l->kser[j] == l->serial[d] && l->kdep[j] == d)
            return 1;
        if (!l->keys[j]) {
            l->keys[j] = h;
            l->kser[j] = l->serial[d];
            l->kdep[j] = (uint16_t)d;
            l->nkeys++;
            l->live++;
            l->nk[d]++;
            return 0;
        }
    }
}

static void key_done(longline *l)
{
    if (l->key_nul) {
        JFAIL(l, "NUL byte in object key not supported");
        return;
    }
    l->st = J_COLON;
    int known = key_known(l);
    if (known < 0)
        return;
    if (known) {
        JFAIL(l, "duplicate object key");
        return;
    }
    if (l->depth != 1)
        return;
    l->field = -1;
    if (l->key_long)
        return;
    for (size_t i = 0; i < l->nf; i++) {
        if (strlen(l->name[i]) == l->kn && !memcmp(l->name[i], l->key, l->kn)) {
            l->field = (int)l->canon[i];
            return;
        }
    }
}

/* One byte of a string. */
static void string_byte(longline *l, unsigned char c)
{
    switch (l->ss) {
    case S_PLAIN:
        if (c == '"') {
            if (l->is_key)
                key_done(l);
            else
                value_done(l);
        } else if (c == '\\')
            l->ss = S_ESC;
        else if (c < 0x20) {
            char m[48];
            snprintf(m, sizeof m, "control character 0x%x in string", c);
            JFAIL(l, m);
        } else if (c < 0x80)
            decoded(l, &c, 1);
        else { /* a UTF-8 sequence: checked once it is whole */
            l->u8[0] = (char)c;
            l->u8n = 1;
            l->u8want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            l->ss = S_UTF8;
        }
        return;
    case S_UTF8:
        l->u8[l->u8n++] = (char)c;
        if (l->u8n < l->u8want)
            return;
        if (jrow_utf8_seq(l->u8, l->u8 + l->u8n) != l->u8n) {
            JFAIL(l, "invalid UTF-8");
            return;
        }
        decoded(l, (const unsigned char *)l->u8, l->u8n);
        l->ss = S_PLAIN;
        return;
    case S_ESC: {
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *k = c ? strchr(from, c) : NULL;
        if (c == 'u') {
            l->ss = S_HEX;
            l->hexn = 0;
            l->hexv = 0;
        } else if (k) {
            unsigned char d = (unsigned char)to[k - from];
            decoded(l, &d, 1);
            l->ss = S_PLAIN;
        } else
            JFAIL(l, "invalid escape");
        return;
    }
    case S_HEX:
    case S_LOW_HEX: {
        int d = hexval(c);
        if (d < 0) {
            JFAIL(l, "invalid escape");
            return;
        }
        l->hexv = l->hexv * 16 + (unsigned)d;
        if (++l->hexn < 4)
            return;
        if (l->ss == S_HEX) {
            if (l->hexv >= 0xDC00 && l->hexv <= 0xDFFF)
                JFAIL(l, "invalid Unicode escape (lone low surrogate)");
            else if (l->hexv >= 0xD800 && l->hexv <= 0xDBFF) {
                l->hi = l->hexv;
                l->ss = S_LOW_BS;
            } else {
                code_point(l, l->hexv);
                l->ss = S_PLAIN;
            }
        } else if (l->hexv < 0xDC00 || l->hexv > 0xDFFF)
            JFAIL(l, "invalid Unicode escape (high surrogate without a low one)");
        else {
            code_point(l, 0x10000 + ((l->hi - 0xD800) << 10) + (l->hexv - 0xDC00));
            l->ss = S_PLAIN;
        }
        return;
    }
    case S_LOW_BS:
        if (c != '\\')
            JFAIL(l, "invalid Unicode escape (high surrogate without a low one)");
        l->ss = S_LOW_U;
        return;
    case S_LOW_U:
        if (c != 'u')
            JFAIL(l, "invalid Unicode escape (high surrogate without a low one)");
        l->ss = S_LOW_HEX;
        l->hexn = 0;
        l->hexv = 0;
        return;
    }
}

/* A number has ended: is it one jansson holds? */
static void number_done(longline *l)
{
    if (l->nst != N_ZERO && l->nst != N_INT && l->nst != N_FRAC && l->nst != N_EXP) {
        JFAIL(l, "invalid number");
        return;
    }
    l->num[l->numn] = 0;
    errno = 0;
    if (!l->nreal) {
        (void)strtoll(l->num, NULL, 10);
        if (errno == ERANGE)
            JFAIL(l, l->num[0] == '-' ? "too big negative integer" : "too big integer");
    } else {
        double v = strtod(l->num, NULL);
        if (isinf(v))
            JFAIL(l, "real number overflow");
    }
    value_done(l);
}

/* One byte of a number; 0 when it is not part of it (the number has ended and
 * the byte is to be taken again). */
static int number_byte(longline *l, unsigned char c)
{
    int digit = c >= '0' && c <= '9';
    int next = -1;
    switch (l->nst) {
    case N_MINUS: next = c == '0' ? N_ZERO : digit ? N_INT : -1; break;
    case N_ZERO:
        if (digit) { /* a leading zero */
            JFAIL(l, "invalid token");
            return 1;
        }
        next = c == '.' ? N_DOT : c == 'e' || c == 'E' ? N_E : -1;
        break;
    case N_INT: next = digit ? N_INT : c == '.' ? N_DOT : c == 'e' || c == 'E' ? N_E : -1; break;
    case N_DOT: next = digit ? N_FRAC : -1; break;
    case N_FRAC: next = digit ? N_FRAC : c == 'e' || c == 'E' ? N_E : -1; break;
    case N_E: next = digit ? N_EXP : c == '+' || c == '-' ? N_ESIGN : -1; break;
    case N_ESIGN: next = digit ? N_EXP : -1; break;
    case N_EXP: next = digit ? N_EXP : -1; break;
    }
    if (next < 0) {
        number_done(l);
        return 0;
    }
    if (next == N_DOT || next == N_E)
        l->nreal = 1;
    if (l->numn == LL_MAX_NUMBER) {
        JFAIL(l, "number longer than 4096 characters");
        return 1;
    }
    l->num[l->numn++] = (char)c;
    l->nst = next;
    return 1;
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void open_value(longline *l, unsigned char c)
{
    if (l->depth == 0 && c != '{' && c != '[') {
        JFAIL(l, "'[' or '{' expected");
        return;
    }
    if (l->depth == 1 && l->field >= 0) {
        l->capturing = 1;
        l->seen[l->field] = 1;
        if (l->field == 0 && c != '"')
            l->text_not_string = 1;
    }
    switch (c) {
    case '"':
        l->st = J_STRING;
        l->ss = S_PLAIN;
        l->is_key = 0;
        l->decoded = 0;
        return;
    case '{':
    case '[':
        if (l->depth == LL_MAX_DEPTH) {
            JFAIL(l, "maximum parsing depth reached");
            return;
        }
        if (l->depth == 0 && c == '[')
            l->not_object = 1;
        if (c == '{') {
            l->obj[l->depth / 8] |= (unsigned char)(1u << (l->depth % 8));
            l->serial[l->depth] = l->next_serial++;
            l->nk[l->depth] = 0;
        } else
            l->obj[l->depth / 8] &= (unsigned char)~(1u << (l->depth % 8));
        l->depth++;
        l->st = c == '{' ? J_FIRST_KEY : J_FIRST;
        return;
    case 't': l->lit = "true"; break;
    case 'f': l->lit = "false"; break;
    case 'n': l->lit = "null"; break;
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            l->st = J_NUMBER;
            l->numn = 0;
            l->nreal = 0;
            l->nst = N_MINUS;
            if (c != '-')
                number_byte(l, c);
            else
                l->num[l->numn++] = '-';
            return;
        }
        JFAIL(l, c == ']' || c == '}' ? "unexpected token" : "invalid token");
        return;
    }
    l->st = J_LITERAL;
    l->liti = 1;
}

static int in_object(const longline *l)
{
    int d = l->depth - 1;
    return (l->obj[d / 8] >> (d % 8)) & 1;
}

static void close_container(longline *l)
{
    l->depth--;
    if ((l->obj[l->depth / 8] >> (l->depth % 8)) & 1)
        l->live -= l->nk[l->depth]; /* its keys are dropped when the table grows */
    value_done(l);
}

/* One byte of the row; 0 when it is to be taken again (a number ended on it). */
static int json_byte(longline *l, unsigned char c)
{
    if (!c) {
        JFAIL(l, "NUL byte");
        return 1;
    }
    switch (l->st) {
    case J_STRING:
        /* the text is cut where a character or an escape starts */
        if (l->ss == S_PLAIN && l->decoded >= l->keep && !l->is_key && l->capturing &&
            l->field == 0)
            l->text_full = 1;
        string_byte(l, c);
        return 1;
    case J_NUMBER:
        return number_byte(l, c);
    case J_LITERAL:
        if (c != (unsigned char)l->lit[l->liti])
            JFAIL(l, "invalid token");
        else if (!l->lit[++l->liti])
            value_done(l);
        return 1;
    default:
        break;
    }
    if (is_ws(c))
        return 1;
    l->nonws = 1;
    switch (l->st) {
    case J_FIRST:
        if (c == ']') {
            close_container(l);
            return 1;
        }
        /* fall through */
    case J_VALUE:
        open_value(l, c);
        return 1;
    case J_FIRST_KEY:
        if (c == '}') {
            close_container(l);
            return 1;
        }
        /* fall through */
    case J_KEY:
        if (c != '"') {
            JFAIL(l, "string or '}' expected");
            return 1;
        }
        l->st = J_STRING;
        l->ss = S_PLAIN;
        l->is_key = 1;
        l->key_nul = 0;
        l->key_long = 0;
        l->kn = 0;
        l->khash = 0xcbf29ce484222325ULL;
        return 1;
    case J_COLON:
        if (c != ':')
            JFAIL(l, "':' expected");
        l->st = J_VALUE;
        return 1;
    case J_NEXT:
        if (c == ',')
            l->st = in_object(l) ? J_KEY : J_VALUE;
        else if (c == (in_object(l) ? '}' : ']'))
            close_container(l);
        else
            JFAIL(l, in_object(l) ? "',' or '}' expected" : "',' or ']' expected");
        return 1;
    case J_END:
        JFAIL(l, "end of file expected");
        return 1;
    }
    return 1;
}

static void json_feed(longline *l, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n && !l->failed; i++) {
        unsigned char c = p[i];
        l->pos++;
        /* a run of plain bytes of the string in hand, at once */
        if (l->st == J_STRING && l->ss == S_PLAIN && !l->is_key &&
            !(l->capturing && (l->text_whole || l->field != 0))) {
            size_t j = i;
            while (j < n && p[j] >= 0x20 && p[j] < 0x80 && p[j] != '"' && p[j] != '\\')
                j++;
            if (j > i) {
                size_t run = j - i;
                if (l->capturing && !l->text_full && !l->text_not_string) {
                    /* the text: up to `keep` decoded bytes */
                    size_t room = l->keep > l->decoded ? l->keep - l->decoded : 0;
                    size_t k = run < room ? run : room;
                    if (ob_put(&l->f[0], (const char *)p + i, k))
                        fail(l, "out of memory");
                    if (k < run)
                        l->text_full = 1;
                }
                l->decoded += run;
                l->pos += run - 1;
                i = j - 1;
                continue;
            }
        }
        for (;;) { /* twice when a number ends on the byte */
            int was = l->capturing;
            int took = json_byte(l, c);
            if (l->failed)
                break;
            if (took) {
                if (was || l->capturing)
                    keep_byte(l, c);
                break;
            }
        }
    }
}

/* ---------- feeding and the short line ---------- */

static void take(longline *l, const char *p, size_t n)
{
    if (l->failed || !n)
        return;
    if (l->o->format == FMT_JSONL)
        json_feed(l, (const unsigned char *)p, n);
    else if (l->o->format == FMT_TSV)
        tsv_feed(l, p, n);
    else {
        keep_bytes(l, 0, p, n, l->keep, 0);
        l->pos += n;
    }
}

void ll_feed(longline *l, const char *p, size_t n)
{
    if (!n)
        return;
    if (l->cr) { /* not the end of the line after all */
        l->cr = 0;
        take(l, "\r", 1);
    }
    if (p[n - 1] == '\r') {
        l->cr = 1;
        n--;
    }
    take(l, p, n);
}

/* The short line that reads as the long one, or its error (*is_error).  Valid
 * until the next ll_begin(). */
const char *ll_end(longline *l, size_t *len, int *is_error)
{
    outbuf *b = &l->out;
    b->len = 0;
    *is_error = 0;
    if (!l->failed && l->o->format == FMT_JSONL) {
        if (!l->nonws)
            fail(l, "empty line");
        else if (l->st != J_END) {
            l->pos++;
            JFAIL(l, "premature end of input");
        } else if (l->not_object)
            fail(l, "not a JSON object");
    }
    if (!l->failed && l->o->format == FMT_JSONL) {
        int first = 1, bad = ob_put(b, "{", 1);
        for (size_t i = 0; i < LL_FIELDS && !bad; i++) {
            if (!l->seen[i] || l->canon[i] != i)
                continue;
            const char *name = l->name[i];
            bad = (!first && ob_put(b, ",", 1)) || ob_jstr(b, name, strlen(name)) || ob_put(b, ":", 1);
            first = 0;
            if (bad)
                break;
            if (i == 0 && l->text_not_string && !l->text_whole)
                bad = ob_put(b, "null", 4); /* not a string (and cut): the analysis says so */
            else
                bad = ob_put(b, l->f[i].p, l->f[i].len) ||
                      (i == 0 && !l->text_whole && l->text_full && ob_put(b, "\"", 1));
        }
        if (bad || ob_put(b, "}", 1))
            fail(l, "out of memory");
    } else if (!l->failed && l->o->format == FMT_TSV) {
        long last = l->text_col > l->id_col ? l->text_col : l->id_col;
        for (long c = 0; c <= last; c++) {
            const outbuf *f = c == l->id_col ? &l->f[1] : c == l->text_col ? &l->f[0] : NULL;
            if ((c && ob_put(b, "\t", 1)) || (f && f->len && ob_put(b, f->p, f->len))) {
                fail(l, "out of memory");
                break;
            }
        }
    } else if (!l->failed && l->f[0].len && ob_put(b, l->f[0].p, l->f[0].len))
        fail(l, "out of memory");
    if (l->failed) {
        *is_error = 1;
        *len = strlen(l->msg);
        return l->msg;
    }
    *len = b->len;
    return b->len ? b->p : "";
}
