#!/usr/bin/env python3
"""cue_audit.py BUILD DATA — which category cues fire mostly on praise, and which
praise cues fire mostly on complaints, on train rows of allowed sets: French
trustpilot-fr and insurance-reviews-fr by stars (1-2 neg, 3 mid, 4-5 pos),
English semeval17-4a-en by polarity.  For each cue match (category, weight,
matched text) it counts the posts by label; a complaint cue (weight > 0) whose
matches are mostly in positive posts, or a praise cue (weight < 0) mostly in
negative ones, is worth reading.  Train rows only: never a test split."""
import collections, os, subprocess, sys, unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import data  # noqa: E402  (bench/lib/data.py: the data files and their gold polarity)

SHORT = {"negative": "neg", "neutral": "mid", "positive": "pos"}

def fold(s):
    s = unicodedata.normalize('NFD', s.lower())
    return ''.join(c for c in s if unicodedata.category(c) != 'Mn')

def main():
    build, datadir = sys.argv[1], sys.argv[2]
    # the gold polarity as humeur eval reads it (stars: < 2.5 negative, > 3.5 positive)
    sets = {'fr': ['trustpilot-fr', 'insurance-reviews-fr'], 'en': ['semeval17-4a-en']}
    for lang, names in sets.items():
        lines, base = [], collections.Counter()
        for name in names:
            for r in data.rows(data.data_file(datadir, name)):
                lab = SHORT.get(data.gold(r)[0])
                if r['split'] != 'train' or not lab:
                    continue
                lines.append(lab + '\t' + data.one_line(r['text']).replace('\t', ' '))
                base[lab] += 1
        out = subprocess.run([os.path.join(build, 'cue_audit'), lang], input='\n'.join(lines) + '\n',
                             capture_output=True, text=True, check=True).stdout
        counts = collections.defaultdict(collections.Counter)
        for line in out.splitlines():
            lab, cat, w, span = line.split('\t', 3)
            if len(span) < 45:
                counts[(cat, float(w), fold(span))][lab] += 1
        n = sum(base.values())
        print(f'## {lang}: {n} train posts, positive {base["pos"] / n:.2f}, negative {base["neg"] / n:.2f}')
        for title, sign, key in (('complaint cues (weight >= 1.0) by share of matches in positive posts', 1, 'pos'),
                                 ('praise cues (weight < 0) by share of matches in negative posts', -1, 'neg')):
            print(f'\n{title}:\n')
            found = []
            for (cat, w, span), c in counts.items():
                m = sum(c.values())
                if m >= 4 and ((sign > 0 and w >= 1.0) or (sign < 0 and w < 0)):
                    found.append((c[key] / m, m, cat, w, span, c))
            found.sort(key=lambda x: (-x[0], -x[1]))
            for share, m, cat, w, span, c in found[:25]:
                print(f'  {share:.2f} of {m:4d}  {cat:15s} {w:+.2f}  {span}   '
                      f'(neg {c["neg"]}, mid {c["mid"]}, pos {c["pos"]})')
        print()

if __name__ == '__main__':
    main()
