#!/usr/bin/env python3
"""SIGKILL during journal writes (issue 17): no acknowledged write may be lost.

Imports DATA into a fresh database, then runs TRIALS writes one after another, each a separate
`chainkb note ENTITY n-<i>` process (in every `--mode mixed` trial one in three is a
`snapshot save`, which must not disturb the journal either). Each write is SIGKILLed at a
random moment in [0, 2 × the measured duration of an undisturbed write] unless it finishes
first. A write is *acknowledged* when its process exited 0 and printed "已记录 #N". After every
trial (or every --check-every trials) the harness reads the journal back (`chainkb journal`) and
checks that

  - every acknowledged note is there, exactly once, with the number it was acknowledged with;
  - the numbers are 1..N without gaps or repeats (a killed write is either whole or absent);
  - the database still opens (`check --store` exits 0) — sled recovering a killed write never
    turns into damage.

With `--via query` the notes are write statements of the query language instead
(`chainkb query '备注 ENTITY "n-<i>" 理由 "trial <i>" 记录人 kill'`), acknowledged when the
process exited 0 and printed the recorded row (`│ N ┆ …`).

Usage: kill_journal.py --bin CHAINKB --data DIR --entity NAME --work W [--trials N] [--seed S]
                       [--via cli|query]
Prints one RESULT line; exits 1 if any acknowledged write was lost or the journal broke.
"""
import argparse, os, random, re, shutil, signal, subprocess, sys, time


def run(args, timeout=120):
    p = subprocess.run(args, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--data', required=True)
    ap.add_argument('--entity', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--trials', type=int, default=200)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--check-every', type=int, default=1)
    ap.add_argument('--via', choices=['cli', 'query'], default='cli')
    a = ap.parse_args()
    rng = random.Random(a.seed)
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    db = os.path.join(a.work, 'db')
    rc, so, se = run([a.bin, '--db', db, 'import', a.data])
    if rc != 0:
        sys.exit(f'import failed: {se}')

    def write(i, kill_after=None):
        args = [a.bin, '--db', db, 'note', a.entity, f'n-{i}', '--as', 'kill', '--reason', f'trial {i}']
        if a.via == 'query':
            args = [a.bin, '--db', db, 'query',
                    f'备注 "{a.entity}" "n-{i}" 理由 "trial {i}" 记录人 kill']
        if i % 3 == 2:
            args = [a.bin, '--db', db, 'snapshot', 'save', f's{i % 5}']
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        killed = False
        if kill_after is not None:
            try:
                p.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                killed = True
        out, err = p.communicate()
        return p.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace'), killed, args

    # The duration of an undisturbed write.
    t = time.time()
    for i in range(3):
        rc, out, err, _, _ = write(-1 - i)
    dur = (time.time() - t) / 3
    # Those three are acknowledged writes too (notes -1 and -3; -2 is a snapshot).
    acked = {}
    for line in run([a.bin, '--db', db, 'journal'])[1].splitlines():
        m = re.search(r'#(\d+) .*备注：(n--?\d+)$', line)
        if m:
            acked[m.group(2)] = int(m.group(1))

    killed_n = acked_n = lost = broken = unacked_present = 0
    failures = []
    for i in range(a.trials):
        rc, out, err, killed, args = write(i, kill_after=rng.uniform(0, 2.0 * dur))
        killed_n += killed
        m = re.search(r'已记录 #(\d+)', out) or re.search(r'│\s*(\d+)\s*┆', out)
        if rc == 0 and m:
            acked[f'n-{i}'] = int(m.group(1))
            acked_n += 1
        if 'panicked' in err:
            broken += 1
            failures.append((i, 'panic', err[-300:]))
        if (i + 1) % a.check_every and i + 1 != a.trials:
            continue
        rc2, jo, je = run([a.bin, '--db', db, 'journal'])
        if rc2 != 0:
            broken += 1
            failures.append((i, 'journal unreadable', je[-300:]))
            continue
        seqs, notes = [], {}
        for line in jo.splitlines():
            m = re.match(r'\s+#(\d+) ', line)
            if m:
                seqs.append(int(m.group(1)))
                n = re.search(r'备注：(n--?\d+)$', line)
                if n:
                    if n.group(1) in notes:
                        broken += 1
                        failures.append((i, 'duplicate', n.group(1)))
                    notes[n.group(1)] = int(m.group(1))
        if seqs != list(range(1, len(seqs) + 1)):
            broken += 1
            failures.append((i, 'sequence', seqs[-5:]))
        for k, s in acked.items():
            if notes.get(k) != s:
                lost += 1
                failures.append((i, 'lost', k, s, notes.get(k)))
        unacked_present = len([k for k in notes if k not in acked])
        rc3, _, ce = run([a.bin, '--db', db, 'check', '--store'])
        if rc3 != 0:
            broken += 1
            failures.append((i, 'check --store', ce[-300:]))
    for f in failures[:20]:
        print('FAIL', f)
    print(f'RESULT trials={a.trials} write_s={dur:.3f} killed={killed_n} acknowledged={acked_n} '
          f'unacknowledged_but_recorded={unacked_present} lost={lost} broken={broken}')
    sys.exit(1 if lost or broken else 0)


if __name__ == '__main__':
    main()
