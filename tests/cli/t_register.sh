#!/usr/bin/env bash
# The issue register from the command line: standards at national, a county's
# register from first problem to evaluation, refusals, Jalali dates, JSON, CSV.
source "$(dirname "$0")/../cluster/lib.sh"
export NEHZAT_TODAY=2026-11-28 # 1405-09-07

dbq() { sqlite3 "$(dir_of "$1")/nehzat.db" "$2"; }
# jget ID... : print a JSON field from standard input (jq-free: python3)
jfield() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1:]:
    v=v[int(k)] if isinstance(v,list) else v.get(k)
print("" if v is None else v)' "$@"; }
command -v python3 >/dev/null || skip_all "python3 is needed to read JSON"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is needed"

mktree IR IR-07 IR-07-03 || { nok "make the nodes"; finish; exit; }
C=$(dir_of IR-07-03) P=$(dir_of IR-07) N=$(dir_of IR)

# ---- help and usage ----
check "register --help exits 0" nz register --help
for c in issue session solution council intervention evaluation org; do
	check "$c --help exits 0" nz "$c" --help
done
check_match "issue --help documents the lifecycle" "$(nz issue --help)" "returned \(عودت برای اصلاح\) +-> proposed"
check_match "solution --help documents the lifecycle" "$(nz solution --help)" "council decide"
check "solution add --help exits 0" nz solution add --help
nz issue frobnicate -D "$C" >/dev/null 2>&1
check_eq "an unknown subcommand exits 2" "$?" 2
nz issue add -D "$C" >/dev/null 2>&1
check_eq "issue add without --title exits 2" "$?" 2

# ---- standards are national ----
out=$(nz register seed-standards -D "$C" 2>&1)
check_eq "a county cannot seed the standards (exit 1)" "$?" 1
check_match "and is told why" "$out" "^nehzat: .*national directive"
check_fails "a province cannot add a criterion" nz register criterion add -D "$P" cost --fa هزینه --weight 10
check_eq "nothing was written at the county" "$(dbq IR-07-03 'SELECT count(*) FROM oplog')" 0
check_eq "national seeds the defaults" "$(nz register seed-standards -D "$N")" "added 13 categories and 4 criteria"
check_eq "seeding again adds nothing" "$(nz register seed-standards -D "$N")" "added 0 categories and 0 criteria"
check_eq "four criteria" "$(nz register criterion list -D "$N" --json | jfield 0 code)" "severity"
check "national adds a category" nz register category add -D "$N" water --fa "کم آبی" --en Water
check_fails "a duplicate category is refused" nz register category add -D "$N" water --fa "آب"
check_fails "a bad weight is refused" nz register criterion set -D "$N" severity --weight -3
# register category|criterion pick their verb from a table, as every command its subcommand.
out=$(nz register category -D "$N" 2>&1)
check_eq "register category without a verb: exit 2" "$?" "2"
check_eq "naming the verbs" "$out" "nehzat: register category: give one of list, add, set"
out=$(nz register criterion frob -D "$N" 2>&1)
check_eq "an unknown verb: exit 2" "$?" "2"
check_eq "named with the verbs" "$out" "nehzat: register criterion: unknown subcommand 'frob' (list, add, set)"
out=$(nz register category add -D "$N" water3 --fa "آب" --weight 3 2>&1)
check_eq "a criterion's option on a category: exit 2" "$?" "2"
check_eq "refused as unknown to that verb" "$out" "nehzat: register category add: unknown option '--weight'"
check_eq "the criteria alias lists the criteria" "$(nz register criteria list -D "$N" --json | jfield 0 code)" "severity"

# The standards reach the county through its province.
start IR
check "the province syncs once with national" nz sync -D "$P" --once
stop IR
start IR-07
check "the county syncs once with its province" nz sync -D "$C" --once
stop IR-07
check_eq "the county holds the national categories" "$(dbq IR-07-03 'SELECT count(*) FROM problem_category')" 14
check_eq "and the criteria" "$(dbq IR-07-03 'SELECT count(*) FROM priority_criterion')" 4

# ---- problems (offline from here on) ----
p1=$(nz issue add -D "$C" --title "اعتیاد جوانان" --category addiction --people ۱۲۰۰ \
	--neighbourhood "محله ۳" --source views)
check_match "issue add prints an id" "$p1" '^[0-9a-z]{17}$'
p2=$(nz issue add -D "$C" --title "کم آبی" --category water --people 300 --source monitoring)
p3=$(nz issue add -D "$C" --title "تکراری" --category other)
before=$(dbq IR-07-03 'SELECT count(*) FROM oplog')
check_fails "an unknown category is refused" nz issue add -D "$C" --title x --category nonesuch
check_fails "an unknown source is refused" nz issue add -D "$C" --title x --source rumour
check_fails "negative people is refused" nz issue add -D "$C" --title x --people -4
check_fails "the status cannot be set directly" nz issue set -D "$C" "$p1" status=closed
check_eq "refusals wrote nothing" "$(dbq IR-07-03 'SELECT count(*) FROM oplog')" "$before"
check_eq "Persian digits are read" "$(dbq IR-07-03 "SELECT people_affected FROM issue WHERE id = '$p1'")" 1200
check_eq "created is shown in Jalali" "$(nz issue show -D "$C" "$p1" --json | jfield created)" "1405-09-07"
check_eq "and stored as ISO" "$(dbq IR-07-03 "SELECT created FROM issue WHERE id = '$p1'")" "2026-11-28"
check "issue close closes an identified duplicate" nz issue close -D "$C" "$p3" --reason "تکراری"
check_eq "it is closed" "$(nz issue show -D "$C" "$p3" --json | jfield state)" closed

# ---- a deliberation session and the priorities ----
s1=$(nz session add -D "$C" --date ۱۴۰۵/۰۹/۰۱ --place "مسجد جامع" --facilitator-name "خانم احمدی" \
	--participants 40 --groups "معتمدین، جوانان" --issue "$p1" --outcomes "دو مسئله اولویت دار")
check_match "session add prints an id" "$s1" '^[0-9a-z]{17}$'
check_eq "the session date is stored as ISO" "$(dbq IR-07-03 "SELECT date FROM delib_session WHERE id = '$s1'")" \
	"2026-11-22"
check_match "and listed in Jalali" "$(nz session list -D "$C")" "1405-09-01"
check_fails "a bad date is refused" nz session add -D "$C" --date 1405-13-01
check "youth score p1" nz session score -D "$C" "$s1" "$p1" severity=4 prevalence=3 urgency=5 feasibility=2 --group youth
check "elders score p1" nz session score -D "$C" "$s1" "$p1" severity=2 prevalence=5 urgency=3 feasibility=4 --group elders
check "p2 is scored" nz session score -D "$C" "$s1" "$p2" severity=5 prevalence=5 urgency=5 feasibility=5
check_fails "a score above the scale is refused" nz session score -D "$C" "$s1" "$p2" severity=6
check_fails "an unknown criterion is refused" nz session score -D "$C" "$s1" "$p2" beauty=3
json=$(nz issue list -D "$C" --json)
check_eq "p2 ranks first" "$(echo "$json" | jfield 0 id)" "$p2"
check_eq "with priority 100" "$(echo "$json" | jfield 0 priority)" "100.0"
check_eq "p1 second, priority 70 (35x3/5 + 25x4/5 + 25x4/5 + 15x3/5)" \
	"$(echo "$json" | jfield 1 id) $(echo "$json" | jfield 1 rank) $(echo "$json" | jfield 1 priority)" "$p1 2 70.0"
check_eq "scoring made p1 prioritised" "$(echo "$json" | jfield 1 state)" prioritised
check_match "issue show lists the per-criterion means" "$(nz issue show -D "$C" "$p1")" "severity +شدت +35(\.0+)? +5 +3"
check_match "the text listing shows rank and priority" "$(nz issue list -D "$C" --status prioritised)" "$p1 +IR-07-03 +prioritised +2 +70"

# ---- CSV ----
check "issue list --csv writes a file" nz issue list -D "$C" --csv "$T/issues.csv"
check_match "the CSV has a header" "$(head -1 "$T/issues.csv")" "^id,owner,title,description,category,state"
check_eq "one row per problem" "$(($(wc -l <"$T/issues.csv") - 1))" 3
check_match "CSV dates are Jalali" "$(cat "$T/issues.csv")" ",1405-09-07,"
check_match "--csv - writes to standard output" "$(nz session list -D "$C" --csv -)" "^id,owner,date"

# ---- the lifecycle ----
before=$(dbq IR-07-03 'SELECT count(*) FROM oplog')
out=$(nz solution add -D "$C" --title x --issue "$p3" 2>&1)
check_eq "a solution for a closed problem is refused (exit 1)" "$?" 1
check_match "with the reason" "$out" "is closed .*cannot become proposed"
check_eq "and nothing changed" "$(dbq IR-07-03 'SELECT count(*) FROM oplog')" "$before"
sol=$(nz solution add -D "$C" --title "برنامه پیشگیری از اعتیاد" --issue "$p1" --plan "کارگاه های آموزشی" \
	--bodies "بهزیستی، آموزش و پرورش" --resources "سالن" --budget 500000000 --start 1405-10-01 --end 1405-12-29)
check_match "solution add prints an id" "$sol" '^[0-9a-z]{17}$'
check_eq "p1 is now solution proposed" "$(nz issue show -D "$C" "$p1" --json | jfield state)" proposed
check_eq "the timeline is stored as ISO" "$(dbq IR-07-03 "SELECT end_date FROM solution WHERE id = '$sol'")" 2027-03-20
before=$(dbq IR-07-03 'SELECT count(*) FROM oplog')
check_fails "no decision before submission" nz council decide -D "$C" "$sol" --decision approved --date 1405-09-20 --resolution 1
check_fails "no intervention before approval" nz intervention add -D "$C" --solution "$sol"
check_fails "a proposed solution cannot be revised" nz solution revise -D "$C" "$sol"
check_fails "nor closed" nz solution close -D "$C" "$sol"
check_eq "none of that changed anything" "$(dbq IR-07-03 'SELECT count(*) FROM oplog')" "$before"
# The year goes by: each step is taken on or after the day it is dated.
export NEHZAT_TODAY=2026-12-06 # 1405-09-15
check "submitted to the county council" nz solution submit -D "$C" "$sol" --council county --date 1405-09-15
check_match "it awaits the council" "$(nz council list -D "$C" --pending)" "$sol"
export NEHZAT_TODAY=2026-12-11 # 1405-09-20
check "the council returns it" nz council decide -D "$C" "$sol" --decision returned --date 1405-09-20
check_eq "the solution is returned" "$(nz solution show -D "$C" "$sol" --json | jfield state)" returned
check_eq "and so is its problem" "$(nz issue show -D "$C" "$p1" --json | jfield state)" returned
check_fails "a returned solution cannot become an intervention" nz intervention add -D "$C" --solution "$sol"
check "revised" nz solution revise -D "$C" "$sol"
check "its budget edited" nz solution set -D "$C" "$sol" budget=450000000 end_date=1406-01-31
check "submitted again" nz solution submit -D "$C" "$sol" --council county
export NEHZAT_TODAY=2026-12-21 # 1405-09-30
check_fails "approval needs a resolution number" nz council decide -D "$C" "$sol" --decision approved --date 1405-09-30
check "approved" nz council decide -D "$C" "$sol" --decision approved --date 1405-09-30 --resolution "۱۲/۳۴۵" \
	--conditions "گزارش ماهانه"
dec=$(nz solution show -D "$C" "$sol" --json)
check_eq "two rounds, two decisions" "$(echo "$dec" | jfield decisions 1 decision) $(echo "$dec" | jfield decisions 1 round)" \
	"approved 2"
check_eq "the decision date is Jalali" "$(echo "$dec" | jfield decisions 1 date)" 1405-09-30
iv=$(nz intervention add -D "$C" --solution "$sol")
check_match "intervention add prints an id" "$iv" '^[0-9a-z]{17}$'
check_eq "p1 is in intervention" "$(nz issue show -D "$C" "$p1" --json | jfield state)" intervention
check_fails "a stage cannot end before the ones before it" nz intervention stage -D "$C" "$iv" planning \
	--start 1405-10-01 --end 1405-10-05
check_fails "evaluating before implementation starts is refused" nz evaluation add -D "$C" --intervention "$iv" \
	--strengths x
export NEHZAT_TODAY=2027-03-11 # 1405-12-20
check "needs assessment" nz intervention stage -D "$C" "$iv" needs --start 1405-10-01 --end 1405-10-05 --participants 60
check "prioritisation" nz intervention stage -D "$C" "$iv" 2 --start 1405-10-06 --end 1405-10-08 --participants 30
check "planning" nz intervention stage -D "$C" "$iv" planning --start 1405-10-09 --end 1405-10-15
check "implementation starts" nz intervention stage -D "$C" "$iv" implementation --start 1405-10-16 \
	--participants 200 --notes "۸ کارگاه"
check_match "progress is shown" "$(nz intervention list -D "$C")" "$iv +IR-07-03 +intervention +60 +implementation"
ev=$(nz evaluation add -D "$C" --intervention "$iv" --date 1405-12-20 --by "گروه همیار" \
	--strengths "مشارکت جوانان" --weaknesses "کمبود بودجه" --indicators "۲۰٪ کاهش" --recommendations "ادامه")
check_match "evaluation add prints an id" "$ev" '^[0-9a-z]{17}$'
check_eq "the solution is evaluated" "$(nz solution show -D "$C" "$sol" --json | jfield state)" evaluated
check_eq "and its problem" "$(nz issue show -D "$C" "$p1" --json | jfield state)" evaluated
check_match "evaluation list shows it" "$(nz evaluation list -D "$C")" "implemented"
check "closed" nz solution close -D "$C" "$sol" --reason "پایان"
check_eq "the problem is closed with it" "$(nz issue show -D "$C" "$p1" --json | jfield state)" closed
check_fails "a closed problem cannot be closed again" nz issue close -D "$C" "$p1"

# ---- organisations ----
org=$(nz org add -D "$C" --name "کانون فرهنگی مسجد" --kind مسجد --field "جوانان" --by "گروه همیار ۱" --date 1405-08-01)
check_match "org add prints an id" "$org" '^[0-9a-z]{17}$'
intro=$(nz org introduce -D "$C" "$org" --body "بهزیستی شهرستان" --level county --date 1405-08-10)
check_match "org introduce prints an id" "$intro" '^[0-9a-z]{17}$'
check_fails "a bad level is refused" nz org introduce -D "$C" "$org" --body x --level national
check "the outcome is recorded" nz org outcome -D "$C" "$intro" --outcome accepted --notes "همکاری"
check_eq "org list counts it" "$(nz org list -D "$C" --json | jfield 0 accepted)" 1
check_match "org show lists the introduction" "$(nz org show -D "$C" "$org")" "accepted"
check_eq "--by and --date are kept as identified_by and identified" \
	"$(dbq IR-07-03 "SELECT identified_by || '|' || identified FROM organisation WHERE id = '$org'")" "گروه همیار ۱|2026-10-23"
check "org set takes the option names too" nz org set -D "$C" "$org" by="گروه همیار ۲" date=1405-08-02
check_eq "and stores them as the fields" \
	"$(dbq IR-07-03 "SELECT identified_by || '|' || identified FROM organisation WHERE id = '$org'")" "گروه همیار ۲|2026-10-24"
check_match "an organisation's name cannot be emptied" "$(nz org set -D "$C" "$org" name= 2>&1)" "an organisation needs a name"
check_match "nor its area changed" "$(nz org set -D "$C" "$org" area=IR-07 2>&1)" "area is its owner"
porg=$(nz org add -D "$P" --name "خیریه استان" --area IR-07-03)
check_eq "a province registers one for its county: the county owns it" \
	"$(dbq IR-07 "SELECT owner FROM organisation WHERE id = '$porg'")" IR-07-03
check_match "an area outside the node's register is refused" "$(nz org add -D "$C" --name x --area IR-07 2>&1)" \
	"area IR-07 lies outside this node's register"
check_match "the text listing counts introductions" "$(nz org list -D "$C")" "introductions +accepted +active"
# Organisations written before they could be retired: the table had neither column; opening it adds them,
# empty, and the records read as active.  The dashboard's counts of that time did not read them either: their
# triggers go with the columns, and the counts are built again when the node opens the database.
dbq IR-07-03 "DROP TRIGGER dash_organisation_ai; DROP TRIGGER dash_organisation_au; DROP TRIGGER dash_organisation_ad;
	UPDATE meta SET value = 3 WHERE key = 'dash_version';
	ALTER TABLE organisation DROP COLUMN active; ALTER TABLE organisation DROP COLUMN retired"
check_eq "older records are listed, active" "$(nz org list -D "$C" --json | python3 -c 'import json,sys
print(sorted((o["name"], o["active"], o["retired"]) for o in json.load(sys.stdin)))')" \
	"[('کانون فرهنگی مسجد', 1, '')]"
check_eq "their columns were added empty" "$(dbq IR-07-03 "SELECT quote(active) FROM organisation WHERE id = '$org'")" NULL
check "an older one is changed" nz org set -D "$C" "$org" notes=y
check "an organisation is retired" nz org retire -D "$C" "$org"
check_fails "once" nz org retire -D "$C" "$org"
check_eq "and listed no more" "$(nz org list -D "$C" --json)" "[]"
check_match "but with --all, dated" "$(nz org list -D "$C" --all --json | jfield 0 retired)" '^1405-[0-9]{2}-[0-9]{2}$'
check_fails "a retired one is not changed" nz org set -D "$C" "$org" kind=x
check_match "nor introduced" "$(nz org introduce -D "$C" "$org" --body x --level county 2>&1)" "is retired; it is introduced no more"

# ---- the county's own summary ----
sum=$(nz register summary -D "$C" --json)
check_eq "summary: three problems" "$(echo "$sum" | jfield totals problems)" 3
check_eq "summary: two closed" "$(echo "$sum" | jfield totals by_state closed)" 2
check_eq "summary: the retired organisation is not counted as active" "$(echo "$sum" | jfield totals organisations)" 0
check_eq "summary: it is counted as retired" "$(echo "$sum" | jfield units 0 organisations_retired)" 1
check_eq "summary: the county's figures are local" "$(echo "$sum" | jfield units 0 last_sync)" local
check_match "summary text" "$(nz register summary -D "$C")" "IR-07-03 +\* - +local +3"
check_fails "a county has no register of its province" nz register summary -D "$C" --under IR-07

# ---- facilitators, designated nationally ----
check "facilitator --help exits 0" nz facilitator --help
if [ -f "$SHARED/data/iran_provinces.csv" ]; then
	nz orgunit import -D "$N" "$SHARED/data/iran_provinces.csv" >/dev/null
	nz orgunit import -D "$N" "$SHARED/data/iran_counties.csv" >/dev/null
fi
before=$(dbq IR-07-03 'SELECT count(*) FROM oplog')
out=$(nz facilitator add -D "$C" --name "کسی" --serves IR-07-03 2>&1)
check_eq "a county cannot designate a facilitator (exit 1)" "$?" 1
check_match "and is told why" "$out" "^nehzat: facilitator designations are a national directive"
check_eq "nothing was written at the county" "$(dbq IR-07-03 'SELECT count(*) FROM oplog')" "$before"
fac=$(nz facilitator add -D "$N" --name "مریم احمدی" --serves IR-07 --phone "+98 917 123 4567" --designated 1405-08-01)
check_match "national designates one for the province; the id is printed" "$fac" '^[0-9a-z]{17}$'
check_eq "the designation date is stored as ISO" "$(dbq IR "SELECT designated FROM facilitator WHERE id = '$fac'")" 2026-10-23
fac2=$(nz facilitator add -D "$N" --name "علی رضایی" --serves IR-07-03)
check_eq "without a date, today" "$(dbq IR "SELECT designated FROM facilitator WHERE id = '$fac2'")" "$NEHZAT_TODAY"
before=$(dbq IR 'SELECT count(*) FROM oplog')
for bad in "--serves IR-7|not an org-unit code" "--serves IR-07 --phone abc|not a phone number" \
	"--serves IR-07 --phone 12|not a phone number" "--serves IR-07 --designated 1405-13-01|month 13"; do
	out=$(nz facilitator add -D "$N" --name x ${bad%%|*} 2>&1)
	check_match "refused: ${bad%%|*}" "$out" "^nehzat: .*${bad##*|}"
done
if [ -f "$SHARED/data/iran_provinces.csv" ]; then
	out=$(nz facilitator add -D "$N" --name x --serves IR-07-99 2>&1)
	check_match "refused: a unit not in the tree" "$out" "there is no org unit IR-07-99"
fi
check_eq "nothing was written by the refusals" "$(dbq IR 'SELECT count(*) FROM oplog')" "$before"
nz facilitator add -D "$N" --name x >/dev/null 2>&1
check_eq "add without --serves exits 2" "$?" 2
check_eq "a county sees the province's and its own" \
	"$(nz facilitator list -D "$N" --under IR-07-03 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2
check_eq "another province sees neither" \
	"$(nz facilitator list -D "$N" --under IR-08 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 0
check "a designation ends" nz facilitator retire -D "$N" "$fac"
check_fails "and cannot end twice" nz facilitator retire -D "$N" "$fac"
check_fails "an unknown id is refused" nz facilitator retire -D "$N" nosuchid0000
check_eq "list shows active ones" "$(nz facilitator list -D "$N" --json | jfield 0 name)" "علی رضایی"
check_eq "--all shows the retired too" \
	"$(nz facilitator list -D "$N" --all --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2
check_match "the table shows Jalali dates" "$(nz facilitator list -D "$N" --all)" "1405-08-01"
finish
