#!/usr/bin/env bash
# Org-unit figures kept by national: the 1395 census population of the shared
# counties file, a unit's figure set one at a time or from a CSV (refusals
# change nothing), replicated to a province with who set it and when, and an
# allocation by population for one province equal to a hand computation.
source "$(dirname "$0")/../cluster/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is needed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is needed"
[ -f "$SHARED/data/iran_counties.csv" ] || skip_all "$SHARED/data/iran_counties.csv is absent"
export NEHZAT_TODAY=2026-11-28

mktree IR IR-13 || { nok "make the nodes"; finish; exit; }
N=$(dir_of IR) P=$(dir_of IR-13)
nz orgunit import -D "$N" "$SHARED/data/iran_provinces.csv" >/dev/null &&
	nz orgunit import -D "$N" "$SHARED/data/iran_counties.csv" >/dev/null || { nok "import the tree"; finish; exit; }
check_eq "census figures for the counties that had one in 1395" \
	"$(sql IR 'SELECT count(*) FROM orgunit WHERE level = 2 AND population IS NOT NULL')" \
	"$(python3 -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r["population"]))' \
		"$SHARED/data/iran_counties.csv")"
nz indicator set -D "$N" pop --source population --weight 1 --title "جمعیت" >/dev/null
alloc() { nz allocate -D "$N" --budget 1000000000 --level county --under IR-13 "$@"; }

# ---- a county without a figure is unknown, never zero ----
out=$(alloc 2>&1)
check_match "a county of Hamadan without a figure refuses the allocation, named" "$out" "IR-13-10 \(no population figure\)"

# ---- refusals change nothing ----
refused() { # refused DESC PATTERN CMD...
	local d=$1 pat=$2 before; shift 2
	before=$(digest IR)
	if "$@" >/dev/null 2>"$T/err"; then nok "$d: accepted"; return; fi
	check_match "$d: says why" "$(cat "$T/err")" "$pat"
	check_eq "$d: nothing changed" "$(digest IR)" "$before"
}
refused "not a number" "not a whole number" nz orgunit set -D "$N" IR-13-10 population=12x
refused "negative" "not a whole number" nz orgunit set -D "$N" IR-13-10 population=-5
refused "no such unit" "no org unit 'IR-13-99'" nz orgunit set -D "$N" IR-13-99 population=100
refused "not a figure" "not a figure" nz orgunit set -D "$N" IR-13-10 area=100
refused "a province cannot set figures" "national" nz orgunit set -D "$P" IR-13-10 population=100
printf 'code,population\nIR-13-09,40000\nIR-13-99,100\n' >"$T/unknown.csv"
refused "a file naming an unknown unit" "unknown.csv:3: no org unit 'IR-13-99' .*; nothing was changed" \
	nz orgunit figures -D "$N" "$T/unknown.csv"
printf 'code,population\nIR-13-09,40000\nIR-13-10,۳۱ هزار\n' >"$T/bad.csv"
refused "a file with a bad number" "bad.csv:3: .*not a whole number" nz orgunit figures -D "$N" "$T/bad.csv"
printf 'unit,people\nIR-13-09,40000\n' >"$T/header.csv"
refused "a file with another header" "header is not code,FIGURE" nz orgunit figures -D "$N" "$T/header.csv"
check_eq "IR-13-09 keeps its census figure" "$(sql IR "SELECT population FROM orgunit WHERE id = 'IR-13-09'")" 39359

# ---- by hand: the census shares of Hamadan's counties with a figure ----
hand() { # hand: UNIT SHARE lines, largest remainder in integer rials, ties to the lower code
	sql IR "SELECT id, population FROM orgunit WHERE parent = 'IR-13' AND population IS NOT NULL ORDER BY id" |
		python3 -c '
import sys
B = 1000000000
rows = [l.strip().split("|") for l in sys.stdin if l.strip()]
pops = [(u, int(p)) for u, p in rows]
total = sum(p for _, p in pops)
share = {u: B * p // total for u, p in pops}
left = B - sum(share.values())
for u, _ in sorted(pops, key=lambda x: (-(B * x[1] % total), x[0]))[:left]:
    share[u] += 1
for u, _ in pops:
    print(u, share[u])'
}
got() { python3 -c 'import json,sys
for u in json.load(sys.stdin)["units"]: print(u["unit"], u["share"])' | sort; }
check_eq "allocation by population, Hamadan without its unknown county, equals the hand computation" \
	"$(alloc --unknown exclude --json | got)" "$(hand)"
check_match "and the hand computation is not empty" "$(hand | wc -l)" '^9$'

# ---- a newer estimate for a new county, one at a time and from a file ----
check "national sets IR-13-10's population" nz orgunit set -D "$N" IR-13-10 population=31000
check_eq "who and when are kept" "$(sql IR "SELECT population || ' ' || figures_by || ' ' || figures_on FROM orgunit WHERE id = 'IR-13-10'")" \
	"31000 tester 2026-11-28"
check_eq "now every county of Hamadan is known: the default allocation goes through, by hand" \
	"$(alloc --json | got)" "$(hand)"
printf 'code,population\nIR-13-09,40000\nIR-13-10,۳۲۰۰۰\n' >"$T/new.csv"
check_match "figures from a file (Persian digits too)" "$(nz orgunit figures -D "$N" "$T/new.csv")" "^set 2 figures"
check_eq "both set" "$(sql IR "SELECT group_concat(population, ' ') FROM orgunit WHERE id IN ('IR-13-09', 'IR-13-10') ORDER BY id")" \
	"40000 32000"
check_eq "the allocation follows, by hand" "$(alloc --json | got)" "$(hand)"
check "unknown again" nz orgunit set -D "$N" IR-13-10 population=unknown
check_match "and refused again, never zero" "$(alloc 2>&1)" "IR-13-10 \(no population figure\)"
nz orgunit set -D "$N" IR-13-10 population=32000 >/dev/null

# ---- replicated like every directive ----
start IR
check "the province syncs with national" nz sync -D "$P" --once
stop IR
check_eq "the province holds the figure, who set it and when" \
	"$(sql IR-13 "SELECT population || ' ' || figures_by || ' ' || figures_on FROM orgunit WHERE id = 'IR-13-10'")" \
	"32000 tester 2026-11-28"
check_eq "and shares the same allocation for its counties" \
	"$(nz allocate -D "$P" --budget 1000000000 --level county --json | got)" "$(hand)"
# ---- and the history of a unit's figure, at national and at the province ----
hist() { nz orgunit history -D "$1" IR-13-10 --json | python3 -c 'import json,sys
print(" ".join("%s/%s" % ("unknown" if r["value"] is None else r["value"], r["set_by"]) for r in json.load(sys.stdin)))'; }
check_eq "orgunit history: every figure set for the unit, newest first, with who (the import's unknown last)" \
	"$(hist "$N")" "32000/tester unknown/tester 32000/tester 31000/tester unknown/tester"
check_eq "the province holds the same history" "$(hist "$P")" "$(hist "$N")"
check_match "the history's days are Jalali, as every listing's" "$(nz orgunit history -D "$N" IR-13-10 | sed -n 2p)" "^ *14[0-9][0-9]-[01][0-9]-[0-3][0-9] +population"
refused "history of no such unit" "no org unit 'IR-13-99'" nz orgunit history -D "$N" IR-13-99
finish
