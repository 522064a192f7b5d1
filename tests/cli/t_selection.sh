#!/usr/bin/env bash
# Selection of helper groups from the command line: national standards, the
# whole pipeline for one county (IR-07-03) and one province (IR-07), run at
# the national node on their behalf (--for), every illegal step refused with
# nothing changed, the decree page, CSV and JSON listings, Jalali dates.
source "$(dirname "$0")/../cluster/lib.sh"
export NEHZAT_TODAY=2026-11-28 # 1405-09-07

N=$(dir_of IR)
nz init -D "$N" --id IR >/dev/null || { echo "not ok - init"; exit 1; }
if [ -f "$SHARED/data/iran_counties.csv" ]; then
	nz orgunit import -D "$N" "$SHARED/data/iran_provinces.csv" >/dev/null &&
		nz orgunit import -D "$N" "$SHARED/data/iran_counties.csv" >/dev/null
	have_units=1
else
	echo "# $SHARED/data absent: org-unit names not checked"
	have_units=0
fi

# field KEY: the values of "KEY" in JSON read from stdin, one per line
field() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p"; }
# unchanged DESC CMD...: CMD fails and the node's digest does not move
unchanged() {
	local d=$1 before after; shift
	before=$(digest IR)
	if "$@" >/dev/null 2>"$T/err"; then nok "$d (accepted)"; return; fi
	after=$(digest IR)
	check_eq "$d" "$after" "$before"
}
# refused DESC PATTERN CMD...: CMD fails, says PATTERN, and changes nothing
refused() {
	local d=$1 pat=$2; shift 2
	unchanged "$d" "$@"
	check_match "$d: message" "$(cat "$T/err")" "$pat"
}

# ---- every command and subcommand has --help ----
for c in standard call applicant review interview rank appoint decree course check; do
	check "$c --help" nz $c --help
done
check "call open --help" nz call open --help
check "appoint add --help" nz appoint add --help

# ---- national standards ----
check_match "standards: none yet" "$(nz standard show -D "$N" 2>&1)" "no selection standards"
check "standard add --defaults" nz standard add -D "$N" --defaults
refused "standard: threshold outside 0..100" "threshold" nz standard add -D "$N" --threshold 150
refused "standard: weights not summing to 100" "sum to 100" nz standard add -D "$N" --review-weight 70
check_eq "one version stored" "$(nz standard list -D "$N" --json | field version)" "1"
check_match "defaults: quotas 2 and 5" "$(nz standard show -D "$N")" "quota 2 per county, 5 per province"
nz standard show -D "$N" --json | sed 's/"threshold": 60.0/"threshold": 55.0/' >"$T/std.json"
check "standard add --file" nz standard add -D "$N" --file "$T/std.json" --title "ویرایش دوم"
check_eq "version 2 from the file" "$(nz standard show -D "$N" 2 --json | field threshold)" "55.0"
check_eq "version 1 unchanged" "$(nz standard show -D "$N" 1 --json | field threshold)" "60.0"
echo '{"quota_contry": 3}' >"$T/bad.json"
refused "standard: unknown key in file" "unknown key 'quota_contry'" nz standard add -D "$N" --file "$T/bad.json"

# ---- a county's call, run by the national node for IR-07-03 ----
refused "call: national is no secretariat" "county or provincial" \
	nz call add -D "$N" --title T --opens 1405-08-29 --closes 1405-09-19
refused "call: window backwards" "after it closes" \
	nz call add -D "$N" --for IR-07-03 --title T --opens 1405-09-19 --closes 1405-08-29
check_fails "call: not a Jalali date" nz call add -D "$N" --for IR-07-03 --title T --opens 1405-13-01 --closes 1405-09-19
C=$(nz call add -D "$N" --for IR-07-03 --title "فراخوان جذب همیاران اجتماعی ۱۴۰۵" \
	--opens 1405-08-29 --closes "۱۴۰۵/۰۹/۱۹" --description "شهرستان اقلید")
check_match "call added" "$C" '^[a-z0-9]{17}$'
check_eq "opens stored as ISO" "$(nz call show -D "$N" "$C" --json | field opens)" "2026-11-20"
check_eq "closes shown in Jalali" "$(nz call show -D "$N" "$C" --json | field closes_jalali)" "1405-09-19"
check_match "call list in Jalali" "$(nz call list -D "$N")" "draft +1405-08-29 +1405-09-19"

app() { # app NAME KIND PHONE [more...]
	local name=$1 kind=$2 phone=$3; shift 3
	nz applicant add -D "$N" "$C" --name "$name" --kind "$kind" --contact "رضا احمدی" --phone "$phone" "$@"
}
refused "apply to a draft call" "only while it is open" app "گروه الف" jihadi 09121111111
refused "draft cannot close" "can move only to open" nz call close -D "$N" "$C"
check "call open" nz call open -D "$N" "$C"
check_eq "call pins standards version 2" "$(nz call show -D "$N" "$C" --json | field std_version)" "2"
G1=$(app "گروه جهادی شهید همت" jihadi 09121111111 --members ۱۲ --years 4 --areas "اعتیاد، حاشیه نشینی")
G2=$(app "هیئت محبان" "هیئت مذهبی" 09122222222 --reg-no 123-45)
G3=$(app "گروه مردمی نور" people 09123333333)
check_match "three applicants" "$G1 $G2 $G3" '^[a-z0-9]{17} [a-z0-9]{17} [a-z0-9]{17}$'
refused "duplicate registration number" "duplicate" app "هیئت دیگر" religious 09124444444 --reg-no "۱۲۳۴۵"
refused "duplicate name and phone" "duplicate" app "گروه جهادي شهيد همت" jihadi "+98 912 111 1111"
refused "unknown kind" "not one of" app "گروه تازه" club 09125555555
NEHZAT_TODAY=2026-12-11 refused "late application" "received on or before the day the call closes" \
	app "گروه دیرهنگام" other 09126666666
refused "received before the call opened" "on or after the day the call opens" \
	app "گروه زودهنگام" other 09126666666 --received 1405-08-28
refused "received tomorrow" "cannot have been received after today" \
	app "گروه فردا" other 09126666666 --received 1405-09-08

printf 'رزومه گروه\n' >"$T/resume.txt"
check "attach a small document" nz applicant doc add -D "$N" "$G1" "$T/resume.txt"
head -c 40000 /dev/zero >"$T/big.pdf"
refused "a large document is not stored" "meta-only" nz applicant doc add -D "$N" "$G1" "$T/big.pdf"
check "a large document by checksum" nz applicant doc add -D "$N" "$G1" "$T/big.pdf" --meta-only
check_eq "applicant shows 2 documents" "$(nz applicant show -D "$N" "$G1" --json | grep -c '"sha256"')" "2"
check_eq "applicant list" "$(nz applicant list -D "$N" "$C" --json | field id | wc -l)" "3"

# ---- review and weighting ----
rev() { # rev APP REVIEWER SCORE
	nz review score -D "$N" "$1" --reviewer "$2" experience="$3" activities="$3" capacity="$3" \
		local="$3" participation="$3"
}
refused "review while open" "reviews start when it closes" rev "$G1" r1 8
check "call print" nz call print -D "$N" "$C" --html "$T/call.html"
H=$(cat "$T/call.html")
check_match "announcement: RTL Persian page" "$H" '<html lang="fa" dir="rtl">'
check_match "announcement: the window in Jalali, Persian digits" "$H" 'از ۲۹ آبان ۱۴۰۵ تا ۱۹ آذر ۱۴۰۵'
check_match "announcement: the review criteria of its standards" "$H" 'معیارهای بررسی رزومه'
check_eq "announcement: no external resources" "$(grep -c -E 'https?:|<link|<script|src=' "$T/call.html")" "0"
check_fails "call print: unknown call" nz call print -D "$N" nope --html "$T/x.html"
refused "closing before the announced date" "closing it earlier needs the reason for it \(--early\)" nz call close -D "$N" "$C"
refused "--early is for close only" "only for|is for 'call close'" nz call complete -D "$N" "$C" --early x
check "call close --early with the reason" nz call close -D "$N" "$C" --early "ظرفیت کافی"
check_eq "the reason is kept" "$(nz call show -D "$N" "$C" --json | field early_reason)" "ظرفیت کافی"

refused "apply to a closed call" "only while it is open" app "گروه بعدی" other 09127777777
refused "score outside bounds" "outside its bounds 0..10" rev "$G1" r1 11
refused "unknown criterion" "not a review criterion" nz review score -D "$N" "$G1" --reviewer r1 charisma=5
check "review A r1" rev "$G1" r1 8
check "review A r2" rev "$G1" r2 "۸"
check "review B r1" rev "$G2" r1 7
check "review B r2" rev "$G2" r2 7
check "review X r1" rev "$G3" r1 9
refused "review not finished" "complete review" nz call finish-review -D "$N" "$C"
check "review X r2 (disagrees)" rev "$G3" r2 3
check_eq "review list" "$(nz review list -D "$N" "$C" --json | grep -c '"reviewer"')" "6"
refused "appoint before review is finished" "once its review is finished" nz appoint add -D "$N" "$G1"
check "call finish-review" nz call finish-review -D "$N" "$C"

# ---- interviews ----
iv() { # iv APP SCORE
	nz interview score -D "$N" "$1" motivation="$2" problems="$2" teamwork="$2" commitment="$2" --notes "مصاحبه انجام شد"
}
refused "interview score before scheduling" "schedule it first" iv "$G1" 8
refused "interview time" "HH:MM" nz interview schedule -D "$N" "$G1" --date 1405-09-10 --time 25:00 --panel "دبیر"
for a in "$G1" "$G2" "$G3"; do
	check "schedule interview" nz interview schedule -D "$N" "$a" --date 1405-09-10 --time 10:00 \
		--panel "دبیر، نماینده فرمانداری" --place "سالن جلسات"
done
check_eq "interview date in Jalali" "$(nz interview list -D "$N" "$C" --json | field date_jalali | head -1)" "1405-09-10"
check_eq "interview time typed 10:00 kept HH:MM" "$(nz interview list -D "$N" "$C" --json | field time | head -1)" "10:00"
refused "an interview is not scored before its day" "an interview is scored on or after its date" iv "$G1" 9
refused "nor missed before it" "marked absent on or after the interview's date" nz interview noshow -D "$N" "$G1"
export NEHZAT_TODAY=2026-12-01 # 1405-09-10, the day of the interviews
refused "incomplete interview scores" "has no score" nz interview score -D "$N" "$G1" motivation=8
check "interview A" iv "$G1" 9
check "interview B" iv "$G2" 6
check "interview X" iv "$G3" 5
refused "no-show of a held interview" "only a scheduled one" \
	nz interview noshow -D "$N" "$G1"

# ---- ranking: A 80/90 -> 84.00; B 70/60 -> 66.00; X 60/50 -> 56.00 (below 55? no: qualifies) ----
R=$(nz rank -D "$N" "$C" --json)
check_eq "rank order" "$(echo "$R" | field applicant_id | tr '\n' ' ')" "$G1 $G2 $G3 "
check_eq "combined scores" "$(echo "$R" | sed -n 's/^ *"combined": \(.*\),$/\1/p' | tr '\n' ' ')" "84.0 66.0 56.0 "
check_match "X flagged for disagreement" "$(nz rank -D "$N" "$C" | grep "$G3")" "60.00 +60.00 +!"
check "rank --csv" nz rank -D "$N" "$C" --csv "$T/rank.csv"
check_eq "CSV header" "$(head -1 "$T/rank.csv" | tr -d '\r')" \
	"rank,applicant_id,name,kind,reviews,review,spread,flagged,interview_status,interview,combined,qualified,reason,appointment_id,decree_no"
check_eq "CSV rows" "$(wc -l <"$T/rank.csv")" "4"

# ---- appointment, quota and decree ----
OUT=$(nz appoint add -D "$N" "$G1")
check_match "appoint A" "$OUT" '^[a-z0-9]{17} IR-07-03/1405/0001$'
PA=${OUT%% *}
refused "appoint A twice" "appointed already" nz appoint add -D "$N" "$G1"
refused "reuse a decree number" "decree number IR-07-03/1405/0001 is used already" \
	nz appoint add -D "$N" "$G2" --number IR-07-03/1405/0001
OUT=$(nz appoint add -D "$N" "$G2" --date 1405-09-08 --term-months 24)
check_match "appoint B" "$OUT" '^[a-z0-9]{17} IR-07-03/1405/0002$'
PB=${OUT%% *}
refused "beyond the county's quota of 2" "quota of 2" nz appoint add -D "$N" "$G3"
check_eq "two active appointments" "$(nz appoint list -D "$N" --under IR-07-03 --json | field id | wc -l)" "2"
check_eq "B's term ends in Jalali" "$(nz appoint list -D "$N" --json | grep -A20 "\"$PB\"" | field term_end_jalali)" "1407-09-07"
check_match "summary: IR-07-03 full" "$(nz appoint summary -D "$N" --under IR-07-03)" "IR-07-03 +county +2 +2 +0"

check "decree print" nz decree print -D "$N" IR-07-03/1405/0001 --html "$T/decree.html"
H=$(cat "$T/decree.html")
check_match "decree: RTL Persian page" "$H" '<html lang="fa" dir="rtl">'
check_match "decree: font" "$H" 'font-family:"Vazirmatn",Tahoma,sans-serif'
check_match "decree: Jalali date in Persian digits" "$H" 'تاریخ: ۱۴۰۵/۰۹/۱۰'
check_match "decree: number in Persian digits" "$H" 'شماره: <bdi class="num">IR-۰۷-۰۳/۱۴۰۵/۰۰۰۱</bdi>'
check_match "decree: group" "$H" 'گروه جهادی شهید همت'
check_match "decree: term" "$H" 'از ۱۰ آذر ۱۴۰۵ تا ۹ آذر ۱۴۰۶'
check_eq "decree: 13 duties of Article 4" "$(grep -c '^<li>' "$T/decree.html")" "13"
check_match "decree: a duty quoted" "$H" 'شناسایی و معرفی تشکل های کارآمد به نهادهای مرتبط استانی و شهرستانی'
check_eq "decree: no external resources" "$(grep -c -E 'https?:|<link|<script|src=' "$T/decree.html")" "0"
# Printed by Chromium from the file alone (as a clerk would): one A4 page, the node's font embedded.
CHROME=${CHROMIUM:-/usr/bin/chromium}
print_pdf() { # print_pdf HTML PDF
	timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
		--user-data-dir="$T/chrome" --no-pdf-header-footer --print-to-pdf="$2" "file://$1" >/dev/null 2>&1
}
# printed DESC HTML: Chromium prints HTML on one page with Vazirmatn embedded
printed() {
	local pdf=${2%.html}.pdf
	if ! print_pdf "$2" "$pdf"; then nok "$1: chromium --print-to-pdf"; return; fi
	check_eq "$1: one A4 page" "$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')" "1"
	check_match "$1: page size A4" "$(pdfinfo "$pdf" | sed -n 's/^Page size: *//p')" '\(A4\)$'
	check_match "$1: Vazirmatn embedded" "$(pdffonts "$pdf" | awk 'NR > 2 && /Vazirmatn/ {print $(NF-4)}' | sort -u | tr '\n' ' ')" '^yes $'
}
if [ -x "$CHROME" ] && command -v pdfinfo >/dev/null && command -v pdffonts >/dev/null; then
	check_match "decree: the font inline" "$H" '@font-face\{font-family:"Vazirmatn";font-weight:400;src:url\(data:font/woff2;base64,'
	printed "decree printed by chromium" "$T/decree.html"
	printed "call announcement printed by chromium" "$T/call.html"
	have_chrome=1
else
	echo "# no Chromium or poppler-utils: the printed decree not checked"
	have_chrome=0
fi
if [ "$have_units" = 1 ]; then
	check_match "decree: secretariat's name" "$H" 'دبیرخانه نهضت مشارکت اجتماعی شهرستان اقلید'
fi
check_fails "decree print: unknown key" nz decree print -D "$N" nope --html "$T/x.html"

refused "revoke without a reason" "reason" nz appoint revoke -D "$N" "$PB" --reason ""
check "revoke B" nz appoint revoke -D "$N" "$PB" --reason "انصراف گروه"
OUT=$(nz appoint add -D "$N" "$G3")
check_match "the freed place goes to X, numbers continue" "$OUT" '^[a-z0-9]{17} IR-07-03/1405/0003$'
PX=${OUT%% *}
check_eq "history keeps the revoked one" "$(nz appoint list -D "$N" --all --json | field status | sort | tr '\n' ' ')" \
	"active active revoked "
nz decree print -D "$N" "$PB" --html "$T/revoked.html" >/dev/null
check_match "revoked decree says so" "$(cat "$T/revoked.html")" 'لغو شده است؛ علت: انصراف گروه'
[ "$have_chrome" = 1 ] && printed "revoked decree printed by chromium" "$T/revoked.html"
check "call complete" nz call complete -D "$N" "$C"
refused "completed call takes no more appointments" "open a new call" nz appoint add -D "$N" "$G2"
refused "completed is final" "is completed" nz call open -D "$N" "$C"

# ---- orientation course ----
K=$(nz course add -D "$N" --for IR-07-03 --title "دوره توجیهی تسهیلگر ۱۴۰۵")
S1=$(nz course session -D "$N" "$K" --date 1405-09-24 --topic "آشنایی با شیوه نامه" --hours 3)
S2=$(nz course session -D "$N" "$K" --date 1405-10-01 --topic "روش های هم اندیشی" --hours ۲٫۵)
check_match "course and sessions" "$K $S1 $S2" '^[a-z0-9]{17} [a-z0-9]{17} [a-z0-9]{17}$'
refused "no attendance before the session is held" "attendance is recorded on or after" \
	nz course attend -D "$N" "$S1" "$PA"
export NEHZAT_TODAY=2026-12-22 # 1405-10-01
check "attendance of both at session 1" nz course attend -D "$N" "$S1" "$PA" "$PX"
check "attendance of A at session 2" nz course attend -D "$N" "$S2" "$PA"
refused "attendance of a revoked group" "revoked" nz course attend -D "$N" "$S2" "$PB"
check_eq "pending: only X" "$(nz course pending -D "$N" --json | field appointment_id)" "$PX"
check_match "status: A completed" "$(nz course status -D "$N" | grep "$PA")" "2/2 +yes"
check_match "course list in Jalali" "$(nz course list -D "$N")" "1405-10-01"

# ---- a province's call: quota 5 ----
export NEHZAT_TODAY=2026-11-28 # 1405-09-07
P=$(nz call add -D "$N" --for IR-07 --title "فراخوان استان" --opens 1405-09-01 --closes 1405-09-10)
nz call open -D "$N" "$P" >/dev/null
ids=()
for i in 1 2 3 4 5 6; do
	ids+=("$(nz applicant add -D "$N" "$P" --name "گروه $i" --kind ngo --contact "مسئول" --phone "0917000000$i")")
done
nz call close -D "$N" "$P" --early "همه رسیدند" >/dev/null
for a in "${ids[@]}"; do rev "$a" r1 8 && rev "$a" r2 9; done >/dev/null
check "province: review finished" nz call finish-review -D "$N" "$P"
for a in "${ids[@]}"; do
	nz interview schedule -D "$N" "$a" --date 1405-09-12 --time 09:00 --panel "دبیر استان"
done >/dev/null
export NEHZAT_TODAY=2026-12-03 # 1405-09-12
for a in "${ids[@]}"; do
	iv "$a" 8
done >/dev/null
n=0
for a in "${ids[@]:0:5}"; do nz appoint add -D "$N" "$a" >/dev/null && n=$((n + 1)); done
check_eq "province: five appointed" "$n" "5"
refused "province: sixth beyond the quota of 5" "quota of 5" nz appoint add -D "$N" "${ids[5]}"
check_eq "province decree numbers" "$(nz decree list -D "$N" --under IR-07 --json | field number | grep -c '^IR-07/1405/000[1-5]$')" "5"

# ---- invariants hold; a county node cannot set standards ----
check "check: no violations" nz check -D "$N"
check_match "check: says so" "$(nz check -D "$N")" "no violations"
check_eq "check --json" "$(nz check -D "$N" --json)" "[]"
nz init -D "$T/county" --id IR-07-03 --parent "ipc://$T/none.sock" >/dev/null
refused_county() { local d=$1 pat=$2; shift 2; if "$@" >/dev/null 2>"$T/err"; then nok "$d"; else check_match "$d" "$(cat "$T/err")" "$pat"; fi; }
refused_county "county: standards are national" "national secretariat" nz standard add -D "$T/county" --defaults
CC=$(nz call add -D "$T/county" --title "فراخوان" --opens 1405-09-01 --closes 1405-09-30)
refused_county "county: no standards have reached it" "no selection standards have reached" nz call open -D "$T/county" "$CC"
refused_county "county: not for a neighbour" "may not act for IR-07-04" \
	nz call add -D "$T/county" --for IR-07-04 --title T --opens 1405-09-01 --closes 1405-09-30

finish
