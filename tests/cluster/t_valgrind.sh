#!/usr/bin/env bash
# A parent and a child under valgrind: a full sync, the parent's web UI loaded
# by its first page, then a clean shutdown, with no invalid access and no
# definite leak.
source "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || skip_all "valgrind is not installed"
[ -n "${NEHZAT_SKIP_VALGRIND:-}" ] && skip_all "NEHZAT_SKIP_VALGRIND is set"

VG="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --quiet"
mktree IR-07 IR-07-03 || { nok "make the tree"; finish; exit; }
sed -i 's/^timeout = .*/timeout = 30/' "$T"/*/nehzat.conf
# The web UI on a free port: its library is loaded at the first connection, under valgrind too.
for _ in $(seq 1 20); do
	P=$((20000 + RANDOM % 30000))
	(exec 3<>"/dev/tcp/127.0.0.1/$P") 2>/dev/null || break
done
sed -i "s/^http = .*/http = 127.0.0.1:$P/" "$T/IR-07/nehzat.conf"
for i in 1 2 3; do nz issue add -D "$(dir_of IR-07-03)" --title "problem $i" >/dev/null; done
$VG --log-file="$T/vg-parent.log" "$B" serve -D "$(dir_of IR-07)" 2>>"$T/IR-07.log" &
echo $! >"$T/IR-07.pid"
check "the parent comes up under valgrind" wait_for 60 test -S "$T/IR-07.sock"
$VG --log-file="$T/vg-child.log" "$B" sync -D "$(dir_of IR-07-03)" --once 2>"$T/child.log"
check_eq "sync --once under valgrind exits 0" "$?" 0
check_eq "the changes arrived" "$(sql IR-07 "SELECT count(*) FROM issue")" 3
check_eq "the first page, libmicrohttpd loaded for it" \
	"$(curl -s -m 60 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/")" 200
check_eq "and the next" "$(curl -s -m 30 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/api/v1/nothing")" 404
check "the parent exits 0 under valgrind" stop IR-07
check_eq "valgrind saw nothing in the child" "$(grep -c '==[0-9]*== [A-Z]' "$T/vg-child.log")" 0
check_eq "valgrind saw nothing in the parent" "$(grep -c '==[0-9]*== [A-Z]' "$T/vg-parent.log")" 0
finish
