#!/usr/bin/env bash
# Records linked as the guideline links them, at the command line and the HTTP
# API of a county: appointed helper groups attached to problems, sessions and
# interventions and each group's work listed (art. 4-6); the register of key
# local actors (art. 1-4) and the actors who took part in a session; a
# session's facilitator chosen from the national designations serving the
# county (a name typed only as a flagged fallback).  Every refusal names what
# is wrong and changes nothing (the node's digest does not move).
source "$(dirname "$0")/../cluster/lib.sh"
command -v curl >/dev/null || skip_all "no curl"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is needed"
command -v python3 >/dev/null || skip_all "python3 is needed to read JSON"
export NEHZAT_TODAY=2026-11-28 # 1405-09-07
jfield() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1:]:
    v=v[int(k)] if isinstance(v,list) else v.get(k)
print("" if v is None else v)' "$@"; }

mktree IR IR-07 IR-07-03 || { nok "make the nodes"; finish; exit; }
C=$(dir_of IR-07-03) P=$(dir_of IR-07) N=$(dir_of IR)
if [ -f "$SHARED/data/iran_counties.csv" ]; then
	nz orgunit import -D "$N" "$SHARED/data/iran_provinces.csv" >/dev/null &&
		nz orgunit import -D "$N" "$SHARED/data/iran_counties.csv" >/dev/null
	CNAME=$(sql IR "SELECT name_fa FROM orgunit WHERE id = 'IR-07-03'")
else
	echo "# $SHARED/data absent: the county is unnamed"
	CNAME="شهرستان"
fi
nz register seed-standards -D "$N" >/dev/null && nz standard add -D "$N" --defaults >/dev/null ||
	{ nok "national standards"; finish; exit; }
nz template add -D "$N" --code helpers --title "گزارش ماهانه همیاران" --period month --reporter helper \
	--level county --due-days 10 --from 1405-01 --field 'summary:text:required' >/dev/null
# National designates facilitators (تسهیلگر): one for the county, one for the province (it serves its
# counties too), one for a sibling county, one designated only after the sessions below, one retired today.
f_cty=$(nz facilitator add -D "$N" --name "مریم احمدی" --serves IR-07-03 --phone 09171234567 --designated 1405-08-01)
f_prv=$(nz facilitator add -D "$N" --name "حسن موسوی" --serves IR-07 --designated 1405-07-15)
f_sib=$(nz facilitator add -D "$N" --name "زهرا کریمی" --serves IR-07-04 --designated 1405-08-01)
f_new=$(nz facilitator add -D "$N" --name "علی رحیمی" --serves IR-07-03 --designated 1405-09-06)
f_old=$(nz facilitator add -D "$N" --name "رضا نوری" --serves IR-07-03 --designated 1405-06-01)
nz facilitator retire -D "$N" "$f_old" >/dev/null
sync_down IR IR-07 IR-07-03
check_eq "the county holds the five designations" "$(sql IR-07-03 'SELECT count(*) FROM facilitator')" 5

# select DIR NAME...: a call of the secretariat DIR that appoints the groups named, in that order
select_groups() {
	local d=$1 k g a; shift
	k=$(nz call add -D "$d" --title "فراخوان جذب همیاران اجتماعی ۱۴۰۵" --opens 1405-09-01 --closes 1405-09-15)
	nz call open -D "$d" "$k" >/dev/null
	local i=0 ids=()
	for g in "$@"; do
		i=$((i + 1))
		ids+=("$(nz applicant add -D "$d" "$k" --name "$g" --kind jihadi --contact "مسئول $i" \
			--phone "0917555$((RANDOM % 9000 + 1000))" --members 10 --years 3)")
	done
	nz call close -D "$d" "$k" --early "همه گروه‌ها رسیدند" >/dev/null
	for a in "${ids[@]}"; do
		for r in r1 r2; do
			nz review score -D "$d" "$a" --reviewer "$r" experience=8 activities=8 capacity=8 local=8 \
				participation=8 >/dev/null
		done
	done
	nz call finish-review -D "$d" "$k" >/dev/null
	for a in "${ids[@]}"; do
		nz interview schedule -D "$d" "$a" --date 1405-09-07 --time 9:00 --panel "دبیر" >/dev/null &&
			nz interview score -D "$d" "$a" motivation=8 problems=8 teamwork=8 commitment=8 >/dev/null
	done
	for a in "${ids[@]}"; do nz appoint add -D "$d" "$a" | cut -d' ' -f1; done
}
mapfile -t ap < <(select_groups "$C" "گروه جهادی شهید همت" "کانون فرهنگی مسجد جامع")
g1=${ap[0]} g2=${ap[1]}
check_match "the county appoints two helper groups" "$g1 $g2" '^[0-9a-z]{17} [0-9a-z]{17}$'
nz appoint revoke -D "$C" "$g2" --reason "انصراف گروه" >/dev/null
mapfile -t ap < <(select_groups "$C" "خیریه امام رضا")
g3=${ap[0]}
check_eq "two groups active, one revoked" \
	"$(sql IR-07-03 "SELECT group_concat(status) FROM (SELECT status FROM sel_appointment ORDER BY status)")" "active,active,revoked"
g3_no=$(sql IR-07-03 "SELECT decree_no FROM sel_appointment WHERE id = '$g3'")

# ---- the register of key local actors (کنشگران کلیدی و معتمدین) ----
a1=$(nz actor add -D "$C" --name "حاج علی رضایی" --role "معتمد محل" --neighbourhood "محله سعدی" \
	--contact ۰۹۱۷۱۱۱۲۲۳۳ --consent بله)
a2=$(nz actor add -D "$C" --name "سید محمد حسینی" --role "امام جماعت مسجد جامع" --neighbourhood "محله سعدی" \
	--contact 09171112244)
a3=$(nz actor add -D "$C" --name "فاطمه کاظمی" --role "مدیر مدرسه" --neighbourhood "شهرک ولیعصر" --consent no)
check_match "actors are registered" "$a1 $a2 $a3" '^[0-9a-z]{17} [0-9a-z]{17} [0-9a-z]{17}$'
check "an actor retires" nz actor retire -D "$C" "$a3"

# rule DESC PATTERN CMD...: refused, naming PATTERN, nothing changed at the county.
rule() {
	local d=$1 pat=$2 before; shift 2
	before=$(digest IR-07-03)
	if "$@" >/dev/null 2>"$T/err"; then nok "$d: accepted"; return; fi
	check_match "$d: says why" "$(cat "$T/err")" "$pat"
	check_eq "$d: nothing changed" "$(digest IR-07-03)" "$before"
}
while IFS='|' read -r d pat args; do
	eval "set -- $args"
	rule "actor: $d" "$pat" nz actor "$@"
done <<EOF
no role|--role R required|add -D "$C" --name "کریم"
a contact that is no phone|'0917' is not a phone number|add -D "$C" --name "کریم" --role "معتمد" --contact 0917
consent neither yes nor no|give yes or no|add -D "$C" --name "کریم" --role "معتمد" --consent شاید
a name over 200 bytes|name is [0-9]+ bytes; at most 200|add -D "$C" --role "معتمد" --name "$(printf 'ن%.0s' $(seq 1 101))"
set an unknown field|has no field 'phone'|set -D "$C" "$a1" phone=09171112233
set a bad contact|is not a phone number|set -D "$C" "$a1" contact=abc
set a retired actor|is retired|set -D "$C" "$a3" role="معاون مدرسه"
retire twice|retired already|retire -D "$C" "$a3"
EOF
check "actor set gives consent" nz actor set -D "$C" "$a2" consent=yes notes="تماس بعد از نماز"
check "and takes it back" nz actor set -D "$C" "$a2" consent=خیر
check_eq "the listing hides a contact given without consent" \
	"$(nz actor list -D "$C" --json | python3 -c 'import json,sys
print(" ".join(a["name"] + "=" + a["contact"] for a in json.load(sys.stdin)))')" \
	"حاج علی رضایی=09171112233 سید محمد حسینی="
check_eq "the retired actor is listed with --all" "$(nz actor list -D "$C" --all --json | grep -c '"id"')" 3

# ---- sessions: facilitator, helpers, actors ----
p1=$(nz issue add -D "$C" --title "اعتیاد جوانان" --category addiction --people 1200 --neighbourhood "محله سعدی")
p2=$(nz issue add -D "$C" --title "تکراری" --category other)
nz issue close -D "$C" "$p2" --reason "تکراری" >/dev/null
sa() { nz session add -D "$C" --date "${SD:-1405-09-05}" --place "مسجد جامع" --participants 40 --issue "$p1" "$@"; }
while IFS='|' read -r d pat args; do
	eval "set -- $args"
	rule "session add: $d" "$pat" sa "$@"
done <<EOF
a facilitator that is no designation|'خانم احمدی' is not a facilitator designation \(serving IR-07-03: .*مریم احمدی.*--facilitator-name|--facilitator "خانم احمدی"
a designation of another county|designated to serve IR-07-04, not IR-07-03|--facilitator $f_sib
designated after the session|designated on 1405-09-06, after the session's date 1405-09-05|--facilitator $f_new
both a designation and a name|not both|--facilitator $f_cty --facilitator-name "خانم احمدی"
a revoked group|helper group 'کانون فرهنگی مسجد جامع' .* is revoked|--facilitator $f_cty --helper $g2
a group never appointed|'گروه ناشناس' is not a helper group appointed inside IR-07-03 \(active: .*شهید همت|--helper "گروه ناشناس"
a retired actor|'فاطمه کاظمی' .* is retired|--actor $a3
an unknown actor|no key local actor with id 'nobody'|--actor nobody
EOF
SD=1405-09-10 rule "session add: a designation ended before the session" \
	"designation ended on 1405-09-07, not after the session's date 1405-09-10" sa --facilitator "$f_old"
check "a session with a retired facilitator on a day the designation still ran" \
	nz session add -D "$C" --date 1405-09-01 --facilitator "$f_old"
s1=$(sa --facilitator "$f_cty" --helper "$g1" --helper "$g3_no" --actor "$a1" --actor "$a2" \
	--groups "معتمدین، جوانان")
check_match "a session: designated facilitator, two groups (by id and decree number), two actors" "$s1" '^[0-9a-z]{17}$'
show=$(nz session show -D "$C" "$s1" --json)
check_eq "its facilitator is the designation's" "$(echo "$show" | jfield facilitator) $(echo "$show" | jfield facilitator_id)" \
	"مریم احمدی $f_cty"
check_eq "not a fallback" "$(echo "$show" | jfield facilitator_fallback)" 0
check_eq "both groups work on it" "$(echo "$show" | python3 -c 'import json,sys
print(" ".join(sorted(g["name"] for g in json.load(sys.stdin)["helper_groups"])))')" "خیریه امام رضا گروه جهادی شهید همت"
check_eq "the actors who took part, a contact only with consent" "$(echo "$show" | python3 -c 'import json,sys
print(" ".join(a["name"] + "=" + a["contact"] for a in json.load(sys.stdin)["actors"]))')" \
	"حاج علی رضایی=09171112233 سید محمد حسینی="
s2=$(sa --facilitator "$f_prv")
check_match "the province's facilitator serves the county" "$s2" '^[0-9a-z]{17}$'
s3=$(sa --facilitator-name "خانم صالحی، مشاور بهزیستی")
check_match "a facilitator not designated, as a fallback" "$s3" '^[0-9a-z]{17}$'
check_match "the listing flags the fallback" "$(nz session list -D "$C")" "$s3 +IR-07-03 +1405-09-05 +مسجد جامع +خانم صالحی، مشاور بهزیستی +1 "
check_match "and not the designation" "$(nz session list -D "$C")" "$s1 +IR-07-03 +1405-09-05 +مسجد جامع +مریم احمدی +0 +40 +2 +2 "
rule "session set: a facilitator not designated" "is not a facilitator designation" \
	nz session set -D "$C" "$s3" facilitator="خانم صالحی"
rule "session set: a date before the designation" "designated on 1405-08-01, after the session's date 1405-07-30" \
	nz session set -D "$C" "$s1" date=1405-07-30
check "session set: the fallback becomes the designation" nz session set -D "$C" "$s3" facilitator="$f_cty"
check_eq "no longer flagged" "$(nz session show -D "$C" "$s3" --json | jfield facilitator_fallback)" 0
rule "session actors: one already there" "is on session '$s1' already" nz session actors -D "$C" "$s1" "$a1"
rule "session actors: remove one not there" "is not on session" nz session actors -D "$C" "$s2" "$a1" --remove
check_match "session actors adds one to another session and lists it" "$(nz session actors -D "$C" "$s2" "$a2")" \
	"$a2 +سید محمد حسینی +امام جماعت مسجد جامع"
check "and removes it" nz session actors -D "$C" "$s2" "$a2" --remove
check_eq "none left there" "$(nz session actors -D "$C" "$s2" --json)" "[]"

# ---- helper groups on problems and interventions, and each group's work ----
while IFS='|' read -r d pat args; do
	eval "set -- $args"
	rule "group attach: $d" "$pat" nz group attach -D "$C" "$@"
done <<EOF
a problem that does not exist|no problem with id 'nope'|issue nope $g1
a closed problem|problem '$p2' is closed|issue $p2 $g1
a revoked group|is revoked: only an active appointment|issue $p1 $g2
a group never appointed|is not a helper group appointed inside IR-07-03|issue $p1 "گروه ناشناس"
a kind of record groups do not work on|helper groups are linked to issue, session, intervention only|solution $p1 $g1
the same group twice, all or none|is on problem '$p1' already|issue $p1 $g3 $g3
EOF
check "two groups work together on a problem" nz group attach -D "$C" issue "$p1" "$g1" "خیریه امام رضا"
rule "attached already" "helper group 'گروه جهادی شهید همت' is on problem '$p1' already" nz group attach -D "$C" issue "$p1" "$g1"
nz session score -D "$C" "$s1" "$p1" severity=4 prevalence=4 urgency=5 feasibility=3 >/dev/null
sol=$(nz solution add -D "$C" --title "پیشگیری از اعتیاد" --issue "$p1" --start 1405-10-01 --end 1405-12-29)
nz solution submit -D "$C" "$sol" --council county --date 1405-09-07 >/dev/null
nz council decide -D "$C" "$sol" --decision approved --date 1405-09-07 --resolution 12 >/dev/null
iv=$(nz intervention add -D "$C" --solution "$sol")
check "a group works on the intervention" nz group attach -D "$C" intervention "$iv" "$g1"
check_eq "intervention show lists it" "$(nz intervention show -D "$C" "$iv" --json | jfield helper_groups 0 name)" "گروه جهادی شهید همت"
check "the group files its monthly report" nz report draft -D "$C" --template helpers --period 1405-08 \
	--group "گروه جهادی شهید همت" summary="دو جلسه هم اندیشی در محله سعدی"
work=$(nz group work -D "$C" "$g1" --json)
check_eq "group work: its problems, sessions, interventions and reports" "$(echo "$work" | python3 -c 'import json,sys
w=json.load(sys.stdin)
print(w["group_name"], *(len(w[k]) for k in ("problems", "sessions", "interventions", "reports")), w["problems"][0]["id"], w["reports"][0]["period"])')" \
	"گروه جهادی شهید همت 1 1 1 1 $p1 1405-08"
check_match "group work as text, by decree number" "$(nz group work -D "$C" "$g3_no")" "problems:.*$p1.*sessions:.*$s1"
check "a group stops working on the problem" nz group detach -D "$C" issue "$p1" "$g3"
rule "detached already" "is not on problem" nz group detach -D "$C" issue "$p1" "$g3"
check_eq "its work lists the problem no more" "$(nz group work -D "$C" "$g3" --json | jfield problems)" "[]"
check_match "group list counts each group's work" "$(nz group list -D "$C")" \
	"$g1 +IR-07-03 +گروه جهادی شهید همت +IR-07-03/1405/0001 +active +1 +1 +1 +1"
check_eq "revoked groups only with --all" "$(nz group list -D "$C" --json | grep -c '"id"') $(nz group list -D "$C" --all --json | grep -c '"id"')" "2 3"
check_match "issue show lists its groups" "$(nz issue show -D "$C" "$p1")" "helper_groups:.*گروه جهادی شهید همت"
check_eq "issue list and intervention list count the groups working on each" \
	"$(nz issue list -D "$C" --json | python3 -c 'import json,sys
print([i["helpers"] for i in json.load(sys.stdin) if i["id"] == sys.argv[1]])' "$p1") $(nz intervention list -D "$C" --json | jfield 0 helpers)" "[1] 1"

# ---- the same at the HTTP API ----
echo admin-pass-1 | nz user add -D "$C" --name admin --role admin >/dev/null
# A free port, tried again when another test takes it first (bounded: 5 tries).
for try in 1 2 3 4 5; do
	for _ in $(seq 1 20); do
		PORT=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break
	done
	sed -i "s/^;*http = .*/http = 127.0.0.1:$PORT/" "$C/nehzat.conf"
	start IR-07-03
	U="http://127.0.0.1:$PORT"
	wait_for 10 curl -sf "$U/" && break
	stop IR-07-03
	[ "$try" = 5 ] && { nok "serve answers HTTP"; finish; exit 1; }
done
TOK=$(curl -s -c "$T/a.jar" -H 'Content-Type: application/json' -d '{"name":"admin","password":"admin-pass-1"}' \
	"$U/api/v1/login" | sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p')
call() { # call METHOD PATH [JSON]: the HTTP status; the body in $T/body
	curl -s -o "$T/body" -w '%{http_code}' -X "$1" -b "$T/a.jar" -H "X-CSRF-Token: $TOK" \
		-H 'Content-Type: application/json' ${3:+-d "$3"} "$U/api/v1/$2"
}
# api DESC STATUS WHY METHOD PATH JSON: refused with STATUS and the code WHY, nothing changed
api() {
	local d=$1 status=$2 why=$3 before; shift 3
	before=$(digest IR-07-03)
	check_eq "API $d: $status" "$(call "$@")" "$status"
	check_match "API $d: says $why" "$(cat "$T/body")" "$why"
	check_eq "API $d: nothing changed" "$(digest IR-07-03)" "$before"
}
while IFS='|' read -r d status why method path json; do
	api "$d" "$status" "$why" "$method" "$path" "$json"
done <<EOF
a revoked group|409|"why":"link.group_inactive"|POST|issues/$p1/groups|{"group":"$g2"}
a group never appointed|400|"why":"link.no_such_group"|POST|interventions/$iv/groups|{"group":"گروه ناشناس"}
no group named|400|"field":"group"|POST|sessions/$s2/groups|{}
a problem that does not exist|404|no problem with id|POST|issues/nope/groups|{"group":"$g1"}
groups on a solution|400|linked to issue, session, intervention only|POST|solutions/$sol/groups|{"group":"$g1"}
a retired actor|409|"why":"link.actor_retired"|POST|sessions/$s2/actors|{"actor":"$a3"}
actors on a problem|400|actors are linked to session only|POST|issues/$p1/actors|{"actor":"$a1"}
a session's unknown facilitator|400|"why":"session.no_such_facilitator"|POST|sessions|{"date":"1405-09-05","facilitator":"خانم احمدی"}
a facilitator of another county|400|"why":"session.facilitator_elsewhere"|POST|sessions|{"date":"1405-09-05","facilitator":"$f_sib"}
a session with a revoked group|409|"why":"link.group_inactive"|POST|sessions|{"date":"1405-09-05","facilitator":"$f_cty","helpers":["$g2"]}
an actor without a role|400|"field":"role"|POST|resources/actors|{"name":"کریم"}
an actor's bad contact|400|is not a phone number|PATCH|resources/actors/$a1|{"fields":{"contact":"12"}}
EOF
check_eq "API: a group attached to a session" "$(call POST "sessions/$s2/groups" "{\"group\":\"$g3\"}")" 200
check_eq "API: the session's groups" "$(call GET "sessions/$s2/groups"; jfield items 0 name <"$T/body")" "200خیریه امام رضا"
check_eq "API: a session with facilitator, helpers and actors" \
	"$(call POST sessions "{\"date\":\"1405-09-06\",\"place\":\"حسینیه محله سعدی\",\"facilitator\":\"$f_cty\",\"helpers\":[\"$g1\",\"$g3\"],\"actors\":[\"$a1\"]}")" 200
s4=$(jfield id <"$T/body")
check_eq "API: its two groups and one actor" "$(call GET "sessions/$s4"; python3 -c 'import json,sys
s=json.load(open(sys.argv[1]))
print(len(s["helper_groups"]), s["actors"][0]["name"], s["facilitator_fallback"])' "$T/body")" "2002 حاج علی رضایی 0"
check_eq "API: a session with a fallback facilitator" "$(call POST sessions '{"date":"1405-09-06","facilitator_name":"آقای کریمی"}')" 200
s5=$(jfield id <"$T/body")
check_eq "API: is flagged" "$(call GET "sessions/$s5"; jfield facilitator_fallback <"$T/body")" 2001
check_eq "API: an actor registered" \
	"$(call POST resources/actors '{"name":"محمود صادقی","role":"دهیار","neighbourhood":"روستای قلات","contact":"۰۹۱۷۳۳۳۴۴۵۵","consent":"yes"}')" 200
a4=$(jfield id <"$T/body")
check_eq "API: and edited" "$(call PATCH "resources/actors/$a4" '{"fields":{"role":"دهیار روستای قلات"}}')" 200
check_eq "API: an actor takes part" "$(call POST "sessions/$s2/actors" "{\"actor\":\"$a4\"}")" 200
check_eq "API: the session's actors, contact with consent" \
	"$(call GET "sessions/$s2/actors" >/dev/null; jfield items 0 contact <"$T/body")" 09173334455
check_eq "API: a group's work" "$(call GET "groups/$g3/work"; python3 -c 'import json,sys
w=json.load(open(sys.argv[1]))
print(len(w["sessions"]), len(w["problems"]))' "$T/body")" "2003 0"
check_eq "API: the groups, counted" "$(call GET "groups?all=1"; jfield total <"$T/body")" 2003
check_eq "API: a group detached" "$(call POST "sessions/$s2/groups/$g3/detach" '{}')" 200
check_eq "API: an actor removed" "$(call POST "sessions/$s2/actors/$a4/remove" '{}')" 200
# A helper of an appointed group records actors and who took part; attaching groups is the secretariat's.
echo helper-pass-1 | nz user add -D "$C" --name hamyar --role helper --group "$g1" >/dev/null
TOK=$(curl -s -c "$T/a.jar" -H 'Content-Type: application/json' -d '{"name":"hamyar","password":"helper-pass-1"}' \
	"$U/api/v1/login" | sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p')
check_eq "API, a helper: registers an actor" \
	"$(call POST resources/actors '{"name":"زینب موسوی","role":"مربی قرآن","neighbourhood":"محله سعدی"}')" 200
check_eq "API, a helper: adds one who took part" "$(call POST "sessions/$s2/actors" "{\"actor\":\"$(jfield id <"$T/body")\"}")" 200
api "a helper attaching a group" 403 '"code":"forbidden"' POST "issues/$p1/groups" "{\"group\":\"$g3\"}"
api "a helper designating a facilitator" 403 '"code":"forbidden"' POST resources/facilitators '{"name":"x","serves":"IR-07-03"}'
stop IR-07-03

# Every refusal code of the links has its Persian sentence in the UI's catalogue.
top=$(cd "$(dirname "$0")/../.." && pwd)
for code in $(grep -oh '"\(link\|session\)\.[a-z_]*"' "$top/src/domain/register/links.c" "$top/src/domain/register/sessions.c" |
	tr -d '"' | sort -u); do
	check_match "the UI says $code in Persian" "$(grep -c "'$code'" "$top/src/http/ui/fa.js")" '^[1-9]'
done
finish
