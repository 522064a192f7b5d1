#!/usr/bin/env bash
# make run: the embedded default.  A county secretariat (IR-07-03) serving in
# the foreground, with its province (IR-07) and the national node beside it
# in the background, so that the national standards (criteria, categories,
# templates) the county works under reach it as they would from Tehran.  All
# live under .nehzat/; a second `make run` reuses them.
# Usage: node/run-default.sh NEHZAT_BINARY
set -u
B=$1
D=${NEHZAT_RUN_DIR:-.nehzat}
C=$D/node P=$D/province N=$D/national
mkdir -p "$D"
if [ ! -f "$N/nehzat.conf" ]; then
	"$B" init -D "$N" --id IR --listen "ipc://$PWD/$N/sync.sock" --http 127.0.0.1:8090 >/dev/null || exit 1
	"$(dirname "$0")/seed-national.sh" "$B" "$N" || exit 1
fi
if [ ! -f "$P/nehzat.conf" ]; then
	"$B" init -D "$P" --id IR-07 --parent "ipc://$PWD/$N/sync.sock" --listen "ipc://$PWD/$P/sync.sock" \
		--http 127.0.0.1:8091 >/dev/null || exit 1
	"$B" peer add -D "$P" --id IR --key "$("$B" key -D "$N")" >/dev/null
	"$B" peer add -D "$N" --id IR-07 --key "$("$B" key -D "$P")" >/dev/null
fi
if [ ! -f "$C/nehzat.conf" ]; then
	"$B" init -D "$C" --id IR-07-03 --parent "ipc://$PWD/$P/sync.sock" >/dev/null || exit 1
	sed -i 's/^;interval = .*/interval = 1/' "$C/nehzat.conf"
	"$B" peer add -D "$C" --id IR-07 --key "$("$B" key -D "$P")" >/dev/null
	"$B" peer add -D "$P" --id IR-07-03 --key "$("$B" key -D "$C")" >/dev/null
	pw=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 12)
	(umask 077 && printf '%s\n' "$pw" >"$C/admin-password")
	"$B" user add -D "$C" --name admin --role admin --full-name "دبیر شهرستان" \
		--password-file "$C/admin-password" >/dev/null || exit 1
fi
"$B" serve -D "$N" 2>>"$D/national.log" &
npid=$!
"$B" serve -D "$P" 2>>"$D/province.log" &
ppid=$!
trap 'kill $npid $ppid 2>/dev/null; wait $npid $ppid 2>/dev/null' EXIT
cat <<TXT

nehzat: county secretariat IR-07-03 in $C
  web UI   http://127.0.0.1:8080/   user: admin   password: $(cat "$C/admin-password")
           (kept in $C/admin-password; change it with: $B user passwd -D $C --name admin)
  its province and the national node run beside it ($P, $N; logs in $D/)
  Ctrl-C stops all three.

TXT
"$B" serve -D "$C"
