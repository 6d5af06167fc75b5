#!/usr/bin/env python3
"""Statements for comparing two chainkb binaries' answers and error messages (issue 16, Q1's
parse): every statement of tests/scripts/*.txt, and each cut short at every word, with a word
dropped, swapped with the next, replaced or preceded by a stray token, and cut at three random
characters. Deterministic (seed 7). One statement a line, for `chainkb repl < corpus.txt`.

    python3 benches/parse_corpus.py > /tmp/corpus.txt

benches/README.md, "Q1 parse and execution (issue 16)", says how the two outputs are compared.
"""
import glob
import os
import random
import re

random.seed(7)
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
stmts = []
for f in sorted(glob.glob(os.path.join(root, "tests/scripts/*.txt"))):
    cur = None
    for line in open(f, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith(">"):
            body = re.sub(r"^>(json|csv)?\s?", "", line)
            if cur is not None and line.startswith("> …"):
                cur += " " + body[2:]
                continue
            if cur:
                stmts.append(cur)
            cur = body
        else:
            if cur:
                stmts.append(cur)
                cur = None
    if cur:
        stmts.append(cur)
stmts = [s for s in dict.fromkeys(stmts) if s.strip() and not s.startswith(".")]
out = set(stmts)
subs = ["x", "|", "(", ")", "[", "]", ",", '"', "where", "in", "all", "--c", "select", "1",
        "-1", "1.5", "=", "sort", "parks", "所有", "项目", "null", "not", "and", "or",
        "-[SUPPLIES]->", '"a', "\\"]
for s in stmts:
    toks = s.split(" ")
    for i in range(1, len(toks)):
        out.add(" ".join(toks[:i]))
        out.add(" ".join(toks[:i] + toks[i + 1:]))
        out.add(" ".join(toks[:i] + [random.choice(subs)] + toks[i + 1:]))
        out.add(" ".join(toks[:i] + [random.choice(subs)] + toks[i:]))
        if i + 1 < len(toks):
            t = toks[:]
            t[i], t[i + 1] = t[i + 1], t[i]
            out.add(" ".join(t))
    for tail in [" |", " | ", " where", ";", " ;;"]:
        out.add(s + tail)
    out.add(s.replace(" ", "", 1))
    for _ in range(3):
        k = random.randrange(1, len(s) + 1)
        out.add(s[:k])
print("\n".join(sorted(o for o in out if "\n" not in o)))
