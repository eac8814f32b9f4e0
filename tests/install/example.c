/*
 * example.c — a program outside the tree, built against the installed library
 * with pkg-config: it analyses the same posts from two threads and checks that
 * both give the results of one thread.  Exit status 0 when they agree.
 */
#include <humeur.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const posts[] = {
    "Très déçu, 3 semaines pour un remboursement 😡",
    "Not bad at all, the staff went above and beyond :)",
    "Ça fait 2h qu'on attend icitte, c'est ben ordinaire",
    "The app keeps crashing and nobody answers my emails",
};
#define N (sizeof posts / sizeof posts[0])

static hm_engine *E;

typedef struct { char *json[N]; } run;

static void *work(void *p)
{
    run *r = p;
    hm_analyzer *a = hm_analyzer_new(E, NULL);
    for (size_t i = 0; i < N; i++) {
        hm_result res;
        if (!a || hm_analyze(a, posts[i], strlen(posts[i]), &res) != 0) {
            r->json[i] = strdup("error");
            continue;
        }
        size_t n;
        r->json[i] = strdup(hm_result_json(a, &res, NULL, &n));
    }
    hm_analyzer_free(a);
    return NULL;
}

int main(void)
{
    hm_status st;
    E = hm_engine_open(NULL, &st);
    if (!E) {
        fprintf(stderr, "example: %s\n", st.message);
        return 1;
    }
    run one, two[2];
    work(&one);
    pthread_t th[2];
    for (int t = 0; t < 2; t++)
        pthread_create(&th[t], NULL, work, &two[t]);
    for (int t = 0; t < 2; t++)
        pthread_join(th[t], NULL);
    int same = 1;
    for (int t = 0; t < 2; t++)
        for (size_t i = 0; i < N; i++)
            same &= strcmp(one.json[i], two[t].json[i]) == 0;
    printf("humeur %s: %s\n", hm_version(), same ? "two threads agree with one" : "MISMATCH");
    printf("%s\n", one.json[0]);
    hm_engine_close(E);
    return same ? 0 : 1;
}
