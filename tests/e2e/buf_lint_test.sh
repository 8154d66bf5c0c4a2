#!/usr/bin/env bash
# The public protos pass `buf lint` with the rules in proto/buf.yaml
# (STANDARD, plus the exceptions the AIP shape needs, each with its reason).
#
# Usage: buf_lint_test.sh --repo=DIR [--buf=PATH]
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

e2e_require_file "$BUF" "buf (run deploy/setup.sh)"

e2e_step "buf lint in $REPO/proto"
(cd "$REPO/proto" && "$BUF" lint) || e2e_fail "buf lint found problems (above)"

echo "PASS: buf_lint_test.sh"
