#!/usr/bin/env python3
"""cue_audit.py BUILD DATA — which category cues fire mostly on praise, and which
praise cues fire mostly on complaints, on train rows of allowed sets: French
trustpilot-fr and insurance-reviews-fr by stars (1-2 neg, 3 mid, 4-5 pos),
English semeval17-4a-en by polarity.  For each cue match (category, weight,
matched text) it counts the posts by label; a complaint cue (weight > 0) whose
matches are mostly in positive posts, or a praise cue (weight < 0) mostly in
negative ones, is worth reading.  Train rows only: never a test split."""
import collections, gzip, json, os, subprocess, sys, unicodedata

def rows(path):
    op = gzip.open if path.endswith('.gz') else open
    with op(path, 'rt', encoding='utf-8') as f:
        for line in f:
            yield json.loads(line)

def fold(s):
    s = unicodedata.normalize('NFD', s.lower())
    return ''.join(c for c in s if unicodedata.category(c) != 'Mn')

def label_fr(r):
    return 'neg' if r['rating'] <= 2 else 'pos' if r['rating'] >= 4 else 'mid'

def label_en(r):
    return {'negative': 'neg', 'positive': 'pos', 'neutral': 'mid'}[r['polarity']]

def main():
    build, data = sys.argv[1], sys.argv[2]
    sets = {'fr': [('trustpilot-fr/trustpilot-fr.jsonl.gz', label_fr),
                   ('insurance-reviews-fr/insurance-reviews-fr.jsonl.gz', label_fr)],
            'en': [('semeval17-4a-en/semeval17-4a-en.jsonl.gz', label_en)]}
    for lang, srcs in sets.items():
        lines, base = [], collections.Counter()
        for path, lab in srcs:
            for r in rows(os.path.join(data, path)):
                if r['split'] != 'train':
                    continue
                t = r['text'].replace('\t', ' ').replace('\n', ' ').replace('\r', ' ')
                lines.append(lab(r) + '\t' + t)
                base[lab(r)] += 1
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
