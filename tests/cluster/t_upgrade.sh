#!/usr/bin/env bash
# Upgrades: every fixture under tests/upgrade/ (a province and its county as
# an older schema version wrote them, see tests/upgrade/mkfixture.sh) is
# opened by the program under test, which migrates it; the records are those
# the old program wrote, and the two nodes go on syncing.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "the sqlite3 command-line tool is not installed"
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$T/probe"
"$B" init -D "$T/probe/IR" --id IR >/dev/null
now=$(sqlite3 "$T/probe/IR/nehzat.db" "PRAGMA user_version")
n=0
for fx in "$top"/tests/upgrade/schema*/; do
	v=${fx%/}; v=${v##*schema}
	n=$((n + 1))
	for id in IR-07 IR-07-03; do
		mkdir -p "$T/$id"
		(umask 077 && sqlite3 "$T/$id/nehzat.db" <"$fx/$id.sql")
		sed -e "s|@DIR@|$T|g" "$fx/$id.conf" >"$T/$id/nehzat.conf"
		install -m 600 "$fx/$id.key" "$T/$id/node.key"
		check_eq "schema $v: $id's fixture is at version $v" "$(sql "$id" "PRAGMA user_version")" "$v"
		check "schema $v: $id opens with this program" nz status -D "$T/$id"
		check_eq "schema $v: $id is migrated to version $now" "$(sql "$id" "PRAGMA user_version")" "$now"
		check_eq "schema $v: $id passes integrity_check" "$(sql "$id" "PRAGMA integrity_check")" ok
		check_eq "schema $v: $id holds the records the old program wrote" \
			"$(digest "$id")" "$(cat "$fx/$id.digest")"
	done
	start IR-07; start IR-07-03
	i=$(nz issue add -D "$T/IR-07-03" --title "پس از ارتقا")
	check "schema $v: a problem written after the upgrade reaches the province" \
		wait_sql IR-07 "SELECT count(*) FROM issue WHERE id = '$i'" 1 30
	old=$(sql IR-07-03 "SELECT id FROM issue WHERE title = 'کمبود آب آشامیدنی'")
	nz issue set -D "$T/IR-07" "$old" people_affected=1500 >/dev/null
	check "schema $v: the province's edit of an old record reaches the county" \
		wait_sql IR-07-03 "SELECT people_affected FROM issue WHERE id = '$old'" 1500 30
	check "schema $v: province and county agree" wait_same IR-07-03 IR-07 IR-07-03 30
	check "schema $v: the province stops cleanly" stop IR-07
	check "schema $v: the county stops cleanly" stop IR-07-03
	rm -rf "$T/IR-07" "$T/IR-07-03"
done
check "at least one fixture was migrated" test "$n" -ge 1
finish
