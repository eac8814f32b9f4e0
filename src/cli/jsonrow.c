/*
 * jsonrow.c — the fast path of `humeur score` for one JSON Lines row.
 *
 * A strict scanner of the common row shape: one object whose values are
 * strings, numbers, true/false/null, or arrays and objects (skipped, and
 * checked as strictly).  It finds the text field (escapes decoded) and the raw
 * JSON of the id and --keep values.  It promises one thing: when it answers 1,
 * jansson's json_loadb(JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL) accepts the row,
 * finds the same text, and json_dumps(JSON_ENCODE_ANY | JSON_COMPACT) writes
 * the id and kept values byte for byte as given here.  Everything else answers
 * 0 and batch.c parses the row with jansson, so errors and unusual values read
 * exactly as before: invalid JSON, invalid UTF-8, duplicate keys, keys with an
 * escape, a text that is not a string, an id or kept value that jansson would
 * rewrite (escaped strings, reals, "-0", arrays, objects), integers beyond 18
 * digits and reals that might overflow, nesting deeper than JROW_MAX_DEPTH, more
 * than JROW_MAX_KEYS keys in one object.  tests/fuzz/fuzz_batch.c compares the
 * two on every row it is given.
 */
#include "cli.h"

#include <stdint.h>
#include <string.h>

#define JROW_MAX_DEPTH 16
#define JROW_MAX_KEYS 32

typedef struct scanner {
    const unsigned char *p, *end;
} scanner;

/* What a value is, as far as the id and --keep fields care.  V_PLAIN: a string
 * without escape, an integer jansson writes back as it is, true, false or null,
 * whose raw text is what json_dumps writes. */
enum { V_PLAIN, V_ESCAPED_STRING, V_OTHER };

/* Bytes that end a run of plain string bytes: '"', '\\', controls, non-ASCII. */
static const unsigned char str_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static void skip_ws(scanner *sc)
{
    while (sc->p < sc->end &&
           (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\n' || *sc->p == '\r'))
        sc->p++;
}

/* RFC 3629: no overlong form, no surrogate, nothing above U+10FFFF. */
size_t jrow_utf8_seq(const char *s, const char *e)
{
    const unsigned char *p = (const unsigned char *)s, *end = (const unsigned char *)e;
    unsigned c = p[0];
    size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (c < 0xC2 || c > 0xF4 || (size_t)(end - p) < k)
        return 0;
    for (size_t j = 1; j < k; j++)
        if ((p[j] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0) ||
        (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
        return 0;
    return k;
}

static int hex4(const unsigned char *p, const unsigned char *end)
{
    if (end - p < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* The string at sc->p (on its opening quote): checked, skipped.  *esc tells
 * whether it holds an escape.  0, or -1 when the fast path gives up. */
static int scan_string(scanner *sc, int *esc)
{
    const unsigned char *p = sc->p + 1, *end = sc->end;
    *esc = 0;
    for (;;) {
        /* eight plain bytes at a time while no byte of them is a stop (a
         * control, '"', '\\', non-ASCII); then byte by byte to the stop */
        const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
        while (end - p >= 8) {
            uint64_t x, q, b;
            memcpy(&x, p, 8);
            q = x ^ (ones * '"');
            b = x ^ (ones * '\\');
            if ((x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs)
                break;
            p += 8;
        }
        while (p < end && !str_stop[*p])
            p++;
        if (p == end)
            return -1;
        if (*p == '"')
            break;
        if (*p >= 0x80) {
            size_t k = jrow_utf8_seq((const char *)p, (const char *)end);
            if (!k)
                return -1;
            p += k;
        } else if (*p == '\\') {
            *esc = 1;
            if (end - p < 2)
                return -1;
            unsigned char c = p[1];
            if (c == 'u') {
                int u = hex4(p + 2, end);
                if (u < 0 || (u >= 0xDC00 && u <= 0xDFFF))
                    return -1;
                p += 6;
                if (u >= 0xD800 && u <= 0xDBFF) { /* a low surrogate must follow */
                    if (end - p < 2 || p[0] != '\\' || p[1] != 'u')
                        return -1;
                    int lo = hex4(p + 2, end);
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return -1;
                    p += 6;
                }
            } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' ||
                       c == 'r' || c == 't')
                p += 2;
            else
                return -1;
        } else
            return -1; /* a control character */
    }
    sc->p = p + 1;
    return 0;
}

size_t jrow_utf8(unsigned long u, char *t)
{
    if (u < 0x80) {
        t[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        t[0] = (char)(0xC0 | (u >> 6));
        t[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        t[0] = (char)(0xE0 | (u >> 12));
        t[1] = (char)(0x80 | ((u >> 6) & 0x3F));
        t[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    t[0] = (char)(0xF0 | (u >> 18));
    t[1] = (char)(0x80 | ((u >> 12) & 0x3F));
    t[2] = (char)(0x80 | ((u >> 6) & 0x3F));
    t[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

/* The decoded bytes of a checked string (without its quotes) into dst, which
 * holds at least n bytes; returns their count. */
static size_t decode_string(const unsigned char *s, size_t n, char *dst)
{
    const unsigned char *end = s + n;
    char *t = dst;
    while (s < end) {
        if (*s != '\\') {
            *t++ = (char)*s++;
            continue;
        }
        unsigned char c = s[1];
        s += 2;
        switch (c) {
        case 'b': *t++ = '\b'; break;
        case 'f': *t++ = '\f'; break;
        case 'n': *t++ = '\n'; break;
        case 'r': *t++ = '\r'; break;
        case 't': *t++ = '\t'; break;
        case 'u': {
            long u = hex4(s, end);
            s += 4;
            if (u >= 0xD800 && u <= 0xDBFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (hex4(s + 2, end) - 0xDC00);
                s += 6;
            }
            t += jrow_utf8((unsigned long)u, t);
            break;
        }
        default: *t++ = (char)c; break; /* '"', '\\', '/' */
        }
    }
    return (size_t)(t - dst);
}

static int is_digit(const scanner *sc)
{
    return sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9';
}

/* A number by the JSON grammar.  Integers jansson holds (18 digits at most
 * here) are V_PLAIN but "-0", which it writes "0"; reals are V_OTHER, and only
 * those that cannot overflow a double (jansson rejects those) are taken. */
static int scan_number(scanner *sc, int *kind)
{
    const unsigned char *start = sc->p;
    if (sc->p < sc->end && *sc->p == '-')
        sc->p++;
    if (!is_digit(sc))
        return -1;
    const unsigned char *digits = sc->p;
    if (*sc->p == '0')
        sc->p++;
    else
        while (is_digit(sc))
            sc->p++;
    size_t nint = (size_t)(sc->p - digits);
    int real = 0;
    if (sc->p < sc->end && *sc->p == '.') {
        sc->p++;
        if (!is_digit(sc))
            return -1;
        while (is_digit(sc))
            sc->p++;
        real = 1;
    }
    long exp10 = 0;
    if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
        sc->p++;
        int neg = 0;
        if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
            neg = *sc->p++ == '-';
        if (!is_digit(sc))
            return -1;
        while (is_digit(sc)) {
            if (exp10 < 100000)
                exp10 = exp10 * 10 + (*sc->p - '0');
            sc->p++;
        }
        if (neg)
            exp10 = 0; /* underflow is no error */
        real = 1;
    }
    if (real) {
        if ((long)nint + exp10 > 300) /* below 10^301: no overflow */
            return -1;
        *kind = V_OTHER;
    } else {
        if (nint > 18)
            return -1;
        *kind = sc->p - start == 2 && start[0] == '-' && start[1] == '0' ? V_OTHER : V_PLAIN;
    }
    return 0;
}

static int scan_literal(scanner *sc, const char *word, size_t n)
{
    if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, word, n))
        return -1;
    sc->p += n;
    return 0;
}

static int scan_value(scanner *sc, int depth, int *kind);

/* On the '{' or '[' of a container: step in; 1 when it closes at once. */
static int open_container(scanner *sc, unsigned char close)
{
    sc->p++;
    skip_ws(sc);
    if (sc->p < sc->end && *sc->p == close) {
        sc->p++;
        return 1;
    }
    return 0;
}

/* After a member or an element: 1 when the container closes, 0 after a ','
 * (another item follows), -1 on anything else. */
static int next_item(scanner *sc, unsigned char close)
{
    skip_ws(sc);
    if (sc->p == sc->end)
        return -1;
    if (*sc->p == close) {
        sc->p++;
        return 1;
    }
    if (*sc->p != ',')
        return -1;
    sc->p++;
    skip_ws(sc);
    return 0;
}

static int key_is(const unsigned char *k, size_t kn, const char *name)
{
    return !strncmp((const char *)k, name, kn) && !name[kn];
}

/* The members of the object at sc->p (on its '{').  At depth 0, row is filled:
 * the members named like the text, id and --keep fields of o. */
static int scan_object(scanner *sc, int depth, const batch_opts *o, jrow *row)
{
    jrow_span keys[JROW_MAX_KEYS];
    size_t nkeys = 0;
    if (open_container(sc, '}'))
        return 0;
    for (;;) {
        if (sc->p == sc->end || *sc->p != '"' || nkeys == JROW_MAX_KEYS)
            return -1;
        const unsigned char *k = sc->p + 1;
        int esc, kind;
        if (scan_string(sc, &esc) || esc)
            return -1; /* jansson compares decoded keys: escaped ones are left to it */
        size_t kn = (size_t)(sc->p - 1 - k);
        for (size_t i = 0; i < nkeys; i++)
            if (keys[i].n == kn && !memcmp(keys[i].p, k, kn))
                return -1; /* a duplicate key */
        keys[nkeys].p = (const char *)k;
        keys[nkeys++].n = kn;
        skip_ws(sc);
        if (sc->p == sc->end || *sc->p != ':')
            return -1;
        sc->p++;
        skip_ws(sc);
        const unsigned char *v = sc->p;
        if (scan_value(sc, depth, &kind))
            return -1;
        if (row) {
            jrow_span val = {(const char *)v, (size_t)(sc->p - v)};
            if (key_is(k, kn, o->text_field)) {
                if (kind == V_OTHER || *v != '"')
                    return -1; /* not a string: jansson's path says so */
                row->text = val;
                row->text_escaped = kind == V_ESCAPED_STRING;
            }
            if (key_is(k, kn, o->id_field)) {
                if (kind != V_PLAIN)
                    return -1;
                row->id = val;
            }
            for (size_t i = 0; i < o->nkeep; i++)
                if (key_is(k, kn, o->keep[i])) {
                    if (kind != V_PLAIN)
                        return -1;
                    row->keep[i] = val;
                }
        }
        int next = next_item(sc, '}');
        if (next)
            return next > 0 ? 0 : -1;
    }
}

static int scan_array(scanner *sc, int depth)
{
    int kind;
    if (open_container(sc, ']'))
        return 0;
    for (;;) {
        if (scan_value(sc, depth, &kind))
            return -1;
        int next = next_item(sc, ']');
        if (next)
            return next > 0 ? 0 : -1;
    }
}

/* One value at sc->p (white space skipped), nested in depth containers. */
static int scan_value(scanner *sc, int depth, int *kind)
{
    if (sc->p == sc->end)
        return -1;
    *kind = V_PLAIN;
    switch (*sc->p) {
    case '"': {
        int esc;
        if (scan_string(sc, &esc))
            return -1;
        *kind = esc ? V_ESCAPED_STRING : V_PLAIN;
        return 0;
    }
    case '{':
    case '[':
        *kind = V_OTHER;
        if (depth + 1 >= JROW_MAX_DEPTH)
            return -1;
        return *sc->p == '{' ? scan_object(sc, depth + 1, NULL, NULL) : scan_array(sc, depth + 1);
    case 't': return scan_literal(sc, "true", 4);
    case 'f': return scan_literal(sc, "false", 5);
    case 'n': return scan_literal(sc, "null", 4);
    default: return scan_number(sc, kind);
    }
}

int jrow_scan(const char *s, size_t n, const batch_opts *o, char *scratch, jrow *row)
{
    scanner sc = {(const unsigned char *)s, (const unsigned char *)s + n};
    if (o->nkeep > JROW_MAX_KEEP)
        return 0;
    row->text.p = row->id.p = NULL;
    row->text_escaped = 0;
    for (size_t i = 0; i < o->nkeep; i++)
        row->keep[i].p = NULL;
    skip_ws(&sc);
    if (sc.p == sc.end || *sc.p != '{' || scan_object(&sc, 0, o, row))
        return 0;
    skip_ws(&sc);
    if (sc.p != sc.end || !row->text.p)
        return 0;
    /* the text without its quotes, decoded when it holds escapes */
    row->text.p++;
    row->text.n -= 2;
    if (row->text_escaped) {
        row->text.n = decode_string((const unsigned char *)row->text.p, row->text.n, scratch);
        row->text.p = scratch;
    }
    return 1;
}
