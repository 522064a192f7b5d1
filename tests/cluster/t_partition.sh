#!/usr/bin/env bash
# A long partition: the province is down (killed) while a county goes on
# working, 1,000 changes' worth; when the province returns, the county's
# backlog goes up to it and on to national, each change exactly once.
#
# NEHZAT_PARTITION_CHANGES=N changes the number of offline changes.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "the sqlite3 command-line tool is not installed"
cp "$B" "$T/nehzat" && B=$T/nehzat

N=${NEHZAT_PARTITION_CHANGES:-1000}
mktree IR IR-07 IR-07-03 || { nok "make the tree"; finish; exit; }
for id in IR IR-07 IR-07-03; do start "$id"; done
cd_=$(dir_of IR-07-03)
first=$(nz issue add -D "$cd_" --title "پیش از قطع ارتباط")
check "the first problem reaches national" wait_sql IR "SELECT count(*) FROM issue WHERE id = '$first'" 1 30

q="SELECT count(*) FROM oplog WHERE origin = 'IR-07-03'"
before_p=$(sql IR-07 "$q")
before_n=$(sql IR "$q")
kill9 IR-07

# N changes offline: one new problem in ten, edits of the newest otherwise.
# A loop of N command-line calls (each opens the database, writes, closes).
t0=$SECONDS
fails=0 ids=("$first")
for ((k = 1; k <= N; k++)); do
	if [ $((k % 10)) -eq 1 ]; then
		if id=$(nz issue add -D "$cd_" --title "مسئله $k" 2>/dev/null); then ids+=("$id"); else fails=$((fails + 1)); fi
	else
		nz issue set -D "$cd_" "${ids[-1]}" people_affected=$k >/dev/null 2>&1 || fails=$((fails + 1))
	fi
done
echo "# $N changes written at the county in $((SECONDS - t0)) s with the province down"
check_eq "the county wrote every change with its parent down" "$fails" 0
backlog=$(nz status -D "$cd_" --json | grep -o '"backlog_up": [0-9]*')
check_eq "the county's status shows the backlog" "$backlog" "\"backlog_up\": $N"
check_match "and the county kept trying" "$(cat "$T/IR-07-03.log")" 'sync.retry'

# The county now waits long between tries (30 s at least), as one offline
# for a while does; it restarts with that setting and fails once more.
stop IR-07-03
sed -i -e 's/^backoff_max = .*/backoff_max = 60/' -e 's/^;backoff_min = .*/backoff_min = 30/' "$cd_/nehzat.conf"
start IR-07-03
check "the county, restarted, fails to reach the province and backs off for 30 s or more" \
	wait_for 30 grep -q 'sync.retry .*retry_ms=[2-9][0-9][0-9][0-9][0-9]' "$T/IR-07-03.log"

# The province returns.
start IR-07
t1=$(date +%s%N)
check "the county and the province converge" wait_same IR-07-03 IR-07 IR-07-03 60
t2=$(date +%s%N)
check "the county and national converge" wait_same IR-07-03 IR IR-07-03 60
t3=$(date +%s%N)
echo "# in step with the province $(((t2 - t1) / 1000000)) ms after it came back, with national $(((t3 - t1) / 1000000)) ms"
# The county was waiting out its backoff; the connection its client made
# while it waited started the session at once.
check_match "the county started its session when the province came back, not at the end of its backoff" \
	"$(cat "$T/IR-07-03.log")" 'sync.reconnected'
check "national and the province agree on the province's subtree" wait_same IR-07 IR IR-07 30

moved_p=$(($(sql IR-07 "$q") - before_p))
moved_n=$(($(sql IR "$q") - before_n))
check_eq "the province received each offline change once" "$moved_p" "$N"
check_eq "national received each offline change once" "$moved_n" "$N"
for id in IR IR-07 IR-07-03; do
	check_eq "$id: no (origin, origin_seq) twice in the change log" \
		"$(sql "$id" "SELECT count(*) FROM (SELECT 1 FROM oplog GROUP BY origin, origin_seq HAVING count(*) > 1)")" 0
	check_eq "$id: nothing quarantined" "$(sql "$id" "SELECT count(*) FROM quarantine")" 0
done
check "the county's backlog is empty again" \
	wait_for 10 sh -c "'$B' status -D '$cd_' --json | grep -q '\"backlog_up\": 0'"
for id in IR-07-03 IR-07 IR; do check "$id stops cleanly on SIGTERM" stop "$id"; done
echo "# changes moved: $moved_p county -> province, $moved_n province -> national"
finish
