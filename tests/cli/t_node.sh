#!/usr/bin/env bash
# The command line of a node: init, config errors, org-unit import, the first
# record, status, digest, exit codes; every refusal changes nothing.
source "$(dirname "$0")/../cluster/lib.sh"

D=$T/n
out=$(nz init -D "$D" --id IR-07-03 --parent tcp://127.0.0.1:7401 2>&1)
check_eq "init a county" "$?" 0
check_match "init says what it made" "$out" "county node IR-07-03"
check "the config exists" test -f "$D/nehzat.conf"
check "the database exists" test -f "$D/nehzat.db"
check_eq "the key is private" "$(stat -c %a "$D/node.key")" 600
check_match "every key of the config is commented" "$(grep -c '^; ' "$D/nehzat.conf")" '^[1-9][0-9]+$'

# init refusals
nz init -D "$D" --id IR-07-03 --parent tcp://127.0.0.1:7401 2>"$T/err"; rc=$?
check_eq "init refuses an existing node (exit 1)" "$rc" 1
check_match "and says so" "$(cat "$T/err")" "already holds a node"
for bad in IR-7 IR-07-3 ir-07 IR-07-03-01 XX IR07; do
	nz init -D "$T/bad" --id "$bad" 2>"$T/err"; rc=$?
	check_eq "init refuses id '$bad' (exit 2)" "$rc" 2
done
check "nothing was created for a bad id" test ! -e "$T/bad/nehzat.db"
nz init -D "$T/nat" --id IR --parent tcp://127.0.0.1:1 2>"$T/err"; rc=$?
check_eq "a national node with a parent is refused" "$rc" 1
check "and leaves nothing behind" test ! -e "$T/nat/nehzat.db"
nz init -D "$T/cty" --id IR-07-04 2>"$T/err"; rc=$?
check_eq "a county without a parent is refused" "$rc" 1
check_match "naming the key" "$(cat "$T/err")" "parent"
check "and leaves nothing behind" test ! -e "$T/cty/nehzat.db"
nz init 2>/dev/null; check_eq "init without -D is a usage error" "$?" 2

# Levels
nz init -D "$T/IR" --id IR >/dev/null
nz init -D "$T/P" --id IR-07 --parent ipc:///tmp/x >/dev/null
check_match "national level" "$(nz status -D "$T/IR" --json)" '"level": "national"'
check_match "province level" "$(nz status -D "$T/P" --json)" '"level": "province"'
check_match "county level" "$(nz status -D "$D" --json)" '"level": "county"'

# Every error in a config file is reported at once, and the node refuses to start.
cp "$D/nehzat.conf" "$T/good.conf"
printf '[sync]\nbogus = 1\n' >>"$D/nehzat.conf"
sed -i 's/^;interval = .*/interval = 0/; s/^;batch_bytes = .*/batch_bytes = lots/' "$D/nehzat.conf"
err=$(nz serve -D "$D" 2>&1); rc=$?
check_eq "serve refuses a bad config (exit 1)" "$rc" 1
check_match "names the unknown key" "$err" "unknown key 'bogus'"
check_match "names the out-of-range interval" "$err" "interval"
check_match "names the bad number" "$err" "batch_bytes"
check_eq "three errors, one line each" "$(grep -c '^nehzat: ' <<<"$err")" 3
cp "$T/good.conf" "$D/nehzat.conf"

# NEHZAT_DIR stands for -D
check_match "NEHZAT_DIR works" "$(NEHZAT_DIR=$D nz status --json)" '"id": "IR-07-03"'
nz status 2>/dev/null; check_eq "no directory is a usage error" "$?" 2
nz status -D "$T/nowhere" 2>"$T/err"; check_eq "a directory that is not a node fails" "$?" 1
check_match "and says how to make one" "$(cat "$T/err")" "nehzat init"

# Org units: national only; a bad row is reported with its line, nothing written.
if [ -f "$SHARED/data/iran_provinces.csv" ]; then
	nz orgunit import -D "$D" "$SHARED/data/iran_provinces.csv" 2>"$T/err"; rc=$?
	check_eq "a county may not import org units" "$rc" 1
	check_match "and is told who may" "$(cat "$T/err")" "national"
	out=$(nz orgunit import -D "$T/IR" "$SHARED/data/iran_provinces.csv")
	check_eq "national imports the provinces" "$out" "imported 31 org units from $SHARED/data/iran_provinces.csv"
	out=$(nz orgunit import -D "$T/IR" "$SHARED/data/iran_counties.csv")
	check_eq "and the counties" "$out" "imported 482 org units from $SHARED/data/iran_counties.csv"
	check_eq "county 0701 is IR-07-01 under IR-07" \
		"$(sqlite3 "$T/IR/nehzat.db" "SELECT parent FROM orgunit WHERE id = 'IR-07-01'")" IR-07
	check_eq "the list under IR-07" "$(nz orgunit list -D "$T/IR" --under IR-07 --json | grep -c '"id": "IR-07')" \
		"$(( $(grep -c '^07' "$SHARED/data/iran_counties.csv") + 1 ))"
	head=$(nz status -D "$T/IR" --json | grep -o '"log_head": [0-9]*')
	{ head -3 "$SHARED/data/iran_counties.csv"; echo "0799,07,بد,Bad,many"; } >"$T/bad.csv"
	nz orgunit import -D "$T/IR" "$T/bad.csv" 2>"$T/err"; rc=$?
	check_eq "a bad population is refused" "$rc" 1
	check_match "naming the file and line" "$(cat "$T/err")" "bad.csv:4: population 'many'"
	{ head -2 "$SHARED/data/iran_counties.csv"; echo "0801,07,بد,Bad,"; } >"$T/bad2.csv"
	nz orgunit import -D "$T/IR" "$T/bad2.csv" 2>"$T/err"
	check_match "a county under the wrong province is refused" "$(cat "$T/err")" "bad2.csv:3: province_code"
	printf 'a,b\n1,2\n' >"$T/bad3.csv"
	nz orgunit import -D "$T/IR" "$T/bad3.csv" 2>"$T/err"
	check_match "an unknown header is refused" "$(cat "$T/err")" "header"
	check_eq "nothing was written by the refused imports" \
		"$(nz status -D "$T/IR" --json | grep -o '"log_head": [0-9]*')" "$head"
else
	echo "# $SHARED/data absent: org-unit import checks skipped"
fi

# The first replicated record.
id=$(nz issue add -D "$D" --title "آب آشامیدنی" --description "قطعی مکرر")
check_match "issue add prints the new id" "$id" '^[0-9a-z]{17}$'
check_match "issue show" "$(nz issue show -D "$D" "$id" --json)" '"title": "آب آشامیدنی"'
check_match "issue list" "$(nz issue list -D "$D" --json)" "\"id\": \"$id\""
nz issue add -D "$D" 2>/dev/null; check_eq "issue add without a title is a usage error" "$?" 2
head=$(nz status -D "$D" --json | grep -o '"log_head": [0-9]*')
nz issue set -D "$D" "$id" nosuchfield=1 2>"$T/err"; rc=$?
check_eq "an unknown field is refused" "$rc" 1
check_match "naming it" "$(cat "$T/err")" "nosuchfield"
nz issue set -D "$D" "$id" people_affected=many 2>"$T/err"
check_match "a bad number is refused, naming the field" "$(cat "$T/err")" "people_affected"
nz issue show -D "$D" nosuchid 2>"$T/err"; check_eq "an unknown id fails" "$?" 1
check_eq "refusals changed nothing" "$(nz status -D "$D" --json | grep -o '"log_head": [0-9]*')" "$head"
check "issue set works" nz issue set -D "$D" "$id" people_affected=300
check_match "and shows" "$(nz issue show -D "$D" "$id" --json)" '"people_affected": 300'

# Digest: the same records give the same line; a change changes it.
d1=$(nz digest -D "$D"); d2=$(nz digest -D "$D" --subtree IR-07-03)
check_match "digest is 64 hex digits" "$d1" '^[0-9a-f]{64}$'
check_eq "the county's digest equals its own subtree's" "$d1" "$d2"
nz issue set -D "$D" "$id" people_affected=301 >/dev/null
check "a change changes the digest" test "$(nz digest -D "$D")" != "$d1"
nz digest -D "$D" --subtree XX 2>/dev/null; check_eq "a bad subtree is a usage error" "$?" 2

# Every command answers --help with exit 0; an unknown one is a usage error.
for c in $(nz --help | awk '/^commands:/ {on = 1; next} on && NF {print $1}'); do
	nz "$c" --help >/dev/null 2>&1; check_eq "nehzat $c --help exits 0" "$?" 0
done
nz frobnicate 2>/dev/null; check_eq "an unknown command is a usage error" "$?" 2
# Each subcommand has its own handler and options: SUB --help shows its synopsis only, an option of a
# sibling is refused (usage error), an unknown subcommand names the known ones.
for cs in "template show" "report submit" "approve pending" "indicator remove" "user enable"; do
	out=$(nz $cs --help 2>&1); check_eq "nehzat $cs --help exits 0" "$?" 0
	check_match "and shows its synopsis" "$out" "^usage: nehzat $cs -D DIR"
	check_eq "and no sibling's" "$(echo "$out" | grep -c '^usage:')" 1
done
out=$(nz template list -D "$D" --version 2 2>&1); check_eq "template list refuses show's --version" "$?" 2
check_match "naming it" "$out" "template list: unknown option '--version'"
out=$(nz report submit -D "$D" x --reason r 2>&1); check_eq "report submit refuses revise's --reason" "$?" 2
out=$(nz user list -D "$D" --name x 2>&1); check_eq "user list refuses --name" "$?" 2
out=$(nz approve frob 2>&1); check_eq "an unknown subcommand of approve exits 2" "$?" 2
check_match "naming the known ones" "$out" "approve: unknown subcommand 'frob' \(accept, return, period, pending, list\)"
nz 2>/dev/null; check_eq "no command is a usage error" "$?" 2

# serve runs in the foreground and exits 0 on SIGTERM and on SIGINT.
start n
check "serve logs its start" wait_for 10 grep -q "node.start id=IR-07-03" "$T/n.log"
check "serve exits 0 on SIGTERM" stop n
"$B" serve -D "$D" 2>>"$T/n.log" & pid=$!
wait_for 10 grep -q "node.start" "$T/n.log"
sleep 0.3; kill -INT $pid; wait $pid
check_eq "serve exits 0 on SIGINT" "$?" 0
finish
