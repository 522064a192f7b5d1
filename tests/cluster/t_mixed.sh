#!/usr/bin/env bash
# Two releases in one tree (proto/PROTOCOL.md §10): the program under test
# and the last release before enrolment and rotation, built here from git
# history.  An older parent with a newer child, and a newer parent with an
# older child, keep syncing both ways; the newer child's ROTATE and ENROL
# are refused by the older parent with a reason, and it goes on syncing with
# its key.  Skips cleanly where the git history is absent.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "the sqlite3 command-line tool is not installed"
top=$(cd "$(dirname "$0")/../.." && pwd)
git -C "$top" rev-parse --git-dir >/dev/null 2>&1 || skip_all "no git history to build the older release from"
# The older release: the commit before the key messages came (override: NEHZAT_OLD_REV).
rev=${NEHZAT_OLD_REV:-$(git -C "$top" log --format=%H -1 --grep='^Enrolment by a one-time code' 2>/dev/null)^}
rev=$(git -C "$top" rev-parse --verify -q "$rev^{commit}") || skip_all "the older release is not in this clone's history"
# Built once per revision, beside the build under test.
OLD=$(dirname "$B")/old-${rev:0:12}/nehzat
if [ ! -x "$OLD" ]; then
	src=$T/old-src
	mkdir -p "$src" && git -C "$top" archive "$rev" | tar -x -C "$src" ||
		skip_all "cannot extract $rev from git"
	# Unoptimised (CFLAGS from the environment replace its -O2 -g): it builds in a third of the CPU time,
	# and what it says on the wire is the same.
	CFLAGS=-O0 make -C "$src" -s -j2 build/nehzat >"$T/old-build.log" 2>&1 || { nok "build the older release"; cat "$T/old-build.log"; finish; exit; }
	mkdir -p "$(dirname "$OLD")" && cp "$src/build/nehzat" "$OLD.tmp" && mv "$OLD.tmp" "$OLD"
	rm -rf "$src"
fi
echo "# older: $("$OLD" --version 2>/dev/null || echo "commit ${rev:0:12} (no --version)")"
echo "# newer: $("$B" --version)"

# mk BIN ID: a node of that id made by BIN; its parent (made first) learns its key by hand.
declare -A bin
mk() {
	local b=$1 id=$2 p
	p=$(parent_of "$id")
	bin[$id]=$b
	"$b" init -D "$T/$id" --id "$id" --listen "$(url_of "$id")" ${p:+--parent "$(url_of "$p")"} >/dev/null || return 1
	sed -i -e 's/^;interval = .*/interval = 1/' -e 's/^;backoff_max = .*/backoff_max = 2/' \
		-e 's/^;timeout = .*/timeout = 5/' "$T/$id/nehzat.conf"
	if [ -n "$p" ] && [ -d "$T/$p" ]; then
		"${bin[$p]}" peer add -D "$T/$p" --id "$id" --key "$("$b" key -D "$T/$id")" >/dev/null &&
			"$b" peer add -D "$T/$id" --id "$p" --key "$("${bin[$p]}" key -D "$T/$p")" >/dev/null
	fi
}
run() { # run ID: serve with the node's own program
	env "${bin[$1]}" serve -D "$T/$1" 2>>"$T/$1.log" &
	echo $! >"$T/$1.pid"
}

mk "$OLD" IR-07 && mk "$B" IR-07-03 && mk "$B" IR-08 && mk "$OLD" IR-08-01 ||
	{ nok "make two trees of mixed releases"; finish; exit; }
for id in IR-07 IR-07-03 IR-08 IR-08-01; do run "$id"; done

i=$("$B" issue add -D "$T/IR-07-03" --title "از شهرستان نو به استان قدیم")
check "a newer county's problem reaches its older province" wait_sql IR-07 "SELECT count(*) FROM issue WHERE id = '$i'" 1 30
"$OLD" issue set -D "$T/IR-07" "$i" people_affected=300 >/dev/null
check "the older province's edit reaches the newer county" \
	wait_sql IR-07-03 "SELECT people_affected FROM issue WHERE id = '$i'" 300 30
j=$("$OLD" issue add -D "$T/IR-08-01" --title "از شهرستان قدیم به استان نو")
check "an older county's problem reaches its newer province" wait_sql IR-08 "SELECT count(*) FROM issue WHERE id = '$j'" 1 30
"$B" issue set -D "$T/IR-08" "$j" people_affected=400 >/dev/null
check "the newer province's edit reaches the older county" \
	wait_sql IR-08-01 "SELECT people_affected FROM issue WHERE id = '$j'" 400 30
check "older province and newer county agree" wait_same IR-07-03 IR-07 IR-07-03 30
check "newer province and older county agree" wait_same IR-08-01 IR-08 IR-08-01 30

# The newer county rotates its key: the older province does not know ROTATE.
"$B" key -D "$T/IR-07-03" rotate >/dev/null
check "the older province refuses ROTATE, saying why, and the county logs it" \
	wait_for 15 grep -q 'key.rotate parent=IR-07 result=refused reason=".*unknown message type 5' "$T/IR-07-03.log"
k=$("$B" issue add -D "$T/IR-07-03" --title "پس از چرخش ناپذیرفته")
check "the county goes on syncing with its key" wait_sql IR-07 "SELECT count(*) FROM issue WHERE id = '$k'" 1 30
check "its new key still waits" test -e "$T/IR-07-03/node.key.next"
# Enrolment against the older province: a code from the newer one pointed at it.
code=$("$B" peer invite -D "$T/IR-08" --id IR-08-02 --url "$(url_of IR-07)" | sed -n 's/^  \([0-9A-Z-]*\)$/\1/p')
out=$("$B" init --join "$code" -D "$T/IR-08-02" 2>&1)
check_match "a node refused by a node that does not know ENROL says so" "$out" "unknown message type 3"
check_fails "and leaves nothing behind" test -e "$T/IR-08-02"
# A newer province rotates its key: the older county skips the announcement (PROTOCOL.md §10),
# syncs on, and never acknowledges it, so the province waits for it until --finish.
out=$("$B" key -D "$T/IR-08" rotate)
check_match "the newer province announces a new key to its older county" "$out" "announces it to its 1 children"
check "and waits for it" wait_for 15 grep -q "key.rotate state=announcing-to-children waiting_for=1" "$T/IR-08.log"
"$B" issue set -D "$T/IR-08" "$j" people_affected=500 >/dev/null
check "the older county syncs on meanwhile" wait_sql IR-08-01 "SELECT people_affected FROM issue WHERE id = '$j'" 500 30
check_fails "without acknowledging" grep -q "key.ack child=IR-08-01" "$T/IR-08.log"
check "--finish stops waiting for it" "$B" key -D "$T/IR-08" rotate --finish
check "the province then goes on to its parent" \
	wait_for 15 grep -q "key.rotate parent=[^ ]* state=announcing forced=1" "$T/IR-08.log"
for id in IR-08-01 IR-08 IR-07-03 IR-07; do check "$id stops cleanly on SIGTERM" stop "$id"; done
finish
