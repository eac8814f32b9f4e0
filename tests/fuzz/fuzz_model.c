/*
 * fuzz_model.c — libFuzzer harness: the model file loader.
 *
 * The input is a model file.  Byte 0, bit 0: repair the checksum before loading
 * (recomputed over the payload with the library's own function), so that the
 * fuzzer reaches the structural checks and the scoring behind the checksum;
 * else the bytes are loaded as they are.  The file is written to a private
 * temporary path and loaded with hm_engine_open(model_files); the engine must
 * either open — then a French and an English sentence are analysed and their
 * results checked as in fuzz_analyze — or fail with an HM_E* code and a message
 * naming the file.  Never a crash, never a leak.
 */
#include "internal.h"
#include "fuzzresult.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char g_path[64];

static void analyse(hm_engine *e, const char *t)
{
    hm_analyzer *a = hm_analyzer_new(e, NULL);
    FZ_CHECK(a != NULL, "analyzer on an opened engine");
    fz_analyze_check(a, t, strlen(t), NULL, 0, NULL);
    hm_analyzer_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!g_path[0])
        snprintf(g_path, sizeof g_path, "/tmp/hm_fuzz_model.%ld.hmm", (long)getpid());
    int repair = data[0] & 1;
    data++;
    size--;
    unsigned char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    if (repair && size >= 48) {
        uint64_t sum = hm_checksum(buf + 48, size - 48);
        memcpy(buf + 40, &sum, 8);
        uint64_t sz = size;
        memcpy(buf + 32, &sz, 8); /* and the size field: the real file size */
    }
    FILE *f = fopen(g_path, "wb");
    if (!f) {
        free(buf);
        return 0;
    }
    fwrite(buf, 1, size, f);
    fclose(f);
    free(buf);
    const char *models[1] = {g_path};
    hm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.model_files = models;
    cfg.nmodel_files = 1;
    hm_status st;
    hm_engine *e = hm_engine_open(&cfg, &st);
    if (!e) {
        FZ_CHECK(st.code != 0 && st.message[0], "failed open without a code and a message");
    } else {
        analyse(e, "Très déçu, 3 semaines pour un remboursement 😡");
        analyse(e, "Not bad at all, the staff went above and beyond :)");
        hm_engine_close(e);
    }
    unlink(g_path);
    return 0;
}
