# Shared by the cluster and command-line tests: TAP output, a private
# directory, and real nehzat nodes on ipc:// (no ports to collide) or tcp://
# on 127.0.0.1.  Every node started here is killed when the test exits.
set -u
B=${NEHZAT_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/nehzat}
T=$(mktemp -d "${TMPDIR:-/tmp}/nzc.XXXXXX")
SHARED=${NEHZAT_SHARED:-../shared}
export NEHZAT_USER=tester
t_n=0
t_fails=0

ok() { t_n=$((t_n + 1)); echo "ok $t_n - $*"; }
nok() { t_n=$((t_n + 1)); t_fails=$((t_fails + 1)); echo "not ok $t_n - $*"; }
# check DESC CMD...: passes when CMD succeeds
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else nok "$d"; fi; }
# check_fails DESC CMD...: passes when CMD fails
check_fails() { local d=$1; shift; if "$@" >/dev/null 2>&1; then nok "$d"; else ok "$d"; fi; }
# check_eq DESC GOT WANT
check_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else nok "$1"; echo "#   got  '$2'"; echo "#   want '$3'"; fi
}
# check_match DESC TEXT REGEX
check_match() {
	if [[ $2 =~ $3 ]]; then ok "$1"; else nok "$1"; echo "#   '$2' does not match /$3/"; fi
}
finish() { echo "1..$t_n"; [ "$t_fails" -eq 0 ]; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

cleanup() {
	local f
	for f in "$T"/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	wait 2>/dev/null
	if [ -n "${KEEP:-}" ] || [ "$t_fails" -gt 0 ]; then
		echo "# kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

dir_of() { echo "$T/$1"; }
# http_node ID: a node ID of its own that serves HTTP on a free loopback port; sets D (its directory), P (the
# port) and U (its URL), and stops the test when init fails.
http_node() {
	D=$(dir_of "$1")
	"$B" init -D "$D" --id "$1" --parent "ipc://$T/none.sock" >/dev/null || { echo "not ok 1 - init"; exit 1; }
	for _ in $(seq 1 20); do
		P=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$P") 2>/dev/null || break
	done
	sed -i "s/^http = .*/http = 127.0.0.1:$P/" "$D/nehzat.conf"
	U="http://127.0.0.1:$P"
}
url_of() { echo "ipc://$T/$1.sock"; }
parent_of() { case $1 in IR) echo "" ;; IR-??) echo IR ;; *) echo "${1%-*}" ;; esac; }

# mknode ID [URLFUNC]: a node of that id, listening and dialing its parent.
mknode() {
	local id=$1 p
	p=$(parent_of "$id")
	"$B" init -D "$T/$id" --id "$id" --listen "$(url_of "$id")" \
		${p:+--parent "$(url_of "$p")"} >/dev/null || return 1
	# Tests want quick rounds and quick retries.
	sed -i -e 's/^;interval = .*/interval = 1/' -e 's/^;backoff_max = .*/backoff_max = 2/' \
		-e 's/^;timeout = .*/timeout = 5/' "$T/$id/nehzat.conf"
	if [ -n "$p" ] && [ -d "$T/$p" ]; then
		"$B" peer add -D "$T/$p" --id "$id" --key "$("$B" key -D "$T/$id")" >/dev/null &&
			"$B" peer add -D "$T/$id" --id "$p" --key "$("$B" key -D "$T/$p")" >/dev/null
	fi
}

# mktree ID...: nodes in the order given (parents first).
mktree() { local id; for id in "$@"; do mknode "$id" || return 1; done; }

start() { # start ID [env...]: serve in the background
	local id=$1; shift
	env "$@" "$B" serve -D "$T/$id" 2>>"$T/$id.log" &
	echo $! >"$T/$id.pid"
}
stop() { # stop ID: SIGTERM and wait; returns serve's exit status
	local id=$1 pid rc
	pid=$(cat "$T/$id.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"; rc=$?
	rm -f "$T/$id.pid"
	return $rc
}
kill9() {
	local id=$1 pid
	pid=$(cat "$T/$id.pid" 2>/dev/null) || return 0
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$T/$id.pid"
}
nz() { "$B" "$@"; }
digest() { "$B" digest -D "$T/$1" ${2:+--subtree "$2"}; }

# sync_down ID...: each node after the first syncs once with the one before it (its parent), which serves
# for that sync only: what national set reaches a county through its province.
sync_down() {
	local p=$1 c; shift
	for c in "$@"; do
		start "$p"
		"$B" sync -D "$T/$c" --once >/dev/null
		stop "$p"
		p=$c
	done
}
# wait_same A B SUBTREE [SECONDS]: until both digests of SUBTREE agree.
wait_same() {
	local a=$1 b=$2 s=$3 limit=${4:-30} i
	for ((i = 0; i < limit * 5; i++)); do
		[ "$(digest "$a" "$s")" == "$(digest "$b" "$s")" ] && return 0
		sleep 0.2
	done
	return 1
}
# wait_for SECONDS CMD...: until CMD succeeds
wait_for() {
	local limit=$1 i; shift
	for ((i = 0; i < limit * 5; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}
# sql ID QUERY: one value from a node's database
sql() { sqlite3 "$T/$1/nehzat.db" "$2"; }
# wait_sql ID QUERY WANT [SECONDS]: until the query gives WANT
wait_sql() {
	local id=$1 q=$2 want=$3 limit=${4:-30} i
	for ((i = 0; i < limit * 5; i++)); do
		[ "$(sql "$id" "$q" 2>/dev/null)" == "$want" ] && return 0
		sleep 0.2
	done
	echo "#   $id: '$q' gives '$(sql "$id" "$q" 2>&1)', want '$want'"
	return 1
}
