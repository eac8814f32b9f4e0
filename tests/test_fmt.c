/*
 * test_fmt.c — the number writers of the JSON output (src/util.c) against
 * stdio: hm_fmt_g4() must write byte for byte what snprintf("%.4g") writes, and
 * hm_fmt_uint() what "%llu" writes, on millions of values: random bit patterns
 * (NaN, infinities, subnormals included), random values over every magnitude
 * the fast path handles and beyond, k/10^n, the half-way points of four
 * significant digits and their neighbours, and the values the engine writes
 * (probabilities, scores, weights in [-4, 4]).  HM_FMT_SEED=N picks another
 * pseudo-random sequence; HM_FMT_SCALE=N multiplies the random counts.
 * Internal API: links the static library and includes internal.h.
 */
#include "internal.h"
#include "tap.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rng(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double rng_unit(void) { return (double)(rng() >> 11) / 9007199254740992.0; }

static long n_checked, n_bad;

static void check_g4(double v)
{
    char want[64], got[HM_FMT_G4_MAX + 8];
    memset(got, 'X', sizeof got);
    int wn = snprintf(want, sizeof want, "%.4g", v);
    size_t gn = hm_fmt_g4(got, v);
    n_checked++;
    if ((size_t)wn != gn || memcmp(want, got, gn + 1) != 0) {
        if (n_bad++ < 20)
            fprintf(stderr, "FAIL hm_fmt_g4(%.17g = %a): \"%s\", snprintf: \"%s\"\n", v, v, got,
                    want);
    }
}

static void check_both_signs(double v)
{
    check_g4(v);
    check_g4(-v);
}

static void check_neighbours(double v)
{
    check_both_signs(v);
    check_both_signs(nextafter(v, 0));
    check_both_signs(nextafter(v, INFINITY));
}

static void test_g4(long scale)
{
    /* named values: zeros, the engine's threshold, ties, bounds of the fast path */
    static const double named[] = {
        0.0, 5e-5, 0.00005, 0.000049999, 0.12345, 0.1235, 0.99995, 0.999949, 1, 10, 100, 1000,
        9999, 9999.5, 10000, 12345, 99995, 1e4, 1e5, 1e-4, 1e-5, 0.0001, 0.00009999, 0.00099995,
        1e-10, 1e15, 9.9995e14, 9.99949e14, 1.00005e-10, 0.0078125, 0.03125, 0.5, 1.5, 2.5,
        1e-300, 1e300, 1e308, DBL_MAX, DBL_MIN, DBL_MIN / 4, DBL_TRUE_MIN, 0.1, 0.2, 0.3,
        1.0 / 3, 2.0 / 3, 4, -4, 0.8500, 0.3333, 1234.5, 123.45, 12.345, 1.2345};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        check_neighbours(named[i]);
    check_g4(-0.0);
    check_g4(INFINITY);
    check_g4(-INFINITY);
    check_g4(NAN);
    check_g4(-NAN);

    /* random bit patterns: every class of double */
    for (long i = 0; i < 500000 * scale; i++) {
        uint64_t bits = rng();
        double v;
        memcpy(&v, &bits, sizeof v);
        check_g4(v);
    }
    /* log-uniform over 1e-14 .. 1e17 (the fast range and a margin beyond) */
    for (long i = 0; i < 2000000 * scale; i++)
        check_g4((rng() & 1 ? -1 : 1) * pow(10, -14 + 31 * rng_unit()));
    /* what the engine writes: probabilities and scores, weights up to 4 */
    for (long i = 0; i < 1000000 * scale; i++)
        check_g4(rng_unit());
    for (long i = 0; i < 500000 * scale; i++)
        check_g4(8 * rng_unit() - 4);
    /* k / 10^n: short decimals, as posts' figures and thresholds are */
    for (int n = 0; n <= 9; n++)
        for (int k = 0; k <= 99999; k += 1 + (n > 6) * 6)
            check_both_signs((double)k / pow(10, n));
    /* half-way points of four significant digits, at every exponent of the fast
     * range, and their neighbours: exact ties and their nearest doubles */
    for (int e = -14; e <= 16; e++) {
        double p = pow(10, e);
        for (int m = 10005; m <= 99995; m += 10) {
            double v = (double)m * p / 10;
            check_neighbours(v);
        }
    }
    /* every four-digit mantissa at the exponents the engine writes (plain
     * notation, 1 to 4 significant digits, and both sides of it), with its
     * neighbours: each length and place of the decimal point */
    for (int x = -6; x <= 5; x++)
        for (int m = 1000; m <= 9999; m++)
            check_neighbours(m * pow(10, x - 3));
    /* powers of two (exact binary ties such as 0.0078125) and of ten */
    for (int e = -60; e <= 60; e++)
        check_neighbours(ldexp(1, e));
    for (int e = -20; e <= 20; e++)
        check_neighbours(pow(10, e));
    printf("hm_fmt_g4: %ld values compared with snprintf(\"%%.4g\")\n", n_checked);
    CHECK(n_bad == 0, "hm_fmt_g4 differs from %%.4g on %ld of %ld values", n_bad, n_checked);
    CHECK(n_checked > 5000000, "at least five million values checked (%ld)", n_checked);
}

static void check_uint(uint64_t v, long *bad)
{
    char want[32], got[32];
    int wn = snprintf(want, sizeof want, "%llu", (unsigned long long)v);
    size_t gn = hm_fmt_uint(got, v);
    if ((size_t)wn != gn || memcmp(want, got, gn) != 0) {
        if ((*bad)++ < 10)
            fprintf(stderr, "FAIL hm_fmt_uint(%s): \"%.*s\"\n", want, (int)gn, got);
    }
}

static void test_uint(long scale)
{
    long bad = 0;
    uint64_t p = 1;
    check_uint(0, &bad);
    check_uint(UINT64_MAX, &bad);
    for (int i = 0; i < 20; i++, p *= 10) {
        check_uint(p, &bad);
        check_uint(p - 1, &bad);
        check_uint(p + 1, &bad);
    }
    for (uint64_t v = 0; v < 100000; v++)
        check_uint(v, &bad);
    for (long i = 0; i < 500000 * scale; i++)
        check_uint(rng() >> (rng() & 63), &bad);
    CHECK(bad == 0, "hm_fmt_uint differs from %%llu on %ld values", bad);

    hm_buf b = {0};
    int rc = hm_buf_put_uint(&b, 42) | hm_buf_putc(&b, ',') | hm_buf_put_uint(&b, UINT64_MAX);
    CHECK(rc == 0 && b.p && strcmp(b.p, "42,18446744073709551615") == 0, "hm_buf_put_uint: %s",
          b.p ? b.p : "(null)");
    hm_buf_free(&b);
}

int main(void)
{
    const char *seed = getenv("HM_FMT_SEED");
    const char *sc = getenv("HM_FMT_SCALE");
    long scale = sc && atol(sc) > 0 ? atol(sc) : 1;
    if (seed)
        rng_state ^= strtoull(seed, NULL, 10) * 0xD1B54A32D192ED03ULL;
    test_g4(scale);
    test_uint(scale);
    return tap_done("fmt");
}
