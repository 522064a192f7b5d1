#!/usr/bin/env bash
# The house rules of issue 12, kept by the suite: no two objects of the
# library and the node that use each other's symbols (tests/circles.sh, from
# nm), and no production source above 800 lines but the codec (proto/wire.c).
source "$(dirname "$0")/../cluster/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(dirname "$B")
command -v nm >/dev/null || skip_all "no nm (binutils)"
git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1 || skip_all "not a git checkout"
cd "$top" || exit 1

objs=()
missing=0
for f in $(git ls-files 'src/*.c' 'node/*.c' 'proto/*.c'); do
	o="$build/${f%.c}.o"
	[ -f "$o" ] || missing=$((missing + 1))
	objs+=("$o")
done
check_eq "every source has its object in $build" "$missing" "0"
out=$(bash tests/circles.sh "${objs[@]}" 2>&1)
check_eq "no circle between objects" "$?" "0"
check_match "over all ${#objs[@]} of them" "$out" "^no circle among ${#objs[@]} objects$"

# The check itself finds a circle: two objects made here that call each other.
if command -v cc >/dev/null; then
	tmp=$(mktemp -d)
	printf 'int b(int);\nint a(int x) { return x ? b(x - 1) : 0; }\n' > "$tmp/a.c"
	printf 'int a(int);\nint b(int x) { return a(x); }\n' > "$tmp/b.c"
	cc -c -o "$tmp/a.o" "$tmp/a.c" && cc -c -o "$tmp/b.o" "$tmp/b.c"
	out=$(bash tests/circles.sh "$tmp/a.o" "$tmp/b.o")
	check_eq "a circle made on purpose is found (exit 1)" "$?" "1"
	check_match "and named" "$out" "^circle: $tmp/a.o uses b ; $tmp/b.o uses a"
	rm -rf "$tmp"
fi

big=$(git ls-files 'src/*.c' 'src/*.h' 'src/*.js' 'node/*.c' 'node/*.h' 'proto/*.c' 'proto/*.h' |
	grep -v '^proto/wire\.c$' | xargs wc -l | awk '$2 != "total" && $1 > 800 {print $2 " " $1}')
check_eq "no production file above 800 lines but proto/wire.c" "$big" ""
finish
