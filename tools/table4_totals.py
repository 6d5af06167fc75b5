#!/usr/bin/env python3
"""Independent recount of 玉溪高新区 附录1 表4 from the source document, for the constants in
tests/seed_data.rs: number of rows and the sum of the first investment figure of each row's
项目内容, per 领域 (an empty 领域 cell inherits from the row above).

    python3 tools/table4_totals.py ../shared/seeds/yuxi-hitech-zone-plan-2021-2025.txt
"""
import re
import sys
from collections import OrderedDict

text = open(sys.argv[1], encoding="utf-8").read().split("\n")
start = next(i for i, l in enumerate(text) if l.startswith("表4"))
end = next(i for i, l in enumerate(text) if l.startswith("表5"))
blocks, cur = [], []
for line in text[start + 1 : end]:
    if line.strip() == "" and not line.startswith("\t"):
        if cur:
            blocks.append(cur)
        cur = []
    else:
        cur.append(line.strip())
if cur:
    blocks.append(cur)
rows = [b for b in blocks if b and b[0].isdigit()]
amount = re.compile(r"投资\s*([0-9.]+)\s*(亿|千万|万)")
unit = {"亿": 1.0, "千万": 0.1, "万": 0.0001}
totals, counts, field, missing = OrderedDict(), OrderedDict(), None, []
for b in rows:
    if len(b) > 1 and b[1]:
        field = b[1]
    counts[field] = counts.get(field, 0) + 1
    m = amount.search(" ".join(b[2:]))
    if m:
        totals[field] = totals.get(field, 0.0) + float(m.group(1)) * unit[m.group(2)]
    else:
        missing.append(b[0])
print(f"rows: {len(rows)} (序号 {rows[0][0]}..{rows[-1][0]})")
for f in counts:
    print(f"{f}\t{counts[f]}\t{totals.get(f, 0.0):.4f}")
print(f"total\t{sum(counts.values())}\t{sum(totals.values()):.4f}")
print("rows without an investment figure:", " ".join(missing) or "none")
