#!/usr/bin/env python3
"""seeds.py OUTDIR — write the hand-made seed inputs of the humeur fuzz harnesses
into OUTDIR/<harness>/seed-<name>.  Byte 0 of every seed is the harness's option
byte (see the comment at the top of each fuzz_*.c).  The committed corpus in
tests/fuzz/corpus/ is these seeds plus fuzzer finds, minimized with -merge=1."""
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "seeds"

# ---- texts: posts, emoji, every class of invalid UTF-8, NUL, RTL, zero-width ----
TEXTS = {
    "fr-wait": "Ça fait 2h qu'on attend, tabarnak que c'est long! Service de marde 😡",
    "fr-nepas": "Je ne recommande pas du tout ce resto, pas mal cher et pas bon.",
    "fr-nepas-repeat": "ne pas " * 40,
    "fr-elision": "L'accueil était nul, j'suis déçue, qu'est-ce qu'on fait jusqu'à 18h30?",
    "fr-contrast": "Le produit est super mais la livraison a pris 3 semaines... Merci pour les 2h d'attente 🙄",
    "fr-caps": "SERVICE NUL!!! JAMAIS PLUS. Très très déçuuuuu",
    "fr-quebec": "C'est écoeurant, ben correct, ça m'a pas pentoute tenté. Câlisse de lenteur.",
    "fr-nfd": "tre\u0300s de\u0301c\u0327u, l\u2019accueil e\u0301tait nul",
    "fr-ligature": "Œuvre cœur sœur ŒIL æther Æ — «très bien» “super” 1h30min 45 mins 2 années",
    "en-praise": "Not bad at all, the staff went above and beyond :) <3 #LoveIt @Acme",
    "en-complaint": "We waited 45 min on hold, no one answered my emails, refund still pending. NEVER again :(",
    "en-hashtag": "#WorstServiceEver #not_happy #Delay2Days https://example.com/x?y=1, www.acme.ca!",
    "en-emoticons": ":-))) :'( >:( ^_^ -_- xD XD :3 (: o_O </3 8-) :/ :\\ =D",
    "en-punct": "great!!!!!!!!!!!! really?!?!?! ... … !!?? ",
    "excl-run": "!" * 300,
    "emoji-zwj": "👨‍👩‍👧‍👦 👍🏽 🇫🇷🇨🇦🇺 ❤️ ☹︎ 🏳️‍🌈 1️⃣ 🙄🙄🙄 😂😭💀",
    "emoji-many": "😡" * 200,
    "emoji-lone-mods": "\u200d\ufe0f🏽\u20e3\U000e0067\U000e007f a\u200db",
    "rtl": "\u202eالخدمة سيئة جدا\u202c שירות גרוע \u200f\u200e\u061c ok",
    "zero-width": "nu\u200bl s\u200cu\u2060p\ufeffer d\u00adéçu \u200b\u200b\u200b",
    "numbers": "3 2,5 10.000 1e5 ١٢٣ 4g 3rd 2eme 99999999999999999999999999999h 0.5h 1h3 12h99",
    "mixed-scripts": "Добрый день 你好 こんにちは 𝔰𝔲𝔭𝔢𝔯 ｓｕｐｅｒ ﬁne ǅ ẞ İstanbul",
    "controls": "a\x01b\x02\x1b[31mred\x1b[0m\x7f\tc\r\nd\x0c\x0b",
    "long-word": "a" * 3000,
    "long-elong": "nuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuul " * 3,
    "urls": "http:// https://x www. http://a.b/c)))... Https://WWW.EXAMPLE.COM:8080/p?q=é#f",
    "hyphen": "après-vente rendez-vous service-client -- - -a a- ‐‑",
    "apostrophes": "l’accueil l‘a l`a l´a l′a aujourd'hui ' '' can't won't it's",
    "entities": "Tom &amp; Jerry &lt;3 I&#39;ve &#x1F621; caf&eacute; &#146;s &nbsp; &gt;:( &lt;/3 J&#39;attends",
    "entities-bad": "&amp &#; &#x; &#xD800; &#0; &#1114112; &#99999999999; &bogus; &AMP; &Eacute &#x41 & ; &&&amp;amp;",
    "entities-split": "caf&eacu te &#12 3; &#x1F62 1; &l t; &" ,
    "empty": "",
    "space": " ",
}
BYTES = {
    "nul-inside": b"super\x00nul\x00\x00 tres bien\x00",
    "overlong-2": b"\xc0\xaf \xc1\xbf caf\xc0\xa9",
    "overlong-3": b"\xe0\x80\xaf \xe0\x9f\xbf d\xe0\x81\xa9\xe0\x81\xa7u",
    "overlong-4": b"\xf0\x80\x80\xaf \xf0\x8f\xbf\xbf",
    "surrogates": b"\xed\xa0\x80\xed\xb0\x80 \xed\xa0\xbd\xed\xb8\xa1 \xed\xbf\xbf ok",
    "above-max": b"\xf4\x90\x80\x80 \xf5\x80\x80\x80 \xf7\xbf\xbf\xbf \xf8\x88\x80\x80\x80 \xfc\x84\x80\x80\x80\x80",
    "bad-bytes": b"\xfe\xff\xff\xfe \xc0 \xc1 \xf5 \xff nul",
    "truncated": b"d\xc3 \xe2\x82 \xf0\x9f\x98 caf\xc3",
    "truncated-end": b"super \xf0\x9f\x98",
    "lone-cont": b"\x80\x81\xbf tr\xa9s \x80bien\xbf",
    "cont-run": b"\x80" * 64 + b" ok",
    "mixed-invalid": "très \x80bien 😡".encode() + b"\xed\xa0\x80\xc0\xafn'importe quoi\xf0\x9f",
    "latin1": "très déçu, ça c'est nul".encode("latin-1"),
    "utf16le": "super nul".encode("utf-16-le"),
    "bom": b"\xef\xbb\xbfsuper service",
}

def w(harness, name, data):
    d = os.path.join(out, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)

def all_texts():
    for k, v in TEXTS.items():
        yield k, v.encode()
    for k, v in BYTES.items():
        yield k, v

# ---- fuzz_analyze: option byte + text ----
opts = [0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0c, 0x10, 0x20, 0x11, 0x26]
for i, (k, v) in enumerate(all_texts()):
    w("fuzz_analyze", k, bytes([opts[i % len(opts)]]) + v)
w("fuzz_analyze", "trunc-emoji", bytes([0x10]) + ("é" * 47 + "😡" * 10).encode())
w("fuzz_analyze", "trunc-cont", bytes([0x10]) + b"a" * 96 + "😡".encode())

# ---- fuzz_batch: option byte + file ----
def jl(*objs):
    return ("\n".join(objs) + "\n").encode()

B = {
    # format 0: jsonl
    "jsonl-basic": (0, jl('{"id":1,"text":"super service, merci!"}',
                           '{"id":"b","text":"commande jamais reçue, service nul 😡"}',
                           '{"text":"no id here"}')),
    "jsonl-errors": (0, jl('{"id":1,"text":"super"}', "not json", '{"id":3}', "",
                           '{"id":5,"text":42}', "[1]", '{"id":7,"text":"nul"}', "   \t\r",
                           '{"id":9,"text":"a","text":"b"}', '{"id":{"deep":[1,2,{"x":null}]},"text":"ok"}',
                           '{"id":1e999,"text":"x"}', '"just a string"', "{", "}", '{"id":1,"text":"unterminated')),
    "jsonl-escapes": (0, jl('{"id":"\\u0000\\u001f\\"\\\\","text":"a\\u0000b \\ud83d\\ude21 \\ud800 lone \\udc00"}',
                            '{"id":2,"text":"\\n\\r\\t\\b\\f\\/ ok"}',
                            '{"id":3,"text":"' + "\\u00e9" * 20 + '"}')),
    "jsonl-nul-raw": (0, b'{"id":1,"text":"a\x00b"}\n{"id":2,"text":"ok"}\x00\n\x00\n'),
    "jsonl-invalid-utf8": (0, b'{"id":1,"text":"caf\xc3"}\n{"id":"\xff","text":"x"}\n{"id":3,"text":"\xed\xa0\x80"}\n'),
    "jsonl-crlf": (0, b'{"id":1,"text":"bien"}\r\n{"id":2,"text":"mal"}\r\n\r\n'),
    "jsonl-no-final-nl": (0, b'{"id":1,"text":"bien"}\n{"id":2,"text":"mal"}'),
    "jsonl-nested": (0, b"[" * 3000 + b"\n" + b'{"id":' + b"[" * 2100 + b"]" * 2100 + b',"text":"x"}\n'),
    "jsonl-deep-id": (0, b'{"id":' + b'{"a":' * 500 + b"1" + b"}" * 500 + b',"text":"ok"}\n'),
    "jsonl-empty": (0, b""),
    "jsonl-only-nl": (0, b"\n\n\n"),
    "jsonl-keep": (3, jl('{"id":1,"text":"ok","shop":"Laval","x":[1,{"y":"\\u0001"}]}',
                          '{"id":2,"text":"bof","shop":null}', '{"id":3,"shop":"x"}')),
    "jsonl-fields": (16, jl('{"msg":"très bien","text":"the-id"}', '{"msg":1,"text":2}', '{"text":"x"}')),
    "jsonl-threads": (4, jl(*['{"id":%d,"text":"service %s"}' % (i, "nul" if i % 2 else "top") for i in range(40)])),
    "jsonl-maxline": (8, jl('{"id":1,"text":"' + "a" * 100 + '"}', '{"id":2,"text":"ok"}',
                             '{"id":3,"text":"' + "é" * 40 + '"}') + b"x" * 70),
    "jsonl-lang-scorer": (32 | 64, jl('{"id":1,"text":"not bad"}', '{"id":2,"text":"pas mal"}')),
    # the fast row scanner (src/cli/jsonrow.c) at the edges of what it takes
    "jsonl-fast-escapes": (3, jl('{"id":"a","text":"\\u00e9\\u00C9 \\ud83d\\ude21 \\uD83D\\uDE21 \\u0000 \\/\\b\\f\\n\\r\\t\\"\\\\","shop":"x"}',
                                 '{"id":"\\u00e9","text":"a","shop":"\\n"}',
                                 '{"id":1,"text":"\\ud800\\u0041"}', '{"id":1,"text":"\\udc00"}',
                                 '{"id":1,"text":"\\ud800"}', '{"id":1,"text":"\\u12"}', '{"id":1,"text":"\\u12g4"}',
                                 '{"id":1,"text":"a\\x"}', '{"id":1,"text":"\u2028\u0085\x7f"}')),
    "jsonl-fast-numbers": (3, jl('{"id":123456789012345678,"text":"a","x":-123456789012345678}',
                                 '{"id":1234567890123456789,"text":"a"}', '{"id":-0,"text":"a","x":-0}',
                                 '{"id":0,"text":"a","x":0.0}', '{"id":1.5e3,"text":"a"}', '{"id":1E+2,"text":"a"}',
                                 '{"text":"a","n":1e300}', '{"text":"a","n":1e308}', '{"text":"a","n":1e-999}',
                                 '{"text":"a","n":' + "9" * 300 + '.5}', '{"text":"a","n":01}', '{"text":"a","n":1.}',
                                 '{"text":"a","n":-}', '{"text":"a","n":.5}', '{"text":"a","n":1e}', '{"text":"a","n":2x}')),
    "jsonl-fast-nesting": (3, jl('{"text":"a","n":' + "[" * 14 + "]" * 14 + '}', '{"text":"a","n":' + "[" * 15 + "]" * 15 + '}',
                                 '{"text":"a","n":' + '{"k":' * 16 + "1" + "}" * 16 + '}',
                                 '{"text":"a","o":{"k":1,"k":2}}', '{"text":"a","o":{"k":[1,{"k":1}],"j":{}}}',
                                 '{"text":"a","shop":[1],"x":{"y":1}}', '{"text":"a","n":[1,]}', '{"text":"a","n":[1 2]}',
                                 '{' + ",".join('"k%d":%d' % (i, i) for i in range(31)) + ',"text":"a"}',
                                 '{' + ",".join('"k%d":%d' % (i, i) for i in range(32)) + ',"text":"a"}')),
    "jsonl-fast-keys": (3, jl('{"id":1,"\\u0069d":2,"text":"a"}', '{"t\\u0065xt":"a"}', '{"":1,"text":"a"}',
                               '{"id":1,"text":"a","text ":"b","TEXT":"c","sh\u00e9p":1}', '{"id":1,"text":"a","id":1}',
                               '{"text":"a","shop":"1","shop":"2"}', '{"text":"a","\\u0000":1}')),
    "jsonl-fast-ws": (0, b' \t{ "id" :\t1 ,\r"text"\r: "a" } \t\n{"id":1,"text":"a"}\x0b\n\x0c{"text":"a"}\n'
                         b'{"text":"a"}\r\r\n{"text":"\x01"}\n{"text":"\xc3\xa9\xed\x9f\xbf\xf4\x8f\xbf\xbf"}\n'),
    "jsonl-fast-literals": (3, jl('{"id":true,"text":"a","shop":false,"x":null}', '{"id":tru,"text":"a"}',
                                  '{"id":nulll,"text":"a"}', '{"id":null,"text":null}', '{"text":"a","x":falsey}')),
    "jsonl-fast-fields": (16, jl('{"msg":"a","text":"id-\u00e9"}', '{"msg":"a\\n","text":"\\u00e9"}',
                                 '{"msg":"a","text":7}', '{"text":"x","msg":"b","msg":"c"}')),
    # format 1: tsv
    "tsv-basic": (1, "id\ttext\nA\ttrès bon\nB\tnul\n".encode()),
    "tsv-missing-cols": (1, "id\ttext\tshop\nA\nB\tbien\n\tnul\tx\tx\textra\n\n".encode()),
    "tsv-no-text-col": (1, b"id\tmsg\n1\thello\n2\tbye\n"),
    "tsv-header-only": (1, b"id\ttext\n"),
    "tsv-header-no-nl": (1, b"id\ttext"),
    "tsv-crlf": (1, b"id\ttext\r\n1\tsuper\r\n2\tnul\r\n"),
    "tsv-invalid-id": (1, b"id\ttext\n\xff\xfe\"\\\x01\tok\n\xc3\tnul\n"),
    "tsv-dup-cols": (1, b"text\ttext\tid\tid\na\tb\tc\td\n"),
    "tsv-fields": (1 | 16, b"msg\ttext\nbien\tid1\nmal\n"),
    "tsv-maxline": (1 | 8, b"id\ttext\n1\t" + b"z" * 100 + b"\n2\tok\n"),
    "tsv-long-header": (1 | 8, b"id\t" + b"h" * 100 + b"\n1\tx\n"),
    "tsv-empty": (1, b""),
    # format 2: lines
    "lines-basic": (2, "bien\n\nmal\nÇa fait 2h qu'on attend 😡\n".encode()),
    "lines-invalid": (2, b"\xc0\xaf\n\xed\xa0\x80\n\xf0\x9f\x98\n\x80\x80\n\x00\x00\n"),
    "lines-crlf-mixed": (2, b"a\r\nb\rc\n\r\n\r\r\n"),
    "lines-no-final-nl": (2, b"one\ntwo"),
    "lines-maxline": (2 | 8, b"short\n" + b"L" * 200 + b"\n" + b"M" * 65 + b"\nend"),
    "lines-threads": (2 | 4, b"\n".join(b"ligne %d nulle" % i for i in range(30))),
    "lines-rtl": (2, "\u202eserivce nul\u202c\n\u200b\u200b\n\u200f\n".encode()),
}
for k, (o, data) in B.items():
    w("fuzz_batch", k, bytes([o]) + data)

# ---- fuzz_lexicon: option byte + lexicon file ----
EN_VAL, EN_MOD, FR_VAL, CAT = 0, 1, 2, 3
L = {
    "val-ok": (EN_VAL | 4, "term\tvalence\n# comment\ngood\t2\nnot bad\t1.5\nbad\t-2.5\n:)\t1\n😡\t-3\n"),
    "val-fr": (FR_VAL | 8, "term\tvalence\ntrès bien\t3\nnul\t-2\nn'importe quoi\t-2\ndéçu\t-2.5\nÇa\t1\n"),
    "val-crlf": (EN_VAL, "term\tvalence\r\ngood\t2\r\n\r\n   \r\n"),
    "val-bad-header": (EN_VAL, "word\tvalence\ngood\t2\n"),
    "val-header-3": (EN_VAL, "term\tvalence\textra\ngood\t2\n"),
    "val-no-header": (FR_VAL, "nul\t-2\n"),
    "val-bad-number": (EN_VAL, "term\tvalence\ngood\tlots\n"),
    "val-out-of-range": (EN_VAL, "term\tvalence\ngood\t5\nbad\t-4.0001\n"),
    "val-nan": (EN_VAL, "term\tvalence\nservice\tnan\n"),
    "val-nan-sign": (FR_VAL, "term\tvalence\nnul\t-nan\n"),
    "val-inf": (EN_VAL, "term\tvalence\nservice\tinf\n"),
    "val-hex": (EN_VAL, "term\tvalence\nservice\t0x1p1\nok\t 2\nfoo\t2 \n"),
    "val-long-number": (EN_VAL, "term\tvalence\nservice\t" + "0" * 80 + "1\n"),
    "val-fields": (EN_VAL, "term\tvalence\ngood\nbad\t-1\textra\n"),
    "val-empty-term": (EN_VAL, "term\tvalence\n\t2\n"),
    "val-punct-term": (EN_VAL, "term\tvalence\n!!!\t2\n...\t-1\n"),
    "val-long-phrase": (EN_VAL, "term\tvalence\n" + " ".join(["very"] * 20) + " bad\t-3\n"),
    "val-long-term": (EN_VAL, "term\tvalence\n" + "x" * 600 + "\t1\n"),
    "val-dup": (EN_VAL, "term\tvalence\ngood\t2\ngood\t-2\nGOOD\t1\n"),
    "val-hashtag": (EN_VAL, "term\tvalence\n#LoveIt\t2\n@user\t1\nhttp://x.y\t1\n"),
    "val-invalid-utf8": (FR_VAL, b"term\tvalence\n\xc3\t1\n\xed\xa0\x80\t-1\n\xc0\xaf\t2\n"),
    "val-nul": (EN_VAL, b"term\tvalence\ngo\x00od\t2\n\x00\t1\n"),
    "val-empty": (EN_VAL, ""),
    "val-comments-only": (EN_VAL, "# nothing\n\n#\n"),
    "mod-ok": (EN_MOD, "term\ttype\tvalue\nnot\tnegator\t0\nvery\tbooster\t0.3\nbut\tcontrast\t0\nkind of\tbooster\t-0.5\n"),
    "mod-bad-type": (EN_MOD, "term\ttype\tvalue\nnot\tflipper\t0\n"),
    "mod-bad-value": (EN_MOD, "term\ttype\tvalue\nvery\tbooster\tbig\n"),
    "mod-range": (EN_MOD, "term\ttype\tvalue\nvery\tbooster\t4.5\n"),
    "mod-nan": (EN_MOD | 4, "term\ttype\tvalue\n# the text analysed: very :) and not :)\nvery\tbooster\tnan\nnot\tnegator\tnan\n"),
    "mod-2-fields": (EN_MOD, "term\ttype\tvalue\nvery\tbooster\n"),
    "mod-header-2": (EN_MOD, "term\ttype\nvery\tbooster\n"),
    "mod-fr": (FR_VAL, "term\ttype\tvalue\npas\tnegator\t0\nmais\tcontrast\t0\ntrès\tbooster\t0.3\n"),
    "cat-ok": (CAT | 4, "kind\tlang\tpattern\tweight\nstem\tfr\tattente\t1\nphrase\ten\ton hold\t1\n"
                        "regex\t*\t\\b\\d+ ?(h|min)\\b\t0.5\nphrase\t*\tservice nul\t-0.5\n"),
    "cat-bad-header": (CAT, "kind\tlang\tpattern\nstem\tfr\tx\n"),
    "cat-bad-kind": (CAT, "kind\tlang\tpattern\tweight\nword\tfr\tattente\t1\n"),
    "cat-bad-lang": (CAT, "kind\tlang\tpattern\tweight\nstem\tde\tattente\t1\n"),
    "cat-bad-weight": (CAT, "kind\tlang\tpattern\tweight\nstem\tfr\tattente\tlots\nstem\ten\twait\tnan\n"),
    "cat-weight-range": (CAT, "kind\tlang\tpattern\tweight\nstem\tfr\tattente\t11\n"),
    "cat-weight-long": (CAT, "kind\tlang\tpattern\tweight\nstem\tfr\tattente\t" + "1" * 70 + "\n"),
    "cat-empty-pattern": (CAT, "kind\tlang\tpattern\tweight\nstem\tfr\t\t1\n"),
    "cat-stem-two-words": (CAT, "kind\tlang\tpattern\tweight\nstem\ten\ton hold\t1\nstem\ten\t😡\t1\n"),
    "cat-no-word": (CAT, "kind\tlang\tpattern\tweight\nphrase\ten\t\u200b\t1\n"),
    "cat-bad-regex": (CAT, "kind\tlang\tpattern\tweight\nregex\ten\t(unclosed\t1\n"),
    "cat-regex-catastrophic": (CAT, "kind\tlang\tpattern\tweight\nregex\t*\t(a+)+$\t1\nregex\t*\t(?:(?:a|a)*)*b\t1\n"),
    "cat-regex-empty-match": (CAT, "kind\tlang\tpattern\tweight\nregex\t*\tx*\t1\nregex\t*\t(?=a)\t1\nregex\t*\t\\b\t1\n"),
    "cat-regex-bsk": (CAT, "kind\tlang\tpattern\tweight\nregex\t*\t(?=ab\\K)\t1\nregex\t*\ta(?<=\\Ka)\t1\n"),
    "cat-regex-utf": (CAT, "kind\tlang\tpattern\tweight\nregex\t*\t\\X\t1\nregex\t*\t.\t1\nregex\t*\t\\C\t1\n"),
    "cat-regex-invalid-utf8": (CAT, b"kind\tlang\tpattern\tweight\nregex\t*\t\xc3(\t1\n"),
    "cat-regex-recursion": (CAT, "kind\tlang\tpattern\tweight\nregex\t*\t(?R)?a\t1\nregex\t*\t(?(DEFINE)(?<x>a))(?&x)\t1\n"),
    "cat-negative": (CAT, "kind\tlang\tpattern\tweight\nphrase\tfr\tpas mal\t-10\nstem\t*\tnul\t10\n"),
    "cat-five-fields": (CAT, "kind\tlang\tpattern\tweight\textra\nstem\tfr\tx\t1\n"),
    "cat-empty": (CAT, ""),
}
for k, (o, data) in L.items():
    if isinstance(data, str):
        data = data.encode()
    w("fuzz_lexicon", k, bytes([o]) + data)
