#!/bin/bash
# `history check` after each commit of a made-up history: every run folder
# under RUNS (sorted by name) is stored as its own commit, in order, and
# check runs after each from the 8th. Prints the points each check reported
# and how many checks failed.
#
#   docs/measurements/tools/check_sequence.sh BIN RUNS STORE [check args...]
#
# BIN: a concbench binary; RUNS: a folder of run folders (each with
# results.json); STORE: a scratch store (removed first). Run from the
# repository root, so that check reads configs/gate.toml.
set -u
bin=$1; runs=$2; store=$3; shift 3
rm -f "$store"; n=0; failing=0; reported=0
for run in $(ls -d "$runs"/* | sort); do
  n=$((n+1))
  "$bin" history --store "$store" add --commit "k$(printf %02d $n)" "$run/results.json" > /dev/null
  if [ $n -ge 8 ]; then
    out=$("$bin" history check --store "$store" "$@" 2>&1); rc=$?
    k=$(echo "$out" | head -1 | grep -o 'completes [0-9]*' | grep -o '[0-9]*')
    [ "$rc" = 1 ] && failing=$((failing+1))
    reported=$((reported+${k:-0}))
    printf "%s " "$n:${k:-0}"
  fi
done
echo; echo "checks $((n-7)), failing $failing, points reported $reported"
