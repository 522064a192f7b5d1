#!/usr/bin/env bash
# Prints every pair of object files that use each other's symbols (a circle
# between two source files: STYLE.md's "no two files that call each other")
# and exits 1 when there is one.  Usage: tests/circles.sh OBJ...
# e.g. tests/circles.sh build/node/*.o   or   tests/circles.sh build/src/*/*.o
# One pass of nm over all the objects: each defined symbol names its object,
# each undefined one an edge from its user to that object.
set -u
[ "$#" -gt 0 ] || { echo "usage: tests/circles.sh OBJ..." >&2; exit 2; }
nm -A "$@" 2>/dev/null | awk -v n="$#" '
	# "obj:value type name" (defined) or "obj:   U name" (used)
	{
		obj = substr($1, 1, index($1, ":") - 1)
		if ($2 == "U") { used[++nu] = obj; usym[nu] = $3; next }
		if (NF == 3 && $2 ~ /^[A-Z]$/) def[$3] = def[$3] " " obj
	}
	END {
		for (i = 1; i <= nu; i++) {
			if (!(usym[i] in def)) continue
			m = split(def[usym[i]], owners, " ")
			for (j = 1; j <= m; j++) {
				a = used[i]; b = owners[j]
				if (a == b) continue
				if (!((a, b) in syms)) syms[a, b] = usym[i]
				else if (split(syms[a, b], tmp, " ") < 3 && index(" " syms[a, b] " ", " " usym[i] " ") == 0)
					syms[a, b] = syms[a, b] " " usym[i]
			}
		}
		found = 0
		for (k in syms) {
			split(k, ab, SUBSEP)
			if (ab[1] < ab[2] && ((ab[2], ab[1]) in syms)) {
				printf "circle: %s uses %s ; %s uses %s\n", ab[1], syms[k], ab[2], syms[ab[2], ab[1]]
				found = 1
			}
		}
		if (!found) printf "no circle among %d objects\n", n
		exit found
	}'
