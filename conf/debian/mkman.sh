#!/bin/sh
# Writes the man page nehzat(1) to standard output: the program's own
# manual, written from its command table (`nehzat help --man`), so that every
# command and option it knows is in the page and nothing it does not know,
# followed by what the package adds (exit status, environment, files).
# Usage: conf/debian/mkman.sh BUILD/nehzat
set -eu
B=$1
version=$("$B" --version | cut -d' ' -f1-2)
# The commands, their synopses and what they do: the program's own table.
"$B" help --man | sed "1s/^\.TH NEHZAT 1\$/.TH NEHZAT 1 \"\" \"$version\" \"nehzat manual\"/"
# What the package adds: exit status, environment, files, where to look next.
cat <<'TAIL'
.SH EXIT STATUS
.TP
.B 0
success
.TP
.B 1
the command failed; the reason is printed on standard error, and nothing
was changed
.TP
.B 2
usage error: an unknown command or option, a missing or malformed argument
.SH ENVIRONMENT
.TP
.B NEHZAT_DIR
the data directory when
.B \-D
is not given
.TP
.B NEHZAT_USER
the author recorded on changes made from the command line (default: the
login name)
.SH FILES
.TP
.I DIR/nehzat.conf
the node's configuration (every key listed, commented, by
.BR "nehzat init" )
.TP
.I DIR/nehzat.db
the node's database (SQLite, write-ahead log)
.TP
.I DIR/node.key
the node's Ed25519 secret key (mode 0600)
.TP
.I /var/lib/nehzat/ID
the data directory of node ID when run by the package's service
.TP
.I /lib/systemd/system/nehzat@.service
the service: one instance per node,
.B systemctl start nehzat@IR\-07\-03
.TP
.I /lib/systemd/system/nehzat\-backup@.timer
nightly backups of a node with retention (disabled until enabled)
.TP
.I /usr/share/doc/nehzat/examples/
example configurations of a national, provincial and county node
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1),
.BR sqlite3 (1)
TAIL
