#!/usr/bin/env bash
# Selection across levels, over real nodes: national sets the standards, they
# reach a county; the county runs a call to its appointments; national and
# the province count them after sync.  Then the county and its province
# appoint for the county while apart: each write keeps the quota where it is
# made, and 'nehzat check' reports the overrun and the doubled decree number
# wherever the replicas meet, until the county revokes one.  Last, the groups'
# work (problems, sessions they are attached to) and the county's key actors
# reach the province and national; the county and the province attaching the same
# group to the same session while apart make one link.
source "$(dirname "$0")/lib.sh"
export NEHZAT_TODAY=2026-11-28 # 1405-09-07

mktree IR IR-07 IR-07-03 || { nok "make the tree"; finish; exit; }
for id in IR IR-07 IR-07-03; do start "$id"; done
NAT=$(dir_of IR) PRV=$(dir_of IR-07) CTY=$(dir_of IR-07-03)

field() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p"; }
# active_at NODE N: NODE counts N active appointments of IR-07-03
active_at() { [ "$(nz appoint list -D "$(dir_of "$1")" --under IR-07-03 --json | field id | wc -l)" -eq "$2" ]; }

have_units=0
if [ -f "$SHARED/data/iran_counties.csv" ]; then
	nz orgunit import -D "$NAT" "$SHARED/data/iran_provinces.csv" >/dev/null &&
		nz orgunit import -D "$NAT" "$SHARED/data/iran_counties.csv" >/dev/null && have_units=1
else
	echo "# $SHARED/data absent: org-unit names not checked"
fi

# ---- standards flow down ----
check "national sets the standards" nz standard add -D "$NAT" --defaults --title "معیارهای ۱۴۰۵"
check "the county may not" test "$(nz standard add -D "$CTY" --defaults 2>&1 | grep -c 'national secretariat')" = 1
check "standards reach the province" wait_for 30 nz standard show -D "$PRV"
check "standards reach the county" wait_for 30 nz standard show -D "$CTY"
check_eq "the county holds version 1" "$(nz standard show -D "$CTY" --json | field version)" "1"

# ---- the county runs a call ----
C=$(nz call add -D "$CTY" --title "فراخوان جذب همیاران اجتماعی" --opens 1405-09-01 --closes 1405-09-15)
check "the county opens its call" nz call open -D "$CTY" "$C"
g=()
for i in 1 2 3 4 5; do
	g+=("$(nz applicant add -D "$CTY" "$C" --name "گروه همیار $i" --kind people --contact "مسئول $i" \
		--phone "0917111000$i")")
done
check_eq "five applicants" "$(nz applicant list -D "$CTY" "$C" --json | field id | wc -l)" "5"
nz call close -D "$CTY" "$C" --early "همه رسیدند" >/dev/null
ok_reviews=0
for a in "${g[@]}"; do
	for r in r1 r2; do
		nz review score -D "$CTY" "$a" --reviewer "$r" experience=8 activities=8 capacity=8 local=8 \
			participation=8 >/dev/null && ok_reviews=$((ok_reviews + 1))
	done
done
check_eq "ten reviews" "$ok_reviews" "10"
check "review finished" nz call finish-review -D "$CTY" "$C"
ok_iv=0
for a in "${g[@]}"; do
	nz interview schedule -D "$CTY" "$a" --date 1405-09-07 --time 10:00 --panel "دبیر" >/dev/null &&
		nz interview score -D "$CTY" "$a" motivation=8 problems=8 teamwork=8 commitment=8 >/dev/null &&
		ok_iv=$((ok_iv + 1))
done
check_eq "five interviews" "$ok_iv" "5"
check_eq "all five qualify" "$(nz rank -D "$CTY" "$C" --json | grep -c '"qualified": true')" "5"
o1=$(nz appoint add -D "$CTY" "${g[0]}")
o2=$(nz appoint add -D "$CTY" "${g[1]}")
check_eq "the county appoints two" "${o1#* } ${o2#* }" "IR-07-03/1405/0001 IR-07-03/1405/0002"
a2=${o2%% *}

# ---- counted above after sync ----
check "national counts the county's 2 appointments" wait_for 30 active_at IR 2
check "so does the province" wait_for 30 active_at IR-07 2
check_match "national's summary: IR-07-03 full" "$(nz appoint summary -D "$NAT" --under IR-07-03)" \
	"IR-07-03 +county +2 +2 +0"
check "national prints the county's decree" nz decree print -D "$NAT" IR-07-03/1405/0001 --html "$T/d.html"
check_match "the page is RTL Persian" "$(cat "$T/d.html")" '<html lang="fa" dir="rtl">'
if [ "$have_units" = 1 ]; then
	check_match "with the county's name" "$(cat "$T/d.html")" 'شهرستان اقلید'
fi
check "check is clean at national" nz check -D "$NAT"

# ---- a revocation flows up ----
check "the county revokes one" nz appoint revoke -D "$CTY" "$a2" --reason "انصراف گروه"
check "national sees one active" wait_for 30 active_at IR 1
check "the province has all of the county" wait_same IR-07-03 IR-07 IR-07-03 30

# ---- apart: county and province both fill the freed place ----
stop IR-07-03
o3=$(nz appoint add -D "$CTY" "${g[2]}")
o4=$(nz appoint add -D "$PRV" "${g[3]}")
check_eq "offline county appoints" "${o3#* }" "IR-07-03/1405/0003"
check_eq "the province appoints for the county" "${o4#* }" "IR-07-03/1405/0003"
check "each side alone is within the quota" nz check -D "$PRV"
start IR-07-03
check "county and province meet" wait_same IR-07-03 IR-07 IR-07-03 30
check "and national" wait_same IR-07-03 IR IR-07-03 30
check "national counts 3 active appointments" active_at IR 3
out=$(nz check -D "$NAT")
rc=$?
check_eq "national's check exits 1" "$rc" "1"
check_match "reports the quota overrun" "$out" "selection.quota: IR-07-03 holds 3 active appointments; its quota is 2"
check_match "naming who appointed" "$out" "by IR-07,"
check_match "reports the doubled decree number" "$out" "selection.decree: IR-07-03 gave decree number IR-07-03/1405/0003 to 2"
check_fails "the county's check fails too" nz check -D "$CTY"
check_eq "check --json lists 2 violations" "$(nz check -D "$CTY" --json | grep -c '"check"')" "2"
check_match "summary shows the overrun" "$(nz appoint summary -D "$NAT" --under IR-07-03 --json)" '"over": true'

# ---- the county resolves it ----
check "the county revokes the province's appointment" nz appoint revoke -D "$CTY" "${o4%% *}" --reason "حکم تکراری"
check "national sees 2 active again" wait_for 30 active_at IR 2
check "national's check is clean" nz check -D "$NAT"
check_eq "history keeps all four decrees" "$(nz decree list -D "$NAT" --under IR-07-03 --json | field number | wc -l)" "4"

# ---- the waiting list: after the call is completed, a freed place goes down the same call's ranked list ----
check "the county completes its call" nz call complete -D "$CTY" "$C"
check "the county revokes a third group's appointment" nz appoint revoke -D "$CTY" "${o3%% *}" --reason "انحلال گروه"
check_fails "a completed call appoints no one afresh" nz appoint add -D "$CTY" "${g[4]}"
check_fails "the place of an active appointment is not free" nz appoint add -D "$CTY" "${g[4]}" --replaces "${o1%% *}"
o5=$(nz appoint add -D "$CTY" "${g[4]}" --replaces "${o3%% *}")
check_eq "the fifth group fills the freed place from the waiting list" "${o5#* }" "IR-07-03/1405/0004"
check_fails "a place is filled once" nz appoint add -D "$CTY" "${g[3]}" --replaces "${o3%% *}"
check_eq "its term ends with the term it fills" \
	"$(sql IR-07-03 "SELECT a.term_end = b.term_end FROM sel_appointment a, sel_appointment b WHERE a.id = '${o5%% *}' AND b.id = '${o3%% *}'")" 1
check "the province sees the replacement" wait_sql IR-07 "SELECT replaces FROM sel_appointment WHERE id = '${o5%% *}' AND status = 'active'" "${o3%% *}"
check "national sees it" wait_sql IR "SELECT replaces FROM sel_appointment WHERE id = '${o5%% *}' AND status = 'active'" "${o3%% *}"
check_eq "national's decree says whom it replaces" \
	"$(sql IR "SELECT replaces_name FROM sel_decree WHERE number = 'IR-07-03/1405/0004'")" "گروه همیار 3"
check "national prints it" nz decree print -D "$NAT" IR-07-03/1405/0004 --html "$T/r.html"
check_match "the page names the group replaced" "$(cat "$T/r.html")" "باقی‌ماندهٔ دورهٔ «گروه همیار 3» و به جای آن"
check "national's check is still clean" nz check -D "$NAT"

# ---- the appointed groups' work and the county's key actors travel up; the province links down ----
g1=${o1%% *} g5=${o5%% *}
pr=$(nz issue add -D "$CTY" --title "بیکاری جوانان" --category unemployment --people 600 --neighbourhood "محله سعدی")
act=$(nz actor add -D "$CTY" --name "حاج علی رضایی" --role "معتمد محل" --contact 09171112233 --consent بله)
se=$(nz session add -D "$CTY" --date 1405-09-05 --place "مسجد جامع" --facilitator-name "خانم صالحی" --helper "$g1" \
	--actor "$act" --issue "$pr")
check_match "a county session with a helper group and an actor" "$se" '^[0-9a-z]{17}$'
check "two groups work together on the problem" nz group attach -D "$CTY" issue "$pr" "$g1" "گروه همیار 5"
links="SELECT count(*) FROM record_link WHERE owner = 'IR-07-03' AND active = 1"
check "the province holds the county's links" wait_sql IR-07 "$links" 4
check "national too" wait_sql IR "$links" 4
check "and the county's actor" wait_sql IR "SELECT role FROM actor WHERE id = '$act' AND owner = 'IR-07-03'" "معتمد محل"
w=$(nz group work -D "$NAT" "$g1")
check_match "national lists the group's work: the problem and the session" "$w" \
	"decree_no +IR-07-03/1405/0001.*problems:.*$pr +IR-07-03 +بیکاری جوانان.*sessions:.*$se +IR-07-03 +1405-09-05"
check_match "the province counts each group's work" "$(nz group list -D "$PRV" --under IR-07-03)" \
	"$g5 +IR-07-03 +گروه همیار 5 +IR-07-03/1405/0004 +active +1 +0 +0 +0"
# Apart, the county and its province attach the same group to the same session: one link where they meet.
stop IR-07-03
check "the county, offline, attaches a group to its session" nz group attach -D "$CTY" session "$se" "$g5"
check "the province attaches the same group to it" nz group attach -D "$PRV" session "$se" "$g5"
start IR-07-03
check "county and province meet" wait_same IR-07-03 IR-07 IR-07-03 30
check "and national" wait_same IR-07-03 IR IR-07-03 30
check_eq "one link of that group on that session, at national" \
	"$(sql IR "SELECT count(*) || ' ' || min(active) FROM record_link WHERE record = '$se' AND target = '$g5'")" "1 1"
check "the county holds both groups on its session" wait_sql IR-07-03 \
	"SELECT count(*) FROM record_link WHERE record = '$se' AND rel = 'helper' AND active = 1" 2
check_eq "the county's session lists both groups" \
	"$(nz session show -D "$CTY" "$se" --json | grep -c '"decree_no": "IR-07-03/1405/000[14]"')" 2
finish
