#!/usr/bin/env bash
# Checks the BOM as a user sees it: a fresh Maven project that imports dev.fifochan:fifochan-bom
# (from bom/pom.xml of this checkout) and declares fifochan and third-party dependencies WITHOUT
# versions must build its model, and `help:effective-pom` must show the versions the build uses
# (bom/pom.xml's properties, the project's version).
#
# Nothing is installed into ~/.m2: the BOM is served from a throw-away file repository, the user
# project gets a throw-away local repository, and everything else is read from ~/.m2 as a file
# mirror (so it works offline once the reactor has been built; maven-help-plugin is fetched into
# ~/.m2 first if missing). Usage: tools/bom-check.sh   (exit 0 = the BOM resolves and aligns).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
m2="${HOME}/.m2/repository"
help_plugin=org.apache.maven.plugins:maven-help-plugin:3.5.2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

read -r version jackson protobuf jffi jnats micrometer otel < <(python3 - "$root/bom/pom.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
p = ET.parse(sys.argv[1]).getroot()
prop = lambda n: p.find("m:properties/m:" + n, ns).text.strip()
print(p.find("m:version", ns).text.strip(), *(prop(n) for n in (
    "jackson.version", "protobuf.version", "jffi.version", "jnats.version",
    "micrometer.version", "opentelemetry.version")))
PY
)

if [ ! -d "$m2/org/apache/maven/plugins/maven-help-plugin/3.5.2" ]; then
  mvn -B -q "$help_plugin:help" >/dev/null
fi

bomdir="$work/repo/dev/fifochan/fifochan-bom/$version"
mkdir -p "$bomdir" "$work/user"
cp "$root/bom/pom.xml" "$bomdir/fifochan-bom-$version.pom"
cat >"$work/settings.xml" <<XML
<settings>
  <mirrors>
    <mirror><id>m2</id><mirrorOf>*,!bom-under-test</mirrorOf><url>file://$m2</url></mirror>
  </mirrors>
</settings>
XML
deps=""
for m in api transport-fifo codec-json codec-protobuf rpc transport-nats micrometer opentelemetry testcontainers cli; do
  deps+="<dependency><groupId>dev.fifochan</groupId><artifactId>fifochan-$m</artifactId></dependency>"
done
cat >"$work/user/pom.xml" <<XML
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>bom-user</artifactId>
  <version>1</version>
  <repositories>
    <repository>
      <id>bom-under-test</id>
      <url>file://$work/repo</url>
      <snapshots><enabled>true</enabled></snapshots>
    </repository>
  </repositories>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>dev.fifochan</groupId><artifactId>fifochan-bom</artifactId><version>$version</version>
        <type>pom</type><scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    $deps
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId></dependency>
    <dependency><groupId>com.fasterxml.jackson.datatype</groupId><artifactId>jackson-datatype-jsr310</artifactId></dependency>
    <dependency><groupId>com.fasterxml.jackson.datatype</groupId><artifactId>jackson-datatype-jdk8</artifactId></dependency>
    <dependency><groupId>com.fasterxml.jackson.module</groupId><artifactId>jackson-module-parameter-names</artifactId></dependency>
    <dependency><groupId>com.google.protobuf</groupId><artifactId>protobuf-java</artifactId></dependency>
    <dependency><groupId>com.google.protobuf</groupId><artifactId>protobuf-java-util</artifactId></dependency>
    <dependency><groupId>com.github.jnr</groupId><artifactId>jffi</artifactId></dependency>
    <dependency><groupId>com.github.jnr</groupId><artifactId>jffi</artifactId><classifier>native</classifier></dependency>
    <dependency><groupId>io.nats</groupId><artifactId>jnats</artifactId></dependency>
    <dependency><groupId>io.micrometer</groupId><artifactId>micrometer-core</artifactId></dependency>
    <dependency><groupId>io.opentelemetry</groupId><artifactId>opentelemetry-api</artifactId></dependency>
    <dependency><groupId>io.opentelemetry</groupId><artifactId>opentelemetry-context</artifactId></dependency>
  </dependencies>
</project>
XML

(cd "$work/user" && mvn -B -q -s "$work/settings.xml" -Dmaven.repo.local="$work/local" \
  "$help_plugin:effective-pom" -Doutput="$work/effective.xml") \
  || { echo "bom-check: a project importing fifochan-bom $version does not build its model" >&2; exit 1; }

python3 - "$work/effective.xml" "$version" "$jackson" "$protobuf" "$jffi" "$jnats" "$micrometer" "$otel" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
eff, version, jackson, protobuf, jffi, jnats, micrometer, otel = sys.argv[1:]
want = {"dev.fifochan": version, "com.fasterxml.jackson.core": jackson,
        "com.fasterxml.jackson.datatype": jackson, "com.fasterxml.jackson.module": jackson,
        "com.google.protobuf": protobuf, "com.github.jnr": jffi, "io.nats": jnats,
        "io.micrometer": micrometer, "io.opentelemetry": otel}
bad = 0
deps = ET.parse(eff).getroot().findall("m:dependencies/m:dependency", ns)
for d in deps:
    g, a, v = (d.find("m:" + t, ns).text for t in ("groupId", "artifactId", "version"))
    c = d.find("m:classifier", ns)
    ok = v == want[g]
    bad += not ok
    print(f"bom-check: {'ok ' if ok else 'BAD'} {g}:{a}{':' + c.text if c is not None else ''} -> {v}"
          + ("" if ok else f" (expected {want[g]})"))
print(f"bom-check: {len(deps) - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
PY
