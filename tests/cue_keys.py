#!/usr/bin/env python3
"""cue_keys.py — repeated cue keys in humeur's category files.

    python3 tests/cue_keys.py [PATH ...]

PATH is a category file (<id>.tsv), a folder of them, or a lexicon folder
(the one given to --lexicons) that holds categories/; default: the
repository's lexicons/categories.  A key is (kind, lang, pattern) within
one file; a line of lang "*" holds the key for fr and for en, so it repeats
a "fr" or "en" line with the same kind and pattern.  Phrases are compared
as the engine reads them: lower case, accents and extra spaces aside; stems
in lower case; regexes as written.  Stems are not stemmed here: two words
with the same Snowball stem ("retard", "retards") are one key to the
engine too, but this check does not see it.

What the engine does with a repeated key (src/categories.c): each line is a
cue of its own, and where the key matches, every one of them is offered to
the category's evidence (add_match); but a span counts once per category,
with its strongest cue.  So the weights never add up: the line with the
largest |weight| wins, the others do nothing (of equal |weight|, the first
offered: for stems and phrases the later line, for regexes the earlier).
A phrase after a negator is kept or dropped by the weight of the key's last
line (in the last file that has it).  Keep one line per key.

Prints FILE:LINE: ... for every line that repeats an earlier line's key,
naming that line; exit status 0 when no key repeats, 1 when one does, 2 on
a usage or read error.
"""
import os
import sys
import unicodedata

LANGS = {"fr": ("fr",), "en": ("en",), "*": ("fr", "en")}


def phrase_key(p):
    p = unicodedata.normalize("NFD", p.lower())
    p = "".join(ch for ch in p if not unicodedata.combining(ch))
    return " ".join(p.split())


def cue_rows(path):
    """(line number, kind, lang, pattern, weight) of each cue line, read as
    the engine reads it: blank lines and lines starting with '#' (after
    spaces or tabs) skipped, the first other line the header."""
    with open(path, "rb") as fh:
        data = fh.read().decode("utf-8", errors="surrogateescape")
    header = True
    for no, line in enumerate(data.split("\n"), 1):
        line = line[:-1] if line.endswith("\r") else line
        s = line.lstrip(" \t")
        if not s or s.startswith("#"):
            continue
        if header:
            header = False
            continue
        f = line.split("\t")
        if len(f) != 4 or f[1] not in LANGS:
            continue  # the engine refuses the file and says where
        yield no, f[0], f[1], f[2], f[3]


def check_file(path, out):
    """Report the lines of one file that repeat a key: (their number, the
    number of keys repeated)."""
    seen = {}  # (kind, lang, key) -> (line, lang as written, pattern, weight)
    found, keys = 0, set()
    for no, kind, lang, pat, weight in cue_rows(path):
        key = phrase_key(pat) if kind == "phrase" else pat.lower() if kind == "stem" else pat
        first = None
        for l in LANGS[lang]:
            prev = seen.get((kind, l, key))
            if prev and (first is None or prev[0] < first[0]):
                first = prev
        if first:
            found += 1
            keys.add(first[0])
            fline, flang, fpat, fweight = first
            same = "" if fpat == pat else ' (as "%s" there)' % fpat
            over = "" if flang == lang else " (lang %s there: both hold it for %s)" % (
                flang, "/".join(l for l in LANGS[lang] if l in LANGS[flang]))
            out.write('%s:%d: repeated key: %s %s "%s", already on line %d%s%s; weights %s there, %s here\n'
                      % (path, no, kind, lang, pat, fline, same, over, fweight, weight))
        for l in LANGS[lang]:
            seen.setdefault((kind, l, key), (no, lang, pat, weight))
    return found, len(keys)


def plural(n):
    return "" if n == 1 else "s"


def category_files(path):
    if os.path.isfile(path):
        return [path]
    sub = os.path.join(path, "categories")
    if os.path.isdir(sub):
        path = sub  # a lexicon folder
    return [os.path.join(path, n) for n in sorted(os.listdir(path)) if n.endswith(".tsv")]


def main(argv):
    if any(a in ("-h", "--help") for a in argv):
        sys.stdout.write(__doc__)
        return 0
    if any(a.startswith("-") for a in argv):
        sys.stderr.write("usage: cue_keys.py [FILE.tsv | DIR ...]\n")
        return 2
    paths = argv or [os.path.relpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                  "lexicons", "categories"))]
    files = []
    try:
        for p in paths:
            files += category_files(os.path.normpath(p))
        if not files:
            sys.stderr.write("cue_keys: no .tsv file in %s\n" % " ".join(paths))
            return 2
        counts = [check_file(f, sys.stdout) for f in files]
    except OSError as e:
        sys.stderr.write("cue_keys: %s\n" % e)
        return 2
    found = sum(n for n, _ in counts)
    if found:
        sys.stdout.write("cue_keys: %d line%s repeat%s %d key%s, in %d of %d file%s: keep one line per key\n"
                         % (found, plural(found), "" if found != 1 else "s", sum(k for _, k in counts),
                            plural(sum(k for _, k in counts)), sum(1 for n, _ in counts if n),
                            len(files), plural(len(files))))
        return 1
    sys.stdout.write("cue_keys: no repeated key in %d file%s\n" % (len(files), plural(len(files))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
