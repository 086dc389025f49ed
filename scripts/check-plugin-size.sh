#!/usr/bin/env bash
# Fails when the release plugin grows past its budget (bytes).
set -euo pipefail
file=$1 limit=$2
size=$(wc -c <"$file")
if [ "$size" -gt "$limit" ]; then
  echo "plugin size check: $file is $size bytes, over the $limit-byte budget" >&2
  exit 1
fi
echo "plugin size check: $file is $size bytes (budget $limit)"
