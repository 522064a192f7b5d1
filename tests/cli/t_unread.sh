#!/usr/bin/env bash
# Reads fail loudly: a record the database cannot read is not "not found".
# Pages of issue_score (the table and its indexes) are corrupted on disk;
# reading a problem then answers 500 naming SQLite's reason in the API and
# exit status 1 with that reason on the command line, while an absent one
# still answers 404 / "no problem with id".
source "$(dirname "$0")/../cluster/lib.sh"
export NEHZAT_TODAY=2026-11-28
command -v curl >/dev/null || skip_all "no curl"
command -v sqlite3 >/dev/null || skip_all "no sqlite3"
http_node IR-07-03
check "user add admin" sh -c "echo admin-pass-1 | '$B' user add -D '$D' --name admin --role admin"
check "a problem is added" nz issue add -D "$D" --title "کم‌آبی"
ID=$(sql IR-07-03 "SELECT id FROM issue LIMIT 1")
check_match "and shown" "$(nz issue show -D "$D" "$ID")" "title +کم‌آبی"

# Corrupt the first page of issue_score and of each of its indexes (page type 0xff), once the log is in
# the database file.
sql IR-07-03 "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
PS=$(sql IR-07-03 "PRAGMA page_size")
for p in $(sql IR-07-03 "SELECT rootpage FROM sqlite_master WHERE tbl_name = 'issue_score' AND rootpage > 0"); do
	printf '\377' | dd of="$D/nehzat.db" bs=1 seek=$(((p - 1) * PS)) conv=notrunc status=none
done

out=$(nz issue show -D "$D" "$ID" 2>&1)
check_eq "show of an unreadable problem exits 1" "$?" "1"
check_match "naming the problem and the database's reason" "$out" "^nehzat: cannot read problem '$ID': database disk image is malformed$"
out=$(nz issue show -D "$D" nope 2>&1)
check_eq "show of an absent problem exits 1" "$?" "1"
check_eq "saying it is absent" "$out" "nehzat: no problem with id 'nope'"

start IR-07-03
wait_for 10 curl -sf "$U/" || { nok "serve answers HTTP"; finish; exit 1; }
code() { local m=$1 p=$2; shift 2; curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$U/api/v1/$p"; }
curl -s -c "$T/a.jar" -H 'Content-Type: application/json' -d '{"name":"admin","password":"admin-pass-1"}' \
	"$U/api/v1/login" >/dev/null
check_eq "GET an unreadable problem: 500" "$(code GET "issues/$ID" -b "$T/a.jar")" "500"
check_match "with a JSON error naming the reason" "$(cat "$T/body")" \
	'^\{"error":\{"code":"internal","message":"cannot read problem [^"]*: database disk image is malformed"'
check_eq "GET an absent problem: 404" "$(code GET issues/nope -b "$T/a.jar")" "404"
check_match "with a JSON error saying so" "$(cat "$T/body")" '"code":"not_found","message":"no problem with id '"'nope'"'"'
check_eq "GET a readable call that is absent: 404" "$(code GET calls/nope -b "$T/a.jar")" "404"
check "serve stops cleanly" stop IR-07-03
finish
