# Sourced by the benchmark scripts (run, peer.sh): a county and its province
# as two nodes on tcp loopback.  Needs B (the nehzat binary) and W (the run's
# directory) set.

# pair DIR_PARENT DIR_CHILD PORT BATCH: a province (IR-07) listening on PORT
# and its county (IR-07-03), each knowing the other's key; batches of BATCH
# bytes, debug logging (the sync counters the benchmarks read).
pair() {
	"$B" init -D "$1" --id IR-07 --listen "tcp://127.0.0.1:$3" --parent "ipc://$W/no-national" >/dev/null &&
		"$B" init -D "$2" --id IR-07-03 --parent "tcp://127.0.0.1:$3" >/dev/null || return 1
	sed -i -e "s/^;batch_bytes = .*/batch_bytes = $4/" -e 's/^;backoff_max = .*/backoff_max = 2/' \
		-e 's/^;level = .*/level = debug/' "$1/nehzat.conf" "$2/nehzat.conf"
	"$B" peer add -D "$1" --id IR-07-03 --key "$("$B" key -D "$2")" >/dev/null
	"$B" peer add -D "$2" --id IR-07 --key "$("$B" key -D "$1")" >/dev/null
}

# count DIR: the problem records the node in DIR holds.
count() { sqlite3 "$1/nehzat.db" "SELECT count(*) FROM issue"; }

# rss_kb PID: the process's resident set in kB (empty when it is gone).
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
