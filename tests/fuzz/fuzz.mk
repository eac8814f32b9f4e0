# tests/fuzz/fuzz.mk — fuzzing targets, included by the main Makefile
# (`include tests/fuzz/fuzz.mk`).  Uses BUILD, CC, ALL_CFLAGS, LIBS, CLI_LIBS and
# LIB_SRC from it.  See tests/fuzz/README.md.
#
#   make fuzz         libFuzzer harnesses in $(BUILD)/fuzz/ (clang, ASan+UBSan, the
#                     library compiled from source with the same instrumentation)
#   make fuzz-run     run each harness FUZZ_SECONDS (default 60) on its corpus
#   make fuzz-replay  replay binaries (no libFuzzer; REPLAY_CC, ASan+UBSan) run over
#                     tests/fuzz/corpus/*; last line "RESULT <pass> <fail> 0 fuzz-replay"
#   make fuzz-replay-build   only build the replay binaries (for tests/run.sh)

FUZZ_CC        ?= clang
REPLAY_CC      ?= $(CC)
FUZZ_SECONDS   ?= 60
FUZZ_MAX_LEN   ?= 4096
FUZZ_FLAGS     ?=
FUZZ_HARNESSES  = fuzz_analyze fuzz_lexicon fuzz_batch fuzz_model
FUZZ_DIR        = $(BUILD)/fuzz
FUZZ_SRCDIR     = tests/fuzz
FUZZ_SAN        = -fsanitize=address,undefined -fno-omit-frame-pointer \
                  -fno-sanitize-recover=undefined
FUZZ_CFLAGS     = $(ALL_CFLAGS) -O1 -g $(FUZZ_SAN) -I$(FUZZ_SRCDIR)
FUZZ_HDRS       = $(wildcard src/*.h src/cli/*.h) $(FUZZ_SRCDIR)/fuzzcheck.h \
                  $(FUZZ_SRCDIR)/fuzzresult.h

# the library, compiled twice: for libFuzzer (coverage) and for the replay binaries:
# LIB_SRC plus the generated $(BUILD)/embedded_*.c that LIB_OBJ lists (embedded_lex.c
# always; embedded_models.c when the Makefile has it)
FUZZ_EMBED  = $(sort embedded_lex $(patsubst $(BUILD)/obj/%.o,%,$(filter $(BUILD)/obj/embedded_%.o,$(LIB_OBJ))))
FUZZ_LF_LIB = $(LIB_SRC:src/%.c=$(FUZZ_DIR)/lf/%.o) $(FUZZ_EMBED:%=$(FUZZ_DIR)/lf/%.o)
FUZZ_RP_LIB = $(LIB_SRC:src/%.c=$(FUZZ_DIR)/rp/%.o) $(FUZZ_EMBED:%=$(FUZZ_DIR)/rp/%.o)
FUZZ_BINS   = $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/%)
REPLAY_BINS = $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/replay_%)

.PHONY: fuzz fuzz-run fuzz-replay fuzz-replay-build fuzz-clean
fuzz: $(FUZZ_BINS)
fuzz-replay-build: $(REPLAY_BINS)

$(FUZZ_DIR)/lf/%.o: src/%.c $(FUZZ_HDRS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_DIR)/lf/embedded_%.o: $(BUILD)/embedded_%.c src/internal.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -O0 -c $< -o $@
$(FUZZ_DIR)/lf/h_%.o: $(FUZZ_SRCDIR)/%.c $(FUZZ_HDRS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/rp/%.o: src/%.c $(FUZZ_HDRS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(REPLAY_CC) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_DIR)/rp/embedded_%.o: $(BUILD)/embedded_%.c src/internal.h
	@mkdir -p $(dir $@)
	$(REPLAY_CC) $(FUZZ_CFLAGS) -O0 -c $< -o $@
$(FUZZ_DIR)/rp/h_%.o: $(FUZZ_SRCDIR)/%.c $(FUZZ_HDRS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(REPLAY_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz_analyze: $(FUZZ_DIR)/lf/h_fuzz_analyze.o $(FUZZ_LF_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)
$(FUZZ_DIR)/fuzz_lexicon: $(FUZZ_DIR)/lf/h_fuzz_lexicon.o $(FUZZ_LF_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)
$(FUZZ_DIR)/fuzz_model: $(FUZZ_DIR)/lf/h_fuzz_model.o $(FUZZ_LF_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)
$(FUZZ_DIR)/fuzz_batch: $(FUZZ_DIR)/lf/h_fuzz_batch.o $(FUZZ_DIR)/lf/cli/batch.o $(FUZZ_DIR)/lf/cli/jsonrow.o \
                    $(FUZZ_DIR)/lf/cli/longline.o $(FUZZ_LF_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS) $(CLI_LIBS)

$(FUZZ_DIR)/replay_fuzz_analyze: $(FUZZ_DIR)/rp/h_fuzz_analyze.o $(FUZZ_DIR)/rp/h_replay.o $(FUZZ_RP_LIB)
	$(REPLAY_CC) $(FUZZ_CFLAGS) -o $@ $^ $(LIBS)
$(FUZZ_DIR)/replay_fuzz_lexicon: $(FUZZ_DIR)/rp/h_fuzz_lexicon.o $(FUZZ_DIR)/rp/h_replay.o $(FUZZ_RP_LIB)
	$(REPLAY_CC) $(FUZZ_CFLAGS) -o $@ $^ $(LIBS)
$(FUZZ_DIR)/replay_fuzz_model: $(FUZZ_DIR)/rp/h_fuzz_model.o $(FUZZ_DIR)/rp/h_replay.o $(FUZZ_RP_LIB)
	$(REPLAY_CC) $(FUZZ_CFLAGS) -o $@ $^ $(LIBS)
$(FUZZ_DIR)/replay_fuzz_batch: $(FUZZ_DIR)/rp/h_fuzz_batch.o $(FUZZ_DIR)/rp/cli/batch.o \
                           $(FUZZ_DIR)/rp/cli/jsonrow.o $(FUZZ_DIR)/rp/cli/longline.o \
                           $(FUZZ_DIR)/rp/h_replay.o $(FUZZ_RP_LIB)
	$(REPLAY_CC) $(FUZZ_CFLAGS) -o $@ $^ $(LIBS) $(CLI_LIBS)

# Replay every committed corpus file (and crash reproducer) under the sanitizers.
fuzz-replay: $(REPLAY_BINS)
	@sh $(FUZZ_SRCDIR)/replay.sh $(BUILD)

# New inputs go to $(FUZZ_DIR)/corpus/<harness> (not committed); crashes to
# $(FUZZ_DIR)/artifacts/.  To keep new seeds, minimize them into the committed
# corpus: see tests/fuzz/README.md.
fuzz-run: $(FUZZ_BINS)
	@mkdir -p $(FUZZ_DIR)/artifacts
	@fail=0; for h in $(FUZZ_HARNESSES); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$h; \
	    echo "== $$h: $(FUZZ_SECONDS) s (log: $(FUZZ_DIR)/$$h.log)"; \
	    ml=$(FUZZ_MAX_LEN); [ $$h = fuzz_model ] && ml=32768; \
	    $(FUZZ_DIR)/$$h -max_total_time=$(FUZZ_SECONDS) -max_len=$$ml -timeout=10 \
	        -rss_limit_mb=4096 -print_final_stats=1 -dict=$(FUZZ_SRCDIR)/humeur.dict \
	        -artifact_prefix=$(FUZZ_DIR)/artifacts/$$h- $(FUZZ_FLAGS) \
	        $(FUZZ_DIR)/corpus/$$h $(FUZZ_SRCDIR)/corpus/$$h > $(FUZZ_DIR)/$$h.log 2>&1; \
	    rc=$$?; \
	    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::(number_of_executed_units|peak_rss_mb)' $(FUZZ_DIR)/$$h.log; \
	    if [ $$rc -ne 0 ]; then fail=1; \
	        grep -E 'ERROR|INVARIANT|SUMMARY|Test unit written|^  ' $(FUZZ_DIR)/$$h.log | head -20; fi; \
	done; exit $$fail

fuzz-clean:
	rm -rf $(FUZZ_DIR)
