/*
 * cue_audit.c — every category cue match of every post (hm_analyzer_cues()),
 * whether or not the post is judged a complaint (the JSON shows categories of
 * complaints only): what bench/cue_audit.py counts against the posts' labels
 * to find cues that fire mostly on praise.
 *
 *   cue_audit en|fr < LINES     each line LABEL<TAB>TEXT
 *   prints LABEL<TAB>category<TAB>weight<TAB>matched text, one line per match
 */
#include "humeur.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "en") && strcmp(argv[1], "fr"))) {
        fprintf(stderr, "usage: cue_audit en|fr < LABEL<TAB>TEXT lines\n");
        return 2;
    }
    hm_status st;
    hm_engine *e = hm_engine_open(NULL, &st);
    hm_analyzer *a = e ? hm_analyzer_new(e, &st) : NULL;
    if (!a) {
        fprintf(stderr, "cue_audit: %s\n", st.message);
        return 3;
    }
    hm_options o = {strcmp(argv[1], "fr") ? HM_LANG_EN : HM_LANG_FR, 0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        line[strcspn(line, "\n")] = 0;
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = 0;
        const char *text = tab + 1;
        hm_result r;
        if (hm_analyze_ex(a, text, strlen(text), &o, &r))
            continue;
        size_t nc;
        const hm_cue *cu = hm_analyzer_cues(a, &nc);
        for (size_t i = 0; i < nc; i++)
            printf("%s\t%s\t%.2f\t%.*s\n", line, cu[i].category, cu[i].weight,
                   (int)(cu[i].end - cu[i].start), text + cu[i].start);
    }
    free(line);
    hm_analyzer_free(a);
    hm_engine_close(e);
    return 0;
}
