#!/usr/bin/env bash
# A county restored from an older backup of its database.  What it wrote
# after the backup had reached its province; the restored county learns that
# from the province's HELLO_OK, asks those changes of its own back in its
# pulls, and is whole again: nothing lost, no sequence number used twice.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "the sqlite3 command-line tool is not installed"

mktree IR IR-07 IR-07-03 || { nok "make the tree"; finish; exit; }
for id in IR IR-07 IR-07-03; do start "$id"; done
C=$(dir_of IR-07-03)
one=$(nz issue add -D "$C" --title "پیش از پشتیبان")
check "the first problem reaches the province" wait_same IR-07-03 IR-07 IR-07-03 30

check "the county stops for its backup" stop IR-07-03
sqlite3 "$C/nehzat.db" ".backup '$T/backup.db'"
check "the backup holds the first problem" test "$(sqlite3 "$T/backup.db" "SELECT count(*) FROM issue")" = 1

start IR-07-03
two=$(nz issue add -D "$C" --title "پس از پشتیبان")
nz issue set -D "$C" "$one" people_affected=120 >/dev/null
check "what the county wrote after the backup reaches the province" wait_same IR-07-03 IR-07 IR-07-03 30
check "and national" wait_sql IR "SELECT count(*) FROM issue WHERE id = '$two'" 1 30

check "the county stops; its disk is lost" stop IR-07-03
rm -f "$C/nehzat.db" "$C/nehzat.db-wal" "$C/nehzat.db-shm"
cp "$T/backup.db" "$C/nehzat.db" && chmod 600 "$C/nehzat.db"
check_eq "restored from the backup, the county lacks the later problem" \
	"$(sql IR-07-03 "SELECT count(*) FROM issue WHERE id = '$two'")" 0

start IR-07-03
check "the county gets its own later problem back from the province" \
	wait_sql IR-07-03 "SELECT count(*) FROM issue WHERE id = '$two'" 1 30
check "and its later edit" wait_sql IR-07-03 "SELECT people_affected FROM issue WHERE id = '$one'" 120 30
check "county and province agree on the county's records" wait_same IR-07-03 IR-07 IR-07-03 30
three=$(nz issue add -D "$C" --title "پس از بازگردانی")
check "a problem written after the restore reaches national" \
	wait_sql IR "SELECT count(*) FROM issue WHERE id = '$three'" 1 30
check "national and the county agree" wait_same IR-07-03 IR IR-07-03 30
for id in IR IR-07 IR-07-03; do
	check_eq "$id: no (origin, origin_seq) twice in the change log" \
		"$(sql "$id" "SELECT count(*) FROM (SELECT 1 FROM oplog GROUP BY origin, origin_seq HAVING count(*) > 1)")" 0
	check_eq "$id: nothing quarantined" "$(sql "$id" "SELECT count(*) FROM quarantine")" 0
done
log=$(cat "$T/IR-07-03.log")
check_match "the county said it was recovering" "$log" 'sync.recover parent=IR-07 ours=[0-9]+ parent_holds=[0-9]+'
check_match "and that it had recovered" "$log" 'sync.recovered'
check_eq "the recovery is over: nothing more is asked back" "$(sql IR-07-03 "SELECT count(*) FROM meta WHERE key = 'recover_from' AND value != 0")" 0

# Against the advice: restored again, and written on before its first sync.
# The new change takes the number of a lost one; the province must not take
# it for the change it holds under that number, but refuse it, visibly.
check "the county stops for a second backup" stop IR-07-03
sqlite3 "$C/nehzat.db" ".backup '$T/backup2.db'"
start IR-07-03
lost=$(nz issue add -D "$C" --title "از دست رفته")
check "the problem reaches the province" wait_sql IR-07 "SELECT count(*) FROM issue WHERE id = '$lost'" 1 30
check "the county stops; its disk is lost again" stop IR-07-03
rm -f "$C/nehzat.db" "$C/nehzat.db-wal" "$C/nehzat.db-shm"
cp "$T/backup2.db" "$C/nehzat.db" && chmod 600 "$C/nehzat.db"
reused=$(nz issue add -D "$C" --title "نوشته پیش از همگام سازی")
check_eq "written offline, it reuses the lost change's sequence number" \
	"$(sql IR-07-03 "SELECT origin_seq FROM oplog WHERE rid = '$reused'")" \
	"$(sql IR-07 "SELECT origin_seq FROM oplog WHERE rid = '$lost'")"
start IR-07-03
check "the province refuses it into its quarantine, saying why" \
	wait_sql IR-07 "SELECT count(*) FROM quarantine WHERE reason LIKE '%restored from a backup%'" 1 30
check_eq "and does not take it for the change it holds" \
	"$(sql IR-07 "SELECT count(*) FROM issue WHERE id = '$reused'")" 0
check "the county is told" wait_for 10 grep -q 'sync.refused_by_parent.*restored from a backup' "$T/IR-07-03.log"
for id in IR-07-03 IR-07 IR; do check "$id stops cleanly on SIGTERM" stop "$id"; done
finish
