#!/usr/bin/env bash
# Runs the issue-10 findings against the released 0.1 Go code: copies `git archive v0.1.0 go`
# into a temporary directory, adds findings01_test.go, and runs it. Usage: run.sh [go test flags]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git -C "$repo" archive v0.1.0 go testdata | tar -x -C "$tmp"
cp "$here/findings01_test.go" "$tmp/go/"
cd "$tmp/go"
go test -count=1 -tags findings01 -run 'TestFinding' -v "$@" . 2>&1 | sed "s#$tmp#<v0.1.0>#g"
