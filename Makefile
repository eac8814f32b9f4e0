# humeur — plain Makefile.  `make help` lists the targets.
VERSION    = 0.1.0
SOVERSION  = 0
PREFIX    ?= /usr/local
DESTDIR   ?=
LIBDIR    ?= $(PREFIX)/lib
INCDIR    ?= $(PREFIX)/include
BINDIR    ?= $(PREFIX)/bin
PCDIR     ?= $(LIBDIR)/pkgconfig

BUILD     ?= build
CC        ?= cc
# -O3: 1.4% fewer instructions than -O2 on the bench corpus, no wall-time gain
# measurable on the bench machine (bench/RESULTS.md); output byte-identical
OPT       ?= -O3
WARN       = -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wmissing-prototypes \
             -Wstrict-prototypes -Wpointer-arith -Wvla
ifdef WERROR
WARN      += -Werror
endif
ifdef SAN
SANFLAGS   = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT        = -O1
endif
ifdef TSAN
SANFLAGS   = -fsanitize=thread -fno-omit-frame-pointer
OPT        = -O1
endif
CFLAGS    ?= -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(OPT) $(CFLAGS) $(WARN) $(SANFLAGS) -fPIC \
             -fvisibility=hidden -Isrc -I$(BUILD)
LIBS       = -lstemmer -lpcre2-8 -lutf8proc -lm -lpthread
CLI_LIBS   = -ljansson

LIB_SRC    = src/util.c src/text.c src/langid.c src/stem.c src/lexicon.c src/sentiment.c \
             src/categories.c src/model.c src/train.c src/engine.c src/snapshot.c
CLI_SRC    = src/cli/main.c src/cli/batch.c src/cli/jsonrow.c src/cli/longline.c src/cli/eval.c src/cli/train.c \
             src/cli/induce.c
CORE_OBJ   = $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
LIB_OBJ    = $(CORE_OBJ) $(BUILD)/obj/embedded_lex.o $(BUILD)/obj/embedded_snap.o \
             $(BUILD)/obj/embedded_models.o
CLI_OBJ    = $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
LEXICONS   = $(sort $(wildcard lexicons/*.tsv lexicons/*/*.tsv))
MODELS     = $(sort $(wildcard models/*.hmm))

.PHONY: all deps check-deps test asan tsan demo bench bench-accuracy cue-audit cue-keys install uninstall clean help models \
        lexicons-induced
all: $(BUILD)/libhumeur.a $(BUILD)/libhumeur.so $(BUILD)/humeur

help:
	@echo "make [all]      library (static, shared) and CLI in $(BUILD)/"
	@echo "make deps       install missing Debian packages (as root)"
	@echo "make demo       build, then analyse tests/data/demo.txt"
	@echo "make test       build and run the whole test suite"
	@echo "make asan       the test suite under ASan+UBSan"
	@echo "make tsan       threads under ThreadSanitizer"
	@echo "make bench      speed benchmark (bench/run.sh)"
	@echo "make bench-accuracy  accuracy table and quality figures (bench/accuracy.sh, quality.sh)"
	@echo "make cue-audit  category cues that fire mostly on praise, on train rows (bench/cue_audit.py)"
	@echo "make cue-keys   repeated keys in the category files (tests/cue_keys.py; CUES=DIR for your own)"
	@echo "make models     retrain models/*.hmm from ../shared/data (DATA=...)"
	@echo "make lexicons-induced  regenerate lexicons/{en,fr}/induced.tsv from ../shared/data (DATA=...)"
	@echo "make install    PREFIX=... DESTDIR=...; make uninstall"

deps:
	@sh src/tools/deps.sh install

check-deps: $(BUILD)/.deps-ok
$(BUILD)/.deps-ok: src/tools/deps.sh
	@sh src/tools/deps.sh install
	@mkdir -p $(BUILD) && touch $@

# The per-post stages outside the category matcher, and the batch reader and
# writer, at -O3 (their token loops unrolled and inlined further): user time of
# `humeur score --threads 1` on the bench corpus 1.87 -> 1.81 s, medians of 9
# alternating runs (bench/RESULTS.md).  Not for sanitizer builds, and an OPT
# given on the command line still wins.
HOT_OBJ    = $(addprefix $(BUILD)/obj/,text.o langid.o stem.o lexicon.o sentiment.o model.o \
             engine.o util.o cli/batch.o cli/jsonrow.o)
ifeq ($(origin OPT)$(SAN)$(TSAN),file)
$(HOT_OBJ): OPT = -O3
endif

$(BUILD)/obj/%.o: src/%.c src/humeur.h src/internal.h | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/cli/%.o: src/cli/%.c src/humeur.h src/cli/cli.h | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# Embedded defaults: the lexicon files become byte arrays in the library.
$(BUILD)/embed: src/tools/embed.c | $(BUILD)/.deps-ok
	$(CC) -O1 -g -o $@ $<
$(BUILD)/embedded_lex.c: $(BUILD)/embed $(LEXICONS)
	$(BUILD)/embed $@ hm_embedded_lexicons lexicons $(LEXICONS)
$(BUILD)/obj/embedded_lex.o: $(BUILD)/embedded_lex.c src/internal.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O0 -c $< -o $@
# ...and the tables the engine builds from them, loaded once here (src/snapshot.c)
$(BUILD)/snapshot: src/tools/snapshot.c $(CORE_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(CORE_OBJ) $(LIBS)
$(BUILD)/lexicons.snap: $(BUILD)/snapshot $(LEXICONS)
	$(BUILD)/snapshot $@ lexicons $(LEXICONS)
$(BUILD)/embedded_snap.c: $(BUILD)/embed $(BUILD)/lexicons.snap
	$(BUILD)/embed $@ hm_embedded_snapshot $(BUILD) $(BUILD)/lexicons.snap
$(BUILD)/obj/embedded_snap.o: $(BUILD)/embedded_snap.c src/internal.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O0 -c $< -o $@
$(BUILD)/embedded_models.c: $(BUILD)/embed $(MODELS)
	$(BUILD)/embed $@ hm_embedded_models models $(MODELS)
$(BUILD)/obj/embedded_models.o: $(BUILD)/embedded_models.c src/internal.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O0 -c $< -o $@

$(BUILD)/libhumeur.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/libhumeur.so.$(VERSION): $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,libhumeur.so.$(SOVERSION) -o $@ $^ $(LIBS)
$(BUILD)/libhumeur.so: $(BUILD)/libhumeur.so.$(VERSION)
	ln -sf libhumeur.so.$(VERSION) $(BUILD)/libhumeur.so.$(SOVERSION)
	ln -sf libhumeur.so.$(VERSION) $@

$(BUILD)/humeur: $(CLI_OBJ) $(BUILD)/libhumeur.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libhumeur.a $(LIBS) $(CLI_LIBS)

# regenerated on every install: it records PREFIX
$(BUILD)/humeur.pc: FORCE
	@mkdir -p $(BUILD)
	printf 'prefix=%s\nlibdir=%s\nincludedir=%s\n\nName: humeur\nDescription: French and English customer-post sentiment, complaint and category engine\nVersion: %s\nRequires.private: libpcre2-8 libutf8proc\nLibs: -L$${libdir} -lhumeur\nLibs.private: -lstemmer -lm -lpthread\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' '$(LIBDIR)' '$(INCDIR)' '$(VERSION)' > $@

# ---- tests ----
TEST_BINS = $(BUILD)/test_api $(BUILD)/test_golden $(BUILD)/test_alloc $(BUILD)/test_prefilter \
            $(BUILD)/test_snapshot $(BUILD)/test_fmt $(BUILD)/test_csig
$(BUILD)/test_%: tests/test_%.c $(BUILD)/libhumeur.a tests/tap.h
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(BUILD)/libhumeur.a $(LIBS)

test: all $(TEST_BINS) fuzz-replay-build
	@HM_SAN=$(SAN) sh tests/run.sh $(BUILD)

asan:
	HOSTILE_LIMIT=60 $(MAKE) BUILD=build/asan SAN=1 test

# ThreadSanitizer: the API thread test and batch scoring with 2 and 8 threads,
# compared byte for byte with one thread.
tsan:
	$(MAKE) BUILD=build/tsan TSAN=1 all build/tsan/test_api
	build/tsan/test_api
	sh tests/threads.sh build/tsan

demo: all
	@$(BUILD)/humeur score --format lines --no-progress tests/data/demo.txt; \
	 status=$$?; [ $$status -le 1 ] || exit $$status
	@echo
	@$(BUILD)/humeur "Ça fait 2h qu'on attend, tabarnak que c'est long! Service de marde 😡"
	@echo
	@$(BUILD)/humeur "Not bad at all, the staff went above and beyond :)"

# Retrain the shipped models from ../shared/data with humeur's own trainer.
DATA ?= ../shared/data
models: $(BUILD)/humeur
	sh models/train.sh $(BUILD)/humeur $(DATA) models
	$(MAKE) all

# Regenerate the induced lexicons with humeur's own induce command (lexicons/induce.sh),
# then rebuild: the embedded lexicons include them.
lexicons-induced: $(BUILD)/humeur
	sh lexicons/induce.sh $(BUILD)/humeur $(DATA)
	$(MAKE) all

$(BUILD)/bench_pipeline: bench/pipeline.c $(BUILD)/libhumeur.a src/internal.h
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libhumeur.a $(LIBS)

$(BUILD)/cue_audit: bench/cue_audit.c $(BUILD)/libhumeur.a src/humeur.h
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libhumeur.a $(LIBS)

# Category cues that fire mostly on praise (and praise cues mostly on complaints),
# counted on train rows of allowed sets: a list to read, not a test.
cue-audit: all $(BUILD)/cue_audit
	@python3 bench/cue_audit.py $(BUILD) $(DATA)

# Lines of the category files that repeat a key (kind, lang, pattern): only the
# strongest counts, the others are dead weight or hide an edit.  Also run by
# `make test`.  CUES: a category folder, a lexicon folder or .tsv files.
CUES ?= lexicons/categories
cue-keys:
	@python3 tests/cue_keys.py $(CUES)

bench: all $(BUILD)/bench_pipeline
	@sh bench/run.sh $(BUILD)

# Accuracy against the peers on every test set, and the other measurements.
bench-accuracy: all
	@sh bench/accuracy.sh $(BUILD)
	@sh bench/quality.sh $(BUILD)

# ---- install ----
install: all $(BUILD)/humeur.pc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(PCDIR)
	install -m 644 $(BUILD)/libhumeur.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/libhumeur.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libhumeur.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libhumeur.so.$(SOVERSION)
	ln -sf libhumeur.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libhumeur.so
	install -m 644 src/humeur.h $(DESTDIR)$(INCDIR)/
	install -m 644 $(BUILD)/humeur.pc $(DESTDIR)$(PCDIR)/
	install -m 755 $(BUILD)/humeur $(DESTDIR)$(BINDIR)/

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libhumeur.a $(DESTDIR)$(LIBDIR)/libhumeur.so \
	      $(DESTDIR)$(LIBDIR)/libhumeur.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libhumeur.so.$(VERSION) \
	      $(DESTDIR)$(INCDIR)/humeur.h $(DESTDIR)$(PCDIR)/humeur.pc $(DESTDIR)$(BINDIR)/humeur

clean:
	rm -rf build

FORCE:

# Fuzzing (libFuzzer harnesses, corpus replay): see tests/fuzz/README.md.
include tests/fuzz/fuzz.mk
