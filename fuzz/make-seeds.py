#!/usr/bin/env python3
"""Write the seed corpus of each fuzz target (fuzz/seeds/TARGET/) from the repository's real
inputs: query statements of tests/scripts/*.txt and docs/QUERY.md; the data files of
tests/fixtures/ and seeds/; graphs/*.toml; config/*.toml; the intake exports of
tests/fixtures/intake/. Run from the repository root: python3 fuzz/make-seeds.py

The csv, toml and intake targets read their first byte as a choice (which file, which reader,
which encoding: see each target), so each seed is that byte followed by a file. Files are cut
to their first MAX_LINES lines, so seeds stay small and fast to run.
"""
import hashlib
import pathlib
import re
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "seeds"
MAX_LINES = 40

# fuzz_targets/csv.rs: FILES, in order; the encoding is Auto, Utf8, Gbk by (pick / 9) % 3.
CSV_FILES = ["regions", "parks", "industries", "enterprises", "projects", "systems",
             "relations", "candidates", "enterprises-more"]


def head(path):
    lines = path.read_bytes().split(b"\n")
    return b"\n".join(lines[:MAX_LINES]) + (b"\n" if len(lines) > MAX_LINES else b"")


def write(target, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def csv_pick(path):
    stem = path.stem
    for i, kind in enumerate(CSV_FILES[:8]):
        if stem == kind or stem.startswith(kind + "-") or stem.startswith(kind + "_"):
            return i
    return 3  # a file named otherwise: try it as enterprises


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    # query: each statement of the golden scripts, each script whole, and QUERY.md's examples.
    for script in sorted((ROOT / "tests" / "scripts").glob("*.txt")):
        statements, current = [], None
        for line in script.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^>(?:json|csv)? (.*)$", line)
            if m and current is not None:
                # Further `>` lines continue the same statement.
                current += "\n" + m.group(1)
            elif m:
                current = m.group(1)
            elif current is not None:
                statements.append(current)
                current = None
        if current is not None:
            statements.append(current)
        for s in statements:
            write("query", s.encode())
        write("query", ";\n".join(statements).encode())
    doc = (ROOT / "docs" / "QUERY.md").read_text(encoding="utf-8")
    for m in re.finditer(r"`([^`\n]{4,})`", doc):
        write("query", m.group(1).encode())
    for m in re.finditer(r'chainkb query(?: --\S+(?: \S+)?)* "([^"]+)"', doc):
        write("query", m.group(1).encode())
    # csv: the fixture's and the shipped seed files, as the file of their kind.
    csvs = sorted((ROOT / "tests" / "fixtures").rglob("*.csv")) + sorted((ROOT / "seeds").glob("*.csv"))
    for path in csvs:
        if "intake" in path.parts:
            continue
        pick = csv_pick(path)
        write("csv", bytes([pick]) + head(path))
        if "gbk" in str(path):
            write("csv", bytes([pick + 2 * len(CSV_FILES)]) + head(path))
    # toml: templates (replacing one of the fixture's three, or added), weights, rules, keywords.
    mini = sorted((ROOT / "tests" / "fixtures" / "mini" / "graphs").glob("*.toml"))
    for i, path in enumerate(mini):
        write("toml", bytes([i]) + path.read_bytes())
    templates = sorted((ROOT / "tests" / "fixtures").rglob("graphs/*.toml"))
    templates += sorted((ROOT / "graphs").glob("*.toml"))[:12]
    for path in templates:
        write("toml", bytes([3]) + head(path))
    config = ROOT / "config"
    write("toml", bytes([4]) + (config / "target-weights.toml").read_bytes())
    write("toml", bytes([6]) + (config / "admission-rules.toml").read_bytes())
    write("toml", bytes([7]) + head(config / "segment-keywords.toml"))
    # intake: the test exports, with the encoding their name says (Auto, Utf8, Gbk).
    for path in sorted((ROOT / "tests" / "fixtures" / "intake").glob("*.csv")):
        write("intake", bytes([2 if "gbk" in path.name else 0]) + head(path))
    for path in [ROOT / "seeds" / "candidates.csv"]:
        write("intake", bytes([0]) + head(path))
    for t in sorted(OUT.iterdir()):
        files = list(t.iterdir())
        print(f"{t.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")


main()
