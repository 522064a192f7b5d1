#!/usr/bin/env bash
# A county laptop in the wrong hands must not hurt anyone else (issue 15).
# Real nodes; the rogue is a registered child whose database was tampered
# with (sqlite3), so every message it sends is properly signed.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# hlc_ms ID: the physical part, in ms, of a node's persisted clock
hlc_ms() { echo $(($(nz status -D "$(dir_of "$1")" --json | sed -n 's/.*"hlc": *"\([^"]*\)".*/\1/p' |
	sed 's/\.\([0-9]*\)Z+.*/ \1/' | { read -r t ms; echo "$(date -u -d "$t" +%s)$ms"; }))); }

# ---- files: private whatever the directory's mode ----
mkdir -m 755 "$T/open"
(umask 022 && nz init -D "$T/open" --id IR >/dev/null)
(umask 022 && nz issue add -D "$T/open" --title "a record" >/dev/null)
check_eq "the database is created 0600 under umask 022" "$(stat -c %a "$T/open/nehzat.db")" 600
check_eq "and the key" "$(stat -c %a "$T/open/node.key")" 600
chmod 644 "$T/open/nehzat.db"
out=$(nz status -D "$T/open" 2>&1)
check_match "a database readable by others stops the node, saying how to fix it" "$out" \
	"database '.*nehzat.db' can be read by other users \(mode 0644\): run 'chmod 600 .*nehzat.db'"
chmod 600 "$T/open/nehzat.db"
chmod 640 "$T/open/node.key"
out=$(nz status -D "$T/open" 2>&1)
check_match "so does a key readable by its group" "$out" "node key .* \(mode 0640\): run 'chmod 600 "
chmod 600 "$T/open/node.key"
check "with both fixed it starts" nz status -D "$T/open"
chmod 700 "$T/open" && chmod 644 "$T/open/nehzat.db"
check "behind a directory only its owner may enter, a node of an earlier release starts" nz status -D "$T/open"

mktree IR-07 IR-07-03 IR-07-04 || { nok "make the tree"; finish; exit; }
start IR-07
check "the province is up" wait_for 10 test -S "$T/IR-07.sock"
check "the county syncs" nz sync -D "$(dir_of IR-07-03)" --once
check_eq "the serving province's WAL is 0600" "$(stat -c %a "$T/IR-07/nehzat.db-wal")" 600

# ---- anyone who reaches the sync port, pipelining requests and reading nothing ----
# NNG's ipc framing: the SP header (REQ is protocol 48), then per message a
# 1-byte type, an 8-byte length, the REQ request id, the body (garbage here).
if command -v python3 >/dev/null; then
	# It stops by itself after 8 s, between messages: one killed in the middle
	# of a handshake would trip NNG 1.5.2's ipc listener (see t_hostile.sh).
	python3 - "$T/IR-07.sock" 8 >"$T/pipeliner.out" 2>&1 <<'PY' &
import socket, struct, sys, time
path, secs = sys.argv[1], float(sys.argv[2])
end, conns, sent = time.time() + secs, 0, 0
while time.time() < end:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        s.sendall(b"\x00SP\x00\x00\x30\x00\x00")
        conns += 1
        for i in range(50000):
            body = struct.pack(">I", 0x80000000 | (i + 1)) + b"\x93\x01\x10" + b"x" * 40
            s.sendall(b"\x01" + struct.pack(">Q", len(body)) + body)
            sent += 1
            if time.time() > end:
                break
    except OSError:
        pass
    s.close()
print("connections", conns, "requests", sent)
PY
	attacker=$!
	sleep 2
	nz issue add -D "$(dir_of IR-07-03)" --title "while the port is flooded" >/dev/null
	t0=$SECONDS
	check "a real child syncs while a peer pipelines without reading" \
		timeout 20 "$B" sync -D "$(dir_of IR-07-03)" --once
	check "within seconds, while the flood goes on" test $((SECONDS - t0)) -le 5
	echo "# the child's sync took $((SECONDS - t0)) s under the flood"
	check_eq "its change arrived" \
		"$(sql IR-07 "SELECT count(*) FROM issue WHERE title = 'while the port is flooded'")" 1
	wait "$attacker"
	echo "# pipeliner: $(cat "$T/pipeliner.out")"
	check_match "the province cut the pipeliner" "$(cat "$T/IR-07.log")" "net.server pipe=[0-9]+ action=cut"
	check "and is still running" kill -0 "$(cat "$T/IR-07.pid")"
else
	ok "# SKIP python3 is not installed: no raw client to pipeline"
fi

# ---- a HELLO claiming the province's sequence 2^63-1 ----
sql IR-07-03 "INSERT INTO oplog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via)
	VALUES ('IR-07', 9223372036854775807, 1, 'issue', 'zz', 'IR-07', 0, 'x', x'80', 'IR-07')"
m=$(sql IR-07 "SELECT coalesce(max(origin_seq), 0) FROM oplog WHERE origin = 'IR-07'")
for i in 1 2 3 4 5 6; do # the listener may have gone deaf meanwhile: its guard listens again within 8 s
	out=$(nz sync -D "$(dir_of IR-07-03)" --once 2>&1)
	[[ $out =~ seen_parent_seq ]] && break
	sleep 2
done
check_match "a HELLO with seen_parent_seq 2^63-1 is refused" "$out" "seen_parent_seq 9223372036854775807 is above"
check "the province still writes" nz issue add -D "$(dir_of IR-07)" --title "still writing"
check_eq "with the next sequence" \
	"$(sql IR-07 "SELECT origin_seq FROM oplog WHERE origin = 'IR-07' ORDER BY seq DESC LIMIT 1")" $((m + 1))
sql IR-07-03 "DELETE FROM oplog WHERE rid = 'zz'"
check "and its child syncs again" nz sync -D "$(dir_of IR-07-03)" --once

# ---- a county spoofing its sibling's origin (and the national's) ----
# IR-07-04 forges three changes of origin IR-07-03, sequences 1-3, on records
# it owns, and one of origin IR: each would take the victim's numbers.
nz issue add -D "$(dir_of IR-07-04)" --title "the rogue's own" >/dev/null
# (Their values are a map of their own: the rogue's entry refers to its row for its values, schema 6.)
sql IR-07-04 "INSERT INTO oplog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via)
	SELECT 'IR-07-03', n, hlc + n, tbl, 'spoof' || n, owner, dir, author, x'81a57469746c65a3616263', '' FROM oplog,
	(SELECT 1 AS n UNION SELECT 2 UNION SELECT 3) WHERE origin = 'IR-07-04';
	INSERT INTO oplog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via)
	SELECT 'IR', 1, hlc + 9, tbl, 'spoofir', owner, dir, author, x'81a57469746c65a3616263', '' FROM oplog
	WHERE origin = 'IR-07-04' AND origin_seq = 1"
check "the rogue syncs (its own change is taken)" nz sync -D "$(dir_of IR-07-04)" --once
check_eq "the spoofed changes are refused and kept" \
	"$(sql IR-07 "SELECT count(*) FROM quarantine WHERE peer = 'IR-07-04' AND origin IN ('IR-07-03', 'IR')")" 4
check_match "with a reason that blames the rogue" \
	"$(nz quarantine list -D "$(dir_of IR-07)" --json)" "IR-07-04 may not send changes of origin IR-07-03"
check_eq "none is applied" "$(sql IR-07 "SELECT count(*) FROM issue WHERE id LIKE 'spoof%'")" 0
for i in 1 2 3; do nz issue add -D "$(dir_of IR-07-03)" --title "victim $i" >/dev/null; done
check "the victim syncs" nz sync -D "$(dir_of IR-07-03)" --once
check_eq "its three records arrive" "$(sql IR-07 "SELECT count(*) FROM issue WHERE title LIKE 'victim %'")" 3
check_eq "none of its changes is quarantined" \
	"$(sql IR-07 "SELECT count(*) FROM quarantine WHERE peer = 'IR-07-03'")" 0

# ---- a county whose clock is a day ahead ----
day=$((86400 * 1000))
id=$(NEHZAT_CLOCK_SKEW_MS=$day nz issue add -D "$(dir_of IR-07-03)" --title "written a day ahead")
out=$(NEHZAT_CLOCK_SKEW_MS=$day nz sync -D "$(dir_of IR-07-03)" --once 2>&1)
check_match "the county is told its clock is a day ahead" "$out" "this computer's clock is 1 d 0 h ahead of IR-07's"
check_match "its status says so, and how to fix it" "$(nz status -D "$(dir_of IR-07-03)")" \
	"clock is 1 d 0 h ahead.*fix it"
check_eq "the change waits at the county" "$(sql IR-07 "SELECT count(*) FROM issue WHERE id = '$id'")" 0
check "the province's clock did not move" test "$(hlc_ms IR-07)" -lt $(($(now_ms) + 60000))
check "a sibling syncs" nz sync -D "$(dir_of IR-07-04)" --once
check "nor did the sibling's" test "$(hlc_ms IR-07-04)" -lt $(($(now_ms) + 60000))
# The clock is set right: its unsent change gets a sane clock and goes up.
check "with its clock fixed the county syncs" nz sync -D "$(dir_of IR-07-03)" --once
check_eq "its change arrives" "$(sql IR-07 "SELECT count(*) FROM issue WHERE id = '$id'")" 1
check "with a sane clock" test "$(sql IR-07 "SELECT max(hlc) / 65536 FROM oplog")" -lt $(($(now_ms) + 60000))
check "and the county's own clock is sane again" test "$(hlc_ms IR-07-03)" -lt $(($(now_ms) + 60000))
nz issue edit -D "$(dir_of IR-07-03)" "$id" --title "edited after the fix" >/dev/null 2>&1 ||
	sql IR-07-03 "SELECT 1" >/dev/null
check "its next edit goes up too" nz sync -D "$(dir_of IR-07-03)" --once

# ---- a county that floods its parent's quarantine ----
sed -i 's/^;quarantine_max = .*/quarantine_max = 100/' "$T/IR-07/nehzat.conf"
stop IR-07
start IR-07
check "the province is up again" wait_for 10 test -S "$T/IR-07.sock"
forge() { # forge FROM N: N changes under its sibling's origin
	sql IR-07-04 "WITH RECURSIVE k(n) AS (SELECT $1 UNION ALL SELECT n + 1 FROM k WHERE n < $1 + $2 - 1)
		INSERT INTO oplog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via)
		SELECT 'IR-07-03', 1000 + n, (SELECT max(hlc) FROM oplog) + n, 'issue', 'flood' || n, 'IR-07-04', 0,
		'x', x'81a57469746c65a3616263', '' FROM k"
}
q0=$(sql IR-07 "SELECT count(*) FROM quarantine WHERE peer = 'IR-07-04'")
forge 1 60
nz sync -D "$(dir_of IR-07-04)" --once >/dev/null 2>&1
check_eq "refused changes are kept up to the limit" \
	"$(sql IR-07 "SELECT count(*) FROM quarantine WHERE peer = 'IR-07-04'")" $((q0 + 60))
forge 61 60
out=$(nz sync -D "$(dir_of IR-07-04)" --once 2>&1)
check_match "beyond it the county is refused with the reason" "$out" "keeps at most 100 refused changes"
check_eq "and the quarantine does not grow" \
	"$(sql IR-07 "SELECT count(*) FROM quarantine WHERE peer = 'IR-07-04'")" $((q0 + 60))
check "the victim still syncs" nz sync -D "$(dir_of IR-07-03)" --once
check_match "an operator who reviewed them clears them" "$(nz quarantine clear -D "$(dir_of IR-07)" --peer IR-07-04)" \
	"cleared $((q0 + 60)) refused changes from IR-07-04"
check "and the county pushes again" nz sync -D "$(dir_of IR-07-04)" --once
check_eq "its next refusals are kept" \
	"$(sql IR-07 "SELECT count(*) FROM quarantine WHERE peer = 'IR-07-04'")" 60
check "the province exits cleanly" stop IR-07
finish
