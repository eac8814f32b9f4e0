#!/usr/bin/env python3
"""cue_firings.py HUMEUR LANG OUT.tsv [BASE.tsv [DATA]] — category firings on real praise.
Runs HUMEUR score over the non-negative TRAIN rows of allowed sets
(en: semeval17-4a-en positive/neutral tweets, complaints-twitter non-complaints, imdb positive reviews (first 3000);
 fr: trustpilot-fr and insurance-reviews-fr 4-5 stars, umsab-fr positive/neutral) and writes one line per post
that fires any category: id <TAB> categories <TAB> text.  With BASE.tsv (an earlier run), prints the posts that
fire a category now but did not before (new false-positive candidates) and counts per category.
Train rows only, never a test split.  BASE.tsv '-' for none; DATA defaults to ../shared/data.
Run before and after a cue change: every new firing on a non-negative post is worth reading."""
import sys, json, subprocess, os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import data
if len(sys.argv) < 4:
    sys.exit(__doc__)
H, LANG, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
D = sys.argv[5] if len(sys.argv) > 5 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'data')
rows = []
def gold_in(*labels):
    """the gold polarity as humeur eval reads it (bench/lib/data.py) is one of labels"""
    return lambda r: data.gold(r)[0] in labels
def add(name, keep, limit=None):
    n = 0
    for r in data.rows(data.data_file(D, name)):
        if r['split'] != 'train' or not keep(r):
            continue
        rows.append((name + ':' + r['id'], r['text']))
        n += 1
        if limit and n >= limit:
            break
if LANG == 'en':
    add('semeval17-4a-en', gold_in('positive', 'neutral'))
    add('complaints-twitter', lambda r: r['complaint'] is False)
    add('imdb-50k', gold_in('positive'), 3000)
else:
    add('trustpilot-fr', gold_in('positive'))        # 4-5 stars
    add('insurance-reviews-fr', gold_in('positive'))
    add('umsab-fr', gold_in('positive', 'neutral'))
inp = ''.join(json.dumps({'id': i, 'text': t}) + '\n' for i, t in rows)
run = subprocess.run([H, 'score', '--no-progress', '--threads', '2', '--lang', LANG], input=inp,
                     capture_output=True, text=True)
out = run.stdout.splitlines()
if run.returncode not in (0, 1) or len(out) != len(rows):
    sys.exit(f'cue_firings.py: {H} score gave {len(out)} lines for {len(rows)} posts '
             f'(exit {run.returncode}): {run.stderr.strip()[:200]}')
fired = {}
for (i, t), o in zip(rows, out):
    o = json.loads(o)
    cats = sorted(c['id'] for c in o.get('categories', []))
    if cats:
        fired[i] = (','.join(cats), ' '.join(t.split()))
with open(OUT, 'w') as f:
    for i, (c, t) in fired.items():
        f.write(f'{i}\t{c}\t{t}\n')
print(f'{len(rows)} non-negative train posts, {len(fired)} fire a category')
if len(sys.argv) > 4 and sys.argv[4] != '-':
    base = {}
    for line in open(sys.argv[4]):
        i, c, t = line.rstrip('\n').split('\t', 2)
        base[i] = set(c.split(','))
    from collections import Counter
    cnt = Counter()
    for i, (c, t) in fired.items():
        new = set(c.split(',')) - base.get(i, set())
        for k in new:
            cnt[k] += 1
            print(f'NEW {k}\t{i}\t{t[:200]}')
    print('new firings per category:', dict(cnt))
