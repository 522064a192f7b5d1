#!/usr/bin/env bash
# Monitoring reports over real nodes: national sets a template, a county
# reports a month, the province sees completeness for its counties (one
# county offline since before the due date shows as unknown since its last
# sync, one online county that did not report as not submitted) and accepts
# the report, the acceptance reaches the county and locks it; national sees
# the county's report through the province and allocates a budget across the
# provinces from the real divisions data, and a province computes the same
# county shares as national from the same data.
source "$(dirname "$0")/lib.sh"
export NEHZAT_TODAY=2026-11-28 # 1405-09-07: 1405-07 (Mehr) was due 1405-08-10

mktree IR IR-07 IR-07-03 IR-07-04 IR-07-05 IR-08 || { nok "make the tree"; finish; exit; }
ok "six nodes initialised and keys exchanged"
have_data=0
if [ -f "$SHARED/data/iran_provinces.csv" ]; then
	nz orgunit import -D "$(dir_of IR)" "$SHARED/data/iran_provinces.csv" >/dev/null && have_data=1
fi
[ $have_data = 1 ] || echo "# $SHARED/data/iran_provinces.csv absent: allocation across provinces skipped"
# The three counties of the test, so that national knows which reports to expect.
cat >"$T/counties.csv" <<'EOF2'
code,province_code,name_fa,name_en,population
0703,07,اقلید,Eqlid,
0704,07,جهرم,Jahrom,
0705,07,داراب,Darab,
EOF2
check "national imports the counties" nz orgunit import -D "$(dir_of IR)" "$T/counties.csv"

tid=$(nz template add -D "$(dir_of IR)" --code monthly --title "گزارش ماهانه همیاران" --period month \
	--reporter secretariat --level county --due-days 10 --from 1405-01 \
	--field 'sessions:number:required:int:min=0' --field 'summary:text:required')
check_match "national defines the monthly template" "$tid" '^[a-z0-9]+$'
check_fails "a province may not define templates" nz template add -D "$(dir_of IR-07)" --code x --title x \
	--period month --reporter secretariat --level county --due-days 1 --field 'a:text'

# IR-07-05 syncs once, while the province's clock reads 1405-07-23 (before
# the due date), and then goes offline: its last sync is the watermark.
skew=$(( ($(date -u -d '2026-10-15 12:00' +%s) - $(date -u +%s)) * 1000 ))
start IR
start IR-07 NEHZAT_CLOCK_SKEW_MS=$skew
start IR-07-05
check "the template reaches the offline-to-be county" wait_sql IR-07-05 "SELECT count(*) FROM report_template" 1 30
check "the province records its sync" \
	wait_sql IR-07 "SELECT last_sync > 0 FROM peer WHERE id = 'IR-07-05'" 1 30
stop IR-07-05
stop IR-07
start IR-07
start IR-07-03
start IR-07-04
start IR-08

# IR-07-03 reports Mehr on time (entered on 1405-08-03); IR-07-04 does not report.
check "the template reaches IR-07-03" wait_sql IR-07-03 "SELECT count(*) FROM report_template" 1 30
r=$(NEHZAT_TODAY=2026-10-25 nz report draft -D "$(dir_of IR-07-03)" --template monthly --period 1405-07 \
	sessions=3 summary="سه جلسه هم اندیشی")
check_match "the county drafts its report" "$r" '^[a-z0-9]+$'
check_fails "a draft missing a required field cannot be submitted" \
	nz report draft -D "$(dir_of IR-07-03)" --template monthly --period 1405-06 sessions=1 --submit
NEHZAT_TODAY=2026-10-25 nz report submit -D "$(dir_of IR-07-03)" "$r"
check "and submits it" test $? -eq 0
check "the report reaches the province" wait_sql IR-07 "SELECT status FROM report WHERE id = '$r'" submitted 30
check "IR-07-04 has synced after the due date" \
	wait_sql IR-07 "SELECT last_sync > 1793565000000 FROM peer WHERE id = 'IR-07-04'" 1 30

c=$(nz completeness -D "$(dir_of IR-07)" --period 1405-07 --csv - | tr -d '\r')
echo "$c" | sed 's/^/#   /'
check_eq "province: 3 expected, 1 received, 1 on time" "$(echo "$c" | grep '^IR-07,' | cut -d, -f4-6)" "3,1,1"
check_eq "IR-07-04 (online, did not report): not submitted" \
	"$(echo "$c" | grep '^IR-07-04,' | cut -d, -f10,11)" "1,0"
check_eq "IR-07-05 (offline since before the due date): unknown, not failing" \
	"$(echo "$c" | grep '^IR-07-05,' | cut -d, -f10,11)" "0,1"
txt=$(nz completeness -D "$(dir_of IR-07)" --period 1405-07)
check_match "unknown since its last sync, in Jalali" "$txt" "IR-07-05 +monthly 1405-07: 1 unknown: no sync since 1405-07-2[34]"
check_match "completeness --json" "$(nz completeness -D "$(dir_of IR-07)" --period 1405-07 --json)" '"state": "not_submitted"'

# The province accepts; the county's report is locked at the county.
check_match "the report awaits the province's review" "$(nz approve pending -D "$(dir_of IR-07)")" "$r"
check_fails "the county cannot accept its own report" nz approve accept -D "$(dir_of IR-07-03)" "$r"
check "the province accepts it" nz approve accept -D "$(dir_of IR-07)" "$r" --note "دریافت شد"
check "the acceptance reaches the county" wait_sql IR-07-03 "SELECT review FROM report WHERE id = '$r'" accepted 30
check_eq "the county's values are untouched by the province's write" \
	"$(sql IR-07-03 "SELECT data FROM report WHERE id = '$r'")" '{"sessions":3,"summary":"سه جلسه هم اندیشی"}'
check_fails "an accepted report cannot be corrected" nz report revise -D "$(dir_of IR-07-03)" "$r" --reason x
check "the province approves the county's period" \
	nz approve period -D "$(dir_of IR-07)" --unit IR-07-03 --period 1405-07
check_fails "but not a county whose report is missing" \
	nz approve period -D "$(dir_of IR-07)" --unit IR-07-04 --period 1405-07

# National sees it all through the province.
check "the accepted report reaches national" wait_sql IR "SELECT review FROM report WHERE id = '$r'" accepted 30
cn=$(nz completeness -D "$(dir_of IR)" --period 1405-07 --under IR-07 --csv - | tr -d '\r')
check_eq "national: IR-07 has 3 expected, 1 received, 1 accepted" \
	"$(echo "$cn" | grep '^IR-07,' | cut -d, -f4,5,8)" "3,1,1"
check_eq "a county's data comes through its province" "$(echo "$cn" | grep '^IR-07-03,' | cut -d, -f14)" IR-07
err=$(nz approve period -D "$(dir_of IR)" --unit IR-07 --period 1405-07 2>&1)
check_match "national does not approve a province's period with counties missing" "$err" \
	"cannot be approved: 1 of 3 expected reports are accepted"

# Indicators and allocation from the replicated data.
nz issue add -D "$(dir_of IR-07-03)" --title "کمبود آب" >/dev/null
nz issue add -D "$(dir_of IR-07-04)" --title "اعتیاد" >/dev/null
nz issue add -D "$(dir_of IR-07-04)" --title "بیکاری" >/dev/null
nz issue add -D "$(dir_of IR-08)" --title "ریزگرد" >/dev/null
nz indicator set -D "$(dir_of IR)" pop --source population --weight 50 --title "جمعیت" >/dev/null
nz indicator set -D "$(dir_of IR)" issues --source open_issues --weight 30 --title "مسائل باز" >/dev/null
nz indicator set -D "$(dir_of IR)" reporting --source completeness --weight 20 --title "کامل بودن گزارش" >/dev/null
check "the problems reach national" wait_sql IR "SELECT count(*) FROM issue" 4 30
check "the indicators reach the province" wait_sql IR-07 "SELECT count(*) FROM indicator" 3 30
check "the province's subtree agrees with national" wait_same IR IR-07 IR-07 30
# The counties have no population figure: their share by population is unknown, and must be chosen.
err=$(nz allocate -D "$(dir_of IR)" --budget 777777777 --level county --under IR-07 --period 1405-07 2>&1)
check_match "without a population figure, the allocation is refused" "$err" \
	"IR-07-03 \(no population figure\), IR-07-04 \(no population figure\), IR-07-05 \(no population figure\)"
a1=$(nz allocate -D "$(dir_of IR)" --budget 777777777 --level county --under IR-07 --period 1405-07 --unknown zero --csv - | cut -d, -f1-9)
a2=$(nz allocate -D "$(dir_of IR-07)" --budget 777777777 --level county --period 1405-07 --unknown zero --csv - | cut -d, -f1-9)
check_eq "national and the province share the county budget identically" "$a2" "$a1"
d1=$(nz allocate -D "$(dir_of IR)" --budget 777777777 --level county --under IR-07 --period 1405-07 --unknown zero --json | grep inputs_digest)
d2=$(nz allocate -D "$(dir_of IR-07)" --budget 777777777 --level county --period 1405-07 --unknown zero --json | grep inputs_digest)
check_eq "with the same inputs digest" "$d2" "$d1"
sum=$(echo "$a1" | awk -F, 'NR > 1 && $1 != "TOTAL" { s += $3 } END { printf "%.0f", s }')
check_eq "the county shares sum to the budget" "$sum" 777777777

if [ $have_data = 1 ]; then
	# 29 provinces never synced with national: their problems and reports are unknown.
	err=$(nz allocate -D "$(dir_of IR)" --budget 1000000000000 --level province --period 1405-07 2>&1)
	check_match "national refuses to share among provinces it never heard from" "$err" \
		"the data of 29 of the 31 province units is unknown here: IR-00 \(never heard from\)"
	nz allocate -D "$(dir_of IR)" --budget 1000000000000 --level province --period 1405-07 --unknown zero \
		--csv "$T/alloc.csv"
	check "national allocates across provinces, the unknown ones counted as zero" test $? -eq 0
	check_eq "one row per province, a header and a total" "$(wc -l <"$T/alloc.csv")" 33
	sum=$(awk -F, 'NR > 1 && $1 != "TOTAL" { s += $3 } END { printf "%.0f", s }' "$T/alloc.csv")
	check_eq "the shares sum to the budget to the rial" "$sum" 1000000000000
	out=$(nz allocate -D "$(dir_of IR)" --budget 1000000000000 --level province --period 1405-07 --unknown zero)
	echo "$out" | head -8 | sed 's/^/#   /'
	check_match "stamped with the standards version" "$out" "indicator set version 3"
	check_match "and the data's freshness" "$out" "data freshness: oldest sync 14[0-9][0-9]-"
	# IR-07 alone has open problems' three quarters and all of the reporting slice.
	check_match "the province with problems and reports gets the largest share" \
		"$(grep -v TOTAL "$T/alloc.csv" | sort -t, -k3 -n | tail -1 | cut -d, -f1)" "^IR-07$"
fi
for id in IR IR-07 IR-07-03 IR-07-04 IR-08; do stop "$id"; done
finish
