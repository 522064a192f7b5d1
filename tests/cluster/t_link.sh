#!/usr/bin/env bash
# A link that dies without a word.  A county and its province in two network
# namespaces joined by a veth pair; the line goes down (the province's end of
# the pair, so the county's TCP is told nothing) while the county writes.
# The county must notice the dead line by itself, keep its connection, and
# when the line returns carry on where it stopped: the offline write arrives
# on the same session, with no new handshake.
#
# Skips where network namespaces cannot be made (not root, no veth).
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "the sqlite3 command-line tool is not installed"
[ "$(id -u)" -eq 0 ] || skip_all "network namespaces need root"
command -v ip >/dev/null || skip_all "ip (iproute2) is not installed"
NA=nzlA$$ NB=nzlB$$
trap 'cleanup; ip netns del "$NA" 2>/dev/null; ip netns del "$NB" 2>/dev/null' EXIT
ip netns add "$NA" 2>/dev/null && ip netns add "$NB" 2>/dev/null || skip_all "network namespaces are not permitted here"
ip link add "$NA" netns "$NA" type veth peer name "$NB" netns "$NB" 2>/dev/null || skip_all "veth is not available"
ip -n "$NA" link set lo up && ip -n "$NB" link set lo up &&
	ip -n "$NA" addr add 10.214.0.1/30 dev "$NA" && ip -n "$NB" addr add 10.214.0.2/30 dev "$NB" &&
	ip -n "$NA" link set "$NA" up && ip -n "$NB" link set "$NB" up || skip_all "cannot configure the veth pair"

P=$T/IR-07 C=$T/IR-07-03
nz init -D "$P" --id IR-07 --listen tcp://10.214.0.1:7401 --parent "ipc://$T/no-national" >/dev/null &&
	nz init -D "$C" --id IR-07-03 --parent tcp://10.214.0.1:7401 >/dev/null
check "a province and a county in two namespaces" test -f "$C/nehzat.db"
# Quick rounds; a request that moves nothing for 2 s means a dead line.
sed -i -e 's/^;interval = .*/interval = 1/' -e 's/^;timeout = .*/timeout = 2/' "$P/nehzat.conf" "$C/nehzat.conf"
nz peer add -D "$P" --id IR-07-03 --key "$(nz key -D "$C")" >/dev/null
nz peer add -D "$C" --id IR-07 --key "$(nz key -D "$P")" >/dev/null
for id in IR-07:"$NA" IR-07-03:"$NB"; do
	ip netns exec "${id#*:}" "$B" serve -D "$T/${id%%:*}" 2>>"$T/${id%%:*}.log" &
	echo $! >"$T/${id%%:*}.pid"
done

first=$(nz issue add -D "$C" --title "پیش از قطع خط")
check "a problem reaches the province over the line" \
	wait_sql IR-07 "SELECT count(*) FROM issue WHERE id = '$first'" 1 30
sessions=$(grep -c 'sync.connected' "$T/IR-07-03.log")

ip -n "$NA" link set "$NA" down
sleep 1
offline=$(nz issue add -D "$C" --title "نوشته شده بی خط")
check "the county notices the dead line by itself and keeps its connection" \
	wait_for 20 grep -q 'sync.retry .*connection=kept' "$T/IR-07-03.log"
check_eq "the province has not seen the offline write" \
	"$(sql IR-07 "SELECT count(*) FROM issue WHERE id = '$offline'")" 0

ip -n "$NA" link set "$NA" up
check "the offline write arrives once the line is back" \
	wait_sql IR-07 "SELECT count(*) FROM issue WHERE id = '$offline'" 1 30
check "the county says the stalled request moves again" grep -q 'sync.resumed' "$T/IR-07-03.log"
check_eq "on the same session: no new handshake" "$(grep -c 'sync.connected' "$T/IR-07-03.log")" "$sessions"
check "county and province agree on the county's records" wait_same IR-07-03 IR-07 IR-07-03 20
for id in IR-07-03 IR-07; do check "$id stops cleanly on SIGTERM" stop "$id"; done
finish
