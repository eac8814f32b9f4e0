/* tap.h — a tiny test harness: CHECK counts, failures print file:line and a
 * message, the program ends with the "RESULT pass fail skip" line run.sh sums. */
#ifndef HM_TAP_H
#define HM_TAP_H
#include <stdio.h>
#include <stdlib.h>

static int t_pass, t_fail, t_skip;

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        if (cond) {                                                              \
            t_pass++;                                                            \
        } else {                                                                 \
            t_fail++;                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                 \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

#define SKIP(...)                                                                \
    do {                                                                         \
        t_skip++;                                                                \
        fprintf(stderr, "SKIP: ");                                               \
        fprintf(stderr, __VA_ARGS__);                                            \
        fputc('\n', stderr);                                                     \
    } while (0)

/* Write s to path (test fixtures written on the fly); a failure shows up as
 * the missing file. */
static inline void tap_write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(s, f);
        fclose(f);
    }
}

/* Write s to the file name in folder dir (name may hold a subfolder that
 * exists). */
static inline void tap_write_in(const char *dir, const char *name, const char *s)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    tap_write_file(p, s);
}

/* Remove folder dir (a mkdtemp one) and everything in it; a failure is
 * only warned about. */
static inline void tap_remove_dir(const char *dir)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
}

static int tap_done(const char *name)
{
    printf("RESULT %d %d %d %s\n", t_pass, t_fail, t_skip, name);
    return t_fail ? 1 : 0;
}
#endif
