#!/bin/sh
# Regenerates interop.pb.go from ../../../testdata/proto/interop.proto.
# Needs protoc (any 3.x/4.x) and protoc-gen-go at the version in go.mod:
#   go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6
# PROTOC may name the protoc binary (default: protoc on PATH).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
proto_dir=$(cd "$here/../../../testdata/proto" && pwd)
out=${1:-$here}
"${PROTOC:-protoc}" -I "$proto_dir" \
  --go_out="$out" --go_opt=paths=source_relative \
  "$proto_dir/interop.proto"
