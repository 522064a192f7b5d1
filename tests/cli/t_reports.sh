#!/usr/bin/env bash
# The monitoring and allocation commands on one national node, no network:
# templates, reports and corrections, completeness, review and approval,
# indicators and allocation, with --help, --json and CSV; errors are one
# line starting "nehzat: " and exit 1 (bad data) or 2 (bad usage).
source "$(dirname "$0")/../cluster/lib.sh"
export NEHZAT_TODAY=2026-11-28 # 1405-09-07
D=$(dir_of IR)
nz init -D "$D" --id IR >/dev/null || { nok "init"; finish; exit; }
ok "national node initialised"

# --help everywhere, exit 0.
for c in template report completeness approve indicator allocate; do
	out=$(nz "$c" --help 2>&1); rc=$?
	check_eq "$c --help exits 0" "$rc" 0
	check_match "$c --help shows its usage" "$out" "usage: nehzat $c"
done
for s in "template add" "report draft" "approve period" "indicator set"; do
	check "$s --help" nz $s --help
done
check_eq "a command without its subcommand is a usage error" "$(nz template -D "$D" >/dev/null 2>&1; echo $?)" 2

# A small org-unit tree of our own, in the divisions format.
cat >"$T/prov.csv" <<'EOF'
code,name_fa,name_en,iso3166_2,population
07,فارس,Fars,IR-07,1000
08,کرمان,Kerman,IR-08,2000
09,خراسان رضوی,Razavi Khorasan,IR-09,3000
EOF
cat >"$T/cty.csv" <<'EOF'
code,province_code,name_fa,name_en,population
0703,07,شیراز,Shiraz,
0704,07,مرودشت,Marvdasht,
EOF
check "provinces imported" nz orgunit import -D "$D" "$T/prov.csv"
check "counties imported" nz orgunit import -D "$D" "$T/cty.csv"

# Templates.
tid=$(nz template add -D "$D" --code monthly --title "گزارش ماهانه" --period month --reporter secretariat \
	--level county --due-days 10 --from 1405-01 \
	--field 'sessions:number:required:int:min=0:max=500:label=جلسات هم اندیشی' \
	--field 'summary:text:required' --field 'mood:choice:choices=good|fair|poor')
check_match "template add prints the new id" "$tid" '^[a-z0-9]+$'
err=$(nz template add -D "$D" --code bad --title t --period month --reporter secretariat --level county \
	--due-days 5 --field 'n:number:min=9:max=1' 2>&1); rc=$?
check_eq "a template with min above max is refused (exit 1)" "$rc" 1
check_match "with one line naming the field" "$err" "^nehzat: field 'n': min 9 is above max 1$"
err=$(nz template add -D "$D" --code bad --title t --period month --reporter secretariat --level county \
	--due-days 5 --field 'n' 2>&1); rc=$?
check_eq "a malformed --field is a usage error (exit 2)" "$rc" 2
echo '[{"name":"note","type":"text","required":true}]' >"$T/fields.json"
check "a template from a JSON fields file" nz template add -D "$D" --code quarterly --title "فصلی استان" \
	--period quarter --reporter secretariat --level province --due-days 15 --from 1405-Q1 --fields "$T/fields.json"
echo '[{"name":"note","type":"text"' >"$T/broken.json"
check_fails "a broken JSON fields file is refused" nz template add -D "$D" --code broken --title t \
	--period month --reporter secretariat --level county --due-days 5 --fields "$T/broken.json"
check_match "template list --json" "$(nz template list -D "$D" --json)" '"code": "monthly"'
check_match "template show names the fields" "$(nz template show -D "$D" monthly)" "sessions +number +required"
check_eq "no template 'broken' was written" "$(nz template list -D "$D" --json | grep -c '"code": "broken"')" 0
check "template revise" nz template revise -D "$D" quarterly --due-days 20
check_match "the revision is version 2" "$(nz template show -D "$D" quarterly --json)" '"version": 2'
check_match "version 1 is kept" "$(nz template show -D "$D" quarterly --version 1 --json)" '"due_days": 15'

# Reports, entered at national for units below it (a parent may).
err=$(nz report draft -D "$D" --template monthly --period 1405-07 --unit IR-07-03 sessions=abc 2>&1); rc=$?
check_eq "a bad value is refused (exit 1)" "$rc" 1
check_match "naming the field" "$err" "^nehzat: field 'sessions' wants a number, not 'abc'$"
check_fails "a quarter for a monthly template is refused" \
	nz report draft -D "$D" --template monthly --period 1405-Q3 --unit IR-07-03
check_fails "a period not started is refused" \
	nz report draft -D "$D" --template monthly --period 1405-10 --unit IR-07-03
check_eq "nothing was written" "$(nz report list -D "$D" --json)" "[]"
r1=$(NEHZAT_TODAY=2026-10-25 nz report draft -D "$D" --template monthly --period ۱۴۰۵-۰۷ --unit IR-07-03 \
	sessions=۴ summary="دو جلسه با شورای محله" mood=good --submit)
check_match "a county's report submitted" "$r1" '^[a-z0-9]+$'
show=$(nz report show -D "$D" "$r1")
check_match "shown with Jalali dates and its due date" "$show" "period +1405-07 \(1405-07-01 to 1405-07-30\), due 1405-08-10"
check_match "on time" "$show" "submitted +1405-08-03 \(on time\)"
check_fails "a submitted report is locked" nz report set -D "$D" "$r1" sessions=5
r2=$(nz report revise -D "$D" "$r1" --reason "شمار جلسات" sessions=5)
check_match "a correction starts a new revision" "$r2" '^[a-z0-9]+$'
check "and is submitted" nz report submit -D "$D" "$r2"
check_match "a late correction of a report that came in on time keeps it on time" \
	"$(nz report show -D "$D" "$r2" --json)" '"on_time": true'
check_match "the old revision is kept, superseded" "$(nz report show -D "$D" "$r1" --json)" '"state": "superseded"'
check_eq "list shows the latest revision only" "$(nz report list -D "$D" --period 1405-07 --json | grep -c '"id":')" 1
check_eq "and both with --all-revisions" \
	"$(nz report list -D "$D" --period 1405-07 --all-revisions --json | grep -c '"id":')" 2
nz report list -D "$D" --csv "$T/reports.csv" >/dev/null
check_eq "report list --csv: a header and one row" "$(wc -l <"$T/reports.csv")" 2
check_match "with the values" "$(tail -1 "$T/reports.csv")" '"\{""mood"":""good"",""sessions"":5,'

# Completeness at national: IR-07-03 received, IR-07-04 unknown (IR-07 never synced here).
c=$(nz completeness -D "$D" --period 1405-07 --under IR-07 --csv - | tr -d '\r')
check_match "completeness CSV header" "$(echo "$c" | head -1)" "^unit,name,level,expected,received,on_time,"
check_eq "IR-07: 2 expected, 1 received, 1 on time" "$(echo "$c" | grep '^IR-07,' | cut -d, -f4-6)" "2,1,1"
check_eq "IR-07-04 unknown, not failing" "$(echo "$c" | grep '^IR-07-04,' | cut -d, -f10,11)" "0,1"
txt=$(nz completeness -D "$D" --period 1405-07 --under IR-07)
check_match "the text says why" "$txt" "IR-07-04 +monthly 1405-07: 1 unknown: never synced, never heard from here"
check_match "and sums up the freshness" "$txt" "freshness: 2 units below IR-07, 2 never heard from"
check_match "and through which child" "$txt" "through IR-07"
check_match "completeness --json" "$(nz completeness -D "$D" --period 1405-07 --json)" '"period": "1405-07"'
check_fails "completeness of a bad period" nz completeness -D "$D" --period 1405-13

# Approval: national reviews provinces, not counties.
err=$(nz approve accept -D "$D" "$r2" 2>&1); rc=$?
check_eq "national may not accept a county's report" "$rc" 1
check_match "and says who does" "$err" "reviewed by IR-07"
q=$(NEHZAT_TODAY=2026-10-01 nz report draft -D "$D" --template quarterly --period 1405-Q2 --unit IR-07 note=ok --submit)
check_match "pending review lists the province's report" "$(nz approve pending -D "$D")" "$q"
check_eq "return needs a note (usage)" "$(nz approve return -D "$D" "$q" >/dev/null 2>&1; echo $?)" 2
check "national accepts it" nz approve accept -D "$D" "$q" --note "خوب"
check_fails "accepting twice is refused" nz approve accept -D "$D" "$q"
check_fails "a correction of an accepted report is refused" nz report revise -D "$D" "$q" --reason x
err=$(nz approve period -D "$D" --unit IR-07 --period 1405-Q2 2>&1); rc=$?
check_eq "a period with missing county reports is not approved" "$rc" 1
check_match "and the reason is given" "$err" "cannot be approved: 1 of 7 expected reports are accepted"
sed -i 's/^;require_children_accepted = true/require_children_accepted = false/' "$D/nehzat.conf"
check "approved once the config does not wait for children" nz approve period -D "$D" --unit IR-07 --period 1405-Q2
check_fails "approving twice is refused" nz approve period -D "$D" --unit IR-07 --period 1405-Q2
check_match "approve list" "$(nz approve list -D "$D" --period 1405-Q2)" "IR-07 +1405-Q2 +IR "
check_fails "an approved period's reports are locked" \
	env NEHZAT_TODAY=2026-08-01 "$B" report draft -D "$D" --template monthly --period 1405-05 --unit IR-07-04 \
	sessions=1 summary=x --submit

# Indicators and allocation.
check_fails "an unknown source is refused" nz indicator set -D "$D" pop --source income --weight 1
check "indicator set" nz indicator set -D "$D" pop --source population --weight 60 --title "جمعیت"
check_match "indicator list" "$(nz indicator list -D "$D")" "pop +population +60 +1"
out=$(nz allocate -D "$D" --budget ۶۰۰ --level province)
check_match "allocation text stamped with the standards version" "$out" "indicator set version 1"
check_eq "shares follow population exactly" \
	"$(nz allocate -D "$D" --budget 600 --level province --json | grep '"share"' | tr -d ' ,' | tr '\n' ' ')" \
	'"share":100 "share":200 "share":300 '
nz issue add -D "$D" --title "بیکاری" >/dev/null
check "a second indicator" nz indicator set -D "$D" issues --source open_issues --weight 40
# No province ever synced with this national node: their problems are unknown here.
before=$(sqlite3 "$D/nehzat.db" "SELECT count(*) FROM oplog")
err=$(nz allocate -D "$D" --budget 1000 --level province --csv "$T/refused.csv" 2>&1); rc=$?
check_eq "unknown data: the allocation is refused" "$rc" 1
check_match "naming the units and the choices" "$err" \
	"the data of 3 of the 3 province units is unknown here: IR-07 \(never heard from\), IR-08 \(never heard from\), IR-09 \(never heard from\); nothing was allocated: choose to leave them out \(exclude\) or to count them as zero \(zero\) \(--unknown\)$"
check "and nothing is written" test ! -e "$T/refused.csv"
check_eq "nor recorded" "$(sqlite3 "$D/nehzat.db" "SELECT count(*) FROM oplog")" "$before"
check_eq "--unknown must be one of three (usage)" \
	"$(nz allocate -D "$D" --budget 10 --level province --unknown maybe >/dev/null 2>&1; echo $?)" 2
err=$(nz allocate -D "$D" --budget 1000 --level province --unknown exclude 2>&1)
check_match "left out, nobody is left to share" "$err" "no indicator with a weight has data"
nz allocate -D "$D" --budget 1,000,000,007 --level province --unknown zero --csv "$T/alloc.csv"
check_eq "allocation CSV: header, 3 provinces, total" "$(wc -l <"$T/alloc.csv")" 5
check_match "each row says its data was unknown" "$(sed -n 2p "$T/alloc.csv")" ",counted as zero: never heard from"
check_match "and the total the choice" "$(tail -1 "$T/alloc.csv")" ",unknown data zero: 3 units"
d0=$(nz allocate -D "$D" --budget 1000 --level province --unknown zero --json | grep inputs_digest)
nz indicator set -D "$D" issues --source open_issues --weight 0 >/dev/null
d1=$(nz allocate -D "$D" --budget 1000 --level province --json | grep inputs_digest)
check "population alone: every unit known, no choice needed" test -n "$d1"
check "the choice is part of the inputs digest" test "$d0" != "$d1"
nz indicator set -D "$D" issues --source open_issues --weight 40 >/dev/null
sum=$(awk -F, 'NR > 1 && $1 != "TOTAL" { s += $3 } END { printf "%.0f", s }' "$T/alloc.csv")
check_eq "the shares sum to the budget to the rial" "$sum" 1000000007
check_match "the total row" "$(tail -1 "$T/alloc.csv")" "^TOTAL,,1000000007,100.00,"
check_match "a unit row names the standards version and period" "$(sed -n 2p "$T/alloc.csv")" ",2,1405-08,[0-9a-f]{32},"
err=$(nz allocate -D "$D" --budget 1000 --level county --under IR-07 --unknown zero 2>&1); rc=$?
check_eq "counties without population or problems: nothing to share by" "$rc" 1
check_match "said so" "$err" "^nehzat: no indicator with a weight has data for the county units under IR-07"
check_eq "a budget that is not a number is a usage error" \
	"$(nz allocate -D "$D" --budget 12abc --level province >/dev/null 2>&1; echo $?)" 2
check_eq "a level that is not one is refused" \
	"$(nz allocate -D "$D" --budget 10 --level village >/dev/null 2>&1; echo $?)" 1
finish
