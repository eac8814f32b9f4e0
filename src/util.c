/*
 * util.c — growable buffers, hashing, the read-only string map, status.
 * Every allocation failure is reported as HM_ENOMEM; nothing here aborts.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int hm_buf_puts(hm_buf *b, const char *s) { return hm_buf_put(b, s, strlen(s)); }

int hm_buf_printf(hm_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[128];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return HM_EINVAL;
    if ((size_t)n < sizeof tmp)
        return hm_buf_put(b, tmp, (size_t)n);
    if (hm_buf_reserve(b, (size_t)n))
        return HM_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
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
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h ? h : 1;
}

static int map_grow(hm_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    uint64_t *h = calloc(ncap, sizeof *h);
    uint32_t *ko = malloc(ncap * sizeof *ko);
    uint32_t *kl = malloc(ncap * sizeof *kl);
    uint32_t *v = malloc(ncap * sizeof *v);
    if (!h || !ko || !kl || !v) {
        free(h); free(ko); free(kl); free(v);
        return HM_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->hashes[i])
            continue;
        size_t j = m->hashes[i] & (ncap - 1);
        while (h[j])
            j = (j + 1) & (ncap - 1);
        h[j] = m->hashes[i];
        ko[j] = m->koff[i];
        kl[j] = m->klen[i];
        v[j] = m->vals[i];
    }
    free(m->hashes); free(m->koff); free(m->klen); free(m->vals);
    m->hashes = h; m->koff = ko; m->klen = kl; m->vals = v;
    m->cap = ncap;
    return 0;
}

int hm_map_put(hm_map *m, const char *k, size_t n, uint32_t v)
{
    if ((m->count + 1) * 4 >= m->cap * 3 && map_grow(m))
        return HM_ENOMEM;
    uint64_t h = hm_hash(k, n);
    size_t j = h & (m->cap - 1);
    while (m->hashes[j]) {
        if (m->hashes[j] == h && m->klen[j] == n && memcmp(m->pool.p + m->koff[j], k, n) == 0) {
            m->vals[j] = v;
            return 0;
        }
        j = (j + 1) & (m->cap - 1);
    }
    if (m->pool.len + n + 1 > UINT32_MAX)
        return HM_ENOMEM;
    uint32_t off = (uint32_t)m->pool.len;
    if (hm_buf_put(&m->pool, k, n) || hm_buf_putc(&m->pool, 0))
        return HM_ENOMEM;
    m->hashes[j] = h;
    m->koff[j] = off;
    m->klen[j] = (uint32_t)n;
    m->vals[j] = v;
    m->count++;
    return 0;
}

int hm_map_get(const hm_map *m, const char *k, size_t n, uint32_t *v)
{
    return hm_map_get_h(m, k, n, hm_hash(k, n), v);
}

int hm_map_get_h(const hm_map *m, const char *k, size_t n, uint64_t h, uint32_t *v)
{
    if (!m->cap)
        return 0;
    size_t j = h & (m->cap - 1);
    while (m->hashes[j]) {
        if (m->hashes[j] == h && m->klen[j] == n && memcmp(m->pool.p + m->koff[j], k, n) == 0) {
            *v = m->vals[j];
            return 1;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return 0;
}

void hm_map_free(hm_map *m)
{
    free(m->hashes); free(m->koff); free(m->klen); free(m->vals);
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
