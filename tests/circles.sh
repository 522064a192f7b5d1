#!/usr/bin/env bash
# Prints every pair of object files that use each other's symbols (a circle
# between two source files: STYLE.md's "no two files that call each other")
# and exits 1 when there is one.  Usage: tests/circles.sh OBJ...
# e.g. tests/circles.sh build/node/*.o   or   tests/circles.sh build/src/*/*.o
set -u
declare -A defs uses
for o in "$@"; do
	defs[$o]=$(nm -g --defined-only "$o" | awk '{print $3}' | sort -u)
	uses[$o]=$(nm -u "$o" | awk '{print $2}' | sort -u)
done
found=0
for a in "$@"; do
	for b in "$@"; do
		[[ "$a" < "$b" ]] || continue
		ab=$(comm -12 <(echo "${uses[$a]}") <(echo "${defs[$b]}") | head -3 | tr '\n' ' ')
		ba=$(comm -12 <(echo "${uses[$b]}") <(echo "${defs[$a]}") | head -3 | tr '\n' ' ')
		if [ -n "$ab" ] && [ -n "$ba" ]; then
			echo "circle: $a uses $ab; $b uses $ba"
			found=1
		fi
	done
done
[ "$found" -eq 0 ] && echo "no circle among $# objects"
exit "$found"
