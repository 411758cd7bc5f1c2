#!/usr/bin/env bash
# Runs every fuzz target of the module for a set time each (default 5m):
#   scripts/fuzz.sh [DURATION] [PACKAGE_PATTERN]
# e.g. scripts/fuzz.sh 30s ./vcf/...
# New crashers are written by `go test` to the package's testdata/fuzz/<Target>/
# directory, where they become regression cases of the ordinary test run.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-5m}
pattern=${2:-./...}
status=0
for pkg in $(go list "$pattern"); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(cd "$dir" && go test -list '^Fuzz' . 2>/dev/null | grep '^Fuzz' || true); do
    echo "== $pkg $target ($dur)"
    if ! (cd "$dir" && go test -run '^$' -fuzz "^${target}\$" -fuzztime "$dur" .); then
      echo "!! $pkg $target found a failure (see $dir/testdata/fuzz/$target)"
      status=1
    fi
  done
done
exit $status
