#!/usr/bin/env python3
"""Trial 2: damage the sled files of a chainkb database and see whether chainkb notices.

Project copy of ../shared/reliability/corrupt.py for layout 2 (damage() picks the files under
the live g<N>/ folder, and CURRENT); everything else is unchanged.

For each trial: copy a database, damage it in one way (flip bytes / overwrite a range /
truncate / zero a range in `db`, a blob file, `conf` or the snapshot; delete a blob or the
snapshot), keep a pristine copy of the damaged state, then on separate copies of that state run
  1. chainkb --db X check --store
  2. chainkb --db X stats
  3. chainkb --db X export DIR     (compared with the export of the undamaged database)
and classify the trial:
  panic            any exit 101 / 'panicked' / killed by a signal
  hang             any command > timeout
  detected_check   check --store exits 2
  detected_open    check --store did not exit 2, but stats or export failed with an error message
  harmless         every command succeeded and the export is identical
  wrong_answer     every command succeeded but the export differs (silent data change)
Also counted: check_ok_but_export_differs, check_error_exit1 (check failed with exit 1),
and messages (first line of each error) grouped.

Usage: corrupt.py --bin CHAINKB --db-src DB [--db-src DB2 …] --work DIR [--trials N] [--seed S]
                  [--failures DIR] [--timeout SEC]
"""
import argparse, collections, hashlib, json, os, random, re, shutil, subprocess


def tree_hash(d):
    h = hashlib.sha256()
    for root, dirs, files in os.walk(d):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            h.update(os.path.relpath(p, d).encode())
            with open(p, 'rb') as fh:
                h.update(hashlib.sha256(fh.read()).digest())
    return h.hexdigest()


def run(args, timeout):
    try:
        p = subprocess.run(args, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired:
        return 'timeout', '', ''


def files_of(db):
    out = []
    for root, _, files in os.walk(db):
        for f in files:
            out.append(os.path.relpath(os.path.join(root, f), db))
    return sorted(out)


def damage(rnd, db):
    """Apply one random damage; return a description.

    chainkb's layout 2 keeps the live generation's sled files under g<N>/ and names it in
    CURRENT: the same damage as the shared harness, applied to those files, plus CURRENT."""
    fs = files_of(db)
    gen = sorted({f.split('/')[0] for f in fs if re.match(r'g\d+/', f)})
    pre = (gen[-1] + '/') if gen else ''
    blobs = [f for f in fs if f.startswith(pre + 'blobs/')]
    snaps = [f for f in fs if f.startswith(pre + 'snap.')]
    targets = ['db'] * 6 + (['blob'] * 3 if blobs else []) + ['conf'] + (['snap'] if snaps else [])
    if 'CURRENT' in fs:
        targets.append('CURRENT')
    t = rnd.choice(targets)
    name = {'db': pre + 'db', 'conf': pre + 'conf', 'CURRENT': 'CURRENT'}.get(t) or (rnd.choice(blobs) if t == 'blob' else rnd.choice(snaps))
    path = os.path.join(db, name)
    size = os.path.getsize(path)
    ops = ['flip', 'flip', 'overwrite', 'zero', 'truncate']
    if t in ('blob', 'snap', 'CURRENT'):
        ops.append('delete')
    op = rnd.choice(ops)
    data = bytearray(open(path, 'rb').read())
    if op == 'delete':
        os.remove(path)
        return f'delete {name}'
    if size == 0:
        op = 'append'
    if op == 'flip':
        n = rnd.choice([1, 1, 1, 2, 4, 16])
        offs = sorted(rnd.randrange(size) for _ in range(n))
        for o in offs:
            data[o] ^= 1 << rnd.randrange(8)
        desc = f'flip {n} bit(s) in {name} at {offs[:4]}{"…" if n > 4 else ""} (size {size})'
    elif op in ('overwrite', 'zero'):
        ln = min(size, rnd.choice([8, 64, 512, 4096]))
        o = rnd.randrange(size - ln + 1)
        fill = bytes(ln) if op == 'zero' else bytes(rnd.randrange(256) for _ in range(ln))
        data[o:o + ln] = fill
        desc = f'{op} {ln} bytes of {name} at {o} (size {size})'
    elif op == 'truncate':
        n = rnd.choice([0, rnd.randrange(size), size // 2, max(0, size - rnd.randrange(1, 4096))])
        data = data[:n]
        desc = f'truncate {name} from {size} to {n}'
    else:
        data += b'\x00' * 16
        desc = f'append to empty {name}'
    with open(path, 'wb') as fh:
        fh.write(data)
    return desc


def first_err(s):
    for line in s.splitlines():
        if 'error' in line or 'panicked' in line or 'warning' in line:
            return re.sub(r'/\S+', 'PATH', re.sub(r'\d+', 'N', line))[:160]
    return ''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--db-src', action='append', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--trials', type=int, default=200)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--failures', default=None)
    ap.add_argument('--timeout', type=float, default=30)
    ap.add_argument('--label', default='')
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    binary = os.path.abspath(args.bin)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    ref = {}
    for src in args.db_src:
        out = os.path.join(work, 'ref-' + os.path.basename(src.rstrip('/')))
        shutil.rmtree(out, ignore_errors=True)
        tmp = os.path.join(work, 'refdb')
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(src, tmp)   # export opens (and may write) the db: use a copy
        rc, _, se = run([binary, '--db', tmp, 'export', out], 120)
        assert rc == 0, se
        ref[src] = tree_hash(out)
    counts = collections.Counter()
    msgs = collections.Counter()
    by_target = collections.defaultdict(collections.Counter)
    failures = []
    damaged = os.path.join(work, 'damaged')
    x = os.path.join(work, 'x')
    exp = os.path.join(work, 'exp')
    for i in range(args.trials):
        src = rnd.choice(args.db_src)
        shutil.rmtree(damaged, ignore_errors=True)
        shutil.copytree(src, damaged)
        desc = damage(rnd, damaged)
        res = {}
        for cmd in ('check', 'stats', 'export'):
            shutil.rmtree(x, ignore_errors=True)
            shutil.copytree(damaged, x)
            shutil.rmtree(exp, ignore_errors=True)
            argv = {'check': ['check', '--store'], 'stats': ['stats'], 'export': ['export', exp]}[cmd]
            rc, so, se = run([binary, '--db', x] + argv, args.timeout)
            h = tree_hash(exp) if cmd == 'export' and rc == 0 else None
            res[cmd] = (rc, se, h)
        rcs = [res[c][0] for c in res]
        errs = ''.join(res[c][1] for c in res)
        if 'panicked' in errs or 101 in rcs or any(isinstance(r, int) and r < 0 for r in rcs):
            kind = 'panic'
        elif 'timeout' in rcs:
            kind = 'hang'
        elif res['check'][0] == 2:
            kind = 'detected_check'
        elif res['stats'][0] != 0 or res['export'][0] != 0:
            kind = 'detected_open'
        elif res['export'][2] == ref[src]:
            kind = 'harmless'
        else:
            kind = 'wrong_answer'
        counts[kind] += 1
        counts['trials'] += 1
        target = desc.split()[0] + ' ' + ('blob' if 'blobs/' in desc else 'snap' if 'snap.' in desc else desc.split()[-4] if False else '')
        tgt = 'blob' if 'blobs/' in desc else 'snap' if 'snap.' in desc else 'CURRENT' if 'CURRENT' in desc else 'conf' if '/conf' in desc else 'db'
        by_target[tgt][kind] += 1
        if res['check'][0] == 0 and res['export'][0] == 0 and res['export'][2] != ref[src]:
            counts['check_ok_but_export_differs'] += 1
        if res['check'][0] == 1:
            counts['check_exit1'] += 1
        if res['check'][0] not in (0, 2) and kind != 'panic':
            counts['check_exit_%s' % res['check'][0]] += 1
        for c in res:
            m = first_err(res[c][1])
            if m:
                msgs[f'{c} rc={res[c][0]}: {m}'] += 1
        if kind in ('panic', 'hang', 'wrong_answer') or (kind == 'detected_open' and res['check'][0] == 0):
            fdir = None
            if args.failures:
                fdir = os.path.join(os.path.abspath(args.failures), f'corrupt{args.label}-{i:04d}-{kind}')
                shutil.rmtree(fdir, ignore_errors=True)
                shutil.copytree(damaged, os.path.join(fdir, 'db'))
                with open(os.path.join(fdir, 'info.json'), 'w') as fh:
                    json.dump(dict(trial=i, src=src, damage=desc, kind=kind,
                                   results={c: dict(rc=res[c][0], stderr=res[c][1][-2000:]) for c in res}),
                              fh, ensure_ascii=False, indent=1)
            failures.append(dict(trial=i, kind=kind, damage=desc,
                                 rc={c: res[c][0] for c in res},
                                 err=first_err(errs), saved=fdir))
        if (i + 1) % 25 == 0:
            print(f'{i+1}: {dict(counts)}', flush=True)
    print('RESULT ' + json.dumps(dict(counts)))
    print('BY_TARGET ' + json.dumps({k: dict(v) for k, v in by_target.items()}))
    for m, n in msgs.most_common(40):
        print(f'MSG {n:4d} {m}')
    for f in failures:
        print('FAILURE ' + json.dumps(f, ensure_ascii=False))


if __name__ == '__main__':
    main()
