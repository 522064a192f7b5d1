#!/usr/bin/env bash
# Makes the upgrade fixture of the current schema version: a province and one
# of its counties that have synced, with records of several kinds on both,
# kept as SQL text (tests/upgrade/schemaN/ID.sql) with each node's
# configuration, key and digest.  tests/cluster/t_upgrade.sh migrates every
# fixture kept here with the program under test.  Run it when a release
# changes the schema (a new migration in src/store/store.c), and commit its
# output beside the older ones: a fixture is never regenerated or edited.
# Usage: tests/upgrade/mkfixture.sh BUILD/nehzat
set -eu
B=$(realpath "$1")
top=$(cd "$(dirname "$0")/../.." && pwd)
export NEHZAT_BIN=$B
source "$top/tests/cluster/lib.sh"
v=$("$B" init -D "$T/probe" --id IR >/dev/null;
    sqlite3 "$T/probe/nehzat.db" "PRAGMA user_version")
out=$top/tests/upgrade/schema$v
[ -e "$out" ] && { echo "$out exists: a fixture is never regenerated" >&2; exit 1; }
mktree IR-07 IR-07-03
start IR-07; start IR-07-03
C=$(dir_of IR-07-03) P=$(dir_of IR-07)
i1=$(nz issue add -D "$C" --title "کمبود آب آشامیدنی" --category water --people 1200)
nz issue add -D "$C" --title "اعتیاد جوانان" --category addiction >/dev/null
wait_same IR-07-03 IR-07 IR-07-03 30
nz issue set -D "$P" "$i1" neighbourhood="محله ۳" >/dev/null
printf 'fixture-password-1\n' >"$T/pw"
nz user add -D "$C" --name ali --role admin --password-file "$T/pw" >/dev/null
wait_same IR-07-03 IR-07 IR-07-03 30
stop IR-07-03; stop IR-07
mkdir -p "$out"
for id in IR-07 IR-07-03; do
	{ sqlite3 "$T/$id/nehzat.db" .dump; echo "PRAGMA user_version = $v;"; } >"$out/$id.sql"
	sed -e "s|$T|@DIR@|g" "$T/$id/nehzat.conf" >"$out/$id.conf"
	cp "$T/$id/node.key" "$out/$id.key"
	"$B" digest -D "$T/$id" >"$out/$id.digest"
done
echo "schema $v fixture written to $out"
