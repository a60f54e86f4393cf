#!/usr/bin/env bash
# Coverage-guided fuzzing of the frame decoder with Jazzer (libFuzzer for the JVM).
# Usage: tools/fuzz-frame-reader.sh [RUNS]   (default 10000000; results in docs/reliability.md)
# The target is dev.fifochan.internal.FrameDecoderFuzz (api test sources): every input must decode to records
# that re-encode to the bytes consumed, or end in a documented StreamException at the failing record.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-10000000}
jazzer_version=0.24.0
cd "$root"
mvn -q -B -pl api -am test-compile
repo=${MAVEN_REPO:-$HOME/.m2/repository}
for a in jazzer jazzer-api; do
  jar="$repo/com/code-intelligence/$a/$jazzer_version/$a-$jazzer_version.jar"
  [ -f "$jar" ] || mvn -q -B dependency:get -Dartifact=com.code-intelligence:$a:$jazzer_version
done
work="$root/api/target/fuzz"
rm -rf "$work/corpus"; mkdir -p "$work/corpus" "$work/findings"
# Seed corpus: every test vector behind a control byte (read size / frame limit selector).
for f in testdata/vectors/*.bin; do
  for c in 00 3f 61; do
    { printf "\\x$c"; cat "$f"; } > "$work/corpus/$(basename "$f" .bin)-$c"
  done
done
cp="$repo/com/code-intelligence/jazzer/$jazzer_version/jazzer-$jazzer_version.jar"
cp="$cp:$repo/com/code-intelligence/jazzer-api/$jazzer_version/jazzer-api-$jazzer_version.jar"
cp="$cp:$root/api/target/classes:$root/api/target/test-classes"
cd "$work/findings"
exec java -cp "$cp" com.code_intelligence.jazzer.Jazzer \
  --target_class=dev.fifochan.internal.FrameDecoderFuzz \
  --instrumentation_includes='dev.fifochan.**' --jvm_args=-Xmx512m \
  -runs="$runs" -max_len=8192 -rss_limit_mb=4096 -print_final_stats=1 \
  "$work/corpus"
