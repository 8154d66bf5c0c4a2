#!/usr/bin/env bash
# Generates the Python modules mapping_example.py imports, from the
# gateway's protos and google.rpc's status and error details, with the
# system protoc and gRPC's Python plugin (Debian: protobuf-compiler,
# protobuf-compiler-grpc). The modules need python3-grpcio and
# python3-protobuf, which match that protoc.
#
# Usage: generate_stubs.sh OUT_DIR     then: PYTHONPATH=OUT_DIR python3 ...
set -euo pipefail

out=${1:?usage: generate_stubs.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
protos=$(cd "$here/../../../proto" && pwd)
googleapis=/usr/share/gocode/src/github.com/gogo/googleapis
plugin=/usr/bin/grpc_python_plugin

[ -x "$plugin" ] || { echo "generate_stubs: $plugin is missing (apt-get install protobuf-compiler-grpc)" >&2; exit 1; }
[ -f "$googleapis/google/rpc/status.proto" ] ||
  { echo "generate_stubs: google/rpc protos missing (apt-get install golang-github-gogo-googleapis-dev)" >&2; exit 1; }

mkdir -p "$out"
protoc -I"$protos" --python_out="$out" --grpc_python_out="$out" \
  --plugin=protoc-gen-grpc_python="$plugin" \
  twilio_gateway/sip/v1/credential_list_mapping.proto \
  twilio_gateway/sip/v1/credential_list_mapping_service.proto
protoc -I"$googleapis" --python_out="$out" \
  google/rpc/status.proto google/rpc/error_details.proto
