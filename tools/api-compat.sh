#!/usr/bin/env bash
# API compatibility of this checkout against a release tag (default v0.1.0), with japicmp.
#
#   tools/api-compat.sh [TAG] [extra mvn args, e.g. -o]
#
# 1. clones TAG into a temporary directory and builds the jars of the modules that existed in it
#    (`mvn -DskipTests package`; 0.1's jars are in no repository);
# 2. builds the same modules of this checkout (`mvn -DskipTests package`, into their target/);
# 3. runs japicmp's command-line tool (resolved from Maven Central into ~/.m2) on each pair, with
#    each version's runtime class path, leaving out the `*.internal` packages that the JPMS modules
#    do not export.
# 4. Go: compares the module fifochan.dev/fifochan (go/) of TAG and of this checkout with apidiff
#    (golang.org/x/exp/cmd/apidiff, pinned below, built into a temporary GOBIN); skipped with a
#    message if `go` is missing. go/nats is a module of its own, new in 1.0.
# Reports: target/api-compat/<module>.{html,md,xml}, target/api-compat/go.txt and
# target/api-compat/summary.md (counts per module). Nothing is installed into ~/.m2.
#
# Exit 0 whatever the report says: 1.0 breaks 0.1 on purpose (docs/migration-1.0.md), so this is
# not part of `mvn verify`. For a 1.x release, compare with the previous 1.x tag and read the
# summary: any binary-incompatible change there is a bug.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tag="${1:-v0.1.0}"
shift || true
modules=(api transport-fifo codec-json codec-protobuf testcontainers cli)
japicmp_version=0.27.0
apidiff_version=v0.0.0-20261113113407-e3970619a1a4 # golang.org/x/exp
out="$root/target/api-compat"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

pl="$(IFS=,; echo "${modules[*]}")"
build() { # dir [mvn args]: jars plus each module's runtime class path in target/compat-classpath.txt
  local dir="$1"
  shift
  (cd "$dir" && mvn -B -q "$@" -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
    -pl "$pl" -am package \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile=target/compat-classpath.txt)
}

echo "api-compat: building $tag in $work/old" >&2
git clone -q "$root" "$work/old"
git -C "$work/old" checkout -q "$tag"
build "$work/old" "$@"
echo "api-compat: building this checkout" >&2
build "$root" "$@"

echo "api-compat: resolving japicmp $japicmp_version" >&2
mkdir -p "$work/japicmp"
cat >"$work/japicmp/pom.xml" <<XML
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>japicmp-cli</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>com.github.siom79.japicmp</groupId><artifactId>japicmp</artifactId><version>$japicmp_version</version></dependency>
  </dependencies>
</project>
XML
(cd "$work/japicmp" && mvn -B -q "$@" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=cp.txt)
japicmp_cp="$(cat "$work/japicmp/cp.txt")"

main_jar() { # module dir: its main jar (not -tests/-sources/-javadoc, not the CLI's shaded jar)
  find "$1/target" -maxdepth 1 -name "fifochan-$(basename "$1")-*.jar" \
    ! -name '*-tests.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar' | head -n 1
}

for m in "${modules[@]}"; do
  old="$(main_jar "$work/old/$m")"
  new="$(main_jar "$root/$m")"
  echo "api-compat: $m: $(basename "$old") -> $(basename "$new")" >&2
  java -cp "$japicmp_cp" japicmp.JApiCmp \
    --old "$old" --new "$new" \
    --old-classpath "$(cat "$work/old/$m/target/compat-classpath.txt")" \
    --new-classpath "$(cat "$root/$m/target/compat-classpath.txt")" \
    --exclude '*.internal' \
    --only-modified \
    --html-file "$out/$m.html" --xml-file "$out/$m.xml" --markdown >"$out/$m.md"
done

go_line="Go (fifochan.dev/fifochan): not compared, \`go\` is not on PATH"
if command -v go >/dev/null 2>&1; then
  echo "api-compat: Go module fifochan.dev/fifochan with apidiff" >&2
  GOBIN="$work/gobin" go install "golang.org/x/exp/cmd/apidiff@$apidiff_version"
  (cd "$work/old/go" && "$work/gobin/apidiff" -m -w "$work/go-old.export" fifochan.dev/fifochan)
  (cd "$root/go" && "$work/gobin/apidiff" -m -w "$work/go-new.export" fifochan.dev/fifochan)
  "$work/gobin/apidiff" -m "$work/go-old.export" "$work/go-new.export" >"$out/go.txt"
  # apidiff lists a generic type's method once per instantiation it sees; count distinct lines.
  go_line="$(awk '/^Incompatible changes:/{s="i";next} /^Compatible changes:/{s="c";next}
    /^- /{if(s=="i")inc[$0]=1; else if(s=="c")com[$0]=1}
    END{printf "Go (fifochan.dev/fifochan, apidiff): %d incompatible changes, %d compatible (go.txt)", length(inc), length(com)}' "$out/go.txt")"
fi

python3 - "$out" "$tag" "$go_line" "${modules[@]}" <<'PY'
import sys, xml.etree.ElementTree as ET
out, tag, go_line, modules = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
rows, total = [], [0, 0, 0, 0]
for m in modules:
    root = ET.parse(f"{out}/{m}.xml").getroot()
    classes = root.findall(".//class")
    removed = sum(c.get("changeStatus") == "REMOVED" for c in classes)
    added = sum(c.get("changeStatus") == "NEW" for c in classes)
    binary = source = 0
    for ch in root.iter("compatibilityChange"):
        binary += ch.get("binaryCompatible") == "false"
        source += ch.get("sourceCompatible") == "false"
    rows.append((m, binary, source, removed, added))
    for i, v in enumerate((binary, source, removed, added)):
        total[i] += v
with open(f"{out}/summary.md", "w") as f:
    f.write(f"# API changes {tag} -> this checkout (japicmp; *.internal left out)\n\n")
    f.write("| module | binary-incompatible changes | source-incompatible changes | classes removed | classes added |\n|---|---:|---:|---:|---:|\n")
    for r in rows + [("**total**", *total)]:
        f.write("| %s | %d | %d | %d | %d |\n" % r)
    f.write("\n" + go_line + "\n")
print(open(f"{out}/summary.md").read())
PY
