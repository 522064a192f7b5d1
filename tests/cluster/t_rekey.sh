#!/usr/bin/env bash
# A parent's key rotated while its children sync (PROTOCOL.md §11, Rotation
# of a parent's key).  The province announces its next key in HELLO_OK; each
# county records it and acknowledges it; once both have, the province
# announces it to national (ROTATE) and switches.  Sync goes on throughout,
# nothing is sent again, and the old key is refused afterwards.  A second
# rotation with a county offline waits for it until 'key rotate --finish';
# that county then refuses the province until given the new key by hand.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "the sqlite3 command-line tool is not installed"

mktree IR IR-07 IR-07-03 IR-07-04 || exit 1
for id in IR IR-07 IR-07-03 IR-07-04; do start "$id"; done
key_is() { [ "$(nz key -D "$T/$1")" = "$2" ]; }
parent_key() { sql "$1" "SELECT lower(hex(pubkey)) || ':' || CASE WHEN pubkey_next IS NULL THEN '-' ELSE lower(hex(pubkey_next)) END FROM peer WHERE role = 'parent'"; }
parent_key_has() { [[ "$(parent_key "$1")" == *"$2"* ]]; }
parent_key_is() { [ "$(parent_key "$1")" = "$2" ]; }
issue() { nz issue add -D "$T/$1" --title "$2"; }
reaches_ir() { wait_sql IR "SELECT count(*) FROM issue WHERE id = '$1'" 1 30; }

a=$(issue IR-07-03 "پیش از چرخش"); b=$(issue IR-07-04 "پیش از چرخش")
check "both counties sync before" eval 'reaches_ir "$a" && reaches_ir "$b"'
old=$(nz key -D "$T/IR-07")
cp "$T/IR-07/node.key" "$T/old.key"
sent=$(sql IR "SELECT count(*) FROM oplog")
out=$(nz key -D "$T/IR-07" rotate)
check_match "the province makes a new key, to be announced to its 2 children" "$out" \
	"^new key [0-9a-f]{64} written to .*node.key.next; the running node announces it to its 2 children"
new=$(echo "$out" | sed -n 's/^new key \([0-9a-f]*\) .*/\1/p')
c=$(issue IR-07-03 "در میان چرخش"); d=$(issue IR-07-04 "در میان چرخش")
check "IR-07-03 keeps syncing while the key is announced" reaches_ir "$c"
check "IR-07-04 as well" reaches_ir "$d"
check "the province switches to the new key" wait_for 30 key_is IR-07 "$new"
check_fails "no next key is left waiting" test -e "$T/IR-07/node.key.next"
log=$(cat "$T/IR-07.log")
check_match "each county acknowledged it before the province announced it to national" "$log" \
	"key.ack child=IR-07-0[34].*key.ack child=IR-07-0[34].*key.rotate parent=[^ ]* state=announcing forced=0"
check_match "and switched when national recorded it" "$log" "key.rotate parent=[^ ]* state=announcing.*key.rotated parent=IR"
check "each county recorded the announced key" grep -q "parent.key_next parent=IR-07 state=recorded" "$T/IR-07-04.log"
e=$(issue IR-07-03 "پس از چرخش"); f=$(issue IR-07-04 "پس از چرخش")
check "IR-07-03 syncs on after the switch" reaches_ir "$e"
check "IR-07-04 as well" reaches_ir "$f"
check_eq "nothing was sent again: each change once in national's log" "$(sql IR "SELECT count(*) FROM oplog")" \
	"$((sent + 4))"
check "the province stops" stop IR-07
start IR-07
for id in IR-07-03 IR-07-04; do
	check "$id, in its next session, makes the new key the province's, forgetting the old" \
		wait_for 20 parent_key_is "$id" "$new:-"
done
check "logging parent.rotated" grep -q "parent.rotated parent=IR-07" "$T/IR-07-03.log"
check "national too holds only the new key" \
	wait_sql IR "SELECT lower(hex(pubkey)) || ':' || ifnull(pubkey_next, '-') FROM peer WHERE id = 'IR-07'" "$new:-" 20
g=$(issue IR-07-04 "پس از راه‌اندازی دوباره")
check "and sync goes on" reaches_ir "$g"

# The old key is refused from then on (a province come back with it: a stolen backup).
check "the province stops" stop IR-07
cp "$T/IR-07/node.key" "$T/new.key" && cp "$T/old.key" "$T/IR-07/node.key"
start IR-07
check "a county refuses the province signing with its old key" \
	wait_for 20 grep -q "parent's signature does not verify with its registered key" "$T/IR-07-03.log"
check "national refuses it" wait_for 20 grep -q "sync.auth child=IR-07 result=bad-signature" "$T/IR.log"
check "the province stops" stop IR-07
cp "$T/new.key" "$T/IR-07/node.key"
start IR-07
h=$(issue IR-07-03 "کلید درست")
check "with the new key back, sync goes on" reaches_ir "$h"

# A second rotation while a county is offline: the province waits for it, until --finish.
mknode IR-07-05 && start IR-07-05
i=$(issue IR-07-05 "شهرستان تازه")
check "a third county joins and syncs" reaches_ir "$i"
check "and goes offline" stop IR-07-05
check_fails "--finish without a rotation under way is refused" nz key -D "$T/IR-07" rotate --finish
new2=$(nz key -D "$T/IR-07" rotate | sed -n 's/^new key \([0-9a-f]*\) .*/\1/p')
for id in IR-07-03 IR-07-04; do
	check "$id records the second key" wait_for 20 parent_key_is "$id" "$new:$new2"
done
check "the province waits for the offline county" \
	wait_for 20 grep -q "key.rotate state=announcing-to-children waiting_for=1" "$T/IR-07.log"
sleep 2
check "and keeps its key meanwhile" key_is IR-07 "$new"
j=$(issue IR-07-04 "در انتظار")
check "while sync goes on" reaches_ir "$j"
out=$(nz key -D "$T/IR-07" rotate --finish)
check_match "--finish says what the county that did not acknowledge needs" "$out" "peer add --id IR-07 --key NEW"
check "the province switches" wait_for 30 key_is IR-07 "$new2"
check "saying it did not wait" grep -q "key.rotate parent=[^ ]* state=announcing forced=1" "$T/IR-07.log"
k=$(issue IR-07-03 "پس از پایان")
check "the counties that acknowledged sync on" reaches_ir "$k"
start IR-07-05
check "the offline county, back, refuses the new key it never saw" \
	wait_for 20 grep -q "parent's signature does not verify with its registered key" "$T/IR-07-05.log"
check "given the new key by hand" nz peer add -D "$T/IR-07-05" --id IR-07 --key "$new2"
m=$(issue IR-07-05 "کلید دستی")
check "it syncs again" reaches_ir "$m"

# National, which has no parent, switches as soon as its one child has acknowledged.
n1=$(nz key -D "$T/IR" rotate | sed -n 's/^new key \([0-9a-f]*\) .*/\1/p')
check "national switches to its new key" wait_for 30 key_is IR "$n1"
check "once the province had acknowledged it" grep -q "key.ack child=IR-07" "$T/IR.log"
check "the province holds national's new key" wait_for 20 parent_key_has IR-07 "$n1"
n=$(issue IR-07-03 "پس از چرخش کلید کشور")
check "and sync goes on through the tree" reaches_ir "$n"
for id in IR-07-05 IR-07-04 IR-07-03 IR-07 IR; do check "$id stops cleanly on SIGTERM" stop "$id"; done
finish
