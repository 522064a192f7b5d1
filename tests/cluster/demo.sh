#!/usr/bin/env bash
# make demo: a three-level tree on loopback — national, one province, two
# counties — with real codes from ../shared/data when present.  Each node
# serves its web UI with an admin user; the counties then go about their
# work (a problem every few seconds, deliberation sessions scoring them), so
# the county, province and national dashboards fill as the counties sync.
# Prints the addresses, the passwords, and what to type to add a problem by
# hand.  DEMO_ROUNDS (default 200) and DEMO_EVERY (seconds, default 3) set
# the activity; DEMO_ROUNDS=0 turns it off.
set -u
B=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
D=${DEMO_DIR:-$PWD/.nehzat/demo}
SHARED=${NEHZAT_SHARED:-../shared}
P=IR-07 C1=IR-07-03 C2=IR-07-04
rm -rf "$D"
mkdir -p "$D"
port=7400 http=8080
declare -A LISTEN HTTP
for id in IR $P $C1 $C2; do
	LISTEN[$id]="tcp://127.0.0.1:$port"
	HTTP[$id]="127.0.0.1:$http"
	port=$((port + 1)) http=$((http + 1))
done
parent() { case $1 in IR) echo "" ;; IR-??) echo IR ;; *) echo "${1%-*}" ;; esac; }
for id in IR $P $C1 $C2; do
	p=$(parent "$id")
	"$B" init -D "$D/$id" --id "$id" --listen "${LISTEN[$id]}" --http "${HTTP[$id]}" \
		${p:+--parent "${LISTEN[$p]}"} >/dev/null || exit 1
	if [ -n "$p" ]; then
		"$B" peer add -D "$D/$p" --id "$id" --key "$("$B" key -D "$D/$id")" >/dev/null
		"$B" peer add -D "$D/$id" --id "$p" --key "$("$B" key -D "$D/$p")" >/dev/null
	fi
done
NEHZAT_SHARED=$SHARED "$(dirname "$0")/../../node/seed-national.sh" "$B" "$D/IR" || exit 1
for id in IR $P $C1 $C2; do
	head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 12 >"$D/$id/admin-password"
	chmod 600 "$D/$id/admin-password"
	"$B" user add -D "$D/$id" --name admin --role admin --full-name "مدیر $id" \
		--password-file "$D/$id/admin-password" >/dev/null || exit 1
done
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait; echo; echo "demo stopped; data kept in $D"' EXIT INT TERM
for id in IR $P $C1 $C2; do
	"$B" serve -D "$D/$id" 2>"$D/$id.log" &
	pids+=($!)
done
sleep 1

# activity COUNTY: the county's secretariat at work, bounded in rounds.
cats=(addiction unemployment poverty family settlement violence education health environment youth)
activity() {
	local c=$1 k id ids=() sid
	for ((k = 1; k <= ${DEMO_ROUNDS:-200}; k++)); do
		sleep "${DEMO_EVERY:-3}"
		id=$("$B" issue add -D "$D/$c" --title "مسئله $k در $c" --category "${cats[RANDOM % ${#cats[@]}]}" \
			--people $((50 + RANDOM % 2000)) --source views 2>>"$D/activity.log") && ids+=("$id")
		if [ $((k % 3)) -eq 0 ] && [ ${#ids[@]} -ge 2 ]; then
			sid=$("$B" session add -D "$D/$c" --date "$(date +%F)" --place "سرای محله" --participants \
				$((10 + RANDOM % 40)) --issue "${ids[-1]}" --issue "${ids[-2]}" 2>>"$D/activity.log") &&
				for id in "${ids[-1]}" "${ids[-2]}"; do
					"$B" session score -D "$D/$c" "$sid" "$id" severity=$((1 + RANDOM % 5)) \
						prevalence=$((1 + RANDOM % 5)) urgency=$((1 + RANDOM % 5)) \
						feasibility=$((1 + RANDOM % 5)) >/dev/null 2>>"$D/activity.log"
				done
		fi
	done
}
if [ "${DEMO_ROUNDS:-200}" -gt 0 ]; then
	for c in $C1 $C2; do activity "$c" & pids+=($!); done
fi
pw() { cat "$D/$1/admin-password"; }
cat <<TXT

nehzat demo: four nodes are running (logs in $D/*.log); each web UI has the user admin
  national  IR        ${LISTEN[IR]}   http://${HTTP[IR]}/   password $(pw IR)
  province  $P     ${LISTEN[$P]}   http://${HTTP[$P]}/   password $(pw $P)
  county    $C1  ${LISTEN[$C1]}   http://${HTTP[$C1]}/   password $(pw $C1)
  county    $C2  ${LISTEN[$C2]}   http://${HTTP[$C2]}/   password $(pw $C2)

The two counties add a problem every ${DEMO_EVERY:-3} s and hold a deliberation session every third
round (${DEMO_ROUNDS:-200} rounds); watch the province's and national dashboards fill as they sync.

Add a problem by hand at a county, then see it at national within a few seconds:
  $B issue add -D $D/$C1 --title "کمبود آب آشامیدنی" --category environment
  $B issue list -D $D/IR
  $B status -D $D/$P
  $B digest -D $D/$C1; $B digest -D $D/IR --subtree $C1     # the same line

Ctrl-C stops the demo.
TXT
wait
