#!/usr/bin/env bash
# P6, country scale: the real tree from ../shared/data — 1 national,
# 31 provincial and 482 county nodes, each its own `nehzat serve` process on
# this machine, over tcp on 127.0.0.1.  Every county first records a day's
# activity offline; national and the counties start, the counties waiting
# for provinces that are not there yet; then the provinces come up together
# (all links up) and we time until national holds every county's records
# (then every county's digest is compared with national's view of it), and
# read each node's idle memory.
# Prints BENCH lines.  Usage: country.sh BUILD_DIR [year]
#
# year: P6_year, a year of data at country scale.  Every county holds a
# year's activity before the links come up: 2,000 problem records
# (COUNTRY_CHANGES) of Persian text as thin.sh has it (b_fill fa: titles of
# 3 to 7 words, descriptions of 15 to 45; about 400 bytes of values), about
# 964,000 at national once every county is there.  The counties are filled
# two at a time, offline, before the clock starts.  Figures: the seconds from
# the counties starting to every county's records at national (then every
# digest compared, as for a day), and the idle resident set per node in kB.
# National's progress is printed every 10 s, with the machine's load.
set -u
build=$1
mode=${2:-day}
B=$(cd "$build" && pwd)/nehzat
FILL=$(cd "$build" && pwd)/bench/b_fill
SHARED=${NEHZAT_SHARED:-../shared}
case $mode in
day) PER=${COUNTRY_CHANGES:-30} TEXT="" POLL=0.5 ;;
year) PER=${COUNTRY_CHANGES:-2000} TEXT=fa POLL=1 ;;
*) echo "country.sh: mode is day or year, not '$mode'"; exit 2 ;;
esac
W=$(mktemp -d "${TMPDIR:-/tmp}/nzp6.XXXXXX")
pids=() cpids=() ppids=()
cleanup() {
	pids+=("${cpids[@]}" "${ppids[@]}" ${npid:-})
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
nprov=$(echo $provinces | wc -w)
# Ports below Linux's ephemeral range (32768 up), which the nodes' own
# connections take: a province must find its port free when it starts.
base=$((20000 + RANDOM % 12000))
declare -A port
declare -a lrss ln
port[IR]=$base
i=1
for p in $provinces; do port[IR-$p]=$((base + i)); i=$((i + 1)); done

t0=$(date +%s)
mk() { # mk ID PARENT HTTP_PORT: the node's directory, its key in $W/ID.key
	local id=$1 par=$2 args=()
	[ -n "$par" ] && args+=(--parent "tcp://127.0.0.1:${port[$par]}")
	[ -n "${port[$id]:-}" ] && args+=(--listen "tcp://127.0.0.1:${port[$id]}")
	"$B" init -D "$W/$id" --id "$id" "${args[@]}" >/dev/null &&
		sed -i -e 's/^;backoff_max = .*/backoff_max = 4/' -e 's/^;level = .*/level = warn/' \
			-e "s/^http = .*/http = 127.0.0.1:$3/" "$W/$id/nehzat.conf" &&
		"$B" key -D "$W/$id" >"$W/$id.key" || touch "$W/mk.failed"
}
# Two at a time (one a core); the web ports in the order national, provinces, counties.
declare -A key
ids=(IR) pars=("")
for p in $provinces; do ids+=("IR-$p") pars+=(IR); done
for c in $counties; do ids+=("IR-${c:0:2}-${c:2:2}") pars+=("IR-${c:0:2}"); done
for ((i = 0; i < ${#ids[@]}; i++)); do
	mk "${ids[$i]}" "${pars[$i]}" $((base + 101 + i)) &
	[ $((i % 2)) -eq 1 ] && wait
done
wait
[ -e "$W/mk.failed" ] && { echo "P6: a node could not be initialised"; exit 1; }
for id in "${ids[@]}"; do key[$id]=$(<"$W/$id.key"); done
# Keys, straight into the peer tables: two statements per link instead of a process each.
for p in $provinces; do
	sqlite3 "$W/IR/nehzat.db" "INSERT INTO peer(id, role, pubkey) VALUES ('IR-$p', 'child', x'${key[IR-$p]}')"
	sqlite3 "$W/IR-$p/nehzat.db" "INSERT INTO peer(id, role, pubkey) VALUES ('IR', 'parent', x'${key[IR]}')"
done
for c in $counties; do
	p=IR-${c:0:2} id=IR-${c:0:2}-${c:2:2}
	sqlite3 "$W/$p/nehzat.db" "INSERT INTO peer(id, role, pubkey) VALUES ('$id', 'child', x'${key[$id]}')"
	sqlite3 "$W/$id/nehzat.db" "INSERT INTO peer(id, role, pubkey) VALUES ('$p', 'parent', x'${key[$p]}')"
done
# The counties' records, two fills at a time (one a core).
for c in $counties; do echo "$W/IR-${c:0:2}-${c:2:2}"; done |
	xargs -P 2 -I{} "$FILL" {} "$PER" "$PER" $TEXT || exit 1
echo "# P6: $((ncounties + $(echo $provinces | wc -w) + 1)) nodes initialised, $PER changes at each of $ncounties counties, in $(( $(date +%s) - t0 )) s"

# The counties first, with their provinces not yet there: each comes up,
# finds its parent out of reach and waits (its dialer tries every second).
# Once every county answers on its web port, the provinces start: that is
# "all links up", the moment the clock starts.
"$B" serve -D "$W/IR" 2>>"$W/IR.log" & npid=$!
for c in $counties; do
	"$B" serve -D "$W/IR-${c:0:2}-${c:2:2}" 2>>"$W/county.log" & cpids+=($!)
done
listening() { ss -ltnH | awk -v lo=$((base + 102 + nprov)) -v hi=$((base + 101 + nprov + ncounties)) \
	'{n = split($4, a, ":"); if (a[n] >= lo && a[n] <= hi) k++} END {print k + 0}'; }
for ((i = 0; i < 600; i++)); do
	[ "$(listening)" -ge "$ncounties" ] && break
	sleep 0.5
done
echo "# P6: $(listening) of $ncounties counties up, their provinces not yet, after $((i / 2)) s"
sleep 3
want=$((ncounties * PER))
head0=$(sqlite3 "$W/IR/nehzat.db" "SELECT coalesce(max(rowid), 0) FROM issue" 2>/dev/null || echo 0)
start=$(date +%s.%N)
for p in $provinces; do "$B" serve -D "$W/IR-$p" 2>>"$W/IR-$p.log" & ppids+=($!); done
up=$(date +%s.%N)
pids=("$npid" "${ppids[@]}" "${cpids[@]}")
# cpu PID...: CPU seconds (user + system) the processes have used so far.
cpu() { (cd /proc && cat $(printf '%s/stat ' "$@") 2>/dev/null) | awk '{ s += $14 + $15 } END { printf "%.1f", s / 100 }'; }
c0=("$(cpu "$npid")" "$(cpu "${ppids[@]}")" "$(cpu "${cpids[@]}")")
sleep 1
for ((i = 0; i < ${#ppids[@]}; i++)); do
	kill -0 "${ppids[$i]}" 2>/dev/null && continue
	echo "P6: a province did not start: $(cat "$W"/IR-??.log | grep -v 'web UI' | head -1)"
	exit 1
done
# The last rowid of national's problems (one b-tree step; the records are
# only inserted here) tells when they may all be there; only then are they
# counted (a count reads a whole index of a million entries, and the reader
# holds back national's WAL checkpoints).
got=0 shown=$(date +%s)
for ((i = 0; i < 600; i++)); do
	h=$(sqlite3 "$W/IR/nehzat.db" "SELECT max(rowid) FROM issue" 2>/dev/null)
	if [ "$mode" = day ] || [ -z "$h" ] || [ "$h" -ge $((head0 + want)) ]; then
		got=$(sqlite3 "$W/IR/nehzat.db" "SELECT count(*) FROM issue" 2>/dev/null || echo 0)
	else
		got=$((h - head0))
	fi
	[ "$got" -ge "$want" ] && break
	[ $(($(date +%s) - ${start%.*})) -gt 900 ] && break
	if [ "$mode" = year ] && [ $(($(date +%s) - shown)) -ge 10 ]; then
		shown=$(date +%s)
		printf '# P6_year: after %.0f s national holds about %d of %d (load %s)\n' "$(echo "$(date +%s.%N) - $start" | bc -l)" \
			"$got" "$want" "$(cut -d' ' -f1-3 /proc/loadavg)"
	fi
	sleep "$POLL"
done
end=$(date +%s.%N)
printf '# P6: provinces started in %.1f s; national holds %d of %d county records\n' \
	"$(echo "$up - $start" | bc -l)" "$got" "$want"
printf '# P6: CPU seconds used meanwhile: national %.1f, provinces %.1f, counties %.1f, in %.1f s on %d cores\n' \
	"$(echo "$(cpu "$npid") - ${c0[0]}" | bc -l)" "$(echo "$(cpu "${ppids[@]}") - ${c0[1]}" | bc -l)" \
	"$(echo "$(cpu "${cpids[@]}") - ${c0[2]}" | bc -l)" "$(echo "$end - $start" | bc -l)" "$(nproc)"
# Digests: every county's own against national's view of it.
same=0 d0=$(date +%s.%N)
for c in $counties; do
	id=IR-${c:0:2}-${c:2:2}
	[ "$("$B" digest -D "$W/$id")" == "$("$B" digest -D "$W/IR" --subtree "$id")" ] && same=$((same + 1))
done
printf "# P6: %d of %d county digests equal national's view of them (compared in %.1f s)\n" "$same" "$ncounties" \
	"$(echo "$(date +%s.%N) - $d0" | bc -l)"
sleep 5
# COUNTRY_SMAPS=DIR keeps /proc/PID/smaps of national, a province and a county there.
if [ -n "${COUNTRY_SMAPS:-}" ]; then
	mkdir -p "$COUNTRY_SMAPS"
	cp "/proc/$npid/smaps" "$COUNTRY_SMAPS/national.smaps"
	cp "/proc/${ppids[0]}/smaps" "$COUNTRY_SMAPS/province.smaps"
	cp "/proc/${cpids[0]}/smaps" "$COUNTRY_SMAPS/county.smaps"
fi
# Idle memory: resident set of every node, and the proportional share
# (shared library pages counted once across the processes).
rss=0 pss=0 n=0 max=0 i=0
for pid in "${pids[@]}"; do
	i=$((i + 1))
	r=$(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null) || continue
	s=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null)
	[ -n "$r" ] || continue
	rss=$((rss + r)) pss=$((pss + s)) n=$((n + 1))
	[ "$r" -gt "$max" ] && max=$r
	# national, the provinces, the counties
	lvl=$([ $i -eq 1 ] && echo 0 || { [ $i -le $((nprov + 1)) ] && echo 1 || echo 2; })
	lrss[$lvl]=$((${lrss[$lvl]:-0} + r)) ln[$lvl]=$((${ln[$lvl]:-0} + 1))
done
[ "$n" -gt 0 ] || { echo "# P6: no node left running"; n=1; }
printf '# P6: %d processes, mean RSS %.1f MB, mean PSS %.1f MB, largest RSS %.1f MB, machine: %s cores\n' "$n" \
	"$(echo "$rss / $n / 1024" | bc -l)" "$(echo "$pss / $n / 1024" | bc -l)" "$(echo "$max / 1024" | bc -l)" "$(nproc)"
printf '# P6: mean RSS national %.1f MB, provinces %.1f MB, counties %.1f MB; national store %d MB (load %s)\n' \
	"$(echo "${lrss[0]:-0} / ${ln[0]:-1} / 1024" | bc -l)" "$(echo "${lrss[1]:-0} / ${ln[1]:-1} / 1024" | bc -l)" \
	"$(echo "${lrss[2]:-0} / ${ln[2]:-1} / 1024" | bc -l)" "$(($(du -sk "$W/IR" | cut -f1) / 1024))" \
	"$(cut -d' ' -f1-3 /proc/loadavg)"
# The web server's library is loaded at the first page (src/http/server.c): one
# county's resident set again after serving its UI once, to show both.
c1=${cpids[0]} p1=$((base + 102 + nprov))
if curl -s -o /dev/null -m 5 "http://127.0.0.1:$p1/" 2>/dev/null; then
	sleep 3
	printf '# P6: a county idle %.1f MB, the same after serving one page of its UI %.1f MB (RSS)\n' \
		"$(echo "$(awk '/^Rss:/ {print $2}' "/proc/${cpids[1]}/smaps_rollup") / 1024" | bc -l)" \
		"$(echo "$(awk '/^Rss:/ {print $2}' "/proc/$c1/smaps_rollup") / 1024" | bc -l)"
fi
if [ "$mode" = year ]; then
	if [ "$same" -eq "$ncounties" ]; then
		printf 'BENCH name=P6_year_seconds value=%.1f unit=s goal=<=60\n' "$(echo "$end - $start" | bc -l)"
	else
		echo "BENCH name=P6_year_seconds value=null unit=s goal=<=60"
	fi
	echo "BENCH name=P6_idle_rss_kb value=$((rss / n)) unit=kB goal=<=8192"
	exit 0
fi
if [ "$same" -eq "$ncounties" ]; then
	printf 'BENCH name=P6_country_convergence value=%.1f unit=s goal=<=30\n' "$(echo "$end - $start" | bc -l)"
else
	echo "BENCH name=P6_country_convergence value=null unit=s goal=<=30"
fi
printf 'BENCH name=P6_idle_memory_per_node value=%.1f unit=MB goal=<=8\n' "$(echo "$rss / $n / 1024" | bc -l)"
