#!/usr/bin/env python3
"""chainkb as an external peer (speaks worker.py's protocol; stdlib only).

The project's copy of ../shared/peers/engines/chainkb_adapter.py (same command-line interface);
how to run the side-by-side: benches/README.md, "Peer workload". From a copy of ../shared/peers:

    python run.py   --scale medium --external chainkb='python3 /path/to/chainkb/benches/peers/chainkb_adapter.py --bin BIN'
    python check.py --scale medium --external chainkb='python3 /path/to/chainkb/benches/peers/chainkb_adapter.py --bin BIN'

`--convert-only DATA OUT` writes the chainkb data folder alone (benches/peers.rs uses it).

Extra options (before run.py's own arguments): --bin PATH (default $CHAINKB_BIN, else
`chainkb` on PATH), --cache DIR (converted data folders, default data/chainkb-cache beside the CSVs),
--supplies (convert supplies.csv into seeds/relations.csv as SUPPLIES_TO rows, so load, RSS and
disk include the supply network as the peers' do; the default, since Q4 needs it), --no-supplies
(leave it out: Q4 is then not run, answer null).

What it does:
1. converts data/<scale>/*.csv into a chainkb data folder (graphs/*.toml + seeds/*.csv,
   docs/FORMATS.md), cached under --cache keyed by the CSVs' sizes and mtimes;
2. `chainkb --db WORK/db import FOLDER` (timed) and `chainkb --db WORK/db stats` (first open,
   timed); load_s = import + open;
3. runs every query as chainkb query-language statements inside ONE `chainkb query -f FILE
   --timing --format json` process (warm-up + timed repetitions in one file) and reports
   parse+plan+exec from the `timing:` lines as the query time (exec alone is in exec_ms).

Mapping (peer ids -> chainkb ids): segment n -> "S%04d", chain c -> "C%02d" (one template per
chain; a cross-chain edge is declared in the template of its `dst`'s chain and belongs to no
chain), region r -> park "园区%03d" (the peers' name; flat, no parent), enterprise e ->
"企业%07d" (the peers' name; zero-padded, so name order = id order), revenue 万元 -> revenue_yi
exact decimal (/10000), tier -> tag (500强->中国500强, 上市, 专精特新; 普通 -> none).

Queries:
  Q1  upstream S{T} depth {d} in 园区{R} | where state = missing | select segment | sort segment
  Q2  fill C{C} in all parks | where distance = 1 | group by place with count()
      chainkb's fill = missing segments with a present segment anywhere DOWNSTREAM in the chain;
      `distance` is the hops down to the nearest one, so `distance = 1` keeps the gaps with a
      DIRECT present user, as Q2 asks. The statement lists only parks with a gap; the adapter
      adds the others with 0 (output shaping, untimed).
  Q3  upstream S{T} depth {d} in 园区{R} | where state = missing | producers outside 园区{R}
        | limit 50 | select name
      one statement: the walk tests each segment's state as it is reached (逐个检验状态) and
      `| producers` merges the missing segments' revenue-ordered producer lists, skipping firms
      located in R, the limit pushed into the merge (`explain`: 取前 50 家（限制已下推）), so rows
      are made only for the 50 firms kept. Bench mode also times, for comparison within the run
      (`q3_two_statements`), the form used before the stage existed: Q1's statement, then
      `enterprises | where (segments contains S.. or ...) and location != 园区{R} | sort
      revenue_yi desc, name | limit 50 | select name` (the top-producers rule), summed.
  Q4  partners in 园区{R} chain C{C} | limit 50 | select name
      (以商招商: firms outside R within 2 undirected SUPPLIES_TO hops of R's firms that make a
      segment of C missing in R, by distinct local partners desc, revenue desc, name; names
      are 企业%07d, so name order is id order). Needs the supply network (the default).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

TIER_TAG = {"500强": "中国500强", "上市": "上市", "专精特新": "专精特新", "普通": ""}
SRC = "peers-gen.py"
TIMING = re.compile(r"timing: parse=([0-9.]+)ms plan=([0-9.]+)ms exec=([0-9.]+)ms")


def seg(n):
    return f"S{int(n):04d}"


def chain_id(c):
    return f"C{int(c):02d}"


def park(r):
    return f"园区{int(r):03d}"


def ent(e):
    return f"企业{int(e):07d}"


def rev_yi(rev):
    rev = int(rev)
    whole, frac = divmod(rev, 10000)
    s = f"{whole}.{frac:04d}".rstrip("0").rstrip(".")
    return s


def rows(path):
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            yield line.rstrip("\n").split(",")


def data_key(data_dir, supplies):
    parts = []
    for name in sorted(os.listdir(data_dir)):
        st = os.stat(os.path.join(data_dir, name))
        parts.append(f"{name}:{st.st_size}:{int(st.st_mtime)}")
    return ("sup;" if supplies else "nosup;") + ";".join(parts)


def convert(data_dir, out):
    """Writes graphs/ and seeds/ under `out` (a fresh folder)."""
    supplies = os.path.exists(out + ".want-supplies")
    graphs, seeds = os.path.join(out, "graphs"), os.path.join(out, "seeds")
    os.makedirs(graphs)
    os.makedirs(seeds)
    nodes = [(int(i), name, int(c)) for i, name, c in rows(os.path.join(data_dir, "chain_nodes.csv"))]
    chain_of = {i: c for i, _, c in nodes}
    layer_of = {i: int(name.split("-")[1][1:]) for i, name, _ in nodes}
    top = {}
    for i, _, c in nodes:
        top[c] = max(top.get(c, 0), layer_of[i])
    edges_by_chain = {}
    for s, d in rows(os.path.join(data_dir, "chain_edges.csv")):
        edges_by_chain.setdefault(chain_of[int(d)], []).append((int(s), int(d)))
    by_chain = {}
    for i, _, c in nodes:
        by_chain.setdefault(c, []).append(i)
    for c, segs in sorted(by_chain.items()):
        t = [f'[chain]\nid = "{chain_id(c)}"\nsource = "{SRC}"\n']
        for i in segs:
            L = layer_of[i]
            stage = "上游" if L == 0 else ("下游" if L == top[c] else "中游")
            t.append(f'[[segment]]\nid = "{seg(i)}"\nstage = "{stage}"\n')
        for s, d in edges_by_chain.get(c, []):
            t.append(f'[[supplies]]\nfrom = "{seg(s)}"\nto = "{seg(d)}"\n')
        with open(os.path.join(graphs, f"chain-{c:02d}.toml"), "w", encoding="utf-8") as f:
            f.write("\n".join(t))
    with open(os.path.join(seeds, "parks.csv"), "w", encoding="utf-8") as f:
        f.write("id,kind,source\n")
        for r, _name in rows(os.path.join(data_dir, "regions.csv")):
            f.write(f"{park(r)},园区,{SRC}\n")
    # produces.csv is grouped by enterprise in id order (gen.py writes it so); do not assume it
    made = {}
    for e, n in rows(os.path.join(data_dir, "produces.csv")):
        made.setdefault(int(e), []).append(seg(n))
    with open(os.path.join(seeds, "enterprises.csv"), "w", encoding="utf-8") as f:
        f.write("id,location,revenue_yi,tags,segments,source\n")
        buf = []
        for e, _name, r, rev, tier in rows(os.path.join(data_dir, "enterprises.csv")):
            buf.append(f"{ent(e)},{park(r)},{rev_yi(rev)},{TIER_TAG[tier]},{';'.join(made.get(int(e), []))},{SRC}\n")
            if len(buf) >= 65536:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))
    del made
    if supplies:
        with open(os.path.join(seeds, "relations.csv"), "w", encoding="utf-8") as f:
            f.write("from,relation,to,source\n")
            buf = []
            for s, d in rows(os.path.join(data_dir, "supplies.csv")):
                buf.append(f"{ent(s)},SUPPLIES_TO,{ent(d)},{SRC}\n")
                if len(buf) >= 65536:
                    f.write("".join(buf))
                    buf.clear()
            f.write("".join(buf))


def ensure_folder(data_dir, cache_root, supplies):
    """Returns (folder, convert_s or None if cached)."""
    scale = os.path.basename(os.path.normpath(data_dir))
    folder = os.path.join(cache_root, scale + ("-sup" if supplies else ""))
    key = data_key(data_dir, supplies)
    keyfile = folder + ".key"
    if os.path.isdir(folder) and os.path.exists(keyfile) and open(keyfile).read() == key:
        return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(cache_root, exist_ok=True)
    flag = folder + ".want-supplies"
    if supplies:
        open(flag, "w").close()
    elif os.path.exists(flag):
        os.remove(flag)
    t = time.perf_counter()
    # in a child process, so the adapter itself stays small
    subprocess.run([sys.executable, os.path.abspath(__file__), "--convert-only", data_dir, folder], check=True)
    dt = time.perf_counter() - t
    with open(keyfile, "w") as f:
        f.write(key)
    return folder, dt


def run_measured(binary, db, args):
    """Runs chainkb with os.wait4 to get its own peak RSS. Returns (stdout, stderr, wall_s, rss_mb)."""
    t = time.perf_counter()
    p = subprocess.Popen([binary, "--db", db] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # read both pipes without deadlock
    import threading
    chunks = {"o": [], "e": []}

    def pump(src, key):
        for b in iter(lambda: src.read(1 << 16), b""):
            chunks[key].append(b)
    th = [threading.Thread(target=pump, args=(p.stdout, "o")), threading.Thread(target=pump, args=(p.stderr, "e"))]
    for x in th:
        x.start()
    _, status, ru = os.wait4(p.pid, 0)
    for x in th:
        x.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    out, err = b"".join(chunks["o"]).decode(), b"".join(chunks["e"]).decode()
    if p.returncode != 0:
        raise RuntimeError(f"chainkb {' '.join(args[:2])} failed ({p.returncode}): {err[-2000:]}")
    return out, err, wall, ru.ru_maxrss / 1024


def json_arrays(text):
    dec, i, out = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        v, i = dec.raw_decode(text, i)
        out.append(v)


def timings(err):
    return [(float(a) + float(b) + float(c), float(c)) for a, b, c in TIMING.findall(err)]


# ---------------------------------------------------------------- statements and answers

def q1_stmt(R, T, depth):
    return f"upstream {seg(T)} depth {depth} in {park(R)} | where state = missing | select segment | sort segment"


def q1_answer(table):
    return [int(r["segment"][1:]) for r in table]


def q2_stmt(C):
    return f"fill {chain_id(C)} in all parks | where distance = 1 | group by place with count()"


def q2_answer(table, regions):
    """(region, count) for every region: the statement lists only parks with a gap."""
    cnt = {int(r["place"][2:]): int(r["count"]) for r in table}
    return [[r, cnt.get(r, 0)] for r in regions]


def q3_stmt(R, T, depth):
    return (f"upstream {seg(T)} depth {depth} in {park(R)} | where state = missing "
            f"| producers outside {park(R)} | limit 50 | select name")


def q3_two_stmt(R, missing):
    """The second statement of Q3's form before `| producers` (after Q1's statement)."""
    if not missing:
        return None
    cond = " or ".join(f"segments contains {seg(n)}" for n in missing)
    return (f"enterprises | where ({cond}) and location != {park(R)} "
            f"| sort revenue_yi desc, name | limit 50 | select name")


def q3_answer(table):
    return [int(r["name"][2:]) for r in table]


def q4_stmt(R, C):
    return f"partners in {park(R)} chain {chain_id(C)} | limit 50 | select name"


def q4_answer(table):
    return [int(r["name"][2:]) for r in table]


def script_args(work, stmts):
    """Writes the statements to WORK/q.ckq; returns chainkb's arguments to run them timed, as JSON."""
    path = os.path.join(work, "q.ckq")
    with open(path, "w", encoding="utf-8") as f:
        f.write(";\n".join(stmts) + ";\n")
    return ["query", "-f", path, "--timing", "--format", "json"]


def bench_queries(B, db, work, data_dir, params, regions, warmup, runs, q1_reps, supplies, q4_extra=()):
    """Times Q1-Q4 (bench mode) in ONE `query -f` process: `warmup` + `runs` repetitions each,
    plus `q1_reps` extra Q1 runs and chainkb's own targets form of Q3 (informational), and Q4's
    statement for each extra (R, C) pair in `q4_extra` (scale_curve.py: the benchmark pair has
    an empty answer at 5 M).
    Returns (fields for the result: times_ms, exec_ms, answers, ...; peak RSS MB of its chainkb runs).
    scale_curve.py calls it too."""
    res = {}
    depth = params["depth"]

    def script(stmts):
        return script_args(work, stmts)

    R, T, C = params["R"], params["T"], params["C"]
    n = warmup + runs
    # Q1's answer first: the two-statement form of Q3 (for comparison) is built from it
    out, _, _, peak = run_measured(B, db, script([q1_stmt(R, T, depth)]))
    missing = q1_answer(json_arrays(out)[0])
    s3 = q3_stmt(R, T, depth)
    s3old = q3_two_stmt(R, missing)
    stmts = [q1_stmt(R, T, depth)] * n + [q2_stmt(C)] * n + [s3] * n
    for _ in range(n):
        stmts.append(q1_stmt(R, T, depth))
        if s3old:
            stmts.append(s3old)
    stmts += [q1_stmt(R, T, depth)] * q1_reps
    # informational, not Q3: chainkb's own 精准招商 form, restricted to T's chain and ranked
    # by chainkb's target score (not revenue), so its answer differs from Q3's
    tchain = next(int(c) for i, _, c in rows(os.path.join(data_dir, "chain_nodes.csv")) if int(i) == T)
    s3n = (f"upstream {seg(T)} chain {chain_id(tchain)} depth {depth} in {park(R)} "
           f"| where state = missing | targets | limit 50")
    stmts += [s3n] * n
    s4 = q4_stmt(params["q4"]["R"], params["q4"]["C"]) if supplies else None
    if s4:
        stmts += [s4] * n
        for r4, c4 in q4_extra:
            stmts += [q4_stmt(r4, c4)] * n
    out, err, wall, rss = run_measured(B, db, script(stmts))
    peak = max(peak, rss)
    tables, tm = json_arrays(out), timings(err)
    assert len(tables) == len(stmts) == len(tm), (len(tables), len(stmts), len(tm))
    k = 0
    res["times_ms"], res["exec_ms"], res["answers"] = {}, {}, {}

    def take(count):
        nonlocal k
        t, a = tm[k:k + count], tables[k:k + count]
        k += count
        return t, a
    t, a = take(n)
    res["times_ms"]["q1"] = [x[0] for x in t[warmup:]]
    res["exec_ms"]["q1"] = [x[1] for x in t[warmup:]]
    ans = [q1_answer(x) for x in a]
    assert all(x == ans[0] for x in ans)
    res["answers"]["q1"] = ans[0]
    t, a = take(n)
    res["times_ms"]["q2"] = [x[0] for x in t[warmup:]]
    res["exec_ms"]["q2"] = [x[1] for x in t[warmup:]]
    ans = [q2_answer(x, regions) for x in a]
    assert all(x == ans[0] for x in ans)
    res["answers"]["q2"] = ans[0]
    res["q2_parks_with_gaps"] = len(a[0])
    t, a = take(n)
    res["times_ms"]["q3"] = [x[0] for x in t[warmup:]]
    res["exec_ms"]["q3"] = [x[1] for x in t[warmup:]]
    ans = [q3_answer(x) for x in a]
    assert all(x == ans[0] for x in ans)
    res["answers"]["q3"] = ans[0]
    res["q3_stmt"] = s3
    # the form before `| producers`, same run: Q1's statement + the top-producers statement
    q3t, q3e, old = [], [], []
    for i in range(n):
        (t1,), _ = take(1)
        if s3old:
            (t2,), (a2,) = take(1)
            q3t.append(t1[0] + t2[0])
            q3e.append(t1[1] + t2[1])
            old.append(q3_answer(a2))
        else:
            q3t.append(t1[0])
            q3e.append(t1[1])
            old.append([])
    assert all(x == ans[0] for x in old), "the two forms of Q3 disagree"
    res["q3_two_statements"] = {"times_ms": q3t[warmup:], "exec_ms": q3e[warmup:]}
    t, _ = take(q1_reps)
    if t:
        srt = sorted(x[0] for x in t)
        res["q1_many"] = {"reps": len(t), "median_ms": srt[len(t) // 2],
                          "median_exec_ms": sorted(x[1] for x in t)[len(t) // 2], "min_ms": srt[0]}
    t, a = take(n)
    res["q3_targets_native"] = {"stmt": s3n, "times_ms": [x[0] for x in t[warmup:]],
                                "exec_ms": [x[1] for x in t[warmup:]], "rows": len(a[0]),
                                "overlap_with_q3": len({r["enterprise"] for r in a[0]} & {ent(e) for e in res["answers"]["q3"]})}
    if s4:
        t, a = take(n)
        res["times_ms"]["q4"] = [x[0] for x in t[warmup:]]
        res["exec_ms"]["q4"] = [x[1] for x in t[warmup:]]
        ans = [q4_answer(x) for x in a]
        assert all(x == ans[0] for x in ans)
        res["answers"]["q4"] = ans[0]
        res["q4_stmt"] = s4
        res["q4_extra"] = []
        for r4, c4 in q4_extra:
            t, a = take(n)
            ans = [q4_answer(x) for x in a]
            assert all(x == ans[0] for x in ans)
            res["q4_extra"].append({"R": r4, "C": c4, "stmt": q4_stmt(r4, c4), "times_ms": [x[0] for x in t[warmup:]],
                                    "exec_ms": [x[1] for x in t[warmup:]], "answer": ans[0]})
    else:
        res["answers"]["q4"] = None
        res["q4"] = "not run: no supply network (--no-supplies)"
    res["query_process_wall_s"] = wall
    return res, peak


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--convert-only":
        convert(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("CHAINKB_BIN", "chainkb"))
    ap.add_argument("--cache", default=None)
    ap.add_argument("--supplies", dest="supplies", action="store_true", default=True)
    ap.add_argument("--no-supplies", dest="supplies", action="store_false")
    ap.add_argument("--q1-reps", type=int, default=200, help="extra repetitions of Q1 for a finer median")
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--mode", choices=["bench", "check"], default="bench")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.cache is None:
        args.cache = os.path.join(os.path.dirname(os.path.abspath(args.data)), "chainkb-cache")
    home = os.path.join(os.path.abspath(args.work), "home")
    os.environ["HOME"] = home
    os.environ["XDG_DATA_HOME"] = os.path.join(home, ".local", "share")
    os.environ.pop("CHAINKB_DB", None)
    os.makedirs(os.environ["XDG_DATA_HOME"], exist_ok=True)
    params = json.load(open(os.path.join(args.data, "params.json"), encoding="utf-8"))
    depth = params["depth"]
    regions = [int(r[0]) for r in rows(os.path.join(args.data, "regions.csv"))]
    os.makedirs(args.work, exist_ok=True)
    db = os.path.join(args.work, "db")
    B = args.bin

    folder, convert_s = ensure_folder(args.data, args.cache, args.supplies)
    version = subprocess.run([B, "--version"], capture_output=True, text=True).stdout.split()[-1]
    res = {"peer": "chainkb" + ("+supplies" if args.supplies else ""), "version": version,
           "convert_s": convert_s, "folder": folder,
           "folder_mb": sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(folder) for f in fs) / 2**20}
    _, err, import_s, import_rss = run_measured(B, db, ["import", folder])
    out, _, open_s, open_rss = run_measured(B, db, ["stats"])
    res.update({"import_s": import_s, "open_s": open_s, "load_s": import_s + open_s,
                "import_peak_rss_mb": import_rss, "rss_after_load_mb": open_rss,
                "stats": out[-3000:],
                "disk_mb": sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(db) for f in fs) / 2**20})
    peak = max(import_rss, open_rss)

    def script(stmts):
        return script_args(args.work, stmts)

    if args.mode == "check":
        sets = params["check"]
        stmts = []
        for p in sets:
            stmts += [q1_stmt(p["R"], p["T"], depth), q2_stmt(p["C"]), q3_stmt(p["R"], p["T"], depth)]
        out, err, _, rss = run_measured(B, db, script(stmts))
        peak = max(peak, rss)
        tables = json_arrays(out)
        ans = []
        for k, p in enumerate(sets):
            ans.append({"params": p, "q1": q1_answer(tables[3 * k]),
                        "q2": q2_answer(tables[3 * k + 1], regions), "q3": q3_answer(tables[3 * k + 2])})
        res["check_answers"] = ans
        if args.supplies:
            sets4 = params["check_q4"]
            tables4 = json_arrays(run_measured(B, db, script([q4_stmt(p["R"], p["C"]) for p in sets4]))[0])
            res["check_q4_answers"] = [{"params": p, "q4": q4_answer(t)} for p, t in zip(sets4, tables4)]
        else:
            res["check_q4_answers"] = [{"params": p, "q4": None, "note": "no supply network (--no-supplies)"}
                                       for p in params["check_q4"]]
    else:
        fields, rss = bench_queries(B, db, args.work, args.data, params, regions, args.warmup, args.runs,
                                    args.q1_reps, args.supplies)
        res.update(fields)
        peak = max(peak, rss)
    res["chainkb_peak_rss_mb"] = peak
    res["rss_end_mb"] = None
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
