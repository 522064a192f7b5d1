#!/usr/bin/env bash
# Runs libFuzzer targets one after the other: tests/fuzz/run.sh DIR SECONDS NAME...
# Each target DIR/fuzz_NAME starts from the committed seeds (tests/fuzz/corpus/NAME)
# and what earlier runs found (DIR/corpus/NAME, where new inputs go), at nice 19,
# and writes a crash to DIR/crash-NAME-*.  Prints one line per target:
#   fuzz NAME: S seconds, N executions, C crashes
# and exits non-zero when any target crashed.
set -u
dir=$1 secs=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
bad=0
for name in "$@"; do
	mkdir -p "$dir/corpus/$name"
	log="$dir/fuzz_$name.log"
	start=$SECONDS
	nice -n 19 "$dir/fuzz_$name" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$dir/crash-$name-" "$dir/corpus/$name" "$top/tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	crashes=$(find "$dir" -maxdepth 1 -name "crash-$name-*" | wc -l)
	echo "fuzz $name: $((SECONDS - start)) seconds, ${execs:-?} executions, $crashes crashes (exit $rc, log $log)"
	[ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ] && bad=1
done
exit $bad
