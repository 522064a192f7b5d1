#!/usr/bin/env bash
# P1_vs_pouchdb: one hop of nehzat against the offline-first stack people
# would pick instead, PouchDB 9 on LevelDB (on disk) replicating to
# express-pouchdb (a CouchDB-compatible server over PouchDB on LevelDB), from
# npm (tests/bench/peer: package.json and package-lock.json; node_modules is
# installed there by `npm ci` on first use and is not committed).
#
# The record: the 6-field problem record, Persian text of about 145 bytes of
# values (b_fill fa-short: id, title, description, category, status,
# created).  PouchDB gets the very rows nehzat's first run sent (the same
# ids and text, exported with sqlite3 -json), written into its source
# database beforehand, as nehzat's county has them in its store beforehand.
#
# A run of each, alternating (nehzat, PouchDB, nehzat, PouchDB, ...), each
# with fresh receivers on 127.0.0.1:
#   nehzat   `nehzat sync --once` of the county (IR-07-03) to the province
#            (IR-07, `nehzat serve`), batches of 256 KiB as P1 has them;
#   PouchDB  one replicate.to() of the source database to the server's
#            database, PEER_BATCH documents a request (1,000 by default,
#            about nehzat's records a batch; PouchDB's own default is 100).
# The time is the wall clock around the sending process (start to exit,
# everything applied at the receiver).  Neither side fsyncs each batch:
# nehzat's SQLite is in WAL mode with synchronous=NORMAL, LevelDB writes
# without sync by default.
# After each run the receiver idles 2 s, then its resident set (VmRSS) and
# the bytes of its data directory (du, as left) are read.
#
# The figure: median records/s of nehzat ÷ median records/s of PouchDB.
# PEER_CHANGES (200000), PEER_RUNS (2 of each), PEER_BATCH (1000), KEEP=1.
# Skips (exit 0, a "# SKIP" line and a null BENCH line) without node, npm,
# sqlite3 or the packages.  Usage: peer.sh [BUILD_DIR]
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
[[ $build == /* ]] || build=$top/$build
B="$build/nehzat"
FILL="$build/bench/b_fill"
PEER="$top/tests/bench/peer"
N=${PEER_CHANGES:-200000}
RUNS=${PEER_RUNS:-2}
BATCH=${PEER_BATCH:-1000}
W=$(mktemp -d "${TMPDIR:-/tmp}/nzpeer.XXXXXX")
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "# kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
skip() {
	echo "# SKIP P1_vs_pouchdb: $*"
	echo "BENCH name=P1_vs_pouchdb value=null unit=ratio goal=>=10"
	exit 0
}
. "$top/tests/bench/lib.sh"

[[ "$N" =~ ^[1-9][0-9]*$ && "$RUNS" =~ ^[1-9]$ && "$BATCH" =~ ^[1-9][0-9]*$ ]] ||
	{ echo "peer.sh: PEER_CHANGES, PEER_RUNS (1-9) and PEER_BATCH must be positive integers"; exit 2; }
[ -x "$B" ] && [ -x "$FILL" ] || { echo "peer.sh: build $B and $FILL first"; exit 1; }
command -v sqlite3 >/dev/null || skip "the sqlite3 command-line tool is not installed"
command -v node >/dev/null || skip "node is not installed (Debian: nodejs)"
command -v npm >/dev/null || skip "npm is not installed (Debian: npm)"
# The packages, once: npm ci installs exactly package-lock.json's versions.
if [ ! -f "$PEER/node_modules/.package-lock.json" ] || [ "$PEER/package-lock.json" -nt "$PEER/node_modules/.package-lock.json" ]; then
	echo "# P1_vs_pouchdb: installing PouchDB and express-pouchdb from npm into $PEER/node_modules"
	(cd "$PEER" && timeout 600 npm ci --no-audit --no-fund >"$W/npm.log" 2>&1) ||
		skip "npm ci failed in $PEER: $(tail -1 "$W/npm.log")"
fi
(cd "$PEER" && node -e "require('pouchdb'); require('express-pouchdb'); require('express')" 2>"$W/node.log") ||
	skip "the packages do not load: $(head -1 "$W/node.log")"

port=$((20000 + RANDOM % 20000))
load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
declare -a rate_n rate_p

# nehzat K: one hop of N records, county → province; sets rate_n[K].
nehzat() {
	local k=$1 p=$W/n$1p c=$W/n$1c sp t0 t1 got
	pair "$p" "$c" $((port + k)) 262144 || return 1
	"$FILL" "$c" "$N" 10000 fa-short || return 1
	if [ ! -f "$W/rows.json" ]; then
		sqlite3 -json "$c/nehzat.db" "SELECT id, title, description, category, status, created FROM issue" \
			>"$W/rows.json" || return 1
	fi
	"$B" serve -D "$p" 2>"$p.log" & sp=$!; pids+=($sp)
	sleep 0.5
	t0=$(now)
	timeout 900 "$B" sync -D "$c" --once 2>"$c.log" || { echo "# nehzat: sync failed: $(tail -1 "$c.log")"; return 1; }
	t1=$(now)
	got=$(count "$p")
	[ "$got" -eq "$N" ] || { echo "# nehzat: the province holds $got of $N"; return 1; }
	sleep 2
	rate_n[$k]=$(echo "$N / ($t1 - $t0)" | bc -l)
	printf '# P1_vs_pouchdb: run %d nehzat: %d records in %.1f s = %.0f records/s; receiver RSS %d kB, disk %d kB (load %s)\n' \
		"$k" "$N" "$(echo "$t1 - $t0" | bc -l)" "${rate_n[$k]}" "$(rss_kb "$sp")" \
		"$(du -sk "$p" | cut -f1)" "$(load)"
	kill "$sp"; wait "$sp" 2>/dev/null
	rm -rf "$p" "$c"
}

# pouchdb K: one replication of the same N records; sets rate_p[K].
pouchdb() {
	local k=$1 q=$W/q$1 pp=$((port + 20 + $1)) sp t0 t1 i
	mkdir -p "$q/srv" || return 1
	if [ ! -d "$W/src" ]; then
		(cd "$PEER" && node pouch.js fill "$W/src" "$W/rows.json") || return 1
	fi
	cp -a "$W/src" "$q/src" || return 1
	(cd "$PEER" && exec node pouch.js server "$q/srv" "$pp" >"$q/srv.out" 2>"$q/srv.log") & sp=$!; pids+=($sp)
	for ((i = 0; i < 200; i++)); do
		grep -q ready "$q/srv.out" 2>/dev/null && break
		kill -0 "$sp" 2>/dev/null || break
		sleep 0.05
	done
	grep -q ready "$q/srv.out" || { echo "# pouchdb: the server did not start: $(tail -1 "$q/srv.log")"; return 1; }
	t0=$(now)
	(cd "$PEER" && timeout 900 node pouch.js push "$q/src" "$pp" "$N" "$BATCH") 2>"$q/push.log" ||
		{ echo "# pouchdb: $(tail -1 "$q/push.log")"; return 1; }
	t1=$(now)
	sleep 2
	rate_p[$k]=$(echo "$N / ($t1 - $t0)" | bc -l)
	printf '# P1_vs_pouchdb: run %d PouchDB: %d records in %.1f s = %.0f records/s; receiver RSS %d kB, disk %d kB (load %s)\n' \
		"$k" "$N" "$(echo "$t1 - $t0" | bc -l)" "${rate_p[$k]}" "$(rss_kb "$sp")" \
		"$(du -sk "$q/srv" | cut -f1)" "$(load)"
	kill "$sp"; wait "$sp" 2>/dev/null
	rm -rf "$q"
}

# median of the arguments
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "# P1_vs_pouchdb: $N records, $RUNS runs of each, alternating; PouchDB $(cd "$PEER" && node -p "require('pouchdb/package.json').version"), express-pouchdb $(cd "$PEER" && node -p "require('express-pouchdb/package.json').version"), node $(node --version), $BATCH docs a request"
for ((k = 1; k <= RUNS; k++)); do
	nehzat "$k" || { echo "BENCH name=P1_vs_pouchdb value=null unit=ratio goal=>=10"; exit 1; }
	pouchdb "$k" || { echo "BENCH name=P1_vs_pouchdb value=null unit=ratio goal=>=10"; exit 1; }
done
mn=$(median "${rate_n[@]}") mp=$(median "${rate_p[@]}")
printf '# P1_vs_pouchdb: median records/s: nehzat %.0f, PouchDB %.0f (load %s, %s cores)\n' "$mn" "$mp" "$(load)" "$(nproc)"
printf 'BENCH name=P1_vs_pouchdb value=%.2f unit=ratio goal=>=10\n' "$(echo "$mn / $mp" | bc -l)"
