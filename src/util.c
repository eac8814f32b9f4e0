/*
 * util.c — growable buffers, hashing, the read-only string map, status.
 * Every allocation failure is reported as HM_ENOMEM; nothing here aborts.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)1 << 21) /* x86-64's, which hm_alloc_huge's sizes are multiples of */

int hm_buf_reserve(hm_buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return 0;
    size_t need = b->len + extra + 1;
    if (need < b->len)
        return HM_ENOMEM;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            return HM_ENOMEM;
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p)
        return HM_ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

void *hm_alloc_huge(size_t size)
{
    /* mapped with a huge page to spare, then cut to the aligned part: the
     * pages come zeroed and only when first touched, so opening an analyzer
     * neither clears nor commits them */
    size_t len = size + HUGE_PAGE;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    char *p = m + (HUGE_PAGE - (uintptr_t)m % HUGE_PAGE) % HUGE_PAGE;
    if (p > m)
        munmap(m, (size_t)(p - m));
    if (m + len > p + size)
        munmap(p + size, (size_t)(m + len - (p + size)));
#ifdef MADV_HUGEPAGE
    madvise(p, size, MADV_HUGEPAGE); /* a hint: no error to handle */
#endif
    return p;
}

void hm_free_huge(void *p, size_t size)
{
    if (p)
        munmap(p, size);
}

/* "00" to "99": numbers are written two digits per table read */
static const char digit_pairs[201] = "0001020304050607080910111213141516171819"
                                     "2021222324252627282930313233343536373839"
                                     "4041424344454647484950515253545556575859"
                                     "6061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

/* Decimal digits of v, most significant first; returns their count (1 to 20).
 * The count first, then the digits in place from the last, two per table
 * read: no copy of a variable length (a library call). */
size_t hm_fmt_uint(char *out, uint64_t v)
{
    /* (spans and counts are small: a compare or two, most often) */
    size_t n = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : 4;
    for (uint64_t t = v / 10000; t; t /= 10)
        n++;
    char *d = out + n;
    while (v >= 100) {
        d -= 2;
        memcpy(d, digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10)
        memcpy(d - 2, digit_pairs + 2 * v, 2);
    else
        d[-1] = (char)('0' + v);
    return n;
}

int hm_buf_put_uint(hm_buf *b, uint64_t v)
{
    if (hm_buf_reserve(b, 20))
        return HM_ENOMEM;
    b->len += hm_fmt_uint(b->p + b->len, v);
    b->p[b->len] = 0;
    return 0;
}

/* The powers of ten a double holds exactly. */
static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* a * 10^k with one correctly rounded operation (|k| <= 22). */
static double scale10(double a, int k)
{
    return k >= 0 ? a * pow10_exact[k] : a / pow10_exact[-k];
}

/*
 * printf("%.4g") without stdio.  The fast path covers 1e-10 <= |v| < 1e15 and
 * zero: |v| is scaled by an exact power of ten into [1000, 10000) with one
 * rounded multiplication or division, whose error (under 1e-11) cannot move a
 * value across a rounding boundary unless the scaled value lies within 1e-7 of
 * a half-way point; those values, and everything outside the range (NaN,
 * infinities, tiny and huge values), go to snprintf.  tests/test_fmt.c checks
 * the identity on millions of values.
 */
size_t hm_fmt_g4(char *out, double v)
{
    double a = fabs(v);
    size_t n = 0;
    if (v == 0) {
        if (signbit(v))
            out[n++] = '-';
        out[n++] = '0';
        out[n] = 0;
        return n;
    }
    if (!(a >= 1e-10 && a < 1e15))
        goto slow;
    /* decimal exponent: an estimate from the binary one, then corrected */
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int e2 = (int)((bits >> 52) & 0x7ff) - 1023; /* a is normal here: 2^e2 <= a < 2^(e2+1) */
    int x = e2 * 30103 / 100000 - (e2 < 0);
    double s = scale10(a, 3 - x);
    if (s >= 10000) {
        x++;
        s = scale10(a, 3 - x);
    } else if (s < 1000) {
        x--;
        s = scale10(a, 3 - x);
    }
    if (s < 1000 || s >= 10000)
        goto slow;
    /* s is in [1000, 10000): truncation is floor */
    unsigned m = (unsigned)(int)s;
    double frac = s - (double)m;
    if (fabs(frac - 0.5) < 1e-7)
        goto slow;
    m += frac > 0.5;
    if (m == 10000) {
        m = 1000;
        x++;
    }
    /* the four digits, two at a time */
    char d[4];
    memcpy(d, digit_pairs + 2 * (m / 100), 2);
    memcpy(d + 2, digit_pairs + 2 * (m % 100), 2);
    int nd = 4; /* significant digits once trailing zeros go */
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    if (v < 0)
        out[n++] = '-';
    if (x < -4 || x >= 4) {
        out[n++] = d[0];
        if (nd > 1)
            out[n++] = '.';
        for (int i = 1; i < nd; i++)
            out[n++] = d[i];
        int ax = x < 0 ? -x : x;
        out[n++] = 'e';
        out[n++] = x < 0 ? '-' : '+';
        out[n++] = (char)('0' + ax / 10);
        out[n++] = (char)('0' + ax % 10);
    } else if (x < 0) {
        /* "0." and -x - 1 zeros, then the digits; fixed-size copies (the
         * buffer holds HM_FMT_G4_MAX bytes), the length set after */
        memcpy(out + n, "0.0000", 6);
        n += (size_t)(1 - x);
        memcpy(out + n, d, 4);
        n += (size_t)nd;
    } else {
        /* x + 1 integer digits, then the point and the rest if any */
        memcpy(out + n, d, 4);
        if (nd > x + 1) {
            for (int i = 3; i > x; i--)
                out[n + (size_t)i + 1] = d[i];
            out[n + (size_t)x + 1] = '.';
            n += (size_t)nd + 1;
        } else {
            n += (size_t)x + 1;
        }
    }
    out[n] = 0;
    return n;
slow:
    return (size_t)snprintf(out, HM_FMT_G4_MAX, "%.4g", v);
}

void hm_buf_free(hm_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* FNV-1a, then a final mix so that low bits are usable as a table index. */
uint64_t hm_hash(const void *p, size_t n)
{
    return hm_hash_inline(p, n);
}

static int map_grow(hm_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    hm_slot *v = calloc(ncap, sizeof *v);
    if (!v)
        return HM_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].h)
            continue;
        size_t j = m->slots[i].h & (ncap - 1);
        while (v[j].h)
            j = (j + 1) & (ncap - 1);
        v[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = v;
    m->cap = ncap;
    return 0;
}

int hm_map_put(hm_map *m, const char *k, size_t n, uint32_t v)
{
    if ((m->count + 1) * 4 >= m->cap * 3 && map_grow(m))
        return HM_ENOMEM;
    uint64_t h = hm_hash(k, n);
    size_t j = h & (m->cap - 1);
    while (m->slots[j].h) {
        hm_slot *sl = &m->slots[j];
        if (sl->h == h && sl->klen == n && memcmp(m->pool.p + sl->koff, k, n) == 0) {
            sl->val = v;
            return 0;
        }
        j = (j + 1) & (m->cap - 1);
    }
    if (m->pool.len + n + 1 > UINT32_MAX)
        return HM_ENOMEM;
    uint32_t off = (uint32_t)m->pool.len;
    if (hm_buf_put(&m->pool, k, n) || hm_buf_putc(&m->pool, 0))
        return HM_ENOMEM;
    hm_slot *sl = &m->slots[j];
    sl->h = h;
    sl->koff = off;
    sl->klen = (uint32_t)n;
    sl->val = v;
    m->count++;
    return 0;
}

int hm_map_get(const hm_map *m, const char *k, size_t n, uint32_t *v)
{
    return hm_map_get_h(m, k, n, hm_hash(k, n), v);
}

void hm_map_free(hm_map *m)
{
    free(m->slots);
    hm_buf_free(&m->pool);
    memset(m, 0, sizeof *m);
}

void hm_set_status(hm_status *st, int code, const char *fmt, ...)
{
    if (!st)
        return;
    st->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->message, sizeof st->message, fmt, ap);
    va_end(ap);
}
