#!/usr/bin/env bash
# The Debian package: `make deb` builds it, lintian finds no error, its
# dependencies are the shared libraries the binary links, its man page lists
# every command; as root it is installed into this machine, its binary
# creates and runs a node as the nehzat user under the unit's data directory,
# systemd-analyze verifies its units, and dpkg --purge leaves nothing behind.
source "$(dirname "$0")/../cluster/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v dpkg-deb >/dev/null && command -v dpkg-shlibdeps >/dev/null ||
	skip_all "dpkg-deb or dpkg-shlibdeps is not installed (make deps)"
build=$(realpath --relative-to="$top" "$(dirname "$B")")
# One package test at a time on this machine: dpkg has one database.
exec 9>"${TMPDIR:-/tmp}/nehzat-deb-test.lock"
flock -w 300 9 || skip_all "another package test holds the lock"

make -C "$top" -s BUILD="$build" deb >"$T/make.log" 2>&1
check_eq "make deb succeeds" "$?" 0
version=$("$B" --version | cut -d' ' -f2)
deb=$top/$build/nehzat_${version}_$(dpkg --print-architecture).deb
check "it writes nehzat_VERSION_ARCH.deb" test -f "$deb"
[ -f "$deb" ] || { cat "$T/make.log"; finish; exit; }
check_eq "the package's version is the program's" "$(dpkg-deb -f "$deb" Version)" "$version"
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/nehzat ./usr/share/man/man1/nehzat.1.gz ./lib/systemd/system/nehzat@.service \
	./lib/systemd/system/nehzat-backup@.service ./lib/systemd/system/nehzat-backup@.timer \
	./usr/share/doc/nehzat/copyright ./usr/share/doc/nehzat/examples/county.ini \
	./usr/share/doc/nehzat/examples/province.ini ./usr/share/doc/nehzat/examples/national.ini; do
	check "the package holds $f" grep -qxF "$f" <<<"$contents"
done

# Dependencies: the package of each library the binary links directly.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in $(objdump -p "$B" | awk '$1 == "NEEDED" {print $2}'); do
	path=$(ldd "$B" | awk -v l="$lib" '$1 == l && $2 == "=>" {print $3}')
	pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1)
	[ -n "$pkg" ] || pkg=$(dpkg -S "$(realpath "$path")" 2>/dev/null | head -1 | cut -d: -f1)
	[ -n "$pkg" ] || { nok "the package holding $path is found"; continue; }
	check_match "Depends names $pkg, which holds $lib" "$depends" "(^|, )$pkg( |,|$)"
done
check_match "Depends holds adduser (the maintainer scripts use it; deb-systemd-invoke is essential)" "$depends" "(^|, )adduser$"

if command -v lintian >/dev/null; then
	lintian --tag-display-limit 0 "$deb" >"$T/lintian.log" 2>&1
	check_eq "lintian reports no error" "$(grep -c '^E:' "$T/lintian.log")" 0
	check_eq "nor any warning" "$(grep -c '^W:' "$T/lintian.log")" 0
	grep '^[EW]:' "$T/lintian.log" | sed 's/^/# /'
else
	echo "# lintian is not installed: its check skipped"
fi

# The man page: generated from the program's own command table.
mkdir -p "$T/x" && dpkg-deb -x "$deb" "$T/x"
man=$(MANWIDTH=100 man -l "$T/x/usr/share/man/man1/nehzat.1.gz" 2>"$T/man.err")
check_eq "the man page renders without a warning" "$(cat "$T/man.err")" ""
missing=
for c in $("$B" --help | awk '/^  [a-z]/ {print $1}'); do
	grep -q "^   $c\$" <<<"$man" || missing="$missing $c"
done
check_eq "the man page has a section for every command" "$missing" ""
for s in "EXIT STATUS" FILES ENVIRONMENT; do check_match "the man page says $s" "$man" "$s"; done
check_match "and holds each command's options" "$man" "nehzat backup -D DIR FILE"

if [ "$(id -u)" != 0 ]; then
	echo "# not root: installation into this machine skipped"
	finish
	exit
fi
if dpkg -s nehzat >/dev/null 2>&1; then
	dpkg --purge nehzat >/dev/null 2>&1 # left by an interrupted run
fi
check "dpkg -i installs it" dpkg -i "$deb"
check_eq "the installed binary prints its version" "$(/usr/bin/nehzat --version)" "$("$B" --version)"
check "the system user nehzat exists" getent passwd nehzat
check_eq "it owns /var/lib/nehzat" "$(stat -c %U /var/lib/nehzat)" nehzat
D=/var/lib/nehzat/IR-07-03
check "the installed binary creates a node as nehzat" \
	runuser -u nehzat -- /usr/bin/nehzat init -D "$D" --id IR-07-03 --parent "ipc://$T/IR-07.sock"
check_eq "its key is private to nehzat" "$(stat -c '%U %a' "$D/node.key")" "nehzat 600"
check "status reads it" runuser -u nehzat -- /usr/bin/nehzat status -D "$D"
E=/var/lib/nehzat/IR-07-05
check "root, too, can make a node there" /usr/bin/nehzat init -D "$E" --id IR-07-05 --parent "ipc://$T/IR-07.sock"
check_eq "its files go to nehzat, so that the service can open them" \
	"$(stat -c %U "$E" "$E"/* | sort -u)" nehzat
check "the nehzat user reads it" runuser -u nehzat -- /usr/bin/nehzat status -D "$E"
setpriv --reuid=nehzat --regid=nehzat --init-groups -- /usr/bin/nehzat serve -D "$D" 2>"$T/serve.log" &
pid=$!
check "the node runs" wait_for 10 grep -q 'node.start\|sync\.' "$T/serve.log"
kill -TERM "$pid"; wait "$pid"
check_eq "SIGTERM stops it cleanly (exit 0), as the unit expects" "$?" 0
# The backup timer's command, as systemd would run it (%i the instance, %% and $$ unescaped).
line=$(sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'$/\1/p" /lib/systemd/system/nehzat-backup@.service |
	sed -e 's/%i/IR-07-03/g' -e 's/%%/%/g' -e 's/\$\$/$/g')
check_match "the backup service runs nehzat backup" "$line" "^mkdir -p /var/backups/nehzat/IR-07-03 && /usr/bin/nehzat backup"
touch -d '20 days ago' /var/backups/nehzat/old-file.db
mkdir -p /var/backups/nehzat/IR-07-03
touch -d '20 days ago' /var/backups/nehzat/IR-07-03/IR-07-03-20000101-0230.db
chown -R nehzat:nehzat /var/backups/nehzat
check "it succeeds as nehzat" env KEEP_DAYS=14 setpriv --reuid=nehzat --regid=nehzat --init-groups -- sh -c "$line"
made=$(ls /var/backups/nehzat/IR-07-03/IR-07-03-2*.db 2>/dev/null | grep -v 20000101)
check_eq "and writes one dated backup" "$(echo "$made" | grep -c .)" 1
check_eq "which passes integrity_check" "$(sqlite3 "$made" "PRAGMA integrity_check" 2>&1)" ok
check_fails "a backup older than KEEP_DAYS days is deleted" test -e /var/backups/nehzat/IR-07-03/IR-07-03-20000101-0230.db
check "nothing else is touched" test -e /var/backups/nehzat/old-file.db
rm -rf /var/backups/nehzat/IR-07-03 /var/backups/nehzat/old-file.db
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/units"
	for u in nehzat@ nehzat-backup@; do
		cp "/lib/systemd/system/$u.service" "$T/units/${u}IR-07-03.service"
	done
	cp /lib/systemd/system/nehzat-backup@.timer "$T/units/nehzat-backup@IR-07-03.timer"
	out=$(systemd-analyze verify "$T"/units/* 2>&1)
	check_eq "systemd-analyze verify finds nothing to say about the units" "$out" ""
	sec=$(systemd-analyze security --offline=true "$T/units/nehzat@IR-07-03.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
	[ -n "$sec" ] && echo "# systemd-analyze security: exposure $sec (0 safest, 10 unsafe)"
	unit=$(cat /lib/systemd/system/nehzat@.service)
	for k in StateDirectory=nehzat/%i ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes \
		Restart=on-failure KillSignal=SIGTERM User=nehzat; do
		check "the unit sets $k" grep -qxF "$k" <<<"$unit"
	done
else
	echo "# systemd-analyze is not installed: unit checks skipped"
fi
check "dpkg --purge removes it" dpkg --purge nehzat
check_fails "no binary is left" test -e /usr/bin/nehzat
check_eq "no file of the package is left" \
	"$(ls -d /lib/systemd/system/nehzat* /usr/share/man/man1/nehzat.1.gz /usr/share/doc/nehzat 2>/dev/null)" ""
check_fails "no data directory is left" test -e /var/lib/nehzat
check_fails "no empty backup directory is left" test -e /var/backups/nehzat
check_fails "the nehzat user is gone" getent passwd nehzat
check_fails "the nehzat group is gone" getent group nehzat
check_fails "dpkg knows nothing of it" dpkg -s nehzat
finish
