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
go vet ./...
go test -race -count=1 ./...
