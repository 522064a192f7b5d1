#!/usr/bin/env bash
# make demo: a three-level tree on loopback — national, one province, two
# counties — with real codes from ../shared/data when present.  Prints what
# to type to add a problem at a county and watch it arrive at national.
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
if [ -f "$SHARED/data/iran_provinces.csv" ]; then
	"$B" orgunit import -D "$D/IR" "$SHARED/data/iran_provinces.csv"
	"$B" orgunit import -D "$D/IR" "$SHARED/data/iran_counties.csv"
else
	echo "($SHARED/data not found: the demo runs without org-unit names)"
fi
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait; echo; echo "demo stopped; data kept in $D"' EXIT INT TERM
for id in IR $P $C1 $C2; do
	"$B" serve -D "$D/$id" 2>"$D/$id.log" &
	pids+=($!)
done
sleep 1
cat <<TXT

nehzat demo: four nodes are running (logs in $D/*.log)
  national  IR     ${LISTEN[IR]}   http://${HTTP[IR]}/
  province  $P  ${LISTEN[$P]}   http://${HTTP[$P]}/
  county    $C1  ${LISTEN[$C1]}   http://${HTTP[$C1]}/
  county    $C2  ${LISTEN[$C2]}   http://${HTTP[$C2]}/

Add a problem at a county, then see it at national within a few seconds:
  $B issue add -D $D/$C1 --title "کمبود آب آشامیدنی" --category water
  $B issue list -D $D/IR
  $B status -D $D/$P
  $B digest -D $D/$C1; $B digest -D $D/IR --subtree $C1     # the same line

Ctrl-C stops the demo.
TXT
wait
