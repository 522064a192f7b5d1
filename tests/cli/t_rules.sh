#!/usr/bin/env bash
# The one date parser and every rule of sense, at the command line and at the
# HTTP API of the same county node: a table of refusals (each names its rule
# and changes nothing: the node's digest does not move), then the same step
# taken on a sensible date, accepted.
source "$(dirname "$0")/../cluster/lib.sh"
command -v curl >/dev/null || skip_all "no curl"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is needed"
export NEHZAT_TODAY=2026-11-28 # 1405-09-07

mktree IR IR-07 IR-07-03 || { nok "make the nodes"; finish; exit; }
C=$(dir_of IR-07-03) P=$(dir_of IR-07) N=$(dir_of IR)
nz register seed-standards -D "$N" >/dev/null && nz standard add -D "$N" --defaults >/dev/null ||
	{ nok "national standards"; finish; exit; }
sync_down IR IR-07 IR-07-03
check_eq "the county holds the national criteria" "$(sql IR-07-03 'SELECT count(*) FROM priority_criterion')" 4

# rule DESC PATTERN CMD...: refused, naming PATTERN, nothing changed at the county.
rule() {
	local d=$1 pat=$2 before; shift 2
	before=$(digest IR-07-03)
	if "$@" >/dev/null 2>"$T/err"; then nok "$d: accepted"; return; fi
	check_match "$d: says why" "$(cat "$T/err")" "$pat"
	check_eq "$d: nothing changed" "$(digest IR-07-03)" "$before"
}
at() { # at JALALI ISO: today is that day
	export NEHZAT_TODAY=$2
}

# ---- the register: a year of one problem, every step dated ----
p=$(nz issue add -D "$C" --title "اعتیاد جوانان" --category addiction --people 1200)
while IFS='|' read -r d pat date; do
	rule "session add --date $date" "$pat" nz session add -D "$C" --date "$date" --participants 10 --issue "$p"
done <<'EOF'
a typo for 1405|did you mean 1405\?|1045-09-15
Gregorian in Persian digits|looks Gregorian.*1405-09-07 in Jalali|۲۰۲۶/۱۱/۲۸
Gregorian with slashes|looks Gregorian|2026/11/28
not a leap year|month 12 of 1405 has 29 days|1405-12-30
no such month|month 13 is not 1 to 12|1405-13-01
two separators|not a date: write year-month-day|1405-09/01
before 1300|Jalali dates run from 1300 to 1500|1299-12-29
EOF
s=$(nz session add -D "$C" --date ۱۴۰۵/۰۹/۱۰ --participants 30 --issue "$p")
check_match "a session on 1405-09-10 (Persian digits) is planned" "$s" '^[0-9a-z]{17}$'
check_eq "stored as ISO" "$(sql IR-07-03 "SELECT date FROM delib_session WHERE id = '$s'")" 2026-12-01
score() { nz session score -D "$C" "$s" "$p" severity=4 prevalence=3 urgency=5 feasibility=2; }
rule "scored before the session met" "scored on or after the day it met" score
at 1405-09-10 2026-12-01
check "scored on the day it met" score
sol=$(nz solution add -D "$C" --title "پیشگیری" --issue "$p" --start 1405-10-01 --end 1405-12-29)
rule "submitted after today" "cannot be submitted to a council after today" \
	nz solution submit -D "$C" "$sol" --council county --date 1405-09-11
check "submitted today" nz solution submit -D "$C" "$sol" --council county --date 1405-09-10
at 1405-09-15 2026-12-06
rule "a decision dated tomorrow" "cannot be dated after today.*تاریخ تصمیم شورا" \
	nz council decide -D "$C" "$sol" --decision approved --date 1405-09-16 --resolution 7
rule "a decision before the submission" "on or after the day the solution was submitted" \
	nz council decide -D "$C" "$sol" --decision approved --date 1405-09-09 --resolution 7
check "decided on 1405-09-15" nz council decide -D "$C" "$sol" --decision approved --date 1405-09-15 --resolution 7
iv=$(nz intervention add -D "$C" --solution "$sol")
at 1405-10-10 2026-12-31
rule "a stage ended months ahead" "cannot have ended after today" \
	nz intervention stage -D "$C" "$iv" needs --start 1405-10-01 --end 1405-12-20
rule "a stage ending before it started" "ends on or after the day it started" \
	nz intervention stage -D "$C" "$iv" needs --start 1405-10-05 --end 1405-10-01
check "needs assessed" nz intervention stage -D "$C" "$iv" needs --start 1405-10-01 --end 1405-10-05
check "prioritised" nz intervention stage -D "$C" "$iv" 2 --start 1405-10-06 --end 1405-10-07
check "planned" nz intervention stage -D "$C" "$iv" planning --start 1405-10-08 --end 1405-10-09
check "implementation began" nz intervention stage -D "$C" "$iv" implementation --start 1405-10-10
ev() { nz evaluation add -D "$C" --intervention "$iv" --strengths "مشارکت" --date "$1"; }
rule "an evaluation dated after today" "an evaluation cannot be dated after today" ev 1405-10-11
rule "an evaluation before implementation began" "on or after the day its implementation began" ev 1405-10-09

# ---- the selection: interviews and the course ----
at 1405-09-07 2026-11-28
K=$(nz call add -D "$C" --title "فراخوان" --opens 1405-09-01 --closes 1405-09-07)
nz call open -D "$C" "$K" >/dev/null
G=$(nz applicant add -D "$C" "$K" --name "گروه جهادی" --kind jihadi --contact "رضا" --phone 09121111111)
nz call close -D "$C" "$K" >/dev/null
# ---- applications carry the date received ----
at 1405-09-08 2026-11-29
ap() { nz applicant add -D "$C" "$K" --contact "مسئول" --phone "$1" --name "$2" --kind "$3" ${4:+--received "$4"}; }
rule "typed after closing without the date received" "or typed in later with the date they were received" \
	ap 09122222222 "هیئت محله" مذهبی
rule "received after the call closed" "received on or before the day the call closes" \
	ap 09122222222 "هیئت محله" مذهبی 1405-09-08
rule "received before it opened" "on or after the day the call opens" ap 09122222222 "هیئت محله" مذهبی 1405-08-30
rule "received tomorrow" "cannot have been received after today" ap 09122222222 "هیئت محله" مذهبی 1405-09-09
rule "an unknown kind, the known ones listed" "religious \(هیئت مذهبی, مذهبی, هیئت\)" \
	ap 09122222222 "هیئت محله" باشگاه 1405-09-05
H=$(ap 09122222222 "هیئت محله" مذهبی ۱۴۰۵/۰۹/۰۵)
check_match "a paper application received in time, typed in after closing, kind in Persian" "$H" '^[a-z0-9]{17}$'
check_eq "dated the day received, kind stored as its key" \
	"$(sql IR-07-03 "SELECT applied || ' ' || kind FROM sel_applicant WHERE id = '$H'")" "2026-11-26 religious"
check "withdrawn (this test reviews one group)" nz applicant withdraw -D "$C" "$H" --reason "آزمون"
at 1405-09-07 2026-11-28
# ---- complete reviews: three criteria missing is refused, or saved as a draft that is not counted ----
rule "a review lacking criteria" "capacity, local, participation has none from r1" \
	nz review score -D "$C" "$G" --reviewer r1 experience=8 activities=7
check "saved as a draft" nz review score -D "$C" "$G" --reviewer r1 experience=8 activities=7 --draft
check "r2 reviews in full" nz review score -D "$C" "$G" --reviewer r2 experience=8 activities=8 capacity=8 local=8 \
	participation=8
rule "finish-review does not count the draft" "has 1 complete review" nz call finish-review -D "$C" "$K"
check "r1 completes the draft" nz review score -D "$C" "$G" --reviewer r1 capacity=6 local=9 participation=8
check_eq "two reviews with totals" "$(sql IR-07-03 'SELECT count(*) FROM sel_review WHERE total IS NOT NULL AND draft = 0')" 2
check "finish-review" nz call finish-review -D "$C" "$K"
while IFS='|' read -r d pat t; do
	rule "interview --time $t" "$pat" nz interview schedule -D "$C" "$G" --date 1405-09-10 --time "$t" --panel "دبیر"
done <<'EOF'
past midnight|not a time of day|24:00
one minute digit|not a time of day|9:0
no colon|not a time of day|0900
EOF
check "interview at ۹:۳۰ (Persian digits)" nz interview schedule -D "$C" "$G" --date 1405-09-10 --time ۹:۳۰ --panel "دبیر"
check_eq "kept as 09:30" "$(sql IR-07-03 'SELECT time FROM sel_interview')" "09:30"
ivs() { nz interview score -D "$C" "$G" motivation=8 problems=8 teamwork=8 commitment=8; }
rule "an interview scored before its day" "an interview is scored on or after its date" ivs
rule "an applicant marked absent before the day" "marked absent on or after" nz interview noshow -D "$C" "$G"
at 1405-09-10 2026-12-01
check "scored on its day" ivs
A=$(nz appoint add -D "$C" "$G")
A=${A%% *}
CO=$(nz course add -D "$C" --title "دوره توجیهی")
S1=$(nz course session -D "$C" "$CO" --date 1405-09-24 --topic "شیوه نامه" --hours 3)
rule "attendance at a session not yet held" "attendance is recorded on or after" nz course attend -D "$C" "$S1" "$A"
at 1405-09-24 2026-12-15
check "attendance on the day" nz course attend -D "$C" "$S1" "$A"

# ---- the same rules at the HTTP API ----
at 1405-10-10 2026-12-31
for _ in $(seq 1 20); do
	PORT=$((20000 + RANDOM % 30000))
	(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break
done
sed -i "s/^;*http = .*/http = 127.0.0.1:$PORT/" "$C/nehzat.conf"
echo admin-pass-1 | nz user add -D "$C" --name admin --role admin >/dev/null
start IR-07-03
U="http://127.0.0.1:$PORT"
wait_for 10 curl -sf "$U/" || { nok "serve answers HTTP"; finish; exit 1; }
TOK=$(curl -s -c "$T/a.jar" -H 'Content-Type: application/json' -d '{"name":"admin","password":"admin-pass-1"}' \
	"$U/api/v1/login" | sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p')
post() { # post PATH JSON: the HTTP status; the body in $T/body
	curl -s -o "$T/body" -w '%{http_code}' -X POST -b "$T/a.jar" -H "X-CSRF-Token: $TOK" \
		-H 'Content-Type: application/json' -d "$2" "$U/api/v1/$1"
}
# api DESC WHY PATH JSON: 400 with the rule's code, nothing changed
api() {
	local d=$1 why=$2 before; shift 2
	before=$(digest IR-07-03)
	check_eq "API $d: 400" "$(post "$@")" 400
	check_match "API $d: why $why" "$(cat "$T/body")" "\"why\":\"$why\""
	check_eq "API $d: nothing changed" "$(digest IR-07-03)" "$before"
}
while IFS='|' read -r d why path json; do
	api "$d" "$why" "$path" "$json"
done <<EOF
a session typo|date.implausible_year|sessions|{"date":"1045-09-15","participants":5}
Gregorian in Persian digits|date.gregorian_as_jalali|sessions|{"date":"۲۰۲۶/۱۱/۲۸","participants":5}
a stage ended months ahead|sense.stage_end_future|interventions/$iv/stages|{"stage":"implementation","end":"1405-12-20"}
an evaluation after today|sense.evaluation_future|evaluations|{"intervention":"$iv","strengths":"x","date":"1405-10-11"}
an evaluation before implementation|sense.evaluation_before_implementation|evaluations|{"intervention":"$iv","strengths":"x","date":"1405-10-09"}
an interview time|time.syntax|applicants/$G/interview|{"date":"1405-09-10","time":"25:00","panel":"x"}
EOF
check_match "the field is named" "$(post sessions '{"date":"1045-09-15"}'; cat "$T/body")" '"field":"date"'
check_match "the hint travels as a parameter" "$(cat "$T/body")" '"hint":" \(did you mean 1405\?\)"'
check_eq "API: an evaluation on the day implementation began" \
	"$(post evaluations "{\"intervention\":\"$iv\",\"strengths\":\"x\",\"date\":\"1405-10-10\"}")" 200
stop IR-07-03

# ---- command-line manners ----
check_eq "solution set takes the names solution add takes (plan=, start=)" \
	"$(nz solution set -D "$C" "$sol" plan="کارگاه های خانواده" start=1405-10-02 >/dev/null &&
		sql IR-07-03 "SELECT exec_plan || ' ' || start_date FROM solution WHERE id = '$sol'")" "کارگاه های خانواده 2026-12-23"
check "issue set people= as issue add --people" nz issue set -D "$C" "$p" people=1500
check_eq "stored as people_affected" "$(sql IR-07-03 "SELECT people_affected FROM issue WHERE id = '$p'")" 1500
check "session set groups= as session add --groups" nz session set -D "$C" "$s" groups="جوانان، معتمدین"
rule "an unknown field is still refused" "plann" nz solution set -D "$C" "$sol" plann=x
check_eq "peer list at the county names its parent" "$(nz peer list -D "$C" --json | grep -c '"role": "parent"')" 1
check_match "peer list as a table" "$(nz peer list -D "$P")" "IR-07-03 +child"
if [ -f "$SHARED/data/iran_counties.csv" ]; then
	nz orgunit import -D "$N" "$SHARED/data/iran_provinces.csv" >/dev/null &&
		nz orgunit import -D "$N" "$SHARED/data/iran_counties.csv" >/dev/null
	check_eq "appoint summary at national: every secretariat" "$(nz appoint summary -D "$N" --json | grep -c '"unit"')" \
		"$(($(tail -n +2 "$SHARED/data/iran_provinces.csv" | wc -l) + $(tail -n +2 "$SHARED/data/iran_counties.csv" | wc -l)))"
	start IR
	nz sync -D "$P" --once >/dev/null
	stop IR
	check_eq "appoint summary at a province: its own subtree only" \
		"$(nz appoint summary -D "$P" --json | grep '"unit"' | grep -vc '"IR-07[-"]')" 0
	check_eq "and all of it: the province and its counties" "$(nz appoint summary -D "$P" --json | grep -c '"unit"')" \
		"$(sql IR "SELECT count(*) FROM orgunit WHERE deleted = 0 AND (id = 'IR-07' OR id LIKE 'IR-07-%')")"
fi
nz init -D "$T/named" --id IR-07-05 --parent ipc://none --name "دبیرخانه شهرستان نمونه" >/dev/null
check_eq "init --name sets [node] name" "$(grep '^name = ' "$T/named/nehzat.conf")" "name = دبیرخانه شهرستان نمونه"

# ---- a helper's account is bound to an active appointment of its secretariat ----
users() { nz user list -D "$C" --json | grep -c '"name"'; }
n0=$(users)
hrule() { # hrule DESC PATTERN ARGS...: user add of a helper refused, saying PATTERN; no user added
	local d=$1 pat=$2; shift 2
	if echo helper-pass-1 | nz user add -D "$C" --role helper "$@" >/dev/null 2>"$T/err"; then
		nok "$d: accepted"; return
	fi
	check_match "$d: says why" "$(cat "$T/err")" "$pat"
	check_eq "$d: no user added" "$(users)" "$n0"
}
hrule "a helper without a group" "give --group" --name hadi
hrule "a helper of a group never appointed" "is not a helper group IR-07-03 appointed" --name hadi --group "گروه خیالی"
check "a helper bound to an appointment" sh -c "echo helper-pass-1 | '$B' user add -D '$C' --name hadi --role helper --group '$A'"
check_match "user list shows its group and that it stands" "$(nz user list -D "$C" --json | tr -d ' \n')" \
	"\"group\":\"$A\",\"active\":true,\"group_name\":\"[^\"]*\",\"group_status\":\"active\""
check "the appointment is revoked" nz appoint revoke -D "$C" "$A" --reason "انحلال گروه"
check_match "user list shows the group revoked" "$(nz user list -D "$C")" "hadi .*revoked"
n0=$(users)
hrule "a helper of a revoked group" "is revoked" --name hadi2 --group "$A"

# Every rule of sense and every refusal code of the parser has its Persian sentence in the UI's catalogue.
top=$(cd "$(dirname "$0")/../.." && pwd)
for code in $(grep -o '"sense\.[a-z_]*"' "$top/src/domain/sense.c" | tr -d '"') \
	$(grep -o '"\(date\|time\)\.[a-z_]*"' "$top/src/base/dates.c" | tr -d '"' | sort -u); do
	check_match "the UI says $code in Persian" "$(grep -c "'$code'" "$top/src/http/ui/fa.js")" '^[1-9]'
done
finish
