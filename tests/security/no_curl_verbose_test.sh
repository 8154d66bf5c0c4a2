#!/usr/bin/env bash
# Fails when any file under the given folder switches on libcurl's verbose
# or debug output, which would write the Authorization header (the Twilio
# credentials) to stderr.
set -euo pipefail
folder=${1:?usage: no_curl_verbose_test.sh SERVICE_FOLDER}
[ -d "$folder" ] || { echo "no such folder: $folder" >&2; exit 2; }
# The transport must exist, or the search below proves nothing.
[ -f "$folder/twilio/curl_transport.cc" ] ||
  { echo "curl_transport.cc not found under $folder" >&2; exit 2; }
if grep -rnE 'CURLOPT_(VERBOSE|DEBUGFUNCTION|DEBUGDATA)' "$folder"; then
  echo "FAIL: libcurl verbose or debug output is switched on above" >&2
  exit 1
fi
echo "ok: no CURLOPT_VERBOSE, CURLOPT_DEBUGFUNCTION or CURLOPT_DEBUGDATA in $folder"
