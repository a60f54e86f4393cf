#!/bin/sh
# Start-up of the fifochan command, end to end: `fifochan --help` and `echo x | fifochan send F`
# with a reader always waiting on F (a `cat` loop, so that the reader's own start is not measured),
# each without (FIFOCHAN_CDS=off) and with the class-data sharing archive.
# The four variants run interleaved, round after round (2 warm-up rounds, then ROUNDS, default 10),
# so that a change in the machine's load during the measurement weighs on all of them alike; the
# script prints the median wall time and the median CPU time (user + system) of each.
# Usage: cli/startup.sh [path/to/bin/fifochan [ROUNDS]]   (needs python3)
set -eu
F=${1:-$(dirname "$0")/../bin/fifochan}
ROUNDS=${2:-10}
dir=$(mktemp -d)
reader=
trap '[ -n "$reader" ] && kill $reader 2>/dev/null; rm -rf "$dir"' EXIT
mkfifo -m 600 "$dir/f"
export FIFOCHAN_CACHE_DIR="$dir/cache"
"$F" --version >/dev/null   # trains the archive once
( while :; do cat "$dir/f" >/dev/null; done ) &
reader=$!
python3 - "$F" "$dir/f" "$ROUNDS" <<'PY'
import os, resource, statistics, subprocess, sys, time
f, fifo, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
variants = [
    ('fifochan --help (no archive)', 'FIFOCHAN_CDS=off "$F" --help'),
    ('fifochan --help (archive)', '"$F" --help'),
    ('echo x | fifochan send --codec string F (no archive)', 'echo x | FIFOCHAN_CDS=off "$F" send --codec string "$P"'),
    ('echo x | fifochan send --codec string F (archive)', 'echo x | "$F" send --codec string "$P"'),
]
env = dict(os.environ, F=f, P=fifo)
results = {name: [] for name, _ in variants}
for r in range(rounds + 2):
    for name, cmd in variants:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(['sh', '-c', cmd], env=env, stdout=subprocess.DEVNULL, check=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if r >= 2:
            results[name].append((wall, cpu))
for name, _ in variants:
    walls = sorted(w for w, _ in results[name])
    cpus = [c for _, c in results[name]]
    print('%-52s wall median %5.0f ms (min %5.0f, max %5.0f); CPU median %5.0f ms' % (
        name, statistics.median(walls) * 1000, walls[0] * 1000, walls[-1] * 1000, statistics.median(cpus) * 1000))
print('%d rounds; load average after: %s' % (rounds, ' '.join(open('/proc/loadavg').read().split()[:3])))
PY
