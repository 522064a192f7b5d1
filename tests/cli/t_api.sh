#!/usr/bin/env bash
# The JSON API's refusals, with curl against a real `nehzat serve` on
# 127.0.0.1: every route refuses an unauthenticated request, every
# state-changing route a missing CSRF token, a wrong role and bad JSON;
# required fields, login rate limit, bounded bodies, /metrics.
source "$(dirname "$0")/../cluster/lib.sh"
export NEHZAT_TODAY=2026-11-28
command -v curl >/dev/null || skip_all "no curl"
http_node IR-07-03
check "user add admin" sh -c "echo admin-pass-1 | '$B' user add -D '$D' --name admin --role admin"
check "user add viewer" sh -c "echo viewer-pass-1 | '$B' user add -D '$D' --name vera --role viewer"
check_fails "user add: short password" sh -c "echo short | '$B' user add -D '$D' --name x --role staff"
check_fails "user add: unknown role" sh -c "echo long-enough-1 | '$B' user add -D '$D' --name x --role boss"
check_fails "user add: name taken" sh -c "echo long-enough-1 | '$B' user add -D '$D' --name admin --role staff"
check_eq "user list" "$(nz user list -D "$D" --json | grep -c '"name"')" "2"
start IR-07-03
wait_for 10 curl -sf "$U/" || { nok "serve answers HTTP"; finish; exit 1; }
ok "serve answers HTTP on $U"

# code METHOD PATH [curl args...]: the HTTP status
code() { local m=$1 p=$2; shift 2; curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$U/api/v1/$p"; }
login() { # login NAME PASS JAR: prints the CSRF token
	curl -s -c "$3" -H 'Content-Type: application/json' -d "{\"name\":\"$1\",\"password\":\"$2\"}" "$U/api/v1/login" |
		sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p'
}
A=$(login admin admin-pass-1 "$T/a.jar")
V=$(login vera viewer-pass-1 "$T/v.jar")
# A wrong token: the right one with its last character changed (never to itself).
if [ "${A: -1}" = 0 ]; then BADA="${A%?}1"; else BADA="${A%?}0"; fi
check_match "admin logs in with a CSRF token" "$A" '^[0-9a-f]{64}$'
check_match "the session cookie is HttpOnly and SameSite=Strict" \
	"$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d '{"name":"admin","password":"admin-pass-1"}' "$U/api/v1/login" | grep -i set-cookie)" \
	'HttpOnly; SameSite=Strict'

GETS="me users status peers quarantine check orgunits dashboard standards standards/latest calls calls/x calls/x/applicants
calls/x/reviews calls/x/interviews calls/x/rank applicants/x appointments appointments/summary decrees decrees/x decrees/x/print
courses courses/status issues issues/x categories criteria register/summary sessions sessions/x solutions solutions/x council
interventions interventions/x evaluations orgs introductions templates templates/x reports reports/pending reports/x
completeness periods/approvals indicators allocation?budget=1 facilitators"
WRITES="POST:logout POST:users POST:users/x/password POST:users/x/active POST:standards POST:calls PATCH:calls/x POST:calls/x/state
POST:calls/x/applicants POST:applicants/x/withdraw POST:applicants/x/reviews POST:applicants/x/interview
POST:applicants/x/interview/score POST:applicants/x/interview/noshow POST:appointments POST:appointments/x/revoke POST:courses
POST:courses/x/sessions POST:course-sessions/x/attendance POST:issues PATCH:issues/x POST:issues/x/close POST:categories
POST:criteria POST:register/seed POST:sessions POST:sessions/x/scores POST:solutions POST:solutions/x/submit
POST:solutions/x/revise POST:solutions/x/close POST:council POST:interventions POST:interventions/x/stages POST:evaluations
POST:orgs POST:orgs/x/introductions POST:introductions/x/outcome POST:templates POST:templates/x/revise POST:templates/x/retire
POST:reports PATCH:reports/x POST:reports/x/submit POST:reports/x/revise POST:reports/x/review POST:periods/approve
POST:indicators DELETE:indicators/x POST:facilitators POST:facilitators/x/retire"
for p in $GETS; do
	check_eq "GET $p unauthenticated: 401" "$(code GET "$p")" "401"
done
for w in $WRITES; do
	m=${w%%:*} p=${w#*:}
	check_eq "$m $p unauthenticated: 401" "$(code "$m" "$p" -H 'Content-Type: application/json' -d '{}')" "401"
	check_eq "$m $p without CSRF token: 403" "$(code "$m" "$p" -b "$T/a.jar" -H 'Content-Type: application/json' -d '{}')" "403"
	check_eq "$m $p with a wrong CSRF token: 403" \
		"$(code "$m" "$p" -b "$T/a.jar" -H "X-CSRF-Token: $BADA" -H 'Content-Type: application/json' -d '{}')" "403"
	[ "$p" = logout ] && continue
	check_eq "$m $p as viewer: 403" "$(code "$m" "$p" -b "$T/v.jar" -H "X-CSRF-Token: $V" -H 'Content-Type: application/json' -d '{}')" "403"
	if [ "$m" != DELETE ]; then
		check_eq "$m $p with bad JSON: 400" \
			"$(code "$m" "$p" -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' -d '{"title": ')" "400"
		check_match "$m $p bad JSON: error shape" "$(cat "$T/body")" '"error":\{"code":"bad_json","message":"[^"]+"'
	fi
done
# Missing fields name the field.
for r in "calls:title" "issues:title" "council:solution" "reports:code" "users:name" "solutions:title" "orgs:name" \
	"appointments:applicant" "sessions:date" "indicators:code" "facilitators:name"; do
	p=${r%%:*} f=${r#*:}
	check_eq "POST $p without $f: 400" "$(code POST "$p" -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' -d '{}')" "400"
	check_match "POST $p without $f: names the field" "$(cat "$T/body")" "\"field\":\"$f\""
done
check_eq "a field of the wrong type: 400" "$(code POST issues -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' -d '{"title": ["x"]}')" "400"
check_eq "a body that is not JSON: 415" "$(code POST issues -b "$T/a.jar" -H "X-CSRF-Token: $A" -d 'title=x')" "415"
check_eq "a JSON array body: 400" "$(code POST issues -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' -d '[1]')" "400"
head -c 1100000 /dev/zero | tr '\0' 'a' >"$T/big"
check_match "a body over 1 MiB is refused" "$(code POST issues -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' --data-binary @"$T/big")" '^413$'
check_eq "an impossible date: 400" "$(code POST calls -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' -d '{"title":"t","opens":"1405-13-01","closes":"1405-09-20"}')" "400"
check_match "the date error names the field" "$(cat "$T/body")" '"field":"opens"'
check_eq "a problem is added" "$(code POST issues -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' -d '{"title":"کم‌آبی"}')" "200"
check_eq "the change log names the author" "$(sql IR-07-03 "SELECT author FROM oplog WHERE tbl = 'issue' ORDER BY seq DESC LIMIT 1")" "admin"
check_eq "a call that is not there: 404" "$(code POST calls/nope/state -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' -d '{"state":"closed"}')" "404"
check_eq "no such record: 404" "$(code GET issues/nope -b "$T/a.jar")" "404"
# The domain names the field at fault, never a command-line option: the API answers it as "field", the
# command line shows its option.
check_eq "a solution for no problem: 400" "$(code POST solutions -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' -d '{"title":"x","issues":[]}')" "400"
check_match "naming the field, not an option" "$(cat "$T/body")" '"message":"a solution addresses at least one problem","field":"issues"'
check_match "the command line names its option" "$(nz issue add -D "$D" --title "" 2>&1)" "^nehzat: a problem needs a title \(--title\)$"
check_eq "a county cannot designate a facilitator: 403" "$(code POST facilitators -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' -d '{"name":"x","serves":"IR-07-03"}')" "403"
check_match "and is told it is a national directive" "$(cat "$T/body")" 'national directive'
check_eq "the facilitators list answers" "$(code GET facilitators -b "$T/a.jar")" "200"
check_eq "and as a resource declared once" "$(code GET resources/facilitators -b "$T/a.jar")" "200"
check_eq "its designation is refused there too: 403" "$(code POST resources/facilitator -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' -d '{"name":"x","serves":"IR-07-03"}')" "403"
check_eq "a required field missing: 400" "$(code POST resources/facilitators -b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json' -d '{"name":"x"}')" "400"
check_match "naming it" "$(cat "$T/body")" '"field":"serves"'
check_eq "no such resource: 404" "$(code GET resources/nosuch -b "$T/a.jar")" "404"
# Organisations: a resource declared once, at the path they always had and at /resources/orgs.
J=(-b "$T/a.jar" -H "X-CSRF-Token: $A" -H 'Content-Type: application/json')
check_eq "an organisation is added at /orgs, its date by the old name" \
	"$(code POST orgs "${J[@]}" -d '{"name":"کانون","kind":"مسجد","identified_by":"گروه","date":"1405-08-01"}')" 200
oid=$(sed -n 's/.*"id":"\([0-9a-z]*\)".*/\1/p' "$T/body")
check_match "and listed there with its introductions counted" "$(curl -s -b "$T/a.jar" "$U/api/v1/orgs")" \
	"\"identified\":\"2026-10-23\",\"notes\":\"\",\"introductions\":0,\"accepted\":0,\"active\":1"
check_eq "an area outside the node: 403" "$(code POST orgs "${J[@]}" -d '{"name":"x","area":"IR-08"}')" 403
check_match "naming the field" "$(cat "$T/body")" '"field":"area"'
check_eq "an introduction" "$(code POST "orgs/$oid/introductions" "${J[@]}" -d '{"body":"بهزیستی","level":"county"}')" 200
check_eq "one organisation: 200" "$(code GET "resources/orgs/$oid" -b "$T/a.jar")" 200
check_match "with its introductions" "$(cat "$T/body")" '"introductions":\[\{"id":"[0-9a-z]+","owner":"IR-07-03","org":"'
check_eq "no such organisation: 404" "$(code GET resources/orgs/nosuch -b "$T/a.jar")" 404
check_eq "edited by the old names" "$(code PATCH "resources/orgs/$oid" "${J[@]}" -d '{"fields":{"by":"گروه ۲"}}')" 200
check_match "which set the field" "$(curl -s -b "$T/a.jar" "$U/api/v1/resources/orgs/$oid")" '"identified_by":"گروه ۲"'
check_eq "retired" "$(code POST "resources/orgs/$oid/retire" "${J[@]}")" 200
check_match "and listed no more" "$(curl -s -b "$T/a.jar" "$U/api/v1/orgs")" '"total":0'
check_match "unless all=1" "$(curl -s -b "$T/a.jar" "$U/api/v1/orgs?all=1")" '"active":0,"retired":"2026-11-28"'
check_eq "resources need a login: 401" "$(code GET resources/facilitators)" "401"
check_eq "under outside the subtree: 403" "$(code GET "issues?under=IR-08" -b "$T/a.jar")" "403"
check_eq "a bad limit: 400" "$(code GET "issues?limit=-1" -b "$T/a.jar")" "400"
check_match "pagination" "$(curl -s -b "$T/a.jar" "$U/api/v1/issues?limit=1&offset=0")" '"total":1,"limit":1,"offset":0'
check_eq "an unknown route: 404" "$(code GET nothing/here -b "$T/a.jar")" "404"
check_eq "a wrong method: 405" "$(code PUT issues -b "$T/a.jar" -H "X-CSRF-Token: $A")" "405"
check_eq "logout ends the session" "$(code POST logout -b "$T/v.jar" -H "X-CSRF-Token: $V"; code GET me -b "$T/v.jar")" "200401"
# Rate limit: five failures lock the name out, even with the right password.
for i in 1 2 3 4 5; do code POST login -H 'Content-Type: application/json' -d '{"name":"vera","password":"wrong-wrong"}' >/dev/null; done
check_eq "the sixth login is rate limited: 429" "$(code POST login -H 'Content-Type: application/json' -d '{"name":"vera","password":"viewer-pass-1"}')" "429"
check_eq "another user still logs in" "$(code POST login -H 'Content-Type: application/json' -d '{"name":"admin","password":"admin-pass-1"}')" "200"
# Assets and metrics.
check_match "the UI is Persian RTL" "$(curl -s "$U/")" '<html lang="fa" dir="rtl">'
check_match "the font is served as woff2" "$(curl -s -D - -o /dev/null "$U/vendor/Vazirmatn-Regular.woff2")" 'font/woff2'
check_match "/metrics in Prometheus text" "$(curl -s "$U/metrics")" 'nehzat_http_requests_total [0-9]+'
check_match "/metrics counts quarantine" "$(curl -s "$U/metrics")" 'nehzat_quarantine_size 0'
check "serve stops cleanly" stop IR-07-03
finish
