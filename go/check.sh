#!/usr/bin/env bash
# The Go companion's checks, run by `mvn verify` (module go/pom.xml) and usable alone.
# Without a Go toolchain they are skipped with a message, except under CI=true, where that fails.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v go >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "go/check.sh: no Go toolchain on PATH, and CI=true: failing (install Go 1.22+)" >&2
    exit 1
  fi
  echo "go/check.sh: SKIPPED: no Go toolchain on PATH (install Go 1.22+ to run the Go tests)" >&2
  exit 0
fi
if [ ! -f go.mod ]; then
  echo "go/check.sh: no go.mod in go/" >&2
  exit 1
fi
unformatted=$(gofmt -l . || true)
if [ -n "$unformatted" ]; then
  echo "go/check.sh: not gofmt-formatted: $unformatted" >&2
  exit 1
fi
# The generated-code check (internal/interoppb) needs protoc and protoc-gen-go: take protoc from the
# Maven build's local repository (codec-protobuf fetched it) and protoc-gen-go from the module proxy.
if [ -z "${PROTOC:-}" ] && ! command -v protoc >/dev/null 2>&1; then
  candidate=$(ls "${MAVEN_REPO:-$HOME/.m2/repository}"/com/google/protobuf/protoc/4.36.2/protoc-4.36.2-linux-x86_64.exe 2>/dev/null || true)
  if [ -n "$candidate" ]; then
    chmod +x "$candidate" 2>/dev/null || true
    export PROTOC="$candidate"
  fi
fi
if ! command -v protoc-gen-go >/dev/null 2>&1; then
  gobin="$(pwd)/bin"
  if GOBIN="$gobin" go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6; then
    export PATH="$gobin:$PATH"
  fi
fi
go vet ./...
go test -race -count=1 ./...
