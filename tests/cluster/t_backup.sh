#!/usr/bin/env bash
# nehzat backup: a consistent copy taken while the node serves and writes,
# checked before it takes the file's name; a refused backup leaves nothing
# behind; a county restored from it recovers from its province what it wrote
# after the backup (the restored-node path of PROTOCOL.md §12).  nehzat restore
# refuses while the node serves and a file that is not this node's backup.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "the sqlite3 command-line tool is not installed"

mktree IR IR-07 IR-07-03 || { nok "make the tree"; finish; exit; }
for id in IR IR-07 IR-07-03; do start "$id"; done
C=$(dir_of IR-07-03)
first=$(nz issue add -D "$C" --title "پیش از پشتیبان")
check "the first problem reaches the province" wait_same IR-07-03 IR-07 IR-07-03 30

# Writers keep the county busy while it is backed up, twice.
( for ((k = 0; k < 40; k++)); do nz issue add -D "$C" --title "نوشتن همزمان $k" >/dev/null || exit 1; done ) &
writer=$!
out=$(nz backup -D "$C" "$T/b1.db" 2>&1); rc=$?
check_eq "a backup taken during writes succeeds" "$rc" 0
check_match "it reports what it checked" "$out" "^backup $T/b1.db: [0-9]+ tables, [0-9]+ rows \(([0-9]+) in the change log\), integrity ok$"
logrows=$(echo "$out" | sed -n 's/.*(\([0-9]*\) in the change log).*/\1/p')
check_eq "the copy is readable by its owner only" "$(stat -c %a "$T/b1.db")" 600
check_eq "the copy passes integrity_check" "$(sqlite3 "$T/b1.db" "PRAGMA integrity_check")" ok
check_eq "the copy holds the change-log rows it reported" "$(sqlite3 "$T/b1.db" "SELECT count(*) FROM oplog")" "$logrows"
check_eq "the copy is one instant: every logged problem is in its table" \
	"$(sqlite3 "$T/b1.db" "SELECT count(*) FROM oplog WHERE tbl = 'issue' AND origin = 'IR-07-03'")" \
	"$(sqlite3 "$T/b1.db" "SELECT count(*) FROM issue")"
check_eq "the copy is a plain file (no write-ahead log to carry)" "$(sqlite3 "$T/b1.db" "PRAGMA journal_mode")" delete
check_eq "no partial file is left" "$(ls "$T"/*.part 2>/dev/null | wc -l)" 0
check "the writers finished" wait "$writer"
check "a second backup replaces the first" nz backup -D "$C" "$T/b1.db"
check_eq "it holds all the writes" "$(sqlite3 "$T/b1.db" "SELECT count(*) FROM issue")" 41

check_fails "a backup into a missing directory is refused" nz backup -D "$C" "$T/none/b.db"
check_eq "and leaves nothing behind" "$(find "$T" -name 'b.db*' | wc -l)" 0
check_fails "backup without FILE is a usage error" nz backup -D "$C"

# Restore (README.md, Backups): stop, put the file in place, start.
check "everything reaches the province" wait_same IR-07-03 IR-07 IR-07-03 30
late=$(nz issue add -D "$C" --title "پس از پشتیبان")
check "the later problem reaches the province" wait_sql IR-07 "SELECT count(*) FROM issue WHERE id = '$late'" 1 30
out=$(nz restore -D "$C" "$T/b1.db" 2>&1)
check_match "restore is refused while the node serves" "$out" "a node is serving '$C'"
check_fails "a second node cannot serve the same directory" timeout 10 "$B" serve -D "$C"
check "the county stops" stop IR-07-03
nz backup -D "$(dir_of IR-07)" "$T/p.db" >/dev/null
out=$(nz restore -D "$C" "$T/p.db" 2>&1)
check_match "a backup of another node is refused" "$out" "is a backup of IR-07, not of IR-07-03"
printf 'not a database at all, just some text to be refused' >"$T/junk.db"
check_fails "a file that is not a database is refused" nz restore -D "$C" "$T/junk.db"
check_eq "and nothing changed" "$(sql IR-07-03 "SELECT count(*) FROM issue WHERE id = '$late'")" 1
out=$(nz restore -D "$C" "$T/b1.db")
check_match "nehzat restore puts the backup in place" "$out" "^restored $C from $T/b1.db: [0-9]+ tables"
check_eq "it is readable by its owner only" "$(stat -c %a "$C/nehzat.db")" 600
check_eq "no copy is left beside it" "$(ls "$C" | grep -c 'restored\|part')" 0
check_eq "restored, the county lacks the later problem" "$(sql IR-07-03 "SELECT count(*) FROM issue WHERE id = '$late'")" 0
start IR-07-03
check "the restored county gets it back from its province" \
	wait_sql IR-07-03 "SELECT count(*) FROM issue WHERE id = '$late'" 1 30
check "county and province agree" wait_same IR-07-03 IR-07 IR-07-03 30
check_eq "the first problem is there too" "$(sql IR-07-03 "SELECT count(*) FROM issue WHERE id = '$first'")" 1
for id in IR-07-03 IR-07 IR; do check "$id stops cleanly on SIGTERM" stop "$id"; done
finish
