/*
 * test_alloc.c — no heap allocation per post in the steady state of hm_analyze:
 * after one warm-up pass over a corpus, a second pass over the same posts must
 * not call malloc, calloc or realloc.  The allocator is interposed here (the
 * test links the static library), so it is skipped under sanitizers, which
 * bring their own allocator.
 */
#include "humeur.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif

#ifndef UNDER_SANITIZER
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static volatile long n_alloc;
static volatile int counting;
void *malloc(size_t n);
void *calloc(size_t a, size_t b);
void *realloc(void *p, size_t n);
void free(void *p);
void *malloc(size_t n)
{
    if (counting)
        n_alloc++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    if (counting)
        n_alloc++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    if (counting)
        n_alloc++;
    return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
#endif

#ifndef UNDER_SANITIZER
static const char *const corpus[] = {
    "Très déçu par le service client, 3 semaines pour un remboursement 😡",
    "Ça fait 2h qu'on attend, tabarnak que c'est long! #ServicePourri @STM",
    "Not bad at all, the staff went above and beyond :) https://example.com",
    "On hold for 45 minutes and then they HUNG UP on me. Never again!!!",
    "e\xcc\x81le\xcc\x80ve de\xcc\x81" "c\xcc\xa7u (decomposed accents) nuuuul 👍🏽 👨‍👩‍👧",
    "tr\xe8s bien \xc0\xaf invalid bytes \xed\xa0\x80" " and more",
    "I was charged twice for the same order, please refund me ASAP?!",
    "",
};
#endif

int main(void)
{
#ifdef UNDER_SANITIZER
    SKIP("allocation counting is not possible under a sanitizer's allocator");
    return tap_done("alloc");
#else
    hm_status st;
    hm_engine *e = hm_engine_open(NULL, &st);
    CHECK(e != NULL, "engine: %s", e ? "" : st.message);
    if (!e)
        return tap_done("alloc");
    hm_analyzer *a = hm_analyzer_new(e, &st);
    size_t n = sizeof corpus / sizeof corpus[0];
    for (int pass = 0; pass < 2; pass++) {
        n_alloc = 0;
        counting = pass == 1;
        for (size_t i = 0; i < n; i++) {
            hm_result r;
            int rc = hm_analyze(a, corpus[i], strlen(corpus[i]), &r);
            size_t jl;
            hm_result_json(a, &r, "\"x\"", &jl);
            if (pass == 1)
                CHECK(rc == 0, "analyse %zu", i);
        }
        counting = 0;
    }
    CHECK(n_alloc == 0, "%ld heap allocations in the steady state (want 0)", n_alloc);
    hm_analyzer_free(a);
    hm_engine_close(e);
    return tap_done("alloc");
#endif
}
