#!/usr/bin/env bash
# Three levels over real processes: national, 2 provinces, 2 counties each.
source "$(dirname "$0")/lib.sh"

mktree IR IR-07 IR-07-03 IR-07-04 IR-08 IR-08-01 IR-08-02 || { nok "make the tree"; finish; exit; }
ok "seven nodes initialised and keys exchanged"
for id in IR IR-07 IR-07-03 IR-07-04 IR-08 IR-08-01 IR-08-02; do start "$id"; done

# County changes arrive at national, unchanged.
i1=$(nz issue add -D "$(dir_of IR-07-03)" --title "کمبود آب" --category water)
i2=$(nz issue add -D "$(dir_of IR-08-02)" --title "اعتیاد" --category addiction)
check "county IR-07-03 converges at national" wait_same IR-07-03 IR IR-07-03 30
check "county IR-08-02 converges at national" wait_same IR-08-02 IR IR-08-02 30
check_eq "national holds the county's problem" \
	"$(nz issue show -D "$(dir_of IR)" "$i1" --json | grep -o '"owner": "[^"]*"')" '"owner": "IR-07-03"'
origin=$(sqlite3 "$(dir_of IR)/nehzat.db" "SELECT origin || '/' || origin_seq FROM oplog WHERE rid = '$i1'")
check_eq "the province forwarded it with its origin and sequence" "$origin" "IR-07-03/1"
check_eq "a sibling county does not see it" \
	"$(sqlite3 "$(dir_of IR-07-04)/nehzat.db" "SELECT count(*) FROM issue WHERE id = '$i1'")" 0
check_eq "the other province does not see it" \
	"$(sqlite3 "$(dir_of IR-08)/nehzat.db" "SELECT count(*) FROM issue WHERE id = '$i1'")" 0

# A standard written at national reaches every county.
if [ -f "$SHARED/data/iran_provinces.csv" ]; then
	nz orgunit import -D "$(dir_of IR)" "$SHARED/data/iran_provinces.csv" >/dev/null
	q="SELECT count(*) || ':' || sum(length(name_fa)) FROM orgunit"
	want=$(sql IR "$q")
	for c in IR-07-03 IR-07-04 IR-08-01 IR-08-02; do
		if wait_sql "$c" "$q" "$want" 30; then ok "national's org units reach $c"; else nok "national's org units reach $c"; fi
	done
else
	echo "# $SHARED/data absent: org-unit directive checks skipped"
fi

# A province edits a county record: it reaches the county (and national).
nz issue set -D "$(dir_of IR-07)" "$i1" people_affected=1200 neighbourhood="محله ۳" >/dev/null
check "the province's edit reaches the county" wait_sql IR-07-03 "SELECT people_affected FROM issue WHERE id = '$i1'" 1200
check "and national" wait_same IR-07-03 IR IR-07-03 30

# Concurrent edits of different fields at county and province both survive;
# the same field resolves identically everywhere.
stop IR-07-03
nz issue set -D "$(dir_of IR-07-03)" "$i1" category=health title="county title" >/dev/null
nz issue set -D "$(dir_of IR-07)" "$i1" source=monitoring title="province title" >/dev/null
start IR-07-03
check "county and national agree after concurrent edits" wait_same IR-07-03 IR IR-07-03 30
check "county and province agree after concurrent edits" wait_same IR-07-03 IR-07 IR-07-03 30
row=$(sqlite3 "$(dir_of IR)/nehzat.db" "SELECT category || '|' || source FROM issue WHERE id = '$i1'")
check_eq "both fields survive" "$row" "health|monitoring"
t_nat=$(sqlite3 "$(dir_of IR)/nehzat.db" "SELECT title FROM issue WHERE id = '$i1'")
t_cty=$(sqlite3 "$(dir_of IR-07-03)/nehzat.db" "SELECT title FROM issue WHERE id = '$i1'")
check_eq "the title resolves the same at county and national" "$t_cty" "$t_nat"
check_match "to one of the two writes" "$t_nat" "^(county|province) title$"

# Nothing echoes back: no change appears twice in any log.
for id in IR IR-07 IR-07-03 IR-08-02; do
	d=$(sqlite3 "$(dir_of $id)/nehzat.db" "SELECT count(*) FROM (SELECT 1 FROM oplog GROUP BY origin, origin_seq HAVING count(*) > 1)")
	check_eq "no duplicate change in $id's log" "$d" 0
done

# Status reports the peers.
st=$(nz status -D "$(dir_of IR-07)" --json)
check_match "status shows the parent link" "$st" '"role": "parent"'
check_match "status shows a child" "$st" '"id": "IR-07-03"'
check_match "backlog up is empty" "$st" '"backlog_up": 0'

# Clean shutdown on SIGTERM exits 0.
check "serve exits 0 on SIGTERM" stop IR-08-01
finish
