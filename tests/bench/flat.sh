#!/usr/bin/env bash
# P1_flat: does a hop slow down as the store grows?  One hop of 1,000,000
# changes (BENCH_FLAT_N) from a county to its province over tcp loopback,
# durably applied (committed in WAL) as P1.  The province's log head is read
# every 10 ms; the rate over the 50,000 changes around the 50,000th (25,000
# to 75,000) is set against the rate over the last 50,000, in the same hop.
# A window is about 0.35 s, so a moment's work of anything else on the
# machine moves one hop's ratio by several per cent: the hop is made
# BENCH_FLAT_HOPS times (5), each from the same filled county to a province
# as new, and the figure is their median, every hop's printed beside it.
# Beside it: the CPU both processes used over each of those windows, and the
# rate and CPU over each 100,000 of the hop, to tell a cost that grows with
# the store (a steady fall) from one that comes and goes (steps).
# Usage: flat.sh [BUILD_DIR]; run alone by `make bench-flat`, and by
# tests/bench/run.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
[[ $build == /* ]] || build=$top/$build
B="$build/nehzat"
W=$(mktemp -d "${TMPDIR:-/tmp}/nzflat.XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"' EXIT
. "$top/tests/bench/lib.sh"
F=${BENCH_FLAT_N:-1000000}
port=$((20000 + RANDOM % 20000))

pair "$W/ffp.seed" "$W/ffc.seed" "$port" 262144 || exit 1
"$build/bench/b_fill" "$W/ffc.seed" "$F" 10000 || exit 1

# CPU seconds (user + system) both processes have used: on a loaded machine
# the CPU a change costs is steadier than the wall clock.
hz=$(getconf CLK_TCK)
cpu_now() {
	local a b cs
	read -ra a <"/proc/$fs/stat" && read -ra b <"/proc/$fp/stat" || return
	cs=$(((a[13] + a[14] + b[13] + b[14]) * 100 / hz))
	printf '%d.%02d' $((cs / 100)) $((cs % 100))
}

# hop N: one hop from the filled county (ffc.seed) to the province as it was
# made (ffp.seed); its ratio joins ratios.
hop() {
	rm -rf "$W/ffp" "$W/ffc"
	cp -a "$W/ffp.seed" "$W/ffp" && cp -a "$W/ffc.seed" "$W/ffc" || exit 1
	# The copies (and the fill) leave a gigabyte and more for the kernel to
	# write back; on ext4 each fsync of the province's checkpoints would wait
	# for part of it, at moments that fall in one window or the other.
	sync
	pids=()
	"$B" serve -D "$W/ffp" 2>"$W/ffp.log" & fs=$!; pids+=($fs)
	sleep 0.5
	"$B" sync -D "$W/ffc" --once 2>"$W/ffc.log" & fp=$!
	# The windows' edges, then every 100,000 (the trend).
	marks=(25000 75000 $((F - 50000)) "$F")
	for ((k = 100000; k <= F; k += 100000)); do marks+=("$k"); done
	at=() cpu=()
	# The head is read by one sqlite3 that stays open (each query its own read
	# transaction, nothing held between them) every 10 ms, with bash's clock: a
	# batch of 10,000 changes commits in about 70 ms, and a process spawned for
	# each reading (sqlite3, date) every 50 ms made the windows' edges up to a
	# batch late, ±10% on a window of five batches.
	coproc HEAD { stdbuf -oL sqlite3 -cmd ".timeout 2000" "$W/ffp/nehzat.db" 2>/dev/null; }
	pids+=("$HEAD_PID")
	exec {nap}<> <(:)
	t0=$EPOCHREALTIME c0=$(cpu_now)
	for ((n = 0; n < 90000; n++)); do
		echo "SELECT max(seq) FROM oplog;" >&"${HEAD[1]}"
		read -rt 2 h <&"${HEAD[0]}" || h=0
		t=$EPOCHREALTIME
		for i in "${!marks[@]}"; do
			[ -z "${at[$i]:-}" ] && [ "${h:-0}" -ge "${marks[$i]}" ] && at[$i]=$t cpu[$i]=$(cpu_now)
		done
		[ -n "${at[3]:-}" ] && break
		kill -0 "$fp" 2>/dev/null && ((${t%.*} - ${t0%.*} < 900)) || break
		read -rt 0.01 -u "$nap"
	done
	wait "$fp" || echo "# P1_flat: sync failed: $(tail -1 "$W/ffc.log")"
	kill "$fs" "$HEAD_PID" 2>/dev/null
	wait 2>/dev/null
	exec {nap}>&-
	if [ -n "${at[3]:-}" ] && [ -n "${at[0]:-}" ]; then
		r1=$(echo "50000 / (${at[1]} - ${at[0]})" | bc -l)
		r2=$(echo "50000 / (${at[3]} - ${at[2]})" | bc -l)
		printf '# P1_flat: %d changes in %.1f s; %.0f changes/s around 50,000, %.0f over the last 50,000 (load %s)\n' \
			"$F" "$(echo "${at[3]} - $t0" | bc -l)" "$r1" "$r2" "$(cut -d' ' -f1-3 /proc/loadavg)"
		printf '# P1_flat: CPU seconds per 50,000 changes (both processes): %.2f around 50,000, %.2f over the last\n' \
			"$(echo "${cpu[1]} - ${cpu[0]}" | bc -l)" "$(echo "${cpu[3]} - ${cpu[2]}" | bc -l)"
		# The trend: changes/s and CPU seconds over each 100,000, from the start.
		trend="" pt=$t0 pc=$c0 pk=0
		for ((i = 4; i < ${#marks[@]}; i++)); do
			[ -n "${at[$i]:-}" ] || break
			trend+=$(printf ' %dk %.0f/s %.2f;' "$((marks[i] / 1000))" \
				"$(echo "(${marks[$i]} - $pk) / (${at[$i]} - $pt)" | bc -l)" "$(echo "${cpu[$i]} - $pc" | bc -l)")
			pt=${at[$i]} pc=${cpu[$i]} pk=${marks[$i]}
		done
		echo "# P1_flat: per 100,000 (up to; changes/s, CPU s):$trend"
		ratios+=("$(printf '%.3f' "$(echo "$r2 / $r1" | bc -l)")")
	else
		echo "# P1_flat: hop $1 gave no figure"
	fi
}

ratios=()
for ((n_hop = 1; n_hop <= ${BENCH_FLAT_HOPS:-5}; n_hop++)); do
	hop "$n_hop"
done
if [ ${#ratios[@]} -gt 0 ]; then
	mid=$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(((${#ratios[@]} + 1) / 2))p")
	echo "# P1_flat: the hops' ratios ${ratios[*]}; their median $mid"
	echo "BENCH name=P1_flat value=$mid unit=ratio goal=>=0.9"
else
	echo "BENCH name=P1_flat value=null unit=ratio goal=>=0.9"
fi
