/*
 * fuzzcheck.h — invariant helpers shared by the humeur fuzz harnesses:
 * a strict UTF-8 check and a small strict JSON (RFC 8259) validator.
 * Header-only (static functions) so every harness stays one translation unit.
 */
#ifndef HM_FUZZCHECK_H
#define HM_FUZZCHECK_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunused-function"
#endif

/* Abort with a message: the fuzzer (or the replay driver) reports the input. */
#define FZ_CHECK(cond, ...)                                                        \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "\nINVARIANT BROKEN at %s:%d: %s\n  ", __FILE__,        \
                    __LINE__, #cond);                                              \
            fprintf(stderr, __VA_ARGS__);                                          \
            fputc('\n', stderr);                                                   \
            abort();                                                               \
        }                                                                          \
    } while (0)

/* Length of the valid UTF-8 sequence at s[0..n) (1..4), 0 when invalid.
 * Rejects overlongs, surrogates, code points above U+10FFFF, truncations. */
static size_t fz_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (!k || c > 0xF4 || k > n)
        return 0;
    for (size_t j = 1; j < k; j++)
        if ((s[j] & 0xC0) != 0x80)
            return 0;
    if (c == 0xE0 && s[1] < 0xA0) return 0;  /* overlong */
    if (c == 0xED && s[1] >= 0xA0) return 0; /* surrogate */
    if (c == 0xF0 && s[1] < 0x90) return 0;  /* overlong */
    if (c == 0xF4 && s[1] >= 0x90) return 0; /* > U+10FFFF */
    return k;
}

static int fz_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = fz_utf8_seq(p + i, n - i);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

/* ---- strict JSON validator ---- */
typedef struct fz_json {
    const unsigned char *p;
    size_t n, i;
    int depth;
} fz_json;

static void fz_ws(fz_json *j)
{
    while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\t' || j->p[j->i] == '\n' ||
                           j->p[j->i] == '\r'))
        j->i++;
}

static int fz_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static int fz_jstring(fz_json *j)
{
    if (j->i >= j->n || j->p[j->i] != '"')
        return 0;
    j->i++;
    while (j->i < j->n) {
        unsigned char c = j->p[j->i];
        if (c == '"') {
            j->i++;
            return 1;
        }
        if (c < 0x20)
            return 0; /* raw control character */
        if (c == '\\') {
            if (j->i + 1 >= j->n)
                return 0;
            unsigned char e = j->p[j->i + 1];
            if (e == 'u') {
                if (j->i + 6 > j->n)
                    return 0;
                for (int k = 2; k < 6; k++)
                    if (!fz_hex(j->p[j->i + k]))
                        return 0;
                j->i += 6;
            } else if (strchr("\"\\/bfnrt", e) && e) {
                j->i += 2;
            } else
                return 0;
            continue;
        }
        size_t k = fz_utf8_seq(j->p + j->i, j->n - j->i);
        if (!k)
            return 0;
        j->i += k;
    }
    return 0;
}

static int fz_jnumber(fz_json *j)
{
    size_t s = j->i;
    if (j->i < j->n && j->p[j->i] == '-')
        j->i++;
    if (j->i >= j->n)
        return 0;
    if (j->p[j->i] == '0')
        j->i++;
    else if (j->p[j->i] >= '1' && j->p[j->i] <= '9')
        while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
            j->i++;
    else
        return 0;
    if (j->i < j->n && j->p[j->i] == '.') {
        j->i++;
        size_t d = j->i;
        while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
            j->i++;
        if (j->i == d)
            return 0;
    }
    if (j->i < j->n && (j->p[j->i] | 0x20) == 'e') {
        j->i++;
        if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-'))
            j->i++;
        size_t d = j->i;
        while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
            j->i++;
        if (j->i == d)
            return 0;
    }
    return j->i > s;
}

static int fz_jvalue(fz_json *j)
{
    fz_ws(j);
    if (j->i >= j->n || ++j->depth > 4096)
        return 0;
    int ok = 0;
    unsigned char c = j->p[j->i];
    if (c == '{') {
        j->i++;
        fz_ws(j);
        if (j->i < j->n && j->p[j->i] == '}') {
            j->i++;
            ok = 1;
        } else
            for (;;) {
                fz_ws(j);
                if (!fz_jstring(j))
                    break;
                fz_ws(j);
                if (j->i >= j->n || j->p[j->i] != ':')
                    break;
                j->i++;
                if (!fz_jvalue(j))
                    break;
                fz_ws(j);
                if (j->i < j->n && j->p[j->i] == ',') {
                    j->i++;
                    continue;
                }
                if (j->i < j->n && j->p[j->i] == '}') {
                    j->i++;
                    ok = 1;
                }
                break;
            }
    } else if (c == '[') {
        j->i++;
        fz_ws(j);
        if (j->i < j->n && j->p[j->i] == ']') {
            j->i++;
            ok = 1;
        } else
            for (;;) {
                if (!fz_jvalue(j))
                    break;
                fz_ws(j);
                if (j->i < j->n && j->p[j->i] == ',') {
                    j->i++;
                    continue;
                }
                if (j->i < j->n && j->p[j->i] == ']') {
                    j->i++;
                    ok = 1;
                }
                break;
            }
    } else if (c == '"') {
        ok = fz_jstring(j);
    } else if (c == 't' || c == 'f' || c == 'n') {
        const char *lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t l = strlen(lit);
        if (j->n - j->i >= l && !memcmp(j->p + j->i, lit, l)) {
            j->i += l;
            ok = 1;
        }
    } else
        ok = fz_jnumber(j);
    j->depth--;
    return ok;
}

/* 1 when s[0..n) is exactly one JSON value (optionally surrounded by spaces). */
static int fz_json_valid(const char *s, size_t n)
{
    fz_json j = {(const unsigned char *)s, n, 0, 0};
    if (!fz_jvalue(&j))
        return 0;
    fz_ws(&j);
    return j.i == n;
}

/* 1 when s[0..n) is a JSON object on one line with no raw control character
 * (C0; also DEL when no_del). */
static int fz_json_line(const char *s, size_t n, int no_del)
{
    if (n < 2 || s[0] != '{')
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (no_del && s[i] == 0x7F))
            return 0;
    return fz_json_valid(s, n);
}

#endif
