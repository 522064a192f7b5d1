#!/usr/bin/env bash
# Offline truth carried up the tree (issue 11), over real nodes:
#   national IR <- province IR-07 <- counties A = IR-07-01, B = IR-07-02, C = IR-07-03.
# C never connects.  B syncs once, while the province's clock reads a day
# before the due date, then goes offline.  A reports on time, and omits a
# second template.  County, province and national must tell the same truth
# about every county: completeness (received / not submitted / unknown since
# DATE / unknown, never heard from) and allocation (refused by default while
# C is unknown, the refusal changing nothing; the same shares and digest with
# an explicit --unknown); sync health: backlogs 0 when caught up and exact
# when not, and the parent's last sync set by a successful exchange.
source "$(dirname "$0")/lib.sh"
export NEHZAT_TODAY=2026-11-28 # 1405-09-07: 1405-07 (Mehr) was due 1405-08-10 (2026-11-01)
A=IR-07-01 Bc=IR-07-02 C=IR-07-03

peer() { # peer NODE PEER KEY: one member of a peer's row in `status --json`
	nz status -D "$(dir_of "$1")" --json | python3 -c '
import json, sys
print([p for p in json.load(sys.stdin)["peers"] if p["id"] == sys.argv[1]][0][sys.argv[2]])' "$2" "$3"
}
wait_peer() { # wait_peer NODE PEER KEY WANT SECONDS
	local i
	for ((i = 0; i < $5 * 5; i++)); do
		[ "$(peer "$1" "$2" "$3" 2>/dev/null)" == "$4" ] && return 0
		sleep 0.2
	done
	echo "#   $1: peer $2 $3 is '$(peer "$1" "$2" "$3" 2>&1)', want '$4'"
	return 1
}
mktree IR IR-07 $A $Bc $C || { nok "make the tree"; finish; exit; }
ok "five nodes initialised and keys exchanged (C will never connect)"
cat >"$T/provinces.csv" <<'EOF2'
code,name_fa,name_en,iso3166_2,population
07,فارس,Fars,IR-07,
EOF2
cat >"$T/counties.csv" <<'EOF2'
code,province_code,name_fa,name_en,population
0701,07,الف,A,
0702,07,ب,B,
0703,07,ج,C,
EOF2
check "national imports the province" nz orgunit import -D "$(dir_of IR)" "$T/provinces.csv"
check "and its three counties" nz orgunit import -D "$(dir_of IR)" "$T/counties.csv"
for code in monthly activity; do
	nz template add -D "$(dir_of IR)" --code $code --title "$code" --period month --reporter secretariat \
		--level county --due-days 10 --from 1405-01 --field 'sessions:number:required:int:min=0' >/dev/null
done
check "two monthly county templates" test "$(sql IR "SELECT count(*) FROM report_template")" = 2
nz indicator set -D "$(dir_of IR)" issues --source open_issues --weight 70 --title "مسائل باز" >/dev/null
nz indicator set -D "$(dir_of IR)" reporting --source completeness --weight 30 --title "گزارش" >/dev/null

# Phase 1: the province's clock reads 2026-10-15 (before the due date); B
# syncs once, with a problem of its own, then goes offline for good.
skew=$(( ($(date -u -d '2026-10-15 12:00' +%s) - $(date -u +%s)) * 1000 ))
start IR
start IR-07 NEHZAT_CLOCK_SKEW_MS=$skew
nz issue add -D "$(dir_of $Bc)" --title "B: کمبود آب" >/dev/null
start $Bc
check "B's problem reaches the province" wait_sql IR-07 "SELECT count(*) FROM issue WHERE owner = '$Bc'" 1 30
check "the province records that it heard from B" \
	wait_sql IR-07 "SELECT count(*) FROM freshness WHERE id = 'IR-07/$Bc'" 1 30
check "and that record reaches national" \
	wait_sql IR "SELECT count(*) FROM freshness WHERE id = 'IR-07/$Bc'" 1 30
check "B takes everything meant for it before it goes" wait_peer IR-07 $Bc backlog_down 0 30
stop $Bc
stop IR-07

# Phase 2: the province on time again; A reports Mehr on time (1405-08-03),
# not the activity template, and has two problems.
start IR-07
start $A
check "the templates reach A" wait_sql $A "SELECT count(*) FROM report_template" 2 30
r=$(NEHZAT_TODAY=2026-10-25 nz report draft -D "$(dir_of $A)" --template monthly --period 1405-07 sessions=3 --submit)
check_match "A submits its monthly report on time" "$r" '^[a-z0-9]+$'
nz issue add -D "$(dir_of $A)" --title "A: بیکاری" >/dev/null
nz issue add -D "$(dir_of $A)" --title "A: اعتیاد" >/dev/null
check "A's report reaches national" wait_sql IR "SELECT count(*) FROM report WHERE id = '$r'" 1 30
check "with A's freshness record" wait_sql IR "SELECT count(*) FROM freshness WHERE id = 'IR-07/$A'" 1 30
check "national and the province hold the same subtree" wait_same IR IR-07 IR-07 30
check_eq "C was never heard from: no record of it anywhere" \
	"$(sql IR "SELECT count(*) FROM freshness WHERE unit = '$C'")$(sql IR-07 "SELECT count(*) FROM freshness WHERE unit = '$C'")" 00

# ---- completeness: the same answer at county, province and national ----
row() { # row NODE UNDER UNIT: the unit's own counts and freshness, as one line
	nz completeness -D "$(dir_of "$1")" --under "$2" --period 1405-07 --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
u = [x for x in d["units"] if x["unit"] == sys.argv[1]][0]
o = u["own"]
items = sorted((i["template"], i["state"], i.get("since", "")) for i in u["items"])
print(o["expected"], o["received"], o["on_time"], o["not_submitted"], o["unknown"], o["never_heard"],
      u["freshness"]["heard"], items)' "$3"
}
pa=$(row IR-07 IR-07 $A); na=$(row IR IR-07 $A); ca=$(row $A $A $A)
echo "#   A at province: $pa"
check_match "A at the province: 2 expected, 1 received on time, 1 not submitted" "$pa" \
	"^2 1 1 1 0 0 yes \[\('activity', 'not_submitted', ''\), \('monthly', 'received', ''\)\]$"
check_eq "A at national: the same" "$na" "$pa"
check_eq "A at its own node: the same counts" "${ca%% local*}" "${pa%% yes*}"
pb=$(row IR-07 IR-07 $Bc); nb=$(row IR IR-07 $Bc)
echo "#   B at province: $pb"
check_match "B at the province: unknown since its one sync (1405-07-23), not failing" "$pb" \
	"^2 0 0 0 2 0 yes \[\('activity', 'unknown', '1405-07-23 [0-9:]+'\), \('monthly', 'unknown', '1405-07-23 [0-9:]+'\)\]$"
check_eq "B at national: the same, although the province synced since" "$nb" "$pb"
pc=$(row IR-07 IR-07 $C); nc=$(row IR IR-07 $C)
check_eq "C at the province: unknown, never heard from" "$pc" \
	"2 0 0 0 2 2 never [('activity', 'unknown', 'never'), ('monthly', 'unknown', 'never')]"
check_eq "C at national: the same" "$nc" "$pc"
cp=$(nz completeness -D "$(dir_of IR-07)" --period 1405-07 --csv - | tr -d '\r' | grep '^IR-07,' | cut -d, -f4-11)
cn=$(nz completeness -D "$(dir_of IR)" --under IR-07 --period 1405-07 --csv - | tr -d '\r' | grep '^IR-07,' | cut -d, -f4-11)
check_eq "the province's totals: 6 expected, 1 received, 1 not submitted, 4 unknown" "$cp" "6,1,1,0,0,0,1,4"
check_eq "national's totals for the province: the same" "$cn" "$cp"
fj=$(nz completeness -D "$(dir_of IR)" --under IR-07 --period 1405-07 --json)
check_match "national's figure carries how many were never heard from" "$fj" '"never_heard": 1'
check_match "and the oldest heard from (B)" "$fj" "\"oldest_unit\": \"$Bc\""
txt=$(nz completeness -D "$(dir_of IR)" --under IR-07 --period 1405-07)
check_match "the text says C was never heard from" "$txt" "$C +monthly 1405-07: 1 unknown: never synced, never heard from here"
check_match "and B since when, as the province saw it" "$txt" "$Bc +\(its data reaches here through IR-07; last synced with IR-07 on 1405-07-23"
fl=$(nz freshness -D "$(dir_of IR)" --json)
check_match "nehzat freshness at national lists C as never heard" "$(echo "$fl" | tr -d ' \n')" \
	"\"heard\":\"never\",\"via\":\"IR-07\",\"observer\":\"\"[^}]*\"unit\":\"$C\""

# ---- allocation: never silently zero; refusals change nothing ----
before_n=$(sql IR "SELECT count(*) FROM oplog"); before_p=$(sql IR-07 "SELECT count(*) FROM oplog")
err=$(nz allocate -D "$(dir_of IR)" --budget 1000000 --level county --under IR-07 --csv "$T/n.csv" 2>&1); rc=$?
check_eq "national refuses to allocate with C unknown (exit 1)" "$rc" 1
check_match "naming C" "$err" "the data of 1 of the 3 county units is unknown here: $C \(never heard from\)"
err=$(nz allocate -D "$(dir_of IR-07)" --budget 1000000 --level county 2>&1); rc=$?
check_eq "so does the province" "$rc" 1
check_match "naming C too" "$err" "$C \(never heard from\)"
check "the refusal wrote no file" test ! -e "$T/n.csv"
check_eq "and changed nothing at national" "$(sql IR "SELECT count(*) FROM oplog")" "$before_n"
check_eq "nor at the province" "$(sql IR-07 "SELECT count(*) FROM oplog")" "$before_p"
for how in exclude zero; do
	an=$(nz allocate -D "$(dir_of IR)" --budget 1000000 --level county --under IR-07 --unknown $how --csv - | tr -d '\r')
	ap=$(nz allocate -D "$(dir_of IR-07)" --budget 1000000 --level county --unknown $how --csv - | tr -d '\r')
	echo "$an" | sed 's/^/#   /'
	# data_as_of (column 12) is each node's own knowledge: the province knows its children to the
	# second, national as of their records; the shares, values and digest must agree.
	check_eq "--unknown $how: national and the province share alike" "$(echo "$ap" | cut -d, -f1-11,13)" \
		"$(echo "$an" | cut -d, -f1-11,13)"
	check_match "--unknown $how: the total row states the choice" "$(echo "$an" | grep '^TOTAL')" ",unknown data $how: 1 unit$"
	sum=$(echo "$an" | awk -F, 'NR > 1 && $1 != "TOTAL" { s += $3 } END { printf "%.0f", s }')
	check_eq "--unknown $how: the shares sum to the budget" "$sum" 1000000
	eval "d_$how=\$(echo \"\$an\" | sed -n 2p | grep -o '[0-9a-f]\{32\}')"
done
check_match "left out, C has a row that says so and no share" "$(nz allocate -D "$(dir_of IR)" --budget 1000000 \
	--level county --under IR-07 --unknown exclude --csv - | grep "^$C,")" "^$C,ج,,,.*,left out: never heard from"
check "the choice changes the inputs digest" test -n "$d_exclude" -a "$d_exclude" != "$d_zero"
check_match "the text names the unknown unit" "$(nz allocate -D "$(dir_of IR)" --budget 1000000 --level county \
	--under IR-07 --unknown zero)" "unknown data \(--unknown zero\): 1 unit shared as if zero:"

# ---- sync health: 0 when caught up, exact when not ----
check "the province: nothing left for A once caught up" wait_peer IR-07 $A backlog_down 0 30
check "A: nothing left for the province" wait_peer $A IR-07 backlog_up 0 30
check "the province: A said it has nothing left (0, told by its last PUSH)" wait_peer IR-07 $A backlog_up 0 30
check "A: nothing left to pull from the province" wait_peer $A IR-07 backlog_down 0 30
check_match "A: the parent's last sync is a time, not never" "$(peer $A IR-07 last_sync)" "^20[0-9][0-9]-"
check "the province: nothing left for national" wait_peer IR-07 IR backlog_up 0 30
check "national: nothing left for the province" wait_peer IR IR-07 backlog_down 0 30
bdown=$(peer IR-07 $Bc backlog_down); cdown=$(peer IR-07 $C backlog_down)
check_eq "B, offline since, lacked nothing meant for it yet" "$bdown" 0
stop $A
nz indicator set -D "$(dir_of IR)" helpers --source helpers --weight 5 >/dev/null
nz indicator set -D "$(dir_of IR)" interventions --source interventions --weight 5 >/dev/null
check "the two new directives reach the province" wait_sql IR-07 "SELECT count(*) FROM indicator" 4 30
check_eq "A, now offline, lacks exactly those two" "$(peer IR-07 $A backlog_down)" 2
check_eq "B lacks exactly two more" "$(peer IR-07 $Bc backlog_down)" $((bdown + 2))
check_eq "C lacks exactly two more" "$(peer IR-07 $C backlog_down)" $((cdown + 2))
for i in 1 2 3; do nz issue add -D "$(dir_of $A)" --title "A: مسئله $i" >/dev/null; done
check_eq "A's three new problems await the province" "$(peer $A IR-07 backlog_up)" 3
start $A
check "back online, A catches up both ways" wait_peer IR-07 $A backlog_down 0 30
check "and its problems are in" wait_peer $A IR-07 backlog_up 0 30
check "the province: A says it has nothing left" wait_peer IR-07 $A backlog_up 0 30
check "A: the province said it has nothing left for A" wait_peer $A IR-07 backlog_down 0 30

for id in IR IR-07 $A; do stop "$id"; done
finish
