#!/usr/bin/env bash
# The issue register across the tree, over real processes: national's
# standards reach the counties; a county's solution goes to the provincial
# council, the province records the decision while the county, offline, edits
# the solution; after sync both survive everywhere; the province's and
# national's consolidated figures equal the sums of their counties'.
source "$(dirname "$0")/lib.sh"
export NEHZAT_TODAY=2026-12-27 # 1405-10-06: after every step the story dates

command -v python3 >/dev/null || skip_all "python3 is needed to read JSON"
dbq() { sqlite3 "$(dir_of "$1")/nehzat.db" "$2"; }
jfield() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1:]:
    v=v[int(k)] if isinstance(v,list) else v.get(k)
print("" if v is None else v)' "$@"; }
# state KIND ID NODE: the effective status of a problem or solution at a node
state() { nz "$1" show -D "$(dir_of "$3")" "$2" --json 2>/dev/null | jfield state; }
# wait_state KIND ID NODE WANT [SECONDS]
wait_state() {
	local i limit=${5:-30}
	for ((i = 0; i < limit * 5; i++)); do
		[ "$(state "$1" "$2" "$3")" == "$4" ] && return 0
		sleep 0.2
	done
	echo "#   $1 $2 at $3 is '$(state "$1" "$2" "$3")', want '$4'"
	return 1
}

A=IR-07-03 Bc=IR-07-04
mktree IR IR-07 $A $Bc || { nok "make the tree"; finish; exit; }
ok "four nodes initialised and keys exchanged"
for id in IR IR-07 $A $Bc; do start "$id"; done
CA=$(dir_of $A) CB=$(dir_of $Bc) P=$(dir_of IR-07) N=$(dir_of IR)

# National's standards reach both counties.
check_eq "national seeds the standards" "$(nz register seed-standards -D "$N")" "added 13 categories and 4 criteria"
cols_of() { sqlite3 "$N/nehzat.db" "SELECT group_concat(name, ', ') FROM pragma_table_info('$1') WHERE name != 'clk'"; }
std_sql="SELECT $(cols_of problem_category) FROM problem_category ORDER BY id;
	SELECT $(cols_of priority_criterion) FROM priority_criterion ORDER BY id"
for c in $A $Bc; do
	check "the criteria reach $c" wait_for 30 bash -c \
		"[ \"\$(sqlite3 '$(dir_of "$c")/nehzat.db' 'SELECT count(*) FROM priority_criterion')\" = 4 ]"
	# Not the digest of all of IR: national also holds records of its own that never go down
	# (its freshness record of the province).
	# Every column but the column clocks, which name the node's own log entry of the change that set them.
	check "the standards at $c equal national's" wait_for 30 bash -c \
		"[ \"\$(sqlite3 '$N/nehzat.db' \"$std_sql\")\" = \"\$(sqlite3 '$(dir_of "$c")/nehzat.db' \"$std_sql\")\" ]"
done

# A facilitator national designates for county A reaches it, and a retirement follows.
fac=$(nz facilitator add -D "$N" --name "زهرا کریمی" --serves $A --phone 09171234567)
check "the designation reaches $A" wait_for 30 bash -c \
	"[ \"\$(sqlite3 '$CA/nehzat.db' \"SELECT name FROM facilitator WHERE id = '$fac' AND active = 1\")\" = 'زهرا کریمی' ]"
check_match "$A lists it" "$(nz facilitator list -D "$CA")" "زهرا کریمی"
check_fails "$A cannot retire it" nz facilitator retire -D "$CA" "$fac"
nz facilitator retire -D "$N" "$fac" >/dev/null
check "national's retirement reaches $A" wait_for 30 bash -c \
	"[ \"\$(sqlite3 '$CA/nehzat.db' \"SELECT active FROM facilitator WHERE id = '$fac'\")\" = 0 ]"

# County A: problems, a session, scores, a solution for the provincial council.
a1=$(nz issue add -D "$CA" --title "اعتیاد جوانان" --category addiction --people 1200)
a2=$(nz issue add -D "$CA" --title "بیکاری" --category unemployment --people 800)
a3=$(nz issue add -D "$CA" --title "حاشیه نشینی" --category settlement --people 3000)
sa=$(nz session add -D "$CA" --date 1405-09-01 --participants 35 --issue "$a1" --issue "$a2")
nz session score -D "$CA" "$sa" "$a1" severity=5 prevalence=4 urgency=5 feasibility=3 >/dev/null
nz session score -D "$CA" "$sa" "$a2" severity=3 prevalence=4 urgency=2 feasibility=4 >/dev/null
sol=$(nz solution add -D "$CA" --title "پیشگیری از اعتیاد" --issue "$a1" --budget 900000000)
check "county A submits its solution to the provincial council" \
	nz solution submit -D "$CA" "$sol" --council province --date 1405-09-10
check_fails "county A cannot record the provincial council's decision" \
	nz council decide -D "$CA" "$sol" --decision approved --date 1405-09-20 --resolution 7

# County B: its own problems, one solution approved by its own county council.
b1=$(nz issue add -D "$CB" --title "اعتیاد" --category addiction --people 400)
b2=$(nz issue add -D "$CB" --title "طلاق" --category family --people 90)
sb=$(nz session add -D "$CB" --date 1405-09-03 --participants 20)
nz session score -D "$CB" "$sb" "$b1" severity=4 prevalence=4 urgency=4 feasibility=4 >/dev/null
solb=$(nz solution add -D "$CB" --title "مشاوره" --issue "$b1")
nz solution submit -D "$CB" "$solb" --council county --date 1405-09-05 >/dev/null
check "county B's council approves at county B" \
	nz council decide -D "$CB" "$solb" --decision approved --date 1405-09-12 --resolution 3
nz org add -D "$CB" --name "هیئت مذهبی" --kind هیئت >/dev/null

# The province sees county A's solution awaiting its council.
check "the solution reaches the province's agenda" wait_for 30 bash -c \
	"'$B' council list -D '$P' --pending | grep -q '$sol'"
check_eq "county B's solution is not on the province's agenda" \
	"$(nz council list -D "$P" --pending | grep -c "$solb")" 0

# County A goes offline and edits its solution; the province decides meanwhile.
stop $A
check "county A edits offline" nz solution set -D "$CA" "$sol" resources="سالن ورزشی" budget=950000000
check "the province records its council's approval" nz council decide -D "$P" "$sol" --decision approved \
	--date 1405-09-20 --resolution "ش/۴۵" --conditions "گزارش ماهانه به استان"
check_eq "approved at the province" "$(state solution "$sol" IR-07)" approved
check_eq "its problem too" "$(state issue "$a1" IR-07)" approved
check_eq "county A, offline, does not know yet" "$(state solution "$sol" $A)" council
check_eq "the decision belongs to county A" \
	"$(dbq IR-07 "SELECT owner FROM council_decision WHERE solution = '$sol'")" "$A"
start $A
check "the decision reaches county A" wait_state solution "$sol" $A approved
check "county A's problem is approved" wait_state issue "$a1" $A approved 10 # one read can meet a busy moment under load
check "county A and the province converge" wait_same $A IR-07 $A 30
check "county A and national converge" wait_same $A IR $A 30
for id in $A IR-07 IR; do
	check_eq "both the county's edit and the decision survive at $id" \
		"$(dbq $id "SELECT s.resources || '|' || s.budget || '|' || d.decision || '|' || d.resolution FROM solution s, council_decision d WHERE s.id = '$sol' AND d.solution = s.id")" \
		"سالن ورزشی|950000000|approved|ش/۴۵"
done
check_eq "county B never sees county A's decision" "$(dbq $Bc 'SELECT count(*) FROM council_decision WHERE owner != '"'$Bc'")" 0
check_match "the decision shows at county A in Jalali" "$(nz council list -D "$CA")" "$sol +$A +IR-07 +1 +1405-09-20"

# County A carries on from the decision.
iv=$(nz intervention add -D "$CA" --solution "$sol")
check_match "county A creates the intervention" "$iv" '^[0-9a-z]{17}$'
nz intervention stage -D "$CA" "$iv" needs --start 1405-10-01 --end 1405-10-05 --participants 50 >/dev/null
check "the province sees it in intervention" wait_state solution "$sol" IR-07 intervention

# Consolidation: after sync, province and national add up their counties.
check "county A converges at the province" wait_same $A IR-07 $A 30
check "county B converges at the province" wait_same $Bc IR-07 $Bc 30
check "the province converges at national" wait_same IR-07 IR IR-07 30
nz register summary -D "$CA" --json >"$T/sa.json"
nz register summary -D "$CB" --json >"$T/sb.json"
nz register summary -D "$P" --json >"$T/sp.json"
nz register summary -D "$N" --json >"$T/sn.json"
nz register summary -D "$N" --under IR-07 --json >"$T/snp.json"
out=$(python3 - "$T" <<'EOF'
import json, sys
t = sys.argv[1]
a, b, p, n, np_ = (json.load(open(f"{t}/{x}.json")) for x in ("sa", "sb", "sp", "sn", "snp"))
bad = []
keys = ["problems", "sessions", "scores", "solutions", "decisions", "interventions", "evaluations", "organisations"]
for k in keys:
    want = a["totals"][k] + b["totals"][k]
    for name, s in (("province", p), ("national", n), ("national --under IR-07", np_)):
        if s["totals"][k] != want:
            bad.append(f"{name} {k} {s['totals'][k]} != {want}")
for st, v in a["totals"]["by_state"].items():
    want = v + b["totals"]["by_state"][st]
    for name, s in (("province", p), ("national", n)):
        if s["totals"]["by_state"][st] != want:
            bad.append(f"{name} {st} {s['totals']['by_state'][st]} != {want}")
# Side by side at the province: each county's figures are that county's own.
units = {u["unit"]: u for u in p["units"]}
for code, s in (("IR-07-03", a), ("IR-07-04", b)):
    for k in keys:
        if units[code][k] != s["totals"][k]:
            bad.append(f"province's column {code} {k} {units[code][k]} != {s['totals'][k]}")
    if units[code]["via"] != code or not units[code]["last_sync_ms"]:
        bad.append(f"province's column {code} has no freshness stamp: {units[code]}")
# National: its unit is the province, stamped by the province's last sync.
nu = {u["unit"]: u for u in n["units"]}
if nu["IR-07"]["problems"] != a["totals"]["problems"] + b["totals"]["problems"]:
    bad.append("national's IR-07 column does not add up")
if nu["IR-07"]["via"] != "IR-07" or not nu["IR-07"]["last_sync_ms"]:
    bad.append(f"national's IR-07 column has no freshness stamp: {nu['IR-07']}")
for u in np_["units"]:
    if u["via"] != "IR-07":
        bad.append(f"national's view of {u['unit']} should come via IR-07: {u['via']}")
# By category at national: each count is the sum of the counties' problems in it.
def cats(s):
    r = {}
    for c in s["by_category"]:
        r[c["category"]] = c["problems"]
    return r
ca, cb, cn = cats(a), cats(b), cats(n)
for c in set(ca) | set(cb):
    if cn.get(c, 0) != ca.get(c, 0) + cb.get(c, 0):
        bad.append(f"national category {c}: {cn.get(c)} != {ca.get(c, 0)} + {cb.get(c, 0)}")
for c in n["by_category"]:
    if not c["sources"] or any(not s["last_sync_ms"] for s in c["sources"]):
        bad.append(f"national category {c['category']} is not stamped: {c['sources']}")
print("; ".join(bad) if bad else "ok")
EOF
)
check_eq "consolidated figures equal the sums of the counties'" "$out" ok
check_eq "national counts addiction in both counties" \
	"$(python3 -c 'import json,sys
s=json.load(open(sys.argv[1]))
print([c["problems"] for c in s["by_category"] if c["category"]=="addiction"][0])' "$T/sn.json")" 2
check_eq "national's top problem" "$(jfield top 0 id <"$T/sn.json")" "$a1"
check_match "the province's text view shows its counties side by side" "$(nz register summary -D "$P")" \
	"IR-07-03 .* 3 .*"$'\n'"IR-07-04 .* 2 "
check_match "each with the time of its last sync, in Jalali" "$(nz register summary -D "$P")" \
	"IR-07-03 +- +14[0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]"

for id in IR IR-07 $A $Bc; do check "serve $id exits 0 on SIGTERM" stop "$id"; done
finish
