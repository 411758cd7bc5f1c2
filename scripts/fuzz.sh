#!/usr/bin/env bash
# Runs every fuzz target of the module for a set time each (default 5m):
#   scripts/fuzz.sh [DURATION] [PACKAGE_PATTERN]
# e.g. scripts/fuzz.sh 30s ./vcf/...
# Environment: FUZZ_PARALLEL (fuzz workers, default 1: the machine is shared),
# FUZZ_MINIMIZE (-fuzzminimizetime, default 100x).
#
# The minimisation budget matters: go test spends up to -fuzzminimizetime
# (60s by default) minimising every new interesting input, and targets with
# rich input grammars (the JSON header of model files, VCF headers) find one
# every few seconds, so with the default they spend nearly all their time
# minimising and report "0 execs/sec". A bounded number of minimisation
# runs keeps them exploring.
#
# New crashers are written by `go test` to the package's testdata/fuzz/<Target>/
# directory, where they become regression cases of the ordinary test run.
# The last line of each target's output (elapsed time, execs, corpus) is
# repeated in a summary at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-5m}
pattern=${2:-./...}
parallel=${FUZZ_PARALLEL:-1}
minimize=${FUZZ_MINIMIZE:-100x}
status=0
summary=()
for pkg in $(go list "$pattern"); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(cd "$dir" && go test -list '^Fuzz' . 2>/dev/null | grep '^Fuzz' || true); do
    echo "== $pkg $target ($dur, -parallel $parallel)"
    log=$(mktemp)
    start=$(date +%s)
    corpus="$dir/testdata/fuzz/$target"
    before=$(ls "$corpus" 2>/dev/null | sort || true)
    result=ok
    if ! (cd "$dir" && go test -run '^$' -fuzz "^${target}\$" -fuzztime "$dur" \
      -fuzzminimizetime "$minimize" -parallel "$parallel" .) 2>&1 | tee "$log"; then
      after=$(ls "$corpus" 2>/dev/null | sort || true)
      if [ "$before" != "$after" ]; then
        echo "!! $pkg $target found a failure (see $corpus)"
        result=FAILED
        status=1
      else
        # go1.26's coordinator can report "context deadline exceeded" when
        # -fuzztime expires mid-run (go.dev/issue/75804, fixed in go1.27):
        # no input failed and none was written, so it is no finding.
        echo "?? $pkg $target: go test failed without writing a failing input ($(grep -m1 -o 'context deadline exceeded' "$log" || echo 'see above'))"
        result="no finding (go test: $(grep -m1 -o 'context deadline exceeded' "$log" || echo 'error'))"
      fi
    fi
    last=$(grep '^fuzz: elapsed' "$log" | tail -1 || true)
    summary+=("$pkg $target: $result; wall $(($(date +%s) - start))s; ${last#fuzz: }")
    rm -f "$log"
  done
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit $status
