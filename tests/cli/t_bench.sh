#!/usr/bin/env bash
# The benchmark scripts (make bench runs them; make test does not): each one
# parses, refuses a bad setting, and skips cleanly, with one line saying why,
# where it cannot run (no node for P1_vs_pouchdb, no shared data for P6).
source "$(dirname "$0")/../cluster/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(dirname "$B")

for f in "$top"/tests/bench/run "$top"/tests/bench/*.sh; do
	check "$(basename "$f") parses" bash -n "$f"
done
if command -v node >/dev/null; then
	check "peer/pouch.js parses" node --check "$top/tests/bench/peer/pouch.js"
fi

# P1_vs_pouchdb without node: a PATH holding only what peer.sh needs before it looks.
mkdir -p "$T/bin"
for c in dirname mktemp sqlite3 sleep rm; do
	p=$(command -v "$c") && ln -s "$p" "$T/bin/$c"
done
out=$(PATH=$T/bin /bin/bash "$top/tests/bench/peer.sh" "$build" 2>&1); rc=$?
check_eq "peer.sh without node exits 0" "$rc" 0
check_match "peer.sh without node says why" "$out" "# SKIP P1_vs_pouchdb: node is not installed"
check_match "peer.sh without node leaves the figure null" "$out" "BENCH name=P1_vs_pouchdb value=null unit=ratio goal=>=10"
out=$(PEER_RUNS=0 bash "$top/tests/bench/peer.sh" "$build" 2>&1); rc=$?
check_eq "peer.sh refuses PEER_RUNS=0" "$rc" 2
check_match "peer.sh names the bad setting" "$out" "PEER_RUNS"

# P6 without the shared data, and with a mode it does not know.
out=$(NEHZAT_SHARED=$T/none bash "$top/tests/bench/country.sh" "$build" year 2>&1); rc=$?
check_eq "country.sh without the shared data exits 0" "$rc" 0
check_match "country.sh without the shared data says why" "$out" "P6 skipped: .*iran_counties.csv not found"
out=$(bash "$top/tests/bench/country.sh" "$build" decade 2>&1); rc=$?
check_eq "country.sh refuses an unknown mode" "$rc" 2
check_match "country.sh names the mode" "$out" "mode is day or year, not 'decade'"
finish
