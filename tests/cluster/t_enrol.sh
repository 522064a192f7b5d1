#!/usr/bin/env bash
# Enrolment by one-time codes only (no key is copied by hand): national
# invites a province, the province two counties; each joins with its code.
# Reused, expired, forged and superseded codes are refused with a reason and
# leave nothing behind.  One county is revoked: its next sync is refused, the
# other goes on.  The other rotates its key: sync goes on, before and after a
# restart, and nothing is sent again.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "the sqlite3 command-line tool is not installed"

fast() { sed -i -e 's/^;interval = .*/interval = 1/' -e 's/^;backoff_max = .*/backoff_max = 2/' \
	-e 's/^;timeout = .*/timeout = 5/' "$T/$1/nehzat.conf"; }
# invite PARENT CHILD: prints the grouped code
invite() { nz peer invite -D "$T/$1" --id "$2" | sed -n 's/^  \([0-9A-Z-]*\)$/\1/p'; }

nz init -D "$T/IR" --id IR --listen "$(url_of IR)" >/dev/null && fast IR
start IR
code=$(invite IR IR-07)
check_match "national prints a code in groups of four" "$code" '^([0-9A-Z]{4}-){7,}[0-9A-Z]{1,4}$'
qr=$(nz peer invite -D "$T/IR" --id IR-07 --json | sed -n 's/.*"qr": "\(.*\)".*/\1/p')
check_match "and a QR text of the same alphabet" "$qr" '^[0-9A-Z]{40,}$'
out=$(nz init --join "$code" -D "$T/IR-07" --listen "$(url_of IR-07)" 2>&1)
check_match "a code replaced by a newer invitation is refused, saying why" "$out" "does not match IR's invitation for IR-07"
check_fails "and leaves nothing behind" test -e "$T/IR-07"
out=$(nz init --join "$qr" -D "$T/IR-07" --listen "$(url_of IR-07)" 2>&1)
check_match "the province joins with the QR text" "$out" "^joined: province node IR-07 in $T/IR-07, enrolled with IR"
fast IR-07
check_eq "it pinned national's key, the one 'nehzat key' prints there" \
	"$(sql IR-07 "SELECT lower(hex(pubkey)) FROM peer WHERE id = 'IR' AND role = 'parent'")" "$(nz key -D "$T/IR")"
check_eq "national registered the province's key" \
	"$(sql IR "SELECT lower(hex(pubkey)) FROM peer WHERE id = 'IR-07' AND role = 'child'")" "$(nz key -D "$T/IR-07")"
out=$(nz init --join "$qr" -D "$T/again" 2>&1)
check_match "a used code is refused, saying when it was used" "$out" "IR refused: the code for IR-07 was already used, at "
check_fails "and leaves nothing behind" test -e "$T/again"
start IR-07

c3=$(invite IR-07 IR-07-03)
c4=$(invite IR-07 IR-07-04)
bad=${c3:0:5}$( [ "${c3:5:1}" = A ] && echo B || echo A )${c3:6}
out=$(nz init --join "$bad" -D "$T/IR-07-03" 2>&1); rc=$?
check_match "a mistyped code is refused before anything is sent" "$out" "check characters do not match: mistyped or forged"
check_eq "with exit status 1" "$rc" 1
check_fails "and leaves nothing behind" test -e "$T/IR-07-03"
sqlite3 "$T/IR-07/nehzat.db" "UPDATE invite SET expires = 1 WHERE child = 'IR-07-04'"
out=$(nz init --join "$c4" -D "$T/IR-07-04" 2>&1)
check_match "an expired code is refused, saying since when" "$out" "the code for IR-07-04 expired at 1970-01-01T00:00:00Z"
check_fails "and leaves nothing behind" test -e "$T/IR-07-04"
c4=$(invite IR-07 IR-07-04)
check "county IR-07-03 joins by its code" nz init --join "$c3" -D "$T/IR-07-03"
check "county IR-07-04 joins by its code" nz init --join "$c4" -D "$T/IR-07-04"
fast IR-07-03; fast IR-07-04
check_match "the province's status lists its invitations, used" "$(nz status -D "$T/IR-07")" \
	"invitation IR-07-03 until [-0-9T:]+Z, used"$'\n'"invitation IR-07-04 until [-0-9T:]+Z, used"
start IR-07-03; start IR-07-04
i3=$(nz issue add -D "$T/IR-07-03" --title "کمبود آب")
i4=$(nz issue add -D "$T/IR-07-04" --title "اعتیاد")
check "IR-07-03's problem reaches national" wait_sql IR "SELECT count(*) FROM issue WHERE id = '$i3'" 1 30
check "IR-07-04's problem reaches national" wait_sql IR "SELECT count(*) FROM issue WHERE id = '$i4'" 1 30
check_match "the province logged both enrolments" "$(cat "$T/IR-07.log")" "peer.enrolled child=IR-07-03.*peer.enrolled child=IR-07-04|peer.enrolled child=IR-07-04.*peer.enrolled child=IR-07-03"

# Revocation: a stolen computer.
out=$(nz peer revoke -D "$T/IR-07" --id IR-07-03)
check_match "the province revokes IR-07-03's key" "$out" "^revoked IR-07-03"
late=$(nz issue add -D "$T/IR-07-03" --title "پس از ابطال")
check "the revoked county's next sync is refused, with the reason" \
	wait_for 15 grep -q "sync.retry.*the key of IR-07-03 was revoked at .* by IR-07" "$T/IR-07-03.log"
check "the province says so in its log" grep -q "sync.auth child=IR-07-03 result=revoked" "$T/IR-07.log"
check_eq "and on its status (the UI's peer list)" \
	"$(nz status -D "$T/IR-07" --json | grep -A20 '"id": "IR-07-03"' | sed -n 's/.*"last_error": "\(.*\)".*/\1/p' | head -1)" \
	"key revoked: every request refused"
check_match "with the time of the revocation (the web UI marks the peer)" \
	"$(nz status -D "$T/IR-07" --json | grep -A20 '"id": "IR-07-03"' | grep '"revoked"' | head -1)" '"revoked": [1-9][0-9]{12}'
check_eq "what it wrote after the revocation is not taken" \
	"$(sql IR-07 "SELECT count(*) FROM issue WHERE id = '$late'")" 0
other=$(nz issue add -D "$T/IR-07-04" --title "پس از ابطال دیگری")
check "the other county is unaffected" wait_sql IR "SELECT count(*) FROM issue WHERE id = '$other'" 1 30
check_fails "revoking it twice is refused" nz peer revoke -D "$T/IR-07" --id IR-07-03
# The county's new computer: a new invitation, a new node, its records back from the province.
check "the stolen county is stopped" stop IR-07-03
rm -rf "$T/IR-07-03"
c3=$(invite IR-07 IR-07-03)
check "a new invitation enrols the county's new computer" nz init --join "$c3" -D "$T/IR-07-03"
fast IR-07-03
start IR-07-03
check "it gets back from the province what the old one had sent" \
	wait_sql IR-07-03 "SELECT count(*) FROM issue WHERE id = '$i3'" 1 30
i8=$(nz issue add -D "$T/IR-07-03" --title "از رایانه تازه")
check "and what it writes reaches national" wait_sql IR "SELECT count(*) FROM issue WHERE id = '$i8'" 1 30
check_eq "the province took its new key: no longer revoked" \
	"$(sql IR-07 "SELECT revoked FROM peer WHERE id = 'IR-07-03'")" 0
check_eq "no change is numbered twice" \
	"$(sql IR-07 "SELECT count(*) FROM (SELECT 1 FROM oplog GROUP BY origin, origin_seq HAVING count(*) > 1)")" 0

# Rotation: a new key, announced signed by the old one.
old=$(nz key -D "$T/IR-07-04")
sent=$(sql IR-07 "SELECT count(*) FROM oplog WHERE origin = 'IR-07-04'")
stop IR-07-04 # so that the waiting key can be seen
out=$(nz key -D "$T/IR-07-04" rotate)
check_match "status shows the new key waiting" "$(nz status -D "$T/IR-07-04")" "key +a new key waits to be announced"
start IR-07-04
check_match "IR-07-04 makes a new key" "$out" "^new key [0-9a-f]{64} written to"
new=$(echo "$out" | sed -n 's/^new key \([0-9a-f]*\) .*/\1/p')
key_is() { [ "$(nz key -D "$T/$1")" = "$2" ]; }
check "the running node announces it and takes it" wait_for 15 key_is IR-07-04 "$new"
check_fails "no next key is left waiting" test -e "$T/IR-07-04/node.key.next"
check_eq "the province recorded it as the next key" \
	"$(sql IR-07 "SELECT lower(hex(pubkey_next)) FROM peer WHERE id = 'IR-07-04'")" "$new"
i5=$(nz issue add -D "$T/IR-07-04" --title "پس از چرخش کلید")
check "sync goes on" wait_sql IR "SELECT count(*) FROM issue WHERE id = '$i5'" 1 30
check "IR-07-04 stops" stop IR-07-04
start IR-07-04
i6=$(nz issue add -D "$T/IR-07-04" --title "پس از راه‌اندازی دوباره")
check "after a restart, signed by the new key, sync goes on" wait_sql IR "SELECT count(*) FROM issue WHERE id = '$i6'" 1 30
check_eq "the province now holds only the new key" \
	"$(sql IR-07 "SELECT lower(hex(pubkey)) || ':' || ifnull(pubkey_next, '-') FROM peer WHERE id = 'IR-07-04'")" "$new:-"
check "the province logged the rotation" grep -q "peer.rotated child=IR-07-04" "$T/IR-07.log"
new2=$(nz key -D "$T/IR-07-04" rotate | sed -n 's/^new key \([0-9a-f]*\) .*/\1/p')
check "a key rotated while the node runs is announced and taken as well" wait_for 15 key_is IR-07-04 "$new2"
i7=$(nz issue add -D "$T/IR-07-04" --title "پس از چرخش دوم")
check "and sync goes on" wait_sql IR "SELECT count(*) FROM issue WHERE id = '$i7'" 1 30
check_eq "nothing was sent again: each change once in the province's log" \
	"$(sql IR-07 "SELECT count(*) FROM oplog WHERE origin = 'IR-07-04'")" "$((sent + 3))"
check "the key changed" test "$old" != "$new"
for id in IR-07-04 IR-07-03 IR-07 IR; do check "$id stops cleanly on SIGTERM" stop "$id"; done
finish
