#!/usr/bin/env bash
# The Go companion's checks, run by `mvn verify` (module go/pom.xml) and usable alone: the core module
# (with go/rpc) and the NATS module go/nats.
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
# The NATS transport is a module of its own (nats.go needs a newer Go than the core's 1.22): go/nats, with
# this Go (no toolchain download). Its tests need nats-server (skipped without one, failing under CI=true).
if [ -f nats/go.mod ]; then
  need=$(sed -n 's/^go \([0-9.]*\).*/\1/p' nats/go.mod)
  have=$(go env GOVERSION | sed 's/^go//')
  if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n1)" = "$need" ]; then
    (cd nats && GOTOOLCHAIN=local go vet ./... && GOTOOLCHAIN=local go test -race -count=1 ./...)
  elif [ "${CI:-}" = "true" ]; then
    echo "go/check.sh: go/nats needs Go $need, this is Go $have, and CI=true: failing" >&2
    exit 1
  else
    echo "go/check.sh: SKIPPED go/nats: it needs Go $need, this is Go $have" >&2
  fi
fi
