#!/usr/bin/env bash
# Nothing is lost when a node is killed at any moment.  Two counties write
# problems (and edit them, as do the province and national) without pause
# while real nodes sync over ipc://; meanwhile a county, the province and
# the national node are killed with SIGKILL at seeded random moments and
# started again.  Then the tree must converge: every county's digest equal
# to the province's and national's view of it, every problem an `issue add`
# reported present at national, no change twice in any log, no gap in any
# county's sequence, nothing quarantined, every database intact.
#
# NEHZAT_SEED=S replays the kill schedule (the moments depend on timing too);
# NEHZAT_KILLS=N sets the number of kill points (default 60).
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "the sqlite3 command-line tool is not installed"
# Nodes are started again and again: run a copy, so that a rebuild of the
# tree's binary meanwhile does not pull it away mid-test.
cp "$B" "$T/nehzat" && B=$T/nehzat

SEED=${NEHZAT_SEED:-$(((RANDOM << 15 | RANDOM) % 1000000))}
KILLS=${NEHZAT_KILLS:-60}
echo "# seed $SEED (replay with NEHZAT_SEED=$SEED)"
RANDOM=$SEED
t_start=$SECONDS

NODES=(IR IR-07 IR-07-03 IR-07-04)
COUNTIES=(IR-07-03 IR-07-04)
mktree "${NODES[@]}" || { nok "make the tree"; finish; exit; }
for id in "${NODES[@]}"; do start "$id"; done
check "the tree is up" wait_for 10 test -S "$T/IR.sock" -a -S "$T/IR-07.sock"

# writer COUNTY: adds problems, and edits the last one every third time,
# until $T/stop appears.  The id of every add that exits 0 goes to
# $T/COUNTY.ids; every failed command leaves a line in $T/COUNTY.fail.
writer() {
	local c=$1 d n=0 id last=""
	d=$(dir_of "$c")
	while [ ! -e "$T/stop" ] && [ $n -lt 20000 ]; do
		n=$((n + 1))
		if [ -n "$last" ] && [ $((n % 3)) -eq 0 ]; then
			nz issue set -D "$d" "$last" people_affected=$n >/dev/null 2>>"$T/$c.fail" ||
				echo "set $last failed" >>"$T/$c.fail"
		elif id=$(nz issue add -D "$d" --title "مسئله $n از $c" 2>>"$T/$c.fail"); then
			echo "$id" >>"$T/$c.ids"
			last=$id
		else
			echo "add $n failed" >>"$T/$c.fail"
		fi
	done
}

# upper WRITER FIELD: an ancestor edits the counties' latest problems, in its
# own column; a problem not yet arrived there is refused, which is fine.
upper() {
	local u=$1 f=$2 n=0 c id
	while [ ! -e "$T/stop" ] && [ $n -lt 20000 ]; do
		n=$((n + 1))
		c=${COUNTIES[$((n % 2))]}
		id=$(tail -n 1 "$T/$c.ids" 2>/dev/null)
		if [ -n "$id" ] && nz issue set -D "$(dir_of "$u")" "$id" "$f=$u $n" >/dev/null 2>&1; then
			echo "$id" >>"$T/$u.sets"
		fi
		sleep 0.05
	done
}

for c in "${COUNTIES[@]}"; do
	writer "$c" &
	echo $! >"$T/writer-$c.pid"
done
upper IR-07 neighbourhood &
echo $! >"$T/writer-IR-07.pid"
upper IR description &
echo $! >"$T/writer-IR.pid"

# The kill points.  Each kills one node (a county, the province or national)
# or, now and then, the province and a county together, keeps it down for a
# moment (or not at all), and starts it again.  A node that died by itself
# since the last kill point counts against the run.
killed=0 died=0 victims=()
alive() { local p; p=$(cat "$T/$1.pid" 2>/dev/null) && kill -0 "$p" 2>/dev/null; }
for ((k = 1; k <= KILLS; k++)); do
	# One time in four the same nodes again, at once: they are catching up.
	quick=$((k > 1 && RANDOM % 4 == 0))
	if [ "$quick" -eq 1 ]; then
		sleep "$(printf '0.%03d' $((20 + RANDOM % 130)))"
	else
		sleep "$(printf '0.%03d' $((50 + RANDOM % 650)))"
	fi
	for id in "${victims[@]}"; do
		alive "$id" || { died=$((died + 1)); echo "# $id was not running at kill point $k"; }
	done
	if [ "$quick" -eq 0 ]; then
		case $((RANDOM % 10)) in
		0 | 1 | 2) victims=(IR-07-03) ;;
		3 | 4) victims=(IR-07-04) ;;
		5 | 6) victims=(IR-07) ;;
		7 | 8) victims=(IR) ;;
		*) victims=(IR-07 IR-07-03) ;;
		esac
	fi
	for id in "${victims[@]}"; do kill9 "$id"; done
	killed=$((killed + ${#victims[@]}))
	[ $((RANDOM % 3)) -eq 0 ] || sleep "$(printf '0.%03d' $((RANDOM % 400)))"
	for id in "${victims[@]}"; do start "$id"; done
done
sleep 0.5
for id in "${NODES[@]}"; do
	alive "$id" || { died=$((died + 1)); echo "# $id is not running after the last kill point"; }
done
check_eq "every node killed ($killed kills at $KILLS points) came back and kept running" "$died" 0
t_kill=$((SECONDS - t_start))

touch "$T/stop"
for f in "$T"/writer-*.pid; do wait "$(cat "$f")" 2>/dev/null; rm -f "$f"; done
adds=0
for c in "${COUNTIES[@]}"; do adds=$((adds + $(wc -l <"$T/$c.ids"))); done
fails=$(cat "$T"/IR-07-0?.fail 2>/dev/null | wc -l)
check_eq "no county write failed while nodes were killed" "$fails" 0
[ "$fails" -eq 0 ] || head -n 5 "$T"/IR-07-0?.fail | sed 's/^/#   /'

# Converge: the counties' changes up, the ancestors' edits down.
t0=$SECONDS
for c in "${COUNTIES[@]}"; do
	check "$c converges with the province" wait_same "$c" IR-07 "$c" 90
	check "$c converges with national" wait_same "$c" IR "$c" 90
done
check "the province converges with national" wait_same IR-07 IR IR-07 90
t_conv=$((SECONDS - t0))

# Stop cleanly, then look at the databases at rest.
for id in "${NODES[@]}"; do check "$id stops cleanly on SIGTERM" stop "$id"; done
for c in "${COUNTIES[@]}"; do
	d=$(digest "$c" "$c")
	check_eq "$c: national's digest of it equals its own" "$(digest IR "$c")" "$d"
	check_eq "$c: the province's digest of it equals its own" "$(digest IR-07 "$c")" "$d"
done
check_eq "IR-07: national's digest of the province equals the province's" \
	"$(digest IR IR-07)" "$(digest IR-07 IR-07)"

for c in "${COUNTIES[@]}"; do
	values=$(sed "s/.*/('&')/" "$T/$c.ids" | paste -sd,)
	for at in IR IR-07; do
		miss=$(sql "$at" "WITH w(id) AS (VALUES $values) SELECT count(*) FROM w WHERE id NOT IN (SELECT id FROM issue)")
		check_eq "all $(wc -l <"$T/$c.ids") problems $c reported are at $at" "$miss" 0
	done
	# Sequence numbers are dense: nothing lost on the way, none reused.
	q="SELECT count(*) || ' ' || coalesce(max(origin_seq), 0) FROM oplog WHERE origin = '$c'"
	own=$(sql "$c" "$q")
	check_match "$c's own log numbers its changes 1..N without gaps" "$own" '^([0-9]+) \1$'
	check_eq "national holds every change of $c" "$(sql IR "$q")" "$own"
	check_eq "the province holds every change of $c" "$(sql IR-07 "$q")" "$own"
done

moved=0
for id in "${NODES[@]}"; do
	check_eq "$id: no (origin, origin_seq) twice in the change log" \
		"$(sql "$id" "SELECT count(*) FROM (SELECT 1 FROM oplog GROUP BY origin, origin_seq HAVING count(*) > 1)")" 0
	check_eq "$id: nothing quarantined" "$(sql "$id" "SELECT count(*) FROM quarantine")" 0
	check_eq "$id: PRAGMA integrity_check" "$(sql "$id" "PRAGMA integrity_check")" ok
	# Killed serves leave their mark (dash_held); each start counted again, each clean stop cleared it.
	check_eq "$id: the dashboard counts every live problem" \
		"$(sql "$id" "SELECT COALESCE(sum(n), 0) FROM dash_issue_n WHERE scope = 0")" \
		"$(sql "$id" "SELECT count(*) FROM issue WHERE deleted = 0")"
	check_eq "$id: no count held at rest" "$(sql "$id" "SELECT value FROM meta WHERE key = 'dash_held'")" 0
	moved=$((moved + $(sql "$id" "SELECT count(*) FROM oplog WHERE via != ''")))
done
sessions=$(cat "$T"/IR.log "$T"/IR-07.log | grep -c 'sync.hello')
sets=$(cat "$T"/IR.sets "$T"/IR-07.sets 2>/dev/null | wc -l)
echo "# $KILLS kill points, $killed kills; $adds problems added at the counties, $sets ancestor edits;"
echo "# $moved changes moved, $sessions sessions opened; killing ${t_kill}s, converging ${t_conv}s, total $((SECONDS - t_start))s"
finish
