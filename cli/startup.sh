#!/bin/sh
# Start-up of the fifochan command, end to end: `fifochan --help` and `echo x | fifochan send F`
# with a reader always waiting on F (a `cat` loop, so that the reader's own start is not measured),
# each without (FIFOCHAN_CDS=off) and with the class-data sharing archive. Medians of 10 runs.
# Usage: cli/startup.sh [path/to/bin/fifochan]   (needs hyperfine and python3)
set -eu
F=${1:-$(dirname "$0")/../bin/fifochan}
dir=$(mktemp -d)
trap 'kill $reader 2>/dev/null; rm -rf "$dir"' EXIT
mkfifo -m 600 "$dir/f"
export FIFOCHAN_CACHE_DIR="$dir/cache"
"$F" --version >/dev/null   # trains the archive once
( while :; do cat "$dir/f" >/dev/null; done ) &
reader=$!
hyperfine -N --warmup 3 --runs 10 --export-json "$dir/r.json" \
  -n 'fifochan --help (no archive)' "env FIFOCHAN_CDS=off $F --help" \
  -n 'fifochan --help (archive)' "$F --help" \
  -n 'echo x | fifochan send --codec string F (no archive)' "sh -c 'echo x | FIFOCHAN_CDS=off $F send --codec string $dir/f'" \
  -n 'echo x | fifochan send --codec string F (archive)' "sh -c 'echo x | $F send --codec string $dir/f'" >/dev/null
python3 - "$dir/r.json" <<'PY'
import json, statistics, sys
for r in json.load(open(sys.argv[1]))['results']:
    t = sorted(r['times'])
    print('%-52s wall median %5.0f ms (min %5.0f, max %5.0f); CPU mean %5.0f ms (user %5.0f + system %4.0f)' % (
        r['command'], statistics.median(t) * 1000, t[0] * 1000, t[-1] * 1000,
        (r['user'] + r['system']) * 1000, r['user'] * 1000, r['system'] * 1000))
print('load average during the runs:', open('/proc/loadavg').read().split()[:3])
PY
