#!/usr/bin/env bash
# A serving node holds the problem counts its own writes move (those made
# through its web face) and writes them behind, within AGG_HELD_MS (50 ms):
# another process sees them a moment later, the serve's own dashboard at
# once.  While it serves, meta dash_held is 1; killed with SIGKILL, whatever
# it held is lost from the counts, and the next start counts the problems
# again from the records; a clean stop writes them and clears the mark.
source "$(dirname "$0")/lib.sh"
export NEHZAT_TODAY=2026-11-28
command -v curl >/dev/null || skip_all "no curl"
command -v sqlite3 >/dev/null || skip_all "the sqlite3 command-line tool is not installed"
http_node IR-07-03
check "user add admin" sh -c "echo admin-pass-1 | '$B' user add -D '$D' --name admin --role admin"
counted="SELECT COALESCE(sum(n), 0) FROM dash_issue_n WHERE scope = 0"
live="SELECT count(*) FROM issue WHERE deleted = 0"
held="SELECT COALESCE((SELECT value FROM meta WHERE key = 'dash_held'), 0)"

start IR-07-03
wait_for 10 curl -sf "$U/" || { nok "serve answers HTTP"; finish; exit 1; }
check_eq "serving, the node is marked as holding counts" "$(sql IR-07-03 "$held")" 1
A=$(curl -s -c "$T/a.jar" -H 'Content-Type: application/json' -d '{"name":"admin","password":"admin-pass-1"}' \
	"$U/api/v1/login" | sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p')
post() {
	curl -s -o /dev/null -w '%{http_code}' -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' \
		-d "{\"title\":\"مسئله $1\",\"category\":\"water\",\"people_affected\":$1}" "$U/api/v1/issues"
}
codes=""
for i in 1 2 3 4 5; do codes="$codes$(post $i)"; done
check_eq "five problems added through the web face" "$codes" 200200200200200
check "the counts reach the database without a read (written behind: 50 ms idle, 5 s at most here)" wait_sql IR-07-03 "$counted" 5 5
codes="$(post 6)"
check_match "the serve's own dashboard counts one at once" "$(curl -s -b "$T/a.jar" "$U/api/v1/dashboard?under=IR-07-03")" \
	'"issues": *6[,}]'
check_eq "and has written it for others to see then" "$(sql IR-07-03 "$counted")" 6
# A command writes its own counts at its commit, while the serve holds its own.
nz issue add -D "$D" --title "از خط فرمان" >/dev/null
check_eq "a command's problem is counted when it returns" "$(sql IR-07-03 "$counted")" 7

# Killed holding counts: the next start counts from the records.
codes=""
for i in 7 8 9; do codes="$codes$(post $i)"; done
kill9 IR-07-03
check_eq "three more added, then the serve killed" "$codes" 200200200
check_eq "the mark outlives it" "$(sql IR-07-03 "$held")" 1
# What it held is lost from the counts (the kill may also come after a write): never more than the records.
check "the counts are at most the problems" test "$(sql IR-07-03 "$counted")" -le 10
sql IR-07-03 "UPDATE dash_issue_n SET n = n + 100 WHERE scope = 0" # a count gone wrong is counted again too
start IR-07-03
wait_for 10 curl -sf "$U/" || { nok "serve answers HTTP again"; finish; exit 1; }
check "the new start says it counted again" grep -q 'dash.recount' "$T/IR-07-03.log"
check_eq "and the counts are the problems again" "$(sql IR-07-03 "$counted")" "$(sql IR-07-03 "$live")"
check_eq "all ten of them" "$(sql IR-07-03 "$live")" 10
check_eq "one more" "$(post 11)" 200
check "stops cleanly" stop IR-07-03
check_eq "a clean stop writes what it held" "$(sql IR-07-03 "$counted")" 11
check_eq "and clears the mark" "$(sql IR-07-03 "$held")" 0
start IR-07-03
wait_for 10 curl -sf "$U/" || { nok "serve answers HTTP a third time"; finish; exit 1; }
check "stops cleanly again" stop IR-07-03
check_eq "a clean stop leaves nothing to count again" "$(grep -c 'dash.recount' "$T/IR-07-03.log")" 1
finish
