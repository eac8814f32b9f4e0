/*
 * snapshot.c — build-time tool: loads the lexicon and category files the way
 * the engine does and writes the resulting tables (src/snapshot.c), which the
 * library embeds so that opening an engine with its defaults is a copy.
 *
 *   snapshot OUT ROOT FILE...   (names are taken relative to ROOT, as embed does)
 *
 * A malformed file or a bad pattern stops the build with its file and line.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tool links the library's code without its embedded data. */
const hm_source hm_embedded_lexicons[] = {{NULL, NULL, 0}};
const size_t hm_embedded_lexicons_count = 0;
const hm_source hm_embedded_models[] = {{NULL, NULL, 0}};
const hm_source hm_embedded_snapshot[] = {{NULL, NULL, 0}};

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: snapshot OUT ROOT FILE...\n");
        return 2;
    }
    const char *root = argv[2];
    size_t rl = strlen(root), n = (size_t)argc - 3;
    hm_source *src = calloc(n + 1, sizeof *src);
    if (!src)
        return 1;
    for (size_t i = 0; i < n; i++) {
        const char *name = argv[3 + i];
        char *data;
        if (hm_read_file(name, &data, &src[i].len)) {
            fprintf(stderr, "snapshot: cannot read %s\n", name);
            return 1;
        }
        src[i].data = data;
        src[i].name = !strncmp(name, root, rl) && name[rl] == '/' ? name + rl + 1 : name;
    }
    hm_status st = {0, ""};
    hm_buf out = {0};
    int rc = hm_snapshot_build(src, &out, &st);
    if (rc) {
        fprintf(stderr, "snapshot: %s\n", st.message[0] ? st.message : hm_strerror(rc));
        return 1;
    }
    FILE *f = fopen(argv[1], "wb");
    if (!f || fwrite(out.p, 1, out.len, f) != out.len || fclose(f)) {
        perror(argv[1]);
        remove(argv[1]);
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        free((void *)src[i].data);
    free(src);
    hm_buf_free(&out);
    return 0;
}
