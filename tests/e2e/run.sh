#!/usr/bin/env bash
# Browser tests of the web UI: a national, a provincial and a county node on
# loopback (real `nehzat serve` processes), driven in headless Chromium by
# playwright-core.  Emits TAP; skips cleanly (1..0 # SKIP) when Chromium,
# node or the npm package cannot be had (offline without a cache).
# Screenshots go to build/e2e/.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
source "$top/tests/cluster/lib.sh"
export NEHZAT_TODAY=2026-11-28 # 1405-09-07
CHROME=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROME" ] || skip_all "no Chromium at $CHROME (apt-get install chromium)"
command -v node >/dev/null || skip_all "no node.js"
if [ ! -d "$here/node_modules/playwright-core" ]; then
	command -v npm >/dev/null || skip_all "no npm to install playwright-core"
	(cd "$here" && timeout 180 npm install --no-audit --no-fund --silent >/dev/null 2>&1) ||
		skip_all "npm install of playwright-core failed (offline?)"
fi
[ -d "$here/node_modules/playwright-core" ] || skip_all "playwright-core is not installed"

port() { # a free TCP port on 127.0.0.1
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	echo 0
}
mktree IR IR-07 IR-07-03 || { echo "not ok 1 - make the tree"; echo "1..1"; exit 1; }
declare -A HP
for id in IR IR-07 IR-07-03; do
	HP[$id]=$(port)
	sed -i "s/^http = .*/http = 127.0.0.1:${HP[$id]}/" "$T/$id/nehzat.conf"
	echo 'e2e-password-1' | nz user add -D "$T/$id" --name admin --role admin --full-name "مدیر آزمون" >/dev/null
done
# The guideline's first standards; the test changes them (one reviewer is enough) through the national pages.
nz standard add -D "$T/IR" --defaults >/dev/null
nz register seed-standards -D "$T/IR" >/dev/null 2>&1
if [ -f "$SHARED/data/iran_counties.csv" ]; then
	nz orgunit import -D "$T/IR" "$SHARED/data/iran_provinces.csv" >/dev/null
	nz orgunit import -D "$T/IR" "$SHARED/data/iran_counties.csv" >/dev/null
fi
for id in IR IR-07 IR-07-03; do start "$id"; done
for id in IR IR-07 IR-07-03; do
	wait_for 10 curl -sf "http://127.0.0.1:${HP[$id]}/" || { echo "not ok 1 - $id serves HTTP"; echo "1..1"; exit 1; }
done
# The standards reach the county before the browser starts.
std_here() { [ "$(sql IR-07-03 'SELECT count(*) FROM sel_standard' 2>/dev/null)" -ge 1 ] 2>/dev/null; }
wait_for 30 std_here ||
	echo "# standards did not reach the county"
mkdir -p "$top/build/e2e"
if [ -n "${E2E_HOLD:-}" ]; then # development: keep the tree serving and say where
	echo "county http://127.0.0.1:${HP[IR-07-03]} province http://127.0.0.1:${HP[IR-07]} national http://127.0.0.1:${HP[IR]} in $T"
	sleep "$E2E_HOLD"
	exit 0
fi
# Three host names for the one loopback address (Chromium resolves *.localhost itself), so that each node
# keeps its own session cookie in the one browser (cookies do not tell ports apart).
NODE_PATH="$here/node_modules" CHROME="$CHROME" COUNTY="http://county.localhost:${HP[IR-07-03]}" \
	PROVINCE="http://province.localhost:${HP[IR-07]}" NATIONAL="http://national.localhost:${HP[IR]}" \
	SHOTS="$top/build/e2e" PROFILE="$T/chrome" TREE="$T" timeout 420 node "$here/ui.test.js"
rc=$?
[ $rc -eq 0 ] || t_fails=1
exit $rc
