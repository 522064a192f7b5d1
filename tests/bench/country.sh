#!/usr/bin/env bash
# P6, country scale: the real tree from ../shared/data — 1 national,
# 31 provincial and 482 county nodes, each its own `nehzat serve` process on
# this machine, over tcp on 127.0.0.1.  Every county first records a day's
# activity offline; then the counties come up together and we time until
# national holds every county's records (then every county's digest is
# compared with national's view of it), and read each node's idle memory.
# Prints BENCH lines.  Usage: country.sh BUILD_DIR
set -u
build=$1
B=$(cd "$build" && pwd)/nehzat
FILL=$(cd "$build" && pwd)/bench/b_fill
SHARED=${NEHZAT_SHARED:-../shared}
PER=${COUNTRY_CHANGES:-30}
W=$(mktemp -d "${TMPDIR:-/tmp}/nzp6.XXXXXX")
pids=()
cleanup() {
	kill "${pids[@]}" 2>/dev/null; sleep 1; kill -9 "${pids[@]}" 2>/dev/null; wait 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "# kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
if [ ! -f "$SHARED/data/iran_counties.csv" ]; then
	echo "# P6 skipped: $SHARED/data/iran_counties.csv not found"
	exit 0
fi
ulimit -n 65536 2>/dev/null
# COUNTRY_PROVINCES=N takes only the first N provinces (for quick runs).
provinces=$(tail -n +2 "$SHARED/data/iran_provinces.csv" | cut -d, -f1 | head -n "${COUNTRY_PROVINCES:-31}")
counties=$(tail -n +2 "$SHARED/data/iran_counties.csv" | cut -d, -f1 | grep -E "^($(echo $provinces | tr ' ' '|'))")
ncounties=$(echo $counties | wc -w)
base=$((30000 + RANDOM % 20000))
declare -A port
port[IR]=$base
i=1
for p in $provinces; do port[IR-$p]=$((base + i)); i=$((i + 1)); done

t0=$(date +%s)
mk() { # mk ID PARENT
	local id=$1 par=$2 args=()
	[ -n "$par" ] && args+=(--parent "tcp://127.0.0.1:${port[$par]}")
	[ -n "${port[$id]:-}" ] && args+=(--listen "tcp://127.0.0.1:${port[$id]}")
	"$B" init -D "$W/$id" --id "$id" "${args[@]}" >/dev/null || return 1
	hport=$((hport + 1))
	sed -i -e 's/^;backoff_max = .*/backoff_max = 4/' -e 's/^;level = .*/level = warn/' \
		-e "s/^http = .*/http = 127.0.0.1:$hport/" "$W/$id/nehzat.conf"
	key[$id]=$("$B" key -D "$W/$id")
}
declare -A key
hport=$((base + 100))
mk IR "" || exit 1
for p in $provinces; do mk "IR-$p" IR || exit 1; done
for c in $counties; do mk "IR-${c:0:2}-${c:2:2}" "IR-${c:0:2}" || exit 1; done
# Keys, straight into the peer tables: two statements per link instead of a process each.
for p in $provinces; do
	sqlite3 "$W/IR/nehzat.db" "INSERT INTO peer(id, role, pubkey) VALUES ('IR-$p', 'child', x'${key[IR-$p]}')"
	sqlite3 "$W/IR-$p/nehzat.db" "INSERT INTO peer(id, role, pubkey) VALUES ('IR', 'parent', x'${key[IR]}')"
done
for c in $counties; do
	p=IR-${c:0:2} id=IR-${c:0:2}-${c:2:2}
	sqlite3 "$W/$p/nehzat.db" "INSERT INTO peer(id, role, pubkey) VALUES ('$id', 'child', x'${key[$id]}')"
	sqlite3 "$W/$id/nehzat.db" "INSERT INTO peer(id, role, pubkey) VALUES ('$p', 'parent', x'${key[$p]}')"
	"$FILL" "$W/$id" "$PER" "$PER" || exit 1
done
echo "# P6: $((ncounties + $(echo $provinces | wc -w) + 1)) nodes initialised, $PER changes at each of $ncounties counties, in $(( $(date +%s) - t0 )) s"

"$B" serve -D "$W/IR" 2>>"$W/IR.log" & pids+=($!)
for p in $provinces; do "$B" serve -D "$W/IR-$p" 2>>"$W/IR-$p.log" & pids+=($!); done
sleep 2
want=$((ncounties * PER))
start=$(date +%s.%N)
for c in $counties; do
	"$B" serve -D "$W/IR-${c:0:2}-${c:2:2}" 2>>"$W/county.log" & pids+=($!)
done
up=$(date +%s.%N)
got=0
for ((i = 0; i < 600; i++)); do
	got=$(sqlite3 "$W/IR/nehzat.db" "SELECT count(*) FROM issue" 2>/dev/null || echo 0)
	[ "$got" -ge "$want" ] && break
	sleep 0.5
done
end=$(date +%s.%N)
printf '# P6: counties started in %.1f s; national holds %d of %d county records\n' \
	"$(echo "$up - $start" | bc -l)" "$got" "$want"
# Digests: every county's own against national's view of it.
same=0
for c in $counties; do
	id=IR-${c:0:2}-${c:2:2}
	[ "$("$B" digest -D "$W/$id")" == "$("$B" digest -D "$W/IR" --subtree "$id")" ] && same=$((same + 1))
done
echo "# P6: $same of $ncounties county digests equal national's view of them"
sleep 5
# Idle memory: resident set of every node, and the proportional share
# (shared library pages counted once across the processes).
rss=0 pss=0 n=0
for pid in "${pids[@]}"; do
	r=$(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null) || continue
	s=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null)
	[ -n "$r" ] || continue
	rss=$((rss + r)) pss=$((pss + s)) n=$((n + 1))
done
printf '# P6: %d processes, mean RSS %.1f MB, mean PSS %.1f MB, machine: %s cores\n' "$n" \
	"$(echo "$rss / $n / 1024" | bc -l)" "$(echo "$pss / $n / 1024" | bc -l)" "$(nproc)"
if [ "$same" -eq "$ncounties" ]; then
	printf 'BENCH name=P6_country_convergence value=%.1f unit=s goal=<=30\n' "$(echo "$end - $start" | bc -l)"
else
	echo "BENCH name=P6_country_convergence value=null unit=s goal=<=30"
fi
printf 'BENCH name=P6_idle_memory_per_node value=%.1f unit=MB goal=<=8\n' "$(echo "$rss / $n / 1024" | bc -l)"
