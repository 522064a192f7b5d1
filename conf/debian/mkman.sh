#!/bin/sh
# Writes the man page nehzat(1) to standard output, generated from the
# program itself: its command table (`nehzat --help`) and each command's
# usage (`nehzat COMMAND --help`), so that every command and option the
# program knows is in the page and nothing it does not know.
# Usage: conf/debian/mkman.sh BUILD/nehzat
set -eu
B=$1
version=$("$B" --version)
# roff: a backslash doubled, a line that starts with . or ' protected.
esc() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/" -e 's/-/\\-/g'; }
cat <<HEAD
.TH NEHZAT 1 "" "$(echo "$version" | cut -d' ' -f1-2)" "nehzat manual"
.SH NAME
nehzat \- information system of the Social Participation Movement secretariats
.SH SYNOPSIS
.B nehzat
.I COMMAND
.RB [ \-D
.IR DIR ]
.RI [ options ]
.br
.B nehzat \-\-version
.SH DESCRIPTION
Each secretariat (national, provincial, county) runs one node: a data
directory holding its SQLite database, its configuration and its key.
Nodes form a tree and replicate up and down it (the sync protocol of
PROTOCOL.md); the node also serves a web interface in Persian.
Every command takes
.B \-D
.I DIR
(or the environment variable
.BR NEHZAT_DIR )
naming the data directory,
.B \-\-help
for its usage, and where it lists records,
.B \-\-json
for machine-readable output.
This build: $(echo "$version" | esc).
.SH COMMANDS
HEAD
"$B" --help | awk '/^  [a-z]/ { name = $1; sub(/^  [a-z-]+ +/, ""); print name "\t" $0 }' |
while IFS="$(printf '\t')" read -r name help; do
	printf '.SS %s\n' "$name"
	printf '%s\n' "$help" | esc
	printf '.PP\n.nf\n'
	"$B" "$name" --help 2>&1 | esc
	printf '.fi\n'
done
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
