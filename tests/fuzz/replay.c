/*
 * replay.c — run a libFuzzer harness without libFuzzer.
 *
 *   replay_<harness> [-q] [-n NAME] [-p PREFIX | -x PREFIX] DIR_OR_FILE...
 *
 * Every regular file of the given directories (not recursive; hidden files
 * skipped; -p: only names starting with PREFIX; -x: all but those), and every
 * file given directly, is passed once to LLVMFuzzerTestOneInput().  The harness
 * is initialized in the parent (an empty input); a forked child then runs the
 * files in turn, state carried over as in a fuzzing run, with a leak check
 * (LeakSanitizer) after each file and a per-file alarm of REPLAY_TIMEOUT seconds
 * (default 20).  When the child dies (crash, abort, sanitizer report, timeout),
 * the file it was on fails and a new child goes on with the next file, so one
 * crashing input does not hide the others.
 * Prints "FAIL: <file> (...)" per failure, "ok <file>" per pass unless -q, and
 * last "RESULT <pass> <fail> 0 <NAME>" (NAME defaults to the program name).
 * Exit status: 0 when every file passed, 1 otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_LSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HAVE_LSAN 1
#endif
#ifdef HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int g_pass, g_fail, g_quiet;
static const char *g_only, *g_skip;
static unsigned g_timeout = 20;

static int read_all(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, n = 0;
    uint8_t *p = malloc(cap);
    size_t k;
    while (p && (k = fread(p + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            uint8_t *q = realloc(p, cap * 2);
            if (!q) {
                free(p);
                p = NULL;
                break;
            }
            p = q;
            cap *= 2;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!p || err) {
        free(p);
        return -1;
    }
    /* an exact-size copy, so that ASan sees reads past the end as the fuzzer would */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(p);
        return -1;
    }
    memcpy(exact, p, n);
    free(p);
    *data = exact;
    *len = n;
    return 0;
}

/* The files to run, collected first. */
static char **g_files;
static size_t g_nfiles, g_capfiles;

static void add_file(const char *path)
{
    if (g_nfiles == g_capfiles) {
        g_capfiles = g_capfiles ? g_capfiles * 2 : 256;
        char **v = realloc(g_files, g_capfiles * sizeof *v);
        if (!v) {
            perror("replay");
            exit(2);
        }
        g_files = v;
    }
    g_files[g_nfiles] = strdup(path);
    if (!g_files[g_nfiles]) {
        perror("replay");
        exit(2);
    }
    g_nfiles++;
}

/* What a child tells its parent, per file. */
enum { MSG_START = 0, MSG_OK = 1, MSG_LEAK = 2, MSG_UNREADABLE = 3 };
typedef struct msg {
    int idx, what, err;
} msg;

static void say(int fd, int idx, int what, int err)
{
    msg m = {idx, what, err};
    ssize_t k;
    while ((k = write(fd, &m, sizeof m)) < 0 && errno == EINTR)
        ;
    if (k != (ssize_t)sizeof m)
        _exit(98);
}

/* Child: run files from..n-1 in this process, reporting each to fd. */
static void child_run(size_t from, int fd)
{
    for (size_t i = from; i < g_nfiles; i++) {
        uint8_t *data;
        size_t len;
        if (read_all(g_files[i], &data, &len)) {
            say(fd, (int)i, MSG_UNREADABLE, errno);
            continue;
        }
        say(fd, (int)i, MSG_START, 0);
        alarm(g_timeout);
        LLVMFuzzerTestOneInput(data, len);
        alarm(0);
        free(data);
        int leak = 0;
#ifdef HAVE_LSAN
        leak = __lsan_do_recoverable_leak_check() != 0;
#endif
        say(fd, (int)i, leak ? MSG_LEAK : MSG_OK, 0);
    }
    _exit(0);
}

static void pass(size_t i)
{
    g_pass++;
    if (!g_quiet)
        printf("ok %s\n", g_files[i]);
}

/* Run every file: one child runs them in turn (state carried over, as in a
 * fuzzing run); when it dies, the file it was on fails and a new child goes on
 * from the next file. */
static void run_all(void)
{
    size_t next = 0;
    while (next < g_nfiles) {
        int p[2];
        if (pipe(p)) {
            perror("replay: pipe");
            exit(2);
        }
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0) {
            perror("replay: fork");
            exit(2);
        }
        if (pid == 0) {
            close(p[0]);
            child_run(next, p[1]);
        }
        close(p[1]);
        long cur = -1; /* the file started and not finished */
        msg m;
        ssize_t k;
        for (;;) {
            k = read(p[0], &m, sizeof m);
            if (k < 0 && errno == EINTR)
                continue;
            if (k != (ssize_t)sizeof m)
                break;
            if (m.what == MSG_START) {
                cur = m.idx;
                continue;
            }
            cur = -1;
            next = (size_t)m.idx + 1;
            if (m.what == MSG_OK)
                pass((size_t)m.idx);
            else {
                g_fail++;
                if (m.what == MSG_LEAK)
                    printf("FAIL: %s (memory leak)\n", g_files[m.idx]);
                else
                    printf("FAIL: %s (cannot read: %s)\n", g_files[m.idx], strerror(m.err));
            }
        }
        close(p[0]);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (cur < 0) {
            if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
                break; /* every file done */
            /* died between files (should not happen): count the next file as failed */
            if (next >= g_nfiles)
                break;
            cur = (long)next;
        }
        g_fail++;
        if (WIFSIGNALED(st))
            printf("FAIL: %s (signal %d%s)\n", g_files[cur], WTERMSIG(st),
                   WTERMSIG(st) == SIGALRM ? ": timeout" : "");
        else
            printf("FAIL: %s (exit status %d)\n", g_files[cur], WEXITSTATUS(st));
        next = (size_t)cur + 1;
    }
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("FAIL: %s (cannot open: %s)\n", dir, strerror(errno));
        g_fail++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (g_only && strncmp(de->d_name, g_only, strlen(g_only)))
            continue;
        if (g_skip && !strncmp(de->d_name, g_skip, strlen(g_skip)))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            char **v = realloc(names, cap * sizeof *v);
            if (!v)
                break;
            names = v;
        }
        size_t l = strlen(dir) + strlen(de->d_name) + 2;
        names[n] = malloc(l);
        if (!names[n])
            break;
        snprintf(names[n], l, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmpstr);
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        if (stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode))
            add_file(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    const char *t = getenv("REPLAY_TIMEOUT");
    if (t && atoi(t) > 0)
        g_timeout = (unsigned)atoi(t);
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0); /* initialize the harness once */
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-q"))
            g_quiet = 1;
        else if (!strcmp(argv[i], "-n") && i + 1 < argc)
            name = argv[++i];
        else if (!strcmp(argv[i], "-p") && i + 1 < argc)
            g_only = argv[++i];
        else if (!strcmp(argv[i], "-x") && i + 1 < argc)
            g_skip = argv[++i];
        else if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else {
            fprintf(stderr, "usage: %s [-q] [-n NAME] [-p PREFIX | -x PREFIX] DIR_OR_FILE...\n",
                    argv[0]);
            return 2;
        }
    }
    for (; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            run_dir(argv[i]);
        else
            add_file(argv[i]);
    }
    run_all();
    printf("RESULT %d %d 0 %s\n", g_pass, g_fail, name);
    return g_fail ? 1 : 0;
}
